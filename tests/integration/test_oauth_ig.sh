#!/usr/bin/env bash
# Instagram Login (no Page needed) through a real lighttpd and the fake
# of Meta: /oauth/login's redirect to Instagram's dialog with the
# Instagram app id, the code with Instagram's "#_" stripped, the code
# exchanged (form POST) then for a 60-day token, /me's user_id (the
# id webhooks carry, not "id") as the channel, the subscription read
# back, the Login kept (meta_login, platform instagram), earlier events
# routed; Cancel, a replayed state, a failed exchange with Meta's
# words; the fake's refresh rule; and no token in any answer, page or
# log line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
t_tmp oauth_ig
D=$TMP/d
IG_APP=990000000000001
IG_SECRET=test-instagram-secret-0123456789
SANDBOX_CONF="instagram_app_id = $IG_APP
instagram_app_secret = $IG_SECRET"
start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
SEEN=$TMP/seen	# every answer body and header the tests saw
mkdir -p "$SEEN"
n=0
get() {
	local url=$1; shift
	n=$((n + 1))
	S=$(curl -s -o "$SEEN/b$n" -D "$SEEN/h$n" -w '%{http_code}' --max-time 20 "$@" "$url")
	H=$(tr -d '\r' < "$SEEN/h$n")
	B=$(cat "$SEEN/b$n")
}
PW='oauth owner passphrase'
printf '%s\n' "$PW" | HUBGATE_CONFIG=$D/hubgate.conf "$ADMIN" user-add own@example.org --role owner >/dev/null
A=$TMP/jar-a
curl -s -c "$A" -H 'Content-Type: application/json' \
    --data-binary '{"email":"own@example.org","password":"'"$PW"'"}' "$BASE/api/session" >/dev/null
qs() { python3 -c 'import sys,urllib.parse as u;q=u.parse_qs(u.urlsplit(sys.argv[1]).query);print(q.get(sys.argv[2],[""])[0])' "$1" "$2"; }
enc() { python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$1"; }
IGD=$META/_instagram
WORLD=$(curl -s "$CTL/world")
IGU=$(json 'j["instagram_login"]["user_id"]' <<<"$WORLD")
IGID=$(json 'j["instagram_login"]["id"]' <<<"$WORLD")
IGNAME=$(json 'j["instagram_login"]["username"]' <<<"$WORLD")
expect_match "$IGU $IGID" '^[0-9]+ [0-9]+$' "the fake has an Instagram Login account"
[ "$IGU" != "$IGID" ] && ok "... whose webhook id (user_id) is not its id" || not_ok "... whose webhook id (user_id) is not its id"

# --- /oauth/login?platform=instagram
get "$BASE/oauth/login?platform=instagram" -b "$A" >/dev/null
expect_eq "$S" 302 "an admin is sent to Instagram's dialog"
LOC=$(printf '%s' "$H" | sed -n 's/^Location: //p')
expect_match "$LOC" "^$IGD/oauth/authorize\\?client_id=$IG_APP&redirect_uri=http%3A%2F%2F127\\.0\\.0\\.1%3A$PORT%2Foauth%2Fcallback&response_type=code&scope=instagram_business_basic%2Cinstagram_business_manage_messages&state=[A-Za-z0-9_.-]+$" \
    "the dialog URL: the Instagram app id, exact redirect_uri, the scopes, state"
ST=$(qs "$LOC" state)
expect_match "$ST" '\.instagram\.' "the state names the platform"
page=$(curl -s "$LOC")
expect_match "$page" "Instagram Login.*@$IGNAME" "the fake's Instagram consent page opens from the redirect"
expect_match "$page" 'name="decision" value="continue".*name="decision" value="cancel"' "... with Allow and Cancel"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$IGD/oauth/authorize?client_id=$SANDBOX_APP_ID&redirect_uri=$(enc "$BASE/oauth/callback")&response_type=code")" 400 \
    "the dialog refuses the Facebook app id"

login() { qs "$(curl -s -o /dev/null -w '%{redirect_url}' -b "$A" "$BASE/oauth/login?platform=instagram")" state; }
# dialog STATE DECISION: the callback URL the fake redirects to
dialog() {
	curl -s -o /dev/null -w '%{redirect_url}' -d client_id=$IG_APP \
	    --data-urlencode "redirect_uri=$BASE/oauth/callback" --data-urlencode "state=$1" \
	    -d scope=instagram_business_basic,instagram_business_manage_messages \
	    -d decision=$2 "$IGD/oauth/authorize/confirm"
}

# An event for the account before it is connected: kept, unrouted.
cat > "$TMP/ev.json" <<JSON
{"object":"instagram","entry":[{"id":"$IGU","time":$(date +%s)000,"messaging":[{"sender":{"id":"5300000000000077"},"recipient":{"id":"$IGU"},"timestamp":$(date +%s)000,"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx","text":"hello before connecting"}}]}]}
JSON
expect_eq "$(post "$TMP/ev.json")" 200 "an Instagram event before the account is connected is accepted"
expect_eq "$(sql "$D" "SELECT routing FROM webhook_event ORDER BY id DESC LIMIT 1")" unrouted "... and kept unrouted"

