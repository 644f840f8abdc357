/*
 * oauth_state: the state parameter of a Login, which comes back from
 * Meta's dialog and proves the callback answers a Login this browser
 * started, recently, and once.
 *
 * Format (ASCII, no character that needs URL encoding):
 *
 *   <nonce>.<issued_at>.<platform>.<session>.<mac>
 *
 * nonce: 16 random bytes, base64url (22 characters); issued_at: unix
 * seconds; platform: "facebook", "instagram" or "whatsapp" (Embedded
 * Signup); session: the first 16
 * hex digits of SHA-256 over the session's id (session.id, itself a
 * hash of the cookie), so the state names no usable secret; mac:
 * base64url HMAC-SHA256 keyed with state_secret over everything before
 * it (the four fields joined by '.').  The nonce is single use: the
 * caller records it (db_oauth_nonce_use) after a good check.
 */
#ifndef HG_OAUTH_STATE_H
#define HG_OAUTH_STATE_H

#include <stddef.h>

#include "limits.h"

#define OAUTH_NONCE_CHARS	22

/* Why a state was refused. */
enum oauth_state_err {
	OAUTH_STATE_OK,
	OAUTH_STATE_MISSING,		/* none given */
	OAUTH_STATE_MALFORMED,		/* not of the format */
	OAUTH_STATE_TAMPERED,		/* the MAC does not match */
	OAUTH_STATE_OTHER_SESSION,	/* made for another session */
	OAUTH_STATE_EXPIRED,		/* older than the lifetime */
	OAUTH_STATE_REPLAYED,		/* its nonce was used (the caller's
					 * check) */
	OAUTH_STATE__MAX
};
extern const char *const oauth_state_err_names[OAUTH_STATE__MAX];

/* Make a state for session_id (hex) and platform at now into out
 * (HG_OAUTH_STATE_MAX + 1 bytes); 0 or -1 (no secret, no randomness,
 * an unknown platform). */
int	 oauth_state_make(const char *secret, const char *session_id,
	    const char *platform, long long now, char *out, size_t outsz);
/* Check state for session_id at now, valid for ttl seconds (and not
 * more than a minute in the future): OAUTH_STATE_OK with its nonce and
 * platform copied out (nonce: OAUTH_NONCE_CHARS + 1 bytes, platform:
 * 16), else the reason.  The MAC is compared in constant time and
 * checked before anything else the state says is believed. */
enum oauth_state_err oauth_state_check(const char *secret, const char *state,
	    const char *session_id, long long now, long long ttl,
	    char *nonce, char *platform);

#endif
