/*
 * fm_instagram: the fake of Instagram Login, under /_meta/_instagram/
 * (the real hosts in brackets):
 *
 *   GET  oauth/authorize          the consent page [www.instagram.com]
 *   POST oauth/authorize/confirm  Allow: redirect_uri?code=<code>&state=
 *                                 with "#_" after it; Cancel:
 *                                 error=access_denied
 *   POST api/oauth/access_token   form: client_id, client_secret,
 *                                 grant_type=authorization_code,
 *                                 redirect_uri, code -> {"data":[{
 *                                 access_token, user_id, permissions}]}
 *                                 or {error_type, code, error_message}
 *                                 [api.instagram.com]
 *   GET  graph/access_token       grant_type=ig_exchange_token,
 *                                 client_secret, access_token: 60 days
 *   GET  graph/refresh_access_token  grant_type=ig_refresh_token: only
 *                                 for a 60-day token at least 24 h old
 *                                 and not expired
 *   GET  graph/<ver>/me           fields user_id (the webhook id),
 *                                 username, id (another number)
 *   GET, POST graph/<ver>/me/subscribed_apps   [graph.instagram.com]
 *
 * Codes are single use and live FM_CODE_TTL seconds, as Facebook's;
 * they are stored with their scopes prefixed "ig:", so that neither
 * Login takes the other's.  The Instagram app is the configuration's
 * instagram_app_id and instagram_app_secret.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "crypto.h"

#include "fm.h"

#define IG_SCOPES	"instagram_business_basic," \
	"instagram_business_manage_messages"

static const char *const ig_fields[] = {
	"messages", "messaging_postbacks", "messaging_seen",
	"message_reactions", "messaging_referral", "messaging_optins",
	"message_edit", "messaging_handover", "comments", "live_comments",
	"mentions", "story_insights", NULL
};

/* api.instagram.com's error shape. */
static void
api_error(struct req *r, int status, const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "error_type", "OAuthException");
	cJSON_AddNumberToObject(o, "code", status);
	cJSON_AddStringToObject(o, "error_message", msg);
	http_json(r, status, o);
}

/* 1 when s is the Instagram app's secret. */
static int
secret_ok(const char *s)
{
	return s != NULL && fm_app.ig_app_secret[0] != '\0' &&
	    strlen(s) == strlen(fm_app.ig_app_secret) &&
	    crypto_equal(s, fm_app.ig_app_secret, strlen(s));
}

/* Check the dialog's client_id and redirect_uri; 0 or -1 (page sent). */
static int
check_client(struct req *r, const char *cid, const char *ru)
{
	const char *why = NULL;

	if (cid == NULL || fm_app.ig_app_id[0] == '\0' ||
	    strcmp(cid, fm_app.ig_app_id) != 0)
		why = "Invalid app ID";
	else if (ru == NULL || strcmp(ru, fm_app.redirect_uri) != 0)
		why = "Invalid redirect_uri";
	if (why == NULL)
		return 0;
	fm_error_page(r, why);
	return -1;
}

static void
authorize(struct req *r)
{
	const char *cid = fm_param(r, "client_id");
	const char *ru = fm_param(r, "redirect_uri");
	const char *scope = fm_param(r, "scope");

	if (check_client(r, cid, ru) == -1)
		return;
	http_add_header(r, "Content-Type", "text/html; charset=utf-8");
	http_puts(r, "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>Instagram Login (sandbox)</title></head><body>\n"
	    "<h1>hubgate sandbox: Instagram Login</h1>\n<p>Logged in as <b>@");
	fm_html(r, FM_IGL_USERNAME);
	http_puts(r, "</b> (professional account). <b>");
	fm_html(r, FM_APP_NAME);
	http_puts(r, "</b> asks for: <code>");
	fm_html(r, scope != NULL ? scope : IG_SCOPES);
	http_puts(r, "</code></p>\n<form method=\"post\" "
	    "action=\"authorize/confirm\">\n");
	fm_hidden(r, "client_id", cid);
	fm_hidden(r, "redirect_uri", ru);
	fm_hidden(r, "state", fm_param(r, "state"));
	fm_hidden(r, "scope", scope);
	http_puts(r, "<button name=\"decision\" value=\"continue\">Allow"
	    "</button>\n<button name=\"decision\" value=\"cancel\">Cancel"
	    "</button>\n</form>\n</body></html>\n");
}

