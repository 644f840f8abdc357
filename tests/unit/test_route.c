/*
 * Unit tests for lib/route (and the JSON answers of lib/json): 404,
 * 405 with Allow, 400 for a bad query, JSON under /api and text
 * elsewhere; the gate: 401 and 403 by the route's auth and least role,
 * fields validated from the query or a JSON body before the handler.
 * Requests are built by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "limits.h"
#include "route.h"
#include "test.h"

static int	 ran_hook, ran_items_get, ran_items_post, ran_admin, ran_root;
static int	 ran_gated;
static struct req r;
static struct route_ctx seen;	/* what the last handler was given */

static void h_hook(struct req *q, const struct route_ctx *c)
{ ran_hook++; seen = *c; http_puts(q, "hook"); }
static void h_items_get(struct req *q, const struct route_ctx *c)
{ ran_items_get++; seen = *c; (void)q; }
static void h_items_post(struct req *q, const struct route_ctx *c)
{ ran_items_post++; seen = *c; (void)q; }
static void h_admin(struct req *q, const struct route_ctx *c)
{ ran_admin++; seen = *c; (void)q; }
static void h_root(struct req *q, const struct route_ctx *c)
{ ran_root++; seen = *c; (void)q; }
static char seen_text[64];	/* the first field's text, copied in time */
static void h_gated(struct req *q, const struct route_ctx *c)
{
	ran_gated++;
	seen = *c;
	(void)q;
	/* A body's strings live as long as the handler runs. */
	if (c->v[0].set && c->v[0].s != NULL)
		snprintf(seen_text, sizeof(seen_text), "%.*s",
		    (int)c->v[0].len, c->v[0].s);
}

static const struct route_field list_fields[] = {
	{ "limit", FIELD_INT, 1, 100, 0 },
	{ "channel", FIELD_ID, 0, 0, 0 },
	{ "q", FIELD_TEXT, 1, 10, 0 },
	{ "unread", FIELD_BOOL, 0, 0, 0 },
};
static const struct route_field sign_fields[] = {
	{ "email", FIELD_TEXT, 3, 254, FIELD_REQUIRED },
	{ "remember", FIELD_BOOL, 0, 0, 0 },
	{ "workspace", FIELD_ID, 0, 0, 0 },
};

static const struct route tab[] = {
	{ "/webhook", HTTP_BIT(HTTP_GET) | HTTP_BIT(HTTP_POST), 0,
	    ROUTE_PUBLIC, ROLE_NONE, NULL, 0, h_hook },
	{ "/api/items", HTTP_BIT(HTTP_GET), ROUTE_PREFIX, ROUTE_PUBLIC,
	    ROLE_NONE, list_fields, 4, h_items_get },
	{ "/api/items", HTTP_BIT(HTTP_POST), ROUTE_PREFIX, ROUTE_PUBLIC,
	    ROLE_NONE, NULL, 0, h_items_post },
	{ "/admin", HTTP_BIT(HTTP_PUT) | HTTP_BIT(HTTP_DELETE), 0,
	    ROUTE_PUBLIC, ROLE_NONE, NULL, 0, h_admin },
	{ "/", HTTP_BIT(HTTP_GET), 0, ROUTE_PUBLIC, ROLE_NONE, NULL, 0,
	    h_root },
	{ "/api/agent", HTTP_BIT(HTTP_GET), 0, ROUTE_SESSION, ROLE_AGENT,
	    NULL, 0, h_gated },
	{ "/api/owner", HTTP_BIT(HTTP_GET), 0, ROUTE_SESSION, ROLE_OWNER,
	    NULL, 0, h_gated },
	{ "/api/metrics", HTTP_BIT(HTTP_GET), 0, ROUTE_TOKEN, ROLE_AGENT,
	    NULL, 0, h_gated },
	{ "/api/session", HTTP_BIT(HTTP_POST), ROUTE_JSON, ROUTE_PUBLIC,
	    ROLE_NONE, sign_fields, 3, h_gated },
	{ "/api/metrics", HTTP_BIT(HTTP_POST), 0, ROUTE_TOKEN, ROLE_AGENT,
	    NULL, 0, h_gated },
};
#define NTAB (sizeof(tab) / sizeof(tab[0]))

