/*
 * Unit tests for lib/web/session: the cookie (name, flags, only a hash
 * stored), lookup and expiry, a new id at every sign-in, sign-out, the
 * CSRF and origin checks, Bearer tokens and their scopes, the role
 * checks, the throttle and masking.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_user.h"
#include "http.h"
#include "mask.h"
#include "session.h"
#include "test.h"

static char		 dir[512];
static char		 err[1024];
static struct req	 r;

static struct conf *
conf_with(const char *base, long long idle)
{
	char		 text[1024];
	struct conf	*c;

	snprintf(text, sizeof(text), "db_path = %s/s.db\nbase_url = %s\n"
	    "session_idle_s = %lld\n", dir, base, idle);
	if ((c = conf_load_string(text, "t.conf", err, sizeof(err))) == NULL) {
		printf("#   conf: %s\n", err);
		exit(1);
	}
	return c;
}

/* A fresh request: method, cookie header (may be NULL), and headers
 * through the CGI environment. */
static void
req_new(enum http_method m, const char *cookie)
{
	buf_free(&r.rhead);
	buf_free(&r.rbody);
	params_free(&r.cookies);
	memset(&r, 0, sizeof(r));
	r.method = m;
	r.path = "/api/session";
	r.remote = "192.0.2.7";
	buf_init(&r.rhead, HG_HEADER_MAX * 4);
	buf_init(&r.rbody, HG_RESPONSE_MAX);
	if (cookie != NULL)
		params_parse(&r.cookies, cookie, strlen(cookie), ';');
	unsetenv("HTTP_ORIGIN");
	unsetenv("HTTP_SEC_FETCH_SITE");
	unsetenv("HTTP_X_CSRF_TOKEN");
	unsetenv("HTTP_AUTHORIZATION");
	setenv("HTTP_HOST", "dash.example.org", 1);
	setenv("HTTP_USER_AGENT", "test\001agent", 1);
}

/* The cookie "name=value" of the last Set-Cookie into out. */
static void
set_cookie(char *out, size_t outsz)
{
	const char *p = strstr(buf_cstr(&r.rhead), "Set-Cookie: "), *e;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += 12;
	e = strchr(p, ';');
	snprintf(out, outsz, "%.*s", e != NULL ? (int)(e - p) : 0, p);
}

