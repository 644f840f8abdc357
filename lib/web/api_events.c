/*
 * api_events: the stored events, dead letters and channels for the
 * operations dashboard.  See api_events.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_events.h"
#include "api_session.h"
#include "app.h"
#include "conf.h"
#include "db_channel.h"
#include "db_event.h"
#include "db_user.h"
#include "http.h"
#include "num.h"
#include "queue.h"
#include "utf8.h"

#define EVENTS_PATH	"/api/events/"

static const struct conf *events_conf;

const struct route_field api_events_fields[EVENTS_F__MAX] = {
	[EVENTS_F_STATE] = { "state", FIELD_TEXT, 1, 16, 0 },
	[EVENTS_F_PLATFORM] = { "platform", FIELD_TEXT, 1, 16, 0 },
	[EVENTS_F_CHANNEL] = { "channel", FIELD_ID, 0, 0, 0 },
	[EVENTS_F_ROUTING] = { "routing", FIELD_TEXT, 1, 16, 0 },
	[EVENTS_F_SINCE] = { "since", FIELD_INT, 0, HG_TIME_MS_MAX, 0 },
	[EVENTS_F_UNTIL] = { "until", FIELD_INT, 0, HG_TIME_MS_MAX, 0 },
	[EVENTS_F_Q] = { "q", FIELD_TEXT, 1, HG_EVENT_Q_MAX, 0 },
	[EVENTS_F_LIMIT] = { "limit", FIELD_INT, 1, HG_EVENT_PAGE_MAX, 0 },
	[EVENTS_F_CURSOR] = { "cursor", FIELD_TEXT, 1, 32, 0 },
};

const struct route_field api_requeue_fields[REQUEUE_F__MAX] = {
	[REQUEUE_F_CONFIRM] = { "confirm", FIELD_INT, 0, HG_TIME_MS_MAX, 0 },
};

const struct route_field api_replay_fields[REPLAY_F__MAX] = {
	[REPLAY_F_SINCE] = { "since", FIELD_INT, 0, HG_TIME_MS_MAX,
	    FIELD_REQUIRED },
	[REPLAY_F_UNTIL] = { "until", FIELD_INT, 0, HG_TIME_MS_MAX,
	    FIELD_REQUIRED },
	[REPLAY_F_CONFIRM] = { "confirm", FIELD_INT, 0, HG_TIME_MS_MAX, 0 },
};

const struct route_field api_channel_fields[CHANNEL_F__MAX] = {
	[CHANNEL_F_KIND] = { "kind", FIELD_TEXT, 1, 16, FIELD_REQUIRED },
	[CHANNEL_F_META_ID] = { "meta_id", FIELD_TEXT, 1, HG_META_ID_MAX,
	    FIELD_REQUIRED },
	[CHANNEL_F_NAME] = { "name", FIELD_TEXT, 0, HG_CHANNEL_NAME_MAX, 0 },
};

void
api_events_setup(const struct conf *c)
{
	events_conf = c;
}

/* The database, or NULL after answering 503. */
static struct db *
events_db(struct req *r)
{
	struct db *d;

	if (events_conf == NULL || (d = app_db(events_conf)) == NULL) {
		route_error(r, 503, "the database is not available");
		return NULL;
	}
	return d;
}

/* The caller's scope into sc: 0, or -1 after answering 503. */
static int
events_scope(struct req *r, struct db *d, const struct route_who *who,
    struct db_scope *sc)
{
	struct db_user	 u;
	int		 rc;

	sc->workspace = who->workspace;
	sc->operator = 0;
	if ((rc = db_user_by_id(d, who->user, &u)) == -1) {
		route_error(r, 503, "cannot read the user now");
		return -1;
	}
	sc->operator = rc == 1 && u.operator != 0;
	return 0;
}

int
api_events_text(struct buf *out, const char *s, size_t n)
{
	static const char	 bad[] = "\xef\xbf\xbd";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, len;

	while (i < n) {
		if (p[i] < 0x80)
			len = 1;
		else if (p[i] >= 0xc2 && p[i] <= 0xdf)
			len = 2;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			len = 3;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			len = 4;
		else
			len = 0;
		if (len > 0 && i + len > n)
			break;		/* cut by the end */
		if (len > 0 && utf8_valid(s + i, len)) {
			if (buf_add(out, s + i, len) == -1)
				return -1;
			i += len;
		} else {
			if (buf_add(out, bad, sizeof(bad) - 1) == -1)
				return -1;
			i++;
		}
	}
	return 0;
}

