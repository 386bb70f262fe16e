#include "health/gpu_checks.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "health/gpu_backend.h"
#include "health/rendezvous.h"

namespace ks::health {
namespace {

class BackendUnavailableCheck final : public Check {
public:
    explicit BackendUnavailableCheck(std::string reason) : m_reason(std::move(reason)) {}
    std::string name() const override { return "gpu"; }
    std::string description() const override { return "GPU checks (backend not loaded)"; }
    std::string unit() const override { return ""; }
    LevelMask levels() const override { return kAllLevels; }
    double default_deadline_s(Level) const override { return 1; }
    std::vector<CheckResult> run(const CheckContext&) override {
        return {skipped("gpu", "GPU backend not loaded: " + m_reason)};
    }

private:
    std::string m_reason;
};

// Services the checker offers to the backend while one check runs.
struct HostServices {
    const CheckContext* ctx;
    std::string check;
};

int host_allgather(void* c, const void* in, size_t len, void* out) {
    auto* h = static_cast<HostServices*>(c);
    if (!h->ctx->rendezvous) {
        std::memcpy(out, in, len);
        return 0;
    }
    return h->ctx->rendezvous->allgather(in, len, out, h->ctx->deadline_s) ? 0 : -1;
}

void host_progress(void* c, const char*, double fraction) { static_cast<HostServices*>(c)->ctx->report_progress(fraction); }

void host_log(void*, int level, const char* message) {
    ks::log::Level l = level <= 0 ? ks::log::Level::Error
                       : level == 1 ? ks::log::Level::Warning
                       : level == 2 ? ks::log::Level::Info
                       : level == 3 ? ks::log::Level::Verbose
                                    : ks::log::Level::Debug;
    ks::log::write(l, "gpucheck: gpu", message ? message : "");
}

class BackendCheck final : public Check {
public:
    BackendCheck(const ks_gpu_backend_v1* backend, std::string name, std::string unit, std::string description,
                 LevelMask levels, bool multi_node, double burnin_weight)
        : m_backend(backend), m_name(std::move(name)), m_unit(std::move(unit)), m_description(std::move(description)),
          m_levels(levels), m_multi_node(multi_node), m_burnin_weight(burnin_weight) {}

    std::string name() const override { return m_name; }
    std::string description() const override { return m_description; }
    std::string unit() const override { return m_unit; }
    LevelMask levels() const override { return m_levels; }
    bool multi_node() const override { return m_multi_node; }
    double burnin_weight() const override { return m_burnin_weight; }
    double default_deadline_s(Level level) const override { return level == Level::Quick ? 12 : 60; }

