/*
 * oauth_connect: the picker's form: the chosen Pages and Instagram
 * accounts subscribed at Meta and made channels.  See oauth.h.
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
#include "db_channel.h"
#include "db_oauth.h"
#include "graph.h"
#include "graph_oauth.h"
#include "json.h"
#include "log.h"
#include "oauth.h"
#include "oauth_int.h"
#include "session.h"

/* 1 when the form's params hold name=value. */
static int
chosen(const struct params *f, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0 &&
		    strcmp(f->v[i].value, value) == 0)
			return 1;
	return 0;
}

/* The comma list of fields in a subscribed_apps GET answer for our
 * app, into out. */
static void
read_fields(const cJSON *json, const char *app_id, char *out, size_t outsz)
{
	const cJSON	*a, *f;
	size_t		 o = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(json, "data")) {
		const char *id = json_str(a, "id");

		if (id == NULL || strcmp(id, app_id) != 0)
			continue;
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(a,
		    "subscribed_fields")) {
			if (!cJSON_IsString(f) || o + strlen(f->valuestring) +
			    2 > outsz)
				continue;
			o += (size_t)snprintf(out + o, outsz - o, "%s%s",
			    o > 0 ? "," : "", f->valuestring);
		}
	}
}

/* One line of the result page. */
static void
result_line(struct req *r, const char *what, const char *name,
    const char *id, const char *note)
{
	http_puts(r, "<li>");
	oauth_html(r, what);
	http_puts(r, " ");
	oauth_html(r, name);
	http_puts(r, " (<code>");
	oauth_html(r, id);
	http_puts(r, "</code>): ");
	oauth_html(r, note);
	http_puts(r, "</li>\n");
}

/* Subscribe Page id with token and read the subscription back into
 * fields; 0, or -1 with Meta's words in why. */
static int
subscribe(struct graph *g, const char *id, const char *token, char *fields,
    size_t fsz, char *why, size_t whysz)
{
	struct graph_result res;

	memset(&res, 0, sizeof(res));
	if (graph_oauth_subscribed_apps(g, GRAPH_POST, id, token,
	    GRAPH_PAGE_FIELDS, &res) == -1 ||
	    (graph_result_free(&res), graph_oauth_subscribed_apps(g, GRAPH_GET,
	    id, token, NULL, &res)) == -1) {
		oauth_log_graph("oauth.subscribe_failed", &res);
		snprintf(why, whysz, "the subscription failed%s%s",
		    res.user_msg[0] != '\0' ? ": " : "", res.user_msg);
		graph_result_free(&res);
		return -1;
	}
	read_fields(res.json, graph_app_id(g), fields, fsz);
	graph_result_free(&res);
	return 0;
}

