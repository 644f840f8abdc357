#!/usr/bin/env bash
# Forwarding through a real lighttpd, the fake of Meta and a local test
# receiver (tests/tools/fwdrecv): destinations through the API (201
# with the secret shown once, never again; private addresses 422;
# loopback only in the sandbox; another workspace's destinations
# invisible), then every event type arrives once, Standard Webhooks
# signed (checked with openssl as the README shows), in event order,
# with its JSON shape; a test event; the attempts' log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
. "$(dirname "$0")/fwdlib.sh"
sandbox_suite forward
W2=$($UT workspace "Second shop")
ADM=$($UT user adam@example.com "Adam Admin" admin 1)
AGENT=$($UT user amy@example.com "Amy Agent" agent 1)
OWNER2=$($UT user boris@other.example "Boris Boss" owner "$W2")
sign_in A "$ADM" 1
sign_in G "$AGENT" 1
sign_in B "$OWNER2" "$W2"

# The receiver.
R=$TMP/recv
recv_start "$R" || not_ok "the receiver starts"
RPORT=$RECV_PORT
URL=http://127.0.0.1:$RPORT/hook

# --- destinations through the API
ALL='["message.received","message.sent","message.status","conversation.escalated","conversation.assigned","conversation.closed","channel.updated","token.level","meta.event"]'
r=$(api A POST /api/destinations "{\"url\":\"$URL\",\"events\":$ALL,\"description\":\"Order system\",\"headers\":{\"X-Api-Key\":\"their-key-123\"}}")
expect_eq "$(status "$r")" 201 "an admin adds a destination: 201"
DEST=$(body "$r" | json 'j["id"]')
SECRET=$(body "$r" | json 'j["secret"]')
expect_match "$SECRET" '^whsec_[A-Za-z0-9+/]{43}=$' "... with its secret, whsec_ and 32 bytes"
expect_eq "$(body "$r" | json 'j["description"]')" "Order system" "... and its description"
r=$(api A GET /api/destinations)
expect_eq "$(status "$r")" 200 "the list: 200"
expect_eq "$(body "$r" | json 'len(j["data"])')" 1 "... one destination"
if body "$r" | grep -q "$SECRET" || body "$r" | grep -q their-key-123; then
	not_ok "the list never shows the secret or a header value"
