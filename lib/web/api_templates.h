/*
 * api_templates: a WhatsApp number's message templates, as the reply
 * box's picker and API clients read them (api_templates.c):
 *
 *   GET /api/channels/ID/templates[?refresh=1]   agent, within the
 *       workspace (another's channel is 404): 200 {templates: [{name,
 *       language, category, status, components, params}], fetched_at
 *       (ms), stale?}.  Listed from the database; fetched from Meta
 *       (GET /<WABA-id>/message_templates, every page, with the
 *       number's token) when never fetched, older than template_ttl_s,
 *       or on refresh=1 (admins; 403 for agents).  A failed fetch with
 *       a list stored answers that list with stale: true and the
 *       reason in warning; without one, 502 with Meta's words (409
 *       when the channel has no token).  422 for a channel that is not
 *       a WhatsApp number.  Only APPROVED templates can be sent.
 */
#ifndef HG_API_TEMPLATES_H
#define HG_API_TEMPLATES_H

#include "route.h"

struct conf;

/* The program's configuration (graph, token_key, template_ttl_s);
 * once, before serving. */
void	 api_templates_setup(const struct conf *);

enum { TEMPLATES_F_REFRESH, TEMPLATES_F__MAX };
extern const struct route_field api_templates_fields[TEMPLATES_F__MAX];

/* GET /api/channels/ID/templates. */
void	 api_templates_get(struct req *, const struct route_ctx *);

#endif
