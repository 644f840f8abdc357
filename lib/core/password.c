/*
 * password: scrypt hashes in a self-describing string, the cost of new
 * ones, and the refusal of weak passwords.  See password.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "num.h"
#include "password.h"
#include "utf8.h"

#define PW_SALT_LEN	16
#define PW_KEY_LEN	32
/* base64url of the salt and of the key, without padding. */
#define PW_SALT_CHARS	22
#define PW_KEY_CHARS	43

static struct password_cost pw_cost = { 1ULL << 15, 8, 1 };

/*
 * The most common passwords of ten characters or more, as the public
 * breach corpora rank them (shorter ones fail the length rule anyway).
 * Lower case: compared without case.
 */
static const char *const pw_common[] = {
	"1234567890", "0123456789", "0987654321", "9876543210",
	"1111111111", "0000000000", "1234512345", "1122334455",
	"1q2w3e4r5t", "1qaz2wsx3edc", "qazwsxedcrfv", "zaq12wsxcde3",
	"qwertyuiop", "qwerty1234", "qwerty12345", "qwerty123456",
	"asdfghjkl;", "asdfghjkl1", "zxcvbnm123", "1234qwerasdf",
	"password12", "password123", "password1234", "password!1",
	"password01", "passw0rd123", "p@ssw0rd123", "p@ssword123",
	"mypassword", "mypassword1", "newpassword", "changeme123",
	"iloveyou12", "iloveyou123", "iloveyou1234", "sunshine12",
	"princess123", "football123", "baseball123", "basketball",
	"superman123", "batman1234", "starwars123", "pokemon1234",
	"welcome123", "welcome1234", "welcome2024", "welcome2025",
	"letmein123", "letmein1234", "trustno1234", "abcdefghij",
	"abcd123456", "abc1234567", "a123456789", "q123456789",
	"administrator", "admin12345", "admin123456", "adminadmin",
	"rootpassword", "computer123", "internet123", "whatsapp123",
	"facebook123", "instagram123", "monkey1234", "dragon1234",
	"master1234", "shadow1234", "michael123", "jennifer123",
	"1q2w3e4r5t6y", "123qweasdzxc", "qweasdzxc123", "asdasdasd1",
	"12345678910", "123456789a", "123456789q", "1234567890a",
	"hubgate123", "hubgate1234", "summer2024", "winter2024",
	"spring2025", "autumn2025", "password2024", "password2025",
};

void
password_get_cost(struct password_cost *c)
{
	*c = pw_cost;
}

int
password_set_cost(const struct password_cost *c)
{
	if (c->N < 2 || (c->N & (c->N - 1)) != 0 || c->N > HG_SCRYPT_N_MAX ||
	    c->r == 0 || c->r > HG_SCRYPT_R_MAX || c->p == 0 ||
	    c->p > HG_SCRYPT_P_MAX)
		return -1;
	pw_cost = *c;
	return 0;
}

int
password_common(const char *pw)
{
	size_t i;

	for (i = 0; i < sizeof(pw_common) / sizeof(pw_common[0]); i++)
		if (strcasecmp(pw, pw_common[i]) == 0)
			return 1;
	return 0;
}

const char *
password_weak(const char *pw, const char *email)
{
	size_t	 i, len = strlen(pw);
	long	 chars = utf8_chars(pw, len);

	if (chars < 0)
		return "the password is not valid UTF-8 text";
	if (chars < HG_PASSWORD_MIN)
		return "the password must have at least "
		    HG_STR(HG_PASSWORD_MIN) " characters";
	if (len > HG_PASSWORD_MAX)
		return "the password must have at most "
		    HG_STR(HG_PASSWORD_MAX) " bytes";
	for (i = 1; i < len && pw[i] == pw[0]; i++)
		;
	if (i == len)
		return "the password repeats one character";
	if (password_common(pw))
		return "the password is one of the most common ones";
	if (email != NULL && strcasecmp(pw, email) == 0)
		return "the password is the e-mail address";
	return NULL;
}

/* The cost of a known maximum memory: scrypt needs 128 * r * N * p
 * bytes and a little more; allow twice that. */
static unsigned long long
pw_maxmem(const struct password_cost *c)
{
	return 256ULL * c->r * c->N * c->p + (1ULL << 20);
}

/* The derived key of pw under salt and c into key; 0 or -1. */
static int
pw_derive(const char *pw, const unsigned char *salt,
    const struct password_cost *c, unsigned char key[PW_KEY_LEN])
{
	return crypto_scrypt(pw, strlen(pw), salt, PW_SALT_LEN, c->N, c->r,
	    c->p, pw_maxmem(c), key, PW_KEY_LEN);
}

