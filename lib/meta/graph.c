/*
 * graph: the Graph API transport over libcurl, and the classification
 * of every answer.  See graph.h.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "conf.h"
#include "crypto.h"
#include "graph.h"
#include "limits.h"
#include "log.h"
#include "num.h"
#include "version.h"

static const char *const graph_method_names[GRAPH_METHOD__MAX] = {
	"GET", "POST", "DELETE"
};

struct graph {
	CURL		*easy;		/* reused: keeps the connection */
	CURLM		*multi;		/* created by the first graph_multi */
	char		*base;		/* <graph_base_url>/<graph_version> */
	char		*app_id;
	char		*app_secret;	/* the first configured; wiped on free */
	int		 proof;		/* send appsecret_proof */
	int		 loopback;	/* plain http allowed */
	char		*version;	/* graph_version */
	long		 connect_ms;
	long		 timeout_ms;
	size_t		 max_response;
	long long	 calls[GRAPH_CLASS__MAX];	/* see graph_calls_take */
};

/* One transfer in flight: what graph_call and graph_multi share. */
struct xfer {
	struct graph		*g;
	CURL			*h;
	enum graph_method	 method;
	const char		*token;		/* borrowed, to scrub messages */
	const struct graph_param *form;		/* a form body, or NULL */
	struct graph_result	*res;
	struct buf		 url;
	struct buf		 body;
	struct buf		 resp;
	struct curl_slist	*hdrs;
	int			 too_large;
	struct timespec		 t0;
	char			 app_usage[HG_GRAPH_HEADER_MAX];
	char			 buc_usage[HG_GRAPH_HEADER_MAX];
	char			 page_usage[HG_GRAPH_HEADER_MAX];
	char			 retry_after[32];
	char			 errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t graph_once = PTHREAD_ONCE_INIT;
static int graph_global_ok;

static void
graph_global_init(void)
{
	graph_global_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

/* ---- small helpers ------------------------------------------------ */

static int
is_loopback_host(const char *h)
{
	size_t i;

	if (strcasecmp(h, "localhost") == 0 || strcmp(h, "[::1]") == 0)
		return 1;
	if (strncmp(h, "127.", 4) != 0)
		return 0;
	for (i = 4; h[i] != '\0'; i++)
		if (!(h[i] >= '0' && h[i] <= '9') && h[i] != '.')
			return 0;
	return 1;
}

int
graph_url_allowed(const char *url, char *why, size_t whysz)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL;
	int	 rc = -1;

	if ((u = curl_url()) == NULL) {
		snprintf(why, whysz, "out of memory");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(why, whysz, "not an absolute URL");
		goto out;
	}
	if (strcasecmp(scheme, "https") == 0)
		rc = 0;
	else if (strcasecmp(scheme, "http") == 0 && is_loopback_host(host))
		rc = 0;
	else if (strcasecmp(scheme, "http") == 0)
		snprintf(why, whysz, "plain http to a non-loopback host is "
		    "refused (use https)");
	else
		snprintf(why, whysz, "scheme %.16s is refused", scheme);
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int
graph_id_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || strlen(s) > HG_META_ID_MAX)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* A path after the version: '/' then id-like segments. */
static int
path_ok(const char *p)
{
	char	 seg[HG_META_ID_MAX + 1];
	size_t	 n;

	if (p == NULL || p[0] != '/' || strlen(p) > 1024)
		return 0;
	while (*p == '/') {
		p++;
		n = strcspn(p, "/");
		if (n == 0 || n > HG_META_ID_MAX)
			return 0;
		memcpy(seg, p, n);
		seg[n] = '\0';
		if (!graph_id_ok(seg))
			return 0;
		p += n;
	}
	return *p == '\0';
}

/* A token that may go into a URL or a header: visible ASCII only. */
static int
token_ok(const char *t)
{
	size_t i;

	if (t == NULL || t[0] == '\0' || strlen(t) > 4096)
		return 0;
	for (i = 0; t[i] != '\0'; i++)
		if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] >= 0x7f)
			return 0;
	return 1;
}

