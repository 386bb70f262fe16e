// What every check of the backend gets: the request, the checker's services (log, progress,
// allgather) and the deadline. Check functions throw nothing past run_check (backend.cpp).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "health/check_result.h"
#include "health/gpu/request.h"
#include "health/gpu_backend.h"

namespace ks::gpu {

class Deadline {
public:
    explicit Deadline(double seconds)
        : m_start(std::chrono::steady_clock::now()),
          m_end(m_start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(seconds))),
          m_seconds(seconds) {}
    bool expired() const { return std::chrono::steady_clock::now() >= m_end; }
    double remaining_s() const {
        return std::chrono::duration<double>(m_end - std::chrono::steady_clock::now()).count();
    }
    double elapsed_s() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    }
    double total_s() const { return m_seconds; }

private:
    std::chrono::steady_clock::time_point m_start, m_end;
    double m_seconds;
};

// The checker's services belong to the caller of run_check: once the watchdog has answered
// (timeout), a worker still running must not call them any more.
struct HostGate {
    std::mutex mu;
    bool abandoned = false;
};

struct Context {
    const Request& request;
    const ks_gpu_host_v1* host;  // may be null (unit use, bench tools)
    Deadline deadline;
    HostGate* gate = nullptr;

    void log(int level, const std::string& message) const;
    void progress(double fraction) const;
    // host->allgather; -1 when there is no host or the run was abandoned.
    int allgather(const void* in, size_t len, void* out) const;
    int rank() const { return host ? host->rank : 0; }
    int nranks() const { return host ? host->nranks : 1; }
};

using Results = std::vector<CheckResult>;

// One function per check (check_*.cpp).
Results check_inventory(const Context& ctx);
Results check_passive(const Context& ctx);
Results check_hbm_bandwidth(const Context& ctx);
Results check_gemm_bf16(const Context& ctx);
Results check_pcie(const Context& ctx);
Results check_nvlink_p2p(const Context& ctx);
Results check_nccl_allreduce(const Context& ctx);
Results check_nccl_multinode(const Context& ctx);

}  // namespace ks::gpu
