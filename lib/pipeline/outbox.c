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

#include "bgthread.h"
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
#include "graph_thread.h"
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

/*
 * What a send of template body tbody shows in the thread: the
 * template's text with the send's parameters, when the channel's
 * templates are cached, else the template's name.  Malloc'd, or NULL.
 */
static char *
template_text(struct db *d, long long channel, const char *tbody)
{
	struct buf	 out;
	cJSON		*b, *comp = NULL;
	char		*cached = NULL, *t = NULL;
	const char	*name, *lang;

	if ((b = cJSON_Parse(tbody)) == NULL)
		return NULL;
	name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b,
	    "name"));
	lang = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b,
	    "language"));
	buf_init(&out, HG_WA_TEXT_MAX * 2);
	if (name != NULL && lang != NULL && db_template_components(d, channel,
	    name, lang, &cached) == 1 && (comp = cJSON_Parse(cached)) != NULL &&
	    graph_template_text(comp, cJSON_GetObjectItemCaseSensitive(b,
	    "components"), &out) == 0 && out.len > 0)
		t = buf_take(&out);
	else if (name != NULL)
		t = strdup(name);
	buf_free(&out);
	cJSON_Delete(comp);
	free(cached);
	cJSON_Delete(b);
	return t;
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
		if ((text = template_text(d, ci->channel_id, tbody)) == NULL)
			return -1;
		n.text = text;
		n.idempotency_key = r->idempotency_key;
		rc = db_outbox_insert(d, &n, &res->id);
		free(text);
		if (rc == -1)
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

/*
 * What a button or generic template p shows in the thread: its text
 * (the button template's, or the elements' titles) into *text and its
 * cards into *cards, a JSON array of {"type": "template", "name"?:
 * an element's title, "subtitle"?, "buttons": [titles]} (the inbox
 * shows the buttons as labels).  Both malloc'd; 0 or -1.
 */
static int
rich_thread(const cJSON *p, char **text, char **cards)
{
	const cJSON	*e, *b, *v;
	const char	*t;
	struct buf	 tb;
	cJSON		*arr = cJSON_CreateArray(), *c, *labels;
	int		 generic, bad = arr == NULL;

	*text = *cards = NULL;
	t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p,
	    "template_type"));
	generic = t != NULL && strcmp(t, "generic") == 0;
	buf_init(&tb, HG_MSG_ELEMENTS_MAX * (HG_MSG_ELEMENT_TITLE_MAX * 4 + 8));
	if (!generic)
		buf_puts(&tb, cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(p, "text")));
	cJSON_ArrayForEach(e, (generic ? cJSON_GetObjectItemCaseSensitive(p,
	    "elements") : NULL)) {
		if (bad)
			break;
		if (tb.len > 0)
			buf_puts(&tb, " · ");
		buf_puts(&tb, cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "title")));
	}
	/* One card per element (a button template: one without a name). */
	e = generic ? cJSON_GetObjectItemCaseSensitive(p, "elements")->child : p;
	for (; !bad && e != NULL; e = generic ? e->next : NULL) {
		bad = (c = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, c) ||
		    cJSON_AddStringToObject(c, "type", "template") == NULL ||
		    (labels = cJSON_CreateArray()) == NULL;
		if (!bad && generic && ((v = cJSON_GetObjectItemCaseSensitive(e,
		    "title")) == NULL || !cJSON_IsString(v) ||
		    cJSON_AddStringToObject(c, "name", v->valuestring) == NULL))
			bad = 1;
		if (!bad && generic && cJSON_IsString(v =
		    cJSON_GetObjectItemCaseSensitive(e, "subtitle")))
			bad = cJSON_AddStringToObject(c, "subtitle",
			    v->valuestring) == NULL;
		cJSON_ArrayForEach(b, (bad ? NULL :
		    cJSON_GetObjectItemCaseSensitive(e, "buttons")))
			if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(b,
			    "title")))
				cJSON_AddItemToArray(labels,
				    cJSON_CreateString(v->valuestring));
		if (!bad)
			bad = !cJSON_AddItemToObject(c, "buttons", labels);
	}
	if (!bad && tb.len > 0)
		*text = buf_take(&tb);
	buf_free(&tb);
	if (!bad)
		*cards = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	if (bad || *cards == NULL || (tb.len > 0 && *text == NULL)) {
		free(*text);
		free(*cards);
		*text = *cards = NULL;
		return -1;
	}
	return 0;
}

/* A button or generic template (r->rich) with quick replies q, once
 * the window allowed it (tag: HUMAN_AGENT or NULL): Messenger and
 * Instagram only, checked against Meta's limits as graph_send will. */
static int
enqueue_rich(struct db *d, const struct outbox_req *r,
    const struct db_conv_info *ci, const char *tag,
    const struct graph_quick_reply *q, int nq, struct outbox_res *res)
{
	struct graph_template_room room;
	struct graph_message	 m;
	struct db_outbox_new	 n;
	char			 why[256], *text, *cards;
	cJSON			*o;
	int			 rc;

	if (strcmp(ci->kind, "whatsapp") == 0)
		return verdict(res, OUTBOX_REFUSED, "buttons and generic "
		    "templates are sent on Messenger and Instagram only");
	memset(&m, 0, sizeof(m));
	if (graph_send_template(r->rich, &room, &m, why, sizeof(why)) == -1)
		return verdict(res, OUTBOX_BAD_REQUEST, why);
	m.quick_replies = q;
	m.nquick_replies = (size_t)nq;
	m.messaging_type = tag != NULL ? "MESSAGE_TAG" : NULL;
	m.tag = tag;
	if (graph_send_check(&m, strcmp(ci->kind, "instagram") == 0, why,
	    sizeof(why)) == -1)
		return verdict(res, OUTBOX_REFUSED, why);
	if ((o = cJSON_Duplicate(r->rich, 1)) == NULL)
		return -1;
	cJSON_DeleteItemFromObjectCaseSensitive(o, "quick_replies");
	if (add_quick_replies(o, q, nq) == -1 ||
	    rich_thread(r->rich, &text, &cards) == -1) {
		cJSON_Delete(o);
		return -1;
	}
	row_of(r, ci, &n);
	n.kind = "template";
	n.text = text;
	n.attachments = cards;
	n.tag = tag;
	rc = queue_one(d, &n, o, res);
	free(text);
	free(cards);
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
	    (r->action != NULL) + (r->rich != NULL) != 1)
		return verdict(res, OUTBOX_BAD_REQUEST, "send one of text, a "
		    "template or an attachment");
	if (r->quick_replies != NULL && r->text == NULL && r->rich == NULL)
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
	if (r->rich != NULL)
		return enqueue_rich(d, r, &ci, tag, q, nq, res);
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
outbox_enqueue_in(struct db *d, const struct outbox_req *r,
    struct outbox_res *res)
{
	memset(res, 0, sizeof(*res));
	res->state = OUTBOX_QUEUED;
	if (db_savepoint(d) == -1)
		return -1;
	if (enqueue_txn(d, r, res) == -1) {
		db_rollback_to(d);
		db_release(d);
		return -1;
	}
	if (res->verdict != OUTBOX_QUEUED_NEW && db_rollback_to(d) == -1)
		return -1;
	return db_release(d);
}

