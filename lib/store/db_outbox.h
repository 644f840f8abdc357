/*
 * db_outbox: the outbound queue's rows (db_outbox.c), the reads of the
 * inbox the API shows, and the reconciliation of echoes and statuses
 * with the sends they report.  Functions that say so run inside the
 * caller's transaction; the others make their own.
 */
#ifndef HG_DB_OUTBOX_H
#define HG_DB_OUTBOX_H

#include <stddef.h>

#include "db.h"

/* A send's states, in schema.sql's order. */
enum outbox_state {
	OUTBOX_QUEUED,
	OUTBOX_SENDING,
	OUTBOX_SENT,
	OUTBOX_DELIVERED,
	OUTBOX_READ,
	OUTBOX_FAILED,
	OUTBOX_DEAD_LETTER,
	OUTBOX_UNKNOWN,
	OUTBOX_STATE__MAX
};
extern const char *const outbox_state_names[OUTBOX_STATE__MAX];
/* The state named s, or -1. */
int	 outbox_state_parse(const char *s);

/* What sending in a conversation needs to know about it. */
struct db_conv_info {
	long long	 id, workspace_id, channel_id;
	char		 kind[16];		/* the channel's */
	char		 channel_meta_id[128];
	char		 person[256];		/* PSID, IGSID or wa_id */
	int		 human_agent;		/* the channel may use the tag */
	long long	 send_rate;		/* 0: the platform's default */
	long long	 last_inbound_ms;	/* 0: never */
};
/* The conversation id of workspace: 1 found, 0 none there, -1. */
int	 db_conv_info(struct db *, long long workspace, long long id,
	    struct db_conv_info *);

/* A send to queue (strings borrowed). */
struct db_outbox_new {
	long long	 workspace_id, channel_id, conversation_id;
	const char	*kind;		/* text, template, attachment,
					 * reaction, action */
	const char	*body;		/* JSON */
	const char	*text;		/* what the thread shows */
	const char	*attachments;	/* the thread's JSON [{type, url}],
					 * or NULL */
	const char	*reply_to;	/* a reaction's mid, or NULL */
	int		 no_message;	/* 1: no row in the thread (an
					 * action) */
	const char	*tag;		/* NULL or "HUMAN_AGENT" */
	const char	*author_kind;	/* user, rule, bot, api */
	long long	 author_id;	/* 0: none */
	const char	*idempotency_key; /* NULL: none */
	long long	 now_ms;
};
/* Queue one send and its message in the thread (none when
 * no_message), inside the caller's transaction; *id is the outbox
 * row.  0 or -1. */
int	 db_outbox_insert(struct db *, const struct db_outbox_new *,
	    long long *id);
/* The send that workspace queued under key: 1 (id and state set), 0
 * none, -1. */
int	 db_outbox_by_key(struct db *, long long workspace, const char *key,
	    long long *id, enum outbox_state *state);

/* A claimed send: what the worker needs, owned by the job. */
struct db_outbox_job {
	long long	 id, channel_id, conversation_id;
	int		 attempts;		/* including this one */
	char		 kind[16];		/* text, template */
	char		 channel_kind[16];
	char		 channel_meta_id[128];
	char		 person[256];
	char		 tag[32];		/* "" or HUMAN_AGENT */
	long long	 send_rate;		/* 0: default */
	char		*body;			/* JSON, malloc'd */
	unsigned char	*token_sealed;		/* malloc'd, may be NULL */
	size_t		 token_len;
	char		 token_kind[32];	/* page, instagram_login, ... */
	int		 resends;		/* sent again after unknown */
	long long	 claimed_ms;		/* the previous claim, 0: none */
	long long	 last_inbound_ms;	/* the person's last message */
	int		 human_agent;		/* the channel may use the tag */
};
void	 db_outbox_job_clear(struct db_outbox_job *);

/* Make lapsed claims unknown (their outcome is not known: the holder
 * stopped), due again after grace_ms unless an echo reconciles them
 * first, and put unknown sends whose grace is over back in the queue.
 * *n counts both.  Own transaction; 0 or -1. */
