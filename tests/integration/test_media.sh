#!/usr/bin/env bash
# Inbound media through a real lighttpd and the fake of Meta: an image
# delivered on Messenger, Instagram and WhatsApp is fetched in the
# background (the dashboard's fetcher thread), stored under media_dir
# and served by GET /api/media/ID with its type and the safety headers
# to the workspace's users only (404 for another workspace's, 401
# without a session); a file is served as an attachment with a safe
# name; a too-big item (by Meta's file_size, or by the download), one
# whose SHA-256 is not Meta's, or markup calling itself a PNG ends
# unavailable; a failure that may pass is retried; an unknown media id
# gives up; a pending item is 404 with its state.  Contact profiles:
# Messenger and Instagram names and pictures are fetched once, a refusal
# is recorded and not retried; WhatsApp's name comes from the webhook.
# Retention: cron/webhook-retry removes files older than
# media_retention_days, the rows stay unavailable "expired".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
t_tmp media
D=$TMP/d
SANDBOX_CONF='media_max_bytes = 1048576
instagram_app_id = 990000000000001
instagram_app_secret = test-instagram-secret-0123456789' start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
CFG=$D/hubgate.conf
PW='media agent passphrase'
# wait_sql SQL WANT: poll the database until SQL prints WANT (15 s)
wait_sql() {
	local i v
	for i in $(seq 1 75); do
		v=$(sql "$D" "$1")
		[ "$v" = "$2" ] && { echo "$v"; return 0; }
		sleep 0.2
	done
	echo "$v"
	return 1
}
sql "$D" "INSERT INTO workspace (id, name, created_at) VALUES (2, 'Other', 0)" >/dev/null
user agent@example.org agent
user other@example.org owner 2
G=$TMP/jar-g; O=$TMP/jar-o
signin agent@example.org "$G" >/dev/null
signin other@example.org "$O" >/dev/null

