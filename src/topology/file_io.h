// Whole-file reads for the topology readers (write_file_atomic is public, in topology.h).
#pragma once

#include <string>

#include "common/result.h"

namespace ks::topology {

// The content of a regular file of at most 64 MiB, opened without blocking (a FIFO or device is
// refused); errors name the path and the reason (errno text).
Result<std::string> read_file(const std::string& path);

}  // namespace ks::topology
