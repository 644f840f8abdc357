/*
 * fm_send: the fake's send endpoints.  <page-id>/messages and
 * me/messages with a Page token (Messenger, or Instagram when the
 * recipient wrote to the Page's Instagram account), and
 * <phone-number-id>/messages (WhatsApp).  Bodies are validated with
 * Meta's limits and error messages; the 24-hour window is enforced
 * from the inbound messages the fake delivered; every accepted send
 * goes to the outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"

#include "fm.h"

static const cJSON *
member(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

static const char *
smember(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(member(o, name));
}

/* A string of at most max characters (bytes when bytes is set);
 * 0, or -1 with the message in msg. */
static int
check_len(const char *s, const char *param, long max, int bytes, char *msg,
    size_t msgsz)
{
	long n;

	if (s == NULL) {
		snprintf(msg, msgsz, "(#100) The parameter %s is required", param);
		return -1;
	}
	if ((n = fm_chars(s)) < 0) {
		snprintf(msg, msgsz, "(#100) Param %s must be a valid UTF-8 "
		    "string", param);
		return -1;
	}
	if (bytes)
		n = (long)strlen(s);
	if (n > max) {
		snprintf(msg, msgsz, "(#100) Length of param %s must be less "
		    "than or equal to %ld", param, max);
		return -1;
	}
	return 0;
}

static int
check_buttons(const cJSON *bs, long min, char *msg, size_t msgsz)
{
	const cJSON	*b;
	const char	*type;
	int		 n = cJSON_GetArraySize(bs), i = 0;

	if ((bs != NULL && !cJSON_IsArray(bs)) || n < min || n > 3) {
		snprintf(msg, msgsz, "(#100) Param buttons must be an array of "
		    "%ld to 3 items", min);
		return -1;
	}
	cJSON_ArrayForEach(b, bs) {
		type = smember(b, "type");
		if (check_len(smember(b, "title"), "buttons[title]", 20, 0, msg,
		    msgsz) == -1)
			return -1;
		if (type != NULL && strcmp(type, "web_url") == 0) {
			if (smember(b, "url") == NULL) {
				snprintf(msg, msgsz, "(#100) Param buttons[%d]"
				    "[url] is required", i);
				return -1;
			}
			if (strncmp(smember(b, "url"), "https://", 8) != 0 &&
			    strncmp(smember(b, "url"), "http://", 7) != 0) {
				snprintf(msg, msgsz, "(#100) Param buttons[%d]"
				    "[url] must be a valid URL", i);
				return -1;
			}
		} else if (type != NULL && strcmp(type, "postback") == 0) {
			if (check_len(smember(b, "payload"), "buttons[payload]",
			    1000, 0, msg, msgsz) == -1)
				return -1;
		} else if (type == NULL || strcmp(type, "phone_number") != 0) {
			snprintf(msg, msgsz, "(#100) Param buttons[%d][type] must "
			    "be one of {web_url, postback, phone_number}", i);
			return -1;
		}
		i++;
	}
	return 0;
}

