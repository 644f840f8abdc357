/*
 * Unit tests for lib/conf: parsing, validation with file:line messages,
 * environment overrides, paths, lists, secrets and warnings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "limits.h"
#include "test.h"

/* 43 base64url characters: 32 bytes. */
#define GOOD_KEY	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

static char	 err[512];

static struct conf *
load(const char *text)
{
	return conf_load_string(text, "t.conf", err, sizeof(err));
}

/* 1 when loading text fails with a message starting with want. */
static int
fails_with(const char *text, const char *want)
{
	struct conf *c = load(text);

	if (c != NULL) {
		conf_free(c);
		printf("#   loaded, want error \"%s\"\n", want);
		return 0;
	}
	if (strncmp(err, want, strlen(want)) != 0) {
		printf("#   error \"%s\", want \"%s...\"\n", err, want);
		return 0;
	}
	return 1;
}

static void
test_defaults(void)
{
	struct conf *c = load("");

	OK(c != NULL, "empty text loads");
	if (c == NULL)
		return;
	EQ_STR(conf_get(c, "durability"), "full", "default durability");
	EQ_STR(conf_get(c, "log_level"), "info", "default log_level");
	EQ_STR(conf_get(c, "db_path"), "hubgate.db", "default db_path");
	EQ_STR(conf_get(c, "app_secret"), "", "default app_secret empty");
	EQ_STR(conf_get(c, "token_key"), "", "default token_key empty");
	EQ_STR(conf_get(c, "sandbox"), "no", "default sandbox");
	EQ_INT(conf_get_int(c, "busy_timeout_ms"), 3000, "default busy timeout");
	EQ_INT(conf_get_int(c, "webhook_max_body"), HG_WEBHOOK_BODY_DEFAULT,
	    "default max body is the named limit");
	EQ_INT(conf_get_int(c, "fcgi_threads"), 8, "default threads");
	OK(conf_get(c, "nope") == NULL, "unknown key: NULL");
	OK(conf_get(c, "") == NULL, "empty key: NULL");
	OK(conf_get(c, "app_secret ") == NULL, "key with a space: NULL");
	OK(conf_get(c, "APP_SECRET") == NULL, "keys are lower case");
	EQ_INT(conf_get_int(c, "nope"), 0, "unknown int key: 0");
	EQ_STR(conf_file(c), "t.conf", "file name kept");
	conf_free(c);
	conf_free(NULL);
}

static void
test_parse(void)
{
	struct conf *c;

	c = load("# a comment\n"
	    "\n"
	    "   \t\n"
	    "  # indented comment\n"
	    "app_id=123\n"
	    "  verify_token \t=\t  vt value with spaces  \r\n"
	    "app_secret = a=b#c-0123456789abc\n"
	    "busy_timeout_ms = 100\n"
	    "durability = normal\n"
	    "log_level=debug\n"
	    "token_key = " GOOD_KEY "\n"
	    "state_secret =\n"
	    "webhook_max_body = 67108864\n"
	    "fcgi_threads = 256");
	OK(c != NULL, "full file loads");
	if (c == NULL) {
		printf("#   %s\n", err);
		return;
	}
	EQ_STR(conf_get(c, "app_id"), "123", "no spaces around =");
	EQ_STR(conf_get(c, "verify_token"), "vt value with spaces",
	    "blanks trimmed, CR dropped, inner spaces kept");
	EQ_STR(conf_get(c, "app_secret"), "a=b#c-0123456789abc",
	    "'=' and '#' (not after a blank) in a value");
	EQ_INT(conf_get_int(c, "busy_timeout_ms"), 100, "int value");
	EQ_STR(conf_get(c, "durability"), "normal", "enum value");
	EQ_STR(conf_get(c, "log_level"), "debug", "last enum choice");
	EQ_STR(conf_get(c, "token_key"), GOOD_KEY, "token key");
	EQ_STR(conf_get(c, "state_secret"), "", "empty value allowed for text");
	EQ_INT(conf_get_int(c, "webhook_max_body"), HG_WEBHOOK_BODY_CEILING,
	    "max body at the ceiling");
	EQ_INT(conf_get_int(c, "fcgi_threads"), HG_THREADS_MAX,
	    "last line without a newline");
	conf_free(c);

	c = load("sandbox = yes\nsandbox_x = 1\n");
	OK(c == NULL, "a key that extends a known one is unknown");
	conf_free(c);
}

