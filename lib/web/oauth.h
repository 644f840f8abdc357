/*
 * oauth: connecting accounts (cgi-bin/oauth), under /oauth:
 *
 *   GET  /oauth/login?platform=facebook[&products=messenger,instagram,
 *        whatsapp]   a signed-in admin (else a redirect to the sign-in
 *        page, or 401 for API clients) is sent (302) to Meta's Login
 *        dialog with the scopes for those products and a state
 *        (oauth_state.h) bound to the session.
 *   GET  /oauth/login?platform=instagram   the same to Instagram's
 *        dialog (Instagram Login, no Page needed) with the Instagram
 *        app's id; its callback (the platform is in the state) connects
 *        the account at once (oauth_ig.c): no picker.
 *   GET  /oauth/login?platform=whatsapp   WhatsApp Embedded Signup, in a
 *        popup: to Meta's dialog with whatsapp_config_id; its callback
 *        exchanges the 30-second code at once and hands the popup's
 *        opener a one-time pick of the sealed business token
 *        (oauth_signup.c; the number is connected by
 *        /api/channels/whatsapp/signup, api_wa_signup.h).
 *   GET  /oauth/callback   Meta's answer: a refusal (error=...) shows a
 *        page back to the channels; a bad state is 400 and audit-logged,
 *        nothing stored; else the code is exchanged (once, never
 *        retried), then for a long-lived token, debug_token (granted
 *        scopes, expiry), the person's name and every Page with its
 *        Instagram account; the Login is kept (meta_login, token
 *        sealed) and a picker page lists what may be connected.
 *   POST /oauth/connect   the picker's form (a one-time id, the session's
 *        CSRF token, the chosen ids): each chosen Page is subscribed
 *        and read back, and becomes a channel with its token sealed; a
 *        channel of another workspace is refused.
 *   POST /oauth/deauthorize, /oauth/data-deletion   Meta's callbacks
 *        with a signed_request (signed_request.h): revoke the person's
 *        Logins and the channels that depend on them, or erase what is
 *        held about them and answer the status URL and code.
 *   GET  /oauth/deletion-status?code=   what an erasure removed, and when.
 *
 * Tokens never reach a page, a log line or the browser: the picker
 * sees ids and names, its choices wait in the database, sealed.
 * Sealing binds each token to where it belongs (the AES-GCM aad):
 * "channel:<kind>:<meta id>", "meta_login:<platform>:<user id>",
 * "oauth_pick:<hash of the one-time id>".
 */
#ifndef HG_OAUTH_H
#define HG_OAUTH_H

#include <stddef.h>

#include "route.h"

struct conf;

/* The program's configuration; once, before serving. */
void	 oauth_setup(const struct conf *);

/* The fields of the routes, by index. */
enum {
	OAUTH_LOGIN_PLATFORM,
	OAUTH_LOGIN_PRODUCTS,
	OAUTH_LOGIN__MAX
};
extern const struct route_field oauth_login_fields[OAUTH_LOGIN__MAX];
enum {
	OAUTH_CB_STATE,
	OAUTH_CB_CODE,
	OAUTH_CB_ERROR,
	OAUTH_CB_ERROR_REASON,
	OAUTH_CB__MAX
};
extern const struct route_field oauth_callback_fields[OAUTH_CB__MAX];
enum {
	OAUTH_STATUS_CODE,
	OAUTH_STATUS__MAX
};
extern const struct route_field oauth_status_fields[OAUTH_STATUS__MAX];

void	 oauth_login(struct req *, const struct route_ctx *);
void	 oauth_callback(struct req *, const struct route_ctx *);
void	 oauth_connect(struct req *, const struct route_ctx *);
void	 oauth_deauthorize(struct req *, const struct route_ctx *);
void	 oauth_data_deletion(struct req *, const struct route_ctx *);
void	 oauth_deletion_status(struct req *, const struct route_ctx *);

/* Instagram Login: the scopes asked for (the fields an account is
 * subscribed to: GRAPH_IG_FIELDS). */
#define OAUTH_IG_SCOPES "instagram_business_basic," \
	"instagram_business_manage_messages"

/* The scopes of a Login for products (a comma list of messenger,
 * instagram, whatsapp; NULL or "": messenger and instagram) into out;
 * 0, or -1 for an unknown product. */
int	 oauth_scopes(const char *products, char *out, size_t outsz);
/* The scopes of asked missing from granted (comma lists) into out. */
void	 oauth_declined(const char *asked, const char *granted, char *out,
	    size_t outsz);

#endif
