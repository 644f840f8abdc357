/*
 * graph_send: Meta's message limits, request bodies and send calls.
 * See graph_send.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "graph_send.h"
#include "graph_thread.h"
#include "limits.h"
#include "log.h"
#include "utf8.h"

/* Bytes of the UTF-8 sequence starting with c, or 0 when invalid. */
/* The length of the sequence a lead byte starts, in text utf8_chars
 * has checked. */
static size_t
seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0 && c >= 0xc2)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	if ((c & 0xf8) == 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
graph_send_split(const char *text, size_t max_chars, struct graph_piece *out,
    size_t maxout)
{
	size_t	 len = strlen(text), pos = 0, i, count, brk, end;
	int	 n = 0;

	if (max_chars == 0 || utf8_chars(text, len) < 0)
		return -1;
	for (;;) {
		while (pos < len && is_space(text[pos]))
			pos++;
		if (pos >= len)
			return n;
		i = pos;
		count = 0;
		brk = 0;
		while (i < len && count < max_chars) {
			if (is_space(text[i]))
				brk = i;
			i += seq_len((unsigned char)text[i]);
			count++;
		}
		if (i >= len || is_space(text[i]))
			end = i;
		else if (brk > pos)
			end = brk;
		else
			end = i;	/* one word longer than a message */
		while (end > pos && is_space(text[end - 1]))
			end--;
		if ((size_t)n == maxout)
			return -1;
		out[n].off = pos;
		out[n].len = end - pos;
		n++;
		pos = end;
	}
}

/* Check that s has 1..max characters (0..max when optional). */
static int
check_chars(const char *what, const char *s, size_t max, int optional,
    char *why, size_t whysz)
{
	long n;

	if (s == NULL || s[0] == '\0') {
		if (optional)
			return 0;
		snprintf(why, whysz, "%s is required", what);
		return -1;
	}
	if ((n = utf8_chars(s, strlen(s))) < 0) {
		snprintf(why, whysz, "%s is not valid UTF-8", what);
		return -1;
	}
	if ((size_t)n > max) {
		snprintf(why, whysz, "%s is %ld characters; Meta allows %zu",
		    what, n, max);
		return -1;
	}
	return 0;
}

static int
check_url(const char *what, const char *u, char *why, size_t whysz)
{
	if (u == NULL || (strncmp(u, "https://", 8) != 0 &&
	    strncmp(u, "http://", 7) != 0)) {
		snprintf(why, whysz, "%s must be an http(s) URL", what);
		return -1;
	}
	if (strlen(u) > HG_MSG_URL_MAX) {
		snprintf(why, whysz, "%s is longer than %d bytes", what,
		    HG_MSG_URL_MAX);
		return -1;
	}
	return 0;
}

static int
check_buttons(const struct graph_button *b, size_t n, size_t min, char *why,
    size_t whysz)
{
	size_t i;

	if (n < min || n > HG_MSG_BUTTONS_MAX) {
		snprintf(why, whysz, "%zu buttons; Meta allows %zu to %d", n,
		    min, HG_MSG_BUTTONS_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (check_chars("button title", b[i].title,
		    HG_MSG_BUTTON_TITLE_MAX, 0, why, whysz) == -1)
			return -1;
		if (b[i].type != NULL && strcmp(b[i].type, "web_url") == 0) {
			if (check_url("button URL", b[i].value, why, whysz) == -1)
				return -1;
		} else if (b[i].type != NULL && strcmp(b[i].type, "postback") == 0) {
			if (check_chars("button payload", b[i].value,
			    HG_MSG_PAYLOAD_MAX, 0, why, whysz) == -1)
				return -1;
		} else {
			snprintf(why, whysz, "button type must be web_url or "
			    "postback");
			return -1;
		}
	}
	return 0;
}

static int
check_quick_replies(const struct graph_message *m, char *why, size_t whysz)
{
	const struct graph_quick_reply	*q;
	size_t				 i;

	if (m->nquick_replies > HG_MSG_QR_MAX) {
		snprintf(why, whysz, "%zu quick replies; Meta allows %d",
		    m->nquick_replies, HG_MSG_QR_MAX);
		return -1;
	}
	for (i = 0; i < m->nquick_replies; i++) {
		q = &m->quick_replies[i];
		if (q->content_type != NULL && (strcmp(q->content_type,
		    "user_phone_number") == 0 || strcmp(q->content_type,
		    "user_email") == 0))
			continue;
		if (q->content_type != NULL && strcmp(q->content_type,
		    "text") != 0) {
			snprintf(why, whysz, "unknown quick reply type");
			return -1;
		}
		if (check_chars("quick reply title", q->title,
		    HG_MSG_QR_TITLE_MAX, 0, why, whysz) == -1 ||
		    check_chars("quick reply payload", q->payload,
		    HG_MSG_PAYLOAD_MAX, 0, why, whysz) == -1 ||
		    (q->image_url != NULL && check_url("quick reply image",
		    q->image_url, why, whysz) == -1))
			return -1;
	}
	return 0;
}

int
graph_send_check(const struct graph_message *m, int ig, char *why,
    size_t whysz)
{
	const char	*mt = m->messaging_type;
	size_t		 i;

	if (mt != NULL && strcmp(mt, "RESPONSE") != 0 &&
	    strcmp(mt, "UPDATE") != 0 && strcmp(mt, "MESSAGE_TAG") != 0) {
		snprintf(why, whysz, "messaging_type must be RESPONSE, UPDATE "
		    "or MESSAGE_TAG");
		return -1;
	}
	if ((mt != NULL && strcmp(mt, "MESSAGE_TAG") == 0) != (m->tag != NULL)) {
		snprintf(why, whysz, "a tag goes with MESSAGE_TAG, and only "
		    "with it");
		return -1;
	}
	if (check_chars("metadata", m->metadata, HG_MSG_METADATA_MAX, 1, why,
	    whysz) == -1 || check_quick_replies(m, why, whysz) == -1)
		return -1;
	switch (m->kind) {
	case GRAPH_MSG_TEXT:
		if (ig) {
			if (check_chars("text", m->text, (size_t)-1, 0, why,
			    whysz) == -1)
				return -1;
			if (strlen(m->text) > HG_IG_TEXT_MAX_BYTES) {
				snprintf(why, whysz, "text is %zu bytes; "
				    "Instagram allows %d", strlen(m->text),
				    HG_IG_TEXT_MAX_BYTES);
				return -1;
			}
			return 0;
		}
		return check_chars("text", m->text, HG_MSG_TEXT_MAX, 0, why,
		    whysz);
	case GRAPH_MSG_BUTTONS:
		if (check_chars("button template text", m->text,
		    HG_MSG_BUTTON_TEXT_MAX, 0, why, whysz) == -1)
			return -1;
		return check_buttons(m->buttons, m->nbuttons, 1, why, whysz);
	case GRAPH_MSG_GENERIC:
		if (m->nelements < 1 || m->nelements > HG_MSG_ELEMENTS_MAX) {
			snprintf(why, whysz, "%zu elements; Meta allows 1 to %d",
			    m->nelements, HG_MSG_ELEMENTS_MAX);
			return -1;
		}
		for (i = 0; i < m->nelements; i++)
			if (check_chars("element title", m->elements[i].title,
			    HG_MSG_ELEMENT_TITLE_MAX, 0, why, whysz) == -1 ||
			    check_chars("element subtitle",
			    m->elements[i].subtitle, HG_MSG_ELEMENT_SUBTITLE_MAX,
			    1, why, whysz) == -1 ||
			    (m->elements[i].image_url != NULL && check_url(
			    "element image", m->elements[i].image_url, why,
			    whysz) == -1) ||
			    check_buttons(m->elements[i].buttons,
			    m->elements[i].nbuttons, 0, why, whysz) == -1)
				return -1;
		return 0;
	case GRAPH_MSG_ATTACHMENT:
		if (m->attachment_type == NULL ||
		    (strcmp(m->attachment_type, "image") != 0 &&
		    strcmp(m->attachment_type, "audio") != 0 &&
		    strcmp(m->attachment_type, "video") != 0 &&
		    strcmp(m->attachment_type, "file") != 0)) {
			snprintf(why, whysz, "attachment type must be image, "
			    "audio, video or file");
			return -1;
		}
		return check_url("attachment URL", m->attachment_url, why, whysz);
	default:
		snprintf(why, whysz, "unknown message kind");
		return -1;
	}
}

static cJSON *
buttons_json(const struct graph_button *b, size_t n)
{
	cJSON	*arr = cJSON_CreateArray(), *o;
	size_t	 i;
	int	 url;

	for (i = 0; arr != NULL && i < n; i++) {
		url = strcmp(b[i].type, "web_url") == 0;
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o) ||
		    cJSON_AddStringToObject(o, "type", b[i].type) == NULL ||
		    cJSON_AddStringToObject(o, "title", b[i].title) == NULL ||
		    cJSON_AddStringToObject(o, url ? "url" : "payload",
		    b[i].value) == NULL) {
			cJSON_Delete(arr);
			return NULL;
		}
	}
	return arr;
}

