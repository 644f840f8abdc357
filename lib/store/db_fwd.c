/*
 * db_fwd: forwarding's destinations, deliveries and attempts.  See
 * db_fwd.h; the events themselves are written by schema.sql's
 * triggers.
 */
#include <string.h>

#include "db_int.h"

const char *const db_fwd_state_names[DB_FWD_STATE__MAX] = {
	"pending", "delivered", "dead",
};

/* Bind a destination's fields (?3 to ?11 as the update takes them). */
static void
bind_dest(sqlite3_stmt *st, int base, const struct db_fwd_dest_in *in)
{
	db_bind_text(st, base, in->url);
	db_bind_text(st, base + 1, in->description != NULL ?
	    in->description : "");
	db_bind_text(st, base + 2, in->events);
	db_bind_text(st, base + 3, in->channels != NULL ? in->channels : "[]");
	db_bind_text(st, base + 4, in->platforms != NULL ?
	    in->platforms : "[]");
	sqlite3_bind_int(st, base + 5, in->include_raw != 0);
	sqlite3_bind_int(st, base + 6, in->enabled != 0);
	sqlite3_bind_int(st, base + 7, in->ordered != 0);
	sqlite3_bind_int64(st, base + 8, in->rate_per_s);
}

/* Bind n bytes at p as a blob, or NULL. */
static void
bind_blob(sqlite3_stmt *st, int i, const void *p, size_t n)
{
	if (p == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_blob64(st, i, p, n, SQLITE_TRANSIENT);
}

int
db_fwd_dest_add(struct db *d, const struct db_fwd_dest_in *in,
    const void *secret, size_t secret_len, long long *id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_FWD_DEST_ADD)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, in->workspace_id);
	bind_dest(st, 2, in);
	bind_blob(st, 11, secret, secret_len);
	bind_blob(st, 12, in->headers, in->headers_len);
	sqlite3_bind_int64(st, 13, in->now_ms);
	if (db_exec(d, st) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(d->h);
	return 0;
}

int
db_fwd_dest_update(struct db *d, const struct db_fwd_dest_in *in)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_FWD_DEST_UPDATE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, in->id);
	sqlite3_bind_int64(st, 2, in->workspace_id);
	bind_dest(st, 3, in);
	sqlite3_bind_int(st, 12, in->set_headers != 0);
	bind_blob(st, 13, in->headers, in->headers_len);
	sqlite3_bind_int64(st, 14, in->now_ms);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

int
db_fwd_dest_delete(struct db *d, long long workspace, long long id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_FWD_DEST_DELETE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, workspace);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

/* A row of FWD_DEST_COLS into o. */
static void
dest_row(sqlite3_stmt *st, struct db_fwd_dest *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(st, 0);
	o->workspace_id = sqlite3_column_int64(st, 1);
	db_col_copy(st, 2, o->url, sizeof(o->url));
	db_col_copy(st, 3, o->description, sizeof(o->description));
	db_col_copy(st, 4, o->events, sizeof(o->events));
	db_col_copy(st, 5, o->channels, sizeof(o->channels));
	db_col_copy(st, 6, o->platforms, sizeof(o->platforms));
	o->include_raw = sqlite3_column_int(st, 7);
	o->enabled = sqlite3_column_int(st, 8);
	o->ordered = sqlite3_column_int(st, 9);
	o->rate_per_s = sqlite3_column_int64(st, 10);
	db_col_copy(st, 11, o->disabled_reason, sizeof(o->disabled_reason));
	o->failing_since_ms = sqlite3_column_int64(st, 12);
	o->last_attempt_ms = sqlite3_column_int64(st, 13);
	o->last_success_ms = sqlite3_column_int64(st, 14);
	o->last_status = sqlite3_column_int64(st, 15);
	db_col_copy(st, 16, o->last_error, sizeof(o->last_error));
	o->created_ms = sqlite3_column_int64(st, 17);
	o->updated_ms = sqlite3_column_int64(st, 18);
	o->has_headers = sqlite3_column_int(st, 19);
	o->old_secret_until_ms = sqlite3_column_int64(st, 20);
	o->backlog = sqlite3_column_int64(st, 21);
	o->dead = sqlite3_column_int64(st, 22);
	o->attempts_24h = sqlite3_column_int64(st, 23);
	o->ok_24h = sqlite3_column_int64(st, 24);
	o->avg_ms_24h = sqlite3_column_int64(st, 25);
}

