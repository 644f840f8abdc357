/*
 * db_merge: two contacts found to be one person become one (see
 * db_detail.h, db_contact_merge).  The SQL is in db.c's statement
 * table.
 */
#include <string.h>

#include "db_detail.h"
#include "db_int.h"

/* Run statement s with ?1 = a, ?2 = b (and ?3 = c when c > 0); 0 or
 * -1. */
static int
run2(struct db *d, enum stmt s, long long a, long long b, long long c)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (c > 0)
		sqlite3_bind_int64(st, 3, c);
	return db_exec(d, st);
}

/* The conversation of contact on channel into *id (0: none); 0 or -1. */
static int
conv_of(struct db *d, long long channel, long long contact, long long *id)
{
	sqlite3_stmt	*st;
	int		 rc;

	*id = 0;
	if ((st = db_stmt(d, STMT_CONVERSATION_FIND)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	sqlite3_bind_int64(st, 2, contact);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_contact_find(struct db *d, long long channel, const char *key,
    long long *id)
{
	sqlite3_stmt	*st;
	int		 rc;

	*id = 0;
	if ((st = db_stmt(d, STMT_CONTACT_FIND)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, key);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

int
db_contact_merge(struct db *d, long long channel, long long keep,
    long long gone, const char *user_id, const char *phone)
{
	static const enum stmt moves[] = {
		STMT_MERGE_MESSAGES, STMT_MERGE_OUTBOX, STMT_MERGE_AUTO_LOG,
		STMT_MERGE_TAGS, STMT_MERGE_BOT, STMT_MERGE_CONV_SUM,
		STMT_MERGE_CONV_DROP
	};
	sqlite3_stmt	*st;
	long long	 ck, cg;
	size_t		 i;

	if (keep == gone)
		return 0;
	if (conv_of(d, channel, keep, &ck) == -1 ||
	    conv_of(d, channel, gone, &cg) == -1)
		return -1;
	/* One thread: the other's rows join the survivor's, then it
	 * goes; or the other's thread becomes the survivor's. */
	if (cg > 0 && ck > 0) {
		for (i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
			if (run2(d, moves[i], ck, cg, 0) == -1)
				return -1;
	} else if (cg > 0 && run2(d, STMT_MERGE_CONV_MOVE, keep, gone,
	    channel) == -1)
		return -1;
	if (run2(d, STMT_MERGE_MEDIA, keep, gone, 0) == -1 ||
	    run2(d, STMT_MERGE_FWD, keep, gone, 0) == -1 ||
	    run2(d, STMT_MERGE_CONTACT, keep, gone, 0) == -1 ||
	    run2(d, STMT_MERGE_CONTACT_DROP, keep, gone, 0) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_MERGE_REKEY)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, keep);
	db_bind_text(st, 2, user_id);
	db_bind_text(st, 3, phone);
	return db_exec(d, st);
}
