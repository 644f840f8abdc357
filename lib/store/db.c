/*
 * db: SQLite behind hubgate's storage interface: the connection,
 * channels and events.  See db.h, db_channel.h and db_event.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "clock.h"
#include "conf.h"
#include "db.h"
#include "db_int.h"

/* schema.sql, compiled in by the Makefile (build/schema_sql.c). */
extern const char db_schema_sql[];

/* The operations' statements (db_ops.c): an event's columns as the
 * list shows them (struct db_event_row, in order), its platform, the
 * scope (?1 workspace, ?2 operator) and the list's filter. */
#define DB_EV_COLS "e.id, e.received_ms, e.object, e.state, e.routing, " \
	"e.attempts, " DB_EV_OWN_CHANNEL ", (SELECT name FROM channel " \
	"WHERE id = " DB_EV_OWN_CHANNEL "), length(e.body), e.last_error, " \
	"coalesce(e.processed_ms, 0), " DB_EV_SHARED
/* The event's channel as the scope sees it: its first channel when
 * that is the workspace's, else the first of the workspace's other
 * channels of it; 0 for none.  Another workspace's channel is never
 * named. */
#define DB_EV_OWN_CHANNEL "coalesce((SELECT c.id FROM channel c WHERE " \
	"c.id = e.channel_id AND c.workspace_id = ?1), (SELECT " \
	"min(x.channel_id) FROM webhook_event_channel x JOIN channel c ON " \
	"c.id = x.channel_id WHERE x.event_id = e.id AND " \
	"c.workspace_id = ?1), 0)"
/* 1 when a channel of the event belongs to another workspace than the
 * scope's (a batch for accounts of several workspaces). */
#define DB_EV_SHARED "(EXISTS (SELECT 1 FROM channel c WHERE " \
	"c.id = e.channel_id AND c.workspace_id <> ?1) OR EXISTS (SELECT 1 " \
	"FROM webhook_event_channel x JOIN channel c ON c.id = x.channel_id " \
	"WHERE x.event_id = e.id AND c.workspace_id <> ?1))"
/* The platform of an object column, as event_platform_of says in C
 * (the one place SQL says it). */
#define DB_PLATFORM_OF(object) "(CASE " object " WHEN 'page' THEN " \
	"'messenger' WHEN 'instagram' THEN 'instagram' WHEN " \
	"'whatsapp_business_account' THEN 'whatsapp' ELSE 'other' END)"
#define DB_EV_PLATFORM(e) DB_PLATFORM_OF(e ".object")
#define DB_EV_VIS(e) "(" e ".channel_id IN (SELECT id FROM channel WHERE " \
	"workspace_id = ?1) OR (?2 AND " e ".channel_id IS NULL) OR EXISTS " \
	"(SELECT 1 FROM webhook_event_channel x JOIN channel c ON " \
	"c.id = x.channel_id WHERE x.event_id = " e ".id AND " \
	"c.workspace_id = ?1))"
#define DB_EV_FILTER "e.id >= ?7 AND e.id < ?8 AND (?3 IS NULL OR " \
	"+e.state = ?3) AND (?4 IS NULL OR " DB_EV_PLATFORM("e") " = ?4) AND " \
	"(?5 IS NULL OR +e.channel_id = ?5 OR EXISTS (SELECT 1 FROM " \
	"webhook_event_channel z WHERE z.event_id = e.id AND " \
	"z.channel_id = ?5)) AND (?6 IS NULL OR +e.routing = ?6) AND " \
	DB_EV_VIS("e")

/* Every statement hubgate runs, named by enum stmt (db_int.h): an
 * entry is found by its name, never by its place. */
/* A token's state (db_token_states): token_check with its channel or
 * Login; the WHERE follows. */
#define DB_TOKEN_STATE_SQL \
	"SELECT t.subject, t.subject_id, " \
	"coalesce(c.workspace_id, m.workspace_id, t.workspace_id), " \
	"coalesce(c.name, m.name, ''), " \
	"CASE WHEN t.subject = 'channel' THEN c.kind ELSE m.platform END, " \
	"coalesce(c.token_status, m.status, 'none'), " \
	"coalesce(c.token_kind, 'user'), " \
	"CASE WHEN t.checked_at IS NOT NULL THEN t.expires_at " \
	"ELSE coalesce(c.token_expires_at, m.token_expires_at, 0) END, " \
	"t.data_access_expires_at, coalesce(t.checked_at, 0), t.code, " \
	"t.subcode, t.missing_scope, t.missing_fields, t.unreadable, " \
	"coalesce(t.silent_since, 0), coalesce(t.silent_limit_s, 0), " \
	"t.level, coalesce(t.alerted_level, ''), coalesce(t.level_since, 0), " \
	"coalesce(t.last_alert_at, 0) " \
	"FROM token_check t " \
	"LEFT JOIN channel c ON t.subject = 'channel' AND c.id = t.subject_id " \
	"LEFT JOIN meta_login m ON t.subject = 'login' AND m.id = t.subject_id "

