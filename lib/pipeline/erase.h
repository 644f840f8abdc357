/*
 * erase: erase what hubgate holds about one person (an app-scoped
 * Facebook user id, or a messaging id as a contact): their Logins and
 * the tokens from them, their contact rows, conversations and
 * messages, and their entries in the raw webhook events.
 *
 * Raw events are found by scanning bodies in small id ranges with
 * short reads (never under the write lock), and rewritten without the
 * person's entries in small committed chunks, so that webhooks keep
 * being stored meanwhile.  A delivery that also holds other people's
 * entries keeps them.  An event a worker is processing is left; it is
 * tried again at the end of the pass, and the contact rows are erased
 * last, so that what such processing stored goes too.
 */
#ifndef HG_ERASE_H
#define HG_ERASE_H

#include "db.h"
#include "db_oauth.h"

/* Erase meta_user_id as above, counting into e (zeroed first); 0, or
 * -1 when the database failed (what was done stays done).  channel_id
 * 0: everywhere (Meta's data deletion: their Logins too); otherwise
 * only as that channel's contact, and only the raw events routed to
 * it (a person forgotten by one business stays known to others; a
 * raw event routed to that channel loses every entry naming the id,
 * also one for another channel in the same delivery, which only a
 * WhatsApp person writing to two numbers of one account can cause). */
int	 erase_person(struct db *, const char *meta_user_id,
	    long long channel_id, long long now, struct db_erase *e);

#endif
