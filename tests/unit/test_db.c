/*
 * Unit tests for lib/db on a database in a temporary directory: opening
 * and migrations (also from several processes at once), channels,
 * events, counters, transactions and the busy timeout.  SQLite is used
 * directly only to look at the result from outside.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_channel.h"
#include "db_event.h"
#include "db_inbox.h"
#include "db_queue.h"
#include "envelope.h"
#include "test.h"

extern const char db_schema_sql[];

static char	 dir[512];
static char	 err[1024];

/* A configuration whose db_path is dir/name. */
static struct conf *
conf_for(const char *name, const char *extra)
{
	char		 text[2048];
	struct conf	*c;

	snprintf(text, sizeof(text), "db_path = %s/%s\n%s", dir, name,
	    extra != NULL ? extra : "");
	if ((c = conf_load_string(text, "t.conf", err, sizeof(err))) == NULL)
		printf("#   conf: %s\n", err);
	return c;
}

/* Run one integer query on the database file from outside; -1 on error. */
static long long
sql_int(const char *name, const char *sql)
{
	sqlite3		*h;
	sqlite3_stmt	*st;
	char		 path[1024];
	long long	 v = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(h);
		return -1;
	}
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return v;
}

static long long
ms_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void
test_open(void)
{
	struct conf	*c;
	struct db	*d;
	int		 v = -1;
	char		 longpath[5000];

	OK(db_schema_latest() >= 1, "at least one migration");
	c = conf_for("a.db", NULL);
	d = db_open(c, 0, err, sizeof(err));
	if (!OK(d != NULL, "open a fresh database"))
		printf("#   %s\n", err);
	if (d == NULL) {
		conf_free(c);
		return;
	}
	EQ_INT(db_ping(d, &v), 0, "ping");
	EQ_INT(v, db_schema_latest(), "user_version is the latest");
	EQ_INT(db_error(d), DB_OK, "no error after success");
	db_close(d);
	EQ_INT(sql_int("a.db", "PRAGMA user_version"), db_schema_latest(),
	    "user_version seen from outside");
	EQ_INT(sql_int("a.db", "SELECT count(*) FROM workspace"), 1,
	    "workspace 1 created once");
	EQ_INT(sql_int("a.db", "SELECT count(*) FROM pragma_journal_mode "
	    "WHERE journal_mode = 'wal'"), 1, "WAL mode");

	/* Reopen: nothing applied again. */
	d = db_open(c, 0, err, sizeof(err));
	OK(d != NULL, "reopen");
	v = -1;
	OK(d != NULL && db_ping(d, &v) == 0 && v == db_schema_latest(),
	    "reopen: same version");
	db_close(d);
	d = db_open(c, 0, err, sizeof(err));
	OK(d != NULL, "third open");
	db_close(d);
	EQ_INT(sql_int("a.db", "SELECT count(*) FROM workspace"), 1,
	    "reopen: migrations not re-run");
	EQ_INT(sql_int("a.db", "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name = 'webhook_event'"), 1, "tables exist once");

	/* Read-only. */
	d = db_open(c, DB_READONLY, err, sizeof(err));
	OK(d != NULL, "read-only open");
	if (d != NULL) {
		OK(db_ping(d, &v) == 0 && v == db_schema_latest(),
		    "read-only ping");
		EQ_INT(db_counter_add(d, "x", 1), -1, "read-only: write refused");
		EQ_INT(db_error(d), DB_ERROR, "read-only write: DB_ERROR");
		OK(db_errmsg(d)[0] != '\0', "read-only write: a message");
	}
	db_close(d);
	conf_free(c);

	c = conf_for("absent.db", NULL);
	err[0] = '\0';
	d = db_open(c, DB_READONLY, err, sizeof(err));
	OK(d == NULL && strstr(err, "absent.db") != NULL,
	    "read-only open of a missing file fails, naming it");
	db_close(d);
	conf_free(c);
	snprintf(longpath, sizeof(longpath), "%s/absent.db", dir);
	OK(access(longpath, F_OK) != 0, "and does not create it");

	c = conf_for("no/such/dir/x.db", NULL);
	err[0] = '\0';
	d = db_open(c, 0, err, sizeof(err));
	OK(d == NULL && strstr(err, "x.db") != NULL,
	    "open in a missing directory fails, naming the path");
	db_close(d);
	conf_free(c);

	/* A path past db_open's buffer: a long directory for the file and
	 * a long relative db_path. */
	{
		char	 name[3100], text[2100];
		size_t	 i;

		for (i = 0; i + 2 < 3000; i += 2)
			memcpy(name + i, "d/", 2);
		snprintf(name + i, sizeof(name) - i, "t.conf");
		memcpy(text, "db_path = ", 10);
		memset(text + 10, 'p', 2000);
		text[2010] = '\0';
		c = conf_load_string(text, name, err, sizeof(err));
		OK(c != NULL, "long path configuration loads");
		err[0] = '\0';
		d = c != NULL ? db_open(c, 0, err, sizeof(err)) : NULL;
		OK(c != NULL && d == NULL && strstr(err, "too long") != NULL,
		    "db_path past the path buffer refused");
		db_close(d);
		conf_free(c);
	}

	c = conf_for("n.db", "durability = normal\n");
	d = db_open(c, 0, err, sizeof(err));
	OK(d != NULL, "open with durability normal");
	db_close(d);
	conf_free(c);
	db_close(NULL);
}

