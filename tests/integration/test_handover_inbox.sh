#!/usr/bin/env bash
# Conversation Routing with Meta's inbox, through a real lighttpd and
# the fake of Meta: with "page_inbox": true in the handover settings an
# escalation sends one pass_thread_control to the Page Inbox app
# (exactly once when the event is posted again or replayed) and moves
# the thread owner; closing sends take_thread_control and brings the
# thread back; a thread Meta's inbox passed back needs no take; a
# refused take (the Page has no default app) is recorded, shown in the
# conversation's API and not tried again; Instagram goes through
# /me/...; WhatsApp and the setting off send no call at all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
t_tmp handover_inbox
D=$TMP/d
trap 't_cleanup' EXIT
SANDBOX_CONF="outbox_lease_ms = 3000
outbox_grace_s = 2" start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
CFG=$D/hubgate.conf
PW='handover passphrase'
user() {  # EMAIL ROLE
	printf '%s\n' "$PW" | HUBGATE_CONFIG=$CFG "$ADMIN" user-add "$1" --role "$2" >/dev/null
}
signin() {  # EMAIL JAR: prints the CSRF token
	curl -s -c "$2" -H 'Content-Type: application/json' \
	    --data-binary '{"email":"'"$1"'","password":"'"$PW"'"}' "$BASE/api/session" |
	    sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p'
}
user agent@example.org agent
user admin@example.org admin
G=$TMP/jar-g; A=$TMP/jar-a
CSRF_G=$(signin agent@example.org "$G")
CSRF_A=$(signin admin@example.org "$A")
call() {  # JAR CSRF METHOD PATH [JSON]: body, then the status
	curl -s --max-time 10 -w '\n%{http_code}' -b "$1" -H "X-CSRF-Token: $2" \
	    -H "Origin: $BASE" -H 'Content-Type: application/json' -X "$3" \
	    ${5:+--data-binary "$5"} "$BASE$4"
}
adm() { call "$A" "$CSRF_A" "$@"; }
agent() { call "$G" "$CSRF_G" "$@"; }
# calls KIND [RECIPIENT]: the fake's accepted calls of that kind
calls() {
	curl -s --max-time 10 "$CTL/outbox" | python3 -c 'import json,sys
print(sum(1 for x in json.load(sys.stdin)["data"] if x.get("kind")==sys.argv[1] and (len(sys.argv)<3 or x.get("recipient")==sys.argv[2])))' "$@"
}
# call_body KIND RECIPIENT: the body of the last such call
call_body() {
	curl -s --max-time 10 "$CTL/outbox" | python3 -c 'import json,sys
b=[x["body"] for x in json.load(sys.stdin)["data"] if x.get("kind")==sys.argv[1] and x.get("recipient")==sys.argv[2]]
print(json.dumps(b[-1] if b else None, sort_keys=True))' "$@"
}
# pyj EXPR: as json, but printing Python's repr of lists and booleans
pyj() {
	python3 -c 'import json,sys
j=json.load(sys.stdin)
print(eval(sys.argv[1]))' "$1"
}
wait_calls() {  # WANT KIND RECIPIENT
	local got
	for _ in $(seq 1 100); do
		got=$(calls "$2" "$3")
		[ "$got" == "$1" ] && break
		sleep 0.1
	done
	echo "$got"
}
deliver() {  # PLATFORM SENDER TEXT
	curl -s -d platform=$1 -d page=$P1 -d sender="$2" --data-urlencode "text=$3" "$CTL/deliver" >/dev/null
}
conv_of() { sql "$D" "SELECT v.id FROM conversation v JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '$1'"; }
owner_of() { sql "$D" "SELECT thread_owner || '|' || coalesce(thread_owner_app_id, '') FROM conversation WHERE id = $1"; }
INBOX=263902037430900

