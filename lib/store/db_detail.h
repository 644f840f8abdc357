/*
 * db_detail: what Meta's events say beyond a message's arrival and
 * status (db_detail.c): who wrote an outbound message and whether it
 * was a standby copy, edits and their history, the latest reaction of
 * a person, referrals, opt-ins, WhatsApp contacts keyed on user ids,
 * pricing, thread owners, WhatsApp account events and test bodies.
 * All run inside the caller's transaction.
 */
#ifndef HG_DB_DETAIL_H
#define HG_DB_DETAIL_H

#include "db.h"

struct db_message;

/* Mark the message mid of channel: standby (1: a standby copy; never
 * cleared) and author (kept when it has one; NULL: none); 0 or -1. */
int	 db_message_mark(struct db *, long long channel, const char *mid,
	    int standby, const char *author);
/* Record that mid of channel read text from edited_ms on (num_edit: 0
 * or Meta's count), then show its newest text: 0 or -1.  An edit whose
 * message has not arrived is kept for it (db_message_edit_sync). */
int	 db_message_edit(struct db *, long long channel, const char *mid,
	    long long edited_ms, long long num_edit, const char *text,
	    long long event_id);
/* Show the newest edit of mid of channel, its original text kept in
 * the history; for a message that just arrived.  0 or -1. */
int	 db_message_edit_sync(struct db *, long long channel,
	    const char *mid);
/* Store m (a reaction keyed on its person and target) or, when it
 * exists, take m's emoji and time if m is newer: 1 new, 0 exists, -1.
 * With no conversation, only an existing row is updated. */
int	 db_reaction_set(struct db *, const struct db_message *m);
/* Set the conversation's referral (JSON with "at_ms") unless a newer one
 * is there; 0 or -1. */
int	 db_conversation_referral(struct db *, long long conversation,
	    const char *json, long long at_ms);
/* The owner of a conversation's thread ("us" or "other") and, for
 * "other", the app's id (NULL: unknown); 0 or -1. */
int	 db_conversation_owner_app(struct db *, long long conversation,
	    const char *owner, const char *app_id);
/* Set a contact's opt-in (JSON with "at_ms") unless a newer one is
 * there; 0 or -1. */
int	 db_contact_optin(struct db *, long long contact, const char *json,
	    long long at_ms);
/* The WhatsApp contact of a person with a user id and/or a number (at
 * least one), created when new: keyed on the user id when there is
 * one, else the number; a contact known by the number alone takes the
 * user id when both come.  Sets *id; 0 or -1. */
int	 db_contact_wa(struct db *, long long workspace, long long channel,
	    const char *user_id, const char *phone, const char *name,
	    long long seen_at, long long *id);
/* The contact keyed key on channel into *id: 1 found, 0 none (*id 0),
 * -1. */
int	 db_contact_find(struct db *, long long channel, const char *key,
	    long long *id);
/* Contacts keep and gone of channel are one person (a WhatsApp item
 * carried both the user id one is keyed on and the number the other
 * is): gone's conversation, its messages, sends, tags, automation log,
 * bot calls, profile picture and forwarded events move to keep (whose
 * conversation takes the latest times, both unread counts, the newer
 * referral, owner and opt-in, an assignment or escalation either had),
 * gone is deleted, and keep is keyed on user_id with phone.  In the
 * caller's transaction; 0 or -1. */
int	 db_contact_merge(struct db *, long long channel, long long keep,
	    long long gone, const char *user_id, const char *phone);
/* The WhatsApp contact id changed its number to phone: it keeps it
 * (and is keyed on it when it was keyed on its number); 0 or -1. */
int	 db_contact_number(struct db *, long long contact, const char *phone);
/* The latest reaction ("" removed) of from_id on target_id (a Page post
 * or comment) at at_ms, unless a newer one is known; 0 or -1. */
int	 db_feed_reaction(struct db *, long long channel, const char *target_id,
	    const char *post_id, const char *from_id, const char *reaction,
	    long long at_ms);
