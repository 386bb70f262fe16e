# job_submit/kubeslurm: kubeslurm's topology policies asked of stock Slurm placement (a segment for
# --topology=block, --switches=1 for leaf). Public slurm.h only. For Slurm 25.05 and later: 24.11's
# topology/block has segments too, but refuses one larger than the base block, and holds a job no
# larger than a base block in one block anyway. A C shim plus a C++ core linked statically (PIC).
JOBSUBMIT_DIR  := plugins/job_submit/kubeslurm
JOBSUBMIT_SO   := $(B)/plugins/job_submit_kubeslurm.so
JOBSUBMIT_OBJS := $(call objs_of,$(wildcard $(JOBSUBMIT_DIR)/*.c) $(wildcard $(JOBSUBMIT_DIR)/*.cpp))
JOBSUBMIT_MODULES := placement topology
JOBSUBMIT_SLURM_OK := $(shell printf '%s\n25.05\n' "$(SLURM_VERSION)" | sort -V | head -1 | grep -qx '25.05' && echo 1)

$(B)/obj/$(JOBSUBMIT_DIR)/%.o: CPPFLAGS += -I$(JOBSUBMIT_DIR)

# Slurm's symbols (its log, xstrdup) stay undefined and weak; ours must all resolve.
$(JOBSUBMIT_SO): $(JOBSUBMIT_OBJS) $(foreach m,common $(JOBSUBMIT_MODULES),$(call modlib,$(m))) $(JOBSUBMIT_DIR)/version.map
	@mkdir -p $(@D)
	$(CXX) -shared -Wl,-z,relro,-z,now -Wl,--as-needed $(SANFLAGS) -Wl,--version-script=$(JOBSUBMIT_DIR)/version.map \
	  -o $@.tmp $(JOBSUBMIT_OBJS) $(call modlibs,$(JOBSUBMIT_MODULES)) -pthread
	@if nm -uC $@.tmp | grep -q ' ks::'; then nm -uC $@.tmp | grep ' ks::' >&2; \
	  echo "error: $@: unresolved kubeslurm symbols" >&2; rm -f $@.tmp; exit 1; fi
	@mv $@.tmp $@

ifeq ($(JOBSUBMIT_SLURM_OK),1)
PLUGINS += $(JOBSUBMIT_SO)
endif
