/*
 * Unit tests for lib/core/urlsafe: which URLs a delivery may go to.
 * Private, loopback, link-local, metadata and reserved ranges in IPv4
 * and IPv6, addresses written in other forms (0x7f.1, decimal, octal),
 * IPv4-mapped and NAT64 IPv6, names resolving to private addresses
 * (a fake resolver), the sandbox's loopback, and the URL's shape.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "test.h"
#include "urlsafe.h"

/* A resolver for names of the tests: evil.example is 10.0.0.5,
 * meta.example 169.254.169.254, mixed.example public then private,
 * six.example fd00::1, good.example 93.184.216.34, good6.example
 * 2606:2800:220:1::1; the rest do not resolve. */
static int
fake_resolve(const char *host, struct sockaddr_storage *out, int max)
{
	static const struct {
		const char	*name, *a, *b;
	} names[] = {
		{ "evil.example", "10.0.0.5", NULL },
		{ "meta.example", "169.254.169.254", NULL },
		{ "mixed.example", "93.184.216.34", "192.168.1.1" },
		{ "six.example", "fd00::1", NULL },
		{ "local.example", "127.0.0.1", NULL },
		{ "good.example", "93.184.216.34", NULL },
		{ "good6.example", "2606:2800:220:1::1", NULL },
	};
	size_t	 i;
	int	 n = 0, k;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(host, names[i].name) != 0)
			continue;
		for (k = 0; k < 2 && n < max; k++) {
			const char *a = k == 0 ? names[i].a : names[i].b;
			struct sockaddr_in *s4 = (struct sockaddr_in *)&out[n];
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out[n];

			if (a == NULL)
				break;
			memset(&out[n], 0, sizeof(out[n]));
			if (inet_pton(AF_INET, a, &s4->sin_addr) == 1)
				s4->sin_family = AF_INET;
			else if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1)
				s6->sin6_family = AF_INET6;
			n++;
		}
		return n;
	}
	return -1;
}

static int
check(const char *url, int loopback)
{
	struct urlsafe_url	 u;
	const char		*why = NULL;

	return urlsafe_check(url, loopback, &u, &why);
}

