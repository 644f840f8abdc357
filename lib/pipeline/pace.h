/*
 * pace: the outbound queue's pacing and failure handling as pure
 * objects driven by the caller's clock (milliseconds), so tests run
 * them with a test clock:
 *
 *   - a token bucket per channel (WhatsApp 80 messages/s by default,
 *     configurable up to 1,000; Messenger and Instagram 300 calls/s);
 *   - per WhatsApp (number, person) pair, a minimum spacing between
 *     messages (6 s);
 *   - a circuit breaker per channel: closed -> open when most of the
 *     recent calls failed with retryable errors -> half-open after a
 *     cool-down, letting one call through -> closed on its success,
 *     open again on its failure;
 *   - what the queue does with a classified answer (pace_action).
 *
 * Nothing here locks: each object belongs to one worker thread.
 */
#ifndef HG_PACE_H
#define HG_PACE_H

#include "graph_error.h"

#define PACE_WA_RATE_DEFAULT	80	/* messages/s per WhatsApp number */
#define PACE_WA_RATE_MAX	1000	/* after Meta's automatic upgrade */
#define PACE_MSG_RATE		300	/* Send API calls/s per Page or account */
#define PACE_PAIR_SPACING_MS	6000	/* WhatsApp: one message per 6 s per person */
#define PACE_BREAKER_WINDOW	10	/* recent calls the breaker looks at */
#define PACE_BREAKER_MIN	5	/* calls before it may open */
#define PACE_BREAKER_COOL_MS	30000	/* open this long, then one try */
#define PACE_BREAKER_COOL_MAX_MS 600000	/* doubling cool-down's cap */
#define PACE_PAIRS_MAX		65536	/* pairs waiting at once, per worker */
#define PACE_PAIRS_MIN		1024	/* the table's first size (a power of two) */

struct pace_bucket {
	double		 rate;		/* tokens per second */
	double		 burst;		/* most tokens held */
	double		 tokens;
	long long	 at_ms;		/* when tokens was computed */
	long long	 blocked_until_ms; /* throttled by Meta until then */
};
/* A full bucket of rate per second (burst: rate, at least 1). */
void		 pace_bucket_init(struct pace_bucket *, double rate,
		    long long now_ms);
/* Take a token: 0 when one was taken, else the milliseconds until one
 * may be (nothing taken). */
long long	 pace_bucket_take(struct pace_bucket *, long long now_ms);
/* Meta said wait: no token until until_ms. */
void		 pace_bucket_block(struct pace_bucket *, long long until_ms);
/* How many tokens may be taken at now_ms (none taken). */
int		 pace_bucket_room(struct pace_bucket *, long long now_ms);
/* A bucket of rate per second holding at most burst (at least 1),
 * full. */
void		 pace_bucket_init_burst(struct pace_bucket *, double rate,
		    double burst, long long now_ms);

/*
 * A sliding window: at most rate sends in any span_ms (a token
 * bucket lets a burst and the refill land in the same second; this
 * does not).  The times of the last rate sends are kept.
 */
#define PACE_WINDOW_SPAN_MS	1000	/* Meta's limits are per second */
#define PACE_MEDIA_RATE		10	/* Messenger/Instagram attachments/s */
struct pace_window {
	long long	*at;		/* ring of the last rate sends */
	int		 rate, head, n;
	long long	 span_ms;
	long long	 blocked_until_ms; /* throttled by Meta until then */
};
/* Room for rate sends per span_ms; 0, or -1 when out of memory. */
int		 pace_window_init(struct pace_window *, int rate,
		    long long span_ms);
void		 pace_window_free(struct pace_window *);
/* How many sends may go at now_ms (0: none; see pace_window_wait). */
int		 pace_window_room(struct pace_window *, long long now_ms);
/* The milliseconds until one may go (0: now). */
long long	 pace_window_wait(struct pace_window *, long long now_ms);
/* Count a send that goes at now_ms (room must be > 0). */
void		 pace_window_take(struct pace_window *, long long now_ms);
/* Meta said wait: nothing goes until until_ms. */
void		 pace_window_block(struct pace_window *, long long until_ms);

/*
 * A spacer: sends at least interval_ms apart, each given the time it
 * may leave (now, or after the previous one), so that a batch claimed
 * at once leaves spread out rather than bunched.
 */
struct pace_spacer {
	double		 interval_ms;
	double		 next_ms;	/* the earliest next send */
};
void		 pace_spacer_init(struct pace_spacer *, double interval_ms);
/* How many sends may be given a time within [now_ms, now_ms +
 * ahead_ms]. */
