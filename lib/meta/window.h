/*
 * window: Meta's messaging windows as pure functions (docs/META.md,
 * "Sending").  Inside 24 hours after the person's last message any
 * reply may go; Messenger and Instagram allow a person (never
 * automation) to answer until 7 days with the HUMAN_AGENT tag, when the
 * channel has that permission; WhatsApp allows only an approved
 * template outside 24 hours; beyond that nothing may be sent.  No I/O.
 */
#ifndef HG_WINDOW_H
#define HG_WINDOW_H

#include <stddef.h>

#define WINDOW_OPEN_MS		(24LL * 3600 * 1000)
#define WINDOW_HUMAN_AGENT_MS	(7LL * 24 * 3600 * 1000)

/* Where a conversation is, as the API names it. */
enum window {
	WINDOW_OPEN,		/* any reply */
	WINDOW_HUMAN_AGENT,	/* a person, with the HUMAN_AGENT tag */
	WINDOW_TEMPLATE_ONLY,	/* WhatsApp: an approved template only */
	WINDOW_CLOSED,		/* nothing */
	WINDOW__MAX
};
extern const char *const window_names[WINDOW__MAX];

/* What is being sent and by whom. */
struct window_send {
	int	 template;	/* a WhatsApp template */
	int	 person;	/* a person (a user, or the API on their
				 * behalf), not a rule or a bot */
};

/* The window of a conversation on a channel of kind ("page",
 * "instagram", "whatsapp") whose person last wrote at last_in_ms (0:
 * never) seen at now_ms; human_agent: the channel may use the tag.
 * An unknown kind is WINDOW_CLOSED. */
enum window	 window_of(const char *kind, long long last_in_ms,
		    long long now_ms, int human_agent);
/* May s go in window w on a channel of kind?  0 (with *tag set to
 * "HUMAN_AGENT" or NULL), or -1 with the reason in words in why. */
int		 window_check(enum window w, const char *kind,
		    const struct window_send *s, const char **tag,
		    char *why, size_t whysz);

#endif
