#!/bin/sh
# Copy the dashboard's chart library, uPlot (npm package uplot, from
# package.json and package-lock.json), from node_modules/ into
# htdocs/vendor/uplot/: the ES module and its style sheet, and its
# licence.  Run by `make run`, `make install` and the tests; the copy
# is never committed (.gitignore) and nothing is fetched at page load.
# Installs the npm packages first (scripts/npm-deps.sh) when missing.
# Usage: vendor.sh [ROOT]  (default: the repository this script is in)
set -eu
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
src=$root/node_modules/uplot
if [ ! -f "$src/dist/uPlot.esm.js" ]; then
	sh "$root/scripts/npm-deps.sh" --quiet
fi
for f in dist/uPlot.esm.js dist/uPlot.min.css LICENSE; do
	if [ ! -f "$src/$f" ]; then
		echo "vendor: $src/$f is missing (make deps)" >&2
		exit 1
	fi
done
dst=$root/htdocs/vendor/uplot
mkdir -p "$dst"
chmod 755 "$root/htdocs/vendor" "$dst"
for f in dist/uPlot.esm.js dist/uPlot.min.css LICENSE; do
	# Only when changed: a running server keeps its caches valid.
	cmp -s "$src/$f" "$dst/${f##*/}" 2>/dev/null ||
	    cp "$src/$f" "$dst/${f##*/}"
	chmod 644 "$dst/${f##*/}"
done
