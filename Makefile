# pocd — one non-recursive Makefile.
#
#   make            build pocd and pocctl (installs missing Debian packages first)
#   make check      every test, one line each (V=1: everything; log in build/check.log;
#                   IT_JOBS: integration tests at a time, default the cores)
#   make demo       three-member federation on loopback, request/ack/response
#   make asan       unit tests built with -fsanitize=address,undefined
#   make fuzz       libFuzzer targets, FUZZ_SECONDS (60) each (clang)
#   make install    PREFIX (/usr/local) and DESTDIR honoured; make uninstall
#   make ops-check  man lint, config golden files, systemd unit, install test
#   make include-check  fails if two modules include each other (also in ops-check)
#   make pot        re-extract po/pocctl.pot and merge it into po/*.po
#   make crash      long crash-consistency run (CRASH_SECONDS, CRASH_SEED)
#   make chaos      long broken-network run through a fault proxy (CHAOS_SECONDS, CHAOS_SEED)
#   make soak       three nodes under mixed traffic, restarts, SIGHUPs (SOAK_SECONDS)
#   make tlsscan    testssl.sh scan of both listeners (installs testssl.sh)
#   make bench      pocd against Mosquitto and RabbitMQ on loopback (bench/results.json)
#
# Generated protobuf-c code goes to build/, never into the tree.

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PROTOC_C ?= protoc-c
PYTHON   ?= python3

B := build

PKGS     := libevent_openssl libevent_core libevent_extra libssl libcrypto libprotobuf-c sqlite3 jansson inih libxml-2.0
WARN     := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wwrite-strings -Werror
# CFLAGS/LDFLAGS are the caller's (optimisation, sanitizers); the flags the
# project requires are in POC_CFLAGS and cannot be dropped by overriding.
CFLAGS   ?= -O2 -g
POC_CFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) -I. -I$(B) -Icommon \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# -levent (core and extra in one library, which libevent_openssl.pc pulls
# in) is left out: with it a process maps libevent-2.1.so besides the
# libevent_core that libevent_openssl needs anyway, the same code twice.
LDLIBS   += $(filter-out -levent,$(shell pkg-config --libs $(PKGS) 2>/dev/null))
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

# pocd links the libraries it uses from their static archives (Debian's
# -dev packages ship them) and only glibc dynamically: an idle node then
# maps the code it can reach instead of all of libcrypto, libssl and
# SQLite, and the dynamic loader relocates none of their data.  That took
# an idle member node of `make sim` from 10.7 to 8.8 MiB RSS and 2.3 to
# 2.1 MiB USS (docs/simulation.md).  The cost: a Debian update of OpenSSL,
# SQLite or libevent reaches pocd when it is rebuilt, not when the shared
# library is replaced; POCD_LINK=dynamic builds it the old way.  glibc
# stays shared: NSS, and the LD_PRELOAD shims the tests use (faultfs,
# faketime), need it.  Position-independent as before (ASLR); its
# relocations are packed (DT_RELR, glibc 2.36).
POCD_LINK ?= static
POCD_PKGS := $(filter-out libxml-2.0,$(PKGS))	# pocctl's alone
POCD_LIBS := $(filter-out -levent,$(shell pkg-config --libs $(POCD_PKGS) 2>/dev/null))
ifeq ($(POCD_LINK),static)
POCD_LIBS := -Wl,-Bstatic $(POCD_LIBS) -Wl,-Bdynamic -lm -pthread \
             -Wl,-z,pack-relative-relocs
# The code an idle member runs goes first, the rest after it (ld/hotcode.py
# says why and regenerates the list): 1.3 MiB less RSS per idle member.
POCD_LDSCRIPT := ld/pocd_hot.ld
POCD_LIBS += -Wl,-T,$(POCD_LDSCRIPT)
endif

# Debian packages the build, the tests and the demo need.  `make deps` installs
# the missing ones when run as root, or prints the exact command otherwise.
DEB_PKGS := build-essential pkg-config libevent-dev libssl-dev openssl \
            libprotobuf-c-dev protobuf-c-compiler libsqlite3-dev sqlite3 \
            check libjansson-dev libinih-dev python3 jq \
            clang libclang-rt-14-dev
