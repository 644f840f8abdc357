/*
 * num: the one strict number parser.  Decimal digits only, an optional
 * leading '-', no spaces, no '+', no leading zeros beyond "0", no
 * trailing bytes, and a range.  Use it for every number that comes from
 * outside (headers, parameters, configuration).  And the one reader of
 * hex digits.
 */
#ifndef HG_NUM_H
#define HG_NUM_H

#include <stddef.h>

/* Parse the len bytes at s into *out, which must lie in [min, max].
 * Returns 0 or -1 (empty, malformed, or out of range); *out is untouched
 * on error. */
int	 num_parse(const char *s, size_t len, long long min, long long max,
	    long long *out);
/* The same for a NUL-terminated string. */
int	 num_parse_str(const char *s, long long min, long long max,
	    long long *out);

/* The value of the hex digit c, or -1; upper-case digits count only
 * when upper is set. */
int	 num_hexdigit(int c, int upper);

#endif
