#!/usr/bin/env bash
# Retention pruning never blocks the webhook: with a large message
# table whose rows point at old processed events, the webhook-retry
# cron prunes those events while webhooks keep arriving through a real
# lighttpd, and every one is answered 200 at its usual latency.
. "$(dirname "$0")/lib.sh"
D=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/prune.XXXXXX")
trap 'stop_lighttpd; [ -n "${POSTER:-}" ] && kill $POSTER 2>/dev/null' EXIT
new_data "$D"
start_lighttpd "$D"
CRON=$HUBGATE_BUILD/cron/webhook-retry
cron() { HUBGATE_CONFIG=$D/hubgate.conf "$CRON" "$@"; }
# Most time one webhook may take while the cron prunes (ms): far above
# an event's usual few milliseconds, far below the busy timeout (3 s)
# past which the webhook answers 503.
LAT_MAX=1000
NE=20000	# old processed events
NM=100000	# messages pointing at them
OLD=1000000	# their arrival times: 1970, far past retention

# --- a year-old history, written directly for speed
sqlite3 "$D/hubgate.db" <<SQL
.timeout 5000
BEGIN;
INSERT INTO channel (id, workspace_id, kind, meta_id, name, created_at, updated_at)
    VALUES (1, 1, 'page', '100', 'P', 1, 1);
INSERT INTO contact (id, workspace_id, channel_id, meta_user_id, first_seen_at, last_seen_at)
    VALUES (1, 1, 1, 'u1', 1, 1);
INSERT INTO conversation (id, workspace_id, channel_id, contact_id, created_at)
    VALUES (1, 1, 1, 1, 1);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $NE)
INSERT INTO webhook_event (id, received_ms, sent_ms, body, body_sha256,
    signature, object, routing, state, attempts, processed_ms, channel_id)
    SELECT i, $OLD + i, $OLD + i, CAST('{"object":"page"}' AS BLOB),
    printf('%064d', i), 'sha256=0', 'page', 'routed', 'processed', 1,
    $OLD + i, 1 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $NM)
INSERT INTO message (conversation_id, channel_id, meta_message_id, direction,
    text, sent_ms, event_id, created_ms)
    SELECT 1, 1, 'm_old_' || i, 'in', 'old message ' || i, $OLD + i,
    1 + (i % $NE), $OLD + i FROM n;
COMMIT;
SQL
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE event_id IS NOT NULL")" $NM "$NM messages point at $NE old events"

# post_one N: post a distinct event; prints "status seconds".
post_one() {
	local f=$D/ev.$1.json
	printf '{"object":"page","entry":[{"id":"100","time":%s,"messaging":[{"sender":{"id":"u2"},"recipient":{"id":"100"},"timestamp":%s,"message":{"mid":"m_new_%s","text":"new %s"}}]}]}' \
	    "$(date +%s%3N)" "$(date +%s%3N)" "$1" "$1" > "$f"
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 20 \
	    -H 'Content-Type: application/json' \
	    -H "X-Hub-Signature-256: $(sign "$f")" \
	    --data-binary "@$f" "$BASE/webhook"
}

# --- the usual latency, with nothing else running
for i in $(seq 1 20); do post_one "base$i"; done > "$D/base.txt"
base=$(awk '{ if ($2 * 1000 > m) m = $2 * 1000 } END { printf "%d", m }' "$D/base.txt")
echo "# usual latency: at most ${base} ms over 20 events"
expect_eq "$(awk '$1 == 200' "$D/base.txt" | wc -l)" 20 "20 events answered 200 before pruning"

# --- webhooks all along while the cron prunes
poster() {
	local i=0
	while [ ! -e "$D/stop" ]; do
		i=$((i + 1))
		printf '%s ' "$(date +%s%3N)"
		post_one "$i"
	done > "$D/during.txt"
}
poster & POSTER=$!
sleep 0.5
t0=$(date +%s%3N)
runs=0
while [ "$runs" -lt 30 ] && [ $(( $(date +%s%3N) - t0 )) -lt 60000 ] &&
    [ "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE received_ms < $OLD + $NE + 1")" != 0 ]; do
	cron >> "$D/cron.txt" 2>&1
	runs=$((runs + 1))
done
t1=$(date +%s%3N)
sleep 0.5
touch "$D/stop"
wait $POSTER; POSTER=
echo "# $runs cron run(s) in $((t1 - t0)) ms: $(tr '\n' ' ' < "$D/cron.txt")"
during=$(awk -v a="$t0" -v b="$t1" '$1 >= a && $1 <= b' "$D/during.txt")
n=$(echo "$during" | grep -c .)
slow=$(echo "$during" | awk -v m=$LAT_MAX '$3 * 1000 > m' | wc -l)
worst=$(echo "$during" | awk '{ if ($3 * 1000 > m) m = $3 * 1000 } END { printf "%d", m }')
echo "# $n events posted while the cron pruned; slowest ${worst} ms"
[ "$n" -ge 10 ] && ok "webhooks arrived all through the pruning ($n)" || not_ok "webhooks arrived all through the pruning ($n)"
expect_eq "$(echo "$during" | awk '$2 != 200' | wc -l)" 0 "every webhook during the pruning answered 200"
expect_eq "$slow" 0 "every one within ${LAT_MAX} ms (usual: ${base} ms)"
expect_eq "$(awk '$2 != 200' "$D/during.txt" | wc -l)" 0 "and before and after it too"

# --- and the pruning did its work
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE received_ms < $OLD + $NE + 1")" 0 "every old event pruned"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE meta_message_id LIKE 'm_old_%' AND event_id IS NULL")" $NM "the messages stay, unlinked from their pruned events"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE received_ms >= $OLD + $NE + 1")" \
    "$(( $(grep -c ' 200 ' "$D/during.txt") + 20 ))" "every new event kept"
expect_eq "$(grep -c ' error' "$D/cron.txt")" 0 "no cron run reported an error"
expect_eq "$(sql "$D" 'PRAGMA integrity_check')" ok "integrity_check"

t_done
