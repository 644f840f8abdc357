/*
 * oauth: Facebook Login and the picker that turns Pages and Instagram
 * accounts into channels.  See oauth.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "api_session.h"
#include "app.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_channel.h"
#include "db_oauth.h"
#include "graph.h"
#include "graph_oauth.h"
#include "json.h"
#include "log.h"
#include "oauth.h"
#include "oauth_int.h"
#include "oauth_state.h"
#include "session.h"

const struct conf *oauth_conf;

const struct route_field oauth_login_fields[OAUTH_LOGIN__MAX] = {
	[OAUTH_LOGIN_PLATFORM] = { "platform", FIELD_TEXT, 1, 16,
	    FIELD_REQUIRED },
	[OAUTH_LOGIN_PRODUCTS] = { "products", FIELD_TEXT, 0, 64, 0 },
};
const struct route_field oauth_callback_fields[OAUTH_CB__MAX] = {
	/* Long enough that a bad state reaches the handler (and the audit
	 * log) instead of the gate's plain 400. */
	[OAUTH_CB_STATE] = { "state", FIELD_TEXT, 0, 4096, 0 },
	[OAUTH_CB_CODE] = { "code", FIELD_TEXT, 0, HG_OAUTH_CODE_MAX, 0 },
	[OAUTH_CB_ERROR] = { "error", FIELD_TEXT, 0, 256, 0 },
	[OAUTH_CB_ERROR_REASON] = { "error_reason", FIELD_TEXT, 0, 256, 0 },
};

/* Scopes per product, and what stops working without each. */
static const struct {
	const char	*product, *scopes;
} products[] = {
	{ "messenger", "pages_show_list,pages_messaging,pages_manage_metadata" },
	{ "instagram", "instagram_basic,instagram_manage_messages" },
	{ "whatsapp", "whatsapp_business_management,"
	    "whatsapp_business_messaging" },
};
static const struct {
	const char	*scope, *without;
} scope_needs[] = {
	{ "pages_show_list", "hubgate cannot list your Pages" },
	{ "pages_messaging", "Messenger conversations cannot be read or "
	    "answered" },
	{ "pages_manage_metadata", "Pages cannot be subscribed to "
	    "notifications, so no event arrives" },
	{ "instagram_basic", "Instagram accounts linked to your Pages are "
	    "not found" },
	{ "instagram_manage_messages", "Instagram messages cannot be read "
	    "or answered" },
	{ "whatsapp_business_management", "WhatsApp accounts cannot be "
	    "managed" },
	{ "whatsapp_business_messaging", "WhatsApp messages cannot be sent" },
	{ "instagram_business_basic", "the Instagram account cannot be "
	    "read" },
	{ "instagram_business_manage_messages", "Instagram messages cannot "
	    "be read or answered" },
};

void
oauth_setup(const struct conf *c)
{
	oauth_conf = c;
}

/* --- pages --- */

void
oauth_html(struct req *r, const char *s)
{
	const char *p, *e;

	for (p = s; p != NULL && *p != '\0'; p++) {
		switch (*p) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: http_write(r, p, 1); continue;
		}
		http_puts(r, e);
	}
}

void
oauth_page_begin(struct req *r, int status, const char *title)
{
	http_text(r, status, "");
	buf_reset(&r->rhead);
	http_add_header(r, "Content-Type", "text/html; charset=utf-8");
	http_add_header(r, "Cache-Control", "no-store");
	http_puts(r, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\"><title>");
	oauth_html(r, title);
	http_puts(r, " · hubgate</title>\n<link rel=\"stylesheet\" "
	    "href=\"/css/app.css\"></head>\n<body><main class=\"oauth\">\n<h1>");
	oauth_html(r, title);
	http_puts(r, "</h1>\n");
}

void
oauth_para(struct req *r, const char *text)
{
	http_puts(r, "<p>");
	oauth_html(r, text);
	http_puts(r, "</p>\n");
}

