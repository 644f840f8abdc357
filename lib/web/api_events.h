/*
 * api_events: the stored webhook events for the operations dashboard
 * (api_events.c).  Every answer is scoped: an event belongs to the
 * workspace of its channels, an unrouted one to operators only; an id
 * outside the caller's scope is 404.
 *
 *   GET    /api/events            agent: {events: [E], next, count}
 *          ?state=&platform=&channel=&routing=&since=&until=&q=&limit=&cursor=
 *          newest first, keyset pages (next: the cursor of the next
 *          page, or null); count when it is cheap to know, else null
 *   GET    /api/events/ID         agent: {event, attempts, produced}
 *   GET    /api/events/ID/body    agent: the stored bytes, as a download
 *   POST   /api/events/ID/retry   admin: a failed or dead-letter event
 *                                 pending again, due now (else 409)
 *   POST   /api/events/requeue    admin, JSON {ids: [...]} or {filter:
 *                                 {...}}, optional confirm: the failed
 *                                 and dead letters among them; without
 *                                 confirm only counted; confirm must be
 *                                 the count (409) and at most
 *                                 HG_REQUEUE_MAX (422)
 *   POST   /api/events/replay     admin, JSON {since, until, confirm}:
 *                                 the processed events of the range
 *                                 processed again, confirmed the same way
 *   DELETE /api/events/ID         owner: 204; its messages stay
 *   GET    /api/dead-letters      agent: {groups: [...]} by last error
 *   GET    /api/channels          agent: the workspace's channels, with
 *                                 token_level and subscribed_fields
 *                                 (api_channels.c)
 *   POST   /api/channels          admin and operator (else 403), JSON
 *                                 {kind, meta_id, name}: 201 {channel as
 *                                 stored, rerouted}; 409 when connected
 *
 * An event shared with another workspace (a batch for accounts of
 * both) shows the caller's own channel only; its body is withheld
 * (body null, body_withheld true; /body 404) unless the caller is an
 * operator; retry, requeue, replay and delete answer 409 for it (a
 * filter passes over it).  Deleting an event being processed is 409.
 * Requeue and replay count (to at most HG_REQUEUE_MAX + 1) before
 * taking the write lock.
 *
 * Actions are written to the audit log (event.retry, event.requeue,
 * event.replay, event.delete, channel.add).  What an action makes
 * pending is processed at once within inline_budget_ms when it is
 * positive, and by the webhook-retry cron in any case.
 */
#ifndef HG_API_EVENTS_H
#define HG_API_EVENTS_H

#include "route.h"

struct conf;

/* The program's configuration, for the handlers; once, before serving. */
void	 api_events_setup(const struct conf *);

/* The fields of the routes, by index (for the route table). */
enum {
	EVENTS_F_STATE,
	EVENTS_F_PLATFORM,
	EVENTS_F_CHANNEL,
	EVENTS_F_ROUTING,
	EVENTS_F_SINCE,
	EVENTS_F_UNTIL,
	EVENTS_F_Q,
	EVENTS_F_LIMIT,
	EVENTS_F_CURSOR,
	EVENTS_F__MAX
};
extern const struct route_field api_events_fields[EVENTS_F__MAX];
enum { REQUEUE_F_CONFIRM, REQUEUE_F__MAX };
extern const struct route_field api_requeue_fields[REQUEUE_F__MAX];
enum { REPLAY_F_SINCE, REPLAY_F_UNTIL, REPLAY_F_CONFIRM, REPLAY_F__MAX };
extern const struct route_field api_replay_fields[REPLAY_F__MAX];
enum { CHANNEL_F_KIND, CHANNEL_F_META_ID, CHANNEL_F_NAME, CHANNEL_F__MAX };
extern const struct route_field api_channel_fields[CHANNEL_F__MAX];

/* GET /api/events, /api/events/ID and /api/events/ID/body. */
void	 api_events_get(struct req *, const struct route_ctx *);
/* POST /api/events/ID/retry. */
void	 api_events_retry(struct req *, const struct route_ctx *);
void	 api_events_requeue(struct req *, const struct route_ctx *);
void	 api_events_replay(struct req *, const struct route_ctx *);
/* DELETE /api/events/ID. */
void	 api_events_delete(struct req *, const struct route_ctx *);
void	 api_dead_letters(struct req *, const struct route_ctx *);
void	 api_channels_list(struct req *, const struct route_ctx *);
void	 api_channels_add(struct req *, const struct route_ctx *);

/* The n bytes at s as UTF-8 text into out: every byte that is not part
 * of a valid sequence becomes U+FFFD, and a sequence cut by the end
 * is dropped.  0 or -1 (out full). */
int	 api_events_text(struct buf *out, const char *s, size_t n);

#endif
