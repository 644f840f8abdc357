/*
 * committer: group commit of webhook events.  See committer.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "checkpointer.h"
#include "automation.h"
#include "committer.h"
#include "conf.h"
#include "db.h"
#include "db_channel.h"
#include "db_event.h"
#include "db_queue.h"
#include "envelope.h"
#include "events.h"
#include "limits.h"
#include "log.h"
#include "processor.h"
#include "queue.h"

const char *const ingest_counter_names[INGEST_COUNTER__MAX] = {
	[INGEST_ACCEPTED] = "webhook.accepted",
	[INGEST_DUPLICATE] = "webhook.duplicate",
	[INGEST_BAD_SIGNATURE] = "webhook.bad_signature",
	[INGEST_INVALID] = "webhook.invalid",
	[INGEST_UNROUTED] = "webhook.unrouted",
	[INGEST_UNKNOWN_OBJECT] = "webhook.unknown_object",
	[INGEST_VERIFY_REFUSED] = "webhook.verify_refused",
	[INGEST_NO_VERIFY_TOKEN] = "webhook.no_verify_token",
	[INGEST_NO_APP_SECRET] = "webhook.no_app_secret",
	[INGEST_PROCESSED_INLINE] = "webhook.processed_inline",
};

struct committer {
	const struct conf	*conf;
	void			 (*done)(struct commit_item *);
	int			 threaded;
	int			 inline_on;	/* inline_budget_ms > 0 */
	struct checkpointer	*ck;		/* threaded only */
	struct processor	*proc;		/* threaded, inline_on */
	pthread_t		 thread;

	pthread_mutex_t		 write_mu;	/* see committer.h */
	struct db		*db;		/* under write_mu */
	/* Counts of committed groups not yet added to the counter table,
	 * and when they last were. */
	long long		 pend[INGEST_COUNTER__MAX];	/* write_mu */
	long long		 flushed_ms;			/* write_mu */

	pthread_mutex_t		 mu;		/* see committer.h */
	pthread_cond_t		 work;		/* the thread waits here */
	struct commit_item	*head, *tail;	/* mu */
	int			 stop;		/* mu */
	long long		 held[INGEST_COUNTER__MAX];	/* mu */
	int			 pend_any;	/* pend has counts; mu */
};

/* Open the committer's database if it is not open; 0 or -1. */
static int
committer_db(struct committer *cm)
{
	char err[HG_ERR_MAX];

	if (cm->db != NULL)
		return 0;
	if ((cm->db = db_open(cm->conf, cm->threaded ? DB_FLUSH_APART : 0,
	    err, sizeof(err))) == NULL) {
		log_msg(LOG_LEVEL_ERROR, "webhook.db_open_failed", err);
		return -1;
	}
	return 0;
}

/*
 * Process a stored event inside the group's transaction, under a
 * savepoint: its inbox rows then reach the disk with it, in the same
 * commit, and the event is never claimed.  It was stored as processed
 * (see committer.h); if processing fails its work is undone and it is
 * made pending, with its raw row kept, for the queue and its retries.
 * 0, or -1 when the transaction is lost.
 */
static int
committer_process(struct committer *cm, struct commit_item *it,
    long long id)
{
	struct logline	 l;
	char		 why[300];

	if (db_savepoint(cm->db) == -1)
		return -1;
	if (events_process_json(cm->db, id, it->env->root,
	    it->ev.received_ms) == 0 &&
	    automation_after_event(cm->db, id, it->ev.received_ms) == 0) {
		it->processed = 1;
		return db_release(cm->db);
	}
	snprintf(why, sizeof(why), "database: %s", db_errmsg(cm->db));
	log_begin(&l, LOG_LEVEL_WARN, "webhook.process_deferred");
	log_int(&l, "event", id);
	log_str(&l, "error", why);
	log_end(&l);
	if (db_rollback_to(cm->db) == -1 || db_release(cm->db) == -1 ||
	    db_event_unprocessed(cm->db, id, why) == -1)
		return -1;
	return 0;
}

