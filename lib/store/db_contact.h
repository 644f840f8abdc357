/*
 * db_contact: one person as a business knows them, for access and
 * erasure requests: find a contact, and export everything held about
 * them (the contact row, its channel, conversations and every message)
 * as one JSON document built by SQLite.
 */
#ifndef HG_DB_CONTACT_H
#define HG_DB_CONTACT_H

#include "db.h"
#include "limits.h"

struct db_contact {
	long long	 id, channel_id, workspace_id;
	char		 meta_user_id[HG_META_ID_MAX + 1];
	char		 name[256];
};

/* Contact id of workspace ws (0: of any) into c: 1, 0 none, -1. */
int	 db_contact_get(struct db *, long long ws, long long id,
	    struct db_contact *c);
/* The export of contact id of workspace ws (0: of any) as a JSON
 * object, allocated into *json (the caller frees): 1, 0 none, -1. */
int	 db_contact_export(struct db *, long long ws, long long id,
	    char **json);
/* The ids of the contacts named meta_user_id in any channel, at most
 * max into ids (*n of them); 0 or -1. */
int	 db_contact_ids(struct db *, const char *meta_user_id,
	    long long *ids, size_t max, size_t *n);

#endif
