#!/usr/bin/env bash
# `make run`'s contract, through scripts/run.sh as the Makefile calls it:
# a fresh data directory gets a configuration with random secrets and a
# database; /health answers 200; Ctrl-C (SIGINT to the process group)
# stops lighttpd and the programs it started; a second run reuses the
# same configuration and data.
. "$(dirname "$0")/lib.sh"
D=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/run.XXXXXX")/var
set -m
RUN_PID=
cleanup() { [ -n "$RUN_PID" ] && kill -TERM -"$RUN_PID" 2>/dev/null; }
trap cleanup EXIT

start_run() {
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	DATA_DIR=$D PORT=$PORT BUILD=build sh "$HUBGATE_ROOT/scripts/run.sh" > "$D.out.$1" 2>&1 &
	RUN_PID=$!
	local t0=$SECONDS
	wait_up "$BASE/health"
	echo "# up in $((SECONDS - t0)) s"
}
# Ctrl-C (stop_run, lib.sh) must stop every program make run started.
stop_run_checked() {
	if stop_run; then ok "Ctrl-C stops every program it started"
	else not_ok "Ctrl-C stops every program it started"; fi
}

start_run 1
h=$(curl -s -w ' %{http_code}' "$BASE/health")
expect_match "$h" '"status":"ok".* 200$' "first run: /health is 200 and ok"
expect_match "$(cat "$D.out.1")" "http://127.0.0.1:$PORT/" "prints the URL"
expect_match "$(cat "$D.out.1")" "$D/hubgate.conf" "prints where the config is"
[ -f "$D/hubgate.conf" ] && ok "config created" || not_ok "config created"
expect_eq "$(stat -c %a "$D/hubgate.conf")" 600 "config is private (0600)"
for k in app_secret verify_token token_key state_secret; do
	v=$(sed -n "s/^$k = //p" "$D/hubgate.conf")
	[ ${#v} -ge 40 ] && ok "$k generated (${#v} chars)" || not_ok "$k generated"
done
expect_eq "$(sqlite3 "$D/hubgate.db" 'PRAGMA user_version')" "$(grep -c '^-- @migration ' "$HUBGATE_ROOT/schema.sql")" "database created from schema.sql (every migration)"
expect_eq "$(sqlite3 "$D/hubgate.db" 'PRAGMA journal_mode')" wal "database is in WAL mode"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/")" 200 "htdocs served"
expect_match "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/hubgate.conf")" '^40[34]$' "config not served"
secret=$(sed -n 's/^app_secret = //p' "$D/hubgate.conf")
P=$PAYLOADS/messenger-text.json
expect_eq "$(post "$P" "$(sign "$P" "$secret")")" 200 "a signed event is accepted with the generated secret"
expect_eq "$(sqlite3 "$D/hubgate.db" 'SELECT count(*) FROM channel')" 3 "the sandbox connects the fake world's Page, Instagram and WhatsApp"
for _ in $(seq 1 30); do
	[ "$(sqlite3 "$D/hubgate.db" 'SELECT count(*) FROM message')" = 1 ] && break
	sleep 0.1
done
expect_eq "$(sqlite3 "$D/hubgate.db" "SELECT text FROM message")" "Hi! Do you ship to Lisbon?" "the test message becomes a conversation"
for s in "$secret" "$(sed -n 's/^verify_token = //p' "$D/hubgate.conf")"; do
	grep -qF "$s" "$D.out.1" && not_ok "no secret printed" || ok "no secret printed"
	curl -s "$BASE/health" | grep -qF "$s" && not_ok "no secret in /health" || ok "no secret in /health"
done
# A data directory with no user: the first setup's one-time link.
link=$(grep -o 'http://[^ ]*/setup\.html?token=[A-Za-z0-9_-]*' "$D.out.1")
expect_match "$link" "^$BASE/setup\.html\?token=[A-Za-z0-9_-]{43}\$" "first run prints the setup link for its port"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary '{"token":"'"${link#*token=}"'","name":"Run Owner","email":"owner@example.org","password":"run owner passphrase"}' \
    "$BASE/api/setup")" 200 "the printed link sets up the owner"
sum1=$(sha256sum < "$D/hubgate.conf")
stop_run_checked

start_run 2
expect_eq "$(sha256sum < "$D/hubgate.conf")" "$sum1" "second run keeps the configuration"
expect_match "$(curl -s "$BASE/health")" '"accepted":1[,}]' "second run keeps the data"
expect_eq "$(grep -c 'created' "$D.out.2")" 0 "second run creates nothing"
expect_eq "$(grep -c 'setup\.html' "$D.out.2")" 0 "once somebody has an account, no setup link"
stop_run_checked
t_done
