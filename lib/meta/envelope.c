/*
 * envelope: the light parse of a webhook body.  See envelope.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "envelope.h"
#include "events.h"
#include "json.h"
#include "limits.h"
#include "utf8.h"

void
envelope_free(struct envelope *e)
{
	size_t i;

	free(e->object);
	free(e->entry_ids);
	free(e->phone_ids);
	for (i = 0; i < e->nroute; i++)
		free(e->route_ids[i]);
	free(e->route_ids);
	json_arena_free(&e->arena);
	memset(e, 0, sizeof(*e));
}

/* The number of elements of the array named key in obj (0 if none). */
static size_t
envelope_count(const cJSON *obj, const char *key)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsArray(a) ? (size_t)cJSON_GetArraySize(a) : 0;
}

/* The first timestamp of a WhatsApp change value: of its first
 * message, else of its first status; 0 when neither has one. */
static long long
envelope_wa_time(const cJSON *value)
{
	const cJSON	*a;
	long long	 t = 0;

	a = cJSON_GetObjectItemCaseSensitive(value, "messages");
	if (cJSON_IsArray(a) && a->child != NULL)
		t = events_ts_ms(cJSON_GetObjectItemCaseSensitive(a->child,
		    "timestamp"));
	a = cJSON_GetObjectItemCaseSensitive(value, "statuses");
	if (t == 0 && cJSON_IsArray(a) && a->child != NULL)
		t = events_ts_ms(cJSON_GetObjectItemCaseSensitive(a->child,
		    "timestamp"));
	return t;
}

/* Append the id (a string, or a whole number) to arr and to the
 * routing list when route is set; 0 or -1 on memory. */
static int
envelope_id(struct envelope *e, cJSON *arr, const cJSON *v, int route)
{
	char		 id[HG_META_ID_MAX + 1];
	const char	*s;

	if ((s = json_id(v, id)) == NULL)
		return 0;
	if (cJSON_GetArraySize(arr) >= HG_ENVELOPE_IDS_MAX)
		return 0;
	/* A batch names the same account many times: keep each once. */
	for (cJSON *x = arr->child; x != NULL; x = x->next)
		if (strcmp(x->valuestring, s) == 0)
			return 0;
	if (!cJSON_AddItemToArray(arr, cJSON_CreateString(s)))
		return -1;
	if (route) {
		char **p = realloc(e->route_ids, (e->nroute + 1) * sizeof(*p));
		if (p == NULL)
			return -1;
		e->route_ids = p;
		if ((p[e->nroute] = strdup(s)) == NULL)
			return -1;
		e->nroute++;
	}
	return 0;
}

int
envelope_parse(const char *body, size_t len, struct envelope *e)
{
	cJSON		*root = NULL, *entries, *entry, *ent_arr, *ph_arr;
	cJSON		*changes, *ch, *md, *value;
	const char	*end = NULL, *obj;
	char		*big;
	size_t		 bign;
	int		 wa, rc = -1;

	memset(e, 0, sizeof(*e));
	ent_arr = cJSON_CreateArray();
	ph_arr = cJSON_CreateArray();
	if (ent_arr == NULL || ph_arr == NULL)
		goto out;
	if (!utf8_valid(body, len)) {
		e->why = "not UTF-8";
		goto finish;
	}
	if (!json_valid(body, len, HG_JSON_DEPTH_MAX)) {
		e->why = "not JSON";
		goto finish;
	}
	/* Ids above 2^53 reach the tree as strings, every digit kept. */
	if ((big = json_quote_big_ints(body, len, &bign)) != NULL) {
		root = json_parse_arena(&e->arena, big, bign + 1, &end);
		end = end == big + bign ? body + len : NULL;
		free(big);
	} else
		root = json_parse_arena(&e->arena, body, len + 1, &end);
	if (root == NULL || end != body + len) {
		e->why = "not JSON";
		goto finish;
	}
	obj = cJSON_IsObject(root) ? (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
	    root, "object")) ? cJSON_GetObjectItemCaseSensitive(root,
	    "object")->valuestring : NULL) : NULL;
	if (obj == NULL || strlen(obj) > HG_META_ID_MAX) {
		e->why = "not a webhook envelope";
		goto finish;
	}
	if ((e->object = strdup(obj)) == NULL)
		goto out;
	e->valid = 1;
	e->route_kind = events_channel_kind(obj);
	wa = e->route_kind != NULL && strcmp(e->route_kind, "whatsapp") == 0;
	entries = cJSON_GetObjectItemCaseSensitive(root, "entry");
	if (!cJSON_IsArray(entries))
		entries = NULL;
	cJSON_ArrayForEach(entry, entries) {
		if (envelope_id(e, ent_arr, cJSON_GetObjectItemCaseSensitive(
		    entry, "id"), e->route_kind != NULL && !wa) == -1)
			goto out;
		if (entry == entries->child)
			e->sent_ms = events_ts_ms(
			    cJSON_GetObjectItemCaseSensitive(entry, "time"));
		e->items += envelope_count(entry, "messaging") +
		    envelope_count(entry, "standby") +
		    envelope_count(entry, "changes");
		if (!wa)
			continue;
		changes = cJSON_GetObjectItemCaseSensitive(entry, "changes");
		if (!cJSON_IsArray(changes))
			changes = NULL;
		cJSON_ArrayForEach(ch, changes) {
			value = cJSON_GetObjectItemCaseSensitive(ch, "value");
			e->items += envelope_count(value, "messages") +
			    envelope_count(value, "statuses");
			if (e->sent_ms == 0)
				e->sent_ms = envelope_wa_time(value);
			md = cJSON_GetObjectItemCaseSensitive(value,
			    "metadata");
			if (envelope_id(e, ph_arr, cJSON_GetObjectItemCaseSensitive(
			    md, "phone_number_id"), 1) == -1)
				goto out;
		}
	}
	if (e->items <= HG_COMMIT_ITEMS_MAX) {
		e->root = root;
		root = NULL;
	}
finish:
	if ((e->entry_ids = cJSON_PrintUnformatted(ent_arr)) == NULL ||
	    (e->phone_ids = cJSON_PrintUnformatted(ph_arr)) == NULL)
		goto out;
	rc = 0;
out:
	if (e->root == NULL)	/* the tree is not kept, or there is none */
		json_arena_free(&e->arena);
	cJSON_Delete(ent_arr);
	cJSON_Delete(ph_arr);
	if (rc == -1)
		envelope_free(e);
	return rc;
}

int
envelope_sent_ms(const char *body, size_t len, long long *out)
{
	struct envelope e;

	if (envelope_parse(body, len, &e) == -1)
		return -1;
	*out = e.sent_ms;
	envelope_free(&e);
	return 0;
}
