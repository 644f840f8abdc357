/*
 * signed_post: a JSON POST signed as Standard Webhooks sign them
 * (webhook-id, webhook-timestamp, webhook-signature "v1,<base64 of
 * HMAC-SHA256(key, id.timestamp.body)>"), reading the answer: the bot
 * hook's call (lib/pipeline/bot.c).  https, or http to a loopback
 * address only (graph_url_allowed); TLS verified, redirects never
 * followed, a timeout, the answer capped.  The URL and the secret are
 * never logged.
 */
#ifndef HG_SIGNED_POST_H
#define HG_SIGNED_POST_H

#include <stddef.h>

#include "buf.h"

/* The signing key of a secret: "whsec_<base64>" is decoded (Standard
 * Webhooks' form), any other string is its bytes.  Its length into
 * *len (at most keysz); 0 or -1. */
int	 signed_post_key(const char *secret, unsigned char *key, size_t keysz,
	    size_t *len);
/* The webhook-signature value of body for id and timestamp under key
 * ("v1,..."), into sig; 0 or -1. */
int	 signed_post_sign(const unsigned char *key, size_t keylen,
	    const char *id, long long timestamp, const char *body,
	    char *sig, size_t sigsz);
/* POST body to url signed with secret as message id at timestamp,
 * waiting at most timeout_ms: 0 with the HTTP status in *status and
 * the answer's body (at most HG_BOT_ANSWER_MAX bytes) in answer, or
 * -1 with the reason in err (no answer, one too big, or a URL that
 * urlsafe_check refuses: private, link-local or metadata addresses,
 * loopback unless allow_loopback, checked when connecting and the
 * address pinned, no proxy). */
int	 signed_post(const char *url, int allow_loopback, const char *secret,
	    const char *id, long long timestamp, const char *body,
	    long timeout_ms, long *status, struct buf *answer, char *err,
	    size_t errsz);

#endif
