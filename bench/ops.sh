#!/usr/bin/env bash
# The operations benchmark (`make bench-ops`): the dashboard's JSON and
# its overview page on a database of a million events, and what polling
# them costs the webhook.
#
#   1. bench/fill.sql writes N (1,000,000) events straight into a fresh
#      database (30 days of arrivals, the mix it describes); that
#      database is kept (bench/out/ops/filled.db) while N is the same,
#      and each run starts from a copy of it, so that the events the
#      ingest step of an earlier run stored do not change what the next
#      run measures.
#   2. hubgate runs as `make run` runs it (lighttpd, FastCGI) on a free
#      port; a signed-in owner's session is made with the test tools.
#   3. Each JSON case is driven by wrk with CLIENTS (8) connections for
#      DURATION (10s), after a second of the same to warm the server;
#      its p99 is reported (target < 50 ms).
#   4. Chromium (headless, as the browser tests run it) opens the
#      overview ROUNDS times; the time until its figures and charts are
#      drawn is reported (target < 1 s).
#   5. The webhook's ingest rate: ROUNDS pairs of runs side by side,
#      alone and while POLLERS (5) clients poll /api/stats and
#      /api/events once a second each (target: within 10%).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
N=${N:-1000000}
CLIENTS=${CLIENTS:-8}
DURATION=${DURATION:-10s}
POLLERS=${POLLERS:-5}
ROUNDS=${ROUNDS:-3}
INGEST_DURATION=${INGEST_DURATION:-6s}
work=$root/bench/out/ops
data=$work/data
mkdir -p "$work"
secret=bench-ops-secret-$(date +%s)
port=$(scripts/free-port.sh)
base=http://127.0.0.1:$port
results=$work/results.txt
: > "$results"
export HUBGATE_CONFIG=$data/hubgate.conf

. bench/lib.sh
start() { bench_start "$data" "$work/server.log"; }
pollers=()
stop_pollers() {
	local p
	for p in "${pollers[@]+"${pollers[@]}"}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pollers[@]+"${pollers[@]}"}"; do wait "$p" 2>/dev/null || true; done
	pollers=()
}
trap 'stop_pollers; bench_stop' EXIT

# 1. The database.
if [ "$(cat "$work/filled" 2>/dev/null)" != "$N" ] || [ ! -f "$work/filled.db" ]; then
	rm -rf "$data" "$work/filled" "$work/filled.db"
	start; bench_stop	# the data directory, its configuration and schema
	echo "writing $N events into the database..."
	t0=$(date +%s)
	sqlite3 "$data/hubgate.db" -cmd ".parameter set @n $N" \
	    -cmd ".parameter set @now $(date +%s%3N)" < bench/fill.sql
	echo "  done in $(( $(date +%s) - t0 )) s, $(du -h "$data/hubgate.db" | cut -f1)"
	sqlite3 "$data/hubgate.db" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
	cp "$data/hubgate.db" "$work/filled.db"
	echo "$N" > "$work/filled"
else
	rm -f "$data/hubgate.db-wal" "$data/hubgate.db-shm"
	cp "$work/filled.db" "$data/hubgate.db"
fi
start

# 2. A signed-in owner (and operator: unrouted events are theirs too).
UT=$root/build/tests/tools/usertool
user=$(sqlite3 "$data/hubgate.db" "SELECT id FROM user WHERE email = 'bench@example.com'")
[ -n "$user" ] || user=$($UT user bench@example.com "Bench Owner" owner 1 operator)
cookie=$($UT session "$user" 1 | sed -n 1p)
hdr="Cookie: hg_session=$cookie"
jget() { curl -sf -H "$hdr" "$base$1"; }
# A cursor half way down the table: the next page of the events
# received before the middle of the 30 days.
mid=$(( $(date +%s%3N) - 15 * 86400000 ))
deep=$(jget "/api/events?until=$mid&limit=1" |
    python3 -c 'import json,sys,urllib.parse; print(urllib.parse.quote(json.load(sys.stdin)["next"]))')
