/*
 * automation: rules, escalation and the bot's answers on stored
 * messages.  See automation.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "automation.h"
#include "db.h"
#include "db_auto.h"
#include "db_channel.h"
#include "db_group.h"
#include "db_outbox.h"
#include "handover.h"
#include "limits.h"
#include "log.h"
#include "outbox.h"
#include "rich.h"
#include "rules.h"

/* Items of one event looked at (Meta batches up to 1000). */
#define AUTO_EVENT_MSGS		1000

const char *const automation_default_notice =
    "Thanks! I'm connecting you with a person, who will answer here "
    "shortly.";

/* A workspace's rules and settings, loaded once per message. */
struct auto_ws {
	struct db_rule	 rule[HG_RULES_MAX];
	size_t		 nrule;
	int		 enabled_rules;
	cJSON		*handover, *bot, *hours;
	int		 handover_on, bot_on;
};

/* db_rule_each's callback: keep a copy. */
static void
keep_rule(void *arg, const struct db_rule *r)
{
	struct auto_ws	*w = arg;
	struct db_rule	*c;

	if (w->nrule >= HG_RULES_MAX)
		return;
	c = &w->rule[w->nrule];
	*c = *r;
	c->name = strdup(r->name);
	c->body = strdup(r->body);
	if (c->name == NULL || c->body == NULL) {
		db_rule_clear(c);
		return;
	}
	w->nrule++;
	w->enabled_rules += r->enabled;
}

static void
ws_free(struct auto_ws *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->nrule; i++)
		db_rule_clear(&w->rule[i]);
	cJSON_Delete(w->handover);
	cJSON_Delete(w->bot);
	cJSON_Delete(w->hours);
	free(w);
}

/* Load workspace ws's rules and settings; NULL on error. */
static struct auto_ws *
ws_load(struct db *d, long long ws)
{
	struct db_auto_settings	 s;
	struct auto_ws		*w;
	const cJSON		*u;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	if (db_rule_each(d, ws, keep_rule, w) == -1 ||
	    db_auto_settings_get(d, ws, &s) == -1) {
		ws_free(w);
		return NULL;
	}
	w->handover = s.handover != NULL ? cJSON_Parse(s.handover) : NULL;
	w->bot = s.bot != NULL ? cJSON_Parse(s.bot) : NULL;
	w->hours = s.hours != NULL ? cJSON_Parse(s.hours) : NULL;
	w->handover_on = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
	    w->handover, "enabled"));
	u = cJSON_GetObjectItemCaseSensitive(w->bot, "url");
	w->bot_on = cJSON_IsString(u) && u->valuestring[0] != '\0' &&
	    s.bot_secret_sealed.len > 0;
	db_auto_settings_clear(&s);
	return w;
}

/* The placeholders' values for a message. */
struct fill_ctx {
	const struct db_auto_msg	*m;
	char				 first[128];
};

static const char *
lookup(void *arg, const char *key)
{
	struct fill_ctx	*f = arg;
	const char	*n = f->m->contact_name;
	size_t		 len;

	if (strcmp(key, "contact.name") == 0)
		return n;
	if (strcmp(key, "contact.first_name") == 0) {
		if (n == NULL)
			return NULL;
		len = strcspn(n, " ");
		if (len >= sizeof(f->first))
			len = sizeof(f->first) - 1;
		memcpy(f->first, n, len);
		f->first[len] = '\0';
		return f->first;
	}
	if (strcmp(key, "channel.name") == 0)
		return f->m->channel_name;
	if (strcmp(key, "message.text") == 0)
		return f->m->text;
	return NULL;
}

/* rich_build's filler: the placeholders of a message (f, may be NULL)
 * and a pattern's groups (g, may be NULL). */
struct rich_ctx {
	struct fill_ctx			*f;
	const struct rules_groups	*g;
};

static char *
rich_text(void *arg, const char *text)
{
	struct rich_ctx *c = arg;

	return rules_fill(text, c->f != NULL ? lookup : NULL, c->f, c->g);
}

/* Queue a reply of rule (0: hubgate's own notice) or of the bot
 * (author "bot") to m's conversation: text (filled) with quick replies,
 * or a template.  *sent: 1 when queued.  0 or -1. */
