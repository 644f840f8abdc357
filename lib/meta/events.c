/*
 * events: normalization of Messenger, Instagram, WhatsApp and Page feed
 * webhook events.  See events.h and docs/META.md for the shapes.  This
 * file holds the entry points, the dispatch of entries and changes, the
 * Page feed and the rows several platforms share; the platforms' items
 * are in events_msgr.c, events_wa.c and events_wa_account.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "db_channel.h"
#include "db_detail.h"
#include "db_inbox.h"
#include "db_thread.h"
#include "events.h"
#include "events_int.h"
#include "json.h"
#include "limits.h"
#include "num.h"

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

/* Count a kind of item in the ledger, as "<prefix>.<name>". */
int
ev_ledger(struct ev *e, const char *prefix, const char *name)
{
	char type[128];

	snprintf(type, sizeof(type), "%s%s%.64s", prefix,
	    name != NULL && *name != '\0' ? "." : "", name != NULL ? name : "");
	return db_unhandled_add(e->db, e->object, type, e->id,
	    e->now_ms / 1000);
}

/* v (an object) with "at_ms": at, as JSON text to free(), or NULL. */
char *
ev_json_stamped(const cJSON *v, long long at)
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

/* Insert m and note it on its conversation; mark it a standby copy or
 * with its author (NULL: none).  0 or -1. */
int
ev_message_add(struct ev *e, struct db_message *m, int standby,
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
long long
ev_outbox_ref(const char *s)
{
	size_t		 n = sizeof(HG_OUTBOX_REF_PREFIX) - 1;
	long long	 id;

	if (s == NULL || strncmp(s, HG_OUTBOX_REF_PREFIX, n) != 0 ||
	    num_parse_str(s + n, 1, 1LL << 53, &id) == -1)
		return 0;
	return id;
}

/* The person unsent (deleted, revoked) their message mid at at: a row
 * of kind unsend that refers to it (the thread lists the message again,
 * marked), and the message's text erased with its edits.  Not counted
 * as unread.  0 or -1. */
int
ev_unsend(struct ev *e, long long channel, long long conv, const char *mid,
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
int
ev_reaction(struct ev *e, long long channel, long long conv, const char *person,
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

/* Record a referral object (an ad, a link, a plugin) on conv; 0 or -1. */
int
ev_referral(struct ev *e, long long conv, const cJSON *ref, long long at)
{
	char	*s;
	int	 rc;

	if (!cJSON_IsObject(ref))
		return 0;
	if ((s = ev_json_stamped(ref, at)) == NULL)
		return -1;
	rc = db_conversation_referral(e->db, conv, s, at);
	free(s);
	return rc;
}

/* A call in conversation conv: one entry per call (key "call:<id>",
 * kind "call") showing its latest event ev and status st (either NULL),
 * its duration dur in seconds (0: none) at at; an incoming call counts
 * as the person's message.  0 or -1. */
int
ev_call_entry(struct ev *e, long long channel, long long conv, const char *id,
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
		return ev_ledger(e, "changes.feed", "malformed");
	at = ts(e, get(v, "created_time"));
	if (strcmp(item, "reaction") == 0 || strcmp(item, "like") == 0) {
		const char *target = json_str(v, "comment_id") != NULL ?
		    json_str(v, "comment_id") : json_str(v, "post_id");
		const char *r = json_str(v, "reaction_type");

		if (target == NULL || json_id(get(get(v, "from"), "id"),
		    from) == NULL)
			return ev_ledger(e, "changes.feed",
			    "reaction.malformed");
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
		return ev_ledger(e, "changes.feed", item);
	if (f.meta_id == NULL)
		return ev_ledger(e, "changes.feed", "malformed");
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
		return ev_ledger(e, "changes", "malformed");
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
			return ev_page_call(e, channel, ws, e->entry_id, v);
		cJSON_ArrayForEach(it, arr(v, "calls"))
			if (ev_page_call(e, channel, ws, e->entry_id, it) == -1)
				return -1;
		return 0;
	}
	for (i = 0; item_fields[i] != NULL; i++)
		if (strcmp(field, item_fields[i]) == 0 &&
		    get(v, "sender") != NULL)
			return ev_messaging_item(e, channel, ws, v,
			    strcmp(field, "standby") == 0);
	return ev_ledger(e, "changes", field);
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
		return ev_ledger(e, "entry", "malformed");
	if (is_test(ent))
		return db_event_test(e->db, e->id);
	/* WhatsApp routes on each change's phone number id: its entry
	 * id (the WABA) matters to account events only. */
	if (json_id(get(ent, "id"), eid) == NULL) {
		if (!wa)
			return ev_ledger(e, "entry", "malformed");
		eid[0] = '\0';
	}
	e->entry_ms = events_ts_ms(get(ent, "time"));
	e->entry_id = eid;
	if (!wa) {
		if ((found = db_channel_find(e->db, e->kind, eid, &channel,
		    &ws)) == -1)
			return -1;
		if (!found)
			return ev_ledger(e, "entry", "unrouted");
	}
	cJSON_ArrayForEach(it, arr(ent, "messaging"))
		if (ev_messaging_item(e, channel, ws, it, 0) == -1)
			return -1;
	cJSON_ArrayForEach(it, arr(ent, "standby"))
		if (ev_messaging_item(e, channel, ws, it, 1) == -1)
			return -1;
	/* Messenger calling: calls[] beside messaging[]. */
	cJSON_ArrayForEach(it, arr(ent, "calls"))
		if ((wa ? ev_ledger(e, "entry", "calls") : ev_page_call(e,
		    channel, ws, eid, it)) == -1)
			return -1;
	cJSON_ArrayForEach(ch, arr(ent, "changes")) {
		const char *field = json_str(ch, "field");

		v = get(ch, "value");
		if (field == NULL || !cJSON_IsObject(v)) {
			if (ev_ledger(e, "changes", "malformed") == -1)
				return -1;
			continue;
		}
		if ((wa ? ev_wa_change(e, eid, field, v) :
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
		return ev_ledger(&e, "body", "invalid");
	}
	e.object = obj;
	if ((e.kind = events_channel_kind(obj)) == NULL)
		return ev_ledger(&e, "object", NULL);
	cJSON_ArrayForEach(ent, arr(root, "entry"))
		if ((rc = entry(&e, ent)) == -1)
			break;
	return rc;
}
