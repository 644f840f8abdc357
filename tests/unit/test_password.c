/*
 * Unit tests for lib/core/password: hash and verify, the stored
 * string's shape, parameter upgrade, malformed hashes, the dummy
 * verification's cost, and the refusal of weak passwords.
 */
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "password.h"
#include "test.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_hash_verify(void)
{
	char	 h1[HG_PASSWORD_HASH_MAX], h2[HG_PASSWORD_HASH_MAX];
	char	 bad[HG_PASSWORD_HASH_MAX];

	EQ_INT(password_hash("correct horse battery", h1, sizeof(h1)), 0,
	    "hash");
	OK(strncmp(h1, "scrypt$1024$8$1$", 16) == 0, "self-describing prefix");
	OK(strstr(h1, "correct") == NULL, "no clear text in the hash");
	EQ_INT(password_hash("correct horse battery", h2, sizeof(h2)), 0,
	    "hash again");
	OK(strcmp(h1, h2) != 0, "a fresh salt each time");
	EQ_INT(password_verify("correct horse battery", h1), 1, "right one");
	EQ_INT(password_verify("correct horse batterY", h1), 0, "wrong one");
	EQ_INT(password_verify("", h1), 0, "empty one");
	EQ_INT(password_hash("x", h1, 20), -1, "too small a buffer");

	/* Altered or malformed stored strings never match. */
	password_hash("correct horse battery", h1, sizeof(h1));
	memcpy(bad, h1, sizeof(bad));
	bad[strlen(bad) - 2] = bad[strlen(bad) - 2] == 'A' ? 'B' : 'A';
	EQ_INT(password_verify("correct horse battery", bad), 0,
	    "altered key");
	EQ_INT(password_verify("correct horse battery", "scrypt$1024$8$1$"),
	    0, "truncated");
	EQ_INT(password_verify("correct horse battery", "bcrypt$x"), 0,
	    "another scheme");
	EQ_INT(password_verify("correct horse battery",
	    "scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 0,
	    "N not a power of two");
	EQ_INT(password_verify("correct horse battery",
	    "scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 0,
	    "N beyond the ceiling");
	EQ_INT(password_verify("correct horse battery", NULL), 0, "no hash");
}

static void
test_known_answer(void)
{
	unsigned char	 key[32];
	char		 hex[65];

	/* RFC 7914 section 12, third vector, first 32 bytes. */
	EQ_INT(crypto_scrypt("pleaseletmein", 13, "SodiumChloride", 14, 16384,
	    8, 1, 64ULL << 20, key, sizeof(key)), 0, "scrypt runs");
	crypto_hex(key, sizeof(key), hex);
	EQ_STR(hex, "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6"
	    "545da1f2", "RFC 7914 vector");
	EQ_INT(crypto_scrypt("x", 1, "y", 1, 1000, 8, 1, 64ULL << 20, key,
	    sizeof(key)), -1, "N not a power of two refused");
	/* The stored form a hash of this module takes, built by hand. */
	EQ_INT(password_verify("password",
	    "scrypt$1024$8$1$TmFDbA$/bq+HJ00cgB4VucZDQHp/nxq18vII3gw53N2Y0s3MWI"),
	    0, "standard base64 and a short salt are refused");
}

static void
test_upgrade(void)
{
	struct password_cost	 low = { 1024, 8, 1 }, high = { 2048, 8, 1 };
	char			 h[HG_PASSWORD_HASH_MAX];

	password_set_cost(&low);
	password_hash("correct horse battery", h, sizeof(h));
	EQ_INT(password_needs_upgrade(h), 0, "current cost: no upgrade");
	password_set_cost(&high);
	EQ_INT(password_needs_upgrade(h), 1, "lower N: upgrade");
	EQ_INT(password_verify("correct horse battery", h), 1,
	    "an old hash still verifies under a higher cost");
	password_hash("correct horse battery", h, sizeof(h));
	OK(strncmp(h, "scrypt$2048$8$1$", 16) == 0, "new hash at the new cost");
	EQ_INT(password_needs_upgrade(h), 0, "rehashed: no upgrade");
	EQ_INT(password_needs_upgrade("garbage"), 1, "unreadable: upgrade");
	password_set_cost(&low);

	EQ_INT(password_set_cost(&(struct password_cost){ 1000, 8, 1 }), -1,
	    "N must be a power of two");
	EQ_INT(password_set_cost(&(struct password_cost){ 1ULL << 21, 8, 1 }),
	    -1, "N above the ceiling");
	EQ_INT(password_set_cost(&(struct password_cost){ 1024, 0, 1 }), -1,
	    "r of 0");
}

static void
test_dummy_cost(void)
{
	struct password_cost	 c = { 1ULL << 14, 8, 1 }, low = { 1024, 8, 1 };
	char			 h[HG_PASSWORD_HASH_MAX];
	double			 t0, real, dummy;
	int			 i;

	password_set_cost(&c);
	password_hash("correct horse battery", h, sizeof(h));
	t0 = now_s();
	for (i = 0; i < 3; i++)
		password_verify("wrong password here", h);
	real = now_s() - t0;
	t0 = now_s();
	for (i = 0; i < 3; i++)
		password_verify_dummy("wrong password here");
	dummy = now_s() - t0;
	printf("# verify %.3fs, dummy %.3fs\n", real, dummy);
	OK(dummy > real / 3 && dummy < real * 3,
	    "the dummy verification costs what a real one costs");
	t0 = now_s();
	for (i = 0; i < 3; i++)
		password_verify("wrong password here", "not a hash");
	dummy = now_s() - t0;
	OK(dummy > real / 3, "a malformed hash costs a verification too");
	password_set_cost(&low);
}

static void
test_weak(void)
{
	OK(password_weak("short", NULL) != NULL, "under 10 characters");
	OK(password_weak("123456789", NULL) != NULL, "9 characters");
	OK(password_weak("ééééééééé", NULL) != NULL,
	    "9 characters in 18 bytes");
	OK(password_weak("aaaaaaaaaaaa", NULL) != NULL, "one character");
	OK(password_weak("password123", NULL) != NULL, "common");
	OK(password_weak("PassWord123", NULL) != NULL, "common, any case");
	OK(password_weak("1234567890", NULL) != NULL, "digits in a row");
	OK(password_weak("qwertyuiop", NULL) != NULL, "keyboard row");
	OK(password_weak("ana@example.org", "Ana@Example.org") != NULL,
	    "the e-mail address");
	EQ_INT(password_common("iloveyou123"), 1, "on the list");
	EQ_INT(password_common("violet kayak 42"), 0, "not on the list");
	OK(password_weak("violet kayak 42", "ana@example.org") == NULL,
	    "a good one passes");
	OK(password_weak("ééééééééée", NULL) == NULL,
	    "10 characters of UTF-8 pass");
	{
		char big[HG_PASSWORD_MAX + 2];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		big[5] = 'b';
		OK(password_weak(big, NULL) != NULL, "too long");
		big[HG_PASSWORD_MAX] = '\0';
		OK(password_weak(big, NULL) == NULL, "at the limit");
	}
}

int
main(void)
{
	struct password_cost	 def, low = { 1024, 8, 1 };

	password_get_cost(&def);
	EQ_INT(def.N, 32768, "default N");
	EQ_INT(def.r, 8, "default r");
	EQ_INT(def.p, 1, "default p");
	password_set_cost(&low);
	test_hash_verify();
	test_known_answer();
	test_upgrade();
	test_dummy_cost();
	test_weak();
	return test_done();
}
