#!/usr/bin/env bash
# The bot hook through a real lighttpd, the fake of Meta and the example
# bot (tests/bot/example_bot.py): PUT /api/settings/bot keeps the secret
# sealed and never shows it; a rule hands "order NNN" to the bot with
# the number as a parameter, the bot's signed request (Standard
# Webhooks) carries the message and its history, its answer is sent
# through the outbox as the bot's, with its tags; a bot unsure (low
# confidence) or asking for a person escalates; a bot that times out,
# or refuses a request signed with another secret, is tried again and
# then the conversation escalates with "bot unavailable" and the notice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
t_tmp bot
D=$TMP/d
SANDBOX_CONF='outbox_lease_ms = 3000
outbox_grace_s = 2' start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
CFG=$D/hubgate.conf
PW='bot hook passphrase'
user admin@example.org admin
A=$TMP/jar-a
CSRF_A=$(signin admin@example.org "$A")
adm() {  # METHOD PATH [JSON]: body, then the status on the last line
	curl -s --max-time 10 -w '\n%{http_code}' -b "$A" -H "X-CSRF-Token: $CSRF_A" \
	    -H "Origin: $BASE" -H 'Content-Type: application/json' -X "$1" \
	    ${3:+--data-binary "$3"} "$BASE$2"
}
status() { echo "$1" | tail -n 1; }
body() { echo "$1" | sed '$d'; }
fake_count() {
	curl -s --max-time 10 "$CTL/outbox" | python3 -c 'import json,re,sys
r=re.compile(sys.argv[1])
print(sum(1 for x in json.load(sys.stdin)["data"] if r.search(json.dumps(x.get("body"),separators=(",",":"),ensure_ascii=False))))' "$1"
}
wait_for() {  # SQL WANT [TRIES]: poll the gateway's database
	local got
	for _ in $(seq 1 "${3:-150}"); do
		got=$(sql "$D" "$1")
		[ "$got" == "$2" ] && break
		sleep 0.1
	done
	echo "$got"
}
deliver() {  # SENDER TEXT
	curl -s -d platform=messenger -d page=$P1 -d sender="$1" --data-urlencode "text=$2" "$CTL/deliver" >/dev/null
}
conv_of() { sql "$D" "SELECT v.id FROM conversation v JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '$1'"; }

