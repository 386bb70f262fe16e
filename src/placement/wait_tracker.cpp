#include "placement/wait_tracker.h"

#include <algorithm>

namespace ks::placement {

namespace {
constexpr std::time_t kKeepSeconds = 86400;

long since(std::time_t start, std::time_t now) { return now > start ? long(now - start) : 0; }
}  // namespace

// Every job Slurm tries to start gets an entry, so pruning runs only when the map has doubled
// since the last prune: job_test stays O(1) per call however many jobs a day the cluster runs.
WaitTracker::Entry& WaitTracker::entry(uint32_t job, std::time_t now) {
    if (m_jobs.size() >= m_prune_at) {
        std::erase_if(m_jobs, [&](const auto& e) { return now - e.second.seen > kKeepSeconds; });
        m_prune_at = std::max(kPruneAbove, 2 * m_jobs.size());
    }
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
    if (!e.waiting_since) e.waiting_since = now;
    return since(*e.waiting_since, now);
}

std::optional<long> WaitTracker::elapsed(uint32_t job, std::time_t now) const {
    auto it = m_jobs.find(job);
    if (it == m_jobs.end() || !it->second.waiting_since) return std::nullopt;
    return since(*it->second.waiting_since, now);
}

void WaitTracker::observe_free(const std::vector<bool>& free_now, std::time_t now) {
    if (m_last_free.size() == free_now.size())
        for (size_t i = 0; i < free_now.size(); i++)
            if (m_last_free[i] && !free_now[i]) {
                m_last_take = now;
                break;
            }
    m_last_free = free_now;
}

long WaitTracker::idle_for(uint32_t job, std::time_t now) const {
    auto it = m_jobs.find(job);
    if (it == m_jobs.end() || !it->second.waiting_since) return 0;  // not waiting
    return since(std::max(m_last_take, *it->second.waiting_since), now);
}

}  // namespace ks::placement
