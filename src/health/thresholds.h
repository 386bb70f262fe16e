// Thresholds files (contract item 4): INI-like, read in order — every *.conf of the shipped
// directory by name, then the site file. Sections:
//   [default]                       every node
//   [sku "NVIDIA H100 80GB HBM3"]   nodes whose GPU product matches (case-insensitive)
//   [node "n3"]                     one node
// `key = number` lines; '#' comments. For one node the most specific section wins
// (node > sku > default); within one specificity the later file or line wins.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace ks::health {

// The values that apply to one node.
class ThresholdSet {
public:
    ThresholdSet() = default;
    explicit ThresholdSet(const std::map<std::string, double>& values) : m_values(values.begin(), values.end()) {}
    std::optional<double> get(std::string_view key) const;
    double get_or(std::string_view key, double fallback) const;
    const std::map<std::string, double, std::less<>>& values() const { return m_values; }

private:
    std::map<std::string, double, std::less<>> m_values;
};

class Thresholds {
public:
    // Adds one file's text; errors name origin and line.
    ks::Status parse(std::string_view text, const std::string& origin);
    ks::Status load_file(const std::string& path);
    // Shipped directory (must exist) then the site file (optional: missing is fine).
    static Result<Thresholds> load(const std::string& dir, const std::string& site_file);

    ThresholdSet resolve(std::string_view sku, std::string_view node) const;
    const std::vector<std::string>& sources() const { return m_sources; }

private:
    using Values = std::map<std::string, double>;
    Values m_default;
    std::map<std::string, Values> m_sku;   // lower-cased SKU name
    std::map<std::string, Values> m_node;
    std::vector<std::string> m_sources;
};

}  // namespace ks::health
