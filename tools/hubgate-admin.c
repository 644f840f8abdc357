/*
 * hubgate-admin: the operator's command line.
 *
 *   hubgate-admin init                       create or migrate the database
 *   hubgate-admin channel-add KIND ID [NAME] connect a channel by hand
 *   hubgate-admin channel-token KIND ID      store the channel's access
 *                                            token (from standard input),
 *                                            sealed; its sends resume
 *   hubgate-admin sign FILE                  print the X-Hub-Signature-256
 *                                            value of FILE (first app_secret)
 *   hubgate-admin requeue ID | --dead | --from UNIX_S --to UNIX_S
 *                                            put events back in the queue
 *   hubgate-admin process                    process due events now (as
 *                                            the webhook-retry cron does)
 *   hubgate-admin user-add EMAIL --role owner|admin|agent [--workspace ID]
 *                                            add a person (the password
 *                                            from standard input when it
 *                                            is not a terminal, else a
 *                                            generated one printed once)
 *   hubgate-admin user-reset EMAIL           a one-time set-password link,
 *                                            or the password from
 *                                            standard input
 *   hubgate-admin user-disable EMAIL         disable a person in every
 *                                            workspace (their sessions
 *                                            end)
 *   hubgate-admin user-enable EMAIL          let them sign in again
 *   hubgate-admin setup-link                 the first setup's one-time
 *                                            link (BASE/setup.html?token=)
 *   hubgate-admin contact-export ID          everything held about the
 *                                            person of messaging id ID
 *                                            (PSID, IGSID or wa_id), in
 *                                            every workspace, as JSON
 *   hubgate-admin contact-erase ID           erase it all, as Meta's data
 *                                            deletion callback does
 *   hubgate-admin verify-delivery FILE [--tolerance S]
 *                                            check a captured request of
 *                                            a delivery (headers, blank
 *                                            line, body) against the
 *                                            destination's secret, read
 *                                            from standard input; the
 *                                            timestamp within S seconds
 *                                            (default 300; 0: any); needs
 *                                            no configuration
 *
 * The configuration is found as by the web programs (HUBGATE_CONFIG or
 * var/hubgate.conf).  init also makes the database's directory private
 * (see data_dir_private).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_session.h"
#include "app.h"
#include "buf.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_channel.h"
#include "db_contact.h"
#include "db_oauth.h"
#include "db_outbox.h"
#include "db_queue.h"
#include "db_user.h"
#include "limits.h"
#include "mask.h"
#include "whsig.h"
#include "num.h"
#include "password.h"
#include "erase.h"
#include "queue.h"

static int
usage(void)
{
	fprintf(stderr, "usage: hubgate-admin init\n"
	    "       hubgate-admin channel-add page|instagram|whatsapp ID [NAME]\n"
	    "       hubgate-admin channel-token page|instagram|whatsapp ID < TOKEN\n"
	    "       hubgate-admin sign FILE\n"
	    "       hubgate-admin requeue ID | --dead | --from UNIX_S --to UNIX_S\n"
	    "       hubgate-admin process\n"
	    "       hubgate-admin user-add EMAIL --role owner|admin|agent "
	    "[--workspace ID]\n"
	    "       hubgate-admin user-reset EMAIL\n"
	    "       hubgate-admin user-disable EMAIL\n"
	    "       hubgate-admin user-enable EMAIL\n"
	    "       hubgate-admin setup-link\n"
	    "       hubgate-admin contact-export ID\n"
	    "       hubgate-admin contact-erase ID\n"
	    "       hubgate-admin verify-delivery FILE [--tolerance S] < SECRET\n");
	return 2;
}

/* Read a whole file into b; 0 or -1. */
static int
slurp(const char *path, struct buf *b)
{
	FILE	*f;
	char	 chunk[8192];
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	fclose(f);
	return b->err ? -1 : 0;
}

static int
cmd_sign(const struct conf *c, const char *path)
{
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	char		 secret[HG_CONF_LINE_MAX + 1], hex[2 * CRYPTO_SHA256_LEN + 1];
	struct buf	 b;

	buf_init(&b, HG_WEBHOOK_BODY_CEILING);
	if (slurp(path, &b) == -1) {
		fprintf(stderr, "hubgate-admin: %s: cannot read\n", path);
		buf_free(&b);
		return 1;
	}
	if (conf_list_item(c, "app_secret", 0, secret, sizeof(secret)) != 1) {
		fprintf(stderr, "hubgate-admin: no app_secret configured\n");
		buf_free(&b);
		return 1;
	}
	crypto_hmac_sha256(secret, strlen(secret), b.data, b.len, mac);
	crypto_wipe(secret, sizeof(secret));
	crypto_hex(mac, sizeof(mac), hex);
	printf("sha256=%s\n", hex);
	buf_free(&b);
	return 0;
}

