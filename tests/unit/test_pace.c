/*
 * Pacing with a test clock (lib/pipeline/pace.c): token buckets, the
 * WhatsApp pair spacing, circuit breaker states and the queue's action
 * for each class of answer.
 */
#include "test.h"

#include "pace.h"

static void
test_bucket(void)
{
	struct pace_bucket	 b;
	long long		 t = 1000000, w;
	int			 i, n;

	pace_bucket_init(&b, 80, t);
	for (n = 0; n < 200 && pace_bucket_take(&b, t) == 0; n++)
		;
	EQ_INT(n, 80, "WhatsApp default: a full bucket gives 80 at once");
	w = pace_bucket_take(&b, t);
	OK(w >= 12 && w <= 13, "the 81st waits one token's time (12.5 ms)");
	EQ_INT(pace_bucket_take(&b, t + 13), 0, "... and may go after it");
	/* Over one simulated second at 1 ms steps: at most rate + burst. */
	pace_bucket_init(&b, 80, t);
	for (n = 0, i = 0; i < 10000; i++)
		if (pace_bucket_take(&b, t + i) == 0)
			n++;
	OK(n >= 80 * 10 && n <= 80 * 10 + 80,
	    "80/s sustained over 10 s: 800 to 880 (burst included)");
	pace_bucket_init(&b, 300, t);
	for (n = 0; pace_bucket_take(&b, t) == 0; n++)
		;
	EQ_INT(n, 300, "Messenger: 300 at once");
	pace_bucket_init(&b, 1000, t);
	for (n = 0; pace_bucket_take(&b, t) == 0; n++)
		;
	EQ_INT(n, 1000, "WhatsApp at its 1000/s upgrade");
	pace_bucket_init(&b, 80, t);
	pace_bucket_block(&b, t + 60000);
	EQ_INT(pace_bucket_take(&b, t + 1000), 59000,
	    "throttled by Meta: no token for what it said");
	EQ_INT(pace_bucket_take(&b, t + 60000), 0, "... then tokens again");
}

static void
test_pairs(void)
{
	static struct pace_pairs p;
	long long		 t = 5000000;

	pace_pairs_init(&p, PACE_PAIR_SPACING_MS);
	EQ_INT(pace_pairs_take(&p, 1, "16505551234", t), 0,
	    "the first message to a person goes");
	EQ_INT(pace_pairs_take(&p, 1, "16505551234", t + 1), 5999,
	    "the next waits 6 s");
	EQ_INT(pace_pairs_take(&p, 1, "16505551234", t + 5999), 1,
	    "at 5.999 s: 1 ms more");
	EQ_INT(pace_pairs_take(&p, 1, "16505551234", t + 6000), 0,
	    "at exactly 6 s it goes");
	EQ_INT(pace_pairs_take(&p, 1, "16505559999", t + 6001), 0,
	    "another person is not held back");
	EQ_INT(pace_pairs_take(&p, 2, "16505551234", t + 6001), 0,
	    "the same person on another number is not either");
	pace_pairs_block(&p, 1, "16505559999", t + 6001, t + 100000);
	EQ_INT(pace_pairs_take(&p, 1, "16505559999", t + 50000), 50000,
	    "131056: that pair waits what Meta said");
	/* A full table forgets pairs whose wait is over. */
	{
		char	 who[32];
		int	 i, ok = 1;

		pace_pairs_free(&p);
		pace_pairs_init(&p, 6000);
		for (i = 0; i < PACE_PAIRS_MAX; i++) {
			snprintf(who, sizeof(who), "%d", i);
			ok &= pace_pairs_take(&p, 1, who, t) == 0;
		}
		OK(ok, "PACE_PAIRS_MAX people at once");
		EQ_INT(pace_pairs_take(&p, 1, "new", t + 1), 6000,
		    "a full table of waiting pairs: a new one waits");
		EQ_INT(pace_pairs_take(&p, 1, "new", t + 6000), 0,
		    "once their wait is over the table makes room");
		EQ_INT(pace_pairs_take(&p, 1, "new", t + 6001), 5999,
		    "... and the new pair is spaced");
		EQ_INT(pace_pairs_take(&p, 1, "0", t + 6001), 0,
		    "... and an old pair whose wait is over goes again");
		EQ_INT(pace_pairs_take(&p, 1, "0", t + 6002), 5999,
		    "... spaced anew");
		pace_pairs_free(&p);
	}
	/* The table grows (and grows again) and forgets nobody waiting. */
	{
		char	 who[32];
		int	 i, ok = 1, waits = 0;

		pace_pairs_init(&p, 6000);
		for (i = 0; i < 5000; i++) {
			snprintf(who, sizeof(who), "p%d", i);
			ok &= pace_pairs_take(&p, i % 3 + 1, who, t) == 0;
		}
		OK(ok, "5,000 people on three numbers at once");
		for (i = 0; i < 5000; i++) {
			snprintf(who, sizeof(who), "p%d", i);
			waits += pace_pairs_take(&p, i % 3 + 1, who, t + 1) == 5999;
		}
		EQ_INT(waits, 5000, "... each of them still waits after the table grew");
		EQ_INT((long long)p.used, 5000, "... and none was added twice");
		pace_pairs_free(&p);
	}
}

