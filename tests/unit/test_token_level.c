/*
 * Token levels (lib/meta/token_level.c) at every boundary, Meta's
 * refresh windows, the silence threshold, the subscription fields
 * compared, and debug_token's own error shapes
 * (graph_oauth_debug_read, graph_error_classify).
 */
#include <string.h>

#include "test.h"

#include "graph_error.h"
#include "graph_oauth.h"
#include "limits.h"
#include "token_level.h"

#define DAY	86400LL
#define HOUR	3600LL

static const long long now = 1800000000LL;

/* The level of a token expiring in left seconds. */
static enum token_level
level_left(long long left, int renewable)
{
	struct token_facts	f;
	struct token_verdict	v;

	memset(&f, 0, sizeof(f));
	f.status = "valid";
	f.renewable = renewable;
	f.expires_at = now + left;
	token_level_of(&f, now, &v);
	return v.level;
}

static struct token_verdict
verdict(const struct token_facts *f)
{
	struct token_verdict v;

	token_level_of(f, now, &v);
	return v;
}

static void
expiry_boundaries(void)
{
	struct token_facts	f;
	struct token_verdict	v;

	EQ_INT(level_left(31 * DAY, 0), TOKEN_OK, "31 days left: ok");
	EQ_INT(level_left(30 * DAY + 1, 0), TOKEN_OK, "30 days + 1 s: ok");
	EQ_INT(level_left(30 * DAY, 0), TOKEN_NOTICE, "30 days: notice");
	EQ_INT(level_left(7 * DAY + 1, 0), TOKEN_NOTICE, "7 days + 1 s: notice");
	EQ_INT(level_left(7 * DAY, 0), TOKEN_WARNING, "7 days: warning");
	EQ_INT(level_left(3 * DAY + 1, 0), TOKEN_WARNING, "3 days + 1 s: warning");
	EQ_INT(level_left(3 * DAY, 0), TOKEN_CRITICAL, "3 days: critical");
	EQ_INT(level_left(1, 0), TOKEN_CRITICAL, "1 s: critical");
	EQ_INT(level_left(0, 0), TOKEN_INVALID, "expired now: invalid");
	EQ_INT(level_left(-DAY, 0), TOKEN_INVALID, "expired yesterday: invalid");
	memset(&f, 0, sizeof(f));
	f.status = "valid";
	v = verdict(&f);
	EQ_INT(v.level, TOKEN_OK, "no expiry (a Page token): ok");
	OK(strstr(v.words, "does not expire") != NULL, "... saying so");
	EQ_STR(v.action, "Nothing", "... nothing to do");
	f.status = "none";
	EQ_INT(verdict(&f).level, TOKEN_OK, "no token at all: ok");
	f.status = "revoked";
	v = verdict(&f);
	EQ_INT(v.level, TOKEN_INVALID, "revoked: invalid");
	EQ_STR(v.link, "reconnect", "... link: reconnect");
	f.status = "invalid";
	EQ_INT(verdict(&f).level, TOKEN_INVALID, "invalid status: invalid");

	/* The words and the action follow who renews it. */
	f.status = "valid";
	f.expires_at = now + 20 * DAY;
	f.renewable = 1;
	v = verdict(&f);
	EQ_INT(v.level, TOKEN_NOTICE, "renewable, 20 days: notice");
	OK(strstr(v.words, "expires in 20 days") != NULL, "... in days");
	OK(strstr(v.action, "renews it") != NULL, "... hubgate renews it");
	EQ_STR(v.link, "none", "... no link");
	f.renewable = 0;
	v = verdict(&f);
	EQ_STR(v.link, "reconnect", "not renewable, 20 days: link reconnect");
	f.expires_at = now + 2 * DAY;
	f.renewable = 1;
	v = verdict(&f);
	OK(strstr(v.words, "could not be renewed") != NULL,
	    "renewable, 2 days: critical says the renewal failed");
	f.expires_at = now + 5 * HOUR;
	v = verdict(&f);
	OK(strstr(v.words, "5 hours") != NULL, "5 hours left: in hours");
}

