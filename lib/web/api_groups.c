/*
 * api_groups: groups of people.  See api_groups.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_groups.h"
#include "api_session.h"
#include "app.h"
#include "clock.h"
#include "db_group.h"
#include "http.h"
#include "limits.h"
#include "log.h"
#include "utf8.h"

#define GROUPS_PATH	"/api/groups"

static const struct conf *groups_conf;

void
api_groups_setup(const struct conf *c)
{
	groups_conf = c;
}

static void
group_one(void *arg, const struct db_group_row *g)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddItemToArray(arg, o))
		return;
	cJSON_AddNumberToObject(o, "id", (double)g->id);
	cJSON_AddStringToObject(o, "name", g->name);
	cJSON_AddItemToObject(o, "members", g->members != NULL ?
	    cJSON_Parse(g->members) : cJSON_CreateArray());
	cJSON_AddNumberToObject(o, "updated_at", (double)g->updated_at);
}

static void
person_one(void *arg, long long id, const char *name, int available)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !cJSON_AddItemToArray(arg, o))
		return;
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddStringToObject(o, "name", name != NULL ? name : "");
	cJSON_AddBoolToObject(o, "available", available);
}

/* Answer group id of workspace ws with status; 503 when unreadable. */
static void
answer_group(struct req *r, struct db *d, long long ws, long long id,
    int status)
{
	cJSON *arr = cJSON_CreateArray();

	if (arr == NULL || db_group_list(d, ws, id, group_one, arr) == -1 ||
	    cJSON_GetArraySize(arr) != 1) {
		cJSON_Delete(arr);
		route_error(r, 503, "cannot read the group now");
		return;
	}
	http_json(r, status, cJSON_DetachItemFromArray(arr, 0));
	cJSON_Delete(arr);
}

/* The name and members of a body into name and users (*n of them); 0,
 * or -1 answered 422. */
static int
body_of(struct req *r, const cJSON *b, const char **name, long long *users,
    size_t *n)
{
	const cJSON	*nm = cJSON_GetObjectItemCaseSensitive(b, "name");
	const cJSON	*ms = cJSON_GetObjectItemCaseSensitive(b, "members");
	const cJSON	*v;
	char		 why[128];

	*n = 0;
	if (!cJSON_IsString(nm) || nm->valuestring[0] == '\0' ||
	    strlen(nm->valuestring) > HG_GROUP_NAME_MAX ||
	    !utf8_valid(nm->valuestring, strlen(nm->valuestring))) {
		snprintf(why, sizeof(why), "name: 1 to %d bytes",
		    HG_GROUP_NAME_MAX);
		route_error(r, 422, why);
		return -1;
	}
	/* PUT replaces the group: without the list, a rename would
	 * empty it. */
	if (ms == NULL && r->method == HTTP_PUT) {
		route_error(r, 422, "members: the whole list of user ids (PUT "
		    "replaces the group; [] for none)");
		return -1;
	}
	if (ms != NULL && (!cJSON_IsArray(ms) ||
	    cJSON_GetArraySize(ms) > HG_GROUP_MEMBERS_MAX)) {
		route_error(r, 422, "members: a list of user ids");
		return -1;
	}
	cJSON_ArrayForEach(v, ms) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 1 ||
		    v->valuedouble > 9007199254740992.0 ||
		    v->valuedouble != (double)(long long)v->valuedouble) {
			route_error(r, 422, "members: a list of user ids");
			return -1;
		}
		users[(*n)++] = (long long)v->valuedouble;
	}
	*name = nm->valuestring;
	return 0;
}

/* Audit an admin's change (a failure is logged, not answered). */
static void
audit(struct req *r, struct db *d, const struct route_ctx *cx,
    const char *action, long long id, const char *detail)
{
	char object[64];

	snprintf(object, sizeof(object), "group:%lld", id);
	if (api_audit(d, &cx->who, cx->who.workspace, action, object, detail,
	    http_client(r)) == -1)
		log_msg(LOG_LEVEL_WARN, "groups.audit_failed", action);
}

