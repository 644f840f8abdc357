/*
 * db_event: the raw webhook events as they are stored (db.c): their
 * states, their routing and the journal row.
 */
#ifndef HG_DB_EVENT_H
#define HG_DB_EVENT_H

#include <stddef.h>

#include "buf.h"
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

/* Where an event came from, by its envelope's object (the dashboard's
 * "platform"). */
enum event_platform {
	PLATFORM_MESSENGER,	/* object "page" */
	PLATFORM_INSTAGRAM,	/* object "instagram" */
	PLATFORM_WHATSAPP,	/* object "whatsapp_business_account" */
	PLATFORM_OTHER,		/* any other object, or none */
	PLATFORM__MAX
};
extern const char *const event_platform_names[PLATFORM__MAX];
/* The envelope object of each platform (NULL for other). */
extern const char *const event_platform_objects[PLATFORM__MAX];
/* The platform of an envelope object (NULL or unknown: other). */
enum event_platform event_platform_of(const char *object);
/* The platform of a channel kind (page, instagram, whatsapp; else
 * other). */
enum event_platform event_platform_of_kind(const char *kind);
/* The value of a name table (event_state_names, ...) named s: its
 * index, or -1. */
int		 db_name_index(const char *const *names, int n, const char *s);

/*
 * The operations on stored events (db_ops.c): lists, one event with
 * what it produced, retries, requeues, replays, deletion, dead letters
 * by error, and channels connected by hand with the re-routing of
 * their earlier events.
 *
 * Everything is seen through a scope: an event belongs to the
 * workspace of its channels (webhook_event.channel_id and
 * webhook_event_channel); an event of no channel (unrouted) only to
 * operators, whatever their workspace.  An event outside the scope is
 * answered as absent.
 */
struct db_scope {
	long long	 workspace;
	int		 operator;	/* 1: unrouted events too */
};

/* A filter of the list; every member unset by db_filter_init. */
struct db_event_filter {
	int		 state;		/* enum event_state, or -1 */
	int		 platform;	/* enum event_platform, or -1 */
	long long	 channel;	/* 0: any */
	int		 routing;	/* enum event_routing, or -1 */
	long long	 since_ms;	/* received at or after; 0: open */
	long long	 until_ms;	/* received before; 0: open */
	const char	*q;		/* exact: an event id, a message's
					 * mid / wamid, an entry id or
					 * phone_number_id; NULL: none */
};
void		 db_filter_init(struct db_event_filter *);

/* An event as the list and the detail show it; strings borrowed for
 * the callback's duration (NULL when the column is). */
struct db_event_row {
	long long	 id, received_ms, attempts, channel_id, size;
	long long	 processed_ms;		/* 0: never processed; else
						 * the last processing's end */
	int		 shared;	/* 1: a channel of it belongs to
					 * another workspace */
	const char	*object, *state, *routing, *channel_name, *last_error;
	/* db_event_get only */
	const char	*signature, *sha256, *entry_ids, *phone_ids;
	long long	 next_attempt_ms, lease_expires_ms;	/* 0: none */
	const void	*body;		/* its first body_max bytes;
					 * NULL when withheld (shared,
					 * and not an operator) */
	size_t		 body_len;
};

/* The events of scope passing f with ids below before (0: from the
 * newest), newest first, at most limit (1..HG_EVENT_PAGE_MAX), each
 * passed to fn.  *next is the id to pass as before for the next page,
 * or 0 when there is none.  The cost follows the rows passed over: a
 * filter on a state other than processed, on routing unrouted or
 * partial, on a channel, or by q, reads its own index.  0 or -1. */
int		 db_event_list(struct db *, const struct db_scope *,
		    const struct db_event_filter *, long long before, int limit,
		    void (*fn)(void *, const struct db_event_row *), void *arg,
		    long long *next);
/* The number of events of scope passing f into *count, from the
 * summaries (event_total; event_stat for a time range, in whole hours:
 * since's hour to until's, rounded up), by the workspace of their
 * first channel: 1; 0 when they cannot tell (f has q or a channel;
 * nothing counted); -1. */
int		 db_event_count(struct db *, const struct db_scope *,
		    const struct db_event_filter *, long long *count);

/* Event id of scope, with its first body_max bytes: fn called once;
 * 1, 0 when there is no such event in scope, -1. */
