/*
 * fwdrecv: a local receiver for forwarding's tests: an HTTP/1.1 server
 * on 127.0.0.1 that logs every request and answers as a control file
 * says.
 *
 *   fwdrecv [-c] PORTFILE LOG CONTROL
 *
 * It listens on a free port and writes the number to PORTFILE.  For
 * each request it reads CONTROL (absent: "200"): one line
 * "STATUS [DELAY_MS] [HEADER: VALUE]", e.g. "503 0 Retry-After: 3" or
 * "302 0 Location: http://127.0.0.1:9/" or "200 2000" (answer after
 * 2 s); a second line "body N" makes the answer's body N bytes of
 * "x" instead of "answer\n".  LOG gets one line per request, tab-separated: webhook-id,
 * webhook-timestamp, webhook-signature, x-api-key (each "-" when
 * absent), the status
 * answered, the body (compact JSON has no raw tab or newline).  One
 * request at a time; each connection is closed after its answer.  With
 * -c, every connection is served at once by a child process of its own
 * (many slow endpoints behind one port); each log line is then one
 * write(2) to a file opened O_APPEND, so lines never interleave.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "num.h"

#define RECV_MAX	(16 * 1024 * 1024)

/* Header name's value in the head (lines after the first), into out. */
static void
header(const char *head, const char *name, char *out, size_t outsz)
{
	const char	*p = head;
	size_t		 n = strlen(name), len;

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			len = strcspn(p, "\r\n");
			if (len >= outsz)
				len = outsz - 1;
			memcpy(out, p, len);
			out[len] = '\0';
			return;
		}
	}
}

/* Read the control file: status, delay, an extra header line, and the
 * body's size (-1: "answer\n"). */
static void
control(const char *path, long long *status, long long *delay, char *extra,
    size_t extrasz, long long *bodylen)
{
	char	 line[512], *p, *e;
	FILE	*f;

	*status = 200;
	*delay = 0;
	*bodylen = -1;
	extra[0] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		p = line;
		e = p + strcspn(p, " ");
		if (num_parse(p, (size_t)(e - p), 100, 599, status) == -1)
			*status = 500;
		if (*e == ' ') {
			p = e + 1;
			e = p + strcspn(p, " ");
			if (num_parse(p, (size_t)(e - p), 0, 600000, delay) == -1)
				*delay = 0;
			if (*e == ' ')
				snprintf(extra, extrasz, "%s\r\n", e + 1);
		}
	}
	if (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "body ", 5) != 0 ||
		    num_parse_str(line + 5, 0, RECV_MAX, bodylen) == -1)
			*bodylen = -1;
	}
	fclose(f);
}

static void
serve(int c, const char *logpath, const char *ctlpath)
{
	struct buf	 in;
	char		 chunk[65536], id[256], ts[64], sig[512], key[256];
	char		 cl[32], extra[512], answer[1024];
	const char	*end;
	long long	 len = 0, status, delay, bodylen, k;
	size_t		 head;
	ssize_t		 n;
	struct buf	 line;
	int		 log;

	buf_init(&in, RECV_MAX);
	buf_init(&line, RECV_MAX + 4096);
	for (;;) {
		if ((n = read(c, chunk, sizeof(chunk))) <= 0)
			goto out;
		buf_add(&in, chunk, (size_t)n);
		if (in.err)
			goto out;
		if ((end = strstr(in.data, "\r\n\r\n")) != NULL)
			break;
	}
	head = (size_t)(end - in.data) + 4;
	in.data[head - 2] = '\0';
	header(in.data, "Content-Length", cl, sizeof(cl));
	if (num_parse_str(cl, 0, RECV_MAX, &len) == -1)
		len = 0;
	while (in.len < head + (size_t)len) {
		if ((n = read(c, chunk, sizeof(chunk))) <= 0)
			goto out;
		buf_add(&in, chunk, (size_t)n);
		if (in.err)
			goto out;
	}
	header(in.data, "webhook-id", id, sizeof(id));
	header(in.data, "webhook-timestamp", ts, sizeof(ts));
	header(in.data, "webhook-signature", sig, sizeof(sig));
	header(in.data, "x-api-key", key, sizeof(key));
	control(ctlpath, &status, &delay, extra, sizeof(extra), &bodylen);
	if (delay > 0) {
		struct timespec t = { delay / 1000, (delay % 1000) * 1000000L };

		nanosleep(&t, NULL);
	}
	buf_printf(&line, "%s\t%s\t%s\t%s\t%lld\t%.*s\n",
	    id[0] != '\0' ? id : "-", ts[0] != '\0' ? ts : "-",
	    sig[0] != '\0' ? sig : "-", key[0] != '\0' ? key : "-", status,
	    (int)len, in.data + head);
	if (!line.err && (log = open(logpath, O_WRONLY | O_APPEND | O_CREAT,
	    0644)) != -1) {
		if (write(log, line.data, line.len) < 0)
			perror("fwdrecv: log");
		close(log);
	}
	n = snprintf(answer, sizeof(answer), "HTTP/1.1 %lld X\r\n"
	    "Content-Type: text/plain\r\nContent-Length: %lld\r\n"
	    "Connection: close\r\n%s\r\n%s", status, bodylen < 0 ? 7 :
	    bodylen, extra, bodylen < 0 ? "answer\n" : "");
	if (n > 0 && write(c, answer, (size_t)n) < 0)
		goto out;
	/* A big body: until it is all sent or the client stops reading. */
	memset(chunk, 'x', sizeof(chunk));
	for (k = 0; k < bodylen; k += n)
		if ((n = write(c, chunk, (size_t)(bodylen - k) < sizeof(chunk) ?
		    (size_t)(bodylen - k) : sizeof(chunk))) <= 0)
			goto out;
out:
	buf_free(&in);
	buf_free(&line);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 a;
	socklen_t		 alen = sizeof(a);
	FILE			*pf;
	int			 s, c, one = 1, conc = 0;
	pid_t			 pid = 0;

	/* A client that stops reading a big body is no reason to stop. */
	signal(SIGPIPE, SIG_IGN);
	if (argc == 5 && strcmp(argv[1], "-c") == 0) {
		conc = 1;
		argv++;
		argc--;
		/* Children are not waited for. */
		signal(SIGCHLD, SIG_IGN);
	}
	if (argc != 4) {
		fprintf(stderr, "usage: fwdrecv [-c] PORTFILE LOG CONTROL\n");
		return 2;
	}
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    listen(s, 256) == -1 ||
	    getsockname(s, (struct sockaddr *)&a, &alen) == -1)
		return 1;
	if ((pf = fopen(argv[1], "w")) == NULL)
		return 1;
	fprintf(pf, "%d\n", ntohs(a.sin_port));
	fclose(pf);
	for (;;) {
		if ((c = accept(s, NULL, NULL)) == -1) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (conc && (pid = fork()) == 0) {
			close(s);
			serve(c, argv[2], argv[3]);
			close(c);
			_exit(0);
		}
		if (!conc || pid == -1)
			serve(c, argv[2], argv[3]);
		close(c);
	}
}
