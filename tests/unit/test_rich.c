/*
 * Rich replies (lib/pipeline/rich.c) and their templates
 * (lib/meta/graph_send.c), and a rule's assignment to a group of
 * people (lib/pipeline/rules.c): the shapes of buttons and generic templates
 * (counts, lengths in characters, links, one of payload or url, fields
 * that do not belong), as a rule's reply; Meta's payload built from
 * them with placeholders filled (never in a URL); that payload read
 * back into a message and checked against Meta's limits, on Messenger
 * and Instagram.
 */
#include "test.h"

#include <cjson/cJSON.h>

#include "graph_send.h"
#include "rich.h"
#include "rules.h"

static cJSON *
J(const char *s)
{
	cJSON *j = cJSON_Parse(s);

	if (j == NULL) {
		printf("# bad JSON in the test: %s\n", s);
		exit(1);
	}
	return j;
}

/* rich_validate of a reply (JSON); why into w. */
static int
valid(const char *reply, char *w, size_t wsz)
{
	cJSON	*j = J(reply);
	int	 rc;

	w[0] = '\0';
	rc = rich_validate(j, w, wsz);
	cJSON_Delete(j);
	return rc;
}

/* A string of n copies of c (a static buffer of up to 1000). */
static const char *
many(char c, size_t n)
{
	static char	 b[1001];

	memset(b, c, n);
	b[n] = '\0';
	return b;
}

