/*
 * db_contact: find and export one contact.  See db_contact.h; the SQL
 * is in db.c's statement table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_contact.h"
#include "db_int.h"

int
db_contact_get(struct db *d, long long ws, long long id, struct db_contact *c)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(c, 0, sizeof(*c));
	if ((st = db_stmt(d, STMT_CONTACT_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, ws);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c->id = sqlite3_column_int64(st, 0);
		c->channel_id = sqlite3_column_int64(st, 1);
		c->workspace_id = sqlite3_column_int64(st, 2);
		db_col_copy(st, 3, c->meta_user_id, sizeof(c->meta_user_id));
		db_col_copy(st, 4, c->name, sizeof(c->name));
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_contact_export(struct db *d, long long ws, long long id, char **json)
{
	sqlite3_stmt	*st;
	const char	*s;
	int		 rc;

	*json = NULL;
	if ((st = db_stmt(d, STMT_CONTACT_EXPORT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, ws);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (s = (const char *)sqlite3_column_text(st, 0)) != NULL &&
	    (*json = strdup(s)) == NULL) {
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_contact_ids(struct db *d, const char *meta_user_id, long long *ids,
    size_t max, size_t *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	*n = 0;
	if ((st = db_stmt(d, STMT_CONTACT_IDS)) == NULL)
		return -1;
	db_bind_text(st, 1, meta_user_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_fail(d, rc);
}