int
outbox_thread_control_in(struct db *d, long long ws, long long conv,
    const char *action, const char *metadata, const char *author_kind,
    long long author_id, long long now_ms, struct outbox_res *res)
{
	struct outbox_req	 r;
	struct db_outbox_new	 n;
	struct db_conv_info	 ci;
	cJSON			*o;
	int			 rc;

	memset(res, 0, sizeof(*res));
	res->state = OUTBOX_QUEUED;
	if (!graph_thread_action(action))
		return verdict(res, OUTBOX_BAD_REQUEST, "action: "
		    "pass_thread_control or take_thread_control");
	if ((rc = db_conv_info(d, ws, conv, &ci)) != 1)
		return rc == -1 ? -1 : verdict(res, OUTBOX_NO_CONVERSATION,
		    "no such conversation");
	if (strcmp(ci.kind, "whatsapp") == 0)
		return verdict(res, OUTBOX_REFUSED, "thread control is passed "
		    "on Messenger and Instagram only");
	o = cJSON_CreateObject();
	if (o == NULL || cJSON_AddStringToObject(o, "action", action) == NULL ||
	    (strcmp(action, "pass_thread_control") == 0 &&
	    cJSON_AddStringToObject(o, "target_app_id",
	    strcmp(ci.kind, "instagram") == 0 ? GRAPH_IG_INBOX_APP_ID :
	    GRAPH_PAGE_INBOX_APP_ID) == NULL) ||
	    (metadata != NULL && cJSON_AddStringToObject(o, "metadata",
	    metadata) == NULL)) {
		cJSON_Delete(o);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.workspace = ws;
	r.author_kind = author_kind;
	r.author_id = author_id;
	r.now_ms = now_ms;
	row_of(&r, &ci, &n);
	n.kind = "action";
	n.no_message = 1;
	if (db_savepoint(d) == -1) {
		cJSON_Delete(o);
		return -1;
	}
	if (queue_one(d, &n, o, res) == -1) {
		db_rollback_to(d);
		db_release(d);
		return -1;
	}
	return db_release(d);
}

int
outbox_attempts_max(const char *kind)
{
	return kind != NULL && strcmp(kind, "action") == 0 ?
	    HG_OUTBOX_ACTION_ATTEMPTS_MAX : HG_OUTBOX_ATTEMPTS_MAX;
}

/* ---- the worker --------------------------------------------------- */

/*
 * The worker is a dispatcher (the caller's thread, the only one that
 * touches the database and the pacing) and a pool of sender threads,
 * each with its own Graph clients.  A claim round takes, in one
 * transaction, as many due sends of each channel as its pace and the
 * free senders allow (one per conversation: the next of a conversation
 * is not due while one is out); the senders call Meta; the answers
 * are recorded together in one transaction.
 */

#define OUTBOX_CHANNELS_MAX	256

struct chan_pace {
	long long		 channel;
	int			 rate;
	struct pace_window	 win;		/* the channel's sends */
	struct pace_spacer	 even;		/* ... spread over the second */
	struct pace_spacer	 depart;	/* ... when they really leave
						 * (senders, under mu) */
	struct pace_window	 media;		/* Messenger/IG attachments */
	struct pace_breaker	 breaker;
	enum pace_breaker_state	 shown;		/* as last written */
	long long		 shown_until;
};

/* A send handed to a sender and its answer. */
struct slot {
	struct slot		*next;
	struct db_outbox_job	 job;
	char			 lease[CRYPTO_TOKEN_CHARS + 1];
	int			 refused;	/* not sent: why holds why */
	char			 why[256];
	char			 found_mid[128]; /* found in Meta's inbox */
	struct graph_result	 res;
	long long		 calls[GRAPH_CLASS__MAX];
	char			 code[48];
	long long		 at_ms;		/* leaves then (paced) */
	struct db_outbox_outcome out;		/* what its answer means */
	int			 decided;	/* out is filled */
};

struct outbox_worker {
	const struct conf	*conf;
	struct db		*db;
	struct graph		*graph;
	long long		 lease_ms, grace_ms;
	struct chan_pace	 ch[OUTBOX_CHANNELS_MAX];
	int			 nch, round;
	long long		 after;		/* due channels: start above */
	struct pace_pairs	 pairs;
	unsigned		 rnd;
	long long		 calls[GRAPH_CLASS__MAX];
	/* The pool: todo and done under mu. */
	pthread_mutex_t		 mu;
	pthread_cond_t		 work, done;
	struct slot		*todo, *todo_tail, *finished;
	int			 stop, nsenders, started, inflight;
	int			 linger;	/* sends stay out between runs */
	int			 timer;		/* a sender waits for a time */
	pthread_t		 th[HG_OUTBOX_SENDERS_MAX];
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
	w->nsenders = (int)conf_get_int(c, "outbox_senders");
	if (w->nsenders < 1 || w->nsenders > HG_OUTBOX_SENDERS_MAX)
		w->nsenders = 1;
	/* The margin: Meta measures when the calls arrive. */
	pace_pairs_init(&w->pairs, conf_get_int(c, "outbox_pair_spacing_ms") +
	    HG_OUTBOX_PACE_MARGIN_MS);
	w->rnd = (unsigned)clock_mono_ms() | 1u;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	return w;
}

static void	wait_done(struct outbox_worker *, long long);
static int	settle(struct outbox_worker *, struct outbox_stats *);

/* Free a slot and what it holds. */
static void
slot_free(struct slot *sl)
{
	graph_result_free(&sl->res);
	db_outbox_job_clear(&sl->job);
	free(sl);
}

void
outbox_worker_free(struct outbox_worker *w)
{
	struct outbox_stats	 st;
	struct slot		*sl;
	int			 i;

	if (w == NULL)
		return;
	/* What lingered out is written first. */
	memset(&st, 0, sizeof(st));
	if (w->inflight > 0)
		(void)settle(w, &st);
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->work);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->started; i++)
		pthread_join(w->th[i], NULL);
	/* Claimed and not sent: their leases lapse into unknown. */
	while ((sl = w->todo) != NULL) {
		w->todo = sl->next;
		slot_free(sl);
	}
	while ((sl = w->finished) != NULL) {
		w->finished = sl->next;
		slot_free(sl);
	}
	pace_pairs_free(&w->pairs);
	for (i = 0; i < w->nch; i++) {
		pace_window_free(&w->ch[i].win);
		pace_window_free(&w->ch[i].media);
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
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

/* The rate of a channel of kind with send_rate (0: the default). */
static int
chan_rate(const char *kind, long long send_rate)
{
	if (send_rate > 0)
		return (int)(send_rate > PACE_WA_RATE_MAX ? PACE_WA_RATE_MAX :
		    send_rate);
	return strcmp(kind, "whatsapp") == 0 ? PACE_WA_RATE_DEFAULT :
	    PACE_MSG_RATE;
}

/* The pacing of a channel (set up on first use, again when its rate
 * changed); NULL when out of memory. */
static struct chan_pace *
chan_pace_locked(struct outbox_worker *w, long long channel,
    const char *kind, long long send_rate)
{
	struct chan_pace	*cp = NULL;
	int			 i, rate = chan_rate(kind, send_rate);

	for (i = 0; i < w->nch; i++)
		if (w->ch[i].channel == channel) {
			cp = &w->ch[i];
			if (cp->rate == rate)
				return cp;
			pace_window_free(&cp->win);
			pace_window_free(&cp->media);
			break;
		}
	if (cp == NULL) {
		if (w->nch == OUTBOX_CHANNELS_MAX) {
			/* Forget one: a fresh window is empty. */
			cp = &w->ch[w->round % OUTBOX_CHANNELS_MAX];
			pace_window_free(&cp->win);
			pace_window_free(&cp->media);
		} else
			cp = &w->ch[w->nch++];
		memset(cp, 0, sizeof(*cp));
		pace_breaker_init(&cp->breaker);
		cp->shown = BREAKER_CLOSED;
	}
	cp->channel = channel;
	cp->rate = rate;
	/* Sends spread over the second: a burst of a whole second's
	 * sends reaches Meta bunched, and the tail of one second's burst
	 * lands in the next second's count. */
	pace_spacer_init(&cp->even, (double)(PACE_WINDOW_SPAN_MS +
	    HG_OUTBOX_PACE_MARGIN_MS) / rate);
	cp->depart = cp->even;
	if (pace_window_init(&cp->win, rate, PACE_WINDOW_SPAN_MS +
	    HG_OUTBOX_PACE_MARGIN_MS) == -1 || pace_window_init(&cp->media,
	    PACE_MEDIA_RATE, PACE_WINDOW_SPAN_MS + HG_OUTBOX_PACE_MARGIN_MS) ==
	    -1) {
		pace_window_free(&cp->win);
		cp->channel = 0;
		return NULL;
	}
	return cp;
}

/* The pace of channel, made (or made anew when its rate changed);
 * NULL on a memory error.  The senders read it: under the mutex. */
static struct chan_pace *
chan_pace(struct outbox_worker *w, long long channel, const char *kind,
    long long send_rate)
{
	struct chan_pace *cp;

	pthread_mutex_lock(&w->mu);
	cp = chan_pace_locked(w, channel, kind, send_rate);
	pthread_mutex_unlock(&w->mu);
	return cp;
}

static struct chan_pace *
chan_find(struct outbox_worker *w, long long channel)
{
	int i;

	for (i = 0; i < w->nch; i++)
		if (w->ch[i].channel == channel)
			return &w->ch[i];
	return NULL;
}

/* The channel's token in out (NUL-terminated); 0 or -1. */
static int
channel_token(const struct conf *c, const struct db_outbox_job *j,
    struct buf *out)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	char		 aad[160];
	int		 rc;

	if (j->token_sealed == NULL ||
	    crypto_key_parse(conf_get(c, "token_key"), key) == -1)
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

/* Call Meta for job j with token on g; res filled.  Every kind is
 * built by graph_send_build (graph_send.h). */
static void
send_job(struct graph *g, const struct db_outbox_job *j, const char *token,
    struct graph_result *res)
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
	sj.ig_login = strcmp(j->token_kind, "instagram_login") == 0;
	graph_send_job(g, &sj, token, res);
}

