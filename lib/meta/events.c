/*
 * events: normalization of Messenger, Instagram, WhatsApp and Page feed
 * webhook events.  See events.h and docs/META.md for the shapes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "db_channel.h"
#include "db_inbox.h"
#include "db_thread.h"
#include "db_outbox.h"
#include "events.h"
#include "json.h"
#include "limits.h"
#include "num.h"

/* What one event's processing needs everywhere. */
struct ev {
	struct db	*db;
	long long	 id;		/* webhook_event id */
	long long	 now_ms;
	const char	*object;
	const char	*kind;		/* channel kind for this object */
};

/* Timestamps below this are seconds, above it milliseconds (1e11 s is
 * the year 5138; 1e11 ms is 1973). */
#define EVENTS_MS_THRESHOLD	100000000000LL

const char *
events_channel_kind(const char *object)
{
	static const char *const kinds[][2] = {
		{ "page", "page" },
		{ "instagram", "instagram" },
		{ "whatsapp_business_account", "whatsapp" },
	};
	size_t i;

	for (i = 0; object != NULL && i < sizeof(kinds) / sizeof(kinds[0]);
	    i++)
		if (strcmp(object, kinds[i][0]) == 0)
			return kinds[i][1];
	return NULL;
}

long long
events_ts_ms(const cJSON *v)
{
	long long n = 0;

	if (cJSON_IsNumber(v)) {
		if (v->valuedouble < 0 || v->valuedouble > 9e15)
			return 0;
		n = (long long)v->valuedouble;
	} else if (cJSON_IsString(v)) {
		if (num_parse_str(v->valuestring, 0, 9000000000000000LL, &n) == -1)
			return 0;
	} else
		return 0;
	return n < EVENTS_MS_THRESHOLD ? n * 1000 : n;
}

static const cJSON *
get(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* The array member name of o, or NULL when absent or not an array. */
static const cJSON *
arr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsArray(v) ? v : NULL;
}

/* Count a kind of item in the ledger, as "<prefix>.<name>". */
static int
ledger(struct ev *e, const char *prefix, const char *name)
{
	char type[128];

	snprintf(type, sizeof(type), "%s%s%.64s", prefix,
	    name != NULL && *name != '\0' ? "." : "", name != NULL ? name : "");
	return db_unhandled_add(e->db, e->object, type, e->id,
	    e->now_ms / 1000);
}

/* The JSON text of v, or NULL; free() it. */
static char *
json_text(const cJSON *v)
{
	return v != NULL ? cJSON_PrintUnformatted(v) : NULL;
}

/* Find or create the contact and conversation of person on channel. */
static int
thread_of(struct ev *e, long long channel, long long ws, const char *person,
    const char *name, long long at_ms, long long *conv)
{
	long long contact;

	if (db_contact_upsert(e->db, ws, channel, person, name, at_ms / 1000,
	    &contact) == -1)
		return -1;
	return db_conversation_upsert(e->db, ws, channel, contact,
	    e->now_ms / 1000, conv);
}

/* Insert m and note it on its conversation; 0 or -1. */
static int
message_add(struct ev *e, struct db_message *m)
{
	int rc;

	m->event_id = e->id;
	m->created_ms = e->now_ms;
	if ((rc = db_message_insert(e->db, m)) == -1)
		return -1;
	return db_conversation_note(e->db, m->conversation_id, m->sent_ms,
	    rc == 1 && strcmp(m->direction, "in") == 0);
}

/* The outbox id hubgate put in a send's metadata or
 * biz_opaque_callback_data (HG_OUTBOX_REF_PREFIX "<id>"), or 0. */
static long long
outbox_ref(const char *s)
{
	size_t		 n = sizeof(HG_OUTBOX_REF_PREFIX) - 1;
	long long	 id;

	if (s == NULL || strncmp(s, HG_OUTBOX_REF_PREFIX, n) != 0 ||
	    num_parse_str(s + n, 1, 1LL << 53, &id) == -1)
		return 0;
	return id;
}

