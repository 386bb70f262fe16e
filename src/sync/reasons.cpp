#include "sync/reasons.h"

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
    return HealthVerdict{std::string(check), std::string(str::trim(rest.substr(colon + 1)))};
}

}  // namespace ks::sync
