/*
 * api_inbox: conversations, messages and sending.  See api_inbox.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_detail.h"
#include "api_inbox.h"
#include "db_auto.h"
#include "api_media.h"
#include "app.h"
#include "clock.h"
#include "conf.h"
#include "db.h"
#include "db_outbox.h"
#include "db_group.h"
#include "db_handover.h"
#include "handover.h"
#include "log.h"
#include "http.h"
#include "limits.h"
#include "num.h"
#include "bgthread.h"
#include "outbox.h"
#include "route.h"
#include "window.h"

#define CONV_PATH	"/api/conversations"

static const struct conf	*inbox_conf;
static struct bg_thread	*inbox_worker;

const struct route_field api_inbox_fields[INBOX_F__MAX] = {
	[INBOX_F_STATUS] = { "status", FIELD_TEXT, 1, 16, 0 },
	[INBOX_F_CHANNEL] = { "channel", FIELD_ID, 0, 0, 0 },
	[INBOX_F_ASSIGNED] = { "assigned", FIELD_TEXT, 1, 20, 0 },
	[INBOX_F_UNREAD] = { "unread", FIELD_BOOL, 0, 0, 0 },
	[INBOX_F_Q] = { "q", FIELD_TEXT, 1, 200, 0 },
	[INBOX_F_CURSOR] = { "cursor", FIELD_TEXT, 3, 40, 0 },
	[INBOX_F_LIMIT] = { "limit", FIELD_INT, 1, HG_INBOX_PAGE_MAX, 0 },
	[INBOX_F_SINCE] = { "since", FIELD_INT, 0, 1LL << 53, 0 },
	[INBOX_F_GROUP] = { "group", FIELD_ID, 0, 0, 0 },
};

const struct route_field api_send_fields[SEND_F__MAX] = {
	[SEND_F_TEXT] = { "text", FIELD_TEXT, 1, HG_OUTBOX_TEXT_BYTES_MAX, 0 },
	[SEND_F_KEY] = { "idempotency_key", FIELD_TEXT, 1,
	    HG_IDEMPOTENCY_KEY_MAX, 0 },
};

void
api_inbox_setup(const struct conf *c, struct bg_thread *t)
{
	inbox_conf = c;
	inbox_worker = t;
}

/* The database, or NULL after answering 503. */
static struct db *
inbox_db(struct req *r)
{
	struct db *d;

	if (inbox_conf == NULL || (d = app_db(inbox_conf)) == NULL) {
		route_error(r, 503, "the database is not available");
		return NULL;
	}
	return d;
}

/* A cursor "MS.ID" into its parts; 0 or -1. */
static int
cursor_parse(const char *s, long long *ms, long long *id)
{
	const char	*dot = strchr(s, '.');
	char		 a[32];

	if (dot == NULL || (size_t)(dot - s) >= sizeof(a))
		return -1;
	memcpy(a, s, (size_t)(dot - s));
	a[dot - s] = '\0';
	if (num_parse_str(a, 0, 1LL << 53, ms) == -1 ||
	    num_parse_str(dot + 1, 0, 1LL << 53, id) == -1)
		return -1;
	return 0;
}

/* The platform a channel kind is shown as. */
static const char *
platform_of(const char *kind)
{
	return kind != NULL && strcmp(kind, "page") == 0 ? "messenger" :
	    kind != NULL ? kind : "";
}

struct conv_acc {
	cJSON		*arr;
	long long	 now_ms, last_ms, last_id;
	int		 n;
	struct db	*db;		/* media: the contact's picture */
};