static void
test_cookie(struct db *d, struct conf *c, long long user)
{
	struct db_session	 s;
	char			 csrf[64], ck[128], ck2[128], hex[65];
	unsigned char		 h[CRYPTO_SHA256_LEN];
	const char		*hdr;

	req_new(HTTP_POST, NULL);
	EQ_INT(session_start(&r, d, c, user, 1, csrf), 0, "sign in");
	hdr = buf_cstr(&r.rhead);
	OK(strstr(hdr, "Set-Cookie: hg_session=") != NULL, "cookie name");
	OK(strstr(hdr, "; Path=/") && strstr(hdr, "; HttpOnly") &&
	    strstr(hdr, "; SameSite=Lax"), "HttpOnly, SameSite=Lax, Path=/");
	OK(strstr(hdr, "Secure") == NULL, "not Secure under http");
	set_cookie(ck, sizeof(ck));
	EQ_INT(strlen(ck), strlen("hg_session=") + CRYPTO_TOKEN_CHARS,
	    "32 bytes of base64url");
	EQ_INT(strlen(csrf), CRYPTO_TOKEN_CHARS, "CSRF token");

	/* Only the hash is stored: the raw value is not a session id. */
	EQ_INT(db_session_find(d, ck + 11, 0, 0, &s), 0, "raw value unknown");
	crypto_sha256(ck + 11, strlen(ck + 11), h);
	crypto_hex(h, sizeof(h), hex);
	EQ_INT(db_session_find(d, hex, 0, 0, &s), 1, "its hash is the id");
	EQ_STR(s.user_agent, "test?agent", "control bytes of the agent cut");

	req_new(HTTP_GET, ck);
	EQ_INT(session_current(&r, d, c, &s), 1, "the cookie signs in");
	EQ_STR(s.csrf_token, csrf, "same CSRF token");
	req_new(HTTP_GET, "hg_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	EQ_INT(session_current(&r, d, c, &s), 0, "a forged cookie does not");
	req_new(HTTP_GET, "hg_session=short");
	EQ_INT(session_current(&r, d, c, &s), 0, "a short one neither");

	/* Fixation: signing in with a cookie in hand ends that session
	 * and makes a new one. */
	req_new(HTTP_POST, ck);
	EQ_INT(session_start(&r, d, c, user, 1, csrf), 0, "sign in again");
	set_cookie(ck2, sizeof(ck2));
	OK(strcmp(ck, ck2) != 0, "a new session id at sign-in");
	req_new(HTTP_GET, ck);
	EQ_INT(session_current(&r, d, c, &s), 0, "the old one is over");
	req_new(HTTP_GET, ck2);
	EQ_INT(session_current(&r, d, c, &s), 1, "the new one works");

	req_new(HTTP_DELETE, ck2);
	EQ_INT(session_end(&r, d, c), 0, "sign out");
	req_new(HTTP_GET, ck2);
	EQ_INT(session_current(&r, d, c, &s), 0, "signed out");
}

static void
test_https_cookie(struct db *d, long long user)
{
	struct conf		*c = conf_with("https://dash.example.org", 3600);
	struct db_session	 s;
	char			 csrf[64], ck[128];

	req_new(HTTP_POST, NULL);
	EQ_STR(session_cookie_name(c), "__Host-hg_session", "__Host- prefix");
	EQ_INT(session_start(&r, d, c, user, 1, csrf), 0, "sign in");
	OK(strstr(buf_cstr(&r.rhead), "Set-Cookie: __Host-hg_session=") &&
	    strstr(buf_cstr(&r.rhead), "; Secure"), "Secure, __Host-");
	OK(strstr(buf_cstr(&r.rhead), "Domain=") == NULL, "no Domain");
	set_cookie(ck, sizeof(ck));
	req_new(HTTP_GET, ck);
	EQ_INT(session_current(&r, d, c, &s), 1, "found by its name");
	req_new(HTTP_GET, ck + 7);
	EQ_INT(session_current(&r, d, c, &s), 0,
	    "the plain name is not read under https");
	conf_free(c);
}

static void
test_expiry(struct db *d, long long user)
{
	struct conf		*c = conf_with("http://127.0.0.1:8080", 60);
	struct db_session	 s;
	char			 csrf[64], ck[128], hex[65];
	unsigned char		 h[CRYPTO_SHA256_LEN];

	req_new(HTTP_POST, NULL);
	session_start(&r, d, c, user, 1, csrf);
	set_cookie(ck, sizeof(ck));
	crypto_sha256(ck + 11, strlen(ck + 11), h);
	crypto_hex(h, sizeof(h), hex);
	req_new(HTTP_GET, ck);
	EQ_INT(session_current(&r, d, c, &s), 1, "fresh");
	/* Age it: last seen 61 s ago, idle limit 60 s. */
	db_session_end(d, hex);
	s.created_at = (long long)time(NULL) - 61;
	memcpy(s.id, hex, sizeof(hex));
	db_session_add(d, &s);
	req_new(HTTP_GET, ck);
	EQ_INT(session_current(&r, d, c, &s), 0, "idle expiry");
	conf_free(c);
	c = conf_with("http://127.0.0.1:8080", 3600);
	req_new(HTTP_GET, ck);
	EQ_INT(session_current(&r, d, c, &s), 1, "a longer idle limit");
	db_session_end(d, hex);
	s.created_at = (long long)time(NULL) - 30L * 86400 - 1;
	db_session_add(d, &s);
	db_session_touch(d, hex, (long long)time(NULL));
	req_new(HTTP_GET, ck);
	EQ_INT(session_current(&r, d, c, &s), 0,
	    "absolute expiry after 30 days despite activity");
	conf_free(c);
}

static void
test_csrf(struct db *d, struct conf *c, long long user)
{
	struct db_session	 s;
	struct route_who	 who;
	char			 csrf[64], ck[128];

	req_new(HTTP_POST, NULL);
	session_start(&r, d, c, user, 1, csrf);
	set_cookie(ck, sizeof(ck));
	req_new(HTTP_GET, ck);
	session_current(&r, d, c, &s);
	EQ_INT(session_csrf_ok(&r, c, &s), 1, "GET needs no token");

	req_new(HTTP_POST, ck);
	setenv("HTTP_ORIGIN", "http://dash.example.org", 1);
	EQ_INT(session_csrf_ok(&r, c, &s), 0, "POST without the token");
	setenv("HTTP_X_CSRF_TOKEN", "wrong", 1);
	EQ_INT(session_csrf_ok(&r, c, &s), 0, "with a wrong token");
	setenv("HTTP_X_CSRF_TOKEN", csrf, 1);
	EQ_INT(session_csrf_ok(&r, c, &s), 1, "token and the Host's origin");
	setenv("HTTP_ORIGIN", "http://evil.example", 1);
	EQ_INT(session_csrf_ok(&r, c, &s), 0, "a foreign Origin");
	setenv("HTTP_ORIGIN", "http://dash.example.org.evil.example", 1);
	EQ_INT(session_csrf_ok(&r, c, &s), 0, "a longer foreign Origin");
	setenv("HTTP_ORIGIN", "http://127.0.0.1:8080", 1);
	EQ_INT(session_csrf_ok(&r, c, &s), 1, "base_url's origin");
	unsetenv("HTTP_ORIGIN");
	EQ_INT(session_csrf_ok(&r, c, &s), 0, "no Origin, no Sec-Fetch-Site");
	setenv("HTTP_SEC_FETCH_SITE", "same-origin", 1);
	EQ_INT(session_csrf_ok(&r, c, &s), 1, "Sec-Fetch-Site: same-origin");
	setenv("HTTP_SEC_FETCH_SITE", "cross-site", 1);
	EQ_INT(session_csrf_ok(&r, c, &s), 0, "Sec-Fetch-Site: cross-site");

	/* Through the authenticator: the gate's 403. */
	req_new(HTTP_DELETE, ck);
	setenv("HTTP_ORIGIN", "http://evil.example", 1);
	setenv("HTTP_X_CSRF_TOKEN", csrf, 1);
	EQ_INT(session_who(&r, d, c, ROUTE_SESSION, &who), 1, "known caller");
	OK(who.forbid != NULL, "refused: foreign origin");
	req_new(HTTP_DELETE, ck);
	setenv("HTTP_ORIGIN", "http://dash.example.org", 1);
	setenv("HTTP_X_CSRF_TOKEN", csrf, 1);
	EQ_INT(session_who(&r, d, c, ROUTE_SESSION, &who), 1, "known caller");
	OK(who.forbid == NULL, "allowed");
	EQ_INT(who.via, ROUTE_SESSION, "by session");
	EQ_INT(who.role, ROLE_ADMIN, "with the membership's role");
}

static void
test_tokens(struct db *d, struct conf *c, long long user)
{
	struct db_token		 t;
	struct route_who	 who;
	char			 tok[CRYPTO_TOKEN_CHARS + 1], auth[80];
	unsigned char		 h[CRYPTO_SHA256_LEN];

	crypto_token(tok, sizeof(tok));
	memset(&t, 0, sizeof(t));
	crypto_sha256(tok, strlen(tok), h);
	crypto_hex(h, sizeof(h), t.hash);
	t.user_id = user;
	t.workspace_id = 1;
	snprintf(t.name, sizeof(t.name), "ci");
	snprintf(t.scope, sizeof(t.scope), "read");
	t.created_at = (long long)time(NULL);
	db_token_add(d, &t);
	snprintf(auth, sizeof(auth), "Bearer %s", tok);

	req_new(HTTP_POST, NULL);
	setenv("HTTP_AUTHORIZATION", auth, 1);
	EQ_INT(session_who(&r, d, c, ROUTE_TOKEN, &who), 1, "token accepted");
	EQ_INT(who.via, ROUTE_TOKEN, "by token");
	EQ_INT(who.role, ROLE_AGENT, "read scope acts as an agent");
	EQ_INT(who.read_only, 1, "read-only");
	OK(who.forbid == NULL, "no CSRF check for a token");
	EQ_INT(session_who(&r, d, c, ROUTE_SESSION, &who), 0,
	    "a token is no session");
	setenv("HTTP_AUTHORIZATION", "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 1);
	EQ_INT(session_who(&r, d, c, ROUTE_TOKEN, &who), 0, "forged token");
	db_token_revoke(d, user, t.id, (long long)time(NULL));
	setenv("HTTP_AUTHORIZATION", auth, 1);
	EQ_INT(session_who(&r, d, c, ROUTE_TOKEN, &who), 0, "revoked token");

	crypto_token(tok, sizeof(tok));
	crypto_sha256(tok, strlen(tok), h);
	crypto_hex(h, sizeof(h), t.hash);
	snprintf(t.scope, sizeof(t.scope), "role");
	db_token_add(d, &t);
	snprintf(auth, sizeof(auth), "Bearer %s", tok);
	setenv("HTTP_AUTHORIZATION", auth, 1);
	EQ_INT(session_who(&r, d, c, ROUTE_TOKEN, &who), 1, "role token");
	EQ_INT(who.role, ROLE_ADMIN, "the user's role");
	EQ_INT(who.read_only, 0, "not read-only");
	unsetenv("HTTP_AUTHORIZATION");

	EQ_INT(session_role("owner"), ROLE_OWNER, "owner");
	EQ_INT(session_role("agent"), ROLE_AGENT, "agent");
	EQ_INT(session_role("none"), ROLE_NONE, "none is no role");
	EQ_INT(session_role("root"), ROLE_NONE, "unknown");
	OK(ROLE_OWNER > ROLE_ADMIN && ROLE_ADMIN > ROLE_AGENT, "role order");
}

static void
test_throttle(struct db *d)
{
	long long	 now = 1000000, wait = 0;
	int		 i;

	EQ_INT(session_backoff_ms(3, 3), 0, "free failures");
	EQ_INT(session_backoff_ms(4, 3), HG_THROTTLE_BASE_MS, "then the base");
	EQ_INT(session_backoff_ms(6, 3), 4 * HG_THROTTLE_BASE_MS, "doubling");
	EQ_INT(session_backoff_ms(100, 3), HG_THROTTLE_MAX_MS, "capped");
	for (i = 0; i < HG_THROTTLE_FREE; i++) {
		EQ_INT(session_throttled(d, "Ana@x.org", "192.0.2.1", now,
		    &wait), 0, "not throttled yet");
		session_failed(d, "ana@x.org", "192.0.2.1", now);
	}
	EQ_INT(session_throttled(d, "ana@x.org", "192.0.2.1", now, &wait), 0,
	    "free failures cost nothing");
	session_failed(d, "ana@x.org", "192.0.2.1", now);
	EQ_INT(session_throttled(d, "ANA@X.ORG", "198.51.100.1", now, &wait),
	    1, "the account is throttled from any address");
	EQ_INT(wait, 1, "Retry-After 1 s");
	EQ_INT(session_throttled(d, "ana@x.org", "192.0.2.1", now + 1000,
	    &wait), 0, "over after the wait");
	session_failed(d, "ana@x.org", "192.0.2.1", now + 1000);
	session_throttled(d, "ana@x.org", "192.0.2.1", now + 1000, &wait);
	EQ_INT(wait, 2, "the wait doubles");
	EQ_INT(session_succeeded(d, "ana@x.org", NULL), 0, "success");
	EQ_INT(session_throttled(d, "ana@x.org", "198.51.100.1", now + 1000,
	    &wait), 0, "the account's count cleared");
	for (i = 0; i < 3 * HG_THROTTLE_FREE + 1; i++)
		session_failed(d, i % 2 ? "u1@x.org" : "u2@x.org",
		    "203.0.113.9", now);
	EQ_INT(session_throttled(d, "someone@x.org", "203.0.113.9", now,
	    &wait), 1, "the address is throttled for any account");
}

static void
test_mask(void)
{
	char out[64];

	mask_email("ana@example.org", out, sizeof(out));
	EQ_STR(out, "a***@example.org", "e-mail: first letter and domain");
	mask_email("nobody", out, sizeof(out));
	EQ_STR(out, "***", "no @");
	mask_email("@example.org", out, sizeof(out));
	EQ_STR(out, "***@example.org", "empty local part");
	mask_phone("+351 912 345 678", out, sizeof(out));
	EQ_STR(out, "***5678", "phone: last 4 digits");
	mask_phone("12", out, sizeof(out));
	EQ_STR(out, "***", "short phone");
}

int
main(void)
{
	struct conf	*c;
	struct db	*d;
	long long	 ana;

	snprintf(dir, sizeof(dir), "%s/hg-session-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	c = conf_with("http://127.0.0.1:8080", 3600);
	if ((d = db_open(c, 0, err, sizeof(err))) == NULL) {
		printf("# %s\n", err);
		return 1;
	}
	db_user_add(d, "ana@example.org", "Ana", NULL, 0, 1, &ana);
	db_member_set(d, 1, ana, "admin", 1);
	test_cookie(d, c, ana);
	test_https_cookie(d, ana);
	test_expiry(d, ana);
	test_csrf(d, c, ana);
	test_tokens(d, c, ana);
	test_throttle(d);
	test_mask();
	buf_free(&r.rhead);
	buf_free(&r.rbody);
	params_free(&r.cookies);
	db_close(d);
	conf_free(c);
	test_rm_db(dir, "s.db");
	return test_done();
}