/* Validate a Messenger/Instagram "message"; 0 or -1 with msg. */
static int
check_message(const cJSON *m, int ig, char *msg, size_t msgsz)
{
	const cJSON	*att = member(m, "attachment"), *qrs, *q, *pl, *el, *e;
	const char	*text = smember(m, "text"), *type, *tt, *ct;
	int		 n;

	if (!cJSON_IsObject(m)) {
		snprintf(msg, msgsz, "(#100) Must send either message or "
		    "sender action");
		return -1;
	}
	if ((text != NULL) == (att != NULL)) {
		snprintf(msg, msgsz, "(#100) Must send exactly one of "
		    "message[text] or message[attachment]");
		return -1;
	}
	if (text != NULL && check_len(text, "message[text]", ig ? 1000 : 2000,
	    ig, msg, msgsz) == -1)
		return -1;
	if (member(m, "metadata") != NULL && check_len(smember(m, "metadata"),
	    "message[metadata]", 1000, 0, msg, msgsz) == -1)
		return -1;
	if ((qrs = member(m, "quick_replies")) != NULL) {
		if (!cJSON_IsArray(qrs) || (n = cJSON_GetArraySize(qrs)) > 13 ||
		    n < 1) {
			snprintf(msg, msgsz, "(#100) Param message[quick_replies] "
			    "must be an array of 1 to 13 items");
			return -1;
		}
		cJSON_ArrayForEach(q, qrs) {
			ct = smember(q, "content_type");
			if (ct == NULL || (strcmp(ct, "text") != 0 &&
			    strcmp(ct, "user_phone_number") != 0 &&
			    strcmp(ct, "user_email") != 0)) {
				snprintf(msg, msgsz, "(#100) Param message["
				    "quick_replies][content_type] must be one of "
				    "{text, user_phone_number, user_email}");
				return -1;
			}
			if (strcmp(ct, "text") == 0 &&
			    (check_len(smember(q, "title"),
			    "message[quick_replies][title]", 20, 0, msg,
			    msgsz) == -1 || check_len(smember(q, "payload"),
			    "message[quick_replies][payload]", 1000, 0, msg,
			    msgsz) == -1))
				return -1;
		}
	}
	if (att == NULL)
		return 0;
	type = smember(att, "type");
	pl = member(att, "payload");
	if (type == NULL || !cJSON_IsObject(pl)) {
		snprintf(msg, msgsz, "(#100) Param message[attachment] must have "
		    "type and payload");
		return -1;
	}
	if (strcmp(type, "template") != 0) {
		if (strcmp(type, "image") != 0 && strcmp(type, "audio") != 0 &&
		    strcmp(type, "video") != 0 && strcmp(type, "file") != 0) {
			snprintf(msg, msgsz, "(#100) Param message[attachment]"
			    "[type] must be one of {image, audio, video, file, "
			    "template}");
			return -1;
		}
		if (smember(pl, "url") == NULL &&
		    member(pl, "attachment_id") == NULL) {
			snprintf(msg, msgsz, "(#100) Param message[attachment]"
			    "[payload][url] is required");
			return -1;
		}
		if (smember(pl, "url") != NULL && strncmp(smember(pl, "url"),
		    "http://", 7) != 0 && strncmp(smember(pl, "url"),
		    "https://", 8) != 0) {
			snprintf(msg, msgsz, "(#100) Param message[attachment]"
			    "[payload][url] must be a valid URL");
			return -1;
		}
		if (member(pl, "is_reusable") != NULL &&
		    !cJSON_IsBool(member(pl, "is_reusable"))) {
			snprintf(msg, msgsz, "(#100) Param message[attachment]"
			    "[payload][is_reusable] must be a boolean");
			return -1;
		}
		if (ig && strcmp(type, "file") == 0) {
			snprintf(msg, msgsz, "(#100) Param message[attachment]"
			    "[type] must be one of {image, audio, video}");
			return -1;
		}
		return 0;
	}
	tt = smember(pl, "template_type");
	if (tt != NULL && strcmp(tt, "button") == 0) {
		if (check_len(smember(pl, "text"), "payload[text]", 640, 0, msg,
		    msgsz) == -1)
			return -1;
		return check_buttons(member(pl, "buttons"), 1, msg, msgsz);
	}
	if (tt != NULL && strcmp(tt, "generic") == 0) {
		el = member(pl, "elements");
		if (!cJSON_IsArray(el) || (n = cJSON_GetArraySize(el)) < 1 ||
		    n > 10) {
			snprintf(msg, msgsz, "(#100) Param payload[elements] must "
			    "be an array of 1 to 10 items");
			return -1;
		}
		cJSON_ArrayForEach(e, el)
			if (check_len(smember(e, "title"), "elements[title]", 80,
			    0, msg, msgsz) == -1 || (member(e, "subtitle") !=
			    NULL && check_len(smember(e, "subtitle"),
			    "elements[subtitle]", 80, 0, msg, msgsz) == -1) ||
			    (member(e, "buttons") != NULL && check_buttons(
			    member(e, "buttons"), 0, msg, msgsz) == -1))
				return -1;
		cJSON_ArrayForEach(e, el)
			if (member(e, "image_url") != NULL &&
			    (smember(e, "image_url") == NULL ||
			    strncmp(smember(e, "image_url"), "http", 4) != 0)) {
				snprintf(msg, msgsz, "(#100) Param elements"
				    "[image_url] must be a valid URL");
				return -1;
			}
		return 0;
	}
	snprintf(msg, msgsz, "(#100) Param payload[template_type] must be one "
	    "of {button, generic, media, receipt}");
	return -1;
}