/* Attachments of a Messenger message as [{type, url}], or NULL. */
static char *
attachments_of(const cJSON *atts)
{
	cJSON	*out, *o;
	const cJSON *a;
	char	*s;

	if (!cJSON_IsArray(atts) || cJSON_GetArraySize(atts) == 0)
		return NULL;
	if ((out = cJSON_CreateArray()) == NULL)
		return NULL;
	cJSON_ArrayForEach(a, atts) {
		const char *type = json_str(a, "type");
		const char *url = json_str(get(a, "payload"), "url");
		if ((o = cJSON_CreateObject()) == NULL)
			break;
		cJSON_AddStringToObject(o, "type", type != NULL ? type : "unknown");
		if (url != NULL)
			cJSON_AddStringToObject(o, "url", url);
		cJSON_AddItemToArray(out, o);
	}
	s = cJSON_PrintUnformatted(out);
	cJSON_Delete(out);
	return s;
}

/* The person unsent (deleted) their message mid at at: a row of kind
 * unsend that refers to it (the thread lists the message again, marked),
 * and the message's text erased.  Not counted as unread.  0 or -1. */
static int
unsend(struct ev *e, long long channel, long long ws, const char *person,
    const char *mid, long long at)
{
	char			 key[512];
	struct db_message	 m;
	long long		 conv;
	int			 rc;

	if (thread_of(e, channel, ws, person, NULL, at, &conv) == -1)
		return -1;
	snprintf(key, sizeof(key), "unsend:%.500s", mid);
	memset(&m, 0, sizeof(m));
	m.channel_id = channel;
	m.conversation_id = conv;
	m.mid = key;
	m.direction = "in";
	m.kind = "unsend";
	m.reply_to = mid;
	m.status = MSG_RECEIVED;
	m.sent_ms = at;
	m.event_id = e->id;
	m.created_ms = e->now_ms;
	if ((rc = db_message_insert(e->db, &m)) == -1 ||
	    db_message_unsend(e->db, channel, mid, at) == -1)
		return -1;
	return db_conversation_note(e->db, conv, at, 0);
}

/* The place of a Messenger location attachment as {latitude,
 * longitude, name} (WhatsApp's shape), or NULL when there is none. */
static char *
location_of(const cJSON *atts)
{
	const cJSON	*a, *c;
	cJSON		*o;
	char		*s;

	if (!cJSON_IsArray(atts))
		return NULL;
	cJSON_ArrayForEach(a, atts) {
		const char *type = json_str(a, "type");
		c = get(get(a, "payload"), "coordinates");
		if (type == NULL || strcmp(type, "location") != 0 ||
		    !cJSON_IsNumber(get(c, "lat")) ||
		    !cJSON_IsNumber(get(c, "long")))
			continue;
		if ((o = cJSON_CreateObject()) == NULL)
			return NULL;
		cJSON_AddNumberToObject(o, "latitude", get(c, "lat")->valuedouble);
		cJSON_AddNumberToObject(o, "longitude",
		    get(c, "long")->valuedouble);
		if (json_str(a, "title") != NULL)
			cJSON_AddStringToObject(o, "name", json_str(a, "title"));
		s = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		return s;
	}
	return NULL;
}

/* The item keys of a messaging[] item that are handled, and those that
 * are recognised (counted in the ledger, with handover ones moving the
 * thread owner). */
static const char *const handover_keys[] = {
	"pass_thread_control", "take_thread_control", "request_thread_control",
	"app_roles", NULL
};

