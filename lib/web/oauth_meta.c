/*
 * oauth_meta: Meta's callbacks about a person: deauthorize (they
 * removed the app) and data deletion (they asked for their data to be
 * erased), both with a signed_request, and the deletion status page.
 * See oauth.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_oauth.h"
#include "erase.h"
#include "log.h"
#include "oauth.h"
#include "oauth_int.h"
#include "signed_request.h"

const struct route_field oauth_status_fields[OAUTH_STATUS__MAX] = {
	[OAUTH_STATUS_CODE] = { "code", FIELD_TEXT, 1, 64, FIELD_REQUIRED },
};

/* Secrets a signed_request may be signed with: each app secret, and
 * the Instagram app's. */
#define SECRETS_MAX	8

/* A person's id as logs and the audit log show it: its last four
 * digits only. */
static void
mask_id(const char *id, char *out, size_t outsz)
{
	size_t n = strlen(id);

	snprintf(out, outsz, "***%s", n > 4 ? id + n - 4 : "");
}

/* Read and verify the signed_request of r, and that it is fresh:
 * SR_OK with p filled and the hex SHA-256 of the signed_request in
 * hash, else the reason, logged; the answer is the caller's. */
static enum sr_err
verified(struct req *r, const char *event, struct sr_payload *p,
    char hash[2 * CRYPTO_SHA256_LEN + 1], const char **platform)
{
	char		 secrets[SECRETS_MAX][512];
	const char	*list[SECRETS_MAX], *sr = NULL;
	struct params	 f;
	struct logline	 l;
	size_t		 n = 0;
	enum sr_err	 rc;

	memset(&f, 0, sizeof(f));
	memset(p, 0, sizeof(*p));
	/* An oversized body is a bad signed_request like any other. */
	if (http_read_body(r, HG_OAUTH_CALLBACK_BODY_MAX) != 0)
		rc = SR_TOO_LONG;
	else if (http_parse_form(r, &f) == -1)
		rc = SR_MALFORMED;
	else {
		sr = params_get(&f, "signed_request");
		while (n < SECRETS_MAX - 1 && conf_list_item(oauth_conf,
		    "app_secret", n, secrets[n], sizeof(secrets[n])) == 1) {
			list[n] = secrets[n];
			n++;
		}
		/* The Instagram app's secret comes last: a request it signed
		 * is about an Instagram Login. */
		*platform = "facebook";
		if (*conf_get(oauth_conf, "instagram_app_secret") != '\0') {
			snprintf(secrets[n], sizeof(secrets[n]), "%s",
			    conf_get(oauth_conf, "instagram_app_secret"));
			list[n] = secrets[n];
			n++;
		}
		rc = signed_request_verify(sr, sr != NULL ? strlen(sr) : 0,
		    list, n, p);
		crypto_wipe(secrets, sizeof(secrets));
		if (rc == SR_OK)
			rc = signed_request_fresh(p, (long long)time(NULL));
		if (rc == SR_OK)
			crypto_sha256_hex(sr, hash);
		if (rc == SR_OK && n > 0 && p->secret == n - 1 &&
		    *conf_get(oauth_conf, "instagram_app_secret") != '\0')
			*platform = "instagram";
	}
	params_free(&f);
	if (rc != SR_OK) {
		log_begin(&l, LOG_LEVEL_WARN, event);
		log_str(&l, "refused", sr_err_names[rc]);
		log_str(&l, "remote", http_client(r));
		log_end(&l);
	}
	return rc;
}

static void
refuse(struct req *r, enum sr_err why)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "signed_request refused: %s",
	    sr_err_names[why]);
	http_json_error(r, 400, msg);
}

void
oauth_deauthorize(struct req *r, const struct route_ctx *cx)
{
	struct sr_payload	 p;
	struct db		*d;
	struct logline		 l;
	enum sr_err		 why;
	char			 who[16], detail[96];
	char			 hash[2 * CRYPTO_SHA256_LEN + 1];
	const char		*platform = "facebook";
	long long		 logins = 0, channels = 0;
	cJSON			*o;

	(void)cx;
	if ((why = verified(r, "oauth.deauthorize", &p, hash, &platform)) != SR_OK) {
		refuse(r, why);
		return;
	}
	if ((d = app_db(oauth_conf)) == NULL ||
	    db_oauth_revoke(d, p.user_id, platform, (long long)time(NULL), &logins,
	    &channels) == -1) {
		http_json_error(r, 503, "cannot record it now");
		return;
	}
	mask_id(p.user_id, who, sizeof(who));
	snprintf(detail, sizeof(detail), "logins=%lld channels=%lld", logins,
	    channels);
	oauth_audit(d, NULL, 0, "meta_deauthorized", who, detail, r);
	log_begin(&l, LOG_LEVEL_INFO, "oauth.deauthorized");
	log_str(&l, "user", who);
	log_str(&l, "platform", platform);
	log_int(&l, "logins", logins);
	log_int(&l, "channels", channels);
	log_end(&l);
	o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "success");
	http_json(r, 200, o);
}