/* Route, store and (when small) process one item inside the open
 * transaction, counting it in counts; -1 on a database error. */
static int
committer_write(struct committer *cm, struct commit_item *it,
    long long counts[INGEST_COUNTER__MAX])
{
	const struct envelope	*e = it->env;
	long long		*chans = NULL, id;
	size_t			 i, hit = 0;
	int			 rc = -1, found;

	/* Route first: the routing outcome is stored with the event. */
	it->ev.routing = ROUTING_UNROUTED;
	if (e->valid && e->route_kind != NULL && e->nroute > 0) {
		if ((chans = calloc(e->nroute, sizeof(*chans))) == NULL)
			return -1;
		for (i = 0; i < e->nroute; i++) {
			found = db_channel_find(cm->db, e->route_kind,
			    e->route_ids[i], &chans[hit], NULL);
			if (found == -1)
				goto out;
			hit += (size_t)found;
		}
		if (hit > 0)
			it->ev.routing = hit == e->nroute ? ROUTING_ROUTED :
			    ROUTING_PARTIAL;
	}
	/* Stored as processed before it is: see committer.h. */
	it->processed = 0;
	it->ev.channel_id = hit > 0 ? chans[0] : 0;
	if (cm->inline_on && e->root != NULL)
		it->ev.state = EVENT_PROCESSED;
	else
		it->ev.state = e->valid ? EVENT_PENDING : EVENT_INVALID;
	if ((it->result = db_event_insert(cm->db, &it->ev, &id)) == -1)
		goto out;
	rc = 0;
	if (it->result == 0) {
		counts[INGEST_DUPLICATE]++;
		goto out;
	}
	counts[INGEST_ACCEPTED]++;
	if (!e->valid)
		counts[INGEST_INVALID]++;
	else if (it->ev.routing != ROUTING_ROUTED)
		counts[INGEST_UNROUTED]++;
	for (i = 0; i < hit; i++)
		if ((i > 0 && db_event_route(cm->db, id, chans[i]) == -1) ||
		    db_channel_touch(cm->db, chans[i],
		    it->ev.received_ms / 1000) == -1) {
			rc = -1;
			goto out;
		}
	if (e->valid && e->route_kind == NULL)
		counts[INGEST_UNKNOWN_OBJECT]++;
	if (it->ev.state == EVENT_PROCESSED) {
		counts[INGEST_PROCESSED_INLINE]++;
		rc = committer_process(cm, it, id);
	}
out:
	free(chans);
	return rc;
}

/* Take the counts held by other threads into out, or give back (add)
 * those in out that could not be added after all.  Under mu. */
static void
committer_held_take(struct committer *cm, long long *out)
{
	memcpy(out, cm->held, sizeof(cm->held));
	memset(cm->held, 0, sizeof(cm->held));
}

static void
committer_held_give(struct committer *cm, const long long *in)
{
	int i;

	for (i = 0; i < INGEST_COUNTER__MAX; i++)
		cm->held[i] += in[i];
}

/* Commit a group of items in one transaction, with the pending counts
 * and held (INGEST_COUNTER__MAX counts) when flush is set.  Sets every
 * item's result; 0, or -1 when the group was rolled back (nothing of it
 * is counted).  Under write_mu, not mu. */
