/*
 * session: who is signed in to the dashboard, and the checks around it.
 *
 * The cookie holds 32 random bytes (base64url); the database only their
 * hex SHA-256, so a copy of it opens no session.  The cookie is
 * hg_session, HttpOnly, SameSite=Lax, Path=/; under an https base_url
 * it is __Host-hg_session and Secure.  A session ends after
 * session_idle_s without a request or session_max_s after sign-in,
 * whichever comes first; every sign-in makes a new one (no fixation).
 *
 * CSRF: a request with a session that is not GET or HEAD must carry
 * X-CSRF-Token equal to the session's and come from the dashboard's own
 * origin: an Origin header equal to base_url's origin or to the Host
 * the request came to, or, without Origin, Sec-Fetch-Site: same-origin.
 * Else 403.  Requests with a Bearer token carry no cookie and are
 * exempt.
 *
 * API tokens (Authorization: Bearer): scope "role" acts with its user's
 * role in the token's workspace; scope "read" acts as an agent that may
 * only GET and HEAD, whatever the user's role.
 *
 * Throttling: failed sign-ins are counted per account and per client
 * address; after HG_THROTTLE_FREE failures in a row (three times as
 * many for an address, which an office shares) each one doubles the
 * wait, from HG_THROTTLE_BASE_MS up to HG_THROTTLE_MAX_MS.  Attempts
 * in the wait are answered 429 with Retry-After without a look at the
 * password.  A success clears the account's count.
 */
#ifndef HG_SESSION_H
#define HG_SESSION_H

#include "db_user.h"
#include "route.h"

struct conf;
struct db;

/* The program's configuration, for session_authenticate; once, before
 * serving. */
void		 session_setup(const struct conf *);
/* The authenticator of the dashboard's route table (route_auth_fn). */
int		 session_authenticate(struct req *, enum route_auth need,
		    struct route_who *);

/* The cookie's name under this configuration. */
const char	*session_cookie_name(const struct conf *);
/* 1 when base_url is https. */
int		 session_https(const struct conf *);

/* Sign user in to workspace: a new session, its cookie set on r, and
 * its CSRF token copied into csrf (64 bytes); a session this request
 * came with ends.  0 or -1. */
int		 session_start(struct req *, struct db *, const struct conf *,
		    long long user, long long workspace, char csrf[64]);
/* The live session r's cookie names (noted as seen now): 1 with s
 * filled, 0 none (or expired), -1. */
int		 session_current(struct req *, struct db *,
		    const struct conf *, struct db_session *s);
/* End r's session, if any, and clear its cookie; 0 or -1. */
int		 session_end(struct req *, struct db *, const struct conf *);
/* Expire the cookie on r (a Set-Cookie in the past). */
void		 session_clear_cookie(struct req *, const struct conf *);

/* 1 when r comes from the dashboard's own origin (see above), else 0. */
int		 session_origin_ok(const struct req *, const struct conf *);
/* 1 when r may change state under session s: GET and HEAD always,
 * others with the session's X-CSRF-Token and the own origin; else 0. */
int		 session_csrf_ok(const struct req *, const struct conf *,
		    const struct db_session *s);

/* Who calls r: the authenticator's work with the database and the
 * configuration given (see route_auth_fn). */
int		 session_who(struct req *, struct db *, const struct conf *,
		    enum route_auth need, struct route_who *);
/* The role named s ("owner", "admin", "agent"), or ROLE_NONE. */
enum role	 session_role(const char *s);

/* Is a sign-in for email from remote throttled at now_ms: 1 with the
 * seconds to wait in *retry_after, 0 no, -1. */
int		 session_throttled(struct db *, const char *email,
		    const char *remote, long long now_ms,
		    long long *retry_after);
/* Count a failed sign-in; 0 or -1. */
int		 session_failed(struct db *, const char *email,
		    const char *remote, long long now_ms);
/* A successful sign-in clears the account's count; 0 or -1. */
int		 session_succeeded(struct db *, const char *email,
		    const char *remote);
/* Take a sign-in attempt for email from remote at now_ms, in one
 * transaction: 1 with *retry_after (seconds) set while the account or
 * the address is throttled; else 0, the attempt counted as a failure
 * already, so that attempts made in parallel each wait their turn
 * (session_succeeded gives it back); -1 on a database error. */
int		 session_attempt(struct db *, const char *email,
		    const char *remote, long long now_ms,
		    long long *retry_after);
/* The wait after failures in a row, free of them allowed (ms). */
long long	 session_backoff_ms(long long failures, long long free);

#endif
