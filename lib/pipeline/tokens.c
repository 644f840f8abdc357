/*
 * tokens: the token and subscription checks.  See tokens.h.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_detail.h"
#include "db_outbox.h"
#include "db_token.h"
#include "db_user.h"
#include "graph.h"
#include "graph_oauth.h"
#include "limits.h"
#include "log.h"
#include "token_level.h"
#include "tokens.h"

#define JOB_LOGS	8

/* One attempt, for token_log (no token). */
struct job_log {
	char		 what[16], result[16];
	long		 code, subcode;
	char		 fbtrace_id[64];
	long long	 old_exp, new_exp;	/* -1: none */
	char		 detail[200];
};

/* A Page token from /me/accounts (the plaintext is wiped after use). */
struct page_tok {
	char		 id[HG_META_ID_MAX + 1];
	char		*token;
};

/* What the threads found about one token. */
struct job_out {
	int		 done;		/* attempted */
	int		 reached;	/* debug_token answered */
	int		 throttled;
	int		 unreadable;
	long		 code, subcode;	/* dead: Meta's code and subcode */
	long long	 expires_at, data_access_expires_at, issued_at;
	char		 missing_scope[64];
	int		 fields_read;	/* have_fields is Meta's list */
	char		 have_fields[1024];
	char		 missing_fields[512];
	char		*new_token;	/* a renewed token; wiped and freed */
	long long	 new_expires_at;
	struct page_tok	*pages;		/* re-derived Page tokens */
	size_t		 npages;
	int		 refreshed, resubscribed, would;
	int		 usage_pct;
	struct job_log	 log[JOB_LOGS];
	size_t		 nlog;
};

struct pool;

struct worker {
	struct pool	*p;
	pthread_t	 t;
	struct graph	*g;		/* graph.facebook.com, the Meta app */
	struct graph	*ig;		/* graph.instagram.com, or NULL */
	int		 started;
};

/* The batch the threads share. */
struct pool {
	const struct conf	*conf;
	const struct tokens_opts *o;
	pthread_mutex_t		 mu;
	pthread_cond_t		 work, idle;
	struct db_token_job	*jobs;
	struct job_out		*out;
	size_t			 n, next, busy;
	long			 gen;
	int			 quit;
	int			 stop;		/* throttled: take no more */
	int			 slow;		/* usage near its limit */
	long long		 deadline_ms;	/* monotonic */
	long long		 now;
	long long		 ig_window_s;
	unsigned char		 key[CRYPTO_KEY_LEN];
	int			 have_key;
	struct worker		*w;
	int			 nw;
};

/* --- the per-token work (threads: no database) --- */

/* Note an attempt for token_log: what, its result, Meta's answer res
 * (or NULL), the expiry before and after (-1: none), details in words
 * (never a token); at most JOB_LOGS a token. */
