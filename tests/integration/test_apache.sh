#!/usr/bin/env bash
# The programs behind a real Apache 2.4, configured by the very files
# the repository ships:
#   1. apache.conf       mod_fcgid (the recommended deployment)
#   2. apache-cgi.conf   the same binaries as plain CGI (mod_cgid)
#   3. the .htaccess of apache-cgi.conf's shared-hosting notes
# Each run gets its own data directory, configuration and database,
# owned by www-data since Apache runs the programs as that user.
source "$(dirname "$0")/lib.sh"

# Not under HUBGATE_TEST_TMP: www-data must traverse every directory
# above the data, and tests/run.sh keeps that one private.
TMP=$(mktemp -d /tmp/hubgate-apache.XXXXXX)
chmod 755 "$TMP"
CUR=
cleanup() {
	[ -n "$CUR" ] && stop_apache "$CUR" >/dev/null
	CUR=
	if [ "$T_FAILED" = 0 ]; then rm -rf "$TMP"
	else echo "# logs kept in $TMP (*/apache/error.log)"; fi
}
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM

MSG=$PAYLOADS/messenger-text.json
# A 300 KB body: over mod_fcgid's default limit, under hubgate's.
big=$TMP/big.json
{ printf '{"object":"page","entry":[],"pad":"'
  head -c 300000 /dev/zero | tr '\0' a; printf '"}'; } > "$big"

# code URL [curl args]: the status of a request.
code() {
	local url=$1; shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$url"
}

# events DIR: rows in DIR's event journal.
events() { sql "$1" "SELECT count(*) FROM webhook_event"; }

# stop DIR LABEL: stop DIR's Apache; one check that nothing was left.
stop() {
	local rc
	stop_apache "$1"
	rc=$?
	CUR=
	if [ $rc = 0 ]; then ok "$2: Apache stopped, nothing left running"
	else not_ok "$2: Apache stopped, nothing left running"
		tail -5 "$1/apache/error.log" | sed 's/^/#   /'
	fi
}

