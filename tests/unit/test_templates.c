/*
 * WhatsApp templates (lib/meta/graph_templates.c): the parameters a
 * template's body asks for and a send's components give; and the
 * cache of them (lib/store/db_thread.c): stored whole, replaced by the
 * next fetch, found by name and language.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "test.h"

#include "conf.h"
#include "db.h"
#include "db_int.h"
#include "buf.h"
#include "db_thread.h"
#include "graph_templates.h"

/* graph_template_params of the components JSON s. */
static int
params(const char *s)
{
	cJSON	*c = cJSON_Parse(s);
	int	 n = graph_template_params(c);

	cJSON_Delete(c);
	return n;
}

static int
given(const char *s)
{
	cJSON	*c = cJSON_Parse(s);
	int	 n = graph_template_given(c);

	cJSON_Delete(c);
	return n;
}

/* graph_template_text of the template's components t and the send's
 * g into out: its return. */
static int
text_of(const char *t, const char *g, char *out, size_t outsz)
{
	cJSON		*ct = cJSON_Parse(t), *cg = g != NULL ? cJSON_Parse(g) : NULL;
	struct buf	 b;
	int		 rc;

	buf_init(&b, 64);
	rc = graph_template_text(ct, cg, &b);
	snprintf(out, outsz, "%s", buf_cstr(&b));
	buf_free(&b);
	cJSON_Delete(ct);
	cJSON_Delete(cg);
	return rc;
}

static int	 listed;
static char	 seen[256];

static void
each(void *arg, const struct db_template *t)
{
	(void)arg;
	listed++;
	snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s/%s/%s/%d ",
	    t->name, t->language, t->status, t->params);
}

int
main(void)
{
	struct db_template	 t[3];
	struct conf		*c;
	struct db		*d;
	char			 dir[] = "/tmp/hg-templates.XXXXXX", text[256];
	char			 status[32], err[256];
	long long		 ms;
	int			 p;

	EQ_INT(params("[{\"type\":\"BODY\",\"text\":\"Hi {{1}}, order {{2}}\"}]"), 2,
	    "a body with {{1}} and {{2}}: 2 parameters");
	EQ_INT(params("[{\"type\":\"HEADER\",\"text\":\"{{1}}\"},{\"type\":\"BODY\",\"text\":\"Hello World\"}]"), 0,
	    "a body without placeholders: 0 (the header's do not count)");
	EQ_INT(params("[{\"type\":\"body\",\"text\":\"{{3}} {{1}} {{3}}\"}]"), 3,
	    "the highest n counts, repeated or not");
	EQ_INT(params("[{\"type\":\"BODY\",\"text\":\"{{x}} {{ 1}} {{1000}}\"}]"), 0,
	    "what is not {{n}} (or is above the limit) is no parameter");
	EQ_INT(params("{}"), 0, "no components: 0");
	EQ_INT(given("[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]}]"), 2,
	    "a send's body parameters are counted");
	EQ_INT(given("[{\"type\":\"header\",\"parameters\":[{\"type\":\"text\",\"text\":\"a\"}]}]"), 0,
	    "a header's parameters are not the body's");
	EQ_INT(given(NULL), 0, "no components given: 0");
	EQ_INT(text_of("[{\"type\":\"BODY\",\"text\":\"Hi {{1}}, order {{2}} ({{1}})\"}]",
	    "[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":\"Ana\"},{\"type\":\"text\",\"text\":\"A-17\"}]}]",
	    text, sizeof(text)), 0, "a template's text with its parameters");
	EQ_STR(text, "Hi Ana, order A-17 (Ana)", "... each {{n}} replaced, repeated ones too");
	text_of("[{\"type\":\"BODY\",\"text\":\"Dear {{name}}, {{x}} {{\"}]",
	    "[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"parameter_name\":\"name\",\"text\":\"Bo\"}]}]",
	    text, sizeof(text));
	EQ_STR(text, "Dear Bo, {{x}} {{", "named parameters by parameter_name; what is not given stays as written");
	text_of("[{\"type\":\"BODY\",\"text\":\"Hi {{1}}\"}]", NULL, text, sizeof(text));
	EQ_STR(text, "Hi {{1}}", "no parameters given: the text as written");
	EQ_INT(text_of("[{\"type\":\"HEADER\",\"text\":\"x\"}]", NULL, text, sizeof(text)), -1,
	    "no body text: -1");
	EQ_INT(text_of("[{\"type\":\"BODY\",\"text\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}]",
	    NULL, text, sizeof(text)), -1, "more than the buffer holds: -1");

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(text, sizeof(text), "db_path = %s/hubgate.db\n", dir);
	if ((c = conf_load_string(text, "t.conf", err, sizeof(err))) == NULL ||
	    (d = db_open(c, 0, err, sizeof(err))) == NULL) {
		OK(0, "the database opens");
		return test_done();
	}
	OK(sqlite3_exec(d->h, "INSERT OR IGNORE INTO workspace (id, name, "
	    "created_at) VALUES (1, 'W', 0); INSERT INTO channel (id, "
	    "workspace_id, kind, meta_id, name, created_at, updated_at) "
	    "VALUES (7, 1, 'whatsapp', '106540352242922', 'WA', 0, 0)", NULL,
	    NULL, NULL) == SQLITE_OK, "a number to keep templates of");
	EQ_INT(db_template_fetched(d, 7, &ms), 0, "never fetched");
	memset(t, 0, sizeof(t));
	t[0] = (struct db_template){ "order_update", "en_US", "APPROVED", "UTILITY", "[]", 2 };
	t[1] = (struct db_template){ "order_update", "es_ES", "APPROVED", "UTILITY", "[]", 2 };
	t[2] = (struct db_template){ "spring_sale", "en_US", "REJECTED", "MARKETING", NULL, 1 };
	EQ_INT(db_template_store(d, 7, t, 3, 1000), 0, "three templates stored");
	EQ_INT(db_template_fetched(d, 7, &ms), 1, "fetched");
	EQ_INT(ms, 1000, "... at that time");
	EQ_INT(db_template_list(d, 7, each, NULL), 0, "listed");
	EQ_STR(seen, "order_update/en_US/APPROVED/2 order_update/es_ES/APPROVED/2 spring_sale/en_US/REJECTED/1 ",
	    "by name and language");
	EQ_INT(db_template_find(d, 7, "order_update", "es_ES", status, sizeof(status), &p), 1, "found by name and language");
	EQ_STR(status, "APPROVED", "... its status");
	EQ_INT(p, 2, "... its parameters");
	EQ_INT(db_template_find(d, 7, "order_update", "de_DE", status, sizeof(status), &p), 0, "another language: unknown");
	EQ_INT(db_template_store(d, 7, t + 2, 1, 2000), 0, "the next fetch replaces the list");
	listed = 0;
	seen[0] = '\0';
	db_template_list(d, 7, each, NULL);
	EQ_INT(listed, 1, "... only what Meta listed then");
	db_template_fetched(d, 7, &ms);
	EQ_INT(ms, 2000, "... with the new time");
	db_close(d);
	conf_free(c);
	test_rm_db(dir, "hubgate.db");
	return test_done();
}
