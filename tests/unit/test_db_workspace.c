/*
 * Unit tests for the workspace side of lib/store/db_user: owners who
 * may still sign in are counted (the last one must stay), memberships
 * per user, workspaces added and listed, and audit lines found by
 * filter (action, actor in words without case, time, paging), of their
 * workspace only.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
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

	snprintf(text, sizeof(text), "db_path = %s/w.db\n", dir);
	if ((c = conf_load_string(text, "t.conf", err, sizeof(err))) == NULL ||
	    (d = db_open(c, 0, err, sizeof(err))) == NULL) {
		printf("#   open: %s\n", err);
		exit(1);
	}
	conf_free(c);
	return d;
}

struct names {
	int	 n;
	char	 s[512];
};

static void
add_ws(void *arg, long long id, const char *name)
{
	struct names *o = arg;
	size_t len = strlen(o->s);

	o->n++;
	snprintf(o->s + len, sizeof(o->s) - len, "%s%lld:%s",
	    len > 0 ? "," : "", id, name);
}

static void
add_audit(void *arg, const struct db_audit *a)
{
	struct names *o = arg;
	size_t len = strlen(o->s);

	o->n++;
	snprintf(o->s + len, sizeof(o->s) - len, "%s%s/%s", len > 0 ? "," :
	    "", a->action, a->who != NULL ? a->who : "(null)");
}

static void
test_members(struct db *d, long long *ana, long long *ws2)
{
	struct names	 o;
	long long	 bob, cy, n;

	OK(db_workspace_add(d, "Second", 100, ws2) == 0 && *ws2 == 2,
	    "a workspace is added after the default one");
	memset(&o, 0, sizeof(o));
	OK(db_workspace_all(d, add_ws, &o) == 0, "workspaces listed");
	EQ_STR(o.s, "1:Default,2:Second", "every workspace, by id");

	OK(db_user_add(d, "ana@example.com", "Ana", NULL, 1, 100, ana) == 1 &&
	    db_user_add(d, "bob@example.com", "Bob", NULL, 0, 100, &bob) == 1 &&
	    db_user_add(d, "cy@example.com", "Cy", NULL, 0, 100, &cy) == 1,
	    "users added");
	OK(db_member_set(d, 1, *ana, "owner", 100) == 0 &&
	    db_member_set(d, 1, bob, "owner", 100) == 0 &&
	    db_member_set(d, 1, cy, "agent", 100) == 0 &&
	    db_member_set(d, *ws2, cy, "owner", 100) == 0, "memberships");
	OK(db_member_owners(d, 1, &n) == 0, "owners counted");
	EQ_INT(n, 2, "two owners in workspace 1");
	OK(db_member_owners(d, *ws2, &n) == 0 && n == 1,
	    "one owner in workspace 2: agents elsewhere do not count");
	OK(db_user_set_disabled(d, bob, 1, 200) == 1, "bob disabled");
	OK(db_member_owners(d, 1, &n) == 0, "owners counted again");
	EQ_INT(n, 1, "a disabled owner does not count");
	OK(db_member_owners(d, 99, &n) == 0 && n == 0,
	    "no owners in a workspace that does not exist");
	OK(db_member_count(d, cy, &n) == 0, "memberships counted");
	EQ_INT(n, 2, "cy is in two workspaces");
	OK(db_member_count(d, *ana, &n) == 0 && n == 1, "ana in one");
	OK(db_member_count(d, 999, &n) == 0 && n == 0, "nobody in none");
}

static void
audit(struct db *d, long long at, long long ws, enum audit_actor kind,
    long long actor, const char *action)
{
	struct db_audit a;

	memset(&a, 0, sizeof(a));
	a.at = at;
	a.workspace_id = ws;
	a.actor = kind;
	a.actor_id = actor;
	a.action = action;
	a.detail = "x";
	if (db_audit_add(d, &a) == -1)
		printf("#   audit_add: %s\n", db_errmsg(d));
}

/* The lines of workspace ws that pass f, as "action/who,...". */
static const char *
find(struct db *d, long long ws, const struct db_audit_filter *f)
{
	static struct names o;

	memset(&o, 0, sizeof(o));
	if (db_audit_find(d, ws, f, add_audit, &o) == -1)
		return "(error)";
	return o.s;
}

static void
test_audit(struct db *d, long long ana, long long ws2)
{
	struct db_audit_filter	 f;
	struct db_token		 t;

	memset(&t, 0, sizeof(t));
	snprintf(t.hash, sizeof(t.hash), "%064d", 7);
	t.user_id = ana;
	t.workspace_id = 1;
	snprintf(t.name, sizeof(t.name), "monitor");
	snprintf(t.scope, sizeof(t.scope), "read");
	t.created_at = 100;
	OK(db_token_add(d, &t) == 0, "a token to act");

	audit(d, 1000, 1, AUDIT_USER, ana, "sign_in");
	audit(d, 2000, 1, AUDIT_TOKEN, t.id, "token_used");
	audit(d, 3000, 1, AUDIT_CRON, 0, "event_retried");
	audit(d, 4000, ws2, AUDIT_USER, ana, "sign_in");
	audit(d, 5000, 1, AUDIT_USER, 424242, "user_created");

	memset(&f, 0, sizeof(f));
	EQ_STR(find(d, 1, &f), "user_created/user 424242,"
	    "event_retried/cron,token_used/token monitor (ana@example.com),"
	    "sign_in/ana@example.com",
	    "newest first, the actor in words, workspace 1 only");
	EQ_STR(find(d, ws2, &f), "sign_in/ana@example.com",
	    "workspace 2 sees only its own");
	f.action = "sign_in";
	EQ_STR(find(d, 1, &f), "sign_in/ana@example.com", "by action");
	f.action = NULL;
	f.actor = "ANA@";
	EQ_STR(find(d, 1, &f), "token_used/token monitor (ana@example.com),"
	    "sign_in/ana@example.com", "by actor, without case");
	f.actor = "monitor";
	EQ_STR(find(d, 1, &f), "token_used/token monitor (ana@example.com)",
	    "by token name");
	f.actor = "%";
	EQ_STR(find(d, 1, &f), "", "the actor is text, not a pattern");
	f.actor = NULL;
	f.since = 2000;
	f.until = 3000;
	EQ_STR(find(d, 1, &f), "token_used/token monitor (ana@example.com)",
	    "since included, until excluded");
	f.since = f.until = 0;
	f.limit = 2;
	EQ_STR(find(d, 1, &f), "user_created/user 424242,event_retried/cron",
	    "at most limit");
	f.limit = 0;
	f.before = 3;
	EQ_STR(find(d, 1, &f), "token_used/token monitor (ana@example.com),"
	    "sign_in/ana@example.com", "ids below before");
}

int
main(void)
{
	struct db	*d;
	long long	 ana = 0, ws2 = 0;

	snprintf(dir, sizeof(dir), "%s/hg-dbws-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	d = open_db();
	test_members(d, &ana, &ws2);
	test_audit(d, ana, ws2);
	db_close(d);
	test_rm_db(dir, "w.db");
	return test_done();
}
