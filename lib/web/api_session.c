/*
 * api_session: signing in and out, one-time setup links, passwords,
 * one's sessions and API tokens.  See api_session.h.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "api_session.h"
#include "app.h"
#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "db_user.h"
#include "http.h"
#include "log.h"
#include "mask.h"
#include "num.h"
#include "password.h"
#include "session.h"

/* Seconds a created API token may be given to live, at most. */
#define API_TOKEN_DAYS_MAX	3650

static const struct conf *api_conf;

const struct route_field api_signin_fields[API_SIGNIN_NFIELDS] = {
	{ "email", FIELD_TEXT, 1, HG_EMAIL_MAX, FIELD_REQUIRED },
	{ "password", FIELD_TEXT, 1, HG_PASSWORD_MAX, FIELD_REQUIRED },
};
const struct route_field api_workspace_fields[API_WORKSPACE_NFIELDS] = {
	{ "workspace", FIELD_ID, 0, 0, FIELD_REQUIRED },
};
const struct route_field api_setup_fields[API_SETUP_NFIELDS] = {
	{ "token", FIELD_TEXT, 1, 64, FIELD_REQUIRED },
	{ "name", FIELD_TEXT, 0, HG_USER_NAME_MAX, 0 },
	{ "email", FIELD_TEXT, 0, HG_EMAIL_MAX, 0 },
	{ "password", FIELD_TEXT, 1, HG_PASSWORD_MAX, FIELD_REQUIRED },
};
const struct route_field api_password_fields[API_PASSWORD_NFIELDS] = {
	{ "current_password", FIELD_TEXT, 1, HG_PASSWORD_MAX,
	  FIELD_REQUIRED },
	{ "password", FIELD_TEXT, 1, HG_PASSWORD_MAX, FIELD_REQUIRED },
};
const struct route_field api_token_fields[API_TOKEN_NFIELDS] = {
	{ "name", FIELD_TEXT, 1, HG_TOKEN_NAME_MAX, FIELD_REQUIRED },
	{ "scope", FIELD_TEXT, 4, 4, FIELD_REQUIRED },
	{ "expires_days", FIELD_INT, 1, API_TOKEN_DAYS_MAX, 0 },
};

void
api_session_setup(const struct conf *c)
{
	api_conf = c;
}

int
api_setup_token(struct db *d, long long user, long long now,
    char token[CRYPTO_TOKEN_CHARS + 1])
{
	char hash[DB_HASH_HEX + 1];

	if (crypto_token(token, CRYPTO_TOKEN_CHARS + 1) == -1)
		return -1;
	crypto_sha256_hex(token, hash);
	return db_setup_add(d, hash, user, now + HG_SETUP_TOKEN_S);
}

/* 1 when host is a plain host[:port] (letters, digits, '.', '-', ':',
 * '[' and ']'), else 0: nothing a header could smuggle into a link. */
static int
api_host_plain(const char *host)
{
	const char *p;

	if (host == NULL || *host == '\0')
		return 0;
	for (p = host; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == ':' || *p == '[' || *p == ']'))
			return 0;
	return 1;
}

int
api_setup_link(const char *base, const char *host, const char *token,
    char *out, size_t outsz)
{
	size_t	 n = base != NULL ? strlen(base) : 0;
	int	 w;

	while (n > 0 && base[n - 1] == '/')
		n--;
	if (n > 0)
		w = snprintf(out, outsz, "%.*s/setup.html?token=%s", (int)n,
		    base, token);
	else if (api_host_plain(host))
		w = snprintf(out, outsz, "http://%s/setup.html?token=%s", host,
		    token);
	else
		return -1;
	return w < 0 || (size_t)w >= outsz ? -1 : 0;
}

