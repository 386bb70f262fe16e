# kubeslurm — top-level GNU Makefile.
#
#   make            build everything that can be built here
#   make check      install deps, build, run unit tests (also under ASan/UBSan), the benchmark
#                   scripts' tests, a short run of each fuzz target and integration tests
#   make unit       the inner loop: build (-O0) and run the unit tests (no configured Slurm tree needed)
#   make fuzz       run each libFuzzer target for FUZZ_TIME seconds (tests/fuzz/module.mk)
#   make demo       install deps, build, run the end-to-end demo
#   make bench      all benchmarks (bench-placement, bench-gate, bench-sync, bench-gpu)
#   make install    honours DESTDIR, prefix, libdir, sysconfdir
#   make dist       kubeslurm-$(VERSION).tar.gz
#
# Each part of the tree adds its targets in a `module.mk` next to its sources; this file holds the
# toolchain, the flags and the generic rules.

VERSION := 0.1.0

prefix     ?= /usr
exec_prefix ?= $(prefix)
bindir     ?= $(exec_prefix)/bin
sbindir    ?= $(exec_prefix)/sbin
libdir     ?= $(exec_prefix)/lib64
libexecdir ?= $(exec_prefix)/libexec
datadir    ?= $(prefix)/share
mandir     ?= $(datadir)/man
sysconfdir ?= /etc
localstatedir ?= /var
unitdir    ?= $(prefix)/lib/systemd/system
DESTDIR    ?=

