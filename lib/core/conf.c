/*
 * conf: key = value configuration with environment overrides.
 * See conf.h.  The table below is the configuration reference.
 */
#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "limits.h"
#include "num.h"

enum conf_type {
	CONF_STR,	/* any text */
	CONF_INT,	/* integer in [min, max] */
	CONF_ENUM,	/* one of a '|'-separated list */
	CONF_KEY,	/* empty, or 32 bytes as base64url */
	CONF_SECRET,	/* empty, or HG_CONF_SECRET_MIN characters or more
			 * outside the sandbox; checked once all is read */
	CONF_SECRETS,	/* a comma-separated list of CONF_SECRET */
	CONF_URL,	/* http:// or https://, a host, no blank */
	CONF_VERSION,	/* a Graph API version: v<digits>.<digits> */
	CONF_SCHEDULE,	/* retry delays in seconds: "1,5,30" (queue.h) */
	CONF_PATH,	/* a file name: not empty */
	CONF_ADDRS,	/* empty, or a comma-separated list of IPv4 or
			 * IPv6 addresses */
	CONF_TYPE__MAX
};

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	const char	*def;		/* default value */
	int		 secret;	/* never printed */
	long long	 min, max;	/* CONF_INT */
	const char	*choices;	/* CONF_ENUM */
};