int
api_audit(struct db *d, const struct route_who *who, long long workspace,
    const char *action, const char *object, const char *detail,
    const char *remote)
{
	struct db_audit a;

	memset(&a, 0, sizeof(a));
	a.at = (long long)time(NULL);
	a.workspace_id = workspace;
	a.actor = who == NULL || who->user == 0 ? AUDIT_SYSTEM :
	    who->via == ROUTE_TOKEN ? AUDIT_TOKEN : AUDIT_USER;
	/* A token's own id is not known here: its line names no id
	 * rather than its user's, which the audit view would read as a
	 * token's. */
	a.actor_id = who == NULL || who->via == ROUTE_TOKEN ? 0 : who->user;
	a.action = action;
	a.object = object;
	a.detail = detail;
	a.remote = remote;
	if (db_audit_add(d, &a) == -1) {
		log_msg(LOG_LEVEL_ERROR, "audit.failed", action);
		return -1;
	}
	return 0;
}

/* A log line of an account event: the event, the user's id, the
 * e-mail masked, the client's address. */
static void
api_log(enum log_level lvl, const char *event, long long user,
    const char *email, const char *remote)
{
	struct logline	 l;
	char		 masked[HG_EMAIL_MAX + 1];

	log_begin(&l, lvl, event);
	if (user > 0)
		log_int(&l, "user", user);
	if (email != NULL) {
		mask_email(email, masked, sizeof(masked));
		log_str(&l, "email", masked);
	}
	log_str(&l, "remote", remote);
	log_end(&l);
}

/* Answer root with status, keeping the headers set before (a
 * Set-Cookie); the copy, which may hold a cookie, is wiped. */
static void
api_reply(struct req *r, int status, cJSON *root)
{
	struct buf keep;

	buf_init(&keep, HG_HEADER_MAX * 4);
	buf_add(&keep, r->rhead.data, r->rhead.len);
	http_json(r, status, root);
	if (keep.len > 0)
		buf_add(&r->rhead, keep.data, keep.len);
	if (keep.data != NULL)
		crypto_wipe(keep.data, keep.len);
	buf_free(&keep);
}

/* Answer {"ok": true}. */
static void
api_ok(struct req *r)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL && cJSON_AddTrueToObject(o, "ok") == NULL) {
		cJSON_Delete(o);
		o = NULL;
	}
	api_reply(r, 200, o);
}

/* Answer 429 with Retry-After: secs. */
static void
api_throttled(struct req *r, long long secs)
{
	char v[32];

	http_json_error(r, 429, "too many attempts: try again later");
	snprintf(v, sizeof(v), "%lld", secs > 0 ? secs : 1);
	http_add_header(r, "Retry-After", v);
}

/* The database, or a 503 answered and NULL. */
static struct db *
api_db(struct req *r)
{
	struct db *d = api_conf != NULL ? app_db(api_conf) : NULL;

	if (d == NULL)
		http_json_error(r, 503, "the database cannot be opened now");
	return d;
}

/* Answer 500 for a database failure, logged. */
static void
api_db_failed(struct req *r, struct db *d, const char *what)
{
	log_msg(LOG_LEVEL_ERROR, what, db_errmsg(d));
	http_json_error(r, 500, "internal error");
}

struct api_ws_arg {
	cJSON		*list;
	long long	 current;
	cJSON		*cur;		/* the current one's object */
};

static void
api_ws_add(void *arg, long long id, const char *name, const char *role)
{
	struct api_ws_arg	*a = arg;
	cJSON			*w = cJSON_CreateObject();

	if (w == NULL)
		return;
	cJSON_AddNumberToObject(w, "id", (double)id);
	cJSON_AddStringToObject(w, "name", name);
	cJSON_AddStringToObject(w, "role", role);
	if (id == a->current && a->cur == NULL)
		a->cur = cJSON_Duplicate(w, 1);
	cJSON_AddItemToArray(a->list, w);
}

/* The session's JSON: user, workspace, workspaces, csrf_token; NULL on
 * failure. */
