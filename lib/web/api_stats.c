/*
 * api_stats: GET /api/stats and GET /api/unhandled.  See api_stats.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "api_session.h"
#include "api_stats.h"
#include "api_fwd.h"
#include "api_tokens.h"
#include "app.h"
#include "clock.h"
#include "conf.h"
#include "db_stats.h"
#include "db_user.h"
#include "http.h"
#include "json.h"

static const struct conf *stats_conf;

const struct route_field api_stats_fields[STATS_F__MAX] = {
	[STATS_F_RANGE] = { "range", FIELD_TEXT, 1, 3, 0 },
};

void
api_stats_setup(const struct conf *c)
{
	stats_conf = c;
}

/* Everything one pass over the summary rows adds up. */
struct stats_acc {
	long long	 now_hour, today_hour, from_hour;
	int		 nhours;
	long long	 total[PLATFORM__MAX], today[PLATFORM__MAX];
	long long	 last_hour[PLATFORM__MAX];
	long long	 state[EVENT_STATE__MAX];
	long long	 invalid24, unrouted24;
	long long	 h_state[HG_STATS_HOURS_WEEK][EVENT_STATE__MAX];
	long long	 h_platform[HG_STATS_HOURS_WEEK][PLATFORM__MAX];
};

static void	stats_row(void *, const struct db_stat_row *);

/*
 * The hours before the current one change only when an old event does
 * (a retry, a requeue, a deletion): what a scope's answer adds up from
 * them is kept here for HG_STATS_PAST_CACHE_MS, per process, and only
 * the current hour and the totals are read for every request.  A
 * week's hours are a few thousand summary rows.
 */
struct stats_past {
	int		 used;
	long long	 workspace;
	int		 unowned, nhours;
	long long	 now_hour, today_hour, at_ms;
	struct stats_acc acc;		/* the past hours' rows added up */
	long long	 lat[DB_LATENCY_BUCKETS];
};
static struct stats_past	 stats_past[HG_STATS_PAST_CACHE_ENTRIES];
static pthread_mutex_t		 stats_past_lock = PTHREAD_MUTEX_INITIALIZER;

/* The kept past of scope sc for a (its hour fields set) into a and lat:
 * 1, or 0 when none is fresh. */
static int
stats_past_get(const struct db_stats_scope *sc, struct stats_acc *a,
    long long *lat, long long mono)
{
	struct stats_past	*p;
	size_t			 i;
	int			 found = 0;

	pthread_mutex_lock(&stats_past_lock);
	for (i = 0; i < HG_STATS_PAST_CACHE_ENTRIES && !found; i++) {
		p = &stats_past[i];
		if (!p->used || p->workspace != sc->workspace ||
		    p->unowned != sc->unowned || p->nhours != a->nhours ||
		    p->now_hour != a->now_hour ||
		    p->today_hour != a->today_hour ||
		    mono - p->at_ms > HG_STATS_PAST_CACHE_MS)
			continue;
		*a = p->acc;
		memcpy(lat, p->lat, sizeof(p->lat));
		found = 1;
	}
	pthread_mutex_unlock(&stats_past_lock);
	return found;
}

/* Keep the past of scope sc (a and lat), in place of the oldest. */
static void
stats_past_put(const struct db_stats_scope *sc, const struct stats_acc *a,
    const long long *lat, long long mono)
{
	struct stats_past	*p = &stats_past[0];
	size_t			 i;

	pthread_mutex_lock(&stats_past_lock);
	for (i = 1; i < HG_STATS_PAST_CACHE_ENTRIES; i++)
		if (!stats_past[i].used || (p->used &&
		    stats_past[i].at_ms < p->at_ms))
			p = &stats_past[i];
	p->used = 1;
	p->workspace = sc->workspace;
	p->unowned = sc->unowned;
	p->nhours = a->nhours;
	p->now_hour = a->now_hour;
	p->today_hour = a->today_hour;
	p->at_ms = mono;
	p->acc = *a;
	memcpy(p->lat, lat, sizeof(p->lat));
	pthread_mutex_unlock(&stats_past_lock);
}

/* The hours before the current one of scope sc into a (its hour fields
 * set) and lat, kept or read: 0 or -1. */
static int
stats_past_read(struct db *d, const struct db_stats_scope *sc,
    struct stats_acc *a, long long *lat)
{
	long long	 mono = clock_mono_ms();
	long long	 lo = a->now_hour - HG_STATS_HOURS_DAY + 1;

