#include "spank/node_drain.h"

#include <dlfcn.h>
#include <slurm/slurm.h>

#include "common/slurm_api.h"

#include <cerrno>
#include <cstring>
#include <vector>

namespace ks::spank {

// Resolved at run time from the process that loaded the plugin (slurmstepd carries the whole
// Slurm library): the plugin links no libslurm of its own, and clients that never drain do not
// need these symbols.
Status drain_node(const std::string& node, const std::string& reason) {
    using InitFn = void (*)(update_node_msg_t*);
    using UpdateFn = int (*)(update_node_msg_t*);
    using StrerrorFn = char* (*)(int);
    using SlurmInitFn = void (*)(const char*);
    auto init = reinterpret_cast<InitFn>(dlsym(RTLD_DEFAULT, "slurm_init_update_node_msg"));
    auto update = reinterpret_cast<UpdateFn>(dlsym(RTLD_DEFAULT, "slurm_update_node"));
    auto describe = reinterpret_cast<StrerrorFn>(dlsym(RTLD_DEFAULT, "slurm_strerror"));
    if (!init || !update) return Error{"slurm_update_node is not available in this process"};
    // The API's documented first call. The job prolog's process (`slurmstepd spank prolog`) has
    // read the configuration but, from 23.11, not loaded the hash plugins that an RPC needs:
    // without this, slurm_update_node kills the prolog with "No hash plugins loaded". Each
    // plugin's init is a no-op when it is loaded already.
    if (auto slurm_init = reinterpret_cast<SlurmInitFn>(dlsym(RTLD_DEFAULT, "slurm_init"))) slurm_init(nullptr);

    std::vector<char> names(node.begin(), node.end()), why(reason.begin(), reason.end());
    names.push_back('\0');
    why.push_back('\0');
    update_node_msg_t msg;
    init(&msg);
    msg.node_names = names.data();
    msg.node_state = NODE_STATE_DRAIN;
    msg.reason = why.data();
    slurm_api::set_reason_uid(msg, getuid());
    errno = 0;
    if (update(&msg) != 0) {
        int err = errno;
        return Error{"slurm_update_node(" + node + "): " + (describe ? describe(err) : std::strerror(err))};
    }
    return {};
}

}  // namespace ks::spank
