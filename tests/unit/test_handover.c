/*
 * Conversation Routing with Meta's inbox: the setting, the metadata of
 * a pass, the Graph calls (graph_thread.h), and on a real database the
 * queued calls (handover.c), the take's conditions (db_handover.c) and
 * schema.sql's trigger on their outcomes.
 */
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "conf.h"
#include "db.h"
#include "db_auto.h"
#include "db_channel.h"
#include "db_handover.h"
#include "db_inbox.h"
#include "graph_thread.h"
#include "handover.h"
#include "test.h"

static char		 dir[64], dbpath[128];
static struct db	*db;
static const long long	 now = 1800000000000LL;

#include "testdb.h"

/* A conversation of channel ch with person. */
static long long
conversation(long long ch, const char *person)
{
	long long contact, conv;

	db_begin(db);
	db_contact_upsert(db, 1, ch, person, "P", now / 1000, &contact);
	db_conversation_upsert(db, 1, ch, contact, now / 1000, &conv);
	db_commit(db);
	return conv;
}

/* handover_pass_in in a transaction of its own: *queued. */
static int
pass(long long conv)
{
	int queued = -1;

	db_begin(db);
	if (handover_pass_in(db, 1, conv, "asked for a person", now,
	    &queued) == -1)
		queued = -1;
	db_commit(db);
	return queued;
}

/* conv's thread owner and error, "owner|app|error". */
static const char *
state(long long conv)
{
	char q[256];

	snprintf(q, sizeof(q), "SELECT thread_owner || '|' || "
	    "coalesce(thread_owner_app_id, '') || '|' || "
	    "coalesce(thread_control_error, '') FROM conversation WHERE id = "
	    "%lld", conv);
	return sqls(q);
}

/* Set the state of conv's latest send (and its error). */
static void
outcome(long long conv, const char *st, const char *err)
{
	char q[512];

	snprintf(q, sizeof(q), "UPDATE outbox SET state = '%s', error = %s%s%s, "
	    "updated_ms = %lld WHERE id = (SELECT max(id) FROM outbox WHERE "
	    "conversation_id = %lld)", st, err ? "'" : "", err ? err : "NULL",
	    err ? "'" : "", now + 1000, conv);
	exec(q);
}

