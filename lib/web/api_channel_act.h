/*
 * api_channel_act: connecting a WhatsApp number by form and a
 * channel's actions (api_channel_act.c), for admins, within their
 * workspace (another workspace's channel is 404), each audit-logged:
 *
 *   POST   /api/channels/whatsapp   JSON {waba_id, phone_number_id,
 *          token, pin?}: the system-user token is checked with
 *          debug_token (valid, this app's, whatsapp_business_messaging
 *          and whatsapp_business_management, covering that account),
 *          the number read (GET /<phone-number-id>) and found among the
 *          account's numbers, then (pin given) the number registered,
 *          the channel stored with its token sealed, the account
 *          subscribed and the subscription read back: 201 {channel,
 *          rerouted, subscribed, warning?}.  400 for malformed input
 *          and 422 for what Meta refuses, each naming the part that is
 *          wrong; 409 when another workspace has the number; 502 when
 *          Meta cannot be reached.
 *   PATCH  /api/channels/ID          JSON {name?, human_agent?,
 *          send_rate?, mark_read?}: rename, and the sending settings
 *          (human_agent: Messenger/Instagram may answer 24 h to 7 days
 *          with the HUMAN_AGENT tag, which needs Meta's permission;
 *          send_rate: messages per second, 0 the platform's default;
 *          mark_read: mark conversations read at Meta when opened),
 *          each audit-logged: 200 {channel}; 400 when none is given
 *   POST   /api/channels/ID/subscribe   subscribe again (a Page to the
 *          fields hubgate needs, a WhatsApp number's account) and read
 *          it back: 200 {channel}; 409 without a token; 502 with Meta's
 *          words when Meta refuses
 *   DELETE /api/channels/ID          unsubscribe at Meta with the
 *          channel's token, then erase the token (status revoked): 200
 *          {channel, unsubscribed, meta_error?}.  A Meta error is
 *          reported, the local disconnect happens anyway; the channel
 *          row, its conversations, messages and events stay.
 *
 * The token never appears in an answer, a log line or the audit log.
 */
#ifndef HG_API_CHANNEL_ACT_H
#define HG_API_CHANNEL_ACT_H

#include "route.h"

struct cJSON;
struct conf;
struct db;

/* The program's configuration (graph, token_key); once, before
 * serving. */
void	 api_channel_act_setup(const struct conf *);

enum {
	WA_F_WABA_ID,
	WA_F_PHONE_NUMBER_ID,
	WA_F_TOKEN,
	WA_F_PIN,
	WA_F__MAX
};
extern const struct route_field api_wa_fields[WA_F__MAX];
enum {
	RENAME_F_NAME,
	RENAME_F_HUMAN_AGENT,
	RENAME_F_SEND_RATE,
	RENAME_F_MARK_READ,
	RENAME_F__MAX
};
extern const struct route_field api_rename_fields[RENAME_F__MAX];

void	 api_channels_whatsapp(struct req *, const struct route_ctx *);

/* A WhatsApp number to connect, by form or by Embedded Signup
 * (api_wa_signup.c). */
struct api_wa_number {
	const char	*waba, *phone;	/* digits (api_wa_ids_ok) */
	const char	*token;		/* the system-user or business token */
	const char	*pin;		/* six digits, or NULL: not registered */
	long long	 login;		/* the meta_login it came with; 0 none */
	int		 signup;	/* 1: from Embedded Signup */
};
/* 0 when each of waba, phone and pin given (not NULL) has its form
 * (digits; the PIN six of them), else -1 after answering 400 naming
 * the part. */
int	 api_wa_ids_ok(struct req *, const char *waba, const char *phone,
	    const char *pin);
/* Connect w to the caller's workspace, answering as POST
 * /api/channels/whatsapp does: the checks (another workspace's number
 * 409; debug_token; the number among the account's), the
 * registration with the PIN, the subscription, the channel with its
 * token sealed (token kind system_user), earlier events routed. */
void	 api_wa_connect(struct req *, const struct route_ctx *, struct db *,
	    const struct api_wa_number *);
void	 api_channel_patch(struct req *, const struct route_ctx *);
void	 api_channel_post(struct req *, const struct route_ctx *);
void	 api_channel_delete(struct req *, const struct route_ctx *);
/* Add to o the ways this install can connect accounts, for the
 * Channels page: "connect": {"facebook": bool (an app is configured),
 * "instagram": bool (Instagram Login's app id and secret are)}. */
void	 api_channel_connect_ways(struct cJSON *o);
/* POST /api/channels/ID/move {"workspace_id": N}: the install's
 * operator moves channel id of the workspace they are signed in to
 * into workspace N, with its contacts, conversations (unassigned) and
 * sends; both workspaces' audit logs say so (api_channel_move.c). */
void	 api_channel_move(struct req *, const struct route_ctx *,
	    long long id);

#endif