else ok "the list never shows the secret or a header value"; fi
expect_eq "$(body "$(api A GET /api/destinations/$DEST)" | json 'j["has_headers"]')" true "... only that it has headers"
if grep -rq "${SECRET#whsec_}" "$D/error.log" "$D"/*.log 2>/dev/null; then
	not_ok "the secret is not in the logs"
else ok "the secret is not in the logs"; fi
expect_eq "$(sql "$D" "SELECT count(*) FROM fwd_destination WHERE instr(CAST(secret_sealed AS TEXT), 'whsec_') > 0")" 0 "the secret is stored sealed"
expect_eq "$(sql "$D" "SELECT count(*) FROM fwd_destination WHERE instr(CAST(headers_sealed AS TEXT), 'their-key-123') > 0 OR instr(CAST(headers_sealed AS TEXT), 'X-Api-Key') > 0")" 0 "... and so are its headers"
r=$(api G GET /api/destinations)
expect_eq "$(status "$r")" 403 "an agent cannot list destinations"
r=$(api B GET /api/destinations)
expect_eq "$(body "$r" | json 'len(j["data"])')" 0 "another workspace sees none of them"
r=$(api B GET /api/destinations/$DEST)
expect_eq "$(status "$r")" 404 "... nor this one by id"
r=$(api B DELETE /api/destinations/$DEST)
expect_eq "$(status "$r")" 404 "... and cannot delete it"
r=$(api B POST /api/destinations/$DEST/test)
expect_eq "$(status "$r")" 404 "... nor send it a test event"
for u in https://10.0.0.5/x https://192.168.1.20/x https://169.254.169.254/latest https://0xa9fea9fe/x \
    https://167772161/x 'https://[::ffff:10.0.0.1]/x' 'https://[fd00::1]/x' https://user:pw@93.184.216.34/x \
    ftp://93.184.216.34/x http://93.184.216.34/x; do
	r=$(api A POST /api/destinations "{\"url\":\"$u\",\"events\":[\"message.received\"]}")
	expect_eq "$(status "$r")" 422 "refused: $u"
done
r=$(api A POST /api/destinations '{"url":"https://localhost/x","events":["message.received"]}')
expect_eq "$(status "$r")" 201 "a loopback name is accepted in the sandbox"
LOOP=$(body "$r" | json 'j["id"]')
expect_eq "$(status "$(api A DELETE /api/destinations/$LOOP)")" 200 "... and deleted"
r=$(api A POST /api/destinations "{\"url\":\"$URL\",\"events\":[\"message.nope\"]}")
expect_eq "$(status "$r")" 422 "an unknown event type: 422"
r=$(api A POST /api/destinations "{\"url\":\"$URL\",\"events\":[]}")
expect_eq "$(status "$r")" 400 "no event type: 400"
# Custom headers: a name hubgate, curl or HTTP own is refused with 422
# and the rule in words (not stored and then left out when sending).
bad=
for h in webhook-id Webhook-Signature webhook-timestamp Content-Type content-length Host User-Agent \
    Connection Expect Transfer-Encoding TE Upgrade Keep-Alive Trailer Proxy-Authorization proxy-connection; do
	r=$(api A POST /api/destinations "{\"url\":\"$URL\",\"events\":[\"meta.event\"],\"headers\":{\"X-Ok\":\"1\",\"$h\":\"x\"}}")
	msg=$(body "$r" | json 'j["error"]["message"]')
	if [ "$(status "$r")" != 422 ] || [[ $msg != "headers: $h cannot be set: "* ]]; then bad="$bad $h($(status "$r"): $msg)"; fi
done
expect_eq "$bad" "" "a header hubgate, curl or HTTP own is refused: 422, naming it"
r=$(api A POST /api/destinations "{\"url\":\"$URL\",\"events\":[\"meta.event\"],\"headers\":{\"Connection\":\"close\"}}")
expect_match "$(body "$r" | json 'j["error"]["message"]')" 'belong to the connection' "... saying why"
r=$(api A POST /api/destinations "{\"url\":\"$URL\",\"events\":[\"meta.event\"],\"headers\":{\"webhook-id\":\"x\"}}")
expect_match "$(body "$r" | json 'j["error"]["message"]')" 'Standard Webhooks' "... and why for webhook-*"
# Malformed names and values, too many, twice: 422 with the rule.
LONGV=$(printf 'v%.0s' $(seq 1025))
LONGN=X-$(printf 'n%.0s' $(seq 63))
n=0
while IFS='|' read -r hdrs want; do
	n=$((n + 1))
	r=$(api A POST /api/destinations "{\"url\":\"$URL\",\"events\":[\"meta.event\"],\"headers\":$hdrs}")
	msg=$(body "$r" | json 'j["error"]["message"]')
	if [ "$(status "$r")" = 422 ] && [[ $msg =~ $want ]]; then ok "header case $n refused: $msg"
	else not_ok "header case $n refused: ${hdrs:0:80} -> $(status "$r") $msg (want /$want/)"; fi
done <<CASES
{"X Key":"a"}|name is letters, digits
{"X-Key:":"a"}|name is letters, digits
{"":"a"}|name is 1 to 64
{"$LONGN":"a"}|name is 1 to 64
{"X-Key\r\nX-Evil":"a"}|name is letters, digits
{"X-Key":"a\r\nX-Evil: 1"}|X-Key's value: .*control character
{"X-Key":"a\nb"}|control character
{"X-Key":"a\u0000b"}|NUL character
{"X-A\u0000B":"a"}|NUL character
{"X-Key":"a\u007fb"}|control character
{"X-Key":" padded"}|blank
{"X-Key":"$LONGV"}|at most 1024 bytes
{"X-Key":5}|every value is text
{"X-Key":"a","x-key":"b"}|x-key is given twice
{"H1":"a","H2":"a","H3":"a","H4":"a","H5":"a","H6":"a","H7":"a","H8":"a","H9":"a"}|at most 8
CASES
# What is allowed: any token name (RFC 9110), a value with inner blanks
# and tabs, eight of them.
r=$(api A POST /api/destinations "{\"url\":\"$URL\",\"events\":[\"meta.event\"],\"enabled\":false,\"headers\":{\"X-Trace.Id~1\":\"a\tb c\",\"Authorization\":\"Bearer k\",\"H3\":\"a\",\"H4\":\"a\",\"H5\":\"a\",\"H6\":\"a\",\"H7\":\"a\",\"H8\":\"a\"}}")
expect_eq "$(status "$r")" 201 "a token name, a value with inner blanks, eight headers: accepted"
HOK=$(body "$r" | json 'j["id"]')
r=$(api A PUT /api/destinations/$HOK '{"headers":{"Host":"evil.example"}}')
expect_eq "$(status "$r")" 422 "changing them to one hubgate owns: 422"
expect_eq "$(sql "$D" "SELECT length(headers_sealed) > 0 FROM fwd_destination WHERE id = $HOK")" 1 "... and the headers stay as they were"
api A DELETE /api/destinations/$HOK >/dev/null
# The audit log records the host, never the URL's path or query (a key
# of theirs may be there).
A0=$(sql "$D" "SELECT coalesce(max(id), 0) FROM audit_log")
r=$(api A POST /api/destinations "{\"url\":\"$URL/sekrit-path-1?key=sekrit-query-1\",\"events\":[\"meta.event\"],\"enabled\":false}")
AUD=$(body "$r" | json 'j["id"]')
api A PUT /api/destinations/$AUD "{\"url\":\"http://localhost:$RPORT/sekrit-path-2?token=sekrit-query-2\"}" >/dev/null
expect_eq "$(sql "$D" "SELECT action || ' ' || detail FROM audit_log WHERE object = 'destination:$AUD' AND id > $A0 ORDER BY id" | tr '\n' ';')" \
    "destination_add host=127.0.0.1;destination_change host=localhost;" "the audit rows of a destination hold its host"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE detail LIKE '%sekrit%' OR object LIKE '%sekrit%'")" 0 "... and no row its path or query"
r=$(api A GET "/api/audit?action=destination_add")
expect_match "$(body "$r" | json '[e["detail"] for e in j["entries"]]')" 'host=127.0.0.1' "... as GET /api/audit shows"
if grep -rq sekrit "$D"/*.log 2>/dev/null; then not_ok "... nor does any log"; else ok "... nor does any log"; fi
api A DELETE /api/destinations/$AUD >/dev/null
expect_eq "$(sql "$D" "SELECT count(*) FROM fwd_destination")" 1 "nothing refused was stored"

# Outside the sandbox, loopback is refused too (the API of a second
# configuration on the same database, as CGI).
NOSB=$D/nosandbox.conf
sed -e '/^sandbox = /d' -e 's/^app_id = .*/app_id = 1234567890/' "$D/hubgate.conf" > "$NOSB"
JB="{\"url\":\"http://0x7f.1:$RPORT/hook\",\"events\":[\"meta.event\"]}"
out=$(cd "$D" && printf '%s' "$JB" | HUBGATE_CONFIG=$NOSB GATEWAY_INTERFACE=CGI/1.1 \
    REQUEST_METHOD=POST SCRIPT_NAME=/api PATH_INFO=/destinations REQUEST_URI=/api/destinations \
    SERVER_NAME=127.0.0.1 SERVER_PORT=$PORT HTTP_HOST=127.0.0.1:$PORT REMOTE_ADDR=127.0.0.1 \
    CONTENT_TYPE=application/json CONTENT_LENGTH=${#JB} HTTP_COOKIE="hg_session=$A_C" \
    HTTP_X_CSRF_TOKEN="$A_T" HTTP_ORIGIN="$BASE" "$HUBGATE_BUILD/cgi-bin/dashboard" 2>&1)
expect_match "$out" '422' "outside the sandbox a loopback URL is refused: 422"

# Filters: a destination for WhatsApp only, one for another channel.
r=$(api A POST /api/destinations "{\"url\":\"$URL\",\"events\":[\"message.received\",\"meta.event\"],\"platforms\":[\"whatsapp\"],\"enabled\":false}")
WA_ONLY=$(body "$r" | json 'j["id"]')
expect_eq "$(body "$r" | json 'j["platforms"]')" '["whatsapp"]' "a destination for WhatsApp alone"
api A PUT /api/destinations/$WA_ONLY '{"enabled":true,"ordered":false,"rate_per_s":5}' >/dev/null
r=$(api A POST /api/destinations "{\"url\":\"$URL\",\"events\":[\"message.received\"],\"channels\":[999999]}")
OTHER_CH=$(body "$r" | json 'j["id"]')
expect_eq "$(body "$r" | json 'j["channels"]')" '[999999]' "a destination for another channel"
r=$(api A PUT /api/destinations/$OTHER_CH '{"platforms":["fax"]}')
expect_eq "$(status "$r")" 400 "an unknown platform: 400"

# --- every event type, once, signed, in order
P1=104857600000001
CH=$("$ADMIN" channel-add page $P1 'Sandbox Bakery')
# A destination for this channel and platform, on a receiver of its own.
R2=$TMP/recv2
recv_start "$R2" || not_ok "the second receiver starts"
r=$(api A POST /api/destinations "{\"url\":\"http://127.0.0.1:$RECV_PORT/mine\",\"events\":[\"message.received\"],\"channels\":[$CH],\"platforms\":[\"page\",\"instagram\"]}")
MINE=$(body "$r" | json 'j["id"]')
expect_eq "$(status "$r")" 201 "a destination for this channel, on Pages and Instagram"
curl -s "$CTL/world" >/dev/null
PT=$(curl -s -d action=issue -d kind=page -d page=$P1 "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$PT" | "$ADMIN" channel-token page $P1
curl -s -d platform=messenger -d page=$P1 -d 'text=Is the cake ready?' "$CTL/deliver" >/dev/null
for _ in $(seq 50); do [ "$(sql "$D" "SELECT count(*) FROM message")" = 1 ] && break; sleep 0.1; done
C=$(sql "$D" "SELECT id FROM conversation")
r=$(api A POST /api/conversations/$C/messages '{"text":"Yes, at five","idempotency_key":"k-1"}')
expect_eq "$(status "$r")" 202 "a reply is queued"
for _ in $(seq 100); do [ "$(sql "$D" "SELECT count(*) FROM message WHERE direction = 'out' AND status = 'sent'")" = 1 ] && break; sleep 0.1; done
sql "$D" "UPDATE message SET status = 'delivered' WHERE direction = 'out'" >/dev/null
r=$(api A POST /api/conversations/$C/assign "{\"user_id\":$ADM}")
expect_eq "$(status "$r")" 200 "the conversation is assigned"
sql "$D" "UPDATE conversation SET status = 'escalated' WHERE id = $C" >/dev/null
r=$(api A POST /api/conversations/$C/close '{}')
expect_eq "$(status "$r")" 200 "... escalated, then closed"
sql "$D" "INSERT OR IGNORE INTO token_check (subject, subject_id, workspace_id) VALUES ('channel', $CH, 1)" >/dev/null
sql "$D" "UPDATE token_check SET level = 'warning' WHERE subject = 'channel' AND subject_id = $CH" >/dev/null
expect_eq "$(sql "$D" "SELECT count(*) FROM fwd_delivery WHERE destination_id IN ($WA_ONLY, $OTHER_CH)")" 0 "Page events reach neither the WhatsApp-only nor the other channel's destination"
expect_eq "$(recv_wait "$R2" 1)" 1 "... and the one for this channel and platform gets its message"
expect_eq "$(cut -f6 "$R2/log" | json 'j["type"] + " " + j["data"]["message"]["text"]')" "message.received Is the cake ready?" "... the message received"
api A DELETE /api/destinations/$MINE >/dev/null
api A DELETE /api/destinations/$WA_ONLY >/dev/null
api A DELETE /api/destinations/$OTHER_CH >/dev/null
WANT=$(sql "$D" "SELECT count(*) FROM fwd_event")
expect_eq "$(wait_lines "$WANT")" "$WANT" "the receiver got every event ($WANT)"
for t in message.received message.sent message.status conversation.escalated conversation.assigned \
    conversation.closed token.level meta.event; do
	expect_eq "$(cut -f6 "$R/log" | grep -c "\"type\":\"$t\"")" 1 "$t arrived once"
done
# The channel: connected, then its token stored.
expect_eq "$(cut -f6 "$R/log" | grep '"type":"channel.updated"' | grep -o '"change":"[a-z]*"' | tr '\n' ' ')" \
    '"change":"connected" "change":"updated" ' "channel.updated arrived for the connection and for the token"
expect_eq "$(cut -f1 "$R/log" | sort | uniq -d | wc -l)" 0 "no webhook-id twice"
bad=0
while IFS=$'\t' read -r id ts sig key st bodyj; do
	fwd_verify "$id" "$ts" "$sig" "$bodyj" "$SECRET" || bad=$((bad + 1))
	[ "$key" = their-key-123 ] || bad=$((bad + 1))
	id2=$(printf '%s' "$bodyj" | json 'j["id"]')
	[ "$id2" = "$id" ] || bad=$((bad + 1))
done < "$R/log"
expect_eq "$bad" 0 "every request verifies, carries the custom header, and its id is the event's"
# A signature under another secret does not verify (the check can fail).
IFS=$'\t' read -r id ts sig key st bodyj < "$R/log"
if fwd_verify "$id" "$ts" "$sig" "$bodyj" whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw; then
	not_ok "another secret does not verify"
else ok "another secret does not verify"; fi
if fwd_verify "$id" "$ts" "$sig" "$bodyj " "$SECRET"; then
	not_ok "an altered body does not verify"
else ok "an altered body does not verify"; fi
# Every event matches the documented JSON Schema (docs/events.schema.json).
out=$(cut -f6 "$R/log" | python3 -c 'import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
bad = [e.message for l in sys.stdin for e in v.iter_errors(json.loads(l))]
print(len(bad)); print("\n".join(bad[:5]))' "$HUBGATE_ROOT/docs/events.schema.json")
expect_eq "$(echo "$out" | head -1)" 0 "every event matches docs/events.schema.json"
out=$(printf '{"id":"evt_x","type":"message.received","timestamp":"t","workspace":1,"data":{"message":{}}}\n' |
    python3 -c 'import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
print(len(list(v.iter_errors(json.loads(sys.stdin.read())))))' "$HUBGATE_ROOT/docs/events.schema.json")
if [ "$out" -gt 0 ]; then ok "... and the schema refuses a malformed one"; else not_ok "... and the schema refuses a malformed one"; fi
# hubgate-admin verify-delivery on a captured request.
IFS=$'\t' read -r id ts sig key st bodyj < "$R/log"
printf 'POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nwebhook-id: %s\r\nwebhook-timestamp: %s\r\nwebhook-signature: %s\r\nContent-Length: %s\r\n\r\n%s' \
    "$id" "$ts" "$sig" "${#bodyj}" "$bodyj" > "$TMP/req.txt"
out=$(echo "$SECRET" | "$ADMIN" verify-delivery "$TMP/req.txt")
expect_eq "$?" 0 "hubgate-admin verify-delivery accepts a captured delivery"
expect_match "$out" "^valid: webhook-id $id" "... and says so"
sed -i 's/"id":/"ID":/' "$TMP/req.txt"
out=$(echo "$SECRET" | "$ADMIN" verify-delivery "$TMP/req.txt")
expect_eq "$?" 1 "... and refuses it changed"
expect_match "$out" 'no signature matches' "... in words"
# Order: the receiver saw the events in the order they were made.
expect_eq "$(cut -f1 "$R/log" | tr '\n' ' ')" "$(sql "$D" "SELECT uid FROM fwd_event ORDER BY id" | tr '\n' ' ')" "events arrive in the order they were made"
# The shape of a message event.
line=$(cut -f6 "$R/log" | grep '"type":"message.received"')
expect_eq "$(printf '%s' "$line" | json 'j["data"]["message"]["text"]')" "Is the cake ready?" "message.received: the text"
expect_eq "$(printf '%s' "$line" | json 'j["data"]["channel"]["platform"]')" page "... the channel's platform"
expect_eq "$(printf '%s' "$line" | json 'j["workspace"]')" 1 "... the workspace"
expect_match "$(printf '%s' "$line" | json 'j["timestamp"]')" '^20[0-9-]+T[0-9:.]+Z$' "... an ISO 8601 timestamp"
expect_eq "$(printf '%s' "$line" | json 'sorted(j.keys())')" '["data", "id", "timestamp", "type", "workspace"]' "... and nothing else at the top"
if grep -q "access_token\|token_sealed" "$R/log"; then not_ok "no token in any event"; else ok "no token in any event"; fi
line=$(cut -f6 "$R/log" | grep '"type":"meta.event"')
expect_eq "$(printf '%s' "$line" | json 'j["data"]["body"]["object"]')" page "meta.event carries Meta's raw event"

# --- the attempts' log, a test event
r=$(api A GET /api/destinations/$DEST/deliveries)
expect_eq "$(body "$r" | json 'len(j["data"])')" "$WANT" "every delivery is listed"
expect_eq "$(body "$r" | json 'set(x["state"] for x in j["data"])')" '{'"'"'delivered'"'"'}' "... delivered"
DL=$(body "$r" | json 'j["data"][0]["id"]')
r=$(api A GET /api/deliveries/$DL)
expect_eq "$(body "$r" | json 'j["attempts"][0]["status"]')" 200 "a delivery's attempt: 200"
expect_eq "$(body "$r" | json 'j["attempts"][0]["response"]')" answer "... with the answer's first bytes"
r=$(api B GET /api/deliveries/$DL)
expect_eq "$(status "$r")" 404 "another workspace cannot see a delivery"
r=$(api A POST /api/destinations/$DEST/test)
expect_eq "$(status "$r")" 202 "a test event: 202"
TID=$(body "$r" | json 'j["event_id"]')
expect_eq "$(wait_lines $((WANT + 1)))" $((WANT + 1)) "... it arrives"
expect_eq "$(tail -n 1 "$R/log" | cut -f1)" "$TID" "... with its id"
expect_eq "$(tail -n 1 "$R/log" | cut -f6 | json 'j["type"]')" destination.test "... of type destination.test"
r=$(api A GET /api/destinations/$DEST)
expect_eq "$(body "$r" | json 'j["last_status"]')" 200 "the destination shows its last status"
expect_eq "$(body "$r" | json 'j["last_24h"]["success_rate"]')" 1 "... and its success rate"
expect_eq "$(body "$r" | json 'j["backlog"]')" 0 "... and no backlog"

# --- include_raw: Meta's raw item on request, per destination
r=$(api A POST /api/destinations "{\"url\":\"$URL\",\"events\":[\"message.received\"],\"include_raw\":true,\"headers\":{\"X-Api-Key\":\"raw-key\"}}")
RAWD=$(body "$r" | json 'j["id"]')
expect_eq "$(body "$r" | json 'j["include_raw"]')" true "a destination asks for the raw item"
n=$(wc -l < "$R/log")
sql "$D" "INSERT INTO message (conversation_id, channel_id, meta_message_id, direction, kind, raw, sent_ms, created_ms) VALUES ($C, $CH, 'm_raw_1', 'in', 'unsupported', '{\"type\":\"unsupported\",\"x\":1}', 1, 1)" >/dev/null
expect_eq "$(wait_lines $((n + 2)))" $((n + 2)) "a message kept raw goes to both destinations"
expect_eq "$(tail -n 2 "$R/log" | awk -F'\t' '$4 == "raw-key"' | cut -f6 | json 'j["data"]["raw"]["x"]')" 1 "... with data.raw to the one that asked"
expect_eq "$(tail -n 2 "$R/log" | awk -F'\t' '$4 == "their-key-123"' | cut -f6 | json '"raw" in j["data"]')" false "... and without to the other"
api A DELETE /api/destinations/$RAWD >/dev/null

# --- erasure: the person's events go with their data
PSID=$(sql "$D" "SELECT meta_user_id FROM contact LIMIT 1")
before=$(sql "$D" "SELECT count(*) FROM fwd_event WHERE instr(data, '$PSID') > 0")
if [ "$before" -gt 0 ]; then ok "events name the person before the erasure ($before)"; else not_ok "events name the person before the erasure"; fi
"$ADMIN" contact-erase "$PSID" >/dev/null
expect_eq "$(sql "$D" "SELECT count(*) FROM fwd_event WHERE instr(data, '$PSID') > 0 OR instr(data, 'Is the cake ready') > 0")" 0 "after contact-erase no event holds their id or words"
expect_eq "$(sql "$D" "SELECT count(*) FROM fwd_delivery WHERE event_id NOT IN (SELECT id FROM fwd_event)")" 0 "... nor a delivery of one"
expect_eq "$(sql "$D" "SELECT count(*) FROM fwd_event WHERE type = 'destination.test'")" 1 "... and other events stay"
t_done
