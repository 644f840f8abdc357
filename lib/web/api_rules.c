/*
 * api_rules: rules and automation settings.  See api_rules.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_rules.h"
#include "api_session.h"
#include "app.h"
#include "automation.h"
#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "urlsafe.h"
#include "crypto.h"
#include "db_auto.h"
#include "db_channel.h"
#include "graph.h"
#include "http.h"
#include "limits.h"
#include "log.h"
#include "rich.h"
#include "rules.h"
#include "utf8.h"

#define RULES_PATH	"/api/rules"

static const struct conf *rules_conf;

void
api_rules_setup(const struct conf *c)
{
	rules_conf = c;
}

/* The calling thread's database, or NULL (answered 503). */
static struct db *
rules_db(struct req *r)
{
	struct db *d;

	if (rules_conf == NULL || (d = app_db(rules_conf)) == NULL) {
		route_error(r, 503, "database unavailable");
		return NULL;
	}
	return d;
}

/* Audit an admin's change (a failure is logged, not answered). */
static void
audit(struct req *r, struct db *d, const struct route_ctx *cx,
    const char *action, const char *object, const char *detail)
{
	if (api_audit(d, &cx->who, cx->who.workspace, action, object, detail,
	    http_client(r)) == -1)
		log_msg(LOG_LEVEL_WARN, "rules.audit_failed", action);
}

/* A stored rule as the API shows it. */
static cJSON *
rule_json(const struct db_rule *r)
{
	cJSON		*o, *b;
	const char	*keys[] = { "channels", "when", "then" };
	size_t		 i;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	b = cJSON_Parse(r->body);
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddBoolToObject(o, "enabled", r->enabled);
	cJSON_AddNumberToObject(o, "position", (double)r->position);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(b, keys[i]);

		if (v == NULL)
			v = cJSON_CreateNull();
		cJSON_AddItemToObject(o, keys[i], v);
	}
	cJSON_AddNumberToObject(o, "updated_at", (double)r->updated_at);
	cJSON_Delete(b);
	return o;
}

static void
list_one(void *arg, const struct db_rule *r)
{
	cJSON *o = rule_json(r);

	if (o != NULL)
		cJSON_AddItemToArray(arg, o);
}

/* The id of RULES_PATH/ID into *id, and what follows in *rest: 0, or
 * -1 when the path is RULES_PATH itself or not of that shape. */
static int
rule_id(const struct req *r, long long *id, const char **rest)
{
	return route_path_id(r, RULES_PATH "/", id, rest);
}

/* Answer rule id of the workspace with status. */
static void
answer_rule(struct req *r, struct db *d, long long ws, long long id, int status)
{
	struct db_rule	 rule;
	int		 rc;

	if ((rc = db_rule_get(d, ws, id, &rule)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ? "no such rule" :
		    "cannot read the rule now");
		return;
	}
	http_json(r, status, rule_json(&rule));
	db_rule_clear(&rule);
}

void
api_rules_get(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	const char	*rest;
	long long	 id;
	cJSON		*o, *arr;

	if ((d = rules_db(r)) == NULL)
		return;
	if (strcmp(r->path, RULES_PATH) == 0) {
		o = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(o, "rules");
		if (arr == NULL || db_rule_each(d, cx->who.workspace, list_one,
		    arr) == -1) {
			cJSON_Delete(o);
			route_error(r, 503, "cannot read the rules now");
			return;
		}
		http_json(r, 200, o);
		return;
	}
	if (rule_id(r, &id, &rest) == -1 || rest[0] != '\0') {
		route_error(r, 404, "not found");
		return;
	}
	answer_rule(r, d, cx->who.workspace, id, 200);
}

/* Validate body as a rule: its stored JSON (channels, when, then) in
 * *json, its name, enabled and position; 0, or -1 answered 422. */
