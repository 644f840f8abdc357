/*
 * clock: hubgate's clocks, in milliseconds: the wall clock for times,
 * a monotonic one for durations, and the deadlines of timed waits
 * (pthread_cond_timedwait measures CLOCK_REALTIME).
 */
#ifndef HG_CLOCK_H
#define HG_CLOCK_H

struct timespec;

/* Now, in unix milliseconds: for times that are stored or shown. */
long long	 clock_ms(void);
/* Milliseconds on a clock that never steps (CLOCK_MONOTONIC): for
 * durations and budgets, which a wall clock set back would stretch. */
long long	 clock_mono_ms(void);
/* The CLOCK_REALTIME time ms milliseconds from now, into ts. */
void		 clock_deadline(struct timespec *ts, long long ms);

#endif
