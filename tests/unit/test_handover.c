/*
 * Conversation Routing with Meta's inbox: the setting, the metadata of
 * a pass, and the Graph calls (graph_thread.h).
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "graph_thread.h"
#include "handover.h"
#include "test.h"

static void
test_setting(void)
{
	OK(handover_page_inbox("{\"enabled\":true,\"page_inbox\":true}"),
	    "page_inbox true: on");
	OK(!handover_page_inbox("{\"enabled\":true,\"page_inbox\":false}"),
	    "page_inbox false: off");
	OK(!handover_page_inbox("{\"enabled\":true}"), "absent: off");
	OK(!handover_page_inbox("{\"page_inbox\":\"yes\"}"), "not a boolean: off");
	OK(!handover_page_inbox(NULL), "no settings: off");
	OK(!handover_page_inbox("{not json"), "settings that do not parse: off");
}

static void
test_metadata(void)
{
	char	 out[64], small[32];
	size_t	 i;

	handover_metadata("asked for a person (\"person\")", out, sizeof(out));
	EQ_STR(out, "hubgate: escalated: asked for a person (\"person\")",
	    "the reason after a prefix");
	handover_metadata(NULL, out, sizeof(out));
	EQ_STR(out, "hubgate: escalated: ", "no reason");
	handover_metadata("line\none\ttwo", out, sizeof(out));
	EQ_STR(out, "hubgate: escalated: line one two",
	    "control bytes become blanks");
	/* 20 bytes of prefix, then "é" (2 bytes) cut after its first
	 * byte at 31 bytes: the half character goes. */
	handover_metadata("0123456789\xc3\xa9", small, sizeof(small));
	EQ_STR(small, "hubgate: escalated: 0123456789", "a character cut in "
	    "two is dropped whole");
	handover_metadata("012345678\xe2\x82\xac", small, sizeof(small));
	EQ_STR(small, "hubgate: escalated: 012345678", "... a three-byte one "
	    "too");
	handover_metadata("01234567\xc3\xa9" "x", small, sizeof(small));
	EQ_STR(small, "hubgate: escalated: 01234567\xc3\xa9" "x",
	    "a character that fits stays");
	handover_metadata("0123456789\xc3\xa9", small, 31);
	for (i = 0; small[i] != '\0'; i++)
		;
	EQ_INT(i, 30, "... cut only by the room");
}

/* The body of b (JSON) for recipient, page and ig, and its path; NULL
 * with why. */
static char *
build(const char *b, const char *page, const char *to, int ig, char *path,
    size_t pathsz, char *why, size_t whysz)
{
	cJSON	*j = cJSON_Parse(b), *o;
	char	*s;

	o = graph_thread_body(j, page, to, ig, path, pathsz, why, whysz);
	cJSON_Delete(j);
	if (o == NULL)
		return NULL;
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void
test_graph(void)
{
	char	 path[128], why[128], big[1200];
	char	*s;

	OK(graph_thread_action("pass_thread_control"), "pass is a call");
	OK(graph_thread_action("take_thread_control"), "take is a call");
	OK(!graph_thread_action("mark_seen"), "mark_seen is not");
	OK(!graph_thread_action(NULL), "nothing is not");
	s = build("{\"action\":\"pass_thread_control\",\"target_app_id\":\""
	    GRAPH_PAGE_INBOX_APP_ID "\",\"metadata\":\"m\"}", "104857600000001",
	    "7300000000000001", 0, path, sizeof(path), why, sizeof(why));
	EQ_STR(s, "{\"recipient\":{\"id\":\"7300000000000001\"},"
	    "\"target_app_id\":\"263902037430900\",\"metadata\":\"m\"}",
	    "a pass: recipient, target app, metadata");
	EQ_STR(path, "/104857600000001/pass_thread_control", "... to the Page");
	free(s);
	s = build("{\"action\":\"take_thread_control\",\"metadata\":\"back\"}",
	    "17841400000000001", "5300000000000001", 1, path, sizeof(path), why,
	    sizeof(why));
	EQ_STR(s, "{\"recipient\":{\"id\":\"5300000000000001\"},"
	    "\"metadata\":\"back\"}", "a take: no target app");
	EQ_STR(path, "/me/take_thread_control", "... Instagram's through /me");
	free(s);
	OK(build("{\"action\":\"pass_thread_control\"}", "1", "2", 0, path,
	    sizeof(path), why, sizeof(why)) == NULL, "a pass without a "
	    "target app: refused");
	EQ_STR(why, "pass_thread_control needs a target app id", "... saying so");
	OK(build("{\"action\":\"take_thread_control\"}", "1", "2/x", 0, path,
	    sizeof(path), why, sizeof(why)) == NULL, "a recipient that is no id: "
	    "refused");
	OK(build("{\"action\":\"mark_seen\"}", "1", "2", 0, path, sizeof(path),
	    why, sizeof(why)) == NULL, "another action: refused");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "{\"action\":\"take_thread_control\",\"metadata\":\"", 44);
	memcpy(big + sizeof(big) - 3, "\"}", 2);
	OK(build(big, "1", "2", 0, path, sizeof(path), why, sizeof(why)) == NULL,
	    "metadata over 1000 bytes: refused");
	OK(build("{\"action\":\"take_thread_control\",\"metadata\":\"\\u00ff\"}",
	    "1", "2", 0, path, 10, why, sizeof(why)) == NULL, "a path that "
	    "does not fit: refused");
}

int
main(void)
{
	test_setting();
	test_metadata();
	test_graph();
	return test_done();
}
