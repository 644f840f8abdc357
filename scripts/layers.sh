#!/bin/sh
# make lint: the library's folders are layers, each allowed to include
# only from itself and the layers below it, and no module may reach
# itself through its includes (a module is a .c file with its .h).
#
#   lib/core      utilities: buffers, numbers, logs, configuration,
#                 crypto, JSON reading, UTF-8, limits
#   lib/store     the database behind the storage interface
#   lib/meta      Meta's formats and Graph API: webhook envelopes,
#                 events, the Graph client
#   lib/pipeline  the work on stored events: queue, committer,
#                 processor, checkpointer
#   lib/web       the HTTP server, routes and the handlers of the
#                 programs' URLs
#
# Programs (cgi-bin/, cron/, tools/, sandbox/, bench/, tests/) may
# include any layer.  Prints every include that points up a layer and
# any cycle; exits 1 when there is one.
set -u
cd "$(dirname "$0")/.."
LAYERS="lib/core lib/store lib/meta lib/pipeline lib/web"
status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# header name -> rank of the layer that holds it
rank=0
for l in $LAYERS; do
	for h in "$l"/*.h; do
		[ -f "$h" ] && echo "$(basename "$h") $rank"
	done
	rank=$((rank + 1))
done > "$tmp/ranks"
if [ ! -s "$tmp/ranks" ]; then
	echo "layers: no headers under $LAYERS"
	exit 1
fi

rank=0
for l in $LAYERS; do
	for f in "$l"/*.c "$l"/*.h; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
		while read -r inc; do
			r=$(awk -v h="$inc" '$1 == h { print $2 }' "$tmp/ranks")
			if [ -z "$r" ]; then
				echo "layers: $f includes $inc, which is in no layer"
				echo x >> "$tmp/bad"
			elif [ "$r" -gt "$rank" ]; then
				echo "layers: $f includes $inc, a layer above it"
				echo x >> "$tmp/bad"
			fi
			# module edge: this file's module -> the header's (a
			# module's private header, NAME_int.h, is part of the
			# files that include it, not a module of its own)
			m=$(basename "$f"); m=${m%.*}
			case "$m ${inc%.h}" in
			*_int|*_int\ *) ;;
			*) echo "$m ${inc%.h}" >> "$tmp/edges" ;;
			esac
		done
	done
	rank=$((rank + 1))
done
[ -f "$tmp/bad" ] && status=1

# A cycle: tsort names the modules on it.
if [ -f "$tmp/edges" ]; then
	awk '$1 != $2' "$tmp/edges" | sort -u > "$tmp/edges2"
	if ! tsort "$tmp/edges2" > /dev/null 2> "$tmp/loop"; then
		echo "layers: an include cycle:"
		sed -e 's#^tsort: .*: input contains a loop:#  a loop through:#' \
		    -e 's/^tsort: /    /' "$tmp/loop"
		status=1
	fi
fi
[ "$status" = 0 ] && echo "layers: every include points down or sideways; no cycle"
exit $status
