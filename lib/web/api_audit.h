/*
 * api_audit: the workspace's audit log for owners and admins
 * (api_audit.c).
 *
 *   GET /api/audit?action=&actor=&since=&until=&before=&limit=&format=
 *
 * answers {entries: [{id, at, actor, action, object, detail, remote}]}
 * newest first, at most limit (HG_AUDIT_PAGE_MAX) lines with ids below
 * before, of the caller's workspace only.  action is one action's name
 * (sign_in, user_created, ...); actor a part of who acted (an e-mail, a
 * token's name), without case; since and until are days (YYYY-MM-DD,
 * UTC, both included) or unix seconds (since <= at <= until).  With
 * format=csv the same lines as text/csv: a header row, every field
 * quoted, and a field that a spreadsheet would take for a formula
 * (starting with = + - @, tab or carriage return) starts with ' instead.
 */
#ifndef HG_API_AUDIT_H
#define HG_API_AUDIT_H

#include <stddef.h>

#include "buf.h"
#include "route.h"

struct conf;

/* The program's configuration, for the handler; once, before serving. */
void	 api_audit_setup(const struct conf *);

/* The fields of GET /api/audit, by index (for the route table). */
enum {
	AUDIT_F_ACTION,
	AUDIT_F_ACTOR,
	AUDIT_F_SINCE,
	AUDIT_F_UNTIL,
	AUDIT_F_BEFORE,
	AUDIT_F_LIMIT,
	AUDIT_F_FORMAT,
	AUDIT_F__MAX
};
extern const struct route_field api_audit_fields[AUDIT_F__MAX];

void	 api_audit_list(struct req *, const struct route_ctx *);

/* A day "YYYY-MM-DD" (a real date, years 1970 to 9999) into *t, its
 * first second (UTC); or unix seconds (digits) into *t, with *day 0.
 * *day is 1 for a day.  0, or -1 for anything else. */
int	 api_audit_time(const char *s, long long *t, int *day);
/* 1 when s is an action's name: 1 to 32 of a-z and '_'; else 0. */
int	 api_audit_action_valid(const char *s);
/* Append s to b as one CSV field: quoted, quotes doubled, and a
 * leading = + - @ tab or carriage return neutralised with a '. */
void	 api_audit_csv_field(struct buf *, const char *s);

#endif
