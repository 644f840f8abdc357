/*
 * db_detail: what Meta's events say beyond a message's arrival and
 * status.  See db_detail.h; the SQL is in db.c's statement table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_detail.h"
#include "db_inbox.h"
#include "db_int.h"
#include "limits.h"

/* Bind v as an integer, or NULL when it is not positive. */
static void
bind_id(sqlite3_stmt *st, int i, long long v)
{
	if (v > 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

int
db_message_mark(struct db *d, long long channel, const char *mid,
    int standby, const char *author)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_DETAIL_MARK)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, mid);
	sqlite3_bind_int(st, 3, standby ? 1 : 0);
	db_bind_text(st, 4, author);
	return db_exec(d, st);
}

int
db_message_edit_sync(struct db *d, long long channel, const char *mid)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_DETAIL_EDIT_ORIGINAL)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, mid);
	if (db_exec(d, st) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_DETAIL_EDIT_SHOW)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, mid);
	return db_exec(d, st);
}

int
db_message_edit(struct db *d, long long channel, const char *mid,
    long long edited_ms, long long num_edit, const char *text,
    long long event_id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_DETAIL_EDIT_ADD)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, mid);
	sqlite3_bind_int64(st, 3, edited_ms);
	if (num_edit > 0)
		sqlite3_bind_int64(st, 4, num_edit);
	else
		sqlite3_bind_null(st, 4);
	db_bind_text(st, 5, text);
	bind_id(st, 6, event_id);
	if (db_exec(d, st) == -1)
		return -1;
	return db_message_edit_sync(d, channel, mid);
}

int
db_reaction_set(struct db *d, const struct db_message *m)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (m->conversation_id > 0 && (rc = db_message_insert(d, m)) != 0)
		return rc;
	if ((st = db_stmt(d, STMT_DETAIL_REACTION)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, m->channel_id);
	db_bind_text(st, 2, m->mid);
	db_bind_text(st, 3, m->text);
	sqlite3_bind_int64(st, 4, m->sent_ms);
	bind_id(st, 5, m->event_id);
	return db_exec(d, st);
}

int
db_conversation_referral(struct db *d, long long conversation,
    const char *json, long long at_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_DETAIL_REFERRAL)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, conversation);
	db_bind_text(st, 2, json);
	sqlite3_bind_int64(st, 3, at_ms);
	return db_exec(d, st);
}

int
db_conversation_owner_app(struct db *d, long long conversation,
    const char *owner, const char *app_id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_DETAIL_OWNER)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, conversation);
	db_bind_text(st, 2, owner);
	db_bind_text(st, 3, app_id);
	return db_exec(d, st);
}

int
db_contact_optin(struct db *d, long long contact, const char *json,
    long long at_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_DETAIL_OPTIN)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, contact);
	db_bind_text(st, 2, json);
	sqlite3_bind_int64(st, 3, at_ms);
	return db_exec(d, st);
}

