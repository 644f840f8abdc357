/*
 * webhook: verify, authenticate, hand over to the committer, answer.
 * See webhook.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "committer.h"
#include "conf.h"
#include "crypto.h"
#include "envelope.h"
#include "http.h"
#include "limits.h"
#include "log.h"
#include "queue.h"
#include "webhook.h"

struct webhook {
	const struct conf	*conf;
	struct committer	*cm;
	/* The rate limit of the refused requests' log lines. */
	struct log_rate		 refuse_log;
};

/* A POST on its way to the disk, and the request waiting for it. */
struct webhook_item {
	struct commit_item	 ci;		/* ci.owner is the item */
	struct envelope		 env;
	char			 sha256[2 * CRYPTO_SHA256_LEN + 1];
	struct req		*req;		/* answered once committed */
};

/* How a signature failed, in a log line. */
static const char *const sig_whys[WEBHOOK_SIG__MAX] = {
	[WEBHOOK_SIG_OK] = "ok",
	[WEBHOOK_SIG_MISSING] = "missing",
	[WEBHOOK_SIG_MALFORMED] = "malformed",
	[WEBHOOK_SIG_MISMATCH] = "mismatch",
	[WEBHOOK_SIG_NOSECRET] = "no_secret",
};

enum webhook_sig
webhook_check_signature(const struct conf *c, const char *hdr,
    const void *body, size_t len)
{
	unsigned char	 want[CRYPTO_SHA256_LEN], got[CRYPTO_SHA256_LEN];
	char		 secret[HG_CONF_LINE_MAX + 1];
	size_t		 i;
	int		 rc, match = 0, any = 0;

	if (hdr == NULL)
		return WEBHOOK_SIG_MISSING;
	if (strncmp(hdr, "sha256=", 7) != 0 ||
	    crypto_unhex(hdr + 7, strlen(hdr + 7), want, sizeof(want)) == -1)
		return WEBHOOK_SIG_MALFORMED;
	for (i = 0; (rc = conf_list_item(c, "app_secret", i, secret,
	    sizeof(secret))) == 1; i++) {
		any = 1;
		if (crypto_hmac_sha256(secret, strlen(secret), body, len,
		    got) == 0 && crypto_equal(got, want, sizeof(got)))
			match = 1;
	}
	crypto_wipe(secret, sizeof(secret));
	crypto_wipe(got, sizeof(got));
	if (!any)
		return WEBHOOK_SIG_NOSECRET;
	return match ? WEBHOOK_SIG_OK : WEBHOOK_SIG_MISMATCH;
}

/* Free an item, with its request (http_on_release). */
static void
webhook_item_free(void *p)
{
	struct webhook_item *it = p;

	envelope_free(&it->env);
	free(it);
}

/* The committer's done: log the outcome of an item and answer its
 * request (which frees the item: see webhook_receive).  Neither may be
 * touched afterwards. */
static void
webhook_answer(struct commit_item *ci)
{
	struct webhook_item	*it = ci->owner;
	struct req		*r = it->req;
	struct logline		 l;

	log_set_id(r->id);
	log_begin(&l, ci->result == -1 ? LOG_LEVEL_ERROR : LOG_LEVEL_DEBUG,
	    ci->result == 1 ? "webhook.stored" : ci->result == 0 ?
	    "webhook.duplicate" : "webhook.not_stored");
	log_str(&l, "object", it->env.object);
	log_int(&l, "bytes", (long long)ci->ev.len);
	log_str(&l, "sha256", it->sha256);
	if (!it->env.valid)
		log_str(&l, "invalid", it->env.why);
	log_end(&l);
	if (ci->result == -1)
		http_text(r, 503, "temporarily unavailable, retry");
	else
		http_text(r, 200, "EVENT_RECEIVED");
	if (r->deferred)
		http_complete(r);
	log_set_id(NULL);
}

struct webhook *
webhook_new(const struct conf *c, int threaded)
{
	struct webhook *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->conf = c;
	if ((w->cm = committer_new(c, threaded, webhook_answer)) == NULL) {
		free(w);
		return NULL;
	}
	log_rate_init(&w->refuse_log);
	return w;
}

void
webhook_free(struct webhook *w)
{
	if (w == NULL)
		return;
	committer_free(w->cm);
	log_rate_free(&w->refuse_log);
	free(w);
}

/* Count a refused request of kind k and log it under the counter's
 * name, with why when not NULL; all kinds together write at most
 * HG_REJECT_LOG_PER_SEC lines a second per process, the next line
 * written saying how many were held back.  Under plain CGI a process
 * serves one request: the refusal is logged (as the web server's
 * access log records it) but not counted, since counting it would cost
 * every unauthenticated request a durable write. */
static void
webhook_refuse(struct webhook *w, struct req *r, enum ingest_counter k,
    const char *why)
{
	struct logline	 l;
	long long	 held;

	if (committer_threaded(w->cm))
		committer_count(w->cm, k);
	if (!log_rate_take(&w->refuse_log, HG_REJECT_LOG_PER_SEC, &held))
		return;
	log_begin(&l, k == INGEST_NO_VERIFY_TOKEN || k == INGEST_NO_APP_SECRET ?
	    LOG_LEVEL_ERROR : LOG_LEVEL_WARN, ingest_counter_names[k]);
	log_str(&l, "remote", r->remote);
	if (why != NULL)
		log_str(&l, "why", why);
	if (held > 0)
		log_int(&l, "suppressed", held);
	log_end(&l);
}

