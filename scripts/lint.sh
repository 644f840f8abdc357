#!/bin/sh
# make lint: cppcheck over the C sources, and the banned-function check
# of STYLE.md (functions that invite overflows or unchecked parsing).
set -u
cd "$(dirname "$0")/.."
status=0
banned='sprintf|strcpy|strcat|strncpy|strtok|gets|atoi|atol|atof|sscanf|system|popen|rand'
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find lib cgi-bin cron tools tests bench -name '*.[ch]')
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
    -I lib -D__GNUC__ $files; then
	echo "lint: cppcheck found problems"
	status=1
else
	echo "lint: cppcheck clean"
fi
exit $status
