/*
 * Unit tests for lib/core/whsig: Standard Webhooks signatures against
 * the standard's published example, secrets, rotation (two signatures
 * in one header), and the bad inputs.
 */
#include <string.h>

#include "test.h"
#include "whsig.h"

/* The example of the Standard Webhooks specification. */
#define EX_SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define EX_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define EX_TS		1614265330LL
#define EX_BODY		"{\"test\": 2432232314}"
#define EX_SIG		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

static void
test_vector(void)
{
	char sig[HG_WHSIG_SIG_MAX];

	EQ_INT(whsig_sign(EX_SECRET, EX_ID, EX_TS, EX_BODY, strlen(EX_BODY),
	    sig, sizeof(sig)), 0, "sign the published example");
	EQ_STR(sig, EX_SIG, "the published signature");
	/* The same key without the prefix. */
	EQ_INT(whsig_sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", EX_ID, EX_TS,
	    EX_BODY, strlen(EX_BODY), sig, sizeof(sig)), 0,
	    "sign with the bare key");
	EQ_STR(sig, EX_SIG, "the bare key signs the same");
	EQ_INT(whsig_verify(EX_SECRET, EX_ID, EX_TS, EX_BODY, strlen(EX_BODY),
	    EX_SIG), 1, "verify the published example");
	EQ_INT(whsig_verify(EX_SECRET, EX_ID, EX_TS + 1, EX_BODY,
	    strlen(EX_BODY), EX_SIG), 0, "another timestamp fails");
	EQ_INT(whsig_verify(EX_SECRET, "msg_other", EX_TS, EX_BODY,
	    strlen(EX_BODY), EX_SIG), 0, "another id fails");
	EQ_INT(whsig_verify(EX_SECRET, EX_ID, EX_TS, "{\"test\": 2432232315}",
	    strlen(EX_BODY), EX_SIG), 0, "another body fails");
	EQ_INT(whsig_verify(EX_SECRET, EX_ID, EX_TS, EX_BODY, strlen(EX_BODY),
	    "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), 0,
	    "another version fails");
	EQ_INT(whsig_verify(EX_SECRET, EX_ID, EX_TS, EX_BODY, strlen(EX_BODY),
	    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE"), 0,
	    "a cut signature fails");
	EQ_INT(whsig_verify(EX_SECRET, EX_ID, EX_TS, EX_BODY, strlen(EX_BODY),
	    ""), 0, "an empty header fails");
}

static void
test_rotation(void)
{
	char	 a[HG_WHSIG_SECRET_MAX], b[HG_WHSIG_SECRET_MAX];
	char	 sa[HG_WHSIG_SIG_MAX], sb[HG_WHSIG_SIG_MAX], hdr[128];
	unsigned char key[HG_WHSIG_KEY_MAX];

	EQ_INT(whsig_secret_new(a, sizeof(a)), 0, "a new secret");
	EQ_INT(whsig_secret_new(b, sizeof(b)), 0, "another new secret");
	OK(strncmp(a, "whsec_", 6) == 0, "secrets start with whsec_");
	OK(strcmp(a, b) != 0, "two secrets differ");
	EQ_INT(whsig_secret_key(a, key, sizeof(key)), HG_WHSIG_KEY_BYTES,
	    "a new secret holds 32 bytes");
	EQ_INT(whsig_sign(a, "evt_1", 1700000000, "{}", 2, sa, sizeof(sa)), 0,
	    "sign with the new secret");
	EQ_INT(whsig_sign(b, "evt_1", 1700000000, "{}", 2, sb, sizeof(sb)), 0,
	    "sign with the old secret");
	snprintf(hdr, sizeof(hdr), "%s %s", sa, sb);
	EQ_INT(whsig_verify(a, "evt_1", 1700000000, "{}", 2, hdr), 1,
	    "the new secret verifies a two-signature header");
	EQ_INT(whsig_verify(b, "evt_1", 1700000000, "{}", 2, hdr), 1,
	    "the old secret verifies it too");
	EQ_INT(whsig_verify(b, "evt_1", 1700000000, "{}", 2, sa), 0,
	    "the old secret does not verify the new signature alone");
}

static void
test_bad(void)
{
	unsigned char	key[HG_WHSIG_KEY_MAX];
	char		sig[HG_WHSIG_SIG_MAX];

	EQ_INT(whsig_secret_key("whsec_", key, sizeof(key)), -1,
	    "an empty secret");
	EQ_INT(whsig_secret_key("whsec_c2hvcnQ=", key, sizeof(key)), -1,
	    "a secret of 5 bytes is too short");
	EQ_INT(whsig_secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!", key,
	    sizeof(key)), -1, "a secret with a bad character");
	EQ_INT(whsig_secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", key,
	    sizeof(key)), -1, "a secret of a bad length");
	EQ_INT(whsig_secret_key(NULL, key, sizeof(key)), -1, "no secret");
	EQ_INT(whsig_sign("nope", "evt_1", 1, "{}", 2, sig, sizeof(sig)), -1,
	    "signing with a bad secret fails");
	EQ_INT(whsig_sign(EX_SECRET, "evt_1", 1, "{}", 2, sig, 10), -1,
	    "signing into too small a buffer fails");
	EQ_INT(whsig_verify("nope", "evt_1", 1, "{}", 2, EX_SIG), -1,
	    "verifying with a bad secret is an error");
}

