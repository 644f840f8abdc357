/*
 * api_outbox: the outbound queue's list, a send with its attempts, and
 * a person's retry.  See api_outbox.h.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_outbox.h"
#include "api_session.h"
#include "app.h"
#include "clock.h"
#include "db.h"
#include "db_outbox.h"
#include "http.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "num.h"
#include "bgthread.h"
#include "outbox.h"

#define OUTBOX_PATH	"/api/outbox"

static const struct conf	*ob_conf;
static struct bg_thread	*ob_worker;

const struct route_field api_outbox_fields[OUTBOX_F__MAX] = {
	[OUTBOX_F_STATE] = { "state", FIELD_TEXT, 1, 16, 0 },
	[OUTBOX_F_CHANNEL] = { "channel", FIELD_ID, 0, 0, 0 },
	[OUTBOX_F_CONVERSATION] = { "conversation", FIELD_ID, 0, 0, 0 },
	[OUTBOX_F_CURSOR] = { "cursor", FIELD_ID, 0, 0, 0 },
	[OUTBOX_F_LIMIT] = { "limit", FIELD_INT, 1, HG_OUTBOX_PAGE_MAX, 0 },
};

void
api_outbox_setup(const struct conf *c, struct bg_thread *t)
{
	ob_conf = c;
	ob_worker = t;
}

/* The database, or NULL after answering 503. */
static struct db *
ob_db(struct req *r)
{
	struct db *d;

	if (ob_conf == NULL || (d = app_db(ob_conf)) == NULL) {
		route_error(r, 503, "the database is not available");
		return NULL;
	}
	return d;
}

/* Add key: ms, or null when 0. */
static void
add_ms(cJSON *o, const char *key, long long ms)
{
	if (ms > 0)
		cJSON_AddNumberToObject(o, key, (double)ms);
	else
		cJSON_AddNullToObject(o, key);
}

struct ob_acc {
	cJSON		*arr;
	long long	 last_id;
	int		 n, full;	/* full: the one-send view */
};

static void
ob_row(void *arg, const struct db_outbox_row *s)
{
	struct ob_acc	*a = arg;
	cJSON		*o;

	if ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddItemToArray(a->arr, o))
		return;
	cJSON_AddNumberToObject(o, "id", (double)s->id);
	cJSON_AddNumberToObject(o, "channel_id", (double)s->channel_id);
	cJSON_AddNumberToObject(o, "conversation_id",
	    (double)s->conversation_id);
	json_add_str_or_null(o, "kind", s->kind);
	json_add_str_or_null(o, "state", s->state);
	cJSON_AddNumberToObject(o, "attempts", s->attempts);
	json_add_str_or_null(o, "error", s->error);
	json_add_str_or_null(o, "error_code", s->error_code);
	add_ms(o, "created_at", s->created_ms);
	add_ms(o, "sent_at", s->sent_ms);
	json_add_str_or_null(o, "author_kind", s->author_kind);
	if (a->full) {
		if (s->message_id > 0)
			cJSON_AddNumberToObject(o, "message_id",
			    (double)s->message_id);
		else
			cJSON_AddNullToObject(o, "message_id");
		json_add_str_or_null(o, "tag", s->tag);
		json_add_str_or_null(o, "meta_message_id", s->meta_message_id);
		add_ms(o, "next_attempt_at", s->next_attempt_ms);
		add_ms(o, "updated_at", s->updated_ms);
	}
	a->last_id = s->id;
	a->n++;
}

static void
attempt_row(void *arg, const struct db_outbox_attempt *t)
{
	cJSON *arr = arg, *o;

	if ((o = cJSON_CreateObject()) == NULL || !cJSON_AddItemToArray(arr, o))
		return;
	cJSON_AddNumberToObject(o, "attempt", t->attempt);
	cJSON_AddNumberToObject(o, "at", (double)t->at_ms);
	json_add_str_or_null(o, "class", t->cls);
	cJSON_AddNumberToObject(o, "http_status", t->http_status);
	cJSON_AddNumberToObject(o, "code", (double)t->code);
	cJSON_AddNumberToObject(o, "subcode", (double)t->subcode);
	json_add_str_or_null(o, "fbtrace_id", t->fbtrace_id);
	json_add_str_or_null(o, "message", t->message);
}

/* The id of OUTBOX_PATH "/ID" + suffix into *id: 0, or -1. */
static int
path_id(const char *path, const char *suffix, long long *id)
{
	const char	*p = path + strlen(OUTBOX_PATH);
	size_t		 n, sl = strlen(suffix);

	if (strncmp(path, OUTBOX_PATH "/", strlen(OUTBOX_PATH) + 1) != 0)
		return -1;
	p++;
	n = strlen(p);
	if (n <= sl || strcmp(p + n - sl, suffix) != 0)
		return -1;
	return num_parse(p, n - sl, 1, 1LL << 53, id);
}

