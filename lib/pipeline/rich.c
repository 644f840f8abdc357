/*
 * rich: buttons and generic templates in automation's replies.  See
 * rich.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "limits.h"
#include "rich.h"
#include "utf8.h"

int
rich_is(const cJSON *reply)
{
	return cJSON_HasObjectItem(reply, "buttons") ||
	    cJSON_HasObjectItem(reply, "generic");
}

/* Check that member v (named what) is a string of 1 to max characters
 * of UTF-8 (optional: may be absent); 0 or -1 with why. */
static int
chars_ok(const cJSON *v, const char *what, long max, int optional,
    char *why, size_t whysz)
{
	long n;

	if (v == NULL && optional)
		return 0;
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0' ||
	    (n = utf8_chars(v->valuestring, strlen(v->valuestring))) < 0 ||
	    n > max) {
		snprintf(why, whysz, "%s: a text of 1 to %ld characters", what,
		    max);
		return -1;
	}
	return 0;
}

/* 1 when u is an https URL of at most HG_MSG_URL_MAX bytes with a
 * host and no blanks or control bytes. */
static int
url_ok(const cJSON *u)
{
	const char	*s;
	size_t		 i;

	if (!cJSON_IsString(u))
		return 0;
	s = u->valuestring;
	if (strncmp(s, "https://", 8) != 0 || strlen(s) > HG_MSG_URL_MAX ||
	    s[8] == '\0' || s[8] == '/')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	return 1;
}

/* 1 when every member of o is named in keys (NULL-terminated), else 0
 * with the first other name in *bad. */
static int
only_keys(const cJSON *o, const char *const *keys, const char **bad)
{
	const cJSON	*v;
	size_t		 i;
	int		 known;

	cJSON_ArrayForEach(v, o) {
		for (i = 0, known = 0; keys[i] != NULL; i++)
			known |= strcmp(v->string, keys[i]) == 0;
		if (!known) {
			*bad = v->string;
			return 0;
		}
	}
	return 1;
}

/* Validate the buttons bs (named at) of min to HG_MSG_BUTTONS_MAX; 0
 * or -1 with why. */
static int
buttons_ok(const cJSON *bs, const char *at, int min, char *why, size_t whysz)
{
	static const char *const keys[] = { "title", "payload", "url", NULL };
	const cJSON	*b;
	const char	*bad;
	char		 what[96];
	int		 i = 0;

	if (!cJSON_IsArray(bs) || cJSON_GetArraySize(bs) < min ||
	    cJSON_GetArraySize(bs) > HG_MSG_BUTTONS_MAX) {
		snprintf(why, whysz, "%s: a list of %d to %d buttons, each "
		    "{\"title\", \"payload\"} or {\"title\", \"url\"}", at, min,
		    HG_MSG_BUTTONS_MAX);
		return -1;
	}
	cJSON_ArrayForEach(b, bs) {
		snprintf(what, sizeof(what), "%s[%d]", at, i);
		if (!cJSON_IsObject(b) || !only_keys(b, keys, &bad)) {
			snprintf(why, whysz, "%s: {\"title\", \"payload\"} or "
			    "{\"title\", \"url\"}%s%.40s", what,
			    cJSON_IsObject(b) ? ", not " : "",
			    cJSON_IsObject(b) ? bad : "");
			return -1;
		}
		snprintf(what, sizeof(what), "%s[%d].title", at, i);
		if (chars_ok(cJSON_GetObjectItemCaseSensitive(b, "title"), what,
		    HG_MSG_BUTTON_TITLE_MAX, 0, why, whysz) == -1)
			return -1;
		if (cJSON_HasObjectItem(b, "payload") ==
		    cJSON_HasObjectItem(b, "url")) {
			snprintf(why, whysz, "%s[%d]: a payload (a postback) or a "
			    "url (a link), one of them", at, i);
			return -1;
		}
		snprintf(what, sizeof(what), "%s[%d].payload", at, i);
		if (cJSON_HasObjectItem(b, "payload") && chars_ok(
		    cJSON_GetObjectItemCaseSensitive(b, "payload"), what,
		    HG_MSG_PAYLOAD_MAX, 0, why, whysz) == -1)
			return -1;
		if (cJSON_HasObjectItem(b, "url") &&
		    !url_ok(cJSON_GetObjectItemCaseSensitive(b, "url"))) {
			snprintf(why, whysz, "%s[%d].url: an https URL of at most "
			    "%d bytes", at, i, HG_MSG_URL_MAX);
			return -1;
		}
		i++;
	}
	return 0;
}

