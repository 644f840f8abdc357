/*
 * rules: validating and matching rules, hours, phrases, placeholders.
 * See rules.h.
 */
#include <sys/types.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "limits.h"
#include "rich.h"
#include "rules.h"
#include "tz.h"
#include "utf8.h"

const char *const rules_default_phrases[] = {
	"human", "agent", "person", "representative", "speak to someone",
	"talk to someone", "customer service", "complaint", "refund",
	"billing", "urgent", NULL
};

static const char *const weekdays[7] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat"
};

/* The base letters of U+0100 to U+017F (Latin Extended-A); 'I' stands
 * for "ij", 'O' for "oe". */
static const char latin_ext_a[129] =
	"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiIIjjkkk"
	"llllllllllnnnnnnnnnooooooOOrrrrrrssssssssttttttuuuuuuuuuuuu"
	"wwyyyzzzzzzs";

/* The base letters of U+00C0 to U+00FF; "" keeps the character. */
static const char *const latin_1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i",
	"i", "i", "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u",
	"u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i",
	"i", "i", "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u",
	"u", "y", "th", "y",
};

/* Decode the code point at s (n bytes left, valid UTF-8) into *cp; its
 * length. */
static size_t
decode(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t	 len, i;

	if (s[0] < 0x80 || n < 2) {
		*cp = s[0];
		return 1;
	}
	len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	if (len > n)
		len = n;
	*cp = s[0] & (0x3f >> (len - 1));
	for (i = 1; i < len; i++)
		*cp = (*cp << 6) | (s[i] & 0x3f);
	return len;
}

char *
rules_fold(const char *text)
{
	const unsigned char	*s = (const unsigned char *)text;
	struct buf		 b;
	unsigned long		 cp;
	size_t			 n, len, i;
	int			 space = 1;
	const char		*base;
	char			 one[3];

	n = text != NULL ? strnlen(text, HG_AUTO_TEXT_MAX) : 0;
	buf_init(&b, 4 * n + 8);
	buf_putc(&b, ' ');
	if (!utf8_valid(s, n))
		n = 0;
	for (i = 0; i < n; i += len) {
		len = decode(s + i, n - i, &cp);
		base = NULL;
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
			one[0] = (char)cp;
			one[1] = '\0';
			base = one;
		} else if (cp >= 'A' && cp <= 'Z') {
			one[0] = (char)(cp - 'A' + 'a');
			one[1] = '\0';
			base = one;
		} else if (cp >= 0x300 && cp <= 0x36f)
			continue;	/* a combining accent */
		else if (cp >= 0xc0 && cp <= 0xff && latin_1[cp - 0xc0][0])
			base = latin_1[cp - 0xc0];
		else if (cp >= 0x100 && cp <= 0x17f) {
			one[0] = latin_ext_a[cp - 0x100];
			one[1] = '\0';
			base = one[0] == 'I' ? "ij" : one[0] == 'O' ? "oe" : one;
		}
		if (base != NULL) {
			buf_puts(&b, base);
			space = 0;
		} else if (cp >= 0x80 && cp != 0xa0 && !(cp >= 0x2000 &&
		    cp <= 0x206f) && !(cp >= 0x3000 && cp <= 0x303f) &&
		    cp != 0xd7 && cp != 0xf7 && !(cp >= 0xa1 && cp <= 0xbf)) {
			/* Letters of other scripts stay as they are. */
			buf_add(&b, s + i, len);
			space = 0;
		} else if (!space) {
			buf_putc(&b, ' ');
			space = 1;
		}
	}
	if (!space)
		buf_putc(&b, ' ');
	return buf_take(&b);
}

int
rules_has_phrase(const char *folded_text, const char *phrase)
{
	char	*p;
	int	 hit;

	if (folded_text == NULL || (p = rules_fold(phrase)) == NULL)
		return 0;
	hit = strcmp(p, " ") != 0 && strstr(folded_text, p) != NULL;
	free(p);
	return hit;
}

/* The first of the array a found in folded, or NULL. */
static const char *
array_hit(const cJSON *a, const char *folded)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, a)
		if (cJSON_IsString(v) && rules_has_phrase(folded, v->valuestring))
			return v->valuestring;
	return NULL;
}

