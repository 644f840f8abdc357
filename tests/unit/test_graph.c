/*
 * lib/graph, graph_send: classification of every row of Meta's error
 * table, usage headers, URL policy, appsecret_proof, redaction of the
 * URLs graph builds, Meta's message limits, request bodies and
 * word-boundary splitting, and which objects a token's granular
 * scopes cover (debug_token).  No network: refusals happen before any
 * connection, and the one transport check uses a closed loopback port.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>

#include "conf.h"
#include "graph.h"
#include "graph_oauth.h"
#include "graph_send.h"
#include "log.h"
#include "test.h"

static struct graph_result res;

/* Classify a status and body; the result is in res. */
static void
cls(int status, const char *body, const struct graph_headers *h)
{
	graph_result_free(&res);
	memset(&res, 0, sizeof(res));
	graph_error_classify(status, body, body != NULL ? strlen(body) : 0, h, &res);
}

static void
err_case(long code, long sub, int status, enum graph_class want,
    enum graph_reason reason, const char *name)
{
	char body[256], n[160];

	snprintf(body, sizeof(body), "{\"error\":{\"message\":\"m\",\"type\":"
	    "\"OAuthException\",\"code\":%ld,\"error_subcode\":%ld,"
	    "\"fbtrace_id\":\"Abc123\"}}", code, sub);
	cls(status, body, NULL);
	snprintf(n, sizeof(n), "%s: class", name);
	EQ_STR(graph_class_names[res.cls], graph_class_names[want], n);
	snprintf(n, sizeof(n), "%s: reason", name);
	EQ_STR(graph_reason_names[res.reason], graph_reason_names[reason], n);
}