/* The configuration reference: every key hubgate knows. */
static const struct conf_key conf_keys[] = {
	{ "app_id", CONF_STR, "", 0, 0, 0, NULL },
	{ "app_secret", CONF_SECRETS, "", 1, 0, 0, NULL },
	{ "verify_token", CONF_SECRET, "", 1, 0, 0, NULL },
	{ "graph_base_url", CONF_URL, "https://graph.facebook.com", 0, 0, 0, NULL },
	{ "graph_version", CONF_VERSION, "v24.0", 0, 0, 0, NULL },
	{ "base_url", CONF_URL, "http://127.0.0.1:8080", 0, 0, 0, NULL },
	{ "db_path", CONF_PATH, "hubgate.db", 0, 0, 0, NULL },
	{ "token_key", CONF_KEY, "", 1, 0, 0, NULL },
	{ "state_secret", CONF_STR, "", 1, 0, 0, NULL },
	{ "oauth_state_ttl_s", CONF_INT, HG_STR(HG_OAUTH_STATE_TTL_S), 0, 1, HG_OAUTH_STATE_TTL_S, NULL },
	{ "instagram_app_id", CONF_STR, "", 0, 0, 0, NULL },
	{ "instagram_app_secret", CONF_SECRET, "", 1, 0, 0, NULL },
	{ "whatsapp_config_id", CONF_STR, "", 0, 0, 0, NULL },
	{ "durability", CONF_ENUM, "full", 0, 0, 0, "full|normal" },
	{ "log_level", CONF_ENUM, "info", 0, 0, 0, "debug|info|warn|error" },
	{ "busy_timeout_ms", CONF_INT, "3000", 0, 1, 60000, NULL },
	{ "webhook_max_body", CONF_INT, HG_STR(HG_WEBHOOK_BODY_DEFAULT), 0, 1, HG_WEBHOOK_BODY_CEILING, NULL },
	{ "fcgi_threads", CONF_INT, "8", 0, 1, HG_THREADS_MAX, NULL },
	{ "sandbox", CONF_ENUM, "no", 0, 0, 0, "yes|no" },
	{ "graph_connect_timeout_ms", CONF_INT, "5000", 0, 100, 60000, NULL },
	{ "graph_timeout_ms", CONF_INT, "15000", 0, 100, 300000, NULL },
	{ "graph_max_response", CONF_INT, "1048576", 0, 1024, 64L * 1024 * 1024, NULL },
	{ "appsecret_proof", CONF_ENUM, "yes", 0, 0, 0, "yes|no" },
	{ "retry_schedule", CONF_SCHEDULE, "1,5,30,120,600,3600,21600", 0, 0, 0, NULL },
	{ "retention_days", CONF_INT, "30", 0, 1, 3650, NULL },
	{ "inline_budget_ms", CONF_INT, "200", 0, 0, 10000, NULL },
	{ "cron_budget_s", CONF_INT, "55", 0, 1, 3600, NULL },
	{ "queue_lease_s", CONF_INT, "60", 0, 1, 86400, NULL },
	{ "session_idle_s", CONF_INT, "43200", 0, 60, 30L * 86400, NULL },
	{ "session_max_s", CONF_INT, "2592000", 0, 60, 365L * 86400, NULL },
	{ "require_https", CONF_ENUM, "auto", 0, 0, 0, "auto|yes|no" },
	{ "trusted_proxies", CONF_ADDRS, "", 0, 0, 0, NULL },
	{ "audit_retention_days", CONF_INT, "365", 0, 1, 36500, NULL },
	{ "metrics_loopback", CONF_ENUM, "yes", 0, 0, 0, "yes|no" },
	{ "silent_after_s", CONF_INT, "86400", 0, 60, 365L * 86400, NULL },
	{ "outbox_lease_ms", CONF_INT, "60000", 0, 100, 3600000, NULL },
	{ "outbox_grace_s", CONF_INT, "120", 0, 0, 86400, NULL },
	{ "outbox_pair_spacing_ms", CONF_INT, "6000", 0, 0, 600000, NULL },
	{ "template_ttl_s", CONF_INT, "3600", 0, 0, 30L * 86400, NULL },
	{ "media_dir", CONF_STR, "", 0, 0, 0, NULL },
	{ "media_max_bytes", CONF_INT, HG_STR(HG_MEDIA_MAX_BYTES), 0, 1024, HG_MEDIA_MAX_BYTES_CEILING, NULL },
	{ "media_retention_days", CONF_INT, "90", 0, 1, 36500, NULL },
	{ "profile_refresh_days", CONF_INT, "30", 0, 1, 3650, NULL },
	/* Token checks and alerts (cron/token-refresh). */
	{ "token_check_parallel", CONF_INT, "16", 0, 1, HG_TOKEN_PARALLEL_MAX, NULL },
	{ "ig_refresh_days", CONF_INT, "15", 0, 1, 59, NULL },
	{ "silence_alert_hours", CONF_INT, "0", 0, 0, 8760, NULL },
	{ "alert_email", CONF_STR, "", 0, 0, 0, NULL },
	{ "alert_webhook", CONF_STR, "", 1, 0, 0, NULL },
	{ "sendmail_path", CONF_PATH, "/usr/sbin/sendmail", 0, 0, 0, NULL },
	{ "outbox_senders", CONF_INT, "128", 0, 1, 256, NULL },
	/* Forwarding to the business's endpoints (lib/pipeline/forward.c):
	 * the delays after each failed attempt (then a dead letter), how
	 * long events are kept for replay. */
	{ "forward_schedule", CONF_SCHEDULE, HG_FWD_SCHEDULE_DEFAULT, 0, 0, 0, NULL },
	{ "forward_retention_days", CONF_INT, "30", 0, 1, 3650, NULL },
};
#define CONF_NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

struct conf {
	char	*val[CONF_NKEYS];	/* NULL: default */
	size_t	 line[CONF_NKEYS];	/* where set in file; 0: not there */
	int	 env[CONF_NKEYS];	/* set by the environment */
	char	*file;
	char	*dir;			/* directory of file, for paths */
	char	*warn[8];
	size_t	 nwarn;
};

static int
conf_index(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < CONF_NKEYS; i++)
		if (strlen(conf_keys[i].name) == n &&
		    strncmp(conf_keys[i].name, name, n) == 0)
			return (int)i;
	return -1;
}

int
conf_is_secret(const char *key)
{
	int i = conf_index(key, strlen(key));

	return i >= 0 && conf_keys[i].secret;
}

/* 1 when v is http:// or https://, then a host, and no blank or
 * control byte anywhere. */
static int
conf_url_ok(const char *v)
{
	const char	*h;
	size_t		 i;

	if (strncmp(v, "https://", 8) == 0)
		h = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		h = v + 7;
	else
		return 0;
	if (*h == '\0' || *h == '/' || *h == ':')
		return 0;
	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f)
			return 0;
	return 1;
}

static int
is_blank(int ch)
{
	return ch == ' ' || ch == '\t';
}

