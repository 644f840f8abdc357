/*
 * oauth: connecting accounts and Meta's callbacks about people, under
 * /oauth (oauth.h); every answer with the security headers (route.h),
 * refused over plain http when HTTPS is required (https.h).  As
 * FastCGI or CGI.
 */
#include <stddef.h>

#include "app.h"
#include "conf.h"
#include "http.h"
#include "https.h"
#include "oauth.h"
#include "route.h"
#include "session.h"

static struct conf *conf;

/* The routes are public to the gate: the handlers find out who calls
 * (a browser is sent to sign in, Meta's callbacks are signed). */
static const struct route routes[] = {
	{ .path = "/oauth/login", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_PUBLIC, .fields = oauth_login_fields,
	  .nfields = OAUTH_LOGIN__MAX, .handler = oauth_login },
	{ .path = "/oauth/callback", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_PUBLIC, .fields = oauth_callback_fields,
	  .nfields = OAUTH_CB__MAX, .handler = oauth_callback },
	{ .path = "/oauth/connect", .methods = HTTP_BIT(HTTP_POST),
	  .auth = ROUTE_PUBLIC, .handler = oauth_connect },
	{ .path = "/oauth/deauthorize", .methods = HTTP_BIT(HTTP_POST),
	  .auth = ROUTE_PUBLIC, .handler = oauth_deauthorize },
	{ .path = "/oauth/data-deletion", .methods = HTTP_BIT(HTTP_POST),
	  .auth = ROUTE_PUBLIC, .handler = oauth_data_deletion },
	{ .path = "/oauth/deletion-status", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_PUBLIC, .fields = oauth_status_fields,
	  .nfields = OAUTH_STATUS__MAX, .handler = oauth_deletion_status },
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
	https_client(r, conf);
	if (https_gate(r, conf)) {
		route_security_headers(r, table.headers);
		return;
	}
	route_dispatch(r, &table);
}

int
main(void)
{
	struct http_server	 srv = {
		.prog = "oauth",
		.threads = 4,
		.worker_free = app_worker_free,
		.handle = handle,
	};
	char			 err[HG_ERR_MAX];
	int			 rc;

	conf = app_init("oauth", err, sizeof(err));
	session_setup(conf);
	oauth_setup(conf);
	if (conf != NULL && session_https(conf))
		table.headers |= ROUTE_HSTS;
	rc = http_serve(&srv);
	conf_free(conf);
	return rc;
}
