/*
 * api_fwd_int: what forwarding's API handlers (api_fwd.c,
 * api_fwd_save.c, api_fwd_deliv.c) share; not for other modules.
 */
#ifndef HG_API_FWD_INT_H
#define HG_API_FWD_INT_H

#include "route.h"

struct bg_thread;
struct conf;
struct cJSON;
struct db;
struct db_fwd_dest;

/* api_fwd_setup's configuration and forwarding thread (may be NULL). */
extern const struct conf	*api_fwd_conf;
extern struct bg_thread		*api_fwd_thread;

/* The database, or NULL after answering 503. */
struct db	*api_fwd_db(struct req *);
/* Destination x as the API shows it (never its secret nor its header
 * values); a new tree. */
struct cJSON	*api_fwd_dest_json(const struct db_fwd_dest *x);
/* The audit row of action on destination id, with detail (no secret,
 * no URL path or query: a host at most). */
void		 api_fwd_audit(struct req *, const struct route_ctx *,
		    struct db *, const char *action, long long id,
		    const char *detail);
/* The event types a destination may take, as a new JSON array. */
struct cJSON	*api_fwd_types_json(void);

/* The handlers under /api/destinations (the caller checked the
 * method; id is the destination's, of the caller's workspace or 404). */
void	 api_fwd_create(struct req *, const struct route_ctx *, struct db *);
void	 api_fwd_update(struct req *, const struct route_ctx *, struct db *,
	    long long id);
void	 api_fwd_rotate(struct req *, const struct route_ctx *, struct db *,
	    long long id);
void	 api_fwd_replay(struct req *, const struct route_ctx *, struct db *,
	    long long id);
void	 api_fwd_dest_deliveries(struct req *, const struct route_ctx *,
	    struct db *, long long id);
void	 api_fwd_test(struct req *, const struct route_ctx *, struct db *,
	    long long id);
void	 api_fwd_resend_dead(struct req *, const struct route_ctx *,
	    struct db *, long long id);

#endif
