/*
 * fm_store: the fake Meta's state in its own SQLite file: tokens,
 * login codes, subscriptions, the outbox of sent messages, the
 * contacts whose messages opened a messaging window, and injected
 * faults.  Every statement is in the table below, run with bound
 * values; one connection per thread.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "fm.h"

static const char fm_schema[] =
	"CREATE TABLE IF NOT EXISTS token (token TEXT PRIMARY KEY, "
	"kind TEXT NOT NULL, user_id TEXT, page_id TEXT, parent TEXT, "
	"scopes TEXT, issued_at INTEGER, expires_at INTEGER, "
	"revoked INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS token_parent ON token (parent);"
	"CREATE TABLE IF NOT EXISTS code (code TEXT PRIMARY KEY, "
	"redirect_uri TEXT, scopes TEXT, created_at INTEGER, "
	"used INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS subscription (object_id TEXT PRIMARY KEY, "
	"fields TEXT);"
	"CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY, "
	"at INTEGER, platform TEXT, object_id TEXT, recipient TEXT, kind TEXT, "
	"message_id TEXT, body TEXT);"
	"CREATE TABLE IF NOT EXISTS contact (account_id TEXT, user_id TEXT, "
	"last_in_at INTEGER, PRIMARY KEY (account_id, user_id));"
	"CREATE TABLE IF NOT EXISTS fault (path TEXT PRIMARY KEY, kind TEXT, "
	"status INTEGER, code INTEGER, subcode INTEGER, latency_ms INTEGER, "
	"usage TEXT, eta INTEGER, size INTEGER, times INTEGER);";

enum fm_stmt {
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_TOKEN_ADD, S_TOKEN_GET, S_TOKEN_REVOKE, S_TOKEN_EXPIRE, S_TOKEN_TIMES,
	S_CODE_ADD, S_CODE_GET, S_CODE_USE,
	S_SUB_SET, S_SUB_GET, S_SUB_DEL,
	S_OUTBOX_ADD, S_OUTBOX_LIST, S_OUTBOX_CLEAR, S_OUTBOX_LAST,
	S_CONTACT_SEEN, S_CONTACT_LAST,
	S_FAULT_SET, S_FAULT_CLEAR, S_FAULT_MATCH, S_FAULT_USE, S_FAULT_DONE,
	S_OUTBOX_TO,
	S__MAX
};

static const char *const fm_sql[S__MAX] = {
	/* S_BEGIN */ "BEGIN IMMEDIATE",
	/* S_COMMIT */ "COMMIT",
	/* S_ROLLBACK */ "ROLLBACK",
	/* S_TOKEN_ADD */
	"INSERT OR IGNORE INTO token (token, kind, user_id, page_id, parent, "
	"scopes, issued_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	/* S_TOKEN_GET */
	"SELECT kind, user_id, page_id, parent, scopes, issued_at, expires_at, "
	"revoked FROM token WHERE token = ?1",
	/* S_TOKEN_REVOKE: the token and every token derived from it */
	"UPDATE token SET revoked = ?2 WHERE token = ?1 OR parent = ?1",
	/* S_TOKEN_EXPIRE */
	"UPDATE token SET expires_at = ?2 WHERE token = ?1 OR "
	"(parent = ?1 AND expires_at <> 0)",
	/* S_TOKEN_TIMES */
	"UPDATE token SET issued_at = ?2, expires_at = ?3 WHERE token = ?1",
	/* S_CODE_ADD */
	"INSERT INTO code (code, redirect_uri, scopes, created_at) "
	"VALUES (?1, ?2, ?3, ?4)",
	/* S_CODE_GET */
	"SELECT redirect_uri, scopes, created_at, used FROM code WHERE code = ?1",
	/* S_CODE_USE */
	"UPDATE code SET used = 1 WHERE code = ?1",
	/* S_SUB_SET */
	"INSERT INTO subscription (object_id, fields) VALUES (?1, ?2) "
	"ON CONFLICT (object_id) DO UPDATE SET fields = excluded.fields",
	/* S_SUB_GET */
	"SELECT fields FROM subscription WHERE object_id = ?1",
	/* S_SUB_DEL */
	"DELETE FROM subscription WHERE object_id = ?1",
	/* S_OUTBOX_ADD */
	"INSERT INTO outbox (at, platform, object_id, recipient, kind, "
	"message_id, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	/* S_OUTBOX_LIST */
	"SELECT id, at, platform, object_id, recipient, kind, message_id, body "
	"FROM outbox WHERE id > ?1 ORDER BY id LIMIT ?2",
	/* S_OUTBOX_CLEAR */
	"DELETE FROM outbox",
	/* S_OUTBOX_LAST */
	"SELECT message_id FROM outbox WHERE recipient = ?1 AND "
	"message_id IS NOT NULL ORDER BY id DESC LIMIT 1",
	/* S_CONTACT_SEEN */
	"INSERT INTO contact (account_id, user_id, last_in_at) VALUES (?1, ?2, ?3) "
	"ON CONFLICT (account_id, user_id) DO UPDATE SET "
	"last_in_at = excluded.last_in_at",
	/* S_CONTACT_LAST */
	"SELECT last_in_at FROM contact WHERE account_id = ?1 AND user_id = ?2",
	/* S_FAULT_SET */
	"INSERT OR REPLACE INTO fault (path, kind, status, code, subcode, "
	"latency_ms, usage, eta, size, times) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	/* S_FAULT_CLEAR */
	"DELETE FROM fault",
	/* S_FAULT_MATCH: exact path, else the longest "prefix*" */
	"SELECT path, kind, status, code, subcode, latency_ms, usage, eta, size, "
	"times FROM fault WHERE path = ?1 OR (substr(path, -1) = '*' AND "
	"substr(?1, 1, length(path) - 1) = substr(path, 1, length(path) - 1)) "
	"ORDER BY path = ?1 DESC, length(path) DESC LIMIT 1",
	/* S_FAULT_USE */
	"UPDATE fault SET times = times - 1 WHERE path = ?1 AND times > 0",
	/* S_FAULT_DONE */
	"DELETE FROM fault WHERE path = ?1 AND times = 0",
	/* S_OUTBOX_TO: the latest messages an account sent a person */
	"SELECT message_id, at, body FROM outbox WHERE object_id = ?1 AND "
	"recipient = ?2 AND kind = 'message' AND message_id IS NOT NULL "
	"ORDER BY id DESC LIMIT ?3",
};

