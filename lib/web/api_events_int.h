/*
 * api_events_int: what the operations handlers (api_events.c,
 * api_events_act.c, api_channels.c) share; not for other modules.
 */
#ifndef HG_API_EVENTS_INT_H
#define HG_API_EVENTS_INT_H

#include "db.h"
#include "db_event.h"
#include "route.h"

/* The database, or NULL after answering 503. */
struct db	*api_events_db(struct req *);
/* The caller's scope (workspace, operator) into sc: 0, or -1 after
 * answering 503. */
int		 api_events_scope(struct req *, struct db *,
		    const struct route_who *, struct db_scope *sc);
/* Process now what an action made pending, within inline_budget_ms
 * (0: left to the webhook-retry cron).  Outside any transaction. */
void		 api_events_process_now(struct db *);
/* Roll back, then answer 503 "cannot <what> now". */
void		 api_events_fail(struct req *, struct db *, const char *what);
/* The id of /api/events/ID[/suffix] into *id, with what follows it
 * ("" or "/suffix") into *rest: 0, or -1 when the path is not that. */
int		 api_events_path(const struct req *, long long *id,
		    const char **rest);
/* The list's filter from validated fields v (indexed as
 * api_events_fields): 0, or -1 after answering 400. */
int		 api_events_filter(struct req *, const struct route_val *v,
		    struct db_event_filter *f);
/* Channel id of workspace as GET /api/channels shows it, or NULL
 * (none there, or the database failed) (api_channels.c). */
struct cJSON	*api_channel_json(struct db *, long long workspace, long long id);

#endif
