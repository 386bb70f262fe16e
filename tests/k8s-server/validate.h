// Kind-specific validation the real API server applies on create and update, for the kinds
// whose rules clients depend on. Today: core/v1 Events (legacy validation of
// pkg/apis/core/validation/events.go).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace kstest {

// "" when valid, else the field error as the API server words it (sent as 422 Invalid).
std::string validate_object(const std::string& kind, const nlohmann::json& object);

}  // namespace kstest