	if (stats_past_get(sc, a, lat, mono))
		return 0;
	/* The range, today and the last 24 hours (today began less than
	 * 24 hours ago). */
	if (a->from_hour < lo)
		lo = a->from_hour;
	if (db_stats_each(d, sc, lo, a->now_hour, stats_row, a) == -1 ||
	    db_stats_latency(d, sc, a->from_hour, a->now_hour, lat,
	    NULL) == -1)
		return -1;
	stats_past_put(sc, a, lat, mono);
	return 0;
}

/* A row of the totals (all time) or of the hours read. */
static void
stats_row(void *arg, const struct db_stat_row *row)
{
	struct stats_acc	*a = arg;
	long long		 i;

	if (row->hour < 0) {
		a->total[row->platform] += row->n;
		a->state[row->state] += row->n;
		return;
	}
	if (row->hour > a->now_hour)
		return;
	if (row->hour >= a->today_hour)
		a->today[row->platform] += row->n;
	if (row->hour == a->now_hour)
		a->last_hour[row->platform] += row->n;
	if (row->hour > a->now_hour - HG_STATS_HOURS_DAY) {
		if (row->state == EVENT_INVALID)
			a->invalid24 += row->n;
		if (row->routing == ROUTING_UNROUTED)
			a->unrouted24 += row->n;
	}
	if (row->hour >= a->from_hour) {
		i = row->hour - a->from_hour;
		a->h_state[i][row->state] += row->n;
		a->h_platform[i][row->platform] += row->n;
	}
}

/* Unix ms t in the server's local time into out: "HH:MM" on now's
 * day, "Oct 31, 17:29" on another of now's year, "Oct 31 2024, 17:29"
 * before. */
static void
stats_when(long long t, long long now, char *out, size_t outsz)
{
	time_t		 tt = (time_t)(t / 1000), tn = (time_t)(now / 1000);
	struct tm	 tm, tmn;
	char		 mon[16];

	if (localtime_r(&tt, &tm) == NULL || localtime_r(&tn, &tmn) == NULL ||
	    strftime(mon, sizeof(mon), "%b", &tm) == 0) {
		snprintf(out, outsz, "--:--");
		return;
	}
	if (tm.tm_year == tmn.tm_year && tm.tm_yday == tmn.tm_yday)
		snprintf(out, outsz, "%02d:%02d", tm.tm_hour, tm.tm_min);
	else if (tm.tm_year == tmn.tm_year)
		snprintf(out, outsz, "%s %d, %02d:%02d", mon, tm.tm_mday,
		    tm.tm_hour, tm.tm_min);
	else
		snprintf(out, outsz, "%s %d %d, %02d:%02d", mon, tm.tm_mday,
		    tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

/* A duration of s seconds in words into out: "12 min", "5 hours",
 * "30 days" (whole units, rounded down; minutes below two hours,
 * hours below two days). */
static void
stats_duration(long long s, char *out, size_t outsz)
{
	long long	 n;
	const char	*unit;

	if (s < 2 * 3600) {
		n = s / 60;
		unit = "min";
		snprintf(out, outsz, "%lld %s", n, unit);
		return;
	}
	if (s < 2 * 86400) {
		n = s / 3600;
		unit = "hours";
	} else {
		n = s / 86400;
		unit = "days";
	}
	snprintf(out, outsz, "%lld %s", n, unit);
}

/* The first hour of the server's local day of unix ms now. */
static long long
stats_today_hour(long long now)
{
	time_t		 tt = (time_t)(now / 1000);
	struct tm	 tm;

	if (localtime_r(&tt, &tm) == NULL)
		return now / DB_HOUR_MS;
	return (now / 1000 - tm.tm_hour * 3600LL - tm.tm_min * 60LL -
	    tm.tm_sec) * 1000 / DB_HOUR_MS;
}

/* A problem: severity, text and link (NULL: none). */
static void
stats_problem(cJSON *a, const char *severity, const char *text,
    const char *link)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "severity", severity);
	cJSON_AddStringToObject(p, "text", text);
	if (link != NULL)
		cJSON_AddStringToObject(p, "link", link);
	else
		cJSON_AddNullToObject(p, "link");
	cJSON_AddItemToArray(a, p);
}

/* What stats_channel needs. */
struct stats_chan {
	cJSON		*list, *problems;
	long long	 now, after_s;
};

