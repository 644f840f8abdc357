/*
 * route: dispatch by path and method, and the gate before a handler:
 * who calls, and which fields.  See route.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "num.h"
#include "route.h"
#include "utf8.h"

const char *const route_auth_names[ROUTE_AUTH__MAX] = {
	[ROUTE_PUBLIC] = "public",
	[ROUTE_SESSION] = "session",
	[ROUTE_TOKEN] = "token",
};

const char *const role_names[ROLE__MAX] = {
	[ROLE_NONE] = "none",
	[ROLE_AGENT] = "agent",
	[ROLE_ADMIN] = "admin",
	[ROLE_OWNER] = "owner",
};

/* The largest integer a JSON number (a double) holds exactly. */
#define ROUTE_ID_MAX	(1LL << 53)

static int
route_is_api(const struct req *r)
{
	return strncmp(r->path, "/api", 4) == 0 &&
	    (r->path[4] == '\0' || r->path[4] == '/');
}

void
route_error(struct req *r, int status, const char *msg)
{
	if (route_is_api(r))
		http_json_error(r, status, msg);
	else
		http_text(r, status, msg);
}

int
route_path_id(const struct req *r, const char *prefix, long long *id,
    const char **rest)
{
	size_t		 n = strlen(prefix);
	const char	*p = r->path + n, *e;

	if (strncmp(r->path, prefix, n) != 0)
		return -1;
	e = strchr(p, '/');
	*rest = e != NULL ? e : p + strlen(p);
	return num_parse(p, (size_t)(*rest - p), 1, 1LL << 53, id);
}

int
route_text_valid(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    c == 0x7f)
			return 0;
	}
	return utf8_valid(s, n);
}

static int
route_match(const struct route *rt, const char *path)
{
	size_t n = strlen(rt->path);

	if (strncmp(rt->path, path, n) != 0)
		return 0;
	if (path[n] == '\0')
		return 1;
	return (rt->flags & ROUTE_PREFIX) && path[n] == '/';
}

/* Check the string value s (n bytes) of field f into v: 0, or -1 when
 * it is not valid for f. */
static int
route_check_str(const struct route_field *f, const char *s, size_t n,
    struct route_val *v)
{
	switch (f->type) {
	case FIELD_INT:
		if (num_parse(s, n, f->min, f->max, &v->n) == -1)
			return -1;
		break;
	case FIELD_ID:
		if (num_parse(s, n, 1, ROUTE_ID_MAX, &v->n) == -1)
			return -1;
		break;
	case FIELD_TEXT:
		if ((long long)n < f->min || (long long)n > f->max ||
		    !route_text_valid(s, n))
			return -1;
		v->s = s;
		v->len = n;
		break;
	case FIELD_BOOL:
		if (n == 4 && memcmp(s, "true", 4) == 0)
			v->n = 1;
		else if (n == 5 && memcmp(s, "false", 5) == 0)
			v->n = 0;
		else if (n == 1 && (s[0] == '0' || s[0] == '1'))
			v->n = s[0] == '1';
		else
			return -1;
		break;
	default:
		return -1;
	}
	v->set = 1;
	return 0;
}

/* Check the JSON member j of field f into v: 0 or -1. */
static int
route_check_json(const struct route_field *f, const cJSON *j,
    struct route_val *v)
{
	double d;

	switch (f->type) {
	case FIELD_INT:
	case FIELD_ID:
		if (cJSON_IsString(j))
			return route_check_str(f, j->valuestring,
			    strlen(j->valuestring), v);
		if (!cJSON_IsNumber(j))
			return -1;
		d = j->valuedouble;
		/* The range first: converting a double outside long long's
		 * range is undefined. */
		if (!(d >= (f->type == FIELD_ID ? 1 : (double)f->min) &&
		    d <= (f->type == FIELD_ID ? (double)ROUTE_ID_MAX :
		    (double)f->max)) || d != (double)(long long)d)
			return -1;
		v->n = (long long)d;
		break;
	case FIELD_TEXT:
		if (!cJSON_IsString(j))
			return -1;
		return route_check_str(f, j->valuestring,
		    strlen(j->valuestring), v);
	case FIELD_BOOL:
		if (!cJSON_IsBool(j))
			return -1;
		v->n = cJSON_IsTrue(j);
		break;
	default:
		return -1;
	}
	v->set = 1;
	return 0;
}

