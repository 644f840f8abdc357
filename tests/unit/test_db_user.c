/*
 * Unit tests for lib/store/db_user: users (e-mail unique without
 * case), memberships, sessions (expiry, rotation, the end of a user's
 * other sessions, disabling), API tokens (expiry, revocation, scoped to
 * their owner), setup tokens (single use, expiry), the audit log
 * (scoped to its workspace) and the throttle.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "conf.h"
#include "db.h"
#include "db_int.h"
#include "db_user.h"
#include "test.h"

static char	 dir[512];
static char	 err[1024];

static struct db *
open_db(void)
{
	char		 text[1024];
	struct conf	*c;
	struct db	*d;

	snprintf(text, sizeof(text), "db_path = %s/u.db\n", dir);
	if ((c = conf_load_string(text, "t.conf", err, sizeof(err))) == NULL) {
		printf("#   conf: %s\n", err);
		exit(1);
	}
	if ((d = db_open(c, 0, err, sizeof(err))) == NULL) {
		printf("#   open: %s\n", err);
		exit(1);
	}
	conf_free(c);
	return d;
}

static void
count_user(void *arg, const struct db_user *u)
{
	(*(int *)arg)++;
	OK(u->password_hash[0] == '\0', "listing carries no hash");
}

static void
count_ws(void *arg, long long id, const char *name, const char *role)
{
	(*(int *)arg)++;
}

static void
count_session(void *arg, const struct db_session *s)
{
	(*(int *)arg)++;
	OK(s->id[0] == '\0' && s->csrf_token[0] == '\0',
	    "listing carries neither hash nor CSRF token");
}

static void
count_token(void *arg, const struct db_token *t)
{
	(*(int *)arg)++;
	OK(t->hash[0] == '\0', "listing carries no hash");
}

static void
count_audit(void *arg, const struct db_audit *a)
{
	(*(int *)arg)++;
}

static void
test_users(struct db *d, long long *ana, long long *bob)
{
	struct db_user	 u;
	long long	 id, n;
	char		 role[8];
	int		 k;

	EQ_INT(db_user_count(d, &n), 0, "count");
	EQ_INT(n, 0, "no user yet");
	EQ_INT(db_user_add(d, "ana@example.org", "Ana", "scrypt$h", 1, 100,
	    ana), 1, "add ana");
	EQ_INT(db_user_add(d, "ANA@example.org", "Other", NULL, 0, 100, &id),
	    0, "the e-mail is taken, without case");
	EQ_INT(db_user_add(d, "bob@example.org", "Bob", NULL, 0, 100, bob), 1,
	    "add bob without a password");
	EQ_INT(db_user_by_email(d, "Ana@Example.ORG", &u), 1, "find by e-mail");
	EQ_INT(u.id, *ana, "same id");
	EQ_STR(u.password_hash, "scrypt$h", "hash stored");
	EQ_INT(u.operator, 1, "operator");
	EQ_INT(db_user_by_email(d, "nobody@example.org", &u), 0, "unknown");
	EQ_INT(db_user_by_id(d, *bob, &u), 1, "by id");
	EQ_STR(u.password_hash, "", "no password yet");
	EQ_INT(db_user_set_password(d, *bob, "scrypt$b", 101), 0, "set pw");
	db_user_by_id(d, *bob, &u);
	EQ_STR(u.password_hash, "scrypt$b", "password set");

	EQ_INT(db_member_set(d, 1, *ana, "owner", 100), 0, "ana owner");
	EQ_INT(db_member_set(d, 1, *bob, "admin", 100), 0, "bob admin");
	EQ_INT(db_member_set(d, 1, *bob, "agent", 100), 0, "bob now agent");
	EQ_INT(db_member_set(d, 1, *bob, "boss", 100), -1,
	    "a role outside the CHECK is refused");
	EQ_INT(db_member_role(d, 1, *bob, role), 1, "bob's role");
	EQ_STR(role, "agent", "replaced");
	EQ_INT(db_member_role(d, 2, *bob, role), 0, "not in workspace 2");
	EQ_INT(db_member_first(d, *bob, &id), 1, "first workspace");
	EQ_INT(id, 1, "is 1");
	k = 0;
	EQ_INT(db_member_workspaces(d, *ana, count_ws, &k), 0, "workspaces");
	EQ_INT(k, 1, "one");
	k = 0;
	EQ_INT(db_workspace_users(d, 1, count_user, &k), 0, "users of 1");
	EQ_INT(k, 2, "two");
	k = 0;
	db_workspace_users(d, 2, count_user, &k);
	EQ_INT(k, 0, "none in workspace 2");
	EQ_INT(db_workspace_exists(d, 1), 1, "workspace 1");
	EQ_INT(db_workspace_exists(d, 99), 0, "no workspace 99");
	EQ_INT(db_user_count(d, &n), 0, "count");
	EQ_INT(n, 2, "two users");
}

static void
add_session(struct db *d, const char *id, long long user, long long at)
{
	struct db_session s;

	memset(&s, 0, sizeof(s));
	snprintf(s.id, sizeof(s.id), "%s", id);
	s.user_id = user;
	s.workspace_id = 1;
	snprintf(s.csrf_token, sizeof(s.csrf_token), "csrf-%s", id);
	s.created_at = at;
	snprintf(s.remote, sizeof(s.remote), "127.0.0.1");
	snprintf(s.user_agent, sizeof(s.user_agent), "test");
	if (db_session_add(d, &s) == -1 || s.rowid <= 0)
		OK(0, "session added");
}

static void
test_sessions(struct db *d, long long ana, long long bob)
{
	struct db_session	 s;
	long long		 n;
	int			 k;

	add_session(d, "s1", ana, 1000);
	add_session(d, "s2", ana, 1000);
	add_session(d, "s3", ana, 1000);
	add_session(d, "b1", bob, 1000);
	EQ_INT(db_session_find(d, "s1", 0, 0, &s), 1, "find");
	EQ_INT(s.user_id, ana, "its user");
	EQ_STR(s.csrf_token, "csrf-s1", "its CSRF token");
	EQ_INT(db_session_find(d, "zz", 0, 0, &s), 0, "unknown id");
	/* Idle: last seen at 1000; idle_before = now - idle. */
	EQ_INT(db_session_find(d, "s1", 1000, 0, &s), 0, "idle expiry");
	EQ_INT(db_session_touch(d, "s1", 2000), 0, "touch");
	EQ_INT(db_session_find(d, "s1", 1500, 0, &s), 1, "touched: alive");
	EQ_INT(db_session_find(d, "s1", 1500, 1000, &s), 0,
	    "absolute expiry despite activity");
	k = 0;
	EQ_INT(db_session_list(d, ana, count_session, &k), 0, "list");
	EQ_INT(k, 3, "ana's three");
	db_session_find(d, "s2", 0, 0, &s);
	EQ_INT(db_session_end_rowid(d, bob, s.rowid), 0,
	    "bob cannot end ana's session");
	EQ_INT(db_session_end_rowid(d, ana, s.rowid), 1, "ana ends s2");
	EQ_INT(db_session_find(d, "s2", 0, 0, &s), 0, "s2 gone");
	EQ_INT(db_session_end_others(d, ana, "s1", &n), 0, "end others");
	EQ_INT(n, 1, "one other ended");
	EQ_INT(db_session_find(d, "s1", 0, 0, &s), 1, "s1 kept");
	EQ_INT(db_session_find(d, "b1", 0, 0, &s), 1, "bob's kept");
	EQ_INT(db_session_end(d, "s1"), 0, "sign out");
	EQ_INT(db_session_find(d, "s1", 0, 0, &s), 0, "s1 gone");

	/* Disabling ends every session at once and refuses new finds. */
	add_session(d, "b2", bob, 1000);
	EQ_INT(db_user_set_disabled(d, bob, 1, 3000), 1, "disable bob");
	EQ_INT(db_session_find(d, "b1", 0, 0, &s), 0, "b1 ended");
	add_session(d, "b3", bob, 3001);
	EQ_INT(db_session_find(d, "b3", 0, 0, &s), 0,
	    "a disabled user's session is not found");
	EQ_INT(db_user_set_disabled(d, bob, 0, 3002), 1, "enable bob");
	EQ_INT(db_session_find(d, "b3", 0, 0, &s), 1, "enabled again");
	{
		struct db_account_cut	 cut = { .idle_before = 4000 };
		long long		 pruned = -1;

		EQ_INT(db_account_prune(d, &cut, 100, &pruned), 0, "prune");
		OK(pruned >= 1, "expired sessions deleted");
	}
	EQ_INT(db_session_find(d, "b3", 0, 0, &s), 0, "pruned");
}