void
oauth_page_end(struct req *r, const char *href, const char *text)
{
	if (href != NULL) {
		http_puts(r, "<p><a href=\"");
		oauth_html(r, href);
		http_puts(r, "\">");
		oauth_html(r, text);
		http_puts(r, "</a></p>\n");
	}
	http_puts(r, "</main></body></html>\n");
}

void
oauth_page(struct req *r, int status, const char *title, const char *text)
{
	oauth_page_begin(r, status, title);
	oauth_para(r, text);
	oauth_page_end(r, OAUTH_CHANNELS_PAGE, "Back to the channels");
}

int
oauth_audit(struct db *d, const struct route_who *who, long long workspace,
    const char *action, const char *object, const char *detail,
    const struct req *r)
{
	return api_audit(d, who, workspace, action, object, detail,
	    http_client(r));
}

/* --- scopes --- */

int
oauth_scopes(const char *list, char *out, size_t outsz)
{
	char		 one[32];
	const char	*p, *e;
	size_t		 i, n, o = 0;

	if (list == NULL || list[0] == '\0')
		list = "messenger,instagram";
	out[0] = '\0';
	for (p = list; p != NULL && *p != '\0'; p = e != NULL ? e + 1 : NULL) {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n >= sizeof(one))
			return -1;
		memcpy(one, p, n);
		one[n] = '\0';
		for (i = 0; i < sizeof(products) / sizeof(products[0]); i++)
			if (strcmp(one, products[i].product) == 0)
				break;
		if (i == sizeof(products) / sizeof(products[0]))
			return -1;
		if (strstr(out, products[i].scopes) != NULL)
			continue;
		if (o + strlen(products[i].scopes) + 2 > outsz)
			return -1;
		o += (size_t)snprintf(out + o, outsz - o, "%s%s",
		    o > 0 ? "," : "", products[i].scopes);
	}
	return 0;
}

/* 1 when the comma list has item. */
static int
list_has(const char *list, const char *item, size_t n)
{
	const char *p, *e;

	for (p = list; p != NULL && *p != '\0'; p = e != NULL ? e + 1 : NULL) {
		e = strchr(p, ',');
		if ((e != NULL ? (size_t)(e - p) : strlen(p)) == n &&
		    strncmp(p, item, n) == 0)
			return 1;
	}
	return 0;
}

void
oauth_declined(const char *asked, const char *granted, char *out,
    size_t outsz)
{
	const char	*p, *e;
	size_t		 n, o = 0;

	out[0] = '\0';
	for (p = asked; p != NULL && *p != '\0'; p = e != NULL ? e + 1 : NULL) {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 0 || list_has(granted, p, n) || o + n + 2 > outsz)
			continue;
		o += (size_t)snprintf(out + o, outsz - o, "%s%.*s",
		    o > 0 ? "," : "", (int)n, p);
	}
}

/* List the declined scopes with what will not work without them. */
void
oauth_declined_list(struct req *r, const char *declined)
{
	const char	*p, *e;
	char		 one[64];
	size_t		 n, i;

	if (declined == NULL || declined[0] == '\0')
		return;
	http_puts(r, "<section class=\"declined\"><h2>Permissions you "
	    "declined</h2>\n<ul>\n");
	for (p = declined; *p != '\0'; p = e != NULL ? e + 1 : "") {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n >= sizeof(one))
			continue;
		memcpy(one, p, n);
		one[n] = '\0';
		http_puts(r, "<li><code>");
		oauth_html(r, one);
		http_puts(r, "</code>: ");
		for (i = 0; i < sizeof(scope_needs) / sizeof(scope_needs[0]); i++)
			if (strcmp(one, scope_needs[i].scope) == 0)
				break;
		oauth_html(r, i < sizeof(scope_needs) / sizeof(scope_needs[0]) ?
		    scope_needs[i].without : "some features may not work");
		http_puts(r, ".</li>\n");
	}
	http_puts(r, "</ul>\n<p>Connect again and allow them to use "
	    "everything.</p></section>\n");
}

/* --- who is calling --- */

