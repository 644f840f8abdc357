#!/usr/bin/env bash
# Forwarding's delivery guarantees through a real lighttpd and a local
# test receiver (tests/tools/fwdrecv), on a short schedule
# (forward_schedule = 1,1,1: four attempts a second apart, +-20%):
# receiver down -> retries on the schedule -> dead letter -> resend
# succeeds; Retry-After honoured; redirects not followed; 410 disables
# the destination; ordering holds behind a failing first event;
# rotation sends two signatures; replay sends the same event ids again;
# kill -9 of the delivering process mid-burst loses nothing (the cron
# delivers the rest) and the receiver's dedupe by webhook-id sees no id
# it did not know.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
. "$(dirname "$0")/fwdlib.sh"
t_tmp forward-retry
D=$TMP/d
# A receiver for alert_webhook: people are told of a disabled destination.
AL=$TMP/alerts
recv_start "$AL" || not_ok "the alert receiver starts"
SANDBOX_CONF="forward_schedule = 1,1,1
alert_webhook = http://127.0.0.1:$RECV_PORT/alert" start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
export HUBGATE_CONFIG=$D/hubgate.conf
ADM=$($UT user adam@example.com "Adam Admin" admin 1)
sign_in A "$ADM" 1
R=$TMP/recv
recv_start "$R" || not_ok "the receiver starts"
RPORT=$RECV_PORT
URL=http://127.0.0.1:$RPORT/hook

test_event() { body "$(api A POST /api/destinations/$DEST/test)" | json 'j["event_id"]'; }
delivery_of() { sql "$D" "SELECT x.id FROM fwd_delivery x JOIN fwd_event e ON e.id = x.event_id WHERE e.uid = '$1' ORDER BY x.id DESC LIMIT 1"; }

answer 500
r=$(api A POST /api/destinations "{\"url\":\"$URL\",\"events\":[\"message.received\",\"meta.event\"]}")
expect_eq "$(status "$r")" 201 "a destination"
DEST=$(body "$r" | json 'j["id"]')
SECRET=$(body "$r" | json 'j["secret"]')

# --- started now, checked later: an endpoint that answers after 17 s
# (an attempt ends at 15 s), and one deleted while its request is in
# flight (its outcome has nowhere to go; the worker carries on).
H=$TMP/hang
mkdir -p "$H"
recv_answer "$H" '200 17000'
recv_start "$H" -c || not_ok "the hanging receiver starts"
r=$(api A POST /api/destinations "{\"url\":\"http://127.0.0.1:$RECV_PORT/hang\",\"events\":[\"meta.event\"]}")
HANG=$(body "$r" | json 'j["id"]')
r=$(api A POST /api/destinations "{\"url\":\"http://127.0.0.1:$RECV_PORT/gone\",\"events\":[\"meta.event\"]}")
GONE=$(body "$r" | json 'j["id"]')
api A POST /api/destinations/$HANG/test >/dev/null
api A POST /api/destinations/$GONE/test >/dev/null
sleep 0.5
expect_eq "$(status "$(api A DELETE /api/destinations/$GONE)")" 200 "a destination is deleted while its request is in flight"

