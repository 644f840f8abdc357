#!/usr/bin/env bash
# The events API through a real lighttpd (and one GET through Apache):
# the list with filters and keyset pages that stay stable while events
# arrive, one event and its exact body, retry, requeue and delete
# changing exactly what they say and audit-logged, agents refused the
# admin actions, another workspace's ids 404, unrouted events for
# operators only, a dead letter made by a fault retried and processed,
# counts from the summaries, the search by mid and by account, a batch
# for two workspaces (each sees its own channel, neither the body, and
# neither may act on it alone), no delete of an event being processed,
# a channel connected by hand (by the operator only) routing its
# earlier events, and the channels' token levels.
#
# The fault: a trigger that makes every message insert fail, as a
# broken disk or a bug would; processing then fails until it is gone.
. "$(dirname "$0")/lib.sh"
D=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/events.XXXXXX")
trap 'stop_lighttpd; [ -n "$CUR" ] && stop_apache "$CUR" >/dev/null' EXIT
CUR=
CRON=$HUBGATE_BUILD/cron/webhook-retry
new_data "$D"
echo "retry_schedule = 1" >> "$D/hubgate.conf"
export HUBGATE_CONFIG=$D/hubgate.conf
PAGE=$("$ADMIN" channel-add page 104857600000001 "Sandbox Bakery")
start_lighttpd "$D"

W2=$($UT workspace "Other business")
OWNER=$($UT user owner@example.com "Olga Owner" owner 1 operator)
ADM=$($UT user admin@example.com "Adam Admin" admin 1)
AGENT=$($UT user agent@example.com "Agnes Agent" agent 1)
OWNER2=$($UT user boss@other.example "Boris Boss" owner "$W2")
sign_in O "$OWNER" 1
sign_in A "$ADM" 1
sign_in G "$AGENT" 1
sign_in P "$OWNER2" "$W2"
py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# msg N: a messenger text event with its own mid and text, in a file
msg() {
	sed -e "s/m_AbCdEf0123456789-first/m_test-$1/" -e "s/Hi! Do you ship to Lisbon?/message $1/" \
	    "$PAYLOADS/messenger-text.json" > "$D/m$1.json"
	echo "$D/m$1.json"
}

expect_eq "$(post "$(msg 1)")" 200 "a routed event"
expect_eq "$(post "$PAYLOADS/instagram-text.json")" 200 "an unrouted event (its account is not connected)"
E1=$(sql "$D" "SELECT id FROM webhook_event WHERE routing = 'routed'")
EU=$(sql "$D" "SELECT id FROM webhook_event WHERE routing = 'unrouted'")

# --- visibility ---------------------------------------------------------
r=$(api G GET /api/events)
expect_eq "$(status "$r")" 200 "an agent lists events"
expect_eq "$(body "$r" | py '[e["id"] for e in d["events"]]')" "[$E1]" "a non-operator sees the workspace's event only"
expect_eq "$(body "$r" | py 'sorted(d["events"][0].keys())')" \
    "['attempts', 'channel_id', 'channel_name', 'id', 'last_error', 'object', 'platform', 'processed_ms', 'received_ms', 'routing', 'size', 'state', 'test']" \
    "an event has the fields of the contract"
expect_eq "$(body "$r" | py 'd["events"][0]["platform"], d["events"][0]["channel_name"], d["events"][0]["state"]')" \
    "messenger Sandbox Bakery processed" "platform, channel name, state"
expect_eq "$(body "$(api O GET /api/events)" | py '[e["id"] for e in d["events"]]')" "[$EU, $E1]" \
    "the operator sees the unrouted event too, newest first"
expect_eq "$(body "$(api O GET '/api/events?routing=unrouted')" | py '[e["id"] for e in d["events"]], d["count"]')" "[$EU] 1" \
    "routing=unrouted, with its count"