static void
add_log(struct job_out *o, const char *what, const char *result,
    const struct graph_result *res, long long old_exp, long long new_exp,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void
add_log(struct job_out *o, const char *what, const char *result,
    const struct graph_result *res, long long old_exp, long long new_exp,
    const char *fmt, ...)
{
	struct job_log	*l;
	va_list		 ap;

	if (o->nlog >= JOB_LOGS)
		return;
	l = &o->log[o->nlog++];
	memset(l, 0, sizeof(*l));
	snprintf(l->what, sizeof(l->what), "%s", what);
	snprintf(l->result, sizeof(l->result), "%s", result);
	if (res != NULL) {
		l->code = res->code;
		l->subcode = res->subcode;
		snprintf(l->fbtrace_id, sizeof(l->fbtrace_id), "%s",
		    res->fbtrace_id);
	}
	l->old_exp = old_exp;
	l->new_exp = new_exp;
	va_start(ap, fmt);
	vsnprintf(l->detail, sizeof(l->detail), fmt, ap);
	va_end(ap);
}

/* Note a finished call's usage and throttling; 1 when it was
 * throttled (the run stops), else 0. */
static int
note_call(struct pool *p, struct job_out *o, const struct graph_result *res)
{
	int stop = 0;

	if (res->usage_pct > o->usage_pct)
		o->usage_pct = res->usage_pct;
	pthread_mutex_lock(&p->mu);
	if (res->usage_pct >= HG_TOKEN_USAGE_SLOW_PCT)
		p->slow = 1;
	if (res->cls == GRAPH_THROTTLED) {
		p->stop = 1;
		o->throttled = 1;
		stop = 1;
	}
	pthread_mutex_unlock(&p->mu);
	return stop;
}

/* The aad a token of job j is sealed with into out. */
static void
job_aad(const struct db_token_job *j, char *out, size_t outsz)
{
	if (strcmp(j->subject, "login") == 0)
		snprintf(out, outsz, "meta_login:%s:%s", j->kind, j->meta_id);
	else
		snprintf(out, outsz, "channel:%s:%s", j->kind, j->meta_id);
}

/* The permission a feature of job j needs, and the object it must
 * cover (NULL: any). */
static const char *
needed_scope(const struct db_token_job *j, const char **target)
{
	*target = NULL;
	if (strcmp(j->subject, "login") == 0)
		return "pages_show_list";
	if (strcmp(j->kind, "page") == 0) {
		*target = j->meta_id;
		return "pages_messaging";
	}
	if (strcmp(j->kind, "instagram") == 0)
		return "instagram_manage_messages";
	if (strcmp(j->kind, "whatsapp") == 0) {
		*target = j->parent_meta_id[0] != '\0' ? j->parent_meta_id :
		    NULL;
		return "whatsapp_business_messaging";
	}
	return NULL;
}

struct pages_acc {
	struct job_out	*o;
	size_t		 cap;
};

/* graph_oauth_pages' callback: keep a Page's id and token (copied);
 * 0, or -1 out of memory. */
static int
page_each(void *arg, const cJSON *page)
{
	struct pages_acc	*a = arg;
	const char		*id = cJSON_GetStringValue(
				    cJSON_GetObjectItemCaseSensitive(page, "id"));
	const char		*tok = cJSON_GetStringValue(
				    cJSON_GetObjectItemCaseSensitive(page,
				    "access_token"));
	struct page_tok		*n;

	if (id == NULL || tok == NULL || strlen(id) > HG_META_ID_MAX)
		return 0;
	if (a->o->npages == a->cap) {
		a->cap = a->cap == 0 ? 16 : a->cap * 2;
		if ((n = realloc(a->o->pages, a->cap * sizeof(*n))) == NULL)
			return -1;
		a->o->pages = n;
	}
	n = &a->o->pages[a->o->npages];
	snprintf(n->id, sizeof(n->id), "%s", id);
	if ((n->token = strdup(tok)) == NULL)
		return -1;
	a->o->npages++;
	return 0;
}

/*
 * The outcome of a renewal call (step "exchange" or "ig_refresh", rc
 * what the call returned, t the new token): logged with okmsg, and on
 * success the new token and expiry moved into o; 0 renewed, -1 not.
 */
static int
renewed(struct pool *p, struct job_out *o, const char *step, int rc,
    struct graph_token *t, struct graph_result *res, const char *okmsg)
{
	note_call(p, o, res);
	if (rc == -1) {
		add_log(o, step, res->cls == GRAPH_THROTTLED ? "throttled" :
		    "failed", res, o->expires_at, -1, "%s", res->message);
		graph_result_free(res);
		return -1;
	}
	graph_result_free(res);
	o->new_expires_at = t->expires_in > 0 ? p->now + t->expires_in : 0;
	o->new_token = t->access_token;
	t->access_token = NULL;
	graph_oauth_token_free(t);
	o->refreshed = 1;
	add_log(o, step, "ok", NULL, o->expires_at, o->new_expires_at, "%s",
	    okmsg);
	return 0;
}

/* A Facebook Login user token near its expiry: exchange it and
 * re-derive the Pages' tokens from the new one. */
static void
renew_login(struct worker *w, const struct db_token_job *j,
    const char *token, struct job_out *o)
{
	struct pool		*p = w->p;
	struct graph_token	 t;
	struct graph_result	 res;
	struct pages_acc	 a = { o, 0 };

	if (p->o->dry_run) {
		o->would++;
		add_log(o, "exchange", "dry_run", NULL, o->expires_at, -1,
		    "would exchange the Login's token (expires within 7 days)");
		return;
	}
	memset(&res, 0, sizeof(res));
	if (renewed(p, o, "exchange", graph_oauth_exchange(w->g, token, &t,
	    &res), &t, &res,
	    "the Login's token was exchanged for a new long-lived one") == -1)
		return;
	memset(&res, 0, sizeof(res));
	if (graph_oauth_pages(w->g, o->new_token, "id,access_token",
	    page_each, &a, NULL, &res) == -1) {
		note_call(p, o, &res);
		add_log(o, "page_token", "failed", &res, -1, -1,
		    "the Pages' tokens could not be read: %s", res.message);
	} else {
		note_call(p, o, &res);
		add_log(o, "page_token", "ok", NULL, -1, -1,
		    "%zu Pages' tokens read from the new token", o->npages);
	}
	graph_result_free(&res);
}

/* An Instagram Login token in Meta's refresh window: refresh it. */
static void
renew_ig(struct worker *w, const struct db_token_job *j, const char *token,
    struct job_out *o)
{
	struct pool		*p = w->p;
	struct graph_token	 t;
	struct graph_result	 res;
	int			 due;

	due = token_ig_refresh_due(o->issued_at, o->expires_at, p->now,
	    p->ig_window_s);
	if (due == 0) {
		if (o->expires_at > 0 && o->expires_at - p->now <
		    p->ig_window_s)
			add_log(o, "ig_refresh", "skipped", NULL, o->expires_at,
			    -1, "the token is younger than 24 hours: Meta "
			    "refuses to refresh it yet");
		return;
	}
	if (due < 0 || w->ig == NULL)
		return;
	if (p->o->dry_run) {
		o->would++;
		add_log(o, "ig_refresh", "dry_run", NULL, o->expires_at, -1,
		    "would refresh the Instagram token");
		return;
	}
	memset(&res, 0, sizeof(res));
	(void)renewed(p, o, "ig_refresh", graph_ig_refresh(w->ig, token, &t,
	    &res), &t, &res, "the Instagram token was refreshed");
}

/* Read the channel's subscription back; restore it when a needed
 * field is missing. */
static void
check_subscription(struct worker *w, const struct db_token_job *j,
    const char *token, struct job_out *o)
{
	struct pool		*p = w->p;
	struct graph_result	 res;
	const char		*object = NULL, *need, *post_fields;
	const char		*app;
	int			 ig = strcmp(j->token_kind, "instagram_login") == 0;
	int			 rc, listed;

	if (ig) {
		if (w->ig == NULL)
			return;
		need = GRAPH_IG_FIELDS;
		post_fields = GRAPH_IG_FIELDS;
		app = graph_app_id(w->ig);
	} else if (strcmp(j->kind, "page") == 0) {
		object = j->meta_id;
		need = GRAPH_PAGE_FIELDS;
		post_fields = GRAPH_PAGE_FIELDS;
		app = graph_app_id(w->g);
	} else if (strcmp(j->kind, "whatsapp") == 0 &&
	    j->parent_meta_id[0] != '\0') {
		object = j->parent_meta_id;
		need = GRAPH_WA_FIELDS;
		post_fields = NULL;
		app = graph_app_id(w->g);
	} else
		return;		/* an Instagram account of a Page: the Page's */
	memset(&res, 0, sizeof(res));
	rc = ig ? graph_ig_subscribed_apps(w->ig, GRAPH_GET, token, NULL, NULL,
	    0, &res) : graph_oauth_subscribed_apps(w->g, GRAPH_GET, object,
	    token, NULL, &res);
	if (note_call(p, o, &res) || rc == -1) {
		add_log(o, "subscription", res.cls == GRAPH_THROTTLED ?
		    "throttled" : "failed", &res, -1, -1,
		    "the subscription could not be read: %s", res.message);
		graph_result_free(&res);
		return;
	}
	listed = token_subscribed_fields(res.json, app, o->have_fields,
	    sizeof(o->have_fields)) == 0;
	graph_result_free(&res);
	o->fields_read = 1;
	if (!listed)
		snprintf(o->missing_fields, sizeof(o->missing_fields), "*");
	else
		token_fields_missing(need, o->have_fields, o->missing_fields,
		    sizeof(o->missing_fields));
	if (o->missing_fields[0] == '\0')
		return;
	if (p->o->dry_run) {
		o->would++;
		add_log(o, "resubscribe", "dry_run", NULL, -1, -1,
		    "would re-subscribe (missing: %s)", o->missing_fields);
		return;
	}
	memset(&res, 0, sizeof(res));
	rc = ig ? graph_ig_subscribed_apps(w->ig, GRAPH_POST, token,
	    post_fields, NULL, 0, &res) : graph_oauth_subscribed_apps(w->g,
	    GRAPH_POST, object, token, post_fields, &res);
	if (note_call(p, o, &res) || rc == -1) {
		add_log(o, "resubscribe", res.cls == GRAPH_THROTTLED ?
		    "throttled" : "failed", &res, -1, -1, "missing %s: %s",
		    o->missing_fields, res.message);
		graph_result_free(&res);
		return;
	}
	graph_result_free(&res);
	memset(&res, 0, sizeof(res));
	rc = ig ? graph_ig_subscribed_apps(w->ig, GRAPH_GET, token, NULL, NULL,
	    0, &res) : graph_oauth_subscribed_apps(w->g, GRAPH_GET, object,
	    token, NULL, &res);
	if (note_call(p, o, &res) || rc == -1) {
		add_log(o, "resubscribe", "failed", &res, -1, -1,
		    "subscribed, but it could not be read back: %s",
		    res.message);
		graph_result_free(&res);
		return;
	}
	listed = token_subscribed_fields(res.json, app, o->have_fields,
	    sizeof(o->have_fields)) == 0;
	graph_result_free(&res);
	add_log(o, "resubscribe", "ok", NULL, -1, -1, "was missing: %s",
	    o->missing_fields);
	if (!listed)
		snprintf(o->missing_fields, sizeof(o->missing_fields), "*");
	else
		token_fields_missing(need, o->have_fields, o->missing_fields,
		    sizeof(o->missing_fields));
	o->resubscribed = o->missing_fields[0] == '\0';
}

/* Check job j's token with Meta and repair what can be, into o (the
 * thread's work: no database). */
/*
 * Check an Instagram Login token as Meta documents it: the account
 * behind it (GET graph.instagram.com/<version>/me?fields=user_id,
 * username) answers, or Meta says why not (190: dead).  Its expiry and
 * age are what hubgate stored when it got the token (the exchange's or
 * the last refresh's).  0, or -1 as graph_call.
 */
static int
ig_check(struct graph *ig, const struct db_token_job *j, const char *token,
    struct graph_token_info *info, struct graph_result *res)
{
	struct graph_ig_user u;

	memset(info, 0, sizeof(*info));
	if (graph_ig_me(ig, token, &u, res) == -1)
		return -1;
	info->is_valid = 1;
	snprintf(info->type, sizeof(info->type), "USER");
	snprintf(info->user_id, sizeof(info->user_id), "%s", u.user_id);
	info->expires_at = j->expires_at;
	info->issued_at = j->issued_at;
	return 0;
}

static void
job_run(struct worker *w, const struct db_token_job *j, struct job_out *o)
{
	struct pool		*p = w->p;
	struct graph_token_info	 info;
	struct graph_result	 res;
	struct buf		 tok;
	const char		*scope, *target, *token;
	char			 aad[HG_META_ID_MAX + 64];
	int			 rc, ig = strcmp(j->token_kind,
				    "instagram_login") == 0;

	o->done = 1;
	o->expires_at = j->expires_at;
	o->issued_at = j->issued_at;
	buf_init(&tok, HG_ACCESS_TOKEN_MAX + 1);
	job_aad(j, aad, sizeof(aad));
	if (!p->have_key || crypto_open(p->key, j->sealed.data, j->sealed.len,
	    aad, strlen(aad), &tok) == -1 || buf_putc(&tok, '\0') == -1) {
		o->unreadable = 1;
		o->reached = 1;
		add_log(o, "check", "invalid", NULL, -1, -1,
		    "the stored token cannot be decrypted");
		goto out;
	}
	token = buf_cstr(&tok);
	memset(&res, 0, sizeof(res));
	rc = ig ? (w->ig != NULL ? ig_check(w->ig, j, token, &info, &res) :
	    -1) : graph_oauth_debug_token(w->g, token, &info, &res);
	if (ig && w->ig == NULL) {
		add_log(o, "check", "failed", NULL, -1, -1, "Instagram Login "
		    "is not configured (instagram_app_id)");
		goto out;
	}
	if (note_call(p, o, &res) || rc == -1) {
		/* A dead token may come back as a Graph error too. */
		if (res.cls == GRAPH_TOKEN_INVALID) {
			o->reached = 1;
			o->code = res.code != 0 ? res.code : 190;
			o->subcode = res.subcode;
			add_log(o, "check", "invalid", &res, j->expires_at, -1,
			    "%s", token_subcode_words(o->code, o->subcode));
		} else
			add_log(o, "check", res.cls == GRAPH_THROTTLED ?
			    "throttled" : "failed", &res, -1, -1, "%s",
			    res.message);
		graph_result_free(&res);
		goto out;
	}
	o->reached = 1;
	if (!info.is_valid) {
		o->code = info.error_code;
		o->subcode = info.error_subcode > 0 ? info.error_subcode : 0;
		add_log(o, "check", "invalid", &res, j->expires_at,
		    info.expires_at, "%s", token_subcode_words(o->code,
		    o->subcode));
		graph_result_free(&res);
		goto out;
	}
	o->expires_at = info.expires_at;
	o->data_access_expires_at = info.data_access_expires_at;
	if (info.issued_at > 0)
		o->issued_at = info.issued_at;
	/* An Instagram Login token's scopes are not told by /me. */
	if (!ig && (scope = needed_scope(j, &target)) != NULL &&
	    graph_oauth_scope_covers(res.json, scope, target) != 1)
		snprintf(o->missing_scope, sizeof(o->missing_scope), "%s",
		    scope);
	add_log(o, "check", "ok", &res, j->expires_at, info.expires_at,
	    "valid%s%s", o->missing_scope[0] != '\0' ? "; lacks " : "",
	    o->missing_scope);
	graph_result_free(&res);
	/* Repairs, while the token is still valid. */
	if (strcmp(j->subject, "login") == 0 && strcmp(j->kind, "facebook") == 0 &&
	    token_exchange_due(o->expires_at, p->now))
		renew_login(w, j, token, o);
	else if (ig && !p->stop)
		renew_ig(w, j, token, o);
	if (strcmp(j->subject, "channel") == 0 && !p->stop)
		check_subscription(w, j, o->new_token != NULL ? o->new_token :
		    token, o);
out:
	crypto_wipe(tok.data, tok.len);
	buf_free(&tok);
}

/* Sleep ms milliseconds. */
static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1)
		;
}

