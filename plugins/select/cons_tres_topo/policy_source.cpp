#include "policy_source.h"

#include "common/log.h"

namespace ks::select {

namespace {
constexpr log::Logger kLog("select/cons_tres_topo");
constexpr size_t kMaxWarned = 256;  // bounds the memory of distinct bad names
}  // namespace

placement::Policy PolicySource::resolve(const config::Config& cfg, const char* job_policy,
                                        const char* partition, uint32_t job_id) {
    if (job_policy && *job_policy) {
        auto p = placement::parse_policy(job_policy);
        if (p) return *p;
        warn_once(std::string("job:") + job_policy,
                  "job " + std::to_string(job_id) + ": unknown topology policy '" + job_policy +
                      "' (any|prefer|block|leaf): using the partition or cluster default");
    }
    if (partition && *partition) {
        std::string part_policy = cfg.lookup("PartitionTopologyPolicy", partition, "");
        if (!part_policy.empty()) {
            auto p = placement::parse_policy(part_policy);
            if (p) return *p;
            warn_once("part:" + part_policy, "PartitionTopologyPolicy: unknown policy '" +
                                                 part_policy + "' for partition " + partition);
        }
    }
    auto p = placement::parse_policy(cfg.str("TopologyPolicy"));
    return p ? *p : placement::Policy::Prefer;
}

void PolicySource::warn_once(std::string key, const std::string& message) {
    if (m_warned.size() >= kMaxWarned || !m_warned.insert(std::move(key)).second) return;
    kLog.warning(message);
}

}  // namespace ks::select
