/*
 * graph_oauth: the account calls of Facebook Login and token health,
 * over lib/graph: the code exchange, the long-lived exchange, the
 * Pages of a user (every page of results), debug_token with the app
 * token, and the subscribed_apps edge of Pages and WhatsApp business
 * accounts.  Results are classified as in graph.h.
 */
#ifndef HG_GRAPH_OAUTH_H
#define HG_GRAPH_OAUTH_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "graph.h"
#include "limits.h"

/* The fields hubgate subscribes a Page, an Instagram Login account and
 * a WhatsApp business account to (per platform: what Meta sends that
 * the gateway handles). */
#define GRAPH_PAGE_FIELDS "messages,messaging_postbacks,message_deliveries," \
	"message_reads,message_echoes,messaging_handovers,standby," \
	"message_reactions,feed"
#define GRAPH_IG_FIELDS "messages,messaging_postbacks,messaging_seen," \
	"message_reactions,messaging_referral"
#define GRAPH_WA_FIELDS "messages"

/* A token Meta handed out.  access_token is owned (wiped by
 * graph_oauth_token_free); expires_in is 0 when Meta gave none. */
struct graph_token {
	char		*access_token;
	long long	 expires_in;
	char		 token_type[32];
};

/* What debug_token says about a token. */
struct graph_token_info {
	int		 is_valid;
	char		 type[16];		/* USER, PAGE, APP, SYSTEM_USER */
	char		 app_id[HG_META_ID_MAX + 1];
	char		 user_id[HG_META_ID_MAX + 1];
	char		 profile_id[HG_META_ID_MAX + 1];	/* the Page, for Page tokens */
	long long	 expires_at;		/* 0: never */
	long long	 data_access_expires_at;
	long long	 issued_at;
	char		 scopes[1024];		/* comma-separated */
	long		 error_code;		/* data.error, when invalid */
	long		 error_subcode;
};

/* Exchange a login code for a (short-lived) user token.  The code is
 * single-use: never call twice with one code.  0 or -1 as graph_call;
 * res must be freed with graph_result_free. */
int	 graph_oauth_code(struct graph *, const char *code,
	    const char *redirect_uri, struct graph_token *,
	    struct graph_result *res);
/* Exchange a user token for a long-lived one (about 60 days). */
int	 graph_oauth_exchange(struct graph *, const char *user_token,
	    struct graph_token *, struct graph_result *res);
/* Wipe and free the token; the struct is zeroed. */
void	 graph_oauth_token_free(struct graph_token *);

/* Call each(arg, item) for every object of data[] in GET path (fields,
 * HG_GRAPH_PAGE_LIMIT a page) with token of kind auth, following
 * Meta's paging (cursors.after while paging.next is present, at most
 * HG_GRAPH_PAGES_MAX pages); *n (may be NULL) counts them.  each
 * returns -1 to stop.  0, or -1 with res saying why. */
int	 graph_each_page(struct graph *, const char *path, const char *fields,
	    enum graph_auth auth, const char *token,
	    int (*each)(void *, const cJSON *), void *arg, size_t *n,
	    struct graph_result *res);
/* Call each(arg, page) for every Page of the user behind user_token,
 * following the result pages (cursors.after while paging.next is
 * present, at most HG_GRAPH_PAGES_MAX pages).  fields may be NULL
 * (id,name,access_token,tasks,category,instagram_business_account).
 * page is borrowed for the call.  each returns 0 to go on, -1 to stop
 * (the call then returns -1 with a local PERMANENT result). *npages
 * (may be NULL) gets the number of Pages seen.  0 or -1. */
int	 graph_oauth_pages(struct graph *, const char *user_token,
	    const char *fields, int (*each)(void *, const cJSON *page),
	    void *arg, size_t *npages, struct graph_result *res);

/* debug_token on input_token with the app token.  0 when Meta
 * answered (whether or not the token is valid: see info->is_valid),
 * -1 when the call itself failed. */
int	 graph_oauth_debug_token(struct graph *, const char *input_token,
	    struct graph_token_info *, struct graph_result *res);

/* Read a debug_token answer (json: Meta's body) into info: 0, or -1
 * when it has no data object.  A dead token comes back as HTTP 200
 * with data.is_valid false and data.error {code, subcode} (subcode,
 * not error_subcode; both are read; -1 when there is none); a dead
 * one without a code is given 190. */
