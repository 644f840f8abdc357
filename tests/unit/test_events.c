/*
 * Unit tests for lib/events through lib/queue: every webhook payload in
 * tests/data and many variants become exactly the expected contacts,
 * conversations, messages, feed items and ledger rows; processing twice
 * changes nothing; statuses never move backwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_channel.h"
#include "db_event.h"
#include "queue.h"
#include "test.h"

static char		 dir[256], dbpath[512];
static struct conf	*conf;
static struct db	*db;
static sqlite3		*peek;	/* a second connection, to look */
static long long	 seq;

/* The first column of the first row of sql, as text ("" when none). */
static const char *
q(const char *sql)
{
	static char	 out[4096];
	sqlite3_stmt	*st;

	out[0] = '\0';
	if (sqlite3_prepare_v2(peek, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(out, sizeof(out), "SQL ERROR: %s", sqlite3_errmsg(peek));
		return out;
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof(out), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static long long
qi(const char *sql)
{
	return strtoll(q(sql), NULL, 10);
}

/* Store body as a new event and run the queue; the event's state. */
static const char *
feed(const char *body)
{
	unsigned char	 h[32];
	char		 hex[65], salted[80], sql[256];
	struct db_event	 e;
	struct queue_opts o;
	struct queue_stats st;
	long long	 id;

	/* A unique hash even when the same body is fed twice. */
	snprintf(salted, sizeof(salted), "%lld", ++seq);
	crypto_sha256(salted, strlen(salted), h);
	crypto_hex(h, sizeof(h), hex);
	memset(&e, 0, sizeof(e));
	e.body = body;
	e.len = strlen(body);
	e.sha256 = hex;
	e.signature = "sha256=test";
	e.received_ms = 1763856000000LL + seq;
	e.object = "page";
	e.entry_ids = "[]";
	e.phone_ids = "[]";
	e.routing = ROUTING_ROUTED;
	e.state = EVENT_PENDING;
	if (db_begin(db) == -1 || db_event_insert(db, &e, &id) != 1 ||
	    db_commit(db) == -1)
		return "insert failed";
	queue_opts_conf(&o, conf);
	memset(&st, 0, sizeof(st));
	if (queue_run(db, &o, &st) == -1)
		return "queue failed";
	snprintf(sql, sizeof(sql), "SELECT state FROM webhook_event WHERE id = %lld", id);
	return q(sql);
}

/* The webhook payload tests/data/NAME; valid until the next call. */
static const char *
payload(const char *name)
{
	static char	*p;

	free(p);
	p = test_fixture(name, NULL);
	return p;
}

static long long
count(const char *table)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return qi(sql);
}

/* Run sql on a connection of its own (to set up what no API sets). */
static void
write_sql(const char *sql)
{
	sqlite3	*w;

	if (sqlite3_open(dbpath, &w) != SQLITE_OK ||
	    sqlite3_exec(w, sql, NULL, NULL, NULL) != SQLITE_OK)
		printf("# write_sql: %s\n", sqlite3_errmsg(w));
	sqlite3_close(w);
}

static void
setup(void)
{
	char	 text[1024], err[512];
	long long id;

	snprintf(dir, sizeof(dir), "/tmp/hubgate-events.XXXXXX");
	if (mkdtemp(dir) == NULL)
		exit(1);
	snprintf(dbpath, sizeof(dbpath), "%s/t.db", dir);
	snprintf(text, sizeof(text), "db_path = %s\nretry_schedule = 1,2\napp_id = 1234567890\n", dbpath);
	conf = conf_load_string(text, "t.conf", err, sizeof(err));
	if (conf == NULL || (db = db_open(conf, 0, err, sizeof(err))) == NULL) {
		printf("# setup: %s\n", err);
		exit(1);
	}
	db_channel_add(db, "page", "104857600000001", "Shop", &id);
	db_channel_add(db, "page", "104857600000002", "Shop 2", &id);
	db_channel_add(db, "instagram", "17841400000000001", "IG", &id);
	db_channel_add(db, "whatsapp", "106540352242922", "WA", &id);
	sqlite3_open_v2(dbpath, &peek, SQLITE_OPEN_READONLY, NULL);
	sqlite3_busy_timeout(peek, 5000);
	/* The WhatsApp number belongs to the WABA of the account events. */
	write_sql("UPDATE channel SET parent_meta_id = '102290129340398' "
	    "WHERE meta_id = '106540352242922';"
	    "INSERT INTO wa_template (channel_id, name, language, status, category) "
	    "SELECT id, 'order_update', 'en_US', 'APPROVED', 'UTILITY' FROM channel WHERE meta_id = '106540352242922'");
}

static void
test_payloads(void)
{
	EQ_STR(feed(payload("messenger-text.json")), "processed", "messenger-text processed");
	EQ_STR(q("SELECT text FROM message WHERE meta_message_id = 'm_AbCdEf0123456789-first'"),
	    "Hi! Do you ship to Lisbon?", "messenger text stored");
	EQ_STR(q("SELECT direction || ' ' || kind || ' ' || status || ' ' || sent_ms FROM message WHERE meta_message_id = 'm_AbCdEf0123456789-first'"),
	    "in text received 1763856000001", "messenger message shape");
	EQ_STR(q("SELECT meta_user_id FROM contact JOIN channel ON channel.id = contact.channel_id WHERE channel.meta_id = '104857600000001'"),
	    "7300000000000001", "contact keyed by PSID on the Page");
	EQ_INT(qi("SELECT unread FROM conversation"), 1, "conversation unread 1");
	EQ_INT(qi("SELECT last_inbound_ms FROM conversation"), 1763856000001LL, "24h window starts at the message");

	EQ_STR(feed(payload("messenger-mixed-batch.json")), "processed", "mixed batch processed");
	EQ_STR(q("SELECT payload FROM message WHERE meta_message_id = 'm_batch-0001'"), "PICK_RED", "quick reply payload kept");
	EQ_STR(q("SELECT kind || ' ' || text || ' ' || payload FROM message WHERE meta_message_id = 'm_batch-0002'"),
	    "postback Get Started GET_STARTED", "postback stored");
	EQ_STR(q("SELECT direction || ' ' || status FROM message WHERE meta_message_id = 'm_echo-0001'"), "out sent", "echo recorded as outbound");
	EQ_STR(q("SELECT kind || ' ' || attachments FROM message WHERE meta_message_id = 'm_batch-0003'"),
	    "attachment [{\"type\":\"image\",\"url\":\"https://scontent.example/photo.jpg\"}]", "attachment from the second entry");
	EQ_STR(q("SELECT c.meta_id FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN channel c ON c.id = v.channel_id WHERE m.meta_message_id = 'm_batch-0003'"),
	    "104857600000002", "second entry routed to the second Page");

	EQ_STR(feed(payload("messenger-standby.json")), "processed", "standby processed");
	EQ_STR(q("SELECT v.thread_owner FROM message m JOIN conversation v ON v.id = m.conversation_id WHERE m.meta_message_id = 'm_standby-0001'"),
	    "other", "standby thread owned by another app");

	EQ_STR(feed(payload("instagram-text.json")), "processed", "instagram processed");
	EQ_STR(q("SELECT text FROM message WHERE meta_message_id LIKE 'aWdf%'"),
	    "Is this still available? \xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80", "instagram text with escapes decoded");

	EQ_STR(feed(payload("whatsapp-text.json")), "processed", "whatsapp text processed");
	EQ_STR(q("SELECT name FROM contact WHERE meta_user_id = '16505551234'"), "Sheena Nelson", "whatsapp profile name");
	EQ_STR(q("SELECT text || ' ' || sent_ms FROM message WHERE meta_message_id LIKE 'wamid.HBgL%'"),
	    "Hello, I need help with my order 1763856400000", "whatsapp text, string timestamp in seconds");

	EQ_STR(feed(payload("whatsapp-status.json")), "processed", "whatsapp statuses processed");
	EQ_STR(q("SELECT direction || ' ' || status FROM message WHERE meta_message_id = 'wamid.OUT0000000000000000000001'"),
	    "out delivered", "status for an unknown wamid records the message");
	EQ_STR(q("SELECT status || ' ' || error_code FROM message WHERE meta_message_id = 'wamid.OUT0000000000000000000002'"),
	    "failed 131047", "failed status keeps the error code");
	EQ_STR(q("SELECT error FROM message WHERE meta_message_id = 'wamid.OUT0000000000000000000002'"),
	    "Re-engagement message", "failed status keeps the error title");

	EQ_STR(feed(payload("feed-comment.json")), "processed", "feed comment processed");
	EQ_STR(q("SELECT item || ' ' || from_name || ' ' || message || ' ' || status FROM feed_item WHERE meta_id = '778899_901234'"),
	    "comment Ann Example What's the price? visible", "feed comment stored");
}

static void
test_idempotent(void)
{
	long long m = count("message"), c = count("contact"), v = count("conversation");
	long long f = count("feed_item");
	long long unread = qi("SELECT sum(unread) FROM conversation");

	feed(payload("messenger-text.json"));
	feed(payload("messenger-mixed-batch.json"));
	feed(payload("whatsapp-text.json"));
	feed(payload("whatsapp-status.json"));
	feed(payload("feed-comment.json"));
	feed(payload("instagram-text.json"));
	EQ_INT(count("message"), m, "replayed events add no message");
	EQ_INT(count("contact"), c, "replayed events add no contact");
	EQ_INT(count("conversation"), v, "replayed events add no conversation");
	EQ_INT(count("feed_item"), f, "replayed events add no feed item");
	EQ_INT(qi("SELECT sum(unread) FROM conversation"), unread, "replays do not count unread again");
}

static void
test_variants(void)
{
	/* Numbers as strings, seconds vs milliseconds. */
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"time\":\"1763856000\",\"messaging\":["
	    "{\"sender\":{\"id\":\"9001\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":\"1763856001\",\"message\":{\"mid\":\"m_v1\",\"text\":\"a\"}},"
	    "{\"sender\":{\"id\":9002},\"recipient\":{\"id\":104857600000001},\"timestamp\":1763856002000,\"message\":{\"mid\":\"m_v2\",\"text\":\"b\"}}]}]}");
	EQ_INT(qi("SELECT sent_ms FROM message WHERE meta_message_id = 'm_v1'"), 1763856001000LL, "string seconds timestamp");
	EQ_INT(qi("SELECT sent_ms FROM message WHERE meta_message_id = 'm_v2'"), 1763856002000LL, "number ms timestamp");
	EQ_INT(qi("SELECT count(*) FROM contact WHERE meta_user_id = '9002'"), 1, "numeric sender id");

	/* A malformed item inside a good batch: the rest is processed. */
	EQ_STR(feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":["
	    "{\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1,\"message\":{\"mid\":\"m_bad\",\"text\":\"x\"}},"
	    "\"not an object\","
	    "{\"sender\":{\"id\":\"9003\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763856003000,\"message\":{\"mid\":\"m_good\",\"text\":\"ok\"}}]}]}"),
	    "processed", "batch with malformed items processed");
	EQ_INT(qi("SELECT count(*) FROM message WHERE meta_message_id = 'm_good'"), 1, "good item after bad ones stored");
	EQ_INT(qi("SELECT count(*) FROM message WHERE meta_message_id = 'm_bad'"), 0, "item without sender not stored");
	EQ_INT(qi("SELECT count FROM unhandled WHERE type = 'messaging.malformed'"), 2, "malformed items counted in the ledger");

	/* Unknown kinds are counted, not dropped. */
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":["
	    "{\"sender\":{\"id\":\"9004\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1,\"optin\":{\"ref\":\"x\"}},"
	    "{\"sender\":{\"id\":\"9004\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":2,\"brand_new_thing\":{}}]}]}");
	EQ_STR(q("SELECT json_extract(optin, '$.ref') || ' ' || json_extract(optin, '$.at_ms') FROM contact WHERE meta_user_id = '9004'"), "x 1000", "optin stored on the contact");
	EQ_INT(qi("SELECT count(*) FROM unhandled WHERE type = 'messaging.optin'"), 0, "optin not counted as unhandled");
	EQ_INT(qi("SELECT count FROM unhandled WHERE type = 'messaging.brand_new_thing'"), 1, "unknown item kind counted");
	EQ_INT(qi("SELECT sample_event_id > 0 FROM unhandled WHERE type = 'messaging.brand_new_thing'"), 1, "ledger keeps a sample event");
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":["
	    "{\"sender\":{\"id\":\"9990\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763863600000,\"account_linking\":{\"status\":\"linked\"}},"
	    "{\"sender\":{\"id\":\"9991\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763863600000,\"delivery\":{\"mids\":[\"m_nobody\"]}}]}]}");
	EQ_INT(qi("SELECT count(*) FROM contact WHERE meta_user_id IN ('9990', '9991')"), 0, "a counted kind or a receipt without watermark creates no contact (no empty conversation)");
	EQ_INT(qi("SELECT count FROM unhandled WHERE type = 'messaging.account_linking'"), 1, "... and the kind is counted");
	feed("{\"object\":\"user\",\"entry\":[{\"id\":\"1\",\"changes\":[]}]}");
	EQ_INT(qi("SELECT count FROM unhandled WHERE object = 'user' AND type = 'object'"), 1, "unknown object counted");
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"555\",\"messaging\":[{\"sender\":{\"id\":\"1\"},\"recipient\":{\"id\":\"555\"},\"timestamp\":1,\"message\":{\"mid\":\"m_unrouted\",\"text\":\"x\"}}]}]}");
	EQ_INT(qi("SELECT count FROM unhandled WHERE type = 'entry.unrouted'"), 1, "entry for an unknown Page counted");
	EQ_INT(qi("SELECT count(*) FROM message WHERE meta_message_id = 'm_unrouted'"), 0, "and not stored as a message");

	/* Messenger: our outbound, then delivery by mids and read by watermark. */
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":["
	    "{\"sender\":{\"id\":\"104857600000001\"},\"recipient\":{\"id\":\"9005\"},\"timestamp\":1763856010000,\"message\":{\"is_echo\":true,\"mid\":\"m_o1\",\"text\":\"one\"}},"
	    "{\"sender\":{\"id\":\"104857600000001\"},\"recipient\":{\"id\":\"9005\"},\"timestamp\":1763856020000,\"message\":{\"is_echo\":true,\"mid\":\"m_o2\",\"text\":\"two\"}},"
	    "{\"sender\":{\"id\":\"104857600000001\"},\"recipient\":{\"id\":\"9005\"},\"timestamp\":1763856030000,\"message\":{\"is_echo\":true,\"mid\":\"m_o3\",\"text\":\"three\"}}]}]}");
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":["
	    "{\"sender\":{\"id\":\"9005\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763856040000,\"read\":{\"watermark\":1763856020000}}]}]}");
	EQ_STR(q("SELECT group_concat(status, ',') FROM (SELECT status FROM message WHERE meta_message_id IN ('m_o1','m_o2','m_o3') ORDER BY sent_ms)"),
	    "read,read,sent", "read watermark covers earlier outbound messages only");
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":["
	    "{\"sender\":{\"id\":\"9005\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763856041000,\"delivery\":{\"watermark\":1763856030000}}]}]}");
	EQ_STR(q("SELECT group_concat(status, ',') FROM (SELECT status FROM message WHERE meta_message_id IN ('m_o1','m_o2','m_o3') ORDER BY sent_ms)"),
	    "read,read,delivered", "late delivery never moves read back");
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":["
	    "{\"sender\":{\"id\":\"9005\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763856042000,\"delivery\":{\"mids\":[\"m_o1\"],\"watermark\":1}}]}]}");
	EQ_STR(q("SELECT status FROM message WHERE meta_message_id = 'm_o1'"), "read", "delivery by mids never moves read back");

	/* WhatsApp statuses out of order: read, then delivered, then sent. */
	feed("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"106540352242922\"},\"statuses\":["
	    "{\"id\":\"wamid.X1\",\"status\":\"read\",\"timestamp\":\"1763856103\",\"recipient_id\":\"16505551234\"},"
	    "{\"id\":\"wamid.X1\",\"status\":\"delivered\",\"timestamp\":\"1763856102\",\"recipient_id\":\"16505551234\"},"
	    "{\"id\":\"wamid.X1\",\"status\":\"sent\",\"timestamp\":\"1763856101\",\"recipient_id\":\"16505551234\"}]}}]}]}");
	EQ_STR(q("SELECT status FROM message WHERE meta_message_id = 'wamid.X1'"), "read", "out-of-order WhatsApp statuses end at read");

	/* WhatsApp message types. */
	feed("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"106540352242922\"},\"messages\":["
	    "{\"from\":\"16505550001\",\"id\":\"wamid.I1\",\"timestamp\":\"1763856200\",\"type\":\"image\",\"image\":{\"id\":\"media1\",\"mime_type\":\"image/jpeg\",\"caption\":\"look\"}},"
	    "{\"from\":\"16505550001\",\"id\":\"wamid.L1\",\"timestamp\":\"1763856201\",\"type\":\"location\",\"location\":{\"latitude\":38.7,\"longitude\":-9.1}},"
	    "{\"from\":\"16505550001\",\"id\":\"wamid.B1\",\"timestamp\":\"1763856202\",\"type\":\"interactive\",\"interactive\":{\"type\":\"button_reply\",\"button_reply\":{\"id\":\"YES\",\"title\":\"Yes\"}}},"
	    "{\"from\":\"16505550001\",\"id\":\"wamid.R1\",\"timestamp\":\"1763856203\",\"type\":\"reaction\",\"reaction\":{\"message_id\":\"wamid.I1\",\"emoji\":\"X\"}},"
	    "{\"from\":\"16505550001\",\"id\":\"wamid.U1\",\"timestamp\":\"1763856204\",\"type\":\"hologram\",\"hologram\":{\"z\":1}},"
	    "{\"id\":\"wamid.bad\"}]}}]}]}");
	EQ_STR(q("SELECT kind || ' ' || text || ' ' || attachments FROM message WHERE meta_message_id = 'wamid.I1'"),
	    "image look [{\"type\":\"image\",\"id\":\"media1\",\"mime_type\":\"image/jpeg\"}]", "whatsapp image");
	EQ_STR(q("SELECT kind || ' ' || raw FROM message WHERE meta_message_id = 'wamid.L1'"),
	    "location {\"latitude\":38.7,\"longitude\":-9.1}", "whatsapp location kept raw");
	EQ_STR(q("SELECT text || ' ' || payload FROM message WHERE meta_message_id = 'wamid.B1'"), "Yes YES", "interactive reply");
	EQ_STR(q("SELECT text || ' ' || reply_to FROM message WHERE meta_message_id = 'reaction:16505550001:wamid.I1'"), "X wamid.I1", "reaction, one row per person and message");
	EQ_STR(q("SELECT kind || ' ' || raw FROM message WHERE meta_message_id = 'wamid.U1'"), "hologram {\"z\":1}", "unknown type kept raw");
	EQ_INT(qi("SELECT count FROM unhandled WHERE type = 'messages.hologram'"), 1, "unknown type counted");
	EQ_INT(qi("SELECT count FROM unhandled WHERE type = 'messages.malformed'"), 1, "malformed WhatsApp message counted");

	/* Feed: edit then remove; an older edit arriving late changes nothing. */
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"changes\":[{\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"edited\",\"comment_id\":\"778899_901234\",\"message\":\"What's the price now?\",\"created_time\":1763856700}}]}]}");
	EQ_STR(q("SELECT message FROM feed_item WHERE meta_id = '778899_901234'"), "What's the price now?", "comment edit applied");
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"changes\":[{\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"remove\",\"comment_id\":\"778899_901234\",\"created_time\":1763856800}}]}]}");
	EQ_STR(q("SELECT status || ' ' || message FROM feed_item WHERE meta_id = '778899_901234'"), "removed What's the price now?", "comment removal applied");
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"changes\":[{\"field\":\"feed\",\"value\":{\"item\":\"comment\",\"verb\":\"edited\",\"comment_id\":\"778899_901234\",\"message\":\"old\",\"created_time\":1763856750}}]}]}");
	EQ_STR(q("SELECT status || ' ' || message FROM feed_item WHERE meta_id = '778899_901234'"), "removed What's the price now?", "an older edit arriving late changes nothing");
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"changes\":[{\"field\":\"feed\",\"value\":{\"item\":\"reaction\",\"verb\":\"add\"}}]}]}");
	EQ_INT(qi("SELECT count FROM unhandled WHERE type = 'changes.feed.reaction.malformed'"), 1, "a feed reaction without its post or person counted as malformed");

	/* Reactions, postback without mid, reply_to. */
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":["
	    "{\"sender\":{\"id\":\"9006\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763856500000,\"reaction\":{\"mid\":\"m_o1\",\"action\":\"react\",\"emoji\":\"Y\",\"reaction\":\"love\"}},"
	    "{\"sender\":{\"id\":\"9006\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763856501000,\"postback\":{\"title\":\"Menu\",\"payload\":\"MENU\"}},"
	    "{\"sender\":{\"id\":\"9006\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763856502000,\"message\":{\"mid\":\"m_r1\",\"text\":\"re\",\"reply_to\":{\"mid\":\"m_o2\"}}}]}]}");
	EQ_STR(q("SELECT kind || ' ' || text || ' ' || reply_to FROM message WHERE meta_message_id LIKE 'reaction:9006:%'"), "reaction Y m_o1", "reaction stored against its message");
	EQ_STR(q("SELECT text || ' ' || payload FROM message WHERE meta_message_id LIKE 'postback:9006:%'"), "Menu MENU", "postback without mid gets a derived key");
	EQ_STR(q("SELECT reply_to FROM message WHERE meta_message_id = 'm_r1'"), "m_o2", "reply_to kept");

	/* Unsend: the message marked and its text erased, a row that
	 * refers to it (not unread); a location's place kept. */
	EQ_INT(qi("SELECT unread FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '9006'"), 3, "three unread before the unsend");
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":["
	    "{\"sender\":{\"id\":\"9006\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763856503000,\"message\":{\"mid\":\"m_r1\",\"is_deleted\":true}},"
	    "{\"sender\":{\"id\":\"9006\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763856504000,\"message\":{\"mid\":\"m_l1\",\"attachments\":[{\"type\":\"location\",\"title\":\"Shop\",\"payload\":{\"coordinates\":{\"lat\":52.5,\"long\":13.25}}}]}}]}]}");
	EQ_STR(q("SELECT coalesce(text, 'NULL') || ' ' || (unsent_ms = 1763856503000) FROM message WHERE meta_message_id = 'm_r1'"), "NULL 1", "an unsent message: marked, its text erased");
	EQ_STR(q("SELECT kind || ' ' || reply_to FROM message WHERE meta_message_id = 'unsend:m_r1'"), "unsend m_r1", "... and a row refers to it");
	EQ_INT(qi("SELECT unread FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '9006'"), 4, "the unsend is not unread (the location is)");
	EQ_STR(q("SELECT kind || ' ' || raw FROM message WHERE meta_message_id = 'm_l1'"), "location {\"latitude\":52.5,\"longitude\":13.25,\"name\":\"Shop\"}", "a location keeps its place");

	/* Handover. */
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":["
	    "{\"sender\":{\"id\":\"9006\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763856600000,\"take_thread_control\":{\"previous_owner_app_id\":1}}]}]}");
	EQ_STR(q("SELECT v.thread_owner FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '9006'"), "other", "take_thread_control hands the thread away");
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":["
	    "{\"sender\":{\"id\":\"9006\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763856601000,\"pass_thread_control\":{\"new_owner_app_id\":1}}]}]}");
	EQ_STR(q("SELECT v.thread_owner FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '9006'"), "us", "pass_thread_control gives it back");

	/* Invalid bodies are not errors: processed with a ledger row. */
	EQ_STR(feed("{\"entry\":[]}"), "processed", "body without object processed");
}