const char *
rules_phrase_hit(const cJSON *phrases, const char *text)
{
	const cJSON	*lang;
	const char	*hit = NULL;
	char		*f;
	size_t		 i;

	if (text == NULL || (f = rules_fold(text)) == NULL)
		return NULL;
	if (phrases == NULL) {
		for (i = 0; hit == NULL && rules_default_phrases[i] != NULL; i++)
			if (rules_has_phrase(f, rules_default_phrases[i]))
				hit = rules_default_phrases[i];
	} else if (cJSON_IsArray(phrases))
		hit = array_hit(phrases, f);
	else if (cJSON_IsObject(phrases))
		cJSON_ArrayForEach(lang, phrases)
			if (hit == NULL && cJSON_IsArray(lang))
				hit = array_hit(lang, f);
	free(f);
	return hit;
}

void
rules_groups_free(struct rules_groups *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < RULES_GROUPS; i++) {
		free(g->g[i]);
		g->g[i] = NULL;
	}
}

/* "HH:MM" into minutes of the day (24:00 is 1440); 0 or -1. */
static int
hhmm(const char *s, int *min)
{
	if (s == NULL || strlen(s) != 5 || s[2] != ':' ||
	    s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return -1;
	*min = ((s[0] - '0') * 10 + s[1] - '0') * 60 + (s[3] - '0') * 10 +
	    s[4] - '0';
	return *min <= 1440 ? 0 : -1;
}

/* 1 when s is "YYYY-MM-DD" with a plausible month and day. */
static int
is_date(const char *s)
{
	int i;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return (s[5] - '0') * 10 + s[6] - '0' >= 1 &&
	    (s[5] - '0') * 10 + s[6] - '0' <= 12 &&
	    (s[8] - '0') * 10 + s[9] - '0' >= 1 &&
	    (s[8] - '0') * 10 + s[9] - '0' <= 31;
}

int
rules_hours_validate(const cJSON *hours, char *why, size_t whysz)
{
	const cJSON	*tz, *week, *day, *iv, *h;
	long		 off;
	int		 a, b, i, known;

	if (!cJSON_IsObject(hours)) {
		snprintf(why, whysz, "hours: an object {tz, week, holidays}");
		return -1;
	}
	tz = cJSON_GetObjectItemCaseSensitive(hours, "tz");
	if (!cJSON_IsString(tz) || tz_offset(tz->valuestring, 0, &off) == -1) {
		snprintf(why, whysz, "tz: a time zone such as Europe/Paris");
		return -1;
	}
	week = cJSON_GetObjectItemCaseSensitive(hours, "week");
	if (!cJSON_IsObject(week)) {
		snprintf(why, whysz, "week: {\"mon\": [[\"09:00\", \"17:00\"]], ...}");
		return -1;
	}
	cJSON_ArrayForEach(day, week) {
		for (i = 0, known = 0; i < 7; i++)
			known |= strcmp(day->string, weekdays[i]) == 0;
		if (!known || !cJSON_IsArray(day) ||
		    cJSON_GetArraySize(day) > 8) {
			snprintf(why, whysz, "week: days are sun..sat, each a "
			    "list of [\"HH:MM\", \"HH:MM\"]");
			return -1;
		}
		cJSON_ArrayForEach(iv, day)
			if (!cJSON_IsArray(iv) || cJSON_GetArraySize(iv) != 2 ||
			    hhmm(cJSON_GetStringValue(cJSON_GetArrayItem(iv, 0)),
			    &a) == -1 || hhmm(cJSON_GetStringValue(
			    cJSON_GetArrayItem(iv, 1)), &b) == -1 || a >= b) {
				snprintf(why, whysz, "week.%s: intervals "
				    "[\"HH:MM\", \"HH:MM\"], the first earlier",
				    day->string);
				return -1;
			}
	}
	h = cJSON_GetObjectItemCaseSensitive(hours, "holidays");
	if (h != NULL && (!cJSON_IsArray(h) || cJSON_GetArraySize(h) > 366)) {
		snprintf(why, whysz, "holidays: a list of \"YYYY-MM-DD\"");
		return -1;
	}
	cJSON_ArrayForEach(iv, h)
		if (!is_date(cJSON_GetStringValue(iv))) {
			snprintf(why, whysz, "holidays: a list of \"YYYY-MM-DD\"");
			return -1;
		}
	return 0;
}

/* The civil date of days since 1970-01-01 (H. Hinnant's algorithm). */
static void
civil(long long days, int *y, int *m, int *d)
{
	long long	 z = days + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int
rules_outside_hours(const cJSON *hours, long long at_ms)
{
	const cJSON	*iv, *h;
	char		 why[128], date[16];
	long long	 local, days;
	long		 off;
	int		 y, m, d, min, a, b;

	if (rules_hours_validate(hours, why, sizeof(why)) == -1 ||
	    tz_offset(cJSON_GetObjectItemCaseSensitive(hours, "tz")->valuestring,
	    at_ms / 1000, &off) == -1)
		return -1;
	local = at_ms / 1000 + off;
	days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	min = (int)((local - days * 86400) / 60);
	civil(days, &y, &m, &d);
	snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, d);
	h = cJSON_GetObjectItemCaseSensitive(hours, "holidays");
	cJSON_ArrayForEach(iv, h)
		if (strcmp(iv->valuestring, date) == 0)
			return 1;
	/* 1970-01-01 was a Thursday. */
	cJSON_ArrayForEach(iv, cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(hours, "week"),
	    weekdays[((days % 7) + 7 + 4) % 7])) {
		hhmm(cJSON_GetArrayItem(iv, 0)->valuestring, &a);
		hhmm(cJSON_GetArrayItem(iv, 1)->valuestring, &b);
		if (min >= a && min < b)
			return 0;
	}
	return 1;
}

