/*
 * signed_request: the form field Meta posts to the deauthorize and data
 * deletion callbacks:
 *
 *   base64url(signature) "." base64url(payload)     (no padding)
 *
 * signature = HMAC-SHA256(app secret, payload segment as received);
 * payload = JSON with "algorithm": "HMAC-SHA256", "user_id",
 * "issued_at", ...  Verified against each secret given (the app's
 * secrets, and the Instagram app's), in constant time, before the
 * payload is parsed.
 */
#ifndef HG_SIGNED_REQUEST_H
#define HG_SIGNED_REQUEST_H

#include <stddef.h>

#include "limits.h"

enum sr_err {
	SR_OK,
	SR_MISSING,		/* empty */
	SR_TOO_LONG,		/* over HG_SIGNED_REQUEST_MAX */
	SR_MALFORMED,		/* not two base64url segments */
	SR_BAD_SIGNATURE,	/* no secret signs it */
	SR_BAD_ALGORITHM,	/* signed, but not HMAC-SHA256 */
	SR_BAD_PAYLOAD,		/* signed, but not JSON with a user_id */
	SR_STALE,		/* issued too long ago, or in the future */
	SR__MAX
};
extern const char *const sr_err_names[SR__MAX];

/* What a verified payload says. */
struct sr_payload {
	char		 user_id[HG_META_ID_MAX + 1];
	long long	 issued_at;	/* 0 when absent */
	size_t		 secret;	/* which secret signed it */
};

/* Verify the n bytes of sr against the nsecrets secrets: SR_OK with p
 * filled, else the first reason found (size, shape, signature,
 * algorithm, payload, in that order). */
enum sr_err	 signed_request_verify(const char *sr, size_t n,
		    const char *const *secrets, size_t nsecrets,
		    struct sr_payload *p);
/* SR_OK when p was issued at most HG_SIGNED_REQUEST_AGE_MAX_S before
 * now and at most HG_SIGNED_REQUEST_SKEW_S after it; else SR_STALE
 * (also when it says nothing of when it was issued). */
enum sr_err	 signed_request_fresh(const struct sr_payload *p,
		    long long now);
/* Build a signed_request for payload (JSON text) with secret into out
 * (the sandbox's fake and tests); 0 or -1 when it does not fit. */
int		 signed_request_make(const char *payload, const char *secret,
		    char *out, size_t outsz);

#endif