# --- receiver down: the schedule, then a dead letter, then resend
E1=$(test_event)
DL=$(delivery_of "$E1")
expect_eq "$(wait_sql "SELECT state FROM fwd_delivery WHERE id = $DL" dead 100)" dead "four failures make a dead letter"
expect_eq "$(lines)" 4 "... after four attempts (at once, then the schedule's three)"
expect_eq "$(cut -f1 "$R/log" | sort -u)" "$E1" "... every one with the same webhook-id"
r=$(api A GET /api/deliveries/$DL)
gaps=$(body "$r" | json '[j["attempts"][i+1]["started_ms"] - j["attempts"][i]["started_ms"] - j["attempts"][i]["duration_ms"] for i in range(3)]')
expect_eq "$(printf '%s' "$gaps" | json 'all(700 <= g <= 1500 for g in j)')" true "... a second apart, +-20% (gaps $gaps ms)"
expect_eq "$(body "$r" | json 'j["attempts"][0]["error"]')" "HTTP 500" "... each attempt's error kept"
expect_eq "$(body "$r" | json 'j["state"]')" dead "the delivery shows dead"
r=$(api A GET "/api/destinations/$DEST/deliveries?state=dead")
expect_eq "$(body "$r" | json 'len(j["data"])')" 1 "the dead letters of the destination"
expect_eq "$(body "$(api A GET /api/destinations/$DEST)" | json 'j["failing_since_ms"] is not None')" true "the destination shows it is failing"
answer 200
r=$(api A POST /api/destinations/$DEST/resend)
expect_eq "$(status "$r")" 202 "resend every dead letter: 202"
expect_eq "$(body "$r" | json 'j["deliveries"]')" 1 "... one"
expect_eq "$(wait_sql "SELECT state FROM fwd_delivery WHERE id = $DL" delivered)" delivered "the resent delivery succeeds"
expect_eq "$(tail -n 1 "$R/log" | cut -f1)" "$E1" "... with the same webhook-id"
expect_eq "$(body "$(api A GET /api/destinations/$DEST)" | json 'j["failing_since_ms"]')" null "... and the destination is well again"
answer 500
E2=$(test_event)
DL2=$(delivery_of "$E2")
wait_sql "SELECT state FROM fwd_delivery WHERE id = $DL2" dead 100 >/dev/null
answer 200
n=$(lines)
r=$(api A POST /api/deliveries/$DL2/resend)
expect_eq "$(status "$r")" 202 "resend one delivery: 202"
expect_eq "$(wait_sql "SELECT state FROM fwd_delivery WHERE id = $DL2" delivered)" delivered "... it succeeds"
expect_eq "$(lines)" $((n + 1)) "... in one request"

# --- Retry-After
answer '503 0 Retry-After: 3'
n=$(lines)
E3=$(test_event)
wait_lines $((n + 1)) >/dev/null
answer 200
DL3=$(delivery_of "$E3")
expect_eq "$(wait_sql "SELECT state FROM fwd_delivery WHERE id = $DL3" delivered 100)" delivered "503 with Retry-After, then success"
r=$(api A GET /api/deliveries/$DL3)
gap=$(body "$r" | json 'j["attempts"][1]["started_ms"] - j["attempts"][0]["started_ms"]')
if [ "$gap" -ge 2900 ] && [ "$gap" -le 5000 ]; then ok "Retry-After: 3 is honoured over the schedule's 1 s (${gap} ms)"
else not_ok "Retry-After: 3 is honoured over the schedule's 1 s (${gap} ms)"; fi

# --- Retry-After on 429 (an HTTP date), 502 and 504; never on 500
gap_of() {  # DELIVERY: ms between its first two attempts
	body "$(api A GET /api/deliveries/$1)" | json 'j["attempts"][1]["started_ms"] - j["attempts"][0]["started_ms"]'
}
for c in 429 502 504 500; do
	case $c in
	429) ra=$(date -u -d '+3 seconds' '+%a, %d %b %Y %H:%M:%S GMT'); lo=1900; hi=4500 ;;
	500) ra=3; lo=700; hi=1600 ;;
	*) ra=2; lo=1900; hi=3500 ;;
	esac
	answer "$c 0 Retry-After: $ra"
	n=$(lines)
	E=$(test_event)
	wait_lines $((n + 1)) >/dev/null
	answer 200
	DLx=$(delivery_of "$E")
	wait_sql "SELECT state FROM fwd_delivery WHERE id = $DLx" delivered 100 >/dev/null
	gap=$(gap_of "$DLx")
	if [ "$gap" -ge $lo ] && [ "$gap" -le $hi ]; then ok "$c with Retry-After: $ra: the next attempt $gap ms later"
	else not_ok "$c with Retry-After: $ra: the next attempt $gap ms later (want $lo..$hi)"; fi
done

# --- the answer's first bytes only: reading stops at 64 KB
printf '200\nbody 300000\n' > "$R/control"
E=$(test_event)
DLx=$(delivery_of "$E")
expect_eq "$(wait_sql "SELECT state FROM fwd_delivery WHERE id = $DLx" delivered)" delivered "a 2xx with a 300 KB body is a success"
r=$(api A GET /api/deliveries/$DLx)
expect_eq "$(body "$r" | json 'len(j["attempts"][0]["response"])')" 512 "... keeping its first 512 bytes"
expect_eq "$(body "$r" | json 'len(j["attempts"])')" 1 "... in one attempt"
printf '500\nbody 300000\n' > "$R/control"
n=$(lines)
E=$(test_event)
wait_lines $((n + 1)) >/dev/null
answer 200
DLx=$(delivery_of "$E")
wait_sql "SELECT state FROM fwd_delivery WHERE id = $DLx" delivered >/dev/null
r=$(api A GET /api/deliveries/$DLx)
expect_eq "$(body "$r" | json '[j["attempts"][0]["status"], j["attempts"][0]["error"], len(j["attempts"][0]["response"])]')" \
    '[500, "HTTP 500", 512]' "a 500 with a 300 KB body: its status, in words, and 512 bytes of it"

