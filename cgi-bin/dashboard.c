/*
 * dashboard: /health and the dashboard's JSON API under /api, behind
 * the session gate (session.h), every answer with the security headers
 * (route.h).  As FastCGI or CGI.
 */
#include <stddef.h>

#include "app.h"
#include "conf.h"
#include "health.h"
#include "http.h"
#include "route.h"
#include "session.h"

static struct conf *conf;

static void
handle_health(struct req *r, const struct route_ctx *cx)
{
	(void)cx;
	health_handle(conf, r);
}

static const struct route routes[] = {
	{ .path = "/health", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_PUBLIC, .handler = handle_health },
};

static struct route_table table = {
	.routes = routes,
	.n = sizeof(routes) / sizeof(routes[0]),
	.authenticate = session_authenticate,
	.headers = ROUTE_HEADERS,
};

static void
handle(struct req *r)
{
	route_dispatch(r, &table);
}

static void
worker_free(void *ctx)
{
	(void)ctx;
	app_db_close();
}

int
main(void)
{
	struct http_server	 srv = {
		.prog = "dashboard",
		.threads = 4,
		.worker_free = worker_free,
		.handle = handle,
	};
	char			 err[HG_ERR_MAX];
	int			 rc;

	conf = app_init("dashboard", err, sizeof(err));
	session_setup(conf);
	if (conf != NULL && session_https(conf))
		table.headers |= ROUTE_HSTS;
	rc = http_serve(&srv);
	conf_free(conf);
	return rc;
}
