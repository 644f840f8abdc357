/*
 * envelope: the light parse of a webhook body done before it is stored:
 * is it UTF-8 JSON with an "object", which accounts (entry ids, WhatsApp
 * phone_number_ids) does it name, and what do they route to.
 */
#ifndef HG_ENVELOPE_H
#define HG_ENVELOPE_H

#include <stddef.h>

#include "json.h"

/* What the envelope parse found in a body. */
struct envelope {
	int	 valid;		/* JSON, UTF-8, an object with "object" */
	char	*object;	/* "page", "instagram", ...; NULL if !valid */
	char	*entry_ids;	/* JSON array of strings */
	char	*phone_ids;	/* JSON array of strings */
	const char *why;	/* when !valid: a short reason (static) */
	/* What to route on: the channel kind ("page", "instagram",
	 * "whatsapp"; NULL for an unknown object) and the Meta ids. */
	const char *route_kind;
	char	**route_ids;
	size_t	 nroute;
	/* How many items (messaging, standby, changes, WhatsApp messages
	 * and statuses) the entries hold, to size the work of processing. */
	size_t	 items;
	/* When Meta says the event happened, in ms: the first entry's
	 * "time", else its first WhatsApp message or status timestamp; 0
	 * when there is none.  A function of the body alone, so the same
	 * body always gives the same value. */
	long long sent_ms;
	/* The parsed body, kept for an event small enough to be processed
	 * inside the commit that stores it (valid, at most
	 * HG_COMMIT_ITEMS_MAX items); else NULL. */
	struct cJSON *root;
	struct json_arena arena;	/* root's memory */
};

/* Parse the envelope of len bytes at body (NUL-terminated after len);
 * 0, or -1 when out of memory.  An invalid body is not an error. */
int		 envelope_parse(const char *body, size_t len,
		    struct envelope *);
void		 envelope_free(struct envelope *);
/* The sent_ms that envelope_parse finds in the len bytes at body
 * (NUL-terminated after len); 0 or -1 when out of memory. */
int		 envelope_sent_ms(const char *body, size_t len,
		    long long *out);


#endif
