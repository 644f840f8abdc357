/*
 * db_channel_act: a channel's actions (rename, subscription,
 * disconnect), each within the caller's workspace.  See db_channel.h;
 * the SQL is in db.c's statement table.
 */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "db_channel.h"
#include "db_int.h"
#include "db_outbox.h"

int
db_channel_get(struct db *d, long long workspace, long long id,
    struct db_channel_one *c)
{
	sqlite3_stmt	*st;
	int		 rc, ret = 0;

	memset(c, 0, sizeof(*c));
	buf_init(&c->token_sealed, 4096);
	if ((st = db_stmt(d, STMT_CHANNEL_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, workspace);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_col_copy(st, 0, c->kind, sizeof(c->kind));
		db_col_copy(st, 1, c->meta_id, sizeof(c->meta_id));
		db_col_copy(st, 2, c->parent_meta_id, sizeof(c->parent_meta_id));
		db_col_copy(st, 3, c->name, sizeof(c->name));
		db_col_copy(st, 5, c->token_status, sizeof(c->token_status));
		db_col_copy(st, 6, c->token_kind, sizeof(c->token_kind));
		ret = 1;
		if (sqlite3_column_bytes(st, 4) > 0 && buf_add(&c->token_sealed,
		    sqlite3_column_blob(st, 4),
		    (size_t)sqlite3_column_bytes(st, 4)) == -1)
			ret = -1;
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(d, rc);
	return ret;
}

void
db_channel_one_free(struct db_channel_one *c)
{
	if (c->token_sealed.data != NULL)
		crypto_wipe(c->token_sealed.data, c->token_sealed.len);
	buf_free(&c->token_sealed);
	memset(c, 0, sizeof(*c));
}

/* Run statement s on (id, workspace, [text], now): 1 when a row
 * changed, 0 none, -1. */
static int
run(struct db *d, enum stmt s, long long workspace, long long id,
    const char *text, long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, workspace);
	if (text != NULL) {
		db_bind_text(st, 3, text);
		sqlite3_bind_int64(st, 4, now);
	} else
		sqlite3_bind_int64(st, 3, now);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0 ? 1 : 0;
}

int
db_channel_rename(struct db *d, long long workspace, long long id,
    const char *name, long long now)
{
	return run(d, STMT_CHANNEL_RENAME, workspace, id, name, now);
}

int
db_channel_set_fields(struct db *d, long long workspace, long long id,
    const char *fields, long long now)
{
	return run(d, STMT_CHANNEL_FIELDS, workspace, id,
	    fields != NULL ? fields : "", now);
}

int
db_channel_send_set(struct db *d, long long workspace, long long id,
    int human_agent, long long send_rate, int mark_read, long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_CHANNEL_SEND_SET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, workspace);
	sqlite3_bind_int(st, 3, human_agent);
	sqlite3_bind_int64(st, 4, send_rate);
	sqlite3_bind_int(st, 5, mark_read);
	sqlite3_bind_int64(st, 6, now);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0 ? 1 : 0;
}

int
db_channel_disconnect(struct db *d, long long workspace, long long id,
    long long now, long long *forgotten)
{
	static const enum stmt	 forget[] = { STMT_CHANNEL_FORGET_MESSAGES,
	    STMT_CHANNEL_FORGET_CONVERSATIONS, STMT_CHANNEL_FORGET_CONTACTS };
	sqlite3_stmt		*st;
	enum db_err		 e;
	long long		 n;
	size_t			 i;
	int			 rc;

	if (db_begin(d) == -1)
		return -1;
	if ((rc = run(d, STMT_CHANNEL_DISCONNECT, workspace, id, NULL,
	    now)) == 1 && db_outbox_channel_gone(d, id, "the channel was "
	    "disconnected", now * 1000, &n) == -1)
		rc = -1;
	/* Asked for: its conversations go too (their sends and media by
	 * cascade), the messages counted into *forgotten. */
	for (i = 0; rc == 1 && forgotten != NULL &&
	    i < sizeof(forget) / sizeof(forget[0]); i++) {
		if ((st = db_stmt(d, forget[i])) == NULL) {
			rc = -1;
			break;
		}
		sqlite3_bind_int64(st, 1, id);
		if (db_exec(d, st) == -1)
			rc = -1;
		else if (i == 0)
			*forgotten = sqlite3_changes(d->h);
	}
	if (rc == 1 && db_commit(d) == 0)
		return 1;
	e = d->err;
	db_rollback(d);
	d->err = e;
	return rc == 0 ? 0 : -1;
}

/* One integer of statement s on (a): 1 with *v, 0 no row, -1. */
static int
one_int(struct db *d, enum stmt s, long long a, long long *v)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_channel_move(struct db *d, long long id, long long to_ws, long long now,
    long long *from_ws)
{
	static const enum stmt	 steps[] = { STMT_CHANNEL_MOVE,
	    STMT_CHANNEL_MOVE_CONTACTS, STMT_CHANNEL_MOVE_CONVERSATIONS,
	    STMT_CHANNEL_MOVE_OUTBOX, STMT_CHANNEL_MOVE_MEDIA };
	sqlite3_stmt		*st;
	long long		 from = 0, n = 0;
	size_t			 i;
	int			 rc;

	if (db_begin(d) == -1)
		return -1;
	if ((rc = one_int(d, STMT_CHANNEL_WORKSPACE, id, &from)) == 1 &&
	    (rc = one_int(d, STMT_WORKSPACE_EXISTS, to_ws, &n)) == 1)
		rc = n == 0 ? 2 : from == to_ws ? 3 : 1;
	if (rc != 1) {
		db_rollback(d);
		return rc;
	}
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if ((st = db_stmt(d, steps[i])) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, to_ws);
		if (steps[i] == STMT_CHANNEL_MOVE)
			sqlite3_bind_int64(st, 3, now);
		if (db_exec(d, st) == -1)
			goto fail;
	}
	if (db_commit(d) == -1)
		goto fail;
	if (from_ws != NULL)
		*from_ws = from;
	return 1;
fail:
	db_rollback(d);
	return -1;
}
