#!/usr/bin/env bash
# The token benchmark (`make bench-tokens`): one full run of
# cron/token-refresh over N channels with tokens against the fake of
# Meta answering every call after LATENCY_MS (100 ms): debug_token for
# every token and a subscription read for every channel, with
# token_check_parallel (PARALLEL, 128) calls in flight.  For each N in
# SIZES (1000 10000): the run's wall time, its peak RSS, and what it
# did (every token checked, none failed).  Target: 10,000 in < 30 s,
# memory flat in N.
#
# hubgate and the fake run under lighttpd as the integration tests run
# them (tests/integration/sandbox.sh), from this build (build/); the
# channels are WhatsApp numbers of the sandbox's account with sealed
# system-user tokens written by build/bench/tokfill, the fake given the
# same tokens.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export HUBGATE_ROOT=$root HUBGATE_BUILD=$root/build
. tests/integration/lib.sh
. tests/integration/sandbox.sh
SIZES=${SIZES:-1000 10000}
LATENCY_MS=${LATENCY_MS:-100}
PARALLEL=${PARALLEL:-128}
# The fake waits LATENCY_MS on each call on a thread of its own.
export HUBGATE_FAKEMETA_THREADS=${FAKE_THREADS:-200}
work=$root/bench/out/tokens
mkdir -p "$work"
results=$work/results.txt
: > "$results"
trap stop_lighttpd EXIT

for n in $SIZES; do
	d=$work/n$n
	rm -rf "$d"
	SANDBOX_CONF="token_check_parallel = $PARALLEL
cron_budget_s = 600
graph_timeout_ms = 30000" LOG_LEVEL=warn start_sandbox "$d" >/dev/null ||
	    { echo "sandbox did not start"; cat "$d/error.log"; exit 1; }
	curl -s "$CTL/world" >/dev/null
	HUBGATE_CONFIG=$d/hubgate.conf build/bench/tokfill "$n" || exit 1
	now=$(date +%s)
	sqlite3 -cmd '.timeout 5000' "$d/fakemeta.db" "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $n)
INSERT OR REPLACE INTO token (token, kind, user_id, page_id, parent, scopes, issued_at, expires_at, revoked)
SELECT 'BENCHTOKEN' || i, 'system_user', '100000000000900', '', NULL,
 'whatsapp_business_management,whatsapp_business_messaging', $now, 0, 0 FROM s;
INSERT OR REPLACE INTO subscription VALUES ('102290129340398', 'messages');" || exit 1
	curl -s -d 'path=/*' -d kind=latency -d latency_ms="$LATENCY_MS" "$CTL/fault" >/dev/null
	start=$(date +%s.%N)
	out=$(HUBGATE_CONFIG=$d/hubgate.conf build/cron/token-refresh 2>"$d/cron.err")
	end=$(date +%s.%N)
	wall=$(echo "$end - $start" | bc)
	checks=$(sqlite3 "$d/hubgate.db" "SELECT count(*) FROM token_log WHERE what = 'check' AND result = 'ok'")
	subs=$(sqlite3 "$d/hubgate.db" "SELECT count(*) FROM token_check WHERE subject = 'channel' AND checked_at IS NOT NULL AND missing_fields = ''")
	line=$(printf 'n=%s latency_ms=%s parallel=%s wall_s=%.1f checks_ok=%s subscriptions_ok=%s | %s' \
	    "$n" "$LATENCY_MS" "$PARALLEL" "$wall" "$checks" "$subs" "$out")
	echo "$line" | tee -a "$results"
	stop_lighttpd
done
echo "results in $results"
