# libFuzzer targets for the parsers of untrusted input (clang from Debian, see make deps):
#   make fuzz [FUZZ_TIME=60]   runs each target FUZZ_TIME seconds, one after the other, from its seed
#                              corpus (tests/fuzz/corpus/NAME) plus what earlier runs found, and
#                              prints executions per target; a crash fails the run and leaves its
#                              input as $(FUZZ_B)/crash-NAME-*
#   make fuzz FUZZ_RUNS=N      N executions per target instead (each still ends after FUZZ_TIME)
#   make fuzz-smoke            the same for FUZZ_SMOKE_TIME seconds each (part of make check)
# The library sources a target needs are built again with clang and coverage instrumentation,
# ASan and UBSan, in $(FUZZ_B).

FUZZ_CXX        ?= clang++
FUZZ_TIME       ?= 60
# One input running longer than this is a hang: reported and saved like a crash (libFuzzer's own
# default, 20 minutes, would stall make check behind one slow input).
FUZZ_INPUT_TIMEOUT ?= 60
FUZZ_SMOKE_TIME ?= 4
FUZZ_RUNS       ?=
FUZZ_B          := $(dir $(B))fuzz
FUZZ_TARGETS    := $(patsubst tests/fuzz/fuzz_%.cpp,%,$(wildcard tests/fuzz/fuzz_*.cpp))
FUZZ_BINS       := $(addprefix $(FUZZ_B)/fuzz_,$(FUZZ_TARGETS))
FUZZ_LIB_SRCS   := $(wildcard src/common/*.cpp src/topology/*.cpp src/k8s/*.cpp) src/sync/kube_json.cpp \
                   spank/core/levels.cpp spank/core/settings.cpp
FUZZ_SAN        := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CXXFLAGS   := -std=c++20 -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP
FUZZ_LIB        := $(FUZZ_B)/libks-fuzz.a

$(FUZZ_B)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(CPPFLAGS) -I. -Itests/fuzz $(FUZZ_CXXFLAGS) -c $< -o $@

$(FUZZ_LIB): $(patsubst %.cpp,$(FUZZ_B)/obj/%.o,$(FUZZ_LIB_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_B)/fuzz_%: $(FUZZ_B)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(FUZZ_CXX) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(CMD_LDLIBS)

.PHONY: fuzz fuzz-smoke fuzz-build
fuzz-build: $(FUZZ_BINS)

# One target at a time (libFuzzer uses one core each); the found corpus is kept between runs.
fuzz_run = failed=; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_B)/corpus/$$t; \
	  start=$$(date +%s); \
	  $(FUZZ_B)/fuzz_$$t -max_total_time=$(1) $(if $(2),-runs=$(2)) -timeout=$(FUZZ_INPUT_TIMEOUT) -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_B)/crash-$$t- $(FUZZ_B)/corpus/$$t tests/fuzz/corpus/$$t \
	    >$(FUZZ_B)/fuzz_$$t.log 2>&1 || { tail -40 $(FUZZ_B)/fuzz_$$t.log; echo "fuzz: $$t: FAILED"; failed="$$failed $$t"; continue; }; \
	  printf 'fuzz: %-16s %12s executions in %s s\n' $$t \
	    "$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_B)/fuzz_$$t.log)" $$(( $$(date +%s) - start )); \
	done; \
	[ -z "$$failed" ] || { echo "fuzz: failed:$$failed (inputs: $(FUZZ_B)/crash-*)"; exit 1; }

fuzz: fuzz-build
	@$(call fuzz_run,$(FUZZ_TIME),$(FUZZ_RUNS))

fuzz-smoke: fuzz-build
	@$(call fuzz_run,$(FUZZ_SMOKE_TIME))

-include $(shell find $(FUZZ_B) -type f -name '*.d' 2>/dev/null)
