/*
 * api_contacts: export and erase one contact.  See api_contacts.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api_contacts.h"
#include "api_events_int.h"
#include "api_session.h"
#include "clock.h"
#include "db_contact.h"
#include "db_oauth.h"
#include "erase.h"
#include "http.h"
#include "log.h"
#include "mask.h"

#define CONTACTS_PATH	"/api/contacts/"

/* The contact of the path's id in the caller's workspace into c (rest
 * must be want): 0, or -1 answered. */
static int
contact_of(struct req *r, const struct route_ctx *cx, struct db *d,
    const char *want, struct db_contact *c)
{
	const char	*rest;
	long long	 id;
	int		 rc;

	if (route_path_id(r, CONTACTS_PATH, &id, &rest) == -1 ||
	    strcmp(rest, want) != 0) {
		route_error(r, 404, "not found");
		return -1;
	}
	if ((rc = db_contact_get(d, cx->who.workspace, id, c)) != 1) {
		route_error(r, rc == 0 ? 404 : 503, rc == 0 ?
		    "no such contact" : "cannot read the contact now");
		return -1;
	}
	return 0;
}

void
api_contacts_export(struct req *r, const struct route_ctx *cx)
{
	struct db_contact	 c;
	struct db		*d;
	char			*json = NULL, object[48], who[16], disp[96];

	if ((d = api_events_db(r)) == NULL ||
	    contact_of(r, cx, d, "/export", &c) == -1)
		return;
	if (db_contact_export(d, cx->who.workspace, c.id, &json) != 1) {
		free(json);
		route_error(r, 503, "cannot export the contact now");
		return;
	}
	snprintf(object, sizeof(object), "contact:%lld", c.id);
	mask_phone(c.meta_user_id, who, sizeof(who));
	if (api_audit(d, &cx->who, cx->who.workspace, "contact.export",
	    object, who, http_client(r)) == -1) {
		free(json);
		route_error(r, 503, "cannot export the contact now");
		return;
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"contact-%lld"
	    ".json\"", c.id);
	http_status(r, 200);
	http_add_header(r, "Content-Type", "application/json; charset=utf-8");
	http_add_header(r, "Content-Disposition", disp);
	http_puts(r, json);
	free(json);
}

void
api_contacts_erase(struct req *r, const struct route_ctx *cx)
{
	struct db_contact	 c;
	struct db_erase		 e;
	struct db		*d;
	struct logline		 l;
	char			 object[48], who[16], summary[700];
	cJSON			*root, *o;

	if ((d = api_events_db(r)) == NULL ||
	    contact_of(r, cx, d, "", &c) == -1)
		return;
	if (erase_person(d, c.meta_user_id, c.channel_id, clock_ms() / 1000,
	    &e) == -1) {
		route_error(r, 503, "the erasure stopped part way: ask again "
		    "to finish it");
		return;
	}
	db_erase_summary(&e, summary, sizeof(summary));
	snprintf(object, sizeof(object), "contact:%lld", c.id);
	mask_phone(c.meta_user_id, who, sizeof(who));
	/* The erasure is done: an audit line that cannot be written is
	 * logged, not a reason to say it failed. */
	if (api_audit(d, &cx->who, cx->who.workspace, "contact.erase", object,
	    summary, http_client(r)) == -1) {
		log_begin(&l, LOG_LEVEL_WARN, "contact.erase_unaudited");
		log_int(&l, "contact", c.id);
		log_end(&l);
	}
	log_begin(&l, LOG_LEVEL_INFO, "contact.erased");
	log_int(&l, "contact", c.id);
	log_str(&l, "person", who);
	log_int(&l, "messages", e.messages);
	log_int(&l, "events", e.events);
	log_int(&l, "busy", e.busy);
	log_end(&l);
	root = cJSON_CreateObject();
	o = cJSON_AddObjectToObject(root, "erased");
	cJSON_AddNumberToObject(o, "contacts", (double)e.contacts);
	cJSON_AddNumberToObject(o, "conversations", (double)e.conversations);
	cJSON_AddNumberToObject(o, "messages", (double)e.messages);
	cJSON_AddNumberToObject(o, "events", (double)e.events);
	cJSON_AddNumberToObject(o, "items", (double)e.items);
	cJSON_AddNumberToObject(o, "busy", (double)e.busy);
	cJSON_AddStringToObject(root, "summary", summary);
	http_json(r, 200, root);
}
