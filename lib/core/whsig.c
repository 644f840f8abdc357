/*
 * whsig: Standard Webhooks signing and verification.  See whsig.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "crypto.h"
#include "whsig.h"

static const char b64_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

long
whsig_b64_encode(const void *in, size_t n, char *out, size_t outsz)
{
	const unsigned char	*p = in;
	size_t			 i, o = 0, need = 4 * ((n + 2) / 3) + 1;
	unsigned long		 v;

	if (outsz < need)
		return -1;
	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 |
		    p[i + 2];
		out[o++] = b64_alpha[v >> 18 & 63];
		out[o++] = b64_alpha[v >> 12 & 63];
		out[o++] = b64_alpha[v >> 6 & 63];
		out[o++] = b64_alpha[v & 63];
	}
	if (i < n) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)p[i + 1] << 8;
		out[o++] = b64_alpha[v >> 18 & 63];
		out[o++] = b64_alpha[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64_alpha[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return (long)o;
}

/* The value of base64 character c, or -1. */
static int
b64_val(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64_alpha, c)) == NULL)
		return -1;
	return (int)(p - b64_alpha);
}

long
whsig_b64_decode(const char *s, size_t n, unsigned char *out, size_t outsz)
{
	size_t		 i, o = 0, pad = 0;
	unsigned long	 v;
	int		 j, c;

	if (n % 4 != 0)
		return -1;
	if (n > 0 && s[n - 1] == '=')
		pad++;
	if (n > 1 && s[n - 2] == '=')
		pad++;
	if (outsz < n / 4 * 3 - pad)
		return -1;
	for (i = 0; i < n; i += 4) {
		v = 0;
		for (j = 0; j < 4; j++) {
			if (i + 4 == n && j >= 4 - (int)pad)
				c = 0;
			else if ((c = b64_val(s[i + j])) < 0)
				return -1;
			v = v << 6 | (unsigned long)c;
		}
		out[o++] = (unsigned char)(v >> 16);
		if (!(i + 4 == n && pad == 2))
			out[o++] = (unsigned char)(v >> 8);
		if (!(i + 4 == n && pad >= 1))
			out[o++] = (unsigned char)v;
	}
	return (long)o;
}

int
whsig_secret_new(char *out, size_t outsz)
{
	unsigned char	 key[HG_WHSIG_KEY_BYTES];
	int		 rc = -1;

	if (outsz < 7 || crypto_random(key, sizeof(key)) == -1)
		goto out;
	memcpy(out, "whsec_", 6);
	if (whsig_b64_encode(key, sizeof(key), out + 6, outsz - 6) < 0)
		goto out;
	rc = 0;
out:
	crypto_wipe(key, sizeof(key));
	return rc;
}

long
whsig_secret_key(const char *secret, unsigned char *key, size_t keysz)
{
	long n;

	if (secret == NULL)
		return -1;
	if (strncmp(secret, "whsec_", 6) == 0)
		secret += 6;
	n = whsig_b64_decode(secret, strlen(secret), key, keysz);
	if (n < 24) {
		crypto_wipe(key, keysz);
		return -1;
	}
	return n;
}

/* The raw HMAC of (id, ts, body) under secret; 0 or -1. */
static int
whsig_mac(const char *secret, const char *id, long long ts, const void *body,
    size_t len, unsigned char mac[CRYPTO_SHA256_LEN])
{
	unsigned char	 key[HG_WHSIG_KEY_MAX];
	char		 head[128];
	struct buf	 msg;
	long		 kn;
	int		 hn, rc = -1;

	buf_init(&msg, strlen(id) + len + 64);
	if ((kn = whsig_secret_key(secret, key, sizeof(key))) < 0)
		goto out;
	hn = snprintf(head, sizeof(head), ".%lld.", ts);
	if (hn < 0 || (size_t)hn >= sizeof(head))
		goto out;
	buf_puts(&msg, id);
	buf_add(&msg, head, (size_t)hn);
	buf_add(&msg, body, len);
	if (msg.err || msg.data == NULL)
		goto out;
	rc = crypto_hmac_sha256(key, (size_t)kn, msg.data, msg.len, mac);
out:
	crypto_wipe(key, sizeof(key));
	buf_free(&msg);
	return rc;
}

int
whsig_sign(const char *secret, const char *id, long long ts, const void *body,
    size_t len, char *out, size_t outsz)
{
	unsigned char	mac[CRYPTO_SHA256_LEN];

	if (outsz < HG_WHSIG_SIG_MAX ||
	    whsig_mac(secret, id, ts, body, len, mac) == -1)
		return -1;
	memcpy(out, "v1,", 3);
	return whsig_b64_encode(mac, sizeof(mac), out + 3, outsz - 3) < 0 ?
	    -1 : 0;
}

