/*
 * api_groups: groups of people in the workspace (api_groups.c), which a
 * rule may assign conversations to ({"assign": {"group": id or name}}).
 *
 *   GET    /api/groups        {groups: [{id, name, members: [user ids],
 *                             updated_at}], people: [{id, name,
 *                             available}]} (the workspace's members a
 *                             group may have); agents may read it
 *   POST   /api/groups        {name, members: [user ids]} -> 201 the
 *                             group (admins)
 *   PUT    /api/groups/ID     {name, members} replaces both -> 200 it
 *   DELETE /api/groups/ID     -> 200 {id, deleted: true}; its
 *                             conversations keep no group
 *
 * A name is 1 to HG_GROUP_NAME_MAX bytes, unique in the workspace
 * (409 when taken); members must be people of the workspace (422
 * otherwise).  Another workspace's group is 404.  Changes are audited.
 */
#ifndef HG_API_GROUPS_H
#define HG_API_GROUPS_H

#include "route.h"

struct conf;

void	 api_groups_setup(const struct conf *);
void	 api_groups(struct req *, const struct route_ctx *);

#endif