static const char *const stmt_sql[STMT__MAX] = {
	[STMT_BEGIN] =
	    "BEGIN IMMEDIATE",
	[STMT_COMMIT] =
	    "COMMIT",
	[STMT_ROLLBACK] =
	    "ROLLBACK",
	[STMT_SAVEPOINT] =
	    "SAVEPOINT item",
	[STMT_RELEASE] =
	    "RELEASE item",
	[STMT_ROLLBACK_TO] =
	    "ROLLBACK TO item",
	[STMT_USER_VERSION] =
	    "PRAGMA user_version",
	[STMT_COUNTER_ADD] =
	    "INSERT INTO counter (name, value) VALUES (?1, ?2) "
	    "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
	[STMT_COUNTER_ALL] =
	    "SELECT name, value FROM counter ORDER BY name",
	[STMT_CHANNEL_FIND] =
	    "SELECT id, workspace_id FROM channel WHERE kind = ?1 AND meta_id = ?2",
	[STMT_CHANNEL_ADD] =
	    "INSERT INTO channel (workspace_id, kind, meta_id, name, created_at, "
	    "updated_at, human_agent) VALUES (1, ?1, ?2, ?3, ?4, ?4, 0) "
	    "ON CONFLICT (kind, meta_id) DO UPDATE SET name = excluded.name, "
	    "updated_at = excluded.updated_at RETURNING id",
	[STMT_CHANNEL_TOUCH] =
	    "UPDATE channel SET last_event_at = ?2 WHERE id = ?1 "
	    "AND (last_event_at IS NULL OR last_event_at < ?2)",
	/* received_ms is never below the last event's,
	 * so that ids order arrival times (db_event_id_from).  (VALUES,
	 * not INSERT ... SELECT: that would open a statement journal.) */
	[STMT_EVENT_INSERT] =
	    "INSERT INTO webhook_event (received_ms, body, body_sha256, signature, "
	    "object, entry_ids, phone_number_ids, routing, state, sent_ms, "
	    "processed_ms, attempts, channel_id) "
	    "VALUES (max(?1, coalesce((SELECT received_ms FROM webhook_event "
	    "ORDER BY id DESC LIMIT 1), 0)), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "CASE WHEN ?9 = 'processed' THEN max(?1, coalesce((SELECT received_ms "
	    "FROM webhook_event ORDER BY id DESC LIMIT 1), 0)) END, "
	    "?9 = 'processed', ?11) "
	    "ON CONFLICT (sent_ms, body_sha256) DO NOTHING",
	/* A channel other than the event's first */
	[STMT_EVENT_ROUTE] =
	    "INSERT OR IGNORE INTO webhook_event_channel (event_id, channel_id) "
	    "SELECT ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM webhook_event "
	    "WHERE id = ?1 AND channel_id = ?2)",
	/* The first event from an id on */
	[STMT_EVENT_AT] =
	    "SELECT id, received_ms FROM webhook_event WHERE id >= ?1 "
	    "ORDER BY id LIMIT 1",
	[STMT_EVENT_LAST] =
	    "SELECT max(id) FROM webhook_event",
	/* Stored as processed, but that failed */
	[STMT_EVENT_UNPROCESSED] =
	    "UPDATE webhook_event SET state = 'pending', attempts = 0, "
	    "failures = 0, processed_ms = NULL, last_error = ?2 WHERE id = ?1 "
	    "AND state = 'processed'",

	/* Contacts and conversations are looked up first, and written
	 * only when new or changed: an upsert rewrites the row each time,
	 * and RETURNING builds a temporary table per call. */
	[STMT_CONTACT_FIND] =
	    "SELECT id, name, last_seen_at FROM contact "
	    "WHERE channel_id = ?1 AND meta_user_id = ?2",
	[STMT_CONTACT_INSERT] =
	    "INSERT INTO contact (workspace_id, channel_id, meta_user_id, name, "
	    "first_seen_at, last_seen_at) VALUES (?1, ?2, ?3, coalesce(?4, ''), ?5, ?5) "
	    "ON CONFLICT (channel_id, meta_user_id) DO NOTHING",
	[STMT_CONTACT_SEEN] =
	    "UPDATE contact SET "
	    "name = CASE WHEN ?2 IS NOT NULL AND ?2 <> '' THEN ?2 ELSE name END, "
	    "last_seen_at = max(last_seen_at, ?3) WHERE id = ?1",
	[STMT_CONVERSATION_FIND] =
	    "SELECT id FROM conversation WHERE channel_id = ?1 AND contact_id = ?2",
	[STMT_CONVERSATION_INSERT] =
	    "INSERT INTO conversation (workspace_id, channel_id, contact_id, "
	    "created_at) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (channel_id, contact_id) DO NOTHING",
	[STMT_CONVERSATION_NOTE] =
	    "UPDATE conversation SET "
	    "last_message_ms = max(coalesce(last_message_ms, 0), ?2), "
	    "last_inbound_ms = CASE WHEN ?3 THEN max(coalesce(last_inbound_ms, 0), ?2) "
	    "ELSE last_inbound_ms END, unread = unread + ?3 WHERE id = ?1",
	[STMT_CONVERSATION_OWNER] =
	    "UPDATE conversation SET thread_owner = ?2 WHERE id = ?1",
	/* A mid is unique within its channel */
	[STMT_MESSAGE_INSERT] =
	    "INSERT INTO message (conversation_id, meta_message_id, direction, kind, "
	    "text, attachments, payload, reply_to, raw, status, sent_ms, event_id, "
	    "created_ms, channel_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12, ?13, ?14) ON CONFLICT (channel_id, meta_message_id) DO NOTHING",
	/* The channel's message, forward only (enum msg_status; ?7 is the
	 * rank of ?2) */
	[STMT_MESSAGE_STATUS] =
	    "UPDATE message SET status = ?2, "
	    "delivered_ms = CASE WHEN ?2 IN ('delivered', 'read') "
	    "THEN coalesce(delivered_ms, ?3) ELSE delivered_ms END, "
	    "read_ms = CASE WHEN ?2 = 'read' THEN coalesce(read_ms, ?3) ELSE read_ms END, "
	    "error_code = coalesce(?4, error_code), error = coalesce(?5, error) "
	    "WHERE channel_id = ?6 AND meta_message_id = ?1 AND "
	    DB_MSG_RANK("status") " < ?7",
	/* Every earlier outbound message, forward only (?4: the rank of
	 * ?2) */
	[STMT_MESSAGE_WATERMARK] =
	    "UPDATE message SET status = ?2, "
	    "delivered_ms = coalesce(delivered_ms, ?3), "
	    "read_ms = CASE WHEN ?2 = 'read' THEN coalesce(read_ms, ?3) ELSE read_ms END "
	    "WHERE conversation_id = ?1 AND direction = 'out' AND sent_ms <= ?3 AND "
	    "status <> 'queued' AND " DB_MSG_RANK("status") " < ?4",
	/* The newest verb wins */
	[STMT_FEED_UPSERT] =
	    "INSERT INTO feed_item (channel_id, meta_id, item, post_id, parent_id, "
	    "from_id, from_name, message, status, created_ms, updated_ms, event_id) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
	    "ON CONFLICT (channel_id, meta_id) DO UPDATE SET "
	    "message = CASE WHEN excluded.updated_ms >= updated_ms "
	    "AND excluded.message IS NOT NULL THEN excluded.message ELSE message END, "
	    "status = CASE WHEN excluded.updated_ms >= updated_ms "
	    "THEN excluded.status ELSE status END, "
	    "event_id = excluded.event_id, "
	    "updated_ms = max(updated_ms, excluded.updated_ms)",
	[STMT_UNHANDLED_ADD] =
	    "INSERT INTO unhandled (object, type, count, first_seen_at, last_seen_at, "
	    "sample_event_id) VALUES (?1, ?2, 1, ?3, ?3, ?4) "
	    "ON CONFLICT (object, type) DO UPDATE SET count = count + 1, "
	    "last_seen_at = excluded.last_seen_at, "
	    "sample_event_id = coalesce(sample_event_id, excluded.sample_event_id)",

	/* The attempt log of STMT_QUEUE_ABANDON's
	 * events, written first (same condition, same transaction) */
	[STMT_QUEUE_ABANDON_LOG] =
	    "INSERT OR REPLACE INTO event_attempt (event_id, attempt, at_ms, error) "
	    "SELECT id, attempts, ?1, printf('lease lapsed %d times without a "
	    "result: processing never finished', attempts - failures) "
	    "FROM webhook_event WHERE state = 'processing' AND state <> 'processed' "
	    "AND lease_expires_ms <= ?1 AND attempts - failures >= ?2",
	/* Lease expired, and as many claims as allowed
	 * ended without a result: dead letter */
	/* Claims under a token whose work was rolled back by a database
	 * error: due again at once, the claim not counted as a lapse */
	[STMT_QUEUE_RELEASE] =
	    "UPDATE webhook_event SET lease_token = NULL, lease_expires_ms = ?2, "
	    "attempts = max(attempts - 1, failures) "
	    "WHERE lease_token = ?1 AND state = 'processing' "
	    "AND state <> 'processed'",
	[STMT_QUEUE_ABANDON] =
	    "UPDATE webhook_event SET state = 'dead_letter', lease_token = NULL, "
	    "lease_expires_ms = NULL, next_attempt_ms = NULL, "
	    "last_error = printf('lease lapsed %d times without a result: "
	    "processing never finished', attempts - failures) "
	    "WHERE state = 'processing' AND state <> 'processed' "
	    "AND lease_expires_ms <= ?1 AND attempts - failures >= ?2",
	/* Pending, failed and due, or lease expired (each
	 * repeats the condition of the queue's index: schema.sql); attempts
	 * counts claims, failures only what STMT_EVENT_FAIL records */
	[STMT_QUEUE_CLAIM] =
	    "UPDATE webhook_event SET state = 'processing', lease_token = ?1, "
	    "lease_expires_ms = ?2 + ?3, attempts = attempts + 1 "
	    "WHERE id IN (SELECT id FROM ("
	    "SELECT id FROM webhook_event WHERE state = 'pending' "
	    "AND state <> 'processed' "
	    "ORDER BY id LIMIT ?4) UNION ALL SELECT id FROM ("
	    "SELECT id FROM webhook_event WHERE state = 'failed' "
	    "AND state <> 'processed' "
	    "AND next_attempt_ms <= ?2 ORDER BY id LIMIT ?4) UNION ALL "
	    "SELECT id FROM (SELECT id FROM webhook_event WHERE state = 'processing' "
	    "AND state <> 'processed' "
	    "AND lease_expires_ms <= ?2 ORDER BY id LIMIT ?4) "
	    "ORDER BY 1 LIMIT ?4) RETURNING id, failures",
	/* Only for the holder of the lease */
	[STMT_EVENT_BODY] =
	    "SELECT body FROM webhook_event WHERE id = ?1 AND lease_token = ?2 "
	    "AND state = 'processing'",
	[STMT_EVENT_DONE] =
	    "UPDATE webhook_event SET state = 'processed', processed_ms = ?3, "
	    "lease_token = NULL, lease_expires_ms = NULL, next_attempt_ms = NULL "
	    "WHERE id = ?1 AND lease_token = ?2 AND state = 'processing'",
	/* State is 'failed' or 'dead_letter' */
	[STMT_EVENT_FAIL] =
	    "UPDATE webhook_event SET state = ?3, next_attempt_ms = ?4, "
	    "failures = failures + 1, "
	    "last_error = ?5, lease_token = NULL, lease_expires_ms = NULL "
	    "WHERE id = ?1 AND lease_token = ?2 AND state = 'processing'",
	[STMT_ATTEMPT_LOG] =
	    "INSERT OR REPLACE INTO event_attempt (event_id, attempt, at_ms, error) "
	    "SELECT id, attempts, ?2, ?3 FROM webhook_event WHERE id = ?1",
	[STMT_REQUEUE_ID] =
	    "UPDATE webhook_event SET state = 'pending', attempts = 0, "
	    "failures = 0, next_attempt_ms = NULL, lease_token = NULL, "
	    "lease_expires_ms = NULL WHERE id = ?1 AND state IN ('processed', 'failed', 'dead_letter')",
	[STMT_REQUEUE_DEAD] =
	    "UPDATE webhook_event SET state = 'pending', attempts = 0, "
	    "failures = 0, next_attempt_ms = NULL WHERE state = 'dead_letter' "
	    "AND state <> 'processed'",
	[STMT_REQUEUE_RANGE] =
	    "UPDATE webhook_event SET state = 'pending', attempts = 0, "
	    "failures = 0, next_attempt_ms = NULL, lease_token = NULL, "
	    "lease_expires_ms = NULL WHERE id >= ?3 AND id < ?4 AND received_ms >= ?1 AND received_ms < ?2 "
	    "AND state IN ('processed', 'failed', 'dead_letter')",
	[STMT_PRUNE] =
	    "DELETE FROM webhook_event WHERE id IN (SELECT id FROM webhook_event "
	    "WHERE state = 'processed' AND id < ?3 AND received_ms < ?1 "
	    "ORDER BY id LIMIT ?2)",
	/* Every state but processed, each counted on
	 * the queue's index (which leaves processed events out), so the
	 * cost follows the work waiting, not the events kept; ids order
	 * arrival times, so a state's oldest is its first id. */
	[STMT_QUEUE_STATES] =
	    "WITH s (state) AS (VALUES ('pending'), ('processing'), ('failed'), "
	    "('dead_letter'), ('invalid')) "
	    "SELECT s.state, (SELECT count(*) FROM webhook_event e "
	    "WHERE e.state = s.state AND e.state <> 'processed'), "
	    "coalesce((SELECT received_ms FROM webhook_event e "
	    "WHERE e.state = s.state AND e.state <> 'processed' "
	    "ORDER BY e.id LIMIT 1), 0) FROM s",
	/* Accounts (db_user.c).  Rows of a workspace are found with its id,
	 * a person's sessions and tokens with theirs. */
	[STMT_USER_ADD] =
	    "INSERT INTO user (email, name, password_hash, operator, created_at, "
	    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (email) DO NOTHING",
	[STMT_USER_BY_EMAIL] =
	    "SELECT id, email, name, coalesce(password_hash, ''), operator, "
	    "coalesce(disabled_at, 0), created_at FROM user WHERE email = ?1",
	[STMT_USER_BY_ID] =
	    "SELECT id, email, name, coalesce(password_hash, ''), operator, "
	    "coalesce(disabled_at, 0), created_at FROM user WHERE id = ?1",
	[STMT_USER_COUNT] =
	    "SELECT count(*) FROM user",
	[STMT_USER_SET_PASSWORD] =
	    "UPDATE user SET password_hash = ?2, updated_at = ?3 WHERE id = ?1",
	[STMT_USER_SET_DISABLED] =
	    "UPDATE user SET disabled_at = CASE WHEN ?2 THEN coalesce(disabled_at, ?3) "
	    "END, updated_at = ?3 WHERE id = ?1",
	[STMT_MEMBER_SET] =
	    "INSERT INTO membership (workspace_id, user_id, role, created_at) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (workspace_id, user_id) "
	    "DO UPDATE SET role = excluded.role",
	[STMT_MEMBER_ROLE] =
	    "SELECT role FROM membership WHERE workspace_id = ?1 AND user_id = ?2",
	[STMT_MEMBER_FIRST] =
	    "SELECT min(workspace_id) FROM membership WHERE user_id = ?1",
	[STMT_MEMBER_WORKSPACES] =
	    "SELECT w.id, w.name, m.role FROM membership m JOIN workspace w "
	    "ON w.id = m.workspace_id WHERE m.user_id = ?1 ORDER BY w.id",
	[STMT_WORKSPACE_USERS] =
	    "SELECT u.id, u.email, u.name, '', u.operator, coalesce(u.disabled_at, 0), "
	    "u.created_at, m.role FROM membership m JOIN user u ON u.id = m.user_id "
	    "WHERE m.workspace_id = ?1 ORDER BY u.email LIMIT " HG_STR(HG_LIST_MAX),
	[STMT_WORKSPACE_NAME] =
	    "SELECT name FROM workspace WHERE id = ?1",
	/* Owners of a workspace who may still sign in (the last one must
	 * stay). */
	[STMT_MEMBER_OWNERS] =
	    "SELECT count(*) FROM membership m JOIN user u ON u.id = m.user_id "
	    "WHERE m.workspace_id = ?1 AND m.role = 'owner' AND u.disabled_at IS NULL",
	[STMT_MEMBER_COUNT] =
	    "SELECT count(*) FROM membership WHERE user_id = ?1",
	[STMT_MEMBER_REMOVE] =
	    "DELETE FROM membership WHERE workspace_id = ?1 AND user_id = ?2",
	[STMT_SESSION_END_WORKSPACE] =
	    "DELETE FROM session WHERE workspace_id = ?1 AND user_id = ?2",
	[STMT_TOKEN_REVOKE_WORKSPACE] =
	    "UPDATE api_token SET revoked_at = ?3 WHERE workspace_id = ?1 "
	    "AND user_id = ?2 AND revoked_at IS NULL",
	[STMT_WORKSPACE_ADD] =
	    "INSERT INTO workspace (name, created_at) VALUES (?1, ?2)",
	[STMT_WORKSPACE_ALL] =
	    "SELECT id, name FROM workspace ORDER BY id LIMIT " HG_STR(HG_LIST_MAX),
	/* The audit lines of a workspace, filtered (a NULL filter is
	 * none), with the actor in words: a user's e-mail, a token's name
	 * and its user's e-mail, or the kind. */
	[STMT_AUDIT_FIND] =
	    "SELECT * FROM (SELECT a.id, a.at, coalesce(a.workspace_id, 0), "
	    "a.actor_kind, coalesce(a.actor_id, 0), a.action, a.object, a.detail, "
	    "a.remote, CASE a.actor_kind WHEN 'user' THEN "
	    "coalesce(u.email, 'user ' || a.actor_id) WHEN 'token' THEN "
	    "'token ' || coalesce(t.name, a.actor_id) || coalesce(' (' || u.email || ')', '') "
	    "ELSE a.actor_kind END AS who FROM audit_log a "
	    "LEFT JOIN api_token t ON a.actor_kind = 'token' AND t.id = a.actor_id "
	    "LEFT JOIN user u ON u.id = CASE a.actor_kind WHEN 'user' THEN a.actor_id "
	    "WHEN 'token' THEN t.user_id END "
	    "WHERE a.workspace_id = ?1 AND a.id < ?2 AND (?3 IS NULL OR a.action = ?3) "
	    "AND (?4 IS NULL OR a.at >= ?4) AND (?5 IS NULL OR a.at < ?5)) "
	    "WHERE ?6 IS NULL OR instr(lower(who), lower(?6)) > 0 "
	    "ORDER BY id DESC LIMIT ?7",
	[STMT_SESSION_ADD] =
	    "INSERT INTO session (id, user_id, workspace_id, csrf_token, created_at, "
	    "last_seen_at, remote, user_agent) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)",
	[STMT_SESSION_FIND] =
	    "SELECT s.rowid, s.id, s.user_id, s.workspace_id, s.csrf_token, "
	    "s.created_at, s.last_seen_at, s.remote, s.user_agent FROM session s "
	    "JOIN user u ON u.id = s.user_id WHERE s.id = ?1 AND s.last_seen_at > ?2 "
	    "AND s.created_at > ?3 AND u.disabled_at IS NULL",
	[STMT_SESSION_TOUCH] =
	    "UPDATE session SET last_seen_at = ?2 WHERE id = ?1 AND last_seen_at < ?2",
	[STMT_SESSION_END] =
	    "DELETE FROM session WHERE id = ?1",
	[STMT_SESSION_END_ROWID] =
	    "DELETE FROM session WHERE user_id = ?1 AND rowid = ?2",
	[STMT_SESSION_END_OTHERS] =
	    "DELETE FROM session WHERE user_id = ?1 AND id <> ?2",
	[STMT_SESSION_END_USER] =
	    "DELETE FROM session WHERE user_id = ?1",
	[STMT_SESSION_LIST] =
	    "SELECT rowid, '', user_id, workspace_id, '', created_at, last_seen_at, "
	    "remote, user_agent FROM session WHERE user_id = ?1 "
	    "ORDER BY created_at DESC, rowid DESC LIMIT " HG_STR(HG_LIST_MAX),
	/* The oldest audit lines written before ?1, at most ?2 of them
	 * (through the audit_log_at index). */
	[STMT_AUDIT_PRUNE] =
	    "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log "
	    "WHERE at < ?1 ORDER BY at LIMIT ?2)",
	[STMT_TOKEN_ADD] =
	    "INSERT INTO api_token (hash, user_id, workspace_id, name, scope, "
	    "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[STMT_TOKEN_FIND] =
	    "SELECT t.id, t.hash, t.user_id, t.workspace_id, t.name, t.scope, "
	    "t.created_at, coalesce(t.expires_at, 0), coalesce(t.revoked_at, 0), "
	    "coalesce(t.last_used_at, 0) FROM api_token t JOIN user u "
	    "ON u.id = t.user_id WHERE t.hash = ?1 AND t.revoked_at IS NULL "
	    "AND (t.expires_at IS NULL OR t.expires_at > ?2) AND u.disabled_at IS NULL",
	[STMT_TOKEN_USED] =
	    "UPDATE api_token SET last_used_at = ?2 WHERE id = ?1 "
	    "AND (last_used_at IS NULL OR last_used_at < ?2)",
	[STMT_TOKEN_REVOKE] =
	    "UPDATE api_token SET revoked_at = ?3 WHERE user_id = ?1 AND id = ?2 "
	    "AND revoked_at IS NULL",
	[STMT_TOKEN_LIST] =
	    "SELECT id, '', user_id, workspace_id, name, scope, created_at, "
	    "coalesce(expires_at, 0), coalesce(revoked_at, 0), "
	    "coalesce(last_used_at, 0) FROM api_token WHERE user_id = ?1 "
	    "AND workspace_id = ?2 ORDER BY id DESC LIMIT " HG_STR(HG_LIST_MAX),
	[STMT_SETUP_ADD] =
	    "INSERT INTO setup_token (hash, user_id, expires_at) VALUES (?1, ?2, ?3)",
	/* A new link replaces the person's (or the first setup's) unused
	 * ones */
	[STMT_SETUP_DROP] =
	    "DELETE FROM setup_token WHERE user_id IS ?1 AND used_at IS NULL",
	/* Single use: the update is the test and the mark at once */
	[STMT_SETUP_USE] =
	    "UPDATE setup_token SET used_at = ?2 WHERE hash = ?1 AND used_at IS NULL "
	    "AND expires_at > ?2 RETURNING coalesce(user_id, 0)",
	[STMT_SETUP_VALID] =
	    "SELECT coalesce(user_id, 0) FROM setup_token WHERE hash = ?1 "
	    "AND used_at IS NULL AND expires_at > ?2",
	[STMT_AUDIT_ADD] =
	    "INSERT INTO audit_log (at, workspace_id, actor_kind, actor_id, action, "
	    "object, detail, remote) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[STMT_THROTTLE_GET] =
	    "SELECT failures, next_ms FROM login_throttle WHERE key = ?1",
	[STMT_THROTTLE_SET] =
	    "INSERT INTO login_throttle (key, failures, next_ms) VALUES (?1, ?2, ?3) "
	    "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
	    "next_ms = excluded.next_ms",
	[STMT_THROTTLE_CLEAR] =
	    "DELETE FROM login_throttle WHERE key = ?1",
	/* Housekeeping (db_account_prune), at most ?3 or ?2 rows each. */
	[STMT_SESSION_EXPIRE] =
	    "DELETE FROM session WHERE rowid IN (SELECT rowid FROM session "
	    "WHERE last_seen_at <= ?1 OR created_at <= ?2 LIMIT ?3)",
	[STMT_THROTTLE_PRUNE] =
	    "DELETE FROM login_throttle WHERE key IN (SELECT key FROM "
	    "login_throttle WHERE next_ms < ?1 LIMIT ?2)",
	[STMT_SETUP_PRUNE] =
	    "DELETE FROM setup_token WHERE id IN (SELECT id FROM setup_token "
	    "WHERE used_at < ?1 OR expires_at < ?1 LIMIT ?2)",
	/* The summaries (db_stats.c).  A scope binds ?1 the workspace,
	 * ?2 0 for the no-workspace bucket (else -1) and, where a
	 * statement has it, ?5 (?4, ?3) 1 for every event.  What
	 * /api/stats reads per request is on the primary keys. */
	[STMT_COUNTER_HOURLY] =
	    "INSERT INTO counter_hourly (name, hour, value) VALUES (?1, ?3, ?2) "
	    "ON CONFLICT (name, hour) DO UPDATE SET value = value + excluded.value",
	/* A scope's hours on the primary key (workspace_id, hour, ...);
	 * every workspace's (_ALL, /metrics) read whole */
	[STMT_STATS_EACH] =
	    "SELECT hour, object, routing, state, n FROM event_stat "
	    "WHERE workspace_id IN (?1, ?2) AND hour >= ?3 AND hour < ?4 "
	    "AND n <> 0",
	[STMT_STATS_EACH_ALL] =
	    "SELECT hour, object, routing, state, n FROM event_stat "
	    "WHERE hour >= ?3 AND hour < ?4 AND n <> 0",
	/* All time, without the hours (migration 10) */
	[STMT_STATS_TOTALS] =
	    "SELECT object, routing, state, n FROM event_total "
	    "WHERE (?5 OR workspace_id IN (?1, ?2)) AND n <> 0",
	[STMT_STATS_LATENCY] =
	    "SELECT bucket, sum(n), sum(sum_ms) FROM event_latency "
	    "WHERE workspace_id IN (?1, ?2) AND hour >= ?3 AND hour < ?4 "
	    "GROUP BY bucket",
	[STMT_STATS_LATENCY_ALL] =
	    "SELECT bucket, sum(n), sum(sum_ms) FROM event_latency "
	    "WHERE hour >= ?3 AND hour < ?4 GROUP BY bucket",
	[STMT_STATS_COUNTER_SINCE] =
	    "SELECT coalesce(sum(value), 0) FROM counter_hourly "
	    "WHERE name = ?1 AND hour >= ?2",
	/* On the queue's index (its condition repeated) */
	[STMT_STATS_OLDEST] =
	    "SELECT e.received_ms FROM webhook_event e WHERE e.state = ?3 "
	    "AND e.state <> 'processed' AND (?4 OR coalesce((SELECT c.workspace_id "
	    "FROM channel c WHERE c.id = e.channel_id), 0) IN (?1, ?2)) "
	    "ORDER BY e.id LIMIT 1",
	[STMT_STATS_CHANNELS] =
	    "SELECT id, kind, meta_id, name, coalesce(last_event_at, 0), created_at "
	    "FROM channel "
	    "WHERE ?1 = 0 OR workspace_id = ?1 ORDER BY id",
	/* The sample only when the scope may see it */
	[STMT_STATS_UNHANDLED] =
	    "SELECT u.object, u.type, u.count, u.first_seen_at, u.last_seen_at, "
	    "CASE WHEN u.sample_event_id IS NOT NULL AND (?3 "
	    "OR EXISTS (SELECT 1 FROM webhook_event_route r JOIN channel c "
	    "ON c.id = r.channel_id WHERE r.event_id = u.sample_event_id "
	    "AND c.workspace_id = ?1) "
	    "OR (?2 = 0 AND EXISTS (SELECT 1 FROM webhook_event e "
	    "WHERE e.id = u.sample_event_id AND e.channel_id IS NULL))) "
	    "THEN u.sample_event_id ELSE 0 END FROM unhandled u "
	    "ORDER BY u.last_seen_at DESC, u.id DESC LIMIT " HG_STR(HG_LIST_MAX),
	[STMT_STATS_KINDS] =
	    "SELECT count(*) FROM unhandled",
	[STMT_STATS_CLEAR] =
	    "DELETE FROM event_stat",
	[STMT_STATS_CLEAR_LATENCY] =
	    "DELETE FROM event_latency",
	[STMT_STATS_CLEAR_TOTAL] =
	    "DELETE FROM event_total",
	[STMT_STATS_FILL_TOTAL] =
	    "INSERT INTO event_total (workspace_id, object, routing, state, n) "
	    "SELECT workspace_id, object, routing, state, sum(n) FROM event_stat "
	    "GROUP BY 1, 2, 3, 4",
	/* Housekeeping (db_stats_prune), at most ?2 rows each: summary
	 * rows that count nothing any more, hourly counters before hour
	 * ?1 */
	[STMT_STATS_PRUNE_STAT] =
	    "DELETE FROM event_stat WHERE (workspace_id, hour, object, routing, "
	    "state) IN (SELECT workspace_id, hour, object, routing, state "
	    "FROM event_stat WHERE n = 0 LIMIT ?2)",
	[STMT_STATS_PRUNE_LATENCY] =
	    "DELETE FROM event_latency WHERE (workspace_id, hour, bucket) IN "
	    "(SELECT workspace_id, hour, bucket FROM event_latency WHERE n = 0 "
	    "LIMIT ?2)",
	[STMT_STATS_PRUNE_TOTAL] =
	    "DELETE FROM event_total WHERE (workspace_id, object, routing, "
	    "state) IN (SELECT workspace_id, object, routing, state "
	    "FROM event_total WHERE n = 0 LIMIT ?2)",
	[STMT_STATS_PRUNE_COUNTER] =
	    "DELETE FROM counter_hourly WHERE (name, hour) IN (SELECT name, hour "
	    "FROM counter_hourly WHERE hour < ?1 LIMIT ?2)",
	[STMT_STATS_FILL] =
	    "INSERT INTO event_stat (workspace_id, hour, object, routing, state, n) "
	    "SELECT coalesce(c.workspace_id, 0), e.received_ms / 3600000, "
	    "coalesce(e.object, ''), e.routing, e.state, count(*) "
	    "FROM webhook_event e LEFT JOIN channel c ON c.id = e.channel_id "
	    "GROUP BY 1, 2, 3, 4, 5",
	[STMT_STATS_FILL_LATENCY] =
	    "INSERT INTO event_latency (workspace_id, hour, bucket, n, sum_ms) "
	    "SELECT coalesce(c.workspace_id, 0), e.processed_ms / 3600000, "
	    DB_LATENCY_BUCKET("(e.processed_ms - e.received_ms)") ", count(*), "
	    "sum(e.processed_ms - e.received_ms) "
	    "FROM webhook_event e LEFT JOIN channel c ON c.id = e.channel_id "
	    "WHERE e.state = 'processed' AND e.processed_ms IS NOT NULL "
	    "GROUP BY 1, 2, 3",
	/* Operations on events (db_ops.c).  The list's statements share
	 * their parameters: ?1 the scope's workspace, ?2 1 when the caller
	 * is an operator, ?3 state, ?4 platform, ?5 channel, ?6 routing
	 * (each NULL: any), ?7 and ?8 the range of ids [?7, ?8) (times and
	 * the keyset cursor), ?9 the page's rows, ?10 and ?11 the search
	 * as an id and as text.  They differ in what drives them: the
	 * events by id, or one of the smaller indexes. */
	[STMT_EVLIST_ALL] =
	    "SELECT " DB_EV_COLS " FROM webhook_event e WHERE " DB_EV_FILTER
	    " ORDER BY e.id DESC LIMIT ?9",
	[STMT_EVLIST_STATE] =
	    "SELECT " DB_EV_COLS " FROM webhook_event e WHERE e.state = ?3 "
	    "AND e.state <> 'processed' AND " DB_EV_FILTER
	    " ORDER BY e.id DESC LIMIT ?9",
	[STMT_EVLIST_ROUTING] =
	    "SELECT " DB_EV_COLS " FROM webhook_event e WHERE "
	    "e.routing <> 'routed' AND " DB_EV_FILTER
	    " ORDER BY e.id DESC LIMIT ?9",
	/* The channel's events as their first channel, then as another:
	 * both arms come in id order from their index and are merged. */
	[STMT_EVLIST_CHANNEL] =
	    "SELECT " DB_EV_COLS " FROM webhook_event e "
	    "WHERE e.channel_id = ?5 AND " DB_EV_FILTER
	    " UNION ALL SELECT " DB_EV_COLS " FROM webhook_event_channel y "
	    "JOIN webhook_event e ON e.id = y.event_id WHERE y.channel_id = ?5 "
	    "AND y.event_id >= ?7 AND y.event_id < ?8 AND " DB_EV_FILTER
	    " ORDER BY 1 DESC LIMIT ?9",
	/* By search: the event of that id, and the events of the messages
	 * of the workspace's channels with that Meta id (message's
	 * UNIQUE (channel_id, meta_message_id), channel by channel: CROSS
	 * JOIN keeps the channels outer).  An
	 * account's id is a channel filter (STMT_CHANNEL_BY_META). */
	[STMT_EVLIST_Q] =
	    "SELECT " DB_EV_COLS " FROM webhook_event e WHERE e.id IN ("
	    "SELECT ?10 UNION SELECT m.event_id FROM channel c CROSS JOIN "
	    "message m ON m.channel_id = c.id AND m.meta_message_id = ?11 "
	    "WHERE c.workspace_id = ?1) AND " DB_EV_FILTER
	    " ORDER BY e.id DESC LIMIT ?9",
	/* The list's count, from the summaries: ?1 workspace, ?2 0 for
	 * the no-workspace bucket (else -1), ?3 state, ?4 routing, ?5 the
	 * platform, ?7 and ?8 the hours [?7, ?8) (each NULL: any). */
	[STMT_EVCOUNT_TOTAL] =
	    "SELECT coalesce(sum(n), 0) FROM event_total WHERE workspace_id IN "
	    "(?1, ?2) AND (?3 IS NULL OR state = ?3) AND (?4 IS NULL OR "
	    "routing = ?4) AND (?5 IS NULL OR " DB_PLATFORM_OF("object")
	    " = ?5)",
	[STMT_EVCOUNT_HOURS] =
	    "SELECT coalesce(sum(n), 0) FROM event_stat WHERE workspace_id IN "
	    "(?1, ?2) AND hour >= ?7 AND hour < ?8 AND (?3 IS NULL OR "
	    "state = ?3) AND (?4 IS NULL OR routing = ?4) AND (?5 IS NULL OR "
	    DB_PLATFORM_OF("object") " = ?5)",
	/* One event of the scope (?3 its id), its body's first ?4 bytes */
	[STMT_EVENT_GET] =
	    "SELECT " DB_EV_COLS ", e.signature, e.body_sha256, "
	    "coalesce(e.next_attempt_ms, 0), coalesce(e.lease_expires_ms, 0), "
	    "e.entry_ids, e.phone_number_ids, substr(e.body, 1, ?4) "
	    "FROM webhook_event e WHERE e.id = ?3 AND " DB_EV_VIS("e"),
	[STMT_EVENT_RAW] =
	    "SELECT e.body, " DB_EV_SHARED " FROM webhook_event e WHERE e.id = ?3 AND "
	    DB_EV_VIS("e"),
	[STMT_EVENT_STATE_IN] =
	    "SELECT e.state, " DB_EV_SHARED " FROM webhook_event e WHERE e.id = ?3 AND "
	    DB_EV_VIS("e"),
	[STMT_EVENT_ATTEMPTS] =
	    "SELECT attempt, at_ms, error FROM event_attempt WHERE event_id = ?1 "
	    "ORDER BY attempt LIMIT " HG_STR(HG_LIST_MAX),
	[STMT_EVENT_CHANNELS] =
	    "SELECT c.id, c.kind, c.name FROM channel c WHERE c.workspace_id = ?2 "
	    "AND (c.id = (SELECT channel_id FROM webhook_event WHERE id = ?1) "
	    "OR c.id IN (SELECT channel_id FROM webhook_event_channel "
	    "WHERE event_id = ?1)) ORDER BY c.id LIMIT " HG_STR(HG_LIST_MAX),
	[STMT_EVENT_MESSAGES] =
	    "SELECT id, conversation_id, direction, kind, meta_message_id, text "
	    "FROM message WHERE event_id = ?1 AND channel_id IN (SELECT id FROM "
	    "channel WHERE workspace_id = ?2) ORDER BY id LIMIT " HG_STR(HG_LIST_MAX),
	[STMT_EVENT_FEED] =
	    "SELECT id, meta_id, item, status FROM feed_item WHERE event_id = ?1 "
	    "AND channel_id IN (SELECT id FROM channel WHERE workspace_id = ?2) "
	    "ORDER BY id LIMIT " HG_STR(HG_LIST_MAX),
	[STMT_EVENT_UNHANDLED] =
	    "SELECT object, type FROM unhandled WHERE sample_event_id = ?1 "
	    "ORDER BY id LIMIT " HG_STR(HG_LIST_MAX),
	/* Due now; attempts and failures kept */
	[STMT_EVENT_RETRY] =
	    "UPDATE webhook_event SET state = 'pending', next_attempt_ms = NULL, "
	    "lease_token = NULL, lease_expires_ms = NULL WHERE id = ?1 "
	    "AND state IN ('failed', 'dead_letter')",
	/* Counted before the write lock, at most ?9 (HG_REQUEUE_MAX + 1)
	 * rows read; an event shared with another workspace is not the
	 * scope's to act on */
	[STMT_REQUEUE_COUNT] =
	    "SELECT count(*) FROM (SELECT 1 FROM webhook_event e WHERE "
	    "e.state IN ('failed', 'dead_letter') AND e.state <> 'processed' "
	    "AND " DB_EV_FILTER " AND NOT " DB_EV_SHARED " LIMIT ?9)",
	[STMT_REQUEUE_FILTER] =
	    "UPDATE webhook_event SET state = 'pending', next_attempt_ms = NULL, "
	    "lease_token = NULL, lease_expires_ms = NULL WHERE id IN ("
	    "SELECT e.id FROM webhook_event e WHERE e.state IN ('failed', "
	    "'dead_letter') AND e.state <> 'processed' AND " DB_EV_FILTER
	    " AND NOT " DB_EV_SHARED ")",
	/* ?3 is 'processed'.  processed_ms stays (the last processing's)
	 * until the next one: the latency summary counts processings and
	 * never goes back (schema.sql, event_latency_done) */
	[STMT_REPLAY_COUNT] =
	    "SELECT count(*) FROM (SELECT 1 FROM webhook_event e WHERE "
	    DB_EV_FILTER " AND NOT " DB_EV_SHARED " LIMIT ?9)",
	[STMT_REPLAY] =
	    "UPDATE webhook_event SET state = 'pending', "
	    "next_attempt_ms = NULL WHERE id IN (SELECT e.id FROM webhook_event e "
	    "WHERE " DB_EV_FILTER " AND NOT " DB_EV_SHARED ") "
	    "AND state = 'processed'",
	[STMT_EVENT_DELETE] =
	    "DELETE FROM webhook_event WHERE id = ?1",
	[STMT_DEAD_GROUPS] =
	    "SELECT coalesce(e.last_error, ''), count(*), min(e.received_ms), "
	    "max(e.received_ms), max(e.id) FROM webhook_event e "
	    "WHERE e.state = 'dead_letter' AND e.state <> 'processed' AND "
	    DB_EV_VIS("e") " GROUP BY 1 ORDER BY 2 DESC, 5 DESC LIMIT "
	    HG_STR(HG_LIST_MAX),
	[STMT_CHANNEL_LIST] =
	    "SELECT id, kind, meta_id, name, token_status, "
	    "coalesce(last_event_at, 0), token_expires_at, subscribed_fields, "
	    "human_agent, coalesce(send_rate, 0), mark_read "
	    "FROM channel WHERE workspace_id = ?1 "
	    "ORDER BY id LIMIT " HG_STR(HG_CHANNELS_MAX),
	[STMT_CHANNEL_CONNECT] =
	    "INSERT INTO channel (workspace_id, kind, meta_id, name, created_at, "
	    "updated_at, human_agent) VALUES (?1, ?2, ?3, ?4, ?5, ?5, 0) "
	    "ON CONFLICT (kind, meta_id) DO NOTHING RETURNING id",
	/* A search's account: a channel of the workspace */
	[STMT_CHANNEL_BY_META] =
	    "SELECT id FROM channel WHERE workspace_id = ?1 AND meta_id = ?2 "
	    "ORDER BY id LIMIT 1",
	/* The channels of a workspace (?1), at most ?2 */
	[STMT_CHANNEL_IDS] =
	    "SELECT id FROM channel WHERE workspace_id = ?1 ORDER BY id LIMIT ?2",
	/* Not fully routed events of an object (?1) naming an account
	 * (?2): entries, or WhatsApp numbers */
	[STMT_REROUTE_FIND] =
	    "SELECT id FROM webhook_event WHERE routing <> 'routed' AND object = ?1 "
	    "AND EXISTS (SELECT 1 FROM json_each(CASE WHEN ?1 = "
	    "'whatsapp_business_account' THEN phone_number_ids ELSE entry_ids END) j "
	    "WHERE j.value = ?2) ORDER BY id",
	/* Routed to channel ?2 (of kind ?3): routed when every account
	 * of it has a channel now, and processed again */
	[STMT_REROUTE_SET] =
	    "UPDATE webhook_event SET channel_id = coalesce(channel_id, ?2), "
	    "routing = CASE WHEN NOT EXISTS (SELECT 1 FROM json_each(CASE WHEN "
	    "object = 'whatsapp_business_account' THEN phone_number_ids ELSE "
	    "entry_ids END) j WHERE NOT EXISTS (SELECT 1 FROM channel c WHERE "
	    "c.kind = ?3 AND c.meta_id = j.value)) THEN 'routed' ELSE 'partial' END, "
	    "state = CASE WHEN state IN ('processed', 'failed', 'dead_letter') "
	    "THEN 'pending' ELSE state END, next_attempt_ms = NULL "
	    "WHERE id = ?1",
	/* The channel's last event: the newest routed to it (?2) */
	[STMT_REROUTE_LAST] =
	    "UPDATE channel SET last_event_at = max(coalesce(last_event_at, 0), "
	    "(SELECT received_ms / 1000 FROM webhook_event WHERE id = ?2)) "
	    "WHERE id = ?1",
	/* Connecting accounts (db_oauth.c). */
	[STMT_OAUTH_NONCE_PRUNE] =
	    "DELETE FROM oauth_nonce WHERE expires_at < ?1",
	[STMT_OAUTH_NONCE_ADD] =
	    "INSERT INTO oauth_nonce (nonce, expires_at) VALUES (?1, ?2) "
	    "ON CONFLICT (nonce) DO NOTHING RETURNING nonce",
	[STMT_META_LOGIN_PUT] =
	    "INSERT INTO meta_login (workspace_id, platform, meta_user_id, "
	    "name, token_sealed, token_expires_at, data_access_expires_at, "
	    "scopes, declined, status, created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'valid', ?10, ?10) "
	    "ON CONFLICT (workspace_id, platform, meta_user_id) DO UPDATE SET "
	    "name = excluded.name, token_sealed = excluded.token_sealed, "
	    "token_expires_at = excluded.token_expires_at, "
	    "data_access_expires_at = excluded.data_access_expires_at, "
	    "scopes = excluded.scopes, declined = excluded.declined, "
	    "status = 'valid', updated_at = excluded.updated_at RETURNING id",
	[STMT_OAUTH_PICK_PRUNE] =
	    "DELETE FROM oauth_pick WHERE expires_at < ?1",
	[STMT_OAUTH_PICK_ADD] =
	    "INSERT INTO oauth_pick (id, session_id, user_id, workspace_id, "
	    "meta_login_id, payload, expires_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[STMT_OAUTH_PICK_TAKE] =
	    "DELETE FROM oauth_pick WHERE id = ?1 AND session_id = ?2 "
	    "AND expires_at >= ?3 RETURNING workspace_id, meta_login_id, payload",
	/* A channel of another workspace is left as it is: no row. */
	[STMT_CHANNEL_LOGIN] =
	    "INSERT INTO channel (workspace_id, kind, meta_id, parent_meta_id, "
	    "name, token_sealed, token_status, token_expires_at, "
	    "subscribed_fields, meta_login_id, token_kind, created_at, "
	    "updated_at, human_agent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'valid', "
	    "?7, ?8, ?9, ?10, ?11, ?11, 0) ON CONFLICT (kind, meta_id) DO UPDATE SET "
	    "parent_meta_id = excluded.parent_meta_id, name = excluded.name, "
	    "token_sealed = excluded.token_sealed, token_status = 'valid', "
	    "token_expires_at = excluded.token_expires_at, "
	    "subscribed_fields = excluded.subscribed_fields, "
	    "meta_login_id = excluded.meta_login_id, "
	    "token_kind = excluded.token_kind, updated_at = excluded.updated_at "
	    "WHERE channel.workspace_id = excluded.workspace_id RETURNING id",
	[STMT_OAUTH_CHANNELS_REVOKE] =
	    "UPDATE channel SET token_status = 'revoked', token_sealed = NULL, "
	    "updated_at = ?2 WHERE meta_login_id IN (SELECT id FROM meta_login "
	    "WHERE meta_user_id = ?1 AND platform = ?3)",
	[STMT_OAUTH_LOGINS_REVOKE] =
	    "UPDATE meta_login SET status = 'revoked', token_sealed = NULL, "
	    "updated_at = ?2 WHERE meta_user_id = ?1 AND platform = ?3",
	[STMT_ERASE_CHANNEL_TOKENS] =
	    "UPDATE channel SET token_status = 'revoked', token_sealed = NULL, "
	    "meta_login_id = NULL, updated_at = ?2 WHERE meta_login_id IN "
	    "(SELECT id FROM meta_login WHERE meta_user_id = ?1)",
	[STMT_ERASE_LOGINS] =
	    "DELETE FROM meta_login WHERE meta_user_id = ?1",
	[STMT_ERASE_MESSAGES] =
	    "DELETE FROM message WHERE conversation_id IN (SELECT id FROM "
	    "conversation WHERE contact_id IN (SELECT id FROM contact WHERE "
	    "meta_user_id = ?1 AND (?2 = 0 OR channel_id = ?2)))",
	[STMT_ERASE_CONVERSATIONS] =
	    "DELETE FROM conversation WHERE contact_id IN (SELECT id FROM "
	    "contact WHERE meta_user_id = ?1 AND (?2 = 0 OR channel_id = ?2))",
	[STMT_ERASE_CONTACTS] =
	    "DELETE FROM contact WHERE meta_user_id = ?1 "
	    "AND (?2 = 0 OR channel_id = ?2)",
	/* The ids in (?1, ?2] whose body names ?3 (the id as a JSON
	 * string, quotes included), at most ?4 of them, routed to channel
	 * ?5 (first, or among the others) when not 0: one short read. */
	[STMT_ERASE_SCAN] =
	    "SELECT id FROM webhook_event WHERE id > ?1 AND id <= ?2 "
	    "AND instr(body, ?3) > 0 AND (?5 = 0 OR channel_id = ?5 OR "
	    "EXISTS (SELECT 1 FROM webhook_event_channel c WHERE "
	    "c.event_id = webhook_event.id AND c.channel_id = ?5)) "
	    "ORDER BY id LIMIT ?4",
	[STMT_ERASE_MAX_ID] =
	    "SELECT coalesce(max(id), 0) FROM webhook_event",
	[STMT_ERASE_EVENT_GET] =
	    "SELECT body, state FROM webhook_event WHERE id = ?1",
	/* A worker's claimed event is left to it. */
	[STMT_ERASE_EVENT_PUT] =
	    "UPDATE webhook_event SET body = ?2 WHERE id = ?1 "
	    "AND state <> 'processing'",
	[STMT_DELETION_CLAIM] =
	    "INSERT INTO deletion_request (code, at, summary, request_sha256, "
	    "state) VALUES (?1, ?2, '', ?3, 'running') "
	    "ON CONFLICT (request_sha256) DO NOTHING RETURNING code",
	[STMT_DELETION_BY_REQUEST] =
	    "SELECT code FROM deletion_request WHERE request_sha256 = ?1",
	[STMT_DELETION_DONE] =
	    "UPDATE deletion_request SET summary = ?2, state = 'done', at = ?3 "
	    "WHERE code = ?1",
	[STMT_DELETION_FIND] =
	    "SELECT at, summary, state = 'done' FROM deletion_request "
	    "WHERE code = ?1",
	[STMT_CONTACT_GET] =
	    "SELECT c.id, c.channel_id, c.workspace_id, c.meta_user_id, c.name "
	    "FROM contact c WHERE c.id = ?1 AND (?2 = 0 OR c.workspace_id = ?2)",
	/* Everything about contact ?1 (of workspace ?2, 0: any) as one
	 * JSON object: times in UTC, messages in the order they were
	 * written. */
	[STMT_CONTACT_EXPORT] =
	    "SELECT json_object("
	    "'contact', json_object('id', c.id, 'meta_user_id', c.meta_user_id, "
	    "'name', c.name, 'first_seen_at', strftime('%Y-%m-%dT%H:%M:%SZ', "
	    "c.first_seen_at, 'unixepoch'), 'last_seen_at', "
	    "strftime('%Y-%m-%dT%H:%M:%SZ', c.last_seen_at, 'unixepoch')), "
	    "'channel', json_object('id', ch.id, 'kind', ch.kind, 'meta_id', "
	    "ch.meta_id, 'name', ch.name), "
	    "'conversations', (SELECT json_group_array(json_object('id', v.id, "
	    "'status', v.status, 'created_at', strftime('%Y-%m-%dT%H:%M:%SZ', "
	    "v.created_at, 'unixepoch'), 'messages', (SELECT "
	    "json_group_array(json_object('id', m.id, 'direction', m.direction, "
	    "'kind', m.kind, 'text', m.text, 'attachments', "
	    "json(m.attachments), 'payload', m.payload, 'reply_to', m.reply_to, "
	    "'status', m.status, 'sent_at', strftime('%Y-%m-%dT%H:%M:%fZ', "
	    "m.sent_ms / 1000.0, 'unixepoch'), 'meta_message_id', "
	    "m.meta_message_id)) FROM (SELECT * FROM message WHERE "
	    "conversation_id = v.id ORDER BY sent_ms, id) m))) "
	    "FROM conversation v WHERE v.contact_id = c.id)) "
	    "FROM contact c JOIN channel ch ON ch.id = c.channel_id "
	    "WHERE c.id = ?1 AND (?2 = 0 OR c.workspace_id = ?2)",
	[STMT_CONTACT_IDS] =
	    "SELECT id FROM contact WHERE meta_user_id = ?1 ORDER BY id",
	/* The outbound queue (db_outbox.c).  A conversation of the
	 * workspace, with what sending in it needs */
	[STMT_CONV_INFO] =
	    "SELECT v.id, v.workspace_id, v.channel_id, c.kind, c.meta_id, "
	    "k.meta_user_id, c.human_agent, coalesce(c.send_rate, 0), "
	    "coalesce(v.last_inbound_ms, 0) FROM conversation v "
	    "JOIN channel c ON c.id = v.channel_id "
	    "JOIN contact k ON k.id = v.contact_id "
	    "WHERE v.id = ?2 AND v.workspace_id = ?1",
	[STMT_OUTBOX_MESSAGE] =
	    "INSERT INTO message (conversation_id, channel_id, direction, kind, "
	    "text, status, sent_ms, created_ms, attachments, reply_to) VALUES "
	    "(?1, ?2, 'out', ?3, ?4, 'queued', ?5, ?5, ?6, ?7)",
	[STMT_OUTBOX_INSERT] =
	    "INSERT INTO outbox (workspace_id, channel_id, conversation_id, "
	    "message_id, kind, body, tag, author_kind, author_id, state, "
	    "next_attempt_ms, idempotency_key, created_ms, updated_ms) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'queued', ?10, ?11, ?10, ?10)",
	[STMT_OUTBOX_BY_KEY] =
	    "SELECT id, state FROM outbox WHERE workspace_id = ?1 AND "
	    "idempotency_key = ?2",
	/* Claims whose holder stopped: logged, then unknown */
	[STMT_OUTBOX_LAPSED_LOG] =
	    "INSERT OR IGNORE INTO outbox_attempt (outbox_id, attempt, at_ms, "
	    "class, message) SELECT id, attempts, ?1, 'unknown', 'the sender "
	    "stopped before Meta answered' FROM outbox WHERE state = 'sending' "
	    "AND lease_expires_ms <= ?1",
	[STMT_OUTBOX_LAPSED] =
	    "UPDATE outbox SET state = 'unknown', next_attempt_ms = ?1 + ?2, "
	    "lease_token = NULL, lease_expires_ms = NULL, updated_ms = ?1 "
	    "WHERE state = 'sending' AND lease_expires_ms <= ?1",
	/* An unknown outcome past its grace is sent again once (the
	 * worker asks Meta first where it can) */
	[STMT_OUTBOX_UNKNOWN_DUE] =
	    "UPDATE outbox SET state = 'queued', resends = resends + 1, "
	    "updated_ms = ?1 WHERE state = 'unknown' AND next_attempt_ms <= ?1 "
	    "AND resends < ?2",
	[STMT_OUTBOX_TAKE] =
	    "UPDATE outbox SET state = 'sending', lease_token = ?2, "
	    "lease_expires_ms = ?3, attempts = attempts + 1, updated_ms = ?4, "
	    "claimed_ms = CASE WHEN resends > 0 AND claimed_ms IS NOT NULL "
	    "THEN claimed_ms ELSE ?4 END WHERE id = ?1 AND state = 'queued'",
	/* When the worker has something to do: a send the candidate
	 * statement could take (a paused channel's, or one waiting behind
	 * an older send of its conversation, is not), or an unknown
	 * outcome's grace ending */
	[STMT_OUTBOX_NEXT_DUE] =
	    "SELECT min(t) FROM (SELECT o.next_attempt_ms AS t FROM outbox o "
	    "JOIN channel c ON c.id = o.channel_id WHERE o.state = 'queued' "
	    "AND c.token_status IN ('valid', 'expiring') "
	    "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE "
	    "p.conversation_id = o.conversation_id AND p.id < o.id AND "
	    "p.state IN ('queued', 'sending', 'unknown')) "
	    "UNION ALL SELECT next_attempt_ms FROM outbox "
	    "WHERE state = 'unknown')",
	[STMT_OUTBOX_ATTEMPT] =
	    "INSERT OR REPLACE INTO outbox_attempt (outbox_id, attempt, at_ms, "
	    "class, http_status, code, subcode, fbtrace_id, message) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	/* Meta took it: whoever holds it; a state further on stays */
	[STMT_OUTBOX_SENT] =
	    "UPDATE outbox SET state = CASE WHEN state IN ('queued', 'sending', "
	    "'unknown', 'failed', 'dead_letter') THEN 'sent' ELSE state END, "
	    "meta_message_id = coalesce(meta_message_id, ?2), "
	    "sent_ms = coalesce(sent_ms, ?3), lease_token = NULL, "
	    "lease_expires_ms = NULL, error_code = NULL, error = NULL, "
	    "updated_ms = ?3 WHERE id = ?1 RETURNING message_id",
	[STMT_OUTBOX_MSG_SENT] =
	    "UPDATE OR IGNORE message SET meta_message_id = "
	    "coalesce(meta_message_id, ?2), status = CASE WHEN status IN "
	    "('queued', 'failed') THEN 'sent' ELSE status END, error_code = NULL, "
	    "error = NULL WHERE id = ?1",
	[STMT_OUTBOX_REQUEUE] =
	    "UPDATE outbox SET state = ?3, next_attempt_ms = ?4, "
	    "attempts = attempts - (1 - ?5), lease_token = NULL, "
	    "lease_expires_ms = NULL, error_code = coalesce(?6, error_code), "
	    "error = coalesce(?7, error), updated_ms = ?8 "
	    "WHERE id = ?1 AND lease_token = ?2 AND state = 'sending'",
	[STMT_OUTBOX_FAIL] =
	    "UPDATE outbox SET state = ?3, lease_token = NULL, "
	    "lease_expires_ms = NULL, error_code = ?4, error = ?5, "
	    "updated_ms = ?6 WHERE id = ?1 AND lease_token = ?2 AND "
	    "state = 'sending' RETURNING message_id",
	[STMT_OUTBOX_MSG_FAIL] =
	    "UPDATE message SET status = 'failed', error_code = ?2, error = ?3 "
	    "WHERE id = ?1 AND status = 'queued'",
	[STMT_OUTBOX_TOKEN_INVALID] =
	    "UPDATE channel SET token_status = 'invalid', updated_at = ?2 "
	    "WHERE id = ?1 AND token_status <> 'revoked'",
	/* An echo or status carrying our id: that channel's send only */
	[STMT_OUTBOX_RECONCILE] =
	    "UPDATE outbox SET state = CASE WHEN state IN ('queued', 'sending', "
	    "'unknown', 'failed', 'dead_letter') THEN 'sent' ELSE state END, "
	    "meta_message_id = coalesce(meta_message_id, ?3), "
	    "sent_ms = coalesce(sent_ms, ?4), lease_token = CASE WHEN state = "
	    "'sending' THEN lease_token ELSE NULL END, updated_ms = ?4 "
	    "WHERE id = ?1 AND channel_id = ?2 RETURNING message_id",
	/* The inbox: newest activity first, after the cursor */
	[STMT_CONV_LIST] =
	    "SELECT v.id, v.channel_id, v.contact_id, c.kind, k.name, v.status, "
	    "c.human_agent, coalesce(v.last_inbound_ms, 0), "
	    "coalesce(v.last_message_ms, 0), v.unread, "
	    "coalesce(v.assigned_user_id, 0), coalesce(v.assigned_group_id, 0) "
	    "FROM conversation v JOIN channel c ON c.id = v.channel_id "
	    "JOIN contact k ON k.id = v.contact_id "
	    "WHERE v.workspace_id = ?1 AND (?2 IS NULL OR v.status = ?2) "
	    "AND (?3 = 0 OR v.channel_id = ?3) "
	    "AND (?4 < 0 OR coalesce(v.assigned_user_id, 0) = ?4) "
	    "AND (?5 = 0 OR v.unread > 0) "
	    /* Names: the workspace's contacts; texts: the trigram
	     * index (3 characters or more), never a scan of them. */
	    "AND (?6 IS NULL OR instr(lower(k.name), lower(?6)) > 0 OR "
	    "(length(?6) >= 3 AND v.id IN (SELECT m.conversation_id FROM "
	    "message_fts f JOIN message m ON m.id = f.rowid WHERE "
	    "message_fts MATCH '\"' || replace(?6, '\"', '\"\"') || '\"'))) "
	    "AND (?7 = 0 OR coalesce(v.last_message_ms, 0) < ?7 OR "
	    "(coalesce(v.last_message_ms, 0) = ?7 AND v.id < ?8)) "
	    "AND (?10 = 0 OR coalesce(v.last_message_ms, 0) >= ?10) "
	    /* A group's; the unassigned ones of a person's groups. */
	    "AND (?11 = 0 OR v.assigned_group_id = ?11) "
	    "AND (?12 = 0 OR (v.assigned_user_id IS NULL AND "
	    "v.assigned_group_id IN (SELECT group_id FROM person_group_member "
	    "WHERE user_id = ?12))) "
	    "ORDER BY coalesce(v.last_message_ms, 0) DESC, v.id DESC LIMIT ?9",
	/* The rows after the cursor; a reaction or an unsend stands for
	 * the message it refers to when that came before the cursor (the
	 * client has it: it is listed again, changed), else for nothing
	 * (m.id NULL: the cursor moves on).  Each message with the one
	 * it answers and the latest reaction of each side. */
	[STMT_MSG_LIST] =
	    "SELECT m.id, m.sent_ms, m.direction, m.kind, m.text, m.status, "
	    "m.error, m.attachments, m.payload, m.reply_to, "
	    "coalesce(o.id, 0), o.state, r.sent_ms, r.id, q.id, q.text, "
	    "(SELECT json_group_array(json_object('emoji', x.text, "
	    "'direction', x.direction)) FROM message x "
	    "WHERE x.channel_id = m.channel_id AND x.reply_to = "
	    "m.meta_message_id AND x.kind = 'reaction' AND x.text <> '' AND "
	    "x.id = (SELECT max(y.id) FROM message y WHERE y.channel_id = "
	    "x.channel_id AND y.reply_to = x.reply_to AND y.kind = 'reaction' "
	    "AND y.direction = x.direction)), m.unsent_ms, "
	    "CASE WHEN m.kind = 'location' THEN m.raw END, o.error "
	    "FROM (SELECT id, sent_ms, kind, channel_id, reply_to FROM message "
	    "WHERE conversation_id = ?1 AND (sent_ms > ?2 OR "
	    "(sent_ms = ?2 AND id > ?3)) ORDER BY sent_ms, id LIMIT ?4) r "
	    "LEFT JOIN message m ON m.id = CASE WHEN r.kind IN ('reaction', "
	    "'unsend') THEN (SELECT t.id FROM message t WHERE t.channel_id = "
	    "r.channel_id AND t.meta_message_id = r.reply_to AND "
	    "(t.sent_ms < ?2 OR (t.sent_ms = ?2 AND t.id <= ?3))) ELSE r.id END "
	    "LEFT JOIN outbox o ON o.message_id = m.id "
	    "LEFT JOIN message q ON q.channel_id = m.channel_id AND "
	    "q.meta_message_id = m.reply_to "
	    "ORDER BY r.sent_ms, r.id",
	/* A token set by hand (hubgate-admin channel-token) */
	[STMT_CHANNEL_SET_TOKEN] =
	    "UPDATE channel SET token_sealed = ?3, token_status = 'valid', "
	    "token_kind = ?4, updated_at = ?5 WHERE kind = ?1 AND meta_id = ?2",
	/* The inbox's actions: the workspace's conversation only; an
	 * assignee must be a member of the workspace */
	[STMT_CONV_ASSIGN] =
	    "UPDATE conversation SET assigned_user_id = ?3 "
	    "WHERE id = ?2 AND workspace_id = ?1 AND (?3 IS NULL OR EXISTS "
	    "(SELECT 1 FROM membership WHERE workspace_id = ?1 AND user_id = ?3)) "
	    "RETURNING status, coalesce(assigned_user_id, 0), unread",
	[STMT_CONV_STATUS] =
	    "UPDATE conversation SET status = ?3 WHERE id = ?2 AND workspace_id = ?1 "
	    "RETURNING status, coalesce(assigned_user_id, 0), unread",
	[STMT_CONV_READ] =
	    "UPDATE conversation SET unread = 0 WHERE id = ?2 AND workspace_id = ?1 "
	    "RETURNING status, coalesce(assigned_user_id, 0), unread",
	/* A channel's actions, always within its workspace. */
	[STMT_CHANNEL_GET] =
	    "SELECT kind, meta_id, coalesce(parent_meta_id, ''), name, "
	    "token_sealed, token_status, token_kind FROM channel "
	    "WHERE id = ?1 AND workspace_id = ?2",
	[STMT_CHANNEL_RENAME] =
	    "UPDATE channel SET name = ?3, updated_at = ?4 "
	    "WHERE id = ?1 AND workspace_id = ?2",
	[STMT_CHANNEL_FIELDS] =
	    "UPDATE channel SET subscribed_fields = ?3, updated_at = ?4 "
	    "WHERE id = ?1 AND workspace_id = ?2",
	/* The token erased; the row, its conversations, messages and
	 * events stay. */
	[STMT_CHANNEL_DISCONNECT] =
	    "UPDATE channel SET token_sealed = NULL, token_status = 'revoked', "
	    "token_kind = 'none', token_expires_at = NULL, "
	    "subscribed_fields = '', meta_login_id = NULL, updated_at = ?3 "
	    "WHERE id = ?1 AND workspace_id = ?2",	/* Inbound media (db_media.c): a row per fetchable attachment of
	 * a new message (?1 the message, ?2 its attachments, ?3 now,
	 * ?4 its conversation) */
	[STMT_MEDIA_FROM_MESSAGE] =
	    "INSERT INTO media (workspace_id, channel_id, message_id, position, "
	    "source, source_kind, type, name, next_attempt_ms, created_ms) "
	    "SELECT v.workspace_id, v.channel_id, ?1, j.key, "
	    "coalesce(json_extract(j.value, '$.url'), "
	    "json_extract(j.value, '$.id')), CASE WHEN "
	    "json_extract(j.value, '$.url') IS NOT NULL THEN 'url' ELSE "
	    "'wa_id' END, json_extract(j.value, '$.type'), "
	    "json_extract(j.value, '$.name'), ?3, ?3 FROM conversation v, "
	    "json_each(CASE WHEN json_valid(?2) AND json_type(?2) = 'array' "
	    "THEN ?2 ELSE '[]' END) j WHERE v.id = ?4 AND "
	    "json_type(j.value) = 'object' AND "
	    "json_extract(j.value, '$.type') IN ('image', 'video', 'audio', "
	    "'file', 'document', 'sticker') AND coalesce(json_type(j.value, "
	    "'$.url'), json_type(j.value, '$.id')) = 'text'",
	[STMT_MEDIA_CANDIDATE] =
	    "SELECT m.id, m.channel_id, m.source, m.source_kind, m.type, "
	    "m.attempts, c.kind, c.meta_id, c.token_sealed FROM media m "
	    "JOIN channel c ON c.id = m.channel_id WHERE m.state = 'pending' "
	    "AND m.next_attempt_ms <= ?1 ORDER BY m.next_attempt_ms, m.id "
	    "LIMIT 1",
	[STMT_MEDIA_TAKE] =
	    "UPDATE media SET attempts = attempts + 1, next_attempt_ms = ?2 "
	    "WHERE id = ?1 AND state = 'pending'",
	[STMT_MEDIA_READY] =
	    "UPDATE media SET state = 'ready', content_type = ?2, size = ?3, "
	    "sha256 = ?4, fetched_ms = ?5, reason = NULL WHERE id = ?1",
	[STMT_MEDIA_RETRY] =
	    "UPDATE media SET next_attempt_ms = ?2, reason = ?3 "
	    "WHERE id = ?1 AND state = 'pending'",
	[STMT_MEDIA_GIVE_UP] =
	    "UPDATE media SET state = 'unavailable', reason = ?2 WHERE id = ?1",
	[STMT_MEDIA_NEXT_DUE] =
	    "SELECT min(next_attempt_ms) FROM media WHERE state = 'pending'",
	[STMT_MEDIA_EXPIRED] =
	    "SELECT id FROM media WHERE state = 'ready' AND fetched_ms < ?1 "
	    "ORDER BY fetched_ms LIMIT ?2",
	[STMT_MEDIA_EXPIRE] =
	    "UPDATE media SET state = 'unavailable', reason = 'expired' "
	    "WHERE id = ?1 AND state = 'ready'",
	/* The API: a workspace's item only */
	[STMT_MEDIA_GET] =
	    "SELECT state, type, coalesce(content_type, ''), coalesce(size, 0), "
	    "coalesce(name, ''), coalesce(reason, '') FROM media "
	    "WHERE id = ?1 AND workspace_id = ?2",
	[STMT_CHANNEL_WORKSPACE] =
	    "SELECT workspace_id FROM channel WHERE id = ?1",
	[STMT_WORKSPACE_EXISTS] =
	    "SELECT count(*) FROM workspace WHERE id = ?1",
	/* The channel and what hangs on it: its contacts, conversations
	 * (nobody of the new workspace is assigned yet) and sends (a
	 * client's idempotency keys belong to the old workspace).  The
	 * event summaries follow by trigger. */
	[STMT_CHANNEL_MOVE] =
	    "UPDATE channel SET workspace_id = ?2, updated_at = ?3 "
	    "WHERE id = ?1",
	[STMT_CHANNEL_MOVE_CONTACTS] =
	    "UPDATE contact SET workspace_id = ?2 WHERE channel_id = ?1",
	[STMT_CHANNEL_MOVE_CONVERSATIONS] =
	    "UPDATE conversation SET workspace_id = ?2, assigned_user_id = NULL "
	    "WHERE channel_id = ?1",
	[STMT_CHANNEL_MOVE_OUTBOX] =
	    "UPDATE outbox SET workspace_id = ?2, idempotency_key = NULL "
	    "WHERE channel_id = ?1",
	[STMT_CHANNEL_MOVE_MEDIA] =
	    "UPDATE media SET workspace_id = ?2 WHERE channel_id = ?1",
	/* A disconnected channel's conversations, when asked to delete
	 * them. */
	[STMT_CHANNEL_FORGET_MESSAGES] =
	    "DELETE FROM message WHERE channel_id = ?1",
	[STMT_CHANNEL_FORGET_CONVERSATIONS] =
	    "DELETE FROM conversation WHERE channel_id = ?1",
	[STMT_CHANNEL_FORGET_CONTACTS] =
	    "DELETE FROM contact WHERE channel_id = ?1",
	/* The send API (db_outbox.c).  A message one may react to: Meta's
	 * own id (a derived key has a colon), not a reaction */
	[STMT_OUTBOX_MSG_MID] =
	    "SELECT meta_message_id FROM message WHERE id = ?2 AND "
	    "conversation_id = ?1 AND kind <> 'reaction' AND "
	    "meta_message_id IS NOT NULL AND instr(meta_message_id, ':') = 0",
	[STMT_OUTBOX_READ_INFO] =
	    "SELECT c.mark_read, v.unread, coalesce((SELECT m.meta_message_id "
	    "FROM message m WHERE m.conversation_id = v.id AND "
	    "m.direction = 'in' AND m.kind <> 'reaction' AND "
	    "instr(m.meta_message_id, ':') = 0 "
	    "ORDER BY m.sent_ms DESC, m.id DESC LIMIT 1), '') "
	    "FROM conversation v JOIN channel c ON c.id = v.channel_id "
	    "WHERE v.id = ?1",
	/* The workspace's sends, newest first, after the cursor */
	[STMT_OUTBOX_LIST] =
	    "SELECT id, channel_id, conversation_id, kind, state, attempts, "
	    "error, error_code, created_ms, sent_ms, author_kind, "
	    "coalesce(message_id, 0), tag, meta_message_id, next_attempt_ms, "
	    "updated_ms FROM outbox WHERE workspace_id = ?1 AND "
	    "(?2 IS NULL OR state = ?2) AND (?3 = 0 OR channel_id = ?3) AND "
	    "(?4 = 0 OR conversation_id = ?4) AND (?5 = 0 OR id < ?5) AND "
	    "(?7 = 0 OR id = ?7) ORDER BY id DESC LIMIT ?6",
	[STMT_OUTBOX_ATTEMPTS] =
	    "SELECT attempt, at_ms, class, http_status, code, subcode, "
	    "fbtrace_id, message FROM outbox_attempt WHERE outbox_id = ?1 "
	    "ORDER BY attempt",
	/* A person's retry: one more attempt, due now */
	[STMT_OUTBOX_RETRY] =
	    "UPDATE outbox SET state = 'queued', next_attempt_ms = ?3, "
	    "error_code = NULL, error = NULL, updated_ms = ?3, attempts = 0, "
	    "resends = 0, claimed_ms = NULL "
	    "WHERE id = ?2 AND workspace_id = ?1 AND "
	    "state IN ('failed', 'dead_letter') RETURNING coalesce(message_id, 0)",
	[STMT_OUTBOX_RETRY_MSG] =
	    "UPDATE message SET status = 'queued', error_code = NULL, "
	    "error = NULL WHERE id = ?1 AND status = 'failed'",
	/* A disconnected channel: what it still had to send fails */
	[STMT_OUTBOX_GONE_MSG] =
	    "UPDATE message SET status = 'failed', error = ?2 "
	    "WHERE status = 'queued' AND id IN (SELECT message_id FROM outbox "
	    "WHERE channel_id = ?1 AND state IN ('queued', 'unknown') AND "
	    "message_id IS NOT NULL)",
	[STMT_OUTBOX_GONE] =
	    "UPDATE outbox SET state = 'failed', error = ?2, error_code = NULL, "
	    "lease_token = NULL, lease_expires_ms = NULL, updated_ms = ?3 "
	    "WHERE channel_id = ?1 AND state IN ('queued', 'unknown')",
	/* A channel's sending settings; -1 leaves one as it is, a rate
	 * of 0 is the platform's default */
	[STMT_CHANNEL_SEND_SET] =
	    "UPDATE channel SET human_agent = CASE WHEN ?3 < 0 THEN human_agent "
	    "ELSE ?3 END, send_rate = CASE WHEN ?4 < 0 THEN send_rate "
	    "WHEN ?4 = 0 THEN NULL ELSE ?4 END, mark_read = CASE WHEN ?5 < 0 "
	    "THEN mark_read ELSE ?5 END, updated_at = ?6 "
	    "WHERE id = ?1 AND workspace_id = ?2",
	/* Unsent messages and WhatsApp templates (db_thread.c). */
	[STMT_MESSAGE_UNSEND] =
	    "UPDATE message SET unsent_ms = coalesce(unsent_ms, ?3), text = CASE "
	    "WHEN coalesce((SELECT json_extract(w.retention, '$.keep_deleted_text') "
	    "FROM channel c JOIN workspace w ON w.id = c.workspace_id WHERE "
	    "c.id = ?1), 0) THEN text END "
	    "WHERE channel_id = ?1 AND meta_message_id = ?2",
	/* An unsent message's media: the rows go (their files follow,
	 * media_gone), and what Meta said of them. */
	[STMT_MESSAGE_UNSEND_MEDIA] =
	    "DELETE FROM media WHERE message_id IN (SELECT id FROM message "
	    "WHERE channel_id = ?1 AND meta_message_id = ?2)",
	[STMT_MESSAGE_UNSEND_ATTS] =
	    "UPDATE message SET attachments = NULL "
	    "WHERE channel_id = ?1 AND meta_message_id = ?2",
	/* A channel's messages since a time (reactions are not): only
	 * its conversations active since then, each counted on its
	 * index. */
	[STMT_CHANNEL_MESSAGES_SINCE] =
	    "SELECT count(*) FROM message m WHERE m.conversation_id IN "
	    "(SELECT id FROM conversation WHERE channel_id = ?1 AND "
	    "last_message_ms >= ?2) AND m.sent_ms >= ?2 AND m.kind <> 'reaction'",
	[STMT_TEMPLATE_FETCHED] =
	    "SELECT fetched_ms FROM wa_template_fetch WHERE channel_id = ?1",
	[STMT_TEMPLATE_CLEAR] =
	    "DELETE FROM wa_template WHERE channel_id = ?1",
	[STMT_TEMPLATE_PUT] =
	    "INSERT OR REPLACE INTO wa_template (channel_id, name, language, "
	    "status, category, components, params) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[STMT_TEMPLATE_STAMP] =
	    "INSERT INTO wa_template_fetch (channel_id, fetched_ms) "
	    "VALUES (?1, ?2) ON CONFLICT (channel_id) DO UPDATE SET "
	    "fetched_ms = excluded.fetched_ms",
	[STMT_TEMPLATE_LIST] =
	    "SELECT name, language, status, category, components, params "
	    "FROM wa_template WHERE channel_id = ?1 ORDER BY name, language",
	[STMT_TEMPLATE_FIND] =
	    "SELECT status, params FROM wa_template "
	    "WHERE channel_id = ?1 AND name = ?2 AND language = ?3",
	[STMT_TEMPLATE_COMPONENTS] =
	    "SELECT components FROM wa_template "
	    "WHERE channel_id = ?1 AND name = ?2 AND language = ?3",
	[STMT_MEDIA_OF_MESSAGE] =
	    "SELECT id, position, state, content_type FROM media "
	    "WHERE message_id = ?1 ORDER BY position",
	[STMT_MEDIA_PICTURE] =
	    "SELECT m.id FROM contact k JOIN media m ON m.id = "
	    "k.picture_media_id WHERE k.id = ?1 AND m.state = 'ready'",
	[STMT_MEDIA_IS_READY] =
	    "SELECT count(*) FROM media WHERE id = ?1 AND state = 'ready'",
	/* Contact profiles: Messenger and Instagram contacts (WhatsApp's
	 * have NULL) never fetched (0) or last tried before ?1, by the
	 * index on the time */
	[STMT_PROFILE_CANDIDATE] =
	    "SELECT k.id, k.workspace_id, k.channel_id, k.meta_user_id, c.kind, "
	    "c.meta_id, c.token_kind, c.token_sealed FROM contact k "
	    "JOIN channel c ON c.id = k.channel_id WHERE "
	    "k.profile_fetched_ms < ?1 AND c.kind IN ('page', 'instagram') AND "
	    "c.token_status IN ('valid', 'expiring') "
	    "ORDER BY k.profile_fetched_ms LIMIT 1",
	[STMT_PROFILE_TAKE] =
	    "UPDATE contact SET profile_fetched_ms = ?2 WHERE id = ?1",
	[STMT_PROFILE_PICTURE_ADD] =
	    "INSERT INTO media (workspace_id, channel_id, contact_id, source, "
	    "source_kind, type, next_attempt_ms, created_ms) VALUES "
	    "(?1, ?2, ?3, ?4, 'url', 'image', ?5, ?5)",
	[STMT_PROFILE_SET] =
	    "UPDATE contact SET name = CASE WHEN ?2 IS NULL OR ?2 = '' THEN "
	    "name ELSE ?2 END, picture_media_id = coalesce(?3, "
	    "picture_media_id), profile_error = ?4, profile_fetched_ms = ?5 "
	    "WHERE id = ?1",
	/* Files of deleted items, to remove */
	[STMT_MEDIA_GONE_LIST] =
	    "SELECT id FROM media_gone ORDER BY id LIMIT ?1",
	[STMT_MEDIA_GONE_DROP] =
	    "DELETE FROM media_gone WHERE id = ?1",
	/* Token and subscription checks (db_token.c). */
	[STMT_TOKEN_SEED_CHANNELS] =
	    "INSERT INTO token_check (subject, subject_id, workspace_id) "
	    "SELECT 'channel', id, workspace_id FROM channel "
	    "WHERE token_sealed IS NOT NULL ON CONFLICT DO NOTHING",
	[STMT_TOKEN_SEED_LOGINS] =
	    "INSERT INTO token_check (subject, subject_id, workspace_id) "
	    "SELECT 'login', id, workspace_id FROM meta_login "
	    "WHERE token_sealed IS NOT NULL AND platform = 'facebook' "
	    "AND status = 'valid' ON CONFLICT DO NOTHING",
	[STMT_TOKEN_DUE] =
	    "SELECT t.subject, t.subject_id, "
	    "coalesce(c.workspace_id, m.workspace_id, t.workspace_id), "
	    "CASE WHEN t.subject = 'channel' THEN c.kind ELSE m.platform END, "
	    "coalesce(c.meta_id, m.meta_user_id), "
	    "coalesce(c.parent_meta_id, ''), "
	    "CASE WHEN t.subject = 'channel' THEN c.token_kind ELSE 'user' END, "
	    "coalesce(c.token_status, m.status), "
	    "coalesce(c.token_expires_at, m.token_expires_at, 0), "
	    "coalesce(c.meta_login_id, 0), coalesce(c.last_event_at, 0), "
	    "coalesce(c.token_sealed, m.token_sealed), t.issued_at, "
	    "coalesce(t.checked_at, 0), t.failures, coalesce(cl.platform, ''), "
	    "coalesce(cl.meta_user_id, '') "
	    "FROM token_check t "
	    "LEFT JOIN channel c ON t.subject = 'channel' AND c.id = t.subject_id "
	    "LEFT JOIN meta_login m ON t.subject = 'login' AND m.id = t.subject_id "
	    "LEFT JOIN meta_login cl ON cl.id = c.meta_login_id "
	    "WHERE ((?2 = 0 AND t.next_check_at <= ?1) OR "
	    "(t.subject = 'channel' AND t.subject_id = ?2)) "
	    "AND coalesce(c.token_sealed, m.token_sealed) IS NOT NULL "
	    "ORDER BY t.subject DESC, t.next_check_at, t.subject_id "
	    "LIMIT ?3 OFFSET ?4",
	[STMT_TOKEN_FACTS_SET] =
	    "UPDATE token_check SET next_check_at = ?3, "
	    "checked_at = CASE WHEN ?4 THEN ?13 ELSE checked_at END, "
	    "failures = CASE WHEN ?4 THEN 0 ELSE failures + 1 END, "
	    "code = CASE WHEN ?4 THEN ?5 ELSE code END, "
	    "subcode = CASE WHEN ?4 THEN ?6 ELSE subcode END, "
	    "expires_at = CASE WHEN ?4 THEN ?7 ELSE expires_at END, "
	    "data_access_expires_at = CASE WHEN ?4 THEN ?8 "
	    "ELSE data_access_expires_at END, "
	    "issued_at = CASE WHEN ?4 THEN ?9 ELSE issued_at END, "
	    "missing_scope = CASE WHEN ?4 THEN ?10 ELSE missing_scope END, "
	    "missing_fields = CASE WHEN ?4 THEN ?11 ELSE missing_fields END, "
	    "unreadable = ?12 "
	    "WHERE subject = ?1 AND subject_id = ?2",
	[STMT_TOKEN_DUE_NOW] =
	    "UPDATE token_check SET next_check_at = 0 "
	    "WHERE subject = ?1 AND subject_id = ?2",
	[STMT_TOKEN_LOG_ADD] =
	    "INSERT INTO token_log (at, subject, subject_id, workspace_id, what, "
	    "result, code, subcode, fbtrace_id, old_expires_at, new_expires_at, "
	    "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[STMT_TOKEN_CHANNEL_SET] =
	    "UPDATE channel SET token_sealed = ?2, token_status = 'valid', "
	    "token_expires_at = nullif(?3, 0), updated_at = ?4 WHERE id = ?1",
	[STMT_TOKEN_LOGIN_SET] =
	    "UPDATE meta_login SET token_sealed = ?2, "
	    "token_expires_at = nullif(?3, 0), updated_at = ?4 WHERE id = ?1",
	[STMT_TOKEN_FIELDS_SET] =
	    "UPDATE channel SET subscribed_fields = ?2, updated_at = ?3 "
	    "WHERE id = ?1",
	[STMT_TOKEN_LOGIN_CHANNELS] =
	    "SELECT id, kind, meta_id, coalesce(parent_meta_id, '') FROM channel "
	    "WHERE meta_login_id = ?1 AND token_kind = 'page' "
	    "AND token_sealed IS NOT NULL",
	[STMT_TOKEN_STATES] = DB_TOKEN_STATE_SQL
	    "WHERE (c.id IS NOT NULL OR m.id IS NOT NULL) "
	    "AND (?1 = 0 OR coalesce(c.workspace_id, m.workspace_id) = ?1) "
	    "ORDER BY t.subject, t.subject_id",
	[STMT_TOKEN_STATE_ONE] = DB_TOKEN_STATE_SQL
	    "WHERE t.subject = 'channel' AND t.subject_id = ?2 "
	    "AND c.id IS NOT NULL AND (?1 = 0 OR c.workspace_id = ?1)",
	[STMT_TOKEN_LEVEL_SET] =
	    "UPDATE token_check SET level_since = CASE WHEN level <> ?3 OR "
	    "level_since IS NULL THEN ?4 ELSE level_since END, level = ?3 "
	    "WHERE subject = ?1 AND subject_id = ?2",
	[STMT_TOKEN_ALERTED] =
	    "UPDATE token_check SET alerted_level = ?3, last_alert_at = ?4 "
	    "WHERE subject = ?1 AND subject_id = ?2",
	[STMT_TOKEN_TRAFFIC] =
	    "SELECT count(*), coalesce(max(gap), 0) FROM (SELECT received_ms - "
	    "lag(received_ms) OVER (ORDER BY id) AS gap FROM webhook_event "
	    "WHERE channel_id = ?1 AND id >= ?2)",
	[STMT_TOKEN_CHANNELS_EVENTS] =
	    "SELECT c.id, coalesce(c.last_event_at, 0) FROM token_check t "
	    "JOIN channel c ON c.id = t.subject_id WHERE t.subject = 'channel' "
	    "AND c.token_sealed IS NOT NULL",
	[STMT_TOKEN_SILENT_SET] =
	    "UPDATE token_check SET silent_since = CASE WHEN ?2 = 0 THEN NULL "
	    "ELSE coalesce(silent_since, ?2) END, "
	    "silent_limit_s = nullif(?3, 0) "
	    "WHERE subject = 'channel' AND subject_id = ?1",
	[STMT_TOKEN_LOG_PRUNE] =
	    "DELETE FROM token_log WHERE id IN (SELECT id FROM token_log "
	    "WHERE at < ?1 ORDER BY id LIMIT ?2)",
	[STMT_TOKEN_RESUME] =
	    "UPDATE channel SET token_status = 'valid', updated_at = ?2 "
	    "WHERE id = ?1 AND token_status = 'invalid'",
	/* The outbound worker: channels with a send due whose token is
	 * valid */
	[STMT_OUTBOX_DUE_CHANNELS] =
	    "SELECT c.id, c.kind, coalesce(c.send_rate, 0) FROM channel c "
	    "WHERE c.token_status IN ('valid', 'expiring') AND EXISTS "
	    "(SELECT 1 FROM outbox o WHERE o.channel_id = c.id AND "
	    "o.state = 'queued' AND o.next_attempt_ms <= ?1) "
	    "ORDER BY c.id <= ?3, c.id LIMIT ?2",
	/* A channel's due sends whose conversation has nothing older to
	 * send, oldest first */
	[STMT_OUTBOX_CANDIDATES_CH] =
	    "SELECT o.id, o.channel_id, o.conversation_id, o.attempts, o.kind, "
	    "c.kind, c.meta_id, k.meta_user_id, coalesce(o.tag, ''), "
	    "coalesce(c.send_rate, 0), o.body, c.token_sealed, c.token_kind, "
	    "o.resends, coalesce(o.claimed_ms, 0), "
	    "coalesce(v.last_inbound_ms, 0), c.human_agent FROM outbox o "
	    "JOIN channel c ON c.id = o.channel_id "
	    "JOIN conversation v ON v.id = o.conversation_id "
	    "JOIN contact k ON k.id = v.contact_id "
	    "WHERE o.channel_id = ?2 AND o.state = 'queued' "
	    "AND o.next_attempt_ms <= ?1 "
	    "AND c.token_status IN ('valid', 'expiring') "
	    "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE "
	    "p.conversation_id = o.conversation_id AND p.id < o.id AND "
	    "p.state IN ('queued', 'sending', 'unknown')) "
	    "ORDER BY o.next_attempt_ms, o.id LIMIT ?3",
	[STMT_OUTBOX_DEFER] =
	    "UPDATE outbox SET next_attempt_ms = ?2, updated_ms = ?3 "
	    "WHERE id = ?1 AND state = 'queued'",
	/* An unknown outcome already sent again: a dead letter, for
	 * people to check Meta's inbox */
	[STMT_OUTBOX_UNKNOWN_DEAD_MSG] =
	    "UPDATE message SET status = 'failed', error = ?3 WHERE id IN "
	    "(SELECT message_id FROM outbox WHERE state = 'unknown' AND "
	    "next_attempt_ms <= ?1 AND resends >= ?2) AND status = 'queued'",
	[STMT_OUTBOX_UNKNOWN_DEAD] =
	    "UPDATE outbox SET state = 'dead_letter', error = ?3, "
	    "updated_ms = ?1 WHERE state = 'unknown' AND next_attempt_ms <= ?1 "
	    "AND resends >= ?2",
	[STMT_BREAKER_SET] =
	    "INSERT INTO channel_breaker (channel_id, state, until_ms, "
	    "updated_ms) SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM "
	    "channel WHERE id = ?1) ON CONFLICT (channel_id) DO UPDATE SET "
	    "state = excluded.state, until_ms = excluded.until_ms, "
	    "updated_ms = excluded.updated_ms",
	/* A channel's sending: breaker, until, paused, queued */
	[STMT_CHANNEL_SENDING] =
	    "SELECT coalesce(b.state, 'closed'), coalesce(b.until_ms, 0), "
	    "c.token_status NOT IN ('valid', 'expiring'), (SELECT count(*) "
	    "FROM outbox o WHERE o.channel_id = c.id AND o.state IN "
	    "('queued', 'sending', 'unknown')) FROM channel c "
	    "LEFT JOIN channel_breaker b ON b.channel_id = c.id WHERE c.id = ?1",
	[STMT_OUTBOX_DEPTH] =
	    "SELECT state, count(*) FROM outbox GROUP BY state",
	[STMT_BREAKER_LIST] =
	    "SELECT c.id, coalesce(b.state, 'closed') FROM channel c "
	    "LEFT JOIN channel_breaker b ON b.channel_id = c.id "
	    "WHERE c.token_status <> 'none' OR b.state IS NOT NULL ORDER BY c.id",
	/* Meta's events in full (db_detail.c). */
	[STMT_DETAIL_MARK] =
	    "UPDATE message SET standby = max(standby, ?3), "
	    "author = coalesce(author, ?4) "
	    "WHERE channel_id = ?1 AND meta_message_id = ?2",
	[STMT_DETAIL_EDIT_ADD] =
	    "INSERT INTO message_edit (channel_id, meta_message_id, edited_ms, "
	    "num_edit, text, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT DO NOTHING",
	/* The original text joins the history when the first newer
	 * edit is known */
	[STMT_DETAIL_EDIT_ORIGINAL] =
	    "INSERT INTO message_edit (channel_id, meta_message_id, edited_ms, "
	    "num_edit, text, event_id) SELECT m.channel_id, m.meta_message_id, "
	    "m.sent_ms, 0, m.text, m.event_id FROM message m "
	    "WHERE m.channel_id = ?1 AND m.meta_message_id = ?2 "
	    "AND m.edited_ms IS NULL AND m.unsent_ms IS NULL AND EXISTS "
	    "(SELECT 1 FROM message_edit e WHERE e.channel_id = ?1 "
	    "AND e.meta_message_id = ?2 AND e.edited_ms > m.sent_ms) "
	    "ON CONFLICT DO NOTHING",
	[STMT_DETAIL_EDIT_SHOW] =
	    "UPDATE message SET (text, edited_ms) = (SELECT e.text, e.edited_ms "
	    "FROM message_edit e WHERE e.channel_id = ?1 AND e.meta_message_id = ?2 "
	    "ORDER BY e.edited_ms DESC LIMIT 1) "
	    "WHERE channel_id = ?1 AND meta_message_id = ?2 AND unsent_ms IS NULL "
	    "AND (SELECT max(e.edited_ms) FROM message_edit e WHERE "
	    "e.channel_id = ?1 AND e.meta_message_id = ?2) > "
	    "max(sent_ms, coalesce(edited_ms, 0))",
	[STMT_DETAIL_REACTION] =
	    "UPDATE message SET text = ?3, sent_ms = ?4, event_id = ?5 "
	    "WHERE channel_id = ?1 AND meta_message_id = ?2 AND sent_ms < ?4",
	[STMT_DETAIL_REFERRAL] =
	    "UPDATE conversation SET referral = ?2 WHERE id = ?1 AND "
	    "coalesce(json_extract(referral, '$.at_ms'), 0) <= ?3",
	[STMT_DETAIL_OWNER] =
	    "UPDATE conversation SET thread_owner = ?2, thread_owner_app_id = "
	    "CASE WHEN ?2 = 'other' THEN ?3 END WHERE id = ?1",
	[STMT_DETAIL_OPTIN] =
	    "UPDATE contact SET optin = ?2 WHERE id = ?1 AND "
	    "coalesce(json_extract(optin, '$.at_ms'), 0) <= ?3",
	[STMT_DETAIL_CONTACT_BY_PHONE] =
	    "SELECT meta_user_id FROM contact WHERE channel_id = ?1 AND "
	    "phone = ?2 ORDER BY meta_user_id = phone, id LIMIT 1",
	/* A contact known by its number alone takes the user id */
	[STMT_DETAIL_CONTACT_REKEY] =
	    "UPDATE contact SET meta_user_id = ?3, phone = ?2 "
	    "WHERE channel_id = ?1 AND meta_user_id = ?2 AND NOT EXISTS "
	    "(SELECT 1 FROM contact c WHERE c.channel_id = ?1 AND c.meta_user_id = ?3)",
	[STMT_DETAIL_CONTACT_PHONE] =
	    "UPDATE contact SET phone = ?2 WHERE id = ?1 AND phone IS NOT ?2",
	[STMT_DETAIL_PRICING] =
	    "UPDATE message SET pricing = ?3 WHERE channel_id = ?1 AND "
	    "meta_message_id = ?2 AND pricing IS NOT ?3",
	[STMT_DETAIL_WABA_NUMBERS] =
	    "SELECT count(*) FROM channel WHERE kind = 'whatsapp' AND "
	    "parent_meta_id = ?1",
	[STMT_DETAIL_NOTICE] =
	    "INSERT INTO channel_notice (channel_id, field, word, level, detail, "
	    "at_ms, event_id) SELECT id, ?2, ?3, ?4, ?5, ?6, ?7 FROM channel "
	    "WHERE kind = 'whatsapp' AND parent_meta_id = ?1 ON CONFLICT DO NOTHING",
	/* The newest event that speaks of the account's state wins */
	[STMT_DETAIL_ACCOUNT_STATE] =
	    "UPDATE channel SET account_state = ?2 WHERE kind = 'whatsapp' AND "
	    "parent_meta_id = ?1 AND NOT EXISTS (SELECT 1 FROM channel_notice n "
	    "WHERE n.channel_id = channel.id AND n.at_ms > ?3 AND n.field IN "
	    "('account_update', 'phone_number_quality_update'))",
	[STMT_DETAIL_EVENT_TEST] =
	    "UPDATE webhook_event SET test = 1 WHERE id = ?1",
	/* A new number: the contact keyed on the old one takes it */
	[STMT_DETAIL_CONTACT_NUMBER] =
	    "UPDATE contact SET meta_user_id = CASE WHEN meta_user_id = phone "
	    "AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.channel_id = "
	    "contact.channel_id AND c.meta_user_id = ?2) THEN ?2 "
	    "ELSE meta_user_id END, phone = ?2 WHERE id = ?1",
	[STMT_DETAIL_FEED_REACTION] =
	    "INSERT INTO feed_reaction (channel_id, target_id, post_id, from_id, "
	    "reaction, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT (channel_id, target_id, from_id) DO UPDATE SET "
	    "reaction = excluded.reaction, at_ms = excluded.at_ms, "
	    "post_id = coalesce(excluded.post_id, post_id) "
	    "WHERE excluded.at_ms >= at_ms",
	[STMT_DETAIL_MESSAGE_KNOWN] =
	    "SELECT 1 FROM message WHERE channel_id = ?1 AND meta_message_id = ?2",
	/* What the inbox shows of them */
	[STMT_DETAIL_MSG_GET] =
	    "SELECT coalesce(edited_ms, 0), author, standby, channel_id, "
	    "meta_message_id, history FROM message WHERE id = ?1",
	[STMT_DETAIL_EDITS] =
	    "SELECT text, edited_ms FROM message_edit WHERE channel_id = ?1 "
	    "AND meta_message_id = ?2 ORDER BY edited_ms",
	[STMT_DETAIL_CONV_GET] =
	    "SELECT v.referral, v.thread_owner, v.thread_owner_app_id, k.optin "
	    "FROM conversation v JOIN contact k ON k.id = v.contact_id "
	    "WHERE v.id = ?1",
	[STMT_DETAIL_NOTICES] =
	    "SELECT field, word, level, detail, at_ms FROM channel_notice "
	    "WHERE channel_id = ?1 ORDER BY at_ms DESC, id DESC LIMIT ?2",
	[STMT_DETAIL_ACCOUNT_GET] =
	    "SELECT account_state FROM channel WHERE id = ?1",
	[STMT_DETAIL_EVENT_IS_TEST] =
	    "SELECT test FROM webhook_event WHERE id = ?1",
	/* An account event routes to its WABA's numbers: the first is
	 * the event's channel, the others in webhook_event_channel */
	[STMT_DETAIL_EVENT_WABA] =
	    "UPDATE webhook_event SET channel_id = (SELECT min(id) FROM channel "
	    "WHERE kind = 'whatsapp' AND parent_meta_id = ?2), routing = 'routed' "
	    "WHERE id = ?1 AND channel_id IS NULL AND routing = 'unrouted' AND "
	    "EXISTS (SELECT 1 FROM channel WHERE kind = 'whatsapp' AND "
	    "parent_meta_id = ?2)",
	[STMT_DETAIL_EVENT_WABA_MORE] =
	    "INSERT OR IGNORE INTO webhook_event_channel (event_id, channel_id) "
	    "SELECT ?1, c.id FROM channel c WHERE c.kind = 'whatsapp' AND "
	    "c.parent_meta_id = ?2 AND c.id <> coalesce((SELECT channel_id "
	    "FROM webhook_event WHERE id = ?1), 0)",
	/* A template's new status or category, as the WABA's numbers
	 * cache it (?4: status, ?5: category; NULL keeps it) */
	[STMT_DETAIL_TEMPLATE_STATUS] =
	    "UPDATE wa_template SET status = coalesce(?4, status), "
	    "category = coalesce(?5, category) WHERE name = ?2 AND "
	    "language = ?3 AND channel_id IN (SELECT id FROM channel WHERE "
	    "kind = 'whatsapp' AND parent_meta_id = ?1)",
	/* Forwarding (db_fwd.c): a destination's columns as people see
	 * them, with its counts since ?3. */
#define FWD_DEST_COLS "d.id, d.workspace_id, d.url, d.description, " \
	"d.events, d.channels, d.platforms, d.include_raw, d.enabled, " \
	"d.ordered, coalesce(d.rate_per_s, 0), d.disabled_reason, " \
	"d.failing_since_ms, d.last_attempt_ms, d.last_success_ms, " \
	"d.last_status, d.last_error, d.created_ms, d.updated_ms, " \
	"d.headers_sealed IS NOT NULL, CASE WHEN d.old_secret_sealed IS NOT " \
	"NULL THEN d.old_secret_until_ms END, " \
	"(SELECT count(*) FROM fwd_delivery WHERE destination_id = d.id " \
	"AND state = 'pending'), (SELECT count(*) FROM fwd_delivery WHERE " \
	"destination_id = d.id AND state = 'dead'), (SELECT count(*) FROM " \
	"fwd_attempt WHERE destination_id = d.id AND started_ms >= ?3), " \
	"(SELECT count(*) FROM fwd_attempt WHERE destination_id = d.id AND " \
	"started_ms >= ?3 AND error IS NULL), (SELECT coalesce(avg(" \
	"duration_ms), 0) FROM fwd_attempt WHERE destination_id = d.id AND " \
	"started_ms >= ?3) "
	/* Does destination d take event e (its types, channels,
	 * platforms)? */
#define FWD_TAKES(d, e) "EXISTS (SELECT 1 FROM json_each(" d ".events) " \
	"WHERE value = " e ".type) AND (" d ".channels = '[]' OR EXISTS " \
	"(SELECT 1 FROM json_each(" d ".channels) WHERE value = " e \
	".channel_id)) AND (" d ".platforms = '[]' OR EXISTS (SELECT 1 FROM " \
	"json_each(" d ".platforms) WHERE value = " e ".platform))"
	[STMT_FWD_DEST_ADD] =
	    "INSERT INTO fwd_destination (workspace_id, url, description, "
	    "events, channels, platforms, include_raw, enabled, ordered, "
	    "rate_per_s, secret_sealed, headers_sealed, created_ms, updated_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, nullif(?10, 0), ?11, "
	    "?12, ?13, ?13)",
	[STMT_FWD_DEST_UPDATE] =
	    "UPDATE fwd_destination SET url = ?3, description = ?4, "
	    "events = ?5, channels = ?6, platforms = ?7, include_raw = ?8, "
	    "enabled = ?9, ordered = ?10, rate_per_s = nullif(?11, 0), "
	    "headers_sealed = CASE WHEN ?12 THEN ?13 ELSE headers_sealed END, "
	    "disabled_reason = CASE WHEN ?9 THEN NULL ELSE disabled_reason END, "
	    "failing_since_ms = CASE WHEN ?9 AND NOT enabled THEN NULL "
	    "ELSE failing_since_ms END, updated_ms = ?14 "
	    "WHERE id = ?1 AND workspace_id = ?2",
	[STMT_FWD_DEST_DELETE] =
	    "DELETE FROM fwd_destination WHERE id = ?1 AND workspace_id = ?2",
	[STMT_FWD_DEST_GET] =
	    "SELECT " FWD_DEST_COLS "FROM fwd_destination d "
	    "WHERE d.workspace_id = ?1 AND d.id = ?2",
	[STMT_FWD_DEST_LIST] =
	    "SELECT " FWD_DEST_COLS "FROM fwd_destination d "
	    "WHERE d.workspace_id = ?1 ORDER BY d.id",
	[STMT_FWD_DEST_SECRET] =
	    "UPDATE fwd_destination SET secret_sealed = ?3, "
	    "old_secret_sealed = ?4, old_secret_until_ms = ?5, updated_ms = ?6 "
	    "WHERE id = ?1 AND workspace_id = ?2",
	[STMT_FWD_DEST_KEYS] =
	    "SELECT workspace_id, secret_sealed, old_secret_sealed, "
	    "coalesce(old_secret_until_ms, 0), headers_sealed "
	    "FROM fwd_destination WHERE id = ?1",
	/* Ordered: the first pending delivery must be due.  Those after
	 * destination ?2 first (round robin); with how long the last
	 * attempt took. */
	[STMT_FWD_DUE] =
	    "SELECT d.id, d.workspace_id, coalesce(d.rate_per_s, 0), d.url, "
	    "d.ordered, d.include_raw, coalesce((SELECT duration_ms FROM "
	    "fwd_attempt WHERE destination_id = d.id ORDER BY started_ms DESC "
	    "LIMIT 1), -1) FROM fwd_destination d "
	    "WHERE d.enabled = 1 AND CASE WHEN d.ordered THEN (SELECT "
	    "next_attempt_ms FROM fwd_delivery WHERE destination_id = d.id AND "
	    "state = 'pending' ORDER BY id LIMIT 1) <= ?1 ELSE EXISTS (SELECT 1 "
	    "FROM fwd_delivery WHERE destination_id = d.id AND state = "
	    "'pending' AND next_attempt_ms <= ?1) END "
	    "ORDER BY d.id <= ?2, d.id",
	/* The event as delivered: the same bytes on every attempt. */
	[STMT_FWD_HEAD] =
	    "SELECT x.id, x.attempts, x.next_attempt_ms, e.uid, "
	    "json_object('id', e.uid, 'type', e.type, 'timestamp', "
	    "strftime('%Y-%m-%dT%H:%M:%fZ', e.created_ms / 1000.0, "
	    "'unixepoch'), 'workspace', e.workspace_id, 'data', CASE WHEN ?4 "
	    "AND e.raw IS NOT NULL THEN json_set(e.data, '$.raw', json(e.raw)) "
	    "ELSE json(e.data) END) FROM fwd_delivery x "
	    "JOIN fwd_event e ON e.id = x.event_id "
	    "WHERE x.destination_id = ?1 AND x.state = 'pending' "
	    "AND (?2 OR x.next_attempt_ms <= ?3) ORDER BY x.id LIMIT 1",
	[STMT_FWD_NEXT_DUE] =
	    "SELECT coalesce(min(CASE WHEN d.ordered THEN (SELECT "
	    "next_attempt_ms FROM fwd_delivery WHERE destination_id = d.id AND "
	    "state = 'pending' ORDER BY id LIMIT 1) ELSE (SELECT "
	    "min(next_attempt_ms) FROM fwd_delivery WHERE destination_id = d.id "
	    "AND state = 'pending') END), 0) FROM fwd_destination d "
	    "WHERE d.enabled = 1",
	/* Only while the delivery is still the one that was sent. */
	[STMT_FWD_ATTEMPT_ADD] =
	    "INSERT INTO fwd_attempt (delivery_id, destination_id, started_ms, "
	    "duration_ms, status, error, response) "
	    "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM "
	    "fwd_delivery x JOIN fwd_event e ON e.id = x.event_id WHERE "
	    "x.id = ?1 AND x.destination_id = ?2 AND x.state = 'pending' AND "
	    "e.uid = ?8)",
	[STMT_FWD_DELIVERY_SET] =
	    "UPDATE fwd_delivery SET attempts = attempts + 1, state = ?2, "
	    "next_attempt_ms = ?3, last_status = ?4, last_error = ?5, "
	    "done_ms = CASE WHEN ?2 = 'pending' THEN NULL ELSE ?6 END "
	    "WHERE id = ?1",
	/* ?4 NULL: a success.  Disabled when ?5 says why, or when failing
	 * since ?6 or earlier (?7 says why). */
	[STMT_FWD_DEST_OUTCOME] =
	    "UPDATE fwd_destination SET last_attempt_ms = ?2, "
	    "last_status = ?3, last_error = ?4, last_success_ms = CASE WHEN "
	    "?4 IS NULL THEN ?2 ELSE last_success_ms END, failing_since_ms = "
	    "CASE WHEN ?4 IS NULL THEN NULL ELSE coalesce(failing_since_ms, ?2) "
	    "END, enabled = CASE WHEN ?5 IS NOT NULL OR (?4 IS NOT NULL AND "
	    "coalesce(failing_since_ms, ?2) <= ?6) THEN 0 ELSE enabled END, "
	    "disabled_reason = CASE WHEN ?5 IS NOT NULL THEN ?5 WHEN ?4 IS NOT "
	    "NULL AND coalesce(failing_since_ms, ?2) <= ?6 THEN ?7 "
	    "ELSE disabled_reason END WHERE id = ?1 "
	    "RETURNING enabled = 0 AND disabled_reason IS NOT NULL",
#define FWD_DELIVERY_COLS "x.id, x.destination_id, x.event_id, e.uid, " \
	"e.type, x.state, x.attempts, x.next_attempt_ms, " \
	"coalesce(x.last_status, 0), x.last_error, x.created_ms, x.done_ms "
	[STMT_FWD_DELIVERIES] =
	    "SELECT " FWD_DELIVERY_COLS "FROM fwd_delivery x "
	    "JOIN fwd_event e ON e.id = x.event_id "
	    "JOIN fwd_destination d ON d.id = x.destination_id "
	    "WHERE d.workspace_id = ?1 AND x.destination_id = ?2 AND "
	    "(?3 IS NULL OR x.state = ?3) AND (?4 = 0 OR x.id < ?4) "
	    "ORDER BY x.id DESC LIMIT ?5",
	[STMT_FWD_DELIVERY_GET] =
	    "SELECT " FWD_DELIVERY_COLS "FROM fwd_delivery x "
	    "JOIN fwd_event e ON e.id = x.event_id "
	    "JOIN fwd_destination d ON d.id = x.destination_id "
	    "WHERE d.workspace_id = ?1 AND x.id = ?2",
	[STMT_FWD_ATTEMPTS] =
	    "SELECT id, started_ms, duration_ms, status, error, response "
	    "FROM fwd_attempt WHERE delivery_id = ?1 ORDER BY id",
	[STMT_FWD_RESEND] =
	    "UPDATE fwd_delivery SET state = 'pending', attempts = 0, "
	    "next_attempt_ms = ?3, done_ms = NULL WHERE id = ?2 AND "
	    "destination_id IN (SELECT id FROM fwd_destination "
	    "WHERE workspace_id = ?1)",
	[STMT_FWD_RESEND_DEAD] =
	    "UPDATE fwd_delivery SET state = 'pending', attempts = 0, "
	    "next_attempt_ms = ?3, done_ms = NULL WHERE destination_id = ?2 "
	    "AND state = 'dead' AND EXISTS (SELECT 1 FROM fwd_destination "
	    "WHERE id = ?2 AND workspace_id = ?1)",
	[STMT_FWD_REPLAY] =
	    "INSERT INTO fwd_delivery (destination_id, event_id, "
	    "next_attempt_ms, created_ms) SELECT d.id, e.id, ?5, ?5 "
	    "FROM fwd_event e JOIN fwd_destination d ON d.id = ?2 "
	    "AND d.workspace_id = ?1 WHERE e.workspace_id = ?1 "
	    "AND e.created_ms >= ?3 AND e.created_ms < ?4 "
	    "AND e.destination_id IS NULL AND " FWD_TAKES("d", "e")
	    " ORDER BY e.id LIMIT ?6",
	[STMT_FWD_TEST] =
	    "INSERT INTO fwd_event (uid, workspace_id, type, created_ms, data, "
	    "destination_id) SELECT 'evt_' || lower(hex(randomblob(12))), "
	    "?1, 'destination.test', ?3, json_object('destination', "
	    "json_object('id', ?2, 'url', d.url), 'text', "
	    "'A test event from hubgate.'), ?2 FROM fwd_destination d "
	    "WHERE d.id = ?2 AND d.workspace_id = ?1 AND d.enabled = 1 "
	    "RETURNING uid",
	[STMT_FWD_PRUNE] =
	    "DELETE FROM fwd_event WHERE id IN (SELECT e.id FROM fwd_event e "
	    "WHERE e.created_ms < ?1 AND NOT EXISTS (SELECT 1 FROM "
	    "fwd_delivery WHERE event_id = e.id AND state = 'pending') "
	    "ORDER BY e.id LIMIT ?2)",
	/* A rule's forward action: the message as forwarding shows it,
	 * with the rule; only when a destination could take it. */
	[STMT_AUTO_FORWARD] =
	    "INSERT INTO fwd_event (uid, workspace_id, type, channel_id, "
	    "platform, created_ms, data, raw, destination_id) "
	    "SELECT 'evt_' || lower(hex(randomblob(12))), v.workspace_id, "
	    "'message.forwarded', v.channel_id, v.platform, ?5, "
	    "json_set(v.data, '$.rule', json_object('id', ?2, 'name', ?3)), "
	    "v.raw, CASE WHEN ?4 > 0 THEN ?4 END FROM fwd_message_v v "
	    "WHERE v.message_id = ?1 AND EXISTS (SELECT 1 FROM "
	    "fwd_destination f WHERE f.workspace_id = v.workspace_id AND "
	    "f.enabled = 1 AND (f.id = ?4 OR (?4 = 0 AND EXISTS (SELECT 1 "
	    "FROM json_each(f.events) WHERE value = 'message.forwarded'))))",
	/* Automation (db_auto.c).  A workspace's rules, in order. */
	[STMT_RULE_LIST] =
	    "SELECT id, position, name, enabled, body, updated_at FROM rule "
	    "WHERE workspace_id = ?1 ORDER BY position, id LIMIT ?2",
	[STMT_RULE_GET] =
	    "SELECT id, position, name, enabled, body, updated_at FROM rule "
	    "WHERE workspace_id = ?1 AND id = ?2",
	[STMT_RULE_COUNT] =
	    "SELECT count(*) FROM rule WHERE workspace_id = ?1",
	[STMT_RULE_ADD] =
	    "INSERT INTO rule (workspace_id, position, name, enabled, body, "
	    "created_at, updated_at) VALUES (?1, CASE WHEN ?2 > 0 THEN ?2 ELSE "
	    "(SELECT coalesce(max(position), 0) + 1 FROM rule WHERE "
	    "workspace_id = ?1) END, ?3, ?4, ?5, ?6, ?6) RETURNING id",
	[STMT_RULE_PUT] =
	    "UPDATE rule SET position = CASE WHEN ?3 > 0 THEN ?3 ELSE position "
	    "END, name = ?4, enabled = ?5, body = ?6, updated_at = ?7 "
	    "WHERE workspace_id = ?1 AND id = ?2",
	[STMT_RULE_DELETE] =
	    "DELETE FROM rule WHERE workspace_id = ?1 AND id = ?2",
	[STMT_AUTOSET_GET] =
	    "SELECT handover, bot, bot_secret_sealed, hours FROM "
	    "automation_setting WHERE workspace_id = ?1",
	[STMT_AUTOSET_HANDOVER] =
	    "INSERT INTO automation_setting (workspace_id, handover, updated_at) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (workspace_id) DO UPDATE SET "
	    "handover = excluded.handover, updated_at = excluded.updated_at",
	[STMT_AUTOSET_BOT] =
	    "INSERT INTO automation_setting (workspace_id, bot, "
	    "bot_secret_sealed, updated_at) VALUES (?1, ?2, ?4, ?3) "
	    "ON CONFLICT (workspace_id) DO UPDATE SET bot = excluded.bot, "
	    "bot_secret_sealed = coalesce(?4, bot_secret_sealed), "
	    "updated_at = excluded.updated_at",
	[STMT_AUTOSET_HOURS] =
	    "INSERT INTO automation_setting (workspace_id, hours, updated_at) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (workspace_id) DO UPDATE SET "
	    "hours = excluded.hours, updated_at = excluded.updated_at",
	/* The messages an event stored, with their conversations. */
	[STMT_AUTO_EVENT_MSGS] =
	    "SELECT m.id, m.conversation_id, v.workspace_id, v.channel_id, v.contact_id, "
	    "coalesce(v.assigned_user_id, 0), m.sent_ms, m.direction = 'in', m.standby, "
	    "m.kind, m.text, m.payload, m.raw, m.author, v.status, v.thread_owner, "
	    "c.kind, c.name, k.name FROM message m "
	    "JOIN conversation v ON v.id = m.conversation_id "
	    "JOIN channel c ON c.id = v.channel_id JOIN contact k ON k.id = v.contact_id "
	    "WHERE m.event_id = ?1 AND m.history = 0 ORDER BY m.id LIMIT ?2",
	[STMT_AUTO_MSG] =
	    "SELECT m.id, m.conversation_id, v.workspace_id, v.channel_id, v.contact_id, "
	    "coalesce(v.assigned_user_id, 0), m.sent_ms, m.direction = 'in', m.standby, "
	    "m.kind, m.text, m.payload, m.raw, m.author, v.status, v.thread_owner, "
	    "c.kind, c.name, k.name FROM message m "
	    "JOIN conversation v ON v.id = m.conversation_id "
	    "JOIN channel c ON c.id = v.channel_id JOIN contact k ON k.id = v.contact_id "
	    "WHERE m.id = ?1",
	[STMT_AUTO_SEEN] =
	    "INSERT INTO automation_seen (message_id, at_ms, outcome) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (message_id) DO NOTHING",
	[STMT_AUTO_SEEN_SET] =
	    "UPDATE automation_seen SET outcome = ?2 WHERE message_id = ?1",
	[STMT_AUTO_LOG] =
	    "INSERT INTO automation_log (workspace_id, conversation_id, "
	    "message_id, rule_id, action, detail, at_ms) VALUES (?1, ?2, "
	    "nullif(?3, 0), nullif(?4, 0), ?5, ?6, ?7)",
	/* Has the contact (?1) written before message ?2? */
	[STMT_AUTO_FIRST] =
	    "SELECT EXISTS (SELECT 1 FROM message WHERE conversation_id IN "
	    "(SELECT id FROM conversation WHERE contact_id = ?1) AND "
	    "direction = 'in' AND id < ?2)",
	[STMT_AUTO_REPLIES_HOUR] =
	    "SELECT count(*) FROM outbox WHERE conversation_id = ?1 AND "
	    "author_kind IN ('rule', 'bot') AND kind <> 'action' AND "
	    "created_ms > ?2",
	[STMT_AUTO_ECHOED] =
	    "SELECT EXISTS (SELECT 1 FROM outbox o JOIN message m ON "
	    "m.id = o.message_id WHERE o.conversation_id = ?1 AND "
	    "o.author_kind IN ('rule', 'bot') AND o.created_ms > ?2 AND "
	    "m.text = ?3)",
	[STMT_AUTO_PREV_TEXT] =
	    "SELECT coalesce(text, '') FROM message WHERE conversation_id = ?1 "
	    "AND direction = 'in' AND id < ?2 ORDER BY id DESC LIMIT 1",
	[STMT_AUTO_ENGAGED] =
	    "SELECT EXISTS (SELECT 1 FROM outbox WHERE conversation_id = ?1 "
	    "AND author_kind IN ('rule', 'bot'))",
	[STMT_AUTO_FAILURES] =
	    "UPDATE conversation SET auto_failures = CASE WHEN ?2 THEN 0 ELSE "
	    "auto_failures + 1 END WHERE id = ?1 RETURNING auto_failures",
	[STMT_AUTO_TAG] =
	    "INSERT INTO conversation_tag (conversation_id, tag) VALUES (?1, ?2) "
	    "ON CONFLICT DO NOTHING",
	[STMT_AUTO_AUTHOR] =
	    "UPDATE message SET author = ?3 WHERE id IN (SELECT message_id "
	    "FROM outbox WHERE id >= ?1 AND id < ?1 + ?2 AND message_id IS NOT NULL)",
	[STMT_AUTO_SUMMARY] =
	    "SELECT direction, text FROM message WHERE conversation_id = ?1 AND "
	    "text IS NOT NULL AND text <> '' ORDER BY sent_ms DESC, id DESC LIMIT 3",
	[STMT_AUTO_ESCALATE] =
	    "UPDATE conversation SET status = 'escalated', assigned_user_id = NULL, "
	    "escalated_ms = ?2, escalation_reason = ?3, escalation_summary = ?4, "
	    "auto_failures = 0, escalation_alerted = 0 WHERE id = ?1 AND "
	    "status <> 'escalated'",
	[STMT_AUTO_QUEUE_POS] =
	    "SELECT count(*) FROM conversation WHERE workspace_id = ?1 AND "
	    "status = 'escalated' AND escalated_ms <= (SELECT escalated_ms FROM "
	    "conversation WHERE id = ?2)",
	/* The time from each recent escalation to a person's first send. */
	[STMT_AUTO_WAITS] =
	    "SELECT w FROM (SELECT (SELECT min(o.created_ms) FROM outbox o WHERE "
	    "o.conversation_id = v.id AND o.author_kind IN ('user', 'api') AND "
	    "o.created_ms >= v.escalated_ms) - v.escalated_ms AS w FROM "
	    "conversation v WHERE v.workspace_id = ?1 AND v.escalated_ms > ?2) "
	    "WHERE w IS NOT NULL LIMIT ?3",
	[STMT_BOT_ADD] =
	    "INSERT INTO bot_call (workspace_id, conversation_id, message_id, "
	    "rule_id, params, next_attempt_ms, created_ms, updated_ms) VALUES "
	    "(?1, ?2, nullif(?3, 0), nullif(?4, 0), ?5, ?6, ?6, ?6)",
	[STMT_BOT_DUE] =
	    "SELECT id FROM bot_call WHERE (state = 'queued' AND "
	    "next_attempt_ms <= ?1) OR (state = 'calling' AND "
	    "lease_expires_ms < ?1) ORDER BY next_attempt_ms, id LIMIT 1",
	[STMT_BOT_TAKE] =
	    "UPDATE bot_call SET state = 'calling', attempts = attempts + 1, "
	    "lease_expires_ms = ?2, updated_ms = ?3 WHERE id = ?1 RETURNING "
	    "workspace_id, conversation_id, coalesce(message_id, 0), "
	    "coalesce(rule_id, 0), params, attempts",
	[STMT_BOT_END] =
	    "UPDATE bot_call SET state = ?2, error = ?3, next_attempt_ms = ?4, "
	    "lease_expires_ms = NULL, updated_ms = ?5 WHERE id = ?1",
	[STMT_BOT_NEXT_DUE] =
	    "SELECT coalesce(min(next_attempt_ms), 0) FROM bot_call WHERE "
	    "state = 'queued'",
	[STMT_BOT_HISTORY] =
	    "SELECT direction, kind, coalesce(text, ''), coalesce(author, ''), "
	    "sent_ms FROM message WHERE conversation_id = ?1 "
	    "ORDER BY sent_ms DESC, id DESC LIMIT ?2",
	[STMT_AUTO_ALERT_DUE] =
	    "SELECT id, workspace_id FROM conversation WHERE escalation_alerted = 0 "
	    "ORDER BY id LIMIT ?1",
	[STMT_AUTO_ALERTED] =
	    "UPDATE conversation SET escalation_alerted = 1 WHERE id = ?1",
	/* "No reply for N minutes": is any such rule on; the inbound
	 * messages still unanswered that are last in their conversation. */
	[STMT_AUTO_WAIT_RULES] =
	    "SELECT EXISTS (SELECT 1 FROM rule WHERE enabled = 1 AND "
	    "json_extract(body, '$.when.no_reply_minutes') IS NOT NULL)",
	[STMT_AUTO_WAIT_DUE] =
	    "SELECT m.id FROM conversation v JOIN message m ON "
	    "m.conversation_id = v.id AND m.sent_ms = v.last_message_ms "
	    "WHERE m.direction = 'in' AND m.history = 0 AND v.status <> 'escalated' AND "
	    "v.last_message_ms <= ?1 AND v.last_message_ms > ?2 AND NOT EXISTS "
	    "(SELECT 1 FROM automation_waited w WHERE w.message_id = m.id) AND "
	    "NOT EXISTS (SELECT 1 FROM message l WHERE l.conversation_id = "
	    "m.conversation_id AND l.id > m.id) ORDER BY m.id LIMIT ?3",
	[STMT_AUTO_WAITED] =
	    "INSERT INTO automation_waited (message_id, at_ms) VALUES (?1, ?2) "
	    "ON CONFLICT (message_id) DO NOTHING",
	/* People's availability (db_auto.c). */
	[STMT_AUTO_AVAILABLE_SET] =
	    "UPDATE membership SET available = ?3 WHERE workspace_id = ?1 AND "
	    "user_id = ?2",
	[STMT_AUTO_AVAILABLE_GET] =
	    "SELECT available FROM membership WHERE workspace_id = ?1 AND "
	    "user_id = ?2",
	[STMT_AUTO_AVAILABLE_COUNT] =
	    "SELECT count(*) FROM membership m JOIN user u ON u.id = m.user_id "
	    "WHERE m.workspace_id = ?1 AND m.available = 1 AND "
	    "u.disabled_at IS NULL",
	[STMT_AUTO_ESCALATION] =
	    "SELECT coalesce(escalation_reason, ''), coalesce(escalation_summary, "
	    "''), coalesce(escalated_ms, 0) FROM conversation WHERE id = ?1",
	/* Groups of people (db_group.c): each with its members' ids. */
	[STMT_GROUP_LIST] =
	    "SELECT g.id, g.name, (SELECT json_group_array(user_id) FROM (SELECT "
	    "m.user_id FROM person_group_member m WHERE m.group_id = g.id ORDER "
	    "BY m.user_id)), g.updated_at FROM person_group g WHERE "
	    "g.workspace_id = ?1 AND (?2 = 0 OR g.id = ?2) ORDER BY g.name, g.id",
	[STMT_GROUP_COUNT] =
	    "SELECT count(*) FROM person_group WHERE workspace_id = ?1",
	[STMT_GROUP_ADD] =
	    "INSERT INTO person_group (workspace_id, name, created_at, updated_at) "
	    "VALUES (?1, ?2, ?3, ?3) ON CONFLICT DO NOTHING RETURNING id",
	[STMT_GROUP_RENAME] =
	    "UPDATE OR IGNORE person_group SET name = ?3, updated_at = ?4 WHERE "
	    "workspace_id = ?1 AND id = ?2 RETURNING id",
	[STMT_GROUP_DELETE] =
	    "DELETE FROM person_group WHERE workspace_id = ?1 AND id = ?2",
	[STMT_GROUP_MEMBERS_CLEAR] =
	    "DELETE FROM person_group_member WHERE group_id = ?1",
	/* Only a member of the group's workspace joins. */
	[STMT_GROUP_MEMBER_ADD] =
	    "INSERT OR IGNORE INTO person_group_member (group_id, user_id) SELECT "
	    "g.id, ?2 FROM person_group g JOIN membership m ON m.workspace_id = "
	    "g.workspace_id AND m.user_id = ?2 WHERE g.id = ?1",
	[STMT_GROUP_FIND] =
	    "SELECT id FROM person_group WHERE workspace_id = ?1 AND (id = ?2 OR "
	    "(?2 = 0 AND name = ?3))",
	[STMT_GROUP_ASSIGN] =
	    "UPDATE conversation SET assigned_group_id = ?3 WHERE workspace_id = ?1 "
	    "AND id = ?2 AND (?3 IS NULL OR EXISTS (SELECT 1 FROM person_group "
	    "WHERE id = ?3 AND workspace_id = ?1))",
	[STMT_GROUP_OF_CONV] =
	    "SELECT coalesce(assigned_group_id, 0) FROM conversation WHERE id = ?1",
	[STMT_GROUP_QUEUE_POS] =
	    "SELECT count(*) FROM conversation WHERE assigned_group_id = ?1 AND "
	    "status = 'escalated' AND escalated_ms <= (SELECT escalated_ms FROM "
	    "conversation WHERE id = ?2)",
	[STMT_GROUP_WAITS] =
	    "SELECT w FROM (SELECT (SELECT min(o.created_ms) FROM outbox o WHERE "
	    "o.conversation_id = v.id AND o.author_kind IN ('user', 'api') AND "
	    "o.created_ms >= v.escalated_ms) - v.escalated_ms AS w FROM "
	    "conversation v WHERE v.assigned_group_id = ?1 AND v.escalated_ms > ?2) "
	    "WHERE w IS NOT NULL LIMIT ?3",
	[STMT_GROUP_AVAILABLE] =
	    "SELECT count(*) FROM person_group_member p JOIN person_group g ON "
	    "g.id = p.group_id JOIN membership m ON m.workspace_id = g.workspace_id "
	    "AND m.user_id = p.user_id JOIN user u ON u.id = p.user_id WHERE "
	    "p.group_id = ?1 AND m.available = 1 AND u.disabled_at IS NULL",
	/* The people a group may have: the workspace's members. */
	[STMT_GROUP_PEOPLE] =
	    "SELECT u.id, CASE WHEN u.name <> '' THEN u.name ELSE u.email END, "
	    "m.available FROM membership m JOIN user u ON u.id = m.user_id WHERE "
	    "m.workspace_id = ?1 AND u.disabled_at IS NULL ORDER BY 2, u.id",
	/* Conversation Routing with Meta's inbox (db_handover.c): a take
	 * is due when Meta's inbox app owns the thread or hubgate's pass
	 * is still on its way, and no take is on its way already. */
	[STMT_HANDOVER_TAKE_DUE] =
	    "SELECT ((c.thread_owner = 'other' AND c.thread_owner_app_id IN "
	    "('263902037430900', '1217981644879628')) OR EXISTS (SELECT 1 "
	    "FROM outbox o WHERE o.conversation_id = c.id AND o.kind = "
	    "'action' AND o.state IN ('queued', 'sending', 'unknown') AND "
	    "json_extract(o.body, '$.action') = 'pass_thread_control')) AND "
	    "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.conversation_id = c.id "
	    "AND o.kind = 'action' AND o.state IN ('queued', 'sending', "
	    "'unknown') AND json_extract(o.body, '$.action') = "
	    "'take_thread_control') FROM conversation c WHERE c.id = ?1",
	[STMT_HANDOVER_STATE] =
	    "SELECT thread_control_error, coalesce(thread_control_error_ms, 0), "
	    "(SELECT json_extract(o.body, '$.action') FROM outbox o WHERE "
	    "o.conversation_id = ?1 AND o.kind = 'action' AND o.state IN "
	    "('queued', 'sending', 'unknown') AND json_extract(o.body, "
	    "'$.action') IN ('pass_thread_control', 'take_thread_control') "
	    "ORDER BY o.id DESC LIMIT 1) FROM conversation WHERE id = ?1",
	/* Two contacts of one person merged (db_merge.c): the rows of
	 * conversation ?2 move to ?1, then contact ?2's to ?1. */
	[STMT_MERGE_MESSAGES] =
	    "UPDATE message SET conversation_id = ?1 WHERE conversation_id = ?2",
	[STMT_MERGE_OUTBOX] =
	    "UPDATE outbox SET conversation_id = ?1 WHERE conversation_id = ?2",
	[STMT_MERGE_AUTO_LOG] =
	    "UPDATE automation_log SET conversation_id = ?1 "
	    "WHERE conversation_id = ?2",
	[STMT_MERGE_TAGS] =
	    "INSERT OR IGNORE INTO conversation_tag (conversation_id, tag) "
	    "SELECT ?1, tag FROM conversation_tag WHERE conversation_id = ?2",
	[STMT_MERGE_BOT] =
	    "UPDATE bot_call SET conversation_id = ?1 WHERE conversation_id = ?2",
	/* The survivor takes the other's state: the latest times, both
	 * unread counts, the newer referral and thread owner, an
	 * escalation or assignment either had. */
	[STMT_MERGE_CONV_SUM] =
	    "UPDATE conversation AS k SET "
	    "last_inbound_ms = nullif(max(coalesce(k.last_inbound_ms, 0), "
	    "coalesce(g.last_inbound_ms, 0)), 0), "
	    "last_message_ms = nullif(max(coalesce(k.last_message_ms, 0), "
	    "coalesce(g.last_message_ms, 0)), 0), "
	    "unread = k.unread + g.unread, created_at = min(k.created_at, "
	    "g.created_at), assigned_user_id = coalesce(k.assigned_user_id, "
	    "g.assigned_user_id), assigned_group_id = coalesce("
	    "k.assigned_group_id, g.assigned_group_id), "
	    "referral = CASE WHEN coalesce(json_extract("
	    "g.referral, '$.at_ms'), 0) > coalesce(json_extract(k.referral, "
	    "'$.at_ms'), 0) THEN g.referral ELSE k.referral END, "
	    "status = CASE WHEN 'escalated' IN (k.status, g.status) THEN "
	    "'escalated' WHEN 'open' IN (k.status, g.status) THEN 'open' "
	    "ELSE k.status END, "
	    "thread_owner = CASE WHEN coalesce(g.last_message_ms, 0) > "
	    "coalesce(k.last_message_ms, 0) THEN g.thread_owner ELSE "
	    "k.thread_owner END, thread_owner_app_id = CASE WHEN "
	    "coalesce(g.last_message_ms, 0) > coalesce(k.last_message_ms, 0) "
	    "THEN g.thread_owner_app_id ELSE k.thread_owner_app_id END, "
	    /* The escalation that holds (the other's when only it is
	     * escalated, or its is the later), its four facts together. */
	    "escalated_ms = CASE WHEN (g.status = 'escalated' AND (k.status "
	    "<> 'escalated' OR coalesce(g.escalated_ms, 0) > coalesce("
	    "k.escalated_ms, 0))) THEN g.escalated_ms ELSE coalesce("
	    "k.escalated_ms, g.escalated_ms) END, "
	    "escalation_reason = CASE WHEN (g.status = 'escalated' AND ("
	    "k.status <> 'escalated' OR coalesce(g.escalated_ms, 0) > coalesce("
	    "k.escalated_ms, 0))) THEN g.escalation_reason ELSE coalesce("
	    "k.escalation_reason, g.escalation_reason) END, "
	    "escalation_summary = CASE WHEN (g.status = 'escalated' AND ("
	    "k.status <> 'escalated' OR coalesce(g.escalated_ms, 0) > coalesce("
	    "k.escalated_ms, 0))) THEN g.escalation_summary ELSE coalesce("
	    "k.escalation_summary, g.escalation_summary) END, "
	    "escalation_alerted = CASE WHEN (g.status = 'escalated' AND ("
	    "k.status <> 'escalated' OR coalesce(g.escalated_ms, 0) > coalesce("
	    "k.escalated_ms, 0))) THEN g.escalation_alerted ELSE "
	    "min(k.escalation_alerted, g.escalation_alerted) END "
	    "FROM conversation AS g WHERE k.id = ?1 AND g.id = ?2",
	[STMT_MERGE_CONV_DROP] =
	    "DELETE FROM conversation WHERE id = ?2",
	[STMT_MERGE_CONV_MOVE] =
	    "UPDATE conversation SET contact_id = ?1 WHERE channel_id = ?3 "
	    "AND contact_id = ?2",
	[STMT_MERGE_MEDIA] =
	    "UPDATE media SET contact_id = ?1 WHERE contact_id = ?2",
	/* Forwarded events name the survivor: deleting the other contact
	 * (fwd_contact_gone) loses none of them. */
	[STMT_MERGE_FWD] =
	    "UPDATE fwd_event SET data = json_set(data, '$.contact.id', ?1) "
	    "WHERE json_extract(data, '$.contact.id') = ?2",
	[STMT_MERGE_CONTACT] =
	    "UPDATE contact AS k SET name = CASE WHEN g.name <> '' AND "
	    "(k.name = '' OR g.last_seen_at > k.last_seen_at) THEN g.name "
	    "ELSE k.name END, first_seen_at = min(k.first_seen_at, "
	    "g.first_seen_at), last_seen_at = max(k.last_seen_at, "
	    "g.last_seen_at), optin = CASE WHEN coalesce(json_extract(g.optin, "
	    "'$.at_ms'), 0) > coalesce(json_extract(k.optin, '$.at_ms'), 0) "
	    "THEN g.optin ELSE k.optin END, picture_media_id = coalesce("
	    "k.picture_media_id, g.picture_media_id) "
	    "FROM contact AS g WHERE k.id = ?1 AND g.id = ?2",
	[STMT_MERGE_CONTACT_DROP] =
	    "DELETE FROM contact WHERE id = ?2",
	[STMT_MERGE_REKEY] =
	    "UPDATE contact SET meta_user_id = ?2, phone = ?3 WHERE id = ?1",
	/* A message of the WhatsApp Business app's chat history: marked
	 * as it is inserted (forwarding's triggers look at it then). */
	[STMT_HISTORY_INSERT] =
	    "INSERT INTO message (conversation_id, meta_message_id, direction, kind, "
	    "text, attachments, payload, reply_to, raw, status, sent_ms, event_id, "
	    "created_ms, channel_id, history) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8, ?9, ?10, ?11, ?12, ?13, ?14, 1) "
	    "ON CONFLICT (channel_id, meta_message_id) DO NOTHING",
	/* A chat history's media message takes its media id, once. */
	[STMT_HISTORY_MEDIA] =
	    "UPDATE message SET attachments = ?3 WHERE channel_id = ?1 AND "
	    "meta_message_id = ?2 AND history = 1 AND unsent_ms IS NULL AND "
	    "json_extract(?3, '$[0].id') IS NOT NULL AND "
	    "json_extract(coalesce(attachments, '[]'), '$[0].id') IS NULL "
	    "RETURNING id, conversation_id",
	/* A name from the business app's address book (smb_app_state_sync):
	 * the contact with that number, whatever its key. */
	[STMT_CONTACT_BOOK_NAME] =
	    "UPDATE contact SET name = ?3 WHERE channel_id = ?1 AND "
	    "(phone = ?2 OR meta_user_id = ?2) AND name IS NOT ?3",
	/* A workspace's retention settings (JSON; NULL: the defaults). */
	[STMT_RETENTION_GET] =
	    "SELECT retention FROM workspace WHERE id = ?1",
	[STMT_RETENTION_PUT] =
	    "UPDATE workspace SET retention = ?2 WHERE id = ?1",
	/* A conversation's state with its group (db_conv_act's
	 * DB_CONV_STATE). */
	[STMT_CONV_STATE] =
	    "SELECT status, coalesce(assigned_user_id, 0), unread, "
	    "coalesce(assigned_group_id, 0) FROM conversation "
	    "WHERE id = ?2 AND workspace_id = ?1",
};

/* Record the connection's error state after a failed call. */
int
db_fail(struct db *d, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		d->err = DB_BUSY;
		break;
	case SQLITE_FULL:
		d->err = DB_FULL;
		break;
	default:
		d->err = DB_ERROR;
		break;
	}
	snprintf(d->msg, sizeof(d->msg), "%s", sqlite3_errmsg(d->h));
	return -1;
}

/* The prepared statement s, ready to bind: prepared on first use and
 * reset on every later one.  NULL on error. */
sqlite3_stmt *
db_stmt(struct db *d, enum stmt s)
{
	int rc;

	if (d->st[s] == NULL) {
		rc = sqlite3_prepare_v3(d->h, stmt_sql[s], -1,
		    SQLITE_PREPARE_PERSISTENT, &d->st[s], NULL);
		if (rc != SQLITE_OK) {
			db_fail(d, rc);
			return NULL;
		}
	} else {
		sqlite3_reset(d->st[s]);
		sqlite3_clear_bindings(d->st[s]);
	}
	return d->st[s];
}

int
db_exec(struct db *d, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(d, rc);
	d->err = DB_OK;
	return 0;
}

int
db_run(struct db *d, enum stmt s)
{
	sqlite3_stmt *st = db_stmt(d, s);

	return st == NULL ? -1 : db_exec(d, st);
}

void
db_col_copy(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, outsz, "%s", t != NULL ? (const char *)t : "");
}

int
db_read_ints(struct db *d, sqlite3_stmt *st, long long *v, size_t max,
    size_t *n)
{
	int rc = SQLITE_DONE;

	*n = 0;
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		v[(*n)++] = sqlite3_column_int64(st, 0);
	if (*n == max)
		rc = SQLITE_DONE;
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_each_4t1i(struct db *d, enum stmt s, long long key, int max,
    void (*fn)(void *, const char *, const char *, const char *, const char *,
    long long), void *arg)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, key);
	sqlite3_bind_int(st, 2, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 3),
		    sqlite3_column_int64(st, 4));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

