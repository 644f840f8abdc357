/*
 * processor: the background processor thread.  See processor.h.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "checkpointer.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "processor.h"
#include "queue.h"

struct processor {
	const struct conf	*conf;
	pthread_mutex_t		*write_mu;	/* the process's, borrowed */
	struct checkpointer	*ck;		/* borrowed; may be NULL */
	int			 (*busy)(void *);
	void			*arg;
	long long		 budget_ms;	/* inline_budget_ms */
	struct db		*db;		/* the thread's */
	pthread_t		 thread;
	pthread_mutex_t		 mu;		/* due, stop */
	pthread_cond_t		 cv;		/* the thread waits here */
	int			 due;
	int			 stop;
};

/* One spell: run the queue, a batch per transaction, for at most
 * budget_ms, until it is empty or the writers are busy. */
static void
processor_spell(struct processor *p, const struct queue_opts *o)
{
	struct queue_stats	 st;
	long long		 start, frames;
	char			 err[HG_ERR_MAX];
	unsigned		 flags = DB_REDOABLE;

	if (p->ck != NULL)
		flags |= DB_FLUSH_APART;
	if (p->db == NULL &&
	    (p->db = db_open(p->conf, flags, err, sizeof(err))) == NULL)
		log_msg(LOG_LEVEL_ERROR, "webhook.inline_db", err);
	start = clock_mono_ms();
	while (p->db != NULL && clock_mono_ms() - start < p->budget_ms) {
		if (p->busy(p->arg))
			break;
		memset(&st, 0, sizeof(st));
		pthread_mutex_lock(p->write_mu);
		if (queue_run(p->db, o, &st) == -1) {
			pthread_mutex_unlock(p->write_mu);
			db_close(p->db);
			p->db = NULL;
			break;
		}
		frames = db_journal_size(p->db);
		pthread_mutex_unlock(p->write_mu);
		checkpointer_poke(p->ck, frames);
		if (st.claimed == 0)
			break;
	}
}

static void *
processor_run(void *arg)
{
	struct processor	*p = arg;
	struct queue_opts	 o;

	pthread_setname_np(pthread_self(), "hg-process");
	if (queue_opts_conf(&o, p->conf) == -1)
		return NULL;
	o.budget_ms = 0;	/* one batch per call */
	o.batch = 4;		/* a batch event may hold 1000 messages */
	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		if (!p->due) {
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		p->due = 0;
		pthread_mutex_unlock(&p->mu);
		processor_spell(p, &o);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	db_close(p->db);
	p->db = NULL;
	return NULL;
}

struct processor *
processor_new(const struct conf *c, pthread_mutex_t *write_mu,
    struct checkpointer *ck, int (*busy)(void *), void *arg)
{
	struct processor *p;

	if (conf_get_int(c, "inline_budget_ms") <= 0 ||
	    (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->conf = c;
	p->write_mu = write_mu;
	p->ck = ck;
	p->busy = busy;
	p->arg = arg;
	p->budget_ms = conf_get_int(c, "inline_budget_ms");
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thread, NULL, processor_run, p) != 0) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	return p;
}

void
processor_poke(struct processor *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->due = 1;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void
processor_free(struct processor *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
