/*
 * Unit tests for lib/http: query, form and cookie parsing; the body
 * reader under CGI (stdin pointed at a temp file, CONTENT_LENGTH in the
 * environment); response building; and one whole CGI request through
 * http_serve_cgi with stdout captured; and the FastCGI accept loop in a
 * child process with its descriptors exhausted.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "limits.h"
#include "test.h"

static char	 tmpdir[] = "/tmp/hg-http-XXXXXX";
static char	 bodypath[256];

static int
parse(struct params *p, const char *s, int sep)
{
	memset(p, 0, sizeof(*p));
	return params_parse(p, s, strlen(s), sep);
}

static void
test_query(void)
{
	struct params	 p;
	size_t		 i;

	EQ_INT(parse(&p, "a=1&b=two+words&c=%41%42&d=&e&hub.mode=subscribe"
	    "&hub.verify_token=t%20k&hub.challenge=1158201444&a=second", '&'),
	    0, "query parses");
	EQ_STR(params_get(&p, "a"), "1", "simple value");
	EQ_STR(params_get(&p, "b"), "two words", "'+' is a space");
	EQ_STR(params_get(&p, "c"), "AB", "percent-decoded");
	EQ_STR(params_get(&p, "d"), "", "empty value");
	EQ_STR(params_get(&p, "e"), "", "name without '='");
	EQ_STR(params_get(&p, "hub.mode"), "subscribe", "dotted name hub.mode");
	EQ_STR(params_get(&p, "hub.verify_token"), "t k", "hub.verify_token");
	EQ_STR(params_get(&p, "hub.challenge"), "1158201444", "hub.challenge");
	OK(params_get(&p, "hub_mode") == NULL, "dots are not underscores");
	OK(params_get(&p, "hub") == NULL, "no split at dots");
	OK(params_get(&p, "f") == NULL, "absent name: NULL");
	OK(params_get(&p, "A") == NULL, "names are case-sensitive");
	EQ_INT(p.n, 9, "nine items");
	for (i = 0; i < p.n; i++)
		if (strcmp(p.v[i].name, "c") == 0)
			EQ_INT(p.v[i].len, 2, "len of a decoded value");
	params_free(&p);
	EQ_INT(p.n, 0, "free empties");
	OK(params_get(&p, "a") == NULL, "nothing after free");

	EQ_INT(parse(&p, "", '&'), 0, "empty string");
	EQ_INT(p.n, 0, "no items");
	EQ_INT(parse(&p, "&&a=1&&&b=2&", '&'), 0, "empty items skipped");
	EQ_INT(p.n, 2, "two items");
	params_free(&p);

	EQ_INT(parse(&p, "x=a%3Db%26c%2Bd+e", '&'), 0, "encoded = & +");
	EQ_STR(params_get(&p, "x"), "a=b&c+d e", "encoded specials decoded once");
	params_free(&p);
	EQ_INT(parse(&p, "x=a=b=c", '&'), 0, "'=' in a value");
	EQ_STR(params_get(&p, "x"), "a=b=c", "split at the first '='");
	params_free(&p);
	EQ_INT(parse(&p, "hub%2Emode=subscribe", '&'), 0, "encoded name");
	EQ_STR(params_get(&p, "hub.mode"), "subscribe", "name decoded");
	params_free(&p);
	EQ_INT(parse(&p, "x=%c3%A9%E2%82%ac", '&'), 0, "mixed-case hex");
	EQ_STR(params_get(&p, "x"), "\xc3\xa9\xe2\x82\xac", "UTF-8 bytes");
	params_free(&p);
	EQ_INT(parse(&p, "x=%2500", '&'), 0, "an encoded '%' then 00");
	EQ_STR(params_get(&p, "x"), "%00", "decoded once, not twice");
	params_free(&p);
	EQ_INT(parse(&p, "x=1;y=2", '&'), 0, "';' is not a query separator");
	EQ_STR(params_get(&p, "x"), "1;y=2", "';' kept");
	params_free(&p);

	/* Only len bytes. */
	memset(&p, 0, sizeof(p));
	EQ_INT(params_parse(&p, "a=1&b=2", 3, '&'), 0, "len limits the parse");
	OK(p.n == 1 && params_get(&p, "b") == NULL, "b not seen");
	params_free(&p);
}

