# kubeslurm-burnin (engineer G): the sweep CLI. Its logic (everything but main.cpp) is also a
# library for the unit tests in tests/unit/gpu.
kubeslurm-burnin_MODULES := topology health

BURNIN_LIB := $(B)/lib/libks-burnin.a
$(BURNIN_LIB): $(call objs_of,$(filter-out src/cmd/kubeslurm-burnin/main.cpp,$(wildcard src/cmd/kubeslurm-burnin/*.cpp)))
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

unit_gpu_EXTRA_LIBS += $(BURNIN_LIB)
unit_gpu_MODULES += topology
