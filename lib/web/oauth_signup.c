/*
 * oauth_signup: WhatsApp Embedded Signup in the popup the Channels
 * page opens (htdocs/js/signup.js).  /oauth/login?platform=whatsapp
 * sends the admin to Meta's dialog with the signup's configuration id;
 * Meta's popup tells the opener the business's ids (a message event)
 * and lands on /oauth/callback with a code that lives 30 seconds.  The
 * code is exchanged at once (never again) for the business's token,
 * which waits sealed as a one-time pick of this session
 * (HG_WA_SIGNUP_PICK_TTL_S); the popup's page hands the pick's id to
 * its opener (htdocs/js/signup-done.js) and closes.  The opener then
 * posts the pick, the ids and the PIN to /api/channels/whatsapp/signup
 * (api_wa_signup.c).  The token never reaches the browser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_oauth.h"
#include "graph.h"
#include "graph_oauth.h"
#include "log.h"
#include "oauth.h"
#include "oauth_int.h"
#include "oauth_state.h"
#include "session.h"

/* What the dialog is told besides the configuration: Meta's current
 * signup session info (the message event's shape). */
#define SIGNUP_EXTRAS	"{\"sessionInfoVersion\":\"3\",\"version\":\"v3\"}"
/* The configuration id the fake plays when none is set (sandbox). */
#define SANDBOX_CONFIG	"sandbox"

/* The popup's last page: result "ok" (with pick), "cancel" or "error",
 * handed to the opener by signup-done.js, which closes the popup;
 * without an opener the text stays. */
static void
done_page(struct req *r, int status, const char *title, const char *text,
    const char *result, const char *pick)
{
	oauth_page_begin(r, status, title);
	http_puts(r, "<p id=\"signup-done\" data-result=\"");
	oauth_html(r, result);
	http_puts(r, "\"");
	if (pick != NULL) {
		http_puts(r, " data-pick=\"");
		oauth_html(r, pick);
		http_puts(r, "\"");
	}
	http_puts(r, " data-message=\"");
	oauth_html(r, text);
	http_puts(r, "\">");
	oauth_html(r, text);
	http_puts(r, "</p>\n<p id=\"signup-fallback\">If this window does not "
	    "close by itself, close it and go back to the window you started "
	    "from.</p>\n<script type=\"module\" src=\"/js/signup-done.js\">"
	    "</script>\n");
	oauth_page_end(r, pick == NULL ? OAUTH_CHANNELS_PAGE : NULL,
	    "Back to the channels");
}

void
oauth_wa_login(struct req *r, struct db *d, const struct db_session *s,
    const struct route_who *who)
{
	const char	*cfg = conf_get(oauth_conf, "whatsapp_config_id");
	struct buf	 loc;
	char		 state[HG_OAUTH_STATE_MAX + 1], url[HG_LINK_MAX];
	char		 ru[HG_LINK_MAX];

	if (cfg[0] == '\0' && strcmp(conf_get(oauth_conf, "sandbox"),
	    "yes") == 0)
		cfg = SANDBOX_CONFIG;
	if (*conf_get(oauth_conf, "state_secret") == '\0' ||
	    *conf_get(oauth_conf, "token_key") == '\0' ||
	    *conf_get(oauth_conf, "app_id") == '\0' || cfg[0] == '\0') {
		oauth_page(r, 503, "Not configured", "WhatsApp Embedded Signup "
		    "needs app_id, app_secret, whatsapp_config_id, state_secret "
		    "and token_key in the configuration.");
		return;
	}
	if (oauth_state_make(conf_get(oauth_conf, "state_secret"), s->id,
	    "whatsapp", (long long)time(NULL), state, sizeof(state)) == -1 ||
	    oauth_dialog_url(url, sizeof(url)) == -1 ||
	    oauth_own_url("/oauth/callback", ru, sizeof(ru)) == -1) {
		oauth_page(r, 500, "Error", "The signup could not be started.");
		return;
	}
	buf_init(&loc, 8192);
	buf_puts(&loc, url);
	buf_puts(&loc, "?client_id=");
	buf_url_encode(&loc, conf_get(oauth_conf, "app_id"));
	buf_puts(&loc, "&config_id=");
	buf_url_encode(&loc, cfg);
	buf_puts(&loc, "&response_type=code&override_default_response_type="
	    "true&redirect_uri=");
	buf_url_encode(&loc, ru);
	buf_puts(&loc, "&state=");
	buf_url_encode(&loc, state);
	buf_puts(&loc, "&extras=");
	buf_url_encode(&loc, SIGNUP_EXTRAS);
	if (loc.err) {
		buf_free(&loc);
		oauth_page(r, 500, "Error", "The signup could not be started.");
		return;
	}
	http_text(r, 302, "");
	http_add_header(r, "Location", buf_cstr(&loc));
	buf_free(&loc);
	oauth_audit(d, who, s->workspace_id, "oauth_started", "whatsapp",
	    "embedded signup", r);
}

void
oauth_wa_cancelled(struct req *r, const char *error)
{
	done_page(r, 200, "Nothing was connected", strcmp(error,
	    "access_denied") == 0 ? "You left the WhatsApp signup before it "
	    "finished: nothing was connected or stored. You can start it again "
	    "at any time." : "Meta did not complete the WhatsApp signup: "
	    "nothing was connected or stored.", "cancel", NULL);
}

