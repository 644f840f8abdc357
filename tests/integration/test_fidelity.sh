#!/usr/bin/env bash
# Every kind a business sees beyond plain messages, posted through a
# real lighttpd (tests/data: WhatsApp user ids, edits, revokes,
# reactions, referrals, opt-ins, thread control, standby copies, echo
# authors, statuses with errors and pricing, account events, calls,
# odd shapes, the Test button's bodies): the rows they become, the
# inbox API showing them, a replay of all of them changing nothing,
# and the unhandled ledger holding only what is counted on purpose.
. "$(dirname "$0")/lib.sh"
D=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/fidelity.XXXXXX")
trap 'stop_lighttpd' EXIT
new_data "$D"
hg() { HUBGATE_CONFIG=$D/hubgate.conf "$ADMIN" "$@"; }
hg channel-add page 104857600000001 Shop >/dev/null
hg channel-add page 104857600000002 "Shop 2" >/dev/null
hg channel-add instagram 17841400000000001 IG >/dev/null
hg channel-add whatsapp 106540352242922 WA >/dev/null
sql "$D" "UPDATE channel SET parent_meta_id = '102290129340398' WHERE meta_id = '106540352242922'"
start_lighttpd "$D"
# The corpus is every file of tests/data: none left out of the lists.
expect_eq "$(cd "$PAYLOADS" && for f in *.json; do case " $(echo $PAYLOAD_NAMES $FIDELITY_NAMES) " in *" ${f%.json} "*) ;; *) echo "$f";; esac; done)" "" \
    "every payload of tests/data is in the corpus posted"
n=0
# The whole corpus: the plain payloads, then every other kind.
for p in $PAYLOAD_NAMES $FIDELITY_NAMES; do
	expect_eq "$(post "$PAYLOADS/$p.json")" 200 "$p.json accepted"
	n=$((n + 1))
done
for _ in $(seq 1 50); do
	[ "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state <> 'processed'")" = 0 ] && break
	sleep 0.1
done
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state = 'processed'")" "$n" "every payload processed"

# row VALUE MID: one message's columns
row() { sql "$D" "SELECT $1 FROM message WHERE meta_message_id = '$2'"; }
conv() { sql "$D" "SELECT $1 FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '$2'"; }

# WhatsApp without phone numbers
expect_eq "$(sql "$D" "SELECT c.meta_user_id || '|' || c.name FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE m.meta_message_id = 'wamid.USR0000000000000000000001'")" \
    "US.13491208655302741918|Noa" "a WhatsApp message without a number stored, keyed on the user id"
expect_eq "$(sql "$D" "SELECT count(*) || '|' || group_concat(phone) FROM contact WHERE meta_user_id IN ('US.55500000000000000777', '16505550777')")" \
    "1|16505550777" "number and user id linked to one contact"
# Two contacts of one person (number, user id) merged by an item with both
expect_eq "$(sql "$D" "SELECT count(*) || '|' || group_concat(meta_user_id || '/' || phone || '/' || name) FROM contact WHERE meta_user_id IN ('US.61100000000000000611', '16505550611') OR phone = '16505550611'")" \
    "1|US.61100000000000000611/16505550611/Ana Lima" "two contacts of one person merged into one"
expect_eq "$(sql "$D" "SELECT group_concat(meta_message_id, ',') FROM (SELECT m.meta_message_id FROM message m JOIN conversation v ON v.id = m.conversation_id JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = 'US.61100000000000000611' ORDER BY m.sent_ms)")" \
    "wamid.MRG0000000000000000000001,wamid.MRGOUT000000000000000000001,wamid.MRG0000000000000000000002,wamid.MRG0000000000000000000003" "... their messages in one thread"
