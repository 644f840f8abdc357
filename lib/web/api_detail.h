/*
 * api_detail: what the inbox and the channel page show of Meta's events
 * beyond plain messages (api_detail.c): a message's edits, author and
 * standby mark, a conversation's referral and thread owner, a WhatsApp
 * number's account events.
 */
#ifndef HG_API_DETAIL_H
#define HG_API_DETAIL_H

#include <cjson/cJSON.h>

struct db;

/* Add to o (a message of the thread) "edited" (bool), "edits" ([{text,
 * at}], the original first; [] when never edited), "author" (string or
 * null), "standby" (bool) and "history" (bool: from a WhatsApp Business
 * app's chat history).  A database error leaves them out. */
void	 api_detail_message(struct db *, long long message, cJSON *o);
/* Add to o (a thread's answer) "referral" (the latest referral object,
 * or null), "thread_owner" ({"owner": "us"|"other", "app_id": string
 * or null}) and "optin" (the contact's latest opt-in object, or null).
 * A database error leaves them out. */
void	 api_detail_conversation(struct db *, long long conversation,
	    cJSON *o);
/* Add to o (an event, with its "id") "test": true when the Test button
 * of Meta's dashboard sent it.  A database error leaves it out. */
void	 api_detail_event(struct db *, cJSON *o);
/* Add to o (a WhatsApp channel) "account_state" (the word of the latest
 * event threatening sending, or null) and "notices": its latest account
 * events [{field, word, level, detail, at}], newest first, at most
 * HG_NOTICES_SHOWN.  A database error leaves them out. */
void	 api_detail_notices(struct db *, long long channel, cJSON *o);

#endif
