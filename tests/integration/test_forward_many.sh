#!/usr/bin/env bash
# Forwarding to more destinations than the worker keeps in flight
# (HG_FWD_PARALLEL_MAX, 64, through one curl multi handle), through a
# real lighttpd, the fake of Meta and local test receivers
# (tests/tools/fwdrecv -c, every connection at once): 70 destinations
# whose endpoint takes 1.5 s an answer and 10 fast ones, 3 messages
# each.  Every delivery arrives exactly once per destination (dedupe by
# webhook-id), in event order per destination; no more than 64 are in
# flight at once, yet none starves: the destinations beyond 64 get
# their first delivery in the first pass or the next; once the slow
# ones are known slow (an attempt of 1 s or more) they hold at most 48
# places, and the fast ones are done within the second pass.  Then the same 80
# destinations at 1 delivery a second each: the rate holds for every
# one, the 65th to the 80th too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
. "$(dirname "$0")/fwdlib.sh"
sandbox_suite forward-many
ADM=$($UT user adam@example.com "Adam Admin" admin 1)
sign_in A "$ADM" 1
SLOW_MS=1500
NSLOW=70
NFAST=10
S=$TMP/slow
F=$TMP/fast
mkdir -p "$S"
recv_answer "$S" "200 $SLOW_MS"
recv_start "$S" -c || not_ok "the slow receiver starts"
SPORT=$RECV_PORT
recv_start "$F" -c || not_ok "the fast receiver starts"
FPORT=$RECV_PORT

# The destinations, slow ones first (the fast ones are beyond 64); each
# sends its name as X-Api-Key, which the receivers log.
bad=0
for i in $(seq $NSLOW); do
	r=$(api A POST /api/destinations "{\"url\":\"http://127.0.0.1:$SPORT/s$i\",\"events\":[\"message.received\"],\"headers\":{\"X-Api-Key\":\"s$i\"}}")
	[ "$(status "$r")" = 201 ] || bad=$((bad + 1))
done
for i in $(seq $NFAST); do
	r=$(api A POST /api/destinations "{\"url\":\"http://127.0.0.1:$FPORT/f$i\",\"events\":[\"message.received\"],\"headers\":{\"X-Api-Key\":\"f$i\"}}")
	[ "$(status "$r")" = 201 ] || bad=$((bad + 1))
done
expect_eq "$bad" 0 "$NSLOW slow and $NFAST fast destinations are added"
N=$((NSLOW + NFAST))

P1=104857600000001
"$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
for m in 1 2 3; do
	curl -s -d platform=messenger -d page=$P1 -d "text=Order $m" "$CTL/deliver" >/dev/null
done
expect_eq "$(wait_sql "SELECT count(*) FROM fwd_delivery" $((N * 3)) 100)" $((N * 3)) "three messages make $((N * 3)) deliveries"
EVENTS=$(sql "$D" "SELECT uid FROM fwd_event WHERE type = 'message.received' ORDER BY id" | tr '\n' ' ')
expect_eq "$(wait_sql "SELECT count(*) FROM fwd_delivery WHERE state = 'delivered'" $((N * 3)) 300)" $((N * 3)) "every delivery is delivered"
cat "$S/log" "$F/log" > "$TMP/all.log"

# Exactly once per destination, in order, none missing.
expect_eq "$(wc -l < "$TMP/all.log")" $((N * 3)) "the receivers got $((N * 3)) requests"
expect_eq "$(cut -f1,4 "$TMP/all.log" | sort | uniq -d | wc -l)" 0 "no destination got an event twice"
out=$(python3 - "$TMP/all.log" "$EVENTS" $NSLOW $NFAST <<'PY'
import sys
want = sys.argv[2].split()
seen = {}
for l in open(sys.argv[1]):
    f = l.rstrip("\n").split("\t")
    seen.setdefault(f[3], []).append(f[0])
names = ["s%d" % i for i in range(1, int(sys.argv[3]) + 1)] + \
    ["f%d" % i for i in range(1, int(sys.argv[4]) + 1)]
bad = [n for n in names if seen.get(n) != want]
print(len(bad), " ".join(bad[:5]))
PY
)
expect_eq "$out" "0 " "every destination got the three events, in event order"

