/*
 * dashboard: /health, /metrics (metrics.h) and the dashboard's JSON API
 * under /api, behind the session gate (session.h) and, when HTTPS is
 * required, the HTTPS gate (https.h); every answer with the security
 * headers (route.h).  As FastCGI or CGI.
 */
#include <stddef.h>
#include <string.h>

#include "api_session.h"
#include "api_audit.h"
#include "api_channel_act.h"
#include "api_contacts.h"
#include "api_stats.h"
#include "api_events.h"
#include "api_inbox.h"
#include "api_outbox.h"
#include "api_rules.h"
#include "api_groups.h"
#include "api_retention.h"
#include "api_templates.h"
#include "api_media.h"
#include "api_users.h"
#include "api_wa_signup.h"
#include "app.h"
#include "conf.h"
#include "health.h"
#include "http.h"
#include "https.h"
#include "media.h"
#include "metrics.h"
#include "bgthread.h"
#include "bot.h"
#include "outbox.h"
#include "route.h"
#include "api_tokens.h"
#include "api_fwd.h"
#include "forward.h"
#include "session.h"

static struct conf *conf;

static void
handle_health(struct req *r, const struct route_ctx *cx)
{
	(void)cx;
	health_handle(conf, r);
}

static void
handle_metrics(struct req *r, const struct route_ctx *cx)
{
	(void)cx;
	metrics_handle(conf, r);
}