/* A sender_action's payload: react {message_id, reaction} (Instagram:
 * reaction love), unreact {message_id} only, the others none; 0 or -1
 * with msg. */
static int
check_reaction(const cJSON *body, const char *act, int ig, char *msg,
    size_t msgsz)
{
	const cJSON	*pl = member(body, "payload");
	int		 react = strcmp(act, "react") == 0;

	if (!react && strcmp(act, "unreact") != 0) {
		if (pl == NULL)
			return 0;
		snprintf(msg, msgsz, "(#100) Param payload is only for react "
		    "and unreact");
		return -1;
	}
	if (!cJSON_IsObject(pl) || smember(pl, "message_id") == NULL ||
	    smember(pl, "message_id")[0] == '\0') {
		snprintf(msg, msgsz, "(#100) Param payload[message_id] is "
		    "required");
		return -1;
	}
	if (!react) {
		if (member(pl, "reaction") == NULL)
			return 0;
		snprintf(msg, msgsz, "(#100) Param payload[reaction] is not "
		    "taken by unreact");
		return -1;
	}
	if (check_len(smember(pl, "reaction"), "payload[reaction]", 8, 0, msg,
	    msgsz) == -1)
		return -1;
	if (smember(pl, "reaction")[0] == '\0') {
		snprintf(msg, msgsz, "(#100) Param payload[reaction] must be an "
		    "emoji");
		return -1;
	}
	if (ig && strcmp(smember(pl, "reaction"), "love") != 0) {
		snprintf(msg, msgsz, "(#100) Param payload[reaction] must be "
		    "love");
		return -1;
	}
	return 0;
}

/* 1 inside the window of seconds after the last inbound message. */
static int
in_window(const char *account, const char *user, long long window)
{
	long long last;

	if (fm_contact_last(account, user, &last) != 1)
		return 0;
	return (long long)time(NULL) - last <= window;
}

/* A Messenger or Instagram send of Page page_id; igl: the Instagram
 * Login account it is sent as instead (no Page), or NULL. */
