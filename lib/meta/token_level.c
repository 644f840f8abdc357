/*
 * token_level: levels, words and actions of tokens and channels; Meta's
 * refresh windows; the silence threshold; subscription fields.  See
 * token_level.h.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "graph_oauth.h"
#include "json.h"
#include "limits.h"
#include "token_level.h"

const char *const token_level_names[TOKEN_LEVEL__MAX] = {
	"ok", "notice", "warning", "critical", "invalid"
};

int
token_level_parse(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < TOKEN_LEVEL__MAX; i++)
		if (strcmp(name, token_level_names[i]) == 0)
			return i;
	return -1;
}

int
token_code_dead(long code)
{
	return code == 190 || code == 102 || code == 492;
}

const char *
token_subcode_words(long code, long subcode)
{
	switch (subcode) {
	case 458:
		return "the app was removed from the account";
	case 459:
		return "Meta locked the account until the person logs in to "
		    "Facebook (a checkpoint)";
	case 460:
		return "the password of the account was changed";
	case 463:
		return "the token expired";
	case 464:
		return "the person has not confirmed their account";
	case 467:
		return "the token was invalidated (the person logged out or "
		    "Meta ended the session)";
	case 492:
		return "the person's role on the Page changed";
	default:
		break;
	}
	if (code == 492)
		return "the person's role on the Page changed";
	if (code == 102)
		return "the session is no longer valid";
	return "Meta no longer accepts the token";
}

/* Raise v to level with words and action when level is worse; at the
 * same level, add the words after "; ". */
static void
raise_to(struct token_verdict *v, enum token_level level, const char *words,
    const char *action, const char *link)
{
	size_t n;

	if (level < v->level || level == TOKEN_OK)
		return;
	if (level == v->level && v->words[0] != '\0') {
		n = strlen(v->words);
		snprintf(v->words + n, sizeof(v->words) - n, "; %s", words);
		return;
	}
	v->level = level;
	snprintf(v->words, sizeof(v->words), "%s", words);
	snprintf(v->action, sizeof(v->action), "%s", action);
	snprintf(v->link, sizeof(v->link), "%s", link);
}

/* "3 days", "5 hours", "40 minutes" for s seconds into out. */
static void
span(long long s, char *out, size_t outsz)
{
	if (s >= 2 * 86400)
		snprintf(out, outsz, "%lld days", s / 86400);
	else if (s >= 2 * 3600)
		snprintf(out, outsz, "%lld hours", s / 3600);
	else
		snprintf(out, outsz, "%lld minutes", s > 60 ? s / 60 : 1);
}

void
token_level_of(const struct token_facts *f, long long now,
    struct token_verdict *v)
{
	char		 w[384], left_s[32];
	const char	*reconnect = f->login ? "Log in again with Meta's Login "
			    "(Channels, Connect)" : "Reconnect the account with "
			    "Meta's Login (Channels, Connect)";
	long long	 left;

