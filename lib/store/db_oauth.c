/*
 * db_oauth: Login states, meta_login, the picker's choices, channels
 * connected by a Login, and Meta's revocation and erasure callbacks.
 * See db_oauth.h; the SQL is in db.c's statement table.
 */
#include <stdio.h>
#include <string.h>

#include "db_channel.h"
#include "db_int.h"

int
db_oauth_nonce_use(struct db *d, const char *nonce, long long expires_at,
    long long now)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_OAUTH_NONCE_PRUNE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	if (db_exec(d, st) == -1 ||
	    (st = db_stmt(d, STMT_OAUTH_NONCE_ADD)) == NULL)
		return -1;
	db_bind_text(st, 1, nonce);
	sqlite3_bind_int64(st, 2, expires_at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

/* Bind a sealed token (a blob), or NULL. */
static void
bind_sealed(sqlite3_stmt *st, int i, const struct buf *b)
{
	if (b == NULL || b->len == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_blob(st, i, b->data, (int)b->len, SQLITE_STATIC);
}

int
db_meta_login_put(struct db *d, struct db_meta_login *l)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_META_LOGIN_PUT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, l->workspace_id);
	db_bind_text(st, 2, l->platform);
	db_bind_text(st, 3, l->meta_user_id);
	db_bind_text(st, 4, l->name != NULL ? l->name : "");
	bind_sealed(st, 5, l->token_sealed);
	sqlite3_bind_int64(st, 6, l->token_expires_at);
	sqlite3_bind_int64(st, 7, l->data_access_expires_at);
	db_bind_text(st, 8, l->scopes != NULL ? l->scopes : "");
	db_bind_text(st, 9, l->declined != NULL ? l->declined : "");
	sqlite3_bind_int64(st, 10, l->now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		l->id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(d, rc);
}

int
db_oauth_pick_add(struct db *d, const char *id_hash, const char *session_id,
    long long user, long long workspace, long long login,
    const struct buf *sealed, long long expires_at, long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_OAUTH_PICK_PRUNE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	if (db_exec(d, st) == -1 ||
	    (st = db_stmt(d, STMT_OAUTH_PICK_ADD)) == NULL)
		return -1;
	db_bind_text(st, 1, id_hash);
	db_bind_text(st, 2, session_id);
	sqlite3_bind_int64(st, 3, user);
	sqlite3_bind_int64(st, 4, workspace);
	sqlite3_bind_int64(st, 5, login);
	bind_sealed(st, 6, sealed);
	sqlite3_bind_int64(st, 7, expires_at);
	return db_exec(d, st);
}

int
db_oauth_pick_take(struct db *d, const char *id_hash, const char *session_id,
    long long now, long long *workspace, long long *login, struct buf *sealed)
{
	sqlite3_stmt	*st;
	int		 rc, ret = 0;

	if ((st = db_stmt(d, STMT_OAUTH_PICK_TAKE)) == NULL)
		return -1;
	db_bind_text(st, 1, id_hash);
	db_bind_text(st, 2, session_id);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*workspace = sqlite3_column_int64(st, 0);
		*login = sqlite3_column_int64(st, 1);
		ret = buf_add(sealed, sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2)) == -1 ? -1 : 1;
		/* Run to the end, so the deletion happens. */
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(d, rc);
	return ret;
}

int
db_channel_login(struct db *d, const struct db_channel_conn *c,
    long long *id, long long *rerouted)
{
	sqlite3_stmt	*st;
	int		 rc, ret;

	*rerouted = 0;
	if (db_begin(d) == -1)
		return -1;
	d->nchan = 0;
	if ((st = db_stmt(d, STMT_CHANNEL_LOGIN)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, c->workspace_id);
	db_bind_text(st, 2, c->kind);
	db_bind_text(st, 3, c->meta_id);
	db_bind_text(st, 4, c->parent_meta_id);
	db_bind_text(st, 5, c->name != NULL ? c->name : "");
	bind_sealed(st, 6, c->token_sealed);
	sqlite3_bind_int64(st, 7, c->token_expires_at);
	db_bind_text(st, 8, c->subscribed_fields != NULL ?
	    c->subscribed_fields : "");
	if (c->meta_login_id > 0)
		sqlite3_bind_int64(st, 9, c->meta_login_id);
	else
		sqlite3_bind_null(st, 9);
	db_bind_text(st, 10, c->token_kind != NULL ? c->token_kind : "none");
	sqlite3_bind_int64(st, 11, c->now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			db_fail(d, rc);
			goto fail;
		}
		ret = 1;
	} else {
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			db_fail(d, rc);
			goto fail;
		}
		ret = 0;
	}
	/* Its earlier events, as any way of connecting does. */
	if (ret == 1 && db_channel_reroute(d, *id, c->kind, c->meta_id,
	    rerouted) == -1)
		goto fail;
	if (db_commit(d) == -1)
		goto fail;
	return ret;
