#!/usr/bin/env bash
# The event pipeline through a real lighttpd: inline processing right
# after the 200, the webhook-retry cron (alone, two at once, killed in
# the middle of a batch), and exactly-once processing under load.
. "$(dirname "$0")/lib.sh"
D=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/pipeline.XXXXXX")
trap 'stop_lighttpd' EXIT
new_data "$D"
hg() { HUBGATE_CONFIG=$D/hubgate.conf "$ADMIN" "$@"; }
CRON=$HUBGATE_BUILD/cron/webhook-retry
cron() { HUBGATE_CONFIG=$D/hubgate.conf "$CRON" "$@"; }
LOAD=$HUBGATE_ROOT/build/tests/tools/hgload
hg channel-add page 104857600000001 Shop >/dev/null
hg channel-add page 104857600000002 "Shop 2" >/dev/null
hg channel-add instagram 17841400000000001 IG >/dev/null
hg channel-add whatsapp 106540352242922 WA >/dev/null
start_lighttpd "$D"

# --- inline: rows appear right after the 200, without cron
for n in $PAYLOAD_NAMES; do
	expect_eq "$(post "$PAYLOADS/$n.json")" 200 "$n.json accepted"
done
# Small events are processed inside the commit that stores them: by the
# time of the 200 the inbox rows are on disk with the event.
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state = 'processed' AND attempts = 1 AND processed_ms = received_ms")" 7 "every payload processed in the commit that stored it"
for _ in $(seq 1 50); do
	[ "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state <> 'processed'")" = 0 ] && break
	sleep 0.1
done
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state = 'processed'")" 7 "inline processing finished every event"
# messenger-text 1, mixed batch 4 (2 in, 1 postback, 1 echo), standby 1,
# instagram 1, whatsapp-text 1, whatsapp-status 2 outbound by wamid.
expect_eq "$(sql "$D" "SELECT count(*) FROM message")" 10 "every message of every payload stored"
expect_eq "$(sql "$D" "SELECT count(*) FROM feed_item")" 1 "the feed comment stored"
lat=$(sql "$D" "SELECT max(m.created_ms - e.received_ms) FROM message m JOIN webhook_event e ON e.id = m.event_id")
echo "# worst 200-to-row time for the payloads: ${lat} ms"
[ "$lat" -lt 2000 ] && ok "rows visible within 2 s of the 200 without cron" || not_ok "rows visible soon after the 200"
expect_match "$(curl -s "$BASE/health")" '"states":\{"pending":0,"processing":0,"failed":0,"dead_letter":0,"invalid":0\}' "health shows the queue's states: nothing waiting"

# --- an event whose processing fails in the commit is still stored
# and acknowledged, left to the queue (here: failing again, so retried
# later), and finished once the cause is gone.
sql "$D" "CREATE TRIGGER refuse BEFORE INSERT ON message WHEN NEW.meta_message_id = 'm_refused' BEGIN SELECT RAISE(ABORT, 'refused by test'); END;"
sed 's/"mid": *"[^"]*"/"mid": "m_refused"/' "$PAYLOADS/messenger-text.json" > "$D/refused.json"
expect_eq "$(post "$D/refused.json")" 200 "an event whose processing fails is acknowledged"
RID=$(sql "$D" "SELECT id FROM webhook_event WHERE body = readfile('$D/refused.json')")
expect_match "$RID" '^[0-9]+$' "... and stored byte for byte"
for _ in $(seq 1 50); do
	[ "$(sql "$D" "SELECT state FROM webhook_event WHERE id = $RID")" = failed ] && break
	sleep 0.1
done
expect_eq "$(sql "$D" "SELECT state || ' ' || attempts FROM webhook_event WHERE id = $RID")" "failed 1" "the inline processor tried it once more and scheduled a retry"
expect_match "$(sql "$D" "SELECT last_error FROM webhook_event WHERE id = $RID")" 'refused by test' "the error is kept"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE meta_message_id = 'm_refused'")" 0 "nothing half-written"
# The same as plain CGI, where no processor thread follows: the event
# is stored, left pending, and the error of its try is kept.
sed 's/"mid": *"[^"]*"/"mid": "m_refused"/; s/"time": *[0-9]*/"time":1763856000999/' "$PAYLOADS/messenger-text.json" > "$D/refused-cgi.json"
out=$(REQUEST_METHOD=POST SCRIPT_NAME=/webhook CONTENT_TYPE=application/json \
    CONTENT_LENGTH=$(stat -c %s "$D/refused-cgi.json") \
    HTTP_X_HUB_SIGNATURE_256=$(sign "$D/refused-cgi.json") \
    HUBGATE_CONFIG=$D/hubgate.conf "$HUBGATE_BUILD/cgi-bin/webhook" < "$D/refused-cgi.json")