static void
test_classify(void)
{
	struct graph_headers h;

	err_case(190, 463, 400, GRAPH_TOKEN_INVALID, GRAPH_REASON_TOKEN, "190/463 expired");
	err_case(190, 460, 400, GRAPH_TOKEN_INVALID, GRAPH_REASON_TOKEN, "190/460 password");
	err_case(190, 0, 400, GRAPH_TOKEN_INVALID, GRAPH_REASON_TOKEN, "190 invalid");
	err_case(102, 0, 400, GRAPH_TOKEN_INVALID, GRAPH_REASON_TOKEN, "102 session");
	err_case(492, 0, 400, GRAPH_TOKEN_INVALID, GRAPH_REASON_TOKEN, "492");
	err_case(1, 0, 500, GRAPH_RETRY, GRAPH_REASON_TRANSIENT, "1 unknown");
	err_case(2, 0, 503, GRAPH_RETRY, GRAPH_REASON_TRANSIENT, "2 service");
	err_case(1200, 0, 400, GRAPH_RETRY, GRAPH_REASON_TRANSIENT, "1200");
	err_case(4, 0, 400, GRAPH_THROTTLED, GRAPH_REASON_RATE, "4 app limit");
	err_case(17, 0, 400, GRAPH_THROTTLED, GRAPH_REASON_RATE, "17 user limit");
	err_case(32, 0, 400, GRAPH_THROTTLED, GRAPH_REASON_RATE, "32 page limit");
	err_case(341, 0, 400, GRAPH_THROTTLED, GRAPH_REASON_RATE, "341");
	err_case(613, 0, 400, GRAPH_THROTTLED, GRAPH_REASON_RATE, "613");
	err_case(80001, 0, 400, GRAPH_THROTTLED, GRAPH_REASON_RATE, "80001 BUC");
	err_case(130429, 0, 400, GRAPH_THROTTLED, GRAPH_REASON_RATE, "WhatsApp 130429");
	err_case(131056, 0, 400, GRAPH_THROTTLED, GRAPH_REASON_RATE, "WhatsApp 131056");
	err_case(368, 0, 400, GRAPH_THROTTLED, GRAPH_REASON_POLICY, "368 policy");
	EQ_INT(res.delay_s, 3600, "368 pauses an hour");
	err_case(3, 0, 400, GRAPH_PERMANENT, GRAPH_REASON_PERMISSION, "3");
	err_case(10, 0, 400, GRAPH_PERMANENT, GRAPH_REASON_PERMISSION, "10");
	err_case(200, 0, 403, GRAPH_PERMANENT, GRAPH_REASON_PERMISSION, "200");
	err_case(230, 0, 400, GRAPH_PERMANENT, GRAPH_REASON_PERMISSION, "230");
	err_case(299, 0, 400, GRAPH_PERMANENT, GRAPH_REASON_PERMISSION, "299");
	err_case(100, 0, 400, GRAPH_PERMANENT, GRAPH_REASON_PARAMETER, "100");
	err_case(100, 2018001, 400, GRAPH_PERMANENT, GRAPH_REASON_PARAMETER, "100/2018001");
	err_case(551, 0, 400, GRAPH_PERMANENT, GRAPH_REASON_UNAVAILABLE, "551");
	err_case(10, 2018108, 400, GRAPH_PERMANENT, GRAPH_REASON_UNAVAILABLE, "10/2018108");
	err_case(10, 2018278, 400, GRAPH_PERMANENT, GRAPH_REASON_WINDOW, "10/2018278");
	err_case(131047, 0, 400, GRAPH_PERMANENT, GRAPH_REASON_WINDOW, "WhatsApp 131047");
	err_case(999999, 0, 400, GRAPH_PERMANENT, GRAPH_REASON_OTHER, "unknown code, 400");
	err_case(999999, 0, 500, GRAPH_RETRY, GRAPH_REASON_TRANSIENT, "unknown code, 500");
	EQ_STR(res.fbtrace_id, "Abc123", "fbtrace_id kept");
	EQ_INT(res.code, 999999, "code kept");

	cls(400, "{\"error\":{\"code\":1234,\"is_transient\":true}}", NULL);
	EQ_INT(res.cls, GRAPH_RETRY, "is_transient means retry");
	cls(400, "{\"error\":{\"code\":\"190\",\"error_subcode\":\"463\"}}", NULL);
	EQ_INT(res.cls, GRAPH_TOKEN_INVALID, "codes as strings");
	EQ_INT(res.subcode, 463, "subcode as a string");
	cls(200, "{\"data\":[]}", NULL);
	EQ_INT(res.cls, GRAPH_OK, "200 with data: ok");
	OK(res.json != NULL, "json kept");
	cls(200, "{\"error\":{\"code\":100,\"message\":\"x\"}}", NULL);
	EQ_INT(res.cls, GRAPH_PERMANENT, "200 with an error object is an error");
	cls(200, "not json", NULL);
	EQ_INT(res.cls, GRAPH_OK, "200 not JSON: ok (callers check json)");
	OK(res.json == NULL, "no json");
	cls(400, "{\"error\":{\"code\":100,\"message\":\"Bad\",\"error_user_title"
	    "\":\"T\",\"error_user_msg\":\"Please fix\"}}", NULL);
	EQ_STR(res.user_msg, "Please fix", "error_user_msg kept");
	EQ_STR(res.user_title, "T", "error_user_title kept");
	EQ_STR(res.message, "Bad", "message kept");
	cls(302, "", NULL);
	EQ_INT(res.cls, GRAPH_PERMANENT, "302: permanent");
	EQ_INT(res.reason, GRAPH_REASON_REFUSED, "302: refused");
	cls(429, NULL, NULL);
	EQ_INT(res.cls, GRAPH_THROTTLED, "429: throttled");
	EQ_INT(res.delay_s, 300, "429 without headers: default wait");
	memset(&h, 0, sizeof(h));
	h.retry_after = "120";
	cls(503, "<html>busy</html>", &h);
	EQ_INT(res.cls, GRAPH_RETRY, "503 HTML: retry");
	EQ_INT(res.delay_s, 120, "Retry-After honoured");
	h.retry_after = "soon";
	cls(502, "", &h);
	EQ_INT(res.delay_s, 30, "bad Retry-After: default");
	h.retry_after = NULL;
	h.buc_usage = "{\"1\":[{\"type\":\"pages\",\"call_count\":100,"
	    "\"estimated_time_to_regain_access\":3}]}";
	cls(400, "{\"error\":{\"code\":80001}}", &h);
	EQ_INT(res.delay_s, 180, "BUC throttle waits the estimate");
	graph_result_free(&res);
}

