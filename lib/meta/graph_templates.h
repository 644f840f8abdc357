/*
 * graph_templates: a WhatsApp business account's message templates
 * (GET /<WABA-id>/message_templates, every page of Meta's cursors)
 * and what a template's components ask of a send.
 */
#ifndef HG_GRAPH_TEMPLATES_H
#define HG_GRAPH_TEMPLATES_H

#include <cjson/cJSON.h>

#include "graph.h"

struct buf;

/* Call each(arg, template) for every template of WhatsApp business
 * account waba, read with the number's token (Bearer), page after page
 * (at most HG_GRAPH_PAGES_MAX); each returning -1 stops.  0, or -1 with
 * res saying why. */
int	 graph_templates_fetch(struct graph *, const char *waba,
	    const char *token, int (*each)(void *, const cJSON *), void *arg,
	    struct graph_result *res);
/* The parameters a template's BODY text asks for: the highest n of its
 * {{n}} placeholders (0: none). */
int	 graph_template_params(const cJSON *components);
/* The parameters a send's components give the body: the length of the
 * "parameters" array of its component of type "body" (0: none). */
int	 graph_template_given(const cJSON *components);
/* The text a send of a template shows: the template's BODY text (from
 * its components as Meta lists them) with each {{n}} or {{name}} that
 * the send's components give replaced, appended to out; 0, or -1 when
 * the template has no body text or out is full. */
int	 graph_template_text(const cJSON *components, const cJSON *given,
	    struct buf *out);

#endif