static cJSON *
api_whoami(struct db *d, long long user, long long workspace,
    const char *csrf)
{
	struct db_user		 u;
	struct api_ws_arg	 a;
	cJSON			*o = cJSON_CreateObject(), *j;

	memset(&a, 0, sizeof(a));
	if (o == NULL || db_user_by_id(d, user, &u) != 1)
		goto err;
	crypto_wipe(u.password_hash, sizeof(u.password_hash));
	if ((j = cJSON_AddObjectToObject(o, "user")) == NULL)
		goto err;
	cJSON_AddNumberToObject(j, "id", (double)u.id);
	cJSON_AddStringToObject(j, "name", u.name);
	cJSON_AddStringToObject(j, "email", u.email);
	cJSON_AddBoolToObject(j, "operator", u.operator != 0);
	if ((a.list = cJSON_AddArrayToObject(o, "workspaces")) == NULL)
		goto err;
	a.current = workspace;
	if (db_member_workspaces(d, user, api_ws_add, &a) == -1 ||
	    a.cur == NULL)
		goto err;
	cJSON_AddItemToObject(o, "workspace", a.cur);
	a.cur = NULL;
	if (cJSON_AddStringToObject(o, "csrf_token", csrf) == NULL)
		goto err;
	return o;
err:
	cJSON_Delete(a.cur);
	cJSON_Delete(o);
	return NULL;
}

/* GET /api/session: 200 with the session's JSON. */
void
api_session_get(struct req *r, const struct route_ctx *cx)
{
	struct db_session	 s;
	struct db		*d;
	cJSON			*o;

	if ((d = api_db(r)) == NULL)
		return;
	if (session_current(r, d, api_conf, &s) != 1 ||
	    s.user_id != cx->who.user) {
		http_json_error(r, 401, "sign in first");
		return;
	}
	if ((o = api_whoami(d, s.user_id, s.workspace_id,
	    s.csrf_token)) == NULL) {
		api_db_failed(r, d, "session.whoami_failed");
		return;
	}
	http_json(r, 200, o);
}

/* Sign user in to workspace and answer the session's JSON. */
static void
api_signed_in(struct req *r, struct db *d, long long user,
    long long workspace)
{
	char	 csrf[64];
	cJSON	*o;

	if (session_start(r, d, api_conf, user, workspace, csrf) == -1) {
		api_db_failed(r, d, "session.start_failed");
		return;
	}
	o = api_whoami(d, user, workspace, csrf);
	crypto_wipe(csrf, sizeof(csrf));
	if (o == NULL) {
		api_db_failed(r, d, "session.whoami_failed");
		return;
	}
	api_reply(r, 200, o);
}

/* Check pw against user u's stored hash, spending the same for an
 * unknown or disabled user (found 0): 1 match, 0 not, -1. */
static int
api_check_password(int found, const struct db_user *u, const char *pw)
{
	if (found != 1 || u->disabled_at != 0 || u->password_hash[0] ==
	    '\0') {
		password_verify_dummy(pw);
		return 0;
	}
	return password_verify(pw, u->password_hash);
}

/* POST /api/session {email, password}: 200 signed in (cookie, JSON
 * with csrf_token), 401 wrong (the same for an unknown e-mail), 429
 * with Retry-After while throttled. */
