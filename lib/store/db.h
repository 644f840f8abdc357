/*
 * db: the storage layer's connection: open, transactions, durability,
 * counters.  Its areas have a header each: db_channel.h (channels),
 * db_event.h (stored webhook events), db_inbox.h (contacts,
 * conversations, messages), db_queue.h (the processing queue).
 *
 * Callers speak in hubgate's terms; SQLite stays behind these headers
 * (db.c, db_inbox.c, db_queue.c and their db_int.h), so another backend
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

/*
 * Durability and journal flushing, in the interface's terms: every
 * commit goes first to a journal (SQLite's WAL), which is flushed into
 * the database from time to time.
 */
#define DB_READONLY	0x1	/* open for reading only; no migrations */
/* Redoable work: this connection's commits may be lost in a power cut
 * without harm, because the work is done again (event processing: a
 * lost commit leaves the event claimed, and processing is idempotent).
 * They do not wait for the disk even under durability = full; the
 * database stays consistent, and the next durable commit makes them
 * durable too. */
#define DB_REDOABLE	0x2
/* This connection's commits never flush the journal themselves: a
 * flusher does (db_journal_size says when one is due), so that no
 * commit waits for a flush. */
#define DB_FLUSH_APART	0x4

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
/* 1 when app_id is hubgate's own app (the configuration's app_id or
 * instagram_app_id when the connection was opened), 0 not. */
int		 db_app_ours(const struct db *, const char *app_id);
/* The error class and SQLite's message for the last failed call. */
enum db_err	 db_error(const struct db *);
const char	*db_errmsg(const struct db *);
/* The schema version this build applies. */
int		 db_schema_latest(void);

/* Flush what the journal holds into the database without blocking
 * writers; 0 or -1.  *complete (may be NULL) says whether all of it
 * was flushed: only then does the journal start over instead of
 * growing. */
int		 db_flush(struct db *, int *complete);
/* The journal's size in pages after this connection's last commit
 * (kept for DB_FLUSH_APART connections; 0 for others). */
long long	 db_journal_size(const struct db *);

/* Transactions: BEGIN IMMEDIATE, COMMIT, ROLLBACK; 0 or -1. */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
int		 db_rollback(struct db *);

/* Read the schema version: proves the database can be read; 0 or -1. */
int		 db_ping(struct db *, int *version);
/* Add delta to a named counter (created at 0), and to what it gained
 * in the current hour (db_stats.h); 0 or -1. */
int		 db_counter_add(struct db *, const char *name, long long delta);
/* Call fn for every counter; 0 or -1. */
int		 db_counter_each(struct db *, void (*fn)(void *, const char *,
		    long long), void *arg);

/* Savepoints inside an open transaction, for one item that may fail
 * alone: 0 or -1. */
int		 db_savepoint(struct db *);
int		 db_release(struct db *);
int		 db_rollback_to(struct db *);

#endif
