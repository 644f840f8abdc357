/*
 * graph_templates: WhatsApp message templates.  See graph_templates.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "graph_templates.h"
#include "limits.h"

#define TEMPLATE_FIELDS	"name,status,category,language,components"

int
graph_templates_fetch(struct graph *g, const char *waba, const char *token,
    int (*each)(void *, const cJSON *), void *arg, struct graph_result *res)
{
	const cJSON	*data, *t, *paging, *after;
	char		 cursor[1024], limit[16], path[HG_META_ID_MAX + 32];
	size_t		 round;
	struct graph_param p[] = {
		{ "fields", TEMPLATE_FIELDS },
		{ "limit", limit },
		{ "after", NULL },
		{ NULL, NULL }
	};

	memset(res, 0, sizeof(*res));
	snprintf(limit, sizeof(limit), "%d", HG_GRAPH_PAGE_LIMIT);
	snprintf(path, sizeof(path), "/%.*s/message_templates",
	    HG_META_ID_MAX, waba);
	cursor[0] = '\0';
	for (round = 0; ; round++) {
		if (round == HG_GRAPH_PAGES_MAX) {
			graph_result_free(res);
			graph_result_local(res, GRAPH_PERMANENT,
			    GRAPH_REASON_LIMIT, "more than %d result pages",
			    HG_GRAPH_PAGES_MAX);
			return -1;
		}
		if (round > 0)
			graph_result_free(res);
		p[2].value = cursor[0] != '\0' ? cursor : NULL;
		if (graph_call(g, GRAPH_GET, path, p, NULL, GRAPH_AUTH_BEARER,
		    token, res) == -1)
			return -1;
		data = cJSON_GetObjectItemCaseSensitive(res->json, "data");
		if (!cJSON_IsArray(data))
			data = NULL;
		cJSON_ArrayForEach(t, data) {
			if (cJSON_IsObject(t) && each(arg, t) == -1) {
				graph_result_free(res);
				graph_result_local(res, GRAPH_PERMANENT,
				    GRAPH_REASON_OTHER, "stopped by the caller");
				return -1;
			}
		}
		paging = cJSON_GetObjectItemCaseSensitive(res->json, "paging");
		after = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(paging, "cursors"), "after");
		if (cJSON_GetObjectItemCaseSensitive(paging, "next") == NULL ||
		    !cJSON_IsString(after) || after->valuestring[0] == '\0')
			return 0;
		if (strlen(after->valuestring) >= sizeof(cursor) ||
		    strcmp(after->valuestring, cursor) == 0) {
			graph_result_free(res);
			graph_result_local(res, GRAPH_PERMANENT,
			    GRAPH_REASON_OTHER, "unusable paging cursor");
			return -1;
		}
		snprintf(cursor, sizeof(cursor), "%s", after->valuestring);
	}
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