static void
conv_row(void *arg, const struct db_conv_row *c)
{
	struct conv_acc	*a = arg;
	cJSON		*o, *k;

	if ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(a->arr, o))
		return;
	cJSON_AddNumberToObject(o, "id", (double)c->id);
	cJSON_AddNumberToObject(o, "channel_id", (double)c->channel_id);
	cJSON_AddStringToObject(o, "platform", platform_of(c->channel_kind));
	k = cJSON_AddObjectToObject(o, "contact");
	cJSON_AddNumberToObject(k, "id", (double)c->contact_id);
	cJSON_AddStringToObject(k, "name", c->contact_name != NULL ?
	    c->contact_name : "");
	api_media_picture(a->db, c->contact_id, k);
	cJSON_AddStringToObject(o, "status", c->status != NULL ? c->status : "");
	cJSON_AddStringToObject(o, "window", window_names[window_of(
	    c->channel_kind, c->last_inbound_ms, a->now_ms, c->human_agent)]);
	cJSON_AddNumberToObject(o, "last_message_at",
	    (double)c->last_message_ms);
	cJSON_AddNumberToObject(o, "unread", (double)c->unread);
	if (c->assigned_user_id > 0)
		cJSON_AddNumberToObject(o, "assigned_user_id",
		    (double)c->assigned_user_id);
	else
		cJSON_AddNullToObject(o, "assigned_user_id");
	/* The group it is assigned to (db_group.h), or null. */
	if (c->assigned_group_id > 0)
		cJSON_AddNumberToObject(o, "assigned_group_id",
		    (double)c->assigned_group_id);
	else
		cJSON_AddNullToObject(o, "assigned_group_id");
	/* Automation: why an escalated conversation waits for a person,
	 * and the summary of its last messages (db_auto.h). */
	if (c->status != NULL && strcmp(c->status, "escalated") == 0) {
		char		 why[256], sum[512];
		long long	 at;
		cJSON		*e;

		if (db_auto_escalation(a->db, c->id, why, sizeof(why), sum,
		    sizeof(sum), &at) == 0 && (e = cJSON_AddObjectToObject(o,
		    "escalation")) != NULL) {
			cJSON_AddStringToObject(e, "reason", why);
			cJSON_AddStringToObject(e, "summary", sum);
			cJSON_AddNumberToObject(e, "at_ms", (double)at);
		}
	}
	a->last_ms = c->last_message_ms;
	a->last_id = c->id;
	a->n++;
}

/* GET /api/conversations. */
static void
conv_list(struct req *r, const struct route_ctx *cx, struct db *d)
{
	const struct route_val	*v = cx->v;
	struct db_conv_filter	 f;
	struct conv_acc		 a;
	char			 next[64];
	const char		*as;
	cJSON			*root;

	memset(&f, 0, sizeof(f));
	f.assigned = -1;
	f.limit = v[INBOX_F_LIMIT].set ? (int)v[INBOX_F_LIMIT].n : 50;
	if (v[INBOX_F_STATUS].set) {
		f.status = v[INBOX_F_STATUS].s;
		if (strcmp(f.status, "open") && strcmp(f.status, "escalated") &&
		    strcmp(f.status, "closed")) {
			route_error(r, 400, "status: open, escalated or closed");
			return;
		}
	}
	if (v[INBOX_F_CHANNEL].set)
		f.channel = v[INBOX_F_CHANNEL].n;
	if (v[INBOX_F_ASSIGNED].set) {
		as = v[INBOX_F_ASSIGNED].s;
		if (strcmp(as, "me") == 0)
			f.assigned = cx->who.user;
		else if (strcmp(as, "none") == 0)
			f.assigned = 0;
		else if (strcmp(as, "groups") == 0)
			/* Groups: my groups' conversations nobody took. */
			f.groups_of = cx->who.user;
		else if (strcmp(as, "any") != 0 &&
		    num_parse_str(as, 1, 1LL << 53, &f.assigned) == -1) {
			route_error(r, 400, "assigned: me, groups, none, any or a "
			    "user id");
			return;
		}
	}
	if (v[INBOX_F_GROUP].set)
		f.group = v[INBOX_F_GROUP].n;
	f.unread = v[INBOX_F_UNREAD].set && v[INBOX_F_UNREAD].n;
	f.q = v[INBOX_F_Q].set ? v[INBOX_F_Q].s : NULL;
	f.since_ms = v[INBOX_F_SINCE].set ? v[INBOX_F_SINCE].n : 0;
	if (v[INBOX_F_CURSOR].set && cursor_parse(v[INBOX_F_CURSOR].s,
	    &f.before_ms, &f.before_id) == -1) {
		route_error(r, 400, "cursor: invalid");
		return;
	}
	memset(&a, 0, sizeof(a));
	a.now_ms = clock_ms();
	a.db = d;
	root = cJSON_CreateObject();
	a.arr = cJSON_AddArrayToObject(root, "conversations");
	if (a.arr == NULL || db_conv_list(d, cx->who.workspace, &f, conv_row,
	    &a) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the conversations now");
		return;
	}
	if (a.n == f.limit) {
		snprintf(next, sizeof(next), "%lld.%lld", a.last_ms, a.last_id);
		cJSON_AddStringToObject(root, "next", next);
	} else
		cJSON_AddNullToObject(root, "next");
	http_json(r, 200, root);
}

