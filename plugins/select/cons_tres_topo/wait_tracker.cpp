#include "wait_tracker.h"

namespace ks::select {

namespace {
constexpr size_t kPruneAbove = 4096;   // entries of jobs long placed are dropped by age
constexpr std::time_t kKeepSeconds = 86400;
}  // namespace

WaitTracker::Entry& WaitTracker::entry(uint32_t job, std::time_t now) {
    if (m_jobs.size() > kPruneAbove && !m_jobs.count(job))
        std::erase_if(m_jobs, [&](const auto& e) { return now - e.second.seen > kKeepSeconds; });
    Entry& e = m_jobs[job];
    e.seen = now;
    return e;
}

void WaitTracker::note_tried(uint32_t job, std::time_t now) { entry(job, now).tried = true; }

bool WaitTracker::tried(uint32_t job) const {
    auto it = m_jobs.find(job);
    return it != m_jobs.end() && it->second.tried;
}

long WaitTracker::waited(uint32_t job, std::time_t now) {
    Entry& e = entry(job, now);
    if (!e.wider_since) e.wider_since = now;
    return now > e.wider_since ? long(now - e.wider_since) : 0;
}

std::optional<long> WaitTracker::elapsed(uint32_t job, std::time_t now) const {
    auto it = m_jobs.find(job);
    if (it == m_jobs.end() || !it->second.wider_since) return std::nullopt;
    return now > it->second.wider_since ? long(now - it->second.wider_since) : 0;
}

}  // namespace ks::select
