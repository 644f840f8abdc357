/*
 * oauth_int.h: what oauth.c and oauth_meta.c share: the configuration,
 * the pages' HTML writers (every value escaped at the sink) and the
 * audit line.
 */
#ifndef HG_OAUTH_INT_H
#define HG_OAUTH_INT_H

#include "http.h"
#include "route.h"

struct conf;
struct db;

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

/* hubgate's own URL for path (base_url without its trailing slashes,
 * then path) into out; 0, or -1 when it does not fit. */
int	 oauth_own_url(const char *path, char *out, size_t outsz);

#define OAUTH_CHANNELS_PAGE	"/channels.html"

#endif
