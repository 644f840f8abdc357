#!/usr/bin/env bash
# The send API through a real lighttpd and the fake of Meta: an image
# by URL reaches the fake's outbox in Meta's shape (Messenger's
# message.attachment, WhatsApp's image{link, caption}) and shows in the
# thread as an attachment with its outbox state; what Meta would refuse
# is 422 with the reason (a plain http URL, a URL too long, a caption on
# Messenger, quick replies on WhatsApp); reactions (react, unreact,
# WhatsApp's reaction) are reaction rows, not messages of their own;
# typing on Messenger, refused on WhatsApp; opening a conversation marks
# it seen (Messenger) or read (WhatsApp's last wamid) unless the channel
# says not to; a failed action is dropped after one retry; GET
# /api/outbox lists the workspace's sends by keyset pages, one send
# shows its attempts with fbtrace_id and no token; an admin retries a
# failed send (audited), an agent may not; disconnecting a channel
# fails its queued sends, and reconnecting does not send them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
t_tmp sendapi
D=$TMP/d
SANDBOX_CONF='outbox_lease_ms = 3000
outbox_grace_s = 2
graph_timeout_ms = 1500
graph_connect_timeout_ms = 1000' start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
CFG=$D/hubgate.conf
PW='send api passphrase'
sql "$D" "INSERT INTO workspace (id, name, created_at) VALUES (2, 'Other', 0)" >/dev/null
user agent@example.org agent
user admin@example.org admin
user other@example.org owner 2
G=$TMP/jar-g; A=$TMP/jar-a; O=$TMP/jar-o
CSRF_G=$(signin agent@example.org "$G")
CSRF_A=$(signin admin@example.org "$A")
CSRF_O=$(signin other@example.org "$O")
# post JAR CSRF PATH JSON [METHOD]: body, then the status on the last line
post() {
	curl -s --max-time 10 -w '\n%{http_code}' -b "$1" -H "X-CSRF-Token: $2" \
	    -H "Origin: $BASE" -H 'Content-Type: application/json' -X "${5:-POST}" \
	    --data-binary "$4" "$BASE$3"
}
send() { post "$1" "$2" "/api/conversations/$3/messages" "$4"; }
status() { echo "$1" | tail -n 1; }
body() { echo "$1" | sed '$d'; }
fake_outbox() { curl -s --max-time 10 "$CTL/outbox"; }
# fake_count REGEX: rows of the fake's outbox whose body matches
fake_count() {
	fake_outbox | python3 -c 'import json,re,sys
r=re.compile(sys.argv[1])
print(sum(1 for x in json.load(sys.stdin)["data"] if r.search(json.dumps(x.get("body"),separators=(",",":"),ensure_ascii=False))))' "$1"
}

P1=104857600000001
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
curl -s "$CTL/world" >/dev/null
PT=$(curl -s -d action=issue -d kind=page -d page=$P1 "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$PT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token page $P1
CH1=$(sql "$D" "SELECT id FROM channel WHERE meta_id = '$P1'")
sqlite3 "$D/fakemeta.db" "INSERT OR REPLACE INTO subscription VALUES ('$P1', 'messages,message_echoes,message_deliveries,message_reads')"
curl -s -d platform=messenger -d page=$P1 -d 'text=Can I see the cake?' "$CTL/deliver" >/dev/null
C1=$(curl -s -b "$G" "$BASE/api/conversations" | json 'j["conversations"][0]["id"]')
expect_match "$C1" '^[0-9]+$' "a Messenger conversation"

# --- an image by URL, Messenger
r=$(send "$G" "$CSRF_G" "$C1" '{"attachment":{"type":"image","url":"https://cdn.example.org/cake.png"}}')
expect_eq "$(status "$r")" 202 "an image by URL is accepted: 202"
IDA=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDA" sent)" sent "... and sent"
expect_eq "$(fake_count "\"message\":\\{\"attachment\":\\{\"type\":\"image\",\"payload\":\\{\"url\":\"https://cdn.example.org/cake.png\",\"is_reusable\":true\\}\\},\"metadata\":\"hubgate:outbox:$IDA\"\\}")" 1 \
    "the fake's outbox has message.attachment{type, payload{url, is_reusable}} with the outbox id in metadata"