int	 db_outbox_recover(struct db *, long long now_ms, long long grace_ms,
	    long long *n);
/* When the next send is due (ms) into *at; 0 when none queued.  0/-1. */
int	 db_outbox_next_due(struct db *, long long *at);

/* One call's outcome, for the attempt log. */
struct db_outbox_attempt {
	int		 attempt;
	const char	*cls;		/* ok, retry, throttled, ... unknown */
	int		 http_status;
	long		 code, subcode;
	const char	*fbtrace_id, *message;
	long long	 at_ms;
};
/* The outcomes of a claimed send (each in its own transaction, with
 * its attempt logged when a is not NULL); 0 or -1.
 * sent: Meta took it with message id mid (kept even when the claim has
 * lapsed: it is the truth); the message in the thread is ticked sent. */
int	 db_outbox_sent(struct db *, long long id, const char *mid,
	    const struct db_outbox_attempt *a);
/* Back to the queue (state OUTBOX_QUEUED, due at next_ms), or unknown
 * (OUTBOX_UNKNOWN: waits for an echo until next_ms), or a dead letter;
 * only under the claim's token.  counted: whether the attempt counts
 * (0 for a send that never left: paced, paused). */
int	 db_outbox_requeue(struct db *, long long id, const char *token,
	    enum outbox_state state, long long next_ms, int counted,
	    const char *err_code, const char *err,
	    const struct db_outbox_attempt *a);
/* Failed for good (or a dead letter) with Meta's code and words for
 * people; the message in the thread is marked failed with them. */
int	 db_outbox_fail(struct db *, long long id, const char *token,
	    enum outbox_state state, const char *err_code, const char *err,
	    const struct db_outbox_attempt *a);
/* ---- the worker's batches (several sends at once) ---------------- */

/* How many times an unknown outcome is sent again (then a dead
 * letter with DB_OUTBOX_UNKNOWN_WORDS). */
#define DB_OUTBOX_RESENDS_MAX	1
#define DB_OUTBOX_UNKNOWN_WORDS	"outcome unknown: check Meta's inbox before " \
	"sending again"

/* A channel with a send due. */
struct db_outbox_chan {
	long long	 id;
	char		 kind[16];
	long long	 send_rate;	/* 0: default */
};
/* Up to max channels whose token is valid with a send due at now_ms
 * into ch, those with an id above after first, then the others (so a
 * caller that starts after the last one it got, when it got max, sees
 * every channel in turn); *n how many.  0 or -1. */
int	 db_outbox_due_channels(struct db *, long long now_ms, long long after,
	    struct db_outbox_chan *ch, size_t max, size_t *n);
/* Inside the caller's transaction: up to max due sends of channel
 * whose conversation has nothing older to send, oldest first, into
 * jobs (each to be cleared with db_outbox_job_clear); *n how many.
 * 0 or -1. */
int	 db_outbox_candidates(struct db *, long long now_ms, long long channel,
	    size_t max, struct db_outbox_job *jobs, size_t *n);
/* Inside the caller's transaction: claim candidate id under token
 * until until_ms, counting an attempt (1 taken, 0 no longer queued,
 * -1); or leave it queued, due at next_ms (0 or -1). */
int	 db_outbox_take(struct db *, long long id, const char *token,
	    long long now_ms, long long until_ms);
int	 db_outbox_defer(struct db *, long long id, long long next_ms,
	    long long now_ms);

/* The outcome of a claimed send, for db_outbox_record (strings
 * borrowed). */
enum db_outcome {
	DB_OUTCOME_SENT,	/* as db_outbox_sent */
	DB_OUTCOME_REQUEUE,	/* as db_outbox_requeue */
	DB_OUTCOME_FAIL,	/* as db_outbox_fail */
	DB_OUTCOME__MAX
};
struct db_outbox_outcome {
	enum db_outcome		 what;
	long long		 id;
	const char		*token;		/* the claim's */
	enum outbox_state	 state;		/* REQUEUE, FAIL */
	long long		 next_ms;	/* REQUEUE */
	int			 counted;	/* REQUEUE */
	const char		*mid;		/* SENT */
	const char		*err_code, *err;
	long long		 pause_channel;	/* not 0: its token is dead */
	struct db_outbox_attempt a;
	int			 log;		/* 1: log a */
};
/* Record n outcomes in one transaction; 0 or -1 (none recorded). */
int	 db_outbox_record(struct db *, const struct db_outbox_outcome *o,
	    size_t n);

