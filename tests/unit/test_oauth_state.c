/*
 * Unit tests for lib/web/oauth_state (the Login state's format: MAC,
 * session binding, lifetime) and lib/web/oauth's scope lists.
 */
#include <stdio.h>
#include <string.h>

#include "oauth.h"
#include "oauth_state.h"
#include "test.h"

#define SECRET	"state-secret"
#define SID	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SID2	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define NOW	1700000000LL

static enum oauth_state_err
check(const char *st, const char *sid, long long now)
{
	char nonce[OAUTH_NONCE_CHARS + 1], platform[16];

	return oauth_state_check(SECRET, st, sid, now, 600, nonce, platform);
}

static void
test_round_trip(void)
{
	char	 st[HG_OAUTH_STATE_MAX + 1], st2[HG_OAUTH_STATE_MAX + 1];
	char	 nonce[OAUTH_NONCE_CHARS + 1], platform[16];
	size_t	 i;

	EQ_INT(oauth_state_make(SECRET, SID, "facebook", NOW, st, sizeof(st)), 0,
	    "make");
	OK(strlen(st) <= HG_OAUTH_STATE_MAX, "fits the limit");
	for (i = 0; st[i] != '\0'; i++)
		if (!(st[i] == '.' || st[i] == '-' || st[i] == '_' ||
		    (st[i] >= '0' && st[i] <= '9') || (st[i] >= 'a' &&
		    st[i] <= 'z') || (st[i] >= 'A' && st[i] <= 'Z')))
			break;
	EQ_INT(st[i], 0, "only URL-safe characters");
	OK(strstr(st, SID) == NULL && strstr(st, SECRET) == NULL,
	    "names neither the session id nor the secret");
	EQ_INT(oauth_state_check(SECRET, st, SID, NOW + 5, 600, nonce,
	    platform), OAUTH_STATE_OK, "a fresh state of this session is good");
	EQ_STR(platform, "facebook", "its platform");
	EQ_INT(strlen(nonce), OAUTH_NONCE_CHARS, "its nonce");
	EQ_INT(strncmp(st, nonce, OAUTH_NONCE_CHARS), 0, "the nonce is the first field");
	EQ_INT(oauth_state_make(SECRET, SID, "facebook", NOW, st2, sizeof(st2)),
	    0, "make again");
	OK(strcmp(st, st2) != 0, "two states differ (random nonce)");
	EQ_INT(oauth_state_make(SECRET, SID, "instagram", NOW, st2,
	    sizeof(st2)), 0, "instagram");
	EQ_INT(check(st2, SID, NOW), OAUTH_STATE_OK, "an instagram state");
	EQ_INT(oauth_state_make(SECRET, SID, "whatsapp", NOW, st2,
	    sizeof(st2)), 0, "whatsapp (Embedded Signup)");
	EQ_INT(oauth_state_check(SECRET, st2, SID, NOW, 600, nonce, platform),
	    OAUTH_STATE_OK, "a whatsapp state");
	EQ_STR(platform, "whatsapp", "... its platform");
	EQ_INT(oauth_state_make(SECRET, SID, "myspace", NOW, st2, sizeof(st2)),
	    -1, "unknown platform refused");
	EQ_INT(oauth_state_make("", SID, "facebook", NOW, st2, sizeof(st2)),
	    -1, "no secret: no state");
	EQ_INT(oauth_state_make(SECRET, SID, "facebook", NOW, st2, 40), -1,
	    "too small a buffer");
}