/* Several processes open one fresh database at the same moment. */
static void
test_concurrent_open(void)
{
	enum { NPROC = 8, ROUNDS = 4 };
	char		 name[64];
	pid_t		 pids[NPROC];
	int		 round, i, st, go[2], all_ok = 1, once = 1;
	long long	 n;

	for (round = 0; round < ROUNDS; round++) {
		snprintf(name, sizeof(name), "race%d.db", round);
		if (pipe(go) == -1) {
			OK(0, "pipe");
			return;
		}
		for (i = 0; i < NPROC; i++) {
			if ((pids[i] = fork()) == 0) {
				struct conf	*c;
				struct db	*d;
				char		 b, e2[512];
				int		 v = -1, rc = 1;

				close(go[1]);
				/* Wait for the parent to close the pipe. */
				while (read(go[0], &b, 1) == -1 && errno == EINTR)
					;
				c = conf_for(name, NULL);
				d = c != NULL ? db_open(c, 0, e2, sizeof(e2)) : NULL;
				if (d == NULL)
					printf("#   child %d: %s\n", i, e2);
				else if (db_ping(d, &v) == 0 &&
				    v == db_schema_latest() &&
				    db_counter_add(d, "opened", 1) == 0)
					rc = 0;
				else
					printf("#   child %d: %s\n", i, db_errmsg(d));
				fflush(stdout);
				db_close(d);
				conf_free(c);
				_exit(rc);
			}
		}
		close(go[0]);
		close(go[1]);	/* all children go at once */
		for (i = 0; i < NPROC; i++) {
			if (pids[i] < 0 || waitpid(pids[i], &st, 0) == -1 ||
			    !WIFEXITED(st) || WEXITSTATUS(st) != 0)
				all_ok = 0;
		}
		if (sql_int(name, "PRAGMA user_version") != db_schema_latest())
			once = 0;
		if (sql_int(name, "SELECT count(*) FROM workspace") != 1)
			once = 0;
		n = sql_int(name, "SELECT value FROM counter WHERE name = 'opened'");
		if (n != NPROC)
			all_ok = 0;
	}
	OK(all_ok, "8 processes opening a fresh database at once all succeed");
	OK(once, "and the schema is applied exactly once");
}

/* Touch channel id at 3000, at 4000 in a savepoint rolled back, then at
 * 3500: what the rollback undid must not be remembered (3500 stays). */
static void
touch_undone(struct db *d, long long id)
{
	EQ_INT(db_channel_touch(d, id, 3000), 0, "touch");
	EQ_INT(db_channel_touch(d, id, 3000), 0, "touch again");
	EQ_INT(db_savepoint(d), 0, "savepoint");
	EQ_INT(db_channel_touch(d, id, 4000), 0, "touch in a savepoint");
	EQ_INT(db_rollback_to(d), 0, "rolled back");
	EQ_INT(db_release(d), 0, "released");
	EQ_INT(db_channel_touch(d, id, 3500), 0, "touch after it");
}

static void
test_channels(struct db *d)
{
	long long	 id = -1, id2 = -1, id3 = -1, got = -1;

	EQ_INT(db_channel_find(d, "page", "P1", &got, NULL), 0, "absent channel: 0");
	EQ_INT(got, -1, "absent: id untouched");
	EQ_INT(db_channel_add(d, "page", "P1", "Page One", &id), 0, "add page");
	OK(id > 0, "add gives an id");
	EQ_INT(db_channel_find(d, "page", "P1", &got, NULL), 1, "find: 1");
	EQ_INT(got, id, "find: same id");
	EQ_INT(db_channel_find(d, "instagram", "P1", &got, NULL), 0,
	    "same meta id, other kind: absent");
	EQ_INT(db_channel_find(d, "page", "p1", &got, NULL), 0, "ids are exact");
	EQ_INT(db_channel_find(d, "page", "P1 ", &got, NULL), 0, "no trimming");
	EQ_INT(db_channel_add(d, "page", "P1", "Renamed", &id2), 0, "add again");
	EQ_INT(id2, id, "add again: the existing id");
	EQ_INT(db_channel_add(d, "instagram", "P1", "IG", &id3), 0,
	    "same meta id under another kind");
	OK(id3 != id, "a different channel");
	EQ_INT(db_channel_add(d, "whatsapp", "106540352242922", "WA", &id3), 0,
	    "add whatsapp");
	got = -1;
	EQ_INT(db_channel_add(d, "email", "E1", "bad", &got), -1,
	    "unknown kind refused");
	EQ_INT(db_error(d), DB_ERROR, "constraint: DB_ERROR");
	OK(db_errmsg(d)[0] != '\0', "constraint: a message");
	EQ_INT(got, -1, "refused add: id untouched");
	EQ_INT(db_channel_find(d, "page", "P1", &got, NULL), 1,
	    "connection usable after an error");
	EQ_INT(db_channel_find(d, "page", "x'; DROP TABLE channel; --", &got, NULL), 0,
	    "quotes are data");
	EQ_INT(db_channel_touch(d, id, 1000), 0, "touch");
	EQ_INT(db_channel_touch(d, id, 500), 0, "touch older: no error");
	EQ_INT(db_channel_touch(d, 999999, 500), 0, "touch absent: no error");

	/* Inside a transaction lookups are remembered, and what the
	 * transaction itself changes is seen. */
	EQ_INT(db_begin(d), 0, "begin");
	EQ_INT(db_channel_find(d, "page", "P9", &got, NULL), 0, "txn: absent");
	EQ_INT(db_channel_find(d, "page", "P9", &got, NULL), 0,
	    "txn: absent again (remembered)");
	EQ_INT(db_channel_add(d, "page", "P9", "Nine", &id2), 0, "txn: add");
	got = -1;
	EQ_INT(db_channel_find(d, "page", "P9", &got, NULL), 1,
	    "txn: the added channel is found");
	EQ_INT(got, id2, "txn: its id");
	EQ_INT(db_channel_find(d, "page", "P1", &got, NULL), 1, "txn: P1");
	EQ_INT(got, id, "txn: P1 id");
	touch_undone(d, id);
	EQ_INT(db_rollback(d), 0, "rollback");
	EQ_INT(db_channel_find(d, "page", "P9", &got, NULL), 0,
	    "rolled back: the add is gone");
	EQ_INT(db_begin(d), 0, "begin 2");
	touch_undone(d, id);
	EQ_INT(db_commit(d), 0, "commit");
}

static void
fill_event(struct db_event *e, const char *body, char *hex)
{
	unsigned char h[CRYPTO_SHA256_LEN];

	memset(e, 0, sizeof(*e));
	crypto_sha256(body, strlen(body), h);
	crypto_hex(h, sizeof(h), hex);
	e->body = body;
	e->len = strlen(body);
	e->sha256 = hex;
	e->signature = "sha256=00";
	e->received_ms = 1763856000123LL;
	e->object = "page";
	e->entry_ids = "[\"P1\"]";
	e->phone_ids = "[]";
	e->routing = ROUTING_ROUTED;
	e->state = EVENT_PENDING;
	e->sent_ms = 1763856000100LL;
}