static int
send_reply(struct db *d, const struct db_auto_msg *m, const cJSON *reply,
    const char *author, long long rule, const struct rules_groups *g,
    long long now_ms, int *sent)
{
	struct outbox_req	 q;
	struct outbox_res	 res;
	struct fill_ctx		 f = { .m = m };
	const cJSON		*t, *qr, *tpl;
	char			*text = NULL, why[400];
	cJSON			*rich = NULL;
	int			 rc;

	*sent = 0;
	t = cJSON_GetObjectItemCaseSensitive(reply, "text");
	qr = cJSON_GetObjectItemCaseSensitive(reply, "quick_replies");
	tpl = cJSON_GetObjectItemCaseSensitive(reply, "template");
	memset(&q, 0, sizeof(q));
	q.workspace = m->workspace_id;
	q.conversation = m->conversation_id;
	q.author_kind = author;
	q.author_id = rule;
	q.now_ms = now_ms;
	if (rich_is(reply)) {
		/* Buttons or a generic template (rich.h), filled. */
		struct rich_ctx rc_fill = { .f = &f, .g = g };

		if ((rich = rich_build(reply, rich_text, &rc_fill)) == NULL)
			return -1;
		q.rich = rich;
		q.quick_replies = cJSON_IsArray(qr) ? qr : NULL;
	} else if (cJSON_IsString(t)) {
		if ((text = rules_fill(t->valuestring, lookup, &f, g)) == NULL)
			return -1;
		q.text = text;
		q.quick_replies = cJSON_IsArray(qr) ? qr : NULL;
	} else if (cJSON_IsObject(tpl))
		q.template = tpl;
	else
		return db_auto_log(d, m->workspace_id, m->conversation_id,
		    m->id, rule, "refused", "a reply without text or template",
		    now_ms);
	rc = outbox_enqueue_in(d, &q, &res);
	free(text);
	cJSON_Delete(rich);
	if (rc == -1)
		return -1;
	if (res.verdict == OUTBOX_QUEUED_NEW) {
		*sent = 1;
		if (db_auto_author(d, res.id, res.n, author) == -1)
			return -1;
		snprintf(why, sizeof(why), "outbox %lld", res.id);
		return db_auto_log(d, m->workspace_id, m->conversation_id,
		    m->id, rule, "reply", why, now_ms);
	}
	/* The window, or a limit: say why, send nothing. */
	snprintf(why, sizeof(why), "not sent: %s (window %s)", res.why,
	    window_names[res.window]);
	log_msg(LOG_LEVEL_INFO, "automation.reply_refused", why);
	return db_auto_log(d, m->workspace_id, m->conversation_id, m->id,
	    rule, "refused", why, now_ms);
}

