/*
 * Every limit hubgate enforces, in one place, each with the reason for
 * its value.  Untrusted input is always measured against one of these.
 */
#ifndef HG_LIMITS_H
#define HG_LIMITS_H

/* Default cap on a webhook body: Meta batches up to 1000 updates; even
 * large ones stay well under this.  Configurable as webhook_max_body. */
#define HG_WEBHOOK_BODY_DEFAULT		(4L * 1024 * 1024)
/* Hard ceiling for webhook_max_body, so a typo cannot disable the cap. */
#define HG_WEBHOOK_BODY_CEILING		(64L * 1024 * 1024)
/* Bodies of forms and JSON API calls made by people, not Meta. */
#define HG_FORM_BODY_MAX		(64 * 1024)
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
/* Request-handling threads of one FastCGI process. */
#define HG_THREADS_MAX			256
/* Unread body bytes a CGI reads and discards before exiting, so that
 * servers passing one socket both ways do not reset the connection. */
#define HG_CGI_DRAIN_MAX		HG_WEBHOOK_BODY_CEILING
/* Events committed in one group transaction. */
#define HG_GROUP_MAX			512
/* Rejected-signature log lines per second per process, so a flood of
 * forged requests cannot fill the disk. */
#define HG_REJECT_LOG_PER_SEC		5

#endif
