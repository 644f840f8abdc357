#!/usr/bin/env bash
# cron/token-refresh through a real lighttpd and the fake of Meta: a
# Login's token 6 days from expiry is exchanged and its Pages' tokens
# re-derived; an Instagram token younger than 24 h is not refreshed,
# one 10 days from expiry is; a revoked token (each subcode) becomes
# invalid with the subcode in words, pauses the channel's sends and
# raises one alert (a mail through a test sendmail, a POST to a local
# receiver) and only one; a lost subscription is restored; a silent
# channel is flagged and un-flagged when events come back; throttling
# stops a run early and the next one resumes; two overlapping runs do
# not both work; a dry run changes nothing; /api/channels shows the
# levels with words and actions, POST /api/channels/ID/check checks
# now; /health and /metrics count levels; no token anywhere in logs,
# token_log or alerts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
t_tmp tokens
D=$TMP/d
IG_APP=sandbox-ig-555
IG_SECRET=ig-secret-for-token-tests
mkdir -p "$TMP/alerts"
# The test double of sendmail: each message appended to a file.
cat > "$TMP/sendmail" <<EOF
#!/bin/sh
{ echo "ARGS: \$*"; cat; echo "--END--"; } >> "$TMP/alerts/mail.txt"
EOF
chmod 755 "$TMP/sendmail"
# A local receiver of the alert webhook: each body on a line.
RPORT=$(free_port)
python3 - "$RPORT" "$TMP/alerts/hook.txt" <<'PY' &
import http.server, sys
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get('Content-Length', 0))
        b = self.rfile.read(n)
        with open(out, 'ab') as f:
            f.write(b + b'\n')
        self.send_response(200); self.end_headers(); self.wfile.write(b'ok')
    def log_message(self, *a): pass
http.server.HTTPServer(('127.0.0.1', port), H).serve_forever()
PY
RECV_PID=$!
trap 'kill $RECV_PID 2>/dev/null; t_cleanup' EXIT
SANDBOX_CONF="instagram_app_id = $IG_APP
instagram_app_secret = $IG_SECRET
alert_email = ops@example.org
alert_webhook = http://127.0.0.1:$RPORT/hook
sendmail_path = $TMP/sendmail
token_check_parallel = 4
graph_timeout_ms = 5000" start_sandbox "$D" ||
    { not_ok "sandbox starts"; sed 's/^/#   /' "$D/error.log"; t_done; exit 1; }
CFG=$D/hubgate.conf
TR=$HUBGATE_BUILD/cron/token-refresh
TT=$HUBGATE_ROOT/build/tests/tools/tokentool
run() { HUBGATE_CONFIG=$CFG "$TR" "$@" 2>>"$TMP/cron.err"; }
field() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p" <<<" $2"; }
ctl_token() { curl -s "$@" "$CTL/token" | json 'j["access_token"]'; }
ALL_TOKENS=$TMP/tokens.txt
: > "$ALL_TOKENS"
keep() { echo "$1" >> "$ALL_TOKENS"; echo "$1"; }
chan() {  # KIND META_ID NAME: connect by hand, print the id
	HUBGATE_CONFIG=$CFG "$ADMIN" channel-add "$1" "$2" "$3" >/dev/null
	sql "$D" "SELECT id FROM channel WHERE kind = '$1' AND meta_id = '$2'"
}
settoken() {  # KIND META_ID TOKEN
	printf '%s\n' "$3" | HUBGATE_CONFIG=$CFG "$ADMIN" channel-token "$1" "$2"
}
level() {  # SUBJECT ID
	sql "$D" "SELECT level FROM token_check WHERE subject = '$1' AND subject_id = $2"
}
curl -s "$CTL/world" >/dev/null
NOW=$(date +%s)

# --- a Login 6 days from expiry, with two Pages
P1=104857600000001 P2=104857600000002
U=$(keep "$(ctl_token -d action=issue -d kind=user_long)")
curl -s -d action=times -d "token=$U" -d issued_ago=$((54 * 86400)) \
    -d expires_in=$((6 * 86400)) "$CTL/token" >/dev/null
