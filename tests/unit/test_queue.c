/*
 * Unit tests for lib/queue with a test clock: the retry schedule walked
 * into dead_letter by a failing step and brought back by a requeue,
 * jitter bounds, lease expiry and fencing, crash safety (a worker that
 * claims and dies), replay without duplicates, and pruning.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_channel.h"
#include "db_event.h"
#include "db_queue.h"
#include "db_user.h"
#include "events.h"
#include "limits.h"
#include "queue.h"
#include "test.h"

static char		 dir[256], dbpath[512];
static struct conf	*conf;
static struct db	*db;
static sqlite3		*peek;
static long long	 clock_ms = 1800000000000LL;
static long long	 seq;

static long long
test_clock(void *arg)
{
	(void)arg;
	return clock_ms;
}

static long long
qi(const char *sql)
{
	sqlite3_stmt	*st;
	long long	 v = -1;

	if (sqlite3_prepare_v2(peek, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("# SQL: %s\n", sqlite3_errmsg(peek));
		return -2;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Store a one-message Messenger event; its id. */
static long long
store(long long received_ms)
{
	unsigned char	 h[32];
	char		 hex[65], body[512];
	struct db_event	 e;
	long long	 id = 0;

	seq++;
	snprintf(body, sizeof(body), "{\"object\":\"page\",\"entry\":[{\"id\":"
	    "\"100\",\"messaging\":[{\"sender\":{\"id\":\"u%lld\"},\"recipient\":"
	    "{\"id\":\"100\"},\"timestamp\":1763856000000,\"message\":{\"mid\":"
	    "\"m_q%lld\",\"text\":\"t\"}}]}]}", seq % 7, seq);
	crypto_sha256(body, strlen(body), h);
	crypto_hex(h, sizeof(h), hex);
	memset(&e, 0, sizeof(e));
	e.body = body;
	e.len = strlen(body);
	e.sha256 = hex;
	e.signature = "sha256=x";
	e.received_ms = received_ms;
	e.object = "page";
	e.entry_ids = "[\"100\"]";
	e.phone_ids = "[]";
	e.routing = ROUTING_ROUTED;
	e.state = EVENT_PENDING;
	db_begin(db);
	db_event_insert(db, &e, &id);
	db_commit(db);
	return id;
}

static int fail_on = 1;

/* A step that fails while fail_on is set, else processes normally. */
static int
flaky(struct db *d, long long id, const char *body, size_t len,
    long long now_ms, void *arg, char *err, size_t errsz)
{
	(void)arg;
	if (fail_on) {
		snprintf(err, errsz, "forced failure");
		return -1;
	}
	return events_process(d, id, body, len, now_ms);
}

static void
opts(struct queue_opts *o)
{
	queue_opts_conf(o, conf);
	o->clock = test_clock;
}

static void
test_schedule(void)
{
	long long	 s[HG_SCHEDULE_STEPS_MAX];
	struct queue_opts o;
	long long	 d;
	int		 i, inside = 1;

	EQ_INT(conf_schedule_parse("1,5,30,120,600,3600,21600", s), 7, "default schedule parses");
	EQ_INT(s[6], 21600, "last step");
	EQ_INT(conf_schedule_parse(" 1, 2 ,3", s), 3, "spaces allowed");
	EQ_INT(conf_schedule_parse("1,,2", s), -1, "empty step refused");
	EQ_INT(conf_schedule_parse("1,2,", s), -1, "trailing comma refused");
	EQ_INT(conf_schedule_parse("1,x", s), -1, "non-number refused");
	EQ_INT(conf_schedule_parse("0", s), -1, "zero refused");
	EQ_INT(conf_schedule_parse("-5", s), -1, "negative refused");
	EQ_INT(conf_schedule_parse("99999999", s), -1, "over 30 days refused");
	EQ_INT(conf_schedule_parse("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,"
	    "19,20,21,22,23,24,25,26,27,28,29,30,31,32", s), 32,
	    "HG_SCHEDULE_STEPS_MAX steps");
	EQ_INT(conf_schedule_parse("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,"
	    "19,20,21,22,23,24,25,26,27,28,29,30,31,32,33", s), -1,
	    "too many steps refused");
	memset(&o, 0, sizeof(o));
	o.nschedule = conf_schedule_parse("10,100", o.schedule);
	EQ_INT(queue_delay_ms(&o, 1, 0.0), 8000, "jitter low end is -20%");
	EQ_INT(queue_delay_ms(&o, 1, 0.999999), 11999, "jitter high end is under +20%");
	EQ_INT(queue_delay_ms(&o, 2, 0.5), 100000, "second step");
	EQ_INT(queue_delay_ms(&o, 3, 0.5), -1, "past the schedule: dead letter");
	EQ_INT(queue_delay_ms(&o, 0, 0.5), -1, "attempt 0 is not a retry");
	for (i = 0; i < 1000; i++) {
		d = queue_delay_ms(&o, 1, (double)i / 1000.0);
		if (d < 8000 || d >= 12000)
			inside = 0;
	}
	OK(inside, "jitter stays within +-20%");
}