void
api_session_post(struct req *r, const struct route_ctx *cx)
{
	const char	*email = cx->v[0].s, *pw = cx->v[1].s;
	struct db_user	 u;
	struct db	*d;
	char		 hash[HG_PASSWORD_HASH_MAX];
	long long	 wait, ws = 0;
	int		 found, ok;

	if ((d = api_db(r)) == NULL)
		return;
	if ((ok = session_attempt(d, email, http_client(r), clock_ms(),
	    &wait)) == -1) {
		api_db_failed(r, d, "session.throttle_failed");
		return;
	}
	if (ok == 1) {
		api_log(LOG_LEVEL_WARN, "session.throttled", 0, email,
		    http_client(r));
		api_throttled(r, wait);
		return;
	}
	memset(&u, 0, sizeof(u));
	if ((found = db_user_by_email(d, email, &u)) == -1 ||
	    (ok = api_check_password(found, &u, pw)) == -1) {
		api_db_failed(r, d, "session.signin_failed");
		goto out;
	}
	if (found == 1 && db_member_first(d, u.id, &ws) == -1) {
		api_db_failed(r, d, "session.signin_failed");
		goto out;
	}
	if (!ok) {
		char masked[HG_EMAIL_MAX + 1], obj[32];

		mask_email(email, masked, sizeof(masked));
		obj[0] = '\0';
		if (found == 1)
			snprintf(obj, sizeof(obj), "user:%lld", u.id);
		/* Counted by session_attempt already. */
		if (api_audit(d, NULL, found == 1 ? ws : 0, "sign_in_failed",
		    obj, masked, http_client(r)) == -1) {
			api_db_failed(r, d, "session.signin_failed");
			goto out;
		}
		api_log(LOG_LEVEL_WARN, "session.sign_in_failed", 0, email,
		    http_client(r));
		http_json_error(r, 401, "wrong e-mail or password");
		goto out;
	}
	if (ws == 0) {
		api_log(LOG_LEVEL_WARN, "session.no_workspace", u.id, NULL,
		    http_client(r));
		http_json_error(r, 403, "this account has no workspace");
		goto out;
	}
	if (session_succeeded(d, email, http_client(r)) == -1)
		goto fail;
	/* A hash made at a lower cost is replaced while the password is
	 * at hand. */
	if (password_needs_upgrade(u.password_hash) &&
	    (password_hash(pw, hash, sizeof(hash)) == -1 ||
	    db_user_set_password(d, u.id, hash, (long long)time(NULL)) == -1))
		goto fail;
	{
		struct route_who who = { .via = ROUTE_SESSION, .user = u.id };
		char obj[32];

		snprintf(obj, sizeof(obj), "user:%lld", u.id);
		if (api_audit(d, &who, ws, "sign_in", obj, "",
		    http_client(r)) == -1)
			goto fail;
	}
	api_log(LOG_LEVEL_INFO, "session.sign_in", u.id, NULL, http_client(r));
	api_signed_in(r, d, u.id, ws);
	goto out;
fail:
	api_db_failed(r, d, "session.signin_failed");
out:
	crypto_wipe(hash, sizeof(hash));
	crypto_wipe(u.password_hash, sizeof(u.password_hash));
}

/* DELETE /api/session: 200, the session ended and its cookie
 * expired. */
void
api_session_delete(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	char		 obj[32];

	if ((d = api_db(r)) == NULL)
		return;
	snprintf(obj, sizeof(obj), "user:%lld", cx->who.user);
	if (api_audit(d, &cx->who, cx->who.workspace, "sign_out", obj, "",
	    http_client(r)) == -1 || session_end(r, d, api_conf) == -1) {
		api_db_failed(r, d, "session.sign_out_failed");
		return;
	}
	api_log(LOG_LEVEL_INFO, "session.sign_out", cx->who.user, NULL,
	    http_client(r));
	session_clear_cookie(r, api_conf);
	api_ok(r);
}

/* POST /api/session/workspace {workspace}: 200 with a new session in
 * that workspace (a new cookie and CSRF token), 404 when the user is
 * not a member of it. */
void
api_session_workspace(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	char		 role[8];
	int		 rc;

	if ((d = api_db(r)) == NULL)
		return;
	if ((rc = db_member_role(d, cx->v[0].n, cx->who.user, role)) == -1) {
		api_db_failed(r, d, "session.workspace_failed");
		return;
	}
	if (rc == 0) {
		http_json_error(r, 404, "no such workspace");
		return;
	}
	api_signed_in(r, d, cx->who.user, cx->v[0].n);
}

/* The throttle of one-time links, per client address: 1 with *wait
 * seconds when r must wait, 0 no, -1. */
static int
api_link_throttled(struct db *d, const struct req *r, long long *wait)
{
	char		 key[80];
	long long	 f, next, now = clock_ms();

	snprintf(key, sizeof(key), "link:%.60s", http_client(r));
	if (db_throttle_get(d, key, &f, &next) == -1)
		return -1;
	if (next <= now)
		return 0;
	*wait = (next - now + 999) / 1000;
	return 1;
}

/* Count a bad one-time link from r's address; 0 or -1. */
static int
api_link_failed(struct db *d, const struct req *r)
{
	char		 key[80];
	long long	 f, next, now = clock_ms();

	snprintf(key, sizeof(key), "link:%.60s", http_client(r));
	if (db_throttle_get(d, key, &f, &next) == -1)
		return -1;
	f++;
	return db_throttle_set(d, key, f, now + session_backoff_ms(f,
	    HG_THROTTLE_FREE));
}