static void
test_query_bad(void)
{
	static const char *const bad[] = {
		"a=%", "a=%4", "a=%G1", "a=%4G", "a=%zz", "a=%%41", "a=1&b=%",
		"%=1", "a%=1", "a=%00", "a=x%00y", "%00=1", "a%00b=1", "a=%0",
		"=1", "a=1&=2", "a=% 1", "a=%-1", "a=%+1",
		NULL
	};
	struct params	 p;
	char		 name[80], s[HG_PARAM_NAME_MAX * 2 + 64];
	size_t		 i, n;

	for (i = 0; bad[i] != NULL; i++) {
		snprintf(name, sizeof(name), "refused: \"%s\"", bad[i]);
		EQ_INT(parse(&p, bad[i], '&'), -1, name);
		params_free(&p);
	}

	/* A raw NUL inside len. */
	memset(&p, 0, sizeof(p));
	EQ_INT(params_parse(&p, "a=1\0b", 5, '&'), -1, "raw NUL refused");
	params_free(&p);
	memset(&p, 0, sizeof(p));
	EQ_INT(params_parse(&p, "a\0=1", 4, '&'), -1, "raw NUL in a name refused");
	params_free(&p);

	/* Name length. */
	memset(s, 'n', HG_PARAM_NAME_MAX);
	memcpy(s + HG_PARAM_NAME_MAX, "=v", 3);
	EQ_INT(parse(&p, s, '&'), 0, "name of the max length");
	params_free(&p);
	memset(s, 'n', HG_PARAM_NAME_MAX + 1);
	memcpy(s + HG_PARAM_NAME_MAX + 1, "=v", 3);
	EQ_INT(parse(&p, s, '&'), -1, "name one past the max refused");
	params_free(&p);
	memset(s, 'n', HG_PARAM_NAME_MAX + 1);
	s[HG_PARAM_NAME_MAX + 1] = '\0';
	EQ_INT(parse(&p, s, '&'), -1, "long name without '=' refused");
	params_free(&p);

	/* A long value is fine. */
	{
		char *big = malloc(HG_QUERY_MAX + 8);

		memcpy(big, "v=", 2);
		memset(big + 2, 'x', HG_QUERY_MAX - 2);
		big[HG_QUERY_MAX] = '\0';
		EQ_INT(parse(&p, big, '&'), 0, "long value accepted");
		OK(params_get(&p, "v") != NULL &&
		    strlen(params_get(&p, "v")) == HG_QUERY_MAX - 2,
		    "long value whole");
		params_free(&p);
		free(big);
	}

	/* Count. */
	{
		char	 q[HG_PARAMS_MAX * 8 + 16];
		size_t	 o = 0;

		for (n = 0; n < HG_PARAMS_MAX; n++)
			o += (size_t)snprintf(q + o, sizeof(q) - o, "%sp%zu=1",
			    n ? "&" : "", n);
		EQ_INT(parse(&p, q, '&'), 0, "HG_PARAMS_MAX items accepted");
		EQ_INT(p.n, HG_PARAMS_MAX, "all kept");
		params_free(&p);
		snprintf(q + o, sizeof(q) - o, "&extra=1");
		EQ_INT(parse(&p, q, '&'), -1, "one more refused");
		params_free(&p);
		EQ_INT(p.n, 0, "free after a failed parse");
		/* Empty items do not count. */
		snprintf(q + o, sizeof(q) - o, "&&&&");
		EQ_INT(parse(&p, q, '&'), 0, "trailing empties do not count");
		params_free(&p);
	}

	/* Parsing appends to what p holds: 64 in total across calls. */
	memset(&p, 0, sizeof(p));
	for (n = 0; n < HG_PARAMS_MAX; n++)
		params_parse(&p, "k=v", 3, '&');
	EQ_INT(params_parse(&p, "k=v", 3, '&'), -1, "total capped across calls");
	params_free(&p);
}

