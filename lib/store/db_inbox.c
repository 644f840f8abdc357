/*
 * db_inbox: contacts, conversations, messages, feed items and the
 * unhandled ledger.  See db_inbox.h; the SQL is in db.c's statement table.
 */
#include <string.h>

#include "db_int.h"

/*
 * The id of the row st finds, inserting it with ins when there is none
 * (both bound by the caller; ins does nothing on a conflict).  With row
 * set, *row is st left on the row when it was found, for the caller to
 * read and reset, else NULL.  0 or -1.
 */
static int
db_find_or_insert(struct db *d, sqlite3_stmt *st, sqlite3_stmt *ins,
    long long *id, sqlite3_stmt **row)
{
	int rc, tries;

	if (row != NULL)
		*row = NULL;
	/* A second look when another connection inserted it between. */
	for (tries = 0; tries < 2; tries++) {
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			*id = sqlite3_column_int64(st, 0);
			if (row != NULL)
				*row = st;
			else
				sqlite3_reset(st);
			sqlite3_reset(ins);
			return 0;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			sqlite3_reset(ins);
			return db_fail(d, rc);
		}
		if (tries == 0) {
			if (db_exec(d, ins) == -1)
				return -1;
			if (sqlite3_changes(d->h) > 0) {
				*id = sqlite3_last_insert_rowid(d->h);
				return 0;
			}
		}
	}
	return db_fail(d, SQLITE_CORRUPT);
}

int
db_contact_upsert(struct db *d, long long workspace, long long channel,
    const char *meta_user_id, const char *name, long long seen_at,
    long long *id)
{
	sqlite3_stmt	*st, *ins, *row;
	const char	*had;
	int		 stale;

	if ((st = db_stmt(d, STMT_CONTACT_FIND)) == NULL ||
	    (ins = db_stmt(d, STMT_CONTACT_INSERT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	db_bind_text(st, 2, meta_user_id);
	sqlite3_bind_int64(ins, 1, workspace);
	sqlite3_bind_int64(ins, 2, channel);
	db_bind_text(ins, 3, meta_user_id);
	db_bind_text(ins, 4, name);
	sqlite3_bind_int64(ins, 5, seen_at);
	if (db_find_or_insert(d, st, ins, id, &row) == -1)
		return -1;
	if (row == NULL)
		return 0;
	had = (const char *)sqlite3_column_text(row, 1);
	stale = sqlite3_column_int64(row, 2) < seen_at ||
	    (name != NULL && *name != '\0' &&
	    (had == NULL || strcmp(had, name) != 0));
	sqlite3_reset(row);
	if (!stale)
		return 0;
	if ((st = db_stmt(d, STMT_CONTACT_SEEN)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, *id);
	db_bind_text(st, 2, name);
	sqlite3_bind_int64(st, 3, seen_at);
	return db_exec(d, st);
}

int
db_conversation_upsert(struct db *d, long long workspace, long long channel,
    long long contact, long long now, long long *id)
{
	sqlite3_stmt *st, *ins;

	if ((st = db_stmt(d, STMT_CONVERSATION_FIND)) == NULL ||
	    (ins = db_stmt(d, STMT_CONVERSATION_INSERT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	sqlite3_bind_int64(st, 2, contact);
	sqlite3_bind_int64(ins, 1, workspace);
	sqlite3_bind_int64(ins, 2, channel);
	sqlite3_bind_int64(ins, 3, contact);
	sqlite3_bind_int64(ins, 4, now);
	return db_find_or_insert(d, st, ins, id, NULL);
}

int
db_conversation_note(struct db *d, long long id, long long ms,
    int inbound_new)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_CONVERSATION_NOTE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, ms);
	sqlite3_bind_int(st, 3, inbound_new ? 1 : 0);
	return db_exec(d, st);
}

int
db_conversation_owner(struct db *d, long long id, const char *owner)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_CONVERSATION_OWNER)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	db_bind_text(st, 2, owner);
	return db_exec(d, st);
}

int
db_message_insert(struct db *d, const struct db_message *m)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, m->history ? STMT_HISTORY_INSERT :
	    STMT_MESSAGE_INSERT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, m->conversation_id);
	db_bind_text(st, 2, m->mid);
	db_bind_text(st, 3, m->direction);
	db_bind_text(st, 4, m->kind);
	db_bind_text(st, 5, m->text);
	db_bind_text(st, 6, m->attachments);
	db_bind_text(st, 7, m->payload);
	db_bind_text(st, 8, m->reply_to);
	db_bind_text(st, 9, m->raw);
	sqlite3_bind_text(st, 10, msg_status_names[m->status], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, m->sent_ms);
	if (m->event_id > 0)
		sqlite3_bind_int64(st, 12, m->event_id);
	else
		sqlite3_bind_null(st, 12);
	sqlite3_bind_int64(st, 13, m->created_ms);
	sqlite3_bind_int64(st, 14, m->channel_id);
	if (db_exec(d, st) == -1)
		return -1;
	if (sqlite3_changes(d->h) == 0)
		return 0;
	/* Its media, to fetch in the background (db_media.h). */
	if (m->attachments != NULL && db_media_from_message(d,
	    sqlite3_last_insert_rowid(d->h), m->conversation_id,
	    m->attachments, m->created_ms) == -1)
		return -1;
	return 1;
}

int
db_message_status(struct db *d, long long channel, const char *mid,
    enum msg_status status, long long at_ms, const char *err_code,
    const char *err_title)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_MESSAGE_STATUS)) == NULL)
		return -1;
	db_bind_text(st, 1, mid);
	sqlite3_bind_text(st, 2, msg_status_names[status], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, at_ms);
	db_bind_text(st, 4, err_code);
	db_bind_text(st, 5, err_title);
	sqlite3_bind_int64(st, 6, channel);
	sqlite3_bind_int(st, 7, (int)status);
	if (db_exec(d, st) == -1)
		return -1;
	return sqlite3_changes(d->h) > 0;
}