P1=104857600000001
IG1=17841400000000001
WA=106540352242922
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add page $P1 'Sandbox Bakery' >/dev/null
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add instagram $IG1 'Bakery IG' >/dev/null
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add whatsapp $WA 'Sandbox WA' >/dev/null
PT=$(curl -s -d action=issue -d kind=page -d page=$P1 "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$PT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token page $P1
printf '%s\n' "$PT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token instagram $IG1
WT=$(curl -s -d action=issue -d kind=user_long "$CTL/token" | json 'j["access_token"]')
printf '%s\n' "$WT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token whatsapp $WA

# deliver PLATFORM TYPE [FILE] [SENDER]: the new media row's id
deliver() {
	curl -s -d platform=$1 -d page=$P1 -d type=$2 ${3:+-d file=$3} ${4:+-d sender=$4} \
	    "$CTL/deliver" | json 'j["delivered"]' >/dev/null
	sql "$D" "SELECT max(id) FROM media WHERE message_id IS NOT NULL"
}
# check_served ID NAME: the item is served as a PNG picture, inline
check_served() {
	local h=$TMP/h.$1 b=$TMP/b.$1
	expect_eq "$(curl -s -D "$h" -o "$b" -w '%{http_code}' -b "$G" "$BASE/api/media/$1")" 200 "$2: served"
	expect_match "$(grep -i '^content-type:' "$h")" 'image/png' "... as image/png"
	expect_match "$(grep -i '^content-disposition:' "$h")" 'inline' "... inline"
	expect_match "$(grep -i '^x-content-type-options:' "$h")" 'nosniff' "... nosniff"
	expect_match "$(grep -i '^cache-control:' "$h")" 'private' "... Cache-Control private"
	expect_match "$(grep -i '^content-security-policy:' "$h")" 'sandbox' "... with a sandboxing CSP"
	expect_eq "$(head -c 4 "$b" | od -An -c | tr -d ' ')" '211PNG' "... the PNG's bytes"
	expect_eq "$(sha256sum < "$b" | cut -d' ' -f1)" "$(sql "$D" "SELECT sha256 FROM media WHERE id = $1")" \
	    "... whose SHA-256 the row holds"
	expect_eq "$(stat -c %a "$D/media/$1")" 600 "... kept as a file of mode 600 named by its id"
}

# --- an image on each platform
M1=$(deliver messenger image)
expect_eq "$(wait_sql "SELECT state FROM media WHERE id = $M1" ready)" ready "Messenger image: fetched and ready"
check_served "$M1" "Messenger image"
C1=$(sql "$D" "SELECT v.id FROM media m JOIN message g ON g.id = m.message_id JOIN conversation v ON v.id = g.conversation_id WHERE m.id = $M1")
r=$(curl -s -b "$G" "$BASE/api/conversations/$C1/messages")
expect_eq "$(echo "$r" | json 'j["messages"][-1]["attachments"][0]["state"]')" ready "the message's attachment: ready"
expect_eq "$(echo "$r" | json 'j["messages"][-1]["attachments"][0]["url"]')" "/api/media/$M1" "... with its URL"
expect_eq "$(echo "$r" | json 'j["messages"][-1]["attachments"][0]["content_type"]')" image/png "... and type"
expect_eq "$(echo "$r" | json 'j["messages"][-1]["attachments"][0]["type"]')" image "... an image"

M2=$(deliver instagram image)
expect_eq "$(wait_sql "SELECT state FROM media WHERE id = $M2" ready)" ready "Instagram image: ready"
check_served "$M2" "Instagram image"
M3=$(deliver whatsapp image)
expect_eq "$(sql "$D" "SELECT source_kind || ':' || substr(source, 1, 8) FROM media WHERE id = $M3")" "wa_id:fmm-png-" \
    "WhatsApp image: a media id to fetch"
expect_eq "$(wait_sql "SELECT state FROM media WHERE id = $M3" ready)" ready "... ready"
check_served "$M3" "WhatsApp image"
M4=$(deliver whatsapp sticker)
expect_eq "$(wait_sql "SELECT state FROM media WHERE id = $M4" ready)" ready "WhatsApp sticker: ready"

# --- a file: an attachment with a safe name
M5=$(deliver whatsapp file pdf)
expect_eq "$(wait_sql "SELECT state FROM media WHERE id = $M5" ready)" ready "WhatsApp document: ready"
h=$(curl -s -D - -o "$TMP/pdf" -b "$G" "$BASE/api/media/$M5")
expect_match "$(echo "$h" | grep -i '^content-type:')" 'application/pdf' "... served as application/pdf"
expect_match "$(echo "$h" | grep -i '^content-disposition:')" 'attachment; filename="invoice.pdf"' "... as an attachment named by its file name"
expect_match "$(head -c 5 "$TMP/pdf")" '%PDF-' "... its bytes"
M6=$(deliver messenger audio)
expect_eq "$(wait_sql "SELECT state || ':' || content_type FROM media WHERE id = $M6" ready:audio/ogg)" ready:audio/ogg \
    "Messenger audio: ready as audio/ogg"
expect_match "$(curl -s -D - -o /dev/null -b "$G" "$BASE/api/media/$M6" | grep -i '^content-disposition:')" \
    'attachment; filename="media-' "... an attachment with a made-up safe name"

# --- who may see it
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -b "$O" "$BASE/api/media/$M1")" 404 "another workspace's user: 404"
expect_eq "$(curl -s -b "$O" "$BASE/api/media/$M1" | json 'j["error"]["message"]')" "not found" "... not found, as for no such item"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -b "$G" "$BASE/api/media/999999")" 404 "no such item: 404"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -b "$G" "$BASE/api/media/abc")" 404 "not an id: 404"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/media/$M1")" 401 "nobody signed in: 401"
CSRF=$(curl -s -b "$G" "$BASE/api/session" | json 'j["csrf_token"]')
TOK=$(curl -s -b "$G" -H "X-CSRF-Token: $CSRF" -H "Origin: $BASE" -H 'Content-Type: application/json' \
    --data-binary '{"name":"crm","scope":"read"}' "$BASE/api/tokens" | json 'j["token"]')
expect_eq "$(curl -s -o "$TMP/bytok" -w '%{http_code}' -H "Authorization: Bearer $TOK" "$BASE/api/media/$M3")" 200 \
    "an API token of the workspace (read scope): 200"
expect_eq "$(sha256sum < "$TMP/bytok" | cut -d' ' -f1)" "$(sql "$D" "SELECT sha256 FROM media WHERE id = $M3")" "... the item's bytes"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer nothing-$TOK" "$BASE/api/media/$M3")" 401 \
    "a token that is no token: 401"

