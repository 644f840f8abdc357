-- hubgate: the database, the single source of truth for its shape.
--
-- The file is a sequence of migrations.  Each begins with a line
-- "-- @migration N" and ends by setting PRAGMA user_version to N.
-- lib/store/db applies, inside one BEGIN IMMEDIATE transaction, every
-- migration above the database's user_version, so two processes
-- starting at once cannot both apply one.  Never edit a migration that
-- has shipped: add a new one below.
--
-- Times are unix epoch integers: *_at in seconds unless the column says
-- milliseconds (_ms).  Tokens are stored sealed with AES-256-GCM under
-- the configuration's token_key; nothing here holds a secret in clear.

-- @migration 1

-- workspace: a tenant, one business.  Row 1 exists from the start.
CREATE TABLE workspace (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL,			-- shown in the dashboard
	created_at	INTEGER NOT NULL		-- when it was created
);
INSERT INTO workspace (id, name, created_at)
	VALUES (1, 'Default', CAST(strftime('%s', 'now') AS INTEGER));

-- channel: a connected Facebook Page, Instagram account or WhatsApp
-- phone number; webhook events are routed to channels by meta_id.
CREATE TABLE channel (
	id		INTEGER PRIMARY KEY,
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id),	-- owner
	kind		TEXT NOT NULL					-- which platform
			CHECK (kind IN ('page', 'instagram', 'whatsapp')),
	meta_id		TEXT NOT NULL,	-- Page id, Instagram account id, or WhatsApp phone_number_id
	parent_meta_id	TEXT,		-- the Page of an Instagram account, the WABA of a number
	name		TEXT NOT NULL DEFAULT '',	-- display name from Meta
	token_sealed	BLOB,		-- AES-256-GCM sealed access token, NULL when none
	token_status	TEXT NOT NULL DEFAULT 'none'	-- health of that token
			CHECK (token_status IN ('none', 'valid', 'expiring', 'invalid', 'revoked')),
	token_expires_at INTEGER,	-- NULL or 0: does not expire
	subscribed_fields TEXT NOT NULL DEFAULT '',	-- comma list as subscribed at Meta
	last_event_at	INTEGER,	-- when its last webhook event arrived
	created_at	INTEGER NOT NULL,	-- when it was connected
	updated_at	INTEGER NOT NULL,	-- last change to this row
	UNIQUE (kind, meta_id)
);

-- webhook_event: the raw journal.  A row exists for every event that
-- was answered 200; the body is kept byte for byte as Meta signed it.
CREATE TABLE webhook_event (
	id		INTEGER PRIMARY KEY,
	received_ms	INTEGER NOT NULL,	-- arrival, unix milliseconds
	body		BLOB NOT NULL,		-- the raw request body
	body_sha256	TEXT NOT NULL UNIQUE,	-- hex SHA-256 of body: duplicates are refused on it
	signature	TEXT NOT NULL,		-- the X-Hub-Signature-256 header as received
	object		TEXT,			-- envelope "object"; NULL when not JSON
	entry_ids	TEXT NOT NULL DEFAULT '[]',	-- JSON array of every entry[].id
	phone_number_ids TEXT NOT NULL DEFAULT '[]',	-- JSON array of WhatsApp metadata.phone_number_id
	routing		TEXT NOT NULL DEFAULT 'unrouted'	-- did its accounts match channels?
			CHECK (routing IN ('routed', 'partial', 'unrouted')),
	state		TEXT NOT NULL DEFAULT 'pending'	-- processing state (see docs/DESIGN.md)
			CHECK (state IN ('pending', 'processing', 'processed', 'failed', 'dead_letter', 'invalid')),
	attempts	INTEGER NOT NULL DEFAULT 0,	-- processing attempts so far
	next_attempt_ms	INTEGER,		-- when a failed event is due again (ms)
	lease_token	TEXT,			-- claim token of the worker holding it
	lease_expires_ms INTEGER,		-- when that claim lapses (ms)
	last_error	TEXT,			-- why the last attempt failed
	processed_ms	INTEGER			-- when processing finished (ms)
);
-- Replays and retention select by arrival time.
CREATE INDEX webhook_event_received ON webhook_event (received_ms);
-- The queue: a worker claims the oldest events of a state.  (A partial
-- index would be smaller, but SQLite does not use one whose WHERE is an
-- IN list for a query naming a single state.)
CREATE INDEX webhook_event_queue ON webhook_event (state, id);

-- webhook_event_channel: which channels an event was routed to (a batch
-- may hold entries for several accounts).
CREATE TABLE webhook_event_channel (
	event_id	INTEGER NOT NULL REFERENCES webhook_event(id) ON DELETE CASCADE,
	channel_id	INTEGER NOT NULL REFERENCES channel(id) ON DELETE CASCADE,
	PRIMARY KEY (event_id, channel_id)
) WITHOUT ROWID;
CREATE INDEX webhook_event_channel_by_channel
	ON webhook_event_channel (channel_id, event_id);

-- contact: a person who wrote to a channel (PSID, IGSID or WhatsApp id).
CREATE TABLE contact (
	id		INTEGER PRIMARY KEY,
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id),	-- owner
	channel_id	INTEGER NOT NULL REFERENCES channel(id),	-- where they wrote
	meta_user_id	TEXT NOT NULL,	-- PSID, IGSID or wa_id, scoped to the channel
	name		TEXT NOT NULL DEFAULT '',	-- profile name when Meta gives one
	first_seen_at	INTEGER NOT NULL,	-- first event from them
	last_seen_at	INTEGER NOT NULL,	-- latest event from them
	UNIQUE (channel_id, meta_user_id)
);

-- conversation: the thread between one contact and one channel.
CREATE TABLE conversation (
	id		INTEGER PRIMARY KEY,
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id),	-- owner
	channel_id	INTEGER NOT NULL REFERENCES channel(id),	-- which account
	contact_id	INTEGER NOT NULL REFERENCES contact(id),	-- with whom
	status		TEXT NOT NULL DEFAULT 'open'	-- open, escalated to a human, closed
			CHECK (status IN ('open', 'escalated', 'closed')),
	last_inbound_ms	INTEGER,	-- the person's latest message: opens the 24 h window
	last_message_ms	INTEGER,	-- latest message either way, for ordering
	unread		INTEGER NOT NULL DEFAULT 0,	-- inbound messages not yet seen by a person
	thread_owner	TEXT NOT NULL DEFAULT 'us'	-- 'other': another app owns the thread (standby, handover)
			CHECK (thread_owner IN ('us', 'other')),
	created_at	INTEGER NOT NULL,	-- first message
	UNIQUE (channel_id, contact_id)
);