static void
test_usage(void)
{
	struct graph_headers	h;
	int			pct;
	long			d;

	memset(&h, 0, sizeof(h));
	graph_error_usage(&h, &pct, &d);
	EQ_INT(pct, -1, "no headers: no usage");
	EQ_INT(d, 0, "no headers: no wait");
	h.app_usage = "{\"call_count\":28,\"total_time\":25,\"total_cputime\":25}";
	graph_error_usage(&h, &pct, &d);
	EQ_INT(pct, 28, "X-App-Usage: highest percentage");
	EQ_INT(d, 0, "under 100: no wait");
	h.app_usage = "{\"call_count\":100,\"total_time\":25}";
	graph_error_usage(&h, &pct, &d);
	EQ_INT(d, 900, "100% without estimate: HG_GRAPH_USAGE_FULL_S");
	h.app_usage = NULL;
	h.page_usage = "{\"call_count\":\"96\",\"estimated_time_to_regain_access\":\"4\"}";
	graph_error_usage(&h, &pct, &d);
	EQ_INT(pct, 96, "X-Page-Usage with strings");
	EQ_INT(d, 240, "estimate in minutes");
	h.page_usage = NULL;
	h.buc_usage = "{\"1\":[{\"call_count\":5,\"estimated_time_to_regain_access\":0}],"
	    "\"2\":[{\"call_count\":100,\"total_time\":7,"
	    "\"estimated_time_to_regain_access\":12}]}";
	graph_error_usage(&h, &pct, &d);
	EQ_INT(pct, 100, "BUC: highest over ids");
	EQ_INT(d, 720, "BUC: longest estimate");
	h.buc_usage = "{\"1\":[{\"estimated_time_to_regain_access\":99999999}]}";
	graph_error_usage(&h, &pct, &d);
	EQ_INT(d, 86400, "delays are capped");
	h.buc_usage = "{not json";
	h.app_usage = "[1,2]";
	graph_error_usage(&h, &pct, &d);
	EQ_INT(pct, -1, "malformed headers count as absent");
	EQ_INT(d, 0, "and imply no wait");
}

static void
test_urls(void)
{
	char why[160];

	OK(graph_url_allowed("https://graph.facebook.com", why, sizeof(why)) == 0, "https allowed");
	OK(graph_url_allowed("http://127.0.0.1:8080/_meta", why, sizeof(why)) == 0, "http loopback allowed");
	OK(graph_url_allowed("http://127.9.8.7", why, sizeof(why)) == 0, "all of 127/8");
	OK(graph_url_allowed("http://localhost:1", why, sizeof(why)) == 0, "localhost");
	OK(graph_url_allowed("http://[::1]:80/", why, sizeof(why)) == 0, "::1");
	OK(graph_url_allowed("http://graph.facebook.com", why, sizeof(why)) == -1, "plain http to Meta refused");
	OK(strstr(why, "plain http") != NULL, "with a reason");
	OK(graph_url_allowed("http://127.0.0.1.evil.com", why, sizeof(why)) == -1, "127.0.0.1.evil.com is not loopback");
	OK(graph_url_allowed("http://10.0.0.1", why, sizeof(why)) == -1, "private address refused");
	OK(graph_url_allowed("ftp://127.0.0.1", why, sizeof(why)) == -1, "ftp refused");
	OK(graph_url_allowed("file:///etc/passwd", why, sizeof(why)) == -1, "file refused");
	OK(graph_url_allowed("graph.facebook.com", why, sizeof(why)) == -1, "no scheme refused");
	OK(graph_id_ok("104857600000001"), "page id ok");
	OK(graph_id_ok("me"), "me ok");
	OK(!graph_id_ok(".."), ".. refused");
	OK(!graph_id_ok("1/2"), "slash refused");
	OK(!graph_id_ok("1?x=2"), "query refused");
	OK(!graph_id_ok(""), "empty refused");
}

