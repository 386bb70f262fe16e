// NCCL all-reduce on the node's GPUs and across the job's nodes, data checked, busbw as
// nccl-tests computes it. Communicators are non-blocking: every wait polls with the deadline and
// a hung collective ends in ncclCommAbort and a timeout result, never a hung prolog.
#include <nccl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "health/gpu/bandwidth.h"
#include "health/gpu/kernels.h"
#include "health/gpu/per_gpu.h"

namespace ks::gpu {

namespace {

struct NcclFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

void nccl_check(ncclResult_t r, const char* what) {
    if (r != ncclSuccess && r != ncclInProgress)
        throw NcclFailure(std::string(what) + ": " + ncclGetErrorString(r));
}

// One communicator, stream and pair of buffers per local GPU.
class LocalRanks {
public:
    LocalRanks(const std::vector<Gpu>& gpus, size_t bytes) : m_gpus(gpus), m_bytes(bytes) {
        for (const auto& g : gpus) {
            cuda_check(cudaSetDevice(g.ordinal), "cudaSetDevice");
            m_send.push_back(std::make_unique<DeviceBuffer>(bytes));
            m_recv.push_back(std::make_unique<DeviceBuffer>(bytes));
            m_check.push_back(std::make_unique<DeviceBuffer>(sizeof(unsigned long long)));
            m_streams.push_back(std::make_unique<Stream>());
        }
        m_comms.assign(gpus.size(), nullptr);
    }
    ~LocalRanks() {
        // Abort frees a communicator whatever its state, including one stuck in a collective.
        for (auto c : m_comms)
            if (c) ncclCommAbort(c);
    }
    LocalRanks(const LocalRanks&) = delete;
    LocalRanks& operator=(const LocalRanks&) = delete;

    void init(const ncclUniqueId& id, int first_rank, int nranks, const Deadline& d) {
        ncclConfig_t cfg = NCCL_CONFIG_INITIALIZER;
        cfg.blocking = 0;
        nccl_check(ncclGroupStart(), "ncclGroupStart");
        for (size_t i = 0; i < m_gpus.size(); ++i) {
            cuda_check(cudaSetDevice(m_gpus[i].ordinal), "cudaSetDevice");
            nccl_check(ncclCommInitRankConfig(&m_comms[i], nranks, id, first_rank + static_cast<int>(i), &cfg),
                       "ncclCommInitRankConfig");
        }
        nccl_check(ncclGroupEnd(), "ncclGroupEnd (init)");
        wait_comms(d, "communicator initialisation");
    }

    void fill(int first_rank) {
        for (size_t i = 0; i < m_gpus.size(); ++i) {
            cuda_check(cudaSetDevice(m_gpus[i].ordinal), "cudaSetDevice");
            kernels::fill_allreduce(static_cast<float*>(m_send[i]->get()), count(), first_rank + static_cast<int>(i),
                                    m_streams[i]->get());
            cuda_check(cudaMemsetAsync(m_recv[i]->get(), 0, m_bytes, m_streams[i]->get()), "cudaMemsetAsync");
        }
    }

    void allreduce(const Deadline& d) {
        nccl_check(ncclGroupStart(), "ncclGroupStart");
        for (size_t i = 0; i < m_gpus.size(); ++i)
            nccl_check(ncclAllReduce(m_send[i]->get(), m_recv[i]->get(), count(), ncclFloat, ncclSum, m_comms[i],
                                     m_streams[i]->get()),
                       "ncclAllReduce");
        nccl_check(ncclGroupEnd(), "ncclGroupEnd (all-reduce)");
        wait_comms(d, "all-reduce enqueue");
    }

    // Waits for every stream, watching the communicators for asynchronous errors meanwhile.
    void synchronize(const Deadline& d) {
        while (true) {
            bool busy = false;
            for (size_t i = 0; i < m_gpus.size(); ++i) {
                cudaError_t e = cudaStreamQuery(m_streams[i]->get());
                if (e == cudaErrorNotReady) busy = true;
                else cuda_check(e, "all-reduce stream");
            }
            poll_errors();
            if (!busy) return;
            if (d.expired()) throw DeadlineExceeded("all-reduce did not complete before the deadline");
            std::this_thread::sleep_for(std::chrono::microseconds(20));
        }
    }

