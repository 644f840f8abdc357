/*
 * Unit tests for lib/store/db_ops: the events of a scope (a workspace's
 * channels; unrouted ones for operators only), every filter, keyset
 * pages that stay stable while events arrive, counts, one event with
 * what it produced, retry, requeue and replay with their counts and
 * confirmations, deletion that keeps messages, dead letters by error,
 * channels connected by either path routing their earlier events, an
 * event shared by two workspaces (each sees its own channel, neither
 * its body nor may act on it), no deletion under a worker's lease, and
 * requeue and replay counted to HG_REQUEUE_MAX + 1 while another
 * connection holds the write lock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "db_channel.h"
#include "db_event.h"
#include "db_user.h"
#include "events.h"
#include "limits.h"
#include "queue.h"
#include "test.h"

static char	 dir[512];
static char	 err[1024];
static struct conf *conf;
static int	 serial;

static struct db *
open_db(void)
{
	char		 text[1024];
	struct db	*d;

	snprintf(text, sizeof(text), "db_path = %s/o.db\n", dir);
	if ((conf = conf_load_string(text, "t.conf", err, sizeof(err))) == NULL ||
	    (d = db_open(conf, 0, err, sizeof(err))) == NULL) {
		printf("#   open: %s\n", err);
		exit(1);
	}
	return d;
}

/* Store an event: object, its entry ids (JSON array text), routing,
 * first channel, state, arrival; body given or made up.  Its id. */
static long long
ins(struct db *d, const char *object, const char *entries,
    enum event_routing routing, long long channel, enum event_state state,
    long long received_ms, const char *body)
{
	struct db_event	 e;
	char		 made[256], sha[65];
	long long	 id = 0;

	serial++;
	snprintf(made, sizeof(made), "{\"object\":\"%s\",\"n\":%d}",
	    object != NULL ? object : "x", serial);
	snprintf(sha, sizeof(sha), "%064d", serial);
	memset(&e, 0, sizeof(e));
	e.body = body != NULL ? body : made;
	e.len = strlen(e.body);
	e.sha256 = sha;
	e.signature = "sha256=00";
	e.received_ms = received_ms;
	e.sent_ms = serial;
	e.object = object;
	e.entry_ids = entries;
	e.phone_ids = "[]";
	e.routing = routing;
	e.channel_id = channel;
	e.state = state;
	if (db_event_insert(d, &e, &id) != 1)
		printf("#   insert: %s\n", db_errmsg(d));
	return id;
}

struct ids {
	int		 n;
	long long	 id[512];
	char		 s[4096];
};

static void
collect(void *arg, const struct db_event_row *r)
{
	struct ids	*o = arg;
	size_t		 len = strlen(o->s);

	if (o->n < 512)
		o->id[o->n++] = r->id;
	snprintf(o->s + len, sizeof(o->s) - len, "%s%lld", len > 0 ? "," : "",
	    r->id);
}

/* The ids a list gives, as "5,3,1" (one page of 200). */
static const char *
list(struct db *d, long long ws, int op, const struct db_event_filter *f)
{
	static struct ids	 o;
	struct db_scope		 sc = { ws, op };
	long long		 next;

	memset(&o, 0, sizeof(o));
	if (db_event_list(d, &sc, f, 0, 200, collect, &o, &next) == -1)
		return "(error)";
	return o.s;
}

static long long ch1, ch2, ws2;
static long long e_a1, e_a2, e_b1, e_un, e_dead1, e_dead2, e_dead3, e_fail;
static long long e_wa;

/* A queue step that fails the events named in arg (0-ended), with
 * "boom" and their id's parity, and processes nothing else. */
static int
step(struct db *d, long long id, const char *body, size_t len,
    long long now_ms, void *arg, char *e, size_t esz)
{
	const long long *fail = arg;

	for (; *fail != 0; fail++)
		if (*fail == id) {
			snprintf(e, esz, "boom %s", id == e_dead3 ? "B" : "A");
			return -1;
		}
	return 0;
}

/* Run the queue once with steps retries before a dead letter, failing
 * the events of fail and doing nothing with the others, or (fail NULL)
 * processing them for real. */
static void
run_queue(struct db *d, int steps, long long *fail)
{
	struct queue_opts	 o;
	struct queue_stats	 st;

	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	o.lease_ms = 60000;
	o.budget_ms = 5000;
	o.batch = 16;
	o.nschedule = steps;
	o.schedule[0] = 3600;
	o.fn = fail != NULL ? step : NULL;	/* NULL: events_process */
	o.fn_arg = fail;
	if (queue_run(d, &o, &st) == -1)
		printf("#   queue_run: %s\n", db_errmsg(d));
}