static void
other_causes(void)
{
	struct token_facts	f;
	struct token_verdict	v;

	memset(&f, 0, sizeof(f));
	f.status = "valid";
	f.data_access_expires_at = now + 7 * DAY + 1;
	EQ_INT(verdict(&f).level, TOKEN_OK, "data access in 7 days + 1 s: ok");
	f.data_access_expires_at = now + 7 * DAY;
	v = verdict(&f);
	EQ_INT(v.level, TOKEN_WARNING, "data access in 7 days: warning");
	OK(strstr(v.words, "data access ends in 7 days") != NULL, "... in words");
	f.data_access_expires_at = now - 1;
	OK(strstr(verdict(&f).words, "data access has ended") != NULL,
	    "data access ended: said so");
	f.data_access_expires_at = 0;

	f.missing_scope = "pages_messaging";
	v = verdict(&f);
	EQ_INT(v.level, TOKEN_WARNING, "a missing scope: warning");
	EQ_STR(v.link, "grant", "... link grant");
	OK(strstr(v.words, "pages_messaging") != NULL, "... naming it");
	f.missing_scope = "";

	f.missing_fields = "feed,standby";
	v = verdict(&f);
	EQ_INT(v.level, TOKEN_CRITICAL, "a partial subscription: critical");
	EQ_STR(v.link, "resubscribe", "... link resubscribe");
	OK(strstr(v.words, "feed,standby") != NULL, "... naming the fields");
	f.missing_fields = "*";
	v = verdict(&f);
	EQ_INT(v.level, TOKEN_CRITICAL, "no subscription: critical");
	OK(strstr(v.words, "not subscribed") != NULL, "... in words");
	f.missing_fields = NULL;

	f.silent_s = 10 * HOUR;
	f.silent_limit_s = 6 * HOUR;
	v = verdict(&f);
	EQ_INT(v.level, TOKEN_WARNING, "silent: warning");
	OK(strstr(v.words, "no event for 10 hours (usually at most 6 hours "
	    "apart)") != NULL, "... with its usual gap");
	f.silent_s = 0;

	/* The worst wins; words of the same level add up. */
	f.missing_scope = "pages_messaging";
	f.data_access_expires_at = now + DAY;
	v = verdict(&f);
	OK(strstr(v.words, "data access") != NULL &&
	    strstr(v.words, "; the permission") != NULL,
	    "two warnings: both in the words");
	f.missing_fields = "*";
	EQ_INT(verdict(&f).level, TOKEN_CRITICAL, "critical beats warnings");
	f.code = 190;
	f.subcode = 460;
	v = verdict(&f);
	EQ_INT(v.level, TOKEN_INVALID, "dead beats everything");
	OK(strstr(v.words, "password of the account was changed (code 190, "
	    "subcode 460)") != NULL, "... 460 in words, with the numbers");
	f.subcode = 0;
	OK(strstr(verdict(&f).words, "(code 190)") != NULL,
	    "190 without a subcode: the code alone");
	f.unreadable = 1;
	f.code = 0;
	OK(strstr(verdict(&f).words, "cannot be decrypted") != NULL,
	    "an unreadable token: invalid, said why");
}