int
automation_escalate(struct db *d, long long ws, long long conv, long long msg,
    const char *reason, int notify, long long now_ms)
{
	struct db_auto_settings	 s;
	struct db_auto_msg	 m;
	long long		 pos = 0, waits[HG_WAIT_SAMPLES], wait, avail;
	size_t			 nw;
	const cJSON		*n, *qr;
	cJSON			*h = NULL, *hours = NULL, *reply = NULL;
	char			 text[HG_RULE_TEXT_MAX + 256];
	int			 rc, sent, grouped;

	if ((rc = db_auto_escalate(d, conv, reason, now_ms)) != 1)
		return rc;
	if (db_auto_log(d, ws, conv, msg, 0, "escalate", reason, now_ms) == -1)
		return -1;
	/* Mirrored to Meta's inbox where the business uses it too. */
	if (handover_pass_in(d, ws, conv, reason, now_ms, NULL) == -1)
		return -1;
	{
		/* The conversation, not the reason: a bot's words may
		 * name the person. */
		struct logline l;

		log_begin(&l, LOG_LEVEL_INFO, "automation.escalated");
		log_int(&l, "conversation", conv);
		log_end(&l);
	}
	if (!notify || msg == 0)
		return 0;
	if (db_auto_settings_get(d, ws, &s) == -1)
		return -1;
	h = s.handover != NULL ? cJSON_Parse(s.handover) : NULL;
	hours = s.hours != NULL ? cJSON_Parse(s.hours) : NULL;
	db_auto_settings_clear(&s);
	n = cJSON_GetObjectItemCaseSensitive(h, "notice");
	qr = cJSON_GetObjectItemCaseSensitive(h, "waiting_quick_replies");
	rc = -1;
	/* A conversation of a group: that group's queue, its waits and
	 * its available members only (db_group.h). */
	if ((grouped = db_group_queue(d, conv, now_ms - HG_WAIT_WINDOW_MS,
	    &pos, waits, HG_WAIT_SAMPLES, &nw, &avail)) == -1 ||
	    (grouped == 0 && (db_auto_queue(d, ws, conv, now_ms, &pos, waits,
	    HG_WAIT_SAMPLES, &nw) == -1 || db_auto_available_count(d, ws,
	    &avail) == -1)))
		goto out;
	wait = rules_median(waits, nw);
	snprintf(text, sizeof(text), "%s", cJSON_IsString(n) &&
	    n->valuestring[0] != '\0' ? n->valuestring :
	    automation_default_notice);
	if (avail == 0) {
		/* Nobody: say when someone will answer (business hours). */
		size_t	 len = strlen(text);
		char	 open[64];

		snprintf(text + len, sizeof(text) - len, " Nobody is available "
		    "right now.");
		len = strlen(text);
		if (hours != NULL && rules_outside_hours(hours, now_ms) == 1 &&
		    rules_next_open(hours, now_ms, open, sizeof(open)) == 1)
			snprintf(text + len, sizeof(text) - len, " We will "
			    "answer from %s.", open);
	} else if (pos > 1) {
		/* People are busy: others wait before this one; the
		 * typical wait once for every round of the people
		 * available through those ahead. */
		size_t len = strlen(text);

		snprintf(text + len, sizeof(text) - len, " You are number %lld "
		    "in the queue.", pos);
		len = strlen(text);
		wait *= (pos - 1 + avail - 1) / avail > 1 ?
		    (pos - 1 + avail - 1) / avail : 1;
		if (wait > 0)
			snprintf(text + len, sizeof(text) - len, " The typical "
			    "wait is about %lld minute%s.", (wait + 59999) /
			    60000, wait <= 60000 ? "" : "s");
	}
	if ((reply = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(reply, "text", text) == NULL)
		goto out;
	if (cJSON_IsArray(qr) && cJSON_GetArraySize(qr) > 0)
		cJSON_AddItemToObject(reply, "quick_replies",
		    cJSON_Duplicate(qr, 1));
	if ((rc = db_auto_msg_get(d, msg, &m)) != 1)
		goto out;
	/* Quick replies exist on Messenger and Instagram only. */
	if (strcmp(m.channel_kind, "whatsapp") == 0)
		cJSON_DeleteItemFromObject(reply, "quick_replies");
	rc = send_reply(d, &m, reply, "rule", 0, NULL, now_ms, &sent);
	db_auto_msg_clear(&m);
out:
	cJSON_Delete(reply);
	cJSON_Delete(h);
	cJSON_Delete(hours);
	return rc == -1 ? -1 : 0;
}

/* The ad id of a referral message (from its raw item), or NULL. */
static char *
ad_id_of(const struct db_auto_msg *m)
{
	cJSON		*raw;
	const cJSON	*r, *a;
	char		*id = NULL;

	if (m->raw == NULL || (raw = cJSON_Parse(m->raw)) == NULL)
		return NULL;
	r = cJSON_GetObjectItemCaseSensitive(raw, "referral");
	if (r == NULL)
		r = raw;
	a = cJSON_GetObjectItemCaseSensitive(r, "ad_id");
	if (cJSON_IsString(a))
		id = strdup(a->valuestring);
	cJSON_Delete(raw);
	return id;
}

/* What running the rules did to one message. */
struct run {
	int	 matched;	/* a rule matched */
	int	 answered;	/* a reply queued or a bot called */
	int	 escalated;
	int	 stopped;
	long long replies;	/* automatic replies in the last hour */
};

/* The action {"assign": {"group": id or name}} v of rule r on m: the
 * conversation's group (its person, if any, stays); 0 or -1. */
static int
assign_group(struct db *d, const struct db_rule *r, const cJSON *v,
    const struct db_auto_msg *m, long long now_ms)
{
	const cJSON	*g = cJSON_GetObjectItemCaseSensitive(v, "group");
	long long	 id;
	char		 why[120];
	int		 rc;

	if ((rc = db_group_find(d, m->workspace_id, cJSON_IsNumber(g) ?
	    (long long)g->valuedouble : 0, cJSON_GetStringValue(g), &id)) == -1)
		return -1;
	if (rc == 1 && (rc = db_group_assign(d, m->workspace_id,
	    m->conversation_id, id)) == -1)
		return -1;
	if (rc == 1)
		snprintf(why, sizeof(why), "group %lld", id);
	else
		snprintf(why, sizeof(why), "no such group in this workspace");
	return db_auto_log(d, m->workspace_id, m->conversation_id, m->id,
	    r->id, "assign", why, now_ms);
}

/* Run one action of rule r on m; 0 or -1. */
static int
run_action(struct db *d, const struct auto_ws *w, const struct db_rule *r,
    const cJSON *a, const struct db_auto_msg *m,
    const struct rules_groups *g, struct run *run, long long now_ms)
{
	struct db_conv_state	 st;
	struct fill_ctx		 f = { .m = m };
	const cJSON		*v = a->child;
	const char		*k = v->string;
	char			 why[300], *params;
	cJSON			*p;
	int			 sent, rc;

	if (strcmp(k, "reply") == 0) {
		if (run->replies >= HG_AUTO_REPLIES_PER_HOUR)
			return db_auto_log(d, m->workspace_id,
			    m->conversation_id, m->id, r->id, "skip",
			    "loop limit: automatic replies per hour reached",
			    now_ms);
		if (send_reply(d, m, v, "rule", r->id, g, now_ms, &sent) == -1)
			return -1;
		run->replies += sent;
		run->answered |= sent;
		return 0;
	}
	if (strcmp(k, "tag") == 0) {
		if (db_auto_tag(d, m->conversation_id, v->valuestring) == -1)
			return -1;
		return db_auto_log(d, m->workspace_id, m->conversation_id,
		    m->id, r->id, "tag", v->valuestring, now_ms);
	}
	if (strcmp(k, "assign") == 0 && cJSON_IsObject(v))
		return assign_group(d, r, v, m, now_ms);
	if (strcmp(k, "assign") == 0 || strcmp(k, "close") == 0) {
		rc = db_conv_act(d, m->workspace_id, m->conversation_id,
		    k[0] == 'a' ? DB_CONV_ASSIGN : DB_CONV_CLOSE,
		    k[0] == 'a' ? (long long)v->valuedouble : 0, &st);
		if (rc == -1)
			return -1;
		snprintf(why, sizeof(why), "%s", rc == 1 ? "" : "not a member "
		    "of this workspace");
		return db_auto_log(d, m->workspace_id, m->conversation_id,
		    m->id, r->id, k, why, now_ms);
	}
	if (strcmp(k, "escalate") == 0) {
		const char *x = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(v, "reason"));

		snprintf(why, sizeof(why), "%s", x != NULL && x[0] != '\0' ? x :
		    r->name);
		run->escalated = run->stopped = 1;
		return automation_escalate(d, m->workspace_id,
		    m->conversation_id, m->id, why, 1, now_ms);
	}
	if (strcmp(k, "bot") == 0) {
		if (!w->bot_on)
			return db_auto_log(d, m->workspace_id,
			    m->conversation_id, m->id, r->id, "skip",
			    "no bot is set up", now_ms);
		/* The params, their placeholders filled. */
		p = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(v,
		    "params"), 1);
		if (p == NULL)
			p = cJSON_CreateObject();
		for (cJSON *e = p != NULL ? p->child : NULL; e != NULL;
		    e = e->next)
			if (cJSON_IsString(e)) {
				char *s = rules_fill(e->valuestring, lookup, &f,
				    g);

				if (s != NULL) {
					cJSON_SetValuestring(e, s);
					free(s);
				}
			}
		params = p != NULL ? cJSON_PrintUnformatted(p) : NULL;
		cJSON_Delete(p);
		if (params == NULL)
			return -1;
		rc = db_bot_add(d, m->workspace_id, m->conversation_id, m->id,
		    r->id, params, now_ms);
		free(params);
		if (rc == -1)
			return -1;
		run->answered = 1;
		return db_auto_log(d, m->workspace_id, m->conversation_id,
		    m->id, r->id, "bot", "queued", now_ms);
	}
	if (strcmp(k, "forward") == 0) {
		/* A message.forwarded event, in this transaction: to the
		 * destination named, else to every destination that takes
		 * message.forwarded (the forwarding worker delivers it). */
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(v,
		    "destination_id");
		long long n;

		if (db_auto_forward(d, m->id, r->id, r->name, cJSON_IsNumber(x) ?
		    (long long)x->valuedouble : 0, now_ms, &n) == -1)
			return -1;
		return db_auto_log(d, m->workspace_id, m->conversation_id,
		    m->id, r->id, "forward", n > 0 ? "" : "no destination "
		    "takes it", now_ms);
	}
	if (strcmp(k, "stop") == 0) {
		run->stopped = 1;
		return db_auto_log(d, m->workspace_id, m->conversation_id,
		    m->id, r->id, "stop", "", now_ms);
	}
	return db_auto_log(d, m->workspace_id, m->conversation_id, m->id,
	    r->id, "skip", "an action this version does not run", now_ms);
}

