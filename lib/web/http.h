/*
 * http: requests and responses for programs run as FastCGI (many
 * requests per process, optionally on several threads) or as plain CGI
 * (one request per process), from the same binary.
 *
 * The handler sees a struct req with the method, the decoded path, the
 * parsed query string and cookies; it reads the body with
 * http_read_body (which enforces Content-Length and a cap), builds the
 * response with the http_* writers and returns.  The response is sent
 * once, complete, after the handler returns: a handler can never leave
 * a half-written response behind.
 */
#ifndef HG_HTTP_H
#define HG_HTTP_H

#include <stddef.h>

#include "buf.h"
#include "limits.h"

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_DELETE,
	HTTP_PATCH,
	HTTP_OPTIONS,
	HTTP_OTHER,
	HTTP_METHOD__MAX
};

extern const char *const http_method_names[HTTP_METHOD__MAX];

/* Bit for a method in a route's method set. */
#define HTTP_BIT(m)	(1u << (m))

struct param {
	char	*name;
	char	*value;		/* NUL-terminated; never holds a NUL */
	size_t	 len;		/* of value */
};

struct params {
	struct param	 v[HG_PARAMS_MAX];
	size_t		 n;
};

struct cJSON;
struct worker;

struct req {
	enum http_method method;
	const char	*path;		/* decoded, starts with '/' */
	const char	*remote;	/* client address, or "-" */
	char		 client[HG_ADDR_MAX];	/* behind a trusted
					 * proxy, the client's address
					 * (https_client); "": remote */
	struct params	 query;		/* from QUERY_STRING */
	struct params	 cookies;	/* from the Cookie header */
	struct buf	 body;		/* after http_read_body */
	char		 id[32];	/* request id, also in log lines */
	void		*ctx;		/* the worker's context */

	/* The response being built. */
	int		 status;
	struct buf	 rhead;
	struct buf	 rbody;

	/* Private to http.c. */
	void		*fcgx;		/* FCGX_Request *, NULL under CGI */
	char		*pathbuf;
	int		 bad_query;	/* query string failed to parse */
	size_t		 consumed;	/* body bytes read from the server */
	int		 deferred;	/* answered later by http_complete */
	int		*deferflag;	/* the server's copy, until deferred */
	void		 (*release)(void *);	/* see http_on_release */
	void		*release_arg;
	struct worker	*home;		/* the thread that accepted it */
	struct req	*next;		/* in home's list of answered ones */
};

/* The address r's client is known by: client when set (https.h), else
 * remote.  What the sign-in throttle and the audit log use. */
const char	*http_client(const struct req *r);
/* A CGI variable of the request (e.g. "CONTENT_TYPE"), or NULL. */
const char	*http_env(const struct req *, const char *name);
/* A request header by its HTTP name ("X-Hub-Signature-256"), or NULL;
 * NULL too when longer than HG_HEADER_MAX. */
const char	*http_header(const struct req *, const char *name);

/* Read the body: Content-Length is required (411 without it, 400 when
 * it is not a plain decimal number), more than max is 413 before
 * anything is read, and a body shorter than announced is 400.  Returns
 * 0 on success, else the HTTP status to answer. */
int		 http_read_body(struct req *, size_t max);

/* Parse "a=1&b=2" (sep '&', '+' is a space) or a Cookie header (sep ';',
 * spaces trimmed, no '+' rule) into p.  Names are kept as they are
 * (dots included).  -1 on invalid percent-encoding, an encoded NUL,
 * too many or too long items. */
int		 params_parse(struct params *, const char *s, size_t len,
		    int sep);
/* The first value of name, or NULL. */
const char	*params_get(const struct params *, const char *name);
void		 params_free(struct params *);
/* Parse an application/x-www-form-urlencoded body (after
 * http_read_body) into p; -1 as params_parse or on another type. */
int		 http_parse_form(struct req *, struct params *p);

/* Response building.  http_status sets the status (default 200);
 * http_add_header refuses names or values holding CR, LF or NUL. */
void		 http_status(struct req *, int status);
int		 http_add_header(struct req *, const char *name,
		    const char *value);
int		 http_write(struct req *, const void *, size_t);
int		 http_puts(struct req *, const char *);
/* Replace the response with status and a text/plain body. */
void		 http_text(struct req *, int status, const char *text);
/* Answer root as JSON with status, replacing anything written before;
 * takes ownership of root (NULL means out of memory: 500). */
void		 http_json(struct req *, int status, struct cJSON *root);
/* Answer {"error": {"status": status, "message": msg}} with status. */
void		 http_json_error(struct req *, int status, const char *msg);
/* The reason phrase of a status ("Not Found"). */
const char	*http_reason(int status);

/* Under FastCGI, keep the request to answer it later, from any thread:
 * returns 1 and the server neither sends a response nor frees r when
 * the handler returns; the keeper builds the response and calls
 * http_complete exactly once.  Returns 0 under CGI, where the handler
 * must answer before it returns. */
int		 http_defer(struct req *);
/* Have fn(arg) called when r is released: after its response, in the
 * thread that accepted it (where what that thread allocated for the
 * request is best freed).  One per request. */
void		 http_on_release(struct req *, void (*fn)(void *), void *arg);
/* Send the response of a deferred request and free it (r is gone: it
 * is released later by the thread that accepted it). */
void		 http_complete(struct req *);

/* The program, as seen by http_serve. */
struct http_server {
	const char	*prog;			/* for logs */
	int		 threads;		/* FastCGI request threads */
	/* Called once per worker thread (once under CGI) before its
	 * first request; the result is req->ctx.  May be NULL. */
	void		*(*worker_init)(void *arg);
	void		 (*worker_free)(void *ctx);
	void		*arg;
	/* Handle one request: read it, fill the response, return. */
	void		 (*handle)(struct req *);
};

/* 1 when the process runs as plain CGI, 0 under FastCGI. */
int		 http_is_cgi(void);
/* Serve requests until the web server stops us (FastCGI) or one request
 * (CGI).  Returns the exit status for main(): 0 after a stop signal,
 * 1 when the process cannot serve: no request thread could start, the
 * listening socket is unusable, or accepting has failed (descriptors
 * or memory exhausted) for HG_ACCEPT_GIVE_UP_MS in a row.  Until then a
 * thread whose accept fails logs it (rate limited), waits
 * HG_ACCEPT_BACKOFF_MS and tries again; it never gives up alone. */
int		 http_serve(const struct http_server *);
/* Set how long accepts may fail in a row before http_serve gives up
 * (ms; tests use less than HG_ACCEPT_GIVE_UP_MS).  Before http_serve. */
void		 http_set_accept_give_up(long long ms);
/* Run one request from stdin, stdout and the environment (CGI). */
int		 http_serve_cgi(const struct http_server *, void *ctx);

#endif