int
rules_next_open(const cJSON *hours, long long at_ms, char *out, size_t outsz)
{
	static const char *const names[7] = { "Sunday", "Monday", "Tuesday",
	    "Wednesday", "Thursday", "Friday", "Saturday" };
	const cJSON	*iv, *h;
	char		 why[128], date[16];
	long long	 local, days, d;
	long		 off;
	int		 y, m, dd, now_min, a, best, holiday, wd;

	if (rules_hours_validate(hours, why, sizeof(why)) == -1 ||
	    tz_offset(cJSON_GetObjectItemCaseSensitive(hours, "tz")->valuestring,
	    at_ms / 1000, &off) == -1)
		return -1;
	local = at_ms / 1000 + off;
	days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	now_min = (int)((local - days * 86400) / 60);
	h = cJSON_GetObjectItemCaseSensitive(hours, "holidays");
	for (d = days; d <= days + 8; d++) {
		civil(d, &y, &m, &dd);
		snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, dd);
		holiday = 0;
		cJSON_ArrayForEach(iv, h)
			holiday |= strcmp(iv->valuestring, date) == 0;
		if (holiday)
			continue;
		wd = (int)(((d % 7) + 7 + 4) % 7);
		best = -1;
		cJSON_ArrayForEach(iv, cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(hours, "week"),
		    weekdays[wd])) {
			hhmm(cJSON_GetArrayItem(iv, 0)->valuestring, &a);
			if ((d > days || a > now_min) && (best == -1 || a < best))
				best = a;
		}
		if (best >= 0) {
			snprintf(out, outsz, "%s %02d:%02d", names[wd], best / 60,
			    best % 60);
			return 1;
		}
	}
	return 0;
}

/*
 * Whether pattern p may run: a rule's pattern is matched inside event
 * processing, so nothing whose matching or compiling can take long: no
 * back-reference (\1 .. \9: matching them is exponential), at most
 * HG_RULE_REPEATS_MAX bounded repeats {m,n}, none above
 * HG_RULE_REPEAT_MAX (nested ones multiply the compiled size).  1 or 0.
 */
static int
pattern_safe(const char *p)
{
	const char	*q;
	char		*end;
	long		 n;
	int		 repeats = 0;

	for (q = p; *q != '\0'; q++) {
		if (*q == '\\') {
			if (q[1] >= '0' && q[1] <= '9')
				return 0;
			if (q[1] != '\0')
				q++;
			continue;
		}
		if (*q != '{')
			continue;
		if (++repeats > HG_RULE_REPEATS_MAX)
			return 0;
		for (q++; *q != '\0' && *q != '}'; q++) {
			if (*q < '0' || *q > '9')
				continue;
			n = strtol(q, &end, 10);
			if (n > HG_RULE_REPEAT_MAX)
				return 0;
			q = end - 1;
		}
		if (*q == '\0')
			return 1;	/* regcomp refuses it */
	}
	return 1;
}

