/*
 * db_fwd: forwarding's rows (db_fwd.c): the business's destinations,
 * the events schema.sql's triggers capture, one delivery per (event,
 * destination) and every attempt.  Every read and change names the
 * caller's workspace; another workspace's rows are never found.
 * Functions that say so run inside the caller's transaction; the
 * others are single statements.
 */
#ifndef HG_DB_FWD_H
#define HG_DB_FWD_H

#include <stddef.h>

#include "buf.h"
#include "db.h"
#include "limits.h"

/* A destination as people see it (never its secret). */
struct db_fwd_dest {
	long long	 id, workspace_id;
	char		 url[2049];
	char		 description[HG_FWD_DESC_MAX + 1];
	char		 events[HG_FWD_LIST_MAX + 1];	/* JSON array */
	char		 channels[HG_FWD_LIST_MAX + 1];	/* JSON array */
	char		 platforms[HG_FWD_LIST_MAX + 1]; /* JSON array */
	int		 include_raw, enabled, ordered, has_headers;
	long long	 rate_per_s;			/* 0: no limit */
	char		 disabled_reason[256];
	long long	 failing_since_ms, last_attempt_ms, last_success_ms;
	long long	 last_status;
	char		 last_error[256];
	long long	 created_ms, updated_ms;
	long long	 old_secret_until_ms;		/* 0: no old secret */
	/* Counts: pending deliveries, dead letters; attempts of the last
	 * 24 hours, those that succeeded, their mean duration. */
	long long	 backlog, dead, attempts_24h, ok_24h, avg_ms_24h;
};

/* What a new or changed destination stores (strings borrowed). */
struct db_fwd_dest_in {
	long long	 workspace_id, id;		/* id: 0 for a new one */
	const char	*url, *description, *events, *channels, *platforms;
	int		 include_raw, enabled, ordered;
	long long	 rate_per_s;			/* 0: no limit */
	/* Sealed custom headers (NULL: none); for an update only when
	 * set_headers. */
	const void	*headers;
	size_t		 headers_len;
	int		 set_headers;
	long long	 now_ms;
};

/* Add a destination with its sealed secret; *id the new row; 0 or -1. */
int	 db_fwd_dest_add(struct db *, const struct db_fwd_dest_in *,
	    const void *secret, size_t secret_len, long long *id);
/* Change destination in->id of in->workspace_id: 1, 0 none, -1.
 * Enabling it clears why hubgate disabled it. */
int	 db_fwd_dest_update(struct db *, const struct db_fwd_dest_in *);
/* Delete it with its deliveries: 1, 0 none, -1. */
int	 db_fwd_dest_delete(struct db *, long long workspace, long long id);
/* One destination with its counts (since_ms: the rates' start): 1, 0
 * none, -1. */
int	 db_fwd_dest_get(struct db *, long long workspace, long long id,
	    long long since_ms, struct db_fwd_dest *);
/* Call fn for each destination of workspace, oldest first; 0 or -1. */
int	 db_fwd_dest_list(struct db *, long long workspace, long long since_ms,
	    void (*fn)(void *, const struct db_fwd_dest *), void *arg);
/* Replace the sealed secret; old (NULL: none) signs too until
 * old_until_ms.  1, 0 none, -1. */
int	 db_fwd_dest_secret(struct db *, long long workspace, long long id,
	    const void *secret, size_t secret_len, const void *old,
	    size_t old_len, long long old_until_ms, long long now_ms);
/* The sealed secret, old secret (empty: none) with its end, and
 * headers (empty: none) of destination id, appended to the buffers:
 * 1, 0 none, -1. */
int	 db_fwd_dest_keys(struct db *, long long id, long long *workspace,
	    struct buf *secret, struct buf *old, long long *old_until_ms,
	    struct buf *headers);

/* An enabled destination with a delivery due (for the worker). */
struct db_fwd_due {
	long long	 id, workspace_id, rate_per_s;
	long long	 last_ms;	/* its last attempt's duration; -1: none */
	char		 url[2049];
	int		 ordered, include_raw;
};
/* Call fn for each enabled destination with a delivery due at now_ms
 * (ordered ones: their first pending delivery), those with an id above
 * after first, then the others (round robin); 0 or -1. */
int	 db_fwd_due(struct db *, long long now_ms, long long after,
	    void (*fn)(void *, const struct db_fwd_due *), void *arg);
