// One check's outcome as a value: status, measured figure, threshold, unit and who is to blame.
// The same data renders as a table for people and as JSON for the prolog gate.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/result.h"

namespace ks::health {

// Ordered from best to worst for this node's verdict (see verdict()).
enum class Status { Pass, Skip, Error, Timeout, Fail };

std::string_view status_name(Status s);
std::optional<Status> parse_status(std::string_view text);

// Self: the figure describes this node. Peers: other nodes caused it (they never arrived, did
// not answer); such a result never fails this node.
enum class Blame { Self, Peers };

struct CheckResult {
    std::string check;
    Status status = Status::Pass;
    std::optional<double> value;
    std::optional<double> threshold;
    std::string unit;
    std::string comparison;  // ">=", "<=", "==" (how value must relate to threshold)
    std::string detail;
    Blame blame = Blame::Self;
    std::vector<std::string> peers;
    std::optional<int> device;  // GPU index when the result is per device
};

// Status of a measured figure against a threshold: pass when `value comparison threshold` holds.
Status compare(double value, std::string_view comparison, double threshold);
// The comparison a failing figure satisfies instead (">=" -> "<"), for messages.
std::string_view violated(std::string_view comparison);

// Convenience constructors.
CheckResult measured(std::string check, double value, std::string_view comparison, double threshold,
                     std::string unit, std::string detail = {});
CheckResult skipped(std::string check, std::string reason);
CheckResult errored(std::string check, std::string reason);
CheckResult timed_out(std::string check, double deadline_s);
CheckResult blamed_on_peers(std::string check, Status status, std::vector<std::string> peers,
                            std::string detail);

nlohmann::ordered_json to_json(const CheckResult& r);
Result<CheckResult> result_from_json(const nlohmann::json& j);

}  // namespace ks::health
