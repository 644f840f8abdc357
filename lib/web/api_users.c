/*
 * api_users: users of a workspace and the install's workspaces, for the
 * dashboard.  See api_users.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "api_session.h"
#include "api_users.h"
#include "app.h"
#include "conf.h"
#include "crypto.h"
#include "db_user.h"
#include "http.h"
#include "mask.h"
#include "num.h"
#include "session.h"

#define USERS_PATH	"/api/users/"

static const struct conf *users_conf;

const struct route_field api_users_add_fields[USERS_ADD__MAX] = {
	[USERS_ADD_NAME] = { "name", FIELD_TEXT, 1, HG_USER_NAME_MAX,
	    FIELD_REQUIRED },
	[USERS_ADD_EMAIL] = { "email", FIELD_TEXT, 3, HG_EMAIL_MAX,
	    FIELD_REQUIRED },
	[USERS_ADD_ROLE] = { "role", FIELD_TEXT, 1, 8, FIELD_REQUIRED },
};

const struct route_field api_users_patch_fields[USERS_PATCH__MAX] = {
	[USERS_PATCH_ROLE] = { "role", FIELD_TEXT, 1, 8, 0 },
	[USERS_PATCH_DISABLED] = { "disabled", FIELD_BOOL, 0, 1, 0 },
};

const struct route_field api_workspaces_add_fields[WORKSPACES_ADD__MAX] = {
	[WORKSPACES_ADD_NAME] = { "name", FIELD_TEXT, 1, HG_WORKSPACE_NAME_MAX,
	    FIELD_REQUIRED },
};

void
api_users_setup(const struct conf *c)
{
	users_conf = c;
}

int
api_email_valid(const char *s)
{
	const char	*at = strchr(s, '@'), *p;

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL)
		return 0;
	if ((p = strchr(at + 1, '.')) == NULL || p == at + 1 ||
	    p[1] == '\0' || s[strlen(s) - 1] == '.')
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' ||
		    *p == '>' || *p == '"' || *p == ',')
			return 0;
	return 1;
}

/* The database, or NULL after answering 503. */
static struct db *
users_db(struct req *r)
{
	struct db *d;

	if (users_conf == NULL || (d = app_db(users_conf)) == NULL) {
		route_error(r, 503, "the database is not available");
		return NULL;
	}
	return d;
}

/* A user as the API shows one (never the password hash). */
static cJSON *
users_json(long long id, const char *name, const char *email,
    const char *role, int disabled)
{
	cJSON *u = cJSON_CreateObject();

	if (u == NULL)
		return NULL;
	cJSON_AddNumberToObject(u, "id", (double)id);
	cJSON_AddStringToObject(u, "name", name);
	cJSON_AddStringToObject(u, "email", email);
	cJSON_AddStringToObject(u, "role", role);
	cJSON_AddBoolToObject(u, "disabled", disabled);
	return u;
}

static void
users_list_one(void *arg, const struct db_user *u)
{
	cJSON *a = arg, *j;

	if ((j = users_json(u->id, u->name, u->email, u->role,
	    u->disabled_at != 0)) != NULL)
		cJSON_AddItemToArray(a, j);
}

void
api_users_list(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	cJSON		*root, *a;

	if ((d = users_db(r)) == NULL)
		return;
	root = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(root, "users");
	if (a == NULL) {
		cJSON_Delete(root);
		route_error(r, 500, "out of memory");
		return;
	}
	if (db_workspace_users(d, cx->who.workspace, users_list_one, a) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the users now");
		return;
	}
	http_json(r, 200, root);
}