/* Compile a rule's pattern; 0 or -1. */
static int
pattern_compile(const char *p, regex_t *re, int groups)
{
	if (p == NULL || strlen(p) == 0 || strlen(p) > HG_RULE_PATTERN_MAX ||
	    !pattern_safe(p))
		return -1;
	return regcomp(re, p, REG_EXTENDED | REG_ICASE |
	    (groups ? 0 : REG_NOSUB)) == 0 ? 0 : -1;
}

/* Validate a list of strings of 1 to max bytes, at most n of them. */
static int
strings_ok(const cJSON *a, int n, size_t max)
{
	const cJSON *v;

	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 ||
	    cJSON_GetArraySize(a) > n)
		return 0;
	cJSON_ArrayForEach(v, a)
		if (!cJSON_IsString(v) || strlen(v->valuestring) == 0 ||
		    strlen(v->valuestring) > max ||
		    !utf8_valid(v->valuestring, strlen(v->valuestring)))
			return 0;
	return 1;
}

/* Validate a rule's "when"; 0 or -1 with why. */
static int
when_validate(const cJSON *w, char *why, size_t whysz)
{
	const cJSON	*v;
	regex_t		 re;
	const char	*s;

	if (!cJSON_IsObject(w) || w->child == NULL) {
		snprintf(why, whysz, "when: an object of conditions");
		return -1;
	}
	cJSON_ArrayForEach(v, w) {
		s = v->string;
		if (strcmp(s, "keywords") == 0) {
			if (!strings_ok(v, HG_RULE_KEYWORDS_MAX,
			    HG_RULE_KEYWORD_MAX)) {
				snprintf(why, whysz, "when.keywords: 1 to %d "
				    "words or phrases", HG_RULE_KEYWORDS_MAX);
				return -1;
			}
		} else if (strcmp(s, "match") == 0) {
			if (!cJSON_IsString(v) || (strcmp(v->valuestring,
			    "any") != 0 && strcmp(v->valuestring, "all") != 0)) {
				snprintf(why, whysz, "when.match: \"any\" or \"all\"");
				return -1;
			}
		} else if (strcmp(s, "pattern") == 0) {
			if (!cJSON_IsString(v) ||
			    pattern_compile(v->valuestring, &re, 0) == -1) {
				snprintf(why, whysz, "when.pattern: a regular "
				    "expression of at most %d bytes, without "
				    "back-references, with at most %d repeats "
				    "{m,n} of at most %d", HG_RULE_PATTERN_MAX,
				    HG_RULE_REPEATS_MAX, HG_RULE_REPEAT_MAX);
				return -1;
			}
			regfree(&re);
		} else if (strcmp(s, "payload") == 0 || strcmp(s, "kind") == 0 ||
		    strcmp(s, "ad_id") == 0) {
			if (!cJSON_IsString(v) || strlen(v->valuestring) == 0 ||
			    strlen(v->valuestring) > 1000) {
				snprintf(why, whysz, "when.%s: a string", s);
				return -1;
			}
		} else if (strcmp(s, "no_reply_minutes") == 0) {
			if (!cJSON_IsNumber(v) || v->valuedouble < 1 ||
			    v->valuedouble > 10080) {
				snprintf(why, whysz, "when.no_reply_minutes: 1 to "
				    "10080");
				return -1;
			}
		} else if (strcmp(s, "first_message") == 0 ||
		    strcmp(s, "outside_hours") == 0) {
			if (!cJSON_IsTrue(v)) {
				snprintf(why, whysz, "when.%s: true", s);
				return -1;
			}
		} else {
			snprintf(why, whysz, "when: unknown condition %.40s", s);
			return -1;
		}
	}
	if (cJSON_HasObjectItem(w, "match") && !cJSON_HasObjectItem(w,
	    "keywords")) {
		snprintf(why, whysz, "when.match goes with when.keywords");
		return -1;
	}
	return 0;
}

