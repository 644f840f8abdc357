/*
 * db_user: users, memberships, sessions, API tokens, setup tokens, the
 * audit log and the sign-in throttle.  See db_user.h; the SQL is in
 * db.c's statement table.
 */
#include <stdio.h>
#include <string.h>

#include "db_int.h"

const char *const audit_actor_names[AUDIT_ACTOR__MAX] = {
	[AUDIT_USER] = "user",
	[AUDIT_TOKEN] = "token",
	[AUDIT_CRON] = "cron",
	[AUDIT_SYSTEM] = "system",
};

/* Step st, which returns at most one row, through read: 1 with the row
 * read, 0 none, -1; st is reset. */
static int
db_one(struct db *d, sqlite3_stmt *st, void (*read)(sqlite3_stmt *, void *),
    void *out)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		read(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(d, rc);
}

/* Run st (bound) and answer the number of rows it changed into *n
 * (may be NULL); 0 or -1. */
static int
db_changed(struct db *d, sqlite3_stmt *st, long long *n)
{
	if (db_exec(d, st) == -1)
		return -1;
	if (n != NULL)
		*n = sqlite3_changes(d->h);
	return 0;
}

static void
read_user(sqlite3_stmt *st, void *arg)
{
	struct db_user *u = arg;

	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	db_col_copy(st, 1, u->email, sizeof(u->email));
	db_col_copy(st, 2, u->name, sizeof(u->name));
	db_col_copy(st, 3, u->password_hash, sizeof(u->password_hash));
	u->operator = sqlite3_column_int(st, 4);
	u->disabled_at = sqlite3_column_int64(st, 5);
	u->created_at = sqlite3_column_int64(st, 6);
	if (sqlite3_column_count(st) > 7)
		db_col_copy(st, 7, u->role, sizeof(u->role));
}

int
db_user_add(struct db *d, const char *email, const char *name,
    const char *hash, int operator, long long now, long long *id)
{
	sqlite3_stmt	*st;
	long long	 n;

	if ((st = db_stmt(d, STMT_USER_ADD)) == NULL)
		return -1;
	db_bind_text(st, 1, email);
	db_bind_text(st, 2, name != NULL ? name : "");
	db_bind_text(st, 3, hash);
	sqlite3_bind_int(st, 4, operator != 0);
	sqlite3_bind_int64(st, 5, now);
	if (db_changed(d, st, &n) == -1)
		return -1;
	if (n == 0)
		return 0;
	*id = sqlite3_last_insert_rowid(d->h);
	return 1;
}

int
db_user_by_email(struct db *d, const char *email, struct db_user *u)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_USER_BY_EMAIL)) == NULL)
		return -1;
	db_bind_text(st, 1, email);
	return db_one(d, st, read_user, u);
}

int
db_user_by_id(struct db *d, long long id, struct db_user *u)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_USER_BY_ID)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_one(d, st, read_user, u);
}

int
db_user_count(struct db *d, long long *n)
{
	return db_int(d, STMT_USER_COUNT, n);
}

int
db_user_set_password(struct db *d, long long id, const char *hash,
    long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_USER_SET_PASSWORD)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, hash);
	sqlite3_bind_int64(st, 3, now);
	return db_exec(d, st);
}

int
db_user_set_disabled(struct db *d, long long id, int disabled,
    long long now)
{
	sqlite3_stmt	*st;
	long long	 n;

	if ((st = db_stmt(d, STMT_USER_SET_DISABLED)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, disabled != 0);
	sqlite3_bind_int64(st, 3, now);
	if (db_changed(d, st, &n) == -1)
		return -1;
	if (n > 0 && disabled) {
		if ((st = db_stmt(d, STMT_SESSION_END_USER)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		if (db_exec(d, st) == -1)
			return -1;
	}
	return n > 0;
}

int
db_member_set(struct db *d, long long workspace, long long user,
    const char *role, long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_MEMBER_SET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, user);
	db_bind_text(st, 3, role);
	sqlite3_bind_int64(st, 4, now);
	return db_exec(d, st);
}

static void
read_role(sqlite3_stmt *st, void *arg)
{
	db_col_copy(st, 0, arg, 8);
}

int
db_member_role(struct db *d, long long workspace, long long user,
    char role[8])
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_MEMBER_ROLE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, user);
	return db_one(d, st, read_role, role);
}

