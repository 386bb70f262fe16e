// topology.json reader and writer.
#include <nlohmann/json.hpp>

#include "common/quote.h"
#include "topology/file_io.h"
#include "topology/topology.h"

namespace ks::topology {
namespace {

using nlohmann::json;

Result<Node> node_from_json(const json& j, const std::string& where) {
    if (!j.is_object()) return Error{where + ": a node must be an object"};
    Node n;
    for (const auto& [key, value] : j.items()) {
        if (key == "name") {
            if (!value.is_string() || value.get<std::string>().empty())
                return Error{where + ": \"name\" must be a non-empty string"};
            n.name = value.get<std::string>();
        } else if (key == "domain") {
            if (value.is_null()) continue;
            if (!value.is_string()) return Error{where + ": \"domain\" must be a string"};
            n.domain = value.get<std::string>();
        } else if (key == "tiers") {
            if (value.is_null()) continue;
            if (!value.is_array()) return Error{where + ": \"tiers\" must be an array of strings"};
            for (const auto& t : value) {
                if (!t.is_string()) return Error{where + ": \"tiers\" must be an array of strings"};
                n.tiers.push_back(t.get<std::string>());
            }
        } else {
            return Error{where + ": unknown field " + quote(key)};
        }
    }
    if (n.name.empty()) return Error{where + ": missing \"name\""};
    if (auto st = check_ids(n); !st) return Error{where + ": " + st.error()};
    return n;
}

}  // namespace

// One node per line: readable, diff-friendly, and still plain JSON.
std::string to_json(const Topology& topo) {
    std::string out = "{\"version\": " + std::to_string(kJsonVersion) + ", \"hash\": \"" + topo.hash() +
                      "\", \"nodes\": [";
    bool first = true;
    for (const auto& n : topo.nodes()) {
        nlohmann::ordered_json j{{"name", n.name}};
        if (!n.domain.empty()) j["domain"] = n.domain;
        if (!n.tiers.empty()) j["tiers"] = n.tiers;
        // Invalid UTF-8 must not throw out of a writer: it becomes U+FFFD, which no reader takes
        // for a valid ID.
        out += (first ? "\n  " : ",\n  ") + j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        first = false;
    }
    return out + "\n]}\n";
}

Result<Topology> from_json(std::string_view text, const std::string& origin) {
    json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Error{origin + ": not valid JSON"};
    if (!doc.is_object()) return Error{origin + ": expected a JSON object with \"version\" and \"nodes\""};
    auto version = doc.find("version");
    if (version == doc.end()) return Error{origin + ": missing \"version\""};
    if (!version->is_number_integer() || version->get<long long>() != kJsonVersion)
        return Error{origin + ": unsupported version " + (version->is_number() ? version->dump() : quote(version->dump())) + " (this kubeslurm reads version " +
                     std::to_string(kJsonVersion) + ")"};
    auto nodes = doc.find("nodes");
    if (nodes == doc.end() || !nodes->is_array()) return Error{origin + ": \"nodes\" must be an array"};
    for (const auto& [key, value] : doc.items())
        if (key != "version" && key != "nodes" && key != "hash")
            return Error{origin + ": unknown field " + quote(key)};

    std::vector<Node> list;
    list.reserve(nodes->size());
    for (size_t i = 0; i < nodes->size(); ++i) {
        auto n = node_from_json((*nodes)[i], origin + ": nodes[" + std::to_string(i) + "]");
        if (!n) return Error{n.error()};
        list.push_back(std::move(n).value());
    }
    auto topo = Topology::build(std::move(list));
    if (!topo) return Error{origin + ": " + topo.error()};
    return topo;
}

Result<Topology> load_json_file(const std::string& path) {
    auto text = read_file(path);
    if (!text) return Error{text.error()};
    return from_json(*text, path);
}

Result<bool> write_json_atomic(const Topology& topo, const std::string& path) {
    return write_file_atomic(path, to_json(topo));
}

}  // namespace ks::topology
