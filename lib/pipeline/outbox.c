/*
 * outbox: queueing sends and the worker that sends them.  See
 * outbox.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_outbox.h"
#include "db_thread.h"
#include "graph.h"
#include "graph_send.h"
#include "graph_templates.h"
#include "limits.h"
#include "log.h"
#include "outbox.h"
#include "pace.h"
#include "utf8.h"
#include "window.h"

/* ---- queueing ----------------------------------------------------- */

#define OUTBOX_QR_MAX	HG_MSG_QR_MAX

/* The JSON of quick replies q as Meta takes them, added to o. */
static int
add_quick_replies(cJSON *o, const struct graph_quick_reply *q, int n)
{
	cJSON	*arr, *e;
	int	 i;

	if (n == 0)
		return 0;
	if ((arr = cJSON_AddArrayToObject(o, "quick_replies")) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((e = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, e) ||
		    cJSON_AddStringToObject(e, "content_type",
		    q[i].content_type != NULL ? q[i].content_type : "text") ==
		    NULL || (q[i].title != NULL && cJSON_AddStringToObject(e,
		    "title", q[i].title) == NULL) || (q[i].payload != NULL &&
		    cJSON_AddStringToObject(e, "payload", q[i].payload) == NULL))
			return -1;
	}
	return 0;
}

/* Check a template {name, language, components} and write its stored
 * body; 0 or -1 with why. */
static int
template_body(const cJSON *t, char **body, char *why, size_t whysz)
{
	const cJSON	*lang, *comp;
	const char	*name, *code;
	cJSON		*o;

	name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "name"));
	lang = cJSON_GetObjectItemCaseSensitive(t, "language");
	code = cJSON_IsString(lang) ? lang->valuestring : cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(lang, "code"));
	comp = cJSON_GetObjectItemCaseSensitive(t, "components");
	if (!cJSON_IsObject(t) || name == NULL || !graph_id_ok(name) ||
	    code == NULL || !graph_id_ok(code) || strlen(code) > 15 ||
	    (comp != NULL && !cJSON_IsArray(comp))) {
		snprintf(why, whysz, "template needs a name, a language code "
		    "and optionally components (an array)");
		return -1;
	}
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "name", name) == NULL ||
	    cJSON_AddStringToObject(o, "language", code) == NULL ||
	    (comp != NULL && !cJSON_AddItemToObject(o, "components",
	    cJSON_Duplicate(comp, 1)))) {
		cJSON_Delete(o);
		snprintf(why, whysz, "out of memory");
		return -1;
	}
	*body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return *body != NULL ? 0 : -1;
}

/* Check a stored template body against the channel's cached
 * templates (when it has any): known, approved, and given as many body
 * parameters as it has.  0 fine (or nothing cached), 1 refused with
 * why, -1. */
static int
template_known(struct db *d, long long channel, const char *tbody,
    char *why, size_t whysz)
{
	char		 status[32];
	long long	 at;
	const char	*name, *lang;
	cJSON		*b;
	int		 rc, params, given;

	if ((rc = db_template_fetched(d, channel, &at)) != 1)
		return rc;
	if ((b = cJSON_Parse(tbody)) == NULL)
		return -1;
	name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "name"));
	lang = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b,
	    "language"));
	given = graph_template_given(cJSON_GetObjectItemCaseSensitive(b,
	    "components"));
	if ((rc = db_template_find(d, channel, name, lang, status,
	    sizeof(status), &params)) == 0)
		snprintf(why, whysz, "the number has no template \"%s\" in "
		    "%s", name, lang);
	else if (rc == 1 && strcmp(status, "APPROVED") != 0)
		snprintf(why, whysz, "the template \"%s\" (%s) is not "
		    "approved by Meta (%s)", name, lang, status);
	else if (rc == 1 && given != params)
		snprintf(why, whysz, "the template \"%s\" takes %d "
		    "parameter%s, %d given", name, params, params == 1 ?
		    "" : "s", given);
	else
		rc = rc == -1 ? -1 : 2;
	cJSON_Delete(b);
	return rc == 2 ? 0 : rc == -1 ? -1 : 1;
}

/* Refuse with a reason; 0. */
static int
verdict(struct outbox_res *res, enum outbox_verdict v, const char *why)
{
	res->verdict = v;
	if (why != NULL)
		snprintf(res->why, sizeof(res->why), "%s", why);
	return 0;
}

/* The pieces of a text for a channel kind: at most HG_MSG_SPLIT_MAX;
 * -1 with why. */
