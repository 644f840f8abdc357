/*
 * tz: the UTC offset of an IANA time zone at an instant, read from the
 * system's compiled zone files (TZif, /usr/share/zoneinfo), without
 * touching the process's TZ: safe in any thread.  Business hours
 * (lib/pipeline/rules.c) need a zone's local time across DST changes.
 */
#ifndef HG_TZ_H
#define HG_TZ_H

#include <stddef.h>

/* 1 when name is a plausible zone name ("Europe/Paris", "UTC"): letters,
 * digits, '_', '+', '-', '/', no "..", at most HG_TZ_NAME_MAX bytes. */
int	 tz_name_ok(const char *name);
/* The offset east of UTC in seconds of zone name at unix time t into
 * *off: 0, or -1 when the zone is unknown or its file is malformed.
 * After the file's last transition (fat files list them up to 2037,
 * slim ones few or none) the rule of its footer holds, a POSIX TZ
 * string; a file without one keeps its last offset. */
int	 tz_offset(const char *name, long long t, long *off);
/* The offset east of UTC at t of the POSIX TZ string of len bytes at
 * s (not NUL-terminated: only those bytes are read), as a TZif footer
 * has it: "CET-1CEST,M3.5.0,M10.5.0/3", "<+0330>-3:30",
 * "AEST-10AEDT,M10.1.0,M4.1.0/3", Jn and n dates, rule times from -167
 * to 167 hours.  0, or -1 when it is not one, is longer than
 * HG_TZ_FOOTER_MAX, names daylight time without its dates, or t is
 * beyond HG_TZ_SPAN_S of 1970. */
int	 tz_posix_offset(const char *s, size_t len, long long t, long *off);
/* The same, reading zone files under dir (tests). */
int	 tz_offset_in(const char *dir, const char *name, long long t,
	    long *off);

#endif