/* 1 when v is empty or a comma-separated list of IPv4 or IPv6
 * addresses (blanks around the commas allowed, no empty item). */
static int
conf_addrs_ok(const char *v)
{
	unsigned char	 bin[16];
	char		 one[HG_ADDR_MAX];
	const char	*p = v, *e, *s;
	size_t		 len;

	while (is_blank(*p))
		p++;
	if (*p == '\0')
		return 1;
	for (;;) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		for (s = p; s < e && is_blank(*s); s++)
			;
		len = (size_t)(e - s);
		while (len > 0 && is_blank(s[len - 1]))
			len--;
		if (len == 0 || len >= sizeof(one))
			return 0;
		memcpy(one, s, len);
		one[len] = '\0';
		if (inet_pton(AF_INET, one, bin) != 1 &&
		    inet_pton(AF_INET6, one, bin) != 1)
			return 0;
		if (*e == '\0')
			return 1;
		p = e + 1;
	}
}

/* 1 when v is "v" digits "." digits (a Graph API version). */
static int
conf_version_ok(const char *v)
{
	size_t i = 1, d;

	if (v[0] != 'v')
		return 0;
	for (d = i; isdigit((unsigned char)v[i]); i++)
		;
	if (i == d || v[i++] != '.')
		return 0;
	for (d = i; isdigit((unsigned char)v[i]); i++)
		;
	return i > d && v[i] == '\0';
}

/* Check v against key k's type; NULL when fine, else what is wrong. */
static const char *
conf_check(const struct conf_key *k, const char *v)
{
	unsigned char	 key[CRYPTO_KEY_LEN];
	long long	 n, sched[HG_SCHEDULE_STEPS_MAX];
	const char	*p;
	size_t		 len = strlen(v);

	switch (k->type) {
	case CONF_URL:
		if (!conf_url_ok(v))
			return "not an http:// or https:// URL with a host";
		return NULL;
	case CONF_VERSION:
		if (!conf_version_ok(v))
			return "not a version like v24.0";
		return NULL;
	case CONF_SCHEDULE:
		if (conf_schedule_parse(v, sched) < 1)
			return "not a comma-separated list of delays in seconds "
			    "(1 to 2592000, at most 32)";
		return NULL;
	case CONF_ADDRS:
		if (!conf_addrs_ok(v))
			return "not a comma-separated list of IP addresses";
		return NULL;
	case CONF_PATH:
		if (len == 0)
			return "empty";
		return NULL;
	case CONF_INT:
		if (num_parse_str(v, k->min, k->max, &n) == -1)
			return "not a whole number in range";
		return NULL;
	case CONF_ENUM:
		for (p = k->choices; p != NULL; p = strchr(p, '|')) {
			if (*p == '|')
				p++;
			if (strchr(v, '|') == NULL && strncmp(p, v, len) == 0 &&
			    (p[len] == '|' || p[len] == '\0'))
				return NULL;
		}
		return "not one of the allowed values";
	case CONF_KEY:
		if (len == 0)
			return NULL;
		if (crypto_key_parse(v, key) == -1)
			return "not 32 bytes in base64url";
		crypto_wipe(key, sizeof(key));
		return NULL;
	default:
		return NULL;
	}
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < CONF_NKEYS; i++) {
		if (c->val[i] != NULL) {
			crypto_wipe(c->val[i], strlen(c->val[i]));
			free(c->val[i]);
		}
	}
	for (i = 0; i < c->nwarn; i++)
		free(c->warn[i]);
	free(c->file);
	free(c->dir);
	free(c);
}

/* Set key i to value (copied); 0 or -1. */
static int
conf_set(struct conf *c, size_t i, const char *v, size_t n)
{
	char *p;

	if ((p = strndup(v, n)) == NULL)
		return -1;
	if (c->val[i] != NULL) {
		crypto_wipe(c->val[i], strlen(c->val[i]));
		free(c->val[i]);
	}
	c->val[i] = p;
	return 0;
}

