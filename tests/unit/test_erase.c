/*
 * Erasing a person (lib/pipeline/erase.c, lib/meta/redact.c): only the
 * entries naming them leave a raw event, other people's stay; an event
 * a worker holds is left; and the body scan never holds the write
 * lock, so another writer (the webhook) is kept waiting for at most
 * one small chunk, even over 20,000 stored events.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "conf.h"
#include "db.h"
#include "db_int.h"
#include "erase.h"
#include "redact.h"
#include "test.h"

static char	 dir[512];
static char	 path[600];
static char	 err[1024];

#define X	"7300000000000001"	/* the person erased */
#define Y	"7300000000000002"	/* someone else */

/* A Messenger delivery with a text from each of a and b. */
#define MSGR(a, b) "{\"object\":\"page\",\"entry\":[{\"id\":\"1001\"," \
	"\"time\":1,\"messaging\":[{\"sender\":{\"id\":\"" a "\"}," \
	"\"recipient\":{\"id\":\"1001\"},\"timestamp\":1,\"message\":" \
	"{\"mid\":\"m1\",\"text\":\"hello from a\"}},{\"sender\":{\"id\":\"" \
	b "\"},\"recipient\":{\"id\":\"1001\"},\"timestamp\":2,\"message\":" \
	"{\"mid\":\"m2\",\"text\":\"hello from b\"}}]}]}"

static void
test_redact(void)
{
	struct buf	 out;
	long long	 items = 0;
	const char	*wa = "{\"object\":\"whatsapp_business_account\","
	    "\"entry\":[{\"id\":\"55\",\"changes\":[{\"field\":\"messages\","
	    "\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":"
	    "{\"phone_number_id\":\"66\"},\"contacts\":[{\"profile\":{\"name\":"
	    "\"Xavier\"},\"wa_id\":\"" X "\"},{\"profile\":{\"name\":\"Yan\"},"
	    "\"wa_id\":\"" Y "\"}],\"messages\":[{\"from\":\"" X "\",\"id\":"
	    "\"w1\",\"type\":\"text\",\"text\":{\"body\":\"secret\"}},{\"from\":"
	    "\"" Y "\",\"id\":\"w2\",\"type\":\"text\",\"text\":{\"body\":"
	    "\"kept\"}}]}}]}]}";
	const char	*num = "{\"entry\":[{\"messaging\":[{\"sender\":"
	    "{\"id\":7300000000000001}}]}],\"x\":{\"y\":\"" X "\"}}";

	buf_init(&out, 1 << 20);
	EQ_INT(redact_person(MSGR(X, Y), strlen(MSGR(X, Y)), X, &out, &items),
	    1, "a batch naming the person is rewritten");
	OK(strstr(out.data, X) == NULL && strstr(out.data, "hello from a") ==
	    NULL, "... without their entry (id and text gone)");
	OK(strstr(out.data, Y) != NULL && strstr(out.data, "hello from b") !=
	    NULL, "... the other person's entry kept");
	OK(strstr(out.data, "\"id\":\"1001\"") != NULL, "... and the Page's");
	EQ_INT(items, 1, "one entry removed");
	buf_reset(&out);
	items = 0;
	EQ_INT(redact_person(wa, strlen(wa), X, &out, &items), 1,
	    "a WhatsApp change naming the person is rewritten");
	OK(strstr(out.data, X) == NULL && strstr(out.data, "Xavier") == NULL &&
	    strstr(out.data, "secret") == NULL,
	    "... without their contact (name) and message");
	OK(strstr(out.data, "Yan") != NULL && strstr(out.data, "kept") != NULL &&
	    strstr(out.data, "\"phone_number_id\":\"66\"") != NULL,
	    "... the other person's and the number's kept");
	EQ_INT(items, 2, "their contact and message removed");
	buf_reset(&out);
	EQ_INT(redact_person(num, strlen(num), X, &out, NULL), 1,
	    "an id sent as a number is found too");
	OK(strstr(out.data, X) == NULL, "... and removed");
	buf_reset(&out);
	EQ_INT(redact_person(MSGR(Y, Y), strlen(MSGR(Y, Y)), X, &out, NULL), 0,
	    "a body not naming the person is left");
	EQ_INT(out.len, 0, "... untouched");
	EQ_INT(redact_person("not json", 8, X, &out, NULL), -1,
	    "a body that is not JSON: -1");
	buf_free(&out);
}

