/*
 * The outbound queue's storage and queueing (lib/pipeline/outbox.c,
 * lib/store/db_outbox.c) on a real database: the window and Meta's
 * limits checked before anything is queued, long texts split, the
 * idempotency key, workspace scoping, claims in order within a
 * conversation and only on valid tokens, lapsed leases becoming
 * unknown then due after the grace, echoes reconciling a send, and
 * receipts moving it forward.
 */
#include <sqlite3.h>

#include "test.h"

#include "conf.h"
#include "db.h"
#include "db_channel.h"
#include "db_inbox.h"
#include "db_outbox.h"
#include "outbox.h"

static char		 dir[64], dbpath[128];
static struct conf	*conf;
static struct db	*db;
static const long long	 now = 1800000000000LL;

#include "testdb.h"

/* A conversation of a person on channel ch who last wrote age_ms ago. */
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

/*
 * Claim the oldest due send of any channel under token, as the worker
 * does (db_outbox_due_channels, db_outbox_candidates, db_outbox_take in
 * one transaction): 1 with *j filled, 0 none, -1.
 */
static int
claim(long long at, long long lease_ms, const char *token,
    struct db_outbox_job *j)
{
	struct db_outbox_chan	 ch[8];
	struct db_outbox_job	 c;
	size_t			 n, k, i;
	int			 rc = 0;

	memset(j, 0, sizeof(*j));
	if (db_begin(db) == -1)
		return -1;
	if (db_outbox_due_channels(db, at, 0, ch, 8, &n) == -1)
		goto err;
	for (i = 0; i < n; i++) {
		if (db_outbox_candidates(db, at, ch[i].id, 1, &c, &k) == -1)
			goto err;
		if (k == 0)
			continue;
		if (j->id == 0 || c.id < j->id) {
			db_outbox_job_clear(j);
			*j = c;
		} else
			db_outbox_job_clear(&c);
	}
	if (j->id != 0 && (rc = db_outbox_take(db, j->id, token, at,
	    at + lease_ms)) == -1)
		goto err;
	if (db_commit(db) == -1)
		goto err;
	return rc;
err:
	db_outbox_job_clear(j);
	db_rollback(db);
	return -1;
}

static int
enqueue(long long conv, const char *text, const char *key, const char *who,
    struct outbox_res *res)
{
	struct outbox_req r;

	memset(&r, 0, sizeof(r));
	r.workspace = 1;
	r.conversation = conv;
	r.text = text;
	r.author_kind = who;
	r.author_id = 1;
	r.idempotency_key = key;
	r.now_ms = now;
	return outbox_enqueue(db, &r, res);
}

