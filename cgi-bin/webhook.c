/*
 * webhook: GET /webhook (Meta's verification) and POST /webhook (event
 * ingest), as FastCGI or CGI.  The logic is in lib/web/webhook.c.
 */
#include <stddef.h>

#include "app.h"
#include "conf.h"
#include "http.h"
#include "route.h"
#include "webhook.h"

static struct webhook *webhook;

static void
handle_webhook(struct req *r, const struct route_ctx *cx)
{
	if (webhook == NULL) {
		http_text(r, 503, "webhook is not configured");
		return;
	}
	webhook_handle(webhook, r, cx);
}

/* Meta signs what it POSTs: the webhook checks the signature itself,
 * on the raw body.  The verification handshake's query fields are
 * declared and validated here. */
static const struct route routes[] = {
	{ .path = "/webhook",
	  .methods = HTTP_BIT(HTTP_GET) | HTTP_BIT(HTTP_POST),
	  .auth = ROUTE_PUBLIC, .fields = webhook_fields,
	  .nfields = WEBHOOK_FIELD__MAX, .handler = handle_webhook },
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

int
main(void)
{
	struct http_server	 srv = {
		.prog = "webhook",
		.threads = 1,
		.handle = handle,
	};
	struct conf		*c;
	char			 err[HG_ERR_MAX];
	int			 rc;

	if ((c = app_init("webhook", err, sizeof(err))) != NULL) {
		srv.threads = (int)conf_get_int(c, "fcgi_threads");
		webhook = webhook_new(c, !http_is_cgi());
	}
	rc = http_serve(&srv);
	webhook_free(webhook);
	conf_free(c);
	return rc;
}
