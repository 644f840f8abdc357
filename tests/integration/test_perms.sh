#!/usr/bin/env bash
# The database is private whatever the caller's umask: after `make run`
# (scripts/run.sh, as the Makefile calls it) and after `hubgate-admin
# init`, the data directory is 0700 and the database with its -wal and
# -shm files 0600, nothing in the directory is open to other users,
# and another local user (nobody) cannot read the database.  The shared
# group setup of README.md ("Deploying": a setgid directory of the web
# server's group) gives the group read and write, and nobody else.
. "$(dirname "$0")/lib.sh"
# Not under HUBGATE_TEST_TMP (private): the directories above the data
# must be traversable by nobody, so that only the data's own modes
# keep them out.
TMP=$(mktemp -d /tmp/hubgate-perms.XXXXXX)
chmod 755 "$TMP"
set -m
RUN_PID=
cleanup() {
	[ -n "$RUN_PID" ] && kill -TERM -"$RUN_PID" 2>/dev/null
	if [ "$T_FAILED" = 0 ]; then rm -rf "$TMP"
	else echo "# kept $TMP"; fi
}
trap cleanup EXIT

mode() { stat -c %a "$1" 2>/dev/null || echo missing; }
# as_nobody CMD...: run CMD as the local user nobody.
as_nobody() { runuser -u nobody -- "$@" 2>/dev/null; }
# The refusals below mean something only if nobody can read at all.
echo readable > "$TMP/open.txt"
chmod 644 "$TMP/open.txt"; chmod 755 "$TMP"
expect_eq "$(as_nobody cat "$TMP/open.txt")" readable "nobody can read a file open to others (the control)"
# open_to_others DIR: what in DIR grants other users anything.
open_to_others() { find "$1" -perm /o=rwx | sed "s|^$1|.|" | sort | tr '\n' ' '; }

# private DIR LABEL: the checks every setup must pass.
private() {
	local d=$1 v=$2 f
	expect_eq "$(mode "$d")" 700 "$v: the data directory is 0700"
	for f in hubgate.db hubgate.db-wal hubgate.db-shm; do
		[ -e "$d/$f" ] || [ "$f" = hubgate.db ] || continue
		expect_eq "$(mode "$d/$f")" 600 "$v: $f is 0600"
	done
	expect_eq "$(open_to_others "$d")" "" "$v: nothing in the data directory is open to others"
	as_nobody cat "$d/hubgate.db" >/dev/null &&
	    not_ok "$v: nobody cannot read the database" ||
	    ok "$v: nobody cannot read the database"
	as_nobody ls "$d" >/dev/null &&
	    not_ok "$v: nobody cannot list the data directory" ||
	    ok "$v: nobody cannot list the data directory"
}

# --- make run -------------------------------------------------------------
for um in 022 000; do
	D=$TMP/run$um/var
	mkdir -p "$(dirname "$D")"
	chmod 755 "$(dirname "$D")"
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	( umask $um; DATA_DIR=$D PORT=$PORT BUILD=build \
	    exec sh "$HUBGATE_ROOT/scripts/run.sh" ) > "$D.out" 2>&1 &
	RUN_PID=$!
	if ! wait_up "$BASE/health"; then
		not_ok "make run (umask $um) starts"
		sed 's/^/#   /' "$D.out"
		continue
	fi
	secret=$(sed -n 's/^app_secret = //p' "$D/hubgate.conf")
	P=$PAYLOADS/messenger-text.json
	expect_eq "$(post "$P" "$(sign "$P" "$secret")")" 200 \
	    "make run (umask $um): an event is stored"
	# While the server runs, the -wal and -shm files exist.
	[ -e "$D/hubgate.db-wal" ] && [ -e "$D/hubgate.db-shm" ] &&
	    ok "make run (umask $um): -wal and -shm exist" ||
	    not_ok "make run (umask $um): -wal and -shm exist"
	private "$D" "make run (umask $um)"
	expect_eq "$(mode "$D/hubgate.conf")" 600 "make run (umask $um): the configuration is 0600"
	stop_run >/dev/null
done