	memset(v, 0, sizeof(*v));
	v->level = TOKEN_OK;
	snprintf(v->link, sizeof(v->link), "none");
	if (f->unreadable)
		raise_to(v, TOKEN_INVALID, "the stored token cannot be "
		    "decrypted (was token_key changed?)", reconnect,
		    "reconnect");
	if (f->code != 0) {
		if (f->subcode != 0)
			snprintf(w, sizeof(w), "Meta no longer accepts the "
			    "token: %s (code %ld, subcode %ld)",
			    token_subcode_words(f->code, f->subcode), f->code,
			    f->subcode);
		else
			snprintf(w, sizeof(w), "Meta no longer accepts the "
			    "token: %s (code %ld)", token_subcode_words(f->code,
			    0), f->code);
		raise_to(v, TOKEN_INVALID, w, reconnect, "reconnect");
	} else if (f->status != NULL && (strcmp(f->status, "invalid") == 0 ||
	    strcmp(f->status, "revoked") == 0))
		raise_to(v, TOKEN_INVALID, strcmp(f->status, "revoked") == 0 ?
		    "the token was revoked (the app was removed, or the "
		    "channel disconnected)" : "Meta refused the token in use",
		    reconnect, "reconnect");
	if (f->expires_at > 0) {
		left = f->expires_at - now;
		span(left, left_s, sizeof(left_s));
		if (left <= 0)
			raise_to(v, TOKEN_INVALID, "the token expired",
			    reconnect, "reconnect");
		else if (left <= HG_TOKEN_CRITICAL_S) {
			snprintf(w, sizeof(w), "the token expires in %s%s",
			    left_s, f->renewable ? " and could not be renewed" :
			    "");
			raise_to(v, TOKEN_CRITICAL, w, reconnect, "reconnect");
		} else if (left <= HG_TOKEN_WARNING_S) {
			snprintf(w, sizeof(w), "the token expires in %s",
			    left_s);
			raise_to(v, TOKEN_WARNING, w, f->renewable ?
			    "Nothing yet: hubgate renews it; if this stays, "
			    "reconnect" : reconnect, f->renewable ? "none" :
			    "reconnect");
		} else if (left <= HG_TOKEN_NOTICE_S) {
			snprintf(w, sizeof(w), "the token expires in %s",
			    left_s);
			raise_to(v, TOKEN_NOTICE, w, f->renewable ?
			    "Nothing: hubgate renews it before it expires" :
			    "Plan to reconnect before it expires", f->renewable ?
			    "none" : "reconnect");
		}
	}
	if (f->missing_fields != NULL && f->missing_fields[0] != '\0') {
		if (strcmp(f->missing_fields, "*") == 0)
			snprintf(w, sizeof(w), "the app is not subscribed to the "
			    "account's webhooks: no events arrive");
		else
			snprintf(w, sizeof(w), "the webhook subscription lacks "
			    "%.200s", f->missing_fields);
		raise_to(v, TOKEN_CRITICAL, w, "Re-subscribe the channel "
		    "(Channels, Re-subscribe)", "resubscribe");
	}
	if (f->data_access_expires_at > 0 &&
	    f->data_access_expires_at - now <= HG_TOKEN_WARNING_S) {
		left = f->data_access_expires_at - now;
		span(left > 0 ? left : 0, left_s, sizeof(left_s));
		if (left > 0)
			snprintf(w, sizeof(w), "data access ends in %s", left_s);
		else
			snprintf(w, sizeof(w), "data access has ended");
		raise_to(v, TOKEN_WARNING, w, "Log in again with Meta's Login "
		    "to renew data access", "reconnect");
	}
	if (f->missing_scope != NULL && f->missing_scope[0] != '\0') {
		snprintf(w, sizeof(w), "the permission %.100s is not granted "
		    "for this account", f->missing_scope);
		raise_to(v, TOKEN_WARNING, w, "Log in again with Meta's Login "
		    "and grant every permission asked for", "grant");
	}
	if (f->silent_s > 0) {
		char a[32], b[32];

		span(f->silent_s, a, sizeof(a));
		span(f->silent_limit_s, b, sizeof(b));
		snprintf(w, sizeof(w), "no event for %s (usually at most %s "
		    "apart)", a, b);
		raise_to(v, TOKEN_WARNING, w, "Check the app's webhook at "
		    "Meta and re-subscribe the channel", "resubscribe");
	}
	/* WhatsApp account events (banned, restricted, flagged). */
	if (f->account_state != NULL && f->account_state[0] != '\0') {
		static const char *const fatal[] = {
			"DISABLE", "SCHEDULE_FOR_DISABLE", "DISABLED_UPDATE",
			"ACCOUNT_DELETED", "PARTNER_REMOVED",
			"PARTNER_APP_UNINSTALLED", "CRITICAL", NULL
		};
		enum token_level l = TOKEN_WARNING;
		int i;

		for (i = 0; fatal[i] != NULL; i++)
			if (strcmp(f->account_state, fatal[i]) == 0)
				l = TOKEN_CRITICAL;
		snprintf(w, sizeof(w), "Meta reports the WhatsApp account or "
		    "number as %.64s", f->account_state);
		raise_to(v, l, w, "See the number's account events (Channels) "
		    "and WhatsApp Manager", "none");
	}
	if (v->level == TOKEN_OK) {
		snprintf(v->words, sizeof(v->words), "%s", f->expires_at > 0 ?
		    "the token is valid" : "the token is valid and does not "
		    "expire");
		snprintf(v->action, sizeof(v->action), "Nothing");
	}
}