/* Add key: value to o when value is set; 0 or -1. */
static int
add_opt(cJSON *o, const char *key, const char *value)
{
	return value == NULL || cJSON_AddStringToObject(o, key, value) != NULL ?
	    0 : -1;
}

/* The "message" object of m. */
static cJSON *
message_json(const struct graph_message *m)
{
	cJSON	*msg = cJSON_CreateObject(), *att = NULL, *pl = NULL, *arr = NULL;
	cJSON	*e, *eb;
	size_t	 i;
	int	 bad = msg == NULL;

	if (!bad && m->kind == GRAPH_MSG_TEXT)
		bad = cJSON_AddStringToObject(msg, "text", m->text) == NULL;
	else if (!bad) {
		att = cJSON_AddObjectToObject(msg, "attachment");
		bad = att == NULL || add_opt(att, "type",
		    m->kind == GRAPH_MSG_ATTACHMENT ? m->attachment_type :
		    "template") == -1 ||
		    (pl = cJSON_AddObjectToObject(att, "payload")) == NULL;
		if (!bad && m->kind == GRAPH_MSG_ATTACHMENT)
			bad = add_opt(pl, "url", m->attachment_url) == -1 ||
			    cJSON_AddTrueToObject(pl, "is_reusable") == NULL;
	}
	if (!bad && m->kind == GRAPH_MSG_BUTTONS)
		bad = add_opt(pl, "template_type", "button") == -1 ||
		    add_opt(pl, "text", m->text) == -1 ||
		    (arr = buttons_json(m->buttons, m->nbuttons)) == NULL ||
		    !cJSON_AddItemToObject(pl, "buttons", arr);
	if (!bad && m->kind == GRAPH_MSG_GENERIC) {
		bad = add_opt(pl, "template_type", "generic") == -1 ||
		    (arr = cJSON_AddArrayToObject(pl, "elements")) == NULL;
		for (i = 0; !bad && i < m->nelements; i++) {
			const struct graph_element *el = &m->elements[i];
			bad = (e = cJSON_CreateObject()) == NULL ||
			    !cJSON_AddItemToArray(arr, e) ||
			    add_opt(e, "title", el->title) == -1 ||
			    add_opt(e, "subtitle", el->subtitle) == -1 ||
			    add_opt(e, "image_url", el->image_url) == -1;
			if (!bad && el->nbuttons > 0)
				bad = (eb = buttons_json(el->buttons,
				    el->nbuttons)) == NULL ||
				    !cJSON_AddItemToObject(e, "buttons", eb);
		}
	}
	if (!bad && m->nquick_replies > 0) {
		bad = (arr = cJSON_AddArrayToObject(msg, "quick_replies")) == NULL;
		for (i = 0; !bad && i < m->nquick_replies; i++) {
			const struct graph_quick_reply *q = &m->quick_replies[i];
			bad = (e = cJSON_CreateObject()) == NULL ||
			    !cJSON_AddItemToArray(arr, e) ||
			    add_opt(e, "content_type", q->content_type != NULL ?
			    q->content_type : "text") == -1 ||
			    add_opt(e, "title", q->title) == -1 ||
			    add_opt(e, "payload", q->payload) == -1 ||
			    add_opt(e, "image_url", q->image_url) == -1;
		}
	}
	if (!bad)
		bad = add_opt(msg, "metadata", m->metadata) == -1;
	if (bad) {
		cJSON_Delete(msg);
		return NULL;
	}
	return msg;
}

