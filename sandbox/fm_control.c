/*
 * fm_control: the fake's control API for tests and the sandbox, under
 * /_meta/_control/ (parameters in the query string or a form body):
 *
 *   GET    world     the fake user, Pages, Instagram and WhatsApp ids
 *   GET    outbox    what was sent to the fake (?since=ID); DELETE clears
 *   POST   token     action=issue (kind=user_short|user_long|page, page=;
 *                    kind=system_user, waba= its only account, scopes=),
 *                    action=revoke (token=, subcode=458), action=expire,
 *                    action=times (token=, issued_ago= seconds,
 *                    expires_in= seconds from now, may be negative;
 *                    0: never); kind=ig_long or ig_short issues an
 *                    Instagram Login token
 *   POST   unsubscribe  object= (a Page, WhatsApp business account, or
 *                    "instagram" for the Instagram Login account): the
 *                    app silently loses that subscription
 *   POST   fault     path= (exact, or a prefix ending in '*'), kind=
 *                    latency|timeout|status|error|expired|invalid|
 *                    echo_token|temporary|throttle|redirect|big|drop
 *                    (drop: the call is served, its answer held back
 *                    latency_ms), and
 *                    status, code, subcode, latency_ms, usage=app|buc|
 *                    near (latency: the answer's X-App-Usage at 95%)|
 *                    page|retry_after|none, eta (minutes; seconds of
 *                    Retry-After), size, times; DELETE clears
 *   POST   deliver   build a webhook (platform=messenger|instagram|
 *                    whatsapp, type=text|postback|delivery|read|status|
 *                    batch|reaction|unsend|reply|location|quick_reply|
 *                    image|audio|video|file|sticker (file=png|pdf|audio|
 *                    video|big|badhash|html: see fm_media.c), text, page,
 *                    sender, count, age_s, status, mid (the message a
 *                    receipt, reaction, unsend or reply refers to), emoji,
 *                    payload, lat, long), sign it with the app secret and POST it to the
 *                    gateway's /webhook (or path=) like Meta, retrying on
 *                    non-200 (attempts=, default 3)
 *   GET/POST limits  WhatsApp rate limits (fm_pace.c): wa_rate= sends
 *                    per second per number, pair_ms= between sends to
 *                    one person; GET shows them and the refusals
 *   POST   deauthorize, data-deletion
 *                    build Meta's signed_request for user_id= (default
 *                    the fake user; algorithm= and secret= override
 *                    what is signed, for tests), POST it as a form to
 *                    the gateway's /oauth/deauthorize or
 *                    /oauth/data-deletion, and answer the gateway's
 *                    status and body (with the signed_request)
 *
 * The webhook sender is the only libcurl user outside lib/graph: it is
 * a test double of Meta, not part of hubgate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "crypto.h"
#include "json.h"
#include "num.h"
#include "signed_request.h"

#include "fm.h"

/* A number parameter in [min, max], or def when absent; -1 (and a 400
 * sent) when malformed. */
static int
num_param(struct req *r, const char *name, long long min, long long max,
    long long def, long long *out)
{
	const char *v = fm_param(r, name);

	*out = def;
	if (v == NULL)
		return 0;
	if (num_parse_str(v, min, max, out) == -1) {
		http_json_error(r, 400, name);
		return -1;
	}
	return 0;
}

static void
ok(struct req *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddTrueToObject(o, "success");
	http_json(r, 200, o);
}

static void
world(struct req *r)
{
	struct fm_page	 pg;
	cJSON		*o = cJSON_CreateObject(), *u, *arr, *p, *wa;
	int		 i;

	cJSON_AddStringToObject(o, "app_id", fm_app.app_id);
	cJSON_AddStringToObject(o, "redirect_uri", fm_app.redirect_uri);
	cJSON_AddStringToObject(o, "webhook", fm_app.base_url);
	u = cJSON_AddObjectToObject(o, "user");
	cJSON_AddStringToObject(u, "id", FM_USER_ID);
	cJSON_AddStringToObject(u, "name", FM_USER_NAME);
	arr = cJSON_AddArrayToObject(o, "pages");
	for (i = 0; i < FM_PAGES; i++) {
		fm_page(i, &pg);
		p = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, p);
		cJSON_AddStringToObject(p, "id", pg.id);
		cJSON_AddStringToObject(p, "name", pg.name);
		if (pg.ig_id[0] != '\0') {
			cJSON_AddStringToObject(p, "instagram_id", pg.ig_id);
			cJSON_AddStringToObject(p, "instagram_username",
			    pg.ig_username);
		}
	}
	wa = cJSON_AddObjectToObject(o, "whatsapp");
	cJSON_AddStringToObject(wa, "waba_id", FM_WABA_ID);
	cJSON_AddStringToObject(wa, "phone_number_id", FM_PHONE_ID);
	cJSON_AddStringToObject(wa, "display_phone_number", FM_PHONE_DISPLAY);
	wa = cJSON_AddObjectToObject(o, "instagram_login");
	cJSON_AddStringToObject(wa, "user_id", FM_IGL_USER_ID);
	cJSON_AddStringToObject(wa, "id", FM_IGL_ID);
	cJSON_AddStringToObject(wa, "username", FM_IGL_USERNAME);
	cJSON_AddStringToObject(o, "psid", FM_PSID);
	cJSON_AddStringToObject(o, "igsid", FM_IGSID);
	cJSON_AddStringToObject(o, "wa_from", FM_WA_FROM);
	http_json(r, 200, o);
}

