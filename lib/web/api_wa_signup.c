/*
 * api_wa_signup: the end of WhatsApp Embedded Signup in the dashboard.
 * See api_wa_signup.h.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_channel_act.h"
#include "api_events_int.h"
#include "api_wa_signup.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "db_oauth.h"
#include "graph.h"
#include "graph_oauth.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "session.h"

#define SCOPE_MGMT	"whatsapp_business_management"

static const struct conf *signup_conf;

const struct route_field api_wa_signup_fields[WAS_F__MAX] = {
	[WAS_F_PICK] = { "pick", FIELD_TEXT, 1, 64, FIELD_REQUIRED },
	[WAS_F_WABA_ID] = { "waba_id", FIELD_TEXT, 0, HG_META_ID_MAX, 0 },
	[WAS_F_PHONE_NUMBER_ID] = { "phone_number_id", FIELD_TEXT, 0,
	    HG_META_ID_MAX, 0 },
	[WAS_F_PIN] = { "pin", FIELD_TEXT, 1, 16, FIELD_REQUIRED },
};

void
api_wa_signup_setup(const struct conf *c)
{
	signup_conf = c;
}

/* 1 when embedded signup can run here: a configuration id and the
 * app, or the sandbox (whose fake plays it). */
static int
available(void)
{
	return signup_conf != NULL && (strcmp(conf_get(signup_conf,
	    "sandbox"), "yes") == 0 || (*conf_get(signup_conf,
	    "whatsapp_config_id") != '\0' && *conf_get(signup_conf,
	    "app_id") != '\0' && *conf_get(signup_conf, "state_secret") !=
	    '\0' && *conf_get(signup_conf, "token_key") != '\0'));
}

void
api_wa_signup_info(struct req *r, const struct route_ctx *cx)
{
	cJSON *o = cJSON_CreateObject();

	(void)cx;
	cJSON_AddBoolToObject(o, "available", available());
	cJSON_AddBoolToObject(o, "sandbox", signup_conf != NULL &&
	    strcmp(conf_get(signup_conf, "sandbox"), "yes") == 0);
	http_json(r, 200, o);
}

/* Open the pick's sealed payload (aad "oauth_pick:<hash>") and copy
 * its token into tok (NUL-terminated): 0, or -1 when it is not a
 * signup's. */
static int
open_pick(const struct buf *sealed, const char *hash, struct buf *tok)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	struct buf	 plain;
	cJSON		*j = NULL, *t;
	const char	*kind;
	char		 aad[128];
	int		 rc = -1;

	buf_init(&plain, sealed->len + 1);
	snprintf(aad, sizeof(aad), "oauth_pick:%s", hash);
	if (crypto_key_parse(conf_get(signup_conf, "token_key"), key) == -1)
		goto out;
	if (crypto_open(key, sealed->data, sealed->len, aad, strlen(aad),
	    &plain) == -1 || buf_putc(&plain, '\0') == -1 ||
	    (j = cJSON_Parse(plain.data)) == NULL)
		goto out;
	kind = json_str(j, "kind");
	t = cJSON_GetObjectItemCaseSensitive(j, "token");
	if (kind != NULL && strcmp(kind, "whatsapp_signup") == 0 &&
	    cJSON_IsString(t) && t->valuestring[0] != '\0' &&
	    buf_puts(tok, t->valuestring) == 0 && buf_putc(tok, '\0') == 0)
		rc = 0;
out:
	crypto_wipe(key, sizeof(key));
	if (j != NULL) {
		t = cJSON_GetObjectItemCaseSensitive(j, "token");
		if (cJSON_IsString(t))
			crypto_wipe(t->valuestring, strlen(t->valuestring));
		cJSON_Delete(j);
	}
	if (plain.data != NULL)
		crypto_wipe(plain.data, plain.len);
	buf_free(&plain);
	return rc;
}

/* The only WhatsApp business account the token's grant names (its
 * whatsapp_business_management target_ids) into waba: 0, or -1 after
 * answering. */
static int
waba_of_grant(struct req *r, struct graph *g, const char *token,
    char waba[HG_META_ID_MAX + 1])
{
	struct graph_token_info	 info;
	struct graph_result	 res;
	const cJSON		*gs, *ids = NULL, *t;
	const char		*name;
	int			 n = 0;

	memset(&res, 0, sizeof(res));
	if (graph_oauth_debug_token(g, token, &info, &res) == -1 ||
	    !info.is_valid) {
		graph_result_free(&res);
		route_error(r, 502, "waba_id: Meta's message with the account "
		    "did not arrive, and Meta could not be asked which account "
		    "the signup granted; start the signup again");
		return -1;
	}
	cJSON_ArrayForEach(gs, cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(res.json, "data"),
	    "granular_scopes")) {
		name = json_str(gs, "scope");
		if (name != NULL && strcmp(name, SCOPE_MGMT) == 0)
			ids = cJSON_GetObjectItemCaseSensitive(gs, "target_ids");
	}
	cJSON_ArrayForEach(t, ids)
		if (n++ == 0 && json_id(t, waba) == NULL)
			n = 99;
	graph_result_free(&res);
	if (n != 1) {
		route_error(r, 422, "waba_id: Meta's message with the account "
		    "did not arrive and the signup's grant does not name one "
		    "account; give waba_id");
		return -1;
	}
	return 0;
}