static void
test_tokens(struct db *d, long long ana, long long bob)
{
	struct db_token	 t, f;
	int		 k;

	memset(&t, 0, sizeof(t));
	snprintf(t.hash, sizeof(t.hash), "h1");
	t.user_id = ana;
	t.workspace_id = 1;
	snprintf(t.name, sizeof(t.name), "monitoring");
	snprintf(t.scope, sizeof(t.scope), "read");
	t.created_at = 100;
	EQ_INT(db_token_add(d, &t), 0, "add token");
	snprintf(t.hash, sizeof(t.hash), "h2");
	t.expires_at = 500;
	snprintf(t.scope, sizeof(t.scope), "role");
	EQ_INT(db_token_add(d, &t), 0, "add expiring token");
	snprintf(t.hash, sizeof(t.hash), "h3");
	snprintf(t.scope, sizeof(t.scope), "all");
	EQ_INT(db_token_add(d, &t), -1, "a scope outside the CHECK");
	EQ_INT(db_token_find(d, "h1", 1000, &f), 1, "find");
	EQ_STR(f.scope, "read", "scope");
	EQ_INT(db_token_find(d, "h2", 499, &f), 1, "before expiry");
	EQ_INT(db_token_find(d, "h2", 500, &f), 0, "expired");
	EQ_INT(db_token_used(d, f.id, 450), 0, "used");
	db_token_find(d, "h1", 1000, &f);
	EQ_INT(db_token_revoke(d, bob, f.id, 600), 0,
	    "bob cannot revoke ana's token");
	EQ_INT(db_token_revoke(d, ana, f.id, 600), 1, "revoke");
	EQ_INT(db_token_revoke(d, ana, f.id, 601), 0, "revoked once");
	EQ_INT(db_token_find(d, "h1", 1000, &f), 0, "revoked: unusable");
	k = 0;
	EQ_INT(db_token_list(d, ana, 1, count_token, &k), 0, "list");
	EQ_INT(k, 2, "both listed");
	k = 0;
	db_token_list(d, ana, 2, count_token, &k);
	EQ_INT(k, 0, "none in another workspace");
	k = 0;
	db_token_list(d, bob, 1, count_token, &k);
	EQ_INT(k, 0, "none of bob's");
}