# --- the URL is checked again at connect time
r=$(api A POST /api/destinations "{\"url\":\"$URL\",\"events\":[\"meta.event\"]}")
MOVED=$(body "$r" | json 'j["id"]')
sql "$D" "UPDATE fwd_destination SET url = 'http://10.20.30.40:$RPORT/hook' WHERE id = $MOVED" >/dev/null
n=$(lines)
r=$(api A POST /api/destinations/$MOVED/test)
expect_eq "$(wait_sql "SELECT count(*) FROM fwd_attempt WHERE destination_id = $MOVED" 1)" 1 "a destination whose address became private is attempted"
expect_match "$(sql "$D" "SELECT error FROM fwd_attempt WHERE destination_id = $MOVED")" '^not sent: .*private' "... and refused before connecting, saying why"
expect_eq "$(lines)" "$n" "... nothing was sent"
api A DELETE /api/destinations/$MOVED >/dev/null

# --- the endpoint that answers after 17 s: the attempt ends at 15 s
expect_eq "$(wait_sql "SELECT count(*) > 0 FROM fwd_attempt WHERE destination_id = $HANG" 1 250)" 1 "an endpoint that takes 17 s: its attempt ends"
expect_eq "$(sql "$D" "SELECT error FROM fwd_attempt WHERE destination_id = $HANG ORDER BY id LIMIT 1")" "no answer within 15 s" "... at 15 s, saying so"
ms=$(sql "$D" "SELECT duration_ms FROM fwd_attempt WHERE destination_id = $HANG ORDER BY id LIMIT 1")
if [ "$ms" -ge 14900 ] && [ "$ms" -le 16000 ]; then ok "... after ${ms} ms"; else not_ok "... after ${ms} ms"; fi
expect_eq "$(sql "$D" "SELECT count(*) FROM fwd_attempt WHERE destination_id = $GONE") $(grep -c 'event=forward.run' "$D/error.log")" "0 0" \
    "the deleted destination's outcome went nowhere, and the worker never failed"
api A DELETE /api/destinations/$HANG >/dev/null

# --- a redirect is a failure, never followed
answer "302 0 Location: http://127.0.0.1:$RPORT/elsewhere"
n=$(lines)
E4=$(test_event)
DL4=$(delivery_of "$E4")
wait_lines $((n + 1)) >/dev/null
sleep 0.3
answer 200
expect_eq "$(wait_sql "SELECT state FROM fwd_delivery WHERE id = $DL4" delivered)" delivered "after a redirect, the next attempt succeeds"
r=$(api A GET /api/deliveries/$DL4)
expect_match "$(body "$r" | json 'j["attempts"][0]["error"]')" 'redirect' "the redirect is the first attempt's error"
expect_eq "$(body "$r" | json 'j["attempts"][0]["status"]')" 302 "... with its status"
expect_eq "$(lines)" $((n + 2)) "the redirect was not followed (two requests, both to the destination)"

# --- ordering: a failing first event holds the others back
answer 500
n=$(lines)
O1=$(test_event); O2=$(test_event); O3=$(test_event)
wait_lines $((n + 2)) >/dev/null
answer 200
expect_eq "$(wait_sql "SELECT count(*) FROM fwd_delivery WHERE state = 'delivered' AND event_id IN (SELECT id FROM fwd_event WHERE uid IN ('$O1','$O2','$O3'))" 3 100)" 3 "three events delivered"
expect_eq "$(tail -n +$((n + 1)) "$R/log" | cut -f1 | uniq | tr '\n' ' ')" "$O1 $O2 $O3 " "... in order: the second waited for the first"