static int
text_pieces(const char *kind, const char *text, struct graph_piece *pc,
    char *why, size_t whysz)
{
	size_t	 max = strcmp(kind, "whatsapp") == 0 ? HG_WA_TEXT_MAX :
		    HG_MSG_TEXT_MAX;
	int	 n;

	/* Instagram counts bytes: 4 bytes a character at most. */
	if (strcmp(kind, "instagram") == 0 && strlen(text) >
	    HG_IG_TEXT_MAX_BYTES)
		max = HG_IG_TEXT_MAX_BYTES / 4;
	else if (strcmp(kind, "instagram") == 0)
		max = (size_t)-1 / 8;
	if ((n = graph_send_split(text, max, pc, HG_MSG_SPLIT_MAX)) == -1) {
		snprintf(why, whysz, "the text is not UTF-8 or needs more than "
		    "%d messages", HG_MSG_SPLIT_MAX);
		return -1;
	}
	if (n == 0) {
		snprintf(why, whysz, "the text is empty");
		return -1;
	}
	return n;
}

/* Queue the pieces of a text (or one template body) in the open
 * transaction. */
static int
queue_rows(struct db *d, const struct outbox_req *r,
    const struct db_conv_info *ci, const char *tag, const char *tbody,
    const struct graph_piece *pc, int npc, const struct graph_quick_reply *q,
    int nq, struct outbox_res *res)
{
	struct db_outbox_new	 n;
	long long		 id;
	cJSON			*o;
	char			*body, *text;
	int			 i, rc;

	memset(&n, 0, sizeof(n));
	n.workspace_id = r->workspace;
	n.channel_id = ci->channel_id;
	n.conversation_id = ci->id;
	n.tag = tag;
	n.author_kind = r->author_kind;
	n.author_id = r->author_id;
	n.now_ms = r->now_ms;
	if (tbody != NULL) {
		n.kind = "template";
		n.body = tbody;
		n.text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		    r->template, "name"));
		n.idempotency_key = r->idempotency_key;
		if (db_outbox_insert(d, &n, &res->id) == -1)
			return -1;
		res->n = 1;
		return 0;
	}
	for (i = 0; i < npc; i++) {
		if ((text = strndup(r->text + pc[i].off, pc[i].len)) == NULL)
			return -1;
		o = cJSON_CreateObject();
		rc = o == NULL || cJSON_AddStringToObject(o, "text", text) ==
		    NULL || (i == npc - 1 && add_quick_replies(o, q, nq) == -1);
		body = rc ? NULL : cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (body == NULL) {
			free(text);
			return -1;
		}
		n.kind = "text";
		n.body = body;
		n.text = text;
		n.idempotency_key = i == 0 ? r->idempotency_key : NULL;
		rc = db_outbox_insert(d, &n, &id);
		free(body);
		free(text);
		if (rc == -1)
			return -1;
		if (i == 0)
			res->id = id;
		/* Every piece stays apart: a piece is one message. */
		n.now_ms++;
	}
	res->n = npc;
	return 0;
}

/* The fields of a send row of r on conversation ci, without its kind,
 * body and text. */
static void
row_of(const struct outbox_req *r, const struct db_conv_info *ci,
    struct db_outbox_new *n)
{
	memset(n, 0, sizeof(*n));
	n->workspace_id = r->workspace;
	n->channel_id = ci->channel_id;
	n->conversation_id = ci->id;
	n->author_kind = r->author_kind;
	n->author_id = r->author_id;
	n->idempotency_key = r->idempotency_key;
	n->now_ms = r->now_ms;
}

/* Insert n with body o (taken) and say it is queued; 0 or -1. */
static int
queue_one(struct db *d, struct db_outbox_new *n, cJSON *o,
    struct outbox_res *res)
{
	char	*body;
	int	 rc;

	body = o != NULL ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (body == NULL)
		return -1;
	n->body = body;
	rc = db_outbox_insert(d, n, &res->id);
	free(body);
	res->n = 1;
	res->verdict = OUTBOX_QUEUED_NEW;
	return rc;
}

/* 1 when u is an https URL Meta may fetch: no blanks or control
 * bytes, a host, at most HG_MSG_URL_MAX bytes. */
static int
https_url_ok(const char *u)
{
	size_t i;

	if (u == NULL || strncmp(u, "https://", 8) != 0 || u[8] == '\0' ||
	    u[8] == '/' || strlen(u) > HG_MSG_URL_MAX)
		return 0;
	for (i = 0; u[i] != '\0'; i++)
		if ((unsigned char)u[i] <= ' ' || u[i] == 0x7f)
			return 0;
	return 1;
}

/* An attachment by URL {type, url, caption?} on conversation ci, whose
 * window allowed it (tag: HUMAN_AGENT or NULL). */
