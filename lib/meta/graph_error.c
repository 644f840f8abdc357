/*
 * graph_error: Meta's error table.  Every answer of the Graph API is
 * classified here from its HTTP status, Meta's error object and the
 * usage headers.  See graph_error.h.
 */
#include <stdio.h>
#include <string.h>

#include "graph_error.h"
#include "json.h"
#include "limits.h"
#include "num.h"

const char *const graph_class_names[GRAPH_CLASS__MAX] = {
	"ok", "retry", "throttled", "token_invalid", "permanent"
};

const char *const graph_reason_names[GRAPH_REASON__MAX] = {
	"none", "transient", "rate", "policy", "token", "permission",
	"parameter", "unavailable", "window", "limit", "refused", "other"
};

static long
clamp_delay(long long d)
{
	if (d < 1)
		return 1;
	return d > HG_GRAPH_DELAY_MAX_S ? HG_GRAPH_DELAY_MAX_S : (long)d;
}

/* Fold one usage object's percentages and wait into *pct, *eta_min. */
static void
usage_object(const cJSON *o, int *pct, long long *eta_min)
{
	static const char *const f[] = { "call_count", "total_time",
	    "total_cputime", "acc_id_util_pct", NULL };
	long long	 v;
	size_t		 i;

	if (!cJSON_IsObject(o))
		return;
	for (i = 0; f[i] != NULL; i++)
		if ((v = json_uint(o, f[i])) >= 0 && v > *pct)
			*pct = v > 10000 ? 10000 : (int)v;
	if ((v = json_uint(o, "estimated_time_to_regain_access")) > *eta_min)
		*eta_min = v;
}

void
graph_error_usage(const struct graph_headers *h, int *pct, long *delay_s)
{
	cJSON		*j;
	const cJSON	*id, *o;
	long long	 eta = 0;

	*pct = -1;
	*delay_s = 0;
	if (h == NULL)
		return;
	if (h->app_usage != NULL && (j = cJSON_Parse(h->app_usage)) != NULL) {
		usage_object(j, pct, &eta);
		cJSON_Delete(j);
	}
	if (h->page_usage != NULL && (j = cJSON_Parse(h->page_usage)) != NULL) {
		usage_object(j, pct, &eta);
		cJSON_Delete(j);
	}
	/* {"<id>": [{"type": ..., "call_count": ..., ...}], ...} */
	if (h->buc_usage != NULL && (j = cJSON_Parse(h->buc_usage)) != NULL) {
		if (!cJSON_IsObject(j)) {
			cJSON_Delete(j);
			j = NULL;
		}
		cJSON_ArrayForEach(id, j) {
			if (!cJSON_IsArray(id)) {
				usage_object(id, pct, &eta);
				continue;
			}
			cJSON_ArrayForEach(o, id) {
				usage_object(o, pct, &eta);
			}
		}
		cJSON_Delete(j);
	}
	if (eta > 0)
		*delay_s = clamp_delay(eta * 60);
	else if (*pct >= 100)
		*delay_s = HG_GRAPH_USAGE_FULL_S;
}

/* Meta's error code (and subcode) to class and reason: the table of
 * docs/META.md, plus the WhatsApp Cloud API's own codes. */
static void
classify_code(long code, long sub, int status, int transient,
    struct graph_result *r)
{
	enum graph_class	c = GRAPH_PERMANENT;
	enum graph_reason	w = GRAPH_REASON_OTHER;

	if (code == 190 || code == 102 || code == 492) {
		c = GRAPH_TOKEN_INVALID;
		w = GRAPH_REASON_TOKEN;
	} else if (code == 1 || code == 2 || code == 1200 ||
	    code == 131000 || code == 131016 || code == 133004) {
		c = GRAPH_RETRY;
		w = GRAPH_REASON_TRANSIENT;
	} else if (code == 4 || code == 17 || code == 32 || code == 341 ||
	    code == 613 || (code >= 80000 && code <= 80014) ||
	    code == 130429 || code == 131056 || code == 131048) {
		c = GRAPH_THROTTLED;
		w = GRAPH_REASON_RATE;
	} else if (code == 368) {
		c = GRAPH_THROTTLED;
		w = GRAPH_REASON_POLICY;
	} else if (code == 551 || (code == 10 && sub == 2018108) ||
	    code == 131026) {
		w = GRAPH_REASON_UNAVAILABLE;
	} else if ((code == 10 && sub == 2018278) || code == 131047) {
		w = GRAPH_REASON_WINDOW;
	} else if (code == 3 || code == 10 || (code >= 200 && code <= 299)) {
		w = GRAPH_REASON_PERMISSION;
	} else if (code == 100 || code == 131051 || code == 131009 ||
	    (code >= 132000 && code <= 132999)) {
		w = GRAPH_REASON_PARAMETER;
	} else if (transient || status >= 500) {
		c = GRAPH_RETRY;
		w = GRAPH_REASON_TRANSIENT;
	}
	r->cls = c;
	r->reason = w;
}

