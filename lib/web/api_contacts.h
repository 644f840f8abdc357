/*
 * api_contacts: one person's data, for access and erasure requests
 * (GDPR), by a workspace's admins:
 *
 *   GET    /api/contacts/ID/export  everything hubgate holds about the
 *                                   contact as a JSON download
 *   DELETE /api/contacts/ID         forget them: their messages,
 *                                   conversations, the contact row, and
 *                                   their entries in the raw events of
 *                                   that channel; answers {"erased":
 *                                   {contacts, conversations, messages,
 *                                   events, items, busy}, "summary"}
 *
 * Both are audit-logged (the person's id masked).  A contact of another
 * workspace is 404.
 */
#ifndef HG_API_CONTACTS_H
#define HG_API_CONTACTS_H

#include "route.h"

void	 api_contacts_export(struct req *, const struct route_ctx *);
void	 api_contacts_erase(struct req *, const struct route_ctx *);

#endif