static void
confirm(struct req *r)
{
	const char	*cid = fm_param(r, "client_id");
	const char	*ru = fm_param(r, "redirect_uri");
	const char	*decision = fm_param(r, "decision");
	const char	*scope = fm_param(r, "scope");
	char		 sc[600];

	if (check_client(r, cid, ru) == -1)
		return;
	snprintf(sc, sizeof(sc), "ig:%s", scope != NULL ? scope : IG_SCOPES);
	fm_consent_redirect(r, ru, fm_param(r, "state"), "IGQ",
	    decision != NULL && strcmp(decision, "continue") == 0 ? sc : NULL,
	    "error=access_denied&error_reason=user_denied&"
	    "error_description=The+user+denied+your+request.", "#_");
}

/* Issue an Instagram token of kind (ig_short, ig_long) for the
 * account, living ttl seconds, into out (128 bytes); 0 or -1. */
static int
issue(const char *kind, const char *scopes, long long ttl, char *out)
{
	struct fm_token	t;
	char		rnd[64];

	memset(&t, 0, sizeof(t));
	fm_random(rnd, 60);
	snprintf(out, 128, "IG%s", rnd);
	snprintf(t.kind, sizeof(t.kind), "%s", kind);
	snprintf(t.user_id, sizeof(t.user_id), "%s", FM_IGL_USER_ID);
	snprintf(t.scopes, sizeof(t.scopes), "%s", scopes);
	t.issued_at = (long long)time(NULL);
	t.expires_at = t.issued_at + ttl;
	return fm_token_add(out, &t);
}

static void
code_exchange(struct req *r)
{
	const char	*cid = fm_param(r, "client_id");
	const char	*code = fm_param(r, "code");
	const char	*ru = fm_param(r, "redirect_uri");
	const char	*gt = fm_param(r, "grant_type");
	char		 want_ru[600], scopes[512], tok[128];
	long long	 created, now = (long long)time(NULL);
	int		 used, rc;
	cJSON		*o, *d, *a;

	if (cid == NULL || strcmp(cid, fm_app.ig_app_id) != 0) {
		api_error(r, 400, "Invalid platform app");
		return;
	}
	if (!secret_ok(fm_param(r, "client_secret"))) {
		api_error(r, 400, "Error validating client secret.");
		return;
	}
	if (gt == NULL || strcmp(gt, "authorization_code") != 0) {
		api_error(r, 400, "Invalid grant_type");
		return;
	}
	if (code == NULL || ru == NULL) {
		api_error(r, 400, "Missing required field code or redirect_uri");
		return;
	}
	if ((rc = fm_code_take(code, want_ru, sizeof(want_ru), scopes,
	    sizeof(scopes), &created, &used)) == -1) {
		api_error(r, 500, "An unknown error occurred");
		return;
	}
	if (rc == 0 || strncmp(scopes, "ig:", 3) != 0) {
		api_error(r, 400, "Invalid authorization code");
		return;
	}
	if (used) {
		api_error(r, 400, "This authorization code has been used");
		return;
	}
	if (now - created > FM_CODE_TTL) {
		api_error(r, 400, "This authorization code has expired");
		return;
	}
	if (strcmp(ru, want_ru) != 0) {
		api_error(r, 400, "Error validating verification code. Please "
		    "make sure your redirect_uri is identical to the one you "
		    "used in the OAuth dialog request");
		return;
	}
	if (issue("ig_short", scopes + 3, 3600, tok) == -1) {
		api_error(r, 500, "An unknown error occurred");
		return;
	}
	o = cJSON_CreateObject();
	d = cJSON_AddArrayToObject(o, "data");
	a = cJSON_CreateObject();
	cJSON_AddItemToArray(d, a);
	cJSON_AddStringToObject(a, "access_token", tok);
	cJSON_AddStringToObject(a, "user_id", FM_IGL_XUSER_ID);
	cJSON_AddStringToObject(a, "permissions", scopes + 3);
	fm_json(r, o);
	crypto_wipe(tok, sizeof(tok));
}

/* The Instagram token of the request, checked: 0 with *t, or -1 with
 * Meta's error sent.  kind: the one kind allowed, or NULL for both. */