static void
url_param(struct buf *b, int *first, const char *name, const char *value)
{
	buf_putc(b, *first ? '?' : '&');
	*first = 0;
	buf_url_encode(b, name);
	buf_putc(b, '=');
	buf_url_encode(b, value);
}

int
graph_proof(const char *secret, const char *token, long long t, char out[65])
{
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	struct buf	 msg;
	int		 rc = -1;

	buf_init(&msg, 8192);
	buf_printf(&msg, "%s|%lld", token, t);
	if (!msg.err && crypto_hmac_sha256(secret, strlen(secret), msg.data,
	    msg.len, mac) == 0) {
		crypto_hex(mac, sizeof(mac), out);
		rc = 0;
	}
	crypto_wipe(msg.data, msg.len);
	buf_free(&msg);
	crypto_wipe(mac, sizeof(mac));
	return rc;
}

/* Build the full URL into b; 0 or -1 (with why) on bad input. */
static int
url_build(struct graph *g, struct buf *b, const char *path,
    const struct graph_param *params, enum graph_auth auth,
    const char *token, char *why, size_t whysz)
{
	struct buf	 app;
	char		 proof[65], t[32];
	long long	 now = (long long)time(NULL);
	int		 first = 1;

	if (!path_ok(path)) {
		snprintf(why, whysz, "invalid path");
		return -1;
	}
	if ((auth == GRAPH_AUTH_USER || auth == GRAPH_AUTH_BEARER) &&
	    !token_ok(token)) {
		snprintf(why, whysz, "missing or malformed token");
		return -1;
	}
	buf_puts(b, g->base);
	buf_puts(b, path);
	for (; params != NULL && params->name != NULL; params++)
		if (params->value != NULL)
			url_param(b, &first, params->name, params->value);
	if (auth == GRAPH_AUTH_APP) {
		buf_init(&app, 8192);
		buf_printf(&app, "%s|%s", g->app_id, g->app_secret);
		url_param(b, &first, "access_token", buf_cstr(&app));
		crypto_wipe(app.data, app.len);
		buf_free(&app);
	} else if (auth == GRAPH_AUTH_USER)
		url_param(b, &first, "access_token", token);
	if ((auth == GRAPH_AUTH_USER || auth == GRAPH_AUTH_BEARER) &&
	    g->proof) {
		if (graph_proof(g->app_secret, token, now, proof) == -1) {
			snprintf(why, whysz, "appsecret_proof failed");
			return -1;
		}
		snprintf(t, sizeof(t), "%lld", now);
		url_param(b, &first, "appsecret_proof", proof);
		url_param(b, &first, "appsecret_time", t);
	}
	if (b->err) {
		snprintf(why, whysz, "URL longer than %d bytes", HG_GRAPH_URL_MAX);
		return -1;
	}
	return 0;
}

int
graph_url(struct graph *g, const char *path, const struct graph_param *params,
    enum graph_auth auth, const char *token, char *out, size_t outsz)
{
	struct buf	 b;
	char		 why[128];
	int		 rc = -1;

	buf_init(&b, HG_GRAPH_URL_MAX);
	if (url_build(g, &b, path, params, auth, token, why, sizeof(why)) == 0 &&
	    b.len < outsz) {
		memcpy(out, b.data, b.len + 1);
		rc = 0;
	}
	crypto_wipe(b.data, b.len);
	buf_free(&b);
	return rc;
}

/* ---- results ------------------------------------------------------ */

void
graph_result_free(struct graph_result *r)
{
	if (r == NULL)
		return;
	cJSON_Delete(r->json);
	memset(r, 0, sizeof(*r));
}

void
graph_result_local(struct graph_result *r, enum graph_class cls,
    enum graph_reason reason, const char *fmt, ...)
{
	va_list ap;

	r->cls = cls;
	r->reason = reason;
	r->local = 1;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
}

/* ---- transfers ---------------------------------------------------- */

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	n *= size;
	if (x->resp.len + n > x->g->max_response) {
		x->too_large = 1;
		return 0;
	}
	return buf_add(&x->resp, p, n) == 0 ? n : 0;
}