/* A pool thread: take the batch's jobs one at a time until told to
 * quit; after a throttled answer or the deadline, skip them. */
static void *
worker_main(void *arg)
{
	struct worker	*w = arg;
	struct pool	*p = w->p;
	size_t		 i;
	int		 slow;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && p->next >= p->n)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->quit)
			break;
		i = p->next++;
		if (p->stop || clock_mono_ms() >= p->deadline_ms)
			continue;	/* left due for the next run */
		p->busy++;
		slow = p->slow;
		pthread_mutex_unlock(&p->mu);
		if (slow)
			nap_ms(1000);
		job_run(w, &p->jobs[i], &p->out[i]);
		pthread_mutex_lock(&p->mu);
		p->busy--;
		if (p->next >= p->n && p->busy == 0)
			pthread_cond_broadcast(&p->idle);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Run the batch of n jobs on the pool; returns when every one is done
 * or skipped. */
static void
pool_batch(struct pool *p, struct db_token_job *jobs, struct job_out *out,
    size_t n)
{
	pthread_mutex_lock(&p->mu);
	p->jobs = jobs;
	p->out = out;
	p->n = n;
	p->next = 0;
	p->busy = 0;
	pthread_cond_broadcast(&p->work);
	while (p->next < p->n || p->busy > 0)
		pthread_cond_wait(&p->idle, &p->mu);
	p->n = 0;
	p->next = 0;
	pthread_mutex_unlock(&p->mu);
}

