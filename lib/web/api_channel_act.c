/*
 * api_channel_act: a WhatsApp number connected by form, and a
 * channel's rename, re-subscription and disconnection.  See
 * api_channel_act.h.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_channel_act.h"
#include "api_tokens.h"
#include "api_events_int.h"
#include "api_session.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "db_channel.h"
#include "db_oauth.h"
#include "graph.h"
#include "graph_oauth.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "num.h"
#include "oauth.h"

#define CHANNELS_PATH	"/api/channels/"
#define WA_SCOPE_MSG	"whatsapp_business_messaging"
#define WA_SCOPE_MGMT	"whatsapp_business_management"
/* What a WhatsApp business account's subscription is recorded as:
 * Meta lists the app, the fields are the app's webhook settings. */
#define WA_FIELDS	"messages"

static const struct conf *act_conf;

const struct route_field api_wa_fields[WA_F__MAX] = {
	[WA_F_WABA_ID] = { "waba_id", FIELD_TEXT, 1, HG_META_ID_MAX,
	    FIELD_REQUIRED },
	[WA_F_PHONE_NUMBER_ID] = { "phone_number_id", FIELD_TEXT, 1,
	    HG_META_ID_MAX, FIELD_REQUIRED },
	[WA_F_TOKEN] = { "token", FIELD_TEXT, 1, HG_ACCESS_TOKEN_MAX,
	    FIELD_REQUIRED },
	[WA_F_PIN] = { "pin", FIELD_TEXT, 0, 16, 0 },
};

const struct route_field api_rename_fields[RENAME_F__MAX] = {
	[RENAME_F_NAME] = { "name", FIELD_TEXT, 1, HG_CHANNEL_NAME_MAX, 0 },
	[RENAME_F_HUMAN_AGENT] = { "human_agent", FIELD_BOOL, 0, 0, 0 },
	[RENAME_F_SEND_RATE] = { "send_rate", FIELD_INT, 0,
	    HG_CHANNEL_SEND_RATE_MAX, 0 },
	[RENAME_F_MARK_READ] = { "mark_read", FIELD_BOOL, 0, 0, 0 },
};

void
api_channel_act_setup(const struct conf *c)
{
	act_conf = c;
}

void
api_channel_connect_ways(cJSON *o)
{
	cJSON	*w = cJSON_AddObjectToObject(o, "connect");
	int	 fb = 0, ig = 0;

	if (act_conf != NULL) {
		fb = conf_get(act_conf, "app_id")[0] != '\0';
		ig = conf_get(act_conf, "instagram_app_id")[0] != '\0' &&
		    conf_get(act_conf, "instagram_app_secret")[0] != '\0';
	}
	cJSON_AddBoolToObject(w, "facebook", fb);
	cJSON_AddBoolToObject(w, "instagram", ig);
}

/* 1 when s is n digits (n 0: any positive number of them). */
static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++)
		;
	return i > 0 && s[i] == '\0' && (n == 0 || i == n);
}

/* Log a failed Graph call (Meta's code and fbtrace_id, never a token). */
static void
log_graph(const char *event, const struct graph_result *res)
{
	struct logline l;

	log_begin(&l, LOG_LEVEL_WARN, event);
	log_int(&l, "code", res->code);
	log_int(&l, "subcode", res->subcode);
	log_str(&l, "fbtrace_id", res->fbtrace_id);
	log_str(&l, "message", res->message);
	log_end(&l);
}

/* Answer status with "what" and Meta's words for people, when it gave
 * some. */
static void
meta_error(struct req *r, int status, const char *what,
    const struct graph_result *res)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), "%s%s%s", what,
	    res->user_msg[0] != '\0' ? ": " : "", res->user_msg);
	route_error(r, status, msg);
}

/* 1 when Meta could not be reached or asked to wait (worth trying
 * again later), else 0. */
static int
transient(const struct graph_result *res)
{
	return res->cls == GRAPH_RETRY || res->cls == GRAPH_THROTTLED;
}

