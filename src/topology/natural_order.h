// Natural order of node names: digit runs compare as numbers ("n2" < "n10"), like Slurm lists.
#pragma once

#include <string_view>

namespace ks::topology {

bool natural_less(std::string_view a, std::string_view b);

}  // namespace ks::topology