# --- make run on a data directory an older version left open -------------
D=$TMP/run022/var
chmod 755 "$D"
chmod 644 "$D/hubgate.db"
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
( umask 022; DATA_DIR=$D PORT=$PORT BUILD=build \
    exec sh "$HUBGATE_ROOT/scripts/run.sh" ) > "$D.out2" 2>&1 &
RUN_PID=$!
wait_up "$BASE/health" || sed 's/^/#   /' "$D.out2"
private "$D" "make run on an old open directory"
stop_run >/dev/null

# --- hubgate-admin init -----------------------------------------------------
# conf_in DIR DBPATH: a configuration in DIR naming the database.
conf_in() {
	mkdir -p "$1"
	chmod 755 "$1"
	printf 'app_id = 1\napp_secret = %s\ndb_path = %s\n' "$TEST_SECRET" \
	    "$2" > "$1/hubgate.conf"
}
for um in 022 000; do
	# A directory that does not exist yet is created private.
	C=$TMP/admin$um
	conf_in "$C" data/hubgate.db
	out=$(umask $um; HUBGATE_CONFIG=$C/hubgate.conf "$ADMIN" init 2>&1)
	expect_match "$out" "database ready" "init (umask $um) creates the data directory"
	private "$C/data" "init (umask $um), new directory"
	# A directory left open (0777) and a database of an older version
	# (0644) are closed.
	mkdir -p "$C/data"
	chmod 777 "$C/data"
	chmod 644 "$C/data/hubgate.db"
	out=$(umask $um; HUBGATE_CONFIG=$C/hubgate.conf "$ADMIN" init 2>&1)
	expect_match "$out" "database ready" "init (umask $um) on an open directory"
	private "$C/data" "init (umask $um), open directory and database"
	# Any program that opens the database closes it too.
	chmod 644 "$C/data/hubgate.db"
	(umask $um; HUBGATE_CONFIG=$C/hubgate.conf "$ADMIN" channel-add page 1 x >/dev/null)
	expect_eq "$(mode "$C/data/hubgate.db")" 600 "channel-add (umask $um) closes an open database"
done

# A database beside its configuration (db_path relative to a directory
# such as /etc or /etc/hubgate): init must not close that directory, or
# the web server could no longer read the configuration; it says so.
C=$TMP/beside
conf_in "$C" hubgate.db
echo "another file" > "$C/other.txt"
chmod 755 "$C"
out=$(umask 022; HUBGATE_CONFIG=$C/hubgate.conf "$ADMIN" init 2>&1)
expect_match "$out" "database ready" "init with the database beside its configuration"
expect_eq "$(mode "$C")" 755 "the configuration's directory is left as it was"
expect_match "$out" "holds more than the database" "and init says why it is not closed"
expect_eq "$(mode "$C/hubgate.db")" 600 "the database itself is private"

# --- the shared group setup of README.md -------------------------------------
# The data directory setgid, of the web server's group (www-data), 2770:
# a program of another user of that group (root here, as an operator's
# hubgate-admin) creates the database 0660, which www-data can then
# write; nobody still reads nothing.
C=$TMP/group
conf_in "$C" data/hubgate.db
chgrp www-data "$C/hubgate.conf"
chmod 640 "$C/hubgate.conf"
install -d -m 2770 -g www-data "$C/data"
out=$(umask 022; HUBGATE_CONFIG=$C/hubgate.conf "$ADMIN" init 2>&1)
expect_match "$out" "database ready" "group setup: init"
expect_eq "$(mode "$C/data")" 2770 "group setup: the directory stays 2770"
expect_eq "$(stat -c %a:%G "$C/data/hubgate.db")" 660:www-data "group setup: the database is 0660, of the group"
out=$(cd / && HUBGATE_CONFIG=$C/hubgate.conf runuser -u www-data -- \
    "$ADMIN" channel-add page 2 y 2>&1)
expect_match "$out" '^[0-9]+$' "group setup: the web server's user writes the database"
expect_eq "$(open_to_others "$C/data")" "" "group setup: nothing is open to others"
as_nobody cat "$C/data/hubgate.db" >/dev/null &&
    not_ok "group setup: nobody cannot read the database" ||
    ok "group setup: nobody cannot read the database"
t_done
