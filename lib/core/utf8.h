/*
 * utf8: the one UTF-8 decoder of hubgate, for checking untrusted text
 * and counting its characters (Meta's text limits are in code points).
 */
#ifndef HG_UTF8_H
#define HG_UTF8_H

#include <stddef.h>

/* The number of code points in the n bytes at s, or -1 when they are
 * not well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF, no sequence cut short).  NUL is a character
 * like any other; s may be NULL when n is 0. */
long	 utf8_chars(const void *s, size_t n);
/* 1 when the n bytes at s are well-formed UTF-8, else 0. */
int	 utf8_valid(const void *s, size_t n);
/* End the string s before a multi-byte character its end cuts short
 * (as a copy cut to a buffer's size may leave it). */
void	 utf8_trim(char *s);

#endif
