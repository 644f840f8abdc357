/*
 * db: the storage layer.  Callers speak in hubgate's terms (events,
 * channels, counters); SQLite stays inside db.c, so another backend
 * can stand behind the same functions.  Every SQL statement lives in
 * db.c's one statement table, prepared once per connection and always
 * run with bound values.  The schema comes from schema.sql, compiled
 * in and applied through user_version migrations on open.
 *
 * A struct db is one connection: use it from one thread at a time.
 */
#ifndef HG_DB_H
#define HG_DB_H

#include <stddef.h>

#include "buf.h"

struct conf;
struct db;

/* What went wrong with the last call, coarsely, for HTTP answers. */
enum db_err {
	DB_OK,
	DB_BUSY,	/* locked past the busy timeout */
	DB_FULL,	/* disk or database full */
	DB_ERROR,	/* anything else: I/O, corruption, misuse */
	DB_ERR__MAX
};

#define DB_READONLY	0x1	/* open for reading only; no migrations */
/* For connections whose commits may be lost in a power cut without
 * harm because the work is redone (event processing: a lost commit
 * leaves the event claimed, and processing is idempotent): they skip
 * the fsync of durability = full.  WAL keeps the database consistent
 * either way, and the next full commit makes them durable too. */
#define DB_REDO_SAFE	0x2
/* Never checkpoint the WAL from this connection's commits: a
 * checkpointer does (db_wal_frames says when one is due). */
#define DB_NO_CHECKPOINT	0x4

/* How the event time of a stored webhook body is found, as the webhook
 * finds it (envelope_sent_ms): migrations of databases from before
 * events were keyed on it need it.  Set once, before the first db_open
 * (app_init does).  The function sets *ms (0 for a body without a
 * time) and returns 0, or returns -1 when out of memory. */
void		 db_set_event_time(int (*)(const char *body, size_t len,
		    long long *ms));

/* Open the database named by db_path, set the busy timeout before
 * anything else, WAL, synchronous per durability, and (unless
 * DB_READONLY) apply pending migrations.  NULL with a message in err. */
struct db	*db_open(const struct conf *, unsigned flags, char *err,
		    size_t errsz);
void		 db_close(struct db *);
/* The error class and SQLite's message for the last failed call. */
enum db_err	 db_error(const struct db *);
const char	*db_errmsg(const struct db *);
/* The schema version this build applies. */
int		 db_schema_latest(void);

/* Copy what the WAL holds into the database without blocking writers
 * (a passive checkpoint); 0 or -1.  *complete (may be NULL) says
 * whether it copied all of it: only then does the next commit start
 * the WAL over instead of making it longer. */
int		 db_checkpoint(struct db *, int *complete);
/* The WAL's size in frames after this connection's last commit (kept
 * for DB_NO_CHECKPOINT connections; 0 for others). */
long long	 db_wal_frames(const struct db *);

/* Transactions: BEGIN IMMEDIATE, COMMIT, ROLLBACK; 0 or -1. */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
int		 db_rollback(struct db *);

/* Read the schema version: proves the database can be read; 0 or -1. */
int		 db_ping(struct db *, int *version);
/* Events waiting to be processed (pending or failed); 0 or -1. */
int		 db_queue_depth(struct db *, long long *);

/* Add delta to a named counter (created at 0); 0 or -1. */
int		 db_counter_add(struct db *, const char *name, long long delta);
/* Call fn for every counter; 0 or -1. */
int		 db_counter_each(struct db *, void (*fn)(void *, const char *,
		    long long), void *arg);

/* Look up the channel of a kind ("page", "instagram", "whatsapp") and
 * Meta id: 1 found (id and, unless NULL, its workspace set), 0 absent,
 * -1 error. */
int		 db_channel_find(struct db *, const char *kind,
		    const char *meta_id, long long *id, long long *workspace);
/* Create a channel in workspace 1 (or return the existing one's id);
 * 0 or -1. */
int		 db_channel_add(struct db *, const char *kind,
		    const char *meta_id, const char *name, long long *id);
/* Note that an event for the channel arrived at unix time at. */
int		 db_channel_touch(struct db *, long long id, long long at);

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
	const char	*routing;	/* routed, partial, unrouted */
	long long	 channel_id;	/* the first channel routed to, or 0 */
	const char	*state;		/* pending, invalid, or processed:
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


/* Savepoints inside an open transaction, for one item that may fail
 * alone: 0 or -1. */
int		 db_savepoint(struct db *);
int		 db_release(struct db *);
int		 db_rollback_to(struct db *);

/*
 * The inbox (db_inbox.c).  All run inside the caller's transaction.
 */

/* Create or refresh a contact (name kept when name is NULL or empty);
 * sets *id; 0 or -1. */
int		 db_contact_upsert(struct db *, long long workspace,
		    long long channel, const char *meta_user_id,
		    const char *name, long long seen_at, long long *id);
/* The conversation of a contact on a channel, created when new. */
int		 db_conversation_upsert(struct db *, long long workspace,
		    long long channel, long long contact, long long now,
		    long long *id);
/* Note a message at ms in a conversation; inbound_new counts it unread
 * and moves the 24-hour window. */