/* verify-delivery FILE [--tolerance S], the secret on standard input:
 * 0 valid, 1 not. */
static int
cmd_verify(int argc, char *argv[])
{
	struct buf	 b;
	char		 secret[256], why[512];
	long long	 tol = 300;
	int		 rc;

	if (argc != 1 && !(argc == 3 && strcmp(argv[1], "--tolerance") == 0 &&
	    num_parse_str(argv[2], 0, 100L * 365 * 86400, &tol) == 0))
		return usage();
	if (fgets(secret, sizeof(secret), stdin) == NULL) {
		fprintf(stderr, "hubgate-admin: the destination's secret "
		    "(whsec_...) on standard input\n");
		return 2;
	}
	secret[strcspn(secret, "\r\n")] = '\0';
	buf_init(&b, HG_FWD_BODY_MAX + 65536);
	if (slurp(argv[0], &b) == -1 || b.data == NULL) {
		fprintf(stderr, "hubgate-admin: %s: cannot read\n", argv[0]);
		crypto_wipe(secret, sizeof(secret));
		buf_free(&b);
		return 2;
	}
	rc = whsig_check_request(b.data, b.len, secret, (long long)time(NULL),
	    tol, why, sizeof(why));
	crypto_wipe(secret, sizeof(secret));
	buf_free(&b);
	printf("%s\n", why);
	return rc == 1 ? 0 : rc == 0 ? 1 : 2;
}

/* requeue ID | --dead | --from S --to S */
static int
cmd_requeue(struct db *d, int argc, char *argv[])
{
	long long	 id = 0, from = 0, to = 0, n;
	int		 dead = 0;

	if (argc == 1 && strcmp(argv[0], "--dead") == 0)
		dead = 1;
	else if (argc == 1) {
		if (num_parse_str(argv[0], 1, LLONG_MAX, &id) == -1)
			return usage();
	} else if (argc == 4 && strcmp(argv[0], "--from") == 0 &&
	    strcmp(argv[2], "--to") == 0) {
		if (num_parse_str(argv[1], 0, LLONG_MAX / 1000, &from) == -1 ||
		    num_parse_str(argv[3], 0, LLONG_MAX / 1000, &to) == -1)
			return usage();
	} else
		return usage();
	if (db_begin(d) == -1 || db_requeue(d, id, dead, from * 1000,
	    to * 1000, &n) == -1 || db_commit(d) == -1) {
		db_rollback(d);
		fprintf(stderr, "hubgate-admin: %s\n", db_errmsg(d));
		return 1;
	}
	printf("requeued %lld\n", n);
	return 0;
}

/*
 * The directory of db_path is the data directory: nobody but its owner
 * (and, in the shared group setup of README.md, the web server's group)
 * may enter it.  A missing one is created 0700 whatever the umask.  An
 * existing one owned by this user that holds nothing but the database's
 * own files loses every permission of others, and those of its group
 * unless it is setgid (2770: the group setup).  One that holds anything
 * else (the configuration, or a system directory such as /etc when
 * db_path is relative to a configuration there) or belongs to another
 * user is only reported: it is not ours to close.  What is changed is
 * printed.  Returns 0, or -1 with a message on stderr.
 */
/* 1 when the directory dir holds nothing but the files of the
 * database named base (base, its -wal, -shm and -journal, and the
 * locks base.NAME.lock), else 0 (also when it cannot be read). */
static int
data_dir_only_db(const char *dir, const char *base)
{
	DIR		*d;
	struct dirent	*e;
	size_t		 n = strlen(base);
	const char	*rest;
	int		 only = 1;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while (only && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		rest = e->d_name + n;
		if (strncmp(e->d_name, base, n) != 0 || (*rest != '\0' &&
		    strcmp(rest, "-wal") != 0 && strcmp(rest, "-shm") != 0 &&
		    strcmp(rest, "-journal") != 0 && (*rest != '.' ||
		    strlen(rest) < 6 || strcmp(rest + strlen(rest) - 5,
		    ".lock") != 0)))
			only = 0;
	}
	closedir(d);
	return only;
}

