/*
 * Unit tests for lib/crypto: known-answer tests for SHA-256 and HMAC
 * (RFC 4231), hex and base64url strictness, tokens, and AES-256-GCM
 * sealing with tamper detection.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "test.h"

/* Hex of a digest, for comparing against published vectors. */
static const char *
hexof(const unsigned char *p, size_t n)
{
	static char out[2 * 256 + 1];

	crypto_hex(p, n, out);
	return out;
}

static void
test_sha256(void)
{
	unsigned char	 d[CRYPTO_SHA256_LEN];
	unsigned char	*m;

	crypto_sha256("abc", 3, d);
	EQ_STR(hexof(d, sizeof(d)),
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "SHA-256(\"abc\")");
	crypto_sha256("", 0, d);
	EQ_STR(hexof(d, sizeof(d)),
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "SHA-256(\"\")");
	crypto_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, d);
	EQ_STR(hexof(d, sizeof(d)),
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	    "SHA-256 of the two-block FIPS vector");
	m = malloc(1000000);
	memset(m, 'a', 1000000);
	crypto_sha256(m, 1000000, d);
	EQ_STR(hexof(d, sizeof(d)),
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "SHA-256 of a million 'a'");
	free(m);
	crypto_sha256("a\0b", 3, d);
	OK(strcmp(hexof(d, sizeof(d)), "ca978112ca1bbdcafac231b39a23dc4da786eff8"
	    "147c4e72b9807785afee48bb") != 0, "embedded NUL is hashed, not a stop");
}

struct hmac_vec {
	const char	*name;
	unsigned char	 key[131];
	size_t		 keylen;
	unsigned char	 msg[160];
	size_t		 msglen;
	const char	*want;		/* hex; may be a truncated prefix */
};