/* Add n to o as name, or null when n is 0. */
static void
add_ms(cJSON *o, const char *name, long long n)
{
	if (n > 0)
		cJSON_AddNumberToObject(o, name, (double)n);
	else
		cJSON_AddNullToObject(o, name);
}

/* Add s to o as name, or null. */
static void
add_str(cJSON *o, const char *name, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(o, name, s);
	else
		cJSON_AddNullToObject(o, name);
}

/* An event as the list shows it (E of the API). */
static cJSON *
event_json(const struct db_event_row *e)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)e->id);
	cJSON_AddNumberToObject(o, "received_ms", (double)e->received_ms);
	cJSON_AddStringToObject(o, "platform",
	    event_platform_names[event_platform_of(e->object)]);
	add_str(o, "object", e->object);
	add_str(o, "state", e->state);
	add_str(o, "routing", e->routing);
	cJSON_AddNumberToObject(o, "attempts", (double)e->attempts);
	add_ms(o, "channel_id", e->channel_id);
	add_str(o, "channel_name", e->channel_name);
	cJSON_AddNumberToObject(o, "size", (double)e->size);
	add_str(o, "last_error", e->last_error);
	add_ms(o, "processed_ms", e->processed_ms);
	return o;
}

static void
list_one(void *arg, const struct db_event_row *e)
{
	cJSON *j;

	if ((j = event_json(e)) != NULL)
		cJSON_AddItemToArray(arg, j);
}

/* A name of table names[n] from field v into *out (-1 when unset):
 * 0, or -1 after answering 400 naming field and the values. */
static int
name_field(struct req *r, const struct route_val *v, const char *field,
    const char *const *names, int n, int *out)
{
	char	 msg[256];
	size_t	 len;
	int	 i;

	*out = -1;
	if (!v->set)
		return 0;
	if ((*out = db_name_index(names, n, v->s)) >= 0)
		return 0;
	snprintf(msg, sizeof(msg), "%s: must be one of", field);
	for (i = 0; i < n; i++) {
		len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, "%s %s", i > 0 ? "," :
		    "", names[i]);
	}
	route_error(r, 400, msg);
	return -1;
}

/* The list's filter from the validated fields v (indexed as
 * api_events_fields): 0, or -1 after answering 400. */
static int
events_filter(struct req *r, const struct route_val *v,
    struct db_event_filter *f)
{
	db_filter_init(f);
	if (name_field(r, &v[EVENTS_F_STATE], "state", event_state_names,
	    EVENT_STATE__MAX, &f->state) == -1 ||
	    name_field(r, &v[EVENTS_F_PLATFORM], "platform",
	    event_platform_names, PLATFORM__MAX, &f->platform) == -1 ||
	    name_field(r, &v[EVENTS_F_ROUTING], "routing", event_routing_names,
	    ROUTING__MAX, &f->routing) == -1)
		return -1;
	f->channel = v[EVENTS_F_CHANNEL].set ? v[EVENTS_F_CHANNEL].n : 0;
	f->since_ms = v[EVENTS_F_SINCE].set ? v[EVENTS_F_SINCE].n : 0;
	f->until_ms = v[EVENTS_F_UNTIL].set ? v[EVENTS_F_UNTIL].n : 0;
	if (v[EVENTS_F_UNTIL].set && v[EVENTS_F_UNTIL].n == 0) {
		route_error(r, 400, "until: must be a positive time (ms)");
		return -1;
	}
	if (f->until_ms > 0 && f->until_ms <= f->since_ms) {
		route_error(r, 400, "until: must be after since");
		return -1;
	}
	f->q = v[EVENTS_F_Q].set ? v[EVENTS_F_Q].s : NULL;
	return 0;
}