static __thread sqlite3		*fm_h;
static __thread sqlite3_stmt	*fm_st[S__MAX];

int
fm_store_open(void)
{
	if (fm_h != NULL)
		return 0;
	if (sqlite3_open_v2(fm_app.db_path, &fm_h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto err;
	sqlite3_busy_timeout(fm_h, 5000);
	if (sqlite3_exec(fm_h, "PRAGMA journal_mode=WAL; PRAGMA synchronous="
	    "NORMAL;", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(fm_h, fm_schema, NULL, NULL, NULL) != SQLITE_OK)
		goto err;
	return 0;
err:
	fm_store_close();
	return -1;
}

void
fm_store_close(void)
{
	int i;

	for (i = 0; i < S__MAX; i++) {
		sqlite3_finalize(fm_st[i]);
		fm_st[i] = NULL;
	}
	sqlite3_close(fm_h);
	fm_h = NULL;
}

/* The statement, prepared once and reset; NULL on error. */
static sqlite3_stmt *
st(enum fm_stmt s)
{
	if (fm_store_open() == -1)
		return NULL;
	if (fm_st[s] == NULL) {
		if (sqlite3_prepare_v3(fm_h, fm_sql[s], -1,
		    SQLITE_PREPARE_PERSISTENT, &fm_st[s], NULL) != SQLITE_OK)
			return NULL;
	} else {
		sqlite3_reset(fm_st[s]);
		sqlite3_clear_bindings(fm_st[s]);
	}
	return fm_st[s];
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* Step a statement without rows; 0 or -1. */
static int
done(sqlite3_stmt *s)
{
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static void
col(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	snprintf(out, outsz, "%s", v != NULL ? (const char *)v : "");
}

int
fm_token_add(const char *token, const struct fm_token *t)
{
	sqlite3_stmt *s = st(S_TOKEN_ADD);

	if (s == NULL)
		return -1;
	bind_text(s, 1, token);
	bind_text(s, 2, t->kind);
	bind_text(s, 3, t->user_id);
	bind_text(s, 4, t->page_id[0] ? t->page_id : NULL);
	bind_text(s, 5, t->parent[0] ? t->parent : NULL);
	bind_text(s, 6, t->scopes);
	sqlite3_bind_int64(s, 7, t->issued_at);
	sqlite3_bind_int64(s, 8, t->expires_at);
	return done(s);
}

int
fm_token_get(const char *token, struct fm_token *t)
{
	sqlite3_stmt	*s = st(S_TOKEN_GET);
	int		 rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, token);
	memset(t, 0, sizeof(*t));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col(s, 0, t->kind, sizeof(t->kind));
		col(s, 1, t->user_id, sizeof(t->user_id));
		col(s, 2, t->page_id, sizeof(t->page_id));
		col(s, 3, t->parent, sizeof(t->parent));
		col(s, 4, t->scopes, sizeof(t->scopes));
		t->issued_at = sqlite3_column_int64(s, 5);
		t->expires_at = sqlite3_column_int64(s, 6);
		t->revoked = (long)sqlite3_column_int64(s, 7);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int
changed(sqlite3_stmt *s)
{
	if (done(s) == -1)
		return -1;
	return sqlite3_changes(fm_h) > 0 ? 1 : 0;
}

int
fm_token_revoke(const char *token, long subcode)
{
	sqlite3_stmt *s = st(S_TOKEN_REVOKE);

	if (s == NULL)
		return -1;
	bind_text(s, 1, token);
	sqlite3_bind_int64(s, 2, subcode);
	return changed(s);
}

int
fm_token_expire(const char *token)
{
	sqlite3_stmt *s = st(S_TOKEN_EXPIRE);

	if (s == NULL)
		return -1;
	bind_text(s, 1, token);
	sqlite3_bind_int64(s, 2, (long long)time(NULL) - 1);
	return changed(s);
}

int
fm_token_times(const char *token, long long issued_at, long long expires_at)
{
	sqlite3_stmt *s = st(S_TOKEN_TIMES);

	if (s == NULL)
		return -1;
	bind_text(s, 1, token);
	sqlite3_bind_int64(s, 2, issued_at);
	sqlite3_bind_int64(s, 3, expires_at);
	return changed(s);
}

int
fm_code_add(const char *code, const char *redirect_uri, const char *scopes,
    long long now)
{
	sqlite3_stmt *s = st(S_CODE_ADD);

	if (s == NULL)
		return -1;
	bind_text(s, 1, code);
	bind_text(s, 2, redirect_uri);
	bind_text(s, 3, scopes);
	sqlite3_bind_int64(s, 4, now);
	return done(s);
}

int
fm_code_take(const char *code, char *redirect_uri, size_t rsz, char *scopes,
    size_t ssz, long long *created, int *used)
{
	sqlite3_stmt	*s;
	int		 rc, found = 0;

	if (done(st(S_BEGIN)) == -1)
		return -1;
	if ((s = st(S_CODE_GET)) == NULL)
		goto err;
	bind_text(s, 1, code);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col(s, 0, redirect_uri, rsz);
		col(s, 1, scopes, ssz);
		*created = sqlite3_column_int64(s, 2);
		*used = sqlite3_column_int(s, 3);
		found = 1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto err;
	if (found) {
		if ((s = st(S_CODE_USE)) == NULL)
			goto err;
		bind_text(s, 1, code);
		if (done(s) == -1)
			goto err;
	}
	if (done(st(S_COMMIT)) == -1)
		goto err;
	return found;
err:
	done(st(S_ROLLBACK));
	return -1;
}

int
fm_sub_set(const char *object_id, const char *fields)
{
	sqlite3_stmt *s = st(S_SUB_SET);

	if (s == NULL)
		return -1;
	bind_text(s, 1, object_id);
	bind_text(s, 2, fields);
	return done(s);
}

/* Run statement which with one text parameter; copy column 0 of the
 * first row into out: 1 found, 0 none, -1 error. */
static int
lookup_text(enum fm_stmt which, const char *arg, char *out, size_t outsz)
{
	sqlite3_stmt	*s = st(which);
	int		 rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, arg);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		col(s, 0, out, outsz);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
fm_sub_get(const char *object_id, char *fields, size_t fsz)
{
	return lookup_text(S_SUB_GET, object_id, fields, fsz);
}

int
fm_sub_del(const char *object_id)
{
	sqlite3_stmt *s = st(S_SUB_DEL);

	if (s == NULL)
		return -1;
	bind_text(s, 1, object_id);
	return done(s);
}

int
fm_outbox_add(const char *platform, const char *object_id,
    const char *recipient, const char *kind, const char *message_id,
    const char *body, long long *id)
{
	sqlite3_stmt *s = st(S_OUTBOX_ADD);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (long long)time(NULL));
	bind_text(s, 2, platform);
	bind_text(s, 3, object_id);
	bind_text(s, 4, recipient);
	bind_text(s, 5, kind);
	bind_text(s, 6, message_id);
	bind_text(s, 7, body);
	if (done(s) == -1)
		return -1;
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(fm_h);
	return 0;
}

int
fm_outbox_list(long long since, cJSON *arr)
{
	sqlite3_stmt	*s = st(S_OUTBOX_LIST);
	const char	*names[] = { "platform", "object_id", "recipient", "kind",
			    "message_id" };
	const char	*v;
	cJSON		*o;
	int		 rc, i;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int(s, 2, FM_OUTBOX_MAX);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o))
			break;
		cJSON_AddNumberToObject(o, "id",
		    (double)sqlite3_column_int64(s, 0));
		cJSON_AddNumberToObject(o, "at",
		    (double)sqlite3_column_int64(s, 1));
		for (i = 0; i < 5; i++) {
			v = (const char *)sqlite3_column_text(s, i + 2);
			if (v != NULL)
				cJSON_AddStringToObject(o, names[i], v);
		}
		v = (const char *)sqlite3_column_text(s, 7);
		cJSON_AddItemToObject(o, "body", v != NULL ? cJSON_Parse(v) :
		    cJSON_CreateNull());
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
fm_outbox_clear(void)
{
	return done(st(S_OUTBOX_CLEAR));
}

int
fm_outbox_last_id(const char *recipient, char *out, size_t outsz)
{
	return lookup_text(S_OUTBOX_LAST, recipient, out, outsz);
}

int
fm_outbox_to(const char *account, const char *recipient, int limit,
    cJSON *arr)
{
	sqlite3_stmt	*s = st(S_OUTBOX_TO);
	cJSON		*o, *b;
	const char	*body;
	char		 when[32];
	time_t		 at;
	struct tm	 tm;
	int		 rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, account);
	bind_text(s, 2, recipient);
	sqlite3_bind_int(s, 3, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "id",
		    (const char *)sqlite3_column_text(s, 0));
		at = (time_t)sqlite3_column_int64(s, 1);
		gmtime_r(&at, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S+0000", &tm);
		cJSON_AddStringToObject(o, "created_time", when);
		body = (const char *)sqlite3_column_text(s, 2);
		b = cJSON_Parse(body != NULL ? body : "");
		cJSON_AddStringToObject(o, "message", cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		    b, "message"), "text")) != NULL ? cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		    b, "message"), "text")) : "");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "from"), "id",
		    account);
		cJSON_Delete(b);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
