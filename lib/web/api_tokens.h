/*
 * api_tokens: token levels where people see them:
 *
 *   /api/channels items: token_level (ok, notice, warning, critical,
 *          invalid), token_words (why), token_action (what to do),
 *          token_link (reconnect, resubscribe, grant, none: the page
 *          turns it into a link), token_checked_at (the last check
 *          that reached Meta, or null)
 *   POST   /api/channels/ID/check   (admins) check that channel now, as
 *          cron/token-refresh --channel ID does (repairs included):
 *          200 {channel, check: {checked, refreshed, resubscribed,
 *          invalid, failed, throttled}}; 409 while cron/token-refresh
 *          (or another check) runs; 503 when the check could not run
 *   /health and /metrics: tokens per level and the soonest expiry
 *          (api_token_health, api_token_metrics)
 */
#ifndef HG_API_TOKENS_H
#define HG_API_TOKENS_H

#include <cjson/cJSON.h>

#include "buf.h"
#include "db_channel.h"
#include "route.h"

struct conf;
struct db;

/* The program's configuration; once, before serving. */
void	 api_tokens_setup(const struct conf *);
/* Add channel c's token_* members to o (the levels as of now). */
void	 api_token_json(cJSON *o, const struct db_channel_row *c);
/* Check channel id (of the caller's workspace, already found there)
 * now and answer. */
void	 api_token_check(struct req *r, const struct route_ctx *cx,
	    struct db *d, long long id);
/* /health's "tokens": {ok, notice, warning, critical, invalid,
 * soonest_expiry}; 0 or -1. */
int	 api_token_health(struct db *d, cJSON *root);
/* /metrics' hubgate_token_level{level=...} and
 * hubgate_token_soonest_expiry_seconds; 0 or -1. */
int	 api_token_metrics(struct db *d, struct buf *b);

/* The overview's problems: every token (of workspace, or all when 0)
 * at warning or worse, in words with what to do, linked to the
 * Channels page; 0 or -1. */
int	 api_token_problems(struct db *d, long long workspace,
	    cJSON *problems);

#endif