-- message: one message in a conversation, keyed by Meta's mid / wamid
-- (or, for items without an id of their own such as reactions, a key
-- derived from the item), so a redelivered event changes nothing.
CREATE TABLE message (
	id		INTEGER PRIMARY KEY,
	conversation_id	INTEGER NOT NULL REFERENCES conversation(id),	-- thread
	meta_message_id	TEXT UNIQUE,	-- mid, wamid or derived key; NULL until an outbound send succeeds
	direction	TEXT NOT NULL CHECK (direction IN ('in', 'out')),	-- who wrote it
	kind		TEXT NOT NULL DEFAULT 'text',	-- text, attachment, postback, reaction, image, location, ...
	text		TEXT,		-- the text, caption, title or emoji, when there is one
	attachments	TEXT,		-- JSON array of {type, url | id, ...}, when there are some
	payload		TEXT,		-- quick-reply, postback or button payload
	reply_to	TEXT,		-- the mid / wamid this answers or reacts to
	raw		TEXT,		-- the item's JSON when hubgate keeps no finer shape of it
	status		TEXT NOT NULL DEFAULT 'received'	-- delivery state; never moves backwards
			CHECK (status IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed')),
	error_code	TEXT,		-- Meta's error code when a send failed
	error		TEXT,		-- Meta's error title / message when a send failed
	sent_ms		INTEGER NOT NULL,	-- Meta's timestamp of the message (ms)
	delivered_ms	INTEGER,	-- when a delivery receipt covered it
	read_ms		INTEGER,	-- when a read receipt covered it
	event_id	INTEGER REFERENCES webhook_event(id) ON DELETE SET NULL,	-- the event it came from
	created_ms	INTEGER NOT NULL	-- when hubgate stored it (ms)
);
CREATE INDEX message_by_conversation ON message (conversation_id, sent_ms);

-- feed_item: a Page feed comment (or post) and its later edits,
-- hides and removals, one row per Meta comment/post id.
CREATE TABLE feed_item (
	id		INTEGER PRIMARY KEY,
	channel_id	INTEGER NOT NULL REFERENCES channel(id),	-- the Page
	meta_id		TEXT NOT NULL,	-- comment_id, or post_id for posts
	item		TEXT NOT NULL,	-- comment, post, ...
	post_id		TEXT,		-- the post it belongs to
	parent_id	TEXT,		-- the comment or post it answers
	from_id		TEXT,		-- author's id
	from_name	TEXT,		-- author's name
	message		TEXT,		-- the latest text
	status		TEXT NOT NULL DEFAULT 'visible'	-- after the latest verb
			CHECK (status IN ('visible', 'hidden', 'removed')),
	created_ms	INTEGER NOT NULL,	-- Meta's created_time (ms)
	updated_ms	INTEGER NOT NULL,	-- the latest change's time (ms)
	event_id	INTEGER REFERENCES webhook_event(id) ON DELETE SET NULL,	-- latest event
	UNIQUE (channel_id, meta_id)
);

-- event_attempt: every processing attempt of a webhook event that
-- failed, with its error, for people retrying by hand.
CREATE TABLE event_attempt (
	event_id	INTEGER NOT NULL REFERENCES webhook_event(id) ON DELETE CASCADE,	-- which event
	attempt		INTEGER NOT NULL,	-- 1, 2, ...
	at_ms		INTEGER NOT NULL,	-- when it failed (ms)
	error		TEXT NOT NULL,		-- why
	PRIMARY KEY (event_id, attempt)
) WITHOUT ROWID;

-- unhandled: a ledger of event kinds seen but not handled, so nothing
-- is dropped silently.
CREATE TABLE unhandled (
	id		INTEGER PRIMARY KEY,
	object		TEXT NOT NULL,	-- envelope object (page, instagram, ...)
	type		TEXT NOT NULL,	-- the item kind (e.g. messaging.optin, changes.feed)
	count		INTEGER NOT NULL DEFAULT 0,	-- how many times
	first_seen_at	INTEGER NOT NULL,	-- first time
	last_seen_at	INTEGER NOT NULL,	-- latest time
	sample_event_id	INTEGER REFERENCES webhook_event(id) ON DELETE SET NULL,	-- one example
	UNIQUE (object, type)
);

-- counter: monotonic counters shown by /health and /metrics
-- (webhook.accepted, webhook.duplicate, webhook.bad_signature, ...).
CREATE TABLE counter (
	name		TEXT PRIMARY KEY,	-- dotted name
	value		INTEGER NOT NULL DEFAULT 0	-- total since the database was created
) WITHOUT ROWID;

PRAGMA user_version = 1;

-- @migration 2

-- webhook_event finds duplicates on (sent_ms, body_sha256) instead of
-- the hash alone.  sent_ms is a function of the body (lib/meta/envelope.h:
-- Meta's time for the event), so a body delivered again still meets its
-- first copy; but where hashes are random, Meta's times grow, so a
-- group commit's new keys land on the index's last pages instead of
-- dirtying one random page per event.  A column's UNIQUE cannot be
-- dropped: the table is rebuilt (lib/store/db runs migrations with foreign
-- keys off and checks them before committing).  hg_sent_ms() is the
-- same function, registered by lib/store/db.
CREATE TABLE webhook_event_new (
	id		INTEGER PRIMARY KEY,
	received_ms	INTEGER NOT NULL,	-- arrival, unix milliseconds
	sent_ms		INTEGER NOT NULL DEFAULT 0,	-- Meta's time for the event (ms), from the body; 0 when it has none
	body		BLOB NOT NULL,		-- the raw request body
	body_sha256	TEXT NOT NULL,		-- hex SHA-256 of body
	signature	TEXT NOT NULL,		-- the X-Hub-Signature-256 header as received
	object		TEXT,			-- envelope "object"; NULL when not JSON
	entry_ids	TEXT NOT NULL DEFAULT '[]',	-- JSON array of every entry[].id
	phone_number_ids TEXT NOT NULL DEFAULT '[]',	-- JSON array of WhatsApp metadata.phone_number_id
	routing		TEXT NOT NULL DEFAULT 'unrouted'	-- did its accounts match channels?
			CHECK (routing IN ('routed', 'partial', 'unrouted')),
	state		TEXT NOT NULL DEFAULT 'pending'	-- processing state (see docs/DESIGN.md)
			CHECK (state IN ('pending', 'processing', 'processed', 'failed', 'dead_letter', 'invalid')),
	attempts	INTEGER NOT NULL DEFAULT 0,	-- processing attempts so far
	next_attempt_ms	INTEGER,		-- when a failed event is due again (ms)
	lease_token	TEXT,			-- claim token of the worker holding it
	lease_expires_ms INTEGER,		-- when that claim lapses (ms)
	last_error	TEXT,			-- why the last attempt failed
	processed_ms	INTEGER,		-- when processing finished (ms)
	UNIQUE (sent_ms, body_sha256)		-- duplicates are refused on it
);
INSERT INTO webhook_event_new (id, received_ms, sent_ms, body, body_sha256,
	signature, object, entry_ids, phone_number_ids, routing, state,
	attempts, next_attempt_ms, lease_token, lease_expires_ms, last_error,
	processed_ms)
    SELECT id, received_ms, hg_sent_ms(body), body, body_sha256,
	signature, object, entry_ids, phone_number_ids, routing, state,
	attempts, next_attempt_ms, lease_token, lease_expires_ms, last_error,
	processed_ms
    FROM webhook_event;
DROP TABLE webhook_event;
ALTER TABLE webhook_event_new RENAME TO webhook_event;
-- Replays and retention select by arrival time.
CREATE INDEX webhook_event_received ON webhook_event (received_ms);
-- The queue: a worker claims the oldest events of a state.
CREATE INDEX webhook_event_queue ON webhook_event (state, id);

PRAGMA user_version = 2;

-- @migration 3

-- Fewer B-trees written for each event (a commit writes at least the
-- last page of every B-tree it adds to); see also the queue's index
-- below:
-- * An event's channel is a column.  webhook_event.channel_id is the
--   first channel it was routed to; webhook_event_channel now holds
--   only the others (a batch may hold entries for several accounts).
-- * The index on received_ms goes.  lib/store/db stores an event's
--   received_ms as at least the previous event's, so ids order arrival
--   times and a range of times is a range of ids, found by bisection.
--   Events stored before keep their times, raised where needed to
--   follow that order (by the few milliseconds a group commit may
--   have put an earlier arrival after a later one).
ALTER TABLE webhook_event ADD COLUMN channel_id INTEGER
	REFERENCES channel(id) ON DELETE SET NULL;	-- first channel routed to (more: webhook_event_channel)
UPDATE webhook_event SET channel_id = (SELECT min(channel_id)
	FROM webhook_event_channel WHERE event_id = webhook_event.id)
    WHERE id IN (SELECT event_id FROM webhook_event_channel);
DELETE FROM webhook_event_channel WHERE channel_id =
	(SELECT channel_id FROM webhook_event WHERE id = event_id);
UPDATE webhook_event SET received_ms = x.m
    FROM (SELECT id, max(received_ms) OVER (ORDER BY id) AS m
	FROM webhook_event) AS x
    WHERE x.id = webhook_event.id AND x.m > webhook_event.received_ms;
DROP INDEX webhook_event_received;
-- The queue's index holds only the events still to be worked on, so a
-- stored and processed event (nearly all of them) adds nothing to it.
-- The queries that use it repeat its condition: that is how SQLite
-- knows that it may (lib/store/db.c).
DROP INDEX webhook_event_queue;
CREATE INDEX webhook_event_queue ON webhook_event (state, id)
	WHERE state <> 'processed';
-- Every (event, channel) pair, whichever of the two holds it.
CREATE VIEW webhook_event_route (event_id, channel_id) AS
	SELECT id, channel_id FROM webhook_event WHERE channel_id IS NOT NULL
	UNION ALL SELECT event_id, channel_id FROM webhook_event_channel;

PRAGMA user_version = 3;

-- @migration 4

-- The CHECKs of the two tables written for every event name their
-- values one by one: "x IN (a, b, c)" with more than two values makes
-- SQLite build a temporary B-tree of the list for every row it checks
-- (a quarter of the work of storing an event, measured).  The tables
-- are rebuilt with the same columns, in the same order, and the same
-- rules; the view over webhook_event must go while it is replaced.
DROP VIEW webhook_event_route;
CREATE TABLE webhook_event_new (
	id		INTEGER PRIMARY KEY,
	received_ms	INTEGER NOT NULL,	-- arrival, unix milliseconds
	sent_ms		INTEGER NOT NULL DEFAULT 0,	-- Meta's time for the event (ms), from the body; 0 when it has none
	body		BLOB NOT NULL,		-- the raw request body
	body_sha256	TEXT NOT NULL,		-- hex SHA-256 of body
	signature	TEXT NOT NULL,		-- the X-Hub-Signature-256 header as received
	object		TEXT,			-- envelope "object"; NULL when not JSON
	entry_ids	TEXT NOT NULL DEFAULT '[]',	-- JSON array of every entry[].id
	phone_number_ids TEXT NOT NULL DEFAULT '[]',	-- JSON array of WhatsApp metadata.phone_number_id
	routing		TEXT NOT NULL DEFAULT 'unrouted'	-- did its accounts match channels?
			CHECK (routing = 'routed' OR routing = 'partial' OR
			    routing = 'unrouted'),
	state		TEXT NOT NULL DEFAULT 'pending'	-- processing state (see docs/DESIGN.md)
			CHECK (state = 'pending' OR state = 'processing' OR
			    state = 'processed' OR state = 'failed' OR
			    state = 'dead_letter' OR state = 'invalid'),
	attempts	INTEGER NOT NULL DEFAULT 0,	-- processing attempts so far
	next_attempt_ms	INTEGER,		-- when a failed event is due again (ms)
	lease_token	TEXT,			-- claim token of the worker holding it
	lease_expires_ms INTEGER,		-- when that claim lapses (ms)
	last_error	TEXT,			-- why the last attempt failed
	processed_ms	INTEGER,		-- when processing finished (ms)
	channel_id	INTEGER REFERENCES channel(id) ON DELETE SET NULL,	-- first channel routed to (more: webhook_event_channel)
	UNIQUE (sent_ms, body_sha256)		-- duplicates are refused on it
);
INSERT INTO webhook_event_new SELECT * FROM webhook_event;
DROP TABLE webhook_event;
ALTER TABLE webhook_event_new RENAME TO webhook_event;
CREATE INDEX webhook_event_queue ON webhook_event (state, id)
	WHERE state <> 'processed';
CREATE VIEW webhook_event_route (event_id, channel_id) AS
	SELECT id, channel_id FROM webhook_event WHERE channel_id IS NOT NULL
	UNION ALL SELECT event_id, channel_id FROM webhook_event_channel;

CREATE TABLE message_new (
	id		INTEGER PRIMARY KEY,
	conversation_id	INTEGER NOT NULL REFERENCES conversation(id),	-- thread
	meta_message_id	TEXT UNIQUE,	-- mid, wamid or derived key; NULL until an outbound send succeeds
	direction	TEXT NOT NULL CHECK (direction IN ('in', 'out')),	-- who wrote it
	kind		TEXT NOT NULL DEFAULT 'text',	-- text, attachment, postback, reaction, image, location, ...
	text		TEXT,		-- the text, caption, title or emoji, when there is one
	attachments	TEXT,		-- JSON array of {type, url | id, ...}, when there are some
	payload		TEXT,		-- quick-reply, postback or button payload
	reply_to	TEXT,		-- the mid / wamid this answers or reacts to
	raw		TEXT,		-- the item's JSON when hubgate keeps no finer shape of it
	status		TEXT NOT NULL DEFAULT 'received'	-- delivery state; never moves backwards
			CHECK (status = 'received' OR status = 'queued' OR
			    status = 'sent' OR status = 'delivered' OR
			    status = 'read' OR status = 'failed'),
	error_code	TEXT,		-- Meta's error code when a send failed
	error		TEXT,		-- Meta's error title / message when a send failed
	sent_ms		INTEGER NOT NULL,	-- Meta's timestamp of the message (ms)
	delivered_ms	INTEGER,	-- when a delivery receipt covered it
	read_ms		INTEGER,	-- when a read receipt covered it
	event_id	INTEGER REFERENCES webhook_event(id) ON DELETE SET NULL,	-- the event it came from
	created_ms	INTEGER NOT NULL	-- when hubgate stored it (ms)
);
INSERT INTO message_new SELECT * FROM message;
DROP TABLE message;
ALTER TABLE message_new RENAME TO message;
CREATE INDEX message_by_conversation ON message (conversation_id, sent_ms);

PRAGMA user_version = 4;

-- @migration 5

-- Three changes to how events and messages are kept.
--
-- * Every column that refers to webhook_event has an index, so that
--   deleting an event (retention pruning) finds the rows it must
--   unlink through the index instead of scanning their whole table
--   while it holds the write lock.  (webhook_event_channel and
--   event_attempt are keyed on the event already.)  The indexes are
--   partial: rows whose event was pruned leave them, so they stay the
--   size of the retention window.
-- * A processing attempt that failed is counted apart from a claim.
--   attempts counts claims, as before: every time a worker took the
--   event, a claim whose lease lapsed without a result included;
--   failures counts the attempts that ended in an error, and the retry
--   schedule follows failures.  Events waiting for a retry keep their
--   place in the schedule (it followed attempts until now).
-- * A message's Meta id is unique within its channel, not across all
--   channels: Meta promises no more, and a collision dropped the second
--   message and let one channel's receipts move another's messages.
--   message gets the channel of its conversation, and the table is
--   rebuilt with the same columns otherwise and UNIQUE (channel_id,
--   meta_message_id).
ALTER TABLE webhook_event ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;	-- attempts that ended in an error: the retry schedule's step
UPDATE webhook_event SET failures = CASE
	WHEN state = 'failed' OR state = 'dead_letter' THEN attempts
	WHEN state = 'processing' AND attempts > 0 THEN attempts - 1
	ELSE 0 END
    WHERE state <> 'processed';

CREATE TABLE message_new (
	id		INTEGER PRIMARY KEY,
	conversation_id	INTEGER NOT NULL REFERENCES conversation(id),	-- thread
	channel_id	INTEGER NOT NULL REFERENCES channel(id),	-- the conversation's channel
	meta_message_id	TEXT,		-- mid, wamid or derived key, unique within the channel; NULL until an outbound send succeeds
	direction	TEXT NOT NULL CHECK (direction IN ('in', 'out')),	-- who wrote it
	kind		TEXT NOT NULL DEFAULT 'text',	-- text, attachment, postback, reaction, image, location, ...
	text		TEXT,		-- the text, caption, title or emoji, when there is one
	attachments	TEXT,		-- JSON array of {type, url | id, ...}, when there are some
	payload		TEXT,		-- quick-reply, postback or button payload
	reply_to	TEXT,		-- the mid / wamid this answers or reacts to
	raw		TEXT,		-- the item's JSON when hubgate keeps no finer shape of it
	status		TEXT NOT NULL DEFAULT 'received'	-- delivery state; never moves backwards
			CHECK (status = 'received' OR status = 'queued' OR
			    status = 'sent' OR status = 'delivered' OR
			    status = 'read' OR status = 'failed'),
	error_code	TEXT,		-- Meta's error code when a send failed
	error		TEXT,		-- Meta's error title / message when a send failed
	sent_ms		INTEGER NOT NULL,	-- Meta's timestamp of the message (ms)
	delivered_ms	INTEGER,	-- when a delivery receipt covered it
	read_ms		INTEGER,	-- when a read receipt covered it
	event_id	INTEGER REFERENCES webhook_event(id) ON DELETE SET NULL,	-- the event it came from
	created_ms	INTEGER NOT NULL,	-- when hubgate stored it (ms)
	UNIQUE (channel_id, meta_message_id)	-- receipts find it by these
);
INSERT INTO message_new (id, conversation_id, channel_id, meta_message_id,
	direction, kind, text, attachments, payload, reply_to, raw, status,
	error_code, error, sent_ms, delivered_ms, read_ms, event_id,
	created_ms)
    SELECT id, conversation_id, (SELECT channel_id FROM conversation
	WHERE conversation.id = message.conversation_id), meta_message_id,
	direction, kind, text, attachments, payload, reply_to, raw, status,
	error_code, error, sent_ms, delivered_ms, read_ms, event_id,
	created_ms
    FROM message;
DROP TABLE message;
ALTER TABLE message_new RENAME TO message;
CREATE INDEX message_by_conversation ON message (conversation_id, sent_ms);

CREATE INDEX message_by_event ON message (event_id)
	WHERE event_id IS NOT NULL;
CREATE INDEX feed_item_by_event ON feed_item (event_id)
	WHERE event_id IS NOT NULL;
CREATE INDEX unhandled_by_sample ON unhandled (sample_event_id)
	WHERE sample_event_id IS NOT NULL;

PRAGMA user_version = 5;

-- @migration 6

-- People who sign in to the dashboard, what they may do in which
-- workspace, their sessions and API tokens, the one-time setup links,
-- the audit log and the throttle of failed sign-ins.  No secret is
-- stored in clear: passwords as scrypt hashes, session cookies, API
-- tokens and setup tokens as the hex SHA-256 of their value.

-- user: a person who may sign in.
CREATE TABLE user (
	id		INTEGER PRIMARY KEY,
	email		TEXT NOT NULL UNIQUE COLLATE NOCASE,	-- sign-in name, compared without case
	name		TEXT NOT NULL DEFAULT '',	-- shown in the dashboard
	password_hash	TEXT,		-- scrypt$N$r$p$salt$hash (lib/core/password); NULL until a password is set
	operator	INTEGER NOT NULL DEFAULT 0	-- 1: may create workspaces (the install's operator)
			CHECK (operator IN (0, 1)),
	disabled_at	INTEGER,	-- when it was disabled; NULL: may sign in
	created_at	INTEGER NOT NULL,	-- when it was created
	updated_at	INTEGER NOT NULL	-- last change to this row
);

-- membership: a user's role in a workspace.
CREATE TABLE membership (
	id		INTEGER PRIMARY KEY,
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,	-- the workspace
	user_id		INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,	-- the member
	role		TEXT NOT NULL	-- what they may do there (lib/web/route.h, enum role)
			CHECK (role IN ('owner', 'admin', 'agent')),
	created_at	INTEGER NOT NULL,	-- when they joined
	UNIQUE (workspace_id, user_id)
);
CREATE INDEX membership_by_user ON membership (user_id);

-- session: a signed-in browser.  The cookie holds 32 random bytes; only
-- their hash is kept, so a copy of the database opens no session.
CREATE TABLE session (
	id		TEXT PRIMARY KEY,	-- hex SHA-256 of the cookie's token
	user_id		INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,	-- who signed in
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,	-- the workspace it works in now
	csrf_token	TEXT NOT NULL,	-- sent back in X-CSRF-Token by state changes (random, not a secret of the cookie)
	created_at	INTEGER NOT NULL,	-- sign-in: the absolute expiry counts from it
	last_seen_at	INTEGER NOT NULL,	-- last request: the idle expiry counts from it
	remote		TEXT NOT NULL DEFAULT '',	-- client address at sign-in
	user_agent	TEXT NOT NULL DEFAULT ''	-- browser at sign-in, cut to a bounded length
);
CREATE INDEX session_by_user ON session (user_id);

-- api_token: a named token for scripts, sent as Authorization: Bearer.
CREATE TABLE api_token (
	id		INTEGER PRIMARY KEY,
	hash		TEXT NOT NULL UNIQUE,	-- hex SHA-256 of the token
	user_id		INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,	-- whose rights it carries
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,	-- the workspace it works in
	name		TEXT NOT NULL,	-- what its owner called it
	scope		TEXT NOT NULL	-- read: read-only; role: the user's role
			CHECK (scope IN ('read', 'role')),
	created_at	INTEGER NOT NULL,	-- when it was created
	expires_at	INTEGER,	-- NULL: does not expire
	revoked_at	INTEGER,	-- NULL: not revoked
	last_used_at	INTEGER		-- last request it authenticated
);
CREATE INDEX api_token_by_user ON api_token (user_id);

-- setup_token: a one-time link (/setup?token=...) that lets the first
-- person become owner and operator, or a user set their password.
CREATE TABLE setup_token (
	id		INTEGER PRIMARY KEY,
	hash		TEXT NOT NULL UNIQUE,	-- hex SHA-256 of the token
	user_id		INTEGER REFERENCES user(id) ON DELETE CASCADE,	-- the user whose password it sets; NULL: first setup
	expires_at	INTEGER NOT NULL,	-- unusable from then on
	used_at		INTEGER		-- NULL until used (once)
);

-- audit_log: who did what, appended by the program, never changed.
CREATE TABLE audit_log (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,	-- when
	workspace_id	INTEGER REFERENCES workspace(id) ON DELETE CASCADE,	-- where; NULL: the install
	actor_kind	TEXT NOT NULL	-- who acted
			CHECK (actor_kind IN ('user', 'token', 'cron', 'system')),
	actor_id	INTEGER,	-- the user's or token's id; NULL for cron and system
	action		TEXT NOT NULL,	-- what: signin, signin_failed, signout, user_created, token_created, ...
	object		TEXT NOT NULL DEFAULT '',	-- on what: "user:3", "token:7", ...
	detail		TEXT NOT NULL DEFAULT '',	-- free text, personal data masked (an e-mail as j***@example.com)
	remote		TEXT NOT NULL DEFAULT ''	-- client address
);
CREATE INDEX audit_log_by_workspace ON audit_log (workspace_id, id);
CREATE INDEX audit_log_at ON audit_log (at);

-- login_throttle: failed sign-ins per account and per client address.
CREATE TABLE login_throttle (
	key		TEXT PRIMARY KEY,	-- "user:<hex sha-256 of the e-mail>" or "addr:<address>"
	failures	INTEGER NOT NULL DEFAULT 0,	-- failures in a row
	next_ms		INTEGER NOT NULL DEFAULT 0	-- no attempt before this (unix ms)
);

PRAGMA user_version = 6;

-- @migration 7

-- Summaries of the raw journal for the dashboard, /metrics and /health,
-- kept by triggers as events are stored, change state and go, so that
-- no request counts webhook_event itself.  event_stat equals a GROUP BY
-- over webhook_event at every commit; event_latency counts processings
-- (lib/store/db_stats rebuilds both from webhook_event;
-- tests/unit/test_db_stats.c holds them to it).
--
-- An event's workspace is its first channel's (webhook_event.channel_id);
-- 0 for an event with no channel (unrouted, invalid): only operators
-- see those.  hour is received_ms / 3600000 (UTC hours since 1970).

-- event_stat: how many events of a workspace arrived in an hour, per
-- object, routing and state.
CREATE TABLE event_stat (
	workspace_id	INTEGER NOT NULL,	-- the first channel's workspace; 0: no channel
	hour		INTEGER NOT NULL,	-- received_ms / 3600000
	object		TEXT NOT NULL,		-- envelope object; '' when NULL
	routing		TEXT NOT NULL,		-- as webhook_event.routing
	state		TEXT NOT NULL,		-- as webhook_event.state
	n		INTEGER NOT NULL,	-- how many events
	PRIMARY KEY (workspace_id, hour, object, routing, state)
) WITHOUT ROWID;

-- latency_bucket: the upper bounds of event_latency's buckets, in ms
-- (lib/store/db_stats.h has the same); the last one takes the rest.
CREATE TABLE latency_bucket (
	bucket		INTEGER PRIMARY KEY,	-- 0, 1, ...
	le_ms		INTEGER NOT NULL UNIQUE	-- at most this long
);
INSERT INTO latency_bucket (bucket, le_ms) VALUES (0, 10), (1, 50),
    (2, 100), (3, 500), (4, 1000), (5, 5000), (6, 10000), (7, 60000),
    (8, 300000), (9, 3600000), (10, 9223372036854775807);

-- event_latency: the processed events of a workspace by the hour they
-- were processed in and how long after arrival (processed_ms -
-- received_ms), in the buckets of lib/store/db_stats.h (0: at most
-- 10 ms, ... 9: at most an hour, 10: more).  An event stored already
-- processed (processed in the transaction that stores it) counts with
-- its processed_ms.  It counts processings: see event_latency_done.
CREATE TABLE event_latency (
	workspace_id	INTEGER NOT NULL,	-- as event_stat
	hour		INTEGER NOT NULL,	-- processed_ms / 3600000
	bucket		INTEGER NOT NULL,	-- 0 .. 10
	n		INTEGER NOT NULL,	-- how many events
	sum_ms		INTEGER NOT NULL,	-- the sum of their latencies
	PRIMARY KEY (workspace_id, hour, bucket)
) WITHOUT ROWID;

-- counter_hourly: what each counter of the counter table gained in
-- each hour (lib/store/db.c's db_counter_add writes both), so that
-- "rejected signatures in the last 24 hours" can be answered; and
-- 'events.dead_letter', the events that became dead letters.
CREATE TABLE counter_hourly (
	name		TEXT NOT NULL,		-- the counter's name
	hour		INTEGER NOT NULL,	-- unix ms / 3600000
	value		INTEGER NOT NULL,	-- gained in that hour
	PRIMARY KEY (name, hour)
) WITHOUT ROWID;

-- One upsert per stored event (and one more when it is stored already
-- processed); VALUES rather than INSERT ... SELECT, which would open a
-- statement journal (and whose ON CONFLICT SQLite could read as a join
-- constraint).
CREATE TRIGGER event_stat_insert AFTER INSERT ON webhook_event BEGIN
	INSERT INTO event_stat (workspace_id, hour, object, routing, state, n)
	    VALUES (coalesce((SELECT workspace_id FROM channel
		WHERE id = NEW.channel_id), 0), NEW.received_ms / 3600000,
		coalesce(NEW.object, ''), NEW.routing, NEW.state, 1)
	    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER event_latency_insert AFTER INSERT ON webhook_event
    WHEN NEW.state = 'processed' AND NEW.processed_ms IS NOT NULL BEGIN
	INSERT INTO event_latency (workspace_id, hour, bucket, n, sum_ms)
	    VALUES (coalesce((SELECT workspace_id FROM channel
		WHERE id = NEW.channel_id), 0), NEW.processed_ms / 3600000,
		(SELECT bucket FROM latency_bucket WHERE le_ms >= NEW.processed_ms - NEW.received_ms ORDER BY le_ms LIMIT 1), 1,
		NEW.processed_ms - NEW.received_ms)
	    ON CONFLICT DO UPDATE SET n = n + 1, sum_ms = sum_ms + excluded.sum_ms;
END;
-- A change of state, routing or channel moves the event from its old
-- key to its new one.
CREATE TRIGGER event_stat_update AFTER UPDATE OF state, routing, channel_id
    ON webhook_event WHEN OLD.state IS NOT NEW.state
    OR OLD.routing IS NOT NEW.routing OR OLD.channel_id IS NOT NEW.channel_id
    BEGIN
	UPDATE event_stat SET n = n - 1 WHERE workspace_id =
	    coalesce((SELECT workspace_id FROM channel WHERE id = OLD.channel_id), 0)
	    AND hour = OLD.received_ms / 3600000
	    AND object = coalesce(OLD.object, '') AND routing = OLD.routing
	    AND state = OLD.state;
	INSERT INTO event_stat (workspace_id, hour, object, routing, state, n)
	    VALUES (coalesce((SELECT workspace_id FROM channel
		WHERE id = NEW.channel_id), 0), NEW.received_ms / 3600000,
		coalesce(NEW.object, ''), NEW.routing, NEW.state, 1)
	    ON CONFLICT DO UPDATE SET n = n + 1;
END;
-- Processed: counted by its latency.  Every processing counts (a replay
-- counts again, a deleted event stays counted), so that the sums only
-- grow, as /metrics' histogram must; but processing in the storing
-- transaction that failed (db_event_unprocessed: processed_ms cleared)
-- never happened, and is uncounted in that same transaction.
CREATE TRIGGER event_latency_done AFTER UPDATE OF state ON webhook_event
    WHEN NEW.state = 'processed' AND OLD.state <> 'processed'
    AND NEW.processed_ms IS NOT NULL BEGIN
	INSERT INTO event_latency (workspace_id, hour, bucket, n, sum_ms)
	    VALUES (coalesce((SELECT workspace_id FROM channel
		WHERE id = NEW.channel_id), 0), NEW.processed_ms / 3600000,
		(SELECT bucket FROM latency_bucket WHERE le_ms >= NEW.processed_ms - NEW.received_ms ORDER BY le_ms LIMIT 1), 1,
		NEW.processed_ms - NEW.received_ms)
	    ON CONFLICT DO UPDATE SET n = n + 1, sum_ms = sum_ms + excluded.sum_ms;
END;
CREATE TRIGGER event_latency_undone AFTER UPDATE OF state ON webhook_event
    WHEN OLD.state = 'processed' AND NEW.state <> 'processed'
    AND OLD.processed_ms IS NOT NULL AND NEW.processed_ms IS NULL BEGIN
	UPDATE event_latency SET n = n - 1,
	    sum_ms = sum_ms - (OLD.processed_ms - OLD.received_ms)
	    WHERE workspace_id = coalesce((SELECT workspace_id FROM channel
		WHERE id = OLD.channel_id), 0)
	    AND hour = OLD.processed_ms / 3600000
	    AND bucket = (SELECT bucket FROM latency_bucket WHERE le_ms >= OLD.processed_ms - OLD.received_ms ORDER BY le_ms LIMIT 1);
END;
-- A processed event's channel changed (its channel was deleted): its
-- latency moves with it.
CREATE TRIGGER event_latency_rechannel AFTER UPDATE OF channel_id
    ON webhook_event WHEN OLD.channel_id IS NOT NEW.channel_id
    AND OLD.state = 'processed' AND NEW.state = 'processed'
    AND OLD.processed_ms IS NOT NULL BEGIN
	UPDATE event_latency SET n = n - 1,
	    sum_ms = sum_ms - (OLD.processed_ms - OLD.received_ms)
	    WHERE workspace_id = coalesce((SELECT workspace_id FROM channel
		WHERE id = OLD.channel_id), 0)
	    AND hour = OLD.processed_ms / 3600000
	    AND bucket = (SELECT bucket FROM latency_bucket WHERE le_ms >= OLD.processed_ms - OLD.received_ms ORDER BY le_ms LIMIT 1);
	INSERT INTO event_latency (workspace_id, hour, bucket, n, sum_ms)
	    VALUES (coalesce((SELECT workspace_id FROM channel
		WHERE id = NEW.channel_id), 0), NEW.processed_ms / 3600000,
		(SELECT bucket FROM latency_bucket WHERE le_ms >= NEW.processed_ms - NEW.received_ms ORDER BY le_ms LIMIT 1), 1,
		NEW.processed_ms - NEW.received_ms)
	    ON CONFLICT DO UPDATE SET n = n + 1, sum_ms = sum_ms + excluded.sum_ms;
END;
CREATE TRIGGER event_stat_delete AFTER DELETE ON webhook_event BEGIN
	UPDATE event_stat SET n = n - 1 WHERE workspace_id =
	    coalesce((SELECT workspace_id FROM channel WHERE id = OLD.channel_id), 0)
	    AND hour = OLD.received_ms / 3600000
	    AND object = coalesce(OLD.object, '') AND routing = OLD.routing
	    AND state = OLD.state;
END;
-- A channel that goes first lets go of its events (the foreign key
-- would, once the channel is gone and its workspace unknown), so that
-- their counts move to the no-workspace bucket while its workspace can
-- still be found.
CREATE TRIGGER event_stat_channel_delete BEFORE DELETE ON channel BEGIN
	UPDATE webhook_event SET channel_id = NULL WHERE channel_id = OLD.id;
END;
-- A channel moved to another workspace takes its events' counts along.
CREATE TRIGGER event_stat_channel_move AFTER UPDATE OF workspace_id ON channel
    WHEN OLD.workspace_id IS NOT NEW.workspace_id BEGIN
	UPDATE event_stat SET n = n - x.c FROM (SELECT received_ms / 3600000 AS h,
	    coalesce(object, '') AS o, routing AS r, state AS s, count(*) AS c
	    FROM webhook_event WHERE channel_id = NEW.id GROUP BY 1, 2, 3, 4) AS x
	    WHERE workspace_id = OLD.workspace_id AND hour = x.h AND object = x.o
	    AND routing = x.r AND state = x.s;
	INSERT INTO event_stat (workspace_id, hour, object, routing, state, n)
	    SELECT NEW.workspace_id, received_ms / 3600000, coalesce(object, ''),
	    routing, state, count(*) FROM webhook_event WHERE channel_id = NEW.id
	    GROUP BY 2, 3, 4, 5 HAVING true
	    ON CONFLICT DO UPDATE SET n = n + excluded.n;
	UPDATE event_latency SET n = n - x.c, sum_ms = sum_ms - x.s FROM (SELECT
	    processed_ms / 3600000 AS h,
	    (SELECT bucket FROM latency_bucket WHERE le_ms >= processed_ms - received_ms ORDER BY le_ms LIMIT 1) AS b, count(*) AS c,
	    sum(processed_ms - received_ms) AS s FROM webhook_event
	    WHERE channel_id = NEW.id AND state = 'processed'
	    AND processed_ms IS NOT NULL GROUP BY 1, 2) AS x
	    WHERE workspace_id = OLD.workspace_id AND hour = x.h AND bucket = x.b;
	INSERT INTO event_latency (workspace_id, hour, bucket, n, sum_ms)
	    SELECT NEW.workspace_id, processed_ms / 3600000,
	    (SELECT bucket FROM latency_bucket WHERE le_ms >= processed_ms - received_ms ORDER BY le_ms LIMIT 1), count(*),
	    sum(processed_ms - received_ms) FROM webhook_event
	    WHERE channel_id = NEW.id AND state = 'processed'
	    AND processed_ms IS NOT NULL GROUP BY 2, 3 HAVING true
	    ON CONFLICT DO UPDATE SET n = n + excluded.n,
	    sum_ms = sum_ms + excluded.sum_ms;
END;
-- Dead letters as they come, for "dead letters grew in the last hour".
CREATE TRIGGER event_dead_letter AFTER UPDATE OF state ON webhook_event
    WHEN NEW.state = 'dead_letter' AND OLD.state <> 'dead_letter' BEGIN
	INSERT INTO counter_hourly (name, hour, value)
	    VALUES ('events.dead_letter',
		CAST(strftime('%s', 'now') AS INTEGER) / 3600, 1)
	    ON CONFLICT DO UPDATE SET value = value + 1;
END;

-- The events stored so far, once.
INSERT INTO event_stat (workspace_id, hour, object, routing, state, n)
    SELECT coalesce(c.workspace_id, 0), e.received_ms / 3600000,
    coalesce(e.object, ''), e.routing, e.state, count(*)
    FROM webhook_event e LEFT JOIN channel c ON c.id = e.channel_id
    GROUP BY 1, 2, 3, 4, 5;
INSERT INTO event_latency (workspace_id, hour, bucket, n, sum_ms)
    SELECT coalesce(c.workspace_id, 0), e.processed_ms / 3600000,
    (SELECT bucket FROM latency_bucket WHERE le_ms >= e.processed_ms - e.received_ms ORDER BY le_ms LIMIT 1), count(*),
    sum(e.processed_ms - e.received_ms)
    FROM webhook_event e LEFT JOIN channel c ON c.id = e.channel_id
    WHERE e.state = 'processed' AND e.processed_ms IS NOT NULL
    GROUP BY 1, 2, 3;

PRAGMA user_version = 7;

-- @migration 8

-- The operations dashboard lists events newest first, by keyset on id,
-- with filters (lib/store/db_ops.c).  Ids order arrival times (see
-- migration 3), so a time range is a range of ids, found by bisection;
-- states other than processed are found on the queue's index.  Two
-- more indexes, each the cheapest that serves its filter:
-- * An event's first channel: a channel's events, and the channels of
--   a workspace, without scanning the others'.  Each insert adds an
--   entry at the end of its channel's run of the index.
CREATE INDEX webhook_event_by_channel ON webhook_event (channel_id, id);
-- * Events not routed to every account (unrouted and partial): what an
--   operator looks for, and what connecting a channel routes again.
--   Partial: a routed event (nearly all) adds nothing to it.  The
--   queries that use it repeat its condition.
CREATE INDEX webhook_event_unrouted ON webhook_event (id)
	WHERE routing <> 'routed';

PRAGMA user_version = 8;

-- @migration 9
-- Connecting accounts (lib/web/oauth.c): the Facebook users who
-- authorized hubgate, the one-time Login states already used, the
-- choices a person is offered between the Login and the connection,
-- and the record of data deletions Meta asked for.  A channel now says
-- which login its token came from and what kind of token it holds.

-- meta_login: a Facebook (or Instagram) user who authorized hubgate in
-- a workspace; their long-lived token is what the token cron renews.
CREATE TABLE meta_login (
	id		INTEGER PRIMARY KEY,
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,	-- where they connected channels
	platform	TEXT NOT NULL DEFAULT 'facebook'	-- which Login
			CHECK (platform IN ('facebook', 'instagram')),
	meta_user_id	TEXT NOT NULL,	-- the app-scoped user id (Facebook) or Instagram user id
	name		TEXT NOT NULL DEFAULT '',	-- their name as Meta gives it
	token_sealed	BLOB,		-- AES-256-GCM sealed long-lived user token (aad "meta_login:<platform>:<meta_user_id>"); NULL once revoked or erased
	token_expires_at INTEGER,	-- when that token expires; NULL or 0: never
	data_access_expires_at INTEGER,	-- when Meta stops giving data without a new Login
	scopes		TEXT NOT NULL DEFAULT '',	-- granted permissions, comma list (debug_token)
	declined	TEXT NOT NULL DEFAULT '',	-- asked for but not granted, comma list
	status		TEXT NOT NULL DEFAULT 'valid'	-- revoked: the person removed the app (deauthorize)
			CHECK (status IN ('valid', 'revoked')),
	created_at	INTEGER NOT NULL,	-- first Login
	updated_at	INTEGER NOT NULL,	-- last Login or change
	UNIQUE (workspace_id, platform, meta_user_id)
);
CREATE INDEX meta_login_by_user ON meta_login (meta_user_id);

ALTER TABLE channel ADD COLUMN meta_login_id INTEGER
	REFERENCES meta_login(id) ON DELETE SET NULL;	-- the Login its token came from
ALTER TABLE channel ADD COLUMN token_kind TEXT NOT NULL DEFAULT 'none'	-- what token_sealed holds
	CHECK (token_kind IN ('none', 'page', 'instagram_login', 'system_user'));
CREATE INDEX channel_by_login ON channel (meta_login_id);

-- oauth_nonce: the nonces of Login states already used (a state is
-- good once); kept until the state would have expired anyway.
CREATE TABLE oauth_nonce (
	nonce		TEXT PRIMARY KEY,	-- the state's random part
	expires_at	INTEGER NOT NULL	-- pruned from then on
);

-- oauth_pick: what a person may connect after a Login, kept here so
-- that the browser sees ids and names only; the page tokens are in the
-- sealed payload.  Used once, by the session that made it.
CREATE TABLE oauth_pick (
	id		TEXT PRIMARY KEY,	-- hex SHA-256 of the one-time id in the picker's form
	session_id	TEXT NOT NULL,	-- the session (session.id) it belongs to
	user_id		INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,	-- who logged in
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,	-- where the channels go
	meta_login_id	INTEGER NOT NULL REFERENCES meta_login(id) ON DELETE CASCADE,	-- the Login
	payload		BLOB NOT NULL,	-- AES-256-GCM sealed JSON of the Pages, accounts and tokens (aad "oauth_pick:<id>")
	expires_at	INTEGER NOT NULL	-- unusable from then on
);

-- deletion_request: Meta's data deletion callbacks, for the status
-- page; it names no person, only what was erased.
CREATE TABLE deletion_request (
	id		INTEGER PRIMARY KEY,
	code		TEXT NOT NULL UNIQUE,	-- the confirmation code given to Meta
	at		INTEGER NOT NULL,	-- when the erasure ran
	summary		TEXT NOT NULL	-- what was erased, in words
);

PRAGMA user_version = 9;

-- @migration 10
-- The operations dashboard, reviewed: totals that do not grow with the
-- journal's age, and dead letters stamped by the clock that stamps the
-- other hourly counters.

-- event_total: event_stat without the hour: how many events of a
-- workspace there are per object, routing and state, so that /api/stats'
-- totals and /api/events' counts without a time range read a few rows
-- rather than every hour since the first event.  Kept by the triggers
-- below as event_stat is by migration 7's; equal to a GROUP BY over
-- webhook_event at every commit (tests/unit/test_db_stats.c).
CREATE TABLE event_total (
	workspace_id	INTEGER NOT NULL,	-- as event_stat
	object		TEXT NOT NULL,		-- as event_stat
	routing		TEXT NOT NULL,		-- as event_stat
	state		TEXT NOT NULL,		-- as event_stat
	n		INTEGER NOT NULL,	-- how many events
	PRIMARY KEY (workspace_id, object, routing, state)
) WITHOUT ROWID;
CREATE TRIGGER event_total_insert AFTER INSERT ON webhook_event BEGIN
	INSERT INTO event_total (workspace_id, object, routing, state, n)
	    VALUES (coalesce((SELECT workspace_id FROM channel
		WHERE id = NEW.channel_id), 0), coalesce(NEW.object, ''),
		NEW.routing, NEW.state, 1)
	    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER event_total_update AFTER UPDATE OF state, routing, channel_id
    ON webhook_event WHEN OLD.state IS NOT NEW.state
    OR OLD.routing IS NOT NEW.routing OR OLD.channel_id IS NOT NEW.channel_id
    BEGIN
	UPDATE event_total SET n = n - 1 WHERE workspace_id =
	    coalesce((SELECT workspace_id FROM channel WHERE id = OLD.channel_id), 0)
	    AND object = coalesce(OLD.object, '') AND routing = OLD.routing
	    AND state = OLD.state;
	INSERT INTO event_total (workspace_id, object, routing, state, n)
	    VALUES (coalesce((SELECT workspace_id FROM channel
		WHERE id = NEW.channel_id), 0), coalesce(NEW.object, ''),
		NEW.routing, NEW.state, 1)
	    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER event_total_delete AFTER DELETE ON webhook_event BEGIN
	UPDATE event_total SET n = n - 1 WHERE workspace_id =
	    coalesce((SELECT workspace_id FROM channel WHERE id = OLD.channel_id), 0)
	    AND object = coalesce(OLD.object, '') AND routing = OLD.routing
	    AND state = OLD.state;
END;
CREATE TRIGGER event_total_channel_move AFTER UPDATE OF workspace_id ON channel
    WHEN OLD.workspace_id IS NOT NEW.workspace_id BEGIN
	UPDATE event_total SET n = n - x.c FROM (SELECT coalesce(object, '') AS o,
	    routing AS r, state AS s, count(*) AS c FROM webhook_event
	    WHERE channel_id = NEW.id GROUP BY 1, 2, 3) AS x
	    WHERE workspace_id = OLD.workspace_id AND object = x.o
	    AND routing = x.r AND state = x.s;
	INSERT INTO event_total (workspace_id, object, routing, state, n)
	    SELECT NEW.workspace_id, coalesce(object, ''), routing, state,
	    count(*) FROM webhook_event WHERE channel_id = NEW.id
	    GROUP BY 2, 3, 4 HAVING true
	    ON CONFLICT DO UPDATE SET n = n + excluded.n;
END;
INSERT INTO event_total (workspace_id, object, routing, state, n)
    SELECT workspace_id, object, routing, state, sum(n) FROM event_stat
    GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0;

-- webhook_event.processed_ms is when processing last finished: a replay
-- or a re-routing makes an event pending again and leaves it, until the
-- next processing ends (event_latency_done counts that one too; only
-- db_event_unprocessed clears it, and event_latency_undone uncounts).

-- Dead letters are counted in counter_hourly by the code that makes
-- them (lib/store/db_queue.c), in the hour of its clock as every other
-- hourly counter, rather than by a trigger reading SQLite's.
DROP TRIGGER event_dead_letter;

PRAGMA user_version = 10;

-- @migration 11
-- Meta's data deletion callbacks are remembered by the signed_request
-- they came with, so that Meta's retry of one gets the first answer
-- without erasing again; and a deletion says whether it has finished
-- (the erasure runs in small steps, lib/pipeline/erase.c).
ALTER TABLE deletion_request ADD COLUMN request_sha256 TEXT;	-- hex SHA-256 of the signed_request handled; NULL for erasures asked by other means
ALTER TABLE deletion_request ADD COLUMN state TEXT NOT NULL DEFAULT 'done'	-- running: the erasure has not finished yet
	CHECK (state IN ('running', 'done'));
CREATE UNIQUE INDEX deletion_request_by_request
	ON deletion_request (request_sha256);

PRAGMA user_version = 11;

-- @migration 12
-- The outbound queue (lib/pipeline/outbox.c): every send is a row here,
-- committed before any call to Meta, then sent by a worker.  A message
-- row in the thread goes with each (outbox.message_id), so the inbox
-- shows it from the moment it is queued.

-- outbox: one send.  state moves queued -> sending -> sent ->
-- delivered -> read, or ends failed (Meta refused it for good) or
-- dead_letter (retries exhausted); unknown: the request may have
-- reached Meta but no answer came back (a timeout, a lost connection,
-- a worker that died mid-send): it waits for the echo or status
-- webhook that carries its id back, and is sent again only after a
-- grace period when none came.
CREATE TABLE outbox (
	id		INTEGER PRIMARY KEY,
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,	-- owner
	channel_id	INTEGER NOT NULL REFERENCES channel(id) ON DELETE CASCADE,	-- sent from
	conversation_id	INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,	-- to whom
	message_id	INTEGER REFERENCES message(id) ON DELETE SET NULL,	-- its row in the thread
	kind		TEXT NOT NULL	-- what body holds
			CHECK (kind IN ('text', 'template')),
	body		TEXT NOT NULL,	-- JSON: {"text", "quick_replies"} or {"name", "language", "components"}
	tag		TEXT,		-- HUMAN_AGENT when sent 24 h to 7 days after the person's last message
	author_kind	TEXT NOT NULL	-- who asked for it
			CHECK (author_kind IN ('user', 'rule', 'bot', 'api')),
	author_id	INTEGER,	-- the user (user, api), rule or bot
	state		TEXT NOT NULL DEFAULT 'queued'
			CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'dead_letter', 'unknown')),
	attempts	INTEGER NOT NULL DEFAULT 0,	-- calls to Meta so far
	next_attempt_ms	INTEGER NOT NULL,	-- when it is due (ms)
	lease_token	TEXT,		-- the worker sending it
	lease_expires_ms INTEGER,	-- when that claim lapses (ms): the send's outcome is then unknown
	meta_message_id	TEXT,		-- Meta's mid / wamid once known
	error_code	TEXT,		-- Meta's code (and subcode) of the last failure
	error		TEXT,		-- Meta's error_user_msg (else its message) of the last failure, for people
	idempotency_key	TEXT,		-- the client's key: the same key again gets this row
	created_ms	INTEGER NOT NULL,	-- when it was queued
	sent_ms		INTEGER,	-- when Meta took it
	updated_ms	INTEGER NOT NULL,	-- last change
	UNIQUE (workspace_id, idempotency_key)
);
-- The worker's claim: what is due, oldest first.
CREATE INDEX outbox_due ON outbox (state, next_attempt_ms);
-- Order within a conversation.
CREATE INDEX outbox_by_conversation ON outbox (conversation_id, id);
CREATE INDEX outbox_by_message ON outbox (message_id)
	WHERE message_id IS NOT NULL;

-- outbox_attempt: every call to Meta for a send, with Meta's answer.
CREATE TABLE outbox_attempt (
	outbox_id	INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
	attempt		INTEGER NOT NULL,	-- 1, 2, ...
	at_ms		INTEGER NOT NULL,	-- when it ended
	class		TEXT NOT NULL,		-- graph_error's class: ok, retry, throttled, token_invalid, permanent; or unknown
	http_status	INTEGER NOT NULL DEFAULT 0,	-- 0: no answer
	code		INTEGER NOT NULL DEFAULT 0,	-- Meta's error code
	subcode		INTEGER NOT NULL DEFAULT 0,	-- Meta's error_subcode
	fbtrace_id	TEXT,		-- for Meta's support
	message		TEXT,		-- Meta's message (no tokens)
	PRIMARY KEY (outbox_id, attempt)
) WITHOUT ROWID;

-- Who in the workspace looks after a conversation (NULL: nobody yet).
ALTER TABLE conversation ADD COLUMN assigned_user_id INTEGER
	REFERENCES user(id) ON DELETE SET NULL;
CREATE INDEX conversation_by_recent ON conversation (workspace_id, last_message_ms);

-- Per-channel sending settings.
ALTER TABLE channel ADD COLUMN human_agent INTEGER NOT NULL DEFAULT 1;	-- Messenger/Instagram: people may answer 24 h to 7 days after the last message with the HUMAN_AGENT tag (needs Meta's permission)
ALTER TABLE channel ADD COLUMN send_rate INTEGER;	-- messages per second for this channel; NULL: the platform's default (WhatsApp 80, Messenger/Instagram 300)

-- A receipt that moves an outbound message forward moves its send
-- too (never backwards, never out of a state before sent).
CREATE TRIGGER outbox_receipt AFTER UPDATE OF status ON message
    WHEN new.direction = 'out' AND new.status IN ('delivered', 'read', 'failed')
BEGIN
	UPDATE outbox SET state = new.status,
	    error_code = CASE WHEN new.status = 'failed' THEN new.error_code ELSE error_code END,
	    error = CASE WHEN new.status = 'failed' THEN new.error ELSE error END,
	    updated_ms = coalesce(new.read_ms, new.delivered_ms, updated_ms)
	    WHERE message_id = new.id AND (state = 'sent' OR
	    (state = 'delivered' AND new.status = 'read'));
END;

PRAGMA user_version = 12;

-- @migration 13
-- The outbox sends more kinds: attachments by URL, reactions, and
-- sender actions (mark as read, typing).  SQLite cannot change a
-- CHECK: the table is rebuilt with the same columns, indexes and rows
-- (the receipt trigger, which names it, is dropped and made again).
DROP TRIGGER outbox_receipt;
CREATE TABLE outbox_new (
	id		INTEGER PRIMARY KEY,
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,	-- owner
	channel_id	INTEGER NOT NULL REFERENCES channel(id) ON DELETE CASCADE,	-- sent from
	conversation_id	INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,	-- to whom
	message_id	INTEGER REFERENCES message(id) ON DELETE SET NULL,	-- its row in the thread (a reaction's is the reaction; an action has none)
	kind		TEXT NOT NULL	-- what body holds
			CHECK (kind IN ('text', 'template', 'attachment', 'reaction', 'action')),
	body		TEXT NOT NULL,	-- JSON: text {"text", "quick_replies"}, template {"name", "language", "components"}, attachment {"type", "url", "caption"}, reaction {"message_id", "mid", "emoji"}, action {"action", "mid"}
	tag		TEXT,		-- HUMAN_AGENT when sent 24 h to 7 days after the person's last message
	author_kind	TEXT NOT NULL	-- who asked for it
			CHECK (author_kind IN ('user', 'rule', 'bot', 'api')),
	author_id	INTEGER,	-- the user (user, api), rule or bot
	state		TEXT NOT NULL DEFAULT 'queued'
			CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'dead_letter', 'unknown')),
	attempts	INTEGER NOT NULL DEFAULT 0,	-- calls to Meta so far
	next_attempt_ms	INTEGER NOT NULL,	-- when it is due (ms)
	lease_token	TEXT,		-- the worker sending it
	lease_expires_ms INTEGER,	-- when that claim lapses (ms): the send's outcome is then unknown
	meta_message_id	TEXT,		-- Meta's mid / wamid once known
	error_code	TEXT,		-- Meta's code (and subcode) of the last failure
	error		TEXT,		-- Meta's error_user_msg (else its message) of the last failure, for people
	idempotency_key	TEXT,		-- the client's key: the same key again gets this row
	created_ms	INTEGER NOT NULL,	-- when it was queued
	sent_ms		INTEGER,	-- when Meta took it
	updated_ms	INTEGER NOT NULL,	-- last change
	UNIQUE (workspace_id, idempotency_key)
);
INSERT INTO outbox_new (id, workspace_id, channel_id, conversation_id,
    message_id, kind, body, tag, author_kind, author_id, state, attempts,
    next_attempt_ms, lease_token, lease_expires_ms, meta_message_id,
    error_code, error, idempotency_key, created_ms, sent_ms, updated_ms)
    SELECT id, workspace_id, channel_id, conversation_id, message_id, kind,
    body, tag, author_kind, author_id, state, attempts, next_attempt_ms,
    lease_token, lease_expires_ms, meta_message_id, error_code, error,
    idempotency_key, created_ms, sent_ms, updated_ms FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
-- The worker's claim: what is due, oldest first.
CREATE INDEX outbox_due ON outbox (state, next_attempt_ms);
-- Order within a conversation.
CREATE INDEX outbox_by_conversation ON outbox (conversation_id, id);
CREATE INDEX outbox_by_message ON outbox (message_id)
	WHERE message_id IS NOT NULL;
-- The outbox listed by the API, newest first, per workspace.
CREATE INDEX outbox_by_workspace ON outbox (workspace_id, id);

CREATE TRIGGER outbox_receipt AFTER UPDATE OF status ON message
    WHEN new.direction = 'out' AND new.status IN ('delivered', 'read', 'failed')
BEGIN
	UPDATE outbox SET state = new.status,
	    error_code = CASE WHEN new.status = 'failed' THEN new.error_code ELSE error_code END,
	    error = CASE WHEN new.status = 'failed' THEN new.error ELSE error END,
	    updated_ms = coalesce(new.read_ms, new.delivered_ms, updated_ms)
	    WHERE message_id = new.id AND (state = 'sent' OR
	    (state = 'delivered' AND new.status = 'read'));
END;

-- Per-channel: mark a conversation read at Meta (Messenger/Instagram
-- mark_seen, WhatsApp's read status) when a person opens it.
ALTER TABLE channel ADD COLUMN mark_read INTEGER NOT NULL DEFAULT 1;	-- 1: mark as read on opening; 0: never

PRAGMA user_version = 13;

-- @migration 14
-- media: an inbound attachment (or a contact's profile picture) fetched
-- from Meta once, in the background (lib/pipeline/media.c), and kept in
-- the media directory as a file named by the id; the row holds what is
-- known about it.
CREATE TABLE media (
	id		INTEGER PRIMARY KEY AUTOINCREMENT,	-- never reused: files are named by it
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id),	-- who may see it
	channel_id	INTEGER NOT NULL REFERENCES channel(id),	-- whose token fetches it
	message_id	INTEGER REFERENCES message(id) ON DELETE CASCADE,	-- the message it came with; NULL for a profile picture
	position	INTEGER NOT NULL DEFAULT 0,	-- its index in the message's attachments
	contact_id	INTEGER REFERENCES contact(id) ON DELETE CASCADE,	-- a profile picture's contact
	source		TEXT NOT NULL,	-- the attachment URL, or WhatsApp's media id
	source_kind	TEXT NOT NULL CHECK (source_kind IN ('url', 'wa_id')),
	type		TEXT NOT NULL,	-- image, video, audio, file, document, sticker
	name		TEXT,		-- a file's name, when Meta gives one
	content_type	TEXT,		-- the stored bytes' type
	size		INTEGER,	-- bytes stored
	sha256		TEXT,		-- hex SHA-256 of the stored bytes
	state		TEXT NOT NULL DEFAULT 'pending'
			CHECK (state IN ('pending', 'ready', 'unavailable')),
	reason		TEXT,		-- why unavailable: failed, too_large, type, hash, gone, expired
	attempts	INTEGER NOT NULL DEFAULT 0,	-- fetches tried
	next_attempt_ms	INTEGER NOT NULL,	-- when the next fetch is due (ms)
	created_ms	INTEGER NOT NULL,	-- when the row was made
	fetched_ms	INTEGER		-- when it became ready (retention counts from it)
);
CREATE INDEX media_due ON media (state, next_attempt_ms);
CREATE INDEX media_by_message ON media (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX media_by_contact ON media (contact_id) WHERE contact_id IS NOT NULL;
-- The files of stored items whose rows were deleted (a person's data
-- erased, a message removed): webhook-retry removes them.
CREATE TABLE media_gone (
	id		INTEGER PRIMARY KEY	-- the deleted item's id: its file's name
);
CREATE TRIGGER media_gone_file AFTER DELETE ON media
    WHEN old.state = 'ready'
BEGIN
	INSERT OR IGNORE INTO media_gone (id) VALUES (old.id);
END;

-- A contact's profile from Meta (Messenger/Instagram), fetched once and
-- refreshed rarely.
ALTER TABLE contact ADD COLUMN picture_media_id INTEGER
	REFERENCES media(id) ON DELETE SET NULL;	-- the profile picture
ALTER TABLE contact ADD COLUMN profile_fetched_ms INTEGER;	-- the last try (ms); 0: never tried; NULL: no profile to fetch (WhatsApp)
ALTER TABLE contact ADD COLUMN profile_error TEXT;	-- Meta's words for the last failure
UPDATE contact SET profile_fetched_ms = 0 WHERE channel_id IN
    (SELECT id FROM channel WHERE kind IN ('page', 'instagram'));
CREATE INDEX contact_profile_due ON contact (profile_fetched_ms);
-- A new Messenger or Instagram contact's profile is due.
CREATE TRIGGER contact_profile_new AFTER INSERT ON contact
    WHEN (SELECT kind FROM channel WHERE id = new.channel_id)
        IN ('page', 'instagram')
BEGIN
	UPDATE contact SET profile_fetched_ms = 0 WHERE id = new.id;
END;

PRAGMA user_version = 14;

-- @migration 15
-- The thread as people read it, and WhatsApp templates.

-- wa_template: a WhatsApp number's message templates as Meta listed
-- them (GET /<WABA>/message_templates), cached per channel; the send
-- path checks a template against them.  Replaced whole on each fetch.
CREATE TABLE wa_template (
	channel_id	INTEGER NOT NULL REFERENCES channel(id) ON DELETE CASCADE,	-- the number
	name		TEXT NOT NULL,		-- Meta's template name
	language	TEXT NOT NULL,		-- its language code (en_US, ...)
	status		TEXT NOT NULL,		-- APPROVED, PENDING, REJECTED, PAUSED, ...
	category	TEXT,			-- MARKETING, UTILITY, AUTHENTICATION
	components	TEXT NOT NULL DEFAULT '[]',	-- JSON array, as Meta gave it
	params		INTEGER NOT NULL DEFAULT 0,	-- the body's {{n}} parameters
	PRIMARY KEY (channel_id, name, language)
) WITHOUT ROWID;

-- wa_template_fetch: when a channel's templates were last fetched.
CREATE TABLE wa_template_fetch (
	channel_id	INTEGER PRIMARY KEY REFERENCES channel(id) ON DELETE CASCADE,
	fetched_ms	INTEGER NOT NULL	-- when Meta's list was stored
);

-- A person unsent (deleted) a message: when.  Its text is erased.
ALTER TABLE message ADD COLUMN unsent_ms INTEGER;

-- Reactions and replies find the message they refer to by its mid.
CREATE INDEX message_by_reply_to ON message (channel_id, reply_to)
	WHERE reply_to IS NOT NULL;

-- The conversation list's order (newest activity first) from an index.
CREATE INDEX conversation_by_activity
	ON conversation (workspace_id, coalesce(last_message_ms, 0));
DROP INDEX conversation_by_recent;

-- Search in message texts without reading them all: a trigram
-- full-text index (any substring of 3 characters or more, case
-- insensitive) kept by triggers.
CREATE VIRTUAL TABLE message_fts USING fts5(text, content='message',
	content_rowid='id', tokenize='trigram');
INSERT INTO message_fts (rowid, text)
	SELECT id, text FROM message WHERE text IS NOT NULL;
CREATE TRIGGER message_fts_insert AFTER INSERT ON message
    WHEN new.text IS NOT NULL
BEGIN
	INSERT INTO message_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER message_fts_delete AFTER DELETE ON message
    WHEN old.text IS NOT NULL
BEGIN
	INSERT INTO message_fts (message_fts, rowid, text)
	    VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER message_fts_update AFTER UPDATE OF text ON message
BEGIN
	INSERT INTO message_fts (message_fts, rowid, text)
	    SELECT 'delete', old.id, old.text WHERE old.text IS NOT NULL;
	INSERT INTO message_fts (rowid, text)
	    SELECT new.id, new.text WHERE new.text IS NOT NULL;
END;

PRAGMA user_version = 15;

-- @migration 16
-- The outbound worker sends several at once (lib/pipeline/outbox.c):
-- it claims each channel's due sends by this index, as many as the
-- channel's pace allows.
CREATE INDEX outbox_channel_due ON outbox (channel_id, state, next_attempt_ms);
-- A send whose outcome was unknown is sent again at most once; when
-- it was claimed last (ms), to look for it in Meta's inbox.
ALTER TABLE outbox ADD COLUMN resends INTEGER NOT NULL DEFAULT 0;	-- sends again after an unknown outcome
ALTER TABLE outbox ADD COLUMN claimed_ms INTEGER;	-- when the last call was claimed (ms)

-- The circuit breaker of each channel's sends, as the worker last saw
-- it (so every process can show it: the Channels page, /metrics).
CREATE TABLE channel_breaker (
	channel_id	INTEGER PRIMARY KEY REFERENCES channel(id) ON DELETE CASCADE,
	state		TEXT NOT NULL DEFAULT 'closed'
			CHECK (state IN ('closed', 'open', 'half_open')),
	until_ms	INTEGER,	-- open: when one call will be tried (ms)
	updated_ms	INTEGER NOT NULL	-- when the worker wrote it
) WITHOUT ROWID;

PRAGMA user_version = 16;

-- @migration 17
-- Token and subscription checks (cron/token-refresh, lib/pipeline/
-- tokens.c): what Meta last said about every token, when each is due
-- again, whether a channel has gone silent, what people were told; and
-- a log of every check and repair.  Tokens themselves are never here.

-- token_check: one row per token: a channel's (subject 'channel') or
-- a Login's (subject 'login', meta_login.id).  The level is computed
-- from these facts by token_level_of (lib/meta/token_level.c); level
-- keeps the last one computed, for alerts and counts.
CREATE TABLE token_check (
	subject		TEXT NOT NULL CHECK (subject IN ('channel', 'login')),
	subject_id	INTEGER NOT NULL,	-- channel.id or meta_login.id
	workspace_id	INTEGER NOT NULL,	-- owner, for alerts and the API
	next_check_at	INTEGER NOT NULL DEFAULT 0,	-- due from then on (unix s); 0: at once
	checked_at	INTEGER,	-- last check that reached Meta
	code		INTEGER NOT NULL DEFAULT 0,	-- Meta's error code when it said the token is dead (190, 102, 492), else 0
	subcode		INTEGER NOT NULL DEFAULT 0,	-- its subcode (458 app removed, 460 password changed, 463 expired, ...)
	expires_at	INTEGER NOT NULL DEFAULT 0,	-- debug_token's expires_at; 0: never or unknown
	data_access_expires_at INTEGER NOT NULL DEFAULT 0,	-- 0: unknown
	issued_at	INTEGER NOT NULL DEFAULT 0,	-- debug_token's issued_at; 0: unknown
	missing_scope	TEXT NOT NULL DEFAULT '',	-- a permission a feature needs that the token lacks (or lacks for this object)
	missing_fields	TEXT NOT NULL DEFAULT '',	-- subscription fields hubgate needs that Meta does not list; '*': no subscription
	unreadable	INTEGER NOT NULL DEFAULT 0,	-- 1: the sealed token cannot be opened (token_key changed)
	failures	INTEGER NOT NULL DEFAULT 0,	-- checks in a row that did not reach Meta
	silent_since	INTEGER,	-- channels: flagged silent (no event for longer than usual) since then
	silent_limit_s	INTEGER,	-- the threshold it passed
	level		TEXT NOT NULL DEFAULT 'ok'
			CHECK (level IN ('ok', 'notice', 'warning', 'critical', 'invalid')),
	level_since	INTEGER,	-- when level last changed
	alerted_level	TEXT,		-- the level people were last told of; NULL: never told
	last_alert_at	INTEGER,	-- when
	PRIMARY KEY (subject, subject_id)
) WITHOUT ROWID;
CREATE INDEX token_check_due ON token_check (next_check_at);

-- token_log: every check and repair attempt: what, on which token, the
-- result, Meta's code, subcode and fbtrace_id, the expiry before and
-- after.  Never a token.
CREATE TABLE token_log (
	id		INTEGER PRIMARY KEY,
	at		INTEGER NOT NULL,	-- unix seconds
	subject		TEXT NOT NULL,	-- channel or login
	subject_id	INTEGER NOT NULL,
	workspace_id	INTEGER NOT NULL,
	what		TEXT NOT NULL,	-- check, subscription, exchange, page_token, ig_refresh, resubscribe, pause, alert, silence
	result		TEXT NOT NULL,	-- ok, failed, invalid, skipped, throttled, dry_run, or a level
	code		INTEGER NOT NULL DEFAULT 0,
	subcode		INTEGER NOT NULL DEFAULT 0,
	fbtrace_id	TEXT,
	old_expires_at	INTEGER,
	new_expires_at	INTEGER,
	detail		TEXT NOT NULL DEFAULT ''	-- in words, no token
);
CREATE INDEX token_log_by_subject ON token_log (subject, subject_id, id);

-- A token found dead in normal use (a send's 190) is checked at once;
-- so is a token replaced by a new Login or by hand.
CREATE TRIGGER token_check_on_invalid AFTER UPDATE OF token_status ON channel
    WHEN NEW.token_status = 'invalid' AND OLD.token_status <> 'invalid'
BEGIN
	UPDATE token_check SET next_check_at = 0
	    WHERE subject = 'channel' AND subject_id = NEW.id;
END;
CREATE TRIGGER token_check_on_token AFTER UPDATE OF token_sealed ON channel
    WHEN NEW.token_sealed IS NOT OLD.token_sealed
BEGIN
	UPDATE token_check SET next_check_at = 0, code = 0, subcode = 0,
	    unreadable = 0, failures = 0, checked_at = NULL, expires_at = 0,
	    data_access_expires_at = 0, issued_at = 0, missing_scope = '',
	    missing_fields = ''
	    WHERE subject = 'channel' AND subject_id = NEW.id;
END;
CREATE TRIGGER token_check_on_login AFTER UPDATE OF token_sealed ON meta_login
    WHEN NEW.token_sealed IS NOT OLD.token_sealed
BEGIN
	UPDATE token_check SET next_check_at = 0, code = 0, subcode = 0,
	    unreadable = 0, failures = 0, checked_at = NULL, expires_at = 0,
	    data_access_expires_at = 0, issued_at = 0, missing_scope = '',
	    missing_fields = ''
	    WHERE subject = 'login' AND subject_id = NEW.id;
END;
CREATE TRIGGER token_check_channel_gone AFTER DELETE ON channel BEGIN
	DELETE FROM token_check WHERE subject = 'channel' AND subject_id = OLD.id;
END;
CREATE TRIGGER token_check_login_gone AFTER DELETE ON meta_login BEGIN
	DELETE FROM token_check WHERE subject = 'login' AND subject_id = OLD.id;
END;

PRAGMA user_version = 17;

-- @migration 18

-- Meta's events in full (README, "What hubgate handles, per platform"):
-- who wrote an outbound message, copies seen while another app owned
-- the thread, edits and their history, reactions per person, referrals,
-- opt-ins, WhatsApp user ids and pricing, WhatsApp account events, and
-- bodies sent by the Test button of Meta's dashboard.
ALTER TABLE message ADD COLUMN standby INTEGER NOT NULL DEFAULT 0;	-- 1: arrived as a standby copy (another app owned the thread)
ALTER TABLE message ADD COLUMN author TEXT;	-- outbound: 'hubgate', 'rule', 'bot', 'person', 'page_inbox', 'app:<app id>', 'business_app'; NULL inbound
ALTER TABLE conversation ADD COLUMN thread_owner_app_id TEXT;	-- the app owning the thread when thread_owner = 'other'
ALTER TABLE message ADD COLUMN edited_ms INTEGER;	-- Meta's time of the edit whose text is shown (ms); NULL: never edited
ALTER TABLE message ADD COLUMN pricing TEXT;	-- WhatsApp: its statuses' pricing, JSON {billable, pricing_model, category, type}
ALTER TABLE conversation ADD COLUMN referral TEXT;	-- the latest referral (ad, link, plugin) as JSON {source, type, ref, ad_id, ..., at_ms}
ALTER TABLE contact ADD COLUMN phone TEXT;	-- WhatsApp: the number (wa_id) when known; meta_user_id is the business-scoped user id when there is one
ALTER TABLE contact ADD COLUMN optin TEXT;	-- Messenger: the latest opt-in as JSON {type, ref, user_ref, token, expires_ms, frequency, status, at_ms}
ALTER TABLE channel ADD COLUMN account_state TEXT;	-- WhatsApp: the word of the latest account-level event that threatens sending (NULL: none)
ALTER TABLE webhook_event ADD COLUMN test INTEGER NOT NULL DEFAULT 0;	-- 1: a body sent by the Test button of Meta's dashboard

-- message_edit: every text an edited message had, keyed by channel and
-- mid (not by message row) so that an edit arriving before its message
-- is applied when the message comes.
CREATE TABLE message_edit (
	channel_id	INTEGER NOT NULL REFERENCES channel(id) ON DELETE CASCADE,	-- the message's channel
	meta_message_id	TEXT NOT NULL,	-- the edited message's mid / wamid
	edited_ms	INTEGER NOT NULL,	-- Meta's time of this text (ms); the original's is its sent_ms
	num_edit	INTEGER,	-- Meta's count of edits, when it gives one (0: the original text)
	text		TEXT,	-- the text from that time on; NULL once the message is unsent or erased
	event_id	INTEGER REFERENCES webhook_event(id) ON DELETE SET NULL,	-- the event it came from
	PRIMARY KEY (channel_id, meta_message_id, edited_ms)
) WITHOUT ROWID;
CREATE TRIGGER message_edit_gone AFTER DELETE ON message BEGIN
	DELETE FROM message_edit WHERE channel_id = OLD.channel_id
	    AND meta_message_id = OLD.meta_message_id;
END;
CREATE TRIGGER message_edit_unsent AFTER UPDATE OF unsent_ms ON message
    WHEN NEW.unsent_ms IS NOT NULL BEGIN
	UPDATE message_edit SET text = NULL WHERE channel_id = NEW.channel_id
	    AND meta_message_id = NEW.meta_message_id;
END;

-- channel_notice: WhatsApp account-level events (account_update,
-- phone_number_quality_update, phone_number_name_update, template
-- status, quality and category), one row per event and channel.
CREATE TABLE channel_notice (
	id		INTEGER PRIMARY KEY,
	channel_id	INTEGER NOT NULL REFERENCES channel(id) ON DELETE CASCADE,	-- a number of the WABA
	field		TEXT NOT NULL,	-- the webhook field
	word		TEXT NOT NULL,	-- Meta's event / decision word (ACCOUNT_RESTRICTED, FLAGGED, APPROVED, ...)
	level		TEXT NOT NULL	-- does it threaten sending?
			CHECK (level IN ('info', 'warning', 'critical')),
	detail		TEXT NOT NULL,	-- the change's value, JSON
	at_ms		INTEGER NOT NULL,	-- Meta's time (entry.time) or arrival (ms)
	event_id	INTEGER REFERENCES webhook_event(id) ON DELETE SET NULL,	-- the event it came from
	UNIQUE (channel_id, field, word, at_ms, detail)
);
CREATE INDEX channel_notice_by_channel ON channel_notice (channel_id, at_ms);
-- Deleting an event finds what refers to it by index.
CREATE INDEX message_edit_by_event ON message_edit (event_id)
	WHERE event_id IS NOT NULL;
CREATE INDEX channel_notice_by_event ON channel_notice (event_id)
	WHERE event_id IS NOT NULL;
-- feed_reaction: the latest reaction (or like) of each person on a Page
-- post or comment, so a post's reactions can be counted.
CREATE TABLE feed_reaction (
	channel_id	INTEGER NOT NULL REFERENCES channel(id) ON DELETE CASCADE,	-- the Page
	target_id	TEXT NOT NULL,	-- the post or comment reacted to
	post_id		TEXT,		-- the post it belongs to
	from_id		TEXT NOT NULL,	-- who reacted
	reaction	TEXT NOT NULL,	-- like, love, haha, ...; '' once removed
	at_ms		INTEGER NOT NULL,	-- Meta's time of the latest change (ms)
	PRIMARY KEY (channel_id, target_id, from_id)
) WITHOUT ROWID;
-- A WhatsApp message carrying only a number finds the contact keyed on
-- the person's user id.
CREATE INDEX contact_by_phone ON contact (channel_id, phone) WHERE phone IS NOT NULL;

PRAGMA user_version = 18;

-- @migration 19
-- Forwarding (lib/pipeline/forward.c): every event, signed (Standard
-- Webhooks), to any number of the business's own HTTP endpoints,
-- retried for days, replayable.  Events are captured by the triggers
-- below in the very transaction that makes the change, whoever writes
-- it (webhook, outbox, API, rules), and fanned out at once into one
-- delivery row per matching destination: a crash cannot lose one.
-- Nothing is captured for a workspace without destinations.

-- fwd_destination: one endpoint of the business.  Its signing secret
-- (and the one it replaced, during the rotation's grace period) and
-- its custom headers are sealed under token_key.
CREATE TABLE fwd_destination (
	id		INTEGER PRIMARY KEY,
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id),	-- owner
	url		TEXT NOT NULL,		-- https (http on loopback in the sandbox)
	description	TEXT NOT NULL DEFAULT '',
	events		TEXT NOT NULL DEFAULT '[]',	-- JSON array of event types it takes
	channels	TEXT NOT NULL DEFAULT '[]',	-- JSON array of channel ids; []: all
	platforms	TEXT NOT NULL DEFAULT '[]',	-- JSON array of 'page', 'instagram', 'whatsapp'; []: all
	include_raw	INTEGER NOT NULL DEFAULT 0,	-- 1: events carry the raw Meta item when there is one
	enabled		INTEGER NOT NULL DEFAULT 1,
	ordered		INTEGER NOT NULL DEFAULT 1,	-- 1: one at a time in event order; 0: a failure does not hold the others
	rate_per_s	INTEGER,		-- most deliveries a second; NULL: no limit
	secret_sealed	BLOB NOT NULL,		-- the "whsec_..." secret, sealed
	old_secret_sealed BLOB,			-- the secret rotated out, sealed, still signing until old_secret_until_ms
	old_secret_until_ms INTEGER,
	headers_sealed	BLOB,			-- JSON object of custom headers, sealed; NULL: none
	disabled_reason	TEXT,			-- why hubgate disabled it (410, failing for days); NULL: people's choice or enabled
	failing_since_ms INTEGER,		-- first failure since the last success; NULL: not failing
	last_attempt_ms	INTEGER,
	last_success_ms	INTEGER,
	last_status	INTEGER,		-- HTTP status of the last attempt; 0: no answer
	last_error	TEXT,			-- the last failure, in words
	created_ms	INTEGER NOT NULL,
	updated_ms	INTEGER NOT NULL
);
CREATE INDEX fwd_destination_by_workspace ON fwd_destination (workspace_id);

-- fwd_event: one event as delivered: uid is its webhook-id, the same
-- on every attempt and replay (receivers dedupe on it).  data is the
-- event's "data" object (never a token).
CREATE TABLE fwd_event (
	id		INTEGER PRIMARY KEY,
	uid		TEXT NOT NULL UNIQUE,	-- "evt_" + 24 hex digits
	workspace_id	INTEGER NOT NULL,
	type		TEXT NOT NULL,		-- message.received, ...
	channel_id	INTEGER,		-- for destinations' channel filter
	platform	TEXT,			-- page, instagram, whatsapp
	created_ms	INTEGER NOT NULL,
	data		TEXT NOT NULL,		-- JSON object
	raw		TEXT,			-- the raw Meta item, for destinations with include_raw
	destination_id	INTEGER			-- a test event: for this destination only
);
CREATE INDEX fwd_event_by_time ON fwd_event (workspace_id, created_ms);

-- fwd_delivery: one event to one destination.  A replay adds rows for
-- events already delivered (a new series, the same event uid).
CREATE TABLE fwd_delivery (
	id		INTEGER PRIMARY KEY,
	destination_id	INTEGER NOT NULL REFERENCES fwd_destination(id) ON DELETE CASCADE,
	event_id	INTEGER NOT NULL REFERENCES fwd_event(id) ON DELETE CASCADE,
	state		TEXT NOT NULL DEFAULT 'pending'
			CHECK (state IN ('pending', 'delivered', 'dead')),
	attempts	INTEGER NOT NULL DEFAULT 0,	-- attempts in this series
	next_attempt_ms	INTEGER NOT NULL,	-- due from
	last_status	INTEGER,		-- HTTP status of the last attempt; 0: no answer
	last_error	TEXT,
	created_ms	INTEGER NOT NULL,
	done_ms		INTEGER			-- delivered or given up
);
CREATE INDEX fwd_delivery_queue ON fwd_delivery (destination_id, state, id);
CREATE INDEX fwd_delivery_by_event ON fwd_delivery (event_id);

-- fwd_attempt: every attempt of a delivery, for the attempt log.
CREATE TABLE fwd_attempt (
	id		INTEGER PRIMARY KEY,
	delivery_id	INTEGER NOT NULL REFERENCES fwd_delivery(id) ON DELETE CASCADE,
	destination_id	INTEGER NOT NULL,	-- the delivery's, for the destination's rates
	started_ms	INTEGER NOT NULL,
	duration_ms	INTEGER NOT NULL,
	status		INTEGER NOT NULL DEFAULT 0,	-- HTTP status; 0: no answer
	error		TEXT,			-- why it failed, in words; NULL: it succeeded
	response	TEXT			-- the answer's first bytes
);
CREATE INDEX fwd_attempt_by_delivery ON fwd_attempt (delivery_id, id);
CREATE INDEX fwd_attempt_by_destination ON fwd_attempt (destination_id, started_ms);

-- The fan-out: an event becomes a delivery for every enabled
-- destination of its workspace that takes its type, channel and
-- platform (a test event: for its one destination).
CREATE TRIGGER fwd_fanout AFTER INSERT ON fwd_event BEGIN
	INSERT INTO fwd_delivery (destination_id, event_id, next_attempt_ms,
	    created_ms)
	SELECT d.id, NEW.id, NEW.created_ms, NEW.created_ms
	    FROM fwd_destination d
	    WHERE d.workspace_id = NEW.workspace_id AND d.enabled = 1
	    AND CASE WHEN NEW.destination_id IS NOT NULL
		THEN d.id = NEW.destination_id
		ELSE EXISTS (SELECT 1 FROM json_each(d.events)
		    WHERE value = NEW.type)
		AND (d.channels = '[]' OR EXISTS (SELECT 1 FROM
		    json_each(d.channels) WHERE value = NEW.channel_id))
		AND (d.platforms = '[]' OR EXISTS (SELECT 1 FROM
		    json_each(d.platforms) WHERE value = NEW.platform)) END;
END;

-- What an event says about a message, its conversation, contact and
-- channel (never a token).  Text columns that should hold JSON are
-- taken only when they do (a bad one never fails the writer).
CREATE VIEW fwd_message_v AS SELECT m.id AS message_id,
	cv.workspace_id AS workspace_id, ch.id AS channel_id,
	ch.kind AS platform,
	CASE WHEN json_valid(m.raw) THEN m.raw END AS raw,
	json_object(
	    'message', json_object('id', m.id, 'meta_id', m.meta_message_id,
		'direction', m.direction, 'kind', m.kind, 'text', m.text,
		'attachments', CASE WHEN json_valid(m.attachments)
		    THEN json(m.attachments) END,
		'payload', m.payload, 'reply_to', m.reply_to,
		'status', m.status, 'error_code', m.error_code,
		'error', m.error, 'author', m.author,
		'standby', json(CASE WHEN m.standby THEN 'true' ELSE 'false' END),
		'sent_ms', m.sent_ms, 'delivered_ms', m.delivered_ms,
		'read_ms', m.read_ms),
	    'conversation', json_object('id', cv.id, 'status', cv.status,
		'assigned_user_id', cv.assigned_user_id,
		'thread_owner', cv.thread_owner),
	    'contact', json_object('id', ct.id, 'meta_id', ct.meta_user_id,
		'name', ct.name),
	    'channel', json_object('id', ch.id, 'platform', ch.kind,
		'meta_id', ch.meta_id, 'name', ch.name)) AS data
    FROM message m JOIN conversation cv ON cv.id = m.conversation_id
    JOIN contact ct ON ct.id = cv.contact_id
    JOIN channel ch ON ch.id = cv.channel_id;

CREATE VIEW fwd_conversation_v AS SELECT cv.id AS conversation_id,
	cv.workspace_id AS workspace_id, ch.id AS channel_id,
	ch.kind AS platform,
	json_object(
	    'conversation', json_object('id', cv.id, 'status', cv.status,
		'assigned_user_id', cv.assigned_user_id,
		'thread_owner', cv.thread_owner,
		'last_message_ms', cv.last_message_ms),
	    'contact', json_object('id', ct.id, 'meta_id', ct.meta_user_id,
		'name', ct.name),
	    'channel', json_object('id', ch.id, 'platform', ch.kind,
		'meta_id', ch.meta_id, 'name', ch.name)) AS data
    FROM conversation cv JOIN contact ct ON ct.id = cv.contact_id
    JOIN channel ch ON ch.id = cv.channel_id;

CREATE VIEW fwd_channel_v AS SELECT ch.id AS channel_id,
	ch.workspace_id AS workspace_id, ch.kind AS platform,
	json_object('channel', json_object('id', ch.id, 'platform', ch.kind,
	    'meta_id', ch.meta_id, 'name', ch.name,
	    'token_status', ch.token_status,
	    'token_expires_at', ch.token_expires_at,
	    'subscribed_fields', ch.subscribed_fields,
	    'token_level', (SELECT level FROM token_check
		WHERE subject = 'channel' AND subject_id = ch.id))) AS data
    FROM channel ch;

-- The events.  Milliseconds now, in SQL.
CREATE TRIGGER fwd_message_received AFTER INSERT ON message
    WHEN NEW.direction = 'in' AND EXISTS (SELECT 1 FROM fwd_destination d
	JOIN conversation cv ON cv.workspace_id = d.workspace_id
	WHERE cv.id = NEW.conversation_id AND d.enabled = 1)
BEGIN
	INSERT INTO fwd_event (uid, workspace_id, type, channel_id, platform,
	    created_ms, data, raw)
	SELECT 'evt_' || lower(hex(randomblob(12))), workspace_id,
	    'message.received', channel_id, platform,
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    data, raw FROM fwd_message_v WHERE message_id = NEW.id;
END;
CREATE TRIGGER fwd_message_sent_new AFTER INSERT ON message
    WHEN NEW.direction = 'out' AND NEW.status = 'sent' AND EXISTS (SELECT 1
	FROM fwd_destination d JOIN conversation cv
	ON cv.workspace_id = d.workspace_id WHERE cv.id = NEW.conversation_id
	AND d.enabled = 1)
BEGIN
	INSERT INTO fwd_event (uid, workspace_id, type, channel_id, platform,
	    created_ms, data, raw)
	SELECT 'evt_' || lower(hex(randomblob(12))), workspace_id,
	    'message.sent', channel_id, platform,
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    data, raw FROM fwd_message_v WHERE message_id = NEW.id;
END;
CREATE TRIGGER fwd_message_status AFTER UPDATE OF status ON message
    WHEN NEW.direction = 'out' AND NEW.status IS NOT OLD.status AND
	EXISTS (SELECT 1 FROM fwd_destination d JOIN conversation cv
	ON cv.workspace_id = d.workspace_id WHERE cv.id = NEW.conversation_id
	AND d.enabled = 1)
BEGIN
	INSERT INTO fwd_event (uid, workspace_id, type, channel_id, platform,
	    created_ms, data, raw)
	SELECT 'evt_' || lower(hex(randomblob(12))), workspace_id,
	    CASE NEW.status WHEN 'sent' THEN 'message.sent'
		ELSE 'message.status' END, channel_id, platform,
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    json_set(data, '$.previous_status', OLD.status), raw
	    FROM fwd_message_v WHERE message_id = NEW.id;
END;
CREATE TRIGGER fwd_conversation_status AFTER UPDATE OF status ON conversation
    WHEN NEW.status IS NOT OLD.status AND NEW.status IN ('escalated', 'closed')
	AND EXISTS (SELECT 1 FROM fwd_destination
	WHERE workspace_id = NEW.workspace_id AND enabled = 1)
BEGIN
	INSERT INTO fwd_event (uid, workspace_id, type, channel_id, platform,
	    created_ms, data)
	SELECT 'evt_' || lower(hex(randomblob(12))), workspace_id,
	    'conversation.' || NEW.status, channel_id, platform,
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    json_set(data, '$.previous_status', OLD.status)
	    FROM fwd_conversation_v WHERE conversation_id = NEW.id;
END;
CREATE TRIGGER fwd_conversation_assigned AFTER UPDATE OF assigned_user_id
    ON conversation
    WHEN NEW.assigned_user_id IS NOT OLD.assigned_user_id AND EXISTS (SELECT 1
	FROM fwd_destination WHERE workspace_id = NEW.workspace_id AND enabled = 1)
BEGIN
	INSERT INTO fwd_event (uid, workspace_id, type, channel_id, platform,
	    created_ms, data)
	SELECT 'evt_' || lower(hex(randomblob(12))), workspace_id,
	    'conversation.assigned', channel_id, platform,
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    json_set(data, '$.previous_assigned_user_id',
		OLD.assigned_user_id)
	    FROM fwd_conversation_v WHERE conversation_id = NEW.id;
END;
CREATE TRIGGER fwd_channel_new AFTER INSERT ON channel
    WHEN EXISTS (SELECT 1 FROM fwd_destination
	WHERE workspace_id = NEW.workspace_id AND enabled = 1)
BEGIN
	INSERT INTO fwd_event (uid, workspace_id, type, channel_id, platform,
	    created_ms, data)
	SELECT 'evt_' || lower(hex(randomblob(12))), workspace_id,
	    'channel.updated', channel_id, platform,
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    json_set(data, '$.change', 'connected')
	    FROM fwd_channel_v WHERE channel_id = NEW.id;
END;
CREATE TRIGGER fwd_channel_updated AFTER UPDATE OF name, token_status,
    token_expires_at, subscribed_fields ON channel
    WHEN (NEW.name IS NOT OLD.name OR NEW.token_status IS NOT OLD.token_status
	OR NEW.token_expires_at IS NOT OLD.token_expires_at
	OR NEW.subscribed_fields IS NOT OLD.subscribed_fields) AND EXISTS
	(SELECT 1 FROM fwd_destination WHERE workspace_id = NEW.workspace_id AND enabled = 1)
BEGIN
	INSERT INTO fwd_event (uid, workspace_id, type, channel_id, platform,
	    created_ms, data)
	SELECT 'evt_' || lower(hex(randomblob(12))), workspace_id,
	    'channel.updated', channel_id, platform,
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    json_set(data, '$.change', 'updated')
	    FROM fwd_channel_v WHERE channel_id = NEW.id;
END;
CREATE TRIGGER fwd_token_level AFTER UPDATE OF level ON token_check
    WHEN NEW.subject = 'channel' AND NEW.level IS NOT OLD.level AND EXISTS
	(SELECT 1 FROM fwd_destination d JOIN channel ch
	ON ch.workspace_id = d.workspace_id WHERE ch.id = NEW.subject_id
	AND d.enabled = 1)
BEGIN
	INSERT INTO fwd_event (uid, workspace_id, type, channel_id, platform,
	    created_ms, data)
	SELECT 'evt_' || lower(hex(randomblob(12))), workspace_id,
	    'token.level', channel_id, platform,
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    json_set(data, '$.previous_level', OLD.level)
	    FROM fwd_channel_v WHERE channel_id = NEW.subject_id;
END;
-- The raw Meta event, once per channel it was routed to.
-- The raw event is copied only for a destination that takes it: a
-- webhook body is large, and this runs in the webhook's transaction.
CREATE TRIGGER fwd_meta_event AFTER INSERT ON webhook_event
    WHEN NEW.channel_id IS NOT NULL AND EXISTS (SELECT 1 FROM fwd_destination d
	JOIN channel ch ON ch.workspace_id = d.workspace_id
	WHERE ch.id = NEW.channel_id AND d.enabled = 1 AND EXISTS (SELECT 1
	FROM json_each(d.events) WHERE value = 'meta.event'))
BEGIN
	INSERT INTO fwd_event (uid, workspace_id, type, channel_id, platform,
	    created_ms, data)
	SELECT 'evt_' || lower(hex(randomblob(12))), ch.workspace_id,
	    'meta.event', ch.id, ch.kind,
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    json_object('event_id', NEW.id, 'object', NEW.object,
		'received_ms', NEW.received_ms,
		'channel', json_object('id', ch.id, 'platform', ch.kind,
		    'meta_id', ch.meta_id, 'name', ch.name),
		'body', CASE WHEN json_valid(CAST(NEW.body AS TEXT))
		    THEN json(CAST(NEW.body AS TEXT)) END)
	    FROM channel ch WHERE ch.id = NEW.channel_id;
END;
CREATE TRIGGER fwd_meta_event_more AFTER INSERT ON webhook_event_channel
    WHEN EXISTS (SELECT 1 FROM fwd_destination d JOIN channel ch
	ON ch.workspace_id = d.workspace_id WHERE ch.id = NEW.channel_id
	AND d.enabled = 1 AND EXISTS (SELECT 1 FROM json_each(d.events)
	WHERE value = 'meta.event'))
BEGIN
	INSERT INTO fwd_event (uid, workspace_id, type, channel_id, platform,
	    created_ms, data)
	SELECT 'evt_' || lower(hex(randomblob(12))), ch.workspace_id,
	    'meta.event', ch.id, ch.kind,
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    json_object('event_id', e.id, 'object', e.object,
		'received_ms', e.received_ms,
		'channel', json_object('id', ch.id, 'platform', ch.kind,
		    'meta_id', ch.meta_id, 'name', ch.name),
		'body', CASE WHEN json_valid(CAST(e.body AS TEXT))
		    THEN json(CAST(e.body AS TEXT)) END)
	    FROM channel ch JOIN webhook_event e ON e.id = NEW.event_id
	    WHERE ch.id = NEW.channel_id;
END;

-- Erasure (a person's data deleted, erase.c): the events that carry it
-- go too, with their deliveries, whether sent or not: a contact's
-- message and conversation events when the contact row goes, and the
-- raw Meta event when the stored body is rewritten without them.
CREATE INDEX fwd_event_contact ON fwd_event (json_extract(data, '$.contact.id'));
CREATE INDEX fwd_event_source ON fwd_event (json_extract(data, '$.event_id'));
CREATE TRIGGER fwd_contact_gone AFTER DELETE ON contact BEGIN
	DELETE FROM fwd_event WHERE json_extract(data, '$.contact.id') = OLD.id;
END;
CREATE TRIGGER fwd_body_rewritten AFTER UPDATE OF body ON webhook_event
    WHEN NEW.body IS NOT OLD.body
BEGIN
	DELETE FROM fwd_event WHERE json_extract(data, '$.event_id') = NEW.id
	    AND type = 'meta.event';
END;

PRAGMA user_version = 19;

-- @migration 20
-- Automation (lib/pipeline/automation.c): rules that answer inbound
-- messages, the bot hook, and the handover to people.

-- rule: one rule of a workspace, in order (position); body is the
-- rule's JSON as the API takes it: {"channels"?, "when", "then"}.
CREATE TABLE rule (
	id		INTEGER PRIMARY KEY,
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,	-- owner
	position	INTEGER NOT NULL,	-- order: lower first
	name		TEXT NOT NULL,	-- shown on the Rules page
	enabled		INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	body		TEXT NOT NULL,	-- JSON {"channels": [ids]?, "when": {...}, "then": [...]}
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL
);
CREATE INDEX rule_by_workspace ON rule (workspace_id, position, id);

-- automation_setting: a workspace's handover, bot and business-hours
-- settings, each a JSON object (NULL: the defaults).  The bot's secret
-- is sealed with the token_key (AES-256-GCM), never kept in clear.
CREATE TABLE automation_setting (
	workspace_id	INTEGER PRIMARY KEY REFERENCES workspace(id) ON DELETE CASCADE,
	handover	TEXT,	-- {"enabled", "phrases": [..] | {"en": [..], ...}, "notice", "max_failures"}
	bot		TEXT,	-- {"url", "confidence_threshold", "timeout_ms"}
	bot_secret_sealed BLOB,	-- the bot's signing secret, sealed
	hours		TEXT,	-- {"tz", "week": {"mon": [["09:00","17:00"]], ...}, "holidays": ["YYYY-MM-DD"]}
	updated_at	INTEGER NOT NULL
) WITHOUT ROWID;

-- automation_seen: every inbound message automation has looked at,
-- once: a replayed or redelivered event finds its messages here and
-- triggers nothing new.
CREATE TABLE automation_seen (
	message_id	INTEGER PRIMARY KEY REFERENCES message(id) ON DELETE CASCADE,
	at_ms		INTEGER NOT NULL,	-- when (ms)
	outcome		TEXT NOT NULL	-- what came of it: rules, skipped:<why>, escalated, ...
);

-- automation_waited: every inbound message a "no reply for N
-- minutes" rule has acted on (or given up on), once.
CREATE TABLE automation_waited (
	message_id	INTEGER PRIMARY KEY REFERENCES message(id) ON DELETE CASCADE,
	at_ms		INTEGER NOT NULL
);

-- automation_log: what automation did and why (a rule matched, a
-- reply refused by the window, the loop limit, a bot call...).
CREATE TABLE automation_log (
	id		INTEGER PRIMARY KEY,
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
	conversation_id	INTEGER REFERENCES conversation(id) ON DELETE CASCADE,
	message_id	INTEGER REFERENCES message(id) ON DELETE SET NULL,
	rule_id		INTEGER,	-- the rule, or NULL (escalation phrase, bot)
	action		TEXT NOT NULL,	-- reply, tag, assign, escalate, close, bot, stop, skip, refused
	detail		TEXT NOT NULL DEFAULT '',	-- in words; never a secret
	at_ms		INTEGER NOT NULL
);
CREATE INDEX automation_log_by_conversation ON automation_log (conversation_id, id);
CREATE INDEX automation_log_by_message ON automation_log (message_id)
	WHERE message_id IS NOT NULL;

-- conversation_tag: a conversation's tags (rules, bots, people).
CREATE TABLE conversation_tag (
	conversation_id	INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
	tag		TEXT NOT NULL,
	PRIMARY KEY (conversation_id, tag)
) WITHOUT ROWID;

-- Why and when a conversation was escalated to a person; the summary
-- of its last messages shown in the inbox.
ALTER TABLE conversation ADD COLUMN escalated_ms INTEGER;	-- the latest escalation (ms)
ALTER TABLE conversation ADD COLUMN escalation_reason TEXT;	-- its reason, in words
ALTER TABLE conversation ADD COLUMN escalation_summary TEXT;	-- the last messages, one line
ALTER TABLE conversation ADD COLUMN auto_failures INTEGER NOT NULL DEFAULT 0;	-- inbound messages in a row automation did not answer
ALTER TABLE conversation ADD COLUMN escalation_alerted INTEGER NOT NULL DEFAULT 1;	-- 0: people are still to be told (alert e-mail / webhook)
CREATE INDEX conversation_to_alert ON conversation (id) WHERE escalation_alerted = 0;

-- A person's availability in a workspace: the notice of an escalation
-- counts only available people (its wait), and says when someone will
-- answer when nobody is.
ALTER TABLE membership ADD COLUMN available INTEGER NOT NULL DEFAULT 1;	-- 1: available, 0: away

-- bot_call: a message handed to the workspace's bot, called by a
-- worker outside event processing (lib/pipeline/bot.c).
CREATE TABLE bot_call (
	id		INTEGER PRIMARY KEY,
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
	conversation_id	INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
	message_id	INTEGER REFERENCES message(id) ON DELETE SET NULL,	-- the message handed over
	rule_id		INTEGER,	-- the rule that called the bot
	params		TEXT NOT NULL DEFAULT '{}',	-- the rule's parameters (JSON)
	state		TEXT NOT NULL DEFAULT 'queued'
			CHECK (state IN ('queued', 'calling', 'done', 'failed')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_attempt_ms	INTEGER NOT NULL,	-- when it is due (ms)
	lease_expires_ms INTEGER,	-- a worker's claim lapses then
	error		TEXT,	-- the last failure, in words
	created_ms	INTEGER NOT NULL,
	updated_ms	INTEGER NOT NULL
);
CREATE INDEX bot_call_due ON bot_call (state, next_attempt_ms);
-- Deleting a conversation or a message (erasure) finds its calls.
CREATE INDEX bot_call_by_conversation ON bot_call (conversation_id);
CREATE INDEX bot_call_by_message ON bot_call (message_id)
	WHERE message_id IS NOT NULL;

-- The defaults every workspace gets, off until enabled: a greeting for
-- first messages and an away message outside business hours.
INSERT INTO rule (workspace_id, position, name, enabled, body, created_at, updated_at)
	SELECT id, 1, 'Greeting', 0, '{"when":{"first_message":true},"then":[{"reply":{"text":"Hello {contact.first_name|there}! Thanks for your message, we will answer shortly."}}]}', created_at, created_at FROM workspace;
INSERT INTO rule (workspace_id, position, name, enabled, body, created_at, updated_at)
	SELECT id, 2, 'Away message', 0, '{"when":{"outside_hours":true},"then":[{"reply":{"text":"Thanks for your message! We are closed right now and will answer when we are back."}}]}', created_at, created_at FROM workspace;
CREATE TRIGGER rule_defaults AFTER INSERT ON workspace BEGIN
	INSERT INTO rule (workspace_id, position, name, enabled, body, created_at, updated_at)
	    VALUES (NEW.id, 1, 'Greeting', 0, '{"when":{"first_message":true},"then":[{"reply":{"text":"Hello {contact.first_name|there}! Thanks for your message, we will answer shortly."}}]}', NEW.created_at, NEW.created_at);
	INSERT INTO rule (workspace_id, position, name, enabled, body, created_at, updated_at)
	    VALUES (NEW.id, 2, 'Away message', 0, '{"when":{"outside_hours":true},"then":[{"reply":{"text":"Thanks for your message! We are closed right now and will answer when we are back."}}]}', NEW.created_at, NEW.created_at);
END;

PRAGMA user_version = 20;

-- @migration 21
-- Groups of people in a workspace (a team: "Billing", "Sales"), so a
-- rule can assign a conversation to a group rather than a person; the
-- queue position and typical wait of an escalated conversation of a
-- group count only that group's conversations and available members.
CREATE TABLE person_group (
	id		INTEGER PRIMARY KEY,
	workspace_id	INTEGER NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,	-- owner
	name		TEXT NOT NULL,	-- unique in the workspace (rules may name it)
	created_at	INTEGER NOT NULL,
	updated_at	INTEGER NOT NULL,
	UNIQUE (workspace_id, name)
);
-- Its members: people of its workspace (a member who leaves the
-- workspace leaves its groups).
CREATE TABLE person_group_member (
	group_id	INTEGER NOT NULL REFERENCES person_group(id) ON DELETE CASCADE,
	user_id		INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
	PRIMARY KEY (group_id, user_id)
);
CREATE INDEX person_group_member_by_user ON person_group_member (user_id);
CREATE TRIGGER person_group_member_left AFTER DELETE ON membership BEGIN
	DELETE FROM person_group_member WHERE user_id = OLD.user_id AND
	    group_id IN (SELECT id FROM person_group WHERE workspace_id = OLD.workspace_id);
END;
-- The group a conversation is assigned to (beside, or before, a person).
ALTER TABLE conversation ADD COLUMN assigned_group_id INTEGER
	REFERENCES person_group(id) ON DELETE SET NULL;
CREATE INDEX conversation_by_group ON conversation (assigned_group_id)
	WHERE assigned_group_id IS NOT NULL;

PRAGMA user_version = 21;

-- @migration 22
-- Conversation Routing with Meta's inbox (lib/pipeline/handover.c):
-- where a workspace's handover settings say "page_inbox", an
-- escalation queues pass_thread_control to Meta's inbox app and a
-- person closing or reopening the conversation queues
-- take_thread_control, both as outbox actions (body {"action",
-- "target_app_id"?, "metadata"}).  Their outcome moves the
-- conversation's thread owner, or keeps why Meta refused.
ALTER TABLE conversation ADD COLUMN thread_control_error TEXT;	-- why Meta refused the last pass or take (NULL: it did not)
ALTER TABLE conversation ADD COLUMN thread_control_error_ms INTEGER;	-- when (ms)
-- Pending thread-control calls of a conversation are found by it.
CREATE INDEX outbox_thread_control ON outbox (conversation_id)
	WHERE kind = 'action' AND state IN ('queued', 'sending', 'unknown');
CREATE TRIGGER outbox_thread_control AFTER UPDATE OF state ON outbox
WHEN new.kind = 'action' AND old.state <> new.state AND
    new.state IN ('sent', 'failed', 'dead_letter') AND
    json_extract(new.body, '$.action') IN ('pass_thread_control', 'take_thread_control')
BEGIN
	-- Meta took it: the thread moved (a pass to the inbox app, a take
	-- back to hubgate).
	UPDATE conversation SET
	    thread_owner = CASE json_extract(new.body, '$.action')
		WHEN 'pass_thread_control' THEN 'other' ELSE 'us' END,
	    thread_owner_app_id = CASE json_extract(new.body, '$.action')
		WHEN 'pass_thread_control' THEN json_extract(new.body, '$.target_app_id') END,
	    thread_control_error = NULL, thread_control_error_ms = NULL
	    WHERE id = new.conversation_id AND new.state = 'sent';
	-- Refused (or no answer): nothing moved; why is kept and shown.
	UPDATE conversation SET
	    thread_control_error = json_extract(new.body, '$.action') || ': ' ||
		coalesce(new.error, 'no answer from Meta'),
	    thread_control_error_ms = new.updated_ms
	    WHERE id = new.conversation_id AND new.state <> 'sent';
	-- A pass that failed leaves nothing to take back: a take queued
	-- behind it (a person closed the conversation meanwhile) is not
	-- sent, and the pass's refusal stays the one shown.
	UPDATE outbox SET state = 'failed', updated_ms = new.updated_ms,
	    error = 'not sent: the pass before it failed, so there is nothing to take back'
	    WHERE conversation_id = new.conversation_id AND kind = 'action'
	    AND state = 'queued' AND new.state <> 'sent'
	    AND json_extract(new.body, '$.action') = 'pass_thread_control'
	    AND json_extract(body, '$.action') = 'take_thread_control';
	INSERT INTO automation_log (workspace_id, conversation_id, action, detail, at_ms)
	    VALUES (new.workspace_id, new.conversation_id,
		CASE WHEN new.state = 'sent' THEN 'thread_control' ELSE 'refused' END,
		json_extract(new.body, '$.action') || CASE WHEN new.state = 'sent'
		    THEN ': done' ELSE ': refused by Meta: ' ||
		    coalesce(new.error, 'no answer') END,
		new.updated_ms);
END;

PRAGMA user_version = 22;

-- @migration 23
-- Meta fidelity, the rest (README, "What hubgate handles, per
-- platform"): a WhatsApp Business app's chat history (coexistence)
-- kept in its threads as history, and a workspace's retention of what
-- people take back.

-- A message from the chat history Meta shares when a WhatsApp Business
-- app number joins the Cloud API: stored for the record, never new
-- (no unread count, no automation, no message.received forwarded).
ALTER TABLE message ADD COLUMN history INTEGER NOT NULL DEFAULT 0;	-- 1: from the business app's chat history

-- A workspace's retention settings, JSON {"keep_deleted_text": bool}
-- (NULL: the defaults, keep nothing a person took back).
ALTER TABLE workspace ADD COLUMN retention TEXT;

-- Forwarding tells of new messages only: a history message is none.
DROP TRIGGER fwd_message_received;
CREATE TRIGGER fwd_message_received AFTER INSERT ON message
    WHEN NEW.direction = 'in' AND NEW.history = 0 AND EXISTS (SELECT 1
	FROM fwd_destination d JOIN conversation cv
	ON cv.workspace_id = d.workspace_id
	WHERE cv.id = NEW.conversation_id AND d.enabled = 1)
BEGIN
	INSERT INTO fwd_event (uid, workspace_id, type, channel_id, platform,
	    created_ms, data, raw)
	SELECT 'evt_' || lower(hex(randomblob(12))), workspace_id,
	    'message.received', channel_id, platform,
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    data, raw FROM fwd_message_v WHERE message_id = NEW.id;
END;
DROP TRIGGER fwd_message_sent_new;
CREATE TRIGGER fwd_message_sent_new AFTER INSERT ON message
    WHEN NEW.direction = 'out' AND NEW.status = 'sent' AND NEW.history = 0
	AND EXISTS (SELECT 1 FROM fwd_destination d JOIN conversation cv
	ON cv.workspace_id = d.workspace_id WHERE cv.id = NEW.conversation_id
	AND d.enabled = 1)
BEGIN
	INSERT INTO fwd_event (uid, workspace_id, type, channel_id, platform,
	    created_ms, data, raw)
	SELECT 'evt_' || lower(hex(randomblob(12))), workspace_id,
	    'message.sent', channel_id, platform,
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    data, raw FROM fwd_message_v WHERE message_id = NEW.id;
END;

-- Nor is a later status of a history message news.
DROP TRIGGER fwd_message_status;
CREATE TRIGGER fwd_message_status AFTER UPDATE OF status ON message
    WHEN NEW.direction = 'out' AND NEW.status IS NOT OLD.status AND
	NEW.history = 0 AND EXISTS (SELECT 1 FROM fwd_destination d
	JOIN conversation cv ON cv.workspace_id = d.workspace_id
	WHERE cv.id = NEW.conversation_id AND d.enabled = 1)
BEGIN
	INSERT INTO fwd_event (uid, workspace_id, type, channel_id, platform,
	    created_ms, data, raw)
	SELECT 'evt_' || lower(hex(randomblob(12))), workspace_id,
	    CASE NEW.status WHEN 'sent' THEN 'message.sent'
		ELSE 'message.status' END, channel_id, platform,
	    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER),
	    json_set(data, '$.previous_status', OLD.status), raw
	    FROM fwd_message_v WHERE message_id = NEW.id;
END;

-- An unsent message's earlier texts go with its text, unless the
-- workspace keeps what people take back.
DROP TRIGGER message_edit_unsent;
CREATE TRIGGER message_edit_unsent AFTER UPDATE OF unsent_ms ON message
    WHEN NEW.unsent_ms IS NOT NULL AND NOT coalesce((SELECT
	json_extract(w.retention, '$.keep_deleted_text') FROM channel c
	JOIN workspace w ON w.id = c.workspace_id WHERE c.id = NEW.channel_id),
	0) BEGIN
	UPDATE message_edit SET text = NULL WHERE channel_id = NEW.channel_id
	    AND meta_message_id = NEW.meta_message_id;
END;

PRAGMA user_version = 23;
