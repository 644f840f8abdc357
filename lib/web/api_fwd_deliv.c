/*
 * api_fwd_deliv: forwarding's deliveries in the API: a destination's
 * deliveries, one delivery with its attempts, a test event, resending
 * one delivery or every dead one, and replaying a time range.  See
 * api_fwd.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "api_fwd.h"
#include "api_fwd_int.h"
#include "bgthread.h"
#include "clock.h"
#include "db.h"
#include "db_fwd.h"
#include "http.h"
#include "json.h"
#include "limits.h"

#define DELIV_PATH	"/api/deliveries"

/* A time of a replay's range: unix milliseconds, or ISO 8601 UTC
 * ("2026-11-30T22:00:00Z", fraction optional); 0 or -1. */
static int
time_of(const cJSON *v, long long *ms)
{
	struct tm	 tm;
	const char	*e;

	if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
	    v->valuedouble < 1e15) {
		*ms = (long long)v->valuedouble;
		return 0;
	}
	if (!cJSON_IsString(v))
		return -1;
	memset(&tm, 0, sizeof(tm));
	if ((e = strptime(v->valuestring, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*e == '.')
		for (e++; *e >= '0' && *e <= '9'; e++)
			;
	if (strcmp(e, "Z") != 0 && strcmp(e, "+00:00") != 0)
		return -1;
	*ms = (long long)timegm(&tm) * 1000;
	return 0;
}

/* POST /api/destinations/ID/replay. */
void
api_fwd_replay(struct req *r, const struct route_ctx *cx, struct db *d,
    long long id)
{
	struct db_fwd_dest	 x;
	cJSON			*body = NULL, *root;
	long long		 since, until, n = 0, now = clock_ms();
	char			 detail[96];
	int			 rc;

	if (route_json_body(r, &body) == -1)
		return;
	if (time_of(cJSON_GetObjectItemCaseSensitive(body, "since"),
	    &since) == -1 || time_of(cJSON_GetObjectItemCaseSensitive(body,
	    "until"), &until) == -1 || until <= since) {
		cJSON_Delete(body);
		route_error(r, 400, "since, until: the range of events to "
		    "send again (unix ms or ISO 8601 UTC), since < until");
		return;
	}
	cJSON_Delete(body);
	if ((rc = db_fwd_dest_get(d, cx->who.workspace, id, now, &x)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such destination" : "cannot read it now");
		return;
	}
	if (db_begin(d) == -1 || db_fwd_replay(d, cx->who.workspace, id,
	    since, until, now, &n) == -1 || db_commit(d) == -1) {
		db_rollback(d);
		route_error(r, 503, "cannot replay now");
		return;
	}
	snprintf(detail, sizeof(detail), "since=%lld until=%lld events=%lld",
	    since, until, n);
	api_fwd_audit(r, cx, d, "destination_replay", id, detail);
	bg_thread_poke(api_fwd_thread);
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "deliveries", (double)n);
	http_json(r, 202, root);
}

struct deliv_acc {
	cJSON		*arr;
	long long	 last;
	int		 n;
};

static cJSON *
delivery_json(const struct db_fwd_delivery *x)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)x->id);
	cJSON_AddNumberToObject(o, "destination_id", (double)x->destination_id);
	cJSON_AddStringToObject(o, "event_id", x->uid);
	cJSON_AddStringToObject(o, "type", x->type);
	cJSON_AddStringToObject(o, "state", x->state);
	cJSON_AddNumberToObject(o, "attempts", (double)x->attempts);
	if (strcmp(x->state, "pending") == 0)
		cJSON_AddNumberToObject(o, "next_attempt_ms",
		    (double)x->next_attempt_ms);
	else
		cJSON_AddNullToObject(o, "next_attempt_ms");
	json_add_num_or_null(o, "last_status", x->last_status);
	json_add_str_or_null(o, "last_error", x->last_error[0] ?
	    x->last_error : NULL);
	cJSON_AddNumberToObject(o, "created_ms", (double)x->created_ms);
	json_add_num_or_null(o, "done_ms", x->done_ms);
	return o;
}

static void
deliv_one(void *arg, const struct db_fwd_delivery *x)
{
	struct deliv_acc *a = arg;

	cJSON_AddItemToArray(a->arr, delivery_json(x));
	a->last = x->id;
	a->n++;
}

