#!/usr/bin/env bash
# GET /metrics through a real lighttpd: the Prometheus text of the
# counters and the queue's states (as /health counts them), open to
# loopback with metrics_loopback = yes (the default) and otherwise only
# with an API token (read scope is enough) or a session; a trusted
# proxy on loopback does not open it.
source "$(dirname "$0")/lib.sh"

t_tmp metrics

D=$TMP/data
new_data "$D"
export HUBGATE_CONFIG=$D/hubgate.conf
cp "$D/hubgate.conf" "$TMP/base.conf"
PW='metrics password 12345'
JAR=$TMP/jar

serve() {
	stop_lighttpd
	{ cat "$TMP/base.conf"; printf '%s\n' "$1"; } > "$D/hubgate.conf"
	if ! start_lighttpd "$D"; then
		not_ok "lighttpd starts with: $1"
		sed 's/^/#   /' "$D/error.log"
		t_done
		exit 1
	fi
}
# call METHOD PATH [JSON [curl args...]]: sets CODE, BODY, HEAD.
call() {
	local m=$1 p=$2 data=${3:-} args=()
	shift 2; [ $# -gt 0 ] && shift
	[ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	BODY=$(curl -s -X "$m" -D "$TMP/h" -b "$JAR" -c "$JAR" --max-time 30 \
	    "${args[@]}" "$@" "$BASE$p")
	HEAD=$(tr -d '\r' < "$TMP/h")
	CODE=$(sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' <<< "$HEAD")
}
header() { printf '%s\n' "$HEAD" | sed -n "s/^$1: //Ip"; }
jget() { printf '%s' "$BODY" | python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$1" 2>/dev/null; }
# metric NAME: its value in BODY.
metric() { printf '%s\n' "$BODY" | awk -v n="$1" '$1 == n { print $2 }'; }

# Events in several states, written directly.
sqlite3 "$D/hubgate.db" <<SQL
.timeout 5000
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 7)
INSERT INTO webhook_event (received_ms, sent_ms, body, body_sha256, signature,
    object, routing, state, attempts)
    SELECT 1000 + i, 1000 + i, CAST('{"object":"page"}' AS BLOB),
    printf('%064d', i), 'sha256=0', 'page', 'unrouted',
    CASE WHEN i <= 3 THEN 'failed' ELSE 'dead_letter' END, 1 FROM n;
INSERT INTO counter (name, value) VALUES ('webhook.accepted', 41),
    ('webhook.bad_signature', 2);
SQL

# --- open to loopback by default --------------------------------------------
serve ""
call GET /metrics
expect_eq "$CODE" 200 "loopback without a token: 200 (metrics_loopback = yes by default)"
expect_eq "$(header Content-Type)" "text/plain; version=0.0.4; charset=utf-8" "the Prometheus text format's type"
expect_eq "$(metric hubgate_webhook_accepted_total)" 41 "a counter of the counter table"
expect_eq "$(metric hubgate_webhook_bad_signature_total)" 2 "another"
expect_eq "$(metric hubgate_webhook_duplicate_total)" 0 "an ingest counter not yet counted is 0"
expect_match "$BODY" $'# TYPE hubgate_webhook_accepted_total counter\nhubgate_webhook_accepted_total 41' "with its TYPE line"
expect_eq "$(metric 'hubgate_queue_events{state="failed"}')" 3 "failed events, as /health counts them"
expect_eq "$(metric 'hubgate_queue_events{state="dead_letter"}')" 4 "dead letters"
expect_eq "$(metric 'hubgate_queue_events{state="pending"}')" 0 "pending events"
call GET /health
H_FAILED=$(jget "['queue']['states']['failed']")
H_DEAD=$(jget "['queue']['states']['dead_letter']")
H_ACC=$(jget "['ingest']['accepted']")
call GET /metrics
expect_eq "$(metric 'hubgate_queue_events{state="failed"}')|$(metric 'hubgate_queue_events{state="dead_letter"}')|$(metric hubgate_webhook_accepted_total)" \
    "$H_FAILED|$H_DEAD|$H_ACC" "the same numbers as /health"
expect_match "$(metric hubgate_queue_depth)" '^[0-9]+$' "hubgate_queue_depth"
expect_match "$BODY" 'hubgate_info\{version="[^"]+"\} 1' "hubgate_info with the version"
bad=$(printf '%s\n' "$BODY" | grep -vE '^(# (TYPE|HELP) [a-z_]+ .*|[a-z_]+(\{[a-z_]+="[^"]*"\})? -?[0-9]+(\.[0-9]+)?)$')
expect_eq "$bad" "" "every line is a comment or a sample"
expect_eq "$(header Content-Security-Policy | cut -c1-18)" "default-src 'self'" "the security headers"
call POST /metrics '{}'
expect_eq "$CODE" 405 "POST /metrics: 405"

# A webhook moves a counter.
f=$PAYLOADS/messenger-text.json
expect_eq "$(post "$f")" 200 "a webhook is accepted"
call GET /metrics
expect_eq "$(metric hubgate_webhook_accepted_total)" 42 "and counted in /metrics"

# --- metrics_loopback = no: a token or a session is needed ------------------
serve "metrics_loopback = no"
call GET /metrics
expect_eq "$CODE" 401 "metrics_loopback = no: without a token 401"
expect_eq "$(metric hubgate_webhook_accepted_total)" "" "... and no metrics"
call GET /metrics '' -H 'Authorization: Bearer nosuchtoken0123456789'
expect_eq "$CODE" 401 "an unknown token: 401"
printf '%s\n' "$PW" | "$ADMIN" user-add amy@example.org --role agent >/dev/null
call POST /api/session '{"email":"amy@example.org","password":"'"$PW"'"}'
expect_eq "$CODE" 200 "an agent signs in"
CSRF=$(jget "['csrf_token']")
call GET /metrics
expect_eq "$CODE" 200 "with a session: 200"
call POST /api/tokens '{"name":"prometheus","scope":"read"}' -H "X-CSRF-Token: $CSRF" -H "Origin: $BASE"
TOK=$(jget "['token']")
expect_match "$TOK" '^[A-Za-z0-9_-]{43}$' "a read-scoped token is made"
call DELETE /api/session '' -H "X-CSRF-Token: $CSRF" -H "Origin: $BASE"
rm -f "$JAR"
call GET /metrics '' -H "Authorization: Bearer $TOK"
expect_eq "$CODE" 200 "with the read-scoped token: 200"
expect_eq "$(metric hubgate_webhook_accepted_total)" 42 "... the metrics"
call GET /metrics '' -H "Authorization: Bearer x$TOK"
expect_eq "$CODE" 401 "an altered token: 401"
grep -rqF "$TOK" "$D"/*.log 2>/dev/null && not_ok "the token is in no log" || ok "the token is in no log"

# --- a trusted proxy on loopback does not open it --------------------------
serve "trusted_proxies = 127.0.0.1"
call GET /metrics
expect_eq "$CODE" 401 "loopback that is a trusted proxy: a token is needed"
call GET /metrics '' -H "Authorization: Bearer $TOK"
expect_eq "$CODE" 200 "... and the token works"

t_done
