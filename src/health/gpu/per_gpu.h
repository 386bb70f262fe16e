// Runs a measurement on every requested GPU at once (one host thread per GPU, as a job drives
// them) and collects one figure per GPU; a GPU whose measurement throws gets an error or timeout
// result instead.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "health/gpu/context.h"
#include "health/gpu/cuda_util.h"
#include "health/gpu/thresholds.h"

namespace ks::gpu {

struct PerGpuOutcome {
    std::vector<DeviceFigure> figures;
    Results problems;  // error / timeout / fail results of GPUs that produced no usable figure
};

// `measure` runs with the GPU's device current and returns the figure (or throws). It may add
// extra results (e.g. a consistency failure) through the second argument. `parallel` = false
// measures one GPU after the other (for shared paths such as the host's PCIe root complex).
PerGpuOutcome for_each_gpu(const Context& ctx, const std::string& check,
                           const std::function<double(const Gpu&, Results&)>& measure,
                           bool parallel = true);

// Standard ending of a per-GPU measuring check: judge the figures (absolute threshold when the
// SKU has one, node median otherwise) and append the problems.
Results finish_per_gpu(const Context& ctx, const std::string& check, const std::string& unit,
                       std::string_view threshold_key, PerGpuOutcome outcome);

// A CUDA start-up failure (no driver, no device) is a skip, not an error.
std::optional<CheckResult> cuda_unavailable(const std::string& check);

}  // namespace ks::gpu
