/*
 * fm_graph: the fake's account endpoints: oauth/access_token (code and
 * fb_exchange_token), me/accounts with cursors, debug_token and
 * <id>/subscribed_apps, with Meta's shapes and errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "crypto.h"
#include "json.h"
#include "num.h"

#include "fm.h"

#define SCOPES_DEFAULT	"pages_show_list,pages_messaging,pages_manage_metadata"

/* Fields a Page may be subscribed to. */
static const char *const page_fields[] = {
	"messages", "messaging_postbacks", "message_deliveries",
	"message_reads", "message_echoes", "messaging_handovers", "standby",
	"message_reactions", "feed", "messaging_optins", "messaging_referrals",
	"messaging_policy_enforcement", "messaging_account_linking",
	"message_edits", "inbox_labels", NULL
};

/* Issue a new token of kind for the fake user into out (128 bytes). */
int
fm_token_issue(const char *kind, const char *scopes, long long ttl, char *out)
{
	struct fm_token	t;
	char		rnd[64];

	memset(&t, 0, sizeof(t));
	fm_random(rnd, 60);
	snprintf(out, 128, "EAAG%s", rnd);
	snprintf(t.kind, sizeof(t.kind), "%s", kind);
	snprintf(t.user_id, sizeof(t.user_id), "%s", FM_USER_ID);
	snprintf(t.scopes, sizeof(t.scopes), "%s", scopes);
	t.issued_at = (long long)time(NULL);
	t.expires_at = ttl > 0 ? t.issued_at + ttl : 0;
	return fm_token_add(out, &t);
}

/* The Page token derived from a user token (the same every time). */
int
fm_page_token(const char *user_token, const struct fm_token *u,
    const char *page_id, char *out)
{
	struct fm_token	 t;
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	char		 hex[2 * CRYPTO_SHA256_LEN + 1];
	struct buf	 m;

	buf_init(&m, 4096);
	buf_printf(&m, "%s|%s", user_token, page_id);
	crypto_hmac_sha256(fm_app.app_secret, strlen(fm_app.app_secret),
	    m.data, m.len, mac);
	buf_free(&m);
	crypto_hex(mac, sizeof(mac), hex);
	snprintf(out, 128, "EAAP%s", hex);
	memset(&t, 0, sizeof(t));
	snprintf(t.kind, sizeof(t.kind), "page");
	snprintf(t.user_id, sizeof(t.user_id), "%s", u->user_id);
	snprintf(t.page_id, sizeof(t.page_id), "%s", page_id);
	snprintf(t.parent, sizeof(t.parent), "%s", user_token);
	snprintf(t.scopes, sizeof(t.scopes), "%s", u->scopes);
	t.issued_at = (long long)time(NULL);
	/* From a long-lived user token a Page token never expires. */
	t.expires_at = strcmp(u->kind, "user_short") == 0 ? u->expires_at : 0;
	return fm_token_add(out, &t);
}

static void
token_answer(struct req *r, const char *tok, long long expires_in)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "access_token", tok);
	cJSON_AddStringToObject(o, "token_type", "bearer");
	if (expires_in > 0)
		cJSON_AddNumberToObject(o, "expires_in", (double)expires_in);
	fm_json(r, o);
}

