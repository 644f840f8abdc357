#!/usr/bin/env bash
# Users, workspaces and the audit log through a real lighttpd: owners
# see, add and change the users of their own workspace only; admins and
# agents are refused; another workspace's ids are 404; the last owner
# stays; a person of two workspaces is removed from one (their sessions
# and tokens of it end) or disabled by the operator only; the audit log
# is for owners and admins, as JSON and as CSV with
# hostile text neutralised; no hash, token or password leaks.
. "$(dirname "$0")/lib.sh"
D=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/users.XXXXXX")
trap stop_lighttpd EXIT
new_data "$D"
export HUBGATE_CONFIG=$D/hubgate.conf
start_lighttpd "$D"

# Two workspaces: 1 (Default) with an owner, an admin and an agent; 2
# with its own owner.
W2=$($UT workspace "Other business")
OWNER=$($UT user owner@example.com "Olga Owner" owner 1 operator)
ADMIN_ID=$($UT user admin@example.com "Adam Admin" admin 1)
AGENT=$($UT user agent@example.com "Agnes Agent" agent 1)
OWNER2=$($UT user boss@other.example "Boris Boss" owner "$W2")
FOREIGN=$($UT user staff@other.example "Stan Staff" agent "$W2")
expect_match "$OWNER $ADMIN_ID $AGENT $OWNER2 $FOREIGN $W2" '^[0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ 2$' \
    "users and a second workspace made through the storage API"

sign_in O "$OWNER" 1
sign_in A "$ADMIN_ID" 1
sign_in G "$AGENT" 1
sign_in P "$OWNER2" "$W2"


# --- users ---------------------------------------------------------------
r=$(api O GET /api/users)
expect_eq "$(status "$r")" 200 "owner lists the users"
n=$(body "$r" | python3 -c 'import json,sys; u=json.load(sys.stdin)["users"]; print(len(u), sorted(x["email"] for x in u)[0], sorted(set(k for x in u for k in x)))')
expect_eq "$n" "3 admin@example.com ['disabled', 'email', 'id', 'name', 'role']" \
    "only this workspace's three users, with id, name, email, role, disabled"
expect_match "$(body "$r")" '"role":"agent"' "roles are listed"
r=$(api P GET /api/users)
expect_match "$(body "$r")" 'boss@other.example' "the other owner sees their own users"
if [[ $(body "$r") == *example.com* ]]; then not_ok "no user of workspace 1 in workspace 2's list"; else ok "no user of workspace 1 in workspace 2's list"; fi

expect_eq "$(status "$(api A GET /api/users)")" 403 "an admin may not list users"
expect_eq "$(status "$(api G GET /api/users)")" 403 "an agent may not list users"
expect_eq "$(status "$(api G POST /api/users '{"name":"X","email":"x@example.com","role":"owner"}')")" 403 \
    "an agent may not add users"
expect_eq "$(status "$(api A PATCH /api/users/$AGENT '{"role":"owner"}')")" 403 "an admin may not change roles"
r=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/users")
expect_eq "$r" 401 "no session: 401"

