/*
 * forward_rules: what forwarding's worker (forward.c) and its API
 * share: the retry schedule with its jitter, Retry-After, sealing a
 * destination's secret and headers, and the custom headers a
 * destination may have.  See forward.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "buf.h"
#include "conf.h"
#include "crypto.h"
#include "forward.h"
#include "limits.h"
#include "utf8.h"

long long
forward_delay_ms(const long long *sched, int nsched, long long n,
    unsigned long rnd)
{
	long long	 base, span;

	if (n < 1 || n > nsched)
		return -1;
	base = sched[n - 1] * 1000;
	span = base * HG_FWD_JITTER_PCT / 100;
	if (span == 0)
		return base;
	/* Uniform in [base - span, base + span]. */
	return base - span + (long long)(rnd % (unsigned long)(2 * span + 1));
}

long long
forward_retry_after(const char *v, long long now_s)
{
	long long	 n = 0;
	const char	*p;
	time_t		 t;

	if (v == NULL || *v == '\0')
		return -1;
	for (p = v; *p >= '0' && *p <= '9'; p++)
		if ((n = n * 10 + (*p - '0')) > HG_FWD_RETRY_AFTER_MAX_S)
			n = HG_FWD_RETRY_AFTER_MAX_S;
	if (p != v && *p == '\0')
		return n;
	if ((t = curl_getdate(v, NULL)) == -1)
		return -1;
	n = (long long)t - now_s;
	if (n < 0)
		n = 0;
	return n > HG_FWD_RETRY_AFTER_MAX_S ? HG_FWD_RETRY_AFTER_MAX_S : n;
}

/* The additional data a sealed secret is bound to. */
static void
seal_aad(long long workspace, char *aad, size_t sz)
{
	snprintf(aad, sz, "fwd_destination:%lld", workspace);
}

int
forward_seal(const struct conf *c, long long workspace, const char *pt,
    struct buf *out)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	char		 aad[64];
	int		 rc;

	if (c == NULL || crypto_key_parse(conf_get(c, "token_key"), key) == -1)
		return -1;
	seal_aad(workspace, aad, sizeof(aad));
	rc = crypto_seal(key, pt, strlen(pt), aad, strlen(aad), out);
	crypto_wipe(key, sizeof(key));
	return rc;
}

int
forward_unseal(const struct conf *c, long long workspace, const void *in,
    size_t len, struct buf *out)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	char		 aad[64];
	int		 rc;

	if (c == NULL || crypto_key_parse(conf_get(c, "token_key"), key) == -1)
		return -1;
	seal_aad(workspace, aad, sizeof(aad));
	rc = crypto_open(key, in, len, aad, strlen(aad), out);
	crypto_wipe(key, sizeof(key));
	if (rc == 0 && buf_cstr(out) == NULL)
		rc = -1;
	return rc;
}

/* A header's name is a token: RFC 9110's tchar. */
static int
tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

int
forward_header_check(const char *name, const char *value, const char **why)
{
	/* What hubgate sets on every delivery. */
	static const char *const ours[] = { "content-type", "content-length",
	    "host", "user-agent" };
	/* What belongs to the connection (curl and HTTP decide). */
	static const char *const conn[] = { "connection", "keep-alive",
	    "transfer-encoding", "te", "trailer", "upgrade", "expect",
	    "http2-settings" };
	const unsigned char *p;
	size_t		 i, n;

	if ((n = strlen(name)) == 0 || n > HG_FWD_HEADER_NAME_MAX) {
		*why = "a header's name is 1 to " HG_STR(HG_FWD_HEADER_NAME_MAX)
		    " characters";
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!tchar((unsigned char)name[i])) {
			*why = "a header's name is letters, digits and "
			    "!#$%&'*+-.^_`|~ only (no blank, colon, CR, LF "
			    "or NUL)";
			return -1;
		}
	if (strncasecmp(name, "webhook-", 8) == 0) {
		*why = "hubgate sets the webhook-* headers itself (the "
		    "Standard Webhooks id, timestamp and signature)";
		return -1;
	}
	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (strcasecmp(name, ours[i]) == 0) {
			*why = "hubgate sets Content-Type, Content-Length, Host "
			    "and User-Agent itself";
			return -1;
		}
	for (i = 0; i < sizeof(conn) / sizeof(conn[0]); i++)
		if (strcasecmp(name, conn[i]) == 0) {
			*why = "Connection, Keep-Alive, Transfer-Encoding, TE, "
			    "Trailer, Upgrade, Expect and HTTP2-Settings belong "
			    "to the connection, which hubgate manages";
			return -1;
		}
	if (strncasecmp(name, "proxy-", 6) == 0) {
		*why = "the Proxy-* headers are for proxies, and deliveries "
		    "never go through one";
		return -1;
	}
	if (value == NULL)
		return 0;
	if ((n = strlen(value)) > HG_FWD_HEADER_VALUE_MAX) {
		*why = "a header's value is at most "
		    HG_STR(HG_FWD_HEADER_VALUE_MAX) " bytes";
		return -1;
	}
	for (p = (const unsigned char *)value; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
			*why = "a header's value holds no control character "
			    "(CR, LF, NUL ...)";
			return -1;
		}
	if (!utf8_valid(value, n)) {
		*why = "a header's value is UTF-8 text";
		return -1;
	}
	if (n > 0 && (value[0] == ' ' || value[0] == '\t' ||
	    value[n - 1] == ' ' || value[n - 1] == '\t')) {
		*why = "a header's value neither starts nor ends with a blank";
		return -1;
	}
	return 0;
}
