/*
 * window: Meta's messaging windows.  See window.h.
 */
#include <stdio.h>
#include <string.h>

#include "window.h"

const char *const window_names[WINDOW__MAX] = {
	[WINDOW_OPEN] = "open",
	[WINDOW_HUMAN_AGENT] = "human_agent",
	[WINDOW_TEMPLATE_ONLY] = "template_only",
	[WINDOW_CLOSED] = "closed",
};

enum window
window_of(const char *kind, long long last_in_ms, long long now_ms,
    int human_agent)
{
	long long	 age = now_ms - last_in_ms;
	int		 wa = kind != NULL && strcmp(kind, "whatsapp") == 0;

	if (kind == NULL || (!wa && strcmp(kind, "page") != 0 &&
	    strcmp(kind, "instagram") != 0))
		return WINDOW_CLOSED;
	if (last_in_ms > 0 && age < WINDOW_OPEN_MS)
		return WINDOW_OPEN;
	if (wa)
		return WINDOW_TEMPLATE_ONLY;
	if (last_in_ms > 0 && human_agent && age < WINDOW_HUMAN_AGENT_MS)
		return WINDOW_HUMAN_AGENT;
	return WINDOW_CLOSED;
}

int
window_check(enum window w, const char *kind, const struct window_send *s,
    const char **tag, char *why, size_t whysz)
{
	int wa = kind != NULL && strcmp(kind, "whatsapp") == 0;

	*tag = NULL;
	if (s->template && !wa) {
		snprintf(why, whysz, "templates are sent on WhatsApp only");
		return -1;
	}
	switch (w) {
	case WINDOW_OPEN:
		return 0;
	case WINDOW_TEMPLATE_ONLY:
		if (s->template)
			return 0;
		snprintf(why, whysz, "more than 24 hours have passed since the "
		    "person's last message: WhatsApp allows only an approved "
		    "template now");
		return -1;
	case WINDOW_HUMAN_AGENT:
		if (!s->person) {
			snprintf(why, whysz, "more than 24 hours have passed "
			    "since the person's last message: only a person may "
			    "answer now (HUMAN_AGENT), not automation");
			return -1;
		}
		*tag = "HUMAN_AGENT";
		return 0;
	default:
		if (wa)
			snprintf(why, whysz, "the conversation is closed for "
			    "sending");
		else
			snprintf(why, whysz, "the person has not written in the "
			    "last 7 days (or this channel may not use the "
			    "HUMAN_AGENT tag beyond 24 hours): Meta allows no "
			    "message now");
		return -1;
	}
}
