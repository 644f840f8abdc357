/*
 * Unit tests for lib/buf: the bounded buffer with a sticky error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "test.h"

static void
test_empty(void)
{
	struct buf	 b;
	char		*p;

	buf_init(&b, 16);
	EQ_INT(b.len, 0, "init: empty");
	EQ_INT(b.err, 0, "init: no error");
	EQ_INT(b.max, 16, "init: max kept");
	OK(b.data == NULL, "init: nothing allocated");
	EQ_STR(buf_cstr(&b), "", "cstr of an empty buffer is \"\"");
	p = buf_take(&b);
	OK(p != NULL && p[0] == '\0', "take of an empty buffer is \"\"");
	free(p);
	buf_free(&b);
	EQ_INT(b.max, 16, "free keeps max");
	buf_free(&b);	/* twice is fine */
	OK(b.data == NULL, "free twice: still empty");
}

static void
test_append(void)
{
	struct buf b;

	buf_init(&b, 1024);
	EQ_INT(buf_puts(&b, "hello"), 0, "puts ok");
	EQ_INT(buf_putc(&b, ' '), 0, "putc ok");
	EQ_INT(buf_add(&b, "world!!", 5), 0, "add ok");
	EQ_INT(buf_printf(&b, " %d-%s", 42, "x"), 0, "printf ok");
	EQ_STR(buf_cstr(&b), "hello world 42-x", "contents");
	EQ_INT(b.len, 16, "len excludes NUL");
	OK(b.data[b.len] == '\0', "NUL-terminated");
	EQ_INT(buf_add(&b, NULL, 0), 0, "add of nothing ok");
	EQ_INT(b.len, 16, "add of nothing: len unchanged");

	/* Embedded NUL bytes are data like any other. */
	buf_reset(&b);
	EQ_INT(buf_add(&b, "a\0b", 3), 0, "add with NUL ok");
	EQ_INT(b.len, 3, "len counts the embedded NUL");
	OK(memcmp(b.data, "a\0b", 4) == 0, "bytes kept, then NUL");
	EQ_INT(buf_putc(&b, 0), 0, "putc(0) ok");
	EQ_INT(b.len, 4, "putc(0) counted");
	EQ_INT(buf_putc(&b, 0x1ff), 0, "putc truncates to a byte");
	OK((unsigned char)b.data[4] == 0xff, "putc(0x1ff) stores 0xff");
	buf_free(&b);
}

static void
test_growth(void)
{
	struct buf	 b;
	size_t		 i;
	int		 ok = 1;

	buf_init(&b, 100000);
	for (i = 0; i < 100000; i++)
		if (buf_putc(&b, 'a' + (int)(i % 26)) != 0)
			ok = 0;
	OK(ok, "100000 appends up to max succeed");
	EQ_INT(b.len, 100000, "len is max");
	OK(b.cap > b.len, "room for the NUL");
	ok = 1;
	for (i = 0; i < 100000; i++)
		if (b.data[i] != 'a' + (int)(i % 26))
			ok = 0;
	OK(ok, "contents survive reallocation");
	EQ_INT(buf_putc(&b, 'x'), -1, "one past max refused");
	EQ_INT(b.err, 1, "error set");
	EQ_INT(b.len, 100000, "len unchanged after refusal");
	buf_free(&b);
}