static void
test_errors(void)
{
	char	 big[HG_CONF_LINE_MAX + 64];
	size_t	 n;

	OK(fails_with("app_id = 1\n\nnope = 2\n", "t.conf:3: unknown key 'nope'"),
	    "unknown key names file and line");
	OK(fails_with("APP_ID = 1\n", "t.conf:1: unknown key 'APP_ID'"),
	    "keys are case-sensitive");
	OK(fails_with("= 1\n", "t.conf:1: unknown key ''"), "empty key");
	OK(fails_with("app id = 1\n", "t.conf:1: unknown key"), "key with space");
	OK(fails_with("app_id 1\n", "t.conf:1: expected key = value"),
	    "missing '='");
	OK(fails_with("# c\napp_secret\n", "t.conf:2: expected key = value"),
	    "key alone");
	OK(fails_with("app_id: 1\n", "t.conf:1: expected key = value"),
	    "colon instead of '='");
	OK(fails_with("app_id = 1\r\n# x\r\n\r\napp_id = 2\r\n",
	    "t.conf:4: 'app_id' set twice"), "set twice, CRLF lines counted");
	OK(fails_with("app_secret = a\napp_secret = a\n",
	    "t.conf:2: 'app_secret' set twice"), "set twice to the same value");

	/* Integers. */
	OK(fails_with("busy_timeout_ms = abc\n",
	    "t.conf:1: busy_timeout_ms: not a whole number in range"), "bad int");
	OK(fails_with("busy_timeout_ms = 0\n", "t.conf:1: busy_timeout_ms:"),
	    "int below min");
	OK(fails_with("busy_timeout_ms = 60001\n", "t.conf:1: busy_timeout_ms:"),
	    "int above max");
	OK(fails_with("busy_timeout_ms = -5\n", "t.conf:1: busy_timeout_ms:"),
	    "negative int");
	OK(fails_with("busy_timeout_ms = 0100\n", "t.conf:1: busy_timeout_ms:"),
	    "leading zero");
	OK(fails_with("busy_timeout_ms = 1.5\n", "t.conf:1: busy_timeout_ms:"),
	    "fraction");
	OK(fails_with("busy_timeout_ms = 1 000\n", "t.conf:1: busy_timeout_ms:"),
	    "inner space");
	OK(fails_with("busy_timeout_ms = +100\n", "t.conf:1: busy_timeout_ms:"),
	    "plus sign");
	OK(fails_with("busy_timeout_ms =\n", "t.conf:1: busy_timeout_ms:"),
	    "empty int");
	OK(fails_with("busy_timeout_ms = 99999999999999999999999\n",
	    "t.conf:1: busy_timeout_ms:"), "huge int");
	OK(fails_with("webhook_max_body = 67108865\n",
	    "t.conf:1: webhook_max_body:"), "max body past the ceiling");
	OK(fails_with("fcgi_threads = 257\n", "t.conf:1: fcgi_threads:"),
	    "threads past the limit");

	/* Enums. */
	OK(fails_with("durability = fast\n",
	    "t.conf:1: durability: not one of the allowed values"), "bad enum");
	OK(fails_with("durability = FULL\n", "t.conf:1: durability:"),
	    "enum is case-sensitive");
	OK(fails_with("durability =\n", "t.conf:1: durability:"), "empty enum");
	OK(fails_with("durability = ful\n", "t.conf:1: durability:"),
	    "prefix of a choice");
	OK(fails_with("durability = fulll\n", "t.conf:1: durability:"),
	    "choice plus a letter");
	OK(fails_with("durability = full|normal\n", "t.conf:1: durability:"),
	    "the choice list itself is not a choice");
	OK(fails_with("log_level = info|warn\n", "t.conf:1: log_level:"),
	    "two choices joined are not a choice");
	OK(fails_with("log_level = |\n", "t.conf:1: log_level:"),
	    "separator alone");
	OK(fails_with("sandbox = maybe\n", "t.conf:1: sandbox:"), "yes|no");

	/* token_key. */
	OK(fails_with("token_key = abc\n",
	    "t.conf:1: token_key: not 32 bytes in base64url"), "short key");
	OK(fails_with("token_key = " GOOD_KEY "=\n", "t.conf:1: token_key:"),
	    "padded key");
	OK(fails_with("token_key = " GOOD_KEY "A\n", "t.conf:1: token_key:"),
	    "44 characters");
	OK(fails_with("token_key = AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+\n",
	    "t.conf:1: token_key:"), "standard base64 '+'");
	OK(fails_with("token_key = AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh/\n",
	    "t.conf:1: token_key:"), "standard base64 '/'");
	OK(fails_with("token_key = AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHhB\n",
	    "t.conf:1: token_key:"), "non-canonical trailing bits");
	OK(fails_with("token_key = AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw dHh8\n",
	    "t.conf:1: token_key:"), "space inside the key");
	{
		struct conf *c = load("token_key = SECRETSECRETSECRETSECRET\n");

		OK(c == NULL && strstr(err, "SECRET") == NULL,
		    "a bad secret value is not echoed");
		conf_free(c);
	}

	/* Long lines. */
	n = (size_t)snprintf(big, sizeof(big), "app_id = ");
	memset(big + n, 'x', HG_CONF_LINE_MAX - n);
	big[HG_CONF_LINE_MAX] = '\0';
	{
		struct conf *c = load(big);

		OK(c != NULL, "a line of exactly the max loads");
		conf_free(c);
	}
	big[HG_CONF_LINE_MAX] = 'x';
	big[HG_CONF_LINE_MAX + 1] = '\0';
	OK(fails_with(big, "t.conf:1: line too long"), "a line one past the max");

	/* An error on a later line after valid ones. */
	OK(fails_with("app_id = 1\nverify_token = v\n\n# x\nbusy_timeout_ms = x\n",
	    "t.conf:5: "), "line numbers count blanks and comments");
}

