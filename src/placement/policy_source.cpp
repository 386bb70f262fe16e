#include "placement/policy_source.h"

#include "common/log.h"

namespace ks::placement {

namespace {
constexpr size_t kMaxWarned = 256;  // bounds the memory of distinct bad names
}  // namespace

const char* policy_in_spank_env(const char* const* env, size_t count) {
    constexpr std::string_view kNames[] = {"SPANK_KUBESLURM_TOPOLOGY=", "KUBESLURM_TOPOLOGY="};
    for (size_t i = 0; env && i < count; i++) {
        if (!env[i]) continue;
        std::string_view entry(env[i]);
        for (auto name : kNames)
            if (entry.starts_with(name)) return env[i] + name.size();
    }
    return nullptr;
}

Policy PolicySource::resolve(const config::Config& cfg, const char* job_policy,
                             const char* partition, uint32_t job_id) {
    if (job_policy && *job_policy) {
        auto p = parse_policy(job_policy);
        if (p) return *p;
        warn_once(std::string("job:") + job_policy,
                  "job " + std::to_string(job_id) + ": unknown topology policy '" + job_policy +
                      "' (any|prefer|block|leaf): using the partition or cluster default");
    }
    if (partition && *partition) {
        std::string part_policy = cfg.lookup("PartitionTopologyPolicy", partition, "");
        if (!part_policy.empty()) {
            auto p = parse_policy(part_policy);
            if (p) return *p;
            warn_once("part:" + part_policy, "PartitionTopologyPolicy: unknown policy '" +
                                                 part_policy + "' for partition " + partition);
        }
    }
    auto p = parse_policy(cfg.str("TopologyPolicy"));
    return p ? *p : Policy::Prefer;
}

void PolicySource::warn_once(std::string key, const std::string& message) {
    if (m_warned.size() >= kMaxWarned || !m_warned.insert(std::move(key)).second) return;
    m_log.warning(message);
}

}  // namespace ks::placement
