/*
 * api_fwd: forwarding's destinations, deliveries and attempts in the
 * API.  See api_fwd.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "api_fwd.h"
#include "api_session.h"
#include "app.h"
#include "bgthread.h"
#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_fwd.h"
#include "forward.h"
#include "http.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "urlsafe.h"
#include "whsig.h"

#define DEST_PATH	"/api/destinations"
#define DELIV_PATH	"/api/deliveries"
/* The rotation's grace period: a day by default, a week at most. */
#define FWD_GRACE_DEFAULT_S	86400
#define FWD_GRACE_MAX_S		(7 * 86400)

static const struct conf	*fwd_conf;
static struct bg_thread		*fwd_thread;

/* The event types a destination may take. */
static const char *const fwd_types[] = {
	"message.received", "message.sent", "message.status",
	"conversation.escalated", "conversation.assigned",
	"conversation.closed", "channel.updated", "token.level", "meta.event",
	"message.forwarded",
};
static const char *const fwd_platforms[] = { "page", "instagram", "whatsapp" };

const struct route_field api_fwd_fields[FWD_F__MAX] = {
	[FWD_F_STATE] = { "state", FIELD_TEXT, 1, 16, 0 },
	[FWD_F_BEFORE] = { "before", FIELD_ID, 0, 0, 0 },
	[FWD_F_LIMIT] = { "limit", FIELD_INT, 1, HG_FWD_PAGE_MAX, 0 },
};

void
api_fwd_setup(const struct conf *c, struct bg_thread *t)
{
	fwd_conf = c;
	fwd_thread = t;
}

