#!/usr/bin/env bash
# The security headers of the static pages (htdocs/), configured by the
# files the repository ships: lighttpd.conf, apache.conf (mod_fcgid),
# apache-cgi.conf (plain CGI) and its shared-hosting .htaccess all send
# the same Content-Security-Policy (no inline script, nothing from
# another origin, never framed), X-Content-Type-Options,
# Referrer-Policy and Permissions-Policy on pages, assets and error
# pages; they leave the programs' answers (/health, /api) to the
# programs, which send the same values themselves.
source "$(dirname "$0")/lib.sh"

t_tmp headers
chmod 755 "$TMP"

CSP="default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

# The values are the same in every configuration file.
values() {
	grep -oE '"(Content-Security-Policy|X-Content-Type-Options|Referrer-Policy|Permissions-Policy)"( =>)? "[^"]*"' "$1" |
	    sed 's/" => "/ /; s/" "/ /; s/"//g' | sort -u
}
want=$(values "$HUBGATE_ROOT/lighttpd.conf")
expect_eq "$(echo "$want" | wc -l)" 4 "lighttpd.conf sets the four headers"
expect_match "$want" "Content-Security-Policy $CSP" "lighttpd.conf's CSP is the dashboard's"
for f in apache.conf apache-cgi.conf; do
	got=$(grep -oE 'Header always set [A-Za-z-]+ "[^"]*"' "$HUBGATE_ROOT/$f" |
	    sed 's/^Header always set //; s/"//g' | sort -u)
	expect_eq "$got" "$want" "$f sends the same headers as lighttpd.conf"
done

# header TEXT NAME: the values of header NAME in TEXT, one a line.
header() { printf '%s\n' "$1" | sed -n "s/^$2: //Ip"; }

# check LABEL: the headers on what BASE serves.
check() {
	local v=$1 u h name val
	for u in / /index.html /favicon.ico /no-such-page.html; do
		h=$(curl -s -o /dev/null -D - --max-time 10 "$BASE$u" | tr -d '\r')
		while IFS= read -r line; do
			name=${line%% *} val=${line#* }
			expect_eq "$(header "$h" "$name")" "$val" "$v: $u: $name"
		done <<< "$want"
	done
	# The dashboard program sends the same headers itself (route.c),
	# exactly once: the servers add no second copy.
	for u in /health /api/no-such-thing /api/session; do
		h=$(curl -s -o /dev/null -D - --max-time 10 "$BASE$u" | tr -d '\r')
		while IFS= read -r line; do
			name=${line%% *} val=${line#* }
			expect_eq "$(header "$h" "$name")" "$val" "$v: $u: $name, once"
		done <<< "$want"
	done
	expect_eq "$(header "$h" Cache-Control)" no-store "$v: /api: Cache-Control: no-store"
	expect_eq "$(header "$h" Strict-Transport-Security)" "" "$v: /api: no HSTS under an http base_url"
}

# --- lighttpd ----------------------------------------------------------
D=$TMP/lighttpd
new_data "$D"
if start_lighttpd "$D"; then
	ok "lighttpd starts"
	check lighttpd
else
	not_ok "lighttpd starts"
	sed 's/^/#   /' "$D/error.log"
fi
stop_lighttpd

# --- Apache: apache.conf and apache-cgi.conf ----------------------------
for site in apache.conf apache-cgi.conf; do
	D=$TMP/${site%.conf}
	apache_data "$D"
	CUR=$D
	if start_apache "$D" "$HUBGATE_ROOT/$site"; then
		ok "Apache starts with $site"
		check "$site"
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
W=$TMP/htdocs
cp -R "$HUBGATE_ROOT/htdocs" "$W"
sed -n '/^# and this public_html\/.htaccess/,/^# Do NOT rewrite/s/^#   //p' \
    "$HUBGATE_ROOT/apache-cgi.conf" |
    sed "s|/home/USER/hubgate/hubgate.conf|$D/hubgate.conf|" > "$W/.htaccess"
chmod -R a+rX "$W"
cat > "$TMP/htaccess-site.conf" <<SITE
<VirtualHost *:\${HUBGATE_PORT}>
	DocumentRoot "$W"
	Alias /health $HUBGATE_BUILD/cgi-bin/dashboard
	Alias /api $HUBGATE_BUILD/cgi-bin/dashboard
	<Directory "$HUBGATE_BUILD/cgi-bin">
		SetHandler cgi-script
		Options +ExecCGI
		AcceptPathInfo On
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
	check htaccess
else
	not_ok "Apache starts with the documented .htaccess"
	tail -20 "$D/apache/error.log" 2>/dev/null | sed 's/^/#   /'
fi
stop_apache "$D" >/dev/null
CUR=
t_done