/* The signed-in person of r: 1 with s and role filled; 0 nobody; -1. */
int
oauth_signed_in(struct req *r, struct db *d, struct db_session *s, enum role *role)
{
	char	 name[8];
	int	 rc;

	if ((rc = session_current(r, d, oauth_conf, s)) != 1)
		return rc;
	if ((rc = db_member_role(d, s->workspace_id, s->user_id, name)) != 1)
		return rc;
	*role = session_role(name);
	return 1;
}

void
oauth_who_of(const struct db_session *s, enum role role, struct route_who *w)
{
	memset(w, 0, sizeof(*w));
	w->via = ROUTE_SESSION;
	w->user = s->user_id;
	w->workspace = s->workspace_id;
	w->role = role;
	w->session = s->rowid;
}

/* 1 when r comes from a program rather than a browser's navigation. */
static int
api_client(const struct req *r)
{
	const char *accept = http_header(r, "Accept");
	const char *auth = http_header(r, "Authorization");

	return auth != NULL || (accept != NULL &&
	    strstr(accept, "application/json") != NULL &&
	    strstr(accept, "text/html") == NULL);
}

int
oauth_dialog_url(char *out, size_t outsz)
{
	const char	*ver = conf_get(oauth_conf, "graph_version");
	int		 n;

	if (strcmp(conf_get(oauth_conf, "sandbox"), "yes") == 0)
		n = snprintf(out, outsz, "%s/%s/dialog/oauth",
		    conf_get(oauth_conf, "graph_base_url"), ver);
	else
		n = snprintf(out, outsz, "https://www.facebook.com/%s/"
		    "dialog/oauth", ver);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int
oauth_own_url(const char *path, char *out, size_t outsz)
{
	const char	*base = conf_get(oauth_conf, "base_url");
	size_t		 n = strlen(base);
	int		 w;

	while (n > 0 && base[n - 1] == '/')
		n--;
	w = snprintf(out, outsz, "%.*s%s", (int)n, base, path);
	return w < 0 || (size_t)w >= outsz ? -1 : 0;
}

/* /oauth/login?platform=instagram for the admin s: to Instagram's
 * dialog. */
static void
ig_login(struct req *r, struct db *d, const struct db_session *s,
    const struct route_who *who)
{
	struct buf	 loc;
	char		 state[HG_OAUTH_STATE_MAX + 1], ru[HG_LINK_MAX];

	if (*conf_get(oauth_conf, "state_secret") == '\0' ||
	    *conf_get(oauth_conf, "token_key") == '\0' ||
	    *conf_get(oauth_conf, "instagram_app_id") == '\0' ||
	    *conf_get(oauth_conf, "instagram_app_secret") == '\0') {
		oauth_page(r, 503, "Not configured", "Instagram Login needs "
		    "instagram_app_id, instagram_app_secret, state_secret and "
		    "token_key in the configuration.");
		return;
	}
	buf_init(&loc, 8192);
	if (oauth_state_make(conf_get(oauth_conf, "state_secret"), s->id,
	    "instagram", (long long)time(NULL), state, sizeof(state)) == -1 ||
	    oauth_own_url("/oauth/callback", ru, sizeof(ru)) == -1 ||
	    oauth_ig_location(&loc, state, ru) == -1) {
		buf_free(&loc);
		oauth_page(r, 500, "Error", "The Login could not be started.");
		return;
	}
	http_text(r, 302, "");
	http_add_header(r, "Location", buf_cstr(&loc));
	buf_free(&loc);
	oauth_audit(d, who, s->workspace_id, "oauth_started", "instagram",
	    OAUTH_IG_SCOPES, r);
}

/* Answer a request from someone not signed in: 401 for programs, else
 * to the sign-in page, which comes back to the channels. */
void
oauth_need_signin(struct req *r)
{
	if (api_client(r)) {
		http_json_error(r, 401, "sign in first");
		return;
	}
	http_text(r, 302, "");
	http_add_header(r, "Location", "/login.html?next=channels.html");
}

void
oauth_login(struct req *r, const struct route_ctx *cx)
{
	const char		*platform = cx->v[OAUTH_LOGIN_PLATFORM].s;
	struct db_session	 s;
	struct route_who	 who;
	struct buf		 loc;
	struct db		*d;
	enum role		 role;
	char			 state[HG_OAUTH_STATE_MAX + 1];
	char			 scopes[512], url[HG_LINK_MAX], ru[HG_LINK_MAX];
	int			 rc;

	if ((d = app_db(oauth_conf)) == NULL) {
		oauth_page(r, 503, "Unavailable", "The database cannot be "
		    "opened now. Try again in a moment.");
		return;
	}
	if ((rc = oauth_signed_in(r, d, &s, &role)) == -1) {
		oauth_page(r, 503, "Unavailable", "The session cannot be "
		    "checked now. Try again in a moment.");
		return;
	}
	if (rc == 0) {
		oauth_need_signin(r);
		return;
	}
	if (role < ROLE_ADMIN) {
		oauth_page(r, 403, "Not allowed", "Connecting accounts needs "
		    "an admin of this workspace.");
		return;
	}
	oauth_who_of(&s, role, &who);
	if (strcmp(platform, "instagram") == 0) {
		ig_login(r, d, &s, &who);
		return;
	}
	if (strcmp(platform, "whatsapp") == 0) {
		oauth_wa_login(r, d, &s, &who);
		return;
	}
	if (strcmp(platform, "facebook") != 0) {
		oauth_page(r, 400, "Unknown platform", "platform must be "
		    "facebook, instagram or whatsapp.");
		return;
	}
	if (oauth_scopes(cx->v[OAUTH_LOGIN_PRODUCTS].s, scopes,
	    sizeof(scopes)) == -1) {
		oauth_page(r, 400, "Unknown product", "products is a comma "
		    "list of messenger, instagram and whatsapp.");
		return;
	}
	if (*conf_get(oauth_conf, "state_secret") == '\0' ||
	    *conf_get(oauth_conf, "token_key") == '\0' ||
	    *conf_get(oauth_conf, "app_id") == '\0') {
		oauth_page(r, 503, "Not configured", "Facebook Login needs "
		    "app_id, app_secret, state_secret and token_key in the "
		    "configuration.");
		return;
	}
	if (oauth_state_make(conf_get(oauth_conf, "state_secret"), s.id,
	    platform, (long long)time(NULL), state, sizeof(state)) == -1 ||
	    oauth_dialog_url(url, sizeof(url)) == -1 ||
	    oauth_own_url("/oauth/callback", ru, sizeof(ru)) == -1) {
		oauth_page(r, 500, "Error", "The Login could not be started.");
		return;
	}
	buf_init(&loc, 8192);
	buf_puts(&loc, url);
	buf_puts(&loc, "?client_id=");
	buf_url_encode(&loc, conf_get(oauth_conf, "app_id"));
	buf_puts(&loc, "&redirect_uri=");
	buf_url_encode(&loc, ru);
	buf_puts(&loc, "&state=");
	buf_url_encode(&loc, state);
	buf_puts(&loc, "&response_type=code&scope=");
	buf_url_encode(&loc, scopes);
	if (loc.err) {
		buf_free(&loc);
		oauth_page(r, 500, "Error", "The Login could not be started.");
		return;
	}
	http_text(r, 302, "");
	http_add_header(r, "Location", buf_cstr(&loc));
	buf_free(&loc);
	oauth_audit(d, &who, s.workspace_id, "oauth_started", platform, scopes,
	    r);
}

/* --- the callback --- */

/* What the callback gathers about the Pages. */
struct pages {
	cJSON	*arr;		/* [{id, name, token, ig}] */
	size_t	 n;
	int	 too_many;
};

static int
page_each(void *arg, const cJSON *page)
{
	struct pages	*p = arg;
	const char	*name = json_str(page, "name");
	const char	*tok = json_str(page, "access_token");
	char		 id[HG_META_ID_MAX + 1], ig[HG_META_ID_MAX + 1];
	cJSON		*o;

	if (p->n >= HG_OAUTH_PAGES_MAX) {
		p->too_many = 1;
		return -1;
	}
	if (json_id(cJSON_GetObjectItemCaseSensitive(page, "id"), id) == NULL ||
	    tok == NULL)
		return 0;		/* not a Page hubgate can use */
	if (json_id(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    page, "instagram_business_account"), "id"), ig) == NULL)
		ig[0] = '\0';
	if ((o = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddItemToArray(p->arr, o);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "name", name != NULL ? name : "");
	cJSON_AddStringToObject(o, "token", tok);
	if (ig[0] != '\0')
		cJSON_AddStringToObject(o, "ig", ig);
	p->n++;
	return 0;
}