/* How many events with this sent time and body hash dbname holds. */
static long long
stored(const char *dbname, long long sent_ms, const char *hex)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM webhook_event "
	    "WHERE sent_ms = %lld AND body_sha256 = '%s'", sent_ms, hex);
	return sql_int(dbname, sql);
}

static void
add_depth(void *arg, enum event_state state, long long n, long long oldest)
{
	(void)oldest;
	if (state == EVENT_PENDING || state == EVENT_FAILED)
		*(long long *)arg += n;
}

/* Events waiting to be processed (pending or failed), as /health
 * counts them; 0 or -1. */
static int
queue_depth(struct db *d, long long *depth)
{
	*depth = 0;
	return db_queue_states(d, add_depth, depth);
}

static void
test_events(struct db *d, const char *dbname)
{
	struct db_event	 e;
	char		 hex[65], hex2[65], hex3[65];
	long long	 id = -1, id2 = -1, id3 = -1, ch = -1, ch2 = -1;
	long long	 depth = -1, x = -7;

	EQ_INT(queue_depth(d, &depth), 0, "queue depth");
	EQ_INT(depth, 0, "empty queue");

	fill_event(&e, "{\"object\":\"page\",\"n\":1}", hex);
	EQ_INT(stored(dbname, e.sent_ms, hex), 0, "not stored yet");
	EQ_INT(db_event_insert(d, &e, &id), 1, "insert: 1");
	OK(id > 0, "insert: id");
	EQ_INT(stored(dbname, e.sent_ms, hex), 1, "exists after insert");
	EQ_INT(stored(dbname, e.sent_ms + 1, hex), 0,
	    "the key is the sent time and the hash");
	EQ_INT(db_event_insert(d, &e, &x), 0, "same body again: 0");
	EQ_INT(x, -7, "duplicate: id untouched");
	e.body = "a different body";
	e.len = 16;
	EQ_INT(db_event_insert(d, &e, &x), 0, "same key: duplicate");

	fill_event(&e, "{\"object\":\"page\",\"n\":2}", hex2);
	e.object = NULL;
	e.state = EVENT_INVALID;
	e.routing = ROUTING_UNROUTED;
	EQ_INT(db_event_insert(d, &e, &id2), 1, "second event, NULL object");
	OK(id2 > id, "ids increase");
	fill_event(&e, "{\"n\":3}\0with a NUL", hex3);
	e.len = 19;
	EQ_INT(db_event_insert(d, &e, &x), 1, "body with a NUL");
	EQ_INT(sql_int(dbname, "SELECT length(body) FROM webhook_event "
	    "ORDER BY id DESC LIMIT 1"), 19, "body stored byte for byte");
	EQ_INT(sql_int(dbname, "SELECT count(*) FROM webhook_event WHERE "
	    "object IS NULL"), 1, "NULL object stored as NULL");

	EQ_INT(queue_depth(d, &depth), 0, "queue depth again");
	EQ_INT(depth, 2, "pending events counted, invalid not");

	fill_event(&e, "no signature", hex3);
	e.signature = NULL;
	EQ_INT(db_event_insert(d, &e, &x), -1, "NULL signature refused");
	EQ_INT(db_error(d), DB_ERROR, "refused insert: DB_ERROR");
	EQ_INT(stored(dbname, e.sent_ms, hex3), 0,
	    "refused insert: not stored");

	EQ_INT(db_channel_find(d, "page", "P1", &ch, NULL), 1, "channel for routing");
	EQ_INT(db_event_route(d, id, ch), 0, "route");
	EQ_INT(db_event_route(d, id, ch), 0, "route twice: ignored");
	EQ_INT(sql_int(dbname, "SELECT count(*) FROM webhook_event_channel"), 1,
	    "one link");
	EQ_INT(db_event_route(d, id, 999999), -1,
	    "route to a missing channel refused (foreign key)");
	EQ_INT(db_event_route(d, 999999, ch), -1,
	    "route of a missing event refused (foreign key)");

	/* The first channel is a column; only further ones are links. */
	EQ_INT(db_channel_find(d, "instagram", "P1", &ch2, NULL), 1,
	    "a second channel");
	fill_event(&e, "{\"object\":\"page\",\"n\":4}", hex3);
	e.channel_id = ch;
	EQ_INT(db_event_insert(d, &e, &id3), 1, "an event with its channel");
	EQ_INT(sql_int(dbname, "SELECT channel_id FROM webhook_event "
	    "ORDER BY id DESC LIMIT 1"), ch, "stored in the event's row");
	EQ_INT(db_event_route(d, id3, ch), 0, "routed to its first again");
	EQ_INT(db_event_route(d, id3, ch2), 0, "and to a second channel");
	EQ_INT(sql_int(dbname, "SELECT count(*) FROM webhook_event_channel"), 2,
	    "one link more: the second channel's");

	/* Arrival times never go back as ids grow (a clock set back, or a
	 * group commit storing an earlier arrival after a later one). */
	fill_event(&e, "{\"object\":\"page\",\"n\":5}", hex3);
	e.received_ms = 1763856000000LL;
	EQ_INT(db_event_insert(d, &e, &x), 1, "an event received earlier");
	EQ_INT(sql_int(dbname, "SELECT received_ms FROM webhook_event "
	    "ORDER BY id DESC LIMIT 1"), 1763856000123LL,
	    "stored at the time of the one before it");
}

struct seen {
	char		 names[8][32];
	long long	 vals[8];
	int		 n;
};

static void
collect(void *arg, const char *name, long long v)
{
	struct seen *s = arg;

	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
		s->vals[s->n] = v;
	}
	s->n++;
}

