#!/usr/bin/env bash
# A/B: signed ingest of this checkout against another one, side by side.
#
#   bash bench/ab.sh OTHER_CHECKOUT
#
# Both checkouts must be built (`make all`).  Each is started as
# `make run` starts it (its own scripts/run.sh, a fresh data directory,
# durability = full) on its own port, and wrk sends the same kind of
# signed, distinct Messenger text events (bench/gen) to one then the
# other, ROUNDS times.  Rates on these machines drift by a third within
# minutes; alternating short runs and comparing medians is what makes
# the ratio mean something.  Prints each pair and the median ratio
# this / other.
#   CONNS (32) THREADS (2) DURATION (5s) ROUNDS (7)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
other=$(cd "${1:?usage: ab.sh OTHER_CHECKOUT}" && pwd)
cd "$root"
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-7}
work=$root/bench/out/ab
rm -rf "$work"; mkdir -p "$work"
secret=bench-secret-$(date +%s)
n=$((130000 * ROUNDS))
echo "generating requests..."
build/bench/gen -s "$secret" -n "$n" -k text > "$work/text.req"

pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap stop EXIT
start() {  # NAME CHECKOUT PORT
	local data=$work/data-$1
	mkdir -p "$data"
	# run.sh ends by exec'ing lighttpd: this pid is the server's.
	HUBGATE_APP_SECRET=$secret HUBGATE_DURABILITY=full \
	    HUBGATE_LOG_LEVEL=warn DATA_DIR=$data PORT=$3 \
	    sh "$2/scripts/run.sh" > "$work/server-$1.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do
		curl -sf -o /dev/null "http://127.0.0.1:$3/health" && return 0
		sleep 0.1
	done
	echo "$1 did not start"; cat "$work/server-$1.log"; exit 1
}
pa=$(scripts/free-port.sh); start this "$root" "$pa"
pb=$(scripts/free-port.sh); start other "$other" "$pb"

declare -A offset=([this]=0 [other]=0)
rate() {  # NAME PORT
	local out ok
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s bench/webhook.lua \
	    "http://127.0.0.1:$2/webhook" -- "$work/text.req" "$THREADS" "${offset[$1]}")
	ok=$(echo "$out" | grep '^RESULT' | sed 's/.* ok=\([0-9]*\).*/\1/')
	offset[$1]=$((offset[$1] + ok * 3 / 2 + 2 * CONNS))
	echo "$out" | awk '/^Requests\/sec/ { print $2 }'
}
: > "$work/pairs"
for r in $(seq 1 "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then a=$(rate this "$pa"); b=$(rate other "$pb")
	else b=$(rate other "$pb"); a=$(rate this "$pa"); fi
	echo "$a $b" | tee -a "$work/pairs" |
	    awk '{ printf "round: this %.0f req/s, other %.0f req/s, %.1f%%\n", $1, $2, 100 * $1 / $2 }'
done
awk '{ r[NR] = $1 / $2; a[NR] = $1; b[NR] = $2 }
	function med(v, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }; return v[int((n + 1) / 2)] }
	END { printf "median: this %.0f req/s, other %.0f req/s; median ratio of the pairs %.1f%%\n", med(a, NR), med(b, NR), 100 * med(r, NR) }' "$work/pairs"