/* The database, or NULL after answering 503. */
static struct db *
fwd_db(struct req *r)
{
	struct db *d;

	if (fwd_conf == NULL || (d = app_db(fwd_conf)) == NULL) {
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

static cJSON *
dest_json(const struct db_fwd_dest *x)
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
	cJSON_AddItemToArray(arg, dest_json(x));
}

/* Log the audit line of an action on destination id. */
static void
audit(struct req *r, const struct route_ctx *cx, struct db *d,
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

/* 1 when s is one of the n names. */
static int
one_of(const char *s, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return 1;
	return 0;
}

/* A destination's fields from a JSON body onto in (a new one when
 * create; else only those given), the strings kept in keep (freed by
 * the caller), headers sealed into hdrs.  0, or -1 answered. */
struct dest_bufs {
	char	*events, *channels, *platforms;
	struct buf hdrs;
};

static int
read_fields(struct req *r, struct db *d, cJSON *body, int create,
    long long workspace, struct db_fwd_dest_in *in, struct dest_bufs *k)
{
	cJSON		*v, *it, *a;
	struct urlsafe_url u;
	const char	*why;
	int		 rc, loopback;

	(void)d;
	loopback = strcmp(conf_get(fwd_conf, "sandbox"), "yes") == 0;
	v = cJSON_GetObjectItemCaseSensitive(body, "url");
	if (v != NULL || create) {
		if (!cJSON_IsString(v) || strlen(v->valuestring) >
		    HG_URLSAFE_URL_MAX) {
			route_error(r, 400, "url: the endpoint's URL (https)");
			return -1;
		}
		if ((rc = urlsafe_check(v->valuestring, loopback, &u,
		    &why)) != 0) {
			route_error(r, 422, why);
			return -1;
		}
		in->url = v->valuestring;
	}
	v = cJSON_GetObjectItemCaseSensitive(body, "description");
	if (v != NULL) {
		if (!cJSON_IsString(v) || strlen(v->valuestring) >
		    HG_FWD_DESC_MAX || !route_text_valid(v->valuestring,
		    strlen(v->valuestring))) {
			route_error(r, 400, "description: text of at most "
			    HG_STR(HG_FWD_DESC_MAX) " bytes");
			return -1;
		}
		in->description = v->valuestring;
	}
	v = cJSON_GetObjectItemCaseSensitive(body, "events");
	if (v != NULL || create) {
		if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0) {
			route_error(r, 400, "events: a list of event types, "
			    "at least one");
			return -1;
		}
		a = cJSON_CreateArray();
		cJSON_ArrayForEach(it, v) {
			if (!cJSON_IsString(it) || !one_of(it->valuestring,
			    fwd_types, sizeof(fwd_types) / sizeof(fwd_types[0]))) {
				cJSON_Delete(a);
				route_error(r, 422, "events: an unknown event "
				    "type");
				return -1;
			}
			cJSON_AddItemToArray(a, cJSON_CreateString(
			    it->valuestring));
		}
		k->events = cJSON_PrintUnformatted(a);
		cJSON_Delete(a);
		if (k->events == NULL || strlen(k->events) > HG_FWD_LIST_MAX) {
			route_error(r, 400, "events: too many");
			return -1;
		}
		in->events = k->events;
	}
	v = cJSON_GetObjectItemCaseSensitive(body, "channels");
	if (v != NULL) {
		if (!cJSON_IsArray(v)) {
			route_error(r, 400, "channels: a list of channel ids");
			return -1;
		}
		a = cJSON_CreateArray();
		cJSON_ArrayForEach(it, v) {
			if (!cJSON_IsNumber(it) || it->valuedouble < 1 ||
			    it->valuedouble > 9007199254740992.0 ||
			    it->valuedouble != (double)(long long)
			    it->valuedouble) {
				cJSON_Delete(a);
				route_error(r, 400, "channels: a list of "
				    "channel ids");
				return -1;
			}
			cJSON_AddItemToArray(a, cJSON_CreateNumber(
			    it->valuedouble));
		}
		k->channels = cJSON_PrintUnformatted(a);
		cJSON_Delete(a);
		if (k->channels == NULL || strlen(k->channels) >
		    HG_FWD_LIST_MAX) {
			route_error(r, 400, "channels: too many");
			return -1;
		}
		in->channels = k->channels;
	}
	v = cJSON_GetObjectItemCaseSensitive(body, "platforms");
	if (v != NULL) {
		if (!cJSON_IsArray(v)) {
			route_error(r, 400, "platforms: a list of page, "
			    "instagram, whatsapp");
			return -1;
		}
		a = cJSON_CreateArray();
		cJSON_ArrayForEach(it, v) {
			if (!cJSON_IsString(it) || !one_of(it->valuestring,
			    fwd_platforms, 3)) {
				cJSON_Delete(a);
				route_error(r, 400, "platforms: a list of page, "
				    "instagram, whatsapp");
				return -1;
			}
			cJSON_AddItemToArray(a, cJSON_CreateString(
			    it->valuestring));
		}
		k->platforms = cJSON_PrintUnformatted(a);
		cJSON_Delete(a);
		if (k->platforms == NULL) {
			route_error(r, 503, "out of memory");
			return -1;
		}
		in->platforms = k->platforms;
	}
#define BOOL_FIELD(name, dst) do { \
	v = cJSON_GetObjectItemCaseSensitive(body, name); \
	if (v != NULL) { \
		if (!cJSON_IsBool(v)) { \
			route_error(r, 400, name ": true or false"); \
			return -1; \
		} \
		dst = cJSON_IsTrue(v); \
	} \
} while (0)
	BOOL_FIELD("enabled", in->enabled);
	BOOL_FIELD("ordered", in->ordered);
	BOOL_FIELD("include_raw", in->include_raw);
#undef BOOL_FIELD
	v = cJSON_GetObjectItemCaseSensitive(body, "rate_per_s");
	if (v != NULL) {
		if (cJSON_IsNull(v))
			in->rate_per_s = 0;
		else if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
		    v->valuedouble > 10000 || v->valuedouble !=
		    (double)(long long)v->valuedouble) {
			route_error(r, 400, "rate_per_s: deliveries a second, "
			    "0 to 10000 (0 or null: no limit)");
			return -1;
		} else
			in->rate_per_s = (long long)v->valuedouble;
	}
	v = cJSON_GetObjectItemCaseSensitive(body, "headers");
	if (v != NULL) {
		char	*txt;
		int	 n = 0;

		if (!cJSON_IsObject(v) && !cJSON_IsNull(v)) {
			route_error(r, 400, "headers: an object of header "
			    "names and values");
			return -1;
		}
		in->set_headers = 1;
		if (cJSON_IsObject(v) && cJSON_GetArraySize(v) > 0) {
			cJSON_ArrayForEach(it, v) {
				const char *p;

				if (++n > HG_FWD_HEADERS_MAX ||
				    !cJSON_IsString(it) ||
				    strlen(it->valuestring) >
				    HG_FWD_HEADER_VALUE_MAX ||
				    !route_text_valid(it->valuestring,
				    strlen(it->valuestring)) ||
				    strpbrk(it->valuestring, "\r\n") != NULL ||
				    *it->string == '\0' ||
				    strlen(it->string) > 64) {
					route_error(r, 400, "headers: at most "
					    HG_STR(HG_FWD_HEADERS_MAX) " names "
					    "with text values");
					return -1;
				}
				for (p = it->string; *p != '\0'; p++)
					if (!((*p >= 'a' && *p <= 'z') ||
					    (*p >= 'A' && *p <= 'Z') ||
					    (*p >= '0' && *p <= '9') ||
					    *p == '-' || *p == '_')) {
						route_error(r, 400, "headers: "
						    "a name of letters, digits, "
						    "- and _");
						return -1;
					}
				if (strncasecmp(it->string, "webhook-", 8) == 0 ||
				    strcasecmp(it->string, "content-type") == 0 ||
				    strcasecmp(it->string, "host") == 0 ||
				    strcasecmp(it->string, "content-length") == 0) {
					route_error(r, 400, "headers: hubgate "
					    "sets that header itself");
					return -1;
				}
			}
			if ((txt = cJSON_PrintUnformatted(v)) == NULL)
				return route_error(r, 503, "out of memory"), -1;
			rc = forward_seal(fwd_conf, workspace, txt, &k->hdrs);
			crypto_wipe(txt, strlen(txt));
			cJSON_free(txt);
			if (rc == -1) {
				route_error(r, 503, "headers cannot be stored: "
				    "no token_key is configured");
				return -1;
			}
			in->headers = k->hdrs.data;
			in->headers_len = k->hdrs.len;
		}
	}
	return 0;
}

