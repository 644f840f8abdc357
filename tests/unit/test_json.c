/*
 * Unit tests for lib/core/json.c's arena parse: trees parsed into an arena
 * read as cJSON's own, big strings and many trees share it, a failed
 * parse leaves nothing behind, and trees outside an arena are malloc's
 * as before.  (The sanitizer build of `make test` checks the memory.)
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "test.h"

static void
test_id(void)
{
	char		 out[HG_META_ID_MAX + 1], long_id[HG_META_ID_MAX + 2];
	cJSON		*j;

	j = cJSON_Parse("{\"s\":\"1234567890\",\"n\":1234567890,"
	    "\"e\":\"\",\"f\":1.5,\"neg\":-1,\"big\":10000000000000000,\"o\":{}}");
	EQ_STR(json_id(cJSON_GetObjectItem(j, "s"), out), "1234567890",
	    "an id as a string");
	EQ_STR(json_id(cJSON_GetObjectItem(j, "n"), out), "1234567890",
	    "an id as a number");
	OK(json_id(cJSON_GetObjectItem(j, "e"), out) == NULL, "empty: none");
	OK(json_id(cJSON_GetObjectItem(j, "f"), out) == NULL,
	    "a fraction: none");
	OK(json_id(cJSON_GetObjectItem(j, "neg"), out) == NULL,
	    "negative: none");
	OK(json_id(cJSON_GetObjectItem(j, "big"), out) == NULL,
	    "past 2^53 (not exact): none");
	OK(json_id(cJSON_GetObjectItem(j, "o"), out) == NULL, "an object: none");
	OK(json_id(NULL, out) == NULL, "absent: none");
	cJSON_Delete(j);
	memset(long_id, '7', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	j = cJSON_CreateString(long_id);
	OK(json_id(j, out) == NULL, "longer than HG_META_ID_MAX: none");
	long_id[HG_META_ID_MAX] = '\0';
	cJSON_SetValuestring(j, long_id);
	OK(json_id(j, out) != NULL && strlen(out) == HG_META_ID_MAX,
	    "HG_META_ID_MAX bytes: kept whole");
	cJSON_Delete(j);
}

/* Integer literals of HG_JSON_BIG_INT_DIGITS digits or more become
 * strings before cJSON reads them; nothing else changes. */
static void
test_big_ints(void)
{
	static const char in[] = "{\"id\":27000000000000000001,\"t\":1763856000123,"
	    "\"f\":12345678901234567.5,\"e\":1e300,\"neg\":-9007199254740993,"
	    "\"s\":\"x 12345678901234567 \\\" 99999999999999999\",\"a\":[1234567890123456]}";
	char	*out;
	size_t	 n;

	out = json_quote_big_ints(in, sizeof(in) - 1, &n);
	EQ_STR(out != NULL ? out : "(null)", "{\"id\":\"27000000000000000001\",\"t\":1763856000123,"
	    "\"f\":12345678901234567.5,\"e\":1e300,\"neg\":\"-9007199254740993\","
	    "\"s\":\"x 12345678901234567 \\\" 99999999999999999\",\"a\":[\"1234567890123456\"]}",
	    "big integers quoted, fractions, exponents, short numbers and strings untouched");
	EQ_INT((long long)n, out != NULL ? (long long)strlen(out) : -1, "its length");
	free(out);
	OK(json_quote_big_ints("{\"t\":1763856000123}", 20, &n) == NULL && n == 0,
	    "nothing to quote: NULL");
}

int
main(void)
{
	struct json_arena	 a;
	cJSON			*t, *u, *plain;
	const char		*end = NULL;
	char			*big, *doc;
	static const char	 s[] = "{\"object\":\"page\",\"entry\":[{\"id\":"
	    "\"104857600000001\",\"time\":1763856000123,\"messaging\":[]}]}";
	size_t			 i, n = 100000;

	test_big_ints();
	memset(&a, 0, sizeof(a));
	t = json_parse_arena(&a, s, sizeof(s), &end);
	OK(t != NULL && end == s + sizeof(s) - 1, "parsed into an arena");
	EQ_STR(json_str(t, "object"), "page", "a string member");
	u = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "entry"), 0);
	EQ_INT(json_uint(u, "time"), 1763856000123LL, "a number member");
	EQ_STR(json_str(u, "id"), "104857600000001", "in a nested object");

	/* A string bigger than a block, and a second tree, in the same
	 * arena: the first tree stays readable. */
	big = malloc(n + 16);
	doc = malloc(n + 32);
	for (i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n] = '\0';
	snprintf(doc, n + 32, "{\"v\":\"%s\"}", big);
	u = json_parse_arena(&a, doc, strlen(doc) + 1, &end);
	OK(u != NULL && json_str(u, "v") != NULL &&
	    strcmp(json_str(u, "v"), big) == 0, "a string bigger than a block");
	EQ_STR(json_str(t, "object"), "page", "the first tree intact");
	for (i = 0; i < 200; i++)
		if (json_parse_arena(&a, s, sizeof(s), &end) == NULL)
			break;
	EQ_INT(i, 200, "many trees in one arena");
	EQ_STR(json_str(t, "object"), "page", "the first tree still intact");
	json_arena_free(&a);
	OK(a.head == NULL, "freed in one go");

	/* A parse that fails half way frees what it built with the arena. */
	OK(json_parse_arena(&a, "{\"a\":[1,2,{\"b\":\"c\"", 19, &end) == NULL,
	    "a broken text: NULL");
	json_arena_free(&a);
	OK(json_parse_arena(&a, s, sizeof(s), &end) != NULL,
	    "the arena is used again");
	json_arena_free(&a);

	/* Outside an arena, cJSON allocates and frees as it always did. */
	plain = cJSON_Parse(s);
	OK(plain != NULL && cJSON_AddStringToObject(plain, "x", big) != NULL,
	    "a tree outside any arena, changed");
	free(doc);
	doc = cJSON_PrintUnformatted(plain);
	OK(doc != NULL && strstr(doc, "\"object\":\"page\"") != NULL,
	    "printed");
	cJSON_free(doc);
	cJSON_Delete(plain);
	free(big);
	test_id();
	return test_done();
}