expect_eq "$(status "$(api G GET /api/events/$EU)")" 404 "an unrouted event is 404 for a non-operator"
expect_eq "$(status "$(api P GET /api/events/$E1)")" 404 "another workspace's event: 404"
expect_eq "$(status "$(api P GET /api/events/$E1/body)")" 404 "another workspace's body: 404"
expect_eq "$(status "$(api P POST /api/events/$E1/retry)")" 404 "another workspace's retry: 404"
expect_eq "$(status "$(api P DELETE /api/events/$E1)")" 404 "another workspace's delete: 404"
expect_eq "$(body "$(api P GET /api/events)" | py 'len(d["events"])')" 0 "workspace 2 lists nothing"

# --- one event, its body ------------------------------------------------
r=$(api G GET /api/events/$E1)
expect_eq "$(status "$r")" 200 "one event"
expect_eq "$(body "$r" | py 'd["event"]["entry_ids"], [m["text"] for m in d["produced"]["messages"]], d["event"]["channels"][0]["name"], d["event"]["body_truncated"], d["event"]["body_json"]')" \
    "['104857600000001'] ['message 1'] Sandbox Bakery False True" "its entry ids, the message it produced, its channel"
expect_eq "$(body "$r" | py 'd["event"]["body"]')" "$(cat "$D/m1.json")" "the body as text"
curl -s -D "$D/h" -o "$D/got" -H "Cookie: hg_session=$G_C" "$BASE/api/events/$E1/body"
if cmp -s "$D/got" "$D/m1.json"; then ok "the body download is the exact bytes"; else not_ok "the body download is the exact bytes"; fi
h=$(tr -d '\r' < "$D/h")
expect_match "$h" $'\n''Content-Type: application/octet-stream' "as application/octet-stream"
expect_match "$h" $'\n''Content-Disposition: attachment; filename="event-'$E1'.json"' "as an attachment"
expect_match "$h" $'\n''X-Content-Type-Options: nosniff' "never sniffed"

# --- validation -----------------------------------------------------------
r=$(api G GET '/api/events?state=bogus')
expect_eq "$(status "$r")" 400 "an unknown state: 400"
expect_match "$(body "$r")" 'state: must be one of pending, processing' "naming the states"
expect_eq "$(status "$(api G GET '/api/events?limit=0')")" 400 "limit 0: 400"
expect_eq "$(status "$(api G GET '/api/events?limit=201')")" 400 "limit 201: 400"
expect_eq "$(status "$(api G GET '/api/events?since=5&until=5')")" 400 "until not after since: 400"
expect_eq "$(status "$(api G GET '/api/events?cursor=abc')")" 400 "a cursor it did not give: 400"
expect_eq "$(status "$(api G GET /api/events/abc)")" 404 "not an id: 404"

# --- pages stay stable while events arrive --------------------------------
for i in 2 3 4 5 6; do post "$(msg $i)" >/dev/null; done
want=$(body "$(api G GET '/api/events?limit=200')" | py '[e["id"] for e in d["events"]]')
got=() cursor= n=0
while :; do
	r=$(body "$(api G GET "/api/events?limit=2${cursor:+&cursor=$cursor}")")
	got+=($(echo "$r" | py '" ".join(str(e["id"]) for e in d["events"])'))
	n=$((n + 1))
	post "$(msg $((100 + n)))" >/dev/null
	cursor=$(echo "$r" | py 'd["next"] or ""')
	[ -z "$cursor" ] || [ $n -gt 10 ] && break
done
expect_eq "[$(IFS=,; echo "${got[*]}" | sed 's/,/, /g')]" "$want" "pages of 2 while events arrive: every event once, in order"
expect_eq "$n" 3 "six events in three pages"
r=$(body "$(api G GET '/api/events?platform=messenger&state=processed&limit=1')")
expect_eq "$(echo "$r" | py 'd["events"][0]["id"] > '"$E1"', d["next"] is not None, d["count"]')" \
    "True True $(sql "$D" "SELECT count(*) FROM webhook_event WHERE object = 'page' AND state = 'processed' AND channel_id IS NOT NULL")" \
    "filters combine; counted from the summaries"
