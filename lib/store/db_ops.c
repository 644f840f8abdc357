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
#include "num.h"

const char *const event_platform_names[PLATFORM__MAX] = {
	[PLATFORM_MESSENGER] = "messenger",
	[PLATFORM_INSTAGRAM] = "instagram",
	[PLATFORM_WHATSAPP] = "whatsapp",
	[PLATFORM_OTHER] = "other",
};

enum event_platform
event_platform_of(const char *object)
{
	if (object == NULL)
		return PLATFORM_OTHER;
	if (strcmp(object, "page") == 0)
		return PLATFORM_MESSENGER;
	if (strcmp(object, "instagram") == 0)
		return PLATFORM_INSTAGRAM;
	if (strcmp(object, "whatsapp_business_account") == 0)
		return PLATFORM_WHATSAPP;
	return PLATFORM_OTHER;
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
}

int
db_event_list(struct db *d, const struct db_scope *sc,
    const struct db_event_filter *f0, long long before, int limit,
    void (*fn)(void *, const struct db_event_row *), void *arg,
    long long *next)
{
	struct db_event_filter	 f = *f0;
	struct db_event_row	 row;
	sqlite3_stmt		*st;
	enum stmt		 s;
	long long		 lo, hi, qid = 0, ch, last = 0;
	int			 rc, n = 0, found;

	*next = 0;
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
	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	bind_filter(st, sc, &f, lo, hi);
	/* One more than the page: whether there is a next one. */
	sqlite3_bind_int(st, 9, limit + 1);
	if (s == STMT_EVLIST_Q) {
		if (qid > 0)
			sqlite3_bind_int64(st, 10, qid);
		else
			sqlite3_bind_null(st, 10);
		sqlite3_bind_text(st, 11, f.q, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, &row);
		/* A row beyond the page: the next page starts below the
		 * last row shown. */
		if (n == limit) {
			*next = last;
			break;
		}
		fn(arg, &row);
		last = row.id;
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return 0;
}

int
db_event_count(struct db *d, const struct db_scope *sc,
    const struct db_event_filter *f, long long *count)
{
	sqlite3_stmt	*st;
	enum stmt	 s;
	long long	 lo, hi;

	*count = 0;
	if (f->q != NULL || f->channel > 0)
		return 0;
	if (f->state >= 0 && f->state != EVENT_PROCESSED)
		s = STMT_EVCOUNT_STATE;
	else if (f->routing == ROUTING_UNROUTED ||
	    f->routing == ROUTING_PARTIAL)
		s = STMT_EVCOUNT_ROUTING;
	else
		return 0;
	if (id_range(d, f, 0, &lo, &hi) == -1 || (st = db_stmt(d, s)) == NULL)
		return -1;
	bind_filter(st, sc, f, lo, hi);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(d, sqlite3_errcode(d->h));
	}
	*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
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
		r.signature = col_text(st, 11);
		r.sha256 = col_text(st, 12);
		r.next_attempt_ms = sqlite3_column_int64(st, 13);
		r.lease_expires_ms = sqlite3_column_int64(st, 14);
		r.entry_ids = col_text(st, 15);
		r.phone_ids = col_text(st, 16);
		r.body = sqlite3_column_blob(st, 17);
		r.body_len = (size_t)sqlite3_column_bytes(st, 17);
		if (r.body == NULL)
			r.body = "";
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
	int		 rc, bad = 0;

	if ((st = one_event(d, STMT_EVENT_RAW, sc, id)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p = sqlite3_column_blob(st, 0);
		bad = buf_add(out, p != NULL ? p : "",
		    (size_t)sqlite3_column_bytes(st, 0)) == -1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	if (bad) {
		d->err = DB_ERROR;
		return -1;
	}
	return rc == SQLITE_ROW;
}

/* The state of event id in scope into *state: 1, 0 absent, -1. */
static int
event_state_in(struct db *d, const struct db_scope *sc, long long id,
    enum event_state *state)
{
	sqlite3_stmt	*st;
	int		 rc, i = -1;

	if ((st = one_event(d, STMT_EVENT_STATE_IN, sc, id)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		i = db_name_index(event_state_names, EVENT_STATE__MAX,
		    col_text(st, 0));
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
	int			 rc;

	if ((rc = event_state_in(d, sc, id, &s)) != 1)
		return rc;
	if (state != NULL)
		*state = s;
	if (s != EVENT_FAILED && s != EVENT_DEAD_LETTER)
		return 2;
	return retry_one(d, id) == -1 ? -1 : 1;
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
	int			 i, j, rc, dup;

	*count = *requeued = 0;
	if (ids != NULL) {
		if (n < 0 || n > HG_REQUEUE_MAX)
			return -1;
		for (i = 0; i < n; i++) {
			for (j = 0, dup = 0; j < i && !dup; j++)
				dup = ids[j] == ids[i];
			if (dup)
				continue;
			if ((rc = event_state_in(d, sc, ids[i], &s)) == -1)
				return -1;
			if (rc == 1 && (s == EVENT_FAILED ||
			    s == EVENT_DEAD_LETTER))
				(*count)++;
		}
		if (confirm != *count || *count > HG_REQUEUE_MAX)
			return 0;
		for (i = 0; i < n; i++) {
			if ((rc = event_state_in(d, sc, ids[i], &s)) == -1)
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
	nf.q = NULL;
	/* Only failed and dead letters: another state asked finds none. */
	if (nf.state >= 0 && nf.state != EVENT_FAILED &&
	    nf.state != EVENT_DEAD_LETTER)
		return 0;
	if (id_range(d, &nf, 0, &lo, &hi) == -1 ||
	    (st = db_stmt(d, STMT_REQUEUE_COUNT)) == NULL)
		return -1;
	bind_filter(st, sc, &nf, lo, hi);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(d, rc);
	}
	*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
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

int
db_event_replay(struct db *d, const struct db_scope *sc, long long since_ms,
    long long until_ms, long long confirm, long long *count,
    long long *replayed)
{
	struct db_event_filter	 f;
	sqlite3_stmt		*st;
	long long		 lo, hi;
	int			 rc;

	*count = *replayed = 0;
	db_filter_init(&f);
	f.state = EVENT_PROCESSED;
	f.since_ms = since_ms;
	f.until_ms = until_ms;
	if (id_range(d, &f, 0, &lo, &hi) == -1 ||
	    (st = db_stmt(d, STMT_EVCOUNT_ALL)) == NULL)
		return -1;
	bind_filter(st, sc, &f, lo, hi);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(d, rc);
	}
	*count = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
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
	int			 rc;

	if ((rc = event_state_in(d, sc, id, &s)) != 1)
		return rc;
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
		fn(arg, &c);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

/* The envelope object whose events a channel of kind receives. */
static const char *
kind_object(const char *kind)
{
	if (strcmp(kind, "page") == 0)
		return "page";
	if (strcmp(kind, "instagram") == 0)
		return "instagram";
	if (strcmp(kind, "whatsapp") == 0)
		return "whatsapp_business_account";
	return NULL;
}

int
db_channel_reroute(struct db *d, long long id, const char *kind,
    const char *meta_id, long long *count)
{
	sqlite3_stmt	*st;
	const char	*object = kind_object(kind);
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