    std::vector<CheckResult> run(const CheckContext& ctx) override {
        nlohmann::json req;
        req["check"] = m_name;
        req["devices"] = ctx.devices;
        req["level"] = level_name(ctx.level);
        req["duration_s"] = ctx.duration_s;
        // Leave the backend a margin to return its own timeout result before the watchdog fires.
        req["deadline_s"] = ctx.deadline_s > 2 ? ctx.deadline_s - 1 : ctx.deadline_s * 0.8;
        req["thresholds"] = nlohmann::json::object();
        for (const auto& [k, v] : ctx.thresholds.values()) req["thresholds"][k] = v;

        HostServices services{&ctx, m_name};
        ks_gpu_host_v1 host{};
        host.ctx = &services;
        host.rank = ctx.rendezvous ? ctx.rendezvous->rank() : 0;
        host.nranks = ctx.rendezvous ? ctx.rendezvous->size() : 1;
        host.allgather = host_allgather;
        host.progress = host_progress;
        host.log = host_log;

        char* raw = m_backend->run_check(req.dump().c_str(), &host);
        if (!raw) return {errored(m_name, "GPU backend returned no result")};
        std::string text(raw);
        m_backend->free_string(raw);
        auto parsed = nlohmann::json::parse(text, nullptr, false);
        if (!parsed.is_array()) return {errored(m_name, "GPU backend returned malformed JSON")};
        std::vector<CheckResult> out;
        for (const auto& item : parsed) {
            auto r = result_from_json(item);
            out.push_back(r ? std::move(r.value()) : errored(m_name, "GPU backend result: " + r.error()));
        }
        return out;
    }

private:
    const ks_gpu_backend_v1* m_backend;
    std::string m_name, m_unit, m_description;
    LevelMask m_levels;
    bool m_multi_node;
    double m_burnin_weight;
};

LevelMask levels_of(const nlohmann::json& item) {
    LevelMask m = 0;
    if (auto it = item.find("levels"); it != item.end() && it->is_array())
        for (const auto& l : *it)
            if (l.is_string())
                if (auto lvl = parse_level(l.get<std::string>())) m |= mask(*lvl);
    return m;
}

std::string str_of(const nlohmann::json& item, const char* key) {
    auto it = item.find(key);
    return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
}

GpuBackendChecks unavailable(std::string reason) {
    GpuBackendChecks out;
    out.load_error = reason;
    out.checks.push_back(std::make_shared<BackendUnavailableCheck>(std::move(reason)));
    return out;
}

}  // namespace

std::string gpu_backend_path(const std::string& configured) {
    const char* env = std::getenv("KUBESLURM_GPU_BACKEND");
    return env && *env ? env : configured;
}

GpuBackendChecks load_gpu_checks(const std::string& path) {
    if (path.empty()) return unavailable("no GpuBackend configured");
    // The handle stays open for the life of the process: checks keep pointers into it.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* err = dlerror();
        return unavailable(err ? err : path + ": cannot load");
    }
    auto entry = reinterpret_cast<ks_gpu_backend_entry_v1>(dlsym(handle, KS_GPU_BACKEND_SYMBOL));
    if (!entry) return unavailable(path + ": no symbol " KS_GPU_BACKEND_SYMBOL);
    const ks_gpu_backend_v1* backend = entry();
    if (!backend || backend->abi != KS_GPU_BACKEND_ABI || !backend->list_checks || !backend->run_check ||
        !backend->free_string)
        return unavailable(path + ": incompatible backend ABI (want " + std::to_string(KS_GPU_BACKEND_ABI) + ")");
    const char* listing = backend->list_checks();
    auto list = nlohmann::json::parse(listing ? listing : "", nullptr, false);
    if (!list.is_array()) return unavailable(path + ": list_checks returned malformed JSON");
    GpuBackendChecks out;
    for (const auto& item : list) {
        if (!item.is_object() || str_of(item, "name").empty()) continue;
        auto multi = item.find("multi_node");
        auto weight = item.find("burnin_weight");
        out.checks.push_back(std::make_shared<BackendCheck>(
            backend, str_of(item, "name"), str_of(item, "unit"), str_of(item, "description"), levels_of(item),
            multi != item.end() && multi->is_boolean() && multi->get<bool>(),
            weight != item.end() && weight->is_number() ? std::max(0.0, weight->get<double>()) : 0.0));
    }
    return out;
}

std::string detect_gpu_sku(const std::vector<int>& devices) {
    if (const char* env = std::getenv("KUBESLURM_GPU_SKU")) return env;
    void* nvml = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!nvml) return {};
    using InitFn = int (*)();
    using HandleFn = int (*)(unsigned, void**);
    using NameFn = int (*)(void*, char*, unsigned);
    auto init = reinterpret_cast<InitFn>(dlsym(nvml, "nvmlInit_v2"));
    auto handle_of = reinterpret_cast<HandleFn>(dlsym(nvml, "nvmlDeviceGetHandleByIndex_v2"));
    auto name_of = reinterpret_cast<NameFn>(dlsym(nvml, "nvmlDeviceGetName"));
    auto shutdown = reinterpret_cast<InitFn>(dlsym(nvml, "nvmlShutdown"));
    std::string sku;
    if (init && handle_of && name_of && shutdown && init() == 0) {
        void* dev = nullptr;
        char name[96] = {};
        unsigned index = devices.empty() ? 0u : static_cast<unsigned>(devices.front());
        if (handle_of(index, &dev) == 0 && name_of(dev, name, sizeof name) == 0) sku = name;
        shutdown();
    }
    dlclose(nvml);
    return sku;
}

}  // namespace ks::health