/* Seal token for channel (kind, meta_id) into out; 0 or -1. */
static int
seal(const char *token, const char *kind, const char *meta_id,
    struct buf *out)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	char		 aad[160];
	int		 rc;

	if (act_conf == NULL || crypto_key_parse(conf_get(act_conf,
	    "token_key"), key) == -1)
		return -1;
	snprintf(aad, sizeof(aad), "channel:%s:%s", kind, meta_id);
	rc = crypto_seal(key, token, strlen(token), aad, strlen(aad), out);
	crypto_wipe(key, sizeof(key));
	return rc;
}

/* Open channel c's sealed token into out (NUL-terminated); 0 or -1. */
static int
unseal(const struct db_channel_one *c, struct buf *out)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	char		 aad[160];
	int		 rc;

	if (act_conf == NULL || c->token_sealed.len == 0 ||
	    crypto_key_parse(conf_get(act_conf, "token_key"), key) == -1)
		return -1;
	snprintf(aad, sizeof(aad), "channel:%s:%s", c->kind, c->meta_id);
	rc = crypto_open(key, c->token_sealed.data, c->token_sealed.len, aad,
	    strlen(aad), out);
	crypto_wipe(key, sizeof(key));
	if (rc == -1 || buf_putc(out, '\0') == -1)
		return -1;
	return 0;
}

/* Wipe and free a buffer that held a token. */
static void
wipe(struct buf *b)
{
	if (b->data != NULL)
		crypto_wipe(b->data, b->len);
	buf_free(b);
}

/* The comma list of fields in a subscribed_apps GET answer for app_id
 * into out: a Page's subscribed_fields; for a WhatsApp business
 * account (whose entries are whatsapp_business_api_data) WA_FIELDS
 * when the app is listed. */
static void
read_fields(const cJSON *json, const char *app_id, char *out, size_t outsz)
{
	const cJSON	*a, *f, *wa;
	size_t		 o = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(json, "data")) {
		const char *id;

		wa = cJSON_GetObjectItemCaseSensitive(a,
		    "whatsapp_business_api_data");
		id = json_str(cJSON_IsObject(wa) ? wa : a, "id");
		if (id == NULL || strcmp(id, app_id) != 0)
			continue;
		if (cJSON_IsObject(wa)) {
			snprintf(out, outsz, "%s", WA_FIELDS);
			return;
		}
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(a,
		    "subscribed_fields")) {
			if (!cJSON_IsString(f) || o + strlen(f->valuestring) +
			    2 > outsz)
				continue;
			o += (size_t)snprintf(out + o, outsz - o, "%s%s",
			    o > 0 ? "," : "", f->valuestring);
		}
	}
}

/* Subscribe object (a Page with fields, or a WhatsApp business account
 * with fields NULL) with token and read it back into out; 0, or -1
 * with res holding Meta's answer (logged). */
static int
subscribe(struct graph *g, const char *object, const char *token,
    const char *fields, char *out, size_t outsz, struct graph_result *res)
{
	memset(res, 0, sizeof(*res));
	if (graph_oauth_subscribed_apps(g, GRAPH_POST, object, token, fields,
	    res) == -1 || (graph_result_free(res),
	    graph_oauth_subscribed_apps(g, GRAPH_GET, object, token, NULL,
	    res)) == -1) {
		log_graph("channel.subscribe_failed", res);
		return -1;
	}
	read_fields(res->json, graph_app_id(g), out, outsz);
	graph_result_free(res);
	return 0;
}

/* Check the WhatsApp token with debug_token: 0 when valid, this
 * app's, with both WhatsApp scopes over waba; else -1 after answering
 * which part is wrong (for a token from Embedded Signup, which the
 * person never saw, the account they named rather than the token). */
