/*
 * graph_oauth: Facebook Login exchanges, Pages, debug_token and
 * subscriptions over lib/graph.  See graph_oauth.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "graph.h"
#include "graph_oauth.h"
#include "json.h"
#include "limits.h"
#include "num.h"

#define PAGE_FIELDS "id,name,access_token,tasks,category," \
	"instagram_business_account"

static void
str_member(const cJSON *o, const char *name, char *out, size_t outsz)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);
	long long	 n;

	out[0] = '\0';
	if (cJSON_IsString(v))
		snprintf(out, outsz, "%s", v->valuestring);
	else if ((n = json_uint(o, name)) >= 0)
		snprintf(out, outsz, "%lld", n);
}

/* The id member name of o into out, or "" when it is not an id. */
static void
id_member(const cJSON *o, const char *name, char out[HG_META_ID_MAX + 1])
{
	if (json_id(cJSON_GetObjectItemCaseSensitive(o, name), out) == NULL)
		out[0] = '\0';
}

/* Take the token out of an OK answer; -1 (res made PERMANENT) when
 * Meta's answer has none. */
static int
take_token(struct graph_result *res, struct graph_token *t)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    res->json, "access_token"));

	memset(t, 0, sizeof(*t));
	if (s == NULL || s[0] == '\0' || (t->access_token = strdup(s)) == NULL) {
		graph_result_free(res);
		graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_OTHER,
		    "no access_token in Meta's answer");
		return -1;
	}
	t->expires_in = json_uint(res->json, "expires_in");
	if (t->expires_in < 0)
		t->expires_in = 0;
	str_member(res->json, "token_type", t->token_type,
	    sizeof(t->token_type));
	return 0;
}

/* GET /oauth/access_token with p and take the token; when missing is
 * set, a parameter is missing: fail with it, without calling Meta. */
static int
token_call(struct graph *g, const struct graph_param *p, const char *missing,
    struct graph_token *t, struct graph_result *res)
{
	memset(t, 0, sizeof(*t));
	if (missing != NULL) {
		memset(res, 0, sizeof(*res));
		graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_PARAMETER,
		    "%s", missing);
		return -1;
	}
	if (graph_call(g, GRAPH_GET, "/oauth/access_token", p, NULL,
	    GRAPH_AUTH_NONE, NULL, res) == -1)
		return -1;
	return take_token(res, t);
}

void
graph_oauth_token_free(struct graph_token *t)
{
	if (t == NULL)
		return;
	if (t->access_token != NULL) {
		crypto_wipe(t->access_token, strlen(t->access_token));
		free(t->access_token);
	}
	memset(t, 0, sizeof(*t));
}

int
graph_oauth_code(struct graph *g, const char *code, const char *redirect_uri,
    struct graph_token *t, struct graph_result *res)
{
	struct graph_param p[] = {
		{ "client_id", graph_app_id(g) },
		{ "redirect_uri", redirect_uri },
		{ "client_secret", graph_app_secret(g) },
		{ "code", code },
		{ NULL, NULL }
	};

	return token_call(g, p, code == NULL || code[0] == '\0' ||
	    redirect_uri == NULL ? "code and redirect_uri are required" : NULL,
	    t, res);
}

int
graph_oauth_exchange(struct graph *g, const char *user_token,
    struct graph_token *t, struct graph_result *res)
{
	struct graph_param p[] = {
		{ "grant_type", "fb_exchange_token" },
		{ "client_id", graph_app_id(g) },
		{ "client_secret", graph_app_secret(g) },
		{ "fb_exchange_token", user_token },
		{ NULL, NULL }
	};

	return token_call(g, p, user_token == NULL || user_token[0] == '\0' ?
	    "no token to exchange" : NULL, t, res);
}

int
graph_each_page(struct graph *g, const char *path, const char *fields,
    enum graph_auth auth, const char *token,
    int (*each)(void *, const cJSON *), void *arg, size_t *n,
    struct graph_result *res)
{
	const cJSON	*data, *it, *paging, *after;
	char		 cursor[1024], limit[16];
	size_t		 seen = 0, round;
	struct graph_param p[] = {
		{ "fields", fields },
		{ "limit", limit },
		{ "after", NULL },
		{ NULL, NULL }
	};

