// Which placement policy applies to a job: its own (--topology, carried in the job's SPANK
// environment), else its partition's default (PartitionTopologyPolicy), else TopologyPolicy.
// An invalid name is logged once and the next source applies.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "common/config.h"
#include "placement/placement.h"

namespace ks::select {

class PolicySource {
public:
    placement::Policy resolve(const config::Config& cfg, const char* job_policy,
                              const char* partition, uint32_t job_id);

private:
    void warn_once(std::string key, const std::string& message);
    std::set<std::string> m_warned;
};

}  // namespace ks::select