static void
test_cookies(void)
{
	struct params p;

	EQ_INT(parse(&p, "sid=abc123;  theme=dark ;x=1+2;;  ;empty=; flag",
	    ';'), 0, "cookie header parses");
	EQ_STR(params_get(&p, "sid"), "abc123", "first cookie");
	EQ_STR(params_get(&p, "theme"), "dark", "spaces trimmed both sides");
	EQ_STR(params_get(&p, "x"), "1+2", "no '+' rule in cookies");
	EQ_STR(params_get(&p, "empty"), "", "empty cookie value");
	EQ_STR(params_get(&p, "flag"), "", "cookie without '='");
	OK(params_get(&p, " theme") == NULL, "names trimmed");
	EQ_INT(p.n, 5, "five cookies");
	params_free(&p);

	EQ_INT(parse(&p, "a=1&b=2", ';'), 0, "'&' is not a cookie separator");
	EQ_STR(params_get(&p, "a"), "1&b=2", "'&' kept in a cookie");
	params_free(&p);
	EQ_INT(parse(&p, "s=a%20b", ';'), 0, "encoded cookie");
	EQ_STR(params_get(&p, "s"), "a b", "cookie percent-decoded");
	params_free(&p);
	EQ_INT(parse(&p, "s=%zz", ';'), -1, "bad encoding in a cookie refused");
	params_free(&p);
	EQ_INT(parse(&p, "s=%00", ';'), -1, "encoded NUL in a cookie refused");
	params_free(&p);
	EQ_INT(parse(&p, "   ", ';'), 0, "only spaces");
	EQ_INT(p.n, 0, "no cookies");
}

static void
test_headers(void)
{
	struct req	 r;
	char		*big;

	memset(&r, 0, sizeof(r));
	buf_init(&r.rhead, HG_HEADER_MAX * 4);
	buf_init(&r.rbody, 64);

	EQ_INT(http_add_header(&r, "X-A", "1"), 0, "header added");
	EQ_STR(buf_cstr(&r.rhead), "X-A: 1\r\n", "header line");
	EQ_INT(http_add_header(&r, "Location", "/a\r\nSet-Cookie: x=1"), -1,
	    "CRLF in a value refused");
	EQ_INT(http_add_header(&r, "Location", "/a\nb"), -1, "LF in a value");
	EQ_INT(http_add_header(&r, "Location", "/a\rb"), -1, "CR in a value");
	EQ_INT(http_add_header(&r, "X-B\r\nX-C", "1"), -1, "CRLF in a name");
	EQ_INT(http_add_header(&r, "X-B\n", "1"), -1, "LF in a name");
	EQ_INT(http_add_header(&r, "X-B:", "1"), -1, "':' in a name");
	EQ_STR(buf_cstr(&r.rhead), "X-A: 1\r\n", "refusals add nothing");
	EQ_INT(http_add_header(&r, "X-Colon", "a: b"), 0, "':' fine in a value");

	http_status(&r, 201);
	EQ_INT(r.status, 201, "status set");
	EQ_INT(http_puts(&r, "hello"), 0, "puts");
	EQ_INT(http_write(&r, " w\0x", 4), 0, "write with a NUL");
	EQ_INT(r.rbody.len, 9, "body length");
	http_text(&r, 404, "gone");
	EQ_INT(r.status, 404, "text: status");
	EQ_STR(buf_cstr(&r.rbody), "gone\n", "text: body with a newline");
	EQ_STR(buf_cstr(&r.rhead), "Content-Type: text/plain; charset=utf-8\r\n",
	    "text: replaces the headers");
	http_text(&r, 400, "done\n");
	EQ_STR(buf_cstr(&r.rbody), "done\n", "text: no second newline");
	http_text(&r, 204, "");
	EQ_STR(buf_cstr(&r.rbody), "", "text: empty");

	big = malloc(100);
	memset(big, 'b', 99);
	big[99] = '\0';
	EQ_INT(http_puts(&r, big), -1, "body past the buffer's max refused");
	free(big);

	EQ_STR(http_reason(200), "OK", "reason 200");
	EQ_STR(http_reason(404), "Not Found", "reason 404");
	EQ_STR(http_reason(405), "Method Not Allowed", "reason 405");
	EQ_STR(http_reason(411), "Length Required", "reason 411");
	EQ_STR(http_reason(413), "Content Too Large", "reason 413");
	EQ_STR(http_reason(999), "Unknown", "unknown reason");
	EQ_STR(http_reason(-1), "Unknown", "negative status");

	/* Request headers from the CGI environment. */
	setenv("HTTP_X_HUB_SIGNATURE_256", "sha256=00", 1);
	setenv("CONTENT_TYPE", "application/json", 1);
	EQ_STR(http_header(&r, "X-Hub-Signature-256"), "sha256=00",
	    "header from HTTP_*");
	EQ_STR(http_header(&r, "x-hub-signature-256"), "sha256=00",
	    "header names are case-insensitive");
	EQ_STR(http_header(&r, "Content-Type"), "application/json",
	    "Content-Type from CONTENT_TYPE");
	OK(http_header(&r, "X-Absent") == NULL, "absent header: NULL");
	EQ_STR(http_env(&r, "CONTENT_TYPE"), "application/json", "http_env");
	big = malloc(HG_HEADER_MAX + 2);
	memset(big, 'h', HG_HEADER_MAX + 1);
	big[HG_HEADER_MAX + 1] = '\0';
	setenv("HTTP_X_BIG", big, 1);
	OK(http_header(&r, "X-Big") == NULL, "header past HG_HEADER_MAX: NULL");
	big[HG_HEADER_MAX] = '\0';
	setenv("HTTP_X_BIG", big, 1);
	OK(http_header(&r, "X-Big") != NULL, "header of HG_HEADER_MAX: kept");
	memset(big, 'N', HG_PARAM_NAME_MAX + 1);
	big[HG_PARAM_NAME_MAX + 1] = '\0';
	OK(http_header(&r, big) == NULL, "over-long header name: NULL");
	free(big);
	unsetenv("HTTP_X_BIG");
	unsetenv("HTTP_X_HUB_SIGNATURE_256");
	unsetenv("CONTENT_TYPE");

	buf_free(&r.rhead);
	buf_free(&r.rbody);
}

