#!/usr/bin/env bash
# Audit retention: the webhook-retry cron deletes the audit lines older
# than audit_retention_days (in batches, like events past
# retention_days), keeps the rest, and says how many in its summary; it
# deletes expired sessions and stale throttle rows and setup tokens too.
source "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d /tmp/hubgate-auditret.XXXXXX)
trap 'if [ "$T_FAILED" = 0 ]; then rm -rf "$TMP"; else echo "# kept $TMP"; fi' EXIT
D=$TMP/data
new_data "$D"
echo "audit_retention_days = 30" >> "$D/hubgate.conf"
CRON=$HUBGATE_BUILD/cron/webhook-retry
NOW=$(date +%s)
OLD=$((NOW - 31 * 86400))	# past the 30 days
KEEP=$((NOW - 29 * 86400))	# within them

# 450 old lines (more than a few batches) and 20 recent ones.
sqlite3 "$D/hubgate.db" <<SQL
.timeout 5000
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 450)
INSERT INTO audit_log (at, workspace_id, actor_kind, action, object)
    SELECT $OLD - i, 1, 'cron', 'event_retried', 'event:' || i FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
INSERT INTO audit_log (at, workspace_id, actor_kind, action, object)
    SELECT $KEEP + i, 1, 'user', 'signin', 'user:1' FROM n;
SQL
expect_eq "$(sql "$D" 'SELECT count(*) FROM audit_log')" 470 "470 audit lines to start with"

out=$(HUBGATE_CONFIG=$D/hubgate.conf "$CRON" 2>&1)
expect_eq "$?" 0 "the cron runs"
expect_match "$out" ' audit_pruned=450 ' "its summary counts the 450 old lines"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE at < $NOW - 30 * 86400")" 0 \
    "no line older than audit_retention_days is left"
expect_eq "$(sql "$D" "SELECT count(*) FROM audit_log WHERE action = 'signin'")" 20 \
    "the 20 recent lines are kept"

out=$(HUBGATE_CONFIG=$D/hubgate.conf "$CRON" 2>&1)
expect_match "$out" ' audit_pruned=0 ' "a second run finds nothing to delete"

# The default keeps a year: 31-day-old lines stay.
sqlite3 "$D/hubgate.db" "INSERT INTO audit_log (at, workspace_id, actor_kind, action) VALUES ($OLD, 1, 'cron', 'x'), ($((NOW - 366 * 86400)), 1, 'cron', 'y')"
sed -i '/^audit_retention_days/d' "$D/hubgate.conf"
out=$(HUBGATE_CONFIG=$D/hubgate.conf "$CRON" 2>&1)
expect_match "$out" ' audit_pruned=1 ' "by default (365 days) only the line older than a year goes"
expect_eq "$(sql "$D" "SELECT group_concat(action) FROM audit_log WHERE action IN ('x', 'y')")" x \
    "the 31-day-old line stays"

# The sign-in tables: expired sessions (idle past session_idle_s, or
# older than session_max_s), throttle rows whose wait ended over a day
# ago, setup tokens used or expired over a day ago go; the rest stays.
sqlite3 "$D/hubgate.db" <<SQL
.timeout 5000
INSERT INTO user (id, email, created_at, updated_at) VALUES (77, 'p@example.org', $NOW, $NOW);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 230)
INSERT INTO session (id, user_id, workspace_id, csrf_token, created_at, last_seen_at)
    SELECT 'idle' || i, 77, 1, 'c', $NOW - 3600, $NOW - 600 - i FROM n;
INSERT INTO session (id, user_id, workspace_id, csrf_token, created_at, last_seen_at) VALUES
    ('old', 77, 1, 'c', $NOW - 2000, $NOW - 5),
    ('live', 77, 1, 'c', $NOW - 500, $NOW - 5);
INSERT INTO login_throttle (key, failures, next_ms) VALUES
    ('addr:stale', 12, ($NOW - 90000) * 1000), ('addr:recent', 3, ($NOW - 60) * 1000);
INSERT INTO setup_token (hash, user_id, expires_at, used_at) VALUES
    ('used-old', 77, $NOW - 80000, $NOW - 90000), ('expired-old', NULL, $NOW - 90000, NULL),
    ('used-new', 77, $NOW + 100, $NOW - 60), ('valid', 77, $NOW + 3600, NULL);
SQL
printf 'session_idle_s = 300\nsession_max_s = 1000\n' >> "$D/hubgate.conf"
out=$(HUBGATE_CONFIG=$D/hubgate.conf "$CRON" 2>&1)
expect_match "$out" ' accounts_pruned=234 ' "the cron deletes 231 expired sessions, a stale throttle row and two old setup tokens"
expect_eq "$(sql "$D" "SELECT group_concat(id) FROM session")" live "only the live session is left"
expect_eq "$(sql "$D" "SELECT group_concat(key) FROM login_throttle")" addr:recent "the recent throttle row is kept"
expect_eq "$(sql "$D" "SELECT group_concat(hash) FROM (SELECT hash FROM setup_token ORDER BY hash)")" used-new,valid \
    "the valid and the lately used setup tokens are kept"
out=$(HUBGATE_CONFIG=$D/hubgate.conf "$CRON" 2>&1)
expect_match "$out" ' accounts_pruned=0 ' "a second run finds nothing to delete"

echo "audit_retention_days = 0" >> "$D/hubgate.conf"
HUBGATE_CONFIG=$D/hubgate.conf "$CRON" > "$TMP/out" 2>&1
rc=$?
expect_eq "$rc" 1 "audit_retention_days = 0 is a configuration error"
expect_match "$(cat "$TMP/out")" 'audit_retention_days' "... naming the key"
t_done
