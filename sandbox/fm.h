/*
 * fakemeta: a local fake of Meta for tests and sandbox mode, run as
 * FastCGI under /_meta/ (never by apache.conf).  It behaves like the
 * Graph API (OAuth exchanges, /me/accounts, debug_token,
 * subscribed_apps, the Messenger, Instagram and WhatsApp send
 * endpoints), the OAuth dialog and the webhook sender, with Meta's
 * request and response shapes and error objects.  Its state lives in
 * its own SQLite file.  It reads the gateway's configuration
 * (HUBGATE_CONFIG) for app_id, app_secret, base_url and
 * appsecret_proof.
 *
 * This header is private to sandbox/.
 */
#ifndef FM_H
#define FM_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "http.h"

/* The fake world: one Facebook user owning FM_PAGES Pages, every third
 * one with an Instagram account, and one WhatsApp business account. */
#define FM_USER_ID		"100000000000001"
#define FM_USER_NAME		"Sandy Sandbox"
#define FM_PAGES		30
#define FM_WABA_ID		"102290129340398"
#define FM_PHONE_ID		"106540352242922"
#define FM_PHONE_DISPLAY	"15550783881"
/* A second WhatsApp business account with a number of its own, for
 * the form's checks (a number of another account). */
#define FM_WABA2_ID		"102290129340399"
#define FM_PHONE2_ID		"106540352242923"
#define FM_PHONE2_DISPLAY	"15550783882"
#define FM_SYSTEM_USER_ID	"100000000000900"
#define FM_APP_NAME		"hubgate sandbox"
/* The professional Instagram account of Instagram Login: user_id is
 * what webhooks carry as entry[].id; /me's id and the code exchange's
 * user_id are other numbers (Meta's id trap). */
#define FM_IGL_USER_ID		"17841400000000901"
#define FM_IGL_ID		"26000000000000901"
#define FM_IGL_XUSER_ID		"26000000000000902"
#define FM_IGL_USERNAME		"sandbox.studio"
/* Defaults of the webhook sender. */
#define FM_PSID			"7300000000000001"
#define FM_IGSID		"5300000000000001"
#define FM_WA_FROM		"16505551234"

/* Token lifetimes, as Meta gives them. */
#define FM_SHORT_TTL		5400		/* 1.5 h */
#define FM_LONG_TTL		5184000		/* 60 days */
#define FM_DATA_ACCESS_TTL	7776000		/* 90 days */
#define FM_CODE_TTL		600		/* codes live 10 minutes */
/* The messaging windows. */
#define FM_WINDOW_S		86400
#define FM_HUMAN_AGENT_S	(7 * 86400)
/* /me/accounts page sizes: Meta may return fewer than asked; the
 * small maximum makes every client follow the paging. */
#define FM_LIMIT_DEFAULT	25
#define FM_LIMIT_MAX		12
/* Webhook delivery: attempts and items of a batch. */
#define FM_DELIVER_ATTEMPTS	3
#define FM_DELIVER_ATTEMPTS_MAX	10
#define FM_BATCH_MAX		100
/* Most outbox rows one listing returns. */
#define FM_OUTBOX_MAX		1000

/* The process's settings, from the gateway's configuration. */
struct fm_app {
	char	app_id[128];
	char	app_secret[512];
	char	ig_app_id[128];		/* instagram_app_id, "" when unset */
	char	ig_app_secret[512];
	char	base_url[512];		/* the gateway, for webhooks */
	char	redirect_uri[600];	/* registered: base_url/oauth/callback */
	char	db_path[1024];
	int	require_proof;
};
extern struct fm_app fm_app;

/* A Page of the world, by index 0 .. FM_PAGES - 1. */
struct fm_page {
	char	id[32];
	char	name[64];
	char	ig_id[32];		/* "" when none */
	char	ig_username[64];
};
void	 fm_page(int i, struct fm_page *);
/* The index of a Page (or of its Instagram account), -1 if none. */
int	 fm_page_find(const char *id);
int	 fm_page_find_ig(const char *ig_id);

