/*
 * db_ops: what people do with stored events from the dashboard: list
 * and read them, retry, requeue, replay and delete them, group dead
 * letters, and connect channels, routing their earlier events to them.
 * See db_event.h and db_channel.h; the SQL is in db.c's statement
 * table.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_int.h"
#include "db_stats.h"
#include "num.h"

const char *const event_platform_names[PLATFORM__MAX] = {
	[PLATFORM_MESSENGER] = "messenger",
	[PLATFORM_INSTAGRAM] = "instagram",
	[PLATFORM_WHATSAPP] = "whatsapp",
	[PLATFORM_OTHER] = "other",
};

const char *const event_platform_objects[PLATFORM__MAX] = {
	[PLATFORM_MESSENGER] = "page",
	[PLATFORM_INSTAGRAM] = "instagram",
	[PLATFORM_WHATSAPP] = "whatsapp_business_account",
};

/* The channel kind of each platform but other (channel.kind). */
static const char *const platform_kinds[PLATFORM__MAX] = {
	[PLATFORM_MESSENGER] = "page",
	[PLATFORM_INSTAGRAM] = "instagram",
	[PLATFORM_WHATSAPP] = "whatsapp",
};

/* The platform whose entry of table (platform_kinds or
 * event_platform_objects) is s; other when none is. */
static enum event_platform
platform_by(const char *const *table, const char *s)
{
	int i;

	for (i = 0; s != NULL && i < PLATFORM__MAX; i++)
		if (table[i] != NULL && strcmp(table[i], s) == 0)
			return (enum event_platform)i;
	return PLATFORM_OTHER;
}

enum event_platform
event_platform_of(const char *object)
{
	return platform_by(event_platform_objects, object);
}

enum event_platform
event_platform_of_kind(const char *kind)
{
	return platform_by(platform_kinds, kind);
}

