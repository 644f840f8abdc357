/*
 * db_inbox: contacts, conversations, messages, feed items and the ledger
 * of unhandled kinds (db_inbox.c).  All run inside the caller's
 * transaction.
 */
#ifndef HG_DB_INBOX_H
#define HG_DB_INBOX_H

#include "db.h"

/* Create or refresh a contact (name kept when name is NULL or empty);
 * sets *id; 0 or -1. */
int		 db_contact_upsert(struct db *, long long workspace,
		    long long channel, const char *meta_user_id,
		    const char *name, long long seen_at, long long *id);
/* The conversation of a contact on a channel, created when new. */
int		 db_conversation_upsert(struct db *, long long workspace,
		    long long channel, long long contact, long long now,
		    long long *id);
/* Note a message at ms in a conversation; inbound_new counts it unread
 * and moves the 24-hour window. */
int		 db_conversation_note(struct db *, long long id, long long ms,
		    int inbound_new);
/* Who owns the thread: "us" or "other". */
int		 db_conversation_owner(struct db *, long long id,
		    const char *owner);

/* A message's delivery state, in the order it moves: never backwards,
 * so a late or repeated receipt changes nothing.  A failure is final. */
enum msg_status {
	MSG_RECEIVED,		/* inbound: nothing follows */
	MSG_QUEUED,
	MSG_SENT,
	MSG_DELIVERED,
	MSG_READ,
	MSG_FAILED,
	MSG_STATUS__MAX
};
extern const char *const msg_status_names[MSG_STATUS__MAX];
/* The status named s, or -1 for none. */
int		 msg_status_parse(const char *s);

struct db_message {
	long long	 conversation_id;
	long long	 channel_id;	/* the conversation's channel */
	const char	*mid;		/* unique within the channel; NULL
					 * for none */
	const char	*direction;	/* "in" or "out" */
	const char	*kind;
	const char	*text, *attachments, *payload, *reply_to, *raw;
	enum msg_status	 status;
	long long	 sent_ms;
	long long	 event_id;	/* 0: none */
	long long	 created_ms;
	int		 history;	/* 1: from the WhatsApp Business
					 * app's chat history (never new) */
};
/* Insert a message: 1 inserted, 0 one with this mid exists on its
 * channel, -1.  A new message's fetchable attachments get media rows
 * (db_media.h) in the same transaction. */
int		 db_message_insert(struct db *, const struct db_message *);
/* Move the message with mid on channel forward to status (never
 * backwards; another channel's message with the same mid is not
 * touched); 1 changed, 0 unknown mid or not forward, -1. */
int		 db_message_status(struct db *, long long channel,
		    const char *mid, enum msg_status, long long at_ms,
		    const char *err_code, const char *err_title);
/* Mark every outbound message of a conversation sent at or before
 * watermark_ms as status (MSG_DELIVERED or MSG_READ); 0 or -1. */
int		 db_message_watermark(struct db *, long long conversation,
		    enum msg_status, long long watermark_ms);

struct db_feed {
	long long	 channel_id;
	const char	*meta_id, *item, *post_id, *parent_id;
	const char	*from_id, *from_name, *message, *status;
	long long	 created_ms, updated_ms, event_id;
};
/* Record a feed item or its latest change; 0 or -1. */
int		 db_feed_upsert(struct db *, const struct db_feed *);
/* How many messages (not reactions), either way, channel has with
 * Meta's time at or after since_ms into *n; 0 or -1. */
int		 db_channel_messages_since(struct db *, long long channel,
		    long long since_ms, long long *n);
/* Count an event kind seen but not handled; 0 or -1. */
int		 db_unhandled_add(struct db *, const char *object,
		    const char *type, long long event_id, long long now);

#endif