static void
test_max(void)
{
	struct buf	 b;
	char		*p;

	buf_init(&b, 5);
	EQ_INT(buf_puts(&b, "12345"), 0, "exactly max fits");
	EQ_INT(buf_puts(&b, ""), 0, "empty append at max ok");
	EQ_INT(buf_putc(&b, '6'), -1, "past max refused");
	EQ_INT(buf_puts(&b, ""), -1, "sticky: even an empty append fails");
	EQ_STR(buf_cstr(&b), "12345", "contents intact after refusal");
	buf_reset(&b);
	EQ_INT(b.err, 0, "reset clears the error");
	EQ_INT(b.len, 0, "reset empties");
	EQ_STR(buf_cstr(&b), "", "reset: cstr is empty");
	EQ_INT(buf_puts(&b, "abc"), 0, "usable after reset");

	/* A single large append is refused whole, not partly. */
	buf_reset(&b);
	EQ_INT(buf_puts(&b, "abcdef"), -1, "one append over max refused");
	EQ_INT(b.len, 0, "nothing of it kept");
	buf_free(&b);

	/* Max 0: nothing fits. */
	buf_init(&b, 0);
	EQ_INT(buf_putc(&b, 'a'), -1, "max 0 refuses a byte");
	buf_free(&b);

	/* Lengths that would overflow size_t arithmetic. */
	buf_init(&b, 10);
	EQ_INT(buf_puts(&b, "abc"), 0, "setup");
	EQ_INT(buf_add(&b, "x", SIZE_MAX), -1, "SIZE_MAX append refused");
	OK(buf_reserve(&b, SIZE_MAX - 1) == NULL, "reserve SIZE_MAX-1 refused");
	buf_free(&b);

	buf_init(&b, SIZE_MAX);
	OK(buf_reserve(&b, SIZE_MAX) == NULL, "reserve SIZE_MAX with no max fails");
	EQ_INT(b.err, 1, "and sets the error");
	buf_free(&b);

	/* printf past max. */
	buf_init(&b, 8);
	EQ_INT(buf_printf(&b, "%s", "12345678"), 0, "printf exactly max");
	buf_reset(&b);
	EQ_INT(buf_printf(&b, "%s", "123456789"), -1, "printf past max refused");
	EQ_INT(b.len, 0, "printf refused whole");
	buf_free(&b);

	/* take hands over and empties. */
	buf_init(&b, 64);
	buf_puts(&b, "taken");
	p = buf_take(&b);
	EQ_STR(p, "taken", "take returns the contents");
	OK(b.data == NULL && b.len == 0 && b.cap == 0, "take empties");
	EQ_INT(buf_puts(&b, "again"), 0, "buffer usable after take");
	EQ_STR(buf_cstr(&b), "again", "new contents");
	free(p);
	buf_free(&b);
}

static void
test_reserve(void)
{
	struct buf	 b;
	char		*p;

	buf_init(&b, 10);
	p = buf_reserve(&b, 4);
	OK(p != NULL, "reserve 4");
	memcpy(p, "wxyz", 4);
	EQ_INT(b.len, 0, "reserve does not change len");
	buf_commit(&b, 4);
	EQ_INT(b.len, 4, "commit adds");
	EQ_STR(buf_cstr(&b), "wxyz", "committed bytes, NUL-terminated");
	p = buf_reserve(&b, 6);
	OK(p != NULL, "reserve up to max");
	memcpy(p, "123", 3);
	buf_commit(&b, 3);
	EQ_STR(buf_cstr(&b), "wxyz123", "partial commit");
	OK(buf_reserve(&b, 4) == NULL, "reserve past max refused");
	EQ_INT(b.err, 1, "error set by reserve");
	buf_commit(&b, 1);
	EQ_INT(b.len, 7, "commit ignored once in error");
	buf_free(&b);

	/* Committing more than max allows must not break the limit, even
	 * when the allocation happens to be larger. */
	buf_init(&b, 8);
	p = buf_reserve(&b, 8);
	OK(p != NULL, "reserve 8 of 8");
	buf_commit(&b, 9);
	OK(b.len <= b.max, "commit never takes len past max");
	buf_free(&b);

	/* Commit on a buffer that never reserved. */
	buf_init(&b, 8);
	buf_commit(&b, 3);
	EQ_INT(b.len, 0, "commit without reserve ignored");
	buf_free(&b);
}

static void
test_url_encode(void)
{
	struct buf b;

	buf_init(&b, 64);
	buf_url_encode(&b, "AZaz09-._~");
	EQ_STR(buf_cstr(&b), "AZaz09-._~", "unreserved characters stay");
	buf_reset(&b);
	buf_url_encode(&b, "a b&c=d/\xc3\xa9%+");
	EQ_STR(buf_cstr(&b), "a%20b%26c%3Dd%2F%C3%A9%25%2B",
	    "everything else is percent-encoded, in upper case");
	buf_reset(&b);
	buf_url_encode(&b, "");
	EQ_STR(buf_cstr(&b), "", "nothing for nothing");
	buf_free(&b);
	buf_init(&b, 4);
	buf_url_encode(&b, "  ");
	OK(b.err, "past the maximum: the sticky error");
	buf_free(&b);
}

int
main(void)
{
	test_empty();
	test_append();
	test_growth();
	test_max();
	test_reserve();
	test_url_encode();
	return test_done();
}