static int
ig_auth(struct req *r, const char *kind, struct fm_token *t, const char **tok)
{
	long long	now = (long long)time(NULL);
	int		rc;

	*tok = fm_request_token(r);
	if (*tok == NULL) {
		fm_error(r, 400, 190, 0, NULL, "An access token is required to "
		    "request this resource.");
		return -1;
	}
	if ((rc = fm_token_get(*tok, t)) == -1) {
		fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
		return -1;
	}
	if (rc == 0 || strncmp(t->kind, "ig_", 3) != 0 ||
	    (kind != NULL && strcmp(t->kind, kind) != 0)) {
		fm_error(r, 400, 190, 0, NULL, "Invalid OAuth access token - "
		    "Cannot parse access token");
		return -1;
	}
	if (t->revoked != 0 || t->expires_at <= now) {
		fm_error(r, 400, 190, t->revoked != 0 ? t->revoked : 463, NULL,
		    "Error validating access token: Session has expired.");
		return -1;
	}
	return 0;
}

static void
token_answer(struct req *r, const char *tok, long long ttl)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "access_token", tok);
	cJSON_AddStringToObject(o, "token_type", "bearer");
	cJSON_AddNumberToObject(o, "expires_in", (double)ttl);
	fm_json(r, o);
}

static void
long_lived(struct req *r)
{
	const char	*gt = fm_param(r, "grant_type"), *old;
	struct fm_token	 t;
	char		 tok[128];

	if (gt == NULL || strcmp(gt, "ig_exchange_token") != 0) {
		fm_error(r, 400, 100, 0, NULL, "Unsupported grant_type");
		return;
	}
	if (!secret_ok(fm_param(r, "client_secret"))) {
		fm_error(r, 400, 101, 0, NULL, "Error validating client "
		    "secret.");
		return;
	}
	if (ig_auth(r, "ig_short", &t, &old) == -1)
		return;
	if (issue("ig_long", t.scopes, FM_LONG_TTL, tok) == -1) {
		fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
		return;
	}
	token_answer(r, tok, FM_LONG_TTL);
	crypto_wipe(tok, sizeof(tok));
}

static void
refresh(struct req *r)
{
	const char	*gt = fm_param(r, "grant_type"), *old;
	struct fm_token	 t;
	char		 tok[128];

	if (gt == NULL || strcmp(gt, "ig_refresh_token") != 0) {
		fm_error(r, 400, 100, 0, NULL, "Unsupported grant_type");
		return;
	}
	if (ig_auth(r, "ig_long", &t, &old) == -1)
		return;
	if ((long long)time(NULL) - t.issued_at < 86400) {
		fm_error(r, 400, 100, 0, NULL, "The access token must be at "
		    "least 24 hours old to be refreshed.");
		return;
	}
	if (issue("ig_long", t.scopes, FM_LONG_TTL, tok) == -1) {
		fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
		return;
	}
	token_answer(r, tok, FM_LONG_TTL);
	crypto_wipe(tok, sizeof(tok));
}

static void
me(struct req *r)
{
	struct fm_token	 t;
	const char	*tok;
	cJSON		*o;

	if (ig_auth(r, NULL, &t, &tok) == -1)
		return;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "user_id", FM_IGL_USER_ID);
	cJSON_AddStringToObject(o, "username", FM_IGL_USERNAME);
	cJSON_AddStringToObject(o, "id", FM_IGL_ID);
	fm_json(r, o);
}

/* 0 when every field of list is an Instagram webhook field, else -1
 * with the error sent. */
static int
check_fields(struct req *r, const char *list)
{
	const char	*p, *e;
	char		 one[64], msg[160];
	size_t		 n, i;

	for (p = list; p != NULL && *p != '\0'; p = e != NULL ? e + 1 : NULL) {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n >= sizeof(one))
			n = sizeof(one) - 1;
		memcpy(one, p, n);
		one[n] = '\0';
		for (i = 0; ig_fields[i] != NULL; i++)
			if (strcmp(one, ig_fields[i]) == 0)
				break;
		if (ig_fields[i] == NULL) {
			snprintf(msg, sizeof(msg), "(#100) Invalid "
			    "subscribed_fields: \"%.40s\"", one);
			fm_error(r, 400, 100, 0, NULL, msg);
			return -1;
		}
	}
	return 0;
}

