#!/usr/bin/env bash
# Print a TCP port of 127.0.0.1 that nobody listens on, below the
# kernel's range of ephemeral ports: there a client's connection may
# hold the port, and a server's bind would fail although nobody listens.
# Exits 1 when 50 tries found none.
low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
[ "${low:-0}" -gt 12000 ] 2>/dev/null || low=32768
for _ in $(seq 1 50); do
	p=$((10000 + RANDOM % (low - 10000)))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		echo "$p"
		exit 0
	fi
done
exit 1