static int
data_dir_private(const struct conf *c)
{
	struct stat	 st;
	char		 path[4096], base[4096];
	char		*slash;
	mode_t		 keep;

	if (conf_path(c, "db_path", path, sizeof(path)) == NULL) {
		fprintf(stderr, "hubgate-admin: db_path too long\n");
		return -1;
	}
	if ((slash = strrchr(path, '/')) == NULL) {
		snprintf(base, sizeof(base), "%s", path);
		snprintf(path, sizeof(path), ".");
	} else {
		snprintf(base, sizeof(base), "%s", slash + 1);
		slash[slash == path ? 1 : 0] = '\0';
	}
	if (mkdir(path, S_IRWXU) == 0) {
		if (chmod(path, S_IRWXU) == -1)
			goto fail;
		printf("created %s (0700)\n", path);
		return 0;
	}
	if (errno != EEXIST || stat(path, &st) == -1)
		goto fail;
	keep = (st.st_mode & S_ISGID) ? (07777 & ~S_IRWXO) : (07777 &
	    ~(S_IRWXG | S_IRWXO));
	if ((st.st_mode & 07777 & ~keep) == 0)
		return 0;
	if (st.st_uid != geteuid() || !data_dir_only_db(path, base)) {
		fprintf(stderr, "hubgate-admin: warning: %s (mode %04o) is "
		    "open to other users; it %s, so it is left as it is: give "
		    "the database a directory of its own (README.md, "
		    "Deploying)\n", path, (unsigned)(st.st_mode & 07777),
		    st.st_uid != geteuid() ? "belongs to another user" :
		    "holds more than the database");
		return 0;
	}
	if (chmod(path, st.st_mode & keep) == -1)
		goto fail;
	printf("%s: mode %04o -> %04o (the data directory is private)\n",
	    path, (unsigned)(st.st_mode & 07777),
	    (unsigned)(st.st_mode & keep));
	return 0;
fail:
	fprintf(stderr, "hubgate-admin: %s: %s\n", path, strerror(errno));
	return -1;
}

/* A password from standard input (one line) into pw, or, when it is a
 * terminal, a generated one (*generated set); 0 or -1 (said). */
static int
read_password(char *pw, size_t pwsz, int *generated)
{
	size_t n;

	*generated = 0;
	if (isatty(STDIN_FILENO)) {
		*generated = 1;
		return crypto_token(pw, pwsz);
	}
	if (fgets(pw, (int)pwsz, stdin) == NULL) {
		fprintf(stderr, "hubgate-admin: no password on standard "
		    "input\n");
		return -1;
	}
	n = strcspn(pw, "\r\n");
	if (pw[n] == '\0' && n + 1 >= pwsz) {
		fprintf(stderr, "hubgate-admin: the password is too long\n");
		return -1;
	}
	pw[n] = '\0';
	return 0;
}

/* An audit line of the command line's doing. */
static int
admin_audit(struct db *d, long long workspace, const char *action,
    long long user, const char *email)
{
	char obj[32], masked[HG_EMAIL_MAX + 1];

	snprintf(obj, sizeof(obj), "user:%lld", user);
	mask_email(email, masked, sizeof(masked));
	return api_audit(d, NULL, workspace, action, obj, masked, "cli");
}

