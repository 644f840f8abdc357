/*
 * Reading and writing a unit test's database from the side, through a
 * connection of its own, as another process would.  The including test
 * includes test.h and defines `static char dbpath[]`, the database's
 * path, before including this file.
 */
#ifndef TESTDB_H
#define TESTDB_H

#include <stdio.h>

#include <sqlite3.h>

/* The first column of q's first row as an integer; -1 without a row. */
static inline long long
sqlv(const char *q)
{
	sqlite3		*h;
	sqlite3_stmt	*st;
	long long	 v = -1;

	sqlite3_open_v2(dbpath, &h, SQLITE_OPEN_READONLY, NULL);
	if (sqlite3_prepare_v2(h, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* The first column of q's first row as text (a static buffer, 1 KiB);
 * "" without a row or for NULL. */
static inline char *
sqls(const char *q)
{
	static char	 out[1024];
	sqlite3		*h;
	sqlite3_stmt	*st;

	out[0] = '\0';
	sqlite3_open_v2(dbpath, &h, SQLITE_OPEN_READONLY, NULL);
	if (sqlite3_prepare_v2(h, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof(out), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return out;
}

/* Run q, waiting up to 5 s for the database; a failure is a failed
 * check (test.h, included first), with SQLite's message. */
static inline void
exec(const char *q)
{
	sqlite3 *h;

	sqlite3_open_v2(dbpath, &h, SQLITE_OPEN_READWRITE, NULL);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_exec(h, q, NULL, NULL, NULL) != SQLITE_OK) {
		printf("# %s: %s\n", q, sqlite3_errmsg(h));
		OK(0, "the test's own SQL runs");
	}
	sqlite3_close(h);
}

#endif
