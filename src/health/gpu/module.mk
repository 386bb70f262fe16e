# GPU backend (engineer G): libkubeslurm-gpu.so, loaded by kubeslurm-gpucheck with dlopen.
#
# - GPU_CORE_SRCS: pure C++ (thresholds, verdicts, busbw maths, request parsing) that compiles
#   without CUDA: $(B)/lib/libks-gpucore.a, linked into the backend and the unit tests. Results
#   are health's CheckResult: libks-health's check_result.o is linked in with it.
# - the rest of src/health/gpu (*.cpp, *.cu): CUDA runtime (static), cuBLASLt and NCCL (dynamic);
#   NVML through dlopen at run time.

GPU_DIR        := src/health/gpu
GPU_CORE_SRCS  := $(addprefix $(GPU_DIR)/,thresholds.cpp nvml_decode.cpp bandwidth.cpp request.cpp)
GPU_CORE_LIB   := $(B)/lib/libks-gpucore.a
GPU_CUDA_SRCS  := $(filter-out $(GPU_CORE_SRCS),$(wildcard $(GPU_DIR)/*.cpp))
GPU_CU_SRCS    := $(wildcard $(GPU_DIR)/*.cu)
GPU_BACKEND    := $(B)/lib/libkubeslurm-gpu.so

# sm_80 (A100), sm_90 (H100/H200/GH200), sm_100 (B200/GB200) plus PTX for newer GPUs.
NVCC_ARCHS  ?= -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
               -gencode arch=compute_100,code=[sm_100,compute_100]
NVCC_FLAGS  ?= -std=c++20 -O3 -lineinfo $(NVCC_ARCHS) -Xcompiler -fPIC,-Wall,-Wextra,-Wno-unused-parameter

$(GPU_CORE_LIB): $(call objs_of,$(GPU_CORE_SRCS))
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

unit_gpu_EXTRA_LIBS += $(GPU_CORE_LIB)
# Results are health's CheckResult (src/health/check_result.h), shared with the checker.
unit_gpu_MODULES += health

ifeq ($(HAVE_CUDA),1)
PLUGINS += $(GPU_BACKEND)

$(call objs_of,$(GPU_CUDA_SRCS)): CPPFLAGS += -isystem $(CUDA_HOME)/include

$(B)/obj/%.cu.o: %.cu
	@mkdir -p $(@D)
	$(NVCC) $(filter -I% -D%,$(CPPFLAGS)) -isystem $(CUDA_HOME)/include $(NVCC_FLAGS) -MMD -MP -c $< -o $@

$(GPU_BACKEND): $(call objs_of,$(GPU_CUDA_SRCS)) $(patsubst %.cu,$(B)/obj/%.cu.o,$(GPU_CU_SRCS)) $(GPU_CORE_LIB) $(call modlib,common) $(call modlib,health) $(GPU_DIR)/exports.map
	@mkdir -p $(@D)
	$(CXX) -shared $(LDFLAGS) -Wl,--version-script=$(GPU_DIR)/exports.map -Wl,--exclude-libs,ALL \
	  -o $@ $(filter %.o,$^) $(GPU_CORE_LIB) $(call modlibs,health) \
	  -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcudart_static -lcublasLt -lnccl -ldl -lrt -pthread

.PHONY: gpu-backend
gpu-backend: $(GPU_BACKEND)
else
PLUGINS += gpu-backend
.PHONY: gpu-backend
gpu-backend:
	@echo "note: libkubeslurm-gpu.so not built: CUDA/NCCL not found at CUDA_HOME=$(CUDA_HOME) (nvcc and nccl.h needed)"
endif
