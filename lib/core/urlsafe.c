/*
 * urlsafe: may hubgate post to this URL?  See urlsafe.h.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "num.h"
#include "urlsafe.h"

/* Most addresses of one name looked at. */
#define URLSAFE_ADDRS_MAX	16

static urlsafe_resolver resolver;

void
urlsafe_set_resolver(urlsafe_resolver fn)
{
	resolver = fn;
}

/* 1 when the first bits of a equal those of net. */
static int
prefix(const unsigned char *a, const unsigned char *net, int bits)
{
	int i;

	for (i = 0; bits >= 8; i++, bits -= 8)
		if (a[i] != net[i])
			return 0;
	if (bits > 0) {
		unsigned char m = (unsigned char)(0xff << (8 - bits));

		if ((a[i] & m) != (net[i] & m))
			return 0;
	}
	return 1;
}

enum urlsafe_class
urlsafe_class_v4(const unsigned char a[4])
{
	static const struct {
		unsigned char	net[4];
		int		bits;
	} priv[] = {
		{ { 0, 0, 0, 0 }, 8 },		/* this network */
		{ { 10, 0, 0, 0 }, 8 },		/* private */
		{ { 100, 64, 0, 0 }, 10 },	/* carrier-grade NAT */
		{ { 169, 254, 0, 0 }, 16 },	/* link-local, metadata */
		{ { 172, 16, 0, 0 }, 12 },	/* private */
		{ { 192, 0, 0, 0 }, 24 },	/* protocol assignments */
		{ { 192, 0, 2, 0 }, 24 },	/* documentation */
		{ { 192, 88, 99, 0 }, 24 },	/* 6to4 relay */
		{ { 192, 168, 0, 0 }, 16 },	/* private */
		{ { 198, 18, 0, 0 }, 15 },	/* benchmarking */
		{ { 198, 51, 100, 0 }, 24 },	/* documentation */
		{ { 203, 0, 113, 0 }, 24 },	/* documentation */
		{ { 224, 0, 0, 0 }, 4 },	/* multicast */
		{ { 240, 0, 0, 0 }, 4 },	/* reserved, broadcast */
	};
	size_t i;

	if (a[0] == 127)
		return URLSAFE_LOOPBACK;
	for (i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
		if (prefix(a, priv[i].net, priv[i].bits))
			return URLSAFE_PRIVATE;
	return URLSAFE_PUBLIC;
}

enum urlsafe_class
urlsafe_class_v6(const unsigned char a[16])
{
	static const unsigned char zero[16];
	static const unsigned char mapped[12] =
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char nat64[12] =
	    { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const unsigned char sixto4[2] = { 0x20, 0x02 };
	static const unsigned char doc[4] = { 0x20, 0x01, 0x0d, 0xb8 };
	static const unsigned char teredo[4] = { 0x20, 0x01, 0, 0 };
	static const unsigned char discard[8] = { 0x01, 0, 0, 0, 0, 0, 0, 0 };
	static const unsigned char ula[1] = { 0xfc };
	static const unsigned char ll[2] = { 0xfe, 0x80 };
	static const unsigned char site[2] = { 0xfe, 0xc0 };
	static const unsigned char mcast[1] = { 0xff };

	if (memcmp(a, zero, 15) == 0 && a[15] == 1)
		return URLSAFE_LOOPBACK;
	if (prefix(a, mapped, 96) || prefix(a, nat64, 96))
		return urlsafe_class_v4(a + 12);
	if (prefix(a, sixto4, 16))
		return urlsafe_class_v4(a + 2);
	/* ::/96 (unspecified and IPv4-compatible), documentation,
	 * Teredo, discard, unique local, link-local, site-local,
	 * multicast. */
	if (prefix(a, zero, 96) || prefix(a, doc, 32) ||
	    prefix(a, teredo, 32) || prefix(a, discard, 64) ||
	    prefix(a, ula, 7) || prefix(a, ll, 10) || prefix(a, site, 10) ||
	    prefix(a, mcast, 8))
		return URLSAFE_PRIVATE;
	return URLSAFE_PUBLIC;
}

int
urlsafe_parse(const char *url, struct urlsafe_url *u, const char **why)
{
	const char	*p, *auth, *end, *hs, *he, *colon = NULL;
	size_t		 n = strlen(url), i;
	long long	 port;

	memset(u, 0, sizeof(*u));
	if (n == 0 || n > HG_URLSAFE_URL_MAX) {
		*why = "the URL is empty or too long";
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f) {
			*why = "the URL holds blanks or control characters";
			return -1;
		}
	if (strncmp(url, "https://", 8) == 0) {
		u->https = 1;
		auth = url + 8;
	} else if (strncmp(url, "http://", 7) == 0)
		auth = url + 7;
	else {
		*why = "the URL must start with https://";
		return -1;
	}
	if (strchr(url, '#') != NULL) {
		*why = "the URL must not have a fragment (#)";
		return -1;
	}
	end = auth + strcspn(auth, "/?");
	for (p = auth; p < end; p++)
		if (*p == '@') {
			*why = "the URL must not hold credentials (user@)";
			return -1;
		}
	if (*auth == '[') {
		hs = auth + 1;
		if ((he = memchr(hs, ']', (size_t)(end - hs))) == NULL) {
			*why = "the URL's IPv6 address is not closed (])";
			return -1;
		}
		if (he + 1 < end) {
			if (he[1] != ':') {
				*why = "the URL's host does not parse";
				return -1;
			}
			colon = he + 1;
		}
	} else {
		hs = auth;
		colon = memchr(hs, ':', (size_t)(end - hs));
		he = colon != NULL ? colon : end;
	}
	if (he == hs || (size_t)(he - hs) >= sizeof(u->host)) {
		*why = "the URL has no host, or too long a one";
		return -1;
	}
	memcpy(u->host, hs, (size_t)(he - hs));
	for (p = u->host; *p != '\0'; p++)
		if (strchr("%\\<>\"'`{}|^", *p) != NULL) {
			*why = "the URL's host holds characters a host cannot";
			return -1;
		}
	u->port = u->https ? 443 : 80;
	if (colon != NULL) {
		char pbuf[8];

		if (end - colon - 1 < 1 || end - colon - 1 > 5) {
			*why = "the URL's port is not a number from 1 to 65535";
			return -1;
		}
		memcpy(pbuf, colon + 1, (size_t)(end - colon - 1));
		pbuf[end - colon - 1] = '\0';
		if (num_parse_str(pbuf, 1, 65535, &port) == -1) {
			*why = "the URL's port is not a number from 1 to 65535";
			return -1;
		}
		u->port = (int)port;
	}
	return 0;
}

/* The addresses of host into out (at most max): how many, or -1. */
static int
resolve(const char *host, struct sockaddr_storage *out, int max)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	int		 n = 0;

	if (resolver != NULL)
		return resolver(host, out, max);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL && n < max; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (ai->ai_addrlen > sizeof(out[n]))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(&out[n], ai->ai_addr, ai->ai_addrlen);
		n++;
	}
	freeaddrinfo(res);
	return n;
}

