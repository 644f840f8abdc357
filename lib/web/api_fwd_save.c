/*
 * api_fwd_save: adding and changing a destination (its fields checked
 * at the door, its headers and secret sealed) and rotating its secret.
 * See api_fwd.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "api_fwd.h"
#include "api_fwd_int.h"
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
#include "urlsafe.h"
#include "whsig.h"

/* The rotation's grace period: a day by default, a week at most. */
#define FWD_GRACE_DEFAULT_S	86400
#define FWD_GRACE_MAX_S		(7 * 86400)

/* The event types a destination may take. */
static const char *const fwd_types[] = {
	"message.received", "message.sent", "message.status",
	"conversation.escalated", "conversation.assigned",
	"conversation.closed", "channel.updated", "token.level", "meta.event",
	"message.forwarded",
};
static const char *const fwd_platforms[] = { "page", "instagram", "whatsapp" };

cJSON *
api_fwd_types_json(void)
{
	return cJSON_CreateStringArray(fwd_types,
	    sizeof(fwd_types) / sizeof(fwd_types[0]));
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

/* 1 when the JSON text s (n bytes) holds a NUL character (\u0000) in a
 * string: cJSON would end the string there and keep the rest unseen. */
static int
has_nul(const char *s, size_t n)
{
	size_t	 i;
	int	 in = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			in = !in;
		else if (in && s[i] == '\\' && i + 1 < n) {
			if (s[i + 1] == 'u' && i + 5 < n &&
			    strncmp(s + i + 2, "0000", 4) == 0)
				return 1;
			i++;
		}
	}
	return 0;
}

/* A JSON body that no field of which holds NUL: 0, or -1 answered. */
static int
dest_body(struct req *r, cJSON **body)
{
	if (route_json_body(r, body) == -1)
		return -1;
	if (has_nul(r->body.data, r->body.len)) {
		route_error(r, 422, "a NUL character (\\u0000) is in no field, "
		    "header names and values included");
		return -1;
	}
	return 0;
}

/* The audit row of an action on destination id at url: its host alone
 * (the path or query may hold a key of theirs). */
static void
audit_host(struct req *r, const struct route_ctx *cx, struct db *d,
    const char *action, long long id, const char *url)
{
	struct urlsafe_url	 u;
	const char		*why;
	char			 detail[HG_URLSAFE_HOST_MAX + 16];

	if (urlsafe_parse(url, &u, &why) == -1)
		snprintf(detail, sizeof(detail), "host=?");
	else
		snprintf(detail, sizeof(detail), "host=%s", u.host);
	api_fwd_audit(r, cx, d, action, id, detail);
}

/* What read_fields keeps for the caller to free: the lists' JSON text,
 * the sealed headers. */
struct dest_bufs {
	char	*events, *channels, *platforms;
	struct buf hdrs;
};

/* The custom headers v (a JSON object of names and text values, or
 * null: none), each checked by forward_header_check, sealed into k for
 * in.  0, or -1 answered (422 with the rule a header breaks). */
static int
read_headers(struct req *r, const cJSON *v, long long workspace,
    struct db_fwd_dest_in *in, struct dest_bufs *k)
{
	const cJSON	*it, *jt;
	const char	*why;
	char		 msg[512], *txt;
	int		 n = 0, rc;