static void
test_retry_to_dead_letter(void)
{
	struct queue_opts	 o;
	struct queue_stats	 st;
	char			 sql[256];
	long long		 id = store(clock_ms), next;
	int			 step;

	opts(&o);
	o.fn = flaky;
	fail_on = 1;
	/* retry_schedule = 1,5,30 in this configuration. */
	for (step = 1; step <= 3; step++) {
		memset(&st, 0, sizeof(st));
		queue_run(db, &o, &st);
		snprintf(sql, sizeof(sql), "SELECT state = 'failed' FROM webhook_event WHERE id = %lld", id);
		EQ_INT(qi(sql), 1, "failed after an attempt");
		snprintf(sql, sizeof(sql), "SELECT next_attempt_ms FROM webhook_event WHERE id = %lld", id);
		next = qi(sql);
		OK(next >= clock_ms + (step == 1 ? 800 : step == 2 ? 4000 : 24000) &&
		    next <= clock_ms + (step == 1 ? 1200 : step == 2 ? 6000 : 36000),
		    "next attempt follows the schedule with jitter");
		/* Not due yet: nothing is claimed. */
		memset(&st, 0, sizeof(st));
		queue_run(db, &o, &st);
		EQ_INT(st.claimed, 0, "not claimed before its time");
		clock_ms = next;
	}
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	EQ_INT(st.dead, 1, "schedule exhausted");
	snprintf(sql, sizeof(sql), "SELECT state = 'dead_letter' FROM webhook_event WHERE id = %lld", id);
	EQ_INT(qi(sql), 1, "dead letter");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM event_attempt WHERE event_id = %lld AND error = 'forced failure'", id);
	EQ_INT(qi(sql), 4, "every attempt's error kept");
	clock_ms += 86400000LL * 365;
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	EQ_INT(st.claimed, 0, "dead letters are never retried on their own");
	/* Requeue brings it back and it is processed. */
	{
		long long n;
		db_begin(db);
		db_requeue(db, 0, 1, 0, 0, &n);
		db_commit(db);
		EQ_INT(n, 1, "requeue of all dead letters");
	}
	fail_on = 0;
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	snprintf(sql, sizeof(sql), "SELECT state = 'processed' FROM webhook_event WHERE id = %lld", id);
	EQ_INT(qi(sql), 1, "requeued dead letter processed");
}

static void
test_fencing(void)
{
	struct queue_opts	 o;
	struct queue_stats	 st;
	long long		 ids[4], id = store(clock_ms);
	int			 att[4], n;
	char			 sql[256];
	struct buf		 b;

	opts(&o);
	/* Worker A claims and stalls. */
	db_begin(db);
	db_queue_claim(db, "token-A", clock_ms, o.lease_ms, 4, ids, att, &n);
	db_commit(db);
	EQ_INT(n, 1, "worker A claims the event");
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	EQ_INT(st.claimed, 0, "a held lease is not claimed again");
	/* The lease expires; worker B takes and finishes it. */
	clock_ms += o.lease_ms + 1;
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	EQ_INT(st.processed, 1, "expired lease reclaimed and processed");
	/* Worker A wakes up late: every write is fenced off. */
	buf_init(&b, 1 << 20);
	db_begin(db);
	EQ_INT(db_event_body(db, id, "token-A", &b), 0, "late worker cannot read the body");
	EQ_INT(db_event_done(db, id, "token-A", clock_ms), 0, "late worker cannot finish");
	EQ_INT(db_event_fail(db, id, "token-A", EVENT_FAILED, clock_ms, "late", clock_ms), 0, "late worker cannot fail it");
	db_commit(db);
	buf_free(&b);
	snprintf(sql, sizeof(sql), "SELECT state = 'processed' AND attempts = 2 FROM webhook_event WHERE id = %lld", id);
	EQ_INT(qi(sql), 1, "newer claim's result stands");
}