static void
messenger(struct req *r, const char *page_id, const char *igl, cJSON *body)
{
	const cJSON	*rcpt = member(body, "recipient"), *m = member(body,
			    "message");
	const char	*to = smember(rcpt, "id"), *act = smember(body,
			    "sender_action");
	const char	*mt = smember(body, "messaging_type");
	const char	*tag = smember(body, "tag"), *account = page_id;
	const char	*platform = "messenger";
	struct fm_page	 pg;
	long long	 last;
	char		 msg[256], mid[80], rnd[64], *raw;
	cJSON		*o;
	int		 ig = 0;

	if (to == NULL) {
		fm_error(r, 400, 100, 0, NULL, "(#100) The parameter recipient "
		    "is required");
		return;
	}
	memset(&pg, 0, sizeof(pg));
	if (igl != NULL) {
		account = igl;
		platform = "instagram";
		ig = 1;
		if (fm_contact_last(igl, to, &last) != 1) {
			fm_error(r, 400, 100, 2018001, NULL, "(#100) No matching "
			    "user found");
			return;
		}
	} else
		fm_page(fm_page_find(page_id), &pg);
	if (igl == NULL && fm_contact_last(page_id, to, &last) != 1) {
		if (pg.ig_id[0] != '\0' &&
		    fm_contact_last(pg.ig_id, to, &last) == 1) {
			ig = 1;
			account = pg.ig_id;
			platform = "instagram";
		} else {
			fm_error(r, 400, 100, 2018001, NULL, "(#100) No matching "
			    "user found");
			return;
		}
	}
	if (act != NULL) {
		if (m != NULL || (strcmp(act, "typing_on") != 0 &&
		    strcmp(act, "typing_off") != 0 &&
		    strcmp(act, "mark_seen") != 0 && strcmp(act, "react") != 0 &&
		    strcmp(act, "unreact") != 0)) {
			fm_error(r, 400, 100, 0, NULL, "(#100) Param sender_action "
			    "must be one of {MARK_SEEN, TYPING_ON, TYPING_OFF, "
			    "REACT, UNREACT} and sent without a message");
			return;
		}
		if (check_reaction(body, act, ig, msg, sizeof(msg)) == -1) {
			fm_error(r, 400, 100, 0, NULL, msg);
			return;
		}
		if (!in_window(account, to, FM_WINDOW_S)) {
			fm_error(r, 400, 10, 2018278, NULL, "(#10) This message "
			    "is sent outside of allowed window.");
			return;
		}
		mid[0] = '\0';
	} else {
		if (!ig && (mt == NULL || (strcmp(mt, "RESPONSE") != 0 &&
		    strcmp(mt, "UPDATE") != 0 && strcmp(mt, "MESSAGE_TAG") != 0))) {
			fm_error(r, 400, 100, 0, NULL, "(#100) Param "
			    "messaging_type must be one of {RESPONSE, UPDATE, "
			    "MESSAGE_TAG}");
			return;
		}
		if (mt != NULL && strcmp(mt, "MESSAGE_TAG") == 0 &&
		    (tag == NULL || (strcmp(tag, "HUMAN_AGENT") != 0 &&
		    strcmp(tag, "CONFIRMED_EVENT_UPDATE") != 0 &&
		    strcmp(tag, "POST_PURCHASE_UPDATE") != 0 &&
		    strcmp(tag, "ACCOUNT_UPDATE") != 0))) {
			fm_error(r, 400, 100, 0, NULL, "(#100) Param tag must be "
			    "one of {CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE, "
			    "ACCOUNT_UPDATE, HUMAN_AGENT}");
			return;
		}
		if (check_message(m, ig, msg, sizeof(msg)) == -1) {
			fm_error(r, 400, 100, 0, NULL, msg);
			return;
		}
		if (tag != NULL && strcmp(tag, "HUMAN_AGENT") == 0 ?
		    !in_window(account, to, FM_HUMAN_AGENT_S) :
		    tag == NULL && !in_window(account, to, FM_WINDOW_S)) {
			fm_error(r, 400, 10, 2018278, NULL, "(#10) This message "
			    "is sent outside of allowed window.");
			return;
		}
		fm_random(rnd, 43);
		snprintf(mid, sizeof(mid), "m_%s", rnd);
	}
	raw = cJSON_PrintUnformatted(body);
	if (fm_outbox_add(platform, account, to, act == NULL ? "message" :
	    strcmp(act, "react") == 0 || strcmp(act, "unreact") == 0 ?
	    "reaction" : "sender_action", mid[0] ? mid : NULL, raw,
	    NULL) == -1) {
		free(raw);
		fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
		return;
	}
	free(raw);
	if (mid[0] != '\0')
		fm_send_echo(platform, account, page_id, to, mid, body);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "recipient_id", to);
	if (mid[0] != '\0')
		cJSON_AddStringToObject(o, "message_id", mid);
	fm_json(r, o);
}

/* WhatsApp's media (image, video, audio, document: a link or an id;
 * a caption but for audio) and reactions {message_id, emoji}; 0 or -1
 * with msg. */
