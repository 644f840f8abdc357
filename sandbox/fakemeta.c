/*
 * fakemeta: the fake of Meta (see fm.h): main, the dispatcher, the
 * fault injector and the helpers the endpoints share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "conf.h"
#include "crypto.h"
#include "graph_send.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "num.h"
#include "utf8.h"

#include "fm.h"

struct fm_app fm_app;
static int fm_ready;

/* Form parameters of the current request (POSTs of the dialog and of
 * the control API). */
static __thread struct params fm_form;

static const char *const page_names[] = {
	"Sandbox Bakery", "Sandbox Bikes", "Sandbox Books", "Sandbox Cafe",
	"Sandbox Dental", "Sandbox Florist", "Sandbox Garage", NULL
};

void
fm_page(int i, struct fm_page *p)
{
	size_t n = sizeof(page_names) / sizeof(page_names[0]) - 1;

	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "1048576000000%02d", i + 1);
	if ((size_t)i < n)
		snprintf(p->name, sizeof(p->name), "%s", page_names[i]);
	else
		snprintf(p->name, sizeof(p->name), "Sandbox Page %02d", i + 1);
	if (i % 3 == 0) {
		snprintf(p->ig_id, sizeof(p->ig_id), "178414000000000%02d", i + 1);
		snprintf(p->ig_username, sizeof(p->ig_username),
		    "sandbox_page_%02d", i + 1);
	}
}

int
fm_page_find(const char *id)
{
	struct fm_page	p;
	int		i;

	for (i = 0; id != NULL && i < FM_PAGES; i++) {
		fm_page(i, &p);
		if (strcmp(p.id, id) == 0)
			return i;
	}
	return -1;
}

int
fm_page_find_ig(const char *id)
{
	struct fm_page	p;
	int		i;

	for (i = 0; id != NULL && i < FM_PAGES; i++) {
		fm_page(i, &p);
		if (p.ig_id[0] != '\0' && strcmp(p.ig_id, id) == 0)
			return i;
	}
	return -1;
}

const char *
fm_param(struct req *r, const char *name)
{
	const char *v = params_get(&r->query, name);

	return v != NULL ? v : params_get(&fm_form, name);
}

void
fm_random(char *out, size_t n)
{
	unsigned char	raw[48];
	char		enc[80];

	crypto_random(raw, sizeof(raw));
	crypto_b64url_encode(raw, sizeof(raw), enc, sizeof(enc));
	if (n > 63)
		n = 63;
	memcpy(out, enc, n);
	out[n] = '\0';
}

/* A "latency" fault with usage=near: this call's answer says the app
 * is near its limit (95%). */
static __thread int fm_usage_near;

void
fm_json(struct req *r, cJSON *obj)
{
	http_json(r, 200, obj);
	http_add_header(r, "X-App-Usage", fm_usage_near ?
	    "{\"call_count\":95,\"total_cputime\":20,\"total_time\":30}" :
	    "{\"call_count\":1,\"total_cputime\":1,\"total_time\":1}");
}

void
fm_error(struct req *r, int status, long code, long subcode,
    const char *type, const char *msg)
{
	cJSON	*o = cJSON_CreateObject(), *e;
	char	 trace[16];

	fm_random(trace, 11);
	e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddStringToObject(e, "type", type != NULL ? type :
	    "OAuthException");
	cJSON_AddNumberToObject(e, "code", (double)code);
	if (subcode != 0)
		cJSON_AddNumberToObject(e, "error_subcode", (double)subcode);
	if (code == 1 || code == 2)
		cJSON_AddTrueToObject(e, "is_transient");
	if (code == 10 && subcode == 2018278) {
		cJSON_AddStringToObject(e, "error_user_title",
		    "Message not sent");
		cJSON_AddStringToObject(e, "error_user_msg", "This person "
		    "has not messaged you in the last 24 hours.");
	}
	if (code == 100 && (subcode == 36007 || subcode == 36009)) {
		cJSON_AddStringToObject(e, "error_user_title",
		    "Login could not be completed");
		cJSON_AddStringToObject(e, "error_user_msg", subcode == 36007 ?
		    "This login link has expired. Please log in again." :
		    "This login link was already used. Please log in again.");
	}
	cJSON_AddStringToObject(e, "fbtrace_id", trace);
	http_json(r, status, o);
	if (code == 190)
		http_add_header(r, "WWW-Authenticate", "OAuth \"Facebook "
		    "Platform\" \"invalid_token\" \"Invalid OAuth access token\"");
}

