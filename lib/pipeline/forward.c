/*
 * forward: the delivery worker.  See forward.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "alert.h"
#include "bgthread.h"
#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_fwd.h"
#include "forward.h"
#include "limits.h"
#include "log.h"
#include "urlsafe.h"
#include "version.h"
#include "whsig.h"

/* How often a run looks for newly due deliveries while requests are in
 * flight, and the thread's longest sleep. */
#define FWD_REFILL_MS	200
#define FWD_POLL_MS	500
/* How long the thread's run keeps starting deliveries before it lets
 * what is in flight end and looks again. */
#define FWD_THREAD_BUDGET_MS	60000

struct fwd_slot {
	int			 busy;
	CURL			*easy;
	struct curl_slist	*hdrs;
	struct curl_slist	*connect;	/* CURLOPT_CONNECT_TO */
	struct db_fwd_due	 dest;
	long long		 delivery_id, attempts;
	char			 uid[64];	/* its event's */
	long long		 started_ms, started_mono;
	struct buf		 body;
	char			 resp[HG_FWD_RESPONSE_KEEP + 1];
	size_t			 resp_len, read;
	int			 too_big;
	char			 retry_after[64];
	char			 errbuf[CURL_ERROR_SIZE];
};

/* When a destination with a rate may start its next request. */
struct fwd_pace {
	long long	 id, next_ms;
};

struct forward_worker {
	const struct conf	*conf;
	struct db		*db;
	CURLM			*multi;
	struct fwd_slot		 slot[HG_FWD_PARALLEL_MAX];
	struct fwd_pace		 pace[HG_FWD_PARALLEL_MAX];
	int			 busy;
	long long		 sched[HG_SCHEDULE_STEPS_MAX];
	int			 nsched, loopback;
	long long		 next_due;	/* a paced destination's */
	struct forward_stats	*st;
	/* Destinations disabled by this run's outcomes, to tell people
	 * once the transaction is committed. */
	struct db_fwd_due	 off[HG_FWD_PARALLEL_MAX];
	int			 noff;
	long long		 rr;	/* the destination started last */
};

struct forward_worker *
forward_worker_new(const struct conf *c, struct db *d)
{
	struct forward_worker	*w;
	int			 i;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->conf = c;
	w->db = d;
	if ((w->multi = curl_multi_init()) == NULL) {
		free(w);
		return NULL;
	}
	w->nsched = conf_schedule_parse(conf_get(c, "forward_schedule"),
	    w->sched);
	if (w->nsched < 0)
		w->nsched = conf_schedule_parse(HG_FWD_SCHEDULE_DEFAULT,
		    w->sched);
	w->loopback = strcmp(conf_get(c, "sandbox"), "yes") == 0;
	for (i = 0; i < HG_FWD_PARALLEL_MAX; i++)
		buf_init(&w->slot[i].body, HG_FWD_BODY_MAX);
	return w;
}

/* Take slot s's handle out of the multi handle and reset it. */
static void
slot_clear(struct forward_worker *w, struct fwd_slot *s)
{
	if (s->easy != NULL) {
		curl_multi_remove_handle(w->multi, s->easy);
		curl_easy_cleanup(s->easy);
		s->easy = NULL;
	}
	curl_slist_free_all(s->hdrs);
	s->hdrs = NULL;
	curl_slist_free_all(s->connect);
	s->connect = NULL;
	if (s->busy)
		w->busy--;
	s->busy = 0;
}

void
forward_worker_free(struct forward_worker *w)
{
	int i;

	if (w == NULL)
		return;
	for (i = 0; i < HG_FWD_PARALLEL_MAX; i++) {
		slot_clear(w, &w->slot[i]);
		buf_free(&w->slot[i].body);
	}
	curl_multi_cleanup(w->multi);
	free(w);
}

