#!/usr/bin/env bash
# The thread and WhatsApp templates through a real lighttpd and the
# fake of Meta: a number's templates are fetched from the fake (every
# page of its cursors), cached (fetched again after template_ttl_s, or
# on refresh=1 by an admin only), scoped to the workspace, never with
# the token; a template send is checked against them (unknown,
# unapproved, wrong parameter count: 422 in words) and a good one
# reaches the fake's outbox; without a cache the fake itself refuses a
# mis-filled template like Meta (132000).  The messages API folds
# reactions (the latest of each side; unreact removes it) and unsends
# into the message they refer to, lists that message again after the
# cursor, quotes replies, gives quick-reply payloads, locations and
# echoes; search finds texts through the full-text index.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
t_tmp thread
D=$TMP/d
SANDBOX_CONF='template_ttl_s = 3' start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
CFG=$D/hubgate.conf
PW='thread owner passphrase'
sql "$D" "INSERT INTO workspace (id, name, created_at) VALUES (2, 'Other', 0)" >/dev/null
user agent@example.org agent
user admin@example.org admin
user other@example.org owner 2
G=$TMP/jar-g; A=$TMP/jar-a; O=$TMP/jar-o
CSRF_G=$(signin agent@example.org "$G")
signin admin@example.org "$A" >/dev/null
signin other@example.org "$O" >/dev/null
send() {  # JAR CSRF CONV JSON: body, then the status on the last line
	curl -s --max-time 10 -w '\n%{http_code}' -b "$1" -H "X-CSRF-Token: $2" \
	    -H "Origin: $BASE" -H 'Content-Type: application/json' \
	    --data-binary "$4" "$BASE/api/conversations/$3/messages"
}
get() { curl -s --max-time 10 -w '\n%{http_code}' -b "$1" "$BASE$2"; }
fake_outbox() { curl -s --max-time 10 "$CTL/outbox"; }
# deliver ARGS...: the fake's webhook; prints the payload it sent
deliver() {
	local a=() x
	for x in "$@"; do a+=(--data-urlencode "$x"); done
	curl -s --max-time 15 "${a[@]}" "$CTL/deliver"
}