/* Claim an event as a worker that then disappears, and let the lease
 * lapse. */
static void
lapse(const struct queue_opts *o, const char *token)
{
	long long	 ids[8];
	int		 fl[8], n;

	db_begin(db);
	db_queue_claim(db, token, clock_ms, o->lease_ms, 8, ids, fl, &n);
	db_commit(db);
	clock_ms += o->lease_ms + 1;
}

/*
 * Claims and failures are counted apart: leases that lapsed (a worker
 * died, or gave up) are not failures, so the first real failure after
 * them waits for the schedule's first step, not for a dead letter.
 */
static void
test_lapses_are_not_failures(void)
{
	struct queue_opts	 o;
	struct queue_stats	 st;
	char			 sql[256];
	long long		 id, next;
	int			 i;

	opts(&o);
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);		/* an empty queue to start with */
	id = store(clock_ms);
	OK(HG_QUEUE_LAPSES_MAX > o.nschedule, "(more lapses allowed than the schedule has steps)");
	/* As many lapsed claims as the schedule has steps. */
	for (i = 0; i < o.nschedule; i++)
		lapse(&o, "token-gone");
	o.fn = flaky;
	fail_on = 1;
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	EQ_INT(st.dead, 0, "a failure after lapsed leases is no dead letter");
	EQ_INT(st.failed, 1, "it is the first failure");
	snprintf(sql, sizeof(sql), "SELECT state = 'failed' AND failures = 1 AND attempts = %d FROM webhook_event WHERE id = %lld", o.nschedule + 1, id);
	EQ_INT(qi(sql), 1, "failures 1, claims counted apart");
	snprintf(sql, sizeof(sql), "SELECT next_attempt_ms FROM webhook_event WHERE id = %lld", id);
	next = qi(sql);
	OK(next >= clock_ms + 800 && next <= clock_ms + 1200, "retried after the schedule's first step");
	/* A lapse between failures does not move the schedule either. */
	clock_ms = next;
	lapse(&o, "token-gone-2");
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	snprintf(sql, sizeof(sql), "SELECT state = 'failed' AND failures = 2 FROM webhook_event WHERE id = %lld", id);
	EQ_INT(qi(sql), 1, "second failure");
	snprintf(sql, sizeof(sql), "SELECT next_attempt_ms FROM webhook_event WHERE id = %lld", id);
	next = qi(sql);
	OK(next >= clock_ms + 4000 && next <= clock_ms + 6000, "retried after the schedule's second step");
	fail_on = 0;
	clock_ms = next;
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	EQ_INT(st.processed, 1, "then processed");
}

/* Run SQL on a read-write connection of the test's own. */
static int
rw(const char *sql)
{
	sqlite3	*h = NULL;
	int	 rc;

	rc = sqlite3_open_v2(dbpath, &h, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(h, 5000);
		rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	}
	sqlite3_close(h);
	return rc == SQLITE_OK ? 0 : -1;
}

/*
 * A database error that rolls back a batch (a full disk, a lock held
 * past the busy timeout) is not the events' fault: their claims are
 * given back, so that however often it happens, they never become
 * dead letters for "lapsed leases" and are processed once it passes.
 */