r=$(curl -s -b "$G" "$BASE/api/conversations/$C1/messages")
expect_eq "$(echo "$r" | json '[m["kind"] for m in j["messages"] if m["direction"]=="out"]')" '["attachment"]' \
    "the thread shows one outbound message, an attachment (the echo did not add one)"
expect_eq "$(echo "$r" | json '[m["outbox"] for m in j["messages"] if m["direction"]=="out"][0]["id"]')" "$IDA" \
    "... with its outbox id"
expect_match "$(echo "$r" | json '[m["outbox"] for m in j["messages"] if m["direction"]=="out"][0]')" '"state": "sent", "error": null' \
    "... its state and no error"
expect_eq "$(echo "$r" | json '[m["outbox"] for m in j["messages"] if m["direction"]=="in"][0]')" null \
    "an inbound message has outbox null"

# --- refused like Meta would
r=$(send "$G" "$CSRF_G" "$C1" '{"attachment":{"type":"image","url":"http://cdn.example.org/cake.png"}}')
expect_eq "$(status "$r")" 422 "a plain http URL: 422"
expect_match "$(body "$r")" 'https' "... saying https"
LONG=$(python3 -c 'print("https://cdn.example.org/" + "a" * 2100)')
r=$(send "$G" "$CSRF_G" "$C1" "{\"attachment\":{\"type\":\"image\",\"url\":\"$LONG\"}}")
expect_eq "$(status "$r")" 422 "a URL over 2048 bytes: 422"
r=$(send "$G" "$CSRF_G" "$C1" '{"attachment":{"type":"image","url":"https://cdn.example.org/a.png","caption":"Hi"}}')
expect_eq "$(status "$r")" 422 "a caption on Messenger: 422"
r=$(send "$G" "$CSRF_G" "$C1" '{"attachment":{"type":"hologram","url":"https://cdn.example.org/a.png"}}')
expect_eq "$(status "$r")" 422 "a type Meta does not take: 422"
r=$(send "$G" "$CSRF_G" "$C1" '{"text":"Pick one","attachment":{"type":"image","url":"https://cdn.example.org/a.png"}}')
expect_eq "$(status "$r")" 400 "text and an attachment at once: 400"
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE kind = 'attachment'")" 1 "nothing refused was queued"
r=$(send "$G" "$CSRF_G" "$C1" '{"text":"Which size?","quick_replies":["Small","Large"]}')
IDQ=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDQ" sent)" sent "quick replies still go on Messenger"
expect_eq "$(fake_count '"quick_replies":\[\{"content_type":"text","title":"Small","payload":"Small"\}')" 1 "... in Meta's shape"

# --- reactions
IN1=$(curl -s -b "$G" "$BASE/api/conversations/$C1/messages" | json '[m["id"] for m in j["messages"] if m["direction"]=="in"][0]')
MID1=$(sql "$D" "SELECT meta_message_id FROM message WHERE id = $IN1")
r=$(post "$G" "$CSRF_G" "/api/conversations/$C1/messages/$IN1/reactions" '{"emoji":"❤"}')
expect_eq "$(status "$r")" 202 "a reaction to the person's message: 202"
IDR=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDR" sent)" sent "... sent"
expect_eq "$(fake_count "\"sender_action\":\"react\",\"payload\":\\{\"message_id\":\"$MID1\",\"reaction\":\"❤\"\\}")" 1 \
    "the fake has sender_action react with payload{message_id, reaction}"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE conversation_id = $C1 AND kind = 'reaction' AND direction = 'out' AND reply_to = '$MID1' AND text = '❤'")" 1 \
    "the reaction is a reaction row, as inbound ones (reply_to the mid)"
r=$(post "$G" "$CSRF_G" "/api/conversations/$C1/messages/$IN1/reactions" '{"emoji":""}')
IDU=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDU" sent)" sent "removing it is sent ..."
expect_eq "$(fake_count "\"sender_action\":\"unreact\",\"payload\":\\{\"message_id\":\"$MID1\"\\}")" 1 "... as unreact"
r=$(post "$G" "$CSRF_G" "/api/conversations/$C1/messages/999999/reactions" '{"emoji":"x"}')
expect_eq "$(status "$r")" 404 "a reaction to no such message: 404"
r=$(post "$G" "$CSRF_G" "/api/conversations/$C1/messages/$IN1/reactions" '{"emoji":7}')
expect_eq "$(status "$r")" 400 "an emoji that is not a string: 400"
r=$(post "$O" "$CSRF_O" "/api/conversations/$C1/messages/$IN1/reactions" '{"emoji":"x"}')
expect_eq "$(status "$r")" 404 "another workspace's conversation: 404"

