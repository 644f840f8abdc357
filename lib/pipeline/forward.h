/*
 * forward: delivering captured events to the business's own HTTP
 * endpoints (destinations), Standard Webhooks signed (whsig.h).
 *
 * schema.sql's triggers write every event, and a delivery row for each
 * destination that takes it, in the transaction that made the change.
 * The worker (forward_run) sends them: at most one request in flight
 * per destination (ordered destinations: in event order, the first
 * pending delivery holding the others back), up to
 * HG_FWD_PARALLEL_MAX destinations at once through one curl multi
 * handle, so a slow or dead endpoint never delays the others: slow
 * ones (HG_FWD_SLOW_MS) take at most all but HG_FWD_FAST_RESERVE of
 * those places, and due destinations are taken round robin.  Each
 * attempt re-checks the URL (urlsafe.h) and connects to the address it
 * approved.  2xx succeeds; anything else (redirects are never
 * followed) fails and is retried on forward_schedule with
 * +-HG_FWD_JITTER_PCT jitter, or after Retry-After on 429/502/503/504,
 * then becomes a dead letter; 410 disables the destination, and so do
 * 5 days of failures.  An attempt's outcome is committed after it
 * ends: a worker killed mid-request sends that delivery again (at
 * least once; receivers dedupe on webhook-id, the event's id).
 *
 * The thread (bg_thread_new with forward_job) runs the worker in the
 * dashboard's FastCGI process; cron/webhook-retry runs it for the rest.
 * One process at a time runs a worker (the "forward" lock).
 */
#ifndef HG_FORWARD_H
#define HG_FORWARD_H

#include <stddef.h>

#include "buf.h"
#include "limits.h"

struct conf;
struct db;
struct graph;
struct forward_worker;

struct forward_stats {
	long long	 attempts, delivered, failed, dead, disabled;
};

/* The delay after the failed attempt n (1: the first) on schedule
 * sched (nsched delays in seconds), jittered by rnd (any 32-bit
 * value; the jitter is +-HG_FWD_JITTER_PCT): milliseconds, or -1 when
 * the schedule is spent (a dead letter). */
long long forward_delay_ms(const long long *sched, int nsched, long long n,
	    unsigned long rnd);
/* A Retry-After value (seconds, or an HTTP date) as seconds from
 * now_s, at most HG_FWD_RETRY_AFTER_MAX_S; -1 when it does not parse. */
long long forward_retry_after(const char *v, long long now_s);

/* Seal a destination's secret or headers for workspace under the
 * configuration's token_key, appending to out; 0 or -1 (no key). */
int	 forward_seal(const struct conf *, long long workspace, const char *pt,
	    struct buf *out);
/* Open what forward_seal sealed, appending the text to out (NUL-
 * terminated); 0 or -1. */
int	 forward_unseal(const struct conf *, long long workspace,
	    const void *in, size_t len, struct buf *out);

/* Whether a destination may have the custom header name: value: 0,
 * or -1 with why (a sentence to show).  name must be a token (RFC 9110)
 * of at most HG_FWD_HEADER_NAME_MAX bytes and none of the headers
 * hubgate sets itself (content-type, content-length, host, user-agent,
 * webhook-*) or that belong to the connection, which curl and HTTP own
 * (connection, keep-alive, transfer-encoding, te, trailer, upgrade,
 * expect, http2-settings, proxy-*); value at most
 * HG_FWD_HEADER_VALUE_MAX bytes of UTF-8 text without control bytes
 * (tabs aside: no CR, LF or NUL) nor blanks at either end.  value may
 * be NULL to check the name alone. */
int	 forward_header_check(const char *name, const char *value,
	    const char **why);

/* A worker over d (borrowed); c's forward_schedule and sandbox.
 * curl must be initialised (graph_new did).  NULL when out of memory. */
struct forward_worker *forward_worker_new(const struct conf *c, struct db *d);
void	 forward_worker_free(struct forward_worker *);
/* Deliver what is due for at most budget_ms (requests in flight then
 * are finished, 15 s at most); add to st (may be NULL); *next_ms when
 * a delivery is due next (0: none; may be NULL).  0, or -1 on a
 * database error. */
int	 forward_run(struct forward_worker *, long long budget_ms,
	    struct forward_stats *st, long long *next_ms);

/* The worker as a thread (bgthread.h: bg_thread_new(c, &forward_job)). */
struct bg_job;
extern const struct bg_job forward_job;

#endif
