/*
 * bot: calling a workspace's bot.  See bot.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "automation.h"
#include "bgthread.h"
#include "bot.h"
#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_auto.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "signed_post.h"

/* The workspace's bot: its URL, timeout and secret (opened). */
struct bot_target {
	char		 url[2049];
	long		 timeout_ms;
	struct buf	 secret;
};

/* Read workspace ws's bot into t (secret opened with c's token_key):
 * 1, 0 when none is set up (or its secret cannot be opened), -1. */
static int
target_of(const struct conf *c, struct db *d, long long ws,
    struct bot_target *t)
{
	struct db_auto_settings	 s;
	unsigned char		 key[CRYPTO_KEY_LEN];
	const cJSON		*u, *ms;
	cJSON			*b;
	char			 aad[64];
	int			 rc = 0;

	memset(t->url, 0, sizeof(t->url));
	t->timeout_ms = HG_BOT_TIMEOUT_MS;
	buf_init(&t->secret, HG_BOT_SECRET_MAX + 1);
	if (db_auto_settings_get(d, ws, &s) == -1)
		return -1;
	b = s.bot != NULL ? cJSON_Parse(s.bot) : NULL;
	u = cJSON_GetObjectItemCaseSensitive(b, "url");
	ms = cJSON_GetObjectItemCaseSensitive(b, "timeout_ms");
	if (cJSON_IsNumber(ms) && ms->valuedouble >= 500 &&
	    ms->valuedouble <= HG_BOT_TIMEOUT_MAX_MS)
		t->timeout_ms = (long)ms->valuedouble;
	snprintf(aad, sizeof(aad), "bot:%lld", ws);
	if (cJSON_IsString(u) && u->valuestring[0] != '\0' &&
	    strlen(u->valuestring) < sizeof(t->url) &&
	    s.bot_secret_sealed.len > 0 &&
	    crypto_key_parse(conf_get(c, "token_key"), key) == 0) {
		snprintf(t->url, sizeof(t->url), "%s", u->valuestring);
		rc = crypto_open(key, s.bot_secret_sealed.data,
		    s.bot_secret_sealed.len, aad, strlen(aad), &t->secret) == 0 &&
		    buf_putc(&t->secret, '\0') == 0;
		crypto_wipe(key, sizeof(key));
	}
	cJSON_Delete(b);
	db_auto_settings_clear(&s);
	return rc;
}

static void
target_clear(struct bot_target *t)
{
	if (t->secret.data != NULL)
		crypto_wipe(t->secret.data, t->secret.len);
	buf_free(&t->secret);
}

/* db_bot_history's callback: prepend to the array (newest come first). */
static void
history_one(void *arg, const char *dir, const char *kind, const char *text,
    const char *author, long long sent_ms)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return;
	cJSON_AddStringToObject(o, "direction", dir);
	cJSON_AddStringToObject(o, "kind", kind);
	cJSON_AddStringToObject(o, "text", text);
	if (author[0] != '\0')
		cJSON_AddStringToObject(o, "author", author);
	else
		cJSON_AddNullToObject(o, "author");
	cJSON_AddNumberToObject(o, "sent_ms", (double)sent_ms);
	cJSON_InsertItemInArray(arg, 0, o);
}