static int
enqueue_attachment(struct db *d, const struct outbox_req *r,
    const struct db_conv_info *ci, const char *tag, struct outbox_res *res)
{
	const cJSON		*a = r->attachment;
	const char		*type, *url, *cap;
	struct db_outbox_new	 n;
	cJSON			*o, *th, *e;
	char			*thread;
	long			 nc;
	int			 rc, wa = strcmp(ci->kind, "whatsapp") == 0;

	type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "type"));
	url = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "url"));
	cap = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a,
	    "caption"));
	if (!cJSON_IsObject(a) || type == NULL || url == NULL ||
	    (cJSON_GetObjectItemCaseSensitive(a, "caption") != NULL &&
	    !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(a, "caption")) &&
	    cap == NULL))
		return verdict(res, OUTBOX_BAD_REQUEST, "attachment needs a type "
		    "and a url (strings) and optionally a caption");
	if (strcmp(type, "image") != 0 && strcmp(type, "video") != 0 &&
	    strcmp(type, "audio") != 0 && strcmp(type, "file") != 0)
		return verdict(res, OUTBOX_REFUSED, "attachment type must be "
		    "image, video, audio or file");
	if (strcmp(ci->kind, "instagram") == 0 && strcmp(type, "file") == 0)
		return verdict(res, OUTBOX_REFUSED, "Instagram takes images, "
		    "video and audio, not files");
	if (strlen(url) > HG_MSG_URL_MAX)
		return verdict(res, OUTBOX_REFUSED, "the attachment URL is "
		    "longer than 2048 bytes");
	if (!https_url_ok(url))
		return verdict(res, OUTBOX_REFUSED, "the attachment URL must be "
		    "an https URL Meta can fetch");
	if (cap != NULL && cap[0] == '\0')
		cap = NULL;
	if (cap != NULL && !wa)
		return verdict(res, OUTBOX_REFUSED, "a caption goes with "
		    "WhatsApp attachments only: send the text on its own");
	if (cap != NULL && strcmp(type, "audio") == 0)
		return verdict(res, OUTBOX_REFUSED, "audio takes no caption");
	if (cap != NULL && ((nc = utf8_chars(cap, strlen(cap))) < 0 ||
	    nc > HG_WA_CAPTION_MAX))
		return verdict(res, OUTBOX_REFUSED, "the caption is not UTF-8 "
		    "or longer than 1024 characters");
	o = cJSON_CreateObject();
	th = cJSON_CreateArray();
	e = cJSON_CreateObject();
	rc = o == NULL || th == NULL || e == NULL ||
	    cJSON_AddStringToObject(o, "type", type) == NULL ||
	    cJSON_AddStringToObject(o, "url", url) == NULL ||
	    (cap != NULL && cJSON_AddStringToObject(o, "caption", cap) == NULL) ||
	    cJSON_AddStringToObject(e, "type", type) == NULL ||
	    cJSON_AddStringToObject(e, "url", url) == NULL;
	if (!rc && cJSON_AddItemToArray(th, e))
		e = NULL;
	thread = rc ? NULL : cJSON_PrintUnformatted(th);
	cJSON_Delete(e);
	cJSON_Delete(th);
	if (thread == NULL) {
		cJSON_Delete(o);
		return -1;
	}
	row_of(r, ci, &n);
	n.kind = "attachment";
	n.text = cap;
	n.attachments = thread;
	n.tag = tag;
	rc = queue_one(d, &n, o, res);
	free(thread);
	return rc;
}

/* A reaction (r->emoji; "" removes it) to message r->react_to of
 * conversation ci: a reaction row in the thread, as inbound ones. */
