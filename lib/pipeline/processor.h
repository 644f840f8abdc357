/*
 * processor: a thread that turns pending events into inbox rows soon
 * after a commit left them pending (too big to process inside it, or
 * failed there), rather than at the next webhook-retry cron run.
 *
 * Each poke (processor_poke) starts a spell of at most inline_budget_ms
 * of the queue (queue_run, a few events per short transaction).  The
 * writers it serves come first: before each transaction it asks busy()
 * and stops the spell when they have work waiting; the next poke starts
 * another.  What a busy spell leaves, the cron takes.
 *
 * Lock rules: the processor's own mutex is a leaf: nothing is taken
 * while the thread holds it, and processor_poke may be called with any
 * other lock held, or none.  The thread calls busy() and
 * checkpointer_poke holding none of its locks, and holds write_mu (the
 * process's writer mutex) around each queue transaction only.  So
 * busy() may take the caller's own locks, as long as the caller never
 * waits for the processor while holding them.
 */
#ifndef HG_PROCESSOR_H
#define HG_PROCESSOR_H

#include <pthread.h>

struct checkpointer;
struct conf;
struct processor;

/* Start the thread.  c, write_mu and ck are borrowed and must outlive
 * the processor.  ck may be NULL: the processor's commits then
 * checkpoint the WAL themselves; else they leave it to ck.  busy(arg)
 * returns nonzero while the caller has writes waiting.  NULL when it
 * cannot be allocated or started, or when inline_budget_ms is not
 * positive. */
struct processor	*processor_new(const struct conf *c,
			    pthread_mutex_t *write_mu, struct checkpointer *ck,
			    int (*busy)(void *), void *arg);
/* Ask for a spell of processing (again).  p may be NULL. */
void			 processor_poke(struct processor *p);
/* Stop the thread (after its current spell) and free; NULL is
 * accepted. */
void			 processor_free(struct processor *p);

#endif
