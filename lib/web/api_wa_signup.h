/*
 * api_wa_signup: the end of WhatsApp Embedded Signup (api_wa_signup.c;
 * the popup's part is lib/web/oauth_signup.c), for admins signed in
 * with a session:
 *
 *   GET  /api/channels/whatsapp/signup   {available, sandbox}: whether
 *        the Channels page offers "Connect WhatsApp with Meta" (a
 *        whatsapp_config_id and the app are set, or the sandbox, whose
 *        fake plays Meta's popup) and which origin Meta's message
 *        comes from (facebook.com; under the sandbox this site's).
 *   POST /api/channels/whatsapp/signup   JSON {pick, waba_id?,
 *        phone_number_id?, pin}: pick is the one-time id the popup's
 *        last page handed over; it is taken (single use) only by the
 *        session that made it, within HG_WA_SIGNUP_PICK_TTL_S, and its
 *        sealed business token opened.  The ids are those of Meta's
 *        WA_EMBEDDED_SIGNUP message; when it never came, the account is
 *        the only one the grant names (debug_token's granular_scopes
 *        target_ids) and the number the account's only one.  Then the
 *        same checks and steps as POST /api/channels/whatsapp
 *        (api_wa_connect): 201 {channel, rerouted, subscribed,
 *        display_phone_number, quality_rating, warning?}; 400 naming a
 *        malformed part or an unusable pick; 403 another workspace
 *        since; 409 another workspace's number; 422 what Meta refuses.
 *
 * The token never appears in an answer, a log line or the audit log.
 */
#ifndef HG_API_WA_SIGNUP_H
#define HG_API_WA_SIGNUP_H

#include "route.h"

struct conf;

/* The program's configuration; once, before serving. */
void	 api_wa_signup_setup(const struct conf *);

enum {
	WAS_F_PICK,
	WAS_F_WABA_ID,
	WAS_F_PHONE_NUMBER_ID,
	WAS_F_PIN,
	WAS_F__MAX
};
extern const struct route_field api_wa_signup_fields[WAS_F__MAX];

void	 api_wa_signup_info(struct req *, const struct route_ctx *);
void	 api_wa_signup(struct req *, const struct route_ctx *);

#endif
