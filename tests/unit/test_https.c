/*
 * Unit tests for lib/web/https: when HTTPS is required, what makes a
 * request count as over HTTPS (the server's HTTPS variable, or
 * X-Forwarded-Proto from a trusted proxy only), loopback addresses,
 * and the refusal (403, JSON under /api, text elsewhere).  Requests are
 * built by hand, their CGI variables in the environment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "http.h"
#include "https.h"
#include "test.h"

static char		 err[1024];
static struct req	 r;

static struct conf *
conf_of(const char *text)
{
	struct conf *c;

	if ((c = conf_load_string(text, "t.conf", err, sizeof(err))) == NULL) {
		printf("#   conf: %s\n", err);
		exit(1);
	}
	return c;
}

/* A fresh request to path from remote, with HTTPS and
 * X-Forwarded-Proto as given (NULL: absent). */
static void
req_new(const char *path, const char *remote, const char *https,
    const char *xfp)
{
	buf_free(&r.rhead);
	buf_free(&r.rbody);
	memset(&r, 0, sizeof(r));
	r.method = HTTP_GET;
	r.path = path;
	r.remote = remote;
	buf_init(&r.rhead, HG_HEADER_MAX * 4);
	buf_init(&r.rbody, HG_RESPONSE_MAX);
	if (https != NULL)
		setenv("HTTPS", https, 1);
	else
		unsetenv("HTTPS");
	if (xfp != NULL)
		setenv("HTTP_X_FORWARDED_PROTO", xfp, 1);
	else
		unsetenv("HTTP_X_FORWARDED_PROTO");
}

static void
test_required(void)
{
	struct conf *c;

	c = conf_of("");
	OK(!https_required(c), "auto with an http base_url: not required");
	conf_free(c);
	c = conf_of("base_url = https://hub.example\n");
	OK(https_required(c), "auto with an https base_url: required");
	conf_free(c);
	c = conf_of("base_url = https://hub.example\nrequire_https = no\n");
	OK(!https_required(c), "no: not required even with https");
	conf_free(c);
	c = conf_of("require_https = yes\n");
	OK(https_required(c), "yes: required even with an http base_url");
	conf_free(c);
}

static void
test_loopback(void)
{
	OK(https_loopback("127.0.0.1"), "127.0.0.1 is loopback");
	OK(https_loopback("127.8.9.10"), "all of 127/8 is loopback");
	OK(https_loopback("::1"), "::1 is loopback");
	OK(https_loopback("0:0:0:0:0:0:0:1"), "::1 written out is loopback");
	OK(https_loopback("::ffff:127.0.0.1"), "IPv4-mapped 127.0.0.1 is "
	    "loopback");
	OK(!https_loopback("192.0.2.7"), "192.0.2.7 is not");
	OK(!https_loopback("128.0.0.1"), "128.0.0.1 is not");
	OK(!https_loopback("::2"), "::2 is not");
	OK(!https_loopback("::ffff:192.0.2.7"), "IPv4-mapped 192.0.2.7 is "
	    "not");
	OK(!https_loopback("localhost"), "a name is not an address");
	OK(!https_loopback("-"), "an unknown address is not loopback");
	OK(!https_loopback(""), "an empty address is not loopback");
	OK(!https_loopback(NULL), "no address is not loopback");
}

static void
test_secure(void)
{
	struct conf *c;

	c = conf_of("require_https = yes\n"
	    "trusted_proxies = 192.0.2.1, 2001:db8::1\n");
	req_new("/api/session", "192.0.2.7", NULL, NULL);
	OK(!https_request_secure(&r, c), "plain http is not secure");
	req_new("/api/session", "192.0.2.7", "on", NULL);
	OK(https_request_secure(&r, c), "HTTPS=on from the server is");
	req_new("/api/session", "192.0.2.7", "ON", NULL);
	OK(https_request_secure(&r, c), "HTTPS=ON too");
	req_new("/api/session", "192.0.2.7", "off", NULL);
	OK(!https_request_secure(&r, c), "HTTPS=off is not");
	req_new("/api/session", "192.0.2.7", "", NULL);
	OK(!https_request_secure(&r, c), "an empty HTTPS is not");
	req_new("/api/session", "192.0.2.7", NULL, "https");
	OK(!https_request_secure(&r, c), "X-Forwarded-Proto from an "
	    "untrusted address is not believed");
	OK(!https_trusted_proxy(&r, c), "192.0.2.7 is not a trusted proxy");
	req_new("/api/session", "192.0.2.1", NULL, "https");
	OK(https_trusted_proxy(&r, c), "192.0.2.1 is a trusted proxy");
	OK(https_request_secure(&r, c), "X-Forwarded-Proto: https from a "
	    "trusted proxy is believed");
	req_new("/api/session", "::ffff:192.0.2.1", NULL, "HTTPS");
	OK(https_request_secure(&r, c), "from the proxy's IPv4-mapped "
	    "address too, in any case");
	req_new("/api/session", "2001:db8:0::1", NULL, "https");
	OK(https_request_secure(&r, c), "an IPv6 proxy written otherwise");
	req_new("/api/session", "192.0.2.1", NULL, "http");
	OK(!https_request_secure(&r, c), "a trusted proxy saying http");
	req_new("/api/session", "192.0.2.1", NULL, "https, http");
	OK(!https_request_secure(&r, c), "a list is not https");
	req_new("/api/session", "192.0.2.1", NULL, NULL);
	OK(!https_request_secure(&r, c), "a trusted proxy saying nothing");
	req_new("/api/session", "127.0.0.1", NULL, "https");
	OK(!https_request_secure(&r, c), "loopback is no proxy unless "
	    "listed");
	conf_free(c);
}