static void
read_int(sqlite3_stmt *st, void *arg)
{
	*(long long *)arg = sqlite3_column_int64(st, 0);
}

int
db_member_first(struct db *d, long long user, long long *workspace)
{
	sqlite3_stmt	*st;
	long long	 ws = 0;

	if ((st = db_stmt(d, STMT_MEMBER_FIRST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user);
	if (db_one(d, st, read_int, &ws) == -1)
		return -1;
	if (ws == 0)
		return 0;
	*workspace = ws;
	return 1;
}

int
db_member_workspaces(struct db *d, long long user,
    void (*fn)(void *, long long, const char *, const char *), void *arg)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_MEMBER_WORKSPACES)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_workspace_users(struct db *d, long long workspace,
    void (*fn)(void *, const struct db_user *), void *arg)
{
	sqlite3_stmt	*st;
	struct db_user	 u;
	int		 rc;

	if ((st = db_stmt(d, STMT_WORKSPACE_USERS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_user(st, &u);
		fn(arg, &u);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

struct name_out {
	char	*p;
	size_t	 sz;
};

static void
read_name(sqlite3_stmt *st, void *arg)
{
	struct name_out *o = arg;

	db_col_copy(st, 0, o->p, o->sz);
}

int
db_workspace_name(struct db *d, long long workspace, char *name,
    size_t namesz)
{
	sqlite3_stmt	*st;
	struct name_out	 o = { name, namesz };

	if ((st = db_stmt(d, STMT_WORKSPACE_NAME)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	return db_one(d, st, read_name, &o);
}

int
db_workspace_exists(struct db *d, long long workspace)
{
	char name[8];

	return db_workspace_name(d, workspace, name, sizeof(name));
}

/* The count a statement s answers for id, into *n; 0 or -1. */
static int
db_count_of(struct db *d, enum stmt s, long long id, long long *n)
{
	sqlite3_stmt *st;

	*n = 0;
	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_one(d, st, read_int, n) == -1 ? -1 : 0;
}

int
db_member_owners(struct db *d, long long workspace, long long *n)
{
	return db_count_of(d, STMT_MEMBER_OWNERS, workspace, n);
}

int
db_member_count(struct db *d, long long user, long long *n)
{
	return db_count_of(d, STMT_MEMBER_COUNT, user, n);
}

int
db_member_remove(struct db *d, long long workspace, long long user,
    long long now)
{
	sqlite3_stmt	*st;
	long long	 n;

	if ((st = db_stmt(d, STMT_MEMBER_REMOVE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, user);
	if (db_changed(d, st, &n) == -1)
		return -1;
	if (n == 0)
		return 0;
	if ((st = db_stmt(d, STMT_SESSION_END_WORKSPACE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, user);
	if (db_exec(d, st) == -1 ||
	    (st = db_stmt(d, STMT_TOKEN_REVOKE_WORKSPACE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, user);
	sqlite3_bind_int64(st, 3, now);
	return db_exec(d, st) == -1 ? -1 : 1;
}

int
db_workspace_add(struct db *d, const char *name, long long now,
    long long *id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_WORKSPACE_ADD)) == NULL)
		return -1;
	db_bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, now);
	if (db_exec(d, st) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(d->h);
	return 0;
}

int
db_workspace_all(struct db *d, void (*fn)(void *, long long, const char *),
    void *arg)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_WORKSPACE_ALL)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

static void
read_session(sqlite3_stmt *st, void *arg)
{
	struct db_session *s = arg;

	memset(s, 0, sizeof(*s));
	s->rowid = sqlite3_column_int64(st, 0);
	db_col_copy(st, 1, s->id, sizeof(s->id));
	s->user_id = sqlite3_column_int64(st, 2);
	s->workspace_id = sqlite3_column_int64(st, 3);
	db_col_copy(st, 4, s->csrf_token, sizeof(s->csrf_token));
	s->created_at = sqlite3_column_int64(st, 5);
	s->last_seen_at = sqlite3_column_int64(st, 6);
	db_col_copy(st, 7, s->remote, sizeof(s->remote));
	db_col_copy(st, 8, s->user_agent, sizeof(s->user_agent));
}

int
db_session_add(struct db *d, struct db_session *s)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_SESSION_ADD)) == NULL)
		return -1;
	db_bind_text(st, 1, s->id);
	sqlite3_bind_int64(st, 2, s->user_id);
	sqlite3_bind_int64(st, 3, s->workspace_id);
	db_bind_text(st, 4, s->csrf_token);
	sqlite3_bind_int64(st, 5, s->created_at);
	db_bind_text(st, 6, s->remote);
	db_bind_text(st, 7, s->user_agent);
	if (db_exec(d, st) == -1)
		return -1;
	s->rowid = sqlite3_last_insert_rowid(d->h);
	return 0;
}

int
db_session_find(struct db *d, const char *id, long long idle_before,
    long long created_before, struct db_session *s)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_SESSION_FIND)) == NULL)
		return -1;
	db_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, idle_before);
	sqlite3_bind_int64(st, 3, created_before);
	return db_one(d, st, read_session, s);
}

