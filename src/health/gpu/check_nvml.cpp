// Inventory and passive NVML checks: no kernel runs, a couple of seconds at most.
#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "health/gpu/context.h"
#include "health/gpu/nvml.h"
#include "health/gpu/nvml_decode.h"

namespace ks::gpu {

namespace {

struct NvmlGpu {
    int physical;
    nvml::Device dev;
};

// Handles of the requested GPUs (all when the request names none); missing ones are reported
// in `missing`.
std::vector<NvmlGpu> handles(const nvml::Api& api, const std::vector<int>& wanted, unsigned count,
                             std::vector<int>& missing) {
    std::vector<int> phys = wanted;
    if (phys.empty())
        for (unsigned i = 0; i < count; ++i) phys.push_back(static_cast<int>(i));
    std::vector<NvmlGpu> out;
    for (int p : phys) {
        nvml::Device d = nullptr;
        if (static_cast<unsigned>(p) < count &&
            api.DeviceGetHandleByIndex(static_cast<unsigned>(p), &d) == nvml::Success)
            out.push_back({p, d});
        else
            missing.push_back(p);
    }
    return out;
}

std::string device_name(const nvml::Api& api, nvml::Device d) {
    char name[96] = {};
    return api.DeviceGetName(d, name, sizeof name) == nvml::Success ? std::string(name) : "unknown";
}

CheckResult counted(std::string check, double value, std::optional<double> max, int device,
                    std::string detail = {}) {
    CheckResult r;
    if (max) r = health::measured(check, value, "<=", *max, "", {}, device);
    else {
        r.check = std::move(check);
        r.value = value;
        r.status = Status::Pass;
        r.device = device;
    }
    r.detail = std::move(detail);
    return r;
}

CheckResult unsupported(std::string check, int device, const std::string& why) {
    CheckResult r = health::skipped(std::move(check), why);
    r.device = device;
    return r;
}

struct Session {
    const nvml::Api* api = nullptr;
    std::string why;
    unsigned count = 0;
    std::vector<NvmlGpu> gpus;
    std::vector<int> missing;
};

Session open_session(const Context& ctx) {
    Session s;
    s.api = nvml::load(s.why);
    if (!s.api) return s;
    if (nvml::Return r = s.api->DeviceGetCount(&s.count); r != nvml::Success) {
        s.why = "nvmlDeviceGetCount: " + nvml::error_text(*s.api, r);
        s.api = nullptr;
        return s;
    }
    if (s.count == 0) {
        s.why = "no NVIDIA GPU on this node";
        s.api = nullptr;
        return s;
    }
    s.gpus = handles(*s.api, ctx.request.devices, s.count, s.missing);
    return s;
}

}  // namespace

Results check_inventory(const Context& ctx) {
    Session s = open_session(ctx);
    if (!s.api) return {health::skipped("gpu.inventory", s.why)};
    const nvml::Api& api = *s.api;
    Results out;

    CheckResult inv;
    inv.check = "gpu.inventory";
    inv.unit = "GPUs";
    inv.value = static_cast<double>(s.gpus.size());
    inv.threshold = static_cast<double>(s.gpus.size() + s.missing.size());
    inv.status = s.missing.empty() ? Status::Pass : Status::Fail;
    std::set<std::string> skus;
    nlohmann::json gpus = nlohmann::json::array();
    for (const auto& g : s.gpus) {
        std::string name = device_name(api, g.dev);
        skus.insert(name);
        nlohmann::json gj = {{"index", g.physical}, {"name", name}};
        int mode = 0;
        if (api.DeviceGetPersistenceMode && api.DeviceGetPersistenceMode(g.dev, &mode) == nvml::Success)
            gj["persistence"] = mode != 0;
        gpus.push_back(gj);
    }
    if (!s.missing.empty()) {
        inv.detail = "allocated GPU(s) not present:";
        for (int m : s.missing) inv.detail += " " + std::to_string(m);
        inv.detail += " (" + std::to_string(s.count) + " on the node)";
    } else if (skus.size() > 1) {
        inv.status = Status::Fail;
        inv.detail = "mixed GPU models on one node";
    }
    inv.extra["sku"] = skus.size() == 1 ? *skus.begin() : std::string();
    inv.extra["gpus"] = gpus;
    inv.extra["gpus_on_node"] = s.count;
    char driver[96] = {};
    if (api.SystemGetDriverVersion && api.SystemGetDriverVersion(driver, sizeof driver) == nvml::Success)
        inv.extra["driver_version"] = driver;
    int cuda = 0;
    if (api.SystemGetCudaDriverVersion && api.SystemGetCudaDriverVersion(&cuda) == nvml::Success)
        inv.extra["cuda_driver_version"] = std::to_string(cuda / 1000) + "." + std::to_string(cuda % 1000 / 10);
    if (inv.detail.empty()) {
        inv.detail = std::to_string(s.gpus.size()) + " x " + (skus.empty() ? "?" : *skus.begin());
        if (inv.extra.contains("driver_version"))
            inv.detail += ", driver " + inv.extra["driver_version"].get<std::string>();
    }
    out.push_back(inv);

    // ECC must be on: without it HBM faults are silent.
    for (const auto& g : s.gpus) {
        int current = 0, pending = 0;
        nvml::Return r = api.DeviceGetEccMode ? api.DeviceGetEccMode(g.dev, &current, &pending)
                                              : nvml::ErrorNotSupported;
        if (r == nvml::Success) {
            CheckResult e = health::measured("gpu.ecc_mode", current, ">=", 1, "", {}, g.physical);
            e.detail = current ? "ECC enabled" : "ECC disabled";
            if (current != pending) e.detail += " (pending change after reboot)";
            out.push_back(e);
        } else {
            out.push_back(unsupported("gpu.ecc_mode", g.physical, "ECC mode: " + nvml::error_text(api, r)));
        }
        int mode = 0;
        if (api.DeviceGetPersistenceMode && api.DeviceGetPersistenceMode(g.dev, &mode) == nvml::Success && !mode)
            ctx.log(1, "GPU " + std::to_string(g.physical) +
                           ": persistence mode is off (slower CUDA start-up; enable nvidia-persistenced)");
    }
    return out;
}

namespace {

void remap_and_ecc(const Context& ctx, const nvml::Api& api, const NvmlGpu& g, Results& out) {
    const auto& t = ctx.request.thresholds;
    unsigned corr = 0, unc = 0, pending = 0, failed = 0;
    nvml::Return r = api.DeviceGetRemappedRows ? api.DeviceGetRemappedRows(g.dev, &corr, &unc, &pending, &failed)
                                               : nvml::ErrorNotSupported;
    if (r == nvml::Success) {
        CheckResult c = health::measured("gpu.row_remap", pending + failed, "<=", 0, "", {}, g.physical);
        c.detail = "pending " + std::to_string(pending) + ", failed " + std::to_string(failed) +
                   ", remapped rows " + std::to_string(corr + unc);
        out.push_back(c);
    } else {
        out.push_back(unsupported("gpu.row_remap", g.physical, "row remapping: " + nvml::error_text(api, r)));
    }

    // NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 1, CORRECTED = 0; NVML_VOLATILE_ECC = 0.
    unsigned long long count = 0;
    r = api.DeviceGetTotalEccErrors ? api.DeviceGetTotalEccErrors(g.dev, 1, 0, &count) : nvml::ErrorNotSupported;
    if (r == nvml::Success)
        out.push_back(counted("gpu.ecc_uncorrected", static_cast<double>(count), 0.0, g.physical,
                              "volatile uncorrectable ECC errors"));
    else
        out.push_back(unsupported("gpu.ecc_uncorrected", g.physical, "ECC counters: " + nvml::error_text(api, r)));
    if (api.DeviceGetTotalEccErrors && api.DeviceGetTotalEccErrors(g.dev, 0, 0, &count) == nvml::Success)
        out.push_back(counted("gpu.ecc_corrected", static_cast<double>(count), t.get(key::CorrectedEccMax),
                              g.physical, "volatile corrected ECC errors"));

    // Retired pages (pre-Ampere page retirement; Ampere and later report NOT_SUPPORTED).
    unsigned total = 0;
    bool supported = api.DeviceGetRetiredPages != nullptr;
    for (int cause = 0; cause < 2 && supported; ++cause) {
        unsigned n = 0;
        r = api.DeviceGetRetiredPages(g.dev, cause, &n, nullptr);
        if (r == nvml::Success || r == nvml::ErrorInsufficientSize) total += n;
        else supported = false;
    }
    if (supported)
        out.push_back(counted("gpu.retired_pages", total, t.get(key::RetiredPagesMax), g.physical));
}

void throttle_and_temperature(const Context& ctx, const nvml::Api& api, const NvmlGpu& g, Results& out) {
    unsigned long long reasons = 0;
    if (api.DeviceGetClocksEventReasons && api.DeviceGetClocksEventReasons(g.dev, &reasons) == nvml::Success) {
        unsigned long long bad = reasons & throttle::Harmful;
        CheckResult c = health::measured("gpu.throttle", bad ? 1 : 0, "<=", 0, "", {}, g.physical);
        c.value.reset();
        c.threshold.reset();
        c.detail = "clock event reasons: " + throttle_names(reasons);
        out.push_back(c);
    }
    unsigned temp = 0;
    if (api.DeviceGetTemperature && api.DeviceGetTemperature(g.dev, 0 /* NVML_TEMPERATURE_GPU */, &temp) == nvml::Success) {
        auto max = ctx.request.thresholds.get(key::TemperatureMax);
        CheckResult c = counted("gpu.temperature", temp, max, g.physical);
        c.unit = "C";
        out.push_back(c);
    }
}

void nvlink(const Context& ctx, const nvml::Api& api, const NvmlGpu& g, Results& out) {
    if (!api.DeviceGetNvLinkState) return;
    unsigned supported = 0, active = 0;
    unsigned long long crc = 0;
    std::string down;
    for (unsigned link = 0; link < nvml::MaxNvlinks; ++link) {
        int state = 0;
        if (api.DeviceGetNvLinkState(g.dev, link, &state) != nvml::Success) continue;
        ++supported;
        if (state) ++active;
        else down += (down.empty() ? "" : ",") + std::to_string(link);
        // NVML_NVLINK_ERROR_DL_CRC_FLIT = 2, NVML_NVLINK_ERROR_DL_CRC_DATA = 3.
        for (int counter : {2, 3}) {
            unsigned long long v = 0;
            if (api.DeviceGetNvLinkErrorCounter &&
                api.DeviceGetNvLinkErrorCounter(g.dev, link, counter, &v) == nvml::Success)
                crc += v;
        }
    }
    if (supported == 0) return;  // PCIe GPU without NVLink: nothing to judge
    CheckResult s = health::measured("gpu.nvlink", active, ">=", supported, "links", {}, g.physical);
    s.detail = down.empty() ? "all links up" : "links down: " + down;
    out.push_back(s);
    out.push_back(counted("gpu.nvlink_crc_errors", static_cast<double>(crc),
                          ctx.request.thresholds.get(key::NvlinkErrorsMax), g.physical,
                          "NVLink CRC flit + data errors since boot"));
}

// Critical Xids reported by the driver while we listen (NVML delivers events that happen after
// registration only; the sweep and the gate listen while their checks run).
void xid_events(const Context& ctx, const nvml::Api& api, const std::vector<NvmlGpu>& gpus, Results& out) {
    if (!api.EventSetCreate || !api.DeviceRegisterEvents || !api.EventSetWait || !api.EventSetFree) return;
    nvml::EventSet set = nullptr;
    if (api.EventSetCreate(&set) != nvml::Success) return;
    std::map<nvml::Device, int> registered;
    for (const auto& g : gpus)
        if (api.DeviceRegisterEvents(g.dev, nvml::EventXidCriticalError, set) == nvml::Success)
            registered[g.dev] = g.physical;
    std::map<int, std::set<unsigned long long>> seen;
    double listen = ctx.request.level == Level::Burnin ? std::min(10.0, ctx.request.duration_s > 0 ? ctx.request.duration_s : 10.0) : 0.5;
    listen = std::min(listen, std::max(0.0, ctx.deadline.remaining_s() * 0.5));
    Deadline window(listen);
    while (!registered.empty() && !window.expired()) {
        nvml::EventData ev{};
        unsigned ms = static_cast<unsigned>(std::max(1.0, window.remaining_s() * 1000));
        nvml::Return r = api.EventSetWait(set, &ev, ms);
        if (r == nvml::ErrorTimeout) break;
        if (r != nvml::Success) break;
        auto it = registered.find(ev.device);
        if (it != registered.end()) seen[it->second].insert(ev.eventData);
    }
    api.EventSetFree(set);
    for (const auto& g : gpus) {
        if (!registered.count(g.dev)) {
            out.push_back(unsupported("gpu.xid", g.physical, "Xid events not supported"));
            continue;
        }
        std::string critical, other;
        for (auto x : seen[g.physical])
            (is_critical_xid(x) ? critical : other) += (std::string(" ") + std::to_string(x));
        CheckResult c = health::measured("gpu.xid", critical.empty() ? 0 : 1, "<=", 0, "", {}, g.physical);
        c.value.reset();
        c.threshold.reset();
        c.detail = critical.empty() ? "no critical Xid" : "critical Xid" + critical;
        if (!other.empty()) c.detail += "; other Xid" + other;
        out.push_back(c);
    }
}

}  // namespace

Results check_passive(const Context& ctx) {
    Session s = open_session(ctx);
    if (!s.api) return {health::skipped("gpu.passive", s.why)};
    Results out;
    for (const auto& g : s.gpus) {
        remap_and_ecc(ctx, *s.api, g, out);
        throttle_and_temperature(ctx, *s.api, g, out);
        nvlink(ctx, *s.api, g, out);
    }
    ctx.progress(0.5);
    xid_events(ctx, *s.api, s.gpus, out);
    return out;
}

}  // namespace ks::gpu
