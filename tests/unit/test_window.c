/*
 * Meta's messaging windows (lib/meta/window.c) at every boundary.
 */
#include "test.h"

#include "window.h"

#define MIN	(60LL * 1000)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)

static const long long now = 1800000000000LL;

/* The window and the verdict for a send. */
static int
may(const char *kind, long long age, int ha, int tmpl, int person,
    const char **tag)
{
	struct window_send	 s = { tmpl, person };
	char			 why[256];

	return window_check(window_of(kind, now - age, now, ha), kind, &s,
	    tag, why, sizeof(why));
}

int
main(void)
{
	const char	*tag;
	char		 why[256];
	struct window_send s = { 0, 0 };

	/* Messenger and Instagram. */
	EQ_STR(window_names[window_of("page", now - 23 * HOUR - 59 * MIN, now,
	    1)], "open", "Messenger at 23:59 h: open");
	EQ_STR(window_names[window_of("page", now - DAY, now, 1)],
	    "human_agent", "Messenger at 24 h: human_agent");
	EQ_STR(window_names[window_of("page", now - 6 * DAY - 23 * HOUR, now,
	    1)], "human_agent", "Messenger at 6 d 23 h: human_agent");
	EQ_STR(window_names[window_of("page", now - 7 * DAY, now, 1)],
	    "closed", "Messenger at 7 d: closed");
	EQ_STR(window_names[window_of("instagram", now - 7 * DAY + 1, now,
	    1)], "human_agent", "Instagram 1 ms before 7 d: human_agent");
	EQ_STR(window_names[window_of("page", now - DAY, now, 0)], "closed",
	    "Messenger at 24 h without the HUMAN_AGENT setting: closed");
	EQ_STR(window_names[window_of("page", 0, now, 1)], "closed",
	    "Messenger, the person never wrote: closed");
	EQ_STR(window_names[window_of("page", now - DAY + 1, now, 1)], "open",
	    "Messenger 1 ms before 24 h: open");
	/* WhatsApp. */
	EQ_STR(window_names[window_of("whatsapp", now - 23 * HOUR - 59 * MIN,
	    now, 1)], "open", "WhatsApp at 23:59 h: open");
	EQ_STR(window_names[window_of("whatsapp", now - DAY, now, 1)],
	    "template_only", "WhatsApp at 24 h: template_only");
	EQ_STR(window_names[window_of("whatsapp", now - 6 * DAY - 23 * HOUR,
	    now, 1)], "template_only", "WhatsApp at 6 d 23 h: template_only");
	EQ_STR(window_names[window_of("whatsapp", now - 7 * DAY, now, 1)],
	    "template_only", "WhatsApp at 7 d: template_only");
	EQ_STR(window_names[window_of("whatsapp", 0, now, 1)],
	    "template_only", "WhatsApp, never wrote: template_only");
	EQ_STR(window_names[window_of("fax", now, now, 1)], "closed",
	    "an unknown platform: closed");

	/* What may go. */
	EQ_INT(may("page", 23 * HOUR + 59 * MIN, 1, 0, 0, &tag), 0,
	    "Messenger inside 24 h: automation may reply");
	OK(tag == NULL, "... without a tag");
	EQ_INT(may("page", DAY, 1, 0, 1, &tag), 0,
	    "Messenger at 24 h: a person may reply");
	EQ_STR(tag, "HUMAN_AGENT", "... with the HUMAN_AGENT tag");
	EQ_INT(may("instagram", 6 * DAY + 23 * HOUR, 1, 0, 1, &tag), 0,
	    "Instagram at 6 d 23 h: a person may reply");
	EQ_STR(tag, "HUMAN_AGENT", "... with the HUMAN_AGENT tag");
	EQ_INT(may("page", DAY, 1, 0, 0, &tag), -1,
	    "Messenger at 24 h: automation may not");
	EQ_INT(may("page", 7 * DAY, 1, 0, 1, &tag), -1,
	    "Messenger at 7 d: nobody may");
	EQ_INT(may("whatsapp", 23 * HOUR + 59 * MIN, 1, 0, 0, &tag), 0,
	    "WhatsApp at 23:59 h: free text");
	EQ_INT(may("whatsapp", DAY, 1, 0, 1, &tag), -1,
	    "WhatsApp at 24 h: no free text, even from a person");
	EQ_INT(may("whatsapp", DAY, 1, 1, 0, &tag), 0,
	    "WhatsApp at 24 h: a template");
	EQ_INT(may("whatsapp", 7 * DAY, 1, 1, 1, &tag), 0,
	    "WhatsApp at 7 d: a template");
	EQ_INT(may("whatsapp", HOUR, 1, 1, 1, &tag), 0,
	    "WhatsApp inside 24 h: a template too");
	EQ_INT(may("page", HOUR, 1, 1, 1, &tag), -1,
	    "Messenger: no WhatsApp templates");
	/* The reasons are words. */
	EQ_INT(window_check(WINDOW_TEMPLATE_ONLY, "whatsapp", &s, &tag, why,
	    sizeof(why)), -1, "template_only refuses text");
	OK(strstr(why, "24 hours") != NULL && strstr(why, "template") != NULL,
	    "... saying 24 hours and template");
	EQ_INT(window_check(WINDOW_CLOSED, "page", &s, &tag, why, sizeof(why)),
	    -1, "closed refuses");
	OK(strstr(why, "7 days") != NULL, "... saying 7 days");
	EQ_INT(window_check(WINDOW_HUMAN_AGENT, "page", &s, &tag, why,
	    sizeof(why)), -1, "human_agent refuses automation");
	OK(strstr(why, "person") != NULL, "... saying only a person");
	return test_done();
}