static int
rule_of(struct req *r, const cJSON *body, char **json, const char **name,
    int *enabled, long long *position)
{
	const cJSON	*p;
	cJSON		*b;
	char		 why[300];
	const char	*keys[] = { "channels", "when", "then" };
	size_t		 i;

	*json = NULL;
	if (rules_validate(body, why, sizeof(why)) == -1) {
		route_error(r, 422, why);
		return -1;
	}
	p = cJSON_GetObjectItemCaseSensitive(body, "position");
	if (p != NULL && (!cJSON_IsNumber(p) || p->valuedouble < 1 ||
	    p->valuedouble > 1000000)) {
		route_error(r, 422, "position: 1 to 1000000");
		return -1;
	}
	*position = p != NULL ? (long long)p->valuedouble : 0;
	*name = cJSON_GetObjectItemCaseSensitive(body, "name")->valuestring;
	*enabled = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(body,
	    "enabled"));
	if ((b = cJSON_CreateObject()) == NULL)
		return -1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, keys[i]);

		if (v != NULL && !cJSON_IsNull(v))
			cJSON_AddItemToObject(b, keys[i], cJSON_Duplicate(v, 1));
	}
	*json = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	if (*json == NULL || strlen(*json) > HG_RULE_BODY_MAX) {
		free(*json);
		*json = NULL;
		route_error(r, 422, "the rule is too long");
		return -1;
	}
	return 0;
}

/*
 * Buttons and generic templates go out on Messenger and Instagram
 * only: a rule that has them and names WhatsApp channels is refused
 * (a rule for every channel is kept; on a WhatsApp message its reply is
 * refused and logged).  0, or -1 answered 422 (or 503).
 */
static int
rich_channels_ok(struct req *r, struct db *d, long long ws, const cJSON *body)
{
	struct db_channel_one	 c;
	const cJSON		*a, *v;
	char			 why[200];
	int			 rich = 0, rc;

	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(body, "then"))
		rich |= cJSON_IsObject(a->child) && strcmp(a->child->string,
		    "reply") == 0 && rich_is(a->child);
	if (!rich)
		return 0;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(body,
	    "channels")) {
		memset(&c, 0, sizeof(c));
		if ((rc = db_channel_get(d, ws, (long long)v->valuedouble,
		    &c)) == -1) {
			route_error(r, 503, "cannot read the channels now");
			return -1;
		}
		rc = rc == 1 && strcmp(c.kind, "whatsapp") == 0;
		db_channel_one_free(&c);
		if (rc) {
			snprintf(why, sizeof(why), "then.reply: buttons and "
			    "generic templates are sent on Messenger and "
			    "Instagram only, and channel %lld is WhatsApp",
			    (long long)v->valuedouble);
			route_error(r, 422, why);
			return -1;
		}
	}
	return 0;
}

/* POST /api/rules/test. */
static void
rules_test(struct req *r, const struct route_ctx *cx, struct db *d,
    const cJSON *body)
{
	struct rules_msg	 m;
	const cJSON		*v;
	cJSON			*o;

	memset(&m, 0, sizeof(m));
	m.text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body,
	    "text"));
	m.payload = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body,
	    "payload"));
	m.kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body,
	    "kind"));
	m.ad_id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body,
	    "ad_id"));
	if (m.kind == NULL)
		m.kind = m.payload != NULL ? "postback" : "text";
	if ((m.text == NULL && m.payload == NULL && cJSON_GetObjectItemCaseSensitive(
	    body, "kind") == NULL) || (m.text != NULL && (strlen(m.text) >
	    HG_AUTO_TEXT_MAX || !utf8_valid(m.text, strlen(m.text))))) {
		route_error(r, 422, "text: the message to try (or payload, or "
		    "kind)");
		return;
	}
	m.first_message = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body,
	    "first_message"));
	v = cJSON_GetObjectItemCaseSensitive(body, "channel_id");
	m.channel_id = cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
	v = cJSON_GetObjectItemCaseSensitive(body, "at_ms");
	m.at_ms = cJSON_IsNumber(v) ? (long long)v->valuedouble : clock_ms();
	if ((o = automation_test(d, cx->who.workspace, &m)) == NULL) {
		route_error(r, 503, "cannot read the rules now");
		return;
	}
	http_json(r, 200, o);
}

