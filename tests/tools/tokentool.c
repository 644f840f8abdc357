/*
 * tokentool: Logins for the token tests, through the storage API, on
 * the database of $HUBGATE_CONFIG.
 *
 *   tokentool login PLATFORM META_USER_ID WORKSPACE EXPIRES_AT < TOKEN
 *       keep a Login (facebook or instagram) with the token on
 *       standard input sealed as Login does; prints its id
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_oauth.h"
#include "num.h"

int
main(int argc, char *argv[])
{
	const char		*path = getenv("HUBGATE_CONFIG");
	struct db_meta_login	 ml;
	unsigned char		 key[CRYPTO_KEY_LEN];
	struct conf		*c;
	struct db		*d;
	struct buf		 sealed;
	char			 err[256], tok[4096], aad[256];
	long long		 ws, exp;
	size_t			 n;

	if (path == NULL || argc != 6 || strcmp(argv[1], "login") != 0 ||
	    num_parse_str(argv[4], 1, 1LL << 53, &ws) == -1 ||
	    num_parse_str(argv[5], 0, 1LL << 53, &exp) == -1) {
		fprintf(stderr, "usage: HUBGATE_CONFIG=... tokentool login "
		    "PLATFORM META_USER_ID WORKSPACE EXPIRES_AT < TOKEN\n");
		return 2;
	}
	if ((c = conf_load(path, err, sizeof(err))) == NULL ||
	    (d = db_open(c, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "tokentool: %s\n", err);
		return 1;
	}
	if (fgets(tok, sizeof(tok), stdin) == NULL)
		return 1;
	n = strcspn(tok, "\r\n");
	tok[n] = '\0';
	if (crypto_key_parse(conf_get(c, "token_key"), key) == -1)
		return 1;
	buf_init(&sealed, 8192);
	snprintf(aad, sizeof(aad), "meta_login:%s:%s", argv[2], argv[3]);
	if (crypto_seal(key, tok, n, aad, strlen(aad), &sealed) == -1)
		return 1;
	memset(&ml, 0, sizeof(ml));
	ml.workspace_id = ws;
	ml.platform = argv[2];
	ml.meta_user_id = argv[3];
	ml.name = "Test Login";
	ml.token_sealed = &sealed;
	ml.token_expires_at = exp;
	ml.scopes = "pages_show_list,pages_messaging";
	ml.declined = "";
	ml.now = (long long)time(NULL);
	if (db_meta_login_put(d, &ml) == -1) {
		fprintf(stderr, "tokentool: %s\n", db_errmsg(d));
		return 1;
	}
	printf("%lld\n", ml.id);
	crypto_wipe(tok, sizeof(tok));
	crypto_wipe(key, sizeof(key));
	buf_free(&sealed);
	db_close(d);
	conf_free(c);
	return 0;
}