static void
test_shapes(void)
{
	static const struct {
		const char	*reply, *why, *name;
	} bad[] = {
		{ "{\"text\":\"t\",\"buttons\":[]}", "then.reply.buttons: a list "
		    "of 1 to 3", "no buttons" },
		{ "{\"text\":\"t\",\"buttons\":[{\"title\":\"a\",\"payload\":\"a\"},"
		    "{\"title\":\"b\",\"payload\":\"b\"},{\"title\":\"c\","
		    "\"payload\":\"c\"},{\"title\":\"d\",\"payload\":\"d\"}]}",
		    "then.reply.buttons: a list of 1 to 3", "four buttons" },
		{ "{\"text\":\"t\",\"buttons\":{\"title\":\"a\"}}",
		    "then.reply.buttons: a list", "buttons not a list" },
		{ "{\"buttons\":[{\"title\":\"a\",\"payload\":\"a\"}]}",
		    "then.reply.text (with buttons)", "buttons without text" },
		{ "{\"text\":\"\",\"buttons\":[{\"title\":\"a\",\"payload\":"
		    "\"a\"}]}", "then.reply.text (with buttons)", "empty text" },
		{ "{\"text\":\"t\",\"buttons\":[{\"title\":\"\",\"payload\":"
		    "\"a\"}]}", "then.reply.buttons[0].title", "empty title" },
		{ "{\"text\":\"t\",\"buttons\":[{\"title\":\"a\"}]}",
		    "then.reply.buttons[0]: a payload", "neither payload nor url" },
		{ "{\"text\":\"t\",\"buttons\":[{\"title\":\"a\",\"payload\":"
		    "\"p\",\"url\":\"https://e.org/\"}]}",
		    "then.reply.buttons[0]: a payload", "both payload and url" },
		{ "{\"text\":\"t\",\"buttons\":[{\"title\":\"a\",\"url\":"
		    "\"http://e.org/\"}]}", "then.reply.buttons[0].url: an https",
		    "a plain http link" },
		{ "{\"text\":\"t\",\"buttons\":[{\"title\":\"a\",\"url\":"
		    "\"https:///path\"}]}", "then.reply.buttons[0].url",
		    "a link without a host" },
		{ "{\"text\":\"t\",\"buttons\":[{\"title\":\"a\",\"url\":"
		    "\"https://e.org/a b\"}]}", "then.reply.buttons[0].url",
		    "a link with a blank" },
		{ "{\"text\":\"t\",\"buttons\":[{\"title\":\"a\",\"payload\":"
		    "\"p\",\"type\":\"phone_number\"}]}",
		    "then.reply.buttons[0]: {\"title\", \"payload\"} or "
		    "{\"title\", \"url\"}, not type", "a field that does not belong" },
		{ "{\"text\":\"t\",\"buttons\":[{\"title\":\"a\",\"payload\":"
		    "\"p\"}],\"template\":{\"name\":\"x\"}}",
		    "then.reply: template does not go with buttons",
		    "buttons with a WhatsApp template" },
		{ "{\"text\":\"t\",\"buttons\":[{\"title\":\"a\",\"payload\":"
		    "\"p\"}],\"generic\":[{\"title\":\"t\"}]}",
		    "not both", "buttons and generic together" },
		{ "{\"generic\":[]}", "then.reply.generic: a list of 1 to 10",
		    "no elements" },
		{ "{\"generic\":[{\"subtitle\":\"s\"}]}",
		    "then.reply.generic[0].title", "an element without a title" },
		{ "{\"generic\":[{\"title\":\"t\",\"image_url\":\"ftp://e.org/"
		    "i.png\"}]}", "then.reply.generic[0].image_url: an https",
		    "an image that is not https" },
		{ "{\"generic\":[{\"title\":\"t\"},{\"title\":\"u\",\"buttons\":["
		    "{\"title\":\"a\",\"payload\":\"a\"},{\"title\":\"b\","
		    "\"payload\":\"b\"},{\"title\":\"c\",\"payload\":\"c\"},"
		    "{\"title\":\"d\",\"payload\":\"d\"}]}]}",
		    "then.reply.generic[1].buttons: a list of 0 to 3",
		    "an element with four buttons" },
		{ "{\"generic\":[{\"title\":\"t\"}],\"text\":\"x\"}",
		    "then.reply: a generic template has no text",
		    "a generic template with a text" },
		{ "{\"generic\":[\"t\"]}", "then.reply.generic[0]",
		    "an element that is not an object" },
	};
	char	 w[300], big[4000];
	size_t	 i;
	int	 ok;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EQ_INT(valid(bad[i].reply, w, sizeof(w)), -1, bad[i].name);
		ok = strstr(w, bad[i].why) != NULL;
		OK(ok, "... and why names it");
		if (!ok)
			printf("#   why: %s\n#   want: %s\n", w, bad[i].why);
	}
	EQ_INT(valid("{\"text\":\"Pick\",\"buttons\":[{\"title\":\"Site\","
	    "\"url\":\"https://example.org/x?y=1\"},{\"title\":\"Person\","
	    "\"payload\":\"HUMAN\"}]}", w, sizeof(w)), 0, "a link and a postback");
	EQ_INT(valid("{\"generic\":[{\"title\":\"t\",\"subtitle\":\"s\","
	    "\"image_url\":\"https://e.org/i.png\",\"buttons\":[{\"title\":\"a\","
	    "\"payload\":\"a\"}]},{\"title\":\"u\"}],\"quick_replies\":[\"Hours\"]}",
	    w, sizeof(w)), 0, "a generic template of two, quick replies");

	/* Lengths are characters, not bytes. */
	snprintf(big, sizeof(big), "{\"text\":\"t\",\"buttons\":[{\"title\":"
	    "\"%s\",\"payload\":\"p\"}]}", many('x', 20));
	EQ_INT(valid(big, w, sizeof(w)), 0, "a title of 20 characters");
	snprintf(big, sizeof(big), "{\"text\":\"t\",\"buttons\":[{\"title\":"
	    "\"%s\",\"payload\":\"p\"}]}", many('x', 21));
	EQ_INT(valid(big, w, sizeof(w)), -1, "a title of 21: refused");
	EQ_INT(valid("{\"text\":\"t\",\"buttons\":[{\"title\":\"\\u00e9\\u00e9"
	    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
	    "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\","
	    "\"payload\":\"p\"}]}", w, sizeof(w)), 0,
	    "twenty accented letters (40 bytes) are 20 characters");
	snprintf(big, sizeof(big), "{\"text\":\"%s\",\"buttons\":[{\"title\":"
	    "\"a\",\"payload\":\"p\"}]}", many('x', 640));
	EQ_INT(valid(big, w, sizeof(w)), 0, "a text of 640");
	snprintf(big, sizeof(big), "{\"text\":\"%s\",\"buttons\":[{\"title\":"
	    "\"a\",\"payload\":\"p\"}]}", many('x', 641));
	EQ_INT(valid(big, w, sizeof(w)), -1, "a text of 641: refused");
	snprintf(big, sizeof(big), "{\"generic\":[{\"title\":\"%s\"}]}",
	    many('x', 80));
	EQ_INT(valid(big, w, sizeof(w)), 0, "a title of 80");
	snprintf(big, sizeof(big), "{\"generic\":[{\"title\":\"%s\"}]}",
	    many('x', 81));
	EQ_INT(valid(big, w, sizeof(w)), -1, "a title of 81: refused");
	snprintf(big, sizeof(big), "{\"generic\":[{\"title\":\"t\",\"subtitle\":"
	    "\"%s\"}]}", many('x', 81));
	EQ_INT(valid(big, w, sizeof(w)), -1, "a subtitle of 81: refused");
	snprintf(big, sizeof(big), "{\"generic\":[%s{\"title\":\"t\"}]}",
	    "{\"title\":\"t\"},{\"title\":\"t\"},{\"title\":\"t\"},"
	    "{\"title\":\"t\"},{\"title\":\"t\"},{\"title\":\"t\"},"
	    "{\"title\":\"t\"},{\"title\":\"t\"},{\"title\":\"t\"},");
	EQ_INT(valid(big, w, sizeof(w)), 0, "ten elements");
	snprintf(big, sizeof(big), "{\"generic\":[%s{\"title\":\"t\"}]}",
	    "{\"title\":\"t\"},{\"title\":\"t\"},{\"title\":\"t\"},"
	    "{\"title\":\"t\"},{\"title\":\"t\"},{\"title\":\"t\"},"
	    "{\"title\":\"t\"},{\"title\":\"t\"},{\"title\":\"t\"},"
	    "{\"title\":\"t\"},");
	EQ_INT(valid(big, w, sizeof(w)), -1, "eleven elements: refused");
}

