#!/usr/bin/env bash
# Automation through a real lighttpd and the fake of Meta: the rules
# API (admins only, 422 for a bad rule, the test box); a keyword rule,
# a payload rule and the greeting of first messages answer through the
# outbox into the fake's outbox, exactly once even when the event is
# posted again or replayed; nothing for a conversation another app
# owns, for an automated sender that repeats our reply, past the loop
# limit, or outside the 24 h window (logged, with why); business hours
# (away message); escalation by a phrase sends the notice (with the
# place in the queue for the second), shows "escalated" in
# /api/conversations, pauses rules until a person closes it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
t_tmp automation
D=$TMP/d
# A local receiver of the alert webhook: each body on a line.
RPORT=$(free_port)
python3 - "$RPORT" "$TMP/hook.txt" <<'PY' &
import http.server, sys
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        b = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        with open(out, 'ab') as f:
            f.write(b + b'\n')
        self.send_response(200); self.end_headers(); self.wfile.write(b'ok')
    def log_message(self, *a): pass
http.server.HTTPServer(('127.0.0.1', port), H).serve_forever()
PY
RECV_PID=$!
trap 'kill $RECV_PID 2>/dev/null; t_cleanup' EXIT
SANDBOX_CONF="outbox_lease_ms = 3000
outbox_grace_s = 2
alert_webhook = http://127.0.0.1:$RPORT/hook" start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
CFG=$D/hubgate.conf
PW='automation passphrase'
user agent@example.org agent
user admin@example.org admin
G=$TMP/jar-g; A=$TMP/jar-a
CSRF_G=$(signin agent@example.org "$G")
CSRF_A=$(signin admin@example.org "$A")
# call JAR CSRF METHOD PATH [JSON]: body, then the status on the last line
call() {
	curl -s --max-time 10 -w '\n%{http_code}' -b "$1" -H "X-CSRF-Token: $2" \
	    -H "Origin: $BASE" -H 'Content-Type: application/json' -X "$3" \
	    ${5:+--data-binary "$5"} "$BASE$4"
}
adm() { call "$A" "$CSRF_A" "$@"; }
status() { echo "$1" | tail -n 1; }
body() { echo "$1" | sed '$d'; }
# fake_count REGEX: sends in the fake's outbox whose body matches
fake_count() {
	curl -s --max-time 10 "$CTL/outbox" | python3 -c 'import json,re,sys
r=re.compile(sys.argv[1])
print(sum(1 for x in json.load(sys.stdin)["data"] if r.search(json.dumps(x.get("body"),separators=(",",":"),ensure_ascii=False))))' "$1"
}
# deliver SENDER TEXT [more curl args]: a Messenger text from SENDER
deliver() {
	local s=$1 t=$2; shift 2
	curl -s -d platform=messenger -d page=$P1 -d sender="$s" --data-urlencode "text=$t" "$@" "$CTL/deliver" >/dev/null
}
conv_of() { sql "$D" "SELECT v.id FROM conversation v JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '$1'"; }
rule_sends() { sql "$D" "SELECT count(*) FROM outbox WHERE conversation_id = $1 AND author_kind = 'rule'"; }

