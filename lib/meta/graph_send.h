/*
 * graph_send: messages out through lib/graph: Messenger (text, quick
 * replies, button and generic templates, attachments by URL,
 * sender_action), Instagram, and WhatsApp (text, template, mark as
 * read).  Meta's limits (lib/core/limits.h, HG_MSG_*, HG_IG_*, HG_WA_*) are
 * checked here first: a message over a limit fails at once with a
 * local GRAPH_PERMANENT / GRAPH_REASON_LIMIT result saying which limit,
 * instead of a round trip.  Lengths in characters count Unicode code
 * points; text must be valid UTF-8.
 */
#ifndef HG_GRAPH_SEND_H
#define HG_GRAPH_SEND_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "graph.h"
#include "limits.h"

enum graph_msg_kind {
	GRAPH_MSG_TEXT,		/* text, optional quick replies */
	GRAPH_MSG_BUTTONS,	/* button template: text + 1..3 buttons */
	GRAPH_MSG_GENERIC,	/* generic template: 1..10 elements */
	GRAPH_MSG_ATTACHMENT,	/* image, audio, video or file by URL */
	GRAPH_MSG_KIND__MAX
};

/* A button: type "web_url" (value is the URL) or "postback" (value is
 * the payload). */
struct graph_button {
	const char	*type;
	const char	*title;
	const char	*value;
};

/* A quick reply: content_type NULL or "text" (title and payload
 * required), "user_phone_number" or "user_email". */
struct graph_quick_reply {
	const char	*content_type;
	const char	*title;
	const char	*payload;
	const char	*image_url;	/* may be NULL */
};

struct graph_element {
	const char			*title;
	const char			*subtitle;	/* may be NULL */
	const char			*image_url;	/* may be NULL */
	const struct graph_button	*buttons;
	size_t				 nbuttons;
};

/* A message; everything is borrowed.  Unused members are NULL / 0. */
struct graph_message {
	enum graph_msg_kind		 kind;
	const char			*text;
	const struct graph_quick_reply	*quick_replies;
	size_t				 nquick_replies;
	const struct graph_button	*buttons;
	size_t				 nbuttons;
	const struct graph_element	*elements;
	size_t				 nelements;
	const char			*attachment_type;
	const char			*attachment_url;
	const char			*messaging_type; /* NULL: RESPONSE */
	const char			*tag;		/* MESSAGE_TAG only */
	const char			*metadata;
};

/* A piece of a split text: bytes [off, off + len). */
struct graph_piece {
	size_t	off;
	size_t	len;
};

/* Split text into pieces of at most max_chars code points, breaking
 * after the last whitespace that fits (a word longer than max_chars is
 * cut at a code point); the whitespace at a break is dropped.  Returns
 * the number of pieces (0 for empty or all-blank text), or -1 when the
 * text is not UTF-8 or needs more than maxout pieces. */
int	 graph_send_split(const char *text, size_t max_chars,
	    struct graph_piece *out, size_t maxout);
/* Check m against Messenger's limits (ig: Instagram's); 0 or -1 with a
 * sentence in why. */
int	 graph_send_check(const struct graph_message *, int ig, char *why,
	    size_t whysz);
/* Meta's request body for m to recipient (checked first); NULL with
 * why on a limit or out of memory.  The caller frees it. */
cJSON	*graph_send_body(const char *recipient, const struct graph_message *,
	    int ig, char *why, size_t whysz);

/* Send m to psid from page_id with the Page token.  On success res->id
 * is Meta's message id.  0 or -1 as graph_call. */
int	 graph_send_messenger(struct graph *, const char *page_id,
	    const char *page_token, const char *psid,
	    const struct graph_message *, struct graph_result *res);
/* As graph_send_messenger for a GRAPH_MSG_TEXT whose text may be
 * longer than HG_MSG_TEXT_MAX: it is sent as up to HG_MSG_SPLIT_MAX
 * messages split at word boundaries (quick replies go with the last).
 * Stops at the first failure; *sent counts the messages Meta took. */
int	 graph_send_messenger_split(struct graph *, const char *page_id,
	    const char *page_token, const char *psid,
	    const struct graph_message *, size_t *sent,
	    struct graph_result *res);
/* sender_action "typing_on", "typing_off" or "mark_seen". */
int	 graph_send_action(struct graph *, const char *page_id,
	    const char *page_token, const char *psid, const char *action,
	    struct graph_result *res);
/* Send m to an Instagram user (IGSID) through the Page's token
 * (POST /me/messages); text is limited to HG_IG_TEXT_MAX_BYTES. */
int	 graph_send_instagram(struct graph *, const char *page_token,
	    const char *igsid, const struct graph_message *,
	    struct graph_result *res);

/* WhatsApp text to a number from phone_number_id; res->id is the
 * wamid. */
int	 graph_send_whatsapp_text(struct graph *, const char *phone_number_id,
	    const char *token, const char *to, const char *text,
	    int preview_url, struct graph_result *res);
/* WhatsApp approved template name in language lang (e.g. "en_US");
 * components (borrowed, may be NULL) as Meta documents them. */