static void
test_hmac(void)
{
	static struct hmac_vec v[7];
	unsigned char	 d[CRYPTO_SHA256_LEN];
	size_t		 i;
	const char	*s;

	v[0].name = "RFC 4231 case 1";
	memset(v[0].key, 0x0b, 20); v[0].keylen = 20;
	memcpy(v[0].msg, "Hi There", 8); v[0].msglen = 8;
	v[0].want = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";

	v[1].name = "RFC 4231 case 2";
	memcpy(v[1].key, "Jefe", 4); v[1].keylen = 4;
	s = "what do ya want for nothing?";
	memcpy(v[1].msg, s, strlen(s)); v[1].msglen = strlen(s);
	v[1].want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

	v[2].name = "RFC 4231 case 3";
	memset(v[2].key, 0xaa, 20); v[2].keylen = 20;
	memset(v[2].msg, 0xdd, 50); v[2].msglen = 50;
	v[2].want = "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe";

	v[3].name = "RFC 4231 case 4";
	for (i = 0; i < 25; i++)
		v[3].key[i] = (unsigned char)(i + 1);
	v[3].keylen = 25;
	memset(v[3].msg, 0xcd, 50); v[3].msglen = 50;
	v[3].want = "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b";

	v[4].name = "RFC 4231 case 5 (truncated to 128 bits)";
	memset(v[4].key, 0x0c, 20); v[4].keylen = 20;
	s = "Test With Truncation";
	memcpy(v[4].msg, s, strlen(s)); v[4].msglen = strlen(s);
	v[4].want = "a3b6167473100ee06e0c796c2955552b";

	v[5].name = "RFC 4231 case 6 (key longer than a block)";
	memset(v[5].key, 0xaa, 131); v[5].keylen = 131;
	s = "Test Using Larger Than Block-Size Key - Hash Key First";
	memcpy(v[5].msg, s, strlen(s)); v[5].msglen = strlen(s);
	v[5].want = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";

	v[6].name = "RFC 4231 case 7 (key and data longer than a block)";
	memset(v[6].key, 0xaa, 131); v[6].keylen = 131;
	s = "This is a test using a larger than block-size key and a larger "
	    "than block-size data. The key needs to be hashed before being "
	    "used by the HMAC algorithm.";
	memcpy(v[6].msg, s, strlen(s)); v[6].msglen = strlen(s);
	v[6].want = "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2";

	for (i = 0; i < 7; i++) {
		memset(d, 0, sizeof(d));
		if (!EQ_INT(crypto_hmac_sha256(v[i].key, v[i].keylen, v[i].msg,
		    v[i].msglen, d), 0, v[i].name))
			continue;
		OK(strncmp(hexof(d, sizeof(d)), v[i].want, strlen(v[i].want))
		    == 0, v[i].name);
	}

	/* Meta's use: secret as key, raw body as message. */
	EQ_INT(crypto_hmac_sha256("key", 3, "", 0, d), 0, "empty message");
	EQ_STR(hexof(d, sizeof(d)),
	    "5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0",
	    "HMAC(\"key\", \"\")");
	EQ_INT(crypto_hmac_sha256("key", 3,
	    "The quick brown fox jumps over the lazy dog", 43, d), 0, "fox");
	EQ_STR(hexof(d, sizeof(d)),
	    "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
	    "HMAC(\"key\", fox)");
	EQ_INT(crypto_hmac_sha256("kez", 3,
	    "The quick brown fox jumps over the lazy dog", 43, d), 0, "fox 2");
	OK(strcmp(hexof(d, sizeof(d)),
	    "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
	    != 0, "another key, another MAC");
}

static void
test_equal_random(void)
{
	unsigned char	 a[32], b[32], z[32];

	memset(a, 7, sizeof(a));
	memcpy(b, a, sizeof(b));
	EQ_INT(crypto_equal(a, b, 32), 1, "equal");
	b[0] ^= 1;
	EQ_INT(crypto_equal(a, b, 32), 0, "differ in the first byte");
	b[0] ^= 1;
	b[31] ^= 0x80;
	EQ_INT(crypto_equal(a, b, 32), 0, "differ in the last byte");
	EQ_INT(crypto_equal(a, b, 31), 1, "only n bytes compared");
	EQ_INT(crypto_equal(a, b, 0), 1, "zero bytes are equal");

	memset(z, 0, sizeof(z));
	EQ_INT(crypto_random(a, sizeof(a)), 0, "random ok");
	EQ_INT(crypto_random(b, sizeof(b)), 0, "random ok again");
	OK(memcmp(a, b, 32) != 0, "two draws differ");
	OK(memcmp(a, z, 32) != 0, "a draw is not all zero");
	EQ_INT(crypto_random(a, 0), 0, "zero bytes ok");

	memset(a, 0xa5, sizeof(a));
	crypto_wipe(a, 16);
	OK(memcmp(a, z, 16) == 0, "wipe zeroes");
	OK(a[16] == 0xa5, "wipe stays within n");
}

static void
test_hex(void)
{
	unsigned char	 in[4] = { 0x00, 0x9f, 0xa0, 0xff }, out[4];
	char		 h[9];

	crypto_hex(in, 4, h);
	EQ_STR(h, "009fa0ff", "hex lower case");
	crypto_hex(in, 0, h);
	EQ_STR(h, "", "hex of nothing");

	memset(out, 0x55, sizeof(out));
	EQ_INT(crypto_unhex("009fa0ff", 8, out, 4), 0, "unhex ok");
	OK(memcmp(out, in, 4) == 0, "unhex round trip");
	EQ_INT(crypto_unhex("", 0, out, 0), 0, "unhex of nothing");
	EQ_INT(crypto_unhex("009FA0FF", 8, out, 4), -1, "upper case refused");
	EQ_INT(crypto_unhex("009fa0fF", 8, out, 4), -1, "one upper digit refused");
	EQ_INT(crypto_unhex("009fa0f", 7, out, 4), -1, "odd length refused");
	EQ_INT(crypto_unhex("009fa0ff00", 10, out, 4), -1, "too long refused");
	EQ_INT(crypto_unhex("009fa0", 6, out, 4), -1, "too short refused");
	EQ_INT(crypto_unhex("009fa0fg", 8, out, 4), -1, "'g' refused");
	EQ_INT(crypto_unhex("009f a0f", 8, out, 4), -1, "space refused");
	EQ_INT(crypto_unhex("009f\0a0f", 8, out, 4), -1, "NUL refused");
	EQ_INT(crypto_unhex("0x9fa0ff", 8, out, 4), -1, "0x refused");
	EQ_INT(crypto_unhex("-09fa0ff", 8, out, 4), -1, "sign refused");
	EQ_INT(crypto_unhex("009fa0\xff\xff", 8, out, 4), -1, "high bytes refused");
}

static void
test_b64url(void)
{
	static const char *const rfc[][2] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
	};
	unsigned char	 raw[256], back[256];
	char		 enc[400], name[64];
	size_t		 i, n;
	long		 r;
	int		 ok;

	for (i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++) {
		snprintf(name, sizeof(name), "encode \"%s\"", rfc[i][0]);
		r = crypto_b64url_encode(rfc[i][0], strlen(rfc[i][0]), enc,
		    sizeof(enc));
		EQ_STR(enc, rfc[i][1], name);
		EQ_INT(r, (long)strlen(rfc[i][1]), name);
		snprintf(name, sizeof(name), "decode \"%s\"", rfc[i][1]);
		r = crypto_b64url_decode(rfc[i][1], strlen(rfc[i][1]), back,
		    sizeof(back));
		OK(r == (long)strlen(rfc[i][0]) &&
		    memcmp(back, rfc[i][0], (size_t)r) == 0, name);
	}

	raw[0] = 0xfb; raw[1] = 0xff;
	crypto_b64url_encode(raw, 2, enc, sizeof(enc));
	EQ_STR(enc, "-_8", "URL-safe alphabet: '-' and '_'");
	r = crypto_b64url_decode("-_8", 3, back, sizeof(back));
	OK(r == 2 && back[0] == 0xfb && back[1] == 0xff, "decode '-' and '_'");

	/* Round trips of every length and varied bytes. */
	ok = 1;
	for (n = 0; n <= 200; n++) {
		crypto_random(raw, n);
		r = crypto_b64url_encode(raw, n, enc, sizeof(enc));
		if (r < 0 || (size_t)r != strlen(enc) ||
		    (size_t)r != (n * 4 + 2) / 3 || strchr(enc, '=') != NULL)
			ok = 0;
		else if (crypto_b64url_decode(enc, (size_t)r, back,
		    sizeof(back)) != (long)n || memcmp(raw, back, n) != 0)
			ok = 0;
	}
	OK(ok, "round trips, lengths 0..200, no padding");

	/* Output sizes. */
	EQ_INT(crypto_b64url_encode("foo", 3, enc, 5), 4, "encode: exact room");
	EQ_INT(crypto_b64url_encode("foo", 3, enc, 4), -1,
	    "encode: no room for the NUL");
	EQ_INT(crypto_b64url_encode("", 0, enc, 1), 0, "encode nothing");
	EQ_INT(crypto_b64url_encode("", 0, enc, 0), -1, "encode into nothing");
	EQ_INT(crypto_b64url_decode("Zm9vYmFy", 8, back, 6), 6,
	    "decode: exact room");
	EQ_INT(crypto_b64url_decode("Zm9vYmFy", 8, back, 5), -1,
	    "decode: too little room");
	EQ_INT(crypto_b64url_decode("Zm9vYmE", 7, back, 4), -1,
	    "decode partial group: too little room");

	/* Strictness. */
	EQ_INT(crypto_b64url_decode("Zg==", 4, back, sizeof(back)), -1,
	    "padding refused");
	EQ_INT(crypto_b64url_decode("Zm8=", 4, back, sizeof(back)), -1,
	    "single padding refused");
	EQ_INT(crypto_b64url_decode("Zm9v+A", 6, back, sizeof(back)), -1,
	    "'+' refused");
	EQ_INT(crypto_b64url_decode("Zm9v/A", 6, back, sizeof(back)), -1,
	    "'/' refused");
	EQ_INT(crypto_b64url_decode("Zm9 v", 5, back, sizeof(back)), -1,
	    "space refused");
	EQ_INT(crypto_b64url_decode("Zm9v\n", 5, back, sizeof(back)), -1,
	    "newline refused");
	EQ_INT(crypto_b64url_decode("Zm\0v", 4, back, sizeof(back)), -1,
	    "NUL refused");
	EQ_INT(crypto_b64url_decode("Zm9v\xc3\xa9", 6, back, sizeof(back)), -1,
	    "non-ASCII refused");
	EQ_INT(crypto_b64url_decode("Z", 1, back, sizeof(back)), -1,
	    "one character refused");
	EQ_INT(crypto_b64url_decode("Zm9vY", 5, back, sizeof(back)), -1,
	    "length 1 mod 4 refused");
	EQ_INT(crypto_b64url_decode("Zh", 2, back, sizeof(back)), -1,
	    "non-canonical trailing bits (1 byte) refused");
	EQ_INT(crypto_b64url_decode("Zm9", 3, back, sizeof(back)), -1,
	    "non-canonical trailing bits (2 bytes) refused");
	EQ_INT(crypto_b64url_decode("Zm8", 3, back, sizeof(back)), 2,
	    "canonical form accepted");
}

