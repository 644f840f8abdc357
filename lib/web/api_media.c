/*
 * api_media: serving stored media and describing it.  See api_media.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "api_media.h"
#include "app.h"
#include "buf.h"
#include "conf.h"
#include "db.h"
#include "db_media.h"
#include "http.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "media.h"
#include "num.h"
#include "route.h"

#define MEDIA_PATH	"/api/media/"
/* A file name offered for download: characters kept. */
#define MEDIA_NAME_MAX	100

static const struct conf *media_conf;

void
api_media_setup(const struct conf *c)
{
	media_conf = c;
}

/* 404 with the item's state (or none), as JSON. */
static void
not_there(struct req *r, const char *state)
{
	cJSON *o = cJSON_CreateObject(), *e;

	e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddNumberToObject(e, "status", 404);
	cJSON_AddStringToObject(e, "message", state != NULL ?
	    "media not available" : "not found");
	if (state != NULL)
		cJSON_AddStringToObject(o, "state", state);
	http_json(r, 404, o);
}

/* A safe file name from name (or media-ID) into out: only
 * [A-Za-z0-9._-], no leading dot. */
static void
safe_name(const char *name, long long id, char *out, size_t outsz)
{
	size_t	 i, n = 0;

	for (i = 0; name[i] != '\0' && n + 1 < outsz && n < MEDIA_NAME_MAX;
	    i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '_'))
			c = '_';
		if (n == 0 && c == '.')
			c = '_';
		out[n++] = c;
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, outsz, "media-%lld", id);
}

