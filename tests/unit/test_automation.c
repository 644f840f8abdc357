/*
 * Automation on a real database (lib/pipeline/automation.c,
 * lib/store/db_auto.c): nothing for a workspace that automates
 * nothing; rule order and stop; each message once (a replay adds
 * nothing); placeholders from the contact; standby copies, a thread
 * another app owns and escalated conversations left alone; an echo
 * from Meta's inbox escalating without a notice; the loop limit;
 * escalation phrases; failures in a row escalating; the place in the
 * queue and the typical wait in the notice; a bot's answer (replies,
 * low confidence, handover).
 */
#include <sqlite3.h>

#include "test.h"

#include "automation.h"
#include "conf.h"
#include "db.h"
#include "db_auto.h"
#include "db_channel.h"
#include "db_inbox.h"

static char		 dir[64], dbpath[128];
static struct conf	*conf;
static struct db	*db;
static const long long	 now = 1800000000000LL;
static long long	 page, next_event = 100, next_mid = 1;

#include "testdb.h"

/* A conversation with person (named name) who just wrote. */
static long long
conversation(const char *person, const char *name)
{
	long long contact, conv;

	db_begin(db);
	db_contact_upsert(db, 1, page, person, name, now / 1000, &contact);
	db_conversation_upsert(db, 1, page, contact, now / 1000, &conv);
	db_conversation_note(db, conv, now - 1000, 1);
	db_commit(db);
	return conv;
}

/* Store a message of conv as a new event's (dir "in" or "out", with
 * standby and author), then run automation on that event as event
 * processing does; the event's id. */
static long long
deliver(long long conv, const char *dir_, const char *text, int standby,
    const char *author)
{
	char		 q[1024];
	long long	 ev = next_event++;
	int		 rc;

	snprintf(q, sizeof(q), "INSERT INTO message (conversation_id, channel_id, "
	    "meta_message_id, direction, kind, text, status, sent_ms, event_id, "
	    "created_ms, standby, author) VALUES (%lld, %lld, 'm.%lld', '%s', "
	    "'text', '%s', 'received', %lld, %lld, %lld, %d, %s%s%s)", conv,
	    page, next_mid++, dir_, text, now - 500, ev, now, standby,
	    author ? "'" : "", author ? author : "NULL", author ? "'" : "");
	exec(q);
	db_begin(db);
	rc = automation_after_event(db, ev, now);
	if (rc == 0)
		db_commit(db);
	else
		db_rollback(db);
	if (rc != 0)
		printf("# automation_after_event failed: %s\n", db_errmsg(db));
	return ev;
}

static void
in(long long conv, const char *text)
{
	deliver(conv, "in", text, 0, NULL);
}

static long long
rule(long long position, const char *name, const char *body)
{
	long long id;

	db_rule_add(db, 1, position, name, 1, body, 0, &id);
	return id;
}

/* The texts of conv's sends, in order, joined by '|'. */
static char *
sends(long long conv)
{
	char q[256];

	snprintf(q, sizeof(q), "SELECT group_concat(m.text, '|') FROM (SELECT "
	    "m.text FROM outbox o JOIN message m ON m.id = o.message_id WHERE "
	    "o.conversation_id = %lld ORDER BY o.id) m", conv);
	return sqls(q);
}

static long long
nsends(long long conv)
{
	char q[128];

	snprintf(q, sizeof(q), "SELECT count(*) FROM outbox WHERE "
	    "conversation_id = %lld", conv);
	return sqlv(q);
}

static const char *
conv_col(long long conv, const char *col)
{
	char q[128];

	snprintf(q, sizeof(q), "SELECT %s FROM conversation WHERE id = %lld",
	    col, conv);
	return sqls(q);
}

static void
test_bot_answer(void)
{
	long long	 c = conversation("b1", "Bo"), m;
	cJSON		*a;

	in(c, "nothing matches this");
	m = sqlv("SELECT max(id) FROM message WHERE direction = 'in'");
	a = cJSON_Parse("{\"replies\":[{\"text\":\"Order 5: shipped.\"}],"
	    "\"tags\":[\"order\"],\"confidence\":0.9}");
	db_begin(db);
	EQ_INT(automation_bot_answer(db, m, a, now), 0, "a bot's answer");
	db_commit(db);
	cJSON_Delete(a);
	EQ_STR(sends(c), "Order 5: shipped.", "... its reply is queued");
	EQ_STR(sqls("SELECT author FROM message WHERE text = 'Order 5: shipped.'"),
	    "bot", "... as the bot's");
	EQ_STR(sqls("SELECT tag FROM conversation_tag WHERE tag = 'order'"),
	    "order", "... with its tag");
	a = cJSON_Parse("{\"replies\":[{\"text\":\"Maybe?\"}],\"confidence\":0.5}");
	db_begin(db);
	automation_bot_answer(db, m, a, now);
	db_commit(db);
	cJSON_Delete(a);
	EQ_STR(conv_col(c, "status"), "escalated", "low confidence escalates");
	OK(strstr(conv_col(c, "escalation_reason"), "unsure (confidence 0.50, "
	    "below 0.70)") != NULL, "... saying why");
	OK(strstr(sends(c), "Maybe?") == NULL, "... without the unsure reply");
	a = cJSON_Parse("{\"replies\":[{\"text\":\"Late\"}]}");
	db_begin(db);
	automation_bot_answer(db, m, a, now);
	db_commit(db);
	cJSON_Delete(a);
	OK(strstr(sends(c), "Late") == NULL, "an answer after the escalation "
	    "is dropped");
}