static void
outbox(struct req *r)
{
	long long	 since;
	cJSON		*o;

	if (r->method == HTTP_DELETE) {
		if (fm_outbox_clear() == -1)
			http_json_error(r, 500, "database");
		else
			ok(r);
		return;
	}
	if (num_param(r, "since", 0, 1LL << 53, 0, &since) == -1)
		return;
	o = cJSON_CreateObject();
	if (fm_outbox_list(since, cJSON_AddArrayToObject(o, "data")) == -1) {
		cJSON_Delete(o);
		http_json_error(r, 500, "database");
		return;
	}
	http_json(r, 200, o);
}

static void
token(struct req *r)
{
	const char	*action = fm_param(r, "action"), *kind = fm_param(r, "kind");
	const char	*tok = fm_param(r, "token"), *page = fm_param(r, "page");
	const char	*scopes = fm_param(r, "scopes");
	const char	*waba = fm_param(r, "waba");
	struct fm_token	 u;
	char		 user[128], out[128];
	long long	 sub, ttl;
	cJSON		*o;
	int		 rc;

	if (action == NULL) {
		http_json_error(r, 400, "action is required");
		return;
	}
	if (strcmp(action, "revoke") == 0 || strcmp(action, "expire") == 0) {
		if (tok == NULL || num_param(r, "subcode", 1, 999999, 458,
		    &sub) == -1) {
			if (tok == NULL)
				http_json_error(r, 400, "token is required");
			return;
		}
		rc = strcmp(action, "revoke") == 0 ? fm_token_revoke(tok,
		    (long)sub) : fm_token_expire(tok);
		if (rc == 1)
			ok(r);
		else
			http_json_error(r, rc == 0 ? 404 : 500, rc == 0 ?
			    "no such token" : "database");
		return;
	}
	if (strcmp(action, "times") == 0) {
		long long ago, in;

		if (tok == NULL) {
			http_json_error(r, 400, "token is required");
			return;
		}
		if (num_param(r, "issued_ago", 0, 400LL * 86400, 0, &ago) == -1 ||
		    num_param(r, "expires_in", -400LL * 86400, 400LL * 86400, 0,
		    &in) == -1)
			return;
		rc = fm_token_times(tok, (long long)time(NULL) - ago, in == 0 ?
		    0 : (long long)time(NULL) + in);
		if (rc == 1)
			ok(r);
		else
			http_json_error(r, rc == 0 ? 404 : 500, rc == 0 ?
			    "no such token" : "database");
		return;
	}
	if (strcmp(action, "issue") != 0) {
		http_json_error(r, 400, "action must be issue, revoke, expire "
		    "or times");
		return;
	}
	if (kind != NULL && strncmp(kind, "ig_", 3) == 0) {
		ttl = strcmp(kind, "ig_short") == 0 ? 3600 : FM_LONG_TTL;
		if ((strcmp(kind, "ig_short") != 0 &&
		    strcmp(kind, "ig_long") != 0) ||
		    fm_ig_issue(kind, ttl, out) == -1) {
			http_json_error(r, 400, "kind must be ig_short or ig_long "
			    "(with instagram_app_id set)");
			return;
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "access_token", out);
		cJSON_AddNumberToObject(o, "expires_in", (double)ttl);
		http_json(r, 200, o);
		return;
	}
	if (kind == NULL)
		kind = "user_long";
	if (scopes == NULL)
		scopes = "pages_show_list,pages_messaging,pages_manage_metadata,"
		    "instagram_basic,instagram_manage_messages,"
		    "whatsapp_business_management,whatsapp_business_messaging";
	ttl = strcmp(kind, "user_short") == 0 ? FM_SHORT_TTL : FM_LONG_TTL;
	if (strcmp(kind, "system_user") == 0) {
		/* A business's system user: never expires; its WhatsApp
		 * scopes limited to waba= when given. */
		if (waba != NULL && !fm_waba_known(waba)) {
			http_json_error(r, 400, "waba must be one of the "
			    "world's WhatsApp business accounts");
			return;
		}
		memset(&u, 0, sizeof(u));
		fm_random(user, 60);
		snprintf(out, sizeof(out), "EAAS%.60s", user);
		snprintf(u.kind, sizeof(u.kind), "system_user");
		snprintf(u.user_id, sizeof(u.user_id), "%s", FM_SYSTEM_USER_ID);
		snprintf(u.page_id, sizeof(u.page_id), "%s",
		    waba != NULL ? waba : "");
		snprintf(u.scopes, sizeof(u.scopes), "%s", scopes);
		u.issued_at = (long long)time(NULL);
		if (fm_token_add(out, &u) == -1) {
			http_json_error(r, 500, "database");
			return;
		}
		ttl = 0;
	} else if (strcmp(kind, "page") == 0) {
		if (page == NULL || fm_page_find(page) < 0) {
			http_json_error(r, 400, "page must be one of the world's Pages");
			return;
		}
		if (fm_token_issue("user_long", scopes, FM_LONG_TTL, user) == -1 ||
		    fm_token_get(user, &u) != 1 ||
		    fm_page_token(user, &u, page, out) == -1) {
			http_json_error(r, 500, "database");
			return;
		}
		ttl = 0;
	} else if ((strcmp(kind, "user_short") != 0 &&
	    strcmp(kind, "user_long") != 0)) {
		http_json_error(r, 400, "kind must be user_short, user_long, "
		    "page or system_user");
		return;
	} else if (fm_token_issue(kind, scopes, ttl, out) == -1) {
		http_json_error(r, 500, "database");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "access_token", out);
	cJSON_AddNumberToObject(o, "expires_in", (double)ttl);
	http_json(r, 200, o);
}