static void
test_token(void)
{
	static char	 toks[200][CRYPTO_TOKEN_CHARS + 1];
	unsigned char	 raw[40];
	char		 small[CRYPTO_TOKEN_CHARS];
	size_t		 i, j, k;
	int		 len_ok = 1, set_ok = 1, uniq = 1, dec_ok = 1;

	for (i = 0; i < 200; i++) {
		if (crypto_token(toks[i], sizeof(toks[i])) != 0)
			len_ok = 0;
		if (strlen(toks[i]) != CRYPTO_TOKEN_CHARS)
			len_ok = 0;
		for (k = 0; toks[i][k] != '\0'; k++)
			if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
			    "qrstuvwxyz0123456789-_", toks[i][k]) == NULL)
				set_ok = 0;
		if (crypto_b64url_decode(toks[i], strlen(toks[i]), raw,
		    sizeof(raw)) != 32)
			dec_ok = 0;
		for (j = 0; j < i; j++)
			if (strcmp(toks[i], toks[j]) == 0)
				uniq = 0;
	}
	OK(len_ok, "tokens are 43 characters");
	OK(set_ok, "tokens are base64url characters only");
	OK(dec_ok, "tokens decode to 32 bytes");
	OK(uniq, "200 tokens all differ");
	memset(small, 'Q', sizeof(small));
	EQ_INT(crypto_token(small, sizeof(small)), -1,
	    "no room for the NUL: refused");
	EQ_INT(crypto_token(small, 0), -1, "size 0 refused");
}

