/*
 * bot: the worker that calls a workspace's bot for the messages rules
 * handed to it (bot_call rows, queued by automation.c inside event
 * processing).  Each call POSTs the message, its conversation's recent
 * history and the rule's params as JSON, signed with the bot's secret
 * the Standard Webhooks way (signed_post.h), and applies the answer
 * (automation_bot_answer: replies, tags, handover, confidence).  A call
 * that fails (no answer in the bot's timeout, not 2xx, not JSON) is
 * tried again after HG_BOT_RETRY_MS, HG_BOT_ATTEMPTS times in all; then
 * the conversation escalates with "bot unavailable", so no customer is
 * left unanswered.
 *
 * Request: {"type": "message", "id": "botcall_<id>", "workspace_id",
 *   "conversation": {"id", "channel": {"id", "kind", "name"},
 *   "contact": {"id", "name"}}, "message": {"id", "kind", "text",
 *   "payload", "sent_ms"}, "history": [{"direction", "kind", "text",
 *   "author", "sent_ms"}] (oldest first), "params": {...}}
 * Answer: {"replies": [{"text", "quick_replies"?} | {"template"} |
 *   {"text", "buttons"} | {"generic"} (rich.h)], "tags": [...],
 *   "handover": bool, "reason", "confidence": 0..1}.  A rich reply that
 *   is malformed, or on WhatsApp, escalates the conversation instead.
 *
 * The same worker runs the "no reply for N minutes" rules
 * (automation_waiting) and tells people (alert.h: the alert e-mail and webhook)
 * of each conversation newly escalated to them, once.
 *
 * The thread (bg_thread_new with bot_job) runs it in the dashboard's
 * process (the holder of the "bot" lock); cron/webhook-retry runs
 * bot_run for what is left.
 */
#ifndef HG_BOT_H
#define HG_BOT_H

struct conf;
struct db;
struct bg_job;

/* Call the bots of due calls for at most budget_ms with c's settings;
 * *next_ms (may be NULL): when the next is due (0: none).  The number
 * of calls made, or -1 on a database error. */
int	 bot_run(const struct conf *c, struct db *d, long long budget_ms,
	    long long *next_ms);

/* The worker as a thread (bgthread.h). */
extern const struct bg_job bot_job;

#endif
