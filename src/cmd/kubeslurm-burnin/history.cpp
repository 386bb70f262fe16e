#include "history.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace ks::burnin {

static bool failed_status(const std::string& s) { return s == "fail" || s == "error" || s == "timeout"; }

HistoryEntry history_entry(const NodeOutcome& o, const std::string& time, const std::string& sweep) {
    HistoryEntry e{time, sweep, o.node, o.status, {}};
    for (const auto& f : o.results)
        if (fails_node(f)) e.failed.push_back(result_label(f));
    if (e.failed.empty() && failed_status(o.status) && !o.problem.empty()) e.failed.push_back("job");
    return e;
}

Status append_history(const std::string& path, const std::vector<HistoryEntry>& entries) {
    std::error_code ec;
    auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return Error{"history " + path + ": " + std::strerror(errno)};
    Status st;
    for (const auto& e : entries) {
        nlohmann::json j = {{"time", e.time}, {"sweep", e.sweep}, {"node", e.node}, {"status", e.status}, {"failed", e.failed}};
        std::string line = j.dump() + "\n";
        if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
            st = Error{"history " + path + ": short write: " + std::strerror(errno)};
            break;
        }
    }
    if (::close(fd) != 0 && st.ok()) st = Error{"history " + path + ": " + std::strerror(errno)};
    return st;
}

Result<std::vector<HistoryEntry>> load_history(const std::string& path, int* bad_lines) {
    std::vector<HistoryEntry> out;
    if (bad_lines) *bad_lines = 0;
    std::ifstream in(path);
    if (!in) {
        if (!std::filesystem::exists(path)) return out;
        return Error{"history " + path + ": cannot read"};
    }
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object() || !j.contains("node") || !j["node"].is_string() || !j.contains("status") ||
            !j["status"].is_string()) {
            if (bad_lines) ++*bad_lines;
            continue;
        }
        HistoryEntry e;
        e.node = j["node"];
        e.status = j["status"];
        e.time = j.value("time", "");
        e.sweep = j.value("sweep", "");
        if (auto f = j.find("failed"); f != j.end() && f->is_array())
            for (const auto& c : *f)
                if (c.is_string()) e.failed.push_back(c);
        out.push_back(std::move(e));
    }
    return out;
}

std::map<std::string, NodeRecord> summarize(const std::vector<HistoryEntry>& history) {
    std::map<std::string, NodeRecord> out;
    for (const auto& e : history) {
        auto& r = out[e.node];
        ++r.sweeps;
        if (!failed_status(e.status)) continue;
        ++r.failures;
        r.last_failure = std::max(r.last_failure, e.time);
        for (const auto& c : e.failed) ++r.checks[c];
    }
    return out;
}

std::vector<std::pair<std::string, NodeRecord>> lemons(const std::map<std::string, NodeRecord>& records,
                                                        int min_failures) {
    std::vector<std::pair<std::string, NodeRecord>> out;
    for (const auto& [node, r] : records)
        if (r.failures >= min_failures) out.emplace_back(node, r);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.second.failures != b.second.failures ? a.second.failures > b.second.failures : a.first < b.first;
    });
    return out;
}

}  // namespace ks::burnin
