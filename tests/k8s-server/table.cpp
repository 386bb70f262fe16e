#include "table.h"

#include <cctype>
#include <ctime>

namespace kstest {

namespace {

std::string age_of(const std::string& ts) {
    std::tm tm{};
    if (ts.empty() || !strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return "<unknown>";
    const long s = static_cast<long>(std::difftime(std::time(nullptr), timegm(&tm)));
    if (s < 120) return std::to_string(std::max(0L, s)) + "s";
    if (s < 7200) return std::to_string(s / 60) + "m";
    if (s < 172800) return std::to_string(s / 3600) + "h";
    return std::to_string(s / 86400) + "d";
}

std::string age(const Json& obj) { return age_of(obj["metadata"].value("creationTimestamp", "")); }

// kubectl's "LAST SEEN": lastTimestamp, else eventTime, else creation.
std::string last_seen(const Json& e) {
    for (const char* f : {"lastTimestamp", "eventTime"})
        if (e.contains(f) && e[f].is_string() && !e[f].get<std::string>().empty())
            return age_of(e[f].get<std::string>().substr(0, 19) + "Z");
    return age(e);
}

std::string node_status(const Json& n) {
    std::string status = "Unknown";
    const Json conds = n.contains("status") ? n["status"].value("conditions", Json::array())
                                            : Json::array();
    for (const auto& c : conds)
        if (c.value("type", "") == "Ready")
            status = c.value("status", "") == "True" ? "Ready" : "NotReady";
    if (n.contains("spec") && n["spec"].value("unschedulable", false)) status += ",SchedulingDisabled";
    return status;
}

Json column(const char* name, const char* type = "string", const char* format = "") {
    return {{"name", name}, {"type", type}, {"format", format}, {"description", ""},
            {"priority", 0}};
}

}  // namespace

bool wants_table(const std::string& accept) {
    return accept.find("as=Table") != std::string::npos;
}

Json make_table(const Kind& kind, const std::vector<const Json*>& objects, const Json& list_meta) {
    Json cols;
    if (kind.name == "Node")
        cols = {column("Name", "string", "name"), column("Status"), column("Roles"),
                column("Age"), column("Version")};
    else if (kind.name == "Pod")
        cols = {column("Name", "string", "name"), column("Ready"), column("Status"),
                column("Restarts", "integer"), column("Age")};
    else if (kind.name == "Event")
        cols = {column("Last Seen"), column("Type"), column("Reason"), column("Object"), column("Message")};
    else
        cols = {column("Name", "string", "name"), column("Age")};
    Json rows = Json::array();
    for (const Json* o : objects) {
        const Json& obj = *o;
        const std::string name = obj["metadata"].value("name", "");
        Json cells;
        if (kind.name == "Node") {
            std::string version;
            if (obj.contains("status") && obj["status"].contains("nodeInfo"))
                version = obj["status"]["nodeInfo"].value("kubeletVersion", "");
            cells = {name, node_status(obj), "<none>", age(obj), version};
        } else if (kind.name == "Pod") {
            const std::string phase = obj.contains("status") ? obj["status"].value("phase", "Pending")
                                                             : "Pending";
            const std::size_t n = obj.contains("spec") && obj["spec"].contains("containers")
                                      ? obj["spec"]["containers"].size()
                                      : 0;
            const std::size_t ready = phase == "Running" ? n : 0;
            cells = {name, std::to_string(ready) + "/" + std::to_string(n), phase, 0, age(obj)};
        } else if (kind.name == "Event") {
            const Json io = obj.value("involvedObject", Json::object());
            std::string kind_lc = io.value("kind", "");
            for (auto& c : kind_lc) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            cells = {last_seen(obj), obj.value("type", ""), obj.value("reason", ""),
                     kind_lc + "/" + io.value("name", ""), obj.value("message", "")};
        } else {
            cells = {name, age(obj)};
        }
        rows.push_back({{"cells", cells},
                        {"object",
                         {{"kind", "PartialObjectMetadata"},
                          {"apiVersion", "meta.k8s.io/v1"},
                          {"metadata", obj["metadata"]}}}});
    }
    return {{"kind", "Table"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", list_meta},
            {"columnDefinitions", cols}, {"rows", rows}};
}

}  // namespace kstest
