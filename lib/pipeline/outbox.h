/*
 * outbox: the one path by which hubgate sends to Meta.
 *
 * outbox_enqueue checks a send against Meta's windows (window.h) and
 * limits (graph_send.h; a long text is split at word boundaries into
 * several sends), then commits it, with its message in the thread,
 * before anything is called.  A client's idempotency key makes the
 * same request return the first answer.
 *
 * The worker (outbox_run) claims due sends one at a time under a lease
 * (in order within a conversation), paces them (pace.h: a token bucket
 * and a circuit breaker per channel, a spacing per WhatsApp person),
 * sends them through graph_send with the outbox id in Messenger's
 * metadata or WhatsApp's biz_opaque_callback_data, and acts on
 * graph_error's class: retry with backoff and jitter, wait what Meta
 * says when throttled, pause the channel's sends (the rows stay
 * queued) when its token is dead until its token_status is valid
 * again, fail at once when permanent.  A send whose outcome is unknown
 * (no answer after the request was written, or a worker that died
 * mid-send) waits outbox_grace_s for the echo or status webhook that
 * carries its id back (events.c reconciles it) and is sent again only
 * when none came.
 *
 * The thread (bg_thread_new with outbox_job) runs the worker in a
 * long-lived process, woken by bg_thread_poke when a send is queued and every
 * HG_OUTBOX_POLL_MS; cron/webhook-retry runs it for what is left.  One
 * process at a time should run a worker (the callers hold the "outbox"
 * lock): pacing state lives in the worker's memory.
 *
 * Lock rules: the thread's mutex is a leaf; bg_thread_poke may be
 * called with any lock held.
 */
#ifndef HG_OUTBOX_H
#define HG_OUTBOX_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "db_outbox.h"
#include "window.h"

struct conf;
struct db;
struct graph;
struct outbox_worker;
struct bg_job;

/* A send asked for (everything borrowed). */
struct outbox_req {
	long long	 workspace, conversation;
	const char	*text;		/* a text, or NULL */
	const cJSON	*quick_replies;	/* with text: an array, or NULL */
	const cJSON	*template;	/* WhatsApp: {name, language,
					 * components}, or NULL */
	const cJSON	*rich;		/* Messenger/Instagram: a button or
					 * generic template, Meta's payload
					 * (graph_send_template); quick
					 * replies may go with it; or NULL */
	const cJSON	*attachment;	/* {type: image|video|audio|file,
					 * url: https, caption?}, or NULL */
	long long	 react_to;	/* a reaction to this message of the
					 * conversation (hubgate's id), or 0 */
	const char	*emoji;		/* with react_to: "" removes it */
	const char	*action;	/* a sender action: "read" (mark the
					 * conversation read: mark_seen, or
					 * WhatsApp's read of the last
					 * inbound message, when the channel
					 * says so), "typing_on",
					 * "typing_off"; or NULL */
	const char	*author_kind;	/* user, rule, bot, api */
	long long	 author_id;
	const char	*idempotency_key; /* NULL: none */
	long long	 now_ms;
};

enum outbox_verdict {
	OUTBOX_QUEUED_NEW,	/* queued now */
	OUTBOX_QUEUED_BEFORE,	/* the key's first answer */
	OUTBOX_NO_CONVERSATION,	/* not in this workspace */
	OUTBOX_NO_MESSAGE,	/* a reaction to no such message there */
	OUTBOX_REFUSED,		/* the window or a limit: why says */
	OUTBOX_BAD_REQUEST,	/* malformed: why says */
	OUTBOX_VERDICT__MAX
};

struct outbox_res {
	enum outbox_verdict	 verdict;
	long long		 id;	/* the (first) send */
	int			 n;	/* sends queued (pieces of a text) */
	enum outbox_state	 state;
	enum window		 window;
	char			 why[256];
};

/* Queue r (exactly one of text, template, rich, attachment, react_to,
 * action) in one transaction; res says what happened.  A text or an
 * attachment is a message in the thread, a reaction a reaction row
 * there (kind reaction, reply_to the mid it reacts to), an action
 * nothing.  0, or -1 on a database error. */
int	 outbox_enqueue(struct db *, const struct outbox_req *r,
	    struct outbox_res *res);

/* outbox_enqueue inside the caller's open transaction (automation,
 * during event processing), under a savepoint: nothing is left of a
 * send that was not queued.  0, or -1 on a database error. */
int	 outbox_enqueue_in(struct db *, const struct outbox_req *r,
	    struct outbox_res *res);

/* Conversation Routing on Messenger and Instagram (graph_thread.h):
 * queue action "pass_thread_control" (to Meta's Page Inbox app, with
 * metadata, may be NULL) or "take_thread_control" on conversation conv
 * of workspace ws, by author_kind/author_id, inside the caller's open
 * transaction.  Not a message: no window applies, nothing shows in the
 * thread, and like every action it is tried twice at most, never
 * repeated after an unknown outcome.  res says (OUTBOX_REFUSED on
 * WhatsApp).  0, or -1 on a database error. */
int	 outbox_thread_control_in(struct db *, long long ws, long long conv,
	    const char *action, const char *metadata, const char *author_kind,
	    long long author_id, long long now_ms, struct outbox_res *res);

/* How many calls a send of kind may take before it ends: sender
 * actions are dropped (failed, never a dead letter) after one retry. */
int	 outbox_attempts_max(const char *kind);

struct outbox_stats {
	long long	 claimed, sent, retried, failed, unknown, paused;
	long long	 paced, recovered;
};

/* A worker over d and g (borrowed) with c's settings; NULL when out of
 * memory. */
struct outbox_worker *outbox_worker_new(const struct conf *c, struct db *d,
	    struct graph *g);
void	 outbox_worker_free(struct outbox_worker *);
/* Send what is due for at most budget_ms; *next_ms (may be NULL) is
 * when something is due next (0: nothing queued).  0 or -1 on a
 * database error. */
int	 outbox_run(struct outbox_worker *, long long budget_ms,
	    struct outbox_stats *, long long *next_ms);

/* The worker as a thread (bgthread.h: bg_thread_new(c, &outbox_job));
 * poke it (bg_thread_poke) when a send is queued. */
extern const struct bg_job outbox_job;

#endif
