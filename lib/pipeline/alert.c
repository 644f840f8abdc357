/*
 * alert: e-mail through sendmail and a JSON POST.  See alert.h.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "alert.h"
#include "buf.h"
#include "conf.h"
#include "hook.h"
#include "limits.h"

/* 1 when s holds no byte that could end a mail header early. */
static int
header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n')
			return 0;
	return 1;
}

/* Write n bytes of p to fd; 0 or -1. */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Run sendmail -t -i with the message on its input; 0 or -1. */
static int
mail(const char *prog, const char *to, const char *subject,
    const char *text, char *err, size_t errsz)
{
	struct buf	 m;
	int		 fds[2], status, rc = -1;
	pid_t		 pid;
	void		(*old)(int);

	if (!header_safe(to) || !header_safe(subject) || to[0] == '-') {
		snprintf(err, errsz, "alert_email: not a usable address");
		return -1;
	}
	buf_init(&m, HG_ALERT_TEXT_MAX * 2);
	buf_printf(&m, "To: %s\nSubject: %s\nContent-Type: text/plain; "
	    "charset=utf-8\nAuto-Submitted: auto-generated\n\n%s\n", to,
	    subject, text);
	if (m.err || pipe(fds) == -1) {
		buf_free(&m);
		snprintf(err, errsz, "alert_email: cannot start sendmail");
		return -1;
	}
	old = signal(SIGPIPE, SIG_IGN);
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		goto out;
	}
	if (pid == 0) {
		char *const argv[] = { (char *)prog, (char *)"-t", (char *)"-i",
		    NULL };

		if (dup2(fds[0], 0) == -1)
			_exit(127);
		close(fds[0]);
		close(fds[1]);
		execv(prog, argv);
		_exit(127);
	}
	close(fds[0]);
	if (write_all(fds[1], m.data, m.len) == -1) {
		close(fds[1]);
		waitpid(pid, &status, 0);
		goto out;
	}
	close(fds[1]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		rc = 0;
out:
	signal(SIGPIPE, old);
	buf_free(&m);
	if (rc == -1)
		snprintf(err, errsz, "alert_email: %.200s failed", prog);
	return rc;
}

int
alert_send(const struct conf *c, const char *subject, const char *text,
    char *err, size_t errsz)
{
	const char	*to = conf_get(c, "alert_email");
	const char	*url = conf_get(c, "alert_webhook");
	char		 e[256] = "", prog[1024], *body;
	cJSON		*o;
	int		 sent = 0, failed = 0;

	if (errsz > 0)
		err[0] = '\0';
	if (to[0] != '\0') {
		if (conf_path(c, "sendmail_path", prog, sizeof(prog)) == NULL ||
		    mail(prog, to, subject, text, e, sizeof(e)) == -1) {
			failed = 1;
			snprintf(err, errsz, "%s", e);
		} else
			sent++;
	}
	if (url[0] != '\0') {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "text", text);
		body = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (body == NULL || hook_post_json(url, body,
		    HG_ALERT_TIMEOUT_S, e, sizeof(e)) == -1) {
			failed = 1;
			snprintf(err, errsz, "%s", body == NULL ? "no memory" :
			    e);
		} else
			sent++;
		cJSON_free(body);
	}
	return failed ? -1 : sent;
}