static void
test_setup(struct db *d, long long bob)
{
	long long user = -1;

	EQ_INT(db_setup_add(d, "st1", 0, 1000), 0, "add setup token");
	EQ_INT(db_setup_add(d, "st2", bob, 1000), 0, "add set-password token");
	EQ_INT(db_setup_valid(d, "st1", 999, &user), 1, "valid");
	EQ_INT(db_setup_use(d, "st1", 1000, &user), 0, "expired at 1000");
	EQ_INT(db_setup_use(d, "st1", 999, &user), 1, "used");
	EQ_INT(user, 0, "first setup");
	EQ_INT(db_setup_use(d, "st1", 999, &user), 0, "single use");
	EQ_INT(db_setup_valid(d, "st1", 999, &user), 0, "no longer valid");
	EQ_INT(db_setup_use(d, "st2", 10, &user), 1, "set-password token");
	EQ_INT(user, bob, "for bob");
	EQ_INT(db_setup_use(d, "nope", 10, &user), 0, "unknown");
	/* A new link for someone replaces their unused ones. */
	EQ_INT(db_setup_add(d, "st3", bob, 1000), 0, "a link for bob");
	EQ_INT(db_setup_add(d, "st4", bob, 1000), 0, "a newer link for bob");
	EQ_INT(db_setup_valid(d, "st3", 10, &user), 0,
	    "the older link no longer works");
	EQ_INT(db_setup_use(d, "st4", 10, &user), 1, "the newer one does");
	EQ_INT(db_setup_add(d, "st5", 0, 1000), 0, "a first-setup link");
	EQ_INT(db_setup_add(d, "st6", 0, 1000), 0, "and another");
	EQ_INT(db_setup_valid(d, "st5", 10, &user), 0,
	    "the older first-setup link no longer works");
}

/* db_audit_find without a filter but the limit, counting into *k. */
static int
audit_list(struct db *d, long long workspace, int limit, int *k)
{
	struct db_audit_filter f = { .limit = limit };

	return db_audit_find(d, workspace, &f, count_audit, k);
}