/* 1 when channel has a message mid, 0 not, -1. */
int	 db_message_known(struct db *, long long channel, const char *mid);
/* Keep the pricing JSON of a WhatsApp status on mid of channel; 0 or
 * -1. */
int	 db_message_pricing(struct db *, long long channel, const char *mid,
	    const char *json);

/* A WhatsApp account-level event for every number of the WABA. */
struct db_notice {
	const char	*waba;		/* entry.id */
	const char	*field, *word;
	const char	*level;		/* "info", "warning", "critical" */
	const char	*detail;	/* the value's JSON */
	int		 state;		/* 1: sets the channel's account
					 * state (the word when not info,
					 * else cleared) */
	long long	 at_ms, event_id;
};
/* Record n for the WABA's numbers: how many numbers it has (0: none
 * known, the caller counts it), or -1. */
int	 db_channel_notice(struct db *, const struct db_notice *n);
/* Route event id (unrouted: its entry names a WABA, not a number) to
 * the WABA waba's numbers; 0 or -1. */
int	 db_event_route_waba(struct db *, long long id, const char *waba);
/* Template name in language of the WABA waba's numbers now has status
 * and/or category (NULL: unchanged), as Meta's webhook said; 0 or -1. */
int	 db_template_event(struct db *, const char *waba, const char *name,
	    const char *language, const char *status, const char *category);
/* Mark event id as sent by Meta's Test button; 0 or -1. */
int	 db_event_test(struct db *, long long id);

/* The chat history's message mid of channel, stored without its media
 * id, takes the attachments atts (JSON, with the id) and its media are
 * fetched; an unsent message, or one that has its id, is left as it
 * is.  In the caller's transaction; 0 or -1. */
int	 db_history_media(struct db *, long long channel, const char *mid,
	    const char *atts, long long now_ms);
/* Workspace ws's retention settings as stored (JSON {"keep_deleted_text":
 * bool}), allocated into *json for the caller to free (NULL: none set,
 * the defaults); 0 or -1. */
int	 db_retention_get(struct db *, long long ws, char **json);
/* Store workspace ws's retention settings (JSON, already checked); 1,
 * 0 no such workspace, -1.  Applied to what is unsent from then on. */
int	 db_retention_put(struct db *, long long ws, const char *json);

/* What the inbox shows of a message beyond db_msg_row (strings
 * borrowed for the callback). */
struct db_msg_detail {
	long long	 edited_ms;	/* 0: never edited */
	const char	*author;	/* NULL: none */
	int		 standby;
	int		 history;	/* from a WhatsApp Business app's
					 * chat history */
};
/* Call fn with message id's detail, then edit for each text it had (the
 * original first) when it was edited; 1, 0 no such message, -1. */
int	 db_msg_detail(struct db *, long long id,
	    void (*fn)(void *, const struct db_msg_detail *),
	    void (*edit)(void *, const char *text, long long at_ms),
	    void *arg);
/* A conversation's referral (JSON, NULL: none), thread owner (the
 * app's id NULL when unknown or "us") and its contact's opt-in (JSON,
 * NULL: none), borrowed for the callback; 1, 0 no such conversation,
 * -1. */
int	 db_conv_detail(struct db *, long long id,
	    void (*fn)(void *, const char *referral, const char *owner,
	    const char *owner_app, const char *optin), void *arg);
/* 1 when event id came from the Test button of Meta's dashboard, 0 not
 * (or no such event), -1. */
int	 db_event_is_test(struct db *, long long id);
/* Channel's account state (NULL: none) into state (statesz bytes,
 * "" for none); 1, 0 no such channel, -1. */
int	 db_account_state(struct db *, long long channel, char *state,
	    size_t statesz);
/* The latest n account events of channel, newest first (strings
 * borrowed for the callback); 0 or -1. */
int	 db_notice_list(struct db *, long long channel, int n,
	    void (*fn)(void *, const char *field, const char *word,
	    const char *level, const char *detail, long long at_ms),
	    void *arg);

#endif
