#!/usr/bin/env bash
# Sandbox mode through `make run`'s script: a fresh data directory is in
# sandbox mode, the fake of Meta is mounted at /_meta, the one command
# printed delivers a signed test message that /webhook accepts, and a
# second run on another port works with the same data.  The production
# server configurations never mount the fake.
. "$(dirname "$0")/lib.sh"
D=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/sandbox.XXXXXX")/var
set -m
RUN_PID=
cleanup() { [ -n "$RUN_PID" ] && kill -TERM -"$RUN_PID" 2>/dev/null; }
trap cleanup EXIT

start_run() {
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	DATA_DIR=$D PORT=$PORT BUILD=${HUBGATE_BUILD#$HUBGATE_ROOT/} \
	    sh "$HUBGATE_ROOT/scripts/run.sh" > "$D.out.$1" 2>&1 &
	RUN_PID=$!
	wait_up "$BASE/health" && wait_up "$BASE/_meta/"
}
rows() { sqlite3 -cmd '.timeout 5000' "$D/hubgate.db" "SELECT count(*) FROM webhook_event"; }

for run in 1 2; do
	start_run $run
	out=$(cat "$D.out.$run")
	expect_match "$out" "sandbox mode" "run $run: says it is in sandbox mode"
	cmd=$(echo "$out" | grep -m1 '^ *curl .*_control/deliver' | sed 's/^ *//')
	expect_match "$cmd" "^curl .*http://127.0.0.1:$PORT/_meta/_control/deliver$" "run $run: prints one command to deliver a test message"
	n0=$(rows)
	res=$(eval "$cmd -s")
	expect_match "$res" '"delivered":true' "run $run: the printed command delivers a signed message"
	expect_eq "$(rows)" $((n0 + 1)) "run $run: /webhook stored it"
	expect_match "$(curl -s "$BASE/_meta/_control/world")" "\"redirect_uri\":\"http://127.0.0.1:$PORT/oauth/callback\"" "run $run: the fake knows this run's port"
	expect_match "$(curl -s "$BASE/_meta/v24.0/dialog/oauth?client_id=$(sed -n 's/^app_id = //p' "$D/hubgate.conf")&redirect_uri=http%3A%2F%2F127.0.0.1%3A$PORT%2Foauth%2Fcallback&state=x")" "Continue as" "run $run: the Login dialog works"
	stop_run
done
expect_match "$(cat "$D/hubgate.conf")" "sandbox = yes" "the first run wrote sandbox = yes"
expect_match "$(cat "$D/hubgate.conf")" "app_id = sandbox-[0-9]+" "and a sandbox app id"
[ -f "$D/fakemeta.db" ] && ok "the fake keeps its state in the data directory" || not_ok "fakemeta.db in the data directory"
for f in lighttpd.conf apache.conf apache-cgi.conf; do
	[ -f "$HUBGATE_ROOT/$f" ] || continue
	grep -q 'fakemeta' "$HUBGATE_ROOT/$f" && not_ok "$f never mounts the fake" || ok "$f never mounts the fake"
done
# A real app: sandbox = no, and nothing is mounted.
sed -i 's/^sandbox = yes/sandbox = no/' "$D/hubgate.conf"
start_run 3 2>/dev/null
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health")" 200 "sandbox = no: the gateway runs"
expect_match "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/_meta/")" '^404$' "and /_meta is not mounted"
[[ $(cat "$D.out.3") == *"sandbox mode"* ]] && not_ok "and no sandbox hint is printed" || ok "and no sandbox hint is printed"
stop_run
# A real app id with sandbox = yes (a real app configured, the sandbox
# line left behind), or HUBGATE_SANDBOX=yes over a real app: `make run`
# refuses to start, with a clear error, and mounts nothing.
sed -i -e 's/^sandbox = no/sandbox = yes/' -e 's/^app_id = .*/app_id = 1234567890/' "$D/hubgate.conf"
for how in file env; do
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	[ $how = env ] && sed -i 's/^sandbox = yes/sandbox = no/' "$D/hubgate.conf"
	( [ $how = env ] && export HUBGATE_SANDBOX=yes
	  DATA_DIR=$D PORT=$PORT BUILD=${HUBGATE_BUILD#$HUBGATE_ROOT/} \
	  exec sh "$HUBGATE_ROOT/scripts/run.sh" ) > "$D.out.$how" 2>&1 &
	RUN_PID=$!
	for _ in $(seq 1 200); do
		kill -0 "$RUN_PID" 2>/dev/null || break
		sleep 0.1
	done
	st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/_meta/")
	if kill -0 "$RUN_PID" 2>/dev/null; then
		not_ok "sandbox ($how) with a real app id: make run exits with an error (still running after 20 s)"
		stop_run
	else
		wait "$RUN_PID"
		rc=$?
		RUN_PID=
		[ $rc != 0 ] && ok "sandbox ($how) with a real app id: make run exits with an error" ||
		    not_ok "sandbox ($how) with a real app id: make run exits with an error"
	fi
	out=$(cat "$D.out.$how")
	expect_match "$out" "sandbox = yes needs a sandbox app_id \(sandbox-<digits>\)" "sandbox ($how) with a real app id: the error says why"
	expect_eq "$st" 000 "sandbox ($how) with a real app id: nothing is served"
done
t_done
