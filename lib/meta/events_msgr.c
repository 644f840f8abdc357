/*
 * events_msgr: Messenger and Instagram messaging items of the webhook
 * event normalizer (messages, echoes, edits, reactions, postbacks,
 * referrals, optins, thread control) and Messenger calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "db_detail.h"
#include "db_inbox.h"
#include "db_outbox.h"
#include "events.h"
#include "events_int.h"
#include "json.h"
#include "limits.h"

/* The app ids of Meta's own inboxes (Page Inbox, Instagram Inbox): an
 * echo from them is a person answering in Meta Business Suite. */
static const char *const inbox_apps[] = {
	"263902037430900", "1217981644879628", NULL
};

/* Find or create the contact and conversation of person on channel
 * (the contact's id in *contact unless NULL). */
static int
thread_of(struct ev *e, long long channel, long long ws, const char *person,
    const char *name, long long at_ms, long long *conv, long long *contact)
{
	long long c;

	if (db_contact_upsert(e->db, ws, channel, person, name, at_ms / 1000,
	    &c) == -1)
		return -1;
	if (contact != NULL)
		*contact = c;
	return db_conversation_upsert(e->db, ws, channel, c,
	    e->now_ms / 1000, conv);
}

/* Who wrote an echo, from its app_id (see the migration 18 contract):
 * "hubgate" for hubgate's own app (a send whose echo names no outbox
 * row: sent outside the outbox, or its metadata lost), "page_inbox" for
 * Meta's inboxes, "app:<id>" for another app, "app:unknown" without
 * one.  In buf. */
static const char *
echo_author(struct ev *e, const cJSON *msg, char *buf, size_t bufsz)
{
	char	 app[HG_META_ID_MAX + 1];
	int	 i;

	if (json_id(get(msg, "app_id"), app) == NULL) {
		snprintf(buf, bufsz, "app:unknown");
		return buf;
	}
	if (db_app_ours(e->db, app))
		return "hubgate";
	for (i = 0; inbox_apps[i] != NULL; i++)
		if (strcmp(app, inbox_apps[i]) == 0)
			return "page_inbox";
	snprintf(buf, bufsz, "app:%s", app);
	return buf;
}

/* Add attachment a to out as {type, url}; 0 or -1. */
static int
attachment_add(cJSON *out, const cJSON *a)
{
	const char	*type = json_str(a, "type");
	const char	*url = json_str(get(a, "payload"), "url");
	cJSON		*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddStringToObject(o, "type", type != NULL ? type : "unknown");
	if (url != NULL)
		cJSON_AddStringToObject(o, "url", url);
	cJSON_AddItemToArray(out, o);
	return 0;
}

/* Attachments of a Messenger message (an array, or one object) as
 * [{type, url}], or NULL. */
