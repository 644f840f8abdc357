/*
 * fm_thread: the fake's Conversation Routing (META_PLATFORM.md
 * "Handover: Conversation Routing").  POST <page-id>/pass_thread_control
 * and take_thread_control (me/... with a Page token) with
 * recipient{id}, target_app_id (a pass) and metadata; GET
 * <page-id>/thread_owner?recipient=.  A thread is the default app's
 * (the gateway's) until passed.  Accepted calls go to the outbox (kind
 * pass_thread_control or take_thread_control).  As Meta, the app that
 * passes or takes is told nothing; the app given the thread is.
 *
 * The control API, /_meta/_control/routing:
 *   GET                 {"default_app", "refused", "threads": [...]}
 *   POST default_app=0  the Page has no default app: take_thread_control
 *                       is refused (1 restores it); refused counts them
 *   POST action=pass_back [platform= page= sender=]
 *                       Meta's Page Inbox passes the thread back to the
 *                       gateway: its pass_thread_control webhook
 *   POST action=inbox_take [platform= page= sender=]
 *                       Meta's Page Inbox takes the thread: the
 *                       gateway is sent take_thread_control
 *   DELETE              forget every thread, default app on
 * Its state is a table of its own in the fake's database.  While
 * another app owns a thread, the webhook sender delivers the person's
 * messages as standby copies (fm_thread_other).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "fm.h"

/* Meta's inbox apps (Meta Business Suite): Messenger's Page Inbox and
 * Instagram's Inbox. */
#define FM_PAGE_INBOX_APP	"263902037430900"
#define FM_IG_INBOX_APP		"1217981644879628"
/* Most threads the control API lists. */
#define FM_THREADS_MAX		200

static const char th_schema[] =
	"CREATE TABLE IF NOT EXISTS thread_owner (account TEXT, user TEXT, "
	"app_id TEXT NOT NULL, PRIMARY KEY (account, user));"
	"CREATE TABLE IF NOT EXISTS routing (k TEXT PRIMARY KEY, v INTEGER);";

static __thread sqlite3	*th_h;

