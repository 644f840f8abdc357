/*
 * Unit tests for lib/envelope: the light parse of a webhook body, on
 * Meta's sample payloads and on hostile bodies.  The payloads are the
 * JSON files of tests/data, read by test_fixture().
 */
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "limits.h"
#include "test.h"

struct want {
	const char	*file;
	const char	*object;
	const char	*kind;
	const char	*entry_ids;
	const char	*phone_ids;
	const char	*route0, *route1;
	size_t		 nroute;
	long long	 sent_ms;
	size_t		 items;
};

static void
test_payloads(void)
{
	static const struct want w[] = {
		{ "messenger-text.json", "page", "page",
		  "[\"104857600000001\"]", "[]", "104857600000001", NULL, 1,
		  1763856000123LL, 1 },
		{ "messenger-standby.json", "page", "page",
		  "[\"104857600000001\"]", "[]", "104857600000001", NULL, 1,
		  1763856200000LL, 1 },
		{ "messenger-mixed-batch.json", "page", "page",
		  "[\"104857600000001\",\"104857600000002\"]", "[]",
		  "104857600000001", "104857600000002", 2,
		  1763856100500LL, 6 },
		{ "feed-comment.json", "page", "page",
		  "[\"104857600000001\"]", "[]", "104857600000001", NULL, 1,
		  1763856600000LL, 1 },
		{ "instagram-text.json", "instagram", "instagram",
		  "[\"17841400000000001\"]", "[]", "17841400000000001", NULL, 1,
		  1763856300000LL, 1 },
		{ "whatsapp-text.json", "whatsapp_business_account", "whatsapp",
		  "[\"102290129340398\"]", "[\"106540352242922\"]",
		  "106540352242922", NULL, 1,
		  1763856400000LL, 2 },
		{ "whatsapp-status.json", "whatsapp_business_account",
		  "whatsapp", "[\"102290129340398\"]", "[\"106540352242922\"]",
		  "106540352242922", NULL, 1,
		  1763856500000LL, 3 },
	};
	struct envelope	 e;
	char			 name[128];
	char			*body;
	size_t			 i, len = 0;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		body = test_fixture(w[i].file, &len);
		snprintf(name, sizeof(name), "%s: parsed", w[i].file);
		EQ_INT(envelope_parse(body, len, &e), 0, name);
		snprintf(name, sizeof(name), "%s: valid", w[i].file);
		EQ_INT(e.valid, 1, name);
		snprintf(name, sizeof(name), "%s: object", w[i].file);
		EQ_STR(e.object, w[i].object, name);
		snprintf(name, sizeof(name), "%s: route kind", w[i].file);
		EQ_STR(e.route_kind, w[i].kind, name);
		snprintf(name, sizeof(name), "%s: entry ids", w[i].file);
		EQ_STR(e.entry_ids, w[i].entry_ids, name);
		snprintf(name, sizeof(name), "%s: phone ids", w[i].file);
		EQ_STR(e.phone_ids, w[i].phone_ids, name);
		snprintf(name, sizeof(name), "%s: sent time", w[i].file);
		EQ_INT(e.sent_ms, w[i].sent_ms, name);
		snprintf(name, sizeof(name), "%s: items", w[i].file);
		EQ_INT(e.items, w[i].items, name);
		snprintf(name, sizeof(name), "%s: parsed body kept", w[i].file);
		OK(e.root != NULL, name);
		snprintf(name, sizeof(name), "%s: route count", w[i].file);
		EQ_INT(e.nroute, w[i].nroute, name);
		snprintf(name, sizeof(name), "%s: route id", w[i].file);
		EQ_STR(e.nroute > 0 ? e.route_ids[0] : NULL, w[i].route0, name);
		if (w[i].route1 != NULL) {
			snprintf(name, sizeof(name), "%s: second route id",
			    w[i].file);
			EQ_STR(e.nroute > 1 ? e.route_ids[1] : NULL,
			    w[i].route1, name);
		}
		envelope_free(&e);
		OK(e.object == NULL && e.route_ids == NULL && e.nroute == 0,
		    "free clears");
		envelope_free(&e);

		/* The same body with one byte of trailing garbage. */
		body[len - 1] = body[len - 1] == '\n' ? 'x' : body[len - 1];
		if (body[len - 1] != 'x') {
			char *b2 = realloc(body, len + 2);

			if (b2 == NULL)
				continue;
			body = b2;
			body[len++] = 'x';
			body[len] = '\0';
		}
		envelope_parse(body, len, &e);
		snprintf(name, sizeof(name), "%s + garbage: invalid", w[i].file);
		EQ_INT(e.valid, 0, name);
		envelope_free(&e);
		free(body);
	}
}