/* One messaging[] or standby[] item of a Page or Instagram account. */
static int
messaging_item(struct ev *e, long long channel, long long ws,
    const cJSON *it, int standby)
{
	char			 sender[HG_META_ID_MAX + 1], recipient[HG_META_ID_MAX + 1];
	char			 key[2 * HG_META_ID_MAX + 32];	/* two
					 * ids, a prefix and a time */
	const char		*s, *r, *person;
	const cJSON		*msg, *v;
	struct db_message	 m;
	long long		 conv, at;
	char			*atts = NULL, *raw = NULL;
	int			 echo, rc = 0, i;

	s = json_id(get(get(it, "sender"), "id"), sender);
	r = json_id(get(get(it, "recipient"), "id"), recipient);
	if (!cJSON_IsObject(it) || s == NULL || r == NULL)
		return ledger(e, standby ? "standby" : "messaging", "malformed");
	at = events_ts_ms(get(it, "timestamp"));
	if (at == 0)
		at = e->now_ms;
	memset(&m, 0, sizeof(m));
	m.channel_id = channel;
	m.sent_ms = at;

	if ((msg = get(it, "message")) != NULL && cJSON_IsObject(msg)) {
		echo = cJSON_IsTrue(get(msg, "is_echo"));
		person = echo ? r : s;
		if (json_str(msg, "mid") == NULL)
			return ledger(e, "messaging", "message.malformed");
		if (cJSON_IsTrue(get(msg, "is_deleted")))
			return unsend(e, channel, ws, person,
			    json_str(msg, "mid"), at);
		/* The echo of hubgate's own send: that send and its
		 * message take the mid; no second message. */
		if (echo && outbox_ref(json_str(msg, "metadata")) > 0 &&
		    (rc = db_outbox_reconcile(e->db, channel,
		    outbox_ref(json_str(msg, "metadata")), json_str(msg, "mid"),
		    at)) != 0)
			return rc == -1 ? -1 : 0;
		if (thread_of(e, channel, ws, person, NULL, at, &conv) == -1)
			return -1;
		if (standby && db_conversation_owner(e->db, conv, "other") == -1)
			return -1;
		atts = attachments_of(get(msg, "attachments"));
		m.conversation_id = conv;
		m.mid = json_str(msg, "mid");
		m.direction = echo ? "out" : "in";
		m.text = json_str(msg, "text");
		m.kind = m.text == NULL && atts != NULL ? "attachment" : "text";
		m.attachments = atts;
		/* A shared location: its place, kept as WhatsApp's shape. */
		if ((m.raw = raw = location_of(get(msg, "attachments"))) != NULL)
			m.kind = "location";
		m.payload = json_str(get(msg, "quick_reply"), "payload");
		m.reply_to = json_str(get(msg, "reply_to"), "mid");
		m.status = echo ? MSG_SENT : MSG_RECEIVED;
		rc = message_add(e, &m);
		free(atts);
		free(raw);
		return rc;
	}
	if ((v = get(it, "postback")) != NULL && cJSON_IsObject(v)) {
		if (thread_of(e, channel, ws, s, NULL, at, &conv) == -1)
			return -1;
		snprintf(key, sizeof(key), "postback:%s:%lld", s, at);
		m.conversation_id = conv;
		m.mid = json_str(v, "mid") != NULL ? json_str(v, "mid") : key;
		m.direction = "in";
		m.kind = "postback";
		m.text = json_str(v, "title");
		m.payload = json_str(v, "payload");
		m.status = MSG_RECEIVED;
		return message_add(e, &m);
	}
	if ((v = get(it, "reaction")) != NULL && cJSON_IsObject(v)) {
		if (thread_of(e, channel, ws, s, NULL, at, &conv) == -1)
			return -1;
		snprintf(key, sizeof(key), "reaction:%s:%.64s:%lld", s,
		    json_str(v, "mid") != NULL ? json_str(v, "mid") : "", at);
		m.conversation_id = conv;
		m.mid = key;
		m.direction = "in";
		m.kind = "reaction";
		m.text = json_str(v, "action") != NULL &&
		    strcmp(json_str(v, "action"), "unreact") == 0 ? "" :
		    json_str(v, "emoji") != NULL ? json_str(v, "emoji") :
		    json_str(v, "reaction");
		m.reply_to = json_str(v, "mid");
		m.status = MSG_RECEIVED;
		return message_add(e, &m);
	}
	if ((v = get(it, "delivery")) != NULL || (v = get(it, "read")) != NULL) {
		enum msg_status	 status = get(it, "delivery") != NULL ?
				    MSG_DELIVERED : MSG_READ;
		const cJSON	*mid;
		long long	 wm = events_ts_ms(get(v, "watermark"));

		if (!cJSON_IsObject(v))
			return ledger(e, "messaging", "receipt.malformed");
		cJSON_ArrayForEach(mid, arr(v, "mids")) {
			if (cJSON_IsString(mid) && db_message_status(e->db,
			    channel, mid->valuestring, status, wm ? wm : at,
			    NULL, NULL) == -1)
				return -1;
		}
		if (json_str(v, "mid") != NULL && db_message_status(e->db,
		    channel, json_str(v, "mid"), status, at, NULL, NULL) == -1)
			return -1;
		if (wm > 0) {
			if (thread_of(e, channel, ws, s, NULL, at, &conv) == -1)
				return -1;
			if (db_message_watermark(e->db, conv, status, wm) == -1)
				return -1;
		}
		return 0;
	}
	for (i = 0; handover_keys[i] != NULL; i++) {
		if (get(it, handover_keys[i]) == NULL)
			continue;
		if (thread_of(e, channel, ws, s, NULL, at, &conv) == -1)
			return -1;
		/* Passing control away or taking it: who owns it now? */
		if (db_conversation_owner(e->db, conv,
		    strcmp(handover_keys[i], "take_thread_control") == 0 ?
		    "other" : strcmp(handover_keys[i], "pass_thread_control") ==
		    0 ? "us" : "other") == -1)
			return -1;
		return ledger(e, "messaging", handover_keys[i]);
	}
	/* Recognised (referral, optin, ...) or unknown: count it by key. */
	for (v = it->child; v != NULL; v = v->next)
		if (strcmp(v->string, "sender") && strcmp(v->string,
		    "recipient") && strcmp(v->string, "timestamp"))
			return ledger(e, standby ? "standby" : "messaging",
			    v->string);
	return ledger(e, "messaging", "empty");
}

