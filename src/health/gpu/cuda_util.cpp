#include "health/gpu/cuda_util.h"

#include <chrono>
#include <thread>

#include "health/gpu/nvml.h"

namespace ks::gpu {

void cuda_check(cudaError_t e, const char* what) {
    if (e != cudaSuccess)
        throw CudaFailure(std::string(what) + ": " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")");
}

std::vector<Gpu> resolve_gpus(const std::vector<int>& physical) {
    int count = 0;
    cuda_check(cudaGetDeviceCount(&count), "cudaGetDeviceCount");
    // Physical index of each CUDA ordinal: NVML's index of the same PCI bus ID when NVML is
    // there, else the ordinal itself (CUDA_DEVICE_ORDER=PCI_BUS_ID, nothing hidden).
    std::string why;
    const nvml::Api* api = nvml::load(why);
    std::vector<int> phys_of(count);
    for (int ord = 0; ord < count; ++ord) {
        phys_of[ord] = ord;
        char bus[32] = {};
        if (api && api->DeviceGetHandleByPciBusId && api->DeviceGetIndex &&
            cudaDeviceGetPCIBusId(bus, sizeof bus, ord) == cudaSuccess) {
            nvml::Device dev = nullptr;
            unsigned idx = 0;
            if (api->DeviceGetHandleByPciBusId(bus, &dev) == nvml::Success &&
                api->DeviceGetIndex(dev, &idx) == nvml::Success)
                phys_of[ord] = static_cast<int>(idx);
        }
    }
    std::vector<Gpu> out;
    if (physical.empty()) {
        for (int ord = 0; ord < count; ++ord) out.push_back({phys_of[ord], ord});
        return out;
    }
    for (int p : physical) {
        int found = -1;
        for (int ord = 0; ord < count; ++ord)
            if (phys_of[ord] == p) found = ord;
        if (found < 0)
            throw CudaFailure("GPU " + std::to_string(p) + " is allocated but not visible to CUDA (" +
                              std::to_string(count) + " visible)");
        out.push_back({p, found});
    }
    return out;
}

DeviceBuffer::DeviceBuffer(size_t bytes) : m_bytes(bytes) {
    cuda_check(cudaMalloc(&m_ptr, bytes), "cudaMalloc");
}
DeviceBuffer::~DeviceBuffer() { cudaFree(m_ptr); }

PinnedBuffer::PinnedBuffer(size_t bytes) {
    cuda_check(cudaMallocHost(&m_ptr, bytes), "cudaMallocHost");
}
PinnedBuffer::~PinnedBuffer() { cudaFreeHost(m_ptr); }

Stream::Stream() { cuda_check(cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking), "cudaStreamCreate"); }
Stream::~Stream() { cudaStreamDestroy(m_stream); }

void wait_stream(cudaStream_t s, const Deadline& d, const char* what) {
    while (true) {
        cudaError_t e = cudaStreamQuery(s);
        if (e == cudaSuccess) return;
        if (e != cudaErrorNotReady) cuda_check(e, what);
        if (d.expired()) throw DeadlineExceeded(std::string(what) + " did not finish before the deadline");
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
}

size_t free_device_memory() {
    size_t free_b = 0, total_b = 0;
    cuda_check(cudaMemGetInfo(&free_b, &total_b), "cudaMemGetInfo");
    return free_b;
}

}  // namespace ks::gpu