void
api_users_add(struct req *r, const struct route_ctx *cx)
{
	const struct route_val	*v = cx->v;
	const char		*name = v[USERS_ADD_NAME].s;
	const char		*email = v[USERS_ADD_EMAIL].s;
	const char		*role = v[USERS_ADD_ROLE].s;
	struct db		*d;
	struct db_user		 u;
	cJSON			*root = NULL;
	char			 token[CRYPTO_TOKEN_CHARS + 1];
	char			 link[HG_LINK_MAX], masked[HG_EMAIL_MAX + 8];
	char			 object[32], detail[HG_EMAIL_MAX + 64], had[8];
	long long		 id = 0, now = (long long)time(NULL);
	int			 rc, created = 0, txn = 0;

	link[0] = '\0';
	if (!api_email_valid(email)) {
		route_error(r, 400, "email: invalid");
		return;
	}
	if (session_role(role) == ROLE_NONE) {
		route_error(r, 400, "role: must be owner, admin or agent");
		return;
	}
	if ((d = users_db(r)) == NULL)
		return;
	if (db_begin(d) == -1)
		goto fail;
	txn = 1;
	if ((rc = db_user_add(d, email, name, NULL, 0, now, &id)) == -1)
		goto fail;
	if (rc == 1)
		created = 1;
	else {
		/* Someone with this e-mail exists.  Only the install's
		 * operator may add them to a workspace (with their own
		 * password, no link): an owner could otherwise pull a
		 * person of another business into theirs, or learn who
		 * has an account.  Others hear the same answer whoever
		 * the e-mail belongs to. */
		if (db_user_by_email(d, email, &u) != 1)
			goto fail;
		id = u.id;
		if ((rc = db_member_role(d, cx->who.workspace, id, had)) == -1)
			goto fail;
		if (rc == 1 || api_operator(d, &cx->who) != 1) {
			db_rollback(d);
			route_error(r, 409, "this e-mail cannot be added here: "
			    "ask the operator of this hubgate");
			return;
		}
	}
	if (db_member_set(d, cx->who.workspace, id, role, now) == -1)
		goto fail;
	if (created) {
		if (api_setup_token(d, id, now, token) == -1 ||
		    api_setup_link(conf_get(users_conf, "base_url"),
		    http_header(r, "Host"), token, link, sizeof(link)) == -1)
			goto fail;
	}
	mask_email(email, masked, sizeof(masked));
	snprintf(object, sizeof(object), "user:%lld", id);
	snprintf(detail, sizeof(detail), "%s role=%s%s", masked, role,
	    created ? "" : " (existing user)");
	if (api_audit(d, &cx->who, cx->who.workspace, "user_created", object,
	    detail, http_client(r)) == -1 ||
	    db_commit(d) == -1)
		goto fail;
	txn = 0;
	if (!created && db_user_by_id(d, id, &u) != 1)
		goto fail;
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "user", users_json(id, created ? name :
	    u.name, created ? email : u.email, role, created ? 0 :
	    u.disabled_at != 0));
	if (created)
		cJSON_AddStringToObject(root, "link", link);
	else
		cJSON_AddNullToObject(root, "link");
	http_json(r, 201, root);
	goto out;
fail:
	if (txn)
		db_rollback(d);
	route_error(r, 503, "cannot add the user now");
out:
	crypto_wipe(token, sizeof(token));
	crypto_wipe(link, sizeof(link));
}

/* The id of PATCH /api/users/ID into *id: 0, or -1 (no such path). */
static int
users_path_id(const struct req *r, long long *id)
{
	size_t n = strlen(USERS_PATH);

	if (strncmp(r->path, USERS_PATH, n) != 0)
		return -1;
	return num_parse_str(r->path + n, 1, 1LL << 53, id);
}

void
api_users_patch(struct req *r, const struct route_ctx *cx)
{
	const struct route_val	*v = cx->v;
	const char		*role = v[USERS_PATCH_ROLE].set ?
				    v[USERS_PATCH_ROLE].s : NULL;
	struct db		*d;
	char			 had[8], object[32], detail[64];
	long long		 id, owners, nws, now = (long long)time(NULL);
	int			 rc, disable = -1, txn = 0;

	if (users_path_id(r, &id) == -1) {
		route_error(r, 404, "not found");
		return;
	}
	if (v[USERS_PATCH_DISABLED].set)
		disable = v[USERS_PATCH_DISABLED].n != 0;
	if (role == NULL && disable == -1) {
		route_error(r, 400, "give role or disabled");
		return;
	}
	if (role != NULL && session_role(role) == ROLE_NONE) {
		route_error(r, 400, "role: must be owner, admin or agent");
		return;
	}
	if ((d = users_db(r)) == NULL)
		return;
	if (db_begin(d) == -1)
		goto fail;
	txn = 1;
	/* Not a member of this workspace: as if there were no such user. */
	if ((rc = db_member_role(d, cx->who.workspace, id, had)) == -1)
		goto fail;
	if (rc == 0) {
		db_rollback(d);
		route_error(r, 404, "not found");
		return;
	}
	if (strcmp(had, "owner") == 0 && ((role != NULL &&
	    strcmp(role, "owner") != 0) || disable == 1)) {
		if (db_member_owners(d, cx->who.workspace, &owners) == -1)
			goto fail;
		if (owners <= 1) {
			db_rollback(d);
			route_error(r, 409, "the last owner can be neither "
			    "demoted nor disabled");
			return;
		}
	}
	if (disable != -1) {
		/* A user is disabled everywhere at once: not by the owner
		 * of one of their workspaces alone, only by the install's
		 * operator (an owner removes them from theirs instead). */
		if (db_member_count(d, id, &nws) == -1)
			goto fail;
		if (nws > 1 && api_operator(d, &cx->who) != 1) {
			db_rollback(d);
			route_error(r, 409, "this user belongs to other "
			    "workspaces too: remove them from this one, or "
			    "ask the operator of this hubgate");
			return;
		}
	}
	snprintf(object, sizeof(object), "user:%lld", id);
	if (role != NULL && strcmp(role, had) != 0) {
		snprintf(detail, sizeof(detail), "role %s -> %s", had, role);
		if (db_member_set(d, cx->who.workspace, id, role, now) == -1 ||
		    api_audit(d, &cx->who, cx->who.workspace, "role_changed",
		    object, detail, http_client(r)) == -1)
			goto fail;
	}
	if (disable != -1) {
		if ((rc = db_user_set_disabled(d, id, disable, now)) == -1)
			goto fail;
		if (api_audit(d, &cx->who, cx->who.workspace, disable ?
		    "user_disabled" : "user_changed", object, disable ? "disabled, sessions "
		    "ended" : "enabled", http_client(r)) == -1)
			goto fail;
	}
	if (db_commit(d) == -1)
		goto fail;
	http_json(r, 200, cJSON_CreateObject());
	return;
fail:
	if (txn)
		db_rollback(d);
	route_error(r, 503, "cannot change the user now");
}

