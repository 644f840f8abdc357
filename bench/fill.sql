-- fill.sql: N stored webhook events written straight into a hubgate
-- database, for the operations benchmark (bench/ops.sh).  Run by the
-- sqlite3 shell with the parameters
--   @n    how many events (1000000)
--   @now  the current time, unix milliseconds
-- on a database hubgate has created (every migration applied), so the
-- summaries its triggers keep are written as the rows go in, as they
-- are when the webhook stores events.
--
-- The mix, roughly what a business of three accounts sees: arrival
-- times spread evenly over the last 30 days; 45% Messenger, 25%
-- Instagram, 28% WhatsApp, 2% not JSON (invalid); 96% routed, 1%
-- partial, 3% unrouted; of the valid events 97.5% processed, 1%
-- failed, 1% dead letters, 0.5% pending; bodies of 200 to 1,800 bytes (as Meta's are).

INSERT OR IGNORE INTO channel (id, workspace_id, kind, meta_id, name,
    created_at, updated_at)
VALUES (9001, 1, 'page', '9001001', 'Bench Bakery', @now / 1000, @now / 1000),
       (9002, 1, 'instagram', '9002001', 'Bench Bakery IG', @now / 1000, @now / 1000),
       (9003, 1, 'whatsapp', '9003001', 'Bench Bakery WA', @now / 1000, @now / 1000);

CREATE TEMP TABLE filler AS SELECT
    replace(hex(zeroblob(2200)), '00', 'Hi! Do you ship to Lisbon? ') AS t;

INSERT INTO webhook_event (received_ms, sent_ms, body, body_sha256,
    signature, object, entry_ids, phone_number_ids, routing, state,
    attempts, next_attempt_ms, last_error, processed_ms, channel_id)
WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < @n),
r AS MATERIALIZED (SELECT k,
    @now - 30 * 86400000 + k * (30 * 86400000 / @n) AS at,
    abs(random()) % 1000 AS p,	-- platform
    abs(random()) % 1000 AS s,	-- state
    abs(random()) % 1000 AS g,	-- routing
    200 + abs(random()) % 1600 AS len
    FROM i),
e AS (SELECT k, at, len,
    CASE WHEN p < 450 THEN 'page' WHEN p < 700 THEN 'instagram'
        WHEN p < 980 THEN 'whatsapp_business_account' END AS object,
    CASE WHEN p >= 980 THEN 'invalid' WHEN s < 975 THEN 'processed'
        WHEN s < 985 THEN 'failed' WHEN s < 995 THEN 'dead_letter'
        ELSE 'pending' END AS state,
    CASE WHEN g < 960 THEN 'routed' WHEN g < 970 THEN 'partial'
        ELSE 'unrouted' END AS routing,
    s
    FROM r)
SELECT at, at - 150,
    CASE WHEN object IS NULL THEN substr((SELECT t FROM filler), 1, len)
    ELSE printf('{"object":"%s","entry":[{"id":"%s","time":%d,"messaging":[{"sender":{"id":"7300%08d"},"timestamp":%d,"message":{"mid":"m_fill_%d","text":"%s"}}]}]}',
        object,
        CASE object WHEN 'page' THEN '9001001' WHEN 'instagram' THEN '9002001'
            ELSE '9003001' END,
        at - 150, k % 50000, at - 150, k,
        substr((SELECT t FROM filler), 1, len)) END,
    lower(hex(randomblob(32))),
    'sha256=' || lower(hex(randomblob(32))),
    object,
    CASE object WHEN 'page' THEN '["9001001"]' WHEN 'instagram' THEN '["9002001"]'
        WHEN 'whatsapp_business_account' THEN '["9003001"]' ELSE '[]' END,
    CASE object WHEN 'whatsapp_business_account' THEN '["9003001"]' ELSE '[]' END,
    CASE WHEN object IS NULL THEN 'unrouted' ELSE routing END,
    state,
    CASE state WHEN 'processed' THEN 1 WHEN 'failed' THEN 1 + s % 4
        WHEN 'dead_letter' THEN 8 ELSE 0 END,
    CASE state WHEN 'failed' THEN at + 60000 END,
    CASE WHEN state IN ('failed', 'dead_letter') THEN
        CASE s % 3 WHEN 0 THEN 'database is locked'
            WHEN 1 THEN 'entry 0: no sender id'
            ELSE 'graph: (#100) Invalid parameter' END END,
    CASE state WHEN 'processed' THEN at + (s % 7) * (s % 7) * (s % 7) * 3 END,
    CASE WHEN object IS NULL OR routing = 'unrouted' THEN NULL
        WHEN object = 'page' THEN 9001 WHEN object = 'instagram' THEN 9002
        ELSE 9003 END
FROM e;

-- Every failed attempt of the failed events and dead letters.
INSERT INTO event_attempt (event_id, attempt, at_ms, error)
WITH RECURSIVE a(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM a WHERE n < 8)
SELECT id, n, received_ms + n * 60000, last_error
FROM webhook_event JOIN a ON n <= attempts
WHERE state IN ('failed', 'dead_letter');

-- The bench channels' last event: their newest event's arrival (as the
-- webhook sets it), so that the overview does not call them silent.
UPDATE channel SET last_event_at = (SELECT received_ms / 1000
    FROM webhook_event WHERE channel_id = channel.id ORDER BY id DESC LIMIT 1)
WHERE id IN (9001, 9002, 9003);