int
urlsafe_check(const char *url, int allow_loopback, struct urlsafe_url *u,
    const char **why)
{
	struct sockaddr_storage	 addrs[URLSAFE_ADDRS_MAX];
	struct in_addr		 a4;
	struct in6_addr		 a6;
	enum urlsafe_class	 cls, worst = URLSAFE_PUBLIC;
	int			 i, n;

	if (urlsafe_parse(url, u, why) == -1)
		return -1;
	memset(addrs, 0, sizeof(addrs));
	/* An address however written (inet_aton takes 0x7f.1 and
	 * 2130706433 as curl and browsers do), else a name. */
	if (inet_pton(AF_INET6, u->host, &a6) == 1) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&addrs[0];

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = a6;
		n = 1;
	} else if (inet_aton(u->host, &a4) != 0) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&addrs[0];

		s4->sin_family = AF_INET;
		s4->sin_addr = a4;
		n = 1;
	} else if ((n = resolve(u->host, addrs, URLSAFE_ADDRS_MAX)) <= 0) {
		*why = "the URL's host name does not resolve";
		return -2;
	}
	for (i = 0; i < n; i++) {
		if (addrs[i].ss_family == AF_INET)
			cls = urlsafe_class_v4((const unsigned char *)
			    &((struct sockaddr_in *)&addrs[i])->sin_addr);
		else if (addrs[i].ss_family == AF_INET6)
			cls = urlsafe_class_v6(((struct sockaddr_in6 *)
			    &addrs[i])->sin6_addr.s6_addr);
		else
			cls = URLSAFE_PRIVATE;
		if (cls == URLSAFE_PRIVATE ||
		    (cls == URLSAFE_LOOPBACK && worst == URLSAFE_PUBLIC))
			worst = cls;
	}
	if (worst == URLSAFE_PRIVATE || (worst == URLSAFE_LOOPBACK &&
	    !allow_loopback)) {
		*why = "the URL's host is a private, loopback, link-local or "
		    "reserved address (or resolves to one)";
		return -1;
	}
	if (!u->https && worst != URLSAFE_LOOPBACK) {
		*why = "the URL must start with https://";
		return -1;
	}
	if (addrs[0].ss_family == AF_INET6) {
		u->v6 = 1;
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&addrs[0])->
		    sin6_addr, u->addr, sizeof(u->addr));
		snprintf(u->connect_to, sizeof(u->connect_to), "::[%s]:%d",
		    u->addr, u->port);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&addrs[0])->sin_addr,
		    u->addr, sizeof(u->addr));
		snprintf(u->connect_to, sizeof(u->connect_to), "::%s:%d",
		    u->addr, u->port);
	}
	return 0;
}
