#include "health/gpu/nvml_decode.h"

#include <algorithm>
#include <cstdio>

namespace ks::gpu {

const std::vector<unsigned>& critical_xids() {
    static const std::vector<unsigned> list = {48, 56, 57, 58, 62, 63, 64, 65, 68,
                                               69, 73, 74, 79, 80, 81, 92, 119, 120};
    return list;
}

bool is_critical_xid(unsigned long long xid) {
    const auto& l = critical_xids();
    return std::find(l.begin(), l.end(), xid) != l.end();
}

std::string throttle_names(uint64_t mask) {
    static const std::pair<uint64_t, const char*> names[] = {
        {throttle::GpuIdle, "gpu_idle"},          {throttle::ApplicationsClocks, "applications_clocks"},
        {throttle::SwPowerCap, "sw_power_cap"},   {throttle::HwSlowdown, "hw_slowdown"},
        {throttle::SyncBoost, "sync_boost"},      {throttle::SwThermal, "sw_thermal"},
        {throttle::HwThermal, "hw_thermal"},      {throttle::HwPowerBrake, "hw_power_brake"},
        {throttle::DisplayClocks, "display_clocks"}};
    if (mask == 0) return "none";
    std::string out;
    uint64_t known = 0;
    for (const auto& [bit, name] : names) {
        known |= bit;
        if (mask & bit) out += (out.empty() ? "" : ",") + std::string(name);
    }
    if (uint64_t rest = mask & ~known) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(rest));
        out += (out.empty() ? "" : ",") + std::string(buf);
    }
    return out;
}

}  // namespace ks::gpu