static void
setup(struct db *d)
{
	long long n, fail[4];

	OK(db_workspace_add(d, "Two", 100, &ws2) == 0, "a second workspace");
	OK(db_channel_add(d, "page", "P1", "Page One", &ch1) == 0, "channel 1");
	OK(db_channel_connect(d, ws2, "page", "P2", "Page Two", &ch2, &n) == 1,
	    "channel 2 in workspace 2");
	e_a1 = ins(d, "page", "[\"P1\"]", ROUTING_ROUTED, ch1, EVENT_PROCESSED,
	    1000, NULL);
	e_b1 = ins(d, "page", "[\"P2\"]", ROUTING_ROUTED, ch2, EVENT_PROCESSED,
	    2000, NULL);
	e_un = ins(d, "page", "[\"P9\"]", ROUTING_UNROUTED, 0, EVENT_PROCESSED,
	    3000, NULL);
	e_dead1 = ins(d, "page", "[\"P1\"]", ROUTING_ROUTED, ch1,
	    EVENT_PENDING, 4000, NULL);
	e_dead2 = ins(d, "page", "[\"P1\"]", ROUTING_ROUTED, ch1,
	    EVENT_PENDING, 5000, NULL);
	e_dead3 = ins(d, "page", "[\"P1\"]", ROUTING_ROUTED, ch1,
	    EVENT_PENDING, 5500, NULL);
	fail[0] = e_dead1;
	fail[1] = e_dead2;
	fail[2] = e_dead3;
	fail[3] = 0;
	run_queue(d, 0, fail);
	e_fail = ins(d, "page", "[\"P1\"]", ROUTING_ROUTED, ch1,
	    EVENT_PENDING, 6000, NULL);
	fail[0] = e_fail;
	fail[1] = 0;
	run_queue(d, 1, fail);
	e_wa = ins(d, "whatsapp_business_account", "[\"W1\"]",
	    ROUTING_UNROUTED, 0, EVENT_PROCESSED, 7000, NULL);
	e_a2 = ins(d, "instagram", "[\"P1\"]", ROUTING_ROUTED, ch1,
	    EVENT_PROCESSED, 8000, NULL);
}

static char want[512];

/* "a,b,c" of ids. */
static const char *
ids(int n, ...)
{
	va_list	 ap;
	size_t	 len = 0;
	int	 i;

	want[0] = '\0';
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		snprintf(want + len, sizeof(want) - len, "%s%lld",
		    i > 0 ? "," : "", va_arg(ap, long long));
		len = strlen(want);
	}
	va_end(ap);
	return want;
}