static void
test_proof_and_redaction(void)
{
	struct conf	*c;
	struct graph	*g;
	char		 p[65], url[8192], red[8192], err[256];
	struct graph_param prm[] = { { "fields", "id,name" },
	    { "client_secret", "cs-value-1234" }, { "code", "AQcode-5678" },
	    { "fb_exchange_token", "EAAold-9999" }, { NULL, NULL } };

	OK(graph_proof("secret", "token", 1700000000, p) == 0, "proof computed");
	EQ_STR(p, "3c81f1bf0544f53adccadbaf135235bf73451aadede41a90a122c46e93dcae64",
	    "proof = hex HMAC-SHA256(secret, token|time)");
	c = conf_load_string("app_id = 42\napp_secret = s3cret-app-value, old-one-0123456789ab\n"
	    "graph_base_url = https://graph.example/\ngraph_version = v24.0\n",
	    "t", err, sizeof(err));
	OK(c != NULL, "config");
	g = graph_new(c, err, sizeof(err));
	OK(g != NULL, "graph_new");
	OK(graph_url(g, "/me/accounts", prm, GRAPH_AUTH_USER, "EAAtoken-abcdef",
	    url, sizeof(url)) == 0, "URL built");
	OK(strncmp(url, "https://graph.example/v24.0/me/accounts?fields=id%2Cname&",
	    57) == 0, "base, version, path, encoded params");
	OK(strstr(url, "access_token=EAAtoken-abcdef") != NULL, "token in the URL");
	OK(strstr(url, "appsecret_proof=") != NULL, "proof added");
	OK(strstr(url, "appsecret_time=") != NULL, "proof time added");
	log_redact_url(url, red, sizeof(red));
	OK(strstr(red, "EAAtoken") == NULL, "redacted: no token");
	OK(strstr(red, "cs-value") == NULL, "redacted: no client_secret");
	OK(strstr(red, "AQcode") == NULL, "redacted: no code");
	OK(strstr(red, "EAAold") == NULL, "redacted: no fb_exchange_token");
	OK(strstr(red, "appsecret_proof=REDACTED") != NULL, "redacted: no proof");
	OK(strstr(red, "fields=id%2Cname") != NULL, "other params stay");
	OK(graph_url(g, "/debug_token", NULL, GRAPH_AUTH_APP, NULL, url,
	    sizeof(url)) == 0, "app token URL");
	OK(strstr(url, "access_token=42%7Cs3cret-app-value") != NULL,
	    "app token is id|first secret");
	OK(strstr(url, "appsecret_proof") == NULL, "no proof with the app token");
	log_redact_url(url, red, sizeof(red));
	OK(strstr(red, "s3cret") == NULL, "app secret redacted");
	OK(graph_url(g, "/x", NULL, GRAPH_AUTH_BEARER, "EAAbearer", url,
	    sizeof(url)) == 0 && strstr(url, "EAAbearer") == NULL,
	    "bearer token stays out of the URL");
	OK(graph_url(g, "/../x", NULL, GRAPH_AUTH_USER, "t", url, sizeof(url)) == -1,
	    "path with .. refused");
	OK(graph_url(g, "/x", NULL, GRAPH_AUTH_USER, "bad token", url,
	    sizeof(url)) == -1, "token with a space refused");
	OK(graph_url(g, "/x", NULL, GRAPH_AUTH_USER, "t\r\nX: y", url,
	    sizeof(url)) == -1, "token with CRLF refused");
	graph_free(g);
	conf_free(c);
	c = conf_load_string("app_id = 42\napp_secret = s-app-secret-0123456789\nappsecret_proof = no\n",
	    "t", err, sizeof(err));
	g = graph_new(c, err, sizeof(err));
	OK(g != NULL && graph_url(g, "/me", NULL, GRAPH_AUTH_USER, "t", url,
	    sizeof(url)) == 0 && strstr(url, "appsecret_proof") == NULL,
	    "appsecret_proof = no: no proof");
	graph_free(g);
	conf_free(c);
	c = conf_load_string("app_id = 42\napp_secret = s-app-secret-0123456789\ngraph_version = 24\n",
	    "t", err, sizeof(err));
	OK(c == NULL && strstr(err, "graph_version") != NULL,
	    "version without v refused (by the configuration)");
	conf_free(c);
	c = conf_load_string("app_id = 42\napp_secret = s-app-secret-0123456789\n"
	    "graph_base_url = http://graph.facebook.com\n", "t", err, sizeof(err));
	OK(graph_new(c, err, sizeof(err)) == NULL, "plain http base refused");
	OK(strstr(err, "plain http") != NULL, "and says why");
	conf_free(c);
}

