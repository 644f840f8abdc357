/*
 * log: structured one-line logging.  See log.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

const char *const log_level_names[LOG_LEVEL__MAX] = {
	"debug", "info", "warn", "error"
};

static const char	*log_prog = "hubgate";
static enum log_level	 log_threshold = LOG_LEVEL_INFO;
static int		 log_fd = 2;
static __thread char	 log_id[48];

/* Parameters whose values never reach a log line. */
static const char *const log_redacted[] = {
	"access_token", "client_secret", "appsecret_proof", "code",
	"fb_exchange_token", "input_token", "token",
	"pin",			/* a WhatsApp number's two-step PIN */
	NULL
};

void
log_init(const char *prog, enum log_level lvl)
{
	log_prog = prog;
	if (lvl >= 0 && lvl < LOG_LEVEL__MAX)
		log_threshold = lvl;
}

int
log_level_parse(const char *s)
{
	int i;

	for (i = 0; i < LOG_LEVEL__MAX; i++)
		if (strcmp(s, log_level_names[i]) == 0)
			return i;
	return -1;
}

void
log_set_fd(int fd)
{
	log_fd = fd;
}

void
log_set_id(const char *id)
{
	if (id == NULL)
		log_id[0] = '\0';
	else
		snprintf(log_id, sizeof(log_id), "%s", id);
}

const char *
log_get_id(void)
{
	return log_id;
}

/* Append raw bytes, keeping room for the final newline. */
static void
log_raw(struct logline *l, const char *s, size_t n)
{
	size_t room = sizeof(l->text) - 1 - l->len;

	if (n > room) {
		/* The line is full: end it with a marker that says so. */
		memcpy(l->text + l->len, s, room);
		l->len += room;
		memcpy(l->text + l->len - 3, "...", 3);
		return;
	}
	memcpy(l->text + l->len, s, n);
	l->len += n;
}

/* Append a value, quoted and escaped when it needs to be. */
static void
log_value(struct logline *l, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t	 i;
	int	 quote = (n == 0), trunc = 0;
	char	 esc[4];

	if (n > HG_LOG_VALUE_MAX) {
		n = HG_LOG_VALUE_MAX;
		trunc = 1;
	}
	for (i = 0; i < n && !quote; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f)
			quote = 1;
	}
	if (quote)
		log_raw(l, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			log_raw(l, esc, 2);
		} else if (c < ' ' || c == 0x7f) {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 0xf];
			log_raw(l, esc, 4);
		} else
			log_raw(l, (const char *)&v[i], 1);
	}
	if (trunc)
		log_raw(l, "...", 3);
	if (quote)
		log_raw(l, "\"", 1);
}

void
log_begin(struct logline *l, enum log_level lvl, const char *event)
{
	struct tm	 tm;
	time_t		 sec;
	long long	 ms;
	char		 ts[96];

	l->len = 0;
	l->on = lvl >= log_threshold;
	if (!l->on)
		return;
	ms = clock_ms();
	sec = (time_t)(ms / 1000);
	gmtime_r(&sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	log_raw(l, "ts=", 3);
	log_raw(l, ts, strlen(ts));
	log_str(l, "level", log_level_names[lvl]);
	log_str(l, "prog", log_prog);
	if (log_id[0] != '\0')
		log_str(l, "req", log_id);
	log_str(l, "event", event);
}

void
log_strn(struct logline *l, const char *key, const char *val, size_t n)
{
	if (!l->on)
		return;
	log_raw(l, " ", 1);
	log_raw(l, key, strlen(key));
	log_raw(l, "=", 1);
	log_value(l, val != NULL ? val : "", val != NULL ? n : 0);
}

void
log_str(struct logline *l, const char *key, const char *val)
{
	if (l->on)
		log_strn(l, key, val, val != NULL ? strlen(val) : 0);
}

void
log_int(struct logline *l, const char *key, long long v)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", v);
	log_str(l, key, num);
}

char *
log_redact_url(const char *url, char *out, size_t outsz)
{
	const char	*p = url, *q;
	size_t		 o = 0, i, n;
	int		 in_query = 0;

	if (outsz == 0)
		return out;
	while (*p != '\0' && o + 1 < outsz) {
		if (*p == '?' || (*p == '&' && in_query) || (*p == '#')) {
			/* A fragment holds parameters too (the implicit
			 * OAuth flow returns #access_token=...&...). */
			in_query = 1;
			out[o++] = *p++;
			/* At a parameter name: is it one to redact? */
			q = p;
			while (*q != '\0' && *q != '=' && *q != '&' && *q != '#')
				q++;
			n = (size_t)(q - p);
			for (i = 0; log_redacted[i] != NULL; i++)
				if (strlen(log_redacted[i]) == n &&
				    strncmp(p, log_redacted[i], n) == 0)
					break;
			if (log_redacted[i] == NULL || *q != '=')
				continue;
			while (p <= q && o + 1 < outsz)
				out[o++] = *p++;
			for (i = 0; "REDACTED"[i] != '\0' && o + 1 < outsz; i++)
				out[o++] = "REDACTED"[i];
			while (*p != '\0' && *p != '&' && *p != '#')
				p++;
			continue;
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
	return out;
}

void
log_url(struct logline *l, const char *key, const char *url)
{
	char red[HG_LOG_VALUE_MAX * 2];

	if (!l->on)
		return;
	log_str(l, key, log_redact_url(url, red, sizeof(red)));
}

void
log_end(struct logline *l)
{
	ssize_t	 w;
	size_t	 off = 0;

	if (!l->on)
		return;
	l->text[l->len++] = '\n';
	while (off < l->len) {
		w = write(log_fd, l->text + off, l->len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	l->on = 0;
}

void
log_rate_init(struct log_rate *lr)
{
	pthread_mutex_init(&lr->mu, NULL);
	lr->sec = 0;
	lr->lines = 0;
	lr->held = 0;
}

void
log_rate_free(struct log_rate *lr)
{
	pthread_mutex_destroy(&lr->mu);
}

int
log_rate_take(struct log_rate *lr, int per_sec, long long *held)
{
	time_t	 now = time(NULL);
	int	 ok = 0;

	*held = 0;
	pthread_mutex_lock(&lr->mu);
	if (now != lr->sec) {
		lr->sec = now;
		lr->lines = 0;
	}
	if (lr->lines < per_sec) {
		lr->lines++;
		*held = lr->held;
		lr->held = 0;
		ok = 1;
	} else
		lr->held++;
	pthread_mutex_unlock(&lr->mu);
	return ok;
}

void
log_msg(enum log_level lvl, const char *event, const char *msg)
{
	struct logline l;

	log_begin(&l, lvl, event);
	log_str(&l, "msg", msg);
	log_end(&l);
}