/* Meta's message ids are unique within a channel only (and a fixture may
 * be replayed on several): the same mid on two Pages and the same wamid
 * on two WhatsApp numbers are two messages, and a receipt or status on
 * one channel moves only that channel's message. */
static void
test_mid_per_channel(void)
{
	long long id;

	db_channel_add(db, "whatsapp", "106540352242999", "WA 2", &id);
	feed("{\"object\":\"page\",\"entry\":["
	    "{\"id\":\"104857600000001\",\"messaging\":[{\"sender\":{\"id\":\"104857600000001\"},\"recipient\":{\"id\":\"9101\"},\"timestamp\":1763857000000,\"message\":{\"is_echo\":true,\"mid\":\"m_shared\",\"text\":\"from one\"}}]},"
	    "{\"id\":\"104857600000002\",\"messaging\":[{\"sender\":{\"id\":\"104857600000002\"},\"recipient\":{\"id\":\"9101\"},\"timestamp\":1763857000000,\"message\":{\"is_echo\":true,\"mid\":\"m_shared\",\"text\":\"from two\"}}]}]}");
	EQ_STR(q("SELECT group_concat(x, ',') FROM (SELECT c.meta_id || ':' || m.text AS x FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN channel c ON c.id = v.channel_id WHERE m.meta_message_id = 'm_shared' ORDER BY c.meta_id)"),
	    "104857600000001:from one,104857600000002:from two", "the same mid on two Pages: both stored");
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000002\",\"messaging\":["
	    "{\"sender\":{\"id\":\"9101\"},\"recipient\":{\"id\":\"104857600000002\"},\"timestamp\":1763857001000,\"delivery\":{\"mids\":[\"m_shared\"]}}]}]}");
	EQ_STR(q("SELECT group_concat(x, ',') FROM (SELECT c.meta_id || ':' || m.status AS x FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN channel c ON c.id = v.channel_id WHERE m.meta_message_id = 'm_shared' ORDER BY c.meta_id)"),
	    "104857600000001:sent,104857600000002:delivered", "a delivery on one Page moves only its message");

	feed("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":["
	    "{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"106540352242922\"},\"messages\":[{\"from\":\"16505550101\",\"id\":\"wamid.SHARED\",\"timestamp\":\"1763857100\",\"type\":\"text\",\"text\":{\"body\":\"to one\"}}],"
	    "\"statuses\":[{\"id\":\"wamid.OUTSHARED\",\"status\":\"sent\",\"timestamp\":\"1763857101\",\"recipient_id\":\"16505550101\"}]}},"
	    "{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"106540352242999\"},\"messages\":[{\"from\":\"16505550101\",\"id\":\"wamid.SHARED\",\"timestamp\":\"1763857100\",\"type\":\"text\",\"text\":{\"body\":\"to two\"}}],"
	    "\"statuses\":[{\"id\":\"wamid.OUTSHARED\",\"status\":\"sent\",\"timestamp\":\"1763857101\",\"recipient_id\":\"16505550101\"}]}}]}]}");
	EQ_STR(q("SELECT group_concat(x, ',') FROM (SELECT c.meta_id || ':' || m.text AS x FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN channel c ON c.id = v.channel_id WHERE m.meta_message_id = 'wamid.SHARED' ORDER BY c.meta_id)"),
	    "106540352242922:to one,106540352242999:to two", "the same wamid on two numbers: both stored");
	EQ_INT(qi("SELECT count(*) FROM message WHERE meta_message_id = 'wamid.OUTSHARED' AND status = 'sent'"), 2,
	    "a status for an unknown wamid on each number records one message each");
	feed("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":["
	    "{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"106540352242999\"},"
	    "\"statuses\":[{\"id\":\"wamid.OUTSHARED\",\"status\":\"read\",\"timestamp\":\"1763857102\",\"recipient_id\":\"16505550101\"}]}}]}]}");
	EQ_STR(q("SELECT group_concat(x, ',') FROM (SELECT c.meta_id || ':' || m.status AS x FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN channel c ON c.id = v.channel_id WHERE m.meta_message_id = 'wamid.OUTSHARED' ORDER BY c.meta_id)"),
	    "106540352242922:sent,106540352242999:read", "a status on one number moves only its message");
}

/* Every kind of issue 21's list, from the payloads in tests/data. */
static const char *const fidelity_payloads[] = {
	"whatsapp-username.json", "whatsapp-username-link.json",
	"messenger-edit.json", "instagram-edit.json",
	"whatsapp-edit-revoke.json", "instagram-unsend.json",
	"messenger-reactions.json", "instagram-reaction.json",
	"whatsapp-reaction.json", "messenger-referral.json",
	"whatsapp-referral.json", "messenger-optin.json",
	"messenger-handover.json", "instagram-standby.json",
	"whatsapp-smb-echo.json", "whatsapp-status-errors.json",
	"whatsapp-account.json", "whatsapp-account-relief.json",
	"whatsapp-types.json", "whatsapp-calls.json", "odd-shapes.json",
	"test-button-page.json", "test-button-whatsapp.json",
	"test-button-instagram.json", "instagram-comments.json",
	"feed-reactions.json", "whatsapp-standby.json",
	"messenger-calls.json", "whatsapp-call-status.json",
	"whatsapp-history.json", "whatsapp-history-media.json",
	"whatsapp-state-sync.json", NULL
};

/* The message row of mid as "kind|direction|text|...": what the inbox
 * reads. */
#define ROW(cols, mid) q("SELECT " cols " FROM message WHERE meta_message_id = '" mid "'")

static void
test_fidelity(void)
{
	char		 name[128];
	long long	 unhandled0 = qi("SELECT coalesce(sum(count), 0) FROM unhandled");
	long long	 malformed0 = qi("SELECT coalesce(sum(count), 0) FROM unhandled WHERE type = 'changes.malformed'");
	int		 i;

	for (i = 0; fidelity_payloads[i] != NULL; i++) {
		snprintf(name, sizeof(name), "%s processed", fidelity_payloads[i]);
		EQ_STR(feed(payload(fidelity_payloads[i])), "processed", name);
	}

	/* WhatsApp usernames: keyed on the user id; a number-only contact
	 * takes the user id when both come; statuses by user id. */
	EQ_STR(q("SELECT c.meta_user_id || '|' || coalesce(c.phone, 'NULL') || '|' || c.name FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE m.meta_message_id = 'wamid.USR0000000000000000000001'"),
	    "US.13491208655302741918|NULL|Noa", "a message without a number is stored, its contact keyed on the user id");
	EQ_STR(q("SELECT group_concat(m.meta_message_id, ',') FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = 'US.55500000000000000777' AND c.phone = '16505550777'"),
	    "wamid.USR0000000000000000000002,wamid.USR0000000000000000000003", "a later message with both links number and user id to one contact");
	EQ_INT(qi("SELECT count(*) FROM contact WHERE meta_user_id = '16505550777'"), 0, "no second contact for the number");
	EQ_STR(q("SELECT c.meta_user_id || '|' || m.status || '|' || json_extract(m.pricing, '$.category') FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE m.meta_message_id = 'wamid.OUTUSR000000000000000000001'"),
	    "US.13491208655302741918|delivered|utility", "a status with recipient_user_id finds the user's thread, pricing kept");

	/* Edits: the newest text shown, the history kept (also for an edit
	 * that came before its message). */
	EQ_STR(ROW("text || '|' || edited_ms", "m_edit-0001"), "See you at 7|1763861120000", "Messenger edit: the newest text, marked edited");
	EQ_STR(q("SELECT group_concat(text || '@' || coalesce(num_edit, 'NULL'), ',') FROM (SELECT text, num_edit FROM message_edit WHERE meta_message_id = 'm_edit-0001' ORDER BY edited_ms)"),
	    "See you at 5@0,See you at 6@1,See you at 7@2", "edit history with the original (num_edit as a string too)");
	EQ_STR(ROW("text || '|' || edited_ms", "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx-edit"), "Size M, not L|1763861200000", "Instagram edit arriving before its message applied when it comes");
	EQ_STR(ROW("text || '|' || edited_ms", "wamid.EDT0000000000000000000001"), "Order 42|1763861360000", "WhatsApp edit");
	EQ_INT(qi("SELECT count(*) FROM message WHERE meta_message_id = 'wamid.EDT0000000000000000000002'"), 0, "an edit is not a new message");

	/* Unsend / revoke. */
	EQ_STR(ROW("coalesce(text, 'NULL') || '|' || unsent_ms", "wamid.EDT0000000000000000000003"), "NULL|1763861460000", "WhatsApp revoke: marked deleted, text erased");
	EQ_STR(ROW("kind || '|' || reply_to", "unsend:wamid.EDT0000000000000000000003"), "unsend|wamid.EDT0000000000000000000003", "... with a row that refers to it");
	EQ_STR(ROW("coalesce(text, 'NULL') || '|' || unsent_ms", "aWdf-unsend-0001"), "NULL|1763861510000", "Instagram is_deleted: marked deleted");

	/* Reactions: the latest per person, removal kept as "". */
	EQ_STR(q("SELECT group_concat(meta_message_id || '=' || text, ',') FROM (SELECT meta_message_id, text FROM message WHERE kind = 'reaction' AND reply_to = 'm_edit-0001' ORDER BY meta_message_id)"),
	    "reaction:7300000000000011:m_edit-0001=,reaction:7300000000000012:m_edit-0001=\xf0\x9f\x98\x82",
	    "Messenger: a removal empties the reaction; an older reaction arriving late changes nothing");
	EQ_STR(ROW("text", "reaction:990000000000011:aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx-edit"), "\xe2\x9d\xa4", "Instagram reaction");
	EQ_STR(ROW("'[' || text || ']'", "reaction:16505550888:wamid.EDT0000000000000000000001"), "[]", "WhatsApp reaction removed by an empty emoji");

	/* Referrals on the conversation. */
	EQ_STR(q("SELECT json_extract(v.referral, '$.source') || '|' || json_extract(v.referral, '$.ad_id') || '|' || json_extract(v.referral, '$.ads_context_data.ad_title') FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '7300000000000021'"),
	    "ADS|120200000000000001|Summer sale", "Messenger ad referral on the conversation");
	EQ_STR(q("SELECT json_extract(v.referral, '$.ref') FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '7300000000000022'"), "qr-flyer", "postback referral");
	EQ_STR(q("SELECT json_extract(v.referral, '$.source') FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '7300000000000023'"), "CUSTOMER_CHAT_PLUGIN", "referral next to a message");
	EQ_STR(q("SELECT json_extract(v.referral, '$.source_type') || '|' || json_extract(v.referral, '$.ctwa_clid') FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '16505550999'"),
	    "ad|ARAkLkA8rmlFeiCktEJQ", "click-to-WhatsApp referral");

	/* Opt-ins on the contact. */
	EQ_STR(q("SELECT json_extract(optin, '$.notification_messages_token') || '|' || json_extract(optin, '$.token_expiry_timestamp') FROM contact WHERE meta_user_id = '7300000000000031'"),
	    "7436593500000000000|1771638200000", "notification_messages token and expiry kept, every digit");
	EQ_STR(q("SELECT json_extract(optin, '$.user_ref') FROM contact WHERE meta_user_id = '7300000000000032'"), "ur-7f3a9c", "plugin user_ref kept");

	/* Thread control, standby, echo authors. */
	EQ_STR(q("SELECT v.thread_owner || '|' || coalesce(v.thread_owner_app_id, 'NULL') FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '7300000000000041'"),
	    "other|263902037430900", "passed to the Page Inbox: owned by another app, its id kept");
	EQ_STR(ROW("direction || '|' || author", "m_ho-echo-0001"), "out|page_inbox", "echo from the Page Inbox app");
	EQ_STR(q("SELECT v.thread_owner || '|' || v.thread_owner_app_id FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '7300000000000042'"),
	    "other|555000000000001", "taken by another app");
	EQ_STR(ROW("author", "m_ho-echo-0002"), "app:555000000000001", "echo from another app");
	EQ_STR(q("SELECT v.thread_owner || '|' || coalesce(v.thread_owner_app_id, 'NULL') FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '7300000000000043'"),
	    "us|NULL", "passed back to hubgate");
	EQ_STR(ROW("standby || '|' || direction || '|' || coalesce(author, 'NULL')", "aWdf-standby-0001"), "1|in|NULL", "Instagram standby copy marked");
	EQ_STR(ROW("standby || '|' || author", "aWdf-standby-echo-0001"), "1|page_inbox", "standby echo from the Instagram Inbox");
	EQ_STR(ROW("standby", "m_ho-0001"), "0", "a message of our own thread is not a standby copy");
	EQ_STR(q("SELECT m.standby || '|' || v.thread_owner || '|' || c.meta_user_id FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE m.meta_message_id = 'wamid.STB0000000000000000000001'"),
	    "1|other|US.10000000000000000123", "WhatsApp standby copy: marked, the thread another app's");
	EQ_STR(q("SELECT v.thread_owner FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '990000000000041'"), "other", "standby: the thread is another app's");
	EQ_STR(q("SELECT m.direction || '|' || m.author || '|' || m.status || '|' || m.text || '|' || c.meta_user_id FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE m.meta_message_id = 'wamid.SMB0000000000000000000001'"),
	    "out|business_app|sent|Sent from the phone app|16505550889", "WhatsApp Business app echo: outbound in the person's thread (who changed number since)");

	/* Statuses with errors and pricing. */
	EQ_STR(ROW("status || '|' || error_code || '|' || error", "wamid.OUTERR000000000000000000001"), "failed|131026|Message undeliverable", "failed status: code and title");
	EQ_STR(ROW("status || '|' || json_extract(pricing, '$.billable') || '|' || json_extract(pricing, '$.type')", "wamid.OUTERR000000000000000000002"), "read|0|free_customer_service", "pricing kept as statuses move on");

	/* Account-level events on the channel. */
	EQ_STR(q("SELECT group_concat(field || ':' || word || ':' || level, ',') FROM (SELECT * FROM channel_notice ORDER BY id)"),
	    "account_update:ACCOUNT_RESTRICTION:warning,phone_number_quality_update:FLAGGED:warning,message_template_status_update:REJECTED:warning,"
	    "phone_number_name_update:APPROVED:info,message_template_quality_update:YELLOW:info,template_category_update:MARKETING:info,"
	    "phone_number_quality_update:UNFLAGGED:info",
	    "account events recorded with their level");
	EQ_STR(q("SELECT coalesce(account_state, 'NULL') FROM channel WHERE meta_id = '106540352242922'"), "NULL",
	    "a later UNFLAGGED clears the account state");
	EQ_STR(q("SELECT json_extract(detail, '$.message_template_id') FROM channel_notice WHERE word = 'REJECTED'"), "594425479261596", "the change's value kept");
	EQ_STR(q("SELECT status || '|' || category FROM wa_template WHERE name = 'order_update'"), "REJECTED|MARKETING",
	    "the number's cached template takes its new status and category: the picker stops offering it");

	/* WhatsApp types. */
	EQ_STR(ROW("kind || '|' || text || '|' || json_extract(raw, '$.product_items[0].product_retailer_id')", "wamid.TYP0000000000000000000001"), "order|Please deliver Friday|SKU-1", "order");
	EQ_STR(ROW("text || '|' || payload || '|' || json_extract(raw, '$.response.size')", "wamid.TYP0000000000000000000002"), "Sent|flow|M", "Flow reply: its response_json kept as JSON");
	EQ_STR(ROW("text || '|' || payload", "wamid.TYP0000000000000000000003"), "Blue|ROW_BLUE", "list reply");
	EQ_STR(ROW("kind || '|' || attachments", "wamid.TYP0000000000000000000004"), "sticker|[{\"type\":\"sticker\",\"id\":\"media-sticker-1\",\"mime_type\":\"image/webp\"}]", "sticker");
	EQ_STR(ROW("kind || '|' || json_extract(raw, '$[0].name.formatted_name')", "wamid.TYP0000000000000000000005"), "contacts|Bo Shop", "shared contacts");
	EQ_STR(ROW("text", "wamid.TYP0000000000000000000005"), "Bo Shop (+1 650 555 0100)", "shared contacts: the name and number in words");
	EQ_STR(ROW("kind || '|' || text || '|' || json_extract(raw, '$[0].code')", "wamid.TYP0000000000000000000006"), "unsupported|Message type unknown: Message type is currently not supported.|131051", "unsupported: what Meta could not deliver");
	EQ_STR(ROW("kind || '|' || text", "wamid.TYP0000000000000000000007"), "system|Ana changed their phone number to a new number +1 650-555-0889", "system message");
	EQ_STR(q("SELECT group_concat(m.meta_message_id, ',') FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '16505550889' AND m.meta_message_id LIKE 'wamid.TYP%'"),
	    "wamid.TYP0000000000000000000001,wamid.TYP0000000000000000000002,wamid.TYP0000000000000000000003,wamid.TYP0000000000000000000004,wamid.TYP0000000000000000000005,wamid.TYP0000000000000000000006,wamid.TYP0000000000000000000007,wamid.TYP0000000000000000000008",
	    "number change: the contact takes the new number, one thread");
	EQ_STR(ROW("kind || '|' || direction || '|' || text || '|' || sent_ms", "call:wacid.CALL000000000000000000001"), "call|in|Incoming call: terminate, COMPLETED, 58 s|1763862960000", "a call: one entry showing its latest event");

	/* Odd shapes. */
	EQ_STR(q("SELECT c.meta_user_id FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE m.meta_message_id = 'm_odd-0001'"),
	    "27000000000000000001", "an id above 2^53 as a JSON number keeps every digit");
	EQ_STR(ROW("sent_ms", "m_odd-0001"), "1763863000999", "a float timestamp in ms");
	EQ_STR(ROW("sent_ms", "m_odd-0002"), "1763859723000", "an ISO timestamp");
	EQ_STR(ROW("sent_ms || '|' || attachments", "m_odd-0003"), "1763863000000|[{\"type\":\"image\",\"url\":\"https://scontent.example/one.jpg\"}]",
	    "no timestamp: the entry's time; attachments as an object");
	EQ_INT(qi("SELECT count FROM unhandled WHERE type = 'messaging.empty'"), 1, "an empty messaging item counted");
	feed("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":106540352242922},"
	    "\"messages\":[{\"from\":16505550321,\"id\":\"wamid.NOENTRYID\",\"timestamp\":1763863500,\"type\":\"text\",\"text\":{\"body\":\"numbers everywhere\"}}]}}]}]}");
	EQ_STR(q("SELECT m.text || '|' || c.meta_user_id || '|' || m.sent_ms FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE m.meta_message_id = 'wamid.NOENTRYID'"),
	    "numbers everywhere|16505550321|1763863500000", "WhatsApp: no entry id, numbers where strings are usual");

	/* Test button bodies: marked, nothing stored, nothing unhandled. */
	EQ_INT(qi("SELECT count(*) FROM webhook_event WHERE test = 1"), 3, "the Test button's bodies are marked as tests");
	EQ_INT(qi("SELECT count(*) FROM message WHERE meta_message_id IN ('random_mid', 'ABGGFlA5Fpa')"), 0, "and store no message");
	EQ_INT(qi("SELECT count(*) FROM feed_item WHERE meta_id = '44444444_444'"), 0, "nor a feed item");

	/* Instagram comments and mentions; feed reactions. */
	EQ_STR(q("SELECT group_concat(item || ':' || post_id || ':' || coalesce(parent_id, '-') || ':' || coalesce(from_name, '-') || ':' || coalesce(message, '-'), ',') FROM (SELECT * FROM feed_item WHERE meta_id LIKE '178%' ORDER BY meta_id)"),
	    "comment:17900000000000001:-:ana.shop:Price?,comment:17900000000000001:17800000000000001:rui:Same question,live_comment:17900000000000002:-:leo:Hello from the live,mention:17900000000000009:-:-:-",
	    "Instagram comments, replies, live comments and mentions as feed items");
	EQ_INT(qi("SELECT count(*) FROM feed_reaction WHERE target_id = '104857600000001_555' AND reaction <> ''"), 1, "a post's reactions counted per person, removals applied");
	EQ_STR(q("SELECT item || '|' || message FROM feed_item WHERE meta_id = '104857600000001_556'"), "status|We open at 9 tomorrow", "a Page post kept");

	/* Nothing of the corpus left unhandled but an empty item. */
	EQ_INT(qi("SELECT coalesce(sum(count), 0) FROM unhandled") - unhandled0, 3, "the corpus adds only the counted-on-purpose kinds to the ledger");
	EQ_INT(qi("SELECT count FROM unhandled WHERE type = 'history.declined'"), 1, "... a chat history the business declined to share");
	EQ_INT(qi("SELECT count FROM unhandled WHERE type = 'changes.malformed'") - malformed0, 1, "... a change without value");
}