fail:
	db_rollback(d);
	return -1;
}

/* Run statement s with (text id, integer arg: a time or a channel)
 * bindings (arg only when with_arg), adding the rows it changed to *n
 * (may be NULL); 0 or -1. */
static int
run_id(struct db *d, enum stmt s, const char *id, int with_arg,
    long long arg, long long *n)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	db_bind_text(st, 1, id);
	if (with_arg)
		sqlite3_bind_int64(st, 2, arg);
	if (db_exec(d, st) == -1)
		return -1;
	if (n != NULL)
		*n += sqlite3_changes(d->h);
	return 0;
}

/* Revoke statement s for (meta_user_id, now, platform), adding the
 * rows changed to *n; 0 or -1. */
static int
run_revoke(struct db *d, enum stmt s, const char *id, long long now,
    const char *platform, long long *n)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	db_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	db_bind_text(st, 3, platform);
	if (db_exec(d, st) == -1)
		return -1;
	*n += sqlite3_changes(d->h);
	return 0;
}

int
db_oauth_revoke(struct db *d, const char *meta_user_id, const char *platform,
    long long now, long long *logins, long long *channels)
{
	long long nl = 0, nc = 0;

	if (db_begin(d) == -1)
		return -1;
	if (run_revoke(d, STMT_OAUTH_CHANNELS_REVOKE, meta_user_id, now,
	    platform, &nc) == -1 ||
	    run_revoke(d, STMT_OAUTH_LOGINS_REVOKE, meta_user_id, now,
	    platform, &nl) == -1 || db_commit(d) == -1) {
		db_rollback(d);
		return -1;
	}
	if (logins != NULL)
		*logins = nl;
	if (channels != NULL)
		*channels = nc;
	return 0;
}

void
db_erase_summary(const struct db_erase *e, char *out, size_t outsz)
{
	int n;

	n = snprintf(out, outsz, "%lld Facebook or Instagram login%s and "
	    "%lld channel token%s derived from them; as a contact: "
	    "%lld contact record%s, %lld conversation%s, %lld message%s; "
	    "%lld raw webhook event%s naming the person, from which %lld "
	    "entr%s about the person %s removed (entries about other people "
	    "in the same deliveries were kept).",
	    e->logins, e->logins == 1 ? "" : "s",
	    e->tokens, e->tokens == 1 ? "" : "s",
	    e->contacts, e->contacts == 1 ? "" : "s",
	    e->conversations, e->conversations == 1 ? "" : "s",
	    e->messages, e->messages == 1 ? "" : "s",
	    e->events, e->events == 1 ? "" : "s",
	    e->items, e->items == 1 ? "y" : "ies",
	    e->items == 1 ? "was" : "were");
	if (e->busy > 0 && n > 0 && (size_t)n < outsz)
		snprintf(out + n, outsz - (size_t)n, " %lld raw event%s being "
		    "processed at that moment could not be changed; what "
		    "processing stored from %s was erased with the rest.",
		    e->busy, e->busy == 1 ? " was" : "s were",
		    e->busy == 1 ? "it" : "them");
}

int
db_erase_logins(struct db *d, const char *meta_user_id, long long now,
    struct db_erase *e)
{
	if (db_begin(d) == -1)
		return -1;
	if (run_id(d, STMT_ERASE_CHANNEL_TOKENS, meta_user_id, 1, now,
	    &e->tokens) == -1 ||
	    run_id(d, STMT_ERASE_LOGINS, meta_user_id, 0, 0, &e->logins) == -1 ||
	    db_commit(d) == -1) {
		db_rollback(d);
		return -1;
	}
	return 0;
}

