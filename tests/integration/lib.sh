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
ADMIN=$HUBGATE_ROOT/build/tools/hubgate-admin
UT=$HUBGATE_ROOT/build/tests/tools/usertool
T_N=0
T_FAILED=0

# The webhook payloads of tests/data: Meta's shapes, addressed to the
# test accounts (Pages 104857600000001 and ...02, Instagram account
# 17841400000000001, WhatsApp number 106540352242922).  PAYLOAD_NAMES
# lists every one, for the suites that post them all; a missing one
# stops the suite with a failure, before any check runs.
PAYLOADS=$HUBGATE_ROOT/tests/data
PAYLOAD_NAMES="feed-comment instagram-text messenger-mixed-batch
messenger-standby messenger-text whatsapp-status whatsapp-text"
# Every kind beyond plain messages (tests/data/README.md; the WhatsApp
# number's WABA is 102290129340398), posted by test_fidelity.sh.
FIDELITY_NAMES="whatsapp-username whatsapp-username-link messenger-edit
instagram-edit whatsapp-edit-revoke instagram-unsend messenger-reactions
instagram-reaction whatsapp-reaction messenger-referral whatsapp-referral
messenger-optin messenger-handover instagram-standby whatsapp-smb-echo
whatsapp-status-errors whatsapp-account whatsapp-account-relief
whatsapp-types whatsapp-calls odd-shapes test-button-page
test-button-whatsapp test-button-instagram instagram-comments
feed-reactions whatsapp-standby"
# Issue 21's rest: merged contacts, Messenger calls, coexistence
# history and address book, echoes of hubgate's own app.
FIDELITY_NAMES="$FIDELITY_NAMES whatsapp-merge-apart whatsapp-merge-link
messenger-calls whatsapp-call-status whatsapp-history whatsapp-history-media
whatsapp-state-sync
messenger-unsend messenger-echo-own"
for _p in $PAYLOAD_NAMES $FIDELITY_NAMES; do
	if [ ! -s "$PAYLOADS/$_p.json" ]; then
		echo "not ok - test data $PAYLOADS/$_p.json is missing or empty"
		echo "Bail out! missing test data"
		exit 1
	fi
done
unset _p

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

