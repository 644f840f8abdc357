/*
 * ingest: verify, authenticate, store durably, then acknowledge.
 * See ingest.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "envelope.h"
#include "events.h"
#include "ingest.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "queue.h"

/* An event on its way to the disk, and the request waiting for it. */
struct item {
	struct db_event		 ev;
	struct envelope	 env;
	char			 sha256[2 * CRYPTO_SHA256_LEN + 1];
	struct req		*req;		/* answered once committed */
	int			 result;	/* 1 stored, 0 duplicate, -1 failed */
	int			 processed;	/* in the commit that stored it */
	struct item		*next;
};

/*
 * The requests refused before anything is stored.  Each kind is
 * counted (the counter table's name) and logged under its name too,
 * through one rate limit for all of them: anyone can send these, and
 * a flood must not fill the disk.
 */
enum ingest_refusal {
	REFUSE_SIGNATURE,	/* POST without a valid signature: 401 */
	REFUSE_VERIFY,		/* GET with a wrong mode or token: 403 */
	REFUSE_NO_VERIFY_TOKEN,	/* GET while verify_token is unset: 503 */
	REFUSE_NO_APP_SECRET,	/* POST while app_secret is unset: 503 */
	REFUSE__MAX
};

static const char *const refusal_names[REFUSE__MAX] = {
	[REFUSE_SIGNATURE] = "webhook.bad_signature",
	[REFUSE_VERIFY] = "webhook.verify_refused",
	[REFUSE_NO_VERIFY_TOKEN] = "webhook.no_verify_token",
	[REFUSE_NO_APP_SECRET] = "webhook.no_app_secret",
};

static void	 ingest_answer(struct item *);
static long long now_ms(void);

/* Free an item, with its request (http_on_release). */
static void
item_free(void *p)
{
	struct item *it = p;

	envelope_free(&it->env);
	free(it);
}

struct ingest {
	const struct conf	*conf;
	struct db		*db;		/* the committer's connection */
	int			 threaded;
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;		/* the committer waits here */
	struct item		*head, *tail;
	int			 stop;
	/* Small events are processed inside the commit that stores them
	 * (inline_on).  The inline processor thread (FastCGI only) runs
	 * the queue after a group commit left events pending: big
	 * batches, or events whose processing failed.  write_mu keeps its
	 * transactions and the committer's from waiting on each other
	 * inside SQLite's busy handler. */
	pthread_mutex_t		 write_mu;
	pthread_t		 proc_thread;
	pthread_cond_t		 proc_cv;
	int			 proc_on;
	int			 proc_wanted;	/* threaded, inline_budget_ms > 0 */
	int			 inline_on;	/* inline_budget_ms > 0 */
	int			 proc_due;
	struct db		*pdb;
	/*
	 * The checkpointer (FastCGI): no commit of this process
	 * checkpoints the WAL, which would hold up the commits behind it
	 * for milliseconds.  Once the WAL has HG_CHECKPOINT_FRAMES, this
	 * thread copies it into the database while the commits go on,
	 * then copies what they added meanwhile holding write_mu, so that
	 * the checkpoint is complete and the WAL starts over.
	 */
	pthread_t		 ckpt_thread;
	pthread_cond_t		 ckpt_cv;
	int			 ckpt_due;
	long long		 refused[REFUSE__MAX];	/* not yet counted; mu */
	/* Counts of committed groups not yet added to the counter table
	 * (accepted, duplicate, invalid, unrouted), and when they last
	 * were: under load they are written every HG_COUNTER_FLUSH_MS,
	 * not in every group, sparing each commit a page. */
	long long		 pend[4];	/* under write_mu */
	long long		 flushed_ms;	/* under write_mu */
	int			 pend_any;	/* pend has counts; under mu */
	/* The rate limit of the refused requests' log lines. */
	struct log_rate		 refuse_log;
};

