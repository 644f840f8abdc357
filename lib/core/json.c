/*
 * json: reading cJSON trees, their arena, and the validator.  See json.h.
 */
#include <pthread.h>
#include <stdalign.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "limits.h"
#include "num.h"

/* An arena block: what a webhook body's tree needs fits in one. */
#define JSON_BLK_SIZE	(16 * 1024)

struct json_blk {
	struct json_blk	*next;
	size_t		 used;
	size_t		 cap;
	alignas(max_align_t) unsigned char data[];
};

/* The arena json_parse_arena is parsing into on this thread, if any. */
static __thread struct json_arena *json_cur;
static pthread_once_t json_once = PTHREAD_ONCE_INIT;

static void *
json_alloc(size_t n)
{
	struct json_arena	*a = json_cur;
	struct json_blk		*b;
	size_t			 cap;
	void			*p;

	if (a == NULL)
		return malloc(n);
	n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	if ((b = a->head) == NULL || b->cap - b->used < n) {
		cap = n > JSON_BLK_SIZE - sizeof(*b) ? n :
		    JSON_BLK_SIZE - sizeof(*b);
		if ((b = malloc(sizeof(*b) + cap)) == NULL)
			return NULL;
		b->used = 0;
		b->cap = cap;
		/* Keep the block with room in front. */
		if (a->head != NULL && n > JSON_BLK_SIZE / 2) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = b->data + b->used;
	b->used += n;
	return p;
}

/* What cJSON frees while parsing into an arena (a tree it gives up on)
 * goes with the arena. */
static void
json_dealloc(void *p)
{
	if (json_cur == NULL)
		free(p);
}

static void
json_hooks(void)
{
	cJSON_Hooks h = { json_alloc, json_dealloc };

	cJSON_InitHooks(&h);
}

void
json_init(void)
{
	pthread_once(&json_once, json_hooks);
}

cJSON *
json_parse_arena(struct json_arena *a, const char *s, size_t n,
    const char **end)
{
	cJSON *root;

	json_init();
	json_cur = a;
	root = cJSON_ParseWithLengthOpts(s, n, end, 1);
	json_cur = NULL;
	return root;
}

void
json_arena_free(struct json_arena *a)
{
	struct json_blk *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
}

const char *
json_id(const cJSON *v, char out[HG_META_ID_MAX + 1])
{
	size_t n;

	if (cJSON_IsString(v)) {
		n = strlen(v->valuestring);
		if (n == 0 || n > HG_META_ID_MAX)
			return NULL;
		memcpy(out, v->valuestring, n + 1);
		return out;
	}
	/* A number is exact only up to 2^53: a longer id must come as a
	 * string, or it would be another id. */
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
	    v->valuedouble <= 9007199254740992.0 &&
	    v->valuedouble == (double)(long long)v->valuedouble) {
		snprintf(out, HG_META_ID_MAX + 1, "%.0f", v->valuedouble);
		return out;
	}
	return NULL;
}

long long
json_uint(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);
	long long	 n;

	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e15)
		return (long long)v->valuedouble;
	if (cJSON_IsString(v) && num_parse_str(v->valuestring, 0,
	    1000000000000000LL, &n) == 0)
		return n;
	return -1;
}

cJSON *
json_int(long long v)
{
	char digits[24];

	snprintf(digits, sizeof(digits), "%lld", v);
	return cJSON_CreateRaw(digits);
}

void
json_add_int(cJSON *obj, const char *name, long long v)
{
	cJSON *n = json_int(v);

	if (n != NULL && !cJSON_AddItemToObject(obj, name, n))
		cJSON_Delete(n);
}

void
json_add_num_or_null(cJSON *obj, const char *name, long long v)
{
	if (v != 0)
		json_add_int(obj, name, v);
	else
		cJSON_AddNullToObject(obj, name);
}

void
json_add_str_or_null(cJSON *obj, const char *name, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(obj, name, s);
	else
		cJSON_AddNullToObject(obj, name);
}

const char *
json_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Skip JSON white space (space, tab, LF, CR only). */
static size_t
json_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	    s[i] == '\r'))
		i++;
	return i;
}

/* Check a string starting at the quote s[i]; index past it, or 0. */
static size_t
json_string_end(const char *s, size_t n, size_t i)
{
	size_t k;

	for (i++; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"')
			return i + 1;
		if (c < 0x20)
			return 0;
		if (c != '\\')
			continue;
		if (++i >= n)
			return 0;
		switch (s[i]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			break;
		case 'u':
			for (k = 1; k <= 4; k++)
				if (i + k >= n || !((s[i + k] >= '0' &&
				    s[i + k] <= '9') || (s[i + k] >= 'a' &&
				    s[i + k] <= 'f') || (s[i + k] >= 'A' &&
				    s[i + k] <= 'F')))
					return 0;
			i += 4;
			break;
		default:
			return 0;
		}
	}
	return 0;
}

/* Check a number at s[i]; index past it, or 0. */
static size_t
json_number_end(const char *s, size_t n, size_t i)
{
	size_t d;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i;
}

