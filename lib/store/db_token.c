/*
 * db_token: token_check and token_log, and the token writes of the
 * checks' repairs.  See db_token.h.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "crypto.h"
#include "db_int.h"
#include "db_token.h"

/* Column i's text or "". */
static const char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

/* Step st to its end, calling row(arg, st) for each row; 0 or -1. */
static int
each_row(struct db *d, sqlite3_stmt *st,
    void (*row)(void *, sqlite3_stmt *), void *arg)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		row(arg, st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_token_seed(struct db *d, long long now)
{
	(void)now;
	if (db_run(d, STMT_TOKEN_SEED_CHANNELS) == -1)
		return -1;
	return db_run(d, STMT_TOKEN_SEED_LOGINS);
}

int
db_token_due(struct db *d, long long now, long long channel, size_t skip,
    struct db_token_job *jobs, size_t max, size_t *n)
{
	sqlite3_stmt		*st;
	struct db_token_job	*j;
	const void		*blob;
	int			 rc, len;

	*n = 0;
	if ((st = db_stmt(d, STMT_TOKEN_DUE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, channel);
	sqlite3_bind_int64(st, 3, (long long)max);
	sqlite3_bind_int64(st, 4, (long long)skip);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		j = &jobs[*n];
		memset(j, 0, sizeof(*j));
		buf_init(&j->sealed, HG_ACCESS_TOKEN_MAX + 256);
		db_col_copy(st, 0, j->subject, sizeof(j->subject));
		j->id = sqlite3_column_int64(st, 1);
		j->workspace = sqlite3_column_int64(st, 2);
		db_col_copy(st, 3, j->kind, sizeof(j->kind));
		db_col_copy(st, 4, j->meta_id, sizeof(j->meta_id));
		db_col_copy(st, 5, j->parent_meta_id, sizeof(j->parent_meta_id));
		db_col_copy(st, 6, j->token_kind, sizeof(j->token_kind));
		db_col_copy(st, 7, j->status, sizeof(j->status));
		j->expires_at = sqlite3_column_int64(st, 8);
		j->login_id = sqlite3_column_int64(st, 9);
		j->last_event_at = sqlite3_column_int64(st, 10);
		blob = sqlite3_column_blob(st, 11);
		len = sqlite3_column_bytes(st, 11);
		if (blob != NULL && len > 0)
			buf_add(&j->sealed, blob, (size_t)len);
		j->issued_at = sqlite3_column_int64(st, 12);
		j->checked_at = sqlite3_column_int64(st, 13);
		j->failures = (long)sqlite3_column_int64(st, 14);
		db_col_copy(st, 15, j->login_platform, sizeof(j->login_platform));
		db_col_copy(st, 16, j->login_user, sizeof(j->login_user));
		(*n)++;
	}
	if (*n < max && rc != SQLITE_DONE) {
		sqlite3_reset(st);
		db_token_jobs_free(jobs, *n);
		*n = 0;
		return db_fail(d, rc);
	}
	sqlite3_reset(st);
	return 0;
}

void
db_token_jobs_free(struct db_token_job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (jobs[i].sealed.data != NULL)
			crypto_wipe(jobs[i].sealed.data, jobs[i].sealed.len);
		buf_free(&jobs[i].sealed);
	}
}

/* Bind subject and id as ?1, ?2. */
static sqlite3_stmt *
subject_stmt(struct db *d, enum stmt s, const char *subject, long long id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, s)) == NULL)
		return NULL;
	db_bind_text(st, 1, subject);
	sqlite3_bind_int64(st, 2, id);
	return st;
}