static int
enqueue_reaction(struct db *d, const struct outbox_req *r,
    const struct db_conv_info *ci, struct outbox_res *res)
{
	struct db_outbox_new	 n;
	char			 mid[256];
	cJSON			*o;
	int			 rc;

	if (r->emoji == NULL || strlen(r->emoji) > HG_REACTION_MAX_BYTES ||
	    utf8_chars(r->emoji, strlen(r->emoji)) < 0)
		return verdict(res, OUTBOX_BAD_REQUEST, "emoji: one emoji, or "
		    "\"\" to remove the reaction");
	/* Instagram's one reaction is love (a heart). */
	if (strcmp(ci->kind, "instagram") == 0 && r->emoji[0] != '\0' &&
	    strcmp(r->emoji, "\xe2\x9d\xa4") != 0 &&
	    strcmp(r->emoji, "\xe2\x9d\xa4\xef\xb8\x8f") != 0 &&
	    strcmp(r->emoji, "love") != 0)
		return verdict(res, OUTBOX_REFUSED, "Instagram takes only a "
		    "heart (love) as a reaction");
	if ((rc = db_outbox_msg_mid(d, ci->id, r->react_to, mid,
	    sizeof(mid))) != 1)
		return rc == -1 ? -1 : verdict(res, OUTBOX_NO_MESSAGE,
		    "no such message in this conversation, or not one Meta "
		    "takes a reaction to");
	if (res->window != WINDOW_OPEN)
		return verdict(res, OUTBOX_REFUSED, "a reaction goes only "
		    "within 24 hours of the person's last message");
	o = cJSON_CreateObject();
	if (o == NULL || cJSON_AddNumberToObject(o, "message_id",
	    (double)r->react_to) == NULL || cJSON_AddStringToObject(o, "mid",
	    mid) == NULL || cJSON_AddStringToObject(o, "emoji",
	    r->emoji) == NULL) {
		cJSON_Delete(o);
		return -1;
	}
	row_of(r, ci, &n);
	n.kind = "reaction";
	n.text = r->emoji;
	n.reply_to = mid;
	return queue_one(d, &n, o, res);
}

/* A sender action on conversation ci: never a message in the thread. */
static int
enqueue_action(struct db *d, const struct outbox_req *r,
    const struct db_conv_info *ci, struct outbox_res *res)
{
	struct db_outbox_new	 n;
	long long		 unread;
	const char		*act = r->action;
	char			 mid[256];
	cJSON			*o;
	int			 rc, mark, wa = strcmp(ci->kind, "whatsapp") == 0;

	if (strcmp(act, "read") != 0 && strcmp(act, "typing_on") != 0 &&
	    strcmp(act, "typing_off") != 0)
		return verdict(res, OUTBOX_BAD_REQUEST, "action: read, "
		    "typing_on or typing_off");
	if (wa && strcmp(act, "read") != 0)
		return verdict(res, OUTBOX_REFUSED, "typing indicators are sent "
		    "on Messenger and Instagram only");
	if (strcmp(act, "read") == 0) {
		if ((rc = db_outbox_read_info(d, ci->id, &mark, &unread, mid,
		    sizeof(mid))) != 1)
			return rc == -1 ? -1 : verdict(res,
			    OUTBOX_NO_CONVERSATION, "no such conversation");
		if (!mark)
			return verdict(res, OUTBOX_REFUSED, "this channel does "
			    "not mark conversations read");
		if (unread == 0 || (wa && mid[0] == '\0'))
			return verdict(res, OUTBOX_REFUSED, "nothing new to "
			    "mark read");
		/* Meta takes a read within its window only (WhatsApp:
		 * 30 days; Messenger's mark_seen: the 24 hours). */
		if (!wa && res->window != WINDOW_OPEN)
			return verdict(res, OUTBOX_REFUSED, "mark_seen goes "
			    "only within 24 hours of the person's last message");
		act = wa ? "read" : "mark_seen";
	} else if (res->window != WINDOW_OPEN)
		return verdict(res, OUTBOX_REFUSED, "typing indicators go only "
		    "within 24 hours of the person's last message");
	o = cJSON_CreateObject();
	if (o == NULL || cJSON_AddStringToObject(o, "action", act) == NULL ||
	    (wa && cJSON_AddStringToObject(o, "mid", mid) == NULL)) {
		cJSON_Delete(o);
		return -1;
	}
	row_of(r, ci, &n);
	n.kind = "action";
	n.no_message = 1;
	return queue_one(d, &n, o, res);
}

/* Check r against the window and the limits, then queue it, inside
 * the open transaction; 0 (res says) or -1. */
