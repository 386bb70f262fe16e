#include "selector.h"

#include <algorithm>

namespace kstest {

using Json = nlohmann::json;

static std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

// Splits on commas outside parentheses.
static std::vector<std::string> split_terms(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    int depth = 0;
    for (char c : s) {
        if (c == '(') ++depth;
        if (c == ')') --depth;
        if (c == ',' && depth == 0) {
            out.push_back(trim(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!trim(cur).empty() || !out.empty()) out.push_back(trim(cur));
    return out;
}

static std::optional<Requirement> parse_term(const std::string& t, std::string& error) {
    Requirement r{Requirement::Op::Exists, "", {}};
    if (t.empty()) {
        error = "empty selector term";
        return std::nullopt;
    }
    if (t[0] == '!') {
        r.op = Requirement::Op::NotExists;
        r.key = trim(t.substr(1));
        return r;
    }
    for (const char* op : {"!=", "==", "="}) {
        auto p = t.find(op);
        if (p != std::string::npos) {
            r.op = op[0] == '!' ? Requirement::Op::NotEquals : Requirement::Op::Equals;
            r.key = trim(t.substr(0, p));
            r.values = {trim(t.substr(p + std::string(op).size()))};
            if (r.key.empty()) {
                error = "selector term '" + t + "' has no key";
                return std::nullopt;
            }
            return r;
        }
    }
    for (const char* op : {" notin ", " in "}) {
        auto p = t.find(op);
        if (p == std::string::npos) continue;
        r.op = std::string(op) == " in " ? Requirement::Op::In : Requirement::Op::NotIn;
        r.key = trim(t.substr(0, p));
        std::string rest = trim(t.substr(p + std::string(op).size()));
        if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') {
            error = "selector term '" + t + "': values must be in parentheses";
            return std::nullopt;
        }
        std::string inner = rest.substr(1, rest.size() - 2);
        std::size_t start = 0;
        while (start <= inner.size()) {
            auto c = inner.find(',', start);
            r.values.push_back(trim(inner.substr(start, c == std::string::npos ? c : c - start)));
            if (c == std::string::npos) break;
            start = c + 1;
        }
        return r;
    }
    if (t.find_first_of(" ()") != std::string::npos) {
        error = "cannot parse selector term '" + t + "'";
        return std::nullopt;
    }
    r.key = t;
    return r;
}

static const Json* field_of(const Json& obj, const std::string& path) {
    const Json* cur = &obj;
    std::size_t start = 0;
    while (true) {
        auto dot = path.find('.', start);
        std::string part = path.substr(start, dot == std::string::npos ? dot : dot - start);
        if (!cur->is_object()) return nullptr;
        auto it = cur->find(part);
        if (it == cur->end()) return nullptr;
        cur = &*it;
        if (dot == std::string::npos) return cur;
        start = dot + 1;
    }
}

static std::optional<std::string> field_value(const Json& obj, const std::string& path) {
    const Json* v = field_of(obj, path);
    if (!v || v->is_null()) return std::nullopt;
    if (v->is_string()) return v->get<std::string>();
    if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
    return v->dump();
}

static bool match_one(const Requirement& r, const std::optional<std::string>& value) {
    using Op = Requirement::Op;
    switch (r.op) {
        case Op::Exists: return value.has_value();
        case Op::NotExists: return !value.has_value();
        case Op::Equals: return value && *value == r.values[0];
        case Op::NotEquals: return !value || *value != r.values[0];
        case Op::In:
            return value && std::find(r.values.begin(), r.values.end(), *value) != r.values.end();
        case Op::NotIn:
            return !value || std::find(r.values.begin(), r.values.end(), *value) == r.values.end();
    }
    return false;
}

bool Selector::matches(const Json& object) const {
    static const Json empty = Json::object();
    const Json* labels_obj = field_of(object, "metadata.labels");
    const Json& lbl = labels_obj && labels_obj->is_object() ? *labels_obj : empty;
    for (const auto& r : labels) {
        auto it = lbl.find(r.key);
        std::optional<std::string> v;
        if (it != lbl.end() && it->is_string()) v = it->get<std::string>();
        if (!match_one(r, v)) return false;
    }
    for (const auto& r : fields) {
        auto v = field_value(object, r.key);
        // Absent boolean/string fields compare as their zero value, like the API server.
        if (!v) v = r.key == "spec.unschedulable" ? "false" : "";
        if (!match_one(r, v)) return false;
    }
    return true;
}

std::optional<Selector> parse_selector(const std::string& label_selector,
                                       const std::string& field_selector, std::string& error) {
    Selector s;
    for (const auto& t : split_terms(label_selector)) {
        auto r = parse_term(t, error);
        if (!r) return std::nullopt;
        s.labels.push_back(*r);
    }
    // The union of the kinds' field labels (Node, Pod, Event), as the API server registers them.
    static const char* supported[] = {"metadata.name", "metadata.namespace", "spec.nodeName",
                                      "spec.unschedulable", "status.phase", "involvedObject.kind",
                                      "involvedObject.namespace", "involvedObject.name",
                                      "involvedObject.uid", "involvedObject.apiVersion",
                                      "involvedObject.fieldPath", "reason", "type", "reportingComponent"};
    for (const auto& t : split_terms(field_selector)) {
        auto r = parse_term(t, error);
        if (!r) return std::nullopt;
        if (r->op != Requirement::Op::Equals && r->op != Requirement::Op::NotEquals) {
            error = "field selector '" + t + "': only =, == and != are supported";
            return std::nullopt;
        }
        if (std::find_if(std::begin(supported), std::end(supported),
                         [&](const char* f) { return r->key == f; }) == std::end(supported)) {
            error = "field label not supported: " + r->key;
            return std::nullopt;
        }
        s.fields.push_back(*r);
    }
    return s;
}

}  // namespace kstest
