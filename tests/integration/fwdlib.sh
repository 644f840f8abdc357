# Helpers for forwarding's suites (test_forward*.sh; source after lib.sh
# and sandbox.sh): local test receivers (tests/tools/fwdrecv) and the
# Standard Webhooks signature check the README shows.
#
# recv_start DIR [-c]: a receiver on a free loopback port that logs
#   every request to DIR/log (one line, tab-separated: webhook-id,
#   webhook-timestamp, webhook-signature, x-api-key, status, body) and
#   answers as DIR/control says (recv_answer); -c serves every
#   connection at once.  Sets RECV_PORT; 1 when it did not start within
#   5 s.  Every receiver (and what it forked) is stopped when the suite
#   exits, before t_cleanup.
# The suite's main receiver is R (a directory): lines, wait_lines N
# [TENTHS], answer LINE act on it.
RECV_BIN=$HUBGATE_ROOT/build/tests/tools/fwdrecv
RECV_PIDS=
recv_stop_all() {
	local p
	for p in $RECV_PIDS; do
		kill "$p" 2>/dev/null
		pkill -P "$p" 2>/dev/null
	done
	RECV_PIDS=
}
recv_start() {
	local dir=$1
	shift
	mkdir -p "$dir"
	"$RECV_BIN" "$@" "$dir/port" "$dir/log" "$dir/control" &
	RECV_PIDS="$RECV_PIDS $!"
	trap 'recv_stop_all; t_cleanup' EXIT
	trap 'recv_stop_all; t_cleanup; exit 1' INT TERM
	for _ in $(seq 50); do [ -s "$dir/port" ] && break; sleep 0.1; done
	RECV_PORT=$(cat "$dir/port" 2>/dev/null)
	[ -n "$RECV_PORT" ]
}
# recv_answer DIR LINE: "STATUS [DELAY_MS] [HEADER: VALUE]" from now on.
recv_answer() { echo "$2" > "$1/control"; }
# recv_lines DIR: how many requests it logged.
recv_lines() { wc -l < "$1/log" 2>/dev/null || echo 0; }
# recv_wait DIR N [TENTHS]: until it logged N requests (15 s by
# default); prints how many it did.
recv_wait() {
	for _ in $(seq "${3:-150}"); do
		[ "$(recv_lines "$1")" -ge "$2" ] && break
		sleep 0.1
	done
	recv_lines "$1"
}
lines() { recv_lines "$R"; }
wait_lines() { recv_wait "$R" "$@"; }
answer() { recv_answer "$R" "$1"; }

# fwd_verify ID TS SIGS BODY SECRET: 0 when one of SIGS ("v1,..."
# separated by spaces) is BODY's signature under SECRET (whsec_...),
# computed with openssl as the README shows.
fwd_verify() {
	local key want
	key=$(printf '%s' "${5#whsec_}" | base64 -d | od -An -tx1 -v | tr -d ' \n')
	want=$(printf '%s.%s.%s' "$1" "$2" "$4" |
	    openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | base64)
	case " $3 " in *" v1,$want "*) return 0 ;; esac
	return 1
}

# wait_sql SQL WANT [TENTHS]: until the query on D's database prints
# WANT (15 s by default); prints what it printed last.
wait_sql() {
	local got
	for _ in $(seq "${3:-150}"); do
		got=$(sql "$D" "$1")
		[ "$got" == "$2" ] && break
		sleep 0.1
	done
	echo "$got"
}