static void
test_split(void)
{
	struct graph_piece	p[8];
	const char		*t;
	int			 n;

	EQ_INT(graph_send_split("hello", 10, p, 8), 1, "short: one piece");
	EQ_INT(graph_send_split("   ", 10, p, 8), 0, "blank: none");
	t = "aaa bbb ccc ddd";
	n = graph_send_split(t, 7, p, 8);
	EQ_INT(n, 2, "split at spaces");
	OK(p[0].off == 0 && p[0].len == 7, "first: 'aaa bbb'");
	OK(p[1].off == 8 && p[1].len == 7, "second: 'ccc ddd'");
	n = graph_send_split("aaaa bbbbbbbbbbbb c", 5, p, 8);
	EQ_INT(n, 4, "a long word is cut");
	OK(p[1].len == 5 && p[2].len == 5, "cut at the limit");
	t = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";	/* éééé */
	n = graph_send_split(t, 3, p, 8);
	EQ_INT(n, 2, "multibyte counted as characters");
	EQ_INT(p[0].len, 6, "never cut inside a character");
	EQ_INT(graph_send_split("a b c d e f g h i j", 1, p, 8), -1, "too many pieces");
	EQ_INT(graph_send_split("\xff", 5, p, 8), -1, "invalid UTF-8");
	n = graph_send_split("line one\nline two", 9, p, 8);
	EQ_INT(n, 2, "newlines are boundaries");
}

