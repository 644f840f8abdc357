/*
 * db_auto: automation's rows.  See db_auto.h; the SQL is in db.c's
 * statement table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"

/* A copy of text column i, or NULL for NULL (or out of memory). */
static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? strdup((const char *)s) : NULL;
}

/* Step st to its end (a statement whose rows are not read), reset;
 * -1 with the error recorded. */
static int
step_done(struct db *d, sqlite3_stmt *st, int *changed)
{
	int rc = sqlite3_step(st);

	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(d, rc);
	if (changed != NULL)
		*changed = sqlite3_changes(d->h) > 0;
	return 0;
}

/* The one integer the statement st answers into *v; 0 or -1. */
static int
one_int(struct db *d, sqlite3_stmt *st, long long *v)
{
	int rc;

	*v = 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return 0;
}

void
db_rule_clear(struct db_rule *r)
{
	free(r->name);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* Fill r from a rule row; 0 or -1 (memory). */
static int
rule_fill(sqlite3_stmt *st, struct db_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->position = sqlite3_column_int64(st, 1);
	r->name = col_dup(st, 2);
	r->enabled = sqlite3_column_int(st, 3);
	r->body = col_dup(st, 4);
	r->updated_at = sqlite3_column_int64(st, 5);
	return r->name != NULL && r->body != NULL ? 0 : -1;
}

int
db_rule_each(struct db *d, long long ws,
    void (*fn)(void *, const struct db_rule *), void *arg)
{
	struct db_rule	 r;
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_RULE_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int(st, 2, HG_RULES_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rule_fill(st, &r) == 0)
			fn(arg, &r);
		db_rule_clear(&r);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_rule_get(struct db *d, long long ws, long long id, struct db_rule *r)
{
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	memset(r, 0, sizeof(*r));
	if ((st = db_stmt(d, STMT_RULE_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		found = rule_fill(st, r) == 0 ? 1 : -1;
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(d, rc);
	if (found == -1)
		db_rule_clear(r);
	return found;
}

int
db_rule_add(struct db *d, long long ws, long long position, const char *name,
    int enabled, const char *body, long long now, long long *id)
{
	sqlite3_stmt	*st;
	long long	 n;

	*id = 0;
	if (db_begin(d) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_RULE_COUNT)) == NULL)
		goto err;
	sqlite3_bind_int64(st, 1, ws);
	if (one_int(d, st, &n) == -1)
		goto err;
	if (n >= HG_RULES_MAX) {
		db_rollback(d);
		return -1;
	}
	if ((st = db_stmt(d, STMT_RULE_ADD)) == NULL)
		goto err;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, position);
	db_bind_text(st, 3, name);
	sqlite3_bind_int(st, 4, enabled);
	db_bind_text(st, 5, body);
	sqlite3_bind_int64(st, 6, now);
	if (one_int(d, st, id) == -1 || db_commit(d) == -1)
		goto err;
	return 0;
err:
	*id = 0;
	db_rollback(d);
	return -1;
}

int
db_rule_put(struct db *d, long long ws, long long id, long long position,
    const char *name, int enabled, const char *body, long long now)
{
	sqlite3_stmt	*st;
	int		 changed;

	if ((st = db_stmt(d, STMT_RULE_PUT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, position);
	db_bind_text(st, 4, name);
	sqlite3_bind_int(st, 5, enabled);
	db_bind_text(st, 6, body);
	sqlite3_bind_int64(st, 7, now);
	if (step_done(d, st, &changed) == -1)
		return -1;
	return changed;
}

int
db_rule_delete(struct db *d, long long ws, long long id)
{
	sqlite3_stmt	*st;
	int		 changed;

	if ((st = db_stmt(d, STMT_RULE_DELETE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, id);
	if (step_done(d, st, &changed) == -1)
		return -1;
	return changed;
}

void
db_auto_settings_clear(struct db_auto_settings *s)
{
	free(s->handover);
	free(s->bot);
	free(s->hours);
	buf_free(&s->bot_secret_sealed);
	s->handover = s->bot = s->hours = NULL;
}

int
db_auto_settings_get(struct db *d, long long ws, struct db_auto_settings *s)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(s, 0, sizeof(*s));
	buf_init(&s->bot_secret_sealed, HG_BOT_SECRET_MAX + 64);
	if ((st = db_stmt(d, STMT_AUTOSET_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s->handover = col_dup(st, 0);
		s->bot = col_dup(st, 1);
		if (sqlite3_column_bytes(st, 2) > 0)
			buf_add(&s->bot_secret_sealed, sqlite3_column_blob(st, 2),
			    (size_t)sqlite3_column_bytes(st, 2));
		s->hours = col_dup(st, 3);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_auto_settings_put(struct db *d, long long ws, const char *which,
    const char *json, const void *sealed, size_t len, long long now)
{
	sqlite3_stmt	*st;
	enum stmt	 s;

	if (strcmp(which, "handover") == 0)
		s = STMT_AUTOSET_HANDOVER;
	else if (strcmp(which, "bot") == 0)
		s = STMT_AUTOSET_BOT;
	else if (strcmp(which, "hours") == 0)
		s = STMT_AUTOSET_HOURS;
	else
		return -1;
	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	db_bind_text(st, 2, json);
	sqlite3_bind_int64(st, 3, now);
	if (s == STMT_AUTOSET_BOT && sealed != NULL)
		sqlite3_bind_blob(st, 4, sealed, (int)len, SQLITE_TRANSIENT);
	return step_done(d, st, NULL);
}

void
db_auto_msg_clear(struct db_auto_msg *m)
{
	free(m->kind);
	free(m->text);
	free(m->payload);
	free(m->raw);
	free(m->author);
	free(m->channel_name);
	free(m->contact_name);
	memset(m, 0, sizeof(*m));
}

/* Fill m from a message row (STMT_AUTO_MSG's columns). */
static void
msg_fill(sqlite3_stmt *st, struct db_auto_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(st, 0);
	m->conversation_id = sqlite3_column_int64(st, 1);
	m->workspace_id = sqlite3_column_int64(st, 2);
	m->channel_id = sqlite3_column_int64(st, 3);
	m->contact_id = sqlite3_column_int64(st, 4);
	m->assigned_user_id = sqlite3_column_int64(st, 5);
	m->sent_ms = sqlite3_column_int64(st, 6);
	m->inbound = sqlite3_column_int(st, 7);
	m->standby = sqlite3_column_int(st, 8);
	m->kind = col_dup(st, 9);
	m->text = col_dup(st, 10);
	m->payload = col_dup(st, 11);
	m->raw = col_dup(st, 12);
	m->author = col_dup(st, 13);
	db_col_copy(st, 14, m->status, sizeof(m->status));
	db_col_copy(st, 15, m->thread_owner, sizeof(m->thread_owner));
	db_col_copy(st, 16, m->channel_kind, sizeof(m->channel_kind));
	m->channel_name = col_dup(st, 17);
	m->contact_name = col_dup(st, 18);
}

int
db_auto_event_msgs(struct db *d, long long event_id, struct db_auto_msg *m,
    size_t max, size_t *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	*n = 0;
	if ((st = db_stmt(d, STMT_AUTO_EVENT_MSGS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int64(st, 2, (long long)max);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		msg_fill(st, &m[(*n)++]);
	if (*n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_auto_msg_get(struct db *d, long long id, struct db_auto_msg *m)
{
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	memset(m, 0, sizeof(*m));
	if ((st = db_stmt(d, STMT_AUTO_MSG)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		msg_fill(st, m);
		found = 1;
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? found : db_fail(d, rc);
}

int
db_auto_seen(struct db *d, long long msg, const char *outcome, long long now_ms)
{
	sqlite3_stmt	*st;
	int		 changed;

	if ((st = db_stmt(d, STMT_AUTO_SEEN)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, msg);
	sqlite3_bind_int64(st, 2, now_ms);
	db_bind_text(st, 3, outcome);
	if (step_done(d, st, &changed) == -1)
		return -1;
	return changed;
}

int
db_auto_seen_set(struct db *d, long long msg, const char *outcome)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_AUTO_SEEN_SET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, msg);
	db_bind_text(st, 2, outcome);
	return step_done(d, st, NULL);
}

int
db_auto_log(struct db *d, long long ws, long long conv, long long msg,
    long long rule, const char *action, const char *detail, long long now_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_AUTO_LOG)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, conv);
	sqlite3_bind_int64(st, 3, msg);
	sqlite3_bind_int64(st, 4, rule);
	db_bind_text(st, 5, action);
	db_bind_text(st, 6, detail != NULL ? detail : "");
	sqlite3_bind_int64(st, 7, now_ms);
	return step_done(d, st, NULL);
}

int
db_auto_facts(struct db *d, const struct db_auto_msg *m, long long now_ms,
    struct db_auto_facts *f)
{
	sqlite3_stmt	*st;
	long long	 v;
	int		 rc;

	memset(f, 0, sizeof(*f));
	if ((st = db_stmt(d, STMT_AUTO_FIRST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, m->contact_id);
	sqlite3_bind_int64(st, 2, m->id);
	if (one_int(d, st, &v) == -1)
		return -1;
	f->first_message = v == 0;
	if ((st = db_stmt(d, STMT_AUTO_REPLIES_HOUR)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, m->conversation_id);
	sqlite3_bind_int64(st, 2, now_ms - 3600000);
	if (one_int(d, st, &f->replies_hour) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_AUTO_ENGAGED)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, m->conversation_id);
	if (one_int(d, st, &v) == -1)
		return -1;
	f->engaged = v != 0;
	if (m->text == NULL || m->text[0] == '\0')
		return 0;
	if ((st = db_stmt(d, STMT_AUTO_ECHOED)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, m->conversation_id);
	sqlite3_bind_int64(st, 2, now_ms - 3600000);
	db_bind_text(st, 3, m->text);
	if (one_int(d, st, &v) == -1)
		return -1;
	f->echoes_us = v != 0;
	if ((st = db_stmt(d, STMT_AUTO_PREV_TEXT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, m->conversation_id);
	sqlite3_bind_int64(st, 2, m->id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		f->repeats = sqlite3_stricmp((const char *)
		    sqlite3_column_text(st, 0), m->text) == 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return 0;
}

int
db_auto_failures(struct db *d, long long conv, int helped, long long *n)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_AUTO_FAILURES)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int(st, 2, helped);
	return one_int(d, st, n);
}

int
db_auto_tag(struct db *d, long long conv, const char *tag)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_AUTO_TAG)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	db_bind_text(st, 2, tag);
	return step_done(d, st, NULL);
}

int
db_auto_author(struct db *d, long long first, int n, const char *author)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_AUTO_AUTHOR)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int(st, 2, n);
	db_bind_text(st, 3, author);
	return step_done(d, st, NULL);
}

int
db_auto_escalate(struct db *d, long long conv, const char *reason,
    long long now_ms)
{
	sqlite3_stmt	*st;
	struct buf	 sum;
	char		 line[3][140];
	const char	*t, *dir;
	int		 rc, changed, n = 0;

	/* The summary: the last messages (newest first from the table),
	 * oldest first on one line. */
	if ((st = db_stmt(d, STMT_AUTO_SUMMARY)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	while (n < 3 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		dir = (const char *)sqlite3_column_text(st, 0);
		t = (const char *)sqlite3_column_text(st, 1);
		snprintf(line[n], sizeof(line[n]), "%s: %.100s%s",
		    strcmp(dir, "in") == 0 ? "contact" : "us", t,
		    strlen(t) > 100 ? "..." : "");
		for (char *p = line[n]; *p != '\0'; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		n++;
	}
	if (n == 3)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(d, rc);
	buf_init(&sum, sizeof(line) + 16);
	while (n-- > 0) {
		buf_puts(&sum, line[n]);
		if (n > 0)
			buf_puts(&sum, " | ");
	}
	if ((st = db_stmt(d, STMT_AUTO_ESCALATE)) == NULL) {
		buf_free(&sum);
		return -1;
	}
	sqlite3_bind_int64(st, 1, conv);
	sqlite3_bind_int64(st, 2, now_ms);
	db_bind_text(st, 3, reason);
	db_bind_text(st, 4, buf_cstr(&sum));
	rc = step_done(d, st, &changed);
	buf_free(&sum);
	return rc == -1 ? -1 : changed;
}

int
db_auto_queue(struct db *d, long long ws, long long conv, long long now_ms,
    long long *position, long long *waits, size_t max, size_t *n)
{
	sqlite3_stmt	*st;

	*n = 0;
	if ((st = db_stmt(d, STMT_AUTO_QUEUE_POS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, conv);
	if (one_int(d, st, position) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_AUTO_WAITS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, now_ms - HG_WAIT_WINDOW_MS);
	sqlite3_bind_int64(st, 3, (long long)max);
	return db_read_ints(d, st, waits, max, n);
}

void
db_bot_call_clear(struct db_bot_call *c)
{
	free(c->params);
	memset(c, 0, sizeof(*c));
}

int
db_bot_add(struct db *d, long long ws, long long conv, long long msg,
    long long rule, const char *params, long long now_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_BOT_ADD)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, conv);
	sqlite3_bind_int64(st, 3, msg);
	sqlite3_bind_int64(st, 4, rule);
	db_bind_text(st, 5, params != NULL ? params : "{}");
	sqlite3_bind_int64(st, 6, now_ms);
	return step_done(d, st, NULL);
}

int
db_bot_claim(struct db *d, long long now_ms, struct db_bot_call *c)
{
	sqlite3_stmt	*st;
	long long	 id;
	int		 rc;

	memset(c, 0, sizeof(*c));
	if (db_begin(d) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_BOT_DUE)) == NULL)
		goto err;
	sqlite3_bind_int64(st, 1, now_ms);
	if (one_int(d, st, &id) == -1)
		goto err;
	if (id == 0) {
		db_rollback(d);
		return 0;
	}
	if ((st = db_stmt(d, STMT_BOT_TAKE)) == NULL)
		goto err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now_ms + HG_BOT_LEASE_MS);
	sqlite3_bind_int64(st, 3, now_ms);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c->id = id;
		c->workspace_id = sqlite3_column_int64(st, 0);
		c->conversation_id = sqlite3_column_int64(st, 1);
		c->message_id = sqlite3_column_int64(st, 2);
		c->rule_id = sqlite3_column_int64(st, 3);
		c->params = col_dup(st, 4);
		c->attempts = sqlite3_column_int(st, 5);
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_fail(d, rc);
		goto err;
	}
	if (db_commit(d) == -1)
		goto err;
	return c->id > 0;
err:
	db_bot_call_clear(c);
	db_rollback(d);
	return -1;
}

int
db_bot_end(struct db *d, long long id, const char *state, const char *error,
    long long next_ms, long long now_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_BOT_END)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, state);
	db_bind_text(st, 3, error);
	sqlite3_bind_int64(st, 4, next_ms);
	sqlite3_bind_int64(st, 5, now_ms);
	return step_done(d, st, NULL);
}

int
db_bot_next_due(struct db *d, long long *ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_BOT_NEXT_DUE)) == NULL)
		return -1;
	return one_int(d, st, ms);
}

int
db_bot_history(struct db *d, long long conv, int max,
    void (*fn)(void *, const char *, const char *, const char *, const char *,
    long long), void *arg)
{
	return db_each_4t1i(d, STMT_BOT_HISTORY, conv, max, fn, arg);
}

int
db_auto_escalation(struct db *d, long long conv, char *reason, size_t reasonsz,
    char *summary, size_t summarysz, long long *at_ms)
{
	sqlite3_stmt	*st;
	int		 rc;

	reason[0] = summary[0] = '\0';
	*at_ms = 0;
	if ((st = db_stmt(d, STMT_AUTO_ESCALATION)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_col_copy(st, 0, reason, reasonsz);
		db_col_copy(st, 1, summary, summarysz);
		*at_ms = sqlite3_column_int64(st, 2);
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_auto_alerts_take(struct db *d, long long *conv, long long *ws, size_t max,
    size_t *n)
{
	sqlite3_stmt	*st;
	size_t		 i;
	int		 rc;

	*n = 0;
	if (db_begin(d) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_AUTO_ALERT_DUE)) == NULL)
		goto err;
	sqlite3_bind_int64(st, 1, (long long)max);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		conv[*n] = sqlite3_column_int64(st, 0);
		ws[(*n)++] = sqlite3_column_int64(st, 1);
	}
	if (*n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_fail(d, rc);
		goto err;
	}
	for (i = 0; i < *n; i++) {
		if ((st = db_stmt(d, STMT_AUTO_ALERTED)) == NULL)
			goto err;
		sqlite3_bind_int64(st, 1, conv[i]);
		if (step_done(d, st, NULL) == -1)
			goto err;
	}
	return db_commit(d);
err:
	*n = 0;
	db_rollback(d);
	return -1;
}

int
db_auto_wait_rules(struct db *d)
{
	sqlite3_stmt	*st;
	long long	 v;

	if ((st = db_stmt(d, STMT_AUTO_WAIT_RULES)) == NULL ||
	    one_int(d, st, &v) == -1)
		return -1;
	return v != 0;
}

int
db_auto_wait_due(struct db *d, long long till_ms, long long since_ms,
    long long *ids, size_t max, size_t *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	*n = 0;
	if ((st = db_stmt(d, STMT_AUTO_WAIT_DUE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, till_ms);
	sqlite3_bind_int64(st, 2, since_ms);
	sqlite3_bind_int64(st, 3, (long long)max);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	if (*n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_auto_waited(struct db *d, long long msg, long long now_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_AUTO_WAITED)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, msg);
	sqlite3_bind_int64(st, 2, now_ms);
	return step_done(d, st, NULL);
}

int
db_auto_available_set(struct db *d, long long ws, long long user, int on)
{
	sqlite3_stmt	*st;
	int		 changed;

	if ((st = db_stmt(d, STMT_AUTO_AVAILABLE_SET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, user);
	sqlite3_bind_int(st, 3, on != 0);
	if (step_done(d, st, &changed) == -1)
		return -1;
	return changed;
}

int
db_auto_available_get(struct db *d, long long ws, long long user, int *on)
{
	sqlite3_stmt	*st;
	int		 rc;

	*on = 0;
	if ((st = db_stmt(d, STMT_AUTO_AVAILABLE_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	sqlite3_bind_int64(st, 2, user);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*on = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

int
db_auto_available_count(struct db *d, long long ws, long long *n)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_AUTO_AVAILABLE_COUNT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	return one_int(d, st, n);
}

int
db_auto_forward(struct db *d, long long msg, long long rule,
    const char *rule_name, long long dest, long long now_ms, long long *n)
{
	sqlite3_stmt	*st;
	long long	 before;

	*n = 0;
	before = sqlite3_total_changes(d->h);
	if ((st = db_stmt(d, STMT_AUTO_FORWARD)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, msg);
	sqlite3_bind_int64(st, 2, rule);
	db_bind_text(st, 3, rule_name);
	sqlite3_bind_int64(st, 4, dest);
	sqlite3_bind_int64(st, 5, now_ms);
	if (db_exec(d, st) == -1)
		return -1;
	/* The event row, then one per delivery the trigger made. */
	if (sqlite3_total_changes(d->h) - before > 1)
		*n = sqlite3_total_changes(d->h) - before - 1;
	return 0;
}
