#include "health/thresholds.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/strings.h"

namespace ks::health {

std::optional<double> ThresholdSet::get(std::string_view key) const {
    auto it = m_values.find(key);
    if (it == m_values.end()) return std::nullopt;
    return it->second;
}

double ThresholdSet::get_or(std::string_view key, double fallback) const {
    return get(key).value_or(fallback);
}

namespace {

bool valid_key(std::string_view key) {
    return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
}

// `sku "NAME"` / `node "NAME"` / `default` -> (kind, name); nullopt when malformed.
std::optional<std::pair<std::string, std::string>> parse_section(std::string_view inner) {
    inner = str::trim(inner);
    if (inner == "default") return std::pair{std::string("default"), std::string()};
    auto space = inner.find_first_of(" \t");
    if (space == std::string_view::npos) return std::nullopt;
    auto kind = inner.substr(0, space);
    auto name = str::trim(inner.substr(space));
    if ((kind != "sku" && kind != "node") || name.size() < 3 || name.front() != '"' || name.back() != '"')
        return std::nullopt;
    name = name.substr(1, name.size() - 2);
    if (name.empty() || name.find('"') != std::string_view::npos) return std::nullopt;
    return std::pair{std::string(kind), std::string(name)};
}

}  // namespace

ks::Status Thresholds::parse(std::string_view text, const std::string& origin) {
    std::istringstream in{std::string(text)};
    std::string line;
    Values* section = nullptr;
    for (int lineno = 1; std::getline(in, line); ++lineno) {
        const std::string where = origin + ":" + std::to_string(lineno) + ": ";
        auto body = str::trim(std::string_view(line).substr(0, line.find('#')));
        if (body.empty()) continue;
        if (body.front() == '[') {
            if (body.back() != ']') return Error{where + "unterminated section header"};
            auto sec = parse_section(body.substr(1, body.size() - 2));
            if (!sec)
                return Error{where + "section must be [default], [sku \"NAME\"] or [node \"NAME\"], got " +
                             std::string(body)};
            if (sec->first == "default") section = &m_default;
            else if (sec->first == "sku") section = &m_sku[str::lower(sec->second)];
            else section = &m_node[sec->second];
            continue;
        }
        auto eq = body.find('=');
        if (eq == std::string_view::npos) return Error{where + "expected key = number, got '" + std::string(body) + "'"};
        auto key = str::trim(body.substr(0, eq));
        auto value_text = str::trim(body.substr(eq + 1));
        if (!valid_key(key)) return Error{where + "invalid key '" + std::string(key) + "'"};
        auto value = str::to_double(value_text);
        if (!value) return Error{where + std::string(key) + ": '" + std::string(value_text) + "' is not a number"};
        if (!section) return Error{where + std::string(key) + ": key outside a section (start with [default])"};
        (*section)[std::string(key)] = *value;
    }
    m_sources.push_back(origin);
    return {};
}

ks::Status Thresholds::load_file(const std::string& path) {
    std::ifstream f(path);
    if (!f) return Error{path + ": cannot read thresholds file"};
    std::stringstream ss;
    ss << f.rdbuf();
    return parse(ss.str(), path);
}

Result<Thresholds> Thresholds::load(const std::string& dir, const std::string& site_file) {
    namespace fs = std::filesystem;
    Thresholds t;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return Error{dir + ": thresholds directory not found (ThresholdsDir)"};
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.path().extension() == ".conf" && entry.is_regular_file()) files.push_back(entry.path());
    if (ec) return Error{dir + ": " + ec.message()};
    std::sort(files.begin(), files.end());
    for (const auto& f : files)
        if (auto st = t.load_file(f); !st) return Error{st.error()};
    if (!site_file.empty() && fs::exists(site_file, ec))
        if (auto st = t.load_file(site_file); !st) return Error{st.error()};
    return t;
}

ThresholdSet Thresholds::resolve(std::string_view sku, std::string_view node) const {
    std::map<std::string, double> out = m_default;
    const auto overlay = [&](const Values& v) {
        for (const auto& [k, val] : v) out[k] = val;
    };
    if (!sku.empty())
        if (auto it = m_sku.find(str::lower(sku)); it != m_sku.end()) overlay(it->second);
    if (!node.empty())
        if (auto it = m_node.find(std::string(node)); it != m_node.end()) overlay(it->second);
    return ThresholdSet(std::move(out));
}

}  // namespace ks::health
