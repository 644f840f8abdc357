/*
 * alert: tell people that something needs them, by the means the
 * configuration names: an e-mail through the local sendmail
 * (alert_email: the address; sendmail_path: the program, run as
 * "sendmail -t -i" with the message on its standard input) and a JSON
 * POST {"text": ...} to alert_webhook (Slack and Mattermost incoming
 * webhooks take it).  Neither configured: nothing is sent.  The text
 * must not hold a token or personal data.
 */
#ifndef HG_ALERT_H
#define HG_ALERT_H

#include <stddef.h>

struct conf;

/* Send subject and text by every configured means; the number sent
 * (0 when none is configured), or -1 when one failed (err says which;
 * the others were still tried). */
int	 alert_send(const struct conf *, const char *subject,
	    const char *text, char *err, size_t errsz);

#endif