/* The authenticator under test: who the "signed-in" caller is. */
static int		 auth_rc;
static struct route_who	 auth_as;
static int		 auth_calls;

static int
authenticate(struct req *q, enum route_auth need, struct route_who *who)
{
	(void)q;
	(void)need;
	auth_calls++;
	if (auth_rc == 1)
		*who = auth_as;
	return auth_rc;
}

static const struct route_table table = { tab, NTAB, authenticate, 0 };
static const struct route_table empty = { tab, 0, NULL, 0 };
static const struct route_table noauth = { tab, NTAB, NULL, 0 };

static void
req_reset(enum http_method m, const char *path)
{
	buf_free(&r.rhead);
	buf_free(&r.rbody);
	buf_free(&r.body);
	params_free(&r.query);
	memset(&r, 0, sizeof(r));
	r.method = m;
	r.path = path;
	r.remote = "-";
	r.status = 200;
	buf_init(&r.rhead, HG_HEADER_MAX * 4);
	buf_init(&r.rbody, HG_RESPONSE_MAX);
	ran_hook = ran_items_get = ran_items_post = ran_admin = ran_root = 0;
	ran_gated = auth_calls = 0;
	memset(&seen, 0, sizeof(seen));
}

static const struct route *
dispatch(enum http_method m, const char *path)
{
	req_reset(m, path);
	return route_dispatch(&r, &table);
}

/* The value of the response header name, or NULL. */
static const char *
resp_header(const char *name)
{
	static char	 val[256];
	const char	*p = buf_cstr(&r.rhead), *e;
	size_t		 n = strlen(name);

	for (; *p != '\0'; p = e + 2) {
		if ((e = strstr(p, "\r\n")) == NULL)
			return NULL;
		if (strncmp(p, name, n) == 0 && p[n] == ':' && p[n + 1] == ' ') {
			snprintf(val, sizeof(val), "%.*s", (int)(e - p - n - 2),
			    p + n + 2);
			return val;
		}
	}
	return NULL;
}

/* The error message of a JSON body, or NULL when not such JSON: the
 * body is {"error": {"status": the response's, "message": ...}}. */
static const char *
json_body_error(void)
{
	static char	 msg[256];
	cJSON		*j = cJSON_Parse(buf_cstr(&r.rbody));
	cJSON		*e = j != NULL ? cJSON_GetObjectItemCaseSensitive(j,
			    "error") : NULL;
	cJSON		*st = cJSON_GetObjectItemCaseSensitive(e, "status");
	const char	*s = cJSON_IsObject(e) ? json_str(e, "message") : NULL;

	if (s == NULL || !cJSON_IsNumber(st) || st->valuedouble != r.status) {
		cJSON_Delete(j);
		return NULL;
	}
	snprintf(msg, sizeof(msg), "%s", s);
	cJSON_Delete(j);
	return msg;
}

static void
test_found(void)
{
	OK(dispatch(HTTP_GET, "/webhook") == &tab[0], "GET /webhook: route");
	EQ_INT(ran_hook, 1, "GET: handler ran once");
	EQ_INT(r.status, 200, "GET: status untouched");
	EQ_STR(buf_cstr(&r.rbody), "hook", "GET: handler's body");
	OK(dispatch(HTTP_POST, "/webhook") == &tab[0], "POST /webhook");
	EQ_INT(ran_hook, 1, "POST: handler ran");
	OK(dispatch(HTTP_HEAD, "/webhook") == &tab[0], "HEAD runs the GET route");
	EQ_INT(ran_hook, 1, "HEAD: handler ran");
	EQ_INT(r.method, HTTP_HEAD, "HEAD stays HEAD");

	OK(dispatch(HTTP_GET, "/api/items") == &tab[1], "prefix route itself");
	EQ_INT(ran_items_get, 1, "items GET ran");
	OK(dispatch(HTTP_GET, "/api/items/42") == &tab[1], "prefix + /...");
	OK(dispatch(HTTP_POST, "/api/items/42/x") == &tab[2],
	    "second entry for the same path");
	EQ_INT(ran_items_post, 1, "items POST ran");
	EQ_INT(ran_items_get, 0, "GET handler did not");
	OK(dispatch(HTTP_DELETE, "/admin") == &tab[3], "DELETE /admin");
	OK(dispatch(HTTP_GET, "/") == &tab[4], "GET /");
	EQ_INT(ran_root, 1, "root ran");
}

