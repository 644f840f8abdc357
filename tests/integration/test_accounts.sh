#!/usr/bin/env bash
# Signing in through a real lighttpd: the one-time setup link (single
# use, expiry, throttled), sign-in and its cookie (flags, also under an
# https base_url), the gate (401 without a session, 403 without the
# CSRF token or from a foreign origin), brute force throttled while the
# real password still works afterwards, passwords, sessions and API
# tokens, the security headers on /api, and no secret in any answer or
# log line.
source "$(dirname "$0")/lib.sh"

t_tmp accounts

D=$TMP/data
new_data "$D"
export HUBGATE_CONFIG=$D/hubgate.conf
OUT=$TMP/answers	# every answer body and header, checked for secrets
: > "$OUT"
JAR=$TMP/jar
CSRF=
PW='correct horse battery staple'

# call METHOD PATH [JSON [extra curl args...]]: sets CODE, BODY, HEAD.
call() {
	local m=$1 p=$2 data=${3:-} args=()
	shift; shift; [ $# -gt 0 ] && shift
	[ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	BODY=$(curl -s -X "$m" -D "$TMP/h" -b "$JAR" -c "$JAR" --max-time 30 \
	    "${args[@]}" "$@" "$BASE$p")
	HEAD=$(tr -d '\r' < "$TMP/h")
	CODE=$(sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' <<< "$HEAD")
	printf '%s\n%s\n' "$HEAD" "$BODY" >> "$OUT"
}
# A state change of the signed-in browser: its CSRF token, its origin.
scall() { call "$1" "$2" "${3:-}" -H "X-CSRF-Token: $CSRF" -H "Origin: $BASE"; }
header() { printf '%s\n' "$HEAD" | sed -n "s/^$1: //Ip"; }
jget() { printf '%s' "$BODY" | python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$1" 2>/dev/null; }

if ! start_lighttpd "$D"; then
	not_ok "lighttpd starts"
	sed 's/^/#   /' "$D/error.log"
	t_done
	exit 1
fi
ok "lighttpd starts"

# --- without a session: 401 everywhere ----------------------------------
for r in "GET /api/session" "DELETE /api/session" "POST /api/session/workspace" \
    "POST /api/password" "GET /api/sessions" "DELETE /api/sessions" \
    "DELETE /api/sessions/1" "GET /api/tokens" "POST /api/tokens" \
    "DELETE /api/tokens/1"; do
	if [ "${r% *}" = GET ]; then call GET "${r#* }"
	else call ${r% *} "${r#* }" '{}'; fi
	expect_eq "$CODE" 401 "without a session: $r is 401"
	expect_match "$BODY" '"status":401' "without a session: $r answers a JSON error"
done

# --- the security headers on /api ----------------------------------------
call GET /api/session
expect_eq "$(header Content-Security-Policy)" "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'" "/api: the CSP"
expect_eq "$(header X-Content-Type-Options)" nosniff "/api: nosniff"
expect_eq "$(header Referrer-Policy)" same-origin "/api: Referrer-Policy"
expect_match "$(header Permissions-Policy)" 'camera=\(\).*geolocation=\(\).*microphone=\(\).*payment=\(\).*usb=\(\)' "/api: Permissions-Policy"
expect_eq "$(header Cache-Control)" no-store "/api: Cache-Control: no-store"
expect_eq "$(header Strict-Transport-Security)" "" "/api: no HSTS under http"

# --- the first setup -------------------------------------------------------
# An expired link is refused (and stays unused).
LINK=$("$ADMIN" setup-link)
sql "$D" "UPDATE setup_token SET expires_at = strftime('%s','now') - 1"
call POST /api/setup '{"token":"'"${LINK#*token=}"'","name":"Olga Owner","email":"olga@example.org","password":"'"$PW"'"}'
expect_eq "$CODE" 404 "setup: an expired link is refused"
expect_eq "$(sql "$D" "SELECT count(*) FROM user")" 0 "setup: the expired link created nobody"
LINK=$("$ADMIN" setup-link)
expect_match "$LINK" '^http://127\.0\.0\.1:8080/setup\.html\?token=[A-Za-z0-9_-]{43}$' "setup-link prints BASE/setup.html?token="
TOKEN=${LINK#*token=}
expect_eq "$(sql "$D" "SELECT count(*) FROM setup_token WHERE hash = '$TOKEN'")" 0 "the setup token itself is not stored"
expect_eq "$(sql "$D" "SELECT count(*) FROM setup_token WHERE used_at IS NULL AND expires_at BETWEEN strftime('%s','now') + 3590 AND strftime('%s','now') + 3600")" 1 "the setup token is valid one hour"
call POST /api/setup '{"token":"'"$TOKEN"'","name":"Olga Owner","email":"olga@example.org","password":"password"}'
expect_eq "$CODE" 400 "setup: a weak password is refused"
call POST /api/setup '{"token":"'"$TOKEN"'","name":"Olga Owner","email":"olga@example.org","password":"'"$PW"'"}'
expect_eq "$CODE" 200 "setup: the link creates the owner"
expect_eq "$(sql "$D" "SELECT u.operator || m.role || m.workspace_id FROM user u JOIN membership m ON m.user_id = u.id WHERE u.email = 'olga@example.org'")" "1owner1" "setup: operator and owner of workspace 1"
call POST /api/setup '{"token":"'"$TOKEN"'","name":"Eve","email":"eve@example.org","password":"'"$PW"'"}'
expect_eq "$CODE" 404 "setup: the link works once"
expect_eq "$(sql "$D" "SELECT count(*) FROM user")" 1 "setup: nobody else was created"
"$ADMIN" setup-link >/dev/null 2>&1
expect_eq "$?" 1 "setup-link refuses once somebody has an account"

# --- sign in ----------------------------------------------------------------
call POST /api/session '{"email":"olga@example.org","password":"wrong password 1"}'
expect_eq "$CODE" 401 "sign-in: a wrong password is 401"
call POST /api/session '{"email":"nobody@example.org","password":"wrong password 1"}'
expect_eq "$CODE" 401 "sign-in: an unknown e-mail is 401 too"
call POST /api/session '{"email":"olga@example.org","password":"'"$PW"'"}'
expect_eq "$CODE" 200 "sign-in: the right password is 200"
CSRF=$(jget "['csrf_token']")
expect_match "$CSRF" '^[A-Za-z0-9_-]{20,}$' "sign-in: the answer has csrf_token"
COOKIE=$(header Set-Cookie)
expect_match "$COOKIE" '^hg_session=[A-Za-z0-9_-]{43}; Path=/; Max-Age=[0-9]+; HttpOnly; SameSite=Lax$' "cookie: hg_session, Path=/, HttpOnly, SameSite=Lax"
SID=$(sed -n 's/^hg_session=\([^;]*\).*/\1/p' <<< "$COOKIE")
call GET /api/session
expect_eq "$CODE" 200 "GET /api/session with the cookie"
expect_eq "$(jget "['user']['email']")|$(jget "['workspace']['role']")|$(jget "['workspace']['id']")|$(jget "['csrf_token']")" \
    "olga@example.org|owner|1|$CSRF" "GET /api/session: user, workspace, csrf_token"
expect_eq "$(jget "['workspaces'][0]['name']")" "$(sql "$D" "SELECT name FROM workspace WHERE id = 1")" "GET /api/session: workspaces"

# --- CSRF and origin ---------------------------------------------------------
call POST /api/tokens '{"name":"ci","scope":"read"}' -H "Origin: $BASE"
expect_eq "$CODE" 403 "a state change without X-CSRF-Token is 403"
call POST /api/tokens '{"name":"ci","scope":"read"}' -H "X-CSRF-Token: $CSRF" -H 'Origin: http://evil.example'
expect_eq "$CODE" 403 "a state change from a foreign Origin is 403"
call POST /api/tokens '{"name":"ci","scope":"read"}' -H "X-CSRF-Token: wrong$CSRF" -H "Origin: $BASE"
expect_eq "$CODE" 403 "a state change with a wrong CSRF token is 403"
call DELETE /api/session '' -H "Origin: $BASE"
expect_eq "$CODE" 403 "sign-out without the CSRF token is 403"
expect_eq "$(sql "$D" "SELECT count(*) FROM api_token")" 0 "nothing was created by the refused requests"

# --- API tokens ------------------------------------------------------------------
scall POST /api/tokens '{"name":"monitoring","scope":"read"}'
expect_eq "$CODE" 201 "POST /api/tokens: 201"
TOK=$(jget "['token']")
TOKID=$(jget "['id']")
expect_match "$TOK" '^[A-Za-z0-9_-]{43}$' "the token is answered once"
scall POST /api/tokens '{"name":"x","scope":"all"}'
expect_eq "$CODE" 400 "a token's scope is read or role"
call GET /api/tokens
expect_eq "$(jget "['tokens'][0]['name']")|$(jget "['tokens'][0]['scope']")" "monitoring|read" "GET /api/tokens lists it"
expect_eq "$(grep -c -- "$TOK" <<< "$BODY")" 0 "the listing has no token value"
BODY=$(curl -s -H "Authorization: Bearer $TOK" "$BASE/api/session")
expect_match "$BODY" '"status":401' "a token is not a browser session"
BODY=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $TOK" "$BASE/api/tokens/$TOKID")
expect_eq "$BODY" 401 "a token cannot manage tokens"
scall DELETE "/api/tokens/$TOKID"
expect_eq "$CODE" 200 "DELETE /api/tokens/ID revokes"
scall DELETE "/api/tokens/$TOKID"
expect_eq "$CODE" 404 "revoking it again is 404"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action IN ('token_created','token_revoked')")" 2 "audit: token created and revoked"

# --- sessions ---------------------------------------------------------------------
JAR2=$TMP/jar2
B2=$(curl -s -c "$JAR2" -H 'Content-Type: application/json' --data-binary '{"email":"olga@example.org","password":"'"$PW"'"}' "$BASE/api/session")
printf '%s\n' "$B2" >> "$OUT"
call GET /api/sessions
expect_eq "$(jget "['sessions'].__len__()")" 2 "GET /api/sessions lists both"
OTHER=$(printf '%s' "$BODY" | python3 -c "import json,sys; print([s['id'] for s in json.load(sys.stdin)['sessions'] if not s['current']][0])")
scall DELETE "/api/sessions/$OTHER"
expect_eq "$CODE" 200 "DELETE /api/sessions/ID ends the other"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR2" "$BASE/api/session")" 401 "the other browser is signed out"
scall DELETE "/api/sessions/$OTHER"
expect_eq "$CODE" 404 "ending it again is 404"

# --- fixation: a cookie planted before sign-in is not kept ------------------------
call GET /api/session '' -b "hg_session=$SID"
expect_eq "$CODE" 200 "(the current session)"
curl -s -o /dev/null -c "$TMP/jar3" -b "hg_session=$SID" -H 'Content-Type: application/json' \
    --data-binary '{"email":"olga@example.org","password":"'"$PW"'"}' "$BASE/api/session"
NEW=$(awk '$6 == "hg_session" {print $7}' "$TMP/jar3")
expect_match "$NEW" '^[A-Za-z0-9_-]{43}$' "fixation: signing in sets a new cookie"
[ "$NEW" != "$SID" ] && ok "fixation: the new session id differs" || not_ok "fixation: the new session id differs"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -b "hg_session=$SID" "$BASE/api/session")" 401 "fixation: the old session id is dead"
JAR=$TMP/jar3
call GET /api/session
CSRF=$(jget "['csrf_token']")

# --- password change -----------------------------------------------------------------
scall POST /api/password '{"current_password":"not it at all","password":"a brand new passphrase"}'
expect_eq "$CODE" 403 "password: a wrong current password is 403"
scall POST /api/password '{"current_password":"'"$PW"'","password":"short"}'
expect_eq "$CODE" 400 "password: a weak new one is 400"
curl -s -o /dev/null -c "$JAR2" -H 'Content-Type: application/json' --data-binary '{"email":"olga@example.org","password":"'"$PW"'"}' "$BASE/api/session"
PW2='a brand new passphrase'
scall POST /api/password '{"current_password":"'"$PW"'","password":"'"$PW2"'"}'
expect_eq "$CODE" 200 "password: changed"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR2" "$BASE/api/session")" 401 "password: the other sessions ended"
call GET /api/session
expect_eq "$CODE" 200 "password: this session lives on"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'password_changed'")" 1 "audit: password changed"

# --- brute force ------------------------------------------------------------------------
codes=
for i in 1 2 3 4 5 6; do
	call POST /api/session '{"email":"olga@example.org","password":"guess number '$i'"}' -b /dev/null
	codes="$codes $CODE"
done
expect_match "$codes" '^ 401 401 401 401( 429)+$' "brute force: 401 three times free, then 429"
RA=$(header Retry-After)
expect_match "$RA" '^[0-9]+$' "brute force: 429 has Retry-After"
call POST /api/session '{"email":"olga@example.org","password":"'"$PW2"'"}' -b /dev/null
expect_eq "$CODE" 429 "brute force: even the right password waits"
sleep $((RA + 1))
call POST /api/session '{"email":"olga@example.org","password":"'"$PW2"'"}'
expect_eq "$CODE" 200 "brute force: the real password works after the wait"
CSRF=$(jget "['csrf_token']")
expect_match "$(sql "$D" "SELECT group_concat(DISTINCT action) FROM audit_log")" 'sign_in_failed' "audit: failed sign-ins"

# --- sign out ------------------------------------------------------------------------------
scall DELETE /api/session
expect_eq "$CODE" 200 "DELETE /api/session signs out"
expect_match "$(header Set-Cookie)" '^hg_session=; .*Max-Age=0' "sign-out expires the cookie"
call GET /api/session
expect_eq "$CODE" 401 "signed out: 401"
expect_match "$(sql "$D" "SELECT group_concat(DISTINCT action) FROM audit_log")" 'sign_out' "audit: sign-out"

# --- user-add from the command line ---------------------------------------------------------
OUTP=$(printf 'agent password 12345\n' | "$ADMIN" user-add amy@example.org --role agent)
expect_match "$OUTP" '^user [0-9]+ added as agent of workspace 1$' "user-add reads the password from standard input"
call POST /api/session '{"email":"amy@example.org","password":"agent password 12345"}'
expect_eq "$CODE|$(jget "['workspace']['role']")" "200|agent" "the added agent signs in"
printf 'x\n' | "$ADMIN" user-add bob@example.org --role agent >/dev/null 2>&1
expect_eq "$?" 1 "user-add refuses a weak password"
"$ADMIN" user-add bob@example.org --role king </dev/null >/dev/null 2>&1
expect_eq "$?" 2 "user-add refuses an unknown role"

# --- no secrets anywhere --------------------------------------------------------------------
stop_lighttpd
LOGS=$(cat "$D/error.log" "$D"/*.log 2>/dev/null)
for s in "$PW" "$PW2" "agent password 12345" "$TOK" "$TOKEN" "$SID" "$NEW"; do
	[ -n "$s" ] || continue
	if grep -qF -- "$s" <<< "$LOGS"; then not_ok "a secret is in a log line"; else ok "no secret in the logs"; fi
done
for h in $(sql "$D" "SELECT password_hash FROM user UNION ALL SELECT id FROM session UNION ALL SELECT hash FROM api_token UNION ALL SELECT hash FROM setup_token"); do
	if grep -qF -- "$h" "$OUT" || grep -qF -- "$h" <<< "$LOGS"; then
		not_ok "a stored hash is in an answer or log line"
	else ok "no stored hash in answers or logs"; fi
done
for s in "$PW" "$PW2" "$TOKEN"; do
	if grep -qF -- "$s" "$OUT"; then not_ok "a secret is in an answer"; else ok "no password or setup token in any answer"; fi
done
expect_eq "$(grep -c 'olga@example.org' <<< "$LOGS")" 0 "e-mail addresses are masked in log lines"

# --- under an https base_url: __Host- cookie, Secure, HSTS ------------------------------------
echo 'base_url = https://hubgate.example' >> "$D/hubgate.conf"
start_lighttpd "$D" || not_ok "lighttpd restarts"
call POST /api/session '{"email":"olga@example.org","password":"'"$PW2"'"}' -H 'Origin: https://hubgate.example'
expect_eq "$CODE" 200 "https: sign-in"
expect_match "$(header Set-Cookie)" '^__Host-hg_session=[A-Za-z0-9_-]{43}; Path=/; Max-Age=[0-9]+; HttpOnly; SameSite=Lax; Secure$' "https: __Host- prefix and Secure"
expect_match "$(header Strict-Transport-Security)" '^max-age=[0-9]+' "https: HSTS"
t_done
