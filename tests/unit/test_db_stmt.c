/*
 * Every statement of lib/db's table prepares against the schema the
 * build applies, and the statements that unauthenticated or hot paths
 * run find their rows through an index: none scans webhook_event,
 * whose size grows with retention.  The names of the C enums are the
 * values the schema's CHECKs accept, and the SQL rank of a message
 * status is its enum's.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "conf.h"
#include "db.h"
#include "db_int.h"
#include "test.h"

static char	 dir[512];
static char	 err[1024];

/* 1 when the query plan of st scans a table named table (alone or as
 * an alias of it), 0 when not, -1 on error. */
static int
scans(struct db *d, sqlite3_stmt *st, const char *table)
{
	sqlite3_stmt	*eqp;
	char		 sql[8192];
	const char	*detail;
	int		 found = 0;

	snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", sqlite3_sql(st));
	if (sqlite3_prepare_v2(d->h, sql, -1, &eqp, NULL) != SQLITE_OK) {
		printf("#   %s\n", sqlite3_errmsg(d->h));
		return -1;
	}
	while (sqlite3_step(eqp) == SQLITE_ROW) {
		detail = (const char *)sqlite3_column_text(eqp, 3);
		if (detail != NULL && strncmp(detail, "SCAN ", 5) == 0 &&
		    (strncmp(detail + 5, table, strlen(table)) == 0 ||
		    strncmp(detail + 5, "e ", 2) == 0 ||
		    strcmp(detail + 5, "e") == 0)) {
			printf("#   %s\n", detail);
			found = 1;
		}
	}
	sqlite3_finalize(eqp);
	return found;
}

/* 1 when the query plan of st scans what alias names (exactly), 0
 * when not, -1 on error. */