/* The request's body for call k about message m; NULL on error. */
static char *
request_of(struct db *d, const struct db_bot_call *k,
    const struct db_auto_msg *m)
{
	cJSON	*o, *cv, *ch, *ct, *msg, *h;
	char	 id[64], *s = NULL;

	snprintf(id, sizeof(id), "botcall_%lld", k->id);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "message");
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddNumberToObject(o, "workspace_id", (double)m->workspace_id);
	cv = cJSON_AddObjectToObject(o, "conversation");
	cJSON_AddNumberToObject(cv, "id", (double)m->conversation_id);
	ch = cJSON_AddObjectToObject(cv, "channel");
	cJSON_AddNumberToObject(ch, "id", (double)m->channel_id);
	cJSON_AddStringToObject(ch, "kind", m->channel_kind);
	json_add_str_or_null(ch, "name", m->channel_name);
	ct = cJSON_AddObjectToObject(cv, "contact");
	cJSON_AddNumberToObject(ct, "id", (double)m->contact_id);
	json_add_str_or_null(ct, "name", m->contact_name);
	msg = cJSON_AddObjectToObject(o, "message");
	cJSON_AddNumberToObject(msg, "id", (double)m->id);
	json_add_str_or_null(msg, "kind", m->kind);
	json_add_str_or_null(msg, "text", m->text);
	json_add_str_or_null(msg, "payload", m->payload);
	cJSON_AddNumberToObject(msg, "sent_ms", (double)m->sent_ms);
	h = cJSON_AddArrayToObject(o, "history");
	cJSON_AddItemToObject(o, "params", k->params != NULL ?
	    cJSON_Parse(k->params) : cJSON_CreateObject());
	if (h != NULL && db_bot_history(d, m->conversation_id, HG_BOT_HISTORY,
	    history_one, h) == 0)
		s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* End call k that failed with why: again later, or (its tries spent,
 * or final) failed, and the conversation escalated "bot unavailable";
 * 0 or -1. */
static int
call_failed(struct db *d, const struct db_bot_call *k, const char *why,
    int final, long long now)
{
	struct logline l;

	log_begin(&l, LOG_LEVEL_WARN, "bot.call_failed");
	log_int(&l, "call", k->id);
	log_int(&l, "attempt", k->attempts);
	log_str(&l, "error", why);
	log_end(&l);
	if (db_begin(d) == -1)
		return -1;
	if (!final && k->attempts < HG_BOT_ATTEMPTS) {
		if (db_bot_end(d, k->id, "queued", why, now + HG_BOT_RETRY_MS,
		    now) == -1)
			goto err;
	} else if (db_bot_end(d, k->id, "failed", why, now, now) == -1 ||
	    db_auto_log(d, k->workspace_id, k->conversation_id, k->message_id,
	    k->rule_id, "bot", why, now) == -1 ||
	    automation_escalate(d, k->workspace_id, k->conversation_id,
	    k->message_id, "bot unavailable", 1, now) == -1)
		goto err;
	return db_commit(d);
err:
	db_rollback(d);
	return -1;
}

