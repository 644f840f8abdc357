/*
 * media: fetching inbound media and contact profiles.  See media.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bgthread.h"
#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_media.h"
#include "db_outbox.h"
#include "graph.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "media.h"

/* ---- the rules ------------------------------------------------------ */

/* The types kept, by the attachment types they may come as: Meta's
 * supported media types, and any image for a picture or sticker. */
static const char *const media_images[] = {
	"image/jpeg", "image/png", "image/gif", "image/webp", NULL
};
static const char *const media_others[] = {
	"video/mp4", "video/3gpp", "video/quicktime", "video/webm",
	"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg",
	"audio/opus", "audio/wav", "audio/x-wav", "audio/webm",
	"application/pdf", "text/plain", "text/csv", "application/msword",
	"application/vnd.ms-excel", "application/vnd.ms-powerpoint",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/zip", "application/octet-stream", NULL
};

/* 1 when s is one of the NULL-terminated list l. */
static int
in_list(const char *const *l, const char *s)
{
	for (; *l != NULL; l++)
		if (strcmp(*l, s) == 0)
			return 1;
	return 0;
}

int
media_type_inline(const char *ctype)
{
	return ctype != NULL && in_list(media_images, ctype);
}

int
media_type_allowed(const char *type, const char *ctype)
{
	if (ctype == NULL || *ctype == '\0')
		return 0;
	if (in_list(media_images, ctype))
		return 1;
	/* A picture or sticker must be an image. */
	if (strcmp(type, "image") == 0 || strcmp(type, "sticker") == 0)
		return 0;
	return in_list(media_others, ctype);
}

const char *
media_sniff(const void *data, size_t len)
{
	const unsigned char *p = data;

	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	return NULL;
}

int
media_sha256_check(const void *data, size_t len, const char *expect,
    char hex[65])
{
	unsigned char	 md[CRYPTO_SHA256_LEN];
	char		 b64[64], want[64];
	size_t		 n, i;

	crypto_sha256(data, len, md);
	crypto_hex(md, sizeof(md), hex);
	if (expect == NULL)
		return -1;
	n = strlen(expect);
	if (n == 64) {
		for (i = 0; i < n; i++)
			if (hex[i] != (expect[i] >= 'A' && expect[i] <= 'F' ?
			    expect[i] - 'A' + 'a' : expect[i]))
				return 0;
		return 1;
	}
	/* base64 (standard or url-safe, padded or not): compare as
	 * base64url without padding. */
	while (n > 0 && expect[n - 1] == '=')
		n--;
	if (n != 43 || crypto_b64url_encode(md, sizeof(md), b64,
	    sizeof(b64)) != 43)
		return -1;
	for (i = 0; i < n; i++)
		want[i] = expect[i] == '+' ? '-' : expect[i] == '/' ? '_' :
		    expect[i];
	return memcmp(want, b64, n) == 0;
}

long long
media_backoff_ms(int attempts)
{
	long long d = HG_MEDIA_BACKOFF_MS;

	while (--attempts > 0 && d < HG_MEDIA_BACKOFF_MAX_MS)
		d *= 2;
	return d < HG_MEDIA_BACKOFF_MAX_MS ? d : HG_MEDIA_BACKOFF_MAX_MS;
}

enum media_next
media_decide(enum graph_class cls, int attempts)
{
	if (cls == GRAPH_PERMANENT)
		return MEDIA_NEXT_GIVE_UP;
	return attempts >= HG_MEDIA_ATTEMPTS_MAX ? MEDIA_NEXT_GIVE_UP :
	    MEDIA_NEXT_RETRY;
}

/* ---- the worker ----------------------------------------------------- */

struct media_worker {
	const struct conf	*conf;
	struct db		*db;
	struct graph		*graph;
	struct graph		*ig;		/* Instagram Login's host, lazily */
	char			 dir[HG_MEDIA_PATH_MAX];
	size_t			 max_bytes;
	long long		 retention_ms, refresh_ms;
};