static int
scans_alias(struct db *d, sqlite3_stmt *st, const char *alias)
{
	sqlite3_stmt	*eqp;
	char		 sql[8192];
	const char	*detail;
	size_t		 n = strlen(alias);
	int		 found = 0;

	snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", sqlite3_sql(st));
	if (sqlite3_prepare_v2(d->h, sql, -1, &eqp, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(eqp) == SQLITE_ROW) {
		detail = (const char *)sqlite3_column_text(eqp, 3);
		if (detail != NULL && strncmp(detail, "SCAN ", 5) == 0 &&
		    strncmp(detail + 5, alias, n) == 0 &&
		    (detail[5 + n] == '\0' || detail[5 + n] == ' ')) {
			printf("#   %s\n", detail);
			found = 1;
		}
	}
	sqlite3_finalize(eqp);
	return found;
}

/* 1 when the query plan of st sorts its result (a temporary B-tree for
 * ORDER BY), 0 when not, -1 on error. */
static int
sorts(struct db *d, sqlite3_stmt *st)
{
	sqlite3_stmt	*eqp;
	char		 sql[8192];
	const char	*detail;
	int		 found = 0;

	snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", sqlite3_sql(st));
	if (sqlite3_prepare_v2(d->h, sql, -1, &eqp, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(eqp) == SQLITE_ROW) {
		detail = (const char *)sqlite3_column_text(eqp, 3);
		if (detail != NULL && strstr(detail, "TEMP B-TREE FOR ORDER BY")
		    != NULL) {
			printf("#   %s\n", detail);
			found = 1;
		}
	}
	sqlite3_finalize(eqp);
	return found;
}

/* One integer from SQL run on d, or -1 (also on a refused statement). */
static long long
one(struct db *d, const char *sql)
{
	sqlite3_stmt	*st;
	long long	 v = -1;
	int		 rc;

	if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		v = 0;
	sqlite3_finalize(st);
	return v;
}

static void
test_msg_status(struct db *d)
{
	char	 sql[512], name[96];
	int	 i;

	for (i = 0; i < MSG_STATUS__MAX; i++) {
		/* DB_MSG_RANK over a literal: the format's one %s. */
		snprintf(sql, sizeof(sql), "SELECT " DB_MSG_RANK("'%s'"),
		    msg_status_names[i]);
		snprintf(name, sizeof(name), "%s: SQL rank is its enum value",
		    msg_status_names[i]);
		EQ_INT(one(d, sql), i, name);
		EQ_INT(msg_status_parse(msg_status_names[i]), i,
		    "the name parses back");
	}
	EQ_INT(msg_status_parse("bogus"), -1, "an unknown status: -1");
	EQ_INT(msg_status_parse(NULL), -1, "no status: -1");

	OK(one(d, "INSERT INTO channel (id, workspace_id, kind, meta_id, "
	    "created_at, updated_at) VALUES (1, 1, 'page', 'P', 0, 0)") == 0 &&
	    one(d, "INSERT INTO contact (id, workspace_id, channel_id, "
	    "meta_user_id, first_seen_at, last_seen_at) VALUES "
	    "(1, 1, 1, 'U', 0, 0)") == 0 &&
	    one(d, "INSERT INTO conversation (id, workspace_id, channel_id, "
	    "contact_id, created_at) VALUES (1, 1, 1, 1, 0)") == 0,
	    "a conversation");
	for (i = 0; i < MSG_STATUS__MAX; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO message "
		    "(conversation_id, channel_id, meta_message_id, direction, "
		    "status, sent_ms, created_ms) VALUES (1, 1, 'm%d', 'out', "
		    "'%s', 10, 10)", i, msg_status_names[i]);
		snprintf(name, sizeof(name), "message.status accepts %s",
		    msg_status_names[i]);
		EQ_INT(one(d, sql), 0, name);
	}
	EQ_INT(one(d, "INSERT INTO message (conversation_id, channel_id, "
	    "meta_message_id, direction, status, sent_ms, created_ms) VALUES "
	    "(1, 1, 'mx', 'out', 'bogus', 10, 10)"), -1,
	    "message.status refuses a name outside the enum");

	/* Forward only, and a failure is final. */
	EQ_INT(db_message_status(d, 1, "m2", MSG_DELIVERED, 20, NULL, NULL), 1,
	    "sent -> delivered");
	EQ_INT(db_message_status(d, 1, "m2", MSG_SENT, 30, NULL, NULL), 0,
	    "delivered -> sent: no");
	EQ_INT(db_message_status(d, 1, "m5", MSG_READ, 30, NULL, NULL), 0,
	    "failed -> read: no");
	EQ_INT(db_message_watermark(d, 1, MSG_READ, 100), 0, "a read watermark");
	EQ_INT(one(d, "SELECT status = 'failed' FROM message WHERE "
	    "meta_message_id = 'm5'"), 1, "the watermark leaves failed alone");
	EQ_INT(one(d, "SELECT status = 'read' FROM message WHERE "
	    "meta_message_id = 'm2'"), 1, "and moves delivered to read");
}

/* Every name of enum event_state and enum event_routing is one the
 * schema's CHECKs accept, and they accept no other. */
static void
test_event_names(struct db *d)
{
	char	 sql[512], name[96];
	int	 i;

	for (i = 0; i < EVENT_STATE__MAX; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO webhook_event "
		    "(received_ms, body, body_sha256, signature, state, sent_ms) "
		    "VALUES (1, x'00', 'h%d', 's', '%s', %d)", i,
		    event_state_names[i], i);
		snprintf(name, sizeof(name), "webhook_event.state accepts %s",
		    event_state_names[i]);
		EQ_INT(one(d, sql), 0, name);
	}
	EQ_INT(one(d, "INSERT INTO webhook_event (received_ms, body, "
	    "body_sha256, signature, state, sent_ms) VALUES (1, x'00', 'hx', "
	    "'s', 'bogus', 99)"), -1, "webhook_event.state refuses another");
	for (i = 0; i < ROUTING__MAX; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO webhook_event "
		    "(received_ms, body, body_sha256, signature, routing, "
		    "sent_ms) VALUES (1, x'00', 'r%d', 's', '%s', %d)", i,
		    event_routing_names[i], 100 + i);
		snprintf(name, sizeof(name), "webhook_event.routing accepts %s",
		    event_routing_names[i]);
		EQ_INT(one(d, sql), 0, name);
	}
	EQ_INT(one(d, "INSERT INTO webhook_event (received_ms, body, "
	    "body_sha256, signature, routing, sent_ms) VALUES (1, x'00', 'rx', "
	    "'s', 'sideways', 199)"), -1, "webhook_event.routing refuses another");
}