fm_contact_seen(const char *account, const char *user, long long at)
{
	sqlite3_stmt *s = st(S_CONTACT_SEEN);

	if (s == NULL)
		return -1;
	bind_text(s, 1, account);
	bind_text(s, 2, user);
	sqlite3_bind_int64(s, 3, at);
	return done(s);
}

int
fm_contact_last(const char *account, const char *user, long long *at)
{
	sqlite3_stmt	*s = st(S_CONTACT_LAST);
	int		 rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, account);
	bind_text(s, 2, user);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*at = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
fm_fault_set(const struct fm_fault *f)
{
	sqlite3_stmt *s = st(S_FAULT_SET);

	if (s == NULL)
		return -1;
	bind_text(s, 1, f->path);
	bind_text(s, 2, f->kind);
	sqlite3_bind_int(s, 3, f->status);
	sqlite3_bind_int64(s, 4, f->code);
	sqlite3_bind_int64(s, 5, f->subcode);
	sqlite3_bind_int64(s, 6, f->latency_ms);
	bind_text(s, 7, f->usage);
	sqlite3_bind_int64(s, 8, f->eta);
	sqlite3_bind_int64(s, 9, f->size);
	sqlite3_bind_int64(s, 10, f->times);
	return done(s);
}

int
fm_fault_clear(void)
{
	return done(st(S_FAULT_CLEAR));
}