# --- what ends unavailable
M7=$(deliver whatsapp file big)
expect_eq "$(wait_sql "SELECT state || ':' || reason FROM media WHERE id = $M7" unavailable:too_large)" unavailable:too_large \
    "WhatsApp file over media_max_bytes (Meta's file_size): unavailable, too_large"
M8=$(deliver messenger file big)
expect_eq "$(wait_sql "SELECT state || ':' || reason FROM media WHERE id = $M8" unavailable:too_large)" unavailable:too_large \
    "Messenger file over media_max_bytes (the download): unavailable, too_large"
M9=$(deliver whatsapp image badhash)
expect_eq "$(wait_sql "SELECT state || ':' || reason FROM media WHERE id = $M9" unavailable:hash)" unavailable:hash \
    "a SHA-256 other than Meta's: unavailable, hash"
M10=$(deliver messenger image html)
expect_eq "$(wait_sql "SELECT state || ':' || reason FROM media WHERE id = $M10" unavailable:type)" unavailable:type \
    "markup calling itself a PNG: unavailable, type"
for m in $M7 $M8 $M9 $M10; do
	[ -e "$D/media/$m" ] && not_ok "no file kept for item $m" || ok "no file kept for item $m"
done
r=$(curl -s -w '\n%{http_code}' -b "$G" "$BASE/api/media/$M9")
expect_eq "$(status "$r")" 404 "an unavailable item: 404"
expect_eq "$(body "$r" | json 'j["state"]')" unavailable "... saying so"
C9=$(sql "$D" "SELECT g.conversation_id FROM media m JOIN message g ON g.id = m.message_id WHERE m.id = $M9")
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations/$C9/messages" | json '[a["state"] + ":" + str(a["url"]) for m in j["messages"] for a in m["attachments"] if a["id"] == '"$M9"'][0]')" \
    "unavailable:None" "... and the message's attachment says unavailable, without a URL"

# A failure that may pass: retried later, not given up.
curl -s -d 'path=/fmm-*' -d kind=status -d status=500 -d code=1 -d times=1 "$CTL/fault" >/dev/null
M11=$(deliver whatsapp image)
expect_eq "$(wait_sql "SELECT state || ':' || attempts || ':' || reason FROM media WHERE id = $M11" pending:1:failed)" pending:1:failed \
    "Meta answering 500: still pending after one attempt"
expect_eq "$(sql "$D" "SELECT next_attempt_ms > (strftime('%s','now') * 1000) FROM media WHERE id = $M11")" 1 "... due again later (backoff)"
r=$(curl -s -w '\n%{http_code}' -b "$G" "$BASE/api/media/$M11")
expect_eq "$(status "$r")" 404 "a pending item: 404"
expect_eq "$(body "$r" | json 'j["state"]')" pending "... saying pending"
expect_eq "$(wait_sql "SELECT state FROM media WHERE id = $M11" ready)" ready "... and ready on the retry"
# An id Meta does not know: given up at once.
sql "$D" "INSERT INTO media (workspace_id, channel_id, message_id, source, source_kind, type, next_attempt_ms, created_ms)
    SELECT 1, channel_id, id, 'fmm-nothing-1', 'wa_id', 'image', 0, 0 FROM message WHERE id = (SELECT message_id FROM media WHERE id = $M3)" >/dev/null
M12=$(sql "$D" "SELECT max(id) FROM media")
expect_eq "$(wait_sql "SELECT state || ':' || reason FROM media WHERE id = $M12" unavailable:gone)" unavailable:gone \
    "a media id Meta refuses: unavailable at once"

# --- contact profiles
K1=$(sql "$D" "SELECT k.id FROM contact k JOIN channel c ON c.id = k.channel_id WHERE c.kind = 'page'")
expect_eq "$(wait_sql "SELECT name FROM contact WHERE id = $K1" 'Pat Messenger')" 'Pat Messenger' "Messenger contact: name from the profile"
PIC=$(wait_sql "SELECT m.state FROM contact k JOIN media m ON m.id = k.picture_media_id WHERE k.id = $K1" ready)
expect_eq "$PIC" ready "... and the picture fetched"
PID=$(sql "$D" "SELECT picture_media_id FROM contact WHERE id = $K1")
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations" | json '[c["contact"]["picture"] for c in j["conversations"] if c["contact"]["id"] == '"$K1"'][0]')" \
    "/api/media/$PID" "the conversation's contact: picture /api/media/ID"
