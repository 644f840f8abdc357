/*
 * signed_post: a Standard Webhooks signed JSON POST.  See
 * signed_post.h.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "crypto.h"
#include "graph.h"
#include "limits.h"
#include "signed_post.h"
#include "urlsafe.h"

int
signed_post_key(const char *secret, unsigned char *key, size_t keysz,
    size_t *len)
{
	char	 url[HG_BOT_SECRET_MAX + 1];
	size_t	 n, i;
	long	 k;

	if (strncmp(secret, "whsec_", 6) != 0) {
		if ((n = strlen(secret)) > keysz || n == 0)
			return -1;
		memcpy(key, secret, n);
		*len = n;
		return 0;
	}
	/* base64 into base64url without padding, then decode. */
	for (i = 0, n = 0; secret[6 + i] != '\0' && n < sizeof(url) - 1; i++) {
		char c = secret[6 + i];

		if (c == '=')
			break;
		url[n++] = c == '+' ? '-' : c == '/' ? '_' : c;
	}
	url[n] = '\0';
	if ((k = crypto_b64url_decode(url, n, key, keysz)) <= 0)
		return -1;
	*len = (size_t)k;
	return 0;
}

int
signed_post_sign(const unsigned char *key, size_t keylen, const char *id,
    long long timestamp, const char *body, char *sig, size_t sigsz)
{
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	char		 ts[24], b64[64];
	struct buf	 m;
	long		 n, i;
	int		 rc;

	snprintf(ts, sizeof(ts), "%lld", timestamp);
	buf_init(&m, strlen(id) + strlen(ts) + strlen(body) + 8);
	buf_puts(&m, id);
	buf_putc(&m, '.');
	buf_puts(&m, ts);
	buf_putc(&m, '.');
	buf_puts(&m, body);
	rc = m.err ? -1 : crypto_hmac_sha256(key, keylen, m.data, m.len, mac);
	buf_free(&m);
	if (rc == -1 || (n = crypto_b64url_encode(mac, sizeof(mac), b64,
	    sizeof(b64))) < 0)
		return -1;
	/* base64url into base64 with its padding. */
	for (i = 0; i < n; i++)
		b64[i] = b64[i] == '-' ? '+' : b64[i] == '_' ? '/' : b64[i];
	while (n % 4 != 0 && n < (long)sizeof(b64) - 1)
		b64[n++] = '=';
	b64[n] = '\0';
	return snprintf(sig, sigsz, "v1,%s", b64) < (int)sigsz ? 0 : -1;
}

/* Keep the answer, up to its cap. */
static size_t
keep(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	return buf_add(b, p, size * n) == 0 ? size * n : 0;
}

int
signed_post(const char *url, int allow_loopback, const char *secret,
    const char *id, long long timestamp, const char *body, long timeout_ms,
    long *status, struct buf *answer, char *err, size_t errsz)
{
	unsigned char		 key[HG_BOT_SECRET_MAX];
	struct curl_slist	*h = NULL, *pin = NULL;
	struct urlsafe_url	 u;
	const char		*why = NULL;
	char			 sig[128], hdr[200];
	size_t			 keylen;
	CURL			*c;
	CURLcode		 rc;

	*status = 0;
	/* Checked now, when it is called: the name may resolve elsewhere
	 * than when it was saved; the address checked is the one used. */
	if (urlsafe_check(url, allow_loopback, &u, &why) != 0) {
		snprintf(err, errsz, "url: %s", why != NULL ? why : "refused");
		return -1;
	}
	if (signed_post_key(secret, key, sizeof(key), &keylen) == -1 ||
	    signed_post_sign(key, keylen, id, timestamp, body, sig,
	    sizeof(sig)) == -1) {
		crypto_wipe(key, sizeof(key));
		snprintf(err, errsz, "the secret cannot sign");
		return -1;
	}
	crypto_wipe(key, sizeof(key));
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errsz, "no HTTP client");
		return -1;
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	snprintf(hdr, sizeof(hdr), "webhook-id: %s", id);
	h = curl_slist_append(h, hdr);
	snprintf(hdr, sizeof(hdr), "webhook-timestamp: %lld", timestamp);
	h = curl_slist_append(h, hdr);
	snprintf(hdr, sizeof(hdr), "webhook-signature: %s", sig);
	h = curl_slist_append(h, hdr);
	buf_reset(answer);
	if ((pin = curl_slist_append(NULL, u.connect_to)) == NULL) {
		curl_slist_free_all(h);
		curl_easy_cleanup(c);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CONNECT_TO, pin);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "hubgate-bot");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	curl_slist_free_all(pin);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		snprintf(err, errsz, "%s", rc == CURLE_WRITE_ERROR ?
		    "the answer is too big" : curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}
