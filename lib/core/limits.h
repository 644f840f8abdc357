/*
 * Every limit hubgate enforces, in one place, each with the reason for
 * its value.  Untrusted input is always measured against one of these.
 */
#ifndef HG_LIMITS_H
#define HG_LIMITS_H

/* An error message for a log line or an answer: SQLite's messages and
 * the configuration's (file, line, key and why) fit. */
#define HG_ERR_MAX			512

/* A limit's value as a string, for configuration defaults. */
#define HG_STR_(x)	#x
#define HG_STR(x)	HG_STR_(x)

/* Default cap on a webhook body: Meta batches up to 1000 updates; even
 * large ones stay well under this.  Configurable as webhook_max_body. */
#define HG_WEBHOOK_BODY_DEFAULT		4194304		/* 4 MiB */
/* Hard ceiling for webhook_max_body, so a typo cannot disable the cap. */
#define HG_WEBHOOK_BODY_CEILING		(64L * 1024 * 1024)
/* Bodies of forms and JSON API calls made by people, not Meta. */
#define HG_FORM_BODY_MAX		(64 * 1024)
/* The fields one route may declare (lib/web/route.h): an API call takes a
 * handful; a table asking for more is a mistake. */
#define HG_ROUTE_FIELDS_MAX		16
/* How deep an API call's JSON body may nest: its fields are flat. */
#define HG_API_JSON_DEPTH_MAX		8
/* Longest query string we parse; URLs past 8 KiB are refused by most
 * servers anyway. */
#define HG_QUERY_MAX			8192
/* Most parameters in one query string, form or cookie header. */
#define HG_PARAMS_MAX			64
/* Longest parameter or cookie name. */
#define HG_PARAM_NAME_MAX		128
/* Longest Cookie header we look at. */
#define HG_COOKIE_MAX			4096
/* Longest request header value we use (signature, content type...). */
#define HG_HEADER_MAX			8192
/* hub.challenge echoed back in the verification handshake. */
#define HG_CHALLENGE_MAX		128
/* A line of the configuration file, and the whole file. */
#define HG_CONF_LINE_MAX		4096
#define HG_CONF_FILE_MAX		(256 * 1024)
/* Shortest app_secret (each of a list) and verify_token accepted
 * outside the sandbox: shorter ones are guessable, and Meta's own app
 * secrets are 32 characters. */
#define HG_CONF_SECRET_MIN		16
/* One log line; longer lines are truncated with a marker. */
#define HG_LOG_LINE_MAX			2048
/* Longest value written into a log line before truncation. */
#define HG_LOG_VALUE_MAX		256
/* A response body built in memory (API pages are paginated). */
#define HG_RESPONSE_MAX			(8L * 1024 * 1024)
/* Entry ids noted per event in the envelope; Meta batches up to 1000. */
#define HG_ENVELOPE_IDS_MAX		1000
/* Longest Meta object id we store (page ids are ~16 digits). */
#define HG_META_ID_MAX			64
/* Deepest JSON nesting accepted from Meta (its payloads nest about 8
 * deep); deeper bodies are kept as invalid, never parsed. */
#define HG_JSON_DEPTH_MAX		512
/* Request-handling threads of one FastCGI process. */
#define HG_THREADS_MAX			256
/* A FastCGI request thread whose accept fails (no descriptor or memory
 * left: EMFILE, ENFILE, ENOMEM) waits this long (ms) before it tries
 * again: the requests in flight free their descriptors within their
 * busy timeout, and the connections wait in the listen backlog. */
#define HG_ACCEPT_BACKOFF_MS		100
/* Failures in a row closer together than this (ms) are one spell: an
 * accept that waited for a connection in between ends it. */
#define HG_ACCEPT_SPELL_GAP_MS		(10 * HG_ACCEPT_BACKOFF_MS)
/* A spell of failing accepts this long (ms) means the process cannot
 * serve: it stops and exits non-zero, so that the web server starts a
 * fresh one.  Longer than a request can hold its descriptor (the
 * default busy timeout is 3 s, the webhook's requests wait for no more
 * than their commit). */