/* Keep the value of header line p if its name is name. */
static void
keep_header(const char *p, size_t n, const char *name, char *out,
    size_t outsz)
{
	size_t nl = strlen(name);

	if (n <= nl + 1 || strncasecmp(p, name, nl) != 0 || p[nl] != ':')
		return;
	p += nl + 1;
	n -= nl + 1;
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n' ||
	    p[n - 1] == ' '))
		n--;
	if (n + 1 > outsz) {
		out[0] = '\0';		/* too long: treated as absent */
		return;
	}
	memcpy(out, p, n);
	out[n] = '\0';
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	n *= size;
	keep_header(p, n, "X-App-Usage", x->app_usage, sizeof(x->app_usage));
	keep_header(p, n, "X-Business-Use-Case-Usage", x->buc_usage,
	    sizeof(x->buc_usage));
	keep_header(p, n, "X-Page-Usage", x->page_usage, sizeof(x->page_usage));
	keep_header(p, n, "Retry-After", x->retry_after,
	    sizeof(x->retry_after));
	return n;
}

static struct xfer *
xfer_new(struct graph *g, struct graph_result *res, const char *token)
{
	struct xfer *x;

	memset(res, 0, sizeof(*res));
	res->usage_pct = -1;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->g = g;
	x->res = res;
	x->token = token;
	buf_init(&x->url, HG_GRAPH_URL_MAX);
	buf_init(&x->body, HG_GRAPH_BODY_MAX);
	buf_init(&x->resp, g->max_response);
	clock_gettime(CLOCK_MONOTONIC, &x->t0);
	return x;
}

static void
xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	crypto_wipe(x->url.data, x->url.len);
	buf_free(&x->url);
	buf_free(&x->body);
	crypto_wipe(x->resp.data, x->resp.len);
	buf_free(&x->resp);
	if (x->hdrs != NULL) {
		/* The Authorization header holds a token. */
		for (struct curl_slist *s = x->hdrs; s != NULL; s = s->next)
			crypto_wipe(s->data, strlen(s->data));
		curl_slist_free_all(x->hdrs);
	}
	free(x);
}

/* Set h up for the request; -1 with a local result on bad input. */
static int
xfer_setup(struct xfer *x, CURL *h, enum graph_method m, const char *path,
    const struct graph_param *params, const cJSON *body,
    enum graph_auth auth, const char *token)
{
	struct graph	*g = x->g;
	const struct graph_param *fp;
	struct buf	 hb;
	char		 why[160], *s;
	int		 first;

	x->h = h;
	x->method = m;
	if (url_build(g, &x->url, path, params, auth, token, why,
	    sizeof(why)) == -1) {
		buf_reset(&x->url);
		buf_puts(&x->url, g->base);
		if (path_ok(path))
			buf_puts(&x->url, path);
		graph_result_local(x->res, GRAPH_PERMANENT,
		    GRAPH_REASON_PARAMETER, "%s", why);
		return -1;
	}
	if (x->form != NULL) {
		first = 1;
		for (fp = x->form; fp->name != NULL; fp++)
			if (fp->value != NULL) {
				if (!first)
					buf_putc(&x->body, '&');
				first = 0;
				buf_url_encode(&x->body, fp->name);
				buf_putc(&x->body, '=');
				buf_url_encode(&x->body, fp->value);
			}
		if (x->body.err) {
			graph_result_local(x->res, GRAPH_PERMANENT,
			    GRAPH_REASON_LIMIT, "request body over %d bytes",
			    HG_GRAPH_BODY_MAX);
			return -1;
		}
		x->hdrs = curl_slist_append(x->hdrs,
		    "Content-Type: application/x-www-form-urlencoded");
	} else if (body != NULL) {
		if ((s = cJSON_PrintUnformatted(body)) == NULL ||
		    buf_puts(&x->body, s) == -1) {
			free(s);
			graph_result_local(x->res, GRAPH_PERMANENT,
			    GRAPH_REASON_LIMIT, "request body over %d bytes",
			    HG_GRAPH_BODY_MAX);
			return -1;
		}
		free(s);
		x->hdrs = curl_slist_append(x->hdrs,
		    "Content-Type: application/json");
	}
	x->hdrs = curl_slist_append(x->hdrs, "Expect:");
	if (auth == GRAPH_AUTH_BEARER) {
		buf_init(&hb, 8192);
		buf_printf(&hb, "Authorization: Bearer %s", token);
		x->hdrs = curl_slist_append(x->hdrs, buf_cstr(&hb));
		crypto_wipe(hb.data, hb.len);
		buf_free(&hb);
	}
	curl_easy_setopt(h, CURLOPT_URL, buf_cstr(&x->url));
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, g->loopback ? "http,https" :
	    "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, g->connect_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, g->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)g->max_response);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "hubgate/" HUBGATE_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	if (m == GRAPH_POST) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, buf_cstr(&x->body));
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)x->body.len);
	} else if (m == GRAPH_DELETE)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
	else
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	return 0;
}

