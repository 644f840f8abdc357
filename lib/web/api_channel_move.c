/*
 * api_channel_move: a channel moved to another workspace by the
 * install's operator.  See api_channel_act.h.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_channel_act.h"
#include "api_events_int.h"
#include "api_session.h"
#include "clock.h"
#include "db_channel.h"
#include "http.h"
#include "log.h"

void
api_channel_move(struct req *r, const struct route_ctx *cx, long long id)
{
	const cJSON		*to;
	struct db_channel_one	 c;
	struct db		*d;
	struct logline		 l;
	cJSON			*body = NULL, *root;
	char			 object[32], detail[96];
	long long		 ws, from = 0;
	int			 rc;

	if ((d = api_events_db(r)) == NULL)
		return;
	if ((rc = api_operator(d, &cx->who)) != 1) {
		route_error(r, rc == 0 ? 403 : 503, rc == 0 ? "only the "
		    "operator of this hubgate moves a channel to another "
		    "workspace" : "cannot check who you are now");
		return;
	}
	if (route_json_body(r, &body) == -1)
		return;
	to = cJSON_GetObjectItemCaseSensitive(body, "workspace_id");
	if (!cJSON_IsNumber(to) || to->valuedouble < 1 ||
	    to->valuedouble > 9007199254740992.0 ||
	    to->valuedouble != (double)(long long)to->valuedouble) {
		cJSON_Delete(body);
		route_error(r, 400, "workspace_id: the id of the workspace to "
		    "move the channel to");
		return;
	}
	ws = (long long)to->valuedouble;
	cJSON_Delete(body);
	/* The channel must be in the caller's workspace: the operator
	 * moves from where they are signed in. */
	rc = db_channel_get(d, cx->who.workspace, id, &c);
	db_channel_one_free(&c);
	if (rc != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such channel" : "cannot read the channel now");
		return;
	}
	rc = db_channel_move(d, id, ws, clock_ms() / 1000, &from);
	if (rc != 1) {
		route_error(r, rc == 0 ? 404 : rc == 2 ? 422 : rc == 3 ? 409 :
		    503, rc == 0 ? "no such channel" : rc == 2 ?
		    "workspace_id: no such workspace" : rc == 3 ?
		    "the channel is in that workspace already" :
		    "cannot move the channel now");
		return;
	}
	snprintf(object, sizeof(object), "channel:%lld", id);
	snprintf(detail, sizeof(detail), "workspace %lld -> %lld", from, ws);
	/* Both workspaces' audit logs say it. */
	if (api_audit(d, &cx->who, from, "channel_move", object, detail,
	    http_client(r)) == -1 || api_audit(d, &cx->who, ws,
	    "channel_move", object, detail, http_client(r)) == -1) {
		log_begin(&l, LOG_LEVEL_WARN, "channel.audit_failed");
		log_str(&l, "action", "channel_move");
		log_end(&l);
	}
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "id", (double)id);
	cJSON_AddNumberToObject(root, "workspace_id", (double)ws);
	cJSON_AddNumberToObject(root, "from_workspace_id", (double)from);
	http_json(r, 200, root);
}