static void
test_breaker(void)
{
	struct pace_breaker	 b;
	long long		 t = 9000000, w;
	int			 i;

	pace_breaker_init(&b);
	EQ_STR(pace_breaker_names[b.state], "closed", "a breaker starts closed");
	for (i = 0; i < 4; i++) {
		OK(pace_breaker_allow(&b, t, NULL), "closed: calls go");
		pace_breaker_record(&b, 1, t);
	}
	EQ_STR(pace_breaker_names[b.state], "closed",
	    "4 failures: still closed (too few calls to judge)");
	pace_breaker_record(&b, 1, t);
	EQ_STR(pace_breaker_names[b.state], "open",
	    "5 retryable failures of 5: open");
	OK(!pace_breaker_allow(&b, t + 1000, &w), "open: no call");
	EQ_INT(w, PACE_BREAKER_COOL_MS - 1000, "... for the rest of the cool-down");
	OK(pace_breaker_allow(&b, t + PACE_BREAKER_COOL_MS, NULL),
	    "after the cool-down: one call (half-open)");
	EQ_STR(pace_breaker_names[b.state], "half_open", "half-open");
	OK(!pace_breaker_allow(&b, t + PACE_BREAKER_COOL_MS, NULL),
	    "half-open: only one call at a time");
	pace_breaker_record(&b, 1, t + PACE_BREAKER_COOL_MS);
	EQ_STR(pace_breaker_names[b.state], "open", "its failure: open again");
	OK(!pace_breaker_allow(&b, t + 2 * PACE_BREAKER_COOL_MS, NULL),
	    "... for a doubled cool-down");
	OK(pace_breaker_allow(&b, t + 3 * PACE_BREAKER_COOL_MS, NULL),
	    "after it: half-open again");
	pace_breaker_record(&b, 0, t + 3 * PACE_BREAKER_COOL_MS);
	EQ_STR(pace_breaker_names[b.state], "closed", "its success: closed");
	/* Mostly successes keep it closed. */
	for (i = 0; i < 20; i++)
		pace_breaker_record(&b, i % 3 == 0, t);
	EQ_STR(pace_breaker_names[b.state], "closed",
	    "a third failing: stays closed");
	pace_breaker_init(&b);
	for (i = 0; i < 10; i++)
		pace_breaker_record(&b, i % 2 == 1, t);
	EQ_STR(pace_breaker_names[b.state], "closed",
	    "half failing: not most, stays closed");
	pace_breaker_record(&b, 1, t);
	EQ_STR(pace_breaker_names[b.state], "open",
	    "6 of the last 10 failing: open");
}