int
db_token_facts_set(struct db *d, const char *subject, long long id,
    const struct db_token_facts *f, long long now)
{
	sqlite3_stmt *st;

	if ((st = subject_stmt(d, STMT_TOKEN_FACTS_SET, subject, id)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 3, f->next_check_at);
	sqlite3_bind_int(st, 4, f->reached);
	sqlite3_bind_int64(st, 5, f->code);
	sqlite3_bind_int64(st, 6, f->subcode);
	sqlite3_bind_int64(st, 7, f->expires_at);
	sqlite3_bind_int64(st, 8, f->data_access_expires_at);
	sqlite3_bind_int64(st, 9, f->issued_at);
	db_bind_text(st, 10, f->missing_scope != NULL ? f->missing_scope : "");
	db_bind_text(st, 11, f->missing_fields != NULL ? f->missing_fields :
	    "");
	sqlite3_bind_int(st, 12, f->unreadable);
	sqlite3_bind_int64(st, 13, now);
	return db_exec(d, st);
}

int
db_token_due_now(struct db *d, const char *subject, long long id)
{
	sqlite3_stmt *st;

	if ((st = subject_stmt(d, STMT_TOKEN_DUE_NOW, subject, id)) == NULL)
		return -1;
	return db_exec(d, st);
}

int
db_token_log_add(struct db *d, const struct db_token_log *l, long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_TOKEN_LOG_ADD)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	db_bind_text(st, 2, l->subject);
	sqlite3_bind_int64(st, 3, l->id);
	sqlite3_bind_int64(st, 4, l->workspace);
	db_bind_text(st, 5, l->what);
	db_bind_text(st, 6, l->result);
	sqlite3_bind_int64(st, 7, l->code);
	sqlite3_bind_int64(st, 8, l->subcode);
	db_bind_text(st, 9, l->fbtrace_id != NULL && l->fbtrace_id[0] != '\0' ?
	    l->fbtrace_id : NULL);
	if (l->old_expires_at >= 0)
		sqlite3_bind_int64(st, 10, l->old_expires_at);
	if (l->new_expires_at >= 0)
		sqlite3_bind_int64(st, 11, l->new_expires_at);
	db_bind_text(st, 12, l->detail != NULL ? l->detail : "");
	return db_exec(d, st);
}

int
db_token_log_prune(struct db *d, long long before, int limit,
    long long *deleted)
{
	return db_run_prune(d, STMT_TOKEN_LOG_PRUNE, before, limit, deleted);
}

/* Set a sealed token with statement s; 1, 0 or -1. */
static int
token_set(struct db *d, enum stmt s, long long id, const void *sealed,
    size_t len, long long expires_at, long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, sealed, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, expires_at);
	sqlite3_bind_int64(st, 4, now);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

int
db_token_channel_set(struct db *d, long long id, const void *sealed,
    size_t len, long long expires_at, long long now)
{
	return token_set(d, STMT_TOKEN_CHANNEL_SET, id, sealed, len,
	    expires_at, now);
}

int
db_token_login_set(struct db *d, long long id, const void *sealed,
    size_t len, long long expires_at, long long now)
{
	return token_set(d, STMT_TOKEN_LOGIN_SET, id, sealed, len, expires_at,
	    now);
}

int
db_token_resume(struct db *d, long long id, long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_TOKEN_RESUME)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

int
db_token_fields_set(struct db *d, long long id, const char *fields,
    long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_TOKEN_FIELDS_SET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, fields);
	sqlite3_bind_int64(st, 3, now);
	return db_exec(d, st);
}

struct login_channels {
	void	(*fn)(void *, long long, const char *, const char *,
		    const char *);
	void	*arg;
};

/* A row of STMT_TOKEN_LOGIN_CHANNELS to the caller. */
static void
login_channel_row(void *arg, sqlite3_stmt *st)
{
	struct login_channels *lc = arg;

	lc->fn(lc->arg, sqlite3_column_int64(st, 0), col_str(st, 1),
	    col_str(st, 2), col_str(st, 3));
}