const char *
fm_request_token(struct req *r)
{
	const char *t = fm_param(r, "access_token"), *h;

	if (t != NULL)
		return t;
	h = http_header(r, "Authorization");
	if (h != NULL && strncmp(h, "Bearer ", 7) == 0 && h[7] != '\0')
		return h + 7;
	return NULL;
}

/* Meta's message for a token revoked with subcode. */
static const char *
revoked_msg(long sub)
{
	switch (sub) {
	case 458: return "Error validating access token: The user has not "
	    "authorized application.";
	case 459: return "Error validating access token: You cannot access "
	    "the app till you log in to www.facebook.com and follow the "
	    "instructions given.";
	case 460: return "Error validating access token: The session has "
	    "been invalidated because the user changed their password or "
	    "Facebook has changed the session for security reasons.";
	case 464: return "Error validating access token: Sessions for the "
	    "user are not allowed because the user is not a confirmed user.";
	default: return "Error validating access token: The session is "
	    "invalid because the user logged out.";
	}
}

/* Check appsecret_proof (and appsecret_time) for token; 0 or -1 with
 * the error sent. */
static int
check_proof(struct req *r, const char *token)
{
	const char	*proof = fm_param(r, "appsecret_proof");
	const char	*ts = fm_param(r, "appsecret_time");
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	char		 hex[2 * CRYPTO_SHA256_LEN + 1];
	struct buf	 msg;
	long long	 t, now = (long long)time(NULL);
	int		 ok;

	if (proof == NULL) {
		if (!fm_app.require_proof)
			return 0;
		fm_error(r, 400, 100, 0, "GraphMethodException", "API calls from "
		    "the server require an appsecret_proof argument");
		return -1;
	}
	buf_init(&msg, 8192);
	if (ts != NULL) {
		if (num_parse_str(ts, 0, 1LL << 40, &t) == -1 ||
		    t > now + 60 || now - t > 300) {
			buf_free(&msg);
			fm_error(r, 400, 100, 0, "GraphMethodException",
			    "Invalid appsecret_time provided in the API argument");
			return -1;
		}
		buf_printf(&msg, "%s|%s", token, ts);
	} else
		buf_puts(&msg, token);
	crypto_hmac_sha256(fm_app.app_secret, strlen(fm_app.app_secret),
	    msg.data, msg.len, mac);
	buf_free(&msg);
	crypto_hex(mac, sizeof(mac), hex);
	ok = strlen(proof) == strlen(hex) &&
	    crypto_equal(proof, hex, strlen(hex));
	if (!ok) {
		fm_error(r, 400, 100, 0, "GraphMethodException",
		    "Invalid appsecret_proof provided in the API argument");
		return -1;
	}
	return 0;
}

int
fm_auth(struct req *r, struct fm_token *t, int allow_app)
{
	const char	*tok = fm_request_token(r);
	char		 app[1024], msg[256];
	long long	 now = (long long)time(NULL);
	int		 rc;

	memset(t, 0, sizeof(*t));
	if (tok == NULL) {
		fm_error(r, 400, 104, 0, NULL, "An access token is required to "
		    "request this resource.");
		return -1;
	}
	if (strchr(tok, '|') != NULL) {
		snprintf(app, sizeof(app), "%s|%s", fm_app.app_id,
		    fm_app.app_secret);
		if (strlen(tok) != strlen(app) ||
		    !crypto_equal(tok, app, strlen(app))) {
			fm_error(r, 400, 190, 0, NULL, "Invalid OAuth access "
			    "token signature.");
			return -1;
		}
		if (!allow_app) {
			fm_error(r, 400, 2500, 0, NULL, "An active access token "
			    "must be used to query information about the "
			    "current user.");
			return -1;
		}
		snprintf(t->kind, sizeof(t->kind), "app");
		return 0;
	}
	if ((rc = fm_token_get(tok, t)) == -1) {
		fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
		return -1;
	}
	/* Instagram Login's tokens work on graph.instagram.com only. */
	if (rc == 0 || strncmp(t->kind, "ig_", 3) == 0) {
		fm_error(r, 400, 190, 0, NULL, "Invalid OAuth access token - "
		    "Cannot parse access token");
		return -1;
	}
	if (t->revoked != 0) {
		fm_error(r, 400, 190, t->revoked, NULL, revoked_msg(t->revoked));
		return -1;
	}
	if (t->expires_at != 0 && t->expires_at <= now) {
		snprintf(msg, sizeof(msg), "Error validating access token: "
		    "Session has expired at unix time %lld. The current unix "
		    "time is %lld.", t->expires_at, now);
		fm_error(r, 400, 190, 463, NULL, msg);
		return -1;
	}
	return check_proof(r, tok);
}

