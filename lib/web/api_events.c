/*
 * api_events: the stored events, dead letters and channels for the
 * operations dashboard.  See api_events.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_detail.h"
#include "api_events.h"
#include "api_events_int.h"
#include "api_session.h"
#include "app.h"
#include "conf.h"
#include "db_channel.h"
#include "db_event.h"
#include "db_user.h"
#include "http.h"
#include "json.h"
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

struct db *
api_events_db(struct req *r)
{
	struct db *d;

	if (events_conf == NULL || (d = app_db(events_conf)) == NULL) {
		route_error(r, 503, "the database is not available");
		return NULL;
	}
	return d;
}

int
api_events_scope(struct req *r, struct db *d, const struct route_who *who,
    struct db_scope *sc)
{
	int op;

	sc->workspace = who->workspace;
	if ((op = api_operator(d, who)) == -1) {
		route_error(r, 503, "cannot read the user now");
		return -1;
	}
	sc->operator = op;
	return 0;
}

void
api_events_process_now(struct db *d)
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

void
api_events_fail(struct req *r, struct db *d, const char *what)
{
	char msg[128];

	db_rollback(d);
	snprintf(msg, sizeof(msg), "cannot %s now", what);
	route_error(r, 503, msg);
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

/* An event as the list shows it (E of the API). */
static cJSON *
event_json(const struct db_event_row *e)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	json_add_int(o, "id", e->id);
	json_add_int(o, "received_ms", e->received_ms);
	cJSON_AddStringToObject(o, "platform",
	    event_platform_names[event_platform_of(e->object)]);
	json_add_str_or_null(o, "object", e->object);
	json_add_str_or_null(o, "state", e->state);
	json_add_str_or_null(o, "routing", e->routing);
	json_add_int(o, "attempts", e->attempts);
	json_add_num_or_null(o, "channel_id", e->channel_id);
	json_add_str_or_null(o, "channel_name", e->channel_name);
	json_add_int(o, "size", e->size);
	json_add_str_or_null(o, "last_error", e->last_error);
	json_add_num_or_null(o, "processed_ms", e->processed_ms);
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

int
api_events_filter(struct req *r, const struct route_val *v,
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
	cJSON			*root, *a, *it;
	char			 next_s[32];
	long long		 before = 0, next, count;
	int			 rc;

	if (api_events_filter(r, v, &f) == -1)
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
	/* Meta's Test button's bodies, marked. */
	for (it = a->child; it != NULL; it = it->next)
		api_detail_event(d, it);
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
	json_add_str_or_null(dt->event, "signature", e->signature);
	json_add_str_or_null(dt->event, "sha256", e->sha256);
	json_add_num_or_null(dt->event, "next_attempt_ms", e->next_attempt_ms);
	json_add_num_or_null(dt->event, "lease_expires_ms", e->lease_expires_ms);
	cJSON_AddItemToObject(dt->event, "entry_ids", id_array(e->entry_ids));
	cJSON_AddItemToObject(dt->event, "phone_number_ids",
	    id_array(e->phone_ids));
	dt->channels = cJSON_AddArrayToObject(dt->event, "channels");
	if (e->body == NULL) {
		/* Shared with another workspace: its body names their
		 * customers too. */
		cJSON_AddNullToObject(dt->event, "body");
		cJSON_AddBoolToObject(dt->event, "body_withheld", 1);
		cJSON_AddBoolToObject(dt->event, "body_truncated", 0);
		cJSON_AddBoolToObject(dt->event, "body_json",
		    e->object != NULL);
		return;
	}
	cJSON_AddBoolToObject(dt->event, "body_withheld", 0);
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
	json_add_str_or_null(o, "error", error);
	cJSON_AddItemToArray(dt->attempts, o);
}

static void
detail_channel(void *arg, long long id, const char *kind, const char *name)
{
	struct detail	*dt = arg;
	cJSON		*o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)id);
	json_add_str_or_null(o, "kind", kind);
	json_add_str_or_null(o, "name", name);
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
	json_add_str_or_null(o, "direction", direction);
	json_add_str_or_null(o, "kind", kind);
	json_add_str_or_null(o, "meta_message_id", mid);
	json_add_str_or_null(o, "text", text);
	cJSON_AddItemToArray(dt->messages, o);
}

static void
detail_feed(void *arg, long long id, const char *meta_id, const char *item,
    const char *status)
{
	struct detail	*dt = arg;
	cJSON		*o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)id);
	json_add_str_or_null(o, "meta_id", meta_id);
	json_add_str_or_null(o, "item", item);
	json_add_str_or_null(o, "status", status);
	cJSON_AddItemToArray(dt->feed, o);
}

static void
detail_unhandled(void *arg, const char *object, const char *type)
{
	struct detail	*dt = arg;
	cJSON		*o = cJSON_CreateObject();

	json_add_str_or_null(o, "object", object);
	json_add_str_or_null(o, "type", type);
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
	api_detail_event(d, dt.event);
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

int
api_events_path(const struct req *r, long long *id, const char **rest)
{
	return route_path_id(r, EVENTS_PATH, id, rest);
}

void
api_events_get(struct req *r, const struct route_ctx *cx)
{
	struct db_scope	 sc;
	struct db	*d;
	const char	*rest;
	long long	 id;

	if (strcmp(r->path, "/api/events") != 0 &&
	    (api_events_path(r, &id, &rest) == -1 || (strcmp(rest, "") != 0 &&
	    strcmp(rest, "/body") != 0))) {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = api_events_db(r)) == NULL || api_events_scope(r, d, &cx->who,
	    &sc) == -1)
		return;
	if (strcmp(r->path, "/api/events") == 0)
		events_list(r, cx, d, &sc);
	else if (strcmp(rest, "") == 0)
		events_one(r, d, &sc, id);
	else
		events_body(r, d, &sc, id);
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

	if ((d = api_events_db(r)) == NULL ||
	    api_events_scope(r, d, &cx->who, &sc) == -1)
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

