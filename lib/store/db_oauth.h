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

/* Mark every Login of meta_user_id on platform ("facebook" or
 * "instagram": whose app removed hubgate) revoked and erase its token,
 * and mark the channels whose tokens came from them revoked (tokens
 * erased); *logins and *channels (may be NULL) say how many.  In one
 * transaction; 0 or -1. */
int	 db_oauth_revoke(struct db *, const char *meta_user_id,
	    const char *platform,
	    long long now, long long *logins, long long *channels);

/* What an erasure removed. */
struct db_erase {
	long long	 logins;	/* meta_login rows */
	long long	 tokens;	/* channel tokens erased */
	long long	 contacts, conversations, messages;
	long long	 events;	/* raw webhook events the person was taken out of */
	long long	 items;		/* entries about the person removed from them */
	long long	 busy;		/* raw events left: a worker held them */
};
/* Erase meta_user_id's Logins and the tokens that came from them (the
 * channels stay, revoked), counted into e; one short transaction; 0
 * or -1. */
int	 db_erase_logins(struct db *, const char *meta_user_id, long long now,
	    struct db_erase *e);
/* Erase meta_user_id as a contact of channel_id (0: of every channel):
 * their messages, conversations and contact rows, counted into e; one
 * short transaction; 0 or -1. */
int	 db_erase_contact(struct db *, const char *meta_user_id,
	    long long channel_id, struct db_erase *e);
/* The newest raw event's id (0 when none) into *max; 0 or -1. */
int	 db_erase_max_id(struct db *, long long *max);
/* The ids of raw events in (after, upto] whose body holds needle (and
 * routed to channel_id, unless 0), in order, at most max of them, into
 * ids (*n of them): one read, never a write lock; keep upto - after
 * small (HG_ERASE_SCAN_IDS).  0 or -1. */
int	 db_erase_scan(struct db *, long long after, long long upto,
	    const char *needle, long long channel_id, long long *ids,
	    size_t max, size_t *n);
/* Rewrite a raw event's body: 1 with the new body in out, 0 to leave
 * it, -1 error. */
typedef int (*db_rewrite_fn)(void *arg, const void *body, size_t n,
	    struct buf *out);
/* Rewrite the bodies of the n raw events ids with fn, in one write
 * transaction (keep n small: HG_ERASE_CHUNK).  An event a worker is
 * processing is left and counted in *busy; those changed are counted
 * in *changed.  0, or -1 with nothing changed. */
int	 db_erase_events(struct db *, const long long *ids, size_t n,
	    db_rewrite_fn fn, void *arg, long long *changed, long long *busy);
/* Record a data deletion asked by the signed_request whose hex SHA-256
 * is request_sha256, under code, as running: 1 recorded (code copied
 * into have), 0 that request was handled already (its code copied into
 * have), -1. */
int	 db_deletion_claim(struct db *, const char *request_sha256,
	    const char *code, long long now, char *have, size_t havesz);
/* Mark deletion code done at now, with what was erased, in words;
 * 0 or -1. */
int	 db_deletion_done(struct db *, const char *code, const char *summary,
	    long long now);
/* The record of deletion code: 1 with *at, the summary copied into
 * summary (cut to summarysz) and *done (0 while it runs), 0 none, -1. */
int	 db_deletion_find(struct db *, const char *code, long long *at,
	    char *summary, size_t summarysz, int *done);
/* The summary, in words, of an erasure, into out. */
void	 db_erase_summary(const struct db_erase *, char *out, size_t outsz);

#endif