int	 graph_send_whatsapp_template(struct graph *,
	    const char *phone_number_id, const char *token, const char *to,
	    const char *name, const char *lang, const cJSON *components,
	    struct graph_result *res);
/* As graph_send_whatsapp_text and _template, with opaque (may be
 * NULL; at most HG_WA_OPAQUE_MAX characters) as
 * biz_opaque_callback_data, which Meta returns in the message's status
 * webhooks. */
int	 graph_send_whatsapp_text_cb(struct graph *,
	    const char *phone_number_id, const char *token, const char *to,
	    const char *text, int preview_url, const char *opaque,
	    struct graph_result *res);
int	 graph_send_whatsapp_template_cb(struct graph *,
	    const char *phone_number_id, const char *token, const char *to,
	    const char *name, const char *lang, const cJSON *components,
	    const char *opaque, struct graph_result *res);
/* Quick replies of a JSON array (strings, or objects {content_type,
 * title, payload}; a string is its own payload) into q, which has room
 * for HG_MSG_QR_MAX; strings are borrowed from the tree.  The count, or
 * -1 with why. */
int	 graph_send_quick_replies(const cJSON *arr, struct graph_quick_reply *q,
	    char *why, size_t whysz);

/* Room for a template's buttons and elements (graph_send_template). */
struct graph_template_room {
	struct graph_button	 buttons[HG_MSG_BUTTONS_MAX *
				    (HG_MSG_ELEMENTS_MAX + 1)];
	struct graph_element	 elements[HG_MSG_ELEMENTS_MAX];
};
/* m (GRAPH_MSG_BUTTONS or GRAPH_MSG_GENERIC) of a Messenger/Instagram
 * template payload p as Meta takes it ({"template_type": "button",
 * "text", "buttons": [{"type": "postback"|"web_url", "title",
 * "payload"|"url"}]} or {"template_type": "generic", "elements":
 * [{"title", "subtitle"?, "image_url"?, "buttons"?}]}); strings are
 * borrowed from p, arrays kept in room.  Only the shape and the counts
 * are checked here (graph_send_check checks the rest).  0 or -1 with
 * why. */
int	 graph_send_template(const cJSON *p, struct graph_template_room *room,
	    struct graph_message *m, char *why, size_t whysz);

/*
 * A queued send (an outbox row) as one request to Meta, for every kind
 * the outbox holds:
 *   text        {"text", "quick_replies"?}
 *   template    {"name", "language", "components"?}   WhatsApp; on
 *               Messenger/Instagram a button or generic template
 *               (graph_send_template's payload, "quick_replies"?) as
 *               message.attachment{type: template, payload}
 *   attachment  {"type": image|video|audio|file, "url", "caption"?}
 *               Messenger/Instagram message.attachment{type,
 *               payload{url, is_reusable}}; WhatsApp type image, video,
 *               audio or document with {link, caption}
 *   reaction    {"mid", "emoji"} ("" removes it): Messenger/Instagram
 *               sender_action react/unreact with payload{message_id,
 *               reaction} (Instagram's only reaction: "love");
 *               WhatsApp type reaction{message_id, emoji}
 *   action      {"action": mark_seen|typing_on|typing_off} Messenger/
 *               Instagram sender_action; {"action": "read", "mid"}
 *               WhatsApp's status read
 * Messages carry ref in message.metadata (Messenger/Instagram) or
 * biz_opaque_callback_data (WhatsApp); a tag (HUMAN_AGENT) goes with
 * messaging_type MESSAGE_TAG.
 */
struct graph_send_job {
	const char	*platform;	/* the channel's kind: page,
					 * instagram, whatsapp */
	const char	*sender_id;	/* Page id or phone number id */
	const char	*recipient;	/* PSID, IGSID or WhatsApp number */
	const char	*kind;		/* text, template, attachment,
					 * reaction, action */
	const char	*body;		/* the row's JSON */
	const char	*tag;		/* NULL, "" or HUMAN_AGENT */
	const char	*ref;		/* the outbox reference, or NULL */
	int		 ig_login;	/* an Instagram Login account: sent
					 * on graph.instagram.com (a client of
					 * graph_new_instagram), whose paths
					 * carry the version */
};
/* The request for job into q (method, path written into path, auth,
 * body; q->token is the caller's to set): the body, which the caller
 * frees after the call, or NULL with why (a limit, a kind the platform
 * does not take, a body that does not parse). */
cJSON	*graph_send_build(const struct graph_send_job *, struct graph_req *q,
	    char *path, size_t pathsz, char *why, size_t whysz);
/* After q's call: Meta's message id in res->id (message_id, or
 * WhatsApp's messages[0].id), when the answer has one. */
void	 graph_send_answer(const struct graph_send_job *,
	    struct graph_result *res);
/* Build, call with token and read the answer: 0 or -1 as graph_call
 * (a job that cannot be built is a local GRAPH_PERMANENT result). */
int	 graph_send_job(struct graph *, const struct graph_send_job *,
	    const char *token, struct graph_result *res);

/* Mark an incoming WhatsApp message (wamid) as read. */
int	 graph_send_whatsapp_read(struct graph *, const char *phone_number_id,
	    const char *token, const char *wamid, struct graph_result *res);

#endif
