/*
 * db_outbox: the outbound queue's rows and the inbox's reads.  See
 * db_outbox.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_int.h"

const char *const outbox_state_names[OUTBOX_STATE__MAX] = {
	[OUTBOX_QUEUED] = "queued",
	[OUTBOX_SENDING] = "sending",
	[OUTBOX_SENT] = "sent",
	[OUTBOX_DELIVERED] = "delivered",
	[OUTBOX_READ] = "read",
	[OUTBOX_FAILED] = "failed",
	[OUTBOX_DEAD_LETTER] = "dead_letter",
	[OUTBOX_UNKNOWN] = "unknown",
};

int
outbox_state_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < OUTBOX_STATE__MAX; i++)
		if (strcmp(s, outbox_state_names[i]) == 0)
			return i;
	return -1;
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
db_conv_info(struct db *d, long long ws, long long id, struct db_conv_info *ci)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(ci, 0, sizeof(*ci));
	if ((st = db_stmt(d, STMT_CONV_INFO)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ci->id = sqlite3_column_int64(st, 0);
		ci->workspace_id = sqlite3_column_int64(st, 1);
		ci->channel_id = sqlite3_column_int64(st, 2);
		db_col_copy(st, 3, ci->kind, sizeof(ci->kind));
		db_col_copy(st, 4, ci->channel_meta_id, sizeof(ci->channel_meta_id));
		db_col_copy(st, 5, ci->person, sizeof(ci->person));
		ci->human_agent = sqlite3_column_int(st, 6);
		ci->send_rate = sqlite3_column_int64(st, 7);
		ci->last_inbound_ms = sqlite3_column_int64(st, 8);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

int
db_outbox_insert(struct db *d, const struct db_outbox_new *n, long long *id)
{
	sqlite3_stmt	*st;
	long long	 msg = 0;

	if (!n->no_message) {
		if ((st = db_stmt(d, STMT_OUTBOX_MESSAGE)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, n->conversation_id);
		sqlite3_bind_int64(st, 2, n->channel_id);
		db_bind_text(st, 3, n->kind);
		db_bind_text(st, 4, n->text);
		sqlite3_bind_int64(st, 5, n->now_ms);
		db_bind_text(st, 6, n->attachments);
		db_bind_text(st, 7, n->reply_to);
		if (db_exec(d, st) == -1)
			return -1;
		msg = sqlite3_last_insert_rowid(d->h);
	}
	if ((st = db_stmt(d, STMT_OUTBOX_INSERT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, n->workspace_id);
	sqlite3_bind_int64(st, 2, n->channel_id);
	sqlite3_bind_int64(st, 3, n->conversation_id);
	if (msg > 0)
		sqlite3_bind_int64(st, 4, msg);
	db_bind_text(st, 5, n->kind);
	db_bind_text(st, 6, n->body);
	db_bind_text(st, 7, n->tag);
	db_bind_text(st, 8, n->author_kind);
	if (n->author_id > 0)
		sqlite3_bind_int64(st, 9, n->author_id);
	sqlite3_bind_int64(st, 10, n->now_ms);
	db_bind_text(st, 11, n->idempotency_key);
	if (db_exec(d, st) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(d->h);
	if (n->no_message)
		return 0;
	return db_conversation_note(d, n->conversation_id, n->now_ms, 0);
}

int
db_outbox_by_key(struct db *d, long long ws, const char *key, long long *id,
    enum outbox_state *state)
{
	sqlite3_stmt	*st;
	int		 rc, s;

	if ((st = db_stmt(d, STMT_OUTBOX_BY_KEY)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	db_bind_text(st, 2, key);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		s = outbox_state_parse((const char *)sqlite3_column_text(st, 1));
		*state = s < 0 ? OUTBOX_QUEUED : (enum outbox_state)s;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

void
db_outbox_job_clear(struct db_outbox_job *j)
{
	free(j->body);
	if (j->token_sealed != NULL)
		memset(j->token_sealed, 0, j->token_len);
	free(j->token_sealed);
	memset(j, 0, sizeof(*j));
}

int
db_outbox_recover(struct db *d, long long now, long long grace_ms,
    long long *n)
{
	sqlite3_stmt *st;

	*n = 0;
	if (db_begin(d) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_OUTBOX_LAPSED_LOG)) == NULL)
		return undo(d);
	sqlite3_bind_int64(st, 1, now);
	if (db_exec(d, st) == -1 ||
	    (st = db_stmt(d, STMT_OUTBOX_LAPSED)) == NULL)
		return undo(d);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, grace_ms);
	if (db_exec(d, st) == -1)
		return undo(d);
	*n += sqlite3_changes(d->h);
	/* Sent again once already: a dead letter (first its message). */
	if ((st = db_stmt(d, STMT_OUTBOX_UNKNOWN_DEAD_MSG)) == NULL)
		return undo(d);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, DB_OUTBOX_RESENDS_MAX);
	db_bind_text(st, 3, DB_OUTBOX_UNKNOWN_WORDS);
	if (db_exec(d, st) == -1 ||
	    (st = db_stmt(d, STMT_OUTBOX_UNKNOWN_DEAD)) == NULL)
		return undo(d);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, DB_OUTBOX_RESENDS_MAX);
	db_bind_text(st, 3, DB_OUTBOX_UNKNOWN_WORDS);
	if (db_exec(d, st) == -1)
		return undo(d);
	*n += sqlite3_changes(d->h);
	if ((st = db_stmt(d, STMT_OUTBOX_UNKNOWN_DUE)) == NULL)
		return undo(d);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, DB_OUTBOX_RESENDS_MAX);
	if (db_exec(d, st) == -1)
		return undo(d);
	*n += sqlite3_changes(d->h);
	return db_commit(d) == -1 ? undo(d) : 0;
}