static void
stats_channel(void *arg, const struct db_stats_channel *c)
{
	struct stats_chan	*sc = arg;
	cJSON			*j = cJSON_CreateObject();
	const char		*platform;
	char			 text[HG_WORKSPACE_NAME_MAX + 200];
	char			 link[64];
	long long		 silent = db_stats_silent_s(c, sc->now);

	platform = event_platform_names[event_platform_of_kind(c->kind)];
	json_add_int(j, "id", c->id);
	cJSON_AddStringToObject(j, "kind", c->kind);
	cJSON_AddStringToObject(j, "platform", platform);
	cJSON_AddStringToObject(j, "name", c->name);
	cJSON_AddStringToObject(j, "meta_id", c->meta_id);
	json_add_num_or_null(j, "last_event_at", c->last_event_at);
	json_add_int(j, "silent_s", silent);
	cJSON_AddItemToArray(sc->list, j);
	if (silent <= sc->after_s)
		return;
	snprintf(text, sizeof(text), "no event from %.200s for %lld h",
	    *c->name != '\0' ? c->name : c->meta_id, silent / 3600);
	snprintf(link, sizeof(link), "events.html?channel=%lld", c->id);
	stats_problem(sc->problems, "warning", text, link);
}

/* The caller's scope into sc and the database, or NULL after
 * answering 503. */
static struct db *
stats_scope(struct req *r, const struct route_ctx *cx,
    struct db_stats_scope *sc)
{
	struct db	*d;
	int		 op;

	memset(sc, 0, sizeof(*sc));
	if (stats_conf == NULL || (d = app_db(stats_conf)) == NULL ||
	    (op = api_operator(d, &cx->who)) == -1) {
		route_error(r, 503, "the database is not available");
		return NULL;
	}
	sc->workspace = cx->who.workspace;
	sc->unowned = op;
	return d;
}

/* The "events" object. */
static void
stats_events(cJSON *root, const struct stats_acc *a)
{
	cJSON		*ev = cJSON_AddObjectToObject(root, "events");
	cJSON		*byp, *p;
	long long	 t = 0, d = 0, h = 0;
	int		 i;

	for (i = 0; i < PLATFORM__MAX; i++) {
		t += a->total[i];
		d += a->today[i];
		h += a->last_hour[i];
	}
	json_add_int(ev, "today", d);
	json_add_int(ev, "last_hour", h);
	json_add_int(ev, "total", t);
	byp = cJSON_AddObjectToObject(ev, "by_platform");
	for (i = 0; i < PLATFORM__MAX; i++) {
		p = cJSON_AddObjectToObject(byp, event_platform_names[i]);
		json_add_int(p, "today", a->today[i]);
		json_add_int(p, "last_hour", a->last_hour[i]);
		json_add_int(p, "total", a->total[i]);
	}
}

/* The "hourly" array. */
static void
stats_hourly(cJSON *root, const struct stats_acc *a)
{
	cJSON		*arr = cJSON_AddArrayToObject(root, "hourly");
	cJSON		*h, *o;
	long long	 t;
	int		 i, k;

	for (i = 0; i < a->nhours; i++) {
		h = cJSON_CreateObject();
		json_add_int(h, "hour_ms", (a->from_hour + i) * DB_HOUR_MS);
		t = 0;
		for (k = 0; k < EVENT_STATE__MAX; k++)
			t += a->h_state[i][k];
		json_add_int(h, "total", t);
		o = cJSON_AddObjectToObject(h, "state");
		for (k = 0; k < EVENT_STATE__MAX; k++)
			json_add_int(o, event_state_names[k], a->h_state[i][k]);
		o = cJSON_AddObjectToObject(h, "platform");
		for (k = 0; k < PLATFORM__MAX; k++)
			json_add_int(o, event_platform_names[k], a->h_platform[i][k]);
		cJSON_AddItemToArray(arr, h);
	}
}

/* The "latency" object: counts by bucket and percentiles (the upper
 * bound of the bucket that holds them; the last bound for the rest). */