static void
test_db_error_is_not_a_lapse(void)
{
	struct queue_opts	 o;
	struct queue_stats	 st;
	char			 sql[256];
	long long		 id;
	int			 i, errors = 0;

	opts(&o);
	fail_on = 0;
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);		/* an empty queue to start with */
	id = store(clock_ms);
	OK(rw("CREATE TRIGGER refuse_done BEFORE UPDATE OF state ON "
	    "webhook_event WHEN NEW.state = 'processed' BEGIN "
	    "SELECT RAISE(ABORT, 'disk trouble'); END") == 0,
	    "finishing an event fails in the database");
	for (i = 0; i < HG_QUEUE_LAPSES_MAX + 3; i++) {
		memset(&st, 0, sizeof(st));
		if (queue_run(db, &o, &st) == -1)
			errors++;
		clock_ms += o.lease_ms + 1;
	}
	EQ_INT(errors, HG_QUEUE_LAPSES_MAX + 3, "every run met the error");
	snprintf(sql, sizeof(sql), "SELECT state <> 'dead_letter' AND "
	    "lease_token IS NULL AND attempts = 0 AND failures = 0 FROM "
	    "webhook_event WHERE id = %lld", id);
	EQ_INT(qi(sql), 1, "the event is no dead letter, its claims given back");
	OK(rw("DROP TRIGGER refuse_done") == 0, "the trouble passes");
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	EQ_INT(st.processed, 1, "then it is processed");
	snprintf(sql, sizeof(sql), "SELECT state = 'processed' FROM "
	    "webhook_event WHERE id = %lld", id);
	EQ_INT(qi(sql), 1, "and stored as processed");
}

/* A step that kills its worker: the process dies mid-processing. */
static int
killer(struct db *d, long long id, const char *body, size_t len,
    long long now_ms, void *arg, char *err, size_t errsz)
{
	(void)d; (void)id; (void)body; (void)len; (void)now_ms; (void)arg;
	(void)err; (void)errsz;
	kill(getpid(), SIGKILL);
	return -1;
}

/*
 * An event whose processing kills its worker is claimed again after
 * every lapsed lease, but not forever: past HG_QUEUE_LAPSES_MAX claims
 * without a result it becomes a dead letter that says why.
 */
static void
test_never_finishes(void)
{
	struct queue_opts	 o;
	struct queue_stats	 st;
	char			 sql[256];
	long long		 id, n;
	pid_t			 pid;
	int			 i, status, killed = 0;

	opts(&o);
	fail_on = 0;
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);		/* an empty queue to start with */
	id = store(clock_ms);
	for (i = 0; i < HG_QUEUE_LAPSES_MAX + 3; i++) {
		if ((pid = fork()) == 0) {
			char			 e[256];
			struct db		*d2 = db_open(conf, 0, e, sizeof(e));
			struct queue_opts	 o2 = o;
			struct queue_stats	 s2;

			o2.fn = killer;
			memset(&s2, 0, sizeof(s2));
			_exit(d2 != NULL && queue_run(d2, &o2, &s2) == 0 ? 0 : 1);
		}
		waitpid(pid, &status, 0);
		if (WIFSIGNALED(status))
			killed++;
		clock_ms += o.lease_ms + 1;
	}
	EQ_INT(killed, HG_QUEUE_LAPSES_MAX, "the event killed its worker at each claim, up to the limit");
	snprintf(sql, sizeof(sql), "SELECT state = 'dead_letter' AND lease_token IS NULL FROM webhook_event WHERE id = %lld", id);
	EQ_INT(qi(sql), 1, "then it is a dead letter");
	snprintf(sql, sizeof(sql), "SELECT last_error LIKE '%%lease lapsed %d times%%' FROM webhook_event WHERE id = %lld", HG_QUEUE_LAPSES_MAX, id);
	EQ_INT(qi(sql), 1, "whose last error gives the reason");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM event_attempt WHERE event_id = %lld AND error LIKE '%%lease lapsed%%'", id);
	EQ_INT(qi(sql), 1, "logged as an attempt");
	clock_ms += 86400000LL;
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	EQ_INT(st.claimed, 0, "and never claimed again on its own");
	/* Requeued by hand, it is processed by a step that finishes. */
	db_begin(db);
	db_requeue(db, id, 0, 0, 0, &n);
	db_commit(db);
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	snprintf(sql, sizeof(sql), "SELECT state = 'processed' AND attempts = 1 AND failures = 0 FROM webhook_event WHERE id = %lld", id);
	EQ_INT(qi(sql), 1, "a requeued dead letter starts its counts over");
}

