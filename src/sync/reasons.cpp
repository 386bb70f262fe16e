#include "sync/reasons.h"

#include <algorithm>

#include "common/strings.h"

namespace ks::sync {

std::string own_reason(std::string_view cause) { return std::string(kOwnReasonPrefix) + std::string(cause); }

bool is_own_reason(std::string_view reason) { return str::starts_with(reason, kOwnReasonPrefix); }

std::optional<HealthVerdict> parse_health_reason(std::string_view reason) {
    if (!str::starts_with(reason, kReasonPrefix) || is_own_reason(reason)) return std::nullopt;
    std::string_view rest = reason.substr(kReasonPrefix.size());
    const size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view check = str::trim(rest.substr(0, colon));
    // A check name is one token ("gpu.hbm_bandwidth"); anything with spaces is free text.
    if (check.empty() || check.find(' ') != std::string_view::npos) return std::nullopt;
    std::string detail(str::trim(rest.substr(colon + 1)));
    auto figure = parse_figure(detail);
    return HealthVerdict{std::string(check), std::move(detail), std::move(figure)};
}

std::optional<Figure> parse_figure(std::string_view detail) {
    // Slurm appends " [user@time]" to a drained node's reason in some views: not part of it.
    if (auto bracket = detail.find(" ["); bracket != std::string_view::npos) detail = detail.substr(0, bracket);
    const auto words = str::split(detail, ' ');
    if (words.size() < 3 || words.size() > 4) return std::nullopt;
    static constexpr std::string_view kOps[] = {"<", ">", "!=", "<=", ">=", "=="};
    if (std::find(std::begin(kOps), std::end(kOps), words[1]) == std::end(kOps)) return std::nullopt;
    const auto value = str::to_double(words[0]), threshold = str::to_double(words[2]);
    if (!value || !threshold) return std::nullopt;
    Figure f{*value, *threshold, words[1], {}};
    if (words.size() == 4) f.unit = words[3];
    return f;
}

}  // namespace ks::sync
