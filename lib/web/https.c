/*
 * https: the HTTPS state of a request and the require_https refusal.
 * See https.h.
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "http.h"
#include "https.h"
#include "limits.h"
#include "route.h"

/* An address in a comparable form: family AF_INET (4 bytes) or
 * AF_INET6 (16), an IPv4-mapped IPv6 address turned into IPv4. */
struct https_addr {
	int		 family;
	unsigned char	 b[16];
};

/* Parse s into a; 0, or -1 when s is not an address. */
static int
https_addr_parse(const char *s, struct https_addr *a)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	memset(a, 0, sizeof(*a));
	if (s == NULL)
		return -1;
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->b) != 1)
		return -1;
	a->family = AF_INET6;
	if (memcmp(a->b, mapped, sizeof(mapped)) == 0) {
		memmove(a->b, a->b + 12, 4);
		memset(a->b + 4, 0, 12);
		a->family = AF_INET;
	}
	return 0;
}

int
https_required(const struct conf *c)
{
	const char *v = conf_get(c, "require_https");

	if (strcmp(v, "yes") == 0)
		return 1;
	if (strcmp(v, "no") == 0)
		return 0;
	return strncasecmp(conf_get(c, "base_url"), "https://", 8) == 0;
}

int
https_loopback(const char *addr)
{
	static const unsigned char one[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
	};
	struct https_addr a;

	if (https_addr_parse(addr, &a) == -1)
		return 0;
	if (a.family == AF_INET)
		return a.b[0] == 127;
	return memcmp(a.b, one, sizeof(one)) == 0;
}

int
https_trusted_proxy(const struct req *r, const struct conf *c)
{
	struct https_addr	 me, p;
	char			 item[HG_ADDR_MAX];
	size_t			 n;
	int			 rc;

	if (https_addr_parse(r->remote, &me) == -1)
		return 0;
	for (n = 0; (rc = conf_list_item(c, "trusted_proxies", n, item,
	    sizeof(item))) == 1; n++)
		if (https_addr_parse(item, &p) == 0 &&
		    p.family == me.family &&
		    memcmp(p.b, me.b, sizeof(p.b)) == 0)
			return 1;
	return 0;
}

void
https_client(struct req *r, const struct conf *c)
{
	struct https_addr	 a;
	const char		*v, *last;
	size_t			 n;

	r->client[0] = '\0';
	if (c == NULL || (v = http_header(r, "X-Forwarded-For")) == NULL ||
	    !https_trusted_proxy(r, c))
		return;
	last = (last = strrchr(v, ',')) != NULL ? last + 1 : v;
	while (*last == ' ' || *last == '\t')
		last++;
	n = strcspn(last, " \t");
	if (n == 0 || n >= sizeof(r->client) || last[n + strspn(last + n,
	    " \t")] != '\0')
		return;
	memcpy(r->client, last, n);
	r->client[n] = '\0';
	if (https_addr_parse(r->client, &a) == -1)
		r->client[0] = '\0';
}

int
https_request_secure(const struct req *r, const struct conf *c)
{
	const char *v;

	if ((v = http_env(r, "HTTPS")) != NULL && strcasecmp(v, "on") == 0)
		return 1;
	if ((v = http_header(r, "X-Forwarded-Proto")) == NULL ||
	    strcasecmp(v, "https") != 0)
		return 0;
	return https_trusted_proxy(r, c);
}

int
https_refused(const struct req *r, const struct conf *c)
{
	if (!https_required(c) || https_request_secure(r, c))
		return 0;
	return !https_loopback(r->remote) || https_trusted_proxy(r, c);
}

int
https_gate(struct req *r, const struct conf *c)
{
	if (c == NULL || !https_refused(r, c))
		return 0;
	route_error(r, 403, "HTTPS is required: open the dashboard at its "
	    "https:// address");
	return 1;
}
