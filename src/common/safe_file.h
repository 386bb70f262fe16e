// Reading and replacing files the safe way. A path from configuration may name a FIFO, a device,
// a directory or a huge file by mistake or by malice: readers open it without blocking, accept
// regular files only and read a bounded amount; writers replace only a regular file (or create an
// absent one) through a temporary file in the same directory, never a device, link or FIFO.
// Every error names the path and the OS reason.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace ks::safe_file {

inline constexpr size_t kDefaultMaxSize = 64u << 20;  // 64 MiB

struct ReadOptions {
    size_t max_size = kDefaultMaxSize;
    bool follow_link = true;  // false: a symbolic link as the last component is refused
};

// The whole content of a regular file (O_NONBLOCK + fstat before any read).
Result<std::string> read(const std::string& path, ReadOptions options = {});

// Whether `path` may be replaced: absent, or a regular file (not a link, FIFO, device, directory).
Status check_replaceable(const std::string& path);

// Writes `content` atomically: temporary file in the target's directory, fsync, rename, fsync of
// the directory; the file gets `mode`. Refuses targets that check_replaceable refuses. When the
// file already holds exactly `content` it is left alone and the result is false.
Result<bool> replace(const std::string& path, std::string_view content, unsigned mode = 0644);

}  // namespace ks::safe_file
