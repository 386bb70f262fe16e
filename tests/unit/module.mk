# Unit tests see the source tree (for docs checks) through KUBESLURM_SOURCE_DIR.
$(B)/obj/tests/unit/%.o: CPPFLAGS += -DKUBESLURM_SOURCE_DIR='"$(CURDIR)"'
