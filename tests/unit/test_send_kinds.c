/*
 * The send API's kinds (lib/meta/graph_send.c's graph_send_build,
 * lib/pipeline/outbox.c's outbox_enqueue): attachments by URL,
 * reactions and sender actions built in Meta's shape for Messenger,
 * Instagram and WhatsApp, and refused before queuing when Meta would
 * refuse them (a URL that is not https or too long, a type the
 * platform cannot take, the window, a message one cannot react to);
 * reactions are reaction rows in the thread, actions nothing there.
 */
#include <sqlite3.h>

#include "test.h"

#include "conf.h"
#include "db.h"
#include "db_channel.h"
#include "db_inbox.h"
#include "db_outbox.h"
#include "graph.h"
#include "graph_send.h"
#include "outbox.h"

static char		 dir[64], dbpath[128];
static struct conf	*conf;
static struct db	*db;
static const long long	 now = 1800000000000LL;

#include "testdb.h"

/* The request body of a job, compact; NULL with why when refused.
 * path and auth are kept in the statics below. */
static char	 last_path[128];
static int	 last_auth;

static char *
build(const char *platform, const char *kind, const char *body,
    const char *tag, char *why, size_t whysz)
{
	struct graph_send_job	 j;
	struct graph_req	 q;
	cJSON			*b;
	char			*s;

	memset(&j, 0, sizeof(j));
	j.platform = platform;
	j.sender_id = strcmp(platform, "whatsapp") == 0 ? "106540352242922" :
	    "104857600000001";
	j.recipient = strcmp(platform, "whatsapp") == 0 ? "16505551234" :
	    "7300000000000001";
	j.kind = kind;
	j.body = body;
	j.tag = tag;
	j.ref = "hubgate:outbox:42";
	why[0] = '\0';
	if ((b = graph_send_build(&j, &q, last_path, sizeof(last_path), why,
	    whysz)) == NULL)
		return NULL;
	last_auth = q.auth;
	s = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	return s;
}

/* build() compared with want (NULL: refused); name for the test. */
static void
expect(const char *platform, const char *kind, const char *body,
    const char *want, const char *name)
{
	char	 why[256], *got;

	got = build(platform, kind, body, NULL, why, sizeof(why));
	if (want == NULL) {
		if (!OK(got == NULL && why[0] != '\0', name))
			printf("#   built %s\n", got);
	} else
		EQ_STR(got != NULL ? got : why, want, name);
	free(got);
}

