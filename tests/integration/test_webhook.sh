#!/usr/bin/env bash
# The webhook receiver through a real lighttpd: verification, the table
# of bad inputs, duplicates, invalid bodies, and routing of every
# payload in tests/data to its channel.
. "$(dirname "$0")/lib.sh"
D=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/webhook.XXXXXX")
trap 'stop_lighttpd' EXIT
new_data "$D"
start_lighttpd "$D"
rows() { sql "$D" "SELECT count(*) FROM webhook_event"; }
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
W=$BASE/webhook

# --- verification handshake
body=$(curl -s "$W?hub.mode=subscribe&hub.verify_token=$TEST_VERIFY&hub.challenge=1158201444")
expect_eq "$body" "1158201444" "verification echoes the challenge"
ct=$(curl -s -o /dev/null -w '%{content_type}' "$W?hub.mode=subscribe&hub.verify_token=$TEST_VERIFY&hub.challenge=abc-_XYZ")
expect_match "$ct" '^text/plain' "verification answers text/plain"
expect_eq "$(status "$W?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1")" 403 "wrong verify token is 403"
expect_eq "$(status "$W?hub.mode=subscribe&hub.challenge=1")" 403 "missing verify token is 403"
expect_eq "$(status "$W?hub.mode=unsubscribe&hub.verify_token=$TEST_VERIFY&hub.challenge=1")" 403 "other mode is 403"
expect_eq "$(status "$W?hub.mode=subscribe&hub.verify_token=${TEST_VERIFY}x&hub.challenge=1")" 403 "token with extra byte is 403"
expect_eq "$(status "$W?hub.mode=subscribe&hub.verify_token=$TEST_VERIFY&hub.challenge=%3Cscript%3Ealert(1)%3C/script%3E")" 400 "challenge with markup is 400"
expect_eq "$(status "$W?hub.mode=subscribe&hub.verify_token=$TEST_VERIFY")" 400 "missing challenge is 400"
long=$(head -c 129 /dev/zero | tr '\0' 'a')
expect_eq "$(status "$W?hub.mode=subscribe&hub.verify_token=$TEST_VERIFY&hub.challenge=$long")" 400 "challenge over 128 characters is 400"
expect_eq "$(status "$W?hub.mode=subscribe&hub.verify_token=$TEST_VERIFY&hub.challenge=%zz")" 400 "invalid percent-encoding is 400"
expect_eq "$(status "$W?hub.mode=subscribe&hub.verify_token=a%01b&hub.challenge=1")" 400 "a control byte in the verify token is 400 (the route's fields)"
expect_eq "$(status "$W?hub.mode=subscribe&hub.verify_token=%C3%28&hub.challenge=1")" 400 "a verify token that is not UTF-8 is 400"

# --- one good event
P=$PAYLOADS/messenger-text.json
expect_eq "$(post "$P")" 200 "signed Messenger event is 200"
expect_eq "$(curl -s -H "X-Hub-Signature-256: $(sign "$P")" --data-binary "@$P" "$W")" "EVENT_RECEIVED" "body says EVENT_RECEIVED"
expect_eq "$(rows)" 1 "one row stored, the repeat deduplicated"
expect_eq "$(sql "$D" "SELECT object || ' ' || entry_ids || ' ' || phone_number_ids FROM webhook_event")" 'page ["104857600000001"] []' "envelope parsed"
expect_match "$(sql "$D" "SELECT state FROM webhook_event")" '^(pending|processing|processed)$' "event queued for processing"
same=$(sql "$D" "SELECT hex(body) FROM webhook_event" | tr 'A-F' 'a-f')
expect_eq "$same" "$(od -An -tx1 -v "$P" | tr -d ' \n')" "raw body stored byte for byte"
expect_eq "$(sql "$D" "SELECT signature FROM webhook_event")" "$(sign "$P")" "signature header stored"
expect_eq "$(sql "$D" "SELECT body_sha256 FROM webhook_event")" "$(sha256sum "$P" | cut -d' ' -f1)" "body hash stored"
expect_eq "$(post "$P" "$(sign "$P" "$TEST_SECRET2")")" 200 "rotated second secret accepted"