    unsigned long long verify(int nranks, const Deadline& d) {
        std::vector<unsigned long long> host(m_gpus.size(), 0);
        for (size_t i = 0; i < m_gpus.size(); ++i) {
            cuda_check(cudaSetDevice(m_gpus[i].ordinal), "cudaSetDevice");
            auto* bad = static_cast<unsigned long long*>(m_check[i]->get());
            kernels::verify_allreduce(static_cast<const float*>(m_recv[i]->get()), count(), nranks, bad,
                                      m_streams[i]->get());
            cuda_check(cudaMemcpyAsync(&host[i], bad, sizeof host[i], cudaMemcpyDeviceToHost, m_streams[i]->get()),
                       "cudaMemcpyAsync");
        }
        synchronize(d);
        unsigned long long total = 0;
        for (auto v : host) total += v;
        return total;
    }

    size_t bytes() const { return m_bytes; }

private:
    size_t count() const { return m_bytes / sizeof(float); }

    void poll_errors() {
        for (auto c : m_comms) {
            ncclResult_t st = ncclSuccess;
            ncclCommGetAsyncError(c, &st);
            if (st != ncclSuccess && st != ncclInProgress)
                throw NcclFailure(std::string("NCCL asynchronous error: ") + ncclGetErrorString(st) + ": " +
                                  ncclGetLastError(c));
        }
    }