/* Replace every copy of secret in s (a result string) by REDACTED. */
static void
scrub(char *s, const char *secret)
{
	size_t	 n, m = 8;
	char	*p;

	if (secret == NULL || (n = strlen(secret)) < m)
		return;
	while ((p = strstr(s, secret)) != NULL) {
		memcpy(p, "REDACTED", m);
		memmove(p + m, p + n, strlen(p + n) + 1);
	}
}

/* Log the call: one line, URL redacted, no body. */
static void
xfer_log(struct xfer *x)
{
	struct graph_result	*r = x->res;
	struct logline		 l;

	log_begin(&l, r->cls == GRAPH_OK ? LOG_LEVEL_INFO : LOG_LEVEL_WARN,
	    "graph.call");
	log_str(&l, "method", graph_method_names[x->method]);
	log_url(&l, "url", buf_cstr(&x->url));
	log_int(&l, "status", r->http_status);
	log_str(&l, "class", graph_class_names[r->cls]);
	if (r->cls != GRAPH_OK) {
		log_str(&l, "reason", graph_reason_names[r->reason]);
		log_int(&l, "code", r->code);
		log_int(&l, "subcode", r->subcode);
		if (r->delay_s > 0)
			log_int(&l, "delay_s", r->delay_s);
		if (r->local)
			log_int(&l, "local", 1);
		log_str(&l, "msg", r->message);
	}
	if (r->fbtrace_id[0] != '\0')
		log_str(&l, "fbtrace_id", r->fbtrace_id);
	if (r->usage_pct >= 0)
		log_int(&l, "usage_pct", r->usage_pct);
	log_int(&l, "ms", r->elapsed_ms);
	log_int(&l, "new_conn", r->connects);
	log_end(&l);
}

/* Turn the transfer's outcome into its result, then log it. */
static void
xfer_finish(struct xfer *x, CURLcode rc, int ran)
{
	struct graph_result	*r = x->res;
	struct graph_headers	 h;
	struct timespec		 t1;
	long			 status = 0, conns = 0;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->elapsed_ms = (long)((t1.tv_sec - x->t0.tv_sec) * 1000 +
	    (t1.tv_nsec - x->t0.tv_nsec) / 1000000);
	if (ran) {
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(x->h, CURLINFO_NUM_CONNECTS, &conns);
		r->connects = conns;
	}
	if (ran && rc == CURLE_OK) {
		h.app_usage = x->app_usage[0] ? x->app_usage : NULL;
		h.buc_usage = x->buc_usage[0] ? x->buc_usage : NULL;
		h.page_usage = x->page_usage[0] ? x->page_usage : NULL;
		h.retry_after = x->retry_after[0] ? x->retry_after : NULL;
		graph_error_classify((int)status, x->resp.data, x->resp.len, &h, r);
	} else if (ran) {
		r->http_status = (int)status;
		if (x->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
			r->cls = GRAPH_PERMANENT;
			r->reason = GRAPH_REASON_REFUSED;
			snprintf(r->message, sizeof(r->message),
			    "response larger than %zu bytes",
			    x->g->max_response);
		} else if (rc == CURLE_PEER_FAILED_VERIFICATION ||
		    rc == CURLE_UNSUPPORTED_PROTOCOL) {
			r->cls = GRAPH_PERMANENT;
			r->reason = GRAPH_REASON_REFUSED;
			snprintf(r->message, sizeof(r->message), "%s",
			    curl_easy_strerror(rc));
		} else {
			long sent = 0;

			r->cls = GRAPH_RETRY;
			r->reason = GRAPH_REASON_TRANSIENT;
			r->delay_s = HG_GRAPH_RETRY_DEFAULT_S;
			/* Written, then no answer: Meta may have acted. */
			curl_easy_getinfo(x->h, CURLINFO_REQUEST_SIZE, &sent);
			r->ambiguous = sent > 0 && x->method == GRAPH_POST &&
			    (rc == CURLE_OPERATION_TIMEDOUT ||
			    rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING ||
			    rc == CURLE_PARTIAL_FILE || rc == CURLE_SEND_ERROR);
			snprintf(r->message, sizeof(r->message), "%s",
			    rc == CURLE_OPERATION_TIMEDOUT ? "timed out" :
			    curl_easy_strerror(rc));
		}
	}
	if (ran)
		x->g->calls[r->cls]++;
	scrub(r->message, x->token);
	scrub(r->user_msg, x->token);
	scrub(r->user_title, x->token);
	scrub(r->message, x->g->app_secret);
	scrub(r->user_msg, x->g->app_secret);
	xfer_log(x);
}

