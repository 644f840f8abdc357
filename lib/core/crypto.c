/*
 * crypto: OpenSSL behind a small interface.  See crypto.h.
 */
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "crypto.h"
#include "num.h"

/*
 * SHA-256 through an implementation fetched once: OpenSSL 3 looks the
 * algorithm up by name in each one-shot call (SHA256()), and every
 * stored webhook body is hashed.
 */
static EVP_MD		*sha256_md;
static pthread_once_t	 sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* SHA-256 of a then b (b may be NULL); 0 or -1. */
static int
sha256_two(const void *a, size_t alen, const void *b, size_t blen,
    unsigned char out[CRYPTO_SHA256_LEN])
{
	EVP_MD_CTX	*ctx;
	unsigned int	 len = 0;
	int		 ok;

	pthread_once(&sha256_once, sha256_fetch);
	if (sha256_md == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex2(ctx, sha256_md, NULL) == 1 &&
	    EVP_DigestUpdate(ctx, a, alen) == 1 &&
	    (b == NULL || EVP_DigestUpdate(ctx, b, blen) == 1) &&
	    EVP_DigestFinal_ex(ctx, out, &len) == 1 &&
	    len == CRYPTO_SHA256_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

void
crypto_sha256(const void *p, size_t n, unsigned char out[CRYPTO_SHA256_LEN])
{
	if (sha256_two(p, n, NULL, 0, out) == -1)
		SHA256(p, n, out);
}

int
crypto_hmac_sha256(const void *key, size_t keylen, const void *msg,
    size_t msglen, unsigned char out[CRYPTO_SHA256_LEN])
{
	unsigned int len = 0;

	if (keylen > INT_MAX || HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out, &len) ==
	    NULL || len != CRYPTO_SHA256_LEN)
		return -1;
	return 0;
}

int
crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

int
crypto_random(void *p, size_t n)
{
	if (n > (size_t)INT32_MAX)
		return -1;
	return RAND_bytes(p, (int)n) == 1 ? 0 : -1;
}

int
crypto_token(char *out, size_t outsz)
{
	unsigned char	 raw[32];
	int		 rc = -1;

	if (outsz < CRYPTO_TOKEN_CHARS + 1)
		return -1;
	if (crypto_random(raw, sizeof(raw)) == 0 &&
	    crypto_b64url_encode(raw, sizeof(raw), out, outsz) ==
	    CRYPTO_TOKEN_CHARS)
		rc = 0;
	crypto_wipe(raw, sizeof(raw));
	return rc;
}

int
crypto_scrypt(const void *pw, size_t pwlen, const void *salt, size_t saltlen,
    unsigned long long N, unsigned long r, unsigned long p,
    unsigned long long maxmem, unsigned char *out, size_t outlen)
{
	if (N < 2 || (N & (N - 1)) != 0 || r == 0 || p == 0)
		return -1;
	return EVP_PBE_scrypt(pw, pwlen, salt, saltlen, N, r, p, maxmem,
	    out, outlen) == 1 ? 0 : -1;
}

void
crypto_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

void
crypto_hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

void
crypto_sha256_hex(const char *s, char hex[2 * CRYPTO_SHA256_LEN + 1])
{
	unsigned char d[CRYPTO_SHA256_LEN];

	crypto_sha256(s, strlen(s), d);
	crypto_hex(d, sizeof(d), hex);
}

int
crypto_unhex(const char *hex, size_t hexlen, unsigned char *out,
    size_t outlen)
{
	size_t i;

	if (hexlen != 2 * outlen)
		return -1;
	for (i = 0; i < outlen; i++) {
		int hi = num_hexdigit((unsigned char)hex[2 * i], 0);
		int lo = num_hexdigit((unsigned char)hex[2 * i + 1], 0);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

long
crypto_b64url_encode(const void *in, size_t n, char *out, size_t outsz)
{
	const unsigned char	*p = in;
	size_t			 need, i, o = 0;

	if (n > ((size_t)-1) / 2)
		return -1;
	need = (n / 3) * 4 + (n % 3 ? n % 3 + 1 : 0);
	if (outsz < need + 1)
		return -1;
	for (i = 0; i + 2 < n; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16 |
		    (unsigned long)p[i + 1] << 8 | p[i + 2];
		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		out[o++] = b64url[(v >> 6) & 63];
		out[o++] = b64url[v & 63];
	}
	if (n - i == 1) {
		unsigned long v = (unsigned long)p[i] << 16;
		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
	} else if (n - i == 2) {
		unsigned long v = (unsigned long)p[i] << 16 |
		    (unsigned long)p[i + 1] << 8;
		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		out[o++] = b64url[(v >> 6) & 63];
	}
	out[o] = '\0';
	return (long)o;
}

/* Value of a base64url character, or -1. */
static int
b64val(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(b64url, c)) == NULL)
		return -1;
	return (int)(p - b64url);
}

long
crypto_b64url_decode(const char *in, size_t n, unsigned char *out,
    size_t outsz)
{
	unsigned long	 v = 0;
	size_t		 i, o = 0, bits = 0;
	int		 d;

	if (n % 4 == 1)
		return -1;
	if ((n / 4) * 3 + (n % 4 ? n % 4 - 1 : 0) > outsz)
		return -1;
	for (i = 0; i < n; i++) {
		if ((d = b64val(in[i])) < 0)
			return -1;
		v = (v << 6) | (unsigned long)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(v >> bits);
			v &= (1UL << bits) - 1;
		}
	}
	/* Leftover bits must be zero: one encoding per byte string. */
	if (v != 0)
		return -1;
	return (long)o;
}