long
fm_chars(const char *s)
{
	return utf8_chars(s, strlen(s));
}

void
fm_html(struct req *r, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': http_puts(r, "&amp;"); break;
		case '<': http_puts(r, "&lt;"); break;
		case '>': http_puts(r, "&gt;"); break;
		case '"': http_puts(r, "&quot;"); break;
		case '\'': http_puts(r, "&#39;"); break;
		default: http_write(r, s, 1); break;
		}
	}
}

void
fm_sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	if (ms > 60000)
		ms = 60000;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1)
		;
}

/* A "drop" fault: hold the answer of the call being served this long
 * after serving it (the send happens; the client times out). */
static __thread long fm_drop_ms;

/* Answer with the injected fault for path, if any: 1 answered, 0 go
 * on (none, only latency, or a drop). */
static int
apply_fault(struct req *r, const char *path)
{
	struct fm_fault	 f;
	struct buf	 b;
	char		 hdr[512];
	const char	*msg;
	long		 code;

	if (fm_fault_match(path, &f) != 1)
		return 0;
	if (strcmp(f.kind, "drop") == 0) {
		/* The call is served, then its answer held back. */
		fm_drop_ms = f.latency_ms > 0 ? f.latency_ms : 10000;
		return 0;
	}
	fm_sleep_ms(f.latency_ms);
	if (strcmp(f.kind, "latency") == 0 && strcmp(f.usage, "near") == 0)
		fm_usage_near = 1;
	if (strcmp(f.kind, "latency") == 0 || strcmp(f.kind, "timeout") == 0)
		return 0;
	if (strcmp(f.kind, "status") == 0) {
		http_text(r, f.status >= 400 ? f.status : 503,
		    "<html><body>Sorry, something went wrong.</body></html>");
		http_add_header(r, "Content-Type", "text/html");
		return 1;
	}
	if (strcmp(f.kind, "redirect") == 0) {
		http_text(r, f.status >= 300 && f.status < 400 ? f.status : 302,
		    "");
		http_add_header(r, "Location", "https://www.facebook.com/login.php");
		return 1;
	}
	if (strcmp(f.kind, "big") == 0) {
		buf_init(&b, HG_RESPONSE_MAX);
		buf_puts(&b, "{\"data\":\"");
		while (!b.err && b.len < (size_t)(f.size > 0 ? f.size : 2097152))
			buf_puts(&b, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		buf_puts(&b, "\"}");
		http_text(r, 200, "");
		buf_reset(&r->rhead);
		http_add_header(r, "Content-Type", "application/json");
		http_write(r, b.data, b.len);
		buf_free(&b);
		return 1;
	}
	if (strcmp(f.kind, "expired") == 0)
		fm_error(r, 400, 190, 463, NULL, "Error validating access token: "
		    "Session has expired on Tuesday, 01-Jan-30 00:00:00 PST.");
	else if (strcmp(f.kind, "invalid") == 0)
		fm_error(r, 400, 190, f.subcode, NULL, f.subcode != 0 ?
		    revoked_msg(f.subcode) : "Invalid OAuth access token - "
		    "Cannot parse access token");
	else if (strcmp(f.kind, "echo_token") == 0) {
		snprintf(hdr, sizeof(hdr), "Malformed access token %.400s",
		    fm_request_token(r) != NULL ? fm_request_token(r) : "");
		fm_error(r, 400, 190, 0, NULL, hdr);
	} else if (strcmp(f.kind, "temporary") == 0) {
		code = f.code == 1 ? 1 : 2;
		fm_error(r, f.status > 0 ? f.status : code == 1 ? 500 : 503, code,
		    0, NULL, code == 1 ? "An unknown error occurred" :
		    "An unexpected error has occurred. Please retry your "
		    "request later.");
	} else if (strcmp(f.kind, "throttle") == 0) {
		code = f.code != 0 ? f.code : 4;
		msg = code == 4 ? "(#4) Application request limit reached" :
		    code == 17 ? "(#17) User request limit reached" :
		    code == 32 ? "(#32) Page request limit reached" :
		    code == 613 ? "(#613) Calls to this api have exceeded the "
		    "rate limit." : "(#80001) There have been too many calls "
		    "to this Page account. Wait a bit and try again.";
		fm_error(r, f.status > 0 ? f.status : 400, code, f.subcode, NULL,
		    msg);
		if (strcmp(f.usage, "app") == 0)
			http_add_header(r, "X-App-Usage", "{\"call_count\":100,"
			    "\"total_cputime\":25,\"total_time\":30}");
		else if (strcmp(f.usage, "page") == 0) {
			snprintf(hdr, sizeof(hdr), "{\"call_count\":100,"
			    "\"total_cputime\":5,\"total_time\":5,"
			    "\"estimated_time_to_regain_access\":%ld}", f.eta);
			http_add_header(r, "X-Page-Usage", hdr);
		} else if (strcmp(f.usage, "retry_after") == 0) {
			snprintf(hdr, sizeof(hdr), "%ld", f.eta);
			http_add_header(r, "Retry-After", hdr);
		} else if (strcmp(f.usage, "buc") == 0) {
			snprintf(hdr, sizeof(hdr), "{\"104857600000001\":[{"
			    "\"type\":\"pages\",\"call_count\":100,"
			    "\"total_cputime\":10,\"total_time\":12,"
			    "\"estimated_time_to_regain_access\":%ld}]}", f.eta);
			http_add_header(r, "X-Business-Use-Case-Usage", hdr);
		}
	} else
		fm_error(r, f.status > 0 ? f.status : 400, f.code != 0 ? f.code :
		    100, f.subcode, NULL, "Injected error");
	return 1;
}

/* The Graph path after "/v<major>.<minor>", or NULL. */
static const char *
after_version(const char *p)
{
	size_t i = 2;

	if (p[0] != '/' || p[1] != 'v')
		return NULL;
	while (p[i] >= '0' && p[i] <= '9')
		i++;
	if (i == 2 || p[i] != '.')
		return NULL;
	i++;
	if (!(p[i] >= '0' && p[i] <= '9'))
		return NULL;
	while (p[i] >= '0' && p[i] <= '9')
		i++;
	return p[i] == '/' ? p + i : NULL;
}

static void
unsupported(struct req *r, const char *path)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "Unsupported %s request. Object with ID "
	    "'%.100s' does not exist, cannot be loaded due to missing "
	    "permissions, or does not support this operation.",
	    r->method == HTTP_POST ? "post" : r->method == HTTP_DELETE ?
	    "delete" : "get", path + 1);
	fm_error(r, 400, 100, 33, "GraphMethodException", msg);
}