static void
test_db(void)
{
	struct conf	*conf;
	char		 text[256], err[512], q[256];
	long long	 page, wa, c1, c2, c3;

	snprintf(dir, sizeof(dir), "/tmp/hubgate-ho.XXXXXX");
	if (mkdtemp(dir) == NULL)
		exit(1);
	snprintf(dbpath, sizeof(dbpath), "%s/h.db", dir);
	snprintf(text, sizeof(text), "db_path = %s\n", dbpath);
	if ((conf = conf_load_string(text, "h.conf", err, sizeof(err))) == NULL ||
	    (db = db_open(conf, 0, err, sizeof(err))) == NULL) {
		printf("# %s\n", err);
		exit(1);
	}
	db_channel_add(db, "page", "100", "Bakery", &page);
	db_channel_add(db, "whatsapp", "200", "Bakery WA", &wa);
	c1 = conversation(page, "7300000000000001");
	c2 = conversation(wa, "15550001111");
	c3 = conversation(page, "7300000000000003");

	EQ_INT(pass(c1), 0, "no handover settings: no pass");
	EQ_INT(db_handover_take_due(db, c1), 0, "... and no take due");
	db_auto_settings_put(db, 1, "handover", "{\"enabled\":true,"
	    "\"page_inbox\":false}", NULL, 0, now);
	EQ_INT(pass(c1), 0, "page_inbox false: no pass");
	db_auto_settings_put(db, 1, "handover", "{\"enabled\":true,"
	    "\"page_inbox\":true}", NULL, 0, now);
	EQ_INT(pass(c2), 0, "page_inbox true, WhatsApp: no pass");
	EQ_STR(sqls("SELECT count(*) FROM outbox"), "0", "... nothing queued so "
	    "far");
	EQ_INT(pass(c1), 1, "page_inbox true, Messenger: a pass is queued");
	snprintf(q, sizeof(q), "SELECT kind || ' ' || body || ' ' || author_kind "
	    "FROM outbox WHERE conversation_id = %lld", c1);
	EQ_STR(sqls(q), "action {\"action\":\"pass_thread_control\","
	    "\"target_app_id\":\"263902037430900\",\"metadata\":\"hubgate: "
	    "escalated: asked for a person\"} rule", "... an action for the Page "
	    "Inbox app");
	snprintf(q, sizeof(q), "SELECT count(*) FROM message WHERE "
	    "conversation_id = %lld", c1);
	EQ_STR(sqls(q), "0", "... with no message in the thread");
	EQ_INT(db_handover_take_due(db, c1), 1, "a pass on its way: a take is "
	    "due on closing");
	outcome(c1, "sent", NULL);
	EQ_STR(state(c1), "other|263902037430900|", "Meta took the pass: the "
	    "Page Inbox owns the thread");
	EQ_INT(db_handover_take_due(db, c1), 1, "... a take is due");
	EQ_INT(handover_take(db, 1, c1, 7, now), 1, "closing queues a take");
	EQ_INT(db_handover_take_due(db, c1), 0, "... then none is due while it "
	    "is on its way");
	EQ_INT(handover_take(db, 1, c1, 7, now), 0, "... closing again queues "
	    "nothing");
	outcome(c1, "failed", "(#10) no default app");
	EQ_STR(state(c1), "other|263902037430900|take_thread_control: (#10) no "
	    "default app", "Meta refused the take: kept, the thread still the "
	    "inbox's");
	snprintf(q, sizeof(q), "SELECT detail FROM automation_log WHERE "
	    "conversation_id = %lld AND action = 'refused'", c1);
	EQ_STR(sqls(q), "take_thread_control: refused by Meta: (#10) no default "
	    "app", "... and logged");
	EQ_INT(handover_take(db, 1, c1, 7, now), 1, "a person closing it again "
	    "tries once more");
	outcome(c1, "sent", NULL);
	EQ_STR(state(c1), "us||", "Meta took it: hubgate's thread, the error "
	    "cleared");
	EQ_INT(db_handover_take_due(db, c1), 0, "... no take due");

	/* A pass refused while a take waits behind it: nothing to take. */
	EQ_INT(pass(c3), 1, "an escalation passes");
	EQ_INT(handover_take(db, 1, c3, 7, now), 1, "... and closing at once "
	    "queues a take behind it");
	snprintf(q, sizeof(q), "UPDATE outbox SET state = 'failed', error = "
	    "'(#10) not owner', updated_ms = %lld WHERE conversation_id = %lld "
	    "AND json_extract(body, '$.action') = 'pass_thread_control'",
	    now + 1000, c3);
	exec(q);
	snprintf(q, sizeof(q), "SELECT state || '|' || error FROM outbox WHERE "
	    "conversation_id = %lld AND json_extract(body, '$.action') = "
	    "'take_thread_control'", c3);
	EQ_STR(sqls(q), "failed|not sent: the pass before it failed, so there "
	    "is nothing to take back", "Meta refused the pass: the take behind "
	    "it is not sent");
	EQ_STR(state(c3), "us||pass_thread_control: (#10) not owner", "... and "
	    "the pass's refusal is the one shown");

	EQ_INT(pass(c3), 1, "another escalation passes");
	outcome(c3, "sent", NULL);
	exec("UPDATE conversation SET thread_owner = 'us', thread_owner_app_id = "
	    "NULL WHERE thread_owner = 'other'");
	EQ_INT(db_handover_take_due(db, c3), 0, "the Page Inbox passed it back: "
	    "no take due");
	snprintf(q, sizeof(q), "UPDATE conversation SET thread_owner = 'other', "
	    "thread_owner_app_id = '555' WHERE id = %lld", c3);
	exec(q);
	EQ_INT(db_handover_take_due(db, c3), 0, "an app that is not Meta's inbox "
	    "owns it: hubgate takes nothing");
	db_auto_settings_put(db, 1, "handover", "{\"enabled\":true}", NULL, 0,
	    now);
	snprintf(q, sizeof(q), "UPDATE conversation SET thread_owner_app_id = "
	    "'263902037430900' WHERE id = %lld", c3);
	exec(q);
	EQ_INT(handover_take(db, 1, c3, 7, now), 0, "page_inbox off: closing "
	    "takes nothing");
	db_close(db);
	conf_free(conf);
	test_rm_db(dir, "h.db");
	rmdir(dir);
}

static void
test_setting(void)
{
	OK(handover_page_inbox("{\"enabled\":true,\"page_inbox\":true}"),
	    "page_inbox true: on");
	OK(!handover_page_inbox("{\"enabled\":true,\"page_inbox\":false}"),
	    "page_inbox false: off");
	OK(!handover_page_inbox("{\"enabled\":true}"), "absent: off");
	OK(!handover_page_inbox("{\"page_inbox\":\"yes\"}"), "not a boolean: off");
	OK(!handover_page_inbox(NULL), "no settings: off");
	OK(!handover_page_inbox("{not json"), "settings that do not parse: off");
}