/* The breaker of channel's sends as the worker sees it (state
 * "closed", "open" or "half_open"; until_ms 0 when closed).  Own
 * statement; 0 or -1. */
int	 db_breaker_set(struct db *, long long channel, const char *state,
	    long long until_ms, long long now_ms);
/* What a channel's sending looks like to people. */
struct db_channel_sending {
	char		 breaker[16];	/* closed, open, half_open */
	long long	 until_ms;	/* open: when it tries again */
	int		 paused;	/* its token is not valid */
	long long	 queued;	/* queued, sending or unknown */
};
/* 1 found, 0 no such channel, -1. */
int	 db_channel_sending(struct db *, long long channel,
	    struct db_channel_sending *);
/* The number of sends in each state (outbox_state order) into n. */
int	 db_outbox_depth(struct db *, long long n[OUTBOX_STATE__MAX]);
/* fn(arg, channel, open) for each channel with a token or a breaker
 * (open: 1 when its breaker is not closed); 0 or -1. */
int	 db_breaker_list(struct db *, void (*fn)(void *, long long, int),
	    void *arg);

/* The channel's token is dead: its token_status becomes invalid, which
 * pauses its sends until it is valid again. */
int	 db_channel_token_invalid(struct db *, long long channel);

/* Store a sealed token (its kind: page, system_user) for the channel
 * of kind and meta_id, valid from now on (its paused sends resume):
 * 1 set, 0 no such channel, -1. */
int	 db_channel_set_token(struct db *, const char *kind,
	    const char *meta_id, const void *sealed, size_t len,
	    const char *token_kind, long long now);

/* An echo or status of channel carrying outbox id ref: the send (of
 * that channel only) becomes sent with Meta's mid unless it is further
 * already, and its message in the thread takes the mid.  Inside the
 * caller's transaction.  1 reconciled, 0 no such send, -1. */
int	 db_outbox_reconcile(struct db *, long long channel, long long ref,
	    const char *mid, long long at_ms);

/* A conversation as the inbox lists it (strings borrowed for the
 * callback). */
struct db_conv_row {
	long long	 id, channel_id, contact_id;
	const char	*channel_kind, *contact_name, *status;
	int		 human_agent;
	long long	 last_inbound_ms, last_message_ms, unread;
	long long	 assigned_user_id;	/* 0: nobody */
	long long	 assigned_group_id;	/* 0: no group */
};
struct db_conv_filter {
	const char	*status;	/* NULL: any */
	long long	 channel;	/* 0: any */
	long long	 assigned;	/* -1 any, 0 nobody, else that user */
	int		 unread;	/* 1: only with unread messages */
	const char	*q;		/* contact name or message text */
	long long	 before_ms, before_id;	/* cursor; 0: from the top */
	long long	 since_ms;	/* 0, or only activity at or after it */
	int		 limit;
	long long	 group;		/* 0, or only that group's */
	long long	 groups_of;	/* 0, or only the unassigned ones of
					 * this user's groups */
};
/* The workspace's conversations, newest activity first; 0 or -1. */
int	 db_conv_list(struct db *, long long workspace,
	    const struct db_conv_filter *,
	    void (*fn)(void *, const struct db_conv_row *), void *arg);

/* What the inbox does to a conversation. */
enum db_conv_op {
	DB_CONV_REOPEN,		/* status open */
	DB_CONV_CLOSE,		/* status closed */
	DB_CONV_ASSIGN,		/* to user (0: nobody), a member */
	DB_CONV_READ,		/* no unread messages left */
	DB_CONV_STATE		/* nothing changes: its state, group too */
};
/* A conversation's state after an action. */
struct db_conv_state {
	char		 status[16];
	long long	 assigned_user_id;	/* 0: nobody */
	long long	 unread;
	long long	 assigned_group_id;	/* 0: none (DB_CONV_STATE
						 * only) */
};
/* Do op to conversation id of workspace ws (user: the assignee of
 * DB_CONV_ASSIGN, 0 for nobody) and fill out: 1 done, 0 no such
 * conversation there (or, assigning, user is not a member), -1. */
