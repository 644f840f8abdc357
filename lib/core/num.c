/*
 * num: strict decimal parsing with a range.  See num.h.
 */
#include <limits.h>

#include "num.h"
#include <string.h>

int
num_parse(const char *s, size_t len, long long min, long long max,
    long long *out)
{
	unsigned long long	 v = 0, lim;
	size_t			 i = 0;
	int			 neg = 0;

	if (s == NULL || len == 0 || min > max)
		return -1;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
		if (len == 1)
			return -1;
	}
	/* "0" is fine, "00" and "-0" and "01" are not. */
	if (s[i] == '0' && (len - i > 1 || neg))
		return -1;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (lim - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (neg) {
		long long r = v == (unsigned long long)LLONG_MAX + 1 ?
		    LLONG_MIN : -(long long)v;
		if (r < min || r > max)
			return -1;
		*out = r;
	} else {
		if ((long long)v < min || (long long)v > max)
			return -1;
		*out = (long long)v;
	}
	return 0;
}

int
num_parse_str(const char *s, long long min, long long max, long long *out)
{
	if (s == NULL)
		return -1;
	return num_parse(s, strlen(s), min, max, out);
}

int
num_hexdigit(int c, int upper)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (upper && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
