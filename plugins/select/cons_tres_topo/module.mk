# select/cons_tres_topo: C shim compiled against the configured Slurm source tree plus a C++
# core linked statically (PIC) from libks-topology, libks-placement and libks-common.
SELTOPO_DIR  := plugins/select/cons_tres_topo
SELTOPO_SO   := $(B)/plugins/select_cons_tres_topo.so
SELTOPO_OBJS := $(call objs_of,$(wildcard $(SELTOPO_DIR)/*.c) $(wildcard $(SELTOPO_DIR)/*.cpp))
SELTOPO_MODULES := topology placement

# Slurm's internal headers are not warning-clean under -Wextra: include them as system headers.
$(B)/obj/$(SELTOPO_DIR)/%.o: CPPFLAGS += -isystem $(SLURM_SRC) -I$(SELTOPO_DIR)
$(SELTOPO_OBJS): $(SLURM_SRC)/config.h

# No -z now: Slurm loads plugins with RTLD_LAZY so that slurmctld-only functions stay unresolved
# in slurmd and the client commands, which load every select plugin too.
$(SELTOPO_SO): $(SELTOPO_OBJS) $(foreach m,common $(SELTOPO_MODULES),$(call modlib,$(m))) $(SELTOPO_DIR)/version.map
	@mkdir -p $(@D)
	$(CXX) -shared -Wl,-z,relro -Wl,--as-needed $(SANFLAGS) -Wl,--version-script=$(SELTOPO_DIR)/version.map \
	  -o $@.tmp $(SELTOPO_OBJS) $(call modlibs,$(SELTOPO_MODULES)) -ldl -pthread
	@# Slurm's symbols stay undefined (the daemon provides them); ours must not, or slurmctld
	@# would die on the first lazy call.
	@if nm -uC $@.tmp | grep -q ' ks::'; then nm -uC $@.tmp | grep ' ks::' >&2; \
	  echo "error: $@: unresolved kubeslurm symbols" >&2; rm -f $@.tmp; exit 1; fi
	@mv $@.tmp $@

$(SLURM_SRC)/config.h:
	@echo "error: configured Slurm source tree missing at $(SLURM_SRC): run 'make deps'" >&2; exit 1

PLUGINS += $(SELTOPO_SO)

# Benchmark: the same seeded trace on stock cons_tres + topology/tree and on this plugin with each
# policy, four rounds (about 40 minutes; BENCH_PLACEMENT_ARGS="--jobs 60 --rounds 1" for a quick look).
.PHONY: bench-placement
bench-placement: $(SELTOPO_SO)
	$(SLURM_RUN_ENV) KUBESLURM_BUILD=$(abspath $(B)) $(PYTHON) tests/bench/placement/run_bench.py $(BENCH_PLACEMENT_ARGS)
BENCH_TARGETS += bench-placement