/* The echo of hubgate's own send names its outbox row: that send's
 * message takes the mid and the author "hubgate"; no second message. */
static void
test_echo_of_ours(void)
{
	char sql[1024];

	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":["
	    "{\"sender\":{\"id\":\"9801\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763870000000,\"message\":{\"mid\":\"m_ours-in\",\"text\":\"hello\"}}]}]}");
	snprintf(sql, sizeof(sql),
	    "INSERT INTO message (id, conversation_id, channel_id, direction, kind, text, status, sent_ms, created_ms) "
	    "SELECT 880001, v.id, v.channel_id, 'out', 'text', 'our answer', 'queued', 1763870001000, 1763870001000 FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '9801';"
	    "INSERT INTO outbox (id, workspace_id, channel_id, conversation_id, message_id, kind, body, author_kind, state, next_attempt_ms, created_ms, updated_ms) "
	    "SELECT 77001, 1, channel_id, conversation_id, 880001, 'text', '{\"text\":\"our answer\"}', 'user', 'unknown', 0, 1, 1 FROM message WHERE id = 880001;");
	write_sql(sql);
	feed("{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":["
	    "{\"sender\":{\"id\":\"104857600000001\"},\"recipient\":{\"id\":\"9801\"},\"timestamp\":1763870002000,\"message\":{\"is_echo\":true,\"app_id\":1234567890,\"metadata\":\"hubgate:outbox:77001\",\"mid\":\"m_ours-echo\",\"text\":\"our answer\"}}]}]}");
	EQ_STR(q("SELECT id || '|' || author || '|' || status FROM message WHERE meta_message_id = 'm_ours-echo'"), "880001|hubgate|sent",
	    "the echo of hubgate's send: its message takes the mid, author hubgate");
	EQ_INT(qi("SELECT count(*) FROM message WHERE text = 'our answer'"), 1, "no second message");
	EQ_STR(q("SELECT state FROM outbox WHERE id = 77001"), "sent", "the send is reconciled");

	/* A WhatsApp status naming hubgate's send; an author set by whoever
	 * queued it (a rule) is kept. */
	write_sql("INSERT INTO message (id, conversation_id, channel_id, direction, kind, text, status, sent_ms, created_ms, author) "
	    "SELECT 880002, v.id, v.channel_id, 'out', 'text', 'rule answer', 'queued', 1763870003000, 1763870003000, 'rule' FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '16505551234';"
	    "INSERT INTO message (id, conversation_id, channel_id, direction, kind, text, status, sent_ms, created_ms) "
	    "SELECT 880003, v.id, v.channel_id, 'out', 'text', 'person answer', 'queued', 1763870003000, 1763870003000 FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '16505551234';"
	    "INSERT INTO outbox (id, workspace_id, channel_id, conversation_id, message_id, kind, body, author_kind, state, next_attempt_ms, created_ms, updated_ms) "
	    "SELECT 77000 + id - 880000, 1, channel_id, conversation_id, id, 'text', '{}', 'user', 'unknown', 0, 1, 1 FROM message WHERE id IN (880002, 880003);");
	feed("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"106540352242922\"},\"statuses\":["
	    "{\"id\":\"wamid.OURS2\",\"status\":\"sent\",\"timestamp\":\"1763870004\",\"recipient_id\":\"16505551234\",\"biz_opaque_callback_data\":\"hubgate:outbox:77002\"},"
	    "{\"id\":\"wamid.OURS3\",\"status\":\"delivered\",\"timestamp\":\"1763870005\",\"recipient_id\":\"16505551234\",\"biz_opaque_callback_data\":\"hubgate:outbox:77003\"}]}}]}]}");
	EQ_STR(q("SELECT group_concat(meta_message_id || '=' || author || '/' || status, ',') FROM (SELECT * FROM message WHERE id IN (880002, 880003) ORDER BY id)"),
	    "wamid.OURS2=rule/sent,wamid.OURS3=hubgate/delivered", "a WhatsApp status of hubgate's send: author hubgate unless already named");
}

