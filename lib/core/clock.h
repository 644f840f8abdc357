/*
 * clock: the one wall clock of hubgate, in milliseconds, and the
 * deadlines of timed waits (pthread_cond_timedwait measures
 * CLOCK_REALTIME).
 */
#ifndef HG_CLOCK_H
#define HG_CLOCK_H

struct timespec;

/* Now, in unix milliseconds. */
long long	 clock_ms(void);
/* The CLOCK_REALTIME time ms milliseconds from now, into ts. */
void		 clock_deadline(struct timespec *ts, long long ms);

#endif