# A TCP port nobody listens on (scripts/free-port.sh).
free_port() {
	"$HUBGATE_ROOT/scripts/free-port.sh"
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

# start_lighttpd DIR [FAKEMETA_BIN]: serve DIR's configuration on a free
# port, or on WANT_PORT (with the fake Meta mounted when its binary is
# given); sets PORT, BASE and LIGHTTPD_PID.  Logs go to DIR/error.log.
# LIGHTTPD_MODE=cgi runs hubgate's programs as plain CGI.
start_lighttpd() {
	local d=$1
	PORT=${WANT_PORT:-$(free_port)}
	BASE=http://127.0.0.1:$PORT
	{
		echo "server.errorlog = \"$d/error.log\""
		sh "$HUBGATE_ROOT/scripts/lighttpd-conf.sh" "$HUBGATE_ROOT" \
		    "$HUBGATE_BUILD/cgi-bin" "$d" "$d/hubgate.conf" "$PORT" \
		    "${2:-}" "${LIGHTTPD_MODE:-fastcgi}"
	} > "$d/lighttpd.conf"
	/usr/sbin/lighttpd -D -f "$d/lighttpd.conf" >>"$d/error.log" 2>&1 &
	LIGHTTPD_PID=$!
	wait_up "$BASE/health"
}

# stop_lighttpd: stop it and wait until the programs it started are gone.
stop_lighttpd() {
	[ -n "${LIGHTTPD_PID:-}" ] || return 0
	local kids
	kids=$(pgrep -P "$LIGHTTPD_PID")
	kill "$LIGHTTPD_PID" 2>/dev/null
	wait "$LIGHTTPD_PID" 2>/dev/null
	for _ in $(seq 1 50); do
		[ -z "$kids" ] && break
		kill -0 $kids 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$kids" ] && kill -9 $kids 2>/dev/null
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

# t_tmp NAME: set TMP to a new temporary directory for this suite and
# arrange that at exit (or on INT/TERM) lighttpd and the Apache of CUR
# (when set) are stopped, and TMP is removed when every check passed,
# kept and named otherwise.
CUR=
t_cleanup() {
	stop_lighttpd
	[ -n "${CUR:-}" ] && stop_apache "$CUR" >/dev/null
	CUR=
	if [ "$T_FAILED" = 0 ]; then rm -rf "$TMP"
	else echo "# logs kept in $TMP"; fi
}
t_tmp() {
	TMP=$(mktemp -d "/tmp/hubgate-$1.XXXXXX")
	trap t_cleanup EXIT
	trap 't_cleanup; exit 1' INT TERM
}

# stop_run: stop the `make run` whose process group is RUN_PID like
# Ctrl-C does (SIGINT to the whole group), and wait until every program
# of it is gone (5 s at most); 1, with what is left on "#" lines, when
# some are not.  Clears RUN_PID.
stop_run() {
	local left
	kill -INT -"$RUN_PID"
	wait "$RUN_PID" 2>/dev/null
	for _ in $(seq 1 50); do
		pgrep -g "$RUN_PID" >/dev/null || break
		sleep 0.1
	done
	left=$(ps -o pid=,cmd= -g "$RUN_PID" 2>/dev/null)
	RUN_PID=
	[ -z "$left" ] && return 0
	echo "$left" | sed 's/^/#   /'
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

# expect_no_version URL NAME: neither the Server (or X-Powered-By)
# header of URL's answer nor its body (a server's error page) names a
# version.
expect_no_version() {
	local h
	h=$(curl -s -D - --max-time 10 "$1" | tr -d '\r' |
	    grep -iE '^(server|x-powered-by):|(apache|lighttpd|hubgate|debian)/[0-9]' |
	    head -5)
	if [ -z "$h" ] || ! [[ $h =~ [0-9]+\.[0-9] ]]; then
		ok "$2"
	else
		not_ok "$2"
		echo "$h" | sed 's/^/#   /'
	fi
}

# sql DIR QUERY: run a query on DIR's database.
sql() {
	sqlite3 -cmd '.timeout 5000' "$1/hubgate.db" "$2"
}

# --- Apache -----------------------------------------------------------
# Apache runs as www-data (we are root): the data directory must be
# theirs and every directory above it traversable; use apache_data.
# What Apache serves is copied out of the repository (apache_www), so
# that a clone in a directory www-data cannot enter (a 0700 home or
# mktemp -d folder) is tested like any other.
APACHE_BIN=${APACHE_BIN:-/usr/sbin/apache2}
APACHE_MODULES=${APACHE_MODULES:-/usr/lib/apache2/modules}
APACHE_USER=${APACHE_USER:-www-data}

# apache_data DIR: new_data DIR, owned by Apache's user (and private
# to it, as README.md's deployment says).
apache_data() {
	new_data "$1"
	mkdir -p "$1/san"
	chown -R "$APACHE_USER:$APACHE_USER" "$1"
	chmod 700 "$1"
	chmod 755 "$(dirname "$1")"
}

# apache_www DIR: copy what Apache serves into DIR, laid out as
# `make install` lays it out: DIR/htdocs (the repository's htdocs/) and
# DIR/cgi-bin (this build's programs), readable and not writable by
# Apache's user.  DIR's parents must be traversable (apache_data).
apache_www() {
	local w=$1 p
	rm -rf "$w/htdocs" "$w/cgi-bin"
	mkdir -p "$w/htdocs" "$w/cgi-bin"
	cp -R "$HUBGATE_ROOT/htdocs/." "$w/htdocs/" || return 1
	for p in webhook dashboard oauth; do
		install -m 755 "$HUBGATE_BUILD/cgi-bin/$p" "$w/cgi-bin/" ||
		    return 1
	done
	chmod -R u=rwX,go=rX "$w"
}

# start_apache DIR SITE [EXTRA]: run Apache in the foreground on a free
# loopback port with a server configuration in DIR/apache/ that defines
# the HUBGATE_* variables for DIR and for copies of htdocs/ and this
# build's programs in DIR/www (apache_www), then includes SITE (the
# repository's apache.conf or apache-cgi.conf; Apache reads it as
# root); EXTRA is more configuration text put before the Include.
# Sets PORT, BASE, APACHE_PID and APACHE_DIR.  Logs:
# DIR/apache/error.log.  Sanitizer reports of the programs go to
# DIR/san/ (the programs run as www-data); apache_sanitizer_reports
# copies them to where tests/run.sh looks.
start_apache() {
	local d=$1 site=$2 extra=${3:-} a san
	a=$d/apache
	APACHE_DIR=$a
	mkdir -p "$a/fcgid" "$d/san"
	chown -R "$APACHE_USER:$APACHE_USER" "$a" "$d/san"
	if ! apache_www "$d/www"; then
		echo "# cannot copy htdocs/ and the programs to $d/www"
		return 1
	fi
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	san="abort_on_error=0:detect_leaks=1:log_path=$d/san/asan"
	cat > "$a/httpd.conf" <<CONF
# Generated by tests/integration/lib.sh start_apache.
ServerRoot "$a"
PidFile "$a/httpd.pid"
ErrorLog "$a/error.log"
LogLevel warn
Mutex file:$a default
DefaultRuntimeDir "$a"
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
User $APACHE_USER
Group $APACHE_USER

LoadModule mpm_event_module $APACHE_MODULES/mod_mpm_event.so
<IfModule !unixd_module>
LoadModule unixd_module $APACHE_MODULES/mod_unixd.so
</IfModule>
LoadModule authz_core_module $APACHE_MODULES/mod_authz_core.so
LoadModule mime_module $APACHE_MODULES/mod_mime.so
LoadModule alias_module $APACHE_MODULES/mod_alias.so
LoadModule dir_module $APACHE_MODULES/mod_dir.so
LoadModule env_module $APACHE_MODULES/mod_env.so
LoadModule headers_module $APACHE_MODULES/mod_headers.so
LoadModule rewrite_module $APACHE_MODULES/mod_rewrite.so
LoadModule cgid_module $APACHE_MODULES/mod_cgid.so
LoadModule fcgid_module $APACHE_MODULES/mod_fcgid.so
LoadModule proxy_module $APACHE_MODULES/mod_proxy.so
LoadModule proxy_fcgi_module $APACHE_MODULES/mod_proxy_fcgi.so

StartServers 1
ServerLimit 2
ThreadsPerChild 16
MaxRequestWorkers 32
TypesConfig /etc/mime.types
ScriptSock "$a/cgid.sock"
FcgidIPCDir "$a/fcgid"
FcgidProcessTableFile "$a/fcgid/shm"
# The sanitizer build's options, for FastCGI and CGI programs alike.
FcgidInitialEnv ASAN_OPTIONS $san
FcgidInitialEnv UBSAN_OPTIONS print_stacktrace=1:halt_on_error=1:log_path=$d/san/ubsan
SetEnv ASAN_OPTIONS $san
SetEnv UBSAN_OPTIONS print_stacktrace=1:halt_on_error=1:log_path=$d/san/ubsan
<Directory />
	AllowOverride None
	Require all denied
</Directory>

Define HUBGATE_HTDOCS $d/www/htdocs
Define HUBGATE_CGI $d/www/cgi-bin
Define HUBGATE_CONFIG $d/hubgate.conf
Define HUBGATE_DATA $d
Define HUBGATE_PORT $PORT
Define HUBGATE_SERVER_NAME 127.0.0.1
$extra
Include "$site"
CONF
	if ! "$APACHE_BIN" -t -f "$a/httpd.conf" >"$a/configtest.log" 2>&1; then
		echo "# apache configtest failed:"
		sed 's/^/#   /' "$a/configtest.log"
		return 1
	fi
	"$APACHE_BIN" -f "$a/httpd.conf" -DFOREGROUND >>"$a/error.log" 2>&1 &
	APACHE_PID=$!
	wait_up "$BASE/health"
}

# apache_procs DIR: pids of the processes that belong to DIR's Apache:
# Apache itself (by its configuration file) and the programs it
# started (by their HUBGATE_CONFIG).
apache_procs() {
	local d=$1
	# Patterns from a file: grep's own command line must not match.
	printf '%s\n' "$d/apache/httpd.conf" "HUBGATE_CONFIG=$d/hubgate.conf" \
	    > "$d/apache/procs.pat"
	grep -lsxzF -f "$d/apache/procs.pat" /proc/[0-9]*/cmdline \
	    /proc/[0-9]*/environ |
	    sed -n 's|^/proc/\([0-9]*\)/.*|\1|p' | grep -vx "$$" | sort -un
}

# stop_apache DIR: stop DIR's Apache (SIGTERM to its pid) and make
# sure neither it nor any program it started is left.  A program still
# running 2 s later is reported on a "# warning:" line and killed, as
# is anything left 5 s later; APACHE_STUCK lists what had to be killed.
# Returns 1 when Apache itself had to be killed.
stop_apache() {
	local d=$1 pid left p rc=0
	APACHE_STUCK=
	pid=${APACHE_PID:-}
	[ -n "$pid" ] || pid=$(cat "$d/apache/httpd.pid" 2>/dev/null)
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 20); do
		left=$(apache_procs "$d")
		[ -z "$left" ] && break
		sleep 0.1
	done
	for p in $left; do
		# Apache waits for its FastCGI programs; do not wait with it.
		tr '\0' '\n' 2>/dev/null < "/proc/$p/cmdline" |
		    grep -qxF "$d/apache/httpd.conf" && continue
		echo "# warning: pid $p ($(tr '\0' ' ' 2>/dev/null < "/proc/$p/cmdline")) still running 2 s after Apache got SIGTERM"
		APACHE_STUCK="$APACHE_STUCK $p"
		kill -KILL "$p" 2>/dev/null
	done
	for _ in $(seq 1 30); do
		left=$(apache_procs "$d")
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ -n "$left" ]; then
		echo "# stray processes after stopping Apache:" $left
		APACHE_STUCK="$APACHE_STUCK $left"
		kill -KILL $left 2>/dev/null
		rc=1
	fi
	[ -n "${APACHE_PID:-}" ] && wait "$APACHE_PID" 2>/dev/null
	APACHE_PID=
	apache_sanitizer_reports "$d"
	return $rc
}

# apache_sanitizer_reports DIR: copy the programs' sanitizer reports
# to HUBGATE_TEST_TMP, where tests/run.sh checks for them.
apache_sanitizer_reports() {
	local f
	[ -n "${HUBGATE_TEST_TMP:-}" ] || return 0
	for f in "$1"/san/asan.* "$1"/san/ubsan.*; do
		[ -f "$f" ] && cp "$f" "$HUBGATE_TEST_TMP/$(basename "$f").apache"
	done
	return 0
}

# sign_in VAR USER WORKSPACE: a session of USER in WORKSPACE made
# through the storage API (usertool): VAR_C the cookie, VAR_T its CSRF
# token.
sign_in() {
	local out
	out=$($UT session "$2" "$3")
	printf -v "$1_C" '%s' "$(echo "$out" | sed -n 1p)"
	printf -v "$1_T" '%s' "$(echo "$out" | sed -n 2p)"
}

# api VAR METHOD PATH [JSON]: call the API as sign_in's VAR (cookie,
# CSRF token, Origin): the body, then the status on the last line.  A
# POST without a body still says its length (0).
api() {
	local c t empty=()
	c=${1}_C t=${1}_T
	[ "$2" = POST ] && [ -z "${4:-}" ] && empty=(--data-binary '')
	curl -s --max-time 20 -w '\n%{http_code}' -X "$2" \
	    -H "Cookie: hg_session=${!c}" -H "X-CSRF-Token: ${!t}" \
	    -H "Origin: $BASE" ${4:+-H 'Content-Type: application/json'} \
	    ${4:+--data-binary "$4"} "${empty[@]}" "$BASE$3"
}
# status ANSWER, body ANSWER: the parts of what api printed.
status() { echo "$1" | tail -n 1; }
body() { echo "$1" | sed '$d'; }
