/*
 * graph: the one way out to Meta's Graph API, over libcurl (the only
 * module that includes curl).  One struct graph holds a reusable
 * connection, the base URL and version, the app's id and secret and
 * the limits from the configuration: connect and total timeouts, TLS
 * verification always on, redirects never followed, response bodies
 * capped.  Plain http:// is refused unless the host is a loopback
 * address (the sandbox's fake Meta).
 *
 * Every call ends in a struct graph_result (graph_error.h) that says
 * what to do next:
 * ok, retry later (with a delay), throttled (with a delay taken from
 * Meta's usage headers when present), token invalid, or permanent;
 * with Meta's code, subcode, fbtrace_id and error_user_msg.  Each call
 * logs one line with the URL redacted; tokens and secrets never reach
 * the log.
 *
 * A struct graph is used by one thread at a time.  The account calls
 * (OAuth exchanges, Pages, debug_token, subscriptions) are in
 * graph_oauth.h, the message sends in graph_send.h.
 */
#ifndef HG_GRAPH_H
#define HG_GRAPH_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "graph_error.h"

struct buf;
struct conf;
struct graph;

enum graph_method {
	GRAPH_GET,
	GRAPH_POST,
	GRAPH_DELETE,
	GRAPH_METHOD__MAX
};

/* How a call authenticates. */
enum graph_auth {
	GRAPH_AUTH_NONE,	/* the caller passes what is needed */
	GRAPH_AUTH_APP,		/* access_token = app_id|app_secret */
	GRAPH_AUTH_USER,	/* a user or Page token, with appsecret_proof */
	GRAPH_AUTH_BEARER,	/* Authorization: Bearer (WhatsApp), with proof */
	GRAPH_AUTH__MAX
};

/* A query parameter; arrays of them end with a NULL name. */
struct graph_param {
	const char	*name;
	const char	*value;
};

/* One request of a graph_multi batch; res is filled in. */
struct graph_req {
	enum graph_method	 method;
	const char		*path;		/* after /<version>, from '/' */
	const struct graph_param *params;	/* or NULL */
	const cJSON		*body;		/* JSON body, or NULL */
	enum graph_auth		 auth;
	const char		*token;		/* USER and BEARER */
	struct graph_result	 res;
};

/* A client for the configuration's graph_base_url and graph_version.
 * NULL with a message in err when the URL is not https (nor http to a
 * loopback address), or the app's id or secret is missing. */
struct graph	*graph_new(const struct conf *, char *err, size_t errsz);
/* Instagram Login's hosts, which take the Instagram app's id and
 * secret, no appsecret_proof, and no version in their base (put it in
 * the path where one is needed: graph_version). */
enum graph_host {
	GRAPH_HOST_IG_API,	/* https://api.instagram.com */
	GRAPH_HOST_IG_GRAPH	/* https://graph.instagram.com */
};
/* A client for an Instagram host (under the sandbox, the fake's
 * <graph_base_url>/_instagram/api or .../graph); NULL with a message
 * in err when instagram_app_id or instagram_app_secret is missing. */
struct graph	*graph_new_instagram(const struct conf *, enum graph_host,
		    char *err, size_t errsz);
void		 graph_free(struct graph *);

/* Make one call: method on <base>/<version><path> with params (query
 * string, URL-encoded here), an optional JSON body and the given
 * authentication.  Returns 0 when the class is GRAPH_OK, else -1; res
 * is always filled and must be released with graph_result_free. */
int		 graph_call(struct graph *, enum graph_method, const char *path,
		    const struct graph_param *params, const cJSON *body,
		    enum graph_auth, const char *token, struct graph_result *res);
/* POST form (URL-encoded in the body, not the query string, and never
 * logged) to <base><path>, without authentication; as graph_call. */
int		 graph_post_form(struct graph *, const char *path,
		    const struct graph_param *form, struct graph_result *res);
/* Run n requests with at most parallel of them in flight (capped at
 * HG_GRAPH_PARALLEL_MAX), over the multi interface.  Each request's
 * res is filled as by graph_call.  Returns 0 when all ran (whatever
 * their class), -1 when the batch could not be set up. */
int		 graph_multi(struct graph *, struct graph_req *, size_t n,
		    size_t parallel);

/* GET an absolute url (https; http only to a loopback host, and only
 * when the client's base is one), redirects not followed, with
 * "Authorization: Bearer <bearer>" when bearer is not NULL (WhatsApp
 * media; never sent over plain http to anything but loopback): the
 * body, at most max bytes, into out (initialised by the caller with a
 * larger max) and the Content-Type header's value (without
 * parameters, lower case) into ctype.  res as graph_call: an answer
 * over max is GRAPH_PERMANENT with reason GRAPH_REASON_LIMIT; non-2xx
 * answers are classified as Meta's.  0 when ok, else -1. */
int		 graph_download(struct graph *, const char *url,
		    const char *bearer, size_t max, struct buf *out,
		    char *ctype, size_t ctsz, struct graph_result *res);

/* Release what a result owns (its JSON); the struct is zeroed. */
void		 graph_result_free(struct graph_result *);
/* The calls g sent (a round trip was tried) since graph_new or the last
 * take, by the class of their answer, into n; then zero. */
void		 graph_calls_take(struct graph *, long long n[GRAPH_CLASS__MAX]);
/* Fill res with a decision taken here, without a round trip: class,
 * reason, and a message (printf format). */
void		 graph_result_local(struct graph_result *, enum graph_class,
		    enum graph_reason, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/* 0 when url may be called: https, or http to a loopback host;
 * -1 with the reason in why. */
int		 graph_url_allowed(const char *url, char *why, size_t whysz);
/* hex(HMAC-SHA256(app_secret, token "|" t)) into out (65 bytes). */
int		 graph_proof(const char *app_secret, const char *token,
		    long long t, char out[65]);
/* Write the full URL graph_call would request into out (for tests:
 * it holds the token, so never log it unredacted); 0 or -1. */
int		 graph_url(struct graph *, const char *path,
		    const struct graph_param *, enum graph_auth,
		    const char *token, char *out, size_t outsz);
/* 1 when s is a plausible Meta object id to put in a path ([0-9A-Za-z
 * _.-], 1 to HG_META_ID_MAX bytes), else 0. */
int		 graph_id_ok(const char *s);
/* The app id of the configuration (for callers building requests). */
const char	*graph_app_id(const struct graph *);
/* The configuration's graph_version ("v24.0"). */
const char	*graph_version(const struct graph *);
/* The first app secret (for client_secret); never log it. */
const char	*graph_app_secret(const struct graph *);

#endif
