/*
 * queue: claim, process, finish or retry stored webhook events.
 * See queue.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "automation.h"
#include "clock.h"
#include "buf.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_event.h"
#include "db_queue.h"
#include "db_stats.h"
#include "db_user.h"
#include "events.h"
#include "limits.h"
#include "log.h"
#include "num.h"
#include "queue.h"


int
queue_opts_conf(struct queue_opts *o, const struct conf *c)
{
	memset(o, 0, sizeof(*o));
	o->nschedule = conf_schedule_parse(conf_get(c, "retry_schedule"),
	    o->schedule);
	if (o->nschedule < 0)
		return -1;
	o->lease_ms = conf_get_int(c, "queue_lease_s") * 1000;
	o->budget_ms = conf_get_int(c, "cron_budget_s") * 1000;
	o->batch = 64;
	return 0;
}

long long
queue_delay_ms(const struct queue_opts *o, int attempt, double r)
{
	double base;

	if (attempt < 1 || attempt > o->nschedule)
		return -1;
	base = (double)o->schedule[attempt - 1] * 1000.0;
	return (long long)(base * (0.8 + 0.4 * r));
}

/* A uniform number in [0, 1) from the system's random source. */
static double
queue_random(void)
{
	unsigned int v = 0;

	crypto_random(&v, sizeof(v));
	return (double)v / 4294967296.0;
}

static long long
queue_clock(const struct queue_opts *o)
{
	return o->clock != NULL ? o->clock(o->clock_arg) : clock_ms();
}

/* The default step: normalise the event into the inbox. */
static int
queue_events(struct db *d, long long id, const char *body, size_t len,
    long long now_ms, void *arg, char *err, size_t errsz)
{
	(void)arg;
	if (events_process(d, id, body, len, now_ms) == 0 &&
	    automation_after_event(d, id, now_ms) == 0)
		return 0;
	snprintf(err, errsz, "database: %s", db_errmsg(d));
	return -1;
}

/* Process the claimed events in one transaction; 0 or -1 (database). */
static int
queue_batch(struct db *d, const struct queue_opts *o, const char *token,
    const long long *ids, const int *failures, int n,
    struct queue_stats *st)
{
	queue_fn	 fn = o->fn != NULL ? o->fn : queue_events;
	struct buf	 body;
	char		 err[256];
	long long	 now, delay, txn;
	int		 i, rc;

	buf_init(&body, HG_WEBHOOK_BODY_CEILING);
	if (db_begin(d) == -1)
		goto fail;
	txn = clock_mono_ms();
	for (i = 0; i < n; i++) {
		/* Keep each transaction short, so that the webhook never
		 * waits long for the write lock: commit what is done and go
		 * on in a new one (the leases still hold). */
		if (i > 0 && clock_mono_ms() - txn >= HG_QUEUE_TXN_MS) {
			if (db_commit(d) == -1 || db_begin(d) == -1)
				goto fail;
			txn = clock_mono_ms();
		}
		now = queue_clock(o);
		buf_reset(&body);
		if (db_savepoint(d) == -1)
			goto fail;
		if ((rc = db_event_body(d, ids[i], token, &body)) == -1)
			goto fail;
		if (rc == 0) {		/* the lease was taken over */
			st->fenced++;
			if (db_release(d) == -1)
				goto fail;
			continue;
		}
		err[0] = '\0';
		if (fn(d, ids[i], body.data, body.len, now, o->fn_arg, err,
		    sizeof(err)) == 0) {
			if ((rc = db_event_done(d, ids[i], token, now)) == -1)
				goto fail;
			if (rc == 1) {
				st->processed++;
				if (db_release(d) == -1)
					goto fail;
				continue;
			}
			st->fenced++;
			if (db_rollback_to(d) == -1 || db_release(d) == -1)
				goto fail;
			continue;
		}
		/* The step failed: undo its writes, schedule the retry by
		 * the failures so far (lapsed claims do not count). */
		if (db_rollback_to(d) == -1 || db_release(d) == -1)
			goto fail;
		delay = queue_delay_ms(o, failures[i] + 1, queue_random());
		rc = db_event_fail(d, ids[i], token, delay < 0 ?
		    EVENT_DEAD_LETTER : EVENT_FAILED, delay < 0 ? 0 : now + delay,
		    err[0] != '\0' ? err : "failed", now);
		if (rc == -1)
			goto fail;
		if (rc == 0)
			st->fenced++;
		else if (delay < 0)
			st->dead++;
		else
			st->failed++;
	}
	if (db_commit(d) == -1)
		goto fail;
	buf_free(&body);
	return 0;
fail:
	db_rollback(d);
	buf_free(&body);
	return -1;
}

