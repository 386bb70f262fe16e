#include "health/slurm_facts.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>

#include <slurm/slurm.h>

#include "common/slurm_api.h"
#include "common/strings.h"

namespace ks::health {
namespace {

bool slurm_configured() {
    const char* conf = std::getenv("SLURM_CONF");
    return (conf && access(conf, R_OK) == 0) || access("/etc/slurm/slurm.conf", R_OK) == 0;
}

void init_slurm_once() {
    static std::once_flag once;
    std::call_once(once, [] { slurm_init(nullptr); });
}

std::string resolve(const std::string& name) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0 || !res) return {};
    char buf[INET6_ADDRSTRLEN] = {};
    getnameinfo(res->ai_addr, res->ai_addrlen, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST);
    freeaddrinfo(res);
    return buf;
}

}  // namespace

std::string munge_socket_from_auth_info(std::string_view auth_info) {
    for (const auto& item : str::split(auth_info, ',')) {
        auto eq = item.find('=');
        if (eq != std::string::npos && str::iequals(str::trim(std::string_view(item).substr(0, eq)), "socket"))
            return std::string(str::trim(std::string_view(item).substr(eq + 1)));
    }
    return {};
}

SlurmFacts load_slurm_facts() {
    SlurmFacts facts;
    if (!slurm_configured()) {
        facts.error = "no slurm.conf (SLURM_CONF unset, /etc/slurm/slurm.conf absent)";
        return facts;
    }
    init_slurm_once();
    slurm_conf_t* conf = nullptr;
    if (slurm_load_ctl_conf(0, &conf) != SLURM_SUCCESS || !conf) {
        facts.error = slurm_api::last_error("slurm_load_ctl_conf");
        return facts;
    }
    if (conf->authinfo) facts.munge_socket = munge_socket_from_auth_info(conf->authinfo);
    facts.slurm_user_uid = static_cast<uid_t>(conf->slurm_user_id);
    slurm_api::free_conf(conf);
    return facts;
}

std::string node_address(const std::string& node) {
    if (slurm_configured()) {
        init_slurm_once();
        node_info_msg_t* msg = nullptr;
        std::string name = node;
        if (slurm_load_node_single(&msg, name.data(), SHOW_ALL) == SLURM_SUCCESS && msg) {
            std::string addr;
            if (msg->record_count > 0 && msg->node_array[0].node_addr) addr = msg->node_array[0].node_addr;
            slurm_free_node_info_msg(msg);
            if (!addr.empty()) {
                std::string numeric = resolve(addr);
                return numeric.empty() ? addr : numeric;
            }
        }
    }
    return resolve(node);
}

}  // namespace ks::health