static void
bufs_free(struct dest_bufs *k)
{
	cJSON_free(k->events);
	cJSON_free(k->channels);
	cJSON_free(k->platforms);
	buf_free(&k->hdrs);
}

/* POST /api/destinations. */
static void
dest_create(struct req *r, const struct route_ctx *cx, struct db *d)
{
	struct db_fwd_dest_in	 in;
	struct db_fwd_dest	 x;
	struct dest_bufs	 k;
	struct buf		 sealed;
	char			 secret[HG_WHSIG_SECRET_MAX];
	cJSON			*body = NULL, *root;
	long long		 id = 0, now = clock_ms();

	memset(&in, 0, sizeof(in));
	memset(&k, 0, sizeof(k));
	buf_init(&k.hdrs, 64 * 1024);
	buf_init(&sealed, 4096);
	secret[0] = '\0';
	in.workspace_id = cx->who.workspace;
	in.enabled = 1;
	in.ordered = 1;
	in.now_ms = now;
	if (route_json_body(r, &body) == -1)
		goto out;
	if (read_fields(r, d, body, 1, cx->who.workspace, &in, &k) == -1)
		goto out;
	if (whsig_secret_new(secret, sizeof(secret)) == -1 ||
	    forward_seal(fwd_conf, cx->who.workspace, secret, &sealed) == -1) {
		route_error(r, 503, "a secret cannot be made: is token_key "
		    "configured?");
		goto out;
	}
	if (db_fwd_dest_add(d, &in, sealed.data, sealed.len, &id) == -1 ||
	    db_fwd_dest_get(d, cx->who.workspace, id, now - 86400000,
	    &x) != 1) {
		route_error(r, 503, "the destination cannot be stored now");
		goto out;
	}
	audit(r, cx, d, "destination_add", id, x.url);
	root = dest_json(&x);
	cJSON_AddStringToObject(root, "secret", secret);
	http_json(r, 201, root);
out:
	crypto_wipe(secret, sizeof(secret));
	cJSON_Delete(body);
	bufs_free(&k);
	buf_free(&sealed);
}

