/*
 * health: GET /health, a JSON report for operators and monitors:
 * status, version, database reachability, queue depth, webhook ingest
 * counters and configuration warnings.  200 when healthy, 503 when the
 * database cannot be read or the configuration did not load.  status is
 * "ok", "unavailable" (503), or "degraded" (200) with "reasons" in
 * words: the app secret is missing, dead letters came in the last hour,
 * a channel (by id) has had no event for longer than silent_after_s,
 * the database schema is behind.  It holds no secret, no name, and
 * needs no authentication.
 */
#ifndef HG_HEALTH_H
#define HG_HEALTH_H

struct conf;
struct req;

/* Answer r; c may be NULL when the configuration failed to load. */
void	 health_handle(const struct conf *c, struct req *r);

#endif