static void
subcodes(void)
{
	static const struct {
		long		 code, sub;
		const char	*words;
	} t[] = {
		{ 190, 458, "app was removed" },
		{ 190, 459, "checkpoint" },
		{ 190, 460, "password" },
		{ 190, 463, "expired" },
		{ 190, 464, "not confirmed" },
		{ 190, 467, "invalidated" },
		{ 492, 0, "role on the Page" },
		{ 102, 0, "session is no longer valid" },
		{ 190, 0, "no longer accepts" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		OK(strstr(token_subcode_words(t[i].code, t[i].sub),
		    t[i].words) != NULL, t[i].words);
	OK(token_code_dead(190) && token_code_dead(102) && token_code_dead(492),
	    "190, 102, 492 are dead-token codes");
	OK(!token_code_dead(100) && !token_code_dead(4), "100 and 4 are not");
	EQ_INT(token_level_parse("critical"), TOKEN_CRITICAL, "parse a level");
	EQ_INT(token_level_parse("bad"), -1, "an unknown level");
	EQ_INT(token_level_parse(NULL), -1, "no level");
}

static void
windows(void)
{
	long long w = HG_TOKEN_IG_REFRESH_S;

	EQ_INT(token_exchange_due(now + 7 * DAY, now), 1, "exchange: 7 days left");
	EQ_INT(token_exchange_due(now + 7 * DAY + 1, now), 0,
	    "exchange: 7 days + 1 s left, not yet");
	EQ_INT(token_exchange_due(now + 1, now), 1, "exchange: 1 s left");
	EQ_INT(token_exchange_due(now, now), 0, "exchange: expired, too late");
	EQ_INT(token_exchange_due(0, now), 0, "exchange: never expires");

	EQ_INT(token_ig_refresh_due(now - DAY, now + 10 * DAY, now, w), 1,
	    "Instagram: 24 h old, 10 days left: refresh");
	EQ_INT(token_ig_refresh_due(now - DAY + 1, now + 10 * DAY, now, w), 0,
	    "Instagram: 1 s short of 24 h: not yet");
	EQ_INT(token_ig_refresh_due(now - 40 * DAY, now + 15 * DAY, now, w), 0,
	    "Instagram: 15 days left: not in the window");
	EQ_INT(token_ig_refresh_due(now - 40 * DAY, now + 15 * DAY - 1, now, w),
	    1, "Instagram: 15 days - 1 s: in the window");
	EQ_INT(token_ig_refresh_due(now - 60 * DAY, now, now, w), -1,
	    "Instagram: expired: a new Login is needed");
	EQ_INT(token_ig_refresh_due(0, now + DAY, now, w), 1,
	    "Instagram: age unknown, 1 day left: try");
}

static void
silence(void)
{
	EQ_INT(token_silence_limit(HG_SILENCE_MIN_EVENTS - 1, HOUR, 0), 0,
	    "too few events: not learned, not flagged");
	EQ_INT(token_silence_limit(HG_SILENCE_MIN_EVENTS, HOUR, 0), 6 * HOUR,
	    "a gap of 1 h: 3 h, raised to the 6 h floor");
	EQ_INT(token_silence_limit(100, 2 * HOUR, 0), 6 * HOUR,
	    "a gap of 2 h: exactly 6 h");
	EQ_INT(token_silence_limit(100, 2 * HOUR + 1, 0), 6 * HOUR + 3,
	    "a gap of 2 h + 1 s: 3x");
	EQ_INT(token_silence_limit(100, 5 * HOUR, 0), 15 * HOUR,
	    "a gap of 5 h: 15 h");
	EQ_INT(token_silence_limit(0, 0, 4), 4 * HOUR,
	    "silence_alert_hours set: that, learned or not");
}

static void
fields(void)
{
	cJSON	*j;
	char	 out[512];

	token_fields_missing("messages,feed,standby", "standby,messages", out,
	    sizeof(out));
	EQ_STR(out, "feed", "missing: feed");
	token_fields_missing("messages,feed", "messages,feed,extra", out,
	    sizeof(out));
	EQ_STR(out, "", "nothing missing (extra fields are fine)");
	token_fields_missing("messages", "", out, sizeof(out));
	EQ_STR(out, "messages", "all missing");
	token_fields_missing("messages", "messages_x", out, sizeof(out));
	EQ_STR(out, "messages", "a field's prefix is not the field");

	j = cJSON_Parse("{\"data\":[{\"id\":\"999\",\"subscribed_fields\":"
	    "[\"feed\"]},{\"id\":\"123\",\"name\":\"x\",\"subscribed_fields\":"
	    "[\"messages\",{\"name\":\"feed\"}]}]}");
	EQ_INT(token_subscribed_fields(j, "123", out, sizeof(out)), 0,
	    "this app is listed");
	EQ_STR(out, "messages,feed", "... its fields (strings or objects), not "
	    "another app's");
	EQ_INT(token_subscribed_fields(j, "555", out, sizeof(out)), -1,
	    "another app only: not subscribed");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"data\":[{\"whatsapp_business_api_data\":"
	    "{\"id\":123,\"name\":\"x\"}}]}");
	EQ_INT(token_subscribed_fields(j, "123", out, sizeof(out)), 0,
	    "a WhatsApp account's list (a numeric id)");
	EQ_STR(out, "messages", "... means messages");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"data\":[]}");
	EQ_INT(token_subscribed_fields(j, "123", out, sizeof(out)), -1,
	    "an empty list: not subscribed");
	cJSON_Delete(j);
}