static void
subscribed_apps(struct req *r)
{
	const char	*fields = fm_param(r, "subscribed_fields"), *tok;
	const char	*p, *e;
	struct fm_token	 t;
	char		 have[1024], one[64];
	size_t		 n;
	cJSON		*o, *d, *a, *arr;
	int		 rc;

	if (ig_auth(r, NULL, &t, &tok) == -1)
		return;
	if (r->method == HTTP_POST) {
		if (fields == NULL || fields[0] == '\0') {
			fm_error(r, 400, 100, 0, NULL, "(#100) The parameter "
			    "subscribed_fields is required.");
			return;
		}
		if (check_fields(r, fields) == -1)
			return;
		if (fm_sub_set(FM_IGL_USER_ID, fields) == -1) {
			fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
			return;
		}
		o = cJSON_CreateObject();
		cJSON_AddTrueToObject(o, "success");
		fm_json(r, o);
		return;
	}
	o = cJSON_CreateObject();
	d = cJSON_AddArrayToObject(o, "data");
	if ((rc = fm_sub_get(FM_IGL_USER_ID, have, sizeof(have))) == 1) {
		a = cJSON_CreateObject();
		cJSON_AddItemToArray(d, a);
		cJSON_AddStringToObject(a, "id", fm_app.ig_app_id);
		cJSON_AddStringToObject(a, "name", FM_APP_NAME);
		arr = cJSON_AddArrayToObject(a, "subscribed_fields");
		for (p = have; *p != '\0'; p = e != NULL ? e + 1 : "") {
			e = strchr(p, ',');
			n = e != NULL ? (size_t)(e - p) : strlen(p);
			if (n == 0 || n >= sizeof(one))
				continue;
			memcpy(one, p, n);
			one[n] = '\0';
			cJSON_AddItemToArray(arr, cJSON_CreateString(one));
		}
	}
	fm_json(r, o);
}

/* The path after "graph/v<major>.<minor>", or NULL. */
static const char *
versioned(const char *p)
{
	size_t i = 7;

	if (strncmp(p, "graph/v", 7) != 0)
		return NULL;
	while (p[i] >= '0' && p[i] <= '9')
		i++;
	if (i == 7 || p[i] != '.')
		return NULL;
	i++;
	while (p[i] >= '0' && p[i] <= '9')
		i++;
	return p[i] == '/' ? p + i : NULL;
}

/* GET graph/<version>/<IGSID>?fields=...: a person's profile, with an
 * Instagram Login token (fm_media.c answers). */
static void
ig_profile(struct req *r, const char *id)
{
	struct fm_token	 t;
	const char	*tok;

	if (ig_auth(r, NULL, &t, &tok) == -1)
		return;
	fm_media_profile(r, id);
}

int
fm_ig_issue(const char *kind, long long ttl, char *out)
{
	return issue(kind, IG_SCOPES, ttl, out);
}

/* POST graph/<version>/me/messages: a send as the Instagram Login
 * account, with its 60-day token. */
static void
ig_send(struct req *r)
{
	struct fm_token	 t;
	const char	*tok;

	if (ig_auth(r, "ig_long", &t, &tok) == -1)
		return;
	fm_ig_login_messages(r, FM_IGL_USER_ID);
}

void
fm_instagram(struct req *r, const char *path)
{
	const char	*v;
	int		 get = r->method == HTTP_GET, post = r->method == HTTP_POST;

	if (fm_app.ig_app_id[0] == '\0' || fm_app.ig_app_secret[0] == '\0') {
		http_json_error(r, 503, "Instagram Login needs instagram_app_id "
		    "and instagram_app_secret in the configuration");
		return;
	}
	if (strcmp(path, "oauth/authorize") == 0 && get)
		authorize(r);
	else if (strcmp(path, "oauth/authorize/confirm") == 0 && post)
		confirm(r);
	else if (strcmp(path, "api/oauth/access_token") == 0 && post)
		code_exchange(r);
	else if (strcmp(path, "graph/access_token") == 0 && get)
		long_lived(r);
	else if (strcmp(path, "graph/refresh_access_token") == 0 && get)
		refresh(r);
	else if ((v = versioned(path)) != NULL && strcmp(v, "/me") == 0 && get)
		me(r);
	else if (v != NULL && strcmp(v, "/me/messages") == 0 && post)
		ig_send(r);
	else if (v != NULL && strcmp(v, "/me/subscribed_apps") == 0 &&
	    (get || post))
		subscribed_apps(r);
	else if (v != NULL && get && fm_media_profile_asked(r, v + 1))
		ig_profile(r, v + 1);
	else
		fm_error(r, 400, 100, 0, "IGApiException", "Unsupported request");
}
