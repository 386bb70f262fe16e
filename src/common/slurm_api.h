// The public libslurm calls whose shape differs between Slurm release lines (22.05 to 26.05), in
// one place, so that callers compile unchanged on each line. Header-only: the SPANK plugin links
// no libslurm and must not gain references to it through this file.
//
//   hostlist_t   a pointer type up to 23.05, an opaque struct (used as hostlist_t *) from 23.11
//   ranged text  slurm_hostlist_ranged_string_malloc is gone from 23.11; the buffer form stays
//   errors       slurm_get_errno is gone from 24.11; it always returned errno
//   reason_uid   the node update message loses it in 26.05 (slurmctld takes the caller's uid)
//   job calls    26.05 keys slurm_load_job, slurm_kill_job (and the other job calls) on a slurm_step_id_t, not the
//                job id; its uint32_t wrappers (SLURM_BACKWARD_COMPAT) use C11 _Generic, not C++
//   conf free    26.05 renames slurm_free_ctl_conf to slurm_free_conf
//   topology     the node update message gains topology_str in 25.05 (a node's blocks and switches)
#pragma once

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdint>
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

// Sets a node update's topology ("block:b1,tree:s1:l1") where the message has the field (25.05+);
// false where it has none.
template <class UpdateNodeMsg>
bool set_topology(UpdateNodeMsg& msg, char* topology) {
    if constexpr (requires { msg.topology_str = topology; }) {
        msg.topology_str = topology;
        return true;
    } else {
        return false;
    }
}

// Records who set a node's reason where the message still carries it (up to 25.11).
template <class UpdateNodeMsg>
void set_reason_uid(UpdateNodeMsg& msg, uid_t uid) {
    if constexpr (requires { msg.reason_uid = uid; }) msg.reason_uid = uid;
}

namespace detail {

// The type of a call's first and second parameter (a function type, as decltype(slurm_load_job)
// gives).
template <class F>
struct first_param;
template <class R, class A0, class... A>
struct first_param<R(A0, A...)> {
    using type = A0;
};
template <class F>
struct second_param;
template <class R, class A0, class A1, class... A>
struct second_param<R(A0, A1, A...)> {
    using type = A1;
};

// `job_id` as a job call's key: the id itself up to 25.11, from 26.05 a slurm_step_id_t naming the
// whole job (SLURM_STEP_ID_INITIALIZER with the job id, as scontrol builds it).
template <class Key>
Key job_key(uint32_t job_id) {
    if constexpr (std::is_integral_v<Key>) {
        return job_id;
    } else {
        Key key{};
        key.job_id = job_id;
        key.step_het_comp = NO_VAL;
        key.step_id = NO_VAL;
        return key;
    }
}

// Stand-ins for the names a line lacks. A call below finds Slurm's own declaration (a global
// function) by argument-dependent lookup on slurm_conf_t, and it wins over these templates; a
// stand-in is chosen only where slurm.h does not declare the name, and its Absent result says so.
struct Absent {};
template <class T>
Absent slurm_free_conf(T*);
template <class T>
Absent slurm_free_ctl_conf(T*);

template <class Conf>
void free_conf(Conf* conf) {
    if constexpr (!std::is_same_v<decltype(slurm_free_conf(conf)), Absent>) {
        slurm_free_conf(conf);  // 26.05+
    } else {
        static_assert(!std::is_same_v<decltype(slurm_free_ctl_conf(conf)), Absent>,
                      "slurm.h declares neither slurm_free_conf nor slurm_free_ctl_conf");
        slurm_free_ctl_conf(conf);  // up to 25.11
    }
}

}  // namespace detail

// slurm_load_job for one job id on every line.
inline int load_job(job_info_msg_t** resp, uint32_t job_id, uint16_t show_flags) {
    using Key = typename detail::second_param<decltype(slurm_load_job)>::type;
    return slurm_load_job(resp, detail::job_key<Key>(job_id), show_flags);
}

// slurm_kill_job (signal a whole job) for one job id on every line.
inline int kill_job(uint32_t job_id, uint16_t signal) {
    using Key = typename detail::first_param<decltype(slurm_kill_job)>::type;
    return slurm_kill_job(detail::job_key<Key>(job_id), signal, 0);
}

// Frees what slurm_load_ctl_conf returned.
inline void free_conf(slurm_conf_t* conf) { detail::free_conf(conf); }

}  // namespace ks::slurm_api