/* Stop the threads and free the pool. */
static void
pool_end(struct pool *p)
{
	int i;

	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nw; i++) {
		if (p->w[i].started)
			pthread_join(p->w[i].t, NULL);
		graph_free(p->w[i].g);
		graph_free(p->w[i].ig);
	}
	free(p->w);
	crypto_wipe(p->key, sizeof(p->key));
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->idle);
	pthread_mutex_destroy(&p->mu);
}

/* Start nw threads, each with its own Graph clients; 0 or -1. */
static int
pool_start(struct pool *p, const struct conf *c, int nw, char *err,
    size_t errsz)
{
	char	e[HG_ERR_MAX];
	int	i;

	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->idle, NULL);
	p->have_key = crypto_key_parse(conf_get(c, "token_key"), p->key) == 0;
	if ((p->w = calloc((size_t)nw, sizeof(*p->w))) == NULL) {
		snprintf(err, errsz, "no memory");
		return -1;
	}
	p->nw = nw;
	for (i = 0; i < nw; i++) {
		p->w[i].p = p;
		if ((p->w[i].g = graph_new(c, err, errsz)) == NULL)
			return -1;
		/* Instagram Login is optional. */
		p->w[i].ig = graph_new_instagram(c, GRAPH_HOST_IG_GRAPH, e,
		    sizeof(e));
		if (pthread_create(&p->w[i].t, NULL, worker_main,
		    &p->w[i]) != 0) {
			snprintf(err, errsz, "cannot start a thread");
			return -1;
		}
		p->w[i].started = 1;
	}
	return 0;
}

/* --- writing a batch's results (the caller's thread) --- */

/* When token (subject, id) is due again: a troubled one within the
 * hour; else once a day, at a time of day of its own, 12 to 36 hours
 * from now. */
static long long
next_check(const char *subject, long long id, int troubled, long long now)
{
	unsigned long long	slot;
	long long		t;

	if (troubled)
		return now + HG_TOKEN_CHECK_TROUBLED_S;
	slot = ((unsigned long long)id * 2654435761ULL +
	    (subject[0] == 'l' ? 7919 : 0)) % HG_TOKEN_CHECK_EVERY_S;
	t = now + HG_TOKEN_CHECK_EVERY_S / 2;
	t += ((long long)slot - t % HG_TOKEN_CHECK_EVERY_S +
	    HG_TOKEN_CHECK_EVERY_S) % HG_TOKEN_CHECK_EVERY_S;
	return t;
}

struct rederive {
	struct pool		*p;
	struct db		*d;
	const struct job_out	*o;
	long long		 login, workspace, now;
	long long		 n;
	int			 failed;
};