L=$(printf '%s\n' "$U" | HUBGATE_CONFIG=$CFG "$TT" login facebook 100000000000001 1 $((NOW + 6 * 86400)))
C1=$(chan page $P1 'Page one'); C2=$(chan page $P2 'Page two')
for p in $P1 $P2; do settoken page $p "$(keep "$(ctl_token -d action=issue -d kind=page -d page=$p)")"; done
sql "$D" "UPDATE channel SET meta_login_id = $L WHERE id IN ($C1, $C2)"
BEFORE=$(sql "$D" "SELECT hex(token_sealed) FROM channel WHERE id = $C1")
# P1 subscribed as hubgate needs; P2 not at all.
sqlite3 "$D/fakemeta.db" "INSERT OR REPLACE INTO subscription VALUES ('$P1', 'messages,messaging_postbacks,message_deliveries,message_reads,message_echoes,messaging_handovers,standby,message_reactions,feed')"

# --- a revoked Page token, paused and told once
P3=104857600000003
C3=$(chan page $P3 'Page three')
PT3=$(keep "$(ctl_token -d action=issue -d kind=page -d page=$P3)")
settoken page $P3 "$PT3"
curl -s -d action=revoke -d "token=$PT3" -d subcode=460 "$CTL/token" >/dev/null

out=$(run)
expect_match "$out" '^token-refresh: checked=[0-9]+ refreshed=1 resubscribed=1 invalid=1 failed=0 paused=1 ' \
    "one run: the Login renewed, P2 re-subscribed, P3 invalid and paused ($out)"
expect_eq "$(sql "$D" "SELECT count(*) FROM token_log WHERE subject = 'login' AND subject_id = $L AND what = 'exchange' AND result = 'ok' AND new_expires_at > $((NOW + 50 * 86400))")" 1 \
    "the Login's token exchanged: token_log has the new expiry"
expect_eq "$(sql "$D" "SELECT token_expires_at > $((NOW + 50 * 86400)) FROM meta_login WHERE id = $L")" 1 \
    "the Login's new expiry is stored"
expect_eq "$(sql "$D" "SELECT count(*) FROM token_log WHERE subject = 'channel' AND subject_id IN ($C1, $C2) AND what = 'page_token' AND result = 'ok'")" 2 \
    "both Pages' tokens re-derived from the new token"
expect_eq "$(sql "$D" "SELECT hex(token_sealed) <> '$BEFORE' AND token_status = 'valid' FROM channel WHERE id = $C1")" 1 \
    "P1's token replaced, valid"
expect_eq "$(sql "$D" "SELECT count(*) FROM token_log WHERE subject = 'channel' AND subject_id = $C1 AND what = 'check' AND result = 'ok' AND id > (SELECT max(id) FROM token_log WHERE what = 'page_token' AND subject_id = $C1)")" 1 \
    "the re-derived Page token is checked in the same run, and valid"
expect_eq "$(sql "$D" "SELECT level FROM token_check WHERE subject = 'login' AND subject_id = $L")" ok \
    "the renewed Login is ok"
expect_eq "$(sqlite3 "$D/fakemeta.db" "SELECT fields FROM subscription WHERE object_id = '$P2'")" \
    "messages,messaging_postbacks,message_deliveries,message_reads,message_echoes,messaging_handovers,standby,message_reactions,feed" \
    "P2's missing subscription restored at Meta"
expect_eq "$(sql "$D" "SELECT count(*) FROM token_log WHERE subject_id = $C2 AND what = 'resubscribe' AND result = 'ok'")" 1 \
    "... and logged"
expect_eq "$(sql "$D" "SELECT token_status || ' ' || code || '/' || subcode || ' ' || level FROM channel JOIN token_check ON subject = 'channel' AND subject_id = channel.id WHERE channel.id = $C3")" \
    "invalid 190/460 invalid" "P3: invalid, Meta's code and subcode kept, sends paused (token_status invalid)"
expect_match "$(sql "$D" "SELECT detail FROM audit_log WHERE action = 'token.level' AND object = 'channel:$C3'")" \
    'is now invalid: Meta no longer accepts the token: the password of the account was changed \(code 190, subcode 460\)\. What to do: Reconnect' \
    "the audit log says it in words, with the action"
expect_eq "$(grep -c -- '--END--' "$TMP/alerts/mail.txt" 2>/dev/null)" 1 "one e-mail through sendmail"
expect_match "$(cat "$TMP/alerts/mail.txt")" 'ARGS: -t -i.*To: ops@example.org.*Subject: hubgate: channel '"$C3"' is invalid' \
    "... to alert_email, with the level in its subject"
expect_eq "$(wc -l < "$TMP/alerts/hook.txt")" 1 "one POST to alert_webhook"
expect_match "$(cat "$TMP/alerts/hook.txt")" '^\{"text":"hubgate: channel page \\"Page three\\".*password of the account was changed' \
    "... a Slack-compatible {\"text\": ...} body"

