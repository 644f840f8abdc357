#!/usr/bin/env bash
# Forwarding's drain rate (make bench-forward): cron/webhook-retry's
# delivery pass (the same worker as the dashboard's thread) draining a
# backlog of events to local receivers (tests/tools/fwdrecv, one per
# destination, answering 200 after DELAY ms).  Cases:
#   four   N events x 4 destinations: deliveries/s and the pass's peak
#          memory, at N and 10 N events (memory must stay flat)
#   slow   the same with one receiver taking 2 s a request: the other
#          three destinations' rate against theirs in "four"
# Prints one line per case; record them in bench/README.md.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
N=${N:-5000}
DELAY=${DELAY:-1}
T=$(mktemp -d /tmp/hubgate-bench-forward.XXXXXX)
PIDS=
trap 'kill $PIDS 2>/dev/null; rm -rf "$T"' EXIT
D=$T/d
mkdir -p -m 700 "$D"
cat > "$D/hubgate.conf" <<CONF
app_id = sandbox-1234567890
app_secret = bench-app-secret-0123456789
verify_token = bench-verify-token-0123
token_key = AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8
state_secret = bench-state-secret
db_path = hubgate.db
sandbox = yes
durability = ${DURABILITY:-full}
cron_budget_s = 600
CONF
export HUBGATE_CONFIG=$D/hubgate.conf
"$BUILD/tools/hubgate-admin" init >/dev/null
USER=$("$BUILD/tests/tools/usertool" user bench@example.org Bench admin 1)
SESS=$("$BUILD/tests/tools/usertool" session "$USER" 1)
COOKIE=$(echo "$SESS" | sed -n 1p)
CSRF=$(echo "$SESS" | sed -n 2p)
sqlq() { sqlite3 -cmd '.timeout 5000' "$D/hubgate.db" "$1"; }

# receiver I DELAY: start receiver I answering after DELAY ms (its
# port in $T/rI/port).
receiver() {
	mkdir -p "$T/r$1"
	echo "200 $2" > "$T/r$1/control"
	"$BUILD/tests/tools/fwdrecv" "$T/r$1/port" /dev/null "$T/r$1/control" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	for _ in $(seq 50); do [ -s "$T/r$1/port" ] && break; sleep 0.1; done
}
# destination URL: add it through the dashboard (as CGI).
destination() {
	local b="{\"url\":\"$1\",\"events\":[\"meta.event\"]}"
	printf '%s' "$b" | GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST SCRIPT_NAME=/api \
	    PATH_INFO=/destinations REQUEST_URI=/api/destinations SERVER_NAME=127.0.0.1 \
	    SERVER_PORT=8080 HTTP_HOST=127.0.0.1:8080 REMOTE_ADDR=127.0.0.1 \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=${#b} HTTP_COOKIE="hg_session=$COOKIE" \
	    HTTP_X_CSRF_TOKEN="$CSRF" HTTP_ORIGIN=http://127.0.0.1:8080 \
	    "$BUILD/cgi-bin/dashboard" | grep -q '"secret"' || { echo "cannot add $1"; exit 1; }
}
# events N: N meta.event events (each fanned out to every destination).
events() {
	sqlq "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
	    INSERT INTO fwd_event (uid, workspace_id, type, created_ms, data)
	    SELECT 'evt_' || lower(hex(randomblob(12))), 1, 'meta.event',
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    json_object('event_id', i, 'object', 'page', 'body',
	    json_object('object', 'page', 'entry', json_array(json_object('id', '1', 'time', i)))) FROM n"
}
# drain NAME: run the cron's pass until nothing is pending; one line.
drain() {
	local before t0 t1 out rate
	before=$(sqlq "SELECT count(*) FROM fwd_delivery WHERE state = 'pending'")
	t0=$(date +%s%3N)
	out=$("$BUILD/cron/webhook-retry" 2>/dev/null)
	t1=$(date +%s%3N)
	rate=$((before * 1000 / (t1 - t0 + 1)))
	echo "$1: deliveries=$before ms=$((t1 - t0)) per_s=$rate maxrss_kb=$(sed -n 's/.*maxrss_kb=\([0-9]*\).*/\1/p' <<<"$out") left=$(sqlq "SELECT count(*) FROM fwd_delivery WHERE state = 'pending'")"
}

for i in 1 2 3 4; do receiver $i "$DELAY"; destination "http://127.0.0.1:$(cat "$T/r$i/port")/hook"; done
events "$N"; drain "four N=$N"
events $((N * 10)); drain "four N=$((N * 10))"
# slow: a fifth destination taking 2 s a request; the four others'
# deliveries meanwhile.
receiver 5 2000
destination "http://127.0.0.1:$(cat "$T/r5/port")/slow"
events $((N * 10))
t0=$(date +%s%3N)
timeout 30 "$BUILD/cron/webhook-retry" >/dev/null 2>&1 &
CRON=$!
sleep 10
fast=$(sqlq "SELECT count(*) FROM fwd_delivery WHERE state = 'delivered' AND destination_id <= 4 AND created_ms >= $t0 - 60000 AND done_ms >= $t0")
slow=$(sqlq "SELECT count(*) FROM fwd_delivery WHERE state = 'delivered' AND destination_id = 5")
kill $CRON 2>/dev/null; wait $CRON 2>/dev/null
echo "slow: in 10 s the four fast destinations got $fast deliveries (per_s=$((fast / 10))), the slow one $slow"
