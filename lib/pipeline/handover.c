/*
 * handover: escalations mirrored to Meta's inbox with Conversation
 * Routing.  See handover.h.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "db_auto.h"
#include "db_handover.h"
#include "handover.h"
#include "log.h"
#include "outbox.h"
#include "utf8.h"

int
handover_page_inbox(const char *settings)
{
	cJSON	*h;
	int	 on;

	if (settings == NULL || (h = cJSON_Parse(settings)) == NULL)
		return 0;
	on = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "page_inbox"));
	cJSON_Delete(h);
	return on;
}

void
handover_metadata(const char *reason, char *out, size_t outsz)
{
	size_t	 n;

	snprintf(out, outsz, "hubgate: escalated: %s", reason != NULL ?
	    reason : "");
	/* snprintf may have cut a character: drop its lead bytes. */
	n = strlen(out);
	if (n + 1 == outsz)
		utf8_trim(out);
	for (char *p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
}

/* Whether workspace ws mirrors escalations to Meta's inbox: 1, 0, -1. */
static int
ws_page_inbox(struct db *d, long long ws)
{
	struct db_auto_settings	 s;
	int			 on;

	if (db_auto_settings_get(d, ws, &s) == -1)
		return -1;
	on = handover_page_inbox(s.handover);
	db_auto_settings_clear(&s);
	return on;
}

/* Log what came of queuing action on conv; 0 or -1. */
static int
noted(struct db *d, long long ws, long long conv, const char *action,
    const struct outbox_res *res, long long now_ms)
{
	char		 why[400];
	struct logline	 l;

	if (res->verdict == OUTBOX_QUEUED_NEW)
		snprintf(why, sizeof(why), "%s: queued (outbox %lld)", action,
		    res->id);
	else
		snprintf(why, sizeof(why), "%s: not queued: %s", action,
		    res->why);
	log_begin(&l, LOG_LEVEL_INFO, "handover.thread_control");
	log_int(&l, "conversation", conv);
	log_str(&l, "action", action);
	log_str(&l, "queued", res->verdict == OUTBOX_QUEUED_NEW ? "yes" : "no");
	log_end(&l);
	return db_auto_log(d, ws, conv, 0, 0, res->verdict == OUTBOX_QUEUED_NEW ?
	    "thread_control" : "skip", why, now_ms);
}

int
handover_pass_in(struct db *d, long long ws, long long conv,
    const char *reason, long long now_ms, int *queued)
{
	struct outbox_res	 res;
	char			 meta[256];
	int			 rc;

	if (queued != NULL)
		*queued = 0;
	if ((rc = ws_page_inbox(d, ws)) != 1)
		return rc;
	handover_metadata(reason, meta, sizeof(meta));
	if (outbox_thread_control_in(d, ws, conv, "pass_thread_control", meta,
	    "rule", 0, now_ms, &res) == -1)
		return -1;
	/* WhatsApp: Conversation Routing has no calls there (yet). */
	if (res.verdict == OUTBOX_REFUSED)
		return 0;
	if (queued != NULL)
		*queued = res.verdict == OUTBOX_QUEUED_NEW;
	return noted(d, ws, conv, "pass_thread_control", &res, now_ms);
}

int
handover_take(struct db *d, long long ws, long long conv, long long user,
    long long now_ms)
{
	struct outbox_res	 res;
	int			 rc;

	if (db_begin(d) == -1)
		return -1;
	if ((rc = ws_page_inbox(d, ws)) != 1 ||
	    (rc = db_handover_take_due(d, conv)) != 1)
		goto out;
	if (outbox_thread_control_in(d, ws, conv, "take_thread_control",
	    "hubgate: the conversation is back with automation", "user",
	    user, now_ms, &res) == -1 ||
	    noted(d, ws, conv, "take_thread_control", &res, now_ms) == -1) {
		rc = -1;
		goto out;
	}
	rc = res.verdict == OUTBOX_QUEUED_NEW;
out:
	if (rc == -1) {
		db_rollback(d);
		return -1;
	}
	return db_commit(d) == -1 ? -1 : rc;
}
