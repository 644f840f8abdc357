#!/usr/bin/env bash
# A WhatsApp number connected by form and a channel's actions, through
# a real lighttpd and the fake of Meta: the form's good path (token
# checked with debug_token, the number read and found in its account,
# registered with a PIN, the channel stored with its token sealed, the
# account subscribed and read back); each bad part named (malformed
# ids or PIN, an invalid token, a missing permission, a token for
# another account, a number of another account); another workspace's
# number 409; rename, re-subscribe and disconnect (Meta called with the
# channel's token, the token erased, history kept, a Meta error
# reported while the disconnect still happens); another workspace's
# channel 404; agents 403; audit lines; no token in any answer, log
# line or audit line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
sandbox_suite wa
SEEN=$TMP/seen	# every answer the tests saw
mkdir -p "$SEEN"
n=0
# call VAR METHOD PATH [JSON]: api, the answer kept in $SEEN; status
# in $S, body in $B.
call() {
	local r
	r=$(api "$@")
	n=$((n + 1))
	printf '%s' "$r" > "$SEEN/a$n"
	S=$(status "$r")
	B=$(body "$r")
}
py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

W2=$($UT workspace "Other business")
ADM=$($UT user admin@example.com "Adam Admin" admin 1)
AGENT=$($UT user agent@example.com "Agnes Agent" agent 1)
OWNER2=$($UT user boss@other.example "Boris Boss" owner "$W2")
sign_in A "$ADM" 1
sign_in G "$AGENT" 1
sign_in P "$OWNER2" "$W2"

WABA=102290129340398; PHONE=106540352242922
WABA2=102290129340399; PHONE2=106540352242923
# issue [args]: a token from the fake's control API
issue() {
	curl -s "$@" -d action=issue "$CTL/token" | json 'j["access_token"]'
}
TOK=$(issue -d kind=system_user -d waba=$WABA)
TOK_ALL=$(issue -d kind=system_user)
TOK_NOMSG=$(issue -d kind=system_user -d waba=$WABA -d scopes=whatsapp_business_management)
TOK_OTHER=$(issue -d kind=system_user -d waba=$WABA2)
expect_match "$TOK" '^EAAS' "the fake issues system-user tokens"
form() {  # WABA PHONE TOKEN [PIN]
	printf '{"waba_id":"%s","phone_number_id":"%s","token":"%s"%s}' "$1" "$2" "$3" "${4:+,\"pin\":\"$4\"}"
}
chans() { sql "$D" "SELECT count(*) FROM channel"; }

# --- the form: each bad part named, nothing stored
call G POST /api/channels/whatsapp "$(form $WABA $PHONE "$TOK")"
expect_eq "$S" 403 "an agent may not connect a number"
call A POST /api/channels/whatsapp '{"waba_id":"1","phone_number_id":"2"}'
expect_eq "$S" 400 "no token: 400"
expect_match "$B" 'token' "... naming the token"
call A POST /api/channels/whatsapp "$(form 12x $PHONE "$TOK")"
expect_eq "$S $(py 'd["error"]["message"]' <<<"$B")" "400 waba_id: the WhatsApp business account id, digits only" "a malformed WABA id: 400 naming it"
call A POST /api/channels/whatsapp "$(form $WABA +1555 "$TOK")"
expect_match "$S $B" '^400 .*phone_number_id' "a phone number instead of its id: 400 naming phone_number_id"
call A POST /api/channels/whatsapp "$(form $WABA $PHONE "$TOK" 12345)"
expect_match "$S $B" '^400 .*pin: six digits' "a PIN of five digits: 400 naming the PIN"
call A POST /api/channels/whatsapp "$(form $WABA $PHONE EAASnotatoken)"
expect_match "$S $B" '^422 .*token: Meta says this token is not valid' "an invalid token: 422 saying so"
call A POST /api/channels/whatsapp "$(form $WABA $PHONE "$TOK_NOMSG")"
expect_match "$S $B" '^422 .*token: it lacks the permission whatsapp_business_messaging' "a token without a scope: 422 naming the scope"
call A POST /api/channels/whatsapp "$(form $WABA $PHONE "$TOK_OTHER")"
expect_match "$S $B" "^422 .*token: it does not cover the WhatsApp business account $WABA" "a token for another account: 422 saying it does not cover this one"
call A POST /api/channels/whatsapp "$(form $WABA $PHONE2 "$TOK_ALL")"
expect_match "$S $B" "^422 .*phone_number_id: the number is not one of the WhatsApp business account $WABA's numbers" \
    "a number of another account: 422 saying it is not in this one"