/* A WhatsApp messages[] item. */
static int
wa_message(struct ev *e, long long channel, long long ws, const cJSON *it,
    const cJSON *contacts)
{
	char			 from[HG_META_ID_MAX + 1], *raw = NULL, *atts = NULL;
	const char		*type, *wid, *name = NULL;
	const cJSON		*c, *body;
	struct db_message	 m;
	long long		 conv;
	int			 rc;

	type = json_str(it, "type");
	wid = json_str(it, "id");
	if (json_id(get(it, "from"), from) == NULL || wid == NULL ||
	    type == NULL)
		return ledger(e, "messages", "malformed");
	if (!cJSON_IsArray(contacts))
		contacts = NULL;
	cJSON_ArrayForEach(c, contacts) {
		const char *w = json_str(c, "wa_id");
		if (w != NULL && strcmp(w, from) == 0)
			name = json_str(get(c, "profile"), "name");
	}
	memset(&m, 0, sizeof(m));
	m.channel_id = channel;
	m.sent_ms = events_ts_ms(get(it, "timestamp"));
	if (m.sent_ms == 0)
		m.sent_ms = e->now_ms;
	if (thread_of(e, channel, ws, from, name, m.sent_ms, &conv) == -1)
		return -1;
	m.conversation_id = conv;
	m.mid = wid;
	m.direction = "in";
	m.kind = type;
	m.status = MSG_RECEIVED;
	m.reply_to = json_str(get(it, "context"), "id");
	body = get(it, type);
	if (strcmp(type, "text") == 0)
		m.text = json_str(body, "body");
	else if (strcmp(type, "image") == 0 || strcmp(type, "audio") == 0 ||
	    strcmp(type, "video") == 0 || strcmp(type, "document") == 0 ||
	    strcmp(type, "sticker") == 0) {
		cJSON *a = cJSON_CreateArray(), *o = cJSON_CreateObject();
		if (a == NULL || o == NULL) {
			cJSON_Delete(a);
			cJSON_Delete(o);
			return -1;
		}
		cJSON_AddStringToObject(o, "type", type);
		if (json_str(body, "id") != NULL)
			cJSON_AddStringToObject(o, "id", json_str(body, "id"));
		if (json_str(body, "mime_type") != NULL)
			cJSON_AddStringToObject(o, "mime_type",
			    json_str(body, "mime_type"));
		if (json_str(body, "filename") != NULL)
			cJSON_AddStringToObject(o, "name",
			    json_str(body, "filename"));
		cJSON_AddItemToArray(a, o);
		atts = cJSON_PrintUnformatted(a);
		cJSON_Delete(a);
		m.attachments = atts;
		m.text = json_str(body, "caption");
	} else if (strcmp(type, "interactive") == 0) {
		const cJSON *rep = get(body, "button_reply");
		if (rep == NULL)
			rep = get(body, "list_reply");
		m.text = json_str(rep, "title");
		m.payload = json_str(rep, "id");
		m.raw = raw = json_text(body);
	} else if (strcmp(type, "button") == 0) {
		m.text = json_str(body, "text");
		m.payload = json_str(body, "payload");
	} else if (strcmp(type, "reaction") == 0) {
		m.text = json_str(body, "emoji");
		m.reply_to = json_str(body, "message_id");
	} else {
		/* location, contacts, order, system, unknown...: keep it. */
		m.raw = raw = json_text(body != NULL ? body : it);
		if (strcmp(type, "location") && strcmp(type, "contacts") &&
		    ledger(e, "messages", type) == -1) {
			free(raw);
			return -1;
		}
	}
	rc = message_add(e, &m);
	free(raw);
	free(atts);
	return rc;
}

