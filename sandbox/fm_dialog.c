/*
 * fm_dialog: the fake Facebook Login dialog.  GET dialog/oauth shows a
 * consent page for the fake user and their Pages; the form posts to
 * dialog/oauth/confirm, which redirects to redirect_uri with a
 * single-use code and the unchanged state (Continue) or with
 * error=access_denied (Cancel).  Each permission asked for can be
 * declined (a checkbox decline_<scope>): the code then grants the
 * others only.  redirect_uri must match the
 * registered one (<base_url>/oauth/callback) exactly, as in Meta's
 * strict mode.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"

#include "fm.h"

/* Check client_id and redirect_uri; 0, or -1 with an error page. */
static int
check_client(struct req *r, const char *cid, const char *ru)
{
	const char *why = NULL;

	if (cid == NULL || strcmp(cid, fm_app.app_id) != 0)
		why = "Invalid App ID: The provided app ID does not look like "
		    "a valid app ID.";
	else if (ru == NULL || strcmp(ru, fm_app.redirect_uri) != 0)
		why = "URL blocked: This redirect failed because the redirect "
		    "URI is not white-listed in the app's client OAuth "
		    "settings. Make sure that the client and web OAuth logins "
		    "are on and add all your app domains as valid OAuth "
		    "redirect URIs.";
	if (why == NULL)
		return 0;
	fm_error_page(r, why);
	return -1;
}

/* A checkbox per permission asked for, to decline it. */
static void
scope_boxes(struct req *r, const char *scope)
{
	const char	*p, *e;
	char		 one[128];
	size_t		 n;

	for (p = scope; p != NULL && *p != '\0'; p = e != NULL ? e + 1 : NULL) {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n >= sizeof(one))
			continue;
		memcpy(one, p, n);
		one[n] = '\0';
		http_puts(r, "<label><input type=\"checkbox\" name=\"decline_");
		fm_html(r, one);
		http_puts(r, "\" value=\"1\"> Don't allow ");
		fm_html(r, one);
		http_puts(r, "</label><br>\n");
	}
}

/* The scopes of asked that the form did not decline, into out. */
static void
granted(struct req *r, const char *asked, char *out, size_t outsz)
{
	const char	*p, *e;
	char		 one[128], name[140];
	size_t		 n, o = 0;

	out[0] = '\0';
	for (p = asked; p != NULL && *p != '\0'; p = e != NULL ? e + 1 : NULL) {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n >= sizeof(one))
			continue;
		memcpy(one, p, n);
		one[n] = '\0';
		snprintf(name, sizeof(name), "decline_%s", one);
		if (fm_param(r, name) != NULL || o + n + 2 > outsz)
			continue;
		o += (size_t)snprintf(out + o, outsz - o, "%s%s",
		    o > 0 ? "," : "", one);
	}
}

void
fm_dialog(struct req *r)
{
	const char	*cid = fm_param(r, "client_id");
	const char	*ru = fm_param(r, "redirect_uri");
	const char	*rt = fm_param(r, "response_type");
	const char	*scope = fm_param(r, "scope");
	struct fm_page	 pg;
	int		 i;

	/* With a configuration: WhatsApp Embedded Signup (fm_signup.c). */
	if (fm_param(r, "config_id") != NULL) {
		fm_signup_page(r);
		return;
	}
	if (check_client(r, cid, ru) == -1)
		return;
	if (rt != NULL && strcmp(rt, "code") != 0) {
		http_text(r, 400, "response_type must be code");
		return;
	}
	http_add_header(r, "Content-Type", "text/html; charset=utf-8");
	http_puts(r, "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>Log in with Facebook (sandbox)</title>\n"
	    "</head><body>\n"
	    "<h1>hubgate sandbox: Facebook Login</h1>\n<p>Logged in as <b>");
	fm_html(r, FM_USER_NAME);
	http_puts(r, "</b>. <b>");
	fm_html(r, FM_APP_NAME);
	http_puts(r, "</b> asks for: <code>");
	fm_html(r, scope != NULL ? scope : "public_profile");
	http_puts(r, "</code></p>\n<p>It will have access to these Pages:</p>"
	    "<ul>\n");
	for (i = 0; i < FM_PAGES; i++) {
		fm_page(i, &pg);
		http_puts(r, "<li>");
		fm_html(r, pg.name);
		http_puts(r, " <small>(");
		fm_html(r, pg.id);
		if (pg.ig_id[0] != '\0') {
			http_puts(r, ", Instagram @");
			fm_html(r, pg.ig_username);
		}
		http_puts(r, ")</small></li>\n");
	}
	http_puts(r, "</ul>\n<form method=\"post\" action=\"oauth/confirm\">\n");
	scope_boxes(r, scope);
	fm_hidden(r, "client_id", cid);
	fm_hidden(r, "redirect_uri", ru);
	fm_hidden(r, "state", fm_param(r, "state"));
	fm_hidden(r, "scope", scope);
	http_puts(r, "<button name=\"decision\" value=\"continue\">Continue as ");
	fm_html(r, FM_USER_NAME);
	http_puts(r, "</button>\n<button name=\"decision\" value=\"cancel\">"
	    "Cancel</button>\n</form>\n</body></html>\n");
}

/*
 * Send the browser back to ru: with a new code (prefix and 60 random
 * characters, stored with scopes for the exchange) when scopes is not
 * NULL, else with the query denied; then state, then fragment (Meta's
 * redirects end with "#_=_", Instagram's with "#_").
 */
void
fm_consent_redirect(struct req *r, const char *ru, const char *state,
    const char *prefix, const char *scopes, const char *denied,
    const char *fragment)
{
	struct buf	 loc;
	char		 code[80], rnd[64];

	buf_init(&loc, 8192);
	buf_puts(&loc, ru);
	buf_putc(&loc, strchr(ru, '?') != NULL ? '&' : '?');
	if (scopes != NULL) {
		fm_random(rnd, 60);
		snprintf(code, sizeof(code), "%s%s", prefix, rnd);
		if (fm_code_add(code, ru, scopes, (long long)time(NULL)) == -1) {
			buf_free(&loc);
			http_text(r, 500, "cannot store the code");
			return;
		}
		buf_puts(&loc, "code=");
		buf_url_encode(&loc, code);
	} else
		buf_puts(&loc, denied);
	if (state != NULL) {
		buf_puts(&loc, "&state=");
		buf_url_encode(&loc, state);
	}
	buf_puts(&loc, fragment);
	if (loc.err) {
		buf_free(&loc);
		http_text(r, 400, "redirect too long");
		return;
	}
	http_text(r, 302, "");
	http_add_header(r, "Location", loc.data);
	buf_free(&loc);
}

void
fm_dialog_confirm(struct req *r)
{
	const char	*cid = fm_param(r, "client_id");
	const char	*ru = fm_param(r, "redirect_uri");
	const char	*decision = fm_param(r, "decision");
	const char	*scope = fm_param(r, "scope");
	char		 grant[512];

	if (check_client(r, cid, ru) == -1)
		return;
	if (decision == NULL || strcmp(decision, "continue") != 0) {
		fm_consent_redirect(r, ru, fm_param(r, "state"), NULL, NULL,
		    FM_DENIED, "#_=_");
		return;
	}
	granted(r, scope != NULL ? scope : "", grant, sizeof(grant));
	/* Declining everything still grants the public profile. */
	fm_consent_redirect(r, ru, fm_param(r, "state"), "AQ",
	    grant[0] != '\0' ? grant : "public_profile", NULL, "#_=_");
}
