/*
 * graph_templates: WhatsApp message templates.  See graph_templates.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "graph_oauth.h"
#include "graph_templates.h"
#include "limits.h"

#define TEMPLATE_FIELDS	"name,status,category,language,components"

int
graph_templates_fetch(struct graph *g, const char *waba, const char *token,
    int (*each)(void *, const cJSON *), void *arg, struct graph_result *res)
{
	char path[HG_META_ID_MAX + 32];

	snprintf(path, sizeof(path), "/%.*s/message_templates",
	    HG_META_ID_MAX, waba);
	return graph_each_page(g, path, TEMPLATE_FIELDS, GRAPH_AUTH_BEARER,
	    token, each, arg, NULL, res);
}

/* The component of type (case-insensitive) in components, or NULL. */
static const cJSON *
component(const cJSON *components, const char *type)
{
	const cJSON	*c;
	const char	*t;

	if (!cJSON_IsArray(components))
		return NULL;
	cJSON_ArrayForEach(c, components) {
		t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c,
		    "type"));
		if (t != NULL && strcasecmp(t, type) == 0)
			return c;
	}
	return NULL;
}

int
graph_template_params(const cJSON *components)
{
	const char	*s, *p;
	char		*end;
	long		 n;
	int		 max = 0;

	s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    component(components, "BODY"), "text"));
	for (p = s; p != NULL && (p = strstr(p, "{{")) != NULL; p += 2) {
		if (p[2] < '0' || p[2] > '9')
			continue;
		n = strtol(p + 2, &end, 10);
		if (end != p + 2 && strncmp(end, "}}", 2) == 0 && n > max &&
		    n <= HG_TEMPLATE_PARAMS_MAX)
			max = (int)n;
	}
	return max;
}

int
graph_template_given(const cJSON *components)
{
	return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
	    component(components, "body"), "parameters"));
}

/* The text of parameter {{key}} (a number, or a name matched against
 * parameter_name) among a send's body parameters, or NULL. */
static const char *
param_text(const cJSON *params, const char *key, size_t keylen)
{
	const cJSON	*p;
	const char	*name, *t;
	char		*end;
	long		 n = -1;
	int		 i = 0;

	if (keylen > 0 && key[0] >= '0' && key[0] <= '9') {
		n = strtol(key, &end, 10);
		if (end != key + keylen)
			return NULL;
	}
	cJSON_ArrayForEach(p, params) {
		i++;
		name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p,
		    "parameter_name"));
		if (n < 0 && (name == NULL || strlen(name) != keylen ||
		    strncmp(name, key, keylen) != 0))
			continue;
		if (n >= 0 && i != n)
			continue;
		t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p,
		    "text"));
		return t;
	}
	return NULL;
}

int
graph_template_text(const cJSON *components, const cJSON *given,
    struct buf *out)
{
	const cJSON	*params;
	const char	*s, *p, *close, *t;

	s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    component(components, "BODY"), "text"));
	if (s == NULL)
		return -1;
	params = cJSON_GetObjectItemCaseSensitive(component(given, "body"),
	    "parameters");
	while ((p = strstr(s, "{{")) != NULL) {
		if (buf_add(out, s, (size_t)(p - s)) == -1)
			return -1;
		if ((close = strstr(p + 2, "}}")) == NULL ||
		    close - p > HG_TEMPLATE_KEY_MAX ||
		    (t = param_text(params, p + 2, (size_t)(close - p - 2))) ==
		    NULL) {
			/* Not a placeholder, or nothing given: as written. */
			if (buf_add(out, p, 2) == -1)
				return -1;
			s = p + 2;
			continue;
		}
		if (buf_puts(out, t) == -1)
			return -1;
		s = close + 2;
	}
	return buf_puts(out, s);
}