static int
wa_check(const char *type, const cJSON *o, char *msg, size_t msgsz)
{
	const char	*link = smember(o, "link");
	int		 media;

	media = strcmp(type, "image") == 0 || strcmp(type, "video") == 0 ||
	    strcmp(type, "audio") == 0 || strcmp(type, "document") == 0;
	if (strcmp(type, "reaction") == 0) {
		if (smember(o, "message_id") == NULL || smember(o, "emoji") ==
		    NULL) {
			snprintf(msg, msgsz, "(#100) The parameter reaction"
			    "['message_id'] and reaction['emoji'] are required.");
			return -1;
		}
		return 0;
	}
	if (!media)
		return 0;
	if ((link == NULL) == (smember(o, "id") == NULL)) {
		snprintf(msg, msgsz, "(#100) Param %s must have exactly one of "
		    "link or id", type);
		return -1;
	}
	if (link != NULL && strncmp(link, "https://", 8) != 0 &&
	    strncmp(link, "http://", 7) != 0) {
		snprintf(msg, msgsz, "(#100) Param %s['link'] must be a valid "
		    "URL", type);
		return -1;
	}
	if (member(o, "caption") != NULL && (strcmp(type, "audio") == 0 ||
	    check_len(smember(o, "caption"), "caption", 1024, 0, msg,
	    msgsz) == -1)) {
		if (strcmp(type, "audio") == 0)
			snprintf(msg, msgsz, "(#100) Param audio['caption'] is "
			    "not a valid parameter");
		return -1;
	}
	return 0;
}

/* Check a template send against the number's account's templates as
 * Meta does: unknown in that language 132001, not approved 132001
 * (Meta sends only approved ones), a body with another number of
 * parameters than its {{n}} 132000.  0, or -1 with the error sent. */
static int
template_check(struct req *r, const cJSON *tpl)
{
	const struct fm_template	*t;
	const cJSON			*c, *body = NULL;
	const char			*type;
	char				 msg[256];
	int				 given;

	t = fm_template_find(FM_WABA_ID, smember(tpl, "name"),
	    smember(member(tpl, "language"), "code"));
	if (t == NULL || strcmp(t->status, "APPROVED") != 0) {
		fm_error(r, 404, 132001, 0, NULL, "(#132001) Template name "
		    "does not exist in the translation");
		return -1;
	}
	c = cJSON_IsArray(member(tpl, "components")) ?
	    member(tpl, "components")->child : NULL;
	for (; c != NULL; c = c->next) {
		type = smember(c, "type");
		if (type != NULL && strcmp(type, "body") == 0)
			body = c;
	}
	given = cJSON_GetArraySize(member(body, "parameters"));
	if (given != t->params) {
		snprintf(msg, sizeof(msg), "(#132000) Number of parameters "
		    "does not match the expected number of params: body: "
		    "number of localizable_params (%d) does not match the "
		    "expected number of params (%d)", given, t->params);
		fm_error(r, 400, 132000, 0, NULL, msg);
		return -1;
	}
	return 0;
}

/* The time in milliseconds. */
static long long
fm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when WhatsApp sends from phone are served: the world's number or
 * one of the benchmark's. */
static int
wa_sender(const char *phone)
{
	size_t n = strlen(FM_BENCH_PHONE_PREFIX);

	return strcmp(phone, FM_PHONE_ID) == 0 ||
	    (strncmp(phone, FM_BENCH_PHONE_PREFIX, n) == 0 &&
	    strlen(phone) == n + 2 && phone[n] >= '0' && phone[n] <= '9' &&
	    phone[n + 1] >= '0' && phone[n + 1] <= '9');
}

