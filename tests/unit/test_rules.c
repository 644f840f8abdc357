/*
 * Rules (lib/pipeline/rules.c) and time zones (lib/core/tz.c):
 * keywords (whole words, any/all, case and accents), patterns and
 * their groups, payloads, first messages, kinds, business hours across
 * DST, holidays and time zones, escalation phrases, placeholders with
 * missing values, validation of bad rules, the median wait.
 */
#include "test.h"

#include <cjson/cJSON.h>

#include "rules.h"
#include "tz.h"

#define S	1000LL

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

/* Does the rule (JSON) match text? */
static int
text_match(const char *rule, const char *text)
{
	struct rules_msg	 m = { .text = text, .kind = "text" };
	cJSON			*r = J(rule);
	int			 rc = rules_match(r, &m, NULL, NULL);

	cJSON_Delete(r);
	return rc;
}

static const char *
lookup(void *arg, const char *key)
{
	(void)arg;
	if (strcmp(key, "contact.first_name") == 0)
		return "Ana";
	if (strcmp(key, "contact.empty") == 0)
		return "";
	return NULL;
}

/* Is at (unix s) outside the hours (JSON)? */
static int
outside(const char *hours, long long at)
{
	cJSON	*h = J(hours);
	int	 rc = rules_outside_hours(h, at * S);

	cJSON_Delete(h);
	return rc;
}

static void
test_fold(void)
{
	char *f;

	f = rules_fold("Où est   ma COMMANDE?! Ça va, Žluťoučký ſ");
	EQ_STR(f, " ou est ma commande ca va zlutoucky s ", "folding: case, "
	    "accents (Latin-1 and Extended-A), punctuation");
	free(f);
	f = rules_fold("Straße Œuvre");
	EQ_STR(f, " strasse oeuvre ", "folding: ß and Œ");
	free(f);
	f = rules_fold("cafe\xcc\x81 \xd0\x9f\xd1\x80\xd0\xb8");
	EQ_STR(f, " cafe \xd0\x9f\xd1\x80\xd0\xb8 ", "a combining accent "
	    "goes; other scripts stay as words");
	free(f);
	f = rules_fold("\xff\xfe bad");
	EQ_STR(f, " ", "text that is not UTF-8 has no words");
	free(f);
	f = rules_fold(NULL);
	EQ_STR(f, " ", "no text: no words");
	free(f);
}

static void
test_keywords(void)
{
	const char *any = "{\"when\":{\"keywords\":[\"price\",\"how much\"]}}";
	const char *all = "{\"when\":{\"keywords\":[\"open\",\"sunday\"],"
	    "\"match\":\"all\"}}";
	const char *acc = "{\"when\":{\"keywords\":[\"café\"]}}";

	EQ_INT(text_match(any, "What's the PRICE?"), 1, "any: one keyword, "
	    "any case, next to punctuation");
	EQ_INT(text_match(any, "How much is it"), 1, "any: a phrase");
	EQ_INT(text_match(any, "how   much"), 1, "a phrase across spaces");
	EQ_INT(text_match(any, "Priceless"), 0, "whole words: priceless is "
	    "not price");
	EQ_INT(text_match(any, "much how"), 0, "a phrase keeps its order");
	EQ_INT(text_match(any, ""), 0, "no text: no match");
	EQ_INT(text_match(all, "Are you open on Sunday?"), 1, "all: both");
	EQ_INT(text_match(all, "Are you open?"), 0, "all: one missing");
	EQ_INT(text_match(acc, "un CAFE svp"), 1, "accent-insensitive: the "
	    "text has none");
	EQ_INT(text_match("{\"when\":{\"keywords\":[\"cafe\"]}}", "Un café"),
	    1, "accent-insensitive: the keyword has none");
	EQ_INT(text_match("{\"when\":{\"keywords\":[\"hi\"]}}", "This is it"),
	    0, "hi is not inside this");
}

