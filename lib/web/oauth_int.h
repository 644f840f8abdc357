/*
 * oauth_int.h: what oauth.c, oauth_connect.c and oauth_meta.c share:
 * the configuration, the pages' HTML writers (every value escaped at
 * the sink), the audit line, who is calling, and sealing.
 */
#ifndef HG_OAUTH_INT_H
#define HG_OAUTH_INT_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "db.h"
#include "graph.h"
#include "http.h"
#include "route.h"
#include "session.h"

struct conf;

extern const struct conf *oauth_conf;

/* Start an HTML page with status and title (escaped). */
void	 oauth_page_begin(struct req *, int status, const char *title);
/* Append s with & < > " ' escaped. */
void	 oauth_html(struct req *, const char *s);
/* A paragraph of text (escaped). */
void	 oauth_para(struct req *, const char *text);
/* A link (href a constant of this site, text escaped) and the end of
 * the page. */
void	 oauth_page_end(struct req *, const char *href, const char *text);
/* A whole page: title, one paragraph, a link back to the channels. */
void	 oauth_page(struct req *, int status, const char *title,
	    const char *text);
/* An audit line by the install (no person acted) or by who; 0 or -1. */
int	 oauth_audit(struct db *, const struct route_who *, long long workspace,
	    const char *action, const char *object, const char *detail,
	    const struct req *);

/* The signed-in person of r: 1 with s and role filled; 0 nobody; -1. */
int	 oauth_signed_in(struct req *, struct db *, struct db_session *s,
	    enum role *role);
/* Who s is, for the audit log, into w. */
void	 oauth_who_of(const struct db_session *s, enum role role,
	    struct route_who *w);
/* Answer a request from someone not signed in: 401 for programs, else
 * to the sign-in page, which comes back to the channels. */
void	 oauth_need_signin(struct req *);
/* Seal the n bytes at pt with the configuration's token_key and aad
 * into out (appended); 0 or -1. */
int	 oauth_seal(const void *pt, size_t n, const char *aad,
	    struct buf *out);
/* Open what oauth_seal sealed with aad into out; 0 or -1. */
int	 oauth_unseal(const struct buf *in, const char *aad, struct buf *out);
/* Wipe every "token" string of a pick payload, then free it (NULL
 * ok). */
void	 oauth_payload_free(cJSON *);
/* Log a failed Graph call (Meta's code and fbtrace_id, never a token)
 * as event. */
void	 oauth_log_graph(const char *event, const struct graph_result *);
/* The declined permissions (comma list) with what will not work
 * without each, as a page section; nothing when none. */
void	 oauth_declined_list(struct req *, const char *declined);
/* hubgate's own URL for path (base_url without its trailing slashes,
 * then path) into out; 0, or -1 when it does not fit. */
int	 oauth_own_url(const char *path, char *out, size_t outsz);

/* Append Instagram's dialog URL for state and redirect uri ru to loc
 * (the fake's under the sandbox); 0 or -1. */
int	 oauth_ig_location(struct buf *loc, const char *state, const char *ru);
/* The callback of an Instagram Login whose state was good, for the
 * admin s (who): exchange code, connect the account, answer the page. */
void	 oauth_ig_finish(struct req *, struct db *, const struct db_session *s,
	    const struct route_who *who, const char *code, long long now);

/* The dialog of Facebook Login (the fake's under the sandbox) into
 * out; 0, or -1 when it does not fit. */
int	 oauth_dialog_url(char *out, size_t outsz);
/* WhatsApp Embedded Signup (oauth_signup.c): /oauth/login's redirect
 * for the admin s (who); the callback of a signup whose state was
 * good; the popup's page when the person cancelled (error is Meta's
 * error parameter). */
void	 oauth_wa_login(struct req *, struct db *, const struct db_session *s,
	    const struct route_who *who);
void	 oauth_wa_finish(struct req *, struct db *, const struct db_session *s,
	    const struct route_who *who, const char *code, long long now);
void	 oauth_wa_cancelled(struct req *, const char *error);

#define OAUTH_CHANNELS_PAGE	"/channels.html"

#endif
