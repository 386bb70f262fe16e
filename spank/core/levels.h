// User options of the plugin: the check level (--gpu-check) with the admin's per-partition
// default and limits, and the placement policy (--topology).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/result.h"

namespace ks::spank {

// Ordered from least to most thorough.
enum class CheckLevel { Off = 0, Quick = 1, Nccl = 2, Full = 3 };

inline constexpr std::string_view kCheckLevelChoices = "off|quick|nccl|full";
inline constexpr std::string_view kTopologyChoices = "any|prefer|block|leaf";

std::optional<CheckLevel> parse_level(std::string_view text);
std::string_view level_name(CheckLevel level);
bool valid_topology(std::string_view text);

// What the admin decided for one partition (empty partition: the cluster-wide default).
struct LevelPolicy {
    CheckLevel default_level = CheckLevel::Quick;
    bool allow_lower = true;
    bool allow_off = false;
    std::string partition;
};

LevelPolicy level_policy(const config::Config& cfg, std::string_view partition);

// The level a job runs at: the requested one when the policy permits it, the default when none
// was requested; an error that says why otherwise.
Result<CheckLevel> resolve_level(std::optional<CheckLevel> requested, const LevelPolicy& policy);

}  // namespace ks::spank
