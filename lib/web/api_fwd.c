/*
 * api_fwd: forwarding's API, its routing and what its parts share:
 * the destinations' list, one destination, its deletion, and the
 * overview's problems.  Saving a destination is in api_fwd_save.c;
 * deliveries, attempts, tests, resends and replays in api_fwd_deliv.c.
 * See api_fwd.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "api_fwd.h"
#include "api_fwd_int.h"
#include "api_session.h"
#include "app.h"
#include "clock.h"
#include "db.h"
#include "db_fwd.h"
#include "http.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "urlsafe.h"

#define DEST_PATH	"/api/destinations"

const struct conf	*api_fwd_conf;
struct bg_thread	*api_fwd_thread;

const struct route_field api_fwd_fields[FWD_F__MAX] = {
	[FWD_F_STATE] = { "state", FIELD_TEXT, 1, 16, 0 },
	[FWD_F_BEFORE] = { "before", FIELD_ID, 0, 0, 0 },
	[FWD_F_LIMIT] = { "limit", FIELD_INT, 1, HG_FWD_PAGE_MAX, 0 },
};

void
api_fwd_setup(const struct conf *c, struct bg_thread *t)
{
	api_fwd_conf = c;
	api_fwd_thread = t;
}

/* The database, or NULL after answering 503. */
struct db *
api_fwd_db(struct req *r)
{
	struct db *d;

	if (api_fwd_conf == NULL || (d = app_db(api_fwd_conf)) == NULL) {
		route_error(r, 503, "the database is not available");
		return NULL;
	}
	return d;
}

/* Parse JSON array text into a new array (an empty one if it fails). */
static cJSON *
json_array_of(const char *s)
{
	cJSON *a = cJSON_Parse(s);

	if (a == NULL || !cJSON_IsArray(a)) {
		cJSON_Delete(a);
		a = cJSON_CreateArray();
	}
	return a;
}

cJSON *
api_fwd_dest_json(const struct db_fwd_dest *x)
{
	cJSON *o = cJSON_CreateObject(), *s;

	cJSON_AddNumberToObject(o, "id", (double)x->id);
	cJSON_AddStringToObject(o, "url", x->url);
	cJSON_AddStringToObject(o, "description", x->description);
	cJSON_AddItemToObject(o, "events", json_array_of(x->events));
	cJSON_AddItemToObject(o, "channels", json_array_of(x->channels));
	cJSON_AddItemToObject(o, "platforms", json_array_of(x->platforms));
	cJSON_AddBoolToObject(o, "enabled", x->enabled);
	cJSON_AddBoolToObject(o, "ordered", x->ordered);
	cJSON_AddBoolToObject(o, "include_raw", x->include_raw);
	json_add_num_or_null(o, "rate_per_s", x->rate_per_s);
	cJSON_AddBoolToObject(o, "has_headers", x->has_headers);
	json_add_str_or_null(o, "disabled_reason", x->disabled_reason[0] ?
	    x->disabled_reason : NULL);
	json_add_num_or_null(o, "failing_since_ms", x->failing_since_ms);
	json_add_num_or_null(o, "last_attempt_ms", x->last_attempt_ms);
	json_add_num_or_null(o, "last_success_ms", x->last_success_ms);
	json_add_num_or_null(o, "last_status", x->last_status);
	json_add_str_or_null(o, "last_error", x->last_error[0] ?
	    x->last_error : NULL);
	json_add_num_or_null(o, "old_secret_until_ms", x->old_secret_until_ms);
	cJSON_AddNumberToObject(o, "backlog", (double)x->backlog);
	cJSON_AddNumberToObject(o, "dead", (double)x->dead);
	s = cJSON_AddObjectToObject(o, "last_24h");
	cJSON_AddNumberToObject(s, "attempts", (double)x->attempts_24h);
	cJSON_AddNumberToObject(s, "succeeded", (double)x->ok_24h);
	if (x->attempts_24h > 0)
		cJSON_AddNumberToObject(s, "success_rate",
		    (double)x->ok_24h / (double)x->attempts_24h);
	else
		cJSON_AddNullToObject(s, "success_rate");
	json_add_num_or_null(s, "avg_ms", x->avg_ms_24h);
	cJSON_AddNumberToObject(o, "created_ms", (double)x->created_ms);
	cJSON_AddNumberToObject(o, "updated_ms", (double)x->updated_ms);
	return o;
}

static void
list_one(void *arg, const struct db_fwd_dest *x)
{
	cJSON_AddItemToArray(arg, api_fwd_dest_json(x));
}

/* Log the audit line of an action on destination id. */
void
api_fwd_audit(struct req *r, const struct route_ctx *cx, struct db *d,
    const char *action, long long id, const char *detail)
{
	struct logline	l;
	char		object[48];

	snprintf(object, sizeof(object), "destination:%lld", id);
	if (api_audit(d, &cx->who, cx->who.workspace, action, object, detail,
	    http_client(r)) == -1) {
		log_begin(&l, LOG_LEVEL_WARN, "destination.audit_failed");
		log_str(&l, "action", action);
		log_end(&l);
	}
}

