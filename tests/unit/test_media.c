/*
 * Inbound media (lib/pipeline/media.c, lib/store/db_media.c) on a real
 * database: the rules (types kept and shown inline, the picture
 * sniffing, SHA-256 in hex and base64, backoff and the retry decision),
 * rows made from a new message's attachments only (malformed JSON and
 * other kinds make none; a redelivered message none again), claims
 * counting attempts, the fetcher's state machine against an address
 * that refuses (retried with backoff, then unavailable), ready and
 * expired items, workspace scoping of reads, and profiles claimed once
 * until the refresh.
 */
#include <sqlite3.h>

#include "test.h"

#include "clock.h"
#include "conf.h"
#include "db.h"
#include "db_channel.h"
#include "db_inbox.h"
#include "db_media.h"
#include "graph.h"
#include "limits.h"
#include "media.h"

static char		 dir[64], dbpath[128];
static struct db	*db;

#include "testdb.h"

/* Store a message with attachments atts in conv; what insert says. */
static int
message(long long ch, long long conv, const char *mid, const char *atts)
{
	struct db_message	 m;
	int			 rc;

	memset(&m, 0, sizeof(m));
	m.conversation_id = conv;
	m.channel_id = ch;
	m.mid = mid;
	m.direction = "in";
	m.kind = "attachment";
	m.attachments = atts;
	m.status = MSG_RECEIVED;
	m.sent_ms = 1000;
	m.created_ms = 1000;
	db_begin(db);
	rc = db_message_insert(db, &m);
	db_commit(db);
	return rc;
}

static long long
conversation(long long ws, long long ch, const char *person)
{
	long long contact, conv;

	db_begin(db);
	db_contact_upsert(db, ws, ch, person, "", 1, &contact);
	db_conversation_upsert(db, ws, ch, contact, 1, &conv);
	db_commit(db);
	return conv;
}