int
db_session_touch(struct db *d, const char *id, long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_SESSION_TOUCH)) == NULL)
		return -1;
	db_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return db_exec(d, st);
}

int
db_session_end(struct db *d, const char *id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_SESSION_END)) == NULL)
		return -1;
	db_bind_text(st, 1, id);
	return db_exec(d, st);
}

int
db_session_end_rowid(struct db *d, long long user, long long rowid)
{
	sqlite3_stmt	*st;
	long long	 n;

	if ((st = db_stmt(d, STMT_SESSION_END_ROWID)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user);
	sqlite3_bind_int64(st, 2, rowid);
	if (db_changed(d, st, &n) == -1)
		return -1;
	return n > 0;
}

int
db_session_end_others(struct db *d, long long user, const char *keep,
    long long *n)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, keep != NULL ? STMT_SESSION_END_OTHERS :
	    STMT_SESSION_END_USER)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user);
	if (keep != NULL)
		db_bind_text(st, 2, keep);
	return db_changed(d, st, n);
}

int
db_session_list(struct db *d, long long user,
    void (*fn)(void *, const struct db_session *), void *arg)
{
	sqlite3_stmt		*st;
	struct db_session	 s;
	int			 rc;

	if ((st = db_stmt(d, STMT_SESSION_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_session(st, &s);
		fn(arg, &s);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_audit_prune(struct db *d, long long before, int limit,
    long long *deleted)
{
	return db_run_prune(d, STMT_AUDIT_PRUNE, before, limit, deleted);
}

static void
read_token(sqlite3_stmt *st, void *arg)
{
	struct db_token *t = arg;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	db_col_copy(st, 1, t->hash, sizeof(t->hash));
	t->user_id = sqlite3_column_int64(st, 2);
	t->workspace_id = sqlite3_column_int64(st, 3);
	db_col_copy(st, 4, t->name, sizeof(t->name));
	db_col_copy(st, 5, t->scope, sizeof(t->scope));
	t->created_at = sqlite3_column_int64(st, 6);
	t->expires_at = sqlite3_column_int64(st, 7);
	t->revoked_at = sqlite3_column_int64(st, 8);
	t->last_used_at = sqlite3_column_int64(st, 9);
}

int
db_token_add(struct db *d, struct db_token *t)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_TOKEN_ADD)) == NULL)
		return -1;
	db_bind_text(st, 1, t->hash);
	sqlite3_bind_int64(st, 2, t->user_id);
	sqlite3_bind_int64(st, 3, t->workspace_id);
	db_bind_text(st, 4, t->name);
	db_bind_text(st, 5, t->scope);
	sqlite3_bind_int64(st, 6, t->created_at);
	if (t->expires_at > 0)
		sqlite3_bind_int64(st, 7, t->expires_at);
	else
		sqlite3_bind_null(st, 7);
	if (db_exec(d, st) == -1)
		return -1;
	t->id = sqlite3_last_insert_rowid(d->h);
	return 0;
}

