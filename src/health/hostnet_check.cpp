#include "health/hostnet_check.h"

#include <algorithm>
#include <chrono>
#include <sstream>

#include "health/rendezvous_tcp.h"
#include "health/ring.h"

namespace ks::health {
namespace {

using wire::Clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

class HostnetCheck final : public Check {
public:
    std::string name() const override { return "hostnet"; }
    std::string description() const override { return "TCP ring all-reduce across the job's nodes (bus bandwidth, latency)"; }
    std::string unit() const override { return "MB/s"; }
    LevelMask levels() const override { return kMultiNodeLevels; }
    bool multi_node() const override { return true; }
    double default_deadline_s(Level) const override { return 15; }
    double burnin_weight() const override { return 0.05; }

    std::vector<CheckResult> run(const CheckContext& ctx) override {
        auto* rv = dynamic_cast<TcpRendezvous*>(ctx.rendezvous);
        if (!rv) return {errored(name(), "needs the TCP rendezvous")};
        const auto deadline = wire::after(std::max(0.1, ctx.deadline_s - 0.2));
        const int n = rv->size();
        const uint64_t rank = static_cast<uint64_t>(rv->rank());
        RingFailure failure;
        auto ring = connect_ring(rv->ring_listener(), rv->peers(), rv->rank(), rv->auth(), rv->policy(), deadline, &failure);
        if (!ring) return {failed(failure)};

        // The leader's thresholds decide the shape of the run, so that every rank agrees even
        // when a site overrides them for one node: a first all-reduce carries them.
        std::vector<uint64_t> params(static_cast<size_t>(std::max(n, 3)), 0);
        if (rank == 0) {
            params[0] = static_cast<uint64_t>(std::clamp(ctx.thresholds.get_or("hostnet.size_mb", 4), 0.001, 4096.0) * 131072);
            params[1] = static_cast<uint64_t>(std::max(1.0, ctx.thresholds.get_or("hostnet.iterations", 5)));
            params[2] = ctx.level == Level::Burnin ? static_cast<uint64_t>(ctx.duration_s) : 0;
        }
        if (!ring_allreduce(ring.value(), params, deadline, &failure)) return {failed(failure)};
        const size_t words = std::max<size_t>(static_cast<size_t>(params[0]), static_cast<size_t>(n));
        const uint64_t iterations = params[1];
        const double burn_s = static_cast<double>(params[2]);

        // Latency: median of small all-reduces (n words), per hop (2(n-1) hops each).
        std::vector<double> small;
        for (int i = 0; i < 11; ++i) {
            std::vector<uint64_t> v(static_cast<size_t>(n), rank + 1);
            auto t0 = Clock::now();
            if (!ring_allreduce(ring.value(), v, deadline, &failure)) return {failed(failure)};
            small.push_back(seconds_since(t0));
        }
        std::nth_element(small.begin(), small.begin() + 5, small.end());
        const double hop_us = small[5] * 1e6 / (2.0 * (n - 1));

        // Bandwidth: `iterations` verified all-reduces of `words` words (burn-in: until the
        // leader's duration is over); the last word is the leader's "go on" flag.
        std::vector<uint64_t> data(words + 1);
        const uint64_t expected_factor = static_cast<uint64_t>(n) * (n + 1) / 2;
        const auto started = Clock::now();
        double busy = 0;
        uint64_t done = 0;
        for (;;) {
            if (ctx.should_stop()) return {errored(name(), "cancelled")};
            for (size_t i = 0; i < words; ++i) data[i] = (rank + 1) * (i + done + 1);
            bool more = burn_s > 0 ? seconds_since(started) < burn_s : done + 1 < iterations;
            data[words] = rank == 0 && more ? 1 : 0;
            auto t0 = Clock::now();
            if (!ring_allreduce(ring.value(), data, deadline, &failure)) return {failed(failure)};
            busy += seconds_since(t0);
            for (size_t i = 0; i < words; ++i)
                if (data[i] != expected_factor * (i + done + 1)) {
                    std::ostringstream os;
                    os << "all-reduce result wrong at word " << i << " of iteration " << done << " (ring " << ring->prev_node
                       << " -> this node -> " << ring->next_node << ")";
                    CheckResult r = errored("hostnet.data", os.str());
                    r.status = Status::Fail;
                    return {r};
                }
            ++done;
            ctx.report_progress(burn_s > 0 ? seconds_since(started) / burn_s : static_cast<double>(done) / iterations);
            if (data[words] == 0) break;
        }
        const double bytes = static_cast<double>(words) * sizeof(uint64_t);
        const double algbw = bytes * static_cast<double>(done) / busy;
        const double busbw_mbps = algbw * 2.0 * (n - 1) / n / 1e6;
        std::ostringstream detail;
        detail << n << " nodes, " << done << " x " << bytes / 1e6 << " MB, data verified";
        std::ostringstream lat;
        lat << "8-byte all-reduce " << small[5] * 1e6 << " us over " << 2 * (n - 1) << " hops";
        return {ctx.judge("hostnet.bandwidth", busbw_mbps, ">=", "hostnet.min_busbw_mbps", "MB/s", detail.str()),
                ctx.judge("hostnet.latency", hop_us, "<=", "hostnet.max_latency_us", "us", lat.str())};
    }

private:
    CheckResult failed(const RingFailure& f) const {
        if (f.culprit.empty()) return errored(name(), f.message);
        return blamed_on_peers(name(), Status::Fail, {f.culprit}, f.message);
    }
};

}  // namespace

CheckPtr make_hostnet_check() { return std::make_shared<HostnetCheck>(); }

}  // namespace ks::health