void
fm_oauth_token(struct req *r)
{
	const char	*cid = fm_param(r, "client_id");
	const char	*sec = fm_param(r, "client_secret");
	const char	*code = fm_param(r, "code"), *ru = fm_param(r, "redirect_uri");
	const char	*gt = fm_param(r, "grant_type");
	const char	*old = fm_param(r, "fb_exchange_token");
	struct fm_token	 t;
	char		 tok[128], want_ru[600], scopes[512];
	long long	 created, now = (long long)time(NULL);
	int		 used, rc;

	if (cid == NULL || strcmp(cid, fm_app.app_id) != 0) {
		fm_error(r, 400, 101, 0, NULL, "Error validating application. "
		    "Invalid application ID.");
		return;
	}
	if (sec == NULL || strlen(sec) != strlen(fm_app.app_secret) ||
	    !crypto_equal(sec, fm_app.app_secret, strlen(sec))) {
		/* Meta really answers a wrong secret with code 1. */
		fm_error(r, 400, 1, 0, NULL, "Error validating client secret.");
		return;
	}
	if (gt != NULL && strcmp(gt, "fb_exchange_token") == 0) {
		if (old == NULL) {
			fm_error(r, 400, 100, 0, NULL, "(#100) Missing parameter "
			    "fb_exchange_token");
			return;
		}
		if ((rc = fm_token_get(old, &t)) != 1 ||
		    strncmp(t.kind, "user_", 5) != 0) {
			fm_error(r, 400, 190, 0, NULL, "Invalid OAuth access "
			    "token - Cannot parse access token");
			return;
		}
		if (t.revoked != 0 || (t.expires_at != 0 && t.expires_at <= now)) {
			fm_error(r, 400, 190, t.revoked != 0 ? t.revoked : 463,
			    NULL, t.revoked != 0 ? "Error validating access "
			    "token: The user has not authorized application." :
			    "Error validating access token: Session has expired.");
			return;
		}
		if (fm_token_issue("user_long", t.scopes, FM_LONG_TTL, tok) == -1) {
			fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
			return;
		}
		token_answer(r, tok, FM_LONG_TTL);
		return;
	}
	if (code == NULL || ru == NULL) {
		fm_error(r, 400, 100, 0, NULL, code == NULL ? "Missing "
		    "authorization code" : "Missing redirect_uri parameter.");
		return;
	}
	if ((rc = fm_code_take(code, want_ru, sizeof(want_ru), scopes,
	    sizeof(scopes), &created, &used)) == -1) {
		fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
		return;
	}
	/* Instagram Login's codes are not Facebook's. */
	if (rc == 0 || strncmp(scopes, "ig:", 3) == 0) {
		fm_error(r, 400, 100, 0, NULL, "Invalid verification code format.");
		return;
	}
	if (used) {
		fm_error(r, 400, 100, 36009, NULL, "This authorization code has "
		    "been used.");
		return;
	}
	if (fm_signup_code(scopes)) {
		fm_signup_exchange(r, scopes, created, ru, want_ru);
		return;
	}
	if (now - created > FM_CODE_TTL) {
		fm_error(r, 400, 100, 36007, NULL, "This authorization code has "
		    "expired.");
		return;
	}
	if (strcmp(ru, want_ru) != 0) {
		fm_error(r, 400, 100, 36008, NULL, "Error validating verification "
		    "code. Please make sure your redirect_uri is identical to "
		    "the one you used in the OAuth dialog request");
		return;
	}
	if (fm_token_issue("user_short", scopes[0] ? scopes : SCOPES_DEFAULT,
	    FM_SHORT_TTL, tok) == -1) {
		fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
		return;
	}
	token_answer(r, tok, FM_SHORT_TTL);
}

/* 1 when the comma-separated list has name. */
static int
has_field(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (list != NULL && *list != '\0') {
		if (strncmp(list, name, n) == 0 && (list[n] == ',' ||
		    list[n] == '\0' || list[n] == '{'))
			return 1;
		if ((list = strchr(list, ',')) != NULL)
			list++;
	}
	return 0;
}

static void
cursor(const char *page_id, char *out, size_t outsz)
{
	crypto_b64url_encode(page_id, strlen(page_id), out, outsz);
}

