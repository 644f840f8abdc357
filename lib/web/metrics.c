/*
 * metrics: the Prometheus text of the counters and the queue.  See
 * metrics.h.
 */
#include <string.h>

#include "app.h"
#include "buf.h"
#include "clock.h"
#include "committer.h"
#include "conf.h"
#include "db.h"
#include "db_event.h"
#include "db_queue.h"
#include "http.h"
#include "https.h"
#include "metrics.h"
#include "version.h"

#define METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* The states still to be worked on, as /health reports them. */
static const enum event_state metrics_states[] = { EVENT_PENDING,
    EVENT_PROCESSING, EVENT_FAILED, EVENT_DEAD_LETTER, EVENT_INVALID };
#define METRICS_NSTATES	(sizeof(metrics_states) / sizeof(metrics_states[0]))

/* What the database says, gathered before anything is written. */
struct metrics_queue {
	long long	 n[EVENT_STATE__MAX];
	long long	 oldest_pending_ms;	/* 0: none pending */
};

int
metrics_open(const struct conf *c, const struct req *r)
{
	if (c == NULL || strcmp(conf_get(c, "metrics_loopback"), "yes") != 0)
		return 0;
	return https_loopback(r->remote) && !https_trusted_proxy(r, c);
}

/* A counter family: the name made a metric name (anything but a letter
 * or digit becomes '_'), then _total. */
static void
metrics_counter_out(struct buf *b, const char *name, long long v)
{
	char	 m[128];
	size_t	 i;

	for (i = 0; i < sizeof(m) - 1 && name[i] != '\0'; i++)
		m[i] = (name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') ? name[i] : '_';
	m[i] = '\0';
	buf_printf(b, "# TYPE hubgate_%s_total counter\n"
	    "hubgate_%s_total %lld\n", m, m, v);
}

/* What metrics_counter gathers. */
struct metrics_counters {
	struct buf	*b;
	int		 seen[INGEST_COUNTER__MAX];
};

static void
metrics_counter(void *arg, const char *name, long long v)
{
	struct metrics_counters	*mc = arg;
	int			 i;

	for (i = 0; i < INGEST_COUNTER__MAX; i++)
		if (strcmp(name, ingest_counter_names[i]) == 0)
			mc->seen[i] = 1;
	metrics_counter_out(mc->b, name, v);
}

static void
metrics_state(void *arg, enum event_state state, long long n, long long oldest)
{
	struct metrics_queue *q = arg;

	q->n[state] = n;
	if (state == EVENT_PENDING)
		q->oldest_pending_ms = oldest;
}

void
metrics_handle(const struct conf *c, struct req *r)
{
	struct metrics_counters	 mc;
	struct metrics_queue	 q;
	struct db		*d;
	struct buf		*b = &r->rbody;
	long long		 depth = 0, age;
	size_t			 i;

	if (c == NULL) {
		http_text(r, 503, "configuration did not load: see the log\n");
		return;
	}
	memset(&mc, 0, sizeof(mc));
	memset(&q, 0, sizeof(q));
	mc.b = b;
	buf_reset(b);
	if ((d = app_db(c)) == NULL ||
	    db_queue_states(d, metrics_state, &q) == -1 ||
	    db_counter_each(d, metrics_counter, &mc) == -1) {
		if (d != NULL)
			app_db_close();
		http_text(r, 503, "database unavailable\n");
		return;
	}
	for (i = 0; i < INGEST_COUNTER__MAX; i++)
		if (!mc.seen[i])
			metrics_counter_out(b, ingest_counter_names[i], 0);
	buf_puts(b, "# HELP hubgate_queue_events Stored events by state "
	    "(those still to be worked on).\n"
	    "# TYPE hubgate_queue_events gauge\n");
	for (i = 0; i < METRICS_NSTATES; i++)
		buf_printf(b, "hubgate_queue_events{state=\"%s\"} %lld\n",
		    event_state_names[metrics_states[i]],
		    q.n[metrics_states[i]]);
	depth = q.n[EVENT_PENDING] + q.n[EVENT_FAILED];
	age = q.oldest_pending_ms > 0 ?
	    (clock_ms() - q.oldest_pending_ms) / 1000 : 0;
	buf_printf(b, "# HELP hubgate_queue_depth Events waiting to be "
	    "processed.\n# TYPE hubgate_queue_depth gauge\n"
	    "hubgate_queue_depth %lld\n"
	    "# HELP hubgate_queue_oldest_pending_age_seconds Age of the oldest "
	    "pending event.\n"
	    "# TYPE hubgate_queue_oldest_pending_age_seconds gauge\n"
	    "hubgate_queue_oldest_pending_age_seconds %lld\n"
	    "# TYPE hubgate_info gauge\n"
	    "hubgate_info{version=\"%s\"} 1\n", depth, age < 0 ? 0 : age,
	    HUBGATE_VERSION);
	if (b->err) {
		http_text(r, 500, "metrics too large\n");
		return;
	}
	http_status(r, 200);
	http_add_header(r, "Content-Type", METRICS_TYPE);
}