static int
enqueue_txn(struct db *d, const struct outbox_req *r, struct outbox_res *res)
{
	struct graph_quick_reply q[OUTBOX_QR_MAX];
	struct graph_piece	 pc[HG_MSG_SPLIT_MAX];
	struct graph_message	 m;
	struct window_send	 ws;
	struct db_conv_info	 ci;
	const char		*tag;
	char			 why[256], *tbody = NULL;
	int			 rc, nq, npc = 0, i;

	if (r->idempotency_key != NULL && (rc = db_outbox_by_key(d,
	    r->workspace, r->idempotency_key, &res->id, &res->state)) != 0) {
		if (rc == 1)
			res->verdict = OUTBOX_QUEUED_BEFORE;
		return rc == -1 ? -1 : 0;
	}
	if ((rc = db_conv_info(d, r->workspace, r->conversation, &ci)) != 1)
		return rc == -1 ? -1 : verdict(res, OUTBOX_NO_CONVERSATION,
		    "no such conversation");
	memset(&ws, 0, sizeof(ws));
	ws.template = r->template != NULL;
	ws.person = strcmp(r->author_kind, "user") == 0 ||
	    strcmp(r->author_kind, "api") == 0;
	res->window = window_of(ci.kind, ci.last_inbound_ms, r->now_ms,
	    ci.human_agent);
	if ((r->text != NULL) + (r->template != NULL) +
	    (r->attachment != NULL) + (r->react_to > 0) +
	    (r->action != NULL) != 1)
		return verdict(res, OUTBOX_BAD_REQUEST, "send one of text, a "
		    "template or an attachment");
	if (r->quick_replies != NULL && r->text == NULL)
		return verdict(res, OUTBOX_BAD_REQUEST, "quick replies go with "
		    "a text");
	if (r->react_to > 0)
		return enqueue_reaction(d, r, &ci, res);
	if (r->action != NULL)
		return enqueue_action(d, r, &ci, res);
	if (window_check(res->window, ci.kind, &ws, &tag, why,
	    sizeof(why)) == -1)
		return verdict(res, OUTBOX_REFUSED, why);
	if (r->attachment != NULL)
		return enqueue_attachment(d, r, &ci, tag, res);
	if (r->template != NULL) {
		if (template_body(r->template, &tbody, why, sizeof(why)) == -1)
			return verdict(res, OUTBOX_BAD_REQUEST, why);
		if ((rc = template_known(d, ci.channel_id, tbody, why,
		    sizeof(why))) != 0) {
			free(tbody);
			return rc == -1 ? -1 : verdict(res, OUTBOX_REFUSED, why);
		}
		rc = queue_rows(d, r, &ci, tag, tbody, NULL, 0, NULL, 0, res);
		free(tbody);
		res->verdict = OUTBOX_QUEUED_NEW;
		return rc;
	}
	if ((nq = graph_send_quick_replies(r->quick_replies, q, why,
	    sizeof(why))) == -1)
		return verdict(res, OUTBOX_BAD_REQUEST, why);
	if (nq > 0 && strcmp(ci.kind, "whatsapp") == 0)
		return verdict(res, OUTBOX_REFUSED, "quick replies are sent on "
		    "Messenger and Instagram only");
	if (strlen(r->text) > HG_OUTBOX_TEXT_BYTES_MAX ||
	    (npc = text_pieces(ci.kind, r->text, pc, why, sizeof(why))) == -1)
		return verdict(res, OUTBOX_REFUSED, npc == -1 ? why :
		    "the text is too long");
	/* Meta's limits on each piece, as graph_send will check them. */
	for (i = 0; i < npc && strcmp(ci.kind, "whatsapp") != 0; i++) {
		char *t = strndup(r->text + pc[i].off, pc[i].len);

		if (t == NULL)
			return -1;
		memset(&m, 0, sizeof(m));
		m.kind = GRAPH_MSG_TEXT;
		m.text = t;
		m.quick_replies = i == npc - 1 ? q : NULL;
		m.nquick_replies = i == npc - 1 ? (size_t)nq : 0;
		m.messaging_type = tag != NULL ? "MESSAGE_TAG" : NULL;
		m.tag = tag;
		rc = graph_send_check(&m, strcmp(ci.kind, "instagram") == 0,
		    why, sizeof(why));
		free(t);
		if (rc == -1)
			return verdict(res, OUTBOX_REFUSED, why);
	}
	res->verdict = OUTBOX_QUEUED_NEW;
	return queue_rows(d, r, &ci, tag, NULL, pc, npc, q, nq, res);
}

int
outbox_enqueue(struct db *d, const struct outbox_req *r, struct outbox_res *res)
{
	memset(res, 0, sizeof(*res));
	res->state = OUTBOX_QUEUED;
	if (db_begin(d) == -1)
		return -1;
	if (enqueue_txn(d, r, res) == -1)
		goto err;
	if (res->verdict == OUTBOX_QUEUED_NEW) {
		if (db_commit(d) == -1)
			goto err;
	} else
		db_rollback(d);
	return 0;
err:
	db_rollback(d);
	return -1;
}

int
outbox_attempts_max(const char *kind)
{
	return kind != NULL && strcmp(kind, "action") == 0 ?
	    HG_OUTBOX_ACTION_ATTEMPTS_MAX : HG_OUTBOX_ATTEMPTS_MAX;
}

/* ---- the worker --------------------------------------------------- */

#define OUTBOX_CHANNELS_MAX	256

struct chan_pace {
	long long		 channel;
	struct pace_bucket	 bucket;
	struct pace_breaker	 breaker;
};