int		 db_conversation_note(struct db *, long long id, long long ms,
		    int inbound_new);
/* Who owns the thread: "us" or "other". */
int		 db_conversation_owner(struct db *, long long id,
		    const char *owner);

/* A message's delivery state, in the order it moves: never backwards,
 * so a late or repeated receipt changes nothing.  A failure is final. */
enum msg_status {
	MSG_RECEIVED,		/* inbound: nothing follows */
	MSG_QUEUED,
	MSG_SENT,
	MSG_DELIVERED,
	MSG_READ,
	MSG_FAILED,
	MSG_STATUS__MAX
};
extern const char *const msg_status_names[MSG_STATUS__MAX];
/* The status named s, or -1 for none. */
int		 msg_status_parse(const char *s);

struct db_message {
	long long	 conversation_id;
	long long	 channel_id;	/* the conversation's channel */
	const char	*mid;		/* unique within the channel; NULL
					 * for none */
	const char	*direction;	/* "in" or "out" */
	const char	*kind;
	const char	*text, *attachments, *payload, *reply_to, *raw;
	enum msg_status	 status;
	long long	 sent_ms;
	long long	 event_id;	/* 0: none */
	long long	 created_ms;
};
/* Insert a message: 1 inserted, 0 one with this mid exists on its
 * channel, -1. */
int		 db_message_insert(struct db *, const struct db_message *);
/* Move the message with mid on channel forward to status (never
 * backwards; another channel's message with the same mid is not
 * touched); 1 changed, 0 unknown mid or not forward, -1. */
int		 db_message_status(struct db *, long long channel,
		    const char *mid, enum msg_status, long long at_ms,
		    const char *err_code, const char *err_title);
/* Mark every outbound message of a conversation sent at or before
 * watermark_ms as status (MSG_DELIVERED or MSG_READ); 0 or -1. */
int		 db_message_watermark(struct db *, long long conversation,
		    enum msg_status, long long watermark_ms);

struct db_feed {
	long long	 channel_id;
	const char	*meta_id, *item, *post_id, *parent_id;
	const char	*from_id, *from_name, *message, *status;
	long long	 created_ms, updated_ms, event_id;
};
/* Record a feed item or its latest change; 0 or -1. */
int		 db_feed_upsert(struct db *, const struct db_feed *);
/* Count an event kind seen but not handled; 0 or -1. */
int		 db_unhandled_add(struct db *, const char *object,
		    const char *type, long long event_id, long long now);

/*
 * The processing queue (db_queue.c).
 */

/* Make a dead letter of every event whose lease expired by now_ms
 * after lapses_max or more claims that ended with no result (neither
 * done nor failed: the worker died or stalled), with that reason as
 * its last error and in its attempt log; *count is how many.  Run
 * inside a transaction, before db_queue_claim.  0 or -1. */
int		 db_queue_abandon(struct db *, long long now_ms, int lapses_max,
		    long long *count);
/* Claim up to max due events (pending; failed whose time has come;
 * processing whose lease expired) for lease_ms under token, in one
 * statement; each claim adds one to the event's attempts.  Fills ids[]
 * and failures[] (failed attempts so far: the retry schedule's step);
 * sets *n.  Run inside a transaction.  0 or -1. */
int		 db_queue_claim(struct db *, const char *token, long long now_ms,
		    long long lease_ms, int max, long long *ids, int *failures,
		    int *n);
/* The body of an event we hold the lease of, appended to out:
 * 1, 0 when the lease is no longer ours, -1. */
int		 db_event_body(struct db *, long long id, const char *token,
		    struct buf *out);
/* Mark processed: 1, 0 when the lease is no longer ours (fenced), -1. */
int		 db_event_done(struct db *, long long id, const char *token,
		    long long now_ms);
/* Make an event stored as processed pending again (and never
 * attempted), keeping error as its last_error: processing it in the
 * transaction that stored it failed, and that work was rolled back.
 * Called before that transaction commits, so that no committed event
 * says processed without its work; 0 or -1. */
int		 db_event_unprocessed(struct db *, long long id,
		    const char *error);
/* Mark failed (next_ms set) or dead_letter (state), counting one more
 * failure, keeping error and logging the attempt: 1, 0 when fenced,
 * -1. */
int		 db_event_fail(struct db *, long long id, const char *token,
		    const char *state, long long next_ms, const char *error,
		    long long now_ms);
/* Requeue: one event (id > 0), every dead letter (dead_only), or every
 * finished event received in [from_ms, to_ms).  *count is how many. */
int		 db_requeue(struct db *, long long id, int dead_only,
		    long long from_ms, long long to_ms, long long *count);
/* Delete up to limit processed events received before before_ms, in
 * one statement (rows referring to them are unlinked through their
 * indexes); *deleted is how many.  0 or -1. */
int		 db_prune(struct db *, long long before_ms, int limit,
		    long long *deleted);
/* Call fn(arg, state, count, oldest received_ms or 0) for every state
 * but processed: the events still to be worked on or kept aside.  Its
 * cost follows their number, not the number of events stored. */
int		 db_queue_states(struct db *, void (*fn)(void *, const char *,
		    long long, long long), void *arg);

#endif