static void
test_v4(void)
{
	static const char *const priv[] = {
		"https://10.1.2.3/", "https://172.16.0.1/", "https://172.31.255.255/",
		"https://192.168.0.10/", "https://169.254.169.254/latest/meta-data",
		"https://100.64.0.1/", "https://0.0.0.0/", "https://224.0.0.1/",
		"https://255.255.255.255/", "https://198.18.0.1/",
		"https://192.0.2.1/",
	};
	size_t i;

	for (i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
		EQ_INT(check(priv[i], 1), -1, priv[i]);
	EQ_INT(check("https://127.0.0.1/", 0), -1, "loopback outside the sandbox");
	EQ_INT(check("https://127.0.0.1/", 1), 0, "loopback in the sandbox");
	EQ_INT(check("http://127.0.0.1:8081/hook", 1), 0,
	    "http on loopback in the sandbox");
	EQ_INT(check("https://0x7f.1/", 0), -1, "0x7f.1 is loopback");
	EQ_INT(check("https://2130706433/", 0), -1, "decimal 2130706433 is loopback");
	EQ_INT(check("https://0177.0.0.1/", 0), -1, "octal 0177.0.0.1 is loopback");
	EQ_INT(check("https://0xa9fea9fe/", 1), -1,
	    "hex 0xa9fea9fe is the metadata address");
	EQ_INT(check("https://167772161/", 1), -1, "decimal 10.0.0.1");
	EQ_INT(check("https://172.15.255.255/", 0), 0, "172.15/16 is public");
	EQ_INT(check("https://93.184.216.34/x", 0), 0, "a public address");
	EQ_INT(check("http://93.184.216.34/x", 0), -1,
	    "http on a public address is refused");
	EQ_INT(check("http://93.184.216.34/x", 1), -1,
	    "http on a public address is refused in the sandbox too");
}

static void
test_v6(void)
{
	EQ_INT(check("https://[::1]/", 0), -1, "::1 is loopback");
	EQ_INT(check("https://[::1]:8443/", 1), 0, "::1 in the sandbox");
	EQ_INT(check("https://[::]/", 1), -1, ":: is unspecified");
	EQ_INT(check("https://[fd00::1]/", 1), -1, "unique local");
	EQ_INT(check("https://[fe80::1]/", 1), -1, "link-local");
	EQ_INT(check("https://[ff02::1]/", 1), -1, "multicast");
	EQ_INT(check("https://[::ffff:127.0.0.1]/", 0), -1,
	    "IPv4-mapped loopback");
	EQ_INT(check("https://[::ffff:10.0.0.1]/", 1), -1, "IPv4-mapped private");
	EQ_INT(check("https://[::ffff:7f00:1]/", 0), -1,
	    "IPv4-mapped loopback in hex");
	EQ_INT(check("https://[64:ff9b::a9fe:a9fe]/", 1), -1,
	    "NAT64 of the metadata address");
	EQ_INT(check("https://[2002:c0a8:0101::1]/", 1), -1,
	    "6to4 of 192.168.1.1");
	EQ_INT(check("https://[::10.0.0.1]/", 1), -1, "IPv4-compatible");
	EQ_INT(check("https://[2001:db8::1]/", 1), -1, "documentation range");
	EQ_INT(check("https://[2606:2800:220:1::1]/", 0), 0, "a public IPv6 address");
	EQ_INT(check("https://[fe80::1%25eth0]/", 1), -1, "a zone id");
}

static void
test_names(void)
{
	struct urlsafe_url	 u;
	const char		*why = NULL;

	urlsafe_set_resolver(fake_resolve);
	EQ_INT(check("https://evil.example/", 1), -1, "a name on 10.0.0.5");
	EQ_INT(check("https://meta.example/", 1), -1, "a name on the metadata address");
	EQ_INT(check("https://mixed.example/", 1), -1,
	    "a name with a public and a private address");
	EQ_INT(check("https://six.example/", 1), -1, "a name on fd00::1");
	EQ_INT(check("https://local.example/", 0), -1,
	    "a name on loopback outside the sandbox");
	EQ_INT(check("https://nowhere.example/", 0), -2,
	    "a name that does not resolve");
	EQ_INT(urlsafe_check("https://good.example:8443/in?x=1", 0, &u, &why), 0,
	    "a public name");
	EQ_STR(u.addr, "93.184.216.34", "its address is kept");
	EQ_STR(u.connect_to, "::93.184.216.34:8443", "and pinned");
	EQ_STR(u.host, "good.example", "the host");
	EQ_INT(urlsafe_check("https://good6.example/", 0, &u, &why), 0,
	    "a public IPv6 name");
	EQ_STR(u.connect_to, "::[2606:2800:220:1::1]:443", "pinned in brackets");
	urlsafe_set_resolver(NULL);
	EQ_INT(check("https://localhost/", 0), -1,
	    "localhost resolves to loopback");
}

static void
test_shape(void)
{
	struct urlsafe_url	 u;
	const char		*why = NULL;

	EQ_INT(check("https://user:pw@93.184.216.34/", 0), -1, "credentials");
	EQ_INT(check("https://user@93.184.216.34/", 0), -1, "a user name");
	EQ_INT(check("ftp://93.184.216.34/", 0), -1, "another scheme");
	EQ_INT(check("//93.184.216.34/", 0), -1, "no scheme");
	EQ_INT(check("https:///x", 0), -1, "no host");
	EQ_INT(check("https://93.184.216.34:0/", 0), -1, "port 0");
	EQ_INT(check("https://93.184.216.34:65536/", 0), -1, "port 65536");
	EQ_INT(check("https://93.184.216.34/a b", 0), -1, "a blank");
	EQ_INT(check("https://93.184.216.34/#x", 0), -1, "a fragment");
	EQ_INT(check("https://[::1/", 1), -1, "an unclosed IPv6 address");
	EQ_INT(check("", 0), -1, "empty");
	EQ_INT(urlsafe_parse("https://a.example:8443/p?q", &u, &why), 0,
	    "parse a URL");
	EQ_INT(u.port, 8443, "its port");
	EQ_INT(u.https, 1, "https");
	EQ_INT(urlsafe_parse("http://a.example?q", &u, &why), 0,
	    "a query right after the host");
	EQ_STR(u.host, "a.example", "host before the query");
	EQ_INT(u.port, 80, "http's port");
}

int
main(void)
{
	test_v4();
	test_v6();
	test_names();
	test_shape();
	return test_done();
}