# signin DIR LABEL: a person added from the command line signs in
# (cookie, CSRF token), creates an API token, and the token reaches the
# dashboard through Apache (Authorization must be passed to programs).
signin() {
	local d=$1 v=$2 jar=$TMP/jar-$2 b csrf tok h
	printf 'apache owner passphrase\n' |
	    HUBGATE_CONFIG=$d/hubgate.conf "$ADMIN" user-add "own-$v@example.org" --role owner >/dev/null
	chown -R "$APACHE_USER:$APACHE_USER" "$d"
	expect_eq "$(code "$BASE/api/session")" 401 "$v: GET /api/session without a session is 401"
	b=$(curl -s -c "$jar" -D "$TMP/h-$v" -H 'Content-Type: application/json' \
	    --data-binary '{"email":"own-'"$v"'@example.org","password":"apache owner passphrase"}' "$BASE/api/session")
	csrf=$(printf '%s' "$b" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
	expect_match "$csrf" '^[A-Za-z0-9_-]{20,}$' "$v: POST /api/session signs in"
	h=$(tr -d '\r' < "$TMP/h-$v")
	expect_match "$h" $'\n''Set-Cookie: hg_session=[^;]*; Path=/; Max-Age=[0-9]+; HttpOnly; SameSite=Lax' "$v: the session cookie and its flags"
	expect_match "$h" $'\n''Content-Security-Policy: default-src' "$v: /api answers carry the CSP"
	expect_eq "$(code "$BASE/api/tokens" -b "$jar" -H 'Content-Type: application/json' \
	    --data-binary '{"name":"ci","scope":"read"}')" 403 "$v: without the CSRF token: 403"
	b=$(curl -s -b "$jar" -H "X-CSRF-Token: $csrf" -H "Origin: $BASE" -H 'Content-Type: application/json' \
	    --data-binary '{"name":"ci","scope":"read"}' "$BASE/api/tokens")
	tok=$(printf '%s' "$b" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
	expect_match "$tok" '^[A-Za-z0-9_-]{43}$' "$v: an API token is created"
	# A session-only route refuses a request that carries a Bearer
	# token, cookie or not: 401 shows the program saw Authorization.
	expect_eq "$(code "$BASE/api/session" -b "$jar")" 200 "$v: the cookie alone opens /api/session"
	expect_eq "$(code "$BASE/api/session" -b "$jar" -H "Authorization: Bearer $tok")" 401 \
	    "$v: Authorization reaches the program"
	b=$(curl -s -b "$jar" -H "X-CSRF-Token: $csrf" -H "Origin: $BASE" -X DELETE "$BASE/api/session")
	expect_match "$b" '"ok":true' "$v: DELETE /api/session signs out"
	expect_eq "$(code "$BASE/api/session" -b "$jar")" 401 "$v: signed out"
}

# The essential checks, for every variant.
essentials() {
	local d=$1 v=$2 body before
	body=$(curl -s --max-time 10 -w '\n%{http_code}' "$BASE/health")
	expect_eq "${body##*$'\n'}" 200 "$v: GET /health is 200"
	expect_match "${body%$'\n'*}" '"status":"ok"' "$v: /health says status ok"
	body=$(curl -s --max-time 10 -w '\n%{http_code}' "$BASE/metrics")
	expect_eq "${body##*$'\n'}" 200 "$v: GET /metrics from loopback is 200"
	expect_match "${body%$'\n'*}" 'hubgate_queue_events\{state="pending"\} [0-9]+' \
	    "$v: /metrics has the queue's states"

	before=$(events "$d")
	expect_eq "$(post "$MSG")" 200 "$v: signed POST /webhook is 200"
	expect_eq "$(events "$d")" $((before + 1)) "$v: the event is in the database"
	expect_eq "$(sql "$d" "SELECT count(*) FROM webhook_event
	    WHERE body = readfile('$MSG')")" 1 \
	    "$v: stored byte for byte"
	expect_eq "$(sql "$d" "SELECT state FROM webhook_event
	    WHERE body = readfile('$MSG')")" processed \
	    "$v: processed in the commit that stored it"
	expect_eq "$(post "$MSG" "$(sign "$MSG" wrong-secret-0123456789)")" 401 \
	    "$v: POST signed with another secret is 401"
	expect_eq "$(events "$d")" $((before + 1)) "$v: ... and not stored"
	signin "$d" "$v"
	# ServerTokens is the server's, out of reach of a .htaccess.
	[ "$v" = htaccess ] && return
	expect_no_version "$BASE/health" "$v: no version in /health's headers"
	expect_no_version "$BASE/index.html" "$v: no version for a static file"
	expect_no_version "$BASE/no-such-file" "$v: no version on a 404 page"
}

# --- 1. mod_fcgid: apache.conf ----------------------------------------
D=$TMP/fcgid
apache_data "$D"
CUR=$D
if start_apache "$D" "$HUBGATE_ROOT/apache.conf"; then
	ok "fcgid: Apache starts with apache.conf"
	essentials "$D" fcgid

	ct=$(curl -s -o /dev/null -w '%{content_type}' "$BASE/health")
	expect_match "$ct" '^application/json' "fcgid: /health is JSON"
	v="$BASE/webhook?hub.mode=subscribe&hub.challenge=1158201444"
	expect_eq "$(curl -s --max-time 10 "$v&hub.verify_token=$TEST_VERIFY")" \
	    1158201444 "fcgid: verification with the right token echoes the challenge"
	expect_eq "$(code "$v&hub.verify_token=not-the-token")" 403 \
	    "fcgid: verification with a wrong token is 403"
	expect_eq "$(post "$MSG" "")" 401 "fcgid: unsigned POST is 401"
	hdr=$(curl -s -o /dev/null -D - --max-time 10 -X PUT \
	    --data-binary "@$MSG" "$BASE/webhook" | tr -d '\r')
	expect_match "$hdr" '^HTTP/1.1 405' "fcgid: PUT /webhook is 405"
	expect_match "$hdr" $'\nAllow: [^\n]*POST' "fcgid: ... with an Allow header"
	expect_eq "$(curl -s --max-time 10 "$BASE/")" \
	    "$(cat "$HUBGATE_ROOT/htdocs/index.html")" "fcgid: / serves htdocs/index.html"
	expect_match "$(curl -s -o /dev/null -w '%{content_type}' "$BASE/index.html")" \
	    '^text/html; charset=utf-8' "fcgid: index.html is text/html; charset=utf-8"
	api=$(curl -s -D - --max-time 10 "$BASE/api/no-such-thing" | tr -d '\r')
	expect_match "$api" '^HTTP/1.1 404.*application/json' \
	    "fcgid: /api/... reaches the dashboard (JSON 404)"
	expect_eq "$(code "$BASE/healthz")" 404 "fcgid: /healthz is not /health"
	expect_eq "$(code "$BASE/_meta/dialog/oauth")" 403 "fcgid: /_meta is not mounted"
	expect_eq "$(code "$BASE/.htaccess")" 403 "fcgid: dotfiles are denied"
	expect_eq "$(code "$BASE/hubgate.db")" 403 "fcgid: database-like files are denied"
	# A body over mod_fcgid's 128 KiB default still reaches hubgate.
	expect_match "$(post "$big")" '^(200|400)$' \
	    "fcgid: a 300 KB body reaches the program (FcgidMaxRequestLen)"
	expect_eq "$(code "$BASE/health" -X POST --data-binary "@$big")" 405 \
	    "fcgid: a body the program does not read still gets its answer"
	stop "$D" fcgid
	[ -z "${APACHE_STUCK:-}" ] && ok "fcgid: the programs exit on SIGTERM" ||
	    echo "# warning: FastCGI programs ignored SIGTERM and were killed"
else
	not_ok "fcgid: Apache starts with apache.conf"
	tail -20 "$D/apache/error.log" 2>/dev/null | sed 's/^/#   /'
	stop_apache "$D" >/dev/null
	CUR=
fi

# --- 2. plain CGI: apache-cgi.conf ------------------------------------
D=$TMP/cgi
apache_data "$D"
CUR=$D
if start_apache "$D" "$HUBGATE_ROOT/apache-cgi.conf"; then
	ok "cgi: Apache starts with apache-cgi.conf"
	essentials "$D" cgi
	expect_eq "$(code "$BASE/api/no-such-thing")" 404 "cgi: /api/... reaches the dashboard"
	expect_eq "$(code "$BASE/_meta/x")" 403 "cgi: /_meta is not mounted"
	# Connecting accounts as CGI: the sign-in redirect, a signed
	# data deletion and its status page, a bad signature refused.
	expect_eq "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$BASE/oauth/login?platform=facebook")" \
	    "302 $BASE/login.html?next=channels.html" "cgi: /oauth/login without a session: to the sign-in page"
	sr=$(python3 -c 'import sys,hmac,hashlib,base64
b=lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
import time
p=b(("{\"algorithm\":\"HMAC-SHA256\",\"issued_at\":%d,\"user_id\":\"555000111\"}" % time.time()).encode())
print(b(hmac.new(sys.argv[1].encode(), p.encode(), hashlib.sha256).digest()) + "." + p)' "$TEST_SECRET")
	body=$(curl -s --max-time 10 --data-urlencode "signed_request=$sr" "$BASE/oauth/data-deletion")
	expect_match "$body" '^\{"url":"http://[^"]*/oauth/deletion-status\?code=[A-Za-z0-9_-]{22}","confirmation_code":"[A-Za-z0-9_-]{22}"\}$' \
	    "cgi: a signed data deletion answers its status URL and code"
	expect_match "$(curl -s --max-time 10 "$BASE/oauth/deletion-status?code=$(printf '%s' "$body" | sed -n 's/.*"confirmation_code":"\([^"]*\)".*/\1/p')")" \
	    'hubgate erased what it held about this person' "cgi: the deletion status page"
	expect_eq "$(code "$BASE/oauth/deauthorize" --data-urlencode "signed_request=${sr}x")" 400 \
	    "cgi: a bad signed_request is 400"
	# A program that answers without reading the body must still
	# reach the client: mod_cgid passes one socket both ways, so the
	# CGI drains the unread body before it exits.
	expect_eq "$(code "$BASE/webhook" -X PUT --data-binary "@$big")" 405 \
	    "cgi: a body the program does not read still gets its answer"
	# A refused request costs a CGI no write to the database.
	before=$(sql "$D" "SELECT count(*) FROM counter WHERE name LIKE 'webhook.%'")
	for _ in 1 2 3 4 5; do
		code "$BASE/webhook?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong-token-0123456789" >/dev/null
	done
	expect_eq "$(code "$BASE/webhook?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong-token-0123456789")" 403 \
	    "cgi: a wrong verify token is refused"
	expect_eq "$(sql "$D" "SELECT count(*) FROM counter WHERE name = 'webhook.verify_refused'")" 0 \
	    "cgi: refusals are not counted in the database"
	expect_eq "$(sql "$D" "SELECT count(*) FROM counter WHERE name LIKE 'webhook.%'")" "$before" \
	    "cgi: no counter written for them"
	stop "$D" cgi
else
	not_ok "cgi: Apache starts with apache-cgi.conf"
	tail -20 "$D/apache/error.log" 2>/dev/null | sed 's/^/#   /'
	stop_apache "$D" >/dev/null
	CUR=
fi

# --- 3. shared hosting: the .htaccess of apache-cgi.conf ---------------
D=$TMP/htaccess
apache_data "$D"
# The user's installed copy (start_apache makes the same one again),
# and the web root linking to it.
apache_www "$D/www"
WWW=$TMP/www
mkdir -p "$WWW"
cp -R "$D/www/htdocs/." "$WWW/"
ln -s "$D/www/cgi-bin/webhook" "$WWW/webhook"
for u in health metrics api; do
	ln -s "$D/www/cgi-bin/dashboard" "$WWW/$u"
done
# The example, as documented: the "#   " lines after its heading.
sed -n '/^# and this public_html\/.htaccess/,/^# Do NOT rewrite/s/^#   //p' \
    "$HUBGATE_ROOT/apache-cgi.conf" |
    sed "s|/home/USER/hubgate/hubgate.conf|$D/hubgate.conf|" > "$WWW/.htaccess"
chmod -R a+rX "$WWW"
cat > "$TMP/htaccess-site.conf" <<SITE
# A shared host: the user's web root, .htaccess allowed.
<VirtualHost *:\${HUBGATE_PORT}>
	DocumentRoot "$WWW"
	<Directory "$WWW">
		AllowOverride FileInfo Options Indexes
		Require all granted
	</Directory>
</VirtualHost>
SITE
CUR=$D
if grep -q '^SetEnv HUBGATE_CONFIG' "$WWW/.htaccess" &&
    start_apache "$D" "$TMP/htaccess-site.conf"; then
	ok "htaccess: Apache starts with the documented .htaccess"
	essentials "$D" htaccess
	expect_eq "$(code "$BASE/api/no-such-thing")" 404 "htaccess: /api/... reaches the dashboard"
	expect_eq "$(curl -s --max-time 10 "$BASE/")" \
	    "$(cat "$HUBGATE_ROOT/htdocs/index.html")" "htaccess: / serves index.html"
	expect_eq "$(code "$BASE/.htaccess")" 404 "htaccess: .htaccess is hidden"
	expect_eq "$(code "$BASE/_meta/x")" 404 "htaccess: /_meta is hidden"
	stop "$D" htaccess
else
	not_ok "htaccess: Apache starts with the documented .htaccess"
	tail -20 "$D/apache/error.log" 2>/dev/null | sed 's/^/#   /'
	stop_apache "$D" >/dev/null
	CUR=
fi

t_done
