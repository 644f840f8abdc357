#!/usr/bin/env bash
# The operations figures through a real lighttpd: GET /api/stats and
# GET /api/unhandled move exactly as webhooks of the three platforms
# and a bad signature arrive, scoped to the caller's workspace (an
# operator also sees the events of no workspace); /metrics parses with
# Prometheus' own text parser and its counters move; /health says
# "degraded" with its reasons when the app secret is missing.
source "$(dirname "$0")/lib.sh"

t_tmp stats

D=$TMP/data
new_data "$D"
export HUBGATE_CONFIG=$D/hubgate.conf
cp "$D/hubgate.conf" "$TMP/base.conf"
PW='stats password 12345'
JAR=$TMP/jar
PY=/usr/bin/python3

# call METHOD PATH [curl args...]: sets CODE, BODY.
call() {
	local m=$1 p=$2
	shift 2
	BODY=$(curl -s -X "$m" -D "$TMP/h" -b "$JAR" -c "$JAR" --max-time 30 \
	    "$@" "$BASE$p")
	CODE=$(sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' "$TMP/h" | tr -d '\r')
}
jget() { printf '%s' "$BODY" | python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$1" 2>/dev/null; }
# jx EXPR: a Python expression over the answer d.
jx() { printf '%s' "$BODY" | python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1" 2>/dev/null; }
signin() {
	rm -f "$JAR"
	call POST /api/session -H 'Content-Type: application/json' \
	    --data-binary '{"email":"'"$1"'","password":"'"$PW"'"}'
}

"$ADMIN" channel-add page 104857600000001 'Sandbox Bakery' >/dev/null
"$ADMIN" channel-add instagram 17841400000000001 'Bakery IG' >/dev/null
"$ADMIN" channel-add whatsapp 106540352242922 'Bakery WA' >/dev/null
sql "$D" "INSERT INTO workspace (id, name, created_at) VALUES (2, 'Other', 0)"
printf '%s\n' "$PW" | "$ADMIN" user-add op@example.org --role agent >/dev/null
printf '%s\n' "$PW" | "$ADMIN" user-add ag@example.org --role agent >/dev/null
printf '%s\n' "$PW" | "$ADMIN" user-add ot@example.org --role owner --workspace 2 >/dev/null
sql "$D" "UPDATE user SET operator = 1 WHERE email = 'op@example.org'"

if ! start_lighttpd "$D"; then
	not_ok "lighttpd starts"; t_done; exit 1
fi

call GET /api/stats
expect_eq "$CODE" 401 "without a session: 401"
call GET /api/unhandled
expect_eq "$CODE" 401 "/api/unhandled without a session: 401"

signin ag@example.org
expect_eq "$CODE" 200 "an agent signs in"
call GET /api/stats
expect_eq "$CODE" 200 "GET /api/stats: 200"
expect_eq "$(jget "['events']['total']")|$(jget "['range']")|$(jget "['hourly'].__len__()")" \
    "0|24h|24" "empty: 0 events, range 24h, 24 hourly buckets"
expect_eq "$(jget "['latency']['counts'].__len__()")|$(jget "['latency']['le_ms'].__len__()")|$(jget "['latency']['p50_ms']")" \
    "11|10|None" "latency: one count more than bounds, no percentile yet"
expect_eq "$(jx "[c['name'] for c in d['channels']]")" \
    "['Sandbox Bakery', 'Bakery IG', 'Bakery WA']" "the workspace's channels"
call GET '/api/stats?range=7d'
expect_eq "$(jget "['hourly'].__len__()")|$(jget "['range']")" "168|7d" "range=7d: 168 buckets"
now_h=$(( $(date +%s) / 3600 * 3600000 ))
expect_eq "$(jget "['hourly'][-1]['hour_ms']")" "$now_h" "the last bucket is the current hour"
call GET '/api/stats?range=1y'
expect_eq "$CODE" 400 "range=1y: 400"

# Metrics before.
call GET /metrics
M0=$BODY

# Three platforms, an event for an unknown Page (unrouted) and a bad signature.
for f in messenger-text instagram-text whatsapp-text; do
	expect_eq "$(post "$PAYLOADS/$f.json")" 200 "$f accepted"
done
sed 's/104857600000001/999999999999999/g' "$PAYLOADS/messenger-standby.json" > "$TMP/unrouted.json"
expect_eq "$(post "$TMP/unrouted.json")" 200 "an event for an unknown Page accepted"
expect_eq "$(post "$PAYLOADS/feed-comment.json" 'sha256=0000')" 401 "a bad signature: 401"

# Processed within the request (inline); wait for the counters' flush.
for _ in $(seq 1 50); do
	call GET /api/stats
	[ "$(jget "['last_24h']['bad_signature']")" = 1 ] && break
	sleep 0.1
done
expect_eq "$(jget "['last_24h']['bad_signature']")" 1 "one rejected signature in the last 24 h"
expect_eq "$(jget "['events']['total']")|$(jget "['events']['today']")|$(jget "['events']['last_hour']")" \
    "3|3|3" "the agent counts the three routed events (total, today, this hour)"
expect_eq "$(jget "['events']['by_platform']['messenger']['total']")|$(jget "['events']['by_platform']['instagram']['total']")|$(jget "['events']['by_platform']['whatsapp']['total']")|$(jget "['events']['by_platform']['other']['total']")" \
    "1|1|1|0" "one per platform"
expect_eq "$(jget "['queue']['processed']")|$(jget "['queue']['pending']")|$(jget "['queue']['dead_letters']")" \
    "3|0|0" "all three processed"
expect_eq "$(jget "['hourly'][-1]['total']")|$(jget "['hourly'][-1]['state']['processed']")|$(jget "['hourly'][-1]['platform']['whatsapp']")" \
    "3|3|1" "the current hour's bucket"
expect_eq "$(jx "sum(d['latency']['counts'])")" 3 "three processings in the latency"
expect_eq "$(jget "['last_24h']['unrouted']")" 0 "an agent does not see the unrouted event"
expect_eq "$(jx "[p['link'] for p in d['problems'] if 'unrouted' in (p['link'] or '')]")" "[]" \
    "... nor its problem"
expect_match "$(jx "[c['last_event_at'] for c in d['channels']]")" '^\[[0-9]+, [0-9]+, [0-9]+\]$' \
    "each channel has its last event time"
expect_eq "$(jx "[c['silent_s'] < 60 for c in d['channels']]")" "[True, True, True]" "none is silent"

signin op@example.org
call GET /api/stats
expect_eq "$(jget "['events']['total']")|$(jget "['last_24h']['unrouted']")" "4|1" \
    "the operator also sees the unrouted event"
expect_eq "$(jx "[p['link'] for p in d['problems']]")" "['events.html?routing=unrouted']" \
    "... and the unrouted problem, with its link"
expect_match "$(jx "[p['text'] for p in d['problems']]")" "1 unrouted event in the last 24 hours" \
    "... in words"

signin ot@example.org
expect_eq "$CODE" 200 "the owner of another workspace signs in"
call GET /api/stats
expect_eq "$(jget "['events']['total']")|$(jget "['queue']['processed']")|$(jget "['channels']")|$(jx "sum(d['latency']['counts'])")" \
    "0|0|[]|0" "another workspace sees nothing of ours"
call GET /api/unhandled
expect_eq "$CODE" 200 "GET /api/unhandled: 200"
expect_eq "$(jx "[u['sample_event_id'] for u in d['unhandled']]" | tr -d '[]N' | tr -d 'one, ')" "" \
    "another workspace sees no sample event"

# A dead letter and a silent channel, as the pages state them.
signin ag@example.org
sql "$D" "UPDATE webhook_event SET state = 'dead_letter', last_error = 'x' WHERE object = 'instagram'"
# (The queue counts a dead letter as it makes one: db_event_fail, unit-tested.)
sql "$D" "INSERT INTO counter_hourly (name, hour, value) VALUES ('events.dead_letter', strftime('%s', 'now') / 3600, 1)"
sql "$D" "UPDATE channel SET last_event_at = strftime('%s', 'now') - 200000 WHERE kind = 'whatsapp'"
call GET /api/stats
expect_eq "$(jget "['queue']['dead_letters']")|$(jget "['queue']['processed']")" "1|2" \
    "a dead letter moves the counts exactly"
expect_match "$(jx "[p['text'] for p in d['problems']]")" "1 dead letter since [0-9]{2}:[0-9]{2}" \
    "the dead letter problem in words"
expect_match "$(jx "[p['text'] + ' ' + (p['link'] or '') for p in d['problems']]")" \
    "no event from Bakery WA for 55 h events.html\\?channel=3" "the silent channel, with its link"

# /metrics: Prometheus' parser, and counters that moved.
call GET /metrics
M1=$BODY
parse() {
	printf '%s' "$1" | "$PY" -c '
import sys
from prometheus_client.parser import text_string_to_metric_families
v = {}
for f in text_string_to_metric_families(sys.stdin.read()):
    for s in f.samples:
        v[s.name + ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))] = s.value
    print("family", f.name, f.type)
for k in sys.argv[1:]:
    print(k, v.get(k))
' "${@:2}"
}
fam=$(parse "$M1" 2>&1)
for want in "hubgate_webhook_requests counter" "hubgate_events gauge" \
    "hubgate_queue_depth gauge" "hubgate_queue_oldest_pending_seconds gauge" \
    "hubgate_processing_attempts counter" "hubgate_processing_failures counter" \
    "hubgate_dead_letters gauge" "hubgate_processing_latency_seconds histogram" \
    "hubgate_unhandled_kinds gauge" "hubgate_graph_calls counter"; do
	expect_match "$fam" "family $want" "/metrics parses: $want"
done
expect_eq "$(printf '%s' "$fam" | grep -c Traceback)" 0 "the parser raised nothing"
before=$(parse "$M0" 'hubgate_webhook_requests_totalresult=accepted' \
    'hubgate_webhook_requests_totalresult=bad_signature' \
    'hubgate_processing_attempts_total' 'hubgate_processing_latency_seconds_count' | grep -v '^family' | awk '{print $2}' | tr '\n' ' ')
after=$(parse "$M1" 'hubgate_webhook_requests_totalresult=accepted' \
    'hubgate_webhook_requests_totalresult=bad_signature' \
    'hubgate_processing_attempts_total' 'hubgate_processing_latency_seconds_count' \
    'hubgate_eventsstate=dead_letter' 'hubgate_dead_letters' | grep -v '^family' | awk '{print $2}' | tr '\n' ' ')
expect_eq "$before" "0.0 0.0 0.0 0.0 " "the counters before"
expect_eq "$after" "4.0 1.0 4.0 4.0 1.0 1.0 " "after: 4 accepted, 1 bad signature, 4 attempts and processings, 1 dead letter"
expect_match "$M1" $'# HELP hubgate_processing_latency_seconds [^\n]+\n# TYPE hubgate_processing_latency_seconds histogram' \
    "the histogram's HELP and TYPE"
expect_match "$M1" 'hubgate_processing_latency_seconds_bucket\{le="\+Inf"\} 4' "its +Inf bucket"

# /health: degraded, with reasons.
call GET /health
expect_eq "$(jget "['status']")" degraded "a silent channel: degraded"
expect_match "$(jget "['reasons']")" "channel 3: no event for 55 h" "... the reason, by id, without its name"
expect_eq "$(printf '%s' "$BODY" | grep -c 'Bakery')" 0 "no channel name in /health"
expect_match "$(jget "['reasons']")" "1 new dead letter in the last hour" "... and the new dead letter"
sql "$D" "UPDATE channel SET last_event_at = strftime('%s', 'now')"
sql "$D" "DELETE FROM counter_hourly WHERE name = 'events.dead_letter'"
call GET /health
expect_eq "$(jget "['status']")|$(jget "['reasons']")" "ok|[]" "nothing wrong: ok"
# Times not of today carry their date; long waits say a human duration.
OLD=$(( ($(date +%s) - 3 * 86400) * 1000 ))
PEND=$(( ($(date +%s) - 30 * 86400 - 600) * 1000 ))
when() { "$PY" -c '
import sys, time
t, now = time.localtime(int(sys.argv[1]) / 1000), time.localtime()
s = "%s %d" % (time.strftime("%b", t), t.tm_mday)
if t.tm_year != now.tm_year: s += " %d" % t.tm_year
print(s + time.strftime(", %H:%M", t))' "$1"; }
sql "$D" "UPDATE webhook_event SET received_ms = $OLD WHERE state = 'dead_letter'"
sql "$D" "UPDATE webhook_event SET state = 'pending', received_ms = $PEND WHERE id = (SELECT min(id) FROM webhook_event WHERE state = 'processed' AND channel_id IS NOT NULL)"
call GET /api/stats
expect_match "$(jx "[p['text'] + ' ' + (p['link'] or '') for p in d['problems']]")" \
    "1 dead letter since $(when $OLD) dead-letters.html" "a dead letter of another day: its date too"
expect_match "$(jx "[p['text'] + ' ' + (p['link'] or '') for p in d['problems']]")" \
    "events pending for 30 days \\(the oldest since $(when $PEND)\\) events.html\\?state=pending" \
    "pending for long: in days, with the date"

# Every channel counts, however many: more than HG_LIST_MAX (200) of
# them, the silent one last.
sql "$D" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250) INSERT INTO channel (workspace_id, kind, meta_id, name, created_at, updated_at, last_event_at) SELECT 1, 'page', 'bulk' || i, 'Bulk ' || i, 0, 0, strftime('%s', 'now') FROM n"
sql "$D" "INSERT INTO channel (workspace_id, kind, meta_id, name, created_at, updated_at, last_event_at) VALUES (1, 'page', 'lastone', 'Last One', 0, 0, strftime('%s', 'now') - 200000)"
LAST=$(sql "$D" "SELECT id FROM channel WHERE meta_id = 'lastone'")
call GET /health
expect_match "$(jget "['reasons']")" "channel $LAST: no event for 55 h" "/health's silence check sees the 252nd channel"
call GET /api/stats
expect_eq "$(jx "len(d['channels'])")" "$(sql "$D" "SELECT count(*) FROM channel WHERE workspace_id = 1")" \
    "/api/stats lists every channel of the workspace"
call GET /api/channels
expect_eq "$(jx "len(d['channels'])")" "$(sql "$D" "SELECT count(*) FROM channel WHERE workspace_id = 1")" \
    "/api/channels too"
stop_lighttpd
grep -v '^app_secret' "$TMP/base.conf" > "$D/hubgate.conf"
start_lighttpd "$D" || not_ok "lighttpd starts without an app secret"
call GET /health
expect_eq "$CODE|$(jget "['status']")" "200|degraded" "no app secret: 200 degraded"
expect_match "$(jget "['reasons']")" "the app secret is missing" "... with the reason"
signin ag@example.org
call GET /api/stats
expect_match "$(jx "[p['text'] for p in d['problems']]")" "the app secret is missing: webhooks are refused" \
    "/api/stats states it as a problem"

t_done