# --- unordered: a failing event does not hold the next back
api A PUT /api/destinations/$DEST '{"ordered":false}' >/dev/null
answer '503 0 Retry-After: 5'
n=$(lines)
U1=$(test_event)
wait_lines $((n + 1)) >/dev/null
answer 200
U2=$(test_event)
wait_lines $((n + 2)) 30 >/dev/null
expect_eq "$(tail -n 1 "$R/log" | cut -f1)" "$U2" "unordered: the second event goes while the first waits for its Retry-After"
expect_eq "$(sql "$D" "SELECT state FROM fwd_delivery WHERE id = $(delivery_of "$U1")")" pending "... the first still pending"
expect_eq "$(wait_sql "SELECT state FROM fwd_delivery WHERE id = $(delivery_of "$U1")" delivered 100)" delivered "... then delivered"
# --- a rate: 4 a second
api A PUT /api/destinations/$DEST '{"ordered":true,"rate_per_s":4}' >/dev/null
n=$(lines)
t0=$(date +%s%3N)
for i in 1 2 3 4 5 6 7 8 9; do test_event >/dev/null; done
wait_lines $((n + 9)) 100 >/dev/null
t1=$(date +%s%3N)
if [ $((t1 - t0)) -ge 1800 ]; then ok "rate_per_s = 4: nine deliveries take 2 s or so ($((t1 - t0)) ms)"
else not_ok "rate_per_s = 4: nine deliveries take 2 s or so ($((t1 - t0)) ms)"; fi
api A PUT /api/destinations/$DEST '{"rate_per_s":null}' >/dev/null

# --- rotation: two signatures during the grace period
r=$(api A POST /api/destinations/$DEST/rotate-secret '{"grace_s":3600}')
expect_eq "$(status "$r")" 200 "rotate the secret: 200"
NEW=$(body "$r" | json 'j["secret"]')
expect_match "$NEW" '^whsec_' "... a new secret, shown once"
n=$(lines)
E5=$(test_event)
wait_lines $((n + 1)) >/dev/null
IFS=$'\t' read -r id ts sig key st bodyj < <(tail -n 1 "$R/log")
expect_eq "$(echo "$sig" | wc -w)" 2 "the next delivery carries two signatures"
if fwd_verify "$id" "$ts" "$sig" "$bodyj" "$NEW"; then ok "... one under the new secret"; else not_ok "... one under the new secret"; fi
if fwd_verify "$id" "$ts" "$sig" "$bodyj" "$SECRET"; then ok "... one under the old"; else not_ok "... one under the old"; fi
r=$(api A POST /api/destinations/$DEST/rotate-secret '{"grace_s":0}')
NEWER=$(body "$r" | json 'j["secret"]')
n=$(lines)
test_event >/dev/null
wait_lines $((n + 1)) >/dev/null
IFS=$'\t' read -r id ts sig key st bodyj < <(tail -n 1 "$R/log")
expect_eq "$(echo "$sig" | wc -w)" 1 "a rotation without grace: one signature"
if fwd_verify "$id" "$ts" "$sig" "$bodyj" "$NEWER"; then ok "... under the newest secret"; else not_ok "... under the newest secret"; fi
if fwd_verify "$id" "$ts" "$sig" "$bodyj" "$NEW"; then not_ok "... not under the one before"; else ok "... not under the one before"; fi
SECRET=$NEWER

# --- replay: the same event ids again
P1=104857600000001
"$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
T0=$(($(date +%s%3N) - 1000))
curl -s -d platform=messenger -d page=$P1 -d 'text=Replay me' "$CTL/deliver" >/dev/null
expect_eq "$(wait_sql "SELECT count(*) FROM fwd_delivery x JOIN fwd_event e ON e.id = x.event_id WHERE e.type IN ('message.received', 'meta.event') AND x.state = 'delivered'" 2)" 2 "a message's two events are delivered"
IDS=$(sql "$D" "SELECT uid FROM fwd_event WHERE type IN ('message.received', 'meta.event') ORDER BY id" | tr '\n' ' ')
n=$(lines)
r=$(api A POST /api/destinations/$DEST/replay "{\"since\":$T0,\"until\":$(($(date +%s%3N) + 1000))}")
expect_eq "$(status "$r")" 202 "replay a time range: 202"
expect_eq "$(body "$r" | json 'j["deliveries"]')" 2 "... its two events (test events are not replayed)"
wait_lines $((n + 2)) >/dev/null
expect_eq "$(tail -n 2 "$R/log" | cut -f1 | tr '\n' ' ')" "$IDS" "... sent again with the same ids, in order"
r=$(api A POST /api/destinations/$DEST/replay '{"since":"2026-01-01T00:00:00Z","until":"2025-01-01T00:00:00Z"}')
expect_eq "$(status "$r")" 400 "a range that ends before it starts: 400"

