#!/usr/bin/env bash
# Run every test suite and end with "N passed, N failed".
#
#   unit tests        build/tests/unit/* and build-san/tests/unit/*
#                     (AddressSanitizer + UndefinedBehaviorSanitizer)
#   integration tests tests/integration/*.sh, through real lighttpd and
#                     Apache servers, against the sanitizer build
#   browser tests     tests/browser/test_*.mjs, ops.mjs and inbox.mjs (the
#                     operations pages), in headless chromium
#                     driven by playwright-core, through lighttpd
#                     (screenshots kept in the logs' screenshots/)
#
# Each suite prints TAP-like lines: "ok ..." or "not ok ...".  A suite
# that exits non-zero without a "not ok" line counts as one failure.
# TESTS=pattern runs only the suites whose names match.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export HUBGATE_ROOT=$root
export HUBGATE_BUILD=${HUBGATE_BUILD:-$root/build-san}
out=$(mktemp -d /tmp/hubgate-test.XXXXXX)
export HUBGATE_TEST_TMP=$out
export ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:log_path=$out/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$out/ubsan"
pass=0
fail=0
# The pages' chart library, as make run and make install serve it.
sh scripts/vendor.sh || echo "# vendor: the chart library is missing (make deps)"

run_suite() {
	local name=$1; shift
	if [ -n "${TESTS:-}" ] && [[ $name != *$TESTS* ]]; then return; fi
	echo "=== $name"
	local log=$out/$(echo "$name" | tr '/ ' '__').log
	"$@" > "$log" 2>&1
	local rc=$?
	local p f
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $name exited with status $rc" >> "$log"
		f=1
	fi
	grep -E '^(not ok|#)' "$log" | head -50
	echo "    $p passed, $f failed"
	pass=$((pass + p))
	fail=$((fail + f))
}

for t in build/tests/unit/test_*; do
	[ -x "$t" ] && run_suite "unit/$(basename "$t")" "$t"
done
for t in build-san/tests/unit/test_*; do
	[ -x "$t" ] && run_suite "unit-san/$(basename "$t")" "$t"
done
for t in tests/integration/test_*.sh; do
	[ -f "$t" ] && run_suite "integration/$(basename "$t" .sh)" bash "$t"
done
for t in tests/browser/test_*.mjs tests/browser/ops.mjs tests/browser/inbox.mjs; do
	[ -f "$t" ] && run_suite "browser/$(basename "$t" .mjs)" \
	    bash tests/browser/run-suite.sh "$t"
done
# Connecting accounts again with the programs as plain CGI.
run_suite browser/test_connect_cgi env LIGHTTPD_MODE=cgi \
    bash tests/browser/run-suite.sh tests/browser/test_connect.mjs

# No sanitizer may have reported anything, in any process.
if [ -z "${TESTS:-}" ] || [[ sanitizers == *$TESTS* ]]; then
	reports=$(ls "$out"/asan.* "$out"/ubsan.* 2>/dev/null)
	if [ -n "$reports" ]; then
		echo "not ok - sanitizer reports:"
		head -40 $reports
		fail=$((fail + 1))
	else
		echo "ok - no sanitizer reports"
		pass=$((pass + 1))
	fi
fi

if [ "$fail" = 0 ]; then
	# Keep only the browser tests' screenshots, for looking at.
	find "$out" -mindepth 1 -maxdepth 1 ! -name screenshots -exec rm -rf {} +
	rmdir "$out" 2>/dev/null || echo "screenshots kept in $out/screenshots"
else
	echo "logs kept in $out"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