#define HG_ACCEPT_GIVE_UP_MS		30000
/* Log lines per second about failing accepts. */
#define HG_ACCEPT_LOG_PER_SEC		1
/* What a FastCGI program keeps free at the top of a heap before it
 * gives memory back to the kernel (lib/web/http.c). */
#define HG_MALLOC_TRIM			(64 * 1024 * 1024)
/* Unread body bytes a CGI reads and discards before exiting, so that
 * servers passing one socket both ways do not reset the connection. */
#define HG_CGI_DRAIN_MAX		HG_WEBHOOK_BODY_CEILING
/* Events committed in one group transaction. */
#define HG_GROUP_MAX			512
/* The webhook's checkpointer copies the WAL into the database once it
 * holds this many frames (SQLite's automatic checkpoint default). */
#define HG_CHECKPOINT_FRAMES		1000
/* Under load, the webhook adds its counts to the counter table at most
 * this often (ms) instead of in every group commit. */
#define HG_COUNTER_FLUSH_MS		100
/* Events of at most this many items are processed inside the commit
 * that stores them; bigger ones go to the inline processor thread, so
 * that a 1000-message batch does not hold up a whole group's 200s. */
#define HG_COMMIT_ITEMS_MAX		16
/* Log lines per second per process for all refused webhook requests
 * together (bad signatures, wrong verify tokens, a missing secret), so
 * that a flood of them cannot fill the disk; every one is counted. */
#define HG_REJECT_LOG_PER_SEC		5

/* --- lib/queue: processing and pruning stored events ---------------- */
/* Claims of one event whose lease lapsed without a result (its worker
 * died or stalled past queue_lease_s) before it becomes a dead letter:
 * an event that kills every worker that takes it must not be taken
 * forever.  Lapses are not failures and do not move the retry
 * schedule; five is more than a crash or a restart explains. */
#define HG_QUEUE_LAPSES_MAX		5
/* Events deleted by one pruning statement: small enough that a batch
 * takes a few milliseconds, so a transaction stops close to its time. */
#define HG_PRUNE_BATCH			100
/* A pruning transaction stops taking batches once it has run this long
 * (ms): the webhook waits for the write lock at most about this long
 * plus one batch. */
#define HG_PRUNE_TXN_MS			50
/* ... and at most this many batches (HG_PRUNE_BATCH each), whatever
 * the clock says. */
#define HG_PRUNE_TXN_BATCHES		5
/* The pause between two pruning transactions (ms).  SQLite's busy
 * handler, in which a waiting writer sleeps, polls at most every
 * 100 ms; a shorter pause could let back-to-back transactions starve it
 * until its busy timeout. */
#define HG_PRUNE_PAUSE_MS		110
/* Time one cron run spends pruning at most (ms); what is left waits
 * for the next run, a minute later. */
#define HG_PRUNE_BUDGET_MS		10000
/* Throttle rows whose wait ended, and setup tokens used or expired,
 * longer ago than this (seconds) are deleted by the cron. */
#define HG_ACCOUNT_STALE_S		86400

/* --- lib/graph: calls to Meta ------------------------------------- */
/* Longest URL we build for a Graph call (ids, a few parameters, a
 * token and its proof); Meta's own limit is higher. */
#define HG_GRAPH_URL_MAX		8192
/* A request body we send (a message with templates stays far below). */
#define HG_GRAPH_BODY_MAX		(256 * 1024)
/* Usage headers we keep for throttling decisions; a business use case
 * header names one entry per id and stays small. */
#define HG_GRAPH_HEADER_MAX		4096
/* Result pages followed for one listing (/me/accounts): 100 pages of
 * up to 100 Pages each is far beyond any one person's Pages. */
#define HG_GRAPH_PAGES_MAX		100
/* Pages asked for per result page of /me/accounts (Meta's max). */
#define HG_GRAPH_PAGE_LIMIT		100
/* Most transfers graph_multi keeps in flight at once. */
#define HG_GRAPH_PARALLEL_MAX		32
/* Wait after a transient failure (5xx, timeout, codes 1/2) when Meta
 * gives no Retry-After. */
