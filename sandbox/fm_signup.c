/*
 * fm_signup: the fake's WhatsApp Embedded Signup.  GET dialog/oauth
 * with a config_id shows the signup popup: the business picks one of
 * the world's numbers and presses Finish or Cancel.  Its script
 * (dialog/signup.js: no inline script) posts Meta's message to
 * window.opener, {"type":"WA_EMBEDDED_SIGNUP","event":"FINISH",
 * "data":{phone_number_id, waba_id, business_id}} (or "CANCEL"), as a
 * JSON string and to the origin of redirect_uri, then submits the
 * form to dialog/oauth/signup, which redirects to redirect_uri with a
 * code (or error=access_denied) and the unchanged state.  The code
 * lives FM_SIGNUP_CODE_TTL seconds (the control API shortens it:
 * POST /_meta/_control/signup code_ttl=N) and is exchanged at
 * oauth/access_token (fm_graph.c hands it here) for a business
 * system-user token with both WhatsApp scopes whose granular target
 * is the chosen number's account.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "num.h"

#include "fm.h"

#define FM_SIGNUP_CODE_TTL	30		/* Meta's: 30 seconds */
#define FM_BUSINESS_ID		"100000000000950"
#define SIGNUP_SCOPES		"whatsapp_business_management," \
	"whatsapp_business_messaging"
/* What a signup code's scopes column holds: this prefix, then the
 * account. */
#define CODE_PREFIX		"wa:"

/* The code lifetime now (the control API may shorten it). */
static long long code_ttl = FM_SIGNUP_CODE_TTL;

static const char *const signup_js =
"// The fake's Embedded Signup popup: tell the opener as Meta does,\n"
"// then go on to the redirect.\n"
"const form = document.getElementById('signup');\n"
"const target = new URL(form.elements.redirect_uri.value).origin;\n"
"function tell(event, data) {\n"
"\tif (window.opener) window.opener.postMessage(JSON.stringify({\n"
"\t\ttype: 'WA_EMBEDDED_SIGNUP', event, data, version: '3' }), target);\n"
"}\n"
"document.getElementById('finish').addEventListener('click', () => {\n"
"\tconst n = form.querySelector('input[name=\"phone\"]:checked');\n"
"\ttell('FINISH', { phone_number_id: n.value, waba_id: n.dataset.waba,\n"
"\t\tbusiness_id: form.dataset.business });\n"
"\tform.elements.decision.value = 'finish';\n"
"\tform.submit();\n"
"});\n"
"document.getElementById('cancel').addEventListener('click', () => {\n"
"\ttell('CANCEL', { current_step: 'PHONE_NUMBER_SETUP' });\n"
"\tform.elements.decision.value = 'cancel';\n"
"\tform.submit();\n"
"});\n";

/* Check client_id and redirect_uri as the Login dialog does; 0, or -1
 * with a 400 sent. */
static int
check_client(struct req *r, const char *cid, const char *ru)
{
	if (cid != NULL && strcmp(cid, fm_app.app_id) == 0 && ru != NULL &&
	    strcmp(ru, fm_app.redirect_uri) == 0)
		return 0;
	http_text(r, 400, cid == NULL || strcmp(cid, fm_app.app_id) != 0 ?
	    "Invalid App ID" : "URL blocked: the redirect URI is not "
	    "white-listed in the app's client OAuth settings");
	return -1;
}

void
fm_signup_page(struct req *r)
{
	static const char *const phones[] = { FM_PHONE_ID, FM_PHONE2_ID };
	const struct fm_number	*n;
	const char		*cid = fm_param(r, "client_id");
	const char		*ru = fm_param(r, "redirect_uri");
	const char		*rt = fm_param(r, "response_type");
	size_t			 i;

	if (check_client(r, cid, ru) == -1)
		return;
	if (rt == NULL || strcmp(rt, "code") != 0) {
		http_text(r, 400, "Embedded Signup with a redirect needs "
		    "response_type=code");
		return;
	}
	http_add_header(r, "Content-Type", "text/html; charset=utf-8");
	http_puts(r, "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>WhatsApp Business signup (sandbox)</title>\n"
	    "<script type=\"module\" src=\"signup.js\"></script></head>"
	    "<body>\n<h1>hubgate sandbox: WhatsApp Business signup</h1>\n"
	    "<p>Logged in as <b>");
	fm_html(r, FM_USER_NAME);
	http_puts(r, "</b>. <b>");
	fm_html(r, FM_APP_NAME);
	http_puts(r, "</b> will manage and send messages for the WhatsApp "
	    "number you choose (configuration <code>");
	fm_html(r, fm_param(r, "config_id"));
	http_puts(r, "</code>).</p>\n<form id=\"signup\" method=\"post\" "
	    "action=\"oauth/signup\" data-business=\"" FM_BUSINESS_ID "\">\n"
	    "<fieldset><legend>Choose a WhatsApp number</legend>\n");
	for (i = 0; i < sizeof(phones) / sizeof(phones[0]); i++) {
		if ((n = fm_number_find(phones[i])) == NULL)
			continue;
		http_puts(r, "<label><input type=\"radio\" name=\"phone\" "
		    "value=\"");
		fm_html(r, n->id);
		http_puts(r, "\" data-waba=\"");
		fm_html(r, n->waba);
		http_puts(r, i == 0 ? "\" checked> " : "\"> ");
		fm_html(r, n->verified_name);
		http_puts(r, " (+");
		fm_html(r, n->display);
		http_puts(r, ")</label><br>\n");
	}
	http_puts(r, "</fieldset>\n");
	fm_hidden(r, "client_id", cid != NULL ? cid : "");
	fm_hidden(r, "redirect_uri", ru != NULL ? ru : "");
	fm_hidden(r, "state", fm_param(r, "state") != NULL ?
	    fm_param(r, "state") : "");
	fm_hidden(r, "decision", "");
	http_puts(r, "<button type=\"button\" id=\"finish\">Finish</button>\n"
	    "<button type=\"button\" id=\"cancel\">Cancel</button>\n</form>\n"
	    "</body></html>\n");
}

