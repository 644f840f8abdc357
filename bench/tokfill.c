/*
 * tokfill: N WhatsApp channels with sealed system-user tokens, for the
 * token benchmark (bench/tokens.sh), written straight into the
 * database of $HUBGATE_CONFIG in one transaction: channel i has the
 * phone number id 300000000000000+i in the sandbox's WhatsApp account
 * and the token "BENCHTOKEN<i>" (the benchmark gives the fake of Meta
 * the same tokens).
 *
 *   tokfill N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "buf.h"
#include "conf.h"
#include "crypto.h"
#include "num.h"

#define WABA	"102290129340398"

int
main(int argc, char *argv[])
{
	const char	*cfg = getenv("HUBGATE_CONFIG");
	unsigned char	 key[CRYPTO_KEY_LEN];
	struct conf	*c;
	sqlite3		*h;
	sqlite3_stmt	*st;
	struct buf	 sealed;
	char		 err[256], path[1024], tok[64], meta[32], aad[96];
	long long	 n, i, now = (long long)time(NULL);
	int		 rc = 1;

	if (cfg == NULL || argc != 2 || num_parse_str(argv[1], 1, 10000000,
	    &n) == -1) {
		fprintf(stderr, "usage: HUBGATE_CONFIG=... tokfill N\n");
		return 2;
	}
	if ((c = conf_load(cfg, err, sizeof(err))) == NULL ||
	    crypto_key_parse(conf_get(c, "token_key"), key) == -1 ||
	    conf_path(c, "db_path", path, sizeof(path)) == NULL) {
		fprintf(stderr, "tokfill: the configuration: %s\n", err);
		return 1;
	}
	if (sqlite3_open(path, &h) != SQLITE_OK ||
	    sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "INSERT INTO channel (workspace_id, kind, "
	    "meta_id, parent_meta_id, name, token_sealed, token_status, "
	    "token_kind, subscribed_fields, created_at, updated_at) VALUES (1, "
	    "'whatsapp', ?1, '" WABA "', ?2, ?3, 'valid', 'system_user', "
	    "'messages', ?4, ?4)", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "tokfill: %s\n", sqlite3_errmsg(h));
		return 1;
	}
	buf_init(&sealed, 4096);
	for (i = 1; i <= n; i++) {
		snprintf(tok, sizeof(tok), "BENCHTOKEN%lld", i);
		snprintf(meta, sizeof(meta), "%lld", 300000000000000LL + i);
		snprintf(aad, sizeof(aad), "channel:whatsapp:%s", meta);
		buf_reset(&sealed);
		if (crypto_seal(key, tok, strlen(tok), aad, strlen(aad),
		    &sealed) == -1)
			goto out;
		sqlite3_bind_text(st, 1, meta, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, meta, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, sealed.data, (int)sealed.len,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now);
		if (sqlite3_step(st) != SQLITE_DONE) {
			fprintf(stderr, "tokfill: %s\n", sqlite3_errmsg(h));
			goto out;
		}
		sqlite3_reset(st);
	}
	if (sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(h);
	buf_free(&sealed);
	crypto_wipe(key, sizeof(key));
	conf_free(c);
	return rc;
}