/* The first setup, in the open transaction: the owner and operator of
 * workspace 1.  1 done, 0 refused (answered), -1. */
static int
api_first_setup(struct req *r, struct db *d, const struct route_ctx *cx,
    const char *hash, long long now, long long *user)
{
	long long n;

	if (!cx->v[1].set || cx->v[1].len == 0 || !cx->v[2].set ||
	    strchr(cx->v[2].s, '@') == NULL) {
		http_json_error(r, 400, "enter your name and e-mail address");
		return 0;
	}
	if (db_user_count(d, &n) == -1)
		return -1;
	if (n > 0) {
		http_json_error(r, 410, "this install is set up already");
		return 0;
	}
	if (db_user_add(d, cx->v[2].s, cx->v[1].s, hash, 1, now,
	    user) != 1 || db_member_set(d, 1, *user, "owner", now) == -1)
		return -1;
	return 1;
}

/* POST /api/setup {token, name, email, password}: with the first
 * setup's link, the owner and operator of workspace 1 is created; with
 * a person's set-password link, their password is set and their
 * sessions end.  200 {ok}; 400 a weak password; 404 a link unknown,
 * used or expired (used up only by a success); 429 while an address
 * keeps trying bad links. */
void
api_setup(struct req *r, const struct route_ctx *cx)
{
	struct db_user	 u;
	struct db	*d;
	const char	*why, *email;
	char		 th[DB_HASH_HEX + 1], hash[HG_PASSWORD_HASH_MAX];
	char		 obj[32], masked[HG_EMAIL_MAX + 1];
	long long	 user = 0, now = (long long)time(NULL), wait;
	int		 rc;

	memset(&u, 0, sizeof(u));
	hash[0] = '\0';
	if ((d = api_db(r)) == NULL)
		return;
	if ((rc = api_link_throttled(d, r, &wait)) != 0) {
		if (rc == 1)
			api_throttled(r, wait);
		else
			api_db_failed(r, d, "setup.failed");
		return;
	}
	crypto_sha256_hex(cx->v[0].s, th);
	if ((rc = db_setup_valid(d, th, now, &user)) == -1)
		goto fail;
	if (rc == 0) {
		if (api_link_failed(d, r) == -1)
			goto fail;
		api_log(LOG_LEVEL_WARN, "setup.bad_link", 0, NULL,
		    http_client(r));
		http_json_error(r, 404, "this link is no longer valid");
		return;
	}
	if (user != 0 && (rc = db_user_by_id(d, user, &u)) != 1)
		goto fail;
	email = user != 0 ? u.email : cx->v[2].set ? cx->v[2].s : NULL;
	if ((why = password_weak(cx->v[3].s, email)) != NULL) {
		http_json_error(r, 400, why);
		goto out;
	}
	if (password_hash(cx->v[3].s, hash, sizeof(hash)) == -1 ||
	    db_begin(d) == -1)
		goto fail;
	/* Used inside the transaction: two requests with one link cannot
	 * both pass. */
	if ((rc = db_setup_use(d, th, now, &user)) != 1) {
		db_rollback(d);
		if (rc == -1)
			goto fail;
		http_json_error(r, 404, "this link is no longer valid");
		goto out;
	}
	if (user == 0) {
		if ((rc = api_first_setup(r, d, cx, hash, now, &user)) != 1) {
			db_rollback(d);
			if (rc == -1)
				goto fail;
			goto out;
		}
	} else if (db_user_set_password(d, user, hash, now) == -1 ||
	    db_session_end_others(d, user, NULL, NULL) == -1) {
		db_rollback(d);
		goto fail;
	}
	snprintf(obj, sizeof(obj), "user:%lld", user);
	mask_email(email, masked, sizeof(masked));
	{
		struct route_who who = { .via = ROUTE_SESSION, .user = user };
		long long ws = 1;

		/* The first setup is workspace 1's; a set-password link is
		 * the person's own workspace's business. */
		if (u.id != 0 && db_member_first(d, user, &ws) == -1) {
			db_rollback(d);
			goto fail;
		}
		if (api_audit(d, &who, ws, u.id == 0 ? "user_created" :
		    "password_set", obj, masked, http_client(r)) == -1 ||
		    db_commit(d) == -1) {
			db_rollback(d);
			goto fail;
		}
	}
	api_log(LOG_LEVEL_INFO, u.id == 0 ? "setup.done" : "setup.password_set",
	    user, email, http_client(r));
	api_ok(r);
	goto out;
fail:
	api_db_failed(r, d, "setup.failed");
out:
	crypto_wipe(hash, sizeof(hash));
	crypto_wipe(u.password_hash, sizeof(u.password_hash));
}