P1=104857600000001
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
curl -s "$CTL/world" >/dev/null
PT=$(curl -s -d action=issue -d kind=page -d page=$P1 "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$PT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token page $P1
sqlite3 "$D/fakemeta.db" "INSERT OR REPLACE INTO subscription VALUES ('$P1', 'messages,message_echoes,message_deliveries,message_reads')"

# The example bot, with a Standard Webhooks secret.
SECRET=whsec_$(head -c 24 /dev/urandom | base64)
python3 "$HUBGATE_ROOT/tests/bot/example_bot.py" "$SECRET" "$TMP/bot.port" "$TMP/bot.log" &
BOT_PID=$!
for _ in $(seq 1 50); do [ -s "$TMP/bot.port" ] && break; sleep 0.1; done
BOT=http://127.0.0.1:$(cat "$TMP/bot.port")/bot

# --- settings --------------------------------------------------------------
r=$(adm PUT /api/settings/bot '{"url":"ftp://example.org/bot","secret":"0123456789abcdef0123"}')
expect_eq "$(status "$r")" 422 "a bot URL that is not https (or http to this machine): 422"
for u in https://169.254.169.254/latest https://10.1.2.3/bot 'https://[fd00::1]/bot' https://0x7f000001.example.invalid/bot; do
	r=$(adm PUT /api/settings/bot "{\"url\":\"$u\",\"secret\":\"0123456789abcdef0123\"}")
	expect_eq "$(status "$r")" 422 "a bot at $u: 422 (never this server's private neighbours)"
done
expect_match "$(body "$r")" 'url: ' "... saying what is wrong with the URL"
r=$(adm PUT /api/settings/bot "{\"url\":\"$BOT\",\"secret\":\"short\"}")
expect_eq "$(status "$r")" 422 "a secret that is too short: 422"
r=$(adm PUT /api/settings/bot "{\"url\":\"$BOT\",\"secret\":\"$SECRET\",\"confidence_threshold\":0.7,\"timeout_ms\":1500}")
expect_eq "$(status "$r")" 200 "PUT /api/settings/bot"
expect_eq "$(body "$r" | json '[j["url"] == "'"$BOT"'", j["secret_set"], j["confidence_threshold"], "secret" in j]')" \
    '[true, true, 0.7, false]' "... answers the settings, never the secret"
expect_eq "$(sql "$D" "SELECT instr(bot_secret_sealed, CAST('$SECRET' AS BLOB)) FROM automation_setting")" 0 \
    "the secret is stored sealed"
expect_eq "$(grep -c "$SECRET" "$D"/*.log 2>/dev/null | awk -F: '{s+=$2} END {print s+0}')" 0 "... and never logged"
r=$(adm POST /api/rules '{"name":"Order status","when":{"pattern":"order ([0-9]+)"},"then":[{"bot":{"params":{"order":"{match.1}"}}}]}')
expect_eq "$(status "$r")" 201 "a rule hands 'order NNN' to the bot"
adm POST /api/rules '{"name":"Ask the bot","when":{"keywords":["maybe","refund","slow"]},"then":[{"bot":{}}]}' >/dev/null

# --- the bot answers -----------------------------------------------------------
S1=5552000001
deliver $S1 'Hello, where is my ORDER 41?'
C1=$(conv_of $S1)
expect_eq "$(wait_for "SELECT state FROM outbox WHERE conversation_id = $C1 AND author_kind = 'bot'" sent)" sent \
    "the bot's reply went through the outbox"
expect_eq "$(fake_count '"text":"Order 41: shipped, arriving Thursday\."')" 1 "the fake got the bot's answer"
expect_eq "$(sql "$D" "SELECT author FROM message WHERE conversation_id = $C1 AND direction = 'out'")" bot "... authored by the bot"
expect_eq "$(sql "$D" "SELECT group_concat(tag) FROM conversation_tag WHERE conversation_id = $C1")" order "... with its tags"
expect_eq "$(head -n 1 "$TMP/bot.log" | json '[j["verified"], j["body"]["params"], j["body"]["message"]["text"], j["body"]["history"][-1]["text"], j["body"]["conversation"]["channel"]["kind"]]')" \
    '[true, {"order": "41"}, "Hello, where is my ORDER 41?", "Hello, where is my ORDER 41?", "page"]' \
    "the request was signed, with the order number, the message and its history"
expect_eq "$(sql "$D" "SELECT state || ' ' || attempts FROM bot_call WHERE conversation_id = $C1")" 'done 1' "one call, done"

# --- unsure, handover -----------------------------------------------------------
S2=5552000002
deliver $S2 'maybe tomorrow?'
C2=$(conv_of $S2)
expect_eq "$(wait_for "SELECT status FROM conversation WHERE id = $C2" escalated)" escalated "a bot below the confidence threshold escalates"
expect_match "$(sql "$D" "SELECT escalation_reason FROM conversation WHERE id = $C2")" 'unsure \(confidence 0.30, below 0.70\)' "... saying so"
expect_eq "$(wait_for "SELECT count(*) FROM outbox WHERE conversation_id = $C2 AND state = 'sent'" 1)" 1 "... and only the notice is sent"
expect_eq "$(fake_count '"text":"Perhaps\?"')" 0 "... not the unsure answer"
S3=5552000003
deliver $S3 'refund my cake'
C3=$(conv_of $S3)
expect_eq "$(wait_for "SELECT status FROM conversation WHERE id = $C3" escalated)" escalated "a bot asking for a person escalates"
expect_eq "$(sql "$D" "SELECT escalation_reason FROM conversation WHERE id = $C3")" 'the bot asked for a person: a refund needs a person' "... with its reason"

# --- unavailable ------------------------------------------------------------------
S4=5552000004
deliver $S4 'slow reply please'
C4=$(conv_of $S4)
expect_eq "$(wait_for "SELECT status FROM conversation WHERE id = $C4" escalated 200)" escalated "a bot that times out: escalated"
expect_eq "$(sql "$D" "SELECT escalation_reason FROM conversation WHERE id = $C4")" 'bot unavailable' "... bot unavailable"
expect_eq "$(sql "$D" "SELECT state || ' ' || attempts FROM bot_call WHERE conversation_id = $C4")" 'failed 2' "... after two tries"
M4=$(sql "$D" "SELECT message_id FROM bot_call WHERE conversation_id = $C4")
expect_eq "$(grep '"message": {"id": '"$M4"',' "$TMP/bot.log" | grep -o '"webhook_id": "[^"]*"' | sort | uniq -c | awk '{print $1, $3}' | tr -d '"')" \
    "2 botcall_$(sql "$D" "SELECT id FROM bot_call WHERE conversation_id = $C4")" "... the bot got the request twice, with the same webhook-id"
expect_eq "$(wait_for "SELECT count(*) FROM outbox WHERE conversation_id = $C4 AND state = 'sent'" 1)" 1 "... and the contact gets the notice"
expect_match "$(sql "$D" "SELECT text FROM message WHERE conversation_id = $C4 AND direction = 'out'")" '^Thanks! .*connecting you with a person' "... the default one"
adm PUT /api/settings/bot "{\"url\":\"$BOT\",\"secret\":\"another-secret-0123456789\",\"timeout_ms\":1500}" >/dev/null
S5=5552000005
deliver $S5 'order 7 please'
C5=$(conv_of $S5)
expect_eq "$(wait_for "SELECT status FROM conversation WHERE id = $C5" escalated 200)" escalated \
    "signed with another secret, the bot refuses: escalated"
expect_eq "$(tail -n 1 "$TMP/bot.log" | json 'j["verified"]')" false "... the bot could not verify the signature"
expect_match "$(sql "$D" "SELECT error FROM bot_call WHERE conversation_id = $C5")" 'HTTP 401' "... the call says why"

# A call queued just before the bot was taken away: nobody would answer.
r=$(adm PUT /api/settings/bot '{"url":""}')
expect_eq "$(status "$r") $(body "$r" | json 'j["url"]')" "200 " "url \"\" turns the bot off"
M1=$(sql "$D" "SELECT id FROM message WHERE conversation_id = $C1 AND direction = 'in'")
sql "$D" "INSERT INTO bot_call (workspace_id, conversation_id, message_id, next_attempt_ms, created_ms, updated_ms) VALUES (1, $C1, $M1, 0, 0, 0)" >/dev/null
expect_eq "$(wait_for "SELECT status FROM conversation WHERE id = $C1" escalated)" escalated \
    "a call for a bot taken away escalates at once"
expect_eq "$(sql "$D" "SELECT escalation_reason FROM conversation WHERE id = $C1")" 'bot unavailable' "... bot unavailable"

kill "$BOT_PID" 2>/dev/null
stop_lighttpd
t_done
