// A stand-in GPU backend for tests (never installed): implements the C ABI of gpu_backend.h
// without CUDA so that the checker's loader, request, result parsing, allgather and watchdog
// are exercised on hosts without GPUs. Its behaviour follows the thresholds it receives:
//   gpu.fake.value (default 1) judged against gpu.fake.min (default 0.5), one result per device;
//   gpu.fake.hang_s > 0 sleeps that long ignoring the deadline (a hung driver call).
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "health/gpu_backend.h"

namespace {

double number(const nlohmann::json& thresholds, const char* key, double fallback) {
    auto it = thresholds.find(key);
    return it != thresholds.end() && it->is_number() ? it->get<double>() : fallback;
}

const char* list_checks() {
    return R"([{"name": "gpu.fake", "levels": ["quick", "nccl", "full", "burnin"], "unit": "GB/s",
                "description": "fake per-device figure", "burnin_weight": 0.3},
               {"name": "gpu.fake_multi", "levels": ["nccl", "full"], "unit": "ranks", "multi_node": true,
                "description": "fake multi-node check using allgather"}])";
}

char* to_c(const nlohmann::json& j) { return strdup(j.dump().c_str()); }

char* run_check(const char* request_json, const ks_gpu_host_v1* host) {
    auto req = nlohmann::json::parse(request_json, nullptr, false);
    nlohmann::json out = nlohmann::json::array();
    if (!req.is_object()) {
        out.push_back({{"check", "gpu.fake"}, {"status", "error"}, {"detail", "bad request"}});
        return to_c(out);
    }
    const auto& thr = req["thresholds"];
    const std::string check = req.value("check", "");
    if (double hang = number(thr, "gpu.fake.hang_s", 0); hang > 0)
        std::this_thread::sleep_for(std::chrono::duration<double>(hang));
    host->log(host->ctx, 2, ("fake backend runs " + check).c_str());
    host->progress(host->ctx, check.c_str(), 0.5);
    if (check == "gpu.fake_multi") {
        int mine = host->rank;
        std::vector<int> all(static_cast<size_t>(host->nranks));
        bool ok = host->allgather(host->ctx, &mine, sizeof mine, all.data()) == 0;
        for (int r = 0; ok && r < host->nranks; ++r) ok = all[static_cast<size_t>(r)] == r;
        out.push_back({{"check", check}, {"status", ok ? "pass" : "fail"}, {"value", host->nranks},
                       {"threshold", 1}, {"unit", "ranks"}, {"comparison", ">="},
                       {"detail", ok ? "allgather returned every rank" : "allgather failed"}});
        return to_c(out);
    }
    double value = number(thr, "gpu.fake.value", 1), floor = number(thr, "gpu.fake.min", 0.5);
    std::vector<int> devices = req.value("devices", std::vector<int>{0});
    if (devices.empty()) devices = {0};
    for (int d : devices)
        out.push_back({{"check", check}, {"status", value >= floor ? "pass" : "fail"}, {"value", value},
                       {"threshold", floor}, {"unit", "GB/s"}, {"comparison", ">="},
                       {"detail", "level " + req.value("level", std::string("?"))}, {"device", d}});
    return to_c(out);
}

void free_string(char* s) { std::free(s); }

const ks_gpu_backend_v1 kBackend = {KS_GPU_BACKEND_ABI, "test", list_checks, run_check, free_string};

}  // namespace

extern "C" __attribute__((visibility("default"))) const ks_gpu_backend_v1* kubeslurm_gpu_backend_v1(void) {
    return &kBackend;
}