void
oauth_data_deletion(struct req *r, const struct route_ctx *cx)
{
	struct sr_payload	 p;
	struct db_erase		 e;
	struct db		*d;
	struct logline		 l;
	enum sr_err		 why;
	unsigned char		 rnd[16];
	char			 code[HG_DELETION_CODE_CHARS + 1], who[16];
	char			 have[HG_DELETION_CODE_CHARS + 1];
	char			 hash[2 * CRYPTO_SHA256_LEN + 1];
	const char		*platform = "facebook";
	char			 path[96], url[HG_LINK_MAX + 96];
	char			 summary[700];
	int			 rc;
	cJSON			*o;

	(void)cx;
	if ((why = verified(r, "oauth.data_deletion", &p, hash, &platform)) != SR_OK) {
		refuse(r, why);
		return;
	}
	if (crypto_random(rnd, sizeof(rnd)) == -1 ||
	    crypto_b64url_encode(rnd, sizeof(rnd), code, sizeof(code)) < 0) {
		http_json_error(r, 500, "no randomness");
		return;
	}
	if ((d = app_db(oauth_conf)) == NULL ||
	    (rc = db_deletion_claim(d, hash, code, (long long)time(NULL),
	    have, sizeof(have))) == -1) {
		http_json_error(r, 503, "cannot erase now: ask again");
		return;
	}
	mask_id(p.user_id, who, sizeof(who));
	/* Meta's retry of a request handled already: the same answer. */
	if (rc == 1) {
		if (erase_person(d, p.user_id, 0, (long long)time(NULL),
		    &e) == -1) {
			http_json_error(r, 503, "cannot erase now: ask again");
			return;
		}
		db_erase_summary(&e, summary, sizeof(summary));
		if (db_deletion_done(d, code, summary,
		    (long long)time(NULL)) == -1) {
			http_json_error(r, 503, "cannot erase now: ask again");
			return;
		}
		oauth_audit(d, NULL, 0, "meta_data_deleted", who, summary, r);
		log_begin(&l, LOG_LEVEL_INFO, "oauth.data_deleted");
		log_str(&l, "user", who);
		log_int(&l, "logins", e.logins);
		log_int(&l, "contacts", e.contacts);
		log_int(&l, "messages", e.messages);
		log_int(&l, "events", e.events);
		log_int(&l, "busy", e.busy);
		log_end(&l);
	} else {
		log_begin(&l, LOG_LEVEL_INFO, "oauth.data_deletion_again");
		log_str(&l, "user", who);
		log_end(&l);
	}
	snprintf(path, sizeof(path), "/oauth/deletion-status?code=%s", have);
	if (oauth_own_url(path, url, sizeof(url)) == -1) {
		http_json_error(r, 500, "base_url too long");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "url", url);
	cJSON_AddStringToObject(o, "confirmation_code", have);
	http_json(r, 200, o);
}

void
oauth_deletion_status(struct req *r, const struct route_ctx *cx)
{
	const char	*code = cx->v[OAUTH_STATUS_CODE].s;
	struct db	*d;
	struct tm	 tm;
	time_t		 t;
	long long	 at;
	char		 summary[700], when[64], text[900];
	int		 rc, done = 0;

	if ((d = app_db(oauth_conf)) == NULL ||
	    (rc = db_deletion_find(d, code, &at, summary,
	    sizeof(summary), &done)) == -1) {
		oauth_page(r, 503, "Unavailable", "Try again in a moment.");
		return;
	}
	if (rc == 0) {
		oauth_page_begin(r, 404, "No such deletion request");
		oauth_para(r, "No data deletion has this confirmation code.");
		oauth_page_end(r, NULL, NULL);
		return;
	}
	t = (time_t)at;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	snprintf(text, sizeof(text), "Confirmation code %s.", code);
	if (!done) {
		oauth_page_begin(r, 200, "Data deletion: in progress");
		oauth_para(r, text);
		oauth_para(r, "hubgate is erasing what it holds about this "
		    "person; this page will say what was erased once it has "
		    "finished.");
		oauth_page_end(r, NULL, NULL);
		return;
	}
	oauth_page_begin(r, 200, "Data deletion: done");
	oauth_para(r, text);
	snprintf(text, sizeof(text), "On %s hubgate erased what it held about "
	    "this person: %s", when, summary);
	oauth_para(r, text);
	oauth_para(r, "Nothing else about them is kept. Channels (Pages and "
	    "accounts of businesses) stay connected, without this person's "
	    "tokens.");
	oauth_page_end(r, NULL, NULL);
}
