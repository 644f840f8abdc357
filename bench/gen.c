/*
 * gen: write N distinct, signed webhook requests for the benchmark, one
 * per line: "<X-Hub-Signature-256 value>\t<body>".
 *
 *   gen -s SECRET -n N -k text|batch [-e ENTRIES] [-p PAGE_ID]
 *
 * text:  a Messenger text event shaped like tests/data/messenger-text.json
 * batch: one event with ENTRIES (default 1000) entries, one message each
 *
 * As in Meta's traffic, the events' times grow: event i is sent 1 ms
 * after event i - 1.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "crypto.h"
#include "num.h"

#define GEN_T0	1763856000000LL	/* the first event's time (ms) */

static void
message(struct buf *b, const char *page, long long i, long long k)
{
	buf_printf(b, "{\"id\":\"%s\",\"time\":%lld,\"messaging\":"
	    "[{\"sender\":{\"id\":\"73000000%08lld\"},\"recipient\":{\"id\":"
	    "\"%s\"},\"timestamp\":%lld,\"message\":{\"mid\":"
	    "\"m_bench_%lld_%lld\",\"text\":\"Hi! Do you ship to Lisbon? "
	    "(%lld)\"}}]}", page, GEN_T0 + i + 100, k, page, GEN_T0 + i, i, k,
	    i);
}

int
main(int argc, char *argv[])
{
	const char	*secret = NULL, *kind = "text", *page = "104857600000001";
	long long	 n = 1000, entries = 1000, i, k;
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	char		 hex[2 * CRYPTO_SHA256_LEN + 1];
	struct buf	 b;
	int		 ch;

	while ((ch = getopt(argc, argv, "s:n:k:e:p:")) != -1) {
		switch (ch) {
		case 's': secret = optarg; break;
		case 'k': kind = optarg; break;
		case 'p': page = optarg; break;
		case 'n':
			if (num_parse_str(optarg, 1, 100000000, &n) == -1)
				return 2;
			break;
		case 'e':
			if (num_parse_str(optarg, 1, 100000, &entries) == -1)
				return 2;
			break;
		default:
			return 2;
		}
	}
	if (secret == NULL || (strcmp(kind, "text") && strcmp(kind, "batch"))) {
		fprintf(stderr, "usage: gen -s SECRET -n N -k text|batch "
		    "[-e ENTRIES] [-p PAGE]\n");
		return 2;
	}
	if (strcmp(kind, "text") == 0)
		entries = 1;
	buf_init(&b, 64L * 1024 * 1024);
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		buf_puts(&b, "{\"object\":\"page\",\"entry\":[");
		for (k = 0; k < entries; k++) {
			if (k > 0)
				buf_putc(&b, ',');
			message(&b, page, i, k);
		}
		buf_puts(&b, "]}");
		if (b.err)
			return 1;
		crypto_hmac_sha256(secret, strlen(secret), b.data, b.len, mac);
		crypto_hex(mac, sizeof(mac), hex);
		printf("sha256=%s\t%s\n", hex, b.data);
	}
	buf_free(&b);
	return 0;
}
