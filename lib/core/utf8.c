/*
 * utf8: see utf8.h.
 */
#include <string.h>

#include "utf8.h"

long
utf8_chars(const void *p, size_t n)
{
	const unsigned char	*s = p;
	size_t			 i = 0, k, need;
	unsigned long		 cp, min;
	long			 count = 0;

	while (i < n) {
		unsigned char c = s[i];

		count++;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			need = 1; cp = c & 0x1f; min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2; cp = c & 0x0f; min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3; cp = c & 0x07; min = 0x10000;
		} else
			return -1;
		if (n - i - 1 < need)
			return -1;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		i += need + 1;
	}
	return count;
}

int
utf8_valid(const void *s, size_t n)
{
	return utf8_chars(s, n) >= 0;
}

void
utf8_trim(char *s)
{
	size_t		 n = strlen(s), i = n, want;
	unsigned char	 lead;

	while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0 || ((lead = (unsigned char)s[i - 1]) & 0xc0) != 0xc0)
		return;
	want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	if (n - (i - 1) < want)
		s[i - 1] = '\0';
}
