/*
 * log: one line per event on standard error, as key=value pairs:
 *
 *   ts=2026-11-23T03:51:37.123Z level=info prog=webhook req=1a2b-7
 *     event=webhook.accepted bytes=812
 *
 * Values are quoted and escaped when they hold spaces, quotes, '=' or
 * control bytes, and truncated at HG_LOG_VALUE_MAX.  A line is written
 * with a single write(2) so lines from many processes never interleave.
 * Tokens, secrets and message bodies must never be passed in; URLs go
 * through log_url, which redacts credentials.
 */
#ifndef HG_LOG_H
#define HG_LOG_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "limits.h"

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARN,
	LOG_LEVEL_ERROR,
	LOG_LEVEL__MAX
};

extern const char *const log_level_names[LOG_LEVEL__MAX];

struct logline {
	char	 text[HG_LOG_LINE_MAX];
	size_t	 len;
	int	 on;	/* 0 when below the threshold: all calls are no-ops */
};

/* Set the program name and threshold for this process. */
void	 log_init(const char *prog, enum log_level);
/* Parse "debug", "info", "warn" or "error"; -1 when unknown. */
int	 log_level_parse(const char *);
/* Send lines to this descriptor instead of 2 (tests). */
void	 log_set_fd(int);
/* Set (or clear, with NULL) this thread's request or run id. */
void	 log_set_id(const char *);
const char *log_get_id(void);

/* Begin a line at a level with an event name; add fields; end writes. */
void	 log_begin(struct logline *, enum log_level, const char *event);
void	 log_str(struct logline *, const char *key, const char *val);
void	 log_strn(struct logline *, const char *key, const char *val, size_t);
void	 log_int(struct logline *, const char *key, long long);
/* Add a URL with the values of credential parameters replaced by
 * "REDACTED" (access_token, client_secret, appsecret_proof, code,
 * fb_exchange_token, input_token). */
void	 log_url(struct logline *, const char *key, const char *url);
void	 log_end(struct logline *);

/* Shorthand for a line with one message field. */
void	 log_msg(enum log_level, const char *event, const char *msg);

/*
 * A rate limit on a kind of log line that anyone can trigger (a refused
 * request, a failing accept): at most per_sec lines a second, so that a
 * flood cannot fill the disk.  The lines held back are counted and the
 * next line written reports how many ("suppressed=N").
 */
struct log_rate {
	pthread_mutex_t	 mu;
	time_t		 sec;		/* the second being counted */
	int		 lines;		/* lines written in it */
	long long	 held;		/* held back since the last line */
};

#define LOG_RATE_INITIALIZER	{ PTHREAD_MUTEX_INITIALIZER, 0, 0, 0 }

void	 log_rate_init(struct log_rate *);
void	 log_rate_free(struct log_rate *);
/* 1 when a line may be written now, with *held set to the number held
 * back since the last one written (0 when none), to report in it; 0
 * when this line must be dropped (it is counted in the next). */
int	 log_rate_take(struct log_rate *, int per_sec, long long *held);

/* Write url into out (size outsz) with credentials redacted; returns
 * out.  Exposed for tests and for lib/graph. */
char	*log_redact_url(const char *url, char *out, size_t outsz);

#endif