static int
check_token(struct req *r, struct graph *g, const char *token,
    const char *waba, int signup)
{
	static const char *const need[] = { WA_SCOPE_MSG, WA_SCOPE_MGMT };
	struct graph_token_info	 info;
	struct graph_result	 res;
	char			 msg[256];
	size_t			 i;
	int			 rc;

	memset(&res, 0, sizeof(res));
	if (graph_oauth_debug_token(g, token, &info, &res) == -1) {
		log_graph("channel.debug_token_failed", &res);
		meta_error(r, 502, "Meta could not check the token now; try "
		    "again", &res);
		graph_result_free(&res);
		return -1;
	}
	if (!info.is_valid) {
		graph_result_free(&res);
		route_error(r, 422, "token: Meta says this token is not valid "
		    "(mistyped, expired or revoked)");
		return -1;
	}
	if (info.app_id[0] != '\0' && strcmp(info.app_id, graph_app_id(g)) !=
	    0) {
		graph_result_free(&res);
		route_error(r, 422, "token: it was issued for another Meta "
		    "app; give the system user access to this app and "
		    "generate the token for it");
		return -1;
	}
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		rc = graph_oauth_scope_covers(res.json, need[i], waba);
		if (rc == 1)
			continue;
		if (rc == -1)
			snprintf(msg, sizeof(msg), "token: it lacks the "
			    "permission %s", need[i]);
		else if (signup)
			snprintf(msg, sizeof(msg), "waba_id: the signup gave "
			    "access to other WhatsApp business accounts, not "
			    "%s (%s)", waba, need[i]);
		else
			snprintf(msg, sizeof(msg), "token: it does not cover "
			    "the WhatsApp business account %s (%s is granted "
			    "for other accounts only)", waba, need[i]);
		graph_result_free(&res);
		route_error(r, 422, msg);
		return -1;
	}
	graph_result_free(&res);
	return 0;
}

/* Read channel id of the caller's workspace into c: 0, or -1 after
 * answering (404 when it is not there). */
static int
load(struct req *r, struct db *d, const struct route_ctx *cx, long long id,
    struct db_channel_one *c)
{
	int rc;

	if ((rc = db_channel_get(d, cx->who.workspace, id, c)) == 1)
		return 0;
	db_channel_one_free(c);
	if (rc == 0)
		route_error(r, 404, "no such channel");
	else
		route_error(r, 503, "cannot read the channel now");
	return -1;
}

/* Audit action on channel id with detail; a failure is logged. */
static void
audit(struct req *r, struct db *d, const struct route_ctx *cx,
    const char *action, long long id, const char *detail)
{
	struct logline	l;
	char		object[32];

	snprintf(object, sizeof(object), "channel:%lld", id);
	if (api_audit(d, &cx->who, cx->who.workspace, action, object, detail,
	    http_client(r)) == 0)
		return;
	log_begin(&l, LOG_LEVEL_WARN, "channel.audit_failed");
	log_str(&l, "action", action);
	log_end(&l);
}

/* Answer status with {channel} plus extra's members (may be NULL,
 * consumed). */
static void
answer(struct req *r, struct db *d, long long ws, long long id, int status,
    cJSON *extra)
{
	cJSON	*root = extra != NULL ? extra : cJSON_CreateObject();
	cJSON	*ch = api_channel_json(d, ws, id);

	if (ch == NULL) {
		cJSON_Delete(root);
		route_error(r, 503, "done, but the channel cannot be read now");
		return;
	}
	cJSON_AddItemToObject(root, "channel", ch);
	http_json(r, status, root);
}