# Edits, revokes, reactions
expect_eq "$(row "text || '|' || edited_ms" m_edit-0001)" "See you at 7|1763861120000" "an edited message shows its newest text"
expect_eq "$(sql "$D" "SELECT count(*) FROM message_edit WHERE meta_message_id = 'm_edit-0001'")" 3 "its history: the original and two edits"
expect_eq "$(row "coalesce(text, 'NULL') || '|' || (unsent_ms > 0)" wamid.EDT0000000000000000000003)" "NULL|1" "a revoked WhatsApp message: deleted, text gone"
expect_eq "$(row "'[' || text || ']'" reaction:7300000000000011:m_edit-0001)" "[]" "a removed reaction"
# Referrals, opt-ins
expect_eq "$(conv "json_extract(v.referral, '\$.ad_id')" 7300000000000021)" 120200000000000001 "an ad referral on the conversation"
expect_eq "$(conv "json_extract(v.referral, '\$.ctwa_clid')" 16505550999)" ARAkLkA8rmlFeiCktEJQ "a click-to-WhatsApp referral"
expect_eq "$(sql "$D" "SELECT json_extract(optin, '\$.notification_messages_token') FROM contact WHERE meta_user_id = '7300000000000031'")" 7436593500000000000 "an opt-in token on the contact"
# Thread control, standby, echo authors (the columns automation reads)
expect_eq "$(conv "v.thread_owner || '|' || v.thread_owner_app_id" 7300000000000041)" "other|263902037430900" "passed to the Page Inbox"
expect_eq "$(row author m_ho-echo-0001)" page_inbox "the Page Inbox's echo: author page_inbox"
expect_eq "$(row author m_ho-echo-0002)" app:555000000000001 "another app's echo: author app:<id>"
expect_eq "$(row "standby || author" aWdf-standby-echo-0001)" 1page_inbox "a standby echo"
expect_eq "$(row "direction || '|' || author" wamid.SMB0000000000000000000001)" "out|business_app" "a WhatsApp Business app echo"
expect_eq "$(row standby wamid.STB0000000000000000000001)" 1 "a WhatsApp standby copy"
# Statuses, account events, types, calls
expect_eq "$(row "json_extract(pricing, '\$.billable') || '|' || json_extract(pricing, '\$.type')" wamid.OUTERR000000000000000000002)" "0|free_customer_service" "pricing kept"
expect_eq "$(row "status || '|' || error_code" wamid.OUTERR000000000000000000001)" "failed|131026" "a failed status's error"
expect_eq "$(sql "$D" "SELECT count(*) || '|' || sum(level <> 'info') FROM channel_notice")" "7|3" "account events on the channel"
expect_eq "$(sql "$D" "SELECT e.routing || '|' || c.meta_id FROM webhook_event e JOIN channel c ON c.id = e.channel_id WHERE e.id = (SELECT event_id FROM channel_notice WHERE word = 'FLAGGED')")" \
    "routed|106540352242922" "an account event is routed to its WABA's number (its events list shows it)"
expect_eq "$(row "json_extract(raw, '\$.response.size')" wamid.TYP0000000000000000000002)" M "a Flow reply's JSON"
expect_eq "$(row "kind || '|' || text" call:wacid.CALL000000000000000000001)" "call|Incoming call: terminate, COMPLETED, 58 s" "a call entry"
expect_eq "$(row "kind || '|' || direction || '|' || text" call:c_M5YPhGE5jm0L_PMQdScLlYJlR7tU_f0rgXiTQ)" "call|in|Incoming call: terminate, 42 s" "a Messenger call entry"
expect_eq "$(row "direction || '|' || text" call:c_B2C00000000000000000000000000000001)" "out|Outgoing call: connect" "a business's Messenger call"
expect_eq "$(conv "(SELECT text FROM message WHERE conversation_id = v.id AND meta_message_id LIKE 'call_permission:%')" 7300000000000052)" "Call permission: approve" "a permission to call in the thread"
expect_eq "$(row text call:wacid.CALLOUT00000000000000000001)" "Outgoing call: terminate, COMPLETED, 60 s" "a business's WhatsApp call, its statuses and end"
# Coexistence: the business app's chat history and address book
expect_eq "$(sql "$D" "SELECT group_concat(direction || history || status, ',') FROM (SELECT * FROM message WHERE meta_message_id LIKE 'wamid.HST%' ORDER BY meta_message_id)")" \
    "in1received,out1delivered,out1read,in1received,in1received" "chat history stored both ways, marked history"