struct outbox_worker {
	const struct conf	*conf;
	struct db		*db;
	struct graph		*graph;
	long long		 lease_ms, grace_ms;
	struct chan_pace	 ch[OUTBOX_CHANNELS_MAX];
	int			 nch;
	struct pace_pairs	 pairs;
	unsigned		 rnd;
};

struct outbox_worker *
outbox_worker_new(const struct conf *c, struct db *d, struct graph *g)
{
	struct outbox_worker *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->conf = c;
	w->db = d;
	w->graph = g;
	w->lease_ms = conf_get_int(c, "outbox_lease_ms");
	w->grace_ms = conf_get_int(c, "outbox_grace_s") * 1000;
	pace_pairs_init(&w->pairs, conf_get_int(c, "outbox_pair_spacing_ms"));
	w->rnd = (unsigned)clock_mono_ms() | 1u;
	return w;
}

void
outbox_worker_free(struct outbox_worker *w)
{
	free(w);
}

/* xorshift32: jitter only, nothing secret. */
static unsigned
next_rnd(struct outbox_worker *w)
{
	w->rnd ^= w->rnd << 13;
	w->rnd ^= w->rnd >> 17;
	w->rnd ^= w->rnd << 5;
	return w->rnd;
}

/* The pacing of a job's channel (set up on first use). */
static struct chan_pace *
chan_pace(struct outbox_worker *w, const struct db_outbox_job *j,
    long long now)
{
	double	 rate;
	int	 i;

	for (i = 0; i < w->nch; i++)
		if (w->ch[i].channel == j->channel_id)
			return &w->ch[i];
	if (w->nch == OUTBOX_CHANNELS_MAX)
		w->nch = 0;	/* forget them all: fresh buckets are full */
	rate = strcmp(j->channel_kind, "whatsapp") == 0 ?
	    PACE_WA_RATE_DEFAULT : PACE_MSG_RATE;
	if (j->send_rate > 0)
		rate = (double)(j->send_rate > PACE_WA_RATE_MAX ?
		    PACE_WA_RATE_MAX : j->send_rate);
	w->ch[w->nch].channel = j->channel_id;
	pace_bucket_init(&w->ch[w->nch].bucket, rate, now);
	pace_breaker_init(&w->ch[w->nch].breaker);
	return &w->ch[w->nch++];
}

/* The channel's token in out (NUL-terminated); 0 or -1. */
static int
channel_token(struct outbox_worker *w, const struct db_outbox_job *j,
    struct buf *out)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	char		 aad[160];
	int		 rc;

	if (j->token_sealed == NULL ||
	    crypto_key_parse(conf_get(w->conf, "token_key"), key) == -1)
		return -1;
	snprintf(aad, sizeof(aad), "channel:%s:%s", j->channel_kind,
	    j->channel_meta_id);
	rc = crypto_open(key, j->token_sealed, j->token_len, aad, strlen(aad),
	    out);
	crypto_wipe(key, sizeof(key));
	if (rc == -1 || buf_putc(out, '\0') == -1)
		return -1;
	return 0;
}

/* Call Meta for job j with token; res filled.  Every kind is built by
 * graph_send_build (graph_send.h). */
static void
send_job(struct outbox_worker *w, const struct db_outbox_job *j,
    const char *token, struct graph_result *res)
{
	struct graph_send_job	 sj;
	char			 ref[64];

	snprintf(ref, sizeof(ref), "%s%lld", HG_OUTBOX_REF_PREFIX, j->id);
	memset(&sj, 0, sizeof(sj));
	sj.platform = j->channel_kind;
	sj.sender_id = j->channel_meta_id;
	sj.recipient = j->person;
	sj.kind = j->kind;
	sj.body = j->body;
	sj.tag = j->tag;
	sj.ref = ref;
	graph_send_job(w->graph, &sj, token, res);
}

/* One line for the log (no text, no token). */
static void
log_send(const struct db_outbox_job *j, const struct graph_result *res,
    enum pace_act act)
{
	struct logline l;

	log_begin(&l, act == PACE_DONE ? LOG_LEVEL_INFO : LOG_LEVEL_WARN,
	    "outbox.send");
	log_int(&l, "id", j->id);
	log_int(&l, "channel", j->channel_id);
	log_int(&l, "attempt", j->attempts);
	log_str(&l, "class", graph_class_names[res->cls]);
	log_str(&l, "action", pace_act_names[act]);
	if (res->code != 0)
		log_int(&l, "code", res->code);
	if (res->fbtrace_id[0] != '\0')
		log_str(&l, "fbtrace_id", res->fbtrace_id);
	log_end(&l);
}