expect_eq "$(body "$(api G GET '/api/events?q=m_test-3')" | py '[e["id"] for e in d["events"]], d["count"]')" \
    "[$(sql "$D" "SELECT event_id FROM message WHERE meta_message_id = 'm_test-3'")] None" \
    "q: a message's mid finds its event (no count)"
expect_eq "$(body "$(api G GET '/api/events?q=104857600000001&limit=1')" | py 'd["events"][0]["channel_name"]')" \
    "Sandbox Bakery" "q: an account's id finds its channel's events"

# --- a batch for two workspaces' accounts -------------------------------
sql "$D" "INSERT INTO channel (workspace_id, kind, meta_id, name, created_at, updated_at) VALUES ($W2, 'page', '2048000000002', 'Other Page', 0, 0)"
python3 - "$D/m1.json" "$D/two.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
e = json.loads(json.dumps(d["entry"][0]))
e["id"] = "2048000000002"
for m in e.get("messaging", []):
    m["recipient"]["id"] = "2048000000002"
    m["message"]["mid"] = "m_other-workspace"
    m["message"]["text"] = "a customer of the other business"
d["entry"].append(e)
d["entry"][0]["messaging"][0]["message"]["mid"] = "m_first-workspace"
d["entry"][0]["messaging"][0]["message"]["text"] = "a customer of the first business"
json.dump(d, open(sys.argv[2], "w"))
PYEOF
expect_eq "$(post "$D/two.json")" 200 "a batch for both workspaces' Pages"
ES=$(sql "$D" "SELECT max(id) FROM webhook_event")
r=$(body "$(api P GET /api/events/$ES)")
expect_eq "$(echo "$r" | py 'd["event"]["channel_name"], d["event"]["body"], d["event"]["body_withheld"], [m["text"] for m in d["produced"]["messages"]]')" \
    "Other Page None True ['a customer of the other business']" \
    "workspace 2 sees its own channel and messages, not the body"
expect_eq "$(body "$(api P GET "/api/events?q=$ES")" | py '[e["channel_name"] for e in d["events"]]')" "['Other Page']" \
    "its list names its own channel"
r=$(body "$(api G GET /api/events/$ES)")
expect_eq "$(echo "$r" | py 'd["event"]["channel_name"], d["event"]["body"], [m["text"] for m in d["produced"]["messages"]]')" \
    "Sandbox Bakery None ['a customer of the first business']" "workspace 1 likewise"
expect_eq "$(status "$(api P GET /api/events/$ES/body)")" 404 "its body download: 404"
expect_eq "$(body "$(api O GET /api/events/$ES)" | py 'd["event"]["body_withheld"], d["event"]["body"] is not None')" \
    "False True" "an operator reads the body"
expect_eq "$(status "$(api P DELETE /api/events/$ES)")" 409 "workspace 2's owner cannot delete it"
expect_eq "$(status "$(api O DELETE /api/events/$ES)")" 409 "nor workspace 1's"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE id = $ES")" 1 "it stays"
sql "$D" "UPDATE webhook_event SET state = 'dead_letter' WHERE id = $ES"
expect_eq "$(status "$(api P POST /api/events/$ES/retry)")" 409 "nor retry it"
expect_eq "$(status "$(api P POST /api/events/requeue "{\"ids\":[$ES]}")")" 409 "nor requeue it by id"
expect_eq "$(body "$(api P POST /api/events/requeue '{"filter":{"state":"dead_letter"}}')")" '{"count":0,"requeued":0}' \
    "a filter passes over it"
sql "$D" "UPDATE webhook_event SET state = 'processed' WHERE id = $ES"

# --- an event being processed is not deleted ------------------------------
sql "$D" "UPDATE webhook_event SET state = 'processing' WHERE id = (SELECT max(id) FROM webhook_event WHERE id < $ES)"
EP=$(sql "$D" "SELECT id FROM webhook_event WHERE state = 'processing'")
r=$(api O DELETE /api/events/$EP)
expect_eq "$(status "$r")" 409 "deleting an event being processed: 409"
expect_match "$(body "$r")" 'being processed' "saying why"
sql "$D" "UPDATE webhook_event SET state = 'processed' WHERE id = $EP"

