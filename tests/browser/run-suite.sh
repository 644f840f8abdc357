#!/usr/bin/env bash
# Run one browser suite (tests/browser/test_*.mjs) against a real
# hubgate: a fresh data directory and lighttpd, started and stopped by
# tests/integration/lib.sh as for the integration suites.  The suite
# finds the server in BASE and the data in HUBGATE_DATA and
# HUBGATE_CONFIG; screenshots go to $HUBGATE_TEST_TMP/screenshots.
# A suite with the line "// suite: sandbox" gets the fake of Meta
# beside the gateway (tests/integration/sandbox.sh; CTL, its control
# API, in the environment); its lines "// conf: KEY = VALUE" are added
# to the configuration.
# Usage: run-suite.sh tests/browser/test_NAME.mjs
source "$(dirname "$0")/../integration/lib.sh"
source "$(dirname "$0")/../integration/sandbox.sh"
suite=$1
name=$(basename "$suite" .mjs)
TMP=$(mktemp -d "${HUBGATE_TEST_TMP:-/tmp}/browser-$name.XXXXXX")
export HUBGATE_TEST_TMP=${HUBGATE_TEST_TMP:-$TMP}
cleanup() { stop_lighttpd; }
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM

if [ ! -x /usr/bin/chromium ] || [ ! -d "$HUBGATE_ROOT/node_modules/playwright-core" ]; then
	not_ok "chromium and playwright-core are installed (make deps)"
	exit 1
fi
D=$TMP/data
if grep -q '^// suite: sandbox$' "$suite"; then
	SANDBOX_CONF=$(sed -n 's|^// conf: ||p' "$suite")
	start=start_sandbox
else
	new_data "$D"
	start=start_lighttpd
fi
if ! $start "$D"; then
	not_ok "lighttpd starts"
	sed 's/^/#   /' "$D/error.log"
	exit 1
fi
export BASE CTL=${CTL:-} HUBGATE_DATA=$D HUBGATE_CONFIG=$D/hubgate.conf HUBGATE_ADMIN=$ADMIN
node "$suite"
rc=$?
[ $rc = 0 ] || { echo "# lighttpd's log:"; tail -20 "$D/error.log" | sed 's/^/#   /'; }
exit $rc