/* POST /api/groups, PUT /api/groups/ID. */
static void
put(struct req *r, const struct route_ctx *cx, struct db *d, long long id)
{
	long long	*users;
	const char	*name;
	cJSON		*b;
	size_t		 n, kept;
	long long	 gid;
	int		 rc;

	if (route_json_body(r, &b) == -1)
		return;
	if ((users = calloc(HG_GROUP_MEMBERS_MAX, sizeof(*users))) == NULL) {
		cJSON_Delete(b);
		route_error(r, 503, "out of memory");
		return;
	}
	if (body_of(r, b, &name, users, &n) == -1) {
		free(users);
		cJSON_Delete(b);
		return;
	}
	/* A user named twice joins once. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (users[j] == users[i])
				users[j--] = users[--n];
	rc = db_group_put(d, cx->who.workspace, id, name, users, n,
	    clock_ms() / 1000, &gid, &kept);
	free(users);
	if (rc == -4)
		/* Nothing else is told of the users that are not here. */
		route_error(r, 422, "members: every one a person of this "
		    "workspace");
	else if (rc == 0)
		route_error(r, 404, "no such group");
	else if (rc == -2)
		route_error(r, 409, "a group of that name exists");
	else if (rc == -3)
		route_error(r, 409, "too many groups");
	else if (rc == -1)
		route_error(r, 503, "cannot store the group now");
	else {
		audit(r, d, cx, id == 0 ? "group_add" : "group_change", gid,
		    name);
		answer_group(r, d, cx->who.workspace, gid, id == 0 ? 201 : 200);
	}
	cJSON_Delete(b);
}

void
api_groups(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	const char	*rest = "";
	long long	 id = 0;
	cJSON		*o, *g, *p;
	int		 rc;

	if (strcmp(r->path, GROUPS_PATH) != 0 && (route_path_id(r,
	    GROUPS_PATH "/", &id, &rest) == -1 || rest[0] != '\0')) {
		route_error(r, 404, "not found");
		return;
	}
	if (groups_conf == NULL || (d = app_db(groups_conf)) == NULL) {
		route_error(r, 503, "database unavailable");
		return;
	}
	if (r->method == HTTP_GET) {
		if (id > 0) {
			o = cJSON_CreateArray();
			rc = o == NULL ? -1 : db_group_list(d, cx->who.workspace,
			    id, group_one, o);
			if (rc == 0 && cJSON_GetArraySize(o) == 0)
				route_error(r, 404, "no such group");
			else if (rc == 0)
				http_json(r, 200, cJSON_DetachItemFromArray(o, 0));
			else
				route_error(r, 503, "cannot read the groups now");
			cJSON_Delete(o);
			return;
		}
		/* The people a group may have, for the admins who make
		 * groups: agents see the groups only. */
		o = cJSON_CreateObject();
		g = cJSON_AddArrayToObject(o, "groups");
		p = cx->who.role >= ROLE_ADMIN ? cJSON_AddArrayToObject(o,
		    "people") : NULL;
		if (g == NULL || (cx->who.role >= ROLE_ADMIN && p == NULL) ||
		    db_group_list(d, cx->who.workspace, 0, group_one, g) == -1 ||
		    (p != NULL && db_group_people(d, cx->who.workspace,
		    person_one, p) == -1)) {
			cJSON_Delete(o);
			route_error(r, 503, "cannot read the groups now");
			return;
		}
		http_json(r, 200, o);
		return;
	}
	if ((r->method == HTTP_POST) != (id == 0)) {
		route_error(r, 405, "POST /api/groups, PUT or DELETE "
		    "/api/groups/ID");
		return;
	}
	if (r->method == HTTP_DELETE) {
		if ((rc = db_group_delete(d, cx->who.workspace, id)) != 1) {
			route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
			    "no such group" : "cannot delete the group now");
			return;
		}
		audit(r, d, cx, "group_delete", id, "");
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)id);
		cJSON_AddBoolToObject(o, "deleted", 1);
		http_json(r, 200, o);
		return;
	}
	put(r, cx, d, id);
}