/* The write lock as another writer sees it, sampled while erase runs:
 * the longest run of samples finding it taken. */
static struct db	*other;
static int		 run_busy, max_busy, samples;

static int
sample(void *arg)
{
	int rc;

	(void)arg;
	samples++;
	rc = sqlite3_exec(other->h, "BEGIN IMMEDIATE; COMMIT", NULL, NULL,
	    NULL);
	if (rc == SQLITE_BUSY) {
		sqlite3_exec(other->h, "ROLLBACK", NULL, NULL, NULL);
		if (++run_busy > max_busy)
			max_busy = run_busy;
	} else
		run_busy = 0;
	return 0;
}

static int
run(struct db *d, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(d->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		printf("#   %s: %s\n", sql, msg != NULL ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static long long
one(struct db *d, const char *sql)
{
	sqlite3_stmt	*st;
	long long	 v = -1;

	if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
test_erase(void)
{
	struct conf	*c;
	struct db	*a = NULL;
	struct db_erase	 e;
	char		 text[1024];

	snprintf(text, sizeof(text), "db_path = %s\nbusy_timeout_ms = 5000\n",
	    path);
	if ((c = conf_load_string(text, "t.conf", err, sizeof(err))) == NULL) {
		OK(0, "configuration");
		return;
	}
	a = db_open(c, 0, err, sizeof(err));
	other = db_open(c, 0, err, sizeof(err));
	if (!OK(a != NULL && other != NULL, "two connections")) {
		printf("#   %s\n", err);
		goto out;
	}
	/* 20,000 events; every 1000th names X (with Y beside); one
	 * pending naming X alone; one a worker holds. */
	OK(run(a, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
	    "FROM n WHERE i < 20000) INSERT INTO webhook_event (received_ms, "
	    "body, body_sha256, signature, object, state) SELECT i, CASE WHEN "
	    "i % 1000 = 0 THEN '" MSGR(X, Y) "' ELSE '" MSGR(Y, Y) "' END || "
	    "printf('%*s', 400, ''), hex(randomblob(16)), 'sha256=x', 'page', "
	    "'processed' FROM n") == 0, "20,000 stored events");
	OK(run(a, "INSERT INTO webhook_event (received_ms, body, body_sha256, "
	    "signature, object, state) VALUES (20001, '" MSGR(X, X) "', 'p1', "
	    "'s', 'page', 'pending'), (20002, '" MSGR(X, Y) "', 'p2', 's', "
	    "'page', 'processing')") == 0, "a pending one and a held one");
	sqlite3_busy_timeout(other->h, 0);
	sqlite3_progress_handler(a->h, 200, sample, NULL);
	EQ_INT(erase_person(a, X, 0, 1000, &e), 0, "the erasure runs");
	sqlite3_progress_handler(a->h, 0, NULL, NULL);
	printf("#   %d samples, longest run with the write lock taken: %d\n",
	    samples, max_busy);
	OK(samples > 200, "the lock was sampled throughout");
	OK(max_busy <= 20, "another writer never waits for more than a chunk");
	EQ_INT(e.events, 21, "20 batches and the pending event were rewritten");
	EQ_INT(e.items, 22, "their entries about the person removed");
	EQ_INT(e.busy, 1, "the event a worker holds was left");
	EQ_INT(one(a, "SELECT count(*) FROM webhook_event WHERE instr(body, '"
	    X "') AND state <> 'processing'"), 0, "no other event names them");
	EQ_INT(one(a, "SELECT count(*) FROM webhook_event WHERE instr(body, '"
	    Y "')"), 20001, "every event naming someone else still does");
	EQ_INT(one(a, "SELECT count(*) FROM webhook_event"), 20002,
	    "no event was deleted");
out:
	db_close(a);
	db_close(other);
	conf_free(c);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	test_redact();
	snprintf(dir, sizeof(dir), "%s/hg-erase.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/hubgate.db", dir);
	test_erase();
	test_rm_db(dir, "hubgate.db");
	return test_done();
}
