/*
 * rich: buttons and generic templates in automation's replies (a
 * rule's reply, a bot's answer), on Messenger and Instagram only.
 *
 * A rich reply is one of
 *   {"text", "buttons": [button, ...], "quick_replies"?}
 *       Meta's button template: text of 1 to HG_MSG_BUTTON_TEXT_MAX
 *       characters, 1 to HG_MSG_BUTTONS_MAX buttons;
 *   {"generic": [element, ...], "quick_replies"?}
 *       Meta's generic template: 1 to HG_MSG_ELEMENTS_MAX elements
 *       {"title", "subtitle"?, "image_url"?, "buttons"?}, title and
 *       subtitle of at most HG_MSG_ELEMENT_TITLE_MAX /
 *       HG_MSG_ELEMENT_SUBTITLE_MAX characters, at most
 *       HG_MSG_BUTTONS_MAX buttons each;
 * where a button is {"title", "payload"} (a postback) or {"title",
 * "url": "https://..."} (a web link), its title of at most
 * HG_MSG_BUTTON_TITLE_MAX characters.  Texts, titles, subtitles and
 * payloads take placeholders (the caller fills them: rules_fill);
 * URLs do not.
 */
#ifndef HG_RICH_H
#define HG_RICH_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* 1 when reply (a reply's object) asks for buttons or a generic
 * template, else 0. */
int	 rich_is(const cJSON *reply);

/* 0 when reply is a well-formed rich reply, else -1 with why in
 * words, naming the field ("then.reply.buttons[1].title: ..."). */
int	 rich_validate(const cJSON *reply, char *why, size_t whysz);

/* A text with its placeholders filled: allocated, NULL when out of
 * memory. */
typedef char *(*rich_fill)(void *arg, const char *text);

/* The template of a valid rich reply as Meta's message.attachment
 * payload ({"template_type": "button", "text", "buttons": [{"type":
 * "postback"|"web_url", "title", "payload"|"url"}]} or
 * {"template_type": "generic", "elements": [...]}), its texts filled
 * by fill(arg, text) (NULL: as written).  The caller frees it; NULL
 * when out of memory. */
cJSON	*rich_build(const cJSON *reply, rich_fill fill, void *arg);

#endif
