/*
 * tz: the POSIX TZ footer of TZif files (RFC 8536 3.3) after the last
 * transition.  The zone files are made here, slim (one transition or
 * none, then the footer), so the checks do not depend on the system's
 * /usr/share/zoneinfo being fat or slim; every check is in 2030 or
 * later, beyond any table.  Expected instants were computed with
 * Python's datetime.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "test.h"
#include "tz.h"

static char dir[64];

static void
be32(unsigned char *p, long long v)
{
	unsigned long u = (unsigned long)v;

	p[0] = (unsigned char)(u >> 24);
	p[1] = (unsigned char)(u >> 16);
	p[2] = (unsigned char)(u >> 8);
	p[3] = (unsigned char)u;
}

static void
be64(unsigned char *p, long long v)
{
	unsigned long long	u = (unsigned long long)v;
	int			i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(u >> (56 - 8 * i));
}

/* A TZif header: version 2, counts isut, isstd, leap, time, type, char. */
static size_t
head(unsigned char *p, long long isut, long long isstd, long long leapc,
    long long timec, long long typec, long long charc)
{
	memset(p, 0, 44);
	memcpy(p, "TZif2", 5);
	be32(p + 20, isut);
	be32(p + 24, isstd);
	be32(p + 28, leapc);
	be32(p + 32, timec);
	be32(p + 36, typec);
	be32(p + 40, charc);
	return 44;
}

/*
 * Write zone name: a slim file whose version 1 block has one type and
 * whose version 2 block has at (ntimes of 0 or 1) a change to offset
 * std (or, with none, that one type), then footer between newlines (raw:
 * the bytes after the data, as given, when footer is NULL).
 */
