#!/usr/bin/env bash
# Refused webhook requests through a real lighttpd: a flood of each kind
# (wrong verify token, bad signature, and with no verify_token or
# app_secret configured) is answered, counted one by one in the counter
# table, and writes a bounded number of log lines.
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/refusals.XXXXXX")
trap 'stop_lighttpd' EXIT
N=1000
# The rate limit of lib/core/limits.h (HG_REJECT_LOG_PER_SEC).
PER_SEC=5

# flood N URL [CURL OPTIONS]: N requests to URL over one connection;
# prints each status and how many times, e.g. "1000 403".
flood() {
	local n=$1 url=$2 i
	shift 2
	for i in $(seq 1 "$n"); do
		printf 'url = "%s"\noutput = "/dev/null"\n' "$url"
	done > "$T/flood.cfg"
	curl -s --max-time 300 -w '%{http_code}\n' "$@" -K "$T/flood.cfg" |
	    sort | uniq -c | sed 's/^ *//'
}

# counter DIR NAME: the value of a counter once it stops changing.
counter() {
	local v w
	v=$(sql "$1" "SELECT value FROM counter WHERE name = '$2'")
	for _ in $(seq 1 30); do
		sleep 0.2
		w=$(sql "$1" "SELECT value FROM counter WHERE name = '$2'")
		[ "$w" = "$v" ] && [ -n "$w" ] && break
		v=$w
	done
	echo "${v:-0}"
}

# check_flood DIR EVENT COUNTER STATUS URL [CURL OPTIONS]: send N
# requests that are refused as EVENT, then check statuses, counter and
# the number of log lines.
check_flood() {
	local d=$1 ev=$2 name=$3 want=$4 url=$5 t0 t1 lines limit got
	shift 5
	# A new second: the lines of the flood before are not in its budget.
	sleep 1.1
	t0=$(date +%s)
	got=$(flood "$N" "$url" "$@")
	t1=$(date +%s)
	expect_eq "$got" "$N $want" "$N refused requests ($ev) all answered $want"
	expect_eq "$(counter "$d" "$name")" "$N" "counter $name counts all $N"
	lines=$(grep -c "event=$ev " "$d/error.log")
	limit=$((PER_SEC * (t1 - t0 + 2)))
	echo "# $ev: $lines log lines in $((t1 - t0)) s"
	if [ "$lines" -ge 1 ] && [ "$lines" -le "$limit" ] && [ "$lines" -lt $((N / 10)) ]; then
		ok "$ev: $lines log lines for $N requests (at most $limit)"
	else
		not_ok "$ev: $lines log lines for $N requests (at most $limit)"
	fi
}

# --- configured: a wrong verify token, a forged signature
D=$T/configured
new_data "$D"
start_lighttpd "$D"
W=$BASE/webhook
check_flood "$D" webhook.verify_refused webhook.verify_refused 403 \
    "$W?hub.mode=subscribe&hub.verify_token=wrong-token-0123456789&hub.challenge=1"
printf '{"object":"page","entry":[]}' > "$T/event.json"
check_flood "$D" webhook.bad_signature webhook.bad_signature 401 "$W" \
    -H "X-Hub-Signature-256: sha256=$(printf '0%.0s' $(seq 64))" \
    -H 'Content-Type: application/json' --data-binary "@$T/event.json"
sleep 1.1
expect_eq "$(post "$T/event.json" "sha256=$(printf '1%.0s' $(seq 64))")" 401 "a lone forged POST a second later is 401"
grep 'event=webhook.bad_signature ' "$D/error.log" | tail -1 | grep -q 'suppressed=[1-9]' &&
    ok "a later line says how many were held back" ||
    not_ok "a later line says how many were held back"
expect_eq "$(post "$T/event.json")" 200 "a signed event is still accepted"
expect_match "$(curl -s "$BASE/health")" "\"refused_verifications\":$N[,}]" \
    "/health reports the refused verifications"
stop_lighttpd

# --- not configured: no verify_token, no app_secret
D=$T/unconfigured
new_data "$D"
sed -i -e '/^app_secret/d' -e '/^verify_token/d' "$D/hubgate.conf"
start_lighttpd "$D"
W=$BASE/webhook
check_flood "$D" webhook.no_verify_token webhook.no_verify_token 503 \
    "$W?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1"
check_flood "$D" webhook.no_app_secret webhook.no_app_secret 503 "$W" \
    -H "X-Hub-Signature-256: sha256=$(printf '0%.0s' $(seq 64))" \
    -H 'Content-Type: application/json' --data-binary "@$T/event.json"
stop_lighttpd
for d in "$T/configured" "$T/unconfigured"; do
	if grep -q -e "$TEST_SECRET" -e "$TEST_VERIFY" "$d/error.log"; then
		not_ok "no secret in the log ($(basename "$d"))"
	else
		ok "no secret in the log ($(basename "$d"))"
	fi
done
t_done