#define HG_GRAPH_RETRY_DEFAULT_S	30
/* Wait after a throttling error with no usage header to go by: a
 * twelfth of Meta's rolling one-hour window. */
#define HG_GRAPH_THROTTLE_DEFAULT_S	300
/* Wait when a usage header says 100% but gives no time to regain
 * access: a quarter of the rolling hour. */
#define HG_GRAPH_USAGE_FULL_S		900
/* Wait after a policy block (368): Meta gives no duration. */
#define HG_GRAPH_POLICY_PAUSE_S		3600
/* Ceiling on any delay we derive, so a bad header cannot park work
 * for weeks. */
#define HG_GRAPH_DELAY_MAX_S		86400

/* --- Meta's message limits, checked before a round trip ------------- */
/* Messenger text, in characters (code points). */
#define HG_MSG_TEXT_MAX			2000
/* Messenger metadata, in characters. */
#define HG_MSG_METADATA_MAX		1000
/* Quick replies per message, their titles and payloads. */
#define HG_MSG_QR_MAX			13
#define HG_MSG_QR_TITLE_MAX		20
#define HG_MSG_PAYLOAD_MAX		1000
/* Buttons per template or element, and a button's title (Messenger's
 * and Instagram's button and generic templates alike; rich replies of
 * rules and the bot are held to these, lib/pipeline/rich.h). */
#define HG_MSG_BUTTONS_MAX		3
#define HG_MSG_BUTTON_TITLE_MAX		20
/* The button template's text. */
#define HG_MSG_BUTTON_TEXT_MAX		640
/* Elements of a generic template, their title and subtitle. */
#define HG_MSG_ELEMENTS_MAX		10
#define HG_MSG_ELEMENT_TITLE_MAX	80
#define HG_MSG_ELEMENT_SUBTITLE_MAX	80
/* Longest attachment or button URL we pass on. */
#define HG_MSG_URL_MAX			2048
/* Instagram text, in bytes of UTF-8. */
#define HG_IG_TEXT_MAX_BYTES		1000
/* WhatsApp text body, in characters. */
#define HG_WA_TEXT_MAX			4096
/* WhatsApp's biz_opaque_callback_data, returned in status webhooks. */
#define HG_WA_OPAQUE_MAX		512
/* The outbound queue (lib/pipeline/outbox.c). */
/* The outbound worker's sender threads (outbox_senders): at most this
 * many calls in flight, each send claimed right before its call, so a
 * crash leaves at most this many of unknown outcome. */
#define HG_OUTBOX_SENDERS_MAX		256
/* Channels one claim round looks at. */
#define HG_OUTBOX_CHANNELS_ROUND	64
/* How long the worker waits for an answer before it looks at the
 * queue again while sends are in flight (ms). */
#define HG_OUTBOX_TICK_MS		20
/* Rounds the worker tries to write its sends' answers, a tick apart,
 * before it drops them (their rows then become "unknown"). */
#define HG_OUTBOX_RECORD_TRIES		50
/* Added to each second of a channel's pace: answers and requests do
 * not travel in lockstep, and Meta counts when they arrive (ms). */
#define HG_OUTBOX_PACE_MARGIN_MS	40
/* A claim round gives each send the time it leaves, spread over the
 * second by the channel's rate, up to this far ahead (ms). */
#define HG_OUTBOX_AHEAD_MS		100
/* A text longer than a message is split into at most this many sends. */
#define HG_OUTBOX_TEXT_BYTES_MAX	(HG_MSG_SPLIT_MAX * 4 * HG_WA_TEXT_MAX)
/* Retries of a send before it becomes a dead letter. */
#define HG_OUTBOX_ATTEMPTS_MAX		8
/* Backoff of retried sends: the first wait and the longest. */
#define HG_OUTBOX_BACKOFF_MS		2000
#define HG_OUTBOX_BACKOFF_MAX_MS	(15 * 60 * 1000)
/* The worker thread looks at the queue at least this often (ms) even
 * when nobody pokes it: rows of other processes, leases that lapsed. */