/* This thread's connection, or NULL. */
static sqlite3 *
th_db(void)
{
	if (th_h != NULL)
		return th_h;
	if (sqlite3_open_v2(fm_app.db_path, &th_h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto err;
	sqlite3_busy_timeout(th_h, 5000);
	if (sqlite3_exec(th_h, th_schema, NULL, NULL, NULL) != SQLITE_OK)
		goto err;
	return th_h;
err:
	sqlite3_close(th_h);
	th_h = NULL;
	return NULL;
}

void
fm_thread_close(void)
{
	sqlite3_close(th_h);
	th_h = NULL;
}

/* Run sql with up to three text values (NULL: null); 0 or -1. */
static int
th_run(const char *sql, const char *a, const char *b, const char *c)
{
	sqlite3		*h = th_db();
	sqlite3_stmt	*st;
	const char	*v[3] = { a, b, c };
	int		 i, rc;

	if (h == NULL || sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (i = 0; i < 3; i++)
		if (v[i] != NULL)
			sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* The routing setting k (dflt when unset). */
static long long
th_setting(const char *k, long long dflt)
{
	sqlite3		*h = th_db();
	sqlite3_stmt	*st;
	long long	 v = dflt;

	if (h == NULL || sqlite3_prepare_v2(h, "SELECT v FROM routing WHERE "
	    "k = ?1", -1, &st, NULL) != SQLITE_OK)
		return dflt;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The app owning account's thread with user into out: the gateway's
 * app unless passed. */
static void
th_owner(const char *account, const char *user, char *out, size_t outsz)
{
	sqlite3		*h = th_db();
	sqlite3_stmt	*st;

	snprintf(out, outsz, "%s", fm_app.app_id);
	if (h == NULL || sqlite3_prepare_v2(h, "SELECT app_id FROM "
	    "thread_owner WHERE account = ?1 AND user = ?2", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(st,
		    0));
	sqlite3_finalize(st);
}

static int
th_owner_set(const char *account, const char *user, const char *app)
{
	return th_run("INSERT INTO thread_owner (account, user, app_id) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (account, user) DO UPDATE SET "
	    "app_id = excluded.app_id", account, user, app);
}

int
fm_thread_other(const char *account, const char *user)
{
	char owner[128];

	if (account == NULL || user == NULL)
		return 0;
	th_owner(account, user, owner, sizeof(owner));
	return strcmp(owner, fm_app.app_id) != 0;
}

/* 1 when s is a Graph id: 1 to 64 digits. */
static int
digits(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s != NULL && i > 0 && i <= 64;
}

/* The account (Page, or its Instagram account) whose thread with user
 * it is, into out; 0, or -1 when user never wrote to either. */
static int
th_account(const char *page_id, const char *user, char *out, size_t outsz,
    const char **platform)
{
	struct fm_page	 pg;
	long long	 last;
	int		 i;

	if ((i = fm_page_find(page_id)) < 0)
		return -1;
	fm_page(i, &pg);
	if (fm_contact_last(pg.id, user, &last) == 1) {
		snprintf(out, outsz, "%s", pg.id);
		*platform = "messenger";
		return 0;
	}
	if (pg.ig_id[0] != '\0' && fm_contact_last(pg.ig_id, user,
	    &last) == 1) {
		snprintf(out, outsz, "%s", pg.ig_id);
		*platform = "instagram";
		return 0;
	}
	return -1;
}

/* POST <page>/pass_thread_control or take_thread_control (op). */
static void
th_call(struct req *r, const char *page, const char *op)
{
	const cJSON	*rc;
	const char	*to, *app, *meta, *platform = "messenger";
	char		 account[64], owner[128], *raw;
	cJSON		*body, *o;
	int		 pass = strcmp(op, "pass_thread_control") == 0, st;

	if ((st = http_read_body(r, 64 * 1024)) != 0) {
		fm_error(r, st, 100, 0, NULL, "(#100) Invalid request body");
		return;
	}
	body = cJSON_ParseWithLength(r->body.data != NULL ? r->body.data : "",
	    r->body.len);
	rc = cJSON_GetObjectItemCaseSensitive(body, "recipient");
	to = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rc, "id"));
	app = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body,
	    "target_app_id"));
	meta = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body,
	    "metadata"));
	if (!cJSON_IsObject(body) || to == NULL) {
		fm_error(r, 400, 100, 0, NULL, "(#100) The parameter recipient "
		    "is required");
		goto out;
	}
	if (pass && !digits(app)) {
		fm_error(r, 400, 100, 0, NULL, "(#100) Param target_app_id must "
		    "be a valid app ID");
		goto out;
	}
	if (meta != NULL && (fm_chars(meta) < 0 || fm_chars(meta) > 1000)) {
		fm_error(r, 400, 100, 0, NULL, "(#100) Length of param metadata "
		    "must be less than or equal to 1000");
		goto out;
	}
	if (th_account(page, to, account, sizeof(account), &platform) == -1) {
		fm_error(r, 400, 100, 2018001, NULL, "(#100) No matching user "
		    "found");
		goto out;
	}
	/* Each platform's inbox takes only its own threads. */
	if (pass && strcmp(app, strcmp(platform, "instagram") == 0 ?
	    FM_PAGE_INBOX_APP : FM_IG_INBOX_APP) == 0) {
		fm_error(r, 400, 10, 2018300, NULL, "(#10) The target app is "
		    "not connected to this account");
		goto out;
	}
	th_owner(account, to, owner, sizeof(owner));
	if (pass && strcmp(owner, fm_app.app_id) != 0) {
		fm_error(r, 400, 10, 2018300, NULL, "(#10) Only the thread "
		    "owner can pass thread control");
		goto out;
	}
	if (!pass && !th_setting("default_app", 1)) {
		th_run("INSERT INTO routing (k, v) VALUES ('refused', 1) "
		    "ON CONFLICT (k) DO UPDATE SET v = v + 1", NULL, NULL, NULL);
		fm_error(r, 400, 10, 2018300, NULL, "(#10) take_thread_control "
		    "is not available: this Page has no default app for "
		    "Conversation Routing");
		goto out;
	}
	raw = cJSON_PrintUnformatted(body);
	if (raw == NULL || th_owner_set(account, to, pass ? app :
	    fm_app.app_id) == -1 || fm_outbox_add(platform, account, to, op,
	    NULL, raw, NULL) == -1) {
		free(raw);
		fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
		goto out;
	}
	free(raw);
	o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "success");
	fm_json(r, o);