cJSON *
graph_send_body(const char *recipient, const struct graph_message *m, int ig,
    char *why, size_t whysz)
{
	cJSON *root, *msg;

	if (graph_send_check(m, ig, why, whysz) == -1)
		return NULL;
	if ((root = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(cJSON_AddObjectToObject(root, "recipient"),
	    "id", recipient) == NULL ||
	    cJSON_AddStringToObject(root, "messaging_type",
	    m->messaging_type != NULL ? m->messaging_type : "RESPONSE") == NULL ||
	    add_opt(root, "tag", m->tag) == -1 ||
	    (msg = message_json(m)) == NULL) {
		cJSON_Delete(root);
		snprintf(why, whysz, "out of memory");
		return NULL;
	}
	cJSON_AddItemToObject(root, "message", msg);
	return root;
}

/* A send refused here: res says why; always -1. */
static int
refuse(struct graph_result *res, enum graph_reason reason, const char *why)
{
	struct logline l;

	memset(res, 0, sizeof(*res));
	res->usage_pct = -1;
	graph_result_local(res, GRAPH_PERMANENT, reason, "%s", why);
	log_begin(&l, LOG_LEVEL_WARN, "graph.refused");
	log_str(&l, "reason", graph_reason_names[reason]);
	log_str(&l, "msg", why);
	log_end(&l);
	return -1;
}

/* POST body (taken) to path and keep the message id of the answer:
 * message_id (Messenger, Instagram) or messages[0].id (WhatsApp). */
static int
post_message(struct graph *g, const char *path, cJSON *body,
    enum graph_auth auth, const char *token, int wa, struct graph_result *res)
{
	const cJSON	*id;
	int		 rc;

	rc = graph_call(g, GRAPH_POST, path, NULL, body, auth, token, res);
	cJSON_Delete(body);
	if (rc == -1)
		return -1;
	id = wa ? cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(res->json, "messages"), 0), "id") :
	    cJSON_GetObjectItemCaseSensitive(res->json, "message_id");
	if (cJSON_IsString(id))
		snprintf(res->id, sizeof(res->id), "%s", id->valuestring);
	return 0;
}

int
graph_send_messenger(struct graph *g, const char *page_id, const char *token,
    const char *psid, const struct graph_message *m, struct graph_result *res)
{
	char	 why[256], path[HG_META_ID_MAX + 16];
	cJSON	*body;

	if (!graph_id_ok(page_id) || !graph_id_ok(psid))
		return refuse(res, GRAPH_REASON_PARAMETER, "invalid page or "
		    "recipient id");
	if ((body = graph_send_body(psid, m, 0, why, sizeof(why))) == NULL)
		return refuse(res, GRAPH_REASON_LIMIT, why);
	snprintf(path, sizeof(path), "/%s/messages", page_id);
	return post_message(g, path, body, GRAPH_AUTH_USER, token, 0, res);
}