/* POST unsubscribe: object= loses the app's subscription. */
static void
unsubscribe(struct req *r)
{
	const char *obj = fm_param(r, "object");

	if (obj == NULL) {
		http_json_error(r, 400, "object is required");
		return;
	}
	if (fm_sub_del(strcmp(obj, "instagram") == 0 ? FM_IGL_USER_ID :
	    obj) == -1)
		http_json_error(r, 500, "database");
	else
		ok(r);
}

static void
fault(struct req *r)
{
	static const char *const kinds[] = { "latency", "timeout", "status",
	    "error", "expired", "invalid", "echo_token", "temporary",
	    "throttle", "redirect", "big", "drop", NULL };
	struct fm_fault	 f;
	const char	*path = fm_param(r, "path"), *kind = fm_param(r, "kind");
	const char	*usage = fm_param(r, "usage");
	long long	 v[7];
	size_t		 i;

	if (r->method == HTTP_DELETE) {
		if (fm_fault_clear() == -1)
			http_json_error(r, 500, "database");
		else
			ok(r);
		return;
	}
	for (i = 0; kind != NULL && kinds[i] != NULL; i++)
		if (strcmp(kind, kinds[i]) == 0)
			break;
	if (path == NULL || kind == NULL || kinds[i] == NULL ||
	    strlen(path) >= sizeof(f.path)) {
		http_json_error(r, 400, "path and a known kind are required");
		return;
	}
	if (num_param(r, "status", 0, 599, 0, &v[0]) == -1 ||
	    num_param(r, "code", 0, 9999999, 0, &v[1]) == -1 ||
	    num_param(r, "subcode", 0, 99999999, 0, &v[2]) == -1 ||
	    num_param(r, "latency_ms", 0, 60000, strcmp(kind, "timeout") == 0 ?
	    10000 : 0, &v[3]) == -1 ||
	    num_param(r, "eta", 0, 100000, 0, &v[4]) == -1 ||
	    num_param(r, "size", 0, 4 * 1024 * 1024, 0, &v[5]) == -1 ||
	    num_param(r, "times", -1, 1000000, -1, &v[6]) == -1)
		return;
	memset(&f, 0, sizeof(f));
	snprintf(f.path, sizeof(f.path), "%s", path);
	snprintf(f.kind, sizeof(f.kind), "%s", kind);
	snprintf(f.usage, sizeof(f.usage), "%s", usage != NULL ? usage : "none");
	f.status = (int)v[0];
	f.code = (long)v[1];
	f.subcode = (long)v[2];
	f.latency_ms = (long)v[3];
	f.eta = (long)v[4];
	f.size = (long)v[5];
	f.times = (long)v[6];
	if (fm_fault_set(&f) == -1)
		http_json_error(r, 500, "database");
	else
		ok(r);
}

/* ---- webhooks ----------------------------------------------------- */

/* Append JSON text with every non-ASCII character as \uXXXX, as Meta
 * escapes its payloads before signing them. */
static void
ascii_json(struct buf *b, const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned long		 cp;
	size_t			 m, k;

	while (*u != '\0') {
		if (*u < 0x80) {
			buf_putc(b, *u++);
			continue;
		}
		m = (*u & 0xe0) == 0xc0 ? 2 : (*u & 0xf0) == 0xe0 ? 3 : 4;
		cp = *u & (0x7f >> m);
		for (k = 1; k < m && u[k] != '\0'; k++)
			cp = cp << 6 | (u[k] & 0x3f);
		u += k;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			buf_printf(b, "\\u%04lx\\u%04lx", 0xd800 + (cp >> 10),
			    0xdc00 + (cp & 0x3ff));
		} else
			buf_printf(b, "\\u%04lx", cp);
	}
}

static void
new_mid(const char *prefix, char *out, size_t outsz)
{
	char rnd[64];

	fm_random(rnd, 40);
	snprintf(out, outsz, "%s%.40s", prefix, rnd);
}

/* The number in parameter name (a coordinate), else dflt. */
static double
coord(struct req *r, const char *name, double dflt)
{
	const char	*s = fm_param(r, name);
	char		*end;
	double		 v;

	if (s == NULL)
		return dflt;
	v = strtod(s, &end);
	return end != s && *end == '\0' && v >= -180 && v <= 180 ? v : dflt;
}

/* The thread's kinds of a Messenger or Instagram item, as Meta sends
 * them, into it (mid: the new message's; mid= the one it refers to,
 * emoji=, payload=, lat=, long=): 1 when type is one of them, else 0. */