P1=104857600000001
WA=106540352242922
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add whatsapp $WA 'Sandbox WA' >/dev/null
sql "$D" "UPDATE channel SET parent_meta_id = '102290129340398' WHERE meta_id = '$WA'" >/dev/null
curl -s "$CTL/world" >/dev/null
PT=$(curl -s -d action=issue -d kind=page -d page=$P1 "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$PT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token page $P1
WT=$(curl -s -d action=issue -d kind=user_long "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$WT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token whatsapp $WA
sqlite3 "$D/fakemeta.db" "INSERT OR REPLACE INTO subscription VALUES ('$P1', 'messages,message_echoes,message_deliveries,message_reads,message_reactions');
INSERT OR REPLACE INTO subscription VALUES ('102290129340398', 'messages')"
CH_WA=$(sql "$D" "SELECT id FROM channel WHERE meta_id = '$WA'")
CH_P=$(sql "$D" "SELECT id FROM channel WHERE meta_id = '$P1'")

# --- templates: fetched, cached, refreshed, scoped
r=$(get "$G" "/api/channels/$CH_WA/templates")
expect_eq "$(status "$r")" 200 "an agent reads the number's templates: 200"
T=$(body "$r")
expect_eq "$(echo "$T" | json 'len(j["templates"])')" 7 "every page of the fake's cursors is read (7 templates, 3 a page)"
expect_eq "$(echo "$T" | json '[t["status"] for t in j["templates"] if t["name"]=="spring_sale"]')" '["REJECTED"]' "... the rejected one says so"
expect_eq "$(echo "$T" | json '[(t["language"],t["params"],t["category"]) for t in j["templates"] if t["name"]=="order_update"]')" \
    '[["en_US", 2, "UTILITY"], ["es_ES", 2, "UTILITY"]]' "... two languages, the parameters counted from the body's {{n}}"
expect_match "$(echo "$T" | json '[t["components"] for t in j["templates"] if t["name"]=="order_update"][0]')" \
    '"type": "BODY", "text": "Hi \{\{1\}\}, your order \{\{2\}\} is ready for pickup."' "... with Meta's components"
F1=$(echo "$T" | json 'j["fetched_at"]')
[ "$F1" -gt 0 ] && ok "fetched_at is set" || not_ok "fetched_at is set ($F1)"
case "$T" in *"$WT"*) not_ok "the token never appears in the answer";; *) ok "the token never appears in the answer";; esac
expect_eq "$(sql "$D" "SELECT count(*) FROM wa_template WHERE channel_id = $CH_WA")" 7 "... cached in the database"
expect_eq "$(get "$G" "/api/channels/$CH_WA/templates" | sed '$d' | json 'j["fetched_at"]')" "$F1" "a second read comes from the cache"
expect_eq "$(status "$(get "$G" "/api/channels/$CH_WA/templates?refresh=1")")" 403 "an agent may not force a refresh: 403"
sleep 0.01
r=$(get "$A" "/api/channels/$CH_WA/templates?refresh=1")
expect_eq "$(status "$r")" 200 "an admin refreshes"
F2=$(body "$r" | json 'j["fetched_at"]')
[ "$F2" -gt "$F1" ] && ok "... fetched again" || not_ok "... fetched again ($F1 -> $F2)"
sleep 3.2
F3=$(get "$G" "/api/channels/$CH_WA/templates" | sed '$d' | json 'j["fetched_at"]')
[ "$F3" -gt "$F2" ] && ok "older than template_ttl_s: fetched again" || not_ok "older than template_ttl_s: fetched again ($F2 -> $F3)"
# Meta failing: the stored list, said to be stale.
curl -s -d path=/102290129340398/message_templates -d kind=status -d status=500 -d code=1 "$CTL/fault" >/dev/null
r=$(get "$A" "/api/channels/$CH_WA/templates?refresh=1")
curl -s -X DELETE "$CTL/fault" >/dev/null
expect_eq "$(status "$r")" 200 "Meta failing: the stored list is answered"
expect_eq "$(body "$r" | json '(j["stale"], len(j["templates"]), j["fetched_at"] == '"$F3"')')" '(True, 7, True)' "... said to be stale, as fetched before"
expect_match "$(body "$r" | json 'j["warning"]')" 'Meta did not list the templates' "... with the reason in words"
expect_eq "$(status "$(get "$O" "/api/channels/$CH_WA/templates")")" 404 "another workspace's number: 404"
expect_eq "$(status "$(get "$G" "/api/channels/$CH_P/templates")")" 422 "a Page has no templates: 422"
expect_eq "$(status "$(get "$G" "/api/channels/$CH_WA/templatesx")")" 404 "another path: 404"