expect_match "$out" 'EVENT_RECEIVED' "CGI: an event whose processing fails is acknowledged"
expect_eq "$(sql "$D" "SELECT state || ' ' || attempts FROM webhook_event WHERE body = readfile('$D/refused-cgi.json')")" "pending 0" "CGI: left pending, never attempted by the queue"
expect_match "$(sql "$D" "SELECT last_error FROM webhook_event WHERE body = readfile('$D/refused-cgi.json')")" 'refused by test' "CGI: the error of the try in the commit is kept"
sql "$D" "DROP TRIGGER refuse"
hg requeue "$RID" > /dev/null
cron > /dev/null
expect_eq "$(sql "$D" "SELECT state FROM webhook_event WHERE id = $RID")" processed "requeued, it is processed"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE meta_message_id = 'm_refused'")" 1 "its message is stored once"

# --- a batch too big to process inside the commit goes to the inline
# processor thread
{
	printf '{"object":"page","entry":['
	for i in $(seq 1 40); do
		[ "$i" -gt 1 ] && printf ','
		printf '{"id":"104857600000001","time":1763856000%03d,"messaging":[{"sender":{"id":"7300000000000%03d"},"recipient":{"id":"104857600000001"},"timestamp":1763856000%03d,"message":{"mid":"m_big_%d","text":"part %d"}}]}' "$i" "$i" "$i" "$i" "$i"
	done
	printf ']}'
} > "$D/big.json"
expect_eq "$(post "$D/big.json")" 200 "a 40-message batch is acknowledged"
for _ in $(seq 1 50); do
	[ "$(sql "$D" "SELECT count(*) FROM message WHERE meta_message_id LIKE 'm_big_%'")" = 40 ] && break
	sleep 0.1
done
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE meta_message_id LIKE 'm_big_%'")" 40 "its 40 messages are stored without cron"
expect_eq "$(sql "$D" "SELECT state || ' ' || attempts FROM webhook_event WHERE body = readfile('$D/big.json')")" "processed 1" "processed once"

# --- the cron's contract
out=$(cron); rc=$?
expect_eq "$rc" 0 "webhook-retry exits 0"
expect_match "$out" '^webhook-retry: claimed=0 processed=0 ' "one-line summary, nothing to do"
HUBGATE_CONFIG=$D/nope.conf "$CRON" >/dev/null 2>&1
expect_eq "$?" 1 "configuration error exits 1"
flock "$D/hubgate.db.webhook-retry.lock" sleep 2 &
FL=$!; sleep 0.3
expect_match "$(cron)" 'another run is active' "a second run exits at once"
wait $FL

# --- inline plus two crons under load: every event processed once
cron_loop() { for _ in $(seq 1 40); do cron >> "$D/cron.$1" 2>&1; sleep 0.05; done; }
cron_loop a & CA=$!
cron_loop b & CB=$!
"$LOAD" -u "$BASE/webhook" -s "$TEST_SECRET" -n 3000 -c 16 -t once -o "$D/once.txt" > /dev/null
wait $CA $CB
cron > /dev/null
acked=$(awk '$2 == 200' "$D/once.txt" | wc -l)
expect_eq "$acked" 3000 "3000 events acknowledged under load"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE meta_message_id LIKE 'm_once_%'")" 3000 "3000 messages, one per event"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state <> 'processed'")" 0 "every event processed"
expect_eq "$(sql "$D" "SELECT max(attempts) FROM webhook_event")" 1 "no event processed twice"
echo "# cron runs that found work: $(grep -hv 'claimed=0 ' "$D"/cron.* | grep -c claimed=)"

# --- a backlog, and the worker killed in the middle of a batch
stop_lighttpd
HUBGATE_INLINE_BUDGET_MS=0 start_lighttpd "$D"
"$LOAD" -u "$BASE/webhook" -s "$TEST_SECRET" -n 20000 -c 32 -t backlog > /dev/null
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state = 'pending'")" 20000 "backlog of 20000 pending events (inline off)"
# The webhook's checkpointer keeps the WAL short under load (without
# complete checkpoints it would hold every page those 20000 commits
# wrote: well over 50 MB).
wal=$(stat -c %s "$D/hubgate.db-wal" 2>/dev/null || echo 0)
echo "# WAL after 20000 events: $wal bytes"
[ "$wal" -lt $((16 * 1024 * 1024)) ] && ok "the WAL stays short under load" || not_ok "the WAL stays short under load ($wal bytes)"
HUBGATE_CONFIG=$D/hubgate.conf HUBGATE_QUEUE_LEASE_S=1 "$CRON" > "$D/killed.out" 2>&1 &
K=$!
sleep 0.4
kill -9 $K 2>/dev/null
wait $K 2>/dev/null
left=$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state <> 'processed'")
echo "# left after the kill: $left"
[ "$left" -gt 0 ] && ok "the kill interrupted the drain" || not_ok "the kill interrupted the drain"
sleep 1.2
out=$(HUBGATE_QUEUE_LEASE_S=1 cron)
echo "# $out"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state <> 'processed'")" 0 "the next run finishes the work"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE meta_message_id LIKE 'm_backlog_%'")" 20000 "no loss, no duplicate"
expect_eq "$(sql "$D" 'PRAGMA integrity_check')" ok "database intact"
t_done