static int
thread_item(struct req *r, const char *type, cJSON *it, const char *mid,
    const char *text)
{
	const char	*ref = fm_param(r, "mid"), *emoji = fm_param(r, "emoji");
	const char	*payload = fm_param(r, "payload");
	cJSON		*m, *a;

	if (strcmp(type, "reaction") == 0) {
		m = cJSON_AddObjectToObject(it, "reaction");
		cJSON_AddStringToObject(m, "mid", ref != NULL ? ref : "");
		if (emoji != NULL && emoji[0] == '\0') {
			cJSON_AddStringToObject(m, "action", "unreact");
			return 1;
		}
		cJSON_AddStringToObject(m, "action", "react");
		cJSON_AddStringToObject(m, "reaction", "other");
		cJSON_AddStringToObject(m, "emoji", emoji != NULL ? emoji :
		    "\xe2\x9d\xa4\xef\xb8\x8f");
		return 1;
	}
	if (strcmp(type, "unsend") == 0) {
		m = cJSON_AddObjectToObject(it, "message");
		cJSON_AddStringToObject(m, "mid", ref != NULL ? ref : "");
		cJSON_AddTrueToObject(m, "is_deleted");
		return 1;
	}
	if (strcmp(type, "reply") != 0 && strcmp(type, "location") != 0 &&
	    strcmp(type, "quick_reply") != 0)
		return 0;
	m = cJSON_AddObjectToObject(it, "message");
	cJSON_AddStringToObject(m, "mid", mid);
	if (strcmp(type, "location") == 0) {
		a = cJSON_CreateObject();
		cJSON_AddItemToArray(cJSON_AddArrayToObject(m, "attachments"), a);
		cJSON_AddStringToObject(a, "type", "location");
		if (text != NULL)
			cJSON_AddStringToObject(a, "title", text);
		a = cJSON_AddObjectToObject(cJSON_AddObjectToObject(a,
		    "payload"), "coordinates");
		cJSON_AddNumberToObject(a, "lat", coord(r, "lat", 52.520008));
		cJSON_AddNumberToObject(a, "long", coord(r, "long", 13.404954));
		return 1;
	}
	cJSON_AddStringToObject(m, "text", text != NULL ? text : "Yes");
	if (strcmp(type, "reply") == 0)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(m, "reply_to"),
		    "mid", ref != NULL ? ref : "");
	else
		cJSON_AddStringToObject(cJSON_AddObjectToObject(m,
		    "quick_reply"), "payload", payload != NULL ? payload :
		    "YES");
	return 1;
}

/* One messaging[] item of a Messenger or Instagram webhook. */
static cJSON *
messaging_item(struct req *r, const char *type, const char *account,
    const char *sender, const char *text, long long ts_ms, int i)
{
	cJSON		*it = cJSON_CreateObject(), *m;
	char		 mid[64], last[128], numbered[2048];
	const char	*mid_param = fm_param(r, "mid");

	cJSON_AddStringToObject(cJSON_AddObjectToObject(it, "sender"), "id",
	    sender);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(it, "recipient"), "id",
	    account);
	cJSON_AddNumberToObject(it, "timestamp", (double)ts_ms);
	new_mid("m_", mid, sizeof(mid));
	if (strcmp(type, "postback") == 0) {
		m = cJSON_AddObjectToObject(it, "postback");
		cJSON_AddStringToObject(m, "title", text != NULL ? text :
		    "Get Started");
		cJSON_AddStringToObject(m, "payload", fm_param(r, "payload") !=
		    NULL ? fm_param(r, "payload") : "GET_STARTED");
		cJSON_AddStringToObject(m, "mid", mid);
	} else if (strcmp(type, "delivery") == 0 || strcmp(type, "read") == 0) {
		if (mid_param == NULL && fm_outbox_last_id(sender, last,
		    sizeof(last)) == 1)
			mid_param = last;
		m = cJSON_AddObjectToObject(it, type);
		if (strcmp(type, "delivery") == 0 && mid_param != NULL)
			cJSON_AddItemToArray(cJSON_AddArrayToObject(m, "mids"),
			    cJSON_CreateString(mid_param));
		else if (mid_param != NULL && fm_page_find_ig(account) >= 0)
			cJSON_AddStringToObject(m, "mid", mid_param);
		cJSON_AddNumberToObject(m, "watermark", (double)ts_ms);
	} else if (thread_item(r, type, it, mid, text)) {
		/* reaction, unsend, reply, location, quick_reply */
	} else {
		m = cJSON_AddObjectToObject(it, "message");
		cJSON_AddStringToObject(m, "mid", mid);
		if (i > 0) {
			snprintf(numbered, sizeof(numbered), "%s (%d)",
			    text != NULL ? text : "Hello", i);
			text = numbered;
		}
		if (fm_media_type(type))
			fm_media_messenger(r, m, type);
		else
			cJSON_AddStringToObject(m, "text", text != NULL ? text :
			    "Hello from the sandbox");
	}
	return it;
}

/* The thread's kinds of a WhatsApp message, as Meta sends them, into m
 * (mid= the message referred to, emoji=, payload=, lat=, long=): 1 when
 * type is one of them, else 0.  (WhatsApp sends no unsend webhook.) */