static int
committer_commit(struct committer *cm, struct commit_item *list,
    const long long *held, int flush)
{
	long long		 counts[INGEST_COUNTER__MAX], n;
	struct commit_item	*it;
	struct logline		 l;
	int			 i, any;

	memset(counts, 0, sizeof(counts));
	for (it = list; it != NULL; it = it->next)
		it->result = -1;
	if (committer_db(cm) == -1)
		return -1;
	if (db_begin(cm->db) == -1)
		goto err;
	for (it = list; it != NULL; it = it->next)
		if (committer_write(cm, it, counts) == -1)
			goto err;
	for (i = 0; flush && i < INGEST_COUNTER__MAX; i++) {
		n = cm->pend[i] + counts[i] + held[i];
		if (n > 0 && db_counter_add(cm->db, ingest_counter_names[i],
		    n) == -1)
			goto err;
	}
	if (db_commit(cm->db) == -1)
		goto err;
	any = 0;
	for (i = 0; i < INGEST_COUNTER__MAX; i++) {
		cm->pend[i] = flush ? 0 : cm->pend[i] + counts[i];
		any |= cm->pend[i] > 0;
	}
	if (flush)
		cm->flushed_ms = clock_mono_ms();
	pthread_mutex_lock(&cm->mu);
	cm->pend_any = any;
	pthread_mutex_unlock(&cm->mu);
	return 0;
err:
	log_begin(&l, LOG_LEVEL_ERROR, "webhook.store_failed");
	log_str(&l, "error", db_errmsg(cm->db));
	log_end(&l);
	db_rollback(cm->db);
	for (it = list; it != NULL; it = it->next)
		it->result = -1;
	/* A broken connection may not recover: reopen on the next group. */
	if (db_error(cm->db) == DB_ERROR) {
		db_close(cm->db);
		cm->db = NULL;
	}
	return -1;
}

/* Anything counted but not yet in the counter table?  Under mu. */
static int
committer_pending(const struct committer *cm)
{
	int i;

	for (i = 0; i < INGEST_COUNTER__MAX; i++)
		if (cm->held[i] > 0)
			return 1;
	return cm->pend_any;
}

/* The processor's busy(): items are waiting for their commit.  Takes
 * mu. */
static int
committer_busy(void *arg)
{
	struct committer	*cm = arg;
	int			 busy;

	pthread_mutex_lock(&cm->mu);
	busy = cm->head != NULL;
	pthread_mutex_unlock(&cm->mu);
	return busy;
}

/* The committer thread: take everything queued, commit it as one
 * group, hand the items back.  Counts are added with the group when it
 * found the committer idle (light load: at once), else at most every
 * HG_COUNTER_FLUSH_MS, and by themselves when nothing arrives. */
static void *
committer_run(void *arg)
{
	struct committer	*cm = arg;
	struct commit_item	*list, *it, *next;
	struct timespec		 ts;
	long long		 held[INGEST_COUNTER__MAX], frames;
	size_t			 n;
	int			 stored, idle, flush, counted;

	pthread_setname_np(pthread_self(), "hg-commit");
	pthread_mutex_lock(&cm->mu);
	/* On stop, what is queued is still committed and handed back. */
	while (!cm->stop || cm->head != NULL) {
		idle = 0;
		if (cm->head == NULL) {
			clock_deadline(&ts, committer_pending(cm) ?
			    HG_COUNTER_FLUSH_MS : 1000);
			pthread_cond_timedwait(&cm->work, &cm->mu, &ts);
			if (cm->head == NULL &&
			    (!committer_pending(cm) || cm->stop))
				continue;
			idle = 1;
		}
		/* Take up to HG_GROUP_MAX items. */
		list = cm->head;
		for (n = 1, it = list; it != NULL && it->next != NULL &&
		    n < HG_GROUP_MAX; n++)
			it = it->next;
		if (it != NULL) {
			cm->head = it->next;
			it->next = NULL;
			if (cm->head == NULL)
				cm->tail = NULL;
		}
		flush = idle || cm->stop;
		committer_held_take(cm, held);
		pthread_mutex_unlock(&cm->mu);

		pthread_mutex_lock(&cm->write_mu);
		flush = flush ||
		    clock_mono_ms() - cm->flushed_ms >= HG_COUNTER_FLUSH_MS;
		counted = committer_commit(cm, list, held, flush) == 0 && flush;
		frames = cm->db != NULL ? db_journal_size(cm->db) : 0;
		pthread_mutex_unlock(&cm->write_mu);

		stored = 0;
		for (it = list; it != NULL; it = it->next)
			stored |= it->result == 1 && !it->processed;
		if (!counted) {		/* keep them for later */
			pthread_mutex_lock(&cm->mu);
			committer_held_give(cm, held);
			pthread_mutex_unlock(&cm->mu);
		}
		checkpointer_poke(cm->ck, frames);
		if (stored)
			processor_poke(cm->proc);
		/* Hand the items back from this thread: it spares a wakeup
		 * per group, and the items that arrive meanwhile make the
		 * next group bigger. */
		for (it = list; it != NULL; it = next) {
			next = it->next;
			cm->done(it);
		}
		pthread_mutex_lock(&cm->mu);
	}
	pthread_mutex_unlock(&cm->mu);
	return NULL;
}