#define HG_OUTBOX_POLL_MS		1000
/* The idempotency key a client may give: bytes. */
#define HG_IDEMPOTENCY_KEY_MAX		128
/* Conversations and messages one API page lists. */
#define HG_INBOX_PAGE_MAX		100
/* The prefix of an outbox id in Messenger's metadata and WhatsApp's
 * biz_opaque_callback_data: "hubgate:outbox:<id>". */
#define HG_OUTBOX_REF_PREFIX		"hubgate:outbox:"
/* Most messages one long text is split into when the caller asks. */
#define HG_MSG_SPLIT_MAX		10
/* Sends other than text (attachments, reactions, sender actions). */
/* WhatsApp's media caption: characters. */
#define HG_WA_CAPTION_MAX		1024
/* An emoji of a reaction: bytes (one emoji, with its modifiers). */
#define HG_REACTION_MAX_BYTES		64
/* A channel's send_rate (messages per second): WhatsApp's highest. */
#define HG_CHANNEL_SEND_RATE_MAX	1000
/* Outbox rows one page of GET /api/outbox lists. */
#define HG_OUTBOX_PAGE_MAX		100
/* A failed sender action (mark as read, typing) is tried this many
 * times in all, then dropped: never a dead letter. */
#define HG_OUTBOX_ACTION_ATTEMPTS_MAX	2

/* Inbound media (lib/pipeline/media.c). */
/* The largest media item fetched (media_max_bytes' default and its
 * ceiling): larger ones are shown as unavailable. */
#define HG_MEDIA_MAX_BYTES		16777216	/* 16 MiB */
#define HG_MEDIA_MAX_BYTES_CEILING	67108864	/* 64 MiB */
/* Fetches of one item before it is given up as unavailable. */
#define HG_MEDIA_ATTEMPTS_MAX		5
/* Backoff of retried fetches: the first wait and the longest. */
#define HG_MEDIA_BACKOFF_MS		5000
#define HG_MEDIA_BACKOFF_MAX_MS		(30 * 60 * 1000)
/* The fetcher thread looks for work at least this often (ms). */
#define HG_MEDIA_POLL_MS		3000
/* Files removed by retention per run. */
#define HG_MEDIA_PRUNE_BATCH		200
/* A failed profile fetch that may pass (not a refusal) is tried again
 * after this long (ms); a refusal waits profile_refresh_days. */
#define HG_PROFILE_RETRY_MS		(60L * 60 * 1000)
/* A media item's path in the media directory: the directory and an id. */
#define HG_MEDIA_PATH_MAX		4096
/* A content type as stored. */
#define HG_MEDIA_TYPE_MAX		100

/* A retry schedule (retry_schedule): at most this many steps, each at
 * most 30 days; past its end an event is a dead letter. */
#define HG_SCHEDULE_STEPS_MAX		32
#define HG_SCHEDULE_STEP_MAX_S		(30 * 86400)
/* The most events one queue run claims (and processes in one
 * transaction) at once. */
#define HG_QUEUE_BATCH_MAX		256
/* A processing transaction is committed once it has run this long
 * (ms), so that a writer waiting for the lock (the webhook) waits at
 * most about this long plus one event's processing. */
#define HG_QUEUE_TXN_MS			50

/* Accounts (lib/core/password, lib/store/db_user, lib/web/session). */
/* Shortest password accepted: length is what makes a password hard to
 * guess; ten characters is NIST's floor raised by two. */
#define HG_PASSWORD_MIN			10
/* Longest password accepted: scrypt reads all of it, so a megabyte
 * would cost memory for nothing; passphrases fit in 256 bytes. */
#define HG_PASSWORD_MAX			256
/* A stored password hash: "scrypt$N$r$p$" + 22 + 43 base64url. */
#define HG_PASSWORD_HASH_MAX		128
/* Highest scrypt parameters a stored hash may name: 2^20 x r 16 is 2 GiB
 * of memory, beyond which a tampered row could exhaust the host. */