static void
test_scope_and_filters(struct db *d)
{
	struct db_event_filter	 f;
	struct db_scope		 sc = { 1, 0 };
	long long		 n;

	db_filter_init(&f);
	EQ_STR(list(d, 1, 0, &f), ids(6, e_a2, e_fail, e_dead3, e_dead2,
	    e_dead1, e_a1), "workspace 1: its channel's events, newest first");
	EQ_STR(list(d, 1, 1, &f), ids(8, e_a2, e_wa, e_fail, e_dead3, e_dead2,
	    e_dead1, e_un, e_a1), "an operator sees the unrouted ones too");
	EQ_STR(list(d, ws2, 0, &f), ids(1, e_b1), "workspace 2: its own only");
	EQ_STR(list(d, ws2, 1, &f), ids(3, e_wa, e_un, e_b1),
	    "an operator in workspace 2: its own and the unrouted");

	f.state = EVENT_DEAD_LETTER;
	EQ_STR(list(d, 1, 0, &f), ids(3, e_dead3, e_dead2, e_dead1),
	    "state dead_letter");
	EQ_INT(db_event_count(d, &sc, &f, &n), 1, "a state's count is cheap");
	EQ_INT(n, 3, "three dead letters");
	f.state = EVENT_FAILED;
	EQ_STR(list(d, 1, 0, &f), ids(1, e_fail), "state failed");
	f.state = EVENT_PROCESSED;
	EQ_STR(list(d, 1, 0, &f), ids(2, e_a2, e_a1), "state processed");
	EQ_INT(db_event_count(d, &sc, &f, &n), 1,
	    "processed: counted from the summaries");
	EQ_INT(n, 2, "two processed in workspace 1");
	db_filter_init(&f);
	EQ_INT(db_event_count(d, &sc, &f, &n), 1, "no filter: counted");
	EQ_INT(n, 6, "workspace 1's six");
	sc.operator = 1;
	EQ_INT(db_event_count(d, &sc, &f, &n), 1, "an operator's count");
	EQ_INT(n, 8, "with the two unrouted");
	f.platform = PLATFORM_OTHER;
	EQ_INT(db_event_count(d, &sc, &f, &n) == 1 && n == 0, 1,
	    "platform other: none");
	f.platform = PLATFORM_WHATSAPP;
	EQ_INT(db_event_count(d, &sc, &f, &n) == 1 && n == 1, 1,
	    "platform whatsapp: the unrouted one");
	sc.operator = 0;
	db_filter_init(&f);
	f.since_ms = 1;
	EQ_INT(db_event_count(d, &sc, &f, &n) == 1 && n == 6, 1,
	    "since: counted by whole hours (all are in hour 0)");
	f.since_ms = 2 * 3600000LL;
	EQ_INT(db_event_count(d, &sc, &f, &n) == 1 && n == 0, 1,
	    "since two hours in: none");
	f.since_ms = 0;
	f.q = "P1";
	EQ_INT(db_event_count(d, &sc, &f, &n), 0, "q: the summaries cannot tell");
	db_filter_init(&f);
	f.channel = ch1;
	EQ_INT(db_event_count(d, &sc, &f, &n), 0,
	    "a channel: the summaries cannot tell");
	db_filter_init(&f);
	f.platform = PLATFORM_INSTAGRAM;
	EQ_STR(list(d, 1, 0, &f), ids(1, e_a2), "platform instagram");
	f.platform = PLATFORM_WHATSAPP;
	EQ_STR(list(d, 1, 1, &f), ids(1, e_wa), "platform whatsapp (operator)");
	EQ_STR(list(d, 1, 0, &f), "", "platform whatsapp: none routed here");
	db_filter_init(&f);
	f.routing = ROUTING_UNROUTED;
	EQ_STR(list(d, 1, 1, &f), ids(2, e_wa, e_un), "routing unrouted");
	EQ_STR(list(d, 1, 0, &f), "", "unrouted: not for a non-operator");
	sc.operator = 1;
	EQ_INT(db_event_count(d, &sc, &f, &n), 1, "unrouted counted");
	EQ_INT(n, 2, "two unrouted");
	sc.operator = 0;
	db_filter_init(&f);
	f.channel = ch1;
	EQ_STR(list(d, 1, 0, &f), ids(6, e_a2, e_fail, e_dead3, e_dead2,
	    e_dead1, e_a1), "channel 1");
	f.channel = ch2;
	EQ_STR(list(d, 1, 0, &f), "", "another workspace's channel: nothing");
	db_filter_init(&f);
	f.since_ms = 4000;
	f.until_ms = 6000;
	EQ_STR(list(d, 1, 0, &f), ids(3, e_dead3, e_dead2, e_dead1),
	    "since inclusive, until exclusive");
	f.state = EVENT_DEAD_LETTER;
	f.since_ms = 5000;
	EQ_STR(list(d, 1, 0, &f), ids(2, e_dead3, e_dead2), "time and state");
	db_filter_init(&f);
	f.q = "P9";
	EQ_STR(list(d, 1, 1, &f), "", "q: an account no channel has: none "
	    "(accounts are found through the channel table)");
	f.q = "P1";
	EQ_STR(list(d, 1, 0, &f), ids(6, e_a2, e_fail, e_dead3, e_dead2,
	    e_dead1, e_a1), "q: a channel's account: its events");
	f.q = "P2";
	EQ_STR(list(d, 1, 0, &f), "", "q: another workspace's account: none");
	snprintf(want, sizeof(want), "%lld", e_dead2);
	f.q = want;
	EQ_STR(list(d, 1, 0, &f), ids(1, e_dead2), "q: an event id");
	snprintf(want, sizeof(want), "%lld", e_b1);
	f.q = want;
	EQ_STR(list(d, 1, 0, &f), "", "q: another workspace's event id: none");
}

/* Pages of two, with new events arriving between them: every event
 * once, in order, the new ones not shifting anything. */