/* GET /api/destinations/ID/deliveries. */
void
api_fwd_dest_deliveries(struct req *r, const struct route_ctx *cx, struct db *d,
    long long id)
{
	struct db_fwd_dest	 x;
	struct deliv_acc	 a;
	const char		*state = NULL;
	cJSON			*root;
	int			 limit = 50, rc;

	if (cx->v[FWD_F_STATE].set) {
		state = cx->v[FWD_F_STATE].s;
		if (strcmp(state, "pending") != 0 && strcmp(state,
		    "delivered") != 0 && strcmp(state, "dead") != 0) {
			route_error(r, 400, "state: pending, delivered or dead");
			return;
		}
	}
	if (cx->v[FWD_F_LIMIT].set)
		limit = (int)cx->v[FWD_F_LIMIT].n;
	if ((rc = db_fwd_dest_get(d, cx->who.workspace, id, clock_ms(),
	    &x)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such destination" : "cannot read it now");
		return;
	}
	root = cJSON_CreateObject();
	memset(&a, 0, sizeof(a));
	a.arr = cJSON_AddArrayToObject(root, "data");
	if (db_fwd_deliveries(d, cx->who.workspace, id, state,
	    cx->v[FWD_F_BEFORE].set ? cx->v[FWD_F_BEFORE].n : 0, limit,
	    deliv_one, &a) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the deliveries now");
		return;
	}
	if (a.n == limit)
		cJSON_AddNumberToObject(root, "next_before", (double)a.last);
	else
		cJSON_AddNullToObject(root, "next_before");
	http_json(r, 200, root);
}

/* POST /api/destinations/ID/test. */
void
api_fwd_test(struct req *r, const struct route_ctx *cx, struct db *d,
    long long id)
{
	struct db_fwd_dest	 x;
	cJSON			*root;
	long long		 now = clock_ms();
	char			 uid[64];
	int			 rc;

	if ((rc = db_fwd_dest_get(d, cx->who.workspace, id, now,
	    &x)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such destination" : "cannot read it now");
		return;
	}
	if (!x.enabled) {
		route_error(r, 409, "the destination is disabled: "
		    "enable it first");
		return;
	}
	if (db_begin(d) == -1 || (rc = db_fwd_test(d,
	    cx->who.workspace, id, now, uid)) != 1 ||
	    db_commit(d) == -1) {
		db_rollback(d);
		route_error(r, 503, "cannot queue a test event now");
		return;
	}
	bg_thread_poke(api_fwd_thread);
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "event_id", uid);
	http_json(r, 202, root);
}

/* POST /api/destinations/ID/resend. */
void
api_fwd_resend_dead(struct req *r, const struct route_ctx *cx, struct db *d,
    long long id)
{
	struct db_fwd_dest	 x;
	cJSON			*root;
	long long		 n = 0, now = clock_ms();
	char			 detail[64];
	int			 rc;

	if ((rc = db_fwd_dest_get(d, cx->who.workspace, id, now,
	    &x)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such destination" : "cannot read it now");
		return;
	}
	if (db_fwd_resend_dead(d, cx->who.workspace, id, now,
	    &n) == -1) {
		route_error(r, 503, "cannot resend now");
		return;
	}
	snprintf(detail, sizeof(detail), "deliveries=%lld", n);
	api_fwd_audit(r, cx, d, "destination_resend", id, detail);
	bg_thread_poke(api_fwd_thread);
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "deliveries", (double)n);
	http_json(r, 202, root);
}

struct att_acc {
	cJSON	*arr;
};

static void
att_one(void *arg, const struct db_fwd_attempt *x)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)x->id);
	cJSON_AddNumberToObject(o, "started_ms", (double)x->started_ms);
	cJSON_AddNumberToObject(o, "duration_ms", (double)x->duration_ms);
	json_add_num_or_null(o, "status", x->status);
	json_add_str_or_null(o, "error", x->error[0] ? x->error : NULL);
	json_add_str_or_null(o, "response", x->response[0] ? x->response :
	    NULL);
	cJSON_AddItemToArray(arg, o);
}

void
api_fwd_deliveries(struct req *r, const struct route_ctx *cx)
{
	struct db_fwd_delivery	 x;
	struct db		*d;
	const char		*rest;
	cJSON			*root;
	long long		 id;
	int			 rc;

	if ((d = api_fwd_db(r)) == NULL)
		return;
	if (route_path_id(r, DELIV_PATH "/", &id, &rest) == -1) {
		route_error(r, 404, "no such delivery");
		return;
	}
	if (r->method == HTTP_POST && strcmp(rest, "/resend") == 0) {
		if ((rc = db_fwd_resend(d, cx->who.workspace, id,
		    clock_ms())) != 1) {
			route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
			    "no such delivery" : "cannot resend now");
			return;
		}
		bg_thread_poke(api_fwd_thread);
	} else if (r->method != HTTP_GET || *rest != '\0') {
		route_error(r, 404, "no such action");
		return;
	}
	if ((rc = db_fwd_delivery_get(d, cx->who.workspace, id, &x)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such delivery" : "cannot read it now");
		return;
	}
	root = delivery_json(&x);
	if (db_fwd_attempts(d, id, att_one,
	    cJSON_AddArrayToObject(root, "attempts")) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the attempts now");
		return;
	}
	http_json(r, r->method == HTTP_POST ? 202 : 200, root);
}