# --- typing, marking seen
r=$(post "$G" "$CSRF_G" "/api/conversations/$C1/typing" '{"on":true}')
expect_eq "$(status "$r")" 202 "typing on: 202"
IDT=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDT" sent)" sent "... sent"
expect_eq "$(fake_count '"sender_action":"typing_on"')" 1 "the fake has sender_action typing_on"
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE id = $IDT AND kind = 'action' AND message_id IS NULL")" 1 \
    "... an action, no message in the thread"
r=$(post "$G" "$CSRF_G" "/api/conversations/$C1/typing" '{"on":"yes"}')
expect_eq "$(status "$r")" 400 "on must be a boolean"
curl -s -d platform=messenger -d page=$P1 -d 'text=Hello?' "$CTL/deliver" >/dev/null
r=$(post "$G" "$CSRF_G" "/api/conversations/$C1/read" '{}')
expect_eq "$(status "$r")" 200 "opening the conversation"
expect_eq "$(wait_for "SELECT state FROM outbox WHERE kind = 'action' AND json_extract(body, '\$.action') = 'mark_seen'" sent)" sent \
    "... queues mark_seen, sent"
expect_eq "$(fake_count '"sender_action":"mark_seen"')" 1 "the fake has mark_seen"
post "$G" "$CSRF_G" "/api/conversations/$C1/read" '{}' >/dev/null
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE json_extract(body, '\$.action') = 'mark_seen'")" 1 \
    "opening it again with nothing new: nothing more"

# --- WhatsApp: image with caption, reaction, read, refusals
WA=106540352242922
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add whatsapp $WA 'Sandbox WA' >/dev/null
curl -s -d action=issue -d kind=user_long "$CTL/token" | json 'j["access_token"]' |
    HUBGATE_CONFIG=$CFG "$ADMIN" channel-token whatsapp $WA
curl -s -d platform=whatsapp -d text=hola "$CTL/deliver" >/dev/null
CW=$(sql "$D" "SELECT v.id FROM conversation v JOIN channel c ON c.id = v.channel_id WHERE c.kind = 'whatsapp'")
WIN=$(sql "$D" "SELECT meta_message_id FROM message WHERE conversation_id = $CW AND direction = 'in'")
r=$(send "$G" "$CSRF_G" "$CW" '{"attachment":{"type":"image","url":"https://cdn.example.org/cake.png","caption":"Our cake"}}')
IDW=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDW" sent)" sent "a WhatsApp image with a caption is sent"
expect_eq "$(fake_count "\"type\":\"image\",\"image\":\\{\"link\":\"https://cdn.example.org/cake.png\",\"caption\":\"Our cake\"\\},\"biz_opaque_callback_data\":\"hubgate:outbox:$IDW\"")" 1 \
    "... as type image {link, caption} with biz_opaque_callback_data"
r=$(send "$G" "$CSRF_G" "$CW" '{"attachment":{"type":"file","url":"https://cdn.example.org/menu.pdf"}}')
IDD=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDD" sent)" sent "a WhatsApp file ..."
expect_eq "$(fake_count '"type":"document","document":\{"link":"https://cdn.example.org/menu.pdf"\}')" 1 "... is a document"
r=$(send "$G" "$CSRF_G" "$CW" '{"text":"Which?","quick_replies":["A"]}')
expect_eq "$(status "$r")" 422 "quick replies on WhatsApp: 422"
r=$(post "$G" "$CSRF_G" "/api/conversations/$CW/typing" '{"on":true}')
expect_eq "$(status "$r")" 422 "typing on WhatsApp: 422"
WID=$(sql "$D" "SELECT id FROM message WHERE conversation_id = $CW AND direction = 'in'")
r=$(post "$G" "$CSRF_G" "/api/conversations/$CW/messages/$WID/reactions" '{"emoji":"👍"}')
IDWR=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDWR" sent)" sent "a WhatsApp reaction is sent"
expect_eq "$(fake_count "\"type\":\"reaction\",\"reaction\":\\{\"message_id\":\"$WIN\",\"emoji\":\"👍\"\\}")" 1 \
    "... as type reaction {message_id, emoji}"