static void
test_not_found(void)
{
	static const char *const paths[] = {
		"/nope", "/webhook/", "/webhook/x", "/webhookx", "/Webhook",
		"/admin/1", "/api/itemsX", "/api/item", "//webhook", "",
		NULL
	};
	char	 name[96];
	size_t	 i;

	for (i = 0; paths[i] != NULL; i++) {
		snprintf(name, sizeof(name), "GET \"%s\": 404", paths[i]);
		OK(dispatch(HTTP_GET, paths[i]) == NULL && r.status == 404 &&
		    ran_hook + ran_items_get + ran_admin + ran_root == 0, name);
	}

	dispatch(HTTP_GET, "/nope");
	EQ_STR(buf_cstr(&r.rbody), "not found\n", "404 text body");
	EQ_STR(resp_header("Content-Type"), "text/plain; charset=utf-8",
	    "404 text type");
	OK(resp_header("Allow") == NULL, "404: no Allow");

	dispatch(HTTP_GET, "/api/nope");
	EQ_INT(r.status, 404, "/api/nope: 404");
	EQ_STR(resp_header("Content-Type"), "application/json", "404 JSON type");
	EQ_STR(json_body_error(), "not found", "404 JSON body");
	dispatch(HTTP_GET, "/api");
	EQ_STR(json_body_error(), "not found", "/api itself is JSON");
	dispatch(HTTP_GET, "/apix");
	EQ_STR(buf_cstr(&r.rbody), "not found\n", "/apix is not /api");
	dispatch(HTTP_GET, "/api/itemsX");
	EQ_STR(json_body_error(), "not found", "/api/itemsX: JSON 404");

	req_reset(HTTP_GET, "/webhook");
	OK(route_dispatch(&r, &empty) == NULL && r.status == 404,
	    "empty table: 404");
}

static void
test_method(void)
{
	OK(dispatch(HTTP_PUT, "/webhook") == NULL, "PUT /webhook: none");
	EQ_INT(ran_hook, 0, "405: handler not run");
	EQ_INT(r.status, 405, "405");
	EQ_STR(resp_header("Allow"), "GET, HEAD, POST", "Allow with HEAD");
	EQ_STR(buf_cstr(&r.rbody), "method not allowed\n", "405 text body");
	dispatch(HTTP_DELETE, "/webhook");
	EQ_INT(r.status, 405, "DELETE /webhook: 405");
	dispatch(HTTP_OPTIONS, "/webhook");
	EQ_INT(r.status, 405, "OPTIONS /webhook: 405");
	dispatch(HTTP_OTHER, "/webhook");
	EQ_INT(r.status, 405, "unknown method: 405");
	EQ_STR(resp_header("Allow"), "GET, HEAD, POST", "unknown method: Allow");

	dispatch(HTTP_GET, "/admin");
	EQ_INT(r.status, 405, "GET /admin: 405");
	EQ_STR(resp_header("Allow"), "PUT, DELETE", "no HEAD without GET");
	dispatch(HTTP_HEAD, "/admin");
	EQ_INT(r.status, 405, "HEAD without GET: 405");
	EQ_INT(ran_admin, 0, "admin handler not run");

	dispatch(HTTP_DELETE, "/api/items/7");
	EQ_INT(r.status, 405, "DELETE /api/items/7: 405");
	EQ_STR(resp_header("Allow"), "GET, HEAD, POST",
	    "Allow merges every entry for the path");
	EQ_STR(resp_header("Content-Type"), "application/json", "405 JSON type");
	EQ_STR(json_body_error(), "method not allowed", "405 JSON body");
	dispatch(HTTP_POST, "/");
	EQ_STR(resp_header("Allow"), "GET, HEAD", "Allow GET, HEAD");
}

