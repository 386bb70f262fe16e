// GPU threshold keys and how per-device figures are judged. The checker (engineer H's parser)
// merges thresholds.d/*.conf and the site file for this node's SKU and passes the numbers in the
// backend request as {"key": number}. A key that is absent means "no absolute figure for this
// SKU": the check then falls back to the node's median GPU (relative check) with a warning.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "health/check_result.h"

namespace ks::gpu {

// The backend's results are the checker's (one type; JSON in between, see gpu_backend.h).
using health::CheckResult;
using health::Status;

namespace key {
inline constexpr std::string_view HbmMin = "gpu.hbm_bandwidth.min_gbps";  // GB/s per GPU
inline constexpr std::string_view GemmMin = "gpu.gemm_bf16.min_tflops";  // TFLOP/s per GPU
inline constexpr std::string_view H2dMin = "gpu.pcie_h2d.min_gbps";  // GB/s per GPU
inline constexpr std::string_view D2hMin = "gpu.pcie_d2h.min_gbps";  // GB/s per GPU
inline constexpr std::string_view P2pMin = "gpu.nvlink_p2p.min_gbps";  // GB/s per pair
inline constexpr std::string_view AllreduceMin = "gpu.nccl_allreduce.min_busbw_gbps";  // intra-node busbw
inline constexpr std::string_view MultinodeMin = "gpu.nccl_multinode.min_busbw_gbps";
inline constexpr std::string_view TemperatureMax = "gpu.temperature.max_c";
inline constexpr std::string_view RetiredPagesMax = "gpu.retired_pages.max";
inline constexpr std::string_view CorrectedEccMax = "gpu.ecc_corrected.max";
inline constexpr std::string_view NvlinkErrorsMax = "gpu.nvlink_crc_errors.max";
inline constexpr std::string_view RelativeTolerance = "gpu.relative_tolerance";  // 0.05 = 5%
}  // namespace key

inline constexpr double kDefaultRelativeTolerance = 0.05;

class Thresholds {
public:
    // Accepts a JSON object of numbers (or null/absent = no thresholds); anything else is an
    // error naming the key.
    static Result<Thresholds> from_json(const nlohmann::json& j);

    std::optional<double> get(std::string_view name) const;
    double tolerance() const;

private:
    nlohmann::json m_values = nlohmann::json::object();
};

double median(std::vector<double> values);

// Per-device figures of one check on one node.
struct DeviceFigure {
    int device;
    double value;
};

// Judges every device against the absolute threshold when one is given, and against the node's
// median (within `tolerance`) when there are at least two devices: a GPU much slower than its
// siblings fails even above the floor. Without an absolute threshold the results say so (the
// caller logs the warning once).
// `cmp` is ">=" (higher is better) or "<=" (lower is better).
std::vector<CheckResult> judge_devices(std::string_view check, std::string_view unit,
                                       std::string_view cmp, const std::vector<DeviceFigure>& figures,
                                       std::optional<double> absolute, double tolerance);

}  // namespace ks::gpu