void
api_wa_connect(struct req *r, const struct route_ctx *cx, struct db *d,
    const struct api_wa_number *w)
{
	const char		*waba = w->waba, *phone = w->phone;
	const char		*token = w->token, *pin = w->pin;
	struct graph_wa_number	 num;
	struct graph_result	 res;
	struct db_channel_conn	 c;
	struct graph		*g = NULL;
	struct buf		 sealed;
	cJSON			*extra;
	char			 err[HG_ERR_MAX], fields[256];
	char			 detail[256], warning[768], msg[256];
	long long		 id = 0, cws = 0, rerouted = 0;
	int			 rc, at, subscribed;

	buf_init(&sealed, 4096);
	memset(&res, 0, sizeof(res));
	warning[0] = '\0';
	/* Another workspace's number is refused before Meta is asked. */
	if ((rc = db_channel_find(d, "whatsapp", phone, &id, &cws)) == -1) {
		route_error(r, 503, "cannot read the channels now");
		return;
	}
	if (rc == 1 && cws != cx->who.workspace) {
		route_error(r, 409, "phone_number_id: this number is connected "
		    "to another workspace");
		return;
	}
	if ((g = graph_new(act_conf, err, sizeof(err))) == NULL) {
		route_error(r, 503, "Meta's API is not configured (app_id, "
		    "app_secret)");
		return;
	}
	if (check_token(r, g, token, waba, w->signup) == -1)
		goto done;
	if (graph_oauth_wa_number(g, waba, phone, token, &num, &at,
	    &res) == -1) {
		log_graph("channel.wa_number_failed", &res);
		if (transient(&res))
			meta_error(r, 502, "Meta could not be asked about the "
			    "number now; try again", &res);
		else if (at == 1)
			meta_error(r, 422, "phone_number_id: Meta knows no such "
			    "number, or the token cannot see it", &res);
		else
			meta_error(r, 422, "waba_id: Meta does not list this "
			    "account's numbers for the token", &res);
		goto done;
	}
	graph_result_free(&res);
	if (!num.in_waba) {
		snprintf(msg, sizeof(msg), "phone_number_id: the number is not "
		    "one of the WhatsApp business account %s's numbers", waba);
		route_error(r, 422, msg);
		goto done;
	}
	if (pin != NULL && graph_oauth_wa_register(g, phone, token, pin,
	    &res) == -1) {
		log_graph("channel.wa_register_failed", &res);
		meta_error(r, transient(&res) ? 502 : 422, "pin: Meta did not "
		    "register the number with this PIN", &res);
		goto done;
	}
	graph_result_free(&res);
	subscribed = subscribe(g, waba, token, NULL, fields, sizeof(fields),
	    &res) == 0;
	if (!subscribed) {
		snprintf(warning, sizeof(warning), "the number is connected, "
		    "but Meta did not subscribe the app to the account%s%s; "
		    "use Re-subscribe", res.user_msg[0] != '\0' ? ": " : "",
		    res.user_msg);
		fields[0] = '\0';
	}
	graph_result_free(&res);
	if (seal(token, "whatsapp", phone, &sealed) == -1) {
		route_error(r, 503, "the token cannot be stored: check "
		    "token_key");
		goto done;
	}
	memset(&c, 0, sizeof(c));
	c.workspace_id = cx->who.workspace;
	c.kind = "whatsapp";
	c.meta_id = phone;
	c.parent_meta_id = waba;
	c.name = num.verified_name[0] != '\0' ? num.verified_name :
	    num.display_phone_number;
	c.token_sealed = &sealed;
	c.token_kind = "system_user";
	c.subscribed_fields = fields;
	c.meta_login_id = w->login;
	c.now = clock_ms() / 1000;
	if ((rc = db_channel_login(d, &c, &id, &rerouted)) == -1) {
		route_error(r, 503, "cannot store the channel now");
		goto done;
	}
	if (rc == 0) {
		route_error(r, 409, "phone_number_id: this number is connected "
		    "to another workspace");
		goto done;
	}
	snprintf(detail, sizeof(detail), "whatsapp %s of %s%s%s, %lld earlier "
	    "events routed", phone, waba, w->signup ? " by Embedded Signup" :
	    "", subscribed ? "" : ", not subscribed", rerouted);
	audit(r, d, cx, "channel_connect", id, detail);
	if (rerouted > 0)
		api_events_process_now(d);
	extra = cJSON_CreateObject();
	cJSON_AddNumberToObject(extra, "rerouted", (double)rerouted);
	cJSON_AddBoolToObject(extra, "subscribed", subscribed);
	json_add_str_or_null(extra, "display_phone_number",
	    num.display_phone_number);
	json_add_str_or_null(extra, "quality_rating", num.quality_rating);
	if (warning[0] != '\0')
		cJSON_AddStringToObject(extra, "warning", warning);
	answer(r, d, cx->who.workspace, id, 201, extra);
done:
	graph_result_free(&res);
	graph_free(g);
	wipe(&sealed);
}