/* Fill j from a candidate row; 0 or -1 (out of memory). */
static int
job_fill(sqlite3_stmt *st, struct db_outbox_job *j)
{
	const void	*tok;
	const char	*body;
	int		 n;

	j->id = sqlite3_column_int64(st, 0);
	j->channel_id = sqlite3_column_int64(st, 1);
	j->conversation_id = sqlite3_column_int64(st, 2);
	j->attempts = sqlite3_column_int(st, 3) + 1;
	db_col_copy(st, 4, j->kind, sizeof(j->kind));
	db_col_copy(st, 5, j->channel_kind, sizeof(j->channel_kind));
	db_col_copy(st, 6, j->channel_meta_id, sizeof(j->channel_meta_id));
	db_col_copy(st, 7, j->person, sizeof(j->person));
	db_col_copy(st, 8, j->tag, sizeof(j->tag));
	j->send_rate = sqlite3_column_int64(st, 9);
	body = (const char *)sqlite3_column_text(st, 10);
	if ((j->body = strdup(body != NULL ? body : "{}")) == NULL)
		return -1;
	tok = sqlite3_column_blob(st, 11);
	n = sqlite3_column_bytes(st, 11);
	if (tok != NULL && n > 0) {
		if ((j->token_sealed = malloc((size_t)n)) == NULL)
			return -1;
		memcpy(j->token_sealed, tok, (size_t)n);
		j->token_len = (size_t)n;
	}
	db_col_copy(st, 12, j->token_kind, sizeof(j->token_kind));
	j->resends = sqlite3_column_int(st, 13);
	j->claimed_ms = sqlite3_column_int64(st, 14);
	j->last_inbound_ms = sqlite3_column_int64(st, 15);
	j->human_agent = sqlite3_column_int(st, 16);
	return 0;
}

