/*
 * api_stats: the operations overview's JSON (api_stats.c), read from
 * the summaries (db_stats.h), never by counting webhook_event.
 *
 *   GET /api/stats[?range=24h|7d]  events today / this hour / in all
 *       by platform, the queue by state with the oldest pending age and
 *       the dead letters, the last 24 hours' rejected signatures,
 *       invalid and unrouted events, the unhandled kinds, the
 *       workspace's channels with their silence, events per hour (24
 *       or 168 buckets, oldest first, the last the current hour) by
 *       state and platform, processing latency by bucket with
 *       percentiles, and the problems in words with a link to where
 *       they are fixed.
 *   GET /api/unhandled  the unhandled ledger, most recent first; a
 *       sample event only when the caller may see it.
 *
 * Scoped to the caller's workspace; operators also see the events of
 * no workspace (unrouted, invalid) and the unrouted problem.  "today"
 * starts at the server's local midnight, "last_hour" at the start of
 * the current hour.  Rejected signatures and the unhandled ledger
 * belong to no workspace: everyone sees them (they hold no event).
 * Totals are read from event_total; the hours before the current one
 * are added up at most every HG_STATS_PAST_CACHE_MS per process and
 * scope (a past hour changes only when an old event does), the current
 * hour for every request.  A problem's time is "HH:MM" today, else
 * with its date; a wait is said in minutes, hours or days.
 */
#ifndef HG_API_STATS_H
#define HG_API_STATS_H

#include "route.h"

struct conf;

/* The program's configuration, for the handlers; once, before serving. */
void	 api_stats_setup(const struct conf *);

/* The fields of GET /api/stats, by index (for the route table). */
enum {
	STATS_F_RANGE,
	STATS_F__MAX
};
extern const struct route_field api_stats_fields[STATS_F__MAX];

void	 api_stats_get(struct req *, const struct route_ctx *);
void	 api_unhandled_get(struct req *, const struct route_ctx *);

#endif