/* Keep the answer's first bytes; stop reading past the cap. */
static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct fwd_slot	*s = arg;
	size_t		 len = sz * n, keep;

	if (s->resp_len < HG_FWD_RESPONSE_KEEP) {
		keep = HG_FWD_RESPONSE_KEEP - s->resp_len;
		if (keep > len)
			keep = len;
		memcpy(s->resp + s->resp_len, p, keep);
		s->resp_len += keep;
		s->resp[s->resp_len] = '\0';
	}
	s->read += len;
	if (s->read > HG_FWD_RESPONSE_READ_MAX) {
		s->too_big = 1;
		return 0;
	}
	return len;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct fwd_slot	*s = arg;
	size_t		 len = sz * n, k;

	if (len > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
		for (k = 12; k < len && (p[k] == ' ' || p[k] == '\t'); k++)
			;
		snprintf(s->retry_after, sizeof(s->retry_after), "%.*s",
		    (int)(len - k), p + k);
		s->retry_after[strcspn(s->retry_after, "\r\n")] = '\0';
	}
	return len;
}

/* Add destination id's custom headers (a JSON object of strings) to
 * *h; 0 or -1.  One saved before forward_header_check refused it is
 * left out, and the log says so (its name, never its value). */
static int
add_custom(struct curl_slist **h, long long id, const char *json)
{
	cJSON		*o, *it;
	char		 line[HG_FWD_HEADER_NAME_MAX + HG_FWD_HEADER_VALUE_MAX + 8];
	struct curl_slist *n;
	struct logline	 l;
	const char	*why;
	int		 rc = -1;

	if ((o = cJSON_Parse(json)) == NULL || !cJSON_IsObject(o))
		goto out;
	cJSON_ArrayForEach(it, o) {
		if (!cJSON_IsString(it) || forward_header_check(it->string,
		    it->valuestring, &why) == -1) {
			log_begin(&l, LOG_LEVEL_WARN, "forward.header_left_out");
			log_int(&l, "destination", id);
			log_str(&l, "header", it->string);
			log_str(&l, "why", cJSON_IsString(it) ? why :
			    "not text");
			log_end(&l);
			continue;
		}
		snprintf(line, sizeof(line), "%s: %s", it->string,
		    it->valuestring);
		if ((n = curl_slist_append(*h, line)) == NULL)
			goto out;
		*h = n;
	}
	rc = 0;
out:
	cJSON_Delete(o);
	return rc;
}

/* The headers of s's request: JSON, Standard Webhooks (two signatures
 * while an old secret is honoured), the destination's own; 0, or -1
 * with why. */
static int
slot_headers(struct forward_worker *w, struct fwd_slot *s, const char *uid,
    const char **why)
{
	struct buf		 sealed, old, hsealed, secret, osecret, hjson;
	char			 sig[HG_WHSIG_SIG_MAX], osig[HG_WHSIG_SIG_MAX];
	char			 line[HG_WHSIG_SIG_MAX * 2 + 64];
	long long		 ws = 0, old_until = 0, now_s = clock_ms() / 1000;
	struct curl_slist	*n;
	int			 rc = -1, k;

	buf_init(&sealed, 4096);
	buf_init(&old, 4096);
	buf_init(&hsealed, 64 * 1024);
	buf_init(&secret, 4096);
	buf_init(&osecret, 4096);
	buf_init(&hjson, 64 * 1024);
	*why = "the destination's secret cannot be read";
	if ((k = db_fwd_dest_keys(w->db, s->dest.id, &ws, &sealed, &old,
	    &old_until, &hsealed)) != 1) {
		if (k == -1)
			*why = "the database is busy";
		goto out;
	}
	if (forward_unseal(w->conf, ws, sealed.data, sealed.len, &secret) == -1 ||
	    whsig_sign(buf_cstr(&secret), uid, now_s, s->body.data,
	    s->body.len, sig, sizeof(sig)) == -1)
		goto out;
	if (old.len > 0 && old_until > clock_ms() &&
	    forward_unseal(w->conf, ws, old.data, old.len, &osecret) == 0 &&
	    whsig_sign(buf_cstr(&osecret), uid, now_s, s->body.data,
	    s->body.len, osig, sizeof(osig)) == 0)
		snprintf(line, sizeof(line), "webhook-signature: %s %s", sig,
		    osig);
	else
		snprintf(line, sizeof(line), "webhook-signature: %s", sig);
	*why = "out of memory";
	if ((n = curl_slist_append(s->hdrs, line)) == NULL)
		goto out;
	s->hdrs = n;
	snprintf(line, sizeof(line), "webhook-id: %s", uid);
	if ((n = curl_slist_append(s->hdrs, line)) == NULL)
		goto out;
	s->hdrs = n;
	snprintf(line, sizeof(line), "webhook-timestamp: %lld", now_s);
	if ((n = curl_slist_append(s->hdrs, line)) == NULL)
		goto out;
	s->hdrs = n;
	if ((n = curl_slist_append(s->hdrs,
	    "Content-Type: application/json")) == NULL)
		goto out;
	s->hdrs = n;
	/* No "Expect: 100-continue" round trip before the body. */
	if ((n = curl_slist_append(s->hdrs, "Expect:")) == NULL)
		goto out;
	s->hdrs = n;
	if (hsealed.len > 0) {
		*why = "the destination's headers cannot be read";
		if (forward_unseal(w->conf, ws, hsealed.data, hsealed.len,
		    &hjson) == -1 || add_custom(&s->hdrs, s->dest.id,
		    buf_cstr(&hjson)) == -1)
			goto out;
	}
	rc = 0;
out:
	if (secret.data != NULL)
		crypto_wipe(secret.data, secret.len);
	if (osecret.data != NULL)
		crypto_wipe(osecret.data, osecret.len);
	if (hjson.data != NULL)
		crypto_wipe(hjson.data, hjson.len);
	buf_free(&sealed);
	buf_free(&old);
	buf_free(&hsealed);
	buf_free(&secret);
	buf_free(&osecret);
	buf_free(&hjson);
	return rc;
}

