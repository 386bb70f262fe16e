// Meaning of NVML figures: critical Xids (health-anchors.md, as Azure's node health checks use
// them) and clock throttle ("clocks event") reason bits. Pure C++, no NVML header needed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ks::gpu {

bool is_critical_xid(unsigned long long xid);
const std::vector<unsigned>& critical_xids();

// NVML clocks event reason bits (nvmlClocksEventReason*, formerly ClocksThrottleReason*).
namespace throttle {
inline constexpr uint64_t GpuIdle = 0x1;
inline constexpr uint64_t ApplicationsClocks = 0x2;
inline constexpr uint64_t SwPowerCap = 0x4;
inline constexpr uint64_t HwSlowdown = 0x8;
inline constexpr uint64_t SyncBoost = 0x10;
inline constexpr uint64_t SwThermal = 0x20;
inline constexpr uint64_t HwThermal = 0x40;
inline constexpr uint64_t HwPowerBrake = 0x80;
inline constexpr uint64_t DisplayClocks = 0x100;
// Reasons that mean hardware trouble (cooling, power delivery) rather than policy or load.
inline constexpr uint64_t Harmful = HwSlowdown | SwThermal | HwThermal | HwPowerBrake;
}  // namespace throttle

// "hw_slowdown,hw_thermal" for the set bits (unknown bits as hex); "none" when zero.
std::string throttle_names(uint64_t mask);

}  // namespace ks::gpu
