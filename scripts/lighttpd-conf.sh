#!/bin/sh
# Print a lighttpd configuration serving hubgate: the var.hubgate_*
# definitions that lighttpd.conf expects, then lighttpd.conf itself,
# and with a fake Meta binary also lighttpd-sandbox.conf.  Used by
# `make run` and by the tests, so that both serve the same files.
# Usage: lighttpd-conf.sh ROOT CGI_DIR DATA_DIR CONFIG PORT [FAKEMETA_BIN]
set -eu
root=$1 cgi=$2 data=$3 conf=$4 port=$5 fake=${6:-}
cat <<CONF
var.hubgate_htdocs = "$root/htdocs"
var.hubgate_cgi    = "$cgi"
var.hubgate_data   = "$data"
var.hubgate_config = "$conf"
var.hubgate_bind   = "127.0.0.1"
var.hubgate_port   = $port
include "$root/lighttpd.conf"
CONF
if [ -n "$fake" ]; then
	cat <<CONF
var.hubgate_fakemeta = "$fake"
include "$root/lighttpd-sandbox.conf"
CONF
fi
