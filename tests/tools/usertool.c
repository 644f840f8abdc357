/*
 * usertool: people and sessions for the integration tests, through the
 * storage API (no sign-in page needed), on the database of
 * $HUBGATE_CONFIG.
 *
 *   usertool user EMAIL NAME ROLE WORKSPACE [operator]
 *       add a user without a password, member of WORKSPACE with ROLE;
 *       prints the id
 *   usertool member USER ROLE WORKSPACE
 *       make USER a member of WORKSPACE with ROLE
 *   usertool workspace NAME
 *       add a workspace; prints its id
 *   usertool session USER WORKSPACE
 *       sign USER in to WORKSPACE; prints the cookie's value and the
 *       session's CSRF token, one per line
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_user.h"
#include "num.h"

static long long
arg_id(const char *s)
{
	long long n;

	if (num_parse_str(s, 1, 1LL << 53, &n) == -1) {
		fprintf(stderr, "usertool: not an id: %s\n", s);
		exit(2);
	}
	return n;
}

static int
cmd_session(struct db *d, long long user, long long ws)
{
	struct db_session	 s;
	char			 token[CRYPTO_TOKEN_CHARS + 1];
	unsigned char		 dig[CRYPTO_SHA256_LEN];

	memset(&s, 0, sizeof(s));
	if (crypto_token(token, sizeof(token)) == -1 ||
	    crypto_token(s.csrf_token, sizeof(s.csrf_token)) == -1)
		return -1;
	crypto_sha256(token, strlen(token), dig);
	crypto_hex(dig, sizeof(dig), s.id);
	s.user_id = user;
	s.workspace_id = ws;
	s.created_at = (long long)time(NULL);
	snprintf(s.remote, sizeof(s.remote), "127.0.0.1");
	snprintf(s.user_agent, sizeof(s.user_agent), "usertool");
	if (db_session_add(d, &s) == -1)
		return -1;
	printf("%s\n%s\n", token, s.csrf_token);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct conf	*c;
	struct db	*d;
	const char	*path = getenv("HUBGATE_CONFIG");
	char		 err[256];
	long long	 id, now = (long long)time(NULL);
	int		 rc = -1;

	if (argc < 2 || path == NULL) {
		fprintf(stderr, "usage: HUBGATE_CONFIG=... usertool "
		    "user|member|workspace|session ...\n");
		return 2;
	}
	if ((c = conf_load(path, err, sizeof(err))) == NULL ||
	    (d = db_open(c, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "usertool: %s\n", err);
		return 1;
	}
	if (strcmp(argv[1], "user") == 0 && (argc == 6 || argc == 7)) {
		if (db_user_add(d, argv[2], argv[3], NULL, argc == 7, now,
		    &id) == 1 && db_member_set(d, arg_id(argv[5]), id, argv[4],
		    now) == 0) {
			printf("%lld\n", id);
			rc = 0;
		}
	} else if (strcmp(argv[1], "member") == 0 && argc == 5)
		rc = db_member_set(d, arg_id(argv[4]), arg_id(argv[2]), argv[3],
		    now);
	else if (strcmp(argv[1], "workspace") == 0 && argc == 3) {
		if ((rc = db_workspace_add(d, argv[2], now, &id)) == 0)
			printf("%lld\n", id);
	} else if (strcmp(argv[1], "session") == 0 && argc == 4)
		rc = cmd_session(d, arg_id(argv[2]), arg_id(argv[3]));
	else {
		fprintf(stderr, "usertool: bad arguments\n");
		rc = -2;
	}
	if (rc == -1)
		fprintf(stderr, "usertool: %s\n", db_errmsg(d));
	db_close(d);
	conf_free(c);
	return rc == 0 ? 0 : rc == -2 ? 2 : 1;
}