# --- the table of bad inputs: status, and nothing stored
T=$D/tmp; mkdir -p "$T"
good_sig=$(sign "$P")
printf '{"object":"page","entry":[]}' > "$T/other.json"
n0=$(rows)
expect_eq "$(post "$P" "")" 401 "no signature is 401"
expect_eq "$(post "$P" "sha256=$(printf '0%.0s' $(seq 64))")" 401 "wrong signature is 401"
expect_eq "$(post "$P" "$(sign "$P" other-secret-0123456789)")" 401 "signature with another secret is 401"
expect_eq "$(post "$P" "$(sign "$T/other.json")")" 401 "signature of a different body is 401"
expect_eq "$(post "$P" "$(echo "$good_sig" | tr 'a-f' 'A-F' | sed 's/^SHA256/sha256/')")" 401 "uppercase hex is 401"
expect_eq "$(post "$P" "${good_sig%?}")" 401 "odd-length hex is 401"
expect_eq "$(post "$P" "sha1=${good_sig#sha256=}")" 401 "other algorithm prefix is 401"
expect_eq "$(post "$P" "$good_sig x")" 401 "signature with trailing bytes is 401"
unsigned_body=$(curl -s --data-binary "@$P" "$W")
expect_eq "$unsigned_body" "invalid signature" "401 body reveals nothing"
: > "$T/empty"
expect_eq "$(post "$T/empty" "$(sign "$T/empty")")" 400 "empty body is 400"
head -c $((4 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' > "$T/big"
expect_eq "$(post "$T/big" "$(sign "$T/big")")" 413 "body over the cap is 413"
head -c $((6 * 1024 * 1024)) /dev/zero | tr '\0' ' ' > "$T/huge"
expect_eq "$(post "$T/huge" "$(sign "$T/huge")")" 413 "body far over the cap is 413"
expect_eq "$(status -H "X-Hub-Signature-256: $good_sig" -H 'Content-Length: 50' --data-binary "@$P" "$W")" 401 "Content-Length shorter than the body is 401"
code=$(status --max-time 3 -H "X-Hub-Signature-256: $good_sig" -H 'Content-Length: 5000' --data-binary "@$P" "$W")
[ "$code" != 200 ] && ok "Content-Length longer than the body is not 200 ($code)" || not_ok "Content-Length longer than the body is not 200"
code=$(printf 'POST /webhook HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: %s\r\nConnection: close\r\n\r\n' "$good_sig" |
    timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat >&3; head -1 <&3" | cut -d' ' -f2)
expect_match "$code" '^(411|400)$' "POST without Content-Length is 411/400"
code=$(printf 'POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\nConnection: close\r\n\r\n' |
    timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat >&3; head -1 <&3" | cut -d' ' -f2)
expect_eq "$code" 400 "non-numeric Content-Length is 400"
hv=$(head -c 20000 /dev/zero | tr '\0' 'a')
code=$(status -H "X-Hub-Signature-256: sha256=$hv" --data-binary "@$P" "$W")
expect_match "$code" '^4[0-9][0-9]$' "huge signature header is refused ($code)"
code=$(status -H "X-Junk: $hv$hv$hv" -H "X-Hub-Signature-256: $good_sig" --data-binary "@$P" "$W")
expect_match "$code" '^(200|4[0-9][0-9])$' "huge unrelated header is handled ($code)"
[ "$code" = 200 ] && dup_extra=1 || dup_extra=0
expect_eq "$(status -X PUT --data-binary "@$P" "$W")" 405 "PUT is 405"
allow=$(curl -s -D - -o /dev/null -X DELETE "$W" | tr -d '\r' | sed -n 's/^Allow: //p')
expect_eq "$allow" "GET, HEAD, POST" "405 carries Allow"
expect_eq "$(rows)" "$n0" "no rejected request stored anything"

# --- signed but not JSON: stored as invalid, 200
printf '{"object":"page","entry":[' > "$T/trunc.json"
printf 'not json at all' > "$T/text.json"
printf '{"object":"page","x":"\xc3\x28"}' > "$T/utf8.json"
printf '{"object":"page","x":"\xed\xa0\x80"}' > "$T/surrogate.json"
{ printf '{"object":"page","x":'; head -c 200000 /dev/zero | tr '\0' '['; } > "$T/deep.json"
printf '[1,2,3]' > "$T/array.json"
printf '{"object":"page"} trailing' > "$T/trailing.json"
for f in trunc text utf8 surrogate deep array trailing; do
	expect_eq "$(post "$T/$f.json")" 200 "signed $f body is 200"
	h=$(sha256sum "$T/$f.json" | cut -d' ' -f1)
	expect_eq "$(sql "$D" "SELECT state FROM webhook_event WHERE body_sha256 = '$h'")" invalid "$f body stored as invalid"
done
expect_eq "$(status "$BASE/health")" 200 "server still serving after the bad inputs"

# --- unknown object type: stored, counted
printf '{"object":"permissions","entry":[{"id":"1","time":1}]}' > "$T/unknown.json"
expect_eq "$(post "$T/unknown.json")" 200 "unknown object type is 200"
expect_eq "$(sql "$D" "SELECT object || ' ' || routing FROM webhook_event WHERE object = 'permissions'")" "permissions unrouted" "unknown object stored, unrouted"

# --- routing: unrouted without channels, routed once the channel exists
expect_eq "$(sql "$D" "SELECT routing FROM webhook_event WHERE body_sha256 = '$(sha256sum "$P" | cut -d' ' -f1)'")" unrouted "event for an unknown Page is stored, unrouted"
hg() { HUBGATE_CONFIG=$D/hubgate.conf "$ADMIN" "$@"; }
page1=$(hg channel-add page 104857600000001 "Shop")
page2=$(hg channel-add page 104857600000002 "Shop 2")
ig=$(hg channel-add instagram 17841400000000001 "Shop IG")
wa=$(hg channel-add whatsapp 106540352242922 "+1 555 078 3881")
for name in $PAYLOAD_NAMES; do
	f=$PAYLOADS/$name.json
	[ "$name" = messenger-text ] && continue
	expect_eq "$(post "$f")" 200 "payload $name accepted"
	h=$(sha256sum "$f" | cut -d' ' -f1)
	expect_eq "$(sql "$D" "SELECT routing FROM webhook_event WHERE body_sha256 = '$h'")" routed "payload $name routed"
	got=$(sql "$D" "SELECT group_concat(channel_id) FROM (SELECT r.channel_id FROM webhook_event_route r JOIN webhook_event e ON e.id = r.event_id WHERE e.body_sha256 = '$h' ORDER BY r.channel_id)")
	case $name in
	messenger-mixed-batch) want="$page1,$page2" ;;
	instagram-*) want=$ig ;;
	whatsapp-*) want=$wa ;;
	*) want=$page1 ;;
	esac
	expect_eq "$got" "$want" "payload $name linked to its channel(s)"
done
expect_match "$(sql "$D" "SELECT last_event_at FROM channel WHERE id = $wa")" '^[0-9]+$' "channel last_event_at set"

# --- /health reports the counters
h=$(curl -s "$BASE/health")
expect_match "$h" '"status":"ok"' "health ok"
# The repeat, the rotated-secret post (and the huge-header post if the
# server let it through).
expect_match "$h" "\"duplicates\":$((2 + dup_extra))[,}]" "health counts the duplicates"
expect_match "$h" '"invalid":7[,}]' "health counts invalid bodies"
expect_match "$h" '"rejected_signatures":[1-9]' "health counts rejected signatures"
expect_match "$h" '"unknown_object":1[,}]' "health counts unknown objects"
accepted=$(sql "$D" "SELECT count(*) FROM webhook_event")
expect_match "$h" "\"accepted\":$accepted[,}]" "health accepted equals stored rows"

# --- rejections alone (no event to commit them with) are still counted,
# by the committer's own timer, and the program keeps running
pid=$(pgrep -f "$HUBGATE_BUILD/cgi-bin/webhook" | head -1)
before=$(sql "$D" "SELECT value FROM counter WHERE name = 'webhook.bad_signature'")
expect_eq "$(post "$P" sha256=0000000000000000000000000000000000000000000000000000000000000000)" 401 "a lone forged POST is 401"
sleep 1.5
expect_eq "$(sql "$D" "SELECT value FROM counter WHERE name = 'webhook.bad_signature'")" $((before + 1)) "a lone rejection is counted within a second"
expect_eq "$(pgrep -f "$HUBGATE_BUILD/cgi-bin/webhook" | head -1)" "$pid" "the same webhook process still serves"
expect_eq "$(post "$P")" 200 "and the next event is accepted"

# --- no version in the Server header: a program, a static file, a 404,
# a denied file
expect_no_version "$BASE/health" "lighttpd: no version in /health's headers"
expect_no_version "$W" "lighttpd: no version in /webhook's headers"
expect_no_version "$BASE/index.html" "lighttpd: no version for a static file"
expect_no_version "$BASE/no-such-file" "lighttpd: no version on a 404"
expect_no_version "$BASE/x.db" "lighttpd: no version on a 403"
if grep -q -e "$TEST_SECRET" -e "$TEST_VERIFY" "$D/error.log"; then not_ok "no secret in the log"; else ok "no secret in the log"; fi
grep -q 'event=webhook.bad_signature' "$D/error.log" && ok "rejections are logged" || not_ok "rejections are logged"
t_done