# --- template sends checked against the cache
deliver platform=whatsapp age_s=90000 text=hola >/dev/null
CW=$(sql "$D" "SELECT v.id FROM conversation v JOIN channel c ON c.id = v.channel_id WHERE c.kind = 'whatsapp'")
r=$(send "$G" "$CSRF_G" "$CW" '{"template":{"name":"no_such","language":"en_US"}}')
expect_eq "$(status "$r")" 422 "an unknown template: 422"
expect_match "$(body "$r")" 'no template \\"no_such\\" in en_US' "... in words"
r=$(send "$G" "$CSRF_G" "$CW" '{"template":{"name":"hello_world","language":"es_ES"}}')
expect_eq "$(status "$r")" 422 "a known template in a language it does not have: 422"
r=$(send "$G" "$CSRF_G" "$CW" '{"template":{"name":"spring_sale","language":"en_US","components":[{"type":"body","parameters":[{"type":"text","text":"3"}]}]}}')
expect_eq "$(status "$r")" 422 "a rejected template: 422"
expect_match "$(body "$r")" 'not approved by Meta \(REJECTED\)' "... in words"
r=$(send "$G" "$CSRF_G" "$CW" '{"template":{"name":"order_update","language":"en_US","components":[{"type":"body","parameters":[{"type":"text","text":"Ana"}]}]}}')
expect_eq "$(status "$r")" 422 "a parameter missing: 422"
expect_match "$(body "$r")" 'takes 2 parameters, 1 given' "... in words"
expect_eq "$(sql "$D" "SELECT count(*) FROM outbox WHERE conversation_id = $CW")" 0 "nothing refused was queued"
r=$(send "$G" "$CSRF_G" "$CW" '{"template":{"name":"order_update","language":"es_ES","components":[{"type":"body","parameters":[{"type":"text","text":"Ana"},{"type":"text","text":"A-17"}]}]}}')
expect_eq "$(status "$r")" 202 "an approved template with its parameters: 202"
IDT=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDT" sent)" sent "... sent"
expect_match "$(fake_outbox | json 'j["data"][-1]["body"]')" '"name": "order_update", "language": \{"code": "es_ES"\}' "... it reached the fake's outbox"
expect_eq "$(get "$G" "/api/conversations/$CW/messages" | sed '$d' | json '[m["text"] for m in j["messages"] if m["kind"]=="template"][-1]')" \
    "Hola Ana, tu pedido A-17 está listo para recoger." "... and the thread shows the template's text with its parameters"
# Without a cache, the fake refuses like Meta.
sql "$D" "DELETE FROM wa_template_fetch; DELETE FROM wa_template" >/dev/null
r=$(send "$G" "$CSRF_G" "$CW" '{"template":{"name":"order_update","language":"en_US","components":[{"type":"body","parameters":[{"type":"text","text":"Ana"}]}]}}')
expect_eq "$(status "$r")" 202 "no cache: the send is queued"
IDF=$(body "$r" | json 'j["id"]')
expect_eq "$(wait_for "SELECT state FROM outbox WHERE id = $IDF" failed)" failed "... and Meta (the fake) refuses it"
expect_eq "$(sql "$D" "SELECT error_code FROM outbox WHERE id = $IDF")" 132000 "... with 132000 (parameter count)"
expect_match "$(get "$G" "/api/conversations/$CW/messages" | sed '$d' | json '[m["error"] for m in j["messages"] if m["status"]=="failed"][0]')" \
    'Number of parameters does not match' "... and the thread's message says why in words"

# --- the thread: reactions, unsends, replies, quick replies, locations
M1=$(deliver platform=messenger page=$P1 'text=<b>Cake</b> for pickup?' | json 'j["payload"]["entry"][0]["messaging"][0]["message"]["mid"]')
C1=$(sql "$D" "SELECT conversation_id FROM message WHERE meta_message_id = '$M1'")
r=$(get "$G" "/api/conversations/$C1/messages" | sed '$d')
CUR=$(echo "$r" | json 'j["next"]')
expect_eq "$(echo "$r" | json '[(m["text"],m["reactions"],m["unsent"],m["echo"],m["reply_to"]) for m in j["messages"]]')" \
    '[["<b>Cake</b> for pickup?", [], false, false, null]]' "a text: no reactions, not unsent, no echo, no reply"
deliver platform=messenger page=$P1 type=reaction mid="$M1" emoji=😍 >/dev/null
r=$(get "$G" "/api/conversations/$C1/messages?cursor=$CUR" | sed '$d')
expect_eq "$(echo "$r" | json '[(m["text"],m["reactions"]) for m in j["messages"]]')" \
    '[["<b>Cake</b> for pickup?", [{"emoji": "\ud83d\ude0d", "direction": "in"}]]]' \
    "a reaction after the cursor lists the message again, with the reaction folded in"