static void
test_bad_query(void)
{
	req_reset(HTTP_GET, "/webhook");
	r.bad_query = 1;
	OK(route_dispatch(&r, &table) == NULL, "bad query: no route");
	EQ_INT(r.status, 400, "bad query: 400");
	EQ_INT(ran_hook, 0, "bad query: handler not run");
	EQ_STR(buf_cstr(&r.rbody), "invalid query string\n", "400 text");

	req_reset(HTTP_GET, "/api/items");
	r.bad_query = 1;
	OK(route_dispatch(&r, &table) == NULL, "bad query /api: no route");
	EQ_INT(r.status, 400, "bad query /api: 400");
	EQ_STR(json_body_error(), "invalid query string", "400 JSON");
	EQ_INT(ran_items_get, 0, "items handler not run");
}

static void
test_errors_json(void)
{
	cJSON	*j;

	req_reset(HTTP_GET, "/api/x");
	route_error(&r, 503, "db \"down\"\n\\ <b>");
	EQ_INT(r.status, 503, "route_error status");
	EQ_STR(json_body_error(), "db \"down\"\n\\ <b>",
	    "message escaped into valid JSON");
	req_reset(HTTP_GET, "/x");
	route_error(&r, 503, "down");
	EQ_STR(buf_cstr(&r.rbody), "down\n", "route_error text elsewhere");

	/* Earlier output is replaced, not appended to. */
	req_reset(HTTP_GET, "/api/x");
	http_puts(&r, "partial");
	http_add_header(&r, "X-Old", "1");
	http_json_error(&r, 409, "conflict");
	OK(strstr(buf_cstr(&r.rbody), "partial") == NULL, "json_error replaces");
	OK(resp_header("X-Old") == NULL, "json_error resets headers");

	req_reset(HTTP_GET, "/api/x");
	http_json(&r, 200, NULL);
	EQ_INT(r.status, 500, "http_json(NULL): 500");

	req_reset(HTTP_GET, "/api/x");
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "n", 3);
	http_json(&r, 201, j);
	EQ_INT(r.status, 201, "http_json status");
	EQ_STR(buf_cstr(&r.rbody), "{\"n\":3}\n", "http_json body");

	j = cJSON_Parse("{\"a\":\"b\",\"n\":1,\"o\":{},\"z\":null}");
	EQ_STR(json_str(j, "a"), "b", "json_str string");
	OK(json_str(j, "n") == NULL, "json_str number: NULL");
	OK(json_str(j, "o") == NULL, "json_str object: NULL");
	OK(json_str(j, "z") == NULL, "json_str null: NULL");
	OK(json_str(j, "missing") == NULL, "json_str absent: NULL");
	OK(json_str(j, "A") == NULL, "json_str is case-sensitive");
	OK(json_str(NULL, "a") == NULL, "json_str on NULL: NULL");
	cJSON_Delete(j);
}

/* dispatch with a query string already parsed. */
static const struct route *
dispatch_q(const char *path, const char *query)
{
	req_reset(HTTP_GET, path);
	if (params_parse(&r.query, query, strlen(query), '&') == -1)
		r.bad_query = 1;
	return route_dispatch(&r, &table);
}