/* The only number of waba into phone: 0, or -1 after answering. */
static int
only_number(struct req *r, struct graph *g, const char *token,
    const char *waba, char phone[HG_META_ID_MAX + 1])
{
	struct graph_param	 p[] = { { "fields", "id" }, { NULL, NULL } };
	struct graph_result	 res;
	const cJSON		*e;
	char			 path[HG_META_ID_MAX + 32];
	int			 n = 0;

	memset(&res, 0, sizeof(res));
	snprintf(path, sizeof(path), "/%s/phone_numbers", waba);
	if (graph_call(g, GRAPH_GET, path, p, NULL, GRAPH_AUTH_USER, token,
	    &res) == -1) {
		graph_result_free(&res);
		route_error(r, 422, "phone_number_id: Meta's message with the "
		    "number did not arrive, and the account's numbers cannot be "
		    "read; give phone_number_id");
		return -1;
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(res.json,
	    "data"))
		if (n++ == 0 && json_id(cJSON_GetObjectItemCaseSensitive(e,
		    "id"), phone) == NULL)
			n = 99;
	graph_result_free(&res);
	if (n != 1) {
		route_error(r, 422, "phone_number_id: Meta's message with the "
		    "number did not arrive and the account has not exactly one "
		    "number; give phone_number_id");
		return -1;
	}
	return 0;
}

void
api_wa_signup(struct req *r, const struct route_ctx *cx)
{
	const struct route_val	*v = cx->v;
	const char		*pick = v[WAS_F_PICK].s;
	struct api_wa_number	 w;
	struct db_session	 s;
	struct graph		*g = NULL;
	struct db		*d;
	struct buf		 sealed, tok;
	char			 hash[2 * CRYPTO_SHA256_LEN + 1], err[HG_ERR_MAX];
	char			 waba[HG_META_ID_MAX + 1], phone[HG_META_ID_MAX + 1];
	long long		 ws = 0, login = 0;
	int			 rc;

	memset(&w, 0, sizeof(w));
	w.waba = v[WAS_F_WABA_ID].set && v[WAS_F_WABA_ID].s[0] != '\0' ?
	    v[WAS_F_WABA_ID].s : NULL;
	w.phone = v[WAS_F_PHONE_NUMBER_ID].set &&
	    v[WAS_F_PHONE_NUMBER_ID].s[0] != '\0' ?
	    v[WAS_F_PHONE_NUMBER_ID].s : NULL;
	w.pin = v[WAS_F_PIN].s;
	if (api_wa_ids_ok(r, w.waba, w.phone, w.pin) == -1)
		return;
	if (strlen(pick) != CRYPTO_TOKEN_CHARS) {
		route_error(r, 400, "pick: the signup's one-time id, as the "
		    "popup gave it");
		return;
	}
	if (signup_conf == NULL || (d = api_events_db(r)) == NULL)
		return;
	if ((rc = session_current(r, d, signup_conf, &s)) != 1) {
		route_error(r, rc == 0 ? 401 : 503, rc == 0 ? "sign in first" :
		    "cannot check the session now");
		return;
	}
	buf_init(&sealed, 8192);
	buf_init(&tok, HG_ACCESS_TOKEN_MAX + 1);
	crypto_sha256_hex(pick, hash);
	/* Single use: taken (deleted) whatever happens next. */
	if ((rc = db_oauth_pick_take(d, hash, s.id, clock_ms() / 1000, &ws,
	    &login, &sealed)) == -1) {
		route_error(r, 503, "cannot read the signup now");
		goto done;
	}
	if (rc == 0 || open_pick(&sealed, hash, &tok) == -1) {
		route_error(r, 400, "pick: this signup cannot be used: it was "
		    "used already, has expired or belongs to another session; "
		    "start the signup again");
		goto done;
	}
	if (ws != cx->who.workspace) {
		route_error(r, 403, "you switched to another workspace since "
		    "the signup began; start it again");
		goto done;
	}
	w.token = buf_cstr(&tok);
	w.login = login;
	w.signup = 1;
	if (w.waba == NULL || w.phone == NULL) {
		if ((g = graph_new(signup_conf, err, sizeof(err))) == NULL) {
			route_error(r, 503, "Meta's API is not configured "
			    "(app_id, app_secret)");
			goto done;
		}
		if (w.waba == NULL) {
			if (waba_of_grant(r, g, w.token, waba) == -1)
				goto done;
			w.waba = waba;
		}
		if (w.phone == NULL) {
			if (only_number(r, g, w.token, w.waba, phone) == -1)
				goto done;
			w.phone = phone;
		}
	}
	api_wa_connect(r, cx, d, &w);
done:
	graph_free(g);
	if (tok.data != NULL)
		crypto_wipe(tok.data, tok.len);
	buf_free(&tok);
	buf_free(&sealed);
}
