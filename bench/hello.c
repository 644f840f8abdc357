/*
 * hello: the benchmark's baseline, a trivial FastCGI program served by
 * the same server and the same request layer as hubgate's programs.
 */
#include <stddef.h>

#include "http.h"

static void
handle(struct req *r)
{
	http_text(r, 200, "hello");
}

int
main(void)
{
	struct http_server srv = { .prog = "hello", .threads = 8,
	    .handle = handle };

	return http_serve(&srv);
}