/* user-add EMAIL --role ROLE [--workspace ID] */
static int
cmd_user_add(struct db *d, int argc, char *argv[])
{
	const char	*email, *role = NULL, *why, *at;
	char		 pw[HG_PASSWORD_MAX + 2], hash[HG_PASSWORD_HASH_MAX];
	char		 name[HG_USER_NAME_MAX + 1];
	long long	 ws = 1, n, id, now = (long long)time(NULL);
	int		 i, generated, rc = 1, added;

	if (argc < 1)
		return usage();
	email = argv[0];
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--role") == 0)
			role = argv[i + 1];
		else if (strcmp(argv[i], "--workspace") == 0) {
			if (num_parse_str(argv[i + 1], 1, LLONG_MAX, &ws) == -1)
				return usage();
		} else
			return usage();
	}
	if (i != argc || role == NULL || (strcmp(role, "owner") != 0 &&
	    strcmp(role, "admin") != 0 && strcmp(role, "agent") != 0))
		return usage();
	if ((at = strchr(email, '@')) == NULL || at == email ||
	    strlen(email) > HG_EMAIL_MAX) {
		fprintf(stderr, "hubgate-admin: not an e-mail address\n");
		return 1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(at - email), email);
	if (read_password(pw, sizeof(pw), &generated) == -1)
		goto out;
	if ((why = password_weak(pw, email)) != NULL) {
		fprintf(stderr, "hubgate-admin: %s\n", why);
		goto out;
	}
	if (password_hash(pw, hash, sizeof(hash)) == -1)
		goto dberr;
	if (db_begin(d) == -1)
		goto dberr;
	if (db_workspace_exists(d, ws) != 1) {
		db_rollback(d);
		fprintf(stderr, "hubgate-admin: no workspace %lld\n", ws);
		goto out;
	}
	/* The first person is the install's operator. */
	if (db_user_count(d, &n) == -1 || (added = db_user_add(d, email,
	    name, hash, n == 0, now, &id)) == -1) {
		db_rollback(d);
		goto dberr;
	}
	if (added == 0) {
		db_rollback(d);
		fprintf(stderr, "hubgate-admin: that e-mail address has an "
		    "account already\n");
		goto out;
	}
	if (db_member_set(d, ws, id, role, now) == -1 ||
	    admin_audit(d, ws, "user_created", id, email) == -1 ||
	    db_commit(d) == -1) {
		db_rollback(d);
		goto dberr;
	}
	printf("user %lld added as %s of workspace %lld\n", id, role, ws);
	if (generated)
		printf("password (shown once): %s\n", pw);
	rc = 0;
	goto out;
dberr:
	fprintf(stderr, "hubgate-admin: %s\n", db_errmsg(d));
out:
	crypto_wipe(pw, sizeof(pw));
	crypto_wipe(hash, sizeof(hash));
	return rc;
}

/* Print the one-time link of a fresh setup token for user (0: the
 * first setup). */
static int
print_link(const struct conf *c, struct db *d, long long user)
{
	char	 token[CRYPTO_TOKEN_CHARS + 1], link[HG_CONF_LINE_MAX + 128];
	int	 rc = 1;

	if (api_setup_token(d, user, (long long)time(NULL), token) == -1) {
		fprintf(stderr, "hubgate-admin: %s\n", db_errmsg(d));
		goto out;
	}
	if (api_setup_link(conf_get(c, "base_url"), NULL, token, link,
	    sizeof(link)) == -1) {
		fprintf(stderr, "hubgate-admin: base_url is unset or too "
		    "long\n");
		goto out;
	}
	printf("%s\n", link);
	rc = 0;
out:
	crypto_wipe(token, sizeof(token));
	crypto_wipe(link, sizeof(link));
	return rc;
}

/* user-reset EMAIL */
static int
cmd_user_reset(const struct conf *c, struct db *d, const char *email)
{
	struct db_user	 u;
	const char	*why;
	char		 pw[HG_PASSWORD_MAX + 2], hash[HG_PASSWORD_HASH_MAX];
	long long	 ws = 0;
	int		 rc = 1, generated;

	memset(&u, 0, sizeof(u));
	if (db_user_by_email(d, email, &u) != 1) {
		fprintf(stderr, "hubgate-admin: no such user\n");
		return 1;
	}
	crypto_wipe(u.password_hash, sizeof(u.password_hash));
	if (db_member_first(d, u.id, &ws) == -1)
		ws = 0;
	if (isatty(STDIN_FILENO)) {
		printf("a one-time link to set the password, valid %d "
		    "minutes:\n", HG_SETUP_TOKEN_S / 60);
		return print_link(c, d, u.id);
	}
	if (read_password(pw, sizeof(pw), &generated) == -1)
		goto out;
	if ((why = password_weak(pw, u.email)) != NULL) {
		fprintf(stderr, "hubgate-admin: %s\n", why);
		goto out;
	}
	if (password_hash(pw, hash, sizeof(hash)) == -1 || db_begin(d) == -1)
		goto dberr;
	if (db_user_set_password(d, u.id, hash, (long long)time(NULL)) == -1 ||
	    db_session_end_others(d, u.id, NULL, NULL) == -1 ||
	    admin_audit(d, ws, "password_set", u.id, u.email) == -1 ||
	    db_commit(d) == -1) {
		db_rollback(d);
		goto dberr;
	}
	printf("password of user %lld set; their sessions ended\n", u.id);
	rc = 0;
	goto out;
dberr:
	fprintf(stderr, "hubgate-admin: %s\n", db_errmsg(d));
out:
	crypto_wipe(pw, sizeof(pw));
	crypto_wipe(hash, sizeof(hash));
	return rc;
}

