#!/usr/bin/env bash
# Buttons and generic templates in automation's replies, through a real
# lighttpd, the fake of Meta and the example bot: a rule's reply with
# buttons (a link, a postback) and one with a generic template reach the
# fake's outbox once each, as Meta's message.attachment{type: template},
# placeholders filled, even when the event is posted again; malformed
# shapes are refused with 422 naming the field; a rule naming a WhatsApp
# channel is refused, a rule for every channel is refused (and logged)
# on a WhatsApp message; the test box shows what would be sent; the
# thread shows the template's text and its buttons; a bot's answer with
# buttons is sent, one with too many buttons escalates.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
t_tmp rich
D=$TMP/d
SANDBOX_CONF='outbox_lease_ms = 3000
outbox_grace_s = 2
instagram_app_id = 990000000000001
instagram_app_secret = test-instagram-secret-0123456789
appsecret_proof = no' start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
CFG=$D/hubgate.conf
PW='rich replies passphrase'
user admin@example.org admin
A=$TMP/jar-a
CSRF_A=$(signin admin@example.org "$A")
adm() {  # METHOD PATH [JSON]: body, then the status on the last line
	curl -s --max-time 10 -w '\n%{http_code}' -b "$A" -H "X-CSRF-Token: $CSRF_A" \
	    -H "Origin: $BASE" -H 'Content-Type: application/json' -X "$1" \
	    ${3:+--data-binary "$3"} "$BASE$2"
}
# fake_sends REGEX: sends in the fake's outbox whose body matches
fake_sends() {
	curl -s --max-time 10 "$CTL/outbox" | python3 -c 'import json,re,sys
r=re.compile(sys.argv[1])
print(sum(1 for x in json.load(sys.stdin)["data"] if r.search(json.dumps(x.get("body"),separators=(",",":"),ensure_ascii=False))))' "$1"
}
# fake_payload REGEX: the attachment payload of the first such send
fake_payload() {
	curl -s --max-time 10 "$CTL/outbox" | python3 -c 'import json,re,sys
r=re.compile(sys.argv[1])
x=[x["body"] for x in json.load(sys.stdin)["data"] if r.search(json.dumps(x.get("body"),separators=(",",":"),ensure_ascii=False))]
print(json.dumps(x[0]["message"]["attachment"], sort_keys=True) if x else "none")' "$1"
}
deliver() {  # SENDER TEXT
	curl -s -d platform=messenger -d page=$P1 -d sender="$1" --data-urlencode "text=$2" "$CTL/deliver" >/dev/null
}
conv_of() { sql "$D" "SELECT v.id FROM conversation v JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '$1'"; }
refused() {  # BODY: 422 and the answer's words
	local r
	r=$(adm POST /api/rules "$1")
	echo "$(status "$r") $(body "$r" | json 'j["error"]["message"]')"
}