static void
test_counters(struct db *d)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	EQ_INT(db_counter_each(d, collect, &s), 0, "each on no counters");
	EQ_INT(s.n, 0, "no counters yet");
	EQ_INT(db_counter_add(d, "webhook.accepted", 1), 0, "add");
	EQ_INT(db_counter_add(d, "webhook.accepted", 2), 0, "add again");
	EQ_INT(db_counter_add(d, "a.first", -5), 0, "negative delta");
	EQ_INT(db_counter_add(d, "zero", 0), 0, "zero delta creates");
	EQ_INT(db_counter_add(d, "big", 9000000000000LL), 0, "64-bit delta");
	memset(&s, 0, sizeof(s));
	EQ_INT(db_counter_each(d, collect, &s), 0, "each");
	EQ_INT(s.n, 4, "four counters");
	EQ_STR(s.names[0], "a.first", "sorted by name");
	EQ_INT(s.vals[0], -5, "negative value");
	EQ_STR(s.names[1], "big", "second");
	OK(s.vals[1] == 9000000000000LL, "64-bit value");
	EQ_STR(s.names[3], "zero", "fourth");
	EQ_STR(s.names[2], "webhook.accepted", "third");
	EQ_INT(s.vals[2], 3, "deltas summed");

	/* A rolled-back transaction leaves nothing. */
	EQ_INT(db_begin(d), 0, "begin");
	EQ_INT(db_counter_add(d, "rolled.back", 1), 0, "add inside");
	EQ_INT(db_counter_add(d, "webhook.accepted", 100), 0, "add inside 2");
	EQ_INT(db_rollback(d), 0, "rollback");
	memset(&s, 0, sizeof(s));
	db_counter_each(d, collect, &s);
	EQ_INT(s.n, 4, "rollback: no new counter");
	EQ_INT(s.vals[2], 3, "rollback: value unchanged");
	EQ_INT(db_rollback(d), 0, "rollback outside a transaction: 0");
	EQ_INT(db_commit(d), -1, "commit outside a transaction: -1");
	EQ_INT(db_begin(d), 0, "begin again");
	EQ_INT(db_begin(d), -1, "nested begin refused");
	EQ_INT(db_counter_add(d, "committed", 1), 0, "add inside");
	EQ_INT(db_commit(d), 0, "commit");
	memset(&s, 0, sizeof(s));
	db_counter_each(d, collect, &s);
	EQ_INT(s.n, 5, "commit: counter kept");
}

static void
test_busy(void)
{
	struct conf	*c;
	struct db	*d1, *d2;
	long long	 t0, dt, depth;
	int		 v;

	c = conf_for("busy.db", "busy_timeout_ms = 100\n");
	d1 = db_open(c, 0, err, sizeof(err));
	d2 = db_open(c, 0, err, sizeof(err));
	if (!OK(d1 != NULL && d2 != NULL, "two connections")) {
		db_close(d1);
		db_close(d2);
		conf_free(c);
		return;
	}
	EQ_INT(db_begin(d2), 0, "the other connection holds BEGIN IMMEDIATE");
	t0 = ms_now();
	EQ_INT(db_begin(d1), -1, "begin while locked fails");
	dt = ms_now() - t0;
	EQ_INT(db_error(d1), DB_BUSY, "DB_BUSY");
	OK(db_errmsg(d1)[0] != '\0', "busy: a message");
	OK(dt >= 80, "waited for the busy timeout");
	OK(dt < 3000, "but not much longer");
	if (dt < 80 || dt >= 3000)
		printf("#   waited %lld ms\n", dt);
	EQ_INT(db_counter_add(d1, "x", 1), -1, "a write outside BEGIN fails too");
	EQ_INT(db_error(d1), DB_BUSY, "also DB_BUSY");
	OK(db_ping(d1, &v) == 0 && queue_depth(d1, &depth) == 0,
	    "readers are not blocked (WAL)");
	EQ_INT(db_rollback(d2), 0, "the other lets go");
	EQ_INT(db_begin(d1), 0, "begin now succeeds");
	EQ_INT(db_counter_add(d1, "x", 1), 0, "write");
	EQ_INT(db_commit(d1), 0, "commit");
	db_close(d1);
	db_close(d2);
	conf_free(c);
}

/* Run SQL on dir/name from outside; 0 or -1. */
static int
sql_exec(const char *name, const char *sql)
{
	sqlite3	*h;
	char	 path[1024];
	int	 rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (sqlite3_open(path, &h) != SQLITE_OK) {
		sqlite3_close(h);
		return -1;
	}
	rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
	return rc == SQLITE_OK ? 0 : -1;
}

/*
 * Migration 2 rebuilds webhook_event (dedupe on sent_ms and the hash):
 * a database made by migration 1 keeps its events, their ids, the rows
 * of other tables that refer to them, and their duplicates are still
 * refused.
 */
