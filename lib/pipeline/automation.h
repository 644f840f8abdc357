/*
 * automation: rules, escalation to people and the bot's answers,
 * applied to stored messages (docs: README "Automation").
 *
 * automation_after_event runs inside the transaction that stores an
 * event's items (committer.c, queue.c), on the messages that event
 * stored.  Each message is looked at once: automation_seen keeps it,
 * so a replay or a redelivery triggers nothing new.  Nothing slow
 * happens there: replies are queued in the outbox (outbox_enqueue_in:
 * its window checks hold; automation never uses HUMAN_AGENT), bot calls
 * are queued for the bot worker (bot.h).
 *
 * Never automated: echoes, standby copies, conversations whose thread
 * another app owns, escalated conversations (until a person closes or
 * reopens them), conversations a person is assigned to while open,
 * contacts that repeat automation's own words back (an automated
 * sender); and no more than HG_AUTO_REPLIES_PER_HOUR automatic replies
 * per conversation per hour.  A workspace without enabled rules, bot or
 * handover is left alone entirely.
 */
#ifndef HG_AUTOMATION_H
#define HG_AUTOMATION_H

#include <cjson/cJSON.h>

#include "rules.h"

struct db;

/* Run automation on the messages event_id stored, inside the caller's
 * open transaction, at now_ms, under a savepoint of its own: when it
 * fails, its work alone is undone and logged (the messages stay).  0,
 * or -1 when the transaction itself is lost. */
int	 automation_after_event(struct db *, long long event_id,
	    long long now_ms);

/* Escalate conversation conv of workspace ws (msg: the message that
 * caused it, or 0) with reason, inside the caller's transaction: status
 * escalated, unassigned, the reason and a summary kept, automation
 * paused; notify: send the contact the workspace's notice (with the
 * place in the queue and the typical wait when others wait).  0 (also
 * when it was escalated already), or -1. */
int	 automation_escalate(struct db *, long long ws, long long conv,
	    long long msg, const char *reason, int notify, long long now_ms);

/* The "no reply for N minutes" rules: act on the inbound messages
 * that are last in their conversations and unanswered long enough, each
 * once, in its own transaction (the bot worker runs it every poll).
 * 0, or -1 on a database error. */
int	 automation_waiting(struct db *, long long now_ms);

/* Apply a bot's answer (replies, tags, handover, confidence) to the
 * message msg of conversation conv, inside the caller's transaction.
 * 0, or -1 on a database error. */
int	 automation_bot_answer(struct db *, long long msg, const cJSON *answer,
	    long long now_ms);

/* What the rules of workspace ws would do with m (nothing is sent or
 * stored): {"matches": [{"id", "name", "then", "sends"}], "escalation": phrase
 * or null, "stopped": bool}.  NULL on a database error. */
cJSON	*automation_test(struct db *, long long ws, const struct rules_msg *m);

/* The settings' defaults, for the API: the handover notice. */
extern const char *const automation_default_notice;

#endif
