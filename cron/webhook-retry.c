/*
 * webhook-retry: run from cron every minute.  Processes every stored
 * event that is due (pending events the inline path did not reach,
 * failed events whose retry time has come, expired leases) until the
 * queue is empty or cron_budget_s is spent, prunes processed events
 * older than retention_days and audit lines older than
 * audit_retention_days, fetches inbound media and contact profiles the
 * dashboard's fetcher did not take and removes media files past
 * media_retention_days, deletes expired sessions and stale sign-in
 * throttle rows and setup tokens, checkpoints the WAL, prints a one-line
 * summary and exits.
 * A second run while one is active exits at once.  Exit status 1 on a
 * configuration or database error.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "app.h"
#include "conf.h"
#include "db.h"
#include "db_fwd.h"
#include "graph.h"
#include "limits.h"
#include "log.h"
#include "forward.h"
#include "media.h"
#include "outbox.h"
#include "bot.h"
#include "queue.h"

int
main(void)
{
	struct queue_opts	 o;
	struct queue_stats	 st = { 0, 0, 0, 0, 0 };
	struct conf		*c;
	struct db		*d;
	struct rusage		 ru;
	long long		 start = clock_mono_ms(), pruned = 0, keep_ms, keep_s;
	long long		 audit_pruned = 0, accounts_pruned = 0;
	long long		 stats_pruned = 0;
	struct queue_account_opts ao;
	char			 err[HG_ERR_MAX];
	struct outbox_stats	 ost;
	struct media_stats	 mst;
	struct forward_stats	 fst;
	long long		 fwd_pruned = 0;
	int			 lock, olock, mlock, flock, block, rc = 0;

	memset(&ost, 0, sizeof(ost));
	memset(&mst, 0, sizeof(mst));
	memset(&fst, 0, sizeof(fst));
	if ((c = app_init("webhook-retry", err, sizeof(err))) == NULL) {
		fprintf(stderr, "webhook-retry: %s\n", err);
		return 1;
	}
	if (queue_opts_conf(&o, c) == -1) {
		fprintf(stderr, "webhook-retry: retry_schedule does not parse\n");
		conf_free(c);
		return 1;
	}
	if ((lock = app_lock(c, "webhook-retry")) < 0) {
		conf_free(c);
		if (lock == -2) {
			printf("webhook-retry: another run is active\n");
			return 0;
		}
		fprintf(stderr, "webhook-retry: cannot take the run lock\n");
		return 1;
	}
	if ((d = db_open(c, DB_REDOABLE, err, sizeof(err))) == NULL) {
		fprintf(stderr, "webhook-retry: %s\n", err);
		conf_free(c);
		return 1;
	}
	if (queue_run(d, &o, &st) == -1)
		rc = 1;
	/* The sends a FastCGI worker did not take (none runs, as under
	 * CGI, or its process is gone): when nobody holds the lock. */
	if (rc == 0 && (olock = app_lock(c, "outbox")) >= 0) {
		struct outbox_worker	*w;
		struct graph		*g;

		if ((g = graph_new(c, err, sizeof(err))) == NULL)
			fprintf(stderr, "webhook-retry: outbox: %s\n", err);
		else if ((w = outbox_worker_new(c, d, g)) != NULL) {
			if (outbox_run(w, conf_get_int(c, "cron_budget_s") * 1000 -
			    (clock_mono_ms() - start), &ost, NULL) == -1)
				rc = 1;
			outbox_worker_free(w);
		}
		app_graph_free(d, g);
		close(olock);
	}
	/* Media a FastCGI fetcher did not take (when nobody holds the
	 * lock), and the files past media_retention_days (always: only
	 * ready items' files go, which a fetcher does not touch). */
	if (rc == 0) {
		struct media_worker	*w;
		struct graph		*g = NULL;

		if ((mlock = app_lock(c, "media")) >= 0 &&
		    (g = graph_new(c, err, sizeof(err))) == NULL)
			fprintf(stderr, "webhook-retry: media: %s\n", err);
		if ((w = media_worker_new(c, d, g)) != NULL) {
			if (g != NULL && media_run(w, conf_get_int(c,
			    "cron_budget_s") * 1000 - (clock_mono_ms() - start),
			    &mst, NULL) == -1)
				rc = 1;
			if (rc == 0 && media_prune(w, clock_ms(),
			    &mst.expired) == -1)
				rc = 1;
			media_worker_free(w);
		}
		app_graph_free(d, g);
		if (mlock >= 0)
			close(mlock);
	}
	/* Deliveries to the business's endpoints a FastCGI worker did
	 * not take (when nobody holds the lock), and events past
	 * forward_retention_days that nothing waits to deliver. */
	if (rc == 0 && (flock = app_lock(c, "forward")) >= 0) {
		struct forward_worker	*w;
		struct graph		*g;

		/* graph_new sets curl up for the worker. */
		if ((g = graph_new(c, err, sizeof(err))) == NULL)
			fprintf(stderr, "webhook-retry: forward: %s\n", err);
		else if ((w = forward_worker_new(c, d)) != NULL) {
			if (forward_run(w, conf_get_int(c, "cron_budget_s") *
			    1000 - (clock_mono_ms() - start), &fst, NULL) == -1)
				rc = 1;
			forward_worker_free(w);
		}
		app_graph_free(d, g);
		close(flock);
	}
	if (rc == 0 && db_fwd_prune(d, clock_ms() -
	    conf_get_int(c, "forward_retention_days") * 86400000LL,
	    HG_PRUNE_BATCH, &fwd_pruned) == -1)
		rc = 1;
	/* Bot calls a FastCGI worker did not take (when nobody holds the
	 * lock). */
	if (rc == 0 && (block = app_lock(c, "bot")) >= 0) {
		if (bot_run(c, d, conf_get_int(c, "cron_budget_s") * 1000 -
		    (clock_mono_ms() - start), NULL) == -1)
			rc = 1;
		close(block);
	}
	keep_ms = conf_get_int(c, "retention_days") * 86400LL * 1000;
	if (rc == 0 && queue_prune(d, clock_ms() - keep_ms, HG_PRUNE_BATCH,
	    HG_PRUNE_BUDGET_MS, &pruned) == -1)
		rc = 1;
	if (rc == 0 && queue_prune_stats(d, clock_ms(), HG_PRUNE_BATCH,
	    HG_PRUNE_BUDGET_MS, &stats_pruned) == -1)
		rc = 1;
	keep_s = conf_get_int(c, "audit_retention_days") * 86400LL;
	if (rc == 0 && queue_prune_audit(d, (long long)time(NULL) - keep_s,
	    HG_PRUNE_BATCH, HG_PRUNE_BUDGET_MS, &audit_pruned) == -1)
		rc = 1;
	ao.idle_s = conf_get_int(c, "session_idle_s");
	ao.max_s = conf_get_int(c, "session_max_s");
	if (rc == 0 && queue_prune_accounts(d, &ao, clock_ms(), HG_PRUNE_BATCH,
	    HG_PRUNE_BUDGET_MS, &accounts_pruned) == -1)
		rc = 1;
	/* Keep the WAL small even where nothing else checkpoints it. */
	if (rc == 0 && db_flush(d, NULL) == -1)
		rc = 1;
	getrusage(RUSAGE_SELF, &ru);
	printf("webhook-retry: claimed=%lld processed=%lld failed=%lld "
	    "dead_letter=%lld fenced=%lld pruned=%lld audit_pruned=%lld "
	    "accounts_pruned=%lld stats_pruned=%lld sends=%lld sent=%lld "
	    "send_retried=%lld send_failed=%lld send_unknown=%lld "
	    "media_ready=%lld media_unavailable=%lld media_expired=%lld "
	    "profiles=%lld forwarded=%lld forward_failed=%lld "
	    "forward_dead=%lld forward_pruned=%lld ms=%lld maxrss_kb=%ld%s\n",
	    st.claimed, st.processed, st.failed, st.dead, st.fenced, pruned,
	    audit_pruned, accounts_pruned, stats_pruned, ost.claimed, ost.sent,
	    ost.retried, ost.failed, ost.unknown, mst.ready, mst.unavailable,
	    mst.expired, mst.profiles, fst.delivered, fst.failed, fst.dead,
	    fwd_pruned,
	    clock_mono_ms() - start, ru.ru_maxrss, rc ? " error" : "");
	if (rc)
		fprintf(stderr, "webhook-retry: database error: %s\n",
		    db_errmsg(d));
	db_close(d);
	conf_free(c);
	return rc;
}