void
api_channels_whatsapp(struct req *r, const struct route_ctx *cx)
{
	const struct route_val	*v = cx->v;
	struct api_wa_number	 w;
	struct db		*d;

	memset(&w, 0, sizeof(w));
	w.waba = v[WA_F_WABA_ID].s;
	w.phone = v[WA_F_PHONE_NUMBER_ID].s;
	w.token = v[WA_F_TOKEN].s;
	w.pin = v[WA_F_PIN].set && v[WA_F_PIN].s[0] != '\0' ?
	    v[WA_F_PIN].s : NULL;
	if (api_wa_ids_ok(r, w.waba, w.phone, w.pin) == -1 ||
	    (d = api_events_db(r)) == NULL)
		return;
	api_wa_connect(r, cx, d, &w);
}

int
api_wa_ids_ok(struct req *r, const char *waba, const char *phone,
    const char *pin)
{
	if (waba != NULL && !digits(waba, 0)) {
		route_error(r, 400, "waba_id: the WhatsApp business account "
		    "id, digits only");
		return -1;
	}
	if (phone != NULL && !digits(phone, 0)) {
		route_error(r, 400, "phone_number_id: the phone number id "
		    "(not the phone number), digits only");
		return -1;
	}
	if (pin != NULL && !digits(pin, HG_WA_PIN_LEN)) {
		route_error(r, 400, "pin: six digits");
		return -1;
	}
	return 0;
}

/* The id of /api/channels/ID[/suffix] into *id and what follows into
 * *rest: 0, or -1 after answering 404. */
static int
channel_path(struct req *r, long long *id, const char **rest)
{
	if (route_path_id(r, CHANNELS_PATH, id, rest) == -1) {
		route_error(r, 404, "not found");
		return -1;
	}
	return 0;
}

/* PATCH's sending settings of channel id, when any is given: 0 (done
 * and audited, or none given), or -1 after answering. */
static int
patch_settings(struct req *r, struct db *d, const struct route_ctx *cx,
    long long id)
{
	const struct route_val	*v = cx->v;
	char			 detail[128], rs[24];
	int			 rc, ha, mr;
	long long		 rate;

	if (!v[RENAME_F_HUMAN_AGENT].set && !v[RENAME_F_SEND_RATE].set &&
	    !v[RENAME_F_MARK_READ].set)
		return 0;
	ha = v[RENAME_F_HUMAN_AGENT].set ? (v[RENAME_F_HUMAN_AGENT].n != 0) : -1;
	rate = v[RENAME_F_SEND_RATE].set ? v[RENAME_F_SEND_RATE].n : -1;
	mr = v[RENAME_F_MARK_READ].set ? (v[RENAME_F_MARK_READ].n != 0) : -1;
	if ((rc = db_channel_send_set(d, cx->who.workspace, id, ha, rate, mr,
	    clock_ms() / 1000)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such channel" : "cannot change the channel now");
		return -1;
	}
	if (rate < 0)
		snprintf(rs, sizeof(rs), "-");
	else if (rate == 0)
		snprintf(rs, sizeof(rs), "default");
	else
		snprintf(rs, sizeof(rs), "%lld", rate);
	snprintf(detail, sizeof(detail), "human_agent=%s send_rate=%s "
	    "mark_read=%s", ha < 0 ? "-" : ha ? "on" : "off", rs,
	    mr < 0 ? "-" : mr ? "on" : "off");
	audit(r, d, cx, "channel_settings", id, detail);
	return 0;
}

void
api_channel_patch(struct req *r, const struct route_ctx *cx)
{
	const char		*name = cx->v[RENAME_F_NAME].s;
	struct db_channel_one	 c;
	struct db		*d;
	const char		*rest;
	long long		 id;
	char			 detail[HG_CHANNEL_NAME_MAX * 2 + 16];
	int			 rc;

	if (channel_path(r, &id, &rest) == -1)
		return;
	if (rest[0] != '\0') {
		route_error(r, 404, "not found");
		return;
	}
	if (!cx->v[RENAME_F_NAME].set && !cx->v[RENAME_F_HUMAN_AGENT].set &&
	    !cx->v[RENAME_F_SEND_RATE].set && !cx->v[RENAME_F_MARK_READ].set) {
		route_error(r, 400, "give name, human_agent, send_rate or "
		    "mark_read");
		return;
	}
	if ((d = api_events_db(r)) == NULL || load(r, d, cx, id, &c) == -1)
		return;
	if (cx->v[RENAME_F_NAME].set) {
		if ((rc = db_channel_rename(d, cx->who.workspace, id, name,
		    clock_ms() / 1000)) != 1) {
			route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
			    "no such channel" : "cannot rename the channel now");
			db_channel_one_free(&c);
			return;
		}
		snprintf(detail, sizeof(detail), "%s -> %s", c.name, name);
		audit(r, d, cx, "channel_rename", id, detail);
	}
	db_channel_one_free(&c);
	if (patch_settings(r, d, cx, id) == -1)
		return;
	answer(r, d, cx->who.workspace, id, 200, NULL);
}

