// The bounded wait of TopologyMaxWait: since when each job could have started, but only on a
// wider placement than its minimum. Counting from that moment (not from submission) keeps the
// wait meaningful for jobs that queued behind others for a long time.
#pragma once

#include <cstdint>
#include <ctime>
#include <unordered_map>

namespace ks::select {

class WaitTracker {
public:
    // Seconds since `job` was first seen placeable only wider; 0 the first time.
    long waited(uint32_t job, std::time_t now);

private:
    void prune(std::time_t now);
    std::unordered_map<uint32_t, std::time_t> m_first_seen;
};

}  // namespace ks::select
