/*
 * app: what every program does first: load the configuration, set up
 * logging, and keep a per-thread database connection.
 */
#ifndef HG_APP_H
#define HG_APP_H

#include <stddef.h>

struct conf;
struct db;
struct graph;

/* Load the configuration and start logging as prog.  On a
 * configuration error returns NULL, logs the message, and copies it to
 * err; the program should still answer requests (with 503). */
struct conf	*app_init(const char *prog, char *err, size_t errsz);
/* The calling thread's database connection to c, opened on first use
 * (and again after a failure); NULL when it cannot be opened. */
struct db	*app_db(const struct conf *c);
/* Close the calling thread's connection. */
void		 app_db_close(void);
/* app_db_close as an http_server's worker_free (ctx unused). */
void		 app_worker_free(void *ctx);
/* Take the exclusive lock named name beside the database (a file
 * "<db_path>.<name>.lock", flock'd) without waiting: the descriptor
 * (held until exit), -2 when another process holds it, -1 on error. */
int		 app_lock(const struct conf *c, const char *name);
/* Count g's calls by class in the counter table ("graph.<class>", which
 * /metrics shows; a database error is logged, not returned), then
 * free g.  d and g may be NULL. */
void		 app_graph_free(struct db *d, struct graph *g);

#endif
