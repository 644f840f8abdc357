/*
 * mask: personal data shortened for logs.  See mask.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "mask.h"

void
mask_email(const char *email, char *out, size_t outsz)
{
	const char *at = email != NULL ? strrchr(email, '@') : NULL;

	if (outsz == 0)
		return;
	if (at == NULL || at == email || (*email & 0x80))
		snprintf(out, outsz, "***%s", at != NULL ? at : "");
	else
		snprintf(out, outsz, "%c***%s", *email, at);
}

void
mask_phone(const char *phone, char *out, size_t outsz)
{
	char	 last[5];
	size_t	 n = 0, i;

	if (outsz == 0)
		return;
	for (i = phone != NULL ? strlen(phone) : 0; i > 0 && n < 4; i--)
		if (isdigit((unsigned char)phone[i - 1]))
			last[3 - n++] = phone[i - 1];
	if (n < 4) {
		snprintf(out, outsz, "***");
		return;
	}
	last[4] = '\0';
	snprintf(out, outsz, "***%s", last);
}