static void
test_conditions(void)
{
	struct rules_msg	 m = { .text = "Order 12345 please",
				    .kind = "text", .at_ms = 0 };
	struct rules_groups	 g = { { NULL } };
	cJSON			*r;

	r = J("{\"when\":{\"pattern\":\"order ([0-9]+)\"}}");
	EQ_INT(rules_match(r, &m, NULL, &g), 1, "a pattern, any case");
	EQ_STR(g.g[1], "12345", "... its group");
	rules_groups_free(&g);
	m.text = "no number";
	EQ_INT(rules_match(r, &m, NULL, &g), 0, "a pattern that does not "
	    "match");
	cJSON_Delete(r);

	r = J("{\"when\":{\"payload\":\"GET_STARTED\"}}");
	m.payload = "GET_STARTED";
	EQ_INT(rules_match(r, &m, NULL, NULL), 1, "a payload, exactly");
	m.payload = "get_started";
	EQ_INT(rules_match(r, &m, NULL, NULL), 0, "a payload is compared "
	    "exactly");
	m.payload = NULL;
	EQ_INT(rules_match(r, &m, NULL, NULL), 0, "no payload");
	cJSON_Delete(r);

	r = J("{\"when\":{\"first_message\":true}}");
	m.first_message = 1;
	EQ_INT(rules_match(r, &m, NULL, NULL), 1, "the first message");
	m.first_message = 0;
	EQ_INT(rules_match(r, &m, NULL, NULL), 0, "a later message");
	cJSON_Delete(r);

	r = J("{\"when\":{\"kind\":\"referral\",\"ad_id\":\"6045\"}}");
	m.kind = "referral";
	m.ad_id = "6045";
	EQ_INT(rules_match(r, &m, NULL, NULL), 1, "a kind and its ad");
	m.ad_id = "7000";
	EQ_INT(rules_match(r, &m, NULL, NULL), 0, "another ad");
	m.kind = "image";
	EQ_INT(rules_match(r, &m, NULL, NULL), 0, "another kind");
	cJSON_Delete(r);

	r = J("{\"when\":{\"keywords\":[\"hi\"],\"first_message\":true}}");
	m.kind = "text";
	m.text = "hi";
	m.first_message = 0;
	EQ_INT(rules_match(r, &m, NULL, NULL), 0, "every condition must hold");
	cJSON_Delete(r);

	r = J("{\"when\":{\"no_reply_minutes\":15}}");
	m.waited_ms = 0;
	EQ_INT(rules_match(r, &m, NULL, NULL), 0, "no reply for 15 minutes: "
	    "never on arrival");
	m.waited_ms = 14 * 60000;
	EQ_INT(rules_match(r, &m, NULL, NULL), 0, "... not after 14");
	m.waited_ms = 15 * 60000;
	EQ_INT(rules_match(r, &m, NULL, NULL), 1, "... after 15");
	m.waited_ms = 0;
	cJSON_Delete(r);

	r = J("{\"channels\":[3,4],\"when\":{\"keywords\":[\"x\"]}}");
	EQ_INT(rules_channel_excluded(r, 4), 0, "a listed channel");
	EQ_INT(rules_channel_excluded(r, 5), 1, "another channel is excluded");
	cJSON_Delete(r);
	r = J("{\"when\":{\"keywords\":[\"x\"]}}");
	EQ_INT(rules_channel_excluded(r, 5), 0, "no channels: every channel");
	cJSON_Delete(r);
}