enum ingest_sig
ingest_check_signature(const struct conf *c, const char *hdr,
    const void *body, size_t len)
{
	unsigned char	 want[CRYPTO_SHA256_LEN], got[CRYPTO_SHA256_LEN];
	char		 secret[HG_CONF_LINE_MAX + 1];
	size_t		 i;
	int		 rc, match = 0, any = 0;

	if (hdr == NULL)
		return INGEST_SIG_MISSING;
	if (strncmp(hdr, "sha256=", 7) != 0 ||
	    crypto_unhex(hdr + 7, strlen(hdr + 7), want, sizeof(want)) == -1)
		return INGEST_SIG_MALFORMED;
	for (i = 0; (rc = conf_list_item(c, "app_secret", i, secret,
	    sizeof(secret))) == 1; i++) {
		any = 1;
		if (crypto_hmac_sha256(secret, strlen(secret), body, len,
		    got) == 0 && crypto_equal(got, want, sizeof(got)))
			match = 1;
	}
	crypto_wipe(secret, sizeof(secret));
	crypto_wipe(got, sizeof(got));
	if (!any)
		return INGEST_SIG_NOSECRET;
	return match ? INGEST_SIG_OK : INGEST_SIG_MISMATCH;
}

/* Open the committer's database if it is not open; 0 or -1. */
static int
ingest_db(struct ingest *g)
{
	char err[512];

	if (g->db != NULL)
		return 0;
	if ((g->db = db_open(g->conf, g->threaded ? DB_NO_CHECKPOINT : 0,
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
 * (so that its queue index entry is written once); if processing fails
 * its work is undone and it is left pending, with its raw row kept, for
 * the queue and its retries.  0, or -1 when the transaction is lost.
 */
static int
ingest_process(struct ingest *g, struct item *it, long long id)
{
	struct logline	 l;
	char		 why[300];

	if (db_savepoint(g->db) == -1)
		return -1;
	if (events_process_json(g->db, id, it->env.root,
	    it->ev.received_ms) == 0) {
		it->processed = 1;
		return db_release(g->db);
	}
	snprintf(why, sizeof(why), "database: %s", db_errmsg(g->db));
	log_begin(&l, LOG_LEVEL_WARN, "webhook.process_deferred");
	log_int(&l, "event", id);
	log_str(&l, "error", why);
	log_end(&l);
	if (db_rollback_to(g->db) == -1 || db_release(g->db) == -1 ||
	    db_event_unprocessed(g->db, id, why) == -1)
		return -1;
	return 0;
}

/* Write one item inside the open transaction; -1 on a database error. */
static int
ingest_write(struct ingest *g, struct item *it, long long counts[4])
{
	struct envelope	*e = &it->env;
	long long	*chans = NULL, id;
	size_t		 i, hit = 0;
	int		 rc = -1, found;

	/* Route first: the routing outcome is stored with the event. */
	it->ev.routing = "unrouted";
	if (e->valid && e->route_kind != NULL && e->nroute > 0) {
		if ((chans = calloc(e->nroute, sizeof(*chans))) == NULL)
			return -1;
		for (i = 0; i < e->nroute; i++) {
			found = db_channel_find(g->db, e->route_kind,
			    e->route_ids[i], &chans[hit], NULL);
			if (found == -1)
				goto out;
			hit += (size_t)found;
		}
		if (hit > 0)
			it->ev.routing = hit == e->nroute ? "routed" : "partial";
	}
	/* Small events are processed in this transaction (see
	 * ingest_process). */
	it->processed = 0;
	it->ev.channel_id = hit > 0 ? chans[0] : 0;
	if (g->inline_on && e->root != NULL)
		it->ev.state = "processed";
	else
		it->ev.state = e->valid ? "pending" : "invalid";
	if ((it->result = db_event_insert(g->db, &it->ev, &id)) == -1)
		goto out;
	rc = 0;
	if (it->result == 0) {
		counts[1]++;
		goto out;
	}
	counts[0]++;
	if (!e->valid)
		counts[2]++;
	else if (strcmp(it->ev.routing, "routed") != 0)
		counts[3]++;
	for (i = 0; i < hit; i++)
		if ((i > 0 && db_event_route(g->db, id, chans[i]) == -1) ||
		    db_channel_touch(g->db, chans[i],
		    it->ev.received_ms / 1000) == -1) {
			rc = -1;
			goto out;
		}
	if (e->valid && e->route_kind == NULL &&
	    db_counter_add(g->db, "webhook.unknown_object", 1) == -1) {
		rc = -1;
		goto out;
	}
	if (strcmp(it->ev.state, "processed") == 0)
		rc = ingest_process(g, it, id);
out:
	free(chans);
	return rc;
}

/* Take the refusals not yet counted into out, or give back (add) those
 * in out that could not be counted after all.  Under mu. */
static void
ingest_refused_take(struct ingest *g, long long *out)
{
	memcpy(out, g->refused, sizeof(g->refused));
	memset(g->refused, 0, sizeof(g->refused));
}

static void
ingest_refused_give(struct ingest *g, const long long *in)
{
	int i;

	for (i = 0; i < REFUSE__MAX; i++)
		g->refused[i] += in[i];
}

/* Commit a group of items in one transaction, with the pending counts
 * (and refused, REFUSE__MAX counts) when flush is set.  Sets every item's
 * result; 0, or -1 when the group was rolled back (nothing of it is
 * counted). */
static int
ingest_commit(struct ingest *g, struct item *list, const long long *refused,
    int flush)
{
	static const char *const names[4] = {
		"webhook.accepted", "webhook.duplicate", "webhook.invalid",
		"webhook.unrouted"
	};
	long long	 counts[4] = { 0, 0, 0, 0 };
	struct item	*it;
	struct logline	 l;
	int		 i;

	for (it = list; it != NULL; it = it->next)
		it->result = -1;
	if (ingest_db(g) == -1)
		return -1;
	if (db_begin(g->db) == -1)
		goto err;
	for (it = list; it != NULL; it = it->next)
		if (ingest_write(g, it, counts) == -1)
			goto err;
	for (i = 0; flush && i < 4; i++)
		if (g->pend[i] + counts[i] > 0 && db_counter_add(g->db,
		    names[i], g->pend[i] + counts[i]) == -1)
			goto err;
	for (i = 0; flush && i < REFUSE__MAX; i++)
		if (refused[i] > 0 && db_counter_add(g->db, refusal_names[i],
		    refused[i]) == -1)
			goto err;
	if (db_commit(g->db) == -1)
		goto err;
	for (i = 0; i < 4; i++)
		g->pend[i] = flush ? 0 : g->pend[i] + counts[i];
	if (flush)
		g->flushed_ms = now_ms();
	i = g->pend[0] + g->pend[1] + g->pend[2] + g->pend[3] > 0;
	pthread_mutex_lock(&g->mu);
	g->pend_any = i;
	pthread_mutex_unlock(&g->mu);
	return 0;
err:
	log_begin(&l, LOG_LEVEL_ERROR, "webhook.store_failed");
	log_str(&l, "error", db_errmsg(g->db));
	log_end(&l);
	db_rollback(g->db);
	for (it = list; it != NULL; it = it->next)
		it->result = -1;
	/* A broken connection may not recover: reopen on the next group. */
	if (db_error(g->db) == DB_ERROR) {
		db_close(g->db);
		g->db = NULL;
	}
	return -1;
}

/* The CLOCK_REALTIME time ms milliseconds from now, for timed waits. */
static void
ingest_deadline(struct timespec *ts, long long ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Wake the checkpointer if a commit left the WAL with frames frames.
 * Under mu. */
static void
ingest_wal_grew(struct ingest *g, long long frames)
{
	if (frames >= HG_CHECKPOINT_FRAMES && !g->ckpt_due) {
		g->ckpt_due = 1;
		pthread_cond_signal(&g->ckpt_cv);
	}
}

/* Anything counted but not yet in the counter table?  Under mu. */
static int
ingest_pending(const struct ingest *g)
{
	int i;

	for (i = 0; i < REFUSE__MAX; i++)
		if (g->refused[i] > 0)
			return 1;
	return g->pend_any;
}

/* The committer thread: take everything queued, commit it as one
 * group, wake the requests.  Counts are flushed with the group when it
 * found the committer idle (light load: at once), else at most every
 * HG_COUNTER_FLUSH_MS, and by themselves when nothing arrives. */
static void *
ingest_committer(void *arg)
{
	struct ingest	*g = arg;
	struct item	*list, *it, *next;
	struct timespec	 ts;
	long long	 refused[REFUSE__MAX], frames;
	size_t		 n;
	int		 stored, idle, flush, counted;

	pthread_setname_np(pthread_self(), "hg-commit");
	pthread_mutex_lock(&g->mu);
	/* On stop, what is queued is still committed and answered. */
	while (!g->stop || g->head != NULL) {
		idle = 0;
		if (g->head == NULL) {
			ingest_deadline(&ts, ingest_pending(g) ?
			    HG_COUNTER_FLUSH_MS : 1000);
			pthread_cond_timedwait(&g->work, &g->mu, &ts);
			if (g->head == NULL && (!ingest_pending(g) || g->stop))
				continue;
			idle = 1;
		}
		/* Take up to HG_GROUP_MAX items. */
		list = g->head;
		for (n = 1, it = list; it != NULL && it->next != NULL &&
		    n < HG_GROUP_MAX; n++)
			it = it->next;
		if (it != NULL) {
			g->head = it->next;
			it->next = NULL;
			if (g->head == NULL)
				g->tail = NULL;
		}
		flush = idle || g->stop;
		ingest_refused_take(g, refused);
		pthread_mutex_unlock(&g->mu);

		pthread_mutex_lock(&g->write_mu);
		flush = flush ||
		    now_ms() - g->flushed_ms >= HG_COUNTER_FLUSH_MS;
		counted = ingest_commit(g, list, refused, flush) == 0 && flush;
		frames = g->db != NULL ? db_wal_frames(g->db) : 0;
		pthread_mutex_unlock(&g->write_mu);

		stored = 0;
		for (it = list; it != NULL; it = it->next)
			stored |= it->result == 1 && !it->processed;
		pthread_mutex_lock(&g->mu);
		if (!counted)	/* keep them for later */
			ingest_refused_give(g, refused);
		ingest_wal_grew(g, frames);
		if (stored && g->proc_on) {
			g->proc_due = 1;
			pthread_cond_signal(&g->proc_cv);
		}
		pthread_mutex_unlock(&g->mu);
		/* Only now is a 200 true.  Answering here rather than in
		 * another thread spares a wakeup per group, and the
		 * requests that arrive meanwhile make the next group
		 * bigger (measured: faster). */
		for (it = list; it != NULL; it = next) {
			next = it->next;
			ingest_answer(it);
		}
		pthread_mutex_lock(&g->mu);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/*
 * The inline processor: turn the events a commit left pending (too big
 * to process inside it, or failed there) into inbox rows within
 * inline_budget_ms, one short transaction at a time.  Ingest comes
 * first: while events wait for their commit it stops, and the next
 * commit wakes it again; what a busy spell leaves, the webhook-retry
 * cron takes.
 */
static void *
ingest_processor(void *arg)
{
	struct ingest		*g = arg;
	struct queue_opts	 o;
	struct queue_stats	 st;
	long long		 start, budget;
	char			 err[512];
	long long		 frames;
	int			 busy;

	pthread_setname_np(pthread_self(), "hg-process");
	if (queue_opts_conf(&o, g->conf) == -1)
		return NULL;
	budget = conf_get_int(g->conf, "inline_budget_ms");
	o.budget_ms = 0;	/* one batch per call */
	o.batch = 4;		/* a batch event may hold 1000 messages */
	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		if (!g->proc_due) {
			pthread_cond_wait(&g->proc_cv, &g->mu);
			continue;
		}
		g->proc_due = 0;
		pthread_mutex_unlock(&g->mu);
		if (g->pdb == NULL &&
		    (g->pdb = db_open(g->conf, DB_REDO_SAFE | DB_NO_CHECKPOINT, err,
		    sizeof(err))) == NULL)
			log_msg(LOG_LEVEL_ERROR, "webhook.inline_db", err);
		start = queue_now_ms();
		while (g->pdb != NULL && queue_now_ms() - start < budget) {
			pthread_mutex_lock(&g->mu);
			busy = g->head != NULL;
			pthread_mutex_unlock(&g->mu);
			if (busy)
				break;
			memset(&st, 0, sizeof(st));
			pthread_mutex_lock(&g->write_mu);
			if (queue_run(g->pdb, &o, &st) == -1) {
				pthread_mutex_unlock(&g->write_mu);
				db_close(g->pdb);
				g->pdb = NULL;
				break;
			}
			frames = db_wal_frames(g->pdb);
			pthread_mutex_unlock(&g->write_mu);
			pthread_mutex_lock(&g->mu);
			ingest_wal_grew(g, frames);
			pthread_mutex_unlock(&g->mu);
			if (st.claimed == 0)
				break;
		}
		pthread_mutex_lock(&g->mu);
	}
	pthread_mutex_unlock(&g->mu);
	db_close(g->pdb);
	g->pdb = NULL;
	return NULL;
}

/* The checkpointer thread; see struct ingest. */
static void *
ingest_checkpointer(void *arg)
{
	struct ingest	*g = arg;
	struct db	*d = NULL;
	struct logline	 l;
	struct timespec	 ts;
	char		 err[512];
	int		 complete = 0, rc;

	pthread_setname_np(pthread_self(), "hg-ckpt");
	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		if (!g->ckpt_due) {
			pthread_cond_wait(&g->ckpt_cv, &g->mu);
			continue;
		}
		pthread_mutex_unlock(&g->mu);
		if (d == NULL && (d = db_open(g->conf, DB_NO_CHECKPOINT, err,
		    sizeof(err))) == NULL)
			log_msg(LOG_LEVEL_ERROR, "webhook.checkpoint_db", err);
		rc = d == NULL ? -1 : db_checkpoint(d, NULL);
		/* Complete as far as it saw; but commits went on. */
		if (rc == 0) {
			pthread_mutex_lock(&g->write_mu);
			rc = db_checkpoint(d, &complete);
			pthread_mutex_unlock(&g->write_mu);
		}
		if (rc == -1 && d != NULL) {
			log_begin(&l, LOG_LEVEL_ERROR, "webhook.checkpoint_failed");
			log_str(&l, "error", db_errmsg(d));
			log_end(&l);
			db_close(d);
			d = NULL;
		}
		pthread_mutex_lock(&g->mu);
		if (rc == -1 || !complete) {
			/* A reader elsewhere still uses the WAL, or the
			 * database failed: try again later, not at once. */
			ingest_deadline(&ts, 100);
			while (!g->stop && pthread_cond_timedwait(&g->ckpt_cv,
			    &g->mu, &ts) == 0)
				;
		}
		/* Due again when a commit finds the WAL long again. */
		g->ckpt_due = 0;
	}
	pthread_mutex_unlock(&g->mu);
	db_close(d);
	return NULL;
}

struct ingest *
ingest_new(const struct conf *c, int threaded)
{
	struct ingest *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->conf = c;
	g->threaded = threaded;
	log_rate_init(&g->refuse_log);
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->work, NULL);
	pthread_mutex_init(&g->write_mu, NULL);
	pthread_cond_init(&g->proc_cv, NULL);
	pthread_cond_init(&g->ckpt_cv, NULL);
	g->inline_on = conf_get_int(c, "inline_budget_ms") > 0;
	g->proc_wanted = threaded && g->inline_on;
	ingest_db(g);
	if (threaded && pthread_create(&g->ckpt_thread, NULL,
	    ingest_checkpointer, g) != 0) {
		db_close(g->db);
		log_rate_free(&g->refuse_log);
		free(g);
		return NULL;
	}
	if (threaded && pthread_create(&g->thread, NULL, ingest_committer,
	    g) != 0) {
		pthread_mutex_lock(&g->mu);
		g->stop = 1;
		pthread_cond_signal(&g->ckpt_cv);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->ckpt_thread, NULL);
		db_close(g->db);
		log_rate_free(&g->refuse_log);
		free(g);
		return NULL;
	}
	/* proc_on is read by the committer under mu. */
	pthread_mutex_lock(&g->mu);
	if (g->proc_wanted &&
	    pthread_create(&g->proc_thread, NULL, ingest_processor, g) == 0)
		g->proc_on = 1;
	pthread_mutex_unlock(&g->mu);
	return g;
}

void
ingest_free(struct ingest *g)
{
	if (g == NULL)
		return;
	if (g->threaded) {
		pthread_mutex_lock(&g->mu);
		g->stop = 1;
		pthread_cond_signal(&g->work);
		pthread_cond_signal(&g->proc_cv);
		pthread_cond_signal(&g->ckpt_cv);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->thread, NULL);
		pthread_join(g->ckpt_thread, NULL);
		if (g->proc_on)
			pthread_join(g->proc_thread, NULL);
	}
	/* ingest_commit reopens a connection a failed group closed. */
	if (ingest_pending(g))
		ingest_commit(g, NULL, g->refused, 1);
	log_rate_free(&g->refuse_log);
	db_close(g->db);
	free(g);
}

/* Log the outcome of an item and answer its request (which frees the
 * item: see ingest_receive).  Neither may be touched afterwards. */
static void
ingest_answer(struct item *it)
{
	struct req	*r = it->req;
	struct logline	 l;

	log_set_id(r->id);
	log_begin(&l, it->result == -1 ? LOG_LEVEL_ERROR : LOG_LEVEL_DEBUG,
	    it->result == 1 ? "webhook.stored" : it->result == 0 ?
	    "webhook.duplicate" : "webhook.not_stored");
	log_str(&l, "object", it->env.object);
	log_int(&l, "bytes", (long long)it->ev.len);
	log_str(&l, "sha256", it->sha256);
	if (!it->env.valid)
		log_str(&l, "invalid", it->env.why);
	log_end(&l);
	if (it->result == -1)
		http_text(r, 503, "temporarily unavailable, retry");
	else
		http_text(r, 200, "EVENT_RECEIVED");
	if (r->deferred)
		http_complete(r);
	log_set_id(NULL);
}

/* Store one item and answer its request: under FastCGI the committer
 * does both, in a group, while this thread goes back to accepting;
 * under CGI it happens here. */
static void
ingest_store(struct ingest *g, struct item *it)
{
	long long refused[REFUSE__MAX];

	if (!g->threaded || !http_defer(it->req)) {
		/* Alone (CGI, or no deferral): counts go with the event. */
		pthread_mutex_lock(&g->write_mu);
		pthread_mutex_lock(&g->mu);
		ingest_refused_take(g, refused);
		pthread_mutex_unlock(&g->mu);
		if (ingest_commit(g, it, refused, 1) == -1) {
			pthread_mutex_lock(&g->mu);
			ingest_refused_give(g, refused);
			pthread_mutex_unlock(&g->mu);
		}
		pthread_mutex_unlock(&g->write_mu);
		ingest_answer(it);
		return;
	}
	pthread_mutex_lock(&g->mu);
	if (g->tail != NULL)
		g->tail->next = it;
	else
		g->head = it;
	g->tail = it;
	pthread_cond_signal(&g->work);
	pthread_mutex_unlock(&g->mu);
}

/* Count a refused request of kind k and log it, with why when not
 * NULL; all kinds together write at most HG_REJECT_LOG_PER_SEC lines a
 * second, the next line written saying how many were held back. */
static void
ingest_refuse(struct ingest *g, struct req *r, enum ingest_refusal k,
    const char *why)
{
	struct logline	 l;
	long long	 held;

	pthread_mutex_lock(&g->mu);
	g->refused[k]++;
	pthread_mutex_unlock(&g->mu);
	if (!log_rate_take(&g->refuse_log, HG_REJECT_LOG_PER_SEC, &held))
		return;
	log_begin(&l, k == REFUSE_NO_VERIFY_TOKEN || k == REFUSE_NO_APP_SECRET ?
	    LOG_LEVEL_ERROR : LOG_LEVEL_WARN, refusal_names[k]);
	log_str(&l, "remote", r->remote);
	if (why != NULL)
		log_str(&l, "why", why);
	if (held > 0)
		log_int(&l, "suppressed", held);
	log_end(&l);
}

/* 1 when s is a plain challenge token: 1-128 of [A-Za-z0-9_-]. */
static int
challenge_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];
		if (i >= HG_CHALLENGE_MAX || !((c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_'))
			return 0;
	}
	return i > 0;
}

/* GET /webhook: Meta's verification handshake. */
static void
ingest_verify(struct ingest *g, struct req *r)
{
	unsigned char	 a[CRYPTO_SHA256_LEN], b[CRYPTO_SHA256_LEN];
	const char	*want = conf_get(g->conf, "verify_token");
	const char	*mode = params_get(&r->query, "hub.mode");
	const char	*tok = params_get(&r->query, "hub.verify_token");
	const char	*chal = params_get(&r->query, "hub.challenge");
	int		 same;

	if (*want == '\0') {
		ingest_refuse(g, r, REFUSE_NO_VERIFY_TOKEN,
		    "verify_token is not configured");
		http_text(r, 503, "webhook verification is not configured");
		return;
	}
	/* Compare digests so the time taken says nothing about length. */
	crypto_sha256(want, strlen(want), a);
	crypto_sha256(tok != NULL ? tok : "", tok != NULL ? strlen(tok) : 0, b);
	same = crypto_equal(a, b, sizeof(a)) && tok != NULL;
	if (mode == NULL || strcmp(mode, "subscribe") != 0 || !same) {
		ingest_refuse(g, r, REFUSE_VERIFY, tok == NULL ?
		    "no_token" : !same ? "wrong_token" : "wrong_mode");
		http_text(r, 403, "forbidden");
		return;
	}
	if (chal == NULL || !challenge_ok(chal)) {
		http_text(r, 400, "invalid hub.challenge");
		return;
	}
	buf_reset(&r->rbody);
	http_status(r, 200);
	http_add_header(r, "Content-Type", "text/plain; charset=utf-8");
	http_puts(r, chal);
	log_msg(LOG_LEVEL_INFO, "webhook.verified", r->remote);
}

static long long
now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* How a signature failed, in a log line. */
static const char *const sig_whys[INGEST_SIG__MAX] = {
	[INGEST_SIG_OK] = "ok",
	[INGEST_SIG_MISSING] = "missing",
	[INGEST_SIG_MALFORMED] = "malformed",
	[INGEST_SIG_MISMATCH] = "mismatch",
	[INGEST_SIG_NOSECRET] = "no_secret",
};

/* POST /webhook: authenticate, store, acknowledge. */
static void
ingest_receive(struct ingest *g, struct req *r)
{
	unsigned char		 digest[CRYPTO_SHA256_LEN];
	struct item		*it;
	const char		*sig;
	enum ingest_sig		 chk;
	int			 st;

	if (*conf_get(g->conf, "app_secret") == '\0') {
		ingest_refuse(g, r, REFUSE_NO_APP_SECRET,
		    "app_secret is not configured");
		http_text(r, 503, "webhook is not configured");
		return;
	}
	/* The body limits come first (411, 400, 413), then the signature
	 * over the bytes exactly as received. */
	sig = http_header(r, "X-Hub-Signature-256");
	st = http_read_body(r, (size_t)conf_get_int(g->conf, "webhook_max_body"));
	if (st != 0) {
		http_text(r, st, http_reason(st));
		return;
	}
	if (r->body.len == 0) {
		http_text(r, 400, "empty body");
		return;
	}
	chk = ingest_check_signature(g->conf, sig, r->body.data, r->body.len);
	if (chk != INGEST_SIG_OK) {
		ingest_refuse(g, r, REFUSE_SIGNATURE, sig_whys[chk]);
		http_text(r, 401, "invalid signature");
		return;
	}
	if ((it = calloc(1, sizeof(*it))) == NULL ||
	    envelope_parse(r->body.data, r->body.len, &it->env) == -1) {
		free(it);
		http_text(r, 503, "out of memory");
		return;
	}
	/* The item goes with the request, in this thread. */
	http_on_release(r, item_free, it);
	crypto_sha256(r->body.data, r->body.len, digest);
	crypto_hex(digest, sizeof(digest), it->sha256);
	it->req = r;
	it->ev.body = r->body.data;
	it->ev.len = r->body.len;
	it->ev.sha256 = it->sha256;
	it->ev.signature = sig;
	it->ev.received_ms = now_ms();
	it->ev.sent_ms = it->env.sent_ms;
	it->ev.object = it->env.object;
	it->ev.entry_ids = it->env.entry_ids;
	it->ev.phone_ids = it->env.phone_ids;
	ingest_store(g, it);
}

void
ingest_handle(struct ingest *g, struct req *r)
{
	if (r->method == HTTP_POST)
		ingest_receive(g, r);
	else
		ingest_verify(g, r);
}
