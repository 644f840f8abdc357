#!/usr/bin/env bash
# Replies to an account connected with Instagram Login leave through
# Instagram's host (graph.instagram.com: the fake's /_meta/_instagram/
# graph/<version>/me/messages) with the account's own token, not
# through graph.facebook.com with a Page's: a person writes to the
# account, an agent answers, the fake's outbox has the answer as the
# account's, the thread ticks it sent; an expired token pauses the
# channel's sends as for any other.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox.sh"
IG_APP=990000000000001
SANDBOX_CONF="instagram_app_id = $IG_APP
instagram_app_secret = test-instagram-secret-0123456789"
sandbox_suite ig_send
IGL=17841400000000901
AGENT=$($UT user agent@example.com "Agnes Agent" agent 1)
sign_in G "$AGENT" 1
CH=$("$ADMIN" channel-add instagram $IGL 'sandbox.studio')
TOK=$(curl -s -d action=issue -d kind=ig_long "$CTL/token" | json 'j["access_token"]')
expect_match "$TOK" '^IG' "the fake issues an Instagram Login token"
printf '%s\n' "$TOK" | "$ADMIN" channel-token instagram $IGL >/dev/null
sql "$D" "UPDATE channel SET token_kind = 'instagram_login' WHERE id = $CH" >/dev/null
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -d platform=instagram -d page=$IGL -d 'text=Do you ship abroad?' "$CTL/deliver")" 200 \
    "a person writes to the Instagram Login account"
for _ in $(seq 50); do [ "$(sql "$D" "SELECT count(*) FROM message")" = 1 ] && break; sleep 0.1; done
C=$(sql "$D" "SELECT id FROM conversation WHERE channel_id = $CH")
expect_match "$C" '^[0-9]+$' "... a conversation of that channel"
r=$(api G POST /api/conversations/$C/messages '{"text":"Yes, everywhere"}')
expect_eq "$(status "$r")" 202 "the agent's reply is queued"
for _ in $(seq 100); do
	[ "$(sql "$D" "SELECT state FROM outbox")" = sent ] && break
	sleep 0.1
done
expect_eq "$(sql "$D" "SELECT state || ':' || (meta_message_id LIKE 'm_%') FROM outbox")" "sent:1" "it is sent, with Meta's id"
out=$(curl -s "$CTL/outbox")
expect_eq "$(json '[(m["platform"], m["object_id"], m["recipient"]) for m in j["data"] if m["kind"] == "message"]' <<<"$out")" \
    "[[\"instagram\", \"$IGL\", \"5300000000000001\"]]" "the fake got it as the Instagram Login account's message to the person"
expect_match "$(grep 'outbox\|graph.call' "$D/error.log" | grep -c '_instagram/graph/v[0-9.]*/me/messages')" '^[1-9]' \
    "it went to Instagram's host (/me/messages with the version)"
[ "$(grep -c "$TOK" "$D"/*.log)" = 0 ] && ok "the token is in no log line" || not_ok "the token is in no log line"
# A dead token pauses the sends instead of burning them.
curl -s -d action=expire --data-urlencode "token=$TOK" "$CTL/token" >/dev/null
r=$(api G POST /api/conversations/$C/messages '{"text":"And returns are free"}')
expect_eq "$(status "$r")" 202 "another reply is queued"
for _ in $(seq 100); do
	[ "$(sql "$D" "SELECT token_status FROM channel WHERE id = $CH")" = invalid ] && break
	sleep 0.1
done
expect_eq "$(sql "$D" "SELECT token_status FROM channel WHERE id = $CH")" invalid "Instagram's 190 marks the channel's token invalid"
expect_eq "$(sql "$D" "SELECT state FROM outbox ORDER BY id DESC LIMIT 1")" queued "... and the reply waits, queued"
t_done
