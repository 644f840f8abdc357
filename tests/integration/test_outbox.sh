#!/usr/bin/env bash
# The outbound queue through a real lighttpd and the fake of Meta: a
# reply reaches the fake's outbox with its outbox id in metadata and
# its echo and read receipt tick it through to read (one message in
# the thread, its markup kept as text); the same idempotency key sends
# once; another workspace's conversation is 404; an API token of role
# scope sends, a read one may not; outside the window a reply is
# refused with the reason in words, HUMAN_AGENT between 24 h and 7
# days, a WhatsApp template at 25 h with biz_opaque_callback_data and
# its status; a token invalidated mid-queue pauses the channel's sends
# until the channel has a valid token again; throttling waits and
# recovers; an answer lost after the call was served becomes unknown
# and is reconciled by the echo, never sent twice; kill -9 of the
# sending process mid-burst: every queued reply sent exactly once, in
# order (the fake's outbox is the judge).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
t_tmp outbox
D=$TMP/d
SANDBOX_CONF='outbox_lease_ms = 3000
outbox_grace_s = 2
graph_timeout_ms = 1500
graph_connect_timeout_ms = 1000' start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
CFG=$D/hubgate.conf
PW='outbox owner passphrase'
sql "$D" "INSERT INTO workspace (id, name, created_at) VALUES (2, 'Other', 0)" >/dev/null
user agent@example.org agent
user other@example.org owner 2
G=$TMP/jar-g; O=$TMP/jar-o
CSRF_G=$(signin agent@example.org "$G")
CSRF_O=$(signin other@example.org "$O")
# send JAR CSRF CONV JSON: body, then the status on the last line
send() {
	curl -s --max-time 10 -w '\n%{http_code}' -b "$1" -H "X-CSRF-Token: $2" \
	    -H "Origin: $BASE" -H 'Content-Type: application/json' \
	    --data-binary "$4" "$BASE/api/conversations/$3/messages"
}
status() { echo "$1" | tail -n 1; }
body() { echo "$1" | sed '$d'; }
# fake_count REGEX: rows of the fake's outbox whose body (compact JSON)
# matches
fake_outbox() { curl -s --max-time 10 "$CTL/outbox"; }
fake_count() {
	fake_outbox | python3 -c 'import json,re,sys
r=re.compile(sys.argv[1])
print(sum(1 for x in json.load(sys.stdin)["data"] if r.search(json.dumps(x.get("body"),separators=(",",":")))))' "$1"
}
# wait_for SQL WANT: poll the gateway's database (15 s at most)
wait_for() {
	local got
	for _ in $(seq 1 150); do
		got=$(sql "$D" "$1")
		[ "$got" == "$2" ] && break
		sleep 0.1
	done
	echo "$got"
}

P1=104857600000001
PSID=7300000000000001
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
curl -s "$CTL/world" >/dev/null
PT=$(curl -s -d action=issue -d kind=page -d page=$P1 "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$PT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token page $P1
expect_eq "$(sql "$D" "SELECT token_status || ':' || (length(token_sealed) > 40) FROM channel WHERE meta_id = '$P1'")" "valid:1" \
    "channel-token stores the Page token sealed"
# A new channel may not use HUMAN_AGENT until told Meta granted it.
sql "$D" "UPDATE channel SET human_agent = 1 WHERE meta_id = '$P1'" >/dev/null
sqlite3 "$D/fakemeta.db" "INSERT OR REPLACE INTO subscription VALUES ('$P1', 'messages,message_echoes,message_deliveries,message_reads');
INSERT OR REPLACE INTO subscription VALUES ('102290129340398', 'messages')"

# --- a reply reaches Meta; its echo and the read receipt tick it
curl -s -d platform=messenger -d page=$P1 -d 'text=Do you open on Sunday?' "$CTL/deliver" >/dev/null
r=$(curl -s -b "$G" "$BASE/api/conversations")
C1=$(echo "$r" | json 'j["conversations"][0]["id"]')
expect_match "$r" '"window":"open"' "the conversation is listed with its window open"
expect_match "$r" '"contact":\{"id":[0-9]+,"name":"[^"]*","picture":(null|"/api/media/[0-9]+")\}' "... its contact"
r=$(send "$G" "$CSRF_G" "$C1" '{"text":"Yes <b>from 9</b> & \"late\""}')
expect_eq "$(status "$r")" 202 "an agent's reply is accepted: 202"
ID1=$(body "$r" | json 'j["id"]')
expect_match "$(body "$r")" '"state":"queued"' "... queued"
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $ID1" sent)" sent "the worker sends it at once"
expect_eq "$(fake_count "\"metadata\":\"hubgate:outbox:$ID1\"")" 1 "the fake's outbox has it once, with the outbox id in metadata"
expect_eq "$(fake_count '"messaging_type":"RESPONSE"')" 1 "... as a RESPONSE"
MID=$(sql "$D" "SELECT meta_message_id FROM outbox WHERE id = $ID1")
expect_eq "$(fake_outbox | json 'j["data"][-1]["message_id"]')" "$MID" "the send keeps Meta's mid"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE conversation_id = $C1 AND direction = 'out'")" 1 \
    "the echo updated the thread's message instead of adding one"