/* POST /api/channels/ID/subscribe. */
static void
resubscribe(struct req *r, const struct route_ctx *cx, struct db *d,
    long long id, struct db_channel_one *c)
{
	struct graph_result	 res;
	struct graph		*g;
	struct buf		 tok;
	const char		*object, *fields;
	char			 err[HG_ERR_MAX], got[1024];

	memset(&res, 0, sizeof(res));
	buf_init(&tok, HG_ACCESS_TOKEN_MAX + 1);
	if (strcmp(c->kind, "whatsapp") == 0) {
		object = c->parent_meta_id;
		fields = NULL;
	} else if (strcmp(c->kind, "page") == 0) {
		object = c->meta_id;
		fields = GRAPH_PAGE_FIELDS;
	} else {
		route_error(r, 409, "an Instagram account is subscribed "
		    "through its Page or its Instagram Login: reconnect it");
		return;
	}
	if (object[0] == '\0' || unseal(c, &tok) == -1) {
		wipe(&tok);
		route_error(r, 409, "the channel has no usable token: connect "
		    "it again");
		return;
	}
	if ((g = graph_new(act_conf, err, sizeof(err))) == NULL) {
		wipe(&tok);
		route_error(r, 503, "Meta's API is not configured (app_id, "
		    "app_secret)");
		return;
	}
	if (subscribe(g, object, buf_cstr(&tok), fields, got, sizeof(got),
	    &res) == -1) {
		meta_error(r, 502, "Meta did not subscribe the app", &res);
		goto done;
	}
	if (db_channel_set_fields(d, cx->who.workspace, id, got,
	    clock_ms() / 1000) != 1) {
		route_error(r, 503, "subscribed, but cannot store it now");
		goto done;
	}
	audit(r, d, cx, "channel_subscribe", id, got);
	answer(r, d, cx->who.workspace, id, 200, NULL);
done:
	graph_result_free(&res);
	graph_free(g);
	wipe(&tok);
}

void
api_channel_post(struct req *r, const struct route_ctx *cx)
{
	struct db_channel_one	 c;
	struct db		*d;
	const char		*rest;
	long long		 id;

	if (channel_path(r, &id, &rest) == -1)
		return;
	if (strcmp(rest, "/move") == 0) {
		api_channel_move(r, cx, id);
		return;
	}
	/* Check now: the token checks (api_tokens.c). */
	if (strcmp(rest, "/check") == 0) {
		if ((d = api_events_db(r)) == NULL || load(r, d, cx, id,
		    &c) == -1)
			return;
		db_channel_one_free(&c);
		api_token_check(r, cx, d, id);
		return;
	}
	if (strcmp(rest, "/subscribe") != 0) {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = api_events_db(r)) == NULL || load(r, d, cx, id, &c) == -1)
		return;
	resubscribe(r, cx, d, id, &c);
	db_channel_one_free(&c);
}

