/*
 * db_event: the raw webhook events as they are stored (db.c): their
 * states, their routing and the journal row.
 */
#ifndef HG_DB_EVENT_H
#define HG_DB_EVENT_H

#include "db.h"

/* Where a stored webhook event is in its processing (docs/DESIGN.md). */
enum event_state {
	EVENT_PENDING,		/* waiting to be processed */
	EVENT_PROCESSING,	/* claimed by a worker, under a lease */
	EVENT_PROCESSED,	/* its rows are stored */
	EVENT_FAILED,		/* to be tried again at next_attempt_ms */
	EVENT_DEAD_LETTER,	/* given up on: a person may requeue it */
	EVENT_INVALID,		/* not a JSON envelope: kept, never processed */
	EVENT_STATE__MAX
};
extern const char *const event_state_names[EVENT_STATE__MAX];

/* Whether a stored event's accounts matched connected channels. */
enum event_routing {
	ROUTING_ROUTED,		/* every account */
	ROUTING_PARTIAL,	/* some */
	ROUTING_UNROUTED,	/* none */
	ROUTING__MAX
};
extern const char *const event_routing_names[ROUTING__MAX];

/* A raw webhook event as it is journalled. */
struct db_event {
	const void	*body;
	size_t		 len;
	const char	*sha256;	/* hex */
	const char	*signature;
	long long	 received_ms;
	long long	 sent_ms;	/* the envelope's: the dedupe key's prefix */
	const char	*object;	/* NULL when the body is not JSON */
	const char	*entry_ids;	/* JSON array text */
	const char	*phone_ids;	/* JSON array text */
	enum event_routing routing;
	long long	 channel_id;	/* the first channel routed to, or 0 */
	enum event_state state;		/* pending, invalid, or processed:
					 * inserted as processed BEFORE the
					 * same transaction processes it
					 * (attempts 1, at received_ms); made
					 * pending by db_event_unprocessed in
					 * that transaction if processing
					 * fails (see committer.h) */
};

/* Store an event: 1 stored (id set), 0 a duplicate of a stored body
 * (same sent_ms and hash), -1 error. */
int		 db_event_insert(struct db *, const struct db_event *,
		    long long *id);
/* Link a stored event to one more channel than its first (a batch
 * for several accounts); its first again changes nothing.  0 or -1. */
int		 db_event_route(struct db *, long long event_id,
		    long long channel_id);

#endif
