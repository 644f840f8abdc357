/*
 * Two writers on one database, through lib/db as the programs open it
 * (durability = full): the webhook, a cron and hubgate-admin each have
 * their own connection.  What one connection leaves behind after a
 * transaction that failed or was rolled back must never reach the file
 * after another connection has committed: every commit stays, and the
 * database stays sound.
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
static char	 path[600];
static char	 err[1024];

static struct conf *
conf_full(void)
{
	char		 text[1024];
	struct conf	*c;

	snprintf(text, sizeof(text), "db_path = %s\ndurability = full\n"
	    "busy_timeout_ms = 5000\n", path);
	if ((c = conf_load_string(text, "t.conf", err, sizeof(err))) == NULL)
		printf("#   conf: %s\n", err);
	return c;
}

/* Run SQL on a connection's handle; 0 or -1 (the message printed). */
static int
run(struct db *d, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(d->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		printf("#   %s: %s\n", sql, msg != NULL ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* One integer from a fresh connection of SQLite's own; -1 on error. */
static long long
outside_int(const char *sql)
{
	sqlite3		*h = NULL;
	sqlite3_stmt	*st;
	long long	 v = -1;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(h, sql, -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return v;
}

static int
outside_ok(void)
{
	sqlite3		*h = NULL;
	sqlite3_stmt	*st;
	int		 ok = 0;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(h, "PRAGMA integrity_check",
	    -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			ok = strcmp((const char *)sqlite3_column_text(st, 0),
			    "ok") == 0;
			if (!ok)
				printf("#   integrity_check: %s\n",
				    sqlite3_column_text(st, 0));
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return ok;
}

/*
 * The first connection's transaction grows past its page cache, so
 * SQLite writes (spills) pages into the WAL before the commit, then it
 * is rolled back.  A second connection commits; the first commits a
 * small transaction next.
 */
static void
test_spill_rollback_then_other_writer(void)
{
	struct conf	*c = conf_full();
	struct db	*a, *b;
	int		 i;

	a = db_open(c, 0, err, sizeof(err));
	b = db_open(c, 0, err, sizeof(err));
	if (!OK(a != NULL && b != NULL, "two writers open")) {
		printf("#   %s\n", err);
		goto out;
	}
	OK(run(a, "CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)") == 0,
	    "a table");
	OK(run(a, "PRAGMA cache_size = 8") == 0, "a small page cache");
	OK(run(a, "BEGIN IMMEDIATE") == 0 && run(a, "WITH RECURSIVE n(i) "
	    "AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) "
	    "INSERT INTO t (v) SELECT randomblob(4000) FROM n") == 0 &&
	    run(a, "ROLLBACK") == 0,
	    "a 1.6 MB transaction spills and is rolled back");
	for (i = 0; i < 3; i++)
		OK(db_begin(b) == 0 && db_counter_add(b, "other.writer", 1) ==
		    0 && db_commit(b) == 0, "the second writer commits");
	OK(db_begin(a) == 0 && db_counter_add(a, "first.writer", 1) == 0 &&
	    db_commit(a) == 0, "the first writer commits again");
	OK(outside_ok(), "integrity_check ok");
	EQ_INT(outside_int("SELECT value FROM counter WHERE name = "
	    "'other.writer'"), 3, "every commit of the second writer stays");
	EQ_INT(outside_int("SELECT value FROM counter WHERE name = "
	    "'first.writer'"), 1, "the first writer's commit stays");
	EQ_INT(outside_int("SELECT count(*) FROM t"), 0,
	    "the rolled-back rows are gone");
out:
	db_close(a);
	db_close(b);
	conf_free(c);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/hg-writers.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/hubgate.db", dir);
	test_spill_rollback_then_other_writer();
	test_rm_db(dir, "hubgate.db");
	return test_done();
}