int
db_token_login_channels(struct db *d, long long login,
    void (*fn)(void *, long long id, const char *kind, const char *meta_id,
    const char *parent), void *arg)
{
	struct login_channels	 lc = { fn, arg };
	sqlite3_stmt		*st;

	if ((st = db_stmt(d, STMT_TOKEN_LOGIN_CHANNELS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, login);
	return each_row(d, st, login_channel_row, &lc);
}

struct states {
	void	(*fn)(void *, const struct db_token_state *);
	void	*arg;
};

/* A row of the token states to the caller, as a db_token_state. */
static void
state_row(void *arg, sqlite3_stmt *st)
{
	struct states		*ss = arg;
	struct db_token_state	 s;

	memset(&s, 0, sizeof(s));
	s.subject = col_str(st, 0);
	s.id = sqlite3_column_int64(st, 1);
	s.workspace = sqlite3_column_int64(st, 2);
	s.name = col_str(st, 3);
	s.kind = col_str(st, 4);
	s.status = col_str(st, 5);
	s.token_kind = col_str(st, 6);
	s.expires_at = sqlite3_column_int64(st, 7);
	s.data_access_expires_at = sqlite3_column_int64(st, 8);
	s.checked_at = sqlite3_column_int64(st, 9);
	s.code = (long)sqlite3_column_int64(st, 10);
	s.subcode = (long)sqlite3_column_int64(st, 11);
	s.missing_scope = col_str(st, 12);
	s.missing_fields = col_str(st, 13);
	s.unreadable = sqlite3_column_int(st, 14);
	s.silent_since = sqlite3_column_int64(st, 15);
	s.silent_limit_s = sqlite3_column_int64(st, 16);
	s.level = col_str(st, 17);
	s.alerted_level = col_str(st, 18);
	s.level_since = sqlite3_column_int64(st, 19);
	s.last_alert_at = sqlite3_column_int64(st, 20);
	ss->fn(ss->arg, &s);
}

int
db_token_states(struct db *d, long long workspace, long long channel,
    void (*fn)(void *, const struct db_token_state *), void *arg)
{
	struct states	 ss = { fn, arg };
	sqlite3_stmt	*st;

	if ((st = db_stmt(d, channel > 0 ? STMT_TOKEN_STATE_ONE :
	    STMT_TOKEN_STATES)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int64(st, 2, channel);
	return each_row(d, st, state_row, &ss);
}

int
db_token_level_set(struct db *d, const char *subject, long long id,
    const char *level, long long now)
{
	sqlite3_stmt *st;

	if ((st = subject_stmt(d, STMT_TOKEN_LEVEL_SET, subject, id)) == NULL)
		return -1;
	db_bind_text(st, 3, level);
	sqlite3_bind_int64(st, 4, now);
	return db_exec(d, st);
}

int
db_token_alerted(struct db *d, const char *subject, long long id,
    const char *level, long long now)
{
	sqlite3_stmt *st;

	if ((st = subject_stmt(d, STMT_TOKEN_ALERTED, subject, id)) == NULL)
		return -1;
	db_bind_text(st, 3, level);
	sqlite3_bind_int64(st, 4, now);
	return db_exec(d, st);
}

int
db_token_traffic(struct db *d, long long channel, long long since_ms,
    long long *events, long long *longest_gap_ms)
{
	sqlite3_stmt	*st;
	long long	 from;
	int		 rc;

	*events = 0;
	*longest_gap_ms = 0;
	if (db_event_id_from(d, since_ms, &from) == -1 ||
	    (st = db_stmt(d, STMT_TOKEN_TRAFFIC)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	sqlite3_bind_int64(st, 2, from);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*events = sqlite3_column_int64(st, 0);
		*longest_gap_ms = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(d, rc);
}

struct chan_events {
	void	(*fn)(void *, long long, long long);
	void	*arg;
};

/* A row of STMT_TOKEN_CHANNELS_EVENTS to the caller. */
static void
chan_events_row(void *arg, sqlite3_stmt *st)
{
	struct chan_events *ce = arg;

	ce->fn(ce->arg, sqlite3_column_int64(st, 0),
	    sqlite3_column_int64(st, 1));
}

int
db_token_channels_events(struct db *d,
    void (*fn)(void *, long long id, long long last_event_at), void *arg)
{
	struct chan_events	 ce = { fn, arg };
	sqlite3_stmt		*st;

	if ((st = db_stmt(d, STMT_TOKEN_CHANNELS_EVENTS)) == NULL)
		return -1;
	return each_row(d, st, chan_events_row, &ce);
}

int
db_token_silent_set(struct db *d, long long id, long long since,
    long long limit_s)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_TOKEN_SILENT_SET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, limit_s);
	return db_exec(d, st);
}
