/*
 * events_wa: WhatsApp items of the webhook event normalizer (messages,
 * echoes, statuses, calls, chat history and app state sync) and the
 * dispatch of a WhatsApp Business Account's changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "db_channel.h"
#include "db_detail.h"
#include "db_inbox.h"
#include "db_outbox.h"
#include "events.h"
#include "events_int.h"
#include "json.h"
#include "limits.h"
#include "utf8.h"

/* A WhatsApp user id or number: a non-empty string of at most
 * HG_WA_USER_ID_MAX bytes, or an exact whole number; NULL otherwise. */
static const char *
wa_id(const cJSON *v, char out[HG_WA_USER_ID_MAX + 1])
{
	char	 id[HG_META_ID_MAX + 1];

	if (cJSON_IsString(v)) {
		if (v->valuestring[0] == '\0' ||
		    strlen(v->valuestring) > HG_WA_USER_ID_MAX)
			return NULL;
		snprintf(out, HG_WA_USER_ID_MAX + 1, "%s", v->valuestring);
		return out;
	}
	if (json_id(v, id) == NULL)
		return NULL;
	snprintf(out, HG_WA_USER_ID_MAX + 1, "%s", id);
	return out;
}

/* 1 when phone numbers a and b (either may be NULL) have the same
 * digits ("15550783881", "+1 555-078-3881"), 0 not. */
static int
same_number(const char *a, const char *b)
{
	size_t n = 0;

	if (a == NULL || b == NULL)
		return 0;
	for (;; n++) {
		while (*a != '\0' && (*a < '0' || *a > '9'))
			a++;
		while (*b != '\0' && (*b < '0' || *b > '9'))
			b++;
		if (*a != *b)
			return 0;
		if (*a == '\0')
			return n > 0;
		a++;
		b++;
	}
}

/* The same for a WhatsApp person known by a user id, a number or both. */
static int
thread_wa(struct ev *e, long long channel, long long ws, const char *user,
    const char *phone, const char *name, long long at_ms, long long *conv,
    long long *contact)
{
	long long c;

	if (db_contact_wa(e->db, ws, channel, user, phone, name, at_ms / 1000,
	    &c) == -1)
		return -1;
	if (contact != NULL)
		*contact = c;
	return db_conversation_upsert(e->db, ws, channel, c,
	    e->now_ms / 1000, conv);
}

/* The person of a WhatsApp message or status: its user id into user and
 * its number into phone (either may be NULL, not both), and the name
 * contacts[] gives them.  0, or -1 when there is neither. */
static int
wa_person(const cJSON *uid, const cJSON *num, const cJSON *contacts,
    char user[HG_WA_USER_ID_MAX + 1], char phone[HG_WA_USER_ID_MAX + 1],
    const char **u, const char **p, const char **name)
{
	const cJSON	*c;
	const char	*cu, *cw;

	*u = wa_id(uid, user);
	*p = wa_id(num, phone);
	if (name != NULL)
		*name = NULL;
	if (!cJSON_IsArray(contacts))
		contacts = NULL;
	cJSON_ArrayForEach(c, contacts) {
		cu = json_str(c, "user_id");
		cw = json_str(c, "wa_id");
		if (cw != NULL && *cw == '\0')
			cw = NULL;
		if (!((cw != NULL && *p != NULL && strcmp(cw, *p) == 0) ||
		    (cu != NULL && *u != NULL && strcmp(cu, *u) == 0) ||
		    cJSON_GetArraySize(contacts) == 1))
			continue;
		/* The one contact of the item gives what the item lacks. */
		if (*u == NULL && cu != NULL && *cu != '\0')
			*u = wa_id(get(c, "user_id"), user);
		if (*p == NULL && cw != NULL)
			*p = wa_id(get(c, "wa_id"), phone);
		if (name != NULL)
			*name = json_str(get(c, "profile"), "name");
		break;
	}
	return *u == NULL && *p == NULL ? -1 : 0;
}

/* The target of a WhatsApp edit or revoke: the message it changes. */
static const char *
wa_target(const cJSON *body, const cJSON *it)
{
	static const char *const names[] = {
		"original_message_id", "message_id", "id", NULL
	};
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (json_str(body, names[i]) != NULL)
			return json_str(body, names[i]);
	return json_str(get(it, "context"), "id");
}