static void
whatsapp(struct req *r, const char *phone, cJSON *body)
{
	const char	*to = smember(body, "to"), *type = smember(body, "type");
	const char	*st = smember(body, "status"), *mp;
	const cJSON	*tpl;
	char		 msg[256], wamid[96], rnd[64], *raw;
	cJSON		*o, *c;
	long		 code;

	mp = smember(body, "messaging_product");
	if (mp == NULL || strcmp(mp, "whatsapp") != 0) {
		fm_error(r, 400, 100, 0, NULL, "(#100) The parameter "
		    "messaging_product is required.");
		return;
	}
	if (st != NULL) {
		if (strcmp(st, "read") != 0 || smember(body, "message_id") ==
		    NULL) {
			fm_error(r, 400, 100, 0, NULL, "(#100) Param status must "
			    "be read, with message_id");
			return;
		}
		raw = cJSON_PrintUnformatted(body);
		fm_outbox_add("whatsapp", phone, NULL, "read",
		    smember(body, "message_id"), raw, NULL);
		free(raw);
		o = cJSON_CreateObject();
		cJSON_AddTrueToObject(o, "success");
		fm_json(r, o);
		return;
	}
	if (to == NULL) {
		fm_error(r, 400, 100, 0, NULL, "(#100) The parameter to is "
		    "required.");
		return;
	}
	if (type == NULL)
		type = "text";
	if (strcmp(type, "template") == 0) {
		tpl = member(body, "template");
		if (smember(tpl, "name") == NULL ||
		    smember(member(tpl, "language"), "code") == NULL) {
			fm_error(r, 400, 100, 0, NULL, "(#100) The parameter "
			    "template['name'] and template['language']['code'] "
			    "are required.");
			return;
		}
		if (template_check(r, tpl) == -1)
			return;
	} else {
		if (strcmp(type, "text") == 0 && check_len(smember(member(body,
		    "text"), "body"), "text['body']", 4096, 0, msg,
		    sizeof(msg)) == -1) {
			fm_error(r, 400, 100, 0, NULL, msg);
			return;
		}
		if (strcmp(type, "text") != 0 && !cJSON_IsObject(member(body,
		    type))) {
			fm_error(r, 400, 100, 0, NULL, "(#100) The message type "
			    "needs an object of the same name.");
			return;
		}
		if (wa_check(type, member(body, type), msg, sizeof(msg)) == -1) {
			fm_error(r, 400, 100, 0, NULL, msg);
			return;
		}
		if (!in_window(phone, to, FM_WINDOW_S)) {
			fm_error(r, 400, 131047, 0, NULL, "(#131047) Re-engagement "
			    "message: more than 24 hours have passed since the "
			    "recipient last replied to the sender number.");
			return;
		}
	}
	if ((code = fm_pace_check(phone, to, fm_now_ms())) != 0) {
		fm_error(r, 400, code, 0, NULL, code == 130429 ? "(#130429) "
		    "Rate limit hit: Cloud API message throughput has been "
		    "reached." : "(#131056) (Business Account, Consumer "
		    "Account) pair rate limit hit: too many messages sent "
		    "from this phone number to the same phone number in a "
		    "short period of time.");
		return;
	}
	fm_random(rnd, 48);
	snprintf(wamid, sizeof(wamid), "wamid.%s", rnd);
	raw = cJSON_PrintUnformatted(body);
	if (fm_outbox_add("whatsapp", phone, to, "message", wamid, raw,
	    NULL) == -1) {
		free(raw);
		fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
		return;
	}
	free(raw);
	fm_send_echo("whatsapp", FM_PHONE_ID, NULL, to, wamid, body);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "messaging_product", "whatsapp");
	c = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "contacts"), c);
	cJSON_AddStringToObject(c, "input", to);
	cJSON_AddStringToObject(c, "wa_id", to[0] == '+' ? to + 1 : to);
	c = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "messages"), c);
	cJSON_AddStringToObject(c, "id", wamid);
	if (strcmp(type, "template") == 0)
		cJSON_AddStringToObject(c, "message_status", "accepted");
	fm_json(r, o);
}

