/*
 * graph_thread: Conversation Routing calls.  See graph_thread.h.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "graph.h"
#include "graph_thread.h"
#include "utf8.h"

int
graph_thread_action(const char *action)
{
	return action != NULL && (strcmp(action, "pass_thread_control") == 0 ||
	    strcmp(action, "take_thread_control") == 0);
}

cJSON *
graph_thread_body(const cJSON *b, const char *page_id, const char *recipient,
    int ig, char *path, size_t pathsz, char *why, size_t whysz)
{
	const char	*act, *app, *meta;
	cJSON		*o;
	int		 pass, n;

	act = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b,
	    "action"));
	app = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b,
	    "target_app_id"));
	meta = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b,
	    "metadata"));
	if (!graph_thread_action(act)) {
		snprintf(why, whysz, "not a thread-control call");
		return NULL;
	}
	pass = strcmp(act, "pass_thread_control") == 0;
	if (!graph_id_ok(recipient) || (!ig && !graph_id_ok(page_id))) {
		snprintf(why, whysz, "invalid page or recipient id");
		return NULL;
	}
	if (pass && !graph_id_ok(app)) {
		snprintf(why, whysz, "pass_thread_control needs a target app id");
		return NULL;
	}
	if (meta != NULL && (strlen(meta) > GRAPH_THREAD_METADATA_MAX ||
	    !utf8_valid(meta, strlen(meta)))) {
		snprintf(why, whysz, "metadata: at most %d bytes of UTF-8",
		    GRAPH_THREAD_METADATA_MAX);
		return NULL;
	}
	n = ig ? snprintf(path, pathsz, "/me/%s", act) :
	    snprintf(path, pathsz, "/%s/%s", page_id, act);
	if (n < 0 || (size_t)n >= pathsz) {
		snprintf(why, whysz, "the path is too long");
		return NULL;
	}
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "recipient"),
	    "id", recipient) == NULL ||
	    (pass && cJSON_AddStringToObject(o, "target_app_id", app) == NULL) ||
	    (meta != NULL && meta[0] != '\0' &&
	    cJSON_AddStringToObject(o, "metadata", meta) == NULL)) {
		cJSON_Delete(o);
		snprintf(why, whysz, "out of memory");
		return NULL;
	}
	return o;
}
