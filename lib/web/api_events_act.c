/*
 * api_events_act: what people do with stored events from the
 * operations dashboard: retry, requeue, replay and delete them.  See
 * api_events.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_events.h"
#include "api_events_int.h"
#include "api_session.h"
#include "db_event.h"
#include "http.h"

/* Answer 409: the event is shared with another workspace. */
static void
events_shared(struct req *r)
{
	route_error(r, 409, "this event is also another workspace's: "
	    "only an action on events wholly this workspace's is allowed");
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

	if (api_events_path(r, &id, &rest) == -1 || strcmp(rest, "/retry") != 0) {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = api_events_db(r)) == NULL ||
	    api_events_scope(r, d, &cx->who, &sc) == -1)
		return;
	if (db_begin(d) == -1) {
		api_events_fail(r, d, "retry the event");
		return;
	}
	if ((rc = db_event_retry(d, &sc, id, &s)) == -1) {
		api_events_fail(r, d, "retry the event");
		return;
	}
	if (rc != 1) {
		db_rollback(d);
		if (rc == 0)
			route_error(r, 404, "no such event");
		else if (rc == 3)
			events_shared(r);
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
		api_events_fail(r, d, "retry the event");
		return;
	}
	api_events_process_now(d);
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
		snprintf(msg, sizeof(msg), "more than %d events (counted to "
		    "%lld): narrow the filter", HG_REQUEUE_MAX, count);
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
	return api_events_filter(r, v, f);
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
	int			 n = 0, ok = 0, rc;

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
	if ((d = api_events_db(r)) == NULL ||
	    api_events_scope(r, d, &cx->who, &sc) == -1)
		goto out;
	/* Counted (to at most HG_REQUEUE_MAX + 1) before the write lock:
	 * a count, or a confirmation that does not fit, is answered
	 * without taking it. */
	if ((rc = db_event_requeue_count(d, &sc, list, n, &f,
	    &count)) == -1) {
		route_error(r, 503, "cannot count the events now");
		goto out;
	}
	if (rc == 2) {
		events_shared(r);
		goto out;
	}
	if (confirm != count || count > HG_REQUEUE_MAX || count == 0) {
		events_counted(r, "requeued", confirm >= 0, confirm, count, 0);
		goto out;
	}
	if (db_begin(d) == -1 || (rc = db_event_requeue(d, &sc, list, n, &f,
	    confirm, &count, &done)) == -1) {
		api_events_fail(r, d, "requeue");
		goto out;
	}
	if (rc == 2) {
		db_rollback(d);
		events_shared(r);
		goto out;
	}
	if (done > 0) {
		snprintf(detail, sizeof(detail), "%lld events by %s", done,
		    list != NULL ? "id" : "filter");
		if (api_audit(d, &cx->who, cx->who.workspace, "event.requeue",
		    "events", detail, http_client(r)) == -1) {
			api_events_fail(r, d, "requeue");
			goto out;
		}
	}
	if (db_commit(d) == -1) {
		api_events_fail(r, d, "requeue");
		goto out;
	}
	ok = 1;
	events_counted(r, "requeued", confirm >= 0, confirm, count, done);
out:
	if (ok && done > 0)
		api_events_process_now(d);
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
	if ((d = api_events_db(r)) == NULL ||
	    api_events_scope(r, d, &cx->who, &sc) == -1)
		return;
	/* Counted before the write lock, as a requeue is. */
	if (db_event_replay_count(d, &sc, since, until, &count) == -1) {
		route_error(r, 503, "cannot count the events now");
		return;
	}
	if (confirm != count || count > HG_REQUEUE_MAX || count == 0) {
		events_counted(r, "replayed", confirm >= 0, confirm, count, 0);
		return;
	}
	if (db_begin(d) == -1 || db_event_replay(d, &sc, since, until,
	    confirm, &count, &done) == -1) {
		api_events_fail(r, d, "replay");
		return;
	}
	if (done > 0) {
		snprintf(detail, sizeof(detail), "%lld events received in "
		    "[%lld, %lld) ms", done, since, until);
		if (api_audit(d, &cx->who, cx->who.workspace, "event.replay",
		    "events", detail, http_client(r)) == -1) {
			api_events_fail(r, d, "replay");
			return;
		}
	}
	if (db_commit(d) == -1) {
		api_events_fail(r, d, "replay");
		return;
	}
	if (done > 0)
		api_events_process_now(d);
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

	if (api_events_path(r, &id, &rest) == -1 || strcmp(rest, "") != 0) {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = api_events_db(r)) == NULL ||
	    api_events_scope(r, d, &cx->who, &sc) == -1)
		return;
	if (db_begin(d) == -1 || (rc = db_event_delete(d, &sc, id)) == -1) {
		api_events_fail(r, d, "delete the event");
		return;
	}
	if (rc != 1) {
		db_rollback(d);
		if (rc == 0)
			route_error(r, 404, "no such event");
		else if (rc == 2)
			route_error(r, 409, "the event is being processed; "
			    "delete it once it is done");
		else
			events_shared(r);
		return;
	}
	snprintf(object, sizeof(object), "event:%lld", id);
	if (api_audit(d, &cx->who, cx->who.workspace, "event.delete", object,
	    "its messages kept", http_client(r)) == -1 || db_commit(d) == -1) {
		api_events_fail(r, d, "delete the event");
		return;
	}
	buf_reset(&r->rhead);
	buf_reset(&r->rbody);
	http_status(r, 204);
}