/* Parse a NUL-terminated body; returns valid, or -1 when the call
 * failed, after checking the invariants of an invalid result. */
static int
valid(const char *body, size_t len)
{
	struct envelope	 e;
	int			 v;

	if (envelope_parse(body, len, &e) == -1)
		return -1;
	v = e.valid;
	if (!v && (e.object != NULL || e.why == NULL || e.nroute != 0 ||
	    e.entry_ids == NULL || strcmp(e.entry_ids, "[]") != 0 ||
	    e.phone_ids == NULL || strcmp(e.phone_ids, "[]") != 0 ||
	    e.root != NULL))
		v = 99;		/* an invalid result with stray contents */
	envelope_free(&e);
	return v;
}

#define VALID(s)	valid((s), strlen(s))

/* The parsed body is kept only for events small enough to be processed
 * inside their commit. */
static void
test_commit_size(void)
{
	struct envelope	 e;
	char		 body[8192];
	size_t		 len;
	int		 n, i;

	for (n = HG_COMMIT_ITEMS_MAX; n <= HG_COMMIT_ITEMS_MAX + 1; n++) {
		len = (size_t)snprintf(body, sizeof(body),
		    "{\"object\":\"page\",\"entry\":[{\"id\":\"P\","
		    "\"time\":1763856000123,\"messaging\":[");
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(body + len, sizeof(body) - len,
			    "%s{\"message\":{\"mid\":\"m%d\"}}",
			    i > 0 ? "," : "", i);
		len += (size_t)snprintf(body + len, sizeof(body) - len, "]}]}");
		if (envelope_parse(body, len, &e) == -1)
			continue;
		EQ_INT(e.items, n, "items counted");
		if (n <= HG_COMMIT_ITEMS_MAX)
			OK(e.root != NULL, "at the limit: parsed body kept");
		else
			OK(e.root == NULL, "over the limit: not kept");
		envelope_free(&e);
	}
}