/* Parse the text into c; 0 or -1 with err. */
static int
conf_parse(struct conf *c, const char *text, const char *name, char *err,
    size_t errsz)
{
	const char	*line = text, *eol, *eq, *ks, *ke, *vs, *ve, *why, *p;
	unsigned char	 seen[CONF_NKEYS];
	size_t		 lineno = 0, len;
	int		 i;

	memset(seen, 0, sizeof(seen));
	while (*line != '\0') {
		lineno++;
		if ((eol = strchr(line, '\n')) == NULL)
			eol = line + strlen(line);
		len = (size_t)(eol - line);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (len > HG_CONF_LINE_MAX) {
			snprintf(err, errsz, "%s:%zu: line too long", name, lineno);
			return -1;
		}
		ks = line;
		while (ks < line + len && is_blank(*ks))
			ks++;
		if (ks == line + len || *ks == '#')
			goto next;
		if ((eq = memchr(ks, '=', (size_t)(line + len - ks))) == NULL) {
			snprintf(err, errsz, "%s:%zu: expected key = value",
			    name, lineno);
			return -1;
		}
		ke = eq;
		while (ke > ks && is_blank(ke[-1]))
			ke--;
		vs = eq + 1;
		while (vs < line + len && is_blank(*vs))
			vs++;
		ve = line + len;
		while (ve > vs && is_blank(ve[-1]))
			ve--;
		if (memchr(ks, '\0', (size_t)(ve - ks)) != NULL) {
			snprintf(err, errsz, "%s:%zu: NUL byte", name, lineno);
			return -1;
		}
		if ((i = conf_index(ks, (size_t)(ke - ks))) < 0) {
			snprintf(err, errsz, "%s:%zu: unknown key '%.*s'", name,
			    lineno, (int)((ke - ks) > 64 ? 64 : (ke - ks)), ks);
			return -1;
		}
		if (seen[i]) {
			snprintf(err, errsz, "%s:%zu: '%s' set twice", name,
			    lineno, conf_keys[i].name);
			return -1;
		}
		/* A '#' after a blank (or first) in a value would be a
		 * comment to a reader but part of the value to us: such a
		 * value is refused, never cut. */
		for (p = vs; p < ve; p++)
			if (*p == '#' && (p == vs || is_blank(p[-1])))
				break;
		if (p < ve) {
			snprintf(err, errsz, "%s:%zu: %s: '#' after a blank in "
			    "the value: comments go on a line of their own",
			    name, lineno, conf_keys[i].name);
			return -1;
		}
		seen[i] = 1;
		c->line[i] = lineno;
		if (conf_set(c, (size_t)i, vs, (size_t)(ve - vs)) == -1) {
			snprintf(err, errsz, "%s: out of memory", name);
			return -1;
		}
		if ((why = conf_check(&conf_keys[i], c->val[i])) != NULL) {
			snprintf(err, errsz, "%s:%zu: %s: %s", name, lineno,
			    conf_keys[i].name, why);
			return -1;
		}
next:
		line = *eol == '\n' ? eol + 1 : eol;
	}
	return 0;
}

/* Apply HUBGATE_<KEY> environment variables; 0 or -1 with err. */
static int
conf_env(struct conf *c, char *err, size_t errsz)
{
	char		 envname[64];
	const char	*v, *why;
	size_t		 i, j;

	for (i = 0; i < CONF_NKEYS; i++) {
		snprintf(envname, sizeof(envname), "HUBGATE_%s",
		    conf_keys[i].name);
		for (j = 8; envname[j] != '\0'; j++)
			envname[j] = (char)toupper((unsigned char)envname[j]);
		if ((v = getenv(envname)) == NULL)
			continue;
		if (strlen(v) > HG_CONF_LINE_MAX) {
			snprintf(err, errsz, "%s: too long", envname);
			return -1;
		}
		if (conf_set(c, i, v, strlen(v)) == -1) {
			snprintf(err, errsz, "%s: out of memory", envname);
			return -1;
		}
		c->env[i] = 1;
		if ((why = conf_check(&conf_keys[i], v)) != NULL) {
			snprintf(err, errsz, "%s: %s", envname, why);
			return -1;
		}
	}
	return 0;
}

/* Outside the sandbox, refuse a secret (or an item of a list of them)
 * shorter than HG_CONF_SECRET_MIN: a guessable verify_token or app
 * secret.  0, or -1 with err naming where the value was set. */