/* Decide and record what became of delivery (of dest) after an
 * attempt; inside the caller's transaction.  0 or -1. */
static int
settle(struct forward_worker *w, const struct fwd_slot *s, int status,
    const char *error, long long retry_after_s, int gone)
{
	struct db_fwd_outcome	 o;
	unsigned long		 rnd = 0;
	long long		 delay;
	int			 rc;

	memset(&o, 0, sizeof(o));
	o.delivery_id = s->delivery_id;
	o.destination_id = s->dest.id;
	o.uid = s->uid;
	o.started_ms = s->started_ms;
	o.duration_ms = clock_mono_ms() - s->started_mono;
	o.status = status;
	o.error = error;
	o.response = s->resp_len > 0 ? s->resp : NULL;
	o.disable_after_ms = HG_FWD_DISABLE_AFTER_MS;
	if (error == NULL) {
		o.state = DB_FWD_DELIVERED;
		if (w->st != NULL)
			w->st->delivered++;
	} else {
		if (crypto_random(&rnd, sizeof(rnd)) == -1)
			rnd = (unsigned long)clock_mono_ms();
		delay = forward_delay_ms(w->sched, w->nsched, s->attempts + 1,
		    rnd);
		if (gone) {
			o.state = DB_FWD_PENDING;
			o.next_ms = clock_ms();
			o.disable = "the endpoint answered 410 Gone";
			if (w->st != NULL)
				w->st->disabled++;
		} else if (delay < 0) {
			o.state = DB_FWD_DEAD;
			if (w->st != NULL)
				w->st->dead++;
		} else {
			o.state = DB_FWD_PENDING;
			o.next_ms = clock_ms() + (retry_after_s >= 0 ?
			    retry_after_s * 1000 : delay);
		}
		if (w->st != NULL)
			w->st->failed++;
	}
	if (w->st != NULL)
		w->st->attempts++;
	if ((rc = db_fwd_record(w->db, &o)) == 1 &&
	    w->noff < HG_FWD_PARALLEL_MAX)
		w->off[w->noff++] = s->dest;
	return rc == -1 ? -1 : 0;
}

/* Tell people of the destinations this run disabled (alert.h: e-mail,
 * alert webhook): their host only, never the whole URL (it may hold a
 * key of theirs). */
static void
tell(struct forward_worker *w)
{
	struct urlsafe_url	 u;
	struct db_fwd_dest	 x;
	const char		*why;
	char			 text[HG_ALERT_TEXT_MAX], err[HG_ERR_MAX];
	int			 i;

	for (i = 0; i < w->noff; i++) {
		if (urlsafe_parse(w->off[i].url, &u, &why) == -1)
			snprintf(u.host, sizeof(u.host), "?");
		if (db_fwd_dest_get(w->db, w->off[i].workspace_id, w->off[i].id,
		    clock_ms(), &x) != 1)
			snprintf(x.disabled_reason, sizeof(x.disabled_reason),
			    "it kept failing");
		snprintf(text, sizeof(text), "hubgate disabled the destination "
		    "%lld (%s) of workspace %lld: %s. Its deliveries wait; "
		    "enable it again on the Destinations page once the "
		    "endpoint works.", w->off[i].id, u.host,
		    w->off[i].workspace_id, x.disabled_reason);
		if (alert_send(w->conf, "hubgate: a destination was disabled",
		    text, err, sizeof(err)) == -1)
			log_msg(LOG_LEVEL_WARN, "forward.alert_failed", err);
		log_msg(LOG_LEVEL_WARN, "forward.disabled", text);
	}
	w->noff = 0;
}