int
db_message_watermark(struct db *d, long long conversation,
    enum msg_status status, long long watermark_ms)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_MESSAGE_WATERMARK)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, conversation);
	sqlite3_bind_text(st, 2, msg_status_names[status], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, watermark_ms);
	sqlite3_bind_int(st, 4, (int)status);
	return db_exec(d, st);
}

int
db_feed_upsert(struct db *d, const struct db_feed *f)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_FEED_UPSERT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, f->channel_id);
	db_bind_text(st, 2, f->meta_id);
	db_bind_text(st, 3, f->item);
	db_bind_text(st, 4, f->post_id);
	db_bind_text(st, 5, f->parent_id);
	db_bind_text(st, 6, f->from_id);
	db_bind_text(st, 7, f->from_name);
	db_bind_text(st, 8, f->message);
	db_bind_text(st, 9, f->status);
	sqlite3_bind_int64(st, 10, f->created_ms);
	sqlite3_bind_int64(st, 11, f->updated_ms);
	if (f->event_id > 0)
		sqlite3_bind_int64(st, 12, f->event_id);
	else
		sqlite3_bind_null(st, 12);
	return db_exec(d, st);
}

int
db_unhandled_add(struct db *d, const char *object, const char *type,
    long long event_id, long long now)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_UNHANDLED_ADD)) == NULL)
		return -1;
	db_bind_text(st, 1, object);
	db_bind_text(st, 2, type);
	sqlite3_bind_int64(st, 3, now);
	if (event_id > 0)
		sqlite3_bind_int64(st, 4, event_id);
	else
		sqlite3_bind_null(st, 4);
	return db_exec(d, st);
}

int
db_channel_messages_since(struct db *d, long long channel, long long since_ms,
    long long *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	*n = 0;
	if ((st = db_stmt(d, STMT_CHANNEL_MESSAGES_SINCE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, channel);
	sqlite3_bind_int64(st, 2, since_ms);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}