static void
graph(struct req *r, const char *path)
{
	char		 id[128];
	const char	*slash;
	size_t		 n;

	if (strcmp(path, "/dialog/oauth") == 0 && r->method == HTTP_GET) {
		fm_dialog(r);
		return;
	}
	if (strcmp(path, "/dialog/oauth/confirm") == 0 &&
	    r->method == HTTP_POST) {
		fm_dialog_confirm(r);
		return;
	}
	/* WhatsApp Embedded Signup's popup (fm_signup.c). */
	if (strcmp(path, "/dialog/signup.js") == 0 && r->method == HTTP_GET) {
		fm_signup_js(r);
		return;
	}
	if (strcmp(path, "/dialog/oauth/signup") == 0 &&
	    r->method == HTTP_POST) {
		fm_signup_confirm(r);
		return;
	}
	fm_drop_ms = 0;
	fm_usage_near = 0;
	if (apply_fault(r, path))
		return;
	if (strcmp(path, "/oauth/access_token") == 0 && r->method == HTTP_GET)
		fm_oauth_token(r);
	else if (strcmp(path, "/me/accounts") == 0 && r->method == HTTP_GET)
		fm_accounts(r);
	else if (strcmp(path, "/debug_token") == 0 && r->method == HTTP_GET)
		fm_debug_token(r);
	else if (strcmp(path, "/me") == 0 && r->method == HTTP_GET)
		fm_me(r);
	else if ((slash = strchr(path + 1, '/')) != NULL &&
	    (n = (size_t)(slash - path - 1)) < sizeof(id) && n > 0) {
		memcpy(id, path + 1, n);
		id[n] = '\0';
		if (strcmp(slash, "/subscribed_apps") == 0 &&
		    r->method != HTTP_PUT && r->method != HTTP_PATCH)
			fm_subscribed_apps(r, id);
		else if (strcmp(slash, "/phone_numbers") == 0 &&
		    r->method == HTTP_GET)
			fm_wa_numbers(r, id);
		else if (strcmp(slash, "/message_templates") == 0 &&
		    r->method == HTTP_GET)
			fm_wa_templates(r, id);
		else if (strcmp(slash, "/conversations") == 0 &&
		    r->method == HTTP_GET)
			fm_conversations(r, id);
		else if (strcmp(slash, "/register") == 0 &&
		    r->method == HTTP_POST)
			fm_wa_register(r, id);
		else if (fm_thread_path(slash))
			fm_thread(r, id, slash);
		else if (strcmp(slash, "/messages") == 0 &&
		    r->method == HTTP_POST) {
			fm_messages(r, id);
			fm_sleep_ms(fm_drop_ms);
		}
		else
			unsupported(r, path);
	} else if (fm_media_graph(r, path + 1))
		;	/* a media id or a profile (fm_media.c) */
	else if (r->method == HTTP_GET && fm_number_find(path + 1) != NULL)
		fm_wa_number(r, path + 1);
	else
		unsupported(r, path);
}

