# pocd — one non-recursive Makefile.
#
#   make            build pocd and pocctl (installs missing Debian packages first)
#   make check      unit tests, sanitizer unit tests, integration tests
#   make demo       three-member federation on loopback, request/ack/response
#   make asan       unit tests built with -fsanitize=address,undefined
#
# Generated protobuf-c code goes to build/, never into the tree.

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
PROTOC_C ?= protoc-c
PYTHON   ?= python3

B := build

PKGS     := libevent_openssl libevent_core libevent_extra libssl libcrypto libprotobuf-c sqlite3 jansson inih
WARN     := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wwrite-strings -Werror
# CFLAGS/LDFLAGS are the caller's (optimisation, sanitizers); the flags the
# project requires are in POC_CFLAGS and cannot be dropped by overriding.
CFLAGS   ?= -O2 -g
POC_CFLAGS := -std=c17 -D_GNU_SOURCE $(WARN) -I. -I$(B) -Icommon \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

# Debian packages the build, the tests and the demo need.  `make deps` installs
# the missing ones when run as root, or prints the exact command otherwise.
DEB_PKGS := build-essential pkg-config libevent-dev libssl-dev openssl \
            libprotobuf-c-dev protobuf-c-compiler libsqlite3-dev sqlite3 \
            check libjansson-dev libinih-dev python3 jq

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

.PHONY: all bin deps check unit unit-run integration asan demo clean
.DEFAULT_GOAL := all

# Public targets install what is missing first, then build in a sub-make so
# that pkg-config flags are read after the packages exist.
all: deps
	@$(MAKE) --no-print-directory bin

bin: $(B)/pocd $(B)/pocctl $(B)/pocpeer

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

$(B)/pocd: $(B)/daemon/pocd.o $(B)/libdaemon.a $(B)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(B)/pocctl: $(B)/cli/pocctl.o $(B)/libcli.a $(B)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
# pocpeer: a test tool that speaks the peer protocol as a member (tests only).
$(B)/pocpeer: $(B)/tests/tools/pocpeer.o $(B)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests: tests/unit/test_NAME.c links only the modules named in
# tests/unit/test_NAME.mk as  test_NAME_MODS := common/frame common/util ...
-include $(wildcard tests/unit/*.mk)
.SECONDEXPANSION:
$(B)/tests/%: tests/unit/%.c $$(call obj,$$(addsuffix .c,$$($$*_MODS))) $(B)/proto/poc.pb-c.o
	@mkdir -p $(@D)
	$(CC) $(POC_CFLAGS) $(CFLAGS) -Itests/unit -Idaemon -Icli $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS) $(CHECK_LIBS)

unit: deps
	@$(MAKE) --no-print-directory unit-run

unit-run: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do \
	  CK_DEFAULT_TIMEOUT=30 $$t || fail=1; \
	done; exit $$fail

# The same unit tests under AddressSanitizer and UndefinedBehaviorSanitizer,
# in a separate build tree.
asan: deps
	$(MAKE) --no-print-directory B=build-asan \
	  CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" unit-run

integration: all
	$(PYTHON) tests/integration/run.py

check: deps
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory asan
	$(MAKE) --no-print-directory integration

demo: all
	tests/demo

clean:
	rm -rf $(B) build-asan

-include $(shell find $(B) -name '*.d' 2>/dev/null)
