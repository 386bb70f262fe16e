#include "health/level.h"

#include <string>

namespace ks::health {

namespace {
constexpr Level kLevels[] = {Level::Quick, Level::Nccl, Level::Full, Level::Burnin};
}

std::string_view level_name(Level l) {
    switch (l) {
        case Level::Quick: return "quick";
        case Level::Nccl: return "nccl";
        case Level::Full: return "full";
        case Level::Burnin: return "burnin";
    }
    return "?";
}

std::optional<Level> parse_level(std::string_view text) {
    for (Level l : kLevels)
        if (level_name(l) == text) return l;
    return std::nullopt;
}

std::string levels_text(LevelMask m) {
    std::string out;
    for (Level l : kLevels) {
        if (!(m & mask(l))) continue;
        if (!out.empty()) out += ",";
        out += level_name(l);
    }
    return out;
}

}  // namespace ks::health