/* The rules message of m with the facts f. */
static void
msg_of(const struct db_auto_msg *m, const struct db_auto_facts *f,
    const char *ad_id, struct rules_msg *rm)
{
	memset(rm, 0, sizeof(*rm));
	rm->text = m->text;
	rm->payload = m->payload;
	rm->kind = m->kind;
	rm->ad_id = ad_id;
	rm->first_message = f->first_message;
	rm->channel_id = m->channel_id;
	rm->at_ms = m->sent_ms;
}

/* Run the rules of w on m in order (waiting: only the "no reply for N
 * minutes" rules); 0 or -1. */
static int
run_rules(struct db *d, const struct auto_ws *w, const struct db_auto_msg *m,
    const struct rules_msg *rm, int waiting, struct run *run, long long now_ms)
{
	struct rules_groups	 g;
	const cJSON		*a, *then;
	cJSON			*j;
	size_t			 i;
	int			 rc = 0, hit;

	for (i = 0; i < w->nrule && !run->stopped && rc == 0; i++) {
		if (!w->rule[i].enabled ||
		    (j = cJSON_Parse(w->rule[i].body)) == NULL)
			continue;
		memset(&g, 0, sizeof(g));
		hit = !rules_channel_excluded(j, m->channel_id) &&
		    (!waiting || cJSON_HasObjectItem(
		    cJSON_GetObjectItemCaseSensitive(j, "when"),
		    "no_reply_minutes")) &&
		    rules_match(j, rm, w->hours, &g) == 1;
		run->matched |= hit;
		then = hit ? cJSON_GetObjectItemCaseSensitive(j, "then") : NULL;
		cJSON_ArrayForEach(a, then) {
			if (run->escalated || !cJSON_IsObject(a) ||
			    a->child == NULL)
				break;
			if ((rc = run_action(d, w, &w->rule[i], a, m, &g, run,
			    now_ms)) == -1)
				break;
		}
		rules_groups_free(&g);
		cJSON_Delete(j);
	}
	return rc;
}

