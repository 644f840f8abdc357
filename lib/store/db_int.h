/*
 * db_int.h: what the db_*.c files share and nobody else sees: the
 * connection, the names of the statements in db.c's table, and the
 * helpers that prepare, run and fail them.
 */
#ifndef HG_DB_INT_H
#define HG_DB_INT_H

#include <sqlite3.h>

#include "limits.h"

#include "db.h"
#include "db_channel.h"
#include "db_event.h"
#include "db_inbox.h"
#include "db_media.h"
#include "db_oauth.h"
#include "db_outbox.h"
#include "db_queue.h"
#include "db_stats.h"
#include "db_token.h"
#include "db_user.h"
#include "db_fwd.h"
#include "db_auto.h"

/* The statements of db.c's table, in its order. */
enum stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_USER_VERSION,
	STMT_COUNTER_ADD,
	STMT_COUNTER_ALL,
	STMT_CHANNEL_FIND,
	STMT_CHANNEL_ADD,
	STMT_CHANNEL_TOUCH,
	STMT_EVENT_INSERT,
	STMT_EVENT_ROUTE,
	STMT_EVENT_AT,
	STMT_EVENT_LAST,
	STMT_EVENT_UNPROCESSED,
	STMT_CONTACT_FIND,
	STMT_CONTACT_INSERT,
	STMT_CONTACT_SEEN,
	STMT_CONVERSATION_FIND,
	STMT_CONVERSATION_INSERT,
	STMT_CONVERSATION_NOTE,
	STMT_CONVERSATION_OWNER,
	STMT_MESSAGE_INSERT,
	STMT_MESSAGE_STATUS,
	STMT_MESSAGE_WATERMARK,
	STMT_FEED_UPSERT,
	STMT_UNHANDLED_ADD,
	STMT_QUEUE_ABANDON_LOG,
	STMT_QUEUE_RELEASE,
	STMT_QUEUE_ABANDON,
	STMT_QUEUE_CLAIM,
	STMT_EVENT_BODY,
	STMT_EVENT_DONE,
	STMT_EVENT_FAIL,
	STMT_ATTEMPT_LOG,
	STMT_REQUEUE_ID,
	STMT_REQUEUE_DEAD,
	STMT_REQUEUE_RANGE,
	STMT_PRUNE,
	STMT_QUEUE_STATES,
	STMT_USER_ADD,
	STMT_USER_BY_EMAIL,
	STMT_USER_BY_ID,
	STMT_USER_COUNT,
	STMT_USER_SET_PASSWORD,
	STMT_USER_SET_DISABLED,
	STMT_MEMBER_SET,
	STMT_MEMBER_ROLE,
	STMT_MEMBER_FIRST,
	STMT_MEMBER_WORKSPACES,
	STMT_WORKSPACE_USERS,
	STMT_WORKSPACE_NAME,
	STMT_MEMBER_OWNERS,
	STMT_MEMBER_COUNT,
	STMT_MEMBER_REMOVE,
	STMT_SESSION_END_WORKSPACE,
	STMT_TOKEN_REVOKE_WORKSPACE,
	STMT_WORKSPACE_ADD,
	STMT_WORKSPACE_ALL,
	STMT_AUDIT_FIND,
	STMT_SESSION_ADD,
	STMT_SESSION_FIND,
	STMT_SESSION_TOUCH,
	STMT_SESSION_END,
	STMT_SESSION_END_ROWID,
	STMT_SESSION_END_OTHERS,
	STMT_SESSION_END_USER,
	STMT_SESSION_LIST,
	STMT_AUDIT_PRUNE,
	STMT_TOKEN_ADD,
	STMT_TOKEN_FIND,
	STMT_TOKEN_USED,
	STMT_TOKEN_REVOKE,
	STMT_TOKEN_LIST,
	STMT_SETUP_ADD,
	STMT_SETUP_DROP,
	STMT_SETUP_USE,
	STMT_SETUP_VALID,
	STMT_AUDIT_ADD,
	STMT_THROTTLE_GET,
	STMT_THROTTLE_SET,
	STMT_THROTTLE_CLEAR,
	STMT_SESSION_EXPIRE,
	STMT_THROTTLE_PRUNE,
	STMT_SETUP_PRUNE,
	/* The summaries (db_stats.c). */
	STMT_COUNTER_HOURLY,
	STMT_STATS_EACH,
	STMT_STATS_EACH_ALL,
	STMT_STATS_LATENCY,
	STMT_STATS_LATENCY_ALL,
	STMT_STATS_COUNTER_SINCE,
	STMT_STATS_OLDEST,
	STMT_STATS_TOTALS,
	STMT_STATS_CLEAR_TOTAL,
	STMT_STATS_FILL_TOTAL,
	STMT_STATS_PRUNE_STAT,
	STMT_STATS_PRUNE_LATENCY,
	STMT_STATS_PRUNE_TOTAL,
	STMT_STATS_PRUNE_COUNTER,
	STMT_STATS_CHANNELS,
	STMT_STATS_UNHANDLED,
	STMT_STATS_KINDS,
	STMT_STATS_CLEAR,
	STMT_STATS_CLEAR_LATENCY,
	STMT_STATS_FILL,
	STMT_STATS_FILL_LATENCY,
	STMT_EVLIST_ALL,
	STMT_EVLIST_STATE,
	STMT_EVLIST_ROUTING,
	STMT_EVLIST_CHANNEL,
	STMT_EVLIST_Q,
	STMT_EVCOUNT_TOTAL,
	STMT_EVCOUNT_HOURS,
	STMT_EVENT_GET,
	STMT_EVENT_RAW,
	STMT_EVENT_STATE_IN,
	STMT_EVENT_ATTEMPTS,
	STMT_EVENT_CHANNELS,
	STMT_EVENT_MESSAGES,
	STMT_EVENT_FEED,
	STMT_EVENT_UNHANDLED,
	STMT_EVENT_RETRY,
	STMT_REQUEUE_COUNT,
	STMT_REQUEUE_FILTER,
	STMT_REPLAY_COUNT,
	STMT_REPLAY,
	STMT_EVENT_DELETE,
	STMT_DEAD_GROUPS,
	STMT_CHANNEL_LIST,
	STMT_CHANNEL_CONNECT,
	STMT_CHANNEL_BY_META,
	STMT_CHANNEL_IDS,
	STMT_REROUTE_FIND,
	STMT_REROUTE_SET,
	STMT_REROUTE_LAST,
	/* Connecting accounts (db_oauth.c). */
	STMT_OAUTH_NONCE_PRUNE,
	STMT_OAUTH_NONCE_ADD,
	STMT_META_LOGIN_PUT,
	STMT_OAUTH_PICK_PRUNE,
	STMT_OAUTH_PICK_ADD,
	STMT_OAUTH_PICK_TAKE,
	STMT_CHANNEL_LOGIN,
	STMT_OAUTH_CHANNELS_REVOKE,
	STMT_OAUTH_LOGINS_REVOKE,
	STMT_ERASE_CHANNEL_TOKENS,
	STMT_ERASE_LOGINS,
	STMT_ERASE_MESSAGES,
	STMT_ERASE_CONVERSATIONS,
	STMT_ERASE_CONTACTS,
	STMT_ERASE_SCAN,
	STMT_ERASE_MAX_ID,
	STMT_ERASE_EVENT_GET,
	STMT_ERASE_EVENT_PUT,
	STMT_DELETION_CLAIM,
	STMT_DELETION_BY_REQUEST,
	STMT_DELETION_DONE,
	STMT_DELETION_FIND,
	/* One contact, for access and erasure requests (db_contact.c). */
	STMT_CONTACT_GET,
	STMT_CONTACT_EXPORT,
	STMT_CONTACT_IDS,
	/* The outbound queue and the inbox's reads (db_outbox.c). */
	STMT_CONV_INFO,
	STMT_OUTBOX_MESSAGE,
	STMT_OUTBOX_INSERT,
	STMT_OUTBOX_BY_KEY,
	STMT_OUTBOX_LAPSED_LOG,
	STMT_OUTBOX_LAPSED,
	STMT_OUTBOX_UNKNOWN_DUE,
	STMT_OUTBOX_TAKE,
	STMT_OUTBOX_NEXT_DUE,
	STMT_OUTBOX_ATTEMPT,
	STMT_OUTBOX_SENT,
	STMT_OUTBOX_MSG_SENT,
	STMT_OUTBOX_REQUEUE,
	STMT_OUTBOX_FAIL,
	STMT_OUTBOX_MSG_FAIL,
	STMT_OUTBOX_TOKEN_INVALID,
	STMT_OUTBOX_RECONCILE,
	STMT_CONV_LIST,
	STMT_MSG_LIST,
	STMT_CHANNEL_SET_TOKEN,
	/* The inbox's actions on a conversation (db_outbox.c). */
	STMT_CONV_ASSIGN,
	STMT_CONV_STATUS,
	STMT_CONV_READ,
	/* A channel's actions (db_channel_act.c). */
	STMT_CHANNEL_GET,
	STMT_CHANNEL_RENAME,
	STMT_CHANNEL_FIELDS,
	STMT_CHANNEL_DISCONNECT,
	/* A channel moved to another workspace (db_channel_act.c). */
	STMT_CHANNEL_WORKSPACE,
	STMT_WORKSPACE_EXISTS,
	STMT_CHANNEL_MOVE,
	STMT_CHANNEL_MOVE_CONTACTS,
	STMT_CHANNEL_MOVE_CONVERSATIONS,
	STMT_CHANNEL_MOVE_OUTBOX,
	STMT_CHANNEL_MOVE_MEDIA,
	STMT_CHANNEL_FORGET_MESSAGES,
	STMT_CHANNEL_FORGET_CONVERSATIONS,
	STMT_CHANNEL_FORGET_CONTACTS,
	/* The send API: reactions, marking read, /api/outbox, a
	 * disconnected channel's sends (db_outbox.c). */
	STMT_OUTBOX_MSG_MID,
	STMT_OUTBOX_READ_INFO,
	STMT_OUTBOX_LIST,
	STMT_OUTBOX_ATTEMPTS,
	STMT_OUTBOX_RETRY,
	STMT_OUTBOX_RETRY_MSG,
	STMT_OUTBOX_GONE_MSG,
	STMT_OUTBOX_GONE,
	STMT_CHANNEL_SEND_SET,
	/* Unsent messages and WhatsApp templates (db_thread.c). */
	STMT_MESSAGE_UNSEND,
	STMT_TEMPLATE_FETCHED,
	STMT_TEMPLATE_CLEAR,
	STMT_TEMPLATE_PUT,
	STMT_TEMPLATE_STAMP,
	STMT_TEMPLATE_LIST,
	STMT_TEMPLATE_FIND,
	STMT_MESSAGE_UNSEND_MEDIA,
	STMT_CHANNEL_MESSAGES_SINCE,
	STMT_MESSAGE_UNSEND_ATTS,
	STMT_TEMPLATE_COMPONENTS,
	/* Inbound media and contact profiles (db_media.c). */
	STMT_MEDIA_FROM_MESSAGE,
	STMT_MEDIA_CANDIDATE,
	STMT_MEDIA_TAKE,
	STMT_MEDIA_READY,
	STMT_MEDIA_RETRY,
	STMT_MEDIA_GIVE_UP,
	STMT_MEDIA_NEXT_DUE,
	STMT_MEDIA_EXPIRED,
	STMT_MEDIA_EXPIRE,
	STMT_MEDIA_GET,
	STMT_MEDIA_OF_MESSAGE,
	STMT_MEDIA_PICTURE,
	STMT_MEDIA_IS_READY,
	STMT_PROFILE_CANDIDATE,
	STMT_PROFILE_TAKE,
	STMT_PROFILE_PICTURE_ADD,
	STMT_PROFILE_SET,
	STMT_MEDIA_GONE_LIST,
	STMT_MEDIA_GONE_DROP,
	/* Token and subscription checks (db_token.c). */
	STMT_TOKEN_SEED_CHANNELS,
	STMT_TOKEN_SEED_LOGINS,
	STMT_TOKEN_DUE,
	STMT_TOKEN_FACTS_SET,
	STMT_TOKEN_DUE_NOW,
	STMT_TOKEN_LOG_ADD,
	STMT_TOKEN_CHANNEL_SET,
	STMT_TOKEN_LOGIN_SET,
	STMT_TOKEN_FIELDS_SET,
	STMT_TOKEN_LOGIN_CHANNELS,
	STMT_TOKEN_STATES,
	STMT_TOKEN_STATE_ONE,
	STMT_TOKEN_LEVEL_SET,
	STMT_TOKEN_ALERTED,
	STMT_TOKEN_TRAFFIC,
	STMT_TOKEN_CHANNELS_EVENTS,
	STMT_TOKEN_SILENT_SET,
	STMT_TOKEN_LOG_PRUNE,
	STMT_TOKEN_RESUME,
	/* The outbound worker's batches, unknown outcomes and breakers
	 * (db_outbox.c). */
	STMT_OUTBOX_DUE_CHANNELS,
	STMT_OUTBOX_CANDIDATES_CH,
	STMT_OUTBOX_DEFER,
	STMT_OUTBOX_UNKNOWN_DEAD_MSG,
	STMT_OUTBOX_UNKNOWN_DEAD,
	STMT_BREAKER_SET,
	STMT_CHANNEL_SENDING,
	STMT_OUTBOX_DEPTH,
	STMT_BREAKER_LIST,
	/* Meta's events in full (db_detail.c). */
	STMT_DETAIL_MARK,
	STMT_DETAIL_EDIT_ADD,
	STMT_DETAIL_EDIT_ORIGINAL,
	STMT_DETAIL_EDIT_SHOW,
	STMT_DETAIL_REACTION,
	STMT_DETAIL_REFERRAL,
	STMT_DETAIL_OWNER,
	STMT_DETAIL_OPTIN,
	STMT_DETAIL_CONTACT_BY_PHONE,
	STMT_DETAIL_CONTACT_REKEY,
	STMT_DETAIL_CONTACT_PHONE,
	STMT_DETAIL_PRICING,
	STMT_DETAIL_WABA_NUMBERS,
	STMT_DETAIL_NOTICE,
	STMT_DETAIL_ACCOUNT_STATE,
	STMT_DETAIL_EVENT_TEST,
	STMT_DETAIL_CONTACT_NUMBER,
	STMT_DETAIL_FEED_REACTION,
	STMT_DETAIL_MESSAGE_KNOWN,
	STMT_DETAIL_MSG_GET,
	STMT_DETAIL_EDITS,
	STMT_DETAIL_CONV_GET,
	STMT_DETAIL_NOTICES,
	STMT_DETAIL_ACCOUNT_GET,
	STMT_DETAIL_EVENT_IS_TEST,
	STMT_DETAIL_EVENT_WABA,
	STMT_DETAIL_EVENT_WABA_MORE,
	STMT_DETAIL_TEMPLATE_STATUS,
	/* Forwarding: destinations, deliveries, attempts (db_fwd.c). */
	STMT_FWD_DEST_ADD,
	STMT_FWD_DEST_UPDATE,
	STMT_FWD_DEST_DELETE,
	STMT_FWD_DEST_GET,
	STMT_FWD_DEST_LIST,
	STMT_FWD_DEST_SECRET,
	STMT_FWD_DEST_KEYS,
	STMT_FWD_DUE,
	STMT_FWD_HEAD,
	STMT_FWD_NEXT_DUE,
	STMT_FWD_ATTEMPT_ADD,
	STMT_FWD_DELIVERY_SET,
	STMT_FWD_DEST_OUTCOME,
	STMT_FWD_DELIVERIES,
	STMT_FWD_DELIVERY_GET,
	STMT_FWD_ATTEMPTS,
	STMT_FWD_RESEND,
	STMT_FWD_RESEND_DEAD,
	STMT_FWD_REPLAY,
	STMT_FWD_TEST,
	STMT_FWD_PRUNE,
	/* Automation: rules, settings, seen messages, escalations, bot
	 * calls (db_auto.c). */
	STMT_AUTO_FORWARD,
	STMT_RULE_LIST,
	STMT_RULE_GET,
	STMT_RULE_COUNT,
	STMT_RULE_ADD,
	STMT_RULE_PUT,
	STMT_RULE_DELETE,
	STMT_AUTOSET_GET,
	STMT_AUTOSET_HANDOVER,
	STMT_AUTOSET_BOT,
	STMT_AUTOSET_HOURS,
	STMT_AUTO_EVENT_MSGS,
	STMT_AUTO_MSG,
	STMT_AUTO_SEEN,
	STMT_AUTO_SEEN_SET,
	STMT_AUTO_LOG,
	STMT_AUTO_FIRST,
	STMT_AUTO_REPLIES_HOUR,
	STMT_AUTO_ECHOED,
	STMT_AUTO_PREV_TEXT,
	STMT_AUTO_ENGAGED,
	STMT_AUTO_FAILURES,
	STMT_AUTO_TAG,
	STMT_AUTO_AUTHOR,
	STMT_AUTO_SUMMARY,
	STMT_AUTO_ESCALATE,
	STMT_AUTO_QUEUE_POS,
	STMT_AUTO_WAITS,
	STMT_BOT_ADD,
	STMT_BOT_DUE,
	STMT_BOT_TAKE,
	STMT_BOT_END,
	STMT_BOT_NEXT_DUE,
	STMT_BOT_HISTORY,
	STMT_AUTO_ESCALATION,
	STMT_AUTO_ALERT_DUE,
	STMT_AUTO_ALERTED,
	STMT_AUTO_WAIT_RULES,
	STMT_AUTO_WAIT_DUE,
	STMT_AUTO_WAITED,
	STMT_AUTO_AVAILABLE_SET,
	STMT_AUTO_AVAILABLE_GET,
	STMT_AUTO_AVAILABLE_COUNT,
	/* Groups of people (db_group.c). */
	STMT_GROUP_LIST,
	STMT_GROUP_COUNT,
	STMT_GROUP_ADD,
	STMT_GROUP_RENAME,
	STMT_GROUP_DELETE,
	STMT_GROUP_MEMBERS_CLEAR,
	STMT_GROUP_MEMBER_ADD,
	STMT_GROUP_FIND,
	STMT_GROUP_ASSIGN,
	STMT_GROUP_OF_CONV,
	STMT_GROUP_QUEUE_POS,
	STMT_GROUP_WAITS,
	STMT_GROUP_AVAILABLE,
	STMT_GROUP_PEOPLE,
	/* Conversation Routing with Meta's inbox (db_handover.c). */
	STMT_HANDOVER_TAKE_DUE,
	STMT_HANDOVER_STATE,
	/* Meta fidelity, the rest (db_merge.c, db_detail.c). */
	STMT_MERGE_MESSAGES,
	STMT_MERGE_OUTBOX,
	STMT_MERGE_AUTO_LOG,
	STMT_MERGE_TAGS,
	STMT_MERGE_BOT,
	STMT_MERGE_CONV_SUM,
	STMT_MERGE_CONV_DROP,
	STMT_MERGE_CONV_MOVE,
	STMT_MERGE_MEDIA,
	STMT_MERGE_FWD,
	STMT_MERGE_CONTACT,
	STMT_MERGE_CONTACT_DROP,
	STMT_MERGE_REKEY,
	STMT_HISTORY_INSERT,
	STMT_HISTORY_MEDIA,
	STMT_CONTACT_BOOK_NAME,
	STMT_RETENTION_GET,
	STMT_RETENTION_PUT,
	/* A conversation's state with its group, for the inbox's assign. */
	STMT_CONV_STATE,
	STMT__MAX
};

