/*
 * graph_templates: WhatsApp message templates.  See graph_templates.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
