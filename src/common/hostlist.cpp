#include "common/hostlist.h"

#include <cstdlib>
#include <memory>

#include "common/slurm_api.h"

namespace ks::hostlist {
namespace {

using slurm_api::Hostlist;

// libslurm accepts unbalanced brackets and yields garbage names ("n[1-" -> "n]"): reject them
// before handing the expression over. Ranges themselves are validated by libslurm.
bool brackets_balanced(std::string_view expr) {
    bool open = false;
    for (char c : expr) {
        if (c == '[') {
            if (open) return false;
            open = true;
        } else if (c == ']') {
            if (!open) return false;
            open = false;
        }
    }
    return !open;
}

}  // namespace

Result<std::vector<std::string>> expand(std::string_view expression) {
    std::string expr(expression);
    if (expr.find_first_not_of(" \t\n,") == std::string::npos) return std::vector<std::string>{};
    Hostlist hl(brackets_balanced(expr) ? slurm_hostlist_create(expr.c_str()) : nullptr);
    if (!hl) return Error{"invalid hostlist expression '" + expr + "'"};
    std::vector<std::string> hosts;
    while (char* host = slurm_hostlist_shift(hl.get())) {
        hosts.emplace_back(host);
        std::free(host);
    }
    return hosts;
}

std::string compress(std::span<const std::string> hosts) {
    if (hosts.empty()) return {};
    Hostlist hl(slurm_hostlist_create(nullptr));
    for (const auto& h : hosts) slurm_hostlist_push_host(hl.get(), h.c_str());
    slurm_hostlist_uniq(hl.get());
    return slurm_api::ranged_string(hl.get());
}

}  // namespace ks::hostlist
