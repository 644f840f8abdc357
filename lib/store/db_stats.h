/*
 * db_stats: the summaries of the stored events (db_stats.c), kept by
 * schema.sql's triggers as events are stored, change state and go:
 * counts by workspace, hour, object, routing and state (event_stat),
 * processing latencies (event_latency) and what each counter gained
 * per hour (counter_hourly).  Reading them costs what the summaries
 * hold (hours kept x kinds), never what webhook_event holds.
 *
 * An event's workspace is its first channel's; events without a
 * channel (unrouted, invalid) are in the no-workspace bucket, which a
 * scope includes only for operators.  Hours are unix milliseconds /
 * 3600000 (UTC).
 */
#ifndef HG_DB_STATS_H
#define HG_DB_STATS_H

#include "db.h"
#include "db_event.h"

/* Latency buckets: bucket i < DB_LATENCY_BOUNDS holds events processed
 * at most db_latency_le_ms[i] ms after arrival (and more than the
 * bound before); bucket DB_LATENCY_BOUNDS the rest.  schema.sql's
 * latency_bucket table holds the same bounds for its triggers
 * (test_db_stats checks them). */
#define DB_LATENCY_BOUNDS	10
#define DB_LATENCY_BUCKETS	(DB_LATENCY_BOUNDS + 1)
extern const long long db_latency_le_ms[DB_LATENCY_BOUNDS];

#define DB_HOUR_MS	3600000LL

/* Counters (db_counter_add) the store keeps itself: processing
 * attempts (claims by queue workers; the committer counts those made
 * in the transaction that stores an event as webhook.processed_inline),
 * failed
 * attempts, and events that became dead letters (counter_hourly only,
 * written by db_queue.c's db_event_fail and db_queue_abandon with
 * their clock). */
#define DB_COUNTER_ATTEMPTS	"processing.attempts"
#define DB_COUNTER_FAILURES	"processing.failures"
#define DB_COUNTER_DEAD		"events.dead_letter"

/* Whose events: a workspace's (> 0; 0: none), the no-workspace
 * bucket's too (operators), or every event (all: /metrics). */
struct db_stats_scope {
	long long	 workspace;
	int		 unowned;
	int		 all;
};

/* Call fn for every non-empty total of scope (event_total: every hour
 * at once; row.hour is -1).  0 or -1. */
struct db_stat_row;
int	 db_stats_totals(struct db *, const struct db_stats_scope *,
	    void (*fn)(void *, const struct db_stat_row *), void *arg);
/* Housekeeping: delete at most limit rows of summaries that count
 * nothing any more (n = 0: every event of that kind went or changed)
 * and of hourly counters before before_hour; *deleted says how many.
 * 0 or -1. */
int	 db_stats_prune(struct db *, long long before_hour, int limit,
	    long long *deleted);

/* One summary row: n events of a kind received in an hour. */
struct db_stat_row {
	long long	 hour;
	enum event_platform platform;
	const char	*object;	/* "" when none; valid during fn */
	enum event_routing routing;
	enum event_state state;
	long long	 n;
};

/* Call fn for every non-empty summary row of scope whose hour is in
 * [from_hour, to_hour) (rows of two workspaces are not added up).
 * 0 or -1. */
int	 db_stats_each(struct db *, const struct db_stats_scope *,
	    long long from_hour, long long to_hour,
	    void (*fn)(void *, const struct db_stat_row *), void *arg);
/* The processings of scope's events in the hours [from_hour, to_hour)
 * by latency bucket into counts[DB_LATENCY_BUCKETS], and the sum of
 * their latencies in ms into *sum_ms (may be NULL).  0 or -1. */
int	 db_stats_latency(struct db *, const struct db_stats_scope *,
	    long long from_hour, long long to_hour, long long *counts,
	    long long *sum_ms);
/* What the counter name gained in the hours from from_hour on into
 * *value.  0 or -1. */
int	 db_stats_counter_since(struct db *, const char *name,
	    long long from_hour, long long *value);
/* The arrival (received_ms) of scope's oldest event in state into
 * *oldest_ms, 0 when there is none: for the states still to be worked
 * on (not processed), whose events the queue's index finds.  0 or -1. */
int	 db_stats_oldest(struct db *, const struct db_stats_scope *,
	    enum event_state, long long *oldest_ms);

/* A channel as the overview lists it. */
struct db_stats_channel {
	long long	 id;
	const char	*kind;		/* page, instagram, whatsapp */
	const char	*meta_id;
	const char	*name;
	long long	 last_event_at;	/* unix seconds; 0: never */
	long long	 created_at;	/* when it was connected */
};
/* How long channel c has been silent at unix time now: since its last
 * event, or since it was connected when it never had one. */
long long	 db_stats_silent_s(const struct db_stats_channel *c,
		    long long now);
/* Call fn for each channel of workspace (all channels when workspace
 * is 0), by id, every one of them (/health's silence check must see
 * them all).  Strings are valid during fn.  0 or -1. */
int	 db_stats_channels(struct db *, long long workspace,
	    void (*fn)(void *, const struct db_stats_channel *), void *arg);

/* A kind of event in the unhandled ledger. */
struct db_unhandled {
	const char	*object, *type;	/* valid during fn */
	long long	 count;
	long long	 first_seen_at, last_seen_at;	/* unix seconds */
	long long	 sample_event_id;	/* 0: none, or not visible */
};
/* Call fn for each kind, most recently seen first, at most
 * HG_LIST_MAX; a sample event is given only when scope may see it (an
 * event of one of the workspace's channels; one without a channel when
 * scope.unowned).  0 or -1. */
int	 db_stats_unhandled(struct db *, const struct db_stats_scope *,
	    void (*fn)(void *, const struct db_unhandled *), void *arg);
/* The number of kinds in the unhandled ledger.  0 or -1. */
int	 db_stats_unhandled_kinds(struct db *, long long *n);

/* Recompute event_stat and event_latency from webhook_event (after a
 * generator wrote events with the triggers' work undone, or to repair
 * them): processings of events no longer stored are forgotten.  In
 * its own transaction unless one is open.  0 or -1. */
int	 db_stats_rebuild(struct db *);

#endif
