/*
 * Unit tests for lib/route (and the JSON answers of lib/json): 404,
 * 405 with Allow, 400 for a bad query, JSON under /api and text
 * elsewhere.  Requests are built by hand.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "limits.h"
#include "route.h"
#include "test.h"

static int	 ran_hook, ran_items_get, ran_items_post, ran_admin, ran_root;
static struct req r;

static void h_hook(struct req *q) { ran_hook++; http_puts(q, "hook"); }
static void h_items_get(struct req *q) { ran_items_get++; (void)q; }
static void h_items_post(struct req *q) { ran_items_post++; (void)q; }
static void h_admin(struct req *q) { ran_admin++; (void)q; }
static void h_root(struct req *q) { ran_root++; (void)q; }

static const struct route tab[] = {
	{ "/webhook", HTTP_BIT(HTTP_GET) | HTTP_BIT(HTTP_POST), 0, h_hook },
	{ "/api/items", HTTP_BIT(HTTP_GET), ROUTE_PREFIX, h_items_get },
	{ "/api/items", HTTP_BIT(HTTP_POST), ROUTE_PREFIX, h_items_post },
	{ "/admin", HTTP_BIT(HTTP_PUT) | HTTP_BIT(HTTP_DELETE), 0, h_admin },
	{ "/", HTTP_BIT(HTTP_GET), 0, h_root },
};
#define NTAB (sizeof(tab) / sizeof(tab[0]))

static void
req_reset(enum http_method m, const char *path)
{
	buf_free(&r.rhead);
	buf_free(&r.rbody);
	memset(&r, 0, sizeof(r));
	r.method = m;
	r.path = path;
	r.remote = "-";
	r.status = 200;
	buf_init(&r.rhead, HG_HEADER_MAX * 4);
	buf_init(&r.rbody, HG_RESPONSE_MAX);
	ran_hook = ran_items_get = ran_items_post = ran_admin = ran_root = 0;
}

static const struct route *
dispatch(enum http_method m, const char *path)
{
	req_reset(m, path);
	return route_dispatch(&r, tab, NTAB);
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

/* The "error" member of a JSON body, or NULL when not such JSON. */
static const char *
json_body_error(void)
{
	static char	 msg[256];
	cJSON		*j = cJSON_Parse(buf_cstr(&r.rbody));
	const char	*s = j != NULL ? json_str(j, "error") : NULL;

	if (s == NULL) {
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
	OK(route_dispatch(&r, tab, 0) == NULL && r.status == 404,
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
	OK(route_dispatch(&r, tab, NTAB) == NULL, "bad query: no route");
	EQ_INT(r.status, 400, "bad query: 400");
	EQ_INT(ran_hook, 0, "bad query: handler not run");
	EQ_STR(buf_cstr(&r.rbody), "invalid query string\n", "400 text");

	req_reset(HTTP_GET, "/api/items");
	r.bad_query = 1;
	OK(route_dispatch(&r, tab, NTAB) == NULL, "bad query /api: no route");
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
	json_error(&r, 409, "conflict");
	OK(strstr(buf_cstr(&r.rbody), "partial") == NULL, "json_error replaces");
	OK(resp_header("X-Old") == NULL, "json_error resets headers");

	req_reset(HTTP_GET, "/api/x");
	json_send(&r, 200, NULL);
	EQ_INT(r.status, 500, "json_send(NULL): 500");

	req_reset(HTTP_GET, "/api/x");
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "n", 3);
	json_send(&r, 201, j);
	EQ_INT(r.status, 201, "json_send status");
	EQ_STR(buf_cstr(&r.rbody), "{\"n\":3}\n", "json_send body");

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

int
main(void)
{
	test_found();
	test_not_found();
	test_method();
	test_bad_query();
	test_errors_json();
	buf_free(&r.rhead);
	buf_free(&r.rbody);
	return test_done();
}