static void
copy_str(char *dst, size_t dstsz, const char *s)
{
	if (s != NULL)
		snprintf(dst, dstsz, "%s", s);
}

void
graph_error_classify(int status, const char *body, size_t len,
    const struct graph_headers *h, struct graph_result *r)
{
	const cJSON	*err = NULL, *tr;
	long long	 n;
	long		 udelay;

	r->http_status = status;
	graph_error_usage(h, &r->usage_pct, &udelay);
	if (body != NULL && len > 0)
		r->json = cJSON_ParseWithLength(body, len);
	if (cJSON_IsObject(r->json))
		err = cJSON_GetObjectItemCaseSensitive(r->json, "error");
	if (status >= 200 && status < 300 && !cJSON_IsObject(err)) {
		r->cls = GRAPH_OK;
		r->reason = GRAPH_REASON_NONE;
		return;
	}
	if (cJSON_IsObject(err)) {
		r->code = (long)json_uint(err, "code");
		r->subcode = (long)json_uint(err, "error_subcode");
		if (r->code < 0)
			r->code = 0;
		if (r->subcode < 0)
			r->subcode = 0;
		copy_str(r->message, sizeof(r->message),
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err,
		    "message")));
		copy_str(r->fbtrace_id, sizeof(r->fbtrace_id),
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err,
		    "fbtrace_id")));
		copy_str(r->user_title, sizeof(r->user_title),
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err,
		    "error_user_title")));
		copy_str(r->user_msg, sizeof(r->user_msg),
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err,
		    "error_user_msg")));
		tr = cJSON_GetObjectItemCaseSensitive(err, "is_transient");
		classify_code(r->code, r->subcode, status, cJSON_IsTrue(tr), r);
	} else if (status >= 300 && status < 400) {
		r->cls = GRAPH_PERMANENT;
		r->reason = GRAPH_REASON_REFUSED;
		snprintf(r->message, sizeof(r->message),
		    "HTTP %d: redirect not followed", status);
	} else if (status == 429) {
		r->cls = GRAPH_THROTTLED;
		r->reason = GRAPH_REASON_RATE;
	} else if (status >= 500) {
		r->cls = GRAPH_RETRY;
		r->reason = GRAPH_REASON_TRANSIENT;
	} else {
		r->cls = GRAPH_PERMANENT;
		r->reason = GRAPH_REASON_OTHER;
	}
	if (r->message[0] == '\0')
		snprintf(r->message, sizeof(r->message), "HTTP %d", status);
	if (r->cls == GRAPH_THROTTLED) {
		r->delay_s = r->reason == GRAPH_REASON_POLICY ?
		    HG_GRAPH_POLICY_PAUSE_S : udelay > 0 ? udelay :
		    HG_GRAPH_THROTTLE_DEFAULT_S;
		/* A Retry-After, when no usage header says more. */
		if (r->reason != GRAPH_REASON_POLICY && udelay <= 0 &&
		    h != NULL && h->retry_after != NULL && num_parse_str(
		    h->retry_after, 1, HG_GRAPH_DELAY_MAX_S, &n) == 0)
			r->delay_s = clamp_delay(n);
	}
	else if (r->cls == GRAPH_RETRY) {
		r->delay_s = HG_GRAPH_RETRY_DEFAULT_S;
		if (h != NULL && h->retry_after != NULL && num_parse_str(
		    h->retry_after, 0, HG_GRAPH_DELAY_MAX_S, &n) == 0)
			r->delay_s = clamp_delay(n);
	}
}