#define HG_SCRYPT_N_MAX			(1ULL << 20)
#define HG_SCRYPT_R_MAX			16
#define HG_SCRYPT_P_MAX			4
/* An e-mail address (RFC 5321's path limit) and a person's name. */
#define HG_EMAIL_MAX			254
#define HG_USER_NAME_MAX		100
/* A browser's User-Agent as kept with a session. */
#define HG_USER_AGENT_MAX		200
/* An API token's name. */
#define HG_TOKEN_NAME_MAX		100
/* Rows one listing of sessions, tokens, users or audit lines answers. */
#define HG_LIST_MAX			200
/* Failed sign-ins: the first HG_THROTTLE_FREE failures in a row cost
 * nothing, then each doubles the wait from HG_THROTTLE_BASE_MS up to
 * HG_THROTTLE_MAX_MS, so the real owner is never kept out for long. */
#define HG_THROTTLE_FREE		3
#define HG_THROTTLE_BASE_MS		1000
#define HG_THROTTLE_MAX_MS		(15 * 60 * 1000)
/* How long a setup or set-password link stays valid. */
#define HG_SETUP_TOKEN_S		3600
/* A workspace's name, as shown in the switcher. */
#define HG_WORKSPACE_NAME_MAX		100
/* A link the dashboard hands out (base_url, a page, a token): base_url
 * is a short origin; a kilobyte leaves room for a path prefix. */
#define HG_LINK_MAX			1024
/* Audit lines one page of GET /api/audit answers (JSON or CSV). */
#define HG_AUDIT_PAGE_MAX		HG_LIST_MAX
/* An IP address as text (INET6_ADDRSTRLEN is 46), with room to spare:
 * one item of trusted_proxies. */
#define HG_ADDR_MAX			64

/* Operations: stats.  An hour beyond any stored event's (unix ms /
 * 3600000, year 9999): "every hour" for the summaries' readers. */
#define HG_HOUR_MAX			70389528LL
/* Hours /api/stats charts: the last day, or the last week. */
#define HG_STATS_HOURS_DAY		24
#define HG_STATS_HOURS_WEEK		168
/* Pending longer than this is a problem the overview states. */
#define HG_STATS_PENDING_LATE_S		300

/* Operations on events (lib/store/db_ops.c, lib/web/api_events.c). */
/* Events one page of GET /api/events answers, and its default. */
#define HG_EVENT_PAGE_MAX		200
#define HG_EVENT_PAGE_DEFAULT		50
/* Events one requeue or replay may put back in the queue: a person
 * confirms the count, and the queue works through it in minutes. */
#define HG_REQUEUE_MAX			1000
/* The part of a body GET /api/events/ID shows as text; the exact bytes
 * are downloaded apart. */
#define HG_EVENT_BODY_SHOW		65536
/* A channel's name as given by hand. */
#define HG_CHANNEL_NAME_MAX		200
/* Times in the API (ms): up to 2^53, what a JSON number holds exactly. */
#define HG_TIME_MS_MAX			(1LL << 53)
/* Search text (q): the longest Meta id (a wamid is about 60 bytes). */
#define HG_EVENT_Q_MAX			256
/* The events list of a workspace that is not an operator's reads each
 * of its channels' newest events on their own index and merges them:
 * up to this many channels (each costing one short index read per
 * page); a workspace with more is read by id, visibility row by row. */
#define HG_EVENT_MERGE_CHANNELS		64
/* Channels one answer lists (/api/channels, /api/stats): a workspace's
 * accounts, connected by hand or by Login (at most HG_OAUTH_PAGES_MAX
 * a Login); ten Logins' worth, a few MB of JSON at most.  /health's
 * silence check reads every channel, without a cap. */
#define HG_CHANNELS_MAX			10000
/* Hourly counters (counter_hourly) are kept this long: /api/stats and
 * /health read the last 24 hours; a week and a day leaves room. */
#define HG_COUNTER_HOURS_KEEP		(8 * 24)
/* /api/stats keeps what the hours before the current one add up for
 * this long (ms), per process and scope, in this many entries: a past
 * hour changes only when an old event does, and a chart a few seconds
 * behind on those is harmless; the current hour and every total are
 * read for each request. */
#define HG_STATS_PAST_CACHE_MS		5000
#define HG_STATS_PAST_CACHE_ENTRIES	16
/* A channel token's level (GET /api/channels' token_level) by the time
 * left before it expires: critical within 3 days, warning within 7,
 * notice within 30 (a long-lived token lasts about 60 days). */