struct msg_acc {
	cJSON		*arr;
	long long	 last_ms, last_id;
	int		 n, rows;
	struct db	*db;		/* media: the attachments' state */
};

/* Add key: s, or null. */
static void
add_str(cJSON *o, const char *key, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

static void
msg_row(void *arg, const struct db_msg_row *m)
{
	struct msg_acc	*a = arg;
	cJSON		*o, *q, *rx, *loc;

	a->last_ms = m->at_ms;
	a->last_id = m->at_id;
	a->rows++;
	if (m->skip)
		return;
	if ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(a->arr, o))
		return;
	cJSON_AddNumberToObject(o, "id", (double)m->id);
	add_str(o, "direction", m->direction);
	add_str(o, "kind", m->kind);
	add_str(o, "text", m->text);
	add_str(o, "status", m->status);
	cJSON_AddNumberToObject(o, "sent_at", (double)m->sent_ms);
	/* media: each attachment, with its stored item. */
	api_media_attachments(a->db, m->id, m->direction != NULL &&
	    strcmp(m->direction, "in") == 0, m->attachments, o);
	/* The thread: what it answers, its reactions, unsent, echo. */
	add_str(o, "error", m->error);
	add_str(o, "payload", m->payload);
	if (m->reply_to != NULL && (q = cJSON_AddObjectToObject(o,
	    "reply_to")) != NULL) {
		if (m->quote_id > 0)
			cJSON_AddNumberToObject(q, "id", (double)m->quote_id);
		else
			cJSON_AddNullToObject(q, "id");
		add_str(q, "text", m->quote_text);
	} else
		cJSON_AddNullToObject(o, "reply_to");
	rx = m->reactions != NULL ? cJSON_Parse(m->reactions) : NULL;
	if (!cJSON_IsArray(rx)) {
		cJSON_Delete(rx);
		rx = cJSON_CreateArray();
	}
	cJSON_AddItemToObject(o, "reactions", rx);
	cJSON_AddBoolToObject(o, "unsent", m->unsent_ms > 0);
	if (m->location != NULL && (loc = cJSON_Parse(m->location)) != NULL &&
	    !cJSON_AddItemToObject(o, "location", loc))
		cJSON_Delete(loc);
	/* Sent from Meta's own inbox (or another app): an outbound
	 * message that no send of hubgate made. */
	cJSON_AddBoolToObject(o, "echo", m->direction != NULL &&
	    strcmp(m->direction, "out") == 0 && m->outbox_id == 0);
	/* send-api: the send this message came from, or null. */
	if (m->outbox_id > 0) {
		cJSON *ob = cJSON_AddObjectToObject(o, "outbox");

		cJSON_AddNumberToObject(ob, "id", (double)m->outbox_id);
		add_str(ob, "state", m->outbox_state);
		add_str(ob, "error", m->outbox_error);
	} else
		cJSON_AddNullToObject(o, "outbox");
	/* Meta's events in full: edits, author, standby copy. */
	api_detail_message(a->db, m->id, o);
	a->n++;
}

/* The conversation id of a path CONV_PATH "/ID/" what into *id; 0
 * or -1 when the path is not that. */
static int
path_conv_is(const char *path, const char *what, long long *id)
{
	const char	*p = path + strlen(CONV_PATH), *slash;
	char		 num[24];

	if (*p != '/' || (slash = strchr(p + 1, '/')) == NULL ||
	    strcmp(slash + 1, what) != 0 || slash - p - 1 <= 0 ||
	    (size_t)(slash - p - 1) >= sizeof(num))
		return -1;
	memcpy(num, p + 1, (size_t)(slash - p - 1));
	num[slash - p - 1] = '\0';
	return num_parse_str(num, 1, 1LL << 53, id);
}

