/*
 * Unit tests for the webhook's storage side: lib/committer (in the
 * caller as under CGI, and with its thread as under FastCGI, where the
 * processor takes the events a commit left pending), lib/processor's
 * start condition and lib/checkpointer (a poked checkpointer lets the
 * WAL start over).  Each test works on its own database in a temporary
 * folder and reads it back with SQLite directly.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "checkpointer.h"
#include "committer.h"
#include "conf.h"
#include "db.h"
#include "db_channel.h"
#include "envelope.h"
#include "limits.h"
#include "processor.h"
#include "test.h"

static char		 dir[64];

/* What the done callback saw. */
static pthread_mutex_t	 done_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 done_cv = PTHREAD_COND_INITIALIZER;
static int		 ndone, done_elsewhere;
static pthread_t	 main_thread;

/* An item with its body and envelope, as the webhook builds it. */
struct titem {
	struct commit_item	 ci;
	struct envelope		 env;
	char			*body;
	char			 sha256[65];
};

static void
done(struct commit_item *ci)
{
	pthread_mutex_lock(&done_mu);
	ndone++;
	if (!pthread_equal(pthread_self(), main_thread))
		done_elsewhere++;
	pthread_cond_broadcast(&done_cv);
	pthread_mutex_unlock(&done_mu);
}

/* Wait until n items were handed back, at most 10 s; 1 when they were. */
static int
wait_done(int n)
{
	struct timespec	 ts;
	int		 ok;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	pthread_mutex_lock(&done_mu);
	while (ndone < n && pthread_cond_timedwait(&done_cv, &done_mu,
	    &ts) == 0)
		;
	ok = ndone >= n;
	pthread_mutex_unlock(&done_mu);
	return ok;
}

/* Fill it for body (copied); tag makes the hash (the dedupe key) its
 * own.  0 or -1. */
static int
item_init(struct titem *it, const char *body, long long tag)
{
	size_t len = strlen(body);

	memset(it, 0, sizeof(*it));
	if ((it->body = strdup(body)) == NULL ||
	    envelope_parse(it->body, len, &it->env) == -1)
		return -1;
	snprintf(it->sha256, sizeof(it->sha256), "%064lld", tag);
	it->ci.owner = it;
	it->ci.env = &it->env;
	it->ci.ev.body = it->body;
	it->ci.ev.len = len;
	it->ci.ev.sha256 = it->sha256;
	it->ci.ev.signature = "sha256=test";
	it->ci.ev.received_ms = 1763856000000LL + tag;
	it->ci.ev.sent_ms = it->env.sent_ms;
	it->ci.ev.object = it->env.object;
	it->ci.ev.entry_ids = it->env.entry_ids;
	it->ci.ev.phone_ids = it->env.phone_ids;
	return 0;
}

static void
item_free(struct titem *it)
{
	envelope_free(&it->env);
	free(it->body);
}

/* A Messenger event for page with n messages; body has room for it. */
static const char *
batch_body(char *body, size_t size, const char *page, int n, int tag)
{
	size_t	len;
	int	i;

	len = (size_t)snprintf(body, size, "{\"object\":\"page\",\"entry\":"
	    "[{\"id\":\"%s\",\"time\":1763856000123,\"messaging\":[", page);
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(body + len, size - len,
		    "%s{\"sender\":{\"id\":\"u%d\"},\"recipient\":{\"id\":\"%s\"},"
		    "\"timestamp\":1763856000123,\"message\":{\"mid\":\"m%d.%d\","
		    "\"text\":\"hi\"}}", i > 0 ? "," : "", i, page, tag, i);
	if (len < size)
		snprintf(body + len, size - len, "]}]}");
	return body;
}

/* A configuration for db name in dir, with extra lines. */
static struct conf *
conf_for(const char *name, const char *extra)
{
	char		 text[1024], err[512];
	struct conf	*c;

	snprintf(text, sizeof(text), "db_path = %s/%s\n%s", dir, name, extra);
	if ((c = conf_load_string(text, "t.conf", err, sizeof(err))) == NULL)
		printf("#   conf: %s\n", err);
	return c;
}