#define HG_TOKEN_CRITICAL_S		(3 * 86400LL)
#define HG_TOKEN_WARNING_S		(7 * 86400LL)
#define HG_TOKEN_NOTICE_S		(30 * 86400LL)
/* Connecting accounts (lib/web/oauth*.c).  A Login state lives as long
 * as Meta's own codes (10 minutes): longer than any person takes on the
 * dialog, short enough that a leaked one is soon useless. */
#define HG_OAUTH_STATE_TTL_S		600
/* A state as it travels: nonce, time, platform, session hash, MAC. */
#define HG_OAUTH_STATE_MAX		160
/* The picker's choices wait this long for the person to choose. */
#define HG_OAUTH_PICK_TTL_S		1800
/* A WhatsApp Embedded Signup's business token waits this long, sealed,
 * for the Channels page to post the signup's ids and the PIN (at once,
 * when the popup closes). */
#define HG_WA_SIGNUP_PICK_TTL_S		600
/* Pages one Login offers: HG_GRAPH_PAGES_MAX result pages of Meta's
 * largest page size would be more than any person manages. */
#define HG_OAUTH_PAGES_MAX		1000
/* A sealed picker payload: a Page costs well under 512 bytes. */
#define HG_OAUTH_PICK_MAX		(HG_OAUTH_PAGES_MAX * 512)
/* Meta's signed_request (deauthorize, data deletion): a signature and
 * a small JSON payload; Meta's are a few hundred bytes. */
#define HG_SIGNED_REQUEST_MAX		4096
/* The form body of those callbacks: the signed_request, encoded. */
#define HG_OAUTH_CALLBACK_BODY_MAX	(3 * HG_SIGNED_REQUEST_MAX + 64)
/* A code from the Login dialog (Meta's are a few hundred bytes). */
#define HG_OAUTH_CODE_MAX		2048
/* A data deletion's confirmation code: 16 random bytes, base64url. */
#define HG_DELETION_CODE_CHARS		22
/* A signed_request older than this is refused: Meta sends them at
 * once, and a captured one must not be played again later. */
#define HG_SIGNED_REQUEST_AGE_MAX_S	3600
/* ... and one from further in the future than this (clock skew). */
#define HG_SIGNED_REQUEST_SKEW_S	300
/* Erasing a person's raw events: ids read per scan (one short read
 * transaction over at most this many rows, never holding the write
 * lock), and events rewritten per write transaction, so that a
 * webhook waits at most for one small chunk. */
#define HG_ERASE_SCAN_IDS		2000
#define HG_ERASE_CHUNK			32
/* A redacted body: at most the largest stored body, re-printed. */
#define HG_ERASE_BODY_MAX		(HG_WEBHOOK_BODY_CEILING * 2)

/* An access token pasted into the WhatsApp form (Meta's are a few
 * hundred bytes). */
#define HG_ACCESS_TOKEN_MAX		4096
/* A WhatsApp number's two-step verification PIN: six digits. */
#define HG_WA_PIN_LEN			6

/* Most contacts (channels) one person's export covers. */
#define HG_CONTACT_EXPORT_MAX		1000
/* WhatsApp templates: the most {{n}} parameters a body may have, the
 * most templates a number's cache keeps, and the default seconds a
 * fetched list is used before it is fetched again (template_ttl_s). */
#define HG_TEMPLATE_PARAMS_MAX		100
/* A template placeholder's name, braces included: bytes. */
#define HG_TEMPLATE_KEY_MAX		64
#define HG_TEMPLATES_MAX		2000
#define HG_TEMPLATE_TTL_S		3600

/* Token and subscription checks (lib/pipeline/tokens.c,
 * cron/token-refresh).  Each token is checked once a day at a time of
 * day of its own, a troubled one every hour. */
#define HG_TOKEN_CHECK_EVERY_S		86400
#define HG_TOKEN_CHECK_TROUBLED_S	3600
/* Facebook Login user tokens are exchanged again within this of their
 * expiry; Instagram Login tokens refreshed when fewer than this remain
 * (Meta: at least 24 h old, not expired). */
