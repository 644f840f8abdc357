#!/usr/bin/env bash
# lib/graph against the fake of Meta through a real lighttpd: every
# call's success path, every error class (expired and invalid tokens,
# throttling with and without usage headers, 5xx, timeouts, oversized
# answers, redirects, plain http to a non-loopback host), the local
# limits, connection reuse and the multi interface; and no token ever
# reaches a log.  Driven through tests/tools/graphtool.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
D=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/graph.XXXXXX")
trap 'stop_lighttpd' EXIT
start_sandbox "$D" || { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
GT=$HUBGATE_BUILD/tests/tools/graphtool
LOG=$D/graph.log
PAGE=104857600000001
PHONE=106540352242922
G() { HUBGATE_CONFIG=$D/hubgate.conf "$GT" "$@" 2>>"$LOG"; }
f() { echo "$1" | sed -n "s/^$2=//p" | head -1; }
ctl() { curl -s --max-time 20 "$@"; }
fault() { ctl -d "$1" "$CTL/fault" >/dev/null; }
nofault() { ctl -X DELETE "$CTL/fault" >/dev/null; }
expect_class() {  # OUTPUT CLASS REASON NAME
	expect_eq "$(f "$1" class)/$(f "$1" reason)" "$2/$3" "$4"
}
SECRETS=()

# --- the client refuses unsafe transports before any connection
out=$(HUBGATE_GRAPH_BASE_URL=http://graph.example.com G new)
expect_eq "$(f "$out" new)" refused "plain http to a non-loopback host is refused"
expect_match "$(f "$out" error)" "plain http" "and says why"
out=$(HUBGATE_GRAPH_BASE_URL=ftp://127.0.0.1 G new; echo "exit=$?")
expect_eq "$(f "$out" new)/$(f "$out" exit)" "/1" "other schemes are refused, by the configuration"
expect_match "$(tail -1 "$LOG")" "HUBGATE_GRAPH_BASE_URL: not an http:// or https:// URL" "and it says why"
expect_eq "$(f "$(HUBGATE_GRAPH_BASE_URL=https://graph.facebook.com G new)" new)" ok "https is accepted"
expect_eq "$(f "$(HUBGATE_GRAPH_BASE_URL=http://localhost:1 G new)" new)" ok "plain http to loopback is accepted"
expect_eq "$(f "$(HUBGATE_APP_SECRET= G new)" new)" refused "no app secret: refused"

# --- tokens from the fake's control API
UT=$(ctl -d action=issue -d kind=user_long "$CTL/token" | json 'j["access_token"]')
PT=$(ctl -d action=issue -d kind=page -d page=$PAGE "$CTL/token" | json 'j["access_token"]')
SECRETS+=("$UT" "$PT")
expect_match "$UT" '^EAA' "control API issues a user token"

# --- pages, following every result page
out=$(G pages "$UT")
expect_class "$out" ok none "/me/accounts succeeds"
expect_eq "$(f "$out" npages)" 30 "every Page over three result pages"
expect_eq "$(echo "$out" | grep -c '^page=')" 30 "each Page once"
expect_eq "$(echo "$out" | grep '^page=' | sort -u | wc -l)" 30 "no Page twice"
expect_eq "$(f "$out" ig)" 10 "Instagram accounts requested and seen"
expect_eq "$(f "$out" page_tokens)" 30 "a Page token for each"
expect_eq "$(grep -c 'url=.*/me/accounts' "$LOG")" 3 "three requests, one per result page"

# --- debug_token with the app token
out=$(G debug "$UT")
expect_class "$out" ok none "debug_token succeeds"
expect_eq "$(f "$out" valid)/$(f "$out" type)" "1/USER" "user token is valid"
expect_match "$(f "$out" scopes)" "pages_messaging" "scopes listed"
out=$(G debug "$PT")
expect_eq "$(f "$out" valid)/$(f "$out" type)/$(f "$out" profile_id)/$(f "$out" expires_at)" "1/PAGE/$PAGE/0" "Page token: valid, never expires"
out=$(G debug "not-a-token")
expect_eq "$(f "$out" class)/$(f "$out" valid)/$(f "$out" token_error)" "ok/0/190/-1" "unknown token: call ok, token invalid"

# --- Facebook Login: dialog, code exchange (single use), long-lived exchange
RU=$BASE/oauth/callback
loc=$(curl -s -o /dev/null -w '%{redirect_url}' -d client_id=$SANDBOX_APP_ID --data-urlencode "redirect_uri=$RU" \
    -d state=xyz -d decision=continue "$META/v24.0/dialog/oauth/confirm")
code=$(echo "$loc" | sed -n 's/.*[?&]code=\([^&#]*\).*/\1/p')
SECRETS+=("$code")
out=$(G code "$code" "$RU")
expect_class "$out" ok none "code exchange succeeds"
ST=$(f "$out" token); SECRETS+=("$ST")
expect_eq "$(f "$out" expires_in)/$(f "$out" token_type)" "5400/bearer" "short-lived token"
out=$(G code "$code" "$RU")
expect_class "$out" permanent parameter "a code works once"
expect_eq "$(f "$out" code)/$(f "$out" subcode)" "100/36009" "reused code: 100/36009"
out=$(G exchange "$ST")
expect_class "$out" ok none "long-lived exchange succeeds"
expect_eq "$(f "$out" expires_in)" 5184000 "long-lived token: 60 days"
SECRETS+=("$(f "$out" token)")

# --- subscribed_apps on a Page and on the WhatsApp business account
expect_class "$(G sub post $PAGE "$PT" messages,messaging_postbacks,message_deliveries,message_reads)" ok none "subscribe a Page"
expect_match "$(f "$(G sub get $PAGE "$PT")" json)" '"subscribed_fields":\["messages","messaging_postbacks"' "list the subscription"
expect_class "$(G sub post $PAGE "$PT" messages,bogus_field)" permanent parameter "unknown field refused by Meta"
expect_class "$(G sub delete $PAGE "$PT")" ok none "unsubscribe"
expect_eq "$(f "$(G sub get $PAGE "$PT")" json)" '{"data":[]}' "no subscription left"
expect_class "$(G sub post 102290129340398 "$UT")" ok none "subscribe the WhatsApp business account"
expect_class "$(G sub post 104857600000002 "$PT" messages)" permanent permission "another Page's token is refused"
expect_class "$(G sub post '../x' "$PT" messages)" permanent parameter "an id with a path is refused locally"

# --- Messenger sends after an inbound message opened the window
ctl -d platform=messenger -d text=Hi -d page=$PAGE "$CTL/deliver" >/dev/null
PSID=7300000000000001
out=$(G text $PAGE "$PT" $PSID "Hello there")
expect_class "$out" ok none "Messenger text sent"
expect_match "$(f "$out" id)" '^m_' "message id returned"
expect_match "$(ctl "$CTL/outbox")" '"text":"Hello there"' "the fake's outbox has it"
expect_class "$(G qr $PAGE "$PT" $PSID 13)" ok none "13 quick replies sent"
out=$(G qr $PAGE "$PT" $PSID 14)
expect_eq "$(f "$out" class)/$(f "$out" reason)/$(f "$out" local)" "permanent/limit/1" "14 quick replies refused locally"
expect_match "$(f "$out" msg)" "13" "and the message names the limit"
expect_class "$(G buttons $PAGE "$PT" $PSID 3)" ok none "button template sent"
expect_eq "$(f "$(G buttons $PAGE "$PT" $PSID 4)" local)" 1 "4 buttons refused locally"
expect_class "$(G generic $PAGE "$PT" $PSID 10)" ok none "generic template with 10 elements sent"
expect_eq "$(f "$(G generic $PAGE "$PT" $PSID 11)" local)" 1 "11 elements refused locally"
expect_class "$(G attach $PAGE "$PT" $PSID https://example.com/cat.png)" ok none "attachment by URL sent"
expect_class "$(G action $PAGE "$PT" $PSID typing_on)" ok none "sender_action sent"
head -c 2001 /dev/zero | tr '\0' 'a' > "$D/t2001"
out=$(G text $PAGE "$PT" $PSID "@$D/t2001")
expect_eq "$(f "$out" class)/$(f "$out" reason)/$(f "$out" local)" "permanent/limit/1" "2001 characters refused locally"
n0=$(ctl "$CTL/outbox" | json 'len(j["data"])')
for i in $(seq 1 700); do printf 'word%03d ' "$i"; done > "$D/long"
out=$(G split $PAGE "$PT" $PSID "@$D/long")
expect_eq "$(f "$out" class)/$(f "$out" sent)" "ok/3" "5600 characters split into 3 messages"
texts=$(ctl "$CTL/outbox" | json "' '.join(x['body']['message']['text'] for x in j['data'][$n0:])")
expect_eq "$texts" "$(cat "$D/long" | sed 's/ *$//')" "split at word boundaries, nothing lost"
expect_eq "$(ctl "$CTL/outbox" | json "max(len(x['body']['message']['text']) for x in j['data'][$n0:])" | awk '{print ($1 <= 2000)}')" 1 "every part within 2000"
out=$(G text $PAGE "$PT" 7399999999999999 "Hello")
expect_eq "$(f "$out" class)/$(f "$out" code)/$(f "$out" subcode)" "permanent/100/2018001" "unknown recipient: 100/2018001"

# --- the 24-hour window
ctl -d platform=messenger -d text=old -d sender=7300000000000002 -d age_s=90000 "$CTL/deliver" >/dev/null
out=$(G text $PAGE "$PT" 7300000000000002 "Late reply")
expect_class "$out" permanent window "outside the 24-hour window: window"
expect_eq "$(f "$out" code)/$(f "$out" subcode)" "10/2018278" "Meta's 10/2018278"
expect_match "$(f "$out" user_msg)" "24 hours" "error_user_msg kept for people"
expect_match "$(f "$out" fbtrace)" '^[A-Za-z0-9_-]{11}$' "fbtrace_id kept"
expect_class "$(G text $PAGE "$PT" 7300000000000002 "A human here" MESSAGE_TAG HUMAN_AGENT)" ok none "HUMAN_AGENT within 7 days"

# --- Instagram and WhatsApp
ctl -d platform=instagram -d text=Hey -d page=$PAGE "$CTL/deliver" >/dev/null
out=$(G ig "$PT" 5300000000000001 "Hi on Instagram")
expect_class "$out" ok none "Instagram text sent"
expect_match "$(ctl "$CTL/outbox" | json 'j["data"][-1]["platform"]')" instagram "recorded as Instagram"
head -c 1001 /dev/zero | tr '\0' 'b' > "$D/t1001"
expect_eq "$(f "$(G ig "$PT" 5300000000000001 "@$D/t1001")" local)" 1 "1001 bytes refused locally for Instagram"
ctl -d platform=whatsapp -d text=Hola "$CTL/deliver" >/dev/null
out=$(G wa-text $PHONE "$UT" 16505551234 "Hello on WhatsApp")
expect_class "$out" ok none "WhatsApp text sent"
WAMID=$(f "$out" id)
expect_match "$WAMID" '^wamid\.' "wamid returned"
head -c 4097 /dev/zero | tr '\0' 'c' > "$D/t4097"
expect_eq "$(f "$(G wa-text $PHONE "$UT" 16505551234 "@$D/t4097")" local)" 1 "4097 characters refused locally for WhatsApp"
expect_class "$(G wa-template $PHONE "$UT" 16505550000 hello_world)" ok none "WhatsApp template outside the window"
expect_class "$(G wa-text $PHONE "$UT" 16505550000 "free text")" permanent window "WhatsApp free text outside the window: 131047"
expect_class "$(G wa-template $PHONE "$UT" 16505550000 no_such_template)" permanent parameter "unknown template refused by Meta"
expect_class "$(G wa-read $PHONE "$UT" "$WAMID")" ok none "WhatsApp mark as read"

# --- error classes through injected faults
fault "path=/me/accounts&kind=expired"
out=$(G pages "$UT")
expect_class "$out" token_invalid token "expired token: token_invalid"
expect_eq "$(f "$out" code)/$(f "$out" subcode)" "190/463" "190/463"
fault "path=/me/accounts&kind=invalid&subcode=460"
expect_eq "$(f "$(G pages "$UT")" class)" token_invalid "password changed (190/460): token_invalid"
nofault
RT=$(ctl -d action=issue -d kind=user_long "$CTL/token" | json 'j["access_token"]'); SECRETS+=("$RT")
ctl -d action=revoke -d token="$RT" "$CTL/token" >/dev/null
out=$(G pages "$RT")
expect_eq "$(f "$out" class)/$(f "$out" code)/$(f "$out" subcode)" "token_invalid/190/458" "revoked token: 190/458"
out=$(G debug "$RT")
expect_eq "$(f "$out" valid)/$(f "$out" token_error)" "0/190/458" "debug_token says revoked"
XT=$(ctl -d action=issue -d kind=user_short "$CTL/token" | json 'j["access_token"]'); SECRETS+=("$XT")
ctl -d action=expire -d token="$XT" "$CTL/token" >/dev/null
expect_eq "$(f "$(G exchange "$XT")" subcode)" 463 "an expired token cannot be exchanged"
fault "path=/me/accounts&kind=throttle&code=4"
out=$(G pages "$UT")
expect_class "$out" throttled rate "code 4 without usage headers: throttled"
expect_eq "$(f "$out" delay)/$(f "$out" usage)" "300/-1" "default delay"
fault "path=/me/accounts&kind=throttle&code=613&usage=buc&eta=7"
out=$(G pages "$UT")
expect_eq "$(f "$out" class)/$(f "$out" delay)/$(f "$out" usage)" "throttled/420/100" "613 with X-Business-Use-Case-Usage: wait 7 minutes"
fault "path=/me/accounts&kind=throttle&code=17&usage=app"
out=$(G pages "$UT")
expect_eq "$(f "$out" class)/$(f "$out" delay)/$(f "$out" usage)" "throttled/900/100" "17 with X-App-Usage at 100%"
fault "path=/me/accounts&kind=throttle&code=32&usage=page&eta=2"
expect_eq "$(f "$(G pages "$UT")" delay)" 120 "32 with X-Page-Usage: wait 2 minutes"
fault "path=/me/accounts&kind=temporary&code=1"
expect_class "$(G pages "$UT")" retry transient "code 1: retry"
fault "path=/me/accounts&kind=temporary&code=2"
out=$(G pages "$UT")
expect_eq "$(f "$out" class)/$(f "$out" status)/$(f "$out" delay)" "retry/503/30" "code 2 (503): retry after 30 s"
fault "path=/me/accounts&kind=status&status=502"
out=$(G pages "$UT")
expect_eq "$(f "$out" class)/$(f "$out" status)" "retry/502" "a bare 502: retry"
fault "path=/me/accounts&kind=timeout&latency_ms=3000"
t0=$SECONDS
out=$(HUBGATE_GRAPH_TIMEOUT_MS=500 G pages "$UT")
expect_eq "$(f "$out" class)/$(f "$out" msg)" "retry/timed out" "a slow answer times out: retry"
[ $((SECONDS - t0)) -le 2 ] && ok "the timeout is honoured" || not_ok "the timeout is honoured"
fault "path=/me/accounts&kind=big&size=2000000"
out=$(G pages "$UT")
expect_eq "$(f "$out" class)/$(f "$out" reason)" "permanent/refused" "a 2 MB answer is refused (1 MiB cap)"
nofault
expect_eq "$(f "$(HUBGATE_GRAPH_MAX_RESPONSE=1024 G pages "$UT")" reason)" refused "graph_max_response is honoured"
fault "path=/me/accounts&kind=redirect"
out=$(G pages "$UT")
expect_eq "$(f "$out" class)/$(f "$out" reason)/$(f "$out" status)" "permanent/refused/302" "a redirect is not followed"
fault "path=/me/accounts&kind=echo_token"
out=$(G pages "$UT")
expect_match "$(f "$out" msg)" "Malformed access token REDACTED" "a token echoed in Meta's message is scrubbed"
fault "path=/me/accounts&kind=error&code=200"
expect_class "$(G pages "$UT")" permanent permission "code 200: permission"
fault "path=/me/accounts&kind=error&code=368"
expect_eq "$(f "$(G pages "$UT")" delay)" 3600 "368: policy pause"
fault "path=/me/accounts&kind=status&status=503&times=1"
expect_eq "$(f "$(G pages "$UT")" class)" retry "a fault with times=1 fires once"
expect_eq "$(f "$(G pages "$UT")" class)" ok "and then is gone"
nofault

# --- appsecret_proof
out=$(HUBGATE_APPSECRET_PROOF=no G pages "$UT")
expect_class "$out" permanent parameter "without appsecret_proof the fake refuses (required)"
expect_match "$(f "$out" msg)" "appsecret_proof" "and says so"
expect_match "$(HUBGATE_APP_SECRET=wrong-secret-123456 G pages "$UT")" "Invalid appsecret_proof" "a proof made with another secret is refused"

# --- connection reuse and the multi interface
out=$(G reuse /me/accounts "$UT")
expect_eq "$(f "$out" conns1)/$(f "$out" conns2)" "1/0" "the second call reuses the connection"
out=$(G multi 24 6 "$UT")
expect_eq "$(f "$out" multi_ok)" 24 "24 calls through the multi interface"
[ "$(f "$out" multi_conns)" -le 6 ] && ok "at most 6 connections for 6 in flight ($(f "$out" multi_conns))" || not_ok "at most 6 connections ($(f "$out" multi_conns))"
fault "path=/me/accounts&kind=latency&latency_ms=400"
out=$(G multi 8 8 "$UT")
ms=$(f "$out" multi_ms)
expect_eq "$(f "$out" multi_ok)" 8 "8 slow calls in parallel"
[ "$ms" -lt 2000 ] && ok "they overlap (${ms} ms, 8 x 400 ms in series)" || not_ok "they overlap (${ms} ms)"
out=$(G multi 4 1 "$UT")
ms=$(f "$out" multi_ms)
[ "$ms" -ge 1500 ] && ok "parallel=1 runs them one at a time (${ms} ms)" || not_ok "parallel=1 runs one at a time (${ms} ms)"
nofault

# --- nothing secret in any log
APPSECRET=$TEST_SECRET
leaks=0
for s in "${SECRETS[@]}" "$APPSECRET"; do
	[ -n "$s" ] || continue
	if grep -qF -- "$s" "$LOG" "$D/error.log"; then leaks=$((leaks + 1)); echo "# leaked: ${s:0:8}..."; fi
done
expect_eq "$leaks" 0 "no token, code or secret in any log"
expect_match "$(grep -m1 'url=' "$LOG")" 'access_token=REDACTED' "logged URLs are redacted"
expect_match "$(cat "$LOG")" 'appsecret_proof=REDACTED' "proofs redacted"
expect_match "$(cat "$LOG")" 'client_secret=REDACTED.*code=REDACTED|code=REDACTED.*client_secret=REDACTED' "code exchange redacted"
expect_match "$(cat "$LOG")" 'fb_exchange_token=REDACTED' "exchange redacted"
expect_match "$(grep 'class=token_invalid' "$LOG" | head -1)" 'fbtrace_id=' "errors logged with fbtrace_id"
t_done
