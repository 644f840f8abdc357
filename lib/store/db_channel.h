/*
 * db_channel: the connected channels, as storage knows them (db.c).
 */
#ifndef HG_DB_CHANNEL_H
#define HG_DB_CHANNEL_H

#include "buf.h"
#include "db.h"
#include "limits.h"

/* Look up the channel of a kind ("page", "instagram", "whatsapp") and
 * Meta id: 1 found (id and, unless NULL, its workspace set), 0 absent,
 * -1 error. */
int		 db_channel_find(struct db *, const char *kind,
		    const char *meta_id, long long *id, long long *workspace);
/* Create a channel in workspace 1 (or return the existing one's id,
 * its name updated), then route to it its earlier events that were not
 * routed to it (db_channel_reroute); 0 or -1.  Outside a transaction
 * it makes its own. */
int		 db_channel_add(struct db *, const char *kind,
		    const char *meta_id, const char *name, long long *id);
/* Note that an event for the channel arrived at unix time at. */
int		 db_channel_touch(struct db *, long long id, long long at);

/* A channel as the dashboard lists it; strings borrowed for the
 * callback's duration. */
struct db_channel_row {
	long long	 id;
	const char	*kind, *meta_id, *name, *token_status;
	long long	 last_event_at;		/* 0: no event yet */
	long long	 token_expires_at;	/* 0: never, or no token */
	const char	*subscribed_fields;	/* comma list; "" none */
	/* Sending settings (migrations 12, 13). */
	int		 human_agent;		/* may answer with the tag */
	long long	 send_rate;		/* per second; 0: default */
	int		 mark_read;		/* mark read on opening */
};
/* The channels of a workspace, by id (at most HG_CHANNELS_MAX); 0 or
 * -1. */
int		 db_channel_list(struct db *, long long workspace,
		    void (*fn)(void *, const struct db_channel_row *),
		    void *arg);
/* Connect a channel to workspace: 1 created (*id set) and its earlier
 * events routed to it (*rerouted of them), 0 when that kind and Meta
 * id is connected already (in any workspace; nothing changes), -1.
 * Run inside a transaction. */
int		 db_channel_connect(struct db *, long long workspace,
		    const char *kind, const char *meta_id, const char *name,
		    long long *id, long long *rerouted);
/* Route to channel id (of kind and meta_id) every stored event not yet
 * routed to every account whose accounts name it: its channel (the
 * first, or one more), its routing recomputed (routed when every
 * account now has a channel, else partial), and, when it was
 * processed, failed or a dead letter, made pending and due now, so
 * that the queue processes it again (idempotent); the channel's
 * last_event_at becomes the newest one's arrival.  *count is how many.
 * Inside a transaction; 0 or -1. */
int		 db_channel_reroute(struct db *, long long id, const char *kind,
		    const char *meta_id, long long *count);

/* One channel of a workspace, for its actions (db_channel_act.c);
 * strings and the sealed token are copies, freed by
 * db_channel_one_free. */
struct db_channel_one {
	char		 kind[16];
	char		 meta_id[HG_META_ID_MAX + 1];
	char		 parent_meta_id[HG_META_ID_MAX + 1];	/* "" none */
	char		 name[HG_CHANNEL_NAME_MAX + 1];
	char		 token_status[16];
	char		 token_kind[32];
	struct buf	 token_sealed;		/* empty: none */
};
/* Read channel id of workspace into c: 1 found, 0 none there, -1. */
int		 db_channel_get(struct db *, long long workspace, long long id,
		    struct db_channel_one *c);
/* Wipe and free what db_channel_get copied. */
void		 db_channel_one_free(struct db_channel_one *);
/* Rename channel id of workspace: 1 done, 0 none there, -1. */
int		 db_channel_rename(struct db *, long long workspace,
		    long long id, const char *name, long long now);
/* Store the subscribed fields (comma list) of channel id of
 * workspace: 1 done, 0 none there, -1. */
int		 db_channel_set_fields(struct db *, long long workspace,
		    long long id, const char *fields, long long now);
/* Set channel id's sending settings (each -1: unchanged): human_agent
 * 0/1, send_rate per second (0: the platform's default), mark_read
 * 0/1.  1 done, 0 none there, -1. */
int		 db_channel_send_set(struct db *, long long workspace,
		    long long id, int human_agent, long long send_rate,
		    int mark_read, long long now);
/* Disconnect channel id of workspace: its token erased, status
 * revoked, no subscription, its queued sends failed; the row and its
 * events stay.  With forgotten not NULL its conversations, messages
 * and contacts are deleted too (*forgotten: the messages); else they
 * stay.  In one transaction; 1 done, 0 none there, -1. */
int		 db_channel_disconnect(struct db *, long long workspace,
		    long long id, long long now, long long *forgotten);
/* Move channel id to workspace to_ws with its contacts, conversations
 * (unassigned), sends and media, in one transaction: 1 moved, 0 no such
 * channel, 2 no such workspace, 3 it is there already; -1.  *from_ws
 * (may be NULL) is where it was. */
int		 db_channel_move(struct db *, long long id, long long to_ws,
		    long long now, long long *from_ws);

#endif