void
api_rules_post(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	cJSON		*body;
	const char	*name;
	char		*json, object[64];
	long long	 id, position;
	int		 enabled;

	if (strcmp(r->path, RULES_PATH) != 0 &&
	    strcmp(r->path, RULES_PATH "/test") != 0) {
		route_error(r, 404, "not found");
		return;
	}
	if (route_json_body(r, &body) == -1 || (d = rules_db(r)) == NULL) {
		cJSON_Delete(body);
		return;
	}
	if (strcmp(r->path, RULES_PATH "/test") == 0) {
		rules_test(r, cx, d, body);
		cJSON_Delete(body);
		return;
	}
	if (rule_of(r, body, &json, &name, &enabled, &position) == -1 ||
	    rich_channels_ok(r, d, cx->who.workspace, body) == -1) {
		free(json);
		cJSON_Delete(body);
		return;
	}
	if (db_rule_add(d, cx->who.workspace, position, name, enabled, json,
	    clock_ms() / 1000, &id) == -1 || id == 0) {
		route_error(r, id == 0 && db_error(d) == DB_OK ? 409 : 503,
		    id == 0 && db_error(d) == DB_OK ? "too many rules" :
		    "cannot store the rule now");
	} else {
		snprintf(object, sizeof(object), "rule:%lld", id);
		audit(r, d, cx, "rule_add", object, name);
		answer_rule(r, d, cx->who.workspace, id, 201);
	}
	free(json);
	cJSON_Delete(body);
}

void
api_rules_put(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	cJSON		*body;
	const char	*name, *rest;
	char		*json, object[64];
	long long	 id, position;
	int		 enabled, rc;

	if (rule_id(r, &id, &rest) == -1 || rest[0] != '\0') {
		route_error(r, 404, "not found");
		return;
	}
	if (route_json_body(r, &body) == -1 || (d = rules_db(r)) == NULL) {
		cJSON_Delete(body);
		return;
	}
	if (rule_of(r, body, &json, &name, &enabled, &position) == -1 ||
	    rich_channels_ok(r, d, cx->who.workspace, body) == -1) {
		free(json);
		cJSON_Delete(body);
		return;
	}
	rc = db_rule_put(d, cx->who.workspace, id, position, name, enabled,
	    json, clock_ms() / 1000);
	if (rc != 1)
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ? "no such rule" :
		    "cannot store the rule now");
	else {
		snprintf(object, sizeof(object), "rule:%lld", id);
		audit(r, d, cx, "rule_change", object, name);
		answer_rule(r, d, cx->who.workspace, id, 200);
	}
	free(json);
	cJSON_Delete(body);
}

void
api_rules_delete(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	const char	*rest;
	char		 object[64];
	long long	 id;
	cJSON		*o;
	int		 rc;

	if (rule_id(r, &id, &rest) == -1 || rest[0] != '\0') {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = rules_db(r)) == NULL)
		return;
	if ((rc = db_rule_delete(d, cx->who.workspace, id)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ? "no such rule" :
		    "cannot delete the rule now");
		return;
	}
	snprintf(object, sizeof(object), "rule:%lld", id);
	audit(r, d, cx, "rule_delete", object, "");
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddBoolToObject(o, "deleted", 1);
	http_json(r, 200, o);
}

/* The handover settings with their defaults filled in (h may be
 * NULL). */
static cJSON *
handover_json(const char *stored)
{
	cJSON	*o = stored != NULL ? cJSON_Parse(stored) : NULL;
	cJSON	*a;
	size_t	 i;

	if (o == NULL)
		o = cJSON_CreateObject();
	if (o == NULL)
		return NULL;
	if (!cJSON_HasObjectItem(o, "enabled"))
		cJSON_AddBoolToObject(o, "enabled", 0);
	if (!cJSON_HasObjectItem(o, "phrases") &&
	    (a = cJSON_AddArrayToObject(o, "phrases")) != NULL)
		for (i = 0; rules_default_phrases[i] != NULL; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(
			    rules_default_phrases[i]));
	if (!cJSON_HasObjectItem(o, "notice"))
		cJSON_AddStringToObject(o, "notice", automation_default_notice);
	if (!cJSON_HasObjectItem(o, "max_failures"))
		cJSON_AddNumberToObject(o, "max_failures",
		    HG_AUTO_FAILURES_DEFAULT);
	if (!cJSON_HasObjectItem(o, "waiting_quick_replies"))
		cJSON_AddArrayToObject(o, "waiting_quick_replies");
	/* Conversation Routing with Meta's inbox (handover.h). */
	if (!cJSON_HasObjectItem(o, "page_inbox"))
		cJSON_AddBoolToObject(o, "page_inbox", 0);
	return o;
}

