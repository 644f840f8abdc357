/*
 * http: one request/response interface over FastCGI and plain CGI.
 * See http.h.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <fcgiapp.h>

#include "clock.h"
#include "http.h"
#include "log.h"
#include "num.h"

extern char **environ;

const char *const http_method_names[HTTP_METHOD__MAX] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "OTHER"
};

static pthread_mutex_t	 accept_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long	 req_counter;

/*
 * Failing accepts (see http_serve in http.h).  fail_first and fail_last
 * are the first and the last failure of the current spell (monotonic
 * ms; 0: none), under fail_mu.  http_serve sets stopping before it
 * shuts the socket, so that a failing accept is then the end; the
 * thread that finds the process cannot serve sets cannot_serve and
 * wakes http_serve's thread (main_thread) with SIGUSR2.
 */
static pthread_mutex_t	 fail_mu = PTHREAD_MUTEX_INITIALIZER;
static long long	 fail_first, fail_last;
static struct log_rate	 accept_log = LOG_RATE_INITIALIZER;
static int		 stopping, cannot_serve;
static pthread_t	 main_thread;
static long long	 give_up_ms = HG_ACCEPT_GIVE_UP_MS;

/*
 * A request thread, and the deferred requests it accepted that another
 * thread has answered since.  The answering thread sends the response
 * and the end of the request (the web server has all it needs then)
 * and hands the request back; the thread that accepted it closes the
 * connection and frees it at its next turn, before it accepts again.
 * A group commit answers the requests of many threads: freeing there
 * what these threads allocated (libfcgi's parameters and buffers, the
 * body) defeated the allocator's per-thread caches on both sides, and
 * the closes and frees lengthened the commit's turn that every waiting
 * request depends on.  A thread waiting for its next request keeps the
 * ones handed back meanwhile (at most those in flight) until it gets
 * it: the web server is done with them, having had the end record.
 */
struct worker {
	const struct http_server *srv;
	struct req		*done;	/* answered, to release; or WORKER_GONE */
};

/* done of a worker that has returned: its answerers release. */
static struct req	 worker_gone;
#define WORKER_GONE	(&worker_gone)

static struct worker	 workers[HG_THREADS_MAX];

const char *
http_env(const struct req *r, const char *name)
{
	if (r->fcgx != NULL)
		return FCGX_GetParam(name, ((FCGX_Request *)r->fcgx)->envp);
	return getenv(name);
}

const char *
http_header(const struct req *r, const char *name)
{
	char		 var[HG_PARAM_NAME_MAX + 8];
	const char	*v;
	size_t		 i, o = 0;

	if (strcasecmp(name, "Content-Type") == 0)
		v = http_env(r, "CONTENT_TYPE");
	else if (strcasecmp(name, "Content-Length") == 0)
		v = http_env(r, "CONTENT_LENGTH");
	else {
		if (strlen(name) > HG_PARAM_NAME_MAX)
			return NULL;
		memcpy(var, "HTTP_", 5);
		o = 5;
		for (i = 0; name[i] != '\0'; i++)
			var[o++] = name[i] == '-' ? '_' :
			    (char)toupper((unsigned char)name[i]);
		var[o] = '\0';
		v = http_env(r, var);
	}
	if (v != NULL && strlen(v) > HG_HEADER_MAX)
		return NULL;
	return v;
}

/* Read up to n bytes of a request's input, from the FastCGI stream in
 * or, when in is NULL, from standard input (CGI); returns the count
 * (short at the end of the input). */
static size_t
http_read_in(FCGX_Stream *in, char *p, size_t n)
{
	size_t	 got = 0, k;
	int	 k2;

	while (got < n) {
		if (in != NULL) {
			k2 = FCGX_GetStr(p + got, (int)(n - got > 65536 ?
			    65536 : n - got), in);
			k = k2 > 0 ? (size_t)k2 : 0;
		} else
			k = fread(p + got, 1, n - got, stdin);
		if (k == 0)
			break;
		got += k;
	}
	return got;
}

/* Read the body into p: up to n bytes; returns the count. */
static size_t
http_read(struct req *r, char *p, size_t n)
{
	return http_read_in(r->fcgx != NULL ? ((FCGX_Request *)r->fcgx)->in :
	    NULL, p, n);
}