/* A channel of the renewed Login: its Page's new token. */
static void
rederive_one(void *arg, long long id, const char *kind, const char *meta_id,
    const char *parent)
{
	struct rederive		*r = arg;
	const struct page_tok	*pt = NULL;
	const char		*page = strcmp(kind, "page") == 0 ? meta_id :
				    parent;
	struct buf		 sealed;
	struct db_token_log	 l;
	char			 aad[HG_META_ID_MAX + 32];
	size_t			 i;

	for (i = 0; i < r->o->npages; i++)
		if (strcmp(r->o->pages[i].id, page) == 0)
			pt = &r->o->pages[i];
	if (pt == NULL || strcmp(kind, "whatsapp") == 0)
		return;
	snprintf(aad, sizeof(aad), "channel:%s:%s", kind, meta_id);
	buf_init(&sealed, HG_ACCESS_TOKEN_MAX + 256);
	memset(&l, 0, sizeof(l));
	l.subject = "channel";
	l.id = id;
	l.workspace = r->workspace;
	l.what = "page_token";
	l.old_expires_at = l.new_expires_at = -1;
	if (crypto_seal(r->p->key, pt->token, strlen(pt->token), aad,
	    strlen(aad), &sealed) == -1 || db_token_channel_set(r->d, id,
	    sealed.data, sealed.len, 0, r->now) == -1) {
		r->failed = 1;
		buf_free(&sealed);
		return;
	}
	buf_free(&sealed);
	l.result = "ok";
	l.detail = "re-derived from the Login's new token";
	if (db_token_log_add(r->d, &l, r->now) == -1)
		r->failed = 1;
	r->n++;
}

/* Store one job's outcome; 0 or -1 (database). */
static int
job_save(struct pool *p, struct db *d, const struct db_token_job *j,
    struct job_out *o, struct tokens_stats *st)
{
	struct db_token_facts	 f;
	struct db_token_log	 l;
	struct buf		 sealed;
	char			 aad[HG_META_ID_MAX + 64];
	long long		 now = p->now;
	int			 troubled, dead, chan;
	size_t			 i;

	chan = strcmp(j->subject, "channel") == 0;
	dead = o->code != 0 || o->unreadable;
	if (o->reached)
		st->checked++;
	else
		st->failed++;
	if (p->o->dry_run) {
		for (i = 0; p->o->report != NULL && i < o->nlog; i++)
			fprintf(p->o->report, "%s %lld: %s %s: %s\n",
			    j->subject, j->id, o->log[i].what,
			    o->log[i].result, o->log[i].detail);
		st->would += o->would;
		if (dead)
			st->invalid++;
		return 0;
	}
	for (i = 0; i < o->nlog; i++) {
		memset(&l, 0, sizeof(l));
		l.subject = j->subject;
		l.id = j->id;
		l.workspace = j->workspace;
		l.what = o->log[i].what;
		l.result = o->log[i].result;
		l.code = o->log[i].code;
		l.subcode = o->log[i].subcode;
		l.fbtrace_id = o->log[i].fbtrace_id;
		l.old_expires_at = o->log[i].old_exp;
		l.new_expires_at = o->log[i].new_exp;
		l.detail = o->log[i].detail;
		if (db_token_log_add(d, &l, now) == -1)
			return -1;
	}
	/* The renewed token first: its trigger makes the row due at
	 * once, which the facts below then overwrite. */
	if (o->new_token != NULL) {
		job_aad(j, aad, sizeof(aad));
		buf_init(&sealed, HG_ACCESS_TOKEN_MAX + 256);
		if (crypto_seal(p->key, o->new_token, strlen(o->new_token),
		    aad, strlen(aad), &sealed) == -1) {
			buf_free(&sealed);
			return -1;
		}
		if ((chan ? db_token_channel_set(d, j->id, sealed.data,
		    sealed.len, o->new_expires_at, now) : db_token_login_set(d,
		    j->id, sealed.data, sealed.len, o->new_expires_at,
		    now)) == -1) {
			buf_free(&sealed);
			return -1;
		}
		buf_free(&sealed);
		/* An Instagram Login's token lives on its Login too. */
		if (chan && j->login_id > 0 && strcmp(j->login_platform,
		    "instagram") == 0 && strcmp(j->token_kind,
		    "instagram_login") == 0) {
			snprintf(aad, sizeof(aad), "meta_login:instagram:%s",
			    j->login_user);
			buf_init(&sealed, HG_ACCESS_TOKEN_MAX + 256);
			if (crypto_seal(p->key, o->new_token,
			    strlen(o->new_token), aad, strlen(aad),
			    &sealed) == -1 || db_token_login_set(d, j->login_id,
			    sealed.data, sealed.len, o->new_expires_at,
			    now) == -1) {
				buf_free(&sealed);
				return -1;
			}
			buf_free(&sealed);
		}
		o->expires_at = o->new_expires_at;
		o->issued_at = now;
		st->refreshed++;
	}
	if (o->npages > 0) {
		struct rederive r;

		memset(&r, 0, sizeof(r));
		r.p = p;
		r.d = d;
		r.o = o;
		r.login = j->id;
		r.workspace = j->workspace;
		r.now = now;
		if (db_token_login_channels(d, j->id, rederive_one, &r) == -1 ||
		    r.failed)
			return -1;
	}
	if (o->fields_read && chan && db_token_fields_set(d, j->id,
	    o->have_fields, now) == -1)
		return -1;
	if (o->resubscribed)
		st->resubscribed++;
	if (dead && chan && strcmp(j->status, "invalid") != 0 &&
	    strcmp(j->status, "revoked") != 0) {
		if (db_channel_token_invalid(d, j->id) == -1)
			return -1;
		memset(&l, 0, sizeof(l));
		l.subject = j->subject;
		l.id = j->id;
		l.workspace = j->workspace;
		l.what = "pause";
		l.result = "ok";
		l.code = o->code;
		l.subcode = o->subcode;
		l.old_expires_at = l.new_expires_at = -1;
		l.detail = "the channel's sends wait until it is reconnected";
		if (db_token_log_add(d, &l, now) == -1)
			return -1;
		st->paused++;
	}
	if (dead)
		st->invalid++;
	/* Paused by a failure in use, but Meta says the token is fine:
	 * its sends resume. */
	if (!dead && o->reached && chan && strcmp(j->status, "invalid") == 0) {
		int rc;

		if ((rc = db_token_resume(d, j->id, now)) == -1)
			return -1;
		memset(&l, 0, sizeof(l));
		l.subject = j->subject;
		l.id = j->id;
		l.workspace = j->workspace;
		l.what = "resume";
		l.result = rc == 1 ? "ok" : "skipped";
		l.old_expires_at = l.new_expires_at = -1;
		l.detail = "Meta says the token is valid: the channel's sends "
		    "resume";
		if (rc == 1 && db_token_log_add(d, &l, now) == -1)
			return -1;
	}
	troubled = !o->reached || dead || o->missing_fields[0] != '\0' ||
	    o->missing_scope[0] != '\0' || (o->expires_at > 0 &&
	    o->expires_at - now <= HG_TOKEN_WARNING_S);
	memset(&f, 0, sizeof(f));
	f.next_check_at = next_check(j->subject, j->id, troubled, now);
	f.reached = o->reached;
	f.code = o->code;
	f.subcode = o->subcode;
	f.expires_at = o->expires_at;
	f.data_access_expires_at = o->data_access_expires_at;
	f.issued_at = o->issued_at;
	f.missing_scope = o->missing_scope;
	f.missing_fields = o->fields_read ? o->missing_fields : "";
	f.unreadable = o->unreadable;
	return db_token_facts_set(d, j->subject, j->id, &f, now);
}

