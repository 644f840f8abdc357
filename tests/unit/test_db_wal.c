/*
 * Unit tests for lib/db_wal.c, the VFS that holds a transaction's WAL
 * writes until the sync that ends its commit.  A writer goes through
 * it with a page cache small enough that big transactions spill into
 * the WAL before they commit; a reader on SQLite's own VFS must see
 * every commit at once, rolled-back spills must change nothing, a
 * process that dies without closing must leave every commit it made,
 * and the database must stay sound.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "conf.h"
#include "db.h"
#include "db_int.h"
#include "test.h"

#define VFS	DB_WAL_VFS

static char	 dir[512];
static char	 path[600];

static sqlite3 *
open_writer(void)
{
	sqlite3 *h = NULL;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, VFS) != SQLITE_OK ||
	    sqlite3_exec(h, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL; PRAGMA cache_size = 8;"
	    "PRAGMA wal_autocheckpoint = 0;", NULL, NULL, NULL) != SQLITE_OK) {
		printf("#   writer: %s\n", sqlite3_errmsg(h));
		sqlite3_close(h);
		return NULL;
	}
	sqlite3_busy_timeout(h, 5000);
	return h;
}

static long long
one(sqlite3 *h, const char *sql)
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
run(sqlite3 *h, const char *sql)
{
	if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK) {
		printf("#   %s: %s\n", sql, sqlite3_errmsg(h));
		return -1;
	}
	return 0;
}

/* n rows of 3000 bytes each, made from their own number, so that a
 * check sum over the table says whether the right bytes came back. */
static int
insert(sqlite3 *h, int first, int n)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "WITH RECURSIVE s(i) AS (SELECT %d UNION "
	    "ALL SELECT i + 1 FROM s WHERE i < %d) INSERT INTO t (i, v) "
	    "SELECT i, CAST(printf('%%02990d%%010d', 0, i) AS BLOB) FROM s",
	    first, first + n - 1);
	return run(h, sql);
}

static const char *sum =
    "SELECT coalesce(sum(i + CAST(substr(v, 2991) AS INTEGER)), 0) FROM t";

