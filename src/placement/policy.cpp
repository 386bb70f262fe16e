#include "common/strings.h"
#include "placement/placement.h"

namespace ks::placement {

Result<Policy> parse_policy(std::string_view text) {
    std::string t = str::lower(str::trim(text));
    if (t == "any") return Policy::Any;
    if (t == "prefer") return Policy::Prefer;
    if (t == "block") return Policy::Block;
    if (t == "leaf") return Policy::Leaf;
    return Error{"unknown topology policy '" + std::string(text) + "' (any, prefer, block or leaf)"};
}

std::string_view to_string(Policy policy) {
    switch (policy) {
        case Policy::Any: return "any";
        case Policy::Prefer: return "prefer";
        case Policy::Block: return "block";
        case Policy::Leaf: return "leaf";
    }
    return "?";
}

}  // namespace ks::placement
