#include "health/check.h"

namespace ks::health {

CheckResult CheckContext::judge(std::string check, double value, std::string_view comparison,
                                const std::string& key, std::string unit, std::string detail) const {
    auto threshold = thresholds.get(key);
    if (!threshold) {
        CheckResult r = errored(std::move(check), "no threshold '" + key + "' in the thresholds files");
        r.value = value;
        r.unit = std::move(unit);
        return r;
    }
    return measured(std::move(check), value, comparison, *threshold, std::move(unit), std::move(detail));
}

std::vector<CheckPtr> Registry::for_level(Level level) const {
    std::vector<CheckPtr> out;
    for (const auto& c : m_checks)
        if (c->levels() & mask(level)) out.push_back(c);
    return out;
}

}  // namespace ks::health
