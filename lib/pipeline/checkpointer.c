/*
 * checkpointer: the WAL checkpointer thread.  See checkpointer.h.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "checkpointer.h"
#include "conf.h"
#include "db.h"
#include "limits.h"
#include "log.h"

/* How long to wait before trying again an incomplete or failed
 * checkpoint (ms). */
#define CHECKPOINT_RETRY_MS	100

struct checkpointer {
	const struct conf	*conf;
	pthread_mutex_t		*write_mu;	/* the process's, borrowed */
	pthread_t		 thread;
	pthread_mutex_t		 mu;		/* due, stop */
	pthread_cond_t		 cv;		/* the thread waits here */
	int			 due;
	int			 stop;
};

static void *
checkpointer_run(void *arg)
{
	struct checkpointer	*ck = arg;
	struct db		*d = NULL;
	struct logline		 l;
	struct timespec		 ts;
	char			 err[HG_ERR_MAX];
	int			 complete = 0, rc;

	pthread_setname_np(pthread_self(), "hg-ckpt");
	pthread_mutex_lock(&ck->mu);
	while (!ck->stop) {
		if (!ck->due) {
			pthread_cond_wait(&ck->cv, &ck->mu);
			continue;
		}
		pthread_mutex_unlock(&ck->mu);
		if (d == NULL && (d = db_open(ck->conf, DB_FLUSH_APART, err,
		    sizeof(err))) == NULL)
			log_msg(LOG_LEVEL_ERROR, "webhook.checkpoint_db", err);
		rc = d == NULL ? -1 : db_flush(d, NULL);
		/* Complete as far as it saw; but commits went on. */
		if (rc == 0) {
			pthread_mutex_lock(ck->write_mu);
			rc = db_flush(d, &complete);
			pthread_mutex_unlock(ck->write_mu);
		}
		if (rc == -1 && d != NULL) {
			log_begin(&l, LOG_LEVEL_ERROR, "webhook.checkpoint_failed");
			log_str(&l, "error", db_errmsg(d));
			log_end(&l);
			db_close(d);
			d = NULL;
		}
		pthread_mutex_lock(&ck->mu);
		if (rc == -1 || !complete) {
			clock_deadline(&ts, CHECKPOINT_RETRY_MS);
			while (!ck->stop && pthread_cond_timedwait(&ck->cv,
			    &ck->mu, &ts) == 0)
				;
		}
		/* Due again when a commit finds the WAL long again. */
		ck->due = 0;
	}
	pthread_mutex_unlock(&ck->mu);
	db_close(d);
	return NULL;
}

struct checkpointer *
checkpointer_new(const struct conf *c, pthread_mutex_t *write_mu)
{
	struct checkpointer *ck;

	if ((ck = calloc(1, sizeof(*ck))) == NULL)
		return NULL;
	ck->conf = c;
	ck->write_mu = write_mu;
	pthread_mutex_init(&ck->mu, NULL);
	pthread_cond_init(&ck->cv, NULL);
	if (pthread_create(&ck->thread, NULL, checkpointer_run, ck) != 0) {
		pthread_cond_destroy(&ck->cv);
		pthread_mutex_destroy(&ck->mu);
		free(ck);
		return NULL;
	}
	return ck;
}

void
checkpointer_poke(struct checkpointer *ck, long long frames)
{
	if (ck == NULL || frames < HG_CHECKPOINT_FRAMES)
		return;
	pthread_mutex_lock(&ck->mu);
	if (!ck->due) {
		ck->due = 1;
		pthread_cond_signal(&ck->cv);
	}
	pthread_mutex_unlock(&ck->mu);
}

void
checkpointer_free(struct checkpointer *ck)
{
	if (ck == NULL)
		return;
	pthread_mutex_lock(&ck->mu);
	ck->stop = 1;
	pthread_cond_signal(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
	pthread_join(ck->thread, NULL);
	pthread_cond_destroy(&ck->cv);
	pthread_mutex_destroy(&ck->mu);
	free(ck);
}
