#!/usr/bin/env bash
# Connecting accounts when the programs run as plain CGI under Apache
# (apache-cgi.conf, as on shared hosting), with the fake of Meta
# mounted beside them as one more CGI program: Facebook Login from
# /oauth/login through the fake's consent page to the picker, two
# Pages and an Instagram account connected (tokens sealed,
# subscriptions read back); Instagram Login; a WhatsApp number by form;
# a message to a connected Page stored and shown in the inbox; one
# channel disconnected (unsubscribed at Meta, token erased); and no
# token in any answer or log line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
# Not under HUBGATE_TEST_TMP: www-data must traverse every directory
# above the data.
TMP=$(mktemp -d /tmp/hubgate-cgilogin.XXXXXX)
chmod 755 "$TMP"
D=$TMP/d
cleanup() {
	stop_apache "$D" >/dev/null 2>&1
	apache_sanitizer_reports "$D" >/dev/null 2>&1
	if [ "$T_FAILED" = 0 ]; then rm -rf "$TMP"
	else echo "# logs kept in $TMP (d/apache/error.log, d/*.log)"; fi
}
trap cleanup EXIT
IG_APP=990000000000001
apache_data "$D"
# apache-cgi.conf as shipped, and the fake at /_meta (which the shipped
# file refuses).
sed -e 's|^\([[:space:]]*\)ScriptAlias /oauth .*|&\n\1ScriptAlias /_meta ${HUBGATE_CGI}/fakemeta|' \
    -e '/<Location \/_meta>/,/<\/Location>/d' \
    "$HUBGATE_ROOT/apache-cgi.conf" > "$TMP/site.conf"
if ! start_apache "$D" "$TMP/site.conf"; then
	not_ok "Apache starts with apache-cgi.conf and the fake"
	tail -20 "$D/apache/error.log" | sed 's/^/#   /'
	t_done; exit 1
fi
ok "Apache starts with apache-cgi.conf and the fake"
install -m 755 "$FAKEMETA_BIN" "$D/www/cgi-bin/fakemeta"
mkdir -m 755 "$D/bin"
install -m 755 "$UT" "$D/bin/usertool"
META=$BASE/_meta CTL=$BASE/_meta/_control
CONF=$D/hubgate.conf
# Sandbox mode now that the port is known: CGI programs read the
# configuration at every request.  Rewritten in place: www-data's file.
{
	sed "s/^app_id = .*/app_id = $SANDBOX_APP_ID/" "$CONF"
	printf 'sandbox = yes\nbase_url = %s\ngraph_base_url = %s\ninstagram_app_id = %s\ninstagram_app_secret = %s\n' \
	    "$BASE" "$META" "$IG_APP" test-instagram-secret-0123456789
} > "$TMP/conf" && cat "$TMP/conf" > "$CONF"
# as_www CMD...: run as Apache's user (the database is theirs).
as_www() {
	runuser -u "$APACHE_USER" -- env HUBGATE_CONFIG="$CONF" \
	    ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:log_path=$D/san/asan" "$@"
}
wsql() { as_www sqlite3 -cmd '.timeout 5000' "$D/hubgate.db" "$1"; }
ADM=$(as_www "$D/bin/usertool" user admin@example.com "Adam Admin" admin 1)
out=$(as_www "$D/bin/usertool" session "$ADM" 1)
A_C=$(echo "$out" | sed -n 1p) A_T=$(echo "$out" | sed -n 2p)
expect_match "$A_C" '^[A-Za-z0-9_-]{20,}$' "an admin's session"
CK="Cookie: hg_session=$A_C"
qs() { python3 -c 'import sys,urllib.parse as u;q=u.parse_qs(u.urlsplit(sys.argv[1]).query);print(q.get(sys.argv[2],[""])[0])' "$1" "$2"; }
SEEN=$TMP/seen
: > "$SEEN"
# get URL [curl args]: body in B, status in S; everything kept in SEEN.
get() {
	local url=$1; shift
	B=$(curl -s -D "$TMP/h" -w '\n%{http_code}' --max-time 20 "$@" "$url")
	S=$(echo "$B" | tail -n 1); B=$(echo "$B" | sed '$d')
	{ cat "$TMP/h"; echo "$B"; } >> "$SEEN"
}

# --- Facebook Login
LOC=$(curl -s -o /dev/null -w '%{redirect_url}' -H "$CK" "$BASE/oauth/login?platform=facebook")
expect_match "$LOC" "^$META/v24\\.0/dialog/oauth\\?client_id=$SANDBOX_APP_ID&" "cgi: /oauth/login sends the admin to the (fake) dialog"
get "$LOC"
expect_match "$B" 'Sandy Sandbox' "cgi: the fake's consent page"
CB=$(curl -s -o /dev/null -w '%{redirect_url}' -d client_id=$SANDBOX_APP_ID \
    --data-urlencode "redirect_uri=$BASE/oauth/callback" --data-urlencode "state=$(qs "$LOC" state)" \
    -d scope=pages_show_list,pages_messaging,pages_manage_metadata,instagram_basic,instagram_manage_messages \
    -d decision=continue "$META/v24.0/dialog/oauth/confirm" | sed 's/#_=_$//')