int
db_outbox_next_due(struct db *d, long long *at)
{
	sqlite3_stmt	*st;
	int		 rc;

	*at = 0;
	if ((st = db_stmt(d, STMT_OUTBOX_NEXT_DUE)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		*at = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

/* Log an attempt (a may be NULL); 0 or -1. */
static int
attempt_log(struct db *d, long long id, const struct db_outbox_attempt *a)
{
	sqlite3_stmt *st;

	if (a == NULL)
		return 0;
	if ((st = db_stmt(d, STMT_OUTBOX_ATTEMPT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, a->attempt);
	sqlite3_bind_int64(st, 3, a->at_ms);
	db_bind_text(st, 4, a->cls);
	sqlite3_bind_int(st, 5, a->http_status);
	sqlite3_bind_int64(st, 6, a->code);
	sqlite3_bind_int64(st, 7, a->subcode);
	db_bind_text(st, 8, a->fbtrace_id != NULL && a->fbtrace_id[0] ?
	    a->fbtrace_id : NULL);
	db_bind_text(st, 9, a->message != NULL && a->message[0] ?
	    a->message : NULL);
	return db_exec(d, st);
}

/* Run st (an UPDATE ... RETURNING message_id): *msg the message (0:
 * none or no row); 0 or -1. */
static int
returning_msg(struct db *d, sqlite3_stmt *st, long long *msg)
{
	int rc;

	*msg = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*msg = sqlite3_column_int64(st, 0);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

/* The message msg takes mid and is ticked sent; 0 or -1. */
static int
msg_sent(struct db *d, long long msg, const char *mid)
{
	sqlite3_stmt *st;

	if (msg == 0)
		return 0;
	if ((st = db_stmt(d, STMT_OUTBOX_MSG_SENT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, msg);
	db_bind_text(st, 2, mid != NULL && mid[0] ? mid : NULL);
	return db_exec(d, st);
}

/* The bodies of db_outbox_sent, _requeue and _fail, inside the
 * caller's transaction. */
static int
sent_txn(struct db *d, long long id, const char *mid,
    const struct db_outbox_attempt *a)
{
	sqlite3_stmt	*st;
	long long	 msg;

	if ((st = db_stmt(d, STMT_OUTBOX_SENT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, mid != NULL && mid[0] ? mid : NULL);
	sqlite3_bind_int64(st, 3, a != NULL ? a->at_ms : 0);
	if (returning_msg(d, st, &msg) == -1 || msg_sent(d, msg, mid) == -1 ||
	    attempt_log(d, id, a) == -1)
		return -1;
	return 0;
}

static int
requeue_txn(struct db *d, long long id, const char *token,
    enum outbox_state state, long long next_ms, int counted,
    const char *err_code, const char *err, const struct db_outbox_attempt *a)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_OUTBOX_REQUEUE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, token);
	db_bind_text(st, 3, outbox_state_names[state]);
	sqlite3_bind_int64(st, 4, next_ms);
	sqlite3_bind_int(st, 5, counted ? 1 : 0);
	db_bind_text(st, 6, err_code);
	db_bind_text(st, 7, err);
	sqlite3_bind_int64(st, 8, a != NULL ? a->at_ms : next_ms);
	if (db_exec(d, st) == -1 || attempt_log(d, id, a) == -1)
		return -1;
	return 0;
}

static int
fail_txn(struct db *d, long long id, const char *token,
    enum outbox_state state, const char *err_code, const char *err,
    const struct db_outbox_attempt *a)
{
	sqlite3_stmt	*st;
	long long	 msg;

	if ((st = db_stmt(d, STMT_OUTBOX_FAIL)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, token);
	db_bind_text(st, 3, outbox_state_names[state]);
	db_bind_text(st, 4, err_code);
	db_bind_text(st, 5, err);
	sqlite3_bind_int64(st, 6, a != NULL ? a->at_ms : 0);
	if (returning_msg(d, st, &msg) == -1)
		return -1;
	if (msg != 0) {
		if ((st = db_stmt(d, STMT_OUTBOX_MSG_FAIL)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, msg);
		db_bind_text(st, 2, err_code);
		db_bind_text(st, 3, err);
		if (db_exec(d, st) == -1)
			return -1;
	}
	return attempt_log(d, id, a);
}

int
db_outbox_sent(struct db *d, long long id, const char *mid,
    const struct db_outbox_attempt *a)
{
	if (db_begin(d) == -1)
		return -1;
	if (sent_txn(d, id, mid, a) == -1)
		return undo(d);
	return db_commit(d) == -1 ? undo(d) : 0;
}

int
db_outbox_requeue(struct db *d, long long id, const char *token,
    enum outbox_state state, long long next_ms, int counted,
    const char *err_code, const char *err, const struct db_outbox_attempt *a)
{
	if (db_begin(d) == -1)
		return -1;
	if (requeue_txn(d, id, token, state, next_ms, counted, err_code, err,
	    a) == -1)
		return undo(d);
	return db_commit(d) == -1 ? undo(d) : 0;
}

int
db_outbox_fail(struct db *d, long long id, const char *token,
    enum outbox_state state, const char *err_code, const char *err,
    const struct db_outbox_attempt *a)
{
	if (db_begin(d) == -1)
		return -1;
	if (fail_txn(d, id, token, state, err_code, err, a) == -1)
		return undo(d);
	return db_commit(d) == -1 ? undo(d) : 0;
}

int
db_outbox_due_channels(struct db *d, long long now, long long after,
    struct db_outbox_chan *ch, size_t max, size_t *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	*n = 0;
	if ((st = db_stmt(d, STMT_OUTBOX_DUE_CHANNELS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (long long)max);
	sqlite3_bind_int64(st, 3, after);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		ch[*n].id = sqlite3_column_int64(st, 0);
		db_col_copy(st, 1, ch[*n].kind, sizeof(ch[*n].kind));
		ch[*n].send_rate = sqlite3_column_int64(st, 2);
		(*n)++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_outbox_candidates(struct db *d, long long now, long long channel,
    size_t max, struct db_outbox_job *jobs, size_t *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	*n = 0;
	if ((st = db_stmt(d, STMT_OUTBOX_CANDIDATES_CH)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, channel);
	sqlite3_bind_int64(st, 3, (long long)max);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&jobs[*n], 0, sizeof(jobs[*n]));
		if (job_fill(st, &jobs[*n]) == -1) {
			db_outbox_job_clear(&jobs[*n]);
			sqlite3_reset(st);
			d->err = DB_ERROR;
			return -1;
		}
		(*n)++;
	}
	if (*n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_outbox_take(struct db *d, long long id, const char *token, long long now,
    long long until_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_OUTBOX_TAKE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, token);
	sqlite3_bind_int64(st, 3, until_ms);
	sqlite3_bind_int64(st, 4, now);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

int
db_outbox_defer(struct db *d, long long id, long long next_ms, long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_OUTBOX_DEFER)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, next_ms);
	sqlite3_bind_int64(st, 3, now);
	return db_exec(d, st);
}

int
db_outbox_record(struct db *d, const struct db_outbox_outcome *o, size_t n)
{
	const struct db_outbox_attempt	*a;
	size_t				 i;
	int				 rc;

	if (n == 0)
		return 0;
	if (db_begin(d) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		a = o[i].log ? &o[i].a : NULL;
		if (o[i].pause_channel != 0 &&
		    db_channel_token_invalid(d, o[i].pause_channel) == -1)
			return undo(d);
		switch (o[i].what) {
		case DB_OUTCOME_SENT:
			rc = sent_txn(d, o[i].id, o[i].mid, a);
			break;
		case DB_OUTCOME_REQUEUE:
			rc = requeue_txn(d, o[i].id, o[i].token, o[i].state,
			    o[i].next_ms, o[i].counted, o[i].err_code, o[i].err,
			    a);
			break;
		default:
			rc = fail_txn(d, o[i].id, o[i].token, o[i].state,
			    o[i].err_code, o[i].err, a);
			break;
		}
		if (rc == -1)
			return undo(d);
	}
	return db_commit(d) == -1 ? undo(d) : 0;
}

int
db_breaker_set(struct db *d, long long channel, const char *state,
    long long until_ms, long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_BREAKER_SET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, state);
	if (until_ms > 0)
		sqlite3_bind_int64(st, 3, until_ms);
	sqlite3_bind_int64(st, 4, now);
	return db_exec(d, st);
}

int
db_channel_sending(struct db *d, long long channel,
    struct db_channel_sending *s)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(s, 0, sizeof(*s));
	if ((st = db_stmt(d, STMT_CHANNEL_SENDING)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_col_copy(st, 0, s->breaker, sizeof(s->breaker));
		s->until_ms = sqlite3_column_int64(st, 1);
		s->paused = sqlite3_column_int(st, 2);
		s->queued = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

int
db_outbox_depth(struct db *d, long long n[OUTBOX_STATE__MAX])
{
	sqlite3_stmt	*st;
	int		 rc, i;

	memset(n, 0, sizeof(n[0]) * OUTBOX_STATE__MAX);
	if ((st = db_stmt(d, STMT_OUTBOX_DEPTH)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((i = outbox_state_parse((const char *)
		    sqlite3_column_text(st, 0))) >= 0)
			n[i] = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_breaker_list(struct db *d, void (*fn)(void *, long long, int), void *arg)
{
	sqlite3_stmt	*st;
	const char	*state;
	int		 rc;

	if ((st = db_stmt(d, STMT_BREAKER_LIST)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		state = (const char *)sqlite3_column_text(st, 1);
		fn(arg, sqlite3_column_int64(st, 0), state != NULL &&
		    strcmp(state, "closed") != 0);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_channel_token_invalid(struct db *d, long long channel)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_OUTBOX_TOKEN_INVALID)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	sqlite3_bind_int64(st, 2, (long long)time(NULL));
	return db_exec(d, st);
}

int
db_channel_set_token(struct db *d, const char *kind, const char *meta_id,
    const void *sealed, size_t len, const char *token_kind, long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_CHANNEL_SET_TOKEN)) == NULL)
		return -1;
	db_bind_text(st, 1, kind);
	db_bind_text(st, 2, meta_id);
	sqlite3_bind_blob(st, 3, sealed, (int)len, SQLITE_STATIC);
	db_bind_text(st, 4, token_kind);
	sqlite3_bind_int64(st, 5, now);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

int
db_outbox_reconcile(struct db *d, long long channel, long long ref,
    const char *mid, long long at_ms)
{
	sqlite3_stmt	*st;
	long long	 msg;
	int		 rc;

	if ((st = db_stmt(d, STMT_OUTBOX_RECONCILE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ref);
	sqlite3_bind_int64(st, 2, channel);
	db_bind_text(st, 3, mid);
	sqlite3_bind_int64(st, 4, at_ms);
	msg = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		msg = sqlite3_column_int64(st, 0);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		sqlite3_reset(st);
		return db_fail(d, rc);
	}
	rc = sqlite3_changes(d->h) > 0;
	sqlite3_reset(st);
	if (!rc)
		return 0;
	return msg_sent(d, msg, mid) == -1 ? -1 : 1;
}

int
db_conv_list(struct db *d, long long ws, const struct db_conv_filter *f,
    void (*fn)(void *, const struct db_conv_row *), void *arg)
{
	struct db_conv_row	 r;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_CONV_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	db_bind_text(st, 2, f->status);
	sqlite3_bind_int64(st, 3, f->channel);
	sqlite3_bind_int64(st, 4, f->assigned);
	sqlite3_bind_int(st, 5, f->unread ? 1 : 0);
	db_bind_text(st, 6, f->q != NULL && f->q[0] ? f->q : NULL);
	sqlite3_bind_int64(st, 7, f->before_ms);
	sqlite3_bind_int64(st, 8, f->before_id);
	sqlite3_bind_int(st, 9, f->limit);
	sqlite3_bind_int64(st, 10, f->since_ms);
	sqlite3_bind_int64(st, 11, f->group);
	sqlite3_bind_int64(st, 12, f->groups_of);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		r.channel_id = sqlite3_column_int64(st, 1);
		r.contact_id = sqlite3_column_int64(st, 2);
		r.channel_kind = (const char *)sqlite3_column_text(st, 3);
		r.contact_name = (const char *)sqlite3_column_text(st, 4);
		r.status = (const char *)sqlite3_column_text(st, 5);
		r.human_agent = sqlite3_column_int(st, 6);
		r.last_inbound_ms = sqlite3_column_int64(st, 7);
		r.last_message_ms = sqlite3_column_int64(st, 8);
		r.unread = sqlite3_column_int64(st, 9);
		r.assigned_user_id = sqlite3_column_int64(st, 10);
		r.assigned_group_id = sqlite3_column_int64(st, 11);
		fn(arg, &r);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_msg_list(struct db *d, long long conv, long long after_ms,
    long long after_id, int limit,
    void (*fn)(void *, const struct db_msg_row *), void *arg)
{
	struct db_msg_row	 r;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_MSG_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int64(st, 2, after_ms);
	sqlite3_bind_int64(st, 3, after_id);
	sqlite3_bind_int(st, 4, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		r.sent_ms = sqlite3_column_int64(st, 1);
		r.direction = (const char *)sqlite3_column_text(st, 2);
		r.kind = (const char *)sqlite3_column_text(st, 3);
		r.text = (const char *)sqlite3_column_text(st, 4);
		r.status = (const char *)sqlite3_column_text(st, 5);
		r.error = (const char *)sqlite3_column_text(st, 6);
		r.attachments = (const char *)sqlite3_column_text(st, 7);
		r.payload = (const char *)sqlite3_column_text(st, 8);
		r.reply_to = (const char *)sqlite3_column_text(st, 9);
		r.outbox_id = sqlite3_column_int64(st, 10);
		r.outbox_state = (const char *)sqlite3_column_text(st, 11);
		r.skip = sqlite3_column_type(st, 0) == SQLITE_NULL;
		r.at_ms = sqlite3_column_int64(st, 12);
		r.at_id = sqlite3_column_int64(st, 13);
		r.quote_id = sqlite3_column_int64(st, 14);
		r.quote_text = (const char *)sqlite3_column_text(st, 15);
		r.reactions = (const char *)sqlite3_column_text(st, 16);
		r.unsent_ms = sqlite3_column_int64(st, 17);
		r.location = (const char *)sqlite3_column_text(st, 18);
		r.outbox_error = (const char *)sqlite3_column_text(st, 19);
		fn(arg, &r);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_conv_act(struct db *d, long long ws, long long id, enum db_conv_op op,
    long long user, struct db_conv_state *out)
{
	static const char *const statuses[] = { "open", "closed" };
	sqlite3_stmt	*st;
	int		 rc;

	memset(out, 0, sizeof(*out));
	switch (op) {
	case DB_CONV_ASSIGN:
		if ((st = db_stmt(d, STMT_CONV_ASSIGN)) == NULL)
			return -1;
		if (user > 0)
			sqlite3_bind_int64(st, 3, user);
		else
			sqlite3_bind_null(st, 3);
		break;
	case DB_CONV_REOPEN:
	case DB_CONV_CLOSE:
		if ((st = db_stmt(d, STMT_CONV_STATUS)) == NULL)
			return -1;
		db_bind_text(st, 3, statuses[op == DB_CONV_CLOSE]);
		break;
	case DB_CONV_READ:
		if ((st = db_stmt(d, STMT_CONV_READ)) == NULL)
			return -1;
		break;
	case DB_CONV_STATE:
		if ((st = db_stmt(d, STMT_CONV_STATE)) == NULL)
			return -1;
		break;
	default:
		return -1;
	}
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_col_copy(st, 0, out->status, sizeof(out->status));
		out->assigned_user_id = sqlite3_column_int64(st, 1);
		out->unread = sqlite3_column_int64(st, 2);
		if (op == DB_CONV_STATE)
			out->assigned_group_id = sqlite3_column_int64(st, 3);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_ROW;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

/* ---- the send API ------------------------------------------------- */

int
db_outbox_msg_mid(struct db *d, long long conv, long long id, char *mid,
    size_t midsz)
{
	sqlite3_stmt	*st;
	int		 rc;

	mid[0] = '\0';
	if ((st = db_stmt(d, STMT_OUTBOX_MSG_MID)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		db_col_copy(st, 0, mid, midsz);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

int
db_outbox_read_info(struct db *d, long long conv, int *mark_read,
    long long *unread, char *mid, size_t midsz)
{
	sqlite3_stmt	*st;
	int		 rc;

	*mark_read = 0;
	*unread = 0;
	mid[0] = '\0';
	if ((st = db_stmt(d, STMT_OUTBOX_READ_INFO)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*mark_read = sqlite3_column_int(st, 0);
		*unread = sqlite3_column_int64(st, 1);
		db_col_copy(st, 2, mid, midsz);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

/* Column i of st as text, or NULL. */
static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int
db_outbox_list(struct db *d, long long ws, const struct db_outbox_filter *f,
    void (*fn)(void *, const struct db_outbox_row *), void *arg)
{
	struct db_outbox_row	 r;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_OUTBOX_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	db_bind_text(st, 2, f->state);
	sqlite3_bind_int64(st, 3, f->channel);
	sqlite3_bind_int64(st, 4, f->conversation);
	sqlite3_bind_int64(st, 5, f->before_id);
	sqlite3_bind_int(st, 6, f->limit);
	sqlite3_bind_int64(st, 7, f->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		r.channel_id = sqlite3_column_int64(st, 1);
		r.conversation_id = sqlite3_column_int64(st, 2);
		r.kind = col_text(st, 3);
		r.state = col_text(st, 4);
		r.attempts = sqlite3_column_int(st, 5);
		r.error = col_text(st, 6);
		r.error_code = col_text(st, 7);
		r.created_ms = sqlite3_column_int64(st, 8);
		r.sent_ms = sqlite3_column_int64(st, 9);
		r.author_kind = col_text(st, 10);
		r.message_id = sqlite3_column_int64(st, 11);
		r.tag = col_text(st, 12);
		r.meta_message_id = col_text(st, 13);
		r.next_attempt_ms = sqlite3_column_int64(st, 14);
		r.updated_ms = sqlite3_column_int64(st, 15);
		fn(arg, &r);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_outbox_attempts(struct db *d, long long id,
    void (*fn)(void *, const struct db_outbox_attempt *), void *arg)
{
	struct db_outbox_attempt a;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_OUTBOX_ATTEMPTS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		a.attempt = sqlite3_column_int(st, 0);
		a.at_ms = sqlite3_column_int64(st, 1);
		a.cls = col_text(st, 2);
		a.http_status = sqlite3_column_int(st, 3);
		a.code = (long)sqlite3_column_int64(st, 4);
		a.subcode = (long)sqlite3_column_int64(st, 5);
		a.fbtrace_id = col_text(st, 6);
		a.message = col_text(st, 7);
		fn(arg, &a);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_outbox_retry(struct db *d, long long ws, long long id, long long now)
{
	sqlite3_stmt	*st;
	long long	 msg = -1;
	int		 rc;

	if (db_begin(d) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_OUTBOX_RETRY)) == NULL)
		return undo(d);
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		msg = sqlite3_column_int64(st, 0);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_fail(d, rc);
		return undo(d);
	}
	if (msg > 0) {
		if ((st = db_stmt(d, STMT_OUTBOX_RETRY_MSG)) == NULL)
			return undo(d);
		sqlite3_bind_int64(st, 1, msg);
		if (db_exec(d, st) == -1)
			return undo(d);
	}
	if (db_commit(d) == -1)
		return undo(d);
	return msg >= 0;
}

int
db_outbox_channel_gone(struct db *d, long long channel, const char *why,
    long long now, long long *n)
{
	sqlite3_stmt *st;

	*n = 0;
	if ((st = db_stmt(d, STMT_OUTBOX_GONE_MSG)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, why);
	if (db_exec(d, st) == -1 ||
	    (st = db_stmt(d, STMT_OUTBOX_GONE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, why);
	sqlite3_bind_int64(st, 3, now);
	if (db_exec(d, st) == -1)
		return -1;
	*n = sqlite3_changes(d->h);
	return 0;
}