/* Wipe and free what the threads kept of n results. */
static void
out_free(struct job_out *o, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (o[i].new_token != NULL) {
			crypto_wipe(o[i].new_token, strlen(o[i].new_token));
			free(o[i].new_token);
		}
		for (k = 0; k < o[i].npages; k++) {
			crypto_wipe(o[i].pages[k].token,
			    strlen(o[i].pages[k].token));
			free(o[i].pages[k].token);
		}
		free(o[i].pages);
	}
}

/* --- silence --- */

struct chan_ev {
	long long	 id, last;
};
struct chan_evs {
	struct chan_ev	*v;
	size_t		 n, cap;
	int		 failed;
};

/* db_token_channels_events' callback: collect (id, last event). */
static void
chan_ev_add(void *arg, long long id, long long last)
{
	struct chan_evs	*a = arg;
	struct chan_ev	*n;

	if (a->n == a->cap) {
		a->cap = a->cap == 0 ? 256 : a->cap * 2;
		if ((n = realloc(a->v, a->cap * sizeof(*n))) == NULL) {
			a->failed = 1;
			return;
		}
		a->v = n;
	}
	a->v[a->n].id = id;
	a->v[a->n].last = last;
	a->n++;
}

/* Flag the channels silent for longer than their usual gaps, and
 * un-flag those whose events came back; 0 or -1. */
static int
silence_pass(const struct conf *c, struct db *d, long long only,
    long long now, struct tokens_stats *st)
{
	struct chan_evs	 a;
	long long	 ev, gap_ms, limit, hours = conf_get_int(c,
			    "silence_alert_hours");
	size_t		 i;
	int		 rc = 0;

	memset(&a, 0, sizeof(a));
	if (db_token_channels_events(d, chan_ev_add, &a) == -1 || a.failed) {
		free(a.v);
		return -1;
	}
	for (i = 0; i < a.n && rc == 0; i++) {
		if (only > 0 && a.v[i].id != only)
			continue;
		limit = 0;
		if (a.v[i].last > 0 && now - a.v[i].last >= HG_SILENCE_MIN_S) {
			if (db_token_traffic(d, a.v[i].id, (now -
			    HG_SILENCE_WINDOW_S) * 1000, &ev, &gap_ms) == -1) {
				rc = -1;
				break;
			}
			limit = token_silence_limit(ev, gap_ms / 1000, hours);
			if (limit > 0 && now - a.v[i].last < limit)
				limit = 0;
		}
		if (limit > 0)
			st->silent++;
		if (db_token_silent_set(d, a.v[i].id, limit > 0 ? a.v[i].last :
		    0, limit) == -1)
			rc = -1;
	}
	free(a.v);
	return rc;
}

/* --- levels and alerts --- */

struct change {
	char		 subject[8];
	long long	 id, workspace;
	enum token_level level;
	int		 tell;		/* a change, or a daily repeat */
	char		 text[HG_ALERT_TEXT_MAX];
};
struct changes {
	struct change	*v;
	size_t		 n, cap;
	long long	 now;
	int		 failed;
	struct db	*db;		/* a WhatsApp number's account state */
};

void
tokens_facts_of(const struct db_token_state *s, long long now,
    struct token_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->status = s->status;
	f->login = strcmp(s->subject, "login") == 0;
	f->renewable = f->login || strcmp(s->token_kind,
	    "instagram_login") == 0;
	f->expires_at = s->expires_at;
	f->data_access_expires_at = s->data_access_expires_at;
	f->code = s->code;
	f->subcode = s->subcode;
	f->unreadable = s->unreadable;
	f->missing_scope = s->missing_scope;
	f->missing_fields = s->missing_fields;
	if (s->silent_since > 0) {
		f->silent_s = now > s->silent_since ? now - s->silent_since : 1;
		f->silent_limit_s = s->silent_limit_s;
	}
}

/* db_token_states' callback: the level of s now; a change (or a
 * daily repeat of a bad level) to write and tell is collected. */
