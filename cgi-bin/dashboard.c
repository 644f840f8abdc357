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
handle_health(struct req *r)
{
	health_handle(conf, r);
}

static const struct route routes[] = {
	{ "/health", HTTP_BIT(HTTP_GET), 0, handle_health },
};

static void
handle(struct req *r)
{
	route_dispatch(r, routes, sizeof(routes) / sizeof(routes[0]));
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
	struct http_server	 srv = { "dashboard", 4, NULL, worker_free,
				     NULL, handle };
	char			 err[512];
	int			 rc;

	conf = app_init("dashboard", err, sizeof(err));
	rc = http_serve(&srv);
	conf_free(conf);
	return rc;
}
