/*
 * db_handover: Conversation Routing with Meta's inbox, as stored.  See
 * db_handover.h; the SQL is in db.c's statement table.
 */
#include <string.h>

#include "db_handover.h"
#include "db_int.h"

int
db_handover_take_due(struct db *d, long long conv)
{
	sqlite3_stmt	*st;
	int		 rc, due = 0;

	if ((st = db_stmt(d, STMT_HANDOVER_TAKE_DUE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		due = sqlite3_column_int(st, 0) != 0;
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? due : db_fail(d, rc);
}

int
db_handover_state(struct db *d, long long conv, char *err, size_t errsz,
    long long *err_ms, char *pending, size_t pendsz)
{
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	err[0] = pending[0] = '\0';
	*err_ms = 0;
	if ((st = db_stmt(d, STMT_HANDOVER_STATE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, conv);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		db_col_copy(st, 0, err, errsz);
		*err_ms = sqlite3_column_int64(st, 1);
		db_col_copy(st, 2, pending, pendsz);
		found = 1;
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? found : db_fail(d, rc);
}