void
api_channel_delete(struct req *r, const struct route_ctx *cx)
{
	struct db_channel_one	 c;
	struct graph_result	 res;
	struct graph		*g = NULL;
	struct db		*d;
	struct buf		 tok;
	cJSON			*extra;
	const char		*rest, *object = NULL, *conv, *confirm;
	char			 err[HG_ERR_MAX], meta[768], detail[256];
	long long		 id, forgotten = 0;
	int			 unsubscribed = 0, forget, rc;

	memset(&res, 0, sizeof(res));
	meta[0] = '\0';
	if (channel_path(r, &id, &rest) == -1)
		return;
	if (rest[0] != '\0') {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = api_events_db(r)) == NULL || load(r, d, cx, id, &c) == -1)
		return;
	/* ?conversations=delete&confirm=<the channel's name>: its
	 * conversations go too; typed, so that no click does it. */
	conv = params_get(&r->query, "conversations");
	if (conv != NULL && strcmp(conv, "keep") != 0 &&
	    strcmp(conv, "delete") != 0) {
		db_channel_one_free(&c);
		route_error(r, 400, "conversations: keep or delete");
		return;
	}
	forget = conv != NULL && strcmp(conv, "delete") == 0;
	confirm = params_get(&r->query, "confirm");
	if (forget && (confirm == NULL || strcmp(confirm, c.name[0] != '\0' ?
	    c.name : c.meta_id) != 0)) {
		snprintf(meta, sizeof(meta), "confirm: type the channel's "
		    "name (%s) to delete its conversations",
		    c.name[0] != '\0' ? c.name : c.meta_id);
		db_channel_one_free(&c);
		route_error(r, 422, meta);
		return;
	}
	buf_init(&tok, HG_ACCESS_TOKEN_MAX + 1);
	if (strcmp(c.kind, "whatsapp") == 0)
		object = c.parent_meta_id[0] != '\0' ? c.parent_meta_id : NULL;
	else if (strcmp(c.kind, "page") == 0)
		object = c.meta_id;
	/* Unsubscribe at Meta with the channel's own token; whatever Meta
	 * says, the channel is disconnected here. */
	if (object == NULL || c.token_sealed.len == 0)
		snprintf(meta, sizeof(meta), "nothing to unsubscribe at Meta: "
		    "%s", c.token_sealed.len == 0 ? "the channel has no token" :
		    "Meta has no subscription for this kind of channel");
	else if (unseal(&c, &tok) == -1)
		snprintf(meta, sizeof(meta), "the token could not be opened "
		    "(check token_key); unsubscribe the app at Meta by hand");
	else if ((g = graph_new(act_conf, err, sizeof(err))) == NULL)
		snprintf(meta, sizeof(meta), "Meta's API is not configured");
	else if (graph_oauth_subscribed_apps(g, GRAPH_DELETE, object,
	    buf_cstr(&tok), NULL, &res) == -1) {
		log_graph("channel.unsubscribe_failed", &res);
		snprintf(meta, sizeof(meta), "Meta did not unsubscribe the "
		    "app%s%s", res.user_msg[0] != '\0' ? ": " : "",
		    res.user_msg[0] != '\0' ? res.user_msg : "");
	} else
		unsubscribed = 1;
	graph_result_free(&res);
	graph_free(g);
	wipe(&tok);
	if ((rc = db_channel_disconnect(d, cx->who.workspace, id,
	    clock_ms() / 1000, forget ? &forgotten : NULL)) != 1) {
		db_channel_one_free(&c);
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such channel" : "cannot disconnect the channel now");
		return;
	}
	snprintf(detail, sizeof(detail), "%s %s, token erased, %s%s", c.kind,
	    c.meta_id, unsubscribed ? "unsubscribed at Meta" :
	    "not unsubscribed at Meta", forget ? ", conversations deleted" :
	    "");
	db_channel_one_free(&c);
	audit(r, d, cx, "channel_disconnect", id, detail);
	extra = cJSON_CreateObject();
	cJSON_AddBoolToObject(extra, "unsubscribed", unsubscribed);
	if (forget)
		cJSON_AddNumberToObject(extra, "messages_deleted",
		    (double)forgotten);
	if (meta[0] != '\0')
		cJSON_AddStringToObject(extra, "meta_error", meta);
	answer(r, d, cx->who.workspace, id, 200, extra);
}