int
db_fwd_dest_get(struct db *d, long long workspace, long long id,
    long long since_ms, struct db_fwd_dest *o)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_FWD_DEST_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, since_ms);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		dest_row(st, o);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_fwd_dest_list(struct db *d, long long workspace, long long since_ms,
    void (*fn)(void *, const struct db_fwd_dest *), void *arg)
{
	struct db_fwd_dest	 o;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_FWD_DEST_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 3, since_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		dest_row(st, &o);
		fn(arg, &o);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_fwd_dest_secret(struct db *d, long long workspace, long long id,
    const void *secret, size_t secret_len, const void *old, size_t old_len,
    long long old_until_ms, long long now_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_FWD_DEST_SECRET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, workspace);
	bind_blob(st, 3, secret, secret_len);
	bind_blob(st, 4, old, old_len);
	if (old != NULL)
		sqlite3_bind_int64(st, 5, old_until_ms);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int64(st, 6, now_ms);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

/* Append blob column i of st to b. */
static void
col_blob(sqlite3_stmt *st, int i, struct buf *b)
{
	const void	*p = sqlite3_column_blob(st, i);
	int		 n = sqlite3_column_bytes(st, i);

	if (p != NULL && n > 0)
		buf_add(b, p, (size_t)n);
}

int
db_fwd_dest_keys(struct db *d, long long id, long long *workspace,
    struct buf *secret, struct buf *old, long long *old_until_ms,
    struct buf *headers)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_FWD_DEST_KEYS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*workspace = sqlite3_column_int64(st, 0);
		col_blob(st, 1, secret);
		col_blob(st, 2, old);
		*old_until_ms = sqlite3_column_int64(st, 3);
		col_blob(st, 4, headers);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_fwd_due(struct db *d, long long now_ms, long long after,
    void (*fn)(void *, const struct db_fwd_due *), void *arg)
{
	struct db_fwd_due	 o;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_FWD_DUE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_int64(st, 2, after);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&o, 0, sizeof(o));
		o.id = sqlite3_column_int64(st, 0);
		o.workspace_id = sqlite3_column_int64(st, 1);
		o.rate_per_s = sqlite3_column_int64(st, 2);
		db_col_copy(st, 3, o.url, sizeof(o.url));
		o.ordered = sqlite3_column_int(st, 4);
		o.include_raw = sqlite3_column_int(st, 5);
		o.last_ms = sqlite3_column_int64(st, 6);
		fn(arg, &o);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_fwd_head(struct db *d, const struct db_fwd_due *dest, long long now_ms,
    long long *id, long long *attempts, long long *next_ms, char uid[64],
    struct buf *body)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_FWD_HEAD)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, dest->id);
	sqlite3_bind_int(st, 2, dest->ordered != 0);
	sqlite3_bind_int64(st, 3, now_ms);
	sqlite3_bind_int(st, 4, dest->include_raw != 0);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 4);

		*id = sqlite3_column_int64(st, 0);
		*attempts = sqlite3_column_int64(st, 1);
		*next_ms = sqlite3_column_int64(st, 2);
		db_col_copy(st, 3, uid, 64);
		buf_reset(body);
		if (s != NULL)
			buf_add(body, s, (size_t)sqlite3_column_bytes(st, 4));
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_fwd_next_due(struct db *d, long long *ms)
{
	return db_int(d, STMT_FWD_NEXT_DUE, ms);
}