call A POST /api/channels/whatsapp "$(form $WABA 106540352242999 "$TOK")"
expect_match "$S $B" '^422 .*phone_number_id: Meta knows no such number' "an unknown number: 422 naming phone_number_id"
expect_eq "$(chans)" 0 "nothing stored after refused forms"
expect_eq "$(sqlite3 "$D/fakemeta.db" "SELECT count(*) FROM subscription")" 0 "nothing subscribed at Meta either"

# --- the good form: an earlier event of the number routed to it
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -d platform=whatsapp -d type=text -d 'text=before connecting' "$CTL/deliver")" 200 \
    "a message to the number before it is connected"
call A POST /api/channels/whatsapp "$(form $WABA $PHONE "$TOK" 123456)"
expect_eq "$S" 201 "the good form: 201"
expect_eq "$(py '*[d["channel"][k] for k in ("kind", "meta_id", "name", "token_status", "subscribed_fields")], d["subscribed"], d["display_phone_number"], d["quality_rating"], d["rerouted"]' <<<"$B")" \
    "whatsapp $PHONE Sandy's Bakery valid ['messages'] True 15550783881 GREEN 1" \
    "the channel as stored: the verified name, token valid, the subscription read back, the earlier event routed"
WA=$(py 'd["channel"]["id"]' <<<"$B")
expect_eq "$(sql "$D" "SELECT parent_meta_id || '|' || token_kind || '|' || typeof(token_sealed) || '|' || (instr(token_sealed, CAST('$TOK' AS BLOB)) = 0) || '|' || coalesce(token_expires_at, 0) FROM channel WHERE id = $WA")" \
    "$WABA|system_user|blob|1|0" "its WABA, token kind system_user, the token sealed (not in clear), never expiring"
expect_eq "$(sqlite3 "$D/fakemeta.db" "SELECT object_id FROM subscription")" "$WABA" "the WABA is subscribed at Meta"
expect_match "$(sql "$D" "SELECT action || ' ' || detail FROM audit_log WHERE action = 'channel_connect'")" \
    "^channel_connect whatsapp $PHONE of $WABA, 1 earlier events routed$" "audit-logged"
call P POST /api/channels/whatsapp "$(form $WABA $PHONE "$TOK")"
expect_match "$S $B" '^409 .*another workspace' "the number for another workspace: 409"
call A POST /api/channels/whatsapp "$(form $WABA $PHONE "$TOK")"
expect_eq "$S $(py 'd["channel"]["id"]' <<<"$B")" "201 $WA" "the same workspace again: replaced in place"
expect_eq "$(chans)" 1 "... one channel still"

# the outbox can use the sealed token: a reply goes out with it
CONV=$(sql "$D" "SELECT id FROM conversation WHERE channel_id = $WA")
if [ -n "$CONV" ]; then
	call A POST "/api/conversations/$CONV/messages" '{"text":"thanks"}'
	expect_match "$S" '^20[12]$' "a reply through the number is accepted"
else
	not_ok "the earlier message made a conversation"
fi

# --- rename
call G PATCH /api/channels/$WA '{"name":"Shop"}'
expect_eq "$S" 403 "an agent may not rename"
call P PATCH /api/channels/$WA '{"name":"Mine"}'
expect_eq "$S" 404 "another workspace's channel: 404"
call A PATCH /api/channels/$WA '{"name":""}'
expect_eq "$S" 400 "an empty name: 400"
call A PATCH /api/channels/$WA '{"name":"Bakery on WhatsApp"}'
expect_eq "$S $(py 'd["channel"]["name"]' <<<"$B")" "200 Bakery on WhatsApp" "renamed"
expect_eq "$(sql "$D" "SELECT detail FROM audit_log WHERE action = 'channel_rename'")" "Sandy's Bakery -> Bakery on WhatsApp" "rename audit-logged"
call A PATCH /api/channels/99999 '{"name":"x"}'
expect_eq "$S" 404 "an unknown channel: 404"