void
api_media_get(struct req *r, const struct route_ctx *cx)
{
	struct db_media_row	 m;
	struct db		*d;
	struct stat		 sb;
	char			 dir[HG_MEDIA_PATH_MAX], path[HG_MEDIA_PATH_MAX + 32];
	char			 name[MEDIA_NAME_MAX + 1], disp[MEDIA_NAME_MAX + 40];
	char			*p;
	long long		 id;
	size_t			 got = 0;
	ssize_t			 n;
	int			 fd, rc;

	if (strncmp(r->path, MEDIA_PATH, strlen(MEDIA_PATH)) != 0 ||
	    num_parse_str(r->path + strlen(MEDIA_PATH), 1, 1LL << 53,
	    &id) == -1) {
		not_there(r, NULL);
		return;
	}
	if (media_conf == NULL || (d = app_db(media_conf)) == NULL) {
		route_error(r, 503, "the database is not available");
		return;
	}
	if ((rc = db_media_get(d, cx->who.workspace, id, &m)) != 1) {
		if (rc == 0)
			not_there(r, NULL);
		else
			route_error(r, 503, "cannot read the media now");
		return;
	}
	if (m.state != MEDIA_READY) {
		not_there(r, media_state_names[m.state]);
		return;
	}
	if (media_dir_path(media_conf, dir, sizeof(dir)) == -1) {
		route_error(r, 503, "media_dir is too long");
		return;
	}
	snprintf(path, sizeof(path), "%s/%lld", dir, id);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		/* Pruned or lost: as if expired. */
		not_there(r, media_state_names[MEDIA_UNAVAILABLE]);
		return;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > HG_MEDIA_MAX_BYTES_CEILING) {
		close(fd);
		not_there(r, media_state_names[MEDIA_UNAVAILABLE]);
		return;
	}
	buf_reset(&r->rbody);
	if ((size_t)sb.st_size + 1 > r->rbody.max)
		r->rbody.max = (size_t)sb.st_size + 1;
	if ((p = buf_reserve(&r->rbody, (size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		route_error(r, 503, "out of memory");
		return;
	}
	while (got < (size_t)sb.st_size) {
		n = read(fd, p + got, (size_t)sb.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)sb.st_size) {
		route_error(r, 503, "cannot read the media now");
		return;
	}
	buf_commit(&r->rbody, got);
	http_status(r, 200);
	http_add_header(r, "Content-Type", m.content_type[0] != '\0' ?
	    m.content_type : "application/octet-stream");
	if (media_type_inline(m.content_type))
		http_add_header(r, "Content-Disposition", "inline");
	else {
		safe_name(m.name, id, name, sizeof(name));
		snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
		http_add_header(r, "Content-Disposition", disp);
	}
	http_add_header(r, "Cache-Control", "private, max-age=3600");
	http_add_header(r, "Content-Security-Policy",
	    "default-src 'none'; sandbox");
}

/* ---- the inbox's JSON ----------------------------------------------- */

#define MEDIA_ATTS_MAX	32

struct att_media {
	long long		 id[MEDIA_ATTS_MAX];
	enum media_state	 state[MEDIA_ATTS_MAX];
	char			 ctype[MEDIA_ATTS_MAX][HG_MEDIA_TYPE_MAX];
};

/* One item of a message, kept by its position. */
static void
att_row(void *arg, long long id, int pos, enum media_state s,
    const char *ctype)
{
	struct att_media *a = arg;

	if (pos < 0 || pos >= MEDIA_ATTS_MAX)
		return;
	a->id[pos] = id;
	a->state[pos] = s;
	snprintf(a->ctype[pos], sizeof(a->ctype[pos]), "%s",
	    ctype != NULL ? ctype : "");
}

/* 1 when an attachment of type is one hubgate fetches. */
static int
fetchable(const char *type)
{
	static const char *const t[] = {
		"image", "video", "audio", "file", "document", "sticker", NULL
	};
	int i;

	for (i = 0; type != NULL && t[i] != NULL; i++)
		if (strcmp(type, t[i]) == 0)
			return 1;
	return 0;
}

void
api_media_attachments(struct db *d, long long message, int inbound,
    const char *atts, cJSON *msg)
{
	struct att_media	 a;
	const cJSON		*it;
	cJSON			*arr, *src, *o;
	const char		*type, *name;
	char			 url[64];
	int			 i = 0;

	if ((arr = cJSON_AddArrayToObject(msg, "attachments")) == NULL ||
	    atts == NULL || (src = cJSON_Parse(atts)) == NULL)
		return;
	if (!cJSON_IsArray(src)) {
		cJSON_Delete(src);
		return;
	}
	memset(&a, 0, sizeof(a));
	if (db_media_of_message(d, message, att_row, &a) == -1)
		log_msg(LOG_LEVEL_WARN, "media.list", db_errmsg(d));
	cJSON_ArrayForEach(it, src) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o))
			break;
		type = json_str(it, "type");
		name = json_str(it, "name");
		if (i < MEDIA_ATTS_MAX && a.id[i] > 0) {
			cJSON_AddNumberToObject(o, "id", (double)a.id[i]);
			snprintf(url, sizeof(url), MEDIA_PATH "%lld", a.id[i]);
		} else
			cJSON_AddNullToObject(o, "id");
		cJSON_AddStringToObject(o, "type", type == NULL ? "unknown" :
		    strcmp(type, "document") == 0 ? "file" : type);
		json_add_str_or_null(o, "name", name);
		/* A button or generic template hubgate sent: its subtitle
		 * and its buttons' titles, for the thread to show. */
		if (type != NULL && strcmp(type, "template") == 0) {
			const cJSON *bs = cJSON_GetObjectItemCaseSensitive(it,
			    "buttons"), *b;
			cJSON *labels = cJSON_AddArrayToObject(o, "buttons");

			json_add_str_or_null(o, "subtitle", json_str(it,
			    "subtitle"));
			cJSON_ArrayForEach(b, (labels != NULL ? bs : NULL))
				if (cJSON_IsString(b))
					cJSON_AddItemToArray(labels,
					    cJSON_CreateString(b->valuestring));
		}
		if (i < MEDIA_ATTS_MAX && a.id[i] > 0) {
			cJSON_AddStringToObject(o, "state",
			    media_state_names[a.state[i]]);
			json_add_str_or_null(o, "url", a.state[i] ==
			    MEDIA_READY ? url : NULL);
			json_add_str_or_null(o, "content_type",
			    a.ctype[i][0] != '\0' ? a.ctype[i] : NULL);
		} else {
			/* Never fetched: stored before media were, sent by
			 * hubgate, or not media at all (a location). */
			json_add_str_or_null(o, "state", inbound &&
			    fetchable(type) ? media_state_names[MEDIA_UNAVAILABLE] :
			    NULL);
			cJSON_AddNullToObject(o, "url");
			cJSON_AddNullToObject(o, "content_type");
		}
		i++;
	}
	cJSON_Delete(src);
}

void
api_media_picture(struct db *d, long long contact, cJSON *k)
{
	long long	 id = 0;
	char		 url[64];

	if (db_media_picture(d, contact, &id) == -1)
		log_msg(LOG_LEVEL_WARN, "media.picture", db_errmsg(d));
	if (id > 0) {
		snprintf(url, sizeof(url), MEDIA_PATH "%lld", id);
		cJSON_AddStringToObject(k, "picture", url);
	} else
		cJSON_AddNullToObject(k, "picture");
}