/* PUT /api/destinations/ID. */
static void
dest_update(struct req *r, const struct route_ctx *cx, struct db *d,
    long long id)
{
	struct db_fwd_dest_in	 in;
	struct db_fwd_dest	 x;
	struct dest_bufs	 k;
	cJSON			*body = NULL;
	long long		 now = clock_ms();
	int			 rc;

	memset(&in, 0, sizeof(in));
	memset(&k, 0, sizeof(k));
	buf_init(&k.hdrs, 64 * 1024);
	if ((rc = db_fwd_dest_get(d, cx->who.workspace, id, now - 86400000,
	    &x)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such destination" : "cannot read it now");
		goto out;
	}
	if (route_json_body(r, &body) == -1)
		goto out;
	in.id = id;
	in.workspace_id = cx->who.workspace;
	in.url = x.url;
	in.description = x.description;
	in.events = x.events;
	in.channels = x.channels;
	in.platforms = x.platforms;
	in.include_raw = x.include_raw;
	in.enabled = x.enabled;
	in.ordered = x.ordered;
	in.rate_per_s = x.rate_per_s;
	in.now_ms = now;
	if (read_fields(r, d, body, 0, cx->who.workspace, &in, &k) == -1)
		goto out;
	if ((rc = db_fwd_dest_update(d, &in)) != 1 ||
	    db_fwd_dest_get(d, cx->who.workspace, id, now - 86400000,
	    &x) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such destination" : "cannot change it now");
		goto out;
	}
	audit(r, cx, d, "destination_change", id, x.url);
	if (x.enabled)
		bg_thread_poke(fwd_thread);
	http_json(r, 200, dest_json(&x));
out:
	cJSON_Delete(body);
	bufs_free(&k);
}

/* POST /api/destinations/ID/rotate-secret. */
static void
dest_rotate(struct req *r, const struct route_ctx *cx, struct db *d,
    long long id)
{
	struct buf	 cur, sealed, old, hdr;
	char		 secret[HG_WHSIG_SECRET_MAX];
	cJSON		*body = NULL, *v, *root;
	long long	 ws = 0, until = 0, grace = FWD_GRACE_DEFAULT_S;
	long long	 now = clock_ms();
	const char	*cl;
	int		 rc;

	buf_init(&cur, 4096);
	buf_init(&sealed, 4096);
	buf_init(&old, 4096);
	buf_init(&hdr, 64 * 1024);
	secret[0] = '\0';
	cl = http_env(r, "CONTENT_LENGTH");
	if (cl != NULL && *cl != '\0' && strcmp(cl, "0") != 0) {
		if (route_json_body(r, &body) == -1)
			goto out;
		v = cJSON_GetObjectItemCaseSensitive(body, "grace_s");
		if (v != NULL) {
			if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
			    v->valuedouble > FWD_GRACE_MAX_S) {
				route_error(r, 400, "grace_s: seconds the old "
				    "secret still signs, 0 to 604800");
				goto out;
			}
			grace = (long long)v->valuedouble;
		}
	}
	if ((rc = db_fwd_dest_keys(d, id, &ws, &cur, &old, &until,
	    &hdr)) != 1 || ws != cx->who.workspace) {
		route_error(r, rc == -1 ? 503 : 404, rc == -1 ?
		    "cannot read it now" : "no such destination");
		goto out;
	}
	if (whsig_secret_new(secret, sizeof(secret)) == -1 ||
	    forward_seal(fwd_conf, ws, secret, &sealed) == -1) {
		route_error(r, 503, "a secret cannot be made now");
		goto out;
	}
	if (db_fwd_dest_secret(d, ws, id, sealed.data, sealed.len,
	    grace > 0 ? cur.data : NULL, cur.len, now + grace * 1000,
	    now) != 1) {
		route_error(r, 503, "the secret cannot be stored now");
		goto out;
	}
	audit(r, cx, d, "destination_rotate", id, "");
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "id", (double)id);
	cJSON_AddStringToObject(root, "secret", secret);
	if (grace > 0)
		cJSON_AddNumberToObject(root, "old_secret_until_ms",
		    (double)(now + grace * 1000));
	else
		cJSON_AddNullToObject(root, "old_secret_until_ms");
	http_json(r, 200, root);