# Add a user: a one-time set-password link; the token's hash is stored.
r=$(api O POST /api/users '{"name":"Nina New","email":"Nina@Example.com","role":"agent"}')
expect_eq "$(status "$r")" 201 "owner adds a user"
NEW=$(body "$r" | python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["id"])')
LINK=$(body "$r" | python3 -c 'import json,sys; print(json.load(sys.stdin)["link"])')
expect_match "$LINK" '^http://127\.0\.0\.1:[0-9]+/setup\.html\?token=[A-Za-z0-9_-]{43}$' "the answer has a set-password link"
TOKEN=${LINK##*token=}
stored=$(sql "$D" "SELECT hash FROM setup_token WHERE user_id = $NEW")
want=$(printf '%s' "$TOKEN" | sha256sum | cut -d' ' -f1)
expect_eq "$stored" "$want" "only the token's SHA-256 is stored, for the new user"
ttl=$(sql "$D" "SELECT expires_at - strftime('%s', 'now') FROM setup_token WHERE user_id = $NEW")
expect_match "$ttl" '^(3[56][0-9][0-9])$' "the link is valid for an hour"
expect_eq "$(sql "$D" "SELECT role FROM membership WHERE user_id = $NEW AND workspace_id = 1")" agent \
    "the membership has the role asked for"
expect_eq "$(sql "$D" "SELECT count(*) FROM user WHERE id = $NEW AND password_hash IS NULL")" 1 \
    "the new user has no password until they choose one"
if [[ $(body "$r") == *"$want"* || $(body "$r") == *password* ]]; then not_ok "no hash or password in the answer"; else ok "no hash or password in the answer"; fi

r=$(api O POST /api/users '{"name":"Nina Again","email":"nina@example.com","role":"admin"}')
expect_eq "$(status "$r")" 409 "the same e-mail twice in a workspace: 409"
# An owner (not the operator) cannot pull a person of another business
# into their workspace, nor learn that the e-mail has an account.
r=$(api P POST /api/users '{"name":"Olga","email":"owner@example.com","role":"owner"}')
expect_eq "$(status "$r")" 409 "another business's person cannot be added by an owner"
r2=$(api P POST /api/users '{"name":"Nobody","email":"nina@example.com","role":"agent"}')
expect_eq "$(body "$r")" "$(body "$r2")" "the refusal is the same whoever the e-mail belongs to"
expect_eq "$(sql "$D" "SELECT count(*) FROM membership WHERE user_id = $OWNER AND workspace_id = $W2")" 0 \
    "and no membership was made"
expect_eq "$(status "$(api O POST /api/users '{"name":"Bad","email":"not-an-email","role":"agent"}')")" 400 \
    "an invalid e-mail: 400"
expect_eq "$(status "$(api O POST /api/users '{"name":"Bad","email":"b@example.com","role":"king"}')")" 400 \
    "an unknown role: 400"
expect_eq "$(status "$(api O POST /api/users '{"email":"b@example.com","role":"agent"}')")" 400 \
    "a missing name: 400"
r=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Cookie: hg_session=$O_C" -H "Origin: $BASE" \
    -H 'Content-Type: application/json' --data-binary '{"name":"C","email":"c@example.com","role":"agent"}' "$BASE/api/users")
expect_eq "$r" 403 "a POST without the CSRF token: 403"

# Change a role, disable (sessions end), the last owner stays.
sign_in N "$NEW" 1
expect_eq "$(status "$(api N GET /api/audit)")" 403 "the new agent may not read the audit log"
r=$(api O PATCH /api/users/$NEW '{"role":"admin"}')
expect_eq "$(status "$r")" 200 "owner changes a role"
expect_eq "$(sql "$D" "SELECT role FROM membership WHERE user_id = $NEW AND workspace_id = 1")" admin "the role is changed"
expect_eq "$(status "$(api N GET /api/audit)")" 200 "the new role applies at once"
r=$(api O PATCH /api/users/$NEW '{"disabled":true}')
expect_eq "$(status "$r")" 200 "owner disables a user"
expect_eq "$(sql "$D" "SELECT count(*) FROM session WHERE user_id = $NEW")" 0 "disabling ends all their sessions"
expect_eq "$(status "$(api N GET /api/audit)")" 401 "the disabled user's cookie opens nothing"
expect_match "$(body "$(api O GET /api/users)")" "\"id\":$NEW,[^}]*\"disabled\":true" "the list shows the user disabled"
expect_eq "$(status "$(api O PATCH /api/users/$NEW '{"disabled":false}')")" 200 "owner enables the user again"
expect_eq "$(sql "$D" "SELECT count(*) FROM user WHERE id = $NEW AND disabled_at IS NULL")" 1 "the user is enabled"

r=$(api O PATCH /api/users/$OWNER '{"role":"admin"}')
expect_eq "$(status "$r")" 409 "the last owner cannot be demoted"
expect_eq "$(status "$(api O PATCH /api/users/$OWNER '{"disabled":true}')")" 409 "the last owner cannot be disabled"
expect_eq "$(sql "$D" "SELECT role FROM membership WHERE user_id = $OWNER AND workspace_id = 1")" owner "still owner"
expect_eq "$(status "$(api O PATCH /api/users/$ADMIN_ID '{"role":"owner"}')")" 200 "a second owner"
expect_eq "$(status "$(api O PATCH /api/users/$ADMIN_ID '{"role":"admin"}')")" 200 \
    "with two owners one can be demoted"
expect_eq "$(status "$(api O PATCH /api/users/$AGENT '{}')")" 400 "a change of nothing: 400"
expect_eq "$(status "$(api O PATCH /api/users/$AGENT '{"role":"root"}')")" 400 "an unknown role: 400"

# Another workspace's ids: 404, as if they did not exist, and unchanged.
for id in "$OWNER2" "$FOREIGN" 999999; do
	r=$(api O PATCH /api/users/$id '{"role":"agent"}')
	expect_eq "$(status "$r")" 404 "PATCH of user $id outside the workspace: 404"
	expect_eq "$(status "$(api O PATCH /api/users/$id '{"disabled":true}')")" 404 \
	    "disabling user $id outside the workspace: 404"
done
expect_eq "$(sql "$D" "SELECT role || coalesce(u.disabled_at, '') FROM membership m JOIN user u ON u.id = m.user_id WHERE user_id = $OWNER2")" owner \
    "the other workspace's owner is untouched"
expect_eq "$(status "$(api P PATCH /api/users/$AGENT '{"disabled":true}')")" 404 \
    "the other owner probing workspace 1's agent: 404"
expect_eq "$(status "$(api O PATCH /api/users/abc '{"role":"agent"}')")" 404 "a malformed id: 404"

# --- workspaces ------------------------------------------------------------
r=$(api O GET /api/workspaces)
expect_eq "$(status "$r")" 200 "the operator lists the workspaces"
expect_match "$(body "$r")" '"name":"Default".*"name":"Other business"' "every workspace of the install"
expect_eq "$(status "$(api P GET /api/workspaces)")" 403 "an owner who is not the operator: 403"
expect_eq "$(status "$(api G POST /api/workspaces '{"name":"Mine"}')")" 403 "an agent may not add a workspace"
r=$(api O POST /api/workspaces '{"name":"Third shop"}')
expect_eq "$(status "$r")" 201 "the operator adds a workspace"
W3=$(body "$r" | python3 -c 'import json,sys; print(json.load(sys.stdin)["workspace"]["id"])')
expect_eq "$(sql "$D" "SELECT name || ':' || m.role FROM workspace w JOIN membership m ON m.workspace_id = w.id WHERE w.id = $W3 AND m.user_id = $OWNER")" \
    "Third shop:owner" "the operator owns the new workspace"
expect_eq "$(status "$(api O POST /api/workspaces '{"name":""}')")" 400 "an empty name: 400"

# --- audit -----------------------------------------------------------------
r=$(api A GET /api/audit)
expect_eq "$(status "$r")" 200 "an admin reads the audit log"
acts=$(body "$r" | python3 -c 'import json,sys; print(" ".join(e["action"] for e in json.load(sys.stdin)["entries"]))')
expect_eq "$acts" "role_changed role_changed user_changed user_disabled role_changed user_created" \
    "the changes, newest first"
expect_match "$(body "$r")" '"actor":"owner@example.com"' "who acted"
expect_match "$(body "$r")" '"detail":"N\*\*\*@Example.com role=agent"' "the e-mail is masked in the detail"
expect_eq "$(status "$(api G GET /api/audit)")" 403 "an agent may not read the audit log"
r=$(api P GET /api/audit)
expect_eq "$(body "$r")" '{"entries":[]}' "another workspace's log holds none of these"
r=$(api A GET '/api/audit?action=user_created')
expect_eq "$(body "$r" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')" 1 "filter by action"
r=$(api A GET '/api/audit?actor=OWNER@EXAMPLE&limit=2')
expect_eq "$(body "$r" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')" 2 \
    "filter by actor, without case, page size"
today=$(date -u +%Y-%m-%d)
r=$(api A GET "/api/audit?since=$today&until=$today")
expect_eq "$(body "$r" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')" 6 "today's lines"
r=$(api A GET "/api/audit?until=2000-01-01")
expect_eq "$(body "$r")" '{"entries":[]}' "none before 2000"
for q in since=2024-02-30 until=yesterday action=DROP%20TABLE limit=0 limit=100000 format=xml before=-1; do
	expect_eq "$(status "$(api A GET "/api/audit?$q")")" 400 "invalid $q: 400"
done

# Hostile text in the log: a CSV export must not run it as a formula.
sql "$D" "INSERT INTO audit_log (at, workspace_id, actor_kind, action, object, detail, remote)
VALUES (strftime('%s', 'now'), 1, 'system', 'settings_changed', '=HYPERLINK(\"http://evil\")', '@SUM(1+1) \"quoted\", comma', '-2+3')"
h=$(curl -s -D - -o "$D/audit.csv" -H "Cookie: hg_session=$A_C" "$BASE/api/audit?format=csv")
expect_match "$h" $'Content-Type: text/csv' "CSV is text/csv"
expect_match "$h" 'Content-Disposition: attachment' "CSV is a download"
expect_eq "$(head -n 1 "$D/audit.csv" | tr -d '\r')" '"at","actor","action","object","detail","remote"' "a header row"
line=$(sed -n 2p "$D/audit.csv" | tr -d '\r')
expect_match "$line" '^"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z","system","settings_changed",' "time in ISO 8601, the actor, the action"
expect_eq "${line#*settings_changed\",}" \
    "\"'=HYPERLINK(\"\"http://evil\"\")\",\"'@SUM(1+1) \"\"quoted\"\", comma\",\"'-2+3\"" \
    "formulas neutralised, quotes doubled, every field quoted"
rows=$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1], newline=""))); print(len(r), set(len(x) for x in r))' "$D/audit.csv")
expect_eq "$rows" "8 {6}" "the CSV parses: header and seven lines of six fields"
r=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: hg_session=$G_C" "$BASE/api/audit?format=csv")
expect_eq "$r" 403 "an agent may not export the audit log"