/* A sender's Graph clients (made on first use): Meta's, and Instagram
 * Login's host. */
struct sender_graphs {
	struct graph	*fb, *ig;
};

/* The client for job j (Instagram Login's host for an Instagram Login
 * account); NULL when it cannot be (the reason in res). */
static struct graph *
sender_graph(const struct conf *c, struct sender_graphs *sg,
    const struct db_outbox_job *j, struct graph_result *res)
{
	char	 err[HG_ERR_MAX];
	int	 igl = strcmp(j->token_kind, "instagram_login") == 0;

	if (igl && sg->ig == NULL && (sg->ig = graph_new_instagram(c,
	    GRAPH_HOST_IG_GRAPH, err, sizeof(err))) == NULL)
		graph_result_local(res, GRAPH_RETRY, GRAPH_REASON_OTHER,
		    "no Instagram Login client: %s", err);
	else if (!igl && sg->fb == NULL && (sg->fb = graph_new(c, err,
	    sizeof(err))) == NULL)
		graph_result_local(res, GRAPH_RETRY, GRAPH_REASON_OTHER,
		    "no Graph client: %s", err);
	return igl ? sg->ig : sg->fb;
}

/*
 * A Messenger or Instagram text sent again after an unknown outcome:
 * ask Meta first whether the Page's conversation with the person has a
 * message with the same text since the lost call was claimed.  1 found
 * (its id in mid), 0 not there, -1 the question failed (res says why).
 */
