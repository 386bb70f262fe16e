#include "wait_tracker.h"

namespace ks::select {

namespace {
constexpr size_t kPruneAbove = 4096;   // entries of jobs long placed are dropped by age
constexpr std::time_t kKeepSeconds = 86400;
}  // namespace

long WaitTracker::waited(uint32_t job, std::time_t now) {
    auto [it, inserted] = m_first_seen.try_emplace(job, now);
    if (inserted && m_first_seen.size() > kPruneAbove) prune(now);
    return now > it->second ? long(now - it->second) : 0;
}

void WaitTracker::prune(std::time_t now) {
    std::erase_if(m_first_seen, [&](const auto& e) { return now - e.second > kKeepSeconds; });
}

}  // namespace ks::select
