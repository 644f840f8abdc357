#!/bin/sh
# Print a lighttpd configuration serving hubgate: the var.hubgate_*
# definitions that lighttpd.conf expects, then lighttpd.conf itself,
# and with a fake Meta binary also lighttpd-sandbox.conf.  Used by
# `make run` and by the tests, so that both serve the same files.
# With MODE "cgi" the programs run as plain CGI (mod_cgi), one process
# a request, as on hosting without FastCGI: lighttpd.conf up to its
# FastCGI part, then the same paths mapped as Apache's apache-cgi.conf
# maps them (SCRIPT_NAME the prefix, PATH_INFO the rest).
# Usage: lighttpd-conf.sh ROOT CGI_DIR DATA_DIR CONFIG PORT [FAKEMETA_BIN] [MODE]
set -eu
root=$1 cgi=$2 data=$3 conf=$4 port=$5 fake=${6:-} mode=${7:-fastcgi}
cat <<CONF
var.hubgate_htdocs = "$root/htdocs"
var.hubgate_cgi    = "$cgi"
var.hubgate_data   = "$data"
var.hubgate_config = "$conf"
var.hubgate_bind   = "127.0.0.1"
var.hubgate_port   = $port
CONF
if [ "$mode" = cgi ]; then
	sed '/^fastcgi.server = (/,$d' "$root/lighttpd.conf"
	cat <<CONF
server.modules += ( "mod_alias", "mod_cgi" )
# Only these paths reach the programs (alias.url alone would also
# serve what lies beside them, as /webhook.o).
\$HTTP["url"] =~ "^/(webhook|health|metrics|api|oauth)(/|\$)" {
	alias.url += (
		"/webhook" => "$cgi/webhook",
		"/health"  => "$cgi/dashboard",
		"/metrics" => "$cgi/dashboard",
		"/api"     => "$cgi/dashboard",
		"/oauth"   => "$cgi/oauth",
	)
	cgi.assign = ( "" => "" )
	setenv.add-environment = ( "HUBGATE_CONFIG" => "$conf" )
}
CONF
else
	echo "include \"$root/lighttpd.conf\""
fi
if [ -n "$fake" ]; then
	cat <<CONF
var.hubgate_fakemeta = "$fake"
include "$root/lighttpd-sandbox.conf"
CONF
fi