static void
test_metadata(void)
{
	char	 out[64], small[32];
	size_t	 i;

	handover_metadata("asked for a person (\"person\")", out, sizeof(out));
	EQ_STR(out, "hubgate: escalated: asked for a person (\"person\")",
	    "the reason after a prefix");
	handover_metadata(NULL, out, sizeof(out));
	EQ_STR(out, "hubgate: escalated: ", "no reason");
	handover_metadata("line\none\ttwo", out, sizeof(out));
	EQ_STR(out, "hubgate: escalated: line one two",
	    "control bytes become blanks");
	/* 20 bytes of prefix, then "é" (2 bytes) cut after its first
	 * byte at 31 bytes: the half character goes. */
	handover_metadata("0123456789\xc3\xa9", small, sizeof(small));
	EQ_STR(small, "hubgate: escalated: 0123456789", "a character cut in "
	    "two is dropped whole");
	handover_metadata("012345678\xe2\x82\xac", small, sizeof(small));
	EQ_STR(small, "hubgate: escalated: 012345678", "... a three-byte one "
	    "too");
	handover_metadata("01234567\xc3\xa9" "x", small, sizeof(small));
	EQ_STR(small, "hubgate: escalated: 01234567\xc3\xa9" "x",
	    "a character that fits stays");
	handover_metadata("0123456789\xc3\xa9", small, 31);
	for (i = 0; small[i] != '\0'; i++)
		;
	EQ_INT(i, 30, "... cut only by the room");
}

/* The body of b (JSON) for recipient, page and ig, and its path; NULL
 * with why. */
static char *
build(const char *b, const char *page, const char *to, int ig, char *path,
    size_t pathsz, char *why, size_t whysz)
{
	cJSON	*j = cJSON_Parse(b), *o;
	char	*s;

	o = graph_thread_body(j, page, to, ig, path, pathsz, why, whysz);
	cJSON_Delete(j);
	if (o == NULL)
		return NULL;
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void
test_graph(void)
{
	char	 path[128], why[128], big[1200];
	char	*s;

	OK(graph_thread_action("pass_thread_control"), "pass is a call");
	OK(graph_thread_action("take_thread_control"), "take is a call");
	OK(!graph_thread_action("mark_seen"), "mark_seen is not");
	OK(!graph_thread_action(NULL), "nothing is not");
	s = build("{\"action\":\"pass_thread_control\",\"target_app_id\":\""
	    GRAPH_PAGE_INBOX_APP_ID "\",\"metadata\":\"m\"}", "104857600000001",
	    "7300000000000001", 0, path, sizeof(path), why, sizeof(why));
	EQ_STR(s, "{\"recipient\":{\"id\":\"7300000000000001\"},"
	    "\"target_app_id\":\"263902037430900\",\"metadata\":\"m\"}",
	    "a pass: recipient, target app, metadata");
	EQ_STR(path, "/104857600000001/pass_thread_control", "... to the Page");
	free(s);
	s = build("{\"action\":\"take_thread_control\",\"metadata\":\"back\"}",
	    "17841400000000001", "5300000000000001", 1, path, sizeof(path), why,
	    sizeof(why));
	EQ_STR(s, "{\"recipient\":{\"id\":\"5300000000000001\"},"
	    "\"metadata\":\"back\"}", "a take: no target app");
	EQ_STR(path, "/me/take_thread_control", "... Instagram's through /me");
	free(s);
	OK(build("{\"action\":\"pass_thread_control\"}", "1", "2", 0, path,
	    sizeof(path), why, sizeof(why)) == NULL, "a pass without a "
	    "target app: refused");
	EQ_STR(why, "pass_thread_control needs a target app id", "... saying so");
	OK(build("{\"action\":\"take_thread_control\"}", "1", "2/x", 0, path,
	    sizeof(path), why, sizeof(why)) == NULL, "a recipient that is no id: "
	    "refused");
	OK(build("{\"action\":\"mark_seen\"}", "1", "2", 0, path, sizeof(path),
	    why, sizeof(why)) == NULL, "another action: refused");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "{\"action\":\"take_thread_control\",\"metadata\":\"", 44);
	memcpy(big + sizeof(big) - 3, "\"}", 2);
	OK(build(big, "1", "2", 0, path, sizeof(path), why, sizeof(why)) == NULL,
	    "metadata over 1000 bytes: refused");
	OK(build("{\"action\":\"take_thread_control\",\"metadata\":\"\\u00ff\"}",
	    "1", "2", 0, path, 10, why, sizeof(why)) == NULL, "a path that "
	    "does not fit: refused");
}

int
main(void)
{
	test_setting();
	test_metadata();
	test_graph();
	test_db();
	return test_done();
}