# --- a person of two workspaces: disabling, removing ----------------------
MULTI=$($UT user multi@example.com "Mia Multi" agent 1)
$UT member "$MULTI" admin "$W2"
MPW='wide river under seven bridges'
printf '%s\n' "$MPW" | "$ADMIN" user-reset multi@example.com >/dev/null
expect_eq "$?" 0 "the person of two workspaces has a password"
expect_eq "$(status "$(api P PATCH /api/users/$MULTI '{"disabled":true}')")" 409 \
    "an owner who is not the operator cannot disable a person of two workspaces"
expect_eq "$(sql "$D" "SELECT count(*) FROM user WHERE id = $MULTI AND disabled_at IS NULL")" 1 "still enabled"
expect_eq "$(status "$(api O PATCH /api/users/$MULTI '{"disabled":true}')")" 200 \
    "the operator disables a person of two workspaces"
expect_eq "$(sql "$D" "SELECT count(*) FROM user WHERE id = $MULTI AND disabled_at IS NOT NULL")" 1 "disabled"
"$ADMIN" user-enable multi@example.com >/dev/null
expect_eq "$?$(sql "$D" "SELECT count(*) FROM user WHERE id = $MULTI AND disabled_at IS NULL")" 01 \
    "hubgate-admin user-enable enables them"
