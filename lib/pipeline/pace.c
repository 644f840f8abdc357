/*
 * pace: token buckets, pair spacing, circuit breakers and the queue's
 * actions.  See pace.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pace.h"

const char *const pace_breaker_names[BREAKER__MAX] = {
	[BREAKER_CLOSED] = "closed",
	[BREAKER_OPEN] = "open",
	[BREAKER_HALF_OPEN] = "half_open",
};

const char *const pace_act_names[PACE_ACT__MAX] = {
	[PACE_DONE] = "done",
	[PACE_RETRY] = "retry",
	[PACE_WAIT] = "wait",
	[PACE_PAUSE_CHANNEL] = "pause_channel",
	[PACE_FAIL] = "fail",
	[PACE_UNKNOWN] = "unknown",
};

void
pace_bucket_init(struct pace_bucket *b, double rate, long long now_ms)
{
	memset(b, 0, sizeof(*b));
	b->rate = rate > 0 ? rate : 1;
	b->burst = b->rate < 1 ? 1 : b->rate;
	b->tokens = b->burst;
	b->at_ms = now_ms;
}

long long
pace_bucket_take(struct pace_bucket *b, long long now_ms)
{
	long long wait;

	if (now_ms < b->blocked_until_ms)
		return b->blocked_until_ms - now_ms;
	if (now_ms > b->at_ms) {
		b->tokens += (double)(now_ms - b->at_ms) * b->rate / 1000.0;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->at_ms = now_ms;
	}
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return 0;
	}
	wait = (long long)((1.0 - b->tokens) * 1000.0 / b->rate);
	return wait < 1 ? 1 : wait;
}

void
pace_bucket_init_burst(struct pace_bucket *b, double rate, double burst,
    long long now_ms)
{
	pace_bucket_init(b, rate, now_ms);
	b->burst = burst < 1 ? 1 : burst;
	b->tokens = b->burst;
}

int
pace_bucket_room(struct pace_bucket *b, long long now_ms)
{
	if (now_ms < b->blocked_until_ms)
		return 0;
	if (now_ms > b->at_ms) {
		b->tokens += (double)(now_ms - b->at_ms) * b->rate / 1000.0;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->at_ms = now_ms;
	}
	return (int)b->tokens;
}

void
pace_bucket_block(struct pace_bucket *b, long long until_ms)
{
	if (until_ms > b->blocked_until_ms)
		b->blocked_until_ms = until_ms;
	b->tokens = 0;
}

int
pace_window_init(struct pace_window *w, int rate, long long span_ms)
{
	memset(w, 0, sizeof(*w));
	w->rate = rate > 0 ? rate : 1;
	w->span_ms = span_ms > 0 ? span_ms : PACE_WINDOW_SPAN_MS;
	if ((w->at = calloc((size_t)w->rate, sizeof(w->at[0]))) == NULL)
		return -1;
	return 0;
}

void
pace_window_free(struct pace_window *w)
{
	free(w->at);
	memset(w, 0, sizeof(*w));
}

/* Forget the sends that left the window at now_ms. */
static void
window_expire(struct pace_window *w, long long now_ms)
{
	int oldest;

	while (w->n > 0) {
		oldest = (w->head - w->n + w->rate) % w->rate;
		if (w->at[oldest] > now_ms - w->span_ms)
			break;
		w->n--;
	}
}

int
pace_window_room(struct pace_window *w, long long now_ms)
{
	if (now_ms < w->blocked_until_ms)
		return 0;
	window_expire(w, now_ms);
	return w->rate - w->n;
}

long long
pace_window_wait(struct pace_window *w, long long now_ms)
{
	if (now_ms < w->blocked_until_ms)
		return w->blocked_until_ms - now_ms;
	window_expire(w, now_ms);
	if (w->n < w->rate)
		return 0;
	return w->at[(w->head - w->n + w->rate) % w->rate] + w->span_ms -
	    now_ms;
}

void
pace_window_take(struct pace_window *w, long long now_ms)
{
	window_expire(w, now_ms);
	if (w->n == w->rate)
		w->n--;		/* misuse: the oldest is overwritten */
	w->at[w->head] = now_ms;
	w->head = (w->head + 1) % w->rate;
	w->n++;
}

void
pace_window_block(struct pace_window *w, long long until_ms)
{
	if (until_ms > w->blocked_until_ms)
		w->blocked_until_ms = until_ms;
}

void
pace_spacer_init(struct pace_spacer *sp, double interval_ms)
{
	sp->interval_ms = interval_ms > 0 ? interval_ms : 0;
	sp->next_ms = 0;
}