expect_eq "$(sql "$D" "SELECT status || ':' || meta_message_id FROM message WHERE conversation_id = $C1 AND direction = 'out'")" "sent:$MID" \
    "... which is sent, with the mid"
curl -s -d platform=messenger -d page=$P1 -d type=read "$CTL/deliver" >/dev/null
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $ID1" read)" read "the read receipt ticks the send to read"
r=$(curl -s -b "$G" "$BASE/api/conversations/$C1/messages")
expect_eq "$(echo "$r" | json '[m["direction"]+":"+m["status"] for m in j["messages"]]')" '["in:received", "out:read"]' \
    "the thread: the person's message, then the reply, read"
expect_eq "$(echo "$r" | json 'j["messages"][1]["text"]')" 'Yes <b>from 9</b> & "late"' "markup stays text, as typed"
expect_eq "$(sql "$D" "SELECT class FROM outbox_attempt WHERE outbox_id = $ID1")" ok "the attempt is logged"

# --- idempotency, workspaces, tokens
r=$(send "$G" "$CSRF_G" "$C1" '{"text":"Only once please","idempotency_key":"k-1"}')
IDK=$(body "$r" | json 'j["id"]')
r2=$(send "$G" "$CSRF_G" "$C1" '{"text":"Only once please","idempotency_key":"k-1"}')
expect_eq "$(status "$r2")" 202 "the same idempotency key: the first answer's status"
expect_eq "$(body "$r2" | json 'j["id"]')" "$IDK" "... and its id"
wait_for "SELECT state FROM outbox WHERE id = $IDK" sent >/dev/null
sleep 0.5
expect_eq "$(fake_count 'Only once please')" 1 "the same idempotency key: one send"
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE idempotency_key = 'k-1'")" 1 "... one row"
r=$(send "$O" "$CSRF_O" "$C1" '{"text":"not mine"}')
expect_eq "$(status "$r")" 404 "another workspace's conversation: 404"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -b "$O" "$BASE/api/conversations/$C1/messages")" 404 "... its messages: 404"
expect_eq "$(curl -s -b "$O" "$BASE/api/conversations" | json 'len(j["conversations"])')" 0 "... and it is not listed there"
TOK=$(curl -s -b "$G" -H "X-CSRF-Token: $CSRF_G" -H "Origin: $BASE" -H 'Content-Type: application/json' \
    --data-binary '{"name":"crm","scope":"role"}' "$BASE/api/tokens" | json 'j["token"]')
RTOK=$(curl -s -b "$G" -H "X-CSRF-Token: $CSRF_G" -H "Origin: $BASE" -H 'Content-Type: application/json' \
    --data-binary '{"name":"ro","scope":"read"}' "$BASE/api/tokens" | json 'j["token"]')
r=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
    --data-binary '{"text":"From the CRM"}' "$BASE/api/conversations/$C1/messages")
expect_eq "$(status "$r")" 202 "an API token of role scope sends"
expect_eq "$(sql "$D" "SELECT author_kind FROM outbox WHERE id = $(body "$r" | json 'j["id"]')")" api "... as the api author"
r=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $RTOK" -H 'Content-Type: application/json' \
    --data-binary '{"text":"no"}' "$BASE/api/conversations/$C1/messages")
expect_eq "$(status "$r")" 403 "a read-scoped token may not"

