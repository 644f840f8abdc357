/*
 * fm_wa: the fake's WhatsApp business accounts and their numbers:
 * GET /<phone-number-id>, GET /<waba-id>/phone_numbers and POST
 * /<phone-number-id>/register, with Meta's shapes and errors.  A
 * system-user token reaches only the account its granular scopes name
 * (its target; every account when it has none).
 */
#include <stdio.h>
#include <string.h>

#include "json.h"

#include "fm.h"

static const struct fm_number numbers[] = {
	{ FM_WABA_ID, FM_PHONE_ID, FM_PHONE_DISPLAY, "Sandy's Bakery",
	  "GREEN" },
	{ FM_WABA2_ID, FM_PHONE2_ID, FM_PHONE2_DISPLAY, "Other Shop",
	  "YELLOW" },
};
#define NNUMBERS (sizeof(numbers) / sizeof(numbers[0]))

const struct fm_number *
fm_number_find(const char *phone_id)
{
	size_t i;

	for (i = 0; i < NNUMBERS; i++)
		if (strcmp(numbers[i].id, phone_id) == 0)
			return &numbers[i];
	return NULL;
}

int
fm_waba_known(const char *id)
{
	return strcmp(id, FM_WABA_ID) == 0 || strcmp(id, FM_WABA2_ID) == 0;
}

/* Meta's answer for an object the token may not see. */
static void
no_object(struct req *r, const char *id)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "Unsupported get request. Object with ID "
	    "'%.64s' does not exist, cannot be loaded due to missing "
	    "permissions, or does not support this operation.", id);
	fm_error(r, 400, 100, 33, "GraphMethodException", msg);
}

int
fm_waba_allowed(struct req *r, const struct fm_token *t, const char *waba)
{
	if (strncmp(t->kind, "user_", 5) == 0)
		return 0;
	if (strcmp(t->kind, "system_user") == 0 && (t->page_id[0] == '\0' ||
	    strcmp(t->page_id, waba) == 0) &&
	    strstr(t->scopes, "whatsapp_business_management") != NULL)
		return 0;
	fm_error(r, 403, 200, 0, NULL, "(#200) Permissions error");
	return -1;
}

static cJSON *
number_json(const struct fm_number *n)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "verified_name", n->verified_name);
	cJSON_AddStringToObject(o, "display_phone_number", n->display);
	cJSON_AddStringToObject(o, "quality_rating", n->quality);
	cJSON_AddStringToObject(o, "id", n->id);
	return o;
}

void
fm_wa_number(struct req *r, const char *phone_id)
{
	const struct fm_number	*n = fm_number_find(phone_id);
	struct fm_token		 t;

	if (n == NULL) {
		no_object(r, phone_id);
		return;
	}
	if (fm_auth(r, &t, 0) == -1)
		return;
	/* A token that cannot reach the number's account does not see
	 * the number at all. */
	if (strncmp(t.kind, "user_", 5) != 0 &&
	    (strcmp(t.kind, "system_user") != 0 || (t.page_id[0] != '\0' &&
	    strcmp(t.page_id, n->waba) != 0))) {
		no_object(r, phone_id);
		return;
	}
	fm_json(r, number_json(n));
}

void
fm_wa_numbers(struct req *r, const char *waba)
{
	struct fm_token	 t;
	cJSON		*o, *data;
	size_t		 i;

	if (!fm_waba_known(waba)) {
		no_object(r, waba);
		return;
	}
	if (fm_auth(r, &t, 0) == -1 || fm_waba_allowed(r, &t, waba) == -1)
		return;
	o = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(o, "data");
	for (i = 0; i < NNUMBERS; i++)
		if (strcmp(numbers[i].waba, waba) == 0)
			cJSON_AddItemToArray(data, number_json(&numbers[i]));
	cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "paging"),
	    "cursors");
	fm_json(r, o);
}

void
fm_wa_register(struct req *r, const char *phone_id)
{
	const struct fm_number	*n = fm_number_find(phone_id);
	const char		*pin = fm_param(r, "pin");
	const char		*mp = fm_param(r, "messaging_product");
	struct fm_token		 t;
	cJSON			*o;
	size_t			 i;

	if (n == NULL) {
		no_object(r, phone_id);
		return;
	}
	if (fm_auth(r, &t, 0) == -1 || fm_waba_allowed(r, &t, n->waba) == -1)
		return;
	if (mp == NULL || strcmp(mp, "whatsapp") != 0) {
		fm_error(r, 400, 100, 0, NULL, "(#100) The parameter "
		    "messaging_product is required.");
		return;
	}
	for (i = 0; pin != NULL && pin[i] >= '0' && pin[i] <= '9'; i++)
		;
	if (pin == NULL || i != 6 || pin[i] != '\0') {
		fm_error(r, 400, 100, 0, NULL, "(#100) Param pin must be a "
		    "6-digit number.");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "success");
	fm_json(r, o);
}
