/*
 * handover: hubgate's escalation mirrored to Meta's inbox with
 * Conversation Routing (README "Handover to people", META_PLATFORM.md
 * "Handover: Conversation Routing"), for a workspace whose handover
 * settings say "page_inbox": true.
 *
 * On escalation (automation_escalate, inside the event's transaction)
 * hubgate queues pass_thread_control to Meta's Page Inbox app; when a
 * person in hubgate closes or reopens the conversation (automation
 * resumes) it queues take_thread_control, unless the thread came back
 * already (Meta's inbox passed it to hubgate: events.c sets
 * conversation.thread_owner to "us").  Both go through the outbox
 * (outbox_thread_control_in): no HTTP inside a transaction, tried
 * twice at most, never repeated after an unknown outcome.  Their
 * outcome moves conversation.thread_owner (schema.sql's trigger
 * outbox_thread_control); a refusal (Meta refuses take_thread_control
 * when the Page has no default app) is kept on the conversation and in
 * the automation log, and the thread stays marked as another app's:
 * nothing is tried again until a person closes or reopens it again.
 */
#ifndef HG_HANDOVER_H
#define HG_HANDOVER_H

#include <stddef.h>

struct db;

/* Whether the handover settings (JSON text, may be NULL) mirror
 * escalations to Meta's inbox: 1 or 0. */
int	 handover_page_inbox(const char *settings);

/* The metadata of a pass for an escalation's reason (may be NULL):
 * "hubgate: escalated: <reason>", cut on a character boundary to fit
 * out (outsz >= 32). */
void	 handover_metadata(const char *reason, char *out, size_t outsz);

/* On escalation of conversation conv of workspace ws, inside the
 * caller's transaction: queue pass_thread_control when the workspace
 * mirrors escalations to Meta's inbox and the channel is Messenger or
 * Instagram.  *queued (may be NULL): 1 when queued.  0 or -1. */
int	 handover_pass_in(struct db *, long long ws, long long conv,
	    const char *reason, long long now_ms, int *queued);

/* After a person (user) closed or reopened conversation conv of
 * workspace ws: queue take_thread_control when the workspace mirrors
 * escalations and the thread is Meta's inbox app's (or hubgate's pass
 * is on its way), in a transaction of its own.  1 queued, 0 nothing
 * to do, -1 on a database error. */
int	 handover_take(struct db *, long long ws, long long conv,
	    long long user, long long now_ms);

#endif