r=$(get "$G" "/api/conversations/$C1/messages" | sed '$d')
expect_eq "$(echo "$r" | json 'len(j["messages"])')" 1 "the reaction is not a message of its own"
deliver platform=messenger page=$P1 type=reaction mid="$M1" emoji=👍 >/dev/null
expect_eq "$(get "$G" "/api/conversations/$C1/messages" | sed '$d' | json 'j["messages"][0]["reactions"]')" \
    '[{"emoji": "\ud83d\udc4d", "direction": "in"}]' "a second reaction replaces the first"
deliver platform=messenger page=$P1 type=reaction mid="$M1" emoji= >/dev/null
expect_eq "$(get "$G" "/api/conversations/$C1/messages" | sed '$d' | json 'j["messages"][0]["reactions"]')" '[]' "unreact removes it"
M2=$(deliver platform=messenger page=$P1 type=reply mid="$M1" 'text=At 5 please' | json 'j["payload"]["entry"][0]["messaging"][0]["message"]["mid"]')
deliver platform=messenger page=$P1 type=quick_reply text=Yes payload=CONFIRM_YES >/dev/null
deliver platform=messenger page=$P1 type=location text=Shop lat=52.5 long=13.4 >/dev/null
deliver platform=messenger page=$P1 type=postback text='Get Started' payload=GET_STARTED >/dev/null
r=$(get "$G" "/api/conversations/$C1/messages" | sed '$d')
expect_eq "$(echo "$r" | json '[m["kind"] for m in j["messages"]]')" '["text", "text", "text", "location", "postback"]' "replies, quick replies, locations, postbacks in order"
expect_eq "$(echo "$r" | json 'j["messages"][1]["reply_to"]["text"]')" '<b>Cake</b> for pickup?' "a reply quotes what it answers"
expect_eq "$(echo "$r" | json 'j["messages"][1]["reply_to"]["id"] == j["messages"][0]["id"]')" true "... by its id"
expect_eq "$(echo "$r" | json 'j["messages"][2]["payload"]')" CONFIRM_YES "a quick-reply choice keeps its payload"
expect_eq "$(echo "$r" | json '(j["messages"][3]["location"]["latitude"], j["messages"][3]["location"]["longitude"], j["messages"][3]["location"]["name"])')" \
    '(52.5, 13.4, '"'"'Shop'"'"')' "a location has its coordinates"
expect_eq "$(echo "$r" | json 'j["messages"][4]["payload"]')" GET_STARTED "a postback has its payload"
CUR=$(echo "$r" | json 'j["next"]')
deliver platform=messenger page=$P1 type=unsend mid="$M2" >/dev/null
r=$(get "$G" "/api/conversations/$C1/messages?cursor=$CUR" | sed '$d')
expect_eq "$(echo "$r" | json '[(m["kind"],m["unsent"],m["text"]) for m in j["messages"]]')" '[["text", true, null]]' \
    "an unsend lists the message again, unsent, its text gone"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE meta_message_id = '$M2' AND text IS NULL AND unsent_ms > 0")" 1 "... erased in the database"
expect_eq "$(get "$G" "/api/conversations/$C1/messages" | sed '$d' | json 'len(j["messages"])')" 5 "... not a message of its own"
# An echo of a reply made in Meta's own inbox (no outbox id).
sql "$D" "INSERT INTO message (conversation_id, channel_id, meta_message_id, direction, kind, text, status, sent_ms, created_ms)
    VALUES ($C1, $CH_P, 'm_meta_inbox', 'out', 'text', 'From the Page inbox', 'sent', 9999999999999, 0)" >/dev/null
expect_eq "$(get "$G" "/api/conversations/$C1/messages" | sed '$d' | json '[m["echo"] for m in j["messages"] if m["direction"]=="out"]')" '[true]' \
    "an outbound message hubgate did not send is an echo from Meta's inbox"