out:
	crypto_wipe(secret, sizeof(secret));
	cJSON_Delete(body);
	buf_free(&cur);
	buf_free(&sealed);
	buf_free(&old);
	buf_free(&hdr);
}

/* A time of a replay's range: unix milliseconds, or ISO 8601 UTC
 * ("2026-11-30T22:00:00Z", fraction optional); 0 or -1. */
static int
time_of(const cJSON *v, long long *ms)
{
	struct tm	 tm;
	const char	*e;

	if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
	    v->valuedouble < 1e15) {
		*ms = (long long)v->valuedouble;
		return 0;
	}
	if (!cJSON_IsString(v))
		return -1;
	memset(&tm, 0, sizeof(tm));
	if ((e = strptime(v->valuestring, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*e == '.')
		for (e++; *e >= '0' && *e <= '9'; e++)
			;
	if (strcmp(e, "Z") != 0 && strcmp(e, "+00:00") != 0)
		return -1;
	*ms = (long long)timegm(&tm) * 1000;
	return 0;
}

/* POST /api/destinations/ID/replay. */
static void
dest_replay(struct req *r, const struct route_ctx *cx, struct db *d,
    long long id)
{
	struct db_fwd_dest	 x;
	cJSON			*body = NULL, *root;
	long long		 since, until, n = 0, now = clock_ms();
	char			 detail[96];
	int			 rc;

	if (route_json_body(r, &body) == -1)
		return;
	if (time_of(cJSON_GetObjectItemCaseSensitive(body, "since"),
	    &since) == -1 || time_of(cJSON_GetObjectItemCaseSensitive(body,
	    "until"), &until) == -1 || until <= since) {
		cJSON_Delete(body);
		route_error(r, 400, "since, until: the range of events to "
		    "send again (unix ms or ISO 8601 UTC), since < until");
		return;
	}
	cJSON_Delete(body);
	if ((rc = db_fwd_dest_get(d, cx->who.workspace, id, now, &x)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such destination" : "cannot read it now");
		return;
	}
	if (db_begin(d) == -1 || db_fwd_replay(d, cx->who.workspace, id,
	    since, until, now, &n) == -1 || db_commit(d) == -1) {
		db_rollback(d);
		route_error(r, 503, "cannot replay now");
		return;
	}
	snprintf(detail, sizeof(detail), "since=%lld until=%lld events=%lld",
	    since, until, n);
	audit(r, cx, d, "destination_replay", id, detail);
	bg_thread_poke(fwd_thread);
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "deliveries", (double)n);
	http_json(r, 202, root);
}

struct deliv_acc {
	cJSON		*arr;
	long long	 last;
	int		 n;
};

static cJSON *
delivery_json(const struct db_fwd_delivery *x)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)x->id);
	cJSON_AddNumberToObject(o, "destination_id", (double)x->destination_id);
	cJSON_AddStringToObject(o, "event_id", x->uid);
	cJSON_AddStringToObject(o, "type", x->type);
	cJSON_AddStringToObject(o, "state", x->state);
	cJSON_AddNumberToObject(o, "attempts", (double)x->attempts);
	if (strcmp(x->state, "pending") == 0)
		cJSON_AddNumberToObject(o, "next_attempt_ms",
		    (double)x->next_attempt_ms);
	else
		cJSON_AddNullToObject(o, "next_attempt_ms");
	json_add_num_or_null(o, "last_status", x->last_status);
	json_add_str_or_null(o, "last_error", x->last_error[0] ?
	    x->last_error : NULL);
	cJSON_AddNumberToObject(o, "created_ms", (double)x->created_ms);
	json_add_num_or_null(o, "done_ms", x->done_ms);
	return o;
}

