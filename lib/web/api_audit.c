/*
 * api_audit: the audit log as JSON or CSV.  See api_audit.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "api_audit.h"
#include "app.h"
#include "db_user.h"
#include "http.h"
#include "num.h"

#define AUDIT_DAY_S	86400LL
/* Latest second a day or a number may name: the end of year 9999. */
#define AUDIT_TIME_MAX	253402300799LL

static const struct conf *audit_conf;

const struct route_field api_audit_fields[AUDIT_F__MAX] = {
	[AUDIT_F_ACTION] = { "action", FIELD_TEXT, 1, 32, 0 },
	[AUDIT_F_ACTOR] = { "actor", FIELD_TEXT, 1, HG_EMAIL_MAX, 0 },
	[AUDIT_F_SINCE] = { "since", FIELD_TEXT, 1, 12, 0 },
	[AUDIT_F_UNTIL] = { "until", FIELD_TEXT, 1, 12, 0 },
	[AUDIT_F_BEFORE] = { "before", FIELD_ID, 0, 0, 0 },
	[AUDIT_F_LIMIT] = { "limit", FIELD_INT, 1, HG_AUDIT_PAGE_MAX, 0 },
	[AUDIT_F_FORMAT] = { "format", FIELD_TEXT, 1, 4, 0 },
};

void
api_audit_setup(const struct conf *c)
{
	audit_conf = c;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static long long
audit_days(long long y, long long m, long long d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The n decimal digits at s (leading zeros allowed) into *v; 0 or -1. */
static int
audit_digits(const char *s, size_t n, long long *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
api_audit_time(const char *s, long long *t, int *day)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	long long	 y, m, d;
	int		 leap;

	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		if (audit_digits(s, 4, &y) == -1 || audit_digits(s + 5, 2,
		    &m) == -1 || audit_digits(s + 8, 2, &d) == -1 ||
		    y < 1970 || m < 1 || m > 12 || d < 1)
			return -1;
		leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
			return -1;
		*t = audit_days(y, m, d) * AUDIT_DAY_S;
		*day = 1;
		return 0;
	}
	if (num_parse_str(s, 0, AUDIT_TIME_MAX, t) == -1)
		return -1;
	*day = 0;
	return 0;
}

int
api_audit_action_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= 32 || !((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return 0;
	return i > 0;
}

void
api_audit_csv_field(struct buf *b, const char *s)
{
	const char *p;

	if (s == NULL)
		s = "";
	buf_putc(b, '"');
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' ||
	    *s == '\r')
		buf_putc(b, '\'');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

/* The time t as "YYYY-MM-DDTHH:MM:SSZ" into out (21 bytes). */
static void
audit_iso(long long t, char out[21])
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "%lld", t);
}

/* What the lines are written to: a JSON array or a CSV body. */
struct audit_out {
	cJSON		*a;
	struct req	*r;
	struct buf	*csv;
};

static void
audit_one(void *arg, const struct db_audit *e)
{
	struct audit_out	*o = arg;
	cJSON			*j;
	char			 when[21];

	if (o->csv != NULL) {
		audit_iso(e->at, when);
		api_audit_csv_field(o->csv, when);
		buf_putc(o->csv, ',');
		api_audit_csv_field(o->csv, e->who);
		buf_putc(o->csv, ',');
		api_audit_csv_field(o->csv, e->action);
		buf_putc(o->csv, ',');
		api_audit_csv_field(o->csv, e->object);
		buf_putc(o->csv, ',');
		api_audit_csv_field(o->csv, e->detail);
		buf_putc(o->csv, ',');
		api_audit_csv_field(o->csv, e->remote);
		buf_puts(o->csv, "\r\n");
		return;
	}
	if ((j = cJSON_CreateObject()) == NULL)
		return;
	cJSON_AddNumberToObject(j, "id", (double)e->id);
	cJSON_AddNumberToObject(j, "at", (double)e->at);
	cJSON_AddStringToObject(j, "actor", e->who != NULL ? e->who : "");
	cJSON_AddStringToObject(j, "action", e->action != NULL ?
	    e->action : "");
	cJSON_AddStringToObject(j, "object", e->object != NULL ?
	    e->object : "");
	cJSON_AddStringToObject(j, "detail", e->detail != NULL ?
	    e->detail : "");
	cJSON_AddStringToObject(j, "remote", e->remote != NULL ?
	    e->remote : "");
	/* The page reads the address under this name. */
	cJSON_AddStringToObject(j, "address", e->remote != NULL ?
	    e->remote : "");
	cJSON_AddItemToArray(o->a, j);
}