/* The new text of a WhatsApp edit, whatever shape it came in. */
static const char *
wa_edit_text(const cJSON *body)
{
	const cJSON	*msg = get(body, "message");
	const char	*t;

	if ((t = json_str(get(msg, "text"), "body")) != NULL ||
	    (t = json_str(get(body, "text"), "body")) != NULL ||
	    (t = json_str(body, "text")) != NULL ||
	    (t = json_str(body, "body")) != NULL)
		return t;
	if (json_str(msg, "type") != NULL)
		return json_str(get(msg, json_str(msg, "type")), "caption");
	return NULL;
}

/* A WhatsApp interactive reply: button and list replies, and a Flow's
 * nfm_reply whose response_json (JSON inside a string) is kept as
 * JSON.  Sets m's text, payload and raw (*raw to free). */
static void
wa_interactive(struct db_message *m, const cJSON *body, char **raw)
{
	const cJSON	*rep = get(body, "button_reply"), *nfm;
	cJSON		*o, *resp;

	if (rep == NULL)
		rep = get(body, "list_reply");
	if (rep != NULL) {
		m->text = json_str(rep, "title");
		m->payload = json_str(rep, "id");
		m->raw = *raw = json_text(body);
		return;
	}
	if ((nfm = get(body, "nfm_reply")) == NULL ||
	    (o = cJSON_Duplicate(body, 1)) == NULL) {
		m->raw = *raw = json_text(body);
		return;
	}
	m->text = json_str(nfm, "body") != NULL ? json_str(nfm, "body") :
	    json_str(nfm, "name");
	m->payload = json_str(nfm, "name");
	if (json_str(nfm, "response_json") != NULL &&
	    (resp = cJSON_Parse(json_str(nfm, "response_json"))) != NULL)
		cJSON_AddItemToObject(o, "response", resp);
	m->raw = *raw = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
}

/* What Meta could not deliver, from an item's errors[]: "title:
 * details" of the first, in buf (empty when none). */
static const char *
wa_errors(const cJSON *it, char *buf, size_t bufsz)
{
	const cJSON	*err0 = cJSON_GetArrayItem(arr(it, "errors"), 0);
	const char	*t = json_str(err0, "title"), *d;

	if (t == NULL)
		t = json_str(err0, "message");
	d = json_str(get(err0, "error_data"), "details");
	snprintf(buf, bufsz, "%s%s%s", t != NULL ? t : "",
	    t != NULL && d != NULL ? ": " : "", d != NULL ? d : "");
	return buf;
}

/* The people a shared-contacts message names, "Name (phone), ..." in
 * buf (cut to bufsz; empty when none is named). */
static const char *
wa_shared_contacts(const cJSON *list, char *buf, size_t bufsz)
{
	const cJSON	*c;
	const char	*name, *phone;
	size_t		 n = 0;
	int		 w;

	buf[0] = '\0';
	if (!cJSON_IsArray(list))
		return buf;
	cJSON_ArrayForEach(c, list) {
		name = json_str(get(c, "name"), "formatted_name");
		phone = json_str(cJSON_GetArrayItem(arr(c, "phones"), 0),
		    "phone");
		if (name == NULL && phone == NULL)
			continue;
		w = snprintf(buf + n, bufsz - n, "%s%s%s%s%s",
		    n > 0 ? ", " : "", name != NULL ? name : "",
		    name != NULL && phone != NULL ? " (" : "",
		    phone != NULL ? phone : "",
		    name != NULL && phone != NULL ? ")" : "");
		if (w < 0 || (size_t)w >= bufsz - n) {
			/* Cut: keep what fits, on a whole character. */
			utf8_trim(buf);
			break;
		}
		n += (size_t)w;
	}
	return buf;
}

/* The status of a message the business sent, as a chat history's
 * history_context tells it (READ, DELIVERED, SENT, PLAYED, ERROR,
 * PENDING; sent when unknown). */