int	 graph_oauth_debug_read(const cJSON *json,
	    struct graph_token_info *info);

/* GET, POST or DELETE <object_id>/subscribed_apps (a Page with its
 * Page token, or a WhatsApp business account with a business token).
 * fields (POST only, may be NULL) is the comma-separated
 * subscribed_fields.  On GET, res->json holds Meta's list. */
int	 graph_oauth_subscribed_apps(struct graph *, enum graph_method,
	    const char *object_id, const char *token, const char *fields,
	    struct graph_result *res);

/*
 * Instagram Login, with graph_new_instagram clients: api is the
 * GRAPH_HOST_IG_API one, ig the GRAPH_HOST_IG_GRAPH one.  Errors of
 * api.instagram.com ({error_type, code, error_message}) are read into
 * res as well: code, and error_message as message and user_msg.
 */

/* The Instagram account behind a token: user_id is the id webhooks
 * carry (entry[].id), id another one; never mix them up. */
struct graph_ig_user {
	char	user_id[HG_META_ID_MAX + 1];
	char	id[HG_META_ID_MAX + 1];
	char	username[128];
};

/* Exchange an Instagram Login code (a trailing "#_" already stripped)
 * with a form POST to oauth/access_token for a short-lived token, the
 * exchange's user_id and the permissions granted (comma list, may be
 * empty); the answer may be wrapped in data[] or not.  Single use:
 * never call twice with one code. */
int	 graph_ig_code(struct graph *api, const char *code,
	    const char *redirect_uri, struct graph_token *,
	    char user_id[HG_META_ID_MAX + 1], char *perms, size_t permsz,
	    struct graph_result *res);
/* Exchange a short-lived Instagram token for a 60-day one
 * (ig_exchange_token). */
int	 graph_ig_exchange(struct graph *ig, const char *short_token,
	    struct graph_token *, struct graph_result *res);
/* Refresh a 60-day Instagram token (ig_refresh_token: Meta accepts it
 * when at least 24 h old and not expired). */
int	 graph_ig_refresh(struct graph *ig, const char *token,
	    struct graph_token *, struct graph_result *res);
/* GET /<version>/me?fields=user_id,username into u; -1 (res made
 * PERMANENT) when the answer has no user_id. */
int	 graph_ig_me(struct graph *ig, const char *token,
	    struct graph_ig_user *u, struct graph_result *res);
/* GET or POST /<version>/me/subscribed_apps of the account behind
 * token; fields (POST) the comma-separated subscribed_fields.  On GET,
 * the fields subscribed for this app (graph_app_id) go to out (comma
 * list; out may be NULL on POST). */
int	 graph_ig_subscribed_apps(struct graph *ig, enum graph_method,
	    const char *token, const char *fields, char *out, size_t outsz,
	    struct graph_result *res);

/* What Meta says about a WhatsApp number. */
struct graph_wa_number {
	char	display_phone_number[64];
	char	verified_name[HG_CHANNEL_NAME_MAX + 1];
	char	quality_rating[32];
	int	in_waba;		/* listed by the account's phone_numbers */
};

/* Whether the debug_token answer json (res->json after
 * graph_oauth_debug_token) grants scope over target: 1 granted there
 * (its granular target_ids list target, or it has none: every
 * object), 0 granted for other objects only, -1 not granted. */
int	 graph_oauth_scope_covers(const cJSON *json, const char *scope,
	    const char *target);
/* GET /<phone_id>?fields=display_phone_number,verified_name,
 * quality_rating with token, then the WhatsApp business account
 * waba's phone_numbers (every result page) to learn whether the
 * number is one of them (n->in_waba).  0, or -1 when a call failed
 * (res says which; *failed_at is 1 for the number, 2 for the
 * account's list). */
int	 graph_oauth_wa_number(struct graph *, const char *waba,
	    const char *phone_id, const char *token, struct graph_wa_number *n,
	    int *failed_at, struct graph_result *res);
/* POST /<phone_id>/register with the 6-digit pin (the number's
 * two-step verification PIN); 0 or -1. */
int	 graph_oauth_wa_register(struct graph *, const char *phone_id,
	    const char *token, const char *pin, struct graph_result *res);

#endif