static void
test_migration_2(void)
{
	static const char body[] = "{\"object\":\"page\",\"entry\":[{"
	    "\"id\":\"P1\",\"time\":1763856000123,\"messaging\":[]}]}";
	const char	*m2 = strstr(db_schema_sql, "\n-- @migration 2");
	struct conf	*c;
	struct db	*d;
	struct db_event	 e;
	char		*v1, hex[65], sql[1024];
	unsigned char	 digest[32];
	long long	 x = -1;

	if (!OK(m2 != NULL, "migration 2 exists"))
		return;
	v1 = strndup(db_schema_sql, (size_t)(m2 - db_schema_sql));
	EQ_INT(sql_exec("m.db", v1), 0, "a version 1 database");
	free(v1);
	crypto_sha256(body, strlen(body), digest);
	crypto_hex(digest, sizeof(digest), hex);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO channel (id, workspace_id, kind, meta_id, created_at,"
	    " updated_at) VALUES (7, 1, 'page', 'P1', 1, 1);"
	    "INSERT INTO webhook_event (id, received_ms, body, body_sha256,"
	    " signature, state) VALUES (41, 5, CAST('%s' AS BLOB), '%s',"
	    " 'sha256=00', 'processed'), (42, 6, x'00ff', 'aa', 'sha256=00',"
	    " 'invalid');"
	    "INSERT INTO webhook_event_channel VALUES (41, 7);"
	    "INSERT INTO event_attempt VALUES (42, 1, 7, 'e');"
	    /* An orphan left by a delete made with foreign keys off: not
	     * the migration's doing, so it must not stop it. */
	    "INSERT INTO webhook_event_channel VALUES (999, 7);", body, hex);
	EQ_INT(sql_exec("m.db", sql), 0, "with events, a route, an attempt");
	EQ_INT(sql_int("m.db", "PRAGMA user_version"), 1, "at version 1");

	c = conf_for("m.db", NULL);
	d = c != NULL ? db_open(c, 0, err, sizeof(err)) : NULL;
	if (!OK(d != NULL, "open migrates"))
		printf("#   %s\n", err);
	EQ_INT(sql_int("m.db", "PRAGMA user_version"), db_schema_latest(),
	    "at the latest version");
	EQ_INT(sql_int("m.db", "SELECT sent_ms FROM webhook_event WHERE id = 41"),
	    1763856000123LL, "sent_ms computed from the stored body");
	EQ_INT(sql_int("m.db", "SELECT sent_ms FROM webhook_event WHERE id = 42"),
	    0, "0 for a body that is not JSON");
	EQ_INT(sql_int("m.db", "SELECT channel_id FROM webhook_event "
	    "WHERE id = 41"), 7, "the route kept, as the event's channel");
	EQ_INT(sql_int("m.db", "SELECT count(*) FROM webhook_event_channel "
	    "WHERE event_id = 41"), 0, "not as a link");
	EQ_INT(sql_int("m.db", "SELECT count(*) FROM event_attempt "
	    "WHERE event_id = 42"), 1, "the attempt kept");
	EQ_INT(sql_int("m.db", "SELECT count(*) FROM pragma_foreign_key_check"),
	    1, "no foreign key broken but the orphan it found");
	EQ_INT(sql_int("m.db", "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'webhook_event_queue'"), 1, "the queue's index rebuilt");
	EQ_INT(sql_int("m.db", "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'webhook_event_received'"), 0,
	    "the index on arrival times gone (migration 3)");
	if (d != NULL) {
		memset(&e, 0, sizeof(e));
		e.body = body;
		e.len = strlen(body);
		e.sha256 = hex;
		e.signature = "sha256=00";
		e.received_ms = 9;
		e.sent_ms = 1763856000123LL;
		e.object = "page";
		e.entry_ids = "[\"P1\"]";
		e.phone_ids = "[]";
		e.routing = ROUTING_ROUTED;
		e.state = EVENT_PENDING;
		EQ_INT(db_event_insert(d, &e, &x), 0,
		    "a migrated event's body again is a duplicate");
		/* Foreign keys are on again after the migration. */
		EQ_INT(db_event_route(d, 41, 999), -1,
		    "foreign keys enforced after migrating");
	}
	db_close(d);
	conf_free(c);
}

/*
 * Migration 3 moves an event's first channel into its row and drops
 * the index on arrival times, raising times that went back as ids grew.
 */
static void
test_migration_3(void)
{
	const char	*m3 = strstr(db_schema_sql, "\n-- @migration 3");
	struct conf	*c;
	struct db	*d;
	char		*v2, *p;
	long long	 n = -1;

	if (!OK(m3 != NULL, "migration 3 exists"))
		return;
	v2 = strndup(db_schema_sql, (size_t)(m3 - db_schema_sql));
	/* Outside lib/db there is no hg_sent_ms(); the table is empty. */
	if (v2 != NULL && (p = strstr(v2, "hg_sent_ms(body)")) != NULL)
		memcpy(p, "           0    ", 16);
	EQ_INT(sql_exec("m3.db", v2), 0, "a version 2 database");
	free(v2);
	EQ_INT(sql_exec("m3.db",
	    "INSERT INTO channel (id, workspace_id, kind, meta_id, created_at,"
	    " updated_at) VALUES (7, 1, 'page', 'P1', 1, 1),"
	    " (8, 1, 'page', 'P2', 1, 1);"
	    "INSERT INTO webhook_event (id, received_ms, body, body_sha256,"
	    " signature) VALUES (1, 100, x'00', 'a', 's'), (2, 90, x'01', 'b',"
	    " 's'), (3, 95, x'02', 'c', 's'), (4, 120, x'03', 'd', 's');"
	    "INSERT INTO webhook_event_channel VALUES (1, 8), (1, 7), (2, 8);"),
	    0, "with events routed to two channels, one, none");
	c = conf_for("m3.db", NULL);
	d = c != NULL ? db_open(c, 0, err, sizeof(err)) : NULL;
	if (!OK(d != NULL, "open migrates"))
		printf("#   %s\n", err);
	EQ_INT(sql_int("m3.db", "SELECT count(*) FROM webhook_event WHERE "
	    "(id = 1 AND channel_id = 7) OR (id = 2 AND channel_id = 8) OR "
	    "(id IN (3, 4) AND channel_id IS NULL)"), 4,
	    "each event's first channel in its row");
	EQ_INT(sql_int("m3.db", "SELECT count(*) FROM webhook_event_channel "
	    "WHERE event_id = 1 AND channel_id = 8"), 1, "the other one a link");
	EQ_INT(sql_int("m3.db", "SELECT count(*) FROM webhook_event_channel"),
	    1, "and only that one");
	EQ_INT(sql_int("m3.db", "SELECT group_concat(event_id || '>' || "
	    "channel_id) = '1>7,1>8,2>8' FROM (SELECT * FROM "
	    "webhook_event_route ORDER BY 1, 2)"), 1,
	    "webhook_event_route lists every pair");
	EQ_INT(sql_int("m3.db", "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'webhook_event_queue' AND sql LIKE "
	    "'%WHERE state <> ''processed'''"), 1,
	    "the queue's index leaves processed events out");
	EQ_INT(sql_int("m3.db", "SELECT group_concat(received_ms) = "
	    "'100,100,100,120' FROM (SELECT received_ms FROM webhook_event "
	    "ORDER BY id)"), 1, "arrival times raised to follow the ids");
	EQ_INT(sql_exec("m3.db", "UPDATE webhook_event SET state = "
	    "'processed'"), 0, "all processed");
	if (d != NULL) {
		EQ_INT(db_begin(d), 0, "begin");
		EQ_INT(db_requeue(d, 0, 0, 101, 121, &n), 0,
		    "requeue what arrived in [101, 121)");
		EQ_INT(n, 1, "the last event alone");
		EQ_INT(db_prune(d, 101, 10, &n), 0,
		    "prune what arrived before 101");
		EQ_INT(n, 3, "the three others");
		EQ_INT(db_commit(d), 0, "commit");
		EQ_INT(sql_int("m3.db", "SELECT group_concat(id || state) = "
		    "'4pending' FROM webhook_event"), 1, "the last one left");
	}
	db_close(d);
	conf_free(c);
}

