/*
 * db_queue: claiming, finishing, failing, requeueing and pruning
 * webhook events.  See db_queue.h; the SQL is in db.c's statement
 * table.
 */
#include <string.h>

#include "db_int.h"
#include "db_stats.h"

int
db_queue_release(struct db *d, const char *token, long long now_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_QUEUE_RELEASE)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_ms);
	return db_exec(d, st);
}

/* Count n new dead letters in counter_hourly, in now_ms's hour: 0 or
 * -1. */
static int
dead_letters_add(struct db *d, long long n, long long now_ms)
{
	sqlite3_stmt *st;

	if (n <= 0)
		return 0;
	if ((st = db_stmt(d, STMT_COUNTER_HOURLY)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, DB_COUNTER_DEAD, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, n);
	sqlite3_bind_int64(st, 3, now_ms / DB_HOUR_MS);
	return db_exec(d, st);
}

int
db_queue_abandon(struct db *d, long long now_ms, int lapses_max,
    long long *count)
{
	sqlite3_stmt	*st;
	enum stmt	 s[2] = { STMT_QUEUE_ABANDON_LOG, STMT_QUEUE_ABANDON };
	int		 i;

	*count = 0;
	for (i = 0; i < 2; i++) {
		if ((st = db_stmt(d, s[i])) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, now_ms);
		sqlite3_bind_int(st, 2, lapses_max);
		if (db_exec(d, st) == -1)
			return -1;
	}
	*count = sqlite3_changes(d->h);
	return dead_letters_add(d, *count, now_ms);
}

int
db_queue_claim(struct db *d, const char *token, long long now_ms,
    long long lease_ms, int max, long long *ids, int *failures, int *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	*n = 0;
	if ((st = db_stmt(d, STMT_QUEUE_CLAIM)) == NULL)
		return -1;
	db_bind_text(st, 1, token);
	sqlite3_bind_int64(st, 2, now_ms);
	sqlite3_bind_int64(st, 3, lease_ms);
	sqlite3_bind_int(st, 4, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		ids[*n] = sqlite3_column_int64(st, 0);
		failures[*n] = sqlite3_column_int(st, 1);
		(*n)++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		*n = 0;
		return db_fail(d, rc);
	}
	if (*n > 0 && db_counter_add(d, DB_COUNTER_ATTEMPTS, *n) == -1) {
		*n = 0;
		return -1;
	}
	return 0;
}

int
db_event_body(struct db *d, long long id, const char *token, struct buf *out)
{
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	if ((st = db_stmt(d, STMT_EVENT_BODY)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, token);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void	*p = sqlite3_column_blob(st, 0);
		int		 len = sqlite3_column_bytes(st, 0);

		found = 1;
		if (buf_add(out, p != NULL ? p : "", (size_t)len) == -1) {
			sqlite3_reset(st);
			d->err = DB_ERROR;
			return -1;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return found;
}

int
db_event_done(struct db *d, long long id, const char *token, long long now_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_EVENT_DONE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, token);
	sqlite3_bind_int64(st, 3, now_ms);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

int
db_event_unprocessed(struct db *d, long long id, const char *error)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_EVENT_UNPROCESSED)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, error);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0 ?
	    db_counter_add(d, DB_COUNTER_FAILURES, 1) : 0;
}

int
db_event_fail(struct db *d, long long id, const char *token,
    enum event_state state, long long next_ms, const char *error,
    long long now_ms)
{
	sqlite3_stmt	*st;
	int		 changed;

	if ((st = db_stmt(d, STMT_EVENT_FAIL)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, token);
	sqlite3_bind_text(st, 3, event_state_names[state], -1, SQLITE_STATIC);
	if (next_ms > 0)
		sqlite3_bind_int64(st, 4, next_ms);
	else
		sqlite3_bind_null(st, 4);
	db_bind_text(st, 5, error);
	if (db_exec(d, st) == -1)
		return -1;
	if ((changed = sqlite3_changes(d->h)) == 0)
		return 0;
	if ((st = db_stmt(d, STMT_ATTEMPT_LOG)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now_ms);
	db_bind_text(st, 3, error);
	if (db_exec(d, st) == -1 ||
	    db_counter_add(d, DB_COUNTER_FAILURES, 1) == -1 ||
	    (state == EVENT_DEAD_LETTER &&
	    dead_letters_add(d, 1, now_ms) == -1))
		return -1;
	return 1;
}

/*
 * The first event received at from_ms or later, by bisection on id
 * (received_ms never decreases as ids grow: see STMT_EVENT_INSERT), or
 * one past the last event when there is none.  0 or -1.
 */
int
db_event_id_from(struct db *d, long long from_ms, long long *out)
{
	sqlite3_stmt	*st;
	long long	 lo = 0, hi, mid, rid, rms;
	int		 rc;

	if (db_int(d, STMT_EVENT_LAST, &hi) == -1)
		return -1;
	*out = hi + 1;
	while (lo <= hi) {
		if ((st = db_stmt(d, STMT_EVENT_AT)) == NULL)
			return -1;
		mid = lo + (hi - lo) / 2;
		sqlite3_bind_int64(st, 1, mid);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
			sqlite3_reset(st);
			if (rc != SQLITE_DONE)
				return db_fail(d, rc);
			break;
		}
		rid = sqlite3_column_int64(st, 0);
		rms = sqlite3_column_int64(st, 1);
		if (rms >= from_ms) {
			*out = rid;
			hi = mid - 1;
		} else
			lo = rid + 1;
		sqlite3_reset(st);
	}
	return 0;
}

int
db_requeue(struct db *d, long long id, int dead_only, long long from_ms,
    long long to_ms, long long *count)
{
	sqlite3_stmt	*st;
	long long	 lo, hi;

	*count = 0;
	if (id > 0) {
		if ((st = db_stmt(d, STMT_REQUEUE_ID)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
	} else if (dead_only) {
		if ((st = db_stmt(d, STMT_REQUEUE_DEAD)) == NULL)
			return -1;
	} else {
		if (db_event_id_from(d, from_ms, &lo) == -1 ||
		    db_event_id_from(d, to_ms, &hi) == -1 ||
		    (st = db_stmt(d, STMT_REQUEUE_RANGE)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, from_ms);
		sqlite3_bind_int64(st, 2, to_ms);
		sqlite3_bind_int64(st, 3, lo);
		sqlite3_bind_int64(st, 4, hi);
	}
	if (db_exec(d, st) == -1)
		return -1;
	*count = sqlite3_changes(d->h);
	return 0;
}

int
db_prune(struct db *d, long long before_ms, int limit, long long *deleted)
{
	sqlite3_stmt	*st;
	long long	 end;

	*deleted = 0;
	if (db_event_id_from(d, before_ms, &end) == -1 ||
	    (st = db_stmt(d, STMT_PRUNE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before_ms);
	sqlite3_bind_int(st, 2, limit);
	sqlite3_bind_int64(st, 3, end);
	if (db_exec(d, st) == -1)
		return -1;
	*deleted = sqlite3_changes(d->h);
	return 0;
}

int
db_queue_states(struct db *d, void (*fn)(void *, enum event_state,
    long long, long long), void *arg)
{
	sqlite3_stmt	*st;
	const char	*name;
	int		 rc, i;

	if ((st = db_stmt(d, STMT_QUEUE_STATES)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		for (i = 0; name != NULL && i < EVENT_STATE__MAX; i++)
			if (strcmp(name, event_state_names[i]) == 0)
				fn(arg, (enum event_state)i,
				    sqlite3_column_int64(st, 1),
				    sqlite3_column_int64(st, 2));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}
