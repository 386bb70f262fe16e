// The C ABI entry of libkubeslurm-gpu.so (src/health/gpu_backend.h): JSON in, JSON out, nothing
// thrown across. Each check runs on a worker thread under a watchdog: the answer comes back by
// the request's deadline even when a CUDA call blocks inside the driver.
#include <cxxabi.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "health/gpu/context.h"

namespace ks::gpu {

namespace {

// Calls the checker unless the watchdog has already answered for this check.
template <class F>
void through_gate(HostGate* gate, F call) {
    if (!gate) return call();
    std::lock_guard lock(gate->mu);
    if (!gate->abandoned) call();
}

}  // namespace

void Context::log(int level, const std::string& message) const {
    if (!host || !host->log) return;
    const std::string line = "gpu: " + request.check + ": " + message;
    through_gate(gate, [&] { host->log(host->ctx, level, line.c_str()); });
}

void Context::progress(double fraction) const {
    if (!host || !host->progress) return;
    through_gate(gate, [&] { host->progress(host->ctx, request.check.c_str(), fraction); });
}

int Context::allgather(const void* in, size_t len, void* out) const {
    // Not under the gate's lock: an allgather waits for other nodes. The check's own deadline
    // ends before the watchdog's, so the rendezvous gives up first.
    if (!host || !host->allgather || (gate && gate->abandoned)) return -1;
    return host->allgather(host->ctx, in, len, out);
}

namespace {

// Default deadlines when the checker gives none: the prolog levels stay short, burn-in gets its
// duration plus start-up.
double default_deadline(const Request& r) {
    switch (r.level) {
        case Level::Quick: return 15;
        case Level::Nccl: return 30;
        case Level::Full: return 120;
        case Level::Burnin: return (r.duration_s > 0 ? r.duration_s : 60) + 120;
    }
    return 30;
}

Results dispatch(const Context& ctx) {
    const std::string& c = ctx.request.check;
    if (c == "gpu.inventory") return check_inventory(ctx);
    if (c == "gpu.passive") return check_passive(ctx);
    if (c == "gpu.hbm_bandwidth") return check_hbm_bandwidth(ctx);
    if (c == "gpu.gemm_bf16") return check_gemm_bf16(ctx);
    if (c == "gpu.pcie") return check_pcie(ctx);
    if (c == "gpu.nvlink_p2p") return check_nvlink_p2p(ctx);
    if (c == "gpu.nccl_allreduce") return check_nccl_allreduce(ctx);
    if (c == "gpu.nccl_multinode") return check_nccl_multinode(ctx);
    return {health::errored(c, "unknown check (see list_checks)")};
}

// Shared between the caller and a worker that may outlive it after a timeout.
struct Job {
    Request request;
    const ks_gpu_host_v1* host;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    Results results;
    HostGate gate;
};

Results run_with_watchdog(Request request, const ks_gpu_host_v1* host) {
    auto job = std::make_shared<Job>();
    job->request = std::move(request);
    job->host = host;
    const double deadline_s = job->request.deadline_s > 0 ? job->request.deadline_s : default_deadline(job->request);
    job->request.deadline_s = deadline_s;
    // The checks keep 5% (at least 0.2 s) of the deadline to hand their results back.
    const double inner_s = std::max(0.1, deadline_s - std::max(0.2, 0.05 * deadline_s));

    std::thread([job, inner_s] {
        Results out;
        try {
            Context ctx{job->request, job->host, Deadline(inner_s), &job->gate};
            out = dispatch(ctx);
        } catch (const std::exception& e) {
            out = {health::errored(job->request.check, e.what())};
        } catch (abi::__forced_unwind&) {
            throw;  // thread cancellation at process exit must unwind, not be swallowed
        } catch (...) {
            out = {health::errored(job->request.check, "unexpected failure")};
        }
        std::lock_guard lock(job->mu);
        job->results = std::move(out);
        job->done = true;
        job->cv.notify_all();
    }).detach();

    std::unique_lock lock(job->mu);
    if (job->cv.wait_for(lock, std::chrono::duration<double>(deadline_s), [&] { return job->done; }))
        return job->results;
    lock.unlock();
    // The worker is stuck in the driver; it keeps its own copy of everything it touches, and
    // stops using the caller's services. The checker reports the timeout and exits.
    {
        std::lock_guard gate(job->gate.mu);
        job->gate.abandoned = true;
    }
    CheckResult t = health::gave_up(job->request.check, deadline_s);
    t.detail += " (a CUDA call did not return)";
    return {t};
}

char* dup(const std::string& s) {
    char* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (p) std::memcpy(p, s.c_str(), s.size() + 1);
    return p;
}

// Returned when even the error message cannot be allocated; free_string leaves it alone.
char kOutOfMemory[] = "[{\"check\": \"gpu\", \"status\": \"error\", \"detail\": \"out of memory\"}]";

char* json_error(const std::string& check, const std::string& why) {
    char* p = dup(health::to_backend_array({health::errored(check, why)}).dump());
    return p ? p : kOutOfMemory;
}

}  // namespace

}  // namespace ks::gpu

namespace {

const char* list_checks() {
    static const std::string list = ks::gpu::catalogue_json();
    return list.c_str();
}

char* run_check(const char* request_json, const ks_gpu_host_v1* host) {
    using namespace ks::gpu;
    try {
        auto req = parse_request(request_json ? request_json : "");
        if (!req) return json_error("gpu", "bad request: " + req.error());
        std::string check = req->check;
        Results results = run_with_watchdog(std::move(*req), host);
        if (results.empty()) results.push_back(ks::health::skipped(check, "nothing to check"));
        char* out = dup(ks::health::to_backend_array(results).dump());
        return out ? out : kOutOfMemory;
    } catch (const std::exception& e) {
        return json_error("gpu", e.what());
    } catch (...) {
        return json_error("gpu", "unexpected failure");
    }
}

void free_string(char* s) {
    if (s != ks::gpu::kOutOfMemory) std::free(s);
}

const ks_gpu_backend_v1 kBackend = {KS_GPU_BACKEND_ABI, KUBESLURM_VERSION, list_checks, run_check, free_string};

}  // namespace

extern "C" __attribute__((visibility("default"))) const ks_gpu_backend_v1* kubeslurm_gpu_backend_v1(void) {
    return &kBackend;
}