/* Why automation leaves m alone, or NULL. */
static const char *
left_alone(const struct db_auto_msg *m)
{
	if (m->standby)
		return "skipped: a standby copy";
	if (strcmp(m->thread_owner, "other") == 0)
		return "skipped: another app owns the thread";
	if (strcmp(m->status, "escalated") == 0)
		return "skipped: escalated to a person";
	if (m->assigned_user_id > 0 && strcmp(m->status, "open") == 0)
		return "skipped: a person is handling it";
	return NULL;
}

/* An echo: a person answering from Meta's inbox (or the WhatsApp
 * Business app) stops automation in the conversation. */
static int
echo_seen(struct db *d, const struct auto_ws *w, const struct db_auto_msg *m,
    long long now_ms)
{
	const char *a = m->author;

	if (a == NULL || !(strcmp(a, "page_inbox") == 0 ||
	    strncmp(a, "app:", 4) == 0 || strcmp(a, "business_app") == 0) ||
	    strcmp(m->status, "escalated") == 0 || m->standby)
		return 0;
	(void)w;
	return automation_escalate(d, m->workspace_id, m->conversation_id,
	    m->id, "a person answered in Meta's inbox", 0, now_ms);
}

/* Automation on one stored message; 0 or -1. */
static int
one_message(struct db *d, const struct auto_ws *w, const struct db_auto_msg *m,
    long long now_ms)
{
	struct db_auto_facts	 f;
	struct rules_msg	 rm;
	struct run		 run;
	const char		*why, *phrase, *outcome = "rules";
	char			 reason[200], *ad;
	long long		 fails;
	int			 rc, max;

	if ((rc = db_auto_seen(d, m->id, "looked", now_ms)) != 1)
		return rc;		/* seen before: nothing new */
	if (!m->inbound) {
		if (echo_seen(d, w, m, now_ms) == -1)
			return -1;
		return db_auto_seen_set(d, m->id, "echo");
	}
	if ((why = left_alone(m)) != NULL)
		return db_auto_seen_set(d, m->id, why);
	if (db_auto_facts(d, m, now_ms, &f) == -1)
		return -1;
	if (f.echoes_us) {
		if (db_auto_log(d, m->workspace_id, m->conversation_id, m->id,
		    0, "skip", "an automated sender: it repeats our reply",
		    now_ms) == -1)
			return -1;
		return db_auto_seen_set(d, m->id, "skipped: automated sender");
	}
	if (w->handover_on && (phrase = rules_phrase_hit(
	    cJSON_GetObjectItemCaseSensitive(w->handover, "phrases"),
	    m->text)) != NULL) {
		snprintf(reason, sizeof(reason), "asked for a person (\"%s\")",
		    phrase);
		if (automation_escalate(d, m->workspace_id, m->conversation_id,
		    m->id, reason, 1, now_ms) == -1)
			return -1;
		return db_auto_seen_set(d, m->id, "escalated");
	}
	memset(&run, 0, sizeof(run));
	run.replies = f.replies_hour;
	ad = ad_id_of(m);
	msg_of(m, &f, ad, &rm);
	rc = run_rules(d, w, m, &rm, 0, &run, now_ms);
	free(ad);
	if (rc == -1)
		return -1;
	if (run.escalated)
		outcome = "escalated";
	else if (w->handover_on) {
		/* Failures in a row: unanswered, or the contact repeating. */
		if (db_auto_failures(d, m->conversation_id, run.answered &&
		    !f.repeats, &fails) == -1)
			return -1;
		max = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
		    w->handover, "max_failures"));
		if (max < 1)
			max = HG_AUTO_FAILURES_DEFAULT;
		if (f.engaged && fails >= max) {
			snprintf(reason, sizeof(reason), "automation could not "
			    "help (%lld times in a row)", fails);
			if (automation_escalate(d, m->workspace_id,
			    m->conversation_id, m->id, reason, 1, now_ms) == -1)
				return -1;
			outcome = "escalated";
		}
	}
	return db_auto_seen_set(d, m->id, outcome);
}

