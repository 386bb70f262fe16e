// Template part of cuda_util.h: timing loops over CUDA events.
#pragma once

#include <algorithm>

namespace ks::gpu {

template <class Body>
double time_iterations(cudaStream_t stream, const Deadline& d, double seconds, int warmup,
                       int min_iters, Body body) {
    for (int i = 0; i < warmup; ++i) body();
    wait_stream(stream, d, "warm-up");
    cudaEvent_t start, stop;
    cuda_check(cudaEventCreate(&start), "cudaEventCreate");
    cuda_check(cudaEventCreate(&stop), "cudaEventCreate");
    double total_s = 0;
    long iters = 0;
    int batch = std::max(1, min_iters);
    try {
        while (true) {
            cuda_check(cudaEventRecord(start, stream), "cudaEventRecord");
            for (int i = 0; i < batch; ++i) body();
            cuda_check(cudaEventRecord(stop, stream), "cudaEventRecord");
            wait_stream(stream, d, "timed iterations");
            float ms = 0;
            cuda_check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
            total_s += ms / 1e3;
            iters += batch;
            if (total_s >= seconds || d.remaining_s() < 2 * ms / 1e3 + 0.05) break;
            // Grow the batch towards the remaining time, bounded so the deadline is kept.
            double per_iter = total_s / iters;
            long want = static_cast<long>((seconds - total_s) / std::max(per_iter, 1e-6));
            batch = static_cast<int>(std::clamp<long>(want, 1, 1000));
        }
    } catch (...) {
        cudaEventDestroy(start);
        cudaEventDestroy(stop);
        throw;
    }
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    return total_s / static_cast<double>(iters);
}

}  // namespace ks::gpu