/* A channel lookup remembered for the rest of a write transaction:
 * while it holds the write lock nothing else can change channels. */
#define DB_CHAN_CACHE	8
struct db_chan {
	char		 kind[16];
	char		 meta_id[HG_META_ID_MAX + 1];
	long long	 id;		/* 0: there is no such channel */
	long long	 workspace;
	long long	 touched;	/* last_event_at set to this, or 0 */
};

struct db {
	sqlite3		*h;
	sqlite3_stmt	*st[STMT__MAX];
	enum db_err	 err;
	char		 msg[256];
	int		 txn;		/* inside db_begin's transaction */
	long long	 wal_frames;	/* see db_journal_size */
	struct db_chan	 chan[DB_CHAN_CACHE];
	int		 nchan;
	/* hubgate's own app ids (conf app_id, instagram_app_id; "" for
	 * none): an echo from them is hubgate's (db_app_ours). */
	char		 app_ids[2][HG_META_ID_MAX + 1];
};

/* The rank of a message status column in SQL: its enum msg_status
 * value (test_db_stmt holds the two together). */
#define DB_MSG_RANK(col)	"(CASE " col " WHEN 'received' THEN 0 " \
	"WHEN 'queued' THEN 1 WHEN 'sent' THEN 2 WHEN 'delivered' THEN 3 " \
	"WHEN 'read' THEN 4 WHEN 'failed' THEN 5 END)"

