/*
 * api_fwd: forwarding's API (admins; a session or an API token):
 *
 *   GET    /api/destinations              the workspace's destinations
 *          with their rates (24 h), backlog, dead letters, last error
 *   POST   /api/destinations              {"url", "events": [...],
 *          "description", "channels": [ids], "platforms": [...],
 *          "enabled", "ordered", "include_raw", "rate_per_s",
 *          "headers": {name: value}} -> 201 {"id", "secret", ...}; the
 *          secret ("whsec_...") is shown this once.  422 when the URL
 *          is not https, holds credentials, or is (or resolves to) a
 *          private, loopback (outside the sandbox), link-local or
 *          reserved address; 422 for an unknown event type; 422
 *          with the rule broken for a custom header hubgate, curl or
 *          HTTP own (forward_header_check: content-type, host,
 *          user-agent, webhook-*, connection, te, proxy-* ...), a name
 *          that is not a token, a value with CR, LF or another control
 *          byte, more than HG_FWD_HEADERS_MAX, a name twice, or a NUL
 *          (\u0000) in any field.  The audit log records the URL's
 *          host, never its path or query
 *   GET    /api/destinations/ID           one destination
 *   PUT    /api/destinations/ID           change any of those fields
 *   DELETE /api/destinations/ID           with its deliveries
 *   POST   /api/destinations/ID/test      a test event to it alone -> 202
 *   POST   /api/destinations/ID/rotate-secret {"grace_s"} -> {"secret"}
 *          (shown once); the old secret signs too for grace_s
 *          (default a day, at most 7 days)
 *   GET    /api/destinations/ID/deliveries ?state=pending|delivered|dead
 *          &before=ID&limit=N, newest first
 *   POST   /api/destinations/ID/resend    every dead delivery again
 *   POST   /api/destinations/ID/replay    {"since", "until"} (unix ms or
 *          ISO 8601 UTC): the events it takes of that range, a new
 *          series each (same event ids)
 *   GET    /api/deliveries/ID             one delivery with its attempts
 *   POST   /api/deliveries/ID/resend      that delivery again
 *
 * Secrets and custom header values never appear in an answer after
 * creation, nor in the log.
 */
#ifndef HG_API_FWD_H
#define HG_API_FWD_H

#include "route.h"

struct conf;
struct bg_thread;

enum api_fwd_f {
	FWD_F_STATE,
	FWD_F_BEFORE,
	FWD_F_LIMIT,
	FWD_F__MAX
};
extern const struct route_field api_fwd_fields[FWD_F__MAX];

/* The program's configuration and forwarding thread (may be NULL), to
 * poke when something is due; once, before serving. */
void	 api_fwd_setup(const struct conf *, struct bg_thread *);
/* GET, POST, PUT, DELETE under /api/destinations. */
void	 api_fwd_destinations(struct req *, const struct route_ctx *);
/* GET, POST under /api/deliveries. */
void	 api_fwd_deliveries(struct req *, const struct route_ctx *);
/* The overview's problems: destinations of workspace hubgate disabled,
 * with dead letters, or failing for over an hour, in words, linked to
 * the Destinations page; 0 or -1. */
struct cJSON;
struct db;
int	 api_fwd_problems(struct db *, long long workspace,
	    struct cJSON *problems);

#endif