static void
test_b64(void)
{
	unsigned char	out[16];
	char		s[16];

	EQ_INT(whsig_b64_encode("f", 1, s, sizeof(s)), 4, "b64 of 1 byte");
	EQ_STR(s, "Zg==", "b64 of f");
	EQ_INT(whsig_b64_encode("fo", 2, s, sizeof(s)), 4, "b64 of 2 bytes");
	EQ_STR(s, "Zm8=", "b64 of fo");
	EQ_INT(whsig_b64_encode("foo", 3, s, sizeof(s)), 4, "b64 of 3 bytes");
	EQ_STR(s, "Zm9v", "b64 of foo");
	EQ_INT(whsig_b64_decode("Zm8=", 4, out, sizeof(out)), 2,
	    "decode with padding");
	OK(memcmp(out, "fo", 2) == 0, "decoded fo");
	EQ_INT(whsig_b64_decode("Zm8", 3, out, sizeof(out)), -1,
	    "decode refuses a bad length");
	EQ_INT(whsig_b64_decode("Z-8=", 4, out, sizeof(out)), -1,
	    "decode refuses base64url");
	EQ_INT(whsig_b64_decode("Zm9v", 4, out, 2), -1,
	    "decode refuses too little room");
}

static void
test_request(void)
{
	static const char req[] = "POST /hook HTTP/1.1\r\nHost: x\r\n"
	    "Webhook-Id: " EX_ID "\r\nwebhook-timestamp: 1614265330\r\n"
	    "webhook-signature: v1,bm90IGl0 " EX_SIG "\r\n"
	    "Content-Length: 20\r\n\r\n" EX_BODY;
	static const char lf[] = "POST /hook HTTP/1.1\nwebhook-id: " EX_ID
	    "\nwebhook-timestamp: 1614265330\nwebhook-signature: " EX_SIG
	    "\n\n" EX_BODY;
	char	 why[512], bad[sizeof(req)];

	EQ_INT(whsig_check_request(req, strlen(req), EX_SECRET, EX_TS + 10,
	    300, why, sizeof(why)), 1, "a captured request verifies");
	OK(strstr(why, EX_ID) != NULL, "... naming its id");
	EQ_INT(whsig_check_request(lf, strlen(lf), EX_SECRET, EX_TS, 300, why,
	    sizeof(why)), 1, "... with LF line ends too");
	EQ_INT(whsig_check_request(req, strlen(req), EX_SECRET, EX_TS + 301,
	    300, why, sizeof(why)), 0, "an old timestamp is refused");
	OK(strstr(why, "timestamp") != NULL, "... saying so");
	EQ_INT(whsig_check_request(req, strlen(req), EX_SECRET, EX_TS + 9999,
	    0, why, sizeof(why)), 1, "... unless the tolerance is off");
	memcpy(bad, req, sizeof(req));
	bad[sizeof(req) - 3] = '5';
	EQ_INT(whsig_check_request(bad, strlen(bad), EX_SECRET, EX_TS, 300,
	    why, sizeof(why)), 0, "a changed body is refused");
	EQ_INT(whsig_check_request(req, strlen(req),
	    "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", EX_TS, 300, why,
	    sizeof(why)), 0, "another secret is refused");
	EQ_INT(whsig_check_request("POST / HTTP/1.1\r\n\r\n{}", 21,
	    EX_SECRET, EX_TS, 300, why, sizeof(why)), 0,
	    "no webhook headers: refused");
	EQ_INT(whsig_check_request("garbage", 7, EX_SECRET, EX_TS, 300, why,
	    sizeof(why)), 0, "no blank line: refused");
	EQ_INT(whsig_check_request(req, strlen(req), "nope", EX_TS, 300, why,
	    sizeof(why)), -1, "a secret that does not parse");
}

int
main(void)
{
	test_request();
	test_vector();
	test_rotation();
	test_bad();
	test_b64();
	return test_done();
}