/* Wipe every "token" string of the pick payload, then free it. */
void
oauth_payload_free(cJSON *j)
{
	cJSON *pages = cJSON_GetObjectItemCaseSensitive(j, "pages"), *p, *t;

	cJSON_ArrayForEach(p, pages) {
		t = cJSON_GetObjectItemCaseSensitive(p, "token");
		if (cJSON_IsString(t))
			crypto_wipe(t->valuestring, strlen(t->valuestring));
	}
	cJSON_Delete(j);
}

/* Seal the n bytes at pt with the configuration's key and aad into
 * out; 0 or -1. */
int
oauth_seal(const void *pt, size_t n, const char *aad, struct buf *out)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	int		 rc;

	if (crypto_key_parse(conf_get(oauth_conf, "token_key"), key) == -1)
		return -1;
	rc = crypto_seal(key, pt, n, aad, strlen(aad), out);
	crypto_wipe(key, sizeof(key));
	return rc;
}

int
oauth_unseal(const struct buf *in, const char *aad, struct buf *out)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	int		 rc;

	if (crypto_key_parse(conf_get(oauth_conf, "token_key"), key) == -1)
		return -1;
	rc = crypto_open(key, in->data, in->len, aad, strlen(aad), out);
	crypto_wipe(key, sizeof(key));
	return rc;
}

