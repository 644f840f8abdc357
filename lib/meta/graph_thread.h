/*
 * graph_thread: Conversation Routing calls of the Messenger Platform
 * (Messenger and Instagram; META_PLATFORM.md "Handover: Conversation
 * Routing"), as queued outbox actions:
 *   {"action": "pass_thread_control", "target_app_id", "metadata"?}
 *       POST /<page-id>/pass_thread_control (Instagram: /me/...)
 *   {"action": "take_thread_control", "metadata"?}
 *       POST /<page-id>/take_thread_control (Instagram: /me/...)
 * each with recipient{id}.  Meta answers {"success": true}; a refusal
 * is an error object like any other call's.
 */
#ifndef HG_GRAPH_THREAD_H
#define HG_GRAPH_THREAD_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Meta's inbox apps (Meta Business Suite): where a thread is passed
 * for people answering there, Messenger's Page Inbox and Instagram's
 * Inbox (META_PLATFORM.md, "Handover: Conversation Routing"). */
#define GRAPH_PAGE_INBOX_APP_ID		"263902037430900"
#define GRAPH_IG_INBOX_APP_ID		"1217981644879628"
/* Longest metadata Meta takes with a thread-control call (characters
 * of UTF-8; hubgate keeps to bytes). */
#define GRAPH_THREAD_METADATA_MAX	1000

/* 1 when action is one of the thread-control calls. */
int	 graph_thread_action(const char *action);

/* The request body (the caller's) of thread-control call b (an outbox
 * action's JSON) to recipient, with its path written into path (ig:
 * Instagram's /me/...; else /<page_id>/...); NULL with why. */
cJSON	*graph_thread_body(const cJSON *b, const char *page_id,
	    const char *recipient, int ig, char *path, size_t pathsz,
	    char *why, size_t whysz);

#endif
