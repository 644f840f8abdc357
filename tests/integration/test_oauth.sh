#!/usr/bin/env bash
# Connecting accounts through a real lighttpd and the fake of Meta:
# /oauth/login's redirect, every way a Login state is refused (missing,
# malformed, tampered, expired, replayed, another session's), Cancel,
# failed code exchanges (Meta's words shown, never retried), the
# picker over all 30 Pages (three result pages), declined permissions,
# channels connected with sealed tokens and a read-back subscription,
# a channel of another workspace refused, Meta's signed callbacks
# (deauthorize, data deletion and its status page), and that no token
# appears in any answer, page or log line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
t_tmp oauth
D=$TMP/d
IG_SECRET=test-instagram-secret-0123456789
SANDBOX_CONF="instagram_app_id = 990000000000001
instagram_app_secret = $IG_SECRET"
start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
SEEN=$TMP/seen	# every answer body and header the tests saw
mkdir -p "$SEEN"
n=0
# get URL [curl args]: the body in $B, headers in $H, status in $S;
# body and headers kept in $SEEN.
get() {
	local url=$1; shift
	n=$((n + 1))
	S=$(curl -s -o "$SEEN/b$n" -D "$SEEN/h$n" -w '%{http_code}' --max-time 20 "$@" "$url")
	H=$(tr -d '\r' < "$SEEN/h$n")
	B=$(cat "$SEEN/b$n")
}
PW='oauth owner passphrase'
user own@example.org owner
user agent@example.org agent
sql "$D" "INSERT INTO workspace (id, name, created_at) VALUES (2, 'Other', 0)" >/dev/null
user other@example.org owner 2
A=$TMP/jar-a; G=$TMP/jar-g; O=$TMP/jar-o
CSRF_A=$(signin own@example.org "$A")
signin agent@example.org "$G" >/dev/null
CSRF_O=$(signin other@example.org "$O")
expect_match "$CSRF_A" '^[A-Za-z0-9_-]{20,}$' "the admin signs in"

# --- /oauth/login
get "$BASE/oauth/login?platform=facebook" >/dev/null
expect_eq "$S" 302 "not signed in: a browser is sent to sign in"
expect_match "$H" $'\n''Location: /login.html\?next=channels.html' "... to the sign-in page"
get "$BASE/oauth/login?platform=facebook" -H 'Accept: application/json' >/dev/null
expect_eq "$S" 401 "not signed in: an API client gets 401"
get "$BASE/oauth/login?platform=facebook" -b "$G" >/dev/null
expect_eq "$S" 403 "an agent may not connect accounts"
get "$BASE/oauth/login?platform=myspace" -b "$A" >/dev/null
expect_eq "$S" 400 "an unknown platform: 400"
get "$BASE/oauth/login?platform=facebook" -b "$A" >/dev/null
expect_eq "$S" 302 "an admin is sent to Meta's dialog"
LOC=$(printf '%s' "$H" | sed -n 's/^Location: //p')
expect_match "$LOC" "^$META/v24\\.0/dialog/oauth\\?client_id=$SANDBOX_APP_ID&redirect_uri=http%3A%2F%2F127\\.0\\.0\\.1%3A$PORT%2Foauth%2Fcallback&state=[A-Za-z0-9_.-]+&response_type=code&scope=pages_show_list%2Cpages_messaging%2Cpages_manage_metadata%2Cinstagram_basic%2Cinstagram_manage_messages$" \
    "the dialog URL: app id, exact redirect_uri, state, the scopes"