P1=104857600000001
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
curl -s "$CTL/world" >/dev/null
PT=$(curl -s -d action=issue -d kind=page -d page=$P1 "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$PT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token page $P1
sqlite3 "$D/fakemeta.db" "INSERT OR REPLACE INTO subscription VALUES ('$P1', 'messages,message_echoes,message_deliveries,message_reads,messaging_postbacks')"
WA=106540352242922
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add whatsapp $WA 'Sandbox WA' >/dev/null
curl -s -d action=issue -d kind=user_long "$CTL/token" | json 'j["access_token"]' |
    HUBGATE_CONFIG=$CFG "$ADMIN" channel-token whatsapp $WA
CH_P=$(sql "$D" "SELECT id FROM channel WHERE kind = 'page'")
CH_W=$(sql "$D" "SELECT id FROM channel WHERE kind = 'whatsapp'")

# --- shapes refused at the door -------------------------------------------------
W='"when":{"keywords":["x"]}'
expect_match "$(refused '{"name":"b",'"$W"',"then":[{"reply":{"text":"t","buttons":[{"title":"1","payload":"1"},{"title":"2","payload":"2"},{"title":"3","payload":"3"},{"title":"4","payload":"4"}]}}]}')" \
    '^422 then.reply.buttons: a list of 1 to 3 buttons' "four buttons: 422, naming the field"
expect_match "$(refused '{"name":"b",'"$W"',"then":[{"reply":{"text":"t","buttons":[{"title":"A title of 21 chars!!","payload":"1"}]}}]}')" \
    '^422 then.reply.buttons\[0\].title: a text of 1 to 20 characters' "a button title over 20 characters: 422"
expect_match "$(refused '{"name":"b",'"$W"',"then":[{"reply":{"text":"t","buttons":[{"title":"Site","url":"http://example.org/"}]}}]}')" \
    '^422 then.reply.buttons\[0\].url: an https URL' "a link that is not https: 422"
expect_match "$(refused '{"name":"b",'"$W"',"then":[{"reply":{"text":"t","buttons":[{"title":"Both","url":"https://example.org/","payload":"P"}]}}]}')" \
    '^422 then.reply.buttons\[0\]: a payload .* or a url' "a button with a payload and a url: 422"
expect_match "$(refused '{"name":"b",'"$W"',"then":[{"reply":{"buttons":[{"title":"A","payload":"A"}]}}]}')" \
    '^422 then.reply.text \(with buttons\)' "buttons without a text: 422"
expect_match "$(refused '{"name":"b",'"$W"',"then":[{"reply":{"text":"'"$(printf 'x%.0s' $(seq 1 641))"'","buttons":[{"title":"A","payload":"A"}]}}]}')" \
    '^422 then.reply.text \(with buttons\): a text of 1 to 640' "a button template's text over 640 characters: 422"
E='{"title":"e"}'
expect_match "$(refused '{"name":"g",'"$W"',"then":[{"reply":{"generic":['"$E,$E,$E,$E,$E,$E,$E,$E,$E,$E,$E"']}}]}')" \
    '^422 then.reply.generic: a list of 1 to 10 elements' "eleven elements: 422"
expect_match "$(refused '{"name":"g",'"$W"',"then":[{"reply":{"generic":[{"title":"t","subtitle":"'"$(printf 's%.0s' $(seq 1 81))"'"}]}}]}')" \
    '^422 then.reply.generic\[0\].subtitle: a text of 1 to 80' "a subtitle over 80 characters: 422"
expect_match "$(refused '{"name":"g",'"$W"',"then":[{"reply":{"generic":[{"subtitle":"no title"}]}}]}')" \
    '^422 then.reply.generic\[0\].title' "an element without a title: 422"
expect_match "$(refused '{"name":"g",'"$W"',"then":[{"reply":{"text":"t","generic":[{"title":"t"}]}}]}')" \
    '^422 then.reply: a generic template has no text' "a text with a generic template: 422"
expect_match "$(refused '{"name":"g",'"$W"',"then":[{"reply":{"text":"t","buttons":[{"title":"A","payload":"A"}],"generic":[{"title":"t"}]}}]}')" \
    '^422 then.reply: .*not both' "buttons and a generic template together: 422"
expect_match "$(refused '{"name":"g",'"$W"',"channels":['"$CH_W"'],"then":[{"reply":{"text":"t","buttons":[{"title":"A","payload":"A"}]}}]}')" \
    "^422 then.reply: buttons and generic templates are sent on Messenger and Instagram only, and channel $CH_W is WhatsApp" \
    "buttons for a WhatsApp channel: 422"
expect_eq "$(sql "$D" "SELECT count(*) FROM rule WHERE name IN ('b', 'g')")" 0 "nothing refused was stored"

# --- a reply with buttons -------------------------------------------------------
r=$(adm POST /api/rules '{"name":"Track","when":{"pattern":"where is order ([0-9]+)"},"then":[{"reply":{"text":"Order {match.1}, {contact.first_name|friend}: follow it here.","buttons":[{"title":"Track {match.1}","url":"https://example.org/track"},{"title":"Talk to us","payload":"HUMAN_{match.1}"}]}},{"stop":{}}]}')
expect_eq "$(status "$r")" 201 "a rule whose reply has buttons: 201"
expect_eq "$(body "$r" | json 'j["then"][0]["reply"]["buttons"][1]')" '{"title": "Talk to us", "payload": "HUMAN_{match.1}"}' "... stored as given"
r=$(adm POST /api/rules/test '{"text":"where is order 77"}')
expect_eq "$(body "$r" | json 'j["matches"][0]["sends"][0]["payload"]')" \
    '{"template_type": "button", "text": "Order 77, friend: follow it here.", "buttons": [{"type": "web_url", "title": "Track 77", "url": "https://example.org/track"}, {"type": "postback", "title": "Talk to us", "payload": "HUMAN_77"}]}' \
    "the test box shows the button template that would be sent, filled"
r=$(adm POST /api/rules/test "{\"text\":\"where is order 77\",\"channel_id\":$CH_W}")
expect_match "$(body "$r" | json 'j["matches"][0]["sends"][0]["refused"]')" 'Messenger and Instagram only' \
    "... and that a WhatsApp channel would refuse it"
S1=5553000001
deliver $S1 'Hi, where is order 42?'
C1=$(conv_of $S1)
expect_eq "$(wait_for "SELECT state FROM outbox WHERE conversation_id = $C1 AND author_kind = 'rule'" sent)" sent \
    "the reply with buttons went through the outbox"
expect_eq "$(sql "$D" "SELECT kind FROM outbox WHERE conversation_id = $C1")" template "... as a template send"
expect_eq "$(fake_payload '"template_type":"button"')" \
    '{"payload": {"buttons": [{"title": "Track 42", "type": "web_url", "url": "https://example.org/track"}, {"payload": "HUMAN_42", "title": "Talk to us", "type": "postback"}], "template_type": "button", "text": "Order 42, friend: follow it here."}, "type": "template"}' \
    "the fake got Meta's button template, placeholders filled"
# The fake checks templates as Meta does (plain calls: no
# appsecret_proof in this suite; test_graph covers it).
fake_send() {  # MESSAGE: the fake's answer to a send of it to S1
	curl -s -H 'Content-Type: application/json' --data-binary \
	    '{"recipient":{"id":"'$S1'"},"messaging_type":"RESPONSE","message":'"$1"'}' \
	    "$META/v24.0/$P1/messages?access_token=$PT"
}
expect_match "$(fake_send '{"attachment":{"type":"template","payload":{"template_type":"button","text":"t","buttons":[{"type":"web_url","title":"x","url":"ftp://e.org"}]}}}')" \
    'buttons\[0\]\[url\] must be a valid URL' "the fake refuses a link that is not a URL"
expect_match "$(fake_send '{"attachment":{"type":"template","payload":{"template_type":"button","text":"t","buttons":[{"type":"postback","title":"A title of 21 chars!!","payload":"p"}]}}}')" \
    'buttons\[title\]' "... a button title over 20 characters"
expect_match "$(fake_send '{"attachment":{"type":"template","payload":{"template_type":"generic","elements":[{"title":"t","image_url":"nope"}]}}}')" \
    'image_url\] must be a valid URL' "... and an image that is not a URL"
expect_eq "$(repost $C1)" 200 "the same event posted again: 200"
sleep 1.5
expect_eq "$(fake_sends '"template_type":"button"')" 1 "... still exactly one send in the fake"
r=$(adm GET /api/conversations/$C1/messages)
expect_eq "$(body "$r" | json '[[m["kind"], m["text"], m["attachments"][0]["buttons"]] for m in j["messages"] if m["direction"] == "out"]')" \
    '[["template", "Order 42, friend: follow it here.", ["Track 42", "Talk to us"]]]' \
    "the thread shows the template's text and its buttons"

# --- a generic template ---------------------------------------------------------
r=$(adm POST /api/rules '{"name":"Menu","when":{"keywords":["menu"]},"then":[{"reply":{"generic":[{"title":"Croissant","subtitle":"Butter, baked at 6","image_url":"https://example.org/c.jpg","buttons":[{"title":"Order one","payload":"ORDER_CROISSANT"}]},{"title":"Baguette"}],"quick_replies":["Hours"]}}]}')
expect_eq "$(status "$r")" 201 "a rule whose reply is a generic template: 201"
S2=5553000002
deliver $S2 'Can I see the menu?'
C2=$(conv_of $S2)
expect_eq "$(wait_for "SELECT state FROM outbox WHERE conversation_id = $C2 AND author_kind = 'rule'" sent)" sent "the generic template went out"
expect_eq "$(fake_payload '"template_type":"generic"')" \
    '{"payload": {"elements": [{"buttons": [{"payload": "ORDER_CROISSANT", "title": "Order one", "type": "postback"}], "image_url": "https://example.org/c.jpg", "subtitle": "Butter, baked at 6", "title": "Croissant"}, {"title": "Baguette"}], "template_type": "generic"}, "type": "template"}' \
    "the fake got Meta's generic template"
expect_eq "$(fake_sends '"template_type":"generic".*"quick_replies":\[\{"content_type":"text","title":"Hours"')" 1 "... once, with its quick replies"
r=$(adm GET /api/conversations/$C2/messages)
expect_eq "$(body "$r" | json '[[m["text"] == "Croissant \u00b7 Baguette", [[a["name"], a["subtitle"], a["buttons"]] for a in m["attachments"]]] for m in j["messages"] if m["direction"] == "out"]')" \
    '[[true, [["Croissant", "Butter, baked at 6", ["Order one"]], ["Baguette", null, []]]]]' \
    "the thread shows each element with its buttons"

# --- WhatsApp refuses them ------------------------------------------------------
curl -s -d platform=whatsapp -d sender=16505550123 --data-urlencode 'text=the menu please' "$CTL/deliver" >/dev/null
CWA=$(conv_of 16505550123)
wait_for "SELECT count(*) FROM automation_log WHERE conversation_id = $CWA AND action = 'refused'" 1 >/dev/null
expect_match "$(sql "$D" "SELECT detail FROM automation_log WHERE conversation_id = $CWA AND action = 'refused'")" \
    'Messenger and Instagram only' "on WhatsApp a generic template is refused, and the log says why"
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE conversation_id = $CWA")" 0 "... nothing queued"
expect_eq "$(curl -s "$CTL/outbox" | json '[x for x in j["data"] if x["body"].get("messaging_product") == "whatsapp"]')" '[]' \
    "... nothing sent on WhatsApp"

# --- Instagram takes them -------------------------------------------------------
IGL=17841400000000901
CH_I=$(HUBGATE_CONFIG=$CFG "$ADMIN" channel-add instagram $IGL 'sandbox.studio')
curl -s -d action=issue -d kind=ig_long "$CTL/token" | json 'j["access_token"]' |
    HUBGATE_CONFIG=$CFG "$ADMIN" channel-token instagram $IGL >/dev/null
sql "$D" "UPDATE channel SET token_kind = 'instagram_login' WHERE id = $CH_I" >/dev/null
curl -s -d platform=instagram -d page=$IGL --data-urlencode 'text=menu?' "$CTL/deliver" >/dev/null
expect_eq "$(wait_for "SELECT state FROM outbox WHERE channel_id = $CH_I AND author_kind = 'rule'" sent)" sent \
    "on Instagram the generic template is sent"
expect_eq "$(curl -s "$CTL/outbox" | json '[m["body"]["message"]["attachment"]["payload"]["elements"][0]["title"] for m in j["data"] if m["platform"] == "instagram" and m["kind"] == "message"]')" \
    '["Croissant"]' "... as the Instagram account's template"

# --- the bot's answers ----------------------------------------------------------
SECRET=whsec_$(head -c 24 /dev/urandom | base64)
python3 "$HUBGATE_ROOT/tests/bot/example_bot.py" "$SECRET" "$TMP/bot.port" "$TMP/bot.log" &
BOT_PID=$!
trap 'kill $BOT_PID 2>/dev/null; t_cleanup' EXIT
for _ in $(seq 1 50); do [ -s "$TMP/bot.port" ] && break; sleep 0.1; done
BOT=http://127.0.0.1:$(cat "$TMP/bot.port")/bot
expect_eq "$(status "$(adm PUT /api/settings/bot "{\"url\":\"$BOT\",\"secret\":\"$SECRET\"}")")" 200 "a bot is set up"
adm POST /api/rules '{"name":"Ask the bot","when":{"keywords":["track","overload"]},"then":[{"bot":{}}]}' >/dev/null
S3=5553000003
deliver $S3 'track 55'
C3=$(conv_of $S3)
expect_eq "$(wait_for "SELECT state FROM outbox WHERE conversation_id = $C3 AND author_kind = 'bot'" sent)" sent \
    "the bot's answer with buttons went out"
expect_eq "$(fake_payload '"text":"Order 55 is on its way\."' | json 'j["payload"]["buttons"]')" \
    '[{"title": "Track it", "type": "web_url", "url": "https://example.org/track/55"}, {"payload": "HUMAN", "title": "Talk to us", "type": "postback"}]' \
    "... as Meta's button template"
S4=5553000004
deliver $S4 'overload'
C4=$(conv_of $S4)
expect_eq "$(wait_for "SELECT status FROM conversation WHERE id = $C4" escalated)" escalated \
    "a bot's answer with four buttons: the conversation escalates"
expect_match "$(sql "$D" "SELECT escalation_reason FROM conversation WHERE id = $C4")" \
    "the bot's answer cannot be sent \(then.reply.buttons" "... saying why"
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE conversation_id = $C4 AND author_kind = 'bot'")" 0 "... and nothing of it is sent"

stop_lighttpd
t_done