sign_in M "$MULTI" 1
"$ADMIN" user-disable MULTI@example.com >/dev/null
expect_eq "$?$(sql "$D" "SELECT count(*) FROM user WHERE id = $MULTI AND disabled_at IS NOT NULL")" 01 \
    "hubgate-admin user-disable disables them (e-mail without case)"
expect_eq "$(status "$(api M GET /api/session)")" 401 "their sessions ended"
"$ADMIN" user-disable nobody@example.com >/dev/null 2>&1
expect_eq "$?" 1 "user-disable of an unknown e-mail fails"
"$ADMIN" user-enable multi@example.com >/dev/null
expect_eq "$(sql "$D" "SELECT action FROM audit_log WHERE object = 'user:$MULTI' ORDER BY id DESC LIMIT 2" | tr '\n' ' ')" \
    "user_changed user_disabled " "the command line's changes are in the audit log"

# Remove them from workspace 1: their other workspace keeps them.
sign_in M "$MULTI" 1
sign_in M2 "$MULTI" "$W2"
expect_eq "$(status "$(api M POST /api/tokens '{"name":"ws1","scope":"read"}')")" 201 "a token of workspace 1"
expect_eq "$(status "$(api M2 POST /api/tokens '{"name":"ws2","scope":"read"}')")" 201 "a token of workspace 2"
r=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "Cookie: hg_session=$O_C" -H "Origin: $BASE" "$BASE/api/users/$MULTI")
expect_eq "$r" 403 "a DELETE without the CSRF token: 403"
expect_eq "$(status "$(api A DELETE /api/users/$MULTI)")" 403 "an admin may not remove a user"
for id in "$OWNER2" "$FOREIGN" 999999; do
	expect_eq "$(status "$(api O DELETE /api/users/$id)")" 404 "removing user $id outside the workspace: 404"