int
token_exchange_due(long long expires_at, long long now)
{
	return expires_at > now && expires_at - now <= HG_TOKEN_EXCHANGE_S;
}

int
token_ig_refresh_due(long long issued_at, long long expires_at,
    long long now, long long window_s)
{
	if (expires_at > 0 && expires_at <= now)
		return -1;
	if (issued_at > 0 && now - issued_at < HG_TOKEN_IG_MIN_AGE_S)
		return 0;
	if (expires_at <= 0)
		return 0;
	return expires_at - now < window_s;
}

long long
token_silence_limit(long long events, long long longest_gap_s,
    long long conf_hours)
{
	long long l;

	if (conf_hours > 0)
		return conf_hours * 3600;
	if (events < HG_SILENCE_MIN_EVENTS)
		return 0;
	l = longest_gap_s * HG_SILENCE_FACTOR;
	return l < HG_SILENCE_MIN_S ? HG_SILENCE_MIN_S : l;
}

int
token_subscribed_fields(const cJSON *json, const char *app_id, char *out,
    size_t outsz)
{
	const cJSON	*a, *f, *wa;
	const char	*id;
	char		 idbuf[HG_META_ID_MAX + 1];
	size_t		 o = 0;

	if (outsz > 0)
		out[0] = '\0';
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(json, "data")) {
		wa = cJSON_GetObjectItemCaseSensitive(a,
		    "whatsapp_business_api_data");
		id = json_id(cJSON_GetObjectItemCaseSensitive(cJSON_IsObject(wa) ?
		    wa : a, "id"), idbuf);
		/* Instagram's me/subscribed_apps lists the account's own
		 * subscription without an app id. */
		if (id != NULL && strcmp(id, app_id) != 0)
			continue;
		if (cJSON_IsObject(wa)) {
			snprintf(out, outsz, "%s", GRAPH_WA_FIELDS);
			return 0;
		}
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(a,
		    "subscribed_fields")) {
			const char *name = cJSON_IsString(f) ? f->valuestring :
			    json_str(f, "name");

			if (name == NULL || o + strlen(name) + 2 > outsz)
				continue;
			o += (size_t)snprintf(out + o, outsz - o, "%s%s",
			    o > 0 ? "," : "", name);
		}
		return 0;
	}
	return -1;
}

/* 1 when the comma list list holds item (n bytes). */
static int
list_has(const char *list, const char *item, size_t n)
{
	const char	*p = list, *e;
	size_t		 m;

	while (p != NULL && *p != '\0') {
		e = strchr(p, ',');
		m = e != NULL ? (size_t)(e - p) : strlen(p);
		if (m == n && strncmp(p, item, n) == 0)
			return 1;
		p = e != NULL ? e + 1 : NULL;
	}
	return 0;
}

void
token_fields_missing(const char *need, const char *have, char *out,
    size_t outsz)
{
	const char	*p = need, *e;
	size_t		 n, o = 0;

	if (outsz > 0)
		out[0] = '\0';
	while (p != NULL && *p != '\0') {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n > 0 && !list_has(have, p, n) && o + n + 2 < outsz)
			o += (size_t)snprintf(out + o, outsz - o, "%s%.*s",
			    o > 0 ? "," : "", (int)n, p);
		p = e != NULL ? e + 1 : NULL;
	}
}
