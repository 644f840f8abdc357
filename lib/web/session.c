/*
 * session: the session cookie, CSRF and origin checks, API tokens and
 * the sign-in throttle.  See session.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "db_user.h"
#include "http.h"
#include "session.h"

#define SESSION_COOKIE		"hg_session"
#define SESSION_COOKIE_HOST	"__Host-hg_session"
/* A session's last_seen_at is written at most once a minute: idle
 * expiry needs no finer grain, and a write per request would cost. */
#define SESSION_TOUCH_S		60

static const struct conf *session_conf;

void
session_setup(const struct conf *c)
{
	session_conf = c;
}

int
session_https(const struct conf *c)
{
	return strncasecmp(conf_get(c, "base_url"), "https://", 8) == 0;
}

const char *
session_cookie_name(const struct conf *c)
{
	return session_https(c) ? SESSION_COOKIE_HOST : SESSION_COOKIE;
}

enum role
session_role(const char *s)
{
	int i;

	for (i = ROLE_AGENT; s != NULL && i < ROLE__MAX; i++)
		if (strcmp(s, role_names[i]) == 0)
			return (enum role)i;
	return ROLE_NONE;
}

void
session_clear_cookie(struct req *r, const struct conf *c)
{
	char v[256];

	snprintf(v, sizeof(v), "%s=; Path=/; Max-Age=0; HttpOnly; "
	    "SameSite=Lax%s", session_cookie_name(c),
	    session_https(c) ? "; Secure" : "");
	http_add_header(r, "Set-Cookie", v);
}

/* Copy the printable ASCII of s into out (others become '?'). */
static void
session_printable(const char *s, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i + 1 < outsz; i++)
		out[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	out[i] = '\0';
}

int
session_start(struct req *r, struct db *d, const struct conf *c,
    long long user, long long workspace, char csrf[64])
{
	struct db_session	 s;
	char			 token[CRYPTO_TOKEN_CHARS + 1], v[256];
	int			 rc = -1;

	/* No fixation: whatever session came with the request ends. */
	if (session_end(r, d, c) == -1)
		return -1;
	memset(&s, 0, sizeof(s));
	if (crypto_token(token, sizeof(token)) == -1 ||
	    crypto_token(s.csrf_token, sizeof(s.csrf_token)) == -1)
		goto out;
	crypto_sha256_hex(token, s.id);
	s.user_id = user;
	s.workspace_id = workspace;
	s.created_at = (long long)time(NULL);
	session_printable(http_client(r), s.remote, sizeof(s.remote));
	session_printable(http_header(r, "User-Agent"), s.user_agent,
	    sizeof(s.user_agent));
	if (db_session_add(d, &s) == -1)
		goto out;
	snprintf(v, sizeof(v), "%s=%s; Path=/; Max-Age=%lld; HttpOnly; "
	    "SameSite=Lax%s", session_cookie_name(c), token,
	    conf_get_int(c, "session_max_s"),
	    session_https(c) ? "; Secure" : "");
	http_add_header(r, "Set-Cookie", v);
	memcpy(csrf, s.csrf_token, 64);
	rc = 0;
out:
	crypto_wipe(token, sizeof(token));
	crypto_wipe(v, sizeof(v));
	return rc;
}

/* The session id (hash) of r's cookie into id: 1, 0 no cookie. */
static int
session_cookie_id(const struct req *r, const struct conf *c,
    char id[DB_HASH_HEX + 1])
{
	const char *v = params_get(&r->cookies, session_cookie_name(c));

	if (v == NULL || strlen(v) != CRYPTO_TOKEN_CHARS)
		return 0;
	crypto_sha256_hex(v, id);
	return 1;
}

int
session_current(struct req *r, struct db *d, const struct conf *c,
    struct db_session *s)
{
	char		 id[DB_HASH_HEX + 1];
	long long	 now = (long long)time(NULL);
	int		 rc;

