#!/bin/sh
# Create a data directory for hubgate if it does not exist yet:
#   $1/hubgate.conf   fresh random secrets (kept on later runs)
#   $1/hubgate.db     created from schema.sql
#   $1/run/           FastCGI sockets
# Usage: setup-data.sh DATA_DIR BUILD_DIR
set -eu
data=$1
build=$2
mkdir -p "$data/run"
conf="$data/hubgate.conf"

# 32 random bytes as base64url, without padding.
rnd() {
	head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='
}
rnd_digits() {
	od -An -N8 -tu8 /dev/urandom | tr -d ' \n' | cut -c1-15
}

if [ ! -f "$conf" ]; then
	mask=$(umask)
	umask 077
	cat > "$conf" <<CONF
# hubgate configuration, written by the first \`make run\`.
# Every key can be overridden by HUBGATE_<KEY> in the environment.
# See README.md for the reference.  Keep this file private.

# No real Meta app is configured yet: this is sandbox mode.  To use a
# real app, put its id and secret here, set sandbox = no, and register
# base_url/webhook with the verify_token below in Meta's app dashboard.
sandbox = yes
app_id = sandbox-$(rnd_digits)
app_secret = $(rnd)
verify_token = $(rnd)
token_key = $(rnd)
state_secret = $(rnd)
base_url = http://127.0.0.1:${PORT:-8080}
# The sandbox's fake of Meta; \`make run\` sets both URLs for its own port.
graph_base_url = http://127.0.0.1:${PORT:-8080}/_meta
db_path = hubgate.db
durability = full
log_level = info
CONF
	umask "$mask"
	echo "created $conf with fresh secrets"
	new=1
fi
HUBGATE_CONFIG=$conf "$build/tools/hubgate-admin" init >/dev/null
# A new sandbox connects the fake world's first Page, its Instagram
# account and the WhatsApp number (sandbox/fm.h), so that test
# messages become conversations before Facebook Login connects real ones.
if [ "${new:-0}" = 1 ]; then
	for ch in "page 104857600000001 Sandbox Bakery" \
	    "instagram 17841400000000001 sandbox_page_01" \
	    "whatsapp 106540352242922 +1 555 078 3881"; do
		set -- $ch
		kind=$1 id=$2; shift 2
		HUBGATE_CONFIG=$conf "$build/tools/hubgate-admin" channel-add \
		    "$kind" "$id" "$*" >/dev/null
	done
fi