/* 1 when a is a list of at most max phrases of 1 to 100 bytes, adding
 * their count to *n. */
static int
phrases_ok(const cJSON *a, int *n)
{
	const cJSON *v;

	if (!cJSON_IsArray(a))
		return 0;
	cJSON_ArrayForEach(v, a) {
		if (!cJSON_IsString(v) || strlen(v->valuestring) == 0 ||
		    strlen(v->valuestring) > 100 ||
		    !utf8_valid(v->valuestring, strlen(v->valuestring)) ||
		    ++*n > HG_HANDOVER_PHRASES_MAX)
			return 0;
	}
	return 1;
}

/* Validate PUT /api/settings/handover's body into the stored object
 * (*out, owned); 0 or -1 with why. */
static int
handover_of(const cJSON *b, cJSON **out, char *why, size_t whysz)
{
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(b, "enabled");
	const cJSON	*p = cJSON_GetObjectItemCaseSensitive(b, "phrases");
	const cJSON	*n = cJSON_GetObjectItemCaseSensitive(b, "notice");
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(b, "max_failures");
	const cJSON	*q = cJSON_GetObjectItemCaseSensitive(b,
			    "waiting_quick_replies");
	const cJSON	*lang;
	int		 count = 0;

	*out = NULL;
	if (e != NULL && !cJSON_IsBool(e)) {
		snprintf(why, whysz, "enabled: true or false");
		return -1;
	}
	if (p != NULL) {
		int ok = cJSON_IsArray(p) ? phrases_ok(p, &count) :
		    cJSON_IsObject(p);

		const cJSON *langs = cJSON_IsObject(p) ? p : NULL;

		cJSON_ArrayForEach(lang, langs)
			ok = ok && strlen(lang->string) <= 16 &&
			    phrases_ok(lang, &count);
		if (!ok) {
			snprintf(why, whysz, "phrases: a list of phrases, or "
			    "{\"en\": [...], \"fr\": [...]}; at most %d",
			    HG_HANDOVER_PHRASES_MAX);
			return -1;
		}
	}
	if (n != NULL && (!cJSON_IsString(n) || strlen(n->valuestring) >
	    1000 || !utf8_valid(n->valuestring, strlen(n->valuestring)))) {
		snprintf(why, whysz, "notice: a text of at most 1000 bytes");
		return -1;
	}
	if (m != NULL && (!cJSON_IsNumber(m) || m->valuedouble < 1 ||
	    m->valuedouble > 20)) {
		snprintf(why, whysz, "max_failures: 1 to 20");
		return -1;
	}
	if (q != NULL && (!cJSON_IsArray(q) || cJSON_GetArraySize(q) > 13 ||
	    (cJSON_GetArraySize(q) > 0 && !phrases_ok(q, &count)))) {
		snprintf(why, whysz, "waiting_quick_replies: up to 13 titles");
		return -1;
	}
	/* Conversation Routing with Meta's inbox (handover.h). */
	if (cJSON_HasObjectItem(b, "page_inbox") &&
	    !cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(b, "page_inbox"))) {
		snprintf(why, whysz, "page_inbox: true or false");
		return -1;
	}
	*out = cJSON_CreateObject();
	if (cJSON_HasObjectItem(b, "page_inbox"))
		cJSON_AddBoolToObject(*out, "page_inbox", cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(b, "page_inbox")));
	if (e != NULL)
		cJSON_AddBoolToObject(*out, "enabled", cJSON_IsTrue(e));
	if (p != NULL)
		cJSON_AddItemToObject(*out, "phrases", cJSON_Duplicate(p, 1));
	if (n != NULL)
		cJSON_AddStringToObject(*out, "notice", n->valuestring);
	if (m != NULL)
		cJSON_AddNumberToObject(*out, "max_failures",
		    (double)(int)m->valuedouble);
	if (q != NULL)
		cJSON_AddItemToObject(*out, "waiting_quick_replies",
		    cJSON_Duplicate(q, 1));
	return 0;
}

