/*
 * api_templates: a WhatsApp number's message templates.  See
 * api_templates.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_templates.h"
#include "app.h"
#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "db_channel.h"
#include "db_outbox.h"
#include "db_thread.h"
#include "graph.h"
#include "graph_templates.h"
#include "http.h"
#include "limits.h"
#include "log.h"
#include "num.h"

#define CHANNELS_PATH	"/api/channels/"

static const struct conf *tpl_conf;

const struct route_field api_templates_fields[TEMPLATES_F__MAX] = {
	[TEMPLATES_F_REFRESH] = { "refresh", FIELD_BOOL, 0, 0, 0 },
};

void
api_templates_setup(const struct conf *c)
{
	tpl_conf = c;
}

/* The channel id of CHANNELS_PATH "ID/templates" into *id; 0 or -1. */
static int
path_id(const char *path, long long *id)
{
	const char	*p = path + strlen(CHANNELS_PATH), *slash;
	char		 num[24];

	if (strncmp(path, CHANNELS_PATH, strlen(CHANNELS_PATH)) != 0 ||
	    (slash = strchr(p, '/')) == NULL ||
	    strcmp(slash, "/templates") != 0 || slash == p ||
	    (size_t)(slash - p) >= sizeof(num))
		return -1;
	memcpy(num, p, (size_t)(slash - p));
	num[slash - p] = '\0';
	return num_parse_str(num, 1, 1LL << 53, id);
}

/* Open channel c's sealed token into out (NUL-terminated); 0 or -1. */
static int
unseal(const struct db_channel_one *c, struct buf *out)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	char		 aad[160];
	int		 rc;

	if (c->token_sealed.len == 0 || crypto_key_parse(conf_get(tpl_conf,
	    "token_key"), key) == -1)
		return -1;
	snprintf(aad, sizeof(aad), "channel:%s:%s", c->kind, c->meta_id);
	rc = crypto_open(key, c->token_sealed.data, c->token_sealed.len, aad,
	    strlen(aad), out);
	crypto_wipe(key, sizeof(key));
	if (rc == -1 || buf_putc(out, '\0') == -1)
		return -1;
	return 0;
}

/* graph_templates_fetch's callback: keep a copy of template t in the
 * array arg (at most HG_TEMPLATES_MAX). */
static int
keep(void *arg, const cJSON *t)
{
	cJSON *arr = arg;

	if (cJSON_GetArraySize(arr) >= HG_TEMPLATES_MAX)
		return -1;
	return cJSON_AddItemToArray(arr, cJSON_Duplicate(t, 1)) ? 0 : -1;
}

/* Store the templates Meta listed (arr) as channel's; 0 or -1. */
static int
store(struct db *d, long long channel, const cJSON *arr, long long now)
{
	struct db_template	*t;
	const cJSON		*it, *comp;
	size_t			 n = 0, i;
	int			 rc;

	if ((t = calloc((size_t)cJSON_GetArraySize(arr) + 1,
	    sizeof(*t))) == NULL)
		return -1;
	cJSON_ArrayForEach(it, arr) {
		t[n].name = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "name"));
		t[n].language = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "language"));
		t[n].status = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "status"));
		t[n].category = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, "category"));
		comp = cJSON_GetObjectItemCaseSensitive(it, "components");
		if (t[n].name == NULL || t[n].language == NULL ||
		    t[n].status == NULL)
			continue;
		t[n].params = graph_template_params(comp);
		/* Kept as Meta gave them (freed below: not const). */
		t[n].components = cJSON_IsArray(comp) ?
		    cJSON_PrintUnformatted(comp) : NULL;
		n++;
	}
	rc = db_template_store(d, channel, t, n, now);
	for (i = 0; i < n; i++)
		free((char *)t[i].components);
	free(t);
	return rc;
}

/* Fetch channel c's templates from Meta and store them; 0, or -1 with
 * the reason for people in why and the status to answer in *status. */