/* Connect one channel; the line for the result page is written. */
static int
connect_one(struct req *r, struct db *d, long long ws, long long login,
    const char *kind, const char *id, const char *parent, const char *name,
    const char *token, const char *fields, long long now)
{
	struct db_channel_conn	 c;
	struct buf		 sealed;
	char			 aad[128];
	long long		 cid = 0, rerouted = 0;
	int			 rc;

	buf_init(&sealed, 4096);
	snprintf(aad, sizeof(aad), "channel:%s:%s", kind, id);
	if (oauth_seal(token, strlen(token), aad, &sealed) == -1) {
		buf_free(&sealed);
		result_line(r, kind, name, id, "not connected: the token cannot "
		    "be stored");
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.workspace_id = ws;
	c.kind = kind;
	c.meta_id = id;
	c.parent_meta_id = parent;
	c.name = name;
	c.token_sealed = &sealed;
	c.token_kind = "page";
	c.subscribed_fields = fields;
	c.meta_login_id = login;
	c.now = now;
	rc = db_channel_login(d, &c, &cid, &rerouted);
	buf_free(&sealed);
	result_line(r, strcmp(kind, "page") == 0 ? "Page" : "Instagram account",
	    name, id, rc == 1 ? "connected" : rc == 0 ? "not connected: it is "
	    "connected to another workspace" : "not connected: the database "
	    "failed");
	return rc;
}

/* 1 when the channel (kind, id) is another workspace's than ws: its
 * result line is written; 0 when free or ws's; -1 when the database
 * failed (line written too). */
static int
taken(struct req *r, struct db *d, long long ws, const char *kind,
    const char *id, const char *name)
{
	long long	 cid, cws;
	int		 rc;

	if ((rc = db_channel_find(d, kind, id, &cid, &cws)) == 0 ||
	    (rc == 1 && cws == ws))
		return 0;
	result_line(r, strcmp(kind, "page") == 0 ? "Page" : "Instagram account",
	    name, id, rc == 1 ? "not connected: it is connected to another "
	    "workspace" : "not connected: the database failed");
	return rc == 1 ? 1 : -1;
}

void
oauth_connect(struct req *r, const struct route_ctx *cx)
{
	struct db_session	 s;
	struct route_who	 who;
	struct params		 f;
	struct graph		*g = NULL;
	struct db		*d;
	struct buf		 sealed, plain;
	const cJSON		*p;
	const char		*pick, *csrf, *id, *ig, *name, *tok, *declined;
	enum role		 role;
	cJSON			*j = NULL;
	char			 hash[2 * CRYPTO_SHA256_LEN + 1], aad[128];
	char			 fields[512], why[600], err[256], igname[160];
	long long		 ws, login, now = (long long)time(NULL);
	int			 rc, status, n_ok = 0, n_refused = 0, n_failed = 0;
	int			 page_on, ig_on;

	(void)cx;
	memset(&f, 0, sizeof(f));
	buf_init(&sealed, HG_OAUTH_PICK_MAX + 1024);
	buf_init(&plain, HG_OAUTH_PICK_MAX + 1024);
	if ((d = app_db(oauth_conf)) == NULL ||
	    (rc = oauth_signed_in(r, d, &s, &role)) == -1) {
		oauth_page(r, 503, "Unavailable", "Try again in a moment.");
		goto out;
	}
	if (rc == 0) {
		oauth_need_signin(r);
		goto out;
	}
	oauth_who_of(&s, role, &who);
	if ((status = http_read_body(r, HG_FORM_BODY_MAX)) != 0 ||
	    http_parse_form(r, &f) == -1) {
		oauth_page(r, status != 0 ? status : 400, "Bad request",
		    "The form could not be read.");
		goto out;
	}
	pick = params_get(&f, "pick");
	csrf = params_get(&f, "csrf");
	/* A form cannot send X-CSRF-Token: the token comes in a field, and
	 * the request must come from this site. */
	if (csrf == NULL || strlen(csrf) != strlen(s.csrf_token) ||
	    !crypto_equal(csrf, s.csrf_token, strlen(csrf)) ||
	    !session_origin_ok(r, oauth_conf)) {
		oauth_page(r, 403, "Not allowed", "This form did not come from "
		    "this site's Login page.");
		goto out;
	}
	if (role < ROLE_ADMIN) {
		oauth_page(r, 403, "Not allowed", "Connecting accounts needs "
		    "an admin of this workspace.");
		goto out;
	}
	if (pick == NULL || strlen(pick) != CRYPTO_TOKEN_CHARS) {
		oauth_page(r, 400, "Bad request", "The choice is missing.");
		goto out;
	}
	crypto_sha256_hex(pick, hash);
	if ((rc = db_oauth_pick_take(d, hash, s.id, now, &ws, &login,
	    &sealed)) == -1) {
		oauth_page(r, 503, "Unavailable", "Try again in a moment.");
		goto out;
	}
	snprintf(aad, sizeof(aad), "oauth_pick:%s", hash);
	if (rc == 0 || oauth_unseal(&sealed, aad, &plain) == -1 ||
	    buf_putc(&plain, '\0') == -1 ||
	    (j = cJSON_Parse(plain.data)) == NULL) {
		oauth_page(r, 400, "This choice cannot be used", "It was used "
		    "already, has expired, or belongs to another session. "
		    "Start again from the channels page.");
		goto out;
	}
	crypto_wipe(plain.data, plain.len);
	/* The channels go where the Login started: the session must still
	 * be working there (its role was checked there). */
	if (ws != s.workspace_id) {
		oauth_page(r, 403, "Not allowed", "You switched to another "
		    "workspace since this Login began. Start again from the "
		    "channels page.");
		goto out;
	}
	if ((g = graph_new(oauth_conf, err, sizeof(err))) == NULL) {
		oauth_page(r, 503, "Not configured", "Facebook Login is not "
		    "configured on this server.");
		goto out;
	}
	oauth_page_begin(r, 200, "Connecting accounts");
	http_puts(r, "<ul class=\"result\">\n");
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(j, "pages")) {
		id = json_str(p, "id");
		ig = json_str(p, "ig");
		name = json_str(p, "name");
		tok = json_str(p, "token");
		if (id == NULL || tok == NULL)
			continue;
		page_on = chosen(&f, "page", id);
		ig_on = ig != NULL && chosen(&f, "instagram", ig);
		/* Another workspace's is refused before Meta is asked. */
		if (page_on && (rc = taken(r, d, ws, "page", id,
		    name != NULL ? name : "")) != 0) {
			page_on = 0;
			n_refused += rc == 1;
			n_failed += rc == -1;
		}
		if (ig_on && (rc = taken(r, d, ws, "instagram", ig,
		    name != NULL ? name : "")) != 0) {
			ig_on = 0;
			n_refused += rc == 1;
			n_failed += rc == -1;
		}
		if (!page_on && !ig_on)
			continue;
		/* Instagram messages come through the Page's subscription. */
		if (subscribe(g, id, tok, fields, sizeof(fields), why,
		    sizeof(why)) == -1) {
			result_line(r, "Page", name != NULL ? name : "", id, why);
			n_failed++;
			continue;
		}
		if (page_on) {
			rc = connect_one(r, d, ws, login, "page", id, NULL,
			    name != NULL ? name : "", tok, fields, now);
			n_ok += rc == 1;
			n_refused += rc == 0;
			n_failed += rc == -1;
		}
		if (ig_on) {
			snprintf(igname, sizeof(igname), "Instagram of %s",
			    name != NULL ? name : id);
			rc = connect_one(r, d, ws, login, "instagram", ig, id,
			    igname, tok, fields, now);
			n_ok += rc == 1;
			n_refused += rc == 0;
			n_failed += rc == -1;
		}
	}
	http_puts(r, "</ul>\n");
	if (n_ok + n_refused + n_failed == 0)
		oauth_para(r, "Nothing was chosen: nothing was connected.");
	declined = json_str(j, "declined");
	oauth_declined_list(r, declined);
	oauth_page_end(r, OAUTH_CHANNELS_PAGE, "Back to the channels");
	snprintf(err, sizeof(err), "connected=%d refused=%d failed=%d", n_ok,
	    n_refused, n_failed);
	oauth_audit(d, &who, ws, "channels_connected", "meta_login", err, r);
out:
	oauth_payload_free(j);
	if (plain.data != NULL)
		crypto_wipe(plain.data, plain.len);
	buf_free(&plain);
	buf_free(&sealed);
	app_graph_free(d, g);
	params_free(&f);
}
