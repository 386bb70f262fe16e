// The head's bounded wait, per job (the clock is the caller's: whole seconds of a monotonic clock):
// * whether Slurm has tried to start the job now (the main scheduler tries jobs in priority order
//   and stops a partition at the first it cannot start: that job heads the queue);
// * since when it has headed the queue without room in its fewest domains (whether or not it
//   could start wider then). Counting from that moment (not from submission) keeps the wait
//   meaningful for jobs that queued behind others for a long time.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <unordered_map>
#include <vector>

namespace ks::placement {

class WaitTracker {
public:
    // Slurm tried to start `job` now.
    void note_tried(uint32_t job, std::time_t now);
    bool tried(uint32_t job) const;

    // Seconds since `job` was first tried without room in its fewest domains; 0 the first time.
    long waited(uint32_t job, std::time_t now);
    // Seconds since `job` started waiting; nullopt when it has not.
    std::optional<long> elapsed(uint32_t job, std::time_t now) const;

    // The free nodes seen now: a node free at the last call and taken since is a start.
    void observe_free(const std::vector<bool>& free_now, std::time_t now);
    // Seconds since a job last took a free node, or since `job` began waiting if later; 0 when
    // `job` is not waiting.
    long idle_for(uint32_t job, std::time_t now) const;

private:
    std::vector<bool> m_last_free;
    std::time_t m_last_take = 0;
    struct Entry {
        std::time_t seen = 0;          // last update: entries of jobs long gone are pruned
        std::optional<std::time_t> waiting_since;  // unset: not waiting
        bool tried = false;
    };
    Entry& entry(uint32_t job, std::time_t now);
    std::unordered_map<uint32_t, Entry> m_jobs;
    static constexpr size_t kPruneAbove = 4096;  // entries of jobs long placed are dropped by age
    size_t m_prune_at = kPruneAbove;  // next size at which old entries are dropped (amortised)
};

}  // namespace ks::placement
