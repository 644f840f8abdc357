/*
 * api_media: GET /api/media/{id}, the one way a stored media item
 * (lib/pipeline/media.h) reaches a browser: only to signed-in users
 * (session or API token) of the item's workspace, 404 for anyone else
 * and for an item not stored (with its state), never a redirect to
 * Meta.  Images (JPEG, PNG, GIF, WebP) are served inline, everything
 * else as an attachment with a safe file name; always with the stored
 * content type, X-Content-Type-Options: nosniff, Cache-Control:
 * private and a sandboxing Content-Security-Policy.
 *
 * And the media members of the inbox's JSON: a message's
 * "attachments" and a contact's "picture".
 */
#ifndef HG_API_MEDIA_H
#define HG_API_MEDIA_H

#include <cjson/cJSON.h>

#include "route.h"

struct conf;
struct db;

/* The configuration; once, before serving. */
void	 api_media_setup(const struct conf *);
/* GET /api/media/ID. */
void	 api_media_get(struct req *, const struct route_ctx *);

/* Add "attachments": [{id, type, name, state, url, content_type}] to
 * msg for the stored attachments JSON of message (NULL: an empty
 * array).  An inbound media attachment without an item (stored before
 * hubgate fetched media) is unavailable; an outbound one (sent by URL)
 * and one that is not media (a location) have state null. */
void	 api_media_attachments(struct db *, long long message, int inbound,
	    const char *attachments_json, cJSON *msg);
/* Add "picture": "/api/media/ID" (a ready profile picture) or null to
 * a conversation's contact object. */
void	 api_media_picture(struct db *, long long contact, cJSON *contact_obj);

#endif
