# Shared helpers for integration tests: TAP-like checks and real
# servers (lighttpd, Apache) on free loopback ports, each with its own
# data directory, configuration and database.
#
# Environment (set by tests/run.sh; defaults for running a file alone):
#   HUBGATE_ROOT   the repository
#   HUBGATE_BUILD  the build whose programs are served (build-san)
set -u
HUBGATE_ROOT=${HUBGATE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HUBGATE_BUILD=${HUBGATE_BUILD:-$HUBGATE_ROOT/build-san}
PAYLOADS=${PAYLOADS:-$HUBGATE_ROOT/../shared/payloads}
ADMIN=$HUBGATE_ROOT/build/tools/hubgate-admin
T_N=0
T_FAILED=0

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $1"; }
not_ok() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $1"; }
# expect_eq GOT WANT NAME
expect_eq() {
	if [ "$1" == "$2" ]; then ok "$3"; else not_ok "$3"; echo "#   got '$1', want '$2'"; fi
}
# expect_match GOT REGEX NAME
expect_match() {
	if [[ $1 =~ $2 ]]; then ok "$3"; else not_ok "$3"; echo "#   got '${1:0:300}', want /$2/"; fi
}
t_done() { echo "# $T_N checks, $T_FAILED failed"; [ "$T_FAILED" = 0 ]; }

# A TCP port nobody listens on.
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# new_data DIR: a data directory with a configuration of known test
# secrets (two app secrets, to exercise rotation) and a database.
TEST_SECRET=test-app-secret-0123456789
TEST_SECRET2=rotated-app-secret-abcdef
TEST_VERIFY=test-verify-token-42
new_data() {
	local d=$1
	mkdir -p "$d/run"
	cat > "$d/hubgate.conf" <<CONF
app_id = 1234567890
app_secret = $TEST_SECRET, $TEST_SECRET2
verify_token = $TEST_VERIFY
token_key = AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8
state_secret = test-state-secret
db_path = hubgate.db
durability = ${DURABILITY:-full}
busy_timeout_ms = ${BUSY_TIMEOUT_MS:-3000}
log_level = ${LOG_LEVEL:-info}
CONF
	HUBGATE_CONFIG=$d/hubgate.conf "$ADMIN" init >/dev/null
}

# start_lighttpd DIR: serve DIR's configuration on a free port; sets
# PORT, BASE and LIGHTTPD_PID.  Logs go to DIR/error.log.
start_lighttpd() {
	local d=$1
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	cat > "$d/lighttpd.conf" <<CONF
var.hubgate_htdocs = "$HUBGATE_ROOT/htdocs"
var.hubgate_cgi    = "$HUBGATE_BUILD/cgi-bin"
var.hubgate_data   = "$d"
var.hubgate_config = "$d/hubgate.conf"
var.hubgate_bind   = "127.0.0.1"
var.hubgate_port   = $PORT
server.errorlog    = "$d/error.log"
include "$HUBGATE_ROOT/lighttpd.conf"
CONF
	/usr/sbin/lighttpd -D -f "$d/lighttpd.conf" >>"$d/error.log" 2>&1 &
	LIGHTTPD_PID=$!
	wait_up "$BASE/health"
}

stop_lighttpd() {
	[ -n "${LIGHTTPD_PID:-}" ] || return 0
	kill "$LIGHTTPD_PID" 2>/dev/null
	wait "$LIGHTTPD_PID" 2>/dev/null
	LIGHTTPD_PID=
}

# wait_up URL: until it answers at all (10 s at most).
wait_up() {
	for _ in $(seq 1 100); do
		curl -s -o /dev/null --max-time 2 "$1" && return 0
		sleep 0.1
	done
	echo "# server did not come up: $1"
	return 1
}

# sign FILE [SECRET]: the X-Hub-Signature-256 value for FILE's bytes.
sign() {
	local secret=${2:-$TEST_SECRET}
	HUBGATE_CONFIG=/dev/null HUBGATE_APP_SECRET=$secret "$ADMIN" sign "$1"
}

# post FILE [SIGNATURE]: POST FILE to /webhook; prints the status.
post() {
	local sig=${2-$(sign "$1")}
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
	    -H 'Content-Type: application/json' \
	    ${sig:+-H "X-Hub-Signature-256: $sig"} \
	    --data-binary "@$1" "$BASE/webhook"
}

# sql DIR QUERY: run a query on DIR's database.
sql() {
	sqlite3 -cmd '.timeout 5000' "$1/hubgate.db" "$2"
}