static char *
attachments_of(const cJSON *atts)
{
	cJSON		*out;
	const cJSON	*a;
	char		*s;

	if (!(cJSON_IsObject(atts) && atts->child != NULL) &&
	    (!cJSON_IsArray(atts) || cJSON_GetArraySize(atts) == 0))
		return NULL;
	if ((out = cJSON_CreateArray()) == NULL)
		return NULL;
	if (cJSON_IsObject(atts))
		attachment_add(out, atts);
	else
		cJSON_ArrayForEach(a, atts)
			if (attachment_add(out, a) == -1)
				break;
	s = cJSON_PrintUnformatted(out);
	cJSON_Delete(out);
	return s;
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

/* Thread control of a Messenger or Instagram thread (Conversation
 * Routing).  pass_thread_control reaches the app given the thread: us,
 * unless it names one of Meta's inboxes; take_thread_control reaches
 * the app it was taken from; a release gives it back to the default
 * app (hubgate, when it receives it); a request changes nothing.  1
 * when it was one of them, 0 not, -1. */
static int
handover(struct ev *e, long long conv, const cJSON *it)
{
	char		 app[HG_META_ID_MAX + 1];
	const cJSON	*v;
	const char	*owner, *id;
	int		 i;

	if ((v = get(it, "pass_thread_control")) != NULL) {
		id = json_id(get(v, "new_owner_app_id"), app);
		owner = "us";
		for (i = 0; id != NULL && inbox_apps[i] != NULL; i++)
			if (strcmp(id, inbox_apps[i]) == 0)
				owner = "other";
	} else if ((v = get(it, "take_thread_control")) != NULL) {
		id = json_id(get(v, "new_owner_app_id"), app);
		owner = "other";
	} else if ((v = get(it, "release_thread_control")) != NULL) {
		id = NULL;
		owner = "us";
	} else if (get(it, "request_thread_control") != NULL)
		return 1;
	else
		return 0;
	return db_conversation_owner_app(e->db, conv, owner, id) == -1 ?
	    -1 : 1;
}

/* A Messenger or Instagram message (or its echo): 0 or -1. */
static int
messenger_message(struct ev *e, long long channel, long long ws,
    const cJSON *it, const cJSON *msg, const char *person, long long at,
    int standby)
{
	char			 abuf[HG_META_ID_MAX + 8];
	const char		*mid = json_str(msg, "mid"), *author = NULL;
	struct db_message	 m;
	long long		 conv, ref;
	char			*atts = NULL, *raw = NULL;
	int			 echo = cJSON_IsTrue(get(msg, "is_echo")), rc;

	if (thread_of(e, channel, ws, person, NULL, at, &conv, NULL) == -1)
		return -1;
	if (standby && db_conversation_owner(e->db, conv, "other") == -1)
		return -1;
	if (cJSON_IsTrue(get(msg, "is_deleted")))
		return ev_unsend(e, channel, conv, mid, at);
	if (ev_referral(e, conv, get(it, "referral"), at) == -1 ||
	    ev_referral(e, conv, get(msg, "referral"), at) == -1)
		return -1;
	if (echo) {
		/* The echo of hubgate's own send: that send and its
		 * message take the mid; no second message. */
		author = "hubgate";
		if ((ref = ev_outbox_ref(json_str(msg, "metadata"))) > 0) {
			if ((rc = db_outbox_reconcile(e->db, channel, ref, mid,
			    at)) == -1)
				return -1;
			if (rc == 1)
				return db_message_mark(e->db, channel, mid,
				    standby, author);
		} else
			author = echo_author(e, msg, abuf, sizeof(abuf));
	}
	memset(&m, 0, sizeof(m));
	m.channel_id = channel;
	m.sent_ms = at;
	atts = attachments_of(get(msg, "attachments"));
	m.conversation_id = conv;
	m.mid = mid;
	m.direction = echo ? "out" : "in";
	m.text = json_str(msg, "text");
	m.kind = m.text == NULL && atts != NULL ? "attachment" : "text";
	if (cJSON_IsTrue(get(msg, "is_unsupported")))
		m.kind = "unsupported";
	m.attachments = atts;
	/* A shared location: its place, kept as WhatsApp's shape. */
	if ((m.raw = raw = location_of(get(msg, "attachments"))) != NULL)
		m.kind = "location";
	m.payload = json_str(get(msg, "quick_reply"), "payload");
	m.reply_to = json_str(get(msg, "reply_to"), "mid");
	m.status = echo ? MSG_SENT : MSG_RECEIVED;
	rc = ev_message_add(e, &m, standby, author);
	free(atts);
	free(raw);
	return rc;
}

/* The keys of a messaging item, beyond messages, edits and receipts,
 * that hubgate turns into rows of the person's thread. */
static const char *const thread_keys[] = {
	"postback", "reaction", "referral", "optin", "pass_thread_control",
	"take_thread_control", "release_thread_control",
	"request_thread_control", "call_permission_reply", NULL
};

/* One messaging[] or standby[] item of a Page or Instagram account
 * (also an Instagram change whose value is such an item). */
int
ev_messaging_item(struct ev *e, long long channel, long long ws,
    const cJSON *it, int standby)
{
	char			 sender[HG_META_ID_MAX + 1], recipient[HG_META_ID_MAX + 1];
	char			 key[2 * HG_META_ID_MAX + 32];	/* two
					 * ids, a prefix and a time */
	const char		*s, *r, *pfx = standby ? "standby" : "messaging";
	const cJSON		*msg, *v;
	struct db_message	 m;
	long long		 conv, contact, at;
	char			*js;
	int			 rc, i;

	if (cJSON_IsObject(it) && it->child == NULL)
		return ev_ledger(e, pfx, "empty");
	s = json_id(get(get(it, "sender"), "id"), sender);
	r = json_id(get(get(it, "recipient"), "id"), recipient);
	if (!cJSON_IsObject(it) || s == NULL || r == NULL)
		return ev_ledger(e, pfx, "malformed");
	at = ts(e, get(it, "timestamp"));
	memset(&m, 0, sizeof(m));
	m.channel_id = channel;
	m.sent_ms = at;

	if ((msg = get(it, "message")) != NULL && cJSON_IsObject(msg)) {
		if (json_str(msg, "mid") == NULL)
			return ev_ledger(e, pfx, "message.malformed");
		return messenger_message(e, channel, ws, it, msg,
		    cJSON_IsTrue(get(msg, "is_echo")) ? r : s, at, standby);
	}
	if ((v = get(it, "message_edit")) != NULL && cJSON_IsObject(v)) {
		if (json_str(v, "mid") == NULL)
			return ev_ledger(e, pfx, "message_edit.malformed");
		return db_message_edit(e->db, channel, json_str(v, "mid"), at,
		    json_uint(v, "num_edit"), json_str(v, "text"), e->id);
	}
	if ((v = get(it, "delivery")) != NULL || (v = get(it, "read")) != NULL) {
		enum msg_status	 status = get(it, "delivery") != NULL ?
				    MSG_DELIVERED : MSG_READ;
		const cJSON	*mid;
		long long	 wm = events_ts_ms(get(v, "watermark"));

		if (!cJSON_IsObject(v))
			return ev_ledger(e, pfx, "receipt.malformed");
		cJSON_ArrayForEach(mid, arr(v, "mids")) {
			if (cJSON_IsString(mid) && db_message_status(e->db,
			    channel, mid->valuestring, status, wm ? wm : at,
			    NULL, NULL) == -1)
				return -1;
		}
		if (json_str(v, "mid") != NULL && db_message_status(e->db,
		    channel, json_str(v, "mid"), status, at, NULL, NULL) == -1)
			return -1;
		if (wm > 0 && (thread_of(e, channel, ws, s, NULL, at, &conv,
		    NULL) == -1 || db_message_watermark(e->db, conv, status,
		    wm) == -1))
			return -1;
		return 0;
	}
	/* The rest speaks of a thread, when it is a kind hubgate
	 * handles: count any other by its key, creating nothing. */
	for (i = 0; thread_keys[i] != NULL; i++)
		if (get(it, thread_keys[i]) != NULL)
			break;
	if (thread_keys[i] == NULL) {
		for (v = it->child; v != NULL; v = v->next)
			if (strcmp(v->string, "sender") && strcmp(v->string,
			    "recipient") && strcmp(v->string, "timestamp"))
				return ev_ledger(e, pfx, v->string);
		return ev_ledger(e, pfx, "empty");
	}
	if (thread_of(e, channel, ws, s, NULL, at, &conv, &contact) == -1)
		return -1;
	if (standby && db_conversation_owner(e->db, conv, "other") == -1)
		return -1;
	if ((v = get(it, "postback")) != NULL && cJSON_IsObject(v)) {
		snprintf(key, sizeof(key), "postback:%s:%lld", s, at);
		if (ev_referral(e, conv, get(v, "referral"), at) == -1)
			return -1;
		m.conversation_id = conv;
		m.mid = json_str(v, "mid") != NULL ? json_str(v, "mid") : key;
		m.direction = "in";
		m.kind = "postback";
		m.text = json_str(v, "title");
		m.payload = json_str(v, "payload");
		m.status = MSG_RECEIVED;
		return ev_message_add(e, &m, standby, NULL);
	}
	if ((v = get(it, "reaction")) != NULL && cJSON_IsObject(v)) {
		if (json_str(v, "mid") == NULL)
			return ev_ledger(e, pfx, "reaction.malformed");
		return ev_reaction(e, channel, conv, s, json_str(v, "mid"),
		    json_str(v, "action") != NULL &&
		    strcmp(json_str(v, "action"), "unreact") == 0 ? "" :
		    json_str(v, "emoji") != NULL ? json_str(v, "emoji") :
		    json_str(v, "reaction"), at);
	}
	if ((v = get(it, "referral")) != NULL)
		return ev_referral(e, conv, v, at);
	if ((v = get(it, "optin")) != NULL && cJSON_IsObject(v)) {
		if ((js = ev_json_stamped(v, at)) == NULL)
			return -1;
		rc = db_contact_optin(e->db, contact, js, at);
		free(js);
		return rc;
	}
	/* Messenger calling: the person allowed (or refused) the
	 * business's calls; an entry of the thread, not a message. */
	if ((v = get(it, "call_permission_reply")) != NULL &&
	    cJSON_IsObject(v) && json_str(v, "response") != NULL) {
		char text[96];

		snprintf(key, sizeof(key), "call_permission:%s:%lld", s, at);
		snprintf(text, sizeof(text), "Call permission: %.32s",
		    json_str(v, "response"));
		m.conversation_id = conv;
		m.mid = key;
		m.direction = "in";
		m.kind = "call";
		m.text = text;
		m.raw = js = json_text(v);
		m.status = MSG_RECEIVED;
		m.event_id = e->id;
		m.created_ms = e->now_ms;
		rc = db_message_insert(e->db, &m);
		free(js);
		return rc == -1 ? -1 : db_conversation_note(e->db, conv, at, 0);
	}
	if ((rc = handover(e, conv, it)) != 0)
		return rc == -1 ? -1 : 0;
	/* A handled key with an odd value (a postback that is not an
	 * object, ...). */
	return ev_ledger(e, pfx, "malformed");
}

/* The id in v: a string or number, or an object's "id". */
static const char *
id_of(const cJSON *v, char out[HG_META_ID_MAX + 1])
{
	return json_id(cJSON_IsObject(v) ? get(v, "id") : v, out);
}

/* A Messenger calls[] item (Messenger calling: connect, terminate, a
 * business call's status): the call entry in the person's thread.
 * Meta's timestamp is the call's start, so a later event of the same
 * call is ordered after it (connect, then a status, then terminate).
 * 0 or -1. */
int
ev_page_call(struct ev *e, long long channel, long long ws, const char *page,
    const cJSON *it)
{
	char		 from[HG_META_ID_MAX + 1], to[HG_META_ID_MAX + 1];
	const char	*f = id_of(get(it, "from"), from);
	const char	*t = id_of(get(it, "to"), to);
	const char	*id = json_str(it, "id"), *dir, *ev;
	long long	 conv, at;
	int		 out;

	if (!cJSON_IsObject(it) || id == NULL || f == NULL || t == NULL)
		return ev_ledger(e, "calls", "malformed");
	dir = json_str(it, "call_direction");
	ev = json_str(it, "event");
	out = (dir != NULL && strcasecmp(dir, "business_initiated") == 0) ||
	    strcmp(f, page) == 0;
	at = ts(e, get(it, "timestamp"));
	if (ev != NULL && strcmp(ev, "terminate") == 0)
		at += 2;
	else if (ev == NULL || strcmp(ev, "connect") != 0)
		at += 1;
	if (thread_of(e, channel, ws, out ? t : f, NULL, at, &conv,
	    NULL) == -1)
		return -1;
	return ev_call_entry(e, channel, conv, id, out, ev, json_str(it,
	    "status"), json_uint(it, "duration"), at);
}
