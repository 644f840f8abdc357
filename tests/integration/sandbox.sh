# Helpers for tests that need the fake of Meta (sandbox/) beside
# the gateway: source after lib.sh.
#
# start_sandbox DIR: new_data DIR in sandbox mode (the sandbox app id
# SANDBOX_APP_ID, base_url and graph_base_url pointing at this server), then lighttpd serving
# lighttpd.conf + lighttpd-sandbox.conf on a free port; sets PORT,
# BASE, META (the fake's root URL), CTL (its control API) and
# LIGHTTPD_PID.  Extra configuration lines may be given in
# SANDBOX_CONF.
FAKEMETA_BIN=${FAKEMETA_BIN:-$HUBGATE_BUILD/sandbox/fakemeta}
SANDBOX_APP_ID=sandbox-1234567890
start_sandbox() {
	local d=$1
	new_data "$d"
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	META=$BASE/_meta
	CTL=$META/_control
	sed -i "s/^app_id = .*/app_id = $SANDBOX_APP_ID/" "$d/hubgate.conf"
	cat >> "$d/hubgate.conf" <<CONF
sandbox = yes
base_url = $BASE
graph_base_url = $META
${SANDBOX_CONF:-}
CONF
	WANT_PORT=$PORT start_lighttpd "$d" "$FAKEMETA_BIN" && wait_up "$META/"
}

# sandbox_suite NAME: the start of a suite that needs the fake: its
# temporary directory (t_tmp NAME), D=$TMP/d started by start_sandbox
# (or the suite ends there, failed, with the server's log), and
# HUBGATE_CONFIG exported.
sandbox_suite() {
	t_tmp "$1"
	D=$TMP/d
	if ! start_sandbox "$D"; then
		not_ok "sandbox starts"
		sed 's/^/#   /' "$D/error.log"
		t_done
		exit 1
	fi
	export HUBGATE_CONFIG=$D/hubgate.conf
}

# user EMAIL ROLE [WORKSPACE]: a user of the sandbox in $D with the
# password $PW (hubgate-admin user-add), in WORKSPACE or the first.
user() {
	printf '%s\n' "$PW" | HUBGATE_CONFIG=$D/hubgate.conf "$ADMIN" user-add "$1" \
	    --role "$2" ${3:+--workspace $3} >/dev/null
}

# signin EMAIL JAR: sign in as user's EMAIL through the API, the session
# cookie kept in JAR; prints the CSRF token.
signin() {
	curl -s -c "$2" -H 'Content-Type: application/json' \
	    --data-binary '{"email":"'"$1"'","password":"'"$PW"'"}' "$BASE/api/session" |
	    sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p'
}

# wait_for SQL WANT: poll the gateway's database in $D until SQL prints
# WANT (15 s at most); prints what it last printed.
wait_for() {
	local got
	for _ in $(seq 1 150); do
		got=$(sql "$D" "$1")
		[ "$got" == "$2" ] && break
		sleep 0.1
	done
	echo "$got"
}

# repost CONV: post the webhook event that brought conversation CONV's
# inbound message to /webhook again, byte for byte with Meta's
# signature, as Meta redelivers it; prints the HTTP status.
repost() {
	local ev
	ev=$(sql "$D" "SELECT event_id FROM message WHERE conversation_id = $1 AND direction = 'in' LIMIT 1")
	sql "$D" "SELECT body FROM webhook_event WHERE id = $ev" > "$TMP/repost.json"
	truncate -s -1 "$TMP/repost.json"
	curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	    -H "X-Hub-Signature-256: $(sql "$D" "SELECT signature FROM webhook_event WHERE id = $ev")" \
	    --data-binary @"$TMP/repost.json" "$BASE/webhook"
}

# json EXPR: read JSON on stdin and print the jq-like path EXPR
# (python3 syntax on the parsed value j, e.g. 'j["data"][0]["id"]').
json() {
	python3 -c 'import json,sys
j=json.load(sys.stdin)
v=eval(sys.argv[1])
print(v if not isinstance(v,(dict,list,bool)) and v is not None else json.dumps(v))' "$1"
}
