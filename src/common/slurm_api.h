// The public libslurm calls whose shape differs between Slurm release lines (22.05 to 26.05), in
// one place, so that callers compile unchanged on each line. Header-only: the SPANK plugin links
// no libslurm and must not gain references to it through this file.
//
//   hostlist_t   a pointer type up to 23.05, an opaque struct (used as hostlist_t *) from 23.11
//   ranged text  slurm_hostlist_ranged_string_malloc is gone from 23.11; the buffer form stays
//   errors       slurm_get_errno is gone from 24.11; it always returned errno
//   reason_uid   the node update message loses it in 26.05 (slurmctld takes the caller's uid)
#pragma once

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <sys/types.h>

#include <cerrno>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace ks::slurm_api {

// What slurm_hostlist_create returns on this line: hostlist_t (22.05) or hostlist_t * (23.11+).
using HostlistHandle = decltype(slurm_hostlist_create(nullptr));

struct HostlistDeleter {
    void operator()(HostlistHandle hl) const { slurm_hostlist_destroy(hl); }
};
using Hostlist = std::unique_ptr<std::remove_pointer_t<HostlistHandle>, HostlistDeleter>;

// "n[1-4,7]" for the hosts in `hl`, through the buffer call every line has.
inline std::string ranged_string(HostlistHandle hl) {
    std::vector<char> buf(256);
    for (;;) {
        ssize_t n = slurm_hostlist_ranged_string(hl, buf.size(), buf.data());
        if (n >= 0 && static_cast<size_t>(n) < buf.size()) return std::string(buf.data(), static_cast<size_t>(n));
        buf.resize(buf.size() * 4);
    }
}

// "what: <Slurm's text for the last error>", right after a failed libslurm call.
inline std::string last_error(const char* what) {
    return std::string(what) + ": " + slurm_strerror(errno);
}

// Records who set a node's reason where the message still carries it (up to 25.11).
template <class UpdateNodeMsg>
void set_reason_uid(UpdateNodeMsg& msg, uid_t uid) {
    if constexpr (requires { msg.reason_uid = uid; }) msg.reason_uid = uid;
}

}  // namespace ks::slurm_api