static void
stats_latency(cJSON *root, const long long *counts)
{
	static const struct { const char *name; int pct; } pcts[] = {
		{ "p50_ms", 50 }, { "p95_ms", 95 }, { "p99_ms", 99 } };
	cJSON		*l = cJSON_AddObjectToObject(root, "latency");
	cJSON		*le = cJSON_AddArrayToObject(l, "le_ms");
	cJSON		*c = cJSON_AddArrayToObject(l, "counts");
	long long	 total = 0, cum, want;
	size_t		 k;
	int		 i;

	for (i = 0; i < DB_LATENCY_BOUNDS; i++)
		cJSON_AddItemToArray(le, json_int(db_latency_le_ms[i]));
	for (i = 0; i < DB_LATENCY_BUCKETS; i++) {
		cJSON_AddItemToArray(c, json_int(counts[i]));
		total += counts[i];
	}
	for (k = 0; k < sizeof(pcts) / sizeof(pcts[0]); k++) {
		if (total == 0) {
			cJSON_AddNullToObject(l, pcts[k].name);
			continue;
		}
		want = (total * pcts[k].pct + 99) / 100;
		for (i = 0, cum = 0; i < DB_LATENCY_BOUNDS; i++)
			if ((cum += counts[i]) >= want)
				break;
		json_add_int(l, pcts[k].name, 
		    db_latency_le_ms[i < DB_LATENCY_BOUNDS ? i :
		    DB_LATENCY_BOUNDS - 1]);
	}
}

/* The "queue" object and its problems; pending and dead letters'
 * oldest from the queue's index.  0 or -1. */
static int
stats_queue(cJSON *root, cJSON *problems, struct db *d,
    const struct db_stats_scope *sc, const struct stats_acc *a,
    long long now)
{
	cJSON		*q = cJSON_AddObjectToObject(root, "queue");
	long long	 pend = 0, dead = 0, age;
	char		 text[160], when[40], dur[32];
	int		 i;

	if (db_stats_oldest(d, sc, EVENT_PENDING, &pend) == -1 ||
	    db_stats_oldest(d, sc, EVENT_DEAD_LETTER, &dead) == -1)
		return -1;
	for (i = 0; i < EVENT_STATE__MAX; i++)
		json_add_int(q, event_state_names[i], a->state[i]);
	age = pend > 0 ? (now - pend) / 1000 : 0;
	if (pend > 0)
		json_add_int(q, "oldest_pending_age_s", (age > 0 ? age : 0));
	else
		cJSON_AddNullToObject(q, "oldest_pending_age_s");
	json_add_int(q, "dead_letters", a->state[EVENT_DEAD_LETTER]);
	json_add_num_or_null(q, "dead_letters_since_ms", dead);
	if (a->state[EVENT_DEAD_LETTER] > 0) {
		stats_when(dead > 0 ? dead : now, now, when, sizeof(when));
		snprintf(text, sizeof(text), "%lld dead letter%s since %s",
		    a->state[EVENT_DEAD_LETTER],
		    a->state[EVENT_DEAD_LETTER] == 1 ? "" : "s", when);
		stats_problem(problems, "error", text, "dead-letters.html");
	}
	if (a->state[EVENT_FAILED] > 0) {
		snprintf(text, sizeof(text), "%lld failed event%s waiting "
		    "for a retry", a->state[EVENT_FAILED],
		    a->state[EVENT_FAILED] == 1 ? "" : "s");
		stats_problem(problems, "warning", text,
		    "events.html?state=failed");
	}
	if (pend > 0 && age > HG_STATS_PENDING_LATE_S) {
		stats_when(pend, now, when, sizeof(when));
		stats_duration(age, dur, sizeof(dur));
		snprintf(text, sizeof(text), "events pending for %s "
		    "(the oldest since %s)", dur, when);
		stats_problem(problems, "warning", text,
		    "events.html?state=pending");
	}
	return 0;
}