r=$(post "$G" "$CSRF_G" "/api/conversations/$CW/read" '{}')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE kind = 'action' AND conversation_id = $CW" sent)" sent \
    "opening a WhatsApp conversation queues a read, sent"
expect_eq "$(fake_count "\"status\":\"read\",\"message_id\":\"$WIN\"")" 1 "... of the last inbound wamid"
sql "$D" "UPDATE channel SET mark_read = 0 WHERE kind = 'whatsapp'" >/dev/null
curl -s -d platform=whatsapp -d text=again "$CTL/deliver" >/dev/null
post "$G" "$CSRF_G" "/api/conversations/$CW/read" '{}' >/dev/null
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE kind = 'action' AND conversation_id = $CW")" 1 \
    "a channel set not to mark read: nothing queued"
# Marking read is no message: allowed past WhatsApp's 24 hours.
sql "$D" "UPDATE channel SET mark_read = 1 WHERE kind = 'whatsapp'" >/dev/null
curl -s -d platform=whatsapp -d sender=16505550077 -d age_s=90000 -d text=yesterday "$CTL/deliver" >/dev/null
for _ in $(seq 1 150); do
	CO=$(sql "$D" "SELECT v.id FROM conversation v JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '16505550077'")
	[ -n "$CO" ] && break
	sleep 0.1
done
post "$G" "$CSRF_G" "/api/conversations/$CO/read" '{}' >/dev/null
expect_eq "$(wait_for "SELECT state FROM outbox WHERE kind = 'action' AND conversation_id = $CO" sent)" sent \
    "a 25-hour-old WhatsApp conversation opened: its read is sent, not refused"

# --- the channel's sending settings
curl -s -d platform=messenger -d page=$P1 -d sender=7300000000000003 -d age_s=172800 -d text=late "$CTL/deliver" >/dev/null
C2=$(sql "$D" "SELECT v.id FROM conversation v JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '7300000000000003'")
r=$(curl -s -b "$G" "$BASE/api/channels")
expect_eq "$(echo "$r" | json "[c for c in j['channels'] if c['id']==$CH1][0]['human_agent']")" false \
    "a new channel: human_agent off (Meta's permission is needed)"
expect_eq "$(echo "$r" | json "[[c['send_rate'], c['mark_read']] for c in j['channels'] if c['id']==$CH1][0]")" '[null, true]' \
    "... the platform's rate, mark_read on"
r=$(send "$G" "$CSRF_G" "$C2" '{"attachment":{"type":"image","url":"https://cdn.example.org/late.png"}}')
expect_eq "$(status "$r")" 422 "so at 2 days an attachment is refused"
r=$(post "$G" "$CSRF_G" "/api/channels/$CH1" '{"human_agent":true}' PATCH)
expect_eq "$(status "$r")" 403 "an agent may not change the settings"
r=$(post "$A" "$CSRF_A" "/api/channels/$CH1" '{}' PATCH)
expect_eq "$(status "$r")" 400 "a change of nothing: 400"
r=$(post "$A" "$CSRF_A" "/api/channels/$CH1" '{"send_rate":5000}' PATCH)
expect_eq "$(status "$r")" 400 "a rate over 1000: 400"
r=$(post "$A" "$CSRF_A" "/api/channels/$CH1" '{"human_agent":true,"send_rate":20,"mark_read":false}' PATCH)
expect_eq "$(status "$r")" 200 "an admin sets human_agent, send_rate, mark_read"
expect_eq "$(body "$r" | json '[j["channel"][k] for k in ("human_agent","send_rate","mark_read","name")]')" '[true, 20, false, "Sandbox Bakery"]' \
    "... the channel shows them, its name unchanged"
expect_eq "$(sql "$D" "SELECT detail FROM audit_log WHERE action = 'channel_settings' AND object = 'channel:$CH1'")" \
    "human_agent=on send_rate=20 mark_read=off" "... audited"
