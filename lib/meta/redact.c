/*
 * redact: take one person out of a raw webhook body.  See redact.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "redact.h"

/* 1 when v itself is the id: a string equal to it, or a whole number
 * printing as it. */
static int
is_id(const cJSON *v, const char *id)
{
	char n[HG_META_ID_MAX + 1];

	if (cJSON_IsString(v))
		return strcmp(v->valuestring, id) == 0;
	if (cJSON_IsNumber(v))
		return json_id(v, n) != NULL && strcmp(n, id) == 0;
	return 0;
}

/* 1 when v or anything inside it is the id. */
static int
names(const cJSON *v, const char *id)
{
	const cJSON *c;

	if (is_id(v, id))
		return 1;
	cJSON_ArrayForEach(c, v)
		if (names(c, id))
			return 1;
	return 0;
}

/* Take the id out of the arrays in v, innermost first: an element
 * still naming it once its own arrays are done goes.  Counts the
 * elements removed. */
static void
prune(cJSON *v, const char *id, long long *items)
{
	cJSON *c, *next;

	for (c = v->child; c != NULL; c = next) {
		next = c->next;
		prune(c, id, items);
		if (cJSON_IsArray(v) && names(c, id)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
			(*items)++;
		}
	}
}

/* Empty every member of v (outside arrays, which prune emptied) equal
 * to the id. */
static void
blank(cJSON *v, const char *id)
{
	cJSON *c, *next;

	for (c = v->child; c != NULL; c = next) {
		next = c->next;
		if (is_id(c, id))
			cJSON_ReplaceItemViaPointer(v, c, cJSON_CreateString(""));
		else
			blank(c, id);
	}
}

int
redact_person(const void *body, size_t n, const char *id, struct buf *out,
    long long *items)
{
	cJSON		*j;
	char		*text = NULL;
	long long	 k = 0;
	int		 rc = -1;

	if ((j = cJSON_ParseWithLength(body, n)) == NULL)
		return -1;
	if (!names(j, id)) {
		rc = 0;
		goto out;
	}
	prune(j, id, &k);
	blank(j, id);
	if (is_id(j, id) || (text = cJSON_PrintUnformatted(j)) == NULL ||
	    buf_puts(out, text) == -1)
		goto out;
	if (items != NULL)
		*items += k;
	rc = 1;
out:
	free(text);
	cJSON_Delete(j);
	return rc;
}