static int
conf_secrets_check(struct conf *c, const char *name, char *err, size_t errsz)
{
	char		 item[HG_CONF_LINE_MAX + 1];
	const char	*v;
	size_t		 i, j, len;
	int		 rc;

	if (strcmp(conf_get(c, "sandbox"), "yes") == 0)
		return 0;
	for (i = 0; i < CONF_NKEYS; i++) {
		if (conf_keys[i].type == CONF_SECRET) {
			v = conf_get(c, conf_keys[i].name);
			len = strlen(v);
			rc = len > 0 && len < HG_CONF_SECRET_MIN;
		} else if (conf_keys[i].type == CONF_SECRETS) {
			rc = 0;
			for (j = 0; !rc && conf_list_item(c, conf_keys[i].name,
			    j, item, sizeof(item)) == 1; j++)
				rc = strlen(item) < HG_CONF_SECRET_MIN;
			crypto_wipe(item, sizeof(item));
		} else
			continue;
		if (!rc)
			continue;
		if (c->env[i])
			snprintf(err, errsz, "HUBGATE_%s", conf_keys[i].name);
		else
			snprintf(err, errsz, "%s:%zu", name, c->line[i]);
		for (j = 0; c->env[i] && err[j] != '\0'; j++)
			err[j] = (char)toupper((unsigned char)err[j]);
		len = strlen(err);
		snprintf(err + len, errsz - len, ": %s: shorter than %d "
		    "characters (allowed only with sandbox = yes)",
		    conf_keys[i].name, HG_CONF_SECRET_MIN);
		return -1;
	}
	return 0;
}

static void
conf_warn(struct conf *c, const char *msg)
{
	if (c->nwarn < sizeof(c->warn) / sizeof(c->warn[0]))
		if ((c->warn[c->nwarn] = strdup(msg)) != NULL)
			c->nwarn++;
}

/* Note what an operator should know, without printing any secret. */
static void
conf_warnings_compute(struct conf *c)
{
	if (*conf_get(c, "app_secret") == '\0')
		conf_warn(c, "no app_secret configured: webhook events are refused");
	if (*conf_get(c, "verify_token") == '\0')
		conf_warn(c, "no verify_token configured: webhook verification is refused");
	if (*conf_get(c, "app_id") == '\0')
		conf_warn(c, "no app_id configured");
	if (*conf_get(c, "token_key") == '\0')
		conf_warn(c, "no token_key configured: tokens cannot be stored");
	if (*conf_get(c, "state_secret") == '\0')
		conf_warn(c, "no state_secret configured: Facebook Login is disabled");
	if (strcmp(conf_get(c, "durability"), "full") != 0)
		conf_warn(c, "durability is not full: a power loss may lose acknowledged events");
}

int
conf_is_sandbox_app_id(const char *app_id)
{
	size_t n = strlen(CONF_SANDBOX_APP_ID_PREFIX);

	if (strncmp(app_id, CONF_SANDBOX_APP_ID_PREFIX, n) != 0 ||
	    app_id[n] == '\0')
		return 0;
	return strspn(app_id + n, "0123456789") == strlen(app_id + n);
}

/* Sandbox mode only with a sandbox app id, whatever set either (file or
 * environment); 0, or -1 with err. */
static int
conf_sandbox_check(const struct conf *c, const char *name, char *err,
    size_t errsz)
{
	if (strcmp(conf_get(c, "sandbox"), "yes") != 0 ||
	    conf_is_sandbox_app_id(conf_get(c, "app_id")))
		return 0;
	snprintf(err, errsz, "%s: sandbox = yes needs a sandbox app_id "
	    "(%s<digits>); with a real Meta app set sandbox = no", name,
	    CONF_SANDBOX_APP_ID_PREFIX);
	return -1;
}

static struct conf *
conf_finish(struct conf *c, const char *text, const char *name, char *err,
    size_t errsz)
{
	const char *slash;

	if ((c->file = strdup(name)) == NULL)
		goto err;
	slash = strrchr(name, '/');
	c->dir = slash == NULL ? strdup(".") :
	    strndup(name, slash == name ? 1 : (size_t)(slash - name));
	if (c->dir == NULL)
		goto err;
	if (conf_parse(c, text, name, err, errsz) == -1)
		goto err;
	if (conf_env(c, err, errsz) == -1)
		goto err;
	if (conf_sandbox_check(c, name, err, errsz) == -1 ||
	    conf_secrets_check(c, name, err, errsz) == -1)
		goto err;
	conf_warnings_compute(c);
	return c;
err:
	if (err[0] == '\0')
		snprintf(err, errsz, "%s: out of memory", name);
	conf_free(c);
	return NULL;
}