/* Point stdin at a file holding n bytes of body. */
static void
set_body(const void *body, size_t n)
{
	FILE *f = fopen(bodypath, "wb");

	if (f == NULL || fwrite(body, 1, n, f) != n || fclose(f) != 0) {
		perror(bodypath);
		exit(1);
	}
	if (freopen(bodypath, "rb", stdin) == NULL) {
		perror("freopen");
		exit(1);
	}
}

/* Read the body with CONTENT_LENGTH cl (NULL: unset) and cap max. */
static int
read_body(struct req *r, const char *cl, size_t max)
{
	buf_free(&r->body);
	memset(r, 0, sizeof(*r));
	setenv("REQUEST_METHOD", "POST", 1);
	if (cl == NULL)
		unsetenv("CONTENT_LENGTH");
	else
		setenv("CONTENT_LENGTH", cl, 1);
	return http_read_body(r, max);
}

static void
test_read_body(void)
{
	static const char *const bad[] = {
		"abc", "-1", "-0", "05", "00", " 5", "5 ", "+5", "5\n", "1e3",
		"0x5", "5.0", "5,0", "99999999999999999999999", "\t5", NULL
	};
	struct req	 r;
	char		 name[80], big[1024];
	size_t		 i;

	memset(&r, 0, sizeof(r));
	set_body("hello world", 11);
	EQ_INT(read_body(&r, "11", 100), 0, "body read");
	EQ_INT(r.body.len, 11, "body length");
	EQ_STR(buf_cstr(&r.body), "hello world", "body bytes");
	OK(http_is_cgi(), "stdin a file: CGI");

	set_body("hello world", 11);
	EQ_INT(read_body(&r, "5", 100), 0, "read fewer than available");
	EQ_STR(buf_cstr(&r.body), "hello", "exactly Content-Length bytes");

	set_body("a\0b\0c", 5);
	EQ_INT(read_body(&r, "5", 100), 0, "body with NUL bytes");
	OK(r.body.len == 5 && memcmp(r.body.data, "a\0b\0c", 5) == 0,
	    "NUL bytes kept");

	set_body("", 0);
	EQ_INT(read_body(&r, "0", 100), 0, "empty body");
	EQ_INT(r.body.len, 0, "empty body length");

	set_body("xyz", 3);
	EQ_INT(read_body(&r, NULL, 100), 411, "no Content-Length: 411");
	EQ_INT(read_body(&r, "", 100), 411, "empty Content-Length: 411");
	for (i = 0; bad[i] != NULL; i++) {
		set_body("xyz", 3);
		snprintf(name, sizeof(name), "Content-Length \"%s\": 400", bad[i]);
		EQ_INT(read_body(&r, bad[i], 100), 400, name);
	}

	memset(big, 'B', sizeof(big));
	set_body(big, sizeof(big));
	EQ_INT(read_body(&r, "100", 100), 0, "exactly the cap");
	EQ_INT(r.body.len, 100, "cap-sized body");
	set_body(big, sizeof(big));
	EQ_INT(read_body(&r, "101", 100), 413, "one past the cap: 413");
	EQ_INT(r.body.len, 0, "413: nothing read");
	OK(ftell(stdin) == 0, "413 before reading anything");
	set_body("x", 1);
	EQ_INT(read_body(&r, "9223372036854775807", 100), 413,
	    "LLONG_MAX: 413, no allocation");
	EQ_INT(read_body(&r, "9223372036854775808", 100), 400,
	    "past LLONG_MAX: 400");
	set_body("short", 5);
	EQ_INT(read_body(&r, "10", 100), 400, "short body: 400");
	set_body("", 0);
	EQ_INT(read_body(&r, "1", 100), 400, "no body at all: 400");
	set_body("x", 1);
	EQ_INT(read_body(&r, "1", 0), 413, "cap 0: any byte is 413");
	buf_free(&r.body);
	unsetenv("CONTENT_LENGTH");
}