int
password_hash(const char *pw, char *out, size_t outsz)
{
	unsigned char	 salt[PW_SALT_LEN], key[PW_KEY_LEN];
	char		 s64[PW_SALT_CHARS + 1], k64[PW_KEY_CHARS + 1];
	int		 n, rc = -1;

	if (crypto_random(salt, sizeof(salt)) == -1 ||
	    pw_derive(pw, salt, &pw_cost, key) == -1)
		goto out;
	if (crypto_b64url_encode(salt, sizeof(salt), s64, sizeof(s64)) == -1 ||
	    crypto_b64url_encode(key, sizeof(key), k64, sizeof(k64)) == -1)
		goto out;
	n = snprintf(out, outsz, "scrypt$%llu$%lu$%lu$%s$%s", pw_cost.N,
	    pw_cost.r, pw_cost.p, s64, k64);
	if (n > 0 && (size_t)n < outsz)
		rc = 0;
out:
	crypto_wipe(key, sizeof(key));
	crypto_wipe(k64, sizeof(k64));
	return rc;
}

/* Read a stored hash into its cost, salt and key; 0 or -1. */
static int
pw_parse(const char *stored, struct password_cost *c,
    unsigned char salt[PW_SALT_LEN], unsigned char key[PW_KEY_LEN])
{
	const char	*part[6], *p = stored, *end;
	size_t		 len[6];
	long long	 v;
	int		 i;

	if (stored == NULL || strlen(stored) >= HG_PASSWORD_HASH_MAX)
		return -1;
	for (i = 0; i < 6; i++) {
		end = strchr(p, '$');
		if ((end == NULL) != (i == 5))
			return -1;
		part[i] = p;
		len[i] = end != NULL ? (size_t)(end - p) : strlen(p);
		p = end != NULL ? end + 1 : p + len[i];
	}
	if (len[0] != 6 || memcmp(part[0], "scrypt", 6) != 0)
		return -1;
	if (num_parse(part[1], len[1], 2, (long long)HG_SCRYPT_N_MAX, &v) == -1)
		return -1;
	c->N = (unsigned long long)v;
	if (num_parse(part[2], len[2], 1, HG_SCRYPT_R_MAX, &v) == -1)
		return -1;
	c->r = (unsigned long)v;
	if (num_parse(part[3], len[3], 1, HG_SCRYPT_P_MAX, &v) == -1)
		return -1;
	c->p = (unsigned long)v;
	if ((c->N & (c->N - 1)) != 0)
		return -1;
	if (crypto_b64url_decode(part[4], len[4], salt, PW_SALT_LEN) !=
	    PW_SALT_LEN || crypto_b64url_decode(part[5], len[5], key,
	    PW_KEY_LEN) != PW_KEY_LEN)
		return -1;
	return 0;
}

int
password_verify(const char *pw, const char *stored)
{
	struct password_cost	 c;
	unsigned char		 salt[PW_SALT_LEN], want[PW_KEY_LEN];
	unsigned char		 got[PW_KEY_LEN];
	int			 rc;

	if (pw_parse(stored, &c, salt, want) == -1) {
		/* Spend the same time: a broken row reveals nothing. */
		password_verify_dummy(pw);
		return 0;
	}
	if (strlen(pw) > HG_PASSWORD_MAX)
		rc = 0;
	else if (pw_derive(pw, salt, &c, got) == -1)
		rc = -1;
	else
		rc = crypto_equal(got, want, PW_KEY_LEN);
	crypto_wipe(got, sizeof(got));
	crypto_wipe(want, sizeof(want));
	return rc;
}

void
password_verify_dummy(const char *pw)
{
	static const unsigned char salt[PW_SALT_LEN] = "hubgate-no-user";
	unsigned char key[PW_KEY_LEN];

	if (strlen(pw) <= HG_PASSWORD_MAX)
		(void)pw_derive(pw, salt, &pw_cost, key);
	crypto_wipe(key, sizeof(key));
}

int
password_needs_upgrade(const char *stored)
{
	struct password_cost	 c;
	unsigned char		 salt[PW_SALT_LEN], key[PW_KEY_LEN];
	int			 rc;

	rc = pw_parse(stored, &c, salt, key) == -1 || c.N < pw_cost.N ||
	    c.r < pw_cost.r || c.p < pw_cost.p;
	crypto_wipe(key, sizeof(key));
	return rc;
}
