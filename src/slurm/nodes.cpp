#include "slurm/nodes.h"

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <unistd.h>

#include <iterator>
#include <mutex>

#include "common/slurm_api.h"
#include "common/strings.h"

namespace ks::slurm {
namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) {
        if (!out.empty()) out += ',';
        out += s;
    }
    return out;
}

// The base state's name plus the flags kubeslurm cares about (the full-text helper is not part of
// the public API).
std::string state_text(uint32_t state) {
    static const char* const base[] = {"UNKNOWN", "DOWN", "IDLE", "ALLOCATED", "ERROR", "MIXED", "FUTURE"};
    const uint32_t b = state & NODE_STATE_BASE;
    std::string out = b < std::size(base) ? base[b] : "?";
    if (state & NODE_STATE_DRAIN) out += "+DRAIN";
    if (state & NODE_STATE_NO_RESPOND) out += "+NOT_RESPONDING";
    if (state & NODE_STATE_FAIL) out += "+FAIL";
    return out;
}

// slurm_update_node takes non-const char*; the strings outlive the call.
char* mutable_c(std::string& s) { return s.data(); }

Status update(update_node_msg_t& msg, const char* what) {
    init();
    if (slurm_update_node(&msg) != SLURM_SUCCESS) return Error{slurm_api::last_error(what)};
    return {};
}

NodeState to_state(const node_info_t& n) {
    NodeState s;
    s.name = n.name;
    s.drain = (n.node_state & NODE_STATE_DRAIN) != 0;
    s.down = (n.node_state & NODE_STATE_BASE) == NODE_STATE_DOWN;
    s.state = state_text(n.node_state);
    if (n.reason) s.reason = n.reason;
    if (n.features) s.features = str::split(n.features, ',');
    return s;
}

}  // namespace

void init() {
    static std::once_flag once;
    std::call_once(once, [] { slurm_init(nullptr); });
}

Result<std::optional<std::vector<NodeState>>> load_nodes(std::time_t since, std::time_t& update_time) {
    init();
    node_info_msg_t* msg = nullptr;
    if (slurm_load_node(since, &msg, SHOW_ALL) != SLURM_SUCCESS) {
        if (errno == SLURM_NO_CHANGE_IN_DATA) {
            update_time = since;
            return std::optional<std::vector<NodeState>>{};
        }
        return Error{slurm_api::last_error("slurm_load_node")};
    }
    std::vector<NodeState> nodes;
    nodes.reserve(msg->record_count);
    for (uint32_t i = 0; i < msg->record_count; ++i) {
        const node_info_t& n = msg->node_array[i];
        if (n.name) nodes.push_back(to_state(n));
    }
    update_time = msg->last_update;
    slurm_free_node_info_msg(msg);
    return std::optional<std::vector<NodeState>>{std::move(nodes)};
}

Status drain(const std::string& nodes, const std::string& reason) {
    update_node_msg_t msg;
    slurm_init_update_node_msg(&msg);
    std::string names = nodes, why = reason;
    msg.node_names = mutable_c(names);
    msg.node_state = NODE_STATE_DRAIN;
    msg.reason = mutable_c(why);
    slurm_api::set_reason_uid(msg, getuid());
    return update(msg, "slurm_update_node(DRAIN)");
}

Status resume(const std::string& nodes) {
    update_node_msg_t msg;
    slurm_init_update_node_msg(&msg);
    std::string names = nodes;
    msg.node_names = mutable_c(names);
    msg.node_state = NODE_RESUME;
    return update(msg, "slurm_update_node(RESUME)");
}

Status set_topology(const std::string& nodes, const std::string& topology) {
    update_node_msg_t msg;
    slurm_init_update_node_msg(&msg);
    std::string names = nodes, text = topology;
    msg.node_names = mutable_c(names);
    if (!slurm_api::set_topology(msg, mutable_c(text)))
        return Error{"moving nodes between topology units live needs Slurm 25.05 or later"};
    return update(msg, "slurm_update_node(topology)");
}

Status set_features(const std::string& nodes, const std::vector<std::string>& features) {
    update_node_msg_t msg;
    slurm_init_update_node_msg(&msg);
    std::string names = nodes, avail = join(features), active = avail;
    msg.node_names = mutable_c(names);
    msg.features = mutable_c(avail);
    msg.features_act = mutable_c(active);
    return update(msg, "slurm_update_node(features)");
}

}  // namespace ks::slurm
