/*
 * hgload: send many signed, distinct Messenger text events to a webhook
 * at a set concurrency, and record what each got back.
 *
 *   hgload -u URL -s SECRET [-n COUNT] [-c CONNECTIONS] [-p PAGE_ID]
 *          [-t TAG] [-o RESULTS]
 *
 * RESULTS gets one line per request: "<sha256 of body> <status>"
 * (status 0 when no answer came).  Standard output gets a summary:
 * "sent=N ok=N other=N failed=N".  Used by the reliability tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "crypto.h"
#include "num.h"

struct job {
	CURL			*h;
	struct curl_slist	*hdrs;
	struct buf		 body;
	char			 sha[2 * CRYPTO_SHA256_LEN + 1];
};

static size_t
discard(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return sz * n;
}

/* Build event i into j and make its request. */
static int
job_make(struct job *j, const char *url, const char *secret,
    const char *page, const char *tag, long i)
{
	unsigned char	 mac[CRYPTO_SHA256_LEN], dig[CRYPTO_SHA256_LEN];
	char		 hex[2 * CRYPTO_SHA256_LEN + 1], hdr[128];

	buf_init(&j->body, 65536);
	buf_printf(&j->body, "{\"object\":\"page\",\"entry\":[{\"id\":\"%s\","
	    "\"time\":1763856000123,\"messaging\":[{\"sender\":{\"id\":"
	    "\"7300000000000001\"},\"recipient\":{\"id\":\"%s\"},"
	    "\"timestamp\":1763856000001,\"message\":{\"mid\":\"m_%s_%ld\","
	    "\"text\":\"load test message %ld\"}}]}]}", page, page, tag, i, i);
	if (j->body.err)
		return -1;
	crypto_hmac_sha256(secret, strlen(secret), j->body.data, j->body.len,
	    mac);
	crypto_hex(mac, sizeof(mac), hex);
	crypto_sha256(j->body.data, j->body.len, dig);
	crypto_hex(dig, sizeof(dig), j->sha);
	snprintf(hdr, sizeof(hdr), "X-Hub-Signature-256: sha256=%s", hex);
	j->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	j->hdrs = curl_slist_append(j->hdrs, hdr);
	j->hdrs = curl_slist_append(j->hdrs, "Expect:");
	if ((j->h = curl_easy_init()) == NULL)
		return -1;
	curl_easy_setopt(j->h, CURLOPT_URL, url);
	curl_easy_setopt(j->h, CURLOPT_HTTPHEADER, j->hdrs);
	curl_easy_setopt(j->h, CURLOPT_POSTFIELDS, j->body.data);
	curl_easy_setopt(j->h, CURLOPT_POSTFIELDSIZE, (long)j->body.len);
	curl_easy_setopt(j->h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(j->h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(j->h, CURLOPT_PRIVATE, j);
	return 0;
}

static void
job_free(struct job *j)
{
	curl_slist_free_all(j->hdrs);
	buf_free(&j->body);
}

int
main(int argc, char *argv[])
{
	const char	*url = NULL, *secret = NULL, *page = "104857600000001";
	const char	*tag = "load", *outpath = NULL;
	long long	 n = 100, conc = 8;
	long		 next = 0, done = 0, ok = 0, other = 0, failed = 0;
	struct job	*jobs;
	CURLM		*m;
	CURLMsg		*msg;
	FILE		*out = NULL;
	int		 ch, running, left;

	while ((ch = getopt(argc, argv, "u:s:n:c:p:t:o:")) != -1) {
		switch (ch) {
		case 'u': url = optarg; break;
		case 's': secret = optarg; break;
		case 'n':
			if (num_parse_str(optarg, 1, 10000000, &n) == -1)
				return 2;
			break;
		case 'c':
			if (num_parse_str(optarg, 1, 1024, &conc) == -1)
				return 2;
			break;
		case 'p': page = optarg; break;
		case 't': tag = optarg; break;
		case 'o': outpath = optarg; break;
		default:
			return 2;
		}
	}
	if (url == NULL || secret == NULL) {
		fprintf(stderr, "usage: hgload -u URL -s SECRET [-n N] [-c C] "
		    "[-p PAGE] [-t TAG] [-o RESULTS]\n");
		return 2;
	}
	if (outpath != NULL && (out = fopen(outpath, "w")) == NULL)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((jobs = calloc((size_t)n, sizeof(*jobs))) == NULL ||
	    (m = curl_multi_init()) == NULL)
		return 1;
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)conc);
	for (; next < n && next < conc; next++) {
		if (job_make(&jobs[next], url, secret, page, tag, next) == -1)
			return 1;
		curl_multi_add_handle(m, jobs[next].h);
	}
	while (done < n) {
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct job	*j;
			long		 status = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &j);
			if (msg->data.result == CURLE_OK)
				curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE,
				    &status);
			if (status == 200)
				ok++;
			else if (status == 0)
				failed++;
			else
				other++;
			if (out != NULL)
				fprintf(out, "%s %ld\n", j->sha, status);
			curl_multi_remove_handle(m, j->h);
			curl_easy_cleanup(j->h);
			job_free(j);
			done++;
			if (next < n) {
				if (job_make(&jobs[next], url, secret, page, tag,
				    next) == -1)
					return 1;
				curl_multi_add_handle(m, jobs[next].h);
				next++;
			}
		}
		if (done < n)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	printf("sent=%ld ok=%ld other=%ld failed=%ld\n", done, ok, other,
	    failed);
	if (out != NULL)
		fclose(out);
	curl_multi_cleanup(m);
	free(jobs);
	curl_global_cleanup();
	return 0;
}