int
whsig_verify(const char *secret, const char *id, long long ts,
    const void *body, size_t len, const char *header)
{
	unsigned char	 mac[CRYPTO_SHA256_LEN], got[CRYPTO_SHA256_LEN + 2];
	const char	*p, *e;
	int		 found = 0;

	if (whsig_mac(secret, id, ts, body, len, mac) == -1)
		return -1;
	for (p = header; p != NULL && *p != '\0'; p = e) {
		while (*p == ' ')
			p++;
		if ((e = strchr(p, ' ')) == NULL)
			e = p + strlen(p);
		if (e - p > 3 && strncmp(p, "v1,", 3) == 0 &&
		    whsig_b64_decode(p + 3, (size_t)(e - p - 3), got,
		    sizeof(got)) == CRYPTO_SHA256_LEN &&
		    crypto_equal(got, mac, CRYPTO_SHA256_LEN))
			found = 1;
	}
	return found;
}

/* The value of header name in the head [p, end) into out ("" when
 * absent). */
static void
head_value(const char *p, const char *end, const char *name, char *out,
    size_t outsz)
{
	size_t	 n = strlen(name), len;
	const char *e;

	out[0] = '\0';
	while (p < end) {
		if ((e = memchr(p, '\n', (size_t)(end - p))) == NULL)
			e = end;
		if ((size_t)(e - p) > n && strncasecmp(p, name, n) == 0 &&
		    p[n] == ':') {
			p += n + 1;
			while (p < e && (*p == ' ' || *p == '\t'))
				p++;
			len = (size_t)(e - p);
			while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' '))
				len--;
			if (len >= outsz)
				len = outsz - 1;
			memcpy(out, p, len);
			out[len] = '\0';
			return;
		}
		p = e + 1;
	}
}

int
whsig_check_request(const char *raw, size_t n, const char *secret,
    long long now_s, long long tolerance_s, char *why, size_t whysz)
{
	char		 id[256], ts[32], sig[2048], cl[32];
	const char	*body, *end = raw + n, *p;
	long long	 t = 0, len;
	size_t		 blen;
	int		 rc;

	/* The end of the head: the first empty line. */
	body = NULL;
	for (p = raw; p < end; p++)
		if (*p == '\n' && p + 1 < end && (p[1] == '\n' ||
		    (p[1] == '\r' && p + 2 < end && p[2] == '\n'))) {
			body = p[1] == '\n' ? p + 2 : p + 3;
			break;
		}
	if (body == NULL) {
		snprintf(why, whysz, "no blank line between the headers and "
		    "the body: not a captured HTTP request");
		return 0;
	}
	head_value(raw, body, "webhook-id", id, sizeof(id));
	head_value(raw, body, "webhook-timestamp", ts, sizeof(ts));
	head_value(raw, body, "webhook-signature", sig, sizeof(sig));
	head_value(raw, body, "content-length", cl, sizeof(cl));
	if (id[0] == '\0' || ts[0] == '\0' || sig[0] == '\0') {
		snprintf(why, whysz, "a webhook-id, webhook-timestamp or "
		    "webhook-signature header is missing");
		return 0;
	}
	for (p = ts; *p >= '0' && *p <= '9' && t < 100000000000LL; p++)
		t = t * 10 + (*p - '0');
	if (*p != '\0' || p == ts) {
		snprintf(why, whysz, "webhook-timestamp is not unix seconds");
		return 0;
	}
	blen = (size_t)(end - body);
	if (cl[0] != '\0') {
		len = 0;
		for (p = cl; *p >= '0' && *p <= '9' && len < (long long)n; p++)
			len = len * 10 + (*p - '0');
		if (*p == '\0' && len <= (long long)blen)
			blen = (size_t)len;
	}
	if ((rc = whsig_verify(secret, id, t, body, blen, sig)) == -1) {
		snprintf(why, whysz, "the secret does not parse (whsec_ and "
		    "base64 of 24 bytes or more)");
		return -1;
	}
	if (rc == 0) {
		snprintf(why, whysz, "no signature matches: another secret, "
		    "or the body was changed (webhook-id %.64s)", id);
		return 0;
	}
	if (tolerance_s > 0 && (t < now_s - tolerance_s ||
	    t > now_s + tolerance_s)) {
		snprintf(why, whysz, "signed, but its timestamp is %lld s "
		    "away from now (more than %lld): a replayed request? "
		    "(webhook-id %.64s)", t > now_s ? t - now_s : now_s - t,
		    tolerance_s, id);
		return 0;
	}
	snprintf(why, whysz, "valid: webhook-id %.64s, signed at %lld", id, t);
	return 1;
}