void
fm_messages(struct req *r, const char *object_id)
{
	struct fm_token	 t;
	cJSON		*body;
	const char	*page;
	int		 st;

	if (!wa_sender(object_id) && strcmp(object_id, "me") != 0 &&
	    fm_page_find(object_id) < 0) {
		fm_error(r, 400, 100, 33, "GraphMethodException", "Unsupported "
		    "post request. Object does not exist, cannot be loaded due "
		    "to missing permissions, or does not support this "
		    "operation.");
		return;
	}
	if (fm_auth(r, &t, 0) == -1)
		return;
	if ((st = http_read_body(r, 1024 * 1024)) != 0) {
		fm_error(r, st, 100, 0, NULL, "(#100) Invalid request body");
		return;
	}
	body = cJSON_ParseWithLength(r->body.data != NULL ? r->body.data : "",
	    r->body.len);
	if (!cJSON_IsObject(body)) {
		cJSON_Delete(body);
		fm_error(r, 400, 100, 0, NULL, "(#100) The request body must be "
		    "a JSON object");
		return;
	}
	if (wa_sender(object_id)) {
		if (strncmp(t.kind, "user_", 5) != 0)
			fm_error(r, 403, 200, 0, NULL, "(#200) Permissions error");
		else
			whatsapp(r, object_id, body);
		cJSON_Delete(body);
		return;
	}
	page = strcmp(object_id, "me") == 0 ? t.page_id : object_id;
	if (strcmp(t.kind, "page") != 0 || strcmp(t.page_id, page) != 0)
		fm_error(r, 400, 210, 0, NULL, "(#210) A page access token is "
		    "required to request this resource.");
	else
		messenger(r, page, NULL, body);
	cJSON_Delete(body);
}

void
fm_ig_login_messages(struct req *r, const char *account)
{
	cJSON	*body;
	int	 st;

	if ((st = http_read_body(r, 1024 * 1024)) != 0) {
		fm_error(r, st, 100, 0, "IGApiException", "Invalid request body");
		return;
	}
	body = cJSON_ParseWithLength(r->body.data != NULL ? r->body.data : "",
	    r->body.len);
	if (!cJSON_IsObject(body))
		fm_error(r, 400, 100, 0, "IGApiException", "The request body "
		    "must be a JSON object");
	else
		messenger(r, account, account, body);
	cJSON_Delete(body);
}

void
fm_conversations(struct req *r, const char *page_id)
{
	const char	*user = fm_param(r, "user_id");
	const char	*platform = fm_param(r, "platform");
	struct fm_token	 t;
	struct fm_page	 pg;
	cJSON		*o, *c, *msgs;
	int		 i = fm_page_find(page_id);

	if (i < 0) {
		fm_error(r, 400, 100, 33, "GraphMethodException", "Unsupported "
		    "get request. Object does not exist, cannot be loaded due "
		    "to missing permissions, or does not support this "
		    "operation.");
		return;
	}
	if (fm_auth(r, &t, 0) == -1)
		return;
	if (strcmp(t.kind, "page") != 0 || strcmp(t.page_id, page_id) != 0) {
		fm_error(r, 400, 210, 0, NULL, "(#210) A page access token is "
		    "required to request this resource.");
		return;
	}
	fm_page(i, &pg);
	o = cJSON_CreateObject();
	c = cJSON_CreateObject();
	if (user != NULL) {
		cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "data"), c);
		cJSON_AddStringToObject(c, "id", "t_fake");
		msgs = cJSON_AddArrayToObject(cJSON_AddObjectToObject(c,
		    "messages"), "data");
		if (fm_outbox_to(platform != NULL && strcmp(platform,
		    "instagram") == 0 ? pg.ig_id : page_id, user, 20,
		    msgs) == -1) {
			cJSON_Delete(o);
			fm_error(r, 500, 1, 0, NULL, "An unknown error occurred");
			return;
		}
	} else {
		cJSON_Delete(c);
		cJSON_AddArrayToObject(o, "data");
	}
	fm_json(r, o);
}