static void
deliv_one(void *arg, const struct db_fwd_delivery *x)
{
	struct deliv_acc *a = arg;

	cJSON_AddItemToArray(a->arr, delivery_json(x));
	a->last = x->id;
	a->n++;
}

/* GET /api/destinations/ID/deliveries. */
static void
dest_deliveries(struct req *r, const struct route_ctx *cx, struct db *d,
    long long id)
{
	struct db_fwd_dest	 x;
	struct deliv_acc	 a;
	const char		*state = NULL;
	cJSON			*root;
	int			 limit = 50, rc;

	if (cx->v[FWD_F_STATE].set) {
		state = cx->v[FWD_F_STATE].s;
		if (strcmp(state, "pending") != 0 && strcmp(state,
		    "delivered") != 0 && strcmp(state, "dead") != 0) {
			route_error(r, 400, "state: pending, delivered or dead");
			return;
		}
	}
	if (cx->v[FWD_F_LIMIT].set)
		limit = (int)cx->v[FWD_F_LIMIT].n;
	if ((rc = db_fwd_dest_get(d, cx->who.workspace, id, clock_ms(),
	    &x)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such destination" : "cannot read it now");
		return;
	}
	root = cJSON_CreateObject();
	memset(&a, 0, sizeof(a));
	a.arr = cJSON_AddArrayToObject(root, "data");
	if (db_fwd_deliveries(d, cx->who.workspace, id, state,
	    cx->v[FWD_F_BEFORE].set ? cx->v[FWD_F_BEFORE].n : 0, limit,
	    deliv_one, &a) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the deliveries now");
		return;
	}
	if (a.n == limit)
		cJSON_AddNumberToObject(root, "next_before", (double)a.last);
	else
		cJSON_AddNullToObject(root, "next_before");
	http_json(r, 200, root);
}

void
api_fwd_destinations(struct req *r, const struct route_ctx *cx)
{
	struct db_fwd_dest	 x;
	struct db		*d;
	const char		*rest;
	cJSON			*root, *arr;
	long long		 id, n = 0, now = clock_ms();
	char			 uid[64], detail[64];
	int			 rc;

	if ((d = fwd_db(r)) == NULL)
		return;
	if (strcmp(r->path, DEST_PATH) == 0) {
		if (r->method == HTTP_POST) {
			dest_create(r, cx, d);
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
		    cJSON_CreateStringArray(fwd_types,
		    sizeof(fwd_types) / sizeof(fwd_types[0])));
		http_json(r, 200, root);
		return;
	}
	if (route_path_id(r, DEST_PATH "/", &id, &rest) == -1) {
		route_error(r, 404, "no such destination");
		return;
	}
	if (*rest == '\0') {
		if (r->method == HTTP_PUT) {
			dest_update(r, cx, d, id);
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
			audit(r, cx, d, "destination_delete", id, "");
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
		http_json(r, 200, dest_json(&x));
		return;
	}
	if (strcmp(rest, "/deliveries") == 0 && r->method == HTTP_GET) {
		dest_deliveries(r, cx, d, id);
		return;
	}
	if (r->method != HTTP_POST) {
		route_error(r, 404, "no such action");
		return;
	}
	if (strcmp(rest, "/rotate-secret") == 0) {
		dest_rotate(r, cx, d, id);
		return;
	}
	if (strcmp(rest, "/replay") == 0) {
		dest_replay(r, cx, d, id);
		return;
	}
	if (strcmp(rest, "/test") == 0) {
		if ((rc = db_fwd_dest_get(d, cx->who.workspace, id, now,
		    &x)) != 1) {
			route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
			    "no such destination" : "cannot read it now");
			return;
		}
		if (!x.enabled) {
			route_error(r, 409, "the destination is disabled: "
			    "enable it first");
			return;
		}
		if (db_begin(d) == -1 || (rc = db_fwd_test(d,
		    cx->who.workspace, id, now, uid)) != 1 ||
		    db_commit(d) == -1) {
			db_rollback(d);
			route_error(r, 503, "cannot queue a test event now");
			return;
		}
		bg_thread_poke(fwd_thread);
		root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "event_id", uid);
		http_json(r, 202, root);
		return;
	}
	if (strcmp(rest, "/resend") == 0) {
		if ((rc = db_fwd_dest_get(d, cx->who.workspace, id, now,
		    &x)) != 1) {
			route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
			    "no such destination" : "cannot read it now");
			return;
		}
		if (db_fwd_resend_dead(d, cx->who.workspace, id, now,
		    &n) == -1) {
			route_error(r, 503, "cannot resend now");
			return;
		}
		snprintf(detail, sizeof(detail), "deliveries=%lld", n);
		audit(r, cx, d, "destination_resend", id, detail);
		bg_thread_poke(fwd_thread);
		root = cJSON_CreateObject();
		cJSON_AddNumberToObject(root, "deliveries", (double)n);
		http_json(r, 202, root);
		return;
	}
	route_error(r, 404, "no such action");
}

