/*
 * db_ops_act: what people do with stored events from the dashboard:
 * retry, requeue, replay and delete them, group the dead letters, and
 * connect channels by hand, routing their earlier events to them.  See
 * db_event.h and db_channel.h; the lists and reading are db_ops.c's,
 * the SQL is in db.c's statement table.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_int.h"

/* The state of event id in scope into *state, and into *shared whether
 * a channel of it belongs to another workspace: 1, 0 absent, -1. */
static int
event_state_in(struct db *d, const struct db_scope *sc, long long id,
    enum event_state *state, int *shared)
{
	sqlite3_stmt	*st;
	int		 rc, i = -1;

	*shared = 0;
	if ((st = db_ops_one_event(d, STMT_EVENT_STATE_IN, sc, id)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		i = db_name_index(event_state_names, EVENT_STATE__MAX,
		    db_ops_text(st, 0));
		*shared = sqlite3_column_int(st, 1) != 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	if (rc == SQLITE_DONE || i < 0)
		return 0;
	*state = (enum event_state)i;
	return 1;
}

/* Retry event id (found in scope): 0 or -1. */
static int
retry_one(struct db *d, long long id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_EVENT_RETRY)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec(d, st);
}

int
db_event_retry(struct db *d, const struct db_scope *sc, long long id,
    enum event_state *state)
{
	enum event_state	 s;
	int			 rc, shared;

