/*
 * db_auto: automation's rows (db_auto.c): rules, a workspace's
 * automation settings, the messages automation has seen, its log,
 * conversation tags, escalations and bot calls.  Functions run inside
 * the caller's transaction unless they say otherwise.
 */
#ifndef HG_DB_AUTO_H
#define HG_DB_AUTO_H

#include <stddef.h>

#include "buf.h"
#include "db.h"

/* A rule as stored (strings owned by the row: db_rule_clear). */
struct db_rule {
	long long	 id, position, updated_at;
	int		 enabled;
	char		*name;
	char		*body;		/* JSON {channels?, when, then} */
};
void	 db_rule_clear(struct db_rule *);

/* Call fn for each rule of workspace in order (at most HG_RULES_MAX);
 * 0 or -1. */
int	 db_rule_each(struct db *, long long ws,
	    void (*fn)(void *, const struct db_rule *), void *arg);
/* Rule id of workspace into r: 1, 0 none, -1. */
int	 db_rule_get(struct db *, long long ws, long long id, struct db_rule *r);
/* Add a rule at position (0: after the last): its id in *id; 0, or -1
 * (also past HG_RULES_MAX: *id stays 0).  Own transaction. */
int	 db_rule_add(struct db *, long long ws, long long position,
	    const char *name, int enabled, const char *body, long long now,
	    long long *id);
/* Replace rule id (position 0: keep it): 1, 0 none, -1. */
int	 db_rule_put(struct db *, long long ws, long long id,
	    long long position, const char *name, int enabled,
	    const char *body, long long now);
/* Delete rule id: 1, 0 none, -1. */
int	 db_rule_delete(struct db *, long long ws, long long id);

/* A workspace's automation settings: each JSON text or NULL (owned;
 * db_auto_settings_clear). */
struct db_auto_settings {
	char		*handover, *bot, *hours;
	struct buf	 bot_secret_sealed;	/* empty: none */
};
void	 db_auto_settings_clear(struct db_auto_settings *);
/* Read them (all NULL when never set); 0 or -1. */
int	 db_auto_settings_get(struct db *, long long ws,
	    struct db_auto_settings *);
/* Set one of them: which is "handover", "bot" or "hours"; for "bot",
 * sealed (len bytes) replaces the sealed secret unless NULL.  Own
 * transaction; 0 or -1. */
int	 db_auto_settings_put(struct db *, long long ws, const char *which,
	    const char *json, const void *sealed, size_t len, long long now);

/* An inbound or outbound message with its conversation, as automation
 * sees it (strings owned: db_auto_msg_clear). */
struct db_auto_msg {
	long long	 id, conversation_id, workspace_id, channel_id;
	long long	 contact_id, assigned_user_id, sent_ms;
	int		 inbound, standby;
	char		*kind, *text, *payload, *raw, *author;
	char		 status[16];		/* the conversation's */
	char		 thread_owner[8];	/* us, other */
	char		 channel_kind[16];
	char		*channel_name, *contact_name;
};
void	 db_auto_msg_clear(struct db_auto_msg *);
/* The messages stored from event id, in order: up to max into m, *n
 * how many; 0 or -1. */
int	 db_auto_event_msgs(struct db *, long long event_id,
	    struct db_auto_msg *m, size_t max, size_t *n);
/* Message id: 1, 0 none, -1. */
int	 db_auto_msg_get(struct db *, long long id, struct db_auto_msg *);

/* Mark message id seen with outcome: 1 newly, 0 seen before, -1. */
int	 db_auto_seen(struct db *, long long msg, const char *outcome,
	    long long now_ms);
/* Change a seen message's outcome; 0 or -1. */
int	 db_auto_seen_set(struct db *, long long msg, const char *outcome);
/* Log what automation did (rule 0: none); 0 or -1. */
int	 db_auto_log(struct db *, long long ws, long long conv, long long msg,
	    long long rule, const char *action, const char *detail,
	    long long now_ms);

/* Facts about a conversation for automation (conv, the message being
 * looked at msg, now_ms). */
struct db_auto_facts {
	int		 first_message;	/* the contact's first, ever */
	long long	 replies_hour;	/* automatic replies in the last hour */
	int		 echoes_us;	/* the text is one of those replies */
	int		 repeats;	/* the text repeats the previous one */
	int		 engaged;	/* automation has replied here before */
};
/* Fill f for message m (text may be NULL); 0 or -1. */
int	 db_auto_facts(struct db *, const struct db_auto_msg *m,
	    long long now_ms, struct db_auto_facts *f);