static void
test_env(void)
{
	struct conf *c;

	setenv("HUBGATE_BUSY_TIMEOUT_MS", "250", 1);
	setenv("HUBGATE_APP_SECRET", "from-env-0123456789", 1);
	c = load("busy_timeout_ms = 100\n");
	OK(c != NULL, "loads with env overrides");
	if (c != NULL) {
		EQ_INT(conf_get_int(c, "busy_timeout_ms"), 250,
		    "env overrides the file");
		EQ_STR(conf_get(c, "app_secret"), "from-env-0123456789",
		    "env sets an unset key");
		OK(conf_warning(c, 0) == NULL ||
		    strstr(conf_warning(c, 0), "app_secret") == NULL,
		    "no app_secret warning once set by env");
	}
	conf_free(c);
	unsetenv("HUBGATE_APP_SECRET");

	setenv("HUBGATE_BUSY_TIMEOUT_MS", "0", 1);
	OK(load("") == NULL && strncmp(err, "HUBGATE_BUSY_TIMEOUT_MS: ", 25) == 0,
	    "bad env int names the variable");
	setenv("HUBGATE_BUSY_TIMEOUT_MS", "", 1);
	OK(load("") == NULL, "empty env int refused");
	unsetenv("HUBGATE_BUSY_TIMEOUT_MS");

	setenv("HUBGATE_DURABILITY", "sometimes", 1);
	OK(load("") == NULL && strstr(err, "HUBGATE_DURABILITY") != NULL,
	    "bad env enum names the variable");
	setenv("HUBGATE_DURABILITY", "normal", 1);
	c = load("durability = full\n");
	OK(c != NULL && strcmp(conf_get(c, "durability"), "normal") == 0,
	    "env enum overrides");
	conf_free(c);
	unsetenv("HUBGATE_DURABILITY");

	setenv("HUBGATE_TOKEN_KEY", "short", 1);
	OK(load("") == NULL && strstr(err, "HUBGATE_TOKEN_KEY") != NULL &&
	    strstr(err, "short") == NULL, "bad env key refused, not echoed");
	unsetenv("HUBGATE_TOKEN_KEY");

	setenv("hubgate_app_id", "lower", 1);
	c = load("");
	OK(c != NULL && strcmp(conf_get(c, "app_id"), "") == 0,
	    "lower-case env name ignored");
	conf_free(c);
	unsetenv("hubgate_app_id");

	c = load("");
	OK(c != NULL && conf_get_int(c, "busy_timeout_ms") == 3000,
	    "unset env: default again");
	conf_free(c);
}