/* Read and discard up to max bytes of the input (as http_read_in);
 * returns how many of max were left when the input ended (0: max was
 * reached). */
static size_t
http_drain(FCGX_Stream *in, size_t max)
{
	char	 sink[4096];
	size_t	 k;

	while (max > 0 && (k = http_read_in(in, sink, max < sizeof(sink) ?
	    max : sizeof(sink))) > 0)
		max -= k;
	return max;
}

int
http_read_body(struct req *r, size_t max)
{
	const char	*cl = http_env(r, "CONTENT_LENGTH");
	long long	 n;
	char		*p;

	if (cl == NULL || *cl == '\0')
		return 411;
	if (num_parse_str(cl, 0, LLONG_MAX, &n) == -1)
		return 400;
	if ((unsigned long long)n > max)
		return 413;
	buf_free(&r->body);
	buf_init(&r->body, max);
	if ((p = buf_reserve(&r->body, (size_t)n)) == NULL)
		return 500;
	r->consumed = http_read(r, p, (size_t)n);
	if (r->consumed != (size_t)n)
		return 400;
	buf_commit(&r->body, (size_t)n);
	return 0;
}

/* Decode n bytes of s into a new string; NULL on bad encoding or NUL. */
static char *
pct_decode(const char *s, size_t n, int plus, size_t *outlen)
{
	char	*out, *o;
	size_t	 i;
	int	 hi, lo;

	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (o = out, i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				goto bad;
			hi = num_hexdigit((unsigned char)s[i + 1], 1);
			lo = num_hexdigit((unsigned char)s[i + 2], 1);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto bad;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '\0')
			goto bad;
		else if (plus && s[i] == '+')
			*o++ = ' ';
		else
			*o++ = s[i];
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
bad:
	free(out);
	return NULL;
}

void
params_free(struct params *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	p->n = 0;
}

int
params_parse(struct params *p, const char *s, size_t len, int sep)
{
	const char	*item = s, *end = s + len, *e, *eq, *ns, *ne;
	size_t		 nlen, vlen;
	char		*name, *value;
	int		 plus = (sep == '&');

	while (item < end) {
		if ((e = memchr(item, sep, (size_t)(end - item))) == NULL)
			e = end;
		ns = item;
		ne = e;
		if (!plus) {
			while (ns < ne && *ns == ' ')
				ns++;
			while (ne > ns && ne[-1] == ' ')
				ne--;
		}
		if (ns == ne)
			goto next;
		if (p->n >= HG_PARAMS_MAX)
			return -1;
		if ((eq = memchr(ns, '=', (size_t)(ne - ns))) == NULL)
			eq = ne;
		if ((size_t)(eq - ns) > HG_PARAM_NAME_MAX)
			return -1;
		name = pct_decode(ns, (size_t)(eq - ns), plus, &nlen);
		if (name == NULL)
			return -1;
		value = eq < ne ? pct_decode(eq + 1, (size_t)(ne - eq - 1),
		    plus, &vlen) : pct_decode("", 0, plus, &vlen);
		if (value == NULL || nlen == 0) {
			free(name);
			free(value);
			return -1;
		}
		p->v[p->n].name = name;
		p->v[p->n].value = value;
		p->v[p->n].len = vlen;
		p->n++;
next:
		item = e + 1;
	}
	return 0;
}

const char *
params_get(const struct params *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return p->v[i].value;
	return NULL;
}

int
http_parse_form(struct req *r, struct params *p)
{
	const char *ct = http_env(r, "CONTENT_TYPE");

	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded",
	    33) != 0 || (ct[33] != '\0' && ct[33] != ';'))
		return -1;
	return params_parse(p, r->body.data != NULL ? r->body.data : "",
	    r->body.len, '&');
}

void
http_status(struct req *r, int status)
{
	r->status = status;
}

int
http_add_header(struct req *r, const char *name, const char *value)
{
	if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
		return -1;
	buf_puts(&r->rhead, name);
	buf_puts(&r->rhead, ": ");
	buf_puts(&r->rhead, value);
	return buf_puts(&r->rhead, "\r\n");
}

int
http_write(struct req *r, const void *p, size_t n)
{
	return buf_add(&r->rbody, p, n);
}