int
pace_spacer_room(const struct pace_spacer *sp, long long now_ms,
    long long ahead_ms)
{
	double first = sp->next_ms > (double)now_ms ? sp->next_ms :
	    (double)now_ms;

	if (first > (double)(now_ms + ahead_ms))
		return 0;
	if (sp->interval_ms <= 0)
		return 1000000;
	return 1 + (int)(((double)(now_ms + ahead_ms) - first) /
	    sp->interval_ms);
}

long long
pace_spacer_next(struct pace_spacer *sp, long long now_ms)
{
	double at = sp->next_ms > (double)now_ms ? sp->next_ms :
	    (double)now_ms;

	sp->next_ms = at + sp->interval_ms;
	return (long long)(at + 0.999);
}

void
pace_spacer_block(struct pace_spacer *sp, long long until_ms)
{
	if ((double)until_ms > sp->next_ms)
		sp->next_ms = (double)until_ms;
}

void
pace_pairs_init(struct pace_pairs *t, long long spacing_ms)
{
	memset(t, 0, sizeof(*t));
	t->spacing_ms = spacing_ms;
}

void
pace_pairs_free(struct pace_pairs *t)
{
	free(t->p);
	t->p = NULL;
	t->cap = t->used = 0;
}

/* The hash of (channel, person): FNV-1a, whole (a table cuts it to
 * its size where it probes). */
static size_t
pair_hash(long long channel, const char *person)
{
	unsigned long long	 h = 14695981039346656037ull;
	int			 i;

	for (i = 0; i < 8; i++)
		h = (h ^ (unsigned char)(channel >> (i * 8))) * 1099511628211ull;
	for (; *person != '\0'; person++)
		h = (h ^ (unsigned char)*person) * 1099511628211ull;
	return (size_t)h;
}

/*
 * Make the table anew with only the pairs still waiting at now_ms, in
 * room for twice as many again (at least PACE_PAIRS_MIN slots): 0, or
 * -1 when PACE_PAIRS_MAX pairs wait or memory is short (the table is
 * left as it was).
 */
static int
pairs_rebuild(struct pace_pairs *t, long long now_ms)
{
	struct pace_pair	*p;
	size_t			 live = 0, cap = PACE_PAIRS_MIN, i, j;

	for (i = 0; i < t->cap; i++)
		if (t->p[i].channel != 0 && t->p[i].next_ms > now_ms)
			live++;
	if (live >= PACE_PAIRS_MAX)
		return -1;
	while (cap < live * 4)
		cap *= 2;
	if ((p = calloc(cap, sizeof(*p))) == NULL)
		return -1;
	for (i = 0; i < t->cap; i++) {
		if (t->p[i].channel == 0 || t->p[i].next_ms <= now_ms)
			continue;
		for (j = t->p[i].hash & (cap - 1); p[j].channel != 0;
		    j = (j + 1) & (cap - 1))
			;
		p[j] = t->p[i];
	}
	free(t->p);
	t->p = p;
	t->cap = cap;
	t->used = live;
	return 0;
}

/*
 * The pair's slot, or a new one, or NULL when PACE_PAIRS_MAX pairs are
 * waiting (or memory is short).  An open-addressed table: a pair whose
 * wait is over at now_ms is as good as forgotten, and its slot is
 * taken by the next new pair that probes past it.
 */
static struct pace_pair *
pair_find(struct pace_pairs *t, long long channel, const char *person,
    long long now_ms)
{
	struct pace_pair	*s = NULL, *reuse = NULL;
	size_t			 i, h = pair_hash(channel, person);

	if (t->cap > 0) {
		for (i = h & (t->cap - 1); t->p[i].channel != 0;
		    i = (i + 1) & (t->cap - 1)) {
			s = &t->p[i];
			if (s->channel == channel &&
			    strcmp(s->person, person) == 0)
				return s;
			if (reuse == NULL && s->next_ms <= now_ms)
				reuse = s;
		}
		s = &t->p[i];
	}
	if (reuse == NULL) {
		if (t->cap == 0 || (t->used + 1) * 10 > t->cap * 7 ||
		    t->used >= PACE_PAIRS_MAX) {
			if (pairs_rebuild(t, now_ms) == -1)
				return NULL;
			for (i = h & (t->cap - 1); t->p[i].channel != 0;
			    i = (i + 1) & (t->cap - 1))
				;
			s = &t->p[i];
		}
		t->used++;
		reuse = s;
	}
	memset(reuse, 0, sizeof(*reuse));
	reuse->channel = channel;
	reuse->hash = h;
	snprintf(reuse->person, sizeof(reuse->person), "%s", person);
	return reuse;
}

long long
pace_pairs_take(struct pace_pairs *t, long long channel, const char *person,
    long long now_ms)
{
	struct pace_pair *p = pair_find(t, channel, person, now_ms);

	if (p == NULL)
		return t->spacing_ms;
	if (now_ms < p->next_ms)
		return p->next_ms - now_ms;
	p->next_ms = now_ms + t->spacing_ms;
	return 0;
}

