/*
 * token_level: what a token's and a channel's state means for people,
 * computed in one place from the facts Meta gave (debug_token, the
 * subscription read back, errors of normal use) and the clock: the
 * level (ok, notice, warning, critical, invalid), its reason in words,
 * the action to take and a link key for it.  The cron
 * (lib/pipeline/tokens.c), /api/channels, /health and /metrics all
 * call token_level_of.  Also the rules of Meta's refresh windows, the
 * silence threshold, and the subscription fields hubgate needs.  Pure
 * functions: no I/O.
 */
#ifndef HG_TOKEN_LEVEL_H
#define HG_TOKEN_LEVEL_H

#include <stddef.h>

#include <cjson/cJSON.h>

enum token_level {
	TOKEN_OK,
	TOKEN_NOTICE,		/* expires within 30 days */
	TOKEN_WARNING,		/* within 7; data access within 7; a scope
				 * missing; the channel is silent */
	TOKEN_CRITICAL,		/* within 3; the subscription is missing */
	TOKEN_INVALID,		/* Meta says it is dead */
	TOKEN_LEVEL__MAX
};
extern const char *const token_level_names[TOKEN_LEVEL__MAX];

/* What is known of one token (strings may be NULL: none). */
struct token_facts {
	const char	*status;	/* channel.token_status or meta_login.status */
	int		 login;		/* 1: a Login's user token; 0: a channel's */
	int		 renewable;	/* 1: hubgate renews it before expiry
					 * (a Facebook or Instagram Login token) */
	long long	 expires_at;	/* 0: never or unknown */
	long long	 data_access_expires_at;	/* 0: unknown */
	long		 code, subcode;	/* Meta said it is dead: 190, 102, 492 */
	int		 unreadable;	/* the sealed token cannot be opened */
	const char	*missing_scope;	/* a permission a feature needs */
	const char	*missing_fields;	/* "*": no subscription at all */
	long long	 silent_s;	/* silent this long (0: not silent) */
	long long	 silent_limit_s;	/* the usual limit it passed */
	const char	*account_state;	/* WhatsApp: Meta's word for the
					 * account's standing when it threatens
					 * sending (channel.account_state) */
};

/* The level with its reason, the action in words, and a link key
 * (reconnect, resubscribe, grant, none) the pages turn into a link. */
struct token_verdict {
	enum token_level level;
	char		 words[384];
	char		 action[256];
	char		 link[16];
};

/* The verdict of f at unix time now. */
void	 token_level_of(const struct token_facts *f, long long now,
	    struct token_verdict *v);
/* A level's index by name, -1 when unknown. */
int	 token_level_parse(const char *name);
/* Meta's dead-token code and subcode in words ("the password was
 * changed", ...). */
const char *token_subcode_words(long code, long subcode);
/* 1 when code is one of Meta's dead-token codes (190, 102, 492). */
int	 token_code_dead(long code);

/* 1 when a Facebook Login user token expiring at expires_at should be
 * exchanged again at now: not expired and within HG_TOKEN_EXCHANGE_S. */
int	 token_exchange_due(long long expires_at, long long now);
/* An Instagram Login token issued at issued_at (0: unknown) and
 * expiring at expires_at: 1 refresh it now (at least
 * HG_TOKEN_IG_MIN_AGE_S old, not expired, fewer than window_s left),
 * 0 not yet, -1 too late (expired: a new Login is needed). */
int	 token_ig_refresh_due(long long issued_at, long long expires_at,
	    long long now, long long window_s);

/* The silence threshold (seconds) of a channel with events events in
 * the last HG_SILENCE_WINDOW_S, the longest gap between two of them
 * longest_gap_s: the configured hours when > 0, else 3x that gap, at
 * least HG_SILENCE_MIN_S; 0 when it does not usually receive events
 * (fewer than HG_SILENCE_MIN_EVENTS) and nothing is configured. */
long long token_silence_limit(long long events, long long longest_gap_s,
	    long long conf_hours);

/* The comma list of fields subscribed for app_id in a subscribed_apps
 * GET answer (a Page's or an Instagram account's subscribed_fields;
 * a WhatsApp business account: GRAPH_WA_FIELDS when the app is listed
 * under whatsapp_business_api_data) into out; 0 listed, -1 the app is
 * not subscribed at all (out ""). */
int	 token_subscribed_fields(const cJSON *json, const char *app_id,
	    char *out, size_t outsz);
/* The fields of need (comma list) absent from have into out (comma
 * list, "" none). */
void	 token_fields_missing(const char *need, const char *have, char *out,
	    size_t outsz);

#endif
