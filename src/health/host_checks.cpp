#include "health/host_checks.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "health/runner.h"

namespace ks::health {
namespace {

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

class HostMemoryCheck final : public Check {
public:
    std::string name() const override { return "host.memory"; }
    std::string description() const override { return "memory available to jobs (MemAvailable)"; }
    std::string unit() const override { return "GiB"; }
    LevelMask levels() const override { return kAllLevels; }
    double default_deadline_s(Level) const override { return 2; }

    std::vector<CheckResult> run(const CheckContext& ctx) override {
        std::ifstream f("/proc/meminfo");
        std::string key;
        long kib = -1;
        std::string unit;
        while (f >> key) {
            if (key == "MemAvailable:") {
                f >> kib >> unit;
                break;
            }
            f.ignore(1 << 12, '\n');
        }
        if (kib < 0) return {errored(name(), "MemAvailable not found in /proc/meminfo")};
        double gib = static_cast<double>(kib) / (1024.0 * 1024.0);
        return {ctx.judge(name(), gib, ">=", "host.memory.min_available_gib", "GiB")};
    }
};

// Single-threaded memcpy between two buffers: catches a host with broken or throttled memory.
class HostMembwCheck final : public Check {
public:
    std::string name() const override { return "host.membw"; }
    std::string description() const override { return "host memory copy bandwidth (one thread, memcpy, per CPU second)"; }
    std::string unit() const override { return "GB/s"; }
    LevelMask levels() const override { return kAllLevels; }
    double default_deadline_s(Level) const override { return 5; }
    double burnin_weight() const override { return 0.05; }

    std::vector<CheckResult> run(const CheckContext& ctx) override {
        const double size_mb = ctx.thresholds.get_or("host.membw.size_mb", 64);
        const double iterations = ctx.thresholds.get_or("host.membw.iterations", 8);
        if (size_mb < 1 || size_mb > 65536 || iterations < 1)
            return {errored(name(), "host.membw.size_mb must be 1-65536 and host.membw.iterations >= 1")};
        const size_t bytes = static_cast<size_t>(size_mb * 1024 * 1024);
        std::unique_ptr<char[]> src_buf(new char[bytes]), dst_buf(new char[bytes]);
        char* src = src_buf.get();
        char* dst = dst_buf.get();
        std::memset(src, 0, bytes);
        for (size_t i = 0; i < bytes; i += 4096) src[i] = static_cast<char>(i >> 12);
        std::memcpy(dst, src, bytes);  // warm-up: faults the pages in

        const bool burnin = ctx.level == Level::Burnin && ctx.duration_s > 0;
        const auto start = Clock::now();
        const double cpu_start = thread_cpu_seconds();
        const auto until = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(ctx.duration_s));
        double done = 0;
        for (; burnin ? Clock::now() < until : done < iterations; done += 1) {
            if (ctx.should_stop()) return {errored(name(), "cancelled")};
            src[static_cast<size_t>(done * 4099) % bytes] ^= 1;  // every copy carries new data
            std::memcpy(dst, src, bytes);
            ctx.report_progress(burnin ? std::chrono::duration<double>(Clock::now() - start).count() / ctx.duration_s
                                       : (done + 1) / iterations);
        }
        // CPU time of this thread, not wall time: on a busy host (or many virtual nodes on one
        // machine) the scheduler would otherwise be measured instead of the memory.
        double seconds = std::max(thread_cpu_seconds() - cpu_start, 1e-9);
        if (std::memcmp(dst, src, bytes) != 0) {
            CheckResult r = errored(name(), "copied data differs from the source: memory corruption");
            r.status = Status::Fail;
            return {r};
        }
        double gbps = static_cast<double>(bytes) * done / seconds / 1e9;
        std::ostringstream detail;
        detail << static_cast<long>(done) << " copies of " << static_cast<long>(size_mb) << " MiB";
        return {ctx.judge(name(), gbps, ">=", "host.membw.min_gbps", "GB/s", detail.str())};
    }
};

}  // namespace

CheckPtr make_host_memory_check() { return std::make_shared<HostMemoryCheck>(); }
CheckPtr make_host_membw_check() { return std::make_shared<HostMembwCheck>(); }

}  // namespace ks::health
