/*
 * Unit tests for lib/webhook's pure part: the X-Hub-Signature-256
 * check, on good, malformed and wrong headers, exact bytes, and
 * rotated secrets.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "test.h"
#include "webhook.h"

static char err[512];

/* "sha256=" + hex HMAC of body under secret, into out (72 bytes). */
static const char *
sign(const char *secret, const void *body, size_t len, char *out)
{
	unsigned char d[CRYPTO_SHA256_LEN];

	crypto_hmac_sha256(secret, strlen(secret), body, len, d);
	memcpy(out, "sha256=", 7);
	crypto_hex(d, sizeof(d), out + 7);
	return out;
}

static struct conf *
conf_with(const char *text)
{
	struct conf *c = conf_load_string(text, "t.conf", err, sizeof(err));

	if (c == NULL)
		printf("#   conf: %s\n", err);
	return c;
}

static void
test_signature(void)
{
	const char	*body = "{\"object\":\"page\",\"entry\":[]}";
	size_t		 len = strlen(body);
	struct conf	*c, *rot, *none, *blank;
	char		 sig[80], bad[160];
	size_t		 i;

	c = conf_with("app_secret = s3cret-0123456789\n");
	rot = conf_with("app_secret = old-secret-0123456789, new-secret-0123456789\n");
	none = conf_with("");
	blank = conf_with("app_secret = , ,\n");
	if (c == NULL || rot == NULL || none == NULL || blank == NULL) {
		OK(0, "configurations load");
		return;
	}

	sign("s3cret-0123456789", body, len, sig);
	EQ_INT(webhook_check_signature(c, sig, body, len), WEBHOOK_SIG_OK,
	    "good signature");
	EQ_INT(webhook_check_signature(c, NULL, body, len), WEBHOOK_SIG_MISSING,
	    "missing header");

	/* Malformed headers. */
	EQ_INT(webhook_check_signature(c, "", body, len), WEBHOOK_SIG_MALFORMED,
	    "empty header");
	EQ_INT(webhook_check_signature(c, "sha256=", body, len),
	    WEBHOOK_SIG_MALFORMED, "prefix only");
	snprintf(bad, sizeof(bad), "%s", sig);
	for (i = 7; bad[i] != '\0'; i++)
		if (bad[i] >= 'a' && bad[i] <= 'f')
			bad[i] = (char)(bad[i] - 'a' + 'A');
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MALFORMED,
	    "uppercase hex");
	snprintf(bad, sizeof(bad), "%.70s", sig);
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MALFORMED,
	    "odd length (63 digits)");
	snprintf(bad, sizeof(bad), "%.69s", sig);
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MALFORMED,
	    "62 digits");
	snprintf(bad, sizeof(bad), "%s0", sig);
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MALFORMED,
	    "65 digits");
	snprintf(bad, sizeof(bad), "%s00", sig);
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MALFORMED,
	    "66 digits");
	snprintf(bad, sizeof(bad), "%s ", sig);
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MALFORMED,
	    "trailing space");
	snprintf(bad, sizeof(bad), " %s", sig);
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MALFORMED,
	    "leading space");
	snprintf(bad, sizeof(bad), "sha1=%s", sig + 7);
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MALFORMED,
	    "wrong prefix sha1=");
	snprintf(bad, sizeof(bad), "SHA256=%s", sig + 7);
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MALFORMED,
	    "upper-case prefix");
	snprintf(bad, sizeof(bad), "sha256:%s", sig + 7);
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MALFORMED,
	    "':' instead of '='");
	EQ_INT(webhook_check_signature(c, sig + 7, body, len),
	    WEBHOOK_SIG_MALFORMED, "hex without prefix");
	snprintf(bad, sizeof(bad), "sha256=%.63sg", sig + 7);
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MALFORMED,
	    "non-hex digit");
	snprintf(bad, sizeof(bad), "sha256=%s,sha256=%s", sig + 7, sig + 7);
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MALFORMED,
	    "two signatures");

	/* Well formed but wrong. */
	snprintf(bad, sizeof(bad), "%s", sig);
	bad[7] = bad[7] == '0' ? '1' : '0';
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MISMATCH,
	    "first digit changed");
	snprintf(bad, sizeof(bad), "%s", sig);
	bad[70] = bad[70] == '0' ? '1' : '0';
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MISMATCH,
	    "last digit changed");
	EQ_INT(webhook_check_signature(c, sig, body, len - 1), WEBHOOK_SIG_MISMATCH,
	    "body one byte shorter");
	EQ_INT(webhook_check_signature(c, sig, "{\"object\":\"page\",\"entry\":[]} ",
	    len + 1), WEBHOOK_SIG_MISMATCH, "body one byte longer");
	sign("s3cret-0123456789 ", body, len, bad);
	EQ_INT(webhook_check_signature(c, bad, body, len), WEBHOOK_SIG_MISMATCH,
	    "another secret");
	EQ_INT(webhook_check_signature(c, "sha256=000000000000000000000000000000"
	    "0000000000000000000000000000000000", body, len), WEBHOOK_SIG_MISMATCH,
	    "all zeros");

	/* The exact bytes, NULs included. */
	sign("s3cret-0123456789", "a\0b", 3, sig);
	EQ_INT(webhook_check_signature(c, sig, "a\0b", 3), WEBHOOK_SIG_OK,
	    "body with a NUL");
	EQ_INT(webhook_check_signature(c, sig, "a\0c", 3), WEBHOOK_SIG_MISMATCH,
	    "byte after the NUL counts");
	sign("s3cret-0123456789", "", 0, sig);
	EQ_INT(webhook_check_signature(c, sig, "", 0), WEBHOOK_SIG_OK, "empty body");

	/* Rotation: either secret of the list. */
	sign("old-secret-0123456789", body, len, sig);
	EQ_INT(webhook_check_signature(rot, sig, body, len), WEBHOOK_SIG_OK,
	    "rotation: first secret");
	sign("new-secret-0123456789", body, len, sig);
	EQ_INT(webhook_check_signature(rot, sig, body, len), WEBHOOK_SIG_OK,
	    "rotation: second secret (trimmed)");
	sign(" new-secret-0123456789", body, len, sig);
	EQ_INT(webhook_check_signature(rot, sig, body, len), WEBHOOK_SIG_MISMATCH,
	    "rotation: untrimmed secret is not a secret");
	sign("old-secret-0123456789, new-secret-0123456789", body, len, sig);
	EQ_INT(webhook_check_signature(rot, sig, body, len), WEBHOOK_SIG_MISMATCH,
	    "rotation: the whole list is not a secret");
	sign("s3cret-0123456789", body, len, sig);
	EQ_INT(webhook_check_signature(rot, sig, body, len), WEBHOOK_SIG_MISMATCH,
	    "rotation: third secret");

	/* No secret. */
	EQ_INT(webhook_check_signature(none, sig, body, len), WEBHOOK_SIG_NOSECRET,
	    "no app_secret");
	EQ_INT(webhook_check_signature(blank, sig, body, len), WEBHOOK_SIG_NOSECRET,
	    "only separators");

	conf_free(c);
	conf_free(rot);
	conf_free(none);
	conf_free(blank);
}

int
main(void)
{
	test_signature();
	return test_done();
}