static int
wa_thread_item(struct req *r, const char *type, cJSON *m, const char *from,
    const char *text)
{
	const char	*ref = fm_param(r, "mid"), *emoji = fm_param(r, "emoji");
	const char	*payload = fm_param(r, "payload");
	cJSON		*o;

	if (strcmp(type, "reaction") == 0) {
		cJSON_AddStringToObject(m, "type", "reaction");
		o = cJSON_AddObjectToObject(m, "reaction");
		cJSON_AddStringToObject(o, "message_id", ref != NULL ? ref : "");
		cJSON_AddStringToObject(o, "emoji", emoji != NULL ? emoji :
		    "\xf0\x9f\x91\x8d");
	} else if (strcmp(type, "location") == 0) {
		cJSON_AddStringToObject(m, "type", "location");
		o = cJSON_AddObjectToObject(m, "location");
		cJSON_AddNumberToObject(o, "latitude", coord(r, "lat",
		    37.483307));
		cJSON_AddNumberToObject(o, "longitude", coord(r, "long",
		    -122.148981));
		cJSON_AddStringToObject(o, "name", text != NULL ? text :
		    "Pablo Morales");
		cJSON_AddStringToObject(o, "address", "1 Hacker Way, Menlo Park");
	} else if (strcmp(type, "quick_reply") == 0) {
		cJSON_AddStringToObject(m, "type", "interactive");
		o = cJSON_AddObjectToObject(m, "interactive");
		cJSON_AddStringToObject(o, "type", "button_reply");
		o = cJSON_AddObjectToObject(o, "button_reply");
		cJSON_AddStringToObject(o, "id", payload != NULL ? payload :
		    "YES");
		cJSON_AddStringToObject(o, "title", text != NULL ? text : "Yes");
	} else if (strcmp(type, "reply") == 0) {
		o = cJSON_AddObjectToObject(m, "context");
		cJSON_AddStringToObject(o, "from", from);
		cJSON_AddStringToObject(o, "id", ref != NULL ? ref : "");
		cJSON_AddStringToObject(m, "type", "text");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(m, "text"),
		    "body", text != NULL ? text : "Hello from the sandbox");
	} else
		return 0;
	return 1;
}

/* A WhatsApp entry with messages[] or statuses[]. */
static cJSON *
whatsapp_entry(struct req *r, const char *type, const char *from,
    const char *text, long long ts, long long count)
{
	cJSON		*e = cJSON_CreateObject(), *ch, *v, *md, *arr, *m, *c;
	char		 wamid[80], tss[32], last[128], numbered[2048];
	const char	*status = fm_param(r, "status"), *mid = fm_param(r, "mid");
	long long	 i;

	cJSON_AddStringToObject(e, "id", FM_WABA_ID);
	ch = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(e, "changes"), ch);
	cJSON_AddStringToObject(ch, "field", "messages");
	v = cJSON_AddObjectToObject(ch, "value");
	cJSON_AddStringToObject(v, "messaging_product", "whatsapp");
	md = cJSON_AddObjectToObject(v, "metadata");
	cJSON_AddStringToObject(md, "display_phone_number", FM_PHONE_DISPLAY);
	cJSON_AddStringToObject(md, "phone_number_id", FM_PHONE_ID);
	snprintf(tss, sizeof(tss), "%lld", ts);
	if (strcmp(type, "status") == 0 || strcmp(type, "delivery") == 0 ||
	    strcmp(type, "read") == 0) {
		if (mid == NULL && fm_outbox_last_id(from, last,
		    sizeof(last)) == 1)
			mid = last;
		new_mid("wamid.", wamid, sizeof(wamid));
		m = cJSON_CreateObject();
		cJSON_AddItemToArray(cJSON_AddArrayToObject(v, "statuses"), m);
		cJSON_AddStringToObject(m, "id", mid != NULL ? mid : wamid);
		cJSON_AddStringToObject(m, "status", status != NULL ? status :
		    strcmp(type, "read") == 0 ? "read" : "delivered");
		cJSON_AddStringToObject(m, "timestamp", tss);
		cJSON_AddStringToObject(m, "recipient_id", from);
		return e;
	}
	c = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(v, "contacts"), c);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(c, "profile"), "name",
	    "Sheena Nelson");
	cJSON_AddStringToObject(c, "wa_id", from);
	arr = cJSON_AddArrayToObject(v, "messages");
	for (i = 0; i < count; i++) {
		new_mid("wamid.", wamid, sizeof(wamid));
		m = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, m);
		cJSON_AddStringToObject(m, "from", from);
		cJSON_AddStringToObject(m, "id", wamid);
		cJSON_AddStringToObject(m, "timestamp", tss);
		if (wa_thread_item(r, type, m, from, text))
			continue;
		if (fm_media_type(type)) {
			fm_media_whatsapp(r, m, type);
			continue;
		}
		cJSON_AddStringToObject(m, "type", "text");
		snprintf(numbered, sizeof(numbered), count > 1 ? "%s (%lld)" :
		    "%s", text != NULL ? text : "Hello from the sandbox", i + 1);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(m, "text"),
		    "body", numbered);
	}
	return e;
}

/* A response body nobody reads (libcurl would write it to standard
 * output, which is the fake's own answer when it runs as CGI). */
static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* POST body to the gateway's /webhook; the last HTTP status (0 when
 * none) after up to attempts tries. */
