// Check levels: quick (prolog default), nccl (+ multi-node), full, burnin (site staff only).
#pragma once

#include <optional>
#include <string_view>

namespace ks::health {

enum class Level { Quick = 1, Nccl = 2, Full = 4, Burnin = 8 };

using LevelMask = unsigned;
constexpr LevelMask mask(Level l) { return static_cast<LevelMask>(l); }
constexpr LevelMask kAllLevels = 15;
constexpr LevelMask kMultiNodeLevels = mask(Level::Nccl) | mask(Level::Full) | mask(Level::Burnin);

std::string_view level_name(Level l);
std::optional<Level> parse_level(std::string_view text);
// "quick,full" style list for --list-checks.
std::string levels_text(LevelMask m);

}  // namespace ks::health