# --- a dead letter made by a fault, retried ------------------------------
sql "$D" "CREATE TRIGGER fault BEFORE INSERT ON message BEGIN SELECT RAISE(ABORT, 'injected fault'); END;"
post "$(msg 50)" >/dev/null
ED=$(sql "$D" "SELECT max(id) FROM webhook_event")
"$CRON" >/dev/null 2>&1
sleep 1.5
"$CRON" >/dev/null 2>&1
expect_eq "$(sql "$D" "SELECT state FROM webhook_event WHERE id = $ED")" dead_letter "the fault made a dead letter"
r=$(body "$(api G GET /api/dead-letters)")
expect_eq "$(echo "$r" | py 'd["groups"][0]["count"], d["groups"][0]["sample_event_id"], "injected fault" in d["groups"][0]["error"]')" \
    "1 $ED True" "dead letters grouped by error"
expect_eq "$(body "$(api G GET "/api/events/$ED")" | py 'len(d["attempts"]), "injected fault" in d["attempts"][0]["error"]')" "2 True" \
    "its attempts with their errors"
expect_eq "$(status "$(api G POST /api/events/$ED/retry)")" 403 "an agent may not retry"
expect_eq "$(status "$(api A POST /api/events/$E1/retry)")" 409 "retrying a processed event: 409"
sql "$D" "DROP TRIGGER fault"
r=$(api A POST /api/events/$ED/retry)
expect_eq "$(status "$r")" 200 "an admin retries the dead letter"
expect_eq "$(body "$r")" "{\"event\":{\"id\":$ED,\"state\":\"pending\"}}" "the answer"
expect_eq "$(sql "$D" "SELECT state FROM webhook_event WHERE id = $ED")" processed "it was processed at once"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE event_id = $ED AND text = 'message 50'")" 1 "its message exists"
expect_eq "$(sql "$D" "SELECT action || ' ' || object FROM audit_log WHERE action LIKE 'event.%'")" "event.retry event:$ED" "the retry is audit-logged"

# --- requeue by filter, with a confirmed count --------------------------
sql "$D" "CREATE TRIGGER fault BEFORE INSERT ON message BEGIN SELECT RAISE(ABORT, 'injected fault'); END;"
post "$(msg 60)" >/dev/null; post "$(msg 61)" >/dev/null
"$CRON" >/dev/null 2>&1; sleep 1.5; "$CRON" >/dev/null 2>&1
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state = 'dead_letter'")" 2 "two more dead letters"
sql "$D" "DROP TRIGGER fault"
F='{"filter":{"state":"dead_letter","platform":"messenger"}'
expect_eq "$(status "$(api G POST /api/events/requeue "$F}")")" 403 "an agent may not requeue"
r=$(api A POST /api/events/requeue "$F}")
expect_eq "$(status "$r") $(body "$r")" '200 {"count":2,"requeued":0}' "without confirm: only the count"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state = 'dead_letter'")" 2 "nothing changed"
expect_eq "$(status "$(api A POST /api/events/requeue "$F,\"confirm\":3}")")" 409 "a wrong confirm: 409"
expect_eq "$(status "$(api A POST /api/events/requeue '{"filter":{"state":"nope"}}')")" 400 "a bad filter: 400"
expect_eq "$(status "$(api A POST /api/events/requeue '{"ids":[1],"filter":{}}')")" 400 "ids and filter: 400"
ids=$(python3 -c 'print(list(range(1, 1002)))')
expect_eq "$(status "$(api A POST /api/events/requeue "{\"ids\":$ids}")")" 422 "more than 1000 ids: 422"
r=$(api A POST /api/events/requeue "$F,\"confirm\":2}")
expect_eq "$(status "$r") $(body "$r")" '200 {"count":2,"requeued":2}' "confirmed: requeued"
expect_eq "$(sql "$D" "SELECT group_concat(state) FROM webhook_event WHERE state IN ('dead_letter', 'failed', 'pending')")" "" \
    "no dead letter left: processed at once"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE text IN ('message 60', 'message 61')")" 2 "their messages exist"
