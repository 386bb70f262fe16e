// Names written into Slurm's topology files. Domain and switch IDs come from Kubernetes labels and
// annotations (or a hand-edited topology.json): whatever they hold must not end a line, start a
// comment, add a key or split a hostlist once written.
#include <cstdio>

#include "topology/slurm_out.h"

namespace ks::topology::slurm_out {
namespace {

bool safe_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

std::string hash16(std::string_view s) {
    uint64_t h = 14695981039346656037ULL;  // FNV-1a 64
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace

bool is_safe_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameLength) return false;
    for (char c : name)
        if (!safe_char(c)) return false;
    return true;
}

std::string safe_name(std::string_view raw) {
    if (is_safe_name(raw)) return std::string(raw);
    std::string out;
    for (char c : raw) out += safe_char(c) ? c : '_';
    if (out.empty()) out = "_";
    // A rewritten or long name keeps a hash of the original, so that two IDs that differ only
    // in unsafe characters or past the limit still get different names.
    if (out != raw || out.size() > kMaxNameLength) {
        std::string tag = "-" + hash16(raw);
        out = out.substr(0, kMaxNameLength - tag.size()) + tag;
    }
    return out;
}

std::string yaml_quoted(std::string_view value) {
    std::string out = "\"";
    for (unsigned char c : value) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

}  // namespace ks::topology::slurm_out