#define HG_TOKEN_EXCHANGE_S		(7 * 86400LL)
#define HG_TOKEN_IG_REFRESH_S		(15 * 86400LL)
#define HG_TOKEN_IG_MIN_AGE_S		86400
/* Tokens a run takes from the database at once (memory stays flat in
 * the number of channels), and the most Graph calls in flight. */
#define HG_TOKEN_BATCH			256
#define HG_TOKEN_PARALLEL_MAX		128
/* Usage at or above this (Meta's percentages) slows a run down. */
#define HG_TOKEN_USAGE_SLOW_PCT		90
/* Silence: a channel that usually receives events is flagged after 3x
 * its longest gap of the last 14 days, at least 6 h; "usually": at
 * least this many events in those days. */
#define HG_SILENCE_WINDOW_S		(14 * 86400LL)
#define HG_SILENCE_FACTOR		3
#define HG_SILENCE_MIN_S		(6 * 3600LL)
#define HG_SILENCE_MIN_EVENTS		10
/* token_log keeps 90 days; a run prunes at most this many steps of
 * HG_PRUNE_BATCH lines. */
#define HG_TOKEN_LOG_KEEP_S		(90 * 86400LL)
#define HG_TOKEN_LOG_PRUNE_STEPS	20
/* A level that stays bad is told again after this. */
#define HG_ALERT_REPEAT_S		86400
/* A run sends one alert for all its changes, naming at most this many
 * (the rest: a count). */
#define HG_ALERT_LINES			20
/* An alert's text, and how long sendmail and the alert URL may take. */
#define HG_ALERT_TEXT_MAX		2048
#define HG_ALERT_TIMEOUT_S		10

/* Meta's events in full (lib/meta/events.c). */
/* A WhatsApp business-scoped user id (Meta: up to 256 characters). */
#define HG_WA_USER_ID_MAX		256
/* Integer literals of at least this many digits reach the parser as
 * strings: a double keeps 15 to 17 digits, and ids need all of them. */
#define HG_JSON_BIG_INT_DIGITS		16
/* A channel's page shows its latest account events, at most this many. */
#define HG_NOTICES_SHOWN		20

/* Forwarding to the business's own endpoints (lib/pipeline/forward.c).
 * A destination's description, and its lists of event types, channel
 * ids and platforms as JSON text: a few dozen items at most. */
#define HG_FWD_DESC_MAX			256
#define HG_FWD_LIST_MAX			2048
/* Custom headers of a destination: a few API keys of theirs. */
#define HG_FWD_HEADERS_MAX		8
#define HG_FWD_HEADER_NAME_MAX		64
#define HG_FWD_HEADER_VALUE_MAX		1024
/* One attempt may take 15 s (the receivers' contract); connecting 5 s. */
#define HG_FWD_TIMEOUT_MS		15000
#define HG_FWD_CONNECT_MS		5000
/* The answer's first bytes kept for the attempt log; reading stops
 * past HG_FWD_RESPONSE_READ_MAX (a receiver cannot fill our memory). */
#define HG_FWD_RESPONSE_KEEP		512
#define HG_FWD_RESPONSE_READ_MAX	(64 * 1024)
/* An event body built for a delivery (raw Meta batches included). */
#define HG_FWD_BODY_MAX			(8L * 1024 * 1024)
/* Destinations delivered to at once by one worker (one request in
 * flight each). */
#define HG_FWD_PARALLEL_MAX		64
/* A destination whose last attempt took HG_FWD_SLOW_MS or more is slow;
 * slow ones hold at most HG_FWD_PARALLEL_MAX - HG_FWD_FAST_RESERVE of
 * those places, so that however many endpoints hang, the others keep
 * going. */
#define HG_FWD_SLOW_MS			1000
#define HG_FWD_FAST_RESERVE		16
/* The default schedule (Svix's): delays after each failed attempt, in
 * seconds, each +-HG_FWD_JITTER_PCT; past the last, a dead letter. */
