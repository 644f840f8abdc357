/*
 * password: hashing and checking people's passwords with scrypt.
 *
 * A stored hash describes itself: "scrypt$N$r$p$SALT$HASH", N, r and p
 * in decimal, a 16-byte random salt and a 32-byte derived key, both
 * base64url.  So the cost can be raised later: password_needs_upgrade
 * says when a hash was made with less than the current cost, and the
 * sign-in that verified it stores a fresh one.  Verification compares
 * in constant time, and password_verify_dummy costs what a real
 * verification costs, for sign-ins naming nobody.
 */
#ifndef HG_PASSWORD_H
#define HG_PASSWORD_H

#include <stddef.h>

#include "limits.h"

/* The scrypt cost of new hashes. */
struct password_cost {
	unsigned long long	 N;	/* CPU and memory: a power of two */
	unsigned long		 r;	/* block size */
	unsigned long		 p;	/* parallelism */
};

/* The cost new hashes get: 2^15, 8, 1 (32 MiB, RFC 7914's interactive
 * figure) unless password_set_cost changed it. */
void		 password_get_cost(struct password_cost *);
/* Set the cost of new hashes, before any thread hashes (tests lower
 * it); 0, or -1 when out of range (N not a power of two above 1, or
 * beyond HG_SCRYPT_*_MAX). */
int		 password_set_cost(const struct password_cost *);

/* Why a new password is refused, in words for the person choosing it;
 * NULL when it is acceptable: at least HG_PASSWORD_MIN characters, at
 * most HG_PASSWORD_MAX bytes, not one of the most common passwords, not
 * one character repeated, not the e-mail address (email may be NULL). */
const char	*password_weak(const char *pw, const char *email);
/* 1 when pw is on the embedded list of common passwords (compared
 * without case), else 0. */
int		 password_common(const char *pw);

/* Hash pw with a fresh salt at the current cost into out (at least
 * HG_PASSWORD_HASH_MAX bytes); 0 or -1. */
int		 password_hash(const char *pw, char *out, size_t outsz);
/* 1 when pw matches the stored hash, 0 when not (or when stored is not
 * a hash this module made), -1 when it could not be computed. */
int		 password_verify(const char *pw, const char *stored);
/* Spend what password_verify spends, for an account that does not
 * exist: its result is always "no match". */
void		 password_verify_dummy(const char *pw);
/* 1 when stored was made with a cost below the current one in any
 * parameter (or cannot be read), else 0. */
int		 password_needs_upgrade(const char *stored);

#endif