void
fm_signup_js(struct req *r)
{
	http_add_header(r, "Content-Type", "text/javascript; charset=utf-8");
	http_puts(r, signup_js);
}

void
fm_signup_confirm(struct req *r)
{
	const char		*cid = fm_param(r, "client_id");
	const char		*ru = fm_param(r, "redirect_uri");
	const char		*decision = fm_param(r, "decision");
	const char		*phone = fm_param(r, "phone");
	const struct fm_number	*n;
	char			 scopes[64];

	if (check_client(r, cid, ru) == -1)
		return;
	if (decision == NULL || strcmp(decision, "finish") != 0) {
		fm_consent_redirect(r, ru, fm_param(r, "state"), NULL, NULL,
		    FM_DENIED, "#_=_");
		return;
	}
	if (phone == NULL || (n = fm_number_find(phone)) == NULL) {
		http_text(r, 400, "choose a number");
		return;
	}
	snprintf(scopes, sizeof(scopes), CODE_PREFIX "%s", n->waba);
	fm_consent_redirect(r, ru, fm_param(r, "state"), "AQ", scopes, NULL,
	    "#_=_");
}

int
fm_signup_code(const char *scopes)
{
	return strncmp(scopes, CODE_PREFIX, strlen(CODE_PREFIX)) == 0;
}

void
fm_signup_exchange(struct req *r, const char *scopes, long long created,
    const char *ru, const char *want_ru)
{
	struct fm_token	 t;
	long long	 now = (long long)time(NULL);
	char		 tok[128], rnd[64];
	cJSON		*o;

	if (now - created > __atomic_load_n(&code_ttl, __ATOMIC_RELAXED)) {
		fm_error(r, 400, 100, 36007, NULL, "This authorization code has "
		    "expired.");
		return;
	}
	if (ru == NULL || strcmp(ru, want_ru) != 0) {
		fm_error(r, 400, 100, 36008, NULL, "Error validating verification "
		    "code. Please make sure your redirect_uri is identical to "
		    "the one you used in the OAuth dialog request");
		return;
	}
	memset(&t, 0, sizeof(t));
	fm_random(rnd, 60);
	snprintf(tok, sizeof(tok), "EAAS%.60s", rnd);
	snprintf(t.kind, sizeof(t.kind), "system_user");
	snprintf(t.user_id, sizeof(t.user_id), "%s", FM_SYSTEM_USER_ID);
	snprintf(t.page_id, sizeof(t.page_id), "%s",
	    scopes + strlen(CODE_PREFIX));
	snprintf(t.scopes, sizeof(t.scopes), "%s", SIGNUP_SCOPES);
	t.issued_at = now;
	if (fm_token_add(tok, &t) == -1) {
		fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
		return;
	}
	/* A business integration system user's token never expires. */
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "access_token", tok);
	cJSON_AddStringToObject(o, "token_type", "bearer");
	fm_json(r, o);
}

void
fm_signup_control(struct req *r)
{
	const char	*v = fm_param(r, "code_ttl");
	long long	 ttl;
	cJSON		*o;

	if (v == NULL || num_parse_str(v, 1, FM_SIGNUP_CODE_TTL, &ttl) == -1) {
		http_json_error(r, 400, "code_ttl: seconds, 1 to 30");
		return;
	}
	__atomic_store_n(&code_ttl, ttl, __ATOMIC_RELAXED);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "code_ttl", (double)ttl);
	http_json(r, 200, o);
}