#define HG_FWD_SCHEDULE_DEFAULT		"5,300,1800,7200,18000,36000,36000"
#define HG_FWD_JITTER_PCT		20
/* Retry-After is honoured up to a day. */
#define HG_FWD_RETRY_AFTER_MAX_S	86400
/* A destination failing without a success for this long is disabled. */
#define HG_FWD_DISABLE_AFTER_MS		(5 * 86400000LL)
/* A page of deliveries in the API, and a replay's most events. */
#define HG_FWD_PAGE_MAX			200
#define HG_FWD_REPLAY_MAX		100000
/* Automation (lib/pipeline/rules.c, automation.c, bot.c; lib/core/tz.c).
 * A zone name ("America/Argentina/Buenos_Aires" is 30) and its TZif
 * file (the largest of tzdata is under 4 KiB). */
#define HG_TZ_NAME_MAX			64
#define HG_TZ_FILE_MAX			(64 * 1024)
/* A TZif footer (a POSIX TZ string; tzdata's longest is under 40
 * bytes), the hours of its rule times (RFC 8536 allows -167 to 167),
 * and the times it is asked about (10,000 years either side of 1970:
 * its date arithmetic stays far from overflow). */
#define HG_TZ_FOOTER_MAX		255
#define HG_TZ_RULE_HOURS_MAX		167
#define HG_TZ_SPAN_S			(10000LL * 366 * 86400)
/* Rules of a workspace, and one rule's JSON: a page of rules is read
 * for every inbound message; more than this is a mistake. */
#define HG_RULES_MAX			200
#define HG_RULE_BODY_MAX		(16 * 1024)
#define HG_RULE_NAME_MAX		100
/* Keywords of a rule, a keyword's and a pattern's bytes, a reply's text
 * (Messenger's 2000 characters), a rule's actions. */
#define HG_RULE_KEYWORDS_MAX		50
#define HG_RULE_KEYWORD_MAX		100
#define HG_RULE_PATTERN_MAX		256
/* A rule pattern's bounded repeats {m,n}: how many, and the largest
 * count (nested ones multiply what regcomp builds). */
#define HG_RULE_REPEATS_MAX		4
#define HG_RULE_REPEAT_MAX		10
#define HG_RULE_TEXT_MAX		2000
#define HG_RULE_ACTIONS_MAX		10
/* The text automation looks at: a message's first bytes. */
#define HG_AUTO_TEXT_MAX		4096
/* Loop protection: automatic replies per conversation in an hour. */
#define HG_AUTO_REPLIES_PER_HOUR	5
/* "No reply for N minutes": messages looked at per pass, and how far
 * back (a week: the longest wait a rule may name). */
#define HG_AUTO_WAIT_BATCH		50
#define HG_AUTO_WAIT_WINDOW_MS		(8 * 86400000LL)
/* Escalation phrases of a workspace (all languages together). */
#define HG_HANDOVER_PHRASES_MAX		100
/* Unhelped messages in a row before a person is called (default). */
#define HG_AUTO_FAILURES_DEFAULT	3
/* The typical wait: escalations of the last 7 days, at most 200. */
#define HG_WAIT_WINDOW_MS		(7 * 86400000LL)
#define HG_WAIT_SAMPLES			200
/* The bot: a call's timeout (default; settable 500 ms to 10 s), tries
 * before "bot unavailable", the pause between them, the messages of
 * history sent, the answer's size, a worker's claim and its poll. */
#define HG_BOT_TIMEOUT_MS		3000
#define HG_BOT_TIMEOUT_MAX_MS		10000
#define HG_BOT_ATTEMPTS			2
#define HG_BOT_RETRY_MS			1000
#define HG_BOT_HISTORY			10
#define HG_BOT_ANSWER_MAX		(64 * 1024)
#define HG_BOT_LEASE_MS			30000
#define HG_BOT_POLL_MS			1000
#define HG_BOT_SECRET_MAX		256
/* Groups of people in a workspace (a team such as "Billing"): how
 * many, a name's bytes, the user ids one request may name. */
#define HG_GROUPS_MAX			100
#define HG_GROUP_NAME_MAX		60
#define HG_GROUP_MEMBERS_MAX		500

#endif
