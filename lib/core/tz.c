/*
 * tz: a zone's UTC offset from its TZif file.  See tz.h.
 *
 * A TZif file (RFC 8536) has a version 1 block of 32-bit times, then
 * (version 2 and later) the same data with 64-bit times, which is the
 * one read here: the transition times, the local time type of each,
 * and the types (offset, dst, abbreviation index).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "tz.h"

#define TZ_DIR		"/usr/share/zoneinfo"
#define TZ_HEAD		44

int
tz_name_ok(const char *name)
{
	const char	*p;

	if (name == NULL || name[0] == '\0' || name[0] == '/' ||
	    strlen(name) > HG_TZ_NAME_MAX || strstr(name, "..") != NULL)
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '+' ||
		    *p == '-' || *p == '/'))
			return 0;
	return 1;
}

/* Big-endian 32-bit at p. */
static long long
be32(const unsigned char *p)
{
	unsigned long v = ((unsigned long)p[0] << 24) |
	    ((unsigned long)p[1] << 16) | ((unsigned long)p[2] << 8) | p[3];

	return (long long)(int)(unsigned int)v;
}

/* Big-endian 64-bit at p. */
static long long
be64(const unsigned char *p)
{
	unsigned long long	v = 0;
	int			i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return (long long)v;
}

/* The counts of a header at p: isut, isstd, leap, time, type, char. */
static void
counts(const unsigned char *p, long long c[6])
{
	int i;

	for (i = 0; i < 6; i++)
		c[i] = be32(p + 20 + 4 * i);
}

/* The offset at t from the file's n bytes at b; 0 or -1. */
static int
offset_of(const unsigned char *b, size_t n, long long t, long *off)
{
	const unsigned char	*p, *times, *idx, *types;
	long long		 c[6], v1, i, type = 0;

	if (n < TZ_HEAD || memcmp(b, "TZif", 4) != 0 || b[4] < '2')
		return -1;
	counts(b, c);
	for (i = 0; i < 6; i++)
		if (c[i] < 0 || c[i] > 100000)
			return -1;
	/* Skip the version 1 block. */
	v1 = TZ_HEAD + c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
	if ((size_t)v1 + TZ_HEAD > n)
		return -1;
	p = b + v1;
	if (memcmp(p, "TZif", 4) != 0)
		return -1;
	counts(p, c);
	if (c[4] < 1 || c[4] > 256 || c[3] < 0 || c[3] > 100000 ||
	    (size_t)(v1 + TZ_HEAD + c[3] * 9 + c[4] * 6) > n)
		return -1;
	times = p + TZ_HEAD;
	idx = times + c[3] * 8;
	types = idx + c[3];
	/* Before the first transition: the first type (RFC 8536 3.2). */
	for (i = 0; i < c[3] && be64(times + 8 * i) <= t; i++)
		type = idx[i];
	if (type >= c[4])
		return -1;
	*off = (long)be32(types + 6 * type);
	return 0;
}

int
tz_offset_in(const char *dir, const char *name, long long t, long *off)
{
	unsigned char	*b = NULL;
	char		 path[512];
	FILE		*f;
	size_t		 n;
	int		 rc = -1;

	if (!tz_name_ok(name))
		return -1;
	if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0) {
		*off = 0;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if ((b = malloc(HG_TZ_FILE_MAX)) == NULL)
		goto out;
	n = fread(b, 1, HG_TZ_FILE_MAX, f);
	if (n > 0 && n < HG_TZ_FILE_MAX)
		rc = offset_of(b, n, t, off);
out:
	free(b);
	fclose(f);
	return rc;
}

int
tz_offset(const char *name, long long t, long *off)
{
	return tz_offset_in(TZ_DIR, name, t, off);
}
