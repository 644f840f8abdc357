#!/usr/bin/env bash
# Disk full under the webhook: the data directory lives on a small
# tmpfs (this test needs root to mount it).  A full disk must give 503,
# never a 200 for an event that is not stored, leave the database
# intact, and the webhook must answer 200 again once space is freed.
. "$(dirname "$0")/lib.sh"
M=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/diskfull.XXXXXX")
cleanup() { stop_lighttpd; umount "$M" 2>/dev/null; }
trap cleanup EXIT
if ! mount -t tmpfs -o size=3m tmpfs "$M"; then
	not_ok "mount a 3 MiB tmpfs for the data directory (needs root)"
	t_done; exit 1
fi
D=$M/data
E=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/diskfull-events.XXXXXX")
new_data "$D"
start_lighttpd "$D"
# Leave about 400 KiB free.
free=$(df --output=avail -k "$M" | tail -1)
head -c $(( (free - 400) * 1024 )) /dev/zero > "$M/filler" 2>/dev/null
codes=""
for i in $(seq 1 12); do
	printf '{"object":"page","entry":[{"id":"1","time":%d}],"pad":"%s"}' "$i" \
	    "$(head -c 100000 /dev/zero | tr '\0' 'x')" > "$E/e$i.json"
	c=$(post "$E/e$i.json")
	codes="$codes $c"
	echo "$(sha256sum "$E/e$i.json" | cut -d' ' -f1) $c" >> "$E/results"
done
echo "# statuses while filling: $codes"
expect_match "$codes" ' 200' "events are accepted while there is room"
expect_match "$codes" ' 503' "a full disk answers 503"
[[ $codes =~ \ (200|503)( (200|503))*$ ]] && ok "only 200 or 503 answers" || not_ok "only 200 or 503 answers"
missing=0
while read -r h c; do
	n=$(sql "$D" "SELECT count(*) FROM webhook_event WHERE body_sha256 = '$h'")
	if [ "$c" = 200 ] && [ "$n" != 1 ]; then missing=$((missing + 1)); fi
	if [ "$c" = 503 ] && [ "$n" != 0 ]; then missing=$((missing + 1)); fi
done < "$E/results"
expect_eq "$missing" 0 "each 200 is stored once and each 503 not at all"
expect_eq "$(sql "$D" 'PRAGMA integrity_check')" ok "database intact after disk full"
rm -f "$M/filler"
# Another connection commits before the webhook's next transaction:
# nothing the failed commit left behind may be written over it.
HUBGATE_CONFIG=$D/hubgate.conf "$ADMIN" channel-add page 777000111 Other \
    >/dev/null 2>&1
expect_eq "$?" 0 "a second writer commits once space is freed"
after=""
for i in $(seq 13 20); do
	printf '{"object":"page","entry":[{"id":"1","time":%d}],"n":%d}' "$i" "$i" \
	    > "$E/e$i.json"
	c=$(post "$E/e$i.json")
	after="$after $c"
	echo "$(sha256sum "$E/e$i.json" | cut -d' ' -f1) $c" >> "$E/results"
done
expect_eq "$after" "$(printf ' 200%.0s' $(seq 13 20))" \
    "after space is freed and another writer committed, every event is 200"
expect_eq "$(post "$E/e12.json")" 200 "the event refused for want of space is accepted now"
echo "$(sha256sum "$E/e12.json" | cut -d' ' -f1) 200" >> "$E/results"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health")" 200 "health is 200 again"
stop_lighttpd
expect_eq "$(sql "$D" 'PRAGMA integrity_check')" ok "database intact after shutdown"
lost=0
while read -r h c; do
	[ "$c" = 200 ] || continue
	n=$(sql "$D" "SELECT count(*) FROM webhook_event WHERE body_sha256 = '$h'")
	[ "$n" = 1 ] || lost=$((lost + 1))
done < "$E/results"
expect_eq "$lost" 0 "every acknowledged event is stored, once"
expect_eq "$(sql "$D" "SELECT count(*) FROM channel WHERE meta_id = '777000111'")" 1 \
    "the second writer's commit is stored"
t_done