void
fm_accounts(struct req *r)
{
	const char	*fields = fm_param(r, "fields"), *after = fm_param(r, "after");
	const char	*host = http_header(r, "Host"), *tok = fm_request_token(r);
	struct fm_token	 t;
	struct fm_page	 pg;
	struct buf	 next;
	unsigned char	 dec[64];
	char		 ptok[128], cur[96], id[64], lim[16];
	cJSON		*o, *data, *p, *tasks, *paging, *cs;
	long long	 limit = FM_LIMIT_DEFAULT;
	long		 n;
	int		 start = 0, i, end;

	if (fm_auth(r, &t, 0) == -1)
		return;
	if (strcmp(t.kind, "page") == 0) {
		fm_error(r, 400, 100, 0, NULL, "(#100) Tried accessing "
		    "nonexisting field (accounts) on node type (Page)");
		return;
	}
	if (fm_param(r, "limit") != NULL && num_parse_str(fm_param(r,
	    "limit"), 1, 5000, &limit) == -1) {
		fm_error(r, 400, 100, 0, NULL, "(#100) Param limit must be a "
		    "positive integer");
		return;
	}
	if (limit > FM_LIMIT_MAX)
		limit = FM_LIMIT_MAX;
	if (after != NULL) {
		n = crypto_b64url_decode(after, strlen(after), dec,
		    sizeof(dec) - 1);
		if (n > 0) {
			memcpy(id, dec, (size_t)n);
			id[n] = '\0';
		}
		if (n <= 0 || (start = fm_page_find(id)) < 0) {
			fm_error(r, 400, 100, 0, NULL, "(#100) Invalid cursor");
			return;
		}
		start++;
	}
	end = start + (int)limit > FM_PAGES ? FM_PAGES : start + (int)limit;
	o = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(o, "data");
	for (i = start; i < end; i++) {
		fm_page(i, &pg);
		p = cJSON_CreateObject();
		cJSON_AddItemToArray(data, p);
		if (fields == NULL || has_field(fields, "access_token")) {
			if (fm_page_token(tok, &t, pg.id, ptok) == -1) {
				cJSON_Delete(o);
				fm_error(r, 500, 1, 0, NULL, "An unknown error "
				    "occurred");
				return;
			}
			cJSON_AddStringToObject(p, "access_token", ptok);
		}
		if (fields == NULL || has_field(fields, "category"))
			cJSON_AddStringToObject(p, "category", "Local business");
		if (fields == NULL || has_field(fields, "name"))
			cJSON_AddStringToObject(p, "name", pg.name);
		cJSON_AddStringToObject(p, "id", pg.id);
		if (fields == NULL || has_field(fields, "tasks")) {
			tasks = cJSON_AddArrayToObject(p, "tasks");
			cJSON_AddItemToArray(tasks, cJSON_CreateString("ANALYZE"));
			cJSON_AddItemToArray(tasks, cJSON_CreateString("MESSAGING"));
			cJSON_AddItemToArray(tasks, cJSON_CreateString("MODERATE"));
			cJSON_AddItemToArray(tasks, cJSON_CreateString("MANAGE"));
		}
		if (fields != NULL && has_field(fields,
		    "instagram_business_account") && pg.ig_id[0] != '\0')
			cJSON_AddStringToObject(cJSON_AddObjectToObject(p,
			    "instagram_business_account"), "id", pg.ig_id);
	}
	if (end > start) {
		paging = cJSON_AddObjectToObject(o, "paging");
		cs = cJSON_AddObjectToObject(paging, "cursors");
		fm_page(start, &pg);
		cursor(pg.id, cur, sizeof(cur));
		cJSON_AddStringToObject(cs, "before", cur);
		fm_page(end - 1, &pg);
		cursor(pg.id, cur, sizeof(cur));
		cJSON_AddStringToObject(cs, "after", cur);
		if (end < FM_PAGES) {
			/* Like Meta, the next link repeats the token. */
			snprintf(lim, sizeof(lim), "%lld", limit);
			buf_init(&next, 8192);
			buf_printf(&next, "http://%s%s?access_token=",
			    host != NULL ? host : "127.0.0.1", r->path);
			buf_url_encode(&next, tok);
			if (fields != NULL) {
				buf_puts(&next, "&fields=");
				buf_url_encode(&next, fields);
			}
			buf_printf(&next, "&limit=%s&after=%s", lim, cur);
			cJSON_AddStringToObject(paging, "next", buf_cstr(&next));
			buf_free(&next);
		}
	}
	fm_json(r, o);
}

/* scopes and granular_scopes; the scopes starting with prefix name
 * target (when not NULL) in their target_ids. */
