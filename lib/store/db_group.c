/*
 * db_group: groups of people.  See db_group.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_group.h"
#include "db_int.h"

/* The one integer st answers into *v (0 when no row): 1 a row, 0 none,
 * -1. */
static int
one_row(struct db *d, sqlite3_stmt *st, long long *v)
{
	int rc;

	*v = 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	while (rc == SQLITE_ROW && sqlite3_step(st) == SQLITE_ROW)
		;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

int
db_group_list(struct db *d, long long ws, long long id,
    void (*fn)(void *, const struct db_group_row *), void *arg)
{
	struct db_group_row	 r;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_GROUP_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		r.name = (const char *)sqlite3_column_text(st, 1);
		r.members = (const char *)sqlite3_column_text(st, 2);
		r.updated_at = sqlite3_column_int64(st, 3);
		fn(arg, &r);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_group_people(struct db *d, long long ws,
    void (*fn)(void *, long long, const char *, int), void *arg)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_GROUP_PEOPLE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int(st, 2));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

/* A group's name and members, inside the open transaction; 1, 0 no
 * such group, -2 name taken, -3 too many, -1. */
static int
put_txn(struct db *d, long long ws, long long id, const char *name,
    const long long *users, size_t n, long long now, long long *out_id,
    size_t *kept)
{
	sqlite3_stmt	*st;
	long long	 v;
	size_t		 i;
	int		 rc;

	if (id == 0) {
		if ((st = db_stmt(d, STMT_GROUP_COUNT)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, ws);
		if (one_row(d, st, &v) == -1)
			return -1;
		if (v >= HG_GROUPS_MAX)
			return -3;
		if ((st = db_stmt(d, STMT_GROUP_ADD)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, ws);
		db_bind_text(st, 2, name);
		sqlite3_bind_int64(st, 3, now);
		if ((rc = one_row(d, st, out_id)) != 1)
			return rc == 0 ? -2 : -1;
	} else {
		if ((st = db_stmt(d, STMT_GROUP_FIND)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, ws);
		sqlite3_bind_int64(st, 2, id);
		sqlite3_bind_null(st, 3);
		if ((rc = one_row(d, st, &v)) != 1)
			return rc;
		if ((st = db_stmt(d, STMT_GROUP_RENAME)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, ws);
		sqlite3_bind_int64(st, 2, id);
		db_bind_text(st, 3, name);
		sqlite3_bind_int64(st, 4, now);
		if ((rc = one_row(d, st, &v)) != 1)
			return rc == 0 ? -2 : -1;
		*out_id = id;
		if ((st = db_stmt(d, STMT_GROUP_MEMBERS_CLEAR)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		if (db_exec(d, st) == -1)
			return -1;
	}
	for (i = 0; i < n; i++) {
		if ((st = db_stmt(d, STMT_GROUP_MEMBER_ADD)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, *out_id);
		sqlite3_bind_int64(st, 2, users[i]);
		if (db_exec(d, st) == -1)
			return -1;
		*kept += sqlite3_changes(d->h) > 0;
	}
	return *kept == n ? 1 : -4;
}

int
db_group_put(struct db *d, long long ws, long long id, const char *name,
    const long long *users, size_t n, long long now, long long *out_id,
    size_t *kept)
{
	int rc;

	*out_id = 0;
	*kept = 0;
	if (db_begin(d) == -1)
		return -1;
	rc = put_txn(d, ws, id, name, users, n, now, out_id, kept);
	if (rc == 1 && db_commit(d) == 0)
		return 1;
	db_rollback(d);
	return rc == 1 ? -1 : rc;
}

int
db_group_delete(struct db *d, long long ws, long long id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_GROUP_DELETE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, id);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

int
db_group_find(struct db *d, long long ws, long long id, const char *name,
    long long *out)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_GROUP_FIND)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, id > 0 ? id : 0);
	db_bind_text(st, 3, name);
	return one_row(d, st, out);
}

int
db_group_assign(struct db *d, long long ws, long long conv, long long group)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_GROUP_ASSIGN)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, conv);
	if (group > 0)
		sqlite3_bind_int64(st, 3, group);
	else
		sqlite3_bind_null(st, 3);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

int
db_group_queue(struct db *d, long long conv, long long since_ms,
    long long *position, long long *waits, size_t max, size_t *n,
    long long *available)
{
	sqlite3_stmt	*st;
	long long	 g;
	int		 rc;

	*n = 0;
	if ((st = db_stmt(d, STMT_GROUP_OF_CONV)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	if ((rc = one_row(d, st, &g)) != 1 || g == 0)
		return rc == -1 ? -1 : 0;
	if ((st = db_stmt(d, STMT_GROUP_QUEUE_POS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, g);
	sqlite3_bind_int64(st, 2, conv);
	if (one_row(d, st, position) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_GROUP_AVAILABLE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, g);
	if (one_row(d, st, available) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_GROUP_WAITS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, g);
	sqlite3_bind_int64(st, 2, since_ms);
	sqlite3_bind_int64(st, 3, (long long)max);
	return db_read_ints(d, st, waits, max, n) == -1 ? -1 : 1;
}
