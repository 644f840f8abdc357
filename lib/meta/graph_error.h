/*
 * graph_error: Meta's error table (docs/META.md, "Errors") as code.
 * A Graph API answer becomes a class that says what to do next (ok,
 * retry later, throttled, token invalid, permanent), a reason, and the
 * wait implied by Retry-After or Meta's usage headers (X-App-Usage,
 * X-Business-Use-Case-Usage, X-Page-Usage).  Pure functions: no I/O.
 */
#ifndef HG_GRAPH_ERROR_H
#define HG_GRAPH_ERROR_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* What the caller should do with a result. */
enum graph_class {
	GRAPH_OK,		/* done */
	GRAPH_RETRY,		/* transient: try again after delay_s */
	GRAPH_THROTTLED,	/* rate limited: wait delay_s */
	GRAPH_TOKEN_INVALID,	/* token dead: mark it, ask for reconnect */
	GRAPH_PERMANENT,	/* never retry as it is */
	GRAPH_CLASS__MAX
};
extern const char *const graph_class_names[GRAPH_CLASS__MAX];

/* Why, in more detail (for people and for choosing another route). */
enum graph_reason {
	GRAPH_REASON_NONE,
	GRAPH_REASON_TRANSIENT,		/* 5xx, timeout, network, codes 1/2 */
	GRAPH_REASON_RATE,		/* 4, 17, 32, 613, 80000-80014 ... */
	GRAPH_REASON_POLICY,		/* 368: blocked for a while */
	GRAPH_REASON_TOKEN,		/* 190, 102, 492 */
	GRAPH_REASON_PERMISSION,	/* 3, 10, 200-299 */
	GRAPH_REASON_PARAMETER,		/* 100 and friends */
	GRAPH_REASON_UNAVAILABLE,	/* the person cannot be reached */
	GRAPH_REASON_WINDOW,		/* outside the messaging window */
	GRAPH_REASON_LIMIT,		/* refused here: a Meta limit */
	GRAPH_REASON_REFUSED,		/* refused here: transport policy */
	GRAPH_REASON_OTHER,
	GRAPH_REASON__MAX
};
extern const char *const graph_reason_names[GRAPH_REASON__MAX];

struct graph_result {
	enum graph_class	 cls;
	enum graph_reason	 reason;
	int			 http_status;	/* 0: no HTTP answer */
	long			 code;		/* Meta's error code, or 0 */
	long			 subcode;	/* error_subcode, or 0 */
	long			 delay_s;	/* RETRY, THROTTLED: wait this */
	int			 local;		/* 1: decided here, nothing sent */
	int			 ambiguous;	/* 1: the request was written but
						 * no answer came (timeout, lost
						 * connection): Meta may have
						 * acted on it */
	int			 usage_pct;	/* highest usage seen, -1: none */
	long			 elapsed_ms;
	long			 connects;	/* new connections (0: reused) */
	char			 fbtrace_id[64];
	char			 message[256];	/* for logs (no tokens) */
	char			 user_title[128];
	char			 user_msg[512];	/* for people, when Meta gives one */
	char			 id[128];	/* a send's message id or wamid */
	cJSON			*json;		/* the parsed body or NULL; owned */
};

/* The usage and retry headers of a response (values or NULL). */
struct graph_headers {
	const char	*app_usage;	/* X-App-Usage */
	const char	*buc_usage;	/* X-Business-Use-Case-Usage */
	const char	*page_usage;	/* X-Page-Usage */
	const char	*retry_after;	/* Retry-After, seconds */
};

/* Classify a response from its HTTP status, body and headers (NULL
 * when none) into res, which must be zeroed; parses the body into
 * res->json (owned by res).  Sets cls, reason, code, subcode,
 * delay_s, usage_pct, message, fbtrace_id, user_title, user_msg. */
void	 graph_error_classify(int http_status, const char *body, size_t len,
	    const struct graph_headers *, struct graph_result *res);
/* The highest usage percentage in the headers (-1 when none) and the
 * wait they imply (0 when none): Meta's estimated_time_to_regain_access
 * in minutes, or HG_GRAPH_USAGE_FULL_S at 100%, capped at
 * HG_GRAPH_DELAY_MAX_S.  Malformed headers count as absent. */
void	 graph_error_usage(const struct graph_headers *, int *pct,
	    long *delay_s);

#endif
