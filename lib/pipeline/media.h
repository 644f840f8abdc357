/*
 * media: inbound media fetched from Meta, kept, and pruned; contact
 * profiles fetched.
 *
 * Every fetchable attachment of a new message has a media row
 * (db_media.h) from the moment the message is stored.  The fetcher
 * (media_run) claims due rows one at a time and fetches each once:
 * WhatsApp's media id with the number's token (GET /<media-id> gives
 * a URL valid five minutes, fetched with the same Bearer header),
 * Messenger's and Instagram's attachment URL without a token (it
 * expires).  An item larger than media_max_bytes, of a type not
 * allowed (media_type_allowed), or whose SHA-256 differs from the one
 * Meta gives, is unavailable at once; a failure that may pass is
 * retried with backoff (media_backoff_ms) up to HG_MEDIA_ATTEMPTS_MAX
 * attempts, then unavailable.  A stored item is a file named by its
 * id in media_dir, written to a temporary name, fsync'd and renamed
 * before the row says ready (0600, or 0660 in a setgid directory of a
 * shared group, as the database).  media_prune removes files older than
 * media_retention_days (the rows stay, unavailable "expired").
 *
 * The same runner fetches the profile of Messenger and Instagram
 * contacts never fetched, or last tried profile_refresh_days ago:
 * name and picture (the picture is a media item too).  A refusal
 * (Meta's consent errors and the like) is recorded and not tried again
 * before the refresh; other failures again after HG_PROFILE_RETRY_MS.
 *
 * The thread (bg_thread_new with media_job) runs it in a long-lived process every
 * HG_MEDIA_POLL_MS or sooner when poked; cron/webhook-retry runs it
 * too.  The callers hold the "media" lock: one fetcher at a time.
 */
#ifndef HG_MEDIA_H
#define HG_MEDIA_H

#include <stddef.h>

#include "graph_error.h"

struct conf;
struct db;
struct graph;
struct media_worker;
struct bg_job;

struct media_stats {
	long long	 claimed, ready, retried, unavailable;
	long long	 profiles, profile_failed, expired;
};

/* 1 when a stored item of content type ctype (lower case, no
 * parameters) may be kept for an attachment of type (image, video,
 * audio, file, document, sticker), else 0. */
int	 media_type_allowed(const char *type, const char *ctype);
/* 1 when ctype is an image type served inline (image/jpeg, png, gif,
 * webp), else 0. */
int	 media_type_inline(const char *ctype);
/* The image type data starts like (PNG, JPEG, GIF, WebP), or NULL. */
const char *media_sniff(const void *data, size_t len);
/* Whether data's SHA-256 is expect (64 hex digits, or base64 with or
 * without padding, as Meta gives it): 1 yes, 0 no, -1 expect is
 * neither.  hex gets the digest in lower-case hex. */
int	 media_sha256_check(const void *data, size_t len, const char *expect,
	    char hex[65]);
/* The wait before attempt attempts + 1 (ms): HG_MEDIA_BACKOFF_MS
 * doubled per attempt, at most HG_MEDIA_BACKOFF_MAX_MS. */
long long media_backoff_ms(int attempts);

/* What to do after a fetch attempt failed with class cls. */
enum media_next {
	MEDIA_NEXT_RETRY,	/* try again after media_backoff_ms */
	MEDIA_NEXT_GIVE_UP	/* unavailable */
};
/* The decision for attempt number attempts (from 1) ending in cls:
 * permanent failures give up at once, others are retried until
 * HG_MEDIA_ATTEMPTS_MAX attempts were made. */
enum media_next media_decide(enum graph_class cls, int attempts);

/* The media directory of c into out: media_dir (relative to the
 * configuration file's directory), or when it is empty "media" in the
 * directory of db_path (the data directory).  0, or -1 when it does
 * not fit. */
int	 media_dir_path(const struct conf *c, char *out, size_t outsz);

/* A worker over d and g (borrowed) with c's settings; NULL when out
 * of memory or the media directory's path does not fit. */
struct media_worker *media_worker_new(const struct conf *c, struct db *d,
	    struct graph *g);
void	 media_worker_free(struct media_worker *);
/* Fetch due items and profiles for at most budget_ms; *next_ms (may
 * be NULL) is when an item is due next (0: none pending).  0, or -1 on
 * a database error. */
int	 media_run(struct media_worker *, long long budget_ms,
	    struct media_stats *, long long *next_ms);
/* Remove the files of items fetched more than media_retention_days
 * before now_ms (at most HG_MEDIA_PRUNE_BATCH; their rows become
 * unavailable "expired"), and of items whose rows were deleted (a
 * person's data erased).  *n counts the files.  0 or -1. */
int	 media_prune(struct media_worker *, long long now_ms, long long *n);

/* The fetcher as a thread (bgthread.h: bg_thread_new(c, &media_job)). */
extern const struct bg_job media_job;

#endif