r=$(send "$G" "$CSRF_G" "$C2" '{"attachment":{"type":"image","url":"https://cdn.example.org/late.png"}}')
expect_eq "$(status "$r")" 202 "now a person's attachment at 2 days is accepted"
IDL=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDL" sent)" sent "... sent"
expect_eq "$(fake_count '"tag":"HUMAN_AGENT","message":\{"attachment":\{"type":"image","payload":\{"url":"https://cdn.example.org/late.png"')" 1 \
    "... tagged HUMAN_AGENT"
post "$A" "$CSRF_A" "/api/channels/$CH1" '{"send_rate":0,"mark_read":true}' PATCH >/dev/null
expect_eq "$(sql "$D" "SELECT coalesce(send_rate, 'null') || ':' || mark_read || ':' || human_agent FROM channel WHERE id = $CH1")" "null:1:1" \
    "send_rate 0 is the platform's default again; what was not given stays"

# --- a failed action is dropped after one retry
curl -s -d "path=/$P1/messages" -d kind=temporary -d times=2 "$CTL/fault" >/dev/null
r=$(post "$G" "$CSRF_G" "/api/conversations/$C1/typing" '{"on":false}')
IDF=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state || ':' || attempts FROM outbox WHERE id = $IDF" failed:2)" failed:2 \
    "a failing action: two tries, then failed (not a dead letter)"
curl -s -X DELETE "$CTL/fault" >/dev/null

# --- /api/outbox
r=$(curl -s -b "$G" "$BASE/api/outbox?limit=2")
expect_eq "$(echo "$r" | json 'len(j["outbox"])')" 2 "GET /api/outbox: a page of 2"
NEXT=$(echo "$r" | json 'j["next"]')
FIRST=$(echo "$r" | json 'j["outbox"][0]["id"]')
expect_eq "$FIRST" "$(sql "$D" "SELECT max(id) FROM outbox")" "... newest first"
r2=$(curl -s -b "$G" "$BASE/api/outbox?limit=2&cursor=$NEXT")
expect_eq "$(echo "$r2" | json 'j["outbox"][0]["id"]')" "$(sql "$D" "SELECT max(id) FROM outbox WHERE id < $NEXT")" \
    "the next page continues below the cursor"
expect_eq "$(curl -s -b "$G" "$BASE/api/outbox?state=failed" | json '[o["id"] for o in j["outbox"]]')" "[$IDF]" "state=failed"
expect_eq "$(curl -s -b "$G" "$BASE/api/outbox?channel=$CH1&conversation=$CW" | json 'len(j["outbox"])')" 0 \
    "channel and conversation filters combine"
expect_eq "$(curl -s -b "$G" "$BASE/api/outbox?conversation=$CW" | json 'len(j["outbox"])')" \
    "$(sql "$D" "SELECT count(*) FROM outbox WHERE conversation_id = $CW")" "conversation="
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -b "$G" "$BASE/api/outbox?state=lost")" 400 "an unknown state: 400"
expect_match "$(curl -s -b "$G" "$BASE/api/outbox?limit=1")" '"kind":"action","state":"failed","attempts":2' "items carry kind, state, attempts"
r=$(curl -s -b "$G" "$BASE/api/outbox/$IDF")
expect_eq "$(echo "$r" | json 'len(j["attempts_log"])')" 2 "GET /api/outbox/ID: its attempts"
expect_match "$(echo "$r" | json 'j["attempts_log"][0]')" '"class": "retry", "http_status": 503, "code": 2' "... with Meta's class, status and code"
expect_match "$(echo "$r" | json 'j["attempts_log"][0]["fbtrace_id"]')" '^[A-Za-z0-9_-]+$' "... and fbtrace_id"
r=$(curl -s -b "$G" "$BASE/api/outbox/$IDA")
if echo "$r" | grep -q "$PT\|access_token"; then not_ok "no token in the send's answer"; else ok "no token in the send's answer"; fi
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -b "$O" "$BASE/api/outbox/$IDA")" 404 "another workspace's send: 404"
expect_eq "$(curl -s -b "$O" "$BASE/api/outbox" | json 'len(j["outbox"])')" 0 "... not listed there"

