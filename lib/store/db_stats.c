/*
 * db_stats: reading and rebuilding the summaries of the stored events.
 * See db_stats.h; the SQL is in db.c's statement table, the triggers
 * that keep the summaries in schema.sql.
 */
#include <string.h>

#include "limits.h"

#include "db_int.h"

const long long db_latency_le_ms[DB_LATENCY_BOUNDS] = {
	10, 50, 100, 500, 1000, 5000, 10000, 60000, 300000, 3600000
};

/* Bind scope as the statement table's comment says, with all at
 * parameter alli (0: a statement without it). */
static void
stats_bind_scope(sqlite3_stmt *st, const struct db_stats_scope *sc,
    int alli)
{
	sqlite3_bind_int64(st, 1, sc->workspace);
	sqlite3_bind_int(st, 2, sc->unowned ? 0 : -1);
	if (alli > 0)
		sqlite3_bind_int(st, alli, sc->all != 0);
}

/* Step st (bound) and hand fn each row: (hour,) object, routing,
 * state, n; with_hour says whether the hour comes first (else the row's
 * hour is -1); 0 or -1. */
static int
stats_rows(struct db *d, sqlite3_stmt *st, int with_hour,
    void (*fn)(void *, const struct db_stat_row *), void *arg)
{
	struct db_stat_row	 row;
	int			 rc, routing, state, o = with_hour ? 1 : 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		routing = db_name_index(event_routing_names, ROUTING__MAX,
		    (const char *)sqlite3_column_text(st, o + 1));
		state = db_name_index(event_state_names, EVENT_STATE__MAX,
		    (const char *)sqlite3_column_text(st, o + 2));
		if (routing < 0 || state < 0)
			continue;	/* the schema's CHECKs allow none */
		row.hour = with_hour ? sqlite3_column_int64(st, 0) : -1;
		row.object = (const char *)sqlite3_column_text(st, o);
		if (row.object == NULL)
			row.object = "";
		row.platform = event_platform_of(row.object);
		row.routing = (enum event_routing)routing;
		row.state = (enum event_state)state;
		row.n = sqlite3_column_int64(st, o + 3);
		fn(arg, &row);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_stats_each(struct db *d, const struct db_stats_scope *sc,
    long long from_hour, long long to_hour,
    void (*fn)(void *, const struct db_stat_row *), void *arg)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, sc->all ? STMT_STATS_EACH_ALL :
	    STMT_STATS_EACH)) == NULL)
		return -1;
	if (!sc->all)
		stats_bind_scope(st, sc, 0);
	sqlite3_bind_int64(st, 3, from_hour);
	sqlite3_bind_int64(st, 4, to_hour);
	return stats_rows(d, st, 1, fn, arg);
}

int
db_stats_totals(struct db *d, const struct db_stats_scope *sc,
    void (*fn)(void *, const struct db_stat_row *), void *arg)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_STATS_TOTALS)) == NULL)
		return -1;
	stats_bind_scope(st, sc, 5);
	return stats_rows(d, st, 0, fn, arg);
}

int
db_stats_prune(struct db *d, long long before_hour, int limit,
    long long *deleted)
{
	static const enum stmt steps[] = { STMT_STATS_PRUNE_STAT,
	    STMT_STATS_PRUNE_LATENCY, STMT_STATS_PRUNE_TOTAL,
	    STMT_STATS_PRUNE_COUNTER };
	sqlite3_stmt	*st;
	size_t		 i;

	*deleted = 0;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if ((st = db_stmt(d, steps[i])) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, before_hour);
		sqlite3_bind_int64(st, 2, limit - *deleted);
		if (db_exec(d, st) == -1)
			return -1;
		*deleted += sqlite3_changes(d->h);
		if (*deleted >= limit)
			break;
	}
	return 0;
}

