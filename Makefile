# hubgate — a plain Makefile.  The two commands: `make run`, `make test`.

PREFIX	?= /usr/local
DESTDIR	?=
BUILD	?= build
PORT	?= 8080
DATA_DIR ?= var
export PORT DATA_DIR

# Debian packages hubgate needs to build, serve and test itself (nodejs
# and chromium: the browser tests; their npm packages are package.json's,
# installed by scripts/npm-deps.sh).
PKGS	 = gcc make pkg-config libfcgi-dev libsqlite3-dev libssl-dev \
	   libcurl4-openssl-dev libcjson-dev lighttpd apache2 \
	   libapache2-mod-fcgid curl sqlite3 python3 openssl procps \
	   nodejs chromium python3-prometheus-client
LINT_PKGS = cppcheck
BENCH_PKGS = wrk

PCMODS	 = fcgi sqlite3 libcrypto libcjson libcurl
CC	?= cc
CFLAGS	?= -O2 -g
WARN	 = -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter
ifeq ($(CI),true)
WARN	+= -Werror
endif
ifeq ($(SAN),1)
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
LDFLAGS	+= -fsanitize=address,undefined
endif
PC_CFLAGS = $(shell pkg-config --cflags $(PCMODS) 2>/dev/null)
PC_LIBS	  = $(shell pkg-config --libs $(PCMODS) 2>/dev/null)
# The library's layers, lowest first: each may include only from itself
# and those below it (scripts/layers.sh, run by make lint).
LAYERS	 = core store meta pipeline web
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) \
	   $(LAYERS:%=-iquote lib/%) $(PC_CFLAGS)
LIBS	 = $(PC_LIBS) -pthread

CORE_SRC = lib/core/buf.c lib/core/clock.c lib/core/conf.c lib/core/crypto.c lib/core/json.c \
	   lib/core/log.c lib/core/mask.c lib/core/num.c lib/core/password.c lib/core/utf8.c
STORE_SRC = lib/store/db.c lib/store/db_inbox.c lib/store/db_oauth.c lib/store/db_ops.c \
	   lib/store/db_ops_act.c lib/store/db_outbox.c lib/store/db_queue.c \
	   lib/store/db_stats.c lib/store/db_user.c \
	   lib/store/db_channel_act.c \
	   lib/store/db_contact.c lib/store/db_token.c
STORE_SRC += lib/store/db_media.c
META_SRC = lib/meta/envelope.c lib/meta/events.c lib/meta/events_msgr.c \
	   lib/meta/events_wa.c lib/meta/events_wa_account.c lib/meta/graph.c \
	   lib/meta/graph_error.c lib/meta/graph_oauth.c lib/meta/graph_send.c \
	   lib/meta/redact.c lib/meta/signed_request.c lib/meta/window.c \
	   lib/meta/token_level.c lib/meta/hook.c
PIPELINE_SRC = lib/pipeline/checkpointer.c lib/pipeline/committer.c lib/pipeline/erase.c \
	   lib/pipeline/outbox.c lib/pipeline/pace.c lib/pipeline/processor.c \
	   lib/pipeline/queue.c \
	   lib/pipeline/tokens.c lib/pipeline/alert.c
PIPELINE_SRC += lib/pipeline/media.c lib/pipeline/bgthread.c
WEB_SRC	 = lib/web/api_audit.c lib/web/api_channels.c lib/web/api_events.c \
	   lib/web/api_events_act.c lib/web/api_inbox.c lib/web/api_session.c \
	   lib/web/api_stats.c lib/web/api_users.c \
	   lib/web/api_channel_act.c lib/web/api_channel_move.c \
	   lib/web/api_contacts.c lib/web/api_outbox.c lib/web/api_media.c \
	   lib/web/api_tokens.c \
	   lib/web/api_wa_signup.c lib/web/oauth_signup.c \
	   lib/web/app.c lib/web/health.c lib/web/http.c lib/web/https.c lib/web/metrics.c \
	   lib/web/oauth.c lib/web/oauth_connect.c lib/web/oauth_ig.c lib/web/oauth_meta.c \
	   lib/web/oauth_state.c \
	   lib/web/route.c \
	   lib/web/session.c \
	   lib/web/webhook.c
