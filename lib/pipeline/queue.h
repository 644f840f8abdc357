/*
 * queue: the processing loop over stored webhook events, shared by the
 * webhook-retry cron and the webhook's inline processor.
 *
 * Events are claimed in a short transaction with a lease under a fresh
 * claim token, then processed in a second transaction, each in its own
 * savepoint, and finished only if the lease is still theirs (fencing):
 * a late worker whose lease expired and was taken over cannot overwrite
 * the newer claim's result.  A failed event waits for the next step of
 * the retry schedule (with +-20% jitter) and becomes a dead letter when
 * the schedule is exhausted; every failure is logged in event_attempt.
 * Claims and failures are counted apart: a claim whose lease lapsed
 * with no result (the worker died or stalled) does not move the
 * schedule, but an event claimed HG_QUEUE_LAPSES_MAX times without a
 * result becomes a dead letter that says so.
 */
#ifndef HG_QUEUE_H
#define HG_QUEUE_H

#include <stddef.h>

#include "limits.h"

struct conf;
struct db;

/* Process one event inside the open transaction: 0, or -1 with a
 * message in err (the event is retried later). */
typedef int (*queue_fn)(struct db *, long long id, const char *body,
    size_t len, long long now_ms, void *arg, char *err, size_t errsz);

struct queue_opts {
	long long	 lease_ms;	/* how long a claim holds */
	long long	 budget_ms;	/* stop claiming after this long */
	int		 batch;		/* events per transaction */
	long long	 schedule[HG_SCHEDULE_STEPS_MAX];	/* seconds */
	int		 nschedule;
	queue_fn	 fn;		/* NULL: events_process */
	void		*fn_arg;
	/* The clock in ms (tests pass their own); NULL: real time. */
	long long	 (*clock)(void *);
	void		*clock_arg;
};

struct queue_stats {
	long long	 claimed, processed, failed, dead, fenced;
};

/* Fill opts from the configuration (retry_schedule, queue_lease_s,
 * cron_budget_s) with events_process as the step; 0, or -1 when the
 * schedule does not parse. */
int		 queue_opts_conf(struct queue_opts *, const struct conf *);
/* The delay before retry number attempt (1 = after the first failure)
 * in ms with jitter r in [0, 1); -1 when the schedule is exhausted. */
long long	 queue_delay_ms(const struct queue_opts *, int attempt, double r);
/* Make dead letters of events claimed too often without a result
 * (counted in stats->dead), then process due events until none is
 * left or the budget is spent.  Returns 0, or -1 on a database error
 * (what was committed stays). */
int		 queue_run(struct db *, const struct queue_opts *,
		    struct queue_stats *);
/* Delete processed events received before before_ms, batch events per
 * statement.  A transaction takes batches until it has run
 * HG_PRUNE_TXN_MS, then commits and pauses HG_PRUNE_PAUSE_MS, so that
 * the webhook never waits long for the write lock; the budget is
 * checked after every batch, so pruning stops within one batch of
 * budget_ms.  *deleted counts what was committed.  0 or -1. */
int		 queue_prune(struct db *, long long before_ms, int batch,
		    long long budget_ms, long long *deleted);
/* Delete the audit lines written before before_s (unix seconds) the
 * same way (batch lines per statement, short transactions, pauses
 * between them, within one batch of budget_ms); *deleted counts what
 * was committed.  0 or -1. */
/* Prune the summaries as queue_prune prunes events: rows of event_stat,
 * event_total and event_latency that count nothing any more, and
 * counter_hourly older than HG_COUNTER_HOURS_KEEP hours before now_ms.
 * *deleted says how many rows went.  0 or -1. */
int		 queue_prune_stats(struct db *, long long now_ms, int batch,
		    long long budget_ms, long long *deleted);
int		 queue_prune_audit(struct db *, long long before_s, int batch,
		    long long budget_ms, long long *deleted);
/* The session lifetimes of the configuration (session_idle_s,
 * session_max_s), for queue_prune_accounts. */
struct queue_account_opts {
	long long	 idle_s, max_s;
};
/* Delete, the same way, what the sign-in machinery leaves behind at
 * now_ms (unix ms): sessions past their idle or absolute expiry (o),
 * throttle rows whose wait ended more than HG_ACCOUNT_STALE_S ago, and
 * setup tokens used or expired more than HG_ACCOUNT_STALE_S ago;
 * *deleted counts what was committed.  0 or -1. */
int		 queue_prune_accounts(struct db *,
		    const struct queue_account_opts *o, long long now_ms,
		    int batch, long long budget_ms, long long *deleted);

#endif