# --- windows
curl -s -d platform=messenger -d page=$P1 -d sender=7300000000000002 -d age_s=691200 -d text=old "$CTL/deliver" >/dev/null
C8=$(sql "$D" "SELECT v.id FROM conversation v JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '7300000000000002'")
r=$(send "$G" "$CSRF_G" "$C8" '{"text":"Sorry for the wait"}')
expect_eq "$(status "$r")" 422 "8 days after the last message: refused (422)"
expect_match "$(body "$r")" '7 days' "... with the reason in words"
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE conversation_id = $C8")" 0 "... nothing queued"
curl -s -d platform=messenger -d page=$P1 -d sender=7300000000000003 -d age_s=172800 -d text=two "$CTL/deliver" >/dev/null
C2=$(sql "$D" "SELECT v.id FROM conversation v JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '7300000000000003'")
expect_match "$(curl -s -b "$G" "$BASE/api/conversations")" "\"id\":$C2,[^}]*\\}[^}]*\"window\":\"human_agent\"" "2 days: the window is human_agent"
r=$(send "$G" "$CSRF_G" "$C2" '{"text":"A person answers late"}')
expect_eq "$(status "$r")" 202 "a person answers at 2 days"
ID2=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $ID2" sent)" sent "... sent"
expect_eq "$(fake_count '"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT".*A person answers late')" 1 "... with the HUMAN_AGENT tag"
sql "$D" "UPDATE channel SET human_agent = 0 WHERE meta_id = '$P1'" >/dev/null
r=$(send "$G" "$CSRF_G" "$C2" '{"text":"again"}')
expect_eq "$(status "$r")" 422 "a channel without the HUMAN_AGENT setting: refused at 2 days"
sql "$D" "UPDATE channel SET human_agent = 1 WHERE meta_id = '$P1'" >/dev/null
r=$(send "$G" "$CSRF_G" "$C1" "{\"text\":\"$(python3 -c 'print(("word " * 500).strip())')\"}")
expect_eq "$(body "$r" | json 'j["sends"]')" 2 "a 2,499-character text is split into two messages"

# WhatsApp at 25 hours: templates only.
WA=106540352242922
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add whatsapp $WA 'Sandbox WA' >/dev/null
curl -s -d action=issue -d kind=user_long "$CTL/token" | json 'j["access_token"]' |
    HUBGATE_CONFIG=$CFG "$ADMIN" channel-token whatsapp $WA
curl -s -d platform=whatsapp -d age_s=90000 -d text=hola "$CTL/deliver" >/dev/null
CW=$(sql "$D" "SELECT v.id FROM conversation v JOIN channel c ON c.id = v.channel_id WHERE c.kind = 'whatsapp'")
r=$(send "$G" "$CSRF_G" "$CW" '{"text":"free text"}')
expect_eq "$(status "$r")" 422 "WhatsApp 25 h after the last message: text refused"
expect_match "$(body "$r")" 'template' "... the reason says only a template"
r=$(send "$G" "$CSRF_G" "$CW" '{"template":{"name":"hello_world","language":"en_US"}}')
expect_eq "$(status "$r")" 202 "... a template is accepted"
IDW=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDW" sent)" sent "... and sent"
expect_eq "$(fake_count "\"biz_opaque_callback_data\":\"hubgate:outbox:$IDW\"")" 1 "with the outbox id in biz_opaque_callback_data"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE conversation_id = $CW AND direction = 'out'")" 1 "its status reconciled the thread's message (no second one)"
curl -s -d platform=whatsapp -d type=read "$CTL/deliver" >/dev/null
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDW" read)" read "WhatsApp's read status ticks it to read"

# --- a token invalidated mid-queue
curl -s -d action=revoke -d "token=$PT" -d subcode=460 "$CTL/token" >/dev/null
r=$(send "$G" "$CSRF_G" "$C1" '{"text":"Paused one"}'); IDP1=$(body "$r" | json 'j["id"]')
r=$(send "$G" "$CSRF_G" "$C1" '{"text":"Paused two"}'); IDP2=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT token_status FROM channel WHERE meta_id = '$P1'" invalid)" invalid "a dead token marks the channel's token invalid"
sleep 1.5
expect_eq "$(sql "$D" "SELECT group_concat(state || ':' || attempts, ' ') FROM outbox WHERE id IN ($IDP1, $IDP2)")" "queued:0 queued:0" \
    "its sends stay queued, not burned as failures"
