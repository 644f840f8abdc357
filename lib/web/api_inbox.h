/*
 * api_inbox: conversations, their messages and sending (api_inbox.c).
 * Every answer is scoped to the caller's workspace: another
 * workspace's conversation is 404.
 *
 *   GET  /api/conversations   agent: {conversations: [C], next}
 *        ?status=&channel=&assigned=me|groups|none|any|ID&group=ID&
 *        unread=&q=&cursor= (groups: the conversations of the caller's
 *        groups that no person took)
 *        newest activity first; C: {id, channel_id, platform, contact:
 *        {id, name}, status, window, last_message_at (ms), unread,
 *        assigned_user_id, assigned_group_id}; next: the cursor of the
 *        next page or null
 *   GET  /api/conversations/ID/messages?cursor=
 *        agent: {messages: [M], next, more, window} oldest first
 *        (Meta's time); M: {id, direction, kind, text, status, sent_at
 *        (ms), outbox_id, outbox_state, outbox: {id, state, error} or
 *        null, error (words), payload,
 *        reply_to: {id, text} (id null: not stored) or null,
 *        reactions: [{emoji, direction}] (the latest of each side),
 *        unsent, echo (sent from Meta's own inbox), location:
 *        {latitude, longitude, name?, address?} for a location}.
 *        Reactions and unsends are not listed: they are folded into
 *        the message they refer to, which is listed again after the
 *        cursor when one of them arrives later.  more: a full page
 *        was read.
 *   POST /api/conversations/ID/messages
 *        agent (a session, or an API token of role scope), JSON {text,
 *        quick_replies} or {template: {name, language, components}}
 *        or {attachment: {type: image|video|audio|file, url: https,
 *        caption? (WhatsApp)}},
 *        optional idempotency_key: 202 {id, state, sends, window}: id
 *        is the outbox row (the first, when a long text was split);
 *        422 {error} when the window or a limit refuses it, in words;
 *        the same idempotency_key again: the first answer (202, the
 *        same id, state queued) with current_state, and nothing sent.
 *   GET  /api/conversations?since=MS lists only conversations with
 *        activity at or after MS (the inbox polls with it).
 *   POST /api/conversations/ID/assign   agent, JSON {user_id}: N (a
 *        member of the workspace, else 422), "me" (the caller) or
 *        null (nobody); a missing user_id is 400
 *   POST /api/conversations/ID/close    agent, JSON {}: status closed
 *   POST /api/conversations/ID/reopen   agent, JSON {}: status open
 *   POST /api/conversations/ID/read     agent, JSON {}: unread 0 (the
 *        conversation's read mark: unread counts inbound messages
 *        since the last one)
 *        each: 200 {id, status, assigned_user_id, unread}; read also
 *        queues marking the conversation read at Meta (mark_seen, or
 *        WhatsApp's read of the last inbound message) when something
 *        was unread and the channel's mark_read is on
 *   POST /api/conversations/ID/messages/MID/reactions   agent, JSON
 *        {emoji} ("" removes it) to message MID of the thread: 202 as a
 *        send; 404 when MID is not a message one may react to
 *   POST /api/conversations/ID/typing   agent, JSON {on: bool}
 *        (Messenger/Instagram; 422 on WhatsApp): 202 as a send
 */
#ifndef HG_API_INBOX_H
#define HG_API_INBOX_H

#include "route.h"

struct conf;
struct bg_thread;

/* The configuration and the worker thread to wake when a send is
 * queued (may be NULL: cron sends it); once, before serving. */
void	 api_inbox_setup(const struct conf *, struct bg_thread *);

enum {
	INBOX_F_STATUS,
	INBOX_F_CHANNEL,
	INBOX_F_ASSIGNED,
	INBOX_F_UNREAD,
	INBOX_F_Q,
	INBOX_F_CURSOR,
	INBOX_F_LIMIT,
	INBOX_F_SINCE,
	INBOX_F_GROUP,
	INBOX_F__MAX
};
extern const struct route_field api_inbox_fields[INBOX_F__MAX];
enum { SEND_F_TEXT, SEND_F_KEY, SEND_F__MAX };
extern const struct route_field api_send_fields[SEND_F__MAX];

/* GET /api/conversations and /api/conversations/ID/messages. */
void	 api_inbox_get(struct req *, const struct route_ctx *);
/* POST /api/conversations/ID/messages. */
void	 api_inbox_send(struct req *, const struct route_ctx *);

#endif
