/*
 * db_oauth: what connecting accounts keeps (db_oauth.c): the used
 * Login state nonces, the Facebook/Instagram users who authorized
 * (meta_login), the picker's one-time choices, the channels a Login
 * connects, and what Meta's deauthorize and data deletion callbacks
 * change.  Tokens arrive here sealed (AES-256-GCM, lib/core/crypto)
 * and never leave the database in clear.
 */
#ifndef HG_DB_OAUTH_H
#define HG_DB_OAUTH_H

#include <stddef.h>

#include "buf.h"
#include "db.h"
#include "limits.h"

/* Record a Login state's nonce as used until expires_at, pruning those
 * past now: 1 first use, 0 used before (a replay), -1. */
int	 db_oauth_nonce_use(struct db *, const char *nonce,
	    long long expires_at, long long now);

/* A Login to keep (or renew: one row per workspace, platform, user). */
struct db_meta_login {
	long long	 id;		/* set by db_meta_login_put */
	long long	 workspace_id;
	const char	*platform;	/* "facebook" or "instagram" */
	const char	*meta_user_id;
	const char	*name;
	const struct buf *token_sealed;
	long long	 token_expires_at;
	long long	 data_access_expires_at;
	const char	*scopes, *declined;	/* comma lists */
	long long	 now;
};
/* Insert or update the Login (status back to valid); id set; 0 or -1. */
int	 db_meta_login_put(struct db *, struct db_meta_login *);

/* Keep the picker's sealed payload under id_hash for session_id until
 * expires_at (and prune expired ones at now); 0 or -1. */
int	 db_oauth_pick_add(struct db *, const char *id_hash,
	    const char *session_id, long long user, long long workspace,
	    long long login, const struct buf *sealed, long long expires_at,
	    long long now);
/* Take (and delete) the pick id_hash of session_id that has not
 * expired at now: 1 with workspace, login and the sealed payload
 * appended to sealed; 0 none; -1. */
int	 db_oauth_pick_take(struct db *, const char *id_hash,
	    const char *session_id, long long now, long long *workspace,
	    long long *login, struct buf *sealed);

/* A channel a Login connects. */
struct db_channel_conn {
	long long	 workspace_id;
	const char	*kind;		/* "page", "instagram", "whatsapp" */
	const char	*meta_id;
	const char	*parent_meta_id;	/* or NULL */
	const char	*name;
	const struct buf *token_sealed;
	const char	*token_kind;	/* "page", "instagram_login", ... */
	long long	 token_expires_at;	/* 0: never */
	const char	*subscribed_fields;
	long long	 meta_login_id;	/* 0: none */
	long long	 now;
};
/* Create the channel in c's workspace, or replace its token, name and
 * subscription in place when that workspace has it already (history
 * kept), and route its earlier events to it (db_channel_reroute; *rerouted
 * of them), in one transaction: 1 with *id set; 0 when another
 * workspace has it (nothing changes); -1. */
int	 db_channel_login(struct db *, const struct db_channel_conn *c,
	    long long *id, long long *rerouted);

/* Mark every Login of meta_user_id revoked and erase its token, and
 * mark the channels whose tokens came from them revoked (tokens
 * erased); *logins and *channels (may be NULL) say how many.  In one
 * transaction; 0 or -1. */
int	 db_oauth_revoke(struct db *, const char *meta_user_id,
	    long long now, long long *logins, long long *channels);

/* What an erasure removed. */
struct db_erase {
	long long	 logins;	/* meta_login rows */
	long long	 tokens;	/* channel tokens erased */
	long long	 contacts, conversations, messages;
	long long	 events;	/* raw webhook events naming the id */
};
/* Erase what is held about meta_user_id (a person's app-scoped or
 * messaging id): their Logins and the tokens that came from them
 * (the channels stay, revoked); as a contact, their messages,
 * conversations and contact rows; and the raw webhook events whose
 * body names the id (as a JSON string).  In one transaction, with the
 * status record (code, summary) written in it; 0 or -1. */
int	 db_oauth_erase(struct db *, const char *meta_user_id, long long now,
	    const char *code, struct db_erase *e);
/* The record of deletion code: 1 with *at and the summary copied into
 * summary (cut to summarysz), 0 none, -1. */
int	 db_deletion_find(struct db *, const char *code, long long *at,
	    char *summary, size_t summarysz);
/* The summary, in words, of an erasure, into out. */
void	 db_erase_summary(const struct db_erase *, char *out, size_t outsz);

#endif