/* Validate a reply action's object; 0 or -1 with why. */
static int
reply_validate(const cJSON *v, char *why, size_t whysz)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(v, "text");
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(v, "quick_replies");
	const cJSON *tpl = cJSON_GetObjectItemCaseSensitive(v, "template");

	if (cJSON_IsObject(tpl) && t == NULL && q == NULL &&
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(tpl, "name")))
		return 0;
	/* Buttons or a generic template (rich.h). */
	if (rich_is(v)) {
		if (rich_validate(v, why, whysz) == -1)
			return -1;
		if (q != NULL && !strings_ok(q, 13, 20)) {
			snprintf(why, whysz, "then.reply.quick_replies: up to "
			    "13 titles");
			return -1;
		}
		return 0;
	}
	if (!cJSON_IsString(t) || strlen(t->valuestring) == 0 ||
	    strlen(t->valuestring) > HG_RULE_TEXT_MAX ||
	    !utf8_valid(t->valuestring, strlen(t->valuestring)) ||
	    (q != NULL && !strings_ok(q, 13, 20))) {
		snprintf(why, whysz, "then.reply: {\"text\": 1 to %d bytes, "
		    "\"quick_replies\"?: up to 13 titles} or {\"template\": "
		    "{\"name\", \"language\"}}", HG_RULE_TEXT_MAX);
		return -1;
	}
	return 0;
}

/* Validate one action; 0 or -1 with why. */
static int
action_validate(const cJSON *a, char *why, size_t whysz)
{
	const cJSON	*v;
	const char	*k;

	if (!cJSON_IsObject(a) || a->child == NULL || a->child->next != NULL) {
		snprintf(why, whysz, "then: each action an object of one key");
		return -1;
	}
	v = a->child;
	k = v->string;
	if (strcmp(k, "reply") == 0)
		return reply_validate(v, why, whysz);
	if (strcmp(k, "tag") == 0) {
		if (!cJSON_IsString(v) || strlen(v->valuestring) == 0 ||
		    strlen(v->valuestring) > 50) {
			snprintf(why, whysz, "then.tag: a tag of 1 to 50 bytes");
			return -1;
		}
		return 0;
	}
	if (strcmp(k, "assign") == 0 && cJSON_IsObject(v)) {
		/* A group of people (db_group.h), by id or by name. */
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(v, "group");

		if (v->child == NULL || v->child->next != NULL || !((cJSON_IsNumber(g) &&
		    g->valuedouble >= 1 && g->valuedouble <= 9007199254740992.0 &&
		    g->valuedouble == (double)(long long)g->valuedouble) ||
		    (cJSON_IsString(g) && g->valuestring[0] != '\0' &&
		    strlen(g->valuestring) <= HG_GROUP_NAME_MAX))) {
			snprintf(why, whysz, "then.assign: a user id, or "
			    "{\"group\": a group's id or name}");
			return -1;
		}
		return 0;
	}
	if (strcmp(k, "assign") == 0) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 1 ||
		    v->valuedouble > 9007199254740992.0) {
			snprintf(why, whysz, "then.assign: a user id");
			return -1;
		}
		return 0;
	}
	if (strcmp(k, "escalate") == 0 || strcmp(k, "close") == 0 ||
	    strcmp(k, "stop") == 0 || strcmp(k, "bot") == 0) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(v, "reason");
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(v, "params");

		if (!cJSON_IsObject(v) || (x != NULL && (!cJSON_IsString(x) ||
		    strlen(x->valuestring) > 200)) || (p != NULL &&
		    !cJSON_IsObject(p))) {
			snprintf(why, whysz, "then.%s: an object", k);
			return -1;
		}
		return 0;
	}
	if (strcmp(k, "forward") == 0) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(v,
		    "destination_id");

		if (!cJSON_IsObject(v) || (x != NULL && (!cJSON_IsNumber(x) ||
		    x->valuedouble < 1 || x->valuedouble > 9007199254740992.0 ||
		    x->valuedouble != (double)(long long)x->valuedouble))) {
			snprintf(why, whysz, "then.forward: an object, with "
			    "destination_id (a destination's id) or without");
			return -1;
		}
		return 0;
	}
	snprintf(why, whysz, "then: unknown action %.40s", k);
	return -1;
}