static const struct route routes[] = {
	{ .path = "/health", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_PUBLIC, .handler = handle_health },
	/* An API token (read scope is enough) or a session; open_routes
	 * below when metrics_open. */
	{ .path = "/metrics", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_TOKEN, .role = ROLE_AGENT, .handler = handle_metrics },

	/* Signing in, sessions, passwords, API tokens (api_session.c). */
	{ .path = "/api/session", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_SESSION, .role = ROLE_AGENT,
	  .handler = api_session_get },
	{ .path = "/api/session", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_JSON, .auth = ROUTE_PUBLIC,
	  .fields = api_signin_fields, .nfields = API_SIGNIN_NFIELDS,
	  .handler = api_session_post },
	{ .path = "/api/session", .methods = HTTP_BIT(HTTP_DELETE),
	  .auth = ROUTE_SESSION, .role = ROLE_AGENT,
	  .handler = api_session_delete },
	{ .path = "/api/session/workspace", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_JSON, .auth = ROUTE_SESSION, .role = ROLE_AGENT,
	  .fields = api_workspace_fields, .nfields = API_WORKSPACE_NFIELDS,
	  .handler = api_session_workspace },
	{ .path = "/api/setup", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_JSON, .auth = ROUTE_PUBLIC,
	  .fields = api_setup_fields, .nfields = API_SETUP_NFIELDS,
	  .handler = api_setup },
	{ .path = "/api/password", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_JSON, .auth = ROUTE_SESSION, .role = ROLE_AGENT,
	  .fields = api_password_fields, .nfields = API_PASSWORD_NFIELDS,
	  .handler = api_password },
	{ .path = "/api/sessions", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_SESSION, .role = ROLE_AGENT,
	  .handler = api_sessions_get },
	{ .path = "/api/sessions", .methods = HTTP_BIT(HTTP_DELETE),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_SESSION, .role = ROLE_AGENT,
	  .handler = api_sessions_delete },
	{ .path = "/api/tokens", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_SESSION, .role = ROLE_AGENT,
	  .handler = api_tokens_get },
	{ .path = "/api/tokens", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_JSON, .auth = ROUTE_SESSION, .role = ROLE_AGENT,
	  .fields = api_token_fields, .nfields = API_TOKEN_NFIELDS,
	  .handler = api_tokens_post },
	{ .path = "/api/tokens", .methods = HTTP_BIT(HTTP_DELETE),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_SESSION, .role = ROLE_AGENT,
	  .handler = api_tokens_delete },
	/* End of api_session.c's routes. */

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
	{ .path = "/api/users", .methods = HTTP_BIT(HTTP_DELETE),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_SESSION, .role = ROLE_OWNER,
	  .handler = api_users_delete },
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

	/* Operations: stats (api_stats.c). */
	{ .path = "/api/stats", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_TOKEN, .role = ROLE_AGENT, .fields = api_stats_fields,
	  .nfields = STATS_F__MAX, .handler = api_stats_get },
	{ .path = "/api/unhandled", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_TOKEN, .role = ROLE_AGENT,
	  .handler = api_unhandled_get },
	/* Operations: events (api_events.c). */
	{ .path = "/api/events/requeue", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_JSON, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .fields = api_requeue_fields, .nfields = REQUEUE_F__MAX,
	  .handler = api_events_requeue },
	{ .path = "/api/events/replay", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_JSON, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .fields = api_replay_fields, .nfields = REPLAY_F__MAX,
	  .handler = api_events_replay },
	{ .path = "/api/events", .methods = HTTP_BIT(HTTP_GET),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_AGENT,
	  .fields = api_events_fields, .nfields = EVENTS_F__MAX,
	  .handler = api_events_get },
	{ .path = "/api/events", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_events_retry },
	{ .path = "/api/events", .methods = HTTP_BIT(HTTP_DELETE),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_OWNER,
	  .handler = api_events_delete },
	{ .path = "/api/dead-letters", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_TOKEN, .role = ROLE_AGENT, .handler = api_dead_letters },
	{ .path = "/api/channels", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_TOKEN, .role = ROLE_AGENT,
	  .handler = api_channels_list },
	{ .path = "/api/channels", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_JSON, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .fields = api_channel_fields, .nfields = CHANNEL_F__MAX,
	  .handler = api_channels_add },
	/* A WhatsApp number by form, and a channel's actions
	 * (api_channel_act.c). */
	{ .path = "/api/channels/whatsapp", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_JSON, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .fields = api_wa_fields, .nfields = WA_F__MAX,
	  .handler = api_channels_whatsapp },
	/* WhatsApp Embedded Signup's end (api_wa_signup.c): a session's
	 * own pick, so no API token. */
	{ .path = "/api/channels/whatsapp/signup",
	  .methods = HTTP_BIT(HTTP_GET), .auth = ROUTE_SESSION,
	  .role = ROLE_ADMIN, .handler = api_wa_signup_info },
	{ .path = "/api/channels/whatsapp/signup",
	  .methods = HTTP_BIT(HTTP_POST), .flags = ROUTE_JSON,
	  .auth = ROUTE_SESSION, .role = ROLE_ADMIN,
	  .fields = api_wa_signup_fields, .nfields = WAS_F__MAX,
	  .handler = api_wa_signup },
	{ .path = "/api/channels", .methods = HTTP_BIT(HTTP_PATCH),
	  .flags = ROUTE_PREFIX | ROUTE_JSON, .auth = ROUTE_TOKEN,
	  .role = ROLE_ADMIN, .fields = api_rename_fields,
	  .nfields = RENAME_F__MAX, .handler = api_channel_patch },
	{ .path = "/api/channels", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_channel_post },
	{ .path = "/api/channels", .methods = HTTP_BIT(HTTP_DELETE),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_channel_delete },
	/* One person's data: export and erase (api_contacts.c). */
	{ .path = "/api/contacts", .methods = HTTP_BIT(HTTP_GET),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_contacts_export },
	{ .path = "/api/contacts", .methods = HTTP_BIT(HTTP_DELETE),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_contacts_erase },

	/* A WhatsApp number's templates (api_templates.c). */
	{ .path = "/api/channels", .methods = HTTP_BIT(HTTP_GET),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_AGENT,
	  .fields = api_templates_fields, .nfields = TEMPLATES_F__MAX,
	  .handler = api_templates_get },

	/* Inbox and sending (api_inbox.c). */
	{ .path = "/api/conversations", .methods = HTTP_BIT(HTTP_GET),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_AGENT,
	  .fields = api_inbox_fields, .nfields = INBOX_F__MAX,
	  .handler = api_inbox_get },
	{ .path = "/api/conversations", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_PREFIX | ROUTE_JSON, .auth = ROUTE_TOKEN,
	  .role = ROLE_AGENT, .fields = api_send_fields,
	  .nfields = SEND_F__MAX, .handler = api_inbox_send },

	/* The outbound queue, its attempts and retries (api_outbox.c). */
	{ .path = "/api/outbox", .methods = HTTP_BIT(HTTP_GET),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_AGENT,
	  .fields = api_outbox_fields, .nfields = OUTBOX_F__MAX,
	  .handler = api_outbox_get },
	{ .path = "/api/outbox", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_outbox_post },
	/* Automation: rules, their test box, the handover, bot and hours
	 * settings (api_rules.c). */
	{ .path = "/api/rules", .methods = HTTP_BIT(HTTP_GET),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_rules_get },
	{ .path = "/api/rules", .methods = HTTP_BIT(HTTP_POST),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_rules_post },
	{ .path = "/api/rules", .methods = HTTP_BIT(HTTP_PUT),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_rules_put },
	{ .path = "/api/rules", .methods = HTTP_BIT(HTTP_DELETE),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_rules_delete },
	{ .path = "/api/settings/handover",
	  .methods = HTTP_BIT(HTTP_GET) | HTTP_BIT(HTTP_PUT),
	  .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_rules_settings },
	{ .path = "/api/settings/bot",
	  .methods = HTTP_BIT(HTTP_GET) | HTTP_BIT(HTTP_PUT),
	  .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_rules_settings },
	{ .path = "/api/settings/hours",
	  .methods = HTTP_BIT(HTTP_GET) | HTTP_BIT(HTTP_PUT),
	  .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_rules_settings },
	{ .path = "/api/settings/availability",
	  .methods = HTTP_BIT(HTTP_GET) | HTTP_BIT(HTTP_PUT),
	  .auth = ROUTE_TOKEN, .role = ROLE_AGENT,
	  .handler = api_rules_availability },
	/* Groups of people, for rules to assign to (api_groups.c). */
	{ .path = "/api/groups", .methods = HTTP_BIT(HTTP_GET),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_AGENT,
	  .handler = api_groups },
	{ .path = "/api/groups", .methods = HTTP_BIT(HTTP_POST) |
	  HTTP_BIT(HTTP_PUT) | HTTP_BIT(HTTP_DELETE), .flags = ROUTE_PREFIX,
	  .auth = ROUTE_TOKEN, .role = ROLE_ADMIN, .handler = api_groups },
	/* What people take back, kept or not (api_retention.c). */
	{ .path = "/api/settings/retention",
	  .methods = HTTP_BIT(HTTP_GET) | HTTP_BIT(HTTP_PUT),
	  .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .handler = api_retention },
	/* Stored media, to the item's workspace only (api_media.c). */
	{ .path = "/api/media", .methods = HTTP_BIT(HTTP_GET),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_AGENT,
	  .handler = api_media_get },
	/* Forwarding to the business's endpoints (api_fwd.c). */
	{ .path = "/api/destinations", .methods = HTTP_BIT(HTTP_GET) |
	  HTTP_BIT(HTTP_POST) | HTTP_BIT(HTTP_PUT) | HTTP_BIT(HTTP_DELETE),
	  .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN, .role = ROLE_ADMIN,
	  .fields = api_fwd_fields, .nfields = FWD_F__MAX,
	  .handler = api_fwd_destinations },
	{ .path = "/api/deliveries", .methods = HTTP_BIT(HTTP_GET) |
	  HTTP_BIT(HTTP_POST), .flags = ROUTE_PREFIX, .auth = ROUTE_TOKEN,
	  .role = ROLE_ADMIN, .handler = api_fwd_deliveries },
};