int
main(void)
{
	char		 text[1024], err[512];
	long long	 c1, c2, c3, c4, c5, c6, c7, c8, i, first;

	snprintf(dir, sizeof(dir), "/tmp/hubgate-auto.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/a.db", dir);
	snprintf(text, sizeof(text), "db_path = %s\n", dbpath);
	if ((conf = conf_load_string(text, "a.conf", err, sizeof(err))) == NULL ||
	    (db = db_open(conf, 0, err, sizeof(err))) == NULL) {
		printf("# %s\n", err);
		return 1;
	}
	db_channel_add(db, "page", "100", "Bakery", &page);
	exec("UPDATE channel SET token_status = 'valid', token_sealed = x'00'");
	/* One person, available. */
	exec("INSERT INTO user (id, email, created_at, updated_at) VALUES "
	    "(7, 'a@example.org', 0, 0)");
	exec("INSERT INTO membership (workspace_id, user_id, role, created_at) "
	    "VALUES (1, 7, 'agent', 0)");

	/* Nothing automated: the messages are still marked. */
	c1 = conversation("u1", "Ana Lima");
	in(c1, "hello");
	EQ_INT(nsends(c1), 0, "a workspace with every rule off sends nothing");
	EQ_STR(sqls("SELECT outcome FROM automation_seen"), "off",
	    "... and marks the message seen");

	/* Order and stop. */
	rule(10, "A", "{\"when\":{\"keywords\":[\"hello\"]},\"then\":[{\"reply\":"
	    "{\"text\":\"Hi {contact.first_name}, A\"}},{\"tag\":\"greeted\"}]}");
	rule(20, "B", "{\"when\":{\"keywords\":[\"hello\"]},\"then\":[{\"reply\":"
	    "{\"text\":\"B for {contact.last_name|you}\"}},{\"stop\":{}}]}");
	rule(30, "C", "{\"when\":{\"keywords\":[\"hello\"]},\"then\":[{\"reply\":"
	    "{\"text\":\"C\"}}]}");
	rule(40, "Ping", "{\"when\":{\"keywords\":[\"ping\"]},\"then\":[{\"reply\":"
	    "{\"text\":\"pong\"}},{\"stop\":{}}]}");
	c2 = conversation("u2", "Ana Lima");
	first = deliver(c2, "in", "Well, HELLO!", 0, NULL);
	EQ_STR(sends(c2), "Hi Ana, A|B for you", "rules in order, every match "
	    "acts until one stops; placeholders from the contact");
	EQ_STR(conv_col(c2, "(SELECT group_concat(tag) FROM conversation_tag "
	    "WHERE conversation_id = conversation.id)"), "greeted", "a tag");
	db_begin(db);
	automation_after_event(db, first, now);
	db_commit(db);
	EQ_INT(nsends(c2), 2, "the same event again (a replay): nothing new");

	/* Left alone. */
	c3 = conversation("u3", "Ben");
	deliver(c3, "in", "hello", 1, NULL);
	EQ_INT(nsends(c3), 0, "a standby copy is not automated");
	EQ_STR(sqls("SELECT outcome FROM automation_seen ORDER BY message_id "
	    "DESC LIMIT 1"), "skipped: a standby copy", "... and why is kept");
	snprintf(text, sizeof(text), "UPDATE conversation SET thread_owner = "
	    "'other' WHERE id = %lld", c3);
	exec(text);
	in(c3, "hello");
	EQ_INT(nsends(c3), 0, "a thread another app owns is not automated");
	snprintf(text, sizeof(text), "UPDATE conversation SET thread_owner = "
	    "'us', assigned_user_id = NULL WHERE id = %lld", c3);
	exec(text);
	deliver(c3, "out", "A person writing in the Page inbox", 0, "page_inbox");
	EQ_STR(conv_col(c3, "status"), "escalated", "an echo from Meta's inbox "
	    "escalates");
	EQ_STR(conv_col(c3, "escalation_reason"), "a person answered in Meta's "
	    "inbox", "... with the reason");
	EQ_INT(nsends(c3), 0, "... without a notice");
	in(c3, "hello");
	EQ_INT(nsends(c3), 0, "an escalated conversation is not automated");
	/* Closing resumes automation. */
	snprintf(text, sizeof(text), "UPDATE conversation SET status = 'closed' "
	    "WHERE id = %lld", c3);
	exec(text);
	in(c3, "hello");
	EQ_INT(nsends(c3), 2, "a closed conversation is automated again");
	c4 = conversation("u4", "Cy");
	deliver(c4, "out", "our own echo", 0, "hubgate");
	EQ_STR(conv_col(c4, "status"), "open", "hubgate's own echo changes "
	    "nothing");

	/* The loop limit. */
	c5 = conversation("u5", "Di");
	for (i = 0; i < 7; i++)
		in(c5, "ping");
	EQ_INT(nsends(c5), 5, "at most 5 automatic replies an hour");
	EQ_INT(sqlv("SELECT count(*) FROM automation_log WHERE detail LIKE "
	    "'loop limit%'"), 2, "... the others logged as the loop limit");
	in(c5, "pong");
	EQ_INT(sqlv("SELECT count(*) FROM automation_log WHERE detail LIKE "
	    "'an automated sender%'"), 1, "a contact repeating our reply is "
	    "an automated sender");

	/* Escalation phrases (the default list), the notice, the queue. */
	db_auto_settings_put(db, 1, "handover", "{\"enabled\":true,"
	    "\"max_failures\":3}", NULL, 0, 0);
	c6 = conversation("u6", "Ed");
	in(c6, "Can I talk to someone please");
	EQ_STR(conv_col(c6, "status"), "escalated", "a default escalation phrase");
	EQ_STR(conv_col(c6, "escalation_reason"), "asked for a person (\"talk to "
	    "someone\")", "... the reason names it");
	EQ_STR(conv_col(c6, "coalesce(assigned_user_id, 0)"), "0", "... unassigned");
	EQ_STR(sends(c6), "Thanks! I'm connecting you with a person, who will "
	    "answer here shortly.", "the default notice, first in the queue");
	EQ_STR(conv_col(c6, "escalation_summary"), "contact: Can I talk to "
	    "someone please", "a summary of the last messages");
	/* A person answered the first escalation after 2 minutes. */
	snprintf(text, sizeof(text), "INSERT INTO outbox (workspace_id, "
	    "channel_id, conversation_id, kind, body, author_kind, state, "
	    "next_attempt_ms, created_ms, updated_ms) VALUES (1, %lld, %lld, "
	    "'text', '{}', 'user', 'sent', 0, %lld, %lld)", page, c6,
	    now + 120000, now + 120000);
	exec(text);
	c7 = conversation("u7", "Flo");
	in(c7, "I want a REFUND");
	EQ_STR(sends(c7), "Thanks! I'm connecting you with a person, who will "
	    "answer here shortly. You are number 2 in the queue. The typical "
	    "wait is about 2 minutes.", "the second is told its place and the "
	    "typical wait");

	/* Nobody available: the notice says so, and when someone will
	 * answer when outside business hours. */
	db_auto_settings_put(db, 1, "hours", "{\"tz\":\"UTC\",\"week\":"
	    "{\"mon\":[[\"09:00\",\"17:00\"]]}}", NULL, 0, 0);
	db_auto_available_set(db, 1, 7, 0);
	{
		long long c9 = conversation("u9", "Hal");

		in(c9, "a HUMAN please");
		/* now is a Friday, 08:00 UTC. */
		EQ_STR(sends(c9), "Thanks! I'm connecting you with a person, who "
		    "will answer here shortly. Nobody is available right now. "
		    "We will answer from Monday 09:00.", "nobody available: "
		    "said, with the next opening");
	}
	db_auto_available_set(db, 1, 7, 1);

	/* Failures in a row, once automation has answered there. */
	/* Three ahead and one person available: three rounds of the wait;
	 * quick replies while waiting. */
	db_auto_settings_put(db, 1, "handover", "{\"enabled\":true,"
	    "\"max_failures\":3,\"waiting_quick_replies\":[\"Call me\","
	    "\"I will wait\"]}", NULL, 0, 0);
	{
		long long c10 = conversation("u10", "Ida");
		char q[200];

		in(c10, "urgent!");
		snprintf(q, sizeof(q), "SELECT group_concat(json_extract(value, "
		    "'$.title'), '|') FROM outbox, json_each(outbox.body, "
		    "'$.quick_replies') WHERE conversation_id = %lld", c10);
		EQ_STR(sqls(q), "Call me|I will wait", "the notice offers the "
		    "quick replies for waiting");
		EQ_STR(sends(c10), "Thanks! I'm connecting you with a person, "
		    "who will answer here shortly. You are number 4 in the "
		    "queue. The typical wait is about 6 minutes.", "the wait "
		    "counts the people available");
	}
	c8 = conversation("u8", "Gus");
	in(c8, "ping");
	in(c8, "what about bread");
	in(c8, "and cakes");
	EQ_STR(conv_col(c8, "status"), "open", "two unanswered: still open");
	in(c8, "and cakes");
	EQ_STR(conv_col(c8, "status"), "escalated", "the third failure in a "
	    "row escalates");
	EQ_STR(conv_col(c8, "escalation_reason"), "automation could not help "
	    "(3 times in a row)", "... saying so");

	test_bot_answer();

	db_close(db);
	conf_free(conf);
	test_rm_db(dir, "a.db");
	return test_done();
}
