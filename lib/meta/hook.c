/*
 * hook: one JSON POST to the operator's alert URL.  See hook.h.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "graph.h"
#include "hook.h"

/* Drop the answer's body. */
static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

int
hook_post_json(const char *url, const char *body, long timeout_s, char *err,
    size_t errsz)
{
	struct curl_slist	*h = NULL;
	CURL			*c;
	CURLcode		 rc;
	long			 status = 0;
	char			 why[128];

	if (graph_url_allowed(url, why, sizeof(why)) == -1) {
		snprintf(err, errsz, "alert_webhook: %s", why);
		return -1;
	}
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errsz, "alert_webhook: no HTTP client");
		return -1;
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout_s);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "hubgate-alert");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		snprintf(err, errsz, "alert_webhook: %s",
		    curl_easy_strerror(rc));
		return -1;
	}
	if (status < 200 || status > 299) {
		snprintf(err, errsz, "alert_webhook: HTTP %ld", status);
		return -1;
	}
	return 0;
}
