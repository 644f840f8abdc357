/*
 * db_media: inbound media items and contact profiles.  See db_media.h;
 * the SQL is in db.c's statement table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

const char *const media_state_names[MEDIA_STATE__MAX] = {
	[MEDIA_PENDING] = "pending",
	[MEDIA_READY] = "ready",
	[MEDIA_UNAVAILABLE] = "unavailable",
};

int
media_state_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < MEDIA_STATE__MAX; i++)
		if (strcmp(s, media_state_names[i]) == 0)
			return i;
	return -1;
}

/* A malloc'd copy of blob column i into *p, *n; 0 or -1. */
static int
col_blob(sqlite3_stmt *st, int i, unsigned char **p, size_t *n)
{
	const void	*b = sqlite3_column_blob(st, i);
	int		 len = sqlite3_column_bytes(st, i);

	*p = NULL;
	*n = 0;
	if (b == NULL || len <= 0)
		return 0;
	if ((*p = malloc((size_t)len)) == NULL)
		return -1;
	memcpy(*p, b, (size_t)len);
	*n = (size_t)len;
	return 0;
}

/* Roll back an own transaction, keeping the failure's class. */
static int
undo(struct db *d)
{
	enum db_err e = d->err;

	db_rollback(d);
	d->err = e != DB_OK ? e : DB_ERROR;
	return -1;
}

int
db_media_from_message(struct db *d, long long message, long long conv,
    const char *atts, long long now_ms)
{
	sqlite3_stmt *st;

	if (atts == NULL)
		return 0;
	if ((st = db_stmt(d, STMT_MEDIA_FROM_MESSAGE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, message);
	db_bind_text(st, 2, atts);
	sqlite3_bind_int64(st, 3, now_ms);
	sqlite3_bind_int64(st, 4, conv);
	return db_exec(d, st);
}

void
db_media_job_clear(struct db_media_job *j)
{
	if (j->token_sealed != NULL)
		free(j->token_sealed);
	memset(j, 0, sizeof(*j));
}

int
db_media_claim(struct db *d, long long now, long long retry_ms,
    struct db_media_job *j)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(j, 0, sizeof(*j));
	if (db_begin(d) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_MEDIA_CANDIDATE)) == NULL)
		return undo(d);
	sqlite3_bind_int64(st, 1, now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		j->id = sqlite3_column_int64(st, 0);
		j->channel_id = sqlite3_column_int64(st, 1);
		db_col_copy(st, 2, j->source, sizeof(j->source));
		db_col_copy(st, 3, j->source_kind, sizeof(j->source_kind));
		db_col_copy(st, 4, j->type, sizeof(j->type));
		j->attempts = sqlite3_column_int(st, 5) + 1;
		db_col_copy(st, 6, j->channel_kind, sizeof(j->channel_kind));
		db_col_copy(st, 7, j->channel_meta_id, sizeof(j->channel_meta_id));
		if (col_blob(st, 8, &j->token_sealed, &j->token_len) == -1) {
			sqlite3_reset(st);
			db_media_job_clear(j);
			d->err = DB_ERROR;
			return undo(d);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE) {
			db_fail(d, rc);
			return undo(d);
		}
		return db_commit(d) == -1 ? undo(d) : 0;
	}
	if ((st = db_stmt(d, STMT_MEDIA_TAKE)) == NULL)
		goto err;
	sqlite3_bind_int64(st, 1, j->id);
	sqlite3_bind_int64(st, 2, retry_ms);
	if (db_exec(d, st) == -1 || db_commit(d) == -1)
		goto err;
	return 1;
err:
	db_media_job_clear(j);
	return undo(d);
}

int
db_media_ready(struct db *d, long long id, const char *ctype, long long size,
    const char *sha, long long now_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_MEDIA_READY)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, ctype);
	sqlite3_bind_int64(st, 3, size);
	db_bind_text(st, 4, sha);
	sqlite3_bind_int64(st, 5, now_ms);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0 ? 1 : 0;
}

int
db_media_retry(struct db *d, long long id, long long next_ms,
    const char *reason)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_MEDIA_RETRY)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, next_ms);
	db_bind_text(st, 3, reason);
	return db_exec(d, st);
}

int
db_media_give_up(struct db *d, long long id, const char *reason)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_MEDIA_GIVE_UP)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, reason);
	return db_exec(d, st);
}

