// Label selectors (=, ==, !=, in, notin, exists, !exists) and field selectors (=, ==, != on
// metadata.name, metadata.namespace, spec.nodeName, spec.unschedulable, status.phase, and the
// Event fields involvedObject.*, reason, type, reportingComponent).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kstest {

struct Requirement {
    enum class Op { Equals, NotEquals, In, NotIn, Exists, NotExists } op;
    std::string key;
    std::vector<std::string> values;
};

struct Selector {
    std::vector<Requirement> labels;
    std::vector<Requirement> fields;  // Equals / NotEquals only
    bool matches(const nlohmann::json& object) const;
    bool empty() const { return labels.empty() && fields.empty(); }
};

// nullopt + error on bad syntax or an unsupported field.
std::optional<Selector> parse_selector(const std::string& label_selector,
                                       const std::string& field_selector, std::string& error);

}  // namespace kstest