/* A WhatsApp number of the world. */
struct fm_token;
struct fm_number {
	const char	*waba, *id, *display, *verified_name, *quality;
};
/* The number phone_id, or NULL. */
const struct fm_number *fm_number_find(const char *phone_id);
/* 1 when id is one of the world's WhatsApp business accounts. */
int	 fm_waba_known(const char *id);
/* Whether token t may act on WhatsApp business account waba: 0, or -1
 * with Meta's permission error sent.  A system-user token is limited
 * to its target (page_id holds it; "" for every account). */
int	 fm_waba_allowed(struct req *, const struct fm_token *t,
	    const char *waba);

struct fm_token {
	char		kind[16];	/* user_short user_long page system_user */
	char		user_id[32];
	char		page_id[32];
	char		parent[128];
	char		scopes[512];
	long long	issued_at;
	long long	expires_at;	/* 0: never */
	long		revoked;	/* 0, or the subcode Meta gives */
};

struct fm_fault {
	char		path[256];
	char		kind[32];
	int		status;
	long		code;
	long		subcode;
	long		latency_ms;
	char		usage[16];	/* app, buc, page, none */
	long		eta;		/* minutes to regain access */
	long		size;		/* bytes of a "big" answer */
	long		times;		/* -1: until cleared */
};

/* --- fm_store.c: the state (one statement table) --- */
int	 fm_store_open(void);		/* this thread's connection */
void	 fm_store_close(void);
int	 fm_token_add(const char *token, const struct fm_token *);
int	 fm_token_get(const char *token, struct fm_token *);	/* 1, 0, -1 */
int	 fm_token_revoke(const char *token, long subcode);	/* 1, 0, -1 */
int	 fm_token_expire(const char *token);			/* 1, 0, -1 */
/* Set when a token was issued and expires (0: never); 1, 0, -1. */
int	 fm_token_times(const char *token, long long issued_at,
	    long long expires_at);
/* Meta's query when a person declines its Login dialog. */
#define FM_DENIED	"error=access_denied&error_code=200&" \
	"error_description=Permissions+error&error_reason=user_denied"
void	 fm_consent_redirect(struct req *, const char *redirect_uri,
	    const char *state, const char *prefix, const char *scopes,
	    const char *denied, const char *fragment);
int	 fm_code_add(const char *code, const char *redirect_uri,
	    const char *scopes, long long now);
/* Take a code: 1 found (used set to whether it was used before),
 * 0 absent, -1 error; it is marked used. */
int	 fm_code_take(const char *code, char *redirect_uri, size_t rsz,
	    char *scopes, size_t ssz, long long *created, int *used);
int	 fm_sub_set(const char *object_id, const char *fields);
int	 fm_sub_get(const char *object_id, char *fields, size_t fsz);
int	 fm_sub_del(const char *object_id);
int	 fm_outbox_add(const char *platform, const char *object_id,
	    const char *recipient, const char *kind, const char *message_id,
	    const char *body, long long *id);
/* Append the outbox rows after since to arr. */
int	 fm_outbox_list(long long since, cJSON *arr);
int	 fm_outbox_clear(void);
/* The latest limit messages account sent recipient, newest first, as
 * Meta's conversation messages ({id, created_time, message, from})
 * appended to arr; 0 or -1. */
int	 fm_outbox_to(const char *account, const char *recipient, int limit,
	    cJSON *arr);
/* The latest message id sent to recipient, into out; 1, 0, -1. */
int	 fm_outbox_last_id(const char *recipient, char *out, size_t outsz);
int	 fm_contact_seen(const char *account, const char *user, long long at);
int	 fm_contact_last(const char *account, const char *user,
	    long long *at);					/* 1, 0, -1 */
int	 fm_fault_set(const struct fm_fault *);
int	 fm_fault_clear(void);
int	 fm_fault_match(const char *path, struct fm_fault *);	/* 1, 0, -1 */