int
http_puts(struct req *r, const char *s)
{
	return buf_puts(&r->rbody, s);
}

void
http_text(struct req *r, int status, const char *text)
{
	buf_reset(&r->rhead);
	buf_reset(&r->rbody);
	r->status = status;
	http_add_header(r, "Content-Type", "text/plain; charset=utf-8");
	http_puts(r, text);
	if (text[0] != '\0' && text[strlen(text) - 1] != '\n')
		http_puts(r, "\n");
}

const char *
http_reason(int s)
{
	switch (s) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/* Write n bytes to the client. */
static void
http_out(struct req *r, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (r->fcgx != NULL)
		FCGX_PutStr(p, (int)n, ((FCGX_Request *)r->fcgx)->out);
	else
		fwrite(p, 1, n, stdout);
}

/* Send the response built so far, once. */
static void
http_finish(struct req *r)
{
	struct buf	 head;
	int		 has_ct;

	if (r->rhead.err || r->rbody.err) {
		log_msg(LOG_LEVEL_ERROR, "http.response_too_large", r->path);
		http_text(r, 500, "internal error");
	}
	has_ct = strstr(buf_cstr(&r->rhead), "Content-Type:") != NULL;
	buf_init(&head, HG_RESPONSE_MAX);
	buf_printf(&head, "Status: %d %s\r\n", r->status, http_reason(r->status));
	buf_add(&head, r->rhead.data, r->rhead.len);
	if (!has_ct && r->rbody.len > 0)
		buf_puts(&head, "Content-Type: text/plain; charset=utf-8\r\n");
	buf_puts(&head, "X-Content-Type-Options: nosniff\r\n");
	if (strstr(buf_cstr(&r->rhead), "Cache-Control:") == NULL)
		buf_puts(&head, "Cache-Control: no-store\r\n");
	buf_printf(&head, "Content-Length: %zu\r\n\r\n", r->rbody.len);
	http_out(r, head.data, head.len);
	if (r->method != HTTP_HEAD)
		http_out(r, r->rbody.data, r->rbody.len);
	if (r->fcgx == NULL)
		fflush(stdout);
	buf_free(&head);
}

static enum http_method
http_method_parse(const char *m)
{
	int i;

	if (m == NULL)
		return HTTP_OTHER;
	for (i = 0; i < HTTP_OTHER; i++)
		if (strcmp(m, http_method_names[i]) == 0)
			return (enum http_method)i;
	return HTTP_OTHER;
}

static void	 http_end(struct req *);

/* Fill r from the environment, run the handler, and unless the handler
 * deferred the request, send the response and clean up.  Returns 1
 * when the request was deferred (r must not be touched again). */
static int
http_run(const struct http_server *srv, struct req *r)
{
	int		 deferred = 0;

	const char	*sn, *pi, *qs, *ck;
	unsigned long	 n;
	size_t		 len;

	n = __atomic_add_fetch(&req_counter, 1, __ATOMIC_RELAXED);
	snprintf(r->id, sizeof(r->id), "%lx-%lx", (unsigned long)getpid(), n);
	log_set_id(r->id);
	r->status = 200;
	buf_init(&r->body, 0);
	buf_init(&r->rhead, HG_HEADER_MAX * 4);
	buf_init(&r->rbody, HG_RESPONSE_MAX);
	r->method = http_method_parse(http_env(r, "REQUEST_METHOD"));
	if ((r->remote = http_env(r, "REMOTE_ADDR")) == NULL)
		r->remote = "-";
	r->client[0] = '\0';
	sn = http_env(r, "SCRIPT_NAME");
	pi = http_env(r, "PATH_INFO");
	sn = sn != NULL ? sn : "";
	pi = pi != NULL ? pi : "";
	len = strlen(sn) + strlen(pi);
	if ((r->pathbuf = malloc(len + 2)) != NULL) {
		snprintf(r->pathbuf, len + 2, "%s%s%s",
		    (sn[0] == '/' || (sn[0] == '\0' && pi[0] == '/')) ? "" : "/",
		    sn, pi);
		r->path = r->pathbuf;
	} else
		r->path = "/";
	qs = http_env(r, "QUERY_STRING");
	if (qs != NULL && (strlen(qs) > HG_QUERY_MAX ||
	    params_parse(&r->query, qs, strlen(qs), '&') == -1)) {
		params_free(&r->query);
		r->bad_query = 1;
	}
	/* Cleared below before it could dangle. */
	/* cppcheck-suppress autoVariables */
	r->deferflag = &deferred;
	ck = http_env(r, "HTTP_COOKIE");
	if (ck != NULL && (strlen(ck) > HG_COOKIE_MAX ||
	    params_parse(&r->cookies, ck, strlen(ck), ';') == -1))
		params_free(&r->cookies);

	srv->handle(r);
	/* A deferred request belongs to its keeper now and may already
	 * be answered and freed: only the local flag may be read. */
	if (!deferred) {
		r->deferflag = NULL;
		http_end(r);
	}
	log_set_id(NULL);
	return deferred;
}

void
http_on_release(struct req *r, void (*fn)(void *), void *arg)
{
	r->release = fn;
	r->release_arg = arg;
}

/* Release what the request holds (not r). */
static void
http_free(struct req *r)
{
	if (r->release != NULL)
		r->release(r->release_arg);
	r->release = NULL;
	params_free(&r->query);
	params_free(&r->cookies);
	buf_free(&r->body);
	buf_free(&r->rhead);
	buf_free(&r->rbody);
	free(r->pathbuf);
}

/* Send the response and release what the request holds (not r). */
static void
http_end(struct req *r)
{
	http_finish(r);
	http_free(r);
}

int
http_defer(struct req *r)
{
	if (r->fcgx == NULL || r->deferflag == NULL)
		return 0;
	*r->deferflag = 1;
	r->deferflag = NULL;
	r->deferred = 1;
	return 1;
}

/*
 * Finish a FastCGI request and close its connection at once.  libfcgi's
 * default close shuts the socket down and waits for the server to close
 * its side, a round trip per request.  Closing directly is safe once
 * nothing is left unread (Linux resets a peer whose data we never
 * read), so the rest of the body, if any, and the end-of-input record
 * are read first.
 */
static void
http_fcgx_done(FCGX_Request *fr)
{
	if (http_drain(fr->in, HG_CGI_DRAIN_MAX) > 0 &&
	    FCGX_HasSeenEOF(fr->in) == EOF)
		FCGX_Detach(fr);
	FCGX_Finish_r(fr);
	free(fr);
}

/* Release a FastCGI request whose response was sent, and r. */
static void
http_release(struct req *r)
{
	http_free(r);
	http_fcgx_done(r->fcgx);
	free(r);
}

/* Release what was handed back to w, and leave done as to. */
static void
http_reap(struct worker *w, struct req *to)
{
	struct req *r, *next;

	r = __atomic_exchange_n(&w->done, to, __ATOMIC_ACQUIRE);
	for (; r != NULL && r != WORKER_GONE; r = next) {
		next = r->next;
		http_release(r);
	}
}

void
http_complete(struct req *r)
{
	FCGX_Request	*fr = r->fcgx;
	struct worker	*w = r->home;
	struct req	*old;

	http_finish(r);
	/* The error stream first: closing it after the output would
	 * cost a write (libfcgi). */
	FCGX_FClose(fr->err);
	FCGX_FClose(fr->out);
	old = __atomic_load_n(&w->done, __ATOMIC_RELAXED);
	do {
		if (old == WORKER_GONE) {
			http_release(r);
			return;
		}
		r->next = old;
	} while (!__atomic_compare_exchange_n(&w->done, &old, r, 1,
	    __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

int
http_is_cgi(void)
{
	static int inited;

	if (!inited) {
		FCGX_Init();
		inited = 1;
	}
	return FCGX_IsCGI();
}

int
http_serve_cgi(const struct http_server *srv, void *ctx)
{
	struct req	 r;
	const char	*cl;
	long long	 left;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	http_run(srv, &r);
	/*
	 * Some servers (mod_cgid) hand a CGI one socket for both ways:
	 * exiting with body bytes unread resets the connection and loses
	 * the response already written.  Read what is left, up to a cap.
	 */
	cl = getenv("CONTENT_LENGTH");
	if (cl != NULL && num_parse_str(cl, 0, LLONG_MAX, &left) == 0 &&
	    (left -= (long long)r.consumed) > 0)
		http_drain(NULL, left > HG_CGI_DRAIN_MAX ? HG_CGI_DRAIN_MAX :
		    (size_t)left);
	return 0;
}

/* 0 when accept's error err says the listening socket itself is
 * unusable (nothing will change that), 1 when it may pass: descriptors
 * or memory exhausted, anything else. */
static int
accept_error_passes(int err)
{
	switch (err) {
	case EBADF:
	case ENOTSOCK:
	case EINVAL:
	case EOPNOTSUPP:
	case EFAULT:
		return 0;
	default:
		return 1;
	}
}

/* A request thread's accept, or what it allocates for one, failed with
 * err: log it (at most HG_ACCEPT_LOG_PER_SEC lines a second) and wait
 * HG_ACCEPT_BACKOFF_MS.  Returns 0 to try again; -1 when the process
 * cannot serve (the socket is unusable, or the failures have lasted
 * give_up_ms): http_serve's thread is woken to stop the process. */
static int
http_accept_failed(int err)
{
	struct logline	 l;
	struct timespec	 ts;
	char		 eb[128];
	long long	 now = clock_mono_ms(), spell, held = 0;

	pthread_mutex_lock(&fail_mu);
	if (fail_first == 0 || now - fail_last > HG_ACCEPT_SPELL_GAP_MS)
		fail_first = now;
	fail_last = now;
	spell = now - fail_first;
	pthread_mutex_unlock(&fail_mu);
	if (!accept_error_passes(err) || spell >= give_up_ms) {
		if (__atomic_exchange_n(&cannot_serve, 1, __ATOMIC_ACQ_REL))
			return -1;
		log_begin(&l, LOG_LEVEL_ERROR, "http.cannot_serve");
		log_str(&l, "error", strerror_r(err, eb, sizeof(eb)));
		log_int(&l, "failing_ms", spell);
		log_end(&l);
		pthread_kill(main_thread, SIGUSR2);
		return -1;
	}
	if (log_rate_take(&accept_log, HG_ACCEPT_LOG_PER_SEC, &held)) {
		log_begin(&l, LOG_LEVEL_ERROR, "http.accept_failed");
		log_str(&l, "error", strerror_r(err, eb, sizeof(eb)));
		log_int(&l, "failing_ms", spell);
		if (held > 0)
			log_int(&l, "suppressed", held);
		log_end(&l);
	}
	ts.tv_sec = HG_ACCEPT_BACKOFF_MS / 1000;
	ts.tv_nsec = (HG_ACCEPT_BACKOFF_MS % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	return 0;
}

/* An accept succeeded: the spell of failures, if any, is over. */
static void
http_accept_ok(void)
{
	pthread_mutex_lock(&fail_mu);
	fail_first = 0;
	pthread_mutex_unlock(&fail_mu);
}

static void *
http_worker(void *a)
{
	struct worker			*w = a;
	const struct http_server	*srv = w->srv;
	FCGX_Request			*fr;
	struct req			*r;
	void				*ctx = NULL;
	int				 rc;

	if (srv->worker_init != NULL)
		ctx = srv->worker_init(srv->arg);
	/* Until http_serve stops the process: a failure to accept is
	 * waited out (http_accept_failed), never the end of the thread,
	 * or the process would stay up with nobody accepting. */
	for (;;) {
		http_reap(w, NULL);
		if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
			break;
		/* Each request has its own FCGX_Request and struct req,
		 * so that a handler may keep them (http_defer) and have
		 * another thread answer while this one accepts the next. */
		fr = calloc(1, sizeof(*fr));
		r = calloc(1, sizeof(*r));
		if (fr == NULL || r == NULL || FCGX_InitRequest(fr, 0, 0) != 0) {
			free(fr);
			free(r);
			if (http_accept_failed(ENOMEM) == -1)
				break;
			continue;
		}
		pthread_mutex_lock(&accept_lock);
		rc = FCGX_Accept_r(fr);
		pthread_mutex_unlock(&accept_lock);
		if (rc < 0) {
			FCGX_Free(fr, 1);
			free(fr);
			free(r);
			if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE) ||
			    http_accept_failed(rc == -9999 ? EIO : -rc) == -1)
				break;
			continue;
		}
		http_accept_ok();
		r->fcgx = fr;
		r->ctx = ctx;
		r->home = w;
		if (!http_run(srv, r)) {
			http_fcgx_done(fr);
			free(r);
		}
	}
	/* What is answered from now on is released by its answerer. */
	http_reap(w, WORKER_GONE);
	if (srv->worker_free != NULL)
		srv->worker_free(ctx);
	return NULL;
}

void
http_set_accept_give_up(long long ms)
{
	give_up_ms = ms;
}

int
http_serve(const struct http_server *srv)
{
	struct logline		 l;
	pthread_t		*tids;
	sigset_t		 set;
	void			*ctx = NULL;
	pid_t			 parent;
	int			 i, n, sig, started = 0, rc = 0;

	signal(SIGPIPE, SIG_IGN);
	if (http_is_cgi()) {
		if (srv->worker_init != NULL)
			ctx = srv->worker_init(srv->arg);
		http_serve_cgi(srv, ctx);
		if (srv->worker_free != NULL)
			srv->worker_free(ctx);
		return 0;
	}
	/*
	 * Stop signals are taken by this thread alone, with sigwait: a
	 * handler would run on whichever thread the kernel picks and could
	 * not wake the one blocked in accept.  When the web server dies
	 * without telling us, the kernel sends SIGTERM (Linux).
	 */
	/*
	 * A long-lived server keeps up to HG_MALLOC_TRIM of the memory it
	 * frees for its next requests, instead of glibc's default of
	 * giving a heap's top back to the kernel at 128 KiB and faulting
	 * it in again (bench/README.md).  Peak use stays bounded by the
	 * threads and the body caps.
	 */
	mallopt(M_TRIM_THRESHOLD, HG_MALLOC_TRIM);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);	/* a request thread: cannot serve */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	main_thread = pthread_self();
	parent = getppid();
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)	/* it died before prctl took hold */
		return 0;
	n = srv->threads < 1 ? 1 : srv->threads;
	if (n > HG_THREADS_MAX)
		n = HG_THREADS_MAX;
	if ((tids = calloc((size_t)n, sizeof(*tids))) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		workers[i].srv = srv;
		workers[i].done = NULL;
		if (pthread_create(&tids[started], NULL, http_worker,
		    &workers[i]) == 0)
			started++;
	}
	if (started == 0) {
		free(tids);
		return 1;
	}
	do {
		sig = 0;
		sigwait(&set, &sig);
	} while (sig == SIGUSR2 &&
	    !__atomic_load_n(&cannot_serve, __ATOMIC_ACQUIRE));
	if (sig == SIGUSR2) {
		/* Exit non-zero: the web server starts a fresh process. */
		log_msg(LOG_LEVEL_ERROR, "server.stopping",
		    "cannot accept requests");
		rc = 1;
	} else {
		log_begin(&l, LOG_LEVEL_INFO, "server.stopping");
		log_int(&l, "signal", sig);
		log_end(&l);
	}
	/* Wake the accepting thread; every worker finishes the request it
	 * holds, then finds the socket shut (or stopping set) and
	 * returns. */
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	FCGX_ShutdownPending();
	shutdown(0, SHUT_RDWR);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	return rc;
}

void
http_json(struct req *r, int status, cJSON *root)
{
	char *s;

	if (root == NULL || (s = cJSON_PrintUnformatted(root)) == NULL) {
		cJSON_Delete(root);
		http_text(r, 500, "out of memory");
		return;
	}
	buf_reset(&r->rhead);
	buf_reset(&r->rbody);
	http_status(r, status);
	http_add_header(r, "Content-Type", "application/json");
	http_puts(r, s);
	http_puts(r, "\n");
	free(s);
	cJSON_Delete(root);
}

void
http_json_error(struct req *r, int status, const char *msg)
{
	cJSON *o = cJSON_CreateObject(), *e;

	if (o != NULL && ((e = cJSON_AddObjectToObject(o, "error")) == NULL ||
	    cJSON_AddNumberToObject(e, "status", status) == NULL ||
	    cJSON_AddStringToObject(e, "message", msg) == NULL)) {
		cJSON_Delete(o);
		o = NULL;
	}
	http_json(r, status, o);
}

const char *
http_client(const struct req *r)
{
	return r->client[0] != '\0' ? r->client : r->remote;
}