# --- 410 disables the destination
answer 410
n=$(lines)
E6=$(test_event)
expect_eq "$(wait_sql "SELECT enabled FROM fwd_destination WHERE id = $DEST" 0)" 0 "410 Gone disables the destination"
r=$(api A GET /api/destinations/$DEST)
expect_match "$(body "$r" | json 'j["disabled_reason"]')" '410' "... saying why"
expect_match "$(body "$(api A GET /api/stats)" | json '[p["text"] for p in j["problems"] if p["link"] == "destinations.html"]')" \
    'Destination 127.0.0.1 is disabled: the endpoint answered 410 Gone' "the overview lists it among the problems"
for _ in $(seq 50); do [ -s "$AL/log" ] && break; sleep 0.1; done
expect_match "$(cut -f6 "$AL/log" | json 'j["text"]')" "disabled the destination $DEST \\(127.0.0.1\\) .*410 Gone" "people are told (alert_webhook), with the host only"
curl -s -d platform=messenger -d page=$P1 -d 'text=While disabled' "$CTL/deliver" >/dev/null
sleep 1.5
expect_eq "$(lines)" $((n + 1)) "nothing more is sent to it"
answer 200
r=$(api A PUT /api/destinations/$DEST '{"enabled":true}')
expect_eq "$(body "$r" | json 'j["enabled"]')" true "enabling it again"
expect_eq "$(body "$r" | json 'j["disabled_reason"]')" null "... clears the reason"
expect_eq "$(wait_sql "SELECT count(*) FROM fwd_delivery WHERE destination_id = $DEST AND state = 'pending'" 0)" 0 "... and what waited is delivered"

# --- failing for 5 days disables
answer 500
sql "$D" "UPDATE fwd_destination SET failing_since_ms = CAST(strftime('%s', 'now') AS INTEGER) * 1000 - 6 * 86400000 WHERE id = $DEST" >/dev/null
test_event >/dev/null
expect_eq "$(wait_sql "SELECT enabled FROM fwd_destination WHERE id = $DEST" 0)" 0 "a destination failing without a success for 5 days is disabled"
expect_match "$(body "$(api A GET /api/destinations/$DEST)" | json 'j["disabled_reason"]')" '5 days' "... saying why"
for _ in $(seq 50); do [ "$(wc -l < "$AL/log")" -ge 2 ] && break; sleep 0.1; done
expect_match "$(tail -n 1 "$AL/log" | cut -f6 | json 'j["text"]')" "5 days" "... and people are told"
expect_match "$(body "$(api A GET /api/stats)" | json '[p["text"] for p in j["problems"] if p["link"] == "destinations.html"]')" \
    'Destination 127.0.0.1 is disabled: .*5 days' "... on the overview too"
answer 200
api A PUT /api/destinations/$DEST '{"enabled":true}' >/dev/null
expect_eq "$(wait_sql "SELECT count(*) FROM fwd_delivery WHERE destination_id = $DEST AND state = 'pending'" 0)" 0 "enabled again, it delivers what waited"
expect_eq "$(sql "$D" "SELECT failing_since_ms IS NULL FROM fwd_destination WHERE id = $DEST")" 1 "... and is no longer failing"

# --- a slow destination does not delay another
R2=$TMP/recv2
mkdir -p "$R2"
recv_answer "$R2" '200 3000'
recv_start "$R2" || not_ok "the slow receiver starts"
r=$(api A POST /api/destinations "{\"url\":\"http://127.0.0.1:$(cat "$R2/port")/slow\",\"events\":[\"meta.event\"]}")
SLOW=$(body "$r" | json 'j["id"]')
for i in 1 2 3; do api A POST /api/destinations/$SLOW/test >/dev/null; done
sleep 0.3
n=$(lines)
t0=$(date +%s%3N)
for i in 1 2 3 4 5; do test_event >/dev/null; done
wait_lines $((n + 5)) 30 >/dev/null
t1=$(date +%s%3N)
expect_eq "$(lines)" $((n + 5)) "while a destination takes 3 s an answer, another gets its five events"
if [ $((t1 - t0)) -lt 2500 ]; then ok "... at once ($((t1 - t0)) ms)"; else not_ok "... at once ($((t1 - t0)) ms)"; fi
expect_eq "$(sql "$D" "SELECT count(*) FROM fwd_delivery WHERE destination_id = $SLOW AND state = 'delivered'")" 0 "... before the slow one got its first"
api A DELETE /api/destinations/$SLOW >/dev/null