/* The bot settings as GET shows them (never the secret). */
static cJSON *
bot_json(const struct db_auto_settings *s)
{
	cJSON *o = s->bot != NULL ? cJSON_Parse(s->bot) : NULL;

	if (o == NULL)
		o = cJSON_CreateObject();
	if (o == NULL)
		return NULL;
	if (!cJSON_HasObjectItem(o, "url"))
		cJSON_AddStringToObject(o, "url", "");
	if (!cJSON_HasObjectItem(o, "confidence_threshold"))
		cJSON_AddNumberToObject(o, "confidence_threshold", 0.7);
	if (!cJSON_HasObjectItem(o, "timeout_ms"))
		cJSON_AddNumberToObject(o, "timeout_ms", HG_BOT_TIMEOUT_MS);
	cJSON_AddBoolToObject(o, "secret_set", s->bot_secret_sealed.len > 0);
	return o;
}

/* Seal the bot's secret for workspace ws into out; 0 or -1. */
static int
seal_secret(long long ws, const char *secret, struct buf *out)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	char		 aad[64];
	int		 rc;

	if (crypto_key_parse(conf_get(rules_conf, "token_key"), key) == -1)
		return -1;
	snprintf(aad, sizeof(aad), "bot:%lld", ws);
	rc = crypto_seal(key, secret, strlen(secret), aad, strlen(aad), out);
	crypto_wipe(key, sizeof(key));
	return rc;
}

/* PUT /api/settings/bot: validate, seal, store; 0 or -1 answered. */
static int
bot_put(struct req *r, const struct route_ctx *cx, struct db *d,
    const cJSON *b)
{
	const cJSON	*u = cJSON_GetObjectItemCaseSensitive(b, "url");
	const cJSON	*s = cJSON_GetObjectItemCaseSensitive(b, "secret");
	const cJSON	*t = cJSON_GetObjectItemCaseSensitive(b,
			    "confidence_threshold");
	const cJSON	*ms = cJSON_GetObjectItemCaseSensitive(b, "timeout_ms");
	struct urlsafe_url safe;
	struct buf	 sealed;
	const char	*unsafe = NULL;
	char		 why[300], *json;
	cJSON		*o;
	int		 rc;

	if (!cJSON_IsString(u) || strlen(u->valuestring) > 2048) {
		route_error(r, 422, "url: an https URL, or \"\" for no bot");
		return -1;
	}
	/* The bot is called from this server: never one of its private
	 * neighbours (loopback only in the sandbox).  Checked again, and
	 * the address pinned, at every call (signed_post). */
	if (u->valuestring[0] != '\0' && (rc = urlsafe_check(u->valuestring,
	    strcmp(conf_get(rules_conf, "sandbox"), "yes") == 0, &safe,
	    &unsafe)) != 0) {
		snprintf(why, sizeof(why), "url: %s", unsafe != NULL ? unsafe :
		    "refused");
		route_error(r, 422, why);
		return -1;
	}
	if (s != NULL && (!cJSON_IsString(s) || strlen(s->valuestring) < 16 ||
	    strlen(s->valuestring) > HG_BOT_SECRET_MAX)) {
		route_error(r, 422, "secret: 16 to 256 bytes (whsec_... as "
		    "Standard Webhooks makes them, or any string)");
		return -1;
	}
	if (t != NULL && (!cJSON_IsNumber(t) || t->valuedouble < 0 ||
	    t->valuedouble > 1)) {
		route_error(r, 422, "confidence_threshold: 0 to 1");
		return -1;
	}
	if (ms != NULL && (!cJSON_IsNumber(ms) || ms->valuedouble < 500 ||
	    ms->valuedouble > HG_BOT_TIMEOUT_MAX_MS)) {
		route_error(r, 422, "timeout_ms: 500 to 10000");
		return -1;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "url", u->valuestring);
	cJSON_AddNumberToObject(o, "confidence_threshold", t != NULL ?
	    t->valuedouble : 0.7);
	cJSON_AddNumberToObject(o, "timeout_ms", ms != NULL ?
	    (double)(long long)ms->valuedouble : HG_BOT_TIMEOUT_MS);
	json = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	buf_init(&sealed, HG_BOT_SECRET_MAX + 128);
	rc = json == NULL || (s != NULL && seal_secret(cx->who.workspace,
	    s->valuestring, &sealed) == -1) ? -1 :
	    db_auto_settings_put(d, cx->who.workspace, "bot", json,
	    s != NULL ? sealed.data : NULL, sealed.len, clock_ms() / 1000);
	buf_free(&sealed);
	free(json);
	if (rc == -1) {
		route_error(r, 503, "cannot store the settings now");
		return -1;
	}
	audit(r, d, cx, "bot_settings", "settings:bot", s != NULL ?
	    "url and secret set" : "url set");
	return 0;
}