/* The conversation id of a path CONV_PATH "/ID/messages"; 0 or -1. */
static int
path_conv(const char *path, long long *id)
{
	return path_conv_is(path, "messages", id);
}

/* Conversation Routing with Meta's inbox (handover.h) into root:
 * "thread_control" {"error" (why Meta refused the last pass or take,
 * or null), "error_at", "pending" (the call on its way, or null)}. */
static void
thread_control_json(struct db *d, long long conv, cJSON *root)
{
	char		 err[512], pending[32];
	long long	 at;
	cJSON		*t;

	if (db_handover_state(d, conv, err, sizeof(err), &at, pending,
	    sizeof(pending)) != 1 ||
	    (t = cJSON_AddObjectToObject(root, "thread_control")) == NULL)
		return;
	if (err[0] != '\0') {
		cJSON_AddStringToObject(t, "error", err);
		cJSON_AddNumberToObject(t, "error_at", (double)at);
	} else {
		cJSON_AddNullToObject(t, "error");
		cJSON_AddNullToObject(t, "error_at");
	}
	if (pending[0] != '\0')
		cJSON_AddStringToObject(t, "pending", pending);
	else
		cJSON_AddNullToObject(t, "pending");
}

/* GET /api/conversations/ID/messages. */
static void
msg_list(struct req *r, const struct route_ctx *cx, struct db *d,
    long long conv)
{
	struct db_conv_info	 ci;
	struct msg_acc		 a;
	long long		 after_ms = 0, after_id = 0;
	int			 limit, rc;
	char			 next[64];
	cJSON			*root;

	limit = cx->v[INBOX_F_LIMIT].set ? (int)cx->v[INBOX_F_LIMIT].n :
	    HG_INBOX_PAGE_MAX;
	if (cx->v[INBOX_F_CURSOR].set && cursor_parse(cx->v[INBOX_F_CURSOR].s,
	    &after_ms, &after_id) == -1) {
		route_error(r, 400, "cursor: invalid");
		return;
	}
	if ((rc = db_conv_info(d, cx->who.workspace, conv, &ci)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such conversation" : "cannot read the conversation now");
		return;
	}
	memset(&a, 0, sizeof(a));
	a.db = d;
	root = cJSON_CreateObject();
	a.arr = cJSON_AddArrayToObject(root, "messages");
	if (a.arr == NULL || db_msg_list(d, conv, after_ms, after_id, limit,
	    msg_row, &a) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the messages now");
		return;
	}
	if (a.rows > 0)
		snprintf(next, sizeof(next), "%lld.%lld", a.last_ms, a.last_id);
	else
		snprintf(next, sizeof(next), "%lld.%lld", after_ms, after_id);
	/* Always a cursor: the client polls with it for what is new. */
	cJSON_AddStringToObject(root, "next", next);
	cJSON_AddBoolToObject(root, "more", a.rows == limit);
	cJSON_AddStringToObject(root, "window", window_names[window_of(
	    ci.kind, ci.last_inbound_ms, clock_ms(), ci.human_agent)]);
	/* Meta's events in full: referral and thread owner. */
	api_detail_conversation(d, conv, root);
	thread_control_json(d, conv, root);
	http_json(r, 200, root);
}

void
api_inbox_get(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	long long	 conv;

	if (strcmp(r->path, CONV_PATH) != 0 && path_conv(r->path, &conv) == -1) {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = inbox_db(r)) == NULL)
		return;
	if (strcmp(r->path, CONV_PATH) == 0)
		conv_list(r, cx, d);
	else
		msg_list(r, cx, d, conv);
}

/* A request to queue on conversation conv, from the caller. */
static void
req_init(struct outbox_req *q, const struct route_ctx *cx, long long conv)
{
	memset(q, 0, sizeof(*q));
	q->workspace = cx->who.workspace;
	q->conversation = conv;
	q->author_kind = cx->who.via == ROUTE_SESSION ? "user" : "api";
	q->author_id = cx->who.user;
	q->idempotency_key = cx->v[SEND_F_KEY].set ? cx->v[SEND_F_KEY].s : NULL;
	q->now_ms = clock_ms();
}

