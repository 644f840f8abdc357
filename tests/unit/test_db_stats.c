/*
 * Unit tests for the summaries (schema.sql's migration 7 triggers and
 * lib/store/db_stats): after every state change, routing change,
 * deletion, channel deletion and channel move, event_stat equals a
 * GROUP BY over webhook_event and event_latency the processed events'
 * latencies; a database populated before migration 7 gets them on
 * migrating; the readers scope by workspace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "clock.h"
#include "conf.h"
#include "db.h"
#include "db_channel.h"
#include "db_event.h"
#include "db_queue.h"
#include "db_stats.h"
#include "limits.h"
#include "queue.h"
#include "test.h"

extern const char db_schema_sql[];

static char	 dir[512];
static char	 err[1024];

/* Rows of event_stat that differ from a GROUP BY over webhook_event. */
#define STAT_DIFF "SELECT count(*) FROM (SELECT * FROM (SELECT workspace_id, " \
	"hour, object, routing, state, n FROM event_stat WHERE n <> 0 EXCEPT " \
	"SELECT coalesce(c.workspace_id, 0), e.received_ms / 3600000, " \
	"coalesce(e.object, ''), e.routing, e.state, count(*) FROM " \
	"webhook_event e LEFT JOIN channel c ON c.id = e.channel_id " \
	"GROUP BY 1, 2, 3, 4, 5) UNION ALL SELECT * FROM (" \
	"SELECT coalesce(c.workspace_id, 0), e.received_ms / 3600000, " \
	"coalesce(e.object, ''), e.routing, e.state, count(*) FROM " \
	"webhook_event e LEFT JOIN channel c ON c.id = e.channel_id " \
	"GROUP BY 1, 2, 3, 4, 5 EXCEPT SELECT workspace_id, hour, object, " \
	"routing, state, n FROM event_stat WHERE n <> 0))"
/* The same for event_total (every hour at once). */
#define TOTAL_OF "SELECT coalesce(c.workspace_id, 0), coalesce(e.object, ''), " \
	"e.routing, e.state, count(*) FROM webhook_event e LEFT JOIN channel c " \
	"ON c.id = e.channel_id GROUP BY 1, 2, 3, 4"
#define TOTAL_DIFF "SELECT count(*) FROM (SELECT * FROM (SELECT workspace_id, " \
	"object, routing, state, n FROM event_total WHERE n <> 0 EXCEPT " \
	TOTAL_OF ") UNION ALL SELECT * FROM (" TOTAL_OF " EXCEPT SELECT " \
	"workspace_id, object, routing, state, n FROM event_total WHERE n <> 0))"
/* The same for event_latency and the processed events (equal while no
 * processed event was deleted or processed twice). */
#define LAT_OF "SELECT coalesce(c.workspace_id, 0), e.processed_ms / 3600000, " \
	"(SELECT bucket FROM latency_bucket WHERE le_ms >= " \
	"e.processed_ms - e.received_ms ORDER BY le_ms LIMIT 1), " \
	"count(*), sum(e.processed_ms - e.received_ms) FROM webhook_event e " \
	"LEFT JOIN channel c ON c.id = e.channel_id WHERE e.state = " \
	"'processed' GROUP BY 1, 2, 3"
#define LAT_DIFF "SELECT count(*) FROM (SELECT * FROM (SELECT workspace_id, " \
	"hour, bucket, n, sum_ms FROM event_latency WHERE n <> 0 EXCEPT " \
	LAT_OF ") UNION ALL SELECT * FROM (" LAT_OF " EXCEPT SELECT " \
	"workspace_id, hour, bucket, n, sum_ms FROM event_latency WHERE n <> 0))"

static struct conf *
conf_for(const char *name)
{
	char		 text[1024];
	struct conf	*c;

	snprintf(text, sizeof(text), "db_path = %s/%s\n", dir, name);
	if ((c = conf_load_string(text, "t.conf", err, sizeof(err))) == NULL)
		printf("#   conf: %s\n", err);
	return c;
}

