/*
 * signed_request: Meta's signed callbacks.  See signed_request.h.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "crypto.h"
#include "json.h"
#include "signed_request.h"

const char *const sr_err_names[SR__MAX] = {
	[SR_OK] = "ok",
	[SR_MISSING] = "missing",
	[SR_TOO_LONG] = "too_long",
	[SR_MALFORMED] = "malformed",
	[SR_BAD_SIGNATURE] = "bad_signature",
	[SR_BAD_ALGORITHM] = "bad_algorithm",
	[SR_BAD_PAYLOAD] = "bad_payload",
	[SR_STALE] = "stale",
};

enum sr_err
signed_request_verify(const char *sr, size_t n, const char *const *secrets,
    size_t nsecrets, struct sr_payload *p)
{
	unsigned char	 sig[64], mac[CRYPTO_SHA256_LEN];
	unsigned char	 payload[HG_SIGNED_REQUEST_MAX];
	const char	*dot;
	const cJSON	*alg;
	cJSON		*j;
	long		 siglen, plen;
	size_t		 i, seglen;
	int		 good = 0;
	enum sr_err	 rc;

	memset(p, 0, sizeof(*p));
	if (sr == NULL || n == 0)
		return SR_MISSING;
	if (n > HG_SIGNED_REQUEST_MAX)
		return SR_TOO_LONG;
	if ((dot = memchr(sr, '.', n)) == NULL || dot == sr ||
	    (seglen = n - (size_t)(dot - sr) - 1) == 0 ||
	    memchr(dot + 1, '.', seglen) != NULL)
		return SR_MALFORMED;
	siglen = crypto_b64url_decode(sr, (size_t)(dot - sr), sig, sizeof(sig));
	plen = crypto_b64url_decode(dot + 1, seglen, payload,
	    sizeof(payload) - 1);
	if (siglen != CRYPTO_SHA256_LEN || plen <= 0)
		return SR_MALFORMED;
	/* Every secret is tried, so the time does not say which one. */
	for (i = 0; i < nsecrets; i++) {
		if (secrets[i] == NULL || secrets[i][0] == '\0' ||
		    crypto_hmac_sha256(secrets[i], strlen(secrets[i]), dot + 1,
		    seglen, mac) == -1)
			continue;
		if (crypto_equal(mac, sig, sizeof(mac)) && !good) {
			good = 1;
			p->secret = i;
		}
	}
	crypto_wipe(mac, sizeof(mac));
	if (!good)
		return SR_BAD_SIGNATURE;
	payload[plen] = '\0';
	if ((j = cJSON_ParseWithLength((const char *)payload, (size_t)plen)) ==
	    NULL || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return SR_BAD_PAYLOAD;
	}
	alg = cJSON_GetObjectItemCaseSensitive(j, "algorithm");
	if (!cJSON_IsString(alg) || strcmp(alg->valuestring, "HMAC-SHA256") != 0)
		rc = SR_BAD_ALGORITHM;
	else if (json_id(cJSON_GetObjectItemCaseSensitive(j, "user_id"),
	    p->user_id) == NULL)
		rc = SR_BAD_PAYLOAD;
	else {
		p->issued_at = json_uint(j, "issued_at");
		if (p->issued_at < 0)
			p->issued_at = 0;
		rc = SR_OK;
	}
	cJSON_Delete(j);
	return rc;
}

enum sr_err
signed_request_fresh(const struct sr_payload *p, long long now)
{
	if (p->issued_at <= 0 ||
	    p->issued_at < now - HG_SIGNED_REQUEST_AGE_MAX_S ||
	    p->issued_at > now + HG_SIGNED_REQUEST_SKEW_S)
		return SR_STALE;
	return SR_OK;
}

int
signed_request_make(const char *payload, const char *secret, char *out,
    size_t outsz)
{
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	char		 seg[2 * HG_SIGNED_REQUEST_MAX], sig[64];
	long		 n, m;

	if ((n = crypto_b64url_encode(payload, strlen(payload), seg,
	    sizeof(seg))) < 0 ||
	    crypto_hmac_sha256(secret, strlen(secret), seg, (size_t)n, mac) == -1 ||
	    (m = crypto_b64url_encode(mac, sizeof(mac), sig, sizeof(sig))) < 0)
		return -1;
	if ((size_t)n + (size_t)m + 2 > outsz)
		return -1;
	snprintf(out, outsz, "%s.%s", sig, seg);
	return 0;
}
