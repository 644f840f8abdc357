#!/usr/bin/env bash
# Meta fidelity's settings and authors, through a real lighttpd: a
# workspace's retention of what people take back (GET/PUT
# /api/settings/retention: admins only, checked, audited; applied when
# a Messenger message is unsent), and the echo of hubgate's own app
# without metadata (author hubgate; automation goes on).
. "$(dirname "$0")/lib.sh"
D=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/fidset.XXXXXX")
trap 'stop_lighttpd' EXIT
new_data "$D"
hg() { HUBGATE_CONFIG=$D/hubgate.conf "$ADMIN" "$@"; }
hg channel-add page 104857600000001 Shop >/dev/null
start_lighttpd "$D"
PW='fidelity settings passphrase'
printf '%s\n' "$PW" | hg user-add admin@example.org --role admin >/dev/null
printf '%s\n' "$PW" | hg user-add agent@example.org --role agent >/dev/null
signin() {  # EMAIL JAR: prints the CSRF token
	curl -s -c "$2" -H 'Content-Type: application/json' \
	    --data-binary '{"email":"'"$1"'","password":"'"$PW"'"}' "$BASE/api/session" |
	    sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p'
}
A=$D/jar-a; G=$D/jar-g
CSRF_A=$(signin admin@example.org "$A")
CSRF_G=$(signin agent@example.org "$G")
# call JAR CSRF METHOD [JSON]: the body, then the status on the last line
call() {
	curl -s --max-time 10 -w '\n%{http_code}' -b "$1" -H "X-CSRF-Token: $2" \
	    -H "Origin: $BASE" -H 'Content-Type: application/json' -X "$3" \
	    ${4:+--data-binary "$4"} "$BASE/api/settings/retention"
}
status() { echo "$1" | tail -n 1; }
body() { echo "$1" | sed '$d'; }
processed() {  # wait until every event is processed
	for _ in $(seq 1 50); do
		[ "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state <> 'processed'")" = 0 ] && break
		sleep 0.1
	done
}

# The setting: off by default; admins change it; checked; audited.
r=$(call "$A" "$CSRF_A" GET)
expect_eq "$(status "$r")|$(body "$r")" '200|{"keep_deleted_text":false}' "GET: deleted text not kept by default"
expect_eq "$(status "$(call "$G" "$CSRF_G" GET)")" 403 "an agent may not read it"
expect_eq "$(status "$(call "$G" "$CSRF_G" PUT '{"keep_deleted_text":true}')")" 403 "nor change it"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/settings/retention")" 401 "nobody signed in: 401"
expect_eq "$(status "$(call "$A" "$CSRF_A" PUT '{"keep_deleted_text":"yes"}')")" 422 "a value not a boolean: 422"
expect_eq "$(status "$(call "$A" "$CSRF_A" PUT '{"keep_everything":true}')")" 422 "an unknown setting: 422"
expect_eq "$(status "$(call "$A" "$CSRF_A" PUT '[true]')")" 400 "not a JSON object: 400"
expect_eq "$(sql "$D" "SELECT coalesce(retention, 'NULL') FROM workspace WHERE id = 1")" NULL "refusals store nothing"
r=$(call "$A" "$CSRF_A" PUT '{"keep_deleted_text":true}')
expect_eq "$(status "$r")|$(body "$r")" '200|{"keep_deleted_text":true}' "an admin keeps deleted text"
expect_eq "$(body "$(call "$A" "$CSRF_A" GET)")" '{"keep_deleted_text":true}' "GET shows it"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'retention_settings' AND object = 'settings:retention'")" 1 "the change is audited"

# Applied when a person unsends a message: marked deleted, text and
# earlier texts kept.
expect_eq "$(post "$PAYLOADS/messenger-unsend.json")" 200 "an unsent Messenger message accepted"
processed
expect_eq "$(sql "$D" "SELECT coalesce(text, 'NULL') || '|' || (unsent_ms > 0) FROM message WHERE meta_message_id = 'm_unsend-0001'")" "My card is 4111 ...|1" "kept: marked deleted, its text kept"
expect_eq "$(sql "$D" "SELECT count(text) FROM message_edit WHERE meta_message_id = 'm_unsend-0001'")" 2 "... and its earlier texts"
# Off again: the next unsend erases them.
expect_eq "$(status "$(call "$A" "$CSRF_A" PUT '{"keep_deleted_text":false}')")" 200 "off again"
sed 's/m_unsend-0001/m_unsend-0002/g; s/1763885/1763886/g' "$PAYLOADS/messenger-unsend.json" > "$D/unsend2.json"
expect_eq "$(post "$D/unsend2.json")" 200 "another unsent message accepted"
processed
expect_eq "$(sql "$D" "SELECT coalesce(text, 'NULL') || '|' || (unsent_ms > 0) || '|' || (SELECT count(text) FROM message_edit WHERE meta_message_id = 'm_unsend-0002') FROM message WHERE meta_message_id = 'm_unsend-0002'")" "NULL|1|0" "not kept: the text and earlier texts erased"

# The echo of hubgate's own app (app_id 1234567890) naming no send:
# hubgate's, and automation (the greeting on) is not stopped by it.
sql "$D" "UPDATE rule SET enabled = 1 WHERE workspace_id = 1 AND name = 'Greeting'"
expect_eq "$(post "$PAYLOADS/messenger-echo-own.json")" 200 "an echo of hubgate's own app accepted"
processed
expect_eq "$(sql "$D" "SELECT direction || '|' || author FROM message WHERE meta_message_id = 'm_own-echo-0001'")" "out|hubgate" "its author: hubgate"
expect_eq "$(sql "$D" "SELECT v.status FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '7300000000000071'")" open "automation is not stopped by it"
expect_eq "$(sql "$D" "SELECT count(*) FROM automation_log WHERE action = 'escalate'")" 0 "no escalation"
t_done
