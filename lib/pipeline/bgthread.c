/*
 * bgthread: one background worker in its own thread.  See bgthread.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bgthread.h"
#include "clock.h"
#include "db.h"
#include "graph.h"
#include "limits.h"
#include "log.h"

struct bg_thread {
	const struct conf	*conf;
	const struct bg_job	*job;
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 due, stop;
};

/* Log event NAME.what with msg. */
static void
bg_log(const struct bg_thread *t, const char *what, const char *msg)
{
	char ev[64];

	snprintf(ev, sizeof(ev), "%s.%s", t->job->name, what);
	log_msg(LOG_LEVEL_ERROR, ev, msg);
}

/* Wait until poked, stopped or wait_ms passed; 1 when stopped. */
static int
bg_wait(struct bg_thread *t, long long wait_ms)
{
	struct timespec	until;
	int		stop;

	pthread_mutex_lock(&t->mu);
	if (!t->due && !t->stop && wait_ms > 0) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait_ms / 1000;
		until.tv_nsec += (wait_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&t->cv, &t->mu, &until);
	}
	t->due = 0;
	stop = t->stop;
	pthread_mutex_unlock(&t->mu);
	return stop;
}

static void *
bg_main(void *arg)
{
	struct bg_thread	*t = arg;
	const struct bg_job	*j = t->job;
	void			*w = NULL;
	struct db		*d = NULL;
	struct graph		*g = NULL;
	long long		 next = 0, wait, now;
	char			 err[HG_ERR_MAX];

	for (;;) {
		now = clock_ms();
		wait = j->poll_ms;
		if (next > 0 && next - now < wait)
			wait = next - now > 0 ? next - now : 0;
		if (bg_wait(t, wait))
			break;
		if (d == NULL && (d = db_open(t->conf, 0, err,
		    sizeof(err))) == NULL) {
			bg_log(t, "db", err);
			continue;
		}
		if (g == NULL && (g = graph_new(t->conf, err,
		    sizeof(err))) == NULL) {
			bg_log(t, "graph", err);
			next = clock_ms() + 60000;
			continue;
		}
		if (w == NULL && (w = j->worker_new(t->conf, d, g)) == NULL)
			continue;
		if (j->run(w, d, g, j->poll_ms, &next) == -1) {
			bg_log(t, "run", db_errmsg(d));
			j->worker_free(w);
			w = NULL;
			db_close(d);
			d = NULL;
			next = 0;
		}
	}
	j->worker_free(w);
	graph_free(g);
	db_close(d);
	return NULL;
}

struct bg_thread *
bg_thread_new(const struct conf *c, const struct bg_job *job)
{
	struct bg_thread *t;

	if (c == NULL || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->conf = c;
	t->job = job;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	if (pthread_create(&t->thread, NULL, bg_main, t) != 0) {
		bg_log(t, "thread", "cannot start");
		pthread_mutex_destroy(&t->mu);
		pthread_cond_destroy(&t->cv);
		free(t);
		return NULL;
	}
	return t;
}

void
bg_thread_poke(struct bg_thread *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	t->due = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

void
bg_thread_free(struct bg_thread *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	t->stop = 1;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	free(t);
}