static int
lookup_sent(struct graph *g, const struct db_outbox_job *j, const char *token,
    char *mid, size_t midsz, struct graph_result *res)
{
	struct graph_param	 p[4];
	const cJSON		*conv, *m;
	const char		*text, *have, *when, *id, *from;
	char			 path[192];
	struct tm		 tm;
	cJSON			*b;
	int			 n = 0, found = 0;

	if ((b = cJSON_Parse(j->body)) == NULL)
		return 0;
	text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "text"));
	if (text == NULL) {
		cJSON_Delete(b);
		return 0;	/* only a text can be recognised */
	}
	snprintf(path, sizeof(path), "/%s/conversations", j->channel_meta_id);
	p[n++] = (struct graph_param){ "user_id", j->person };
	p[n++] = (struct graph_param){ "fields",
	    "messages.limit(20){id,message,created_time,from}" };
	if (strcmp(j->channel_kind, "instagram") == 0)
		p[n++] = (struct graph_param){ "platform", "instagram" };
	p[n] = (struct graph_param){ NULL, NULL };
	if (graph_call(g, GRAPH_GET, path, p, NULL, GRAPH_AUTH_USER, token,
	    res) == -1) {
		cJSON_Delete(b);
		return -1;
	}
	cJSON_ArrayForEach(conv, cJSON_GetObjectItemCaseSensitive(res->json,
	    "data")) {
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(conv, "messages"), "data")) {
			have = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(m, "message"));
			when = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(m, "created_time"));
			id = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(m, "id"));
			from = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(m, "from"), "id"));
			memset(&tm, 0, sizeof(tm));
			/* The channel's own message, not the person's
			 * with the same words. */
			if (have == NULL || id == NULL || when == NULL ||
			    from == NULL || strcmp(from, j->channel_meta_id) != 0 ||
			    strcmp(have, text) != 0 ||
			    strptime(when, "%Y-%m-%dT%H:%M:%S", &tm) == NULL ||
			    (long long)timegm(&tm) < j->claimed_ms / 1000 - 1)
				continue;
			snprintf(mid, midsz, "%s", id);
			found = 1;
			break;
		}
		if (found)
			break;
	}
	cJSON_Delete(b);
	graph_result_free(res);
	return found;
}

/* What a sender does with a slot: the call, its answer in sl->res. */
static void
sender_do(const struct conf *c, struct sender_graphs *sg, struct slot *sl)
{
	struct graph	*g;
	struct buf	 tok;
	int		 found;

	memset(&sl->res, 0, sizeof(sl->res));
	if (sl->refused)
		return;
	if ((g = sender_graph(c, sg, &sl->job, &sl->res)) == NULL)
		return;
	buf_init(&tok, 8192);
	if (channel_token(c, &sl->job, &tok) == -1)
		graph_result_local(&sl->res, GRAPH_TOKEN_INVALID,
		    GRAPH_REASON_TOKEN, "the channel's token cannot be read");
	else if (sl->job.resends > 0 &&
	    strcmp(sl->job.channel_kind, "whatsapp") != 0 &&
	    strcmp(sl->job.token_kind, "instagram_login") != 0 &&
	    (found = lookup_sent(g, &sl->job, buf_cstr(&tok), sl->found_mid,
	    sizeof(sl->found_mid), &sl->res)) != 0) {
		/* Found: it was sent (res becomes that answer); or the
		 * question failed (res says why; asked again later). */
		if (found == 1) {
			graph_result_free(&sl->res);
			memset(&sl->res, 0, sizeof(sl->res));
			sl->res.cls = GRAPH_OK;
			snprintf(sl->res.id, sizeof(sl->res.id), "%s",
			    sl->found_mid);
		} else {
			/* Whatever Meta answered the question, the send's
			 * outcome is still unknown: ask again later. */
			sl->res.ambiguous = 0;
			sl->res.cls = GRAPH_RETRY;
		}
	} else
		send_job(g, &sl->job, buf_cstr(&tok), &sl->res);
	crypto_wipe(tok.data, tok.len);
	buf_free(&tok);
	graph_calls_take(g, sl->calls);
}

/* Sleep until at_ms (wall clock), if it is ahead by at most max_ms
 * (more: the clock jumped). */
static void
pause_until(long long at_ms, long long max_ms)
{
	struct timespec	 ts;
	long long	 ms = at_ms - clock_ms();

	if (ms <= 0 || ms > max_ms)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1)
		;
}

/*
 * The send's time to leave, taken when its sender is ready: a sender
 * that woke late must not leave right before the next one, bunching
 * what Meta counts when the calls arrive.  Sleeps until then.
 */
static void
depart(struct outbox_worker *w, const struct slot *sl)
{
	struct chan_pace	*cp;
	long long		 at = 0;

	if (sl->refused)
		return;
	pthread_mutex_lock(&w->mu);
	if ((cp = chan_find(w, sl->job.channel_id)) != NULL)
		at = pace_spacer_next(&cp->depart, clock_ms());
	pthread_mutex_unlock(&w->mu);
	pause_until(at, PACE_WINDOW_SPAN_MS * 2);
}