/* GET /api/events */
static void
events_list(struct req *r, const struct route_ctx *cx, struct db *d,
    const struct db_scope *sc)
{
	const struct route_val	*v = cx->v;
	struct db_event_filter	 f;
	cJSON			*root, *a;
	char			 next_s[32];
	long long		 before = 0, next, count;
	int			 rc;

	if (events_filter(r, v, &f) == -1)
		return;
	if (v[EVENTS_F_CURSOR].set && num_parse_str(v[EVENTS_F_CURSOR].s, 1,
	    1LL << 53, &before) == -1) {
		route_error(r, 400, "cursor: not one this list gave");
		return;
	}
	root = cJSON_CreateObject();
	if ((a = cJSON_AddArrayToObject(root, "events")) == NULL) {
		cJSON_Delete(root);
		route_error(r, 500, "out of memory");
		return;
	}
	if (db_event_list(d, sc, &f, before, v[EVENTS_F_LIMIT].set ?
	    (int)v[EVENTS_F_LIMIT].n : HG_EVENT_PAGE_DEFAULT, list_one, a,
	    &next) == -1 || (rc = db_event_count(d, sc, &f, &count)) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the events now");
		return;
	}
	if (next > 0) {
		snprintf(next_s, sizeof(next_s), "%lld", next);
		cJSON_AddStringToObject(root, "next", next_s);
	} else
		cJSON_AddNullToObject(root, "next");
	if (rc == 1)
		cJSON_AddNumberToObject(root, "count", (double)count);
	else
		cJSON_AddNullToObject(root, "count");
	http_json(r, 200, root);
}

/* What db_event_get hands over, as the detail's event. */
struct detail {
	cJSON	*event;
	cJSON	*attempts, *channels, *messages, *feed, *unhandled;
	int	 oom;
};

/* A JSON array of ids stored as text, or an empty array. */
static cJSON *
id_array(const char *text)
{
	cJSON *a = text != NULL ? cJSON_Parse(text) : NULL;

	if (a != NULL && cJSON_IsArray(a))
		return a;
	cJSON_Delete(a);
	return cJSON_CreateArray();
}

static void
detail_event(void *arg, const struct db_event_row *e)
{
	struct detail	*dt = arg;
	struct buf	 text;

	if ((dt->event = event_json(e)) == NULL) {
		dt->oom = 1;
		return;
	}
	add_str(dt->event, "signature", e->signature);
	add_str(dt->event, "sha256", e->sha256);
	add_ms(dt->event, "next_attempt_ms", e->next_attempt_ms);
	add_ms(dt->event, "lease_expires_ms", e->lease_expires_ms);
	cJSON_AddItemToObject(dt->event, "entry_ids", id_array(e->entry_ids));
	cJSON_AddItemToObject(dt->event, "phone_number_ids",
	    id_array(e->phone_ids));
	dt->channels = cJSON_AddArrayToObject(dt->event, "channels");
	buf_init(&text, HG_EVENT_BODY_SHOW * 3 + 16);
	if (api_events_text(&text, e->body, e->body_len) == -1 ||
	    buf_putc(&text, '\0') == -1)
		dt->oom = 1;
	else
		cJSON_AddStringToObject(dt->event, "body", text.data);
	buf_free(&text);
	cJSON_AddBoolToObject(dt->event, "body_truncated",
	    (long long)e->body_len < e->size);
	cJSON_AddBoolToObject(dt->event, "body_json", e->object != NULL);
}

static void
detail_attempt(void *arg, long long n, long long at, const char *error)
{
	struct detail	*dt = arg;
	cJSON		*o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "attempt", (double)n);
	cJSON_AddNumberToObject(o, "at_ms", (double)at);
	add_str(o, "error", error);
	cJSON_AddItemToArray(dt->attempts, o);
}

static void
detail_channel(void *arg, long long id, const char *kind, const char *name)
{
	struct detail	*dt = arg;
	cJSON		*o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)id);
	add_str(o, "kind", kind);
	add_str(o, "name", name);
	cJSON_AddItemToArray(dt->channels, o);
}

