#!/usr/bin/env bash
# The webhook's promise under stress, through a real lighttpd: a 200
# means the event is on disk.  Concurrent load, kill -9 in the middle
# of a load run, and a write lock held past the busy timeout.
. "$(dirname "$0")/lib.sh"
D=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/reliability.XXXXXX")
trap 'stop_lighttpd; [ -n "${HOLDER:-}" ] && kill $HOLDER 2>/dev/null' EXIT
BUSY_TIMEOUT_MS=500 new_data "$D"
start_lighttpd "$D"
LOAD=$HUBGATE_BUILD/../build/tests/tools/hgload
[ -x "$LOAD" ] || LOAD=$HUBGATE_ROOT/build/tests/tools/hgload
rows() { sql "$D" "SELECT count(*) FROM webhook_event"; }

# acked_missing RESULTS: how many events answered 200 are not stored.
acked_missing() {
	awk '$2 == 200 { print $1 }' "$1" > "$1.acked"
	sqlite3 "$D/hubgate.db" <<SQL
.timeout 5000
CREATE TEMP TABLE acked (h TEXT);
.import $1.acked acked
SELECT count(*) FROM acked WHERE h NOT IN (SELECT body_sha256 FROM webhook_event);
SQL
}

# --- concurrent load: 200s == stored rows, exactly
out=$("$LOAD" -u "$BASE/webhook" -s "$TEST_SECRET" -n 800 -c 32 -t conc -o "$D/conc.txt")
echo "# $out"
okn=$(awk '$2 == 200' "$D/conc.txt" | wc -l)
expect_eq "$okn" 800 "all 800 concurrent events answered 200"
expect_eq "$(rows)" "$okn" "stored rows equal the 200 answers"
expect_eq "$(acked_missing "$D/conc.txt")" 0 "every acknowledged event is stored"
grp=$(sql "$D" "SELECT count(DISTINCT received_ms) FROM webhook_event")
echo "# distinct arrival milliseconds: $grp of $okn"

# --- the same at durability = normal, where commits are quick enough
# for a request to be answered before its handler has returned
stop_lighttpd
HUBGATE_DURABILITY=normal start_lighttpd "$D"
before=$(rows)
out=$("$LOAD" -u "$BASE/webhook" -s "$TEST_SECRET" -n 5000 -c 32 -t normal -o "$D/normal.txt")
echo "# normal: $out"
expect_eq "$(awk '$2 == 200' "$D/normal.txt" | wc -l)" 5000 "durability normal: all 5000 answered 200"
expect_eq "$(( $(rows) - before ))" 5000 "durability normal: stored rows equal the 200 answers"
stop_lighttpd
start_lighttpd "$D"

# --- kill -9 in the middle of a load run
"$LOAD" -u "$BASE/webhook" -s "$TEST_SECRET" -n 20000 -c 32 -t kill -o "$D/kill.txt" > "$D/kill.out" &
LPID=$!
sleep 1
victims=$(pgrep -f "$HUBGATE_BUILD/cgi-bin/webhook")
[ -n "$victims" ] && ok "found the webhook process to kill" || not_ok "found the webhook process to kill"
kill -9 $victims 2>/dev/null
wait $LPID
echo "# $(cat "$D/kill.out")"
acked=$(awk '$2 == 200' "$D/kill.txt" | wc -l)
lost=$(awk '$2 != 200' "$D/kill.txt" | wc -l)
echo "# acknowledged $acked, not acknowledged $lost"
[ "$lost" -gt 0 ] && ok "the kill interrupted the run" || not_ok "the kill interrupted the run"
expect_eq "$(acked_missing "$D/kill.txt")" 0 "after kill -9 every acknowledged event is stored"
expect_eq "$(sql "$D" 'PRAGMA integrity_check')" ok "database passes integrity_check after kill -9"
stop_lighttpd
start_lighttpd "$D"
expect_eq "$(post "$PAYLOADS/messenger-text.json")" 200 "after restart the webhook answers 200"
expect_eq "$(acked_missing "$D/kill.txt")" 0 "after restart acknowledged events are still there"

# --- a writer holding the lock past the busy timeout: 503, then 200
P=$D/lock.json
printf '{"object":"page","entry":[{"id":"1","time":1,"messaging":[]}],"n":"lock"}' > "$P"
# Let inline processing of the earlier load finish first.
for _ in $(seq 1 100); do
	[ "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state IN ('pending', 'processing')")" = 0 ] && break
	sleep 0.2
done
{ echo ".timeout 5000"; echo "BEGIN IMMEDIATE;"; echo "INSERT INTO counter VALUES ('lock.test', 1);";
  echo ".print locked"; sleep 3; echo "COMMIT;"; } | sqlite3 "$D/hubgate.db" > "$D/holder.out" &
HOLDER=$!
for _ in $(seq 1 50); do grep -q locked "$D/holder.out" && break; sleep 0.1; done
expect_eq "$(cat "$D/holder.out")" locked "another process holds the write lock"
expect_eq "$(post "$P")" 503 "webhook answers 503 while the write lock is held"
h=$(sha256sum "$P" | cut -d' ' -f1)
wait $HOLDER; HOLDER=
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE body_sha256 = '$h'")" 0 "the refused event was not stored"
expect_eq "$(sql "$D" "SELECT value FROM counter WHERE name = 'lock.test'")" 1 "the lock holder committed"
expect_eq "$(post "$P")" 200 "after the lock is released it answers 200"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE body_sha256 = '$h'")" 1 "and stores the event once"

t_done
