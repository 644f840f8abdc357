/*
 * db_token: what the token checks keep (schema.sql, migration 17):
 * token_check (the facts Meta last gave about each token, when it is
 * due, its level and what people were told) and token_log (every check
 * and repair, never a token); the channel and Login tokens a repair
 * replaces; the traffic a silence threshold is learned from.
 */
#ifndef HG_DB_TOKEN_H
#define HG_DB_TOKEN_H

#include <stddef.h>

#include "buf.h"
#include "db.h"
#include "limits.h"

/* A token due for a check: copies (the sealed token in sealed). */
struct db_token_job {
	char		 subject[8];	/* channel, login */
	long long	 id, workspace;
	char		 kind[16];	/* channel: page instagram whatsapp;
					 * login: facebook instagram */
	char		 meta_id[HG_META_ID_MAX + 1];	/* the channel's, or the Login's user id */
	char		 parent_meta_id[HG_META_ID_MAX + 1];	/* "" none */
	char		 token_kind[32];	/* page instagram_login system_user; login: user */
	char		 status[16];
	long long	 expires_at;	/* as stored with the token; 0 never */
	long long	 login_id;	/* the channel's Login; 0 none */
	char		 login_platform[16];	/* its platform; "" none */
	char		 login_user[HG_META_ID_MAX + 1];	/* its meta_user_id */
	long long	 last_event_at;	/* channels; 0 none */
	struct buf	 sealed;
	/* The last check's facts. */
	long long	 issued_at, checked_at;
	long		 failures;
};
/* Make a due token_check row for every channel with a token and every
 * Facebook Login with one that has none yet; 0 or -1. */
int	 db_token_seed(struct db *, long long now);
/* Up to max due tokens (next_check_at <= now; Logins first), after
 * skipping skip of them (a dry run, which changes no schedule, pages
 * through them), or the one channel only when channel > 0 (due or
 * not), into jobs (each sealed buffer initialized here; free with
 * db_token_jobs_free); *n how many.  0 or -1. */
int	 db_token_due(struct db *, long long now, long long channel,
	    size_t skip, struct db_token_job *jobs, size_t max, size_t *n);
void	 db_token_jobs_free(struct db_token_job *, size_t n);

/* The facts of a check to keep (every string may be NULL: ""). */
struct db_token_facts {
	long long	 next_check_at;
	int		 reached;	/* Meta answered: checked_at = now,
					 * failures = 0; else failures + 1 */
	long		 code, subcode;
	long long	 expires_at, data_access_expires_at, issued_at;
	const char	*missing_scope, *missing_fields;
	int		 unreadable;
};
/* Store f for token (subject, id) at now; 0 or -1. */
int	 db_token_facts_set(struct db *, const char *subject, long long id,
	    const struct db_token_facts *f, long long now);
/* Make the token (subject, id) due at once (a check asked for now). */
int	 db_token_due_now(struct db *, const char *subject, long long id);

/* One token_log line. */
struct db_token_log {
	const char	*subject;
	long long	 id, workspace;
	const char	*what, *result;
	long		 code, subcode;
	const char	*fbtrace_id;	/* NULL none */
	long long	 old_expires_at, new_expires_at;	/* -1: NULL */
	const char	*detail;
};
int	 db_token_log_add(struct db *, const struct db_token_log *,
	    long long now);
/* Delete at most limit token_log lines written before before, oldest
 * first; *deleted how many.  0 or -1. */
int	 db_token_log_prune(struct db *, long long before, int limit,
	    long long *deleted);

/* A repair's new token: channel id's (status valid, its sends resume)
 * or Login id's, sealed, with its expiry (0 never); 1 done, 0 no such
 * row, -1. */
int	 db_token_channel_set(struct db *, long long id, const void *sealed,
	    size_t len, long long expires_at, long long now);
int	 db_token_login_set(struct db *, long long id, const void *sealed,
	    size_t len, long long expires_at, long long now);
/* Channel id's token, paused as invalid by a failure in use, was found
 * valid by Meta: its sends resume.  1 resumed, 0 it was not paused,
 * -1. */
int	 db_token_resume(struct db *, long long id, long long now);
/* The subscribed fields Meta listed for channel id; 0 or -1. */
int	 db_token_fields_set(struct db *, long long id, const char *fields,
	    long long now);

/* The channels whose token came from Login login (id, kind, meta_id,
 * parent_meta_id), for re-deriving Page tokens; fn per channel. */
int	 db_token_login_channels(struct db *, long long login,
	    void (*fn)(void *, long long id, const char *kind,
	    const char *meta_id, const char *parent), void *arg);

/* A token's state as levels are computed from it (strings borrowed for
 * the callback). */
struct db_token_state {
	const char	*subject;
	long long	 id, workspace;
	const char	*name, *kind, *status, *token_kind;
	long long	 expires_at;	/* the checked expiry, else the stored one */
	long long	 data_access_expires_at, checked_at;
	long		 code, subcode;
	const char	*missing_scope, *missing_fields;
	int		 unreadable;
	long long	 silent_since, silent_limit_s;	/* 0: not silent */
	const char	*level, *alerted_level;	/* alerted: "" never */
	long long	 level_since, last_alert_at;
};
/* Every token_check row (of workspace, or all when 0; of channel id
 * only when channel > 0), channels' joined with their channel and
 * Logins' with their Login; 0 or -1. */
int	 db_token_states(struct db *, long long workspace, long long channel,
	    void (*fn)(void *, const struct db_token_state *), void *arg);
/* Keep the level computed (level_since moves when it changed). */
int	 db_token_level_set(struct db *, const char *subject, long long id,
	    const char *level, long long now);
/* People were told of level at now. */
int	 db_token_alerted(struct db *, const char *subject, long long id,
	    const char *level, long long now);

/* The events of channel received since since_ms: how many, and the
 * longest gap (ms) between two of them; 0 or -1. */
int	 db_token_traffic(struct db *, long long channel, long long since_ms,
	    long long *events, long long *longest_gap_ms);
/* Channels with their last event (id, last_event_at; 0 none), for the
 * silence pass; fn per channel with a token. */
int	 db_token_channels_events(struct db *,
	    void (*fn)(void *, long long id, long long last_event_at),
	    void *arg);
/* Flag channel id silent since since with the limit it passed, or
 * clear the flag (since 0). */
int	 db_token_silent_set(struct db *, long long id, long long since,
	    long long limit_s);

#endif