/* 1 when the comma list has item. */
static int
has_scope(const char *list, const char *item)
{
	size_t		 n = strlen(item);
	const char	*p;

	for (p = list; p != NULL && *p != '\0'; p = strchr(p, ',') != NULL ?
	    strchr(p, ',') + 1 : NULL)
		if (strncmp(p, item, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* A failed step as the popup's last page, Meta's words when it gave
 * some. */
static void
failed(struct req *r, const char *what, const struct graph_result *res)
{
	char msg[768];

	snprintf(msg, sizeof(msg), "%s%s%s", what, res != NULL &&
	    res->user_msg[0] != '\0' ? " Meta says: " : " Start the signup "
	    "again from the channels page.", res != NULL ? res->user_msg : "");
	done_page(r, 502, "WhatsApp signup failed", msg, "error", NULL);
}

void
oauth_wa_finish(struct req *r, struct db *d, const struct db_session *s,
    const struct route_who *who, const char *code, long long now)
{
	struct graph_token	 tok;
	struct graph_token_info	 info;
	struct graph_result	 res;
	struct db_meta_login	 ml;
	struct graph		*g = NULL;
	struct buf		 sealed, lsealed;
	cJSON			*j = NULL, *t;
	char			*txt = NULL;
	char			 ru[HG_LINK_MAX], err[256], aad[128];
	char			 pick[CRYPTO_TOKEN_CHARS + 1];
	char			 pick_hash[2 * CRYPTO_SHA256_LEN + 1];

	memset(&tok, 0, sizeof(tok));
	memset(&res, 0, sizeof(res));
	pick[0] = '\0';
	buf_init(&sealed, 8192);
	buf_init(&lsealed, 4096);
	if ((g = graph_new(oauth_conf, err, sizeof(err))) == NULL ||
	    oauth_own_url("/oauth/callback", ru, sizeof(ru)) == -1) {
		log_msg(LOG_LEVEL_ERROR, "oauth.graph", g == NULL ? err : "ru");
		done_page(r, 503, "Not configured", "WhatsApp signup is not "
		    "configured on this server.", "error", NULL);
		goto out;
	}
	/* The code lives 30 seconds and is good once: now, and never
	 * again whatever happens. */
	if (graph_oauth_code(g, code, ru, &tok, &res) == -1) {
		oauth_log_graph("oauth.wa_code_failed", &res);
		oauth_audit(d, who, s->workspace_id, "oauth_exchange_failed",
		    "whatsapp", res.message, r);
		failed(r, "Meta did not accept the signup.", &res);
		goto out;
	}
	graph_result_free(&res);
	if (graph_oauth_debug_token(g, tok.access_token, &info, &res) == -1 ||
	    !info.is_valid || info.user_id[0] == '\0') {
		oauth_log_graph("oauth.wa_debug_token_failed", &res);
		failed(r, "The token Meta gave could not be checked.", &res);
		goto out;
	}
	graph_result_free(&res);
	if (!has_scope(info.scopes, "whatsapp_business_management") ||
	    !has_scope(info.scopes, "whatsapp_business_messaging")) {
		failed(r, "The signup did not grant the WhatsApp permissions "
		    "(whatsapp_business_management, "
		    "whatsapp_business_messaging).", NULL);
		goto out;
	}
	/* The business's grant, kept like a Login (deauthorize revokes
	 * what depends on it). */
	snprintf(aad, sizeof(aad), "meta_login:facebook:%s", info.user_id);
	if (oauth_seal(tok.access_token, strlen(tok.access_token), aad,
	    &lsealed) == -1) {
		done_page(r, 503, "Not configured", "The token cannot be "
		    "stored: check token_key.", "error", NULL);
		goto out;
	}
	memset(&ml, 0, sizeof(ml));
	ml.workspace_id = s->workspace_id;
	ml.platform = "facebook";
	ml.meta_user_id = info.user_id;
	ml.name = "WhatsApp Embedded Signup";
	ml.token_sealed = &lsealed;
	ml.token_expires_at = info.expires_at;
	ml.data_access_expires_at = info.data_access_expires_at;
	ml.scopes = info.scopes;
	ml.declined = "";
	ml.now = now;
	if ((j = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(j, "kind", "whatsapp_signup") == NULL ||
	    cJSON_AddStringToObject(j, "token", tok.access_token) == NULL ||
	    crypto_token(pick, sizeof(pick)) == -1)
		goto fail;
	crypto_sha256_hex(pick, pick_hash);
	snprintf(aad, sizeof(aad), "oauth_pick:%s", pick_hash);
	if ((txt = cJSON_PrintUnformatted(j)) == NULL ||
	    oauth_seal(txt, strlen(txt), aad, &sealed) == -1 ||
	    db_begin(d) == -1)
		goto fail;
	if (db_meta_login_put(d, &ml) == -1 ||
	    db_oauth_pick_add(d, pick_hash, s->id, s->user_id,
	    s->workspace_id, ml.id, &sealed, now + HG_WA_SIGNUP_PICK_TTL_S,
	    now) == -1 || db_commit(d) == -1) {
		db_rollback(d);
		goto fail;
	}
	oauth_audit(d, who, s->workspace_id, "oauth_login", "meta_login",
	    "whatsapp embedded signup", r);
	done_page(r, 200, "WhatsApp signup", "Meta finished the signup: "
	    "hubgate is connecting the number.", "ok", pick);
	goto out;
fail:
	done_page(r, 500, "Error", "The signup could not be kept. Start it "
	    "again from the channels page.", "error", NULL);
out:
	if (txt != NULL) {
		crypto_wipe(txt, strlen(txt));
		free(txt);
	}
	t = cJSON_GetObjectItemCaseSensitive(j, "token");
	if (cJSON_IsString(t))
		crypto_wipe(t->valuestring, strlen(t->valuestring));
	cJSON_Delete(j);
	graph_result_free(&res);
	graph_oauth_token_free(&tok);
	app_graph_free(d, g);
	buf_free(&sealed);
	buf_free(&lsealed);
	crypto_wipe(pick, sizeof(pick));
}