expect_match "$H" $'\n''Content-Security-Policy: default-src' "with the security headers"
qs() { python3 -c 'import sys,urllib.parse as u;q=u.parse_qs(u.urlsplit(sys.argv[1]).query);print(q.get(sys.argv[2],[""])[0])' "$1" "$2"; }
enc() { python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$1"; }

# login JAR: a fresh state from /oauth/login for that session
login() {
	local loc
	loc=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$1" "$BASE/oauth/login?platform=facebook${2:+&products=$2}")
	qs "$loc" state
}
# dialog STATE [curl args]: Continue on the fake's dialog; prints the
# callback URL it redirects to (without Meta's #_=_)
dialog() {
	local st=$1; shift
	curl -s -o /dev/null -w '%{redirect_url}' -d client_id=$SANDBOX_APP_ID \
	    --data-urlencode "redirect_uri=$BASE/oauth/callback" --data-urlencode "state=$st" \
	    -d scope=pages_show_list,pages_messaging,pages_manage_metadata,instagram_basic,instagram_manage_messages \
	    -d decision=continue "$@" "$META/v24.0/dialog/oauth/confirm" | sed 's/#_=_$//'
}
page=$(curl -s "$LOC")
expect_match "$page" 'Sandy Sandbox' "the fake's consent page opens from the redirect"
expect_match "$page" 'name="decline_pages_messaging"' "... with a way to decline each permission"

# --- refused states: 400, nothing stored, audit-logged
logins() { sql "$D" "SELECT count(*) FROM meta_login"; }
ST=$(login "$A")
CB=$(dialog "$ST")
CODE=$(qs "$CB" code)
expect_match "$CODE" '^AQ' "the dialog gives a code"
get "$BASE/oauth/callback?code=$CODE" -b "$A" >/dev/null
expect_eq "$S" 400 "a missing state: 400"
get "$BASE/oauth/callback?code=$CODE&state=abc" -b "$A" >/dev/null
expect_eq "$S" 400 "a malformed state: 400"
tampered=$(python3 -c 'import sys;s=sys.argv[1];p=s.split(".");p[1]=str(int(p[1])+1);print(".".join(p))' "$ST")
get "$BASE/oauth/callback?code=$CODE&state=$(enc "$tampered")" -b "$A" >/dev/null
expect_eq "$S" 400 "a tampered state (its time changed): 400"
get "$BASE/oauth/callback?code=$CODE&state=$(enc "$ST")" -b "$O" >/dev/null
expect_eq "$S" 400 "another session's state: 400"
get "$BASE/oauth/callback?code=$CODE&state=$(enc "$ST")" >/dev/null
expect_eq "$S" 400 "a state without a session: 400"
expect_eq "$(logins)" 0 "nothing stored after refused states"
expect_eq "$(sql "$D" "SELECT count(*) FROM oauth_nonce")" 0 "no nonce used by refused states"
expect_match "$(sql "$D" "SELECT group_concat(detail, ' ') FROM audit_log WHERE action = 'oauth_state_refused'")" \
    '^missing malformed tampered other_session other_session$' "each refusal is audit-logged with its reason"

# --- success: the picker over every Page
get "$BASE/oauth/callback?code=$CODE&state=$(enc "$ST")" -b "$A"; body=$B
expect_eq "$S" 200 "the callback shows the picker"
expect_eq "$(grep -o 'name="page" value="[0-9]*"' <<<"$body" | sort -u | wc -l)" 30 "all 30 Pages are listed (three result pages of 12)"
expect_eq "$(grep -o 'name="instagram" value="[0-9]*"' <<<"$body" | sort -u | wc -l)" 10 "with their 10 Instagram accounts"
expect_match "$H" $'\n''Content-Security-Policy: default-src .self.; script-src .self.' "the picker has a strict CSP"
[[ $body == *"<script"* ]] && not_ok "the picker has no script" || ok "the picker has no script"
expect_eq "$(logins)" 1 "the Login is kept (meta_login)"
expect_eq "$(sql "$D" "SELECT meta_user_id || '|' || name || '|' || status || '|' || (token_expires_at > strftime('%s','now') + 86400 * 59) || '|' || (data_access_expires_at > 0) FROM meta_login")" \
    "100000000000001|Sandy Sandbox|valid|1|1" "... with the user id, name, a 60-day token and the data-access expiry"
expect_eq "$(sql "$D" "SELECT scopes FROM meta_login")" \
    "pages_show_list,pages_messaging,pages_manage_metadata,instagram_basic,instagram_manage_messages" "... and the scopes debug_token granted"
expect_eq "$(sql "$D" "SELECT typeof(token_sealed) || length(token_sealed) > 'blob80' FROM meta_login")" 1 "... its token sealed"
get "$BASE/oauth/callback?code=$CODE&state=$(enc "$ST")" -b "$A" >/dev/null
expect_eq "$S" 400 "the same state again (replayed): 400"
PICK=$(sed -n 's/.*name="pick" value="\([^"]*\)".*/\1/p' <<<"$body")
FCSRF=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' <<<"$body")
expect_match "$PICK" '^[A-Za-z0-9_-]{43}$' "the picker's one-time id"
expect_eq "$(sql "$D" "SELECT count(*) FROM oauth_pick WHERE id = '$(printf %s "$PICK" | sha256sum | cut -d' ' -f1)'")" 1 "only its hash is stored"

# A Page connected to workspace 2 first: refused for workspace 1.
P1=104857600000001 P2=104857600000002 P3=104857600000003 IG1=$(curl -s "$CTL/world" | json 'j["pages"][0]["instagram_id"]')
sql "$D" "INSERT INTO channel (workspace_id, kind, meta_id, name, created_at, updated_at) VALUES (2, 'page', '$P3', 'Taken', 0, 0)" >/dev/null
get "$BASE/oauth/connect" -b "$A" -H "Origin: $BASE" -d "pick=$PICK" -d "csrf=wrong" -d page=$P1 >/dev/null
expect_eq "$S" 403 "connect without the session's CSRF token: 403"
get "$BASE/oauth/connect" -b "$A" -d "pick=$PICK" -d "csrf=$FCSRF" -d page=$P1 >/dev/null
expect_eq "$S" 403 "connect from no origin: 403"
get "$BASE/oauth/connect" -b "$A" -H "Origin: $BASE" -d "pick=$PICK" -d "csrf=$FCSRF" \
    -d page=$P1 -d page=$P2 -d page=$P3 -d instagram=$IG1; res=$B
expect_eq "$S" 200 "connect answers the result page"
expect_match "$res" "Page Sandbox Bakery \\(<code>$P1</code>\\): connected" "Page 1 connected"
expect_match "$res" "\\(<code>$P3</code>\\): not connected: it is connected to another workspace" "a Page of another workspace is refused"
[[ $res == *Other* ]] && not_ok "the other workspace is not named" || ok "the other workspace is not named"
expect_eq "$(sqlite3 "$D/fakemeta.db" "SELECT count(*) FROM subscription WHERE object_id = '$P3'") $(sqlite3 "$D/fakemeta.db" "SELECT count(*) FROM subscription WHERE object_id = '$P1'")" "0 1" \
    "... and Meta is not asked to subscribe it"
expect_eq "$(sql "$D" "SELECT group_concat(kind || ':' || meta_id || ':' || workspace_id || ':' || token_status || ':' || token_kind, ' ') FROM (SELECT * FROM channel ORDER BY id)")" \
    "page:$P3:2:none:none page:$P1:1:valid:page instagram:$IG1:1:valid:page page:$P2:1:valid:page" "the chosen channels exist, with their token state and kind"
expect_eq "$(sql "$D" "SELECT subscribed_fields FROM channel WHERE meta_id = '$P1'")" \
    "messages,messaging_postbacks,message_deliveries,message_reads,message_echoes,messaging_handovers,standby,message_reactions,feed" \
    "the subscription is read back from Meta and stored"
expect_eq "$(sql "$D" "SELECT parent_meta_id FROM channel WHERE meta_id = '$IG1'")" "$P1" "the Instagram account's Page"
expect_eq "$(sql "$D" "SELECT count(*) FROM channel WHERE token_sealed IS NOT NULL AND meta_login_id = (SELECT id FROM meta_login)")" 3 "their tokens are sealed and tied to the Login"
get "$BASE/oauth/connect" -b "$A" -H "Origin: $BASE" -d "pick=$PICK" -d "csrf=$FCSRF" -d page=$P1 >/dev/null
expect_eq "$S" 400 "the picker's id is good once"
# A session that switched workspace after the Login cannot connect there.
ST=$(login "$A")
get "$(dialog "$ST")" -b "$A"; body=$B
PICK=$(sed -n 's/.*name="pick" value="\([^"]*\)".*/\1/p' <<<"$body")
sql "$D" "INSERT INTO membership (workspace_id, user_id, role, created_at) SELECT 2, id, 'owner', 0 FROM user WHERE email = 'own@example.org'" >/dev/null
sql "$D" "UPDATE session SET workspace_id = 2 WHERE workspace_id = 1 AND user_id = (SELECT id FROM user WHERE email = 'own@example.org')" >/dev/null
chans=$(sql "$D" "SELECT count(*) FROM channel")
get "$BASE/oauth/connect" -b "$A" -H "Origin: $BASE" -d "pick=$PICK" -d "csrf=$FCSRF" -d page=104857600000004 >/dev/null
expect_eq "$S" 403 "connect after switching workspace: 403"
expect_eq "$(sql "$D" "SELECT count(*) FROM channel")" "$chans" "... nothing connected"
sql "$D" "UPDATE session SET workspace_id = 1 WHERE user_id = (SELECT id FROM user WHERE email = 'own@example.org')" >/dev/null
sql "$D" "DELETE FROM membership WHERE workspace_id = 2 AND user_id = (SELECT id FROM user WHERE email = 'own@example.org')" >/dev/null

# --- Cancel, declined permissions, failed exchanges
ST=$(login "$A")
CB=$(curl -s -o /dev/null -w '%{redirect_url}' -d client_id=$SANDBOX_APP_ID --data-urlencode "redirect_uri=$BASE/oauth/callback" \
    --data-urlencode "state=$ST" -d decision=cancel "$META/v24.0/dialog/oauth/confirm" | sed 's/#_=_$//')
get "$CB" -b "$A"; body=$B
expect_eq "$S" 200 "Cancel: a friendly page"
expect_match "$body" 'You cancelled the Facebook Login: nothing was connected' "... saying nothing was connected"
expect_match "$body" 'href="/channels.html"' "... with the way back to the channels"
ST=$(login "$A")
CB=$(dialog "$ST" -d decline_pages_messaging=1 -d decline_instagram_manage_messages=1)
get "$CB" -b "$A"; body=$B
expect_eq "$S" 200 "a Login with declined permissions still shows the picker"
expect_match "$body" '<code>pages_messaging</code>: Messenger conversations cannot be read or answered' "declined permissions are listed with what will not work"
expect_match "$body" '<code>instagram_manage_messages</code>: Instagram messages' "... each of them"
expect_eq "$(sql "$D" "SELECT declined FROM meta_login")" "pages_messaging,instagram_manage_messages" "the Login records them"
ST=$(login "$A")
CB=$(dialog "$ST")
CODE=$(qs "$CB" code)
curl -s "$META/v24.0/oauth/access_token?client_id=$SANDBOX_APP_ID&client_secret=$TEST_SECRET&redirect_uri=$(enc "$BASE/oauth/callback")&code=$CODE" >/dev/null
before=$(curl -s "$CTL/outbox" | wc -c)
get "$CB" -b "$A"; body=$B
expect_eq "$S" 502 "a code used already: the exchange fails"
expect_match "$body" 'Meta says: This login link was already used' "... with Meta's error_user_msg"
ST=$(login "$A")
CB=$(dialog "$ST")
curl -s -d path=/oauth/access_token -d kind=error -d code=100 -d subcode=36007 -d times=1 "$CTL/fault" >/dev/null
get "$CB" -b "$A"; body=$B
expect_eq "$S" 502 "an expired code: the exchange fails"
expect_match "$body" 'This login link has expired' "... with Meta's words"
expect_eq "$(grep -c 'oauth.code_failed' "$D/error.log")" 2 "each failed exchange is one attempt (never retried)"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'oauth_exchange_failed'")" 2 "... and audit-logged"
# Every Graph call is counted by the class of its answer, for /metrics.
expect_match "$(sql "$D" "SELECT value FROM counter WHERE name = 'graph.ok'")" '^[1-9][0-9]+$' "the Logins' Graph calls are counted (ok)"
expect_eq "$(sql "$D" "SELECT value FROM counter WHERE name = 'graph.permanent'")" 2 "... and the two failed exchanges (permanent)"
m=$(curl -s "$BASE/metrics")
expect_match "$m" $'\nhubgate_graph_calls_total\\{class="permanent"\\} 2\n' "/metrics shows them by class"

# --- Meta's callbacks
r=$(curl -s -d user_id=100000000000001 "$CTL/deauthorize")
expect_eq "$(json 'j["status"]' <<<"$r")" 200 "deauthorize: a good signed_request is accepted"
expect_eq "$(sql "$D" "SELECT status || ':' || (token_sealed IS NULL) FROM meta_login")" "revoked:1" "the Login is revoked and its token erased"
expect_eq "$(sql "$D" "SELECT group_concat(token_status, ',') FROM channel WHERE workspace_id = 1")" "revoked,revoked,revoked" "its channels are revoked"
expect_eq "$(sql "$D" "SELECT token_status FROM channel WHERE workspace_id = 2")" "none" "another workspace's channel is untouched"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'meta_deauthorized' AND object = '***0001'")" 1 "deauthorize is audit-logged, the id masked"
sr() {  # PAYLOAD SECRET: a signed_request
	python3 -c 'import sys,hmac,hashlib,base64
b=lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
p=b(sys.argv[1].encode())
print(b(hmac.new(sys.argv[2].encode(), p.encode(), hashlib.sha256).digest()) + "." + p)' "$1" "$2"
}
NOW=$(date +%s)
GOODP='{"algorithm":"HMAC-SHA256","issued_at":'$NOW',"user_id":"7300000000000001"}'
for path in deauthorize data-deletion; do
	get "$BASE/oauth/$path" --data-urlencode "signed_request=$(sr "$GOODP" wrong-secret)" >/dev/null
	expect_eq "$S" 400 "$path: a bad signature: 400"
	get "$BASE/oauth/$path" --data-urlencode "signed_request=$(sr '{"algorithm":"HMAC-SHA1","user_id":"1"}' "$TEST_SECRET")" >/dev/null
	expect_eq "$S" 400 "$path: another algorithm: 400"
	get "$BASE/oauth/$path" --data-urlencode "signed_request=$(sr "{\"algorithm\":\"HMAC-SHA256\",\"user_id\":\"1\",\"x\":\"$(head -c 5000 /dev/zero | tr '\0' a)\"}" "$TEST_SECRET")" >/dev/null
	expect_eq "$S" 400 "$path: an oversized signed_request: 400"
	get "$BASE/oauth/$path" -d signed_request=nodot >/dev/null
	expect_eq "$S" 400 "$path: a malformed one: 400"
	get "$BASE/oauth/$path" --data-urlencode "signed_request=$(sr '{"algorithm":"HMAC-SHA256","issued_at":'$((NOW - 3700))',"user_id":"7300000000000001"}' "$TEST_SECRET")"
	expect_eq "$S" 400 "$path: one issued more than an hour ago: 400"
	expect_match "$B" 'stale' "... as stale"
	get "$BASE/oauth/$path" --data-urlencode "signed_request=$(sr '{"algorithm":"HMAC-SHA256","issued_at":'$((NOW + 900))',"user_id":"7300000000000001"}' "$TEST_SECRET")" >/dev/null
	expect_eq "$S" 400 "$path: one issued in the future: 400"
	get "$BASE/oauth/$path" --data-urlencode "signed_request=$(sr '{"algorithm":"HMAC-SHA256","user_id":"7300000000000001"}' "$TEST_SECRET")" >/dev/null
	expect_eq "$S" 400 "$path: one without issued_at: 400"
done
expect_eq "$(sql "$D" "SELECT count(*) FROM deletion_request")" 0 "no refused request erased anything"
get "$BASE/oauth/deauthorize" --data-urlencode "signed_request=$(sr "$GOODP" "$TEST_SECRET2")"
expect_eq "$S" 200 "a signed_request under the second (rotated) app secret is accepted"
expect_match "$(grep -c 'refused=bad_signature' "$D/error.log")" '^[2-9]' "bad ones are logged"
# The Instagram app's secret revokes Instagram Logins only.
sql "$D" "INSERT INTO meta_login (workspace_id, platform, meta_user_id, token_sealed, created_at, updated_at) VALUES
    (1, 'facebook', '7300000000000009', x'00', 0, 0), (1, 'instagram', '7300000000000009', x'00', 0, 0)" >/dev/null
get "$BASE/oauth/deauthorize" --data-urlencode "signed_request=$(sr '{"algorithm":"HMAC-SHA256","issued_at":'$NOW',"user_id":"7300000000000009"}' "$IG_SECRET")" >/dev/null
expect_eq "$S" 200 "deauthorize signed with the Instagram app secret: accepted"
expect_eq "$(sql "$D" "SELECT group_concat(platform || ':' || status, ' ') FROM (SELECT * FROM meta_login WHERE meta_user_id = '7300000000000009' ORDER BY platform)")" \
    "facebook:valid instagram:revoked" "... it revokes the Instagram Login, not the Facebook one of the same id"
sql "$D" "DELETE FROM meta_login WHERE meta_user_id = '7300000000000009'" >/dev/null
# A contact with a conversation and a message, and the raw event naming them.
sign_post() { post "$1"; }
expect_eq "$(post "$PAYLOADS/messenger-text.json")" 200 "a message from a person arrives"
PSID=$(json 'j["entry"][0]["messaging"][0]["sender"]["id"]' < "$PAYLOADS/messenger-text.json")
for _ in $(seq 1 50); do [ "$(sql "$D" "SELECT count(*) FROM message")" -ge 1 ] && break; sleep 0.1; done
expect_eq "$(sql "$D" "SELECT count(*) FROM contact WHERE meta_user_id = '$PSID'")" 1 "they are a contact"
# A batch of two people's messages; a pending event and 20,000 others.
OTHER=7399999999999999
python3 - "$PAYLOADS/messenger-text.json" "$PSID" "$OTHER" > "$TMP/batch.json" <<'PY'
import json, sys, copy
j = json.load(open(sys.argv[1]))
m = copy.deepcopy(j["entry"][0]["messaging"][0])
m["sender"]["id"] = sys.argv[3]
m["message"]["mid"] = "m_other_person"
m["message"]["text"] = "the other person's words"
j["entry"][0]["messaging"][0]["message"]["mid"] = "m_erased_person"
j["entry"][0]["messaging"].append(m)
print(json.dumps(j))
PY
expect_eq "$(post "$TMP/batch.json")" 200 "a batch from them and another person arrives"
for _ in $(seq 1 50); do [ "$(sql "$D" "SELECT count(*) FROM message")" -ge 3 ] && break; sleep 0.1; done
sql "$D" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
    INSERT INTO webhook_event (received_ms, body, body_sha256, signature, object, state)
    SELECT i, '{\"object\":\"page\",\"entry\":[{\"id\":\"1\",\"messaging\":[{\"sender\":{\"id\":\"' ||
    CASE WHEN i % 2000 = 0 THEN '$PSID' ELSE '$OTHER' END || '\"}}]}]}' || printf('%*s', 2000, ''),
    lower(hex(randomblob(32))), 'sha256=0', 'page', 'processed' FROM n" >/dev/null
events_before=$(sql "$D" "SELECT count(*) FROM webhook_event")
DEL_SR=$(sr "{\"algorithm\":\"HMAC-SHA256\",\"issued_at\":$NOW,\"user_id\":\"$PSID\"}" "$TEST_SECRET")
# The deletion runs while webhooks keep arriving: each answers 200 fast.
curl -s -o "$SEEN/del1" --max-time 60 --data-urlencode "signed_request=$DEL_SR" "$BASE/oauth/data-deletion" &
delpid=$!
slow=0 bad=0
for i in 1 2 3 4 5; do
	python3 -c 'import json,sys;j=json.load(open(sys.argv[1]));m=j["entry"][0]["messaging"];del m[0];m[0]["message"]["mid"]="m_during_"+sys.argv[2];print(json.dumps(j))' "$TMP/batch.json" "$i" > "$TMP/during.json"
	t0=$(date +%s%N)
	[ "$(post "$TMP/during.json")" = 200 ] || bad=$((bad + 1))
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 2000 ] || slow=$((slow + 1))
done
wait "$delpid"
expect_eq "$bad:$slow" "0:0" "webhooks posted during the deletion are stored (200) within 2 s"
r=$(cat "$SEEN/del1")
URL=$(json 'j["url"]' <<<"$r"); CONF_CODE=$(json 'j["confirmation_code"]' <<<"$r")
expect_match "$URL" "^$BASE/oauth/deletion-status\\?code=$CONF_CODE\$" "data deletion answers the status URL and the confirmation code"
for _ in $(seq 1 50); do [ "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE state IN ('pending','processing')")" = 0 ] && break; sleep 0.1; done
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event")" "$((events_before + 5))" "no raw event was deleted"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE instr(body, '\"$PSID\"')")" 0 \
    "no stored event names the person any more"