/* Replaying the whole corpus changes nothing. */
static void
test_fidelity_replay(void)
{
	static const char *const tables[] = {
		"message", "contact", "conversation", "feed_item",
		"message_edit", "channel_notice", "feed_reaction", NULL
	};
	char		 sql[512], before[8][4096];
	int		 i, t;

	for (t = 0; tables[t] != NULL; t++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) || ':' || coalesce(sum(length(quote(%s))), 0) FROM %s",
		    strcmp(tables[t], "message") == 0 ? "text || status || coalesce(edited_ms, '') || coalesce(pricing, '')" :
		    strcmp(tables[t], "conversation") == 0 ? "coalesce(referral, '') || thread_owner || unread" :
		    strcmp(tables[t], "contact") == 0 ? "meta_user_id || coalesce(phone, '') || coalesce(optin, '')" : "1",
		    tables[t]);
		snprintf(before[t], sizeof(before[t]), "%s", q(sql));
	}
	for (i = 0; fidelity_payloads[i] != NULL; i++)
		feed(payload(fidelity_payloads[i]));
	for (t = 0; tables[t] != NULL; t++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) || ':' || coalesce(sum(length(quote(%s))), 0) FROM %s",
		    strcmp(tables[t], "message") == 0 ? "text || status || coalesce(edited_ms, '') || coalesce(pricing, '')" :
		    strcmp(tables[t], "conversation") == 0 ? "coalesce(referral, '') || thread_owner || unread" :
		    strcmp(tables[t], "contact") == 0 ? "meta_user_id || coalesce(phone, '') || coalesce(optin, '')" : "1",
		    tables[t]);
		snprintf(sql + 300, sizeof(sql) - 300, "replaying the corpus changes nothing in %s", tables[t]);
		EQ_STR(q(sql), before[t], sql + 300);
	}
	EQ_STR(q("SELECT v.thread_owner || '|' || v.thread_owner_app_id FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '7300000000000041'"),
	    "other|263902037430900", "thread owner unchanged by the replay");
}

