/*
 * db_channel: the connected channels, as storage knows them (db.c).
 */
#ifndef HG_DB_CHANNEL_H
#define HG_DB_CHANNEL_H

#include "db.h"

/* Look up the channel of a kind ("page", "instagram", "whatsapp") and
 * Meta id: 1 found (id and, unless NULL, its workspace set), 0 absent,
 * -1 error. */
int		 db_channel_find(struct db *, const char *kind,
		    const char *meta_id, long long *id, long long *workspace);
/* Create a channel in workspace 1 (or return the existing one's id);
 * 0 or -1. */
int		 db_channel_add(struct db *, const char *kind,
		    const char *meta_id, const char *name, long long *id);
/* Note that an event for the channel arrived at unix time at. */
int		 db_channel_touch(struct db *, long long id, long long at);

#endif