static void
rules(void)
{
	static const unsigned char png[] = "\x89PNG\r\n\x1a\nrest";
	char hex[65];

	OK(media_type_allowed("image", "image/png"), "an image may be a PNG");
	OK(!media_type_allowed("image", "application/pdf"),
	    "an image may not be a PDF");
	OK(!media_type_allowed("sticker", "text/html"), "nor a sticker markup");
	OK(media_type_allowed("file", "application/pdf"), "a file may be a PDF");
	OK(!media_type_allowed("file", "text/html"), "no file is kept as HTML");
	OK(!media_type_allowed("file", "image/svg+xml"), "nor as SVG");
	OK(!media_type_allowed("audio", ""), "a type is needed");
	OK(media_type_allowed("audio", "audio/ogg"), "audio/ogg is kept");
	OK(media_type_inline("image/webp") && !media_type_inline("image/svg+xml") &&
	    !media_type_inline("application/pdf"), "inline: the four image types");
	EQ_STR(media_sniff(png, sizeof(png) - 1), "image/png", "PNG sniffed");
	EQ_STR(media_sniff("\xff\xd8\xff\xe0", 4), "image/jpeg", "JPEG sniffed");
	EQ_STR(media_sniff("GIF89a..", 8), "image/gif", "GIF sniffed");
	EQ_STR(media_sniff("RIFF\0\0\0\0WEBPVP8 ", 16), "image/webp",
	    "WebP sniffed");
	OK(media_sniff("<html>", 6) == NULL, "markup is no picture");

	/* SHA-256 of "abc". */
	EQ_INT(media_sha256_check("abc", 3, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad", hex), 1, "hex SHA-256 matches");
	EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
	    "f20015ad", "... the digest in hex");
	EQ_INT(media_sha256_check("abc", 3, "BA7816BF8F01CFEA414140DE5DAE2223"
	    "B00361A396177A9CB410FF61F20015AD", hex), 1, "upper-case hex too");
	EQ_INT(media_sha256_check("abc", 3,
	    "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", hex), 1,
	    "base64 with padding matches");
	EQ_INT(media_sha256_check("abc", 3,
	    "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0", hex), 1,
	    "base64url without padding too");
	EQ_INT(media_sha256_check("abd", 3, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad", hex), 0, "other bytes: mismatch");
	EQ_INT(media_sha256_check("abd", 3,
	    "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", hex), 0,
	    "... in base64 too");
	EQ_INT(media_sha256_check("abc", 3, "nonsense", hex), -1,
	    "neither hex nor base64: -1");
	EQ_INT(media_sha256_check("abc", 3, NULL, hex), -1, "none given: -1");

	EQ_INT(media_backoff_ms(1), HG_MEDIA_BACKOFF_MS, "first backoff");
	EQ_INT(media_backoff_ms(3), 4 * HG_MEDIA_BACKOFF_MS, "doubles");
	EQ_INT(media_backoff_ms(40), HG_MEDIA_BACKOFF_MAX_MS, "capped");
	EQ_INT(media_decide(GRAPH_PERMANENT, 1), MEDIA_NEXT_GIVE_UP,
	    "permanent: given up at once");
	EQ_INT(media_decide(GRAPH_RETRY, 1), MEDIA_NEXT_RETRY, "retry: retried");
	EQ_INT(media_decide(GRAPH_THROTTLED, HG_MEDIA_ATTEMPTS_MAX - 1),
	    MEDIA_NEXT_RETRY, "... up to the last attempt");
	EQ_INT(media_decide(GRAPH_RETRY, HG_MEDIA_ATTEMPTS_MAX),
	    MEDIA_NEXT_GIVE_UP, "... then given up");
	EQ_INT(media_decide(GRAPH_TOKEN_INVALID, 2), MEDIA_NEXT_RETRY,
	    "a token that may be reconnected: retried");
}

int
main(void)
{
	struct db_media_job	 j;
	struct db_profile_job	 p;
	struct db_media_row	 row;
	struct media_worker	*w;
	struct media_stats	 st;
	struct graph		*g;
	struct conf		*conf;
	long long		 page, wa, c1, c2, cw, id, ids[8], n, next;
	char			 text[1024], err[512];
	int			 got, i;

	rules();
	snprintf(dir, sizeof(dir), "/tmp/hubgate-media.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/m.db", dir);
	snprintf(text, sizeof(text), "db_path = %s\nmedia_dir = %s/files\n"
	    "app_id = 1\napp_secret = a-test-secret-of-32-characters-xx\n"
	    "graph_base_url = http://127.0.0.1:1\n"
	    "graph_connect_timeout_ms = 500\n", dbpath, dir);
	if ((conf = conf_load_string(text, "m.conf", err, sizeof(err))) == NULL ||
	    (db = db_open(conf, 0, err, sizeof(err))) == NULL) {
		printf("# %s\n", err);
		return 1;
	}
	db_channel_add(db, "page", "100", "P", &page);
	db_channel_add(db, "whatsapp", "200", "W", &wa);
	exec("INSERT INTO workspace (id, name, created_at) VALUES (2, 'B', 0)");
	c1 = conversation(1, page, "u1");
	c2 = conversation(1, page, "u2");
	cw = conversation(1, wa, "16505551234");
	EQ_INT(sqlv("SELECT count(*) FROM contact WHERE profile_fetched_ms = 0"),
	    2, "new Messenger contacts: their profiles are due");
	EQ_INT(sqlv("SELECT count(*) FROM contact WHERE profile_fetched_ms IS "
	    "NULL AND meta_user_id = '16505551234'"), 1,
	    "a WhatsApp contact: none to fetch");

	/* Rows from messages. */
	EQ_INT(message(page, c1, "m1", "[{\"type\":\"image\",\"url\":"
	    "\"http://127.0.0.1:1/a.png\"},{\"type\":\"location\"},"
	    "{\"type\":\"file\",\"url\":\"http://127.0.0.1:1/b.pdf\"}]"), 1,
	    "a message with three attachments");
	EQ_INT(sqlv("SELECT count(*) FROM media"), 2,
	    "... two media rows: the location is none");
	EQ_INT(sqlv("SELECT count(*) FROM media WHERE position = 2 AND "
	    "type = 'file' AND source_kind = 'url' AND state = 'pending' AND "
	    "workspace_id = 1"), 1, "... the file at its position, pending");
	EQ_INT(message(page, c1, "m1", "[{\"type\":\"image\",\"url\":"
	    "\"http://127.0.0.1:1/a.png\"}]"), 0, "the same message again");
	EQ_INT(sqlv("SELECT count(*) FROM media"), 2, "... no new row");
	EQ_INT(message(wa, cw, "w1", "[{\"type\":\"document\",\"id\":\"123\","
	    "\"name\":\"x.pdf\"}]"), 1, "a WhatsApp document");
	EQ_INT(sqlv("SELECT count(*) FROM media WHERE source = '123' AND "
	    "source_kind = 'wa_id' AND name = 'x.pdf'"), 1,
	    "... a row for its media id, with its name");
	EQ_INT(message(page, c2, "m2", "not json"), 1, "malformed attachments");
	EQ_INT(message(page, c2, "m3", "{\"type\":\"image\"}"), 1,
	    "... an object, not an array");
	EQ_INT(message(page, c2, "m4", "[{\"type\":\"image\",\"url\":7}]"), 1,
	    "... a URL that is no string");
	EQ_INT(sqlv("SELECT count(*) FROM media"), 3, "... make no rows");

	/* Reads are scoped to the workspace. */
	id = sqlv("SELECT id FROM media WHERE type = 'image'");
	EQ_INT(db_media_get(db, 1, id, &row), 1, "the item, in its workspace");
	OK(row.state == MEDIA_PENDING, "... pending");
	EQ_INT(db_media_get(db, 2, id, &row), 0, "not in another workspace");

	/* The fetcher against an address that refuses. */
	exec("UPDATE media SET next_attempt_ms = 9000000000000 WHERE type <> 'image'");
	if ((g = graph_new(conf, err, sizeof(err))) == NULL ||
	    (w = media_worker_new(conf, db, g)) == NULL) {
		printf("# %s\n", err);
		return 1;
	}
	for (i = 1; i <= HG_MEDIA_ATTEMPTS_MAX; i++) {
		memset(&st, 0, sizeof(st));
		OK(media_run(w, 5000, &st, &next) == 0 && st.claimed == 1,
		    "a run claims the due item");
		snprintf(text, sizeof(text), "SELECT attempts FROM media WHERE "
		    "id = %lld", id);
		EQ_INT(sqlv(text), i, "... counting the attempt");
		if (i < HG_MEDIA_ATTEMPTS_MAX) {
			EQ_INT(st.retried, 1, "... retried");
			snprintf(text, sizeof(text), "SELECT next_attempt_ms - "
			    "%lld >= %lld FROM media WHERE id = %lld",
			    clock_ms(), media_backoff_ms(i) - 1000, id);
			EQ_INT(sqlv(text), 1, "... after the backoff");
			OK(next > clock_ms(), "... next due later");
			snprintf(text, sizeof(text), "UPDATE media SET "
			    "next_attempt_ms = 0 WHERE id = %lld", id);
			exec(text);
		} else
			EQ_INT(st.unavailable, 1, "the last attempt gives up");
	}
	snprintf(text, sizeof(text), "SELECT state = 'unavailable' AND reason = "
	    "'failed' FROM media WHERE id = %lld", id);
	EQ_INT(sqlv(text), 1, "... unavailable, failed");
	memset(&st, 0, sizeof(st));
	OK(media_run(w, 1000, &st, NULL) == 0 && st.claimed == 0,
	    "nothing due: nothing claimed");

	/* Claims, ready, expired. */
	exec("UPDATE media SET next_attempt_ms = 0 WHERE source = '123'");
	EQ_INT(db_media_claim(db, 10, 5000, &j), 1, "a claim");
	EQ_INT(j.attempts, 1, "... its first attempt");
	EQ_STR(j.source_kind, "wa_id", "... with what to fetch");
	EQ_STR(j.channel_kind, "whatsapp", "... and its channel");
	EQ_INT(db_media_claim(db, 10, 5000, &j), 0,
	    "claimed: not due again before its retry");
	db_media_job_clear(&j);
	n = sqlv("SELECT id FROM media WHERE source = '123'");
	OK(db_media_ready(db, n, "application/pdf", 10, "ab", 1000) == 1,
	    "ready");
	EQ_INT(db_media_is_ready(db, n), 1, "... is ready");
	EQ_INT(db_media_expired(db, 1000, ids, 8, &got), 0, "expired before 1000");
	EQ_INT(got, 0, "... none");
	EQ_INT(db_media_expired(db, 1001, ids, 8, &got), 0, "expired before 1001");
	OK(got == 1 && ids[0] == n, "... that one");
	OK(db_media_expire(db, n) == 0 && db_media_is_ready(db, n) == 0,
	    "expired: no longer ready");
	snprintf(text, sizeof(text), "SELECT reason = 'expired' FROM media "
	    "WHERE id = %lld", n);
	EQ_INT(sqlv(text), 1, "... reason expired");

	/* Profiles: Messenger contacts with a valid token, once. */
	exec("UPDATE channel SET token_status = 'valid', token_sealed = x'00'");
	EQ_INT(db_profile_claim(db, 100, 200, &p), 1, "a profile claim");
	OK(p.contact_id > 0 && strcmp(p.channel_kind, "page") == 0,
	    "... a Messenger contact");
	db_profile_job_clear(&p);
	EQ_INT(db_profile_claim(db, 100, 200, &p), 1, "the other one");
	OK(db_profile_set(db, &p, "Pat", "https://cdn.example/p.png", NULL, 200,
	    200) == 0, "a profile recorded");
	snprintf(text, sizeof(text), "SELECT count(*) FROM contact k JOIN media m "
	    "ON m.id = k.picture_media_id WHERE k.id = %lld AND k.name = 'Pat' "
	    "AND m.contact_id = k.id AND m.state = 'pending'", p.contact_id);
	EQ_INT(sqlv(text), 1, "... its name, and its picture to fetch");
	OK(db_media_picture(db, p.contact_id, &n) == 0 && n == 0,
	    "... not shown before it is ready");
	db_profile_job_clear(&p);
	EQ_INT(db_profile_claim(db, 100, 300, &p), 0,
	    "WhatsApp contacts and fetched ones: none more");
	EQ_INT(db_profile_claim(db, 201, 300, &p), 1, "after the refresh: again");
	db_profile_job_clear(&p);

	media_worker_free(w);
	graph_free(g);
	db_close(db);
	conf_free(conf);
	snprintf(text, sizeof(text), "%s/files", dir);
	rmdir(text);		/* nothing was stored */
	test_rm_db(dir, "m.db");
	return test_done();
}
