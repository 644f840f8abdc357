/*
 * api_retention: a workspace's retention of what people take back.
 * See api_retention.h; applied where an unsend is stored (db.c's
 * STMT_MESSAGE_UNSEND and schema.sql's message_edit_unsent).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_retention.h"
#include "api_session.h"
#include "app.h"
#include "db_detail.h"
#include "http.h"
#include "log.h"
#include "route.h"

static const struct conf *retention_conf;

/* The settings a workspace may have, each a boolean defaulting to
 * false. */
static const char *const retention_keys[] = { "keep_deleted_text", NULL };

void
api_retention_setup(const struct conf *c)
{
	retention_conf = c;
}

/* The settings of stored (JSON or NULL) with their defaults, or NULL
 * (out of memory). */
static cJSON *
retention_json(const char *stored)
{
	cJSON		*o, *s = stored != NULL ? cJSON_Parse(stored) : NULL;
	const cJSON	*v;
	int		 i;

	if ((o = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(s);
		return NULL;
	}
	for (i = 0; retention_keys[i] != NULL; i++) {
		v = cJSON_GetObjectItemCaseSensitive(s, retention_keys[i]);
		cJSON_AddBoolToObject(o, retention_keys[i], cJSON_IsTrue(v));
	}
	cJSON_Delete(s);
	return o;
}

/* Apply body (PUT) to o, the current settings; 0, or -1 with why. */
static int
retention_apply(cJSON *o, const cJSON *body, const char **why)
{
	const cJSON	*v;
	int		 i;

	if (!cJSON_IsObject(body)) {
		*why = "the settings must be a JSON object";
		return -1;
	}
	cJSON_ArrayForEach(v, body) {
		for (i = 0; retention_keys[i] != NULL; i++)
			if (strcmp(v->string, retention_keys[i]) == 0)
				break;
		if (retention_keys[i] == NULL) {
			*why = "unknown retention setting";
			return -1;
		}
		if (!cJSON_IsBool(v)) {
			*why = "a retention setting is true or false";
			return -1;
		}
		cJSON_ReplaceItemInObjectCaseSensitive(o, v->string,
		    cJSON_CreateBool(cJSON_IsTrue(v)));
	}
	return 0;
}

void
api_retention(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	cJSON		*body = NULL, *o;
	const char	*why = NULL;
	char		*stored = NULL, *json;
	int		 rc;

	if (r->method == HTTP_PUT && route_json_body(r, &body) == -1)
		return;
	if (retention_conf == NULL || (d = app_db(retention_conf)) == NULL) {
		cJSON_Delete(body);
		route_error(r, 503, "database unavailable");
		return;
	}
	if (db_retention_get(d, cx->who.workspace, &stored) == -1 ||
	    (o = retention_json(stored)) == NULL) {
		free(stored);
		cJSON_Delete(body);
		route_error(r, 503, "cannot read the settings now");
		return;
	}
	free(stored);
	if (r->method == HTTP_PUT) {
		rc = retention_apply(o, body, &why);
		cJSON_Delete(body);
		if (rc == -1) {
			cJSON_Delete(o);
			route_error(r, 422, why);
			return;
		}
		json = cJSON_PrintUnformatted(o);
		if (json == NULL || db_retention_put(d, cx->who.workspace,
		    json) != 1) {
			free(json);
			cJSON_Delete(o);
			route_error(r, 503, "cannot store the settings now");
			return;
		}
		if (api_audit(d, &cx->who, cx->who.workspace,
		    "retention_settings", "settings:retention", json,
		    http_client(r)) == -1)
			log_msg(LOG_LEVEL_WARN, "retention.audit_failed",
			    "retention_settings");
		free(json);
	}
	http_json(r, 200, o);
}