	if (!cJSON_IsObject(v) && !cJSON_IsNull(v)) {
		route_error(r, 400, "headers: an object of header names and "
		    "values");
		return -1;
	}
	in->set_headers = 1;
	if (cJSON_IsNull(v) || cJSON_GetArraySize(v) == 0)
		return 0;
	cJSON_ArrayForEach(it, v) {
		if (++n > HG_FWD_HEADERS_MAX) {
			route_error(r, 422, "headers: at most "
			    HG_STR(HG_FWD_HEADERS_MAX) " of them");
			return -1;
		}
		if (!cJSON_IsString(it)) {
			route_error(r, 422, "headers: every value is text");
			return -1;
		}
		if (forward_header_check(it->string, NULL, &why) == -1) {
			/* The name is shown when it is plainly one. */
			if (*it->string != '\0' && strlen(it->string) <=
			    HG_FWD_HEADER_NAME_MAX && strspn(it->string,
			    "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
			    strlen(it->string))
				snprintf(msg, sizeof(msg), "headers: %s cannot "
				    "be set: %s", it->string, why);
			else
				snprintf(msg, sizeof(msg), "headers: %s", why);
			route_error(r, 422, msg);
			return -1;
		}
		if (forward_header_check(it->string, it->valuestring,
		    &why) == -1) {
			snprintf(msg, sizeof(msg), "headers: %s's value: %s",
			    it->string, why);
			route_error(r, 422, msg);
			return -1;
		}
		for (jt = v->child; jt != it; jt = jt->next)
			if (strcasecmp(jt->string, it->string) == 0) {
				snprintf(msg, sizeof(msg), "headers: %s is "
				    "given twice", it->string);
				route_error(r, 422, msg);
				return -1;
			}
	}
	if ((txt = cJSON_PrintUnformatted(v)) == NULL) {
		route_error(r, 503, "out of memory");
		return -1;
	}
	rc = forward_seal(api_fwd_conf, workspace, txt, &k->hdrs);
	crypto_wipe(txt, strlen(txt));
	cJSON_free(txt);
	if (rc == -1) {
		route_error(r, 503, "headers cannot be stored: no token_key is "
		    "configured");
		return -1;
	}
	in->headers = k->hdrs.data;
	in->headers_len = k->hdrs.len;
	return 0;
}


/* A destination's fields from a JSON body onto in (a new one when
 * create; else only those given), the strings kept in k (freed by the
 * caller, bufs_free), headers sealed into k->hdrs.  0, or -1
 * answered. */
static int
read_fields(struct req *r, struct db *d, cJSON *body, int create,
    long long workspace, struct db_fwd_dest_in *in, struct dest_bufs *k)
{
	cJSON		*v, *it, *a;
	struct urlsafe_url u;
	const char	*why;
	int		 rc, loopback;

	(void)d;
	loopback = strcmp(conf_get(api_fwd_conf, "sandbox"), "yes") == 0;
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
	if (v != NULL && read_headers(r, v, workspace, in, k) == -1)
		return -1;
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
void
api_fwd_create(struct req *r, const struct route_ctx *cx, struct db *d)
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
	if (dest_body(r, &body) == -1)
		goto out;
	if (read_fields(r, d, body, 1, cx->who.workspace, &in, &k) == -1)
		goto out;
	if (whsig_secret_new(secret, sizeof(secret)) == -1 ||
	    forward_seal(api_fwd_conf, cx->who.workspace, secret, &sealed) == -1) {
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
	audit_host(r, cx, d, "destination_add", id, x.url);
	root = api_fwd_dest_json(&x);
	cJSON_AddStringToObject(root, "secret", secret);
	http_json(r, 201, root);
out:
	crypto_wipe(secret, sizeof(secret));
	cJSON_Delete(body);
	bufs_free(&k);
	buf_free(&sealed);
}

/* PUT /api/destinations/ID. */
void
api_fwd_update(struct req *r, const struct route_ctx *cx, struct db *d,
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
	if (dest_body(r, &body) == -1)
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
	audit_host(r, cx, d, "destination_change", id, x.url);
	if (x.enabled)
		bg_thread_poke(api_fwd_thread);
	http_json(r, 200, api_fwd_dest_json(&x));
out:
	cJSON_Delete(body);
	bufs_free(&k);
}

/* POST /api/destinations/ID/rotate-secret. */
void
api_fwd_rotate(struct req *r, const struct route_ctx *cx, struct db *d,
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
	    forward_seal(api_fwd_conf, ws, secret, &sealed) == -1) {
		route_error(r, 503, "a secret cannot be made now");
		goto out;
	}
	if (db_fwd_dest_secret(d, ws, id, sealed.data, sealed.len,
	    grace > 0 ? cur.data : NULL, cur.len, now + grace * 1000,
	    now) != 1) {
		route_error(r, 503, "the secret cannot be stored now");
		goto out;
	}
	api_fwd_audit(r, cx, d, "destination_rotate", id, "");
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
