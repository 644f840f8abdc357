/*
 * metrics: GET /metrics, the Prometheus text format (version 0.0.4) of
 * the counters (the counter table: one counter family each, named
 * hubgate_<name with '.' as '_'>_total; the webhook's ingest counters
 * are always present, at 0 until counted) and of the queue as /health
 * counts it: hubgate_queue_events{state="..."} per state still to be
 * worked on, hubgate_queue_depth, hubgate_queue_oldest_pending_age_seconds,
 * plus hubgate_info{version="..."} 1.  It holds no personal data.
 *
 * Who may read it: a caller the gate accepts for a ROUTE_TOKEN route
 * (an API token of read or role scope, or a session); with
 * metrics_loopback = yes (the default) also anyone on loopback that is
 * not a trusted proxy (a proxy on the same machine speaks for clients
 * anywhere).  The program keeps two routes and picks one with
 * metrics_open.
 */
#ifndef HG_METRICS_H
#define HG_METRICS_H

struct conf;
struct req;

/* 1 when r may read the metrics without a token (see above), else 0;
 * 0 for a NULL c. */
int	 metrics_open(const struct conf *c, const struct req *r);
/* Answer r: 200 with the metrics, 503 (text) when the configuration
 * did not load (c NULL) or the database cannot be read. */
void	 metrics_handle(const struct conf *c, struct req *r);

#endif
