#include "common/safe_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ks::safe_file {
namespace {

Error os_error(const std::string& what, const std::string& path, int err) {
    return Error{what + " " + path + ": " + std::strerror(err)};
}

const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISLNK(mode)) return "a symbolic link";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

std::string dir_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

}  // namespace

Result<std::string> read(const std::string& path, ReadOptions options) {
    if (path.empty()) return Error{"no file name given"};
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
    const int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (options.follow_link ? 0 : O_NOFOLLOW);
    Fd f{::open(path.c_str(), flags)};
    if (f.fd < 0) {
        if (errno == ELOOP && !options.follow_link) return Error{"cannot open " + path + ": it is a symbolic link"};
        return os_error("cannot open", path, errno);
    }
    struct stat st {};
    if (::fstat(f.fd, &st) != 0) return os_error("cannot stat", path, errno);
    if (!S_ISREG(st.st_mode)) return Error{"cannot read " + path + ": it is " + kind_of(st.st_mode) + ", not a regular file"};
    if (static_cast<unsigned long long>(st.st_size) > options.max_size)
        return Error{"cannot read " + path + ": " + std::to_string(st.st_size) + " bytes, more than the " +
                     std::to_string(options.max_size) + " allowed"};
    std::string out;
    out.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    // A file that grows while it is read is read up to the limit and refused past it.
    for (;;) {
        if (got == out.size()) out.resize(std::min(options.max_size + 1, out.size() + 65536));
        if (got == out.size()) break;
        ssize_t n = ::read(f.fd, out.data() + got, out.size() - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            return os_error("cannot read", path, errno);
        }
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    if (got > options.max_size)
        return Error{"cannot read " + path + ": more than the " + std::to_string(options.max_size) + " bytes allowed"};
    out.resize(got);
    return out;
}

Status check_replaceable(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return {};
        return os_error("cannot inspect", path, errno);
    }
    if (!S_ISREG(st.st_mode))
        return Error{"refusing to replace " + path + ": it is " + kind_of(st.st_mode) +
                     " (only a regular file or a new file is written)"};
    return {};
}

Result<bool> replace(const std::string& path, std::string_view content, unsigned mode) {
    if (path.empty()) return Error{"no output path given"};
    if (auto st = check_replaceable(path); !st) return Error{st.error()};
    if (auto old = read(path, {.max_size = content.size(), .follow_link = false}); old && *old == content)
        return false;
    std::string tmpl = path + ".tmp.XXXXXX";
    Fd f{::mkstemp(tmpl.data())};
    if (f.fd < 0) return os_error("cannot create a temporary file next to", path, errno);
    bool ok = write_all(f.fd, content) && ::fchmod(f.fd, mode) == 0 && ::fsync(f.fd) == 0;
    int saved = ok ? 0 : errno;
    if (::close(f.fd) != 0 && ok) {
        saved = errno;
        ok = false;
    }
    f.fd = -1;
    if (ok && ::rename(tmpl.c_str(), path.c_str()) != 0) {
        saved = errno;
        ok = false;
    }
    if (!ok) {
        ::unlink(tmpl.c_str());
        return os_error("cannot write", path, saved);
    }
    // Make the rename itself durable.
    Fd dir{::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (dir.fd >= 0) ::fsync(dir.fd);
    return true;
}

}  // namespace ks::safe_file
