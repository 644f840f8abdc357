/*
 * json: responses through cJSON, and small helpers for reading cJSON
 * trees defensively.
 */
#ifndef HG_JSON_H
#define HG_JSON_H

#include <cjson/cJSON.h>

#include "http.h"

/* Send root as the response body with status; takes ownership of root
 * (NULL means out of memory: 500). */
void	 json_send(struct req *, int status, cJSON *root);
/* Send {"error": msg} with status. */
void	 json_error(struct req *, int status, const char *msg);
/* The string member name of obj, or NULL when absent or not a string. */
const char *json_str(const cJSON *obj, const char *name);

#endif