struct committer *
committer_new(const struct conf *c, int threaded,
    void (*done)(struct commit_item *))
{
	struct committer *cm;

	if ((cm = calloc(1, sizeof(*cm))) == NULL)
		return NULL;
	cm->conf = c;
	cm->done = done;
	cm->threaded = threaded;
	cm->inline_on = conf_get_int(c, "inline_budget_ms") > 0;
	pthread_mutex_init(&cm->write_mu, NULL);
	pthread_mutex_init(&cm->mu, NULL);
	pthread_cond_init(&cm->work, NULL);
	committer_db(cm);
	if (!threaded)
		return cm;
	if ((cm->ck = checkpointer_new(c, &cm->write_mu)) == NULL)
		goto err;
	/* Without a processor, the cron processes what commits leave. */
	if (cm->inline_on)
		cm->proc = processor_new(c, &cm->write_mu, cm->ck,
		    committer_busy, cm);
	if (pthread_create(&cm->thread, NULL, committer_run, cm) != 0)
		goto err;
	return cm;
err:
	processor_free(cm->proc);
	checkpointer_free(cm->ck);
	db_close(cm->db);
	pthread_cond_destroy(&cm->work);
	pthread_mutex_destroy(&cm->mu);
	pthread_mutex_destroy(&cm->write_mu);
	free(cm);
	return NULL;
}

void
committer_free(struct committer *cm)
{
	if (cm == NULL)
		return;
	if (cm->threaded) {
		pthread_mutex_lock(&cm->mu);
		cm->stop = 1;
		pthread_cond_signal(&cm->work);
		pthread_mutex_unlock(&cm->mu);
		pthread_join(cm->thread, NULL);
		/* The processor calls committer_busy: stop it first. */
		processor_free(cm->proc);
		checkpointer_free(cm->ck);
	}
	/* committer_commit reopens a connection a failed group closed. */
	if (committer_pending(cm))
		committer_commit(cm, NULL, cm->held, 1);
	db_close(cm->db);
	pthread_cond_destroy(&cm->work);
	pthread_mutex_destroy(&cm->mu);
	pthread_mutex_destroy(&cm->write_mu);
	free(cm);
}

int
committer_threaded(const struct committer *cm)
{
	return cm->threaded;
}

void
committer_submit(struct committer *cm, struct commit_item *it, int later)
{
	long long held[INGEST_COUNTER__MAX];

	it->next = NULL;
	if (!cm->threaded || !later) {
		/* Alone (CGI, or not deferred): counts go with the event. */
		pthread_mutex_lock(&cm->write_mu);
		pthread_mutex_lock(&cm->mu);
		committer_held_take(cm, held);
		pthread_mutex_unlock(&cm->mu);
		if (committer_commit(cm, it, held, 1) == -1) {
			pthread_mutex_lock(&cm->mu);
			committer_held_give(cm, held);
			pthread_mutex_unlock(&cm->mu);
		}
		pthread_mutex_unlock(&cm->write_mu);
		cm->done(it);
		return;
	}
	pthread_mutex_lock(&cm->mu);
	if (cm->tail != NULL)
		cm->tail->next = it;
	else
		cm->head = it;
	cm->tail = it;
	pthread_cond_signal(&cm->work);
	pthread_mutex_unlock(&cm->mu);
}

void
committer_count(struct committer *cm, enum ingest_counter k)
{
	pthread_mutex_lock(&cm->mu);
	cm->held[k]++;
	pthread_mutex_unlock(&cm->mu);
}