/* automation_after_event's work, inside its savepoint; 0 or -1. */
static int
after_event(struct db *d, long long event_id, long long now_ms)
{
	struct db_auto_msg	*m;
	struct auto_ws		*w = NULL;
	size_t			 n = 0, i;
	long long		 ws = 0;
	int			 rc = 0;

	if ((m = calloc(AUTO_EVENT_MSGS, sizeof(*m))) == NULL)
		return -1;
	if (db_auto_event_msgs(d, event_id, m, AUTO_EVENT_MSGS, &n) == -1) {
		free(m);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (w == NULL || ws != m[i].workspace_id) {
			ws_free(w);
			ws = m[i].workspace_id;
			if ((w = ws_load(d, ws)) == NULL) {
				rc = -1;
				break;
			}
		}
		/* A workspace that automates nothing is left alone (its
		 * messages are still marked: enabling rules later must
		 * not make a replay answer them). */
		if (w->enabled_rules == 0 && !w->bot_on && !w->handover_on)
			rc = db_auto_seen(d, m[i].id, "off", now_ms) == -1 ?
			    -1 : 0;
		else
			rc = one_message(d, w, &m[i], now_ms);
	}
	for (i = 0; i < n; i++)
		db_auto_msg_clear(&m[i]);
	free(m);
	ws_free(w);
	return rc;
}

/*
 * Automation never costs a message: its work has a savepoint of its
 * own inside the caller's, and when it fails (a rule that cannot run,
 * memory) only that work is undone and logged; the event's messages
 * stay stored and the caller's processing goes on.  A replay of the
 * event runs it again.
 */
int
automation_after_event(struct db *d, long long event_id, long long now_ms)
{
	struct logline	l;

	if (db_savepoint(d) == -1)
		return -1;
	if (after_event(d, event_id, now_ms) == 0)
		return db_release(d);
	log_begin(&l, LOG_LEVEL_ERROR, "automation.failed");
	log_int(&l, "event", event_id);
	log_str(&l, "error", db_errmsg(d));
	log_end(&l);
	if (db_rollback_to(d) == -1 || db_release(d) == -1)
		return -1;
	return 0;
}

/* The longest wait of w's "no reply for N minutes" rules that are on
 * (ms; 0: none). */
static long long
wait_max(const struct auto_ws *w)
{
	long long	 max = 0, v;
	size_t		 i;
	cJSON		*j;

	for (i = 0; i < w->nrule; i++) {
		if (!w->rule[i].enabled ||
		    (j = cJSON_Parse(w->rule[i].body)) == NULL)
			continue;
		v = (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(j, "when"),
		    "no_reply_minutes")) * 60000;
		if (v > max)
			max = v;
		cJSON_Delete(j);
	}
	return max;
}

/* The waiting pass on message id; 0 or -1. */
static int
wait_one(struct db *d, long long id, long long now_ms)
{
	struct db_auto_facts	 f;
	struct db_auto_msg	 m;
	struct rules_msg	 rm;
	struct auto_ws		*w = NULL;
	struct run		 run;
	int			 rc;

	if ((rc = db_auto_msg_get(d, id, &m)) != 1)
		return rc;
	rc = -1;
	if ((w = ws_load(d, m.workspace_id)) == NULL)
		goto out;
	if (left_alone(&m) != NULL) {
		rc = db_auto_waited(d, id, now_ms);
		goto out;
	}
	if (db_auto_facts(d, &m, now_ms, &f) == -1)
		goto out;
	memset(&run, 0, sizeof(run));
	run.replies = f.replies_hour;
	msg_of(&m, &f, NULL, &rm);
	rm.waited_ms = now_ms - m.sent_ms;
	if (run_rules(d, w, &m, &rm, 1, &run, now_ms) == -1)
		goto out;
	/* Once per message: when a rule acted, or every wait has passed. */
	rc = run.matched || rm.waited_ms >= wait_max(w) ?
	    db_auto_waited(d, id, now_ms) : 0;
out:
	ws_free(w);
	db_auto_msg_clear(&m);
	return rc;
}

int
automation_waiting(struct db *d, long long now_ms)
{
	long long	 ids[HG_AUTO_WAIT_BATCH];
	size_t		 n, i;
	int		 rc;

	if ((rc = db_auto_wait_rules(d)) != 1)
		return rc;
	if (db_begin(d) == -1)
		return -1;
	if (db_auto_wait_due(d, now_ms - 60000, now_ms - HG_AUTO_WAIT_WINDOW_MS,
	    ids, HG_AUTO_WAIT_BATCH, &n) == -1)
		goto err;
	for (i = 0; i < n; i++)
		if (wait_one(d, ids[i], now_ms) == -1)
			goto err;
	return db_commit(d);
err:
	db_rollback(d);
	return -1;
}

