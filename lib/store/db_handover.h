/*
 * db_handover: Conversation Routing with Meta's inbox, as stored
 * (db_handover.c).  The calls themselves are outbox actions
 * (pass_thread_control, take_thread_control); schema.sql's trigger
 * outbox_thread_control moves conversation.thread_owner on their
 * outcome or keeps why Meta refused.
 */
#ifndef HG_DB_HANDOVER_H
#define HG_DB_HANDOVER_H

#include <stddef.h>

#include "db.h"

/* Whether conversation conv needs take_thread_control (Meta's inbox
 * app owns its thread, or hubgate's pass is still on its way, and no
 * take is on its way already): 1 yes, 0 no (or no such
 * conversation), -1. */
int	 db_handover_take_due(struct db *, long long conv);

/* Conversation conv's routing state: why Meta refused the last pass
 * or take (err, "" when it did not) and when (*err_ms), and the call on
 * its way (pending: "pass_thread_control", "take_thread_control" or
 * "").  1, 0 no such conversation, -1. */
int	 db_handover_state(struct db *, long long conv, char *err,
	    size_t errsz, long long *err_ms, char *pending, size_t pendsz);

#endif
