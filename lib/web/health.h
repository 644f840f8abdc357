/*
 * health: GET /health, a JSON report for operators and monitors:
 * status, version, database reachability, queue depth, webhook ingest
 * counters and configuration warnings.  200 when healthy, 503 when the
 * database cannot be read or the configuration did not load.  It holds
 * no secret and needs no authentication.
 */
#ifndef HG_HEALTH_H
#define HG_HEALTH_H

struct conf;
struct req;

/* Answer r; c may be NULL when the configuration failed to load. */
void	 health_handle(const struct conf *c, struct req *r);

#endif
