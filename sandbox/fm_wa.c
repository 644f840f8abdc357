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
#include "num.h"

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

/* The message templates of the world's WhatsApp business accounts:
 * two languages, approved ones and one rejected and one pending. */
static const struct fm_template templates[] = {
	{ FM_WABA_ID, "hello_world", "en_US", "APPROVED", "UTILITY",
	  "Hello World", 0 },
	{ FM_WABA_ID, "order_update", "en_US", "APPROVED", "UTILITY",
	  "Hi {{1}}, your order {{2}} is ready for pickup.", 2 },
	{ FM_WABA_ID, "order_update", "es_ES", "APPROVED", "UTILITY",
	  "Hola {{1}}, tu pedido {{2}} está listo para recoger.", 2 },
	{ FM_WABA_ID, "appointment_reminder", "en_US", "APPROVED", "UTILITY",
	  "Reminder: your appointment is on {{1}} at {{2}}. Reply to change "
	  "it.", 2 },
	{ FM_WABA_ID, "welcome_back", "es_ES", "APPROVED", "MARKETING",
	  "¡Hola {{1}}! Te echamos de menos.", 1 },
	{ FM_WABA_ID, "spring_sale", "en_US", "REJECTED", "MARKETING",
	  "Everything 50% off for {{1}} days!", 1 },
	{ FM_WABA_ID, "new_menu", "en_US", "PENDING", "MARKETING",
	  "Our new menu is out, {{1}}.", 1 },
	{ FM_WABA2_ID, "hello_world", "en_US", "APPROVED", "UTILITY",
	  "Hello World", 0 },
};
#define NTEMPLATES (sizeof(templates) / sizeof(templates[0]))
/* Templates a page gives at most: small, so that clients page. */
#define FM_TEMPLATES_PAGE	3

const struct fm_template *
fm_template_find(const char *waba, const char *name, const char *lang)
{
	size_t i;

	for (i = 0; i < NTEMPLATES; i++)
		if (strcmp(templates[i].waba, waba) == 0 &&
		    strcmp(templates[i].name, name) == 0 &&
		    (lang == NULL || strcmp(templates[i].language, lang) == 0))
			return &templates[i];
	return NULL;
}

static cJSON *
template_json(const struct fm_template *t, size_t i)
{
	cJSON	*o = cJSON_CreateObject(), *c;
	char	 id[32];

	snprintf(id, sizeof(id), "9%014zu", i + 1);
	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddStringToObject(o, "language", t->language);
	cJSON_AddStringToObject(o, "status", t->status);
	cJSON_AddStringToObject(o, "category", t->category);
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "type", "BODY");
	cJSON_AddStringToObject(c, "text", t->body);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "components"), c);
	cJSON_AddStringToObject(o, "id", id);
	return o;
}

void
fm_wa_templates(struct req *r, const char *waba)
{
	struct fm_token	 t;
	const char	*after = fm_param(r, "after");
	char		 cur[64];
	cJSON		*o, *data, *paging, *cursors;
	size_t		 i, start = 0, n = 0, last = 0, first = 0;
	long long	 v;
	int		 more = 0;

	if (!fm_waba_known(waba)) {
		no_object(r, waba);
		return;
	}
	if (fm_auth(r, &t, 0) == -1 || fm_waba_allowed(r, &t, waba) == -1)
		return;
	/* Cursors: opaque to clients; here "T" and a position. */
	if (after != NULL) {
		if (after[0] != 'T' || num_parse_str(after + 1, 0, NTEMPLATES,
		    &v) == -1) {
			fm_error(r, 400, 100, 0, NULL, "(#100) Invalid after "
			    "cursor");
			return;
		}
		start = (size_t)v;
	}
	o = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(o, "data");
	for (i = start; i < NTEMPLATES; i++) {
		if (strcmp(templates[i].waba, waba) != 0)
			continue;
		if (n == FM_TEMPLATES_PAGE) {
			more = 1;
			break;
		}
		if (n == 0)
			first = i;
		cJSON_AddItemToArray(data, template_json(&templates[i], i));
		last = i + 1;
		n++;
	}
	paging = cJSON_AddObjectToObject(o, "paging");
	cursors = cJSON_AddObjectToObject(paging, "cursors");
	snprintf(cur, sizeof(cur), "T%zu", first);
	cJSON_AddStringToObject(cursors, "before", cur);
	snprintf(cur, sizeof(cur), "T%zu", last);
	cJSON_AddStringToObject(cursors, "after", cur);
	if (more) {
		snprintf(cur, sizeof(cur), "message_templates?after=T%zu",
		    last);
		cJSON_AddStringToObject(paging, "next", cur);
	}
	fm_json(r, o);
}