int
crypto_key_parse(const char *s, unsigned char key[CRYPTO_KEY_LEN])
{
	unsigned char	 tmp[CRYPTO_KEY_LEN + 3];
	long		 n;

	if (s == NULL)
		return -1;
	n = crypto_b64url_decode(s, strlen(s), tmp, sizeof(tmp));
	if (n != CRYPTO_KEY_LEN) {
		crypto_wipe(tmp, sizeof(tmp));
		return -1;
	}
	memcpy(key, tmp, CRYPTO_KEY_LEN);
	crypto_wipe(tmp, sizeof(tmp));
	return 0;
}

int
crypto_seal(const unsigned char key[CRYPTO_KEY_LEN], const void *pt,
    size_t ptlen, const void *aad, size_t aadlen, struct buf *out)
{
	EVP_CIPHER_CTX	*ctx;
	unsigned char	*p;
	int		 len, rc = -1;

	if (ptlen > (size_t)INT32_MAX - 64 || aadlen > (size_t)INT32_MAX)
		return -1;
	if ((p = (unsigned char *)buf_reserve(out, CRYPTO_NONCE_LEN + ptlen +
	    CRYPTO_TAG_LEN)) == NULL)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (crypto_random(p, CRYPTO_NONCE_LEN) == -1)
		goto out;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, p) != 1)
		goto out;
	if (aadlen > 0 && EVP_EncryptUpdate(ctx, NULL, &len, aad,
	    (int)aadlen) != 1)
		goto out;
	if (EVP_EncryptUpdate(ctx, p + CRYPTO_NONCE_LEN, &len, pt,
	    (int)ptlen) != 1 || (size_t)len != ptlen)
		goto out;
	if (EVP_EncryptFinal_ex(ctx, p + CRYPTO_NONCE_LEN + len, &len) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CRYPTO_TAG_LEN,
	    p + CRYPTO_NONCE_LEN + ptlen) != 1)
		goto out;
	buf_commit(out, CRYPTO_NONCE_LEN + ptlen + CRYPTO_TAG_LEN);
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int
crypto_open(const unsigned char key[CRYPTO_KEY_LEN], const void *in,
    size_t inlen, const void *aad, size_t aadlen, struct buf *out)
{
	const unsigned char	*p = in;
	unsigned char		*q;
	unsigned char		 tag[CRYPTO_TAG_LEN];
	EVP_CIPHER_CTX		*ctx;
	size_t			 ctlen;
	int			 len, rc = -1;

	if (inlen < CRYPTO_NONCE_LEN + CRYPTO_TAG_LEN ||
	    inlen > (size_t)INT32_MAX || aadlen > (size_t)INT32_MAX)
		return -1;
	ctlen = inlen - CRYPTO_NONCE_LEN - CRYPTO_TAG_LEN;
	if ((q = (unsigned char *)buf_reserve(out, ctlen)) == NULL)
		return -1;
	memcpy(tag, p + CRYPTO_NONCE_LEN + ctlen, CRYPTO_TAG_LEN);
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, p) != 1)
		goto out;
	if (aadlen > 0 && EVP_DecryptUpdate(ctx, NULL, &len, aad,
	    (int)aadlen) != 1)
		goto out;
	if (EVP_DecryptUpdate(ctx, q, &len, p + CRYPTO_NONCE_LEN,
	    (int)ctlen) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CRYPTO_TAG_LEN,
	    tag) != 1)
		goto out;
	if (EVP_DecryptFinal_ex(ctx, q + len, &len) != 1) {
		crypto_wipe(q, ctlen);
		goto out;
	}
	buf_commit(out, ctlen);
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}