/*
 * Take the send due first off the todo list, waiting until it is due:
 * a sender is not held while a send waits for its time, so the senders
 * count calls, not sleeps.  One waiting sender at a time keeps the
 * time (w->timer); the others wait to be woken.  Called with mu held;
 * NULL when stopped with nothing left.
 */
static struct slot *
take_due(struct outbox_worker *w)
{
	struct slot	*sl, *best, *prev, *best_prev;
	struct timespec	 until;
	long long	 now;

	for (;;) {
		if (w->todo == NULL) {
			if (w->stop)
				return NULL;
			pthread_cond_wait(&w->work, &w->mu);
			continue;
		}
		best = w->todo;
		best_prev = NULL;
		for (prev = w->todo, sl = w->todo->next; sl != NULL;
		    prev = sl, sl = sl->next)
			if (sl->at_ms < best->at_ms) {
				best = sl;
				best_prev = prev;
			}
		now = clock_ms();
		if (best->at_ms <= now || best->at_ms > now +
		    HG_OUTBOX_AHEAD_MS * 2) {
			if (best_prev != NULL)
				best_prev->next = best->next;
			else
				w->todo = best->next;
			if (w->todo_tail == best)
				w->todo_tail = best_prev;
			best->next = NULL;
			/* Another may be due: its sender is woken. */
			if (w->todo != NULL)
				pthread_cond_signal(&w->work);
			return best;
		}
		if (w->timer) {
			pthread_cond_wait(&w->work, &w->mu);
			continue;
		}
		w->timer = 1;
		clock_deadline(&until, best->at_ms - now);
		pthread_cond_timedwait(&w->work, &w->mu, &until);
		w->timer = 0;
	}
}

static void *
sender_main(void *arg)
{
	struct outbox_worker	*w = arg;
	struct sender_graphs	 sg = { NULL, NULL };
	struct slot		*sl;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		if ((sl = take_due(w)) == NULL) {
			pthread_cond_broadcast(&w->work);
			pthread_mutex_unlock(&w->mu);
			break;
		}
		pthread_mutex_unlock(&w->mu);
		depart(w, sl);
		sender_do(w->conf, &sg, sl);
		pthread_mutex_lock(&w->mu);
		sl->next = w->finished;
		w->finished = sl;
		pthread_cond_signal(&w->done);
		pthread_mutex_unlock(&w->mu);
	}
	graph_free(sg.fb);
	graph_free(sg.ig);
	return NULL;
}