struct conf *
conf_load_string(const char *text, const char *name, char *err, size_t errsz)
{
	struct conf *c;

	err[0] = '\0';
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	return conf_finish(c, text, name, err, errsz);
}

struct conf *
conf_load(const char *path, char *err, size_t errsz)
{
	struct conf	*c;
	FILE		*f;
	char		*text;
	size_t		 n;

	err[0] = '\0';
	if (path == NULL && (path = getenv("HUBGATE_CONFIG")) == NULL)
		path = CONF_DEFAULT_PATH;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((text = malloc(HG_CONF_FILE_MAX + 1)) == NULL) {
		fclose(f);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	n = fread(text, 1, HG_CONF_FILE_MAX + 1, f);
	if (ferror(f) || n > HG_CONF_FILE_MAX) {
		snprintf(err, errsz, "%s: %s", path, ferror(f) ?
		    "read error" : "file too large");
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	text[n] = '\0';
	if (strlen(text) != n) {
		snprintf(err, errsz, "%s: NUL byte in file", path);
		free(text);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		free(text);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	c = conf_finish(c, text, path, err, errsz);
	crypto_wipe(text, n);
	free(text);
	return c;
}

const char *
conf_get(const struct conf *c, const char *key)
{
	int i = conf_index(key, strlen(key));

	if (i < 0)
		return NULL;
	return c->val[i] != NULL ? c->val[i] : conf_keys[i].def;
}

long long
conf_get_int(const struct conf *c, const char *key)
{
	long long	 v = 0;
	const char	*s = conf_get(c, key);

	if (s != NULL && num_parse_str(s, LLONG_MIN, LLONG_MAX, &v) == -1)
		v = 0;
	return v;
}

char *
conf_path(const struct conf *c, const char *key, char *out, size_t outsz)
{
	const char	*v = conf_get(c, key);
	int		 n;

	if (v == NULL)
		return NULL;
	if (v[0] == '/')
		n = snprintf(out, outsz, "%s", v);
	else
		n = snprintf(out, outsz, "%s/%s", c->dir, v);
	return n < 0 || (size_t)n >= outsz ? NULL : out;
}

int
conf_list_item(const struct conf *c, const char *key, size_t n, char *out,
    size_t outsz)
{
	const char	*p = conf_get(c, key), *e, *s;
	size_t		 i = 0, len;

	if (p == NULL)
		return 0;
	for (;;) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		s = p;
		while (s < e && is_blank(*s))
			s++;
		len = (size_t)(e - s);
		while (len > 0 && is_blank(s[len - 1]))
			len--;
		if (len > 0) {
			if (i == n) {
				if (len + 1 > outsz)
					return -1;
				memcpy(out, s, len);
				out[len] = '\0';
				return 1;
			}
			i++;
		}
		if (*e == '\0')
			return 0;
		p = e + 1;
	}
}

const char *
conf_warning(const struct conf *c, size_t n)
{
	return n < c->nwarn ? c->warn[n] : NULL;
}

const char *
conf_file(const struct conf *c)
{
	return c->file;
}

int
conf_schedule_parse(const char *s, long long out[HG_SCHEDULE_STEPS_MAX])
{
	const char	*p = s, *e;
	int		 n = 0;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		for (e = p; *e != '\0' && *e != ',' && *e != ' '; e++)
			;
		if (n >= HG_SCHEDULE_STEPS_MAX || num_parse(p, (size_t)(e - p), 1,
		    HG_SCHEDULE_STEP_MAX_S,
		    &out[n]) == -1)
			return -1;
		n++;
		while (*e == ' ')
			e++;
		if (*e == ',') {
			e++;
			if (*e == '\0')
				return -1;
		} else if (*e != '\0')
			return -1;
		p = e;
	}
	return n;
}
