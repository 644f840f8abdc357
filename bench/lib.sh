# What the benchmark scripts share (sourced by run.sh, drain.sh, ops.sh):
# hubgate started exactly as `make run` starts it (scripts/run.sh:
# lighttpd, FastCGI) on $port with the app secret $secret, and stopped.

server_pid=
# bench_start DATA LOG [VAR=VALUE ...]: start it on the data directory
# DATA (created when missing), its output in LOG, with the settings
# given (HUBGATE_* environment variables), and wait for /health; exit
# with the log shown when it does not come up within 20 s.
bench_start() {
	local data=$1 log=$2 i
	shift 2
	mkdir -p "$data"
	env HUBGATE_APP_SECRET="$secret" HUBGATE_LOG_LEVEL=warn "$@" \
	    DATA_DIR="$data" PORT="$port" sh scripts/run.sh > "$log" 2>&1 &
	server_pid=$!
	for i in $(seq 200); do
		curl -sf -o /dev/null "http://127.0.0.1:$port/health" && return 0
		sleep 0.1
	done
	echo "server did not start"; cat "$log"; exit 1
}
# bench_stop: stop it (nothing when it is not running).
bench_stop() {
	[ -n "$server_pid" ] || return 0
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
	sleep 0.5
}