static void
test_hostile(void)
{
	static const char *const not_json[] = {
		"", " ", "{", "}", "{\"object\":\"page\"", "{\"object\":page}",
		"{'object':'page'}", "{\"object\":\"page\",}",
		"{\"object\":\"page\"} x", "{\"object\":\"page\"}{}",
		"{\"object\":\"page\"}}", "{\"object\":\"page\"}]",
		"{\"object\":\"pa\nge\"}", "{\"object\":\"\\x41\"}",
		"{\"object\":\"\\ud800\"}", "{\"object\":\"\\udc00\"}",
		"NaN", "{\"object\":\"page\",\"n\":01}",
		NULL
	};
	static const char *const not_envelope[] = {
		"null", "true", "0", "\"page\"", "[]", "[{\"object\":\"page\"}]",
		"{}", "{\"obj\":\"page\"}", "{\"Object\":\"page\"}",
		"{\"object\":5}", "{\"object\":null}", "{\"object\":[\"page\"]}",
		"{\"object\":{}}", "{\"object\":true}",
		NULL
	};
	struct envelope	 e;
	char			 name[160], *deep;
	size_t			 i, n;

	for (i = 0; not_json[i] != NULL; i++) {
		snprintf(name, sizeof(name), "not JSON: %s", not_json[i]);
		EQ_INT(VALID(not_json[i]), 0, name);
	}
	for (i = 0; not_envelope[i] != NULL; i++) {
		snprintf(name, sizeof(name), "not an envelope: %s",
		    not_envelope[i]);
		EQ_INT(VALID(not_envelope[i]), 0, name);
	}
	EQ_INT(VALID("{\"object\":\"page\"}\n"), 1, "trailing newline is fine");
	EQ_INT(VALID(" \t\r\n{\"object\":\"page\"} \t\r\n"), 1,
	    "surrounding whitespace is fine");
	EQ_INT(VALID("{\"object\":\"page\",\"object\":\"x\"}"), 1,
	    "duplicate key: still an envelope");

	/* Embedded NUL bytes. */
	EQ_INT(valid("{\"object\":\"page\"}\0junk", 21), 0,
	    "NUL then junk after the JSON");
	EQ_INT(valid("{\"object\":\"page\"}\0", 18), 0,
	    "a NUL right after the JSON");
	EQ_INT(valid("{\"object\":\"pa\0ge\"}", 18), 0, "NUL inside a string");
	EQ_INT(valid("\0{\"object\":\"page\"}", 18), 0, "NUL first");
	EQ_INT(VALID("\x01{\"object\":\"page\"}"), 0,
	    "control byte before the JSON is not whitespace");
	EQ_INT(VALID("{\"object\":\"page\"}\x0b"), 0,
	    "vertical tab after the JSON is not whitespace");
	EQ_INT(valid("{\"object\":\"page\"}", 10), 0,
	    "len shorter than the text: cut JSON");

	/* Invalid UTF-8 anywhere. */
	EQ_INT(VALID("{\"object\":\"page\",\"t\":\"\xff\"}"), 0,
	    "0xff in a string");
	EQ_INT(VALID("{\"object\":\"page\",\"t\":\"\xc0\xaf\"}"), 0,
	    "overlong '/' in a string");
	EQ_INT(VALID("{\"object\":\"page\",\"t\":\"\xed\xa0\x80\"}"), 0,
	    "raw surrogate in a string");
	EQ_INT(VALID("{\"object\":\"page\",\"t\":\"\xe2\x82\"}"), 0,
	    "truncated sequence in a string");
	EQ_INT(VALID("{\"object\":\"pag\xc3\"}"), 0, "truncated in the object");
	EQ_INT(VALID("{\"object\":\"page\",\"t\":\"\xc3\xa9\xf0\x9f\x98\x80\"}"),
	    1, "good UTF-8 is fine");
	envelope_parse("{\"object\":\"page\",\"t\":\"\xff\"}", 26, &e);
	OK(e.why != NULL && strstr(e.why, "UTF-8") != NULL,
	    "why names UTF-8");
	envelope_free(&e);

	/* Very deep nesting: refused, no stack overflow. */
	n = 100000;
	deep = malloc(2 * n + 64);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = '\0';
	EQ_INT(valid(deep, 2 * n), 0, "100000 nested arrays: invalid");
	memset(deep, '[', n);
	deep[n] = '\0';
	EQ_INT(valid(deep, n), 0, "100000 unclosed arrays: invalid");
	for (i = 0; i < n / 5; i++)
		memcpy(deep + 5 * i, "{\"a\":", 5);
	deep[5 * (n / 5)] = '\0';
	EQ_INT(valid(deep, strlen(deep)), 0, "20000 nested objects: invalid");
	n = 50000;
	i = (size_t)snprintf(deep, 64, "{\"object\":\"page\",\"x\":");
	memset(deep + i, '[', n);
	memset(deep + i + n, ']', n);
	memcpy(deep + i + 2 * n, "}", 2);
	EQ_INT(valid(deep, strlen(deep)), 0,
	    "envelope holding 50000 nested arrays: invalid");
	free(deep);

	/* Overlong object name. */
	{
		char	 b[200];
		char	 o[HG_META_ID_MAX + 2];

		memset(o, 'o', sizeof(o) - 1);
		o[sizeof(o) - 1] = '\0';
		snprintf(b, sizeof(b), "{\"object\":\"%s\"}", o);
		EQ_INT(VALID(b), 0, "object name past HG_META_ID_MAX");
		o[sizeof(o) - 2] = '\0';
		snprintf(b, sizeof(b), "{\"object\":\"%s\"}", o);
		EQ_INT(VALID(b), 1, "object name of HG_META_ID_MAX");
	}
}

