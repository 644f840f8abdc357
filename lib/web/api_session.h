/*
 * api_session: the dashboard's door, as JSON under /api (see the
 * handlers' comments for each answer):
 *
 *   GET    /api/session            who am I: user, workspace, workspaces,
 *                                  csrf_token
 *   POST   /api/session            sign in {email, password}
 *   DELETE /api/session            sign out
 *   POST   /api/session/workspace  switch workspace {workspace}
 *   POST   /api/setup              a one-time link {token, name, email,
 *                                  password}: the first setup, or a
 *                                  person's new password
 *   POST   /api/password           {current_password, password}
 *   GET    /api/sessions           my sessions
 *   DELETE /api/sessions[/ID]      end one, or all but this one
 *   GET    /api/tokens             my API tokens of this workspace
 *   POST   /api/tokens             {name, scope, expires_days}: the token
 *                                  answered once
 *   DELETE /api/tokens/ID          revoke
 *
 * The dashboard's route table lists them with the fields declared here
 * (the gate validates them).  No answer and no log line holds a
 * password, a token, a session cookie's value or any of their hashes;
 * e-mail addresses in log lines and the audit log are masked.
 */
#ifndef HG_API_SESSION_H
#define HG_API_SESSION_H

#include <stddef.h>

#include "crypto.h"
#include "route.h"

struct conf;
struct db;

/* The program's configuration, for the handlers; once, before
 * serving. */
void	 api_session_setup(const struct conf *);

/* A one-time setup link's token for user (0: the first setup), valid
 * HG_SETUP_TOKEN_S from now: its value into token, only its hash
 * stored; 0 or -1. */
int	 api_setup_token(struct db *, long long user, long long now,
	    char token[CRYPTO_TOKEN_CHARS + 1]);
/* The set-password link for token: base (base_url, without its
 * trailing slashes), or "http://" + host when base is empty and host is
 * a plain host[:port] (host may be NULL), then "/setup.html?token=" +
 * token, into out; 0, or -1 when there is no usable base or it does not
 * fit. */
int	 api_setup_link(const char *base, const char *host, const char *token,
	    char *out, size_t outsz);

/* Append a line to the audit log (detail masked by the caller); 0 or
 * -1. */
int	 api_audit(struct db *, const struct route_who *, long long workspace,
	    const char *action, const char *object, const char *detail,
	    const char *remote);

/* 1 when who is the install's operator (user.operator), 0 not, -1
 * when that cannot be read. */
int	 api_operator(struct db *, const struct route_who *who);

/* The fields the routes take. */
extern const struct route_field api_signin_fields[];
#define API_SIGNIN_NFIELDS	2
extern const struct route_field api_workspace_fields[];
#define API_WORKSPACE_NFIELDS	1
extern const struct route_field api_setup_fields[];
#define API_SETUP_NFIELDS	4
extern const struct route_field api_password_fields[];
#define API_PASSWORD_NFIELDS	2
extern const struct route_field api_token_fields[];
#define API_TOKEN_NFIELDS	3

void	 api_session_get(struct req *, const struct route_ctx *);
void	 api_session_post(struct req *, const struct route_ctx *);
void	 api_session_delete(struct req *, const struct route_ctx *);
void	 api_session_workspace(struct req *, const struct route_ctx *);
void	 api_setup(struct req *, const struct route_ctx *);
void	 api_password(struct req *, const struct route_ctx *);
void	 api_sessions_get(struct req *, const struct route_ctx *);
void	 api_sessions_delete(struct req *, const struct route_ctx *);
void	 api_tokens_get(struct req *, const struct route_ctx *);
void	 api_tokens_post(struct req *, const struct route_ctx *);
void	 api_tokens_delete(struct req *, const struct route_ctx *);

#endif