# --- kill -9 mid-burst: at least once, no unknown id
answer '200 100'
: > "$R/log"
sql "$D" "UPDATE fwd_destination SET events = '[\"message.received\"]' WHERE id = $DEST" >/dev/null
for i in $(seq 1 40); do
	curl -s -d platform=messenger -d page=$P1 -d "sender=73000000000$((1000 + i))" -d "text=Burst $i" "$CTL/deliver" >/dev/null
done
wait_sql "SELECT count(*) FROM fwd_event WHERE type = 'message.received' AND json_extract(data, '\$.message.text') LIKE 'Burst %'" 40 >/dev/null
wait_lines 5 >/dev/null
DASH=$(pgrep -P "$LIGHTTPD_PID" -f 'cgi-bin/dashboard')
[ -n "$DASH" ] && kill -9 $DASH
for _ in $(seq 50); do kill -0 $DASH 2>/dev/null || break; sleep 0.1; done
if [ -n "$DASH" ] && [ "$(lines)" -lt 40 ]; then ok "the delivering process is killed mid-burst ($(lines) delivered so far)"
else not_ok "the delivering process is killed mid-burst ($(lines) delivered so far)"; fi
answer 200
# Whoever takes the lock first delivers the rest: the dashboard lighttpd
# starts again, or the cron (which says so when it does).
LEFT="SELECT count(*) FROM fwd_delivery x JOIN fwd_event e ON e.id = x.event_id WHERE x.destination_id = $DEST AND e.type = 'message.received' AND x.state <> 'delivered'"
for _ in $(seq 30); do
	"$HUBGATE_BUILD/cron/webhook-retry" >> "$TMP/cron.out" 2>&1
	[ "$(sql "$D" "$LEFT")" = 0 ] && break
	sleep 0.5
done
expect_eq "$(sql "$D" "$LEFT")" 0 "after the kill, the rest is delivered"
BURST=$(sql "$D" "SELECT uid FROM fwd_event e WHERE type = 'message.received' AND json_extract(data, '$.message.text') LIKE 'Burst %'" | sort)
expect_eq "$(echo "$BURST" | wc -l)" 40 "forty events were made"
expect_eq "$(cut -f1 "$R/log" | sort -u)" "$BURST" "every one arrived at least once, and no id the receiver did not know"
expect_match "$(cat "$TMP/cron.out")" 'forwarded=[0-9]+ forward_failed=[0-9]+' "the cron reports what it forwarded"
bad=0
while IFS=$'\t' read -r id ts sig key st bodyj; do
	fwd_verify "$id" "$ts" "$sig" "$bodyj" "$SECRET" || bad=$((bad + 1))
done < "$R/log"
expect_eq "$bad" 0 "every request of the burst verifies"

# --- the cron alone (no FastCGI process running)
stop_lighttpd
sql "$D" "UPDATE fwd_destination SET events = '[\"conversation.closed\"]' WHERE id = $DEST" >/dev/null
sql "$D" "UPDATE conversation SET status = 'closed' WHERE id = (SELECT min(id) FROM conversation)" >/dev/null
n=$(lines)
out=$("$HUBGATE_BUILD/cron/webhook-retry" 2>&1)
expect_match "$out" 'forwarded=1 ' "with no FastCGI process, the cron delivers"
expect_eq "$(tail -n 1 "$R/log" | cut -f6 | json 'j["type"]')" conversation.closed "... the event made by another writer"
# Pruning: events past forward_retention_days go once delivered or dead.
sql "$D" "UPDATE fwd_event SET created_ms = created_ms - 31 * 86400000 WHERE type = 'destination.test'" >/dev/null
sql "$D" "UPDATE fwd_delivery SET state = 'pending' WHERE id = (SELECT max(x.id) FROM fwd_delivery x JOIN fwd_event e ON e.id = x.event_id WHERE e.type = 'destination.test')" >/dev/null
sql "$D" "UPDATE fwd_destination SET enabled = 0" >/dev/null
old=$(sql "$D" "SELECT count(*) FROM fwd_event WHERE type = 'destination.test'")
out=$("$HUBGATE_BUILD/cron/webhook-retry" 2>&1)
expect_match "$out" "forward_pruned=$((old - 1)) " "the cron prunes old events nothing waits for ($((old - 1)))"
expect_eq "$(sql "$D" "SELECT count(*) FROM fwd_event WHERE type = 'destination.test'")" 1 "... and keeps the one still pending"
t_done
