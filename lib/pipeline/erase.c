/*
 * erase: erase what hubgate holds about one person.  See erase.h.
 */
#include <stdio.h>
#include <string.h>

#include "erase.h"
#include "limits.h"
#include "redact.h"

struct erase_arg {
	const char	*id;
	long long	*items;
};

/* db_rewrite_fn: the body without the person's entries. */
static int
rewrite(void *arg, const void *body, size_t n, struct buf *out)
{
	struct erase_arg *a = arg;

	return redact_person(body, n, a->id, out, a->items);
}

/* Rewrite the events ids[0..n) in chunks; those a worker holds are
 * appended to left (up to HG_ERASE_SCAN_IDS, *nleft) unless final. */
static int
rewrite_all(struct db *d, const long long *ids, size_t n,
    struct erase_arg *a, struct db_erase *e, long long *left, size_t *nleft,
    int final)
{
	size_t		 i, k;
	long long	 busy;

	for (i = 0; i < n; i += k) {
		k = n - i < HG_ERASE_CHUNK ? n - i : HG_ERASE_CHUNK;
		busy = 0;
		if (db_erase_events(d, ids + i, k, rewrite, a, &e->events,
		    &busy) == -1)
			return -1;
		if (busy == 0)
			continue;
		if (final || left == NULL)
			e->busy += busy;
		else if (*nleft + k <= HG_ERASE_SCAN_IDS) {
			/* Which ones: all k go round again (cheap). */
			memcpy(left + *nleft, ids + i, k * sizeof(*ids));
			*nleft += k;
		} else
			e->busy += busy;
	}
	return 0;
}

int
erase_person(struct db *d, const char *meta_user_id, long long channel_id,
    long long now, struct db_erase *e)
{
	long long		 ids[HG_ERASE_SCAN_IDS], left[HG_ERASE_SCAN_IDS];
	char			 needle[HG_META_ID_MAX + 3];
	struct erase_arg	 a;
	long long		 after = 0, max, upto;
	size_t			 n, nleft = 0;
	int			 w;

	memset(e, 0, sizeof(*e));
	a.id = meta_user_id;
	a.items = &e->items;
	w = snprintf(needle, sizeof(needle), "\"%s\"", meta_user_id);
	if (w < 0 || (size_t)w >= sizeof(needle))
		return -1;
	if ((channel_id == 0 && db_erase_logins(d, meta_user_id, now,
	    e) == -1) || db_erase_max_id(d, &max) == -1)
		return -1;
	while (after < max) {
		upto = after + HG_ERASE_SCAN_IDS < max ?
		    after + HG_ERASE_SCAN_IDS : max;
		if (db_erase_scan(d, after, upto, needle, channel_id, ids,
		    HG_ERASE_SCAN_IDS, &n) == -1 ||
		    rewrite_all(d, ids, n, &a, e, left, &nleft, 0) == -1)
			return -1;
		after = upto;
	}
	/* Those a worker held: once more, now that it has likely done. */
	if (nleft > 0 && rewrite_all(d, left, nleft, &a, e, NULL, NULL,
	    1) == -1)
		return -1;
	return db_erase_contact(d, meta_user_id, channel_id, e);
}
