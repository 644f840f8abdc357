/*
 * route: one table per program of paths, methods, who may call them
 * and the fields they take, with one gate before every handler.
 *
 * An unknown path is 404, a known path with another method is 405 with
 * an Allow header, a query string that does not parse is 400.  Then the
 * gate: a route that needs a caller asks the program's authenticator
 * (401 when nobody is signed in, 403 below the route's least role), and
 * every field the route declares is validated (400 naming the field).
 * Handlers read only validated fields, from their route_ctx, never the
 * raw query or body (the kcgi model).  Under /api these answers are
 * JSON, elsewhere plain text.
 */
#ifndef HG_ROUTE_H
#define HG_ROUTE_H

#include <stddef.h>

#include "http.h"
#include "limits.h"

#define ROUTE_PREFIX	0x1	/* path matches itself and path + "/..." */
#define ROUTE_JSON	0x2	/* fields come from a JSON object body */

/* Who may call a route. */
enum route_auth {
	ROUTE_PUBLIC,		/* anyone */
	ROUTE_SESSION,		/* a signed-in person (session cookie) */
	ROUTE_TOKEN,		/* a session or an API token */
	ROUTE_AUTH__MAX
};
extern const char *const route_auth_names[ROUTE_AUTH__MAX];

/* A caller's role in a workspace, least first: a route names the least
 * it accepts. */
enum role {
	ROLE_NONE,
	ROLE_AGENT,		/* inbox and conversations */
	ROLE_ADMIN,		/* channels, rules, settings, retries */
	ROLE_OWNER,		/* everything, users and deletion too */
	ROLE__MAX
};
extern const char *const role_names[ROLE__MAX];

enum field_type {
	FIELD_INT,		/* a decimal integer in [min, max] */
	FIELD_ID,		/* a row id: an integer in [1, 2^53] */
	FIELD_TEXT,		/* UTF-8 without control bytes, length in
				 * bytes in [min, max] */
	FIELD_BOOL,		/* true/false, 1/0 (a JSON boolean in a body) */
	FIELD_TYPE__MAX
};

#define FIELD_REQUIRED	0x1

/* A field a route takes: from the query string, or from the members of
 * a JSON object body for ROUTE_JSON routes. */
struct route_field {
	const char	*name;
	enum field_type	 type;
	long long	 min, max;	/* FIELD_INT: value; FIELD_TEXT: bytes */
	unsigned	 flags;
};

/* A field's value once validated: for the route's field i, v[i]. */
struct route_val {
	int		 set;		/* given (and valid) */
	long long	 n;		/* INT, ID, BOOL */
	const char	*s;		/* TEXT: NUL-terminated, borrowed
					 * from the request: valid while
					 * the handler runs */
	size_t		 len;
};

/* Who is calling, as the program's authenticator found out. */
struct route_who {
	enum route_auth	 via;		/* ROUTE_PUBLIC: nobody */
	long long	 user, workspace;
	enum role	 role;
	long long	 session;	/* the session's row, 0 for a token */
	int		 read_only;	/* a read-scoped token: GET/HEAD only */
	/* Set by the authenticator when the caller is known but this
	 * request must be refused (a failed CSRF check): the gate answers
	 * 403 with it. */
	const char	*forbid;
};

struct cJSON;
struct route;

/* What the gate hands a handler. */
struct route_ctx {
	const struct route	*route;
	struct route_who	 who;
	struct route_val	 v[HG_ROUTE_FIELDS_MAX];
};

struct route {
	const char		*path;
	unsigned		 methods;	/* HTTP_BIT(HTTP_GET) | ... */
	unsigned		 flags;
	enum route_auth		 auth;		/* who may call it */
	enum role		 role;		/* least role, when not public */
	const struct route_field *fields;	/* NULL or nfields of them */
	size_t			 nfields;	/* at most HG_ROUTE_FIELDS_MAX */
	void			 (*handler)(struct req *,
				    const struct route_ctx *);
};

/* Find out who calls r, for a route that needs at least need: fill who
 * and return 1; 0 when nobody (or nobody acceptable for need) is
 * signed in; -1 when that cannot be known now (the gate answers 503). */
typedef int	(*route_auth_fn)(struct req *, enum route_auth need,
		    struct route_who *who);

/* The security headers route_dispatch adds to every answer of a
 * table (the dashboard's): ROUTE_HEADERS the Content-Security-Policy,
 * Referrer-Policy and Permissions-Policy the static pages get too (and
 * Cache-Control: no-store under /api); ROUTE_HSTS also
 * Strict-Transport-Security, for an https base_url. */
#define ROUTE_HEADERS	0x1
#define ROUTE_HSTS	0x2

/* The values, the same as lighttpd.conf and apache*.conf send with the
 * static pages. */
#define ROUTE_CSP	"default-src 'self'; script-src 'self'; " \
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; " \
	"form-action 'self'"
#define ROUTE_PERMISSIONS "accelerometer=(), camera=(), " \
	"display-capture=(), geolocation=(), gyroscope=(), " \
	"magnetometer=(), microphone=(), midi=(), payment=(), serial=(), " \
	"usb=()"
#define ROUTE_HSTS_VALUE "max-age=31536000"

struct route_table {
	const struct route	*routes;
	size_t			 n;
	route_auth_fn		 authenticate;	/* NULL: none yet */
	unsigned		 headers;	/* ROUTE_HEADERS | ROUTE_HSTS */
};

/* Find the route for r, pass the gate and run its handler, or answer
 * 400/401/403/404/405/503 itself; then add the table's security
 * headers to whatever the answer is.  Returns the route whose handler
 * ran, or NULL when none ran. */
const struct route *route_dispatch(struct req *, const struct route_table *);
/* Add the security headers of flags (ROUTE_HEADERS, ROUTE_HSTS) to
 * r's answer; call it once the answer is built (handlers that answer
 * replace the headers set before). */
void		 route_security_headers(struct req *, unsigned flags);
/* Answer an error with status and message, as JSON under /api and as
 * text elsewhere. */
void		 route_error(struct req *, int status, const char *msg);
/* 1 when the n bytes at s are UTF-8 with no control bytes (below 0x20
 * but tab, newline and carriage return, or 0x7f), else 0. */
int		 route_text_valid(const char *s, size_t n);
/* Read r's body as a JSON object (Content-Type application/json, at
 * most HG_FORM_BODY_MAX bytes, HG_API_JSON_DEPTH_MAX deep) into *body
 * (the caller frees it): 0, or -1 answered (415, 413, 400). */
int		 route_json_body(struct req *, struct cJSON **body);
/* For a path prefix + ID [+ rest] (prefix ends with '/'): the id
 * (1 to 2^53) into *id and what follows it ("" or "/...") into *rest;
 * 0, or -1 when r's path is not of that shape. */
int		 route_path_id(const struct req *, const char *prefix,
		    long long *id, const char **rest);

#endif
