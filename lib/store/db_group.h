/*
 * db_group: groups of people in a workspace (migration 21: a team such
 * as "Billing"), the group a conversation is assigned to, and a
 * group's queue of escalated conversations.  The SQL is in db.c's
 * statement table.
 */
#ifndef HG_DB_GROUP_H
#define HG_DB_GROUP_H

#include <stddef.h>

struct db;

/* A group as listed (strings borrowed for the callback): members is a
 * JSON array of user ids, in order. */
struct db_group_row {
	long long	 id;
	const char	*name;
	const char	*members;
	long long	 updated_at;
};
/* fn for each group of workspace ws (only group id when id > 0), by
 * name; 0 or -1. */
int	 db_group_list(struct db *, long long ws, long long id,
	    void (*fn)(void *, const struct db_group_row *), void *arg);

/* fn(arg, user id, name (else e-mail), available) for each member of
 * workspace ws that may sign in, by name; 0 or -1. */
int	 db_group_people(struct db *, long long ws,
	    void (*fn)(void *, long long, const char *, int), void *arg);

/*
 * Add a group (id 0; *out_id set) or change group id of workspace ws:
 * its name and its members users[n] (a user named twice joins once:
 * *kept says how many joined), in one transaction.  1 done, 0 no such
 * group, -2 the name is taken in ws, -3 ws has HG_GROUPS_MAX groups
 * already, -4 a user is not a member of ws (nothing changed), -1 on a
 * database error.
 */
int	 db_group_put(struct db *, long long ws, long long id, const char *name,
	    const long long *users, size_t n, long long now, long long *out_id,
	    size_t *kept);
/* Delete group id of workspace ws (its conversations keep no group):
 * 1, 0 no such group, -1. */
int	 db_group_delete(struct db *, long long ws, long long id);

/* The group of workspace ws with id (when id > 0) or name: its id into
 * *out, 1; 0 none; -1. */
int	 db_group_find(struct db *, long long ws, long long id, const char *name,
	    long long *out);
/* Assign conversation conv of workspace ws to group (0: none), inside
 * the caller's transaction: 1, 0 no such conversation or group there,
 * -1. */
int	 db_group_assign(struct db *, long long ws, long long conv,
	    long long group);

/*
 * The queue of conversation conv when it belongs to a group: its place
 * among the group's escalated conversations, up to max recent waits
 * (escalation to a person's first send, since since_ms) of the group's
 * conversations into waits (*n of them), and how many of its members
 * are available.  1 filled, 0 the conversation has no group, -1.
 */
int	 db_group_queue(struct db *, long long conv, long long since_ms,
	    long long *position, long long *waits, size_t max, size_t *n,
	    long long *available);

#endif
