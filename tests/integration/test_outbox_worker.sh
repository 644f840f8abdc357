#!/usr/bin/env bash
# The outbound worker through a real lighttpd and the fake of Meta:
# several sends leave at once (one per conversation; each conversation
# in order); an answer lost on Messenger, with no echo to reconcile it,
# is looked up in the Page's conversation before sending again (found:
# sent, never doubled); on WhatsApp a lost answer is sent again at most
# once, then becomes a dead letter that says to check Meta's inbox; a
# reply whose window closed while it waited in the queue is not sent,
# with the reason in words.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
t_tmp outbox-worker
D=$TMP/d
SANDBOX_CONF='outbox_lease_ms = 3000
outbox_grace_s = 2
graph_timeout_ms = 1500
graph_connect_timeout_ms = 1000' start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
CFG=$D/hubgate.conf
PW='outbox worker passphrase'
printf '%s\n' "$PW" | HUBGATE_CONFIG=$CFG "$ADMIN" user-add agent@example.org --role agent >/dev/null
G=$TMP/jar-g
CSRF=$(curl -s -c "$G" -H 'Content-Type: application/json' \
    --data-binary '{"email":"agent@example.org","password":"'"$PW"'"}' "$BASE/api/session" |
    sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
send() {  # CONV JSON: body, then the status on the last line
	curl -s --max-time 10 -w '\n%{http_code}' -b "$G" -H "X-CSRF-Token: $CSRF" \
	    -H "Origin: $BASE" -H 'Content-Type: application/json' \
	    --data-binary "$2" "$BASE/api/conversations/$1/messages"
}
body() { echo "$1" | sed '$d'; }
fake_count() {  # REGEX: rows of the fake's outbox whose body matches
	curl -s --max-time 10 "$CTL/outbox" | python3 -c 'import json,re,sys
r=re.compile(sys.argv[1])
print(sum(1 for x in json.load(sys.stdin)["data"] if r.search(json.dumps(x.get("body"),separators=(",",":")))))' "$1"
}
wait_for() {  # SQL WANT [TENTHS]: poll the gateway's database
	local got
	for _ in $(seq 1 "${3:-150}"); do
		got=$(sql "$D" "$1")
		[ "$got" == "$2" ] && break
		sleep 0.1
	done
	echo "$got"
}

P1=104857600000001
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
curl -s "$CTL/world" >/dev/null
PT=$(curl -s -d action=issue -d kind=page -d page=$P1 "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$PT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token page $P1
# Messages but no echoes: nothing reconciles a lost answer but the
# worker's own question.
sqlite3 "$D/fakemeta.db" "INSERT OR REPLACE INTO subscription VALUES ('$P1', 'messages')"
for i in 1 2 3 4 5 6; do
	curl -s -d platform=messenger -d page=$P1 -d sender=730000000000010$i -d "text=Hello $i" "$CTL/deliver" >/dev/null
done
expect_eq "$(wait_for "SELECT count(*) FROM conversation" 6)" 6 "six people wrote"

# --- several at once: six conversations, each call held 1 s by Meta
curl -s -d "path=/$P1/messages" -d kind=latency -d latency_ms=1000 "$CTL/fault" >/dev/null
T0=$(date +%s%N)
for c in $(sql "$D" "SELECT id FROM conversation ORDER BY id"); do
	send "$c" "{\"text\":\"Parallel $c\"}" >/dev/null
done
expect_eq "$(wait_for "SELECT count(*) FROM outbox WHERE state = 'sent'" 6)" 6 "six replies to six people are sent"
ms=$(( ($(date +%s%N) - T0) / 1000000 ))
expect_eq "$(( ms < 4000 ))" 1 "... together: $ms ms for six calls of 1 s each"
expect_eq "$(fake_count 'Parallel')" 6 "... once each"
# In one conversation, in order even so.
C1=$(sql "$D" "SELECT min(id) FROM conversation")
for i in 1 2 3 4; do send "$C1" "{\"text\":\"Ordered $i\"}" >/dev/null; done
expect_eq "$(wait_for "SELECT count(*) FROM outbox WHERE state = 'sent' AND body LIKE '%Ordered%'" 4)" 4 "four replies in one conversation are sent"
order=$(curl -s "$CTL/outbox" | python3 -c 'import json,sys
print(" ".join(x["body"]["message"]["text"].split()[1] for x in json.load(sys.stdin)["data"] if "Ordered" in json.dumps(x.get("body"))))')
expect_eq "$order" "1 2 3 4" "... one after the other, in order"
curl -s -X DELETE "$CTL/fault" >/dev/null

# --- Messenger: a lost answer, no echo: found in the conversation
curl -s -d "path=/$P1/messages" -d kind=drop -d latency_ms=2500 -d times=1 "$CTL/fault" >/dev/null
r=$(send "$C1" '{"text":"Lost then found"}'); IDL=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDL" unknown)" unknown "a lost answer: unknown"
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDL" sent 100)" sent "... after the grace, found in the Page's conversation: sent"
expect_eq "$(fake_count 'Lost then found')" 1 "... and never sent twice"
mid=$(curl -s "$CTL/outbox" | python3 -c 'import json,sys
print([x["message_id"] for x in json.load(sys.stdin)["data"] if "Lost then found" in json.dumps(x.get("body"))][0])')
expect_eq "$(sql "$D" "SELECT meta_message_id FROM outbox WHERE id = $IDL")" "$mid" "... with the id Meta gave it"
expect_eq "$(sql "$D" "SELECT group_concat(class, ' ') FROM (SELECT class FROM outbox_attempt WHERE outbox_id = $IDL ORDER BY attempt)")" "unknown ok" \
    "... its attempts: unknown, then ok"

# --- Messenger: a lost answer, and nothing in the conversation (the
# fake forgets what it was sent): sent again, once
curl -s -d "path=/$P1/messages" -d kind=drop -d latency_ms=2500 -d times=1 "$CTL/fault" >/dev/null
r=$(send "$C1" '{"text":"Not there"}'); IDN=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDN" unknown)" unknown "another lost answer: unknown"
curl -s -X DELETE "$CTL/outbox" >/dev/null
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDN" sent 100)" sent "... not in the conversation: sent again"
expect_eq "$(fake_count 'Not there')" 1 "... once"
expect_eq "$(sql "$D" "SELECT resends FROM outbox WHERE id = $IDN")" 1 "... counted as its one send again"

# --- WhatsApp: sent again at most once, then a dead letter
WA=106540352242922
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add whatsapp $WA 'Sandbox WA' >/dev/null
curl -s -d action=issue -d kind=user_long "$CTL/token" | json 'j["access_token"]' |
    HUBGATE_CONFIG=$CFG "$ADMIN" channel-token whatsapp $WA
curl -s -d platform=whatsapp -d text=hola "$CTL/deliver" >/dev/null
CW=$(wait_for "SELECT v.id FROM conversation v JOIN channel c ON c.id = v.channel_id WHERE c.kind = 'whatsapp'" x 30)
curl -s -d "path=/$WA/messages" -d kind=drop -d latency_ms=2500 -d times=2 "$CTL/fault" >/dev/null
r=$(send "$CW" '{"text":"Twice lost"}'); IDW=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDW" dead_letter 200)" dead_letter \
    "WhatsApp: lost twice (no status came): a dead letter"
expect_eq "$(fake_count 'Twice lost')" 2 "... after one send again, never a third"
expect_eq "$(sql "$D" "SELECT resends || ':' || error FROM outbox WHERE id = $IDW")" \
    "1:outcome unknown: check Meta's inbox before sending again" "... its error says to check Meta's inbox"
expect_eq "$(sql "$D" "SELECT m.status || ':' || m.error FROM message m JOIN outbox o ON o.message_id = m.id WHERE o.id = $IDW")" \
    "failed:outcome unknown: check Meta's inbox before sending again" "... and the thread shows it"

# --- the window closed while the reply waited in the queue
sql "$D" "UPDATE channel SET token_status = 'invalid' WHERE meta_id = '$P1'" >/dev/null
r=$(send "$C1" '{"text":"Too late"}'); IDT=$(body "$r" | json 'j["id"]')
sleep 1
expect_eq "$(sql "$D" "SELECT state FROM outbox WHERE id = $IDT")" queued "a paused channel's reply waits"
sql "$D" "UPDATE conversation SET last_inbound_ms = last_inbound_ms - 8 * 86400000 WHERE id = $C1" >/dev/null
sql "$D" "UPDATE channel SET token_status = 'valid' WHERE meta_id = '$P1'" >/dev/null
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDT" failed)" failed "its window closed meanwhile: failed, not sent"
expect_match "$(sql "$D" "SELECT error FROM outbox WHERE id = $IDT")" "window closed while this waited" "... with the reason in words"
expect_eq "$(fake_count 'Too late')" 0 "... nothing reached Meta"
# --- a channel whose Meta fails every call: its breaker opens, and
# the API and /metrics show it
CH=$(sql "$D" "SELECT id FROM channel WHERE meta_id = '$P1'")
sending() {  # the sending of channel $CH in /api/channels, as "breaker until? paused queued"
	curl -s -b "$G" "$BASE/api/channels" | python3 -c 'import json,sys
c=[x for x in json.load(sys.stdin)["channels"] if x["id"]==int(sys.argv[1])][0]["sending"]
print(c["breaker"], "until" if isinstance(c["until"], int) else c["until"], str(c["paused"]).lower(), c["queued"])' "$CH"
}
expect_eq "$(sending)" "closed None false 0" "/api/channels: a channel's sending (breaker closed, nothing queued)"
curl -s -d "path=/$P1/messages" -d kind=status -d status=500 "$CTL/fault" >/dev/null
sql "$D" "UPDATE conversation SET last_inbound_ms = $(date +%s%3N)" >/dev/null
for c in $(sql "$D" "SELECT id FROM conversation WHERE channel_id = $CH ORDER BY id"); do
	send "$c" '{"text":"Meta is down"}' >/dev/null
done
expect_eq "$(wait_for "SELECT state FROM channel_breaker WHERE channel_id = $CH" open)" open \
    "five calls answered 500: the channel's breaker opens"
expect_eq "$(sending)" "open until false 6" "... /api/channels shows it open, until when, and its six queued sends"
m=$(curl -s "$BASE/metrics")
expect_match "$m" "hubgate_outbox_breaker_open\{channel=\"$CH\"\} 1" "... /metrics: hubgate_outbox_breaker_open 1 for it"
expect_match "$m" "hubgate_outbox_breaker_open\{channel=\"$(sql "$D" "SELECT id FROM channel WHERE meta_id = '$WA'")\"\} 0" "... 0 for the WhatsApp number"
expect_match "$m" 'hubgate_outbox_sends\{state="dead_letter"\} 1' "... and the sends by state"
expect_eq "$(fake_count 'Meta is down')" 0 "none reached the fake's outbox"
calls=$(sql "$D" "SELECT count(*) FROM outbox_attempt a JOIN outbox o ON o.id = a.outbox_id WHERE o.channel_id = $CH AND a.http_status = 500")
sleep 3
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox_attempt a JOIN outbox o ON o.id = a.outbox_id WHERE o.channel_id = $CH AND a.http_status = 500")" "$calls" \
    "... while it is open no call is made (retries wait)"
curl -s -X DELETE "$CTL/fault" >/dev/null
if grep -q "$PT" "$D/error.log"; then not_ok "no token in the log"; else ok "no token in the log"; fi
t_done