/* user-disable EMAIL (disable 1) and user-enable EMAIL (0). */
static int
cmd_user_disable(struct db *d, const char *email, int disable)
{
	struct db_user	 u;
	long long	 ws = 0;

	if (db_user_by_email(d, email, &u) != 1) {
		fprintf(stderr, "hubgate-admin: no such user\n");
		return 1;
	}
	crypto_wipe(u.password_hash, sizeof(u.password_hash));
	if (db_member_first(d, u.id, &ws) == -1)
		ws = 0;
	if (db_begin(d) == -1)
		goto dberr;
	if (db_user_set_disabled(d, u.id, disable, (long long)time(NULL)) ==
	    -1 || admin_audit(d, ws, disable ? "user_disabled" :
	    "user_changed", u.id, u.email) == -1 || db_commit(d) == -1) {
		db_rollback(d);
		goto dberr;
	}
	if (disable)
		printf("user %lld disabled; their sessions ended\n", u.id);
	else
		printf("user %lld enabled\n", u.id);
	return 0;
dberr:
	fprintf(stderr, "hubgate-admin: %s\n", db_errmsg(d));
	return 1;
}

/* channel-token: seal the token on standard input (one line) for a
 * channel, under token_key with the channel's aad, as Login does. */
static int
cmd_channel_token(const struct conf *c, struct db *d, const char *kind,
    const char *id)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	char		 tok[4096], aad[256];
	struct buf	 sealed;
	size_t		 n;
	int		 rc = 1, found;

	if (fgets(tok, sizeof(tok), stdin) == NULL) {
		fprintf(stderr, "hubgate-admin: no token on standard input\n");
		return 1;
	}
	n = strcspn(tok, "\r\n");
	tok[n] = '\0';
	if (n == 0 || crypto_key_parse(conf_get(c, "token_key"), key) == -1) {
		fprintf(stderr, "hubgate-admin: an empty token, or no token_key\n");
		crypto_wipe(tok, sizeof(tok));
		return 1;
	}
	buf_init(&sealed, 8192);
	snprintf(aad, sizeof(aad), "channel:%s:%s", kind, id);
	if (crypto_seal(key, tok, n, aad, strlen(aad), &sealed) == -1)
		fprintf(stderr, "hubgate-admin: cannot seal the token\n");
	else if ((found = db_channel_set_token(d, kind, id, sealed.data,
	    sealed.len, strcmp(kind, "whatsapp") == 0 ? "system_user" : "page",
	    (long long)time(NULL))) == -1)
		fprintf(stderr, "hubgate-admin: %s\n", db_errmsg(d));
	else if (found == 0)
		fprintf(stderr, "hubgate-admin: no such channel\n");
	else
		rc = 0;
	crypto_wipe(tok, sizeof(tok));
	crypto_wipe(key, sizeof(key));
	buf_free(&sealed);
	return rc;
}

/* setup-link: the first setup's link, while nobody has an account. */
/* 1 when s is a messaging id: digits, at most HG_META_ID_MAX. */
static int
person_id_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i > 0 && s[i] == '\0' && i <= HG_META_ID_MAX)
		return 1;
	fprintf(stderr, "hubgate-admin: ID is a PSID, IGSID or wa_id "
	    "(digits)\n");
	return 0;
}