/* Calls: Messenger's calls[] (beside messaging[] and as a change), a
 * permission to call, WhatsApp's statuses of a business's call. */
static void
test_calls(void)
{
	EQ_STR(q("SELECT m.kind || '|' || m.direction || '|' || m.text || '|' || m.sent_ms || '|' || c.meta_user_id FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE m.meta_message_id = 'call:c_M5YPhGE5jm0L_PMQdScLlYJlR7tU_f0rgXiTQ'"),
	    "call|in|Incoming call: terminate, 42 s|1763881000002|7300000000000051", "Messenger call: one entry, its terminate after its connect (same start time)");
	EQ_STR(ROW("direction || '|' || text || '|' || status", "call:c_B2C00000000000000000000000000000001"), "out|Outgoing call: connect|sent", "a business-initiated Messenger call: outgoing, in the person's thread");
	EQ_STR(q("SELECT c.meta_user_id FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE m.meta_message_id = 'call:c_B2C00000000000000000000000000000001'"), "7300000000000052", "... the callee's");
	EQ_STR(q("SELECT m.kind || '|' || m.text || '|' || json_extract(m.raw, '$.expiration_timestamp') FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '7300000000000052' AND m.meta_message_id LIKE 'call_permission:%'"),
	    "call|Call permission: approve|1764485900", "a permission to call, in the thread");
	EQ_STR(q("SELECT m.text || '|' || ch.meta_id FROM message m JOIN channel ch ON ch.id = m.channel_id WHERE m.meta_message_id = 'call:c_CH0000000000000000000000000000000001'"),
	    "Incoming call: connect|104857600000002", "a call as a change of the Page");
	EQ_STR(ROW("direction || '|' || text || '|' || sent_ms", "call:wacid.CALLOUT00000000000000000001"), "out|Outgoing call: terminate, COMPLETED, 60 s|1763881465000",
	    "WhatsApp: a business's call rings, is accepted, ends: one entry, the latest");
	EQ_INT(qi("SELECT unread FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '7300000000000052'"), 0, "an outgoing call and a permission are not unread");
	EQ_INT(qi("SELECT count(*) FROM unhandled WHERE type LIKE '%call%'"), 0, "no call kind in the ledger");
}

