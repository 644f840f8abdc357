/*
 * Unit tests for lib/utf8: what is well-formed UTF-8 (RFC 3629) and how
 * many characters it holds.
 */
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "utf8.h"

static int
utf8(const char *s)
{
	return utf8_valid(s, strlen(s));
}

static void
test_utf8(void)
{
	static const char *const good[] = {
		"", "plain ascii", "\x7f", "\xc2\x80" /* U+0080 */,
		"\xc3\xa9" /* é */, "\xdf\xbf" /* U+07FF */,
		"\xe0\xa0\x80" /* U+0800 */, "\xe2\x82\xac" /* € */,
		"\xed\x9f\xbf" /* U+D7FF */, "\xee\x80\x80" /* U+E000 */,
		"\xef\xbf\xbf" /* U+FFFF */, "\xf0\x90\x80\x80" /* U+10000 */,
		"\xf0\x9f\x98\x80" /* 😀 */, "\xf4\x8f\xbf\xbf" /* U+10FFFF */,
		"a\xc3\xa9z\xe2\x82\xac\xf0\x9f\x98\x80!",
		NULL
	};
	static const char *const bad[] = {
		/* Overlongs. */
		"\xc0\x80", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x80\xaf",
		"\xe0\x9f\xbf", "\xf0\x80\x80\x80", "\xf0\x80\x80\xaf",
		"\xf0\x8f\xbf\xbf",
		/* Surrogates. */
		"\xed\xa0\x80", "\xed\xad\xbf", "\xed\xae\x80", "\xed\xb0\x80",
		"\xed\xbf\xbf", "\xed\xa0\xbd\xed\xb8\x80",
		/* Past U+10FFFF. */
		"\xf4\x90\x80\x80", "\xf4\xbf\xbf\xbf", "\xf5\x80\x80\x80",
		"\xf7\xbf\xbf\xbf", "\xf8\x88\x80\x80\x80",
		"\xfc\x84\x80\x80\x80\x80",
		/* Bytes that never appear. */
		"\xfe", "\xff", "a\xffz",
		/* Lone or extra continuation bytes. */
		"\x80", "\xbf", "a\x80", "\xc3\xa9\xa9", "\xe2\x82\xac\x80",
		/* Truncated sequences. */
		"\xc3", "\xe2\x82", "\xe2", "\xf0\x9f\x98", "\xf0\x9f", "\xf0",
		"a\xc3", "\xc3z", "\xe2\x82z", "\xf0\x9f\x98z", "\xe2z\xac",
		"\xf0\x9fz\x80",
		NULL
	};
	char	 name[96];
	size_t	 i, k;

	for (i = 0; good[i] != NULL; i++) {
		snprintf(name, sizeof(name), "valid UTF-8 #%zu", i);
		EQ_INT(utf8(good[i]), 1, name);
	}
	for (i = 0; bad[i] != NULL; i++) {
		snprintf(name, sizeof(name), "invalid UTF-8 #%zu:", i);
		for (k = 0; bad[i][k] != '\0'; k++)
			snprintf(name + strlen(name), sizeof(name) - strlen(name),
			    " %02x", (unsigned char)bad[i][k]);
		EQ_INT(utf8(bad[i]), 0, name);
	}
	EQ_INT(utf8_valid("a\0b", 3), 1,
	    "NUL is valid UTF-8");
	EQ_INT(utf8_valid("\xc3\xa9", 1), 0,
	    "cut by n inside a sequence");
	EQ_INT(utf8_valid("\xf0\x9f\x98\x80", 3), 0,
	    "cut by n before the last byte");
	EQ_INT(utf8_valid("\xf0\x9f\x98\x80", 4), 1,
	    "whole by n");
	EQ_INT(utf8_valid(NULL, 0), 1, "nothing is valid");

	/* Every 2-byte lead with every continuation: exactly C2-DF valid. */
	{
		unsigned char	 s[2];
		int		 ok = 1, c, d;

		for (c = 0x80; c <= 0xff; c++)
			for (d = 0; d <= 0xff; d++) {
				s[0] = (unsigned char)c;
				s[1] = (unsigned char)d;
				if (utf8_valid(s, 2) != (c >= 0xc2 &&
				    c <= 0xdf && d >= 0x80 && d <= 0xbf))
					ok = 0;
			}
		OK(ok, "exhaustive two-byte check");
	}
}

static void
test_chars(void)
{
	EQ_INT(utf8_chars("", 0), 0, "no characters in nothing");
	EQ_INT(utf8_chars("abc", 3), 3, "ASCII: one byte, one character");
	EQ_INT(utf8_chars("\xc3\xa9t\xc3\xa9", 5), 3, "two-byte characters");
	EQ_INT(utf8_chars("\xf0\x9f\x91\x8b!", 5), 2, "an emoji is one character");
	EQ_INT(utf8_chars("\xed\xa0\x80", 3), -1, "a surrogate is refused");
	EQ_INT(utf8_chars("\xc0\xaf", 2), -1, "an overlong form is refused");
	EQ_INT(utf8_chars("a\0b", 3), 3, "NUL counts as a character");
}

static void
test_trim(void)
{
	static const struct {
		const char	*in, *out, *name;
	} cases[] = {
		{ "", "", "nothing stays nothing" },
		{ "abc", "abc", "ASCII is whole" },
		{ "caf\xc3\xa9", "caf\xc3\xa9", "a whole two-byte end stays" },
		{ "caf\xc3", "caf", "a two-byte lead alone goes" },
		{ "x\xe2\x82", "x", "two bytes of three go" },
		{ "x\xe2", "x", "one byte of three goes" },
		{ "x\xe2\x82\xac", "x\xe2\x82\xac", "a whole euro sign stays" },
		{ "x\xf0\x9f\x91", "x", "three bytes of an emoji go" },
		{ "x\xf0\x9f\x91\x8b", "x\xf0\x9f\x91\x8b", "a whole emoji stays" },
		{ "\xc3\xa9\xe2\x82", "\xc3\xa9", "only the cut character goes" },
	};
	char	 buf[16];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		utf8_trim(buf);
		EQ_STR(buf, cases[i].out, cases[i].name);
	}
}

int
main(void)
{
	test_utf8();
	test_chars();
	test_trim();
	return test_done();
}
