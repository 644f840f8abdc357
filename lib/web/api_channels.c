/*
 * api_channels: GET and POST /api/channels, the workspace's channels
 * for the operations dashboard, and connecting one by hand.  See
 * api_events.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "api_detail.h"
#include "api_events.h"
#include "api_channel_act.h"
#include "api_events_int.h"
#include "api_session.h"
#include "api_tokens.h"
#include "clock.h"
#include "db_channel.h"
#include "db_event.h"
#include "db_inbox.h"
#include "db_outbox.h"
#include "http.h"
#include "json.h"

/* The comma list s as a JSON array of its non-empty items, spaces
 * around them trimmed. */
static cJSON *
comma_array(const char *s)
{
	cJSON		*a = cJSON_CreateArray();
	const char	*e;
	char		 item[128];
	size_t		 n;

	while (a != NULL && s != NULL && *s != '\0') {
		while (*s == ' ')
			s++;
		e = strchr(s, ',');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n > 0 && n < sizeof(item)) {
			memcpy(item, s, n);
			item[n] = '\0';
			cJSON_AddItemToArray(a, cJSON_CreateString(item));
		}
		s = e != NULL ? e + 1 : s + strlen(s);
	}
	return a;
}

/* A channel as the API shows one. */
static cJSON *
channel_json(const struct db_channel_row *c)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)c->id);
	json_add_str_or_null(o, "kind", c->kind);
	cJSON_AddStringToObject(o, "platform",
	    event_platform_names[event_platform_of_kind(c->kind)]);
	json_add_str_or_null(o, "meta_id", c->meta_id);
	json_add_str_or_null(o, "name", c->name);
	json_add_str_or_null(o, "token_status", c->token_status);
	api_token_json(o, c);	/* token_level, _words, _action, _link */
	json_add_num_or_null(o, "token_expires_at", c->token_expires_at);
	cJSON_AddItemToObject(o, "subscribed_fields",
	    comma_array(c->subscribed_fields));
	json_add_num_or_null(o, "last_event_at", c->last_event_at);
	/* Sending settings (PATCH /api/channels/ID changes them). */
	cJSON_AddBoolToObject(o, "human_agent", c->human_agent);
	json_add_num_or_null(o, "send_rate", c->send_rate);
	cJSON_AddBoolToObject(o, "mark_read", c->mark_read);
	return o;
}

/* The start of today, local time (ms). */
static long long
today_ms(void)
{
	struct tm	 tm;
	time_t		 t = time(NULL);

	if (localtime_r(&t, &tm) == NULL)
		return (long long)(t - t % 86400) * 1000;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (long long)mktime(&tm) * 1000;
}

/* Add each channel's messages_today (either way, since midnight of
 * the server's time zone) to the objects of list a.  0 or -1. */
static int
add_today(struct db *d, cJSON *a)
{
	cJSON		*it;
	long long	 n, since = today_ms();

	cJSON_ArrayForEach(it, a) {
		if (db_channel_messages_since(d, (long long)cJSON_GetNumberValue(
		    cJSON_GetObjectItemCaseSensitive(it, "id")), since, &n) == -1)
			return -1;
		cJSON_AddNumberToObject(it, "messages_today", (double)n);
	}
	return 0;
}

/* Add each channel's sending to the objects of list a: its breaker
 * ("closed", "open", "half_open"), until (ms, or null), paused (its
 * token is not valid: sends wait), queued (queued, sending or of
 * unknown outcome); and its messages today (add_today).  0 or -1. */
static int
add_sending(struct db *d, cJSON *a)
{
	struct db_channel_sending	 s;
	cJSON				*it, *o;
	int				 rc;

	cJSON_ArrayForEach(it, a) {
		if ((rc = db_channel_sending(d, (long long)cJSON_GetNumberValue(
		    cJSON_GetObjectItemCaseSensitive(it, "id")), &s)) == -1)
			return -1;
		if (rc == 0 || (o = cJSON_AddObjectToObject(it, "sending")) ==
		    NULL)
			continue;
		cJSON_AddStringToObject(o, "breaker", s.breaker);
		json_add_num_or_null(o, "until", s.until_ms);
		cJSON_AddBoolToObject(o, "paused", s.paused);
		cJSON_AddNumberToObject(o, "queued", (double)s.queued);
	}
	return add_today(d, a);
}

static void
channel_each(void *arg, const struct db_channel_row *c)
{
	cJSON *j;

	if ((j = channel_json(c)) != NULL)
		cJSON_AddItemToArray(arg, j);
}

/* One channel of a list, picked by id. */
struct channel_one {
	long long	 id;
	cJSON		*json;
};

static void
channel_pick(void *arg, const struct db_channel_row *c)
{
	struct channel_one *one = arg;

	if (c->id == one->id && one->json == NULL)
		one->json = channel_json(c);
}