# --- the same state again: no second alert
out=$(run --channel "$C3")
expect_eq "$(grep -c -- '--END--' "$TMP/alerts/mail.txt")/$(wc -l < "$TMP/alerts/hook.txt")" "1/1" \
    "checked again, still invalid: not told again (the repeat is daily)"
sql "$D" "UPDATE token_check SET last_alert_at = last_alert_at - 86400 WHERE subject_id = $C3 AND subject = 'channel'"
out=$(run --channel "$C3")
expect_eq "$(grep -c -- '--END--' "$TMP/alerts/mail.txt")/$(wc -l < "$TMP/alerts/hook.txt")" "2/2" \
    "a day later, still invalid: told again, once"
expect_match "$(tail -n 1 "$TMP/alerts/hook.txt")" 'is still invalid' "... saying it is still so"

# --- every subcode in words
i=4
for sc in 458 459 463 464 467; do
	p=1048576000000$(printf '%02d' $i)
	c=$(chan page "$p" "Page $i")
	t=$(keep "$(ctl_token -d action=issue -d kind=page -d page="$p")")
	settoken page "$p" "$t"
	curl -s -d action=revoke -d "token=$t" -d subcode=$sc "$CTL/token" >/dev/null
	run --channel "$c" >/dev/null
	case $sc in
	458) w='the app was removed from the account' ;;
	459) w='Meta locked the account until the person logs in' ;;
	463) w='the token expired' ;;
	464) w='has not confirmed their account' ;;
	467) w='the token was invalidated' ;;
	esac
	expect_match "$(level channel "$c") $(sql "$D" "SELECT detail FROM token_log WHERE subject_id = $c AND what = 'check'")" \
	    "^invalid .*$w" "subcode $sc: invalid, in words"
	i=$((i + 1))
done

# --- Instagram Login: too young, then in the window
IGU=17841400000000901
CI=$(chan instagram $IGU 'sandbox.studio')
IT=$(keep "$(ctl_token -d action=issue -d kind=ig_long)")
settoken instagram $IGU "$IT"
IL=$(printf '%s\n' "$IT" | HUBGATE_CONFIG=$CFG "$TT" login instagram 26000000000000902 1 $((NOW + 10 * 86400)))
# An Instagram Login token is checked as Meta documents it (GET /me on
# graph.instagram.com); its age and expiry are those hubgate stored when
# it got it: here an hour old, 10 days left.
sql "$D" "UPDATE channel SET token_kind = 'instagram_login', meta_login_id = $IL, token_expires_at = $((NOW + 10 * 86400)) WHERE id = $CI"
ig_age() {  # SECONDS: the token's age as hubgate knows it
	sql "$D" "INSERT INTO token_check (subject, subject_id, workspace_id, issued_at) VALUES ('channel', $CI, 1, $((NOW - $1)))
	    ON CONFLICT (subject, subject_id) DO UPDATE SET issued_at = excluded.issued_at" >/dev/null
}
ig_age 3600
IL_BEFORE=$(sql "$D" "SELECT hex(token_sealed) FROM meta_login WHERE id = $IL")
curl -s -d action=times -d "token=$IT" -d issued_ago=3600 -d expires_in=$((10 * 86400)) "$CTL/token" >/dev/null
sqlite3 "$D/fakemeta.db" "INSERT OR REPLACE INTO subscription VALUES ('$IGU', 'messages,messaging_postbacks,messaging_seen,message_reactions,messaging_referral')"
out=$(run --channel "$CI")
expect_match "$out" ' refreshed=0 ' "an Instagram token an hour old is not refreshed ($out)"
expect_eq "$(sql "$D" "SELECT result FROM token_log WHERE subject_id = $CI AND what = 'ig_refresh'")" skipped \
    "... token_log says why (skipped: younger than 24 h)"
expect_eq "$(level channel "$CI")" notice "... and its level is notice (10 days left, renewed automatically)"
curl -s -d action=times -d "token=$IT" -d issued_ago=$((50 * 86400)) -d expires_in=$((10 * 86400)) "$CTL/token" >/dev/null
ig_age $((50 * 86400))
out=$(run --channel "$CI")
expect_match "$out" ' refreshed=1 ' "one 10 days from expiry (and 50 days old) is refreshed"
expect_eq "$(sql "$D" "SELECT token_expires_at > $((NOW + 50 * 86400)) FROM channel WHERE id = $CI")/$(level channel "$CI")" "1/ok" \
    "... its new expiry stored, level ok"