static void
test_pages(struct db *d)
{
	struct db_event_filter	 f;
	struct db_scope		 sc = { 1, 1 };
	struct ids		 o;
	long long		 before = 0, next, first;
	int			 pages = 0, i;
	char			 all[4096];

	db_filter_init(&f);
	snprintf(all, sizeof(all), "%s", list(d, 1, 1, &f));
	memset(&o, 0, sizeof(o));
	do {
		if (db_event_list(d, &sc, &f, before, 2, collect, &o,
		    &next) == -1)
			break;
		ins(d, "page", "[\"P1\"]", ROUTING_ROUTED, ch1,
		    EVENT_PROCESSED, 9000 + pages, NULL);
		before = next;
		pages++;
	} while (next != 0 && pages < 20);
	EQ_STR(o.s, all, "pages while events arrive: each event once, in order");
	EQ_INT(pages, 4, "eight events in four pages of two");
	first = 0;
	memset(&o, 0, sizeof(o));
	OK(db_event_list(d, &sc, &f, 0, 2, collect, &o, &next) == 0,
	    "the first page again");
	for (i = 0; i < 2; i++)
		first = o.id[0];
	OK(first > e_a2, "the first page now starts with the newest arrival");
	f.state = EVENT_DEAD_LETTER;
	memset(&o, 0, sizeof(o));
	OK(db_event_list(d, &sc, &f, 0, 2, collect, &o, &next) == 0 &&
	    next == e_dead2, "a filtered page's cursor is its last row");
	OK(db_event_list(d, &sc, &f, next, 2, collect, &o, &next) == 0 &&
	    next == 0, "the last filtered page has no next");
	EQ_STR(o.s, ids(3, e_dead3, e_dead2, e_dead1),
	    "filtered pages: each dead letter once");
}

struct got {
	char	 s[2048];
};

/* Append a formatted piece to g. */
#define ADD(g, ...) snprintf((g)->s + strlen((g)->s), \
	sizeof((g)->s) - strlen((g)->s), __VA_ARGS__)

static void
row_cb(void *arg, const struct db_event_row *r)
{
	struct got *g = arg;

	ADD(g, "%s/%lld %s/%lld body=%zu", r->state, r->attempts, r->routing,
	    r->size, r->body_len);
}

static void
att_cb(void *arg, long long n, long long at, const char *e)
{
	ADD((struct got *)arg, " attempt:%s#%lld", e, n);
}

static void
chan_cb(void *arg, long long id, const char *kind, const char *name)
{
	ADD((struct got *)arg, " channel:%s", name);
}

static void
msg_cb(void *arg, long long id, long long conv, const char *dirn,
    const char *kind, const char *mid, const char *text)
{
	ADD((struct got *)arg, " message:%s#%d", mid, conv > 0);
}

static void
feed_cb(void *arg, long long id, const char *meta, const char *item,
    const char *status)
{
	ADD((struct got *)arg, " feed:%s", meta);
}

static void
unh_cb(void *arg, const char *object, const char *type)
{
	ADD((struct got *)arg, " unhandled:%s", type);
}

static const char *
parts(struct db *d, long long ws, long long id)
{
	static struct got	 g;
	struct db_scope		 sc = { ws, 0 };
	struct db_event_parts	 p = { att_cb, chan_cb, msg_cb, feed_cb,
				    unh_cb, &g };

	memset(&g, 0, sizeof(g));
	if (db_event_parts(d, &sc, id, &p) == -1)
		return "(error)";
	return g.s;
}