# WhatsApp reactions and locations.
W1=$(deliver platform=whatsapp 'text=Is it ready?' | json 'j["payload"]["entry"][0]["changes"][0]["value"]["messages"][0]["id"]')
deliver platform=whatsapp type=reaction mid="$W1" emoji=🙏 >/dev/null
deliver platform=whatsapp type=location text=Home >/dev/null
deliver platform=whatsapp type=quick_reply text=Tomorrow payload=DAY_2 >/dev/null
deliver platform=whatsapp type=reply mid="$W1" 'text=Thanks!' >/dev/null
r=$(get "$G" "/api/conversations/$CW/messages" | sed '$d')
expect_eq "$(echo "$r" | json '[(m["text"],m["payload"]) for m in j["messages"] if m["kind"]=="interactive"]')" '[["Tomorrow", "DAY_2"]]' \
    "a WhatsApp button reply: its title and payload"
expect_eq "$(echo "$r" | json '[m["reply_to"]["text"] for m in j["messages"] if m["text"]=="Thanks!"]')" '["Is it ready?"]' \
    "a WhatsApp reply quotes what it answers"
expect_eq "$(echo "$r" | json '[m["reactions"] for m in j["messages"] if m["text"]=="Is it ready?"]')" '[[{"emoji": "\ud83d\ude4f", "direction": "in"}]]' \
    "a WhatsApp reaction is folded into its message"
expect_eq "$(echo "$r" | json '[m["location"]["name"] for m in j["messages"] if m["kind"]=="location"]')" '["Home"]' "a WhatsApp location"
expect_eq "$(status "$(curl -s -w '\n%{http_code}' -d platform=whatsapp -d type=unsend -d mid=x "$CTL/deliver")")" 400 "WhatsApp has no unsend webhook"

# --- search: names and texts (full-text index, 3 characters or more)
expect_eq "$(get "$G" "/api/conversations?q=PICKUP" | sed '$d' | json '[c["id"] for c in j["conversations"]]')" "[$C1]" "search finds a text, case-insensitive"
expect_eq "$(get "$G" "/api/conversations?q=sheena" | sed '$d' | json '[c["id"] for c in j["conversations"]]')" "[$CW]" "search finds a name"
expect_eq "$(get "$G" "/api/conversations?q=At%205" | sed '$d' | json 'len(j["conversations"])')" 0 "an unsent text is not found any more"
expect_eq "$(get "$G" "/api/conversations?q=%22%20OR%20x" | sed '$d' | json 'len(j["conversations"])')" 0 "search text is a phrase, never a query"
expect_eq "$(get "$O" "/api/conversations?q=pickup" | sed '$d' | json 'len(j["conversations"])')" 0 "another workspace finds nothing"

# --- the Channels page's messages today: since local midnight, by Meta's time
today=$(python3 -c 'import datetime; d = datetime.datetime.now().replace(hour=0, minute=0, second=0, microsecond=0); print(int(d.timestamp() * 1000))')
older=$(sql "$D" "SELECT count(*) FROM message WHERE channel_id = $CH_WA AND sent_ms < $today")
[ "$older" -gt 0 ] && ok "the number has messages from before today ($older)" || not_ok "the number has messages from before today"
expect_eq "$(get "$G" /api/channels | sed '$d' | json '[c["messages_today"] for c in j["channels"] if c["id"] == '"$CH_WA"'][0]')" \
    "$(sql "$D" "SELECT count(*) FROM message WHERE channel_id = $CH_WA AND sent_ms >= $today AND kind <> 'reaction'")" "messages_today counts only today's, either way"
expect_eq "$(get "$G" /api/channels | sed '$d' | json '[c["messages_today"] for c in j["channels"] if c["id"] == '"$CH_P"'][0]')" \
    "$(sql "$D" "SELECT count(*) FROM message WHERE channel_id = $CH_P AND sent_ms >= $today AND kind <> 'reaction'")" "... and not reactions"
[ "$(sql "$D" "SELECT count(*) FROM message WHERE channel_id = $CH_P AND kind = 'reaction'")" -gt 0 ] && ok "(the Page has reactions)" || not_ok "(the Page has reactions)"

stop_lighttpd
t_done
