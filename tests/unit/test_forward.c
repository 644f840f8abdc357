/*
 * Unit tests for lib/pipeline/forward: the retry schedule with its
 * jitter bounds (every random value lands within +-20% of the step;
 * the extremes are reached), the end of the schedule (a dead letter),
 * Retry-After in seconds and as an HTTP date, sealing a destination's
 * secret (bound to its workspace), and the custom headers a destination
 * may have (forward_header_check).
 */
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "forward.h"
#include "limits.h"
#include "test.h"

static void
test_schedule(void)
{
	long long	 sched[HG_SCHEDULE_STEPS_MAX], d, lo, hi;
	long long	 min = -1, max = -1;
	unsigned long	 r;
	int		 n, i, bad = 0;

	n = conf_schedule_parse(HG_FWD_SCHEDULE_DEFAULT, sched);
	EQ_INT(n, 7, "the default schedule has 7 delays (8 attempts)");
	EQ_INT(sched[0], 5, "... 5 s after the first attempt");
	EQ_INT(sched[1], 300, "... then 5 min");
	EQ_INT(sched[2], 1800, "... 30 min");
	EQ_INT(sched[3], 7200, "... 2 h");
	EQ_INT(sched[4], 18000, "... 5 h");
	EQ_INT(sched[5], 36000, "... 10 h");
	EQ_INT(sched[6], 36000, "... 10 h");
	for (i = 1; i <= n; i++) {
		lo = sched[i - 1] * 1000 * 80 / 100;
		hi = sched[i - 1] * 1000 * 120 / 100;
		for (r = 0; r < 200000; r += 997) {
			d = forward_delay_ms(sched, n, i, r * 2654435761UL);
			if (d < lo || d > hi)
				bad++;
			if (i == 2 && (min < 0 || d < min))
				min = d;
			if (i == 2 && d > max)
				max = d;
		}
	}
	EQ_INT(bad, 0, "every jittered delay is within +-20% of its step");
	OK(min < 300000 - 50000 && max > 300000 + 50000,
	    "the jitter spreads over the range (5 min: below 4:10, above 5:50)");
	EQ_INT(forward_delay_ms(sched, n, 2, 0), 240000, "the lowest is -20%");
	EQ_INT(forward_delay_ms(sched, n, 2, 120000), 360000, "the highest is +20%");
	EQ_INT(forward_delay_ms(sched, n, n + 1, 5), -1,
	    "past the schedule: a dead letter");
	EQ_INT(forward_delay_ms(sched, n, 0, 5), -1, "no attempt yet: no delay");
	sched[0] = 0;
	EQ_INT(forward_delay_ms(sched, 1, 1, 12345), 0, "a zero step stays zero");
}

static void
test_retry_after(void)
{
	EQ_INT(forward_retry_after("120", 1000), 120, "Retry-After: 120");
	EQ_INT(forward_retry_after("0", 1000), 0, "Retry-After: 0");
	EQ_INT(forward_retry_after("999999999", 1000), HG_FWD_RETRY_AFTER_MAX_S,
	    "a huge Retry-After is capped at a day");
	EQ_INT(forward_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	    1445412480LL - 60), 60, "an HTTP date a minute ahead");
	EQ_INT(forward_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	    1445412480LL + 60), 0, "an HTTP date passed: now");
	EQ_INT(forward_retry_after("soon", 1000), -1, "words do not parse");
	EQ_INT(forward_retry_after("12abc", 1000), -1, "nor a number with more");
	EQ_INT(forward_retry_after("", 1000), -1, "nor nothing");
	EQ_INT(forward_retry_after(NULL, 1000), -1, "nor no header");
}