static void
test_in_rules(void)
{
	cJSON	*r;
	char	 w[300];

	r = J("{\"name\":\"n\",\"when\":{\"keywords\":[\"a\"]},\"then\":["
	    "{\"reply\":{\"text\":\"t\",\"buttons\":[{\"title\":\"a\","
	    "\"payload\":\"A\"}],\"quick_replies\":[\"Hours\"]}}]}");
	EQ_INT(rules_validate(r, w, sizeof(w)), 0, "a rule with buttons");
	cJSON_Delete(r);
	r = J("{\"name\":\"n\",\"when\":{\"keywords\":[\"a\"]},\"then\":["
	    "{\"reply\":{\"text\":\"t\",\"buttons\":[{\"title\":\"a\","
	    "\"payload\":\"A\"}],\"quick_replies\":[\"A quick reply of more "
	    "than twenty\"]}}]}");
	EQ_INT(rules_validate(r, w, sizeof(w)), -1, "... whose quick reply is "
	    "too long");
	OK(strstr(w, "quick_replies") != NULL, "... says so");
	cJSON_Delete(r);
	r = J("{\"name\":\"n\",\"when\":{\"keywords\":[\"a\"]},\"then\":["
	    "{\"reply\":{\"generic\":[{\"title\":\"x\",\"buttons\":[{\"title\":"
	    "\"a\",\"url\":\"http://e.org\"}]}]}}]}");
	EQ_INT(rules_validate(r, w, sizeof(w)), -1, "a rule with a bad link");
	OK(strstr(w, "then.reply.generic[0].buttons[0].url") != NULL,
	    "... naming it");
	cJSON_Delete(r);

	/* Assigning to a group of people, by id or by name. */
	static const struct {
		const char	*then;
		int		 ok;
		const char	*name;
	} assign[] = {
		{ "{\"assign\":{\"group\":\"Billing\"}}", 0, "assign to a "
		    "group by name" },
		{ "{\"assign\":{\"group\":7}}", 0, "... by id" },
		{ "{\"assign\":3}", 0, "... a person, as before" },
		{ "{\"assign\":{\"group\":\"\"}}", -1, "an empty name" },
		{ "{\"assign\":{\"group\":0}}", -1, "id 0" },
		{ "{\"assign\":{\"group\":1.5}}", -1, "an id that is no "
		    "integer" },
		{ "{\"assign\":{}}", -1, "no group" },
		{ "{\"assign\":{\"group\":1,\"user\":2}}", -1, "a group and "
		    "more" },
	};
	char	 rule[512];
	size_t	 i;

	for (i = 0; i < sizeof(assign) / sizeof(assign[0]); i++) {
		snprintf(rule, sizeof(rule), "{\"name\":\"n\",\"when\":"
		    "{\"keywords\":[\"a\"]},\"then\":[%s]}", assign[i].then);
		r = J(rule);
		EQ_INT(rules_validate(r, w, sizeof(w)), assign[i].ok,
		    assign[i].name);
		cJSON_Delete(r);
	}
}