/* 1 when the Content-Type value t is application/json, with or
 * without parameters (charset), in any case; else 0. */
static int
route_json_type(const char *t)
{
	static const char	 want[] = "application/json";
	size_t			 n = sizeof(want) - 1;

	if (t == NULL || strncasecmp(t, want, n) != 0)
		return 0;
	return t[n] == '\0' || t[n] == ';' || t[n] == ' ';
}

int
route_json_body(struct req *r, cJSON **body)
{
	int status;

	*body = NULL;
	/* Only a JSON request, which a page of another site cannot send
	 * without asking first (CORS): a form posting text/plain that
	 * happens to parse as JSON is refused. */
	if (!route_json_type(http_header(r, "Content-Type"))) {
		route_error(r, 415, "Content-Type must be application/json");
		return -1;
	}
	if ((status = http_read_body(r, HG_FORM_BODY_MAX)) != 0) {
		route_error(r, status, http_reason(status));
		return -1;
	}
	if (!json_valid(r->body.data, r->body.len, HG_API_JSON_DEPTH_MAX) ||
	    (*body = cJSON_ParseWithLength(r->body.data, r->body.len)) ==
	    NULL || !cJSON_IsObject(*body)) {
		cJSON_Delete(*body);
		*body = NULL;
		route_error(r, 400, "body must be a JSON object");
		return -1;
	}
	return 0;
}

/* Answer 400 naming the field; returns -1. */
static int
route_bad_field(struct req *r, const char *name, const char *why)
{
	char msg[HG_PARAM_NAME_MAX + 64];

	snprintf(msg, sizeof(msg), "%s: %s", name, why);
	route_error(r, 400, msg);
	return -1;
}

/* Validate the fields of rt from the query string, or from the JSON
 * object body (whose tree is kept in *body for the strings v points
 * into), into cx; 0, or -1 when an answer was sent. */
static int
route_fields(struct req *r, const struct route *rt, struct route_ctx *cx,
    cJSON **body)
{
	const struct route_field	*f;
	const cJSON			*j;
	const char			*s;
	size_t				 i;

	if (rt->nfields > HG_ROUTE_FIELDS_MAX) {
		route_error(r, 500, "route declares too many fields");
		return -1;
	}
	if ((rt->flags & ROUTE_JSON) && route_json_body(r, body) == -1)
		return -1;
	for (i = 0; i < rt->nfields; i++) {
		f = &rt->fields[i];
		if (rt->flags & ROUTE_JSON) {
			j = cJSON_GetObjectItemCaseSensitive(*body, f->name);
			if (j != NULL && !cJSON_IsNull(j) &&
			    route_check_json(f, j, &cx->v[i]) == -1)
				return route_bad_field(r, f->name, "invalid");
		} else if ((s = params_get(&r->query, f->name)) != NULL &&
		    route_check_str(f, s, strlen(s), &cx->v[i]) == -1)
			return route_bad_field(r, f->name, "invalid");
		if ((f->flags & FIELD_REQUIRED) && !cx->v[i].set)
			return route_bad_field(r, f->name, "required");
	}
	return 0;
}

/* Who calls, for a route that needs someone: 0 to go on, or -1 when
 * an answer (401, 403, 503) was sent. */