# Slurm release line to build and test against (`make SLURM=24.11`, the same on every target):
#   22.05  Debian 12's packages (the default): headers in /usr, the configured source tree that
#          `make deps` prepares under build/slurm for the select plugin;
#   24.11  Debian 13's source package, built by `make deps SLURM=24.11` into $(SLURM_ROOT)
#          (outside the work tree, reused when present).
# A site with its own Slurm build names it instead: SLURM_PREFIX=/its/prefix SLURM_SRC=/its/tree.
SLURM_DEFAULT := 22.05
SLURM ?= $(SLURM_DEFAULT)
SLURM_ROOT ?= /opt/kubeslurm-slurm
SLURM_LINES := 22.05 24.11
# The release `make deps` builds for each line it builds from source.
SLURM_RELEASE_24.11 := 24.11.5
ifeq ($(SLURM),22.05)
SLURM_PREFIX ?= /usr
SLURM_SRC    ?= build/slurm/src
else ifneq ($(SLURM_RELEASE_$(SLURM)),)
SLURM_PREFIX ?= $(SLURM_ROOT)/$(SLURM_RELEASE_$(SLURM))/prefix
SLURM_SRC    ?= $(SLURM_ROOT)/$(SLURM_RELEASE_$(SLURM))/src
else ifeq ($(SLURM_PREFIX),)
$(error SLURM=$(SLURM): make deps provides $(SLURM_LINES); for another Slurm give SLURM_PREFIX= (and SLURM_SRC= for the select plugin))
endif
SLURM_INCLUDE ?= $(SLURM_PREFIX)/include
# Slurm's version from SLURM_VERSION_NUMBER (0x160508 -> 22.05.8): Debian's slurm_version.h has
# no version string.
SLURM_VERSION := $(shell n=$$(sed -n 's/^\#define SLURM_VERSION_NUMBER 0x\([0-9a-fA-F]\{6\}\)$$/\1/p' \
  $(SLURM_INCLUDE)/slurm/slurm_version.h 2>/dev/null); [ -n "$$n" ] && \
  printf '%d.%02d.%d' $$((0x$${n%????})) $$((0x$$(echo $$n | cut -c3-4))) $$((0x$${n#????})))
SLURM_SYSTEM := $(filter /usr,$(SLURM_PREFIX))
SLURM_PLUGINDIR ?= $(if $(SLURM_SYSTEM),$(shell ls -d /usr/lib/*/slurm-wlm /usr/lib64/slurm 2>/dev/null | head -1),$(SLURM_PREFIX)/lib/slurm)
slurm_plugindir ?= $(libdir)/slurm
# Slurm outside /usr: its headers first, its libslurm linked with a run path; its commands and
# daemons first on PATH for the tests, demo and benchmarks.
SLURM_CPPFLAGS := $(if $(SLURM_SYSTEM),,-I$(SLURM_INCLUDE))
SLURM_LDFLAGS  := $(if $(SLURM_SYSTEM),,-L$(SLURM_PREFIX)/lib $(if $(filter 0,$(SLURM_RPATH)),,-Wl,-rpath,$(SLURM_PREFIX)/lib))
SLURM_RUN_ENV  := $(if $(SLURM_SYSTEM),,PATH=$(SLURM_PREFIX)/bin:$(SLURM_PREFIX)/sbin:$$PATH) \
                  KUBESLURM_SLURM_PLUGINDIR=$(SLURM_PLUGINDIR) KUBESLURM_SLURM_VERSION=$(SLURM_VERSION) \
                  KUBESLURM_SLURM_PREFIX=$(SLURM_PREFIX) KUBESLURM_SLURM_SRC=$(abspath $(SLURM_SRC))

CUDA_HOME ?= /usr/local/cuda
NVCC      ?= $(CUDA_HOME)/bin/nvcc
HAVE_CUDA := $(shell test -x $(NVCC) && test -f $(CUDA_HOME)/include/nccl.h && echo 1)

PYTHON ?= /usr/bin/python3
CXX ?= g++
CC  ?= gcc

SANITIZE ?=
# DEBUG=1: unoptimised (-O0 -g), in its own build directory: what `make unit` builds, about half
# the compile time of the release build.
DEBUG ?=
CI ?=
WERROR ?= $(if $(filter true 1,$(CI)),1,)

# One build directory per Slurm (plugins must match it): build/release for Debian 12's.
B := build/$(if $(SLURM_SYSTEM),,slurm-$(SLURM_VERSION)/)$(if $(filter 1,$(SANITIZE)),sanitize,$(if $(filter 1,$(DEBUG)),debug,release))

WARN     := -Wall -Wextra -Wno-unused-parameter $(if $(filter 1,$(WERROR)),-Werror)
# ASan instrumentation at -O1 makes GCC 12 report false maybe-uninitialized warnings in libstdc++.
WARN     += $(if $(filter 1,$(SANITIZE)),-Wno-maybe-uninitialized)
# _FORTIFY_SOURCE needs optimisation (glibc warns without it).
HARDEN   := $(if $(filter 1,$(DEBUG)),,-D_FORTIFY_SOURCE=2) -fstack-protector-strong -fstack-clash-protection -fcf-protection
comma := ,
SANFLAGS := $(if $(filter 1,$(SANITIZE)),-fsanitize=address$(comma)undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
OPT      := $(if $(filter 1,$(SANITIZE)),-O1,$(if $(filter 1,$(DEBUG)),-O0,-O2)) -g

CPPFLAGS += -Isrc $(SLURM_CPPFLAGS) -DKUBESLURM_VERSION='"$(VERSION)"' \
            -DKUBESLURM_SYSCONFDIR='"$(sysconfdir)/kubeslurm"' \
            -DKUBESLURM_LIBEXECDIR='"$(libexecdir)/kubeslurm"' \
            -DKUBESLURM_DATADIR='"$(datadir)/kubeslurm"' \
            -DKUBESLURM_LIBDIR='"$(libdir)/kubeslurm"' \
            -DKUBESLURM_STATEDIR='"$(localstatedir)/lib/kubeslurm"'
CXXFLAGS += -std=c++20 -fPIC $(OPT) $(WARN) $(HARDEN) $(SANFLAGS) -MMD -MP
CFLAGS   += -std=gnu11 -fPIC $(OPT) $(WARN) $(HARDEN) $(SANFLAGS) -MMD -MP
LDFLAGS  += -Wl,-z,relro,-z,now -Wl,--as-needed $(SANFLAGS)
EXE_LDFLAGS := -pie

# Libraries every command may use (as-needed drops the unused ones).
CMD_LDLIBS := $(SLURM_LDFLAGS) -lslurm -lcurl -lyaml-cpp -lmunge -lssl -lcrypto -pthread -ldl

.PHONY: all check check-unit check-integration check-sanitize check-bench unit demo bench deps install \
        dist clean distclean print-version
.DEFAULT_GOAL := all

# ---- generic rules ---------------------------------------------------------------------------

$(B)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

objs_of = $(patsubst %.cpp,$(B)/obj/%.o,$(filter %.cpp,$(1))) \
          $(patsubst %.c,$(B)/obj/%.o,$(filter %.c,$(1)))

# libkubeslurm: the C++ core (no Slurm internals), one static library per module so that a
# target compiles only what it links: src/MODULE/*.cpp -> $(B)/lib/libks-MODULE.a. A module.mk may
# add sources to MODULE_SRCS_<module> (generated or CUDA files) or filter them.
MODULES  := $(filter-out cmd,$(notdir $(wildcard src/*)))
$(foreach m,$(MODULES),$(eval MODULE_SRCS_$(m) := $(wildcard src/$(m)/*.cpp)))
modlib   = $(B)/lib/libks-$(1).a
# Link line for a list of modules (order-independent thanks to the group).
modlibs  = -Wl,--start-group $(foreach m,$(sort common $(1)),$(call modlib,$(m))) -Wl,--end-group

# Commands: every directory src/cmd/NAME becomes $(B)/bin/NAME, linking NAME_MODULES (default:
# all modules).
CMDS      := $(notdir $(wildcard src/cmd/*))
CMD_BINS  := $(addprefix $(B)/bin/,$(CMDS))

# Unit tests: every directory tests/unit/MODULE becomes $(B)/tests/unit-MODULE, linking MODULE
# itself (when it is a library module) plus unit_MODULE_MODULES.
UNIT_MODULES := $(notdir $(patsubst %/,%,$(dir $(wildcard tests/unit/*/*.cpp))))
UNIT_MODULES := $(sort $(UNIT_MODULES))
UNIT_BINS    := $(addprefix $(B)/tests/unit-,$(UNIT_MODULES))
CATCH_MAIN   := $(B)/obj/tests/unit/catch_main.o

PLUGINS :=          # modules append shared objects to build
EXTRA_BINS :=       # modules append other programs (test servers, helpers)

include $(sort $(wildcard src/*/module.mk src/*/*/module.mk spank/module.mk plugins/*/*/module.mk tests/*/module.mk packaging/module.mk docs/module.mk))

define module_rule
$(call modlib,$(1)): $(call objs_of,$(MODULE_SRCS_$(1)))
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call module_rule,$(m))))
ALL_LIBS := $(foreach m,$(MODULES),$(call modlib,$(m)))

define cmd_rule
$(1)_MODULES ?= $(MODULES)
$(B)/bin/$(1): $(call objs_of,$(wildcard src/cmd/$(1)/*.cpp)) $$(foreach m,common $$($(1)_MODULES),$$(call modlib,$$(m))) $$($(1)_EXTRA_LIBS)
	@mkdir -p $$(@D)
	$$(CXX) $$(LDFLAGS) $$(EXE_LDFLAGS) -o $$@ $$(filter %.o,$$^) $$($(1)_EXTRA_LIBS) $$(call modlibs,$$($(1)_MODULES)) $$(CMD_LDLIBS) $$($(1)_LDLIBS)
endef
$(foreach c,$(CMDS),$(eval $(call cmd_rule,$(c))))

define unit_rule
unit_$(1)_MODULES += $(filter $(1),$(MODULES))
$(B)/tests/unit-$(1): $(call objs_of,$(wildcard tests/unit/$(1)/*.cpp)) $(CATCH_MAIN) $$(foreach m,common $$(unit_$(1)_MODULES),$$(call modlib,$$(m))) $$(unit_$(1)_EXTRA_LIBS)
	@mkdir -p $$(@D)
	$$(CXX) $$(LDFLAGS) $$(EXE_LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(unit_$(1)_EXTRA_LIBS) $$(call modlibs,$$(unit_$(1)_MODULES)) $$(CMD_LDLIBS) $$(unit_$(1)_LDLIBS)
endef
$(foreach m,$(UNIT_MODULES),$(eval $(call unit_rule,$(m))))

all: $(ALL_LIBS) $(CMD_BINS) $(PLUGINS) $(EXTRA_BINS) $(UNIT_BINS)
ifneq ($(HAVE_CUDA),1)
	@echo "note: CUDA/NCCL not found at CUDA_HOME=$(CUDA_HOME): GPU checks are not built (set CUDA_HOME)"
endif

# ---- dependencies ----------------------------------------------------------------------------

deps:
	@./scripts/install-deps.sh $(SLURM)

# ---- tests -----------------------------------------------------------------------------------
#
# `make check` tests each Slurm line that `make deps` provides: unit tests and the full
# integration suite on 24.11 (what sites run), and SMOKE_TESTS on 22.05 (the components whose
# code differs by Slurm version, each on a real cluster). `make check SLURM=X` tests X alone, in
# full. `make check-integration T=tests/integration/FILE.py::TEST` runs one test.

REPORTS := build/reports
SMOKE_TESTS := tests/integration/test_cluster_basics.py tests/integration/test_select_topology.py \
               tests/integration/test_select_spank_route.py tests/integration/test_spank_gate.py \
               tests/integration/test_topo_cli.py
ifeq ($(origin SLURM),file)
CHECK_FULL  := 24.11
CHECK_SMOKE := $(SLURM_DEFAULT)
else
CHECK_FULL  := $(SLURM)
CHECK_SMOKE :=
endif
T ?= tests/integration
phase = ./tests/phase.sh $(REPORTS)/phases.tsv
submake = $(MAKE) --no-print-directory SLURM=$(1)

.PHONY: smoke-build
smoke-build: $(SMOKE_BUILD)

check-unit: $(UNIT_BINS)
	@mkdir -p $(REPORTS)
	@./tests/run-unit.sh $(REPORTS)/unit$(if $(filter 1,$(SANITIZE)),-sanitize) $(UNIT_BINS)

# The inner loop: `make unit` builds the unit tests unoptimised (DEBUG=1, build/.../debug; make
# check still runs them at -O2 and under ASan) and runs them. They need the public Slurm headers
# and libslurm (libslurm-dev), never the configured Slurm source tree of `make deps` (the select
# plugin's queue logic is in src/placement, unit tested there).
.PHONY: unit-loop
unit:
	@$(MAKE) --no-print-directory $(if $(filter 1,$(SANITIZE)),,DEBUG=1) unit-loop
unit-loop: $(UNIT_BINS)
	@mkdir -p $(REPORTS)
	@./tests/run-unit.sh $(REPORTS)/unit$(if $(filter 1,$(SANITIZE)),-sanitize) $(UNIT_BINS)

# The benchmark scripts' own tests (trace, timeline, the span-cost job): pure Python, no cluster.
check-bench:
	@mkdir -p $(REPORTS)
	@$(PYTHON) -m pytest -q -p no:cacheprovider --junitxml=$(REPORTS)/bench-scripts.xml tests/bench

check-sanitize:
	@$(MAKE) --no-print-directory SANITIZE=1 check-unit

# The smoke run builds only what its tests run (INTEGRATION_BUILD=smoke), not `all`.
SMOKE_BUILD = $(SPANK_PLUGIN) $(SELTOPO_SO) $(B)/bin/kubeslurm-topo $(B)/bin/kubeslurm-gpucheck
INTEGRATION_BUILD ?= all
check-integration: $(if $(filter smoke,$(INTEGRATION_BUILD)),$(SMOKE_BUILD),all)
	@mkdir -p $(REPORTS)
	@echo "integration tests on Slurm $(SLURM_VERSION): $(T)"
	@$(SLURM_RUN_ENV) KUBESLURM_BUILD=$(abspath $(B)) $(PYTHON) -m pytest -q -p no:cacheprovider \
	  --junitxml=$(REPORTS)/integration-slurm-$(SLURM_VERSION).xml $(T) $(PYTEST_ARGS)

check:
	@rm -rf $(REPORTS) && mkdir -p $(REPORTS)
	@$(foreach l,$(CHECK_FULL) $(CHECK_SMOKE),$(phase) "deps, Slurm $(l)" ./scripts/install-deps.sh $(l) &&) true
	@$(phase) "build, Slurm $(CHECK_FULL)" $(call submake,$(CHECK_FULL)) all
	@ok=0; \
	 $(phase) "unit tests" $(call submake,$(CHECK_FULL)) check-unit || ok=1; \
	 $(phase) "unit tests, ASan+UBSan" $(call submake,$(CHECK_FULL)) check-sanitize || ok=1; \
	 $(phase) "benchmark scripts' tests" $(call submake,$(CHECK_FULL)) check-bench || ok=1; \
	 $(phase) "fuzz smoke" $(call submake,$(CHECK_FULL)) fuzz-smoke || ok=1; \
	 $(phase) "integration, Slurm $(CHECK_FULL), full" $(call submake,$(CHECK_FULL)) check-integration || ok=1; \
	 $(if $(CHECK_SMOKE),{ $(phase) "build$(comma) Slurm $(CHECK_SMOKE)$(comma) smoke" $(call submake,$(CHECK_SMOKE)) \
	     INTEGRATION_BUILD=smoke smoke-build && \
	   $(phase) "integration$(comma) Slurm $(CHECK_SMOKE)$(comma) smoke" $(call submake,$(CHECK_SMOKE)) \
	     INTEGRATION_BUILD=smoke check-integration T="$(SMOKE_TESTS)"; } || ok=1;) \
	 $(PYTHON) tests/summarize.py $(REPORTS) || ok=1; \
	 exit $$ok

demo: deps
	@$(MAKE) --no-print-directory all
	@$(SLURM_RUN_ENV) KUBESLURM_BUILD=$(abspath $(B)) KEEP=$(KEEP) $(PYTHON) demo/run_demo.py

bench: $(BENCH_TARGETS)

print-version:
	@echo $(VERSION)

# ---- install / dist --------------------------------------------------------------------------

install: all $(INSTALL_TARGETS)

DIST_NAME := kubeslurm-$(VERSION)
dist:
	@rm -rf build/dist && mkdir -p build/dist/$(DIST_NAME)
	@git ls-files -z | xargs -0 cp --parents -t build/dist/$(DIST_NAME)
	@tar -C build/dist -czf $(DIST_NAME).tar.gz $(DIST_NAME)
	@echo "wrote $(DIST_NAME).tar.gz"

clean:
	rm -rf build/release build/sanitize build/debug build/slurm-*/ build/reports build/dist $(DIST_NAME).tar.gz

distclean: clean
	rm -rf build

-include $(shell find $(B) -type f -name '*.d' 2>/dev/null)
