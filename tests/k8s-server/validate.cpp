#include "validate.h"

#include <regex>

namespace kstest {
namespace {

using Json = nlohmann::json;

std::string str_at(const Json& obj, const char* a, const char* b) {
    auto x = obj.find(a);
    if (x == obj.end() || !x->is_object()) return "";
    auto y = x->find(b);
    return y != x->end() && y->is_string() ? y->get<std::string>() : "";
}

bool dns_subdomain(const std::string& s) {
    static const std::regex re("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    return !s.empty() && s.size() <= 253 && std::regex_match(s, re);
}

// An Event names the object it is about; a cluster-scoped object's events live in "default"
// (or no namespace), a namespaced object's in its own namespace.
std::string validate_event(const Json& e) {
    const std::string name = str_at(e, "metadata", "name");
    if (!dns_subdomain(name))
        return "metadata.name: Invalid value: \"" + name + "\": a lowercase RFC 1123 subdomain must consist "
               "of lower case alphanumeric characters, '-' or '.'";
    if (str_at(e, "involvedObject", "kind").empty()) return "involvedObject.kind: Required value";
    if (str_at(e, "involvedObject", "name").empty()) return "involvedObject.name: Required value";
    const std::string ns = str_at(e, "metadata", "namespace");
    const std::string obj_ns = str_at(e, "involvedObject", "namespace");
    if (obj_ns.empty() ? (!ns.empty() && ns != "default") : ns != obj_ns)
        return "involvedObject.namespace: Invalid value: \"" + obj_ns + "\": does not match event.namespace";
    auto type = e.find("type");
    if (type != e.end() && !(type->is_string() && (*type == "Normal" || *type == "Warning")))
        return "type: Unsupported value: " + type->dump() + ": supported values: \"Normal\", \"Warning\"";
    auto count = e.find("count");
    if (count != e.end() && !(count->is_number_integer() && count->get<long>() >= 0))
        return "count: Invalid value: " + count->dump() + ": must be a non-negative integer";
    return "";
}

}  // namespace

std::string validate_object(const std::string& kind, const Json& object) {
    if (kind == "Event") return validate_event(object);
    return "";
}

}  // namespace kstest