/* The assignee a body's user_id names: a user id, "me" (the caller),
 * or null (nobody) into *user (0: nobody); 0, or -1 when it names
 * none of those. */
static int
assignee_of(const cJSON *body, const struct route_ctx *cx, long long *user)
{
	const cJSON	*u = cJSON_GetObjectItemCaseSensitive(body, "user_id");
	double		 n;

	*user = 0;
	if (cJSON_IsNull(u))
		return 0;
	if (cJSON_IsString(u) && strcmp(u->valuestring, "me") == 0) {
		if ((*user = cx->who.user) <= 0)
			return -1;
		return 0;
	}
	if (cJSON_IsString(u))
		return num_parse_str(u->valuestring, 1, 1LL << 53, user);
	if (!cJSON_IsNumber(u))
		return -1;
	n = u->valuedouble;
	if (!(n >= 1 && n <= (double)(1LL << 53)) || n != (double)(long long)n)
		return -1;
	*user = (long long)n;
	return 0;
}

/* The group a body's group_id names: a group id or null (none) into
 * *group (0: none); 0, or -1 when it names neither. */
static int
group_of(const cJSON *body, long long *group)
{
	const cJSON	*g = cJSON_GetObjectItemCaseSensitive(body, "group_id");
	double		 n;

	*group = 0;
	if (cJSON_IsNull(g))
		return 0;
	if (cJSON_IsString(g))
		return num_parse_str(g->valuestring, 1, 1LL << 53, group);
	if (!cJSON_IsNumber(g))
		return -1;
	n = g->valuedouble;
	if (!(n >= 1 && n <= (double)(1LL << 53)) || n != (double)(long long)n)
		return -1;
	*group = (long long)n;
	return 0;
}

/* POST /api/conversations/ID/{assign,close,reopen,read}: 1 when path
 * is one of those (and answered), 0 when it is not. */