static void
detail_message(void *arg, long long id, long long conversation,
    const char *direction, const char *kind, const char *mid, const char *text)
{
	struct detail	*dt = arg;
	cJSON		*o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddNumberToObject(o, "conversation_id", (double)conversation);
	add_str(o, "direction", direction);
	add_str(o, "kind", kind);
	add_str(o, "meta_message_id", mid);
	add_str(o, "text", text);
	cJSON_AddItemToArray(dt->messages, o);
}

static void
detail_feed(void *arg, long long id, const char *meta_id, const char *item,
    const char *status)
{
	struct detail	*dt = arg;
	cJSON		*o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)id);
	add_str(o, "meta_id", meta_id);
	add_str(o, "item", item);
	add_str(o, "status", status);
	cJSON_AddItemToArray(dt->feed, o);
}

static void
detail_unhandled(void *arg, const char *object, const char *type)
{
	struct detail	*dt = arg;
	cJSON		*o = cJSON_CreateObject();

	add_str(o, "object", object);
	add_str(o, "type", type);
	cJSON_AddItemToArray(dt->unhandled, o);
}

/* GET /api/events/ID */
static void
events_one(struct req *r, struct db *d, const struct db_scope *sc,
    long long id)
{
	struct detail		 dt;
	struct db_event_parts	 p = { detail_attempt, detail_channel,
				    detail_message, detail_feed,
				    detail_unhandled, &dt };
	cJSON			*root, *produced;
	int			 rc;

	memset(&dt, 0, sizeof(dt));
	if ((rc = db_event_get(d, sc, id, HG_EVENT_BODY_SHOW, detail_event,
	    &dt)) == -1) {
		route_error(r, 503, "cannot read the event now");
		return;
	}
	if (rc == 0) {
		route_error(r, 404, "no such event");
		return;
	}
	root = cJSON_CreateObject();
	if (root == NULL || dt.event == NULL || dt.oom ||
	    dt.channels == NULL) {
		cJSON_Delete(root);
		cJSON_Delete(dt.event);
		route_error(r, 500, "out of memory");
		return;
	}
	cJSON_AddItemToObject(root, "event", dt.event);
	dt.attempts = cJSON_AddArrayToObject(root, "attempts");
	produced = cJSON_AddObjectToObject(root, "produced");
	dt.messages = cJSON_AddArrayToObject(produced, "messages");
	dt.feed = cJSON_AddArrayToObject(produced, "feed_items");
	dt.unhandled = cJSON_AddArrayToObject(produced, "unhandled");
	if (dt.attempts == NULL || dt.messages == NULL || dt.feed == NULL ||
	    dt.unhandled == NULL) {
		cJSON_Delete(root);
		route_error(r, 500, "out of memory");
		return;
	}
	if (db_event_parts(d, sc, id, &p) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the event now");
		return;
	}
	http_json(r, 200, root);
}

/* GET /api/events/ID/body: the exact bytes, never shown inline. */
static void
events_body(struct req *r, struct db *d, const struct db_scope *sc,
    long long id)
{
	struct buf	 b;
	char		 disp[96];
	int		 rc;

	buf_init(&b, HG_WEBHOOK_BODY_CEILING);
	if ((rc = db_event_raw(d, sc, id, &b)) == -1)
		route_error(r, 503, "cannot read the event now");
	else if (rc == 0)
		route_error(r, 404, "no such event");
	else {
		buf_reset(&r->rhead);
		buf_reset(&r->rbody);
		http_status(r, 200);
		http_add_header(r, "Content-Type", "application/octet-stream");
		snprintf(disp, sizeof(disp),
		    "attachment; filename=\"event-%lld.json\"", id);
		http_add_header(r, "Content-Disposition", disp);
		http_write(r, b.data != NULL ? b.data : "", b.len);
	}
	buf_free(&b);
}

/* The id of /api/events/ID[/suffix] into *id, with what follows it
 * ("" or "/suffix") into *rest: 0, or -1 when the path is not that. */
static int
events_path(const struct req *r, long long *id, const char **rest)
{
	const char	*p = r->path + strlen(EVENTS_PATH), *e;

	if (strncmp(r->path, EVENTS_PATH, strlen(EVENTS_PATH)) != 0)
		return -1;
	e = strchr(p, '/');
	*rest = e != NULL ? e : p + strlen(p);
	return num_parse(p, (size_t)(*rest - p), 1, 1LL << 53, id);
}