int
db_contact_wa(struct db *d, long long workspace, long long channel,
    const char *user_id, const char *phone, const char *name,
    long long seen_at, long long *id)
{
	char		 key[HG_WA_USER_ID_MAX + 1];
	sqlite3_stmt	*st;
	int		 rc;

	if (user_id != NULL && *user_id == '\0')
		user_id = NULL;
	if (phone != NULL && *phone == '\0')
		phone = NULL;
	if (user_id == NULL && phone == NULL)
		return db_fail(d, SQLITE_MISUSE);
	if (user_id != NULL && phone != NULL) {
		long long byuser, bynumber;

		/* Two contacts already, one keyed on each: one person.
		 * The first seen survives, keyed on the user id. */
		if (db_contact_find(d, channel, user_id, &byuser) == -1 ||
		    db_contact_find(d, channel, phone, &bynumber) == -1)
			return -1;
		if (byuser > 0 && bynumber > 0 && byuser != bynumber &&
		    db_contact_merge(d, channel, byuser < bynumber ? byuser :
		    bynumber, byuser < bynumber ? bynumber : byuser, user_id,
		    phone) == -1)
			return -1;
		if ((st = db_stmt(d, STMT_DETAIL_CONTACT_REKEY)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, channel);
		db_bind_text(st, 2, phone);
		db_bind_text(st, 3, user_id);
		if (db_exec(d, st) == -1)
			return -1;
	}
	/* A number alone: the contact that has it, whatever its key. */
	snprintf(key, sizeof(key), "%s", user_id != NULL ? user_id : phone);
	if (user_id == NULL) {
		if ((st = db_stmt(d, STMT_DETAIL_CONTACT_BY_PHONE)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, channel);
		db_bind_text(st, 2, phone);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
		    sqlite3_column_text(st, 0) != NULL)
			snprintf(key, sizeof(key), "%s",
			    (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_fail(d, rc);
	}
	if (db_contact_upsert(d, workspace, channel, key, name, seen_at,
	    id) == -1)
		return -1;
	if (phone == NULL)
		return 0;
	if ((st = db_stmt(d, STMT_DETAIL_CONTACT_PHONE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, *id);
	db_bind_text(st, 2, phone);
	return db_exec(d, st);
}

int
db_message_pricing(struct db *d, long long channel, const char *mid,
    const char *json)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_DETAIL_PRICING)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, mid);
	db_bind_text(st, 3, json);
	return db_exec(d, st);
}

int
db_channel_notice(struct db *d, const struct db_notice *n)
{
	sqlite3_stmt	*st;
	long long	 numbers = 0;
	int		 rc;

	if ((st = db_stmt(d, STMT_DETAIL_WABA_NUMBERS)) == NULL)
		return -1;
	db_bind_text(st, 1, n->waba);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		numbers = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_fail(d, rc);
	if (numbers == 0)
		return 0;
	/* The state first: it looks for newer notices than this one. */
	if (n->state) {
		if ((st = db_stmt(d, STMT_DETAIL_ACCOUNT_STATE)) == NULL)
			return -1;
		db_bind_text(st, 1, n->waba);
		if (strcmp(n->level, "info") != 0)
			db_bind_text(st, 2, n->word);
		else
			sqlite3_bind_null(st, 2);
		sqlite3_bind_int64(st, 3, n->at_ms);
		if (db_exec(d, st) == -1)
			return -1;
	}
	if ((st = db_stmt(d, STMT_DETAIL_NOTICE)) == NULL)
		return -1;
	db_bind_text(st, 1, n->waba);
	db_bind_text(st, 2, n->field);
	db_bind_text(st, 3, n->word);
	db_bind_text(st, 4, n->level);
	db_bind_text(st, 5, n->detail);
	sqlite3_bind_int64(st, 6, n->at_ms);
	bind_id(st, 7, n->event_id);
	if (db_exec(d, st) == -1)
		return -1;
	return numbers > 0x7fffffff ? 0x7fffffff : (int)numbers;
}

int
db_event_test(struct db *d, long long id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_DETAIL_EVENT_TEST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_exec(d, st);
}

int
db_contact_number(struct db *d, long long contact, const char *phone)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_DETAIL_CONTACT_NUMBER)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, contact);
	db_bind_text(st, 2, phone);
	return db_exec(d, st);
}

int
db_feed_reaction(struct db *d, long long channel, const char *target_id,
    const char *post_id, const char *from_id, const char *reaction,
    long long at_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_DETAIL_FEED_REACTION)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, target_id);
	db_bind_text(st, 3, post_id);
	db_bind_text(st, 4, from_id);
	db_bind_text(st, 5, reaction);
	sqlite3_bind_int64(st, 6, at_ms);
	return db_exec(d, st);
}

int
db_message_known(struct db *d, long long channel, const char *mid)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_DETAIL_MESSAGE_KNOWN)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, mid);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