struct att_acc {
	cJSON	*arr;
};

static void
att_one(void *arg, const struct db_fwd_attempt *x)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)x->id);
	cJSON_AddNumberToObject(o, "started_ms", (double)x->started_ms);
	cJSON_AddNumberToObject(o, "duration_ms", (double)x->duration_ms);
	json_add_num_or_null(o, "status", x->status);
	json_add_str_or_null(o, "error", x->error[0] ? x->error : NULL);
	json_add_str_or_null(o, "response", x->response[0] ? x->response :
	    NULL);
	cJSON_AddItemToArray(arg, o);
}

void
api_fwd_deliveries(struct req *r, const struct route_ctx *cx)
{
	struct db_fwd_delivery	 x;
	struct db		*d;
	const char		*rest;
	cJSON			*root;
	long long		 id;
	int			 rc;

	if ((d = fwd_db(r)) == NULL)
		return;
	if (route_path_id(r, DELIV_PATH "/", &id, &rest) == -1) {
		route_error(r, 404, "no such delivery");
		return;
	}
	if (r->method == HTTP_POST && strcmp(rest, "/resend") == 0) {
		if ((rc = db_fwd_resend(d, cx->who.workspace, id,
		    clock_ms())) != 1) {
			route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
			    "no such delivery" : "cannot resend now");
			return;
		}
		bg_thread_poke(fwd_thread);
	} else if (r->method != HTTP_GET || *rest != '\0') {
		route_error(r, 404, "no such action");
		return;
	}
	if ((rc = db_fwd_delivery_get(d, cx->who.workspace, id, &x)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such delivery" : "cannot read it now");
		return;
	}
	root = delivery_json(&x);
	if (db_fwd_attempts(d, id, att_one,
	    cJSON_AddArrayToObject(root, "attempts")) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the attempts now");
		return;
	}
	http_json(r, r->method == HTTP_POST ? 202 : 200, root);
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