static void
help(struct req *r)
{
	http_text(r, 200,
	    "hubgate's fake Meta (sandbox and tests)\n\n"
	    "Graph API:  /_meta/<version>/...   (oauth/access_token, me/accounts,\n"
	    "            debug_token, <id>/subscribed_apps, <id>/messages,\n"
	    "            <phone-id>, <waba-id>/phone_numbers, <phone-id>/register,\n"
	    "            <waba-id>/message_templates)\n"
	    "OAuth:      /_meta/<version>/dialog/oauth?client_id=&redirect_uri=&state=\n"
	    "Instagram:  /_meta/_instagram/oauth/authorize (the dialog), api/oauth/\n"
	    "            access_token, graph/access_token, graph/refresh_access_token,\n"
	    "            graph/<version>/me, graph/<version>/me/subscribed_apps\n"
	    "Control:    GET  /_meta/_control/world     the fake user, Pages, WhatsApp\n"
	    "            GET  /_meta/_control/outbox    what was sent to Meta\n"
	    "            POST /_meta/_control/deliver   send a signed webhook to the\n"
	    "                 gateway, e.g. curl -d platform=messenger -d text=Hello \\\n"
	    "                 http://127.0.0.1:8080/_meta/_control/deliver\n"
	    "            POST /_meta/_control/token     issue, revoke or expire a token\n"
	    "            POST /_meta/_control/fault     inject a fault (DELETE clears)\n"
	    "            GET  /_meta/_control/routing   who owns each thread; POST\n"
	    "                 default_app=0 refuses takes, action=pass_back or\n"
	    "                 inbox_take moves a thread as Meta's Page Inbox\n"
	    "See README.md, \"Sandbox mode\".\n");
}

/*
 * The names under which the fake may be reached.  It is bound to the
 * loopback address only (lighttpd-sandbox.conf) and has no
 * authentication, so a request naming any other host is a page of some
 * other site that reached it by DNS rebinding.
 */
static const char *const fm_local_names[] = {
	"127.0.0.1", "localhost", "[::1]", NULL
};

/* 1 when the n bytes at hp ("name" or "name:port", as in a Host header
 * or after an Origin's scheme) name this server: a loopback name and
 * the port the request came in on (SERVER_PORT; no port means 80),
 * else 0. */
