#!/bin/sh
# Turn standard input into a C string constant named $1.
name=$1
printf '/* Generated from schema.sql by scripts/embed.sh: do not edit. */\n'
printf 'const char %s[] =\n' "$name"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/'
printf ';\n'
