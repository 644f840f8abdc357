#!/bin/sh
# make lint: cppcheck over the C sources, the banned-function check
# (functions that invite overflows or unchecked parsing), and the
# direction of includes between the library's layers (layers.sh).
set -u
cd "$(dirname "$0")/.."
status=0
banned='sprintf|strcpy|strcat|strncpy|strtok|gets|atoi|atol|atof|sscanf|system|popen|rand'
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find lib cgi-bin cron tools tests bench sandbox -name '*.[ch]')
# A call is the name not preceded by an identifier character or '.',
# '->' or '_', followed by '('.  snprintf, vsnprintf, strncat, srand48
# and the like are different names and pass.
hits=$(grep -nE "(^|[^A-Za-z0-9_.>])($banned)[[:space:]]*\(" $files |
	grep -vE '^\S+:[0-9]+:\s*(/\*|\*|//)')
if [ -n "$hits" ]; then
	echo "lint: banned functions (see STYLE.md):"
	echo "$hits"
	status=1
else
	echo "lint: no banned functions"
fi
if ! cppcheck --quiet --error-exitcode=1 --std=c11 \
    --enable=warning,performance,portability \
    --inline-suppr --suppress=missingIncludeSystem \
    -I lib/core -I lib/store -I lib/meta -I lib/pipeline -I lib/web -D__GNUC__ $files; then
	echo "lint: cppcheck found problems"
	status=1
else
	echo "lint: cppcheck clean"
fi
# The library's layers: includes point down, and no cycle.
sh scripts/layers.sh || status=1
exit $status
