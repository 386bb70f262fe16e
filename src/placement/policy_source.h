// Which placement policy applies to a job: its own (--topology, carried in the job's SPANK
// environment), else its partition's default (PartitionTopologyPolicy), else TopologyPolicy.
// An invalid name is logged once and the next source applies.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/log.h"
#include "placement/placement.h"

namespace ks::placement {

// The policy a job named with --topology, from its SPANK environment (NAME=VALUE entries; NULL
// entries skipped): KUBESLURM_TOPOLOGY as spank_job_control_setenv() stored it at submission,
// SPANK_KUBESLURM_TOPOLOGY as slurmctld hands the prolog's copy. nullptr when absent.
const char* policy_in_spank_env(const char* const* env, size_t count);

class PolicySource {
public:
    explicit PolicySource(log::Logger log) : m_log(log) {}
    Policy resolve(const config::Config& cfg, const char* job_policy, const char* partition,
                   uint32_t job_id);

private:
    void warn_once(std::string key, const std::string& message);
    log::Logger m_log;  // the component's own prefix
    std::set<std::string> m_warned;
};

}  // namespace ks::placement