	if ((rc = event_state_in(d, sc, id, &s, &shared)) != 1)
		return rc;
	if (state != NULL)
		*state = s;
	if (shared)
		return 3;
	if (s != EVENT_FAILED && s != EVENT_DEAD_LETTER)
		return 2;
	return retry_one(d, id) == -1 ? -1 : 1;
}

/* Count the failed and dead letters among ids[0..n) (duplicates once)
 * into *count; 1 when one of them is shared with another workspace;
 * 0 or -1. */
static int
requeue_ids_count(struct db *d, const struct db_scope *sc,
    const long long *ids, int n, long long *count)
{
	enum event_state	 s;
	int			 i, j, rc, dup, shared, any = 0;

	*count = 0;
	for (i = 0; i < n; i++) {
		for (j = 0, dup = 0; j < i && !dup; j++)
			dup = ids[j] == ids[i];
		if (dup)
			continue;
		if ((rc = event_state_in(d, sc, ids[i], &s, &shared)) == -1)
			return -1;
		if (rc == 1 && (s == EVENT_FAILED || s == EVENT_DEAD_LETTER)) {
			(*count)++;
			any |= shared;
		}
	}
	return any;
}

/* The filter's failed and dead letters of scope, counted to at most
 * HG_REQUEUE_MAX + 1, into *count, with the ids [*lo, *hi) of its
 * time range.  0, 1 when the filter's state cannot be requeued (none
 * counted), -1. */
static int
requeue_filter_count(struct db *d, const struct db_scope *sc,
    struct db_event_filter *nf, long long *lo, long long *hi,
    long long *count)
{
	sqlite3_stmt	*st;
	int		 rc;

	*count = 0;
	nf->q = NULL;
	/* Only failed and dead letters: another state asked finds none. */
	if (nf->state >= 0 && nf->state != EVENT_FAILED &&
	    nf->state != EVENT_DEAD_LETTER)
		return 1;
	if (db_ops_id_range(d, nf, 0, lo, hi) == -1 ||
	    (st = db_stmt(d, STMT_REQUEUE_COUNT)) == NULL)
		return -1;
	db_ops_bind_filter(st, sc, nf, *lo, *hi);
	sqlite3_bind_int(st, 9, HG_REQUEUE_MAX + 1);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(d, rc);
}

int
db_event_requeue_count(struct db *d, const struct db_scope *sc,
    const long long *ids, int n, const struct db_event_filter *f,
    long long *count)
{
	struct db_event_filter	 nf;
	long long		 lo, hi;
	int			 rc;

	if (ids != NULL) {
		if (n < 0 || n > HG_REQUEUE_MAX)
			return -1;
		return (rc = requeue_ids_count(d, sc, ids, n, count)) == 1 ?
		    2 : rc;
	}
	nf = *f;
	return requeue_filter_count(d, sc, &nf, &lo, &hi, count) == -1 ?
	    -1 : 0;
}

int
db_event_requeue(struct db *d, const struct db_scope *sc,
    const long long *ids, int n, const struct db_event_filter *f,
    long long confirm, long long *count, long long *requeued)
{
	struct db_event_filter	 nf;
	enum event_state	 s;
	sqlite3_stmt		*st;
	long long		 lo, hi;
	int			 i, rc, shared;

	*count = *requeued = 0;
	if (ids != NULL) {
		if (n < 0 || n > HG_REQUEUE_MAX)
			return -1;
		if ((rc = requeue_ids_count(d, sc, ids, n, count)) != 0)
			return rc == 1 ? 2 : -1;
		if (confirm != *count || *count > HG_REQUEUE_MAX)
			return 0;
		for (i = 0; i < n; i++) {
			if ((rc = event_state_in(d, sc, ids[i], &s,
			    &shared)) == -1)
				return -1;
			if (rc == 1 && (s == EVENT_FAILED ||
			    s == EVENT_DEAD_LETTER)) {
				if (retry_one(d, ids[i]) == -1)
					return -1;
				*requeued += sqlite3_changes(d->h);
			}
		}
		return 0;
	}
	nf = *f;
	if ((rc = requeue_filter_count(d, sc, &nf, &lo, &hi, count)) != 0)
		return rc == 1 ? 0 : -1;
	if (confirm != *count || *count > HG_REQUEUE_MAX || *count == 0)
		return 0;
	if ((st = db_stmt(d, STMT_REQUEUE_FILTER)) == NULL)
		return -1;
	db_ops_bind_filter(st, sc, &nf, lo, hi);
	if (db_exec(d, st) == -1)
		return -1;
	*requeued = sqlite3_changes(d->h);
	return 0;
}

/* The filter of a replay of [since_ms, until_ms) into f and its ids
 * into [*lo, *hi), with the processed events of scope there counted
 * to at most HG_REQUEUE_MAX + 1 into *count: 0 or -1. */
static int
replay_count(struct db *d, const struct db_scope *sc, long long since_ms,
    long long until_ms, struct db_event_filter *f, long long *lo,
    long long *hi, long long *count)
{
	sqlite3_stmt	*st;
	int		 rc;

	*count = 0;
	db_filter_init(f);
	f->state = EVENT_PROCESSED;
	f->since_ms = since_ms;
	f->until_ms = until_ms;
	if (db_ops_id_range(d, f, 0, lo, hi) == -1 ||
	    (st = db_stmt(d, STMT_REPLAY_COUNT)) == NULL)
		return -1;
	db_ops_bind_filter(st, sc, f, *lo, *hi);
	sqlite3_bind_int(st, 9, HG_REQUEUE_MAX + 1);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(d, rc);
}

int
db_event_replay_count(struct db *d, const struct db_scope *sc,
    long long since_ms, long long until_ms, long long *count)
{
	struct db_event_filter	 f;
	long long		 lo, hi;

	return replay_count(d, sc, since_ms, until_ms, &f, &lo, &hi, count);
}

int
db_event_replay(struct db *d, const struct db_scope *sc, long long since_ms,
    long long until_ms, long long confirm, long long *count,
    long long *replayed)
{
	struct db_event_filter	 f;
	sqlite3_stmt		*st;
	long long		 lo, hi;

	*replayed = 0;
	if (replay_count(d, sc, since_ms, until_ms, &f, &lo, &hi,
	    count) == -1)
		return -1;
	if (confirm != *count || *count > HG_REQUEUE_MAX || *count == 0)
		return 0;
	if ((st = db_stmt(d, STMT_REPLAY)) == NULL)
		return -1;
	db_ops_bind_filter(st, sc, &f, lo, hi);
	if (db_exec(d, st) == -1)
		return -1;
	*replayed = sqlite3_changes(d->h);
	return 0;
}

int
db_event_delete(struct db *d, const struct db_scope *sc, long long id)
{
	enum event_state	 s;
	sqlite3_stmt		*st;
	int			 rc, shared;

	if ((rc = event_state_in(d, sc, id, &s, &shared)) != 1)
		return rc;
	/* A worker holds it: its writes would find it gone. */
	if (s == EVENT_PROCESSING)
		return 2;
	if (shared)
		return 3;
	if ((st = db_stmt(d, STMT_EVENT_DELETE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

int
db_dead_letters(struct db *d, const struct db_scope *sc,
    void (*fn)(void *, const char *, long long, long long, long long,
    long long), void *arg)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_DEAD_GROUPS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sc->workspace);
	sqlite3_bind_int(st, 2, sc->operator != 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, db_ops_text(st, 0), sqlite3_column_int64(st, 1),
		    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
		    sqlite3_column_int64(st, 4));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_channel_list(struct db *d, long long workspace,
    void (*fn)(void *, const struct db_channel_row *), void *arg)
{
	struct db_channel_row	 c;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_CHANNEL_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c.id = sqlite3_column_int64(st, 0);
		c.kind = db_ops_text(st, 1);
		c.meta_id = db_ops_text(st, 2);
		c.name = db_ops_text(st, 3);
		c.token_status = db_ops_text(st, 4);
		c.last_event_at = sqlite3_column_int64(st, 5);
		c.token_expires_at = sqlite3_column_int64(st, 6);
		c.subscribed_fields = db_ops_text(st, 7);
		if (c.subscribed_fields == NULL)
			c.subscribed_fields = "";
		c.human_agent = sqlite3_column_int(st, 8);
		c.send_rate = sqlite3_column_int64(st, 9);
		c.mark_read = sqlite3_column_int(st, 10);
		fn(arg, &c);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_channel_reroute(struct db *d, long long id, const char *kind,
    const char *meta_id, long long *count)
{
	sqlite3_stmt	*st;
	const char	*object =
			    event_platform_objects[event_platform_of_kind(kind)];
	long long	*ids = NULL, *p;
	size_t		 n = 0, cap = 0, i;
	int		 rc, ret = -1;

	*count = 0;
	if (object == NULL)
		return 0;
	/* The ids first: the updates take them out of the index the
	 * search reads. */
	if ((st = db_stmt(d, STMT_REROUTE_FIND)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, meta_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((p = realloc(ids, cap * sizeof(*ids))) == NULL) {
				sqlite3_reset(st);
				d->err = DB_ERROR;
				goto out;
			}
			ids = p;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_fail(d, rc);
		goto out;
	}
	d->nchan = 0;
	for (i = 0; i < n; i++) {
		if ((st = db_stmt(d, STMT_REROUTE_SET)) == NULL)
			goto out;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int64(st, 2, id);
		sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
		if (db_exec(d, st) == -1 || db_event_route(d, ids[i], id) == -1)
			goto out;
	}
	/* Its last event is the newest of them (ids ascend). */
	if (n > 0) {
		if ((st = db_stmt(d, STMT_REROUTE_LAST)) == NULL)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, ids[n - 1]);
		if (db_exec(d, st) == -1)
			goto out;
	}
	*count = (long long)n;
	ret = 0;
out:
	free(ids);
	return ret;
}

int
db_channel_connect(struct db *d, long long workspace, const char *kind,
    const char *meta_id, const char *name, long long *id,
    long long *rerouted)
{
	sqlite3_stmt	*st;
	int		 rc;

	*rerouted = 0;
	d->nchan = 0;
	if ((st = db_stmt(d, STMT_CHANNEL_CONNECT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, meta_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (long long)time(NULL));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return db_fail(d, rc);
	return db_channel_reroute(d, *id, kind, meta_id, rerouted) == -1 ?
	    -1 : 1;
}