/* One integer from SQL on db name, or -1. */
static long long
q(const char *name, const char *sql)
{
	sqlite3		*d;
	sqlite3_stmt	*st;
	char		 path[128];
	long long	 v = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (sqlite3_open_v2(path, &d, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(d, 5000);
	if (sqlite3_prepare_v2(d, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
out:
	sqlite3_close(d);
	return v;
}

/* A counter's value in db name (0 when absent). */
static long long
counter(const char *name, enum ingest_counter k)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT coalesce(sum(value), 0) FROM "
	    "counter WHERE name = '%s'", ingest_counter_names[k]);
	return q(name, sql);
}

/* Connect the page channel 100 in db name; 0 or -1. */
static int
add_page(const struct conf *c)
{
	struct db	*d;
	char		 err[512];
	long long	 id;
	int		 rc;

	if ((d = db_open(c, 0, err, sizeof(err))) == NULL) {
		printf("#   db: %s\n", err);
		return -1;
	}
	rc = db_channel_add(d, "page", "100", "P", &id);
	db_close(d);
	return rc;
}

static void
test_names(void)
{
	int i, j, ok = 1;

	for (i = 0; i < INGEST_COUNTER__MAX; i++) {
		if (ingest_counter_names[i] == NULL ||
		    strncmp(ingest_counter_names[i], "webhook.", 8) != 0)
			ok = 0;
		for (j = 0; ok && j < i; j++)
			if (strcmp(ingest_counter_names[i],
			    ingest_counter_names[j]) == 0)
				ok = 0;
	}
	OK(ok, "every counter has its own name, under webhook.");
	EQ_STR(ingest_counter_names[INGEST_DUPLICATE], "webhook.duplicate",
	    "the duplicate counter keeps its stored name");
}

/* Under CGI: each item commits in the caller, done before submit
 * returns; the counts reach the table. */
static void
test_in_caller(void)
{
	struct committer	*cm;
	struct conf		*c;
	struct titem		 small, again, bad, big, other;
	char			 body[8192];

	if ((c = conf_for("cgi.db", "")) == NULL || add_page(c) == -1) {
		OK(0, "database set up");
		conf_free(c);
		return;
	}
	if ((cm = committer_new(c, 0, done)) == NULL) {
		OK(0, "committer_new (CGI)");
		conf_free(c);
		return;
	}
	EQ_INT(committer_threaded(cm), 0, "CGI: not threaded");
	item_init(&small, batch_body(body, sizeof(body), "100", 1, 1), 1);
	item_init(&again, body, 1);
	item_init(&bad, "{not json", 2);
	item_init(&big, batch_body(body, sizeof(body), "100",
	    HG_COMMIT_ITEMS_MAX + 1, 3), 3);
	item_init(&other, batch_body(body, sizeof(body), "999", 1, 4), 4);

	ndone = 0;
	committer_submit(cm, &small.ci, 1);
	EQ_INT(ndone, 1, "CGI: done before submit returns, though later");
	EQ_INT(done_elsewhere, 0, "CGI: done in the caller's thread");
	EQ_INT(small.ci.result, 1, "small event stored");
	EQ_INT(small.ci.processed, 1, "small event processed in its commit");
	committer_submit(cm, &again.ci, 0);
	EQ_INT(again.ci.result, 0, "same body again: duplicate");
	committer_submit(cm, &bad.ci, 0);
	EQ_INT(bad.ci.result, 1, "not JSON: stored");
	EQ_INT(bad.ci.processed, 0, "not JSON: not processed");
	committer_submit(cm, &big.ci, 0);
	EQ_INT(big.ci.result, 1, "big event stored");
	EQ_INT(big.ci.processed, 0, "big event left to the queue");
	committer_submit(cm, &other.ci, 0);
	EQ_INT(other.ci.result, 1, "event for another page stored");
	EQ_INT(ndone, 5, "done once per item");

	EQ_INT(q("cgi.db", "SELECT count(*) FROM webhook_event WHERE "
	    "state = 'processed' AND routing = 'routed'"), 1,
	    "the small event is stored processed and routed");
	EQ_INT(q("cgi.db", "SELECT count(*) FROM message"), 1,
	    "its message committed with it");
	EQ_INT(q("cgi.db", "SELECT count(*) FROM webhook_event WHERE "
	    "state = 'invalid'"), 1, "the body that is not JSON is invalid");
	EQ_INT(q("cgi.db", "SELECT count(*) FROM webhook_event WHERE "
	    "state = 'pending'"), 1, "the big event is pending");
	EQ_INT(q("cgi.db", "SELECT count(*) FROM webhook_event WHERE "
	    "state = 'processed' AND routing = 'unrouted'"), 1,
	    "the unrouted event is processed too (into the ledger)");

	committer_count(cm, INGEST_BAD_SIGNATURE);
	committer_count(cm, INGEST_BAD_SIGNATURE);
	committer_count(cm, INGEST_NO_APP_SECRET);
	EQ_INT(counter("cgi.db", INGEST_BAD_SIGNATURE), 0,
	    "a refusal is not written at once");
	committer_free(cm);
	EQ_INT(counter("cgi.db", INGEST_ACCEPTED), 4, "accepted counted");
	EQ_INT(counter("cgi.db", INGEST_DUPLICATE), 1, "duplicate counted");
	EQ_INT(counter("cgi.db", INGEST_INVALID), 1, "invalid counted");
	EQ_INT(counter("cgi.db", INGEST_UNROUTED), 1, "unrouted counted");
	EQ_INT(counter("cgi.db", INGEST_BAD_SIGNATURE), 2,
	    "refusals written when the committer is freed");
	EQ_INT(counter("cgi.db", INGEST_NO_APP_SECRET), 1,
	    "each refusal under its own name");
	item_free(&small);
	item_free(&again);
	item_free(&bad);
	item_free(&big);
	item_free(&other);
	conf_free(c);
}

#define NTHREADED	40

/* Under FastCGI: items queued, handed back from the committer's thread;
 * the processor processes what a commit left pending. */
static void
test_threaded(void)
{
	struct committer	*cm;
	struct conf		*c;
	struct titem		*its, big;
	char			 body[8192];
	long long		 left = -1;
	int			 i, stored = 0, waited;

	if ((c = conf_for("fcgi.db", "")) == NULL || add_page(c) == -1 ||
	    (its = calloc(NTHREADED, sizeof(*its))) == NULL) {
		OK(0, "database set up");
		conf_free(c);
		return;
	}
	if ((cm = committer_new(c, 1, done)) == NULL) {
		OK(0, "committer_new (FastCGI)");
		free(its);
		conf_free(c);
		return;
	}
	EQ_INT(committer_threaded(cm), 1, "FastCGI: threaded");
	ndone = done_elsewhere = 0;
	for (i = 0; i < NTHREADED; i++) {
		item_init(&its[i], batch_body(body, sizeof(body), "100", 1,
		    100 + i), 100 + i);
		committer_submit(cm, &its[i].ci, 1);
	}
	OK(wait_done(NTHREADED), "every queued item handed back");
	EQ_INT(done_elsewhere, NTHREADED, "from the committer's thread");
	for (i = 0; i < NTHREADED; i++)
		stored += its[i].ci.result == 1 && its[i].ci.processed;
	EQ_INT(stored, NTHREADED, "every item stored and processed");

	item_init(&big, batch_body(body, sizeof(body), "100",
	    HG_COMMIT_ITEMS_MAX + 1, 999), 999);
	committer_submit(cm, &big.ci, 1);
	OK(wait_done(NTHREADED + 1), "big item handed back");
	EQ_INT(big.ci.processed, 0, "big item not processed in its commit");
	/* The processor, poked by that commit, processes it. */
	for (waited = 0; waited < 10000; waited += 20) {
		left = q("fcgi.db", "SELECT count(*) FROM webhook_event WHERE "
		    "state <> 'processed'");
		if (left == 0)
			break;
		usleep(20 * 1000);
	}
	EQ_INT(left, 0, "the processor processed what the commit left");

	committer_count(cm, INGEST_VERIFY_REFUSED);
	committer_free(cm);
	EQ_INT(counter("fcgi.db", INGEST_ACCEPTED), NTHREADED + 1,
	    "accepted counted by the end");
	EQ_INT(counter("fcgi.db", INGEST_VERIFY_REFUSED), 1,
	    "refusal counted by the end");
	for (i = 0; i < NTHREADED; i++)
		item_free(&its[i]);
	item_free(&big);
	free(its);
	conf_free(c);
}

static int
never_busy(void *arg)
{
	return 0;
}

/* A processor starts only with a positive inline_budget_ms. */
static void
test_processor_off(void)
{
	pthread_mutex_t	 mu = PTHREAD_MUTEX_INITIALIZER;
	struct processor *p;
	struct conf	*c;

	if ((c = conf_for("off.db", "inline_budget_ms = 0\n")) == NULL) {
		OK(0, "configuration loads");
		return;
	}
	p = processor_new(c, &mu, NULL, never_busy, NULL);
	OK(p == NULL, "no processor when inline_budget_ms = 0");
	processor_free(p);
	processor_poke(NULL);
	conf_free(c);
}

/* A poked checkpointer copies a long WAL back so that it starts over;
 * below HG_CHECKPOINT_FRAMES a poke does nothing. */
static void
test_checkpointer(void)
{
	pthread_mutex_t		 mu = PTHREAD_MUTEX_INITIALIZER;
	struct checkpointer	*ck;
	struct conf		*c;
	struct db		*d;
	char			 err[512];
	long long		 frames = 0, peak;
	int			 i, waited;

	if ((c = conf_for("ckpt.db", "durability = normal\n")) == NULL ||
	    (d = db_open(c, DB_FLUSH_APART, err, sizeof(err))) == NULL) {
		OK(0, "database opens");
		conf_free(c);
		return;
	}
	if ((ck = checkpointer_new(c, &mu)) == NULL) {
		OK(0, "checkpointer_new");
		db_close(d);
		conf_free(c);
		return;
	}
	for (i = 0; i < 100000 && frames < HG_CHECKPOINT_FRAMES; i++) {
		pthread_mutex_lock(&mu);
		if (db_begin(d) == -1 || db_counter_add(d, "t", 1) == -1 ||
		    db_commit(d) == -1)
			i = 100000;
		frames = db_journal_size(d);
		pthread_mutex_unlock(&mu);
		if (frames < HG_CHECKPOINT_FRAMES)
			checkpointer_poke(ck, frames);
	}
	OK(frames >= HG_CHECKPOINT_FRAMES, "the WAL grew: no commit "
	    "checkpoints it, nor a poke below the threshold");
	peak = frames;
	checkpointer_poke(ck, frames);
	for (waited = 0; waited < 10000 && frames >= peak; waited += 20) {
		usleep(20 * 1000);
		pthread_mutex_lock(&mu);
		if (db_begin(d) == -1 || db_counter_add(d, "t", 1) == -1 ||
		    db_commit(d) == -1)
			waited = 10000;
		frames = db_journal_size(d);
		pthread_mutex_unlock(&mu);
	}
	OK(frames < peak, "after a poke the WAL starts over");
	checkpointer_free(ck);
	checkpointer_free(NULL);
	checkpointer_poke(NULL, HG_CHECKPOINT_FRAMES);
	db_close(d);
	conf_free(c);
}

/* Remove dir and what the tests left in it. */
static void
cleanup(void)
{
	struct dirent	*de;
	DIR		*dp;
	char		 path[512];

	if ((dp = opendir(dir)) != NULL) {
		while ((de = readdir(dp)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(dp);
	}
	rmdir(dir);
}

int
main(void)
{
	main_thread = pthread_self();
	snprintf(dir, sizeof(dir), "/tmp/hubgate-committer.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_names();
	test_in_caller();
	test_threaded();
	test_processor_off();
	test_checkpointer();
	cleanup();
	return test_done();
}
