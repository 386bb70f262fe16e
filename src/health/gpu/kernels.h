// Device kernels of the backend (kernels.cu), launched on a given stream.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

namespace ks::gpu::kernels {

// Streaming copy of `bytes` (multiple of 16) with 16-byte loads and stores: HBM bandwidth.
void copy(void* dst, const void* src, size_t bytes, cudaStream_t s);

// Deterministic pseudo-random bf16 values in [-1, 1) from `seed`.
void fill_bf16(void* p, size_t count, unsigned seed, cudaStream_t s);

// Order-independent 64-bit checksum of `count` 16-bit words into *out (device memory, zeroed here).
void checksum16(const void* p, size_t count, unsigned long long* out, cudaStream_t s);

// All-reduce test data: element i of rank r is (r + 1) * (i % 7 + 1), exact in fp32.
void fill_allreduce(float* p, size_t count, int rank, cudaStream_t s);

// Counts elements that differ from the expected sum over `nranks` ranks into *mismatches
// (device memory, zeroed here).
void verify_allreduce(const float* p, size_t count, int nranks, unsigned long long* mismatches,
                      cudaStream_t s);

}  // namespace ks::gpu::kernels
