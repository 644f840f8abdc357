/*
 * rules: what a rule means, as pure functions (no I/O but reading a
 * time zone's file): validating a rule's JSON, matching it against a
 * message, business hours, escalation phrases, placeholders in
 * replies, the typical wait.  lib/pipeline/automation.c runs them on
 * stored messages; POST /api/rules/test runs them on a typed one.
 *
 * A rule is {"name", "enabled"?, "channels": [ids]?, "when": {...},
 * "then": [actions]}.  Every condition of "when" must hold:
 *   keywords [..] + match "any"|"all": whole words or phrases of the
 *       text, without regard to case or accents ("Café" is "cafe");
 *   pattern: a POSIX extended regular expression, case-insensitive;
 *       its groups are {match.1}.. in the rule's replies and params;
 *   payload: a quick-reply or postback payload, exactly;
 *   first_message: true: the contact's first message ever;
 *   outside_hours: true: outside the workspace's business hours;
 *   kind: the message's kind (text, image, location, story_mention,
 *       reaction, referral, ...), ad_id with it: a referral's ad;
 *   no_reply_minutes: N: the message is the conversation's last and
 *       nothing answered it for N minutes (a later pass, not on
 *       arrival: rules_msg.waited_ms).
 * Actions (each an object of one key): reply {text, quick_replies?} |
 * reply {template} | reply {text, buttons} | reply {generic} (rich.h),
 * tag "name", assign user-id | assign {"group": id or name}, escalate
 * {reason?}, close {}, bot {params?}, stop {}.
 */
#ifndef HG_RULES_H
#define HG_RULES_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* A message as the rules see it (borrowed). */
struct rules_msg {
	const char	*text;		/* NULL: none */
	const char	*payload;	/* NULL: none */
	const char	*kind;		/* message.kind */
	const char	*ad_id;		/* a referral's ad id, or NULL */
	int		 first_message;	/* the contact's first */
	long long	 channel_id;
	long long	 at_ms;		/* when it was sent */
	long long	 waited_ms;	/* unanswered that long (0: on
					 * arrival) */
};

/* The captured groups of a pattern ({match.1} to {match.9}). */
#define RULES_GROUPS	10
struct rules_groups {
	char		*g[RULES_GROUPS];	/* owned; NULL: none */
};
void	 rules_groups_free(struct rules_groups *);

/* 0 when rule is a well-formed rule, else -1 with why in words
 * (naming the field). */
int	 rules_validate(const cJSON *rule, char *why, size_t whysz);
/* 0 when hours is well-formed business hours {"tz", "week": {"mon":
 * [["09:00","17:00"], ...], ...}, "holidays": ["YYYY-MM-DD"]}, else -1
 * with why. */
int	 rules_hours_validate(const cJSON *hours, char *why, size_t whysz);
/* 1 when rule's "when" holds for m (hours: the workspace's, may be
 * NULL: never outside hours), 0 when not, -1 when the rule is
 * malformed; the pattern's groups into g (may be NULL; freed by the
 * caller either way).  Channels and "enabled" are not looked at. */
int	 rules_match(const cJSON *rule, const struct rules_msg *m,
	    const cJSON *hours, struct rules_groups *g);
/* 1 when rule is limited to channels that exclude channel, else 0. */
int	 rules_channel_excluded(const cJSON *rule, long long channel);
/* 1 when at_ms is outside hours (a holiday, or no interval of that
 * local weekday holds it), 0 inside, -1 when hours is malformed or its
 * zone unknown. */
int	 rules_outside_hours(const cJSON *hours, long long at_ms);

/* When the business opens next after at_ms, in its local time, as
 * words ("Monday 09:00") into out: 1, 0 when it never opens in the
 * next 8 days, -1 when hours is malformed.  The offset at at_ms holds
 * for the whole search (a DST change in between shifts it by an
 * hour at most). */
int	 rules_next_open(const cJSON *hours, long long at_ms, char *out,
	    size_t outsz);

/* text lowercased, accents taken off (Latin letters), every run of
 * other than letters and digits one space, with a space before and
 * after: " cafe creme ".  NULL when out of memory. */
char	*rules_fold(const char *text);
/* 1 when the folded phrase (words) occurs in the folded text as whole
 * words, else 0. */
int	 rules_has_phrase(const char *folded_text, const char *phrase);
/* The first phrase of phrases (an array, or an object of arrays per
 * language) found in text, or NULL. */
const char *rules_phrase_hit(const cJSON *phrases, const char *text);
/* The default escalation phrases (English), NULL-terminated. */
extern const char *const rules_default_phrases[];

/* A value for a placeholder's key ("contact.first_name"), or NULL. */
typedef const char *(*rules_lookup)(void *arg, const char *key);
/* tmpl with every {key} or {key|default} replaced by lookup's value,
 * else the default, else nothing (then the spaces left around it are
 * tidied); {match.N} from g (may be NULL).  A '{' without a closing
 * '}' stays.  Allocated; NULL when out of memory. */
char	*rules_fill(const char *tmpl, rules_lookup lookup, void *arg,
	    const struct rules_groups *g);

/* The median of n waits (ms), sorting w in place; 0 when n is 0. */
long long rules_median(long long *w, size_t n);

#endif
