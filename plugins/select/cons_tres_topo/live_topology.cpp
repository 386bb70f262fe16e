#include "live_topology.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

#include "common/log.h"

namespace ks::select {

namespace {
constexpr log::Logger kLog("select/cons_tres_topo");
constexpr auto kCheckInterval = std::chrono::seconds(1);
}  // namespace

void LiveTopology::set_path(std::string path) {
    if (path == m_path) return;
    m_path = std::move(path);
    m_seen.reset();
    m_next_check = {};
    m_last_problem.clear();
}

const topology::Topology* LiveTopology::current(Clock::time_point now) {
    if (now >= m_next_check) {
        m_next_check = now + kCheckInterval;
        check();
    }
    return m_topology ? &*m_topology : nullptr;
}

void LiveTopology::check() {
    if (m_path.empty()) return;
    struct stat st {};
    if (::stat(m_path.c_str(), &st) != 0) {
        m_seen.reset();
        report("cannot stat topology file " + m_path + ": " + std::strerror(errno) +
               (m_topology ? " (keeping the last good topology)" : " (placing without topology)"));
        return;
    }
    FileId id{st.st_dev, st.st_ino, st.st_size,
              int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
    if (m_seen && *m_seen == id) return;
    m_seen = id;

    auto loaded = topology::load_json_file(m_path);
    if (!loaded) {
        report(loaded.error() + (m_topology ? " (keeping the last good topology " +
                                                  m_topology->hash() + ")"
                                            : " (placing without topology)"));
        return;
    }
    bool same = m_topology && *m_topology == *loaded;
    m_topology = std::move(loaded).value();
    m_last_problem.clear();
    if (same) return;
    ++m_generation;
    kLog.info("topology ", m_topology->hash(), " loaded from ", m_path, ": ", m_topology->size(),
              " nodes, ", m_topology->blocks().size(), " blocks, ",
              m_topology->groups(topology::Level::Leaf).size(), " leaf groups");
}

void LiveTopology::report(const std::string& problem) {
    if (problem == m_last_problem) return;
    m_last_problem = problem;
    kLog.error(problem);
}

}  // namespace ks::select