static void
change_add(void *arg, const struct db_token_state *s)
{
	struct changes		*cs = arg;
	struct token_facts	 f;
	struct token_verdict	 v;
	struct change		*c;
	char			 account[HG_META_ID_MAX + 1];
	int			 was, tell;

	tokens_facts_of(s, cs->now, &f);
	/* A WhatsApp number's account events raise its level too. */
	if (cs->db != NULL && strcmp(s->subject, "channel") == 0 &&
	    s->kind != NULL && strcmp(s->kind, "whatsapp") == 0 &&
	    db_account_state(cs->db, s->id, account, sizeof(account)) == 1 &&
	    account[0] != '\0')
		f.account_state = account;
	token_level_of(&f, cs->now, &v);
	was = token_level_parse(s->alerted_level);
	if (was < 0)
		was = TOKEN_OK;
	tell = (int)v.level != was || (v.level >= TOKEN_WARNING &&
	    cs->now - s->last_alert_at >= HG_ALERT_REPEAT_S);
	if (!tell && strcmp(s->level, token_level_names[v.level]) == 0)
		return;
	if (cs->n == cs->cap) {
		struct change *n;

		cs->cap = cs->cap == 0 ? 16 : cs->cap * 2;
		if ((n = realloc(cs->v, cs->cap * sizeof(*n))) == NULL) {
			cs->failed = 1;
			return;
		}
		cs->v = n;
	}
	c = &cs->v[cs->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->subject, sizeof(c->subject), "%s", s->subject);
	c->id = s->id;
	c->workspace = s->workspace;
	c->level = v.level;
	c->tell = tell;
	snprintf(c->text, sizeof(c->text), "hubgate: %s %s \"%s\" (%s %lld) "
	    "is %s %s: %s. What to do: %s.", c->subject[0] == 'l' ?
	    "the Login" : "channel", c->subject[0] == 'l' ? "of" : s->kind,
	    s->name, c->subject, s->id, (int)v.level == was ? "still" :
	    "now", token_level_names[v.level], v.words, v.action);
}

/* Send one alert for the changes told this run: one change as it is,
 * several as one message of up to HG_ALERT_LINES lines. */
static void
tell(const struct conf *c, const struct changes *cs, size_t told)
{
	struct buf	 b;
	char		 subj[128], err[256];
	size_t		 i, k = 0;

	if (told == 0)
		return;
	buf_init(&b, HG_ALERT_TEXT_MAX * (HG_ALERT_LINES + 1));
	for (i = 0; i < cs->n; i++) {
		const struct change *ch = &cs->v[i];

		if (!ch->tell)
			continue;
		if (told == 1)
			snprintf(subj, sizeof(subj), "hubgate: %s %lld is %s",
			    ch->subject, ch->id, token_level_names[ch->level]);
		if (k++ < HG_ALERT_LINES)
			buf_printf(&b, "%s%s", k > 1 ? "\n" : "", ch->text);
	}
	if (told > 1) {
		snprintf(subj, sizeof(subj), "hubgate: %zu tokens or channels "
		    "changed level", told);
		if (told > HG_ALERT_LINES)
			buf_printf(&b, "\n... and %zu more: see the Channels "
			    "page.", told - HG_ALERT_LINES);
	}
	if (!b.err && alert_send(c, subj, buf_cstr(&b), err,
	    sizeof(err)) == -1)
		log_msg(LOG_LEVEL_WARN, "tokens.alert_failed", err);
	buf_free(&b);
}

/* Compute every level; keep the changes and tell people of them (and,
 * once a day, of levels that stay bad), in transactions of
 * HG_TOKEN_BATCH changes; 0 or -1. */
static int
level_pass(const struct conf *c, struct db *d, const struct tokens_opts *o,
    long long now, struct tokens_stats *st)
{
	struct changes	 cs;
	struct db_audit	 a;
	char		 object[48];
	size_t		 i, told = 0;
	int		 rc = 0, open = 0;

	memset(&cs, 0, sizeof(cs));
	cs.now = now;
	cs.db = d;
	if (db_token_states(d, 0, o->channel, change_add, &cs) == -1 ||
	    cs.failed) {
		free(cs.v);
		return -1;
	}
	for (i = 0; i < cs.n && rc == 0; i++) {
		struct change *ch = &cs.v[i];

		if (ch->tell)
			st->alerts++;
		if (o->dry_run)
			continue;
		if (!open && (rc = db_begin(d)) == -1)
			break;
		open = 1;
		if (db_token_level_set(d, ch->subject, ch->id,
		    token_level_names[ch->level], now) == -1)
			rc = -1;
		if (rc == 0 && ch->tell) {
			snprintf(object, sizeof(object), "%s:%lld",
			    ch->subject, ch->id);
			memset(&a, 0, sizeof(a));
			a.at = now;
			a.workspace_id = ch->workspace;
			a.actor = AUDIT_CRON;
			a.action = "token.level";
			a.object = object;
			a.detail = ch->text;
			a.remote = "";
			if (db_audit_add(d, &a) == -1 || db_token_alerted(d,
			    ch->subject, ch->id, token_level_names[ch->level],
			    now) == -1)
				rc = -1;
			told++;
		}
		if (rc == 0 && ((i + 1) % HG_TOKEN_BATCH == 0 || i + 1 == cs.n)) {
			rc = db_commit(d);
			open = 0;
		}
	}
	if (rc == -1) {
		if (open)
			db_rollback(d);
	} else if (o->alerts && !o->dry_run)
		tell(c, &cs, told);
	free(cs.v);
	return rc;
}

int
tokens_run(const struct conf *c, struct db *d, const struct tokens_opts *o,
    struct tokens_stats *st, char *err, size_t errsz)
{
	struct pool		 p;
	struct db_token_job	*jobs = NULL;
	struct job_out		*out = NULL;
	long long		 start = clock_mono_ms();
	size_t			 n, i, skip = 0;
	long long		 pruned;
	int			 rc = -1, nw, k;