/* A WhatsApp Business app's chat history and address book
 * (coexistence). */
static void
test_history(void)
{
	EQ_STR(q("SELECT group_concat(x, ',') FROM (SELECT m.meta_message_id || '=' || m.direction || '/' || m.status || '/' || coalesce(m.author, '-') || '/' || m.history || '/' || c.meta_user_id AS x FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE m.meta_message_id LIKE 'wamid.HST%' ORDER BY m.meta_message_id)"),
	    "wamid.HST0000000000000000000001=in/received/-/1/16505550721,wamid.HST0000000000000000000002=out/delivered/business_app/1/16505550721,"
	    "wamid.HST0000000000000000000003=out/read/business_app/1/16505550721,wamid.HST0000000000000000000004=in/received/-/1/16505550721,"
	    "wamid.HST0000000000000000000005=in/received/-/1/16505551234",
	    "history: both ways, in the person's thread, marked history, the business's with their last status");
	EQ_STR(ROW("kind || '|' || text || '|' || json_extract(attachments, '$[0].id')", "wamid.HST0000000000000000000004"), "image|This one|media-hst-0004", "a history picture takes its media id when Meta sends it");
	EQ_STR(q("SELECT count(*) || '|' || group_concat(source || '/' || source_kind) FROM media WHERE message_id = (SELECT id FROM message WHERE meta_message_id = 'wamid.HST0000000000000000000004')"), "1|media-hst-0004/wa_id", "... and it is fetched");
	feed(payload("whatsapp-history-media.json"));
	EQ_INT(qi("SELECT count(*) FROM media WHERE message_id = (SELECT id FROM message WHERE meta_message_id = 'wamid.HST0000000000000000000004')"), 1, "... once");
	EQ_STR(q("SELECT history FROM message WHERE meta_message_id = 'wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUE3RkQ4RjE0QzE0NjhBOUVBNwA='"), "0", "a message already received live stays as it is");
	EQ_STR(q("SELECT v.unread || '|' || coalesce(v.last_inbound_ms, 'NULL') || '|' || v.last_message_ms FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '16505550721'"),
	    "0|NULL|1763795300000", "history is not unread and opens no window; the thread is ordered by it");
	EQ_INT(qi("SELECT count(*) FROM automation_seen a JOIN message m ON m.id = a.message_id WHERE m.history = 1"), 0, "automation never looks at history");
	EQ_INT(qi("SELECT count(*) FROM automation_seen a JOIN message m ON m.id = a.message_id WHERE m.meta_message_id LIKE 'wamid.MRG%'"), 5, "... while it looks at new messages");
	/* Forwarding tells of new messages only. */
	write_sql("INSERT INTO fwd_destination (id, workspace_id, url, events, secret_sealed, created_ms, updated_ms) VALUES (9901, 1, 'https://example.org/hook', '[\"message.received\",\"message.sent\"]', x'00', 1, 1)");
	feed("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"102290129340398\",\"changes\":[{\"field\":\"history\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"15550783881\",\"phone_number_id\":\"106540352242922\"},"
	    "\"history\":[{\"metadata\":{\"phase\":1,\"chunk_order\":1,\"progress\":70},\"threads\":[{\"id\":\"16505550721\",\"messages\":["
	    "{\"from\":\"16505550721\",\"id\":\"wamid.HST0000000000000000000006\",\"timestamp\":\"1763700000\",\"type\":\"text\",\"text\":{\"body\":\"old\"},\"history_context\":{\"status\":\"READ\"}},"
	    "{\"from\":\"15550783881\",\"id\":\"wamid.HST0000000000000000000007\",\"timestamp\":\"1763700100\",\"type\":\"text\",\"text\":{\"body\":\"old answer\"},\"history_context\":{\"status\":\"SENT\"}}]}]}]}},"
	    "{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"106540352242922\"},\"messages\":[{\"from\":\"16505550721\",\"id\":\"wamid.HSTNEW000000000000000000001\",\"timestamp\":\"1763882500\",\"type\":\"text\",\"text\":{\"body\":\"new\"}}]}}]}]}");
	/* A later status of the business's history message. */
	feed("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"102290129340398\",\"changes\":[{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"106540352242922\"},"
	    "\"statuses\":[{\"id\":\"wamid.HST0000000000000000000007\",\"status\":\"read\",\"timestamp\":\"1763882600\",\"recipient_id\":\"16505550721\"}]}}]}]}");
	EQ_STR(q("SELECT status FROM message WHERE meta_message_id = 'wamid.HST0000000000000000000007'"), "read", "a history message's later status is kept");
	EQ_STR(q("SELECT group_concat(type || ':' || json_extract(data, '$.message.meta_id'), ',') FROM fwd_event WHERE json_extract(data, '$.message.meta_id') LIKE 'wamid.HST%'"),
	    "message.received:wamid.HSTNEW000000000000000000001", "forwarding: the new message, not the history (either way, nor its later status)");
	write_sql("DELETE FROM fwd_destination WHERE id = 9901");
	/* The business's number as Meta displays it. */
	feed("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"102290129340398\",\"changes\":[{\"field\":\"history\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"+1 555-078-3881\",\"phone_number_id\":\"106540352242922\"},"
	    "\"history\":[{\"threads\":[{\"id\":\"16505550721\",\"messages\":[{\"from\":\"15550783881\",\"id\":\"wamid.HST0000000000000000000008\",\"timestamp\":\"1763700200\",\"type\":\"text\",\"text\":{\"body\":\"formatted\"}},"
	    "{\"from\":\"16505550721\",\"id\":\"wamid.HST0000000000000000000009\",\"timestamp\":\"1763700300\",\"type\":\"text\",\"text\":{\"body\":\"mine\"}},"
	    "{\"from\":\"\",\"id\":\"wamid.HST0000000000000000000010\",\"timestamp\":\"1763700400\",\"type\":\"text\",\"text\":{\"body\":\"no from\"}}]}]}]}}]}]}");
	EQ_STR(q("SELECT group_concat(direction, ',') FROM (SELECT direction FROM message WHERE meta_message_id IN ('wamid.HST0000000000000000000008', 'wamid.HST0000000000000000000009') ORDER BY meta_message_id)"),
	    "out,in", "the business's number found in a formatted display number");
	EQ_STR(q("SELECT m.direction || '|' || c.meta_user_id FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE m.meta_message_id = 'wamid.HST0000000000000000000010'"),
	    "in|16505550721", "a history message without \"from\": the thread's person's");
	/* The address book. */
	EQ_STR(q("SELECT name || '|' || coalesce(phone, 'NULL') || '|' || (SELECT count(*) FROM conversation v WHERE v.contact_id = contact.id) FROM contact WHERE meta_user_id = '16505550731'"),
	    "Pablo Morales|16505550731|0", "an address-book contact: its name, no empty thread; a removal keeps it");
	EQ_STR(q("SELECT name FROM contact WHERE meta_user_id = '16505550721'"), "Rita (history)", "the address book names a known contact");
	/* The address book's contact (no thread) and a thread by user id:
	 * merged, the thread moves to the first. */
	{
		long long book = qi("SELECT id FROM contact WHERE meta_user_id = '16505550731'");

		feed("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"102290129340398\",\"changes\":[{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"106540352242922\"},"
		    "\"contacts\":[{\"profile\":{\"name\":\"pablo.m\"},\"user_id\":\"US.73100000000000000731\"}],\"messages\":[{\"from\":\"\",\"from_user_id\":\"US.73100000000000000731\",\"id\":\"wamid.BOOK01\",\"timestamp\":\"1763882600\",\"type\":\"text\",\"text\":{\"body\":\"hi from my username\"}}]}},"
		    "{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"106540352242922\"},"
		    "\"contacts\":[{\"profile\":{\"name\":\"pablo.m\"},\"wa_id\":\"16505550731\",\"user_id\":\"US.73100000000000000731\"}],\"messages\":[{\"from\":\"16505550731\",\"id\":\"wamid.BOOK02\",\"timestamp\":\"1763882700\",\"type\":\"text\",\"text\":{\"body\":\"and my number\"}}]}}]}]}");
		char want[128];

		snprintf(want, sizeof(want), "1|%lld/US.73100000000000000731/16505550731", book);
		EQ_STR(q("SELECT count(*) || '|' || group_concat(id || '/' || meta_user_id || '/' || phone) FROM contact WHERE meta_user_id IN ('16505550731', 'US.73100000000000000731')"),
		    want, "an address-book contact and a thread by user id (a contacts entry gives both): one contact, the first");
		snprintf(want, sizeof(want), "1|2|%lld", book);
		EQ_STR(q("SELECT count(DISTINCT m.conversation_id) || '|' || count(*) || '|' || min(c.id) FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE m.meta_message_id IN ('wamid.BOOK01', 'wamid.BOOK02')"),
		    want, "... its thread moved to it");
	}
}