int
db_name_index(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

void
db_filter_init(struct db_event_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->state = -1;
	f->platform = -1;
	f->routing = -1;
}

/* The text of column i, or NULL. */
static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Bind the scope and the filter of a list statement (db.c: ?1 to ?8;
 * the id range [lo, hi)). */
static void
bind_filter(sqlite3_stmt *st, const struct db_scope *sc,
    const struct db_event_filter *f, long long lo, long long hi)
{
	sqlite3_bind_int64(st, 1, sc->workspace);
	sqlite3_bind_int(st, 2, sc->operator != 0);
	db_bind_text(st, 3, f->state >= 0 && f->state < EVENT_STATE__MAX ?
	    event_state_names[f->state] : NULL);
	db_bind_text(st, 4, f->platform >= 0 && f->platform < PLATFORM__MAX ?
	    event_platform_names[f->platform] : NULL);
	if (f->channel > 0)
		sqlite3_bind_int64(st, 5, f->channel);
	else
		sqlite3_bind_null(st, 5);
	db_bind_text(st, 6, f->routing >= 0 && f->routing < ROUTING__MAX ?
	    event_routing_names[f->routing] : NULL);
	sqlite3_bind_int64(st, 7, lo);
	sqlite3_bind_int64(st, 8, hi);
}

/* The ids [*lo, *hi) of the events received in f's time range, and
 * below before (0: no bound); 0 or -1. */
static int
id_range(struct db *d, const struct db_event_filter *f, long long before,
    long long *lo, long long *hi)
{
	*lo = 0;
	*hi = 1LL << 62;
	if (f->since_ms > 0 && db_event_id_from(d, f->since_ms, lo) == -1)
		return -1;
	if (f->until_ms > 0 && db_event_id_from(d, f->until_ms, hi) == -1)
		return -1;
	if (before > 0 && before < *hi)
		*hi = before;
	return 0;
}

/* The row of a list statement (DB_EV_COLS) into r. */
static void
read_row(sqlite3_stmt *st, struct db_event_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->received_ms = sqlite3_column_int64(st, 1);
	r->object = col_text(st, 2);
	r->state = col_text(st, 3);
	r->routing = col_text(st, 4);
	r->attempts = sqlite3_column_int64(st, 5);
	r->channel_id = sqlite3_column_int64(st, 6);
	r->channel_name = col_text(st, 7);
	r->size = sqlite3_column_int64(st, 8);
	r->last_error = col_text(st, 9);
	r->processed_ms = sqlite3_column_int64(st, 10);
	r->shared = sqlite3_column_int(st, 11) != 0;
}

/* A row of the list kept for the merge of channels' pages: its
 * strings copied. */
struct kept_row {
	struct db_event_row	 r;
	char			*str[5];
};

/* What keep_row adds to. */
struct kept {
	struct kept_row	*rows;
	size_t		 n, cap;
	int		 oom;
};

static void
keep_row(void *arg, const struct db_event_row *r)
{
	struct kept	*k = arg;
	struct kept_row	*p, *kr;
	const char	*src[5] = { r->object, r->state, r->routing,
			    r->channel_name, r->last_error };
	int		 i;

	if (k->oom)
		return;
	if (k->n == k->cap) {
		k->cap = k->cap == 0 ? 64 : k->cap * 2;
		if ((p = realloc(k->rows, k->cap * sizeof(*p))) == NULL) {
			k->oom = 1;
			return;
		}
		k->rows = p;
	}
	kr = &k->rows[k->n];
	kr->r = *r;
	for (i = 0; i < 5; i++)
		if (src[i] == NULL)
			kr->str[i] = NULL;
		else if ((kr->str[i] = strdup(src[i])) == NULL)
			k->oom = 1;
	kr->r.object = kr->str[0];
	kr->r.state = kr->str[1];
	kr->r.routing = kr->str[2];
	kr->r.channel_name = kr->str[3];
	kr->r.last_error = kr->str[4];
	k->n++;
}

/* Newest first. */
static int
kept_cmp(const void *a, const void *b)
{
	long long x = ((const struct kept_row *)a)->r.id;
	long long y = ((const struct kept_row *)b)->r.id;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Run list statement s for f and scope over ids [lo, hi), at most
 * limit + 1 rows, each to fn.  0 or -1. */
static int
list_run(struct db *d, enum stmt s, const struct db_scope *sc,
    const struct db_event_filter *f, long long lo, long long hi, int limit,
    long long qid, void (*fn)(void *, const struct db_event_row *),
    void *arg)
{
	struct db_event_row	 row;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	bind_filter(st, sc, f, lo, hi);
	sqlite3_bind_int(st, 9, limit + 1);
	if (s == STMT_EVLIST_Q) {
		if (qid > 0)
			sqlite3_bind_int64(st, 10, qid);
		else
			sqlite3_bind_null(st, 10);
		sqlite3_bind_text(st, 11, f->q, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, &row);
		fn(arg, &row);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

/* The ids of the channels of workspace, at most max, into ids: how
 * many (max + 1 when there are more), or -1. */
static int
workspace_channels(struct db *d, long long workspace, long long *ids,
    int max)
{
	sqlite3_stmt	*st;
	int		 rc, n = 0;

	if ((st = db_stmt(d, STMT_CHANNEL_IDS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_int(st, 2, max + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n < max)
			ids[n] = sqlite3_column_int64(st, 0);
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : db_fail(d, rc);
}

int
db_event_list(struct db *d, const struct db_scope *sc,
    const struct db_event_filter *f0, long long before, int limit,
    void (*fn)(void *, const struct db_event_row *), void *arg,
    long long *next)
{
	struct db_event_filter	 f = *f0;
	struct kept		 k;
	sqlite3_stmt		*st;
	enum stmt		 s;
	long long		 lo, hi, qid = 0, ch, chans[HG_EVENT_MERGE_CHANNELS];
	size_t			 i, shown;
	int			 rc, found, nch = -1, ret = -1;

	*next = 0;
	memset(&k, 0, sizeof(k));
	if (limit < 1 || limit > HG_EVENT_PAGE_MAX)
		limit = HG_EVENT_PAGE_DEFAULT;
	if (id_range(d, &f, before, &lo, &hi) == -1)
		return -1;
	s = STMT_EVLIST_ALL;
	if (f.q != NULL) {
		/* An account of the workspace: its channel's events. */
		if ((st = db_stmt(d, STMT_CHANNEL_BY_META)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, sc->workspace);
		sqlite3_bind_text(st, 2, f.q, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		found = rc == SQLITE_ROW;
		ch = found ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_fail(d, rc);
		if (found && f.channel > 0 && f.channel != ch)
			return 0;
		if (found) {
			f.channel = ch;
			f.q = NULL;
		} else {
			s = STMT_EVLIST_Q;
			if (num_parse_str(f.q, 1, 1LL << 53, &qid) == -1)
				qid = 0;
		}
	}
	if (s == STMT_EVLIST_Q)
		;
	else if (f.state >= 0 && f.state != EVENT_PROCESSED)
		s = STMT_EVLIST_STATE;
	else if (f.channel > 0)
		s = STMT_EVLIST_CHANNEL;
	else if (f.routing == ROUTING_UNROUTED || f.routing == ROUTING_PARTIAL)
		s = STMT_EVLIST_ROUTING;
	else if (!sc->operator && (nch = workspace_channels(d, sc->workspace,
	    chans, HG_EVENT_MERGE_CHANNELS)) == -1)
		return -1;
	if (nch >= 0 && nch <= HG_EVENT_MERGE_CHANNELS) {
		/* A workspace's events are its channels' events: each
		 * channel's newest on its own index, merged here, rather
		 * than every event walked for the few that are its. */
		s = STMT_EVLIST_CHANNEL;
		for (i = 0; i < (size_t)nch; i++) {
			f.channel = chans[i];
			if (list_run(d, s, sc, &f, lo, hi, limit, 0, keep_row,
			    &k) == -1)
				goto out;
		}
	} else if (list_run(d, s, sc, &f, lo, hi, limit, qid, keep_row,
	    &k) == -1)
		goto out;
	if (k.oom) {
		d->err = DB_ERROR;
		goto out;
	}
	if (k.n > 1)
		qsort(k.rows, k.n, sizeof(*k.rows), kept_cmp);
	for (i = 0, shown = 0; i < k.n; i++) {
		/* An event of two channels of the workspace: once. */
		if (i > 0 && k.rows[i].r.id == k.rows[i - 1].r.id)
			continue;
		/* A row beyond the page: the next page starts below the
		 * last row shown. */
		if (shown == (size_t)limit) {
			*next = k.rows[i - 1].r.id;
			break;
		}
		fn(arg, &k.rows[i].r);
		shown++;
	}
	ret = 0;
out:
	for (i = 0; i < k.n; i++)
		for (rc = 0; rc < 5; rc++)
			free(k.rows[i].str[rc]);
	free(k.rows);
	return ret;
}

int
db_event_count(struct db *d, const struct db_scope *sc,
    const struct db_event_filter *f, long long *count)
{
	sqlite3_stmt	*st;
	int		 hours = f->since_ms > 0 || f->until_ms > 0, rc;

	*count = 0;
	if (f->q != NULL || f->channel > 0)
		return 0;
	if ((st = db_stmt(d, hours ? STMT_EVCOUNT_HOURS :
	    STMT_EVCOUNT_TOTAL)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sc->workspace);
	sqlite3_bind_int(st, 2, sc->operator ? 0 : -1);
	db_bind_text(st, 3, f->state >= 0 && f->state < EVENT_STATE__MAX ?
	    event_state_names[f->state] : NULL);
	db_bind_text(st, 4, f->routing >= 0 && f->routing < ROUTING__MAX ?
	    event_routing_names[f->routing] : NULL);
	db_bind_text(st, 5, f->platform >= 0 && f->platform < PLATFORM__MAX ?
	    event_platform_names[f->platform] : NULL);
	if (hours) {
		/* Whole hours: the summaries' grain. */
		sqlite3_bind_int64(st, 7, f->since_ms / DB_HOUR_MS);
		sqlite3_bind_int64(st, 8, f->until_ms > 0 ?
		    (f->until_ms + DB_HOUR_MS - 1) / DB_HOUR_MS : 1LL << 62);
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_fail(d, rc);
	return 1;
}

/* Prepare a statement about one event of the scope (?1 workspace, ?2
 * operator, ?3 the id). */
static sqlite3_stmt *
one_event(struct db *d, enum stmt s, const struct db_scope *sc, long long id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, s)) == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, sc->workspace);
	sqlite3_bind_int(st, 2, sc->operator != 0);
	sqlite3_bind_int64(st, 3, id);
	return st;
}

int
db_event_get(struct db *d, const struct db_scope *sc, long long id,
    size_t body_max, void (*fn)(void *, const struct db_event_row *),
    void *arg)
{
	struct db_event_row	 r;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = one_event(d, STMT_EVENT_GET, sc, id)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 4, (long long)body_max);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, &r);
		r.signature = col_text(st, 12);
		r.sha256 = col_text(st, 13);
		r.next_attempt_ms = sqlite3_column_int64(st, 14);
		r.lease_expires_ms = sqlite3_column_int64(st, 15);
		r.entry_ids = col_text(st, 16);
		r.phone_ids = col_text(st, 17);
		r.body = sqlite3_column_blob(st, 18);
		r.body_len = (size_t)sqlite3_column_bytes(st, 18);
		if (r.body == NULL)
			r.body = "";
		/* Another workspace's too: its body names their people. */
		if (r.shared && !sc->operator) {
			r.body = NULL;
			r.body_len = 0;
		}
		fn(arg, &r);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

int
db_event_raw(struct db *d, const struct db_scope *sc, long long id,
    struct buf *out)
{
	sqlite3_stmt	*st;
	const void	*p;
	int		 rc, bad = 0, withheld = 0;

	if ((st = one_event(d, STMT_EVENT_RAW, sc, id)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p = sqlite3_column_blob(st, 0);
		withheld = sqlite3_column_int(st, 1) != 0 && !sc->operator;
		if (!withheld)
			bad = buf_add(out, p != NULL ? p : "",
			    (size_t)sqlite3_column_bytes(st, 0)) == -1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	if (withheld)
		return 0;
	if (bad) {
		d->err = DB_ERROR;
		return -1;
	}
	return rc == SQLITE_ROW;
}

/* The state of event id in scope into *state, and into *shared whether
 * a channel of it belongs to another workspace: 1, 0 absent, -1. */
static int
event_state_in(struct db *d, const struct db_scope *sc, long long id,
    enum event_state *state, int *shared)
{
	sqlite3_stmt	*st;
	int		 rc, i = -1;

	*shared = 0;
	if ((st = one_event(d, STMT_EVENT_STATE_IN, sc, id)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		i = db_name_index(event_state_names, EVENT_STATE__MAX,
		    col_text(st, 0));
		*shared = sqlite3_column_int(st, 1) != 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	if (rc == SQLITE_DONE || i < 0)
		return 0;
	*state = (enum event_state)i;
	return 1;
}

/* Step st (bound but for ?1 id and ?2 workspace) calling back each row
 * through one of the part callbacks (which). */
static int
parts_run(struct db *d, enum stmt s, const struct db_scope *sc, long long id,
    const struct db_event_parts *p, int which)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, sc->workspace);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		switch (which) {
		case 0:
			p->attempt(p->arg, sqlite3_column_int64(st, 0),
			    sqlite3_column_int64(st, 1), col_text(st, 2));
			break;
		case 1:
			p->channel(p->arg, sqlite3_column_int64(st, 0),
			    col_text(st, 1), col_text(st, 2));
			break;
		case 2:
			p->message(p->arg, sqlite3_column_int64(st, 0),
			    sqlite3_column_int64(st, 1), col_text(st, 2),
			    col_text(st, 3), col_text(st, 4), col_text(st, 5));
			break;
		case 3:
			p->feed(p->arg, sqlite3_column_int64(st, 0),
			    col_text(st, 1), col_text(st, 2), col_text(st, 3));
			break;
		default:
			p->unhandled(p->arg, col_text(st, 0), col_text(st, 1));
			break;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_event_parts(struct db *d, const struct db_scope *sc, long long id,
    const struct db_event_parts *p)
{
	if ((p->attempt != NULL &&
	    parts_run(d, STMT_EVENT_ATTEMPTS, sc, id, p, 0) == -1) ||
	    (p->channel != NULL &&
	    parts_run(d, STMT_EVENT_CHANNELS, sc, id, p, 1) == -1) ||
	    (p->message != NULL &&
	    parts_run(d, STMT_EVENT_MESSAGES, sc, id, p, 2) == -1) ||
	    (p->feed != NULL &&
	    parts_run(d, STMT_EVENT_FEED, sc, id, p, 3) == -1) ||
	    (p->unhandled != NULL &&
	    parts_run(d, STMT_EVENT_UNHANDLED, sc, id, p, 4) == -1))
		return -1;
	return 0;
}

/* Retry event id (found in scope): 0 or -1. */
static int
retry_one(struct db *d, long long id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_EVENT_RETRY)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec(d, st);
}

int
db_event_retry(struct db *d, const struct db_scope *sc, long long id,
    enum event_state *state)
{
	enum event_state	 s;
	int			 rc, shared;

	if ((rc = event_state_in(d, sc, id, &s, &shared)) != 1)
		return rc;
	if (state != NULL)
		*state = s;
	if (shared)
		return 3;
	if (s != EVENT_FAILED && s != EVENT_DEAD_LETTER)
		return 2;
	return retry_one(d, id) == -1 ? -1 : 1;
}

/* Count the failed and dead letters among ids[0..n) (duplicates once)
 * into *count; 1 when one of them is shared with another workspace;
 * 0 or -1. */
static int
requeue_ids_count(struct db *d, const struct db_scope *sc,
    const long long *ids, int n, long long *count)
{
	enum event_state	 s;
	int			 i, j, rc, dup, shared, any = 0;

	*count = 0;
	for (i = 0; i < n; i++) {
		for (j = 0, dup = 0; j < i && !dup; j++)
			dup = ids[j] == ids[i];
		if (dup)
			continue;
		if ((rc = event_state_in(d, sc, ids[i], &s, &shared)) == -1)
			return -1;
		if (rc == 1 && (s == EVENT_FAILED || s == EVENT_DEAD_LETTER)) {
			(*count)++;
			any |= shared;
		}
	}
	return any;
}

/* The filter's failed and dead letters of scope, counted to at most
 * HG_REQUEUE_MAX + 1, into *count, with the ids [*lo, *hi) of its
 * time range.  0, 1 when the filter's state cannot be requeued (none
 * counted), -1. */
static int
requeue_filter_count(struct db *d, const struct db_scope *sc,
    struct db_event_filter *nf, long long *lo, long long *hi,
    long long *count)
{
	sqlite3_stmt	*st;
	int		 rc;

	*count = 0;
	nf->q = NULL;
	/* Only failed and dead letters: another state asked finds none. */
	if (nf->state >= 0 && nf->state != EVENT_FAILED &&
	    nf->state != EVENT_DEAD_LETTER)
		return 1;
	if (id_range(d, nf, 0, lo, hi) == -1 ||
	    (st = db_stmt(d, STMT_REQUEUE_COUNT)) == NULL)
		return -1;
	bind_filter(st, sc, nf, *lo, *hi);
	sqlite3_bind_int(st, 9, HG_REQUEUE_MAX + 1);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(d, rc);
}

int
db_event_requeue_count(struct db *d, const struct db_scope *sc,
    const long long *ids, int n, const struct db_event_filter *f,
    long long *count)
{
	struct db_event_filter	 nf;
	long long		 lo, hi;
	int			 rc;

	if (ids != NULL) {
		if (n < 0 || n > HG_REQUEUE_MAX)
			return -1;
		return (rc = requeue_ids_count(d, sc, ids, n, count)) == 1 ?
		    2 : rc;
	}
	nf = *f;
	return requeue_filter_count(d, sc, &nf, &lo, &hi, count) == -1 ?
	    -1 : 0;
}

int
db_event_requeue(struct db *d, const struct db_scope *sc,
    const long long *ids, int n, const struct db_event_filter *f,
    long long confirm, long long *count, long long *requeued)
{
	struct db_event_filter	 nf;
	enum event_state	 s;
	sqlite3_stmt		*st;
	long long		 lo, hi;
	int			 i, rc, shared;

	*count = *requeued = 0;
	if (ids != NULL) {
		if (n < 0 || n > HG_REQUEUE_MAX)
			return -1;
		if ((rc = requeue_ids_count(d, sc, ids, n, count)) != 0)
			return rc == 1 ? 2 : -1;
		if (confirm != *count || *count > HG_REQUEUE_MAX)
			return 0;
		for (i = 0; i < n; i++) {
			if ((rc = event_state_in(d, sc, ids[i], &s,
			    &shared)) == -1)
				return -1;
			if (rc == 1 && (s == EVENT_FAILED ||
			    s == EVENT_DEAD_LETTER)) {
				if (retry_one(d, ids[i]) == -1)
					return -1;
				*requeued += sqlite3_changes(d->h);
			}
		}
		return 0;
	}
	nf = *f;
	if ((rc = requeue_filter_count(d, sc, &nf, &lo, &hi, count)) != 0)
		return rc == 1 ? 0 : -1;
	if (confirm != *count || *count > HG_REQUEUE_MAX || *count == 0)
		return 0;
	if ((st = db_stmt(d, STMT_REQUEUE_FILTER)) == NULL)
		return -1;
	bind_filter(st, sc, &nf, lo, hi);
	if (db_exec(d, st) == -1)
		return -1;
	*requeued = sqlite3_changes(d->h);
	return 0;
}

/* The filter of a replay of [since_ms, until_ms) into f and its ids
 * into [*lo, *hi), with the processed events of scope there counted
 * to at most HG_REQUEUE_MAX + 1 into *count: 0 or -1. */
static int
replay_count(struct db *d, const struct db_scope *sc, long long since_ms,
    long long until_ms, struct db_event_filter *f, long long *lo,
    long long *hi, long long *count)
{
	sqlite3_stmt	*st;
	int		 rc;

	*count = 0;
	db_filter_init(f);
	f->state = EVENT_PROCESSED;
	f->since_ms = since_ms;
	f->until_ms = until_ms;
	if (id_range(d, f, 0, lo, hi) == -1 ||
	    (st = db_stmt(d, STMT_REPLAY_COUNT)) == NULL)
		return -1;
	bind_filter(st, sc, f, *lo, *hi);
	sqlite3_bind_int(st, 9, HG_REQUEUE_MAX + 1);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_fail(d, rc);
}

int
db_event_replay_count(struct db *d, const struct db_scope *sc,
    long long since_ms, long long until_ms, long long *count)
{
	struct db_event_filter	 f;
	long long		 lo, hi;

	return replay_count(d, sc, since_ms, until_ms, &f, &lo, &hi, count);
}

int
db_event_replay(struct db *d, const struct db_scope *sc, long long since_ms,
    long long until_ms, long long confirm, long long *count,
    long long *replayed)
{
	struct db_event_filter	 f;
	sqlite3_stmt		*st;
	long long		 lo, hi;

	*replayed = 0;
	if (replay_count(d, sc, since_ms, until_ms, &f, &lo, &hi,
	    count) == -1)
		return -1;
	if (confirm != *count || *count > HG_REQUEUE_MAX || *count == 0)
		return 0;
	if ((st = db_stmt(d, STMT_REPLAY)) == NULL)
		return -1;
	bind_filter(st, sc, &f, lo, hi);
	if (db_exec(d, st) == -1)
		return -1;
	*replayed = sqlite3_changes(d->h);
	return 0;
}

int
db_event_delete(struct db *d, const struct db_scope *sc, long long id)
{
	enum event_state	 s;
	sqlite3_stmt		*st;
	int			 rc, shared;

	if ((rc = event_state_in(d, sc, id, &s, &shared)) != 1)
		return rc;
	/* A worker holds it: its writes would find it gone. */
	if (s == EVENT_PROCESSING)
		return 2;
	if (shared)
		return 3;
	if ((st = db_stmt(d, STMT_EVENT_DELETE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

int
db_dead_letters(struct db *d, const struct db_scope *sc,
    void (*fn)(void *, const char *, long long, long long, long long,
    long long), void *arg)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_DEAD_GROUPS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sc->workspace);
	sqlite3_bind_int(st, 2, sc->operator != 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, col_text(st, 0), sqlite3_column_int64(st, 1),
		    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
		    sqlite3_column_int64(st, 4));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_channel_list(struct db *d, long long workspace,
    void (*fn)(void *, const struct db_channel_row *), void *arg)
{
	struct db_channel_row	 c;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_CHANNEL_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c.id = sqlite3_column_int64(st, 0);
		c.kind = col_text(st, 1);
		c.meta_id = col_text(st, 2);
		c.name = col_text(st, 3);
		c.token_status = col_text(st, 4);
		c.last_event_at = sqlite3_column_int64(st, 5);
		c.token_expires_at = sqlite3_column_int64(st, 6);
		c.subscribed_fields = col_text(st, 7);
		if (c.subscribed_fields == NULL)
			c.subscribed_fields = "";
		fn(arg, &c);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_channel_reroute(struct db *d, long long id, const char *kind,
    const char *meta_id, long long *count)
{
	sqlite3_stmt	*st;
	const char	*object =
			    event_platform_objects[event_platform_of_kind(kind)];
	long long	*ids = NULL, *p;
	size_t		 n = 0, cap = 0, i;
	int		 rc, ret = -1;

	*count = 0;
	if (object == NULL)
		return 0;
	/* The ids first: the updates take them out of the index the
	 * search reads. */
	if ((st = db_stmt(d, STMT_REROUTE_FIND)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, meta_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((p = realloc(ids, cap * sizeof(*ids))) == NULL) {
				sqlite3_reset(st);
				d->err = DB_ERROR;
				goto out;
			}
			ids = p;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_fail(d, rc);
		goto out;
	}
	d->nchan = 0;
	for (i = 0; i < n; i++) {
		if ((st = db_stmt(d, STMT_REROUTE_SET)) == NULL)
			goto out;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int64(st, 2, id);
		sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
		if (db_exec(d, st) == -1 || db_event_route(d, ids[i], id) == -1)
			goto out;
	}
	/* Its last event is the newest of them (ids ascend). */
	if (n > 0) {
		if ((st = db_stmt(d, STMT_REROUTE_LAST)) == NULL)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, ids[n - 1]);
		if (db_exec(d, st) == -1)
			goto out;
	}
	*count = (long long)n;
	ret = 0;
out:
	free(ids);
	return ret;
}

int
db_channel_connect(struct db *d, long long workspace, const char *kind,
    const char *meta_id, const char *name, long long *id,
    long long *rerouted)
{
	sqlite3_stmt	*st;
	int		 rc;

	*rerouted = 0;
	d->nchan = 0;
	if ((st = db_stmt(d, STMT_CHANNEL_CONNECT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, workspace);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, meta_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (long long)time(NULL));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return db_fail(d, rc);
	return db_channel_reroute(d, *id, kind, meta_id, rerouted) == -1 ?
	    -1 : 1;
}