deep_ig=$(jget "/api/events?platform=instagram&until=$mid&limit=1" |
    python3 -c 'import json,sys,urllib.parse; print(urllib.parse.quote(json.load(sys.stdin)["next"]))')

# 3. The JSON, case by case.
p99s=()
json_case() {  # NAME PATH
	local out p99 rps
	# Warm: every worker has prepared its statements and read its
	# pages once, as in a server that has been running.
	wrk -t2 -c"$CLIENTS" -d1s -H "$hdr" "$base$2" > /dev/null
	out=$(wrk -t2 -c"$CLIENTS" -d"$DURATION" --latency -H "$hdr" "$base$2")
	if echo "$out" | grep -q 'Non-2xx'; then
		echo "$1: answers other than 200:"; echo "$out"; exit 1
	fi
	rps=$(echo "$out" | awk '/^Requests\/sec/ { print $2 }')
	p99=$(echo "$out" | awk '$1 == "99%" { v = $2;
		if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v) }
		else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
		printf "%.1f", v }')
	printf '%-34s %8s req/s  p99 %6s ms\n' "$1" "$rps" "$p99" | tee -a "$results"
	p99s+=("$p99")
}
json_case "stats (24 h)" "/api/stats"
json_case "stats (7 days)" "/api/stats?range=7d"
json_case "events, first page" "/api/events"
json_case "events, deep page" "/api/events?cursor=$deep"
json_case "events, dead letters" "/api/events?state=dead_letter"
json_case "events, Instagram, first page" "/api/events?platform=instagram"
json_case "events, Instagram, deep page" "/api/events?platform=instagram&cursor=$deep_ig"
json_case "events, unrouted" "/api/events?routing=unrouted"
json_case "events, one channel, last day" "/api/events?channel=9003&since=$(( $(date +%s%3N) - 86400000 ))"
json_case "events, search by mid" "/api/events?q=m_fill_500000"

# 4. The overview in Chromium.
draw=$(SHOT=$work/overview.png node bench/overview.mjs "$base" "$cookie" "$ROUNDS")
echo "overview drawn in Chromium: $draw" | tee -a "$results"

# 5. Ingest alone and under polling, side by side.
build/bench/gen -s "$secret" -n $((150000 * ROUNDS * 2)) -k text -p 9001001 > "$work/text.req"
poll() {
	while :; do
		curl -s -o /dev/null -H "$hdr" "$base/api/stats"
		curl -s -o /dev/null -H "$hdr" "$base/api/events"
		sleep 1
	done
}
offset=0
ingest() {  # LABEL
	local out rps ok
	out=$(wrk -t2 -c32 -d"$INGEST_DURATION" -s bench/webhook.lua \
	    "$base/webhook" -- "$work/text.req" 2 "$offset")
	rps=$(echo "$out" | awk '/^Requests\/sec/ { print $2 }')
	ok=$(echo "$out" | sed -n 's/^RESULT.* ok=\([0-9]*\).*/\1/p')
	offset=$((offset + ok * 3 / 2 + 64))
	printf '%-34s %8s req/s\n' "ingest, $1" "$rps" | tee -a "$results"
}
for r in $(seq 1 "$ROUNDS"); do
	ingest alone
	for _ in $(seq 1 "$POLLERS"); do poll & pollers+=($!); done
	ingest "polled by $POLLERS"
	stop_pollers
done

echo
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(uname -sr)"
echo "events stored: $(sqlite3 "$data/hubgate.db" 'SELECT count(*) FROM webhook_event')"
awk '
	function median(v, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return v[int((n + 1) / 2)]
	}
	/ p99 / { if ($(NF - 1) + 0 > worst) { worst = $(NF - 1) + 0; wn = $0 } }
	/^ingest, alone/ { a[++an] = $(NF - 1) }
	/^ingest, polled/ { p[++pn] = $(NF - 1) }
	END {
		printf "worst JSON p99: %.1f ms (target < 50 ms)\n", worst
		ma = median(a, an); mp = median(p, pn)
		printf "ingest polled / alone = %.0f%% (median of %d pairs; target >= 90%%)\n", 100 * mp / ma, an
	}' "$results"
