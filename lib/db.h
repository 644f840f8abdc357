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
 * Meta id: 1 found (id set), 0 absent, -1 error. */
int		 db_channel_find(struct db *, const char *kind,
		    const char *meta_id, long long *id);
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
	const char	*object;	/* NULL when the body is not JSON */
	const char	*entry_ids;	/* JSON array text */
	const char	*phone_ids;	/* JSON array text */
	const char	*routing;	/* routed, partial, unrouted */
	const char	*state;		/* pending or invalid */
};

/* Store an event: 1 stored (id set), 0 a duplicate of a stored body,
 * -1 error. */
int		 db_event_insert(struct db *, const struct db_event *,
		    long long *id);
/* Link a stored event to a channel; 0 or -1. */
int		 db_event_route(struct db *, long long event_id,
		    long long channel_id);
/* 1 when an event with this body hash is stored, 0 when not, -1. */
int		 db_event_exists(struct db *, const char *sha256);

#endif