# In flight at once: at most 64, and many (the test does load the
# worker past its 64); the first attempts of all 80 start within one
# slow answer of each other (the first pass or the next).
out=$(sql "$D" "SELECT destination_id, started_ms, duration_ms FROM fwd_attempt" | python3 -c '
import sys
ev = []
first = {}
for l in sys.stdin:
    d, s, n = map(int, l.split("|"))
    ev += [(s, 1), (s + n, -1)]
    first[d] = min(first.get(d, s), s)
cur = top = 0
for t, k in sorted(ev, key=lambda e: (e[0], e[1])):
    cur += k
    top = max(top, cur)
print(top, max(first.values()) - min(first.values()), len(first))')
read -r top spread ndest <<< "$out"
if [ "$top" -le 64 ] && [ "$top" -ge 60 ]; then ok "at most 64 requests in flight at once, and the worker was full ($top)"
else not_ok "at most 64 requests in flight at once, and the worker was full ($top)"; fi
expect_eq "$ndest" "$N" "every destination was attempted"
if [ "$spread" -lt $((SLOW_MS + 1000)) ]; then ok "none starves: every destination's first attempt within one slow answer of the first ($spread ms)"
else not_ok "none starves: every destination's first attempt within one slow answer of the first ($spread ms)"; fi
# A fast destination beyond 64 waits at most one pass (the slow ones'
# answer) between its deliveries, and is done before the slow ones.
out=$(sql "$D" "SELECT a.destination_id, a.started_ms FROM fwd_attempt a JOIN fwd_destination d ON d.id = a.destination_id WHERE d.url LIKE '%:$FPORT/%' ORDER BY a.started_ms" | python3 -c '
import sys
last = {}
gap = 0
for l in sys.stdin:
    d, s = map(int, l.split("|"))
    if d in last:
        gap = max(gap, s - last[d])
    last[d] = s
print(gap)')
FAST_DONE=$(sql "$D" "SELECT max(x.done_ms) FROM fwd_delivery x JOIN fwd_destination d ON d.id = x.destination_id WHERE d.url LIKE '%:$FPORT/%'")
SLOW_DONE=$(sql "$D" "SELECT max(x.done_ms) FROM fwd_delivery x JOIN fwd_destination d ON d.id = x.destination_id WHERE d.url LIKE '%:$SPORT/%'")
T0=$(sql "$D" "SELECT min(started_ms) FROM fwd_attempt")
if [ "$out" -lt $((SLOW_MS + 1000)) ] && [ "$FAST_DONE" -lt "$SLOW_DONE" ]; then
	ok "a fast destination beyond 64 waits at most one pass between deliveries ($out ms) and is done first"
else not_ok "a fast destination beyond 64 waits at most one pass between deliveries ($out ms) and is done first ($FAST_DONE, $SLOW_DONE)"; fi
# Once the slow ones are known slow they hold at most 48 places: the
# fast ones get all three events through in the second pass.
if [ $((FAST_DONE - T0)) -lt $((2 * SLOW_MS)) ]; then ok "the fast destinations are done within the second pass ($((FAST_DONE - T0)) ms; the slow ones $((SLOW_DONE - T0)) ms)"
else not_ok "the fast destinations are done within the second pass ($((FAST_DONE - T0)) ms; the slow ones $((SLOW_DONE - T0)) ms)"; fi
slow_top=$(sql "$D" "SELECT a.started_ms, a.duration_ms FROM fwd_attempt a JOIN fwd_destination d ON d.id = a.destination_id WHERE d.url LIKE '%:$SPORT/%' AND a.started_ms > $T0 + $SLOW_MS + 500" | python3 -c '
import sys
ev = []
for l in sys.stdin:
    s, n = map(int, l.split("|"))
    ev += [(s, 1), (s + n, -1)]
cur = top = 0
for t, k in sorted(ev):
    cur += k
    top = max(top, cur)
print(top)')
expect_eq "$slow_top" 48 "... for the slow ones hold 48 places at most (64 less 16 kept for the others)"

# --- a rate for all 80: 1 a second each, every one of them
recv_answer "$S" 200
sql "$D" "UPDATE fwd_destination SET rate_per_s = 1" >/dev/null
: > "$S/log"
: > "$F/log"
for m in 4 5 6; do
	curl -s -d platform=messenger -d page=$P1 -d "text=Order $m" "$CTL/deliver" >/dev/null
done
expect_eq "$(wait_sql "SELECT count(*) FROM fwd_delivery WHERE state = 'delivered'" $((N * 6)) 300)" $((N * 6)) "three more messages, at 1 a second per destination, are delivered"
out=$(sql "$D" "SELECT x.destination_id, a.started_ms FROM fwd_attempt a JOIN fwd_delivery x ON x.id = a.delivery_id JOIN fwd_event e ON e.id = x.event_id WHERE json_extract(e.data, '\$.message.text') IN ('Order 4', 'Order 5', 'Order 6') ORDER BY a.started_ms" | python3 -c '
import sys
last = {}
gaps = []
for l in sys.stdin:
    d, s = map(int, l.split("|"))
    if d in last:
        gaps.append((s - last[d], d))
    last[d] = s
print(len(gaps), min(gaps)[0], min(gaps)[1], len(last))')
read -r ngaps mingap at ndest <<< "$out"
expect_eq "$ndest $ngaps" "$N $((N * 2))" "every destination got its three"
if [ "$mingap" -ge 950 ]; then ok "rate_per_s = 1 holds for all $N destinations (closest two: $mingap ms apart)"
else not_ok "rate_per_s = 1 holds for all $N destinations (closest two: $mingap ms apart, destination $at)"; fi
t_done