void
api_events_get(struct req *r, const struct route_ctx *cx)
{
	struct db_scope	 sc;
	struct db	*d;
	const char	*rest;
	long long	 id;

	if (strcmp(r->path, "/api/events") != 0 &&
	    (events_path(r, &id, &rest) == -1 || (strcmp(rest, "") != 0 &&
	    strcmp(rest, "/body") != 0))) {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = events_db(r)) == NULL || events_scope(r, d, &cx->who,
	    &sc) == -1)
		return;
	if (strcmp(r->path, "/api/events") == 0)
		events_list(r, cx, d, &sc);
	else if (strcmp(rest, "") == 0)
		events_one(r, d, &sc, id);
	else
		events_body(r, d, &sc, id);
}

/* Process now what an action made pending, within inline_budget_ms
 * (0: left to the webhook-retry cron).  Outside any transaction. */
static void
events_process_now(struct db *d)
{
	struct queue_opts	 o;
	struct queue_stats	 st;
	long long		 budget;

	budget = conf_get_int(events_conf, "inline_budget_ms");
	if (budget <= 0 || queue_opts_conf(&o, events_conf) == -1)
		return;
	o.budget_ms = budget;
	memset(&st, 0, sizeof(st));
	/* A failure leaves the events pending: the cron takes them. */
	(void)queue_run(d, &o, &st);
}

/* Answer 503 after rolling back. */
static void
events_fail(struct req *r, struct db *d, const char *what)
{
	char msg[128];

	db_rollback(d);
	snprintf(msg, sizeof(msg), "cannot %s now", what);
	route_error(r, 503, msg);
}

void
api_events_retry(struct req *r, const struct route_ctx *cx)
{
	enum event_state	 s;
	struct db_scope		 sc;
	struct db		*d;
	const char		*rest;
	char			 object[32], msg[128];
	cJSON			*root, *e;
	long long		 id;
	int			 rc;

	if (events_path(r, &id, &rest) == -1 || strcmp(rest, "/retry") != 0) {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = events_db(r)) == NULL ||
	    events_scope(r, d, &cx->who, &sc) == -1)
		return;
	if (db_begin(d) == -1) {
		events_fail(r, d, "retry the event");
		return;
	}
	if ((rc = db_event_retry(d, &sc, id, &s)) == -1) {
		events_fail(r, d, "retry the event");
		return;
	}
	if (rc != 1) {
		db_rollback(d);
		if (rc == 0)
			route_error(r, 404, "no such event");
		else {
			snprintf(msg, sizeof(msg), "only a failed or "
			    "dead-letter event can be retried; this one is %s",
			    event_state_names[s]);
			route_error(r, 409, msg);
		}
		return;
	}
	snprintf(object, sizeof(object), "event:%lld", id);
	if (api_audit(d, &cx->who, cx->who.workspace, "event.retry", object,
	    event_state_names[s], http_client(r)) == -1 ||
	    db_commit(d) == -1) {
		events_fail(r, d, "retry the event");
		return;
	}
	events_process_now(d);
	root = cJSON_CreateObject();
	e = cJSON_AddObjectToObject(root, "event");
	cJSON_AddNumberToObject(e, "id", (double)id);
	cJSON_AddStringToObject(e, "state", event_state_names[EVENT_PENDING]);
	http_json(r, 200, root);
}

/* Answer a count and what was done: 200 {count, <done_name>: done}, or
 * 409 / 422 when a confirmation was given that does not fit. */
static void
events_counted(struct req *r, const char *done_name, int confirmed,
    long long confirm, long long count, long long done)
{
	cJSON	*root;
	char	 msg[160];

	if (confirmed && count > HG_REQUEUE_MAX) {
		snprintf(msg, sizeof(msg), "%lld events: more than %d at once; "
		    "narrow the filter", count, HG_REQUEUE_MAX);
		route_error(r, 422, msg);
		return;
	}
	if (confirmed && confirm != count) {
		snprintf(msg, sizeof(msg), "confirm: %lld events match now, "
		    "not %lld", count, confirm);
		route_error(r, 409, msg);
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "count", (double)count);
	cJSON_AddNumberToObject(root, done_name, (double)done);
	http_json(r, 200, root);
}