static void
zone(const char *name, int ntimes, long long at, long std,
    const char *footer, const char *raw, size_t rawlen)
{
	unsigned char	 b[2048];
	char		 path[128];
	size_t		 n = 0;
	FILE		*f;

	/* Version 1: one type (LMT), 4 bytes of abbreviations. */
	n += head(b + n, 0, 0, 0, 0, 1, 4);
	be32(b + n, 0);
	b[n + 4] = 0;
	b[n + 5] = 0;
	n += 6;
	memcpy(b + n, "LMT", 4);
	n += 4;
	/* Version 2: two types (LMT, the zone's standard time), an
	 * isstd and an isut indicator each, and a leap second record
	 * to be skipped. */
	n += head(b + n, 2, 2, 1, ntimes, 2, 8);
	if (ntimes == 1) {
		be64(b + n, at);
		n += 8;
		b[n++] = 1;
	}
	be32(b + n, 0);
	b[n + 4] = 0;
	b[n + 5] = 0;
	n += 6;
	be32(b + n, std);
	b[n + 4] = 0;
	b[n + 5] = 4;
	n += 6;
	memcpy(b + n, "LMT\0STD", 8);
	n += 8;
	memset(b + n, 0, 12);		/* leap: at 0, correction 0 */
	n += 12;
	memset(b + n, 0, 4);		/* isstd, isut */
	n += 4;
	if (footer != NULL) {
		n += (size_t)snprintf((char *)b + n, sizeof(b) - n, "\n%s\n",
		    footer);
	} else if (raw != NULL && rawlen > 0) {
		memcpy(b + n, raw, rawlen);
		n += rawlen;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(b, 1, n, f) != n) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

/* The offset of zone name at t, or -99999 when it fails. */
static long
at(const char *name, long long t)
{
	long off;

	if (tz_offset_in(dir, name, t, &off) == -1)
		return -99999;
	return off;
}

/* The offset of TZ string s at t, or -99999. */
static long
px(const char *s, long long t)
{
	long off;

	if (tz_posix_offset(s, strlen(s), t, &off) == -1)
		return -99999;
	return off;
}

static void
test_files(void)
{
	/* Paris: the last transition in 1996, then the footer. */
	zone("Paris", 1, 846378000, 3600, "CET-1CEST,M3.5.0,M10.5.0/3", NULL, 0);
	EQ_INT(at("Paris", 846377999), 0, "Paris: before its one transition, "
	    "the first type");
	EQ_INT(at("Paris", 900000000), 7200, "Paris, summer 1998: the footer "
	    "already");
	EQ_INT(at("Paris", 1901149199), 3600, "Paris, a second before DST in "
	    "2030: +1 h");
	EQ_INT(at("Paris", 1901149200), 7200, "... at 2030-03-31 01:00 UTC: "
	    "+2 h");
	EQ_INT(at("Paris", 1919293199), 7200, "... a second before it ends: "
	    "+2 h");
	EQ_INT(at("Paris", 1919293200), 3600, "... 2030-10-27 01:00 UTC: +1 h");
	/* New York: no transitions at all. */
	zone("NewYork", 0, 0, -18000, "EST5EDT,M3.2.0,M11.1.0", NULL, 0);
	EQ_INT(at("NewYork", 1930805999), -18000, "New York, no transitions: "
	    "EST before 2031-03-09 07:00 UTC");
	EQ_INT(at("NewYork", 1930806000), -14400, "... EDT from then");
	EQ_INT(at("NewYork", 1951365599), -14400, "... until 2031-11-02 "
	    "06:00 UTC");
	EQ_INT(at("NewYork", 1951365600), -18000, "... EST again");
	zone("Tehran", 0, 0, 12600, "<+0330>-3:30", NULL, 0);
	EQ_INT(at("Tehran", 2000000000), 12600, "Tehran: <+0330>-3:30, no DST");
	zone("Sydney", 0, 0, 36000, "AEST-10AEDT,M10.1.0,M4.1.0/3", NULL, 0);
	EQ_INT(at("Sydney", 1957780800), 39600, "Sydney, January 2032: "
	    "summer, +11 h");
	EQ_INT(at("Sydney", 1964620799), 39600, "... until 2032-04-04 03:00 "
	    "AEDT");
	EQ_INT(at("Sydney", 1964620800), 36000, "... then +10 h");
	EQ_INT(at("Sydney", 1973505600), 36000, "... July 2032: +10 h");
	EQ_INT(at("Sydney", 1980345599), 36000, "... until 2032-10-03 02:00 "
	    "AEST");
	EQ_INT(at("Sydney", 1980345600), 39600, "... then +11 h");

	/* Files whose footer cannot be used keep the last type. */
	zone("NoRule", 1, 846378000, 3600, "CET-1CEST", NULL, 0);
	EQ_INT(at("NoRule", 1901149200), 3600, "daylight time without its "
	    "dates: the last type");
	zone("Empty", 1, 846378000, 3600, "", NULL, 0);
	EQ_INT(at("Empty", 1901149200), 3600, "an empty footer: the last type");
	zone("Unended", 1, 846378000, 3600, NULL, "\nCET-1CEST,M3.5.0,M10.5.0/3",
	    27);
	EQ_INT(at("Unended", 1901149200), 3600, "a footer without its last "
	    "newline: the last type");
	zone("NoNewline", 1, 846378000, 3600, NULL, "CET-1CEST,M3.5.0,M10.5.0/3\n",
	    27);
	EQ_INT(at("NoNewline", 1901149200), 3600, "a footer without its first "
	    "newline: the last type");
	zone("Cut", 1, 846378000, 3600, NULL, "", 0);
	EQ_INT(at("Cut", 1901149200), 3600, "a version 2 file cut after its "
	    "data: the last type");
	zone("Nul", 1, 846378000, 3600, NULL, "\nCET-1CEST,M3.5.0\0,M10.5.0/3\n",
	    28);
	EQ_INT(at("Nul", 1901149200), 3600, "a footer with a NUL byte: the "
	    "last type");
	{
		char	big[HG_TZ_FOOTER_MAX + 40];

		memset(big, 'A', sizeof(big));
		big[0] = '\n';
		memcpy(big + 1, "CET-1CEST,M3.5.0,M10.5.0/3", 26);
		big[sizeof(big) - 1] = '\n';
		zone("Long", 1, 846378000, 3600, NULL, big, sizeof(big));
		EQ_INT(at("Long", 1901149200), 3600, "a footer over "
		    "HG_TZ_FOOTER_MAX: the last type");
	}
}

static void
test_strings(void)
{
	/* Israel: Thursday 26:00 is Friday 02:00. */
	EQ_INT(px("IST-2IDT,M3.4.4/26,M10.5.0", 1995321599), 7200,
	    "a rule time over 24 h: before 2033-03-25 00:00 UTC, +2 h");
	EQ_INT(px("IST-2IDT,M3.4.4/26,M10.5.0", 1995321600), 10800, "... then +3 h");
	EQ_INT(px("IST-2IDT,M3.4.4/26,M10.5.0", 2014239599), 10800,
	    "... until 2033-10-30 02:00 IDT");
	EQ_INT(px("IST-2IDT,M3.4.4/26,M10.5.0", 2014239600), 7200, "... +2 h");
	/* Nuuk: negative rule times. */
	EQ_INT(px("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 2026947599), -7200,
	    "negative rule times: -2 h before 2034-03-26 01:00 UTC");
	EQ_INT(px("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 2026947600), -3600,
	    "... -1 h then");
	EQ_INT(px("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 2045696399), -3600,
	    "... until 2034-10-29 01:00 UTC");
	EQ_INT(px("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 2045696400), -7200,
	    "... -2 h again");
	/* Julian days: J60 is 1 March even in a leap year. */
	EQ_INT(px("AAA-1BBB,J60,J300", 2087945999), 3600, "Jn: standard before "
	    "1 March 2036 02:00");
	EQ_INT(px("AAA-1BBB,J60,J300", 2087946000), 7200, "... daylight from "
	    "then (29 February not counted)");
	EQ_INT(px("AAA-1BBB,J60,J300", 2108678399), 7200, "... until J300, "
	    "27 October");
	EQ_INT(px("AAA-1BBB,J60,J300", 2108678400), 3600, "... standard again");
	/* Zero-based days: 59 is 29 February in a leap year. */
	EQ_INT(px("AAA-1BBB,59,300", 2087859599), 3600, "n: standard before "
	    "29 February 2036 02:00");
	EQ_INT(px("AAA-1BBB,59,300", 2087859600), 7200, "... daylight from then");
	EQ_INT(px("AAA-1BBB,59,300", 2108678400), 3600, "... until day 300");
	/* Daylight time all year (zic's way of saying it). */
	EQ_INT(px("EST5EDT,0/0,J365/25", 2000000000), -14400, "DST all year: "
	    "always daylight");
	EQ_INT(px("EST5EDT,0/0,J365/25", 1893474000), -14400, "... also at "
	    "the new year");
	/* An explicit daylight offset. */
	EQ_INT(px("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1957780800), 39600,
	    "Lord Howe: half an hour of daylight time");
	EQ_INT(px("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1973505600), 37800,
	    "... and +10:30 in winter");
	EQ_INT(px("UTC0", 2000000000), 0, "UTC0");
	EQ_INT(px("<-03>3", 2000000000), -10800, "<-03>3");
	EQ_INT(px("EST+5", 2000000000), -18000, "an explicit + sign");
	EQ_INT(px("XXX-4:05:06", 0), 4 * 3600 + 5 * 60 + 6, "hh:mm:ss");

	/* Not TZ strings: refused. */
	EQ_INT(px("", 0), -99999, "empty");
	EQ_INT(px("CE-1", 0), -99999, "a name of two letters");
	EQ_INT(px("CET", 0), -99999, "no offset");
	EQ_INT(px("CET-25", 0), -99999, "an offset over 24 h");
	EQ_INT(px("CET-1:60", 0), -99999, "60 minutes");
	EQ_INT(px("<+03-3", 0), -99999, "an unterminated <name>");
	EQ_INT(px("<+0 3>-3", 0), -99999, "a blank in a <name>");
	EQ_INT(px("<+3>-3", 0), -99999, "a <name> of two characters");
	EQ_INT(px("CET-1CEST,M13.1.0,M10.5.0", 0), -99999, "month 13");
	EQ_INT(px("CET-1CEST,M3.6.0,M10.5.0", 0), -99999, "week 6");
	EQ_INT(px("CET-1CEST,M3.5.7,M10.5.0", 0), -99999, "weekday 7");
	EQ_INT(px("CET-1CEST,M3.5,M10.5.0", 0), -99999, "a date without a day");
	EQ_INT(px("CET-1CEST,J0,J300", 0), -99999, "J0");
	EQ_INT(px("CET-1CEST,J366,J300", 0), -99999, "J366");
	EQ_INT(px("CET-1CEST,366,300", 0), -99999, "day 366");
	EQ_INT(px("CET-1CEST,M3.5.0/168,M10.5.0", 0), -99999, "a rule time of "
	    "168 h");
	EQ_INT(px("CET-1CEST,M3.5.0/-168,M10.5.0", 0), -99999, "... or -168 h");
	EQ_INT(px("CET-1CEST,M3.5.0", 0), -99999, "one date only");
	EQ_INT(px("CET-1CEST,M3.5.0,M10.5.0/3x", 0), -99999, "trailing bytes");
	EQ_INT(px("CET-1CEST,M3.5.0,M10.5.0/", 0), -99999, "a slash without "
	    "a time");
	EQ_INT(px("CET-1CEST,M3.5.0,M10.5.0", HG_TZ_SPAN_S + 1), -99999,
	    "a time too far from 1970");
	{
		long	 off = 1;
		char	 s[] = "CET-1CEST,M3.5.0,M10.5.0/3";

		/* Only the bytes given are read: a prefix is not the
		 * string. */
		EQ_INT(tz_posix_offset(s, 20, 0, &off), -1, "a string cut in "
		    "the middle of a date: refused");
		EQ_INT(tz_posix_offset(s, 5, 2000000000, &off), 0, "... cut "
		    "after its offset: the standard time alone");
		EQ_INT(off, 3600, "... +1 h");
	}
	/* Far from today: the rule still holds. */
	EQ_INT(px("CET-1CEST,M3.5.0,M10.5.0/3", 32503680000LL + 180 * 86400),
	    7200, "summer of 3000: +2 h");
	EQ_INT(px("CET-1CEST,M3.5.0,M10.5.0/3", -2208988800LL + 180 * 86400),
	    7200, "summer of 1900 (before 1970): +2 h");
	EQ_INT(px("AEST-10AEDT,M10.1.0,M4.1.0/3", 4102444800LL), 39600,
	    "Sydney at the new year of 2100: summer");
}

int
main(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/tzXXXXXX", t != NULL && strlen(t) < 40 ?
	    t : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_files();
	test_strings();
	{
		/* Tidy up. */
		const char *names[] = { "Paris", "NewYork", "Tehran", "Sydney",
		    "NoRule", "Empty", "Unended", "NoNewline", "Cut", "Nul",
		    "Long", NULL };
		char	 path[128];
		int	 i;

		for (i = 0; names[i] != NULL; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			unlink(path);
		}
		rmdir(dir);
	}
	return test_done();
}