static void
test_refusals(void)
{
	char	 st[HG_OAUTH_STATE_MAX + 1], bad[HG_OAUTH_STATE_MAX + 8];
	char	 nonce[OAUTH_NONCE_CHARS + 1], platform[16];
	char	*dot;

	oauth_state_make(SECRET, SID, "facebook", NOW, st, sizeof(st));
	EQ_INT(check(NULL, SID, NOW), OAUTH_STATE_MISSING, "NULL: missing");
	EQ_INT(check("", SID, NOW), OAUTH_STATE_MISSING, "empty: missing");
	EQ_INT(check("abc", SID, NOW), OAUTH_STATE_MALFORMED, "abc: malformed");
	EQ_INT(check("a.b.c.d.e", SID, NOW), OAUTH_STATE_MALFORMED,
	    "five short fields: malformed");
	snprintf(bad, sizeof(bad), "%s.x", st);
	EQ_INT(check(bad, SID, NOW), OAUTH_STATE_MALFORMED, "six fields");
	snprintf(bad, sizeof(bad), "%s", st);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'A' ? 'B' : 'A';
	EQ_INT(check(bad, SID, NOW), OAUTH_STATE_TAMPERED, "MAC changed: tampered");
	snprintf(bad, sizeof(bad), "%s", st);
	dot = strchr(bad, '.');
	dot[1] = dot[1] == '9' ? '8' : '9';
	EQ_INT(check(bad, SID, NOW), OAUTH_STATE_TAMPERED, "time changed: tampered");
	snprintf(bad, sizeof(bad), "%s", st);
	bad[0] = bad[0] == 'A' ? 'B' : 'A';
	EQ_INT(check(bad, SID, NOW), OAUTH_STATE_TAMPERED, "nonce changed: tampered");
	EQ_INT(oauth_state_check("other-secret", st, SID, NOW, 600, nonce,
	    platform), OAUTH_STATE_TAMPERED, "another secret: tampered");
	EQ_INT(check(st, SID2, NOW), OAUTH_STATE_OTHER_SESSION,
	    "another session: refused");
	EQ_INT(check(st, NULL, NOW), OAUTH_STATE_OTHER_SESSION,
	    "no session: refused");
	EQ_INT(check(st, SID, NOW + 599), OAUTH_STATE_OK, "599 s: still good");
	EQ_INT(check(st, SID, NOW + 600), OAUTH_STATE_EXPIRED, "600 s: expired");
	EQ_INT(oauth_state_check(SECRET, st, SID, NOW + 2, 1, nonce, platform),
	    OAUTH_STATE_EXPIRED, "a shorter lifetime");
	EQ_INT(check(st, SID, NOW - 61), OAUTH_STATE_EXPIRED,
	    "from more than a minute in the future: refused");
	memset(bad, 'a', HG_OAUTH_STATE_MAX + 1);
	bad[HG_OAUTH_STATE_MAX + 1] = '\0';
	EQ_INT(check(bad, SID, NOW), OAUTH_STATE_MALFORMED, "too long");
	EQ_STR(oauth_state_err_names[OAUTH_STATE_REPLAYED], "replayed",
	    "names: replayed");
}

static void
test_scopes(void)
{
	char out[512];

	EQ_INT(oauth_scopes(NULL, out, sizeof(out)), 0, "default products");
	EQ_STR(out, "pages_show_list,pages_messaging,pages_manage_metadata,"
	    "instagram_basic,instagram_manage_messages", "Messenger and Instagram");
	EQ_INT(oauth_scopes("messenger,whatsapp,messenger", out, sizeof(out)),
	    0, "with WhatsApp");
	EQ_STR(out, "pages_show_list,pages_messaging,pages_manage_metadata,"
	    "whatsapp_business_management,whatsapp_business_messaging",
	    "WhatsApp's scopes, no repeats");
	EQ_INT(oauth_scopes("messenger,,x", out, sizeof(out)), -1, "unknown");
	oauth_declined("a,b,c", "c,a", out, sizeof(out));
	EQ_STR(out, "b", "declined: asked but not granted");
	oauth_declined("a,bb", "a,b", out, sizeof(out));
	EQ_STR(out, "bb", "whole names only");
	oauth_declined("a", "a", out, sizeof(out));
	EQ_STR(out, "", "nothing declined");
}

int
main(void)
{
	test_round_trip();
	test_refusals();
	test_scopes();
	return test_done();
}
