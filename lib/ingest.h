/*
 * ingest: the webhook receiver's logic.  Verification handshake,
 * signature check on the raw bytes, a light envelope parse, and the
 * durable store that must finish before Meta hears 200.
 *
 * Under FastCGI many request threads hand their events to one
 * committer thread, which writes everything that arrived while the
 * previous transaction was being made durable in one transaction (group
 * commit); each request is answered only once the transaction holding
 * its event has committed.  Under CGI, the request commits on its own.
 */
#ifndef HG_INGEST_H
#define HG_INGEST_H

#include <stddef.h>

struct conf;
struct ingest;
struct req;

/* Start the receiver; threaded selects group commit with a committer
 * thread (FastCGI), else events commit in the caller (CGI).  NULL on
 * failure to allocate or start; a database that cannot be opened is
 * not a failure here: requests get 503 until it can be. */
struct ingest	*ingest_new(const struct conf *, int threaded);
/* Stop the committer (after its current group) and free. */
void		 ingest_free(struct ingest *);

/* Handle GET and POST /webhook completely. */
void		 ingest_handle(struct ingest *, struct req *);

/* The result of checking an X-Hub-Signature-256 value. */
enum ingest_sig {
	INGEST_SIG_OK,		/* matches one configured secret */
	INGEST_SIG_MISSING,	/* no header */
	INGEST_SIG_MALFORMED,	/* not "sha256=" and 64 lowercase hex */
	INGEST_SIG_MISMATCH,	/* well formed, matches no secret */
	INGEST_SIG_NOSECRET,	/* no app_secret configured */
	INGEST_SIG__MAX
};

/* Check a signature header against HMAC-SHA256 of body under each
 * comma-separated app_secret, in constant time per secret. */
enum ingest_sig	 ingest_check_signature(const struct conf *,
		    const char *header, const void *body, size_t len);

#endif