/* How many of the columns that refer to webhook_event (every table,
 * every foreign key) SQLite can search only by scanning their table;
 * *checked counts the columns.  -1 on error. */
static long long
fk_scans(const char *name, int *checked)
{
	sqlite3		*h;
	sqlite3_stmt	*fk, *eqp;
	char		 path[1024], sql[512];
	const char	*detail;
	long long	 scans = 0;

	*checked = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT m.name, f.\"from\" FROM sqlite_schema m, "
	    "pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND "
	    "f.\"table\" = 'webhook_event'", -1, &fk, NULL) != SQLITE_OK) {
		sqlite3_close(h);
		return -1;
	}
	while (sqlite3_step(fk) == SQLITE_ROW) {
		(*checked)++;
		/* The query an event's delete runs on each of them. */
		snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN SELECT 1 FROM "
		    "\"%s\" WHERE \"%s\" = 1", sqlite3_column_text(fk, 0),
		    sqlite3_column_text(fk, 1));
		if (sqlite3_prepare_v2(h, sql, -1, &eqp, NULL) != SQLITE_OK) {
			scans = -1;
			break;
		}
		while (sqlite3_step(eqp) == SQLITE_ROW)
			if ((detail = (const char *)sqlite3_column_text(eqp,
			    3)) != NULL && strncmp(detail, "SCAN", 4) == 0) {
				printf("#   %s.%s: %s\n", sqlite3_column_text(fk,
				    0), sqlite3_column_text(fk, 1), detail);
				scans++;
			}
		sqlite3_finalize(eqp);
	}
	sqlite3_finalize(fk);
	sqlite3_close(h);
	return scans;
}

/*
 * Migration 5: an index on every column that refers to webhook_event
 * (deleting an event must not scan a table), failures counted apart
 * from claims, and a message's Meta id unique within its channel only.
 */
static void
test_migration_5(void)
{
	const char	*m5 = strstr(db_schema_sql, "\n-- @migration 5");
	struct conf	*c;
	struct db	*d;
	struct db_message m;
	char		*v4, *p;
	int		 checked = 0;

	if (!OK(m5 != NULL, "migration 5 exists"))
		return;
	v4 = strndup(db_schema_sql, (size_t)(m5 - db_schema_sql));
	if (v4 != NULL && (p = strstr(v4, "hg_sent_ms(body)")) != NULL)
		memcpy(p, "           0    ", 16);
	EQ_INT(sql_exec("m5.db", v4), 0, "a version 4 database");
	free(v4);
	EQ_INT(fk_scans("m5.db", &checked), 3,
	    "version 4: deleting an event scans message, feed_item, unhandled");
	EQ_INT(sql_exec("m5.db",
	    "INSERT INTO channel (id, workspace_id, kind, meta_id, created_at,"
	    " updated_at) VALUES (7, 1, 'page', 'P1', 1, 1),"
	    " (8, 1, 'page', 'P2', 1, 1);"
	    "INSERT INTO contact (id, workspace_id, channel_id, meta_user_id,"
	    " first_seen_at, last_seen_at) VALUES (1, 1, 7, 'u', 1, 1),"
	    " (2, 1, 8, 'u', 1, 1);"
	    "INSERT INTO conversation (id, workspace_id, channel_id, contact_id,"
	    " created_at) VALUES (1, 1, 7, 1, 1), (2, 1, 8, 2, 1);"
	    "INSERT INTO webhook_event (id, received_ms, body, body_sha256,"
	    " signature, state, attempts) VALUES"
	    " (1, 1, x'00', 'a', 's', 'processed', 1),"
	    " (2, 2, x'01', 'b', 's', 'failed', 2),"
	    " (3, 3, x'02', 'c', 's', 'dead_letter', 3),"
	    " (4, 4, x'03', 'd', 's', 'processing', 2),"
	    " (5, 5, x'04', 'e', 's', 'pending', 0);"
	    "INSERT INTO message (id, conversation_id, meta_message_id,"
	    " direction, text, status, sent_ms, event_id, created_ms) VALUES"
	    " (10, 1, 'mA', 'out', 'one', 'sent', 100, 1, 100),"
	    " (11, 2, 'mB', 'in', 'two', 'received', 200, NULL, 200);"),
	    0, "with two channels, messages and events in every state");
	c = conf_for("m5.db", NULL);
	d = c != NULL ? db_open(c, 0, err, sizeof(err)) : NULL;
	if (!OK(d != NULL, "open migrates"))
		printf("#   %s\n", err);
	EQ_INT(sql_int("m5.db", "PRAGMA user_version"), db_schema_latest(),
	    "at the latest version");
	EQ_INT(fk_scans("m5.db", &checked), 0,
	    "deleting an event finds what refers to it by index");
	EQ_INT(checked, 7, "(message, feed_item, unhandled, event_attempt, "
	    "webhook_event_channel, message_edit, channel_notice)");
	EQ_INT(sql_int("m5.db", "SELECT count(*) FROM message WHERE "
	    "(id = 10 AND channel_id = 7 AND conversation_id = 1 AND "
	    "meta_message_id = 'mA' AND text = 'one' AND status = 'sent' AND "
	    "event_id = 1) OR (id = 11 AND channel_id = 8 AND "
	    "conversation_id = 2 AND meta_message_id = 'mB' AND text = 'two' "
	    "AND event_id IS NULL)"), 2,
	    "messages kept, each with its conversation's channel");
	EQ_INT(sql_int("m5.db", "SELECT group_concat(id || ':' || failures) = "
	    "'1:0,2:2,3:3,4:1,5:0' FROM (SELECT * FROM webhook_event ORDER BY "
	    "id)"), 1, "events waiting for a retry keep their schedule step");
	EQ_INT(sql_int("m5.db", "SELECT count(*) FROM pragma_foreign_key_check"),
	    0, "no foreign key broken");
	if (d != NULL) {
		memset(&m, 0, sizeof(m));
		m.conversation_id = 2;
		m.channel_id = 8;
		m.mid = "mA";
		m.direction = "out";
		m.kind = "text";
		m.status = MSG_SENT;
		m.sent_ms = 300;
		m.created_ms = 300;
		EQ_INT(db_message_insert(d, &m), 1,
		    "another channel's mid on this one: a new message");
		EQ_INT(db_message_insert(d, &m), 0, "again: the same one");
		EQ_INT(db_message_status(d, 8, "mA", MSG_READ, 400, NULL, NULL),
		    1, "a receipt on that channel");
		EQ_INT(sql_int("m5.db", "SELECT group_concat(channel_id || "
		    "status) = '7sent,8read' FROM (SELECT * FROM message WHERE "
		    "meta_message_id = 'mA' ORDER BY channel_id)"), 1,
		    "moves only that channel's message");
		EQ_INT(db_message_status(d, 9, "mA", MSG_READ, 400, NULL, NULL),
		    0, "a receipt on a channel without that mid changes nothing");
	}
	db_close(d);
	conf_free(c);
}