/* Slot s's request ended with curl's code cc; settle it. */
static int
finish(struct forward_worker *w, struct fwd_slot *s, CURLcode cc)
{
	struct logline	 l;
	char		 err[CURL_ERROR_SIZE + 64];
	long		 code = 0;
	long long	 ra = -1;
	const char	*error = NULL;
	int		 rc;

	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
	/* An answer longer than the read cap still has its status. */
	if (cc != CURLE_OK && !(s->too_big && code > 0)) {
		snprintf(err, sizeof(err), "%s", s->errbuf[0] != '\0' ?
		    s->errbuf : curl_easy_strerror(cc));
		if (cc == CURLE_OPERATION_TIMEDOUT)
			snprintf(err, sizeof(err), "no answer within %d s",
			    HG_FWD_TIMEOUT_MS / 1000);
		error = err;
		code = code >= 200 && code < 300 ? 0 : code;
	} else if (code >= 300 && code < 400) {
		snprintf(err, sizeof(err), "HTTP %ld: a redirect (not "
		    "followed)", code);
		error = err;
	} else if (code < 200 || code >= 300) {
		snprintf(err, sizeof(err), "HTTP %ld", code);
		error = err;
		if (code == 429 || code == 502 || code == 503 || code == 504)
			ra = forward_retry_after(s->retry_after,
			    clock_ms() / 1000);
	}
	log_begin(&l, error == NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO,
	    "forward.attempt");
	log_int(&l, "destination", s->dest.id);
	log_int(&l, "delivery", s->delivery_id);
	log_int(&l, "status", code);
	log_int(&l, "ms", clock_mono_ms() - s->started_mono);
	if (error != NULL)
		log_str(&l, "error", error);
	log_end(&l);
	rc = settle(w, s, (int)code, error, ra, code == 410);
	slot_clear(w, s);
	return rc;
}

/* May destination dd start a request now (its rate)?  1 or 0.  now is
 * the moment the request starts, so that the spacing holds between
 * the requests themselves.  With every pace entry taken by a
 * destination still inside its interval, dd waits for one to free: a
 * rate is never skipped for want of room. */
static int
paced(struct forward_worker *w, const struct db_fwd_due *dd, long long now)
{
	long long	 soonest = 0;
	int		 i, free_i = -1;

	if (dd->rate_per_s <= 0)
		return 1;
	for (i = 0; i < HG_FWD_PARALLEL_MAX; i++) {
		if (w->pace[i].id == dd->id) {
			if (w->pace[i].next_ms > now) {
				if (w->next_due == 0 ||
				    w->pace[i].next_ms < w->next_due)
					w->next_due = w->pace[i].next_ms;
				return 0;
			}
			w->pace[i].next_ms = now + 1000 / dd->rate_per_s;
			return 1;
		}
		if (free_i < 0 && (w->pace[i].id == 0 ||
		    w->pace[i].next_ms <= now))
			free_i = i;
		if (soonest == 0 || w->pace[i].next_ms < soonest)
			soonest = w->pace[i].next_ms;
	}
	if (free_i < 0) {
		if (w->next_due == 0 || soonest < w->next_due)
			w->next_due = soonest;
		return 0;
	}
	w->pace[free_i].id = dd->id;
	w->pace[free_i].next_ms = now + 1000 / dd->rate_per_s;
	return 1;
}

struct fill {
	struct forward_worker	*w;
	struct db_fwd_due	 due[HG_FWD_PARALLEL_MAX];
	int			 n;
	int			 slow_room;	/* slow ones that may start */
};

/* Take due destination dd as a candidate, unless it has a request in
 * flight, or is slow and the slow ones have their share. */
