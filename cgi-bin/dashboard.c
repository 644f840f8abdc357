/*
 * dashboard: /health now; /metrics and /api/... as they arrive.  As
 * FastCGI or CGI.
 */
#include <stddef.h>

#include "api_audit.h"
#include "api_users.h"
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
	/* Users, workspaces and the audit log (api_users.c, api_audit.c). */
	{ .path = "/api/users", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_TOKEN, .role = ROLE_OWNER, .handler = api_users_list },
	{ .path = "/api/users", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_JSON, .auth = ROUTE_SESSION, .role = ROLE_OWNER,
	  .fields = api_users_add_fields, .nfields = USERS_ADD__MAX,
	  .handler = api_users_add },
	{ .path = "/api/users", .methods = HTTP_BIT(HTTP_PATCH),
	  .flags = ROUTE_PREFIX | ROUTE_JSON, .auth = ROUTE_SESSION,
	  .role = ROLE_OWNER, .fields = api_users_patch_fields,
	  .nfields = USERS_PATCH__MAX, .handler = api_users_patch },
	{ .path = "/api/audit", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_TOKEN, .role = ROLE_ADMIN, .fields = api_audit_fields,
	  .nfields = AUDIT_F__MAX, .handler = api_audit_list },
	{ .path = "/api/workspaces", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_TOKEN, .role = ROLE_AGENT,
	  .handler = api_workspaces_list },
	{ .path = "/api/workspaces", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_JSON, .auth = ROUTE_SESSION, .role = ROLE_AGENT,
	  .fields = api_workspaces_add_fields, .nfields = WORKSPACES_ADD__MAX,
	  .handler = api_workspaces_add },
};

static const struct route_table table = {
	.routes = routes,
	.n = sizeof(routes) / sizeof(routes[0]),
	.authenticate = session_authenticate,
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
	api_users_setup(conf);
	api_audit_setup(conf);
	rc = http_serve(&srv);
	conf_free(conf);
	return rc;
}