static void
test_refused(void)
{
	struct conf *c;

	c = conf_of("require_https = yes\ntrusted_proxies = 192.0.2.1\n");
	req_new("/api/session", "192.0.2.7", NULL, NULL);
	OK(https_refused(&r, c), "plain http from afar is refused");
	OK(https_gate(&r, c) == 1 && r.status == 403,
	    "the gate answers 403");
	OK(strstr(buf_cstr(&r.rbody), "\"status\":403") != NULL &&
	    strstr(buf_cstr(&r.rbody), "HTTPS is required") != NULL,
	    "as JSON under /api, saying HTTPS is required");
	req_new("/setup", "192.0.2.7", NULL, NULL);
	OK(https_gate(&r, c) == 1 && r.status == 403 &&
	    strncmp(buf_cstr(&r.rbody), "HTTPS is required", 17) == 0,
	    "as text elsewhere");
	req_new("/api/session", "192.0.2.7", NULL, "https");
	OK(https_refused(&r, c), "a forged X-Forwarded-Proto is refused");
	req_new("/api/session", "192.0.2.7", "on", NULL);
	OK(!https_refused(&r, c) && https_gate(&r, c) == 0 &&
	    r.status == 0 && r.rbody.len == 0, "over https: let through, "
	    "untouched");
	req_new("/api/session", "127.0.0.1", NULL, NULL);
	OK(!https_refused(&r, c), "plain http from loopback is let through");
	req_new("/api/session", "::1", NULL, "http");
	OK(!https_refused(&r, c), "from ::1 too");
	req_new("/api/session", "192.0.2.1", NULL, "https");
	OK(!https_refused(&r, c), "a trusted proxy's https is let through");
	req_new("/api/session", "192.0.2.1", NULL, "http");
	OK(https_refused(&r, c), "a trusted proxy's http is refused");
	conf_free(c);

	c = conf_of("require_https = yes\ntrusted_proxies = 127.0.0.1\n");
	req_new("/api/session", "127.0.0.1", NULL, NULL);
	OK(https_refused(&r, c), "a proxy on loopback loses the loopback "
	    "exemption: it speaks for clients anywhere");
	req_new("/api/session", "127.0.0.1", NULL, "https");
	OK(!https_refused(&r, c), "and is let through when it says https");
	conf_free(c);

	c = conf_of("base_url = https://hub.example\nrequire_https = no\n");
	req_new("/api/session", "192.0.2.7", NULL, NULL);
	OK(!https_refused(&r, c) && https_gate(&r, c) == 0,
	    "require_https = no refuses nothing");
	conf_free(c);
	c = conf_of("base_url = https://hub.example\n");
	req_new("/api/session", "192.0.2.7", NULL, NULL);
	OK(https_refused(&r, c), "auto with an https base_url refuses");
	conf_free(c);
	req_new("/api/session", "192.0.2.7", NULL, NULL);
	OK(https_gate(&r, NULL) == 0 && r.status == 0,
	    "no configuration: the gate leaves the answer to the routes");
}

/* The client address behind a trusted proxy: the last address of
 * X-Forwarded-For, believed from trusted_proxies only, and only when
 * it is an address. */
static void
test_client(void)
{
	struct conf *c = conf_of("trusted_proxies = 10.0.0.5, ::1\n");
	static const struct {
		const char	*remote, *xff, *want, *what;
	} t[] = {
		{ "10.0.0.5", "203.0.113.9", "203.0.113.9",
		  "a trusted proxy's X-Forwarded-For is the client" },
		{ "10.0.0.5", "1.1.1.1, 198.51.100.4", "198.51.100.4",
		  "the last address, the one the proxy appended" },
		{ "10.0.0.5", "1.1.1.1,2001:db8::7 ", "2001:db8::7",
		  "IPv6, spaces around" },
		{ "::1", "192.0.2.1", "192.0.2.1", "a trusted IPv6 proxy" },
		{ "10.0.0.5", NULL, "10.0.0.5",
		  "no header: the proxy's own address" },
		{ "10.0.0.5", "192.0.2.1, unknown", "10.0.0.5",
		  "a last entry that is no address is not believed" },
		{ "10.0.0.5", "192.0.2.1, 10.0.0.1:8080", "10.0.0.5",
		  "nor an address with a port" },
		{ "10.0.0.5", "192.0.2.1 198.51.100.4", "10.0.0.5",
		  "nor two addresses without a comma" },
		{ "10.0.0.5", "", "10.0.0.5", "nor an empty header" },
		{ "192.0.2.50", "203.0.113.9", "192.0.2.50",
		  "another sender's X-Forwarded-For is not believed" },
		{ "10.0.0.6", "203.0.113.9", "10.0.0.6",
		  "nor a neighbour's of the proxy" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		req_new("/api/session", t[i].remote, NULL, NULL);
		if (t[i].xff != NULL)
			setenv("HTTP_X_FORWARDED_FOR", t[i].xff, 1);
		else
			unsetenv("HTTP_X_FORWARDED_FOR");
		https_client(&r, c);
		EQ_STR(http_client(&r), t[i].want, t[i].what);
	}
	req_new("/api/session", "10.0.0.5", NULL, NULL);
	setenv("HTTP_X_FORWARDED_FOR", "203.0.113.9", 1);
	https_client(&r, NULL);
	EQ_STR(http_client(&r), "10.0.0.5", "no configuration believes nobody");
	unsetenv("HTTP_X_FORWARDED_FOR");
	conf_free(c);
}

int
main(void)
{
	test_required();
	test_loopback();
	test_secure();
	test_refused();
	test_client();
	buf_free(&r.rhead);
	buf_free(&r.rbody);
	return test_done();
}
