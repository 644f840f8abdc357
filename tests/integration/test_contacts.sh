#!/usr/bin/env bash
# One person's data through a real lighttpd and the fake of Meta: an
# admin exports everything held about a contact (their messages, not
# another person's) and forgets them (messages, conversation, contact
# and their entries in that channel's raw events go; a batch that also
# holds someone else keeps that entry; the same id at another channel
# is untouched); agents are refused, another workspace's contact is
# 404, both actions are audit-logged with the id masked and nothing of
# the person reaches the log.  Then hubgate-admin contact-export and
# contact-erase do the same for an id everywhere.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
sandbox_suite contacts
W2=$($UT workspace "Other business")
ADM=$($UT user admin@example.com "Adam Admin" admin 1)
AGENT=$($UT user agent@example.com "Agnes Agent" agent 1)
OWNER2=$($UT user boss@other.example "Boris Boss" owner "$W2")
sign_in A "$ADM" 1
sign_in G "$AGENT" 1
sign_in B "$OWNER2" "$W2"

P1=104857600000001 P2=104857600000002
X=7300000000000041 Y=7300000000000042
"$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
"$ADMIN" channel-add page $P2 'Sandbox Bikes' >/dev/null
deliver() {  # PAGE SENDER TEXT
	curl -s -d platform=messenger -d page="$1" -d sender="$2" --data-urlencode "text=$3" "$CTL/deliver" >/dev/null
}
deliver $P1 $X 'my address is 12 Baker Street'
deliver $P1 $X 'and my phone is 555-0199'
deliver $P1 $Y 'hello from someone else'
deliver $P2 $X 'X again, at the other Page'
# A delivery holding both people's messages (Meta batches).
BATCH='{"object":"page","entry":[{"id":"'$P1'","time":1,"messaging":[{"sender":{"id":"'$X'"},"recipient":{"id":"'$P1'"},"timestamp":1700000000000,"message":{"mid":"m-batch-x","text":"batched secret"}},{"sender":{"id":"'$Y'"},"recipient":{"id":"'$P1'"},"timestamp":1700000000001,"message":{"mid":"m-batch-y","text":"batched kept"}}]}]}'
echo "$BATCH" > "$TMP/batch.json"
expect_eq "$(post "$TMP/batch.json")" 200 "a batch naming both people is accepted"
for i in $(seq 50); do
	[ "$(sql "$D" "SELECT count(*) FROM message")" = 6 ] && break
	sleep 0.1
done
expect_eq "$(sql "$D" "SELECT count(*) FROM message")" 6 "six messages stored"
CX=$(sql "$D" "SELECT c.id FROM contact c JOIN channel h ON h.id = c.channel_id WHERE c.meta_user_id = '$X' AND h.meta_id = '$P1'")
CY=$(sql "$D" "SELECT id FROM contact WHERE meta_user_id = '$Y'")

# --- export
r=$(api A GET /api/contacts/$CX/export)
expect_eq "$(status "$r")" 200 "an admin exports the contact: 200"
e=$(body "$r")
expect_eq "$(echo "$e" | json 'j["contact"]["meta_user_id"]')" $X "... the contact's id"
expect_eq "$(echo "$e" | json 'j["channel"]["meta_id"]')" $P1 "... the channel"
expect_eq "$(echo "$e" | json 'sorted(m["text"] for c in j["conversations"] for m in c["messages"])')" \
    '["and my phone is 555-0199", "batched secret", "my address is 12 Baker Street"]' "... every message of theirs at this Page, none of another"
