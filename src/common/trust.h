// Files that root executes, loads or reads, checked like sshd's StrictModes: the file and every
// directory above it must belong to root and be writable by root alone, or anyone who can write
// one of them could make root run their code. A world-writable directory with the sticky bit
// (/tmp) is accepted, because there only root may replace root's entries.
#pragma once

#include <string>

#include "common/result.h"

namespace ks::trust {

enum class Kind { File, Directory };

// Refuses `path` (naming `what`, e.g. "CheckerPath") unless the path as written and the path
// with its links resolved pass the rules above and the last component is of `kind`. The error
// says which component fails and why.
Status check(const std::string& path, Kind kind, const std::string& what);

}  // namespace ks::trust
