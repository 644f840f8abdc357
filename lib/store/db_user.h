/*
 * db_user: people and what guards the dashboard's door: users, their
 * memberships of workspaces, sessions, API tokens, one-time setup
 * tokens, the audit log and the sign-in throttle (db_user.c).
 *
 * Secrets are never passed here in clear: sessions, API tokens and
 * setup tokens are named by the hex SHA-256 of their value (the
 * callers hash), passwords by their scrypt string.  Whatever belongs to
 * a workspace is read and changed only with that workspace's id, and a
 * person's sessions and tokens only with that person's id: a guessed
 * id of another's row finds nothing.
 */
#ifndef HG_DB_USER_H
#define HG_DB_USER_H

#include "db.h"
#include "limits.h"

/* Hex SHA-256 of a secret, the key its row is found by. */
#define DB_HASH_HEX	64

struct db_user {
	long long	 id;
	char		 email[HG_EMAIL_MAX + 1];
	char		 name[HG_USER_NAME_MAX + 1];
	char		 password_hash[HG_PASSWORD_HASH_MAX];	/* "" none */
	int		 operator;
	long long	 disabled_at;	/* 0: enabled */
	long long	 created_at;
	char		 role[8];	/* in listings of a workspace */
};

/* Add a user; *id set.  1 added, 0 the e-mail is taken (without case),
 * -1.  hash may be NULL (no password yet). */
int	 db_user_add(struct db *, const char *email, const char *name,
	    const char *hash, int operator, long long now, long long *id);
/* The user with this e-mail (without case) or id: 1 found, 0 not, -1. */
int	 db_user_by_email(struct db *, const char *email, struct db_user *);
int	 db_user_by_id(struct db *, long long id, struct db_user *);
/* How many users there are (none: the install awaits its setup). */
int	 db_user_count(struct db *, long long *n);
/* Store a new password hash; 0 or -1. */
int	 db_user_set_password(struct db *, long long id, const char *hash,
	    long long now);
/* Disable a user (disabled: 1, enable: 0) and, when disabling, end all
 * their sessions; 1 changed, 0 no such user, -1. */
int	 db_user_set_disabled(struct db *, long long id, int disabled,
	    long long now);

/* Give user the role (owner, admin, agent) in workspace, replacing the
 * one they had; 0 or -1. */
int	 db_member_set(struct db *, long long workspace, long long user,
	    const char *role, long long now);
/* The user's role in workspace into role (8 bytes): 1, 0 not a member,
 * -1. */
int	 db_member_role(struct db *, long long workspace, long long user,
	    char role[8]);
/* The user's first workspace (lowest id) into *workspace: 1, 0 none,
 * -1. */
int	 db_member_first(struct db *, long long user, long long *workspace);
/* Call fn for each workspace of user, with its id, name and the role
 * there; 0 or -1. */
int	 db_member_workspaces(struct db *, long long user,
	    void (*fn)(void *, long long id, const char *name,
	    const char *role), void *arg);
/* Call fn for each user of workspace (role set), by e-mail; 0 or -1. */
int	 db_workspace_users(struct db *, long long workspace,
	    void (*fn)(void *, const struct db_user *), void *arg);
/* The name of workspace into name: 1, 0 no such workspace, -1. */
int	 db_workspace_name(struct db *, long long workspace, char *name,
	    size_t namesz);
/* Does workspace exist: 1, 0, -1. */
int	 db_workspace_exists(struct db *, long long workspace);
/* How many owners of workspace may still sign in, into *n; 0 or -1. */
int	 db_member_owners(struct db *, long long workspace, long long *n);
/* How many workspaces user belongs to, into *n; 0 or -1. */
int	 db_member_count(struct db *, long long user, long long *n);
/* Remove user from workspace: their membership, their sessions in it
 * and their API tokens of it (revoked at now); 1 removed, 0 not a
 * member, -1.  Their other workspaces are untouched. */
int	 db_member_remove(struct db *, long long workspace, long long user,
	    long long now);
/* Add a workspace named name; *id set; 0 or -1. */
int	 db_workspace_add(struct db *, const char *name, long long now,
	    long long *id);
/* Call fn for each workspace of the install (at most HG_LIST_MAX), by
 * id; 0 or -1. */
int	 db_workspace_all(struct db *, void (*fn)(void *, long long id,
	    const char *name), void *arg);

struct db_session {
	long long	 rowid;		/* the public handle (listing, revoke) */
	char		 id[DB_HASH_HEX + 1];	/* hex SHA-256 of the cookie */
	long long	 user_id, workspace_id;
	char		 csrf_token[64];
	long long	 created_at, last_seen_at;
	char		 remote[64];
	char		 user_agent[HG_USER_AGENT_MAX + 1];
};
/* Store a new session (rowid set); 0 or -1. */
int	 db_session_add(struct db *, struct db_session *);
/* The session named id (hash) that is neither idle since idle_before
 * nor created before created_before, of an enabled user: 1, 0, -1. */
int	 db_session_find(struct db *, const char *id, long long idle_before,
	    long long created_before, struct db_session *);