#define PAGE_ITEM(item) "{\"object\":\"page\",\"entry\":[{\"id\":\"104857600000001\",\"messaging\":[" item "]}]}"

/* An echo of hubgate's own app naming no outbox row is hubgate's: no
 * person answered in Meta's inbox, automation goes on.  Another app's
 * echo is a person's (automation stops). */
static void
test_own_echo(void)
{
	/* Automation on: the greeting rule. */
	write_sql("UPDATE rule SET enabled = 1 WHERE workspace_id = 1 AND name = 'Greeting'");
	feed(PAGE_ITEM("{\"sender\":{\"id\":\"9811\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763883000000,\"message\":{\"mid\":\"m_own-in\",\"text\":\"hi\"}},"
	    "{\"sender\":{\"id\":\"104857600000001\"},\"recipient\":{\"id\":\"9811\"},\"timestamp\":1763883001000,\"message\":{\"is_echo\":true,\"app_id\":1234567890,\"mid\":\"m_own-echo\",\"text\":\"sent by hubgate elsewhere\"}},"
	    "{\"sender\":{\"id\":\"9812\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763883000000,\"message\":{\"mid\":\"m_other-in\",\"text\":\"hi\"}},"
	    "{\"sender\":{\"id\":\"104857600000001\"},\"recipient\":{\"id\":\"9812\"},\"timestamp\":1763883001000,\"message\":{\"is_echo\":true,\"app_id\":555000000000001,\"mid\":\"m_other-echo\",\"text\":\"another app\"}}"));
	EQ_STR(ROW("direction || '|' || author", "m_own-echo"), "out|hubgate", "an echo of hubgate's app without metadata: author hubgate");
	EQ_STR(ROW("author", "m_other-echo"), "app:555000000000001", "another app's: app:<id>");
	EQ_STR(q("SELECT v.status FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '9811'"), "open", "automation is not stopped by hubgate's own echo");
	EQ_STR(q("SELECT v.status FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '9812'"), "escalated", "... as it is by another app's");
	EQ_STR(q("SELECT a.outcome FROM automation_seen a JOIN message m ON m.id = a.message_id WHERE m.meta_message_id = 'm_own-echo'"), "echo", "automation saw it as an echo");
	write_sql("UPDATE rule SET enabled = 0 WHERE workspace_id = 1");
}

/* Retention: an unsent message's text and earlier texts go, unless the
 * workspace keeps what people take back. */
static void
test_retention(void)
{
	feed(PAGE_ITEM("{\"sender\":{\"id\":\"9821\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763884000000,\"message\":{\"mid\":\"m_ret-1\",\"text\":\"first\"}},"
	    "{\"sender\":{\"id\":\"9821\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763884001000,\"message_edit\":{\"mid\":\"m_ret-1\",\"text\":\"second\",\"num_edit\":1}},"
	    "{\"sender\":{\"id\":\"9821\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763884002000,\"message\":{\"mid\":\"m_ret-2\",\"text\":\"kept\"}}"));
	feed(PAGE_ITEM("{\"sender\":{\"id\":\"9821\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763884003000,\"message\":{\"mid\":\"m_ret-1\",\"is_deleted\":true}}"));
	EQ_STR(ROW("coalesce(text, 'NULL') || '|' || (unsent_ms > 0)", "m_ret-1"), "NULL|1", "by default an unsent message's text goes");
	EQ_STR(q("SELECT group_concat(coalesce(text, 'NULL'), ',') FROM message_edit WHERE meta_message_id = 'm_ret-1'"), "NULL,NULL", "... with its earlier texts");
	write_sql("UPDATE workspace SET retention = '{\"keep_deleted_text\":true}' WHERE id = 1");
	feed(PAGE_ITEM("{\"sender\":{\"id\":\"9821\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763884004000,\"message_edit\":{\"mid\":\"m_ret-2\",\"text\":\"kept, edited\",\"num_edit\":1}},"
	    "{\"sender\":{\"id\":\"9821\"},\"recipient\":{\"id\":\"104857600000001\"},\"timestamp\":1763884005000,\"message\":{\"mid\":\"m_ret-2\",\"is_deleted\":true}}"));
	feed("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"102290129340398\",\"changes\":[{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"106540352242922\"},\"messages\":["
	    "{\"from\":\"16505550741\",\"id\":\"wamid.RET01\",\"timestamp\":\"1763884010\",\"type\":\"text\",\"text\":{\"body\":\"wa kept\"}},"
	    "{\"from\":\"16505550741\",\"id\":\"wamid.RET02\",\"timestamp\":\"1763884020\",\"type\":\"revoke\",\"revoke\":{\"original_message_id\":\"wamid.RET01\"}}]}}]}]}");
	EQ_STR(ROW("coalesce(text, 'NULL') || '|' || (unsent_ms > 0)", "m_ret-2"), "kept, edited|1", "a workspace keeping deleted text: marked deleted, its text kept");
	EQ_STR(q("SELECT group_concat(coalesce(text, 'NULL'), ',') FROM (SELECT text FROM message_edit WHERE meta_message_id = 'm_ret-2' ORDER BY edited_ms)"), "kept,kept, edited", "... with its earlier texts");
	EQ_STR(ROW("coalesce(text, 'NULL') || '|' || (unsent_ms > 0)", "wamid.RET01"), "wa kept|1", "... a WhatsApp revoke too");
	write_sql("UPDATE workspace SET retention = '{\"keep_deleted_text\":false}' WHERE id = 1");
}