static void
test_secret(void)
{
	EQ_INT(conf_is_secret("app_secret"), 1, "app_secret is secret");
	EQ_INT(conf_is_secret("verify_token"), 1, "verify_token is secret");
	EQ_INT(conf_is_secret("token_key"), 1, "token_key is secret");
	EQ_INT(conf_is_secret("state_secret"), 1, "state_secret is secret");
	EQ_INT(conf_is_secret("app_id"), 0, "app_id is not");
	EQ_INT(conf_is_secret("db_path"), 0, "db_path is not");
	EQ_INT(conf_is_secret("busy_timeout_ms"), 0, "busy_timeout_ms is not");
	EQ_INT(conf_is_secret("nope"), 0, "unknown is not");
	EQ_INT(conf_is_secret(""), 0, "empty is not");
	EQ_INT(conf_is_secret("app_secret_x"), 0, "longer name is not");
	EQ_INT(conf_is_secret("app_secre"), 0, "shorter name is not");
}

static void
test_paths(void)
{
	struct conf	*c;
	char		 out[64];

	c = conf_load_string("", "etc/hub/x.conf", err, sizeof(err));
	OK(c != NULL && conf_path(c, "db_path", out, sizeof(out)) != NULL &&
	    strcmp(out, "etc/hub/hubgate.db") == 0,
	    "relative db_path beside the file");
	OK(c != NULL && conf_path(c, "db_path", out, 18) == NULL,
	    "does not fit: NULL");
	OK(c != NULL && conf_path(c, "db_path", out, 19) == out,
	    "just fits");
	OK(c != NULL && conf_path(c, "nope", out, sizeof(out)) == NULL,
	    "unknown key: NULL");
	conf_free(c);

	c = conf_load_string("db_path = /var/db/h.db\n", "etc/x.conf", err,
	    sizeof(err));
	OK(c != NULL && conf_path(c, "db_path", out, sizeof(out)) != NULL &&
	    strcmp(out, "/var/db/h.db") == 0, "absolute db_path kept");
	conf_free(c);

	c = conf_load_string("db_path = d/h.db\n", "/x.conf", err, sizeof(err));
	OK(c != NULL && conf_path(c, "db_path", out, sizeof(out)) != NULL &&
	    (strcmp(out, "/d/h.db") == 0 || strcmp(out, "//d/h.db") == 0),
	    "file in /: path under /");
	conf_free(c);

	c = conf_load_string("", "x.conf", err, sizeof(err));
	OK(c != NULL && conf_path(c, "db_path", out, sizeof(out)) != NULL &&
	    strcmp(out, "./hubgate.db") == 0, "no directory: ./");
	conf_free(c);
}