/* The delivery to send next to destination dest (ordered: its first
 * pending one, due or not; else its first due), its event's body
 * into body (reset first): 1 (*id, *attempts, *next_ms, uid set), 0
 * none, -1. */
int	 db_fwd_head(struct db *, const struct db_fwd_due *dest,
	    long long now_ms, long long *id, long long *attempts,
	    long long *next_ms, char uid[64], struct buf *body);
/* When the next delivery of an enabled destination is due: *ms, 0
 * when none is pending; 0 or -1. */
int	 db_fwd_next_due(struct db *, long long *ms);

/* An attempt's outcome, as the worker decided it. */
enum db_fwd_state { DB_FWD_PENDING, DB_FWD_DELIVERED, DB_FWD_DEAD,
	DB_FWD_STATE__MAX };
extern const char *const db_fwd_state_names[DB_FWD_STATE__MAX];
struct db_fwd_outcome {
	long long	 delivery_id, destination_id;
	const char	*uid;			/* the event's, as sent */
	long long	 started_ms, duration_ms;
	int		 status;		/* HTTP; 0: no answer */
	const char	*error;			/* NULL: it succeeded */
	const char	*response;		/* first bytes, or NULL */
	enum db_fwd_state state;		/* the delivery's now */
	long long	 next_ms;		/* when pending: due again */
	const char	*disable;		/* non-NULL: disable, why */
	long long	 disable_after_ms;	/* failing this long: disable */
};
/* Record one attempt: the attempt log, the delivery, the destination's
 * last outcome (disabled when o->disable, or when failing for
 * disable_after_ms).  Nothing when the delivery is no longer the
 * pending one of o->destination_id for event o->uid (deleted while its
 * request was in flight, its id perhaps taken by a new one).  Inside
 * the caller's transaction; 1 when the destination is disabled by
 * hubgate now, else 0; -1. */
int	 db_fwd_record(struct db *, const struct db_fwd_outcome *o);

/* A delivery as the API shows it. */
struct db_fwd_delivery {
	long long	 id, destination_id, event_id;
	char		 uid[64], type[64], state[16];
	long long	 attempts, next_attempt_ms, last_status;
	char		 last_error[256];
	long long	 created_ms, done_ms;
};
/* Destination dest's deliveries (of workspace), newest first, below
 * id before (0: from the newest), of state (NULL: any), at most limit:
 * fn for each; 0 or -1. */
int	 db_fwd_deliveries(struct db *, long long workspace, long long dest,
	    const char *state, long long before, int limit,
	    void (*fn)(void *, const struct db_fwd_delivery *), void *arg);
/* One delivery of workspace: 1, 0 none, -1. */
int	 db_fwd_delivery_get(struct db *, long long workspace, long long id,
	    struct db_fwd_delivery *);
/* An attempt as the API shows it. */
struct db_fwd_attempt {
	long long	 id, started_ms, duration_ms, status;
	char		 error[256];
	char		 response[HG_FWD_RESPONSE_KEEP + 1];
};
/* Delivery id's attempts, oldest first; 0 or -1. */
int	 db_fwd_attempts(struct db *, long long id,
	    void (*fn)(void *, const struct db_fwd_attempt *), void *arg);

/* Send delivery id (of workspace) again: a new series from now.  1,
 * 0 none, -1. */
int	 db_fwd_resend(struct db *, long long workspace, long long id,
	    long long now_ms);
/* Send every dead delivery of destination dest again: *n of them;
 * 0 or -1. */
int	 db_fwd_resend_dead(struct db *, long long workspace, long long dest,
	    long long now_ms, long long *n);
/* New deliveries to dest of the workspace's events it takes created in
 * [since_ms, until_ms) (at most HG_FWD_REPLAY_MAX): *n of them; 0 or
 * -1. */
int	 db_fwd_replay(struct db *, long long workspace, long long dest,
	    long long since_ms, long long until_ms, long long now_ms,
	    long long *n);
/* A test event for dest alone (enabled): its uid into uid; 1, 0 no
 * such enabled destination, -1. */
int	 db_fwd_test(struct db *, long long workspace, long long dest,
	    long long now_ms, char uid[64]);
/* Delete up to limit events created before before_ms that nothing
 * waits to deliver, with their deliveries and attempts: *deleted;
 * 0 or -1. */
int	 db_fwd_prune(struct db *, long long before_ms, int limit,
	    long long *deleted);

#endif