static void
test_one(struct db *d)
{
	struct db_scope	 sc = { 1, 0 }, op = { ws2, 1 };
	struct got	 g;
	struct buf	 b;
	char		*body;
	size_t		 len;
	long long	 id, n;

	memset(&g, 0, sizeof(g));
	EQ_INT(db_event_get(d, &sc, e_dead1, 4, row_cb, &g), 1, "get one");
	EQ_STR(g.s, "dead_letter/1 routed/23 body=4",
	    "its state, attempts, routing, size; the body cut at body_max");
	EQ_INT(db_event_get(d, &sc, e_b1, 4, row_cb, &g), 0,
	    "another workspace's event: absent");
	EQ_INT(db_event_get(d, &sc, e_un, 4, row_cb, &g), 0,
	    "an unrouted event: absent for a non-operator");
	memset(&g, 0, sizeof(g));
	EQ_INT(db_event_get(d, &op, e_un, 100, row_cb, &g), 1,
	    "an unrouted event: there for an operator in any workspace");
	EQ_STR(parts(d, 1, e_dead1), " attempt:boom A#1 channel:Page One",
	    "its failed attempt and its channel");

	/* What a real event produced, and that deleting it keeps it. */
	body = test_fixture("messenger-text.json", &len);
	OK(db_channel_add(d, "page", "104857600000001", "Shop", &n) == 0,
	    "the payload's Page");
	id = ins(d, "page", "[\"104857600000001\"]", ROUTING_ROUTED, n,
	    EVENT_PENDING, 20000, body);
	OK(events_process(d, id, body, len, 20000) == 0, "processed");
	EQ_STR(parts(d, 1, id), " channel:Shop "
	    "message:m_AbCdEf0123456789-first#1", "the message it produced");
	EQ_STR(parts(d, ws2, id), "", "nothing of it for another workspace");
	buf_init(&b, 1 << 20);
	EQ_INT(db_event_raw(d, &sc, id, &b), 1, "its raw body");
	OK(b.len == len && memcmp(b.data, body, len) == 0, "byte for byte");
	buf_reset(&b);
	EQ_INT(db_event_raw(d, &op, id, &b), 0, "not from another workspace");
	EQ_INT(db_event_delete(d, &op, id), 0,
	    "another workspace cannot delete it");
	EQ_INT(db_event_delete(d, &sc, id), 1, "deleted");
	EQ_INT(db_event_get(d, &sc, id, 4, row_cb, &g), 0, "gone");
	EQ_INT(db_event_delete(d, &sc, id), 0, "deleting again: absent");
	/* The message stays, unlinked. */
	{
		struct db_event_filter	 f;

		db_filter_init(&f);
		f.q = "m_AbCdEf0123456789-first";
		EQ_STR(list(d, 1, 0, &f), "",
		    "the message's event is no more");
	}
	buf_free(&b);
	free(body);
}

static void
test_actions(struct db *d)
{
	struct db_event_filter	 f;
	struct db_scope		 sc = { 1, 0 }, other = { ws2, 0 };
	enum event_state	 s;
	long long		 list_ids[3], count, done;

	EQ_INT(db_event_retry(d, &other, e_dead1, &s), 0,
	    "retry from another workspace: absent");
	EQ_INT(db_event_retry(d, &sc, e_a1, &s), 2, "retry a processed one: 2");
	EQ_INT(s, EVENT_PROCESSED, "and its state said");
	EQ_INT(db_event_retry(d, &sc, e_dead1, &s), 1, "retry a dead letter");
	db_filter_init(&f);
	f.state = EVENT_PENDING;
	EQ_STR(list(d, 1, 0, &f), ids(1, e_dead1), "it is pending");
	run_queue(d, 0, (long long[]){ 0 });
	f.state = EVENT_PROCESSED;
	OK(strstr(list(d, 1, 0, &f), ids(1, e_dead1)) != NULL,
	    "and the queue processed it");

	/* Requeue by ids: only failed and dead letters of the scope. */
	list_ids[0] = e_dead2;
	list_ids[1] = e_a1;
	list_ids[2] = e_b1;
	EQ_INT(db_event_requeue(d, &sc, list_ids, 3, NULL, -1, &count, &done),
	    0, "requeue ids without confirm");
	EQ_INT(count, 1, "one of them can be requeued");
	EQ_INT(done, 0, "nothing done without confirm");
	EQ_INT(db_event_requeue(d, &sc, list_ids, 3, NULL, 2, &count, &done),
	    0, "a wrong confirm");
	EQ_INT(done, 0, "nothing done with a wrong confirm");
	EQ_INT(db_event_requeue(d, &sc, list_ids, 3, NULL, 1, &count, &done),
	    0, "requeue ids confirmed");
	EQ_INT(done, 1, "one requeued");
	db_filter_init(&f);
	f.state = EVENT_PENDING;
	EQ_STR(list(d, 1, 0, &f), ids(1, e_dead2), "exactly that one");

	/* Requeue by filter. */
	db_filter_init(&f);
	EQ_INT(db_event_requeue(d, &sc, NULL, 0, &f, -1, &count, &done), 0,
	    "requeue every failed and dead letter");
	EQ_INT(count, 2, "a dead letter and a failed one");
	EQ_INT(db_event_requeue(d, &other, NULL, 0, &f, -1, &count, &done), 0,
	    "in workspace 2");
	EQ_INT(count, 0, "none there");
	f.state = EVENT_DEAD_LETTER;
	EQ_INT(db_event_requeue(d, &sc, NULL, 0, &f, 1, &count, &done), 0,
	    "requeue the dead letters, confirmed");
	EQ_INT(count * 10 + done, 11, "one counted, one requeued");
	f.state = EVENT_PROCESSED;
	EQ_INT(db_event_requeue(d, &sc, NULL, 0, &f, -1, &count, &done), 0,
	    "requeue asking for processed ones");
	EQ_INT(count, 0, "only failed and dead letters are requeued");
	db_filter_init(&f);
	f.state = EVENT_PENDING;
	EQ_STR(list(d, 1, 0, &f), ids(2, e_dead3, e_dead2), "both pending");
	run_queue(d, 0, (long long[]){ 0 });

	/* Replay a time range of processed events. */
	EQ_INT(db_event_replay(d, &sc, 1000, 5000, -1, &count, &done), 0,
	    "replay without confirm");
	EQ_INT(count, 2, "the processed ones of [1000, 5000) in scope");
	EQ_INT(done, 0, "nothing done yet");
	EQ_INT(db_event_replay(d, &sc, 1000, 5000, 2, &count, &done), 0,
	    "replay confirmed");
	EQ_INT(done, 2, "two replayed");
	EQ_STR(list(d, 1, 0, &f), ids(2, e_dead1, e_a1),
	    "they are pending; the unrouted and workspace 2's are not");
	run_queue(d, 0, (long long[]){ 0 });
	EQ_STR(list(d, 1, 0, &f), "", "and processed again");
}