/* POST /api/password {current_password, password}: 200 and the user's
 * other sessions end; 403 a wrong current password (throttled like a
 * sign-in: 429); 400 a weak new one. */
void
api_password(struct req *r, const struct route_ctx *cx)
{
	struct db_session	 s;
	struct db_user		 u;
	struct db		*d;
	const char		*why;
	char			 hash[HG_PASSWORD_HASH_MAX], obj[32];
	long long		 wait, now = (long long)time(NULL);
	int			 rc;

	memset(&u, 0, sizeof(u));
	hash[0] = '\0';
	if ((d = api_db(r)) == NULL)
		return;
	if (session_current(r, d, api_conf, &s) != 1 ||
	    db_user_by_id(d, cx->who.user, &u) != 1)
		goto fail;
	if ((rc = session_attempt(d, u.email, http_client(r), clock_ms(),
	    &wait)) != 0) {
		if (rc == -1)
			goto fail;
		api_throttled(r, wait);
		goto out;
	}
	if ((rc = password_verify(cx->v[0].s, u.password_hash)) == -1)
		goto fail;
	snprintf(obj, sizeof(obj), "user:%lld", u.id);
	if (rc == 0) {
		/* Counted by session_attempt already. */
		if (api_audit(d, &cx->who, cx->who.workspace,
		    "password_change_failed", obj, "", http_client(r)) == -1)
			goto fail;
		http_json_error(r, 403, "the current password is wrong");
		goto out;
	}
	if ((why = password_weak(cx->v[1].s, u.email)) != NULL) {
		http_json_error(r, 400, why);
		goto out;
	}
	if (password_hash(cx->v[1].s, hash, sizeof(hash)) == -1 ||
	    db_begin(d) == -1)
		goto fail;
	if (db_user_set_password(d, u.id, hash, now) == -1 ||
	    db_session_end_others(d, u.id, s.id, NULL) == -1 ||
	    api_audit(d, &cx->who, cx->who.workspace, "password_changed", obj,
	    "", http_client(r)) == -1 || db_commit(d) == -1) {
		db_rollback(d);
		goto fail;
	}
	if (session_succeeded(d, u.email, http_client(r)) == -1)
		goto fail;
	api_log(LOG_LEVEL_INFO, "session.password_changed", u.id, NULL,
	    http_client(r));
	api_ok(r);
	goto out;
fail:
	api_db_failed(r, d, "session.password_failed");
out:
	crypto_wipe(hash, sizeof(hash));
	crypto_wipe(u.password_hash, sizeof(u.password_hash));
}

struct api_list_arg {
	cJSON		*list;
	long long	 current;
	int		 n;
};

static void
api_session_item(void *arg, const struct db_session *s)
{
	struct api_list_arg	*a = arg;
	cJSON			*o;

	if (a->n >= HG_LIST_MAX || (o = cJSON_CreateObject()) == NULL)
		return;
	a->n++;
	cJSON_AddNumberToObject(o, "id", (double)s->rowid);
	cJSON_AddNumberToObject(o, "created", (double)s->created_at);
	cJSON_AddNumberToObject(o, "last_seen", (double)s->last_seen_at);
	cJSON_AddStringToObject(o, "address", s->remote);
	cJSON_AddStringToObject(o, "browser", s->user_agent);
	cJSON_AddBoolToObject(o, "current", s->rowid == a->current);
	cJSON_AddItemToArray(a->list, o);
}