static long
post_webhook(const char *body, size_t len, const char *sig, const char *path,
    long long attempts, long long *tried)
{
	struct curl_slist	*h = NULL;
	char			 url[600], hdr[128];
	const char		*env = getenv("FAKEMETA_WEBHOOK_URL");
	CURL			*c;
	long			 status = 0;

	snprintf(url, sizeof(url), "%s", env != NULL ? env : fm_app.base_url);
	if (env == NULL)
		snprintf(url + strlen(url), sizeof(url) - strlen(url), "%s", path);
	snprintf(hdr, sizeof(hdr), "X-Hub-Signature-256: %s", sig);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, hdr);
	h = curl_slist_append(h, "Expect:");
	for (*tried = 0; *tried < attempts; ) {
		if (*tried > 0)
			fm_sleep_ms(250L << (*tried - 1));
		(*tried)++;
		if ((c = curl_easy_init()) == NULL)
			break;
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
		curl_easy_setopt(c, CURLOPT_USERAGENT, "facebookexternalua");
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
		status = 0;
		if (curl_easy_perform(c) == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_cleanup(c);
		if (status == 200)
			break;
	}
	curl_slist_free_all(h);
	return status;
}

/* The thread's kinds deliver builds. */
#define THREAD_TYPE(t)	(strcmp(t, "reaction") == 0 || \
	strcmp(t, "unsend") == 0 || strcmp(t, "reply") == 0 || \
	strcmp(t, "location") == 0 || strcmp(t, "quick_reply") == 0)

static void
deliver(struct req *r)
{
	const char	*platform = fm_param(r, "platform");
	const char	*type = fm_param(r, "type"), *text = fm_param(r, "text");
	const char	*page = fm_param(r, "page"), *sender = fm_param(r, "sender");
	const char	*path = fm_param(r, "path");
	struct fm_page	 pg;
	struct buf	 b;
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	char		 sig[80], hex[2 * CRYPTO_SHA256_LEN + 1], *json;
	const char	*account, *object;
	long long	 age, count, attempts, tried, now_ms, ts_ms, i;
	long		 status;
	cJSON		*root, *entries, *e, *o;
	int		 wa, pi, inbound, igl;
	struct timespec	 now;

	if (platform == NULL)
		platform = "messenger";
	/* Another path of the gateway (tests of the retries): a plain
	 * path, so the webhook never leaves the gateway's host. */
	if (path == NULL)
		path = "/webhook";
	if (path[0] != '/' || strlen(path) > 64 || strpbrk(path, "?#@\\ ") != NULL) {
		http_json_error(r, 400, "path must be a plain path");
		return;
	}
	if (type == NULL)
		type = "text";
	if (num_param(r, "age_s", 0, 365LL * 86400, 0, &age) == -1 ||
	    num_param(r, "count", 1, FM_BATCH_MAX, strcmp(type, "batch") == 0 ?
	    3 : 1, &count) == -1 ||
	    num_param(r, "attempts", 1, FM_DELIVER_ATTEMPTS_MAX,
	    FM_DELIVER_ATTEMPTS, &attempts) == -1)
		return;
	wa = strcmp(platform, "whatsapp") == 0;
	if (!wa && strcmp(platform, "messenger") != 0 &&
	    strcmp(platform, "instagram") != 0) {
		http_json_error(r, 400, "platform must be messenger, instagram or "
		    "whatsapp");
		return;
	}
	if (strcmp(type, "text") != 0 && strcmp(type, "postback") != 0 &&
	    strcmp(type, "delivery") != 0 && strcmp(type, "read") != 0 &&
	    strcmp(type, "status") != 0 && strcmp(type, "batch") != 0 &&
	    !THREAD_TYPE(type) && !fm_media_type(type)) {
		http_json_error(r, 400, "type must be text, postback, delivery, read, "
		    "status, batch, reaction, unsend, reply, location, "
		    "quick_reply, image, audio, video, file or sticker");
		return;
	}
	if (THREAD_TYPE(type) && (strcmp(type, "location") != 0 &&
	    strcmp(type, "quick_reply") != 0) && fm_param(r, "mid") == NULL) {
		http_json_error(r, 400, "mid: the message this refers to");
		return;
	}
	if (wa && strcmp(type, "unsend") == 0) {
		http_json_error(r, 400, "WhatsApp sends no unsend webhook");
		return;
	}
	/* page=<the Instagram Login account's user_id>: to that account. */
	igl = strcmp(platform, "instagram") == 0 && page != NULL &&
	    strcmp(page, FM_IGL_USER_ID) == 0;
	pi = fm_page_find(igl || page == NULL ? "104857600000001" : page);
	if (pi < 0) {
		http_json_error(r, 400, "page must be one of the world's Pages "
		    "(or, for Instagram, the Instagram Login account)");
		return;
	}
	fm_page(pi, &pg);
	if (igl)
		snprintf(pg.ig_id, sizeof(pg.ig_id), "%s", FM_IGL_USER_ID);
	if (strcmp(platform, "instagram") == 0 && pg.ig_id[0] == '\0') {
		http_json_error(r, 400, "this Page has no Instagram account");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	now_ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	ts_ms = now_ms - age * 1000;
	inbound = strcmp(type, "text") == 0 || strcmp(type, "postback") == 0 ||
	    strcmp(type, "batch") == 0 || THREAD_TYPE(type) ||
	    fm_media_type(type);
	root = cJSON_CreateObject();
	if (wa) {
		object = "whatsapp_business_account";
		account = FM_PHONE_ID;
		if (sender == NULL)
			sender = FM_WA_FROM;
	} else if (strcmp(platform, "instagram") == 0) {
		object = "instagram";
		account = pg.ig_id;
		if (sender == NULL)
			sender = FM_IGSID;
	} else {
		object = "page";
		account = pg.id;
		if (sender == NULL)
			sender = FM_PSID;
	}
	cJSON_AddStringToObject(root, "object", object);
	entries = cJSON_AddArrayToObject(root, "entry");
	if (wa)
		cJSON_AddItemToArray(entries, whatsapp_entry(r, type, sender,
		    text, ts_ms / 1000, strcmp(type, "batch") == 0 ? count : 1));
	for (i = 0; !wa && i < count; i++) {
		e = cJSON_CreateObject();
		cJSON_AddItemToArray(entries, e);
		cJSON_AddStringToObject(e, "id", account);
		cJSON_AddNumberToObject(e, "time", (double)now_ms);
		/* Another app owns the thread: a standby copy. */
		cJSON_AddItemToArray(cJSON_AddArrayToObject(e,
		    fm_thread_other(account, sender) ? "standby" : "messaging"),
		    messaging_item(r, strcmp(type, "batch") == 0 ? "text" : type,
		    account, sender, text, ts_ms + i, count > 1 ? (int)i + 1 : 0));
	}
	if (inbound && fm_contact_seen(account, sender, ts_ms / 1000) == -1) {
		cJSON_Delete(root);
		http_json_error(r, 500, "database");
		return;
	}
	json = cJSON_PrintUnformatted(root);
	buf_init(&b, HG_RESPONSE_MAX);
	ascii_json(&b, json != NULL ? json : "");
	free(json);
	crypto_hmac_sha256(fm_app.app_secret, strlen(fm_app.app_secret),
	    b.data, b.len, mac);
	crypto_hex(mac, sizeof(mac), hex);
	snprintf(sig, sizeof(sig), "sha256=%s", hex);
	status = post_webhook(buf_cstr(&b), b.len, sig, path, attempts, &tried);
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "delivered", status == 200);
	cJSON_AddNumberToObject(o, "status", (double)status);
	cJSON_AddNumberToObject(o, "attempts", (double)tried);
	cJSON_AddStringToObject(o, "signature", sig);
	cJSON_AddItemToObject(o, "payload", root);
	http_json(r, status == 200 ? 200 : 502, o);
	buf_free(&b);
}