static void
test_shapes(void)
{
	struct envelope	 e;
	const char		*b;
	char			*big;
	size_t			 i, o;

	b = "{\"object\":\"user\",\"entry\":[{\"id\":\"42\",\"changes\":[]}]}";
	EQ_INT(envelope_parse(b, strlen(b), &e), 0, "unknown object parses");
	EQ_INT(e.valid, 1, "unknown object is valid");
	EQ_STR(e.object, "user", "unknown object kept");
	OK(e.route_kind == NULL, "unknown object: no route kind");
	EQ_INT(e.nroute, 0, "unknown object: nothing to route");
	EQ_STR(e.entry_ids, "[\"42\"]", "unknown object: entry ids noted");
	envelope_free(&e);

	b = "{\"object\":\"page\",\"entry\":[{\"id\":104857600000001},"
	    "{\"id\":-5},{\"id\":1e30},{\"id\":true},{\"id\":null},{},5,\"x\","
	    "null,[{\"id\":\"9\"}]]}";
	EQ_INT(envelope_parse(b, strlen(b), &e), 0, "odd entries parse");
	EQ_INT(e.valid, 1, "odd entries: valid");
	EQ_STR(e.entry_ids, "[\"104857600000001\"]",
	    "numeric id as a string; bad ids skipped");
	EQ_INT(e.nroute, 1, "one routable id");
	envelope_free(&e);

	b = "{\"object\":\"page\",\"entry\":{\"id\":\"1\"}}";
	EQ_INT(envelope_parse(b, strlen(b), &e), 0, "entry not an array");
	OK(e.valid == 1 && e.nroute == 0 && strcmp(e.entry_ids, "[]") == 0,
	    "entry not an array: valid, no ids");
	envelope_free(&e);

	b = "{\"object\":\"page\"}";
	EQ_INT(envelope_parse(b, strlen(b), &e), 0, "no entry");
	OK(e.valid == 1 && e.nroute == 0, "no entry: valid, nothing to route");
	envelope_free(&e);

	/* An id longer than HG_META_ID_MAX is not routed. */
	big = malloc(HG_META_ID_MAX + 100);
	o = (size_t)snprintf(big, 40, "{\"object\":\"page\",\"entry\":[{\"id\":\"");
	memset(big + o, '7', HG_META_ID_MAX + 1);
	memcpy(big + o + HG_META_ID_MAX + 1, "\"}]}", 5);
	EQ_INT(envelope_parse(big, strlen(big), &e), 0, "long id parses");
	OK(e.valid == 1 && e.nroute == 0, "id past HG_META_ID_MAX skipped");
	envelope_free(&e);
	free(big);

	/* WhatsApp: route on phone_number_id, never on the WABA id. */
	b = "{\"object\":\"whatsapp_business_account\",\"entry\":["
	    "{\"id\":\"WABA1\",\"changes\":["
	    "{\"value\":{\"metadata\":{\"phone_number_id\":\"P1\"}}},"
	    "{\"value\":{\"metadata\":{\"phone_number_id\":\"P2\"}}},"
	    "{\"value\":{\"metadata\":{}}},{\"value\":5},{}]},"
	    "{\"id\":\"WABA2\",\"changes\":{\"value\":{}}}]}";
	EQ_INT(envelope_parse(b, strlen(b), &e), 0, "WhatsApp parses");
	EQ_STR(e.route_kind, "whatsapp", "WhatsApp kind");
	EQ_STR(e.entry_ids, "[\"WABA1\",\"WABA2\"]", "WABA ids noted");
	EQ_STR(e.phone_ids, "[\"P1\",\"P2\"]", "phone number ids noted");
	EQ_INT(e.nroute, 2, "routed on the two phone number ids");
	OK(e.nroute == 2 && strcmp(e.route_ids[0], "P1") == 0 &&
	    strcmp(e.route_ids[1], "P2") == 0, "route ids are the phone ids");
	envelope_free(&e);

	b = "{\"object\":\"page\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"value\":"
	    "{\"metadata\":{\"phone_number_id\":\"P1\"}}}]}]}";
	envelope_parse(b, strlen(b), &e);
	EQ_STR(e.phone_ids, "[]", "phone ids only for WhatsApp");
	envelope_free(&e);

	/* At most HG_ENVELOPE_IDS_MAX ids. */
	big = malloc(40 + (HG_ENVELOPE_IDS_MAX + 10) * 20);
	o = (size_t)snprintf(big, 40, "{\"object\":\"page\",\"entry\":[");
	for (i = 0; i < HG_ENVELOPE_IDS_MAX + 10; i++)
		o += (size_t)snprintf(big + o, 20, "%s{\"id\":\"%zu\"}",
		    i ? "," : "", i + 1);
	memcpy(big + o, "]}", 3);
	EQ_INT(envelope_parse(big, o + 2, &e), 0, "big batch parses");
	OK(e.valid && e.nroute <= HG_ENVELOPE_IDS_MAX && e.nroute >= 1,
	    "ids capped at HG_ENVELOPE_IDS_MAX");
	envelope_free(&e);
	free(big);
}

int
main(void)
{
	test_payloads();
	test_hostile();
	test_commit_size();
	test_shapes();
	return test_done();
}