void
api_rules_settings(struct req *r, const struct route_ctx *cx)
{
	struct db_auto_settings	 s;
	struct db		*d;
	const char		*which;
	cJSON			*body = NULL, *o = NULL;
	char			 why[300], *json;
	int			 rc;

	if (strcmp(r->path, "/api/settings/handover") == 0)
		which = "handover";
	else if (strcmp(r->path, "/api/settings/bot") == 0)
		which = "bot";
	else if (strcmp(r->path, "/api/settings/hours") == 0)
		which = "hours";
	else {
		route_error(r, 404, "not found");
		return;
	}
	if (r->method == HTTP_PUT) {
		if (route_json_body(r, &body) == -1 ||
		    (d = rules_db(r)) == NULL) {
			cJSON_Delete(body);
			return;
		}
		if (strcmp(which, "bot") == 0)
			rc = bot_put(r, cx, d, body);
		else {
			if (strcmp(which, "handover") == 0)
				rc = handover_of(body, &o, why, sizeof(why));
			else
				rc = rules_hours_validate(body, why, sizeof(why));
			json = rc == 0 ? cJSON_PrintUnformatted(o != NULL ? o :
			    body) : NULL;
			if (rc == -1)
				route_error(r, 422, why);
			else if (json == NULL || db_auto_settings_put(d,
			    cx->who.workspace, which, json, NULL, 0,
			    clock_ms() / 1000) == -1) {
				route_error(r, 503, "cannot store the settings "
				    "now");
				rc = -1;
			} else
				audit(r, d, cx, strcmp(which, "handover") == 0 ?
				    "handover_settings" : "hours_settings",
				    which, "");
			free(json);
			cJSON_Delete(o);
		}
		cJSON_Delete(body);
		if (rc == -1)
			return;
	} else if ((d = rules_db(r)) == NULL)
		return;
	if (db_auto_settings_get(d, cx->who.workspace, &s) == -1) {
		route_error(r, 503, "cannot read the settings now");
		return;
	}
	if (strcmp(which, "handover") == 0)
		o = handover_json(s.handover);
	else if (strcmp(which, "bot") == 0)
		o = bot_json(&s);
	else if ((o = s.hours != NULL ? cJSON_Parse(s.hours) : NULL) == NULL)
		o = cJSON_CreateNull();
	db_auto_settings_clear(&s);
	http_json(r, 200, o);
}

void
api_rules_availability(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	cJSON		*body = NULL, *o;
	const cJSON	*v;
	int		 on, rc;

	if (r->method == HTTP_PUT) {
		if (route_json_body(r, &body) == -1)
			return;
		v = cJSON_GetObjectItemCaseSensitive(body, "available");
		if (!cJSON_IsBool(v)) {
			cJSON_Delete(body);
			route_error(r, 422, "available: true or false");
			return;
		}
		on = cJSON_IsTrue(v);
		cJSON_Delete(body);
		if ((d = rules_db(r)) == NULL)
			return;
		if ((rc = db_auto_available_set(d, cx->who.workspace,
		    cx->who.user, on)) != 1) {
			route_error(r, rc == 0 ? 409 : 503, rc == 0 ? "you are not "
			    "a member of this workspace" : "cannot store it now");
			return;
		}
	} else if ((d = rules_db(r)) == NULL)
		return;
	if ((rc = db_auto_available_get(d, cx->who.workspace, cx->who.user,
	    &on)) == -1) {
		route_error(r, 503, "cannot read it now");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "available", rc == 1 && on);
	http_json(r, 200, o);
}
