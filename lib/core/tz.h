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
 * After the file's last transition the last offset holds (zone files
 * of Debian list transitions up to 2037). */
int	 tz_offset(const char *name, long long t, long *off);
/* The same, reading zone files under dir (tests). */
int	 tz_offset_in(const char *dir, const char *name, long long t,
	    long *off);

#endif
