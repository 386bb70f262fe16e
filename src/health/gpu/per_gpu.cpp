#include "health/gpu/per_gpu.h"

#include <mutex>
#include <thread>

namespace ks::gpu {

std::optional<CheckResult> cuda_unavailable(const std::string& check) {
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver || (e == cudaSuccess && count == 0))
        return health::skipped(check, std::string("no usable NVIDIA GPU or driver: ") +
                               (e == cudaSuccess ? "0 GPUs visible" : cudaGetErrorString(e)));
    if (e != cudaSuccess) return health::skipped(check, std::string("CUDA not usable: ") + cudaGetErrorString(e));
    return std::nullopt;
}

PerGpuOutcome for_each_gpu(const Context& ctx, const std::string& check,
                           const std::function<double(const Gpu&, Results&)>& measure,
                           bool parallel) {
    PerGpuOutcome out;
    std::vector<Gpu> gpus = resolve_gpus(ctx.request.devices);
    std::mutex mu;
    std::vector<std::thread> threads;
    for (const Gpu& g : gpus) {
        auto one = [&, g] {
            Results extra;
            try {
                cuda_check(cudaSetDevice(g.ordinal), "cudaSetDevice");
                double v = measure(g, extra);
                std::lock_guard lock(mu);
                out.figures.push_back({g.physical, v});
                for (auto& r : extra) out.problems.push_back(std::move(r));
            } catch (const DeadlineExceeded& e) {
                std::lock_guard lock(mu);
                CheckResult t = health::gave_up(check, ctx.deadline.total_s(), g.physical);
                t.detail += std::string(": ") + e.what();
                out.problems.push_back(t);
            } catch (const std::exception& e) {
                std::lock_guard lock(mu);
                out.problems.push_back(health::errored(check, e.what(), g.physical));
            }
        };
        if (parallel) threads.emplace_back(one);
        else one();
    }
    for (auto& t : threads) t.join();
    return out;
}

Results finish_per_gpu(const Context& ctx, const std::string& check, const std::string& unit,
                       std::string_view threshold_key, PerGpuOutcome outcome) {
    auto absolute = ctx.request.thresholds.get(threshold_key);
    if (!absolute && outcome.figures.size() >= 1)
        ctx.log(1, check + ": no '" + std::string(threshold_key) +
                       "' threshold for this GPU model: judging against the node's median GPU");
    Results out = judge_devices(check, unit, ">=", outcome.figures, absolute,
                                ctx.request.thresholds.tolerance());
    for (auto& p : outcome.problems) out.push_back(std::move(p));
    return out;
}

}  // namespace ks::gpu