static void
test_limits(void)
{
	struct graph_message		m;
	struct graph_quick_reply	qr[14];
	struct graph_button		b[4];
	struct graph_element		el[11];
	char				why[256], *big;
	cJSON				*body;
	char				*s;
	size_t				 i;

	memset(&m, 0, sizeof(m));
	big = malloc(4100);
	memset(big, 'a', 4099);
	big[2000] = '\0';
	m.kind = GRAPH_MSG_TEXT;
	m.text = big;
	OK(graph_send_check(&m, 0, why, sizeof(why)) == 0, "2000 characters ok");
	big[2000] = 'a';
	big[2001] = '\0';
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "2001 refused");
	OK(strstr(why, "2001") != NULL && strstr(why, "2000") != NULL,
	    "why names both numbers");
	big[1000] = '\0';
	OK(graph_send_check(&m, 1, why, sizeof(why)) == 0, "Instagram 1000 bytes ok");
	big[998] = '\xc3';
	big[999] = '\xa9';
	big[1000] = 'a';
	big[1001] = '\0';
	OK(graph_send_check(&m, 1, why, sizeof(why)) == -1,
	    "Instagram counts bytes (1001 bytes, 1000 characters)");
	m.text = "";
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "empty text refused");
	m.text = "hi";
	m.messaging_type = "MESSAGE_TAG";
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "MESSAGE_TAG needs a tag");
	m.tag = "HUMAN_AGENT";
	OK(graph_send_check(&m, 0, why, sizeof(why)) == 0, "MESSAGE_TAG with a tag");
	m.messaging_type = NULL;
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "a tag without MESSAGE_TAG");
	m.tag = NULL;
	m.messaging_type = "PROMO";
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "unknown messaging_type");
	m.messaging_type = NULL;
	for (i = 0; i < 14; i++) {
		qr[i].content_type = NULL;
		qr[i].title = "Yes";
		qr[i].payload = "Y";
		qr[i].image_url = NULL;
	}
	m.quick_replies = qr;
	m.nquick_replies = 13;
	OK(graph_send_check(&m, 0, why, sizeof(why)) == 0, "13 quick replies");
	m.nquick_replies = 14;
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "14 quick replies refused");
	m.nquick_replies = 1;
	qr[0].title = "123456789012345678901";
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "21-character title refused");
	qr[0].title = "Yes";
	qr[0].payload = NULL;
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "text quick reply needs a payload");
	qr[0].content_type = "user_email";
	OK(graph_send_check(&m, 0, why, sizeof(why)) == 0, "user_email needs none");
	qr[0].content_type = NULL;
	qr[0].payload = "Y";
	body = graph_send_body("7300", &m, 0, why, sizeof(why));
	OK(body != NULL, "body built");
	s = cJSON_PrintUnformatted(body);
	EQ_STR(s, "{\"recipient\":{\"id\":\"7300\"},\"messaging_type\":\"RESPONSE\","
	    "\"message\":{\"text\":\"hi\",\"quick_replies\":[{\"content_type\":"
	    "\"text\",\"title\":\"Yes\",\"payload\":\"Y\"}]}}", "Messenger's body shape");
	free(s);
	cJSON_Delete(body);
	memset(&m, 0, sizeof(m));
	for (i = 0; i < 4; i++) {
		b[i].type = "postback";
		b[i].title = "Go";
		b[i].value = "GO";
	}
	m.kind = GRAPH_MSG_BUTTONS;
	m.text = "Pick";
	m.buttons = b;
	m.nbuttons = 3;
	OK(graph_send_check(&m, 0, why, sizeof(why)) == 0, "3 buttons");
	m.nbuttons = 4;
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "4 buttons refused");
	m.nbuttons = 0;
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "0 buttons refused");
	m.nbuttons = 1;
	b[0].type = "web_url";
	b[0].value = "javascript:alert(1)";
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "non-http button URL refused");
	b[0].value = "https://example.com/";
	body = graph_send_body("7300", &m, 0, why, sizeof(why));
	s = cJSON_PrintUnformatted(body);
	OK(s != NULL && strstr(s, "\"attachment\":{\"type\":\"template\","
	    "\"payload\":{\"template_type\":\"button\",\"text\":\"Pick\","
	    "\"buttons\":[{\"type\":\"web_url\",\"title\":\"Go\",\"url\":"
	    "\"https://example.com/\"}]}}") != NULL, "button template shape");
	free(s);
	cJSON_Delete(body);
	memset(&m, 0, sizeof(m));
	for (i = 0; i < 11; i++) {
		el[i].title = "T";
		el[i].subtitle = NULL;
		el[i].image_url = NULL;
		el[i].buttons = NULL;
		el[i].nbuttons = 0;
	}
	m.kind = GRAPH_MSG_GENERIC;
	m.elements = el;
	m.nelements = 10;
	OK(graph_send_check(&m, 0, why, sizeof(why)) == 0, "10 elements");
	m.nelements = 11;
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "11 elements refused");
	m.nelements = 1;
	big[81] = '\0';
	memset(big, 'x', 81);
	el[0].title = big;
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "81-character title refused");
	memset(&m, 0, sizeof(m));
	m.kind = GRAPH_MSG_ATTACHMENT;
	m.attachment_type = "image";
	m.attachment_url = "https://example.com/a.png";
	OK(graph_send_check(&m, 0, why, sizeof(why)) == 0, "image by URL");
	m.attachment_type = "sticker";
	OK(graph_send_check(&m, 0, why, sizeof(why)) == -1, "unknown attachment type");
	free(big);
}

