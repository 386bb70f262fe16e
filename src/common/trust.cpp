#include "common/trust.h"

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace ks::trust {
namespace {

std::string octal(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

// "/a/b/c" -> "/", "/a", "/a/b", "/a/b/c"
std::vector<std::string> prefixes(const std::string& path) {
    std::vector<std::string> out{"/"};
    for (size_t pos = 1; pos <= path.size(); ++pos)
        if ((pos == path.size() || path[pos] == '/') && path[pos - 1] != '/') out.push_back(path.substr(0, pos));
    return out;
}

// One component: owned by root; not writable by group or others unless it is a sticky directory
// (the next component, which must belong to root too, cannot be replaced there). A link's mode
// means nothing: the resolved path is checked on its own.
Status component(const std::string& p, const struct stat& st, const std::string& what) {
    if (st.st_uid != 0)
        return Error{what + ": " + p + " belongs to uid " + std::to_string(st.st_uid) + ", not root"};
    if (S_ISLNK(st.st_mode)) return {};
    if ((st.st_mode & 022) != 0 && !(S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX)))
        return Error{what + ": " + p + " is writable by " + ((st.st_mode & 002) ? "everyone" : "its group") +
                     " (mode " + octal(st.st_mode) + "); it must be writable by root only"};
    return {};
}

Status chain(const std::string& path, Kind kind, const std::string& what) {
    const auto parts = prefixes(path);
    for (size_t i = 0; i < parts.size(); ++i) {
        struct stat st {};
        if (::lstat(parts[i].c_str(), &st) != 0)
            return Error{what + ": " + parts[i] + ": " + std::strerror(errno)};
        if (auto s = component(parts[i], st, what); !s) return s;
        const bool last = i + 1 == parts.size();
        if (!last && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
            return Error{what + ": " + parts[i] + " is not a directory"};
        if (last && !S_ISLNK(st.st_mode)) {
            if (kind == Kind::File && !S_ISREG(st.st_mode))
                return Error{what + ": " + path + " is not a regular file"};
            if (kind == Kind::Directory && !S_ISDIR(st.st_mode))
                return Error{what + ": " + path + " is not a directory"};
        }
    }
    return {};
}

}  // namespace

Status check(const std::string& path, Kind kind, const std::string& what) {
    if (path.empty() || path.front() != '/') return Error{what + ": '" + path + "' is not an absolute path"};
    if (auto s = chain(path, kind, what); !s) return s;
    char resolved[PATH_MAX];
    if (!::realpath(path.c_str(), resolved)) return Error{what + ": " + path + ": " + std::strerror(errno)};
    if (path != resolved)
        if (auto s = chain(resolved, kind, what); !s) return s;
    return {};
}

}  // namespace ks::trust
