// Small RAII and error helpers over the CUDA runtime for the backend's checks. A failing CUDA
// call throws CudaFailure inside the backend; backend.cpp turns it into an error result.
#pragma once

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "health/gpu/context.h"

namespace ks::gpu {

struct CudaFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A wait that ran past the deadline.
struct DeadlineExceeded : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void cuda_check(cudaError_t e, const char* what);

// A GPU as the request names it (physical index, PCI bus order) and as CUDA numbers it here.
struct Gpu {
    int physical;
    int ordinal;
};

// Maps the requested physical indices to CUDA ordinals through PCI bus IDs (robust to
// CUDA_VISIBLE_DEVICES); an empty request means every GPU. Throws CudaFailure when a requested
// GPU is not visible.
std::vector<Gpu> resolve_gpus(const std::vector<int>& physical);

class DeviceBuffer {
public:
    DeviceBuffer(size_t bytes);
    ~DeviceBuffer();
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    void* get() const { return m_ptr; }
    size_t size() const { return m_bytes; }

private:
    void* m_ptr = nullptr;
    size_t m_bytes;
};

class PinnedBuffer {
public:
    PinnedBuffer(size_t bytes);
    ~PinnedBuffer();
    PinnedBuffer(const PinnedBuffer&) = delete;
    PinnedBuffer& operator=(const PinnedBuffer&) = delete;
    void* get() const { return m_ptr; }

private:
    void* m_ptr = nullptr;
};

class Stream {
public:
    Stream();
    ~Stream();
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    cudaStream_t get() const { return m_stream; }

private:
    cudaStream_t m_stream = nullptr;
};

// Waits for the stream by polling, so that a hung kernel becomes DeadlineExceeded instead of a
// hung prolog.
void wait_stream(cudaStream_t s, const Deadline& d, const char* what);

// Times `body` (which enqueues one iteration on `stream`) with CUDA events: runs it `warmup`
// times, then repeatedly in batches until `seconds` have passed (at least `min_iters`).
// Returns seconds per iteration.
template <class Body>
double time_iterations(cudaStream_t stream, const Deadline& d, double seconds, int warmup,
                       int min_iters, Body body);

// Free device memory of the current device, in bytes.
size_t free_device_memory();

}  // namespace ks::gpu

#include "health/gpu/cuda_util_timing.h"
