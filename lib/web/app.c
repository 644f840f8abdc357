/*
 * app: program start-up shared by the CGI/FastCGI mains and the cron
 * binaries.  See app.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "app.h"
#include "conf.h"
#include "db.h"
#include "envelope.h"
#include "graph.h"
#include "json.h"
#include "log.h"

static __thread struct db *app_thread_db;

struct conf *
app_init(const char *prog, char *err, size_t errsz)
{
	struct conf	*c;
	int		 lvl;

	log_init(prog, LOG_LEVEL_INFO);
	json_init();
	db_set_event_time(envelope_sent_ms);
	if ((c = conf_load(NULL, err, errsz)) == NULL) {
		log_msg(LOG_LEVEL_ERROR, "config.error", err);
		return NULL;
	}
	if ((lvl = log_level_parse(conf_get(c, "log_level"))) >= 0)
		log_init(prog, (enum log_level)lvl);
	return c;
}

struct db *
app_db(const struct conf *c)
{
	char err[HG_ERR_MAX];

	if (app_thread_db == NULL &&
	    (app_thread_db = db_open(c, 0, err, sizeof(err))) == NULL)
		log_msg(LOG_LEVEL_ERROR, "db.open_failed", err);
	return app_thread_db;
}

void
app_db_close(void)
{
	db_close(app_thread_db);
	app_thread_db = NULL;
}

int
app_lock(const struct conf *c, const char *name)
{
	char	 db[4096], path[4200];
	int	 fd;

	if (conf_path(c, "db_path", db, sizeof(db)) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s.%s.lock", db, name);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return errno == EWOULDBLOCK ? -2 : -1;
	}
	return fd;
}

void
app_graph_free(struct db *d, struct graph *g)
{
	long long	 n[GRAPH_CLASS__MAX];
	char		 name[64];
	int		 i;

	if (g == NULL)
		return;
	graph_calls_take(g, n);
	for (i = 0; d != NULL && i < GRAPH_CLASS__MAX; i++) {
		if (n[i] == 0)
			continue;
		snprintf(name, sizeof(name), "graph.%s", graph_class_names[i]);
		if (db_counter_add(d, name, n[i]) == -1)
			log_msg(LOG_LEVEL_WARN, "graph.count", db_errmsg(d));
	}
	graph_free(g);
}

void
app_worker_free(void *ctx)
{
	(void)ctx;
	app_db_close();
}
