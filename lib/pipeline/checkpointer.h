/*
 * checkpointer: a thread that keeps the WAL short for a process whose
 * connections never checkpoint on commit (DB_FLUSH_APART), so that
 * no commit waits milliseconds for a checkpoint.
 *
 * Once a commit of the process leaves the WAL with HG_CHECKPOINT_FRAMES
 * or more (checkpointer_poke), the thread copies the WAL into the
 * database on its own connection while the commits go on, then copies
 * what they added meanwhile holding the process's write mutex, so that
 * the checkpoint is complete and the next commit starts the WAL over.
 * When a reader elsewhere still uses the WAL, or the database fails, it
 * tries again 100 ms later, not at once.
 *
 * Lock rules: the checkpointer's own mutex is a leaf: the thread never
 * holds it while it takes write_mu, and checkpointer_poke may be called
 * with any other lock held (write_mu included) or none.  write_mu is
 * held only around the second copy, never across a wait.
 */
#ifndef HG_CHECKPOINTER_H
#define HG_CHECKPOINTER_H

#include <pthread.h>

struct checkpointer;
struct conf;

/* Start the thread.  c and write_mu are borrowed and must outlive the
 * checkpointer; write_mu is the mutex every writing transaction of the
 * process holds.  NULL when it cannot be allocated or started.  Its
 * database connection is opened when first needed. */
struct checkpointer	*checkpointer_new(const struct conf *c,
			    pthread_mutex_t *write_mu);
/* Say that a commit left the WAL with frames frames (db_journal_size):
 * wakes the thread when that is HG_CHECKPOINT_FRAMES or more.  Takes
 * no lock below that.  ck may be NULL (nothing happens). */
void			 checkpointer_poke(struct checkpointer *ck,
			    long long frames);
/* Stop the thread (after its current checkpoint) and free; NULL is
 * accepted. */
void			 checkpointer_free(struct checkpointer *ck);

#endif