P1=104857600000001
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
curl -s "$CTL/world" >/dev/null
PT=$(curl -s -d action=issue -d kind=page -d page=$P1 "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$PT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token page $P1
sqlite3 "$D/fakemeta.db" "INSERT OR REPLACE INTO subscription VALUES ('$P1', 'messages,message_echoes,message_deliveries,message_reads,messaging_postbacks')"

# --- the API ---------------------------------------------------------------
r=$(adm GET /api/rules)
expect_eq "$(status "$r")" 200 "GET /api/rules: 200 for an admin"
expect_eq "$(body "$r" | json '[(x["name"], x["enabled"]) for x in j["rules"]]')" \
    '[["Greeting", false], ["Away message", false]]' "a workspace starts with a greeting and an away message, both off"
expect_eq "$(status "$(call "$G" "$CSRF_G" GET /api/rules)")" 403 "an agent may not read the rules"
expect_eq "$(status "$(call "$G" "$CSRF_G" POST /api/rules '{"name":"x","when":{"keywords":["a"]},"then":[{"stop":{}}]}')")" 403 \
    "... nor add one"
r=$(adm POST /api/rules '{"name":"Bad","when":{"keywords":[]},"then":[{"stop":{}}]}')
expect_eq "$(status "$r")" 422 "a rule without keywords: 422"
expect_match "$(body "$r")" 'when.keywords' "... naming the field"
r=$(adm POST /api/rules '{"name":"Bad","when":{"keywords":["a"]},"then":[{"launch":{}}]}')
expect_eq "$(status "$r")" 422 "an unknown action: 422"
expect_eq "$(sql "$D" "SELECT count(*) FROM rule")" 2 "nothing refused was stored"
r=$(adm POST /api/rules '{"name":"Opening hours","when":{"keywords":["hours","open"]},"then":[{"reply":{"text":"We are open 9 to 5, {contact.first_name|friend}."}},{"tag":"hours"},{"stop":{}}]}')
expect_eq "$(status "$r")" 201 "a keyword rule: 201"
R1=$(body "$r" | json 'j["id"]')
expect_eq "$(body "$r" | json '[j["name"], j["enabled"], j["position"], j["when"]]')" \
    '["Opening hours", true, 3, {"keywords": ["hours", "open"]}]' "... enabled, last, as given"
r=$(adm POST /api/rules/test '{"text":"Are you OPEN today?"}')
expect_eq "$(body "$r" | json '[m["name"] for m in j["matches"]]')" '["Opening hours"]' \
    "the test box: a keyword in another case matches"
expect_eq "$(body "$r" | json 'j["matches"][0]["then"][0]')" \
    '{"reply": {"text": "We are open 9 to 5, {contact.first_name|friend}."}}' "... and says what it would do"
r=$(adm POST /api/rules/test '{"text":"Openings and reopening"}')
expect_eq "$(body "$r" | json 'j["matches"]')" '[]' "... whole words only"
expect_eq "$(rule_sends 0) $(sql "$D" "SELECT count(*) FROM outbox")" "0 0" "testing sends nothing"
r=$(adm PUT /api/rules/$R1 '{"name":"Opening hours","enabled":false,"when":{"keywords":["hours","open"]},"then":[{"reply":{"text":"We are open 9 to 5, {contact.first_name|friend}."}},{"tag":"hours"},{"stop":{}}]}')
expect_eq "$(status "$r") $(body "$r" | json 'j["enabled"]')" "200 false" "PUT turns it off"
expect_eq "$(adm POST /api/rules/test '{"text":"open?"}' | sed '$d' | json 'j["matches"]')" '[]' "... and a rule that is off does not match"
adm PUT /api/rules/$R1 '{"name":"Opening hours","when":{"keywords":["hours","open"]},"then":[{"reply":{"text":"We are open 9 to 5, {contact.first_name|friend}."}},{"tag":"hours"},{"stop":{}}]}' >/dev/null
expect_eq "$(status "$(adm DELETE /api/rules/999999)")" 404 "deleting no such rule: 404"
expect_eq "$(status "$(adm GET /api/rules/999999)")" 404 "reading no such rule: 404"

# --- a keyword rule answers, once ------------------------------------------
S1=5551000001
deliver $S1 'What are your HOURS?'
C1=$(conv_of $S1)
expect_match "$C1" '^[0-9]+$' "the message made a conversation"
expect_eq "$(wait_for "SELECT state FROM outbox WHERE conversation_id = $C1 AND author_kind = 'rule'" sent)" sent \
    "the rule's reply went through the outbox"
expect_eq "$(fake_count '"text":"We are open 9 to 5, friend\."')" 1 "the fake got it, its missing first name replaced"
expect_eq "$(sql "$D" "SELECT author FROM message WHERE conversation_id = $C1 AND direction = 'out' AND text LIKE 'We are open%'")" rule \
    "the thread's message is authored by a rule"
expect_eq "$(sql "$D" "SELECT group_concat(tag) FROM conversation_tag WHERE conversation_id = $C1")" hours "the rule tagged it"
expect_eq "$(repost $C1)" 200 "the same event posted again: 200"
r=$(adm POST /api/events/replay '{"since":0,"until":99999999999999}')
n=$(body "$r" | json 'j["count"]')
r=$(adm POST /api/events/replay "{\"since\":0,\"until\":99999999999999,\"confirm\":$n}")
expect_eq "$(status "$r")" 200 "every event replayed"
sleep 1.5
expect_eq "$(rule_sends $C1)" 1 "redelivered and replayed: still one reply"
expect_eq "$(fake_count '"text":"We are open 9 to 5')" 1 "... and one in the fake's outbox"

# --- payloads and first messages --------------------------------------------
adm POST /api/rules '{"name":"Get started","when":{"payload":"GET_STARTED"},"then":[{"reply":{"text":"Welcome to the bakery!","quick_replies":["Hours","Order"]}}]}' >/dev/null
S2=5551000002
curl -s -d platform=messenger -d page=$P1 -d sender=$S2 -d type=postback -d payload=GET_STARTED "$CTL/deliver" >/dev/null
C2=$(conv_of $S2)
expect_eq "$(wait_for "SELECT state FROM outbox WHERE conversation_id = $C2 AND author_kind = 'rule'" sent)" sent "a postback's payload triggers its rule"
expect_eq "$(fake_count '"text":"Welcome to the bakery!","quick_replies":\[\{"content_type":"text","title":"Hours"')" 1 \
    "... with its quick replies"
G1=$(adm GET /api/rules | sed '$d' | json '[x["id"] for x in j["rules"] if x["name"]=="Greeting"][0]')
adm PUT /api/rules/$G1 '{"name":"Greeting","position":2,"when":{"first_message":true},"then":[{"reply":{"text":"Hello! Thanks for writing."}}]}' >/dev/null
S3=5551000003
deliver $S3 'Good morning'
C3=$(conv_of $S3)
expect_eq "$(wait_for "SELECT count(*) FROM outbox WHERE conversation_id = $C3 AND author_kind = 'rule' AND state = 'sent'" 1)" 1 \
    "the greeting answers a first message"
deliver $S3 'Good morning again'
sleep 1.5
expect_eq "$(rule_sends $C3)" 1 "... never the second"

# --- WhatsApp: a rule answers there too ----------------------------------------
WA=106540352242922
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add whatsapp $WA 'Sandbox WA' >/dev/null
curl -s -d action=issue -d kind=user_long "$CTL/token" | json 'j["access_token"]' |
    HUBGATE_CONFIG=$CFG "$ADMIN" channel-token whatsapp $WA
curl -s -d platform=whatsapp -d sender=16505550123 --data-urlencode 'text=Quels sont vos horaires ? Open today?' "$CTL/deliver" >/dev/null
CWA=$(conv_of 16505550123)
expect_eq "$(wait_for "SELECT count(*) FROM outbox o JOIN message m ON m.id = o.message_id WHERE o.conversation_id = $CWA AND o.author_kind = 'rule' AND o.state = 'sent' AND m.text LIKE 'We are open%'" 1)" 1 \
    "a WhatsApp message gets the rule's reply (and the greeting of a first message)"
expect_eq "$(curl -s "$CTL/outbox" | json '[x["body"]["text"]["body"] for x in j["data"] if x["body"].get("messaging_product") == "whatsapp" and "open" in x["body"]["text"]["body"]]')" \
    '["We are open 9 to 5, Sheena."]' "... in WhatsApp's shape, with the contact's first name from WhatsApp's profile"

# --- never automated ---------------------------------------------------------
sql "$D" "UPDATE conversation SET thread_owner = 'other' WHERE id = $C3" >/dev/null
deliver $S3 'your hours please'
sleep 1
expect_eq "$(rule_sends $C3)" 1 "nothing for a conversation another app owns"
expect_eq "$(sql "$D" "SELECT outcome FROM automation_seen ORDER BY message_id DESC LIMIT 1")" \
    'skipped: another app owns the thread' "... and why is kept"
sql "$D" "UPDATE conversation SET thread_owner = 'us' WHERE id = $C3" >/dev/null
deliver $S1 'We are open 9 to 5, friend.'
sleep 1
expect_eq "$(rule_sends $C1)" 1 "nothing for a sender repeating our own reply (an automated sender)"
expect_match "$(sql "$D" "SELECT detail FROM automation_log WHERE conversation_id = $C1 AND action = 'skip'")" 'automated sender' "... logged"
for i in 1 2 3 4 5 6; do deliver $S1 "open on day $i?"; done
expect_eq "$(wait_for "SELECT count(*) FROM outbox WHERE conversation_id = $C1 AND author_kind = 'rule' AND state = 'sent'" 5)" 5 \
    "at most 5 automatic replies per conversation per hour"
expect_match "$(sql "$D" "SELECT detail FROM automation_log WHERE conversation_id = $C1 AND action = 'skip' ORDER BY id DESC LIMIT 1")" \
    'loop limit' "... the next one logged as the loop limit"
S4=5551000004
deliver $S4 'Are you open on Sunday?' -d age_s=90000
C4=$(conv_of $S4)
sleep 1
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE conversation_id = $C4")" 0 "a message older than 24 h is not answered"
expect_match "$(sql "$D" "SELECT action || ': ' || detail FROM automation_log WHERE conversation_id = $C4 ORDER BY id LIMIT 1")" \
    '^refused: not sent: .*window' "... and the log says the window refused it"

# --- business hours -----------------------------------------------------------
r=$(adm PUT /api/settings/hours '{"tz":"Mars/Olympus","week":{}}')
expect_eq "$(status "$r")" 422 "hours in an unknown time zone: 422"
r=$(adm PUT /api/settings/hours '{"tz":"Pacific/Kiritimati","week":{},"holidays":["2026-12-25"]}')
expect_eq "$(status "$r")" 200 "business hours: never open (a closed week)"
AW=$(adm GET /api/rules | sed '$d' | json '[x["id"] for x in j["rules"] if x["name"]=="Away message"][0]')
adm PUT /api/rules/$AW '{"name":"Away message","position":1,"when":{"outside_hours":true},"then":[{"reply":{"text":"We are closed now."}},{"stop":{}}]}' >/dev/null
r=$(adm POST /api/rules/test '{"text":"anyone there?"}')
expect_eq "$(body "$r" | json '[m["name"] for m in j["matches"]]')" '["Away message"]' "the test box: outside hours, the away message (first, then stop)"
S5=5551000005
deliver $S5 'anyone there?'
C5=$(conv_of $S5)
expect_eq "$(wait_for "SELECT count(*) FROM outbox WHERE conversation_id = $C5 AND author_kind = 'rule' AND state = 'sent'" 1)" 1 \
    "outside hours the away message answers"
expect_eq "$(fake_count '"text":"We are closed now\."')" 1 "... in the fake's outbox; it stops the greeting"
adm PUT /api/rules/$AW '{"name":"Away message","enabled":false,"when":{"outside_hours":true},"then":[{"reply":{"text":"We are closed now."}}]}' >/dev/null

# --- availability --------------------------------------------------------------
r=$(call "$G" "$CSRF_G" GET /api/settings/availability)
expect_eq "$(status "$r") $(body "$r")" '200 {"available":true}' "a person is available to begin with"
r=$(call "$G" "$CSRF_G" PUT /api/settings/availability '{"available":"no"}')
expect_eq "$(status "$r")" 422 "availability is true or false"
r=$(call "$G" "$CSRF_G" PUT /api/settings/availability '{"available":false}')
expect_eq "$(status "$r") $(body "$r")" '200 {"available":false}' "an agent says they are away"
expect_eq "$(sql "$D" "SELECT available FROM membership m JOIN user u ON u.id = m.user_id WHERE u.email = 'agent@example.org'")" 0 "... stored"
call "$G" "$CSRF_G" PUT /api/settings/availability '{"available":true}' >/dev/null

# --- escalation ------------------------------------------------------------------
r=$(adm GET /api/settings/handover)
expect_eq "$(body "$r" | json '[j["enabled"], "person" in j["phrases"], j["max_failures"]]')" '[false, true, 3]' \
    "handover settings: off, with the default phrases"
r=$(adm PUT /api/settings/handover '{"enabled":true,"phrases":{"en":["person","human"],"fr":["un humain"]},"notice":"Connecting you with a person."}')
expect_eq "$(status "$r")" 200 "PUT /api/settings/handover"
expect_eq "$(status "$(adm PUT /api/settings/handover '{"phrases":"person"}')")" 422 "phrases that are not a list: 422"
S6=5551000006
deliver $S6 'I want to talk to a PERSON'
C6=$(conv_of $S6)
expect_eq "$(wait_for "SELECT status FROM conversation WHERE id = $C6" escalated)" escalated "an escalation phrase escalates"
expect_eq "$(wait_for "SELECT count(*) FROM outbox WHERE conversation_id = $C6 AND state = 'sent'" 1)" 1 "... sends one message"
expect_eq "$(fake_count '"text":"Connecting you with a person\."')" 1 "... the notice"
expect_eq "$(sql "$D" "SELECT escalation_reason FROM conversation WHERE id = $C6")" 'asked for a person ("person")' "... with the reason"
r=$(call "$G" "$CSRF_G" GET /api/conversations)
expect_eq "$(body "$r" | json "[c['status'] for c in j['conversations'] if c['id']==$C6]")" '["escalated"]' \
    "/api/conversations shows it escalated"
expect_eq "$(body "$r" | json "[c['escalation'] for c in j['conversations'] if c['id']==$C6][0]['reason']")" 'asked for a person ("person")' \
    "... with the reason"
expect_eq "$(body "$r" | json "[c['escalation'] for c in j['conversations'] if c['id']==$C6][0]['summary']")" 'contact: I want to talk to a PERSON' \
    "... and a summary of its last messages"
S7=5551000007
deliver $S7 'un HUMAIN svp'
C7=$(conv_of $S7)
expect_eq "$(wait_for "SELECT status FROM conversation WHERE id = $C7" escalated)" escalated "a phrase of another language escalates too"
expect_eq "$(wait_for "SELECT count(*) FROM outbox WHERE conversation_id = $C7 AND state = 'sent'" 1)" 1 "... one notice"
expect_eq "$(fake_count '"text":"Connecting you with a person\. You are number 2 in the queue\."')" 1 \
    "people are busy: the second one is told its place in the queue"
for _ in $(seq 1 50); do grep -q "conversation $C7" "$TMP/hook.txt" 2>/dev/null && break; sleep 0.1; done
expect_match "$(cat "$TMP/hook.txt" 2>/dev/null)" "handed over to a person.*conversation $C6" "people are told by the alert webhook"
expect_eq "$(grep -c "conversation $C6\b" "$TMP/hook.txt")" 1 "... once per escalation"
expect_eq "$(grep -ci 'talk to\|HUMAIN svp' "$TMP/hook.txt")" 0 "... without the customer's words"
deliver $S6 'what are your hours?'
sleep 1
expect_eq "$(rule_sends $C6)" 1 "rules are paused while escalated"
r=$(call "$G" "$CSRF_G" POST /api/conversations/$C6/messages '{"text":"Hi, I am Ana. How can I help?"}')
expect_eq "$(status "$r")" 202 "an agent answers"
r=$(call "$G" "$CSRF_G" POST /api/conversations/$C6/close '{}')
expect_eq "$(status "$r") $(body "$r" | json 'j["status"]')" "200 closed" "... and closes it"
deliver $S6 'and your hours?'
expect_eq "$(wait_for "SELECT count(*) FROM outbox WHERE conversation_id = $C6 AND author_kind = 'rule'" 2)" 2 "closing resumes automation"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE conversation_id = $C6 AND author = 'rule' AND text LIKE 'We are open%'")" 1 "... the rule answers again"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action LIKE 'rule_%'")" 7 "rule changes are audited"

# --- no reply for N minutes (the worker's pass) --------------------------------
r=$(adm POST /api/rules '{"name":"Still there","when":{"no_reply_minutes":1},"then":[{"reply":{"text":"Sorry for the wait, a person will answer soon."}}]}')
expect_eq "$(status "$r")" 201 "a rule for messages nobody answered in a minute"
adm PUT /api/rules/$G1 '{"name":"Greeting","enabled":false,"position":2,"when":{"first_message":true},"then":[{"reply":{"text":"Hello! Thanks for writing."}}]}' >/dev/null
S8=5551000008
deliver $S8 'is anyone reading this' -d age_s=90
C8=$(conv_of $S8)
expect_eq "$(wait_for "SELECT count(*) FROM message WHERE conversation_id = $C8 AND author = 'rule' AND text LIKE 'Sorry for the wait%'" 1)" 1 \
    "a message unanswered for a minute gets the rule's reply"
sleep 2
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE conversation_id = $C8")" 1 "... once"

# --- forward: a message.forwarded event to the business's endpoints ---------
r=$(adm POST /api/destinations '{"url":"http://127.0.0.1:9/orders","events":["message.forwarded"]}')
expect_eq "$(status "$r")" 201 "a destination that takes message.forwarded"
FD=$(body "$r" | json 'j["id"]')
r=$(adm POST /api/rules '{"name":"Invoices <b>to billing</b>","when":{"keywords":["invoice"]},"then":[{"forward":{}},{"stop":{}}]}')
expect_eq "$(status "$r")" 201 "a rule that forwards: 201"
expect_eq "$(status "$(adm POST /api/rules '{"name":"x","when":{"keywords":["a"]},"then":[{"forward":{"destination_id":"7"}}]}')")" 422 \
    "... a destination_id that is no number: 422"
S9=5551000009
deliver $S9 'Where is my invoice?'
expect_eq "$(wait_for "SELECT count(*) FROM fwd_event WHERE type = 'message.forwarded'" 1)" 1 "a matching message: one message.forwarded event"
expect_eq "$(sql "$D" "SELECT json_extract(data, '$.rule.name') || '|' || json_extract(data, '$.message.text') FROM fwd_event WHERE type = 'message.forwarded'")" \
    "Invoices <b>to billing</b>|Where is my invoice?" "... with the rule and the message"
expect_eq "$(sql "$D" "SELECT count(*) FROM fwd_delivery d JOIN fwd_event e ON e.id = d.event_id WHERE e.type = 'message.forwarded' AND d.destination_id = $FD")" 1 \
    "... and a delivery to the destination"
EV9=$(sql "$D" "SELECT m.event_id FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '$S9'")
r=$(adm POST /api/events/replay "{\"since\":0,\"until\":$(( $(date +%s) * 1000 + 60000 )),\"confirm\":$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state = 'processed'")}")
expect_match "$(status "$r") $(body "$r")" '^200 .*"replayed":[1-9]' "every event replayed"
sleep 1
expect_eq "$(sql "$D" "SELECT count(*) FROM fwd_event WHERE type = 'message.forwarded'")" 1 "... once: a replay forwards nothing again"
[ -n "$EV9" ] && ok "(the message came from event $EV9)" || not_ok "(the message came from an event)"

# --- automation failing never costs the message -----------------------------
sql "$D" "ALTER TABLE automation_seen RENAME TO automation_seen_away" >/dev/null
S10=5551000010
deliver $S10 'Where is my invoice, again?'
expect_eq "$(wait_for "SELECT count(*) FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '$S10'" 1)" 1 \
    "automation failing (its table gone): the message is stored all the same"
expect_eq "$(sql "$D" "SELECT e.state FROM webhook_event e JOIN message m ON m.event_id = e.id JOIN conversation v ON v.id = m.conversation_id JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '$S10'")" processed \
    "... its event processed"
grep -q 'event=automation.failed' "$D/error.log" && ok "... and the failure logged" || not_ok "... and the failure logged"
sql "$D" "ALTER TABLE automation_seen_away RENAME TO automation_seen" >/dev/null

stop_lighttpd
t_done
