/*
 * mask: personal data shortened for log lines and the audit log's free
 * text: an e-mail keeps its first letter and its domain, a phone number
 * its last four digits.
 */
#ifndef HG_MASK_H
#define HG_MASK_H

#include <stddef.h>

/* "ana@example.org" -> "a***@example.org"; without an '@', "***".
 * Always NUL-terminates out (cut to outsz - 1 bytes). */
void	 mask_email(const char *email, char *out, size_t outsz);
/* "+351 912 345 678" -> "***5678"; fewer than 4 digits: "***". */
void	 mask_phone(const char *phone, char *out, size_t outsz);

#endif
