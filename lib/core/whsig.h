/*
 * whsig: Standard Webhooks signatures, for hubgate's deliveries to a
 * business's own endpoints.  A secret is "whsec_" + base64 of
 * HG_WHSIG_KEY_BYTES random bytes (one per destination); a signature
 * is "v1," + base64 of HMAC-SHA256(key, "id.timestamp.body"), and the
 * webhook-signature header holds one or more of them separated by
 * spaces (two while a rotated-out secret is still honoured).
 */
#ifndef HG_WHSIG_H
#define HG_WHSIG_H

#include <stddef.h>

/* Random bytes of a generated secret (the standard asks 24 to 64). */
#define HG_WHSIG_KEY_BYTES	32
/* Largest key accepted from a secret. */
#define HG_WHSIG_KEY_MAX	64
/* A secret's text: "whsec_" + base64 of HG_WHSIG_KEY_MAX bytes + NUL. */
#define HG_WHSIG_SECRET_MAX	(6 + 4 * ((HG_WHSIG_KEY_MAX + 2) / 3) + 1)
/* One "v1,<base64 of 32 bytes>" + NUL. */
#define HG_WHSIG_SIG_MAX	(3 + 44 + 1)

/* Standard base64 (with padding) of n bytes into out; the length, or
 * -1 when out is too small. */
long	 whsig_b64_encode(const void *, size_t n, char *out, size_t outsz);
/* Decode standard base64 (padding required when the length needs it);
 * the decoded length, or -1 on a bad character, length or room. */
long	 whsig_b64_decode(const char *, size_t n, unsigned char *out,
	    size_t outsz);
/* A fresh secret ("whsec_...") into out (HG_WHSIG_SECRET_MAX); 0 or -1. */
int	 whsig_secret_new(char *out, size_t outsz);
/* The key of a secret ("whsec_" optional) into key: its length (at
 * least 24 bytes), or -1 when the secret does not parse. */
long	 whsig_secret_key(const char *secret, unsigned char *key,
	    size_t keysz);
/* The signature "v1,..." of (id, ts, body) under secret into out
 * (HG_WHSIG_SIG_MAX); 0 or -1 (a secret that does not parse). */
int	 whsig_sign(const char *secret, const char *id, long long ts,
	    const void *body, size_t len, char *out, size_t outsz);
/* 1 when the header (space-separated "v1,..." items) holds a valid
 * signature of (id, ts, body) under secret, 0 when not, -1 when the
 * secret does not parse.  The timestamp's age is the caller's check. */
int	 whsig_verify(const char *secret, const char *id, long long ts,
	    const void *body, size_t len, const char *header);

/*
 * Check a captured HTTP request (request line, headers, a blank line,
 * the body; CRLF or LF line ends) as a receiver should: its
 * webhook-id, webhook-timestamp and webhook-signature headers, a
 * signature under secret, and (tolerance_s > 0) a timestamp within
 * tolerance_s of now_s.  1 valid, 0 invalid, -1 the secret does not
 * parse; why says which, in words (and the id).
 */
int	 whsig_check_request(const char *raw, size_t n, const char *secret,
	    long long now_s, long long tolerance_s, char *why, size_t whysz);

#endif
