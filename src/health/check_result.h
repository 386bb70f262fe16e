// One check's outcome as a value: status, measured figure, threshold, unit and who is to blame.
// The one result type of the checker, the GPU backend and the SPANK gate. It travels as JSON in
// two shapes: the backend's compact array (to_backend_json, the ABI of gpu_backend.h) and the
// checker's report entries (to_json); result_from_json reads both.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

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
    std::string comparison;  // ">=", "<=", "==", ">", "<" (how value must relate to threshold)
    std::string detail;
    Blame blame = Blame::Self;
    std::vector<std::string> peers;
    std::optional<int> device;  // physical GPU index when the result is per device
    nlohmann::json extra = nlohmann::json::object();  // further backend fields (inventory: sku, driver ...)
};

// Status of a measured figure against a threshold: pass when `value comparison threshold` holds.
Status compare(double value, std::string_view comparison, double threshold);
// The comparison a failing figure satisfies instead (">=" -> "<"), for messages.
std::string_view violated(std::string_view comparison);

// Convenience constructors.
CheckResult measured(std::string check, double value, std::string_view comparison, double threshold,
                     std::string unit, std::string detail = {}, std::optional<int> device = std::nullopt);
CheckResult skipped(std::string check, std::string reason);
CheckResult errored(std::string check, std::string reason, std::optional<int> device = std::nullopt);
// The checker's watchdog abandoned the check at its deadline (value = threshold = the deadline).
CheckResult timed_out(std::string check, double deadline_s);
// The check stopped itself at its deadline (the GPU backend): value = the seconds it waited.
CheckResult gave_up(std::string check, double after_s, std::optional<int> device = std::nullopt);
CheckResult blamed_on_peers(std::string check, Status status, std::vector<std::string> peers,
                            std::string detail);

// A report entry: every field, in this order; `extra` is not part of it.
nlohmann::ordered_json to_json(const CheckResult& r);
// The backend's shape: `extra`'s fields, then only the fields that are set (comparison with its
// threshold, blame only when "peers"), keys sorted.
nlohmann::json to_backend_json(const CheckResult& r);
// The backend's answer: an array of results (a distinct name: `{r}` would pick the one above).
nlohmann::json to_backend_array(const std::vector<CheckResult>& results);
// Reads either shape; fields it does not know go to `extra`.
Result<CheckResult> result_from_json(const nlohmann::json& j);

}  // namespace ks::health