int
media_dir_path(const struct conf *c, char *out, size_t outsz)
{
	char	 db[HG_MEDIA_PATH_MAX];
	char	*slash;
	int	 n;

	if (*conf_get(c, "media_dir") != '\0')
		return conf_path(c, "media_dir", out, outsz) != NULL ? 0 : -1;
	if (conf_path(c, "db_path", db, sizeof(db)) == NULL)
		return -1;
	if ((slash = strrchr(db, '/')) == NULL)
		n = snprintf(out, outsz, "media");
	else
		n = snprintf(out, outsz, "%.*s/media", (int)(slash - db), db);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

struct media_worker *
media_worker_new(const struct conf *c, struct db *d, struct graph *g)
{
	struct media_worker *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->conf = c;
	w->db = d;
	w->graph = g;
	if (media_dir_path(c, w->dir, sizeof(w->dir)) == -1) {
		free(w);
		return NULL;
	}
	w->max_bytes = (size_t)conf_get_int(c, "media_max_bytes");
	w->retention_ms = conf_get_int(c, "media_retention_days") * 86400000LL;
	w->refresh_ms = conf_get_int(c, "profile_refresh_days") * 86400000LL;
	return w;
}

void
media_worker_free(struct media_worker *w)
{
	if (w == NULL)
		return;
	graph_free(w->ig);
	free(w);
}

/* The channel's token (sealed with aad channel:<kind>:<meta id>) in
 * out, NUL-terminated; 0 or -1. */
static int
open_token(struct media_worker *w, const char *kind, const char *meta_id,
    const unsigned char *sealed, size_t len, struct buf *out)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	char		 aad[160];
	int		 rc;

	if (sealed == NULL ||
	    crypto_key_parse(conf_get(w->conf, "token_key"), key) == -1)
		return -1;
	snprintf(aad, sizeof(aad), "channel:%s:%s", kind, meta_id);
	rc = crypto_open(key, sealed, len, aad, strlen(aad), out);
	crypto_wipe(key, sizeof(key));
	if (rc == -1 || buf_putc(out, '\0') == -1)
		return -1;
	return 0;
}

/* Write data to <dir>/<id>: a temporary name, fsync, rename, fsync of
 * the directory.  The directory is made 0700 (02770 inside a setgid
 * data directory), a file 0600 (0660 in a setgid directory: the
 * shared group's programs serve and prune it).  0 or -1 (logged). */