/* GET <page-id>/conversations?user_id=&platform=: the conversation
 * with that person and its latest messages from the Page (what a
 * sender checks before sending again after a lost answer). */
void	 fm_conversations(struct req *, const char *page_id);

/* --- fm_pace.c: WhatsApp rate limits (off until set) --- */
/* The benchmark's numbers: FM_BENCH_PHONE_PREFIX and two digits answer
 * sends as FM_PHONE_ID does. */
#define FM_BENCH_PHONE_PREFIX	"1065403522430"
/* At most wa_rate sends per second per number, pair_ms between two
 * sends to one person (0: no limit); the counts start again. */
void	 fm_pace_set(long wa_rate, long pair_ms);
/* The limits and the counts of refusals, as JSON (the caller's). */
cJSON	*fm_pace_json(void);
/* A send from phone to "to" at now_ms: 0 (counted), or Meta's error
 * code 130429 (the number's rate) or 131056 (the pair's spacing). */
long	 fm_pace_check(const char *phone, const char *to, long long now_ms);

/* --- fakemeta.c: shared helpers --- */
/* A parameter from the query string, else the form body, or NULL. */
const char *fm_param(struct req *, const char *name);
/* Send Meta's error object. */
void	 fm_error(struct req *, int status, long code, long subcode,
	    const char *type, const char *msg);
/* Send obj (taken) as JSON 200 with Meta's usage header. */
void	 fm_json(struct req *, cJSON *obj);
/* A random id of n base64url characters (n < 64) into out. */
void	 fm_random(char *out, size_t n);
/* The bearer or access_token of the request, or NULL. */
const char *fm_request_token(struct req *);
/* Authenticate a Graph call: 0 with *t (app tokens: kind "app"), or -1
 * with the error sent.  allow_app: app tokens are acceptable. */
int	 fm_auth(struct req *, struct fm_token *t, int allow_app);
/* Characters (code points) of UTF-8 s, -1 when invalid. */
long	 fm_chars(const char *s);
/* Append s with every byte of & < > " ' escaped for HTML. */
void	 fm_html(struct req *, const char *s);
/* Append s percent-encoded for a query string. */
/* Sleep for ms milliseconds. */
void	 fm_sleep_ms(long ms);

/* --- fm_graph.c --- */
/* Issue a token of kind (user_short, user_long) for the fake user with
 * scopes and ttl (0: never expires) into out (128 bytes); 0 or -1. */
int	 fm_token_issue(const char *kind, const char *scopes, long long ttl,
	    char *out);
/* The Page token derived from user token u (the same every time) into
 * out (128 bytes); 0 or -1. */
int	 fm_page_token(const char *user_token, const struct fm_token *u,
	    const char *page_id, char *out);

/* --- the endpoints (path is after /_meta/<version>) --- */
void	 fm_oauth_token(struct req *);
void	 fm_accounts(struct req *);
void	 fm_debug_token(struct req *);
void	 fm_me(struct req *);
void	 fm_subscribed_apps(struct req *, const char *object_id);
/* GET /<phone-number-id>, GET /<waba-id>/phone_numbers and POST
 * /<phone-number-id>/register (fm_wa.c). */
void	 fm_wa_number(struct req *, const char *phone_id);
void	 fm_wa_numbers(struct req *, const char *waba);
void	 fm_wa_register(struct req *, const char *phone_id);
/* WhatsApp message templates (fm_wa.c): a WABA's templates, one BODY
 * with params {{n}} placeholders each; GET /<waba-id>/message_templates
 * lists them a few a page with Meta's cursors. */
struct fm_template {
	const char	*waba, *name, *language, *status, *category, *body;
	int		 params;
};
/* The template name of waba in lang (NULL: any language), or NULL. */
const struct fm_template *fm_template_find(const char *waba,
	    const char *name, const char *lang);
void	 fm_wa_templates(struct req *, const char *waba);
void	 fm_messages(struct req *, const char *object_id);