int
db_media_next_due(struct db *d, long long *at)
{
	sqlite3_stmt	*st;
	int		 rc;

	*at = 0;
	if ((st = db_stmt(d, STMT_MEDIA_NEXT_DUE)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		*at = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_media_expired(struct db *d, long long before_ms, long long *ids, int n,
    int *got)
{
	sqlite3_stmt	*st;
	int		 rc;

	*got = 0;
	if ((st = db_stmt(d, STMT_MEDIA_EXPIRED)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before_ms);
	sqlite3_bind_int(st, 2, n);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *got < n)
		ids[(*got)++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_media_gone(struct db *d, long long *ids, int n, int *got)
{
	sqlite3_stmt	*st;
	int		 rc;

	*got = 0;
	if ((st = db_stmt(d, STMT_MEDIA_GONE_LIST)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, n);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *got < n)
		ids[(*got)++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_media_gone_drop(struct db *d, long long id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_MEDIA_GONE_DROP)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec(d, st);
}

int
db_media_expire(struct db *d, long long id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_MEDIA_EXPIRE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec(d, st);
}

int
db_media_is_ready(struct db *d, long long id)
{
	sqlite3_stmt	*st;
	int		 rc, ready = 0;

	if ((st = db_stmt(d, STMT_MEDIA_IS_READY)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		ready = sqlite3_column_int(st, 0) > 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? ready : db_fail(d, rc);
}

int
db_media_get(struct db *d, long long ws, long long id,
    struct db_media_row *m)
{
	sqlite3_stmt	*st;
	char		 state[16];
	int		 rc;

	memset(m, 0, sizeof(*m));
	if ((st = db_stmt(d, STMT_MEDIA_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, ws);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_col_copy(st, 0, state, sizeof(state));
		m->state = media_state_parse(state) < 0 ? MEDIA_UNAVAILABLE :
		    (enum media_state)media_state_parse(state);
		db_col_copy(st, 1, m->type, sizeof(m->type));
		db_col_copy(st, 2, m->content_type, sizeof(m->content_type));
		m->size = sqlite3_column_int64(st, 3);
		db_col_copy(st, 4, m->name, sizeof(m->name));
		db_col_copy(st, 5, m->reason, sizeof(m->reason));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_media_of_message(struct db *d, long long message,
    void (*fn)(void *, long long, int, enum media_state, const char *),
    void *arg)
{
	sqlite3_stmt	*st;
	int		 rc, s;

	if ((st = db_stmt(d, STMT_MEDIA_OF_MESSAGE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, message);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = media_state_parse((const char *)sqlite3_column_text(st, 2));
		fn(arg, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
		    s < 0 ? MEDIA_UNAVAILABLE : (enum media_state)s,
		    (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_media_picture(struct db *d, long long contact, long long *id)
{
	sqlite3_stmt	*st;
	int		 rc;

	*id = 0;
	if ((st = db_stmt(d, STMT_MEDIA_PICTURE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, contact);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

void
db_profile_job_clear(struct db_profile_job *j)
{
	if (j->token_sealed != NULL)
		free(j->token_sealed);
	memset(j, 0, sizeof(*j));
}

int
db_profile_claim(struct db *d, long long stale_ms, long long now_ms,
    struct db_profile_job *j)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(j, 0, sizeof(*j));
	if (db_begin(d) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_PROFILE_CANDIDATE)) == NULL)
		return undo(d);
	sqlite3_bind_int64(st, 1, stale_ms);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		j->contact_id = sqlite3_column_int64(st, 0);
		j->workspace_id = sqlite3_column_int64(st, 1);
		j->channel_id = sqlite3_column_int64(st, 2);
		db_col_copy(st, 3, j->person, sizeof(j->person));
		db_col_copy(st, 4, j->channel_kind, sizeof(j->channel_kind));
		db_col_copy(st, 5, j->channel_meta_id, sizeof(j->channel_meta_id));
		db_col_copy(st, 6, j->token_kind, sizeof(j->token_kind));
		if (col_blob(st, 7, &j->token_sealed, &j->token_len) == -1) {
			sqlite3_reset(st);
			db_profile_job_clear(j);
			d->err = DB_ERROR;
			return undo(d);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE) {
			db_fail(d, rc);
			return undo(d);
		}
		return db_commit(d) == -1 ? undo(d) : 0;
	}
	if ((st = db_stmt(d, STMT_PROFILE_TAKE)) == NULL)
		goto err;
	sqlite3_bind_int64(st, 1, j->contact_id);
	sqlite3_bind_int64(st, 2, now_ms);
	if (db_exec(d, st) == -1 || db_commit(d) == -1)
		goto err;
	return 1;
err:
	db_profile_job_clear(j);
	return undo(d);
}

int
db_profile_set(struct db *d, const struct db_profile_job *j,
    const char *name, const char *picture_url, const char *error,
    long long tried_ms, long long now_ms)
{
	sqlite3_stmt	*st;
	long long	 pic = 0;

	if (db_begin(d) == -1)
		return -1;
	if (picture_url != NULL) {
		if ((st = db_stmt(d, STMT_PROFILE_PICTURE_ADD)) == NULL)
			return undo(d);
		sqlite3_bind_int64(st, 1, j->workspace_id);
		sqlite3_bind_int64(st, 2, j->channel_id);
		sqlite3_bind_int64(st, 3, j->contact_id);
		db_bind_text(st, 4, picture_url);
		sqlite3_bind_int64(st, 5, now_ms);
		if (db_exec(d, st) == -1)
			return undo(d);
		pic = sqlite3_last_insert_rowid(d->h);
	}
	if ((st = db_stmt(d, STMT_PROFILE_SET)) == NULL)
		return undo(d);
	sqlite3_bind_int64(st, 1, j->contact_id);
	db_bind_text(st, 2, name);
	if (pic > 0)
		sqlite3_bind_int64(st, 3, pic);
	else
		sqlite3_bind_null(st, 3);
	db_bind_text(st, 4, error);
	sqlite3_bind_int64(st, 5, tried_ms);
	if (db_exec(d, st) == -1 || db_commit(d) == -1)
		return undo(d);
	return 0;
}