	memset(res, 0, sizeof(*res));
	snprintf(limit, sizeof(limit), "%d", HG_GRAPH_PAGE_LIMIT);
	cursor[0] = '\0';
	if (n != NULL)
		*n = 0;
	for (round = 0; ; round++) {
		if (round == HG_GRAPH_PAGES_MAX) {
			graph_result_free(res);
			graph_result_local(res, GRAPH_PERMANENT,
			    GRAPH_REASON_LIMIT, "more than %d result pages",
			    HG_GRAPH_PAGES_MAX);
			return -1;
		}
		if (round > 0)
			graph_result_free(res);
		p[2].value = cursor[0] != '\0' ? cursor : NULL;
		if (graph_call(g, GRAPH_GET, path, p, NULL, auth, token,
		    res) == -1)
			return -1;
		data = cJSON_GetObjectItemCaseSensitive(res->json, "data");
		if (!cJSON_IsArray(data))
			data = NULL;
		cJSON_ArrayForEach(it, data) {
			if (!cJSON_IsObject(it))
				continue;
			seen++;
			if (n != NULL)
				*n = seen;
			if (each != NULL && each(arg, it) == -1) {
				graph_result_free(res);
				graph_result_local(res, GRAPH_PERMANENT,
				    GRAPH_REASON_OTHER, "stopped by the caller");
				return -1;
			}
		}
		paging = cJSON_GetObjectItemCaseSensitive(res->json, "paging");
		after = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(paging, "cursors"), "after");
		if (cJSON_GetObjectItemCaseSensitive(paging, "next") == NULL ||
		    !cJSON_IsString(after) || after->valuestring[0] == '\0')
			return 0;
		if (strlen(after->valuestring) >= sizeof(cursor) ||
		    strcmp(after->valuestring, cursor) == 0) {
			graph_result_free(res);
			graph_result_local(res, GRAPH_PERMANENT,
			    GRAPH_REASON_OTHER, "unusable paging cursor");
			return -1;
		}
		snprintf(cursor, sizeof(cursor), "%s", after->valuestring);
	}
}

int
graph_oauth_pages(struct graph *g, const char *user_token, const char *fields,
    int (*each)(void *, const cJSON *), void *arg, size_t *npages,
    struct graph_result *res)
{
	return graph_each_page(g, "/me/accounts", fields != NULL ? fields :
	    PAGE_FIELDS, GRAPH_AUTH_USER, user_token, each, arg, npages, res);
}

int
graph_oauth_debug_read(const cJSON *json, struct graph_token_info *info)
{
	const cJSON	*d, *e, *sc, *s;
	size_t		 o = 0;

	memset(info, 0, sizeof(*info));
	if (!cJSON_IsObject(d = cJSON_GetObjectItemCaseSensitive(json, "data")))
		return -1;
	info->is_valid = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d,
	    "is_valid"));
	str_member(d, "type", info->type, sizeof(info->type));
	id_member(d, "app_id", info->app_id);
	id_member(d, "user_id", info->user_id);
	id_member(d, "profile_id", info->profile_id);
	info->expires_at = json_uint(d, "expires_at");
	info->data_access_expires_at = json_uint(d, "data_access_expires_at");
	info->issued_at = json_uint(d, "issued_at");
	if (info->expires_at < 0)
		info->expires_at = 0;
	if (info->data_access_expires_at < 0)
		info->data_access_expires_at = 0;
	if (info->issued_at < 0)
		info->issued_at = 0;
	sc = cJSON_GetObjectItemCaseSensitive(d, "scopes");
	if (!cJSON_IsArray(sc))
		sc = NULL;
	cJSON_ArrayForEach(s, sc) {
		if (!cJSON_IsString(s) || o + strlen(s->valuestring) + 2 >
		    sizeof(info->scopes))
			continue;
		o += (size_t)snprintf(info->scopes + o, sizeof(info->scopes) - o,
		    "%s%s", o > 0 ? "," : "", s->valuestring);
	}
	if (cJSON_IsObject(e = cJSON_GetObjectItemCaseSensitive(d, "error"))) {
		info->error_code = (long)json_uint(e, "code");
		info->error_subcode = (long)json_uint(e, "subcode");
		if (info->error_subcode <= 0)
			info->error_subcode = (long)json_uint(e,
			    "error_subcode");
		if (info->error_code < 0)
			info->error_code = 0;
	}
	/* Meta says dead without saying why: a dead token all the same. */
	if (!info->is_valid && info->error_code == 0)
		info->error_code = 190;
	return 0;
}

/* Read debug_token's answer in res into info; 0, or -1 (res made
 * PERMANENT) when it has no data. */
