#!/usr/bin/env bash
# A channel moved to another workspace by the install's operator
# through a real lighttpd: its contacts, conversations (unassigned),
# messages, sends and event counts follow it; the old workspace sees
# none of it any more, the new one all of it; both audit logs say so.
# Anyone but the operator is refused, as are a missing workspace, the
# same workspace, a malformed body and another workspace's channel.
# Then its new owner disconnects it and deletes its conversations,
# which needs the channel's name typed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
sandbox_suite move
W2=$($UT workspace "Second shop")
OPER=$($UT user olga@example.com "Olga Operator" owner 1 operator)
ADM=$($UT user adam@example.com "Adam Admin" admin 1)
OWNER2=$($UT user boris@other.example "Boris Boss" owner "$W2")
sign_in O "$OPER" 1
sign_in A "$ADM" 1
sign_in B "$OWNER2" "$W2"
P1=104857600000001
CH=$("$ADMIN" channel-add page $P1 'Sandbox Bakery')
curl -s -d platform=messenger -d page=$P1 -d 'text=Is the shop moving?' "$CTL/deliver" >/dev/null
curl -s -d platform=messenger -d page=$P1 -d type=image "$CTL/deliver" >/dev/null
for _ in $(seq 50); do [ "$(sql "$D" "SELECT count(*) FROM message")" = 2 ] && break; sleep 0.1; done
C=$(sql "$D" "SELECT id FROM conversation")
sql "$D" "UPDATE conversation SET assigned_user_id = $ADM WHERE id = $C" >/dev/null
r=$(api O POST /api/conversations/$C/messages '{"text":"We are moving, yes","idempotency_key":"k-1"}')
expect_eq "$(status "$r")" 202 "a reply is queued before the move"
events_of() { body "$(api "$1" GET "/api/events?channel=$CH")" | json 'len(j["events"])'; }
expect_eq "$(events_of O)" 2 "the first workspace lists the channel's two events"

move() { api "$1" POST /api/channels/$CH/move "$2"; }
expect_eq "$(status "$(move A "{\"workspace_id\":$W2}")")" 403 "an admin who is not the operator: 403"
expect_eq "$(status "$(move B "{\"workspace_id\":$W2}")")" 403 "another workspace's owner: 403"
expect_eq "$(status "$(move O '{"workspace_id":999}')")" 422 "no such workspace: 422"
expect_eq "$(status "$(move O '{"workspace_id":1}')")" 409 "the workspace it is in: 409"
expect_eq "$(status "$(move O '{"workspace_id":"2"}')")" 400 "a workspace_id that is no number: 400"
expect_eq "$(status "$(move O '[1]')")" 400 "a body that is no object: 400"
expect_eq "$(status "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Cookie: hg_session=$O_C" -H "X-CSRF-Token: $O_T" -H "Origin: $BASE" -H 'Content-Type: text/plain' --data-binary "{\"workspace_id\":$W2}" "$BASE/api/channels/$CH/move")")" 415 "not JSON: 415"
expect_eq "$(sql "$D" "SELECT workspace_id FROM channel WHERE id = $CH")" 1 "... nothing moved"

r=$(move O "{\"workspace_id\":$W2}")
expect_eq "$(status "$r")" 200 "the operator moves it: 200"
expect_eq "$(body "$r" | json '[j["workspace_id"], j["from_workspace_id"]]')" "[$W2, 1]" "... saying from where to where"
expect_eq "$(sql "$D" "SELECT group_concat(w, ' ') FROM (SELECT workspace_id w FROM channel WHERE id = $CH UNION ALL SELECT workspace_id FROM contact UNION ALL SELECT workspace_id FROM conversation UNION ALL SELECT workspace_id FROM outbox UNION ALL SELECT DISTINCT workspace_id FROM media)")" \
    "$W2 $W2 $W2 $W2 $W2" "the channel, its contact, conversation, send and media are the new workspace's"
expect_eq "$(sql "$D" "SELECT coalesce(assigned_user_id, 'none') FROM conversation")" none "the conversation is unassigned"
expect_eq "$(sql "$D" "SELECT coalesce(idempotency_key, 'none') FROM outbox")" none "the send's client key stays behind"
expect_eq "$(body "$(api O GET /api/conversations)" | json 'len(j["conversations"])')" 0 "the first workspace's inbox no longer has it"
expect_eq "$(body "$(api B GET /api/conversations)" | json '[c["id"] for c in j["conversations"]]')" "[$C]" "the new workspace's inbox has it"
expect_eq "$(body "$(api B GET /api/conversations/$C/messages)" | json 'len(j["messages"])')" 3 "... with its messages"
expect_eq "$(events_of O)" 0 "the first workspace no longer lists the channel's events"
expect_eq "$(events_of B)" 2 "the new one lists them"
expect_eq "$(sql "$D" "SELECT group_concat(workspace_id || ':' || detail, ' | ') FROM audit_log WHERE action = 'channel_move'")" \
    "1:workspace 1 -> $W2 | $W2:workspace 1 -> $W2" "both workspaces' audit logs say it"
expect_eq "$(status "$(move O '{"workspace_id":1}')")" 404 "it is no longer the first workspace's to move"

# --- disconnect, deleting its conversations
expect_eq "$(status "$(api B DELETE "/api/channels/$CH?conversations=erase")")" 400 "conversations= keep or delete only: 400"
r=$(api B DELETE "/api/channels/$CH?conversations=delete&confirm=Sandbox%20Bikes")
expect_eq "$(status "$r")" 422 "deleting the conversations without the channel's name typed: 422"
expect_match "$(body "$r")" 'Sandbox Bakery' "... the answer says what to type"
expect_eq "$(sql "$D" "SELECT (SELECT count(*) FROM conversation) || ':' || token_status FROM channel WHERE id = $CH")" "1:none" "... nothing changed"
r=$(api B DELETE "/api/channels/$CH?conversations=delete&confirm=Sandbox%20Bakery")
expect_eq "$(status "$r")" 200 "disconnected with its conversations: 200"
expect_eq "$(body "$r" | json 'j["messages_deleted"]')" 3 "... three messages deleted"
expect_eq "$(sql "$D" "SELECT (SELECT count(*) FROM conversation) || ':' || (SELECT count(*) FROM contact) || ':' || (SELECT count(*) FROM message) || ':' || (SELECT count(*) FROM media) || ':' || (SELECT count(*) FROM outbox)")" \
    "0:0:0:0:0" "its conversations, contacts, messages, media and sends are gone"
expect_eq "$(sql "$D" "SELECT token_status FROM channel WHERE id = $CH")" revoked "the channel stays, disconnected"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event")" 2 "its raw events stay"
expect_match "$(sql "$D" "SELECT detail FROM audit_log WHERE action = 'channel_disconnect'")" 'conversations deleted' "audit-logged as such"
t_done
