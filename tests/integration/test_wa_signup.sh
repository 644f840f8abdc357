#!/usr/bin/env bash
# WhatsApp Embedded Signup through a real lighttpd and the fake of
# Meta: /oauth/login?platform=whatsapp's redirect to the signup dialog
# (configuration id, response_type=code, the exact redirect_uri, a
# state); the fake's popup (external script, Meta's message); refused
# states (missing, tampered, another session's, replayed); Cancel; a
# code older than its lifetime (refused by Meta, never retried, nothing
# kept); the callback's page handing over a one-time pick (no inline
# script); the pick refused to another session, to agents and once
# used; the number connected with the same checks as the form (token
# sealed, kind system_user, the account subscribed, the Login kept);
# another workspace's number refused; an account the signup did not
# grant named; the ids taken from the grant when Meta's message never
# came; no token in any answer, page, log line or audit line, and no
# PIN in a log line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
t_tmp wasignup
D=$TMP/d
start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
export HUBGATE_CONFIG=$D/hubgate.conf
SEEN=$TMP/seen	# every answer the tests saw
mkdir -p "$SEEN"
n=0
# call VAR METHOD PATH [JSON]: api, kept in $SEEN; $S status, $B body.
call() {
	local r
	r=$(api "$@")
	n=$((n + 1))
	printf '%s' "$r" > "$SEEN/a$n"
	S=$(status "$r")
	B=$(body "$r")
}
# get VAR URL [curl args]: GET as sign_in's VAR (none: "-"); $S, $H, $B.
get() {
	local c=${1}_C url=$2; shift 2
	n=$((n + 1))
	S=$(curl -s -o "$SEEN/b$n" -D "$SEEN/h$n" -w '%{http_code}' --max-time 20 \
	    ${!c:+-H "Cookie: hg_session=${!c}"} "$@" "$url")
	H=$(tr -d '\r' < "$SEEN/h$n")
	B=$(cat "$SEEN/b$n")
}
py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
qs() { python3 -c 'import sys,urllib.parse as u;q=u.parse_qs(u.urlsplit(sys.argv[1]).query);print(q.get(sys.argv[2],[""])[0])' "$1" "$2"; }
enc() { python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$1"; }

W2=$($UT workspace "Other business")
ADM=$($UT user admin@example.com "Adam Admin" admin 1)
AGENT=$($UT user agent@example.com "Agnes Agent" agent 1)
OWNER2=$($UT user boss@other.example "Boris Boss" owner "$W2")
sign_in A "$ADM" 1
sign_in A2 "$ADM" 1	# the same admin in another browser
sign_in G "$AGENT" 1
sign_in P "$OWNER2" "$W2"
WABA=102290129340398; PHONE=106540352242922
WABA2=102290129340399; PHONE2=106540352242923
RU=$BASE/oauth/callback

# --- offered to admins, under the sandbox
call A GET /api/channels/whatsapp/signup
expect_eq "$S $B" '200 {"available":true,"sandbox":true}' "the signup is offered under the sandbox"
call G GET /api/channels/whatsapp/signup
expect_eq "$S" 403 "... not to agents"

# --- /oauth/login?platform=whatsapp
get G "$BASE/oauth/login?platform=whatsapp"
expect_eq "$S" 403 "an agent may not start a signup"
get A "$BASE/oauth/login?platform=whatsapp"
expect_eq "$S" 302 "an admin is sent to Meta's signup"
LOC=$(printf '%s' "$H" | sed -n 's/^Location: //p')
expect_match "$LOC" "^$META/v24\\.0/dialog/oauth\\?client_id=$SANDBOX_APP_ID&config_id=sandbox&response_type=code&override_default_response_type=true&redirect_uri=http%3A%2F%2F127\\.0\\.0\\.1%3A$PORT%2Foauth%2Fcallback&state=[A-Za-z0-9_.-]+\\.whatsapp\\.[A-Za-z0-9_.-]+&extras=%7B%22sessionInfoVersion%22%3A%223%22%2C%22version%22%3A%22v3%22%7D$" \
    "the dialog URL: app id, configuration id, code, exact redirect_uri, a whatsapp state, extras"
expect_eq "$(sql "$D" "SELECT detail FROM audit_log WHERE action = 'oauth_started' AND object = 'whatsapp'")" "embedded signup" "the start is audit-logged"
get N "$LOC"
expect_match "$B" 'WhatsApp Business signup' "the fake's signup popup opens from the redirect"
expect_match "$B" "value=\"$PHONE\" data-waba=\"$WABA\"" "... offering the world's numbers with their accounts"
expect_match "$B" '<script type="module" src="signup.js"></script>' "... with an external script"
expect_eq "$(grep -c '<script>' <<<"$B")" 0 "... and no inline script"
get N "$META/v24.0/dialog/signup.js"
expect_match "$S $B" "^200 .*postMessage\\(JSON\\.stringify\\(\\{.*type: 'WA_EMBEDDED_SIGNUP', event, data" "the popup's script posts Meta's message to the opener"

# login VAR: a fresh whatsapp state for that session
login() {
	local c=${1}_C
	qs "$(curl -s -o /dev/null -w '%{redirect_url}' -H "Cookie: hg_session=${!c}" "$BASE/oauth/login?platform=whatsapp")" state
}
# popup STATE DECISION [PHONE]: the fake's form; prints the callback URL
popup() {
	curl -s -o /dev/null -w '%{redirect_url}' -d client_id=$SANDBOX_APP_ID \
	    --data-urlencode "redirect_uri=$RU" --data-urlencode "state=$1" \
	    -d decision="$2" ${3:+-d phone=$3} "$META/v24.0/dialog/oauth/signup" | sed 's/#_=_$//'
}
picks() { sql "$D" "SELECT count(*) FROM oauth_pick"; }
chans() { sql "$D" "SELECT count(*) FROM channel"; }
pickof() { sed -n 's/.*data-pick="\([^"]*\)".*/\1/p' <<<"$1"; }
body_of() {  # PICK PIN [WABA PHONE]
	printf '{"pick":"%s","pin":"%s"%s%s}' "$1" "$2" "${3:+,\"waba_id\":\"$3\"}" "${4:+,\"phone_number_id\":\"$4\"}"
}

# --- refused states: 400, nothing kept
ST=$(login A)
CB=$(popup "$ST" finish $PHONE)
CODE=$(qs "$CB" code)
expect_match "$CODE" '^AQ' "Finish gives a code"
expect_eq "$(qs "$CB" state)" "$ST" "... and the state unchanged"
get A "$BASE/oauth/callback?code=$CODE"
expect_eq "$S" 400 "no state: 400"
tampered=$(sed 's/whatsapp/facebook/' <<<"$ST")
get A "$BASE/oauth/callback?code=$CODE&state=$(enc "$tampered")"
expect_eq "$S" 400 "a tampered state (its platform changed): 400"
get P "$BASE/oauth/callback?code=$CODE&state=$(enc "$ST")"
expect_eq "$S" 400 "another session's state: 400"
expect_eq "$(picks) $(sql "$D" "SELECT count(*) FROM meta_login")" "0 0" "nothing kept after refused states"
expect_match "$(sql "$D" "SELECT group_concat(detail, ' ') FROM audit_log WHERE action = 'oauth_state_refused'")" \
    '^missing tampered other_session$' "each refusal audit-logged with its reason"

# --- the good callback: a pick handed to the opener
get A "$CB"
expect_eq "$S" 200 "the callback exchanges the code"
PICK=$(pickof "$B")
expect_match "$PICK" '^[A-Za-z0-9_-]{43}$' "... its page carries a one-time pick"
expect_match "$B" '<script type="module" src="/js/signup-done.js"></script>' "... and the script that hands it to the opener"
expect_eq "$(grep -c '<script>' <<<"$B")" 0 "... no inline script"
expect_match "$B" 'id="signup-fallback"' "... with words for a window without opener"
expect_match "$H" $'\n''Content-Security-Policy: default-src .*script-src .self.' "... under the CSP"
expect_eq "$(picks)" 1 "the token waits as a pick"
expect_eq "$(sql "$D" "SELECT platform || ' ' || meta_user_id || ' ' || typeof(token_sealed) || ' ' || scopes FROM meta_login")" \
    "facebook 100000000000900 blob whatsapp_business_management,whatsapp_business_messaging" "the business's grant is kept as a Login, token sealed"
get A "$CB"
expect_eq "$S" 400 "the same callback again: the state is replayed, 400"
expect_eq "$(sql "$D" "SELECT detail FROM audit_log WHERE action = 'oauth_state_refused' ORDER BY id DESC LIMIT 1")" replayed "... audit-logged as replayed"

# --- the pick: malformed parts, another session, agents
call A POST /api/channels/whatsapp/signup "$(body_of "$PICK" 12345 $WABA $PHONE)"
expect_match "$S $B" '^400 .*pin: six digits' "a five-digit PIN: 400 naming the PIN"
call A POST /api/channels/whatsapp/signup "$(body_of "$PICK" 480917 12x $PHONE)"
expect_match "$S $B" '^400 .*waba_id' "a malformed account id: 400 naming waba_id"
call A POST /api/channels/whatsapp/signup "$(body_of short 480917 $WABA $PHONE)"
expect_match "$S $B" '^400 .*pick:' "a malformed pick: 400 naming it"
call A2 POST /api/channels/whatsapp/signup "$(body_of "$PICK" 480917 $WABA $PHONE)"
expect_match "$S $B" '^400 .*pick: this signup cannot be used' "another session's pick: refused"
call G POST /api/channels/whatsapp/signup "$(body_of "$PICK" 480917 $WABA $PHONE)"
expect_eq "$S" 403 "an agent may not finish a signup"
expect_eq "$(picks) $(chans)" "1 0" "the pick still waits; nothing connected"

# --- the number connected
call A POST /api/channels/whatsapp/signup "$(body_of "$PICK" 480917 $WABA $PHONE)"
expect_eq "$S" 201 "the signup connects the number"
expect_eq "$(py 'd["channel"]["kind"], d["channel"]["meta_id"], d["channel"]["name"], d["subscribed"], d["display_phone_number"]' <<<"$B")" \
    "whatsapp $PHONE Sandy's Bakery True 15550783881" "... answered like the form: the channel, subscribed, its number"
expect_eq "$(sql "$D" "SELECT c.parent_meta_id || ' ' || c.token_kind || ' ' || typeof(c.token_sealed) || ' ' || (c.meta_login_id = m.id) FROM channel c, meta_login m")" \
    "$WABA system_user blob 1" "the channel: its account, token kind system_user, token sealed, from the signup's Login"
expect_eq "$(sqlite3 "$D/fakemeta.db" "SELECT object_id FROM subscription")" "$WABA" "the account is subscribed at Meta"
expect_match "$(sql "$D" "SELECT detail FROM audit_log WHERE action = 'channel_connect'")" \
    "^whatsapp $PHONE of $WABA by Embedded Signup, 0 earlier events routed$" "the connection is audit-logged"
expect_eq "$(picks)" 0 "the pick is used up"
call A POST /api/channels/whatsapp/signup "$(body_of "$PICK" 480917 $WABA $PHONE)"
expect_match "$S $B" '^400 .*pick: this signup cannot be used' "the same pick again: refused"

# --- another workspace's number; an account not granted; no message
ST=$(login P)
get P "$(popup "$ST" finish $PHONE)"
P1=$(pickof "$B")
call P POST /api/channels/whatsapp/signup "$(body_of "$P1" 702395 $WABA $PHONE)"
expect_match "$S $B" '^409 .*phone_number_id: this number is connected to another workspace' "another workspace's number: 409"
ST=$(login P)
get P "$(popup "$ST" finish $PHONE2)"
P2=$(pickof "$B")
call P POST /api/channels/whatsapp/signup "$(body_of "$P2" 702395 $WABA $PHONE2)"
expect_match "$S $B" "^422 .*waba_id: the signup gave access to other WhatsApp business accounts, not $WABA" \
    "an account the signup did not grant: 422 naming waba_id"
ST=$(login P)
get P "$(popup "$ST" finish $PHONE2)"
P3=$(pickof "$B")
call P POST /api/channels/whatsapp/signup "$(body_of "$P3" 702395)"
expect_eq "$S $(py 'd["channel"]["meta_id"]' <<<"$B")" "201 $PHONE2" \
    "Meta's message lost: the account from the grant's target_ids, its only number"
expect_eq "$(sql "$D" "SELECT workspace_id || ' ' || parent_meta_id FROM channel WHERE meta_id = '$PHONE2'")" "$W2 $WABA2" "... in that workspace"

# --- Cancel
ST=$(login A)
CB=$(popup "$ST" cancel)
expect_match "$CB" '[?&]error=access_denied' "Cancel redirects with access_denied"
get A "$CB"
expect_match "$S $B" '^200 .*data-result="cancel".*You left the WhatsApp signup' "... a friendly page that tells the opener"
expect_eq "$(picks)" 0 "... nothing kept"

# --- a code older than its lifetime: Meta refuses, never retried
r=$(curl -s -d code_ttl=1 "$CTL/signup")
expect_eq "$r" '{"code_ttl":1}' "the fake's code lifetime is shortened"
ST=$(login A)
CB=$(popup "$ST" finish $PHONE)
sleep 2.2
before=$(grep -c 'oauth.wa_code_failed' "$D/error.log")
get A "$CB"
expect_match "$S $B" '^502 .*Meta did not accept the signup' "an expired code: the exchange fails, said on the page"
expect_match "$B" 'data-result="error"' "... which tells the opener"
expect_eq "$(picks)" 0 "... nothing kept"
expect_eq "$(sql "$D" "SELECT detail FROM audit_log WHERE action = 'oauth_exchange_failed' ORDER BY id DESC LIMIT 1")" \
    "This authorization code has expired." "... audit-logged with Meta's reason"
expect_eq "$(grep -c 'oauth.wa_code_failed' "$D/error.log")" $((before + 1)) "... logged once"
get A "$CB"
expect_eq "$S" 400 "... and never tried again (the state is used)"
curl -s -d code_ttl=30 "$CTL/signup" >/dev/null

# --- no token anywhere
toks=$(sqlite3 "$D/fakemeta.db" "SELECT token FROM token WHERE kind = 'system_user'")
expect_match "$(wc -l <<<"$toks")" '^[4-9]$' "the fake issued business tokens"
leaks=0
while read -r t; do
	[ -z "$t" ] && continue
	if grep -rqF -- "$t" "$SEEN" "$D/error.log" 2>/dev/null ||
	    [ -n "$(sql "$D" "SELECT 1 FROM audit_log WHERE instr(detail, '$t') OR instr(object, '$t')")" ] ||
	    [ -n "$(sql "$D" "SELECT 1 FROM channel WHERE instr(token_sealed, CAST('$t' AS BLOB))")" ]; then
		leaks=$((leaks + 1)); echo "#   leaked: ${t:0:8}..."
	fi
done <<<"$toks"
expect_eq "$leaks" 0 "no token in any answer, page, log line, audit line, nor in clear in the database"
expect_match "$(grep -c 'pin=REDACTED' "$D/error.log")" '^[1-9]' "the PINs sent to Meta are logged redacted"
expect_eq "$(grep -cE '480917|702395' "$D/error.log")" 0 "... never in clear"
t_done