int
rules_validate(const cJSON *rule, char *why, size_t whysz)
{
	const cJSON	*n, *e, *c, *t, *v;

	if (!cJSON_IsObject(rule)) {
		snprintf(why, whysz, "a rule is a JSON object");
		return -1;
	}
	n = cJSON_GetObjectItemCaseSensitive(rule, "name");
	if (!cJSON_IsString(n) || strlen(n->valuestring) == 0 ||
	    strlen(n->valuestring) > HG_RULE_NAME_MAX ||
	    !utf8_valid(n->valuestring, strlen(n->valuestring))) {
		snprintf(why, whysz, "name: 1 to %d bytes", HG_RULE_NAME_MAX);
		return -1;
	}
	e = cJSON_GetObjectItemCaseSensitive(rule, "enabled");
	if (e != NULL && !cJSON_IsBool(e)) {
		snprintf(why, whysz, "enabled: true or false");
		return -1;
	}
	c = cJSON_GetObjectItemCaseSensitive(rule, "channels");
	if (c != NULL && !cJSON_IsNull(c)) {
		if (!cJSON_IsArray(c) || cJSON_GetArraySize(c) > 100) {
			snprintf(why, whysz, "channels: a list of channel ids");
			return -1;
		}
		cJSON_ArrayForEach(v, c)
			if (!cJSON_IsNumber(v) || v->valuedouble < 1) {
				snprintf(why, whysz, "channels: a list of "
				    "channel ids");
				return -1;
			}
	}
	if (when_validate(cJSON_GetObjectItemCaseSensitive(rule, "when"), why,
	    whysz) == -1)
		return -1;
	t = cJSON_GetObjectItemCaseSensitive(rule, "then");
	if (!cJSON_IsArray(t) || cJSON_GetArraySize(t) < 1 ||
	    cJSON_GetArraySize(t) > HG_RULE_ACTIONS_MAX) {
		snprintf(why, whysz, "then: a list of 1 to %d actions",
		    HG_RULE_ACTIONS_MAX);
		return -1;
	}
	cJSON_ArrayForEach(v, t)
		if (action_validate(v, why, whysz) == -1)
			return -1;
	return 0;
}

int
rules_channel_excluded(const cJSON *rule, long long channel)
{
	const cJSON	*c = cJSON_GetObjectItemCaseSensitive(rule, "channels");
	const cJSON	*v;

	if (!cJSON_IsArray(c) || cJSON_GetArraySize(c) == 0)
		return 0;
	cJSON_ArrayForEach(v, c)
		if (cJSON_IsNumber(v) && (long long)v->valuedouble == channel)
			return 0;
	return 1;
}

/* Does the pattern p match text?  Groups into g; 1, 0 or -1. */
static int
pattern_match(const char *p, const char *text, struct rules_groups *g)
{
	regmatch_t	 pm[RULES_GROUPS];
	regex_t		 re;
	char		*cut;
	size_t		 i;
	int		 rc;

	if (pattern_compile(p, &re, g != NULL) == -1)
		return -1;
	/* The text too is bounded: a message may be long. */
	if ((cut = strndup(text, HG_AUTO_TEXT_MAX)) == NULL) {
		regfree(&re);
		return -1;
	}
	rc = regexec(&re, cut, g != NULL ? RULES_GROUPS : 0,
	    g != NULL ? pm : NULL, 0) == 0;
	for (i = 1; rc && g != NULL && i < RULES_GROUPS; i++)
		if (pm[i].rm_so >= 0 && (g->g[i] = strndup(cut + pm[i].rm_so,
		    (size_t)(pm[i].rm_eo - pm[i].rm_so))) == NULL)
			rc = -1;
	regfree(&re);
	free(cut);
	return rc;
}

/* Do the keywords of w hold for text (any, or all of them)? */
static int
keywords_match(const cJSON *w, const char *text)
{
	const cJSON	*k = cJSON_GetObjectItemCaseSensitive(w, "keywords");
	const char	*mode = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(w, "match"));
	const cJSON	*v;
	char		*f;
	int		 all = mode != NULL && strcmp(mode, "all") == 0;
	int		 hits = 0, n = 0;

	if ((f = rules_fold(text)) == NULL)
		return -1;
	cJSON_ArrayForEach(v, k) {
		n++;
		hits += cJSON_IsString(v) && rules_has_phrase(f, v->valuestring);
	}
	free(f);
	return all ? hits == n && n > 0 : hits > 0;
}