r=$(curl -s -D - -o /dev/null -H "Cookie: hg_session=$A_C" "$BASE/api/contacts/$CX/export")
expect_match "$r" 'Content-Disposition: attachment; filename="contact-'$CX'.json"' "... as a download"
expect_eq "$(status "$(api G GET /api/contacts/$CX/export)")" 403 "an agent may not export: 403"
expect_eq "$(status "$(api B GET /api/contacts/$CX/export)")" 404 "another workspace's owner: 404"
expect_eq "$(status "$(api A GET /api/contacts/999999/export)")" 404 "no such contact: 404"
expect_eq "$(status "$(api A GET /api/contacts/$CX/exports)")" 404 "an unknown sub-path: 404"
expect_eq "$(status "$(api A GET /api/contacts/x1/export)")" 404 "a malformed id: 404"

# --- erase
expect_eq "$(status "$(api G DELETE /api/contacts/$CX)")" 403 "an agent may not erase: 403"
expect_eq "$(status "$(api B DELETE /api/contacts/$CX)")" 404 "another workspace's owner may not: 404"
expect_eq "$(sql "$D" "SELECT count(*) FROM message m JOIN contact c ON 1 WHERE c.id = $CX")" 6 "... nothing was erased by them"
r=$(api A DELETE /api/contacts/$CX)
expect_eq "$(status "$r")" 200 "the admin forgets the person: 200"
expect_eq "$(body "$r" | json '[j["erased"][k] for k in ("contacts","conversations","messages")]')" '[1, 1, 3]' "... one contact, one conversation, three messages"
expect_eq "$(body "$r" | json 'j["erased"]["events"]')" 3 "... taken out of three raw events"
expect_eq "$(sql "$D" "SELECT count(*) FROM contact WHERE id = $CX")" 0 "the contact row is gone"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE text LIKE '%Baker%' OR text LIKE '%555-0199%' OR text = 'batched secret'")" 0 "their messages are gone"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE instr(body, '$X') AND channel_id = (SELECT id FROM channel WHERE meta_id = '$P1')")" 0 "no raw event of that Page names them"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE instr(body, 'batched kept') AND NOT instr(body, 'batched secret')")" 1 "the batch keeps the other person's entry only"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE text IN ('hello from someone else', 'batched kept', 'X again, at the other Page')")" 3 "the other person's messages, and theirs at the other Page, stay"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE instr(body, 'X again')")" 1 "... and that Page's raw event too"
expect_eq "$(status "$(api A DELETE /api/contacts/$CX)")" 404 "forgetting again: 404 (nothing left)"
expect_eq "$(sql "$D" "SELECT action || ' ' || detail FROM audit_log WHERE action LIKE 'contact.%' ORDER BY id" | cut -c1-20 | uniq | tr '\n' '|')" \
    "contact.export ***00|contact.erase 0 Face|" "both audit-logged, the id masked"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE instr(detail, '$X') OR instr(object, '$X')")" 0 "... the person's id not in the audit log"
if grep -q -e "$X" -e 'Baker Street' "$D"/*.log; then
	not_ok "the person's id or text is in a log"
else
	ok "the person's id and text reach no log"
fi

# --- hubgate-admin, for an id everywhere
out=$("$ADMIN" contact-export $X)
expect_eq "$(echo "$out" | json '[c["channel"]["meta_id"] for c in j["contacts"]]')" "[\"$P2\"]" "contact-export: the person at the other Page (the first is forgotten)"
expect_eq "$(echo "$out" | json 'j["contacts"][0]["conversations"][0]["messages"][0]["text"]')" 'X again, at the other Page' "... with their message"
expect_eq "$("$ADMIN" contact-export $Y | json 'len(j["contacts"])')" 1 "... and another id's export is theirs"
"$ADMIN" contact-export 'x;1' >/dev/null 2>&1
expect_eq "$?" 2 "a malformed id: usage error (2)"
out=$("$ADMIN" contact-erase $X)
expect_match "$out" '1 contact record, 1 conversation, 1 message' "contact-erase says what it erased"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE instr(body, '$X')")" 0 "no raw event names the person any more"
expect_eq "$("$ADMIN" contact-export $X | json 'len(j["contacts"])')" 0 "the export is now empty"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE text IN ('hello from someone else', 'batched kept')")" 2 "the other person is untouched"
t_done