/* The filter of a requeue's JSON object j into f: 0, or -1 after
 * answering 400.  Its members are validated as the list's query. */
static int
requeue_filter(struct req *r, const cJSON *j, struct db_event_filter *f)
{
	struct route_val	 v[EVENTS_F__MAX];
	const struct route_field *fl;
	const cJSON		*m;
	char			 num[32], msg[96];
	size_t			 i;

	memset(v, 0, sizeof(v));
	cJSON_ArrayForEach(m, j) {
		for (i = 0; i < EVENTS_F__MAX; i++)
			if (m->string != NULL &&
			    strcmp(m->string, api_events_fields[i].name) == 0)
				break;
		if (i == EVENTS_F__MAX || i == EVENTS_F_Q ||
		    i == EVENTS_F_LIMIT || i == EVENTS_F_CURSOR) {
			snprintf(msg, sizeof(msg), "filter: unknown member %.40s",
			    m->string != NULL ? m->string : "");
			route_error(r, 400, msg);
			return -1;
		}
		fl = &api_events_fields[i];
		if (cJSON_IsNull(m))
			continue;
		if (fl->type == FIELD_TEXT && cJSON_IsString(m) &&
		    strlen(m->valuestring) >= (size_t)fl->min &&
		    strlen(m->valuestring) <= (size_t)fl->max) {
			v[i].set = 1;
			v[i].s = m->valuestring;
		} else if (fl->type != FIELD_TEXT && cJSON_IsNumber(m) &&
		    m->valuedouble >= (fl->type == FIELD_ID ? 1 : 0) &&
		    m->valuedouble <= (double)HG_TIME_MS_MAX &&
		    m->valuedouble == (double)(long long)m->valuedouble) {
			v[i].set = 1;
			v[i].n = (long long)m->valuedouble;
		} else {
			snprintf(num, sizeof(num), "%s", fl->name);
			snprintf(msg, sizeof(msg), "filter.%s: invalid", num);
			route_error(r, 400, msg);
			return -1;
		}
	}
	return events_filter(r, v, f);
}

void
api_events_requeue(struct req *r, const struct route_ctx *cx)
{
	const struct route_val	*v = cx->v;
	struct db_event_filter	 f;
	struct db_scope		 sc;
	struct db		*d = NULL;
	cJSON			*body, *ids, *filter, *it;
	long long		*list = NULL, count = 0, done = 0, confirm;
	char			 detail[96];
	int			 n = 0, ok = 0;

	db_filter_init(&f);
	confirm = v[REQUEUE_F_CONFIRM].set ? v[REQUEUE_F_CONFIRM].n : -1;
	/* The gate validated the body as a JSON object. */
	if ((body = cJSON_ParseWithLength(r->body.data, r->body.len)) == NULL) {
		route_error(r, 400, "body must be a JSON object");
		return;
	}
	ids = cJSON_GetObjectItemCaseSensitive(body, "ids");
	filter = cJSON_GetObjectItemCaseSensitive(body, "filter");
	if ((ids == NULL) == (filter == NULL)) {
		route_error(r, 400, "give ids or filter (one of them)");
		goto out;
	}
	if (ids != NULL) {
		if (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) == 0) {
			route_error(r, 400, "ids: a non-empty array of event ids");
			goto out;
		}
		if (cJSON_GetArraySize(ids) > HG_REQUEUE_MAX) {
			route_error(r, 422, "ids: more than "
			    HG_STR(HG_REQUEUE_MAX) " at once");
			goto out;
		}
		if ((list = calloc((size_t)cJSON_GetArraySize(ids),
		    sizeof(*list))) == NULL) {
			route_error(r, 500, "out of memory");
			goto out;
		}
		cJSON_ArrayForEach(it, ids) {
			if (!cJSON_IsNumber(it) || it->valuedouble < 1 ||
			    it->valuedouble > (double)(1LL << 53) ||
			    it->valuedouble != (double)(long long)it->valuedouble) {
				route_error(r, 400, "ids: event ids are "
				    "positive whole numbers");
				goto out;
			}
			list[n++] = (long long)it->valuedouble;
		}
	} else if (!cJSON_IsObject(filter)) {
		route_error(r, 400, "filter: must be an object");
		goto out;
	} else if (requeue_filter(r, filter, &f) == -1)
		goto out;
	if ((d = events_db(r)) == NULL ||
	    events_scope(r, d, &cx->who, &sc) == -1)
		goto out;
	if (db_begin(d) == -1 || db_event_requeue(d, &sc, list, n, &f,
	    confirm, &count, &done) == -1) {
		events_fail(r, d, "requeue");
		goto out;
	}
	if (done > 0) {
		snprintf(detail, sizeof(detail), "%lld events by %s", done,
		    list != NULL ? "id" : "filter");
		if (api_audit(d, &cx->who, cx->who.workspace, "event.requeue",
		    "events", detail, http_client(r)) == -1) {
			events_fail(r, d, "requeue");
			goto out;
		}
	}
	if (db_commit(d) == -1) {
		events_fail(r, d, "requeue");
		goto out;
	}
	ok = 1;
	events_counted(r, "requeued", confirm >= 0, confirm, count, done);