int
db_token_find(struct db *d, const char *hash, long long now,
    struct db_token *t)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_TOKEN_FIND)) == NULL)
		return -1;
	db_bind_text(st, 1, hash);
	sqlite3_bind_int64(st, 2, now);
	return db_one(d, st, read_token, t);
}

int
db_token_used(struct db *d, long long id, long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_TOKEN_USED)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	return db_exec(d, st);
}

int
db_token_revoke(struct db *d, long long user, long long id, long long now)
{
	sqlite3_stmt	*st;
	long long	 n;

	if ((st = db_stmt(d, STMT_TOKEN_REVOKE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, now);
	if (db_changed(d, st, &n) == -1)
		return -1;
	return n > 0;
}

int
db_token_list(struct db *d, long long user, long long workspace,
    void (*fn)(void *, const struct db_token *), void *arg)
{
	sqlite3_stmt	*st;
	struct db_token	 t;
	int		 rc;

	if ((st = db_stmt(d, STMT_TOKEN_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, user);
	sqlite3_bind_int64(st, 2, workspace);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_token(st, &t);
		fn(arg, &t);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_setup_add(struct db *d, const char *hash, long long user,
    long long expires_at)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_SETUP_DROP)) == NULL)
		return -1;
	if (user > 0)
		sqlite3_bind_int64(st, 1, user);
	else
		sqlite3_bind_null(st, 1);
	if (db_exec(d, st) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_SETUP_ADD)) == NULL)
		return -1;
	db_bind_text(st, 1, hash);
	if (user > 0)
		sqlite3_bind_int64(st, 2, user);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, expires_at);
	return db_exec(d, st);
}

/* Run a setup statement s (use or look) for hash at now. */
static int
db_setup_run(struct db *d, enum stmt s, const char *hash, long long now,
    long long *user)
{
	sqlite3_stmt	*st;
	long long	 u = 0;
	int		 rc;

	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	db_bind_text(st, 1, hash);
	sqlite3_bind_int64(st, 2, now);
	if ((rc = db_one(d, st, read_int, &u)) == 1 && user != NULL)
		*user = u;
	return rc;
}

int
db_setup_use(struct db *d, const char *hash, long long now, long long *user)
{
	return db_setup_run(d, STMT_SETUP_USE, hash, now, user);
}

int
db_setup_valid(struct db *d, const char *hash, long long now,
    long long *user)
{
	return db_setup_run(d, STMT_SETUP_VALID, hash, now, user);
}

int
db_audit_add(struct db *d, const struct db_audit *a)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_AUDIT_ADD)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a->at);
	if (a->workspace_id > 0)
		sqlite3_bind_int64(st, 2, a->workspace_id);
	else
		sqlite3_bind_null(st, 2);
	db_bind_text(st, 3, audit_actor_names[a->actor]);
	if (a->actor_id > 0)
		sqlite3_bind_int64(st, 4, a->actor_id);
	else
		sqlite3_bind_null(st, 4);
	db_bind_text(st, 5, a->action);
	db_bind_text(st, 6, a->object != NULL ? a->object : "");
	db_bind_text(st, 7, a->detail != NULL ? a->detail : "");
	db_bind_text(st, 8, a->remote != NULL ? a->remote : "");
	return db_exec(d, st);
}

