/*
 * tz: a zone's UTC offset from its TZif file.  See tz.h.
 *
 * A TZif file (RFC 8536) has a version 1 block of 32-bit times, then
 * (version 2 and later) the same data with 64-bit times, which is the
 * one read here: the transition times, the local time type of each,
 * and the types (offset, dst, abbreviation index); then a footer, a
 * POSIX TZ string between newlines ("CET-1CEST,M3.5.0,M10.5.0/3"),
 * which rules every time after the last transition (a "slim" file
 * lists few or none).  The footer is parsed within its bytes, with
 * RFC 8536's extensions: rule times from -167 to 167 hours.
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

/* ---- POSIX TZ strings (the footer) ------------------------------- */

/* A transition date of a rule: Jn (1..365, no 29 February), n (0..365)
 * or Mm.w.d, at time seconds of local time (default 02:00:00). */
struct tz_date {
	char		 kind;		/* 'J', 'N', 'M' */
	int		 n, m, w, d;
	long		 time;
};

/* A POSIX TZ string: offsets east of UTC (POSIX writes them west). */
struct tz_posix {
	long		 std_off, dst_off;
	int		 has_dst, has_rule;
	struct tz_date	 start, end;
};

/* A cursor within [p, e). */
struct tz_cur {
	const char	*p, *e;
};

static int
cur_peek(const struct tz_cur *c)
{
	return c->p < c->e ? (unsigned char)*c->p : -1;
}

/* Up to maxd digits (at least one) into *v; 0 or -1. */
static int
cur_num(struct tz_cur *c, int maxd, long *v)
{
	int n = 0;

	*v = 0;
	while (n < maxd && cur_peek(c) >= '0' && cur_peek(c) <= '9') {
		*v = *v * 10 + (*c->p - '0');
		c->p++;
		n++;
	}
	return n > 0 ? 0 : -1;
}

/* A zone abbreviation: 3 or more letters, or <...> of letters, digits,
 * '+' and '-'; 0 or -1. */
static int
cur_name(struct tz_cur *c)
{
	int	 n = 0, ch;

	if (cur_peek(c) == '<') {
		c->p++;
		while ((ch = cur_peek(c)) != -1 && ch != '>') {
			if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			    (ch >= '0' && ch <= '9') || ch == '+' || ch == '-'))
				return -1;
			c->p++;
			n++;
		}
		if (ch != '>')
			return -1;
		c->p++;
		return n >= 3 ? 0 : -1;
	}
	while ((ch = cur_peek(c)) != -1 && ((ch >= 'A' && ch <= 'Z') ||
	    (ch >= 'a' && ch <= 'z'))) {
		c->p++;
		n++;
	}
	return n >= 3 ? 0 : -1;
}

/* [+-]hh[:mm[:ss]] with hours up to maxh, into *v (seconds, the sign
 * as written); 0 or -1. */
static int
cur_time(struct tz_cur *c, long maxh, long *v)
{
	long	 h, m = 0, sec = 0;
	int	 neg = 0;

	if (cur_peek(c) == '+' || cur_peek(c) == '-') {
		neg = *c->p == '-';
		c->p++;
	}
	if (cur_num(c, 3, &h) == -1 || h > maxh)
		return -1;
	if (cur_peek(c) == ':') {
		c->p++;
		if (cur_num(c, 2, &m) == -1 || m > 59)
			return -1;
		if (cur_peek(c) == ':') {
			c->p++;
			if (cur_num(c, 2, &sec) == -1 || sec > 59)
				return -1;
		}
	}
	*v = h * 3600 + m * 60 + sec;
	if (neg)
		*v = -*v;
	return 0;
}

/* ",date[/time]" into d; 0 or -1. */
static int
cur_date(struct tz_cur *c, struct tz_date *d)
{
	long v;

	if (cur_peek(c) != ',')
		return -1;
	c->p++;
	memset(d, 0, sizeof(*d));
	d->time = 2 * 3600;
	if (cur_peek(c) == 'J') {
		c->p++;
		d->kind = 'J';
		if (cur_num(c, 3, &v) == -1 || v < 1 || v > 365)
			return -1;
		d->n = (int)v;
	} else if (cur_peek(c) == 'M') {
		c->p++;
		d->kind = 'M';
		if (cur_num(c, 2, &v) == -1 || v < 1 || v > 12)
			return -1;
		d->m = (int)v;
		if (cur_peek(c) != '.')
			return -1;
		c->p++;
		if (cur_num(c, 1, &v) == -1 || v < 1 || v > 5)
			return -1;
		d->w = (int)v;
		if (cur_peek(c) != '.')
			return -1;
		c->p++;
		if (cur_num(c, 1, &v) == -1 || v > 6)
			return -1;
		d->d = (int)v;
	} else {
		d->kind = 'N';
		if (cur_num(c, 3, &v) == -1 || v > 365)
			return -1;
		d->n = (int)v;
	}
	if (cur_peek(c) == '/') {
		c->p++;
		if (cur_time(c, HG_TZ_RULE_HOURS_MAX, &v) == -1)
			return -1;
		d->time = v;
	}
	return 0;
}

/* Parse the TZ string of len bytes at s into z: 0, or -1 when it is
 * not one (or names daylight time without a rule). */