int
graph_call(struct graph *g, enum graph_method m, const char *path,
    const struct graph_param *params, const cJSON *body,
    enum graph_auth auth, const char *token, struct graph_result *res)
{
	struct xfer	*x;
	CURLcode	 rc;

	if ((x = xfer_new(g, res, token)) == NULL) {
		graph_result_local(res, GRAPH_RETRY, GRAPH_REASON_TRANSIENT,
		    "out of memory");
		res->delay_s = HG_GRAPH_RETRY_DEFAULT_S;
		return -1;
	}
	curl_easy_reset(g->easy);	/* options only: connections stay */
	if (xfer_setup(x, g->easy, m, path, params, body, auth, token) == -1)
		xfer_finish(x, CURLE_OK, 0);
	else {
		rc = curl_easy_perform(g->easy);
		xfer_finish(x, rc, 1);
	}
	xfer_free(x);
	return res->cls == GRAPH_OK ? 0 : -1;
}

int
graph_post_form(struct graph *g, const char *path,
    const struct graph_param *form, struct graph_result *res)
{
	struct xfer	*x;
	CURLcode	 rc;

	if ((x = xfer_new(g, res, NULL)) == NULL) {
		graph_result_local(res, GRAPH_RETRY, GRAPH_REASON_TRANSIENT,
		    "out of memory");
		res->delay_s = HG_GRAPH_RETRY_DEFAULT_S;
		return -1;
	}
	x->form = form;
	curl_easy_reset(g->easy);
	if (xfer_setup(x, g->easy, GRAPH_POST, path, NULL, NULL,
	    GRAPH_AUTH_NONE, NULL) == -1)
		xfer_finish(x, CURLE_OK, 0);
	else {
		rc = curl_easy_perform(g->easy);
		xfer_finish(x, rc, 1);
	}
	crypto_wipe(x->body.data, x->body.len);
	xfer_free(x);
	return res->cls == GRAPH_OK ? 0 : -1;
}

/* ---- downloads ---------------------------------------------------- */

/* A download in flight. */
struct dl {
	struct buf	*out;
	size_t		 max;
	int		 too_large;
	char		*ctype;
	size_t		 ctsz;
};

/* curl's body callback: keep at most max bytes, then stop. */
static size_t
dl_body(char *p, size_t size, size_t n, void *arg)
{
	struct dl *x = arg;

	n *= size;
	if (x->out->len + n > x->max) {
		x->too_large = 1;
		return 0;
	}
	return buf_add(x->out, p, n) == 0 ? n : 0;
}

/* curl's header callback: keep the Content-Type's type. */
static size_t
dl_header(char *p, size_t size, size_t n, void *arg)
{
	struct dl	*x = arg;
	size_t		 i;

	n *= size;
	keep_header(p, n, "Content-Type", x->ctype, x->ctsz);
	/* The type only: no parameters, lower case. */
	for (i = 0; x->ctype[i] != '\0'; i++) {
		if (x->ctype[i] == ';' || x->ctype[i] == ' ') {
			x->ctype[i] = '\0';
			break;
		}
		if (x->ctype[i] >= 'A' && x->ctype[i] <= 'Z')
			x->ctype[i] = (char)(x->ctype[i] - 'A' + 'a');
	}
	return n;
}