# --- Cancel
ST=$(login)
CB=$(dialog "$ST" cancel)
expect_match "$CB" "^$BASE/oauth/callback\\?error=access_denied" "Cancel: Instagram answers access_denied"
get "$CB" -b "$A"; body=$B
expect_eq "$S" 200 "Cancel: a friendly page"
expect_match "$body" 'You cancelled the Instagram Login: nothing was connected' "... saying nothing was connected"
expect_match "$body" 'href="/channels.html"' "... with the way back to the channels"

# --- a failed exchange: Meta's words, nothing stored
ST=$(login)
CB=$(dialog "$ST" continue)
CODE=$(qs "$CB" code)
curl -s -d client_id=$IG_APP -d client_secret=$IG_SECRET -d grant_type=authorization_code \
    --data-urlencode "redirect_uri=$BASE/oauth/callback" -d "code=$CODE" "$IGD/api/oauth/access_token" >/dev/null
get "$CB" -b "$A"; body=$B
expect_eq "$S" 502 "a code used already: the exchange fails"
expect_match "$body" 'Instagram Login failed' "... on an Instagram page"
expect_match "$body" 'Meta says: This authorization code has been used' "... with Meta's error_message"
expect_eq "$(sql "$D" "SELECT count(*) FROM channel") $(sql "$D" "SELECT count(*) FROM meta_login")" "0 0" "... nothing stored"
expect_eq "$(grep -c 'oauth.ig_code_failed' "$D/error.log")" 1 "... one attempt, logged"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'oauth_exchange_failed' AND object = 'instagram'")" 1 "... and audit-logged"

# --- success, with Instagram's "#_" after the code
ST=$(login)
CB=$(dialog "$ST" continue)
expect_match "$CB" "^$BASE/oauth/callback\\?code=[A-Za-z0-9_-]+&state=[^#]+#_$" "Allow: a code, the state, and Instagram's #_"
CODE=$(qs "$CB" code)
get "$BASE/oauth/callback?code=$(enc "$CODE#_")&state=$(enc "$ST")" -b "$A"; body=$B
expect_eq "$S" 200 "the callback (code with #_) connects the account"
expect_match "$body" "Instagram account @$IGNAME \\(<code>$IGU</code>\\): connected" "the result page names the account by its webhook id"
expect_match "$body" 'href="/channels.html"' "... with the way back to the channels"
expect_eq "$(sql "$D" "SELECT kind || '|' || meta_id || '|' || workspace_id || '|' || token_kind || '|' || token_status || '|' || (token_expires_at > strftime('%s','now') + 86400 * 59) FROM channel")" \
    "instagram|$IGU|1|instagram_login|valid|1" "a channel kind instagram, id user_id, token kind instagram_login, 60 days"
