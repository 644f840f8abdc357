/*
 * api_retention: a workspace's retention of what people take back
 * (api_retention.c): GET and PUT /api/settings/retention.
 */
#ifndef HG_API_RETENTION_H
#define HG_API_RETENTION_H

struct conf;
struct req;
struct route_ctx;

/* Keep c for the handler (the dashboard's configuration). */
void	 api_retention_setup(const struct conf *c);
/* GET /api/settings/retention: {"keep_deleted_text": bool}.  PUT the
 * same object (keys left out keep their value; another key or a value
 * not a boolean is 422): stored, audited (retention_settings), answered
 * as GET.  Admins of the workspace. */
void	 api_retention(struct req *, const struct route_ctx *);

#endif