/* Sign body like Meta and POST it to the gateway's /webhook, once. */
static void
post_signed(cJSON *root)
{
	struct buf	 b;
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	char		 sig[80], hex[2 * CRYPTO_SHA256_LEN + 1], *json;
	long long	 tried;

	json = cJSON_PrintUnformatted(root);
	buf_init(&b, HG_RESPONSE_MAX);
	ascii_json(&b, json != NULL ? json : "");
	free(json);
	crypto_hmac_sha256(fm_app.app_secret, strlen(fm_app.app_secret),
	    b.data, b.len, mac);
	crypto_hex(mac, sizeof(mac), hex);
	snprintf(sig, sizeof(sig), "sha256=%s", hex);
	post_webhook(buf_cstr(&b), b.len, sig, "/webhook", 1, &tried);
	buf_free(&b);
}

void
fm_deliver_signed(const cJSON *root)
{
	post_signed((cJSON *)root);
}

void
fm_send_echo(const char *platform, const char *account, const char *page,
    const char *to, const char *mid, const cJSON *body)
{
	char		 fields[1024], tss[32];
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(body, "message");
	const char	*opaque;
	cJSON		*root, *e, *it, *msg, *v, *st;
	struct timespec	 now;
	long long	 ms;
	int		 wa = strcmp(platform, "whatsapp") == 0;

	/* As Meta: only to apps subscribed to echoes (Pages:
	 * message_echoes; WhatsApp: any subscription of the WABA). */
	if (fm_sub_get(wa ? FM_WABA_ID : page, fields, sizeof(fields)) != 1 ||
	    (!wa && strstr(fields, "message_echoes") == NULL))
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	root = cJSON_CreateObject();
	e = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "entry"), e);
	if (wa) {
		cJSON_AddStringToObject(root, "object",
		    "whatsapp_business_account");
		cJSON_AddStringToObject(e, "id", FM_WABA_ID);
		it = cJSON_CreateObject();
		cJSON_AddItemToArray(cJSON_AddArrayToObject(e, "changes"), it);
		cJSON_AddStringToObject(it, "field", "messages");
		v = cJSON_AddObjectToObject(it, "value");
		cJSON_AddStringToObject(v, "messaging_product", "whatsapp");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(v, "metadata"),
		    "phone_number_id", FM_PHONE_ID);
		st = cJSON_CreateObject();
		cJSON_AddItemToArray(cJSON_AddArrayToObject(v, "statuses"), st);
		cJSON_AddStringToObject(st, "id", mid);
		cJSON_AddStringToObject(st, "status", "sent");
		snprintf(tss, sizeof(tss), "%lld", ms / 1000);
		cJSON_AddStringToObject(st, "timestamp", tss);
		cJSON_AddStringToObject(st, "recipient_id", to);
		opaque = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		    body, "biz_opaque_callback_data"));
		if (opaque != NULL)
			cJSON_AddStringToObject(st, "biz_opaque_callback_data",
			    opaque);
	} else {
		cJSON_AddStringToObject(root, "object", strcmp(platform,
		    "instagram") == 0 ? "instagram" : "page");
		cJSON_AddStringToObject(e, "id", account);
		cJSON_AddNumberToObject(e, "time", (double)ms);
		it = cJSON_CreateObject();
		cJSON_AddItemToArray(cJSON_AddArrayToObject(e, "messaging"), it);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(it, "sender"),
		    "id", account);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(it, "recipient"),
		    "id", to);
		cJSON_AddNumberToObject(it, "timestamp", (double)ms);
		msg = cJSON_Duplicate(m, 1);
		if (msg == NULL)
			msg = cJSON_CreateObject();
		cJSON_DeleteItemFromObjectCaseSensitive(msg, "quick_replies");
		cJSON_AddTrueToObject(msg, "is_echo");
		cJSON_AddStringToObject(msg, "app_id", fm_app.app_id);
		cJSON_AddStringToObject(msg, "mid", mid);
		cJSON_AddItemToObject(it, "message", msg);
	}
	post_signed(root);
	cJSON_Delete(root);
}

