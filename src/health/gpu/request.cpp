#include "health/gpu/request.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace ks::gpu {

bool parse_level(std::string_view text, Level& out) {
    if (text == "quick") out = Level::Quick;
    else if (text == "nccl") out = Level::Nccl;
    else if (text == "full") out = Level::Full;
    else if (text == "burnin") out = Level::Burnin;
    else return false;
    return true;
}

const char* level_name(Level l) {
    switch (l) {
        case Level::Quick: return "quick";
        case Level::Nccl: return "nccl";
        case Level::Full: return "full";
        case Level::Burnin: return "burnin";
    }
    return "quick";
}

Result<Request> parse_request(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Error{"request is not a JSON object"};
    Request r;
    auto check = j.find("check");
    if (check == j.end() || !check->is_string() || check->get<std::string>().empty())
        return Error{"request has no \"check\" name"};
    r.check = check->get<std::string>();
    if (auto d = j.find("devices"); d != j.end()) {
        if (!d->is_array()) return Error{"\"devices\" must be an array of GPU indices"};
        for (const auto& v : *d) {
            if (!v.is_number_integer() || v.get<long>() < 0 || v.get<long>() > 1023)
                return Error{"\"devices\" holds a bad GPU index: " + v.dump()};
            r.devices.push_back(v.get<int>());
        }
    }
    if (auto l = j.find("level"); l != j.end()) {
        if (!l->is_string() || !parse_level(l->get<std::string>(), r.level))
            return Error{"\"level\" must be quick, nccl, full or burnin: " + l->dump()};
    }
    for (auto [name, target] : {std::pair{"duration_s", &r.duration_s}, {"deadline_s", &r.deadline_s}}) {
        auto v = j.find(name);
        if (v == j.end() || v->is_null()) continue;
        if (!v->is_number() || !std::isfinite(v->get<double>()) || v->get<double>() < 0)
            return Error{std::string("\"") + name + "\" must be a non-negative number: " + v->dump()};
        *target = v->get<double>();
    }
    auto t = Thresholds::from_json(j.value("thresholds", nlohmann::json()));
    if (!t) return Error{t.error()};
    r.thresholds = *t;
    return r;
}

const std::vector<CheckInfo>& catalogue() {
    using enum Level;
    static const std::vector<CheckInfo> list = {
        {"gpu.inventory", "GPUs", {Quick, Nccl, Full, Burnin},
         "GPU count and SKU versus the allocation, driver and CUDA versions, persistence and ECC mode"},
        {"gpu.passive", "", {Quick, Nccl, Full, Burnin},
         "NVML: row remaps, volatile uncorrectable ECC, retired pages, critical Xids, throttle "
         "reasons, NVLink state and errors, temperature"},
        {"gpu.hbm_bandwidth", "GB/s", {Quick, Nccl, Full, Burnin},
         "device memory copy bandwidth (read + write bytes) per GPU, own kernel", false, 0.20},
        {"gpu.gemm_bf16", "TFLOP/s", {Quick, Nccl, Full, Burnin},
         "bf16 GEMM through cuBLASLt per GPU, identical results across repeats", false, 0.40},
        {"gpu.pcie", "GB/s", {Quick, Nccl, Full, Burnin},
         "host-to-device and device-to-host copies from pinned memory per GPU", false, 0.10},
        {"gpu.nvlink_p2p", "GB/s", {Full, Burnin},
         "peer copies between every pair of GPUs (two or more GPUs)", false, 0.10},
        {"gpu.nccl_allreduce", "GB/s", {Quick, Nccl, Full, Burnin},
         "NCCL all-reduce over the node's GPUs, data checked, nccl-tests busbw", false, 0.15},
        {"gpu.nccl_multinode", "GB/s", {Nccl, Full, Burnin},
         "NCCL all-reduce across all nodes of the job (unique ID through the rendezvous)", true, 0.05},
    };
    return list;
}

const CheckInfo* find_check(std::string_view name) {
    for (const auto& c : catalogue())
        if (c.name == name) return &c;
    return nullptr;
}

std::string catalogue_json() {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& c : catalogue()) {
        nlohmann::json levels = nlohmann::json::array();
        for (auto l : c.levels) levels.push_back(level_name(l));
        a.push_back({{"name", c.name},
                     {"levels", levels},
                     {"unit", c.unit},
                     {"description", c.description},
                     {"multi_node", c.multi_node},
                     {"burnin_weight", c.burnin_weight}});
    }
    return a.dump();
}

double measuring_seconds(const Request& r) {
    double want = 0;
    switch (r.level) {
        case Level::Quick: want = 0.5; break;
        case Level::Nccl: want = 0.5; break;
        case Level::Full: want = 3; break;
        case Level::Burnin: {
            const CheckInfo* info = find_check(r.check);
            want = std::max(0.5, r.duration_s > 0 ? r.duration_s : 60 * (info ? info->burnin_weight : 0));
            break;
        }
    }
    if (r.deadline_s > 0) want = std::min(want, 0.8 * r.deadline_s);
    return want;
}

}  // namespace ks::gpu
