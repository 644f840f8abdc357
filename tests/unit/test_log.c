/*
 * Unit tests for lib/log: line format, escaping, truncation, the level
 * threshold and URL redaction.  Lines go to a pipe set with log_set_fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "test.h"

static int	 pfd[2];
static char	 got[HG_LOG_LINE_MAX * 4];
static size_t	 gotlen;

/* Read whatever has been logged since the last call into got. */
static const char *
drain(void)
{
	ssize_t n;

	gotlen = 0;
	for (;;) {
		n = read(pfd[0], got + gotlen, sizeof(got) - 1 - gotlen);
		if (n <= 0)
			break;
		gotlen += (size_t)n;
	}
	got[gotlen] = '\0';
	return got;
}

/* Log one line with a single string field and return what was written
 * after "event=t ", i.e. the field as formatted. */
static const char *
field(const char *key, const char *val, size_t n)
{
	struct logline	 l;
	const char	*p;

	log_begin(&l, LOG_LEVEL_INFO, "t");
	log_strn(&l, key, val, n);
	log_end(&l);
	drain();
	if ((p = strstr(got, " event=t ")) == NULL)
		return "(no line)";
	p += strlen(" event=t ");
	if (gotlen > 0 && got[gotlen - 1] == '\n')
		got[--gotlen] = '\0';
	return p;
}

static void
test_levels(void)
{
	EQ_INT(log_level_parse("debug"), LOG_LEVEL_DEBUG, "parse debug");
	EQ_INT(log_level_parse("info"), LOG_LEVEL_INFO, "parse info");
	EQ_INT(log_level_parse("warn"), LOG_LEVEL_WARN, "parse warn");
	EQ_INT(log_level_parse("error"), LOG_LEVEL_ERROR, "parse error");
	EQ_INT(log_level_parse("INFO"), -1, "upper case refused");
	EQ_INT(log_level_parse(""), -1, "empty refused");
	EQ_INT(log_level_parse("warning"), -1, "warning refused");
	EQ_INT(log_level_parse("info "), -1, "trailing space refused");

	log_init("tprog", LOG_LEVEL_WARN);
	log_msg(LOG_LEVEL_DEBUG, "ev", "x");
	EQ_STR(drain(), "", "debug below warn: nothing");
	log_msg(LOG_LEVEL_INFO, "ev", "x");
	EQ_STR(drain(), "", "info below warn: nothing");
	log_msg(LOG_LEVEL_WARN, "ev", "x");
	OK(strstr(drain(), " level=warn ") != NULL, "warn at warn: written");
	log_msg(LOG_LEVEL_ERROR, "ev", "x");
	OK(strstr(drain(), " level=error ") != NULL, "error at warn: written");

	log_init("tprog", LOG_LEVEL_DEBUG);
	log_msg(LOG_LEVEL_DEBUG, "ev", "x");
	OK(strstr(drain(), " level=debug ") != NULL, "debug at debug: written");

	/* A line below the threshold ignores every call. */
	{
		struct logline l;

		log_init("tprog", LOG_LEVEL_ERROR);
		log_begin(&l, LOG_LEVEL_INFO, "quiet");
		EQ_INT(l.on, 0, "line below threshold is off");
		log_str(&l, "k", "v");
		log_int(&l, "n", 5);
		log_url(&l, "u", "http://x/?a=b");
		log_end(&l);
		EQ_STR(drain(), "", "off line writes nothing");
	}
	log_init("tprog", LOG_LEVEL_INFO);
	log_msg(LOG_LEVEL_DEBUG, "ev", "x");
	EQ_STR(drain(), "", "debug below info: nothing");
}

static void
test_format(void)
{
	struct logline	 l;
	const char	*p;

	log_init("tprog", LOG_LEVEL_INFO);
	log_set_id(NULL);
	log_msg(LOG_LEVEL_INFO, "thing.done", "hello");
	p = drain();
	OK(strncmp(p, "ts=", 3) == 0, "line starts with ts=");
	/* ts=YYYY-MM-DDTHH:MM:SS.mmmZ */
	OK(gotlen > 27 && p[7] == '-' && p[10] == '-' && p[13] == 'T' &&
	    p[16] == ':' && p[22] == '.' && p[26] == 'Z' && p[27] == ' ',
	    "timestamp shape");
	OK(strstr(p, " level=info prog=tprog event=thing.done msg=hello\n")
	    != NULL, "fields in order");
	OK(strstr(p, "req=") == NULL, "no req without an id");
	EQ_INT(p[gotlen - 1], '\n', "ends with a newline");
	OK(strchr(p, '\n') == p + gotlen - 1, "exactly one newline");

	log_set_id("abc-1");
	EQ_STR(log_get_id(), "abc-1", "get id");
	log_msg(LOG_LEVEL_INFO, "e", "m");
	OK(strstr(drain(), " prog=tprog req=abc-1 event=e ") != NULL,
	    "req id in the line");
	log_set_id(NULL);
	EQ_STR(log_get_id(), "", "id cleared");
	log_msg(LOG_LEVEL_INFO, "e", "m");
	OK(strstr(drain(), "req=") == NULL, "no req after clearing");

	log_begin(&l, LOG_LEVEL_WARN, "multi");
	log_int(&l, "n", -42);
	log_int(&l, "big", 9223372036854775807LL);
	log_str(&l, "s", "v");
	log_str(&l, "nul", NULL);
	log_end(&l);
	OK(strstr(drain(), " event=multi n=-42 big=9223372036854775807 s=v "
	    "nul=\"\"\n") != NULL, "several fields, NULL as \"\"");
}