static void
test_gate(void)
{
	auth_rc = 0;
	OK(dispatch(HTTP_GET, "/api/agent") == NULL, "nobody: no route");
	EQ_INT(r.status, 401, "nobody signed in: 401");
	EQ_INT(ran_gated, 0, "401: handler not run");
	EQ_STR(json_body_error(), "sign in first", "401 JSON body");
	dispatch(HTTP_GET, "/webhook");
	EQ_INT(auth_calls, 0, "a public route asks nobody");

	auth_rc = 1;
	auth_as.via = ROUTE_SESSION;
	auth_as.user = 7;
	auth_as.workspace = 3;
	auth_as.role = ROLE_AGENT;
	OK(dispatch(HTTP_GET, "/api/agent") == &tab[5], "an agent: agent route");
	EQ_INT(ran_gated, 1, "agent route ran");
	EQ_INT(seen.who.user, 7, "the handler knows the user");
	EQ_INT(seen.who.workspace, 3, "the handler knows the workspace");
	OK(seen.route == &tab[5], "the handler knows its route");
	OK(dispatch(HTTP_GET, "/api/owner") == NULL && r.status == 403,
	    "an agent on an owner route: 403");
	EQ_INT(ran_gated, 0, "403: handler not run");
	EQ_STR(json_body_error(), "not allowed", "403 JSON body");
	auth_as.role = ROLE_ADMIN;
	OK(dispatch(HTTP_GET, "/api/owner") == NULL && r.status == 403,
	    "an admin on an owner route: 403");
	auth_as.role = ROLE_OWNER;
	OK(dispatch(HTTP_GET, "/api/owner") == &tab[6] && ran_gated == 1,
	    "an owner: owner route");
	OK(dispatch(HTTP_GET, "/api/agent") == &tab[5],
	    "an owner may do what an agent may");

	auth_as.via = ROUTE_TOKEN;
	auth_as.role = ROLE_OWNER;
	OK(dispatch(HTTP_GET, "/api/agent") == NULL && r.status == 401,
	    "an API token on a session route: 401");
	OK(dispatch(HTTP_GET, "/api/metrics") == &tab[7] && ran_gated == 1,
	    "an API token on a token route");
	auth_as.via = ROUTE_SESSION;
	OK(dispatch(HTTP_GET, "/api/metrics") == &tab[7],
	    "a session on a token route");
	auth_as.read_only = 1;
	OK(dispatch(HTTP_GET, "/api/metrics") == &tab[7],
	    "a read-only caller may GET");
	OK(dispatch(HTTP_POST, "/api/metrics") == NULL && r.status == 403,
	    "a read-only caller may not POST");
	auth_as.read_only = 0;
	OK(dispatch(HTTP_POST, "/api/metrics") == &tab[9],
	    "another caller may");
	auth_as.forbid = "CSRF check failed";
	OK(dispatch(HTTP_GET, "/api/metrics") == NULL && r.status == 403,
	    "a caller the authenticator refuses: 403");
	EQ_STR(json_body_error(), "CSRF check failed", "with its reason");
	auth_as.forbid = NULL;
	auth_as.via = ROUTE_PUBLIC;
	OK(dispatch(HTTP_GET, "/api/metrics") == NULL && r.status == 401,
	    "an authenticator that found nobody: 401");

	auth_rc = -1;
	OK(dispatch(HTTP_GET, "/api/agent") == NULL && r.status == 503,
	    "sessions cannot be checked: 503");
	EQ_INT(ran_gated, 0, "503: handler not run");

	req_reset(HTTP_GET, "/api/agent");
	OK(route_dispatch(&r, &noauth) == NULL && r.status == 401,
	    "no authenticator: every gated route is 401");
	auth_rc = 0;
}

static void
test_fields(void)
{
	OK(dispatch_q("/api/items", "limit=5&channel=12&q=hello&unread=1&x=y")
	    == &tab[1], "valid fields: route ran");
	EQ_INT(seen.v[0].set && seen.v[0].n == 5, 1, "limit read as 5");
	EQ_INT(seen.v[1].set && seen.v[1].n == 12, 1, "channel read as 12");
	OK(seen.v[2].set && seen.v[2].len == 5 &&
	    memcmp(seen.v[2].s, "hello", 5) == 0, "q read as hello");
	EQ_INT(seen.v[3].set && seen.v[3].n == 1, 1, "unread read as true");
	OK(dispatch_q("/api/items", "") == &tab[1] && !seen.v[0].set &&
	    !seen.v[1].set && !seen.v[2].set && !seen.v[3].set,
	    "optional fields absent: not set");

	static const char *const bad[][2] = {
		{ "limit=0", "limit: invalid" },
		{ "limit=101", "limit: invalid" },
		{ "limit=5x", "limit: invalid" },
		{ "limit=", "limit: invalid" },
		{ "limit=-1", "limit: invalid" },
		{ "channel=0", "channel: invalid" },
		{ "channel=9007199254740993", "channel: invalid" },
		{ "channel=1e3", "channel: invalid" },
		{ "q=", "q: invalid" },
		{ "q=12345678901", "q: invalid" },
		{ "q=%C3%28", "q: invalid" },
		{ "q=a%01b", "q: invalid" },
		{ "q=a%7Fb", "q: invalid" },
		{ "unread=yes", "unread: invalid" },
	};
	char	 name[128];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "%s: 400 naming the field",
		    bad[i][0]);
		OK(dispatch_q("/api/items", bad[i][0]) == NULL &&
		    r.status == 400 && ran_items_get == 0 &&
		    json_body_error() != NULL &&
		    strcmp(json_body_error(), bad[i][1]) == 0, name);
	}
	OK(dispatch_q("/api/items", "q=%C3%A9t%C3%A9") == &tab[1] &&
	    seen.v[2].len == 5, "UTF-8 text within its byte length");
	OK(dispatch_q("/api/items", "q=a%09b%0Ac") == &tab[1],
	    "tab and newline are text");
}