void
api_users_delete(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	struct db_user	 u;
	char		 had[8], object[32], masked[HG_EMAIL_MAX + 8];
	long long	 id, owners, now = (long long)time(NULL);
	int		 rc, txn = 0;

	if (users_path_id(r, &id) == -1) {
		route_error(r, 404, "not found");
		return;
	}
	if ((d = users_db(r)) == NULL)
		return;
	if (db_begin(d) == -1)
		goto fail;
	txn = 1;
	/* Not a member of this workspace: as if there were no such user. */
	if ((rc = db_member_role(d, cx->who.workspace, id, had)) == -1)
		goto fail;
	if (rc == 0 || (rc = db_user_by_id(d, id, &u)) == 0) {
		db_rollback(d);
		route_error(r, 404, "not found");
		return;
	}
	if (rc == -1)
		goto fail;
	crypto_wipe(u.password_hash, sizeof(u.password_hash));
	if (strcmp(had, "owner") == 0 && u.disabled_at == 0) {
		if (db_member_owners(d, cx->who.workspace, &owners) == -1)
			goto fail;
		if (owners <= 1) {
			db_rollback(d);
			route_error(r, 409, "the last owner cannot be "
			    "removed");
			return;
		}
	}
	mask_email(u.email, masked, sizeof(masked));
	snprintf(object, sizeof(object), "user:%lld", id);
	if (db_member_remove(d, cx->who.workspace, id, now) != 1 ||
	    api_audit(d, &cx->who, cx->who.workspace, "user_removed", object,
	    masked, http_client(r)) == -1 || db_commit(d) == -1)
		goto fail;
	http_json(r, 200, cJSON_CreateObject());
	return;
fail:
	if (txn)
		db_rollback(d);
	route_error(r, 503, "cannot remove the user now");
}

/* 1 when the caller is the install's operator, 0 not (403 answered),
 * -1 (503 answered). */
static int
users_operator(struct req *r, struct db *d, const struct route_who *who)
{
	int rc = api_operator(d, who);

	if (rc == 0)
		route_error(r, 403, "not allowed");
	else if (rc == -1)
		route_error(r, 503, "cannot check the user now");
	return rc;
}

static void
workspaces_one(void *arg, long long id, const char *name)
{
	cJSON *a = arg, *w = cJSON_CreateObject();

	if (w == NULL)
		return;
	cJSON_AddNumberToObject(w, "id", (double)id);
	cJSON_AddStringToObject(w, "name", name != NULL ? name : "");
	cJSON_AddItemToArray(a, w);
}

void
api_workspaces_list(struct req *r, const struct route_ctx *cx)
{
	struct db	*d;
	cJSON		*root, *a;

	if ((d = users_db(r)) == NULL || users_operator(r, d, &cx->who) != 1)
		return;
	root = cJSON_CreateObject();
	if ((a = cJSON_AddArrayToObject(root, "workspaces")) == NULL ||
	    db_workspace_all(d, workspaces_one, a) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the workspaces now");
		return;
	}
	http_json(r, 200, root);
}

void
api_workspaces_add(struct req *r, const struct route_ctx *cx)
{
	const char	*name = cx->v[WORKSPACES_ADD_NAME].s;
	struct db	*d;
	struct route_who who = cx->who;
	cJSON		*root, *w;
	char		 object[32];
	long long	 id, now = (long long)time(NULL);
	int		 txn = 0;

	if ((d = users_db(r)) == NULL || users_operator(r, d, &cx->who) != 1)
		return;
	if (db_begin(d) == -1)
		goto fail;
	txn = 1;
	if (db_workspace_add(d, name, now, &id) == -1 ||
	    db_member_set(d, id, cx->who.user, "owner", now) == -1)
		goto fail;
	/* Written in the new workspace, whose log its owners read. */
	who.workspace = id;
	snprintf(object, sizeof(object), "workspace:%lld", id);
	if (api_audit(d, &who, id, "workspace_created", object, "",
	    http_client(r)) == -1 ||
	    db_commit(d) == -1)
		goto fail;
	root = cJSON_CreateObject();
	w = cJSON_AddObjectToObject(root, "workspace");
	cJSON_AddNumberToObject(w, "id", (double)id);
	cJSON_AddStringToObject(w, "name", name);
	cJSON_AddStringToObject(w, "role", "owner");
	http_json(r, 201, root);
	return;
fail:
	if (txn)
		db_rollback(d);
	route_error(r, 503, "cannot add the workspace now");
}