/* Put a claimed job back without counting the attempt (paced). */
static int
defer(struct outbox_worker *w, const struct db_outbox_job *j,
    const char *token, long long now, long long wait_ms,
    struct outbox_stats *st)
{
	st->paced++;
	return db_outbox_requeue(w->db, j->id, token, OUTBOX_QUEUED,
	    now + wait_ms, 0, NULL, NULL, NULL);
}

/* Pace, send and record job j claimed under lease; 0 or -1. */
static int
process(struct outbox_worker *w, const struct db_outbox_job *j,
    const char *lease, struct outbox_stats *st)
{
	struct db_outbox_attempt a;
	struct graph_result	 res;
	struct chan_pace	*cp;
	struct buf		 tok;
	enum pace_act		 act;
	long long		 now = clock_ms(), wait, delay;
	char			 code[48];
	const char		*words;
	int			 rc, wa = strcmp(j->channel_kind, "whatsapp") == 0;

	cp = chan_pace(w, j, now);
	if (!pace_breaker_allow(&cp->breaker, now, &wait))
		return defer(w, j, lease, now, wait, st);
	if ((wait = pace_bucket_take(&cp->bucket, now)) > 0)
		return defer(w, j, lease, now, wait, st);
	if (wa && (wait = pace_pairs_take(&w->pairs, j->channel_id, j->person,
	    now)) > 0)
		return defer(w, j, lease, now, wait, st);
	buf_init(&tok, 8192);
	memset(&res, 0, sizeof(res));
	if (channel_token(w, j, &tok) == -1)
		graph_result_local(&res, GRAPH_TOKEN_INVALID, GRAPH_REASON_TOKEN,
		    "the channel's token cannot be read");
	else
		send_job(w, j, buf_cstr(&tok), &res);
	crypto_wipe(tok.data, tok.len);
	buf_free(&tok);
	now = clock_ms();
	act = pace_action(res.cls, res.ambiguous, res.delay_s, j->attempts,
	    HG_OUTBOX_BACKOFF_MS, HG_OUTBOX_BACKOFF_MAX_MS, next_rnd(w), &delay);
	if (!res.local)
		pace_breaker_record(&cp->breaker, act == PACE_RETRY ||
		    act == PACE_UNKNOWN, now);
	log_send(j, &res, act);
	memset(&a, 0, sizeof(a));
	a.attempt = j->attempts;
	a.cls = act == PACE_UNKNOWN ? "unknown" : graph_class_names[res.cls];
	a.http_status = res.http_status;
	a.code = res.code;
	a.subcode = res.subcode;
	a.fbtrace_id = res.fbtrace_id;
	a.message = res.message;
	a.at_ms = now;
	if (res.subcode != 0)
		snprintf(code, sizeof(code), "%ld/%ld", res.code, res.subcode);
	else
		snprintf(code, sizeof(code), "%ld", res.code);
	words = res.user_msg[0] != '\0' ? res.user_msg : res.message;
	switch (act) {
	case PACE_DONE:
		st->sent++;
		rc = db_outbox_sent(w->db, j->id, res.id, &a);
		break;
	case PACE_RETRY:
		if (j->attempts >= outbox_attempts_max(j->kind)) {
			st->failed++;
			rc = db_outbox_fail(w->db, j->id, lease,
			    strcmp(j->kind, "action") == 0 ? OUTBOX_FAILED :
			    OUTBOX_DEAD_LETTER, code, words, &a);
			break;
		}
		st->retried++;
		rc = db_outbox_requeue(w->db, j->id, lease, OUTBOX_QUEUED,
		    now + delay, 1, code, words, &a);
		break;
	case PACE_WAIT:
		st->retried++;
		if (wa && res.code == 131056)
			pace_pairs_block(&w->pairs, j->channel_id, j->person,
			    now + delay);
		else
			pace_bucket_block(&cp->bucket, now + delay);
		rc = db_outbox_requeue(w->db, j->id, lease, OUTBOX_QUEUED,
		    now + delay, 1, code, words, &a);
		break;
	case PACE_PAUSE_CHANNEL:
		st->paused++;
		rc = db_channel_token_invalid(w->db, j->channel_id);
		if (rc == 0)
			rc = db_outbox_requeue(w->db, j->id, lease,
			    OUTBOX_QUEUED, now, 0, code, words, &a);
		break;
	case PACE_UNKNOWN:
		st->unknown++;
		rc = db_outbox_requeue(w->db, j->id, lease, OUTBOX_UNKNOWN,
		    now + w->grace_ms, 1, code, words, &a);
		break;
	default:
		st->failed++;
		rc = db_outbox_fail(w->db, j->id, lease, OUTBOX_FAILED, code,
		    words, &a);
		break;
	}
	graph_result_free(&res);
	return rc;
}

