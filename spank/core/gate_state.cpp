#include "spank/core/gate_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/strings.h"

namespace ks::spank {
namespace {

// Names come from Slurm (cluster, node): keep them from escaping the directory.
std::string safe(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c == '/' || c == '\0' || c == '\n') c = '_';
    if (out.empty() || out == "." || out == "..") out = "_";
    return out;
}

}  // namespace

std::string state_path(std::string_view dir, std::string_view cluster, std::string_view node, unsigned job_id) {
    return std::string(dir) + "/" + safe(cluster) + "." + safe(node) + "." + std::to_string(job_id) + ".env";
}

Status write_state(const std::string& path, const GateState& state) {
    auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) {
        std::string dir = path.substr(0, slash);
        if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
            return Error{"cannot create " + dir + ": " + std::strerror(errno)};
    }
    std::string body;
    for (const auto& [k, v] : state) {
        std::string value = v;
        for (auto& c : value)
            if (c == '\n' || c == '\r') c = ' ';
        body += k + "=" + value + "\n";
    }
    std::string tmp = path + ".tmp";
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return Error{"cannot write " + tmp + ": " + std::strerror(errno)};
    bool ok = write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
    ok = (fchmod(fd, 0644) == 0) && ok;
    ok = (close(fd) == 0) && ok;
    if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
        std::string why = std::strerror(errno);
        unlink(tmp.c_str());
        return Error{"cannot write " + path + ": " + why};
    }
    return {};
}

Result<GateState> read_state(const std::string& path) {
    GateState state;
    std::ifstream in(path);
    if (!in) {
        if (errno == ENOENT) return state;
        return Error{"cannot read " + path + ": " + std::strerror(errno)};
    }
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        std::string key = line.substr(0, eq);
        if (!str::starts_with(key, "KUBESLURM_")) continue;  // only our own variables reach the job
        state[key] = line.substr(eq + 1);
    }
    return state;
}

}  // namespace ks::spank