int
rules_match(const cJSON *rule, const struct rules_msg *m, const cJSON *hours,
    struct rules_groups *g)
{
	const cJSON	*w = cJSON_GetObjectItemCaseSensitive(rule, "when");
	const cJSON	*v;
	const char	*s, *text = m->text != NULL ? m->text : "";
	int		 rc;

	if (!cJSON_IsObject(w) || w->child == NULL)
		return -1;
	cJSON_ArrayForEach(v, w) {
		s = v->string;
		if (strcmp(s, "keywords") == 0)
			rc = keywords_match(w, text);
		else if (strcmp(s, "match") == 0)
			rc = 1;
		else if (strcmp(s, "pattern") == 0)
			rc = cJSON_IsString(v) ? pattern_match(v->valuestring,
			    text, g) : -1;
		else if (strcmp(s, "payload") == 0)
			rc = cJSON_IsString(v) && m->payload != NULL &&
			    strcmp(m->payload, v->valuestring) == 0;
		else if (strcmp(s, "first_message") == 0)
			rc = m->first_message;
		else if (strcmp(s, "outside_hours") == 0)
			rc = hours != NULL && rules_outside_hours(hours,
			    m->at_ms) == 1;
		else if (strcmp(s, "kind") == 0)
			rc = cJSON_IsString(v) && m->kind != NULL &&
			    strcmp(m->kind, v->valuestring) == 0;
		else if (strcmp(s, "no_reply_minutes") == 0)
			rc = cJSON_IsNumber(v) && m->waited_ms > 0 &&
			    m->waited_ms >= (long long)v->valuedouble * 60000;
		else if (strcmp(s, "ad_id") == 0)
			rc = cJSON_IsString(v) && m->ad_id != NULL &&
			    strcmp(m->ad_id, v->valuestring) == 0;
		else
			rc = -1;
		if (rc != 1)
			return rc;
	}
	return 1;
}

/* Tidy what an empty placeholder left: runs of spaces one, no space
 * before , . ! ? or at either end. */
static void
tidy(char *s)
{
	char	*r = s, *w = s;

	while (*r == ' ')
		r++;
	for (; *r != '\0'; r++) {
		if (*r == ' ' && (r[1] == ' ' || r[1] == ',' || r[1] == '.' ||
		    r[1] == '!' || r[1] == '?' || r[1] == '\0'))
			continue;
		*w++ = *r;
	}
	*w = '\0';
}

char *
rules_fill(const char *tmpl, rules_lookup lookup, void *arg,
    const struct rules_groups *g)
{
	const char	*p, *end, *bar, *val;
	struct buf	 b;
	char		 key[64];
	size_t		 klen;
	int		 empty = 0;
	char		*out;

	buf_init(&b, HG_RULE_TEXT_MAX * 4 + 64);
	for (p = tmpl; *p != '\0'; p++) {
		if (*p != '{' || (end = strchr(p, '}')) == NULL) {
			buf_putc(&b, *p);
			continue;
		}
		bar = memchr(p, '|', (size_t)(end - p));
		klen = (size_t)((bar != NULL ? bar : end) - p - 1);
		if (klen == 0 || klen >= sizeof(key) ||
		    strcspn(p + 1, " {\n") < klen) {
			buf_putc(&b, *p);
			continue;
		}
		memcpy(key, p + 1, klen);
		key[klen] = '\0';
		val = NULL;
		if (strncmp(key, "match.", 6) == 0 && key[6] >= '1' &&
		    key[6] <= '9' && key[7] == '\0')
			val = g != NULL ? g->g[key[6] - '0'] : NULL;
		else if (lookup != NULL)
			val = lookup(arg, key);
		if (val != NULL && val[0] != '\0')
			buf_puts(&b, val);
		else if (bar != NULL && bar + 1 < end)
			buf_add(&b, bar + 1, (size_t)(end - bar - 1));
		else
			empty = 1;
		p = end;
	}
	if ((out = buf_take(&b)) != NULL && empty)
		tidy(out);
	return out;
}

/* qsort's order of long longs. */
static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

long long
rules_median(long long *w, size_t n)
{
	if (n == 0)
		return 0;
	qsort(w, n, sizeof(*w), cmp_ll);
	return n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2;
}