static void
test_form(void)
{
	struct req	 r;
	struct params	 p;

	memset(&r, 0, sizeof(r));
	memset(&p, 0, sizeof(p));
	set_body("a=1&b=x+y", 9);
	setenv("CONTENT_LENGTH", "9", 1);
	setenv("CONTENT_TYPE", "application/x-www-form-urlencoded", 1);
	EQ_INT(http_read_body(&r, HG_FORM_BODY_MAX), 0, "form body read");
	EQ_INT(http_parse_form(&r, &p), 0, "form parses");
	EQ_STR(params_get(&p, "b"), "x y", "form value");
	params_free(&p);
	setenv("CONTENT_TYPE", "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
	    1);
	EQ_INT(http_parse_form(&r, &p), 0, "type case-insensitive, parameters");
	params_free(&p);
	setenv("CONTENT_TYPE", "application/x-www-form-urlencodedX", 1);
	EQ_INT(http_parse_form(&r, &p), -1, "longer type refused");
	setenv("CONTENT_TYPE", "application/json", 1);
	EQ_INT(http_parse_form(&r, &p), -1, "JSON refused");
	setenv("CONTENT_TYPE", "multipart/form-data; boundary=x", 1);
	EQ_INT(http_parse_form(&r, &p), -1, "multipart refused");
	unsetenv("CONTENT_TYPE");
	EQ_INT(http_parse_form(&r, &p), -1, "no type refused");
	buf_free(&r.body);

	memset(&r, 0, sizeof(r));
	setenv("CONTENT_TYPE", "application/x-www-form-urlencoded", 1);
	EQ_INT(http_parse_form(&r, &p), 0, "no body: empty form");
	EQ_INT(p.n, 0, "no fields");
	set_body("a=%zz", 5);
	setenv("CONTENT_LENGTH", "5", 1);
	http_read_body(&r, 100);
	EQ_INT(http_parse_form(&r, &p), -1, "bad encoding in a form");
	params_free(&p);
	buf_free(&r.body);
	unsetenv("CONTENT_TYPE");
	unsetenv("CONTENT_LENGTH");
}

/* The handler for the whole-request test: echo what it saw. */
static void
echo_handler(struct req *r)
{
	const char *m = params_get(&r->query, "hub.mode");
	const char *c = params_get(&r->cookies, "sid");

	http_add_header(r, "X-Path", r->path);
	http_puts(r, "mode=");
	http_puts(r, m != NULL ? m : "(none)");
	http_puts(r, " sid=");
	http_puts(r, c != NULL ? c : "(none)");
	http_puts(r, r->bad_query ? " bad" : " good");
}

/* What release_note saw: how often it ran, and how much of the
 * response stdout held by then. */
