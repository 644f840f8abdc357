/*
 * Unit tests for lib/meta/signed_request: Meta's signed callbacks.
 */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "signed_request.h"
#include "test.h"

static const char *const secrets[] = { "first-secret", "second-secret" };

static enum sr_err
verify(const char *sr, struct sr_payload *p)
{
	return signed_request_verify(sr, sr != NULL ? strlen(sr) : 0, secrets,
	    2, p);
}

static void
test_good(void)
{
	struct sr_payload	 p;
	char			 sr[HG_SIGNED_REQUEST_MAX + 1];

	OK(signed_request_make("{\"algorithm\":\"HMAC-SHA256\",\"issued_at\":"
	    "1700000000,\"user_id\":\"123456789\"}", "first-secret", sr,
	    sizeof(sr)) == 0, "make");
	EQ_INT(verify(sr, &p), SR_OK, "good");
	EQ_STR(p.user_id, "123456789", "user_id");
	EQ_INT(p.issued_at, 1700000000, "issued_at");
	EQ_INT(p.secret, 0, "the first secret");
	signed_request_make("{\"algorithm\":\"HMAC-SHA256\",\"user_id\":42}",
	    "second-secret", sr, sizeof(sr));
	EQ_INT(verify(sr, &p), SR_OK, "the second secret, a numeric id");
	EQ_STR(p.user_id, "42", "numeric user_id");
	EQ_INT(p.secret, 1, "the second secret");
	/* Meta's own example shape: padding-free base64url. */
	OK(strchr(sr, '=') == NULL, "no padding");
}

static void
test_bad(void)
{
	struct sr_payload	 p;
	char			 sr[HG_SIGNED_REQUEST_MAX + 1], big[8192];
	char			 payload[6000];

	EQ_INT(verify(NULL, &p), SR_MISSING, "NULL");
	EQ_INT(verify("", &p), SR_MISSING, "empty");
	EQ_INT(verify("nodot", &p), SR_MALFORMED, "no dot");
	EQ_INT(verify(".abc", &p), SR_MALFORMED, "no signature");
	EQ_INT(verify("abc.", &p), SR_MALFORMED, "no payload");
	EQ_INT(verify("a.b.c", &p), SR_MALFORMED, "three segments");
	EQ_INT(verify("abc.e30", &p), SR_MALFORMED, "short signature");
	signed_request_make("{\"algorithm\":\"HMAC-SHA256\",\"user_id\":\"1\"}",
	    "wrong-secret", sr, sizeof(sr));
	EQ_INT(verify(sr, &p), SR_BAD_SIGNATURE, "another secret");
	EQ_STR(p.user_id, "", "nothing filled on refusal");
	signed_request_make("{\"algorithm\":\"HMAC-SHA256\",\"user_id\":\"1\"}",
	    "first-secret", sr, sizeof(sr));
	sr[strlen(sr) - 2] = sr[strlen(sr) - 2] == 'A' ? 'B' : 'A';
	EQ_INT(verify(sr, &p), SR_BAD_SIGNATURE, "payload changed");
	signed_request_make("{\"algorithm\":\"HMAC-SHA1\",\"user_id\":\"1\"}",
	    "first-secret", sr, sizeof(sr));
	EQ_INT(verify(sr, &p), SR_BAD_ALGORITHM, "HMAC-SHA1 refused");
	signed_request_make("{\"user_id\":\"1\"}", "first-secret", sr,
	    sizeof(sr));
	EQ_INT(verify(sr, &p), SR_BAD_ALGORITHM, "no algorithm refused");
	signed_request_make("{\"algorithm\":\"HMAC-SHA256\"}", "first-secret",
	    sr, sizeof(sr));
	EQ_INT(verify(sr, &p), SR_BAD_PAYLOAD, "no user_id");
	signed_request_make("[1,2]", "first-secret", sr, sizeof(sr));
	EQ_INT(verify(sr, &p), SR_BAD_PAYLOAD, "not an object");
	memset(payload, 'a', 3500);
	payload[3500] = '\0';
	EQ_INT(signed_request_make(payload, "first-secret", sr, sizeof(sr)),
	    -1, "make refuses what does not fit");
	memset(big, 'a', HG_SIGNED_REQUEST_MAX + 1);
	big[HG_SIGNED_REQUEST_MAX + 1] = '\0';
	big[50] = '.';
	EQ_INT(verify(big, &p), SR_TOO_LONG, "oversized");
	EQ_INT(signed_request_verify(sr, strlen(sr), secrets, 0, &p),
	    SR_BAD_SIGNATURE, "no secret configured: nothing verifies");
}

/* Freshness: issued within the last hour, and not ahead by more than
 * the allowed clock skew. */
static void
test_fresh(void)
{
	struct sr_payload	 p;
	long long		 now = 1700000000;

	memset(&p, 0, sizeof(p));
	EQ_INT(signed_request_fresh(&p, now), SR_STALE,
	    "no issued_at: refused");
	p.issued_at = now;
	EQ_INT(signed_request_fresh(&p, now), SR_OK, "issued now: fresh");
	p.issued_at = now - HG_SIGNED_REQUEST_AGE_MAX_S;
	EQ_INT(signed_request_fresh(&p, now), SR_OK, "an hour old: fresh");
	p.issued_at = now - HG_SIGNED_REQUEST_AGE_MAX_S - 1;
	EQ_INT(signed_request_fresh(&p, now), SR_STALE, "older: stale");
	p.issued_at = now + HG_SIGNED_REQUEST_SKEW_S;
	EQ_INT(signed_request_fresh(&p, now), SR_OK, "a little ahead: fresh");
	p.issued_at = now + HG_SIGNED_REQUEST_SKEW_S + 1;
	EQ_INT(signed_request_fresh(&p, now), SR_STALE,
	    "further in the future: refused");
	EQ_STR(sr_err_names[SR_STALE], "stale", "its name");
}

int
main(void)
{
	test_good();
	test_bad();
	test_fresh();
	return test_done();
}