static void
test_escaping(void)
{
	EQ_STR(field("k", "plain", 5), "k=plain", "plain unquoted");
	EQ_STR(field("k", "", 0), "k=\"\"", "empty quoted");
	EQ_STR(field("k", "a b", 3), "k=\"a b\"", "space quoted");
	EQ_STR(field("k", "a\"b", 3), "k=\"a\\\"b\"", "quote escaped");
	EQ_STR(field("k", "a=b", 3), "k=\"a=b\"", "'=' quoted");
	EQ_STR(field("k", "a\\b", 3), "k=\"a\\\\b\"", "backslash escaped");
	EQ_STR(field("k", "a\nb", 3), "k=\"a\\x0ab\"", "newline escaped");
	EQ_STR(field("k", "a\rb", 3), "k=\"a\\x0db\"", "CR escaped");
	EQ_STR(field("k", "\t", 1), "k=\"\\x09\"", "tab escaped");
	EQ_STR(field("k", "\x1b[31m", 5), "k=\"\\x1b[31m\"", "ESC escaped");
	EQ_STR(field("k", "\x7f", 1), "k=\"\\x7f\"", "DEL escaped");
	EQ_STR(field("k", "a\0b", 3), "k=\"a\\x00b\"", "embedded NUL escaped");
	EQ_STR(field("k", "\xc3\xa9", 2), "k=\"\xc3\xa9\"", "UTF-8 quoted");
	EQ_STR(field("k", "\n" "level=error", 12),
	    "k=\"\\x0alevel=error\"", "no forged line or field");
	EQ_STR(field("k", "x\" evil=1", 9), "k=\"x\\\" evil=1\"",
	    "no field injection via quote");
	/* Nothing in any of these reached the pipe raw. */
	field("k", "one\ntwo\rthree", 13);
	OK(strchr(got, '\n') == NULL && strchr(got, '\r') == NULL,
	    "no raw CR or LF in the line");
}

static void
test_truncation(void)
{
	char		 v[HG_LOG_VALUE_MAX * 4], want[HG_LOG_VALUE_MAX + 16];
	struct logline	 l;
	size_t		 i, nl;
	const char	*p;

	memset(v, 'a', sizeof(v));
	p = field("k", v, HG_LOG_VALUE_MAX);
	OK(strlen(p) == 2 + HG_LOG_VALUE_MAX && strstr(p, "...") == NULL,
	    "value of exactly the max: whole, no marker");
	p = field("k", v, HG_LOG_VALUE_MAX + 1);
	memset(want, 'a', HG_LOG_VALUE_MAX);
	memcpy(want + HG_LOG_VALUE_MAX, "...", 4);
	OK(strncmp(p, "k=", 2) == 0 && strcmp(p + 2, want) == 0,
	    "value one past the max: cut with a marker");
	p = field("k", v, sizeof(v));
	OK(strcmp(p + 2, want) == 0, "long value: cut at the max");

	/* A value of control bytes grows fourfold when escaped; many of
	 * them overflow the line, which must stay one bounded line. */
	memset(v, '\n', sizeof(v));
	log_begin(&l, LOG_LEVEL_ERROR, "huge");
	for (i = 0; i < 8; i++)
		log_strn(&l, "k", v, sizeof(v));
	log_str(&l, "last", "field");
	log_end(&l);
	drain();
	OK(gotlen > 0 && gotlen <= HG_LOG_LINE_MAX, "long line bounded");
	OK(gotlen > 0 && got[gotlen - 1] == '\n', "long line ends in newline");
	for (nl = 0, i = 0; i < gotlen; i++)
		nl += got[i] == '\n';
	EQ_INT(nl, 1, "long line is one line");
	OK(strstr(got, "last=field") == NULL, "fields past the end dropped");
	OK(gotlen >= 4 && memcmp(got + gotlen - 4, "...\n", 4) == 0,
	    "truncated line ends with a marker");

	/* A line that just fits gets no marker. */
	log_begin(&l, LOG_LEVEL_ERROR, "fits");
	log_str(&l, "k", "v");
	log_end(&l);
	drain();
	OK(gotlen >= 4 && memcmp(got + gotlen - 4, "...\n", 4) != 0,
	    "short line: no marker");

	/* A long request id is cut, not overflowing. */
	memset(v, 'r', 200);
	v[200] = '\0';
	log_set_id(v);
	OK(strlen(log_get_id()) < 200 && strlen(log_get_id()) > 0,
	    "long id truncated");
	log_set_id(NULL);
}