# Interop (issue 14): IODEF XML, and xmllint for its tests.
DEB_PKGS += libxml2-dev libxml2-utils
# Operations (issue 6): catalogs, man page lint, unit file checks, and the
# OpenMetrics parser the metrics test uses.
DEB_PKGS += gettext mandoc systemd python3-prometheus-client
# Reliability (issue 15): a node with a wrong clock (libfaketime).
DEB_PKGS += faketime

PROTO_C  := $(B)/proto/poc.pb-c.c
PROTO_H  := $(B)/proto/poc.pb-c.h

COMMON_SRC := $(wildcard common/*.c)
DAEMON_SRC := $(filter-out daemon/pocd.c,$(wildcard daemon/*.c))
CLI_SRC    := $(filter-out cli/pocctl.c,$(wildcard cli/*.c))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(B)/%.o,$(1))

COMMON_OBJ := $(call obj,$(COMMON_SRC)) $(B)/proto/poc.pb-c.o
DAEMON_OBJ := $(call obj,$(DAEMON_SRC))
CLI_OBJ    := $(call obj,$(CLI_SRC))
UNIT_BIN   := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

.PHONY: all bin deps check unit unit-bin unit-run integration asan asan-bin demo bench crash chaos soak \
        bench-store \
        tlsscan clean install uninstall pot ops-check
.PHONY: fuzz fuzz-check fuzz-bin fuzz-run include-check sim sim-check
.DEFAULT_GOAL := all

# Public targets install what is missing first, then build in a sub-make so
# that pkg-config flags are read after the packages exist.
all: deps
	@$(MAKE) --no-print-directory bin

bin: $(B)/pocd $(B)/pocctl $(B)/pocpeer $(B)/pocbench $(B)/faultfs.so

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing packages:$$missing"; \
	    echo "run as root:  apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

$(PROTO_C) $(PROTO_H): proto/poc.proto
	@mkdir -p $(B)
	$(PROTOC_C) --c_out=$(B) $<

$(B)/proto/poc.pb-c.o: $(PROTO_C)
	$(CC) $(POC_CFLAGS) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(B)/%.o: %.c $(PROTO_H)
	@mkdir -p $(@D)
	$(CC) $(POC_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libcommon.a: $(COMMON_OBJ)
	$(AR) rcs $@ $^
$(B)/libdaemon.a: $(DAEMON_OBJ)
	$(AR) rcs $@ $^
$(B)/libcli.a: $(CLI_OBJ)
	$(AR) rcs $@ $^

$(B)/pocd: $(B)/daemon/pocd.o $(B)/libdaemon.a $(B)/libcommon.a $(POCD_LDSCRIPT)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(POCD_LIBS) -Wl,-Map,$@.map
$(B)/pocctl: $(B)/cli/pocctl.o $(B)/libcli.a $(B)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
# pocbench: the load generator of `make bench` (bench/*.c; main in pocbench.c).
$(B)/pocbench: $(call obj,$(wildcard bench/*.c)) $(B)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lpthread
# poclargestore: builds a year's store with pocd's store code for
# `make bench-store` (bench/store/).
$(B)/poclargestore: $(B)/bench/store/largestore.o $(B)/libdaemon.a $(B)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm

# faultfs.so: an LD_PRELOAD shim that injects disk faults into pocd and logs
# its fsyncs and socket writes (tests only; tests/tools/faultfs.c).
$(B)/faultfs.so: tests/tools/faultfs.c
	@mkdir -p $(@D)
	$(CC) $(POC_CFLAGS) $(CFLAGS) -fPIC -shared -o $@ $< -ldl -lpthread
# pocpeer: a test tool that speaks the peer protocol as a member (tests only).
$(B)/pocpeer: $(B)/tests/tools/pocpeer.o $(B)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests: tests/unit/test_NAME.c links only the modules named in
# tests/unit/test_NAME.mk as  test_NAME_MODS := common/frame common/util ...
# A test of a module deep in the daemon may instead name archives, whose
# members are linked only as needed:  test_NAME_LIBS := libdaemon.a libcommon.a
# A module split in files names only its first: common/pbjson brings its
# parsing half and the time parser it uses; common/validate the thread and
# message ids it checks (common/threadid, common/msgid); the hashing
# modules bring the SHA-256 they fetch once (common/sha256); the store's
# messages the envelope hash of its duplicate check (common/envsig).
-include $(wildcard tests/unit/*.mk)
mods = $(1) $(if $(filter common/pbjson,$(1)),common/pbjson_parse common/timefmt) \
       $(if $(filter common/validate,$(1)),common/threadid common/msgid) \
       $(if $(filter common/audit common/merkle common/sig common/validate,$(1)),common/sha256) \
       $(if $(filter daemon/store_msg,$(1)),common/envsig common/merkle common/sig common/tls common/sha256)
.SECONDEXPANSION:
$(B)/tests/%: tests/unit/%.c $$(call obj,$$(addsuffix .c,$$(call mods,$$($$*_MODS)))) $(B)/proto/poc.pb-c.o $$(addprefix $(B)/,$$($$*_LIBS))
	@mkdir -p $(@D)
	$(CC) $(POC_CFLAGS) $(CFLAGS) -Itests/unit -Idaemon -Icli $(LDFLAGS) -o $@ $(filter %.c %.o %.a,$^) $(LDLIBS) $(CHECK_LIBS)

unit: deps
	@$(MAKE) --no-print-directory unit-run

unit-bin: $(UNIT_BIN)

unit-run: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do \
	  CK_DEFAULT_TIMEOUT=30 $$t || fail=1; \
	done; exit $$fail

# The same unit tests under AddressSanitizer and UndefinedBehaviorSanitizer,
# in a separate build tree (asan-bin only builds them).
ASAN_B    := build-asan
ASAN_MAKE  = $(MAKE) --no-print-directory B=$(ASAN_B) \
  CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
  LDFLAGS="-fsanitize=address,undefined"
asan: deps
	$(ASAN_MAKE) unit-run
asan-bin:
	$(ASAN_MAKE) unit-bin

# The integration tests, as many at a time as there are cores (IT_JOBS=N
# to choose), longest first; a test with a line "# run.py: alone" runs with
# nothing beside it (tests/integration/run.py; docs/guarantees.md "Running
# the tests").
integration: all
	B=$(B) $(PYTHON) tests/integration/run.py

# Every step (build, unit, ops, asan, fuzz, integration, sim) run by
# tests/check.py: one line per suite, check or test, failures in full, the
# rest in $(B)/check.log; V=1 shows everything.  It runs the steps through
# the targets here (unit-bin, asan-bin, fuzz-check, ops-check, integration,
# sim-check); asan and fuzz, in their own trees, beside unit and ops.
check: deps
	@MAKE="$(MAKE)" B=$(B) ASAN_B=$(ASAN_B) V=$(V) $(PYTHON) tests/check.py

# No two modules of daemon/, cli/, common/ include each other's headers,
# directly or through a chain (STYLE.md 14; also one of the ops checks).
# The checker's own test runs first: a checker that cannot fail proves
# nothing.  `tests/ops/check_include_cycles.py --api` also holds each
# module's API to its own header.
include-check:
	@$(PYTHON) tests/ops/test_check_include_cycles.py 2>&1 | tail -1 | grep -qx OK || \
	  { $(PYTHON) tests/ops/test_check_include_cycles.py; exit 1; }
	$(PYTHON) tests/ops/check_include_cycles.py --api .

# The benchmark against Mosquitto and RabbitMQ (bench/run.py; BENCH_QUICK=1
# for a short run, BENCH_ROWS for some sections; docs/performance.md).  It
# installs both servers itself: neither is needed by the build or the tests.
# The servers it runs are its own (temporary directory, free ports, stopped
# by PID); a system service the packages may have started is left alone.
# strace: bench/fsynccheck.py watches RabbitMQ fsync before its confirms.
BENCH_DEB_PKGS := mosquitto rabbitmq-server strace
bench: all
	@missing=""; for p in $(BENCH_DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      -o DPkg::Lock::Timeout=300 $$missing >/dev/null || exit 1; \
	  else echo "run as root:  apt-get install -y$$missing"; exit 1; fi; \
	fi
	POCD=$(abspath $(B)/pocd) POCCTL=$(abspath $(B)/pocctl) POCBENCH=$(abspath $(B)/pocbench) \
	  $(PYTHON) bench/run.py

# The large-store rows (issue 11): a year's store of 1,000,000 envelopes,
# built once in build/largestore by build/poclargestore, then p99 of the
# duty officer's commands and pocd's start on it (docs/performance.md
# "Large store").  BENCH_STORE_ARGS="--rebuild" builds it again.
bench-store: all
	@$(MAKE) --no-print-directory $(B)/poclargestore
	python3 bench/store/run.py --json $(B)/largestore.json $(BENCH_STORE_ARGS)

demo: all
	tests/demo

# The whole network on loopback (sim/sim.py, docs/simulation.md): 193
# members, 5 regional registries and a global one, every scenario; prints
# a table, writes sim/results.json and sim/convergence.svg.  SIM_ARGS
# passes options, e.g. SIM_ARGS="--members 40 --registries 3".
sim: all
	POCD=$(abspath $(B)/pocd) POCCTL=$(abspath $(B)/pocctl) POCPEER=$(abspath $(B)/pocpeer) \
	  $(PYTHON) sim/sim.py $(SIM_ARGS)

# The small simulation that make check runs as a guard (untimed): 12
# members, 2 registries, every scenario; results in $(B)/sim-small/.
sim-check: bin
	POCD=$(abspath $(B)/pocd) POCCTL=$(abspath $(B)/pocctl) POCPEER=$(abspath $(B)/pocpeer) \
	  $(PYTHON) sim/sim.py --members 12 --registries 2 --out $(B)/sim-small --check

# Fuzzing: libFuzzer targets fuzz/fuzz_TARGET.c, built with clang and
# ASan+UBSan in their own tree ($(B)-fuzz), run over a scratch corpus seeded
# from fuzz/corpus/TARGET/ (the repo's seeds are only read; crash inputs go
# to $(B)-fuzz/fuzz/).  `make fuzz` runs each FUZZ_SECONDS, `make check`
# FUZZ_CHECK_SECONDS.  A crash fails the target; add its input to the seeds
# once fixed.
FUZZ_TARGETS       := frame envelope template dirrec config interop
FUZZ_SECONDS       ?= 60
FUZZ_CHECK_SECONDS ?= 10
FUZZ_CC            ?= clang
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_MODS  := common/frame common/validate common/pbjson common/util \
              common/envsig common/merkle common/sig common/tls
FUZZ_BIN    = $(patsubst %,$(B)/fuzz/fuzz_%,$(FUZZ_TARGETS))

$(B)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(call obj,$(addsuffix .c,$(call mods,$(FUZZ_MODS)))) $(B)/proto/poc.pb-c.o
	@mkdir -p $(@D)
	$(CC) $(POC_CFLAGS) $(CFLAGS) -Ifuzz -fsanitize=fuzzer $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS)

# What a target reads beyond FUZZ_MODS.
$(B)/fuzz/fuzz_dirrec: $(call obj,common/dirrec.c cli/dirfmt.c)
$(B)/fuzz/fuzz_config: $(call obj,daemon/config.c daemon/log.c common/inifile.c common/evfmt.c)
$(B)/fuzz/fuzz_interop: $(call obj,$(wildcard cli/interop*.c) cli/dirfmt.c common/dirrec.c)

fuzz-bin: $(FUZZ_BIN)

# One line per target (PASS with the inputs run and the new corpus
# units, or FAIL with the end of its log), then the totals.
fuzz-run: fuzz-bin
	@pass=0; fail=0; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(B)/fuzz/corpus-$$t || exit 1; \
	  if $(B)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix=$(B)/fuzz/$$t- \
	    $$(test -f fuzz/$$t.dict && echo -dict=fuzz/$$t.dict) \
	    $(B)/fuzz/corpus-$$t fuzz/corpus/$$t 2>$(B)/fuzz/$$t.log; then \
	    pass=$$((pass + 1)); \
	    echo "PASS fuzz_$$t: $(FUZZ_SECONDS) s," \
	      "$$(sed -n 's/^stat::number_of_executed_units: *//p' $(B)/fuzz/$$t.log) inputs," \
	      "$$(sed -n 's/^stat::new_units_added: *//p' $(B)/fuzz/$$t.log) new units"; \
	  else \
	    fail=$$((fail + 1)); \
	    echo "FAIL fuzz_$$t: crash input in $(B)/fuzz/$$t-*, log $(B)/fuzz/$$t.log:"; \
	    tail -40 $(B)/fuzz/$$t.log | sed 's/^/    /'; \
	  fi; \
	done; echo "$$pass passed, $$fail failed"; [ $$fail = 0 ]

fuzz: deps
	$(MAKE) --no-print-directory B=$(B)-fuzz CC=$(FUZZ_CC) \
	  CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
	  LDFLAGS="$(FUZZ_SAN)" fuzz-run

fuzz-check: deps
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_CHECK_SECONDS)