static void
test_hours(void)
{
	const char	*paris = "{\"tz\":\"Europe/Paris\",\"week\":{"
	    "\"mon\":[[\"09:00\",\"17:00\"]],\"tue\":[[\"09:00\",\"17:00\"]],"
	    "\"wed\":[[\"09:00\",\"17:00\"]],\"thu\":[[\"09:00\",\"17:00\"]],"
	    "\"fri\":[[\"09:00\",\"12:00\"],[\"14:00\",\"17:00\"]]},"
	    "\"holidays\":[\"2026-12-25\"]}";
	const char	*ny = "{\"tz\":\"America/New_York\",\"week\":{"
	    "\"sun\":[[\"00:00\",\"02:30\"]]}}";
	char		 why[200];
	long		 off;
	cJSON		*h;

	EQ_INT(tz_offset("Europe/Paris", 1774745999, &off), 0, "Paris: read");
	EQ_INT(off, 3600, "Paris a second before DST: +1 h");
	tz_offset("Europe/Paris", 1774746000, &off);
	EQ_INT(off, 7200, "Paris at the change (2026-03-29 01:00 UTC): +2 h");
	tz_offset("Europe/Paris", 1792890000, &off);
	EQ_INT(off, 3600, "Paris after DST ends (2026-10-25): +1 h");
	tz_offset("America/New_York", 1772953199, &off);
	EQ_INT(off, -5 * 3600, "New York before DST: -5 h");
	tz_offset("America/New_York", 1772953200, &off);
	EQ_INT(off, -4 * 3600, "New York from 2026-03-08 07:00 UTC: -4 h");
	EQ_INT(tz_offset("UTC", 1772953200, &off), 0, "UTC");
	EQ_INT(off, 0, "... +0");
	EQ_INT(tz_offset("Mars/Olympus", 0, &off), -1, "an unknown zone");
	EQ_INT(tz_offset("../../etc/passwd", 0, &off), -1, "a path is no zone");
	EQ_INT(tz_offset_in("/etc", "passwd", 0, &off), -1, "a file that is "
	    "not TZif");

	/* Friday 2026-03-27 07:30 UTC is 08:30 in Paris (CET), Monday
	 * 2026-03-30 07:30 UTC is 09:30 (CEST). */
	EQ_INT(outside(paris, 1774596600), 1, "08:30 on a Friday before DST: "
	    "outside");
	EQ_INT(outside(paris, 1774855800), 0, "the same UTC time on Monday "
	    "after DST: 09:30, inside");
	EQ_INT(outside(paris, 1774596600 + 4 * 3600), 1, "Friday 12:30: the "
	    "lunch gap");
	EQ_INT(outside(paris, 1774596600 + 7 * 3600), 0, "Friday 15:30: inside");
	EQ_INT(outside(paris, 1774596600 + 86400 + 3 * 3600), 1, "Saturday: "
	    "no hours");
	EQ_INT(outside(paris, 1798192800), 1, "Christmas (a Friday) at 11:00: "
	    "a holiday");
	EQ_INT(outside(paris, 1798106400), 0, "the day before at 11:00: inside");
	/* Sunday 2026-03-08 06:30 UTC is 01:30 EST; 07:30 UTC is 03:30 EDT. */
	EQ_INT(outside(ny, 1772953200 - 1800), 0, "New York 01:30 before the "
	    "change: inside");
	EQ_INT(outside(ny, 1772953200 + 1800), 1, "New York 03:30 after it: "
	    "outside");

	/* The next opening, in local time. */
	h = J(paris);
	EQ_INT(rules_next_open(h, 1774596600 * S, why, sizeof(why)), 1,
	    "the next opening from Friday 08:30");
	EQ_STR(why, "Friday 09:00", "... is that day at 09:00");
	rules_next_open(h, (1774596600 + 4 * 3600) * S, why, sizeof(why));
	EQ_STR(why, "Friday 14:00", "... from the lunch gap, after lunch");
	rules_next_open(h, (1774596600 + 10 * 3600) * S, why, sizeof(why));
	EQ_STR(why, "Monday 09:00", "... on Friday evening, Monday");
	rules_next_open(h, 1798106400 * S, why, sizeof(why));
	EQ_STR(why, "Monday 09:00", "... on Christmas eve, not the holiday "
	    "Friday but Monday");
	cJSON_Delete(h);
	h = J("{\"tz\":\"UTC\",\"week\":{}}");
	EQ_INT(rules_next_open(h, 0, why, sizeof(why)), 0, "a closed week never "
	    "opens");
	cJSON_Delete(h);
	h = J("{\"tz\":\"Nowhere/City\",\"week\":{}}");
	EQ_INT(rules_hours_validate(h, why, sizeof(why)), -1, "hours: an "
	    "unknown zone is refused");
	EQ_INT(rules_outside_hours(h, 0), -1, "... and never matches");
	cJSON_Delete(h);
	h = J("{\"tz\":\"UTC\",\"week\":{\"mon\":[[\"17:00\",\"09:00\"]]}}");
	EQ_INT(rules_hours_validate(h, why, sizeof(why)), -1, "hours: an "
	    "interval backwards is refused");
	cJSON_Delete(h);
	h = J("{\"tz\":\"UTC\",\"week\":{\"monday\":[]}}");
	EQ_INT(rules_hours_validate(h, why, sizeof(why)), -1, "hours: days "
	    "are mon..sun");
	cJSON_Delete(h);
	h = J("{\"tz\":\"UTC\",\"week\":{},\"holidays\":[\"2026-13-01\"]}");
	EQ_INT(rules_hours_validate(h, why, sizeof(why)), -1, "hours: a bad "
	    "holiday date");
	cJSON_Delete(h);
}

