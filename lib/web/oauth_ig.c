/*
 * oauth_ig: Instagram Login (no Page needed): the dialog's URL, and
 * the callback's work once the state is good: the code (Instagram's
 * trailing "#_" stripped) exchanged with the Instagram app's id and
 * secret, the short-lived token for a 60-day one, /me's user_id (the
 * id webhooks carry) as the channel, the account subscribed and the
 * subscription read back, the Login kept (meta_login, platform
 * "instagram") and the channel connected (token kind
 * "instagram_login"), both tokens sealed.  See oauth.h.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_channel.h"
#include "db_oauth.h"
#include "graph.h"
#include "graph_oauth.h"
#include "log.h"
#include "oauth.h"
#include "oauth_int.h"

int
oauth_ig_location(struct buf *loc, const char *state, const char *ru)
{
	if (strcmp(conf_get(oauth_conf, "sandbox"), "yes") == 0) {
		const char	*fb = conf_get(oauth_conf, "graph_base_url");
		size_t		 n = strlen(fb);

		while (n > 0 && fb[n - 1] == '/')
			n--;
		buf_printf(loc, "%.*s/_instagram", (int)n, fb);
	} else
		buf_puts(loc, "https://www.instagram.com");
	buf_puts(loc, "/oauth/authorize?client_id=");
	buf_url_encode(loc, conf_get(oauth_conf, "instagram_app_id"));
	buf_puts(loc, "&redirect_uri=");
	buf_url_encode(loc, ru);
	buf_puts(loc, "&response_type=code&scope=");
	buf_url_encode(loc, OAUTH_IG_SCOPES);
	buf_puts(loc, "&state=");
	buf_url_encode(loc, state);
	return loc->err ? -1 : 0;
}

/* A failed call as a page: Meta's words when it gave some. */
static void
ig_failed(struct req *r, const char *what, const struct graph_result *res)
{
	char msg[768];

	snprintf(msg, sizeof(msg), "%s%s%s", what, res->user_msg[0] != '\0' ?
	    " Meta says: " : " Start again from the channels page.",
	    res->user_msg);
	oauth_page(r, 502, "Instagram Login failed", msg);
}

/* The result page's one line. */
static void
ig_result(struct req *r, const char *username, const char *id,
    const char *note)
{
	oauth_page_begin(r, 200, "Connecting accounts");
	http_puts(r, "<ul class=\"result\">\n<li>Instagram account @");
	oauth_html(r, username);
	http_puts(r, " (<code>");
	oauth_html(r, id);
	http_puts(r, "</code>): ");
	oauth_html(r, note);
	http_puts(r, "</li>\n</ul>\n");
}