static int
route_gate(struct req *r, const struct route_table *t,
    const struct route *rt, struct route_who *who)
{
	int rc;

	memset(who, 0, sizeof(*who));
	if (rt->auth == ROUTE_PUBLIC)
		return 0;
	rc = t->authenticate != NULL ? t->authenticate(r, rt->auth, who) : 0;
	if (rc == -1) {
		route_error(r, 503, "cannot check the session now");
		return -1;
	}
	if (rc == 1 && who->forbid != NULL) {
		route_error(r, 403, who->forbid);
		return -1;
	}
	if (rc == 0 || who->via == ROUTE_PUBLIC ||
	    (rt->auth == ROUTE_SESSION && who->via != ROUTE_SESSION)) {
		route_error(r, 401, "sign in first");
		return -1;
	}
	if (who->role < rt->role || (who->read_only &&
	    r->method != HTTP_GET && r->method != HTTP_HEAD)) {
		route_error(r, 403, "not allowed");
		return -1;
	}
	return 0;
}

/* Answer 405 with the Allow header of the methods in allow. */
static void
route_not_allowed(struct req *r, unsigned allow)
{
	char	 hdr[128];
	int	 m;

	if (allow & HTTP_BIT(HTTP_GET))
		allow |= HTTP_BIT(HTTP_HEAD);
	hdr[0] = '\0';
	for (m = 0; m < HTTP_OTHER; m++) {
		if (!(allow & HTTP_BIT(m)))
			continue;
		if (hdr[0] != '\0')
			strncat(hdr, ", ", sizeof(hdr) - strlen(hdr) - 1);
		strncat(hdr, http_method_names[m],
		    sizeof(hdr) - strlen(hdr) - 1);
	}
	route_error(r, 405, "method not allowed");
	http_add_header(r, "Allow", hdr);
}

void
route_security_headers(struct req *r, unsigned flags)
{
	if (!(flags & ROUTE_HEADERS))
		return;
	http_add_header(r, "Content-Security-Policy", ROUTE_CSP);
	http_add_header(r, "Referrer-Policy", "same-origin");
	http_add_header(r, "Permissions-Policy", ROUTE_PERMISSIONS);
	if (flags & ROUTE_HSTS)
		http_add_header(r, "Strict-Transport-Security",
		    ROUTE_HSTS_VALUE);
	/* Said here for /api rather than left to http.c's default
	 * (X-Content-Type-Options comes from http.c for every answer). */
	if (route_is_api(r) && strstr(buf_cstr(&r->rhead),
	    "Cache-Control:") == NULL)
		http_add_header(r, "Cache-Control", "no-store");
}

/* route_dispatch without the security headers. */
static const struct route *
route_run(struct req *r, const struct route_table *t)
{
	const struct route	*found = NULL;
	struct route_ctx	 cx;
	cJSON			*body = NULL;
	unsigned		 allow = 0;
	size_t			 i;

	for (i = 0; i < t->n; i++) {
		if (!route_match(&t->routes[i], r->path))
			continue;
		allow |= t->routes[i].methods;
		if ((t->routes[i].methods & HTTP_BIT(r->method)) ||
		    (r->method == HTTP_HEAD &&
		    (t->routes[i].methods & HTTP_BIT(HTTP_GET)))) {
			found = &t->routes[i];
			break;
		}
	}
	if (found == NULL && allow == 0) {
		route_error(r, 404, "not found");
		return NULL;
	}
	if (found == NULL) {
		route_not_allowed(r, allow);
		return NULL;
	}
	if (r->bad_query) {
		route_error(r, 400, "invalid query string");
		return NULL;
	}
	memset(&cx, 0, sizeof(cx));
	cx.route = found;
	if (route_gate(r, t, found, &cx.who) == -1 ||
	    route_fields(r, found, &cx, &body) == -1) {
		cJSON_Delete(body);
		return NULL;
	}
	found->handler(r, &cx);
	cJSON_Delete(body);
	return found;
}

const struct route *
route_dispatch(struct req *r, const struct route_table *t)
{
	const struct route *rt = route_run(r, t);

	route_security_headers(r, t->headers);
	return rt;
}