static void
debug_shapes(void)
{
	struct graph_token_info	 info;
	struct graph_result	 res;
	cJSON			*j;
	const char		*dead = "{\"data\":{\"app_id\":\"1\",\"is_valid\":"
				    "false,\"expires_at\":1700000000,\"error\":"
				    "{\"code\":190,\"message\":\"Error validating "
				    "access token: The user changed their "
				    "password.\",\"subcode\":460},\"scopes\":[]}}";

	/* HTTP 200 for a dead token: the call is fine, the token is not. */
	memset(&res, 0, sizeof(res));
	graph_error_classify(200, dead, strlen(dead), NULL, &res);
	EQ_INT(res.cls, GRAPH_OK, "a dead token's debug_token answer is HTTP 200, "
	    "class ok");
	EQ_INT(graph_oauth_debug_read(res.json, &info), 0, "... it reads");
	EQ_INT(info.is_valid, 0, "... is_valid false");
	EQ_INT(info.error_code, 190, "... code 190");
	EQ_INT(info.error_subcode, 460, "... subcode (the key is subcode)");
	graph_result_free(&res);

	j = cJSON_Parse("{\"data\":{\"is_valid\":false,\"error\":{\"code\":190,"
	    "\"error_subcode\":458}}}");
	graph_oauth_debug_read(j, &info);
	EQ_INT(info.error_subcode, 458, "error_subcode is read too");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"data\":{\"is_valid\":false,\"scopes\":[]}}");
	graph_oauth_debug_read(j, &info);
	EQ_INT(info.error_code, 190, "dead without an error object: 190");
	EQ_INT(info.error_subcode, 0, "... and no subcode");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"data\":{\"is_valid\":false,\"error\":{\"code\":190}}}");
	graph_oauth_debug_read(j, &info);
	EQ_INT(info.error_code * 10 + info.error_subcode, 1900 - 1,
	    "an error without a subcode: 190, subcode -1 (none)");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"data\":{\"is_valid\":true,\"expires_at\":0,"
	    "\"data_access_expires_at\":\"1800000000\",\"issued_at\":1700000000,"
	    "\"scopes\":[\"pages_messaging\",\"pages_show_list\"]}}");
	EQ_INT(graph_oauth_debug_read(j, &info), 0, "a valid one reads");
	OK(info.is_valid && info.expires_at == 0 && info.error_code == 0,
	    "... valid, never expires, no error");
	EQ_INT(info.data_access_expires_at, 1800000000LL,
	    "... data access (a number as a string)");
	EQ_STR(info.scopes, "pages_messaging,pages_show_list", "... its scopes");
	cJSON_Delete(j);
	j = cJSON_Parse("{\"error\":{\"code\":190}}");
	EQ_INT(graph_oauth_debug_read(j, &info), -1, "no data: -1");
	cJSON_Delete(j);

	/* The same death as a Graph error (a call with the token). */
	{
		const char *e = "{\"error\":{\"message\":\"Error validating "
		    "access token\",\"type\":\"OAuthException\",\"code\":190,"
		    "\"error_subcode\":463,\"fbtrace_id\":\"Abc\"}}";

		memset(&res, 0, sizeof(res));
		graph_error_classify(400, e, strlen(e), NULL, &res);
		EQ_INT(res.cls, GRAPH_TOKEN_INVALID, "a 190 Graph error: token "
		    "invalid");
		EQ_INT(res.subcode, 463, "... subcode 463");
		EQ_STR(res.fbtrace_id, "Abc", "... fbtrace_id kept");
		graph_result_free(&res);
	}
}

/* A WhatsApp number's account events raise its level: a ban or the
 * app's removal critical, a restriction or a flag a warning. */
static void
account_events(void)
{
	struct token_facts	f;
	struct token_verdict	v;

	memset(&f, 0, sizeof(f));
	f.status = "valid";
	f.account_state = "ACCOUNT_RESTRICTION";
	v = verdict(&f);
	EQ_INT(v.level, TOKEN_WARNING, "a restricted WhatsApp account: warning");
	OK(strstr(v.words, "ACCOUNT_RESTRICTION") != NULL, "... naming Meta's word");
	f.account_state = "FLAGGED";
	EQ_INT(verdict(&f).level, TOKEN_WARNING, "a flagged number: warning");
	f.account_state = "DISABLE";
	EQ_INT(verdict(&f).level, TOKEN_CRITICAL, "a banned account: critical");
	f.account_state = "PARTNER_REMOVED";
	EQ_INT(verdict(&f).level, TOKEN_CRITICAL, "the app removed: critical");
	f.account_state = "";
	EQ_INT(verdict(&f).level, TOKEN_OK, "no account state: ok");
	f.account_state = "DISABLE";
	f.status = "revoked";
	EQ_INT(verdict(&f).level, TOKEN_INVALID, "a dead token stays invalid");
}

int
main(void)
{
	account_events();
	expiry_boundaries();
	other_causes();
	subcodes();
	windows();
	silence();
	fields();
	debug_shapes();
	return test_done();
}