int
fm_fault_match(const char *path, struct fm_fault *f)
{
	sqlite3_stmt	*s;
	int		 rc, found = 0;

	if (done(st(S_BEGIN)) == -1)
		return -1;
	if ((s = st(S_FAULT_MATCH)) == NULL)
		goto err;
	bind_text(s, 1, path);
	memset(f, 0, sizeof(*f));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		col(s, 0, f->path, sizeof(f->path));
		col(s, 1, f->kind, sizeof(f->kind));
		f->status = sqlite3_column_int(s, 2);
		f->code = (long)sqlite3_column_int64(s, 3);
		f->subcode = (long)sqlite3_column_int64(s, 4);
		f->latency_ms = (long)sqlite3_column_int64(s, 5);
		col(s, 6, f->usage, sizeof(f->usage));
		f->eta = (long)sqlite3_column_int64(s, 7);
		f->size = (long)sqlite3_column_int64(s, 8);
		f->times = (long)sqlite3_column_int64(s, 9);
		found = 1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto err;
	if (found && f->times > 0) {
		if ((s = st(S_FAULT_USE)) == NULL)
			goto err;
		bind_text(s, 1, f->path);
		if (done(s) == -1 || (s = st(S_FAULT_DONE)) == NULL)
			goto err;
		bind_text(s, 1, f->path);
		if (done(s) == -1)
			goto err;
	}
	if (done(st(S_COMMIT)) == -1)
		goto err;
	return found;
err:
	done(st(S_ROLLBACK));
	return -1;
}