static void
fill_one(void *arg, const struct db_fwd_due *dd)
{
	struct fill	*f = arg;
	int		 i;

	for (i = 0; i < HG_FWD_PARALLEL_MAX; i++)
		if (f->w->slot[i].busy && f->w->slot[i].dest.id == dd->id)
			return;
	if (f->n == HG_FWD_PARALLEL_MAX)
		return;
	if (dd->last_ms >= HG_FWD_SLOW_MS) {
		if (f->slow_room <= 0)
			return;
		f->slow_room--;
	}
	f->due[f->n++] = *dd;
}

/* Settle slot s as failed at once with error, in a transaction of its
 * own, and free it: 1, or -1 on a database error. */
static int
fail_now(struct forward_worker *w, struct fwd_slot *s, const char *error)
{
	int rc;

	rc = db_begin(w->db) == -1 || settle(w, s, 0, error, -1, 0) == -1 ||
	    db_commit(w->db) == -1 ? -1 : 1;
	if (rc == -1) {
		db_rollback(w->db);
		w->noff = 0;
	} else if (w->noff > 0)
		tell(w);
	slot_clear(w, s);
	return rc;
}

/* Start delivery s->delivery_id: check the URL, sign, add to the multi
 * handle.  0 started, 1 failed at once (settled), -1 database error. */
static int
start(struct forward_worker *w, struct fwd_slot *s, const char *uid)
{
	struct urlsafe_url	 u;
	const char		*why = NULL;
	char			 err[256];

	s->busy = 1;
	w->busy++;
	s->started_ms = clock_ms();
	s->started_mono = clock_mono_ms();
	s->resp[0] = '\0';
	s->resp_len = s->read = 0;
	s->too_big = 0;
	s->retry_after[0] = '\0';
	s->errbuf[0] = '\0';
	if (urlsafe_check(s->dest.url, w->loopback, &u, &why) != 0 ||
	    slot_headers(w, s, uid, &why) == -1 ||
	    (s->easy = curl_easy_init()) == NULL) {
		snprintf(err, sizeof(err), "not sent: %s", why != NULL ? why :
		    "out of memory");
		return fail_now(w, s, err);
	}
	if ((s->connect = curl_slist_append(NULL, u.connect_to)) == NULL)
		return fail_now(w, s, "not sent: out of memory");
	/* The address urlsafe_check approved: no second lookup. */
	curl_easy_setopt(s->easy, CURLOPT_CONNECT_TO, s->connect);
	/* A proxy would connect elsewhere than the address checked. */
	curl_easy_setopt(s->easy, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(s->easy, CURLOPT_URL, s->dest.url);
	curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS_STR, u.https ? "https" :
	    "http");
	curl_easy_setopt(s->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(s->easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(s->easy, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)HG_FWD_CONNECT_MS);
	curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, (long)HG_FWD_TIMEOUT_MS);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(s->easy, CURLOPT_USERAGENT, "hubgate/" HUBGATE_VERSION);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->hdrs);
	curl_easy_setopt(s->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body.data);
	curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)s->body.len);
	if (curl_multi_add_handle(w->multi, s->easy) != CURLM_OK)
		return fail_now(w, s, "not sent: out of memory");
	return 0;
}

/* Start the due deliveries of destinations without a request in
 * flight; 0 or -1. */
static int
fill(struct forward_worker *w)
{
	struct fill	 f;
	long long	 now = clock_ms(), id, attempts, next;
	char		 uid[64];
	int		 i, j, k;

	memset(&f, 0, sizeof(f));
	f.w = w;
	/* Slow: known so, or in flight for as long already. */
	f.slow_room = HG_FWD_PARALLEL_MAX - HG_FWD_FAST_RESERVE;
	for (i = 0; i < HG_FWD_PARALLEL_MAX; i++)
		if (w->slot[i].busy && (w->slot[i].dest.last_ms >=
		    HG_FWD_SLOW_MS || clock_mono_ms() -
		    w->slot[i].started_mono >= HG_FWD_SLOW_MS))
			f.slow_room--;
	if (db_fwd_due(w->db, now, w->rr, fill_one, &f) == -1)
		return -1;
	for (i = 0; i < f.n; i++) {
		for (j = 0; j < HG_FWD_PARALLEL_MAX && w->slot[j].busy; j++)
			;
		if (j == HG_FWD_PARALLEL_MAX)
			break;
		if (!paced(w, &f.due[i], clock_ms()))
			continue;
		w->slot[j].dest = f.due[i];
		if ((k = db_fwd_head(w->db, &f.due[i], now, &id, &attempts,
		    &next, uid, &w->slot[j].body)) == -1)
			return -1;
		if (k == 0 || next > now)
			continue;
		w->slot[j].delivery_id = id;
		w->slot[j].attempts = attempts;
		memcpy(w->slot[j].uid, uid, sizeof(w->slot[j].uid));
		if (w->slot[j].body.err) {
			/* Too big to send: a dead letter at once. */
			w->slot[j].attempts = 1000;
			w->slot[j].busy = 1;
			w->busy++;
			w->slot[j].started_ms = now;
			w->slot[j].started_mono = clock_mono_ms();
			w->slot[j].resp_len = 0;
			if (fail_now(w, &w->slot[j], "the event is too big to "
			    "send") == -1)
				return -1;
			continue;
		}
		w->rr = f.due[i].id;
		if (start(w, &w->slot[j], uid) == -1)
			return -1;
	}
	return 0;
}

