/*
 * Every statement of lib/db's table prepares against the schema the
 * build applies, and the statements that unauthenticated or hot paths
 * run find their rows through an index: none scans webhook_event,
 * whose size grows with retention.
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

int
main(void)
{
	static const struct {
		enum stmt	 s;
		const char	*name;
	} indexed[] = {
		{ STMT_QUEUE_DEPTH, "the queue depth" },
		{ STMT_QUEUE_STATES, "the queue's states (/health)" },
		{ STMT_QUEUE_CLAIM, "a claim" },
		{ STMT_EVENT_LAST, "the last event" },
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
	db_close(d);
	conf_free(c);
	test_rm_db(dir, "hubgate.db");
	return test_done();
}
