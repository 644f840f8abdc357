/*
 * db_queue: the processing queue over the stored events (db_queue.c):
 * claims under leases, results, retries, requeues and pruning.
 */
#ifndef HG_DB_QUEUE_H
#define HG_DB_QUEUE_H

#include "buf.h"
#include "db.h"
#include "db_event.h"

/* Give back the claims made under token whose processing a database
 * error rolled back: due again at now_ms, the claim not counted (only
 * a worker that died or stalled makes a lapse).  0 or -1. */
int		 db_queue_release(struct db *, const char *token,
		    long long now_ms);
/* Make a dead letter of every event whose lease expired by now_ms
 * after lapses_max or more claims that ended with no result (neither
 * done nor failed: the worker died or stalled), with that reason as
 * its last error and in its attempt log; *count is how many.  Run
 * inside a transaction, before db_queue_claim.  0 or -1. */
int		 db_queue_abandon(struct db *, long long now_ms, int lapses_max,
		    long long *count);
/* Claim up to max due events (pending; failed whose time has come;
 * processing whose lease expired) for lease_ms under token, in one
 * statement; each claim adds one to the event's attempts.  Fills ids[]
 * and failures[] (failed attempts so far: the retry schedule's step);
 * sets *n.  Run inside a transaction.  0 or -1. */
int		 db_queue_claim(struct db *, const char *token, long long now_ms,
		    long long lease_ms, int max, long long *ids, int *failures,
		    int *n);
/* The body of an event we hold the lease of, appended to out:
 * 1, 0 when the lease is no longer ours, -1. */
int		 db_event_body(struct db *, long long id, const char *token,
		    struct buf *out);
/* Mark processed: 1, 0 when the lease is no longer ours (fenced), -1. */
int		 db_event_done(struct db *, long long id, const char *token,
		    long long now_ms);
/* Make an event stored as processed pending again (and never
 * attempted), keeping error as its last_error: processing it in the
 * transaction that stored it failed, and that work was rolled back.
 * Called before that transaction commits, so that no committed event
 * says processed without its work; 0 or -1. */
int		 db_event_unprocessed(struct db *, long long id,
		    const char *error);
/* Mark failed (next_ms set) or dead_letter (state), counting one more
 * failure, keeping error and logging the attempt: 1, 0 when fenced,
 * -1. */
int		 db_event_fail(struct db *, long long id, const char *token,
		    enum event_state, long long next_ms, const char *error,
		    long long now_ms);
/* Requeue: one event (id > 0), every dead letter (dead_only), or every
 * finished event received in [from_ms, to_ms).  *count is how many. */
int		 db_requeue(struct db *, long long id, int dead_only,
		    long long from_ms, long long to_ms, long long *count);
/* Delete up to limit processed events received before before_ms, in
 * one statement (rows referring to them are unlinked through their
 * indexes); *deleted is how many.  0 or -1. */
int		 db_prune(struct db *, long long before_ms, int limit,
		    long long *deleted);
/* Call fn(arg, state, count, oldest received_ms or 0) for every state
 * but processed: the events still to be worked on or kept aside.  Its
 * cost follows their number, not the number of events stored. */
int		 db_queue_states(struct db *, void (*fn)(void *,
		    enum event_state, long long, long long), void *arg);

#endif
