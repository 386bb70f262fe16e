// hostnet: the CPU backend's multi-node check — a TCP ring all-reduce between the job's nodes,
// data verified, bus bandwidth and per-hop latency judged against the thresholds files. It runs
// on hosts without GPUs, so the multi-node path (rendezvous, ring, blame) is exercised for real.
#pragma once

#include "health/check.h"

namespace ks::health {

CheckPtr make_hostnet_check();

}  // namespace ks::health
