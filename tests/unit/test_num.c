/*
 * Unit tests for lib/num: the one strict number parser.
 */
#include <limits.h>
#include <string.h>

#include "num.h"
#include "test.h"

/* Parse s in [min, max]; returns the result code, value in *v (which is
 * preset to a sentinel so "untouched on error" can be checked). */
static int
parse(const char *s, long long min, long long max, long long *v)
{
	*v = 777;
	return num_parse_str(s, min, max, v);
}

static void
test_good(void)
{
	long long v;

	EQ_INT(parse("0", 0, 10, &v), 0, "\"0\"");
	EQ_INT(v, 0, "\"0\" value");
	EQ_INT(parse("7", 0, 10, &v), 0, "\"7\"");
	EQ_INT(v, 7, "\"7\" value");
	EQ_INT(parse("10", 0, 10, &v), 0, "max itself");
	EQ_INT(v, 10, "max value");
	EQ_INT(parse("-5", -10, 10, &v), 0, "negative");
	EQ_INT(v, -5, "negative value");
	EQ_INT(parse("-10", -10, 10, &v), 0, "min itself");
	EQ_INT(v, -10, "min value");
	EQ_INT(parse("1234567890", 0, LLONG_MAX, &v), 0, "ten digits");
	EQ_INT(v, 1234567890LL, "ten digits value");
	EQ_INT(parse("9223372036854775807", LLONG_MIN, LLONG_MAX, &v), 0,
	    "LLONG_MAX");
	OK(v == LLONG_MAX, "LLONG_MAX value");
	EQ_INT(parse("-9223372036854775808", LLONG_MIN, LLONG_MAX, &v), 0,
	    "LLONG_MIN");
	OK(v == LLONG_MIN, "LLONG_MIN value");
	EQ_INT(parse("-9223372036854775807", LLONG_MIN, LLONG_MAX, &v), 0,
	    "LLONG_MIN + 1");
	OK(v == LLONG_MIN + 1, "LLONG_MIN + 1 value");
	EQ_INT(parse("5", 5, 5, &v), 0, "min == max");
	EQ_INT(v, 5, "min == max value");

	/* Only len bytes are looked at. */
	v = 0;
	EQ_INT(num_parse("123abc", 3, 0, 1000, &v), 0, "len stops before junk");
	EQ_INT(v, 123, "prefix value");
	EQ_INT(num_parse("42", 1, 0, 1000, &v), 0, "len 1 of \"42\"");
	EQ_INT(v, 4, "first digit only");
}

static void
test_bad(void)
{
	static const char *const bad[] = {
		"", "-", "+1", " 1", "1 ", "\t1", "1\n", "01", "00", "-0",
		"-01", "1.0", "1e3", "0x10", "1,000", "1_000", "--1", "-+1",
		"abc", "1a", "a1", "\xd9\xa1" /* Arabic-Indic one */,
		"\xef\xbc\x91" /* fullwidth one */, "- 1", "0-", "1-",
		NULL
	};
	long long	 v;
	size_t		 i;
	char		 name[64];

	for (i = 0; bad[i] != NULL; i++) {
		snprintf(name, sizeof(name), "malformed #%zu refused", i);
		EQ_INT(parse(bad[i], LLONG_MIN, LLONG_MAX, &v), -1, name);
		snprintf(name, sizeof(name), "malformed #%zu: out untouched", i);
		EQ_INT(v, 777, name);
	}

	/* Embedded NUL within len. */
	v = 777;
	EQ_INT(num_parse("1\0" "2", 3, 0, 1000, &v), -1, "embedded NUL refused");
	EQ_INT(v, 777, "embedded NUL: untouched");
	EQ_INT(num_parse("\0", 1, 0, 1000, &v), -1, "lone NUL refused");
	EQ_INT(num_parse("5", 0, 0, 1000, &v), -1, "len 0 refused");
	EQ_INT(num_parse(NULL, 1, 0, 1000, &v), -1, "NULL refused");
	EQ_INT(num_parse_str(NULL, 0, 1000, &v), -1, "NULL string refused");
	EQ_INT(v, 777, "still untouched");

	/* Range. */
	EQ_INT(parse("11", 0, 10, &v), -1, "above max");
	EQ_INT(v, 777, "above max: untouched");
	EQ_INT(parse("-1", 0, 10, &v), -1, "below min");
	EQ_INT(parse("-11", -10, 10, &v), -1, "below negative min");
	EQ_INT(parse("4", 5, 10, &v), -1, "below positive min");
	EQ_INT(parse("5", 10, 0, &v), -1, "min > max refused");
	EQ_INT(v, 777, "range: untouched");

	/* Overflow, near and far. */
	EQ_INT(parse("9223372036854775808", LLONG_MIN, LLONG_MAX, &v), -1,
	    "LLONG_MAX + 1 refused");
	EQ_INT(parse("-9223372036854775809", LLONG_MIN, LLONG_MAX, &v), -1,
	    "LLONG_MIN - 1 refused");
	EQ_INT(parse("18446744073709551615", LLONG_MIN, LLONG_MAX, &v), -1,
	    "ULLONG_MAX refused");
	EQ_INT(parse("18446744073709551616", LLONG_MIN, LLONG_MAX, &v), -1,
	    "ULLONG_MAX + 1 refused (no wrap)");
	EQ_INT(parse("99999999999999999999999999999999999999", LLONG_MIN,
	    LLONG_MAX, &v), -1, "very long number refused");
	EQ_INT(parse("92233720368547758070", LLONG_MIN, LLONG_MAX, &v), -1,
	    "LLONG_MAX * 10 refused");
	EQ_INT(v, 777, "overflow: untouched");
	EQ_INT(parse("-9223372036854775808", 0, LLONG_MAX, &v), -1,
	    "LLONG_MIN below min 0");
	EQ_INT(parse("9223372036854775807", 0, 100, &v), -1,
	    "LLONG_MAX above max 100");
}

int
main(void)
{
	test_good();
	test_bad();
	return test_done();
}
