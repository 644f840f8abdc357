/*
 * oauth_state: signed, session-bound, expiring Login states.  See
 * oauth_state.h.
 */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "num.h"
#include "oauth_state.h"

const char *const oauth_state_err_names[OAUTH_STATE__MAX] = {
	[OAUTH_STATE_OK] = "ok",
	[OAUTH_STATE_MISSING] = "missing",
	[OAUTH_STATE_MALFORMED] = "malformed",
	[OAUTH_STATE_TAMPERED] = "tampered",
	[OAUTH_STATE_OTHER_SESSION] = "other_session",
	[OAUTH_STATE_EXPIRED] = "expired",
	[OAUTH_STATE_REPLAYED] = "replayed",
};

#define SESSION_HEX	16
#define MAC_CHARS	43	/* 32 bytes, base64url */
#define FUTURE_SLACK_S	60

/* The session field for session_id: 16 hex digits of its SHA-256. */
static void
session_field(const char *session_id, char out[SESSION_HEX + 1])
{
	char hex[2 * CRYPTO_SHA256_LEN + 1];

	crypto_sha256_hex(session_id, hex);
	memcpy(out, hex, SESSION_HEX);
	out[SESSION_HEX] = '\0';
}

static int
platform_ok(const char *p, size_t n)
{
	return (n == 8 && strncmp(p, "facebook", 8) == 0) ||
	    (n == 9 && strncmp(p, "instagram", 9) == 0) ||
	    (n == 8 && strncmp(p, "whatsapp", 8) == 0);
}

/* The MAC of the first n bytes of body, base64url, into out. */
static int
state_mac(const char *secret, const char *body, size_t n,
    char out[MAC_CHARS + 1])
{
	unsigned char mac[CRYPTO_SHA256_LEN];

	if (crypto_hmac_sha256(secret, strlen(secret), body, n, mac) == -1 ||
	    crypto_b64url_encode(mac, sizeof(mac), out, MAC_CHARS + 1) !=
	    MAC_CHARS)
		return -1;
	return 0;
}

int
oauth_state_make(const char *secret, const char *session_id,
    const char *platform, long long now, char *out, size_t outsz)
{
	unsigned char	 rnd[16];
	char		 nonce[OAUTH_NONCE_CHARS + 1], sess[SESSION_HEX + 1];
	char		 mac[MAC_CHARS + 1];
	int		 n;

	if (secret == NULL || secret[0] == '\0' || session_id == NULL ||
	    platform == NULL || !platform_ok(platform, strlen(platform)) ||
	    crypto_random(rnd, sizeof(rnd)) == -1 ||
	    crypto_b64url_encode(rnd, sizeof(rnd), nonce, sizeof(nonce)) !=
	    OAUTH_NONCE_CHARS)
		return -1;
	session_field(session_id, sess);
	n = snprintf(out, outsz, "%s.%lld.%s.%s", nonce, now, platform, sess);
	if (n < 0 || (size_t)n + 1 + MAC_CHARS >= outsz ||
	    state_mac(secret, out, (size_t)n, mac) == -1)
		return -1;
	snprintf(out + n, outsz - (size_t)n, ".%s", mac);
	return 0;
}

enum oauth_state_err
oauth_state_check(const char *secret, const char *state,
    const char *session_id, long long now, long long ttl, char *nonce,
    char *platform)
{
	const char	*f[5], *p;
	size_t		 len[5], n, i;
	char		 mac[MAC_CHARS + 1], sess[SESSION_HEX + 1], num[24];
	long long	 iat;

	if (state == NULL || state[0] == '\0')
		return OAUTH_STATE_MISSING;
	if ((n = strlen(state)) > HG_OAUTH_STATE_MAX || secret == NULL ||
	    secret[0] == '\0')
		return OAUTH_STATE_MALFORMED;
	/* Five fields separated by dots. */
	for (i = 0, p = state; i < 5; i++) {
		f[i] = p;
		while (*p != '\0' && *p != '.')
			p++;
		len[i] = (size_t)(p - f[i]);
		if (len[i] == 0 || (i < 4 && *p != '.') || (i == 4 && *p != '\0'))
			return OAUTH_STATE_MALFORMED;
		if (*p == '.')
			p++;
	}
	if (len[0] != OAUTH_NONCE_CHARS || len[4] != MAC_CHARS ||
	    len[3] != SESSION_HEX || len[1] >= sizeof(num))
		return OAUTH_STATE_MALFORMED;
	if (state_mac(secret, state, (size_t)(f[4] - state) - 1, mac) == -1)
		return OAUTH_STATE_MALFORMED;
	if (!crypto_equal(mac, f[4], MAC_CHARS))
		return OAUTH_STATE_TAMPERED;
	/* Signed by us: what follows can be believed. */
	memcpy(num, f[1], len[1]);
	num[len[1]] = '\0';
	if (num_parse_str(num, 0, 4102444800LL, &iat) == -1 ||
	    !platform_ok(f[2], len[2]))
		return OAUTH_STATE_MALFORMED;
	session_field(session_id != NULL ? session_id : "", sess);
	if (session_id == NULL || !crypto_equal(sess, f[3], SESSION_HEX))
		return OAUTH_STATE_OTHER_SESSION;
	if (iat > now + FUTURE_SLACK_S || now - iat >= ttl)
		return OAUTH_STATE_EXPIRED;
	memcpy(nonce, f[0], OAUTH_NONCE_CHARS);
	nonce[OAUTH_NONCE_CHARS] = '\0';
	memcpy(platform, f[2], len[2]);
	platform[len[2]] = '\0';
	return OAUTH_STATE_OK;
}