static int	 released;
static off_t	 released_at;

static void
release_note(void *arg)
{
	fflush(stdout);
	released += *(int *)arg;
	released_at = lseek(1, 0, SEEK_CUR);
}

static void
release_handler(struct req *r)
{
	static int one = 1;

	http_on_release(r, release_note, &one);
	echo_handler(r);
}

/* Run one CGI request with stdout captured; returns the output. */
static char *
run_cgi_with(void (*handle)(struct req *), const char *method,
    const char *qs, const char *cookie)
{
	static char		 out[8192];
	struct http_server	 srv;
	char			 path[300];
	int			 fd, saved;
	ssize_t			 n;

	memset(&srv, 0, sizeof(srv));
	srv.prog = "test";
	srv.handle = handle;
	setenv("REQUEST_METHOD", method, 1);
	setenv("SCRIPT_NAME", "/cgi-bin/hook", 1);
	setenv("PATH_INFO", "/x", 1);
	if (qs != NULL)
		setenv("QUERY_STRING", qs, 1);
	else
		unsetenv("QUERY_STRING");
	if (cookie != NULL)
		setenv("HTTP_COOKIE", cookie, 1);
	else
		unsetenv("HTTP_COOKIE");
	snprintf(path, sizeof(path), "%s/out", tmpdir);
	fflush(stdout);
	saved = dup(1);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	http_serve_cgi(&srv, NULL);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, out, sizeof(out) - 1);
	close(fd);
	out[n > 0 ? n : 0] = '\0';
	return out;
}

static char *
run_cgi(const char *method, const char *qs, const char *cookie)
{
	return run_cgi_with(echo_handler, method, qs, cookie);
}

static void
test_on_release(void)
{
	const char *o;

	released = 0;
	o = run_cgi_with(release_handler, "GET", "hub.mode=r", NULL);
	OK(strstr(o, "mode=r sid=(none) good") != NULL,
	    "on_release: the response is sent");
	EQ_INT(released, 1, "on_release: called once");
	EQ_INT((long long)released_at, (long long)strlen(o),
	    "on_release: called after the whole response was written");
	released = 0;
	run_cgi("GET", "hub.mode=r", NULL);
	EQ_INT(released, 0, "on_release: not carried to the next request");
}

static void
test_cgi_request(void)
{
	const char *o;

	o = run_cgi("GET", "hub.mode=subscribe&x=1", "sid=s1; t=2");
	OK(strncmp(o, "Status: 200 OK\r\n", 16) == 0, "CGI: status line");
	OK(strstr(o, "X-Path: /cgi-bin/hook/x\r\n") != NULL,
	    "CGI: path is SCRIPT_NAME + PATH_INFO");
	OK(strstr(o, "Content-Length: 26\r\n") != NULL &&
	    strlen("mode=subscribe sid=s1 good") == 26, "CGI: Content-Length");
	OK(strstr(o, "X-Content-Type-Options: nosniff\r\n") != NULL,
	    "CGI: nosniff");
	OK(strstr(o, "\r\n\r\nmode=subscribe sid=s1 good") != NULL,
	    "CGI: query and cookie seen, body after the blank line");

	o = run_cgi("HEAD", "hub.mode=subscribe", NULL);
	OK(strstr(o, "Content-Length: 30\r\n") != NULL &&
	    strlen("mode=subscribe sid=(none) good") == 30,
	    "HEAD: length of GET");
	OK(strstr(o, "\r\n\r\n") != NULL && strstr(o, "mode=") == NULL,
	    "HEAD: no body");

	o = run_cgi("GET", "a=%zz&hub.mode=x", NULL);
	OK(strstr(o, "mode=(none) sid=(none) bad") != NULL,
	    "bad query: flagged, no params");

	o = run_cgi("GET", "hub.mode=y", "sid=%zz; ok=1");
	OK(strstr(o, "mode=y sid=(none) good") != NULL,
	    "bad cookie header: cookies dropped, request goes on");

	{
		char *q = malloc(HG_QUERY_MAX + 16);

		memcpy(q, "hub.mode=z&p=", 13);
		memset(q + 13, 'q', HG_QUERY_MAX);
		q[HG_QUERY_MAX + 13] = '\0';
		o = run_cgi("GET", q, NULL);
		OK(strstr(o, "mode=(none) sid=(none) bad") != NULL,
		    "query past HG_QUERY_MAX: bad");
		free(q);
	}
	unsetenv("QUERY_STRING");
	unsetenv("HTTP_COOKIE");
	unsetenv("SCRIPT_NAME");
	unsetenv("PATH_INFO");
	unsetenv("REQUEST_METHOD");
}