int	 db_conv_act(struct db *, long long ws, long long id,
	    enum db_conv_op op, long long user, struct db_conv_state *out);

struct db_msg_row {
	long long	 id, sent_ms;
	const char	*direction, *kind, *text, *status, *error;
	const char	*attachments, *payload, *reply_to;
	long long	 outbox_id;	/* 0: not sent through the outbox */
	const char	*outbox_state;	/* NULL when not */
	const char	*outbox_error;	/* the send's error in words, or NULL */
	/* The thread's folding: skip (a reaction or unsend whose message
	 * is not listed again: nothing to show, the cursor moves on);
	 * the row's place for the cursor; the message reply_to names
	 * (quote_id 0: not stored); the latest reaction of each side as
	 * a JSON array [{emoji, direction}]; when it was unsent (0: it
	 * was not). */
	int		 skip;
	long long	 at_ms, at_id;
	long long	 quote_id;
	const char	*quote_text, *reactions;
	long long	 unsent_ms;
	const char	*location;	/* a location's JSON {latitude,
					 * longitude, name?, address?} */
};
/* A conversation's messages in Meta's order (sent_ms, id) after the
 * cursor (after_ms, after_id; 0: from the start), at most limit rows;
 * a reaction or unsend after the cursor lists the message it refers
 * to again when that is at or before the cursor.  0 or -1. */
int	 db_msg_list(struct db *, long long conversation, long long after_ms,
	    long long after_id, int limit,
	    void (*fn)(void *, const struct db_msg_row *), void *arg);

/* ---- the send API ------------------------------------------------- */

/* Meta's id of message id in conversation conv, when one may react to
 * it (not a reaction, not a derived key), into mid: 1, 0 none, -1. */
int	 db_outbox_msg_mid(struct db *, long long conv, long long id,
	    char *mid, size_t midsz);
/* What marking conversation conv read needs: its channel's mark_read,
 * its unread count, and Meta's id of its last inbound message ("":
 * none) into mid: 1, 0 no such conversation, -1. */
int	 db_outbox_read_info(struct db *, long long conv, int *mark_read,
	    long long *unread, char *mid, size_t midsz);

/* A send as the API lists it (strings borrowed for the callback). */
struct db_outbox_row {
	long long	 id, channel_id, conversation_id, message_id;
	const char	*kind, *state, *error, *error_code, *author_kind;
	const char	*tag, *meta_message_id;
	int		 attempts;
	long long	 created_ms, sent_ms, next_attempt_ms, updated_ms;
};
struct db_outbox_filter {
	const char	*state;		/* NULL: any */
	long long	 channel, conversation;	/* 0: any */
	long long	 before_id;	/* cursor; 0: from the newest */
	long long	 id;		/* 0, or only that send */
	int		 limit;
};
/* The workspace's sends, newest first; 0 or -1. */
int	 db_outbox_list(struct db *, long long workspace,
	    const struct db_outbox_filter *,
	    void (*fn)(void *, const struct db_outbox_row *), void *arg);
/* A send's attempts, first first (strings borrowed); 0 or -1. */
int	 db_outbox_attempts(struct db *, long long id,
	    void (*fn)(void *, const struct db_outbox_attempt *), void *arg);
/* A failed send or dead letter of workspace queued again, due now,
 * its message queued again: 1, 0 no such send there in those states,
 * -1.  Own transaction. */
int	 db_outbox_retry(struct db *, long long workspace, long long id,
	    long long now_ms);
/* Channel's sends still to go (queued, unknown) fail with why, and
 * their messages too; *n counts them.  Inside the caller's
 * transaction. */
int	 db_outbox_channel_gone(struct db *, long long channel,
	    const char *why, long long now_ms, long long *n);

#endif
