#include "spank/core/levels.h"

#include <array>

namespace ks::spank {
namespace {

constexpr std::array<std::string_view, 4> kLevelNames = {"off", "quick", "nccl", "full"};
constexpr std::array<std::string_view, 4> kTopologies = {"any", "prefer", "block", "leaf"};

std::string where(const LevelPolicy& p) {
    return p.partition.empty() ? std::string("this cluster") : "partition " + p.partition;
}

}  // namespace

std::optional<CheckLevel> parse_level(std::string_view text) {
    for (size_t i = 0; i < kLevelNames.size(); ++i)
        if (kLevelNames[i] == text) return static_cast<CheckLevel>(i);
    return std::nullopt;
}

std::string_view level_name(CheckLevel level) { return kLevelNames.at(static_cast<size_t>(level)); }

bool valid_topology(std::string_view text) {
    for (auto t : kTopologies)
        if (t == text) return true;
    return false;
}

LevelPolicy level_policy(const config::Config& cfg, std::string_view partition) {
    LevelPolicy p;
    p.partition = std::string(partition);
    std::string fallback = cfg.str("GpuCheck");
    std::string name = partition.empty() ? fallback : cfg.lookup("PartitionGpuCheck", partition, fallback);
    // Both values were validated against the same choices when the configuration was read.
    p.default_level = parse_level(name).value_or(CheckLevel::Quick);
    p.allow_lower = cfg.flag("AllowLowerCheck");
    p.allow_off = cfg.flag("AllowCheckOff");
    return p;
}

Result<CheckLevel> resolve_level(std::optional<CheckLevel> requested, const LevelPolicy& policy) {
    if (!requested || *requested >= policy.default_level) return requested.value_or(policy.default_level);
    std::string asked = "--gpu-check=" + std::string(level_name(*requested));
    if (*requested == CheckLevel::Off) {
        if (!policy.allow_off)
            return Error{asked + " is not allowed on " + where(policy) +
                         " (the administrator set AllowCheckOff=no)"};
        return CheckLevel::Off;
    }
    if (!policy.allow_lower)
        return Error{asked + " is below the level " + std::string(level_name(policy.default_level)) +
                     " required on " + where(policy) + " (the administrator set AllowLowerCheck=no)"};
    return *requested;
}

}  // namespace ks::spank