/* GET /api/sessions: 200 {sessions: [{id, created, last_seen, address,
 * browser, current}]}, the user's own, newest first. */
void
api_sessions_get(struct req *r, const struct route_ctx *cx)
{
	struct api_list_arg	 a;
	struct db		*d;
	cJSON			*o = cJSON_CreateObject();

	memset(&a, 0, sizeof(a));
	a.current = cx->who.session;
	if ((d = api_db(r)) == NULL) {
		cJSON_Delete(o);
		return;
	}
	if (o == NULL || (a.list = cJSON_AddArrayToObject(o,
	    "sessions")) == NULL || db_session_list(d, cx->who.user,
	    api_session_item, &a) == -1) {
		cJSON_Delete(o);
		api_db_failed(r, d, "session.list_failed");
		return;
	}
	http_json(r, 200, o);
}

/* The id after prefix in r's path ("/api/tokens/7"): 1 with *id, 0
 * none (the path is the prefix itself), -1 not an id. */
static int
api_path_id(const struct req *r, const char *prefix, long long *id)
{
	size_t		 n = strlen(prefix);
	const char	*p = r->path + n;

	if (strncmp(r->path, prefix, n) != 0 || *p == '\0')
		return 0;
	if (*p != '/' || num_parse(p + 1, strlen(p + 1), 1, LLONG_MAX,
	    id) == -1)
		return -1;
	return 1;
}

/* DELETE /api/sessions/ID: end one of the user's sessions (404 none of
 * theirs); DELETE /api/sessions: all but this one.  200 {ok}. */
void
api_sessions_delete(struct req *r, const struct route_ctx *cx)
{
	struct db_session	 s;
	struct db		*d;
	char			 obj[32];
	long long		 id, n = 0;
	int			 rc;

	if ((d = api_db(r)) == NULL)
		return;
	if ((rc = api_path_id(r, "/api/sessions", &id)) == -1) {
		http_json_error(r, 404, "not found");
		return;
	}
	if (rc == 1) {
		if ((rc = db_session_end_rowid(d, cx->who.user, id)) == -1)
			goto fail;
		if (rc == 0) {
			http_json_error(r, 404, "no such session");
			return;
		}
		snprintf(obj, sizeof(obj), "session:%lld", id);
	} else {
		if (session_current(r, d, api_conf, &s) != 1 ||
		    db_session_end_others(d, cx->who.user, s.id, &n) == -1)
			goto fail;
		snprintf(obj, sizeof(obj), "user:%lld", cx->who.user);
	}
	if (api_audit(d, &cx->who, cx->who.workspace, "sessions_revoked",
	    obj, "", http_client(r)) == -1)
		goto fail;
	api_ok(r);
	return;
fail:
	api_db_failed(r, d, "session.revoke_failed");
}

static void
api_token_item(void *arg, const struct db_token *t)
{
	struct api_list_arg	*a = arg;
	cJSON			*o;

	if (a->n >= HG_LIST_MAX || (o = cJSON_CreateObject()) == NULL)
		return;
	a->n++;
	cJSON_AddNumberToObject(o, "id", (double)t->id);
	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddStringToObject(o, "scope", t->scope);
	cJSON_AddNumberToObject(o, "created", (double)t->created_at);
	if (t->expires_at > 0)
		cJSON_AddNumberToObject(o, "expires", (double)t->expires_at);
	else
		cJSON_AddNullToObject(o, "expires");
	if (t->last_used_at > 0)
		cJSON_AddNumberToObject(o, "last_used",
		    (double)t->last_used_at);
	else
		cJSON_AddNullToObject(o, "last_used");
	cJSON_AddBoolToObject(o, "revoked", t->revoked_at > 0);
	cJSON_AddItemToArray(a->list, o);
}

/* GET /api/tokens: 200 {tokens: [{id, name, scope, created, expires,
 * last_used, revoked}]}: the user's in this workspace, never a value
 * or a hash. */
