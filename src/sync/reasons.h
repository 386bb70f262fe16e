// Drain reasons: which drains are kubeslurm-sync's own, and which come from the health gate.
//   ours:        "kubeslurm: k8s: <cause>"
//   health gate: "kubeslurm: <check>: <detail>"   (any <check> other than "k8s")
// Any other reason belongs to an admin or another tool and is never touched.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ks::sync {

inline constexpr std::string_view kReasonPrefix = "kubeslurm: ";
inline constexpr std::string_view kOwnReasonPrefix = "kubeslurm: k8s: ";

std::string own_reason(std::string_view cause);
bool is_own_reason(std::string_view reason);

// A failing check's figure as the gate words it: "<value> <op> <threshold>[ <unit>]", op being
// the comparison the value violated ("<" for a ">=" threshold).
struct Figure {
    double value = 0, threshold = 0;
    std::string op, unit;
};
std::optional<Figure> parse_figure(std::string_view detail);

struct HealthVerdict {
    std::string check;   // e.g. "gpu.hbm_bandwidth"
    std::string detail;  // the rest of the reason, e.g. "1200 < 2500 GB/s"
    std::optional<Figure> figure;  // when the detail is a figure against a threshold
};
// The health gate's check and detail, or nullopt for any other reason.
std::optional<HealthVerdict> parse_health_reason(std::string_view reason);

}  // namespace ks::sync