int
db_stats_latency(struct db *d, const struct db_stats_scope *sc,
    long long from_hour, long long to_hour, long long *counts,
    long long *sum_ms)
{
	sqlite3_stmt	*st;
	long long	 sum = 0;
	int		 rc, b;

	memset(counts, 0, DB_LATENCY_BUCKETS * sizeof(*counts));
	if ((st = db_stmt(d, sc->all ? STMT_STATS_LATENCY_ALL :
	    STMT_STATS_LATENCY)) == NULL)
		return -1;
	if (!sc->all)
		stats_bind_scope(st, sc, 0);
	sqlite3_bind_int64(st, 3, from_hour);
	sqlite3_bind_int64(st, 4, to_hour);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		b = sqlite3_column_int(st, 0);
		if (b < 0 || b >= DB_LATENCY_BUCKETS)
			continue;
		counts[b] += sqlite3_column_int64(st, 1);
		sum += sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(d, rc);
	if (sum_ms != NULL)
		*sum_ms = sum;
	return 0;
}

int
db_stats_counter_since(struct db *d, const char *name, long long from_hour,
    long long *value)
{
	sqlite3_stmt	*st;
	int		 rc;

	*value = 0;
	if ((st = db_stmt(d, STMT_STATS_COUNTER_SINCE)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from_hour);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*value = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(d, rc);
}

int
db_stats_oldest(struct db *d, const struct db_stats_scope *sc,
    enum event_state state, long long *oldest_ms)
{
	sqlite3_stmt	*st;
	int		 rc;

	*oldest_ms = 0;
	if (state == EVENT_PROCESSED)
		return 0;
	if ((st = db_stmt(d, STMT_STATS_OLDEST)) == NULL)
		return -1;
	stats_bind_scope(st, sc, 4);
	sqlite3_bind_text(st, 3, event_state_names[state], -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*oldest_ms = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

/* A column's text, "" for NULL. */
static const char *
stats_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s != NULL ? s : "";
}

int
db_stats_channels(struct db *d, long long workspace,
    void (*fn)(void *, const struct db_stats_channel *), void *arg)
{
	struct db_stats_channel	 c;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_STATS_CHANNELS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c.id = sqlite3_column_int64(st, 0);
		c.kind = stats_text(st, 1);
		c.meta_id = stats_text(st, 2);
		c.name = stats_text(st, 3);
		c.last_event_at = sqlite3_column_int64(st, 4);
		c.created_at = sqlite3_column_int64(st, 5);
		fn(arg, &c);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

long long
db_stats_silent_s(const struct db_stats_channel *c, long long now)
{
	long long since = c->last_event_at > 0 ? c->last_event_at :
	    c->created_at;

	return now > since ? now - since : 0;
}

int
db_stats_unhandled(struct db *d, const struct db_stats_scope *sc,
    void (*fn)(void *, const struct db_unhandled *), void *arg)
{
	struct db_unhandled	 u;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_STATS_UNHANDLED)) == NULL)
		return -1;
	stats_bind_scope(st, sc, 3);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		u.object = stats_text(st, 0);
		u.type = stats_text(st, 1);
		u.count = sqlite3_column_int64(st, 2);
		u.first_seen_at = sqlite3_column_int64(st, 3);
		u.last_seen_at = sqlite3_column_int64(st, 4);
		u.sample_event_id = sqlite3_column_int64(st, 5);
		fn(arg, &u);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_stats_unhandled_kinds(struct db *d, long long *n)
{
	return db_int(d, STMT_STATS_KINDS, n);
}

int
db_stats_rebuild(struct db *d)
{
	static const enum stmt steps[] = { STMT_STATS_CLEAR,
	    STMT_STATS_CLEAR_LATENCY, STMT_STATS_CLEAR_TOTAL, STMT_STATS_FILL,
	    STMT_STATS_FILL_LATENCY, STMT_STATS_FILL_TOTAL };
	size_t	 i;
	int	 own = !d->txn;

	if (own && db_begin(d) == -1)
		return -1;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (db_run(d, steps[i]) == -1)
			goto err;
	if (own && db_commit(d) == -1)
		goto err;
	return 0;
err:
	if (own)
		db_rollback(d);
	return -1;
}