    void wait_comms(const Deadline& d, const char* what) {
        while (true) {
            bool pending = false;
            for (auto c : m_comms) {
                ncclResult_t st = ncclSuccess;
                ncclCommGetAsyncError(c, &st);
                if (st == ncclInProgress) pending = true;
                else if (st != ncclSuccess)
                    throw NcclFailure(std::string(what) + ": " + ncclGetErrorString(st) + ": " + ncclGetLastError(c));
            }
            if (!pending) return;
            if (d.expired()) throw DeadlineExceeded(std::string(what) + " did not complete before the deadline");
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
    }

    std::vector<Gpu> m_gpus;
    size_t m_bytes;
    std::vector<std::unique_ptr<DeviceBuffer>> m_send, m_recv, m_check;
    std::vector<std::unique_ptr<Stream>> m_streams;
    std::vector<ncclComm_t> m_comms;
};

struct Measured {
    double busbw = 0;
    unsigned long long mismatches = 0;
};

Measured measure_allreduce(const Context& ctx, const std::vector<Gpu>& gpus, const ncclUniqueId& id,
                           int first_rank, int nranks) {
    cuda_check(cudaSetDevice(gpus.front().ordinal), "cudaSetDevice");
    size_t bytes = std::min<size_t>(size_t{1} << 30, free_device_memory() / 4) & ~size_t{0xffff};
    LocalRanks ranks(gpus, bytes);
    ranks.init(id, first_rank, nranks, ctx.deadline);
    ctx.progress(0.3);
    ranks.fill(first_rank);
    ranks.allreduce(ctx.deadline);  // warm-up, and the data check's input
    ranks.synchronize(ctx.deadline);
    Measured m;
    m.mismatches = ranks.verify(nranks, ctx.deadline);

    // Every rank must run the same number of iterations: fixed by the first timed iteration on
    // a single node, and a fixed count across nodes (each node would time differently).
    const double seconds = measuring_seconds(ctx.request);
    auto t0 = std::chrono::steady_clock::now();
    ranks.allreduce(ctx.deadline);
    ranks.synchronize(ctx.deadline);
    double one = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    int iters = nranks > static_cast<int>(gpus.size()) ? 20
                : static_cast<int>(std::clamp(seconds / std::max(one, 1e-6), 5.0, 1000.0));
    t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i) ranks.allreduce(ctx.deadline);
    ranks.synchronize(ctx.deadline);
    double per_iter = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / iters;
    m.busbw = allreduce_busbw(static_cast<double>(bytes), per_iter, nranks);
    m.mismatches += ranks.verify(nranks, ctx.deadline);
    ctx.progress(1.0);
    return m;
}

CheckResult judged(const Context& ctx, const std::string& name, const Measured& m, std::string_view key,
                   int nranks) {
    CheckResult r;
    auto floor = ctx.request.thresholds.get(key);
    if (m.mismatches) {
        r = health::measured(name, m.busbw, ">=", floor.value_or(0), "GB/s");
        r.status = Status::Fail;
        r.detail = std::to_string(m.mismatches) + " elements of the all-reduce result are wrong";
    } else if (floor) {
        r = health::measured(name, m.busbw, ">=", *floor, "GB/s");
    } else {
        r = health::measured(name, m.busbw, ">=", 0, "GB/s");
        r.threshold.reset();
        r.detail = "no busbw threshold for this GPU model: figure recorded only";
    }
    r.extra["ranks"] = nranks;
    return r;
}

template <class Body>
Results guarded(const std::string& name, const Context& ctx, bool blame_peers, Body body) {
    CheckResult r;
    try {
        return body();
    } catch (const DeadlineExceeded& e) {
        r = health::gave_up(name, ctx.deadline.total_s());
        r.detail += std::string(": ") + e.what();
    } catch (const std::exception& e) {
        r = health::errored(name, e.what());
    }
    if (blame_peers) r.blame = health::Blame::Peers;
    return {r};
}

}  // namespace

Results check_nccl_allreduce(const Context& ctx) {
    const std::string name = "gpu.nccl_allreduce";
    if (auto s = cuda_unavailable(name)) return {*s};
    return guarded(name, ctx, false, [&]() -> Results {
        std::vector<Gpu> gpus = resolve_gpus(ctx.request.devices);
        if (gpus.size() < 2) return {health::skipped(name, "fewer than two GPUs allocated: no intra-node all-reduce")};
        ncclUniqueId id;
        nccl_check(ncclGetUniqueId(&id), "ncclGetUniqueId");
        int n = static_cast<int>(gpus.size());
        return {judged(ctx, name, measure_allreduce(ctx, gpus, id, 0, n), key::AllreduceMin, n)};
    });
}

Results check_nccl_multinode(const Context& ctx) {
    const std::string name = "gpu.nccl_multinode";
    if (!ctx.host || !ctx.host->allgather || ctx.nranks() < 2)
        return {health::skipped(name, "single node: no multi-node all-reduce")};
    // Every node must take part in both exchanges, even one without a usable GPU, or the others
    // would wait for it until their deadline.
    int32_t local = 0;
    std::vector<Gpu> gpus;
    std::string local_problem;
    try {
        if (auto s = cuda_unavailable(name)) local_problem = s->detail;
        else gpus = resolve_gpus(ctx.request.devices);
    } catch (const std::exception& e) {
        local_problem = e.what();
    }
    local = static_cast<int32_t>(gpus.size());
    std::vector<int32_t> counts(static_cast<size_t>(ctx.nranks()));
    if (ctx.allgather(&local, sizeof local, counts.data()) != 0) {
        CheckResult r = health::errored(name, "rendezvous allgather of GPU counts failed");
        r.blame = health::Blame::Peers;
        return {r};
    }
    ncclUniqueId id{};
    // Should this fail on the first node, the others time out in their initialisation.
    if (ctx.rank() == 0 && local > 0 && ncclGetUniqueId(&id) != ncclSuccess) local_problem = "ncclGetUniqueId failed";
    std::vector<ncclUniqueId> ids(counts.size());
    if (ctx.allgather(&id, sizeof id, ids.data()) != 0) {
        CheckResult r = health::errored(name, "rendezvous allgather of the NCCL unique ID failed");
        r.blame = health::Blame::Peers;
        return {r};
    }
    if (counts[0] == 0) return {health::skipped(name, "the first node has no GPU to lead the all-reduce")};
    if (ctx.rank() == 0 && !local_problem.empty()) return {health::errored(name, local_problem)};
    if (local == 0) return {health::skipped(name, local_problem.empty() ? "no GPU allocated on this node" : local_problem)};
    int first = 0, total = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
        if (static_cast<int>(i) < ctx.rank()) first += counts[i];
        total += counts[i];
    }
    // A slow or failed collective across nodes cannot name its culprit: blamed on peers, never
    // this node alone (the per-node checks judge each node).
    return guarded(name, ctx, true, [&]() -> Results {
        CheckResult r = judged(ctx, name, measure_allreduce(ctx, gpus, ids[0], first, total), key::MultinodeMin, total);
        if (r.status != Status::Pass) r.blame = health::Blame::Peers;
        r.extra["nodes"] = ctx.nranks();
        return {r};
    });
}

}  // namespace ks::gpu