void
api_stats_get(struct req *r, const struct route_ctx *cx)
{
	static struct stats_acc	 zero;
	struct stats_acc	*a = NULL;
	struct db_stats_scope	 sc;
	struct stats_chan	 ch;
	struct db		*d;
	const char		*range = cx->v[STATS_F_RANGE].set ?
				    cx->v[STATS_F_RANGE].s : "24h";
	cJSON			*root = NULL, *l24, *problems;
	long long		 now = clock_ms(), lat[DB_LATENCY_BUCKETS];
	long long		 cur[DB_LATENCY_BUCKETS], badsig = 0, kinds = 0;
	int			 i;
	char			 text[128];

	if (strcmp(range, "24h") != 0 && strcmp(range, "7d") != 0) {
		route_error(r, 400, "range: 24h or 7d");
		return;
	}
	if ((d = stats_scope(r, cx, &sc)) == NULL)
		return;
	/* Too big for a request thread's stack. */
	if ((a = malloc(sizeof(*a))) == NULL) {
		route_error(r, 500, "out of memory");
		return;
	}
	*a = zero;
	a->now_hour = now / DB_HOUR_MS;
	a->today_hour = stats_today_hour(now);
	a->nhours = strcmp(range, "7d") == 0 ? HG_STATS_HOURS_WEEK :
	    HG_STATS_HOURS_DAY;
	a->from_hour = a->now_hour - a->nhours + 1;
	root = cJSON_CreateObject();
	problems = cJSON_CreateArray();
	/* The past hours (kept a few seconds), then the current hour and
	 * all time from the totals, read now. */
	if (stats_past_read(d, &sc, a, lat) == -1 ||
	    db_stats_totals(d, &sc, stats_row, a) == -1 ||
	    db_stats_each(d, &sc, a->now_hour, a->now_hour + 1, stats_row,
	    a) == -1 ||
	    db_stats_latency(d, &sc, a->now_hour, a->now_hour + 1, cur,
	    NULL) == -1 ||
	    db_stats_counter_since(d, "webhook.bad_signature",
	    a->now_hour - HG_STATS_HOURS_DAY + 1, &badsig) == -1 ||
	    db_stats_unhandled_kinds(d, &kinds) == -1)
		goto err;
	for (i = 0; i < DB_LATENCY_BUCKETS; i++)
		lat[i] += cur[i];
	json_add_int(root, "now_ms", now);
	if (*conf_get(stats_conf, "app_secret") == '\0')
		stats_problem(problems, "error", "the app secret is missing: "
		    "webhooks are refused", NULL);
	stats_events(root, a);
	if (stats_queue(root, problems, d, &sc, a, now) == -1)
		goto err;
	l24 = cJSON_AddObjectToObject(root, "last_24h");
	json_add_int(l24, "bad_signature", badsig);
	json_add_int(l24, "invalid", a->invalid24);
	json_add_int(l24, "unrouted", a->unrouted24);
	json_add_int(root, "unhandled_kinds", kinds);
	ch.list = cJSON_AddArrayToObject(root, "channels");
	ch.problems = problems;
	ch.now = now / 1000;
	ch.after_s = conf_get_int(stats_conf, "silent_after_s");
	if (db_stats_channels(d, sc.workspace > 0 ? sc.workspace : -1,
	    stats_channel, &ch) == -1)
		goto err;
	/* Tokens at warning or worse (api_tokens.c). */
	if (api_token_problems(d, sc.workspace, problems) == -1)
		goto err;
	/* Destinations disabled, failing or with dead letters
	 * (api_fwd.c). */
	if (api_fwd_problems(d, sc.workspace, problems) == -1)
		goto err;
	if (sc.unowned && a->unrouted24 > 0) {
		snprintf(text, sizeof(text), "%lld unrouted event%s in the "
		    "last 24 hours", a->unrouted24,
		    a->unrouted24 == 1 ? "" : "s");
		stats_problem(problems, "warning", text,
		    "events.html?routing=unrouted");
	}
	cJSON_AddStringToObject(root, "range", range);
	stats_hourly(root, a);
	stats_latency(root, lat);
	cJSON_AddItemToObject(root, "problems", problems);
	free(a);
	http_json(r, 200, root);
	return;
err:
	free(a);
	cJSON_Delete(root);
	cJSON_Delete(problems);
	route_error(r, 503, "cannot read the statistics now");
}

/* One kind of the ledger into the array arg. */
static void
stats_kind(void *arg, const struct db_unhandled *u)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "object", u->object);
	cJSON_AddStringToObject(j, "type", u->type);
	json_add_int(j, "count", u->count);
	json_add_int(j, "first_seen_at", u->first_seen_at);
	json_add_int(j, "last_seen_at", u->last_seen_at);
	json_add_num_or_null(j, "sample_event_id", u->sample_event_id);
	cJSON_AddItemToArray(arg, j);
}

void
api_unhandled_get(struct req *r, const struct route_ctx *cx)
{
	struct db_stats_scope	 sc;
	struct db		*d;
	cJSON			*root;

	if ((d = stats_scope(r, cx, &sc)) == NULL)
		return;
	root = cJSON_CreateObject();
	if (db_stats_unhandled(d, &sc, stats_kind,
	    cJSON_AddArrayToObject(root, "unhandled")) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the unhandled kinds now");
		return;
	}
	http_json(r, 200, root);
}