/* The filter of cx's fields into f: 0, or -1 after answering 400. */
static int
audit_filter(struct req *r, const struct route_ctx *cx,
    struct db_audit_filter *f)
{
	const struct route_val	*v = cx->v;
	int			 day;

	memset(f, 0, sizeof(*f));
	if (v[AUDIT_F_ACTION].set) {
		if (!api_audit_action_valid(v[AUDIT_F_ACTION].s))
			goto bad;
		f->action = v[AUDIT_F_ACTION].s;
	}
	if (v[AUDIT_F_ACTOR].set)
		f->actor = v[AUDIT_F_ACTOR].s;
	if (v[AUDIT_F_SINCE].set &&
	    api_audit_time(v[AUDIT_F_SINCE].s, &f->since, &day) == -1) {
		route_error(r, 400, "since: invalid");
		return -1;
	}
	if (v[AUDIT_F_UNTIL].set) {
		if (api_audit_time(v[AUDIT_F_UNTIL].s, &f->until, &day) == -1) {
			route_error(r, 400, "until: invalid");
			return -1;
		}
		/* A day is included whole, a second itself. */
		f->until += day ? AUDIT_DAY_S : 1;
	}
	f->before = v[AUDIT_F_BEFORE].set ? v[AUDIT_F_BEFORE].n : 0;
	f->limit = v[AUDIT_F_LIMIT].set ? (int)v[AUDIT_F_LIMIT].n :
	    HG_AUDIT_PAGE_MAX;
	return 0;
bad:
	route_error(r, 400, "action: invalid");
	return -1;
}

void
api_audit_list(struct req *r, const struct route_ctx *cx)
{
	struct db_audit_filter	 f;
	struct audit_out	 o;
	struct db		*d;
	const char		*fmt = cx->v[AUDIT_F_FORMAT].set ?
				    cx->v[AUDIT_F_FORMAT].s : "json";
	cJSON			*root = NULL;
	int			 csv;

	if (strcmp(fmt, "json") != 0 && strcmp(fmt, "csv") != 0) {
		route_error(r, 400, "format: json or csv");
		return;
	}
	csv = strcmp(fmt, "csv") == 0;
	if (audit_filter(r, cx, &f) == -1)
		return;
	if (audit_conf == NULL || (d = app_db(audit_conf)) == NULL) {
		route_error(r, 503, "the database is not available");
		return;
	}
	memset(&o, 0, sizeof(o));
	o.r = r;
	if (csv) {
		buf_reset(&r->rbody);
		o.csv = &r->rbody;
		buf_puts(o.csv, "\"at\",\"actor\",\"action\",\"object\","
		    "\"detail\",\"remote\"\r\n");
	} else {
		root = cJSON_CreateObject();
		if ((o.a = cJSON_AddArrayToObject(root, "entries")) == NULL) {
			cJSON_Delete(root);
			route_error(r, 500, "out of memory");
			return;
		}
	}
	if (db_audit_find(d, cx->who.workspace, &f, audit_one, &o) == -1) {
		cJSON_Delete(root);
		route_error(r, 503, "cannot read the audit log now");
		return;
	}
	if (!csv) {
		http_json(r, 200, root);
		return;
	}
	http_status(r, 200);
	http_add_header(r, "Content-Type", "text/csv; charset=utf-8");
	http_add_header(r, "Content-Disposition",
	    "attachment; filename=\"audit.csv\"");
}