static void
test_action(void)
{
	long long d;

	EQ_STR(pace_act_names[pace_action(GRAPH_OK, 0, 0, 1, 2000, 60000, 0,
	    &d)], "done", "ok: done");
	EQ_STR(pace_act_names[pace_action(GRAPH_RETRY, 0, 30, 1, 2000, 60000,
	    0, &d)], "retry", "retry: retry");
	EQ_INT(d, 2000, "first retry after the base delay");
	pace_action(GRAPH_RETRY, 0, 30, 3, 2000, 60000, 0, &d);
	EQ_INT(d, 8000, "third: doubled twice");
	pace_action(GRAPH_RETRY, 0, 30, 20, 2000, 60000, 0, &d);
	EQ_INT(d, 60000, "capped");
	pace_action(GRAPH_RETRY, 0, 30, 1, 2000, 60000, 0xffffffffu, &d);
	OK(d > 2000 && d <= 2500, "jitter adds up to a quarter");
	EQ_STR(pace_act_names[pace_action(GRAPH_THROTTLED, 0, 120, 1, 2000,
	    60000, 0, &d)], "wait", "throttled: wait");
	EQ_INT(d, 120000, "... what Meta's headers said");
	pace_action(GRAPH_THROTTLED, 0, 0, 1, 2000, 60000, 0, &d);
	EQ_INT(d, 1000, "... at least a second");
	EQ_STR(pace_act_names[pace_action(GRAPH_TOKEN_INVALID, 0, 0, 1, 2000,
	    60000, 0, &d)], "pause_channel",
	    "token invalid: the channel pauses, the row is not failed");
	EQ_STR(pace_act_names[pace_action(GRAPH_PERMANENT, 0, 0, 1, 2000,
	    60000, 0, &d)], "fail", "permanent: fail at once");
	EQ_STR(pace_act_names[pace_action(GRAPH_RETRY, 1, 30, 1, 2000, 60000,
	    0, &d)], "unknown",
	    "no answer after the request was written: unknown");
	EQ_STR(pace_act_names[pace_action(GRAPH_OK, 1, 0, 1, 2000, 60000, 0,
	    &d)], "done", "an answer is never unknown");
}

/* The sliding window the worker paces with: never more than rate in
 * any span, whatever the pattern of asks. */
static void
test_window(void)
{
	struct pace_window	 w;
	long long		 t = 5000000, at[4000];
	int			 i, j, n, most;

	OK(pace_window_init(&w, 80, 1000) == 0, "a window of 80 a second");
	EQ_INT(pace_window_room(&w, t), 80, "empty: room for 80 at once");
	for (i = 0; i < 80; i++)
		pace_window_take(&w, t);
	EQ_INT(pace_window_room(&w, t), 0, "after 80: no room");
	EQ_INT(pace_window_wait(&w, t + 10), 990, "... until the first is a second old");
	EQ_INT(pace_window_room(&w, t + 999), 0, "at 999 ms still none");
	EQ_INT(pace_window_room(&w, t + 1000), 80, "at 1000 ms all 80 again");
	pace_window_free(&w);
	/* Ask every millisecond for 10 s, taking all the room: count the
	 * most in any 1000 ms. */
	pace_window_init(&w, 80, 1000);
	for (n = 0, i = 0; i < 10000 && n < 4000; i++)
		for (j = pace_window_room(&w, t + i); j > 0 && n < 4000; j--) {
			pace_window_take(&w, t + i);
			at[n++] = t + i;
		}
	for (most = 0, i = 0, j = 0; i < n; i++) {
		while (at[i] - at[j] >= 1000)
			j++;
		if (i - j + 1 > most)
			most = i - j + 1;
	}
	EQ_INT(most, 80, "greedy for 10 s: never more than 80 in any 1000 ms");
	EQ_INT(n, 800, "... and 80 a second all the same");
	pace_window_block(&w, t + 20000);
	EQ_INT(pace_window_room(&w, t + 19999), 0, "Meta said wait: no room");
	EQ_INT(pace_window_wait(&w, t + 19000), 1000, "... for what it said");
	pace_window_free(&w);
	OK(pace_window_init(&w, PACE_MEDIA_RATE, 1000) == 0 &&
	    pace_window_room(&w, t) == 10, "attachments: 10 a second");
	pace_window_free(&w);
}

