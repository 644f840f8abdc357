/*
 * route: dispatch by path and method.  See route.h.
 */
#include <string.h>

#include "json.h"
#include "route.h"

static int
route_is_api(const struct req *r)
{
	return strncmp(r->path, "/api", 4) == 0 &&
	    (r->path[4] == '\0' || r->path[4] == '/');
}

void
route_error(struct req *r, int status, const char *msg)
{
	if (route_is_api(r))
		json_error(r, status, msg);
	else
		http_text(r, status, msg);
}

static int
route_match(const struct route *rt, const char *path)
{
	size_t n = strlen(rt->path);

	if (strncmp(rt->path, path, n) != 0)
		return 0;
	if (path[n] == '\0')
		return 1;
	return (rt->flags & ROUTE_PREFIX) && path[n] == '/';
}

const struct route *
route_dispatch(struct req *r, const struct route *tab, size_t n)
{
	const struct route	*found = NULL;
	unsigned		 allow = 0;
	char			 hdr[128];
	size_t			 i;
	int			 m;

	for (i = 0; i < n; i++) {
		if (!route_match(&tab[i], r->path))
			continue;
		allow |= tab[i].methods;
		if ((tab[i].methods & HTTP_BIT(r->method)) ||
		    (r->method == HTTP_HEAD &&
		    (tab[i].methods & HTTP_BIT(HTTP_GET)))) {
			found = &tab[i];
			break;
		}
	}
	if (found == NULL && allow == 0) {
		route_error(r, 404, "not found");
		return NULL;
	}
	if (found == NULL) {
		if (allow & HTTP_BIT(HTTP_GET))
			allow |= HTTP_BIT(HTTP_HEAD);
		hdr[0] = '\0';
		for (m = 0; m < HTTP_OTHER; m++) {
			if (!(allow & HTTP_BIT(m)))
				continue;
			if (hdr[0] != '\0')
				strncat(hdr, ", ", sizeof(hdr) - strlen(hdr) - 1);
			strncat(hdr, http_method_names[m],
			    sizeof(hdr) - strlen(hdr) - 1);
		}
		route_error(r, 405, "method not allowed");
		http_add_header(r, "Allow", hdr);
		return NULL;
	}
	if (r->bad_query) {
		route_error(r, 400, "invalid query string");
		return NULL;
	}
	found->handler(r);
	return found;
}