/* Count an unhelped message (helped 0) or reset (1): the count after
 * in *n; 0 or -1. */
int	 db_auto_failures(struct db *, long long conv, int helped, long long *n);
/* Tag a conversation; 0 or -1. */
/* Inside the caller's transaction: a message.forwarded event of
 * message msg by rule (id, name), for destination dest of the message's
 * workspace (0: every one that takes message.forwarded), with its
 * deliveries (the fan-out trigger); *n the deliveries made.  0 or -1. */
int	 db_auto_forward(struct db *, long long msg, long long rule,
	    const char *rule_name, long long dest, long long now_ms,
	    long long *n);
int	 db_auto_tag(struct db *, long long conv, const char *tag);
/* Write author on the thread's messages of n sends from outbox id
 * first; 0 or -1. */
int	 db_auto_author(struct db *, long long first, int n, const char *author);

/* Escalate conv now with reason and a summary of its last messages:
 * 1 done, 0 it was escalated already, -1. */
int	 db_auto_escalate(struct db *, long long conv, const char *reason,
	    long long now_ms);
/* The place of conv in workspace's queue of escalations (1: first),
 * and the waits (ms) from the escalations since now_ms -
 * HG_WAIT_WINDOW_MS to a person's first send: up to max into waits,
 * *n how many; 0 or -1. */
int	 db_auto_queue(struct db *, long long ws, long long conv,
	    long long now_ms, long long *position, long long *waits,
	    size_t max, size_t *n);

/* Why and when conv was last escalated, and the summary of its last
 * messages then: reason and summary (NUL-terminated, cut to their
 * sizes), *at_ms (0: never); 0 or -1. */
int	 db_auto_escalation(struct db *, long long conv, char *reason,
	    size_t reasonsz, char *summary, size_t summarysz, long long *at_ms);

/* The escalations people are still to be told of, and mark them told
 * (own transaction): up to max conversation ids into conv and their
 * workspaces into ws, *n how many; 0 or -1. */
int	 db_auto_alerts_take(struct db *, long long *conv, long long *ws,
	    size_t max, size_t *n);

/* Is a "no reply for N minutes" rule on anywhere: 1, 0, -1. */
int	 db_auto_wait_rules(struct db *);
/* The inbound messages unanswered since before till_ms (and after
 * since_ms), last in their conversations, not yet acted on: up to max
 * ids into ids, *n how many; 0 or -1. */
int	 db_auto_wait_due(struct db *, long long till_ms, long long since_ms,
	    long long *ids, size_t max, size_t *n);
/* Mark message msg as acted on by the waiting pass; 0 or -1. */
int	 db_auto_waited(struct db *, long long msg, long long now_ms);

/* A member's availability in workspace ws: set it (on 1 or 0) or read
 * it into *on: 1, 0 not a member, -1. */
int	 db_auto_available_set(struct db *, long long ws, long long user,
	    int on);
int	 db_auto_available_get(struct db *, long long ws, long long user,
	    int *on);
/* How many enabled members of ws are available, into *n; 0 or -1. */
int	 db_auto_available_count(struct db *, long long ws, long long *n);

/* A bot call, as the worker sees it (params owned). */
struct db_bot_call {
	long long	 id, workspace_id, conversation_id, message_id, rule_id;
	int		 attempts;
	char		*params;
};
void	 db_bot_call_clear(struct db_bot_call *);
/* Queue a call; 0 or -1. */
int	 db_bot_add(struct db *, long long ws, long long conv, long long msg,
	    long long rule, const char *params, long long now_ms);
/* Claim the next due call (own transaction): 1 (c filled), 0 none, -1. */
int	 db_bot_claim(struct db *, long long now_ms, struct db_bot_call *c);
/* End a call: state "done", "failed", or "queued" again at next_ms,
 * with error (may be NULL); 0 or -1. */
int	 db_bot_end(struct db *, long long id, const char *state,
	    const char *error, long long next_ms, long long now_ms);
/* When the next call is due (0: none); 0 or -1. */
int	 db_bot_next_due(struct db *, long long *ms);
/* Call fn for the last max messages of conv, newest first; 0 or -1. */
int	 db_bot_history(struct db *, long long conv, int max,
	    void (*fn)(void *, const char *direction, const char *kind,
	    const char *text, const char *author, long long sent_ms),
	    void *arg);

#endif
