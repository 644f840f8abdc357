/*
 * hook: POST a small JSON body to a URL of the operator's (the alert
 * webhook: Slack and Mattermost incoming webhooks take {"text": ...}).
 * https, or http to a loopback address only (graph_url_allowed's
 * rule); TLS verified, redirects never followed, a short timeout, the
 * answer's body ignored.  The URL is never logged (a Slack webhook URL
 * is a secret).
 */
#ifndef HG_HOOK_H
#define HG_HOOK_H

#include <stddef.h>

/* POST body (JSON) to url, waiting at most timeout_s: 0 on a 2xx
 * answer, else -1 with the reason in err. */
int	 hook_post_json(const char *url, const char *body, long timeout_s,
	    char *err, size_t errsz);

#endif
