# spank_kubeslurm.so: the SPANK plugin (options, health gate prolog, job environment).
# The option/config/report logic lives in libks-spankcore (spank/core/), unit-tested in
# tests/unit/spank; the plugin links it with libks-common and nothing from libslurm: Slurm's
# symbols come from the process that loads it.

SPANK_CORE_LIB := $(B)/lib/libks-spankcore.a
SPANK_PLUGIN   := $(B)/plugins/spank_kubeslurm.so
PLUGINS += $(SPANK_PLUGIN)

# Headers are included as "spank/...", relative to the top of the tree.
$(B)/obj/spank/%.o $(B)/obj/tests/unit/spank/%.o: CPPFLAGS += -I.

$(SPANK_CORE_LIB): $(call objs_of,$(wildcard spank/core/*.cpp))
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

# Modules of libkubeslurm the plugin (and its unit tests) link besides common.
SPANK_MODULES := topology health

$(SPANK_PLUGIN): $(call objs_of,$(wildcard spank/*.cpp)) $(SPANK_CORE_LIB) $(foreach m,common $(SPANK_MODULES),$(call modlib,$(m))) spank/spank_kubeslurm.map
	@mkdir -p $(@D)
	$(CXX) -shared $(LDFLAGS) -Wl,--version-script=spank/spank_kubeslurm.map -Wl,--no-undefined-version \
	  -o $@ $(filter %.o,$^) $(SPANK_CORE_LIB) $(call modlibs,$(SPANK_MODULES)) -ldl

unit_spank_EXTRA_LIBS := $(SPANK_CORE_LIB)
unit_spank_MODULES := $(SPANK_MODULES)

# Benchmark: job start latency with the gate (quick, nccl across 16 nodes) vs without the plugin.
.PHONY: bench-gate
BENCH_TARGETS += bench-gate
bench-gate: $(SPANK_PLUGIN) $(B)/bin/kubeslurm-gpucheck
	@$(SLURM_RUN_ENV) KUBESLURM_BUILD=$(abspath $(B)) $(PYTHON) tests/bench/gate/bench_gate.py
