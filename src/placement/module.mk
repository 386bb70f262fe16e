# Placement policy: pure C++ over the topology model.
unit_placement_MODULES += topology

# bench-policy: speed of candidates() and a Slurm-free scheduling simulation (tests/bench/policy).
BENCH_POLICY := $(B)/bench/bench-policy
EXTRA_BINS += $(BENCH_POLICY)
BENCH_TARGETS += bench-policy
$(BENCH_POLICY): $(call objs_of,$(wildcard tests/bench/policy/*.cpp)) $(foreach m,common placement topology,$(call modlib,$(m)))
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $(EXE_LDFLAGS) -o $@ $(filter %.o,$^) $(call modlibs,placement topology) $(CMD_LDLIBS)

.PHONY: bench-policy
bench-policy: $(BENCH_POLICY)
	@$(BENCH_POLICY)