# --- retry: an admin, not an agent
curl -s -d "path=/$P1/messages" -d kind=error -d status=400 -d code=100 -d times=1 "$CTL/fault" >/dev/null
r=$(send "$G" "$CSRF_G" "$C1" '{"text":"Refused once"}')
IDX=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDX" failed)" failed "a send Meta refuses fails"
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations/$C1/messages" | json "[m['outbox']['state'] for m in j['messages'] if m['outbox'] and m['outbox']['id']==$IDX][0]")" failed \
    "... and its message's outbox says so"
r=$(post "$G" "$CSRF_G" "/api/outbox/$IDX/retry" '{}')
expect_eq "$(status "$r")" 403 "an agent may not retry"
r=$(post "$A" "$CSRF_A" "/api/outbox/$IDA/retry" '{}')
expect_eq "$(status "$r")" 409 "a sent send is not retried: 409"
r=$(post "$A" "$CSRF_A" "/api/outbox/$IDX/retry" '{}')
expect_eq "$(status "$r")" 202 "an admin retries a failed send: 202"
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDX" sent)" sent "... it is sent"
expect_eq "$(fake_count 'Refused once')" 1 "... once"
expect_eq "$(sql "$D" "SELECT status FROM message m JOIN outbox o ON o.message_id = m.id WHERE o.id = $IDX")" sent "... its message too"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'outbox_retry' AND object = 'outbox:$IDX'")" 1 "the retry is audited"
r=$(post "$O" "$CSRF_O" "/api/outbox/$IDX/retry" '{}')
expect_eq "$(status "$r")" 404 "another workspace's send: 404"

# --- disconnecting fails what is queued; reconnecting does not send it
curl -s -d action=revoke -d "token=$PT" -d subcode=460 "$CTL/token" >/dev/null
r=$(send "$G" "$CSRF_G" "$C1" '{"text":"Held one"}'); IDH1=$(body "$r" | json 'j["id"]')
r=$(send "$G" "$CSRF_G" "$C1" '{"text":"Held two"}'); IDH2=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT token_status FROM channel WHERE id = $CH1" invalid)" invalid "a dead token pauses the channel"
expect_eq "$(wait_for "SELECT group_concat(state, ' ') FROM outbox WHERE id IN ($IDH1, $IDH2)" "queued queued")" "queued queued" "(its sends wait)"
r=$(post "$A" "$CSRF_A" "/api/channels/$CH1" '' DELETE)
expect_eq "$(status "$r")" 200 "the channel is disconnected"
expect_eq "$(sql "$D" "SELECT group_concat(state || ':' || error, '|') FROM outbox WHERE id IN ($IDH1, $IDH2)")" \
    "failed:the channel was disconnected|failed:the channel was disconnected" "its queued sends failed with the reason"
expect_eq "$(sql "$D" "SELECT group_concat(m.status, ' ') FROM message m JOIN outbox o ON o.message_id = m.id WHERE o.id IN ($IDH1, $IDH2)")" \
    "failed failed" "... and their messages"
PT2=$(curl -s -d action=issue -d kind=page -d page=$P1 "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$PT2" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token page $P1
sleep 2
expect_eq "$(sql "$D" "SELECT group_concat(state, ' ') FROM outbox WHERE id IN ($IDH1, $IDH2)")" "failed failed" "reconnected: they stay failed"
expect_eq "$(fake_count 'Held ')" 0 "... nothing reached Meta"
# --- POST .../reply: the same send by another name
r=$(post "$G" "$CSRF_G" "/api/conversations/$C1/reply" '{"text":"Replied by reply","idempotency_key":"reply-1"}')
expect_eq "$(status "$r")" 202 "POST /api/conversations/ID/reply: 202"
IDR=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDR" sent)" sent "... and sent"
expect_eq "$(body "$(post "$G" "$CSRF_G" "/api/conversations/$C1/reply" '{"text":"Replied by reply","idempotency_key":"reply-1"}')" | json 'j["id"]')" "$IDR" \
    "... the same idempotency key answers the first send"
expect_eq "$(status "$(post "$O" "$CSRF_O" "/api/conversations/$C1/reply" '{"text":"x"}')")" 404 "... another workspace's conversation: 404"
expect_eq "$(status "$(post "$G" "$CSRF_G" "/api/conversations/$C1/replies" '{"text":"x"}')")" 404 "... another path: 404"
if grep -q "$PT\|$PT2" "$D/error.log"; then not_ok "no token in the log"; else ok "no token in the log"; fi
t_done