static void
dead_cb(void *arg, const char *e, long long n, long long first, long long last,
    long long sample)
{
	struct got	*g = arg;
	size_t		 len = strlen(g->s);

	snprintf(g->s + len, sizeof(g->s) - len, "%s%s:%lld:%lld-%lld:%d",
	    len > 0 ? "," : "", e, n, first, last, sample == e_dead2);
}

static void
test_dead_letters(struct db *d)
{
	struct db_scope	 sc = { 1, 0 }, other = { ws2, 0 };
	struct got	 g;

	memset(&g, 0, sizeof(g));
	OK(db_dead_letters(d, &sc, dead_cb, &g) == 0, "dead letters grouped");
	EQ_STR(g.s, "boom A:2:4000-5000:1,boom B:1:5500-5500:0",
	    "by error, largest first, with times and the newest as sample");
	memset(&g, 0, sizeof(g));
	OK(db_dead_letters(d, &other, dead_cb, &g) == 0 && g.s[0] == '\0',
	    "none in workspace 2");
}

/* Channels connected later route the events that named them. */
/* Channel id's last_event_at, through db_channel_list of workspace 1. */
struct last_seen {
	long long	 id, at;
};

static void
last_cb(void *arg, const struct db_channel_row *c)
{
	struct last_seen *l = arg;

	if (c->id == l->id)
		l->at = c->last_event_at;
}

static long long
last_event(struct db *d, long long id)
{
	struct last_seen l = { id, -1 };

	if (db_channel_list(d, 1, last_cb, &l) == -1)
		return -2;
	return l.at;
}

static void
test_reroute(struct db *d)
{
	struct db_event_filter	 f;
	struct db_scope		 sc = { 1, 0 };
	struct got		 g;
	char			*body;
	size_t			 len;
	long long		 id, two, ch, chb, n;

	body = test_fixture("instagram-text.json", &len);
	id = ins(d, "instagram", "[\"17841400000000001\"]", ROUTING_UNROUTED,
	    0, EVENT_PENDING, 30000, body);
	OK(events_process(d, id, body, len, 30000) == 0,
	    "an unrouted event processed (into the unhandled ledger)");
	OK(db_event_retry(d, &sc, id, NULL) == 0, "(not in any workspace)");
	two = ins(d, "page", "[\"P5\",\"P6\"]", ROUTING_UNROUTED, 0,
	    EVENT_PROCESSED, 30001, NULL);
	OK(db_begin(d) == 0, "begin");
	EQ_INT(db_channel_connect(d, 1, "page", "P5", "Five", &ch, &n), 1,
	    "connect P5");
	EQ_INT(n, 1, "one earlier event routed to it");
	EQ_INT(last_event(d, ch), 30, "its last event: that one's arrival "
	    "(30001 ms)");
	EQ_INT(db_channel_connect(d, 1, "page", "P5", "Again", &ch, &n), 0,
	    "connected already: 0");
	OK(db_commit(d) == 0, "commit");
	memset(&g, 0, sizeof(g));
	EQ_INT(db_event_get(d, &sc, two, 0, row_cb, &g), 1,
	    "the event is in the workspace now");
	EQ_STR(g.s, "pending/1 partial/24 body=0",
	    "partial (P6 is not connected) and pending again");
	EQ_INT(db_channel_add(d, "page", "P6", "Six", &chb), 0,
	    "channel-add's path: P6");
	memset(&g, 0, sizeof(g));
	OK(db_event_get(d, &sc, two, 0, row_cb, &g) == 1, "get it");
	EQ_STR(g.s, "pending/1 routed/24 body=0",
	    "every account connected: routed");
	EQ_STR(parts(d, 1, two), " channel:Five channel:Six",
	    "both channels");
	EQ_INT(db_channel_add(d, "instagram", "17841400000000001", "IG", &ch), 0,
	    "connect the Instagram account through db_channel_add");
	db_filter_init(&f);
	f.routing = ROUTING_UNROUTED;
	EQ_STR(list(d, 1, 1, &f), ids(2, e_wa, e_un),
	    "the instagram event is no longer unrouted");
	run_queue(d, 0, NULL);
	f.routing = -1;
	f.q = "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAw";
	EQ_STR(list(d, 1, 0, &f), ids(1, id),
	    "processed again: its message exists, found by its mid");
	free(body);
}

