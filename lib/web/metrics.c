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
#include "db_outbox.h"
#include "db_queue.h"
#include "db_stats.h"
#include "graph_error.h"
#include "http.h"
#include "https.h"
#include "metrics.h"
#include "api_tokens.h"
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

/* Counters shown in families of their own, not as hubgate_<name>_total. */
static int
metrics_own_family(const char *name)
{
	return strcmp(name, DB_COUNTER_ATTEMPTS) == 0 ||
	    strcmp(name, DB_COUNTER_FAILURES) == 0 ||
	    strncmp(name, "graph.", 6) == 0;
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
	buf_printf(b, "# HELP hubgate_%s_total The counter %s.\n"
	    "# TYPE hubgate_%s_total counter\n"
	    "hubgate_%s_total %lld\n", m, m, m, m, v);
}

/* What metrics_counter gathers. */
struct metrics_counters {
	struct buf	*b;
	long long	 ingest[INGEST_COUNTER__MAX];
	int		 seen[INGEST_COUNTER__MAX];
	long long	 attempts, failures;
	long long	 graph[GRAPH_CLASS__MAX];
};

static void
metrics_counter(void *arg, const char *name, long long v)
{
	struct metrics_counters	*mc = arg;
	int			 i;

	for (i = 0; i < INGEST_COUNTER__MAX; i++)
		if (strcmp(name, ingest_counter_names[i]) == 0) {
			mc->seen[i] = 1;
			mc->ingest[i] = v;
		}
	if (strcmp(name, DB_COUNTER_ATTEMPTS) == 0)
		mc->attempts = v;
	if (strcmp(name, DB_COUNTER_FAILURES) == 0)
		mc->failures = v;
	for (i = 0; i < GRAPH_CLASS__MAX; i++)
		if (strncmp(name, "graph.", 6) == 0 &&
		    strcmp(name + 6, graph_class_names[i]) == 0)
			mc->graph[i] = v;
	if (!metrics_own_family(name))
		metrics_counter_out(mc->b, name, v);
}

/* Every event stored, by state (all workspaces). */
static void
metrics_event_row(void *arg, const struct db_stat_row *row)
{
	long long *n = arg;

	n[row->state] += row->n;
}

static void
metrics_state(void *arg, enum event_state state, long long n, long long oldest)
{
	struct metrics_queue *q = arg;

	q->n[state] = n;
	if (state == EVENT_PENDING)
		q->oldest_pending_ms = oldest;
}

/* The families of the summaries: events by state, webhook requests by
 * result, processing attempts, failures and latency, unhandled kinds,
 * Graph calls by class. */
static void
metrics_summaries(struct buf *b, const struct metrics_counters *mc,
    const long long *events, const long long *lat, long long lat_sum_ms,
    long long kinds)
{
	long long	 cum = 0;
	int		 i;

	buf_puts(b, "# HELP hubgate_webhook_requests_total Webhook requests "
	    "by result (invalid, unrouted and unknown_object are accepted "
	    "events too).\n# TYPE hubgate_webhook_requests_total counter\n");
	for (i = 0; i < INGEST_COUNTER__MAX; i++)
		if (i != INGEST_PROCESSED_INLINE)
			buf_printf(b, "hubgate_webhook_requests_total"
			    "{result=\"%s\"} %lld\n",
			    ingest_counter_names[i] + 8, mc->ingest[i]);
	buf_puts(b, "# HELP hubgate_events Stored events by state.\n"
	    "# TYPE hubgate_events gauge\n");
	for (i = 0; i < EVENT_STATE__MAX; i++)
		buf_printf(b, "hubgate_events{state=\"%s\"} %lld\n",
		    event_state_names[i], events[i]);
	buf_printf(b, "# HELP hubgate_processing_attempts_total Processing "
	    "attempts of events (in the storing transaction and by queue "
	    "workers).\n# TYPE hubgate_processing_attempts_total counter\n"
	    "hubgate_processing_attempts_total %lld\n"
	    "# HELP hubgate_processing_failures_total Processing attempts "
	    "that failed.\n# TYPE hubgate_processing_failures_total counter\n"
	    "hubgate_processing_failures_total %lld\n"
	    "# HELP hubgate_dead_letters Events given up on.\n"
	    "# TYPE hubgate_dead_letters gauge\nhubgate_dead_letters %lld\n",
	    mc->attempts + mc->ingest[INGEST_PROCESSED_INLINE], mc->failures,
	    events[EVENT_DEAD_LETTER]);
	buf_puts(b, "# HELP hubgate_processing_latency_seconds From an "
	    "event's arrival to the end of its processing.\n"
	    "# TYPE hubgate_processing_latency_seconds histogram\n");
	for (i = 0; i < DB_LATENCY_BUCKETS; i++) {
		cum += lat[i];
		if (i < DB_LATENCY_BOUNDS)
			buf_printf(b, "hubgate_processing_latency_seconds_bucket"
			    "{le=\"%g\"} %lld\n",
			    (double)db_latency_le_ms[i] / 1000, cum);
		else
			buf_printf(b, "hubgate_processing_latency_seconds_bucket"
			    "{le=\"+Inf\"} %lld\n", cum);
	}
	buf_printf(b, "hubgate_processing_latency_seconds_sum %lld.%03lld\n"
	    "hubgate_processing_latency_seconds_count %lld\n"
	    "# HELP hubgate_unhandled_kinds Kinds of event seen but not "
	    "handled.\n# TYPE hubgate_unhandled_kinds gauge\n"
	    "hubgate_unhandled_kinds %lld\n"
	    "# HELP hubgate_graph_calls_total Graph API calls by the class "
	    "of their answer.\n# TYPE hubgate_graph_calls_total counter\n",
	    lat_sum_ms / 1000, lat_sum_ms % 1000, cum, kinds);
	for (i = 0; i < GRAPH_CLASS__MAX; i++)
		buf_printf(b, "hubgate_graph_calls_total{class=\"%s\"} %lld\n",
		    graph_class_names[i], mc->graph[i]);
}