/* The first reply of a bot's answer that is rich (rich.h) and cannot
 * be sent on a channel of kind, with why (the reason to escalate), or
 * NULL. */
static const cJSON *
bot_reply_unusable(const cJSON *answer, const char *kind, char *why,
    size_t whysz)
{
	const cJSON	*v;
	char		 w[256];

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(answer,
	    "replies")) {
		if (!rich_is(v))
			continue;
		if (rich_validate(v, w, sizeof(w)) == -1) {
			snprintf(why, whysz, "the bot's answer cannot be sent "
			    "(%s)", w);
			return v;
		}
		if (strcmp(kind, "whatsapp") == 0) {
			snprintf(why, whysz, "the bot's answer cannot be sent "
			    "(buttons and generic templates are sent on "
			    "Messenger and Instagram only)");
			return v;
		}
	}
	return NULL;
}

int
automation_bot_answer(struct db *d, long long msg, const cJSON *answer,
    long long now_ms)
{
	struct db_auto_settings	 s;
	struct db_auto_msg	 m;
	const cJSON		*c, *v, *x;
	cJSON			*bot = NULL;
	double			 threshold = 0.7;
	char			 why[400];
	long long		 replies;
	struct db_auto_facts	 f;
	int			 rc, sent;

	if ((rc = db_auto_msg_get(d, msg, &m)) != 1)
		return rc;
	rc = -1;
	if (db_auto_settings_get(d, m.workspace_id, &s) == -1)
		goto out;
	bot = s.bot != NULL ? cJSON_Parse(s.bot) : NULL;
	db_auto_settings_clear(&s);
	x = cJSON_GetObjectItemCaseSensitive(bot, "confidence_threshold");
	if (cJSON_IsNumber(x))
		threshold = x->valuedouble;
	if (left_alone(&m) != NULL) {
		rc = db_auto_log(d, m.workspace_id, m.conversation_id, m.id, 0,
		    "skip", "the bot's answer came after a person took over",
		    now_ms);
		goto out;
	}
	c = cJSON_GetObjectItemCaseSensitive(answer, "confidence");
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(answer, "handover"))) {
		x = cJSON_GetObjectItemCaseSensitive(answer, "reason");
		snprintf(why, sizeof(why), "the bot asked for a person%s%.150s",
		    cJSON_IsString(x) ? ": " : "", cJSON_IsString(x) ?
		    x->valuestring : "");
		rc = automation_escalate(d, m.workspace_id, m.conversation_id,
		    m.id, why, 1, now_ms);
		goto out;
	}
	if (cJSON_IsNumber(c) && c->valuedouble < threshold) {
		snprintf(why, sizeof(why), "the bot was unsure (confidence "
		    "%.2f, below %.2f)", c->valuedouble, threshold);
		rc = automation_escalate(d, m.workspace_id, m.conversation_id,
		    m.id, why, 1, now_ms);
		goto out;
	}
	/* A reply hubgate cannot send (buttons malformed, or where the
	 * platform has none): the bot erred, a person takes over. */
	if ((x = bot_reply_unusable(answer, m.channel_kind, why,
	    sizeof(why))) != NULL) {
		rc = automation_escalate(d, m.workspace_id, m.conversation_id,
		    m.id, why, 1, now_ms);
		goto out;
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(answer, "tags"))
		if (cJSON_IsString(v) && strlen(v->valuestring) <= 50 &&
		    db_auto_tag(d, m.conversation_id, v->valuestring) == -1)
			goto out;
	if (db_auto_facts(d, &m, now_ms, &f) == -1)
		goto out;
	replies = f.replies_hour;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(answer,
	    "replies")) {
		if (replies >= HG_AUTO_REPLIES_PER_HOUR) {
			if (db_auto_log(d, m.workspace_id, m.conversation_id,
			    m.id, 0, "skip", "loop limit: automatic replies per "
			    "hour reached", now_ms) == -1)
				goto out;
			break;
		}
		if (send_reply(d, &m, v, "bot", 0, NULL, now_ms, &sent) == -1)
			goto out;
		replies += sent;
	}
	rc = 0;
out:
	cJSON_Delete(bot);
	db_auto_msg_clear(&m);
	return rc;
}

/* What the replies of then would send on a channel of kind (NULL: not
 * said), placeholders filled as far as a typed message allows: [{"kind":
 * "text", "text", "quick_replies"?} | {"kind": "template", "payload":
 * Meta's button or generic template, "quick_replies"?} | {"kind":
 * "whatsapp_template", "template"}], each with "refused": why when that
 * channel does not take it.  NULL when out of memory. */