expect_eq "$(sql "$D" "SELECT hex(token_sealed) <> '$IL_BEFORE' AND token_expires_at > $((NOW + 50 * 86400)) FROM meta_login WHERE id = $IL")" 1 \
    "... and its Instagram Login keeps the new token too"
# Meta answers /me with 190 for a dead Instagram token: invalid, in words.
sqlite3 "$D/fakemeta.db" "UPDATE token SET revoked = 460 WHERE kind = 'ig_long'"
out=$(run --channel "$CI")
expect_eq "$(level channel "$CI")" invalid "a dead Instagram Login token (190 from /me): invalid"
expect_match "$(sql "$D" "SELECT detail FROM token_log WHERE subject_id = $CI AND what = 'check' ORDER BY id DESC LIMIT 1")" \
    'password' "... with the subcode in words (460: the password changed)"
sqlite3 "$D/fakemeta.db" "UPDATE token SET revoked = 0 WHERE kind = 'ig_long'"
out=$(run --channel "$CI")
expect_eq "$(level channel "$CI")" ok "... and valid again once /me answers"

# --- a Page that silently loses its subscription
curl -s -d object=$P2 "$CTL/unsubscribe" >/dev/null
out=$(run --channel "$C2")
expect_match "$out" ' resubscribed=1 ' "a lost subscription is restored ($out)"
expect_match "$(sqlite3 "$D/fakemeta.db" "SELECT fields FROM subscription WHERE object_id = '$P2'")" '^messages,' "... at Meta"

# --- silence: usually an event an hour, none for 10 hours
sql "$D" "WITH RECURSIVE h(n) AS (SELECT 10 UNION ALL SELECT n + 1 FROM h WHERE n < 60)
INSERT INTO webhook_event (received_ms, body, body_sha256, signature, object, routing, state, channel_id)
SELECT ($NOW - n * 3600) * 1000, 'x' || n, 'sha-silence-' || n, 'sig', 'page', 'routed', 'processed', $C1 FROM h"
sql "$D" "UPDATE channel SET last_event_at = $NOW - 36000 WHERE id = $C1"
out=$(run --channel "$C1")
expect_match "$out" ' silent=1 ' "a channel silent 10 h (usually 1 h apart) is flagged ($out)"
expect_match "$(level channel "$C1") $(sql "$D" "SELECT silent_limit_s FROM token_check WHERE subject_id = $C1 AND subject = 'channel'")" \
    '^warning 21600$' "... warning; the learned threshold is at least 6 h"
curl -s -d platform=messenger -d page=$P1 -d 'text=hello again' "$CTL/deliver" >/dev/null
out=$(run --channel "$C1")
expect_match "$out" ' silent=0 ' "events came back: no longer flagged"
expect_eq "$(level channel "$C1")" ok "... level ok again"