int
graph_send_messenger_split(struct graph *g, const char *page_id,
    const char *token, const char *psid, const struct graph_message *m,
    size_t *sent, struct graph_result *res)
{
	struct graph_piece	 pc[HG_MSG_SPLIT_MAX];
	struct graph_message	 one;
	char			 why[256], *text;
	int			 n, i;

	*sent = 0;
	if (m->kind != GRAPH_MSG_TEXT || m->text == NULL)
		return refuse(res, GRAPH_REASON_PARAMETER, "only text is split");
	one = *m;
	one.text = "x";		/* everything but the text's length */
	if (graph_send_check(&one, 0, why, sizeof(why)) == -1)
		return refuse(res, GRAPH_REASON_LIMIT, why);
	if ((n = graph_send_split(m->text, HG_MSG_TEXT_MAX, pc,
	    HG_MSG_SPLIT_MAX)) <= 0) {
		snprintf(why, sizeof(why), n == 0 ? "text is empty" :
		    "text needs more than %d messages or is not UTF-8",
		    HG_MSG_SPLIT_MAX);
		return refuse(res, GRAPH_REASON_LIMIT, why);
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			graph_result_free(res);
		if ((text = strndup(m->text + pc[i].off, pc[i].len)) == NULL)
			return refuse(res, GRAPH_REASON_OTHER, "out of memory");
		one = *m;
		one.text = text;
		if (i + 1 < n) {
			one.quick_replies = NULL;
			one.nquick_replies = 0;
		}
		if (graph_send_messenger(g, page_id, token, psid, &one,
		    res) == -1) {
			free(text);
			return -1;
		}
		free(text);
		(*sent)++;
	}
	return 0;
}