out:
	if (ok && done > 0)
		events_process_now(d);
	free(list);
	cJSON_Delete(body);
}

void
api_events_replay(struct req *r, const struct route_ctx *cx)
{
	const struct route_val	*v = cx->v;
	struct db_scope		 sc;
	struct db		*d;
	long long		 since = v[REPLAY_F_SINCE].n;
	long long		 until = v[REPLAY_F_UNTIL].n, confirm;
	long long		 count, done;
	char			 detail[96];

	confirm = v[REPLAY_F_CONFIRM].set ? v[REPLAY_F_CONFIRM].n : -1;
	if (until <= since) {
		route_error(r, 400, "until: must be after since");
		return;
	}
	if ((d = events_db(r)) == NULL ||
	    events_scope(r, d, &cx->who, &sc) == -1)
		return;
	if (db_begin(d) == -1 || db_event_replay(d, &sc, since, until,
	    confirm, &count, &done) == -1) {
		events_fail(r, d, "replay");
		return;
	}
	if (done > 0) {
		snprintf(detail, sizeof(detail), "%lld events received in "
		    "[%lld, %lld) ms", done, since, until);
		if (api_audit(d, &cx->who, cx->who.workspace, "event.replay",
		    "events", detail, http_client(r)) == -1) {
			events_fail(r, d, "replay");
			return;
		}
	}
	if (db_commit(d) == -1) {
		events_fail(r, d, "replay");
		return;
	}
	if (done > 0)
		events_process_now(d);
	events_counted(r, "replayed", confirm >= 0, confirm, count, done);
}

void
api_events_delete(struct req *r, const struct route_ctx *cx)
{
	struct db_scope	 sc;
	struct db	*d;
	const char	*rest;
	char		 object[32];
	long long	 id;
	int		 rc;

	if (events_path(r, &id, &rest) == -1 || strcmp(rest, "") != 0) {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = events_db(r)) == NULL ||
	    events_scope(r, d, &cx->who, &sc) == -1)
		return;
	if (db_begin(d) == -1 || (rc = db_event_delete(d, &sc, id)) == -1) {
		events_fail(r, d, "delete the event");
		return;
	}
	if (rc == 0) {
		db_rollback(d);
		route_error(r, 404, "no such event");
		return;
	}
	snprintf(object, sizeof(object), "event:%lld", id);
	if (api_audit(d, &cx->who, cx->who.workspace, "event.delete", object,
	    "its messages kept", http_client(r)) == -1 || db_commit(d) == -1) {
		events_fail(r, d, "delete the event");
		return;
	}
	buf_reset(&r->rhead);
	buf_reset(&r->rbody);
	http_status(r, 204);
}

static void
dead_one(void *arg, const char *error, long long count, long long first,
    long long last, long long sample)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return;
	cJSON_AddStringToObject(o, "error", error);
	cJSON_AddNumberToObject(o, "count", (double)count);
	cJSON_AddNumberToObject(o, "first_ms", (double)first);
	cJSON_AddNumberToObject(o, "last_ms", (double)last);
	cJSON_AddNumberToObject(o, "sample_event_id", (double)sample);
	cJSON_AddItemToArray(arg, o);
}

