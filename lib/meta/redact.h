/*
 * redact: take one person out of a raw webhook body.  A delivery may
 * batch entries of many people (and, for Pages, many accounts); only
 * the items naming the person go: a Messenger or Instagram messaging
 * item they sent or received, a WhatsApp contact, message or status of
 * theirs, a feed change they made.  Everything else in the delivery is
 * kept as it was.
 */
#ifndef HG_REDACT_H
#define HG_REDACT_H

#include <stddef.h>

#include "buf.h"

/* Rewrite the n bytes of body (JSON) without the items naming id
 * (a string equal to id, or a number of that value): the smallest
 * array element holding it is removed, and any other value equal to
 * id is emptied.  1 with the new body in out (appended), and the
 * items removed added to *items (may be NULL); 0 when the body does
 * not name id (out untouched); -1 when the body is not JSON or out
 * overflows. */
int	 redact_person(const void *body, size_t n, const char *id,
	    struct buf *out, long long *items);

#endif