/* A failed Graph call as a page: Meta's words for people when it gave
 * some, else ours. */
static void
graph_failed(struct req *r, const char *what, const struct graph_result *res)
{
	char msg[768];

	snprintf(msg, sizeof(msg), "%s%s%s", what, res->user_msg[0] != '\0' ?
	    " Meta says: " : " Start again from the channels page.",
	    res->user_msg);
	oauth_page(r, 502, "Facebook Login failed", msg);
}

void
oauth_log_graph(const char *event, const struct graph_result *res)
{
	struct logline l;

	log_begin(&l, LOG_LEVEL_WARN, event);
	log_int(&l, "code", res->code);
	log_int(&l, "subcode", res->subcode);
	log_str(&l, "fbtrace_id", res->fbtrace_id);
	log_str(&l, "message", res->message);
	log_end(&l);
}

/* The picker page for payload j (pages) of workspace ws. */
static void
picker(struct req *r, struct db *d, const cJSON *j, long long ws,
    const char *pick_id, const char *csrf, const char *declined)
{
	const cJSON	*p, *pages = cJSON_GetObjectItemCaseSensitive(j, "pages");
	const char	*id, *ig, *name;
	long long	 cid, cws;
	int		 rc, k;

	oauth_page_begin(r, 200, "Choose what to connect");
	oauth_declined_list(r, declined);
	http_puts(r, "<form method=\"post\" action=\"/oauth/connect\">\n"
	    "<input type=\"hidden\" name=\"pick\" value=\"");
	oauth_html(r, pick_id);
	http_puts(r, "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
	oauth_html(r, csrf);
	http_puts(r, "\">\n<table class=\"pick\"><thead><tr><th>Facebook Page"
	    "</th><th>Instagram account</th></tr></thead>\n<tbody>\n");
	cJSON_ArrayForEach(p, pages) {
		id = json_str(p, "id");
		name = json_str(p, "name");
		ig = json_str(p, "ig");
		http_puts(r, "<tr>");
		for (k = 0; k < 2; k++) {
			const char *kind = k == 0 ? "page" : "instagram";
			const char *mid = k == 0 ? id : ig;

			http_puts(r, "<td>");
			if (mid == NULL) {
				http_puts(r, "—</td>");
				continue;
			}
			rc = db_channel_find(d, kind, mid, &cid, &cws);
			if (rc == 1 && cws != ws) {
				http_puts(r, "<span class=\"taken\">");
				oauth_html(r, k == 0 ? name : "Instagram account");
				http_puts(r, " (<code>");
				oauth_html(r, mid);
				http_puts(r, "</code>): connected to another "
				    "workspace</span></td>");
				continue;
			}
			http_puts(r, "<label><input type=\"checkbox\" name=\"");
			http_puts(r, kind);
			http_puts(r, "\" value=\"");
			oauth_html(r, mid);
			http_puts(r, "\"> ");
			oauth_html(r, k == 0 ? name : "Instagram account");
			http_puts(r, " (<code>");
			oauth_html(r, mid);
			http_puts(r, "</code>)");
			if (rc == 1)
				http_puts(r, " <span class=\"connected\">"
				    "connected here: choose it to reconnect"
				    "</span>");
			http_puts(r, "</label></td>");
		}
		http_puts(r, "</tr>\n");
	}
	http_puts(r, "</tbody></table>\n<p><button class=\"btn\" type=\"submit\">"
	    "Connect</button></p>\n</form>\n");
	oauth_page_end(r, OAUTH_CHANNELS_PAGE, "Cancel");
}

/* Refuse a state: 400, audit-logged, nothing stored. */
static void
state_refused(struct req *r, struct db *d, const struct route_who *who,
    long long ws, enum oauth_state_err why)
{
	struct logline l;

	log_begin(&l, LOG_LEVEL_WARN, "oauth.state_refused");
	log_str(&l, "reason", oauth_state_err_names[why]);
	log_end(&l);
	oauth_audit(d, who, ws, "oauth_state_refused", "",
	    oauth_state_err_names[why], r);
	oauth_page(r, 400, "This Login cannot be used",
	    why == OAUTH_STATE_EXPIRED ? "The Login took too long. Start it "
	    "again from the channels page." : why == OAUTH_STATE_REPLAYED ?
	    "This Login was already used. Start again from the channels "
	    "page." : "This answer from Facebook does not belong to a Login "
	    "started here by you. Start again from the channels page.");
}

void
oauth_callback(struct req *r, const struct route_ctx *cx)
{
	const char		*state = cx->v[OAUTH_CB_STATE].s;
	const char		*code = cx->v[OAUTH_CB_CODE].s;
	struct db_session	 s;
	struct route_who	 who;
	struct db_meta_login	 ml;
	struct graph_token	 st, lt;
	struct graph_token_info	 info;
	struct graph_result	 res;
	struct graph_param	 mep[] = { { "fields", "id,name" }, { NULL, NULL } };
	struct pages		 pg;
	struct graph		*g = NULL;
	struct db		*d;
	struct buf		 sealed, lsealed;
	enum oauth_state_err	 why;
	enum role		 role = ROLE_NONE;
	cJSON			*j = NULL;
	char			*txt = NULL;
	char			 nonce[OAUTH_NONCE_CHARS + 1], platform[16];
	char			 ru[HG_LINK_MAX], err[256], scopes[512];
	char			 declined[512], aad[128], name[256];
	char			 detail[600];
	char			 pick[CRYPTO_TOKEN_CHARS + 1];
	char			 pick_hash[2 * CRYPTO_SHA256_LEN + 1];
	long long		 now = (long long)time(NULL);
	int			 rc, ig;

	memset(&st, 0, sizeof(st));
	memset(&lt, 0, sizeof(lt));
	memset(&res, 0, sizeof(res));
	buf_init(&sealed, HG_OAUTH_PICK_MAX + 1024);
	buf_init(&lsealed, 4096);
	if ((d = app_db(oauth_conf)) == NULL ||
	    (rc = oauth_signed_in(r, d, &s, &role)) == -1) {
		oauth_page(r, 503, "Unavailable", "Try again in a moment.");
		goto out;
	}
	if (rc == 1)
		oauth_who_of(&s, role, &who);
	else
		memset(&who, 0, sizeof(who));
	if (cx->v[OAUTH_CB_ERROR].set) {
		/* The person cancelled (access_denied), or Meta refused. */
		oauth_audit(d, rc == 1 ? &who : NULL, rc == 1 ? s.workspace_id :
		    0, "oauth_cancelled", "", cx->v[OAUTH_CB_ERROR].s, r);
		if (state != NULL && strstr(state, ".whatsapp.") != NULL) {
			oauth_wa_cancelled(r, cx->v[OAUTH_CB_ERROR].s);
			goto out;
		}
		/* The state's platform only chooses the words here. */
		ig = state != NULL && strstr(state, ".instagram.") != NULL;
		oauth_page(r, 200, "Nothing was connected", strcmp(
		    cx->v[OAUTH_CB_ERROR].s, "access_denied") == 0 ? (ig ?
		    "You cancelled the Instagram Login: nothing was connected "
		    "or stored. You can connect your accounts at any time." :
		    "You cancelled the Facebook Login: nothing was connected or "
		    "stored. You can connect your accounts at any time.") : ig ?
		    "Instagram did not complete the Login: nothing was "
		    "connected or stored." :
		    "Facebook did not complete the Login: nothing was "
		    "connected or stored.");
		goto out;
	}
	why = oauth_state_check(conf_get(oauth_conf, "state_secret"), state,
	    rc == 1 ? s.id : NULL, now, conf_get_int(oauth_conf,
	    "oauth_state_ttl_s"), nonce, platform);
	if (why == OAUTH_STATE_OK) {
		rc = db_oauth_nonce_use(d, nonce, now + HG_OAUTH_STATE_TTL_S +
		    60, now);
		if (rc == -1) {
			oauth_page(r, 503, "Unavailable", "Try again in a moment.");
			goto out;
		}
		if (rc == 0)
			why = OAUTH_STATE_REPLAYED;
	}
	if (why != OAUTH_STATE_OK) {
		state_refused(r, d, who.user != 0 ? &who : NULL,
		    who.user != 0 ? s.workspace_id : 0, why);
		goto out;
	}
	if (role < ROLE_ADMIN) {
		oauth_page(r, 403, "Not allowed", "Connecting accounts needs "
		    "an admin of this workspace.");
		goto out;
	}
	if (code == NULL || code[0] == '\0') {
		oauth_page(r, 400, "Login failed", "Meta sent no code. Start "
		    "again from the channels page.");
		goto out;
	}
	if (strcmp(platform, "instagram") == 0) {
		oauth_ig_finish(r, d, &s, &who, code, now);
		goto out;
	}
	if (strcmp(platform, "whatsapp") == 0) {
		oauth_wa_finish(r, d, &s, &who, code, now);
		goto out;
	}
	if ((g = graph_new(oauth_conf, err, sizeof(err))) == NULL ||
	    oauth_own_url("/oauth/callback", ru, sizeof(ru)) == -1) {
		log_msg(LOG_LEVEL_ERROR, "oauth.graph", g == NULL ? err : "ru");
		oauth_page(r, 503, "Not configured", "Facebook Login is not "
		    "configured on this server.");
		goto out;
	}
	/* A code is good once: whatever happens, never again. */
	if (graph_oauth_code(g, code, ru, &st, &res) == -1) {
		oauth_log_graph("oauth.code_failed", &res);
		oauth_audit(d, &who, s.workspace_id, "oauth_exchange_failed",
		    "", res.message, r);
		graph_failed(r, "Facebook did not accept the Login.", &res);
		goto out;
	}
	graph_result_free(&res);
	if (graph_oauth_exchange(g, st.access_token, &lt, &res) == -1) {
		oauth_log_graph("oauth.exchange_failed", &res);
		graph_failed(r, "The long-lived token could not be obtained.",
		    &res);
		goto out;
	}
	graph_result_free(&res);
	if (graph_oauth_debug_token(g, lt.access_token, &info, &res) == -1 ||
	    !info.is_valid || info.user_id[0] == '\0') {
		oauth_log_graph("oauth.debug_token_failed", &res);
		graph_failed(r, "The token Facebook gave could not be checked.",
		    &res);
		goto out;
	}
	graph_result_free(&res);
	name[0] = '\0';
	if (graph_call(g, GRAPH_GET, "/me", mep, NULL, GRAPH_AUTH_USER,
	    lt.access_token, &res) == 0 && json_str(res.json, "name") != NULL)
		snprintf(name, sizeof(name), "%s", json_str(res.json, "name"));
	graph_result_free(&res);
	oauth_scopes(NULL, scopes, sizeof(scopes));
	oauth_declined(scopes, info.scopes, declined, sizeof(declined));

	memset(&pg, 0, sizeof(pg));
	j = cJSON_CreateObject();
	pg.arr = cJSON_AddArrayToObject(j, "pages");
	if (graph_oauth_pages(g, lt.access_token, NULL, page_each, &pg, NULL,
	    &res) == -1) {
		oauth_log_graph("oauth.pages_failed", &res);
		graph_failed(r, pg.too_many ? "You manage more Pages than "
		    "hubgate can list at once." : "Your Pages could not be "
		    "read.", &res);
		goto out;
	}
	graph_result_free(&res);

	/* The Login, kept for the token cron. */
	snprintf(aad, sizeof(aad), "meta_login:facebook:%s", info.user_id);
	if (oauth_seal(lt.access_token, strlen(lt.access_token), aad, &lsealed) == -1) {
		oauth_page(r, 503, "Not configured", "The token cannot be "
		    "stored: check token_key.");
		goto out;
	}
	memset(&ml, 0, sizeof(ml));
	ml.workspace_id = s.workspace_id;
	ml.platform = "facebook";
	ml.meta_user_id = info.user_id;
	ml.name = name;
	ml.token_sealed = &lsealed;
	ml.token_expires_at = info.expires_at != 0 ? info.expires_at :
	    lt.expires_in > 0 ? now + lt.expires_in : 0;
	ml.data_access_expires_at = info.data_access_expires_at;
	ml.scopes = info.scopes;
	ml.declined = declined;
	ml.now = now;
	cJSON_AddStringToObject(j, "declined", declined);
	if (crypto_token(pick, sizeof(pick)) == -1)
		goto fail;
	crypto_sha256_hex(pick, pick_hash);
	snprintf(aad, sizeof(aad), "oauth_pick:%s", pick_hash);
	if ((txt = cJSON_PrintUnformatted(j)) == NULL ||
	    oauth_seal(txt, strlen(txt), aad, &sealed) == -1)
		goto fail;
	if (db_begin(d) == -1)
		goto fail;
	if (db_meta_login_put(d, &ml) == -1 ||
	    db_oauth_pick_add(d, pick_hash, s.id, s.user_id, s.workspace_id,
	    ml.id, &sealed, now + HG_OAUTH_PICK_TTL_S, now) == -1 ||
	    db_commit(d) == -1) {
		db_rollback(d);
		goto fail;
	}
	snprintf(detail, sizeof(detail), "pages=%zu declined=%s", pg.n,
	    declined[0] != '\0' ? declined : "none");
	oauth_audit(d, &who, s.workspace_id, "oauth_login", "meta_login",
	    detail, r);
	picker(r, d, j, s.workspace_id, pick, s.csrf_token, declined);
	goto out;
fail:
	oauth_page(r, 500, "Error", "The Login could not be kept. Try again.");
out:
	if (txt != NULL) {
		crypto_wipe(txt, strlen(txt));
		free(txt);
	}
	oauth_payload_free(j);
	graph_result_free(&res);
	graph_oauth_token_free(&st);
	graph_oauth_token_free(&lt);
	app_graph_free(d, g);
	buf_free(&sealed);
	buf_free(&lsealed);
	crypto_wipe(pick, sizeof(pick));
}

/* --- connecting the chosen --- */
