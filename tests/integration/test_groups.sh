#!/usr/bin/env bash
# Groups of people through a real lighttpd and the fake of Meta: admins
# create, rename, re-staff and delete groups (agents may only read
# them; a name is unique, members are people of the workspace); another
# workspace sees none of them; a rule assigns a conversation to a group
# by name and escalates it: the conversation shows its group, the inbox
# filters a group's conversations and a member's groups' unassigned
# ones, and the escalation notice counts only that group's queue and
# available members; a person gives a conversation to a group (or none)
# through the assign API, never another workspace's group.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
sandbox_suite groups
W2=$($UT workspace "Other business")
ADM=$($UT user admin@example.com "Adam Admin" admin 1)
AGENT=$($UT user agent@example.com "Agnes Agent" agent 1)
AG2=$($UT user bob@example.com "Bob Agent" agent 1)
OWNER2=$($UT user boss@other.example "Boris Boss" owner "$W2")
sign_in A "$ADM" 1
sign_in G "$AGENT" 1
sign_in B "$OWNER2" "$W2"

P1=104857600000001
"$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
curl -s "$CTL/world" >/dev/null
PT=$(curl -s -d action=issue -d kind=page -d page=$P1 "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$PT" | "$ADMIN" channel-token page $P1
sqlite3 "$D/fakemeta.db" "INSERT OR REPLACE INTO subscription VALUES ('$P1', 'messages,message_echoes,message_deliveries,message_reads')"
deliver() {  # SENDER TEXT
	curl -s -d platform=messenger -d page=$P1 -d sender="$1" --data-urlencode "text=$2" "$CTL/deliver" >/dev/null
}
conv_of() { sql "$D" "SELECT v.id FROM conversation v JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '$1'"; }
# notice SENDER: the text of the notice the fake got for SENDER
notice() {
	local t
	for _ in $(seq 1 150); do
		t=$(curl -s "$CTL/outbox" | json "[x['body']['message']['text'] for x in j['data'] if x['body'].get('recipient', {}).get('id') == '$1' and 'message' in x['body']]")
		[ "$t" != '[]' ] && break
		sleep 0.1
	done
	echo "$t"
}

# --- the API ---------------------------------------------------------------
r=$(api A POST /api/groups "{\"name\":\"Billing\",\"members\":[$AGENT,$ADM,$AGENT]}")
expect_eq "$(status "$r")" 201 "an admin creates a group"
GB=$(body "$r" | json 'j["id"]')
expect_eq "$(body "$r" | json '[j["name"], j["members"]]')" "[\"Billing\", [$ADM, $AGENT]]" "... with its members, each once"
expect_eq "$(status "$(api A POST /api/groups '{"name":"Billing","members":[]}')")" 409 "the same name again: 409"
r=$(api A POST /api/groups "{\"name\":\"Sales\",\"members\":[$OWNER2]}")
expect_eq "$(status "$r")" 422 "a member of another workspace: 422"
expect_match "$(body "$r")" 'person of this workspace' "... saying why"
expect_eq "$(sql "$D" "SELECT count(*) FROM person_group WHERE name = 'Sales'")" 0 "... and nothing is stored"
expect_eq "$(status "$(api A POST /api/groups '{"name":"","members":[]}')")" 422 "an empty name: 422"
expect_eq "$(status "$(api A POST /api/groups '{"name":"X","members":["1"]}')")" 422 "members that are not ids: 422"
r=$(api A PUT /api/groups/$GB '{"name":"Billing team"}')
expect_eq "$(status "$r")" 422 "a PUT without the members (a rename that would empty the group): 422"
expect_match "$(body "$r")" 'whole list' "... saying PUT replaces the group"
expect_eq "$(api A GET /api/groups/$GB | sed '$d' | json 'j["name"] + " " + str(len(j["members"]))')" 'Billing 2' "... and the group is as it was"
expect_eq "$(status "$(api G POST /api/groups '{"name":"Agents","members":[]}')")" 403 "an agent may not create a group"
r=$(api G GET /api/groups)
expect_eq "$(status "$r")" 200 "... but may read them"
expect_eq "$(body "$r" | json '[[g["name"], len(g["members"])] for g in j["groups"]]')" '[["Billing", 2]]' "... the workspace's groups"
expect_eq "$(body "$r" | json '"people" in j')" 'false' "... but not the workspace's people (their names and addresses are the admins')"
expect_eq "$(api A GET /api/groups | sed '$d' | json '[p["name"] for p in j["people"]]')" '["Adam Admin", "Agnes Agent", "Bob Agent"]' \
    "an admin reads the people a group may have"
r=$(api B GET /api/groups)
expect_eq "$(body "$r" | json 'j["groups"]')" '[]' "another workspace sees none of them"
expect_eq "$(status "$(api B GET /api/groups/$GB)")" 404 "... reading one: 404"
expect_eq "$(status "$(api B PUT /api/groups/$GB '{"name":"Mine","members":[]}')")" 404 "... changing one: 404"
expect_eq "$(status "$(api B DELETE /api/groups/$GB)")" 404 "... deleting one: 404"
r=$(api A PUT /api/groups/$GB "{\"name\":\"Billing team\",\"members\":[$AGENT]}")
expect_eq "$(status "$r") $(body "$r" | json '[j["name"], j["members"]]')" "200 [\"Billing team\", [$AGENT]]" "PUT renames it and sets its members"
r=$(api A POST /api/groups "{\"name\":\"Sales\",\"members\":[$AG2]}")
GS=$(body "$r" | json 'j["id"]')
expect_eq "$(status "$(api A PUT /api/groups/$GS '{"name":"Billing team","members":[]}')")" 409 "renaming to a name taken: 409"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action LIKE 'group_%'")" 3 "changes are audited"

# --- a rule assigns to a group ---------------------------------------------------
expect_eq "$(status "$(api A POST /api/rules '{"name":"x","when":{"keywords":["a"]},"then":[{"assign":{"group":""}}]}')")" 422 \
    "assign to a group without a name: 422"
expect_eq "$(status "$(api A POST /api/rules '{"name":"x","when":{"keywords":["a"]},"then":[{"assign":{"group":"Billing team","user":3}}]}')")" 422 \
    "assign with more than a group: 422"
r=$(api A POST /api/rules '{"name":"Billing","when":{"keywords":["invoice"]},"then":[{"assign":{"group":"Billing team"}},{"escalate":{"reason":"billing"}}]}')
expect_eq "$(status "$r")" 201 "a rule that assigns to a group by name, then escalates"
api A POST /api/rules "{\"name\":\"Sales\",\"when\":{\"keywords\":[\"price\"]},\"then\":[{\"assign\":{\"group\":$GS}}]}" >/dev/null
api A POST /api/rules '{"name":"Nowhere","when":{"keywords":["nowhere"]},"then":[{"assign":{"group":"No such team"}}]}' >/dev/null
api A PUT /api/settings/handover '{"enabled":true,"phrases":["person"],"notice":"Connecting you."}' >/dev/null

S0=5554000000
deliver $S0 'I want a person'
expect_eq "$(wait_for "SELECT status FROM conversation WHERE id = '$(conv_of $S0)'" escalated)" escalated "a conversation of no group escalates first"
S1=5554000001
deliver $S1 'About my invoice'
C1=$(conv_of $S1)
expect_eq "$(wait_for "SELECT status || ' ' || coalesce(assigned_group_id, 0) FROM conversation WHERE id = $C1" "escalated $GB")" "escalated $GB" \
    "the rule gave the conversation its group and escalated it"
expect_eq "$(notice $S1)" '["Connecting you."]' "... the first of its group's queue: no place in the queue said"
S2=5554000002
deliver $S2 'Another invoice question'
C2=$(conv_of $S2)
expect_eq "$(notice $S2)" '["Connecting you. You are number 2 in the queue."]' \
    "the second of the group is number 2 (the workspace's queue would say 3)"
r=$(api G PUT /api/settings/availability '{"available":false}')
expect_eq "$(status "$r")" 200 "the group's only member goes away"
S3=5554000003
deliver $S3 'invoice again'
expect_eq "$(notice $S3)" '["Connecting you. Nobody is available right now."]' \
    "... then nobody of the group is available, though others of the workspace are"
api G PUT /api/settings/availability '{"available":true}' >/dev/null
S4=5554000004
deliver $S4 'what is the price?'
C4=$(conv_of $S4)
expect_eq "$(wait_for "SELECT coalesce(assigned_group_id, 0) FROM conversation WHERE id = $C4" "$GS")" "$GS" "a group named by its id"
S5=5554000005
deliver $S5 'nowhere to go'
C5=$(conv_of $S5)
expect_eq "$(wait_for "SELECT detail FROM automation_log WHERE conversation_id = $C5 AND action = 'assign'" 'no such group in this workspace')" \
    'no such group in this workspace' "a group that does not exist: logged, nothing assigned"

# --- the inbox ---------------------------------------------------------------------
r=$(api G GET /api/conversations)
expect_eq "$(body "$r" | json "[c['assigned_group_id'] for c in j['conversations'] if c['id'] == $C1]")" "[$GB]" \
    "/api/conversations shows a conversation's group"
r=$(api G GET '/api/conversations?assigned=groups')
expect_eq "$(body "$r" | json '[c["id"] for c in j["conversations"]]' | python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)))')" \
    "$(python3 -c "print(sorted([$C1, $(conv_of $S2), $(conv_of $S3)]))")" "a member's groups' unassigned conversations"
r=$(api A GET '/api/conversations?assigned=groups')
expect_eq "$(body "$r" | json 'j["conversations"]')" '[]' "... none for someone of no group"
r=$(api A GET "/api/conversations?group=$GS")
expect_eq "$(body "$r" | json '[c["id"] for c in j["conversations"]]')" "[$C4]" "a group's conversations"
r=$(api G POST /api/conversations/$C1/assign '{"user_id":"me"}')
expect_eq "$(status "$r")" 200 "a member takes one"
r=$(api G GET '/api/conversations?assigned=groups')
expect_eq "$(body "$r" | json "[c['id'] for c in j['conversations'] if c['id'] == $C1]")" '[]' "... which leaves the groups' unassigned ones"
expect_eq "$(sql "$D" "SELECT coalesce(assigned_group_id, 0) FROM conversation WHERE id = $C1")" "$GB" "... and keeps its group"
expect_eq "$(status "$(api G GET '/api/conversations?assigned=team')")" 400 "an unknown assignment filter: 400"

# --- someone who leaves the workspace leaves its groups --------------------------------
sql "$D" "DELETE FROM membership WHERE user_id = $AG2 AND workspace_id = 1" >/dev/null
expect_eq "$(api A GET /api/groups/$GS | sed '$d' | json 'j["members"]')" '[]' "a person who leaves the workspace leaves its groups"

# --- deleting a group ---------------------------------------------------------------
expect_eq "$(status "$(api G DELETE /api/groups/$GS)")" 403 "an agent may not delete a group"
r=$(api A DELETE /api/groups/$GS)
expect_eq "$(status "$r") $(body "$r" | json 'j["deleted"]')" "200 true" "an admin deletes one"
expect_eq "$(sql "$D" "SELECT coalesce(assigned_group_id, 0) FROM conversation WHERE id = $C4")" 0 "... its conversations keep no group"
expect_eq "$(status "$(api A DELETE /api/groups/$GS)")" 404 "... and it is gone"

# --- a person gives a conversation to a group by hand --------------------------------
r=$(api B POST /api/groups '{"name":"Elsewhere","members":[]}')
GW2=$(body "$r" | json 'j["id"]')
r=$(api G POST /api/conversations/$C2/assign "{\"group_id\":null}")
expect_eq "$(status "$r") $(body "$r" | json '[j["assigned_group_id"], j["assigned_user_id"]]')" "200 [null, null]" \
    "an agent clears a conversation's group (the person stays: nobody)"
expect_eq "$(sql "$D" "SELECT coalesce(assigned_group_id, 0) FROM conversation WHERE id = $C2")" 0 "... in the database"
r=$(api G POST /api/conversations/$C2/assign "{\"group_id\":$GB}")
expect_eq "$(status "$r") $(body "$r" | json '[j["id"], j["assigned_group_id"], j["status"]]')" "200 [$C2, $GB, \"escalated\"]" \
    "an agent gives it a group: the answer says which"
expect_eq "$(sql "$D" "SELECT coalesce(assigned_group_id, 0) FROM conversation WHERE id = $C2")" "$GB" "... in the database"
r=$(api A POST /api/conversations/$C2/assign "{\"group_id\":\"$GB\",\"user_id\":$AGENT}")
expect_eq "$(status "$r") $(body "$r" | json '[j["assigned_group_id"], j["assigned_user_id"]]')" "200 [$GB, $AGENT]" \
    "a group and a person at once (the id as a string too)"
r=$(api A POST /api/conversations/$C2/assign '{"user_id":null}')
expect_eq "$(body "$r" | json '[j["assigned_group_id"], j["assigned_user_id"]]')" "[$GB, null]" \
    "unassigning the person keeps the group, and the answer says it"
r=$(api A POST /api/conversations/$C2/assign "{\"group_id\":$GW2,\"user_id\":$AGENT}")
expect_eq "$(status "$r")" 422 "another workspace's group: 422"
expect_match "$(body "$r")" 'no such group' "... saying why"
expect_eq "$(sql "$D" "SELECT coalesce(assigned_group_id, 0) || ' ' || coalesce(assigned_user_id, 0) FROM conversation WHERE id = $C2")" "$GB 0" \
    "... and neither the group nor the person changed"
expect_eq "$(status "$(api A POST /api/conversations/$C2/assign '{"group_id":999999}')")" 422 "an unknown group: 422"
expect_eq "$(status "$(api A POST /api/conversations/$C2/assign '{"group_id":"Billing"}')")" 400 "a group's name is no id: 400"
expect_eq "$(status "$(api A POST /api/conversations/$C2/assign '{"group_id":1.5}')")" 400 "a fraction: 400"
expect_eq "$(status "$(api A POST /api/conversations/$C2/assign '{}')")" 400 "neither key: 400"
expect_eq "$(status "$(api B POST /api/conversations/$C2/assign "{\"group_id\":$GW2}")")" 404 \
    "another workspace's conversation: 404"
r=$(api G GET "/api/conversations?group=$GB")
expect_eq "$(body "$r" | json "[c['id'] for c in j['conversations'] if c['id'] == $C2]")" "[$C2]" "the group's list has it"

stop_lighttpd
t_done