static cJSON *
sends_of(const cJSON *then, const char *kind, const struct rules_groups *g)
{
	const cJSON	*a, *v, *qr;
	cJSON		*arr = cJSON_CreateArray(), *o, *p;
	char		*t;
	int		 wa = kind != NULL && strcmp(kind, "whatsapp") == 0;

	cJSON_ArrayForEach(a, then) {
		if (arr == NULL || !cJSON_IsObject(a) || a->child == NULL ||
		    strcmp(a->child->string, "reply") != 0)
			continue;
		v = a->child;
		qr = cJSON_GetObjectItemCaseSensitive(v, "quick_replies");
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o))
			break;
		if (rich_is(v)) {
			cJSON_AddStringToObject(o, "kind", "template");
			struct rich_ctx rc_fill = { .f = NULL, .g = g };

			if ((p = rich_build(v, rich_text, &rc_fill)) != NULL)
				cJSON_AddItemToObject(o, "payload", p);
			if (wa)
				cJSON_AddStringToObject(o, "refused", "buttons and "
				    "generic templates are sent on Messenger and "
				    "Instagram only");
		} else if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v,
		    "text"))) {
			cJSON_AddStringToObject(o, "kind", "text");
			if ((t = rules_fill(cJSON_GetObjectItemCaseSensitive(v,
			    "text")->valuestring, NULL, NULL, g)) != NULL)
				cJSON_AddStringToObject(o, "text", t);
			free(t);
			if (wa && qr != NULL)
				cJSON_AddStringToObject(o, "refused", "quick "
				    "replies are sent on Messenger and Instagram "
				    "only");
		} else {
			cJSON_AddStringToObject(o, "kind", "whatsapp_template");
			cJSON_AddItemToObject(o, "template", cJSON_Duplicate(
			    cJSON_GetObjectItemCaseSensitive(v, "template"), 1));
		}
		if (qr != NULL)
			cJSON_AddItemToObject(o, "quick_replies",
			    cJSON_Duplicate(qr, 1));
	}
	return arr;
}

cJSON *
automation_test(struct db *d, long long ws, const struct rules_msg *m)
{
	struct rules_groups	 g;
	struct auto_ws		*w;
	const char		*phrase;
	cJSON			*o, *arr, *one, *j;
	char			 kind[16] = "";
	size_t			 i;
	int			 stopped = 0;

	if ((w = ws_load(d, ws)) == NULL)
		return NULL;
	if (m->channel_id > 0) {
		struct db_channel_one c;

		memset(&c, 0, sizeof(c));
		if (db_channel_get(d, ws, m->channel_id, &c) == 1)
			snprintf(kind, sizeof(kind), "%s", c.kind);
		db_channel_one_free(&c);
	}
	o = cJSON_CreateObject();
	phrase = rules_phrase_hit(cJSON_GetObjectItemCaseSensitive(w->handover,
	    "phrases"), m->text);
	if (w->handover_on && phrase != NULL)
		cJSON_AddStringToObject(o, "escalation", phrase);
	else
		cJSON_AddNullToObject(o, "escalation");
	arr = cJSON_AddArrayToObject(o, "matches");
	for (i = 0; i < w->nrule && !stopped && arr != NULL; i++) {
		if (!w->rule[i].enabled ||
		    (j = cJSON_Parse(w->rule[i].body)) == NULL)
			continue;
		memset(&g, 0, sizeof(g));
		if ((m->channel_id == 0 ||
		    !rules_channel_excluded(j, m->channel_id)) &&
		    rules_match(j, m, w->hours, &g) == 1 &&
		    (one = cJSON_CreateObject()) != NULL) {
			const cJSON *a;

			cJSON_AddNumberToObject(one, "id", (double)w->rule[i].id);
			cJSON_AddStringToObject(one, "name", w->rule[i].name);
			cJSON_AddItemToObject(one, "then", cJSON_Duplicate(
			    cJSON_GetObjectItemCaseSensitive(j, "then"), 1));
			cJSON_AddItemToObject(one, "sends", sends_of(
			    cJSON_GetObjectItemCaseSensitive(j, "then"),
			    kind[0] != '\0' ? kind : NULL, &g));
			cJSON_AddItemToArray(arr, one);
			cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(j,
			    "then"))
				if (cJSON_IsObject(a) && a->child != NULL &&
				    (strcmp(a->child->string, "stop") == 0 ||
				    strcmp(a->child->string, "escalate") == 0))
					stopped = 1;
		}
		rules_groups_free(&g);
		cJSON_Delete(j);
	}
	cJSON_AddBoolToObject(o, "stopped", stopped);
	ws_free(w);
	return o;
}
