/*
 * events: turn one stored webhook event into inbox data.  Every
 * entry[], messaging[], standby[], changes[], messages[] and statuses[]
 * item is looked at; messages become rows keyed by Meta's mid / wamid
 * (so processing an event twice changes nothing), receipts move
 * message status forward only, and anything recognised but not handled,
 * unknown or malformed is counted in the unhandled ledger.
 */
#ifndef HG_EVENTS_H
#define HG_EVENTS_H

#include <stddef.h>

struct db;

/* Process the len bytes of event event_id inside the caller's open
 * transaction.  Returns 0, or -1 on a database error (the caller rolls
 * back and retries later).  Malformed items are not errors. */
int		 events_process(struct db *, long long event_id,
		    const char *body, size_t len, long long now_ms);
/* The same, for a body already parsed (NULL: not JSON). */
struct cJSON;
int		 events_process_json(struct db *, long long event_id,
		    const struct cJSON *root, long long now_ms);

/* A Meta timestamp (number or numeric string, seconds or milliseconds)
 * in milliseconds; 0 when absent or not a timestamp. */
long long	 events_ts_ms(const struct cJSON *);
/* The kind of channel a webhook's envelope object is for ("page",
 * "instagram", "whatsapp"), or NULL for an object hubgate does not
 * route. */
const char	*events_channel_kind(const char *object);

#endif
