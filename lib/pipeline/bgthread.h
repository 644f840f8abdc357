/*
 * bgthread: a thread of a long-lived process that runs one background
 * worker (the outbound queue's, the media fetcher's) with its own
 * database connection and Graph client: when poked, when the worker
 * says something is due, and every poll_ms, until it is stopped.  A
 * database error closes the connection and the worker, made again on
 * the next round.
 *
 * Lock rules: the thread's mutex is a leaf; bg_thread_poke may be
 * called with any lock held.
 */
#ifndef HG_BGTHREAD_H
#define HG_BGTHREAD_H

struct conf;
struct db;
struct graph;
struct bg_thread;

/* What a thread runs (a static description). */
struct bg_job {
	const char	*name;		/* for log events: NAME.db, NAME.run */
	long long	 poll_ms;	/* the longest sleep */
	/* A worker over d and g (borrowed); NULL when out of memory. */
	void		*(*worker_new)(const struct conf *, struct db *,
			    struct graph *);
	void		 (*worker_free)(void *);
	/* Work for at most budget_ms; *next_ms when something is due
	 * next (0: nothing).  0, or -1 on a database error. */
	int		 (*run)(void *worker, struct db *, struct graph *,
			    long long budget_ms, long long *next_ms);
};

/* Start a thread running job (kept: static) with c's settings; NULL
 * when it cannot start (logged). */
struct bg_thread *bg_thread_new(const struct conf *c, const struct bg_job *job);
/* Wake it: work may be due.  t may be NULL. */
void	 bg_thread_poke(struct bg_thread *t);
/* Stop it after its current round, and free.  NULL is accepted. */
void	 bg_thread_free(struct bg_thread *t);

#endif
