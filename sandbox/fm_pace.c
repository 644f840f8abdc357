/*
 * fm_pace: the fake's rate limits on WhatsApp sends, as Meta answers
 * them: at most wa_rate messages in any second per number (130429,
 * "Rate limit hit") and at least pair_ms between two messages from a
 * number to one person (131056, "pair rate limit hit").  Off until a
 * test or the benchmark sets them (POST /_meta/_control/limits); kept
 * in memory (the fake is one process), with counts of the refusals.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

#include "fm.h"

#define FM_PACE_NUMBERS	16
#define FM_PACE_RATE_MAX 1000
#define FM_PACE_PAIRS	65536	/* a power of two */

struct fm_ring {
	char		 id[32];
	long long	 at[FM_PACE_RATE_MAX];
	int		 head, n;
};

struct fm_pair {
	char		 key[96];
	long long	 last;
};

static pthread_mutex_t	 fm_pace_mu = PTHREAD_MUTEX_INITIALIZER;
static long		 fm_wa_rate, fm_pair_ms;
static long long	 fm_refused_rate, fm_refused_pair, fm_passed;
static struct fm_ring	 fm_rings[FM_PACE_NUMBERS];
static int		 fm_nrings;
static struct fm_pair	 fm_pairs[FM_PACE_PAIRS];

/* FNV-1a of s. */
static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void
fm_pace_set(long wa_rate, long pair_ms)
{
	pthread_mutex_lock(&fm_pace_mu);
	fm_wa_rate = wa_rate < 0 ? 0 : wa_rate > FM_PACE_RATE_MAX ?
	    FM_PACE_RATE_MAX : wa_rate;
	fm_pair_ms = pair_ms < 0 ? 0 : pair_ms;
	fm_refused_rate = fm_refused_pair = fm_passed = 0;
	fm_nrings = 0;
	memset(fm_pairs, 0, sizeof(fm_pairs));
	pthread_mutex_unlock(&fm_pace_mu);
}

cJSON *
fm_pace_json(void)
{
	cJSON *o = cJSON_CreateObject();

	pthread_mutex_lock(&fm_pace_mu);
	cJSON_AddNumberToObject(o, "wa_rate", (double)fm_wa_rate);
	cJSON_AddNumberToObject(o, "pair_ms", (double)fm_pair_ms);
	cJSON_AddNumberToObject(o, "passed", (double)fm_passed);
	cJSON_AddNumberToObject(o, "refused_130429", (double)fm_refused_rate);
	cJSON_AddNumberToObject(o, "refused_131056", (double)fm_refused_pair);
	pthread_mutex_unlock(&fm_pace_mu);
	return o;
}

/* The number's ring (a new one when there is room), or NULL. */
static struct fm_ring *
ring(const char *phone)
{
	int i;

	for (i = 0; i < fm_nrings; i++)
		if (strcmp(fm_rings[i].id, phone) == 0)
			return &fm_rings[i];
	if (fm_nrings == FM_PACE_NUMBERS)
		return NULL;
	memset(&fm_rings[fm_nrings], 0, sizeof(fm_rings[0]));
	snprintf(fm_rings[fm_nrings].id, sizeof(fm_rings[0].id), "%s", phone);
	return &fm_rings[fm_nrings++];
}

long
fm_pace_check(const char *phone, const char *to, long long now_ms)
{
	struct fm_ring	*rg = NULL;
	struct fm_pair	*p = NULL;
	char		 key[96];
	unsigned	 h, i;
	long		 rc = 0;

	pthread_mutex_lock(&fm_pace_mu);
	if (fm_wa_rate > 0 && (rg = ring(phone)) != NULL) {
		while (rg->n > 0 && rg->at[(rg->head - rg->n + FM_PACE_RATE_MAX) %
		    FM_PACE_RATE_MAX] <= now_ms - 1000)
			rg->n--;
		if (rg->n >= fm_wa_rate)
			rc = 130429;
	}
	if (rc == 0 && fm_pair_ms > 0) {
		snprintf(key, sizeof(key), "%s|%s", phone, to);
		h = hash(key);
		for (i = 0; i < FM_PACE_PAIRS; i++) {
			p = &fm_pairs[(h + i) & (FM_PACE_PAIRS - 1)];
			if (p->key[0] == '\0' || strcmp(p->key, key) == 0)
				break;
		}
		if (i == FM_PACE_PAIRS)
			p = NULL;
		else if (p->key[0] != '\0' && now_ms - p->last < fm_pair_ms)
			rc = 131056;
	}
	if (rc == 130429)
		fm_refused_rate++;
	else if (rc == 131056)
		fm_refused_pair++;
	else {
		fm_passed++;
		if (rg != NULL) {
			rg->at[rg->head] = now_ms;
			rg->head = (rg->head + 1) % FM_PACE_RATE_MAX;
			rg->n++;
		}
		if (p != NULL) {
			snprintf(p->key, sizeof(p->key), "%s", key);
			p->last = now_ms;
		}
	}
	pthread_mutex_unlock(&fm_pace_mu);
	return rc;
}
