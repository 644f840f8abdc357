/*
 * json: cJSON-backed responses.  See json.h.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"

void
json_send(struct req *r, int status, cJSON *root)
{
	char *s;

	if (root == NULL || (s = cJSON_PrintUnformatted(root)) == NULL) {
		cJSON_Delete(root);
		http_text(r, 500, "out of memory");
		return;
	}
	buf_reset(&r->rhead);
	buf_reset(&r->rbody);
	http_status(r, status);
	http_add_header(r, "Content-Type", "application/json");
	http_puts(r, s);
	http_puts(r, "\n");
	free(s);
	cJSON_Delete(root);
}

void
json_error(struct req *r, int status, const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL && cJSON_AddStringToObject(o, "error", msg) == NULL) {
		cJSON_Delete(o);
		o = NULL;
	}
	json_send(r, status, o);
}

const char *
json_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}