/* A WhatsApp statuses[] item: move our message forward. */
static int
wa_status(struct ev *e, long long channel, long long ws, const cJSON *it)
{
	char			 to[HG_META_ID_MAX + 1], code[HG_META_ID_MAX + 1];
	const char		*wid = json_str(it, "id"), *st = json_str(it, "status");
	const cJSON		*err0 = cJSON_GetArrayItem(arr(it, "errors"), 0);
	struct db_message	 m;
	long long		 at, conv;
	int			 rc, ms = msg_status_parse(st);

	/* Meta reports sent, delivered, read and failed. */
	if (wid == NULL || st == NULL || ms < MSG_SENT)
		return ledger(e, "statuses", st != NULL ? st : "malformed");
	at = events_ts_ms(get(it, "timestamp"));
	if (at == 0)
		at = e->now_ms;
	code[0] = '\0';
	if (err0 != NULL)
		json_id(get(err0, "code"), code);
	/* A status of hubgate's own send: the send takes the wamid
	 * first, so that the status below finds its message. */
	if (outbox_ref(json_str(it, "biz_opaque_callback_data")) > 0 &&
	    db_outbox_reconcile(e->db, channel, outbox_ref(json_str(it,
	    "biz_opaque_callback_data")), wid, at) == -1)
		return -1;
	rc = db_message_status(e->db, channel, wid, (enum msg_status)ms, at,
	    code[0] ? code : NULL, json_str(err0, "title"));
	if (rc != 0)
		return rc == -1 ? -1 : 0;
	/* Not ours yet (sent by another system, or the status came
	 * first): record the outbound message it speaks of. */
	if (json_id(get(it, "recipient_id"), to) == NULL)
		return ledger(e, "statuses", "malformed");
	if (thread_of(e, channel, ws, to, NULL, at, &conv) == -1)
		return -1;
	memset(&m, 0, sizeof(m));
	m.channel_id = channel;
	m.conversation_id = conv;
	m.mid = wid;
	m.direction = "out";
	m.kind = "unknown";
	m.status = MSG_SENT;
	m.sent_ms = at;
	if (message_add(e, &m) == -1)
		return -1;
	return db_message_status(e->db, channel, wid, (enum msg_status)ms, at,
	    code[0] ? code : NULL, json_str(err0, "title")) == -1 ? -1 : 0;
}

/* A Page feed change. */
static int
feed_change(struct ev *e, long long channel, const cJSON *v)
{
	const char	*item = json_str(v, "item"), *verb = json_str(v, "verb");
	struct db_feed	 f;
	char		 from[HG_META_ID_MAX + 1];

	if (item == NULL || verb == NULL)
		return ledger(e, "changes.feed", "malformed");
	if (strcmp(item, "comment") != 0)
		return ledger(e, "changes.feed", item);
	memset(&f, 0, sizeof(f));
	f.channel_id = channel;
	f.item = item;
	f.meta_id = json_str(v, "comment_id");
	if (f.meta_id == NULL)
		return ledger(e, "changes.feed", "comment.malformed");
	f.post_id = json_str(v, "post_id");
	f.parent_id = json_str(v, "parent_id");
	f.from_id = json_id(get(get(v, "from"), "id"), from);
	f.from_name = json_str(get(v, "from"), "name");
	f.message = json_str(v, "message");
	f.status = strcmp(verb, "remove") == 0 ? "removed" :
	    strcmp(verb, "hide") == 0 ? "hidden" : "visible";
	f.created_ms = events_ts_ms(get(v, "created_time"));
	if (f.created_ms == 0)
		f.created_ms = e->now_ms;
	f.updated_ms = f.created_ms;
	f.event_id = e->id;
	return db_feed_upsert(e->db, &f);
}