/* Start the senders (once); 0, or -1 when none could start. */
static int
pool_start(struct outbox_worker *w)
{
	while (w->started < w->nsenders) {
		if (pthread_create(&w->th[w->started], NULL, sender_main,
		    w) != 0)
			break;
		w->started++;
	}
	if (w->started == 0) {
		log_msg(LOG_LEVEL_ERROR, "outbox.senders", "cannot start");
		return -1;
	}
	return 0;
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

/* The outcome of a slot's call into o (borrowing from the slot), the
 * pacing told. */
static void
decide(struct outbox_worker *w, struct slot *sl, struct db_outbox_outcome *o,
    struct outbox_stats *st)
{
	const struct db_outbox_job *j = &sl->job;
	struct graph_result	*res = &sl->res;
	struct chan_pace	*cp = chan_find(w, j->channel_id);
	enum pace_act		 act;
	long long		 now = clock_ms(), delay;
	int			 i, wa = strcmp(j->channel_kind, "whatsapp") == 0;

	memset(o, 0, sizeof(*o));
	o->id = j->id;
	o->token = sl->lease;
	for (i = 0; i < GRAPH_CLASS__MAX; i++)
		w->calls[i] += sl->calls[i];
	if (sl->refused) {
		st->failed++;
		o->what = DB_OUTCOME_FAIL;
		o->state = OUTBOX_FAILED;
		o->err_code = "window";
		o->err = sl->why;
		o->log = 1;
		o->a.attempt = j->attempts;
		o->a.cls = "permanent";
		o->a.message = sl->why;
		o->a.at_ms = now;
		return;
	}
	act = pace_action(res->cls, res->ambiguous, res->delay_s, j->attempts,
	    HG_OUTBOX_BACKOFF_MS, HG_OUTBOX_BACKOFF_MAX_MS, next_rnd(w), &delay);
	if (!res->local && cp != NULL)
		pace_breaker_record(&cp->breaker, act == PACE_RETRY ||
		    act == PACE_UNKNOWN, now);
	else if (cp != NULL)
		pace_breaker_release(&cp->breaker);
	log_send(j, res, act);
	o->log = 1;
	o->a.attempt = j->attempts;
	o->a.cls = act == PACE_UNKNOWN ? "unknown" : graph_class_names[res->cls];
	o->a.http_status = res->http_status;
	o->a.code = res->code;
	o->a.subcode = res->subcode;
	o->a.fbtrace_id = res->fbtrace_id;
	o->a.message = res->message;
	o->a.at_ms = now;
	if (res->subcode != 0)
		snprintf(sl->code, sizeof(sl->code), "%ld/%ld", res->code,
		    res->subcode);
	else
		snprintf(sl->code, sizeof(sl->code), "%ld", res->code);
	o->err_code = sl->code;
	o->err = res->user_msg[0] != '\0' ? res->user_msg : res->message;
	o->what = DB_OUTCOME_REQUEUE;
	o->state = OUTBOX_QUEUED;
	o->counted = 1;
	switch (act) {
	case PACE_DONE:
		st->sent++;
		o->what = DB_OUTCOME_SENT;
		o->mid = res->id;
		o->err_code = o->err = NULL;
		break;
	case PACE_RETRY:
		if (j->attempts >= outbox_attempts_max(j->kind)) {
			st->failed++;
			o->what = DB_OUTCOME_FAIL;
			/* An action (mark read, typing) is not worth a
			 * person's look: failed, not a dead letter. */
			o->state = strcmp(j->kind, "action") == 0 ?
			    OUTBOX_FAILED : OUTBOX_DEAD_LETTER;
			break;
		}
		st->retried++;
		o->next_ms = now + delay;
		break;
	case PACE_WAIT:
		st->retried++;
		if (wa && res->code == 131056) {
			/* The pair's spacing, not the number's wait. */
			delay = w->pairs.spacing_ms;
			pace_pairs_block(&w->pairs, j->channel_id, j->person,
			    now, now + delay);
		}
		else if (cp != NULL) {
			/* The number's throughput (130429): a second's
			 * window, not the long wait of an app's limit. */
			if (wa && res->code == 130429)
				delay = PACE_WINDOW_SPAN_MS;
			pace_window_block(&cp->win, now + delay);
			pace_spacer_block(&cp->even, now + delay);
			pthread_mutex_lock(&w->mu);
			pace_spacer_block(&cp->depart, now + delay);
			pthread_mutex_unlock(&w->mu);
		}
		o->next_ms = now + delay;
		break;
	case PACE_PAUSE_CHANNEL:
		st->paused++;
		o->pause_channel = j->channel_id;
		o->next_ms = now;
		o->counted = 0;
		break;
	case PACE_UNKNOWN:
		if (strcmp(j->kind, "action") == 0) {
			/* A typing bubble or a read mark late or twice is
			 * worse than none: never looked for nor repeated. */
			st->failed++;
			o->what = DB_OUTCOME_FAIL;
			o->state = OUTBOX_FAILED;
			o->err_code = "unknown";
			o->err = "no answer from Meta; a sender action is not "
			    "repeated";
			break;
		}
		st->unknown++;
		o->state = OUTBOX_UNKNOWN;
		o->next_ms = now + w->grace_ms;
		break;
	default:
		st->failed++;
		o->what = DB_OUTCOME_FAIL;
		o->state = OUTBOX_FAILED;
		break;
	}
}

/* Write the breakers that changed where other processes see them. */
static void
show_breakers(struct outbox_worker *w, long long now)
{
	struct chan_pace	*cp;
	int			 i;

	for (i = 0; i < w->nch; i++) {
		cp = &w->ch[i];
		if (cp->breaker.state == BREAKER_OPEN &&
		    now >= cp->breaker.open_until_ms)
			pace_breaker_room(&cp->breaker, now, 1, NULL);
		if (cp->breaker.state == cp->shown &&
		    (cp->shown != BREAKER_OPEN ||
		    cp->breaker.open_until_ms == cp->shown_until))
			continue;
		if (db_breaker_set(w->db, cp->channel,
		    pace_breaker_names[cp->breaker.state],
		    cp->breaker.state == BREAKER_OPEN ?
		    cp->breaker.open_until_ms : 0, now) == -1) {
			log_msg(LOG_LEVEL_WARN, "outbox.breaker",
			    db_errmsg(w->db));
			return;
		}
		cp->shown = cp->breaker.state;
		cp->shown_until = cp->breaker.open_until_ms;
	}
}

/* Record the answers the senders have finished; 0 or -1. */
static int
record_done(struct outbox_worker *w, struct outbox_stats *st)
{
	struct db_outbox_outcome	*o;
	struct slot			*list, *sl, *last = NULL;
	size_t				 n = 0, i;
	int				 rc;

	pthread_mutex_lock(&w->mu);
	list = w->finished;
	w->finished = NULL;
	pthread_mutex_unlock(&w->mu);
	for (sl = list; sl != NULL; last = sl, sl = sl->next, n++)
		if (!sl->decided) {
			decide(w, sl, &sl->out, st);
			sl->decided = 1;
		}
	if (n == 0)
		return 0;
	if ((o = calloc(n, sizeof(*o))) == NULL)
		rc = -1;
	else {
		for (i = 0, sl = list; sl != NULL; sl = sl->next, i++)
			o[i] = sl->out;
		rc = db_outbox_record(w->db, o, n);
	}
	free(o);
	if (rc == -1) {
		/* Not written: kept, and written by a later round. */
		pthread_mutex_lock(&w->mu);
		last->next = w->finished;
		w->finished = list;
		pthread_mutex_unlock(&w->mu);
		return -1;
	}
	while ((sl = list) != NULL) {
		list = sl->next;
		slot_free(sl);
		w->inflight--;
	}
	show_breakers(w, clock_ms());
	return 0;
}

/*
 * Wait for every send out and write what they did, trying again a tick
 * apart when the database refuses.  When it refuses HG_OUTBOX_RECORD_
 * TRIES times, the answers are dropped: their rows' leases lapse into
 * "unknown" (looked for in Meta's inbox before Messenger and Instagram
 * sends go again; sent again at most once after outbox_grace_s when no
 * echo or status names them, on WhatsApp and Instagram Login).  0 or
 * -1.
 */
static int
settle(struct outbox_worker *w, struct outbox_stats *st)
{
	struct slot	*sl;
	int		 rc = 0, tries = 0;

	while (w->inflight > 0) {
		wait_done(w, HG_OUTBOX_TICK_MS);
		if (record_done(w, st) == 0)
			continue;
		rc = -1;
		if (++tries < HG_OUTBOX_RECORD_TRIES) {
			/* The answers wait on the finished list: a tick. */
			pause_until(clock_ms() + HG_OUTBOX_TICK_MS,
			    HG_OUTBOX_TICK_MS);
			continue;
		}
		/* Every sender must be done before the slots go. */
		pthread_mutex_lock(&w->mu);
		while (w->todo != NULL) {
			sl = w->todo;
			if ((w->todo = sl->next) == NULL)
				w->todo_tail = NULL;
			slot_free(sl);
			w->inflight--;
		}
		while ((sl = w->finished) != NULL) {
			w->finished = sl->next;
			slot_free(sl);
			w->inflight--;
		}
		pthread_mutex_unlock(&w->mu);
		if (w->inflight > 0)
			continue;
		log_msg(LOG_LEVEL_ERROR, "outbox.record_lost", db_errmsg(w->db));
	}
	return rc;
}

/* Whether job j may still be sent at now: the window may have closed
 * while it waited.  0 yes, else -1 with why. */
static int
still_allowed(const struct db_outbox_job *j, long long now, char *why,
    size_t whysz)
{
	enum window	 win;

	if ((strcmp(j->kind, "template") == 0 || strcmp(j->kind,
	    "action") == 0) && strcmp(j->channel_kind, "whatsapp") == 0)
		return 0;
	/* Conversation Routing calls are not messages: no window. */
	if (strcmp(j->kind, "action") == 0 && j->body != NULL &&
	    (strstr(j->body, "\"pass_thread_control\"") != NULL ||
	    strstr(j->body, "\"take_thread_control\"") != NULL))
		return 0;
	win = window_of(j->channel_kind, j->last_inbound_ms, now,
	    j->human_agent);
	if (win == WINDOW_OPEN || (win == WINDOW_HUMAN_AGENT &&
	    j->tag[0] != '\0'))
		return 0;
	if (win == WINDOW_HUMAN_AGENT)
		snprintf(why, whysz, "not sent: the 24-hour window closed "
		    "while this waited in the queue; only a person may answer "
		    "now, with the HUMAN_AGENT tag");
	else if (win == WINDOW_TEMPLATE_ONLY)
		snprintf(why, whysz, "not sent: the 24-hour window closed "
		    "while this waited in the queue; only an approved template "
		    "may be sent now");
	else
		snprintf(why, whysz, "not sent: the conversation's window "
		    "closed while this waited in the queue");
	return -1;
}

/* Claim what may go now of channel ch into the list *out, in the open
 * transaction; *wait is lowered to when more may go.  0 or -1. */
static int
claim_channel(struct outbox_worker *w, const struct db_outbox_chan *ch,
    const char *lease, long long now, int *free_slots, struct slot **out,
    long long *wait, struct outbox_stats *st)
{
	struct db_outbox_job	 jobs[HG_OUTBOX_SENDERS_MAX];
	struct chan_pace	*cp;
	struct slot		*sl;
	long long		 bw, pw, at;
	size_t			 n, i;
	int			 room, rc = 0, media, wa, full = 0;

	if ((cp = chan_pace(w, ch->id, ch->kind, ch->send_rate)) == NULL)
		return -1;
	wa = strcmp(ch->kind, "whatsapp") == 0;
	/* The window counts at the time the next send leaves. */
	at = cp->even.next_ms > (double)now ? (long long)(cp->even.next_ms +
	    0.999) : now;
	room = pace_window_room(&cp->win, at);
	if (pace_spacer_room(&cp->even, now, HG_OUTBOX_AHEAD_MS) < room)
		room = pace_spacer_room(&cp->even, now, HG_OUTBOX_AHEAD_MS);
	if (room == 0) {
		pw = pace_window_wait(&cp->win, at) + (at - now);
		if (pw < 1)
			pw = (long long)cp->even.next_ms - now -
			    HG_OUTBOX_AHEAD_MS;
		if (pw < 1)
			pw = 1;
		if (pw < *wait)
			*wait = pw;
		return 0;
	}
	if (room > *free_slots)
		room = *free_slots;
	if ((room = pace_breaker_room(&cp->breaker, now, room, &bw)) == 0) {
		if (bw < *wait)
			*wait = bw;
		return 0;
	}
	if (db_outbox_candidates(w->db, now, ch->id, (size_t)room, jobs,
	    &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		media = !wa && strcmp(jobs[i].kind, "attachment") == 0;
		if (rc == -1)
			goto next;
		if (media && (pw = pace_window_wait(&cp->media, now)) > 0) {
			st->paced++;
			rc = db_outbox_defer(w->db, jobs[i].id, now + pw, now);
			goto next;
		}
		if (wa && (pw = pace_pairs_take(&w->pairs, ch->id,
		    jobs[i].person, now)) > 0) {
			st->paced++;
			rc = db_outbox_defer(w->db, jobs[i].id, now + pw, now);
			goto next;
		}
		at = cp->even.next_ms > (double)now ? (long long)(
		    cp->even.next_ms + 0.999) : now;
		if (full || pace_window_wait(&cp->win, at) > 0) {
			full = 1;	/* the rest wait for the next round */
			goto next;
		}
		if ((rc = db_outbox_take(w->db, jobs[i].id, lease, now,
		    now + w->lease_ms)) != 1)
			goto next;
		if ((sl = calloc(1, sizeof(*sl))) == NULL) {
			rc = -1;
			goto next;
		}
		sl->job = jobs[i];
		memset(&jobs[i], 0, sizeof(jobs[i]));
		snprintf(sl->lease, sizeof(sl->lease), "%s", lease);
		if (still_allowed(&sl->job, now, sl->why, sizeof(sl->why)) == -1)
			sl->refused = 1;
		else {
			sl->at_ms = pace_spacer_next(&cp->even, now);
			pace_window_take(&cp->win, sl->at_ms);
			if (media)
				pace_window_take(&cp->media, now);
			pace_breaker_allow(&cp->breaker, now, NULL);
		}
		sl->next = *out;
		*out = sl;
		(*free_slots)--;
		st->claimed++;
		rc = 0;
next:
		db_outbox_job_clear(&jobs[i]);
	}
	return rc;
}

/* One claim round: every channel with a send due, as much as its pace
 * and the free senders allow, claimed in one transaction and handed
 * to the senders.  *claimed how many; *wait lowered to when a paced
 * channel may go again.  0 or -1. */
static int
claim_round(struct outbox_worker *w, int *claimed, long long *wait,
    struct outbox_stats *st)
{
	struct db_outbox_chan	 ch[HG_OUTBOX_CHANNELS_ROUND];
	struct slot		*list = NULL, *sl;
	char			 lease[CRYPTO_TOKEN_CHARS + 1];
	long long		 now = clock_ms();
	size_t			 n, i, k, off;
	int			 free_slots = w->started - w->inflight;

	*claimed = 0;
	if (free_slots <= 0)
		return 0;
	if (db_outbox_due_channels(w->db, now, w->after, ch,
	    HG_OUTBOX_CHANNELS_ROUND, &n) == -1)
		return -1;
	if (n == 0) {
		w->after = 0;
		return 0;
	}
	if (crypto_token(lease, sizeof(lease)) == -1 || db_begin(w->db) == -1)
		return -1;
	/* Start with another channel each round: fairness when the
	 * senders are fewer than the channels could use. */
	w->round++;
	/* More channels due than a round takes: they go in id order, and
	 * the next round starts after the last one this one got to. */
	off = n == HG_OUTBOX_CHANNELS_ROUND ? 0 : (size_t)w->round;
	for (k = 0; k < n && free_slots > 0; k++) {
		i = (k + off) % n;
		if (claim_channel(w, &ch[i], lease, now, &free_slots, &list,
		    wait, st) == -1)
			goto err;
	}
	w->after = n == HG_OUTBOX_CHANNELS_ROUND ? ch[k - 1].id : 0;
	if (db_commit(w->db) == -1)
		goto err;
	/* Committed: now they may go. */
	pthread_mutex_lock(&w->mu);
	while ((sl = list) != NULL) {
		list = sl->next;
		sl->next = NULL;
		if (w->todo_tail != NULL)
			w->todo_tail->next = sl;
		else
			w->todo = sl;
		w->todo_tail = sl;
		w->inflight++;
		(*claimed)++;
	}
	pthread_cond_broadcast(&w->work);
	pthread_mutex_unlock(&w->mu);
	return 0;
err:
	db_rollback(w->db);
	while ((sl = list) != NULL) {
		list = sl->next;
		slot_free(sl);
	}
	return -1;
}

/* Wait for a sender's answer at most ms. */
static void
wait_done(struct outbox_worker *w, long long ms)
{
	struct timespec until;

	if (ms <= 0)
		return;
	clock_deadline(&until, ms);
	pthread_mutex_lock(&w->mu);
	if (w->finished == NULL)
		pthread_cond_timedwait(&w->done, &w->mu, &until);
	pthread_mutex_unlock(&w->mu);
}

/* Count the senders' calls in the counters /metrics shows. */
static void
count_worker_calls(struct outbox_worker *w)
{
	char	 name[64];
	int	 i;

	for (i = 0; i < GRAPH_CLASS__MAX; i++) {
		if (w->calls[i] == 0)
			continue;
		snprintf(name, sizeof(name), "graph.%s", graph_class_names[i]);
		if (db_counter_add(w->db, name, w->calls[i]) == -1)
			log_msg(LOG_LEVEL_WARN, "graph.count", db_errmsg(w->db));
		w->calls[i] = 0;
	}
}

int
outbox_run(struct outbox_worker *w, long long budget_ms,
    struct outbox_stats *st, long long *next_ms)
{
	long long	 start = clock_mono_ms(), n, wait, left;
	int		 claimed, rc = 0;

	if (next_ms != NULL)
		*next_ms = 0;
	if (db_outbox_recover(w->db, clock_ms(), w->grace_ms, &n) == -1)
		return -1;
	st->recovered += n;
	if (pool_start(w) == -1)
		return -1;
	for (;;) {
		if ((rc = record_done(w, st)) == -1)
			break;
		if ((left = budget_ms - (clock_mono_ms() - start)) <= 0)
			break;
		wait = HG_OUTBOX_TICK_MS * 50;
		if ((rc = claim_round(w, &claimed, &wait, st)) == -1)
			break;
		if (w->inflight == 0 && claimed == 0) {
			/* Nothing out: done, unless a paced channel may
			 * go again within the budget. */
			if (wait >= HG_OUTBOX_TICK_MS * 50 || wait > left)
				break;
			wait_done(w, wait > 0 ? wait : 1);
			continue;
		}
		if (w->inflight >= w->started || claimed == 0)
			wait_done(w, wait < HG_OUTBOX_TICK_MS ? (wait > 0 ?
			    wait : 1) : HG_OUTBOX_TICK_MS);
	}
	/* What is out is recorded before returning, unless the thread
	 * comes back for it soon (linger): the senders then go on while
	 * it looks at the queue again. */
	if (rc == -1 || !w->linger) {
		if (settle(w, st) == -1)
			rc = -1;
	}
	count_worker_calls(w);
	if (rc == -1)
		return -1;
	if (next_ms != NULL && db_outbox_next_due(w->db, next_ms) == -1)
		return -1;
	/* Sends still out: back within a tick to write their answers. */
	if (next_ms != NULL && w->inflight > 0 && (*next_ms == 0 ||
	    *next_ms > clock_ms() + HG_OUTBOX_TICK_MS))
		*next_ms = clock_ms() + HG_OUTBOX_TICK_MS;
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

/* bg_job's calls for the outbound worker. */
static void *
bg_new(const struct conf *c, struct db *d, struct graph *g)
{
	struct outbox_worker *w;

	/* The thread comes back: sends need not be waited for. */
	if ((w = outbox_worker_new(c, d, g)) != NULL)
		w->linger = 1;
	return w;
}

static void
bg_free(void *w)
{
	outbox_worker_free(w);
}

static int
bg_run(void *w, struct db *d, struct graph *g, long long budget_ms,
    long long *next_ms)
{
	struct outbox_stats	 st;
	int			 rc;

	memset(&st, 0, sizeof(st));
	rc = outbox_run(w, budget_ms, &st, next_ms);
	if (st.claimed > 0)
		count_calls(d, g);
	return rc;
}

const struct bg_job outbox_job = {
	.name = "outbox",
	.poll_ms = HG_OUTBOX_POLL_MS,
	.worker_new = bg_new,
	.worker_free = bg_free,
	.run = bg_run,
};
