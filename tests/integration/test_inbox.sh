#!/usr/bin/env bash
# The inbox's actions on a conversation through a real lighttpd and the
# fake of Meta: assign to a member, to "me", to nobody (a stranger is
# refused), close and reopen, mark read (unread counts the person's
# messages after it); the list's since= filter; every action on
# another workspace's conversation is 404 and changes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
sandbox_suite inbox
CFG=$D/hubgate.conf
PW='inbox agent passphrase'
sql "$D" "INSERT INTO workspace (id, name, created_at) VALUES (2, 'Other', 0)" >/dev/null
user agent@example.org agent
user second@example.org agent
user other@example.org owner 2
G=$TMP/jar-g; O=$TMP/jar-o
CSRF_G=$(signin agent@example.org "$G")
CSRF_O=$(signin other@example.org "$O")
ME=$(sql "$D" "SELECT id FROM user WHERE email = 'agent@example.org'")
SECOND=$(sql "$D" "SELECT id FROM user WHERE email = 'second@example.org'")
OTHER=$(sql "$D" "SELECT id FROM user WHERE email = 'other@example.org'")
# act JAR CSRF CONV ACTION [JSON]: body, then the status on the last line
act() {
	curl -s --max-time 10 -w '\n%{http_code}' -b "$1" -H "X-CSRF-Token: $2" \
	    -H "Origin: $BASE" -H 'Content-Type: application/json' \
	    --data-binary "${5:-{\}}" "$BASE/api/conversations/$3/$4"
}
status() { echo "$1" | tail -n 1; }
body() { echo "$1" | sed '$d'; }

P1=104857600000001
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
curl -s -d platform=messenger -d page=$P1 -d 'text=First question' "$CTL/deliver" >/dev/null
curl -s -d platform=messenger -d page=$P1 -d 'text=Second question' "$CTL/deliver" >/dev/null
C=$(sql "$D" "SELECT id FROM conversation")
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations" | json 'j["conversations"][0]["unread"]')" 2 "two messages from the person: unread 2"

# --- assign
r=$(act "$G" "$CSRF_G" "$C" assign '{"user_id":"me"}')
expect_eq "$(status "$r")" 200 "assign to me: 200"
expect_eq "$(body "$r" | json 'j["assigned_user_id"]')" "$ME" "... to the caller"
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations?assigned=me" | json 'len(j["conversations"])')" 1 "assigned=me lists it"
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations?assigned=none" | json 'len(j["conversations"])')" 0 "assigned=none does not"
r=$(act "$G" "$CSRF_G" "$C" assign "{\"user_id\":$SECOND}")
expect_eq "$(body "$r" | json 'j["assigned_user_id"]')" "$SECOND" "assign to another member of the workspace"
r=$(act "$G" "$CSRF_G" "$C" assign "{\"user_id\":$OTHER}")
expect_eq "$(status "$r")" 422 "assign to someone of another workspace: 422"
expect_match "$(body "$r")" 'not a member' "... with the reason in words"
expect_eq "$(sql "$D" "SELECT assigned_user_id FROM conversation WHERE id = $C")" "$SECOND" "... and nothing changed"
r=$(act "$G" "$CSRF_G" "$C" assign '{"user_id":"someone"}')
expect_eq "$(status "$r")" 400 "a user_id that is no id, me or null: 400"
r=$(act "$G" "$CSRF_G" "$C" assign '{}')
expect_eq "$(status "$r")" 400 "no user_id: 400"
r=$(act "$G" "$CSRF_G" "$C" assign '{"user_id":null}')
expect_eq "$(status "$r")" 200 "unassign: 200"
expect_eq "$(body "$r" | json 'j["assigned_user_id"]')" null "... nobody"
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations?assigned=none" | json 'len(j["conversations"])')" 1 "assigned=none lists it"

# --- close and reopen
r=$(act "$G" "$CSRF_G" "$C" close)
expect_eq "$(status "$r")" 200 "close: 200"
expect_eq "$(body "$r" | json 'j["status"]')" closed "... closed"
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations?status=open" | json 'len(j["conversations"])')" 0 "status=open no longer lists it"
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations?status=closed" | json 'j["conversations"][0]["id"]')" "$C" "status=closed does"
r=$(act "$G" "$CSRF_G" "$C" reopen)
expect_eq "$(body "$r" | json 'j["status"]')" open "reopen: open again"
expect_eq "$(sql "$D" "SELECT status FROM conversation WHERE id = $C")" open "... in the database"

# --- read mark
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations?unread=1" | json 'len(j["conversations"])')" 1 "unread=1 lists it"
r=$(act "$G" "$CSRF_G" "$C" read)
expect_eq "$(status "$r")" 200 "read: 200"
expect_eq "$(body "$r" | json 'j["unread"]')" 0 "... unread 0"
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations?unread=1" | json 'len(j["conversations"])')" 0 "unread=1 no longer lists it"
T0=$(curl -s -b "$G" "$BASE/api/conversations" | json 'j["conversations"][0]["last_message_at"]')
curl -s -d platform=messenger -d page=$P1 -d 'text=Third question' "$CTL/deliver" >/dev/null
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations" | json 'j["conversations"][0]["unread"]')" 1 "a message after the read mark: unread 1"

# --- since: only what moved
T1=$(curl -s -b "$G" "$BASE/api/conversations" | json 'j["conversations"][0]["last_message_at"]')
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations?since=$T1" | json '[c["id"] for c in j["conversations"]]')" "[$C]" "since= the latest activity lists it"
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations?since=$((T1 + 1))" | json 'len(j["conversations"])')" 0 "since= after it lists nothing"
[ "$T1" -gt "$T0" ] && ok "... its activity moved on with the new message" || not_ok "activity moved ($T0 -> $T1)"

# --- another workspace
sql "$D" "UPDATE conversation SET assigned_user_id = $ME, status = 'escalated' WHERE id = $C" >/dev/null
for a in assign close reopen read; do
	r=$(act "$O" "$CSRF_O" "$C" $a '{"user_id":"me"}')
	expect_eq "$(status "$r")" 404 "another workspace's conversation: $a is 404"
done
expect_eq "$(sql "$D" "SELECT status || ':' || assigned_user_id || ':' || unread FROM conversation WHERE id = $C")" "escalated:$ME:1" \
    "... and changes nothing"
r=$(act "$G" "$CSRF_G" 999999 close)
expect_eq "$(status "$r")" 404 "no such conversation: 404"
r=$(act "$G" "$CSRF_G" "$C" archive)
expect_eq "$(status "$r")" 404 "an action that does not exist: 404"
r=$(curl -s -o /dev/null -w '%{http_code}' -b "$G" -H "Origin: $BASE" -H 'Content-Type: application/json' \
    --data-binary '{}' "$BASE/api/conversations/$C/close")
expect_eq "$r" 403 "without the CSRF token: 403"
t_done