	if (!session_cookie_id(r, c, id))
		return 0;
	rc = db_session_find(d, id, now - conf_get_int(c, "session_idle_s"),
	    now - conf_get_int(c, "session_max_s"), s);
	if (rc == 1 && now - s->last_seen_at >= SESSION_TOUCH_S &&
	    db_session_touch(d, id, now) == -1)
		return -1;
	return rc;
}

int
session_end(struct req *r, struct db *d, const struct conf *c)
{
	char id[DB_HASH_HEX + 1];

	if (!session_cookie_id(r, c, id))
		return 0;
	return db_session_end(d, id);
}

/* 1 when origin (n bytes) is scheme://host for the given host. */
static int
session_origin_is(const char *origin, const char *scheme, const char *host,
    size_t hostlen)
{
	size_t sl = strlen(scheme);

	return strncasecmp(origin, scheme, sl) == 0 &&
	    strlen(origin + sl) == hostlen &&
	    strncasecmp(origin + sl, host, hostlen) == 0;
}

int
session_origin_ok(const struct req *r, const struct conf *c)
{
	const char	*origin = http_header(r, "Origin");
	const char	*site = http_header(r, "Sec-Fetch-Site");
	const char	*base = conf_get(c, "base_url"), *host, *slash;
	const char	*scheme;

	if (origin == NULL || *origin == '\0')
		return site != NULL && strcmp(site, "same-origin") == 0;
	if (site != NULL && strcmp(site, "same-origin") != 0)
		return 0;
	/* base_url's own origin. */
	if ((host = strstr(base, "://")) != NULL) {
		scheme = strncasecmp(base, "https", 5) == 0 ? "https://" :
		    "http://";
		host += 3;
		slash = strchr(host, '/');
		if (session_origin_is(origin, scheme, host, slash != NULL ?
		    (size_t)(slash - host) : strlen(host)))
			return 1;
	}
	/* The Host the request came to. */
	if ((host = http_header(r, "Host")) != NULL && *host != '\0')
		return session_origin_is(origin, "http://", host,
		    strlen(host)) || session_origin_is(origin, "https://",
		    host, strlen(host));
	return 0;
}

int
session_csrf_ok(const struct req *r, const struct conf *c,
    const struct db_session *s)
{
	const char	*h;
	size_t		 n;

	if (r->method == HTTP_GET || r->method == HTTP_HEAD)
		return 1;
	if ((h = http_header(r, "X-CSRF-Token")) == NULL)
		return 0;
	n = strlen(s->csrf_token);
	if (n == 0 || strlen(h) != n || !crypto_equal(h, s->csrf_token, n))
		return 0;
	return session_origin_ok(r, c);
}

/* The caller of r by its Bearer token t: 1, 0, -1. */
static int
session_bearer(struct req *r, struct db *d, const char *t,
    struct route_who *who)
{
	struct db_token	 tok;
	char		 hash[DB_HASH_HEX + 1], role[8];
	long long	 now = (long long)time(NULL);
	int		 rc;

	if (strlen(t) != CRYPTO_TOKEN_CHARS)
		return 0;
	crypto_sha256_hex(t, hash);
	if ((rc = db_token_find(d, hash, now, &tok)) != 1)
		return rc;
	if ((rc = db_member_role(d, tok.workspace_id, tok.user_id,
	    role)) != 1)
		return rc;
	if (db_token_used(d, tok.id, now) == -1)
		return -1;
	who->via = ROUTE_TOKEN;
	who->user = tok.user_id;
	who->workspace = tok.workspace_id;
	if (strcmp(tok.scope, "read") == 0) {
		who->role = ROLE_AGENT;
		who->read_only = 1;
	} else
		who->role = session_role(role);
	return 1;
}

int
session_who(struct req *r, struct db *d, const struct conf *c,
    enum route_auth need, struct route_who *who)
{
	struct db_session	 s;
	const char		*auth = http_header(r, "Authorization");
	char			 role[8];
	int			 rc;