# The crash-consistency test of `make check` (tests/integration/30_crash.py),
# run for CRASH_SECONDS (default 300) of SIGKILL cycles with seed CRASH_SEED.
CRASH_SECONDS ?= 300
CRASH_SEED ?= 1
crash: all
	CRASH_SECONDS=$(CRASH_SECONDS) CRASH_SEED=$(CRASH_SEED) \
	  $(PYTHON) tests/integration/30_crash.py

# The broken-network test of `make check` (tests/integration/48_chaos.py:
# two nodes through a fault-injecting proxy), run for CHAOS_SECONDS
# (default 300) of faults drawn from seed CHAOS_SEED.
CHAOS_SECONDS ?= 300
CHAOS_SEED ?= 1
chaos: all
	CHAOS_SECONDS=$(CHAOS_SECONDS) CHAOS_SEED=$(CHAOS_SEED) \
	  $(PYTHON) tests/integration/48_chaos.py

# A day of running, shortened (tests/soak/soak.py): three nodes under
# steady mixed traffic with SIGHUPs and restarts for SOAK_SECONDS (default
# 3600); fails on growth past its bounds or anything lost; writes
# build/soak/results.json and build/soak/soak.svg.
SOAK_SECONDS ?= 3600
SOAK_SEED ?= 1
soak: all
	SOAK_SECONDS=$(SOAK_SECONDS) SOAK_SEED=$(SOAK_SEED) $(PYTHON) tests/soak/soak.py