/* --- fm_media.c: media ids, download URLs, profiles --- */
/* 1 when type is a media type deliver takes (image, audio, video,
 * file, sticker). */
int	 fm_media_type(const char *type);
/* Add a Messenger/Instagram attachment of type (file= picks the file)
 * to message m, with a CDN URL that expires. */
void	 fm_media_messenger(struct req *, cJSON *m, const char *type);
/* Make WhatsApp message m one of type with a media id. */
void	 fm_media_whatsapp(struct req *, cJSON *m, const char *type);
/* GET <id> of the Graph API: a media id or a person's profile; 1 when
 * it answered, 0 when id is neither. */
int	 fm_media_graph(struct req *, const char *id);
/* 1 when the request asks for the profile of person id (digits, not
 * one of the world's Pages, accounts or numbers, fields with
 * profile_pic). */
int	 fm_media_profile_asked(struct req *, const char *id);
/* Answer the profile of person id (the caller authenticated). */
void	 fm_media_profile(struct req *, const char *id);
/* GET /_meta/_media/<rest>: a download. */
void	 fm_media_download(struct req *, const char *rest);
void	 fm_dialog(struct req *);
void	 fm_dialog_confirm(struct req *);
/* After an accepted send of body (its platform, account, Page and
 * recipient; mid its new id): the echo (Messenger, Instagram, with
 * the body's metadata) or the "sent" status (WhatsApp, with its
 * biz_opaque_callback_data) POSTed to the gateway, signed, when the
 * app is subscribed to them. */
void	 fm_send_echo(const char *platform, const char *account,
	    const char *page, const char *to, const char *mid,
	    const cJSON *body);
/* WhatsApp Embedded Signup (fm_signup.c): the popup (dialog/oauth
 * with a config_id), its script (dialog/signup.js), its form's target
 * (dialog/oauth/signup); whether a code's scopes column is a signup's,
 * and the exchange of such a code (created then, for redirect uri
 * want_ru; ru the one given); the control API's signup settings
 * (code_ttl). */
void	 fm_signup_page(struct req *);
void	 fm_signup_js(struct req *);
void	 fm_signup_confirm(struct req *);
int	 fm_signup_code(const char *scopes);
void	 fm_signup_exchange(struct req *, const char *scopes,
	    long long created, const char *ru, const char *want_ru);
void	 fm_signup_control(struct req *);
/* Instagram Login: path is after /_meta/_instagram/ (fm_instagram.c).
 * fm_ig_issue: issue an Instagram Login token of kind (ig_short,
 * ig_long) living ttl seconds into out (128 bytes); 0 or -1. */
/* POST graph/<version>/me/messages of Instagram Login (token checked
 * by the caller): a send as account (fm_send.c). */
void	 fm_ig_login_messages(struct req *, const char *account);
int	 fm_ig_issue(const char *kind, long long ttl, char *out);
void	 fm_instagram(struct req *, const char *path);
/* The control API: path is after /_meta/_control. */
void	 fm_control(struct req *, const char *path);

/* Conversation Routing (fm_thread.c): whether rest (after
 * /<object-id>) is one of its paths, the calls on object_id, and the
 * control API's /routing.  fm_deliver_signed (fm_control.c): POST root
 * (borrowed) to the gateway's /webhook once, signed as Meta. */
int	 fm_thread_path(const char *rest);
void	 fm_thread(struct req *, const char *object_id, const char *rest);
void	 fm_thread_control(struct req *);
/* 1 when an app other than the gateway's owns account's thread with
 * user (messages to it then reach the gateway as standby copies). */
int	 fm_thread_other(const char *account, const char *user);
/* Close this thread's connection of fm_thread.c (at the thread's end). */
void	 fm_thread_close(void);
void	 fm_deliver_signed(const cJSON *root);

/* The dialogs' pieces: a hidden form field (nothing for a NULL value),
 * and a 400 page saying why (fakemeta.c). */
void	 fm_hidden(struct req *, const char *name, const char *value);
void	 fm_error_page(struct req *, const char *why);

#endif
