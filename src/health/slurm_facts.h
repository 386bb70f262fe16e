// What the rendezvous needs from Slurm: the munge socket (AuthInfo=socket=...), SlurmUser's uid
// and a node's address (NodeAddr, falling back to DNS).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace ks::health {

struct SlurmFacts {
    std::string munge_socket;           // empty: munge's default
    std::optional<uid_t> slurm_user_uid;
    std::string error;                  // why the controller could not be asked
};

// AuthInfo "socket=/run/munge/munge.sock,ttl=60" -> "/run/munge/munge.sock" (empty when absent).
std::string munge_socket_from_auth_info(std::string_view auth_info);

// Asks slurmctld (slurm_load_ctl_conf); only where a slurm.conf is present.
SlurmFacts load_slurm_facts();

// NodeAddr of `node` from slurmctld, else a getaddrinfo() lookup of the name, numeric.
std::string node_address(const std::string& node);

}  // namespace ks::health
