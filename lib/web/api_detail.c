/*
 * api_detail: what the inbox and the channel page show of Meta's events
 * beyond plain messages.  See api_detail.h.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "api_detail.h"
#include "db_detail.h"
#include "json.h"
#include "limits.h"
#include "num.h"

static void
msg_fn(void *arg, const struct db_msg_detail *m)
{
	cJSON *o = arg;

	cJSON_AddBoolToObject(o, "edited", m->edited_ms > 0);
	json_add_str_or_null(o, "author", m->author);
	cJSON_AddBoolToObject(o, "standby", m->standby != 0);
	cJSON_AddBoolToObject(o, "history", m->history != 0);
}

static void
edit_fn(void *arg, const char *text, long long at_ms)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(arg, "edits"), *e;

	if (arr == NULL || (e = cJSON_CreateObject()) == NULL)
		return;
	json_add_str_or_null(e, "text", text);
	json_add_int(e, "at", at_ms);
	cJSON_AddItemToArray(arr, e);
}

void
api_detail_message(struct db *d, long long message, cJSON *o)
{
	if (cJSON_AddArrayToObject(o, "edits") == NULL)
		return;
	if (db_msg_detail(d, message, msg_fn, edit_fn, o) != 1)
		cJSON_DeleteItemFromObjectCaseSensitive(o, "edits");
}

static void
conv_fn(void *arg, const char *referral, const char *owner,
    const char *owner_app, const char *optin)
{
	cJSON	*o = arg, *r, *t;

	r = optin != NULL ? cJSON_Parse(optin) : NULL;
	if (cJSON_IsObject(r))
		cJSON_AddItemToObject(o, "optin", r);
	else {
		cJSON_Delete(r);
		cJSON_AddNullToObject(o, "optin");
	}

	r = referral != NULL ? cJSON_Parse(referral) : NULL;
	if (cJSON_IsObject(r))
		cJSON_AddItemToObject(o, "referral", r);
	else {
		cJSON_Delete(r);
		cJSON_AddNullToObject(o, "referral");
	}
	if ((t = cJSON_AddObjectToObject(o, "thread_owner")) == NULL)
		return;
	json_add_str_or_null(t, "owner", owner);
	json_add_str_or_null(t, "app_id", owner_app);
}

void
api_detail_conversation(struct db *d, long long conversation, cJSON *o)
{
	db_conv_detail(d, conversation, conv_fn, o);
}

static void
notice_fn(void *arg, const char *field, const char *word, const char *level,
    const char *detail, long long at_ms)
{
	cJSON	*n, *v;

	if ((n = cJSON_CreateObject()) == NULL)
		return;
	json_add_str_or_null(n, "field", field);
	json_add_str_or_null(n, "word", word);
	json_add_str_or_null(n, "level", level);
	v = detail != NULL ? cJSON_Parse(detail) : NULL;
	if (v == NULL)
		v = cJSON_CreateNull();
	cJSON_AddItemToObject(n, "detail", v);
	json_add_int(n, "at", at_ms);
	cJSON_AddItemToArray(arg, n);
}

void
api_detail_event(struct db *d, cJSON *o)
{
	const cJSON	*id = cJSON_GetObjectItemCaseSensitive(o, "id");
	long long	 n = 0;
	int		 rc;

	/* json_add_int writes its digits (a raw item). */
	if (cJSON_IsNumber(id))
		n = (long long)id->valuedouble;
	else if (cJSON_IsRaw(id) && num_parse_str(id->valuestring, 1,
	    1LL << 53, &n) == -1)
		n = 0;
	if (n > 0 && (rc = db_event_is_test(d, n)) != -1)
		cJSON_AddBoolToObject(o, "test", rc == 1);
}

void
api_detail_notices(struct db *d, long long channel, cJSON *o)
{
	char	 state[HG_META_ID_MAX + 1];
	cJSON	*arr;

	if (db_account_state(d, channel, state, sizeof(state)) != 1)
		return;
	json_add_str_or_null(o, "account_state", state[0] ? state : NULL);
	if ((arr = cJSON_AddArrayToObject(o, "notices")) == NULL)
		return;
	if (db_notice_list(d, channel, HG_NOTICES_SHOWN, notice_fn, arr) == -1)
		cJSON_DeleteItemFromObjectCaseSensitive(o, "notices");
}