# --- re-subscribe: a WABA, and a Page with the fields hubgate needs
sqlite3 "$D/fakemeta.db" "DELETE FROM subscription"
call P POST /api/channels/$WA/subscribe
expect_eq "$S" 404 "another workspace's re-subscribe: 404"
call G POST /api/channels/$WA/subscribe
expect_eq "$S" 403 "an agent may not re-subscribe"
call A POST /api/channels/$WA/subscribe
expect_eq "$S $(py 'd["channel"]["subscribed_fields"]' <<<"$B")" "200 ['messages']" "the WABA re-subscribed and read back"
expect_eq "$(sqlite3 "$D/fakemeta.db" "SELECT object_id FROM subscription")" "$WABA" "... at Meta"
PG=$(world=$(curl -s "$CTL/world"); json 'j["pages"][0]["id"]' <<<"$world")
PTOK=$(issue -d kind=page -d page=$PG)
PID=$("$ADMIN" channel-add page "$PG" "First Page")
printf '%s\n' "$PTOK" | "$ADMIN" channel-token page "$PG" >/dev/null
expect_eq "$(sql "$D" "SELECT token_status FROM channel WHERE id = $PID")" valid "a Page with a sealed token (hubgate-admin channel-token)"
call A POST /api/channels/$PID/subscribe
expect_eq "$S $(py '",".join(d["channel"]["subscribed_fields"])' <<<"$B")" \
    "200 messages,messaging_postbacks,message_deliveries,message_reads,message_echoes,messaging_handovers,standby,message_reactions,feed" \
    "a Page re-subscribed to the fields hubgate needs, read back"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'channel_subscribe'")" 2 "re-subscriptions audit-logged"
call A POST /api/channels/$WA/other
expect_eq "$S" 404 "an unknown action: 404"

# --- disconnect
call G DELETE /api/channels/$WA
expect_eq "$S" 403 "an agent may not disconnect"
call P DELETE /api/channels/$WA
expect_eq "$S" 404 "another workspace's disconnect: 404"
MSGS=$(sql "$D" "SELECT count(*) FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE c.channel_id = $WA")
EVS=$(sql "$D" "SELECT count(*) FROM webhook_event")
call A DELETE /api/channels/$WA
expect_eq "$S $(py 'd["unsubscribed"], d["channel"]["token_status"], d["channel"]["token_level"], d["channel"]["subscribed_fields"]' <<<"$B")" \
    "200 True revoked invalid []" "disconnected: unsubscribed at Meta, token revoked"
expect_eq "$(sqlite3 "$D/fakemeta.db" "SELECT count(*) FROM subscription WHERE object_id = '$WABA'")" 0 "Meta was called: the WABA is unsubscribed"
expect_eq "$(sql "$D" "SELECT (token_sealed IS NULL) || token_status || token_kind FROM channel WHERE id = $WA")" "1revokednone" "the sealed token is erased"
expect_eq "$(sql "$D" "SELECT count(*) FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE c.channel_id = $WA") $(sql "$D" "SELECT count(*) FROM webhook_event")" \
    "$MSGS $EVS" "its conversations, messages and events stay"
expect_match "$MSGS" '^[1-9]' "... (there were messages)"
expect_match "$(sql "$D" "SELECT detail FROM audit_log WHERE action = 'channel_disconnect'")" "^whatsapp $PHONE, token erased, unsubscribed at Meta$" "disconnect audit-logged"
call A POST /api/channels/$WA/subscribe
expect_match "$S $B" '^409 .*no usable token' "a disconnected channel cannot be re-subscribed: 409"
# a Meta error is reported; the local disconnect still happens
curl -s -d path=/$PG/subscribed_apps -d kind=error -d status=400 -d code=100 -d times=1 "$CTL/fault" >/dev/null
call A DELETE /api/channels/$PID
expect_eq "$S $(py 'd["unsubscribed"], d["channel"]["token_status"]' <<<"$B")" "200 False revoked" "Meta refuses the unsubscription: reported, the channel disconnected anyway"
expect_match "$(py 'd["meta_error"]' <<<"$B")" "^Meta did not unsubscribe the app" "... with Meta's refusal in words"
expect_eq "$(sql "$D" "SELECT token_sealed IS NULL FROM channel WHERE id = $PID")" 1 "... and its token erased"
curl -s -X DELETE "$CTL/fault" >/dev/null
call A POST /api/channels/whatsapp "$(form $WABA $PHONE "$TOK")"
expect_eq "$S $(py 'd["channel"]["id"], d["channel"]["token_status"]' <<<"$B")" "201 $WA valid" "connected again: the same channel, history kept"

# --- no token anywhere: every answer seen, the logs, the audit log
leaks=0
for t in "$TOK" "$TOK_ALL" "$TOK_NOMSG" "$TOK_OTHER" "$PTOK"; do
	if grep -rqF -- "$t" "$SEEN" "$D/error.log" 2>/dev/null || [ -n "$(sql "$D" "SELECT 1 FROM audit_log WHERE instr(detail, '$t') OR instr(object, '$t')")" ]; then
		leaks=$((leaks + 1)); echo "#   leaked: ${t:0:8}..."
	fi
done
expect_eq "$leaks" 0 "no token in any answer, log line or audit line"
t_done