int
graph_send_action(struct graph *g, const char *page_id, const char *token,
    const char *psid, const char *action, struct graph_result *res)
{
	char	 path[HG_META_ID_MAX + 16];
	cJSON	*body;

	if (!graph_id_ok(page_id) || !graph_id_ok(psid))
		return refuse(res, GRAPH_REASON_PARAMETER, "invalid page or "
		    "recipient id");
	if (action == NULL || (strcmp(action, "typing_on") != 0 &&
	    strcmp(action, "typing_off") != 0 &&
	    strcmp(action, "mark_seen") != 0))
		return refuse(res, GRAPH_REASON_PARAMETER, "sender_action must "
		    "be typing_on, typing_off or mark_seen");
	if ((body = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(cJSON_AddObjectToObject(body, "recipient"),
	    "id", psid) == NULL ||
	    cJSON_AddStringToObject(body, "sender_action", action) == NULL) {
		cJSON_Delete(body);
		return refuse(res, GRAPH_REASON_OTHER, "out of memory");
	}
	snprintf(path, sizeof(path), "/%s/messages", page_id);
	return post_message(g, path, body, GRAPH_AUTH_USER, token, 0, res);
}

int
graph_send_instagram(struct graph *g, const char *token, const char *igsid,
    const struct graph_message *m, struct graph_result *res)
{
	char	 why[256];
	cJSON	*body;

	if (!graph_id_ok(igsid))
		return refuse(res, GRAPH_REASON_PARAMETER, "invalid recipient id");
	if ((body = graph_send_body(igsid, m, 1, why, sizeof(why))) == NULL)
		return refuse(res, GRAPH_REASON_LIMIT, why);
	return post_message(g, "/me/messages", body, GRAPH_AUTH_USER, token, 0,
	    res);
}

/* A WhatsApp body's common part, or NULL. */
static cJSON *
wa_body(const char *to, const char *type)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL ||
	    cJSON_AddStringToObject(o, "messaging_product", "whatsapp") == NULL ||
	    (to != NULL && (cJSON_AddStringToObject(o, "recipient_type",
	    "individual") == NULL ||
	    cJSON_AddStringToObject(o, "to", to) == NULL)) ||
	    (type != NULL && cJSON_AddStringToObject(o, "type", type) == NULL)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int
wa_ids_ok(const char *phone_id, const char *to)
{
	size_t i;

	if (!graph_id_ok(phone_id) || to == NULL || to[0] == '\0' ||
	    strlen(to) > 20)
		return 0;
	for (i = to[0] == '+' ? 1 : 0; to[i] != '\0'; i++)
		if (to[i] < '0' || to[i] > '9')
			return 0;
	return 1;
}

int
graph_send_whatsapp_text(struct graph *g, const char *phone_id,
    const char *token, const char *to, const char *text, int preview_url,
    struct graph_result *res)
{
	return graph_send_whatsapp_text_cb(g, phone_id, token, to, text,
	    preview_url, NULL, res);
}

/* Add biz_opaque_callback_data when set; 0 or -1. */
static int
wa_opaque(cJSON *body, const char *opaque)
{
	return opaque == NULL || cJSON_AddStringToObject(body,
	    "biz_opaque_callback_data", opaque) != NULL ? 0 : -1;
}

int
graph_send_whatsapp_text_cb(struct graph *g, const char *phone_id,
    const char *token, const char *to, const char *text, int preview_url,
    const char *opaque, struct graph_result *res)
{
	char	 why[256], path[HG_META_ID_MAX + 16];
	cJSON	*body, *t;

	if (!wa_ids_ok(phone_id, to))
		return refuse(res, GRAPH_REASON_PARAMETER, "invalid phone number "
		    "id or recipient");
	if (check_chars("text", text, HG_WA_TEXT_MAX, 0, why, sizeof(why)) == -1 ||
	    check_chars("biz_opaque_callback_data", opaque, HG_WA_OPAQUE_MAX,
	    1, why, sizeof(why)) == -1)
		return refuse(res, GRAPH_REASON_LIMIT, why);
	if ((body = wa_body(to, "text")) == NULL ||
	    (t = cJSON_AddObjectToObject(body, "text")) == NULL ||
	    cJSON_AddBoolToObject(t, "preview_url", preview_url) == NULL ||
	    cJSON_AddStringToObject(t, "body", text) == NULL ||
	    wa_opaque(body, opaque) == -1) {
		cJSON_Delete(body);
		return refuse(res, GRAPH_REASON_OTHER, "out of memory");
	}
	snprintf(path, sizeof(path), "/%s/messages", phone_id);
	return post_message(g, path, body, GRAPH_AUTH_BEARER, token, 1, res);
}

int
graph_send_whatsapp_template(struct graph *g, const char *phone_id,
    const char *token, const char *to, const char *name, const char *lang,
    const cJSON *components, struct graph_result *res)
{
	return graph_send_whatsapp_template_cb(g, phone_id, token, to, name,
	    lang, components, NULL, res);
}

int
graph_send_whatsapp_template_cb(struct graph *g, const char *phone_id,
    const char *token, const char *to, const char *name, const char *lang,
    const cJSON *components, const char *opaque, struct graph_result *res)
{
	char	 path[HG_META_ID_MAX + 16];
	cJSON	*body, *t, *c;

	if (!wa_ids_ok(phone_id, to))
		return refuse(res, GRAPH_REASON_PARAMETER, "invalid phone number "
		    "id or recipient");
	if (!graph_id_ok(name) || !graph_id_ok(lang) || strlen(lang) > 15)
		return refuse(res, GRAPH_REASON_PARAMETER, "invalid template "
		    "name or language");
	if ((body = wa_body(to, "template")) == NULL ||
	    (t = cJSON_AddObjectToObject(body, "template")) == NULL ||
	    cJSON_AddStringToObject(t, "name", name) == NULL ||
	    cJSON_AddStringToObject(cJSON_AddObjectToObject(t, "language"),
	    "code", lang) == NULL ||
	    (components != NULL && ((c = cJSON_Duplicate(components, 1)) == NULL ||
	    !cJSON_AddItemToObject(t, "components", c))) ||
	    wa_opaque(body, opaque) == -1) {
		cJSON_Delete(body);
		return refuse(res, GRAPH_REASON_OTHER, "out of memory");
	}
	snprintf(path, sizeof(path), "/%s/messages", phone_id);
	return post_message(g, path, body, GRAPH_AUTH_BEARER, token, 1, res);
}

int
graph_send_whatsapp_read(struct graph *g, const char *phone_id,
    const char *token, const char *wamid, struct graph_result *res)
{
	char	 path[HG_META_ID_MAX + 16];
	cJSON	*body;

	if (!graph_id_ok(phone_id) || wamid == NULL || wamid[0] == '\0' ||
	    strlen(wamid) > 256)
		return refuse(res, GRAPH_REASON_PARAMETER, "invalid phone number "
		    "id or message id");
	if ((body = wa_body(NULL, NULL)) == NULL ||
	    cJSON_AddStringToObject(body, "status", "read") == NULL ||
	    cJSON_AddStringToObject(body, "message_id", wamid) == NULL) {
		cJSON_Delete(body);
		return refuse(res, GRAPH_REASON_OTHER, "out of memory");
	}
	snprintf(path, sizeof(path), "/%s/messages", phone_id);
	return post_message(g, path, body, GRAPH_AUTH_BEARER, token, 1, res);
}

int
graph_send_quick_replies(const cJSON *arr, struct graph_quick_reply *q,
    char *why, size_t whysz)
{
	const cJSON	*it;
	int		 n = 0;

	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > HG_MSG_QR_MAX) {
		snprintf(why, whysz, "quick_replies must be an array of at most "
		    "%d", HG_MSG_QR_MAX);
		return -1;
	}
	cJSON_ArrayForEach(it, arr) {
		memset(&q[n], 0, sizeof(q[n]));
		if (cJSON_IsString(it)) {
			q[n].title = it->valuestring;
			q[n].payload = it->valuestring;
		} else if (cJSON_IsObject(it)) {
			q[n].content_type = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(it, "content_type"));
			q[n].title = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(it, "title"));
			q[n].payload = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(it, "payload"));
			if (q[n].payload == NULL)
				q[n].payload = q[n].title;
		} else {
			snprintf(why, whysz, "a quick reply is a string or an "
			    "object");
			return -1;
		}
		n++;
	}
	return n;
}

