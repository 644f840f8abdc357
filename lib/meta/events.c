/*
 * events: normalization of Messenger, Instagram, WhatsApp and Page feed
 * webhook events.  See events.h and docs/META.md for the shapes.
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
#include "db_thread.h"
#include "db_outbox.h"
#include "events.h"
#include "json.h"
#include "limits.h"
#include "num.h"
#include "utf8.h"

/* What one event's processing needs everywhere. */
struct ev {
	struct db	*db;
	long long	 id;		/* webhook_event id */
	long long	 now_ms;	/* arrival */
	long long	 entry_ms;	/* the entry's time; 0: none */
	const char	*object;
	const char	*kind;		/* channel kind for this object */
	const char	*entry_id;	/* the entry's id (the Page, the
					 * account, the WABA); "" none */	int		 history;	/* 1: items of a WhatsApp Business
					 * app's chat history */
	const cJSON	*history_person;	/* its thread's person */
};

/* Timestamps below this are seconds, above it milliseconds (1e11 s is
 * the year 5138; 1e11 ms is 1973). */
#define EVENTS_MS_THRESHOLD	100000000000LL

/* The app ids of Meta's own inboxes (Page Inbox, Instagram Inbox): an
 * echo from them is a person answering in Meta Business Suite. */
static const char *const inbox_apps[] = {
	"263902037430900", "1217981644879628", NULL
};

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

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
static long long
days_from_civil(long long y, long long m, long long d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The n (at most 4) decimal digits at s as a number, or -1. */
static long long
digits(const char *s, size_t n)
{
	long long	 v = 0;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* An ISO 8601 time ("2025-11-23T10:00:00+0000", "...Z", "...+00:00",
 * fractions of a second) in milliseconds; 0 when s is not one. */
static long long
iso_ms(const char *s)
{
	long long	 y, mo, d, h, mi, sec, ms = 0, off = 0, t;
	size_t		 n = strlen(s), i = 19, k;

	if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' &&
	    s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return 0;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 ||
	    h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return 0;
	if (i < n && s[i] == '.') {
		for (k = 0, i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++)
			if (k < 3)
				ms = ms * 10 + (s[i] - '0');
		for (; k < 3; k++)
			ms *= 10;
	}
	if (i < n && (s[i] == '+' || s[i] == '-')) {
		size_t m = i + 3 < n && s[i + 3] == ':' ? 1 : 0;
		long long oh, om;

		if (n != i + 5 + m || (oh = digits(s + i + 1, 2)) < 0 ||
		    (om = digits(s + i + 3 + m, 2)) < 0)
			return 0;
		off = (oh * 60 + om) * 60000 * (s[i] == '-' ? -1 : 1);
		i = n;
	} else if (i < n && s[i] == 'Z')
		i++;
	if (i != n)
		return 0;
	t = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
	return t * 1000 + ms - off;
}

long long
events_ts_ms(const cJSON *v)
{
	long long n = 0;

	if (cJSON_IsNumber(v)) {
		/* 1492414608999.0 and 1763856000.5 are times too. */
		if (v->valuedouble < 0 || v->valuedouble > 9e15)
			return 0;
		if (v->valuedouble < (double)EVENTS_MS_THRESHOLD)
			return (long long)(v->valuedouble * 1000.0);
		return (long long)v->valuedouble;
	} else if (cJSON_IsString(v)) {
		if (num_parse_str(v->valuestring, 0, 9000000000000000LL,
		    &n) == -1)
			return iso_ms(v->valuestring);
	} else
		return 0;
	return n < EVENTS_MS_THRESHOLD ? n * 1000 : n;
}

/* The time of an item: its own, else its entry's, else the arrival. */
static long long
ts(const struct ev *e, const cJSON *v)
{
	long long at = events_ts_ms(v);

	if (at == 0)
		at = e->entry_ms;
	return at != 0 ? at : e->now_ms;
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


/* v (an object) with "at_ms": at, as JSON text to free(), or NULL. */
static char *
json_stamped(const cJSON *v, long long at)
{
	cJSON	*c;
	char	*s;

	if (!cJSON_IsObject(v) || (c = cJSON_Duplicate(v, 1)) == NULL)
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(c, "at_ms");
	json_add_int(c, "at_ms", at);
	s = cJSON_PrintUnformatted(c);
	cJSON_Delete(c);
	return s;
}

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

/* Insert m and note it on its conversation; mark it a standby copy or
 * with its author (NULL: none).  0 or -1. */
static int
message_add(struct ev *e, struct db_message *m, int standby,
    const char *author)
{
	int rc;

	m->event_id = e->id;
	m->created_ms = e->now_ms;
	m->history = e->history;
	if ((rc = db_message_insert(e->db, m)) == -1)
		return -1;
	if (m->mid != NULL && ((standby || author != NULL) &&
	    db_message_mark(e->db, m->channel_id, m->mid, standby,
	    author) == -1))
		return -1;
	/* An edit that came before its message. */
	if (rc == 1 && m->mid != NULL && m->text != NULL &&
	    db_message_edit_sync(e->db, m->channel_id, m->mid) == -1)
		return -1;
	return db_conversation_note(e->db, m->conversation_id, m->sent_ms,
	    rc == 1 && strcmp(m->direction, "in") == 0 && !e->history);
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

/* The person unsent (deleted, revoked) their message mid at at: a row
 * of kind unsend that refers to it (the thread lists the message again,
 * marked), and the message's text erased with its edits.  Not counted
 * as unread.  0 or -1. */
static int
unsend(struct ev *e, long long channel, long long conv, const char *mid,
    long long at)
{
	char			 key[512];
	struct db_message	 m;

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
	m.history = e->history;
	if (db_message_insert(e->db, &m) == -1 ||
	    db_message_unsend(e->db, channel, mid, at) == -1)
		return -1;
	return db_conversation_note(e->db, conv, at, 0);
}

/* A person's reaction emoji ("" removed) to mid: one row per person
 * and message holding the latest.  0 or -1. */
static int
reaction(struct ev *e, long long channel, long long conv, const char *person,
    const char *mid, const char *emoji, long long at)
{
	char			 key[640];
	struct db_message	 m;
	int			 rc;

	snprintf(key, sizeof(key), "reaction:%.256s:%.360s", person, mid);
	memset(&m, 0, sizeof(m));
	m.channel_id = channel;
	m.conversation_id = conv;
	m.mid = key;
	m.direction = "in";
	m.kind = "reaction";
	m.text = emoji != NULL ? emoji : "";
	m.reply_to = mid;
	m.status = MSG_RECEIVED;
	m.sent_ms = at;
	m.event_id = e->id;
	m.created_ms = e->now_ms;
	m.history = e->history;
	if ((rc = db_reaction_set(e->db, &m)) == -1)
		return -1;
	return db_conversation_note(e->db, conv, at, rc == 1 && *m.text &&
	    !e->history);
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

/* Record a referral object (an ad, a link, a plugin) on conv; 0 or -1. */
static int
referral(struct ev *e, long long conv, const cJSON *ref, long long at)
{
	char	*s;
	int	 rc;

	if (!cJSON_IsObject(ref))
		return 0;
	if ((s = json_stamped(ref, at)) == NULL)
		return -1;
	rc = db_conversation_referral(e->db, conv, s, at);
	free(s);
	return rc;
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
		return unsend(e, channel, conv, mid, at);
	if (referral(e, conv, get(it, "referral"), at) == -1 ||
	    referral(e, conv, get(msg, "referral"), at) == -1)
		return -1;
	if (echo) {
		/* The echo of hubgate's own send: that send and its
		 * message take the mid; no second message. */
		author = "hubgate";
		if ((ref = outbox_ref(json_str(msg, "metadata"))) > 0) {
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
	rc = message_add(e, &m, standby, author);
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
static int
messaging_item(struct ev *e, long long channel, long long ws,
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
		return ledger(e, pfx, "empty");
	s = json_id(get(get(it, "sender"), "id"), sender);
	r = json_id(get(get(it, "recipient"), "id"), recipient);
	if (!cJSON_IsObject(it) || s == NULL || r == NULL)
		return ledger(e, pfx, "malformed");
	at = ts(e, get(it, "timestamp"));
	memset(&m, 0, sizeof(m));
	m.channel_id = channel;
	m.sent_ms = at;

	if ((msg = get(it, "message")) != NULL && cJSON_IsObject(msg)) {
		if (json_str(msg, "mid") == NULL)
			return ledger(e, pfx, "message.malformed");
		return messenger_message(e, channel, ws, it, msg,
		    cJSON_IsTrue(get(msg, "is_echo")) ? r : s, at, standby);
	}
	if ((v = get(it, "message_edit")) != NULL && cJSON_IsObject(v)) {
		if (json_str(v, "mid") == NULL)
			return ledger(e, pfx, "message_edit.malformed");
		return db_message_edit(e->db, channel, json_str(v, "mid"), at,
		    json_uint(v, "num_edit"), json_str(v, "text"), e->id);
	}
	if ((v = get(it, "delivery")) != NULL || (v = get(it, "read")) != NULL) {
		enum msg_status	 status = get(it, "delivery") != NULL ?
				    MSG_DELIVERED : MSG_READ;
		const cJSON	*mid;
		long long	 wm = events_ts_ms(get(v, "watermark"));

		if (!cJSON_IsObject(v))
			return ledger(e, pfx, "receipt.malformed");
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
				return ledger(e, pfx, v->string);
		return ledger(e, pfx, "empty");
	}
	if (thread_of(e, channel, ws, s, NULL, at, &conv, &contact) == -1)
		return -1;
	if (standby && db_conversation_owner(e->db, conv, "other") == -1)
		return -1;
	if ((v = get(it, "postback")) != NULL && cJSON_IsObject(v)) {
		snprintf(key, sizeof(key), "postback:%s:%lld", s, at);
		if (referral(e, conv, get(v, "referral"), at) == -1)
			return -1;
		m.conversation_id = conv;
		m.mid = json_str(v, "mid") != NULL ? json_str(v, "mid") : key;
		m.direction = "in";
		m.kind = "postback";
		m.text = json_str(v, "title");
		m.payload = json_str(v, "payload");
		m.status = MSG_RECEIVED;
		return message_add(e, &m, standby, NULL);
	}
	if ((v = get(it, "reaction")) != NULL && cJSON_IsObject(v)) {
		if (json_str(v, "mid") == NULL)
			return ledger(e, pfx, "reaction.malformed");
		return reaction(e, channel, conv, s, json_str(v, "mid"),
		    json_str(v, "action") != NULL &&
		    strcmp(json_str(v, "action"), "unreact") == 0 ? "" :
		    json_str(v, "emoji") != NULL ? json_str(v, "emoji") :
		    json_str(v, "reaction"), at);
	}
	if ((v = get(it, "referral")) != NULL)
		return referral(e, conv, v, at);
	if ((v = get(it, "optin")) != NULL && cJSON_IsObject(v)) {
		if ((js = json_stamped(v, at)) == NULL)
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
	return ledger(e, pfx, "malformed");
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
		return ledger(e, echo ? "message_echoes" : "messages",
		    "malformed");
	memset(&m, 0, sizeof(m));
	m.channel_id = channel;
	m.sent_ms = ts(e, get(it, "timestamp"));
	body = get(it, type);
	/* An edit needs no thread: its history waits for the message. */
	if (strcmp(type, "edit") == 0) {
		if (wa_target(body, it) == NULL)
			return ledger(e, "messages", "edit.malformed");
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
	if (referral(e, conv, get(it, "referral"), m.sent_ms) == -1)
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
			return ledger(e, "messages", "reaction.malformed");
		return reaction(e, channel, conv, u != NULL ? u : p,
		    json_str(body, "message_id"), json_str(body, "emoji"),
		    m.sent_ms);
	} else if (strcmp(type, "revoke") == 0) {
		if (wa_target(body, it) == NULL)
			return ledger(e, "messages", "revoke.malformed");
		return unsend(e, channel, conv, wa_target(body, it),
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
		    ledger(e, "messages", type) == -1)
			goto fail;
	}
	rc = message_add(e, &m, standby, author);
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
		return ledger(e, "statuses", st != NULL ? st : "malformed");
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
	if (outbox_ref(json_str(it, "biz_opaque_callback_data")) > 0 &&
	    ((rc = db_outbox_reconcile(e->db, channel, outbox_ref(json_str(it,
	    "biz_opaque_callback_data")), wid, at)) == -1 || (rc == 1 &&
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
			return ledger(e, "statuses", "malformed");
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
		if (message_add(e, &m, 0, NULL) == -1 ||
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

/* A call in conversation conv: one entry per call (key "call:<id>",
 * kind "call") showing its latest event ev and status st (either NULL),
 * its duration dur in seconds (0: none) at at; an incoming call counts
 * as the person's message.  0 or -1. */
static int
call_entry(struct ev *e, long long channel, long long conv, const char *id,
    int out, const char *ev, const char *st, long long dur, long long at)
{
	char			 key[HG_META_ID_MAX * 4], text[256];
	struct db_message	 m;
	int			 rc;

	memset(&m, 0, sizeof(m));
	snprintf(key, sizeof(key), "call:%.200s", id);
	snprintf(text, sizeof(text), "%s call%s%.32s%s%.32s", out ?
	    "Outgoing" : "Incoming", ev != NULL ? ": " : "",
	    ev != NULL ? ev : "", st != NULL ? (ev != NULL ? ", " : ": ") :
	    "", st != NULL ? st : "");
	if (dur > 0)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    ", %lld s", dur);
	m.channel_id = channel;
	m.conversation_id = conv;
	m.mid = key;
	m.direction = out ? "out" : "in";
	m.kind = "call";
	m.text = text;
	m.status = out ? MSG_SENT : MSG_RECEIVED;
	m.sent_ms = at;
	m.event_id = e->id;
	m.created_ms = e->now_ms;
	if ((rc = db_reaction_set(e->db, &m)) == -1)
		return -1;
	return db_conversation_note(e->db, conv, at, rc == 1 && !out);
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
		return ledger(e, "calls", "malformed");
	at = ts(e, get(it, "timestamp"));
	if (thread_wa(e, channel, ws, u, p, NULL, at, &conv, NULL) == -1)
		return -1;
	return call_entry(e, channel, conv, id, out, json_str(it, "event"),
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
		return ledger(e, "statuses", "call.malformed");
	if (thread_wa(e, channel, ws, u, p, NULL, at, &conv, NULL) == -1)
		return -1;
	return call_entry(e, channel, conv, json_str(it, "id"), 1, NULL,
	    json_str(it, "status"), 0, at);
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
static int
page_call(struct ev *e, long long channel, long long ws, const char *page,
    const cJSON *it)
{
	char		 from[HG_META_ID_MAX + 1], to[HG_META_ID_MAX + 1];
	const char	*f = id_of(get(it, "from"), from);
	const char	*t = id_of(get(it, "to"), to);
	const char	*id = json_str(it, "id"), *dir, *ev;
	long long	 conv, at;
	int		 out;

	if (!cJSON_IsObject(it) || id == NULL || f == NULL || t == NULL)
		return ledger(e, "calls", "malformed");
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
	return call_entry(e, channel, conv, id, out, ev, json_str(it,
	    "status"), json_uint(it, "duration"), at);
}

/* A Page feed change: comments and posts are feed items, reactions and
 * likes the latest per person and target. */
static int
feed_change(struct ev *e, long long channel, const cJSON *v)
{
	const char	*item = json_str(v, "item"), *verb = json_str(v, "verb");
	struct db_feed	 f;
	char		 from[HG_META_ID_MAX + 1];
	long long	 at;

	if (item == NULL || verb == NULL)
		return ledger(e, "changes.feed", "malformed");
	at = ts(e, get(v, "created_time"));
	if (strcmp(item, "reaction") == 0 || strcmp(item, "like") == 0) {
		const char *target = json_str(v, "comment_id") != NULL ?
		    json_str(v, "comment_id") : json_str(v, "post_id");
		const char *r = json_str(v, "reaction_type");

		if (target == NULL || json_id(get(get(v, "from"), "id"),
		    from) == NULL)
			return ledger(e, "changes.feed", "reaction.malformed");
		if (strcmp(verb, "remove") == 0)
			r = "";
		else if (r == NULL)
			r = "like";
		return db_feed_reaction(e->db, channel, target,
		    json_str(v, "post_id"), from, r, at);
	}
	memset(&f, 0, sizeof(f));
	f.channel_id = channel;
	f.item = item;
	if (strcmp(item, "comment") == 0)
		f.meta_id = json_str(v, "comment_id");
	else if (strcmp(item, "post") == 0 || strcmp(item, "status") == 0 ||
	    strcmp(item, "photo") == 0 || strcmp(item, "video") == 0 ||
	    strcmp(item, "share") == 0)
		f.meta_id = json_str(v, "post_id");
	else
		return ledger(e, "changes.feed", item);
	if (f.meta_id == NULL)
		return ledger(e, "changes.feed", "malformed");
	f.post_id = json_str(v, "post_id");
	f.parent_id = json_str(v, "parent_id");
	f.from_id = json_id(get(get(v, "from"), "id"), from);
	f.from_name = json_str(get(v, "from"), "name");
	f.message = json_str(v, "message");
	f.status = strcmp(verb, "remove") == 0 ? "removed" :
	    strcmp(verb, "hide") == 0 ? "hidden" : "visible";
	f.created_ms = at;
	f.updated_ms = f.created_ms;
	f.event_id = e->id;
	return db_feed_upsert(e->db, &f);
}

/* An Instagram comment, live comment or mention: a feed item on its
 * media. */
static int
ig_comment(struct ev *e, long long channel, const char *field,
    const cJSON *v)
{
	struct db_feed	 f;
	char		 from[HG_META_ID_MAX + 1];
	int		 mention = strcmp(field, "mentions") == 0;

	memset(&f, 0, sizeof(f));
	f.channel_id = channel;
	f.item = mention ? "mention" : strcmp(field, "live_comments") == 0 ?
	    "live_comment" : "comment";
	f.meta_id = mention ? (json_str(v, "comment_id") != NULL ?
	    json_str(v, "comment_id") : json_str(v, "media_id")) :
	    json_str(v, "id");
	if (f.meta_id == NULL)
		return ledger(e, "changes", "malformed");
	f.post_id = mention ? json_str(v, "media_id") :
	    json_str(get(v, "media"), "id");
	f.parent_id = json_str(v, "parent_id");
	f.from_id = json_id(get(get(v, "from"), "id"), from);
	f.from_name = json_str(get(v, "from"), "username");
	f.message = json_str(v, "text");
	f.status = cJSON_IsTrue(get(v, "is_deleted")) ? "removed" :
	    cJSON_IsTrue(get(v, "hidden")) ? "hidden" : "visible";
	f.created_ms = ts(e, get(v, "timestamp"));
	f.updated_ms = f.created_ms;
	f.event_id = e->id;
	return db_feed_upsert(e->db, &f);
}

/* WhatsApp account-level fields: the member naming what happened, and
 * whether the event speaks of the account's ability to send. */
static const struct {
	const char	*field, *word;
	int		 state;
} wa_notices[] = {
	{ "account_update",			"event",		1 },
	{ "phone_number_quality_update",	"event",		1 },
	{ "phone_number_name_update",		"decision",		0 },
	{ "message_template_status_update",	"event",		0 },
	{ "message_template_quality_update",	"new_quality_score",	0 },
	{ "template_category_update",		"new_category",		0 },
	{ "message_template_components_update",	"message_template_name", 0 },
	{ "business_capability_update",		NULL,			0 },
	{ "account_review_update",		"decision",		0 },
	{ "account_alerts",			"alert_severity",	0 },
	{ "security",				"event",		0 },
};

/* How much an account-level word threatens sending. */
static const char *
wa_notice_level(const char *field, const char *word)
{
	static const char *const critical[] = {
		"DISABLED_UPDATE", "DISABLE", "SCHEDULE_FOR_DISABLE",
		"ACCOUNT_DELETED", "PARTNER_REMOVED", "PARTNER_APP_UNINSTALLED",
		"CRITICAL", NULL
	};
	static const char *const warning[] = {
		"ACCOUNT_RESTRICTION", "ACCOUNT_RESTRICTED", "ACCOUNT_VIOLATION",
		"FLAGGED", "DOWNGRADE", "REJECTED", "DISABLED", "PAUSED",
		"PENDING_DELETION", "RED", "WARNING", NULL
	};
	int i;

	(void)field;
	for (i = 0; critical[i] != NULL; i++)
		if (strcmp(word, critical[i]) == 0)
			return "critical";
	for (i = 0; warning[i] != NULL; i++)
		if (strcmp(word, warning[i]) == 0)
			return "warning";
	return "info";
}

/* A WhatsApp account-level change for the WABA waba: 1 recorded (or
 * counted as unrouted), 0 not such a field, -1. */
static int
wa_notice(struct ev *e, const char *waba, const char *field, const cJSON *v)
{
	struct db_notice	 n;
	const char		*w = NULL;
	char			*detail;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(wa_notices) / sizeof(wa_notices[0]); i++)
		if (strcmp(field, wa_notices[i].field) == 0)
			break;
	if (i == sizeof(wa_notices) / sizeof(wa_notices[0]))
		return 0;
	memset(&n, 0, sizeof(n));
	if (wa_notices[i].word != NULL)
		w = json_str(v, wa_notices[i].word);
	/* A ban's state says more than DISABLED_UPDATE. */
	if (json_str(get(v, "ban_info"), "waba_ban_state") != NULL)
		w = json_str(get(v, "ban_info"), "waba_ban_state");
	n.waba = waba;
	n.field = field;
	n.word = w != NULL ? w : "UPDATE";
	n.level = wa_notice_level(field, n.word);
	/* Only an event about the account's standing moves its state:
	 * a warning sets it, a relief clears it, the rest leaves it. */
	n.state = wa_notices[i].state && (strcmp(n.level, "info") != 0 ||
	    strcmp(n.word, "UNFLAGGED") == 0 || strcmp(n.word, "UPGRADE") == 0 ||
	    strcmp(n.word, "REINSTATE") == 0);
	n.at_ms = e->entry_ms != 0 ? e->entry_ms : e->now_ms;
	n.event_id = e->id;
	if ((detail = json_text(v)) == NULL)
		return -1;
	n.detail = detail;
	rc = db_channel_notice(e->db, &n);
	free(detail);
	if (rc == -1)
		return -1;
	if (rc == 0 && ledger(e, "entry", "unrouted") == -1)
		return -1;
	/* The template picker offers what Meta now allows: a status
	 * change (a flag is no status; a reinstated one is approved
	 * again) or a new category. */
	if (rc > 0 && (strcmp(field, "message_template_status_update") == 0 ||
	    strcmp(field, "template_category_update") == 0) &&
	    json_str(v, "message_template_name") != NULL &&
	    json_str(v, "message_template_language") != NULL &&
	    db_template_event(e->db, waba, json_str(v,
	    "message_template_name"), json_str(v, "message_template_language"),
	    strcmp(field, "template_category_update") == 0 ||
	    strcmp(n.word, "FLAGGED") == 0 ? NULL :
	    strcmp(n.word, "REINSTATED") == 0 ? "APPROVED" : n.word,
	    strcmp(field, "template_category_update") == 0 ?
	    n.word : NULL) == -1)
		return -1;
	/* The event belongs to the numbers it spoke of. */
	if (rc > 0 && e->id > 0 && db_event_route_waba(e->db, e->id,
	    waba) == -1)
		return -1;
	return 1;
}

/* The messaging fields of a Page or Instagram account that arrive as
 * changes[] whose value is one messaging item (Instagram's newer shape,
 * and the Test button's bodies). */
static const char *const item_fields[] = {
	"messages", "messaging_postbacks", "messaging_seen",
	"message_reactions", "messaging_referral", "messaging_optins",
	"messaging_handover", "messaging_handovers", "message_edit",
	"message_echoes", "standby", NULL
};

/* One changes[] item of a Page or Instagram account; 0 or -1. */
static int
page_change(struct ev *e, long long channel, long long ws,
    const char *field, const cJSON *v)
{
	int i;

	if (strcmp(field, "feed") == 0)
		return feed_change(e, channel, v);
	if (strcmp(e->kind, "instagram") == 0 && (strcmp(field,
	    "comments") == 0 || strcmp(field, "live_comments") == 0 ||
	    strcmp(field, "mentions") == 0))
		return ig_comment(e, channel, field, v);
	if (strcmp(field, "calls") == 0) {
		const cJSON *it;

		if (arr(v, "calls") == NULL)
			return page_call(e, channel, ws, e->entry_id, v);
		cJSON_ArrayForEach(it, arr(v, "calls"))
			if (page_call(e, channel, ws, e->entry_id, it) == -1)
				return -1;
		return 0;
	}
	for (i = 0; item_fields[i] != NULL; i++)
		if (strcmp(field, item_fields[i]) == 0 &&
		    get(v, "sender") != NULL)
			return messaging_item(e, channel, ws, v,
			    strcmp(field, "standby") == 0);
	return ledger(e, "changes", field);
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
		    "errors")) > 0 && (rc = ledger(e, "history",
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
			if (ledger(e, "smb_app_state_sync", type != NULL ? type :
			    "malformed") == -1)
				return -1;
			continue;
		}
		if ((p = wa_id(get(c, "phone_number"), phone)) == NULL ||
		    action == NULL) {
			if (ledger(e, "smb_app_state_sync", "malformed") == -1)
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
static int
wa_change(struct ev *e, const char *waba, const char *field,
    const cJSON *v)
{
	char		 pid[HG_META_ID_MAX + 1];
	const cJSON	*it;
	long long	 channel = 0, ws = 0;
	int		 found, echoes, calls, standby, history, sync;

	if ((found = wa_notice(e, waba, field, v)) != 0)
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
		return ledger(e, "changes", field);
	if (json_id(get(get(v, "metadata"), "phone_number_id"), pid) == NULL)
		return ledger(e, "changes.messages", "malformed");
	if ((found = db_channel_find(e->db, "whatsapp", pid, &channel,
	    &ws)) == -1)
		return -1;
	if (!found)
		return ledger(e, "entry", "unrouted");
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
		    ledger(e, "changes.messages", it->string) == -1)
			return -1;
	return 0;
}

/* An entry id of "0": a body sent by the Test button of Meta's
 * dashboard (its sample ids route nowhere). */
static int
is_test(const cJSON *ent)
{
	const cJSON *id = get(ent, "id");

	return (cJSON_IsString(id) && strcmp(id->valuestring, "0") == 0) ||
	    (cJSON_IsNumber(id) && id->valuedouble == 0.0);
}

/* One entry[] of any object. */
static int
entry(struct ev *e, const cJSON *ent)
{
	char		 eid[HG_META_ID_MAX + 1];
	const cJSON	*it, *ch, *v;
	long long	 channel = 0, ws = 0;
	int		 found = 0, wa = strcmp(e->kind, "whatsapp") == 0;

	if (!cJSON_IsObject(ent))
		return ledger(e, "entry", "malformed");
	if (is_test(ent))
		return db_event_test(e->db, e->id);
	/* WhatsApp routes on each change's phone number id: its entry
	 * id (the WABA) matters to account events only. */
	if (json_id(get(ent, "id"), eid) == NULL) {
		if (!wa)
			return ledger(e, "entry", "malformed");
		eid[0] = '\0';
	}
	e->entry_ms = events_ts_ms(get(ent, "time"));
	e->entry_id = eid;
	if (!wa) {
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
	/* Messenger calling: calls[] beside messaging[]. */
	cJSON_ArrayForEach(it, arr(ent, "calls"))
		if ((wa ? ledger(e, "entry", "calls") : page_call(e, channel,
		    ws, eid, it)) == -1)
			return -1;
	cJSON_ArrayForEach(ch, arr(ent, "changes")) {
		const char *field = json_str(ch, "field");

		v = get(ch, "value");
		if (field == NULL || !cJSON_IsObject(v)) {
			if (ledger(e, "changes", "malformed") == -1)
				return -1;
			continue;
		}
		if ((wa ? wa_change(e, eid, field, v) :
		    page_change(e, channel, ws, field, v)) == -1)
			return -1;
	}
	return 0;
}

int
events_process(struct db *d, long long event_id, const char *body,
    size_t len, long long now_ms)
{
	cJSON	*root;
	char	*big;
	size_t	 bign;
	int	 rc;

	/* Ids above 2^53 reach the tree as strings (json.h). */
	if ((big = json_quote_big_ints(body, len, &bign)) != NULL) {
		root = cJSON_ParseWithLength(big, bign);
		free(big);
	} else
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