static void
test_build(void)
{
	char	 why[256], *s;

	expect("page", "attachment", "{\"type\":\"image\","
	    "\"url\":\"https://example.org/a.png\"}",
	    "{\"recipient\":{\"id\":\"7300000000000001\"},"
	    "\"messaging_type\":\"RESPONSE\",\"message\":{\"attachment\":"
	    "{\"type\":\"image\",\"payload\":{\"url\":"
	    "\"https://example.org/a.png\",\"is_reusable\":true}},"
	    "\"metadata\":\"hubgate:outbox:42\"}}",
	    "Messenger attachment: message.attachment{type, payload{url, "
	    "is_reusable}}, the outbox id in metadata");
	EQ_STR(last_path, "/104857600000001/messages", "... to /<page>/messages");
	EQ_INT(last_auth, GRAPH_AUTH_USER, "... with the Page token");
	s = build("page", "attachment", "{\"type\":\"file\",\"url\":"
	    "\"https://example.org/a.pdf\"}", "HUMAN_AGENT", why, sizeof(why));
	OK(s != NULL && strstr(s, "\"messaging_type\":\"MESSAGE_TAG\","
	    "\"tag\":\"HUMAN_AGENT\"") != NULL, "a tagged attachment");
	free(s);
	expect("instagram", "attachment", "{\"type\":\"video\","
	    "\"url\":\"https://example.org/v.mp4\"}",
	    "{\"recipient\":{\"id\":\"7300000000000001\"},"
	    "\"messaging_type\":\"RESPONSE\",\"message\":{\"attachment\":"
	    "{\"type\":\"video\",\"payload\":{\"url\":"
	    "\"https://example.org/v.mp4\",\"is_reusable\":true}},"
	    "\"metadata\":\"hubgate:outbox:42\"}}", "Instagram attachment");
	EQ_STR(last_path, "/me/messages", "... to /me/messages");
	expect("page", "attachment", "{\"type\":\"sticker\",\"url\":"
	    "\"https://example.org/a.png\"}", NULL,
	    "an attachment type Meta does not take");
	expect("whatsapp", "attachment", "{\"type\":\"image\","
	    "\"url\":\"https://example.org/a.png\",\"caption\":\"Our cake\"}",
	    "{\"messaging_product\":\"whatsapp\",\"recipient_type\":"
	    "\"individual\",\"to\":\"16505551234\",\"type\":\"image\","
	    "\"image\":{\"link\":\"https://example.org/a.png\",\"caption\":"
	    "\"Our cake\"},\"biz_opaque_callback_data\":\"hubgate:outbox:42\"}",
	    "WhatsApp image: type image with {link, caption}, the outbox id "
	    "in biz_opaque_callback_data");
	EQ_INT(last_auth, GRAPH_AUTH_BEARER, "... with the Bearer token");
	EQ_STR(last_path, "/106540352242922/messages",
	    "... to /<phone-number-id>/messages");
	expect("whatsapp", "attachment", "{\"type\":\"file\","
	    "\"url\":\"https://example.org/menu.pdf\"}",
	    "{\"messaging_product\":\"whatsapp\",\"recipient_type\":"
	    "\"individual\",\"to\":\"16505551234\",\"type\":\"document\","
	    "\"document\":{\"link\":\"https://example.org/menu.pdf\"},"
	    "\"biz_opaque_callback_data\":\"hubgate:outbox:42\"}",
	    "WhatsApp file: a document");
	expect("whatsapp", "attachment", "{\"type\":\"audio\","
	    "\"url\":\"https://example.org/a.ogg\",\"caption\":\"x\"}", NULL,
	    "WhatsApp audio takes no caption");
	expect("page", "reaction", "{\"message_id\":5,\"mid\":\"m_abc\","
	    "\"emoji\":\"\\u2764\"}",
	    "{\"recipient\":{\"id\":\"7300000000000001\"},\"sender_action\":"
	    "\"react\",\"payload\":{\"message_id\":\"m_abc\",\"reaction\":"
	    "\"\xe2\x9d\xa4\"}}",
	    "Messenger reaction: sender_action react, payload{message_id, "
	    "reaction}");
	expect("instagram", "reaction", "{\"message_id\":5,\"mid\":\"m_abc\","
	    "\"emoji\":\"\u2764\"}",
	    "{\"recipient\":{\"id\":\"7300000000000001\"},\"sender_action\":"
	    "\"react\",\"payload\":{\"message_id\":\"m_abc\",\"reaction\":"
	    "\"love\"}}", "Instagram's reaction: love");
	expect("instagram", "reaction", "{\"message_id\":5,\"mid\":\"m_abc\","
	    "\"emoji\":\"\"}",
	    "{\"recipient\":{\"id\":\"7300000000000001\"},\"sender_action\":"
	    "\"unreact\",\"payload\":{\"message_id\":\"m_abc\"}}",
	    "an empty emoji: unreact with the message id only");
	expect("whatsapp", "reaction", "{\"message_id\":5,\"mid\":\"wamid.X\","
	    "\"emoji\":\"\\ud83d\\udc4d\"}",
	    "{\"messaging_product\":\"whatsapp\",\"recipient_type\":"
	    "\"individual\",\"to\":\"16505551234\",\"type\":\"reaction\","
	    "\"reaction\":{\"message_id\":\"wamid.X\",\"emoji\":"
	    "\"\xf0\x9f\x91\x8d\"},\"biz_opaque_callback_data\":"
	    "\"hubgate:outbox:42\"}", "WhatsApp reaction: type reaction");
	expect("page", "reaction", "{\"emoji\":\"x\"}", NULL,
	    "a reaction without the message's id");
	expect("page", "action", "{\"action\":\"typing_on\"}",
	    "{\"recipient\":{\"id\":\"7300000000000001\"},\"sender_action\":"
	    "\"typing_on\"}", "typing_on");
	expect("instagram", "action", "{\"action\":\"mark_seen\"}",
	    "{\"recipient\":{\"id\":\"7300000000000001\"},\"sender_action\":"
	    "\"mark_seen\"}", "mark_seen");
	expect("page", "action", "{\"action\":\"dance\"}", NULL,
	    "an unknown sender action");
	expect("whatsapp", "action", "{\"action\":\"read\",\"mid\":\"wamid.Y\"}",
	    "{\"messaging_product\":\"whatsapp\",\"status\":\"read\","
	    "\"message_id\":\"wamid.Y\"}", "WhatsApp read: status read");
	expect("whatsapp", "action", "{\"action\":\"typing_on\"}", NULL,
	    "WhatsApp has no typing_on action here");
	expect("page", "template", "{\"name\":\"hello\",\"language\":\"en\"}",
	    NULL, "a template is WhatsApp's only");
	expect("whatsapp", "text", "{\"text\":\"hi\"}",
	    "{\"messaging_product\":\"whatsapp\",\"recipient_type\":"
	    "\"individual\",\"to\":\"16505551234\",\"type\":\"text\",\"text\":"
	    "{\"preview_url\":false,\"body\":\"hi\"},"
	    "\"biz_opaque_callback_data\":\"hubgate:outbox:42\"}",
	    "a WhatsApp text as before");
	expect("page", "text", "{\"text\":\"hi\",\"quick_replies\":[\"Yes\"]}",
	    "{\"recipient\":{\"id\":\"7300000000000001\"},"
	    "\"messaging_type\":\"RESPONSE\",\"message\":{\"text\":\"hi\","
	    "\"quick_replies\":[{\"content_type\":\"text\",\"title\":\"Yes\","
	    "\"payload\":\"Yes\"}],\"metadata\":\"hubgate:outbox:42\"}}",
	    "a Messenger text with quick replies as before");
	expect("page", "text", "not json", NULL, "a body that does not parse");
}