int		 pace_spacer_room(const struct pace_spacer *, long long now_ms,
		    long long ahead_ms);
/* The time the next send leaves (counted). */
long long	 pace_spacer_next(struct pace_spacer *, long long now_ms);
/* Meta said wait: nothing leaves before until_ms. */
void		 pace_spacer_block(struct pace_spacer *, long long until_ms);

/* The spacing of (channel, person) pairs: a hash table of the pairs
 * still waiting, grown as needed (PACE_PAIRS_MAX at most). */
struct pace_pair {
	long long	 channel;	/* 0: an empty slot */
	size_t		 hash;		/* whole: a table cuts it to its size */
	char		 person[64];
	long long	 next_ms;	/* earliest next send */
};
struct pace_pairs {
	struct pace_pair	*p;	/* cap slots (a power of two) */
	size_t			 cap, used;
	long long		 spacing_ms;
};
void		 pace_pairs_init(struct pace_pairs *, long long spacing_ms);
void		 pace_pairs_free(struct pace_pairs *);
/* 0 when person on channel may be sent to now (the send is counted),
 * else the milliseconds to wait.  Pairs whose wait is over are
 * forgotten; when PACE_PAIRS_MAX still wait, a new pair is refused for
 * spacing_ms. */
long long	 pace_pairs_take(struct pace_pairs *, long long channel,
		    const char *person, long long now_ms);
/* Meta said at now_ms that this pair must wait until until_ms
 * (131056). */
void		 pace_pairs_block(struct pace_pairs *, long long channel,
		    const char *person, long long now_ms, long long until_ms);

enum pace_breaker_state {
	BREAKER_CLOSED,
	BREAKER_OPEN,
	BREAKER_HALF_OPEN,
	BREAKER__MAX
};
extern const char *const pace_breaker_names[BREAKER__MAX];

struct pace_breaker {
	enum pace_breaker_state	 state;
	unsigned char		 recent[PACE_BREAKER_WINDOW]; /* 1: failed */
	int			 n, next;	/* filled, ring position */
	long long		 open_until_ms;
	long long		 cool_ms;	/* the current cool-down */
	int			 probing;	/* half-open: the one call is out */
	long long		 probe_at_ms;	/* when it went */
};
/* A half-open probe that has not answered in this long is given up
 * (its answer was lost): another may go. */
#define PACE_BREAKER_PROBE_MS	60000
void		 pace_breaker_init(struct pace_breaker *);
/* May a call go now?  1 yes (in half-open, only the first asker until
 * pace_breaker_record), 0 no; *wait_ms (may be NULL) is how long until
 * one may. */
int		 pace_breaker_allow(struct pace_breaker *, long long now_ms,
		    long long *wait_ms);
/* How many calls may go now without asking pace_breaker_allow for
 * each: 0 (open, or half-open with its probe out; *wait_ms set when
 * not NULL), 1 (half-open: the probe), or max. */
int		 pace_breaker_room(struct pace_breaker *, long long now_ms,
		    int max, long long *wait_ms);
/* The call pace_breaker_allow let go did not go after all (paced,
 * deferred): in half-open another may be the probe. */
void		 pace_breaker_release(struct pace_breaker *);
/* The outcome of a call that went: failed is 1 for a retryable
 * failure (transient errors, timeouts), 0 for anything else. */
void		 pace_breaker_record(struct pace_breaker *, int failed,
		    long long now_ms);

/* What the queue does with an answer. */
enum pace_act {
	PACE_DONE,		/* sent: record Meta's id */
	PACE_RETRY,		/* again after a backoff with jitter */
	PACE_WAIT,		/* throttled: again after Meta's wait */
	PACE_PAUSE_CHANNEL,	/* token dead: the row stays queued, the
				 * channel's sends pause until it is valid */
	PACE_FAIL,		/* permanent: failed at once */
	PACE_UNKNOWN,		/* may have reached Meta: wait for its echo */
	PACE_ACT__MAX
};
extern const char *const pace_act_names[PACE_ACT__MAX];

/* The action for a result of class cls (ambiguous: the request was
 * written but no answer came) after attempts calls (1 for the first),
 * and the delay before the row is due again in *delay_ms: for RETRY
 * base_ms * 2^(attempts-1) capped at max_ms, plus up to a quarter of
 * that as jitter from rnd (0 .. 2^32-1); for WAIT Meta's delay_s (at
 * least 1 s). */
enum pace_act	 pace_action(enum graph_class cls, int ambiguous,
		    long delay_s, int attempts, long long base_ms,
		    long long max_ms, unsigned rnd, long long *delay_ms);

#endif