P1=104857600000001
IG1=17841400000000001
WA=106540352242922
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add instagram $IG1 'Bakery IG' >/dev/null
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add whatsapp $WA 'Sandbox WA' >/dev/null
curl -s "$CTL/world" >/dev/null
PT=$(curl -s -d action=issue -d kind=page -d page=$P1 "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$PT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token page $P1
printf '%s\n' "$PT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token instagram $IG1
WT=$(curl -s -d action=issue -d kind=user_long "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$WT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token whatsapp $WA
sqlite3 "$D/fakemeta.db" "INSERT OR REPLACE INTO subscription VALUES ('$P1', 'messages,message_echoes,messaging_postbacks,messaging_handovers,standby')"

# --- the setting ----------------------------------------------------------------
r=$(adm GET /api/settings/handover)
expect_eq "$(body "$r" | pyj 'j["page_inbox"]')" False "page_inbox: off by default"
expect_eq "$(status "$(adm PUT /api/settings/handover '{"enabled":true,"page_inbox":"yes"}')")" 422 \
    "page_inbox that is not a boolean: 422"
r=$(adm PUT /api/settings/handover '{"enabled":true,"notice":"Connecting you with a person.","page_inbox":true}')
expect_eq "$(status "$r")" 200 "PUT /api/settings/handover with page_inbox"
expect_eq "$(adm GET /api/settings/handover | sed '$d' | pyj '[j["page_inbox"], j["enabled"], j["notice"]]')" \
    "[True, True, 'Connecting you with a person.']" "... kept beside the other fields"
expect_eq "$(status "$(agent PUT /api/settings/handover '{"page_inbox":false}')")" 403 "an agent may not change it"

# --- escalation passes the thread, once ---------------------------------------------
S1=5552000001
deliver messenger $S1 'I want to talk to a person'
C1=$(conv_of $S1)
expect_eq "$(wait_for "SELECT status FROM conversation WHERE id = $C1" escalated)" escalated "a phrase escalates"
expect_eq "$(wait_calls 1 pass_thread_control $S1)" 1 "... and the fake gets one pass_thread_control"
expect_eq "$(call_body pass_thread_control $S1 | pyj '[j["recipient"]["id"], j["target_app_id"], j["metadata"]]')" \
    "['$S1', '$INBOX', 'hubgate: escalated: asked for a person (\"person\")']" \
    "... to the Page Inbox app, for the person, with metadata"
expect_eq "$(wait_for "SELECT thread_owner || '|' || coalesce(thread_owner_app_id, '') FROM conversation WHERE id = $C1" "other|$INBOX")" "other|$INBOX" \
    "... and the conversation's thread is the Page Inbox's"
expect_eq "$(curl -s "$CTL/routing" | pyj "[t['app_id'] for t in j['threads'] if t['user']=='$S1']")" "['$INBOX']" \
    "the fake agrees who owns the thread"
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE conversation_id = $C1 AND kind = 'action' AND state = 'sent'")" 1 \
    "the call went through the outbox (an action)"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE conversation_id = $C1 AND direction = 'out' AND text IS NULL")" 0 \
    "... and is no message in the thread"
expect_eq "$(repost $C1)" 200 "the same event posted again: 200"
r=$(adm POST /api/events/replay '{"since":0,"until":99999999999999}')
n=$(body "$r" | json 'j["count"]')
r=$(adm POST /api/events/replay "{\"since\":0,\"until\":99999999999999,\"confirm\":$n}")
expect_eq "$(status "$r")" 200 "every event replayed"
sleep 1.5
expect_eq "$(calls pass_thread_control $S1)" 1 "redelivered and replayed: still one pass_thread_control"
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE conversation_id = $C1 AND kind = 'action'")" 1 "... and one in the outbox"
r=$(agent GET /api/conversations/$C1/messages)
expect_eq "$(body "$r" | pyj '[j["thread_owner"]["owner"], j["thread_owner"]["app_id"], j["thread_control"]["error"], j["thread_control"]["pending"]]')" \
    "['other', '$INBOX', None, None]" "the conversation's API shows the Page Inbox owns the thread"

# --- closing takes it back ------------------------------------------------------------
r=$(agent POST /api/conversations/$C1/close '{}')
expect_eq "$(status "$r") $(body "$r" | pyj 'j["status"]')" "200 closed" "an agent closes it"
expect_eq "$(wait_calls 1 take_thread_control $S1)" 1 "... and the fake gets one take_thread_control"
expect_eq "$(call_body take_thread_control $S1 | pyj '[j["recipient"]["id"], "target_app_id" in j]')" \
    "['$S1', False]" "... for the person, naming no app"
expect_eq "$(wait_for "SELECT thread_owner || '|' || coalesce(thread_owner_app_id, '') FROM conversation WHERE id = $C1" "us|")" "us|" \
    "... and the thread is hubgate's again"
expect_eq "$(sql "$D" "SELECT group_concat(detail, ' / ') FROM (SELECT detail FROM automation_log WHERE conversation_id = $C1 AND action = 'thread_control' AND detail LIKE '%done' ORDER BY id)")" \
    "pass_thread_control: done / take_thread_control: done" "the automation log says both were done"
agent POST /api/conversations/$C1/reopen '{}' >/dev/null
agent POST /api/conversations/$C1/close '{}' >/dev/null
sleep 1
expect_eq "$(calls take_thread_control $S1)" 1 "closing a thread that is hubgate's takes nothing"

# --- Meta's inbox hands it back: no take needed -------------------------------------
S2=5552000002
deliver messenger $S2 'Can I speak to a person please'
C2=$(conv_of $S2)
expect_eq "$(wait_for "SELECT thread_owner FROM conversation WHERE id = $C2" other)" other "another escalation passes the thread"
r=$(curl -s -d action=pass_back -d page=$P1 -d sender=$S2 "$CTL/routing")
expect_eq "$(echo "$r" | pyj '[j["delivered"], j["payload"]["entry"][0]["messaging"][0]["pass_thread_control"]["previous_owner_app_id"]]')" \
    "[True, '$INBOX']" "the Page Inbox passes it back (the fake sends the webhook)"
expect_eq "$(wait_for "SELECT thread_owner FROM conversation WHERE id = $C2" us)" us "... and the thread is hubgate's"
expect_eq "$(sql "$D" "SELECT status FROM conversation WHERE id = $C2")" escalated "... while people in hubgate still have it"
agent POST /api/conversations/$C2/close '{}' >/dev/null
sleep 1
expect_eq "$(calls take_thread_control $S2)" 0 "closing it then takes nothing"

# --- a refused take ------------------------------------------------------------------
expect_eq "$(curl -s -d default_app=0 "$CTL/routing" | pyj 'j["default_app"]')" False \
    "the fake's Page has no default app now"
S3=5552000003
deliver messenger $S3 'I need a human, a person'
C3=$(conv_of $S3)
expect_eq "$(wait_for "SELECT thread_owner FROM conversation WHERE id = $C3" other)" other "an escalation passes the thread"
agent POST /api/conversations/$C3/close '{}' >/dev/null
expect_eq "$(wait_for "SELECT thread_control_error IS NOT NULL FROM conversation WHERE id = $C3" 1)" 1 \
    "closing: Meta refuses take_thread_control, and that is kept"
expect_match "$(sql "$D" "SELECT thread_control_error FROM conversation WHERE id = $C3")" \
    '^take_thread_control: .*no default app' "... with Meta's words"
sleep 3
expect_eq "$(curl -s "$CTL/routing" | pyj 'j["refused"]')" 1 "... asked once: no retries"
expect_eq "$(sql "$D" "SELECT state || ' ' || attempts FROM outbox WHERE conversation_id = $C3 AND kind = 'action' AND body LIKE '%take_thread_control%'")" \
    "failed 1" "... its send failed after one call"
expect_eq "$(owner_of $C3)" "other|$INBOX" "... and the thread stays the Page Inbox's"
expect_eq "$(sql "$D" "SELECT count(*) FROM automation_log WHERE conversation_id = $C3 AND action = 'refused' AND detail LIKE 'take_thread_control: refused by Meta: %'")" 1 \
    "the automation log has the refusal"
r=$(agent GET /api/conversations/$C3/messages)
expect_match "$(body "$r" | pyj 'j["thread_control"]["error"]')" '^take_thread_control: ' \
    "the conversation's API shows the refusal"
expect_eq "$(body "$r" | pyj '[j["thread_owner"]["owner"], j["thread_control"]["error_at"] > 0]')" "['other', True]" \
    "... with the owner still other, and when"
deliver messenger $S3 'hello again'
expect_eq "$(wait_for "SELECT standby FROM message WHERE conversation_id = $C3 AND text = 'hello again'" 1)" 1 \
    "the person writes again: Meta sends hubgate a standby copy, the inbox app owning the thread"
expect_eq "$(curl -s "$CTL/routing" | pyj 'j["refused"]')" 1 "a new message brings no new attempt"
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE conversation_id = $C3 AND author_kind IN ('rule', 'bot') AND kind = 'text' AND created_ms > (SELECT thread_control_error_ms FROM conversation WHERE id = $C3)")" 0 \
    "... and automation stays out of a thread another app owns"
curl -s -d default_app=1 "$CTL/routing" >/dev/null
agent POST /api/conversations/$C3/reopen '{}' >/dev/null
expect_eq "$(wait_calls 1 take_thread_control $S3)" 1 "a person reopening it tries once more, and Meta takes it now"
expect_eq "$(wait_for "SELECT thread_owner || '|' || coalesce(thread_control_error, '') FROM conversation WHERE id = $C3" "us|")" "us|" \
    "... the thread is hubgate's and the refusal is cleared"

# --- Instagram -----------------------------------------------------------------------
S4=5352000004
deliver instagram $S4 'talk to a person'
C4=$(conv_of $S4)
expect_eq "$(wait_calls 1 pass_thread_control $S4)" 1 "Instagram: an escalation passes the thread"
expect_eq "$(curl -s "$CTL/outbox" | pyj "[x['platform']+' '+x['object_id'] for x in j['data'] if x['kind']=='pass_thread_control' and x['recipient']=='$S4']")" \
    "['instagram $IG1']" "... of the Instagram account (/me/pass_thread_control)"
expect_eq "$(curl -s "$CTL/outbox" | pyj "[x['body']['target_app_id'] for x in j['data'] if x['kind']=='pass_thread_control' and x['recipient']=='$S4']")" \
    "['1217981644879628']" "... to Instagram's Inbox app, not Messenger's Page Inbox"
expect_eq "$(wait_for "SELECT thread_owner FROM conversation WHERE id = $C4" other)" other "... and the thread is the inbox's"
agent POST /api/conversations/$C4/close '{}' >/dev/null
expect_eq "$(wait_calls 1 take_thread_control $S4)" 1 "... closing takes it back"

# --- no window for thread control --------------------------------------------------
S7=5552000007
curl -s -d platform=messenger -d page=$P1 -d sender=$S7 -d age_s=108000 --data-urlencode 'text=a person please' "$CTL/deliver" >/dev/null
C7=$(conv_of $S7)
expect_eq "$(wait_for "SELECT status FROM conversation WHERE id = $C7" escalated)" escalated "a message of 30 hours ago escalates"
expect_eq "$(wait_calls 1 pass_thread_control $S7)" 1 "... the thread is passed though the 24-hour window has closed"
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE conversation_id = $C7 AND kind = 'text'")" 0 "... while the notice is not sent"

# --- WhatsApp, and the setting off: no calls ------------------------------------------
curl -s -d platform=whatsapp -d sender=15550001111 --data-urlencode 'text=I want a person' "$CTL/deliver" >/dev/null
C5=$(conv_of 15550001111)
expect_eq "$(wait_for "SELECT status FROM conversation WHERE id = $C5" escalated)" escalated "WhatsApp: a phrase escalates"
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE conversation_id = $C5 AND kind = 'action'")" 0 "... with no thread-control call"
adm PUT /api/settings/handover '{"enabled":true,"notice":"Connecting you with a person.","page_inbox":false}' >/dev/null
S6=5552000006
deliver messenger $S6 'a person please'
C6=$(conv_of $S6)
expect_eq "$(wait_for "SELECT status FROM conversation WHERE id = $C6" escalated)" escalated "page_inbox off: a phrase escalates"
expect_eq "$(wait_for "SELECT count(*) FROM outbox WHERE conversation_id = $C6 AND state = 'sent'" 1)" 1 "... the notice is sent"
agent POST /api/conversations/$C6/close '{}' >/dev/null
sleep 1
expect_eq "$(calls pass_thread_control $S6) $(calls take_thread_control $S6)" "0 0" "... and no pass nor take"
expect_eq "$(owner_of $C6)" "us|" "... the thread stays hubgate's"

stop_lighttpd
t_done