/* The audit line of st's row into a (strings borrowed from st). */
static void
read_audit(sqlite3_stmt *st, struct db_audit *a)
{
	const char	*kind;
	int		 i;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	a->at = sqlite3_column_int64(st, 1);
	a->workspace_id = sqlite3_column_int64(st, 2);
	kind = (const char *)sqlite3_column_text(st, 3);
	a->actor = AUDIT_SYSTEM;
	for (i = 0; kind != NULL && i < AUDIT_ACTOR__MAX; i++)
		if (strcmp(kind, audit_actor_names[i]) == 0)
			a->actor = (enum audit_actor)i;
	a->actor_id = sqlite3_column_int64(st, 4);
	a->action = (const char *)sqlite3_column_text(st, 5);
	a->object = (const char *)sqlite3_column_text(st, 6);
	a->detail = (const char *)sqlite3_column_text(st, 7);
	a->remote = (const char *)sqlite3_column_text(st, 8);
	a->who = (const char *)sqlite3_column_text(st, 9);
}

/* Step st (bound) through fn for each row; 0 or -1. */
static int
db_audit_rows(struct db *d, sqlite3_stmt *st,
    void (*fn)(void *, const struct db_audit *), void *arg)
{
	struct db_audit	 a;
	int		 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_audit(st, &a);
		fn(arg, &a);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_audit_find(struct db *d, long long workspace,
    const struct db_audit_filter *f,
    void (*fn)(void *, const struct db_audit *), void *arg)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_AUDIT_FIND)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, f->before > 0 ? f->before : (1LL << 62));
	db_bind_text(st, 3, f->action);
	if (f->since > 0)
		sqlite3_bind_int64(st, 4, f->since);
	if (f->until > 0)
		sqlite3_bind_int64(st, 5, f->until);
	db_bind_text(st, 6, f->actor);
	sqlite3_bind_int(st, 7, f->limit > 0 && f->limit <= HG_LIST_MAX ?
	    f->limit : HG_LIST_MAX);
	return db_audit_rows(d, st, fn, arg);
}

struct throttle_out {
	long long failures, next_ms;
};

static void
read_throttle(sqlite3_stmt *st, void *arg)
{
	struct throttle_out *o = arg;

	o->failures = sqlite3_column_int64(st, 0);
	o->next_ms = sqlite3_column_int64(st, 1);
}

int
db_throttle_get(struct db *d, const char *key, long long *failures,
    long long *next_ms)
{
	sqlite3_stmt		*st;
	struct throttle_out	 o = { 0, 0 };

	if ((st = db_stmt(d, STMT_THROTTLE_GET)) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	if (db_one(d, st, read_throttle, &o) == -1)
		return -1;
	*failures = o.failures;
	*next_ms = o.next_ms;
	return 0;
}

int
db_throttle_set(struct db *d, const char *key, long long failures,
    long long next_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_THROTTLE_SET)) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, failures);
	sqlite3_bind_int64(st, 3, next_ms);
	return db_exec(d, st);
}

int
db_throttle_clear(struct db *d, const char *key)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_THROTTLE_CLEAR)) == NULL)
		return -1;
	db_bind_text(st, 1, key);
	return db_exec(d, st);
}

/* Run the pruning statement kind with its cutoffs bound before the
 * limit, adding what it deleted to *deleted; 0 or -1. */
static int
account_prune_one(struct db *d, enum stmt kind, long long a, long long b,
    int nargs, int limit, long long *deleted)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, kind)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	if (nargs == 2)
		sqlite3_bind_int64(st, 2, b);
	sqlite3_bind_int(st, nargs + 1, limit);
	if (db_exec(d, st) == -1)
		return -1;
	*deleted += sqlite3_changes(d->h);
	return 0;
}

int
db_account_prune(struct db *d, const struct db_account_cut *cut, int limit,
    long long *deleted)
{
	*deleted = 0;
	if (account_prune_one(d, STMT_SESSION_EXPIRE, cut->idle_before,
	    cut->created_before, 2, limit, deleted) == -1)
		return -1;
	if (*deleted < limit && account_prune_one(d, STMT_THROTTLE_PRUNE,
	    cut->throttle_before_ms, 0, 1, limit - (int)*deleted,
	    deleted) == -1)
		return -1;
	if (*deleted < limit && account_prune_one(d, STMT_SETUP_PRUNE,
	    cut->setup_before, 0, 1, limit - (int)*deleted, deleted) == -1)
		return -1;
	return 0;
}
