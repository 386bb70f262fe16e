# spank_kubeslurm.so: the SPANK plugin (options, health gate prolog, job environment).
# The option/config/report/runner logic lives in libks-spankcore (spank/core/), unit-tested in
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

$(SPANK_PLUGIN): $(call objs_of,$(wildcard spank/*.cpp)) $(SPANK_CORE_LIB) $(call modlib,common) spank/spank_kubeslurm.map
	@mkdir -p $(@D)
	$(CXX) -shared $(LDFLAGS) -Wl,--version-script=spank/spank_kubeslurm.map -Wl,--no-undefined-version \
	  -o $@ $(filter %.o,$^) $(SPANK_CORE_LIB) $(call modlibs,) -ldl

unit_spank_EXTRA_LIBS := $(SPANK_CORE_LIB)
