// One GPU check result as the backend ABI reports it (src/health/gpu_backend.h): a value with
// its status, figure, threshold, unit and comparison. Pure C++ (no CUDA) so that it is unit-tested.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ks::gpu {

enum class Status { Pass, Fail, Skip, Error, Timeout };

const char* status_name(Status s);

// ">=" (higher is better) or "<=" (lower is better).
enum class Comparison { AtLeast, AtMost };

const char* comparison_text(Comparison c);

struct CheckResult {
    std::string check;
    Status status = Status::Skip;
    std::optional<double> value;
    std::optional<double> threshold;
    std::string unit;
    Comparison comparison = Comparison::AtLeast;
    std::string detail;
    int device = -1;             // physical GPU index; -1 = the node as a whole
    bool blame_peers = false;    // multi-node result whose cause may be another node
    nlohmann::json extra;        // extra fields (inventory: sku, driver ...)

    nlohmann::json to_json() const;
};

CheckResult skip(std::string check, std::string reason);
CheckResult error(std::string check, std::string reason, int device = -1);
CheckResult timeout(std::string check, double after_s, int device = -1);

// Pass/fail of a measured figure against a threshold.
bool within(double value, double threshold, Comparison c);

// A measured figure judged against an absolute threshold.
CheckResult judge(std::string check, double value, double threshold, std::string unit,
                  Comparison c, int device = -1);

// The worst status of a set (timeout > error > fail > pass > skip), for summaries.
Status worst(const std::vector<CheckResult>& results);

nlohmann::json to_json(const std::vector<CheckResult>& results);

}  // namespace ks::gpu