expect_eq "$(fake_count 'Paused')" 0 "nothing reached Meta"
PT2=$(curl -s -d action=issue -d kind=page -d page=$P1 "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$PT2" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token page $P1
expect_eq "$(wait_for "SELECT group_concat(state, ' ') FROM outbox WHERE id IN ($IDP1, $IDP2)" "sent sent")" "sent sent" \
    "a valid token again: they are sent"
expect_eq "$(fake_count 'Paused one')$(fake_count 'Paused two')" 11 "... once each"

# --- throttling waits what Meta says, then recovers
curl -s -d "path=/$P1/messages" -d kind=throttle -d code=613 -d usage=retry_after -d eta=2 -d times=1 "$CTL/fault" >/dev/null
T0=$(date +%s%N)
r=$(send "$G" "$CSRF_G" "$C1" '{"text":"Throttled once"}'); IDT=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDT" sent)" sent "a throttled send is sent after the wait"
expect_eq "$(( ($(date +%s%N) - T0) / 1000000 >= 1900 ))" 1 "... not before Meta's 2 s"
expect_eq "$(sql "$D" "SELECT group_concat(class || ':' || code, ' ') FROM outbox_attempt WHERE outbox_id = $IDT ORDER BY attempt")" "throttled:613 ok:0" \
    "... its attempts: throttled (613), then ok"
expect_eq "$(fake_count 'Throttled once')" 1 "... once"

# --- an answer lost after Meta served the call: unknown, then the echo
curl -s -d "path=/$P1/messages" -d kind=drop -d latency_ms=2500 -d times=1 "$CTL/fault" >/dev/null
r=$(send "$G" "$CSRF_G" "$C1" '{"text":"Answer lost"}'); IDL=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDL" sent)" sent "a call whose answer was lost is reconciled by its echo"
sleep 4
expect_eq "$(fake_count 'Answer lost')" 1 "... and never sent again"
expect_match "$(sql "$D" "SELECT group_concat(class, ' ') FROM outbox_attempt WHERE outbox_id = $IDL")" '^unknown$' "... its attempt was unknown (no answer)"

expect_eq "$(wait_for "SELECT value >= 8 FROM counter WHERE name = 'graph.ok'" 1)" 1 \
    "the worker thread's sends are counted as Graph calls (/metrics)"

# --- kill -9 of the sending process mid-burst
curl -s -d "path=/$P1/messages" -d kind=latency -d latency_ms=250 "$CTL/fault" >/dev/null
for i in $(seq 1 12); do
	send "$G" "$CSRF_G" "$C1" "{\"text\":\"Burst $i\"}" >/dev/null
done
for _ in $(seq 1 100); do
	[ "$(fake_count 'Burst [0-9]')" -ge 3 ] && break
	sleep 0.05
done
DASH=$(pgrep -P "$LIGHTTPD_PID" -f cgi-bin/dashboard)
kill -9 $DASH
expect_match "$DASH" '^[0-9]+' "the dashboard process was killed mid-burst"
before=$(fake_count 'Burst [0-9]')
expect_eq "$(( before >= 3 && before < 12 ))" 1 "... with part of the burst sent ($before of 12)"
curl -s -X DELETE "$CTL/fault" >/dev/null
for _ in $(seq 1 20); do
	HUBGATE_CONFIG=$CFG "$HUBGATE_BUILD/cron/webhook-retry" >/dev/null 2>&1
	[ "$(sql "$D" "SELECT count(*) FROM outbox v JOIN message m ON m.id = v.message_id WHERE m.text LIKE 'Burst %' AND v.state = 'sent'")" = 12 ] && break
	sleep 1
done
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox v JOIN message m ON m.id = v.message_id WHERE m.text LIKE 'Burst %' AND v.state = 'sent'")" 12 \
    "after the cron: every reply of the burst is sent"
order=$(fake_outbox | python3 -c 'import json,re,sys
b=[x["body"]["message"]["text"] for x in json.load(sys.stdin)["data"] if "Burst" in json.dumps(x.get("body"))]
print(" ".join(t.split()[1] for t in b))')
expect_eq "$order" "$(seq -s ' ' 1 12)" "the fake's outbox: each exactly once, in order"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE conversation_id = $C1 AND direction = 'out' AND text LIKE 'Burst %'")" 12 \
    "one message each in the thread"
if grep -q "$PT\|$PT2" "$D/error.log"; then not_ok "no token in the log"; else ok "no token in the log"; fi
t_done
