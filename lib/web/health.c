/*
 * health: the /health report.  See health.h.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "app.h"
#include "committer.h"
#include "conf.h"
#include "db.h"
#include "db_event.h"
#include "db_queue.h"
#include "health.h"
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

void
health_handle(const struct conf *c, struct req *r)
{
	/* The states still to be worked on, as db_queue_states counts. */
	static const enum event_state states[] = { EVENT_PENDING,
	    EVENT_PROCESSING, EVENT_FAILED, EVENT_DEAD_LETTER, EVENT_INVALID };
	cJSON		*root, *dbj, *ingest, *warn, *queue;
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
	    db_queue_states(d, health_state, &q) == 0)
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
	cJSON_AddStringToObject(root, "status", ok ? "ok" : "unavailable");
	http_json(r, ok ? 200 : 503, root);
}