static void
test_seal(void)
{
	struct conf	*c;
	struct buf	 sealed, out;
	char		 err[256];

	c = conf_load_string("token_key = "
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n", "test", err,
	    sizeof(err));
	OK(c != NULL, "a configuration with a token_key");
	buf_init(&sealed, 4096);
	buf_init(&out, 4096);
	EQ_INT(forward_seal(c, 1, "whsec_abc", &sealed), 0, "seal a secret");
	OK(memmem(sealed.data, sealed.len, "whsec_abc", 9) == NULL,
	    "the sealed bytes do not hold it");
	EQ_INT(forward_unseal(c, 1, sealed.data, sealed.len, &out), 0,
	    "open it");
	EQ_STR(buf_cstr(&out), "whsec_abc", "the same secret");
	buf_reset(&out);
	EQ_INT(forward_unseal(c, 2, sealed.data, sealed.len, &out), -1,
	    "another workspace cannot open it");
	buf_free(&sealed);
	buf_free(&out);
	conf_free(c);
	c = conf_load_string("", "test", err, sizeof(err));
	buf_init(&sealed, 4096);
	EQ_INT(forward_seal(c, 1, "x", &sealed), -1, "no token_key: no sealing");
	buf_free(&sealed);
	conf_free(c);
}

static void
test_headers(void)
{
	static const char *const refused[] = { "Content-Type",
	    "content-length", "HOST", "User-Agent", "webhook-id",
	    "Webhook-Signature", "webhook-timestamp", "webhook-anything",
	    "Connection", "keep-alive", "Transfer-Encoding", "TE", "Trailer",
	    "Upgrade", "Expect", "HTTP2-Settings", "Proxy-Authorization",
	    "proxy-connection", "", "X Key", "X-Key:", "X-K\r\nY", "X(1)",
	    "X/Y", "X@Y", "\"X\"", "X\xc3\xa9" };
	static const char *const taken[] = { "X-Api-Key", "Authorization",
	    "x-trace.id", "A!#$%&'*+-.^_`|~9", "Cookie", "Accept" };
	char		 name[HG_FWD_HEADER_NAME_MAX + 2];
	char		 value[HG_FWD_HEADER_VALUE_MAX + 2];
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		why = NULL;
		EQ_INT(forward_header_check(refused[i], "v", &why), -1, refused[i]);
		OK(why != NULL && *why != '\0', "... saying why");
	}
	for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		EQ_INT(forward_header_check(taken[i], "v", &why), 0, taken[i]);
	memset(name, 'n', sizeof(name));
	name[HG_FWD_HEADER_NAME_MAX] = '\0';
	EQ_INT(forward_header_check(name, "v", &why), 0, "a name of 64 bytes");
	name[HG_FWD_HEADER_NAME_MAX] = 'n';
	name[HG_FWD_HEADER_NAME_MAX + 1] = '\0';
	EQ_INT(forward_header_check(name, "v", &why), -1, "... not 65");
	memset(value, 'v', sizeof(value));
	value[HG_FWD_HEADER_VALUE_MAX] = '\0';
	EQ_INT(forward_header_check("X", value, &why), 0, "a value of 1024 bytes");
	value[HG_FWD_HEADER_VALUE_MAX] = 'v';
	value[HG_FWD_HEADER_VALUE_MAX + 1] = '\0';
	EQ_INT(forward_header_check("X", value, &why), -1, "... not 1025");
	EQ_INT(forward_header_check("X", "a\r\nX-Evil: 1", &why), -1, "CR LF in a value");
	EQ_INT(forward_header_check("X", "a\nb", &why), -1, "LF in a value");
	EQ_INT(forward_header_check("X", "a\x01b", &why), -1, "a control byte");
	EQ_INT(forward_header_check("X", "a\x7f", &why), -1, "DEL");
	EQ_INT(forward_header_check("X", "\xff\xfe", &why), -1, "not UTF-8");
	EQ_INT(forward_header_check("X", " a", &why), -1, "a blank first");
	EQ_INT(forward_header_check("X", "a\t", &why), -1, "a tab last");
	EQ_INT(forward_header_check("X", "a\tb c \xc3\xa9", &why), 0,
	    "inner blanks, a tab, UTF-8");
	EQ_INT(forward_header_check("X", "", &why), 0, "an empty value");
	EQ_INT(forward_header_check("Host", NULL, &why), -1, "a name alone");
	EQ_INT(forward_header_check("X-Key", NULL, &why), 0, "... that may be");
}

int
main(void)
{
	test_schedule();
	test_retry_after();
	test_seal();
	test_headers();
	return test_done();
}
