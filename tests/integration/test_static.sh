#!/usr/bin/env bash
# What the web servers serve from htdocs/, configured by the very files
# the repository ships (lighttpd.conf, apache.conf, apache-cgi.conf):
# dotfiles and dot-directories (but ACME's .well-known/), databases and
# their -wal/-shm/-journal files, SQL dumps, backups and editor
# leftovers are refused (403 or 404) even when someone leaves them in
# htdocs/; ordinary files are served.  And `make install` copies no
# dotfile and no editor leftover from htdocs/.
source "$(dirname "$0")/lib.sh"

# Not under HUBGATE_TEST_TMP: Apache's user must traverse it.
t_tmp static
chmod 755 "$TMP"

# The two patterns are the same in every server configuration.
dots() { grep -o '"/\\\.(?!well-known/)"' "$1" | sort -u; }
files() { grep -o '"(?i)(~|[^"]*)\$"' "$1" | sort -u; }
want_dots=$(dots "$HUBGATE_ROOT/apache.conf")
want_files=$(files "$HUBGATE_ROOT/apache.conf")
[ -n "$want_dots" ] && [ -n "$want_files" ] && ok "apache.conf has both patterns" ||
    not_ok "apache.conf has both patterns"
for f in apache-cgi.conf lighttpd.conf; do
	expect_eq "$(dots "$HUBGATE_ROOT/$f")" "$want_dots" "$f denies dotfiles as apache.conf does"
	expect_eq "$(files "$HUBGATE_ROOT/$f")" "$want_files" "$f denies leftovers as apache.conf does"
done

# A repository of symbolic links to this one, but with its own htdocs/
# holding the leftovers: the servers are configured from ROOT as usual.
ROOT=$TMP/root
mkdir -p "$ROOT"
for f in "$HUBGATE_ROOT"/* "$HUBGATE_ROOT"/.[!.]*; do
	[ -e "$f" ] || continue
	case ${f##*/} in htdocs|build|build-san|.git) continue ;; esac
	ln -s "$f" "$ROOT/${f##*/}"
done
W=$ROOT/htdocs
cp -R "$HUBGATE_ROOT/htdocs" "$W"
DENIED=".env .htaccess .htpasswd .git/config .git/HEAD .svn/entries
	.hidden/page.html sub/.env .well-known.bak
	hubgate.db hubgate.db-wal hubgate.db-shm hubgate.db-journal
	data.sqlite data.sqlite3 data.sqlite-wal data.sqlite3-journal
	HUBGATE.DB dump.sql dump.SQL index.html.bak index.html~ .index.html.swp
	index.html.swp index.html.swo index.html.orig index.html.old
	lighttpd.conf hubgate.conf site.inc error.log"
for f in $DENIED; do
	mkdir -p "$(dirname "$W/$f")"
	echo "secret leftover $f" > "$W/$f"
done
mkdir -p "$W/.well-known/acme-challenge" "$W/sub"
echo token-for-acme > "$W/.well-known/acme-challenge/tok"
echo plain text > "$W/sub/notes.txt"
chmod -R a+rX "$W"

# denials LABEL: every leftover refused, the ordinary files served.
denials() {
	local v=$1 f st body
	for f in $DENIED; do
		st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
		    "$BASE/$f")
		expect_match "$st" '^40[34]$' "$v: /$f is refused"
	done
	# Encoded, the same names are refused too.
	st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
	    --path-as-is "$BASE/%2egit/config")
	expect_match "$st" '^40[34]$' "$v: /%2egit/config is refused"
	body=$(curl -s --max-time 10 "$BASE/index.html")
	expect_eq "$body" "$(cat "$W/index.html")" "$v: /index.html is served"
	expect_eq "$(curl -s --max-time 10 "$BASE/sub/notes.txt")" "plain text" \
	    "$v: /sub/notes.txt is served"
	expect_eq "$(curl -s --max-time 10 "$BASE/.well-known/acme-challenge/tok")" \
	    token-for-acme "$v: ACME's /.well-known/ is served"
}

