/*
 * json: small helpers for reading cJSON trees defensively, an arena for
 * webhook bodies' trees, and a strict validator.  (Answers in JSON are
 * the HTTP server's: http_json.)
 */
#ifndef HG_JSON_H
#define HG_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "limits.h"


/* A whole number member below 1e15, given as a number or a decimal
 * string (Meta sends both); -1 when absent or anything else. */
long long json_uint(const cJSON *obj, const char *name);
/* A Meta id (a Page, account, user or message id): a non-empty string
 * of at most HG_META_ID_MAX bytes, or a whole number up to 2^53 (Meta
 * sends both; a number beyond that is not exact), copied into out;
 * out, or NULL when v is neither. */
const char *json_id(const cJSON *v, char out[HG_META_ID_MAX + 1]);
/* The string member name of obj, or NULL when absent or not a string. */
const char *json_str(const cJSON *obj, const char *name);
/* Add v to obj as member name, a whole number written as its digits
 * (cJSON prints every number through "%1.15g" and reads it back, a
 * cost that shows in answers of thousands of numbers).  The member is
 * NULL on allocation failure, as cJSON's own adders. */
void	 json_add_int(cJSON *obj, const char *name, long long v);
/* A whole number as a cJSON item written as its digits, or NULL. */
cJSON	*json_int(long long v);
/* Add v to obj as member name: a number, or null when v is 0 (no
 * time, no id). */
void	 json_add_num_or_null(cJSON *obj, const char *name, long long v);
/* Add s to obj as member name: a string, or null when s is NULL. */
void	 json_add_str_or_null(cJSON *obj, const char *name, const char *s);

/*
 * A tree parsed into an arena: its nodes and strings are carved from a
 * few large blocks instead of one malloc each, and it is freed in one
 * go by json_arena_free, never by cJSON_Delete.  Made for a webhook
 * body's tree: parsed by a request thread, processed by the committer,
 * freed in one go with its request.
 */
struct json_blk;
struct json_arena {
	struct json_blk	*head;
};

/* Install the allocator the arenas need as cJSON's (it is malloc and
 * free for every other tree).  Call before any thread uses cJSON;
 * json_parse_arena calls it too. */
void	 json_init(void);
/* cJSON_ParseWithLengthOpts(s, n, end, 1) into the arena a (zeroed, or
 * holding other trees: they are freed together); NULL as cJSON's. */
cJSON	*json_parse_arena(struct json_arena *a, const char *s, size_t n,
	    const char **end);
/* Free every tree parsed into the arena; it may be used again. */
void	 json_arena_free(struct json_arena *);

/* 1 when the n bytes at s are exactly one JSON text (RFC 8259: no
 * control bytes in strings, no leading zeros, only JSON white space,
 * nothing after it) nested at most max_depth deep (capped at
 * HG_JSON_DEPTH_MAX), else 0.  Iterative: deep input cannot exhaust
 * the stack.  UTF-8 is not checked here. */
int	 json_valid(const char *s, size_t n, size_t max_depth);

/* The n bytes of JSON at s with every integer literal of at least
 * HG_JSON_BIG_INT_DIGITS digits turned into a string of its digits
 * (ids above 2^53 keep every digit: cJSON reads numbers as doubles), in
 * a NUL-terminated copy of *outn bytes to free(); NULL when there is
 * none (or memory is short: then the number stays a number, and
 * json_id refuses it rather than read another id). */
char	*json_quote_big_ints(const char *s, size_t n, size_t *outn);

#endif
