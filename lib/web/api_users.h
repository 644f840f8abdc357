/*
 * api_users: the dashboard's people and workspaces (api_users.c).
 *
 *   GET   /api/users        owner: {users: [{id, name, email, role,
 *                           disabled}]} of the session's workspace
 *   POST  /api/users        owner, JSON {name, email, role}: the user and
 *                           their membership, and a one-time set-password
 *                           link: {user: {...}, link}
 *   PATCH /api/users/ID     owner, JSON {role} and/or {disabled}
 *                           (a user of several workspaces: only the
 *                           install's operator may disable them)
 *   DELETE /api/users/ID    owner, session: remove the user from this
 *                           workspace (their sessions in it ended,
 *                           their API tokens of it revoked); their
 *                           other workspaces keep them
 *   GET   /api/workspaces   operator: {workspaces: [{id, name}]}
 *   POST  /api/workspaces   operator, JSON {name}: a new workspace whose
 *                           owner the operator becomes: {workspace}
 *
 * Everything is scoped to the caller's current workspace: the id of a
 * user of another workspace is answered 404, as if it did not exist.
 * The last owner who may sign in can be neither demoted, disabled nor
 * removed; disabling a user ends all their sessions.  Changes are written to the
 * audit log (user_created, role_changed, user_disabled, user_changed,
 * user_removed,
 * workspace_created) with e-mails masked.
 */
#ifndef HG_API_USERS_H
#define HG_API_USERS_H

#include <stddef.h>

#include "route.h"

struct conf;

/* The program's configuration, for the handlers below; once, before
 * serving. */
void	 api_users_setup(const struct conf *);

/* The fields of the routes below, by index (for the route table). */
enum { USERS_ADD_NAME, USERS_ADD_EMAIL, USERS_ADD_ROLE, USERS_ADD__MAX };
extern const struct route_field api_users_add_fields[USERS_ADD__MAX];
enum { USERS_PATCH_ROLE, USERS_PATCH_DISABLED, USERS_PATCH__MAX };
extern const struct route_field api_users_patch_fields[USERS_PATCH__MAX];
enum { WORKSPACES_ADD_NAME, WORKSPACES_ADD__MAX };
extern const struct route_field
	api_workspaces_add_fields[WORKSPACES_ADD__MAX];

void	 api_users_list(struct req *, const struct route_ctx *);
void	 api_users_add(struct req *, const struct route_ctx *);
void	 api_users_patch(struct req *, const struct route_ctx *);
void	 api_users_delete(struct req *, const struct route_ctx *);
void	 api_workspaces_list(struct req *, const struct route_ctx *);
void	 api_workspaces_add(struct req *, const struct route_ctx *);

/* 1 when s looks like an e-mail address: one '@' with something on
 * both sides, a dot in the domain, no space or control byte; else 0. */
int	 api_email_valid(const char *s);

#endif
