/*
 * graphtool: drive lib/graph from the command line, for
 * tests/integration/test_graph.sh (against the fake of Meta).  Prints
 * the result as key=value lines on standard output; lib/graph's log
 * lines go to standard error.
 *
 *   graphtool new
 *   graphtool get PATH TOKEN | reuse PATH TOKEN | app PATH
 *   graphtool code CODE REDIRECT_URI | exchange TOKEN | debug TOKEN
 *   graphtool pages TOKEN [FIELDS]
 *   graphtool sub get|post|delete ID TOKEN [FIELDS]
 *   graphtool text PAGE TOKEN PSID TEXT [MESSAGING_TYPE [TAG]]
 *   graphtool split PAGE TOKEN PSID TEXT
 *   graphtool qr PAGE TOKEN PSID N | buttons PAGE TOKEN PSID N
 *   graphtool generic PAGE TOKEN PSID N | attach PAGE TOKEN PSID URL
 *   graphtool action PAGE TOKEN PSID ACTION
 *   graphtool ig TOKEN IGSID TEXT
 *   graphtool wa-text PHONE TOKEN TO TEXT | wa-template PHONE TOKEN TO NAME
 *   graphtool wa-read PHONE TOKEN WAMID
 *   graphtool multi N PARALLEL TOKEN
 *
 * TEXT given as @FILE is read from FILE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "buf.h"
#include "conf.h"
#include "graph.h"
#include "graph_oauth.h"
#include "graph_send.h"
#include "num.h"

static struct buf textbuf;

static const char *
text_arg(const char *a)
{
	FILE	*f;
	char	 chunk[4096];
	size_t	 n;

	if (a[0] != '@' || (f = fopen(a + 1, "rb")) == NULL)
		return a;
	buf_init(&textbuf, 1 << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&textbuf, chunk, n);
	fclose(f);
	while (textbuf.len > 0 && textbuf.data[textbuf.len - 1] == '\n')
		textbuf.data[--textbuf.len] = '\0';
	return buf_cstr(&textbuf);
}

static long
num_arg(const char *a)
{
	long long n = 0;

	num_parse_str(a, 0, 1000000, &n);
	return (long)n;
}

static void
print(const struct graph_result *r)
{
	printf("class=%s\nreason=%s\nstatus=%d\ncode=%ld\nsubcode=%ld\n"
	    "delay=%ld\nlocal=%d\nusage=%d\nconns=%ld\nfbtrace=%s\nid=%s\n"
	    "user_msg=%s\nmsg=%s\n", graph_class_names[r->cls],
	    graph_reason_names[r->reason], r->http_status, r->code, r->subcode,
	    r->delay_s, r->local, r->usage_pct, r->connects, r->fbtrace_id,
	    r->id, r->user_msg, r->message);
}

static int
count_page(void *arg, const cJSON *p)
{
	size_t *c = arg;

	if (cJSON_GetObjectItemCaseSensitive(p, "instagram_business_account"))
		c[0]++;
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "access_token")))
		c[1]++;
	printf("page=%s\n", cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(p, "id")));
	return 0;
}

static int
run(struct graph *g, int argc, char **argv, struct graph_result *r)
{
	struct graph_message	 m;
	struct graph_token	 t;
	struct graph_token_info	 ti;
	struct graph_quick_reply qr[20];
	struct graph_button	 b[5];
	struct graph_element	 el[12];
	struct graph_req	 reqs[64];
	struct graph_param	 lim[] = { { "limit", "1" }, { NULL, NULL } };
	const char		*op = argv[1];
	size_t			 n, i, c[2] = { 0, 0 };
	enum graph_method	 meth;
	struct timespec		 t0, t1;

	memset(&m, 0, sizeof(m));
#define NEED(k) do { if (argc < (k)) return 2; } while (0)
	if (strcmp(op, "get") == 0 || strcmp(op, "reuse") == 0) {
		NEED(4);
		graph_call(g, GRAPH_GET, argv[2], NULL, NULL, GRAPH_AUTH_USER,
		    argv[3], r);
		if (strcmp(op, "reuse") == 0) {
			printf("conns1=%ld\n", r->connects);
			graph_result_free(r);
			graph_call(g, GRAPH_GET, argv[2], NULL, NULL,
			    GRAPH_AUTH_USER, argv[3], r);
			printf("conns2=%ld\n", r->connects);
		}
	} else if (strcmp(op, "app") == 0) {
		NEED(3);
		graph_call(g, GRAPH_GET, argv[2], NULL, NULL, GRAPH_AUTH_APP,
		    NULL, r);
	} else if (strcmp(op, "code") == 0 || strcmp(op, "exchange") == 0) {
		NEED(3);
		if ((strcmp(op, "code") == 0 ? (argc < 4 ? -1 : graph_oauth_code(
		    g, argv[2], argv[3], &t, r)) : graph_oauth_exchange(g,
		    argv[2], &t, r)) == 0) {
			printf("token=%s\nexpires_in=%lld\ntoken_type=%s\n",
			    t.access_token, t.expires_in, t.token_type);
			graph_oauth_token_free(&t);
		}
	} else if (strcmp(op, "debug") == 0) {
		NEED(3);
		if (graph_oauth_debug_token(g, argv[2], &ti, r) == 0)
			printf("valid=%d\ntype=%s\napp_id=%s\nuser_id=%s\n"
			    "profile_id=%s\nexpires_at=%lld\nscopes=%s\n"
			    "token_error=%ld/%ld\n", ti.is_valid, ti.type,
			    ti.app_id, ti.user_id, ti.profile_id, ti.expires_at,
			    ti.scopes, ti.error_code, ti.error_subcode);
	} else if (strcmp(op, "pages") == 0) {
		NEED(3);
		graph_oauth_pages(g, argv[2], argc > 3 ? argv[3] : NULL,
		    count_page, c, &n, r);
		printf("npages=%zu\nig=%zu\npage_tokens=%zu\n", n, c[0], c[1]);
	} else if (strcmp(op, "sub") == 0) {
		NEED(5);
		meth = strcmp(argv[2], "post") == 0 ? GRAPH_POST :
		    strcmp(argv[2], "delete") == 0 ? GRAPH_DELETE : GRAPH_GET;
		if (graph_oauth_subscribed_apps(g, meth, argv[3], argv[4],
		    argc > 5 ? argv[5] : NULL, r) == 0 && meth == GRAPH_GET) {
			char *s = cJSON_PrintUnformatted(r->json);
			printf("json=%s\n", s != NULL ? s : "");
			free(s);
		}
	} else if (strcmp(op, "text") == 0 || strcmp(op, "split") == 0) {
		NEED(6);
		m.kind = GRAPH_MSG_TEXT;
		m.text = text_arg(argv[5]);
		m.messaging_type = argc > 6 ? argv[6] : NULL;
		m.tag = argc > 7 ? argv[7] : NULL;
		if (strcmp(op, "split") == 0) {
			graph_send_messenger_split(g, argv[2], argv[3], argv[4],
			    &m, &n, r);
			printf("sent=%zu\n", n);
		} else
			graph_send_messenger(g, argv[2], argv[3], argv[4], &m, r);
	} else if (strcmp(op, "qr") == 0 || strcmp(op, "buttons") == 0 ||
	    strcmp(op, "generic") == 0) {
		NEED(6);
		n = (size_t)num_arg(argv[5]);
		if (n > 12)
			n = strcmp(op, "qr") == 0 && n <= 20 ? n : 12;
		for (i = 0; i < 20; i++) {
			qr[i].content_type = NULL;
			qr[i].title = "Yes please";
			qr[i].payload = "YES";
			qr[i].image_url = NULL;
		}
		for (i = 0; i < 5; i++) {
			b[i].type = i % 2 ? "postback" : "web_url";
			b[i].title = "Open";
			b[i].value = i % 2 ? "OPEN" : "https://example.com/";
		}
		for (i = 0; i < 12; i++) {
			el[i].title = "A bicycle";
			el[i].subtitle = "Blue";
			el[i].image_url = NULL;
			el[i].buttons = b;
			el[i].nbuttons = 2;
		}
		if (strcmp(op, "qr") == 0) {
			m.kind = GRAPH_MSG_TEXT;
			m.text = "Shall we?";
			m.quick_replies = qr;
			m.nquick_replies = n;
		} else if (strcmp(op, "buttons") == 0) {
			m.kind = GRAPH_MSG_BUTTONS;
			m.text = "What next?";
			m.buttons = b;
			m.nbuttons = n > 5 ? 5 : n;
		} else {
			m.kind = GRAPH_MSG_GENERIC;
			m.elements = el;
			m.nelements = n;
		}
		graph_send_messenger(g, argv[2], argv[3], argv[4], &m, r);
	} else if (strcmp(op, "attach") == 0) {
		NEED(6);
		m.kind = GRAPH_MSG_ATTACHMENT;
		m.attachment_type = "image";
		m.attachment_url = argv[5];
		graph_send_messenger(g, argv[2], argv[3], argv[4], &m, r);
	} else if (strcmp(op, "action") == 0) {
		NEED(6);
		graph_send_action(g, argv[2], argv[3], argv[4], argv[5], r);
	} else if (strcmp(op, "ig") == 0) {
		NEED(5);
		m.kind = GRAPH_MSG_TEXT;
		m.text = text_arg(argv[4]);
		graph_send_instagram(g, argv[2], argv[3], &m, r);
	} else if (strcmp(op, "wa-text") == 0) {
		NEED(6);
		graph_send_whatsapp_text(g, argv[2], argv[3], argv[4],
		    text_arg(argv[5]), 0, r);
	} else if (strcmp(op, "wa-template") == 0) {
		NEED(6);
		graph_send_whatsapp_template(g, argv[2], argv[3], argv[4],
		    argv[5], "en_US", NULL, r);
	} else if (strcmp(op, "wa-read") == 0) {
		NEED(5);
		graph_send_whatsapp_read(g, argv[2], argv[3], argv[4], r);
	} else if (strcmp(op, "multi") == 0) {
		NEED(5);
		n = (size_t)num_arg(argv[2]);
		if (n > 64)
			n = 64;
		memset(reqs, 0, sizeof(reqs));
		for (i = 0; i < n; i++) {
			reqs[i].method = GRAPH_GET;
			reqs[i].path = "/me/accounts";
			reqs[i].params = lim;
			reqs[i].auth = GRAPH_AUTH_USER;
			reqs[i].token = argv[4];
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (graph_multi(g, reqs, n, (size_t)num_arg(argv[3])) == -1)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		for (i = 0, c[0] = 0, c[1] = 0; i < n; i++) {
			if (reqs[i].res.cls == GRAPH_OK)
				c[0]++;
			c[1] += (size_t)reqs[i].res.connects;
			graph_result_free(&reqs[i].res);
		}
		printf("multi_ok=%zu\nmulti_conns=%zu\nmulti_ms=%ld\n", c[0], c[1],
		    (long)((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000));
		graph_result_local(r, GRAPH_OK, GRAPH_REASON_NONE, "batch");
	} else
		return 2;
	print(r);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct graph_result	 r;
	struct graph		*g;
	struct conf		*c;
	char			 err[512];
	int			 rc;

	if (argc < 2) {
		fprintf(stderr, "usage: see graphtool.c\n");
		return 2;
	}
	if ((c = app_init("graphtool", err, sizeof(err))) == NULL)
		return 1;
	if ((g = graph_new(c, err, sizeof(err))) == NULL) {
		printf("new=refused\nerror=%s\n", err);
		conf_free(c);
		return strcmp(argv[1], "new") == 0 ? 0 : 1;
	}
	memset(&r, 0, sizeof(r));
	if (strcmp(argv[1], "new") == 0) {
		printf("new=ok\n");
		rc = 0;
	} else if ((rc = run(g, argc, argv, &r)) == 2)
		fprintf(stderr, "graphtool: bad arguments\n");
	graph_result_free(&r);
	buf_free(&textbuf);
	graph_free(g);
	conf_free(c);
	return rc;
}
