/*
 * webhook: GET and POST /webhook, Meta's side of the gateway.
 *
 * GET is the verification handshake (hub.mode, hub.verify_token
 * compared in constant time, hub.challenge echoed when it is a plain
 * token).  POST reads the body within its limits, checks
 * X-Hub-Signature-256 on the raw bytes, parses the envelope and hands
 * the event to the committer (committer.h); the request is answered,
 * 200 or 503, only once the transaction holding its event has
 * committed or failed: under FastCGI from the committer's thread (the
 * request is deferred), under CGI before webhook_handle returns.
 *
 * Refused requests (bad signature, wrong verify token, verify_token or
 * app_secret unset) are counted (committer_count) and logged under the
 * counter's name, all kinds together through one rate limit: anyone can
 * send them, and a flood must not fill the disk.
 *
 * Lock rules: the webhook holds no lock of its own but the log rate
 * limit's, a leaf; it answers a request only from the committer's done
 * callback, which runs holding no lock.
 */
#ifndef HG_WEBHOOK_H
#define HG_WEBHOOK_H

#include <stddef.h>

#include "route.h"

struct conf;
struct req;
struct webhook;

/* The fields of GET /webhook's query, validated by the route's gate
 * (webhook_fields: the route declares them) and read by webhook_handle
 * from its route_ctx, in this order. */
enum webhook_field {
	WEBHOOK_MODE,		/* hub.mode */
	WEBHOOK_VERIFY_TOKEN,	/* hub.verify_token */
	WEBHOOK_CHALLENGE,	/* hub.challenge */
	WEBHOOK_FIELD__MAX
};
extern const struct route_field webhook_fields[WEBHOOK_FIELD__MAX];

/* Start the receiver and its committer; threaded selects group commit
 * (FastCGI), else events commit in the request (CGI).  c is borrowed
 * and must outlive the webhook.  NULL on failure to allocate or start;
 * a database that cannot be opened is not a failure here: requests get
 * 503 until it can be. */
struct webhook	*webhook_new(const struct conf *c, int threaded);
/* Store and answer what is queued, stop, and free.  NULL is accepted. */
void		 webhook_free(struct webhook *);

/* Handle GET and POST /webhook completely (a POST may be answered
 * later, from another thread: see above); cx holds the validated
 * webhook_fields. */
void		 webhook_handle(struct webhook *, struct req *,
		    const struct route_ctx *cx);

/* The result of checking an X-Hub-Signature-256 value. */
enum webhook_sig {
	WEBHOOK_SIG_OK,		/* matches one configured secret */
	WEBHOOK_SIG_MISSING,	/* no header */
	WEBHOOK_SIG_MALFORMED,	/* not "sha256=" and 64 lowercase hex */
	WEBHOOK_SIG_MISMATCH,	/* well formed, matches no secret */
	WEBHOOK_SIG_NOSECRET,	/* no app_secret configured */
	WEBHOOK_SIG__MAX
};

/* Check a signature header against HMAC-SHA256 of body under each
 * comma-separated app_secret, in constant time per secret. */
enum webhook_sig webhook_check_signature(const struct conf *,
		    const char *header, const void *body, size_t len);

#endif
