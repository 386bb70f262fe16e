// GPU checks come from the GPU backend (libkubeslurm-gpu.so, C ABI in gpu_backend.h), loaded with
// dlopen so that the checker runs on hosts without CUDA or a driver. When the backend cannot be
// loaded, a single "gpu" check reports skip with the reason.
#pragma once

#include <string>
#include <vector>

#include "health/check.h"

namespace ks::health {

struct GpuBackendChecks {
    std::vector<CheckPtr> checks;
    std::string load_error;  // empty when the backend was loaded
};

// Path: KUBESLURM_GPU_BACKEND (tests) overrides `configured` (config key GpuBackend).
std::string gpu_backend_path(const std::string& configured);
GpuBackendChecks load_gpu_checks(const std::string& path);

// GPU product name of the first allocated device, for [sku "..."] thresholds: KUBESLURM_GPU_SKU
// when set, else NVML (dlopen'ed); empty when unknown.
std::string detect_gpu_sku(const std::vector<int>& devices);

}  // namespace ks::health