/* A conversation of person on channel ch who last wrote age_ms ago. */
static long long
conversation(long long ch, const char *person, long long age_ms)
{
	long long contact, conv;

	db_begin(db);
	db_contact_upsert(db, 1, ch, person, "P", (now - age_ms) / 1000,
	    &contact);
	db_conversation_upsert(db, 1, ch, contact, now / 1000, &conv);
	db_conversation_note(db, conv, now - age_ms, 1);
	db_commit(db);
	return conv;
}

/* Queue an attachment of JSON att on conv; the verdict. */
static int
attach(long long conv, const char *att, struct outbox_res *res)
{
	struct outbox_req	 r;
	cJSON			*a = cJSON_Parse(att);

	memset(&r, 0, sizeof(r));
	r.workspace = 1;
	r.conversation = conv;
	r.attachment = a;
	r.author_kind = "user";
	r.author_id = 1;
	r.now_ms = now;
	if (outbox_enqueue(db, &r, res) == -1)
		res->verdict = OUTBOX_VERDICT__MAX;
	cJSON_Delete(a);
	return res->verdict;
}

/* Queue a reaction or an action on conv; the verdict. */
static int
other(long long conv, long long msg, const char *emoji, const char *action,
    struct outbox_res *res)
{
	struct outbox_req r;

	memset(&r, 0, sizeof(r));
	r.workspace = 1;
	r.conversation = conv;
	r.react_to = msg;
	r.emoji = emoji;
	r.action = action;
	r.author_kind = "user";
	r.author_id = 1;
	r.now_ms = now;
	if (outbox_enqueue(db, &r, res) == -1)
		res->verdict = OUTBOX_VERDICT__MAX;
	return res->verdict;
}