static int
store_file(struct media_worker *w, long long id, const void *data, size_t len)
{
	char		 tmp[HG_MEDIA_PATH_MAX + 32], path[HG_MEDIA_PATH_MAX + 32];
	char		*slash;
	const char	*p = data;
	struct stat	 sb;
	ssize_t		 n;
	int		 fd, dfd;

	if (mkdir(w->dir, 0700) == 0) {
		snprintf(path, sizeof(path), "%s", w->dir);
		if ((slash = strrchr(path, '/')) != NULL && slash != path)
			*slash = '\0';
		if (slash != NULL && stat(path, &sb) == 0 &&
		    (sb.st_mode & S_ISGID))
			chmod(w->dir, 02770);
	} else if (errno != EEXIST)
		goto fail;
	snprintf(path, sizeof(path), "%s/%lld", w->dir, id);
	snprintf(tmp, sizeof(tmp), "%s/%lld.tmp", w->dir, id);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		goto fail;
	if (stat(w->dir, &sb) == 0 && (sb.st_mode & S_ISGID))
		fchmod(fd, 0660);
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			unlink(tmp);
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		unlink(tmp);
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		unlink(tmp);
		goto fail;
	}
	if ((dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	log_msg(LOG_LEVEL_ERROR, "media.store", strerror(errno));
	return -1;
}

/* One line for the log (no URL, no token). */
static void
log_fetch(const struct db_media_job *j, const char *outcome,
    const char *why)
{
	struct logline l;

	log_begin(&l, strcmp(outcome, "ready") == 0 ? LOG_LEVEL_INFO :
	    LOG_LEVEL_WARN, "media.fetch");
	log_int(&l, "id", j->id);
	log_int(&l, "channel", j->channel_id);
	log_int(&l, "attempt", j->attempts);
	log_str(&l, "outcome", outcome);
	if (why != NULL)
		log_str(&l, "why", why);
	log_end(&l);
}

/* Record a failed attempt: retried, or given up for reason when the
 * failure is permanent ("failed" for any other). */
static int
failed(struct media_worker *w, const struct db_media_job *j,
    enum graph_class cls, const char *reason, const char *why,
    struct media_stats *st)
{
	if (cls != GRAPH_PERMANENT)
		reason = "failed";
	if (media_decide(cls, j->attempts) == MEDIA_NEXT_RETRY) {
		st->retried++;
		log_fetch(j, "retry", why);
		return db_media_retry(w->db, j->id, clock_ms() +
		    media_backoff_ms(j->attempts), reason);
	}
	st->unavailable++;
	log_fetch(j, "unavailable", why);
	return db_media_give_up(w->db, j->id, reason);
}

/* Fetch item j; 0 or -1 on a database error. */
static int
fetch(struct media_worker *w, const struct db_media_job *j,
    struct media_stats *st)
{
	struct graph_result	 res;
	struct buf		 tok, body;
	char			 ctype[HG_MEDIA_TYPE_MAX], hex[65], path[600];
	char			 url[2048], expect[128], gone[HG_MEDIA_PATH_MAX + 32];
	const char		*s, *bearer = NULL;
	long long		 size = -1;
	int			 rc, wa = strcmp(j->source_kind, "wa_id") == 0;

	buf_init(&tok, 8192);
	buf_init(&body, w->max_bytes + 1);
	memset(&res, 0, sizeof(res));
	ctype[0] = expect[0] = '\0';
	snprintf(url, sizeof(url), "%s", j->source);
	if (wa) {
		if (!graph_id_ok(j->source)) {
			rc = failed(w, j, GRAPH_PERMANENT, "gone",
			    "not a media id", st);
			goto done;
		}
		if (open_token(w, j->channel_kind, j->channel_meta_id,
		    j->token_sealed, j->token_len, &tok) == -1) {
			rc = failed(w, j, GRAPH_TOKEN_INVALID, "failed",
			    "the channel's token cannot be read", st);
			goto done;
		}
		bearer = buf_cstr(&tok);
		snprintf(path, sizeof(path), "/%.*s", HG_META_ID_MAX,
		    j->source);
		if (graph_call(w->graph, GRAPH_GET, path, NULL, NULL,
		    GRAPH_AUTH_BEARER, bearer, &res) == -1) {
			/* Meta says the number's token is dead: as after a
			 * send's 190, its sends pause and the token is
			 * checked at the next run of cron/token-refresh. */
			if (res.cls == GRAPH_TOKEN_INVALID && !res.local &&
			    db_channel_token_invalid(w->db, j->channel_id) == -1)
				log_fetch(j, "token", db_errmsg(w->db));
			rc = failed(w, j, res.cls, "gone", res.message, st);
			goto done;
		}
		s = json_str(res.json, "url");
		if (s == NULL || strlen(s) >= sizeof(url)) {
			rc = failed(w, j, GRAPH_RETRY, "failed",
			    "no url in Meta's answer", st);
			goto done;
		}
		snprintf(url, sizeof(url), "%s", s);
		if ((s = json_str(res.json, "mime_type")) != NULL)
			snprintf(ctype, sizeof(ctype), "%s", s);
		if ((s = json_str(res.json, "sha256")) != NULL)
			snprintf(expect, sizeof(expect), "%s", s);
		size = json_uint(res.json, "file_size");
		graph_result_free(&res);
		/* Meta says how big: no download when too big. */
		if (size > (long long)w->max_bytes) {
			rc = failed(w, j, GRAPH_PERMANENT, "too_large",
			    "over media_max_bytes", st);
			goto done;
		}
	}
	{
		char got[HG_MEDIA_TYPE_MAX];

		if (graph_download(w->graph, url, bearer, w->max_bytes, &body,
		    got, sizeof(got), &res) == -1) {
			rc = failed(w, j, res.cls, res.reason ==
			    GRAPH_REASON_LIMIT ? "too_large" : "gone",
			    res.message, st);
			goto done;
		}
		if (ctype[0] == '\0')
			snprintf(ctype, sizeof(ctype), "%s", got);
	}
	/* WhatsApp's mime_type may carry parameters ("audio/ogg;
	 * codecs=opus"): the type only. */
	ctype[strcspn(ctype, "; ")] = '\0';
	for (size_t i = 0; ctype[i] != '\0'; i++)
		if (ctype[i] >= 'A' && ctype[i] <= 'Z')
			ctype[i] = (char)(ctype[i] - 'A' + 'a');
	/* A CDN that does not say, or says octet-stream, for a picture. */
	if ((ctype[0] == '\0' || strcmp(ctype, "application/octet-stream") ==
	    0) && media_sniff(body.data, body.len) != NULL)
		snprintf(ctype, sizeof(ctype), "%s",
		    media_sniff(body.data, body.len));
	if (!media_type_allowed(j->type, ctype)) {
		rc = failed(w, j, GRAPH_PERMANENT, "type", ctype, st);
		goto done;
	}
	/* An image shown inline must be the image it says it is. */
	if (media_type_inline(ctype) && (media_sniff(body.data, body.len) ==
	    NULL || strcmp(media_sniff(body.data, body.len), ctype) != 0)) {
		rc = failed(w, j, GRAPH_PERMANENT, "type",
		    "not the image its type says", st);
		goto done;
	}
	if (media_sha256_check(body.data, body.len, expect[0] != '\0' ?
	    expect : NULL, hex) == 0) {
		rc = failed(w, j, GRAPH_PERMANENT, "hash",
		    "SHA-256 differs from Meta's", st);
		goto done;
	}
	if (store_file(w, j->id, body.data != NULL ? body.data : "",
	    body.len) == -1) {
		rc = failed(w, j, GRAPH_RETRY, "failed", "cannot store", st);
		goto done;
	}
	st->ready++;
	log_fetch(j, "ready", NULL);
	if ((rc = db_media_ready(w->db, j->id, ctype, (long long)body.len,
	    hex, clock_ms())) == 0) {
		/* Its message or contact was erased while it was fetched. */
		snprintf(gone, sizeof(gone), "%s/%lld", w->dir, j->id);
		unlink(gone);
	}
	rc = rc == -1 ? -1 : 0;
done:
	graph_result_free(&res);
	crypto_wipe(tok.data, tok.len);
	buf_free(&tok);
	buf_free(&body);
	return rc;
}

/* The Instagram Login host's client, made on first use; NULL when it
 * cannot be made (logged). */
static struct graph *
ig_graph(struct media_worker *w)
{
	char err[HG_ERR_MAX];

	if (w->ig == NULL && (w->ig = graph_new_instagram(w->conf,
	    GRAPH_HOST_IG_GRAPH, err, sizeof(err))) == NULL)
		log_msg(LOG_LEVEL_WARN, "media.profile", err);
	return w->ig;
}

/* Fetch the profile of contact j; 0 or -1 on a database error. */
static int
profile(struct media_worker *w, const struct db_profile_job *j,
    struct media_stats *st)
{
	static const struct graph_param page_fields[] = {
		{ "fields", "first_name,last_name,profile_pic" }, { NULL, NULL }
	};
	static const struct graph_param ig_fields[] = {
		{ "fields", "name,username,profile_pic" }, { NULL, NULL }
	};
	struct graph_result	 res;
	struct graph		*g = w->graph;
	struct buf		 tok;
	struct logline		 l;
	char			 path[400], name[512];
	const char		*first, *last, *pic;
	long long		 now = clock_ms(), tried = now;
	int			 ig = strcmp(j->channel_kind, "instagram") == 0;
	int			 rc;

	memset(&res, 0, sizeof(res));
	buf_init(&tok, 8192);
	name[0] = '\0';
	if (!graph_id_ok(j->person)) {
		rc = db_profile_set(w->db, j, NULL, NULL, "not a Meta id", now,
		    now);
		goto done;
	}
	if (open_token(w, j->channel_kind, j->channel_meta_id, j->token_sealed,
	    j->token_len, &tok) == -1) {
		rc = db_profile_set(w->db, j, NULL, NULL, "the channel's token "
		    "cannot be read", now - w->refresh_ms + HG_PROFILE_RETRY_MS,
		    now);
		st->profile_failed++;
		goto done;
	}
	if (ig && strcmp(j->token_kind, "instagram_login") == 0) {
		if ((g = ig_graph(w)) == NULL) {
			rc = db_profile_set(w->db, j, NULL, NULL, "no Instagram "
			    "app configured", now, now);
			goto done;
		}
		snprintf(path, sizeof(path), "/%s/%s", graph_version(g),
		    j->person);
	} else
		snprintf(path, sizeof(path), "/%s", j->person);
	if (graph_call(g, GRAPH_GET, path, ig ? ig_fields : page_fields, NULL,
	    GRAPH_AUTH_USER, buf_cstr(&tok), &res) == -1) {
		st->profile_failed++;
		/* A refusal waits for the refresh; the rest an hour. */
		if (res.cls != GRAPH_PERMANENT)
			tried = now - w->refresh_ms + HG_PROFILE_RETRY_MS;
		rc = db_profile_set(w->db, j, NULL, NULL, res.message, tried,
		    now);
		goto done;
	}
	if (ig) {
		first = json_str(res.json, "name");
		if (first == NULL || *first == '\0')
			first = json_str(res.json, "username");
		snprintf(name, sizeof(name), "%s", first != NULL ? first : "");
	} else {
		first = json_str(res.json, "first_name");
		last = json_str(res.json, "last_name");
		snprintf(name, sizeof(name), "%s%s%s", first != NULL ? first :
		    "", first != NULL && last != NULL ? " " : "",
		    last != NULL ? last : "");
	}
	pic = json_str(res.json, "profile_pic");
	if (pic != NULL && graph_url_allowed(pic, path, sizeof(path)) == -1)
		pic = NULL;
	st->profiles++;
	rc = db_profile_set(w->db, j, name, pic, NULL, now, now);
done:
	log_begin(&l, res.cls == GRAPH_OK ? LOG_LEVEL_INFO : LOG_LEVEL_WARN,
	    "media.profile");
	log_int(&l, "contact", j->contact_id);
	log_int(&l, "channel", j->channel_id);
	log_str(&l, "class", graph_class_names[res.cls]);
	log_end(&l);
	graph_result_free(&res);
	crypto_wipe(tok.data, tok.len);
	buf_free(&tok);
	return rc;
}

int
media_run(struct media_worker *w, long long budget_ms, struct media_stats *st,
    long long *next_ms)
{
	struct db_media_job	 j;
	struct db_profile_job	 p;
	long long		 start = clock_mono_ms(), now;
	int			 rc, more = 1;

	if (next_ms != NULL)
		*next_ms = 0;
	while (more && clock_mono_ms() - start < budget_ms) {
		more = 0;
		now = clock_ms();
		/* Due again after the first backoff when this process
		 * stops mid-fetch. */
		if ((rc = db_media_claim(w->db, now, now +
		    media_backoff_ms(1), &j)) == -1)
			return -1;
		if (rc == 1) {
			more = 1;
			st->claimed++;
			rc = fetch(w, &j, st);
			db_media_job_clear(&j);
			if (rc == -1)
				return -1;
		}
		if (clock_mono_ms() - start >= budget_ms)
			break;
		now = clock_ms();
		if ((rc = db_profile_claim(w->db, now - w->refresh_ms, now,
		    &p)) == -1)
			return -1;
		if (rc == 1) {
			more = 1;
			rc = profile(w, &p, st);
			db_profile_job_clear(&p);
			if (rc == -1)
				return -1;
		}
	}
	if (next_ms != NULL && db_media_next_due(w->db, next_ms) == -1)
		return -1;
	return 0;
}

int
media_prune(struct media_worker *w, long long now_ms, long long *n)
{
	long long	 ids[HG_MEDIA_PRUNE_BATCH];
	char		 path[HG_MEDIA_PATH_MAX + 32];
	int		 got, i;

	*n = 0;
	if (db_media_expired(w->db, now_ms - w->retention_ms, ids,
	    HG_MEDIA_PRUNE_BATCH, &got) == -1)
		return -1;
	for (i = 0; i < got; i++) {
		snprintf(path, sizeof(path), "%s/%lld", w->dir, ids[i]);
		if (unlink(path) == -1 && errno != ENOENT) {
			log_msg(LOG_LEVEL_WARN, "media.prune", strerror(errno));
			continue;
		}
		if (db_media_expire(w->db, ids[i]) == -1)
			return -1;
		(*n)++;
	}
	/* The files of items deleted with their message or contact. */
	if (db_media_gone(w->db, ids, HG_MEDIA_PRUNE_BATCH, &got) == -1)
		return -1;
	for (i = 0; i < got; i++) {
		snprintf(path, sizeof(path), "%s/%lld", w->dir, ids[i]);
		if (unlink(path) == -1 && errno != ENOENT) {
			log_msg(LOG_LEVEL_WARN, "media.prune", strerror(errno));
			continue;
		}
		if (db_media_gone_drop(w->db, ids[i]) == -1)
			return -1;
		(*n)++;
	}
	return 0;
}

/* ---- the thread ----------------------------------------------------- */

static void *
bg_new(const struct conf *c, struct db *d, struct graph *g)
{
	return media_worker_new(c, d, g);
}

static void
bg_free(void *w)
{
	media_worker_free(w);
}

static int
bg_run(void *w, struct db *d, struct graph *g, long long budget_ms,
    long long *next_ms)
{
	struct media_stats st;

	(void)d;
	(void)g;
	memset(&st, 0, sizeof(st));
	return media_run(w, budget_ms, &st, next_ms);
}

const struct bg_job media_job = {
	.name = "media",
	.poll_ms = HG_MEDIA_POLL_MS,
	.worker_new = bg_new,
	.worker_free = bg_free,
	.run = bg_run,
};
