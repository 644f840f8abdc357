/*
 * db_thread: unsent messages and WhatsApp templates.  See db_thread.h;
 * the SQL is in db.c's statement table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "db_thread.h"

int
db_message_unsend(struct db *d, long long channel, const char *mid,
    long long at_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_MESSAGE_UNSEND)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, mid);
	sqlite3_bind_int64(st, 3, at_ms);
	if (db_exec(d, st) == -1)
		return -1;
	if (sqlite3_changes(d->h) == 0)
		return 0;
	/* What the person took back is not kept nor shown: its files and
	 * Meta's links to them go too. */
	if ((st = db_stmt(d, STMT_MESSAGE_UNSEND_MEDIA)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, mid);
	if (db_exec(d, st) == -1 ||
	    (st = db_stmt(d, STMT_MESSAGE_UNSEND_ATTS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, mid);
	return db_exec(d, st) == -1 ? -1 : 1;
}

int
db_template_fetched(struct db *d, long long channel, long long *ms)
{
	sqlite3_stmt	*st;
	int		 rc;

	*ms = 0;
	if ((st = db_stmt(d, STMT_TEMPLATE_FETCHED)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*ms = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

int
db_template_store(struct db *d, long long channel,
    const struct db_template *t, size_t n, long long now_ms)
{
	sqlite3_stmt	*st;
	size_t		 i;

	if (db_begin(d) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_TEMPLATE_CLEAR)) == NULL)
		goto err;
	sqlite3_bind_int64(st, 1, channel);
	if (db_exec(d, st) == -1)
		goto err;
	for (i = 0; i < n; i++) {
		if ((st = db_stmt(d, STMT_TEMPLATE_PUT)) == NULL)
			goto err;
		sqlite3_bind_int64(st, 1, channel);
		db_bind_text(st, 2, t[i].name);
		db_bind_text(st, 3, t[i].language);
		db_bind_text(st, 4, t[i].status);
		db_bind_text(st, 5, t[i].category);
		db_bind_text(st, 6, t[i].components != NULL ?
		    t[i].components : "[]");
		sqlite3_bind_int(st, 7, t[i].params);
		if (db_exec(d, st) == -1)
			goto err;
	}
	if ((st = db_stmt(d, STMT_TEMPLATE_STAMP)) == NULL)
		goto err;
	sqlite3_bind_int64(st, 1, channel);
	sqlite3_bind_int64(st, 2, now_ms);
	if (db_exec(d, st) == -1 || db_commit(d) == -1)
		goto err;
	return 0;
err:
	db_rollback(d);
	return -1;
}

int
db_template_list(struct db *d, long long channel,
    void (*fn)(void *, const struct db_template *), void *arg)
{
	struct db_template	 t;
	sqlite3_stmt		*st;
	int			 rc;

	if ((st = db_stmt(d, STMT_TEMPLATE_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&t, 0, sizeof(t));
		t.name = (const char *)sqlite3_column_text(st, 0);
		t.language = (const char *)sqlite3_column_text(st, 1);
		t.status = (const char *)sqlite3_column_text(st, 2);
		t.category = (const char *)sqlite3_column_text(st, 3);
		t.components = (const char *)sqlite3_column_text(st, 4);
		t.params = sqlite3_column_int(st, 5);
		fn(arg, &t);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_template_find(struct db *d, long long channel, const char *name,
    const char *language, char *status, size_t statussz, int *params)
{
	sqlite3_stmt	*st;
	const char	*s;
	int		 rc;

	*params = 0;
	if (statussz > 0)
		status[0] = '\0';
	if ((st = db_stmt(d, STMT_TEMPLATE_FIND)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, name);
	db_bind_text(st, 3, language);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = (const char *)sqlite3_column_text(st, 0);
		snprintf(status, statussz, "%s", s != NULL ? s : "");
		*params = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

int
db_template_components(struct db *d, long long channel, const char *name,
    const char *language, char **out)
{
	sqlite3_stmt	*st;
	const char	*v;
	int		 rc;

	*out = NULL;
	if ((st = db_stmt(d, STMT_TEMPLATE_COMPONENTS)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, name);
	db_bind_text(st, 3, language);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = (const char *)sqlite3_column_text(st, 0);
		if ((*out = strdup(v != NULL ? v : "[]")) == NULL)
			rc = SQLITE_NOMEM;
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}