static void
test_visibility(void)
{
	sqlite3		*w, *r = NULL;
	long long	 want = 0;
	int		 i, ok = 1;

	if (!OK((w = open_writer()) != NULL, "a writer through the VFS"))
		return;
	OK(run(w, "CREATE TABLE t (i INTEGER PRIMARY KEY, v BLOB)") == 0,
	    "a table");
	OK(sqlite3_open_v2(path, &r, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK,
	    "a reader on the default VFS");
	/* Each commit, small or spilling, is seen by the reader at once. */
	for (i = 0; i < 60 && ok; i++) {
		int n = i % 10 == 9 ? 900 : 1 + i % 3;

		ok = insert(w, i * 1000 + 1, n) == 0 &&
		    one(r, "SELECT count(*) FROM t WHERE i > 0") ==
		    (want += n);
	}
	OK(ok, "every commit is seen by another connection at once");
	EQ_INT(one(r, sum), one(w, sum), "with the bytes written");

	/* A transaction that spills pages into the WAL, then is rolled
	 * back: the frames it wrote are overwritten by the next commit. */
	OK(run(w, "BEGIN") == 0 && insert(w, 100001, 2000) == 0 &&
	    run(w, "UPDATE t SET v = zeroblob(3000) WHERE i < 5000") == 0 &&
	    run(w, "ROLLBACK") == 0, "a spilled transaction rolled back");
	OK(insert(w, 200001, 3) == 0, "then a small commit");
	want += 3;
	EQ_INT(one(r, "SELECT count(*) FROM t"), want,
	    "the rollback left nothing, the commit is there");
	/* The same pages written twice in one transaction. */
	OK(run(w, "BEGIN") == 0 && insert(w, 300001, 1500) == 0 &&
	    run(w, "UPDATE t SET v = CAST(v || 'x' AS BLOB) WHERE i > 300000") == 0 &&
	    run(w, "COMMIT") == 0, "a transaction rewriting its own pages");
	want += 1500;
	EQ_INT(one(r, "SELECT count(*) FROM t"), want, "its rows are seen");
	EQ_INT(one(r, "SELECT sum(length(v)) FROM t WHERE i > 300000"),
	    1500 * 3001, "with their last version");
	EQ_INT(one(r, sum), one(w, sum), "the reader reads what was written");
	/* Another connection copies the WAL into the database, which it
	 * can only do right if the writer's commits are in the file. */
	sqlite3_close(r);
	OK(sqlite3_open_v2(path, &r, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    one(r, "PRAGMA wal_checkpoint(TRUNCATE)") == 0,
	    "another connection checkpoints the whole WAL");
	OK(insert(w, 400001, 5) == 0, "the writer starts the WAL over");
	want += 5;
	EQ_INT(one(r, "SELECT count(*) FROM t"), want, "and is seen");
	sqlite3_close(r);
	sqlite3_close(w);
}

/* A process that commits and dies without closing anything. */
static void
test_crash(void)
{
	sqlite3		*h;
	pid_t		 pid;
	int		 status = -1;
	long long	 before;

	if ((h = open_writer()) == NULL)
		return;
	before = one(h, "SELECT count(*) FROM t");
	sqlite3_close(h);
	if ((pid = fork()) == 0) {
		if ((h = open_writer()) == NULL)
			_exit(1);
		if (insert(h, 500001, 7) != 0 ||
		    run(h, "BEGIN") != 0 || insert(h, 600001, 800) != 0 ||
		    run(h, "COMMIT") != 0 ||
		    run(h, "BEGIN") != 0 || insert(h, 700001, 900) != 0)
			_exit(1);
		/* Dies inside a transaction whose spill is held. */
		_exit(0);
	}
	waitpid(pid, &status, 0);
	EQ_INT(status, 0, "the writer committed, then died mid-transaction");
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		return;
	EQ_INT(one(h, "SELECT count(*) FROM t"), before + 807,
	    "its commits are all there, its last transaction is not");
	EQ_INT(one(h, "SELECT count(*) FROM t WHERE i BETWEEN 600001 AND "
	    "600800 AND length(v) = 3000 AND CAST(substr(v, 2991) AS INTEGER) "
	    "= i"), 800, "with their bytes");
	{
		sqlite3_stmt *st;
		const char *res = NULL;

		if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st,
		    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			res = (const char *)sqlite3_column_text(st, 0);
		EQ_STR(res, "ok", "integrity_check");
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
}

int
main(void)
{
	const char	*base = getenv("HUBGATE_TEST_TMP");
	struct conf	*c;
	struct db	*d;
	char		 text[700], err[512];
	static const char *const sfx[] = { "", "-wal", "-shm", NULL };
	int		 i;

	snprintf(dir, sizeof(dir), "%s/hg-wal-XXXXXX",
	    base != NULL ? base : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/w.db", dir);
	/* lib/db registers the VFS and opens full connections through it. */
	snprintf(text, sizeof(text), "db_path = %s/d.db\n", dir);
	c = conf_load_string(text, "t.conf", err, sizeof(err));
	d = c != NULL ? db_open(c, 0, err, sizeof(err)) : NULL;
	OK(d != NULL, "open a database at durability = full");
	OK(sqlite3_vfs_find(VFS) != NULL, "the VFS is registered");
	db_close(d);
	conf_free(c);
	if (sqlite3_vfs_find(VFS) != NULL) {
		test_visibility();
		test_crash();
	}
	for (i = 0; sfx[i] != NULL; i++) {
		snprintf(text, sizeof(text), "%s/w.db%s", dir, sfx[i]);
		unlink(text);
		snprintf(text, sizeof(text), "%s/d.db%s", dir, sfx[i]);
		unlink(text);
	}
	rmdir(dir);
	return test_done();
}
