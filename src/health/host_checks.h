// Checks of the host itself that need no GPU: available memory and memory copy bandwidth.
#pragma once

#include "health/check.h"

namespace ks::health {

CheckPtr make_host_memory_check();     // host.memory: MemAvailable >= host.memory.min_available_gib
CheckPtr make_host_membw_check();      // host.membw: memcpy GB/s >= host.membw.min_gbps

}  // namespace ks::health
