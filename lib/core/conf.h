/*
 * conf: the configuration.  One "key = value" file (default
 * var/hubgate.conf, or the path in HUBGATE_CONFIG); blank lines and
 * lines starting with '#' are ignored.  There are no comments after a
 * value: a value with a '#' first or after a blank ("abc # note") is
 * refused, rather than read with the note in it or silently cut.  Every
 * key may be overridden by the environment variable HUBGATE_<KEY>
 * (upper case), whose value is taken as it is.  An unknown key, a
 * repeated key, a malformed line or a value of the wrong form (numbers,
 * choices, keys, URLs, the Graph version, retry_schedule) is an error
 * naming the file and line, or the variable.  Outside the sandbox
 * (sandbox = yes), an app_secret (each of the list) or verify_token
 * shorter than HG_CONF_SECRET_MIN characters is an error too.  Values
 * of secret keys are never printed by anything in hubgate.
 */
#ifndef HG_CONF_H
#define HG_CONF_H

#include <stddef.h>

#include "limits.h"

/* The default path, relative to the working directory. */
#define CONF_DEFAULT_PATH	"var/hubgate.conf"

struct conf;

/* Load path (NULL: $HUBGATE_CONFIG, else CONF_DEFAULT_PATH) and apply the
 * environment.  Returns NULL and a message in err on any error. */
struct conf	*conf_load(const char *path, char *err, size_t errsz);
/* Load from a string (tests); name is used in messages. */
struct conf	*conf_load_string(const char *text, const char *name,
		    char *err, size_t errsz);
void		 conf_free(struct conf *);
/* Parse a retry schedule, "1, 5, 30": at most HG_SCHEDULE_STEPS_MAX
 * delays in seconds, each 1 to HG_SCHEDULE_STEP_MAX_S, into out; the
 * number of steps, or -1 when s is not such a list. */
int		 conf_schedule_parse(const char *s,
		    long long out[HG_SCHEDULE_STEPS_MAX]);

/* The value of a known key (its default when unset); never NULL for a
 * known key, NULL for an unknown one. */
const char	*conf_get(const struct conf *, const char *key);
/* A numeric key, already range-checked at load time. */
long long	 conf_get_int(const struct conf *, const char *key);
/* A path key resolved against the configuration file's directory,
 * written into out; returns out, or NULL when it does not fit. */
char		*conf_path(const struct conf *, const char *key, char *out,
		    size_t outsz);
/* The n-th (from 0) comma-separated item of a list key, trimmed, into
 * out; 1 found, 0 past the end, -1 when it does not fit. */
int		 conf_list_item(const struct conf *, const char *key, size_t n,
		    char *out, size_t outsz);
/* 1 when a key is a secret (tests, and anything that prints config). */
int		 conf_is_secret(const char *key);
/* Human-readable warnings about the configuration (no secrets): call
 * with n = 0, 1, ... until it returns NULL. */
const char	*conf_warning(const struct conf *, size_t n);
/* Sandbox mode (sandbox = yes: the fake of Meta instead of a real app)
 * needs a sandbox app id: this prefix, then digits.  Meta's app ids are
 * digits only, so no real app can be configured in sandbox mode:
 * conf_load refuses sandbox = yes with any other app_id. */
#define CONF_SANDBOX_APP_ID_PREFIX	"sandbox-"
/* 1 when app_id is a sandbox app id, else 0. */
int		 conf_is_sandbox_app_id(const char *app_id);
/* Where the file was read from. */
const char	*conf_file(const struct conf *);

#endif