static int
fm_host_is_ours(const struct req *r, const char *hp, size_t n)
{
	const char	*port = http_env(r, "SERVER_PORT"), *colon = NULL;
	size_t		 i, namelen;

	for (i = n; i > 0; i--)
		if (hp[i - 1] == ':' || hp[i - 1] == ']')
			break;
	if (i > 0 && hp[i - 1] == ':')
		colon = hp + i - 1;
	namelen = colon != NULL ? (size_t)(colon - hp) : n;
	for (i = 0; fm_local_names[i] != NULL; i++)
		if (strlen(fm_local_names[i]) == namelen &&
		    strncasecmp(fm_local_names[i], hp, namelen) == 0)
			break;
	if (fm_local_names[i] == NULL)
		return 0;
	if (port == NULL)
		return 1;
	if (colon == NULL)
		return strcmp(port, "80") == 0;
	return strlen(port) == (size_t)(hp + n - colon - 1) &&
	    strncmp(port, colon + 1, strlen(port)) == 0;
}

/* The answer to a request from somewhere else than this machine's own
 * pages: NULL when the Host is ours and the Origin, if any, is too;
 * else why it is refused. */
static const char *
fm_foreign(const struct req *r)
{
	/* The raw variables: a header too long for http_header is still
	 * present, and must not pass as absent. */
	const char *host = http_env(r, "HTTP_HOST");
	const char *origin = http_env(r, "HTTP_ORIGIN");

	if (host == NULL || !fm_host_is_ours(r, host, strlen(host)))
		return "refused: the fake of Meta answers only requests for "
		    "127.0.0.1 or localhost on its own port (Host)";
	if (origin != NULL && (strncasecmp(origin, "http://", 7) != 0 ||
	    !fm_host_is_ours(r, origin + 7, strlen(origin + 7))))
		return "refused: a page of another origin may not call the "
		    "fake of Meta (Origin)";
	return NULL;
}

static void
handle(struct req *r)
{
	const char	*ct = http_header(r, "Content-Type");
	const char	*p = r->path, *g, *why;
	int		 st;

	if ((why = fm_foreign(r)) != NULL) {
		http_json_error(r, 403, why);
		return;
	}
	if (!fm_ready) {
		http_json_error(r, 503, "the fake of Meta is not running: it "
		    "needs sandbox = yes and a sandbox app_id ("
		    CONF_SANDBOX_APP_ID_PREFIX "<digits>) in the "
		    "configuration; see its log");
		return;
	}
	if (r->method == HTTP_POST && ct != NULL && strncmp(ct,
	    "application/x-www-form-urlencoded", 33) == 0) {
		if ((st = http_read_body(r, HG_FORM_BODY_MAX)) != 0) {
			http_text(r, st, http_reason(st));
			return;
		}
		if (http_parse_form(r, &fm_form) == -1) {
			params_free(&fm_form);
			http_text(r, 400, "invalid form");
			return;
		}
	}
	if (r->bad_query)
		fm_error(r, 400, 100, 0, NULL, "Invalid query string");
	else if (strncmp(p, "/_meta", 6) != 0)
		http_text(r, 404, "not found");
	else if (p[6] == '\0' || strcmp(p + 6, "/") == 0 ||
	    strcmp(p + 6, "/_control") == 0)
		help(r);
	else if (strncmp(p + 6, "/_control/", 10) == 0)
		fm_control(r, p + 16);
	else if (strncmp(p + 6, "/_instagram/", 12) == 0)
		fm_instagram(r, p + 18);
	else if (strncmp(p + 6, "/_media/", 8) == 0)
		fm_media_download(r, p + 14);
	else if ((g = after_version(p + 6)) != NULL)
		graph(r, g);
	else
		fm_error(r, 400, 2500, 0, NULL, "Unknown path components");
	params_free(&fm_form);
}

static void
worker_free(void *ctx)
{
	(void)ctx;
	fm_thread_close();
	fm_store_close();
}