static void
test_lists(void)
{
	struct conf	*c;
	char		 out[8];

	c = load("sandbox = yes\napp_id = sandbox-1\n"
	    "app_secret = a, bb ,,\tccc\t, ,d\n");
	if (c == NULL) {
		OK(0, "list loads");
		return;
	}
	EQ_INT(conf_list_item(c, "app_secret", 0, out, sizeof(out)), 1, "item 0");
	EQ_STR(out, "a", "item 0 value");
	EQ_INT(conf_list_item(c, "app_secret", 1, out, sizeof(out)), 1, "item 1");
	EQ_STR(out, "bb", "item 1 trimmed");
	EQ_INT(conf_list_item(c, "app_secret", 2, out, sizeof(out)), 1, "item 2");
	EQ_STR(out, "ccc", "empty items skipped, tabs trimmed");
	EQ_INT(conf_list_item(c, "app_secret", 3, out, sizeof(out)), 1, "item 3");
	EQ_STR(out, "d", "item 3 value");
	EQ_INT(conf_list_item(c, "app_secret", 4, out, sizeof(out)), 0,
	    "past the end");
	EQ_INT(conf_list_item(c, "app_secret", 1000, out, sizeof(out)), 0,
	    "far past the end");
	EQ_INT(conf_list_item(c, "app_secret", 2, out, 3), -1,
	    "does not fit: -1");
	EQ_INT(conf_list_item(c, "app_secret", 2, out, 4), 1, "just fits");
	EQ_INT(conf_list_item(c, "nope", 0, out, sizeof(out)), 0, "unknown key");
	EQ_INT(conf_list_item(c, "verify_token", 0, out, sizeof(out)), 0,
	    "empty value: no items");
	conf_free(c);

	c = load("app_secret = , ,\n");
	OK(c != NULL && conf_list_item(c, "app_secret", 0, out, sizeof(out)) == 0,
	    "only separators: no items");
	conf_free(c);
}

static void
test_warnings(void)
{
	struct conf	*c;
	size_t		 i;
	int		 found, leak;

	c = load("");
	found = 0;
	for (i = 0; c != NULL && conf_warning(c, i) != NULL; i++)
		if (strstr(conf_warning(c, i), "app_secret") != NULL)
			found = 1;
	OK(found, "warning about a missing app_secret");
	OK(c != NULL && i >= 5, "a warning per missing secret or id");
	conf_free(c);

	c = load("app_id = 1\napp_secret = S3CRET-A-0123456789\n"
	    "verify_token = S3CRET-B-0123456789\n"
	    "token_key = " GOOD_KEY "\nstate_secret = S3CRET-C\n"
	    "durability = normal\n");
	found = leak = 0;
	for (i = 0; c != NULL && conf_warning(c, i) != NULL; i++) {
		if (strstr(conf_warning(c, i), "durability") != NULL)
			found = 1;
		if (strstr(conf_warning(c, i), "S3CRET") != NULL ||
		    strstr(conf_warning(c, i), GOOD_KEY) != NULL)
			leak = 1;
	}
	OK(found, "warning about durability normal");
	EQ_INT(i, 1, "only that warning");
	OK(!leak, "no secret in any warning");
	OK(c != NULL && conf_warning(c, 99) == NULL, "past the end: NULL");
	conf_free(c);
}