int
main(void)
{
	struct outbox_res	 res;
	struct db_outbox_job	 j;
	struct db_outbox_attempt a;
	long long		 page, wa, c1, c2, c8, cw, n, first, second, due;
	char			 text[1024], err[512], *big;
	cJSON			*qr;

	snprintf(dir, sizeof(dir), "/tmp/hubgate-outbox.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/o.db", dir);
	snprintf(text, sizeof(text), "db_path = %s\n", dbpath);
	if ((conf = conf_load_string(text, "o.conf", err, sizeof(err))) == NULL ||
	    (db = db_open(conf, 0, err, sizeof(err))) == NULL) {
		printf("# %s\n", err);
		return 1;
	}
	db_channel_add(db, "page", "100", "P", &page);
	db_channel_add(db, "whatsapp", "200", "W", &wa);
	/* New channels may not use the tag until someone says Meta gave
	 * the permission. */
	exec("UPDATE channel SET token_status = 'valid', token_sealed = x'00', "
	    "human_agent = 1");
	c1 = conversation(page, "u1", 3600 * 1000LL);
	c2 = conversation(page, "u2", 2 * 86400 * 1000LL);
	c8 = conversation(page, "u8", 8 * 86400 * 1000LL);
	cw = conversation(wa, "16505551234", 25 * 3600 * 1000LL);

	/* Queueing. */
	OK(enqueue(c1, "hello", NULL, "user", &res) == 0 &&
	    res.verdict == OUTBOX_QUEUED_NEW && res.n == 1, "a reply is queued");
	first = res.id;
	EQ_INT(sqlv("SELECT count(*) FROM message WHERE direction = 'out' AND "
	    "status = 'queued' AND text = 'hello'"), 1,
	    "... with its message in the thread, queued");
	OK(enqueue(c8, "late", NULL, "user", &res) == 0 &&
	    res.verdict == OUTBOX_REFUSED && strstr(res.why, "7 days") != NULL,
	    "8 days: refused with the reason");
	OK(enqueue(c2, "by a rule", NULL, "rule", &res) == 0 &&
	    res.verdict == OUTBOX_REFUSED, "2 days: a rule may not send");
	OK(enqueue(c2, "by a person", NULL, "user", &res) == 0 &&
	    res.verdict == OUTBOX_QUEUED_NEW, "2 days: a person may");
	EQ_INT(sqlv("SELECT count(*) FROM outbox WHERE tag = 'HUMAN_AGENT'"), 1,
	    "... tagged HUMAN_AGENT");
	OK(enqueue(cw, "text", NULL, "user", &res) == 0 &&
	    res.verdict == OUTBOX_REFUSED && strstr(res.why, "template") != NULL,
	    "WhatsApp at 25 h: text refused, a template needed");
	OK(enqueue(99999, "x", NULL, "user", &res) == 0 &&
	    res.verdict == OUTBOX_NO_CONVERSATION, "an unknown conversation");
	{
		struct outbox_req r;

		memset(&r, 0, sizeof(r));
		r.workspace = 2;
		r.conversation = c1;
		r.text = "x";
		r.author_kind = "user";
		r.now_ms = now;
		OK(outbox_enqueue(db, &r, &res) == 0 &&
		    res.verdict == OUTBOX_NO_CONVERSATION,
		    "another workspace's conversation: none");
	}
	OK(enqueue(c1, "keyed", "k1", "api", &res) == 0 &&
	    res.verdict == OUTBOX_QUEUED_NEW, "a keyed send");
	second = res.id;
	OK(enqueue(c1, "keyed", "k1", "api", &res) == 0 &&
	    res.verdict == OUTBOX_QUEUED_BEFORE && res.id == second,
	    "the same key: the first send");
	EQ_INT(sqlv("SELECT count(*) FROM outbox WHERE idempotency_key = 'k1'"),
	    1, "... one row");
	/* Limits and splitting. */
	big = malloc(3001);
	memset(big, 'a', 3000);
	big[3000] = '\0';
	for (n = 9; n < 3000; n += 10)
		big[n] = ' ';
	OK(enqueue(c1, big, NULL, "user", &res) == 0 && res.n == 2,
	    "3000 characters on Messenger: two sends (2000 at most each)");
	EQ_INT(sqlv("SELECT max(length(text)) FROM message WHERE direction = "
	    "'out'"), 1999, "... split at a word boundary");
	free(big);
	OK(enqueue(c1, "   ", NULL, "user", &res) == 0 &&
	    res.verdict == OUTBOX_REFUSED, "blank text: refused");
	{
		struct outbox_req r;

		memset(&r, 0, sizeof(r));
		r.workspace = 1;
		r.conversation = c1;
		r.text = "pick one";
		r.author_kind = "user";
		r.now_ms = now;
		qr = cJSON_Parse("[\"a very long quick reply title\"]");
		r.quick_replies = qr;
		OK(outbox_enqueue(db, &r, &res) == 0 &&
		    res.verdict == OUTBOX_REFUSED &&
		    strstr(res.why, "quick reply title") != NULL,
		    "a quick reply title over 20 characters: refused before "
		    "queueing");
		cJSON_Delete(qr);
		qr = cJSON_Parse("[\"Yes\",\"No\"]");
		r.quick_replies = qr;
		r.conversation = cw;
		r.text = NULL;
		r.template = NULL;
		OK(outbox_enqueue(db, &r, &res) == 0 &&
		    res.verdict == OUTBOX_BAD_REQUEST, "neither text nor a template");
		cJSON_Delete(qr);
	}

	/* Claims: in order within a conversation, valid tokens only. */
	EQ_INT(claim(now, 3000, "L1", &j), 1, "a claim");
	EQ_INT(j.id, first, "... the oldest send");
	EQ_STR(j.person, "u1", "... to its person");
	db_outbox_job_clear(&j);
	EQ_INT(claim(now, 3000, "L2", &j), 1, "another claim");
	OK(j.conversation_id != c1, "... not a later send of a conversation "
	    "whose earlier one is out");
	db_outbox_job_clear(&j);
	EQ_INT(claim(now, 3000, "L3", &j), 0,
	    "nothing else may go meanwhile");
	/* The first one's holder stops: lease lapses. */
	EQ_INT(db_outbox_recover(db, now + 3000, 2000, &n), 0, "recover");
	EQ_INT(sqlv("SELECT count(*) FROM outbox WHERE state = 'unknown'"), 2,
	    "lapsed claims become unknown");
	EQ_INT(claim(now + 3000, 3000, "L4", &j), 0,
	    "an unknown send holds its conversation back");
	/* The echo of the first arrives. */
	db_begin(db);
	EQ_INT(db_outbox_reconcile(db, wa, first, "m_x", now + 3500), 0,
	    "an echo on another channel does not reconcile it");
	EQ_INT(db_outbox_reconcile(db, page, first, "m_1", now + 3500), 1,
	    "its echo reconciles it");
	db_commit(db);
	EQ_INT(sqlv("SELECT count(*) FROM message WHERE meta_message_id = 'm_1' "
	    "AND status = 'sent'"), 1, "... its message takes the mid, sent");
	EQ_INT(db_outbox_recover(db, now + 5000, 2000, &n), 0, "recover again");
	EQ_INT(sqlv("SELECT count(*) FROM outbox WHERE state = 'queued' AND "
	    "attempts = 1"), 1, "the other unknown send is due again after the grace");
	/* Receipts. */
	db_begin(db);
	db_message_status(db, page, "m_1", MSG_DELIVERED, now + 6000, NULL, NULL);
	db_commit(db);
	EQ_INT(sqlv("SELECT state = 'delivered' FROM outbox WHERE id = 1"), 1,
	    "a delivery receipt moves the send");
	/* A dead token pauses a channel. */
	db_channel_token_invalid(db, page);
	EQ_INT(claim(now + 10000, 3000, "L5", &j), 0,
	    "no claims on a channel whose token is invalid");
	OK(sqlv("SELECT count(*) FROM outbox WHERE state = 'queued'") > 0,
	    "(sends wait on it)");
	OK(db_outbox_next_due(db, &due) == 0 && due == sqlv("SELECT "
	    "coalesce(min(next_attempt_ms), 0) FROM outbox WHERE state = "
	    "'unknown'"), "... and they are not due: the worker waits "
	    "instead of spinning on them");
	exec("UPDATE channel SET token_status = 'valid'");
	EQ_INT(claim(now + 10000, 3000, "L6", &j), 1,
	    "valid again: claims resume");
	memset(&a, 0, sizeof(a));
	a.attempt = j.attempts;
	a.cls = "ok";
	a.at_ms = now + 10001;
	EQ_INT(db_outbox_sent(db, j.id, "m_2", &a), 0, "sent");
	db_outbox_job_clear(&j);
	EQ_INT(db_outbox_requeue(db, 1, "L1", OUTBOX_QUEUED, now, 1, NULL, NULL,
	    NULL), 0, "a lapsed holder's requeue ...");
	EQ_INT(sqlv("SELECT state = 'delivered' FROM outbox WHERE id = 1"), 1,
	    "... changes nothing");
	db_close(db);
	conf_free(conf);
	test_rm_db(dir, "o.db");
	return test_done();
}