static void
test_audit_throttle(struct db *d, long long ana)
{
	struct db_audit	 a = { .at = 5, .workspace_id = 1,
	    .actor = AUDIT_USER, .actor_id = 0, .action = "signin",
	    .object = "user:1", .detail = "a***@example.org",
	    .remote = "127.0.0.1" };
	long long	 f, next;
	int		 k, i;

	a.actor_id = ana;
	for (i = 0; i < 3; i++)
		EQ_INT(db_audit_add(d, &a), 0, "audit line");
	a.workspace_id = 0;
	a.actor = AUDIT_SYSTEM;
	EQ_INT(db_audit_add(d, &a), 0, "install-wide line");
	k = 0;
	EQ_INT(audit_list(d, 1, 10, &k), 0, "list");
	EQ_INT(k, 3, "workspace 1's lines only");
	k = 0;
	audit_list(d, 1, 2, &k);
	EQ_INT(k, 2, "limit");
	k = 0;
	audit_list(d, 2, 10, &k);
	EQ_INT(k, 0, "none in workspace 2");

	/* Retention: lines written at 5 (four of them) and at 100. */
	a.workspace_id = 1;
	a.at = 100;
	EQ_INT(db_audit_add(d, &a), 0, "a newer line");
	EQ_INT(db_audit_prune(d, 5, 10, &f), 0, "prune before 5");
	EQ_INT(f, 0, "a line written at the cutoff is kept");
	EQ_INT(db_audit_prune(d, 6, 3, &f), 0, "prune before 6, 3 at most");
	EQ_INT(f, 3, "at most the batch");
	EQ_INT(db_audit_prune(d, 6, 3, &f), 0, "again");
	EQ_INT(f, 1, "the rest of the old lines");
	EQ_INT(db_audit_prune(d, 6, 3, &f), 0, "again");
	EQ_INT(f, 0, "nothing older is left");
	k = 0;
	audit_list(d, 1, 10, &k);
	EQ_INT(k, 1, "the newer line is kept");

	EQ_INT(db_throttle_get(d, "addr:1.2.3.4", &f, &next), 0, "get");
	EQ_INT(f, 0, "no failures");
	EQ_INT(db_throttle_set(d, "addr:1.2.3.4", 4, 9000), 0, "set");
	db_throttle_get(d, "addr:1.2.3.4", &f, &next);
	EQ_INT(f * 100000 + next, 4 * 100000 + 9000, "kept");
	EQ_INT(db_throttle_clear(d, "addr:1.2.3.4"), 0, "clear");
	db_throttle_get(d, "addr:1.2.3.4", &f, &next);
	EQ_INT(f, 0, "cleared");
}

/* Removing a member ends their sessions and tokens of that workspace
 * only. */
static void
test_remove(struct db *d)
{
	struct db_session	 s;
	struct db_token		 t, f;
	long long		 cy, ws2;
	char			 role[8];

	EQ_INT(db_user_add(d, "cy@example.org", "Cy", "scrypt$c", 0, 100,
	    &cy), 1, "add cy");
	EQ_INT(db_workspace_add(d, "Second", 100, &ws2), 0, "workspace");
	EQ_INT(db_member_set(d, 1, cy, "agent", 100), 0, "cy in 1");
	EQ_INT(db_member_set(d, ws2, cy, "owner", 100), 0, "cy in 2");
	add_session(d, "c1", cy, 5000);
	add_session(d, "c2", cy, 5000);
	db_session_find(d, "c2", 0, 0, &s);
	memset(&s, 0, sizeof(s));
	snprintf(s.id, sizeof(s.id), "c3");
	s.user_id = cy;
	s.workspace_id = ws2;
	s.created_at = s.last_seen_at = 5000;
	EQ_INT(db_session_add(d, &s), 0, "a session in workspace 2");
	memset(&t, 0, sizeof(t));
	t.user_id = cy;
	snprintf(t.scope, sizeof(t.scope), "read");
	snprintf(t.hash, sizeof(t.hash), "ct1");
	t.workspace_id = 1;
	EQ_INT(db_token_add(d, &t), 0, "token of 1");
	snprintf(t.hash, sizeof(t.hash), "ct2");
	t.workspace_id = ws2;
	EQ_INT(db_token_add(d, &t), 0, "token of 2");

	EQ_INT(db_member_remove(d, 1, cy, 6000), 1, "remove cy from 1");
	EQ_INT(db_member_remove(d, 1, cy, 6001), 0, "not a member any more");
	EQ_INT(db_member_role(d, 1, cy, role), 0, "no role in 1");
	EQ_INT(db_member_role(d, ws2, cy, role), 1, "still in 2");
	EQ_INT(db_session_find(d, "c1", 0, 0, &s), 0, "session in 1 ended");
	EQ_INT(db_session_find(d, "c2", 0, 0, &s), 0, "both of them");
	EQ_INT(db_session_find(d, "c3", 0, 0, &s), 1, "session in 2 kept");
	EQ_INT(db_token_find(d, "ct1", 7000, &f), 0, "token of 1 revoked");
	EQ_INT(db_token_find(d, "ct2", 7000, &f), 1, "token of 2 kept");
}

int
main(void)
{
	struct db	*d;
	long long	 ana = 0, bob = 0;

	snprintf(dir, sizeof(dir), "%s/hg-dbuser-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	d = open_db();
	test_users(d, &ana, &bob);
	test_sessions(d, ana, bob);
	test_tokens(d, ana, bob);
	test_setup(d, bob);
	test_audit_throttle(d, ana);
	test_remove(d);
	db_close(d);
	test_rm_db(dir, "u.db");
	return test_done();
}
