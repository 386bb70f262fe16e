# src/health: checker framework (libks-health). The checker program and the unit tests link it.
kubeslurm-gpucheck_MODULES := health
unit_health_MODULES := health

# A fake GPU backend for tests only (never installed): the loader, the request/result contract,
# allgather and the watchdog are tested with it on hosts without GPUs.
FAKE_GPU_BACKEND := $(B)/tests/libks-fake-gpu-backend.so
EXTRA_BINS += $(FAKE_GPU_BACKEND)
$(FAKE_GPU_BACKEND): $(call objs_of,tests/unit/health/fake_backend/fake_gpu_backend.cpp)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -shared -o $@ $^
$(B)/tests/unit-health: | $(FAKE_GPU_BACKEND)
$(B)/obj/tests/unit/health/%.o: CPPFLAGS += -DKS_FAKE_GPU_BACKEND='"$(abspath $(FAKE_GPU_BACKEND))"'