/* Note a request at now; 0 or -1. */
int	 db_session_touch(struct db *, const char *id, long long now);
/* End the session named id; 0 or -1. */
int	 db_session_end(struct db *, const char *id);
/* End user's session with this rowid: 1 ended, 0 none of theirs, -1. */
int	 db_session_end_rowid(struct db *, long long user, long long rowid);
/* End every session of user but the one named keep (NULL: all); *n
 * (may be NULL) the number ended; 0 or -1. */
int	 db_session_end_others(struct db *, long long user, const char *keep,
	    long long *n);
/* Call fn for each session of user, newest first; 0 or -1. */
int	 db_session_list(struct db *, long long user,
	    void (*fn)(void *, const struct db_session *), void *arg);

struct db_token {
	long long	 id;
	char		 hash[DB_HASH_HEX + 1];
	long long	 user_id, workspace_id;
	char		 name[HG_TOKEN_NAME_MAX + 1];
	char		 scope[8];	/* "read" or "role" */
	long long	 created_at, expires_at, revoked_at, last_used_at;
};
/* Store a new API token (id set); 0 or -1. */
int	 db_token_add(struct db *, struct db_token *);
/* The token with this hash, usable at now (not revoked, not expired,
 * its user enabled): 1, 0, -1. */
int	 db_token_find(struct db *, const char *hash, long long now,
	    struct db_token *);
/* Note its use at now; 0 or -1. */
int	 db_token_used(struct db *, long long id, long long now);
/* Revoke user's token id: 1, 0 none of theirs (or revoked), -1. */
int	 db_token_revoke(struct db *, long long user, long long id,
	    long long now);
/* Call fn for each token of user in workspace, newest first (the hash
 * is left empty); 0 or -1. */
int	 db_token_list(struct db *, long long user, long long workspace,
	    void (*fn)(void *, const struct db_token *), void *arg);

/* Store a setup token's hash, for user (0: the first setup), valid
 * until expires_at, in place of the user's (or the first setup's)
 * unused ones: an older link stops working; 0 or -1. */
int	 db_setup_add(struct db *, const char *hash, long long user,
	    long long expires_at);
/* Use the setup token with this hash at now: 1 with *user set (0 for
 * the first setup) when it was unused and valid, and it never will be
 * again; 0 when unknown, used or expired; -1. */
int	 db_setup_use(struct db *, const char *hash, long long now,
	    long long *user);
/* Is the setup token usable at now (without using it): 1, 0, -1. */
int	 db_setup_valid(struct db *, const char *hash, long long now,
	    long long *user);

/* Who did something, for the audit log. */
enum audit_actor {
	AUDIT_USER,
	AUDIT_TOKEN,
	AUDIT_CRON,
	AUDIT_SYSTEM,
	AUDIT_ACTOR__MAX
};
extern const char *const audit_actor_names[AUDIT_ACTOR__MAX];

struct db_audit {
	long long	 id, at;
	long long	 workspace_id;	/* 0: the install */
	enum audit_actor actor;
	long long	 actor_id;	/* 0: none */
	const char	*action, *object, *detail, *remote;
	const char	*who;		/* found lines: the actor in words */
};
/* Append a line (detail already masked by the caller); 0 or -1. */
int	 db_audit_add(struct db *, const struct db_audit *);

/* Delete at most limit of the audit lines written before before (unix
 * seconds), the oldest first, with *deleted set to how many; the only
 * statement that removes audit lines (retention).  0 or -1. */
int	 db_audit_prune(struct db *, long long before, int limit,
	    long long *deleted);

/* Which audit lines db_audit_find answers: NULL strings and 0 numbers
 * filter nothing. */
struct db_audit_filter {
	long long	 before;	/* ids below it (paging) */
	const char	*action;	/* exactly this action */
	const char	*actor;		/* the actor in words contains it,
					 * without case */
	long long	 since, until;	/* since <= at < until */
	int		 limit;		/* at most (capped at HG_LIST_MAX) */
};
/* Call fn for the lines of workspace that pass f, newest first, with
 * who set; 0 or -1. */
int	 db_audit_find(struct db *, long long workspace,
	    const struct db_audit_filter *f,
	    void (*fn)(void *, const struct db_audit *), void *arg);

/* The sign-in throttle of key: *failures in a row and *next_ms, the
 * first time another attempt is heard (0, 0 for an unknown key); 0 or
 * -1. */
int	 db_throttle_get(struct db *, const char *key, long long *failures,
	    long long *next_ms);
/* Set them; 0 or -1. */
int	 db_throttle_set(struct db *, const char *key, long long failures,
	    long long next_ms);
/* Forget key (a success); 0 or -1. */
int	 db_throttle_clear(struct db *, const char *key);

/* What db_account_prune deletes: sessions last seen at or before
 * idle_before or created at or before created_before (unix seconds:
 * expired), throttle rows whose wait ended before throttle_before_ms
 * (unix ms), setup tokens used or expired before setup_before (unix
 * seconds). */
struct db_account_cut {
	long long	 idle_before, created_before;
	long long	 throttle_before_ms;
	long long	 setup_before;
};
/* Delete at most limit of those rows in all (sessions first, then
 * throttle rows, then setup tokens), *deleted set to how many; 0 or
 * -1. */
int	 db_account_prune(struct db *, const struct db_account_cut *,
	    int limit, long long *deleted);

#endif