static void
test_file(void)
{
	char		 dir[] = "/tmp/hg-conf-XXXXXX", path[256], e2[512];
	struct conf	*c;
	FILE		*f;
	char		*big;

	if (mkdtemp(dir) == NULL) {
		OK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/h.conf", dir);

	f = fopen(path, "w");
	fputs("# test\napp_id = 77\ndb_path = data.db\n", f);
	fclose(f);
	c = conf_load(path, e2, sizeof(e2));
	OK(c != NULL, "load from a file");
	if (c != NULL) {
		char out[300], want[300];

		EQ_STR(conf_get(c, "app_id"), "77", "value from the file");
		EQ_STR(conf_file(c), path, "conf_file is the path");
		snprintf(want, sizeof(want), "%s/data.db", dir);
		EQ_STR(conf_path(c, "db_path", out, sizeof(out)), want,
		    "db_path beside the file");
	}
	conf_free(c);

	setenv("HUBGATE_CONFIG", path, 1);
	c = conf_load(NULL, e2, sizeof(e2));
	OK(c != NULL && strcmp(conf_get(c, "app_id"), "77") == 0,
	    "NULL path: HUBGATE_CONFIG");
	conf_free(c);
	unsetenv("HUBGATE_CONFIG");

	f = fopen(path, "w");
	fputs("app_id = 1\nbogus = 2\n", f);
	fclose(f);
	c = conf_load(path, e2, sizeof(e2));
	{
		char want[300];

		snprintf(want, sizeof(want), "%s:2: unknown key 'bogus'", path);
		OK(c == NULL && strcmp(e2, want) == 0,
		    "file error names path and line");
	}
	conf_free(c);

	f = fopen(path, "w");
	fwrite("app_id = 1\0\napp_secret = x\n", 1, 27, f);
	fclose(f);
	c = conf_load(path, e2, sizeof(e2));
	OK(c == NULL && strstr(e2, "NUL") != NULL, "NUL byte in a file refused");
	conf_free(c);

	f = fopen(path, "w");
	big = malloc(HG_CONF_FILE_MAX + 2);
	memset(big, '#', HG_CONF_FILE_MAX + 1);
	fwrite(big, 1, HG_CONF_FILE_MAX + 1, f);
	fclose(f);
	free(big);
	c = conf_load(path, e2, sizeof(e2));
	OK(c == NULL && strstr(e2, "too large") != NULL && strstr(e2, path),
	    "file past the limit refused");
	conf_free(c);

	unlink(path);
	c = conf_load(path, e2, sizeof(e2));
	OK(c == NULL && strncmp(e2, path, strlen(path)) == 0,
	    "missing file: error names the path");
	conf_free(c);
	rmdir(dir);
}

/* 1 when text loads. */
static int
loads(const char *text)
{
	struct conf *c = load(text);

	if (c == NULL)
		printf("#   %s\n", err);
	conf_free(c);
	return c != NULL;
}

/* A '#' after a blank inside a value is refused, not kept nor cut. */
static void
test_inline_comment(void)
{
	OK(fails_with("app_secret = abcdef0123456789abcdef # note\n",
	    "t.conf:1: app_secret: '#' after a blank in the value: comments "
	    "go on a line of their own"), "' #' in a value is refused");
	OK(fails_with("app_id = 1\nverify_token = vt-0123456789abcdef\t# x\n",
	    "t.conf:2: verify_token: '#' after a blank"), "tab and '#' too");
	OK(fails_with("state_secret = # nothing\n", "t.conf:1: state_secret: "
	    "'#' after a blank"), "a value that is a comment is refused");
	OK(fails_with("busy_timeout_ms = 100 # ms\n", "t.conf:1: "
	    "busy_timeout_ms: '#' after a blank"), "after a number too");
	OK(strstr(err, "100") == NULL, "the error does not repeat the value");
	OK(loads("app_secret = abc#def-0123456789abc\n"),
	    "'#' inside a word is part of the value");
	OK(loads("# app_secret = x # y\n"), "a comment line may hold ' #'");
}

/* Structured values are checked at load, with file and line. */
static void
test_structured(void)
{
	OK(fails_with("app_id = 1\nretry_schedule = 1,x,30\n",
	    "t.conf:2: retry_schedule: not a comma-separated list"),
	    "retry_schedule with a word");
	OK(fails_with("retry_schedule = 1,,30\n", "t.conf:1: retry_schedule: "),
	    "retry_schedule with an empty item");
	OK(fails_with("retry_schedule = 0\n", "t.conf:1: retry_schedule: "),
	    "retry_schedule of 0 s");
	OK(fails_with("retry_schedule = 2592001\n", "t.conf:1: retry_schedule: "),
	    "retry_schedule past 30 days");
	OK(fails_with("retry_schedule =\n", "t.conf:1: retry_schedule: "),
	    "empty retry_schedule");
	OK(fails_with("retry_schedule = 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,"
	    "17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33\n",
	    "t.conf:1: retry_schedule: "), "retry_schedule of 33 steps");
	OK(loads("retry_schedule = 1, 5 ,30\n"), "retry_schedule with blanks");
	setenv("HUBGATE_RETRY_SCHEDULE", "5,soon", 1);
	OK(fails_with("", "HUBGATE_RETRY_SCHEDULE: not a comma-separated"),
	    "a bad retry_schedule from the environment");
	unsetenv("HUBGATE_RETRY_SCHEDULE");

	OK(fails_with("graph_base_url = ftp://graph.example\n",
	    "t.conf:1: graph_base_url: not an http:// or https:// URL"),
	    "URL of another scheme");
	OK(fails_with("base_url = https://\n", "t.conf:1: base_url: "),
	    "URL without a host");
	OK(fails_with("base_url = http://a b/\n", "t.conf:1: base_url: "),
	    "URL with a blank");
	OK(fails_with("graph_base_url =\n", "t.conf:1: graph_base_url: "),
	    "empty URL");
	OK(loads("base_url = https://hub.example:8443/x\n"
	    "graph_base_url = http://127.0.0.1:8080/_meta\n"), "good URLs");
	OK(fails_with("graph_version = 24.0\n",
	    "t.conf:1: graph_version: not a version like v24.0"),
	    "version without v");
	OK(fails_with("graph_version = v24\n", "t.conf:1: graph_version: "),
	    "version without minor");
	OK(fails_with("graph_version = v24.0/x\n", "t.conf:1: graph_version: "),
	    "version with a path");
	OK(loads("graph_version = v25.10\n"), "good version");
	OK(fails_with("db_path =\n", "t.conf:1: db_path: empty"),
	    "empty db_path");
	OK(fails_with("appsecret_proof = maybe\n", "t.conf:1: appsecret_proof: "),
	    "boolean other than yes|no");
	OK(fails_with("queue_lease_s = 1d\n", "t.conf:1: queue_lease_s: "),
	    "duration with a unit");
}

/* The HTTPS settings, audit retention and metrics. */
static void
test_https_keys(void)
{
	struct conf *c;

	c = conf_load_string("", "t.conf", err, sizeof(err));
	OK(c != NULL && strcmp(conf_get(c, "require_https"), "auto") == 0 &&
	    strcmp(conf_get(c, "trusted_proxies"), "") == 0 &&
	    conf_get_int(c, "audit_retention_days") == 365 &&
	    strcmp(conf_get(c, "metrics_loopback"), "yes") == 0,
	    "defaults: require_https auto, no trusted proxy, audit kept "
	    "365 days, metrics open to loopback");
	conf_free(c);
	OK(fails_with("require_https = always\n", "t.conf:1: require_https: "
	    "not one of the allowed values"), "require_https other than "
	    "auto|yes|no");
	OK(loads("require_https = yes\n"), "require_https = yes");
	OK(loads("trusted_proxies = 127.0.0.1, ::1 ,10.0.0.5\n"),
	    "trusted_proxies: IPv4 and IPv6 addresses");
	OK(fails_with("trusted_proxies = 10.0.0.0/8\n",
	    "t.conf:1: trusted_proxies: not a comma-separated list of IP "
	    "addresses"), "trusted_proxies: a network is not an address");
	OK(fails_with("trusted_proxies = proxy.example\n",
	    "t.conf:1: trusted_proxies: "), "trusted_proxies: a host name");
	OK(fails_with("trusted_proxies = 127.0.0.1,,::1\n",
	    "t.conf:1: trusted_proxies: "), "trusted_proxies: an empty item");
	OK(fails_with("trusted_proxies = 127.0.0.1,\n",
	    "t.conf:1: trusted_proxies: "), "trusted_proxies: a trailing comma");
	OK(fails_with("trusted_proxies = 300.0.0.1\n",
	    "t.conf:1: trusted_proxies: "), "trusted_proxies: 300.0.0.1");
	OK(fails_with("audit_retention_days = 0\n",
	    "t.conf:1: audit_retention_days: "), "audit_retention_days 0");
	OK(fails_with("metrics_loopback = open\n",
	    "t.conf:1: metrics_loopback: "), "metrics_loopback other than "
	    "yes|no");
}

/* Outside the sandbox, short secrets are refused (16 characters). */
static void
test_short_secrets(void)
{
	OK(fails_with("app_id = 1\napp_secret = abc\n", "t.conf:2: app_secret: "
	    "shorter than 16 characters (allowed only with sandbox = yes)"),
	    "a 3-character app_secret is refused");
	OK(strstr(err, "abc") == NULL, "the error does not show the secret");
	OK(fails_with("app_secret = 0123456789abcdef, 0123456789abcde\n",
	    "t.conf:1: app_secret: shorter than 16"),
	    "one short secret in the list is refused");
	OK(fails_with("verify_token = 0123456789abcde\n",
	    "t.conf:1: verify_token: shorter than 16"),
	    "a 15-character verify_token is refused");
	OK(fails_with("sandbox = no\nverify_token = x\n",
	    "t.conf:2: verify_token: shorter than 16"),
	    "sandbox = no: refused");
	OK(loads("app_secret = 0123456789abcdef\nverify_token = 0123456789abcdef\n"),
	    "16 characters are enough");
	OK(loads("app_secret =\nverify_token =\n"), "unset is not short");
	OK(loads("sandbox = yes\napp_id = sandbox-1\napp_secret = abc\n"
	    "verify_token = x\n"),
	    "sandbox = yes: short secrets allowed");
	OK(loads("app_secret = abc\nverify_token = x\nsandbox = yes\n"
	    "app_id = sandbox-1\n"),
	    "whatever the order of the lines");
	setenv("HUBGATE_VERIFY_TOKEN", "short", 1);
	OK(fails_with("verify_token = 0123456789abcdef\n",
	    "HUBGATE_VERIFY_TOKEN: verify_token: shorter than 16"),
	    "a short secret from the environment names the variable");
	setenv("HUBGATE_SANDBOX", "yes", 1);
	OK(loads("app_id = sandbox-7\n"), "HUBGATE_SANDBOX=yes allows it");
	unsetenv("HUBGATE_SANDBOX");
	unsetenv("HUBGATE_VERIFY_TOKEN");
}

/* Sandbox mode needs a sandbox app id (CONF_SANDBOX_APP_ID_PREFIX and
 * digits), from the file or the environment; a real app id with
 * sandbox = yes stops the load. */
static void
test_sandbox(void)
{
	struct conf *c;

	OK(conf_is_sandbox_app_id("sandbox-123456789012345"), "sandbox-<digits>");
	OK(!conf_is_sandbox_app_id("1234567890"), "a real app id is not one");
	OK(!conf_is_sandbox_app_id("sandbox-"), "the prefix alone is not one");
	OK(!conf_is_sandbox_app_id("sandbox-12x"), "digits only after the prefix");
	OK(!conf_is_sandbox_app_id("Sandbox-12"), "the prefix is exact");
	OK(!conf_is_sandbox_app_id(""), "empty is not one");
	c = load("sandbox = yes\napp_id = sandbox-42\n");
	OK(c != NULL, "sandbox = yes with a sandbox app id loads");
	conf_free(c);
	c = load("sandbox = no\napp_id = 1234567890\n");
	OK(c != NULL, "a real app id outside the sandbox loads");
	conf_free(c);
	OK(fails_with("sandbox = yes\napp_id = 1234567890\n",
	    "t.conf: sandbox = yes needs a sandbox app_id"),
	    "sandbox = yes with a real app id is refused");
	OK(fails_with("sandbox = yes\n", "t.conf: sandbox = yes needs"),
	    "sandbox = yes without an app id is refused");
	setenv("HUBGATE_SANDBOX", "yes", 1);
	OK(fails_with("app_id = 1234567890\n", "t.conf: sandbox = yes needs"),
	    "HUBGATE_SANDBOX=yes with a real app id is refused");
	unsetenv("HUBGATE_SANDBOX");
	setenv("HUBGATE_APP_ID", "1234567890", 1);
	OK(fails_with("sandbox = yes\napp_id = sandbox-42\n",
	    "t.conf: sandbox = yes needs"),
	    "HUBGATE_APP_ID=<real> in a sandbox is refused");
	unsetenv("HUBGATE_APP_ID");
}

int
main(void)
{
	test_defaults();
	test_parse();
	test_errors();
	test_env();
	test_secret();
	test_paths();
	test_lists();
	test_warnings();
	test_file();
	test_inline_comment();
	test_structured();
	test_short_secrets();
	test_sandbox();
	test_https_keys();
	return test_done();
}