/* Collect a response body (up to 64 KB). */
static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	buf_add(b, p, size * n);
	return size * n;
}

/* Meta's deauthorize or data deletion callback for a user. */
static void
signed_callback(struct req *r, const char *which)
{
	const char	*uid = fm_param(r, "user_id");
	const char	*alg = fm_param(r, "algorithm");
	const char	*secret = fm_param(r, "secret");
	char		 payload[512], sr[HG_SIGNED_REQUEST_MAX + 1], url[700];
	struct buf	 form, body;
	CURL		*c;
	long		 status = 0;
	cJSON		*o;

	snprintf(payload, sizeof(payload), "{\"algorithm\":\"%s\","
	    "\"expires\":0,\"issued_at\":%lld,\"user_id\":\"%s\"}",
	    alg != NULL ? alg : "HMAC-SHA256", (long long)time(NULL),
	    uid != NULL ? uid : FM_USER_ID);
	if (strchr(alg != NULL ? alg : "", '"') != NULL ||
	    strchr(uid != NULL ? uid : "", '"') != NULL ||
	    signed_request_make(payload, secret != NULL ? secret :
	    fm_app.app_secret, sr, sizeof(sr)) == -1) {
		http_json_error(r, 400, "cannot build the signed_request");
		return;
	}
	snprintf(url, sizeof(url), "%s/oauth/%s", fm_app.base_url, which);
	buf_init(&form, 16384);
	buf_init(&body, 65536);
	buf_puts(&form, "signed_request=");
	buf_url_encode(&form, sr);
	if ((c = curl_easy_init()) != NULL) {
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, buf_cstr(&form));
		curl_easy_setopt(c, CURLOPT_USERAGENT, "facebookexternalua");
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
		if (curl_easy_perform(c) == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_cleanup(c);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "signed_request", sr);
	cJSON_AddNumberToObject(o, "status", (double)status);
	cJSON_AddStringToObject(o, "body", buf_cstr(&body));
	buf_free(&form);
	buf_free(&body);
	http_json(r, status != 0 ? 200 : 502, o);
}

/* GET: the WhatsApp rate limits and their refusals; POST wa_rate=,
 * pair_ms= (0: none) sets them. */
static void
limits(struct req *r)
{
	long long rate, pair;

	if (r->method == HTTP_POST) {
		if (num_param(r, "wa_rate", 0, 1000, 0, &rate) == -1 ||
		    num_param(r, "pair_ms", 0, 600000, 0, &pair) == -1)
			return;
		fm_pace_set((long)rate, (long)pair);
	}
	http_json(r, 200, fm_pace_json());
}

void
fm_control(struct req *r, const char *path)
{
	int get = r->method == HTTP_GET || r->method == HTTP_HEAD;
	int post = r->method == HTTP_POST, del = r->method == HTTP_DELETE;

	if (strcmp(path, "world") == 0 && get)
		world(r);
	else if (strcmp(path, "outbox") == 0 && (get || del))
		outbox(r);
	else if (strcmp(path, "token") == 0 && post)
		token(r);
	else if (strcmp(path, "unsubscribe") == 0 && post)
		unsubscribe(r);
	else if (strcmp(path, "fault") == 0 && (post || del))
		fault(r);
	else if (strcmp(path, "deliver") == 0 && post)
		deliver(r);
	else if (strcmp(path, "limits") == 0 && (get || post))
		limits(r);
	else if (strcmp(path, "deauthorize") == 0 && post)
		signed_callback(r, "deauthorize");
	else if (strcmp(path, "data-deletion") == 0 && post)
		signed_callback(r, "data-deletion");
	else if (strcmp(path, "signup") == 0 && post)
		fm_signup_control(r);
	else if (strcmp(path, "routing") == 0)
		fm_thread_control(r);
	else if (strcmp(path, "world") == 0 || strcmp(path, "outbox") == 0 ||
	    strcmp(path, "token") == 0 || strcmp(path, "fault") == 0 ||
	    strcmp(path, "deliver") == 0 || strcmp(path, "deauthorize") == 0 ||
	    strcmp(path, "data-deletion") == 0)
		http_json_error(r, 405, "method not allowed");
	else
		http_json_error(r, 404, "not found");
}
