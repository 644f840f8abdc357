#!/usr/bin/env bash
# require_https and trusted_proxies through a real lighttpd.  Every
# request here comes from loopback, which stays allowed over plain http
# when HTTPS is required; a loopback address listed in trusted_proxies
# loses that exemption (a proxy speaks for clients anywhere), so its
# X-Forwarded-Proto decides (and X-Forwarded-For names the client for
# the sign-in throttle and the audit log), and the same headers from an
# address not listed are not believed.  (A client that is neither loopback nor a
# proxy cannot be made on one machine: tests/unit/test_https.c covers
# it.)  HSTS is sent under an https base_url.
source "$(dirname "$0")/lib.sh"

t_tmp https

D=$TMP/data
new_data "$D"
export HUBGATE_CONFIG=$D/hubgate.conf
cp "$D/hubgate.conf" "$TMP/base.conf"

# serve LINES: restart lighttpd with the base configuration plus LINES.
serve() {
	stop_lighttpd
	{ cat "$TMP/base.conf"; printf '%s\n' "$1"; } > "$D/hubgate.conf"
	if ! start_lighttpd "$D"; then
		not_ok "lighttpd starts with: $1"
		sed 's/^/#   /' "$D/error.log"
		t_done
		exit 1
	fi
}
# call METHOD PATH [curl args...]: sets CODE, BODY, HEAD.
call() {
	local m=$1 p=$2
	shift 2
	BODY=$(curl -s -X "$m" -D "$TMP/h" --max-time 30 "$@" "$BASE$p")
	HEAD=$(tr -d '\r' < "$TMP/h")
	CODE=$(sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' <<< "$HEAD")
}
header() { printf '%s\n' "$HEAD" | sed -n "s/^$1: //Ip"; }
SETUP='{"token":"x","name":"A","email":"a@example.org","password":"long enough password"}'

# --- auto with an https base_url: loopback over http still works --------
serve "base_url = https://hub.example
require_https = auto"
call GET /api/session
expect_eq "$CODE" 401 "https base_url, require_https = auto: loopback over http reaches the gate (401, not 403)"
expect_eq "$(header Strict-Transport-Security)" "max-age=31536000" \
    "HSTS is sent under an https base_url"
call GET /api/session -H 'X-Forwarded-Proto: http'
expect_eq "$CODE" 401 "X-Forwarded-Proto: http from loopback, no proxy trusted: not believed, still allowed"

# --- yes: loopback allowed, setup too ------------------------------------
serve "require_https = yes"
call GET /api/session
expect_eq "$CODE" 401 "require_https = yes: loopback over http reaches the gate"
call POST /api/setup -H 'Content-Type: application/json' --data-binary "$SETUP"
expect_eq "$CODE" 404 "require_https = yes: the setup endpoint answers loopback (an unknown link: 404)"
[[ $BODY == *HTTPS* ]] && not_ok "setup from loopback is not refused for HTTPS" ||
    ok "setup from loopback is not refused for HTTPS"
expect_eq "$(header Strict-Transport-Security)" "" "no HSTS under an http base_url"

# --- loopback is a trusted proxy: its header decides ----------------------
serve "require_https = yes
trusted_proxies = ::1, 127.0.0.1"
call GET /api/session
expect_eq "$CODE" 403 "a trusted proxy on loopback without X-Forwarded-Proto: 403"
expect_eq "$BODY" '{"error":{"status":403,"message":"HTTPS is required: open the dashboard at its https:// address"}}' \
    "the refusal is JSON saying HTTPS is required"
expect_eq "$(header Content-Security-Policy)" \
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'" \
    "the refusal carries the security headers"
call GET /api/session -H 'X-Forwarded-Proto: http'
expect_eq "$CODE" 403 "a trusted proxy saying http: 403"
call GET /api/session -H 'X-Forwarded-Proto: https'
expect_eq "$CODE" 401 "a trusted proxy saying https: let through (401 from the gate)"
call POST /api/setup -H 'Content-Type: application/json' --data-binary "$SETUP"
expect_eq "$CODE" 403 "the setup endpoint over http through the proxy: 403"
expect_match "$BODY" 'HTTPS is required' "... saying HTTPS is required"
call POST /api/session -H 'Content-Type: application/json' \
    --data-binary '{"email":"a@example.org","password":"long enough password"}'
expect_eq "$CODE" 403 "signing in over http through the proxy: 403"
call GET /health
expect_eq "$CODE" 200 "/health is not the dashboard: answered over http"
call GET /metrics -H 'Authorization: Bearer not-sent-in-clear'
expect_eq "$CODE" 403 "/metrics (a Bearer token in clear) is refused too"
expect_match "$BODY" '^HTTPS is required' "... with a text message outside /api"

# --- another address is trusted: loopback's header is not believed -------
serve "require_https = yes
trusted_proxies = 192.0.2.1"
call GET /api/session -H 'X-Forwarded-Proto: http'
expect_eq "$CODE" 401 "X-Forwarded-Proto from an untrusted address is not believed (loopback stays allowed)"

# --- no: nothing refused ---------------------------------------------------
serve "base_url = https://hub.example
require_https = no
trusted_proxies = 127.0.0.1"
call GET /api/session
expect_eq "$CODE" 401 "require_https = no: a trusted proxy's plain http is let through"

# --- behind a trusted proxy the throttle and the audit log see the client -
signin_bad() {
	call POST /api/session -H 'Content-Type: application/json' "$@" \
	    --data-binary '{"email":"nobody@example.org","password":"wrong password 1"}'
}
signin_bad -H 'X-Forwarded-For: 198.51.100.1, 203.0.113.7'
expect_eq "$CODE" 401 "a wrong sign-in through the trusted proxy: 401"
signin_bad -H 'X-Forwarded-For: 2001:db8::9'
expect_eq "$(sql "$D" "SELECT group_concat(key) FROM (SELECT key FROM login_throttle WHERE key LIKE 'addr:%' ORDER BY key)")" \
    "addr:2001:db8::9,addr:203.0.113.7" \
    "the throttle counts each client (the last X-Forwarded-For address), not the proxy"
expect_eq "$(sql "$D" "SELECT group_concat(remote) FROM (SELECT remote FROM audit_log WHERE action = 'sign_in_failed' ORDER BY id)")" \
    "203.0.113.7,2001:db8::9" "the audit log's remote is the client's address"
signin_bad -H 'X-Forwarded-For: 203.0.113.7, not-an-address'
expect_eq "$(sql "$D" "SELECT count(*) FROM login_throttle WHERE key = 'addr:127.0.0.1'")" 1 \
    "an X-Forwarded-For that ends in no address: the proxy's own address"
sql "$D" "DELETE FROM login_throttle; DELETE FROM audit_log"
serve "trusted_proxies = 192.0.2.1"
signin_bad -H 'X-Forwarded-For: 203.0.113.8'
expect_eq "$(sql "$D" "SELECT group_concat(key) FROM login_throttle WHERE key LIKE 'addr:%'")" addr:127.0.0.1 \
    "X-Forwarded-For from an untrusted address is not believed by the throttle"
expect_eq "$(sql "$D" "SELECT group_concat(remote) FROM audit_log")" 127.0.0.1 "nor by the audit log"

# --- a bad value stops the program -----------------------------------------
serve "trusted_proxies = proxy.example"
call GET /api/session
expect_eq "$CODE" 503 "trusted_proxies that is no address: the dashboard answers 503"
grep -q 'trusted_proxies: not a comma-separated list of IP addresses' "$D/error.log" "$D"/*.log 2>/dev/null &&
    ok "... and the error names the key" || not_ok "... and the error names the key"

t_done