static void
test_phrases(void)
{
	cJSON *p;

	EQ_STR(rules_phrase_hit(NULL, "I want to talk to a PERSON!"),
	    "person", "a default phrase");
	EQ_STR(rules_phrase_hit(NULL, "Can I speak to   someone?"),
	    "speak to someone", "a default phrase of words");
	OK(rules_phrase_hit(NULL, "personal question") == NULL,
	    "whole words: personal is not person");
	OK(rules_phrase_hit(NULL, "Where is my order") == NULL,
	    "no phrase");
	p = J("{\"en\":[\"manager\"],\"fr\":[\"un humain\",\"réclamation\"]}");
	EQ_STR(rules_phrase_hit(p, "Je veux un HUMAIN"), "un humain",
	    "per language: French");
	EQ_STR(rules_phrase_hit(p, "Une reclamation"), "réclamation",
	    "... without its accent");
	OK(rules_phrase_hit(p, "a person") == NULL, "edited phrases replace "
	    "the defaults");
	cJSON_Delete(p);
}

static void
test_fill(void)
{
	struct rules_groups	 g = { { NULL } };
	char			*s;

	s = rules_fill("Hi {contact.first_name}!", lookup, NULL, NULL);
	EQ_STR(s, "Hi Ana!", "a placeholder");
	free(s);
	s = rules_fill("Hi {contact.last_name}!", lookup, NULL, NULL);
	EQ_STR(s, "Hi!", "a missing value: nothing, and no space left");
	free(s);
	s = rules_fill("Hi {contact.empty|there}, welcome", lookup, NULL, NULL);
	EQ_STR(s, "Hi there, welcome", "an empty value: the default");
	free(s);
	s = rules_fill("Hello {nothing} and {contact.first_name}", lookup,
	    NULL, NULL);
	EQ_STR(s, "Hello and Ana", "a missing value in the middle");
	free(s);
	s = rules_fill("{ not a placeholder } {", lookup, NULL, NULL);
	EQ_STR(s, "{ not a placeholder } {", "braces that are no placeholder "
	    "stay");
	free(s);
	g.g[1] = strdup("123");
	s = rules_fill("order {match.1}{match.2}", NULL, NULL, &g);
	EQ_STR(s, "order 123", "pattern groups");
	free(s);
	rules_groups_free(&g);
}