int
rich_validate(const cJSON *reply, char *why, size_t whysz)
{
	static const char *const rkeys[] = { "text", "buttons", "generic",
	    "quick_replies", NULL };
	static const char *const ekeys[] = { "title", "subtitle", "image_url",
	    "buttons", NULL };
	const cJSON	*bs = cJSON_GetObjectItemCaseSensitive(reply, "buttons");
	const cJSON	*gen = cJSON_GetObjectItemCaseSensitive(reply, "generic");
	const cJSON	*e;
	const char	*bad;
	char		 what[96];
	int		 i = 0;

	if (!cJSON_IsObject(reply) || (bs == NULL) == (gen == NULL)) {
		snprintf(why, whysz, "then.reply: {\"text\", \"buttons\"} or "
		    "{\"generic\"}, not both");
		return -1;
	}
	if (!only_keys(reply, rkeys, &bad)) {
		snprintf(why, whysz, "then.reply: %.40s does not go with %s",
		    bad, bs != NULL ? "buttons" : "generic");
		return -1;
	}
	if (bs != NULL)
		return chars_ok(cJSON_GetObjectItemCaseSensitive(reply, "text"),
		    "then.reply.text (with buttons)", HG_MSG_BUTTON_TEXT_MAX, 0,
		    why, whysz) == -1 ? -1 : buttons_ok(bs, "then.reply.buttons",
		    1, why, whysz);
	if (cJSON_HasObjectItem(reply, "text")) {
		snprintf(why, whysz, "then.reply: a generic template has no "
		    "text: give each element a title and subtitle");
		return -1;
	}
	if (!cJSON_IsArray(gen) || cJSON_GetArraySize(gen) < 1 ||
	    cJSON_GetArraySize(gen) > HG_MSG_ELEMENTS_MAX) {
		snprintf(why, whysz, "then.reply.generic: a list of 1 to %d "
		    "elements {\"title\", \"subtitle\"?, \"image_url\"?, "
		    "\"buttons\"?}", HG_MSG_ELEMENTS_MAX);
		return -1;
	}
	cJSON_ArrayForEach(e, gen) {
		if (!cJSON_IsObject(e) || !only_keys(e, ekeys, &bad)) {
			snprintf(why, whysz, "then.reply.generic[%d]: {\"title\", "
			    "\"subtitle\"?, \"image_url\"?, \"buttons\"?}%s%.40s",
			    i, cJSON_IsObject(e) ? ", not " : "",
			    cJSON_IsObject(e) ? bad : "");
			return -1;
		}
		snprintf(what, sizeof(what), "then.reply.generic[%d].title", i);
		if (chars_ok(cJSON_GetObjectItemCaseSensitive(e, "title"), what,
		    HG_MSG_ELEMENT_TITLE_MAX, 0, why, whysz) == -1)
			return -1;
		snprintf(what, sizeof(what), "then.reply.generic[%d].subtitle",
		    i);
		if (chars_ok(cJSON_GetObjectItemCaseSensitive(e, "subtitle"),
		    what, HG_MSG_ELEMENT_SUBTITLE_MAX, 1, why, whysz) == -1)
			return -1;
		if (cJSON_HasObjectItem(e, "image_url") && !url_ok(
		    cJSON_GetObjectItemCaseSensitive(e, "image_url"))) {
			snprintf(why, whysz, "then.reply.generic[%d].image_url: an "
			    "https URL of at most %d bytes", i, HG_MSG_URL_MAX);
			return -1;
		}
		snprintf(what, sizeof(what), "then.reply.generic[%d].buttons",
		    i);
		if (cJSON_HasObjectItem(e, "buttons") && buttons_ok(
		    cJSON_GetObjectItemCaseSensitive(e, "buttons"), what, 0, why,
		    whysz) == -1)
			return -1;
		i++;
	}
	return 0;
}