void
oauth_ig_finish(struct req *r, struct db *d, const struct db_session *s,
    const struct route_who *who, const char *code_in, long long now)
{
	struct graph		*api = NULL, *ig = NULL;
	struct graph_token	 st, lt;
	struct graph_result	 res;
	struct graph_ig_user	 u;
	struct db_meta_login	 ml;
	struct db_channel_conn	 c;
	struct buf		 lsealed, csealed;
	char			 code[HG_OAUTH_CODE_MAX + 1], ru[HG_LINK_MAX];
	char			 err[256], xuser[HG_META_ID_MAX + 1];
	char			 perms[512], declined[512], fields[512];
	char			 aad[128], detail[600], declined_miss[512];
	long long		 cid = 0, cws, rerouted = 0, expires;
	size_t			 n;
	int			 rc;

	memset(&st, 0, sizeof(st));
	memset(&lt, 0, sizeof(lt));
	memset(&res, 0, sizeof(res));
	buf_init(&lsealed, 4096);
	buf_init(&csealed, 4096);
	/* Instagram appends "#_" to the code it hands back. */
	snprintf(code, sizeof(code), "%s", code_in);
	n = strlen(code);
	if (n >= 2 && strcmp(code + n - 2, "#_") == 0)
		code[n - 2] = '\0';
	if ((api = graph_new_instagram(oauth_conf, GRAPH_HOST_IG_API, err,
	    sizeof(err))) == NULL || (ig = graph_new_instagram(oauth_conf,
	    GRAPH_HOST_IG_GRAPH, err, sizeof(err))) == NULL ||
	    oauth_own_url("/oauth/callback", ru, sizeof(ru)) == -1) {
		log_msg(LOG_LEVEL_ERROR, "oauth.graph", err);
		oauth_page(r, 503, "Not configured", "Instagram Login is not "
		    "configured on this server.");
		goto out;
	}
	/* A code is good once: whatever happens, never again. */
	if (graph_ig_code(api, code, ru, &st, xuser, perms, sizeof(perms),
	    &res) == -1) {
		oauth_log_graph("oauth.ig_code_failed", &res);
		oauth_audit(d, who, s->workspace_id, "oauth_exchange_failed",
		    "instagram", res.message, r);
		ig_failed(r, "Instagram did not accept the Login.", &res);
		goto out;
	}
	graph_result_free(&res);
	if (graph_ig_exchange(ig, st.access_token, &lt, &res) == -1) {
		oauth_log_graph("oauth.ig_exchange_failed", &res);
		ig_failed(r, "The long-lived token could not be obtained.", &res);
		goto out;
	}
	graph_result_free(&res);
	/* The webhook id is /me's user_id, not its id. */
	if (graph_ig_me(ig, lt.access_token, &u, &res) == -1) {
		oauth_log_graph("oauth.ig_me_failed", &res);
		ig_failed(r, "The Instagram account could not be read.", &res);
		goto out;
	}
	graph_result_free(&res);
	expires = lt.expires_in > 0 ? now + lt.expires_in : 0;
	oauth_declined(OAUTH_IG_SCOPES, perms, declined, sizeof(declined));
	snprintf(declined_miss, sizeof(declined_miss), "%s", declined);

	/* The Login, kept for the token cron. */
	snprintf(aad, sizeof(aad), "meta_login:instagram:%s",
	    xuser[0] != '\0' ? xuser : u.user_id);
	if (oauth_seal(lt.access_token, strlen(lt.access_token), aad,
	    &lsealed) == -1) {
		oauth_page(r, 503, "Not configured", "The token cannot be "
		    "stored: check token_key.");
		goto out;
	}
	memset(&ml, 0, sizeof(ml));
	ml.workspace_id = s->workspace_id;
	ml.platform = "instagram";
	ml.meta_user_id = xuser[0] != '\0' ? xuser : u.user_id;
	ml.name = u.username;
	ml.token_sealed = &lsealed;
	ml.token_expires_at = expires;
	ml.scopes = perms;
	ml.declined = declined;
	ml.now = now;
	if (db_meta_login_put(d, &ml) == -1) {
		oauth_page(r, 500, "Error", "The Login could not be kept. Try "
		    "again.");
		goto out;
	}
	snprintf(detail, sizeof(detail), "instagram=%s declined=%s",
	    u.user_id, declined[0] != '\0' ? declined : "none");
	oauth_audit(d, who, s->workspace_id, "oauth_login", "meta_login",
	    detail, r);

	/* Another workspace's account is refused before Meta is asked. */
	if ((rc = db_channel_find(d, "instagram", u.user_id, &cid, &cws)) == -1 ||
	    (rc == 1 && cws != s->workspace_id)) {
		ig_result(r, u.username, u.user_id, rc == 1 ? "not connected: "
		    "it is connected to another workspace" : "not connected: "
		    "the database failed");
		goto end;
	}
	if (graph_ig_subscribed_apps(ig, GRAPH_POST, lt.access_token,
	    GRAPH_IG_FIELDS, NULL, 0, &res) == -1 ||
	    (graph_result_free(&res), graph_ig_subscribed_apps(ig, GRAPH_GET,
	    lt.access_token, NULL, fields, sizeof(fields), &res)) == -1) {
		oauth_log_graph("oauth.subscribe_failed", &res);
		snprintf(detail, sizeof(detail), "not connected: the "
		    "subscription failed%s%s", res.user_msg[0] != '\0' ? ": " :
		    "", res.user_msg);
		ig_result(r, u.username, u.user_id, detail);
		goto end;
	}
	graph_result_free(&res);
	snprintf(aad, sizeof(aad), "channel:instagram:%s", u.user_id);
	if (oauth_seal(lt.access_token, strlen(lt.access_token), aad,
	    &csealed) == -1) {
		ig_result(r, u.username, u.user_id, "not connected: the token "
		    "cannot be stored");
		goto end;
	}
	memset(&c, 0, sizeof(c));
	c.workspace_id = s->workspace_id;
	c.kind = "instagram";
	c.meta_id = u.user_id;
	c.name = u.username;
	c.token_sealed = &csealed;
	c.token_kind = "instagram_login";
	c.token_expires_at = expires;
	c.subscribed_fields = fields;
	c.meta_login_id = ml.id;
	c.now = now;
	rc = db_channel_login(d, &c, &cid, &rerouted);
	ig_result(r, u.username, u.user_id, rc == 1 ? "connected" : rc == 0 ?
	    "not connected: it is connected to another workspace" :
	    "not connected: the database failed");
	snprintf(detail, sizeof(detail), "connected=%d refused=%d failed=%d "
	    "rerouted=%lld", rc == 1, rc == 0, rc == -1, rerouted);
	oauth_audit(d, who, s->workspace_id, "channels_connected",
	    "meta_login", detail, r);
end:
	oauth_declined_list(r, declined_miss);
	oauth_page_end(r, OAUTH_CHANNELS_PAGE, "Back to the channels");
out:
	crypto_wipe(code, sizeof(code));
	graph_result_free(&res);
	graph_oauth_token_free(&st);
	graph_oauth_token_free(&lt);
	app_graph_free(d, api);
	app_graph_free(d, ig);
	buf_free(&lsealed);
	buf_free(&csealed);
}