int
db_run_prune(struct db *d, enum stmt s, long long before, int limit,
    long long *deleted)
{
	sqlite3_stmt *st;

	*deleted = 0;
	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int(st, 2, limit);
	if (db_exec(d, st) == -1)
		return -1;
	*deleted = sqlite3_changes(d->h);
	return 0;
}

int
db_int(struct db *d, enum stmt s, long long *v)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, s)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(d, rc);
	}
	*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

enum db_err
db_error(const struct db *d)
{
	return d->err;
}

const char *
db_errmsg(const struct db *d)
{
	return d->msg;
}

int
db_begin(struct db *d)
{
	d->nchan = 0;
	if (db_run(d, STMT_BEGIN) == -1)
		return -1;
	d->txn = 1;
	return 0;
}

int
db_commit(struct db *d)
{
	d->txn = 0;
	d->nchan = 0;
	return db_run(d, STMT_COMMIT);
}

int
db_rollback(struct db *d)
{
	d->txn = 0;
	d->nchan = 0;
	if (sqlite3_get_autocommit(d->h))
		return 0;
	return db_run(d, STMT_ROLLBACK);
}

int
db_ping(struct db *d, int *version)
{
	long long v;

	if (db_int(d, STMT_USER_VERSION, &v) == -1)
		return -1;
	*version = (int)v;
	return 0;
}