static void
test_key_parse(void)
{
	unsigned char	 key[CRYPTO_KEY_LEN], want[CRYPTO_KEY_LEN];
	size_t		 i;

	for (i = 0; i < sizeof(want); i++)
		want[i] = (unsigned char)i;
	EQ_INT(crypto_key_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
	    key), 0, "key parses");
	OK(memcmp(key, want, sizeof(key)) == 0, "key bytes");
	EQ_INT(crypto_key_parse(NULL, key), -1, "NULL refused");
	EQ_INT(crypto_key_parse("", key), -1, "empty refused");
	EQ_INT(crypto_key_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh",
	    key), -1, "42 characters refused");
	EQ_INT(crypto_key_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	    key), -1, "padded refused");
	EQ_INT(crypto_key_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A",
	    key), -1, "33 bytes refused");
	EQ_INT(crypto_key_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8AAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    key), -1, "far too long refused");
	EQ_INT(crypto_key_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9",
	    key), -1, "non-canonical last character refused");
}

static void
test_seal(void)
{
	unsigned char	 key[CRYPTO_KEY_LEN], key2[CRYPTO_KEY_LEN];
	struct buf	 s1, s2, pt, tmp;
	const char	*msg = "EAAB-secret-page-token";
	size_t		 mlen = strlen(msg), i;
	int		 ok;

	crypto_random(key, sizeof(key));
	memcpy(key2, key, sizeof(key2));
	key2[5] ^= 0x01;
	buf_init(&s1, 4096);
	buf_init(&s2, 4096);
	buf_init(&pt, 4096);
	buf_init(&tmp, 4096);

	EQ_INT(crypto_seal(key, msg, mlen, "channel:7", 9, &s1), 0, "seal");
	EQ_INT(s1.len, CRYPTO_NONCE_LEN + mlen + CRYPTO_TAG_LEN,
	    "sealed size: nonce + ciphertext + tag");
	OK(memmem(s1.data, s1.len, msg, mlen) == NULL, "plaintext not visible");
	EQ_INT(crypto_open(key, s1.data, s1.len, "channel:7", 9, &pt), 0, "open");
	OK(pt.len == mlen && memcmp(pt.data, msg, mlen) == 0, "round trip");

	EQ_INT(crypto_seal(key, msg, mlen, "channel:7", 9, &s2), 0, "seal again");
	OK(s1.len == s2.len && memcmp(s1.data, s2.data, s1.len) != 0,
	    "fresh nonce: two seals differ");
	OK(memcmp(s1.data, s2.data, CRYPTO_NONCE_LEN) != 0, "nonces differ");

	/* Every single-bit change anywhere is caught: nonce, ciphertext, tag. */
	ok = 1;
	for (i = 0; i < s1.len; i++) {
		s1.data[i] ^= 0x01;
		buf_reset(&pt);
		if (crypto_open(key, s1.data, s1.len, "channel:7", 9, &pt) != -1 ||
		    pt.len != 0)
			ok = 0;
		s1.data[i] ^= 0x01;
	}
	OK(ok, "flipping any bit of the sealed bytes is detected");
	buf_reset(&pt);
	s1.data[0] ^= 0x80;
	EQ_INT(crypto_open(key, s1.data, s1.len, "channel:7", 9, &pt), -1,
	    "altered nonce");
	s1.data[0] ^= 0x80;
	s1.data[CRYPTO_NONCE_LEN] ^= 0x80;
	EQ_INT(crypto_open(key, s1.data, s1.len, "channel:7", 9, &pt), -1,
	    "altered ciphertext");
	s1.data[CRYPTO_NONCE_LEN] ^= 0x80;
	s1.data[s1.len - 1] ^= 0x80;
	EQ_INT(crypto_open(key, s1.data, s1.len, "channel:7", 9, &pt), -1,
	    "altered tag");
	s1.data[s1.len - 1] ^= 0x80;
	EQ_INT(pt.len, 0, "nothing appended on failure");

	EQ_INT(crypto_open(key2, s1.data, s1.len, "channel:7", 9, &pt), -1,
	    "wrong key");
	EQ_INT(crypto_open(key, s1.data, s1.len, "channel:8", 9, &pt), -1,
	    "wrong aad");
	EQ_INT(crypto_open(key, s1.data, s1.len, "channel:7", 8, &pt), -1,
	    "shorter aad");
	EQ_INT(crypto_open(key, s1.data, s1.len, NULL, 0, &pt), -1,
	    "missing aad");
	EQ_INT(crypto_open(key, s1.data, s1.len - 1, "channel:7", 9, &pt), -1,
	    "truncated by one byte");
	EQ_INT(crypto_open(key, s1.data, CRYPTO_NONCE_LEN + CRYPTO_TAG_LEN - 1,
	    "channel:7", 9, &pt), -1, "shorter than nonce + tag");
	EQ_INT(crypto_open(key, s1.data, 0, NULL, 0, &pt), -1, "empty input");
	buf_init(&tmp, 4096);
	buf_add(&tmp, s1.data, s1.len);
	buf_putc(&tmp, 0);
	EQ_INT(crypto_open(key, tmp.data, tmp.len, "channel:7", 9, &pt), -1,
	    "extra byte appended");
	EQ_INT(pt.len, 0, "still nothing appended");
	OK(memcmp(key, key2, sizeof(key)) != 0, "keys really differ");

	/* Sealed without aad: NULL and "" are the same. */
	buf_reset(&s2);
	EQ_INT(crypto_seal(key, "x", 1, NULL, 0, &s2), 0, "seal without aad");
	EQ_INT(crypto_open(key, s2.data, s2.len, "", 0, &pt), 0,
	    "open with empty aad");
	EQ_INT(crypto_open(key, s2.data, s2.len, "a", 1, &pt), -1,
	    "open with an aad it did not have");

	/* Empty plaintext. */
	buf_reset(&s2);
	buf_reset(&pt);
	EQ_INT(crypto_seal(key, "", 0, "r", 1, &s2), 0, "seal empty");
	EQ_INT(s2.len, CRYPTO_NONCE_LEN + CRYPTO_TAG_LEN, "just nonce and tag");
	EQ_INT(crypto_open(key, s2.data, s2.len, "r", 1, &pt), 0, "open empty");
	EQ_INT(pt.len, 0, "empty plaintext back");
	s2.data[3] ^= 4;
	EQ_INT(crypto_open(key, s2.data, s2.len, "r", 1, &pt), -1,
	    "empty plaintext still authenticated");

	/* Appends after existing contents. */
	buf_reset(&pt);
	buf_puts(&pt, "pre:");
	EQ_INT(crypto_open(key, s1.data, s1.len, "channel:7", 9, &pt), 0,
	    "open appends");
	OK(pt.len == 4 + mlen && memcmp(pt.data, "pre:", 4) == 0 &&
	    memcmp(pt.data + 4, msg, mlen) == 0, "after existing bytes");

	/* An output buffer too small for the result. */
	buf_free(&s2);
	buf_init(&s2, CRYPTO_NONCE_LEN + CRYPTO_TAG_LEN + 3);
	EQ_INT(crypto_seal(key, "abcd", 4, NULL, 0, &s2), -1,
	    "seal past the buffer's max refused");
	EQ_INT(s2.len, 0, "nothing committed");
	buf_free(&pt);
	buf_init(&pt, 3);
	EQ_INT(crypto_open(key, s1.data, s1.len, "channel:7", 9, &pt), -1,
	    "open past the buffer's max refused");

	/* A large plaintext. */
	{
		struct buf	 big, sealed, back;
		char		*p = malloc(200000);

		for (i = 0; i < 200000; i++)
			p[i] = (char)(i * 7);
		buf_init(&big, 0);
		buf_init(&sealed, 300000);
		buf_init(&back, 300000);
		OK(crypto_seal(key, p, 200000, "big", 3, &sealed) == 0 &&
		    crypto_open(key, sealed.data, sealed.len, "big", 3, &back) == 0 &&
		    back.len == 200000 && memcmp(back.data, p, 200000) == 0,
		    "200 KB round trip");
		buf_free(&big);
		buf_free(&sealed);
		buf_free(&back);
		free(p);
	}

	buf_free(&s1);
	buf_free(&s2);
	buf_free(&pt);
	buf_free(&tmp);
}

int
main(void)
{
	test_sha256();
	test_hmac();
	test_equal_random();
	test_hex();
	test_b64url();
	test_token();
	test_key_parse();
	test_seal();
	return test_done();
}