/*
 * Migration 13 rebuilds outbox for the new kinds: a version 12
 * database keeps its sends, their attempts and messages, the receipt
 * trigger still moves a send, and the new kinds are taken.
 */
static void
test_migration_13(void)
{
	const char	*m13 = strstr(db_schema_sql, "\n-- @migration 13");
	struct conf	*c;
	struct db	*d;
	char		*v12, *p;

	if (!OK(m13 != NULL, "migration 13 exists"))
		return;
	v12 = strndup(db_schema_sql, (size_t)(m13 - db_schema_sql));
	/* hg_sent_ms() is the program's (migration 2): no events here. */
	if (v12 != NULL && (p = strstr(v12, "hg_sent_ms(body)")) != NULL)
		memcpy(p, "           0    ", 16);
	EQ_INT(sql_exec("m13.db", v12), 0, "a version 12 database");
	free(v12);
	EQ_INT(sql_int("m13.db", "PRAGMA user_version"), 12, "at version 12");
	EQ_INT(sql_exec("m13.db",
	    "INSERT INTO channel (id, workspace_id, kind, meta_id, created_at,"
	    " updated_at) VALUES (7, 1, 'page', 'P1', 1, 1);"
	    "INSERT INTO contact (id, workspace_id, channel_id, meta_user_id,"
	    " first_seen_at, last_seen_at) VALUES (1, 1, 7, 'u', 1, 1);"
	    "INSERT INTO conversation (id, workspace_id, channel_id, contact_id,"
	    " created_at) VALUES (1, 1, 7, 1, 1);"
	    "INSERT INTO message (id, conversation_id, channel_id, direction,"
	    " text, status, sent_ms, created_ms, meta_message_id) VALUES"
	    " (10, 1, 7, 'out', 'one', 'sent', 100, 100, 'mA'),"
	    " (11, 1, 7, 'out', 'two', 'queued', 200, 200, NULL);"
	    "INSERT INTO outbox (id, workspace_id, channel_id, conversation_id,"
	    " message_id, kind, body, tag, author_kind, author_id, state,"
	    " attempts, next_attempt_ms, meta_message_id, error_code, error,"
	    " idempotency_key, created_ms, sent_ms, updated_ms) VALUES"
	    " (5, 1, 7, 1, 10, 'text', '{\"text\":\"one\"}', 'HUMAN_AGENT',"
	    " 'user', 3, 'sent', 1, 100, 'mA', NULL, NULL, 'k1', 100, 110, 110),"
	    " (6, 1, 7, 1, 11, 'template', '{\"name\":\"t\"}', NULL, 'api', NULL,"
	    " 'queued', 2, 300, NULL, '2', 'try later', NULL, 200, NULL, 250);"
	    "INSERT INTO outbox_attempt (outbox_id, attempt, at_ms, class,"
	    " http_status, code, fbtrace_id, message) VALUES"
	    " (5, 1, 110, 'ok', 200, 0, 'F1', NULL),"
	    " (6, 1, 210, 'retry', 500, 2, 'F2', 'try later');"),
	    0, "with sends, attempts and messages");
	c = conf_for("m13.db", NULL);
	d = c != NULL ? db_open(c, 0, err, sizeof(err)) : NULL;
	if (!OK(d != NULL, "open migrates"))
		printf("#   %s\n", err);
	EQ_INT(sql_int("m13.db", "PRAGMA user_version"), db_schema_latest(),
	    "at the latest version");
	EQ_INT(sql_int("m13.db", "SELECT count(*) FROM outbox WHERE (id = 5 AND"
	    " message_id = 10 AND kind = 'text' AND tag = 'HUMAN_AGENT' AND"
	    " author_kind = 'user' AND author_id = 3 AND state = 'sent' AND"
	    " attempts = 1 AND meta_message_id = 'mA' AND idempotency_key = 'k1'"
	    " AND created_ms = 100 AND sent_ms = 110 AND updated_ms = 110) OR"
	    " (id = 6 AND message_id = 11 AND kind = 'template' AND tag IS NULL"
	    " AND author_kind = 'api' AND state = 'queued' AND attempts = 2 AND"
	    " next_attempt_ms = 300 AND error_code = '2' AND"
	    " error = 'try later')"), 2, "every send kept, every column");
	EQ_INT(sql_int("m13.db", "SELECT count(*) FROM outbox_attempt WHERE"
	    " (outbox_id = 5 AND fbtrace_id = 'F1') OR (outbox_id = 6 AND"
	    " message = 'try later')"), 2, "their attempts kept");
	EQ_INT(sql_int("m13.db", "SELECT count(*) FROM sqlite_schema WHERE"
	    " type = 'index' AND name IN ('outbox_due', 'outbox_by_conversation',"
	    " 'outbox_by_message', 'outbox_by_workspace')"), 4, "the indexes");
	EQ_INT(sql_int("m13.db", "SELECT count(*) FROM sqlite_schema WHERE"
	    " type = 'trigger' AND name = 'outbox_receipt'"), 1, "the trigger");
	EQ_INT(sql_int("m13.db", "SELECT count(*) FROM pragma_foreign_key_check"),
	    0, "no foreign key broken");
	EQ_INT(sql_int("m13.db", "SELECT mark_read FROM channel WHERE id = 7"),
	    1, "channels mark as read by default");
	EQ_INT(sql_exec("m13.db", "UPDATE message SET status = 'delivered',"
	    " delivered_ms = 500 WHERE id = 10"), 0, "a receipt");
	EQ_INT(sql_int("m13.db", "SELECT state = 'delivered' AND updated_ms = 500"
	    " FROM outbox WHERE id = 5"), 1, "the trigger moves its send");
	EQ_INT(sql_exec("m13.db", "INSERT INTO outbox (workspace_id, channel_id,"
	    " conversation_id, kind, body, author_kind, next_attempt_ms,"
	    " created_ms, updated_ms) VALUES (1, 7, 1, 'attachment', '{}', 'user',"
	    " 1, 1, 1), (1, 7, 1, 'reaction', '{}', 'user', 1, 1, 1),"
	    " (1, 7, 1, 'action', '{}', 'user', 1, 1, 1)"), 0,
	    "attachments, reactions and actions are taken");
	EQ_INT(sql_exec("m13.db", "INSERT INTO outbox (workspace_id, channel_id,"
	    " conversation_id, kind, body, author_kind, next_attempt_ms,"
	    " created_ms, updated_ms) VALUES (1, 7, 1, 'poem', '{}', 'user',"
	    " 1, 1, 1)"), -1, "another kind is not");
	EQ_INT(sql_exec("m13.db", "PRAGMA foreign_keys = ON;"
	    " DELETE FROM outbox WHERE id = 6"), 0,
	    "a send deleted");
	EQ_INT(sql_int("m13.db", "SELECT count(*) FROM outbox_attempt WHERE"
	    " outbox_id = 6"), 0, "takes its attempts with it");
	db_close(d);
	conf_free(c);
}