# testssl.sh against both listeners of a test-bed node; fails on a HIGH or
# CRITICAL finding (minutes long, so not in `make check`).
tlsscan: all
	@dpkg-query -W -f='$${Status}' testssl.sh 2>/dev/null | grep -q "ok installed" || \
	  { if [ "$$(id -u)" = 0 ]; then echo "installing: testssl.sh"; \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq testssl.sh >/dev/null || exit 1; \
	    else echo "run as root:  apt-get install -y testssl.sh"; exit 1; fi; }
	POCD=$(abspath $(B)/pocd) POCCTL=$(abspath $(B)/pocctl) tests/tlsscan

# ---------------------------------------------------------------- operations
# Catalogs, install, and the checks of issue 6 (man pages, config golden
# files, systemd unit, install into a DESTDIR, bash completion, catalogs).

LANGS      := ar es fr ru zh
MO         := $(patsubst %,$(B)/locale/%/LC_MESSAGES/pocctl.mo,$(LANGS))
MANPAGES   := man/pocctl.1 man/pocd.conf.5 man/pocd.8
# The manual (docs/*.md) goes with the README into DOCDIR/docs.
DOCS       := $(wildcard docs/*.md)
# Every path compiled into pocd and pocctl follows PREFIX: the catalogs in
# $(PREFIX)/share/locale, the configuration in $(PREFIX)/etc/pocd, or
# /etc/pocd for PREFIX=/usr (the FHS; the unit's ConfigurationDirectory).
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),,$(PREFIX))/etc/pocd
LOCALEDIR  ?= $(PREFIX)/share/locale
DOCDIR     ?= $(PREFIX)/share/doc/pocd
UNITDIR    ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

# The objects that compile a path in, rebuilt when a path changes: the
# stamp is rewritten only when its text differs, so `make` after `make
# PREFIX=/usr` rebuilds them, and a second `make` rebuilds nothing.
PATHS       = $(SYSCONFDIR) $(LOCALEDIR)
PATHS_STAMP := $(B)/paths.stamp
$(PATHS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(PATHS)' | cmp -s - $@ 2>/dev/null || echo '$(PATHS)' > $@
.PHONY: FORCE
FORCE:
# pocctl finds its catalogs in $POCCTL_LOCALEDIR, else next to itself
# (build/locale), else in LOCALEDIR.
$(B)/cli/i18n.o: POC_CFLAGS += -DLOCALEDIR=\"$(LOCALEDIR)\"
$(B)/cli/client.o: POC_CFLAGS += -DCLIENT_DEFAULT_CONFIG=\"$(SYSCONFDIR)/pocctl.conf\"
$(B)/daemon/pocd.o: POC_CFLAGS += -DPOCD_CONFIG=\"$(SYSCONFDIR)/pocd.conf\"
$(B)/cli/i18n.o $(B)/cli/client.o $(B)/daemon/pocd.o: $(PATHS_STAMP)

bin: $(MO)
# The catalog test reads B/locale.
$(B)/tests/test_i18n: $(MO)

$(B)/locale/%/LC_MESSAGES/pocctl.mo: po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

# Re-extracts the msgids from cli/*.c and merges them into every catalog
# (then translate the new entries: the catalogs step of tests/ops/run,
# run by make check, lists those still empty or fuzzy).
pot:
	xgettext --from-code=UTF-8 -k_ -kN_ -kngettext:1,2 --language=C \
	  --add-location=file --package-name=pocctl --msgid-bugs-address=pocd \
	  -o po/pocctl.pot cli/*.c
	for l in $(LANGS); do msgmerge -q --update --backup=none po/$$l.po po/pocctl.pot; done

install: bin
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
	  $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(DOCDIR) \
	  $(DESTDIR)$(UNITDIR) $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(B)/pocd $(DESTDIR)$(PREFIX)/sbin/pocd
	install -m 0755 $(B)/pocctl $(DESTDIR)$(PREFIX)/bin/pocctl
	install -m 0644 man/pocctl.1 $(DESTDIR)$(PREFIX)/share/man/man1/pocctl.1
	install -m 0644 man/pocd.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/pocd.conf.5
	install -m 0644 man/pocd.8 $(DESTDIR)$(PREFIX)/share/man/man8/pocd.8
	for l in $(LANGS); do \
	  install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
	  install -m 0644 $(B)/locale/$$l/LC_MESSAGES/pocctl.mo \
	    $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/pocctl.mo || exit 1; \
	done
	install -m 0644 deploy/pocd.conf.example $(DESTDIR)$(DOCDIR)/pocd.conf.example
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 0755 certs/mkpki $(DESTDIR)$(DOCDIR)/mkpki
	install -d $(DESTDIR)$(DOCDIR)/docs
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/docs/
	install -d $(DESTDIR)$(PREFIX)/libexec/pocd
	install -m 0755 deploy/alert-sendmail deploy/alert-webhook $(DESTDIR)$(PREFIX)/libexec/pocd/
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)
	install -m 0644 deploy/pocd.conf.example $(DESTDIR)$(SYSCONFDIR)/pocd.conf.example
	sed -e 's|/usr/local/sbin/pocd|$(PREFIX)/sbin/pocd|g' \
	  -e 's|/etc/pocd/|$(SYSCONFDIR)/|g' deploy/pocd.service \
	  > $(DESTDIR)$(UNITDIR)/pocd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/pocd.service
	install -m 0644 deploy/pocctl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/pocctl

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/pocd $(DESTDIR)$(PREFIX)/bin/pocctl \
	  $(DESTDIR)$(PREFIX)/share/man/man1/pocctl.1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5/pocd.conf.5 \
	  $(DESTDIR)$(PREFIX)/share/man/man8/pocd.8 \
	  $(DESTDIR)$(UNITDIR)/pocd.service $(DESTDIR)$(BASHCOMPDIR)/pocctl \
	  $(DESTDIR)$(DOCDIR)/pocd.conf.example \
	  $(DESTDIR)$(DOCDIR)/README.md \
	  $(DESTDIR)$(DOCDIR)/mkpki \
	  $(addprefix $(DESTDIR)$(DOCDIR)/docs/,$(notdir $(DOCS))) \
	  $(DESTDIR)$(PREFIX)/libexec/pocd/alert-sendmail \
	  $(DESTDIR)$(PREFIX)/libexec/pocd/alert-webhook \
	  $(DESTDIR)$(SYSCONFDIR)/pocd.conf.example
	-rmdir $(DESTDIR)$(SYSCONFDIR) 2>/dev/null
	for l in $(LANGS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/pocctl.mo; done
	-rmdir $(DESTDIR)$(DOCDIR)/docs $(DESTDIR)$(DOCDIR) 2>/dev/null
	-rmdir $(DESTDIR)$(PREFIX)/libexec/pocd 2>/dev/null

# The checks of issue 6, each a script under tests/ops/ (run by make check).
ops-check: bin
	B=$(B) PYTHON=$(PYTHON) tests/ops/run

clean:
	rm -rf $(B) $(ASAN_B) $(B)-fuzz

-include $(shell find $(B) -name '*.d' -type f 2>/dev/null)