int
db_msg_detail(struct db *d, long long id,
    void (*fn)(void *, const struct db_msg_detail *),
    void (*edit)(void *, const char *, long long), void *arg)
{
	struct db_msg_detail	 m;
	sqlite3_stmt		*st, *ed;
	char			 mid[HG_WA_USER_ID_MAX * 4];
	long long		 channel;
	int			 rc;

	if ((st = db_stmt(d, STMT_DETAIL_MSG_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
	}
	memset(&m, 0, sizeof(m));
	m.edited_ms = sqlite3_column_int64(st, 0);
	m.author = (const char *)sqlite3_column_text(st, 1);
	m.standby = sqlite3_column_int(st, 2);
	m.history = sqlite3_column_int(st, 5);
	channel = sqlite3_column_int64(st, 3);
	snprintf(mid, sizeof(mid), "%s", sqlite3_column_text(st, 4) != NULL ?
	    (const char *)sqlite3_column_text(st, 4) : "");
	fn(arg, &m);
	sqlite3_reset(st);
	if (m.edited_ms == 0)
		return 1;
	if ((ed = db_stmt(d, STMT_DETAIL_EDITS)) == NULL)
		return -1;
	sqlite3_bind_int64(ed, 1, channel);
	db_bind_text(ed, 2, mid);
	while ((rc = sqlite3_step(ed)) == SQLITE_ROW)
		edit(arg, (const char *)sqlite3_column_text(ed, 0),
		    sqlite3_column_int64(ed, 1));
	sqlite3_reset(ed);
	return rc == SQLITE_DONE ? 1 : db_fail(d, rc);
}

int
db_conv_detail(struct db *d, long long id,
    void (*fn)(void *, const char *, const char *, const char *,
    const char *), void *arg)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_DETAIL_CONV_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 3));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

int
db_event_is_test(struct db *d, long long id)
{
	sqlite3_stmt	*st;
	int		 rc, test = 0;

	if ((st = db_stmt(d, STMT_DETAIL_EVENT_IS_TEST)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		test = sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return test;
}

int
db_notice_list(struct db *d, long long channel, int n,
    void (*fn)(void *, const char *, const char *, const char *,
    const char *, long long), void *arg)
{
	return db_each_4t1i(d, STMT_DETAIL_NOTICES, channel, n, fn, arg);
}

int
db_account_state(struct db *d, long long channel, char *state,
    size_t statesz)
{
	sqlite3_stmt	*st;
	int		 rc;

	state[0] = '\0';
	if ((st = db_stmt(d, STMT_DETAIL_ACCOUNT_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		snprintf(state, statesz, "%s",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	return rc == SQLITE_ROW;
}

int
db_event_route_waba(struct db *d, long long id, const char *waba)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_DETAIL_EVENT_WABA)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, waba);
	if (db_exec(d, st) == -1)
		return -1;
	if ((st = db_stmt(d, STMT_DETAIL_EVENT_WABA_MORE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, waba);
	return db_exec(d, st);
}

int
db_template_event(struct db *d, const char *waba, const char *name,
    const char *language, const char *status, const char *category)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_DETAIL_TEMPLATE_STATUS)) == NULL)
		return -1;
	db_bind_text(st, 1, waba);
	db_bind_text(st, 2, name);
	db_bind_text(st, 3, language);
	db_bind_text(st, 4, status);
	db_bind_text(st, 5, category);
	return db_exec(d, st);
}

int
db_retention_get(struct db *d, long long ws, char **json)
{
	sqlite3_stmt	*st;
	const char	*v;
	int		 rc;

	*json = NULL;
	if ((st = db_stmt(d, STMT_RETENTION_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (v = (const char *)sqlite3_column_text(st, 0)) != NULL &&
	    (*json = strdup(v)) == NULL) {
		sqlite3_reset(st);
		return db_fail(d, SQLITE_NOMEM);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_retention_put(struct db *d, long long ws, const char *json)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_RETENTION_PUT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ws);
	db_bind_text(st, 2, json);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

int
db_history_media(struct db *d, long long channel, const char *mid,
    const char *atts, long long now_ms)
{
	sqlite3_stmt	*st;
	long long	 id = 0, conv = 0;
	int		 rc;

	if ((st = db_stmt(d, STMT_HISTORY_MEDIA)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, mid);
	db_bind_text(st, 3, atts);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		conv = sqlite3_column_int64(st, 1);
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(d, rc);
	return id > 0 ? db_media_from_message(d, id, conv, atts, now_ms) : 0;
}