cJSON *
api_channel_json(struct db *d, long long workspace, long long id)
{
	struct channel_one	 one;
	cJSON			*a;

	memset(&one, 0, sizeof(one));
	one.id = id;
	if (db_channel_list(d, workspace, channel_pick, &one) == -1) {
		cJSON_Delete(one.json);
		return NULL;
	}
	/* Its sending too, as the list shows it. */
	if (one.json != NULL && (a = cJSON_CreateArray()) != NULL) {
		cJSON_AddItemToArray(a, one.json);
		if (add_sending(d, a) == -1) {
			cJSON_Delete(a);
			return NULL;
		}
		one.json = cJSON_DetachItemFromArray(a, 0);
		cJSON_Delete(a);
	}
	return one.json;
}

void
api_channels_list(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	cJSON		*root, *a, *it;

	if ((d = api_events_db(r)) == NULL)
		return;
	root = cJSON_CreateObject();
	if ((a = cJSON_AddArrayToObject(root, "channels")) == NULL ||
	    db_channel_list(d, cx->who.workspace, channel_each, a) == -1 ||
	    add_sending(d, a) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the channels now");
		return;
	}
	/* A WhatsApp number's account events (account_update, quality,
	 * templates). */
	cJSON_ArrayForEach(it, a)
		if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "kind")) &&
		    strcmp(cJSON_GetObjectItemCaseSensitive(it, "kind")->valuestring,
		    "whatsapp") == 0)
			api_detail_notices(d, (long long)cJSON_GetNumberValue(
			    cJSON_GetObjectItemCaseSensitive(it, "id")), it);
	api_channel_connect_ways(root);
	http_json(r, 200, root);
}

void
api_channels_add(struct req *r, const struct route_ctx *cx)
{
	const struct route_val	*v = cx->v;
	const char		*kind = v[CHANNEL_F_KIND].s;
	const char		*meta_id = v[CHANNEL_F_META_ID].s;
	const char		*name = v[CHANNEL_F_NAME].set ?
				    v[CHANNEL_F_NAME].s : "";
	struct channel_one	 one;
	struct db		*d;
	cJSON			*root;
	char			 object[32], detail[128];
	long long		 id = 0, rerouted = 0;
	size_t			 i;
	int			 rc;

	if (strcmp(kind, "page") != 0 && strcmp(kind, "instagram") != 0 &&
	    strcmp(kind, "whatsapp") != 0) {
		route_error(r, 400, "kind: must be page, instagram or whatsapp");
		return;
	}
	for (i = 0; meta_id[i] != '\0'; i++)
		if (meta_id[i] < '0' || meta_id[i] > '9') {
			route_error(r, 400, "meta_id: Meta's id, digits only");
			return;
		}
	if ((d = api_events_db(r)) == NULL)
		return;
	/* Connecting by hand proves no ownership of the account: only
	 * the install's operator may (as hubgate-admin channel-add);
	 * everyone else connects through Meta's Login. */
	if ((rc = api_operator(d, &cx->who)) != 1) {
		if (rc == -1)
			route_error(r, 503, "cannot read the user now");
		else
			route_error(r, 403, "only the operator of this hubgate "
			    "connects an account by hand; connect it with "
			    "Meta's Login instead");
		return;
	}
	if (db_begin(d) == -1 || (rc = db_channel_connect(d,
	    cx->who.workspace, kind, meta_id, name, &id, &rerouted)) == -1) {
		api_events_fail(r, d, "connect the channel");
		return;
	}
	if (rc == 0) {
		db_rollback(d);
		route_error(r, 409, "that account is connected already");
		return;
	}
	snprintf(object, sizeof(object), "channel:%lld", id);
	snprintf(detail, sizeof(detail), "%s %s, %lld earlier events routed",
	    kind, meta_id, rerouted);
	if (api_audit(d, &cx->who, cx->who.workspace, "channel.add", object,
	    detail, http_client(r)) == -1 || db_commit(d) == -1) {
		api_events_fail(r, d, "connect the channel");
		return;
	}
	if (rerouted > 0)
		api_events_process_now(d);
	/* As stored, re-routing done (its last event set). */
	memset(&one, 0, sizeof(one));
	one.id = id;
	root = cJSON_CreateObject();
	if (db_channel_list(d, cx->who.workspace, channel_pick, &one) == -1 ||
	    one.json == NULL) {
		cJSON_Delete(root);
		cJSON_Delete(one.json);
		route_error(r, 503, "the channel is connected, but cannot be "
		    "read now");
		return;
	}
	cJSON_AddItemToObject(root, "channel", one.json);
	cJSON_AddNumberToObject(root, "rerouted", (double)rerouted);
	http_json(r, 201, root);
}