static enum msg_status
wa_history_status(const char *st)
{
	if (st == NULL)
		return MSG_SENT;
	if (strcasecmp(st, "read") == 0 || strcasecmp(st, "played") == 0)
		return MSG_READ;
	if (strcasecmp(st, "delivered") == 0)
		return MSG_DELIVERED;
	if (strcasecmp(st, "error") == 0 || strcasecmp(st, "failed") == 0)
		return MSG_FAILED;
	return MSG_SENT;
}

/* 1 when a WhatsApp message of type carries a media file. */
static int
wa_media_type(const char *type)
{
	return strcmp(type, "image") == 0 || strcmp(type, "audio") == 0 ||
	    strcmp(type, "video") == 0 || strcmp(type, "document") == 0 ||
	    strcmp(type, "sticker") == 0;
}

/* The attachments of a WhatsApp media message (its type's member body)
 * as [{type, id, mime_type, name}] JSON to free(), or NULL. */
static char *
wa_media_atts(const char *type, const cJSON *body)
{
	cJSON	*a = cJSON_CreateArray(), *o = cJSON_CreateObject();
	char	*s;

	if (a == NULL || o == NULL) {
		cJSON_Delete(a);
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddStringToObject(o, "type", type);
	if (json_str(body, "id") != NULL)
		cJSON_AddStringToObject(o, "id", json_str(body, "id"));
	if (json_str(body, "mime_type") != NULL)
		cJSON_AddStringToObject(o, "mime_type",
		    json_str(body, "mime_type"));
	if (json_str(body, "filename") != NULL)
		cJSON_AddStringToObject(o, "name", json_str(body, "filename"));
	cJSON_AddItemToArray(a, o);
	s = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return s;
}

/* A WhatsApp messages[] item, or with echo a message_echoes[] item (a
 * message the business sent from the WhatsApp Business app); with
 * standby, a copy of one while another app owned the thread. */
static int
wa_message(struct ev *e, long long channel, long long ws, const cJSON *it,
    const cJSON *contacts, int echo, int standby)
{
	char			 user[HG_WA_USER_ID_MAX + 1], phone[HG_WA_USER_ID_MAX + 1];
	char			 errs[512], key[640], *raw = NULL, *atts = NULL;
	const char		*type, *wid, *name = NULL, *u, *p, *author = NULL;
	const char		*row;
	const cJSON		*body;
	struct db_message	 m;
	long long		 conv, contact;
	int			 rc;

	type = json_str(it, "type");
	wid = json_str(it, "id");
	if (wid == NULL || type == NULL || (echo ? wa_person(get(it,
	    "to_user_id"), get(it, "to") != NULL ? get(it, "to") :
	    e->history_person, NULL, user, phone, &u, &p,
	    NULL) : wa_person(get(it, "from_user_id"), e->history &&
	    (json_str(it, "from") == NULL || *json_str(it, "from") == '\0') ?
	    e->history_person : get(it, "from"), contacts, user, phone, &u,
	    &p, &name)) == -1)
		return ev_ledger(e, echo ? "message_echoes" : "messages",
		    "malformed");
	memset(&m, 0, sizeof(m));
	m.channel_id = channel;
	m.sent_ms = ts(e, get(it, "timestamp"));
	body = get(it, type);
	/* An edit needs no thread: its history waits for the message. */
	if (strcmp(type, "edit") == 0) {
		if (wa_target(body, it) == NULL)
			return ev_ledger(e, "messages", "edit.malformed");
		return db_message_edit(e->db, channel, wa_target(body, it),
		    m.sent_ms, json_uint(body, "num_edit"),
		    wa_edit_text(body), e->id);
	}
	/* A redelivery changes nothing, even after the person changed
	 * their number (the contact has the new one). */
	if (strcmp(type, "reaction") == 0 && json_str(body,
	    "message_id") != NULL) {
		snprintf(key, sizeof(key), "reaction:%.256s:%.360s",
		    u != NULL ? u : p, json_str(body, "message_id"));
		if ((rc = db_message_known(e->db, channel, key)) == -1)
			return -1;
		if (rc == 1) {
			m.mid = key;
			m.text = json_str(body, "emoji") != NULL ?
			    json_str(body, "emoji") : "";
			m.event_id = e->id;
			return db_reaction_set(e->db, &m) == -1 ? -1 : 0;
		}
	} else {
		row = wid;
		if (strcmp(type, "revoke") == 0 && wa_target(body, it) != NULL) {
			snprintf(key, sizeof(key), "unsend:%.500s",
			    wa_target(body, it));
			row = key;
		}
		if ((rc = db_message_known(e->db, channel, row)) != 0) {
			/* A chat history's picture comes again later with
			 * its media id: the message takes it. */
			if (rc == 1 && e->history && wa_media_type(type) &&
			    json_str(body, "id") != NULL) {
				if ((atts = wa_media_atts(type, body)) == NULL)
					return -1;
				rc = db_history_media(e->db, channel, wid, atts,
				    e->now_ms);
				free(atts);
			}
			return rc == -1 ? -1 : 0;
		}
	}
	if (thread_wa(e, channel, ws, u, p, name, m.sent_ms, &conv,
	    &contact) == -1)
		return -1;
	if (ev_referral(e, conv, get(it, "referral"), m.sent_ms) == -1)
		return -1;
	if (standby && db_conversation_owner(e->db, conv, "other") == -1)
		return -1;
	m.conversation_id = conv;
	m.mid = wid;
	m.direction = echo ? "out" : "in";
	if (echo)
		author = "business_app";
	m.kind = type;
	m.status = echo ? MSG_SENT : MSG_RECEIVED;
	if (echo && e->history)
		m.status = wa_history_status(json_str(get(it,
		    "history_context"), "status"));
	m.reply_to = json_str(get(it, "context"), "id");
	if (strcmp(type, "text") == 0)
		m.text = json_str(body, "body");
	else if (wa_media_type(type)) {
		if ((m.attachments = atts = wa_media_atts(type, body)) == NULL)
			return -1;
		m.text = json_str(body, "caption");
	} else if (strcmp(type, "interactive") == 0)
		wa_interactive(&m, body, &raw);
	else if (strcmp(type, "button") == 0) {
		m.text = json_str(body, "text");
		m.payload = json_str(body, "payload");
	} else if (strcmp(type, "reaction") == 0) {
		if (json_str(body, "message_id") == NULL)
			return ev_ledger(e, "messages", "reaction.malformed");
		return ev_reaction(e, channel, conv, u != NULL ? u : p,
		    json_str(body, "message_id"), json_str(body, "emoji"),
		    m.sent_ms);
	} else if (strcmp(type, "revoke") == 0) {
		if (wa_target(body, it) == NULL)
			return ev_ledger(e, "messages", "revoke.malformed");
		return ev_unsend(e, channel, conv, wa_target(body, it),
		    m.sent_ms);
	} else {
		/* location, contacts, order, system, unsupported,
		 * unknown...: keep it whole. */
		m.raw = raw = json_text(body != NULL ? body : it);
		if (strcmp(type, "system") == 0) {
			const char *nw = json_str(body, "new_wa_id");

			if (nw == NULL)
				nw = json_str(body, "wa_id");
			m.text = json_str(body, "body");
			if (nw != NULL && *nw != '\0' && (p == NULL ||
			    strcmp(nw, p) != 0) && db_contact_number(e->db,
			    contact, nw) == -1)
				goto fail;
		} else if (strcmp(type, "order") == 0)
			m.text = json_str(body, "text");
		else if (strcmp(type, "contacts") == 0)
			m.text = wa_shared_contacts(body, errs, sizeof(errs));
		else if (arr(it, "errors") != NULL) {
			/* unsupported, unknown: say what Meta could
			 * not deliver. */
			free(raw);
			m.raw = raw = json_text(arr(it, "errors"));
			m.kind = "unsupported";
			m.text = wa_errors(it, errs, sizeof(errs));
		} else if (strcmp(type, "location") &&
		    strcmp(type, "contacts") &&
		    ev_ledger(e, "messages", type) == -1)
			goto fail;
	}
	rc = ev_message_add(e, &m, standby, author);
	free(raw);
	free(atts);
	return rc;
fail:
	free(raw);
	free(atts);
	return -1;
}

/* A WhatsApp item naming a person by user id u and number p (a status,
 * a contacts[] entry) links them: the contact of either takes both,
 * and when each has its own they become one (db_contact_merge).
 * Nothing is created for a person not known yet.  0 or -1. */
static int
wa_link(struct ev *e, long long channel, long long ws, const char *u,
    const char *p)
{
	long long byuser, bynumber, id;

	if (u == NULL || p == NULL)
		return 0;
	if (db_contact_find(e->db, channel, u, &byuser) == -1 ||
	    db_contact_find(e->db, channel, p, &bynumber) == -1)
		return -1;
	if (byuser == 0 && bynumber == 0)
		return 0;
	return db_contact_wa(e->db, ws, channel, u, p, NULL, 0, &id);
}

/* A WhatsApp statuses[] item: move our message forward. */
static int
wa_status(struct ev *e, long long channel, long long ws, const cJSON *it)
{
	char			 user[HG_WA_USER_ID_MAX + 1], phone[HG_WA_USER_ID_MAX + 1];
	char			 code[HG_META_ID_MAX + 1];
	const char		*wid = json_str(it, "id"), *st = json_str(it, "status");
	const char		*u, *p;
	const cJSON		*err0 = cJSON_GetArrayItem(arr(it, "errors"), 0);
	struct db_message	 m;
	long long		 at, conv;
	char			*pricing = NULL;
	int			 rc, ms = msg_status_parse(st);

	/* Meta reports sent, delivered, read and failed. */
	if (wid == NULL || st == NULL || ms < MSG_SENT)
		return ev_ledger(e, "statuses", st != NULL ? st : "malformed");
	at = ts(e, get(it, "timestamp"));
	if (wa_person(get(it, "recipient_user_id"), get(it, "recipient_id"),
	    NULL, user, phone, &u, &p, NULL) == 0 && wa_link(e, channel, ws,
	    u, p) == -1)
		return -1;
	code[0] = '\0';
	if (err0 != NULL)
		json_id(get(err0, "code"), code);
	/* A status of hubgate's own send: the send takes the wamid
	 * first, so that the status below finds its message (hubgate's,
	 * unless it names who asked for it already). */
	if (ev_outbox_ref(json_str(it, "biz_opaque_callback_data")) > 0 &&
	    ((rc = db_outbox_reconcile(e->db, channel,
	    ev_outbox_ref(json_str(it, "biz_opaque_callback_data")), wid,
	    at)) == -1 || (rc == 1 &&
	    db_message_mark(e->db, channel, wid, 0, "hubgate") == -1)))
		return -1;
	rc = db_message_status(e->db, channel, wid, (enum msg_status)ms, at,
	    code[0] ? code : NULL, json_str(err0, "title"));
	/* Not moved: an unknown message, or a status not forward. */
	if (rc == 0 && (rc = db_message_known(e->db, channel, wid)) == 0) {
		/* Not ours yet (sent by another system, or the status
		 * came first): record the outbound message it speaks
		 * of. */
		if (wa_person(get(it, "recipient_user_id"),
		    get(it, "recipient_id"), NULL, user, phone, &u, &p,
		    NULL) == -1)
			return ev_ledger(e, "statuses", "malformed");
		if (thread_wa(e, channel, ws, u, p, NULL, at, &conv,
		    NULL) == -1)
			return -1;
		memset(&m, 0, sizeof(m));
		m.channel_id = channel;
		m.conversation_id = conv;
		m.mid = wid;
		m.direction = "out";
		m.kind = "unknown";
		m.status = MSG_SENT;
		m.sent_ms = at;
		if (ev_message_add(e, &m, 0, NULL) == -1 ||
		    db_message_status(e->db, channel, wid, (enum msg_status)ms,
		    at, code[0] ? code : NULL, json_str(err0, "title")) == -1)
			return -1;
	}
	if (rc == -1)
		return -1;
	if (!cJSON_IsObject(get(it, "pricing")))
		return 0;
	if ((pricing = json_text(get(it, "pricing"))) == NULL)
		return -1;
	rc = db_message_pricing(e->db, channel, wid, pricing);
	free(pricing);
	return rc;
}

/* A WhatsApp calls[] item: one call entry per call in its thread,
 * showing its latest event. */
static int
wa_call(struct ev *e, long long channel, long long ws, const cJSON *it,
    const cJSON *value)
{
	char			 user[HG_WA_USER_ID_MAX + 1], phone[HG_WA_USER_ID_MAX + 1];
	const char		*id = json_str(it, "id"), *u, *p, *dir, *ours;
	long long		 conv, at;
	int			 out;

	dir = json_str(it, "direction");
	ours = json_str(get(value, "metadata"), "display_phone_number");
	out = (dir != NULL && strcmp(dir, "BUSINESS_INITIATED") == 0) ||
	    same_number(ours, json_str(it, "from"));
	if (id == NULL || (out ? wa_person(get(it, "to_user_id"),
	    get(it, "to"), NULL, user, phone, &u, &p, NULL) :
	    wa_person(get(it, "from_user_id"), get(it, "from"),
	    get(value, "contacts"), user, phone, &u, &p, NULL)) == -1)
		return ev_ledger(e, "calls", "malformed");
	at = ts(e, get(it, "timestamp"));
	if (thread_wa(e, channel, ws, u, p, NULL, at, &conv, NULL) == -1)
		return -1;
	return ev_call_entry(e, channel, conv, id, out, json_str(it, "event"),
	    json_str(it, "status"), json_uint(it, "duration"), at);
}

/* A WhatsApp status of a call hubgate's business placed (type "call":
 * RINGING, ACCEPTED, REJECTED): its call entry shows it.  0 or -1. */
static int
wa_call_status(struct ev *e, long long channel, long long ws,
    const cJSON *it)
{
	char		 user[HG_WA_USER_ID_MAX + 1], phone[HG_WA_USER_ID_MAX + 1];
	const char	*u, *p;
	long long	 conv, at = ts(e, get(it, "timestamp"));

	if (json_str(it, "id") == NULL || wa_person(get(it,
	    "recipient_user_id"), get(it, "recipient_id"), NULL, user, phone,
	    &u, &p, NULL) == -1)
		return ev_ledger(e, "statuses", "call.malformed");
	if (thread_wa(e, channel, ws, u, p, NULL, at, &conv, NULL) == -1)
		return -1;
	return ev_call_entry(e, channel, conv, json_str(it, "id"), 1, NULL,
	    json_str(it, "status"), 0, at);
}

/* A WhatsApp Business app's chat history (coexistence: "history"):
 * each thread's messages stored in the person's conversation, marked
 * history (not unread, never seen by automation nor forwarded as new;
 * a message already known stays as it is), from the business when
 * "from" is its number.  A chunk with errors[] (sharing declined) is
 * counted.  0 or -1. */
static int
wa_history(struct ev *e, long long channel, long long ws, const cJSON *v)
{
	const char	*ours = json_str(get(v, "metadata"),
			    "display_phone_number"), *from;
	const cJSON	*chunk, *th, *it;
	int		 rc = 0;

	e->history = 1;
	cJSON_ArrayForEach(chunk, arr(v, "history")) {
		if (arr(chunk, "errors") != NULL && cJSON_GetArraySize(arr(chunk,
		    "errors")) > 0 && (rc = ev_ledger(e, "history",
		    "declined")) == -1)
			break;
		cJSON_ArrayForEach(th, arr(chunk, "threads")) {
			e->history_person = get(th, "id");
			cJSON_ArrayForEach(it, arr(th, "messages")) {
				/* The business's: "to" is given only
				 * for them, and "from" is its number. */
				from = json_str(it, "from");
				if ((rc = wa_message(e, channel, ws, it, NULL,
				    get(it, "to") != NULL || same_number(from,
				    ours), 0)) == -1)
					goto out;
			}
		}
	}
out:
	e->history = 0;
	e->history_person = NULL;
	return rc;
}

/* A WhatsApp Business app's address book (coexistence:
 * "smb_app_state_sync"): an added or edited contact gives the contact
 * of that number its name (creating the contact, without a thread);
 * a removed one keeps the contact and its name.  0 or -1. */
static int
wa_state_sync(struct ev *e, long long channel, long long ws, const cJSON *v)
{
	char		 phone[HG_WA_USER_ID_MAX + 1];
	const cJSON	*it, *c;
	const char	*type, *action, *name, *p;
	long long	 id;

	cJSON_ArrayForEach(it, arr(v, "state_sync")) {
		type = json_str(it, "type");
		action = json_str(it, "action");
		c = get(it, "contact");
		if (type == NULL || strcmp(type, "contact") != 0) {
			if (ev_ledger(e, "smb_app_state_sync", type != NULL ?
			    type : "malformed") == -1)
				return -1;
			continue;
		}
		if ((p = wa_id(get(c, "phone_number"), phone)) == NULL ||
		    action == NULL) {
			if (ev_ledger(e, "smb_app_state_sync",
			    "malformed") == -1)
				return -1;
			continue;
		}
		if (strcmp(action, "add") != 0)
			continue;	/* remove: the contact stays */
		name = json_str(c, "full_name");
		if (name == NULL || *name == '\0')
			name = json_str(c, "first_name");
		if (db_contact_wa(e->db, ws, channel, NULL, p, name,
		    ts(e, get(get(it, "metadata"), "timestamp")) / 1000,
		    &id) == -1)
			return -1;
	}
	return 0;
}

/* One changes[] item of a WhatsApp Business Account; 0 or -1. */
int
ev_wa_change(struct ev *e, const char *waba, const char *field,
    const cJSON *v)
{
	char		 pid[HG_META_ID_MAX + 1];
	const cJSON	*it;
	long long	 channel = 0, ws = 0;
	int		 found, echoes, calls, standby, history, sync;

	if ((found = ev_wa_notice(e, waba, field, v)) != 0)
		return found == -1 ? -1 : 0;
	echoes = strcmp(field, "smb_message_echoes") == 0;
	calls = strcmp(field, "calls") == 0;
	/* Conversation Routing on WhatsApp: a standby copy has the shape
	 * of "messages". */
	standby = strcmp(field, "standby") == 0;
	history = strcmp(field, "history") == 0;
	sync = strcmp(field, "smb_app_state_sync") == 0;
	if (strcmp(field, "messages") != 0 && !echoes && !calls && !standby &&
	    !history && !sync)
		return ev_ledger(e, "changes", field);
	if (json_id(get(get(v, "metadata"), "phone_number_id"), pid) == NULL)
		return ev_ledger(e, "changes.messages", "malformed");
	if ((found = db_channel_find(e->db, "whatsapp", pid, &channel,
	    &ws)) == -1)
		return -1;
	if (!found)
		return ev_ledger(e, "entry", "unrouted");
	if (history)
		return wa_history(e, channel, ws, v);
	if (sync)
		return wa_state_sync(e, channel, ws, v);
	cJSON_ArrayForEach(it, arr(v, "messages"))
		if (wa_message(e, channel, ws, it, get(v, "contacts"), 0,
		    standby) == -1)
			return -1;
	cJSON_ArrayForEach(it, arr(v, "message_echoes"))
		if (wa_message(e, channel, ws, it, NULL, 1, standby) == -1)
			return -1;
	cJSON_ArrayForEach(it, arr(v, "statuses"))
		if ((json_str(it, "type") != NULL && strcmp(json_str(it,
		    "type"), "call") == 0 ? wa_call_status(e, channel, ws,
		    it) : wa_status(e, channel, ws, it)) == -1)
			return -1;
	cJSON_ArrayForEach(it, arr(v, "calls"))
		if (wa_call(e, channel, ws, it, v) == -1)
			return -1;
	for (it = v->child; it != NULL; it = it->next)
		if (strcmp(it->string, "messages") &&
		    strcmp(it->string, "message_echoes") &&
		    strcmp(it->string, "statuses") &&
		    strcmp(it->string, "calls") &&
		    strcmp(it->string, "contacts") &&
		    strcmp(it->string, "metadata") &&
		    strcmp(it->string, "messaging_product") &&
		    ev_ledger(e, "changes.messages", it->string) == -1)
			return -1;
	return 0;
}
