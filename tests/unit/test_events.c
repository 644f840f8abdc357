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

static void
setup(void)
{
	char	 text[1024], err[512];
	long long id;

	snprintf(dir, sizeof(dir), "/tmp/hubgate-events.XXXXXX");
	if (mkdtemp(dir) == NULL)
		exit(1);
	snprintf(dbpath, sizeof(dbpath), "%s/t.db", dir);
	snprintf(text, sizeof(text), "db_path = %s\nretry_schedule = 1,2\n", dbpath);
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
	EQ_INT(qi("SELECT count FROM unhandled WHERE type = 'messaging.optin'"), 1, "optin counted");
	EQ_INT(qi("SELECT count FROM unhandled WHERE type = 'messaging.brand_new_thing'"), 1, "unknown item kind counted");
	EQ_INT(qi("SELECT sample_event_id > 0 FROM unhandled WHERE type = 'messaging.brand_new_thing'"), 1, "ledger keeps a sample event");
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
	EQ_STR(q("SELECT text || ' ' || reply_to FROM message WHERE meta_message_id = 'wamid.R1'"), "X wamid.I1", "reaction");
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
	EQ_INT(qi("SELECT count FROM unhandled WHERE type = 'changes.feed.reaction'"), 1, "feed reactions counted");

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

int
main(void)
{
	setup();
	test_payloads();
	test_idempotent();
	test_variants();
	test_mid_per_channel();
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
