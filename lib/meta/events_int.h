/*
 * events_int: what the files of the webhook event normalizer share
 * (events.c: entry points, dispatch, Page feed and shared rows;
 * events_msgr.c: Messenger and Instagram messaging items and calls;
 * events_wa.c: WhatsApp messages, statuses, calls and history;
 * events_wa_account.c: WhatsApp Business Account notices).  Private to
 * lib/meta/events*.c; callers use events.h.
 */
#ifndef HG_EVENTS_INT_H
#define HG_EVENTS_INT_H

#include <cjson/cJSON.h>

#include "events.h"

struct db;
struct db_message;

/* What one event's processing needs everywhere. */
struct ev {
	struct db	*db;
	long long	 id;		/* webhook_event id */
	long long	 now_ms;	/* arrival */
	long long	 entry_ms;	/* the entry's time; 0: none */
	const char	*object;
	const char	*kind;		/* channel kind for this object */
	const char	*entry_id;	/* the entry's id (the Page, the
					 * account, the WABA); "" none */
	int		 history;	/* 1: items of a WhatsApp Business
					 * app's chat history */
	const cJSON	*history_person;	/* its thread's person */
};

/* The time of an item: its own, else its entry's, else the arrival. */
static inline long long
ts(const struct ev *e, const cJSON *v)
{
	long long at = events_ts_ms(v);

	if (at == 0)
		at = e->entry_ms;
	return at != 0 ? at : e->now_ms;
}

static inline const cJSON *
get(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* The array member name of o, or NULL when absent or not an array. */
static inline const cJSON *
arr(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsArray(v) ? v : NULL;
}

/* The JSON text of v, or NULL; free() it. */
static inline char *
json_text(const cJSON *v)
{
	return v != NULL ? cJSON_PrintUnformatted(v) : NULL;
}

/* Count a kind of item in the unhandled ledger as "<prefix>.<name>"
 * (name NULL or "": "<prefix>").  0 or -1 (database). */
int		 ev_ledger(struct ev *, const char *prefix, const char *name);
/* v (an object) with "at_ms": at, as JSON text the caller free()s, or
 * NULL (not an object, no memory). */
char		*ev_json_stamped(const cJSON *v, long long at);
/* Insert m (borrowed; its event, creation time and history flag set
 * here) and note it on its conversation; mark it a standby copy or with
 * its author (NULL: none).  0 or -1. */
int		 ev_message_add(struct ev *, struct db_message *m, int standby,
		    const char *author);
/* The outbox id hubgate put in a send's metadata (HG_OUTBOX_REF_PREFIX
 * "<id>"), or 0 when s is NULL or not one. */
long long	 ev_outbox_ref(const char *s);
/* The person unsent their message mid at at: a row of kind unsend
 * referring to it, the message's text erased with its edits.  0 or
 * -1. */
int		 ev_unsend(struct ev *, long long channel, long long conv,
		    const char *mid, long long at);
/* A person's reaction emoji ("" or NULL: removed) to mid: one row per
 * person and message holding the latest.  0 or -1. */
int		 ev_reaction(struct ev *, long long channel, long long conv,
		    const char *person, const char *mid, const char *emoji,
		    long long at);
/* Record a referral object on conv (not an object: nothing); 0 or
 * -1. */
int		 ev_referral(struct ev *, long long conv, const cJSON *ref,
		    long long at);
/* The entry of call id in conv (key "call:<id>"): its latest event ev
 * and status st (either NULL), duration dur seconds (0: none), out 1
 * for the business's call.  0 or -1. */
int		 ev_call_entry(struct ev *, long long channel, long long conv,
		    const char *id, int out, const char *ev, const char *st,
		    long long dur, long long at);

/* events_msgr.c */
/* One messaging[] or standby[] item it (standby 1) of a Page or
 * Instagram account on channel of workspace ws; odd items are counted
 * in the ledger.  0 or -1 (database). */
int		 ev_messaging_item(struct ev *, long long channel, long long ws,
		    const cJSON *it, int standby);
/* A Messenger calls[] item it of Page page: the call entry in the
 * person's thread.  0 or -1. */
int		 ev_page_call(struct ev *, long long channel, long long ws,
		    const char *page, const cJSON *it);

/* events_wa.c */
/* One changes[] item (field, value v) of WhatsApp Business Account
 * waba ("" unknown): routed on its phone number id.  0 or -1. */
int		 ev_wa_change(struct ev *, const char *waba, const char *field,
		    const cJSON *v);

/* events_wa_account.c */
/* A WhatsApp account-level change of waba: 1 when field is one
 * (recorded, or counted as unrouted), 0 when it is not, -1 on a
 * database error. */
int		 ev_wa_notice(struct ev *, const char *waba, const char *field,
		    const cJSON *v);

#endif