/* A direct connection to dir/name, foreign keys on. */
static sqlite3 *
raw(const char *name)
{
	sqlite3	*h;
	char	 path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (sqlite3_open(path, &h) != SQLITE_OK)
		return NULL;
	sqlite3_busy_timeout(h, 5000);
	sqlite3_exec(h, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return h;
}

static long long
q(sqlite3 *h, const char *sql)
{
	sqlite3_stmt	*st;
	long long	 v = -1;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("#   %s: %s\n", sql, sqlite3_errmsg(h));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
x(sqlite3 *h, const char *sql)
{
	char *e = NULL;

	if (sqlite3_exec(h, sql, NULL, NULL, &e) != SQLITE_OK) {
		printf("#   %s: %s\n", sql, e != NULL ? e : "?");
		sqlite3_free(e);
		return -1;
	}
	return 0;
}

/* Store an event; its id, or -1. */
static long long
put(struct db *d, int i, const char *object, long long ms,
    enum event_state state, long long chan)
{
	struct db_event	 e;
	char		 sha[65];
	long long	 id = -1;

	memset(&e, 0, sizeof(e));
	snprintf(sha, sizeof(sha), "%064d", i);
	e.body = "{}";
	e.len = 2;
	e.sha256 = sha;
	e.signature = "sha256=0";
	e.received_ms = ms;
	e.sent_ms = i;
	e.object = object;
	e.entry_ids = "[]";
	e.phone_ids = "[]";
	e.routing = chan > 0 ? ROUTING_ROUTED : ROUTING_UNROUTED;
	e.channel_id = chan;
	e.state = state;
	return db_event_insert(d, &e, &id) == 1 ? id : -1;
}

/* Both summaries agree with the events. */
static void
check(sqlite3 *h, const char *what, int latency)
{
	char name[160];

	snprintf(name, sizeof(name), "event_stat = GROUP BY: %s", what);
	EQ_INT(q(h, STAT_DIFF), 0, name);
	snprintf(name, sizeof(name), "event_total = GROUP BY: %s", what);
	EQ_INT(q(h, TOTAL_DIFF), 0, name);
	if (!latency)
		return;
	snprintf(name, sizeof(name), "event_latency = processed: %s", what);
	EQ_INT(q(h, LAT_DIFF), 0, name);
}

/* What sum_row adds up. */
struct sums {
	long long	 n, state[EVENT_STATE__MAX], platform[PLATFORM__MAX];
};

static void
sum_row(void *arg, const struct db_stat_row *r)
{
	struct sums *s = arg;

	s->n += r->n;
	s->state[r->state] += r->n;
	s->platform[r->platform] += r->n;
}

static void
test_triggers(void)
{
	struct db_stats_scope	 ws1 = { .workspace = 1 };
	struct db_stats_scope	 op1 = { .workspace = 1, .unowned = 1 };
	struct db_stats_scope	 ws2 = { .workspace = 2 };
	struct db_stats_scope	 all = { .all = 1 };
	struct conf		*c = conf_for("t.db");
	struct db		*d = c != NULL ? db_open(c, 0, err, sizeof(err)) : NULL;
	struct sums		 s;
	sqlite3			*h = raw("t.db");
	long long		 p1, p2, w1, ids[8], got[8], n, cnt;
	long long		 lat[DB_LATENCY_BUCKETS];
	long long		 now = clock_ms(), t0 = now - 3 * DB_HOUR_MS, v;
	int			 fails[8], k, i;

	if (!OK(d != NULL && h != NULL, "open"))
		goto out;
	OK(db_channel_add(d, "page", "1001", "Bakery", &p1) == 0 &&
	    db_channel_add(d, "instagram", "2001", "Bakery IG", &p2) == 0,
	    "two channels of workspace 1");
	x(h, "INSERT INTO workspace (id, name, created_at) VALUES (2, 'Other', 0)");
	x(h, "INSERT INTO channel (id, workspace_id, kind, meta_id, name, "
	    "created_at, updated_at) VALUES (50, 2, 'whatsapp', '3001', 'W', 0, 0)");
	w1 = 50;
	/* Stored in several hours, states, objects and workspaces. */
	k = 0;
	ids[0] = put(d, ++k, "page", t0, EVENT_PENDING, p1);
	ids[1] = put(d, ++k, "page", t0 + 10, EVENT_PENDING, p1);
	ids[2] = put(d, ++k, "instagram", t0 + DB_HOUR_MS, EVENT_PROCESSED, p2);
	ids[3] = put(d, ++k, "whatsapp_business_account", t0 + DB_HOUR_MS,
	    EVENT_PROCESSED, w1);
	ids[4] = put(d, ++k, NULL, t0 + 2 * DB_HOUR_MS, EVENT_INVALID, 0);
	ids[5] = put(d, ++k, "page", t0 + 2 * DB_HOUR_MS, EVENT_PENDING, 0);
	ids[6] = put(d, ++k, "user", t0 + 3 * DB_HOUR_MS, EVENT_PENDING, p1);
	OK(ids[0] > 0 && ids[6] > 0, "seven events stored");
	EQ_INT(put(d, 1, "page", t0, EVENT_PENDING, p1), -1,
	    "a duplicate is not stored");
	check(h, "inserts (two already processed)", 1);
	EQ_INT(q(h, "SELECT sum(n) FROM event_latency"), 2,
	    "events stored processed count in the latency");

	/* pending -> processing -> processed, failed, dead letter */
	OK(db_begin(d) == 0 && db_queue_claim(d, "tok", now, 60000, 8, got,
	    fails, &i) == 0 && db_commit(d) == 0, "claim");
	EQ_INT(i, 4, "the four pending events are claimed");
	check(h, "claimed", 1);
	EQ_INT(db_event_done(d, ids[0], "tok", now), 1, "done");
	check(h, "processed", 1);
	EQ_INT(db_event_fail(d, ids[1], "tok", EVENT_FAILED, now + 1000,
	    "boom", now), 1, "failed");
	check(h, "failed", 1);
	EQ_INT(db_event_fail(d, ids[6], "tok",
	    EVENT_DEAD_LETTER, 0, "gone", now), 1, "dead letter");
	check(h, "dead letter", 1);
	OK(db_stats_counter_since(d, DB_COUNTER_DEAD, now / DB_HOUR_MS - 1,
	    &v) == 0 && v == 1, "the dead letter is counted in its hour");
	OK(db_stats_counter_since(d, DB_COUNTER_FAILURES, 0, &v) == 0 &&
	    v == 2, "two failures counted by the hour");
	OK(db_stats_counter_since(d, DB_COUNTER_ATTEMPTS, 0, &v) == 0 &&
	    v == 4, "four attempts counted by the hour");
	EQ_INT(db_event_fail(d, ids[2], "tok", EVENT_FAILED, 0, "late",
	    now), 0, "a fenced result changes nothing");
	check(h, "fenced", 1);
	/* Stored processed, processing failed in that transaction. */
	OK(db_begin(d) == 0, "begin");
	n = put(d, ++k, "page", now, EVENT_PROCESSED, p1);
	OK(n > 0 && db_event_unprocessed(d, n, "rolled back") == 0 &&
	    db_commit(d) == 0, "stored processed, then made pending");
	check(h, "unprocessed", 1);
	/* Routing and channel changes, requeue, delete. */
	x(h, "UPDATE webhook_event SET routing = 'routed', channel_id = 1 "
	    "WHERE id = (SELECT max(id) FROM webhook_event WHERE object = 'page' "
	    "AND channel_id IS NULL)");
	check(h, "routed later", 1);
	OK(db_requeue(d, 0, 1, 0, 0, &cnt) == 0 && cnt == 1,
	    "requeue the dead letter");
	check(h, "requeued", 1);
	OK(db_prune(d, t0 + DB_HOUR_MS, 100, &cnt) == 0 && cnt == 1,
	    "prune the processed events of the first hour");
	check(h, "pruned", 0);
	/* A processed event in workspace 2, then its channel moves. */
	x(h, "UPDATE webhook_event SET state = 'failed' WHERE channel_id = 50");
	x(h, "UPDATE webhook_event SET state = 'processed', processed_ms = "
	    "received_ms + 75 WHERE channel_id = 50");
	EQ_INT(q(h, "SELECT sum(n) FROM event_latency WHERE workspace_id = 2 "
	    "AND bucket = 2"), 1, "processed again after 75 ms: bucket 2");
	x(h, "UPDATE channel SET workspace_id = 1 WHERE id = 50");
	check(h, "channel moved", 0);
	EQ_INT(q(h, "SELECT coalesce(sum(n), 0) FROM event_latency WHERE "
	    "workspace_id = 2 AND bucket = 2"), 0,
	    "its stored processing's latency moved too");
	EQ_INT(q(h, "SELECT coalesce(sum(n), 0) FROM event_latency WHERE "
	    "workspace_id = 1 AND bucket = 2"), 1, "... to workspace 1");
	x(h, "UPDATE channel SET workspace_id = 2 WHERE id = 50");
	check(h, "channel moved back", 0);

	/* Readers, scoped. */
	memset(&s, 0, sizeof(s));
	OK(db_stats_each(d, &ws1, 0, HG_HOUR_MAX, sum_row, &s) == 0,
	    "db_stats_each");
	EQ_INT(s.n, q(h, "SELECT count(*) FROM webhook_event e JOIN channel c "
	    "ON c.id = e.channel_id WHERE c.workspace_id = 1"),
	    "workspace 1 counts its channels' events");
	memset(&s, 0, sizeof(s));
	db_stats_each(d, &op1, 0, HG_HOUR_MAX, sum_row, &s);
	EQ_INT(s.n, q(h, "SELECT count(*) FROM webhook_event e LEFT JOIN "
	    "channel c ON c.id = e.channel_id WHERE coalesce(c.workspace_id, 0) "
	    "IN (0, 1)"), "an operator's scope adds the events of no channel");
	EQ_INT(s.state[EVENT_INVALID], 1, "the invalid event");
	EQ_INT(s.platform[PLATFORM_OTHER], 2, "object NULL and 'user' are other");
	memset(&s, 0, sizeof(s));
	db_stats_each(d, &ws2, 0, HG_HOUR_MAX, sum_row, &s);
	EQ_INT(s.n, 1, "workspace 2 sees its one event");
	EQ_INT(s.platform[PLATFORM_WHATSAPP], 1, "... a WhatsApp one");
	memset(&s, 0, sizeof(s));
	db_stats_each(d, &all, 0, HG_HOUR_MAX, sum_row, &s);
	EQ_INT(s.n, q(h, "SELECT count(*) FROM webhook_event"), "all: every event");
	memset(&s, 0, sizeof(s));
	db_stats_each(d, &all, t0 / DB_HOUR_MS + 1, t0 / DB_HOUR_MS + 2,
	    sum_row, &s);
	EQ_INT(s.n, q(h, "SELECT count(*) FROM webhook_event WHERE "
	    "received_ms / 3600000 = " "(SELECT min(received_ms) / 3600000 + 1 "
	    "FROM webhook_event)"), "an hour range");
	OK(db_stats_latency(d, &ws2, 0, HG_HOUR_MAX, lat, &v) == 0 &&
	    lat[0] == 1 && lat[2] == 1 && v == 75,
	    "latency of workspace 2: each processing (0 and 75 ms)");
	OK(db_stats_oldest(d, &ws1, EVENT_PENDING, &v) == 0 &&
	    v == t0 + 3 * DB_HOUR_MS,
	    "the oldest pending of workspace 1");
	OK(db_stats_oldest(d, &ws2, EVENT_PENDING, &v) == 0 && v == 0,
	    "none pending in workspace 2");

	/* A deleted channel's events go to the no-workspace bucket. */
	x(h, "DELETE FROM channel WHERE id = 50");
	check(h, "channel deleted", 0);
	EQ_INT(q(h, "SELECT coalesce(sum(n), 0) FROM event_stat WHERE "
	    "workspace_id = 2"), 0, "nothing left in workspace 2");

	/* Rebuild after damage. */
	x(h, "UPDATE event_stat SET n = n + 5; DELETE FROM event_latency; "
	    "UPDATE event_total SET n = n + 1");
	OK(q(h, STAT_DIFF) > 0, "damaged");
	EQ_INT(db_stats_rebuild(d), 0, "rebuild");
	check(h, "rebuilt", 1);

	/* Counters by the hour. */
	OK(db_counter_add(d, "webhook.bad_signature", 3) == 0 &&
	    db_counter_add(d, "webhook.bad_signature", 2) == 0, "count");
	OK(db_stats_counter_since(d, "webhook.bad_signature",
	    clock_ms() / DB_HOUR_MS, &v) == 0 && v == 5, "5 this hour");
	OK(db_stats_counter_since(d, "webhook.bad_signature",
	    clock_ms() / DB_HOUR_MS + 1, &v) == 0 && v == 0, "none later");
out:
	sqlite3_close(h);
	db_close(d);
	conf_free(c);
}

/* The latency buckets of the triggers are db_latency_le_ms's. */
static void
test_bounds(void)
{
	struct conf	*c = conf_for("b.db");
	struct db	*d = c != NULL ? db_open(c, 0, err, sizeof(err)) : NULL;
	struct db_stats_scope all = { .all = 1 };
	sqlite3		*h = raw("b.db");
	long long	 lat[DB_LATENCY_BUCKETS], want[DB_LATENCY_BUCKETS];
	char		 sql[512];
	int		 i, ok = 1;

	if (!OK(d != NULL && h != NULL, "open"))
		goto out;
	memset(want, 0, sizeof(want));
	for (i = 0; i < DB_LATENCY_BOUNDS; i++) {
		/* At the bound: its bucket; one more: the next. */
		snprintf(sql, sizeof(sql), "INSERT INTO webhook_event (received_ms, "
		    "sent_ms, body, body_sha256, signature, state, processed_ms) "
		    "VALUES (1000, %d, x'00', 'h', 's', 'processed', %lld), "
		    "(1000, %d, x'00', 'h', 's', 'processed', %lld)", 2 * i,
		    1000 + db_latency_le_ms[i], 2 * i + 1,
		    1001 + db_latency_le_ms[i]);
		if (x(h, sql) == -1)
			ok = 0;
		want[i]++;
		want[i + 1]++;
	}
	OK(ok, "events at and past each bound");
	OK(db_stats_latency(d, &all, 0, HG_HOUR_MAX, lat, NULL) == 0, "read");
	for (i = 0; i < DB_LATENCY_BUCKETS; i++)
		if (lat[i] != want[i]) {
			printf("#   bucket %d: %lld, want %lld\n", i, lat[i],
			    want[i]);
			ok = 0;
		}
	OK(ok, "the triggers' buckets are db_latency_le_ms's");
	check(h, "bounds", 1);
out:
	sqlite3_close(h);
	db_close(d);
	conf_free(c);
}

static void
fn_sent_ms(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_int64(cx, 0);
}

/* A database of schema 6 with events gets the summaries on migrating. */
static void
test_migration(void)
{
	struct conf	*c = conf_for("m.db");
	struct db	*d = NULL;
	sqlite3		*h = raw("m.db");
	const char	*m7 = strstr(db_schema_sql, "\n-- @migration 7");
	char		*upto6 = NULL;

	if (!OK(h != NULL && m7 != NULL, "a raw database and migration 7"))
		goto out;
	upto6 = strndup(db_schema_sql, (size_t)(m7 - db_schema_sql));
	sqlite3_create_function(h, "hg_sent_ms", 1, SQLITE_UTF8, NULL,
	    fn_sent_ms, NULL, NULL);
	OK(upto6 != NULL && x(h, upto6) == 0 &&
	    q(h, "PRAGMA user_version") == 6, "schema 6");
	OK(x(h, "INSERT INTO channel (id, workspace_id, kind, meta_id, "
	    "created_at, updated_at) VALUES (7, 1, 'page', '1', 0, 0);"
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	    "WHERE i < 500) INSERT INTO webhook_event (received_ms, sent_ms, "
	    "body, body_sha256, signature, object, routing, state, "
	    "processed_ms, channel_id) SELECT 1764000000000 + i * 60000, i, "
	    "x'00', 'h', 's', CASE i % 3 WHEN 0 THEN 'page' WHEN 1 THEN "
	    "'instagram' END, CASE WHEN i % 4 = 0 THEN 'unrouted' ELSE "
	    "'routed' END, CASE i % 5 WHEN 0 THEN 'failed' WHEN 1 THEN "
	    "'dead_letter' ELSE 'processed' END, 1764000000000 + i * 60000 + "
	    "i * 37, CASE WHEN i % 4 = 0 THEN NULL ELSE 7 END FROM n") == 0,
	    "500 events of schema 6");
	sqlite3_close(h);
	h = NULL;
	d = c != NULL ? db_open(c, 0, err, sizeof(err)) : NULL;
	if (!OK(d != NULL, "migrate"))
		printf("#   %s\n", err);
	h = raw("m.db");
	EQ_INT(q(h, "PRAGMA user_version"), db_schema_latest(), "migrated");
	EQ_INT(q(h, "SELECT sum(n) FROM event_stat"), 500, "every event counted");
	check(h, "migrated", 1);
out:
	free(upto6);
	sqlite3_close(h);
	db_close(d);
	conf_free(c);
}

/* What unh_one gathers. */
struct unh {
	int		 n;
	long long	 sample[4];
};

static void
unh_one(void *arg, const struct db_unhandled *u)
{
	struct unh *s = arg;

	if (s->n < 4)
		s->sample[s->n] = u->sample_event_id;
	s->n++;
}

/* A sample event is shown only to whom may see it. */
static void
test_unhandled(void)
{
	struct db_stats_scope	 ws1 = { .workspace = 1 };
	struct db_stats_scope	 op1 = { .workspace = 1, .unowned = 1 };
	struct db_stats_scope	 ws2 = { .workspace = 2 };
	struct conf		*c = conf_for("u.db");
	struct db		*d = c != NULL ? db_open(c, 0, err, sizeof(err)) : NULL;
	sqlite3			*h = raw("u.db");
	struct unh		 s;
	long long		 chan, e1, e2;

	if (!OK(d != NULL && h != NULL, "open"))
		goto out;
	db_channel_add(d, "page", "1", "P", &chan);
	e1 = put(d, 1, "page", 1000, EVENT_PROCESSED, chan);
	e2 = put(d, 2, "page", 2000, EVENT_PROCESSED, 0);
	x(h, "INSERT INTO workspace (id, name, created_at) VALUES (2, 'O', 0)");
	{
		char sql[300];

		snprintf(sql, sizeof(sql), "INSERT INTO unhandled (object, type, "
		    "count, first_seen_at, last_seen_at, sample_event_id) VALUES "
		    "('page', 'a', 1, 1, 10, %lld), ('page', 'b', 2, 1, 5, %lld)",
		    e1, e2);
		x(h, sql);
	}
	memset(&s, 0, sizeof(s));
	OK(db_stats_unhandled(d, &ws1, unh_one, &s) == 0 && s.n == 2,
	    "two kinds");
	EQ_INT(s.sample[0], e1, "most recent first, its sample visible");
	EQ_INT(s.sample[1], 0, "an event of no channel: not for an agent");
	memset(&s, 0, sizeof(s));
	db_stats_unhandled(d, &op1, unh_one, &s);
	EQ_INT(s.sample[1], e2, "an operator sees it");
	memset(&s, 0, sizeof(s));
	db_stats_unhandled(d, &ws2, unh_one, &s);
	OK(s.n == 2 && s.sample[0] == 0 && s.sample[1] == 0,
	    "another workspace sees the kinds but no sample");
	OK(db_stats_unhandled_kinds(d, &e1) == 0 && e1 == 2, "kinds: 2");
out:
	sqlite3_close(h);
	db_close(d);
	conf_free(c);
}

static void
test_platforms(void)
{
	EQ_INT(event_platform_of("page"), PLATFORM_MESSENGER, "page");
	EQ_INT(event_platform_of("instagram"), PLATFORM_INSTAGRAM, "instagram");
	EQ_INT(event_platform_of("whatsapp_business_account"),
	    PLATFORM_WHATSAPP, "whatsapp");
	EQ_INT(event_platform_of(NULL), PLATFORM_OTHER, "none: other");
	EQ_INT(event_platform_of("permissions"), PLATFORM_OTHER, "other");
	EQ_STR(event_platform_names[PLATFORM_OTHER], "other", "names");
	EQ_INT(event_platform_of_kind("page"), PLATFORM_MESSENGER, "kind page");
	EQ_INT(event_platform_of_kind("whatsapp"), PLATFORM_WHATSAPP,
	    "kind whatsapp");
	EQ_INT(event_platform_of_kind("instagram"), PLATFORM_INSTAGRAM,
	    "kind instagram");
	EQ_INT(event_platform_of_kind("email"), PLATFORM_OTHER, "kind other");
	EQ_STR(event_platform_objects[PLATFORM_WHATSAPP],
	    "whatsapp_business_account", "a platform's object");
}

/* Replaying and re-routing keep processed_ms: the latency summary
 * counts each processing and never goes back (/metrics' histogram is a
 * counter). */
static void
test_replay_latency(void)
{
	struct conf	*c = conf_for("r.db");
	struct db	*d = c != NULL ? db_open(c, 0, err, sizeof(err)) : NULL;
	sqlite3		*h = raw("r.db");
	struct db_scope	 sc = { 1, 1 };
	long long	 p1, ev, un, now = clock_ms(), got[4], count, done, n;
	int		 fails[4], i;

	if (!OK(d != NULL && h != NULL, "open"))
		goto out;
	OK(db_channel_add(d, "page", "1001", "Bakery", &p1) == 0, "a channel");
	ev = put(d, 1, "page", now - 5000, EVENT_PROCESSED, p1);
	un = put(d, 2, "page", now - 4000, EVENT_PROCESSED, 0);
	x(h, "UPDATE webhook_event SET entry_ids = '[\"2002\"]' WHERE "
	    "channel_id IS NULL");
	EQ_INT(q(h, "SELECT sum(n) FROM event_latency"), 2, "two processings");
	OK(db_begin(d) == 0 && db_event_replay(d, &sc, now - 6000, now - 4500,
	    1, &count, &done) == 0 && db_commit(d) == 0 && done == 1,
	    "replay the first");
	EQ_INT(q(h, "SELECT sum(n) FROM event_latency"), 2,
	    "replayed: the latency summary does not go back");
	EQ_INT(q(h, "SELECT count(*) FROM webhook_event WHERE state = "
	    "'pending' AND processed_ms IS NOT NULL"), 1,
	    "pending again, its last processing's end kept");
	OK(db_begin(d) == 0 && db_channel_connect(d, 1, "page", "2002", "Two",
	    &n, &count) == 1 && db_commit(d) == 0 && count == 1,
	    "connecting its account re-routes the unrouted one");
	EQ_INT(q(h, "SELECT sum(n) FROM event_latency"), 2,
	    "re-routed: the latency summary does not go back");
	check(h, "replayed and re-routed", 0);
	OK(db_begin(d) == 0 && db_queue_claim(d, "t", now, 60000, 4, got,
	    fails, &i) == 0 && db_commit(d) == 0 && i == 2, "claim both");
	OK(db_event_done(d, ev, "t", now) == 1 &&
	    db_event_done(d, un, "t", now) == 1, "processed again");
	EQ_INT(q(h, "SELECT sum(n) FROM event_latency"), 4,
	    "each new processing counts");
out:
	sqlite3_close(h);
	db_close(d);
	conf_free(c);
}

/* Dead letters are stamped with the hour of the clock that made them;
 * the prune step drops summary rows that count nothing and hourly
 * counters older than HG_COUNTER_HOURS_KEEP hours. */
static void
test_dead_stamp_and_prune(void)
{
	struct conf	*c = conf_for("p.db");
	struct db	*d = c != NULL ? db_open(c, 0, err, sizeof(err)) : NULL;
	sqlite3		*h = raw("p.db");
	long long	 p1, a, b, got[4], n, h100 = 100 * DB_HOUR_MS;
	int		 fails[4], i;

	if (!OK(d != NULL && h != NULL, "open"))
		goto out;
	OK(db_channel_add(d, "page", "1001", "Bakery", &p1) == 0, "a channel");
	a = put(d, 1, "page", h100 - 5000, EVENT_PENDING, p1);
	b = put(d, 2, "page", h100 - 4000, EVENT_PENDING, p1);
	OK(a > 0 && b > 0, "two events");
	OK(db_begin(d) == 0 && db_queue_claim(d, "t", h100, 1000, 4, got,
	    fails, &i) == 0 && db_commit(d) == 0 && i == 2, "claim both");
	EQ_INT(db_event_fail(d, a, "t", EVENT_DEAD_LETTER, 0, "gone",
	    h100 + 10), 1, "a dead letter in hour 100");
	OK(db_begin(d) == 0 && db_queue_abandon(d, h100 + DB_HOUR_MS, 1,
	    &n) == 0 && db_commit(d) == 0 && n == 1,
	    "the other abandoned in hour 101");
	EQ_INT(q(h, "SELECT value FROM counter_hourly WHERE name = "
	    "'events.dead_letter' AND hour = 100"), 1,
	    "the first counted in its writer's hour (100)");
	EQ_INT(q(h, "SELECT value FROM counter_hourly WHERE name = "
	    "'events.dead_letter' AND hour = 101"), 1,
	    "the abandoned one in 101");
	x(h, "DELETE FROM webhook_event WHERE id = (SELECT min(id) FROM "
	    "webhook_event)");
	OK(q(h, "SELECT count(*) FROM event_stat WHERE n = 0") > 0 &&
	    q(h, "SELECT count(*) FROM event_total WHERE n = 0") > 0,
	    "a deleted event leaves rows that count nothing");
	OK(queue_prune_stats(d, (101 + HG_COUNTER_HOURS_KEEP) * DB_HOUR_MS, 1,
	    60000, &n) == 0 && n >= 3, "prune, one row a batch");
	EQ_INT(q(h, "SELECT count(*) FROM event_stat WHERE n = 0") +
	    q(h, "SELECT count(*) FROM event_total WHERE n = 0") +
	    q(h, "SELECT count(*) FROM event_latency WHERE n = 0"), 0,
	    "no empty summary row left");
	EQ_INT(q(h, "SELECT count(*) FROM counter_hourly WHERE hour = 100"), 0,
	    "hour 100's counters pruned (older than the window)");
	EQ_INT(q(h, "SELECT count(*) FROM counter_hourly WHERE hour = 101 "
	    "AND name = 'events.dead_letter'"), 1, "hour 101's kept");
	check(h, "pruned", 0);
out:
	sqlite3_close(h);
	db_close(d);
	conf_free(c);
}

int
main(void)
{
	static const char *const dbs[] = { "t.db", "b.db", "m.db", "u.db",
	    "r.db", "p.db" };
	char	 path[600];
	size_t	 i;
	int	 rc;

	snprintf(dir, sizeof(dir), "/tmp/hubgate-stats.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		printf("not ok 1 - mkdtemp\n");
		return 1;
	}
	test_platforms();
	test_triggers();
	test_bounds();
	test_migration();
	test_unhandled();
	test_replay_latency();
	test_dead_stamp_and_prune();
	rc = test_done();
	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, dbs[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s-wal", dir, dbs[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s-shm", dir, dbs[i]);
		unlink(path);
	}
	rmdir(dir);
	return rc;
}
