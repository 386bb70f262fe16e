// Topology files go through common/safe_file: a FIFO, device or directory at a topology path is
// refused at once instead of blocking slurmctld or kubeslurm-topo, and a writer never replaces a
// link, device or FIFO.
#include "topology/file_io.h"

#include "common/safe_file.h"
#include "topology/topology.h"

namespace ks::topology {

Result<std::string> read_file(const std::string& path) { return safe_file::read(path); }

Result<bool> write_file_atomic(const std::string& path, std::string_view content) {
    return safe_file::replace(path, content, 0644);
}

}  // namespace ks::topology