# --- the API: levels, words, actions; check now
PW='tokens owner passphrase'
printf '%s\n' "$PW" | HUBGATE_CONFIG=$CFG "$ADMIN" user-add admin@example.org --role admin >/dev/null
J=$TMP/jar
CSRF=$(curl -s -c "$J" -H 'Content-Type: application/json' \
    --data-binary '{"email":"admin@example.org","password":"'"$PW"'"}' "$BASE/api/session" |
    sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
api=$(curl -s -b "$J" "$BASE/api/channels")
expect_eq "$(json "[ [c['token_level'], c['token_link']] for c in j['channels'] if c['id'] == $C3 ][0]" <<<"$api")" \
    '["invalid", "reconnect"]' "/api/channels: P3 invalid, link reconnect"
expect_match "$(json "[ c['token_words'] + ' | ' + c['token_action'] for c in j['channels'] if c['id'] == $C3 ][0]" <<<"$api")" \
    'password of the account was changed.*\| Reconnect the account' "... with the words and the action"
expect_eq "$(json "[ c['token_level'] for c in j['channels'] if c['id'] == $C1 ][0]" <<<"$api")" ok "... P1 ok"
# P2 loses its subscription; the button checks now.
curl -s -d object=$P2 "$CTL/unsubscribe" >/dev/null
r=$(curl -s -w '\n%{http_code}' -b "$J" -H "X-CSRF-Token: $CSRF" -H "Origin: $BASE" --data '' "$BASE/api/channels/$C2/check")
expect_eq "$(tail -n 1 <<<"$r")" 200 "POST /api/channels/ID/check answers 200"
expect_match "$(sed '$d' <<<"$r")" '"token_level":"ok"' "... the channel as checked (re-subscribed: ok)"
expect_eq "$(sql "$D" "SELECT count(*) FROM token_log WHERE subject_id = $C2 AND what = 'resubscribe' AND result = 'ok'")" 3 \
    "... the check ran now (a third re-subscription logged)"

# --- the overview names the tokens in trouble
st=$(curl -s -b "$J" "$BASE/api/stats")
expect_match "$(json "[p['severity'] + ': ' + p['text'] + ' -> ' + p['link'] for p in j['problems'] if 'Page three' in p['text']][0]" <<<"$st")" \
    '^error: Channel "Page three": token invalid: Meta no longer accepts the token: the password .* Reconnect .* -> channels.html$' \
    "/api/stats' problems name an invalid token, with what to do and a link"

# --- a 190 in normal use makes the token due at once; a reconnect
# un-pauses and is checked at the next run
sql "$D" "UPDATE token_check SET next_check_at = $((NOW + 86400)) WHERE subject = 'channel' AND subject_id = $C1"
sql "$D" "UPDATE channel SET token_status = 'invalid' WHERE id = $C1"
expect_eq "$(sql "$D" "SELECT next_check_at FROM token_check WHERE subject = 'channel' AND subject_id = $C1")" 0 \
    "a token marked invalid in use (a send's 190) is due at once"
settoken page $P3 "$(keep "$(ctl_token -d action=issue -d kind=page -d page=$P3)")"
expect_eq "$(sql "$D" "SELECT token_status || ' ' || next_check_at FROM channel JOIN token_check ON subject = 'channel' AND subject_id = channel.id WHERE channel.id = $C3")" \
    "valid 0" "P3 reconnected: its sends resume (valid) and it is due at once"
out=$(run)
expect_eq "$(level channel "$C3")" ok "... the next run finds it ok"
expect_eq "$(level channel "$C1")/$(sql "$D" "SELECT token_status FROM channel WHERE id = $C1")/$(sql "$D" "SELECT count(*) FROM token_log WHERE what = 'resume' AND subject_id = $C1")" "ok/valid/1" \
    "P1, marked invalid in use but valid at Meta: its sends resume, logged"

# --- /health and /metrics
h=$(curl -s "$BASE/health")
expect_match "$h" '"tokens":\{"ok":[0-9]+,"notice":[0-9]+,"warning":[0-9]+,"critical":[0-9]+,"invalid":5' "/health counts tokens per level"
m=$(curl -s "$BASE/metrics")
expect_match "$m" 'hubgate_token_level\{level="invalid"\} 5' "/metrics counts tokens per level"
expect_match "$m" 'hubgate_token_soonest_expiry_seconds [0-9]+' "/metrics has the soonest expiry"

# --- throttling stops a run; the next one resumes
sql "$D" "UPDATE token_check SET next_check_at = 0"
due() { sql "$D" "SELECT count(*) FROM token_check WHERE next_check_at = 0"; }
ALLDUE=$(due)
curl -s -d path=/debug_token -d kind=throttle -d usage=app "$CTL/fault" >/dev/null
out=$(run)
expect_match "$out" 'stopped=throttled' "a throttled answer stops the run ($out)"
LEFT=$(due)
if [ "$LEFT" -gt 0 ]; then ok "... the tokens not checked stay due ($LEFT of $ALLDUE)"; else not_ok "... the tokens not checked stay due"; fi
curl -s -X DELETE "$CTL/fault" >/dev/null
out=$(run)
expect_eq "$(due)" 0 "the next run checks the rest ($out)"

# --- usage near its limit slows the run down (it still finishes)
curl -s -d path=/debug_token -d kind=latency -d usage=near "$CTL/fault" >/dev/null
out=$(run --channel "$C2")
expect_match "$out" 'checked=1 .*slowed=1 ' "X-App-Usage at 95%: the run slows down, and checks ($out)"
curl -s -X DELETE "$CTL/fault" >/dev/null

# --- two overlapping runs
sql "$D" "UPDATE token_check SET next_check_at = 0"
curl -s -d path=/debug_token -d kind=latency -d latency_ms=1500 "$CTL/fault" >/dev/null
run > "$TMP/first.out" &
FIRST=$!
sleep 0.7
second=$(run)
r=$(curl -s -o /dev/null -w '%{http_code}' -b "$J" -H "X-CSRF-Token: $CSRF" -H "Origin: $BASE" --data '' "$BASE/api/channels/$C2/check")
wait $FIRST
expect_eq "$second" "token-refresh: another run is active" "a second run while one is active exits at once"
expect_eq "$r" 409 "... and Check now answers 409 meanwhile"
expect_match "$(cat "$TMP/first.out")" '^token-refresh: checked=' "... the first one did the work"
curl -s -X DELETE "$CTL/fault" >/dev/null

# --- a dry run changes nothing
sql "$D" "UPDATE token_check SET next_check_at = 0"
curl -s -d object=$P2 "$CTL/unsubscribe" >/dev/null
snap() { sql "$D" "SELECT group_concat(x, ';') FROM (SELECT id || hex(coalesce(token_sealed, '')) || token_status || subscribed_fields AS x FROM channel UNION ALL SELECT subject || subject_id || next_check_at || level || coalesce(last_alert_at, '') FROM token_check UNION ALL SELECT count(*) FROM token_log UNION ALL SELECT count(*) FROM audit_log)"; }
S0=$(snap)
out=$(run --dry-run)
expect_match "$out" 'channel '"$C2"': resubscribe dry_run: would re-subscribe' "--dry-run says what it would do"
expect_match "$out" 'dry_run=1' "... and says it was a dry run"
expect_eq "$(snap)" "$S0" "... and changes nothing in the database"
expect_eq "$(sqlite3 "$D/fakemeta.db" "SELECT count(*) FROM subscription WHERE object_id = '$P2'")" 0 "... nor at Meta"

# --- token_log keeps 90 days
sql "$D" "INSERT INTO token_log (at, subject, subject_id, workspace_id, what, result) VALUES ($((NOW - 91 * 86400)), 'channel', $C1, 1, 'check', 'ok'), ($((NOW - 89 * 86400)), 'channel', $C1, 1, 'check', 'ok')"
out=$(run)
expect_match "$out" ' pruned=1 ' "a run prunes token_log lines older than 90 days ($out)"
expect_eq "$(sql "$D" "SELECT count(*) FROM token_log WHERE at < $((NOW - 80 * 86400))")" 1 "... and keeps the younger"

# --- several changes in one run: one message naming them all
C20=$(chan page 104857600000020 'Page twenty'); C21=$(chan page 104857600000021 'Page twenty-one')
T20=$(keep "$(ctl_token -d action=issue -d kind=page -d page=104857600000020)")
T21=$(keep "$(ctl_token -d action=issue -d kind=page -d page=104857600000021)")
settoken page 104857600000020 "$T20"; settoken page 104857600000021 "$T21"
run >/dev/null
MAILS=$(grep -c -- '--END--' "$TMP/alerts/mail.txt"); HOOKS=$(wc -l < "$TMP/alerts/hook.txt")
for t in "$T20" "$T21"; do curl -s -d action=revoke -d "token=$t" -d subcode=458 "$CTL/token" >/dev/null; done
sql "$D" "UPDATE token_check SET next_check_at = 0 WHERE subject = 'channel' AND subject_id IN ($C20, $C21)"
out=$(run)
expect_eq "$(grep -c -- '--END--' "$TMP/alerts/mail.txt")/$(wc -l < "$TMP/alerts/hook.txt")" "$((MAILS + 1))/$((HOOKS + 1))" \
    "two tokens dead in one run: one e-mail, one POST ($out)"
expect_match "$(tail -n 1 "$TMP/alerts/hook.txt")" 'Page twenty\\".*\\n.*Page twenty-one' "... naming both, a line each"
expect_match "$(cat "$TMP/alerts/mail.txt")" 'Subject: hubgate: 2 tokens or channels changed level' "... its subject counts them"

# --- exit status on a configuration error
HUBGATE_CONFIG=$TMP/missing.conf "$TR" >/dev/null 2>&1
expect_eq "$?" 1 "a configuration error exits 1"

# --- no token anywhere
leak=0
while read -r t; do
	[ -n "$t" ] || continue
	for f in "$D/error.log" "$TMP/cron.err" "$TMP/alerts/mail.txt" "$TMP/alerts/hook.txt"; do
		grep -qF -- "$t" "$f" 2>/dev/null && { leak=1; echo "# token in $f"; }
	done
	sql "$D" "SELECT * FROM token_log; SELECT * FROM audit_log; SELECT * FROM token_check" | grep -qF -- "$t" && { leak=1; echo "# token in the database's logs"; }
done < "$ALL_TOKENS"
expect_eq "$leak" 0 "no token in the logs, token_log, the audit log or the alerts"
t_done