expect_eq "$(sql "$D" "SELECT detail FROM audit_log WHERE action = 'event.requeue'")" "2 events by filter" "the requeue is audit-logged"

# --- delete: owner only, messages stay ----------------------------------
expect_eq "$(status "$(api A DELETE /api/events/$E1)")" 403 "an admin may not delete"
expect_eq "$(status "$(api O DELETE /api/events/$E1)")" 204 "the owner deletes an event"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE id = $E1")" 0 "it is gone"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE text = 'message 1' AND event_id IS NULL")" 1 "its message stays"
expect_eq "$(status "$(api O GET /api/events/$E1)")" 404 "a deleted event: 404"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'event.delete' AND object = 'event:$E1'")" 1 "the delete is audit-logged"

# --- channels: connect the unrouted account ------------------------------
r=$(body "$(api G GET /api/channels)")
expect_eq "$(echo "$r" | py '[(c["id"], c["kind"], c["platform"], c["meta_id"], c["name"]) for c in d["channels"]]')" \
    "[($PAGE, 'page', 'messenger', '104857600000001', 'Sandbox Bakery')]" "the workspace's channels"
expect_eq "$(body "$(api P GET /api/channels)" | py '[c["name"] for c in d["channels"]]')" "['Other Page']" \
    "workspace 2: its own only"
C='{"kind":"instagram","meta_id":"17841400000000001","name":"Bakery IG"}'
expect_eq "$(status "$(api G POST /api/channels "$C")")" 403 "an agent may not connect a channel"
expect_eq "$(status "$(api A POST /api/channels '{"kind":"email","meta_id":"1"}')")" 400 "an unknown kind: 400"
expect_eq "$(status "$(api A POST /api/channels '{"kind":"page","meta_id":"12a"}')")" 400 "a meta_id not of digits: 400"
r=$(api A POST /api/channels "$C")
expect_eq "$(status "$r")" 403 "an admin who is not the operator may not connect by hand"
expect_match "$(body "$r")" "Meta's Login" "pointed to the Login"
expect_eq "$(sql "$D" "SELECT count(*) FROM channel WHERE kind = 'instagram'")" 0 "nothing connected"
r=$(api O POST /api/channels "$C")
expect_eq "$(status "$r")" 201 "the operator connects the Instagram account"
expect_eq "$(body "$r" | py 'd["rerouted"], d["channel"]["name"]')" "1 Bakery IG" "its earlier event was routed"
expect_eq "$(body "$r" | py 'd["channel"]["last_event_at"] == '"$(sql "$D" "SELECT received_ms / 1000 FROM webhook_event WHERE id = $EU")"', d["channel"]["token_level"], d["channel"]["subscribed_fields"]')" \
    "True ok []" "the 201 shows the channel as stored: its last event set by the re-routing"
expect_eq "$(sql "$D" "SELECT routing || ' ' || state FROM webhook_event WHERE id = $EU")" "routed processed" "and processed again"
expect_eq "$(sql "$D" "SELECT count(*) FROM message m JOIN channel c ON c.id = m.channel_id WHERE c.kind = 'instagram'")" 1 \
    "the Instagram message exists now"
expect_eq "$(body "$(api G GET /api/events/$EU)" | py 'd["event"]["routing"]')" routed "the agent sees it now"
expect_eq "$(status "$(api O POST /api/channels "$C")")" 409 "connected already: 409"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'channel.add'")" 1 "audit-logged"

# token_level from the token's status and expiry; subscribed_fields.
now=$(date +%s)
sql "$D" "UPDATE channel SET token_status = 'valid', token_expires_at = $((now + 2 * 86400)), subscribed_fields = 'messages, messaging_postbacks' WHERE id = $PAGE"
r=$(body "$(api G GET /api/channels)")
expect_eq "$(echo "$r" | py '[(c["token_level"], c["subscribed_fields"]) for c in d["channels"] if c["id"] == '"$PAGE"']')" \
    "[('critical', ['messages', 'messaging_postbacks'])]" "expiring within 3 days: critical; the fields as an array"
