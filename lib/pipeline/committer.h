/*
 * committer: stores webhook events durably, many to a transaction.
 *
 * Under FastCGI (threaded) the request threads queue their items
 * (committer_submit) and one committer thread writes everything that
 * arrived while the previous transaction was being made durable in one
 * transaction of at most HG_GROUP_MAX items (group commit), then hands
 * each item back through the done callback, from that thread, once the
 * transaction holding it has committed or failed.  Under CGI the item
 * commits in the caller, which gets it back before committer_submit
 * returns.
 *
 * For each item, in the group's transaction: route (find the channels
 * of the ids the envelope names), store the raw event, link it to its
 * channels, and process it when it is small enough (its envelope kept
 * the parsed body) and inline_budget_ms is positive.
 *
 * Event states.  An event processed in the commit that stores it is
 * inserted with the state "processed" BEFORE its processing runs, so
 * that its row (and queue index entry) is written once.  Processing
 * runs under a savepoint; when it fails, its work is rolled back to the
 * savepoint and db_event_unprocessed makes the event "pending" again,
 * still inside the transaction.  So no committed event is "processed"
 * unless its inbox rows committed with it.  Other events are stored
 * "pending" (or "invalid" when the body is not JSON) for the queue.
 *
 * Under FastCGI the committer also runs a checkpointer (checkpointer.h:
 * its commits never checkpoint the WAL) and, when inline_budget_ms is
 * positive, a processor (processor.h) that it pokes after a commit left
 * events pending.
 *
 * Counters (enum ingest_counter) are counted in memory and added to the
 * counter table with a group: at once when the group found the
 * committer idle, else at most every HG_COUNTER_FLUSH_MS, and by
 * themselves when nothing arrives.
 *
 * Lock rules.  write_mu: held around every writing transaction of the
 * process (the committer's, the processor's, the checkpointer's last
 * copy), so that they queue on it rather than inside SQLite's busy
 * handler; it also guards the pending counts of committed groups.  mu:
 * the queue of items, the stop flag and the counts not yet added.
 * Order: write_mu before mu; never take write_mu holding mu.  The
 * processor's and checkpointer's mutexes are leaves.  The done
 * callback is called holding none of them.
 */
#ifndef HG_COMMITTER_H
#define HG_COMMITTER_H

#include "db_event.h"

struct committer;
struct conf;
struct envelope;

/*
 * The webhook counters in the counter table, named by
 * ingest_counter_names ("webhook.accepted", ...).  Accepted, duplicate,
 * invalid, unrouted and unknown_object are counted by the committer for
 * the events it stores, and added to the table with a group's commit
 * (at most every HG_COUNTER_FLUSH_MS under load); the refusals (a
 * request refused before anything is stored) through committer_count.
 */
enum ingest_counter {
	INGEST_ACCEPTED,	/* events stored (not duplicates) */
	INGEST_DUPLICATE,	/* a body already stored: answered 200 */
	INGEST_BAD_SIGNATURE,	/* POST without a valid signature: 401 */
	INGEST_INVALID,		/* stored, but not JSON with an object */
	INGEST_UNROUTED,	/* stored, not routed to all its channels */
	INGEST_UNKNOWN_OBJECT,	/* stored, with an object we do not route */
	INGEST_VERIFY_REFUSED,	/* GET with a wrong mode or token: 403 */
	INGEST_NO_VERIFY_TOKEN,	/* GET while verify_token is unset: 503 */
	INGEST_NO_APP_SECRET,	/* POST while app_secret is unset: 503 */
	INGEST_PROCESSED_INLINE, /* processing attempts made in the
				  * transaction that stores an event */
	INGEST_COUNTER__MAX
};

/* The counter table's name of each counter. */
extern const char *const ingest_counter_names[INGEST_COUNTER__MAX];

/* An event on its way to the disk.  The submitter fills ev (but
 * routing, channel_id and state), env and owner; the committer sets
 * the rest.  The item and what it points to are the submitter's and
 * must stay valid until done is called with it. */
struct commit_item {
	struct db_event		 ev;
	const struct envelope	*env;		/* ev's body, parsed */
	void			*owner;		/* the submitter's */
	int			 result;	/* 1 stored, 0 duplicate,
						 * -1 not stored */
	int			 processed;	/* in the commit that stored it */
	struct commit_item	*next;		/* the committer's queue */
};

/* Start the committer; threaded selects group commit with a committer
 * thread, a checkpointer and a processor (FastCGI), else items commit
 * in the caller (CGI).  done(item) is called once per submitted item
 * after its transaction; it may free the item.  c is borrowed and must
 * outlive the committer.  NULL when it cannot be allocated or a thread
 * cannot start; a database that cannot be opened is not a failure here:
 * items are then not stored (result -1) until it can be. */
struct committer	*committer_new(const struct conf *c, int threaded,
			    void (*done)(struct commit_item *));
/* Commit what is queued, answer it (done), stop the threads, add the
 * counts not yet added, and free.  NULL is accepted. */
void			 committer_free(struct committer *);
/* 1 when items may be queued (threaded), else 0. */
int			 committer_threaded(const struct committer *);

/* Store it.  With later set and a threaded committer, queue it: done is
 * called from the committer thread.  Else commit it in this thread (with
 * the counts not yet added) and call done before returning. */
void			 committer_submit(struct committer *,
			    struct commit_item *, int later);
/* Count one event of kind k that stores nothing (a refused request):
 * added to the counter table with a later commit.  Takes mu; may be
 * called from any thread. */
void			 committer_count(struct committer *,
			    enum ingest_counter k);

#endif
