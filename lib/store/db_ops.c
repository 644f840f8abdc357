/*
 * db_ops: the stored events as the dashboard reads them: the platform
 * names, lists (a workspace's channels merged), counts from the
 * summaries, one event and what it produced.  What people do with them
 * is db_ops_act.c's.  See db_event.h; the SQL is in db.c's statement
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

const char *
db_ops_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

void
db_ops_bind_filter(sqlite3_stmt *st, const struct db_scope *sc,
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

int
db_ops_id_range(struct db *d, const struct db_event_filter *f, long long before,
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
	r->object = db_ops_text(st, 2);
	r->state = db_ops_text(st, 3);
	r->routing = db_ops_text(st, 4);
	r->attempts = sqlite3_column_int64(st, 5);
	r->channel_id = sqlite3_column_int64(st, 6);
	r->channel_name = db_ops_text(st, 7);
	r->size = sqlite3_column_int64(st, 8);
	r->last_error = db_ops_text(st, 9);
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
	db_ops_bind_filter(st, sc, f, lo, hi);
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
	if (db_ops_id_range(d, &f, before, &lo, &hi) == -1)
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

sqlite3_stmt *
db_ops_one_event(struct db *d, enum stmt s, const struct db_scope *sc, long long id)
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

	if ((st = db_ops_one_event(d, STMT_EVENT_GET, sc, id)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 4, (long long)body_max);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, &r);
		r.signature = db_ops_text(st, 12);
		r.sha256 = db_ops_text(st, 13);
		r.next_attempt_ms = sqlite3_column_int64(st, 14);
		r.lease_expires_ms = sqlite3_column_int64(st, 15);
		r.entry_ids = db_ops_text(st, 16);
		r.phone_ids = db_ops_text(st, 17);
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

	if ((st = db_ops_one_event(d, STMT_EVENT_RAW, sc, id)) == NULL)
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
			    sqlite3_column_int64(st, 1), db_ops_text(st, 2));
			break;
		case 1:
			p->channel(p->arg, sqlite3_column_int64(st, 0),
			    db_ops_text(st, 1), db_ops_text(st, 2));
			break;
		case 2:
			p->message(p->arg, sqlite3_column_int64(st, 0),
			    sqlite3_column_int64(st, 1), db_ops_text(st, 2),
			    db_ops_text(st, 3), db_ops_text(st, 4), db_ops_text(st, 5));
			break;
		case 3:
			p->feed(p->arg, sqlite3_column_int64(st, 0),
			    db_ops_text(st, 1), db_ops_text(st, 2), db_ops_text(st, 3));
			break;
		default:
			p->unhandled(p->arg, db_ops_text(st, 0), db_ops_text(st, 1));
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