int
db_fwd_record(struct db *d, const struct db_fwd_outcome *o)
{
	sqlite3_stmt	*st;
	long long	 end = o->started_ms + o->duration_ms;
	int		 rc, off = 0;

	if ((st = db_stmt(d, STMT_FWD_ATTEMPT_ADD)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, o->delivery_id);
	sqlite3_bind_int64(st, 2, o->destination_id);
	sqlite3_bind_int64(st, 3, o->started_ms);
	sqlite3_bind_int64(st, 4, o->duration_ms);
	sqlite3_bind_int(st, 5, o->status);
	db_bind_text(st, 6, o->error);
	db_bind_text(st, 7, o->response);
	db_bind_text(st, 8, o->uid);
	if (db_exec(d, st) == -1)
		return -1;
	if (sqlite3_changes(d->h) == 0)
		return 0;
	if ((st = db_stmt(d, STMT_FWD_DELIVERY_SET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, o->delivery_id);
	db_bind_text(st, 2, db_fwd_state_names[o->state]);
	sqlite3_bind_int64(st, 3, o->state == DB_FWD_PENDING ? o->next_ms : 0);
	sqlite3_bind_int(st, 4, o->status);
	db_bind_text(st, 5, o->error);
	sqlite3_bind_int64(st, 6, end);
	if (db_exec(d, st) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_FWD_DEST_OUTCOME)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, o->destination_id);
	sqlite3_bind_int64(st, 2, end);
	sqlite3_bind_int(st, 3, o->status);
	db_bind_text(st, 4, o->error);
	db_bind_text(st, 5, o->disable);
	sqlite3_bind_int64(st, 6, o->disable_after_ms > 0 ?
	    end - o->disable_after_ms : 0);
	db_bind_text(st, 7, "failing without a success for 5 days");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		off = sqlite3_column_int(st, 0);
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(d, rc);
	return off;
}

/* A row of FWD_DELIVERY_COLS into o. */
static void
delivery_row(sqlite3_stmt *st, struct db_fwd_delivery *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(st, 0);
	o->destination_id = sqlite3_column_int64(st, 1);
	o->event_id = sqlite3_column_int64(st, 2);
	db_col_copy(st, 3, o->uid, sizeof(o->uid));
	db_col_copy(st, 4, o->type, sizeof(o->type));
	db_col_copy(st, 5, o->state, sizeof(o->state));
	o->attempts = sqlite3_column_int64(st, 6);
	o->next_attempt_ms = sqlite3_column_int64(st, 7);
	o->last_status = sqlite3_column_int64(st, 8);
	db_col_copy(st, 9, o->last_error, sizeof(o->last_error));
	o->created_ms = sqlite3_column_int64(st, 10);
	o->done_ms = sqlite3_column_int64(st, 11);
}

int
db_fwd_deliveries(struct db *d, long long workspace, long long dest,
    const char *state, long long before, int limit,
    void (*fn)(void *, const struct db_fwd_delivery *), void *arg)
{
	struct db_fwd_delivery	 o;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_FWD_DELIVERIES)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, dest);
	db_bind_text(st, 3, state);
	sqlite3_bind_int64(st, 4, before);
	sqlite3_bind_int(st, 5, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		delivery_row(st, &o);
		fn(arg, &o);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_fwd_delivery_get(struct db *d, long long workspace, long long id,
    struct db_fwd_delivery *o)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_FWD_DELIVERY_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		delivery_row(st, o);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_fwd_attempts(struct db *d, long long id,
    void (*fn)(void *, const struct db_fwd_attempt *), void *arg)
{
	struct db_fwd_attempt	 o;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_FWD_ATTEMPTS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&o, 0, sizeof(o));
		o.id = sqlite3_column_int64(st, 0);
		o.started_ms = sqlite3_column_int64(st, 1);
		o.duration_ms = sqlite3_column_int64(st, 2);
		o.status = sqlite3_column_int64(st, 3);
		db_col_copy(st, 4, o.error, sizeof(o.error));
		db_col_copy(st, 5, o.response, sizeof(o.response));
		fn(arg, &o);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_fwd_resend(struct db *d, long long workspace, long long id,
    long long now_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_FWD_RESEND)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, now_ms);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

int
db_fwd_resend_dead(struct db *d, long long workspace, long long dest,
    long long now_ms, long long *n)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_FWD_RESEND_DEAD)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, dest);
	sqlite3_bind_int64(st, 3, now_ms);
	if (db_exec(d, st) == -1)
		return -1;
	*n = sqlite3_changes(d->h);
	return 0;
}

int
db_fwd_replay(struct db *d, long long workspace, long long dest,
    long long since_ms, long long until_ms, long long now_ms, long long *n)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_FWD_REPLAY)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, dest);
	sqlite3_bind_int64(st, 3, since_ms);
	sqlite3_bind_int64(st, 4, until_ms);
	sqlite3_bind_int64(st, 5, now_ms);
	sqlite3_bind_int(st, 6, HG_FWD_REPLAY_MAX);
	if (db_exec(d, st) == -1)
		return -1;
	*n = sqlite3_changes(d->h);
	return 0;
}

int
db_fwd_test(struct db *d, long long workspace, long long dest,
    long long now_ms, char uid[64])
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_FWD_TEST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, dest);
	sqlite3_bind_int64(st, 3, now_ms);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		db_col_copy(st, 0, uid, 64);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? 1 : db_fail(d, rc);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_fwd_prune(struct db *d, long long before_ms, int limit,
    long long *deleted)
{
	return db_run_prune(d, STMT_FWD_PRUNE, before_ms, limit, deleted);
}
