/*
 * dashboard: /health now; /metrics and /api/... as they arrive.  As
 * FastCGI or CGI.
 */
#include <stddef.h>

#include "app.h"
#include "conf.h"
#include "health.h"
#include "http.h"
#include "route.h"

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

static const struct route_table table = {
	.routes = routes,
	.n = sizeof(routes) / sizeof(routes[0]),
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
	rc = http_serve(&srv);
	conf_free(conf);
	return rc;
}
