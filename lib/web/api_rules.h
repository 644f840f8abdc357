/*
 * api_rules: automation's API (api_rules.c), for admins of the
 * workspace; every change is audited.
 *
 *   GET    /api/rules            {rules: [{id, name, enabled, position,
 *                                channels, when, then, updated_at}]}
 *   POST   /api/rules            a rule (rules.h) [+ position] -> 201 it
 *   GET    /api/rules/ID         the rule, 404 when not the workspace's
 *   PUT    /api/rules/ID         replace it -> 200 it
 *   DELETE /api/rules/ID         -> 200 {id, deleted: true}
 *   POST   /api/rules/test       {text, channel_id?, payload?, kind?,
 *                                first_message?, at_ms?} -> what would
 *                                happen: {matches: [{id, name, then}],
 *                                escalation, stopped}; nothing is sent
 *   GET/PUT /api/settings/handover {enabled, phrases: [..] | {lang:
 *                                [..]}, notice, max_failures,
 *                                waiting_quick_replies}
 *   GET/PUT /api/settings/bot    {url, secret (write only: GET says
 *                                secret_set), confidence_threshold,
 *                                timeout_ms}; url "" turns the bot off
 *   GET/PUT /api/settings/hours  business hours {tz, week, holidays}
 *   GET/PUT /api/settings/availability  the caller's own {available}
 *                                (agents too): the escalation notice's
 *                                wait counts available people only
 *
 * A rule or setting that does not validate is 422 with the reason.
 */
#ifndef HG_API_RULES_H
#define HG_API_RULES_H

#include "route.h"

struct conf;

/* The program's configuration (token_key seals the bot's secret). */
void	 api_rules_setup(const struct conf *);

void	 api_rules_get(struct req *, const struct route_ctx *);
void	 api_rules_post(struct req *, const struct route_ctx *);
void	 api_rules_put(struct req *, const struct route_ctx *);
void	 api_rules_delete(struct req *, const struct route_ctx *);
/* GET and PUT /api/settings/availability (the caller's). */
void	 api_rules_availability(struct req *, const struct route_ctx *);
/* GET and PUT /api/settings/{handover,bot,hours}. */
void	 api_rules_settings(struct req *, const struct route_ctx *);

#endif