static int
refresh(struct db *d, long long id, const struct db_channel_one *c,
    int *status, char *why, size_t whysz)
{
	struct graph_result	 res;
	struct graph		*g = NULL;
	struct logline		 l;
	struct buf		 tok;
	cJSON			*arr = NULL;
	char			 err[HG_ERR_MAX];
	int			 rc = -1;

	memset(&res, 0, sizeof(res));
	buf_init(&tok, HG_ACCESS_TOKEN_MAX + 1);
	*status = 502;
	if (c->parent_meta_id[0] == '\0' || unseal(c, &tok) == -1) {
		*status = 409;
		snprintf(why, whysz, "the number has no usable token: "
		    "connect it again");
		goto done;
	}
	if ((g = graph_new(tpl_conf, err, sizeof(err))) == NULL) {
		*status = 503;
		snprintf(why, whysz, "Meta's API is not configured");
		goto done;
	}
	if ((arr = cJSON_CreateArray()) == NULL)
		goto done;
	if (graph_templates_fetch(g, c->parent_meta_id, buf_cstr(&tok), keep,
	    arr, &res) == -1) {
		log_begin(&l, LOG_LEVEL_WARN, "templates_fetch_failed");
		log_int(&l, "channel", id);
		log_int(&l, "code", res.code);
		log_str(&l, "fbtrace_id", res.fbtrace_id);
		log_str(&l, "message", res.message);
		log_end(&l);
		snprintf(why, whysz, "Meta did not list the templates%s%s",
		    res.user_msg[0] != '\0' ? ": " : "", res.user_msg);
		/* A dead token: as after a send's 190, the number's sends
		 * pause and cron/token-refresh checks it at its next run. */
		if (res.cls == GRAPH_TOKEN_INVALID && !res.local &&
		    db_channel_token_invalid(d, id) == -1)
			log_msg(LOG_LEVEL_WARN, "templates.token", db_errmsg(d));
		goto done;
	}
	if (store(d, id, arr, clock_ms()) == -1) {
		*status = 503;
		snprintf(why, whysz, "cannot store the templates now");
		goto done;
	}
	rc = 0;
done:
	cJSON_Delete(arr);
	graph_result_free(&res);
	graph_free(g);
	if (tok.data != NULL)
		crypto_wipe(tok.data, tok.len);
	buf_free(&tok);
	return rc;
}

/* db_template_list's callback: one template into the array arg. */
static void
put(void *arg, const struct db_template *t)
{
	cJSON	*o, *comp;

	if ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(arg, o))
		return;
	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddStringToObject(o, "language", t->language);
	if (t->category != NULL)
		cJSON_AddStringToObject(o, "category", t->category);
	else
		cJSON_AddNullToObject(o, "category");
	cJSON_AddStringToObject(o, "status", t->status);
	comp = t->components != NULL ? cJSON_Parse(t->components) : NULL;
	if (!cJSON_IsArray(comp)) {
		cJSON_Delete(comp);
		comp = cJSON_CreateArray();
	}
	cJSON_AddItemToObject(o, "components", comp);
	cJSON_AddNumberToObject(o, "params", t->params);
}

void
api_templates_get(struct req *r, const struct route_ctx *cx)
{
	struct db_channel_one	 c;
	struct db		*d;
	long long		 id, fetched = 0, now = clock_ms(), ttl;
	int			 rc, want, status = 0;
	char			 why[768];
	cJSON			*root, *arr;

	if (path_id(r->path, &id) == -1) {
		route_error(r, 404, "not found");
		return;
	}
	want = cx->v[TEMPLATES_F_REFRESH].set && cx->v[TEMPLATES_F_REFRESH].n;
	if (want && cx->who.role < ROLE_ADMIN) {
		route_error(r, 403, "refreshing the templates from Meta is "
		    "for admins");
		return;
	}
	if (tpl_conf == NULL || (d = app_db(tpl_conf)) == NULL) {
		route_error(r, 503, "the database is not available");
		return;
	}
	if ((rc = db_channel_get(d, cx->who.workspace, id, &c)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such channel" : "cannot read the channel now");
		return;
	}
	why[0] = '\0';
	if (strcmp(c.kind, "whatsapp") != 0) {
		db_channel_one_free(&c);
		route_error(r, 422, "templates belong to WhatsApp numbers");
		return;
	}
	if ((rc = db_template_fetched(d, id, &fetched)) == -1) {
		db_channel_one_free(&c);
		route_error(r, 503, "cannot read the templates now");
		return;
	}
	ttl = conf_get_int(tpl_conf, "template_ttl_s") * 1000;
	if (want || rc == 0 || now - fetched >= ttl) {
		if (refresh(d, id, &c, &status, why, sizeof(why)) == 0 &&
		    db_template_fetched(d, id, &fetched) != -1) {
			why[0] = '\0';
		} else if (rc == 0) {
			/* Nothing stored to fall back on. */
			db_channel_one_free(&c);
			route_error(r, status, why);
			return;
		}
	}
	db_channel_one_free(&c);
	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "templates");
	if (arr == NULL || db_template_list(d, id, put, arr) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the templates now");
		return;
	}
	cJSON_AddNumberToObject(root, "fetched_at", (double)fetched);
	if (why[0] != '\0') {
		cJSON_AddTrueToObject(root, "stale");
		cJSON_AddStringToObject(root, "warning", why);
	}
	http_json(r, 200, root);
}
