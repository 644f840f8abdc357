/*
 * db_media: inbound media items and contact profiles (db_media.c).
 * A media row is made for every fetchable attachment of a new message
 * (db_media_from_message, inside the caller's transaction, called by
 * db_message_insert); the fetcher (lib/pipeline/media.c) claims due
 * rows one at a time and records each outcome.  Functions that say so
 * run inside the caller's transaction; the others make their own or
 * only read.
 */
#ifndef HG_DB_MEDIA_H
#define HG_DB_MEDIA_H

#include <stddef.h>

#include "db.h"

/* A media item's states, as schema.sql has them. */
enum media_state {
	MEDIA_PENDING,
	MEDIA_READY,
	MEDIA_UNAVAILABLE,
	MEDIA_STATE__MAX
};
extern const char *const media_state_names[MEDIA_STATE__MAX];
/* The state named s, or -1. */
int	 media_state_parse(const char *s);

/* Rows for the fetchable attachments (image, video, audio, file,
 * document, sticker with a url or a WhatsApp id) of message id in
 * conversation conv, due at once; inside the caller's transaction.
 * Malformed JSON makes none.  0 or -1. */
int	 db_media_from_message(struct db *, long long message,
	    long long conv, const char *attachments_json, long long now_ms);

/* A claimed item, owned by the job. */
struct db_media_job {
	long long	 id, channel_id;
	char		 source[2048];		/* URL or WhatsApp media id */
	char		 source_kind[8];	/* url, wa_id */
	char		 type[16];
	int		 attempts;		/* including this one */
	char		 channel_kind[16];
	char		 channel_meta_id[128];
	unsigned char	*token_sealed;		/* malloc'd, may be NULL */
	size_t		 token_len;
};
void	 db_media_job_clear(struct db_media_job *);
/* Claim the oldest due pending item, counting an attempt and making it
 * due again at retry_ms (a fetcher that stops leaves it to be tried
 * then): 1 (job filled), 0 none due, -1.  Own transaction. */
int	 db_media_claim(struct db *, long long now_ms, long long retry_ms,
	    struct db_media_job *);
/* The item is stored: ready with its type, size and hex SHA-256.  1,
 * 0 when its row is gone (erased meanwhile: the caller removes the
 * file), -1. */
int	 db_media_ready(struct db *, long long id, const char *content_type,
	    long long size, const char *sha256_hex, long long now_ms);
/* Try again at next_ms (reason: the last failure's word). */
int	 db_media_retry(struct db *, long long id, long long next_ms,
	    const char *reason);
/* Given up: unavailable for reason (failed, too_large, type, hash,
 * gone). */
int	 db_media_give_up(struct db *, long long id, const char *reason);
/* When the next pending item is due (ms), 0 when none; 0 or -1. */
int	 db_media_next_due(struct db *, long long *at);
/* Up to n ready items fetched before before_ms, oldest first, into
 * ids; *got how many.  0 or -1. */
int	 db_media_expired(struct db *, long long before_ms, long long *ids,
	    int n, int *got);
/* A ready item's file is gone: unavailable, reason expired. */
int	 db_media_expire(struct db *, long long id);
/* Up to n items deleted while ready (their files remain) into ids;
 * *got how many.  0 or -1. */
int	 db_media_gone(struct db *, long long *ids, int n, int *got);
/* Item id's file is removed: forget it.  0 or -1. */
int	 db_media_gone_drop(struct db *, long long id);
/* 1 when item id is ready, 0 when not (or no such row), -1. */
int	 db_media_is_ready(struct db *, long long id);

/* An item as the API serves it (strings copied). */
struct db_media_row {
	enum media_state state;
	char		 type[16];
	char		 content_type[100];
	long long	 size;
	char		 name[256];
	char		 reason[16];
};
/* Item id of workspace ws: 1 found, 0 none there, -1. */
int	 db_media_get(struct db *, long long ws, long long id,
	    struct db_media_row *);
/* The items of a message in attachment order: fn(arg, id, position,
 * state, content_type or NULL); 0 or -1. */
int	 db_media_of_message(struct db *, long long message,
	    void (*fn)(void *, long long id, int position,
	    enum media_state, const char *content_type), void *arg);
/* The ready profile picture of a contact into *id (0: none); 0/-1. */
int	 db_media_picture(struct db *, long long contact, long long *id);

/* A contact whose profile is due (owned by the job). */
struct db_profile_job {
	long long	 contact_id, workspace_id, channel_id;
	char		 person[256];		/* PSID or IGSID */
	char		 channel_kind[16];	/* page, instagram */
	char		 channel_meta_id[128];
	char		 token_kind[20];	/* page, instagram_login, ... */
	unsigned char	*token_sealed;
	size_t		 token_len;
};
void	 db_profile_job_clear(struct db_profile_job *);
/* Claim a Messenger or Instagram contact (of a channel with a valid
 * token) never fetched or last tried before stale_ms, marking it tried
 * at now_ms: 1, 0 none, -1.  Own transaction. */
int	 db_profile_claim(struct db *, long long stale_ms, long long now_ms,
	    struct db_profile_job *);
/* Record a profile: the name (kept when NULL or empty), a picture URL
 * to fetch (NULL: none; else a new media row, linked to the contact at
 * once and shown once ready), Meta's words for a failure (NULL: none)
 * and when it counts as tried (tried_ms: now, or earlier for a sooner
 * retry).  Own transaction; 0 or -1. */
int	 db_profile_set(struct db *, const struct db_profile_job *,
	    const char *name, const char *picture_url, const char *error,
	    long long tried_ms, long long now_ms);

#endif