/* What one_cb saw of an event. */
struct seen {
	long long	 channel_id;
	char		 channel_name[64];
	int		 shared, body;
};

static void
one_cb(void *arg, const struct db_event_row *r)
{
	struct seen *s = arg;

	s->channel_id = r->channel_id;
	snprintf(s->channel_name, sizeof(s->channel_name), "%s",
	    r->channel_name != NULL ? r->channel_name : "(null)");
	s->shared = r->shared;
	s->body = r->body != NULL;
}

/* A batch for accounts of two workspaces: each sees its own channel,
 * neither its body (it names the other's customers) unless an
 * operator, and neither may act on it alone. */
static void
test_shared(struct db *d)
{
	struct db_event_filter	 f;
	struct db_scope		 one = { 1, 0 }, two = { ws2, 0 };
	struct db_scope		 op = { ws2, 1 };
	struct seen		 s;
	struct buf		 b;
	enum event_state	 st;
	long long		 ev, dead, list_ids[1], count, done;
	char			 q[32];

	ev = ins(d, "page", "[\"P1\",\"P2\"]", ROUTING_ROUTED, ch1,
	    EVENT_PROCESSED, 40000, NULL);
	dead = ins(d, "page", "[\"P1\",\"P2\"]", ROUTING_ROUTED, ch1,
	    EVENT_DEAD_LETTER, 40001, NULL);
	OK(db_event_route(d, ev, ch2) == 0 && db_event_route(d, dead, ch2) == 0,
	    "both routed to workspace 2's channel too");
	memset(&s, 0, sizeof(s));
	EQ_INT(db_event_get(d, &two, ev, 100, one_cb, &s), 1,
	    "workspace 2 sees the event");
	EQ_INT(s.channel_id, ch2, "as its own channel's");
	EQ_STR(s.channel_name, "Page Two", "named as its own channel");
	EQ_INT(s.shared, 1, "marked shared");
	EQ_INT(s.body, 0, "its body withheld");
	db_filter_init(&f);
	snprintf(q, sizeof(q), "%lld", ev);
	f.q = q;
	{
		struct ids	 o;
		struct db_scope	 sc = two;
		long long	 next;

		memset(&o, 0, sizeof(o));
		memset(&s, 0, sizeof(s));
		OK(db_event_list(d, &sc, &f, 0, 10, one_cb, &s, &next) == 0,
		    "listed in workspace 2");
		EQ_STR(s.channel_name, "Page Two",
		    "the list names workspace 2's channel, not 1's");
	}
	memset(&s, 0, sizeof(s));
	EQ_INT(db_event_get(d, &one, ev, 100, one_cb, &s), 1,
	    "workspace 1 sees it");
	EQ_INT(s.channel_id * 10 + s.body, ch1 * 10, "its channel, no body");
	memset(&s, 0, sizeof(s));
	EQ_INT(db_event_get(d, &op, ev, 100, one_cb, &s), 1,
	    "an operator sees it");
	EQ_INT(s.body, 1, "with its body");
	buf_init(&b, 1 << 16);
	EQ_INT(db_event_raw(d, &two, ev, &b), 0, "/body: withheld");
	EQ_INT(db_event_raw(d, &op, ev, &b), 1, "/body: an operator's");
	buf_free(&b);
	EQ_INT(db_event_delete(d, &two, ev), 3, "workspace 2 cannot delete it");
	EQ_INT(db_event_delete(d, &one, ev), 3, "nor workspace 1 alone");
	EQ_INT(db_event_replay(d, &two, 40000, 40002, 1, &count, &done), 0,
	    "replay workspace 2's range");
	EQ_INT(count * 10 + done, 0, "the shared event is passed over");
	EQ_INT(db_event_retry(d, &two, dead, &st), 3, "retry: shared (3)");
	list_ids[0] = dead;
	EQ_INT(db_event_requeue_count(d, &two, list_ids, 1, NULL, &count), 2,
	    "requeue by id: shared (2)");
	EQ_INT(db_event_requeue(d, &two, list_ids, 1, NULL, 1, &count, &done),
	    2, "and refused in the transaction too");
	db_filter_init(&f);
	f.state = EVENT_DEAD_LETTER;
	f.since_ms = 40000;
	EQ_INT(db_event_requeue_count(d, &two, NULL, 0, &f, &count), 0,
	    "requeue by filter");
	EQ_INT(count, 0, "passes over the shared dead letter");
	EQ_INT(db_event_delete(d, &op, dead) == 3 &&
	    db_event_delete(d, &op, ev) == 3, 1, "deleted by nobody");
}

