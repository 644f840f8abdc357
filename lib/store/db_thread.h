/*
 * db_thread: what the inbox's thread needs beyond plain messages: a
 * person's unsent messages, and a WhatsApp number's message templates
 * as Meta listed them (the cache the template picker and the send
 * path read).
 */
#ifndef HG_DB_THREAD_H
#define HG_DB_THREAD_H

#include "db.h"

/* Mark the message mid of channel unsent at at_ms, its text erased,
 * its media files and attachments removed:
 * 1 changed, 0 no such message, -1. */
int	 db_message_unsend(struct db *, long long channel, const char *mid,
	    long long at_ms);

/* One template of a number. */
struct db_template {
	const char	*name, *language, *status, *category;
	const char	*components;	/* JSON array */
	int		 params;	/* the body's {{n}} parameters */
};
/* When channel's templates were last fetched into *ms: 1, 0 never,
 * -1. */
int	 db_template_fetched(struct db *, long long channel, long long *ms);
/* Replace channel's templates with the n of t, fetched at now_ms, in
 * one transaction; 0 or -1. */
int	 db_template_store(struct db *, long long channel,
	    const struct db_template *t, size_t n, long long now_ms);
/* Call fn for each of channel's templates (strings borrowed for the
 * call), by name and language; 0 or -1. */
int	 db_template_list(struct db *, long long channel,
	    void (*fn)(void *, const struct db_template *), void *arg);
/* Channel's template name in language: 1 found (its status, at most
 * statussz bytes, and parameter count), 0 unknown, -1. */
int	 db_template_find(struct db *, long long channel, const char *name,
	    const char *language, char *status, size_t statussz, int *params);
/* The components of channel's cached template name in language, as
 * Meta listed them (JSON, malloc'd) into *out: 1, 0 when not cached,
 * or -1. */
int	 db_template_components(struct db *, long long channel,
	    const char *name, const char *language, char **out);

#endif
