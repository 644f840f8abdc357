/*
 * urlsafe: may hubgate post to this URL?  For the business's own
 * endpoints (forwarding): http(s) only, no credentials in the URL, and
 * every address the host resolves to public — no private, loopback,
 * link-local, carrier-grade NAT, multicast, documentation or metadata
 * ranges, in IPv4 or IPv6 (IPv4-mapped, NAT64 and 6to4 addresses are
 * judged by the IPv4 address inside), however the address is written
 * (0x7f.1, 2130706433, 0177.0.0.1 are 127.0.0.1).  Loopback is allowed
 * only when the caller says so (the sandbox), and only there may the
 * scheme be http.  The check hands back the address it approved, which
 * the connection must use (CURLOPT_CONNECT_TO): no second lookup, so no
 * DNS rebinding between check and connect.
 */
#ifndef HG_URLSAFE_H
#define HG_URLSAFE_H

#include <stddef.h>

struct sockaddr;

/* Longest URL accepted for a destination. */
#define HG_URLSAFE_URL_MAX	2048
/* Longest host name (DNS: 253) and a printed address. */
#define HG_URLSAFE_HOST_MAX	256
#define HG_URLSAFE_ADDR_MAX	64

/* What an address is. */
enum urlsafe_class {
	URLSAFE_PUBLIC,
	URLSAFE_LOOPBACK,	/* 127/8, ::1 */
	URLSAFE_PRIVATE,	/* everything else that is not public */
	URLSAFE_CLASS__MAX
};

/* A URL's parts and the address approved for it. */
struct urlsafe_url {
	int	 https;				/* else http */
	char	 host[HG_URLSAFE_HOST_MAX];	/* as written, no brackets */
	int	 port;
	char	 addr[HG_URLSAFE_ADDR_MAX];	/* the approved address */
	int	 v6;				/* addr is IPv6 */
	/* "::addr:port" for CURLOPT_CONNECT_TO (brackets for IPv6). */
	char	 connect_to[HG_URLSAFE_ADDR_MAX + 16];
};

/* Split url into u (scheme, host, port); 0, or -1 with why (a
 * sentence) when it is not an absolute http(s) URL with a host, has
 * credentials, a fragment, blanks or control bytes, or is too long. */
int	 urlsafe_parse(const char *url, struct urlsafe_url *u, const char **why);
/* The class of an IPv4 address (network byte order, 4 bytes). */
enum urlsafe_class urlsafe_class_v4(const unsigned char a[4]);
/* The class of an IPv6 address (16 bytes). */
enum urlsafe_class urlsafe_class_v6(const unsigned char a[16]);
/*
 * Check url for a delivery: parse it, resolve its host (an address
 * written in any form inet_aton takes counts as that address), judge
 * every address found, and keep the first in u->addr and
 * u->connect_to.  allow_loopback: loopback addresses pass and so does
 * http on them (the sandbox).  0 when it may be used; -1 refused (why);
 * -2 when the host does not resolve now (why).
 */
int	 urlsafe_check(const char *url, int allow_loopback,
	    struct urlsafe_url *u, const char **why);

/* For tests: resolve names with fn instead of getaddrinfo (NULL: back
 * to getaddrinfo).  fn fills up to max addresses (struct sockaddr_in or
 * sockaddr_in6 in a struct sockaddr_storage each) and returns how
 * many, 0 for none, -1 when the name does not resolve. */
struct sockaddr_storage;
typedef int (*urlsafe_resolver)(const char *host,
	    struct sockaddr_storage *out, int max);
void	 urlsafe_set_resolver(urlsafe_resolver fn);

#endif
