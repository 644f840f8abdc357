/*
 * tokens: checks every token and subscription that is due, repairs
 * what can be repaired, pauses the sends of a channel whose token is
 * dead, flags silent channels, and tells people when a level changes
 * (cron/token-refresh, POST /api/channels/ID/check).
 *
 * A run takes the due tokens HG_TOKEN_BATCH at a time (Logins first,
 * so that the Pages' tokens they re-derive are checked in the same
 * run) and hands each batch to a pool of threads, each with its own
 * Graph clients (at most token_check_parallel calls in flight).  Per
 * token: debug_token -> valid, expiry, data access, scopes for this
 * object (an Instagram Login token: GET /me on Instagram's host, its
 * expiry and age as stored when hubgate got it); repairs
 * (fb_exchange_token within HG_TOKEN_EXCHANGE_S and the Pages' tokens
 * re-derived from /me/accounts; Instagram's refresh_access_token in
 * Meta's window); each channel's subscription read back and restored
 * when a needed field is missing.  The threads only call Meta; the
 * database is written by the caller's thread between batches, each
 * batch in one transaction.  Usage headers at HG_TOKEN_USAGE_SLOW_PCT
 * slow the run down; a throttled answer stops it (the rest stays due
 * for the next run).  Every attempt goes to token_log, never a token.
 * A dry run writes nothing (it looks at the tokens earlier runs have
 * seeded) and says what it would do on report.  token_log lines older
 * than HG_TOKEN_LOG_KEEP_S are pruned at the end of a full run.
 */
#ifndef HG_TOKENS_H
#define HG_TOKENS_H

#include <stdio.h>

#include "token_level.h"

struct conf;
struct db;
struct db_token_state;

struct tokens_opts {
	int		 dry_run;	/* say what would be done, change nothing */
	long long	 channel;	/* > 0: this channel only, due or not */
	long long	 budget_ms;	/* take no new batch after this */
	int		 alerts;	/* 1: send e-mails and webhook posts */
	FILE		*report;	/* dry run: what would be done, or NULL */
};

struct tokens_stats {
	long long	 checked;	/* tokens Meta answered about */
	long long	 refreshed;	/* tokens renewed (and Page tokens re-derived) */
	long long	 resubscribed;
	long long	 invalid;	/* found dead this run */
	long long	 failed;	/* checks that did not reach Meta */
	long long	 paused;	/* channels whose sends were paused */
	long long	 silent;	/* channels flagged silent */
	long long	 alerts;	/* level changes told */
	long long	 would;		/* dry run: repairs that would be made */
	long long	 pruned;	/* token_log lines older than HG_TOKEN_LOG_KEEP_S */
	int		 throttled;	/* stopped early: Meta throttled */
	int		 out_of_time;	/* stopped early: the budget was spent */
	int		 slowed;	/* usage was near its limit */
};

/* One run; 0, or -1 on a configuration or database error (err says
 * which).  Problems found are not errors: they are in st. */
int	 tokens_run(const struct conf *, struct db *,
	    const struct tokens_opts *, struct tokens_stats *st, char *err,
	    size_t errsz);

/* The facts token_level_of judges, from a stored state at now (the
 * silence measured to now); strings borrowed from s. */
void	 tokens_facts_of(const struct db_token_state *s, long long now,
	    struct token_facts *f);

/* The verdict on channel's token (of workspace, or any when 0) at now:
 * from its checks' facts, or, before any check, from status and
 * expires_at as stored; *checked_at the last check (0: none).  0 or
 * -1. */
int	 tokens_verdict(struct db *, long long workspace, long long channel,
	    const char *status, long long expires_at, long long now,
	    struct token_verdict *v, long long *checked_at);
/* How many tokens (of workspace, or all when 0) are at each level now,
 * and the soonest expiry of a token not yet expired (0: none); 0 or
 * -1. */
int	 tokens_count(struct db *, long long workspace, long long now,
	    long long n[TOKEN_LEVEL__MAX], long long *soonest);

#endif