int
queue_run(struct db *d, const struct queue_opts *o, struct queue_stats *st)
{
	long long	 ids[HG_QUEUE_BATCH_MAX], start = queue_clock(o), dead;
	int		 failures[HG_QUEUE_BATCH_MAX], n, batch;
	char		 token[CRYPTO_TOKEN_CHARS + 1];
	struct logline	 l;

	batch = o->batch < 1 ? 1 : o->batch > HG_QUEUE_BATCH_MAX ?
	    HG_QUEUE_BATCH_MAX : o->batch;
	do {
		if (crypto_token(token, sizeof(token)) == -1)
			return -1;
		if (db_begin(d) == -1)
			goto dberr;
		if (db_queue_abandon(d, queue_clock(o), HG_QUEUE_LAPSES_MAX,
		    &dead) == -1 || db_queue_claim(d, token, queue_clock(o),
		    o->lease_ms, batch, ids, failures, &n) == -1 ||
		    db_commit(d) == -1) {
			db_rollback(d);
			goto dberr;
		}
		if (dead > 0) {
			st->dead += dead;
			log_begin(&l, LOG_LEVEL_WARN, "queue.abandoned");
			log_int(&l, "events", dead);
			log_int(&l, "lapses", HG_QUEUE_LAPSES_MAX);
			log_str(&l, "state", event_state_names[EVENT_DEAD_LETTER]);
			log_end(&l);
		}
		if (n == 0)
			break;
		st->claimed += n;
		if (queue_batch(d, o, token, ids, failures, n, st) == -1) {
			/* Not the events' fault: give their claims back
			 * (best effort: the leases lapse anyway). */
			log_begin(&l, LOG_LEVEL_ERROR, "queue.db_error");
			log_str(&l, "error", db_errmsg(d));
			log_end(&l);
			db_queue_release(d, token, queue_clock(o));
			return -1;
		}
	} while (queue_clock(o) - start < o->budget_ms);
	return 0;
dberr:
	log_begin(&l, LOG_LEVEL_ERROR, "queue.db_error");
	log_str(&l, "error", db_errmsg(d));
	log_end(&l);
	return -1;
}

/* One batch of a pruning: delete at most limit rows older than the
 * cutoff arg points to, *deleted set to how many; 0 or -1. */
typedef int (*queue_prune_fn)(struct db *, const void *arg, int limit,
    long long *deleted);

/* The batches of each kind of pruning. */
static int
prune_events(struct db *d, const void *arg, int limit, long long *deleted)
{
	return db_prune(d, *(const long long *)arg, limit, deleted);
}

static int
prune_audit(struct db *d, const void *arg, int limit, long long *deleted)
{
	return db_audit_prune(d, *(const long long *)arg, limit, deleted);
}

static int
prune_accounts(struct db *d, const void *arg, int limit, long long *deleted)
{
	return db_account_prune(d, arg, limit, deleted);
}

static int
prune_stats(struct db *d, const void *arg, int limit, long long *deleted)
{
	return db_stats_prune(d, *(const long long *)arg, limit, deleted);
}

/* queue_prune's loop around one kind of batch (see queue.h). */
static int
queue_prune_with(struct db *d, queue_prune_fn step, const void *before,
    int batch, long long budget_ms, long long *deleted)
{
	struct timespec	 pause = { HG_PRUNE_PAUSE_MS / 1000,
			    (HG_PRUNE_PAUSE_MS % 1000) * 1000000L };
	long long	 n, txn, start = clock_mono_ms(), began, now;
	int		 more, batches;

	*deleted = 0;
	if (batch < 1)
		batch = 1;
	for (;;) {
		if (db_begin(d) == -1)
			return -1;
		began = clock_mono_ms();
		txn = 0;
		batches = 0;
		/* Batches until nothing is left, the budget is spent, or the
		 * transaction has run HG_PRUNE_TXN_MS or HG_PRUNE_TXN_BATCHES
		 * batches. */
		do {
			if (step(d, before, batch, &n) == -1) {
				db_rollback(d);
				return -1;
			}
			txn += n;
			now = clock_mono_ms();
			more = n == batch && now - start < budget_ms;
		} while (more && now - began < HG_PRUNE_TXN_MS &&
		    ++batches < HG_PRUNE_TXN_BATCHES);
		if (db_commit(d) == -1) {
			db_rollback(d);
			return -1;
		}
		*deleted += txn;
		if (!more)
			return 0;
		/* Let a writer waiting in its busy handler take the lock. */
		nanosleep(&pause, NULL);
	}
}

int
queue_prune(struct db *d, long long before_ms, int batch, long long budget_ms,
    long long *deleted)
{
	return queue_prune_with(d, prune_events, &before_ms, batch, budget_ms,
	    deleted);
}

int
queue_prune_stats(struct db *d, long long now_ms, int batch,
    long long budget_ms, long long *deleted)
{
	long long before_hour = now_ms / DB_HOUR_MS - HG_COUNTER_HOURS_KEEP;

	return queue_prune_with(d, prune_stats, &before_hour, batch,
	    budget_ms, deleted);
}

int
queue_prune_audit(struct db *d, long long before_s, int batch,
    long long budget_ms, long long *deleted)
{
	return queue_prune_with(d, prune_audit, &before_s, batch, budget_ms,
	    deleted);
}

int
queue_prune_accounts(struct db *d, const struct queue_account_opts *o,
    long long now_ms, int batch, long long budget_ms, long long *deleted)
{
	struct db_account_cut	 cut;
	long long		 now = now_ms / 1000;

	cut.idle_before = now - o->idle_s;
	cut.created_before = now - o->max_s;
	cut.throttle_before_ms = now_ms - HG_ACCOUNT_STALE_S * 1000LL;
	cut.setup_before = now - HG_ACCOUNT_STALE_S;
	return queue_prune_with(d, prune_accounts, &cut, batch, budget_ms,
	    deleted);
}