void
api_dead_letters(struct req *r, const struct route_ctx *cx)
{
	struct db_scope	 sc;
	struct db	*d;
	cJSON		*root, *a;

	if ((d = events_db(r)) == NULL ||
	    events_scope(r, d, &cx->who, &sc) == -1)
		return;
	root = cJSON_CreateObject();
	if ((a = cJSON_AddArrayToObject(root, "groups")) == NULL ||
	    db_dead_letters(d, &sc, dead_one, a) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the dead letters now");
		return;
	}
	http_json(r, 200, root);
}

/* A channel as the API shows one. */
static cJSON *
channel_json(const struct db_channel_row *c)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)c->id);
	add_str(o, "kind", c->kind);
	cJSON_AddStringToObject(o, "platform", strcmp(c->kind, "page") == 0 ?
	    "messenger" : c->kind);
	add_str(o, "meta_id", c->meta_id);
	add_str(o, "name", c->name);
	add_str(o, "token_status", c->token_status);
	add_ms(o, "last_event_at", c->last_event_at);
	return o;
}

static void
channel_one(void *arg, const struct db_channel_row *c)
{
	cJSON *j;

	if ((j = channel_json(c)) != NULL)
		cJSON_AddItemToArray(arg, j);
}

void
api_channels_list(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	cJSON		*root, *a;

	if ((d = events_db(r)) == NULL)
		return;
	root = cJSON_CreateObject();
	if ((a = cJSON_AddArrayToObject(root, "channels")) == NULL ||
	    db_channel_list(d, cx->who.workspace, channel_one, a) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the channels now");
		return;
	}
	http_json(r, 200, root);
}

void
api_channels_add(struct req *r, const struct route_ctx *cx)
{
	const struct route_val	*v = cx->v;
	const char		*kind = v[CHANNEL_F_KIND].s;
	const char		*meta_id = v[CHANNEL_F_META_ID].s;
	const char		*name = v[CHANNEL_F_NAME].set ?
				    v[CHANNEL_F_NAME].s : "";
	struct db_channel_row	 c;
	struct db		*d;
	cJSON			*root;
	char			 object[32], detail[128];
	long long		 id = 0, rerouted = 0;
	size_t			 i;
	int			 rc;

	if (strcmp(kind, "page") != 0 && strcmp(kind, "instagram") != 0 &&
	    strcmp(kind, "whatsapp") != 0) {
		route_error(r, 400, "kind: must be page, instagram or whatsapp");
		return;
	}
	for (i = 0; meta_id[i] != '\0'; i++)
		if (meta_id[i] < '0' || meta_id[i] > '9') {
			route_error(r, 400, "meta_id: Meta's id, digits only");
			return;
		}
	if ((d = events_db(r)) == NULL)
		return;
	if (db_begin(d) == -1 || (rc = db_channel_connect(d,
	    cx->who.workspace, kind, meta_id, name, &id, &rerouted)) == -1) {
		events_fail(r, d, "connect the channel");
		return;
	}
	if (rc == 0) {
		db_rollback(d);
		route_error(r, 409, "that account is connected already");
		return;
	}
	snprintf(object, sizeof(object), "channel:%lld", id);
	snprintf(detail, sizeof(detail), "%s %s, %lld earlier events routed",
	    kind, meta_id, rerouted);
	if (api_audit(d, &cx->who, cx->who.workspace, "channel.add", object,
	    detail, http_client(r)) == -1 || db_commit(d) == -1) {
		events_fail(r, d, "connect the channel");
		return;
	}
	if (rerouted > 0)
		events_process_now(d);
	memset(&c, 0, sizeof(c));
	c.id = id;
	c.kind = kind;
	c.meta_id = meta_id;
	c.name = name;
	c.token_status = "none";
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "channel", channel_json(&c));
	cJSON_AddNumberToObject(root, "rerouted", (double)rerouted);
	http_json(r, 201, root);
}
