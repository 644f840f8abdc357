#!/bin/sh
# Install the npm packages of package.json (the browser tests' driver,
# playwright-core) exactly as package-lock.json records them, with
# `npm ci`, unless node_modules/ already holds those versions.  Node.js
# and npm come from Debian's packages (nodejs, npm) through deps.sh.
# --quiet: say nothing when all are present.
set -u
quiet=0
if [ "${1:-}" = "--quiet" ]; then quiet=1; shift; fi
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
command -v node >/dev/null 2>&1 || sh scripts/deps.sh nodejs || exit 1
command -v npm >/dev/null 2>&1 || sh scripts/deps.sh npm || exit 1
# Every package of the lock file installed at its locked version?
if node -e '
	const fs = require("fs");
	const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
	for (const [p, v] of Object.entries(lock.packages || {})) {
		if (!p) continue;
		let got;
		try { got = JSON.parse(fs.readFileSync(p + "/package.json", "utf8")).version; }
		catch (e) { process.exit(1); }
		if (got !== v.version) process.exit(1);
	}' 2>/dev/null; then
	[ $quiet = 1 ] || echo "npm-deps: all packages present"
	exit 0
fi
echo "npm-deps: npm ci"
# No install scripts: nothing is downloaded but the packages
# themselves (the browser is Debian's chromium).
npm ci --ignore-scripts --no-audit --no-fund >/dev/null ||
	{ echo "npm-deps: npm ci failed" >&2; exit 1; }
echo "npm-deps: installed"