int		 db_event_get(struct db *, const struct db_scope *, long long id,
		    size_t body_max, void (*fn)(void *,
		    const struct db_event_row *), void *arg);
/* The stored body of event id of scope, byte for byte, appended to
 * out: 1, 0 absent or withheld (an event shared with another
 * workspace, for a caller who is not an operator), -1. */
int		 db_event_raw(struct db *, const struct db_scope *, long long id,
		    struct buf *out);
/* What an event (already found in scope) has: its failed attempts,
 * oldest first; the channels of scope's workspace it was routed to;
 * the messages and feed items of that workspace it produced; the
 * unhandled kinds it is the sample of.  At most HG_LIST_MAX of each.
 * A NULL fn skips that part.  0 or -1. */
struct db_event_parts {
	void	(*attempt)(void *, long long attempt, long long at_ms,
		    const char *error);
	void	(*channel)(void *, long long id, const char *kind,
		    const char *name);
	void	(*message)(void *, long long id, long long conversation,
		    const char *direction, const char *kind,
		    const char *meta_message_id, const char *text);
	void	(*feed)(void *, long long id, const char *meta_id,
		    const char *item, const char *status);
	void	(*unhandled)(void *, const char *object, const char *type);
	void	*arg;
};
int		 db_event_parts(struct db *, const struct db_scope *,
		    long long id, const struct db_event_parts *);

/* Retry event id of scope now: a failed or dead_letter one becomes
 * pending, due at once, its attempts and failures kept (a dead letter
 * that fails again is one again).  1 done; 0 no such event in scope;
 * 2 it is in another state (*state, may be NULL, says which); 3 it is
 * shared with another workspace (not the scope's alone to act on); -1.
 */
int		 db_event_retry(struct db *, const struct db_scope *,
		    long long id, enum event_state *state);
/* Requeue the failed and dead_letter events among ids[0..n) (n at most
 * HG_REQUEUE_MAX) of scope, or when ids is NULL those passing f (its q
 * ignored), as db_event_retry does.  *count is how many there are;
 * they are requeued only when confirm equals it (and it is at most
 * HG_REQUEUE_MAX), else nothing changes and *requeued is 0.  A filter
 * counts to at most HG_REQUEUE_MAX + 1 and passes over events shared
 * with another workspace.  Run inside a transaction, so that the
 * count is what is requeued.  0; 2 when one of ids is an event shared
 * with another workspace (nothing changed); -1. */
int		 db_event_requeue(struct db *, const struct db_scope *,
		    const long long *ids, int n, const struct db_event_filter *,
		    long long confirm, long long *count, long long *requeued);
/* What db_event_requeue would count, read before any write lock is
 * taken: at most HG_REQUEUE_MAX + 1 rows are read.  0; 2 when one of
 * ids is an event shared with another workspace; -1. */
int		 db_event_requeue_count(struct db *, const struct db_scope *,
		    const long long *ids, int n,
		    const struct db_event_filter *, long long *count);
/* What db_event_replay would count, likewise bounded.  0 or -1. */
int		 db_event_replay_count(struct db *, const struct db_scope *,
		    long long since_ms, long long until_ms, long long *count);
/* Replay the processed events of scope received in [since_ms,
 * until_ms): pending again, processed again by the queue (processing
 * is idempotent).  Counts and confirms as db_event_requeue; inside a
 * transaction.  0 or -1. */
int		 db_event_replay(struct db *, const struct db_scope *,
		    long long since_ms, long long until_ms, long long confirm,
		    long long *count, long long *replayed);
/* Delete event id of scope; the messages and feed items it produced
 * stay (their event_id becomes NULL).  1, 0 absent, 2 it is being
 * processed (a worker holds its lease), 3 shared with another
 * workspace, -1. */
int		 db_event_delete(struct db *, const struct db_scope *,
		    long long id);
/* The dead letters of scope grouped by last error, largest group
 * first (at most HG_LIST_MAX groups): fn(arg, error, count, first
 * received_ms, last received_ms, newest event id).  0 or -1. */
int		 db_dead_letters(struct db *, const struct db_scope *,
		    void (*fn)(void *, const char *error, long long count,
		    long long first_ms, long long last_ms, long long sample),
		    void *arg);

#endif