static int
conv_act(struct req *r, const struct route_ctx *cx)
{
	static const struct {
		const char		*what;
		enum db_conv_op		 op;
	} acts[] = {
		{ "assign", DB_CONV_ASSIGN },
		{ "close", DB_CONV_CLOSE },
		{ "reopen", DB_CONV_REOPEN },
		{ "read", DB_CONV_READ },
	};
	struct db_conv_state	 st;
	struct db_conv_info	 ci;
	struct db		*d;
	long long		 conv, user = 0, group = 0, gid;
	cJSON			*body, *o;
	size_t			 i;
	int			 rc, has_user = 1, has_group = 0;

	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (path_conv_is(r->path, acts[i].what, &conv) == 0)
			break;
	if (i == sizeof(acts) / sizeof(acts[0]))
		return 0;
	if ((d = inbox_db(r)) == NULL)
		return 1;
	if (acts[i].op == DB_CONV_ASSIGN) {
		body = cJSON_ParseWithLength(r->body.data, r->body.len);
		/* A person (user_id), a group (group_id), or both. */
		has_user = body != NULL &&
		    cJSON_HasObjectItem(body, "user_id");
		has_group = body != NULL &&
		    cJSON_HasObjectItem(body, "group_id");
		rc = (!has_user && !has_group) ||
		    (has_user && assignee_of(body, cx, &user) == -1);
		if (rc == 0 && has_group && group_of(body, &group) == -1)
			rc = 2;
		cJSON_Delete(body);
		if (rc) {
			route_error(r, 400, rc == 2 ?
			    "group_id: a group id or null" :
			    "user_id: a user id, \"me\" or null; or group_id");
			return 1;
		}
	}
	if ((rc = db_conv_info(d, cx->who.workspace, conv, &ci)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such conversation" : "cannot read the conversation now");
		return 1;
	}
	/* Opening a conversation marks it read at Meta too, when its
	 * channel says so and something is new (a refusal is no error). */
	if (acts[i].op == DB_CONV_READ) {
		struct outbox_req	q;
		struct outbox_res	res;

		req_init(&q, cx, conv);
		q.idempotency_key = NULL;
		q.action = "read";
		if (outbox_enqueue(d, &q, &res) == 0 &&
		    res.verdict == OUTBOX_QUEUED_NEW)
			bg_thread_poke(inbox_worker);
	}
	/* A group is of this workspace before anything changes. */
	if (has_group && group > 0 &&
	    (rc = db_group_find(d, cx->who.workspace, group, NULL,
	    &gid)) != 1) {
		route_error(r, rc == 0 ? 422 : 503, rc == 0 ?
		    "no such group in this workspace" :
		    "cannot read the groups now");
		return 1;
	}
	/* Only a group: the person stays. */
	if ((rc = db_conv_act(d, cx->who.workspace, conv,
	    has_user ? acts[i].op : DB_CONV_STATE, user, &st)) == -1) {
		route_error(r, 503, "cannot change the conversation now");
		return 1;
	}
	if (rc == 0) {
		/* It exists: the assignee is not of this workspace. */
		route_error(r, 422, "that user is not a member of this "
		    "workspace");
		return 1;
	}
	if (has_group && (rc = db_group_assign(d, cx->who.workspace, conv,
	    group)) != 1) {
		route_error(r, rc == 0 ? 422 : 503, rc == 0 ?
		    "no such group in this workspace" :
		    "cannot change the conversation now");
		return 1;
	}
	/* Assigned: the answer says its group too. */
	if (acts[i].op == DB_CONV_ASSIGN && db_conv_act(d, cx->who.workspace,
	    conv, DB_CONV_STATE, 0, &st) != 1) {
		route_error(r, 503, "cannot read the conversation now");
		return 1;
	}
	/* Closed or reopened: automation resumes, and a thread passed to
	 * Meta's inbox is taken back (handover.h; a failure is logged,
	 * the conversation's change stands). */
	if ((acts[i].op == DB_CONV_CLOSE || acts[i].op == DB_CONV_REOPEN) &&
	    (rc = handover_take(d, cx->who.workspace, conv, cx->who.user,
	    clock_ms())) != 0) {
		if (rc == 1)
			bg_thread_poke(inbox_worker);
		else
			log_msg(LOG_LEVEL_ERROR, "handover.take_failed",
			    db_errmsg(d));
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)conv);
	cJSON_AddStringToObject(o, "status", st.status);
	if (st.assigned_user_id > 0)
		cJSON_AddNumberToObject(o, "assigned_user_id",
		    (double)st.assigned_user_id);
	else
		cJSON_AddNullToObject(o, "assigned_user_id");
	if (acts[i].op == DB_CONV_ASSIGN) {
		if (st.assigned_group_id > 0)
			cJSON_AddNumberToObject(o, "assigned_group_id",
			    (double)st.assigned_group_id);
		else
			cJSON_AddNullToObject(o, "assigned_group_id");
	}
	cJSON_AddNumberToObject(o, "unread", (double)st.unread);
	http_json(r, 200, o);
	return 1;
}

/* Answer the outcome of outbox_enqueue (rc, res): 202 {id, state, ...}
 * when queued, else the refusal; wakes the worker. */
static void
answer_queued(struct req *r, int rc, const struct outbox_res *res)
{
	cJSON *o;

	if (rc == -1) {
		route_error(r, 503, "cannot queue the message now");
		return;
	}
	switch (res->verdict) {
	case OUTBOX_NO_CONVERSATION:
		route_error(r, 404, "no such conversation");
		return;
	case OUTBOX_NO_MESSAGE:
		route_error(r, 404, res->why);
		return;
	case OUTBOX_REFUSED:
		route_error(r, 422, res->why);
		return;
	case OUTBOX_BAD_REQUEST:
		route_error(r, 400, res->why);
		return;
	default:
		break;
	}
	if (res->verdict == OUTBOX_QUEUED_NEW)
		bg_thread_poke(inbox_worker);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)res->id);
	/* The same key again: the first answer, and where it is now. */
	cJSON_AddStringToObject(o, "state", "queued");
	if (res->verdict == OUTBOX_QUEUED_NEW) {
		cJSON_AddNumberToObject(o, "sends", res->n);
		cJSON_AddStringToObject(o, "window", window_names[res->window]);
	} else
		cJSON_AddStringToObject(o, "current_state",
		    outbox_state_names[res->state]);
	http_json(r, 202, o);
}