/* The digest of the rows a replay must not change. */
#define DIGEST "SELECT (SELECT count(*) || ':' || total(length(coalesce(text, '') || status || conversation_id || coalesce(author, '') || history || coalesce(unsent_ms, ''))) FROM message) || '/' || " \
	"(SELECT count(*) || ':' || total(length(meta_user_id || coalesce(phone, '') || name || coalesce(optin, ''))) FROM contact) || '/' || " \
	"(SELECT count(*) || ':' || total(unread + coalesce(last_message_ms, 0)) FROM conversation) || '/' || " \
	"(SELECT count(*) FROM conversation_tag) || '/' || (SELECT count(*) FROM message_edit)"
#define MERGED "(SELECT v.id FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = 'US.61100000000000000611')"

/* A contact keyed on the number and another keyed on the user id are
 * one person: a status or message carrying both merges them, in the
 * processing transaction, losing no row; a replay changes nothing. */
static void
test_merge(void)
{
	char		 before[4096];
	long long	 msgs, first;

	EQ_STR(feed(payload("whatsapp-merge-apart.json")), "processed", "two contacts apart");
	EQ_STR(q("SELECT group_concat(meta_user_id || '=' || coalesce(phone, 'NULL'), ',') FROM (SELECT * FROM contact WHERE meta_user_id IN ('16505550611', 'US.61100000000000000611') ORDER BY id)"),
	    "16505550611=16505550611,US.61100000000000000611=NULL", "one keyed on the number, one on the user id");
	first = qi("SELECT id FROM contact WHERE meta_user_id = '16505550611'");
	/* What people, rules and forwarding put on either. */
	write_sql("INSERT INTO conversation_tag (conversation_id, tag) SELECT v.id, t.tag FROM conversation v JOIN contact c ON c.id = v.contact_id, (SELECT 'vip' AS tag UNION SELECT 'lead') t WHERE c.meta_user_id = 'US.61100000000000000611' AND t.tag = 'lead' OR c.meta_user_id IN ('16505550611', 'US.61100000000000000611') AND t.tag = 'vip';"
	    "INSERT INTO automation_log (workspace_id, conversation_id, action, detail, at_ms) SELECT 1, v.id, 'tag', 'merge test', 1 FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = 'US.61100000000000000611';"
	    "INSERT INTO outbox (workspace_id, channel_id, conversation_id, kind, body, author_kind, state, next_attempt_ms, created_ms, updated_ms) SELECT 1, v.channel_id, v.id, 'text', '{\"text\":\"hi\"}', 'user', 'failed', 0, 1, 1 FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = 'US.61100000000000000611';"
	    "UPDATE contact SET optin = '{\"ref\":\"merge\",\"at_ms\":5}' WHERE meta_user_id = 'US.61100000000000000611';"
	    "INSERT INTO fwd_event (uid, workspace_id, type, created_ms, data) SELECT 'evt_merge', 1, 'message.received', 1, json_object('contact', json_object('id', id)) FROM contact WHERE meta_user_id = 'US.61100000000000000611';"
	    /* The survivor's escalation is an old one, closed; the other's holds. */
	    "UPDATE conversation SET status = 'closed', escalated_ms = 1, escalation_reason = 'old', escalation_summary = 'old one' WHERE contact_id = (SELECT id FROM contact WHERE meta_user_id = '16505550611');"
	    "UPDATE conversation SET status = 'escalated', escalated_ms = 5, escalation_reason = 'new', escalation_summary = 'new one' WHERE contact_id = (SELECT id FROM contact WHERE meta_user_id = 'US.61100000000000000611');");
	msgs = count("message");
	EQ_STR(feed(payload("whatsapp-merge-link.json")), "processed", "an item with both");
	EQ_STR(q("SELECT count(*) || '|' || group_concat(meta_user_id || '|' || phone || '|' || name) FROM contact WHERE meta_user_id IN ('16505550611', 'US.61100000000000000611') OR phone = '16505550611'"),
	    "1|US.61100000000000000611|16505550611|Ana Lima", "one contact, keyed on the user id, with the number and the latest name");
	EQ_INT(qi("SELECT id FROM contact WHERE meta_user_id = 'US.61100000000000000611'"), first, "the first seen survives");
	EQ_STR(q("SELECT group_concat(meta_message_id || '=' || status, ',') FROM (SELECT * FROM message WHERE conversation_id = " MERGED " ORDER BY sent_ms)"),
	    "wamid.MRG0000000000000000000001=received,wamid.MRGOUT000000000000000000001=read,wamid.MRG0000000000000000000002=received,wamid.MRG0000000000000000000003=received",
	    "one thread holds both threads' messages, the status moved on");
	EQ_INT(count("message"), msgs + 1, "no message lost, none doubled");
	EQ_STR(q("SELECT count(*) FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = 'US.61100000000000000611'"), "1", "one conversation");
	EQ_STR(q("SELECT unread || '|' || last_message_ms || '|' || last_inbound_ms FROM conversation WHERE id = " MERGED),
	    "3|1763880240000|1763880240000", "unread counts added, the latest times");
	EQ_STR(q("SELECT group_concat(tag, ',') FROM (SELECT tag FROM conversation_tag WHERE conversation_id = " MERGED " ORDER BY tag)"), "lead,vip", "tags of both, once");
	EQ_STR(q("SELECT status || '|' || escalated_ms || '|' || escalation_reason || '|' || escalation_summary FROM conversation WHERE id = " MERGED),
	    "escalated|5|new|new one", "the escalation that holds is the merged conversation's, not the survivor's old one");
	EQ_INT(qi("SELECT count(*) FROM automation_log WHERE detail = 'merge test' AND conversation_id = " MERGED), 1, "the automation log moved");
	EQ_INT(qi("SELECT count(*) FROM outbox WHERE conversation_id = " MERGED), 1, "its sends moved");
	EQ_STR(q("SELECT json_extract(optin, '$.ref') FROM contact WHERE meta_user_id = 'US.61100000000000000611'"), "merge", "the opt-in kept");
	EQ_INT(qi("SELECT count(*) FROM fwd_event WHERE uid = 'evt_merge' AND json_extract(data, '$.contact.id') = (SELECT id FROM contact WHERE meta_user_id = 'US.61100000000000000611')"), 1,
	    "a forwarded event names the survivor (not deleted with the other)");
	EQ_INT(qi("SELECT count(*) FROM pragma_foreign_key_check"), 0, "no foreign key broken");
	snprintf(before, sizeof(before), "%s", q(DIGEST));
	feed(payload("whatsapp-merge-apart.json"));
	feed(payload("whatsapp-merge-link.json"));
	EQ_STR(q(DIGEST), before, "replaying both changes nothing");
	/* A later number-only message finds the merged contact. */
	feed("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"102290129340398\",\"changes\":[{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"106540352242922\"},"
	    "\"messages\":[{\"from\":\"16505550611\",\"id\":\"wamid.MRG0000000000000000000004\",\"timestamp\":\"1763880300\",\"type\":\"text\",\"text\":{\"body\":\"number only again\"}}]}}]}]}");
	EQ_STR(q("SELECT conversation_id = " MERGED " FROM message WHERE meta_message_id = 'wamid.MRG0000000000000000000004'"), "1", "a later number-only message joins the one thread");
}

int
main(void)
{
	setup();
	test_payloads();
	test_idempotent();
	test_variants();
	test_mid_per_channel();
	test_fidelity();
	test_calls();
	test_fidelity_replay();
	test_echo_of_ours();
	test_merge();
	test_history();
	test_own_echo();
	test_retention();
	sqlite3_close(peek);
	db_close(db);
	conf_free(conf);
	{
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "%s/t.db", dir);
		unlink(cmd);
		snprintf(cmd, sizeof(cmd), "%s/t.db-wal", dir);
		unlink(cmd);
		snprintf(cmd, sizeof(cmd), "%s/t.db-shm", dir);
		unlink(cmd);
		rmdir(dir);
	}
	return test_done();
}