void
pace_pairs_block(struct pace_pairs *t, long long channel, const char *person,
    long long now_ms, long long until_ms)
{
	struct pace_pair *p = pair_find(t, channel, person, now_ms);

	if (p != NULL && until_ms > p->next_ms)
		p->next_ms = until_ms;
}

void
pace_breaker_init(struct pace_breaker *b)
{
	memset(b, 0, sizeof(*b));
	b->state = BREAKER_CLOSED;
	b->cool_ms = PACE_BREAKER_COOL_MS;
}

int
pace_breaker_allow(struct pace_breaker *b, long long now_ms, long long *wait_ms)
{
	if (wait_ms != NULL)
		*wait_ms = 0;
	if (b->state == BREAKER_OPEN && now_ms >= b->open_until_ms) {
		b->state = BREAKER_HALF_OPEN;
		b->probing = 0;
	}
	switch (b->state) {
	case BREAKER_CLOSED:
		return 1;
	case BREAKER_HALF_OPEN:
		if (!b->probing || now_ms - b->probe_at_ms >=
		    PACE_BREAKER_PROBE_MS) {
			b->probing = 1;
			b->probe_at_ms = now_ms;
			return 1;
		}
		if (wait_ms != NULL)
			*wait_ms = 1000;
		return 0;
	default:
		if (wait_ms != NULL)
			*wait_ms = b->open_until_ms - now_ms;
		return 0;
	}
}

int
pace_breaker_room(struct pace_breaker *b, long long now_ms, int max,
    long long *wait_ms)
{
	if (wait_ms != NULL)
		*wait_ms = 0;
	if (b->state == BREAKER_OPEN && now_ms >= b->open_until_ms) {
		b->state = BREAKER_HALF_OPEN;
		b->probing = 0;
	}
	switch (b->state) {
	case BREAKER_CLOSED:
		return max;
	case BREAKER_HALF_OPEN:
		if (!b->probing || now_ms - b->probe_at_ms >=
		    PACE_BREAKER_PROBE_MS)
			return max > 0 ? 1 : 0;
		if (wait_ms != NULL)
			*wait_ms = 1000;
		return 0;
	default:
		if (wait_ms != NULL)
			*wait_ms = b->open_until_ms - now_ms;
		return 0;
	}
}

void
pace_breaker_release(struct pace_breaker *b)
{
	if (b->state == BREAKER_HALF_OPEN)
		b->probing = 0;
}

/* Open for the current cool-down. */
static void
breaker_open(struct pace_breaker *b, long long now_ms)
{
	b->state = BREAKER_OPEN;
	b->open_until_ms = now_ms + b->cool_ms;
	b->probing = 0;
}

void
pace_breaker_record(struct pace_breaker *b, int failed, long long now_ms)
{
	int i, fails = 0;

	if (b->state == BREAKER_HALF_OPEN) {
		if (failed) {
			b->cool_ms = b->cool_ms * 2 > PACE_BREAKER_COOL_MAX_MS ?
			    PACE_BREAKER_COOL_MAX_MS : b->cool_ms * 2;
			breaker_open(b, now_ms);
		} else
			pace_breaker_init(b);
		return;
	}
	if (b->state == BREAKER_OPEN)
		return;		/* a call that left before it opened */
	b->recent[b->next] = failed ? 1 : 0;
	b->next = (b->next + 1) % PACE_BREAKER_WINDOW;
	if (b->n < PACE_BREAKER_WINDOW)
		b->n++;
	for (i = 0; i < b->n; i++)
		fails += b->recent[i];
	if (b->n >= PACE_BREAKER_MIN && fails * 2 > b->n)
		breaker_open(b, now_ms);
}

enum pace_act
pace_action(enum graph_class cls, int ambiguous, long delay_s, int attempts,
    long long base_ms, long long max_ms, unsigned rnd, long long *delay_ms)
{
	long long	 d = base_ms;
	int		 i;

	*delay_ms = 0;
	if (ambiguous && cls != GRAPH_OK)
		return PACE_UNKNOWN;
	switch (cls) {
	case GRAPH_OK:
		return PACE_DONE;
	case GRAPH_RETRY:
		for (i = 1; i < attempts && d < max_ms; i++)
			d *= 2;
		if (d > max_ms)
			d = max_ms;
		*delay_ms = d + (long long)((double)rnd / 4294967296.0 *
		    (double)(d / 4));
		return PACE_RETRY;
	case GRAPH_THROTTLED:
		*delay_ms = (delay_s > 0 ? delay_s : 1) * 1000LL;
		return PACE_WAIT;
	case GRAPH_TOKEN_INVALID:
		return PACE_PAUSE_CHANNEL;
	default:
		return PACE_FAIL;
	}
}