static void
test_redact(void)
{
	static const char *const keys[] = {
		"access_token", "client_secret", "appsecret_proof", "code",
		"fb_exchange_token", "input_token", "pin", NULL
	};
	char		 out[1024], url[512], want[512], name[128];
	const char	*p;
	size_t		 i, sz;
	int		 leak;

	for (i = 0; keys[i] != NULL; i++) {
		snprintf(url, sizeof(url), "https://g.example/v1/x?%s=S3CRET",
		    keys[i]);
		snprintf(want, sizeof(want),
		    "https://g.example/v1/x?%s=REDACTED", keys[i]);
		snprintf(name, sizeof(name), "%s redacted first", keys[i]);
		EQ_STR(log_redact_url(url, out, sizeof(out)), want, name);

		snprintf(url, sizeof(url),
		    "https://g.example/x?fields=id,name&%s=S3CRET&limit=10",
		    keys[i]);
		snprintf(want, sizeof(want),
		    "https://g.example/x?fields=id,name&%s=REDACTED&limit=10",
		    keys[i]);
		snprintf(name, sizeof(name), "%s redacted in the middle",
		    keys[i]);
		EQ_STR(log_redact_url(url, out, sizeof(out)), want, name);
	}

	p = "https://g.example/x?fields=id,name&limit=10&after=QVFI";
	EQ_STR(log_redact_url(p, out, sizeof(out)), p, "other params untouched");
	p = "https://g.example/path/with/no/query";
	EQ_STR(log_redact_url(p, out, sizeof(out)), p, "no query untouched");
	p = "https://g.example/x?codes=1&zipcode=2&access_tokens=3&xcode=4";
	EQ_STR(log_redact_url(p, out, sizeof(out)), p,
	    "names that only contain a key untouched");
	p = "https://g.example/x?mycode=1&code_verifier=2";
	EQ_STR(log_redact_url(p, out, sizeof(out)), p,
	    "prefix/suffix of code untouched");
	p = "https://g.example/x?access_token&x=1";
	EQ_STR(log_redact_url(p, out, sizeof(out)), p, "name without value kept");
	EQ_STR(log_redact_url("https://g/x?access_token=&x=1", out,
	    sizeof(out)), "https://g/x?access_token=REDACTED&x=1",
	    "empty value redacted too");
	EQ_STR(log_redact_url("https://g/x?code=A&code=B&x=1", out,
	    sizeof(out)), "https://g/x?code=REDACTED&code=REDACTED&x=1",
	    "every occurrence redacted");
	EQ_STR(log_redact_url("https://g/x?code=A#frag", out, sizeof(out)),
	    "https://g/x?code=REDACTED#frag", "fragment after a secret kept");
	EQ_STR(log_redact_url("https://g/cb#access_token=T0K&expires_in=5",
	    out, sizeof(out)), "https://g/cb#access_token=REDACTED&expires_in=5",
	    "token in a fragment redacted");
	EQ_STR(log_redact_url("https://g/cb#state=s&access_token=T0K", out,
	    sizeof(out)), "https://g/cb#state=s&access_token=REDACTED",
	    "token later in a fragment redacted");
	EQ_STR(log_redact_url("https://g/cb?a=1#x=2&code=C0DE", out,
	    sizeof(out)), "https://g/cb?a=1#x=2&code=REDACTED",
	    "code later in a fragment after a query redacted");
	EQ_STR(log_redact_url("", out, sizeof(out)), "", "empty url");

	/* Small outputs: always terminated, never the secret. */
	p = "https://g.example/oauth?client_id=1&client_secret=TOPSECRET&x=y";
	leak = 0;
	for (sz = 1; sz < strlen(p) + 8; sz++) {
		memset(out, 'Z', sizeof(out));
		log_redact_url(p, out, sz);
		if (memchr(out, '\0', sz) == NULL || strstr(out, "TOPSECRET") ||
		    strstr(out, "TOPS") || out[sz] != 'Z')
			leak = 1;
	}
	OK(!leak, "every output size: terminated, in bounds, no secret");
	memset(out, 'Z', 4);
	log_redact_url(p, out, 0);
	OK(out[0] == 'Z', "size 0 writes nothing");

	/* Through log_url into a line. */
	{
		struct logline l;

		log_begin(&l, LOG_LEVEL_INFO, "graph.call");
		log_url(&l, "url",
		    "https://g/me?fields=id&access_token=EAAB0123&appsecret_proof=ff");
		log_end(&l);
		p = drain();
		OK(strstr(p, "EAAB0123") == NULL && strstr(p, "=ff") == NULL,
		    "log_url: secrets not in the line");
		OK(strstr(p, "url=\"https://g/me?fields=id&access_token=REDACTED"
		    "&appsecret_proof=REDACTED\"") != NULL,
		    "log_url: redacted url logged");
	}
}

int
main(void)
{
	if (pipe(pfd) == -1) {
		perror("pipe");
		return 1;
	}
	if (fcntl(pfd[0], F_SETFL, O_NONBLOCK) == -1) {
		perror("fcntl");
		return 1;
	}
	log_set_fd(pfd[1]);
	test_levels();
	test_format();
	test_escaping();
	test_truncation();
	test_redact();
	log_set_fd(2);
	close(pfd[0]);
	close(pfd[1]);
	return test_done();
}