done
expect_eq "$(status "$(api P DELETE /api/users/$AGENT)")" 404 "the other owner removing workspace 1's agent: 404"
expect_eq "$(status "$(api O DELETE /api/users)")" 404 "a DELETE without an id: 404"
expect_eq "$(status "$(api O DELETE /api/users/$MULTI)")" 200 "the owner removes the person from workspace 1"
expect_eq "$(sql "$D" "SELECT group_concat(workspace_id) FROM membership WHERE user_id = $MULTI")" "$W2" \
    "only the membership of workspace 1 is gone"
expect_eq "$(sql "$D" "SELECT group_concat(workspace_id) FROM session WHERE user_id = $MULTI")" "$W2" \
    "their sessions of workspace 1 ended, the other kept"
expect_eq "$(sql "$D" "SELECT group_concat(name || ':' || (revoked_at IS NOT NULL)) FROM (SELECT name, revoked_at FROM api_token WHERE user_id = $MULTI ORDER BY name)")" \
    "ws1:1,ws2:0" "their API token of workspace 1 is revoked, the other not"
expect_eq "$(status "$(api M GET /api/session)")" 401 "the session in workspace 1 opens nothing"
expect_eq "$(status "$(api M2 GET /api/session)")" 200 "the session in workspace 2 still works"
r=$(curl -s --max-time 10 -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' -H "Origin: $BASE" \
    --data-binary "{\"email\":\"multi@example.com\",\"password\":\"$MPW\"}" "$BASE/api/session")
expect_eq "$(status "$r")" 200 "the removed person still signs in"
expect_eq "$(body "$r" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["workspace"]["id"], [w["id"] for w in d["workspaces"]])')" \
    "$W2 [$W2]" "to their other workspace only"
expect_eq "$(sql "$D" "SELECT detail FROM audit_log WHERE action = 'user_removed' AND workspace_id = 1 AND object = 'user:$MULTI'")" \
    'm***@example.com' "user_removed is in the audit log, the e-mail masked"
expect_eq "$(status "$(api O DELETE /api/users/$MULTI)")" 404 "removed once: 404 after"
expect_eq "$(status "$(api O DELETE /api/users/$OWNER)")" 409 "the last owner cannot be removed"
expect_eq "$(status "$(api P DELETE /api/users/$OWNER2)")" 409 "nor the other workspace's last owner"
expect_eq "$(sql "$D" "SELECT count(*) FROM membership WHERE role = 'owner' AND ((user_id = $OWNER AND workspace_id = 1) OR (user_id = $OWNER2 AND workspace_id = $W2))")" 2 "both still owners"

# --- no secrets anywhere ---------------------------------------------------
leaks=0
while read -r h; do
	[ -n "$h" ] || continue
	grep -rqF "$h" "$D"/error.log "$D"/*.csv 2>/dev/null && leaks=$((leaks + 1))
done < <(sql "$D" "SELECT hash FROM setup_token UNION SELECT id FROM session UNION SELECT csrf_token FROM session")
grep -qF "$TOKEN" "$D/error.log" && leaks=$((leaks + 1))
grep -qiE 'nina@example|owner@example' "$D/error.log" && leaks=$((leaks + 1))
expect_eq "$leaks" 0 "no token, hash or unmasked e-mail in the logs"
r=$(api O GET /api/users)
if [[ $(body "$r") == *scrypt* || $(body "$r") == *password* || $(body "$r") == *"$want"* ]]; then
	not_ok "no password hash in the user list"
else
	ok "no password hash in the user list"
fi
t_done
