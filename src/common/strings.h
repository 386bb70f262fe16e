// Small string helpers shared across modules.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::str {

std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep, bool skip_empty = true);
bool iequals(std::string_view a, std::string_view b);
std::string lower(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
std::optional<long> to_long(std::string_view s);
std::optional<double> to_double(std::string_view s);
std::optional<bool> to_bool(std::string_view s);  // yes/no, true/false, 1/0, on/off

}  // namespace ks::str