/* The Content-Type post_json sends. */
static const char *post_type = "application/json";

/* POST path with body as a JSON request body (CGI: the environment and
 * standard input). */
static const struct route *
post_json(const char *path, const char *body)
{
	char	 tmpl[] = "/tmp/hg-route.XXXXXX", n[32];
	FILE	*f;
	int	 fd;

	req_reset(HTTP_POST, path);
	if ((fd = mkstemp(tmpl)) == -1 || (f = fdopen(fd, "w")) == NULL)
		return NULL;
	fputs(body, f);
	fclose(f);
	snprintf(n, sizeof(n), "%zu", strlen(body));
	setenv("CONTENT_LENGTH", n, 1);
	setenv("CONTENT_TYPE", post_type, 1);
	if (freopen(tmpl, "r", stdin) == NULL) {
		unlink(tmpl);
		return NULL;
	}
	unlink(tmpl);
	return route_dispatch(&r, &table);
}

static void
test_json_fields(void)
{
	OK(post_json("/api/session", "{\"email\":\"a@b.c\",\"remember\":true,"
	    "\"workspace\":4,\"password\":\"not a field\"}") == &tab[8],
	    "a JSON body's fields: route ran");
	OK(seen.v[0].set && seen.v[0].len == 5 &&
	    strcmp(seen_text, "a@b.c") == 0, "email read");
	EQ_INT(seen.v[1].set && seen.v[1].n == 1, 1, "remember read as true");
	EQ_INT(seen.v[2].set && seen.v[2].n == 4, 1, "workspace read as 4");
	OK(post_json("/api/session", "{\"email\":\"a@b.c\",\"workspace\":null}")
	    == &tab[8] && !seen.v[2].set, "null is absent");

	static const char *const bad[][2] = {
		{ "{}", "email: required" },
		{ "{\"email\":5}", "email: invalid" },
		{ "{\"email\":\"ab\"}", "email: invalid" },
		{ "{\"email\":\"a@b.c\",\"remember\":1}", "remember: invalid" },
		{ "{\"email\":\"a@b.c\",\"workspace\":1.5}", "workspace: invalid" },
		{ "{\"email\":\"a@b.c\",\"workspace\":-2}", "workspace: invalid" },
		{ "{\"email\":\"a@b.c\",\"workspace\":1e300}", "workspace: invalid" },
		{ "{\"email\":\"a@b.c\",\"workspace\":-1e300}", "workspace: invalid" },
		{ "{\"email\":\"a@b.c\",\"workspace\":10000000000000000}", "workspace: invalid" },
		{ "[1]", "body must be a JSON object" },
		{ "{\"email\":", "body must be a JSON object" },
		{ "", "body must be a JSON object" },
		{ "{\"a\":[[[[[[[[[[1]]]]]]]]]]}", "body must be a JSON object" },
	};
	char	 name[160];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "body %s: 400 (%s)", bad[i][0],
		    bad[i][1]);
		OK(post_json("/api/session", bad[i][0]) == NULL &&
		    r.status == 400 && ran_gated == 0 &&
		    json_body_error() != NULL &&
		    strcmp(json_body_error(), bad[i][1]) == 0, name);
	}
	post_type = "text/plain";
	OK(post_json("/api/session", "{\"email\":\"a@b.c\"}") == NULL &&
	    r.status == 415 && ran_gated == 0,
	    "a JSON body sent as text/plain (a cross-site form): 415");
	post_type = "application/json; charset=utf-8";
	OK(post_json("/api/session", "{\"email\":\"a@b.c\"}") == &tab[8],
	    "application/json with a charset is JSON");
	post_type = "Application/JSON";
	OK(post_json("/api/session", "{\"email\":\"a@b.c\"}") == &tab[8],
	    "the type's case does not matter");
	post_type = "application/jsonx";
	OK(post_json("/api/session", "{\"email\":\"a@b.c\"}") == NULL &&
	    r.status == 415, "application/jsonx is not JSON");
	post_type = "application/json";
	setenv("CONTENT_TYPE", post_type, 1);
	req_reset(HTTP_POST, "/api/session");
	unsetenv("CONTENT_LENGTH");
	OK(route_dispatch(&r, &table) == NULL && r.status == 411,
	    "no Content-Length: 411");
	setenv("CONTENT_LENGTH", "1000000", 1);
	req_reset(HTTP_POST, "/api/session");
	OK(route_dispatch(&r, &table) == NULL && r.status == 413,
	    "a body past the cap: 413 before reading");
	unsetenv("CONTENT_LENGTH");
	unsetenv("CONTENT_TYPE");
}