static void
test_crash(void)
{
	struct queue_opts	 o;
	struct queue_stats	 st;
	long long		 before = qi("SELECT count(*) FROM message"), i;
	pid_t			 pid;
	int			 status;

	for (i = 0; i < 300; i++)
		store(clock_ms);
	opts(&o);
	/* A child claims everything and dies before processing. */
	if ((pid = fork()) == 0) {
		char		 err[256];
		struct db	*d2 = db_open(conf, 0, err, sizeof(err));
		long long	 ids[256];
		int		 att[256], n;

		db_begin(d2);
		db_queue_claim(d2, "token-dead", clock_ms, o.lease_ms, 256, ids, att, &n);
		db_commit(d2);
		kill(getpid(), SIGKILL);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	OK(WIFSIGNALED(status), "worker killed after claiming");
	EQ_INT(qi("SELECT count(*) FROM webhook_event WHERE lease_token = 'token-dead'"), 256, "its claims are held");
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	EQ_INT(st.processed, 44, "the rest is processed at once");
	clock_ms += o.lease_ms + 1;
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	EQ_INT(st.processed, 256, "after the lease the dead worker's events are processed");
	EQ_INT(qi("SELECT count(*) FROM message") - before, 300, "no loss, no duplicate");
	EQ_INT(qi("SELECT count(*) FROM webhook_event WHERE state <> 'processed'"), 0, "queue empty");
}

static void
test_replay_and_prune(void)
{
	struct queue_opts	 o;
	struct queue_stats	 st;
	long long		 n, msgs = qi("SELECT count(*) FROM message");
	long long		 events = qi("SELECT count(*) FROM webhook_event");

	opts(&o);
	db_begin(db);
	db_requeue(db, 0, 0, 0, clock_ms * 2, &n);
	db_commit(db);
	EQ_INT(n, events, "replay of a time range requeues every event");
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	EQ_INT(st.processed, events, "replayed events processed again");
	EQ_INT(qi("SELECT count(*) FROM message"), msgs, "replay creates no duplicate");
	store(clock_ms + 10);
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	/* The budget is checked after every batch: spent, one batch. */
	EQ_INT(queue_prune(db, clock_ms + 5, 50, 0, &n), 0, "prune with no budget");
	EQ_INT(n, 50, "stops after one batch");
	EQ_INT(queue_prune(db, clock_ms + 5, 50, 10000, &n), 0, "prune runs");
	EQ_INT(n, events - 50, "processed events older than the cutoff pruned in batches");
	EQ_INT(qi("SELECT count(*) FROM webhook_event"), 1, "newer event kept");
	EQ_INT(qi("SELECT count(*) FROM message"), msgs + 1, "messages stay after pruning");
	EQ_INT(qi("SELECT count(*) FROM message WHERE event_id IS NULL"), msgs, "pruned events unlinked from messages");
}

/*
 * Ranges of arrival time are found as ranges of ids by bisection: check
 * them against a plain scan, with gaps in the ids and windows that fall
 * between events, on them, before and after all of them.
 */
static void
test_time_ranges(void)
{
	static const long long win[][2] = {
		{ 0, 1 }, { 0, 5000 }, { 1000, 1010 }, { 1005, 1006 },
		{ 1230, 1570 }, { 1231, 1569 }, { 1990, 1991 }, { 1990, 9000 },
		{ 5000, 6000 }, { 1500, 1400 },
	};
	struct queue_opts	 o;
	struct queue_stats	 st;
	sqlite3			*w = NULL;
	char			 sql[300];
	long long		 n, want, base = clock_ms + 100000;
	size_t			 i;
	int			 k, ok = 1;

	opts(&o);
	for (k = 0; k < 100; k++)
		store(base + 1000 + 10 * k);
	/* Gaps in the ids. */
	snprintf(sql, sizeof(sql), "DELETE FROM webhook_event WHERE "
	    "received_ms IN (%lld, %lld, %lld)", base + 1230, base + 1240,
	    base + 1990);
	OK(sqlite3_open_v2(dbpath, &w, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK && sqlite3_exec(w, sql, NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_changes(w) == 3, "three events deleted");
	sqlite3_close(w);
	memset(&st, 0, sizeof(st));
	queue_run(db, &o, &st);
	for (i = 0; i < sizeof(win) / sizeof(win[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM webhook_event "
		    "WHERE state = 'processed' AND received_ms >= %lld AND "
		    "received_ms < %lld", base + win[i][0], base + win[i][1]);
		want = qi(sql);
		db_begin(db);
		db_requeue(db, 0, 0, base + win[i][0], base + win[i][1], &n);
		db_commit(db);
		if (n != want) {
			printf("#   [%lld, %lld): %lld, want %lld\n",
			    win[i][0], win[i][1], n, want);
			ok = 0;
		}
		memset(&st, 0, sizeof(st));
		queue_run(db, &o, &st);
	}
	OK(ok, "every range of arrival times requeues what a scan finds");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM webhook_event WHERE "
	    "state = 'processed' AND received_ms < %lld", base + 1505);
	want = qi(sql);
	OK(want >= 49, "(events to prune)");
	EQ_INT(queue_prune(db, base + 1505, 7, 10000, &n), 0, "prune");
	EQ_INT(n, want, "what arrived before the cutoff, in batches");
	EQ_INT(qi("SELECT min(received_ms) FROM webhook_event"), base + 1510,
	    "the rest kept");
}

/* Audit retention: old lines go in batches, newer ones stay. */
static void
test_audit_prune(void)
{
	struct db_audit	 a = { .workspace_id = 1, .actor = AUDIT_CRON,
	    .action = "event_retried", .object = "event:1" };
	long long	 n;
	int		 i, ok = 1;

	for (i = 0; i < 50; i++) {
		a.at = 1000 + i;
		ok &= db_audit_add(db, &a) == 0;
	}
	OK(ok, "(fifty audit lines, written at 1000 to 1049)");
	EQ_INT(queue_prune_audit(db, 1040, 7, 0, &n), 0,
	    "audit prune with no budget");
	EQ_INT(n, 7, "stops after one batch");
	EQ_INT(queue_prune_audit(db, 1040, 7, 10000, &n), 0, "audit prune");
	EQ_INT(n, 33, "the rest written before the cutoff, in batches");
	EQ_INT(qi("SELECT count(*) FROM audit_log"), 10, "ten lines kept");
	EQ_INT(qi("SELECT min(at) FROM audit_log"), 1040,
	    "the newest ten");
}

/* A session for test_account_prune. */
static void
account_session(const char *id, long long user, long long last_seen,
    long long created)
{
	struct db_session s;

	memset(&s, 0, sizeof(s));
	snprintf(s.id, sizeof(s.id), "%s", id);
	s.user_id = user;
	s.workspace_id = 1;
	snprintf(s.csrf_token, sizeof(s.csrf_token), "c");
	s.created_at = created;
	s.last_seen_at = last_seen;
	if (db_session_add(db, &s) == -1 ||
	    db_session_touch(db, id, last_seen) == -1)
		OK(0, "session added");
}

/* Housekeeping of the sign-in tables: expired sessions, stale
 * throttle rows, used or expired setup tokens go in batches; the rest
 * stays. */
static void
test_account_prune(void)
{
	const long long			 now = 1900000000, now_ms = now * 1000;
	const long long			 day = HG_ACCOUNT_STALE_S;
	struct queue_account_opts	 o = { .idle_s = 100, .max_s = 1000 };
	long long			 u1, u2, u3, n, user;
	int				 ok = 1;

	ok &= db_user_add(db, "p1@example.org", "P1", NULL, 0, 1, &u1) == 1;
	ok &= db_user_add(db, "p2@example.org", "P2", NULL, 0, 1, &u2) == 1;
	ok &= db_user_add(db, "p3@example.org", "P3", NULL, 0, 1, &u3) == 1;
	ok &= db_member_set(db, 1, u1, "agent", 1) == 0;
	OK(ok, "(three users)");
	account_session("alive", u1, now - 50, now - 500);
	account_session("idle", u1, now - 100, now - 500);
	account_session("old", u1, now - 10, now - 1000);
	account_session("fresh", u2, now, now);
	ok &= db_throttle_set(db, "addr:stale", 9, now_ms - day * 1000 - 1) == 0;
	ok &= db_throttle_set(db, "addr:recent", 9, now_ms - 1000) == 0;
	ok &= db_throttle_set(db, "addr:waiting", 9, now_ms + 5000) == 0;
	ok &= db_setup_add(db, "used-old", u1, now) == 0;
	ok &= db_setup_use(db, "used-old", now - day - 1, &user) == 1;
	ok &= db_setup_add(db, "used-new", u1, now + 100) == 0;
	ok &= db_setup_use(db, "used-new", now - 10, &user) == 1;
	ok &= db_setup_add(db, "expired-old", u2, now - day - 1) == 0;
	ok &= db_setup_add(db, "valid", u3, now + 3600) == 0;
	ok &= db_setup_add(db, "expired-new", 0, now - 100) == 0;
	OK(ok, "(sessions, throttle rows and setup tokens)");

	EQ_INT(queue_prune_accounts(db, &o, now_ms, 2, 0, &n), 0,
	    "account prune with no budget");
	EQ_INT(n, 2, "stops after one batch");
	EQ_INT(queue_prune_accounts(db, &o, now_ms, 2, 10000, &n), 0,
	    "account prune");
	EQ_INT(n, 3, "the rest, in batches");
	EQ_INT(qi("SELECT count(*) FROM session WHERE id IN ('alive', "
	    "'fresh')"), 2, "live sessions kept");
	EQ_INT(qi("SELECT count(*) FROM session"), 2,
	    "idle and absolutely expired sessions deleted");
	EQ_INT(qi("SELECT count(*) FROM login_throttle WHERE key IN "
	    "('addr:recent', 'addr:waiting')"), 2,
	    "throttle rows still waiting, or whose wait ended lately, kept");
	EQ_INT(qi("SELECT count(*) FROM login_throttle"), 2,
	    "a throttle row whose wait ended over a day ago deleted");
	EQ_INT(qi("SELECT count(*) FROM setup_token WHERE hash IN "
	    "('used-new', 'valid', 'expired-new')"), 3,
	    "setup tokens valid, or used or expired within a day, kept");
	EQ_INT(qi("SELECT count(*) FROM setup_token"), 3,
	    "setup tokens used or expired over a day ago deleted");
	EQ_INT(queue_prune_accounts(db, &o, now_ms, 2, 10000, &n), 0,
	    "again");
	EQ_INT(n, 0, "nothing left to delete");
}

int
main(void)
{
	char	 text[1024], err[512];
	long long id;

	snprintf(dir, sizeof(dir), "/tmp/hubgate-queue.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/q.db", dir);
	snprintf(text, sizeof(text), "db_path = %s\nretry_schedule = 1,5,30\n"
	    "queue_lease_s = 30\n", dbpath);
	if ((conf = conf_load_string(text, "q.conf", err, sizeof(err))) == NULL ||
	    (db = db_open(conf, 0, err, sizeof(err))) == NULL) {
		printf("# %s\n", err);
		return 1;
	}
	db_channel_add(db, "page", "100", "P", &id);
	sqlite3_open_v2(dbpath, &peek, SQLITE_OPEN_READONLY, NULL);
	sqlite3_busy_timeout(peek, 5000);
	test_schedule();
	test_retry_to_dead_letter();
	test_fencing();
	test_lapses_are_not_failures();
	test_never_finishes();
	test_db_error_is_not_a_lapse();
	test_crash();
	test_replay_and_prune();
	test_time_ranges();
	test_audit_prune();
	test_account_prune();
	sqlite3_close(peek);
	db_close(db);
	conf_free(conf);
	snprintf(text, sizeof(text), "%s/q.db", dir);
	unlink(text);
	snprintf(text, sizeof(text), "%s/q.db-wal", dir);
	unlink(text);
	snprintf(text, sizeof(text), "%s/q.db-shm", dir);
	unlink(text);
	snprintf(text, sizeof(text), "%s/q.db.webhook-retry.lock", dir);
	unlink(text);
	rmdir(dir);
	return test_done();
}