out:
	cJSON_Delete(body);
}

/* GET <page>/thread_owner?recipient=. */
static void
th_get(struct req *r, const char *page)
{
	const char	*to = fm_param(r, "recipient"), *platform;
	char		 account[64], owner[128];
	cJSON		*o, *d;

	if (to == NULL || th_account(page, to, account, sizeof(account),
	    &platform) == -1) {
		fm_error(r, 400, 100, 2018001, NULL, "(#100) No matching user "
		    "found");
		return;
	}
	th_owner(account, to, owner, sizeof(owner));
	o = cJSON_CreateObject();
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(cJSON_AddObjectToObject(d, "thread_owner"),
	    "app_id", owner);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "data"), d);
	fm_json(r, o);
}

int
fm_thread_path(const char *rest)
{
	return strcmp(rest, "/pass_thread_control") == 0 ||
	    strcmp(rest, "/take_thread_control") == 0 ||
	    strcmp(rest, "/thread_owner") == 0;
}

void
fm_thread(struct req *r, const char *object_id, const char *rest)
{
	struct fm_token	 t;
	const char	*page;

	if (strcmp(object_id, "me") != 0 && fm_page_find(object_id) < 0) {
		fm_error(r, 400, 100, 33, "GraphMethodException", "Unsupported "
		    "request. Object does not exist, cannot be loaded due to "
		    "missing permissions, or does not support this operation.");
		return;
	}
	if (fm_auth(r, &t, 0) == -1)
		return;
	page = strcmp(object_id, "me") == 0 ? t.page_id : object_id;
	if (strcmp(t.kind, "page") != 0 || strcmp(t.page_id, page) != 0) {
		fm_error(r, 400, 210, 0, NULL, "(#210) A page access token is "
		    "required to request this resource.");
		return;
	}
	if (strcmp(rest, "/thread_owner") == 0) {
		if (r->method != HTTP_GET)
			fm_error(r, 400, 100, 0, NULL, "(#100) Unsupported "
			    "method");
		else
			th_get(r, page);
		return;
	}
	if (r->method != HTTP_POST) {
		fm_error(r, 400, 100, 0, NULL, "(#100) Unsupported method");
		return;
	}
	th_call(r, page, rest + 1);
}

/* Meta's Page Inbox passes (pass_back) or takes (inbox_take) the
 * thread of sender with the Page (or its Instagram account): the
 * owner changes and the gateway gets the webhook. */