expect_eq "$(sql "$D" "SELECT count(*) FROM webhook_event WHERE instr(body, 'the other person''s words')")" 6 \
    "... the other person's entries in the same deliveries are kept"
expect_eq "$(sql "$D" "SELECT count(*) FROM message WHERE meta_message_id = 'm_other_person'")" 1 "... and their message"
expect_eq "$(sql "$D" "SELECT count(*) FROM contact WHERE meta_user_id = '$PSID'") $(sql "$D" "SELECT count(*) FROM message WHERE meta_message_id = 'm_erased_person' OR meta_message_id = '$(json 'j["entry"][0]["messaging"][0]["message"]["mid"]' < "$PAYLOADS/messenger-text.json")'")" "0 0" \
    "their contact row and messages are gone"
get "$URL"; page=$B
expect_eq "$S" 200 "the status page answers"
expect_match "$page" "hubgate erased what it held about this person: 0 Facebook or Instagram logins and 0 channel tokens derived from them; as a contact: 1 contact record, 1 conversation, [0-9]+ messages?; 12 raw webhook events naming the person, from which 12 entries about the person were removed \\(entries about other people in the same deliveries were kept\\)" "it says what was erased"
expect_match "$page" "On 20[0-9-]+ [0-9:]+ UTC" "... and when"
audits=$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'meta_data_deleted'")
get "$BASE/oauth/data-deletion" --data-urlencode "signed_request=$DEL_SR"
expect_eq "$S $(json 'j["confirmation_code"]' <<<"$B")" "200 $CONF_CODE" "Meta's retry of the same request gets the same answer"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'meta_data_deleted'") $(sql "$D" "SELECT count(*) FROM deletion_request")" "$audits 1" "... without erasing again"
get "$BASE/oauth/deletion-status?code=nosuchcode" >/dev/null
expect_eq "$S" 404 "an unknown code: 404"
r=$(curl -s -d user_id=100000000000001 "$CTL/data-deletion")
expect_eq "$(json 'j["status"]' <<<"$r")" 200 "the fake's data-deletion callback is accepted"
expect_eq "$(logins)" 0 "the Login is erased"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'meta_data_deleted'")" 2 "data deletions are audit-logged"