/* Make call k; 0 or -1 (database). */
static int
call_one(const struct conf *c, struct db *d, const struct db_bot_call *k)
{
	struct bot_target	 t;
	struct db_auto_msg	 m;
	struct buf		 answer;
	char			 err[256], id[64], *body = NULL;
	long			 status;
	long long		 now = clock_ms();
	cJSON			*a = NULL;
	int			 rc;

	memset(&m, 0, sizeof(m));
	buf_init(&answer, HG_BOT_ANSWER_MAX);
	if ((rc = target_of(c, d, k->workspace_id, &t)) == -1 ||
	    (rc == 1 && db_auto_msg_get(d, k->message_id, &m) == -1)) {
		rc = -1;
		goto out;
	}
	if (rc == 0) {
		/* The bot was taken away since: nobody would answer. */
		rc = call_failed(d, k, "no bot is set up", 1, now);
		goto out;
	}
	if (m.id == 0) {
		rc = db_bot_end(d, k->id, "failed", "the message is gone", now,
		    now);
		goto out;
	}
	if ((body = request_of(d, k, &m)) == NULL) {
		rc = -1;
		goto out;
	}
	/* The same webhook-id on every try, so the bot can tell a retry
	 * (Standard Webhooks). */
	snprintf(id, sizeof(id), "botcall_%lld", k->id);
	if (signed_post(t.url, strcmp(conf_get(c, "sandbox"), "yes") == 0,
	    buf_cstr(&t.secret), id, now / 1000, body, t.timeout_ms, &status,
	    &answer, err, sizeof(err)) == 0 &&
	    (status < 200 || status > 299))
		snprintf(err, sizeof(err), "the bot answered HTTP %ld", status);
	else if (status >= 200 && status <= 299 && ((a = cJSON_ParseWithLength(
	    answer.data != NULL ? answer.data : "", answer.len)) == NULL ||
	    !cJSON_IsObject(a)))
		snprintf(err, sizeof(err), "the bot's answer is not a JSON "
		    "object");
	if (!cJSON_IsObject(a)) {
		rc = call_failed(d, k, err, 0, clock_ms());
		goto out;
	}
	now = clock_ms();
	if (db_begin(d) == -1) {
		rc = -1;
		goto out;
	}
	if (automation_bot_answer(d, k->message_id, a, now) == -1 ||
	    db_bot_end(d, k->id, "done", NULL, now, now) == -1 ||
	    db_auto_log(d, k->workspace_id, k->conversation_id, k->message_id,
	    k->rule_id, "bot", "answered", now) == -1 || db_commit(d) == -1) {
		db_rollback(d);
		rc = -1;
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(a);
	free(body);
	buf_free(&answer);
	db_auto_msg_clear(&m);
	target_clear(&t);
	return rc;
}

/* Tell people (alert_send: the alert e-mail and webhook, when
 * configured) of the conversations newly handed over to them; each is
 * told once.  The text names conversations, never a message.  0 or
 * -1 (database). */
static int
alert_escalations(const struct conf *c, struct db *d)
{
	long long	 conv[HG_ALERT_LINES], ws[HG_ALERT_LINES];
	char		 err[256];
	size_t		 n, i;
	struct buf	 t;
	int		 rc;

	if (db_auto_alerts_take(d, conv, ws, HG_ALERT_LINES, &n) == -1)
		return -1;
	if (n == 0)
		return 0;
	buf_init(&t, HG_ALERT_TEXT_MAX);
	buf_printf(&t, "%zu conversation%s handed over to a person, waiting "
	    "in the inbox:", n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++)
		buf_printf(&t, "\n- workspace %lld, conversation %lld", ws[i],
		    conv[i]);
	rc = alert_send(c, "hubgate: a customer is waiting for a person",
	    buf_cstr(&t), err, sizeof(err));
	buf_free(&t);
	if (rc == -1)
		log_msg(LOG_LEVEL_WARN, "automation.alert_failed", err);
	return 0;
}

int
bot_run(const struct conf *c, struct db *d, long long budget_ms,
    long long *next_ms)
{
	struct db_bot_call	 k;
	long long		 end = clock_mono_ms() + budget_ms;
	int			 n = 0, rc;

	if (next_ms != NULL)
		*next_ms = 0;
	while (clock_mono_ms() < end) {
		if ((rc = db_bot_claim(d, clock_ms(), &k)) == -1)
			return -1;
		if (rc == 0)
			break;
		rc = call_one(c, d, &k);
		db_bot_call_clear(&k);
		if (rc == -1)
			return -1;
		n++;
	}
	if (automation_waiting(d, clock_ms()) == -1 ||
	    alert_escalations(c, d) == -1)
		return -1;
	if (next_ms != NULL && db_bot_next_due(d, next_ms) == -1)
		return -1;
	return n;
}

/* The thread's worker: the configuration is all it keeps. */
static void *
bg_new(const struct conf *c, struct db *d, struct graph *g)
{
	(void)d;
	(void)g;
	return (void *)c;
}

static void
bg_free(void *w)
{
	(void)w;
}

static int
bg_run(void *w, struct db *d, struct graph *g, long long budget_ms,
    long long *next_ms)
{
	(void)g;
	return bot_run(w, d, budget_ms, next_ms) == -1 ? -1 : 0;
}

const struct bg_job bot_job = {
	.name = "bot",
	.poll_ms = HG_BOT_POLL_MS,
	.worker_new = bg_new,
	.worker_free = bg_free,
	.run = bg_run,
};