/* Fill fm_app from the configuration; 0 or -1. */
static int
fm_setup(const struct conf *c)
{
	const char	*env = getenv("FAKEMETA_DB"), *file = conf_file(c);
	const char	*slash = strrchr(file, '/');
	int		 n;

	/* Never beside a real app: its secret would sign the fake's
	 * webhooks, and its pages could be driven by the control API. */
	if (strcmp(conf_get(c, "sandbox"), "yes") != 0 ||
	    !conf_is_sandbox_app_id(conf_get(c, "app_id"))) {
		log_msg(LOG_LEVEL_ERROR, "fakemeta.config", "the fake of Meta "
		    "runs only with sandbox = yes and a sandbox app_id ("
		    CONF_SANDBOX_APP_ID_PREFIX "<digits>)");
		return -1;
	}
	snprintf(fm_app.app_id, sizeof(fm_app.app_id), "%s",
	    conf_get(c, "app_id"));
	if (conf_list_item(c, "app_secret", 0, fm_app.app_secret,
	    sizeof(fm_app.app_secret)) != 1 || fm_app.app_id[0] == '\0') {
		log_msg(LOG_LEVEL_ERROR, "fakemeta.config",
		    "app_id and app_secret are required");
		return -1;
	}
	snprintf(fm_app.ig_app_id, sizeof(fm_app.ig_app_id), "%s",
	    conf_get(c, "instagram_app_id"));
	snprintf(fm_app.ig_app_secret, sizeof(fm_app.ig_app_secret), "%s",
	    conf_get(c, "instagram_app_secret"));
	snprintf(fm_app.base_url, sizeof(fm_app.base_url), "%s",
	    conf_get(c, "base_url"));
	n = (int)strlen(fm_app.base_url);
	while (n > 0 && fm_app.base_url[n - 1] == '/')
		fm_app.base_url[--n] = '\0';
	snprintf(fm_app.redirect_uri, sizeof(fm_app.redirect_uri),
	    "%s/oauth/callback", fm_app.base_url);
	fm_app.require_proof = strcmp(conf_get(c, "appsecret_proof"), "yes") == 0;
	if (env != NULL)
		n = snprintf(fm_app.db_path, sizeof(fm_app.db_path), "%s", env);
	else if (slash == NULL)
		n = snprintf(fm_app.db_path, sizeof(fm_app.db_path),
		    "fakemeta.db");
	else
		n = snprintf(fm_app.db_path, sizeof(fm_app.db_path),
		    "%.*s/fakemeta.db", (int)(slash - file), file);
	if (n < 0 || (size_t)n >= sizeof(fm_app.db_path))
		return -1;
	if (fm_store_open() == -1) {
		log_msg(LOG_LEVEL_ERROR, "fakemeta.db", fm_app.db_path);
		return -1;
	}
	fm_store_close();
	return 0;
}

void
fm_hidden(struct req *r, const char *name, const char *value)
{
	if (value == NULL)
		return;
	http_puts(r, "<input type=\"hidden\" name=\"");
	fm_html(r, name);
	http_puts(r, "\" value=\"");
	fm_html(r, value);
	http_puts(r, "\">\n");
}

void
fm_error_page(struct req *r, const char *why)
{
	http_text(r, 400, "");
	buf_reset(&r->rhead);
	http_add_header(r, "Content-Type", "text/html; charset=utf-8");
	http_puts(r, "<!doctype html><title>Error</title><h1>Error</h1><p>");
	fm_html(r, why);
	http_puts(r, "</p>\n");
}

int
main(void)
{
	struct http_server	 srv = {
		.prog = "fakemeta",
		.threads = 64,	/* latency faults hold a thread each */
		.worker_free = worker_free,
		.handle = handle,
	};
	struct conf		*c;
	char			 err[HG_ERR_MAX];
	const char		*env;
	long long		 threads;
	int			 rc;

	/* More request threads for benchmarks that make it wait (a
	 * latency fault) on many calls at once. */
	if ((env = getenv("HUBGATE_FAKEMETA_THREADS")) != NULL &&
	    num_parse_str(env, 1, HG_THREADS_MAX, &threads) == 0)
		srv.threads = (int)threads;
	if ((c = app_init("fakemeta", err, sizeof(err))) != NULL &&
	    fm_setup(c) == 0)
		fm_ready = 1;
	rc = http_serve(&srv);
	crypto_wipe(&fm_app, sizeof(fm_app));
	conf_free(c);
	return rc;
}