static int
posix_parse(const char *s, size_t len, struct tz_posix *z)
{
	struct tz_cur	 c = { s, s + len };
	long		 v;

	memset(z, 0, sizeof(*z));
	if (cur_name(&c) == -1 || cur_time(&c, 24, &v) == -1)
		return -1;
	z->std_off = -v;
	z->dst_off = z->std_off + 3600;
	if (cur_peek(&c) == -1)
		return 0;
	if (cur_name(&c) == -1)
		return -1;
	z->has_dst = 1;
	if (cur_peek(&c) != ',' && cur_peek(&c) != -1) {
		if (cur_time(&c, 24, &v) == -1)
			return -1;
		z->dst_off = -v;
	}
	/* Daylight time without a rule: POSIX leaves the dates to the
	 * system; no TZif footer has one. */
	if (cur_date(&c, &z->start) == -1 || cur_date(&c, &z->end) == -1)
		return -1;
	z->has_rule = 1;
	return cur_peek(&c) == -1 ? 0 : -1;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static long long
days_from_civil(long long y, int m, int d)
{
	long long	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The year of day z (days from 1970-01-01). */
static long long
year_of_days(long long z)
{
	long long	 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10);
}

static int
leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The day (from 1970-01-01) of rule date d in year y. */
static long long
rule_day(const struct tz_date *d, long long y)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	long long	 first, day;
	int		 dow, md;

	if (d->kind == 'J')
		return days_from_civil(y, 1, 1) + d->n - 1 +
		    (leap(y) && d->n >= 60);
	if (d->kind == 'N')
		return days_from_civil(y, 1, 1) + d->n;
	first = days_from_civil(y, d->m, 1);
	/* 1970-01-01 was a Thursday (4). */
	dow = (int)(((first % 7) + 11) % 7);
	day = 1 + (d->d - dow + 7) % 7 + (long long)(d->w - 1) * 7;
	md = mdays[d->m - 1] + (d->m == 2 && leap(y));
	while (day > md)
		day -= 7;
	return first + day - 1;
}

/* The offset of z at t (seconds east of UTC). */
static long
posix_at(const struct tz_posix *z, long long t)
{
	long long	 y, at, best = 0;
	long		 off = z->std_off;
	int		 i, found = 0;

	if (!z->has_rule)
		return z->std_off;
	/* The latest change at or before t among those of the years
	 * around t's (a rule time may reach a week into another year);
	 * on a tie daylight time wins (DST all year, "J365/25"). */
	y = year_of_days((t + z->std_off) / 86400 - ((t + z->std_off) % 86400 <
	    0));
	for (i = -1; i <= 1; i++) {
		at = rule_day(&z->start, y + i) * 86400 + z->start.time -
		    z->std_off;
		if (at <= t && (!found || at >= best)) {
			best = at;
			off = z->dst_off;
			found = 1;
		}
		at = rule_day(&z->end, y + i) * 86400 + z->end.time -
		    z->dst_off;
		if (at <= t && (!found || at > best)) {
			best = at;
			off = z->std_off;
			found = 1;
		}
	}
	return off;
}

int
tz_posix_offset(const char *s, size_t len, long long t, long *off)
{
	struct tz_posix	 z;

	if (s == NULL || len == 0 || len > HG_TZ_FOOTER_MAX ||
	    t < -HG_TZ_SPAN_S || t > HG_TZ_SPAN_S || posix_parse(s, len,
	    &z) == -1)
		return -1;
	*off = posix_at(&z, t);
	return 0;
}

/* The footer of the version 2 block at p (c its counts; the file ends
 * at end): its rule's offset at t into *off.  0, or -1 when the file
 * has none (or one that is not a TZ string). */
static int
footer(const unsigned char *p, const unsigned char *end, const long long c[6],
    long long t, long *off)
{
	const unsigned char	*f, *nl;
	size_t			 size, room;

	/* The data: times, indices, types, abbreviations, leap seconds
	 * (12 bytes each), standard/wall and UT/local indicators. */
	size = TZ_HEAD + (size_t)c[3] * 9 + (size_t)c[4] * 6 + (size_t)c[5] +
	    (size_t)c[2] * 12 + (size_t)c[1] + (size_t)c[0];
	if ((size_t)(end - p) < size + 2)
		return -1;
	f = p + size;
	if (*f != '\n')
		return -1;
	f++;
	room = (size_t)(end - f);
	if (room > HG_TZ_FOOTER_MAX + 1)
		room = HG_TZ_FOOTER_MAX + 1;
	if ((nl = memchr(f, '\n', room)) == NULL || nl == f)
		return -1;
	return tz_posix_offset((const char *)f, (size_t)(nl - f), t, off);
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
	for (i = 0; i < 6; i++)
		if (c[i] < 0 || c[i] > 100000)
			return -1;
	if (c[4] < 1 || c[4] > 256 ||
	    (size_t)(v1 + TZ_HEAD + c[3] * 9 + c[4] * 6) > n)
		return -1;
	times = p + TZ_HEAD;
	idx = times + c[3] * 8;
	types = idx + c[3];
	/* After the last transition (or with none), the footer's rule
	 * when there is one (RFC 8536 3.3). */
	if ((c[3] == 0 || be64(times + 8 * (c[3] - 1)) <= t) &&
	    footer(p, b + n, c, t, off) == 0)
		return 0;
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