expect_eq "$(sql "$D" "SELECT count(*) FROM automation_seen a JOIN message m ON m.id = a.message_id WHERE m.history = 1")" 0 "automation never looks at history"
expect_eq "$(conv "v.unread || '|' || c.name" 16505550721)" "0|Rita (history)" "history is not unread; the address book names the contact"
# Odd shapes
expect_eq "$(sql "$D" "SELECT count(*) FROM contact WHERE meta_user_id = '27000000000000000001'")" 1 "an id above 2^53 as a number: every digit kept"
expect_eq "$(row sent_ms m_odd-0003)" 1763863000000 "a missing timestamp: the entry's time"
# The Test button
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE test = 1")" 3 "the Test button's bodies marked as tests"

# The inbox and the channel page show them.
PW='fidelity agent passphrase'
printf '%s\n' "$PW" | hg user-add agent@example.org --role admin >/dev/null
J=$D/jar
curl -s -c "$J" -H 'Content-Type: application/json' \
    --data-binary '{"email":"agent@example.org","password":"'"$PW"'"}' "$BASE/api/session" >/dev/null
json() { python3 -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
thread() { curl -s -b "$J" "$BASE/api/conversations/$(conv v.id "$1")/messages"; }
T=$(thread 7300000000000011)
expect_eq "$(echo "$T" | json '[(m["text"], m["edited"], [e["text"] for e in m["edits"]]) for m in j["messages"] if m["kind"] == "text"]')" \
    "[('See you at 7', True, ['See you at 5', 'See you at 6', 'See you at 7'])]" "the thread shows an edited message with its history"
T=$(thread 7300000000000041)
expect_eq "$(echo "$T" | json '[(m["direction"], m["author"], m["standby"]) for m in j["messages"]]')" \
    "[('in', None, False), ('out', 'page_inbox', False)]" "the thread shows who answered from Meta's inbox"
expect_eq "$(echo "$T" | json 'j["thread_owner"]')" "{'owner': 'other', 'app_id': '263902037430900'}" "... and who owns the thread"
expect_eq "$(thread 7300000000000021 | json 'j["referral"]["ads_context_data"]["ad_title"]')" "Summer sale" "the thread shows the ad the person came from"
expect_eq "$(thread 16505550999 | json '[m["text"] for m in j["messages"] if m["kind"] == "call"]')" "['Incoming call: terminate, COMPLETED, 58 s', 'Outgoing call: terminate, COMPLETED, 60 s']" "call entries in the thread"
expect_eq "$(thread 7300000000000031 | json 'j["optin"]["notification_messages_token"]')" 7436593500000000000 "the thread shows the person's opt-in"
expect_eq "$(thread 16505550721 | json '[(m["direction"], m["history"], m["author"]) for m in j["messages"]]')" \
    "[('in', True, None), ('out', True, 'business_app'), ('out', True, 'business_app'), ('in', True, None)]" "the thread marks the chat history's messages"
# The Test button's bodies route to no channel: the operator sees them.
sql "$D" "UPDATE user SET operator = 1 WHERE email = 'agent@example.org'"
TE=$(sql "$D" "SELECT min(id) FROM webhook_event WHERE test = 1")
expect_eq "$(curl -s -b "$J" "$BASE/api/events/$TE" | json 'j["event"]["test"]')" True "an event from the Test button is shown as a test"
expect_eq "$(curl -s -b "$J" "$BASE/api/events?limit=100" | json 'sorted(set(str(e["test"]) for e in j["events"]))')" "['False', 'True']" "the events list marks the tests, and only them"
CH=$(curl -s -b "$J" "$BASE/api/channels")
expect_eq "$(echo "$CH" | json '[(c["account_state"], [n["word"] for n in c["notices"]]) for c in j["channels"] if c["kind"] == "whatsapp"]')" \
    "[(None, ['UNFLAGGED', 'MARKETING', 'YELLOW', 'APPROVED', 'REJECTED', 'FLAGGED', 'ACCOUNT_RESTRICTION'])]" "the channel page lists the number's account events"
expect_eq "$(echo "$CH" | json '[("notices" in c) for c in j["channels"] if c["kind"] != "whatsapp"]')" "[False, False, False]" "... only for WhatsApp numbers"

# The ledger after the whole corpus: only what README.md says is
# counted on purpose.
counted=$(awk '/^Counted on purpose \(the ledger\)/,/^$/' "$HUBGATE_ROOT/README.md")
expect_match "$counted" 'changes.malformed' "README.md lists what is counted on purpose"
for t in $(sql "$D" "SELECT type FROM unhandled ORDER BY type"); do
	expect_match "$counted" "\`$t\`" "the ledger's $t is one README.md counts on purpose"
done
expect_eq "$(sql "$D" "SELECT group_concat(type || '=' || count, ',') FROM (SELECT * FROM unhandled ORDER BY type)")" \
    "changes.malformed=1,history.declined=1,messaging.empty=1" "the unhandled ledger holds only the counted-on-purpose kinds"

# Replaying every payload changes nothing.
digest() {
	sql "$D" "SELECT (SELECT count(*) || ':' || total(length(coalesce(text, '') || status || coalesce(edited_ms, '') || coalesce(pricing, '') || coalesce(author, '') || standby || coalesce(unsent_ms, ''))) FROM message) || '/' ||
	    (SELECT count(*) || ':' || total(length(meta_user_id || coalesce(phone, '') || coalesce(optin, ''))) FROM contact) || '/' ||
	    (SELECT count(*) || ':' || total(length(coalesce(referral, '') || thread_owner || coalesce(thread_owner_app_id, '') || unread)) FROM conversation) || '/' ||
	    (SELECT count(*) FROM message_edit) || '/' || (SELECT count(*) FROM channel_notice) || '/' ||
	    (SELECT count(*) FROM feed_item) || '/' || (SELECT count(*) || total(length(reaction)) FROM feed_reaction) || '/' ||
	    (SELECT coalesce(account_state, '') FROM channel WHERE kind = 'whatsapp')"
}
before=$(digest)
expect_match "$(hg requeue --from 0 --to 4000000000)" "requeued $n" "every event requeued"
hg process >/dev/null
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state = 'processed' AND attempts >= 1")" "$n" "every event processed again"
expect_eq "$(digest)" "$before" "replaying every payload changes nothing"

# An account event that threatens sending raises the number's level and
# the same alert as a token problem (cron/token-refresh).
cat > "$D/sendmail" <<SM
#!/bin/sh
{ echo "ARGS: \$*"; cat; echo "--END--"; } >> "$D/mail.txt"
SM
chmod 755 "$D/sendmail"
printf 'alert_email = ops@example.org\nsendmail_path = %s/sendmail\n' "$D" >> "$D/hubgate.conf"
printf 'EAAtest-token-for-alerts\n' | hg channel-token whatsapp 106540352242922 >/dev/null
printf '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":%s,"changes":[{"field":"account_update","value":{"event":"DISABLED_UPDATE","ban_info":{"waba_ban_state":"DISABLE","waba_ban_date":"2026-11-30"}}}]}]}' "$(date +%s)" > "$D/ban.json"
expect_eq "$(post "$D/ban.json")" 200 "a ban of the account accepted"
expect_eq "$(sql "$D" "SELECT account_state FROM channel WHERE meta_id = '106540352242922'")" DISABLE "the number's account state: DISABLE"
HUBGATE_CONFIG=$D/hubgate.conf "$HUBGATE_BUILD/cron/token-refresh" >/dev/null 2>"$D/cron.err"
expect_eq "$(sql "$D" "SELECT level FROM token_check WHERE subject = 'channel' AND subject_id = (SELECT id FROM channel WHERE meta_id = '106540352242922')")" critical "the number's level: critical"
expect_match "$(cat "$D/mail.txt" 2>/dev/null)" 'Meta reports the WhatsApp account or number as DISABLE' "one alert says so"
t_done
