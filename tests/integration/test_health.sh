#!/usr/bin/env bash
# /health is unauthenticated: its cost must not grow with the events
# kept.  With 200,000 stored events (bodies included) it answers as
# fast as on an empty database, with the right counts of the states
# still to be worked on.
. "$(dirname "$0")/lib.sh"
D=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/health.XXXXXX")
trap stop_lighttpd EXIT
new_data "$D"
start_lighttpd "$D"

# median_ms N: the median time of N /health calls, in milliseconds.
median_ms() {
	for _ in $(seq 1 "$1"); do
		curl -s -o /dev/null -w '%{time_total}\n' "$BASE/health"
	done | sort -n | awk '{ t[NR] = $1 } END { printf "%d\n", t[int((NR + 1) / 2)] * 1000 }'
}
curl -s -o /dev/null "$BASE/health"
small=$(median_ms 7)

now=$(date +%s%3N)
sql "$D" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO webhook_event (received_ms, sent_ms, body, body_sha256, signature,
    object, state, attempts, processed_ms)
SELECT $now - 200000 + i, i, randomblob(1000), hex(randomblob(32)), 'sha256=0',
    'page', 'processed', 1, $now FROM n;
INSERT INTO webhook_event (received_ms, sent_ms, body, body_sha256, signature,
    object, state, next_attempt_ms)
SELECT $now - 5000 + value, 300000 + value, '{}', hex(randomblob(32)), 'sha256=0', 'page',
    CASE WHEN value <= 3 THEN 'failed' WHEN value <= 5 THEN 'dead_letter' ELSE 'invalid' END,
    $now + 3600000
FROM generate_series(1, 6);"
expect_eq "$(sql "$D" 'SELECT count(*) FROM webhook_event')" 200006 "200,006 events stored"
sync
curl -s -o /dev/null "$BASE/health"
big=$(median_ms 7)
echo "# /health median: ${small} ms empty, ${big} ms with 200,006 events"
[ "$big" -le $((small + 50)) ] && ok "/health takes as long with 200,000 events as with none" ||
    not_ok "/health takes as long with 200,000 events as with none"
h=$(curl -s "$BASE/health")
expect_match "$h" '"failed":3[,}]' "health counts the failed events (not yet due)"
expect_match "$h" '"dead_letter":2[,}]' "health counts the dead letters"
expect_match "$h" '"invalid":1[,}]' "health counts the invalid events"
expect_match "$h" '"dead_letters":2[,}]' "health reports the dead letters"
expect_match "$h" '"pending":0[,}]' "nothing is pending"
t_done
