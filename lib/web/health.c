/*
 * health: the /health report.  See health.h.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "app.h"
#include "committer.h"
#include "conf.h"
#include "db.h"
#include "db_event.h"
#include "db_queue.h"
#include "db_stats.h"
#include "health.h"
#include "api_tokens.h"
#include "http.h"
#include "json.h"
#include "queue.h"
#include "version.h"

/* The ingest counters (committer.h) as reported under "ingest". */
static const char *const health_counters[INGEST_COUNTER__MAX] = {
	[INGEST_ACCEPTED] = "accepted",
	[INGEST_DUPLICATE] = "duplicates",
	[INGEST_BAD_SIGNATURE] = "rejected_signatures",
	[INGEST_INVALID] = "invalid",
	[INGEST_UNROUTED] = "unrouted",
	[INGEST_UNKNOWN_OBJECT] = "unknown_object",
	[INGEST_VERIFY_REFUSED] = "refused_verifications",
	[INGEST_NO_VERIFY_TOKEN] = "refused_no_verify_token",
	[INGEST_NO_APP_SECRET] = "refused_no_app_secret",
	[INGEST_PROCESSED_INLINE] = "processed_inline",
};

static void
health_counter(void *arg, const char *name, long long v)
{
	cJSON	*ingest = arg;
	int	 i;

	for (i = 0; i < INGEST_COUNTER__MAX; i++)
		if (strcmp(name, ingest_counter_names[i]) == 0)
			cJSON_ReplaceItemInObjectCaseSensitive(ingest,
			    health_counters[i], cJSON_CreateNumber((double)v));
}

/* What db_queue_states reports, gathered for the "queue" object. */
struct health_queue {
	cJSON		*states;
	long long	 oldest_pending_ms;	/* 0: none pending */
	long long	 dead;
	long long	 depth;			/* pending and failed */
};

static void
health_state(void *arg, enum event_state state, long long n, long long oldest)
{
	struct health_queue *q = arg;

	cJSON_ReplaceItemInObjectCaseSensitive(q->states,
	    event_state_names[state], cJSON_CreateNumber((double)n));
	if (state == EVENT_PENDING)
		q->oldest_pending_ms = oldest;
	if (state == EVENT_DEAD_LETTER)
		q->dead = n;
	if (state == EVENT_PENDING || state == EVENT_FAILED)
		q->depth += n;
}

/* What health_silent gathers: the reasons array, the time, the limit. */
struct health_silent {
	cJSON		*reasons;
	long long	 now, after_s;
};

static void
health_silent(void *arg, const struct db_stats_channel *ch)
{
	struct health_silent	*hs = arg;
	char			 why[128];
	long long		 s = db_stats_silent_s(ch, hs->now);

	/* Public: the channel's id, never its name. */
	if (s <= hs->after_s)
		return;
	snprintf(why, sizeof(why), "channel %lld: no event for %lld h",
	    ch->id, s / 3600);
	cJSON_AddItemToArray(hs->reasons, cJSON_CreateString(why));
}

/* Add to reasons why the service, though it answers, needs a person:
 * the app secret is missing, dead letters came in the last hour, a
 * channel has been silent longer than silent_after_s, the schema is
 * behind.  0, or -1 when the database could not tell. */
static int
health_reasons(const struct conf *c, struct db *d, int version,
    cJSON *reasons)
{
	struct health_silent	 hs;
	char			 why[128];
	long long		 dead, now = clock_ms();

	if (*conf_get(c, "app_secret") == '\0')
		cJSON_AddItemToArray(reasons, cJSON_CreateString(
		    "the app secret is missing: webhooks are refused"));
	if (db_stats_counter_since(d, DB_COUNTER_DEAD,
	    (now - DB_HOUR_MS) / DB_HOUR_MS, &dead) == -1)
		return -1;
	if (dead > 0) {
		snprintf(why, sizeof(why), "%lld new dead letter%s in the last "
		    "hour", dead, dead == 1 ? "" : "s");
		cJSON_AddItemToArray(reasons, cJSON_CreateString(why));
	}
	hs.reasons = reasons;
	hs.now = now / 1000;
	hs.after_s = conf_get_int(c, "silent_after_s");
	if (db_stats_channels(d, 0, health_silent, &hs) == -1)
		return -1;
	if (version < db_schema_latest()) {
		snprintf(why, sizeof(why), "the database schema is behind "
		    "(version %d of %d)", version, db_schema_latest());
		cJSON_AddItemToArray(reasons, cJSON_CreateString(why));
	}
	return 0;
}

void
health_handle(const struct conf *c, struct req *r)
{
	/* The states still to be worked on, as db_queue_states counts. */
	static const enum event_state states[] = { EVENT_PENDING,
	    EVENT_PROCESSING, EVENT_FAILED, EVENT_DEAD_LETTER, EVENT_INVALID };
	cJSON		*root, *dbj, *ingest, *warn, *queue, *reasons;
	struct health_queue q;
	struct db	*d = NULL;
	const char	*w;
	size_t		 i;
	int		 ok = 0, version = 0;

	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "version", HUBGATE_VERSION);
	dbj = cJSON_AddObjectToObject(root, "database");
	ingest = cJSON_AddObjectToObject(root, "ingest");
	warn = cJSON_AddArrayToObject(root, "warnings");
	reasons = cJSON_AddArrayToObject(root, "reasons");
	for (i = 0; i < INGEST_COUNTER__MAX; i++)
		cJSON_AddNumberToObject(ingest, health_counters[i], 0);
	queue = cJSON_AddObjectToObject(root, "queue");
	memset(&q, 0, sizeof(q));
	q.states = cJSON_AddObjectToObject(queue, "states");
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		cJSON_AddNumberToObject(q.states, event_state_names[states[i]], 0);
	if (c == NULL)
		cJSON_AddItemToArray(warn, cJSON_CreateString(
		    "configuration did not load: see the log"));
	else if ((d = app_db(c)) != NULL && db_ping(d, &version) == 0 &&
	    db_counter_each(d, health_counter, ingest) == 0 &&
	    db_queue_states(d, health_state, &q) == 0 &&
	    health_reasons(c, d, version, reasons) == 0 &&
	    api_token_health(d, root) == 0)
		ok = 1;
	if (c != NULL && d != NULL && !ok) {
		/* The connection may be broken: open afresh next time. */
		app_db_close();
	}
	cJSON_AddBoolToObject(dbj, "reachable", ok);
	cJSON_AddNumberToObject(dbj, "schema_version", version);
	cJSON_AddNumberToObject(dbj, "schema_latest", db_schema_latest());
	cJSON_AddNumberToObject(root, "queue_depth", (double)q.depth);
	cJSON_AddNumberToObject(queue, "oldest_pending_age_s",
	    q.oldest_pending_ms > 0 ? (double)((clock_ms() -
	    q.oldest_pending_ms) / 1000) : 0);
	cJSON_AddNumberToObject(queue, "dead_letters", (double)q.dead);
	for (i = 0; c != NULL && (w = conf_warning(c, i)) != NULL; i++)
		cJSON_AddItemToArray(warn, cJSON_CreateString(w));
	cJSON_AddStringToObject(root, "status", !ok ? "unavailable" :
	    cJSON_GetArraySize(reasons) > 0 ? "degraded" : "ok");
	http_json(r, ok ? 200 : 503, root);
}