static void
test_local_results(void)
{
	struct graph_message	 m;
	struct conf		*c;
	struct graph		*g;
	char			 err[256], big[2100];

	/* A closed loopback port: nothing listens, nothing leaves. */
	c = conf_load_string("app_id = 42\napp_secret = s-app-secret-0123456789\n"
	    "graph_base_url = http://127.0.0.1:1\ngraph_connect_timeout_ms = 500\n",
	    "t", err, sizeof(err));
	g = graph_new(c, err, sizeof(err));
	OK(g != NULL, "client for a closed port");
	memset(&m, 0, sizeof(m));
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	m.kind = GRAPH_MSG_TEXT;
	m.text = big;
	OK(graph_send_messenger(g, "1", "tok", "2", &m, &res) == -1, "over the limit: -1");
	OK(res.local && res.cls == GRAPH_PERMANENT && res.reason == GRAPH_REASON_LIMIT,
	    "local permanent limit, no round trip");
	graph_result_free(&res);
	OK(graph_send_whatsapp_text(g, "1", "tok", "not-a-number", "hi", 0, &res) == -1 &&
	    res.local && res.reason == GRAPH_REASON_PARAMETER, "bad WhatsApp number: local");
	graph_result_free(&res);
	OK(graph_send_action(g, "1", "tok", "2", "dance", &res) == -1 && res.local,
	    "unknown sender_action: local");
	graph_result_free(&res);
	OK(graph_call(g, GRAPH_GET, "/me", NULL, NULL, GRAPH_AUTH_USER, "tok",
	    &res) == -1, "closed port: -1");
	EQ_STR(graph_class_names[res.cls], "retry", "connection refused: retry");
	EQ_INT(res.local, 0, "it was tried");
	graph_result_free(&res);
	graph_free(g);
	conf_free(c);
}

/* debug_token's granular scopes: ids as strings or numbers, a scope
 * without target_ids covering every object, a scope only in scopes. */
static void
test_scope_covers(void)
{
	cJSON *j = cJSON_Parse("{\"data\":{\"is_valid\":true,"
	    "\"scopes\":[\"whatsapp_business_management\","
	    "\"whatsapp_business_messaging\",\"business_management\"],"
	    "\"granular_scopes\":[{\"scope\":\"whatsapp_business_management\","
	    "\"target_ids\":[\"102290129340398\",102290129340400]},"
	    "{\"scope\":\"whatsapp_business_messaging\"}]}}");

	OK(j != NULL, "a debug_token answer parses");
	EQ_INT(graph_oauth_scope_covers(j, "whatsapp_business_management",
	    "102290129340398"), 1, "a target listed as a string is covered");
	EQ_INT(graph_oauth_scope_covers(j, "whatsapp_business_management",
	    "102290129340400"), 1, "... and one listed as a number");
	EQ_INT(graph_oauth_scope_covers(j, "whatsapp_business_management",
	    "102290129340399"), 0, "another account is not covered");
	EQ_INT(graph_oauth_scope_covers(j, "whatsapp_business_messaging",
	    "102290129340399"), 1, "no target_ids: every account");
	EQ_INT(graph_oauth_scope_covers(j, "business_management", "1"), 1,
	    "in scopes but not granular: granted");
	EQ_INT(graph_oauth_scope_covers(j, "pages_messaging", "1"), -1,
	    "a scope not granted: -1");
	cJSON_Delete(j);
}

int
main(void)
{
	log_set_fd(open("/dev/null", O_WRONLY));
	test_classify();
	test_usage();
	test_urls();
	test_proof_and_redaction();
	test_split();
	test_limits();
	test_local_results();
	test_scope_covers();
	return test_done();
}