static void
metrics_breaker(void *arg, long long channel, int open)
{
	buf_printf(arg, "hubgate_outbox_breaker_open{channel=\"%lld\"} %d\n",
	    channel, open);
}

/* The outbound queue: sends by state, and each channel's breaker (1
 * when it is not closed: sends held back).  0 or -1. */
static int
metrics_outbox(struct db *d, struct buf *b)
{
	long long	 n[OUTBOX_STATE__MAX];
	int		 i;

	if (db_outbox_depth(d, n) == -1)
		return -1;
	buf_puts(b, "# HELP hubgate_outbox_sends Outbound sends by state.\n"
	    "# TYPE hubgate_outbox_sends gauge\n");
	for (i = 0; i < OUTBOX_STATE__MAX; i++)
		buf_printf(b, "hubgate_outbox_sends{state=\"%s\"} %lld\n",
		    outbox_state_names[i], n[i]);
	buf_puts(b, "# HELP hubgate_outbox_breaker_open Whether a channel's "
	    "circuit breaker holds its sends back (open or half-open).\n"
	    "# TYPE hubgate_outbox_breaker_open gauge\n");
	return db_breaker_list(d, metrics_breaker, b);
}

void
metrics_handle(const struct conf *c, struct req *r)
{
	static const struct db_stats_scope all = { .all = 1 };
	struct metrics_counters	 mc;
	struct metrics_queue	 q;
	struct db		*d;
	struct buf		*b = &r->rbody;
	long long		 depth = 0, age, events[EVENT_STATE__MAX];
	long long		 lat[DB_LATENCY_BUCKETS], lat_sum = 0, kinds = 0;
	size_t			 i;

	if (c == NULL) {
		http_text(r, 503, "configuration did not load: see the log\n");
		return;
	}
	memset(&mc, 0, sizeof(mc));
	memset(&q, 0, sizeof(q));
	memset(events, 0, sizeof(events));
	mc.b = b;
	buf_reset(b);
	if ((d = app_db(c)) == NULL ||
	    db_queue_states(d, metrics_state, &q) == -1 ||
	    db_counter_each(d, metrics_counter, &mc) == -1 ||
	    db_stats_totals(d, &all, metrics_event_row, events) == -1 ||
	    db_stats_latency(d, &all, 0, HG_HOUR_MAX, lat, &lat_sum) == -1 ||
	    db_stats_unhandled_kinds(d, &kinds) == -1 ||
	    api_token_metrics(d, b) == -1) {
		if (d != NULL)
			app_db_close();
		buf_reset(b);
		http_text(r, 503, "database unavailable\n");
		return;
	}
	if (metrics_outbox(d, b) == -1) {
		app_db_close();
		buf_reset(b);
		http_text(r, 503, "database unavailable\n");
		return;
	}
	for (i = 0; i < INGEST_COUNTER__MAX; i++)
		if (!mc.seen[i])
			metrics_counter_out(b, ingest_counter_names[i], 0);
	metrics_summaries(b, &mc, events, lat, lat_sum, kinds);
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
	if (age < 0)
		age = 0;
	buf_printf(b, "# HELP hubgate_queue_depth Events waiting to be "
	    "processed.\n# TYPE hubgate_queue_depth gauge\n"
	    "hubgate_queue_depth %lld\n"
	    "# HELP hubgate_queue_oldest_pending_seconds Age of the oldest "
	    "pending event.\n"
	    "# TYPE hubgate_queue_oldest_pending_seconds gauge\n"
	    "hubgate_queue_oldest_pending_seconds %lld\n"
	    "# HELP hubgate_queue_oldest_pending_age_seconds Age of the oldest "
	    "pending event (the earlier name).\n"
	    "# TYPE hubgate_queue_oldest_pending_age_seconds gauge\n"
	    "hubgate_queue_oldest_pending_age_seconds %lld\n"
	    "# HELP hubgate_info The running version.\n"
	    "# TYPE hubgate_info gauge\n"
	    "hubgate_info{version=\"%s\"} 1\n", depth, age, age,
	    HUBGATE_VERSION);
	if (b->err) {
		http_text(r, 500, "metrics too large\n");
		return;
	}
	http_status(r, 200);
	http_add_header(r, "Content-Type", METRICS_TYPE);
}