/* The spacer: a batch claimed at once leaves spread out. */
static void
test_spacer(void)
{
	struct pace_spacer	 sp;
	long long		 t = 7000000, at[16];
	int			 i;

	pace_spacer_init(&sp, 1040.0 / 80);
	EQ_INT(pace_spacer_room(&sp, t, 100), 8, "13 ms apart: 8 within 100 ms");
	for (i = 0; i < 8; i++)
		at[i] = pace_spacer_next(&sp, t);
	EQ_INT(at[0], t, "the first leaves now");
	OK(at[1] == t + 13 && at[7] == t + 91, "the others 13 ms apart");
	EQ_INT(pace_spacer_room(&sp, t, 100), 0, "then no more within 100 ms");
	EQ_INT(pace_spacer_room(&sp, t + 50, 100), 4, "50 ms later: 4 more");
	pace_spacer_block(&sp, t + 5000);
	EQ_INT(pace_spacer_room(&sp, t + 4800, 100), 0, "Meta said wait: none");
	EQ_INT(pace_spacer_next(&sp, t + 4800), t + 5000, "... the next after it");
	EQ_INT(pace_spacer_next(&sp, t + 9000), t + 9000,
	    "idle since: the next leaves at once");
}

/* The breaker's room for a batch, and a half-open probe that did not
 * go (or never answered) no longer holds it half-open forever. */
static void
test_breaker_room(void)
{
	struct pace_breaker	 b;
	long long		 t = 9000000, w;
	int			 i;

	pace_breaker_init(&b);
	EQ_INT(pace_breaker_room(&b, t, 50, &w), 50, "closed: the whole batch");
	for (i = 0; i < 5; i++)
		pace_breaker_record(&b, 1, t);
	EQ_INT(pace_breaker_room(&b, t, 50, &w), 0, "open: none");
	EQ_INT(w, PACE_BREAKER_COOL_MS, "... for the cool-down");
	t += PACE_BREAKER_COOL_MS;
	EQ_INT(pace_breaker_room(&b, t, 50, &w), 1, "after it: one, the probe");
	EQ_STR(pace_breaker_names[b.state], "half_open", "... half-open");
	EQ_INT(pace_breaker_allow(&b, t, NULL), 1, "the probe is let go");
	EQ_INT(pace_breaker_room(&b, t, 50, NULL), 0, "... and no other with it");
	pace_breaker_release(&b);
	EQ_INT(pace_breaker_room(&b, t, 50, NULL), 1,
	    "the probe was deferred (paced): another may be the probe");
	EQ_INT(pace_breaker_allow(&b, t, NULL), 1, "it goes");
	EQ_INT(pace_breaker_room(&b, t + PACE_BREAKER_PROBE_MS - 1, 50, NULL), 0,
	    "its answer is awaited");
	EQ_INT(pace_breaker_room(&b, t + PACE_BREAKER_PROBE_MS, 50, NULL), 1,
	    "an answer lost for a minute: another probe may go");
	pace_breaker_allow(&b, t + PACE_BREAKER_PROBE_MS, NULL);
	pace_breaker_record(&b, 0, t + PACE_BREAKER_PROBE_MS);
	EQ_STR(pace_breaker_names[b.state], "closed", "its success closes it");
	EQ_INT(pace_breaker_room(&b, t, 50, NULL), 50, "... the whole batch again");
}

int
main(void)
{
	test_window();
	test_spacer();
	test_breaker_room();
	test_bucket();
	test_pairs();
	test_breaker();
	test_action();
	return test_done();
}