check_served "$PID" "the profile picture"
K2=$(sql "$D" "SELECT k.id FROM contact k JOIN channel c ON c.id = k.channel_id WHERE c.kind = 'instagram'")
expect_eq "$(wait_sql "SELECT name FROM contact WHERE id = $K2" 'Robin Insta')" 'Robin Insta' "Instagram contact: name from the profile"
# An account connected by Instagram Login: its host and token.
IGL=17841400000000901
IGT=IGQWfake-instagram-login-token-0123456789
sqlite3 -cmd '.timeout 5000' "$D/fakemeta.db" "INSERT INTO token (token, kind, user_id, scopes, issued_at, expires_at)
    VALUES ('$IGT', 'ig_long', '$IGL', 'instagram_business_basic,instagram_business_manage_messages', 0, 4000000000)"
HUBGATE_CONFIG=$CFG "$ADMIN" channel-add instagram $IGL 'Studio IG' >/dev/null
printf '%s\n' "$IGT" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token instagram $IGL
sql "$D" "UPDATE channel SET token_kind = 'instagram_login' WHERE meta_id = '$IGL';
    INSERT INTO contact (workspace_id, channel_id, meta_user_id, first_seen_at, last_seen_at)
    SELECT 1, id, '5300000000000901', 0, 0 FROM channel WHERE meta_id = '$IGL'" >/dev/null
K5=$(sql "$D" "SELECT id FROM contact WHERE meta_user_id = '5300000000000901'")
expect_eq "$(wait_sql "SELECT name FROM contact WHERE id = $K5" 'Robin Insta')" 'Robin Insta' \
    "Instagram Login contact: name from graph.instagram.com's profile"
expect_match "$(grep 'media.profile contact='"$K5" "$D/error.log" | head -1)" 'class=ok' "... fetched once, with success"
grep -q "_instagram/graph/v[0-9.]*/5300000000000901" "$D/error.log" && ok "... from the Instagram host" ||
    not_ok "... from the Instagram host"
K3=$(sql "$D" "SELECT k.id FROM contact k JOIN channel c ON c.id = k.channel_id WHERE c.kind = 'whatsapp'")
expect_eq "$(sql "$D" "SELECT name || ':' || coalesce(profile_fetched_ms, 'never') FROM contact WHERE id = $K3")" "Sheena Nelson:never" \
    "WhatsApp contact: the webhook's profile name, never fetched"
expect_eq "$(curl -s -b "$G" "$BASE/api/conversations" | json '[c["contact"]["picture"] for c in j["conversations"] if c["contact"]["id"] == '"$K3"'][0]')" \
    "null" "... no picture: null"
# A refusal (Meta's consent error) is recorded and not retried.
curl -s -d path=/7300000000000077 -d kind=error -d status=400 -d code=230 "$CTL/fault" >/dev/null
curl -s -d platform=messenger -d page=$P1 -d sender=7300000000000077 -d 'text=hi' "$CTL/deliver" >/dev/null
K4=$(sql "$D" "SELECT id FROM contact WHERE meta_user_id = '7300000000000077'")
expect_eq "$(wait_sql "SELECT profile_error IS NOT NULL FROM contact WHERE id = $K4" 1)" 1 "a refused profile: the error recorded"
T4=$(sql "$D" "SELECT profile_fetched_ms FROM contact WHERE id = $K4")
sleep 4
expect_eq "$(sql "$D" "SELECT profile_fetched_ms FROM contact WHERE id = $K4")" "$T4" "... and not tried again"
expect_eq "$(sql "$D" "SELECT name FROM contact WHERE id = $K4")" "" "... the name stays empty"