# --- lighttpd: lighttpd.conf -------------------------------------------
D=$TMP/lighttpd
new_data "$D"
{
	echo "server.errorlog = \"$D/error.log\""
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	sh "$HUBGATE_ROOT/scripts/lighttpd-conf.sh" "$ROOT" \
	    "$HUBGATE_BUILD/cgi-bin" "$D" "$D/hubgate.conf" "$PORT"
} > "$D/lighttpd.conf"
/usr/sbin/lighttpd -D -f "$D/lighttpd.conf" >>"$D/error.log" 2>&1 &
LIGHTTPD_PID=$!
if wait_up "$BASE/health"; then
	ok "lighttpd starts with lighttpd.conf"
	denials lighttpd
else
	not_ok "lighttpd starts with lighttpd.conf"
	sed 's/^/#   /' "$D/error.log"
fi
stop_lighttpd

# --- Apache: apache.conf and apache-cgi.conf ----------------------------
for site in apache.conf apache-cgi.conf; do
	D=$TMP/${site%.conf}
	apache_data "$D"
	CUR=$D
	if start_apache "$D" "$ROOT/$site" "Define HUBGATE_HTDOCS $W"; then
		ok "Apache starts with $site"
		denials "$site"
	else
		not_ok "Apache starts with $site"
		tail -20 "$D/apache/error.log" 2>/dev/null | sed 's/^/#   /'
	fi
	stop_apache "$D" >/dev/null
	CUR=
done

# --- the shared-hosting .htaccess of apache-cgi.conf ---------------------
D=$TMP/htaccess
apache_data "$D"
sed -n '/^# and this public_html\/.htaccess/,/^# Do NOT rewrite/s/^#   //p' \
    "$HUBGATE_ROOT/apache-cgi.conf" |
    sed "s|/home/USER/hubgate/hubgate.conf|$D/hubgate.conf|" > "$W/.htaccess"
chmod a+r "$W/.htaccess"
cat > "$TMP/htaccess-site.conf" <<SITE
<VirtualHost *:\${HUBGATE_PORT}>
	DocumentRoot "$W"
	Alias /health $HUBGATE_BUILD/cgi-bin/dashboard
	<Directory "$HUBGATE_BUILD/cgi-bin">
		SetHandler cgi-script
		Options +ExecCGI
		Require all granted
	</Directory>
	<Directory "$W">
		AllowOverride FileInfo Options Indexes
		Require all granted
	</Directory>
</VirtualHost>
SITE
CUR=$D
if start_apache "$D" "$TMP/htaccess-site.conf"; then
	ok "Apache starts with the documented .htaccess"
	denials htaccess
else
	not_ok "Apache starts with the documented .htaccess"
	tail -20 "$D/apache/error.log" 2>/dev/null | sed 's/^/#   /'
fi
stop_apache "$D" >/dev/null
CUR=
rm -f "$W/.htaccess"

# --- make install --------------------------------------------------------
DEST=$TMP/dest
if make -s -C "$ROOT" install DESTDIR="$DEST" PREFIX=/usr \
    BUILD="$HUBGATE_ROOT/build" > "$TMP/install.log" 2>&1; then
	ok "make install DESTDIR=... succeeds"
else
	not_ok "make install DESTDIR=... succeeds"
	sed 's/^/#   /' "$TMP/install.log" | tail -20
fi
H=$DEST/usr/share/hubgate/htdocs
expect_eq "$(cat "$H/index.html" 2>/dev/null)" "$(cat "$W/index.html")" \
    "make install copies htdocs/index.html"
expect_eq "$(cat "$H/sub/notes.txt" 2>/dev/null)" "plain text" \
    "make install copies htdocs/ subdirectories"
expect_eq "$(cd "$H" 2>/dev/null && find . -name '.*' ! -name . | sort | tr '\n' ' ')" \
    "" "make install copies no dotfile or dot-directory"
expect_eq "$(cd "$H" 2>/dev/null && find . -name '*~' -o -name '*.sw[po]' \
    -o -name '*.bak' -o -name '*.orig' | sort | tr '\n' ' ')" \
    "" "make install copies no editor leftover"
t_done
