/*
 * events_wa_account: WhatsApp Business Account notices of the webhook
 * event normalizer (account, quality, name, template and review
 * updates, alerts): stored on the channels of the account, a
 * template's new status or category noted for the template picker.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "db_detail.h"
#include "events.h"
#include "events_int.h"
#include "json.h"

/* WhatsApp account-level fields: the member naming what happened, and
 * whether the event speaks of the account's ability to send. */
static const struct {
	const char	*field, *word;
	int		 state;
} wa_notices[] = {
	{ "account_update",			"event",		1 },
	{ "phone_number_quality_update",	"event",		1 },
	{ "phone_number_name_update",		"decision",		0 },
	{ "message_template_status_update",	"event",		0 },
	{ "message_template_quality_update",	"new_quality_score",	0 },
	{ "template_category_update",		"new_category",		0 },
	{ "message_template_components_update",	"message_template_name", 0 },
	{ "business_capability_update",		NULL,			0 },
	{ "account_review_update",		"decision",		0 },
	{ "account_alerts",			"alert_severity",	0 },
	{ "security",				"event",		0 },
};

/* How much an account-level word threatens sending. */
static const char *
wa_notice_level(const char *field, const char *word)
{
	static const char *const critical[] = {
		"DISABLED_UPDATE", "DISABLE", "SCHEDULE_FOR_DISABLE",
		"ACCOUNT_DELETED", "PARTNER_REMOVED", "PARTNER_APP_UNINSTALLED",
		"CRITICAL", NULL
	};
	static const char *const warning[] = {
		"ACCOUNT_RESTRICTION", "ACCOUNT_RESTRICTED", "ACCOUNT_VIOLATION",
		"FLAGGED", "DOWNGRADE", "REJECTED", "DISABLED", "PAUSED",
		"PENDING_DELETION", "RED", "WARNING", NULL
	};
	int i;

	(void)field;
	for (i = 0; critical[i] != NULL; i++)
		if (strcmp(word, critical[i]) == 0)
			return "critical";
	for (i = 0; warning[i] != NULL; i++)
		if (strcmp(word, warning[i]) == 0)
			return "warning";
	return "info";
}

/* A WhatsApp account-level change for the WABA waba: 1 recorded (or
 * counted as unrouted), 0 not such a field, -1. */
int
ev_wa_notice(struct ev *e, const char *waba, const char *field, const cJSON *v)
{
	struct db_notice	 n;
	const char		*w = NULL;
	char			*detail;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(wa_notices) / sizeof(wa_notices[0]); i++)
		if (strcmp(field, wa_notices[i].field) == 0)
			break;
	if (i == sizeof(wa_notices) / sizeof(wa_notices[0]))
		return 0;
	memset(&n, 0, sizeof(n));
	if (wa_notices[i].word != NULL)
		w = json_str(v, wa_notices[i].word);
	/* A ban's state says more than DISABLED_UPDATE. */
	if (json_str(get(v, "ban_info"), "waba_ban_state") != NULL)
		w = json_str(get(v, "ban_info"), "waba_ban_state");
	n.waba = waba;
	n.field = field;
	n.word = w != NULL ? w : "UPDATE";
	n.level = wa_notice_level(field, n.word);
	/* Only an event about the account's standing moves its state:
	 * a warning sets it, a relief clears it, the rest leaves it. */
	n.state = wa_notices[i].state && (strcmp(n.level, "info") != 0 ||
	    strcmp(n.word, "UNFLAGGED") == 0 || strcmp(n.word, "UPGRADE") == 0 ||
	    strcmp(n.word, "REINSTATE") == 0);
	n.at_ms = e->entry_ms != 0 ? e->entry_ms : e->now_ms;
	n.event_id = e->id;
	if ((detail = json_text(v)) == NULL)
		return -1;
	n.detail = detail;
	rc = db_channel_notice(e->db, &n);
	free(detail);
	if (rc == -1)
		return -1;
	if (rc == 0 && ev_ledger(e, "entry", "unrouted") == -1)
		return -1;
	/* The template picker offers what Meta now allows: a status
	 * change (a flag is no status; a reinstated one is approved
	 * again) or a new category. */
	if (rc > 0 && (strcmp(field, "message_template_status_update") == 0 ||
	    strcmp(field, "template_category_update") == 0) &&
	    json_str(v, "message_template_name") != NULL &&
	    json_str(v, "message_template_language") != NULL &&
	    db_template_event(e->db, waba, json_str(v,
	    "message_template_name"), json_str(v, "message_template_language"),
	    strcmp(field, "template_category_update") == 0 ||
	    strcmp(n.word, "FLAGGED") == 0 ? NULL :
	    strcmp(n.word, "REINSTATED") == 0 ? "APPROVED" : n.word,
	    strcmp(field, "template_category_update") == 0 ?
	    n.word : NULL) == -1)
		return -1;
	/* The event belongs to the numbers it spoke of. */
	if (rc > 0 && e->id > 0 && db_event_route_waba(e->db, e->id,
	    waba) == -1)
		return -1;
	return 1;
}
