#!/bin/sh
# Install the Debian packages named as arguments that are missing.
# As root: apt-get update, then apt-get install.  Otherwise print the
# exact command and fail.  --quiet: say nothing when all are present.
quiet=0
if [ "$1" = "--quiet" ]; then quiet=1; shift; fi
missing=""
for p in "$@"; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$s" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -z "$missing" ]; then
	[ $quiet = 1 ] || echo "deps: all packages present"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$missing" >&2
	echo "deps: run as root: apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || { echo "deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null ||
	{ echo "deps: apt-get install failed" >&2; exit 1; }
echo "deps: installed:$missing"
