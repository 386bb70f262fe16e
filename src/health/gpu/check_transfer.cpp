// Host <-> GPU copies from pinned memory (PCIe or C2C) and GPU <-> GPU peer copies (NVLink).
#include <algorithm>

#include "health/gpu/bandwidth.h"
#include "health/gpu/per_gpu.h"

namespace ks::gpu {

namespace {

constexpr size_t kCopyBytes = size_t{256} << 20;

double copy_gbps(const Context& ctx, double seconds, void* dst, const void* src, cudaMemcpyKind kind) {
    Stream stream;
    double per_iter = time_iterations(stream.get(), ctx.deadline, seconds, 1, 4, [&] {
        cuda_check(cudaMemcpyAsync(dst, src, kCopyBytes, kind, stream.get()), "cudaMemcpyAsync");
    });
    return gbps(static_cast<double>(kCopyBytes), per_iter);
}

}  // namespace

Results check_pcie(const Context& ctx) {
    if (auto s = cuda_unavailable("gpu.pcie")) return {*s};
    // Two directions per GPU, one GPU after the other, within the check's time.
    const size_t gpus = std::max<size_t>(1, ctx.request.devices.empty() ? resolve_gpus({}).size()
                                                                          : ctx.request.devices.size());
    const double seconds = std::max(0.05, measuring_seconds(ctx.request) / (2.0 * static_cast<double>(gpus)));
    PerGpuOutcome h2d, d2h_figures;
    // One GPU at a time: concurrent copies would measure the host's root complex, not the GPU link.
    h2d = for_each_gpu(ctx, "gpu.pcie_h2d", [&](const Gpu& g, Results&) {
        PinnedBuffer host(kCopyBytes);
        DeviceBuffer dev(kCopyBytes);
        double up = copy_gbps(ctx, seconds, dev.get(), host.get(), cudaMemcpyHostToDevice);
        double down = copy_gbps(ctx, seconds, host.get(), dev.get(), cudaMemcpyDeviceToHost);
        d2h_figures.figures.push_back({g.physical, down});  // sequential: no lock needed
        return up;
    }, false);
    ctx.progress(0.9);
    Results out = finish_per_gpu(ctx, "gpu.pcie_h2d", "GB/s", key::H2dMin, std::move(h2d));
    Results down = finish_per_gpu(ctx, "gpu.pcie_d2h", "GB/s", key::D2hMin, std::move(d2h_figures));
    out.insert(out.end(), down.begin(), down.end());
    return out;
}

Results check_nvlink_p2p(const Context& ctx) {
    const std::string name = "gpu.nvlink_p2p";
    if (auto s = cuda_unavailable(name)) return {*s};
    std::vector<Gpu> gpus = resolve_gpus(ctx.request.devices);
    if (gpus.size() < 2) return {health::skipped(name, "fewer than two GPUs allocated: no peer copies")};

    struct Pair {
        Gpu src, dst;
    };
    std::vector<Pair> pairs, no_access;
    for (const auto& a : gpus)
        for (const auto& b : gpus) {
            if (a.ordinal == b.ordinal) continue;
            int ok = 0;
            cuda_check(cudaDeviceCanAccessPeer(&ok, a.ordinal, b.ordinal), "cudaDeviceCanAccessPeer");
            (ok ? pairs : no_access).push_back({a, b});
        }
    if (pairs.empty()) return {health::skipped(name, "no GPU pair has peer access (no NVLink/P2P on this node)")};

    const double seconds = std::max(0.05, measuring_seconds(ctx.request) / static_cast<double>(pairs.size()));
    std::vector<DeviceFigure> figures;
    std::vector<int> peers;
    Results problems;
    for (size_t i = 0; i < pairs.size(); ++i) {
        const auto& p = pairs[i];
        try {
            cuda_check(cudaSetDevice(p.src.ordinal), "cudaSetDevice");
            cudaError_t e = cudaDeviceEnablePeerAccess(p.dst.ordinal, 0);
            if (e == cudaErrorPeerAccessAlreadyEnabled) cudaGetLastError();
            else cuda_check(e, "cudaDeviceEnablePeerAccess");
            DeviceBuffer src(kCopyBytes);
            cuda_check(cudaSetDevice(p.dst.ordinal), "cudaSetDevice");
            DeviceBuffer dst(kCopyBytes);
            cuda_check(cudaSetDevice(p.src.ordinal), "cudaSetDevice");
            Stream stream;
            double per_iter = time_iterations(stream.get(), ctx.deadline, seconds, 1, 4, [&] {
                cuda_check(cudaMemcpyPeerAsync(dst.get(), p.dst.ordinal, src.get(), p.src.ordinal, kCopyBytes,
                                               stream.get()),
                           "cudaMemcpyPeerAsync");
            });
            figures.push_back({p.src.physical, gbps(static_cast<double>(kCopyBytes), per_iter)});
            peers.push_back(p.dst.physical);
        } catch (const DeadlineExceeded& e) {
            problems.push_back(health::gave_up(name, ctx.deadline.total_s(), p.src.physical));
            break;
        } catch (const std::exception& e) {
            problems.push_back(health::errored(name, std::string("to GPU ") + std::to_string(p.dst.physical) + ": " + e.what(),
                                     p.src.physical));
        }
        ctx.progress(static_cast<double>(i + 1) / static_cast<double>(pairs.size()));
    }
    auto absolute = ctx.request.thresholds.get(key::P2pMin);
    Results out = judge_devices(name, "GB/s", ">=", figures, absolute, ctx.request.thresholds.tolerance());
    for (size_t i = 0; i < out.size(); ++i) {
        out[i].extra["peer"] = peers[i];
        std::string pair = "GPU " + std::to_string(figures[i].device) + " -> GPU " + std::to_string(peers[i]);
        out[i].detail = out[i].detail.empty() || out[i].extra.contains("relative") ? pair : pair + ": " + out[i].detail;
    }
    for (const auto& p : no_access) {
        CheckResult r = health::errored(name, "GPU " + std::to_string(p.src.physical) + " cannot access GPU " +
                                        std::to_string(p.dst.physical) + " while other pairs can",
                              p.src.physical);
        r.status = Status::Fail;
        out.push_back(r);
    }
    out.insert(out.end(), problems.begin(), problems.end());
    return out;
}

}  // namespace ks::gpu