void
api_fwd_destinations(struct req *r, const struct route_ctx *cx)
{
	struct db_fwd_dest	 x;
	struct db		*d;
	const char		*rest;
	cJSON			*root, *arr;
	long long		 id, now = clock_ms();
	int			 rc;

	if ((d = api_fwd_db(r)) == NULL)
		return;
	if (strcmp(r->path, DEST_PATH) == 0) {
		if (r->method == HTTP_POST) {
			api_fwd_create(r, cx, d);
			return;
		}
		if (r->method != HTTP_GET) {
			route_error(r, 405, "GET or POST");
			return;
		}
		root = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(root, "data");
		if (db_fwd_dest_list(d, cx->who.workspace, now - 86400000,
		    list_one, arr) == -1) {
			cJSON_Delete(root);
			route_error(r, 503, "cannot read the destinations now");
			return;
		}
		cJSON_AddItemToObject(root, "event_types",
		    api_fwd_types_json());
		http_json(r, 200, root);
		return;
	}
	if (route_path_id(r, DEST_PATH "/", &id, &rest) == -1) {
		route_error(r, 404, "no such destination");
		return;
	}
	if (*rest == '\0') {
		if (r->method == HTTP_PUT) {
			api_fwd_update(r, cx, d, id);
			return;
		}
		if (r->method == HTTP_DELETE) {
			if ((rc = db_fwd_dest_delete(d, cx->who.workspace,
			    id)) != 1) {
				route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
				    "no such destination" :
				    "cannot delete it now");
				return;
			}
			api_fwd_audit(r, cx, d, "destination_delete", id, "");
			http_json(r, 200, cJSON_CreateObject());
			return;
		}
		if (r->method != HTTP_GET) {
			route_error(r, 405, "GET, PUT or DELETE");
			return;
		}
		if ((rc = db_fwd_dest_get(d, cx->who.workspace, id,
		    now - 86400000, &x)) != 1) {
			route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
			    "no such destination" : "cannot read it now");
			return;
		}
		http_json(r, 200, api_fwd_dest_json(&x));
		return;
	}
	if (strcmp(rest, "/deliveries") == 0 && r->method == HTTP_GET) {
		api_fwd_dest_deliveries(r, cx, d, id);
		return;
	}
	if (r->method != HTTP_POST) {
		route_error(r, 404, "no such action");
		return;
	}
	if (strcmp(rest, "/rotate-secret") == 0) {
		api_fwd_rotate(r, cx, d, id);
		return;
	}
	if (strcmp(rest, "/replay") == 0) {
		api_fwd_replay(r, cx, d, id);
		return;
	}
	if (strcmp(rest, "/test") == 0) {
		api_fwd_test(r, cx, d, id);
		return;
	}
	if (strcmp(rest, "/resend") == 0) {
		api_fwd_resend_dead(r, cx, d, id);
		return;
	}
	route_error(r, 404, "no such action");
}

struct problems {
	cJSON		*a;
	long long	 now;
};

/* A destination's problem, when it has one, for the overview. */
static void
problem_one(void *arg, const struct db_fwd_dest *x)
{
	struct problems		*p = arg;
	struct urlsafe_url	 u;
	const char		*why;
	char			 text[1024];
	cJSON			*o;

	if (urlsafe_parse(x->url, &u, &why) == -1)
		snprintf(u.host, sizeof(u.host), "destination %lld", x->id);
	text[0] = '\0';
	if (!x->enabled && x->disabled_reason[0] != '\0')
		snprintf(text, sizeof(text), "Destination %.200s is disabled: %.200s",
		    u.host, x->disabled_reason);
	else if (x->enabled && x->dead > 0)
		snprintf(text, sizeof(text), "%lld deliver%s to %.200s failed for "
		    "good: resend them on the Destinations page", x->dead,
		    x->dead == 1 ? "y" : "ies", u.host);
	else if (x->enabled && x->failing_since_ms > 0 &&
	    p->now - x->failing_since_ms > 3600000)
		snprintf(text, sizeof(text), "Destination %.200s has been failing "
		    "for over an hour: %.200s", u.host, x->last_error);
	if (text[0] == '\0')
		return;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "severity", x->enabled ? "warning" :
	    "error");
	cJSON_AddStringToObject(o, "text", text);
	cJSON_AddStringToObject(o, "link", "destinations.html");
	cJSON_AddItemToArray(p->a, o);
}

int
api_fwd_problems(struct db *d, long long workspace, cJSON *problems)
{
	struct problems p = { problems, clock_ms() };

	if (workspace <= 0)
		return 0;
	return db_fwd_dest_list(d, workspace, p.now, problem_one, &p);
}