static struct route_table table = {
	.routes = routes,
	.n = sizeof(routes) / sizeof(routes[0]),
	.authenticate = session_authenticate,
	.headers = ROUTE_HEADERS,
};

/* Every path but /health is the dashboard's: refused over plain http
 * when HTTPS is required (https.h), with the security headers too. */
/* /metrics without a token, for loopback when metrics_loopback = yes. */
static const struct route open_routes[] = {
	{ .path = "/metrics", .methods = HTTP_BIT(HTTP_GET),
	  .auth = ROUTE_PUBLIC, .handler = handle_metrics },
};

static struct route_table open_table = {
	.routes = open_routes,
	.n = sizeof(open_routes) / sizeof(open_routes[0]),
	.authenticate = session_authenticate,
	.headers = ROUTE_HEADERS,
};

static void
handle(struct req *r)
{
	/* Behind a trusted proxy, the client's own address: for the
	 * sign-in throttle, the audit log and the list of sessions. */
	https_client(r, conf);
	if (strcmp(r->path, "/health") != 0 && https_gate(r, conf)) {
		route_security_headers(r, table.headers);
		return;
	}
	if (strcmp(r->path, "/metrics") == 0 && metrics_open(conf, r))
		route_dispatch(r, &open_table);
	else
		route_dispatch(r, &table);
}