/* The latency bucket (db_stats.h) of the milliseconds expression d in
 * SQL, as schema.sql's triggers find it in latency_bucket. */
#define DB_LATENCY_BUCKET(d)	"(SELECT bucket FROM latency_bucket " \
	"WHERE le_ms >= " d " ORDER BY le_ms LIMIT 1)"

/* The prepared statement, reset and unbound; NULL on error. */
sqlite3_stmt	*db_stmt(struct db *, enum stmt);
/* Step a statement once, then reset it: for statements that return no
 * rows, or whose rows (RETURNING) the caller does not read; 0 or -1. */
int		 db_exec(struct db *, sqlite3_stmt *);
/* Text column i of st into out ("" for NULL; cut to outsz - 1 bytes). */
void		 db_col_copy(sqlite3_stmt *, int i, char *out, size_t outsz);
/* db_stmt + db_exec for a statement without parameters. */
int		 db_run(struct db *, enum stmt);
/* Run delete statement s bound to (before, limit): *deleted the rows it
 * removed; 0 or -1.  The prunes of the logs (audit, token). */
int		 db_run_prune(struct db *, enum stmt s, long long before,
		    int limit, long long *deleted);
/* The first column of the one row of a statement without parameters;
 * 0 or -1. */
int		 db_int(struct db *, enum stmt, long long *);
/* Call fn with each row of statement s bound to (key, max) whose
 * columns are four texts and an integer (the bot's history, a
 * channel's notices); 0 or -1. */