/* --- FastCGI: accepting with no descriptor left -------------------- */

/* The child's descriptor limit: every one of them is taken. */
#define FCGI_NOFILE	32

static int	 hog_fds[FCGI_NOFILE];
static int	 nhog;
static long	 hog_ms;

static void
msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void
pong_handler(struct req *r)
{
	http_text(r, 200, "pong");
}

static void *
hog_release(void *arg)
{
	int i;

	(void)arg;
	msleep(hog_ms);
	for (i = 0; i < nhog; i++)
		close(hog_fds[i]);
	return NULL;
}

/* The child: serve FastCGI on the listening socket ls with two request
 * threads, its log in logpath, with every descriptor it may open taken
 * for hold_ms (for good when hold_ms < 0). */
static void
fcgi_child(int ls, long hold_ms, const char *logpath)
{
	struct http_server	 srv = { "test", 2, NULL, NULL, NULL,
				    pong_handler };
	struct rlimit		 rl = { FCGI_NOFILE, FCGI_NOFILE };
	sigset_t		 all, old;
	pthread_t		 t;
	int			 fd;

	dup2(ls, 0);
	close(ls);
	if ((fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	http_set_accept_give_up(hold_ms < 0 ? 1500 : 20000);
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		_exit(90);
	while (nhog < FCGI_NOFILE &&
	    (fd = open("/dev/null", O_RDONLY)) >= 0)
		hog_fds[nhog++] = fd;
	if (hold_ms >= 0) {
		hog_ms = hold_ms;
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		if (pthread_create(&t, NULL, hog_release, NULL) != 0)
			_exit(91);
		pthread_detach(t);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	_exit(http_serve(&srv));
}

/* Append a FastCGI record of type with n bytes of content. */
static size_t
fcgi_record(unsigned char *b, size_t o, int type, const void *p, size_t n)
{
	unsigned char h[8] = { 1, (unsigned char)type, 0, 1,
	    (unsigned char)(n >> 8), (unsigned char)n, 0, 0 };

	memcpy(b + o, h, 8);
	memcpy(b + o + 8, p, n);
	return o + 8 + n;
}

/* Append a name-value pair (both shorter than 128 bytes). */
static size_t
fcgi_pair(unsigned char *b, size_t o, const char *name, const char *value)
{
	b[o++] = (unsigned char)strlen(name);
	b[o++] = (unsigned char)strlen(value);
	memcpy(b + o, name, strlen(name));
	o += strlen(name);
	memcpy(b + o, value, strlen(value));
	return o + strlen(value);
}

/* Read exactly n bytes; 0, or -1 on timeout, error or EOF. */
static int
read_full(int fd, unsigned char *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = read(fd, p, n)) <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* One FastCGI GET /ping through the socket at path: its standard
 * output into out.  0, or -1 when no complete answer came within
 * timeout_ms. */
static int
fcgi_get(const char *path, long timeout_ms, char *out, size_t outsz)
{
	static const unsigned char begin[8] = { 0, 1, 0 };
	unsigned char		 req[512], params[256], h[8], c[65536 + 256];
	struct sockaddr_un	 sa;
	struct timeval		 tv = { timeout_ms / 1000,
				    (timeout_ms % 1000) * 1000 };
	size_t			 o = 0, np = 0, got = 0, n;
	int			 fd, rc = -1;

	out[0] = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		goto out;
	np = fcgi_pair(params, np, "REQUEST_METHOD", "GET");
	np = fcgi_pair(params, np, "SCRIPT_NAME", "/ping");
	o = fcgi_record(req, o, 1, begin, sizeof(begin));
	o = fcgi_record(req, o, 4, params, np);
	o = fcgi_record(req, o, 4, "", 0);
	o = fcgi_record(req, o, 5, "", 0);
	if (write(fd, req, o) != (ssize_t)o)
		goto out;
	for (;;) {
		if (read_full(fd, h, 8) == -1)
			goto out;
		n = ((size_t)h[4] << 8 | h[5]) + h[6];
		if (read_full(fd, c, n) == -1)
			goto out;
		if (h[1] == 3)		/* FCGI_END_REQUEST */
			break;
		n -= h[6];
		if (h[1] == 6 && got + n < outsz) {	/* FCGI_STDOUT */
			memcpy(out + got, c, n);
			got += n;
			out[got] = '\0';
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Wait up to ms for pid to end: its wait status, or -1 (it is killed). */
static int
wait_exit(pid_t pid, long ms)
{
	int st;

	for (; ms > 0; ms -= 50) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		msleep(50);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/* How many lines of the file at path contain s. */
static int
count_lines(const char *path, const char *s)
{
	char	 line[4096];
	FILE	*f;
	int	 n = 0;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, s) != NULL;
	fclose(f);
	return n;
}

/* Start fcgi_child on a new socket; its pid, or -1. */
static pid_t
fcgi_start(const char *sock, long hold_ms, const char *logpath)
{
	struct sockaddr_un	 sa;
	pid_t			 pid;
	int			 ls;

	unlink(sock);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if ((ls = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(ls, 16) == -1)
		return -1;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == 0)
		fcgi_child(ls, hold_ms, logpath);
	close(ls);
	return pid;
}

static void
test_accept_exhausted(void)
{
	char	 sock[300], logp[300], out[4096];
	pid_t	 pid;
	int	 st, rc;

	snprintf(sock, sizeof(sock), "%s/fcgi.sock", tmpdir);
	snprintf(logp, sizeof(logp), "%s/fcgi.log", tmpdir);

	/* Every descriptor taken for 800 ms: accept fails with EMFILE
	 * meanwhile; the request sent then is answered once they are
	 * free, and so is the next. */
	pid = fcgi_start(sock, 800, logp);
	OK(pid > 0, "FastCGI child started");
	if (pid <= 0)
		return;
	msleep(300);
	rc = fcgi_get(sock, 5000, out, sizeof(out));
	EQ_INT(rc, 0, "request sent while accept fails (EMFILE) is answered");
	OK(strstr(out, "Status: 200") != NULL && strstr(out, "pong") != NULL,
	    "and answered 200 by the handler");
	rc = fcgi_get(sock, 5000, out, sizeof(out));
	OK(rc == 0 && strstr(out, "pong") != NULL,
	    "the next request is answered too");
	rc = count_lines(logp, "event=http.accept_failed");
	OK(rc >= 1 && rc <= 3, "accept failures logged, rate limited");
	if (rc < 1 || rc > 3)
		printf("#   %d lines\n", rc);
	OK(count_lines(logp, "error=\"Too many open files\"") >= 1,
	    "the log line says why");
	kill(pid, SIGTERM);
	st = wait_exit(pid, 5000);
	OK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "stopped by SIGTERM, the process exits 0");

	/* Descriptors never come back: the process gives up and exits
	 * non-zero (so the web server starts another) instead of
	 * staying up deaf. */
	pid = fcgi_start(sock, -1, logp);
	OK(pid > 0, "FastCGI child started");
	if (pid <= 0)
		return;
	st = wait_exit(pid, 8000);
	if (!OK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1,
	    "accept failing for good: the process exits 1"))
		printf("#   wait status %d\n", st);
	EQ_INT(count_lines(logp, "event=http.cannot_serve"), 1,
	    "and says so once");
	unlink(sock);
	unlink(logp);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(bodypath, sizeof(bodypath), "%s/body", tmpdir);
	/* First: libfcgi decides CGI or FastCGI once per process, and the
	 * children it forks must decide for themselves. */
	test_accept_exhausted();
	test_query();
	test_query_bad();
	test_cookies();
	test_headers();
	test_read_body();
	test_form();
	test_cgi_request();
	test_on_release();
	unlink(bodypath);
	{
		char p[300];

		snprintf(p, sizeof(p), "%s/out", tmpdir);
		unlink(p);
	}
	rmdir(tmpdir);
	return test_done();
}
