#!/usr/bin/env bash
# The fake of Meta's own behaviour through a real lighttpd: the OAuth
# dialog (exact redirect_uri match, state round trip, Cancel, escaping),
# single-use codes, /me/accounts paging by following "next", the
# control API, and webhook delivery: realistic payloads signed with the
# app secret and accepted by /webhook, retries on non-200.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
D=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/fakemeta.XXXXXX")
trap 'stop_lighttpd' EXIT
# Plain curl calls below carry no appsecret_proof (test_graph covers it).
SANDBOX_CONF="appsecret_proof = no" start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
V=$META/v24.0
RU=$BASE/oauth/callback
APP=$SANDBOX_APP_ID
code_of() { status=$(curl -s -o /dev/null -w '%{http_code}' "$@"); echo "$status"; }
enc() { python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$1"; }

# --- the dialog
page=$(curl -s "$V/dialog/oauth?client_id=$APP&redirect_uri=$(enc "$RU")&state=s1&response_type=code&scope=pages_show_list,pages_messaging")
expect_match "$page" "Sandy Sandbox" "consent page names the fake user"
expect_match "$page" "Sandbox Bakery.*Instagram @sandbox_page_01" "lists Pages with their Instagram accounts"
expect_match "$page" 'name="decision" value="continue".*name="decision" value="cancel"' "Continue and Cancel"
expect_eq "$(code_of "$V/dialog/oauth?client_id=999&redirect_uri=$(enc "$RU")&state=s")" 400 "unknown client_id: 400"
for bad in "$RU/" "${RU}?x=1" "http://127.0.0.1:1/oauth/callback" "$(echo "$RU" | tr a-z A-Z)" "${RU%/callback}/callbacks"; do
	expect_eq "$(code_of "$V/dialog/oauth?client_id=$APP&redirect_uri=$(enc "$bad")&state=s")" 400 "redirect_uri must match exactly: $bad"
done
expect_match "$(curl -s "$V/dialog/oauth?client_id=$APP&redirect_uri=$(enc "$RU/")")" "URL blocked" "with Meta's message"
xss='"><script>alert(1)</script>'
page=$(curl -s "$V/dialog/oauth?client_id=$APP&redirect_uri=$(enc "$RU")&state=$(enc "$xss")")
[[ $page == *"<script>alert"* ]] && not_ok "state is escaped in the page" || ok "state is escaped in the page"
confirm() {  # STATE DECISION [REDIRECT_URI]: prints the Location
	curl -s -o /dev/null -w '%{redirect_url}' -d client_id=$APP --data-urlencode "redirect_uri=${3:-$RU}" \
	    --data-urlencode "state=$1" -d decision=$2 "$V/dialog/oauth/confirm"
}
state='a b&c=d/é+%'
loc=$(confirm "$state" continue)
expect_match "$loc" "^$RU\\?code=[A-Za-z0-9_-]+&state=" "Continue redirects to redirect_uri with a code"
got=$(python3 -c 'import sys,urllib.parse as u;print(u.parse_qs(u.urlsplit(sys.argv[1]).query)["state"][0])' "$loc")
expect_eq "$got" "$state" "state comes back unchanged"
expect_match "$loc" '#_=_$' "with Meta's #_=_ fragment"
code=$(python3 -c 'import sys,urllib.parse as u;print(u.parse_qs(u.urlsplit(sys.argv[1]).query)["code"][0])' "$loc")
loc=$(confirm s2 cancel)
expect_match "$loc" "^$RU\\?error=access_denied&.*error_reason=user_denied&state=s2#_=_$" "Cancel: access_denied, user_denied, state"
expect_eq "$(code_of -d client_id=$APP --data-urlencode "redirect_uri=$RU/x" -d decision=continue "$V/dialog/oauth/confirm")" 400 "a tampered redirect_uri is refused on confirm"

# --- code exchange
ex() { curl -s "$V/oauth/access_token?client_id=${3:-$APP}&client_secret=${4:-$TEST_SECRET}&redirect_uri=$(enc "${2:-$RU}")&code=$1"; }
out=$(ex "$code")
ST=$(echo "$out" | json 'j["access_token"]')
expect_match "$out" '"token_type":"bearer","expires_in":5400' "code gives a short-lived token"
expect_match "$(ex "$code")" '"code":100,"error_subcode":36009' "the code is single-use"
code2=$(confirm s3 continue | sed -n 's/.*code=\([^&]*\).*/\1/p')
expect_match "$(ex "$code2" "$RU/other")" '"error_subcode":36008' "redirect_uri must be the dialog's"
code3=$(confirm s4 continue | sed -n 's/.*code=\([^&]*\).*/\1/p')
expect_match "$(ex "$code3" "$RU" 999)" '"code":101' "wrong client_id: 101"
expect_match "$(ex "$code3" "$RU" $APP wrong)" '"message":"Error validating client secret."' "wrong client_secret refused"
expect_match "$(ex nosuchcode)" '"code":100' "unknown code: 100"
out=$(curl -s "$V/oauth/access_token?grant_type=fb_exchange_token&client_id=$APP&client_secret=$TEST_SECRET&fb_exchange_token=$ST")
expect_match "$out" '"expires_in":5184000' "fb_exchange_token gives a 60-day token"
LT=$(echo "$out" | json 'j["access_token"]')

# --- paging: follow next until it is absent
url="$V/me/accounts?access_token=$LT&limit=5&fields=id,name,instagram_business_account"
ids=""; pages=0
while [ -n "$url" ] && [ $pages -lt 20 ]; do
	body=$(curl -s "$url")
	ids="$ids $(echo "$body" | json '" ".join(p["id"] for p in j["data"])')"
	url=$(echo "$body" | json 'j.get("paging",{}).get("next","")')
	pages=$((pages + 1))
done
expect_eq "$pages" 6 "30 Pages in 6 result pages of 5"
expect_eq "$(echo $ids | wc -w)/$(echo $ids | tr ' ' '\n' | sort -u | wc -l)" "30/30" "every Page once"
body=$(curl -s "$V/me/accounts?access_token=$LT")
expect_eq "$(echo "$body" | json 'len(j["data"])')" 12 "at most 12 per page, whatever the limit"
expect_match "$(echo "$body" | json 'j["paging"]["next"]')" "access_token=" "next repeats the token, like Meta"
expect_match "$(echo "$body" | json 'j["paging"]["cursors"]["after"]')" '^[A-Za-z0-9_-]+$' "cursors"
expect_match "$(curl -s "$V/me/accounts?access_token=$LT&after=@@@")" '"code":100' "bad cursor: 100"
expect_match "$(curl -s "$V/me/accounts")" '"code":104' "no token: 104"
expect_match "$(curl -s "$V/me/accounts?access_token=EAAGbogus")" '"code":190' "unknown token: 190"
expect_match "$(curl -s -D - "$V/me/accounts?access_token=EAAGbogus")" 'WWW-Authenticate: OAuth' "with WWW-Authenticate"
expect_match "$(curl -s -D - "$V/me/accounts?access_token=$LT" | tr -d '\r')" 'X-App-Usage: \{"call_count"' "answers carry X-App-Usage"
expect_match "$(curl -s "$V/nosuchthing/edge?access_token=$LT")" '"error_subcode":33' "unknown object: 100/33"
expect_match "$(curl -s "$META/v24/me/accounts")" '"code":2500' "a malformed version: 2500"

# --- webhook delivery
rows() { sql "$D" "SELECT count(*) FROM webhook_event"; }
n0=$(rows)
out=$(curl -s -d platform=messenger -d text=Hello "$CTL/deliver")
expect_eq "$(echo "$out" | json 'j["delivered"]')/$(echo "$out" | json 'j["attempts"]')" "true/1" "Messenger text delivered at once"
expect_eq "$(rows)" $((n0 + 1)) "the gateway stored it"
sig=$(echo "$out" | json 'j["signature"]')
expect_eq "$(sql "$D" "SELECT signature FROM webhook_event ORDER BY id DESC LIMIT 1")" "$sig" "with the fake's signature"
sql "$D" "SELECT writefile('$D/body', body) FROM webhook_event ORDER BY id DESC LIMIT 1" >/dev/null
mine="sha256=$(openssl dgst -sha256 -hmac "$TEST_SECRET" -hex < "$D/body" | sed 's/.*= //')"
expect_eq "$mine" "$sig" "the signature is HMAC-SHA256 of the raw body with the app secret"
expect_match "$(cat "$D/body")" '^\{"object":"page","entry":\[\{"id":"104857600000001","time":[0-9]+,"messaging":\[\{"sender":\{"id":"7300000000000001"\},"recipient":\{"id":"104857600000001"\},"timestamp":[0-9]+,"message":\{"mid":"m_[^"]+","text":"Hello"\}\}\]\}\]\}$' "Messenger's shape"
out=$(curl -s -d platform=messenger --data-urlencode 'text=Olá 👋' "$CTL/deliver")
expect_eq "$(echo "$out" | json 'j["delivered"]')" true "non-ASCII text delivered"
sql "$D" "SELECT writefile('$D/body2', body) FROM webhook_event ORDER BY id DESC LIMIT 1" >/dev/null
expect_match "$(cat "$D/body2")" 'Ol\\u00e1 \\ud83d\\udc4b' "non-ASCII escaped as \\uXXXX before signing, like Meta"
for spec in "messenger postback" "messenger delivery" "messenger read" "instagram text" "instagram read" "whatsapp text" "whatsapp status"; do
	set -- $spec
	out=$(curl -s -d platform=$1 -d type=$2 "$CTL/deliver")
	expect_eq "$(echo "$out" | json 'j["delivered"]')" true "$1 $2 delivered and accepted"
done
expect_match "$(sql "$D" "SELECT object FROM webhook_event WHERE object='instagram' LIMIT 1")" instagram "Instagram object stored"
expect_match "$(sql "$D" "SELECT CAST(body AS TEXT) FROM webhook_event WHERE CAST(body AS TEXT) LIKE '%statuses%' LIMIT 1")" '"status":"delivered","timestamp":"[0-9]+"' "WhatsApp status with a string timestamp"
out=$(curl -s -d platform=messenger -d type=batch -d count=5 "$CTL/deliver")
expect_eq "$(echo "$out" | json 'len(j["payload"]["entry"])')" 5 "a batch of 5"
expect_eq "$(sql "$D" "SELECT json_array_length(entry_ids) FROM webhook_event ORDER BY id DESC LIMIT 1")" 1 "one Page named once in the envelope"
out=$(curl -s -d platform=whatsapp -d type=batch -d count=4 "$CTL/deliver")
expect_eq "$(echo "$out" | json 'len(j["payload"]["entry"][0]["changes"][0]["value"]["messages"])')" 4 "a WhatsApp batch of 4 messages"
n1=$(rows)
t0=$SECONDS
out=$(curl -s -d platform=messenger -d path=/nowhere -d attempts=3 "$CTL/deliver")
expect_eq "$(echo "$out" | json 'j["delivered"]')/$(echo "$out" | json 'j["attempts"]')/$(echo "$out" | json 'j["status"]')" "false/3/404" "non-200 is retried, then reported"
expect_eq "$(rows)" "$n1" "nothing stored from the failed delivery"
expect_eq "$(code_of -d path=http://evil.example/ "$CTL/deliver")" 400 "delivery stays on the gateway's host"
expect_eq "$(code_of -d platform=telegram "$CTL/deliver")" 400 "unknown platform: 400"
expect_eq "$(code_of -d platform=instagram -d page=104857600000002 "$CTL/deliver")" 400 "a Page without Instagram: 400"

# --- control API
expect_match "$(curl -s "$CTL/world")" '"phone_number_id":"106540352242922"' "world lists the WhatsApp number"
expect_eq "$(code_of -X DELETE "$CTL/outbox")" 200 "outbox cleared"
expect_eq "$(curl -s "$CTL/outbox")" '{"data":[]}' "outbox empty"
expect_eq "$(code_of -d path=/x -d kind=nonsense "$CTL/fault")" 400 "unknown fault kind: 400"
expect_eq "$(code_of -X PUT "$CTL/fault")" 405 "wrong method: 405"
expect_eq "$(code_of "$CTL/nothing")" 404 "unknown control path: 404"
expect_match "$(curl -s "$META/")" "_control/deliver" "/_meta/ explains itself"

# --- only this machine's own pages may drive the fake: a foreign Host
# (DNS rebinding) or a foreign Origin (CSRF) is refused, nothing injected
n0=$(rows)
ob0=$(curl -s "$CTL/outbox" | json 'len(j["data"])')
for h in "evil.example" "evil.example:$PORT" "127.0.0.1.evil.example:$PORT" \
    "localhost.evil.example:$PORT" "127.0.0.1:$((PORT + 1))"; do
	out=$(curl -s -w ' %{http_code}' -H "Host: $h" -d platform=messenger -d text=Injected "$CTL/deliver")
	expect_match "$out" '^\{"error":\{"status":403,"message":"refused: [^"]*\(Host\)"\}\}[[:space:]]*403$' "Host $h: 403 with a JSON error"
done
expect_eq "$(code_of -H "Host: evil.example:$PORT" "$CTL/world")" 403 "foreign Host: the world is not shown"
expect_eq "$(code_of -H "Host: evil.example:$PORT" "$V/dialog/oauth?client_id=$APP&redirect_uri=$(enc "$RU")&state=s")" 403 "foreign Host: the Graph side refuses too"
for o in "http://evil.example" "http://evil.example:$PORT" "null" "https://127.0.0.1:$PORT" \
    "http://127.0.0.1:$((PORT + 1))" "http://127.0.0.1:$PORT.evil.example"; do
	out=$(curl -s -w ' %{http_code}' -H "Origin: $o" -d platform=messenger -d text=Injected "$CTL/deliver")
	expect_match "$out" '^\{"error":\{"status":403,"message":"refused: [^"]*\(Origin\)"\}\}[[:space:]]*403$' "Origin $o: 403 with a JSON error"
done
expect_eq "$(code_of -H "Origin: http://evil.example" -d action=issue -d kind=user_long "$CTL/token")" 403 "foreign Origin: no token issued"
expect_eq "$(code_of -H "Origin: http://evil.example" -d path=/me/accounts -d kind=status -d status=500 "$CTL/fault")" 403 "foreign Origin: no fault injected"
expect_eq "$(code_of "$V/me/accounts?access_token=$LT")" 200 "... and none is in effect"
expect_eq "$(code_of -H "Origin: http://evil.example" -X DELETE "$CTL/outbox")" 403 "foreign Origin: the outbox is not cleared"
expect_eq "$(rows)" "$n0" "nothing was delivered to the gateway"
expect_eq "$(curl -s "$CTL/outbox" | json 'len(j["data"])')" "$ob0" "the outbox is unchanged"
# This machine's own names and pages are fine.
expect_eq "$(code_of -H "Host: localhost:$PORT" "$CTL/world")" 200 "Host localhost:PORT is served"
expect_eq "$(code_of -H "Origin: $BASE" "$CTL/world")" 200 "its own Origin is served"
out=$(curl -s -H "Origin: http://localhost:$PORT" -d platform=messenger -d text=Own "$CTL/deliver")
expect_eq "$(echo "$out" | json 'j["delivered"]')" true "a delivery from its own page works"
expect_eq "$(rows)" $((n0 + 1)) "and is stored"
stop_lighttpd

# --- never beside a real app: with sandbox = no (a real app id) the fake
# refuses everything, with a clear JSON error
D2=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/fakemeta-real.XXXXXX")
new_data "$D2"
start_lighttpd "$D2" "$FAKEMETA_BIN"
out=$(curl -s -w ' %{http_code}' "$BASE/_meta/_control/world")
expect_match "$out" '^\{"error":\{"status":503,"message":"[^"]*needs sandbox = yes and a sandbox app_id[^"]*"\}\}[[:space:]]*503$' "a real app (sandbox = no): the fake refuses with a clear error"
n0=$(sql "$D2" "SELECT count(*) FROM webhook_event")
expect_eq "$(code_of -d platform=messenger -d text=x "$BASE/_meta/_control/deliver")" 503 "a real app: nothing can be delivered"
expect_eq "$(sql "$D2" "SELECT count(*) FROM webhook_event")" "$n0" "a real app: nothing was stored"
grep -q 'fakemeta.config.*sandbox' "$D2/error.log" && ok "a real app: the fake logs why" || not_ok "a real app: the fake logs why"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health")" 200 "a real app: the gateway itself runs"
stop_lighttpd
t_done
