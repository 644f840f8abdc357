#!/usr/bin/env bash
# Forwarding beside ingest (make bench-forward runs it after
# bench/forward.sh): the webhook's rate (wrk, signed distinct Messenger
# text events, as bench/run.sh's "text" case) alone, then while the
# dashboard's forwarding thread drains EVENTS x 4 queued deliveries to
# four local receivers (tests/tools/fwdrecv, 200 after 1 ms); one run,
# side by side.  Prints both rates, their ratio, and the deliveries made
# during the second.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
EVENTS=${EVENTS:-25000}
DURATION=${DURATION:-8s}
work=$(mktemp -d /tmp/hubgate-bench-fwdingest.XXXXXX)
secret=bench-secret-$(date +%s)
port=$(scripts/free-port.sh)
RPIDS=
build/bench/gen -s "$secret" -n 600000 -k text > "$work/text.req"
. bench/lib.sh
trap 'bench_stop; kill $RPIDS 2>/dev/null; rm -rf "$work"' EXIT
data=$work/data
bench_start "$data" "$work/server.log" HUBGATE_DURABILITY=full
export HUBGATE_CONFIG=$data/hubgate.conf
sqlq() { sqlite3 -cmd '.timeout 5000' "$data/hubgate.db" "$1"; }
offset=0
ingest() {  # NAME: one wrk run against /webhook; requests/s
	local out
	out=$(wrk -t2 -c32 -d"$DURATION" -s bench/webhook.lua \
	    "http://127.0.0.1:$port/webhook" -- "$work/text.req" 2 "$offset")
	offset=$((offset + 200000))
	echo "$out" | awk '/^Requests\/sec/ { print int($2) }'
}
USER=$(build/tests/tools/usertool user bench@example.org Bench admin 1)
SESS=$(build/tests/tools/usertool session "$USER" 1)
for i in 1 2 3 4; do
	mkdir -p "$work/r$i"
	echo "200 1" > "$work/r$i/control"
	build/tests/tools/fwdrecv "$work/r$i/port" /dev/null "$work/r$i/control" >/dev/null 2>&1 &
	RPIDS="$RPIDS $!"
	for _ in $(seq 50); do [ -s "$work/r$i/port" ] && break; sleep 0.1; done
	b="{\"url\":\"http://127.0.0.1:$(cat "$work/r$i/port")/hook\",\"events\":[\"conversation.closed\"]}"
	curl -sf -o /dev/null -H "Cookie: hg_session=$(echo "$SESS" | sed -n 1p)" \
	    -H "X-CSRF-Token: $(echo "$SESS" | sed -n 2p)" -H "Origin: http://127.0.0.1:$port" \
	    -H 'Content-Type: application/json' --data-binary "$b" "http://127.0.0.1:$port/api/destinations"
done
ingest warmup >/dev/null
alone=$(ingest alone)
sqlq "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $EVENTS)
    INSERT INTO fwd_event (uid, workspace_id, type, created_ms, data)
    SELECT 'evt_' || lower(hex(randomblob(12))), 1, 'conversation.closed',
    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
    json_object('conversation', json_object('id', i, 'status', 'closed')) FROM n"
queued=$(sqlq "SELECT count(*) FROM fwd_delivery WHERE state = 'pending'")
before=$(sqlq "SELECT count(*) FROM fwd_delivery WHERE state = 'delivered'")
beside=$(ingest beside)
after=$(sqlq "SELECT count(*) FROM fwd_delivery WHERE state = 'delivered'")
echo "ingest alone: $alone/s; beside a drain of $queued queued deliveries: $beside/s ($((beside * 100 / alone))%); delivered meanwhile: $((after - before)) ($(( (after - before) / ${DURATION%s} ))/s)"