/* Contacts and conversations: found again by their keys, written only
 * when new or changed. */
static void
test_contacts(struct db *d)
{
	long long	 ch = -1, a = -1, b = -1, u2 = -1, x = -1, v1 = -1, v2 = -1;

	EQ_INT(db_channel_add(d, "page", "PC", "Contacts", &ch), 0, "channel");
	EQ_INT(db_contact_upsert(d, 1, ch, "U1", NULL, 100, &a), 0, "new contact");
	OK(a > 0, "new contact: an id");
	EQ_INT(sql_int("main.db", "SELECT count(*) FROM contact WHERE "
	    "meta_user_id = 'U1' AND name = '' AND first_seen_at = 100 AND "
	    "last_seen_at = 100"), 1, "new contact: no name, seen at 100");
	EQ_INT(db_contact_upsert(d, 1, ch, "U1", "Ana", 90, &b), 0, "again");
	EQ_INT(b, a, "again: the same id");
	EQ_INT(sql_int("main.db", "SELECT count(*) FROM contact WHERE "
	    "id = (SELECT max(id) FROM contact) AND name = 'Ana' AND "
	    "first_seen_at = 100 AND last_seen_at = 100"), 1,
	    "a name is taken; an older time does not lower last_seen_at");
	EQ_INT(db_contact_upsert(d, 1, ch, "U1", "", 200, &b), 0, "later");
	EQ_INT(sql_int("main.db", "SELECT last_seen_at FROM contact WHERE "
	    "meta_user_id = 'U1'"), 200, "a later time raises last_seen_at");
	EQ_INT(sql_int("main.db", "SELECT count(*) FROM contact WHERE "
	    "meta_user_id = 'U1' AND name = 'Ana'"), 1,
	    "an empty name keeps the known one");
	EQ_INT(db_contact_upsert(d, 1, ch, "U2", "Bo", 300, &u2), 0, "another");
	OK(u2 != a, "another contact: another id");
	EQ_INT(db_contact_upsert(d, 1, 999999, "U3", NULL, 300, &x), -1,
	    "an unknown channel is refused (foreign key)");

	EQ_INT(db_conversation_upsert(d, 1, ch, a, 1000, &v1), 0,
	    "new conversation");
	OK(v1 > 0, "new conversation: an id");
	EQ_INT(db_conversation_upsert(d, 1, ch, a, 2000, &v2), 0, "again");
	EQ_INT(v2, v1, "again: the same id");
	EQ_INT(sql_int("main.db", "SELECT created_at FROM conversation WHERE "
	    "id = (SELECT min(id) FROM conversation WHERE created_at >= 1000)"),
	    1000, "created_at stays the first");
	EQ_INT(db_conversation_upsert(d, 1, ch, u2, 3000, &v2), 0,
	    "with another contact");
	EQ_INT(sql_int("main.db", "SELECT count(*) FROM conversation WHERE "
	    "created_at IN (1000, 3000)"), 2, "two conversations");
	OK(v2 != v1, "another contact: another conversation");
}

int
main(void)
{
	const char	*base = getenv("HUBGATE_TEST_TMP");
	struct conf	*c;
	struct db	*d;
	char		 cmd[600];

	db_set_event_time(envelope_sent_ms);
	snprintf(dir, sizeof(dir), "%s/hg-db-XXXXXX",
	    base != NULL ? base : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	test_open();
	test_concurrent_open();
	test_migration_2();
	test_migration_3();
	test_migration_5();
	test_migration_13();

	c = conf_for("main.db", NULL);
	d = c != NULL ? db_open(c, 0, err, sizeof(err)) : NULL;
	if (OK(d != NULL, "open the main database")) {
		test_channels(d);
		EQ_INT(sql_int("main.db", "SELECT last_event_at FROM channel "
		    "WHERE meta_id = 'P1' AND kind = 'page'"), 3500,
		    "a touch undone by a savepoint is not remembered");
		test_events(d, "main.db");
		test_counters(d);
		test_contacts(d);
	}
	db_close(d);
	conf_free(c);
	test_busy();

	/* Remove the directory (names are ours, no shell needed). */
	{
		static const char *const files[] = {
			"a.db", "n.db", "main.db", "busy.db", "race0.db",
			"race1.db", "race2.db", "race3.db", "m.db", "m3.db",
			"m5.db", NULL
		};
		static const char *const sfx[] = { "", "-wal", "-shm", NULL };
		size_t i, j;

		for (i = 0; files[i] != NULL; i++)
			for (j = 0; sfx[j] != NULL; j++) {
				snprintf(cmd, sizeof(cmd), "%s/%s%s", dir,
				    files[i], sfx[j]);
				unlink(cmd);
			}
		rmdir(dir);
	}
	return test_done();
}