/* The string member name of o, or NULL. */
static const char *
jstr(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* Buttons of the array bs into b (room for HG_MSG_BUTTONS_MAX); the
 * count, or -1 with why. */
static int
template_buttons(const cJSON *bs, struct graph_button *b, char *why,
    size_t whysz)
{
	const cJSON	*it;
	int		 n = 0;

	if (bs == NULL)
		return 0;
	if (!cJSON_IsArray(bs) || cJSON_GetArraySize(bs) > HG_MSG_BUTTONS_MAX) {
		snprintf(why, whysz, "buttons must be an array of at most %d",
		    HG_MSG_BUTTONS_MAX);
		return -1;
	}
	cJSON_ArrayForEach(it, bs) {
		b[n].type = jstr(it, "type");
		b[n].title = jstr(it, "title");
		b[n].value = jstr(it, b[n].type != NULL &&
		    strcmp(b[n].type, "web_url") == 0 ? "url" : "payload");
		n++;
	}
	return n;
}

int
graph_send_template(const cJSON *p, struct graph_template_room *room,
    struct graph_message *m, char *why, size_t whysz)
{
	const char	*tt = jstr(p, "template_type");
	const cJSON	*els, *e;
	struct graph_element *el;
	int		 n, i = 0;

	if (tt != NULL && strcmp(tt, "button") == 0) {
		m->kind = GRAPH_MSG_BUTTONS;
		m->text = jstr(p, "text");
		if ((n = template_buttons(cJSON_GetObjectItemCaseSensitive(p,
		    "buttons"), room->buttons, why, whysz)) == -1)
			return -1;
		m->buttons = room->buttons;
		m->nbuttons = (size_t)n;
		return 0;
	}
	if (tt == NULL || strcmp(tt, "generic") != 0) {
		snprintf(why, whysz, "template_type must be button or generic");
		return -1;
	}
	els = cJSON_GetObjectItemCaseSensitive(p, "elements");
	if (!cJSON_IsArray(els) || cJSON_GetArraySize(els) < 1 ||
	    cJSON_GetArraySize(els) > HG_MSG_ELEMENTS_MAX) {
		snprintf(why, whysz, "elements must be an array of 1 to %d",
		    HG_MSG_ELEMENTS_MAX);
		return -1;
	}
	m->kind = GRAPH_MSG_GENERIC;
	cJSON_ArrayForEach(e, els) {
		el = &room->elements[i];
		memset(el, 0, sizeof(*el));
		el->title = jstr(e, "title");
		el->subtitle = jstr(e, "subtitle");
		el->image_url = jstr(e, "image_url");
		el->buttons = room->buttons + (i + 1) * HG_MSG_BUTTONS_MAX;
		if ((n = template_buttons(cJSON_GetObjectItemCaseSensitive(e,
		    "buttons"), room->buttons + (i + 1) * HG_MSG_BUTTONS_MAX,
		    why, whysz)) == -1)
			return -1;
		el->nbuttons = (size_t)n;
		i++;
	}
	m->elements = room->elements;
	m->nelements = (size_t)i;
	return 0;
}

/* A Messenger/Instagram sender_action body for action (payload taken,
 * may be NULL), or NULL. */
static cJSON *
action_json(const char *recipient, const char *action, cJSON *payload)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || cJSON_AddStringToObject(cJSON_AddObjectToObject(o,
	    "recipient"), "id", recipient) == NULL ||
	    cJSON_AddStringToObject(o, "sender_action", action) == NULL ||
	    (payload != NULL && !cJSON_AddItemToObject(o, "payload", payload))) {
		cJSON_Delete(payload);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The Messenger/Instagram body of job j (b: its parsed JSON); NULL
 * with why. */
static cJSON *
build_messenger(const struct graph_send_job *j, const cJSON *b, int ig,
    char *why, size_t whysz)
{
	struct graph_quick_reply q[HG_MSG_QR_MAX];
	struct graph_message	 m;
	const char		*s, *emoji;
	cJSON			*pl;
	int			 nq;

	memset(&m, 0, sizeof(m));
	m.metadata = j->ref;
	if (j->tag != NULL && j->tag[0] != '\0') {
		m.messaging_type = "MESSAGE_TAG";
		m.tag = j->tag;
	}
	if (strcmp(j->kind, "text") == 0) {
		m.kind = GRAPH_MSG_TEXT;
		m.text = jstr(b, "text");
		if ((nq = graph_send_quick_replies(
		    cJSON_GetObjectItemCaseSensitive(b, "quick_replies"), q, why,
		    whysz)) == -1)
			return NULL;
		m.quick_replies = q;
		m.nquick_replies = (size_t)nq;
		return graph_send_body(j->recipient, &m, ig, why, whysz);
	}
	if (strcmp(j->kind, "template") == 0) {
		struct graph_template_room room;

		if (graph_send_template(b, &room, &m, why, whysz) == -1 ||
		    (nq = graph_send_quick_replies(
		    cJSON_GetObjectItemCaseSensitive(b, "quick_replies"), q, why,
		    whysz)) == -1)
			return NULL;
		m.quick_replies = q;
		m.nquick_replies = (size_t)nq;
		return graph_send_body(j->recipient, &m, ig, why, whysz);
	}
	if (strcmp(j->kind, "attachment") == 0) {
		m.kind = GRAPH_MSG_ATTACHMENT;
		m.attachment_type = jstr(b, "type");
		m.attachment_url = jstr(b, "url");
		return graph_send_body(j->recipient, &m, ig, why, whysz);
	}
	if (strcmp(j->kind, "reaction") == 0) {
		s = jstr(b, "mid");
		emoji = jstr(b, "emoji");
		if (s == NULL || s[0] == '\0' || emoji == NULL) {
			snprintf(why, whysz, "a reaction needs the message's id "
			    "and an emoji");
			return NULL;
		}
		if ((pl = cJSON_CreateObject()) == NULL ||
		    cJSON_AddStringToObject(pl, "message_id", s) == NULL ||
		    (emoji[0] != '\0' && cJSON_AddStringToObject(pl, "reaction",
		    ig ? "love" : emoji) == NULL)) {
			cJSON_Delete(pl);
			snprintf(why, whysz, "out of memory");
			return NULL;
		}
		return action_json(j->recipient, emoji[0] != '\0' ? "react" :
		    "unreact", pl);
	}
	if (strcmp(j->kind, "action") == 0) {
		s = jstr(b, "action");
		if (s == NULL || (strcmp(s, "mark_seen") != 0 &&
		    strcmp(s, "typing_on") != 0 && strcmp(s, "typing_off") != 0)) {
			snprintf(why, whysz, "sender_action must be mark_seen, "
			    "typing_on or typing_off");
			return NULL;
		}
		return action_json(j->recipient, s, NULL);
	}
	snprintf(why, whysz, "%s is not sent on Messenger or Instagram",
	    j->kind);
	return NULL;
}

/* WhatsApp's media type for an attachment type, or NULL. */
static const char *
wa_media_type(const char *type)
{
	static const char *const map[][2] = {
		{ "image", "image" }, { "video", "video" }, { "audio", "audio" },
		{ "file", "document" },
	};
	size_t i;

	for (i = 0; type != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(type, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* Add WhatsApp's typed part of job j (b: its JSON) to o; 0 or -1 with
 * why. */
static int
wa_part(cJSON *o, const struct graph_send_job *j, const cJSON *b, char *why,
    size_t whysz)
{
	const char	*s, *mt, *cap, *lang;
	const cJSON	*comp;
	cJSON		*t, *c;

	if (strcmp(j->kind, "text") == 0) {
		s = jstr(b, "text");
		if (check_chars("text", s, HG_WA_TEXT_MAX, 0, why, whysz) == -1)
			return -1;
		return (t = cJSON_AddObjectToObject(o, "text")) == NULL ||
		    cJSON_AddBoolToObject(t, "preview_url", 0) == NULL ||
		    cJSON_AddStringToObject(t, "body", s) == NULL ? -1 : 0;
	}
	if (strcmp(j->kind, "template") == 0) {
		s = jstr(b, "name");
		lang = jstr(b, "language");
		comp = cJSON_GetObjectItemCaseSensitive(b, "components");
		if (!graph_id_ok(s) || !graph_id_ok(lang) || strlen(lang) > 15) {
			snprintf(why, whysz, "invalid template name or language");
			return -1;
		}
		return (t = cJSON_AddObjectToObject(o, "template")) == NULL ||
		    cJSON_AddStringToObject(t, "name", s) == NULL ||
		    cJSON_AddStringToObject(cJSON_AddObjectToObject(t,
		    "language"), "code", lang) == NULL || (comp != NULL &&
		    ((c = cJSON_Duplicate(comp, 1)) == NULL ||
		    !cJSON_AddItemToObject(t, "components", c))) ? -1 : 0;
	}
	if (strcmp(j->kind, "attachment") == 0) {
		s = jstr(b, "url");
		cap = jstr(b, "caption");
		if ((mt = wa_media_type(jstr(b, "type"))) == NULL) {
			snprintf(why, whysz, "attachment type must be image, "
			    "video, audio or file");
			return -1;
		}
		if (check_url("attachment URL", s, why, whysz) == -1 ||
		    check_chars("caption", cap, HG_WA_CAPTION_MAX, 1, why,
		    whysz) == -1)
			return -1;
		if (cap != NULL && cap[0] != '\0' && strcmp(mt, "audio") == 0) {
			snprintf(why, whysz, "audio takes no caption");
			return -1;
		}
		cJSON_DeleteItemFromObject(o, "type");
		return cJSON_AddStringToObject(o, "type", mt) == NULL ||
		    (t = cJSON_AddObjectToObject(o, mt)) == NULL ||
		    cJSON_AddStringToObject(t, "link", s) == NULL ||
		    (cap != NULL && cap[0] != '\0' &&
		    cJSON_AddStringToObject(t, "caption", cap) == NULL) ? -1 : 0;
	}
	/* reaction */
	s = jstr(b, "mid");
	cap = jstr(b, "emoji");
	if (s == NULL || s[0] == '\0' || cap == NULL) {
		snprintf(why, whysz, "a reaction needs the message's id and an "
		    "emoji");
		return -1;
	}
	return (t = cJSON_AddObjectToObject(o, "reaction")) == NULL ||
	    cJSON_AddStringToObject(t, "message_id", s) == NULL ||
	    cJSON_AddStringToObject(t, "emoji", cap) == NULL ? -1 : 0;
}

/* The WhatsApp body of job j (b: its parsed JSON); NULL with why. */
static cJSON *
build_whatsapp(const struct graph_send_job *j, const cJSON *b, char *why,
    size_t whysz)
{
	const char	*s;
	cJSON		*o;

	if (strcmp(j->kind, "action") == 0) {
		s = jstr(b, "action");
		if (s == NULL || strcmp(s, "read") != 0 || jstr(b, "mid") == NULL ||
		    strlen(jstr(b, "mid")) > 256) {
			snprintf(why, whysz, "WhatsApp's only action is read, of "
			    "a message id");
			return NULL;
		}
		if ((o = wa_body(NULL, NULL)) == NULL ||
		    cJSON_AddStringToObject(o, "status", "read") == NULL ||
		    cJSON_AddStringToObject(o, "message_id", jstr(b,
		    "mid")) == NULL) {
			cJSON_Delete(o);
			snprintf(why, whysz, "out of memory");
			return NULL;
		}
		return o;
	}
	if (strcmp(j->kind, "text") != 0 && strcmp(j->kind, "template") != 0 &&
	    strcmp(j->kind, "attachment") != 0 &&
	    strcmp(j->kind, "reaction") != 0) {
		snprintf(why, whysz, "%s is not sent on WhatsApp", j->kind);
		return NULL;
	}
	if (check_chars("biz_opaque_callback_data", j->ref, HG_WA_OPAQUE_MAX, 1,
	    why, whysz) == -1)
		return NULL;
	why[0] = '\0';
	if ((o = wa_body(j->recipient, j->kind)) == NULL ||
	    wa_part(o, j, b, why, whysz) == -1 || wa_opaque(o, j->ref) == -1) {
		if (why[0] == '\0')
			snprintf(why, whysz, "out of memory");
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *
graph_send_build(const struct graph_send_job *j, struct graph_req *q,
    char *path, size_t pathsz, char *why, size_t whysz)
{
	cJSON	*b, *body;
	int	 wa = strcmp(j->platform, "whatsapp") == 0;
	int	 ig = strcmp(j->platform, "instagram") == 0;

	memset(q, 0, sizeof(*q));
	if (j->kind == NULL || j->body == NULL) {
		snprintf(why, whysz, "no kind or body");
		return NULL;
	}
	if (wa ? !wa_ids_ok(j->sender_id, j->recipient) :
	    !graph_id_ok(j->recipient) || (!ig && !graph_id_ok(j->sender_id))) {
		snprintf(why, whysz, "invalid sender or recipient id");
		return NULL;
	}
	if ((b = cJSON_Parse(j->body)) == NULL || !cJSON_IsObject(b)) {
		cJSON_Delete(b);
		snprintf(why, whysz, "the stored body does not parse");
		return NULL;
	}
	/* Conversation Routing calls (graph_thread.h): their own paths. */
	if (!wa && strcmp(j->kind, "action") == 0 &&
	    graph_thread_action(jstr(b, "action"))) {
		body = graph_thread_body(b, j->sender_id, j->recipient, ig, path,
		    pathsz, why, whysz);
		cJSON_Delete(b);
		if (body == NULL)
			return NULL;
		q->method = GRAPH_POST;
		q->path = path;
		q->body = body;
		q->auth = GRAPH_AUTH_USER;
		return body;
	}
	body = wa ? build_whatsapp(j, b, why, whysz) :
	    build_messenger(j, b, ig, why, whysz);
	cJSON_Delete(b);
	if (body == NULL)
		return NULL;
	if (ig)
		snprintf(path, pathsz, "/me/messages");
	else
		snprintf(path, pathsz, "/%s/messages", j->sender_id);
	q->method = GRAPH_POST;
	q->path = path;
	q->body = body;
	q->auth = wa ? GRAPH_AUTH_BEARER : GRAPH_AUTH_USER;
	return body;
}

void
graph_send_answer(const struct graph_send_job *j, struct graph_result *res)
{
	const cJSON *id;

	id = strcmp(j->platform, "whatsapp") == 0 ?
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(res->json, "messages"), 0), "id") :
	    cJSON_GetObjectItemCaseSensitive(res->json, "message_id");
	if (cJSON_IsString(id))
		snprintf(res->id, sizeof(res->id), "%s", id->valuestring);
}

int
graph_send_job(struct graph *g, const struct graph_send_job *j,
    const char *token, struct graph_result *res)
{
	struct graph_req	 q;
	char			 path[HG_META_ID_MAX + 16], why[256];
	char			 full[HG_META_ID_MAX + 48];
	cJSON			*body;
	int			 rc;

	if ((body = graph_send_build(j, &q, path, sizeof(path), why,
	    sizeof(why))) == NULL)
		return refuse(res, GRAPH_REASON_LIMIT, why);
	if (j->ig_login) {
		snprintf(full, sizeof(full), "/%s%s", graph_version(g), q.path);
		q.path = full;
	}
	rc = graph_call(g, q.method, q.path, NULL, body, q.auth, token, res);
	cJSON_Delete(body);
	if (rc == 0)
		graph_send_answer(j, res);
	return rc;
}