int
graph_download(struct graph *g, const char *url, const char *bearer,
    size_t max, struct buf *out, char *ctype, size_t ctsz,
    struct graph_result *res)
{
	struct curl_slist	*hdrs = NULL;
	struct logline		 l;
	struct buf		 hb;
	struct dl		 x;
	struct timespec		 t0, t1;
	CURLcode		 rc;
	long			 status = 0;
	char			 why[160];

	memset(res, 0, sizeof(*res));
	res->usage_pct = -1;
	ctype[0] = '\0';
	buf_reset(out);
	if (graph_url_allowed(url, why, sizeof(why)) == -1 ||
	    (!g->loopback && strncasecmp(url, "https:", 6) != 0)) {
		graph_result_local(res, GRAPH_PERMANENT, GRAPH_REASON_REFUSED,
		    "%s", why[0] != '\0' ? why : "not https");
		return -1;
	}
	memset(&x, 0, sizeof(x));
	x.out = out;
	x.max = max;
	x.ctype = ctype;
	x.ctsz = ctsz;
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (bearer != NULL) {
		buf_init(&hb, 8192);
		buf_printf(&hb, "Authorization: Bearer %s", bearer);
		hdrs = curl_slist_append(hdrs, buf_cstr(&hb));
		crypto_wipe(hb.data, hb.len);
		buf_free(&hb);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	curl_easy_reset(g->easy);
	curl_easy_setopt(g->easy, CURLOPT_URL, url);
	curl_easy_setopt(g->easy, CURLOPT_PROTOCOLS_STR, g->loopback ?
	    "http,https" : "https");
	curl_easy_setopt(g->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(g->easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(g->easy, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(g->easy, CURLOPT_CONNECTTIMEOUT_MS, g->connect_ms);
	curl_easy_setopt(g->easy, CURLOPT_TIMEOUT_MS, g->timeout_ms);
	curl_easy_setopt(g->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(g->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	curl_easy_setopt(g->easy, CURLOPT_WRITEFUNCTION, dl_body);
	curl_easy_setopt(g->easy, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(g->easy, CURLOPT_HEADERFUNCTION, dl_header);
	curl_easy_setopt(g->easy, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(g->easy, CURLOPT_USERAGENT, "hubgate/" HUBGATE_VERSION);
	curl_easy_setopt(g->easy, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(g->easy, CURLOPT_HTTPGET, 1L);
	rc = curl_easy_perform(g->easy);
	curl_easy_getinfo(g->easy, CURLINFO_RESPONSE_CODE, &status);
	for (struct curl_slist *s = hdrs; s != NULL; s = s->next)
		crypto_wipe(s->data, strlen(s->data));
	curl_slist_free_all(hdrs);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	res->elapsed_ms = (long)((t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000);
	res->http_status = (int)status;
	if (x.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		res->cls = GRAPH_PERMANENT;
		res->reason = GRAPH_REASON_LIMIT;
		snprintf(res->message, sizeof(res->message),
		    "larger than %zu bytes", max);
	} else if (rc != CURLE_OK) {
		res->cls = rc == CURLE_UNSUPPORTED_PROTOCOL ||
		    rc == CURLE_PEER_FAILED_VERIFICATION ? GRAPH_PERMANENT :
		    GRAPH_RETRY;
		res->reason = res->cls == GRAPH_RETRY ? GRAPH_REASON_TRANSIENT :
		    GRAPH_REASON_REFUSED;
		res->delay_s = HG_GRAPH_RETRY_DEFAULT_S;
		snprintf(res->message, sizeof(res->message), "%s",
		    rc == CURLE_OPERATION_TIMEDOUT ? "timed out" :
		    curl_easy_strerror(rc));
	} else if (status < 200 || status > 299) {
		graph_error_classify((int)status, out->data, out->len, NULL, res);
		buf_reset(out);
	} else
		res->cls = GRAPH_OK;
	g->calls[res->cls]++;
	scrub(res->message, bearer);
	scrub(res->user_msg, bearer);
	log_begin(&l, res->cls == GRAPH_OK ? LOG_LEVEL_INFO : LOG_LEVEL_WARN,
	    "graph.download");
	log_url(&l, "url", url);
	log_int(&l, "status", res->http_status);
	log_str(&l, "class", graph_class_names[res->cls]);
	if (res->cls != GRAPH_OK)
		log_str(&l, "msg", res->message);
	log_int(&l, "bytes", (long long)out->len);
	log_int(&l, "ms", res->elapsed_ms);
	log_end(&l);
	return res->cls == GRAPH_OK ? 0 : -1;
}

/* Start request i of the batch on a new handle; 0, or -1 when it was
 * finished at once (refused or out of memory). */
static int
multi_start(struct graph *g, struct graph_req *q)
{
	struct xfer	*x;
	CURL		*h;

	if ((x = xfer_new(g, &q->res, q->token)) == NULL) {
		graph_result_local(&q->res, GRAPH_RETRY, GRAPH_REASON_TRANSIENT,
		    "out of memory");
		return -1;
	}
	if ((h = curl_easy_init()) == NULL) {
		graph_result_local(&q->res, GRAPH_RETRY, GRAPH_REASON_TRANSIENT,
		    "out of memory");
		xfer_finish(x, CURLE_OK, 0);
		xfer_free(x);
		return -1;
	}
	if (xfer_setup(x, h, q->method, q->path, q->params, q->body, q->auth,
	    q->token) == -1 || curl_multi_add_handle(g->multi, h) != CURLM_OK) {
		if (!x->res->local)
			graph_result_local(x->res, GRAPH_RETRY,
			    GRAPH_REASON_TRANSIENT, "cannot start transfer");
		xfer_finish(x, CURLE_OK, 0);
		xfer_free(x);
		curl_easy_cleanup(h);
		return -1;
	}
	return 0;
}

int
graph_multi(struct graph *g, struct graph_req *reqs, size_t n,
    size_t parallel)
{
	struct xfer	*x;
	CURLMsg		*msg;
	CURL		*h;
	size_t		 next = 0, active = 0;
	int		 still, left;

	if (g->multi == NULL && (g->multi = curl_multi_init()) == NULL)
		return -1;
	if (parallel < 1)
		parallel = 1;
	if (parallel > HG_GRAPH_PARALLEL_MAX)
		parallel = HG_GRAPH_PARALLEL_MAX;
	for (;;) {
		while (active < parallel && next < n)
			if (multi_start(g, &reqs[next++]) == 0)
				active++;
		if (active == 0)
			break;
		if (curl_multi_perform(g->multi, &still) != CURLM_OK)
			return -1;
		while ((msg = curl_multi_info_read(g->multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			h = msg->easy_handle;
			x = NULL;
			curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&x);
			xfer_finish(x, msg->data.result, 1);
			curl_multi_remove_handle(g->multi, h);
			curl_easy_cleanup(h);
			xfer_free(x);
			active--;
		}
		if (active > 0 && still > 0 &&
		    curl_multi_poll(g->multi, NULL, 0, 1000, NULL) != CURLM_OK)
			return -1;
	}
	return 0;
}

void
graph_calls_take(struct graph *g, long long n[GRAPH_CLASS__MAX])
{
	memcpy(n, g->calls, sizeof(g->calls));
	memset(g->calls, 0, sizeof(g->calls));
}

/* ---- the client --------------------------------------------------- */

/* The client of graph_new and graph_new_instagram: base (without a
 * trailing slash) and, when versioned, "/<graph_version>" after it;
 * the app id and secret from the configuration keys idk and seck. */
static struct graph *
graph_make(const struct conf *c, const char *base, int versioned,
    const char *idk, const char *seck, int proof, char *err, size_t errsz)
{
	struct graph	*g;
	const char	*ver = conf_get(c, "graph_version");
	char		 secret[HG_CONF_LINE_MAX + 1], why[128];
	size_t		 n = strlen(base), i;

	pthread_once(&graph_once, graph_global_init);
	if (!graph_global_ok) {
		snprintf(err, errsz, "libcurl initialisation failed");
		return NULL;
	}
	while (n > 0 && base[n - 1] == '/')
		n--;
	for (i = 0; ver[i] != '\0'; i++)
		if (!((ver[i] >= '0' && ver[i] <= '9') || ver[i] == '.' ||
		    (i == 0 && ver[i] == 'v')))
			break;
	if (ver[0] != 'v' || i < 2 || ver[i] != '\0') {
		snprintf(err, errsz, "graph_version must look like v24.0");
		return NULL;
	}
	if (graph_url_allowed(base, why, sizeof(why)) == -1) {
		snprintf(err, errsz, "graph_base_url: %s", why);
		return NULL;
	}
	if (*conf_get(c, idk) == '\0' || conf_list_item(c, seck,
	    0, secret, sizeof(secret)) != 1) {
		snprintf(err, errsz, "%s and %s are required", idk, seck);
		return NULL;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL)
		goto oom;
	g->loopback = strncasecmp(base, "https:", 6) != 0;
	g->proof = proof;
	g->connect_ms = (long)conf_get_int(c, "graph_connect_timeout_ms");
	g->timeout_ms = (long)conf_get_int(c, "graph_timeout_ms");
	g->max_response = (size_t)conf_get_int(c, "graph_max_response");
	if ((g->base = malloc(n + strlen(ver) + 2)) == NULL ||
	    (g->app_id = strdup(conf_get(c, idk))) == NULL ||
	    (g->app_secret = strdup(secret)) == NULL ||
	    (g->version = strdup(ver)) == NULL ||
	    (g->easy = curl_easy_init()) == NULL)
		goto oom;
	memcpy(g->base, base, n);
	g->base[n] = '\0';
	if (versioned) {
		g->base[n] = '/';
		memcpy(g->base + n + 1, ver, strlen(ver) + 1);
	}
	crypto_wipe(secret, sizeof(secret));
	return g;
oom:
	crypto_wipe(secret, sizeof(secret));
	graph_free(g);
	snprintf(err, errsz, "out of memory");
	return NULL;
}

struct graph *
graph_new(const struct conf *c, char *err, size_t errsz)
{
	return graph_make(c, conf_get(c, "graph_base_url"), 1, "app_id",
	    "app_secret", strcmp(conf_get(c, "appsecret_proof"), "yes") == 0,
	    err, errsz);
}

struct graph *
graph_new_instagram(const struct conf *c, enum graph_host host, char *err,
    size_t errsz)
{
	const char	*fb = conf_get(c, "graph_base_url");
	char		 base[HG_LINK_MAX];
	size_t		 n = strlen(fb);
	int		 w;

	while (n > 0 && fb[n - 1] == '/')
		n--;
	if (strcmp(conf_get(c, "sandbox"), "yes") == 0)
		w = snprintf(base, sizeof(base), "%.*s/_instagram/%s", (int)n,
		    fb, host == GRAPH_HOST_IG_API ? "api" : "graph");
	else
		w = snprintf(base, sizeof(base), "%s", host ==
		    GRAPH_HOST_IG_API ? "https://api.instagram.com" :
		    "https://graph.instagram.com");
	if (w < 0 || (size_t)w >= sizeof(base)) {
		snprintf(err, errsz, "graph_base_url is too long");
		return NULL;
	}
	return graph_make(c, base, 0, "instagram_app_id",
	    "instagram_app_secret", 0, err, errsz);
}

void
graph_free(struct graph *g)
{
	if (g == NULL)
		return;
	if (g->easy != NULL)
		curl_easy_cleanup(g->easy);
	if (g->multi != NULL)
		curl_multi_cleanup(g->multi);
	if (g->app_secret != NULL)
		crypto_wipe(g->app_secret, strlen(g->app_secret));
	free(g->app_secret);
	free(g->app_id);
	free(g->version);
	free(g->base);
	free(g);
}

const char *
graph_app_id(const struct graph *g)
{
	return g->app_id;
}

const char *
graph_version(const struct graph *g)
{
	return g->version;
}

const char *
graph_app_secret(const struct graph *g)
{
	return g->app_secret;
}