	memset(st, 0, sizeof(*st));
	memset(&p, 0, sizeof(p));
	p.conf = c;
	p.o = o;
	p.now = (long long)time(NULL);
	p.deadline_ms = start + o->budget_ms;
	p.ig_window_s = conf_get_int(c, "ig_refresh_days") * 86400LL;
	nw = (int)conf_get_int(c, "token_check_parallel");
	if (o->channel > 0)
		nw = 1;
	/* A dry run writes nothing: it sees the tokens earlier runs
	 * have seeded. */
	if (!o->dry_run && (db_begin(d) == -1 || db_token_seed(d,
	    p.now) == -1 || db_commit(d) == -1)) {
		db_rollback(d);
		snprintf(err, errsz, "%s", db_errmsg(d));
		return -1;
	}
	jobs = calloc(HG_TOKEN_BATCH, sizeof(*jobs));
	out = calloc(HG_TOKEN_BATCH, sizeof(*out));
	if (jobs == NULL || out == NULL) {
		snprintf(err, errsz, "no memory");
		free(jobs);
		free(out);
		return -1;
	}
	if (pool_start(&p, c, nw, err, errsz) == -1) {
		pool_end(&p);
		free(jobs);
		free(out);
		return -1;
	}
	for (;;) {
		if (clock_mono_ms() >= p.deadline_ms) {
			st->out_of_time = 1;
			break;
		}
		if (db_token_due(d, p.now, o->channel, skip, jobs,
		    HG_TOKEN_BATCH, &n) == -1) {
			snprintf(err, errsz, "%s", db_errmsg(d));
			goto done;
		}
		if (n == 0)
			break;
		memset(out, 0, n * sizeof(*out));
		pool_batch(&p, jobs, out, n);
		if (db_begin(d) == -1)
			goto dberr;
		for (i = 0; i < n; i++)
			if (out[i].done && !out[i].throttled &&
			    job_save(&p, d, &jobs[i], &out[i], st) == -1)
				goto dberr;
		if (db_commit(d) == -1)
			goto dberr;
		out_free(out, n);
		db_token_jobs_free(jobs, n);
		if (o->channel > 0 || p.stop)
			break;
		if (o->dry_run)
			skip += n;
		continue;
dberr:
		db_rollback(d);
		out_free(out, n);
		db_token_jobs_free(jobs, n);
		snprintf(err, errsz, "%s", db_errmsg(d));
		goto done;
	}
	st->throttled = p.stop;
	st->slowed = p.slow;
	if (!o->dry_run) {
		if (db_begin(d) == -1 || silence_pass(c, d, o->channel, p.now,
		    st) == -1 || db_commit(d) == -1) {
			db_rollback(d);
			snprintf(err, errsz, "%s", db_errmsg(d));
			goto done;
		}
	}
	if (level_pass(c, d, o, p.now, st) == -1) {
		snprintf(err, errsz, "%s", db_errmsg(d));
		goto done;
	}
	/* token_log is kept HG_TOKEN_LOG_KEEP_S, pruned in short steps. */
	for (k = 0; !o->dry_run && o->channel == 0 &&
	    k < HG_TOKEN_LOG_PRUNE_STEPS; k++) {
		if (db_token_log_prune(d, p.now - HG_TOKEN_LOG_KEEP_S,
		    HG_PRUNE_BATCH, &pruned) == -1) {
			snprintf(err, errsz, "%s", db_errmsg(d));
			goto done;
		}
		st->pruned += pruned;
		if (pruned < HG_PRUNE_BATCH)
			break;
	}
	rc = 0;
done:
	pool_end(&p);
	free(jobs);
	free(out);
	return rc;
}

struct one_verdict {
	long long		 now;
	int			 found;
	struct token_verdict	*v;
	long long		*checked_at;
};

/* tokens_verdict's callback: the verdict of the one state. */
static void
one_verdict(void *arg, const struct db_token_state *s)
{
	struct one_verdict	*ov = arg;
	struct token_facts	 f;

	tokens_facts_of(s, ov->now, &f);
	token_level_of(&f, ov->now, ov->v);
	*ov->checked_at = s->checked_at;
	ov->found = 1;
}

int
tokens_verdict(struct db *d, long long workspace, long long channel,
    const char *status, long long expires_at, long long now,
    struct token_verdict *v, long long *checked_at)
{
	struct one_verdict	ov = { now, 0, v, checked_at };
	struct token_facts	f;

	*checked_at = 0;
	if (db_token_states(d, workspace, channel, one_verdict, &ov) == -1)
		return -1;
	if (ov.found)
		return 0;
	memset(&f, 0, sizeof(f));
	f.status = status;
	f.expires_at = expires_at;
	token_level_of(&f, now, v);
	return 0;
}

struct counts {
	long long	 now;
	long long	*n;
	long long	*soonest;
};

/* tokens_count's callback: count s's level, note its expiry. */
static void
count_one(void *arg, const struct db_token_state *s)
{
	struct counts		*cs = arg;
	struct token_facts	 f;
	struct token_verdict	 v;

	tokens_facts_of(s, cs->now, &f);
	token_level_of(&f, cs->now, &v);
	cs->n[v.level]++;
	if (s->expires_at > cs->now && v.level != TOKEN_INVALID &&
	    (*cs->soonest == 0 || s->expires_at < *cs->soonest))
		*cs->soonest = s->expires_at;
}

int
tokens_count(struct db *d, long long workspace, long long now,
    long long n[TOKEN_LEVEL__MAX], long long *soonest)
{
	struct counts cs = { now, n, soonest };

	memset(n, 0, sizeof(long long) * TOKEN_LEVEL__MAX);
	*soonest = 0;
	return db_token_states(d, workspace, 0, count_one, &cs);
}