# --- an expired state (a one-second lifetime)
stop_lighttpd
echo "oauth_state_ttl_s = 1" >> "$D/hubgate.conf"
WANT_PORT=$PORT start_lighttpd "$D" "$FAKEMETA_BIN" && wait_up "$META/"
CSRF_A=$(signin own@example.org "$A")
ST=$(login "$A")
CB=$(dialog "$ST")
sleep 2
get "$CB" -b "$A" >/dev/null
expect_eq "$S" 400 "an expired state: 400"
expect_eq "$(sql "$D" "SELECT detail FROM audit_log WHERE action = 'oauth_state_refused' ORDER BY id DESC LIMIT 1")" expired "... audit-logged as expired"

# --- no token anywhere: every answer seen, the logs, the audit log
toks=$(sqlite3 "$D/fakemeta.db" "SELECT token FROM token" 2>/dev/null)
expect_match "$(wc -l <<<"$toks")" '^[0-9]{2,}$' "the fake issued tokens"
leaks=0
while read -r t; do
	[ -z "$t" ] && continue
	if grep -rqF -- "$t" "$SEEN" "$D/error.log" 2>/dev/null || [ -n "$(sql "$D" "SELECT 1 FROM audit_log WHERE instr(detail, '$t') OR instr(object, '$t')")" ]; then
		leaks=$((leaks + 1)); echo "#   leaked: ${t:0:8}..."
	fi
done <<<"$toks"
expect_eq "$leaks" 0 "no token in any answer, page, log line or audit line"
# Nothing beside the programs is served (FastCGI or CGI alike).
for u in /webhook.o /oauth.o /api.o /health.o /oauthx; do
	expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE$u")" 404 "GET $u: 404"
done
t_done