/* An event a worker holds cannot be deleted under it. */
static void
test_delete_processing(struct db *d)
{
	struct db_scope	 sc = { 1, 0 };
	long long	 ev;

	ev = ins(d, "page", "[\"P1\"]", ROUTING_ROUTED, ch1,
	    EVENT_PROCESSING, 41000, NULL);
	EQ_INT(db_event_delete(d, &sc, ev), 2, "processing: 2 (409)");
}

/* Counts for requeue and replay stop at HG_REQUEUE_MAX + 1 and need no
 * write lock. */
static void
test_bounded_counts(struct db *d)
{
	struct db_event_filter	 f;
	struct db_scope		 sc = { 1, 0 };
	struct db		*d2;
	char			 text[1024];
	struct conf		*c2;
	long long		 count, done;
	int			 i;

	OK(db_begin(d) == 0, "begin");
	for (i = 0; i < HG_REQUEUE_MAX + 12; i++)
		ins(d, "page", "[\"P1\"]", ROUTING_ROUTED, ch1,
		    i < HG_REQUEUE_MAX + 2 ? EVENT_PROCESSED : EVENT_FAILED,
		    50000 + i, NULL);
	OK(db_commit(d) == 0, "commit");
	snprintf(text, sizeof(text), "db_path = %s/o.db\n", dir);
	c2 = conf_load_string(text, "t2.conf", err, sizeof(err));
	d2 = c2 != NULL ? db_open(c2, 0, err, sizeof(err)) : NULL;
	OK(d2 != NULL && db_begin(d2) == 0,
	    "another connection holds the write lock");
	EQ_INT(db_event_replay_count(d, &sc, 50000, 60000, &count), 0,
	    "a replay is counted meanwhile");
	EQ_INT(count, HG_REQUEUE_MAX + 1, "to HG_REQUEUE_MAX + 1 at most");
	db_filter_init(&f);
	f.state = EVENT_FAILED;
	f.since_ms = 50000;
	EQ_INT(db_event_requeue_count(d, &sc, NULL, 0, &f, &count), 0,
	    "a requeue is counted meanwhile");
	EQ_INT(count, 10, "every failed one");
	if (d2 != NULL) {
		db_rollback(d2);
		db_close(d2);
	}
	conf_free(c2);
	EQ_INT(db_event_replay(d, &sc, 50000, 60000, HG_REQUEUE_MAX + 1,
	    &count, &done), 0, "a replay of more than the maximum");
	EQ_INT(done, 0, "does nothing");
}

int
main(void)
{
	struct db *d;

	snprintf(dir, sizeof(dir), "%s/hg-dbops-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	d = open_db();
	setup(d);
	test_scope_and_filters(d);
	test_pages(d);
	test_one(d);
	test_dead_letters(d);
	test_actions(d);
	test_reroute(d);
	test_shared(d);
	test_delete_processing(d);
	test_bounded_counts(d);
	db_close(d);
	conf_free(conf);
	test_rm_db(dir, "o.db");
	return test_done();
}