int
main(void)
{
	static const struct {
		enum stmt	 s;
		const char	*name;
	} indexed[] = {
		{ STMT_QUEUE_STATES, "the queue's states (/health)" },
		{ STMT_QUEUE_CLAIM, "a claim" },
		{ STMT_EVENT_LAST, "the last event" },
		{ STMT_EVLIST_Q, "the events' search" },
		{ STMT_EVLIST_CHANNEL, "a channel's events" },
		{ STMT_EVLIST_STATE, "the events of a state" },
		{ STMT_EVCOUNT_TOTAL, "the list's count" },
		{ STMT_EVCOUNT_HOURS, "the list's count in a time range" },
		{ STMT_STATS_TOTALS, "the totals of /api/stats" },
	};
	struct conf	*c;
	struct db	*d;
	char		 text[1024];
	const char	*tmp = getenv("TMPDIR");
	int		 i, bad = 0;
	size_t		 j;

	snprintf(dir, sizeof(dir), "%s/hg-stmt.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(text, sizeof(text), "db_path = %s/hubgate.db\n", dir);
	if ((c = conf_load_string(text, "t.conf", err, sizeof(err))) == NULL ||
	    (d = db_open(c, 0, err, sizeof(err))) == NULL) {
		printf("not ok 1 - open: %s\n", err);
		return 1;
	}
	for (i = 0; i < STMT__MAX; i++)
		if (db_stmt(d, (enum stmt)i) == NULL) {
			printf("#   statement %d: %s\n", i, db_errmsg(d));
			bad++;
		}
	EQ_INT(bad, 0, "every statement of the table prepares");
	for (j = 0; j < sizeof(indexed) / sizeof(indexed[0]); j++) {
		sqlite3_stmt *st = db_stmt(d, indexed[j].s);

		if (!OK(st != NULL, indexed[j].name))
			continue;
		EQ_INT(scans(d, st, "webhook_event"), 0, indexed[j].name);
	}
	/* The search finds messages by channel and Meta id (message's
	 * UNIQUE (channel_id, meta_message_id)), never by reading them
	 * all, nor the events' bodies or account lists. */
	EQ_INT(scans_alias(d, db_stmt(d, STMT_EVLIST_Q), "m") +
	    scans_alias(d, db_stmt(d, STMT_EVLIST_Q), "message") +
	    scans_alias(d, db_stmt(d, STMT_EVLIST_Q), "w"), 0,
	    "the search reads no table whole");
	EQ_INT(scans_alias(d, db_stmt(d, STMT_STATS_EACH), "event_stat") +
	    scans_alias(d, db_stmt(d, STMT_STATS_LATENCY), "event_latency"), 0,
	    "a workspace's hours: on the summaries' primary keys");
	/* The inbox: the conversation list in its order from an index
	 * (no sort), its text search through the full-text index; a
	 * thread's reactions, quotes and unsends found by index. */
	EQ_INT(scans_alias(d, db_stmt(d, STMT_CONV_LIST), "v") +
	    scans_alias(d, db_stmt(d, STMT_CONV_LIST), "m"), 0,
	    "the conversation list and its search read no table whole");
	EQ_INT(sorts(d, db_stmt(d, STMT_CONV_LIST)), 0,
	    "the conversation list comes in its order from an index");
	EQ_INT(scans_alias(d, db_stmt(d, STMT_MSG_LIST), "message") +
	    scans_alias(d, db_stmt(d, STMT_MSG_LIST), "m") +
	    scans_alias(d, db_stmt(d, STMT_MSG_LIST), "x") +
	    scans_alias(d, db_stmt(d, STMT_MSG_LIST), "y") +
	    scans_alias(d, db_stmt(d, STMT_MSG_LIST), "t") +
	    scans_alias(d, db_stmt(d, STMT_MSG_LIST), "q"), 0,
	    "a thread's page folds reactions, quotes and unsends by index");
	test_msg_status(d);
	test_event_names(d);
	db_close(d);
	conf_free(c);
	test_rm_db(dir, "hubgate.db");
	return test_done();
}