static int
debug_parse(struct graph_result *res, struct graph_token_info *info)
{
	if (graph_oauth_debug_read(res->json, info) == 0)
		return 0;
	graph_result_free(res);
	graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_OTHER,
	    "no data in debug_token's answer");
	return -1;
}

int
graph_oauth_debug_token(struct graph *g, const char *input_token,
    struct graph_token_info *info, struct graph_result *res)
{
	struct graph_param p[] = {
		{ "input_token", input_token },
		{ NULL, NULL }
	};

	memset(info, 0, sizeof(*info));
	if (input_token == NULL || input_token[0] == '\0') {
		memset(res, 0, sizeof(*res));
		graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_PARAMETER,
		    "no token to check");
		return -1;
	}
	if (graph_call(g, GRAPH_GET, "/debug_token", p, NULL, GRAPH_AUTH_APP,
	    NULL, res) == -1)
		return -1;
	return debug_parse(res, info);
}

int
graph_oauth_subscribed_apps(struct graph *g, enum graph_method m,
    const char *object_id, const char *token, const char *fields,
    struct graph_result *res)
{
	struct graph_param p[] = {
		{ "subscribed_fields", m == GRAPH_POST ? fields : NULL },
		{ NULL, NULL }
	};
	char path[HG_META_ID_MAX + 32];

	if (!graph_id_ok(object_id)) {
		memset(res, 0, sizeof(*res));
		graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_PARAMETER,
		    "invalid object id");
		return -1;
	}
	snprintf(path, sizeof(path), "/%s/subscribed_apps", object_id);
	if (graph_call(g, m, path, p, NULL, GRAPH_AUTH_USER, token, res) == -1)
		return -1;
	if (m != GRAPH_GET && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
	    res->json, "success"))) {
		graph_result_free(res);
		graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_OTHER,
		    "Meta did not confirm the subscription change");
		return -1;
	}
	return 0;
}

/* --- Instagram Login --- */

/* Read api.instagram.com's error shape into a failed res. */
static void
ig_error(struct graph_result *res)
{
	const char	*m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    res->json, "error_message"));
	long long	 code = json_uint(res->json, "code");

	if (m == NULL || m[0] == '\0')
		return;
	if (code > 0 && res->code == 0)
		res->code = (long)code;
	snprintf(res->message, sizeof(res->message), "%s", m);
	snprintf(res->user_msg, sizeof(res->user_msg), "%s", m);
}

int
graph_ig_code(struct graph *api, const char *code, const char *redirect_uri,
    struct graph_token *t, char user_id[HG_META_ID_MAX + 1], char *perms,
    size_t permsz, struct graph_result *res)
{
	struct graph_param p[] = {
		{ "client_id", graph_app_id(api) },
		{ "client_secret", graph_app_secret(api) },
		{ "grant_type", "authorization_code" },
		{ "redirect_uri", redirect_uri },
		{ "code", code },
		{ NULL, NULL }
	};
	const cJSON	*o, *pm, *e;
	const char	*tok;
	size_t		 n = 0;

	memset(t, 0, sizeof(*t));
	user_id[0] = '\0';
	if (permsz > 0)
		perms[0] = '\0';
	if (code == NULL || code[0] == '\0' || redirect_uri == NULL) {
		memset(res, 0, sizeof(*res));
		graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_PARAMETER,
		    "code and redirect_uri are required");
		return -1;
	}
	if (graph_post_form(api, "/oauth/access_token", p, res) == -1) {
		ig_error(res);
		return -1;
	}
	/* {"data": [{...}]}, or the object itself. */
	o = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res->json,
	    "data"), 0);
	if (!cJSON_IsObject(o))
		o = res->json;
	tok = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o,
	    "access_token"));
	if (tok == NULL || tok[0] == '\0' ||
	    (t->access_token = strdup(tok)) == NULL) {
		graph_result_free(res);
		graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_OTHER,
		    "no access_token in Meta's answer");
		return -1;
	}
	id_member(o, "user_id", user_id);
	pm = cJSON_GetObjectItemCaseSensitive(o, "permissions");
	if (cJSON_IsString(pm) && permsz > 0)
		snprintf(perms, permsz, "%s", pm->valuestring);
	else if (cJSON_IsArray(pm)) {
		cJSON_ArrayForEach(e, pm) {
			if (!cJSON_IsString(e) || n + strlen(e->valuestring) +
			    2 > permsz)
				continue;
			n += (size_t)snprintf(perms + n, permsz - n, "%s%s",
			    n > 0 ? "," : "", e->valuestring);
		}
	}
	return 0;
}