# WhatsApp templates and the thread's unsent messages.
STORE_SRC += lib/store/db_thread.c
META_SRC += lib/meta/graph_templates.c
WEB_SRC	+= lib/web/api_templates.c
# Meta's events in full: edits, reactions, referrals, account events.
STORE_SRC += lib/store/db_detail.c
# Meta fidelity, the rest: merged contacts, history, retention.
STORE_SRC += lib/store/db_merge.c
WEB_SRC	+= lib/web/api_retention.c
WEB_SRC	+= lib/web/api_detail.c
# Forwarding to the business's own endpoints (signing, URL checks,
# destinations, the delivery worker, the API).
CORE_SRC += lib/core/whsig.c lib/core/urlsafe.c
STORE_SRC += lib/store/db_fwd.c
PIPELINE_SRC += lib/pipeline/forward.c lib/pipeline/forward_rules.c
WEB_SRC += lib/web/api_fwd.c lib/web/api_fwd_save.c lib/web/api_fwd_deliv.c
# The forwarding tests check every event against docs/events.schema.json.
PKGS += python3-jsonschema
# Automation: rules, the bot hook, the handover to people.
CORE_SRC += lib/core/tz.c
STORE_SRC += lib/store/db_auto.c
META_SRC += lib/meta/signed_post.c
PIPELINE_SRC += lib/pipeline/rules.c lib/pipeline/automation.c lib/pipeline/bot.c
WEB_SRC += lib/web/api_rules.c
# Rich replies (buttons, generic templates) and groups of people.
PIPELINE_SRC += lib/pipeline/rich.c
STORE_SRC += lib/store/db_group.c
WEB_SRC += lib/web/api_groups.c
# Conversation Routing with Meta's inbox: pass and take thread control.
STORE_SRC += lib/store/db_handover.c
META_SRC += lib/meta/graph_thread.c
PIPELINE_SRC += lib/pipeline/handover.c
LIB_SRC	 = $(CORE_SRC) $(STORE_SRC) $(META_SRC) $(PIPELINE_SRC) $(WEB_SRC)
LIB_HDR	 = $(wildcard $(LAYERS:%=lib/%/*.h))
LIB_OBJ	 = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema_sql.o
LIB_A	 = $(BUILD)/libhubgate.a
PROGS	 = $(BUILD)/cgi-bin/webhook $(BUILD)/cgi-bin/dashboard $(BUILD)/cgi-bin/oauth
ADMIN	 = $(BUILD)/tools/hubgate-admin
CRON	 = $(BUILD)/cron/webhook-retry $(BUILD)/cron/token-refresh
BENCH_PROGS = $(BUILD)/bench/hello $(BUILD)/bench/gen $(BUILD)/bench/tokfill
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT	 = $(UNIT_SRC:%.c=$(BUILD)/%)
TOOL_SRC = $(wildcard tests/tools/*.c)
TOOLS	 = $(TOOL_SRC:%.c=$(BUILD)/%)
# The fake of Meta for sandbox mode (`make run` without a Meta app) and
# the tests.
FAKE_SRC = sandbox/fakemeta.c sandbox/fm_control.c sandbox/fm_dialog.c \
	   sandbox/fm_graph.c sandbox/fm_instagram.c sandbox/fm_send.c sandbox/fm_store.c \
	   sandbox/fm_wa.c \
	   sandbox/fm_signup.c sandbox/fm_pace.c
FAKE_SRC += sandbox/fm_media.c
FAKE_SRC += sandbox/fm_thread.c
FAKE_OBJ = $(FAKE_SRC:%.c=$(BUILD)/%.o)
FAKEMETA = $(BUILD)/sandbox/fakemeta

.PHONY: all deps run test lint install clean bench bench-ops bench-tokens bench-outbox san check-deps vendor
.PHONY: bench-forward

# Keep object files: they are not throw-away intermediates (and make
# test must end with the summary line, not with make removing them).
.SECONDARY:

all: $(PROGS) $(ADMIN) $(CRON) $(BENCH_PROGS) $(UNIT) $(TOOLS) $(FAKEMETA)

# Install what is missing (as root: apt-get update first, since a new
# machine's package lists may be empty), or print the command to run.
deps:
	@sh scripts/deps.sh $(PKGS)
	@sh scripts/npm-deps.sh

$(BUILD)/%.o: %.c $(LIB_HDR) | deps-checked
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/schema_sql.c: schema.sql scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh db_schema_sql < schema.sql > $@

$(BUILD)/schema_sql.o: $(BUILD)/schema_sql.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

LINK	 = $(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIBS)
$(BUILD)/cgi-bin/%: $(BUILD)/cgi-bin/%.o $(LIB_A)
	$(LINK)
$(BUILD)/cron/%: $(BUILD)/cron/%.o $(LIB_A)
	$(LINK)
$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIB_A)
	$(LINK)
$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(LIB_A)
	$(LINK)
$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(LIB_A)
	$(LINK)
$(BUILD)/tools/%: $(BUILD)/tools/%.o $(LIB_A)
	$(LINK)
$(FAKE_OBJ): sandbox/fm.h
$(UNIT_SRC:%.c=$(BUILD)/%.o): tests/unit/test.h tests/unit/testdb.h
$(FAKEMETA): $(FAKE_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(FAKE_OBJ) $(LIB_A) $(LIBS)

# Order-only marker so the first build checks the packages once.
.PHONY: deps-checked
deps-checked:
	@sh scripts/deps.sh --quiet $(PKGS)

san:
	$(MAKE) BUILD=build-san SAN=1 all

# The chart library, copied from node_modules/ into htdocs/vendor/.
vendor:
	@sh scripts/vendor.sh

run: all vendor
	@sh scripts/run.sh

test: all
	@sh scripts/npm-deps.sh --quiet
	$(MAKE) --no-print-directory san
	@bash tests/run.sh

bench: all
	@sh scripts/deps.sh $(BENCH_PKGS)
	@bash bench/run.sh
	@bash bench/drain.sh

# The dashboard on a million events (bench/ops.sh): JSON p99, the
# overview's drawing time, ingest under polling.
bench-ops: all
	@sh scripts/deps.sh $(BENCH_PKGS)
	@bash bench/ops.sh

# cron/token-refresh over 1,000 and 10,000 channels against the fake
# of Meta with 100 ms per call (bench/tokens.sh).
bench-tokens: all
	@bash bench/tokens.sh

# The outbound queue against the fake of Meta (bench/outbox.sh): drain
# rates of one and ten WhatsApp numbers, pacing, a failing channel,
# reply-to-sent latency.
bench-outbox: all
	@bash bench/outbox.sh

# Forwarding's drain rate to local receivers (bench/forward.sh).
bench-forward: all
	@sh scripts/deps.sh $(BENCH_PKGS)
	@bash bench/forward.sh
	@bash bench/forward-ingest.sh

lint:
	@sh scripts/deps.sh $(LINT_PKGS)
	@sh scripts/lint.sh

install: $(PROGS) $(ADMIN) $(CRON) vendor
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/hubgate/cgi-bin \
	    $(DESTDIR)$(PREFIX)/lib/hubgate/cron \
	    $(DESTDIR)$(PREFIX)/share/hubgate/htdocs
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/lib/hubgate/cgi-bin/
	install -m 755 $(ADMIN) $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(CRON) $(DESTDIR)$(PREFIX)/lib/hubgate/cron/
	# htdocs/ without dotfiles, dot-directories or editor leftovers.
	cd htdocs && find . \( -name '.?*' -o -name '*~' -o -name '*.sw[po]' \
	    -o -name '*.bak' -o -name '*.orig' \) -prune -o -type f -print | \
	    while IFS= read -r f; do \
		install -D -m 644 "$$f" "$(DESTDIR)$(PREFIX)/share/hubgate/htdocs/$$f" || exit 1; \
	    done
	install -m 644 schema.sql apache.conf apache-cgi.conf lighttpd.conf \
	    $(DESTDIR)$(PREFIX)/share/hubgate/

clean:
	rm -rf build build-san