int
outbox_run(struct outbox_worker *w, long long budget_ms,
    struct outbox_stats *st, long long *next_ms)
{
	struct db_outbox_job	 j;
	long long		 start = clock_mono_ms(), n;
	char			 lease[CRYPTO_TOKEN_CHARS + 1];
	int			 rc;

	if (next_ms != NULL)
		*next_ms = 0;
	if (db_outbox_recover(w->db, clock_ms(), w->grace_ms, &n) == -1)
		return -1;
	st->recovered += n;
	while (clock_mono_ms() - start < budget_ms) {
		if (crypto_token(lease, sizeof(lease)) == -1)
			return -1;
		if ((rc = db_outbox_claim(w->db, clock_ms(), w->lease_ms, lease,
		    &j)) == -1)
			return -1;
		if (rc == 0)
			break;
		st->claimed++;
		rc = process(w, &j, lease, st);
		db_outbox_job_clear(&j);
		if (rc == -1)
			return -1;
	}
	if (next_ms != NULL && db_outbox_next_due(w->db, next_ms) == -1)
		return -1;
	return 0;
}

/* ---- the thread --------------------------------------------------- */

/* Count g's calls since the last time in the counters /metrics shows
 * (graph.<class>), as the programs do when they free their client. */
static void
count_calls(struct db *d, struct graph *g)
{
	long long	 n[GRAPH_CLASS__MAX];
	char		 name[64];
	int		 i;

	graph_calls_take(g, n);
	for (i = 0; i < GRAPH_CLASS__MAX; i++) {
		if (n[i] == 0)
			continue;
		snprintf(name, sizeof(name), "graph.%s", graph_class_names[i]);
		if (db_counter_add(d, name, n[i]) == -1)
			log_msg(LOG_LEVEL_WARN, "graph.count", db_errmsg(d));
	}
}

struct outbox_thread {
	const struct conf	*conf;
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 due, stop;
};

static void *
outbox_main(void *arg)
{
	struct outbox_thread	*t = arg;
	struct outbox_worker	*w = NULL;
	struct outbox_stats	 st;
	struct db		*d = NULL;
	struct graph		*g = NULL;
	struct timespec		 until;
	long long		 next = 0, wait, now;
	char			 err[HG_ERR_MAX];
	int			 rc;

	for (;;) {
		pthread_mutex_lock(&t->mu);
		now = clock_ms();
		wait = HG_OUTBOX_POLL_MS;
		if (next > 0 && next - now < wait)
			wait = next - now > 0 ? next - now : 0;
		if (!t->due && !t->stop && wait > 0) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += wait / 1000;
			until.tv_nsec += (wait % 1000) * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&t->cv, &t->mu, &until);
		}
		t->due = 0;
		if (t->stop) {
			pthread_mutex_unlock(&t->mu);
			break;
		}
		pthread_mutex_unlock(&t->mu);
		if (d == NULL && (d = db_open(t->conf, 0, err,
		    sizeof(err))) == NULL) {
			log_msg(LOG_LEVEL_ERROR, "outbox.db", err);
			continue;
		}
		if (g == NULL && (g = graph_new(t->conf, err,
		    sizeof(err))) == NULL) {
			log_msg(LOG_LEVEL_ERROR, "outbox.graph", err);
			next = clock_ms() + 60000;
			continue;
		}
		if (w == NULL && (w = outbox_worker_new(t->conf, d, g)) == NULL)
			continue;
		memset(&st, 0, sizeof(st));
		rc = outbox_run(w, HG_OUTBOX_POLL_MS, &st, &next);
		if (st.claimed > 0)
			count_calls(d, g);
		if (rc == -1) {
			log_msg(LOG_LEVEL_ERROR, "outbox.run", db_errmsg(d));
			outbox_worker_free(w);
			w = NULL;
			db_close(d);
			d = NULL;
			next = 0;
		}
	}
	outbox_worker_free(w);
	graph_free(g);
	db_close(d);
	return NULL;
}

struct outbox_thread *
outbox_thread_new(const struct conf *c)
{
	struct outbox_thread *t;

	if (c == NULL || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->conf = c;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	if (pthread_create(&t->thread, NULL, outbox_main, t) != 0) {
		log_msg(LOG_LEVEL_ERROR, "outbox.thread", "cannot start");
		pthread_mutex_destroy(&t->mu);
		pthread_cond_destroy(&t->cv);
		free(t);
		return NULL;
	}
	return t;
}

void
outbox_thread_poke(struct outbox_thread *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	t->due = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

void
outbox_thread_free(struct outbox_thread *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	free(t);
}