int
main(void)
{
	struct http_server	 srv = {
		.prog = "dashboard",
		.threads = 4,
		.worker_free = app_worker_free,
		.handle = handle,
	};
	struct bg_thread	*outbox = NULL;
	struct bg_thread	*media = NULL;
	struct bg_thread	*forward = NULL;
	struct bg_thread	*bot = NULL;
	char			 err[HG_ERR_MAX];
	int			 rc;

	conf = app_init("dashboard", err, sizeof(err));
	session_setup(conf);
	api_session_setup(conf);
	if (conf != NULL && session_https(conf))
		table.headers |= ROUTE_HSTS;
	open_table.headers = table.headers;
	api_users_setup(conf);
	api_audit_setup(conf);
	api_stats_setup(conf);
	api_events_setup(conf);
	api_channel_act_setup(conf);
	api_wa_signup_setup(conf);
	api_templates_setup(conf);
	api_tokens_setup(conf);
	api_rules_setup(conf);
	api_groups_setup(conf);
	api_retention_setup(conf);
	/* Under FastCGI, the process that holds the outbox lock sends
	 * at once what its requests queue; the cron sends the rest. */
	if (conf != NULL && !http_is_cgi() && app_lock(conf, "outbox") >= 0)
		outbox = bg_thread_new(conf, &outbox_job);
	api_inbox_setup(conf, outbox);
	api_outbox_setup(conf, outbox);
	/* The process that holds the media lock fetches inbound media
	 * and profiles as they come; the cron fetches the rest. */
	api_media_setup(conf);
	if (conf != NULL && !http_is_cgi() && app_lock(conf, "media") >= 0)
		media = bg_thread_new(conf, &media_job);
	/* The process that holds the forward lock delivers events to
	 * the business's endpoints as they come; the cron the rest. */
	if (conf != NULL && !http_is_cgi() && app_lock(conf, "forward") >= 0)
		forward = bg_thread_new(conf, &forward_job);
	api_fwd_setup(conf, forward);
	/* The process that holds the bot lock calls the workspaces' bots
	 * as rules hand messages to them; the cron calls the rest. */
	if (conf != NULL && !http_is_cgi() && app_lock(conf, "bot") >= 0)
		bot = bg_thread_new(conf, &bot_job);
	rc = http_serve(&srv);
	bg_thread_free(bot);
	bg_thread_free(forward);
	bg_thread_free(outbox);
	bg_thread_free(media);
	conf_free(conf);
	return rc;
}
