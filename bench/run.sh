#!/usr/bin/env bash
# The webhook ingest benchmark (`make bench`).  Starts hubgate exactly as
# `make run` does (scripts/run.sh, lighttpd, FastCGI) on a free port with
# a fresh data directory, mounts the trivial FastCGI program
# build/bench/hello beside it, and drives each case with wrk:
#
#   hello        GET /hello                        (the baseline)
#   text-full    signed Messenger text events      durability = full
#   text-normal  the same                          durability = normal
#   batch-full   signed 1000-entry batches         durability = full
#   batch-normal the same                          durability = normal
#
# and prints, per case, requests/s, p50/p99 latency, 200 answers, rows
# stored, duplicates and "missing" (answered 200 but not stored).
#   CONNS (32) THREADS (2) DURATION (6s) ROUNDS (5)
#   TEXT_N (150000 per round) BATCH_N (400)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
CONNS=${CONNS:-32}
ROUNDS=${ROUNDS:-5}
THREADS=${THREADS:-2}
DURATION=${DURATION:-6s}
TEXT_N=${TEXT_N:-$((150000 * ROUNDS))}
BATCH_N=${BATCH_N:-400}
work=$root/bench/out
mkdir -p "$work"
secret=bench-secret-$(date +%s)
port=$(scripts/free-port.sh)

echo "generating requests..."
build/bench/gen -s "$secret" -n "$TEXT_N" -k text > "$work/text.req"
build/bench/gen -s "$secret" -n "$BATCH_N" -k batch -e 1000 > "$work/batch.req"

. bench/lib.sh
start() {  # DURABILITY
	local data=$work/data-$1
	rm -rf "$data"; mkdir -p "$data"
	cat > "$data/lighttpd.local.conf" <<CONF
fastcgi.server += (
	"/hello" => ((
		"socket" => "$data/run/hello.sock",
		"bin-path" => "$root/build/bench/hello",
		"max-procs" => 1,
		"check-local" => "disable",
	)),
)
CONF
	bench_start "$data" "$work/server-$1.log" HUBGATE_DURABILITY="$1"
}
trap bench_stop EXIT

results=$work/results.txt
: > "$results"
offset=0
run_case() {  # NAME DURABILITY URL-PATH [REQFILE]
	local name=$1 dur=$2 path=$3 req=${4:-}
	local data=$work/data-$dur out
	if [ -n "$req" ]; then
		out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s bench/webhook.lua \
		    "http://127.0.0.1:$port$path" -- "$req" "$THREADS" "$offset")
	else
		out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s bench/hello.lua \
		    "http://127.0.0.1:$port$path")
	fi
	local rps res ok rows dups
	rps=$(echo "$out" | awk '/^Requests\/sec/ { print $2 }')
	res=$(echo "$out" | grep '^RESULT')
	ok=$(echo "$res" | sed 's/.* ok=\([0-9]*\).*/\1/')
	if [ "$path" = /webhook ]; then
		sleep 1
		rows=$(sqlite3 "$data/hubgate.db" "SELECT count(*) FROM webhook_event WHERE received_ms >= $mark")
		dups=$(( $(sqlite3 "$data/hubgate.db" "SELECT coalesce(sum(value),0) FROM counter WHERE name = 'webhook.duplicate'") - dup0 ))
	else
		rows=-; dups=-
	fi
	printf '%-13s %10s  %s rows=%s duplicates=%s\n' "$name" "$rps" "${res#RESULT }" "$rows" "$dups" | tee -a "$results"
	# Distinct events must stay distinct: a duplicate in a text case
	# means the generated requests ran out, and the figure is void.
	if [ "${name#text}" != "$name" ] && [ "$dups" != 0 ]; then
		echo "$name: $dups duplicates: raise TEXT_N" >&2
		exit 1
	fi
	# The wrk threads may not have used their slices evenly: leave room.
	[ -n "$req" ] && offset=$((offset + ok * 3 / 2 + 2 * CONNS)) || true
}
mark_now() {
	mark=$(($(date +%s%3N)))
	dup0=$(sqlite3 "$work/data-$1/hubgate.db" "SELECT coalesce(sum(value),0) FROM counter WHERE name = 'webhook.duplicate'")
}

# hello and text-full alternate ROUNDS times, so that the ratio
# compares runs made under the same conditions; the median of each
# is what the summary compares.
for dur in full normal; do
	start "$dur"
	if [ "$dur" = full ]; then
		for r in $(seq 1 "$ROUNDS"); do
			run_case hello full /hello
			mark_now "$dur"; run_case "text-$dur" "$dur" /webhook "$work/text.req"
		done
	else
		offset=0
		mark_now "$dur"; run_case "text-$dur" "$dur" /webhook "$work/text.req"
	fi
	offset=0
	mark_now "$dur"; run_case "batch-$dur" "$dur" /webhook "$work/batch.req"
	bench_stop
done

echo
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(uname -sr)"
echo "settings: wrk -t$THREADS -c$CONNS -d$DURATION; fcgi_threads=${HUBGATE_FCGI_THREADS:-8}; inline_budget_ms=${HUBGATE_INLINE_BUDGET_MS:-200}; lighttpd $(lighttpd -v 2>&1 | head -1 | cut -d' ' -f1)"
awk '
	function median(v, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return v[int((n + 1) / 2)]
	}
	/^hello/ { hv[++hn] = $2 }
	/^text-full/ { tv[++tn] = $2; for (i = 3; i <= NF; i++) if ($i ~ /^p99_ms=/) { split($i, a, "="); if (a[2] > p99) p99 = a[2] } }
	/ rows=/ { for (i = 3; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
		# A 200 that is neither a stored row nor a duplicate is
		# missing.  Rows may exceed the 200s wrk counted: requests
		# in flight when wrk stopped were stored but not counted.
		if (v["rows"] != "-" && v["ok"] - v["rows"] - v["duplicates"] > 0) bad = 1 }
	END {
		h = median(hv, hn); t = median(tv, tn)
		printf "median hello %.0f req/s, median text-full %.0f req/s over %d rounds\n", h, t, hn
		printf "signed ingest (full) / hello = %.0f%% (target >= 60%%)\n", 100 * t / h
		printf "worst p99 text-full = %s ms (target < 25 ms)\n", p99
		printf "acknowledged but missing: %s\n", bad ? "SOME (see rows above)" : "0 in every case"
	}' "$results"