static void
test_enqueue(void)
{
	struct outbox_res	 res;
	struct db_message	 m;
	long long		 page, ig, wa, c1, c2, ci, cw, cw25, in1, in2;
	char			 url[2200], att[2300];

	db_channel_add(db, "page", "100", "P", &page);
	db_channel_add(db, "instagram", "300", "I", &ig);
	db_channel_add(db, "whatsapp", "200", "W", &wa);
	EQ_INT(sqlv("SELECT count(*) FROM channel WHERE human_agent = 0 AND "
	    "mark_read = 1"), 3, "new channels: no HUMAN_AGENT (Meta's "
	    "permission), mark as read on");
	exec("UPDATE channel SET token_status = 'valid', token_sealed = x'00', "
	    "human_agent = 1");
	c1 = conversation(page, "u1", 3600 * 1000LL);
	c2 = conversation(page, "u2", 2 * 86400 * 1000LL);
	ci = conversation(ig, "i1", 3600 * 1000LL);
	cw = conversation(wa, "16505551234", 3600 * 1000LL);
	cw25 = conversation(wa, "16505550000", 25 * 3600 * 1000LL);

	EQ_INT(attach(c1, "{\"type\":\"image\",\"url\":"
	    "\"https://example.org/cake.png\"}", &res), OUTBOX_QUEUED_NEW,
	    "an image by URL is queued");
	EQ_INT(sqlv("SELECT count(*) FROM outbox o JOIN message m ON "
	    "m.id = o.message_id WHERE o.kind = 'attachment' AND "
	    "m.kind = 'attachment' AND m.direction = 'out' AND "
	    "m.status = 'queued' AND m.attachments = "
	    "'[{\"type\":\"image\",\"url\":\"https://example.org/cake.png\"}]' "
	    "AND json_extract(o.body, '$.url') = "
	    "'https://example.org/cake.png'"), 1,
	    "... as kind attachment, with its message in the thread");
	EQ_INT(attach(c2, "{\"type\":\"file\",\"url\":"
	    "\"https://example.org/menu.pdf\"}", &res), OUTBOX_QUEUED_NEW,
	    "at 2 days, by a person: queued ...");
	EQ_INT(sqlv("SELECT count(*) FROM outbox WHERE kind = 'attachment' AND "
	    "tag = 'HUMAN_AGENT'"), 1, "... with the HUMAN_AGENT tag");
	EQ_INT(attach(c1, "{\"type\":\"image\",\"url\":"
	    "\"http://example.org/cake.png\"}", &res), OUTBOX_REFUSED,
	    "a plain http URL is refused");
	OK(strstr(res.why, "https") != NULL, "... saying https");
	memset(url, 'a', sizeof(url));
	memcpy(url, "https://example.org/", 20);
	url[2100] = '\0';
	snprintf(att, sizeof(att), "{\"type\":\"image\",\"url\":\"%s\"}", url);
	EQ_INT(attach(c1, att, &res), OUTBOX_REFUSED, "a URL over 2048 bytes");
	OK(strstr(res.why, "2048") != NULL, "... saying so");
	EQ_INT(attach(c1, "{\"type\":\"image\",\"url\":"
	    "\"https://exa mple.org/x\"}", &res), OUTBOX_REFUSED,
	    "a URL with a blank");
	EQ_INT(attach(c1, "{\"type\":\"gif\",\"url\":"
	    "\"https://example.org/x.gif\"}", &res), OUTBOX_REFUSED,
	    "an unknown type");
	EQ_INT(attach(ci, "{\"type\":\"file\",\"url\":"
	    "\"https://example.org/x.pdf\"}", &res), OUTBOX_REFUSED,
	    "Instagram: a file is refused");
	OK(strstr(res.why, "Instagram") != NULL, "... saying Instagram");
	EQ_INT(attach(ci, "{\"type\":\"image\",\"url\":"
	    "\"https://example.org/x.png\"}", &res), OUTBOX_QUEUED_NEW,
	    "Instagram: an image is queued");
	EQ_INT(attach(c1, "{\"type\":\"image\",\"url\":"
	    "\"https://example.org/x.png\",\"caption\":\"Hi\"}", &res),
	    OUTBOX_REFUSED, "Messenger: a caption is refused");
	EQ_INT(attach(cw, "{\"type\":\"image\",\"url\":"
	    "\"https://example.org/x.png\",\"caption\":\"Our cake\"}", &res),
	    OUTBOX_QUEUED_NEW, "WhatsApp: an image with its caption");
	EQ_INT(sqlv("SELECT count(*) FROM message WHERE kind = 'attachment' AND "
	    "text = 'Our cake'"), 1, "... the caption is the message's text");
	EQ_INT(attach(cw, "{\"type\":\"audio\",\"url\":"
	    "\"https://example.org/x.ogg\",\"caption\":\"no\"}", &res),
	    OUTBOX_REFUSED, "WhatsApp: audio with a caption is refused");
	EQ_INT(attach(cw25, "{\"type\":\"image\",\"url\":"
	    "\"https://example.org/x.png\"}", &res), OUTBOX_REFUSED,
	    "WhatsApp at 25 h: an attachment is refused as text is");
	OK(strstr(res.why, "template") != NULL, "... only a template");
	EQ_INT(attach(c1, "{\"url\":\"https://example.org/x.png\"}", &res),
	    OUTBOX_BAD_REQUEST, "an attachment without a type: malformed");

	/* Reactions: to a message with Meta's id, in the window. */
	memset(&m, 0, sizeof(m));
	m.conversation_id = c1;
	m.channel_id = page;
	m.mid = "m_in1";
	m.direction = "in";
	m.kind = "text";
	m.status = MSG_RECEIVED;
	m.sent_ms = now - 3600 * 1000LL;
	m.created_ms = m.sent_ms;
	db_message_insert(db, &m);
	in1 = sqlv("SELECT id FROM message WHERE meta_message_id = 'm_in1'");
	m.mid = "reaction:u1:m_in1:1";
	m.kind = "reaction";
	m.reply_to = "m_in1";
	db_message_insert(db, &m);
	in2 = sqlv("SELECT id FROM message WHERE meta_message_id = "
	    "'reaction:u1:m_in1:1'");
	EQ_INT(other(c1, in1, "\xe2\x9d\xa4", NULL, &res), OUTBOX_QUEUED_NEW,
	    "a reaction to the person's message is queued");
	EQ_INT(sqlv("SELECT count(*) FROM outbox o JOIN message m ON "
	    "m.id = o.message_id WHERE o.kind = 'reaction' AND "
	    "m.kind = 'reaction' AND m.direction = 'out' AND "
	    "m.reply_to = 'm_in1' AND json_extract(o.body, '$.mid') = 'm_in1' "
	    "AND json_extract(o.body, '$.message_id') = "
	    "(SELECT id FROM message WHERE meta_message_id = 'm_in1')"), 1,
	    "... a reaction row in the thread, as inbound ones are, "
	    "replying to the mid");
	EQ_INT(other(c1, in1, "", NULL, &res), OUTBOX_QUEUED_NEW,
	    "\"\" (removing it) is queued too");
	m.conversation_id = ci;
	m.channel_id = ig;
	m.mid = "ig_in1";
	m.kind = "text";
	m.reply_to = NULL;
	db_message_insert(db, &m);
	EQ_INT(other(ci, sqlv("SELECT id FROM message WHERE meta_message_id = "
	    "'ig_in1'"), "\xf0\x9f\x91\x8d", NULL, &res), OUTBOX_REFUSED,
	    "Instagram: a thumbs up is refused ...");
	OK(strstr(res.why, "heart") != NULL, "... saying only a heart");
	EQ_INT(other(ci, sqlv("SELECT id FROM message WHERE meta_message_id = "
	    "'ig_in1'"), "\xe2\x9d\xa4\xef\xb8\x8f", NULL, &res),
	    OUTBOX_QUEUED_NEW, "... a heart is queued");
	EQ_INT(other(c1, in2, "x", NULL, &res), OUTBOX_NO_MESSAGE,
	    "a reaction to a reaction: no such message");
	EQ_INT(other(c2, in1, "x", NULL, &res), OUTBOX_NO_MESSAGE,
	    "a message of another conversation: no such message");
	EQ_INT(other(c1, in1, "a very long text that is not one emoji at all, "
	    "no, really not one", NULL, &res), OUTBOX_BAD_REQUEST,
	    "an emoji over 64 bytes");

	/* Actions: never in the thread. */
	EQ_INT(other(c1, 0, NULL, "typing_on", &res), OUTBOX_QUEUED_NEW,
	    "typing_on is queued");
	EQ_INT(sqlv("SELECT count(*) FROM outbox WHERE kind = 'action' AND "
	    "message_id IS NULL AND json_extract(body, '$.action') = "
	    "'typing_on'"), 1, "... as an action without a message");
	EQ_INT(other(cw, 0, NULL, "typing_on", &res), OUTBOX_REFUSED,
	    "typing on WhatsApp: refused");
	EQ_INT(other(c2, 0, NULL, "typing_on", &res), OUTBOX_REFUSED,
	    "typing at 2 days: refused");
	exec("UPDATE conversation SET unread = 2");
	EQ_INT(other(c1, 0, NULL, "read", &res), OUTBOX_QUEUED_NEW,
	    "opening a conversation with unread messages: mark_seen");
	EQ_INT(sqlv("SELECT count(*) FROM outbox WHERE kind = 'action' AND "
	    "json_extract(body, '$.action') = 'mark_seen'"), 1, "... queued");
	exec("INSERT INTO message (conversation_id, channel_id, "
	    "meta_message_id, direction, kind, text, status, sent_ms, "
	    "created_ms) VALUES ((SELECT id FROM conversation WHERE contact_id "
	    "= (SELECT id FROM contact WHERE meta_user_id = '16505551234')), "
	    "(SELECT id FROM channel WHERE kind = 'whatsapp'), 'wamid.IN', "
	    "'in', 'text', 'hola', 'received', 1, 1)");
	EQ_INT(other(cw, 0, NULL, "read", &res), OUTBOX_QUEUED_NEW,
	    "WhatsApp: read ...");
	EQ_INT(sqlv("SELECT count(*) FROM outbox WHERE kind = 'action' AND "
	    "json_extract(body, '$.action') = 'read' AND "
	    "json_extract(body, '$.mid') = 'wamid.IN'"), 1,
	    "... of the last inbound wamid");
	exec("UPDATE channel SET mark_read = 0 WHERE kind = 'page'");
	EQ_INT(other(c1, 0, NULL, "read", &res), OUTBOX_REFUSED,
	    "a channel set not to mark read: nothing queued");
	exec("UPDATE channel SET mark_read = 1; UPDATE conversation SET "
	    "unread = 0");
	EQ_INT(other(c1, 0, NULL, "read", &res), OUTBOX_REFUSED,
	    "nothing unread: nothing queued");
	EQ_INT(outbox_attempts_max("action"), 2, "an action: two tries");
	OK(outbox_attempts_max("text") > 2, "a text: more");
	{
		struct outbox_req	 r;
		cJSON			*a = cJSON_Parse("{\"type\":\"image\","
					    "\"url\":\"https://example.org/x\"}");

		memset(&r, 0, sizeof(r));
		r.workspace = 1;
		r.conversation = c1;
		r.text = "hi";
		r.attachment = a;
		r.author_kind = "user";
		r.now_ms = now;
		OK(outbox_enqueue(db, &r, &res) == 0 &&
		    res.verdict == OUTBOX_BAD_REQUEST,
		    "text and an attachment at once: malformed");
		cJSON_Delete(a);
	}
}

int
main(void)
{
	char text[256], err[512];

	test_build();
	snprintf(dir, sizeof(dir), "/tmp/hubgate-kinds.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/k.db", dir);
	snprintf(text, sizeof(text), "db_path = %s\n", dbpath);
	if ((conf = conf_load_string(text, "k.conf", err, sizeof(err))) == NULL ||
	    (db = db_open(conf, 0, err, sizeof(err))) == NULL) {
		printf("# %s\n", err);
		return 1;
	}
	test_enqueue();
	db_close(db);
	conf_free(conf);
	test_rm_db(dir, "k.db");
	return test_done();
}