/* GET path on graph.instagram.com with p and take the token. */
static int
ig_token_call(struct graph *ig, const char *path, const struct graph_param *p,
    const char *token, struct graph_token *t, struct graph_result *res)
{
	memset(t, 0, sizeof(*t));
	if (token == NULL || token[0] == '\0') {
		memset(res, 0, sizeof(*res));
		graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_PARAMETER,
		    "no token to exchange");
		return -1;
	}
	if (graph_call(ig, GRAPH_GET, path, p, NULL, GRAPH_AUTH_USER, token,
	    res) == -1) {
		ig_error(res);
		return -1;
	}
	return take_token(res, t);
}

int
graph_ig_exchange(struct graph *ig, const char *short_token,
    struct graph_token *t, struct graph_result *res)
{
	struct graph_param p[] = {
		{ "grant_type", "ig_exchange_token" },
		{ "client_secret", graph_app_secret(ig) },
		{ NULL, NULL }
	};

	return ig_token_call(ig, "/access_token", p, short_token, t, res);
}

int
graph_ig_refresh(struct graph *ig, const char *token, struct graph_token *t,
    struct graph_result *res)
{
	struct graph_param p[] = {
		{ "grant_type", "ig_refresh_token" },
		{ NULL, NULL }
	};

	return ig_token_call(ig, "/refresh_access_token", p, token, t, res);
}

int
graph_ig_me(struct graph *ig, const char *token, struct graph_ig_user *u,
    struct graph_result *res)
{
	struct graph_param p[] = {
		{ "fields", "user_id,username" },
		{ NULL, NULL }
	};
	char path[64];

	memset(u, 0, sizeof(*u));
	snprintf(path, sizeof(path), "/%s/me", graph_version(ig));
	if (graph_call(ig, GRAPH_GET, path, p, NULL, GRAPH_AUTH_USER, token,
	    res) == -1)
		return -1;
	id_member(res->json, "user_id", u->user_id);
	id_member(res->json, "id", u->id);
	str_member(res->json, "username", u->username, sizeof(u->username));
	if (u->user_id[0] == '\0' || !graph_id_ok(u->user_id)) {
		graph_result_free(res);
		graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_OTHER,
		    "no user_id in Meta's answer");
		return -1;
	}
	return 0;
}

int
graph_ig_subscribed_apps(struct graph *ig, enum graph_method m,
    const char *token, const char *fields, char *out, size_t outsz,
    struct graph_result *res)
{
	struct graph_param p[] = {
		{ "subscribed_fields", m == GRAPH_POST ? fields : NULL },
		{ NULL, NULL }
	};
	const cJSON	*a, *f;
	const char	*id;
	char		 path[64];
	size_t		 o = 0;

	if (out != NULL && outsz > 0)
		out[0] = '\0';
	snprintf(path, sizeof(path), "/%s/me/subscribed_apps",
	    graph_version(ig));
	if (graph_call(ig, m, path, p, NULL, GRAPH_AUTH_USER, token, res) == -1)
		return -1;
	if (m != GRAPH_GET) {
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res->json,
		    "success"))) {
			graph_result_free(res);
			graph_result_local(res, GRAPH_PERMANENT,
			    GRAPH_REASON_OTHER, "Meta did not confirm the "
			    "subscription change");
			return -1;
		}
		return 0;
	}
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(res->json,
	    "data")) {
		id = json_str(a, "id");
		if (id != NULL && strcmp(id, graph_app_id(ig)) != 0)
			continue;
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(a,
		    "subscribed_fields")) {
			if (out == NULL || !cJSON_IsString(f) ||
			    o + strlen(f->valuestring) + 2 > outsz)
				continue;
			o += (size_t)snprintf(out + o, outsz - o, "%s%s",
			    o > 0 ? "," : "", f->valuestring);
		}
	}
	return 0;
}

/* 1 when the JSON value v (a string or a number) is the id target. */
static int
id_is(const cJSON *v, const char *target)
{
	char id[HG_META_ID_MAX + 1];

	return json_id(v, id) != NULL && strcmp(id, target) == 0;
}

