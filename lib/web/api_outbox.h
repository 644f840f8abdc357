/*
 * api_outbox: the outbound queue as people and programs see it
 * (api_outbox.c).  Every answer is scoped to the caller's workspace:
 * another workspace's send is 404.  Message bodies and tokens are
 * never shown; Meta's error words and fbtrace_id are.
 *
 *   GET  /api/outbox?state=&channel=&conversation=&cursor=&limit=
 *        agent: {outbox: [S], next}, newest first; S: {id, channel_id,
 *        conversation_id, kind, state, attempts, error, error_code,
 *        created_at, sent_at (ms or null), author_kind}; next: the
 *        cursor of the next page, or null
 *   GET  /api/outbox/ID
 *        agent: S with message_id, tag, meta_message_id,
 *        next_attempt_at, updated_at and attempts_log: [{attempt, at,
 *        class, http_status, code, subcode, fbtrace_id, message}]
 *   POST /api/outbox/ID/retry
 *        admin: a failed send or dead letter queued again, due now (one
 *        more attempt), its message queued again; audit-logged
 *        (outbox_retry): 202 {id, state: "queued"}; 409 when the send is
 *        in another state
 */
#ifndef HG_API_OUTBOX_H
#define HG_API_OUTBOX_H

#include "route.h"

struct conf;
struct bg_thread;

/* The configuration and the worker thread to wake on a retry (may be
 * NULL); once, before serving. */
void	 api_outbox_setup(const struct conf *, struct bg_thread *);

enum {
	OUTBOX_F_STATE,
	OUTBOX_F_CHANNEL,
	OUTBOX_F_CONVERSATION,
	OUTBOX_F_CURSOR,
	OUTBOX_F_LIMIT,
	OUTBOX_F__MAX
};
extern const struct route_field api_outbox_fields[OUTBOX_F__MAX];

/* GET /api/outbox and /api/outbox/ID. */
void	 api_outbox_get(struct req *, const struct route_ctx *);
/* POST /api/outbox/ID/retry. */
void	 api_outbox_post(struct req *, const struct route_ctx *);

#endif