/* GET /api/outbox/ID. */
static void
ob_one(struct req *r, const struct route_ctx *cx, struct db *d, long long id)
{
	struct db_outbox_filter	 f;
	struct ob_acc		 a;
	cJSON			*root, *one, *log;

	memset(&f, 0, sizeof(f));
	f.id = id;
	f.limit = 1;
	memset(&a, 0, sizeof(a));
	a.full = 1;
	a.arr = cJSON_CreateArray();
	if (a.arr == NULL || db_outbox_list(d, cx->who.workspace, &f, ob_row,
	    &a) == -1) {
		cJSON_Delete(a.arr);
		route_error(r, 503, "cannot read the outbox now");
		return;
	}
	if (a.n == 0) {
		cJSON_Delete(a.arr);
		route_error(r, 404, "no such send");
		return;
	}
	one = cJSON_DetachItemFromArray(a.arr, 0);
	cJSON_Delete(a.arr);
	log = cJSON_AddArrayToObject(one, "attempts_log");
	if (log == NULL || db_outbox_attempts(d, id, attempt_row, log) == -1) {
		cJSON_Delete(one);
		route_error(r, 503, "cannot read the outbox now");
		return;
	}
	root = one;
	http_json(r, 200, root);
}

void
api_outbox_get(struct req *r, const struct route_ctx *cx)
{
	const struct route_val	*v = cx->v;
	struct db_outbox_filter	 f;
	struct ob_acc		 a;
	struct db		*d;
	long long		 id;
	cJSON			*root;

	if (strcmp(r->path, OUTBOX_PATH) != 0 && path_id(r->path, "", &id) ==
	    -1) {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = ob_db(r)) == NULL)
		return;
	if (strcmp(r->path, OUTBOX_PATH) != 0) {
		ob_one(r, cx, d, id);
		return;
	}
	memset(&f, 0, sizeof(f));
	if (v[OUTBOX_F_STATE].set) {
		if (outbox_state_parse(v[OUTBOX_F_STATE].s) < 0) {
			route_error(r, 400, "state: queued, sending, sent, "
			    "delivered, read, failed, dead_letter or unknown");
			return;
		}
		f.state = v[OUTBOX_F_STATE].s;
	}
	f.channel = v[OUTBOX_F_CHANNEL].set ? v[OUTBOX_F_CHANNEL].n : 0;
	f.conversation = v[OUTBOX_F_CONVERSATION].set ?
	    v[OUTBOX_F_CONVERSATION].n : 0;
	f.before_id = v[OUTBOX_F_CURSOR].set ? v[OUTBOX_F_CURSOR].n : 0;
	f.limit = v[OUTBOX_F_LIMIT].set ? (int)v[OUTBOX_F_LIMIT].n : 50;
	memset(&a, 0, sizeof(a));
	root = cJSON_CreateObject();
	a.arr = cJSON_AddArrayToObject(root, "outbox");
	if (a.arr == NULL || db_outbox_list(d, cx->who.workspace, &f, ob_row,
	    &a) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the outbox now");
		return;
	}
	if (a.n == f.limit)
		cJSON_AddNumberToObject(root, "next", (double)a.last_id);
	else
		cJSON_AddNullToObject(root, "next");
	http_json(r, 200, root);
}

void
api_outbox_post(struct req *r, const struct route_ctx *cx)
{
	struct logline	 l;
	struct db	*d;
	long long	 id;
	char		 object[40];
	cJSON		*o;
	int		 rc;

	if (path_id(r->path, "/retry", &id) == -1) {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = ob_db(r)) == NULL)
		return;
	if ((rc = db_outbox_retry(d, cx->who.workspace, id, clock_ms())) == -1) {
		route_error(r, 503, "cannot retry the send now");
		return;
	}
	if (rc == 0) {
		/* Not there, or not failed: which one, in words. */
		struct db_outbox_filter	f;
		struct ob_acc		a;

		memset(&f, 0, sizeof(f));
		f.id = id;
		f.limit = 1;
		memset(&a, 0, sizeof(a));
		a.arr = cJSON_CreateArray();
		rc = a.arr == NULL ? -1 : db_outbox_list(d, cx->who.workspace,
		    &f, ob_row, &a);
		cJSON_Delete(a.arr);
		if (rc == -1)
			route_error(r, 503, "cannot read the outbox now");
		else if (a.n == 0)
			route_error(r, 404, "no such send");
		else
			route_error(r, 409, "only a failed send or a dead letter "
			    "is retried");
		return;
	}
	snprintf(object, sizeof(object), "outbox:%lld", id);
	if (api_audit(d, &cx->who, cx->who.workspace, "outbox_retry", object,
	    "queued again", http_client(r)) == -1) {
		log_begin(&l, LOG_LEVEL_WARN, "outbox.audit_failed");
		log_int(&l, "id", id);
		log_end(&l);
	}
	bg_thread_poke(ob_worker);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddStringToObject(o, "state", "queued");
	http_json(r, 202, o);
}