int
graph_oauth_scope_covers(const cJSON *json, const char *scope,
    const char *target)
{
	const cJSON	*d = cJSON_GetObjectItemCaseSensitive(json, "data");
	const cJSON	*g, *t, *ids;
	int		 listed = 0;

	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(d,
	    "granular_scopes")) {
		const char *name = json_str(g, "scope");

		if (name == NULL || strcmp(name, scope) != 0)
			continue;
		ids = cJSON_GetObjectItemCaseSensitive(g, "target_ids");
		if (!cJSON_IsArray(ids))
			return 1;	/* every object */
		cJSON_ArrayForEach(t, ids)
			if (id_is(t, target))
				return 1;
		return 0;
	}
	/* Not among the granular scopes: granted everywhere when it is
	 * among the scopes. */
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(d, "scopes"))
		if (cJSON_IsString(g) && strcmp(g->valuestring, scope) == 0)
			listed = 1;
	return listed ? 1 : -1;
}

int
graph_oauth_wa_number(struct graph *g, const char *waba, const char *phone_id,
    const char *token, struct graph_wa_number *n, int *failed_at,
    struct graph_result *res)
{
	struct graph_param p[] = {
		{ "fields", "display_phone_number,verified_name,"
		    "quality_rating" },
		{ NULL, NULL }
	};
	struct graph_param lp[] = {
		{ "fields", "id" },
		{ "after", NULL },
		{ NULL, NULL }
	};
	const cJSON	*e, *paging, *after;
	char		 path[HG_META_ID_MAX + 32], cursor[1024];
	int		 round;

	memset(n, 0, sizeof(*n));
	*failed_at = 1;
	if (!graph_id_ok(waba) || !graph_id_ok(phone_id)) {
		memset(res, 0, sizeof(*res));
		graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_PARAMETER,
		    "invalid id");
		return -1;
	}
	snprintf(path, sizeof(path), "/%s", phone_id);
	if (graph_call(g, GRAPH_GET, path, p, NULL, GRAPH_AUTH_USER, token,
	    res) == -1)
		return -1;
	str_member(res->json, "display_phone_number", n->display_phone_number,
	    sizeof(n->display_phone_number));
	str_member(res->json, "verified_name", n->verified_name,
	    sizeof(n->verified_name));
	str_member(res->json, "quality_rating", n->quality_rating,
	    sizeof(n->quality_rating));
	graph_result_free(res);
	*failed_at = 2;
	snprintf(path, sizeof(path), "/%s/phone_numbers", waba);
	cursor[0] = '\0';
	for (round = 0; round < HG_GRAPH_PAGES_MAX; round++) {
		if (round > 0)
			graph_result_free(res);
		lp[1].value = cursor[0] != '\0' ? cursor : NULL;
		if (graph_call(g, GRAPH_GET, path, lp, NULL, GRAPH_AUTH_USER,
		    token, res) == -1)
			return -1;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(
		    res->json, "data"))
			if (id_is(cJSON_GetObjectItemCaseSensitive(e, "id"),
			    phone_id))
				n->in_waba = 1;
		paging = cJSON_GetObjectItemCaseSensitive(res->json, "paging");
		after = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(paging, "cursors"), "after");
		if (n->in_waba ||
		    cJSON_GetObjectItemCaseSensitive(paging, "next") == NULL ||
		    !cJSON_IsString(after) || after->valuestring[0] == '\0' ||
		    strlen(after->valuestring) >= sizeof(cursor) ||
		    strcmp(after->valuestring, cursor) == 0)
			break;
		snprintf(cursor, sizeof(cursor), "%s", after->valuestring);
	}
	*failed_at = 0;
	return 0;
}

int
graph_oauth_wa_register(struct graph *g, const char *phone_id,
    const char *token, const char *pin, struct graph_result *res)
{
	struct graph_param p[] = {
		{ "messaging_product", "whatsapp" },
		{ "pin", pin },
		{ NULL, NULL }
	};
	char path[HG_META_ID_MAX + 32];

	if (!graph_id_ok(phone_id)) {
		memset(res, 0, sizeof(*res));
		graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_PARAMETER,
		    "invalid phone number id");
		return -1;
	}
	snprintf(path, sizeof(path), "/%s/register", phone_id);
	if (graph_call(g, GRAPH_POST, path, p, NULL, GRAPH_AUTH_USER, token,
	    res) == -1)
		return -1;
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res->json,
	    "success"))) {
		graph_result_free(res);
		graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_OTHER,
		    "Meta did not confirm the registration");
		return -1;
	}
	return 0;
}