for x in "$((now + 5 * 86400)) valid warning" "$((now + 20 * 86400)) valid notice" "$((now + 90 * 86400)) valid ok" \
    "$((now + 90 * 86400)) revoked invalid" "NULL valid ok" "$((now - 60)) valid invalid"; do
	set -- $x
	sql "$D" "UPDATE channel SET token_status = '$2', token_expires_at = $1 WHERE id = $PAGE"
	expect_eq "$(body "$(api G GET /api/channels)" | py '[c["token_level"] for c in d["channels"] if c["id"] == '"$PAGE"'][0]')" \
	    "$3" "token $2, expiring at $1: $3"
done

# hubgate-admin channel-add routes earlier events too.
expect_eq "$(post "$PAYLOADS/whatsapp-text.json")" 200 "a WhatsApp event for a number not connected"
EW=$(sql "$D" "SELECT max(id) FROM webhook_event")
NUM=$(sql "$D" "SELECT json_extract(phone_number_ids, '\$[0]') FROM webhook_event WHERE id = $EW")
"$ADMIN" channel-add whatsapp "$NUM" WA >/dev/null
expect_eq "$(sql "$D" "SELECT routing || ' ' || state FROM webhook_event WHERE id = $EW")" "routed pending" \
    "channel-add routes it and leaves it to the queue"
"$CRON" >/dev/null 2>&1
expect_eq "$(sql "$D" "SELECT state FROM webhook_event WHERE id = $EW")" processed "the cron processes it"

# --- replay ---------------------------------------------------------------
n=$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state = 'processed' AND id <> $ES")
r=$(api A POST /api/events/replay '{"since":0,"until":99999999999999}')
expect_eq "$(body "$r")" "{\"count\":$n,\"replayed\":0}" "replay counts first"
r=$(api A POST /api/events/replay "{\"since\":0,\"until\":99999999999999,\"confirm\":$n}")
expect_eq "$(status "$r") $(body "$r" | py 'd["replayed"]')" "200 $n" "replay confirmed"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state <> 'processed'")" 0 "replayed and processed again"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE text LIKE 'message %'")" \
    "$(sql "$D" "SELECT count(DISTINCT text) FROM message WHERE text LIKE 'message %'")" "no duplicates"

stop_lighttpd

# --- Apache: one GET ------------------------------------------------------
if [ "$(id -u)" = 0 ] && [ -x "$APACHE_BIN" ]; then
	A=$(mktemp -d /tmp/hubgate-events-apache.XXXXXX)
	chmod 755 "$A"
	apache_data "$A/d"
	CUR=$A/d
	HUBGATE_CONFIG=$A/d/hubgate.conf "$ADMIN" channel-add page 104857600000001 Bakery >/dev/null
	chown -R "$APACHE_USER:$APACHE_USER" "$A/d"
	if start_apache "$A/d" "$HUBGATE_ROOT/apache.conf"; then
		post "$D/m2.json" >/dev/null
		S=$(HUBGATE_CONFIG=$A/d/hubgate.conf $UT user ana@example.com Ana agent 1)
		C=$(HUBGATE_CONFIG=$A/d/hubgate.conf $UT session "$S" 1 | sed -n 1p)
		chown -R "$APACHE_USER:$APACHE_USER" "$A/d"
		r=$(curl -s --max-time 20 -H "Cookie: hg_session=$C" "$BASE/api/events")
		expect_eq "$(echo "$r" | py 'len(d["events"]), d["events"][0]["platform"]')" "1 messenger" \
		    "Apache: GET /api/events"
	else
		not_ok "Apache starts"
	fi
	stop_apache "$A/d" >/dev/null
	CUR=
	rm -rf "$A"
fi
t_done