static void
inbox_acts(struct req *r, const char *act)
{
	const char	*platform = fm_param(r, "platform");
	const char	*page = fm_param(r, "page"), *sender = fm_param(r, "sender");
	struct fm_page	 pg;
	struct timespec	 now;
	char		 prev[128], fields[1024];
	const char	*account;
	long long	 ms;
	cJSON		*root, *e, *it, *h, *o;
	const char	*inbox;
	int		 ig, sub, back = strcmp(act, "pass_back") == 0;

	if (platform == NULL)
		platform = "messenger";
	ig = strcmp(platform, "instagram") == 0;
	if (!ig && strcmp(platform, "messenger") != 0) {
		http_json_error(r, 400, "platform must be messenger or instagram");
		return;
	}
	if (fm_page_find(page != NULL ? page : "104857600000001") < 0) {
		http_json_error(r, 400, "page must be one of the world's Pages");
		return;
	}
	fm_page(fm_page_find(page != NULL ? page : "104857600000001"), &pg);
	if (ig && pg.ig_id[0] == '\0') {
		http_json_error(r, 400, "this Page has no Instagram account");
		return;
	}
	account = ig ? pg.ig_id : pg.id;
	if (sender == NULL)
		sender = ig ? FM_IGSID : FM_PSID;
	th_owner(account, sender, prev, sizeof(prev));
	inbox = ig ? FM_IG_INBOX_APP : FM_PAGE_INBOX_APP;
	if (th_owner_set(account, sender, back ? fm_app.app_id : inbox) == -1) {
		http_json_error(r, 500, "database");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "object", ig ? "instagram" : "page");
	e = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "entry"), e);
	cJSON_AddStringToObject(e, "id", account);
	cJSON_AddNumberToObject(e, "time", (double)ms);
	it = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(e, "messaging"), it);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(it, "sender"), "id",
	    sender);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(it, "recipient"), "id",
	    account);
	cJSON_AddNumberToObject(it, "timestamp", (double)ms);
	h = cJSON_AddObjectToObject(it, back ? "pass_thread_control" :
	    "take_thread_control");
	cJSON_AddStringToObject(h, "previous_owner_app_id", back ? inbox :
	    prev);
	cJSON_AddStringToObject(h, "new_owner_app_id", back ? fm_app.app_id :
	    inbox);
	cJSON_AddStringToObject(h, "metadata", back ? "Done in the Page inbox" :
	    "Taken in the Page inbox");
	/* As Meta: only to an app subscribed to the handover field
	 * (Pages: messaging_handovers; Instagram: messaging_handover). */
	sub = fm_sub_get(pg.id, fields, sizeof(fields)) == 1 &&
	    strstr(fields, "messaging_handover") != NULL;
	if (sub)
		fm_deliver_signed(root);
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "delivered", sub);
	cJSON_AddItemToObject(o, "payload", root);
	fm_json(r, o);
}

void
fm_thread_control(struct req *r)
{
	const char	*v = fm_param(r, "default_app"), *act = fm_param(r,
			    "action");
	sqlite3		*h;
	sqlite3_stmt	*st;
	cJSON		*o, *arr, *one;
	int		 n = 0;

	if (r->method == HTTP_DELETE) {
		if (th_run("DELETE FROM thread_owner", NULL, NULL, NULL) == -1 ||
		    th_run("DELETE FROM routing", NULL, NULL, NULL) == -1) {
			http_json_error(r, 500, "database");
			return;
		}
	} else if (r->method == HTTP_POST && act != NULL) {
		if (strcmp(act, "pass_back") != 0 &&
		    strcmp(act, "inbox_take") != 0) {
			http_json_error(r, 400, "action must be pass_back or "
			    "inbox_take");
			return;
		}
		inbox_acts(r, act);
		return;
	} else if (r->method == HTTP_POST) {
		if (v == NULL || (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)) {
			http_json_error(r, 400, "default_app must be 0 or 1");
			return;
		}
		if (th_run("INSERT INTO routing (k, v) VALUES ('default_app', "
		    "?1) ON CONFLICT (k) DO UPDATE SET v = excluded.v", v, NULL,
		    NULL) == -1) {
			http_json_error(r, 500, "database");
			return;
		}
	} else if (r->method != HTTP_GET && r->method != HTTP_HEAD) {
		http_json_error(r, 405, "method not allowed");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "default_app", th_setting("default_app", 1) !=
	    0);
	cJSON_AddNumberToObject(o, "refused", (double)th_setting("refused", 0));
	arr = cJSON_AddArrayToObject(o, "threads");
	if ((h = th_db()) != NULL && sqlite3_prepare_v2(h, "SELECT account, "
	    "user, app_id FROM thread_owner ORDER BY account, user", -1, &st,
	    NULL) == SQLITE_OK) {
		while (n++ < FM_THREADS_MAX && sqlite3_step(st) == SQLITE_ROW) {
			one = cJSON_CreateObject();
			cJSON_AddStringToObject(one, "account",
			    (const char *)sqlite3_column_text(st, 0));
			cJSON_AddStringToObject(one, "user",
			    (const char *)sqlite3_column_text(st, 1));
			cJSON_AddStringToObject(one, "app_id",
			    (const char *)sqlite3_column_text(st, 2));
			cJSON_AddItemToArray(arr, one);
		}
		sqlite3_finalize(st);
	}
	http_json(r, 200, o);
}