int
forward_run(struct forward_worker *w, long long budget_ms,
    struct forward_stats *st, long long *next_ms)
{
	struct forward_stats	 local;
	CURLMsg			*m;
	long long		 t0 = clock_mono_ms(), last_fill = 0, due = 0;
	int			 running, left, i, done, stop = 0, rc = 0;

	memset(&local, 0, sizeof(local));
	w->st = st != NULL ? st : &local;
	w->next_due = 0;
	for (;;) {
		if (!stop && (last_fill == 0 ||
		    clock_mono_ms() - last_fill >= FWD_REFILL_MS)) {
			if (fill(w) == -1) {
				rc = -1;
				stop = 1;
			}
			last_fill = clock_mono_ms();
		}
		if (w->busy == 0)
			break;
		curl_multi_perform(w->multi, &running);
		done = 0;
		while ((m = curl_multi_info_read(w->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			for (i = 0; i < HG_FWD_PARALLEL_MAX; i++)
				if (w->slot[i].busy &&
				    w->slot[i].easy == m->easy_handle)
					break;
			if (i == HG_FWD_PARALLEL_MAX)
				continue;
			if (done == 0 && db_begin(w->db) == -1) {
				rc = -1;
				stop = 1;
			}
			if (rc == 0 && finish(w, &w->slot[i],
			    m->data.result) == -1) {
				rc = -1;
				stop = 1;
			} else if (rc == -1)
				slot_clear(w, &w->slot[i]);
			done++;
		}
		if (done > 0) {
			if (rc == 0 && db_commit(w->db) == -1) {
				rc = -1;
				stop = 1;
			}
			if (rc == -1) {
				db_rollback(w->db);
				w->noff = 0;
			} else if (w->noff > 0)
				tell(w);
			last_fill = 0;
			if (clock_mono_ms() - t0 >= budget_ms)
				stop = 1;
			continue;
		}
		if (clock_mono_ms() - t0 >= budget_ms)
			stop = 1;
		curl_multi_poll(w->multi, NULL, 0, 50, NULL);
	}
	if (rc == 0 && next_ms != NULL) {
		if (db_fwd_next_due(w->db, &due) == -1)
			rc = -1;
		if (w->next_due > 0 && (due == 0 || w->next_due < due))
			due = w->next_due;
		*next_ms = due;
	}
	w->st = NULL;
	return rc;
}

/* ---- the thread ------------------------------------------------------ */

static void *
job_new(const struct conf *c, struct db *d, struct graph *g)
{
	(void)g;
	return forward_worker_new(c, d);
}

static void
job_free(void *w)
{
	forward_worker_free(w);
}

static int
job_run(void *w, struct db *d, struct graph *g, long long budget_ms,
    long long *next_ms)
{
	(void)d;
	(void)g;
	(void)budget_ms;
	/* Not the thread's poll: a run keeps starting due deliveries while
	 * a slow request is in flight, and returns once none is. */
	return forward_run(w, FWD_THREAD_BUDGET_MS, NULL, next_ms);
}

const struct bg_job forward_job = {
	.name = "forward",
	.poll_ms = FWD_POLL_MS,
	.worker_new = job_new,
	.worker_free = job_free,
	.run = job_run,
};
