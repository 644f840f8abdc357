#!/usr/bin/env bash
# test_oauth.sh again with hubgate's programs as plain CGI (lighttpd's
# mod_cgi, one process a request): the flows must hold in both modes.
export LIGHTTPD_MODE=cgi
. "$(dirname "$0")/test_oauth.sh"
