/*
 * token-refresh: run from cron every hour.  Checks every token and
 * subscription that is due (lib/pipeline/tokens.h): debug_token,
 * the subscription read back, the repairs (a Login's token exchanged
 * and its Pages' tokens re-derived, an Instagram token refreshed, a
 * lost subscription restored), the sends of a channel with a dead
 * token paused, silent channels flagged, people told of level changes;
 * prints one summary line and exits.
 *
 *   token-refresh [--dry-run] [--channel ID]
 *
 * --dry-run says what it would do and changes nothing; --channel ID
 * checks that channel now, due or not.  A second run while one is
 * active exits 0 at once.  Exit status 0 after a run (problems found
 * are reported, not errors), 1 on a configuration or database error.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "app.h"
#include "clock.h"
#include "conf.h"
#include "db.h"
#include "limits.h"
#include "num.h"
#include "tokens.h"

static int
usage(void)
{
	fprintf(stderr, "usage: token-refresh [--dry-run] [--channel ID]\n");
	return 1;
}

int
main(int argc, char *argv[])
{
	struct tokens_opts	 o;
	struct tokens_stats	 st;
	struct conf		*c;
	struct db		*d;
	struct rusage		 ru;
	long long		 start = clock_mono_ms();
	char			 err[HG_ERR_MAX];
	int			 i, lock, rc;

	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			o.dry_run = 1;
		else if (strcmp(argv[i], "--channel") == 0 && i + 1 < argc) {
			if (num_parse_str(argv[++i], 1, (1LL << 53),
			    &o.channel) == -1)
				return usage();
		} else
			return usage();
	}
	if ((c = app_init("token-refresh", err, sizeof(err))) == NULL) {
		fprintf(stderr, "token-refresh: %s\n", err);
		return 1;
	}
	if ((lock = app_lock(c, "token-refresh")) < 0) {
		conf_free(c);
		if (lock == -2) {
			printf("token-refresh: another run is active\n");
			return 0;
		}
		fprintf(stderr, "token-refresh: cannot take the run lock\n");
		return 1;
	}
	if ((d = db_open(c, DB_REDOABLE, err, sizeof(err))) == NULL) {
		fprintf(stderr, "token-refresh: %s\n", err);
		conf_free(c);
		return 1;
	}
	o.budget_ms = conf_get_int(c, "cron_budget_s") * 1000;
	o.alerts = 1;
	o.report = o.dry_run ? stdout : NULL;
	rc = tokens_run(c, d, &o, &st, err, sizeof(err)) == -1;
	getrusage(RUSAGE_SELF, &ru);
	printf("token-refresh: checked=%lld refreshed=%lld resubscribed=%lld "
	    "invalid=%lld failed=%lld paused=%lld silent=%lld alerts=%lld "
	    "pruned=%lld %s%s%s%sms=%lld maxrss_kb=%ld%s\n", st.checked,
	    st.refreshed, st.resubscribed, st.invalid, st.failed, st.paused,
	    st.silent, st.alerts, st.pruned, o.dry_run ? "dry_run=1 " : "",
	    st.throttled ? "stopped=throttled " : "",
	    st.out_of_time ? "stopped=budget " : "",
	    st.slowed ? "slowed=1 " : "", clock_mono_ms() - start,
	    ru.ru_maxrss, rc ? " error" : "");
	if (rc)
		fprintf(stderr, "token-refresh: %s\n", err);
	db_close(d);
	conf_free(c);
	return rc;
}
