/*
 * route: one table per program of paths, methods and handlers.  An
 * unknown path is 404, a known path with another method is 405 with an
 * Allow header, a query string that does not parse is 400; under /api
 * these answers are JSON, elsewhere plain text.
 */
#ifndef HG_ROUTE_H
#define HG_ROUTE_H

#include <stddef.h>

#include "http.h"

#define ROUTE_PREFIX	0x1	/* path matches itself and path + "/..." */

struct route {
	const char	*path;
	unsigned	 methods;	/* HTTP_BIT(HTTP_GET) | ... */
	unsigned	 flags;
	void		 (*handler)(struct req *);
};

/* Find the route for r and run it, or answer 400/404/405 itself.
 * Returns the handler's route, or NULL when none ran. */
const struct route *route_dispatch(struct req *, const struct route *,
		    size_t n);
/* Answer an error with status and message, as JSON under /api and as
 * text elsewhere. */
void		 route_error(struct req *, int status, const char *msg);

#endif
