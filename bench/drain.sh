#!/usr/bin/env bash
# Pipeline benchmarks (`make bench` runs this after bench/run.sh).
#
# 1. Backlog drain: hubgate started as `make run` starts it, with inline
#    processing off, receives N signed single-message events (hgload);
#    then cron/webhook-retry drains them.  Reports events/s and the
#    cron's peak memory, for a small and a large backlog, so that
#    memory can be seen not to grow with the backlog.
# 2. Inline latency: with inline processing on, a modest load (4
#    connections); p50/p99/max of message.created_ms - received_ms,
#    the time from the stored event (just before its 200) to the
#    message row being visible.
#   SMALL (10000) LARGE (100000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
SMALL=${SMALL:-10000}
LARGE=${LARGE:-100000}
work=$root/bench/out
mkdir -p "$work"
secret=bench-secret-$(date +%s)
port=$(scripts/free-port.sh)
. bench/lib.sh
start() {  # DATA INLINE_MS
	rm -rf "$1"
	bench_start "$1" "$1.log" HUBGATE_INLINE_BUDGET_MS="$2"
	HUBGATE_CONFIG=$1/hubgate.conf build/tools/hubgate-admin channel-add page 104857600000001 Bench >/dev/null
}
trap bench_stop EXIT

for n in "$SMALL" "$LARGE"; do
	data=$work/drain-$n
	start "$data" 0
	build/tests/tools/hgload -u "http://127.0.0.1:$port/webhook" -s "$secret" -n "$n" -c 32 -t d$n > /dev/null
	bench_stop
	out=$(HUBGATE_CONFIG=$data/hubgate.conf HUBGATE_LOG_LEVEL=warn build/cron/webhook-retry)
	ms=$(echo "$out" | sed 's/.* ms=\([0-9]*\).*/\1/')
	rss=$(echo "$out" | sed 's/.* maxrss_kb=\([0-9]*\).*/\1/')
	msgs=$(sqlite3 "$data/hubgate.db" "SELECT count(*) FROM message")
	printf 'drain %7d events: %6d ms  %6.0f events/s  maxrss %6d KiB  messages %d\n' \
	    "$n" "$ms" "$(awk -v n="$n" -v ms="$ms" 'BEGIN { print n * 1000 / ms }')" "$rss" "$msgs"
done

data=$work/inline
start "$data" 200
build/tests/tools/hgload -u "http://127.0.0.1:$port/webhook" -s "$secret" -n 5000 -c 4 -t inl > /dev/null
sleep 1
bench_stop
sqlite3 "$data/hubgate.db" <<'SQL'
CREATE TEMP TABLE lat AS SELECT m.created_ms - e.received_ms AS ms
	FROM message m JOIN webhook_event e ON e.id = m.event_id ORDER BY 1;
SELECT printf('inline 200-to-row latency over %d events (4 connections): p50 %d ms, p99 %d ms, max %d ms',
	(SELECT count(*) FROM lat),
	(SELECT ms FROM lat LIMIT 1 OFFSET (SELECT count(*) / 2 FROM lat)),
	(SELECT ms FROM lat LIMIT 1 OFFSET (SELECT count(*) * 99 / 100 FROM lat)),
	(SELECT max(ms) FROM lat));
SQL