/* One entry[] of any object. */
static int
entry(struct ev *e, const cJSON *ent)
{
	char		 eid[HG_META_ID_MAX + 1], pid[HG_META_ID_MAX + 1];
	const cJSON	*it, *ch, *v;
	long long	 channel = 0, ws = 0;
	int		 found = 0, wa = strcmp(e->kind, "whatsapp") == 0;

	if (!cJSON_IsObject(ent))
		return ledger(e, "entry", "malformed");
	if (!wa) {
		if (json_id(get(ent, "id"), eid) == NULL)
			return ledger(e, "entry", "malformed");
		if ((found = db_channel_find(e->db, e->kind, eid, &channel,
		    &ws)) == -1)
			return -1;
		if (!found)
			return ledger(e, "entry", "unrouted");
	}
	cJSON_ArrayForEach(it, arr(ent, "messaging"))
		if (messaging_item(e, channel, ws, it, 0) == -1)
			return -1;
	cJSON_ArrayForEach(it, arr(ent, "standby"))
		if (messaging_item(e, channel, ws, it, 1) == -1)
			return -1;
	cJSON_ArrayForEach(ch, arr(ent, "changes")) {
		const char *field = json_str(ch, "field");

		v = get(ch, "value");
		if (field == NULL || !cJSON_IsObject(v)) {
			if (ledger(e, "changes", "malformed") == -1)
				return -1;
			continue;
		}
		if (!wa && strcmp(field, "feed") == 0) {
			if (feed_change(e, channel, v) == -1)
				return -1;
			continue;
		}
		if (!wa || strcmp(field, "messages") != 0) {
			if (ledger(e, "changes", field) == -1)
				return -1;
			continue;
		}
		if (json_id(get(get(v, "metadata"), "phone_number_id"),
		    pid) == NULL) {
			if (ledger(e, "changes.messages", "malformed") == -1)
				return -1;
			continue;
		}
		if ((found = db_channel_find(e->db, "whatsapp", pid, &channel,
		    &ws)) == -1)
			return -1;
		if (!found) {
			if (ledger(e, "entry", "unrouted") == -1)
				return -1;
			continue;
		}
		cJSON_ArrayForEach(it, arr(v, "messages"))
			if (wa_message(e, channel, ws, it,
			    get(v, "contacts")) == -1)
				return -1;
		cJSON_ArrayForEach(it, arr(v, "statuses"))
			if (wa_status(e, channel, ws, it) == -1)
				return -1;
		for (it = v->child; it != NULL; it = it->next)
			if (strcmp(it->string, "messages") &&
			    strcmp(it->string, "statuses") &&
			    strcmp(it->string, "contacts") &&
			    strcmp(it->string, "metadata") &&
			    strcmp(it->string, "messaging_product") &&
			    ledger(e, "changes.messages", it->string) == -1)
				return -1;
	}
	return 0;
}

int
events_process(struct db *d, long long event_id, const char *body,
    size_t len, long long now_ms)
{
	cJSON	*root;
	int	 rc;

	root = cJSON_ParseWithLength(body, len);
	rc = events_process_json(d, event_id, root, now_ms);
	cJSON_Delete(root);
	return rc;
}

int
events_process_json(struct db *d, long long event_id, const cJSON *root,
    long long now_ms)
{
	struct ev	 e;
	const cJSON	*ent;
	const char	*obj;
	int		 rc = 0;

	memset(&e, 0, sizeof(e));
	e.db = d;
	e.id = event_id;
	e.now_ms = now_ms;
	obj = json_str(root, "object");
	if (root == NULL || obj == NULL) {
		e.object = "invalid";
		return ledger(&e, "body", "invalid");
	}
	e.object = obj;
	if ((e.kind = events_channel_kind(obj)) == NULL)
		return ledger(&e, "object", NULL);
	cJSON_ArrayForEach(ent, arr(root, "entry"))
		if ((rc = entry(&e, ent)) == -1)
			break;
	return rc;
}