int
db_schema_latest(void)
{
	const char	*p = db_schema_sql;
	int		 n = 0;

	while ((p = strstr(p, "\n-- @migration ")) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* How a stored body's event time is found (db_set_event_time). */
static int (*db_event_time)(const char *, size_t, long long *);

void
db_set_event_time(int (*fn)(const char *, size_t, long long *))
{
	db_event_time = fn;
}

/* hg_sent_ms(body): the time a stored body is deduplicated on, exactly
 * as the webhook computes it (db_set_event_time); used by migration 2. */
static void
db_fn_sent_ms(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const unsigned char	*b;
	long long		 t;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_int64(cx, 0);
		return;
	}
	if (db_event_time == NULL) {
		sqlite3_result_error(cx, "hg_sent_ms: no event time parser "
		    "(db_set_event_time)", -1);
		return;
	}
	/* NULL now means out of memory: never a wrong key. */
	if ((b = sqlite3_value_text(argv[0])) == NULL ||
	    db_event_time((const char *)b,
	    (size_t)sqlite3_value_bytes(argv[0]), &t) == -1) {
		sqlite3_result_error_nomem(cx);
		return;
	}
	sqlite3_result_int64(cx, t);
}

/* The number of rows that break a foreign key into *n; 0 or -1. */
static int
db_fk_count(struct db *d, long long *n)
{
	sqlite3_stmt	*st;
	int		 rc;

	*n = 0;
	if ((rc = sqlite3_prepare_v2(d->h, "PRAGMA foreign_key_check", -1,
	    &st, NULL)) != SQLITE_OK)
		return db_fail(d, rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		(*n)++;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

/* 0 when migration n left no more rows breaking a foreign key than
 * there were before (a database may hold some already, from deletes
 * made with foreign keys off), else -1 with a message. */
static int
db_fk_check(struct db *d, int n, long long before)
{
	long long after;

	if (db_fk_count(d, &after) == -1)
		return -1;
	if (after <= before)
		return 0;
	d->err = DB_ERROR;
	snprintf(d->msg, sizeof(d->msg), "migration %d broke %lld foreign "
	    "key(s)", n, after - before);
	return -1;
}

/* Apply every migration above the database's user_version, in one
 * IMMEDIATE transaction that re-reads the version once it holds the
 * write lock: a second process starting at once waits, then finds
 * nothing to do.  Foreign keys are off meanwhile, so that a migration
 * can rebuild a table others refer to (SQLite's way to change a
 * column's constraints), and checked before the commit. */
static int
db_migrate(struct db *d)
{
	const char	*p, *next;
	char		*sql, *errmsg = NULL;
	long long	 broken;
	int		 have, n, rc;

	if (db_ping(d, &have) == -1)
		return -1;
	if (have >= db_schema_latest())
		return 0;
	if ((rc = sqlite3_exec(d->h, "PRAGMA foreign_keys = OFF", NULL, NULL,
	    NULL)) != SQLITE_OK)
		return db_fail(d, rc);
	if (db_begin(d) == -1)
		goto err;
	if (db_ping(d, &have) == -1 || db_fk_count(d, &broken) == -1)
		goto err;
	p = strstr(db_schema_sql, "\n-- @migration ");
	for (n = 1; p != NULL; n++, p = next) {
		next = strstr(p + 1, "\n-- @migration ");
		if (n <= have)
			continue;
		sql = next == NULL ? strdup(p) : strndup(p, (size_t)(next - p));
		if (sql == NULL)
			goto err;
		rc = sqlite3_exec(d->h, sql, NULL, NULL, &errmsg);
		free(sql);
		if (rc != SQLITE_OK) {
			db_fail(d, rc);
			snprintf(d->msg, sizeof(d->msg), "migration %d: %s", n,
			    errmsg != NULL ? errmsg : "failed");
			sqlite3_free(errmsg);
			goto err;
		}
		if (db_ping(d, &have) == -1)
			goto err;
		if (have != n) {
			d->err = DB_ERROR;
			snprintf(d->msg, sizeof(d->msg),
			    "migration %d did not set user_version", n);
			goto err;
		}
		if (db_fk_check(d, n, broken) == -1)
			goto err;
	}
	if (db_commit(d) == -1)
		goto err;
	return sqlite3_exec(d->h, "PRAGMA foreign_keys = ON", NULL, NULL,
	    NULL) == SQLITE_OK ? 0 : -1;
err:
	db_rollback(d);
	sqlite3_exec(d->h, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return -1;
}

/* The WAL hook of DB_FLUSH_APART connections (it replaces the
 * automatic checkpoint): note the WAL's size. */
static int
db_wal_hook(void *arg, sqlite3 *h, const char *name, int frames)
{
	(void)h;
	(void)name;
	((struct db *)arg)->wal_frames = frames;
	return SQLITE_OK;
}

static pthread_once_t db_once = PTHREAD_ONCE_INIT;

/* Before SQLite's first use: no memory statistics, whose global mutex
 * every allocation of every connection would take. */
static void
db_global_init(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/*
 * The database's files are private whatever the umask: SQLite creates
 * the main file with 0644 less the umask, and its -wal, -shm and
 * journal files with the main file's mode.  So a missing main file is
 * created here first (when create is set), empty, with 0600, or 0660
 * when its directory is setgid and group-writable: the directory
 * shared with the web server's group (README.md, "Deploying"), whose
 * group the file inherits.  An existing main, -wal, -shm or -journal
 * file owned by this user loses every permission beyond that mode
 * (older versions left them 0644); files of another user are left
 * alone.  Returns 0, or -1 with err.
 */
static int
db_files_private(const char *path, int create, char *err, size_t errsz)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	struct stat	 st;
	char		 f[4096 + 16], dir[4096];
	const char	*slash = strrchr(path, '/');
	mode_t		 mode = S_IRUSR | S_IWUSR;
	size_t		 i;
	int		 fd;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
	if (stat(dir, &st) == 0 && (st.st_mode & S_ISGID) &&
	    (st.st_mode & S_IRWXG) == S_IRWXG)
		mode |= S_IRGRP | S_IWGRP;
	if (create && (fd = open(path, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC | O_NOFOLLOW, mode)) != -1) {
		/* open's mode is filtered by the umask: set it exactly. */
		if (fchmod(fd, mode) == -1) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
	} else if (create && errno != EEXIST) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(f, sizeof(f), "%s%s", path, suffix[i]);
		if (stat(f, &st) == -1 || !S_ISREG(st.st_mode) ||
		    st.st_uid != geteuid() || (st.st_mode & 0777 & ~mode) == 0)
			continue;
		if (chmod(f, st.st_mode & mode) == -1) {
			snprintf(err, errsz, "%s: %s", f, strerror(errno));
			return -1;
		}
	}
	return 0;
}

struct db *
db_open(const struct conf *c, unsigned flags, char *err, size_t errsz)
{
	struct db	*d;
	char		 path[4096];
	const char	*pragmas;
	long long	 waited;
	int		 rc, oflags;

	pthread_once(&db_once, db_global_init);
	if (conf_path(c, "db_path", path, sizeof(path)) == NULL) {
		snprintf(err, errsz, "db_path too long");
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (db_files_private(path, !(flags & DB_READONLY), err, errsz) == -1)
		goto err;
	oflags = (flags & DB_READONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (flags & DB_READONLY)
		pragmas = "PRAGMA foreign_keys = ON;";
	else if (strcmp(conf_get(c, "durability"), "full") == 0 &&
	    !(flags & DB_REDOABLE))
		pragmas = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
		    "PRAGMA foreign_keys = ON;";
	else
		pragmas = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		    "PRAGMA foreign_keys = ON;";
	rc = sqlite3_open_v2(path, &d->h, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", path, d->h != NULL ?
		    sqlite3_errmsg(d->h) : "cannot open");
		goto err;
	}
	/* First, before any statement can meet a lock. */
	sqlite3_busy_timeout(d->h, (int)conf_get_int(c, "busy_timeout_ms"));
	sqlite3_extended_result_codes(d->h, 1);
	/* Turning a new database to WAL needs an exclusive lock, and when
	 * another process is doing the same SQLite answers SQLITE_BUSY at
	 * once, without the busy handler: retry within the busy timeout.
	 * The pragmas are idempotent. */
	for (waited = 0; (rc = sqlite3_exec(d->h, pragmas, NULL, NULL,
	    NULL)) != SQLITE_OK && (rc & 0xff) == SQLITE_BUSY &&
	    waited < conf_get_int(c, "busy_timeout_ms"); waited += 10)
		sqlite3_sleep(10);
	if (rc != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", path, sqlite3_errmsg(d->h));
		goto err;
	}
	/* hubgate's own app ids, for the echoes of its sends. */
	snprintf(d->app_ids[0], sizeof(d->app_ids[0]), "%s",
	    conf_get(c, "app_id"));
	snprintf(d->app_ids[1], sizeof(d->app_ids[1]), "%s",
	    conf_get(c, "instagram_app_id"));
	if (flags & DB_FLUSH_APART)
		sqlite3_wal_hook(d->h, db_wal_hook, d);
	if ((rc = sqlite3_create_function_v2(d->h, "hg_sent_ms", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, db_fn_sent_ms, NULL,
	    NULL, NULL)) != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", path, sqlite3_errmsg(d->h));
		goto err;
	}
	if (!(flags & DB_READONLY) && db_migrate(d) == -1) {
		snprintf(err, errsz, "%s: %s", path, d->msg);
		goto err;
	}
	return d;
err:
	db_close(d);
	return NULL;
}

int
db_app_ours(const struct db *d, const char *app_id)
{
	size_t i;

	for (i = 0; app_id != NULL && *app_id != '\0' &&
	    i < sizeof(d->app_ids) / sizeof(d->app_ids[0]); i++)
		if (strcmp(app_id, d->app_ids[i]) == 0)
			return 1;
	return 0;
}

void
db_close(struct db *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(d->st[i]);
	sqlite3_close(d->h);
	free(d);
}

int
db_counter_add(struct db *d, const char *name, long long delta)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_COUNTER_ADD)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, delta);
	if (db_exec(d, st) == -1 ||
	    (st = db_stmt(d, STMT_COUNTER_HOURLY)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, delta);
	sqlite3_bind_int64(st, 3, clock_ms() / DB_HOUR_MS);
	return db_exec(d, st);
}

int
db_counter_each(struct db *d, void (*fn)(void *, const char *, long long),
    void *arg)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = db_stmt(d, STMT_COUNTER_ALL)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_fail(d, rc);
}

/* The cached lookup of kind and meta_id in this transaction, or NULL. */
static struct db_chan *
db_chan_cached(struct db *d, const char *kind, const char *meta_id)
{
	int i;

	for (i = 0; d->txn && i < d->nchan; i++)
		if (strcmp(d->chan[i].kind, kind) == 0 &&
		    strcmp(d->chan[i].meta_id, meta_id) == 0)
			return &d->chan[i];
	return NULL;
}

int
db_channel_find(struct db *d, const char *kind, const char *meta_id,
    long long *id, long long *workspace)
{
	sqlite3_stmt	*st;
	struct db_chan	*c;
	long long	 cid = 0, ws = 0;
	int		 rc;

	if ((c = db_chan_cached(d, kind, meta_id)) != NULL) {
		if (c->id == 0)
			return 0;
		*id = c->id;
		if (workspace != NULL)
			*workspace = c->workspace;
		return 1;
	}
	if ((st = db_stmt(d, STMT_CHANNEL_FIND)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, meta_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		cid = sqlite3_column_int64(st, 0);
		ws = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(d, rc);
	if (d->txn && d->nchan < DB_CHAN_CACHE &&
	    strlen(kind) < sizeof(c->kind) &&
	    strlen(meta_id) < sizeof(c->meta_id)) {
		c = &d->chan[d->nchan++];
		memcpy(c->kind, kind, strlen(kind) + 1);
		memcpy(c->meta_id, meta_id, strlen(meta_id) + 1);
		c->id = cid;
		c->workspace = ws;
		c->touched = 0;
	}
	if (rc != SQLITE_ROW)
		return 0;
	*id = cid;
	if (workspace != NULL)
		*workspace = ws;
	return 1;
}

int
db_channel_add(struct db *d, const char *kind, const char *meta_id,
    const char *name, long long *id)
{
	sqlite3_stmt	*st;
	long long	 n;
	int		 rc, own = !d->txn;

	/* Adding and routing go together. */
	if (own && db_begin(d) == -1)
		return -1;
	d->nchan = 0;
	if ((st = db_stmt(d, STMT_CHANNEL_ADD)) == NULL)
		goto err;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, meta_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (long long)time(NULL));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		db_fail(d, rc);
		goto err;
	}
	if (db_channel_reroute(d, *id, kind, meta_id, &n) == -1)
		goto err;
	if (own && db_commit(d) == -1)
		goto err;
	return 0;
err:
	if (own) {
		enum db_err e = d->err;	/* the failure, not the rollback */

		db_rollback(d);
		d->err = e;
	}
	return -1;
}

int
db_channel_touch(struct db *d, long long id, long long at)
{
	sqlite3_stmt	*st;
	int		 i;

	/* Set once per transaction and second. */
	for (i = 0; d->txn && i < d->nchan; i++)
		if (d->chan[i].id == id) {
			if (d->chan[i].touched >= at)
				return 0;
			break;
		}
	if ((st = db_stmt(d, STMT_CHANNEL_TOUCH)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	if (db_exec(d, st) == -1)
		return -1;
	if (d->txn && i < d->nchan)
		d->chan[i].touched = at;
	return 0;
}

int
db_event_insert(struct db *d, const struct db_event *e, long long *id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_EVENT_INSERT)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, e->received_ms);
	sqlite3_bind_blob64(st, 2, e->body, e->len, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->signature, -1, SQLITE_STATIC);
	if (e->object != NULL)
		sqlite3_bind_text(st, 5, e->object, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_text(st, 6, e->entry_ids, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, e->phone_ids, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, event_routing_names[e->routing], -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 9, event_state_names[e->state], -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, e->sent_ms);
	if (e->channel_id > 0)
		sqlite3_bind_int64(st, 11, e->channel_id);
	else
		sqlite3_bind_null(st, 11);
	if (db_exec(d, st) == -1)
		return -1;
	if (sqlite3_changes(d->h) == 0)
		return 0;
	*id = sqlite3_last_insert_rowid(d->h);
	return 1;
}

int
db_event_route(struct db *d, long long event_id, long long channel_id)
{
	sqlite3_stmt *st;

	if ((st = db_stmt(d, STMT_EVENT_ROUTE)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, event_id);
	sqlite3_bind_int64(st, 2, channel_id);
	return db_exec(d, st);
}

const char *const event_state_names[EVENT_STATE__MAX] = {
	[EVENT_PENDING] = "pending",
	[EVENT_PROCESSING] = "processing",
	[EVENT_PROCESSED] = "processed",
	[EVENT_FAILED] = "failed",
	[EVENT_DEAD_LETTER] = "dead_letter",
	[EVENT_INVALID] = "invalid",
};

const char *const event_routing_names[ROUTING__MAX] = {
	[ROUTING_ROUTED] = "routed",
	[ROUTING_PARTIAL] = "partial",
	[ROUTING_UNROUTED] = "unrouted",
};

const char *const msg_status_names[MSG_STATUS__MAX] = {
	[MSG_RECEIVED] = "received",
	[MSG_QUEUED] = "queued",
	[MSG_SENT] = "sent",
	[MSG_DELIVERED] = "delivered",
	[MSG_READ] = "read",
	[MSG_FAILED] = "failed",
};

int
msg_status_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < MSG_STATUS__MAX; i++)
		if (strcmp(s, msg_status_names[i]) == 0)
			return i;
	return -1;
}

void
db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int
db_savepoint(struct db *d)
{
	return db_run(d, STMT_SAVEPOINT);
}

int
db_release(struct db *d)
{
	return db_run(d, STMT_RELEASE);
}

int
db_rollback_to(struct db *d)
{
	d->nchan = 0;	/* a touch may be undone */
	return db_run(d, STMT_ROLLBACK_TO);
}

int
db_flush(struct db *d, int *complete)
{
	int rc, log = 0, done = 0;

	rc = sqlite3_wal_checkpoint_v2(d->h, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    &log, &done);
	if (complete != NULL)
		*complete = rc == SQLITE_OK && log == done;
	if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
		return db_fail(d, rc);
	return 0;
}

long long
db_journal_size(const struct db *d)
{
	return d->wal_frames;
}