void
api_tokens_get(struct req *r, const struct route_ctx *cx)
{
	struct api_list_arg	 a;
	struct db		*d;
	cJSON			*o = cJSON_CreateObject();

	memset(&a, 0, sizeof(a));
	if ((d = api_db(r)) == NULL) {
		cJSON_Delete(o);
		return;
	}
	if (o == NULL || (a.list = cJSON_AddArrayToObject(o,
	    "tokens")) == NULL || db_token_list(d, cx->who.user,
	    cx->who.workspace, api_token_item, &a) == -1) {
		cJSON_Delete(o);
		api_db_failed(r, d, "token.list_failed");
		return;
	}
	http_json(r, 200, o);
}

/* POST /api/tokens {name, scope: "read"|"role", expires_days}: 201
 * {id, name, scope, expires, token}, the token's value shown this once
 * (only its hash is kept). */
void
api_tokens_post(struct req *r, const struct route_ctx *cx)
{
	struct db_token	 t;
	struct db	*d;
	char		 value[CRYPTO_TOKEN_CHARS + 1], obj[32];
	cJSON		*o = NULL;

	memset(&t, 0, sizeof(t));
	value[0] = '\0';
	if (strcmp(cx->v[1].s, "read") != 0 && strcmp(cx->v[1].s,
	    "role") != 0) {
		http_json_error(r, 400, "scope: read or role");
		return;
	}
	if ((d = api_db(r)) == NULL)
		return;
	if (crypto_token(value, sizeof(value)) == -1)
		goto fail;
	crypto_sha256_hex(value, t.hash);
	t.user_id = cx->who.user;
	t.workspace_id = cx->who.workspace;
	snprintf(t.name, sizeof(t.name), "%s", cx->v[0].s);
	snprintf(t.scope, sizeof(t.scope), "%s", cx->v[1].s);
	t.created_at = (long long)time(NULL);
	if (cx->v[2].set)
		t.expires_at = t.created_at + cx->v[2].n * 86400;
	if (db_token_add(d, &t) == -1)
		goto fail;
	snprintf(obj, sizeof(obj), "token:%lld", t.id);
	if (api_audit(d, &cx->who, cx->who.workspace, "token_created", obj,
	    t.scope, http_client(r)) == -1)
		goto fail;
	if ((o = cJSON_CreateObject()) == NULL)
		goto fail;
	cJSON_AddNumberToObject(o, "id", (double)t.id);
	cJSON_AddStringToObject(o, "name", t.name);
	cJSON_AddStringToObject(o, "scope", t.scope);
	if (t.expires_at > 0)
		cJSON_AddNumberToObject(o, "expires", (double)t.expires_at);
	else
		cJSON_AddNullToObject(o, "expires");
	cJSON_AddStringToObject(o, "token", value);
	http_json(r, 201, o);
	crypto_wipe(value, sizeof(value));
	return;
fail:
	crypto_wipe(value, sizeof(value));
	api_db_failed(r, d, "token.create_failed");
}

/* DELETE /api/tokens/ID: 200 {ok} revoked; 404 none of the user's (or
 * revoked already). */
void
api_tokens_delete(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	char		 obj[32];
	long long	 id;
	int		 rc;

	if (api_path_id(r, "/api/tokens", &id) != 1) {
		http_json_error(r, 404, "no such token");
		return;
	}
	if ((d = api_db(r)) == NULL)
		return;
	if ((rc = db_token_revoke(d, cx->who.user, id,
	    (long long)time(NULL))) == -1)
		goto fail;
	if (rc == 0) {
		http_json_error(r, 404, "no such token");
		return;
	}
	snprintf(obj, sizeof(obj), "token:%lld", id);
	if (api_audit(d, &cx->who, cx->who.workspace, "token_revoked", obj,
	    "", http_client(r)) == -1)
		goto fail;
	api_ok(r);
	return;
fail:
	api_db_failed(r, d, "token.revoke_failed");
}

int
api_operator(struct db *d, const struct route_who *who)
{
	struct db_user u;

	switch (db_user_by_id(d, who->user, &u)) {
	case 1:
		return u.operator != 0;
	case 0:
		return 0;
	default:
		return -1;
	}
}