expect_match "$CB" "^$BASE/oauth/callback\\?code=" "cgi: Continue comes back to the callback with a code"
get "$CB" -H "$CK"
expect_eq "$S" 200 "cgi: the callback shows the picker"
expect_eq "$(grep -o 'name="page" value="[0-9]*"' <<<"$B" | sort -u | wc -l)" 30 "cgi: all 30 Pages listed"
PICK=$(sed -n 's/.*name="pick" value="\([^"]*\)".*/\1/p' <<<"$B")
FCSRF=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' <<<"$B")
P1=104857600000001 P2=104857600000002
IG1=$(curl -s "$CTL/world" | json 'j["pages"][0]["instagram_id"]')
get "$BASE/oauth/connect" -H "$CK" -H "Origin: $BASE" -d "pick=$PICK" -d "csrf=$FCSRF" \
    -d page=$P1 -d page=$P2 -d instagram=$IG1
expect_eq "$S" 200 "cgi: connect answers the result page"
expect_match "$B" "Page Sandbox Bakery \\(<code>$P1</code>\\): connected" "cgi: the first Page connected"
expect_eq "$(wsql "SELECT group_concat(kind || ':' || meta_id || ':' || token_status, ' ') FROM (SELECT * FROM channel ORDER BY id)")" \
    "page:$P1:valid instagram:$IG1:valid page:$P2:valid" "cgi: two Pages and an Instagram account, tokens valid"
expect_eq "$(wsql "SELECT count(*) FROM channel WHERE typeof(token_sealed) = 'blob' AND subscribed_fields LIKE 'messages,%'")" 3 \
    "cgi: their tokens sealed and subscriptions read back"

# --- Instagram Login
LOC=$(curl -s -o /dev/null -w '%{redirect_url}' -H "$CK" "$BASE/oauth/login?platform=instagram")
expect_match "$LOC" "client_id=$IG_APP" "cgi: Instagram Login goes to Instagram's (fake) dialog"
CB=$(curl -s -o /dev/null -w '%{redirect_url}' -d client_id=$IG_APP \
    --data-urlencode "redirect_uri=$BASE/oauth/callback" --data-urlencode "state=$(qs "$LOC" state)" \
    -d scope=instagram_business_basic,instagram_business_manage_messages \
    -d decision=continue "${LOC%%\?*}/confirm")
get "$CB" -H "$CK"
expect_eq "$S" 200 "cgi: the Instagram callback answers"
expect_eq "$(wsql "SELECT count(*) FROM channel WHERE token_kind = 'instagram_login' AND token_status = 'valid'")" 1 \
    "cgi: the Instagram-Login account is connected"

# --- a WhatsApp number by form
TOK=$(curl -s -d action=issue -d kind=system_user -d waba=102290129340398 "$CTL/token" | json 'j["access_token"]')
get "$BASE/api/channels/whatsapp" -H "$CK" -H "X-CSRF-Token: $A_T" -H "Origin: $BASE" -H 'Content-Type: application/json' \
    --data-binary '{"waba_id":"102290129340398","phone_number_id":"106540352242922","token":"'"$TOK"'"}'
expect_eq "$S" 201 "cgi: a WhatsApp number connected by form"

# --- a message to a connected Page reaches the inbox
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -d platform=messenger -d page=$P1 -d 'text=Open on Sunday?' "$CTL/deliver")" 200 \
    "cgi: the fake delivers a message to the webhook"
for _ in $(seq 50); do
	[ "$(wsql "SELECT count(*) FROM message")" = 1 ] && break
	as_www "$HUBGATE_BUILD/cron/webhook-retry" >/dev/null 2>&1
	sleep 0.1
done
get "$BASE/api/conversations" -H "$CK"
expect_eq "$S $(json '[(c["channel_id"], c["window"]) for c in j["conversations"]]' <<<"$B")" \
    "200 [[$(wsql "SELECT id FROM channel WHERE meta_id = '$P1'"), \"open\"]]" "cgi: the inbox lists the conversation, its window open"
expect_eq "$(wsql "SELECT text FROM message")" 'Open on Sunday?' "cgi: the message is stored"

# --- disconnect
C1=$(wsql "SELECT id FROM channel WHERE meta_id = '$P1'")
get "$BASE/api/channels/$C1" -X DELETE -H "$CK" -H "X-CSRF-Token: $A_T" -H "Origin: $BASE"
expect_eq "$S" 200 "cgi: a Page disconnected"
expect_eq "$(wsql "SELECT token_status || ':' || (token_sealed IS NULL) FROM channel WHERE id = $C1")" "revoked:1" "cgi: its token erased"
expect_eq "$(as_www sqlite3 "$D/fakemeta.db" "SELECT count(*) FROM subscription WHERE object_id = '$P1'")" 0 "cgi: unsubscribed at Meta"

# --- no token anywhere
toks=$(as_www sqlite3 "$D/fakemeta.db" "SELECT token FROM token" 2>/dev/null)
leak=0
for t in $toks $TOK; do
	[ ${#t} -lt 20 ] && continue
	grep -qF "$t" "$SEEN" "$D"/*.log "$D/apache/error.log" 2>/dev/null && leak=1
done
expect_eq "$leak" 0 "cgi: no token in any answer, page or log line"
t_done