expect_eq "$(sql "$D" "SELECT count(*) FROM channel WHERE meta_id = '$IGID'")" 0 "... never the other id"
IGF=messages,messaging_postbacks,messaging_seen,message_reactions,messaging_referral
expect_eq "$(sql "$D" "SELECT subscribed_fields FROM channel")" "$IGF" "the subscription is read back from Meta and stored"
expect_eq "$(sqlite3 "$D/fakemeta.db" "SELECT fields FROM subscription WHERE object_id = '$IGU'")" "$IGF" "... as the fake holds it"
expect_eq "$(sql "$D" "SELECT typeof(token_sealed) || (length(token_sealed) > 60) FROM channel")" blob1 "the channel's token is sealed"
expect_eq "$(sql "$D" "SELECT platform || '|' || name || '|' || status || '|' || (token_expires_at > strftime('%s','now') + 86400 * 59) || '|' || typeof(token_sealed) || '|' || scopes FROM meta_login")" \
    "instagram|$IGNAME|valid|1|blob|instagram_business_basic,instagram_business_manage_messages" "the Login is kept: platform instagram, sealed token, expiry, scopes"
expect_eq "$(sql "$D" "SELECT count(*) FROM channel WHERE meta_login_id = (SELECT id FROM meta_login)")" 1 "... and the channel tied to it"
expect_eq "$(sql "$D" "SELECT routing FROM webhook_event ORDER BY id DESC LIMIT 1")" routed "the earlier event is routed to the new channel"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'channels_connected' AND object = 'meta_login'")" 1 "the connection is audit-logged"

# --- the same state again
get "$BASE/oauth/callback?code=$(enc "$CODE")&state=$(enc "$ST")" -b "$A" >/dev/null
expect_eq "$S" 400 "a replayed state: 400"
expect_eq "$(sql "$D" "SELECT detail FROM audit_log WHERE action = 'oauth_state_refused' ORDER BY id DESC LIMIT 1")" replayed "... audit-logged as replayed"

# --- reconnect: the token replaced in place
ch=$(sql "$D" "SELECT id || hex(token_sealed) FROM channel")
ST=$(login)
get "$(dialog "$ST" continue)" -b "$A" >/dev/null
expect_eq "$S" 200 "a second Login reconnects"
expect_eq "$(sql "$D" "SELECT count(*) FROM channel") $(sql "$D" "SELECT count(*) FROM meta_login")" "1 1" "... the same channel and Login"
[ "$(sql "$D" "SELECT id || hex(token_sealed) FROM channel")" != "$ch" ] && ok "... with a new token" || not_ok "... with a new token"

# --- the fake's token endpoints: refresh only after 24 h
LT=$(sqlite3 "$D/fakemeta.db" "SELECT token FROM token WHERE kind = 'ig_long' ORDER BY issued_at DESC LIMIT 1")
expect_match "$LT" '^IG' "the fake issued a 60-day Instagram token"
r=$(curl -s "$IGD/graph/refresh_access_token?grant_type=ig_refresh_token&access_token=$LT")
expect_match "$r" '"error"' "a token younger than 24 h cannot be refreshed"
sqlite3 "$D/fakemeta.db" "UPDATE token SET issued_at = issued_at - 2 * 86400 WHERE token = '$LT'"
r=$(curl -s "$IGD/graph/refresh_access_token?grant_type=ig_refresh_token&access_token=$LT")
expect_eq "$(json 'j["expires_in"]' <<<"$r")" 5184000 "an older one is refreshed for 60 days"


# --- no token anywhere: every answer seen, the logs, the audit log
toks=$(sqlite3 "$D/fakemeta.db" "SELECT token FROM token")
expect_match "$(wc -l <<<"$toks")" '^[0-9]+$' "the fake issued tokens"
expect_match "$(grep -c '^IG' <<<"$toks")" '^[4-9]|^[1-9][0-9]' "... Instagram ones"
leaks=0
while read -r t; do
	[ -z "$t" ] && continue
	if grep -rqF -- "$t" "$SEEN" "$D/error.log" 2>/dev/null || [ -n "$(sql "$D" "SELECT 1 FROM audit_log WHERE instr(detail, '$t') OR instr(object, '$t')")" ]; then
		leaks=$((leaks + 1)); echo "#   leaked: ${t:0:8}..."
	fi
done <<<"$toks"
expect_eq "$leaks" 0 "no token in any answer, page, log line or audit line"
grep -qF -- "$IG_SECRET" "$SEEN"/* "$D/error.log" && not_ok "the Instagram app secret is in no answer or log" ||
    ok "the Instagram app secret is in no answer or log"
t_done
