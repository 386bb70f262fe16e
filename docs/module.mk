GEN_CONFIG_DOC := $(B)/tools/gen-config-doc
EXTRA_BINS += $(GEN_CONFIG_DOC)

$(GEN_CONFIG_DOC): $(call objs_of,tools/gen-config-doc.cpp) $(call modlib,common)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $(EXE_LDFLAGS) -o $@ $(filter %.o,$^) $(call modlibs,) $(CMD_LDLIBS)

.PHONY: docs-config
docs-config: $(GEN_CONFIG_DOC) packaging-docs
	@$(PYTHON) scripts/splice.py docs/kubeslurm.conf.md config-keys "$$($(GEN_CONFIG_DOC))"
