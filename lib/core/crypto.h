/*
 * crypto: the only place that includes OpenSSL.  Hashes, HMAC,
 * constant-time comparison, random tokens, hex and base64url, and
 * AES-256-GCM sealing for tokens stored at rest.
 */
#ifndef HG_CRYPTO_H
#define HG_CRYPTO_H

#include <stddef.h>

#include "buf.h"

#define CRYPTO_SHA256_LEN	32
#define CRYPTO_KEY_LEN		32	/* AES-256 */
#define CRYPTO_NONCE_LEN	12	/* GCM's recommended IV size */
#define CRYPTO_TAG_LEN		16
/* Characters of a token from crypto_token: 32 random bytes, base64url. */
#define CRYPTO_TOKEN_CHARS	43

/* SHA-256 of n bytes. */
void	 crypto_sha256(const void *, size_t, unsigned char out[CRYPTO_SHA256_LEN]);
/* HMAC-SHA256; 0 or -1. */
int	 crypto_hmac_sha256(const void *key, size_t keylen, const void *msg,
	    size_t msglen, unsigned char out[CRYPTO_SHA256_LEN]);
/* 1 when the n bytes at a and b are equal, else 0; time independent of
 * where they differ. */
int	 crypto_equal(const void *a, const void *b, size_t n);
/* Fill with cryptographically strong random bytes; 0 or -1. */
int	 crypto_random(void *, size_t);
/* Write a fresh 32-byte random token, base64url, NUL-terminated, into
 * out, which must hold CRYPTO_TOKEN_CHARS + 1 bytes; 0 or -1. */
int	 crypto_token(char *out, size_t outsz);
/* scrypt (RFC 7914) of the password with salt and cost N (a power of
 * two above 1), r and p, into out (outlen bytes); memory is bounded by
 * maxmem bytes.  0 or -1 (bad parameters, too much memory). */
int	 crypto_scrypt(const void *pw, size_t pwlen, const void *salt,
	    size_t saltlen, unsigned long long N, unsigned long r,
	    unsigned long p, unsigned long long maxmem, unsigned char *out,
	    size_t outlen);
/* Erase memory in a way the compiler cannot optimise away. */
void	 crypto_wipe(void *, size_t);

/* Lowercase hex of n bytes into out (2n + 1 bytes). */
void	 crypto_hex(const unsigned char *, size_t, char *out);
/* The lower-case hex SHA-256 of the string s into hex (how hubgate
 * stores secrets it must recognise but never keep: session ids,
 * tokens, links). */
void	 crypto_sha256_hex(const char *s, char hex[2 * CRYPTO_SHA256_LEN + 1]);
/* Decode exactly 2 * outlen lowercase hex digits; 0 or -1 (odd length,
 * uppercase or other bytes). */
int	 crypto_unhex(const char *hex, size_t hexlen, unsigned char *out,
	    size_t outlen);

/* base64url without padding.  encode writes a NUL-terminated string and
 * returns its length, or -1 when out is too small.  decode accepts no
 * padding and no other characters, returns the decoded length or -1. */
long	 crypto_b64url_encode(const void *, size_t, char *out, size_t outsz);
long	 crypto_b64url_decode(const char *, size_t, unsigned char *out,
	    size_t outsz);

/* Read a 32-byte key given as base64url (as written in the config);
 * 0 or -1. */
int	 crypto_key_parse(const char *, unsigned char key[CRYPTO_KEY_LEN]);

/* AES-256-GCM: append nonce || ciphertext || tag to out.  aad (may be
 * NULL) is authenticated, not stored: bind a token to its row with it.
 * 0 or -1. */
int	 crypto_seal(const unsigned char key[CRYPTO_KEY_LEN], const void *pt,
	    size_t ptlen, const void *aad, size_t aadlen, struct buf *out);
/* Reverse of crypto_seal; appends the plaintext to out.  -1 when the
 * input is short, altered, or sealed under another key or aad. */
int	 crypto_open(const unsigned char key[CRYPTO_KEY_LEN], const void *in,
	    size_t inlen, const void *aad, size_t aadlen, struct buf *out);

#endif