static void
add_scopes(cJSON *d, const char *scopes, const char *prefix,
    const char *target)
{
	cJSON		*arr = cJSON_AddArrayToObject(d, "scopes");
	cJSON		*gr = cJSON_AddArrayToObject(d, "granular_scopes"), *g;
	char		 one[128];
	const char	*p = scopes, *e;
	size_t		 n;

	while (p != NULL && *p != '\0') {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n > 0 && n < sizeof(one)) {
			memcpy(one, p, n);
			one[n] = '\0';
			cJSON_AddItemToArray(arr, cJSON_CreateString(one));
			g = cJSON_CreateObject();
			cJSON_AddItemToArray(gr, g);
			cJSON_AddStringToObject(g, "scope", one);
			if (target != NULL && strncmp(one, prefix,
			    strlen(prefix)) == 0)
				cJSON_AddItemToArray(cJSON_AddArrayToObject(g,
				    "target_ids"), cJSON_CreateString(target));
		}
		p = e != NULL ? e + 1 : NULL;
	}
}

void
fm_debug_token(struct req *r)
{
	const char	*in = fm_param(r, "input_token");
	struct fm_token	 app, t;
	long long	 now = (long long)time(NULL);
	cJSON		*o, *d, *e;
	int		 rc;

	if (fm_auth(r, &app, 1) == -1)
		return;
	if (strcmp(app.kind, "app") != 0) {
		fm_error(r, 400, 100, 0, NULL, "(#100) You must provide an app "
		    "access token, or a user access token that is an owner or "
		    "developer of the app");
		return;
	}
	if (in == NULL) {
		fm_error(r, 400, 100, 0, NULL, "(#100) The parameter "
		    "input_token is required");
		return;
	}
	o = cJSON_CreateObject();
	d = cJSON_AddObjectToObject(o, "data");
	if ((rc = fm_token_get(in, &t)) != 1) {
		e = cJSON_AddObjectToObject(d, "error");
		cJSON_AddNumberToObject(e, "code", 190);
		cJSON_AddStringToObject(e, "message", "Invalid OAuth access token.");
		cJSON_AddFalseToObject(d, "is_valid");
		cJSON_AddArrayToObject(d, "scopes");
		fm_json(r, o);
		return;
	}
	cJSON_AddStringToObject(d, "app_id", fm_app.app_id);
	cJSON_AddStringToObject(d, "type", strcmp(t.kind, "page") == 0 ?
	    "PAGE" : strcmp(t.kind, "system_user") == 0 ? "SYSTEM_USER" :
	    "USER");
	cJSON_AddStringToObject(d, "application", FM_APP_NAME);
	cJSON_AddNumberToObject(d, "data_access_expires_at",
	    (double)(t.issued_at + FM_DATA_ACCESS_TTL));
	cJSON_AddNumberToObject(d, "expires_at", (double)t.expires_at);
	if (t.revoked != 0 || (t.expires_at != 0 && t.expires_at <= now)) {
		cJSON_AddFalseToObject(d, "is_valid");
		e = cJSON_AddObjectToObject(d, "error");
		cJSON_AddNumberToObject(e, "code", 190);
		cJSON_AddStringToObject(e, "message", t.revoked != 0 ?
		    "Error validating access token: The user has not "
		    "authorized application." : "Error validating access "
		    "token: Session has expired.");
		cJSON_AddNumberToObject(e, "subcode", t.revoked != 0 ?
		    (double)t.revoked : 463);
	} else
		cJSON_AddTrueToObject(d, "is_valid");
	cJSON_AddNumberToObject(d, "issued_at", (double)t.issued_at);
	/* A system user's target is a WhatsApp business account. */
	if (strcmp(t.kind, "system_user") == 0)
		add_scopes(d, t.scopes, "whatsapp_", t.page_id[0] ?
		    t.page_id : NULL);
	else {
		if (t.page_id[0] != '\0')
			cJSON_AddStringToObject(d, "profile_id", t.page_id);
		add_scopes(d, t.scopes, "pages_", t.page_id[0] ?
		    t.page_id : NULL);
	}
	cJSON_AddStringToObject(d, "user_id", t.user_id);
	fm_json(r, o);
}

/* Check a comma-separated subscribed_fields list; 0, or -1 with the
 * error sent. */