# --- an unsent message's media: no longer kept nor served
M9=$(deliver messenger image)
expect_eq "$(wait_sql "SELECT state FROM media WHERE id = $M9" ready)" ready "an image to be unsent: ready"
[ -e "$D/media/$M9" ] && ok "... its file stored" || not_ok "... its file stored"
MID9=$(sql "$D" "SELECT meta_message_id FROM message WHERE id = (SELECT message_id FROM media WHERE id = $M9)")
curl -s -d platform=messenger -d page=$P1 -d type=unsend -d mid="$MID9" "$CTL/deliver" >/dev/null
expect_eq "$(wait_sql "SELECT count(*) FROM media WHERE id = $M9" 0)" 0 "unsent: its media row deleted"
expect_eq "$(sql "$D" "SELECT coalesce(attachments, 'none') FROM message WHERE meta_message_id = '$MID9'")" none \
    "... and the attachments Meta named"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -b "$G" "$BASE/api/media/$M9")" 404 "... no longer served"
HUBGATE_CONFIG=$CFG "$HUBGATE_BUILD/cron/webhook-retry" >/dev/null
[ -e "$D/media/$M9" ] && not_ok "... its file removed by webhook-retry" || ok "... its file removed by webhook-retry"

# --- retention
sql "$D" "UPDATE media SET fetched_ms = fetched_ms - 91 * 86400000 WHERE id = $M1" >/dev/null
out=$(HUBGATE_CONFIG=$CFG "$HUBGATE_BUILD/cron/webhook-retry")
expect_match "$out" 'media_expired=1' "webhook-retry: one file past media_retention_days"
[ -e "$D/media/$M1" ] && not_ok "... its file removed" || ok "... its file removed"
expect_eq "$(sql "$D" "SELECT state || ':' || reason FROM media WHERE id = $M1")" unavailable:expired "... the row kept, unavailable expired"
[ -e "$D/media/$M2" ] && ok "... a newer one kept" || not_ok "... a newer one kept"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -b "$G" "$BASE/api/media/$M1")" 404 "... and no longer served"

# --- a person's data erased: the files of their media go too
K1U=$(sql "$D" "SELECT meta_user_id FROM contact WHERE id = $K1")
EF=$(sql "$D" "SELECT count(*) FROM media m JOIN message g ON g.id = m.message_id JOIN conversation v ON v.id = g.conversation_id WHERE v.contact_id = $K1 AND m.state = 'ready'")
[ "$EF" -gt 0 ] && ok "the Messenger person has stored media ($EF)" || not_ok "the Messenger person has stored media"
[ -e "$D/media/$PID" ] && ok "... and a stored picture" || not_ok "... and a stored picture"
sql "$D" "PRAGMA foreign_keys = ON; DELETE FROM message WHERE conversation_id IN (SELECT id FROM conversation WHERE contact_id = $K1);
    DELETE FROM conversation WHERE contact_id = $K1; DELETE FROM contact WHERE id = $K1" >/dev/null
expect_eq "$(sql "$D" "SELECT count(*) FROM media WHERE contact_id = $K1 OR id = $PID")" 0 "erasing the person deletes their media rows"
out=$(HUBGATE_CONFIG=$CFG "$HUBGATE_BUILD/cron/webhook-retry")
[ -e "$D/media/$PID" ] && not_ok "... and webhook-retry removes their files" || ok "... and webhook-retry removes their files"
expect_eq "$(sql "$D" "SELECT count(*) FROM media_gone")" 0 "... leaving nothing to do"
[ -e "$D/media/$M2" ] && ok "... another person's file stays" || not_ok "... another person's file stays"

# --- Meta says the number's token is dead while fetching media: as after
# a send's 190, the number's sends pause and its token is checked next
curl -s -d 'path=/fmm-*' -d kind=invalid "$CTL/fault" >/dev/null
M10=$(deliver whatsapp image)
expect_eq "$(wait_sql "SELECT token_status FROM channel WHERE meta_id = '$WA'" invalid)" invalid \
    "a 190 on GET /<media-id>: the number's token is marked invalid (its sends pause)"
expect_eq "$(sql "$D" "SELECT state FROM media WHERE id = $M10")" pending "... the item waits for a retry"
curl -s -X DELETE "$CTL/fault" >/dev/null

# --- nothing secret in the logs
if grep -qF "$PT" "$D/error.log" || grep -qF "$WT" "$D/error.log" || grep -qF "$IGT" "$D/error.log"; then
	not_ok "no token in the server's log"
else
	ok "no token in the server's log"
fi
t_done
