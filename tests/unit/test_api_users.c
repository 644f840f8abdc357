/*
 * Unit tests for the checks of lib/web/api_users and api_audit that do
 * not need a request: e-mail shape, the set-password link (base_url or
 * a plain Host only), audit days and times, action names, and CSV
 * fields (quoted, quotes doubled, formulas neutralised).
 */
#include "api_audit.h"
#include "api_session.h"
#include "api_users.h"
#include "buf.h"
#include "test.h"

static const char *
csv(const char *s)
{
	static struct buf	 b;
	static char		 out[256];

	buf_init(&b, 1024);
	api_audit_csv_field(&b, s);
	snprintf(out, sizeof(out), "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

static void
test_email(void)
{
	OK(api_email_valid("ana@example.com"), "a plain address");
	OK(api_email_valid("a.b+c@mail.example.org"), "dots and plus");
	OK(!api_email_valid("ana"), "no @");
	OK(!api_email_valid("@example.com"), "nothing before @");
	OK(!api_email_valid("ana@"), "nothing after @");
	OK(!api_email_valid("ana@localhost"), "no dot in the domain");
	OK(!api_email_valid("ana@example."), "a trailing dot");
	OK(!api_email_valid("a@b@example.com"), "two @");
	OK(!api_email_valid("ana @example.com"), "a space");
	OK(!api_email_valid("<script>@example.com"), "markup");
}

static void
test_link(void)
{
	char out[128];

	OK(api_setup_link("https://hub.example.com/", "evil.example", "TOK",
	    out, sizeof(out)) == 0, "link from base_url");
	EQ_STR(out, "https://hub.example.com/setup.html?token=TOK",
	    "base_url wins over Host, its slash dropped");
	OK(api_setup_link("", "127.0.0.1:8080", "TOK", out, sizeof(out)) == 0,
	    "link from Host");
	EQ_STR(out, "http://127.0.0.1:8080/setup.html?token=TOK", "Host used");
	OK(api_setup_link("", "evil.example/x?", "TOK", out, sizeof(out)) ==
	    -1, "a Host with a path is refused");
	OK(api_setup_link(NULL, NULL, "TOK", out, sizeof(out)) == -1,
	    "no base at all");
	OK(api_setup_link("https://hub.example.com", NULL, "TOK", out, 20) ==
	    -1, "a link that does not fit");
}

static void
test_time(void)
{
	long long	 t;
	int		 day;

	OK(api_audit_time("1970-01-01", &t, &day) == 0 && t == 0 && day,
	    "the epoch as a day");
	OK(api_audit_time("2024-02-29", &t, &day) == 0, "a leap day");
	EQ_INT(t, 1709164800, "2024-02-29 UTC");
	OK(api_audit_time("2000-03-01", &t, &day) == 0 && t == 951868800,
	    "after a 400-year leap day");
	OK(api_audit_time("1700000000", &t, &day) == 0 && t == 1700000000 &&
	    !day, "unix seconds");
	OK(api_audit_time("2023-02-29", &t, &day) == -1, "no leap day 2023");
	OK(api_audit_time("1900-02-29", &t, &day) == -1, "before 1970");
	OK(api_audit_time("2024-13-01", &t, &day) == -1, "month 13");
	OK(api_audit_time("2024-04-31", &t, &day) == -1, "April 31");
	OK(api_audit_time("2024-00-10", &t, &day) == -1, "month 0");
	OK(api_audit_time("2024-1-1", &t, &day) == -1, "short fields");
	OK(api_audit_time("2024-01-0x", &t, &day) == -1, "not digits");
	OK(api_audit_time("-5", &t, &day) == -1, "negative seconds");
	OK(api_audit_time("", &t, &day) == -1, "empty");
	OK(api_audit_time("99999999999999", &t, &day) == -1, "past 9999");
}

static void
test_action(void)
{
	OK(api_audit_action_valid("user_created"), "an action");
	OK(!api_audit_action_valid(""), "empty");
	OK(!api_audit_action_valid("User"), "upper case");
	OK(!api_audit_action_valid("a b"), "a space");
	OK(!api_audit_action_valid("a'--"), "quotes");
	OK(!api_audit_action_valid("abcdefghijklmnopqrstuvwxyzabcdefg"),
	    "33 characters");
}

static void
test_csv(void)
{
	EQ_STR(csv("plain"), "\"plain\"", "quoted");
	EQ_STR(csv(""), "\"\"", "empty");
	EQ_STR(csv(NULL), "\"\"", "none");
	EQ_STR(csv("say \"hi\", ok"), "\"say \"\"hi\"\", ok\"",
	    "quotes doubled, comma kept inside");
	EQ_STR(csv("=1+1"), "\"'=1+1\"", "= neutralised");
	EQ_STR(csv("+1"), "\"'+1\"", "+ neutralised");
	EQ_STR(csv("-1"), "\"'-1\"", "- neutralised");
	EQ_STR(csv("@SUM(A1)"), "\"'@SUM(A1)\"", "@ neutralised");
	EQ_STR(csv("\tx"), "\"'\tx\"", "tab neutralised");
	EQ_STR(csv("\rx"), "\"'\rx\"", "carriage return neutralised");
	EQ_STR(csv("a=b"), "\"a=b\"", "= inside is text");
}

int
main(void)
{
	test_email();
	test_link();
	test_time();
	test_action();
	test_csv();
	return test_done();
}
