/*
 * api_tokens: token levels in the API, the check-now action, /health
 * and /metrics' counts.  See api_tokens.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "api_events_int.h"
#include "api_session.h"
#include "api_tokens.h"
#include "app.h"
#include "clock.h"
#include "conf.h"
#include "db.h"
#include "db_token.h"
#include "http.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "token_level.h"
#include "tokens.h"

static const struct conf *tok_conf;

void
api_tokens_setup(const struct conf *c)
{
	tok_conf = c;
}

void
api_token_json(cJSON *o, const struct db_channel_row *c)
{
	struct token_verdict	 v;
	struct token_facts	 f;
	struct db		*d;
	long long		 now = clock_ms() / 1000, checked = 0;

	memset(&v, 0, sizeof(v));
	if (tok_conf == NULL || (d = app_db(tok_conf)) == NULL ||
	    tokens_verdict(d, 0, c->id, c->token_status, c->token_expires_at,
	    now, &v, &checked) == -1) {
		/* The stored facts alone, without the checks'. */
		memset(&f, 0, sizeof(f));
		f.status = c->token_status;
		f.expires_at = c->token_expires_at;
		token_level_of(&f, now, &v);
	}
	cJSON_AddStringToObject(o, "token_level", token_level_names[v.level]);
	cJSON_AddStringToObject(o, "token_words", v.words);
	cJSON_AddStringToObject(o, "token_action", v.action);
	cJSON_AddStringToObject(o, "token_link", v.link);
	json_add_num_or_null(o, "token_checked_at", checked);
}

void
api_token_check(struct req *r, const struct route_ctx *cx, struct db *d,
    long long id)
{
	struct tokens_opts	 o;
	struct tokens_stats	 st;
	cJSON			*root, *ch, *chk;
	char			 err[HG_ERR_MAX], object[32], detail[160];
	int			 lock, rc;

	/* Never beside a run of the cron (nor another check). */
	if ((lock = app_lock(tok_conf, "token-refresh")) < 0) {
		if (lock == -2)
			route_error(r, 409, "a token check is running now: try "
			    "again in a minute");
		else
			route_error(r, 503, "the check could not run now");
		return;
	}
	memset(&o, 0, sizeof(o));
	o.channel = id;
	o.budget_ms = (long long)conf_get_int(tok_conf, "graph_timeout_ms") * 4;
	o.alerts = 1;
	rc = tokens_run(tok_conf, d, &o, &st, err, sizeof(err));
	close(lock);
	if (rc == -1) {
		log_msg(LOG_LEVEL_WARN, "channel.check_failed", err);
		route_error(r, 503, "the check could not run now");
		return;
	}
	snprintf(object, sizeof(object), "channel:%lld", id);
	snprintf(detail, sizeof(detail), "checked=%lld refreshed=%lld "
	    "resubscribed=%lld invalid=%lld failed=%lld", st.checked,
	    st.refreshed, st.resubscribed, st.invalid, st.failed);
	if (api_audit(d, &cx->who, cx->who.workspace, "channel_check", object,
	    detail, http_client(r)) == -1)
		log_msg(LOG_LEVEL_WARN, "channel.audit_failed", "channel_check");
	if ((ch = api_channel_json(d, cx->who.workspace, id)) == NULL) {
		route_error(r, 503, "checked, but the channel cannot be read now");
		return;
	}
	root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "channel", ch);
	chk = cJSON_AddObjectToObject(root, "check");
	cJSON_AddNumberToObject(chk, "checked", (double)st.checked);
	cJSON_AddNumberToObject(chk, "refreshed", (double)st.refreshed);
	cJSON_AddNumberToObject(chk, "resubscribed", (double)st.resubscribed);
	cJSON_AddNumberToObject(chk, "invalid", (double)st.invalid);
	cJSON_AddNumberToObject(chk, "failed", (double)st.failed);
	cJSON_AddBoolToObject(chk, "throttled", st.throttled);
	http_json(r, 200, root);
}

int
api_token_health(struct db *d, cJSON *root)
{
	long long	 n[TOKEN_LEVEL__MAX], soonest = 0;
	cJSON		*t;
	int		 i;

	if (tokens_count(d, 0, (long long)time(NULL), n, &soonest) == -1)
		return -1;
	t = cJSON_AddObjectToObject(root, "tokens");
	for (i = 0; i < TOKEN_LEVEL__MAX; i++)
		cJSON_AddNumberToObject(t, token_level_names[i], (double)n[i]);
	json_add_num_or_null(t, "soonest_expiry", soonest);
	return 0;
}

int
api_token_metrics(struct db *d, struct buf *b)
{
	long long	 n[TOKEN_LEVEL__MAX], soonest = 0;
	int		 i;

	if (tokens_count(d, 0, (long long)time(NULL), n, &soonest) == -1)
		return -1;
	buf_puts(b, "# HELP hubgate_token_level Tokens (channels' and "
	    "Logins') by level.\n# TYPE hubgate_token_level gauge\n");
	for (i = 0; i < TOKEN_LEVEL__MAX; i++)
		buf_printf(b, "hubgate_token_level{level=\"%s\"} %lld\n",
		    token_level_names[i], n[i]);
	buf_printf(b, "# HELP hubgate_token_soonest_expiry_seconds Unix time "
	    "of the soonest expiry of a token still valid (0: none "
	    "expires).\n# TYPE hubgate_token_soonest_expiry_seconds gauge\n"
	    "hubgate_token_soonest_expiry_seconds %lld\n", soonest);
	return 0;
}

struct problems {
	cJSON		*a;
	long long	 now;
};

/* A token at warning or worse as one of the overview's problems. */
static void
problem_one(void *arg, const struct db_token_state *s)
{
	struct problems		*p = arg;
	struct token_facts	 f;
	struct token_verdict	 v;
	cJSON			*o;
	char			 text[1024];

	tokens_facts_of(s, p->now, &f);
	token_level_of(&f, p->now, &v);
	if (v.level < TOKEN_WARNING)
		return;
	snprintf(text, sizeof(text), "%s \"%.100s\": token %s: %s. %s",
	    strcmp(s->subject, "login") == 0 ? "The Login of" : "Channel",
	    s->name, token_level_names[v.level], v.words, v.action);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "severity", v.level >= TOKEN_CRITICAL ?
	    "error" : "warning");
	cJSON_AddStringToObject(o, "text", text);
	cJSON_AddStringToObject(o, "link", "channels.html");
	cJSON_AddItemToArray(p->a, o);
}

int
api_token_problems(struct db *d, long long workspace, cJSON *problems)
{
	struct problems p = { problems, (long long)time(NULL) };

	return db_token_states(d, workspace > 0 ? workspace : 0, 0,
	    problem_one, &p);
}