/* Print {"contacts": [...]}: the export of every contact named id. */
static int
cmd_contact_export(struct db *d, const char *id)
{
	long long	 ids[HG_CONTACT_EXPORT_MAX];
	size_t		 n, i;
	char		*json;

	if (!person_id_ok(id))
		return 2;
	if (db_contact_ids(d, id, ids, HG_CONTACT_EXPORT_MAX, &n) == -1) {
		fprintf(stderr, "hubgate-admin: %s\n", db_errmsg(d));
		return 1;
	}
	printf("{\"contacts\":[");
	for (i = 0; i < n; i++) {
		if (db_contact_export(d, 0, ids[i], &json) == -1) {
			fprintf(stderr, "hubgate-admin: %s\n", db_errmsg(d));
			return 1;
		}
		printf("%s%s", i > 0 ? "," : "", json != NULL ? json : "null");
		free(json);
	}
	printf("]}\n");
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Erase everything about the person id, everywhere. */
static int
cmd_contact_erase(struct db *d, const char *id)
{
	struct db_erase	 e;
	char		 summary[700];

	if (!person_id_ok(id))
		return 2;
	if (erase_person(d, id, 0, (long long)time(NULL), &e) == -1) {
		fprintf(stderr, "hubgate-admin: the erasure stopped part way "
		    "(run it again to finish): %s\n", db_errmsg(d));
		return 1;
	}
	db_erase_summary(&e, summary, sizeof(summary));
	printf("%s\n", summary);
	return e.busy > 0 ? 3 : 0;
}

static int
cmd_setup_link(const struct conf *c, struct db *d)
{
	long long n;

	if (db_user_count(d, &n) == -1) {
		fprintf(stderr, "hubgate-admin: %s\n", db_errmsg(d));
		return 1;
	}
	if (n > 0) {
		fprintf(stderr, "hubgate-admin: this install is set up "
		    "already; use user-add or user-reset\n");
		return 1;
	}
	return print_link(c, d, 0);
}

int
main(int argc, char *argv[])
{
	struct conf	*c;
	struct db	*d;
	long long	 id;
	char		 err[HG_ERR_MAX];
	int		 version, rc = 1;

	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "verify-delivery") == 0)
		return cmd_verify(argc - 2, argv + 2);
	if ((c = app_init("hubgate-admin", err, sizeof(err))) == NULL) {
		fprintf(stderr, "hubgate-admin: %s\n", err);
		return 1;
	}
	if (strcmp(argv[1], "sign") == 0 && argc == 3) {
		rc = cmd_sign(c, argv[2]);
		conf_free(c);
		return rc;
	}
	if (strcmp(argv[1], "init") == 0 && data_dir_private(c) == -1) {
		conf_free(c);
		return 1;
	}
	if ((d = db_open(c, 0, err, sizeof(err))) == NULL) {
		fprintf(stderr, "hubgate-admin: %s\n", err);
		conf_free(c);
		return 1;
	}
	if (strcmp(argv[1], "init") == 0 && argc == 2) {
		if (db_ping(d, &version) == 0) {
			printf("database ready, schema version %d\n", version);
			rc = 0;
		}
	} else if (strcmp(argv[1], "channel-add") == 0 &&
	    (argc == 4 || argc == 5)) {
		if (db_channel_add(d, argv[2], argv[3], argc == 5 ? argv[4] : "",
		    &id) == 0) {
			printf("%lld\n", id);
			rc = 0;
		} else
			fprintf(stderr, "hubgate-admin: %s\n", db_errmsg(d));
	} else if (strcmp(argv[1], "channel-token") == 0 && argc == 4) {
		rc = cmd_channel_token(c, d, argv[2], argv[3]);
	} else if (strcmp(argv[1], "user-add") == 0 && argc >= 3) {
		rc = cmd_user_add(d, argc - 2, argv + 2);
	} else if (strcmp(argv[1], "user-reset") == 0 && argc == 3) {
		rc = cmd_user_reset(c, d, argv[2]);
	} else if (strcmp(argv[1], "user-disable") == 0 && argc == 3) {
		rc = cmd_user_disable(d, argv[2], 1);
	} else if (strcmp(argv[1], "user-enable") == 0 && argc == 3) {
		rc = cmd_user_disable(d, argv[2], 0);
	} else if (strcmp(argv[1], "setup-link") == 0 && argc == 2) {
		rc = cmd_setup_link(c, d);
	} else if (strcmp(argv[1], "requeue") == 0 && argc >= 3) {
		rc = cmd_requeue(d, argc - 2, argv + 2);
	} else if (strcmp(argv[1], "contact-export") == 0 && argc == 3) {
		rc = cmd_contact_export(d, argv[2]);
	} else if (strcmp(argv[1], "contact-erase") == 0 && argc == 3) {
		rc = cmd_contact_erase(d, argv[2]);
	} else if (strcmp(argv[1], "process") == 0 && argc == 2) {
		struct queue_opts	 o;
		struct queue_stats	 st = { 0, 0, 0, 0, 0 };

		if (queue_opts_conf(&o, c) == 0 && queue_run(d, &o, &st) == 0) {
			printf("claimed=%lld processed=%lld failed=%lld "
			    "dead_letter=%lld\n", st.claimed, st.processed,
			    st.failed, st.dead);
			rc = 0;
		} else
			fprintf(stderr, "hubgate-admin: %s\n", db_errmsg(d));
	} else
		rc = usage();
	db_close(d);
	conf_free(c);
	return rc;
}
