#include "health/gpu/bandwidth.h"

namespace ks::gpu {

double gbps(double bytes, double seconds) { return seconds > 0 ? bytes / seconds / 1e9 : 0.0; }

double allreduce_busbw(double bytes_per_rank, double seconds, int nranks) {
    if (nranks < 1) return 0.0;
    return gbps(bytes_per_rank, seconds) * 2.0 * (nranks - 1) / nranks;
}

double allgather_busbw(double total_bytes, double seconds, int nranks) {
    if (nranks < 1) return 0.0;
    return gbps(total_bytes, seconds) * (nranks - 1) / nranks;
}

double gemm_tflops(double m, double n, double k, double seconds) {
    return seconds > 0 ? 2.0 * m * n * k / seconds / 1e12 : 0.0;
}

}  // namespace ks::gpu