/* 1 when the innermost open container (depth > 0) is an object. */
static int
json_in_object(const unsigned char *stack, size_t depth)
{
	return (stack[(depth - 1) / 8] >> ((depth - 1) % 8)) & 1;
}

/* Check `"key" :` at s[i]; index past the colon, or 0. */
static size_t
json_key_end(const char *s, size_t n, size_t i)
{
	size_t e;

	if (i >= n || s[i] != '"' || (e = json_string_end(s, n, i)) == 0)
		return 0;
	i = json_ws(s, n, e);
	return i < n && s[i] == ':' ? i + 1 : 0;
}

int
json_valid(const char *s, size_t n, size_t max_depth)
{
	/* The open containers as a bit stack: 1 object, 0 array. */
	unsigned char	 stack[(HG_JSON_DEPTH_MAX + 7) / 8];
	size_t		 i = 0, depth = 0, e;
	int		 want_value = 1;	/* else: ',' or a closer */

	if (max_depth > HG_JSON_DEPTH_MAX)
		max_depth = HG_JSON_DEPTH_MAX;
	for (;;) {
		i = json_ws(s, n, i);
		if (!want_value) {
			if (depth == 0)
				return i == n;
			if (i >= n)
				return 0;
			if (s[i] == (json_in_object(stack, depth) ? '}' : ']')) {
				depth--;
				i++;
				continue;
			}
			if (s[i] != ',')
				return 0;
			i = json_ws(s, n, i + 1);
			if (json_in_object(stack, depth) &&
			    (i = json_key_end(s, n, i)) == 0)
				return 0;
			want_value = 1;
			continue;
		}
		if (i >= n)
			return 0;
		if (s[i] == '{' || s[i] == '[') {
			int obj = s[i] == '{';

			if (depth >= max_depth)
				return 0;
			if (obj)
				stack[depth / 8] |= (unsigned char)(1u << (depth % 8));
			else
				stack[depth / 8] &= (unsigned char)~(1u << (depth % 8));
			depth++;
			i = json_ws(s, n, i + 1);
			if (i < n && s[i] == (obj ? '}' : ']')) {
				want_value = 0;		/* empty: the closer ends it */
				continue;
			}
			if (obj && (i = json_key_end(s, n, i)) == 0)
				return 0;
			continue;
		}
		if (s[i] == '"')
			e = json_string_end(s, n, i);
		else if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9'))
			e = json_number_end(s, n, i);
		else if (n - i >= 4 && memcmp(s + i, "true", 4) == 0)
			e = i + 4;
		else if (n - i >= 5 && memcmp(s + i, "false", 5) == 0)
			e = i + 5;
		else if (n - i >= 4 && memcmp(s + i, "null", 4) == 0)
			e = i + 4;
		else
			return 0;
		if (e == 0)
			return 0;
		i = e;
		want_value = 0;
	}
}

/* The length of the number token at s[i..n) (0: none), and whether it
 * is an integer literal of at least HG_JSON_BIG_INT_DIGITS digits. */
static size_t
json_number_at(const char *s, size_t i, size_t n, int *big)
{
	size_t	 j = i, digits = 0;
	int	 integer = 1;

	if (j < n && s[j] == '-')
		j++;
	while (j < n && s[j] >= '0' && s[j] <= '9') {
		j++;
		digits++;
	}
	while (j < n && (s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
	    s[j] == '+' || s[j] == '-' || (s[j] >= '0' && s[j] <= '9'))) {
		integer = 0;
		j++;
	}
	*big = integer && digits >= HG_JSON_BIG_INT_DIGITS;
	return digits > 0 ? j - i : 0;
}

/* Copy the n bytes at s to out (NULL: only count) with big integers
 * quoted; the length of the copy. */
static size_t
json_big_copy(const char *s, size_t n, char *out)
{
	size_t	 i, len, o = 0;
	int	 in_str = 0, big;

	for (i = 0; i < n; i++) {
		if (in_str) {
			if (s[i] == '\\' && i + 1 < n) {
				if (out != NULL)
					out[o] = s[i];
				o++;
				i++;
			} else if (s[i] == '"')
				in_str = 0;
		} else if (s[i] == '"')
			in_str = 1;
		else if ((s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) &&
		    (len = json_number_at(s, i, n, &big)) > 0) {
			if (out != NULL) {
				if (big)
					out[o] = '"';
				memcpy(out + o + (big ? 1 : 0), s + i, len);
				if (big)
					out[o + len + 1] = '"';
			}
			o += len + (big ? 2 : 0);
			i += len - 1;
			continue;
		}
		if (out != NULL)
			out[o] = s[i];
		o++;
	}
	return o;
}

char *
json_quote_big_ints(const char *s, size_t n, size_t *outn)
{
	size_t	 len;
	char	*out;

	*outn = 0;
	if ((len = json_big_copy(s, n, NULL)) == n ||
	    (out = malloc(len + 1)) == NULL)
		return NULL;
	json_big_copy(s, n, out);
	out[len] = '\0';
	*outn = len;
	return out;
}
