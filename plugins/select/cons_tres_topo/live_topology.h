// topology.json as slurmctld sees it: re-checked with one stat() at most once a second, reloaded
// when it changed, no reconfigure needed. A broken or missing file keeps the last good topology
// and is logged once per distinct problem.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>

#include "topology/topology.h"

namespace ks::select {

class LiveTopology {
public:
    using Clock = std::chrono::steady_clock;

    void set_path(std::string path);
    const std::string& path() const { return m_path; }

    // The current topology (nullptr when none was ever loaded). Cheap: at most one stat() per
    // second; a reload only when the file's identity, size or mtime changed.
    const topology::Topology* current(Clock::time_point now = Clock::now());

    // Bumped on every successful (re)load: callers cache derived data against it.
    uint64_t generation() const { return m_generation; }

private:
    struct FileId {
        dev_t dev = 0;
        ino_t ino = 0;
        off_t size = 0;
        int64_t mtime_ns = 0;
        bool operator==(const FileId&) const = default;
    };
    void check();
    void report(const std::string& problem);

    std::string m_path;
    std::optional<topology::Topology> m_topology;
    std::optional<FileId> m_seen;  // file identity of the last load attempt
    Clock::time_point m_next_check{};
    uint64_t m_generation = 0;
    std::string m_last_problem;
};

}  // namespace ks::select
