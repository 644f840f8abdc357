/*
 * https: whether a dashboard request came over HTTPS, and whether it
 * must be refused for want of it.
 *
 * HTTPS is required when require_https = yes, or with require_https =
 * auto (the default) when base_url is https.  A request is over HTTPS
 * when the web server says so (the CGI/FastCGI variable HTTPS = "on"),
 * or when it comes from an address listed in trusted_proxies with the
 * header X-Forwarded-Proto: https.  The header from any other address
 * is not believed; nor is X-Forwarded-For, the client's address behind
 * such a proxy (https_client).
 *
 * When HTTPS is required, a request that is not over it is refused
 * unless it comes from loopback (127.0.0.0/8, ::1, ::ffff:127.x.x.x)
 * and not from a trusted proxy: a proxy on the same machine speaks for
 * clients anywhere, so its loopback address proves nothing.
 */
#ifndef HG_HTTPS_H
#define HG_HTTPS_H

#include "http.h"

struct conf;

/* 1 when c asks for HTTPS (see above), else 0. */
int	https_required(const struct conf *c);
/* 1 when addr (as REMOTE_ADDR gives it) is a loopback address, else 0
 * (also for anything that is not an address). */
int	https_loopback(const char *addr);
/* 1 when r's client address is one of c's trusted_proxies, else 0. */
int	https_trusted_proxy(const struct req *r, const struct conf *c);
/* Find out r's client address into r->client (see http_client): behind
 * a trusted proxy (https_trusted_proxy) the last address of the
 * X-Forwarded-For header, the one the proxy itself appended, when it
 * is an IPv4 or IPv6 address; otherwise (no such header, something
 * else in its place, any other sender) REMOTE_ADDR.  The header from
 * an address not in trusted_proxies is not believed.  A NULL c
 * believes nobody. */
void	https_client(struct req *r, const struct conf *c);
/* 1 when r came over HTTPS (see above), else 0. */
int	https_request_secure(const struct req *r, const struct conf *c);
/* 1 when r must be refused because HTTPS is required and r is neither
 * over HTTPS nor from loopback; else 0. */
int	https_refused(const struct req *r, const struct conf *c);
/* The gate for the dashboard: when https_refused, answer 403 saying
 * HTTPS is required (JSON under /api, text elsewhere) and return 1;
 * else 0 and r is untouched.  A NULL c (no configuration) refuses
 * nothing here: the routes answer 503 themselves. */
int	https_gate(struct req *r, const struct conf *c);

#endif
