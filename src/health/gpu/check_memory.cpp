// HBM bandwidth with our own streaming copy kernel: bytes read + bytes written per second, the
// way STREAM "copy" counts them.
#include <algorithm>

#include "health/gpu/bandwidth.h"
#include "health/gpu/kernels.h"
#include "health/gpu/per_gpu.h"

namespace ks::gpu {

Results check_hbm_bandwidth(const Context& ctx) {
    const std::string name = "gpu.hbm_bandwidth";
    if (auto s = cuda_unavailable(name)) return {*s};
    const double seconds = measuring_seconds(ctx.request);
    auto outcome = for_each_gpu(ctx, name, [&](const Gpu&, Results&) {
        // 1 GiB per buffer (far above any cache), less on small GPUs; a multiple of 16 bytes.
        size_t bytes = std::min<size_t>(size_t{1} << 30, free_device_memory() / 4) & ~size_t{0xffff};
        DeviceBuffer src(bytes), dst(bytes);
        Stream stream;
        cuda_check(cudaMemsetAsync(src.get(), 1, bytes, stream.get()), "cudaMemsetAsync");
        double per_iter = time_iterations(stream.get(), ctx.deadline, seconds, 2, 10, [&] {
            kernels::copy(dst.get(), src.get(), bytes, stream.get());
        });
        cuda_check(cudaGetLastError(), "copy kernel");
        return gbps(2.0 * static_cast<double>(bytes), per_iter);
    });
    return finish_per_gpu(ctx, name, "GB/s", key::HbmMin, std::move(outcome));
}

}  // namespace ks::gpu