static int
check_fields(struct req *r, const char *list)
{
	char		 one[64], msg[256];
	const char	*p = list, *e;
	size_t		 n, i, k = 0;

	while (p != NULL && *p != '\0') {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n >= sizeof(one))
			n = sizeof(one) - 1;
		memcpy(one, p, n);
		one[n] = '\0';
		for (i = 0; page_fields[i] != NULL; i++)
			if (strcmp(one, page_fields[i]) == 0)
				break;
		if (page_fields[i] == NULL) {
			snprintf(msg, sizeof(msg), "(#100) Param "
			    "subscribed_fields[%zu] must be one of {messages, "
			    "messaging_postbacks, message_deliveries, "
			    "message_reads, message_echoes, ...} - got \"%.40s\".",
			    k, one);
			fm_error(r, 400, 100, 0, NULL, msg);
			return -1;
		}
		k++;
		p = e != NULL ? e + 1 : NULL;
	}
	return 0;
}

void
fm_subscribed_apps(struct req *r, const char *id)
{
	const char	*fields = fm_param(r, "subscribed_fields");
	struct fm_token	 t;
	char		 have[1024], one[64];
	const char	*p, *e;
	cJSON		*o, *data, *a, *arr;
	int		 waba = fm_waba_known(id), rc;
	size_t		 n;

	if (!waba && fm_page_find(id) < 0) {
		fm_error(r, 400, 100, 33, "GraphMethodException", "Unsupported "
		    "request. Object does not exist, cannot be loaded due to "
		    "missing permissions, or does not support this operation.");
		return;
	}
	if (fm_auth(r, &t, 0) == -1)
		return;
	if (!waba && (strcmp(t.kind, "page") != 0 ||
	    strcmp(t.page_id, id) != 0)) {
		fm_error(r, 400, 210, 0, NULL, "(#210) A page access token is "
		    "required to request this resource.");
		return;
	}
	if (waba && fm_waba_allowed(r, &t, id) == -1)
		return;
	if (r->method == HTTP_POST) {
		if (!waba && (fields == NULL || fields[0] == '\0')) {
			fm_error(r, 400, 100, 0, NULL, "(#100) The parameter "
			    "subscribed_fields is required.");
			return;
		}
		if (!waba && check_fields(r, fields) == -1)
			return;
		if (fm_sub_set(id, waba ? "messages" : fields) == -1)
			goto fail;
	} else if (r->method == HTTP_DELETE) {
		if (fm_sub_del(id) == -1)
			goto fail;
	}
	o = cJSON_CreateObject();
	if (r->method != HTTP_GET && r->method != HTTP_HEAD) {
		cJSON_AddTrueToObject(o, "success");
		fm_json(r, o);
		return;
	}
	data = cJSON_AddArrayToObject(o, "data");
	if ((rc = fm_sub_get(id, have, sizeof(have))) == 1) {
		a = cJSON_CreateObject();
		cJSON_AddItemToArray(data, a);
		if (waba)
			a = cJSON_AddObjectToObject(a, "whatsapp_business_api_data");
		else
			cJSON_AddStringToObject(a, "category", "Business");
		cJSON_AddStringToObject(a, "link", fm_app.base_url);
		cJSON_AddStringToObject(a, "name", FM_APP_NAME);
		cJSON_AddStringToObject(a, "id", fm_app.app_id);
		if (!waba) {
			arr = cJSON_AddArrayToObject(a, "subscribed_fields");
			for (p = have; p != NULL && *p != '\0';
			    p = e != NULL ? e + 1 : NULL) {
				e = strchr(p, ',');
				n = e != NULL ? (size_t)(e - p) : strlen(p);
				if (n == 0 || n >= sizeof(one))
					continue;
				memcpy(one, p, n);
				one[n] = '\0';
				cJSON_AddItemToArray(arr, cJSON_CreateString(one));
			}
		}
	} else if (rc == -1) {
		cJSON_Delete(o);
		goto fail;
	}
	fm_json(r, o);
	return;
fail:
	fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
}

/* GET /me: the fake user's id and name, for a user token. */
void
fm_me(struct req *r)
{
	struct fm_token	 t;
	cJSON		*o;

	if (fm_auth(r, &t, 0) == -1)
		return;
	if (strcmp(t.kind, "page") == 0) {
		fm_error(r, 400, 100, 0, NULL, "(#100) Tried accessing "
		    "nonexisting field on node type (Page)");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", t.user_id);
	cJSON_AddStringToObject(o, "name", FM_USER_NAME);
	fm_json(r, o);
}