/* The security headers: on every answer of a table that asks for
 * them (found, 404, 405, the gate's 401), none on a table that does
 * not; HSTS only with ROUTE_HSTS; no-store under /api. */
static void
test_security_headers(void)
{
	static const struct route_table sec = { tab, NTAB, authenticate,
	    ROUTE_HEADERS, };
	static const struct route_table sec_hsts = { tab, NTAB, authenticate,
	    ROUTE_HEADERS | ROUTE_HSTS, };
	static const char *const paths[] = { "/webhook", "/api/nothing",
	    "/admin", "/api/agent" };
	const char	*v;
	size_t		 i;

	auth_rc = 0;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		req_reset(HTTP_GET, paths[i]);
		route_dispatch(&r, &sec);
		v = resp_header("Content-Security-Policy");
		OK(v != NULL && strcmp(v, "default-src 'self'; script-src "
		    "'self'; object-src 'none'; base-uri 'none'; "
		    "frame-ancestors 'none'; form-action 'self'") == 0,
		    "security headers: the CSP on every answer");
		v = resp_header("Referrer-Policy");
		OK(v != NULL && strcmp(v, "same-origin") == 0,
		    "security headers: Referrer-Policy");
		v = resp_header("Permissions-Policy");
		OK(v != NULL && strstr(v, "camera=()") != NULL &&
		    strstr(v, "microphone=()") != NULL &&
		    strstr(v, "geolocation=()") != NULL &&
		    strstr(v, "payment=()") != NULL &&
		    strstr(v, "usb=()") != NULL,
		    "security headers: Permissions-Policy turns them off");
		OK(resp_header("Strict-Transport-Security") == NULL,
		    "security headers: no HSTS without ROUTE_HSTS");
		v = resp_header("Cache-Control");
		if (strncmp(paths[i], "/api", 4) == 0)
			OK(v != NULL && strcmp(v, "no-store") == 0,
			    "security headers: no-store under /api");
	}
	EQ_INT(r.status, 401, "the gate's 401 has them too");
	req_reset(HTTP_GET, "/webhook");
	route_dispatch(&r, &sec_hsts);
	v = resp_header("Strict-Transport-Security");
	OK(v != NULL && strncmp(v, "max-age=", 8) == 0, "HSTS with ROUTE_HSTS");
	req_reset(HTTP_GET, "/webhook");
	route_dispatch(&r, &table);
	OK(resp_header("Content-Security-Policy") == NULL,
	    "a table without ROUTE_HEADERS adds none");
}

int
main(void)
{
	test_found();
	test_not_found();
	test_method();
	test_bad_query();
	test_errors_json();
	test_gate();
	test_fields();
	test_json_fields();
	test_security_headers();
	buf_free(&r.rhead);
	buf_free(&r.body);
	params_free(&r.query);
	buf_free(&r.rbody);
	return test_done();
}