/* 1 when s is a plain challenge token: 1-128 of [A-Za-z0-9_-]. */
static int
challenge_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];
		if (i >= HG_CHALLENGE_MAX || !((c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_'))
			return 0;
	}
	return i > 0;
}

const struct route_field webhook_fields[WEBHOOK_FIELD__MAX] = {
	[WEBHOOK_MODE] = { "hub.mode", FIELD_TEXT, 1, 32, 0 },
	[WEBHOOK_VERIFY_TOKEN] = { "hub.verify_token", FIELD_TEXT, 1,
	    HG_CONF_LINE_MAX, 0 },
	[WEBHOOK_CHALLENGE] = { "hub.challenge", FIELD_TEXT, 1,
	    HG_CHALLENGE_MAX, 0 },
};

/* GET /webhook: Meta's verification handshake, from the validated
 * fields of cx. */
static void
webhook_verify(struct webhook *w, struct req *r, const struct route_ctx *cx)
{
	unsigned char	 a[CRYPTO_SHA256_LEN], b[CRYPTO_SHA256_LEN];
	const char	*want = conf_get(w->conf, "verify_token");
	const char	*mode = cx->v[WEBHOOK_MODE].s;
	const char	*tok = cx->v[WEBHOOK_VERIFY_TOKEN].s;
	const char	*chal = cx->v[WEBHOOK_CHALLENGE].s;
	int		 same;

	if (*want == '\0') {
		webhook_refuse(w, r, INGEST_NO_VERIFY_TOKEN,
		    "verify_token is not configured");
		http_text(r, 503, "webhook verification is not configured");
		return;
	}
	/* Compare digests so the time taken says nothing about length. */
	crypto_sha256(want, strlen(want), a);
	crypto_sha256(tok != NULL ? tok : "", tok != NULL ? strlen(tok) : 0, b);
	same = crypto_equal(a, b, sizeof(a)) && tok != NULL;
	if (mode == NULL || strcmp(mode, "subscribe") != 0 || !same) {
		webhook_refuse(w, r, INGEST_VERIFY_REFUSED, tok == NULL ?
		    "no_token" : !same ? "wrong_token" : "wrong_mode");
		http_text(r, 403, "forbidden");
		return;
	}
	if (chal == NULL || !challenge_ok(chal)) {
		http_text(r, 400, "invalid hub.challenge");
		return;
	}
	buf_reset(&r->rbody);
	http_status(r, 200);
	http_add_header(r, "Content-Type", "text/plain; charset=utf-8");
	http_puts(r, chal);
	log_msg(LOG_LEVEL_INFO, "webhook.verified", r->remote);
}

/* POST /webhook: authenticate, store, acknowledge. */
static void
webhook_receive(struct webhook *w, struct req *r)
{
	unsigned char		 digest[CRYPTO_SHA256_LEN];
	struct webhook_item	*it;
	struct commit_item	*ci;
	const char		*sig;
	enum webhook_sig	 chk;
	int			 st;

	if (*conf_get(w->conf, "app_secret") == '\0') {
		webhook_refuse(w, r, INGEST_NO_APP_SECRET,
		    "app_secret is not configured");
		http_text(r, 503, "webhook is not configured");
		return;
	}
	/* The body limits come first (411, 400, 413), then the signature
	 * over the bytes exactly as received. */
	sig = http_header(r, "X-Hub-Signature-256");
	st = http_read_body(r, (size_t)conf_get_int(w->conf, "webhook_max_body"));
	if (st != 0) {
		http_text(r, st, http_reason(st));
		return;
	}
	if (r->body.len == 0) {
		http_text(r, 400, "empty body");
		return;
	}
	chk = webhook_check_signature(w->conf, sig, r->body.data, r->body.len);
	if (chk != WEBHOOK_SIG_OK) {
		webhook_refuse(w, r, INGEST_BAD_SIGNATURE, sig_whys[chk]);
		http_text(r, 401, "invalid signature");
		return;
	}
	if ((it = calloc(1, sizeof(*it))) == NULL ||
	    envelope_parse(r->body.data, r->body.len, &it->env) == -1) {
		free(it);
		http_text(r, 503, "out of memory");
		return;
	}
	/* The item goes with the request, in this thread. */
	http_on_release(r, webhook_item_free, it);
	crypto_sha256(r->body.data, r->body.len, digest);
	crypto_hex(digest, sizeof(digest), it->sha256);
	it->req = r;
	ci = &it->ci;
	ci->owner = it;
	ci->env = &it->env;
	ci->ev.body = r->body.data;
	ci->ev.len = r->body.len;
	ci->ev.sha256 = it->sha256;
	ci->ev.signature = sig;
	ci->ev.received_ms = clock_ms();
	ci->ev.sent_ms = it->env.sent_ms;
	ci->ev.object = it->env.object;
	ci->ev.entry_ids = it->env.entry_ids;
	ci->ev.phone_ids = it->env.phone_ids;
	/* Under FastCGI the committer stores and answers it, in a group,
	 * while this thread goes back to accepting; under CGI both
	 * happen here. */
	committer_submit(w->cm, ci,
	    committer_threaded(w->cm) && http_defer(r));
}

void
webhook_handle(struct webhook *w, struct req *r, const struct route_ctx *cx)
{
	if (r->method == HTTP_POST)
		webhook_receive(w, r);
	else
		webhook_verify(w, r, cx);
}