int		 db_each_4t1i(struct db *, enum stmt s, long long key, int max,
		    void (*fn)(void *, const char *, const char *, const char *,
		    const char *, long long), void *arg);
/* Read up to max integers, the first column of st's rows (st bound by
 * the caller), into v (*n of them); 0 or -1. */
int		 db_read_ints(struct db *, sqlite3_stmt *st, long long *v,
		    size_t max, size_t *n);
/* Record the error of SQLite result code rc; returns -1. */
int		 db_fail(struct db *, int rc);

/* The first event received at from_ms or later (its id), or one past
 * the last event when there is none: ids order arrival times, so this
 * is a bisection (db_queue.c).  0 or -1. */
int		 db_event_id_from(struct db *, long long from_ms, long long *out);

/* Bind a string, or NULL when s is NULL. */
void		 db_bind_text(sqlite3_stmt *, int, const char *);

/* What the operations on events share (db_ops.c, db_ops_act.c). */
struct db_scope;
struct db_event_filter;
/* The text of column i, or NULL. */
const char	*db_ops_text(sqlite3_stmt *, int i);
/* Bind the scope and the filter of a list statement (db.c: ?1 to ?8;
 * the id range [lo, hi)). */
void		 db_ops_bind_filter(sqlite3_stmt *, const struct db_scope *,
		    const struct db_event_filter *, long long lo, long long hi);
/* The ids [*lo, *hi) of the events received in f's time range, and
 * below before (0: no bound); 0 or -1. */
int		 db_ops_id_range(struct db *, const struct db_event_filter *,
		    long long before, long long *lo, long long *hi);
/* Prepare a statement about one event of the scope (?1 workspace, ?2
 * operator, ?3 the id); NULL on error. */
sqlite3_stmt	*db_ops_one_event(struct db *, enum stmt,
		    const struct db_scope *, long long id);

#endif