/* The number of the path segment at *p (after its '/') into *n and
 * *p past it: 0, or -1. */
static int
segment_id(const char **p, long long *n)
{
	const char *e;

	if (**p != '/')
		return -1;
	(*p)++;
	for (e = *p; *e >= '0' && *e <= '9'; e++)
		;
	if (num_parse(*p, (size_t)(e - *p), 1, 1LL << 53, n) == -1)
		return -1;
	*p = e;
	return 0;
}

/* The ids of a path CONV_PATH "/ID/messages/MID/reactions"; 0 or -1. */
static int
path_reaction(const char *path, long long *conv, long long *msg)
{
	const char *p = path + strlen(CONV_PATH);

	if (segment_id(&p, conv) == -1 || strncmp(p, "/messages", 9) != 0)
		return -1;
	p += 9;
	if (segment_id(&p, msg) == -1 || strcmp(p, "/reactions") != 0)
		return -1;
	return 0;
}

/* POST /api/conversations/ID/messages/MID/reactions {emoji} and
 * /api/conversations/ID/typing {on}: 1 when path is one of those (and
 * answered), 0 when it is not. */
static int
conv_react(struct req *r, const struct route_ctx *cx)
{
	struct outbox_req	 q;
	struct outbox_res	 res;
	struct db		*d;
	long long		 conv, msg = 0;
	const cJSON		*v;
	cJSON			*body;
	int			 rc, typing;

	typing = path_conv_is(r->path, "typing", &conv) == 0;
	if (!typing && path_reaction(r->path, &conv, &msg) == -1)
		return 0;
	if ((d = inbox_db(r)) == NULL)
		return 1;
	body = cJSON_ParseWithLength(r->body.data, r->body.len);
	v = cJSON_GetObjectItemCaseSensitive(body, typing ? "on" : "emoji");
	if (typing ? !cJSON_IsBool(v) : !cJSON_IsString(v)) {
		cJSON_Delete(body);
		route_error(r, 400, typing ? "on: true or false" :
		    "emoji: an emoji, or \"\" to remove the reaction");
		return 1;
	}
	req_init(&q, cx, conv);
	if (typing)
		q.action = cJSON_IsTrue(v) ? "typing_on" : "typing_off";
	else {
		q.react_to = msg;
		q.emoji = v->valuestring;
	}
	rc = outbox_enqueue(d, &q, &res);
	cJSON_Delete(body);
	answer_queued(r, rc, &res);
	return 1;
}

void
api_inbox_send(struct req *r, const struct route_ctx *cx)
{
	struct outbox_req	 q;
	struct outbox_res	 res;
	struct db		*d;
	long long		 conv;
	cJSON			*body;
	int			 rc;

	if (conv_act(r, cx) || conv_react(r, cx))
		return;
	/* .../reply is the same send, by the name some clients use. */
	if (path_conv(r->path, &conv) == -1 &&
	    path_conv_is(r->path, "reply", &conv) == -1) {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = inbox_db(r)) == NULL)
		return;
	/* The gate validated the flat fields; the nested ones (a
	 * template, an attachment, quick replies) are read from the same
	 * body, which it checked is a JSON object of bounded depth. */
	if ((body = cJSON_ParseWithLength(r->body.data, r->body.len)) == NULL) {
		route_error(r, 400, "body must be a JSON object");
		return;
	}
	req_init(&q, cx, conv);
	q.text = cx->v[SEND_F_TEXT].set ? cx->v[SEND_F_TEXT].s : NULL;
	q.quick_replies = cJSON_GetObjectItemCaseSensitive(body,
	    "quick_replies");
	if (cJSON_IsNull(q.quick_replies))
		q.quick_replies = NULL;
	q.template = cJSON_GetObjectItemCaseSensitive(body, "template");
	if (cJSON_IsNull(q.template))
		q.template = NULL;
	q.attachment = cJSON_GetObjectItemCaseSensitive(body, "attachment");
	if (cJSON_IsNull(q.attachment))
		q.attachment = NULL;
	rc = outbox_enqueue(d, &q, &res);
	cJSON_Delete(body);
	answer_queued(r, rc, &res);
}