	memset(who, 0, sizeof(*who));
	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0)
		return need == ROUTE_TOKEN ? session_bearer(r, d, auth + 7,
		    who) : 0;
	if ((rc = session_current(r, d, c, &s)) != 1)
		return rc;
	if ((rc = db_member_role(d, s.workspace_id, s.user_id, role)) != 1)
		return rc;
	who->via = ROUTE_SESSION;
	who->user = s.user_id;
	who->workspace = s.workspace_id;
	who->role = session_role(role);
	who->session = s.rowid;
	if (!session_csrf_ok(r, c, &s))
		who->forbid = "missing or wrong CSRF token, or a foreign origin";
	return 1;
}

int
session_authenticate(struct req *r, enum route_auth need,
    struct route_who *who)
{
	struct db *d;

	if (session_conf == NULL || (d = app_db(session_conf)) == NULL)
		return -1;
	return session_who(r, d, session_conf, need, who);
}

long long
session_backoff_ms(long long failures, long long free)
{
	long long	 ms = HG_THROTTLE_BASE_MS;
	long long	 n;

	if (failures <= free)
		return 0;
	for (n = failures - free - 1; n > 0 && ms < HG_THROTTLE_MAX_MS; n--)
		ms *= 2;
	return ms < HG_THROTTLE_MAX_MS ? ms : HG_THROTTLE_MAX_MS;
}

/* The throttle keys of a sign-in: account and address. */
static void
session_keys(const char *email, const char *remote, char user[80],
    char addr[80])
{
	char	 lower[HG_EMAIL_MAX + 1], hex[DB_HASH_HEX + 1];
	size_t	 i;

	for (i = 0; i < HG_EMAIL_MAX && email[i] != '\0'; i++)
		lower[i] = (char)tolower((unsigned char)email[i]);
	lower[i] = '\0';
	crypto_sha256_hex(lower, hex);
	snprintf(user, 80, "user:%s", hex);
	snprintf(addr, 80, "addr:%.60s", remote != NULL ? remote : "-");
}

int
session_throttled(struct db *d, const char *email, const char *remote,
    long long now_ms, long long *retry_after)
{
	char		 key[2][80];
	long long	 f, next, wait = 0;
	int		 i;

	session_keys(email, remote, key[0], key[1]);
	for (i = 0; i < 2; i++) {
		if (db_throttle_get(d, key[i], &f, &next) == -1)
			return -1;
		if (next - now_ms > wait)
			wait = next - now_ms;
	}
	if (wait <= 0)
		return 0;
	*retry_after = (wait + 999) / 1000;
	return 1;
}

int
session_failed(struct db *d, const char *email, const char *remote,
    long long now_ms)
{
	char		 key[2][80];
	long long	 f, next;
	int		 i;

	session_keys(email, remote, key[0], key[1]);
	for (i = 0; i < 2; i++) {
		if (db_throttle_get(d, key[i], &f, &next) == -1)
			return -1;
		f++;
		if (db_throttle_set(d, key[i], f, now_ms + session_backoff_ms(f,
		    i == 0 ? HG_THROTTLE_FREE : 3 * HG_THROTTLE_FREE)) == -1)
			return -1;
	}
	return 0;
}

int
session_attempt(struct db *d, const char *email, const char *remote,
    long long now_ms, long long *retry_after)
{
	int rc;

	if (db_begin(d) == -1)
		return -1;
	if ((rc = session_throttled(d, email, remote, now_ms,
	    retry_after)) != 0) {
		db_rollback(d);
		return rc;
	}
	if (session_failed(d, email, remote, now_ms) == -1 ||
	    db_commit(d) == -1) {
		db_rollback(d);
		return -1;
	}
	return 0;
}

int
session_succeeded(struct db *d, const char *email, const char *remote)
{
	char		 key[2][80];
	long long	 f, next;

	session_keys(email, remote, key[0], key[1]);
	if (db_throttle_clear(d, key[0]) == -1)
		return -1;
	/* The address's count took this attempt as a failure
	 * (session_attempt): give it back. */
	if (remote == NULL || db_throttle_get(d, key[1], &f, &next) == -1)
		return remote == NULL ? 0 : -1;
	if (f <= 0)
		return 0;
	f--;
	return db_throttle_set(d, key[1], f, clock_ms() +
	    session_backoff_ms(f, 3 * HG_THROTTLE_FREE));
}
