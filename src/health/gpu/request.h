// The backend's run_check request (src/health/gpu_backend.h), parsed and validated without
// throwing, and the catalogue of checks with the levels that run them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "health/gpu/thresholds.h"

namespace ks::gpu {

enum class Level { Quick, Nccl, Full, Burnin };

bool parse_level(std::string_view text, Level& out);
const char* level_name(Level l);

struct Request {
    std::string check;
    std::vector<int> devices;  // physical indices (PCI bus order)
    Level level = Level::Quick;
    double duration_s = 0;     // burn-in: how long this check measures; 0 = its default
    double deadline_s = 0;     // the backend must return within this many seconds
    Thresholds thresholds;
};

Result<Request> parse_request(std::string_view json_text);

struct CheckInfo {
    std::string_view name;
    std::string_view unit;
    std::vector<Level> levels;
    std::string_view description;
    bool multi_node = false;  // runs on every node of the job at once (the checker's rendezvous)
    // Weight of this check in a burn-in: the checker splits --duration over the checks of a run
    // in proportion (the GEMM is the stress test and gets the most); 0 = measures no duration.
    double burnin_weight = 0;
};

const std::vector<CheckInfo>& catalogue();
const CheckInfo* find_check(std::string_view name);

// list_checks() of the ABI: [{"name", "levels", "unit", "description", "multi_node",
// "burnin_weight"}, ...].
std::string catalogue_json();

// How long a measuring check runs: short and fixed for the prolog levels; for burn-in the
// request's duration_s (this check's part of the run, set by the checker), else its weight's part
// of 60 s; never beyond 80% of the deadline.
double measuring_seconds(const Request& r);

}  // namespace ks::gpu