static void
test_validate(void)
{
	static const struct {
		const char *json, *name;
		int ok;
	} v[] = {
		{ "{\"name\":\"Hi\",\"when\":{\"keywords\":[\"hi\"]},"
		  "\"then\":[{\"reply\":{\"text\":\"Hello\"}},{\"stop\":{}}]}",
		  "a good rule", 0 },
		{ "{\"name\":\"Bot\",\"channels\":[1],\"when\":{\"pattern\":"
		  "\"order ([0-9]+)\"},\"then\":[{\"bot\":{\"params\":"
		  "{\"order\":\"{match.1}\"}}}]}", "a bot rule", 0 },
		{ "{\"name\":\"\",\"when\":{\"keywords\":[\"hi\"]},\"then\":"
		  "[{\"stop\":{}}]}", "an empty name", -1 },
		{ "{\"name\":\"x\",\"when\":{},\"then\":[{\"stop\":{}}]}",
		  "no condition", -1 },
		{ "{\"name\":\"x\",\"when\":{\"keywords\":[]},\"then\":"
		  "[{\"stop\":{}}]}", "no keywords", -1 },
		{ "{\"name\":\"x\",\"when\":{\"keywords\":[\"a\"],\"match\":"
		  "\"some\"},\"then\":[{\"stop\":{}}]}", "match neither any nor "
		  "all", -1 },
		{ "{\"name\":\"x\",\"when\":{\"pattern\":\"(\"},\"then\":"
		  "[{\"stop\":{}}]}", "a pattern that does not compile", -1 },
		{ "{\"name\":\"x\",\"when\":{\"pattern\":\"(.*)(.*)\\\\2\\\\1x\"},"
		  "\"then\":[{\"stop\":{}}]}", "a pattern with back-references "
		  "(exponential to match)", -1 },
		{ "{\"name\":\"x\",\"when\":{\"pattern\":\"((a{1,255}){1,255})\"},"
		  "\"then\":[{\"stop\":{}}]}", "nested repeats of 255 (huge to "
		  "compile)", -1 },
		{ "{\"name\":\"x\",\"when\":{\"pattern\":\"a{1}b{2}c{3}d{4}e{5}\"},"
		  "\"then\":[{\"stop\":{}}]}", "five bounded repeats", -1 },
		{ "{\"name\":\"x\",\"when\":{\"pattern\":\"[0-9]{3,10}\\\\.\"},"
		  "\"then\":[{\"stop\":{}}]}", "a repeat up to 10 and an "
		  "escaped dot", 0 },
		{ "{\"name\":\"x\",\"when\":{\"weather\":\"rain\"},\"then\":"
		  "[{\"stop\":{}}]}", "an unknown condition", -1 },
		{ "{\"name\":\"x\",\"when\":{\"no_reply_minutes\":0},"
		  "\"then\":[{\"stop\":{}}]}", "no_reply_minutes 0", -1 },
		{ "{\"name\":\"x\",\"when\":{\"first_message\":false},\"then\":"
		  "[{\"stop\":{}}]}", "first_message false", -1 },
		{ "{\"name\":\"x\",\"when\":{\"keywords\":[\"a\"]},\"then\":[]}",
		  "no action", -1 },
		{ "{\"name\":\"x\",\"when\":{\"keywords\":[\"a\"]},\"then\":"
		  "[{\"reply\":{\"text\":\"\"}}]}", "an empty reply", -1 },
		{ "{\"name\":\"x\",\"when\":{\"keywords\":[\"a\"]},\"then\":"
		  "[{\"reply\":{\"text\":\"a\"},\"tag\":\"b\"}]}", "two keys in "
		  "one action", -1 },
		{ "{\"name\":\"x\",\"when\":{\"keywords\":[\"a\"]},\"then\":"
		  "[{\"launch\":{}}]}", "an unknown action", -1 },
		{ "{\"name\":\"x\",\"when\":{\"keywords\":[\"a\"]},\"then\":"
		  "[{\"assign\":\"bob\"}]}", "assign to a name", -1 },
		{ "{\"name\":\"x\",\"channels\":\"all\",\"when\":{\"keywords\":"
		  "[\"a\"]},\"then\":[{\"stop\":{}}]}", "channels not a list", -1 },
	};
	char	 why[256];
	size_t	 i;
	cJSON	*j;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		j = J(v[i].json);
		why[0] = '\0';
		EQ_INT(rules_validate(j, why, sizeof(why)), v[i].ok, v[i].name);
		if (v[i].ok == -1)
			OK(why[0] != '\0', "... says why");
		cJSON_Delete(j);
	}
	OK(rules_validate(NULL, why, sizeof(why)) == -1, "no rule");
}

int
main(void)
{
	long long w[] = { 300, 100, 200, 900 }, one[] = { 7 };

	test_fold();
	test_keywords();
	test_conditions();
	test_hours();
	test_phrases();
	test_fill();
	test_validate();
	EQ_INT(rules_median(w, 4), 250, "the median of an even count");
	EQ_INT(rules_median(one, 1), 7, "the median of one");
	EQ_INT(rules_median(NULL, 0), 0, "no waits: 0");
	return test_done();
}
