// Bandwidth arithmetic as nccl-tests reports it (health-anchors.md): algbw = S / t, and for
// all-reduce busbw = algbw * 2(n-1)/n, so that figures compare across rank counts.
#pragma once

#include <cstddef>

namespace ks::gpu {

// Bytes over seconds in GB/s (1e9 bytes); 0 when the time is not positive.
double gbps(double bytes, double seconds);

double allreduce_busbw(double bytes_per_rank, double seconds, int nranks);
double allgather_busbw(double total_bytes, double seconds, int nranks);

// bf16/fp16 GEMM of m x n x k: 2mnk floating point operations, in TFLOP/s.
double gemm_tflops(double m, double n, double k, double seconds);

// nccl-tests fails a run whose average busbw is below 0.9 x the required minimum.
inline constexpr double kNcclTestsSlack = 0.9;

}  // namespace ks::gpu
