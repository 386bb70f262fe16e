// Prints the kubeslurm.conf key table as Markdown; `make docs-config` splices it into
// docs/kubeslurm.conf.md between the generated-table markers.
#include <cstdio>

#include "common/config.h"

int main() {
    std::fputs(ks::config::markdown_table().c_str(), stdout);
    return 0;
}