/* Add key: tmpl filled to o; 0 or -1. */
static int
add_filled(cJSON *o, const char *key, const char *tmpl, rich_fill fill,
    void *arg)
{
	char	*s;
	int	 rc;

	if ((s = fill != NULL ? fill(arg, tmpl) : strdup(tmpl)) == NULL)
		return -1;
	rc = cJSON_AddStringToObject(o, key, s) != NULL ? 0 : -1;
	free(s);
	return rc;
}

/* The buttons bs in Meta's shape, filled; NULL when out of memory. */
static cJSON *
buttons_build(const cJSON *bs, rich_fill fill, void *arg)
{
	const cJSON	*b, *p, *u;
	cJSON		*arr = cJSON_CreateArray(), *o;

	cJSON_ArrayForEach(b, bs) {
		p = cJSON_GetObjectItemCaseSensitive(b, "payload");
		u = cJSON_GetObjectItemCaseSensitive(b, "url");
		if (arr == NULL || (o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o) ||
		    cJSON_AddStringToObject(o, "type", cJSON_IsString(u) ?
		    "web_url" : "postback") == NULL ||
		    add_filled(o, "title", cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(b, "title")), fill,
		    arg) == -1 || (cJSON_IsString(u) ?
		    cJSON_AddStringToObject(o, "url", u->valuestring) == NULL :
		    add_filled(o, "payload", cJSON_GetStringValue(p), fill,
		    arg) == -1)) {
			cJSON_Delete(arr);
			return NULL;
		}
	}
	return arr;
}

cJSON *
rich_build(const cJSON *reply, rich_fill fill, void *arg)
{
	const cJSON	*bs = cJSON_GetObjectItemCaseSensitive(reply, "buttons");
	const cJSON	*e, *v;
	cJSON		*o = cJSON_CreateObject(), *arr, *x, *eb;
	int		 bad = o == NULL;

	if (!bad && bs != NULL)
		bad = cJSON_AddStringToObject(o, "template_type", "button") ==
		    NULL || add_filled(o, "text", cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(reply, "text")), fill,
		    arg) == -1 || (arr = buttons_build(bs, fill, arg)) == NULL ||
		    !cJSON_AddItemToObject(o, "buttons", arr);
	else if (!bad) {
		bad = cJSON_AddStringToObject(o, "template_type", "generic") ==
		    NULL || (arr = cJSON_AddArrayToObject(o, "elements")) == NULL;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(reply,
		    "generic")) {
			if (bad)
				break;
			bad = (x = cJSON_CreateObject()) == NULL ||
			    !cJSON_AddItemToArray(arr, x) || add_filled(x, "title",
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			    e, "title")), fill, arg) == -1;
			if (!bad && cJSON_IsString(v =
			    cJSON_GetObjectItemCaseSensitive(e, "subtitle")))
				bad = add_filled(x, "subtitle", v->valuestring,
				    fill, arg) == -1;
			if (!bad && cJSON_IsString(v =
			    cJSON_GetObjectItemCaseSensitive(e, "image_url")))
				bad = cJSON_AddStringToObject(x, "image_url",
				    v->valuestring) == NULL;
			v = cJSON_GetObjectItemCaseSensitive(e, "buttons");
			if (!bad && cJSON_GetArraySize(v) > 0)
				bad = (eb = buttons_build(v, fill, arg)) ==
				    NULL || !cJSON_AddItemToObject(x, "buttons", eb);
		}
	}
	if (bad) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}