static const char *
lookup(void *arg, const char *key)
{
	(void)arg;
	return strcmp(key, "contact.first_name") == 0 ? "Ana" : NULL;
}

/* rich_build's filler over lookup and the groups g. */
static char *
fill(void *arg, const char *text)
{
	return rules_fill(text, lookup, NULL, arg);
}

static char *
fill_none(void *arg, const char *text)
{
	(void)arg;
	return rules_fill(text, NULL, NULL, NULL);
}

static void
test_build(void)
{
	struct graph_template_room room;
	struct graph_message	 m;
	struct rules_groups	 g;
	cJSON			*r, *p;
	char			*s, w[256];

	memset(&g, 0, sizeof(g));
	g.g[1] = strdup("42");
	r = J("{\"text\":\"Hi {contact.first_name}, order {match.1}\","
	    "\"buttons\":[{\"title\":\"Track {match.1}\",\"url\":"
	    "\"https://e.org/{match.1}\"},{\"title\":\"Person\",\"payload\":"
	    "\"HUMAN_{match.1}\"}]}");
	p = rich_build(r, fill, &g);
	s = cJSON_PrintUnformatted(p);
	EQ_STR(s, "{\"template_type\":\"button\",\"text\":\"Hi Ana, order 42\","
	    "\"buttons\":[{\"type\":\"web_url\",\"title\":\"Track 42\",\"url\":"
	    "\"https://e.org/{match.1}\"},{\"type\":\"postback\",\"title\":"
	    "\"Person\",\"payload\":\"HUMAN_42\"}]}",
	    "buttons built: texts filled, the URL as written");
	free(s);
	memset(&m, 0, sizeof(m));
	EQ_INT(graph_send_template(p, &room, &m, w, sizeof(w)), 0,
	    "read back as a message");
	EQ_INT(m.kind, GRAPH_MSG_BUTTONS, "... a button template");
	EQ_INT(m.nbuttons, 2, "... of two buttons");
	EQ_STR(m.buttons[1].value, "HUMAN_42", "... the postback's payload");
	EQ_INT(graph_send_check(&m, 0, w, sizeof(w)), 0, "... within Messenger's "
	    "limits");
	EQ_INT(graph_send_check(&m, 1, w, sizeof(w)), 0, "... and Instagram's");
	cJSON_Delete(p);
	cJSON_Delete(r);

	r = J("{\"generic\":[{\"title\":\"{contact.first_name|You}'s pick\","
	    "\"subtitle\":\"s\",\"image_url\":\"https://e.org/i.png\","
	    "\"buttons\":[{\"title\":\"a\",\"payload\":\"A\"}]},{\"title\":"
	    "\"Second\"}]}");
	p = rich_build(r, fill_none, NULL);
	s = cJSON_PrintUnformatted(p);
	EQ_STR(s, "{\"template_type\":\"generic\",\"elements\":[{\"title\":"
	    "\"You's pick\",\"subtitle\":\"s\",\"image_url\":"
	    "\"https://e.org/i.png\",\"buttons\":[{\"type\":\"postback\","
	    "\"title\":\"a\",\"payload\":\"A\"}]},{\"title\":\"Second\"}]}",
	    "a generic template built, a missing value's default");
	free(s);
	memset(&m, 0, sizeof(m));
	EQ_INT(graph_send_template(p, &room, &m, w, sizeof(w)), 0,
	    "read back as a message");
	EQ_INT(m.kind, GRAPH_MSG_GENERIC, "... a generic template");
	EQ_INT(m.nelements, 2, "... of two elements");
	EQ_INT(m.elements[0].nbuttons, 1, "... the first with a button");
	EQ_INT(m.elements[1].nbuttons, 0, "... the second with none");
	EQ_INT(graph_send_check(&m, 0, w, sizeof(w)), 0, "... within limits");
	cJSON_Delete(p);
	cJSON_Delete(r);

	/* A filled text may grow past Meta's limit: graph_send_check says
	 * so before any call. */
	r = J("{\"text\":\"t\",\"buttons\":[{\"title\":\"{contact.first_name}"
	    "{contact.first_name}{contact.first_name}{contact.first_name}"
	    "{contact.first_name}{contact.first_name}{contact.first_name}\","
	    "\"payload\":\"p\"}]}");
	EQ_INT(rich_validate(r, w, sizeof(w)), -1, "a title whose placeholders "
	    "are longer than 20 characters as written: refused");
	cJSON_Delete(r);
	p = J("{\"template_type\":\"button\",\"text\":\"t\",\"buttons\":["
	    "{\"type\":\"postback\",\"title\":\"AnaAnaAnaAnaAnaAnaAna\","
	    "\"payload\":\"p\"}]}");
	memset(&m, 0, sizeof(m));
	EQ_INT(graph_send_template(p, &room, &m, w, sizeof(w)), 0, "a title of "
	    "21 once filled reads back");
	EQ_INT(graph_send_check(&m, 0, w, sizeof(w)), -1, "... and is refused "
	    "before sending");
	cJSON_Delete(p);
	p = J("{\"template_type\":\"list\",\"elements\":[]}");
	EQ_INT(graph_send_template(p, &room, &m, w, sizeof(w)), -1,
	    "a template type other than button or generic: refused");
	cJSON_Delete(p);
	p = J("{\"template_type\":\"button\",\"text\":\"t\",\"buttons\":[{},{},"
	    "{},{}]}");
	EQ_INT(graph_send_template(p, &room, &m, w, sizeof(w)), -1,
	    "four buttons never overflow the room");
	cJSON_Delete(p);
	rules_groups_free(&g);
	r = J("{\"text\":\"t\",\"buttons\":[{\"title\":\"a\",\"payload\":\"p\"}]}");
	OK(rich_is(r), "rich_is: buttons");
	cJSON_Delete(r);
	r = J("{\"text\":\"t\",\"quick_replies\":[\"a\"]}");
	OK(!rich_is(r), "rich_is: a text with quick replies is not");
	cJSON_Delete(r);
}

int
main(void)
{
	test_shapes();
	test_in_rules();
	test_build();
	return test_done();
}