int
db_erase_contact(struct db *d, const char *meta_user_id, long long channel_id,
    struct db_erase *e)
{
	if (db_begin(d) == -1)
		return -1;
	if (run_id(d, STMT_ERASE_MESSAGES, meta_user_id, 1, channel_id,
	    &e->messages) == -1 ||
	    run_id(d, STMT_ERASE_CONVERSATIONS, meta_user_id, 1, channel_id,
	    &e->conversations) == -1 ||
	    run_id(d, STMT_ERASE_CONTACTS, meta_user_id, 1, channel_id,
	    &e->contacts) == -1 || db_commit(d) == -1) {
		db_rollback(d);
		return -1;
	}
	return 0;
}

int
db_erase_max_id(struct db *d, long long *max)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_ERASE_MAX_ID)) == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*max = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(d, rc);
}

int
db_erase_scan(struct db *d, long long after, long long upto,
    const char *needle, long long channel_id, long long *ids, size_t max,
    size_t *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	*n = 0;
	if ((st = db_stmt(d, STMT_ERASE_SCAN)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, upto);
	sqlite3_bind_blob(st, 3, needle, (int)strlen(needle), SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (long long)max);
	sqlite3_bind_int64(st, 5, channel_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_fail(d, rc);
}

int
db_erase_events(struct db *d, const long long *ids, size_t n,
    db_rewrite_fn fn, void *arg, long long *changed, long long *busy)
{
	sqlite3_stmt		*st;
	struct buf		 out;
	const unsigned char	*state;
	size_t			 i;
	int			 rc, r;

	buf_init(&out, HG_ERASE_BODY_MAX);
	if (db_begin(d) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((st = db_stmt(d, STMT_ERASE_EVENT_GET)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, ids[i]);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
			sqlite3_reset(st);
			if (rc == SQLITE_DONE)
				continue;	/* deleted meanwhile */
			db_fail(d, rc);
			goto fail;
		}
		state = sqlite3_column_text(st, 1);
		if (state != NULL && strcmp((const char *)state,
		    "processing") == 0) {
			sqlite3_reset(st);
			(*busy)++;
			continue;
		}
		buf_reset(&out);
		r = fn(arg, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), &out);
		sqlite3_reset(st);
		if (r == -1)
			goto fail;
		if (r == 0)
			continue;
		if ((st = db_stmt(d, STMT_ERASE_EVENT_PUT)) == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_blob(st, 2, out.data != NULL ? out.data : "",
		    (int)out.len, SQLITE_STATIC);
		if (db_exec(d, st) == -1)
			goto fail;
		*changed += sqlite3_changes(d->h);
	}
	if (db_commit(d) == -1)
		goto fail;
	buf_free(&out);
	return 0;
fail:
	db_rollback(d);
	buf_free(&out);
	return -1;
}

int
db_deletion_claim(struct db *d, const char *request_sha256, const char *code,
    long long now, char *have, size_t havesz)
{
	sqlite3_stmt		*st;
	const unsigned char	*t;
	int			 rc;

	if ((st = db_stmt(d, STMT_DELETION_CLAIM)) == NULL)
		return -1;
	db_bind_text(st, 1, code);
	sqlite3_bind_int64(st, 2, now);
	db_bind_text(st, 3, request_sha256);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		snprintf(have, havesz, "%s", code);
		return rc == SQLITE_DONE ? 1 : db_fail(d, rc);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(d, rc);
	if ((st = db_stmt(d, STMT_DELETION_BY_REQUEST)) == NULL)
		return -1;
	db_bind_text(st, 1, request_sha256);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		t = sqlite3_column_text(st, 0);
		snprintf(have, havesz, "%s", t != NULL ? (const char *)t : "");
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	return db_fail(d, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
}

int
db_deletion_done(struct db *d, const char *code, const char *summary,
    long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_DELETION_DONE)) == NULL)
		return -1;
	db_bind_text(st, 1, code);
	db_bind_text(st, 2, summary);
	sqlite3_bind_int64(st, 3, now);
	return db_exec(d, st);
}

int
db_deletion_find(struct db *d, const char *code, long long *at,
    char *summary, size_t summarysz, int *done)
{
	sqlite3_stmt		*st;
	const unsigned char	*t;
	int			 rc;

	if ((st = db_stmt(d, STMT_DELETION_FIND)) == NULL)
		return -1;
	db_bind_text(st, 1, code);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*at = sqlite3_column_int64(st, 0);
		t = sqlite3_column_text(st, 1);
		snprintf(summary, summarysz, "%s", t != NULL ?
		    (const char *)t : "");
		*done = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}
