#include "common/config.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "common/quote.h"
#include "common/safe_file.h"
#include "common/strings.h"

namespace ks::config {
namespace {

constexpr KeyInfo kKeys[] = {
#define KS_KEY(name, type, def, constraint, doc) {#name, Type::type, def, constraint, doc},
#include "common/config_keys.def"
#undef KS_KEY
};

Error key_error(std::string_view where, std::string_view key, std::string_view what) {
    std::string msg;
    if (!where.empty()) msg.append(where).append(": ");
    msg.append(key).append(": ").append(what);
    return Error{msg};
}

bool has_control(std::string_view value) {
    for (unsigned char c : value)
        if (c < 0x20 || c == 0x7f) return true;
    return false;
}

bool in_choices(std::string_view constraint, std::string_view value) {
    for (const auto& choice : str::split(constraint, '|'))
        if (choice == value) return true;
    return false;
}

}  // namespace

std::span<const KeyInfo> keys() { return kKeys; }

const KeyInfo* find_key(std::string_view name) {
    for (const auto& k : kKeys)
        if (str::iequals(k.name, name)) return &k;
    return nullptr;
}

std::string_view type_name(Type type) {
    switch (type) {
        case Type::String: return "string";
        case Type::Path: return "path";
        case Type::Bool: return "yes|no";
        case Type::Int: return "integer";
        case Type::Enum: return "choice";
        case Type::List: return "list";
        case Type::Map: return "partition:value list";
        case Type::Range: return "port range";
    }
    return "?";
}

Status validate(const KeyInfo& key, std::string_view value) {
    const auto fail = [&](std::string what) { return key_error("", key.name, what); };
    if (has_control(value)) return fail(quote(value) + " contains a control character");
    switch (key.type) {
        case Type::String:
        case Type::List:
            return {};
        case Type::Path:
            if (value.empty() && key.constraint == kRequired) return fail("must not be empty");
            if (!value.empty() && value.front() != '/') return fail(quote(value) + " is not an absolute path");
            return {};
        case Type::Bool:
            if (!str::to_bool(value)) return fail(quote(value) + " is not yes or no");
            return {};
        case Type::Int: {
            auto v = str::to_long(value);
            auto bounds = str::split(key.constraint, '-');
            if (!v) return fail(quote(value) + " is not an integer");
            if (bounds.size() == 2 && (*v < *str::to_long(bounds[0]) || *v > *str::to_long(bounds[1])))
                return fail(std::to_string(*v) + " is outside " + std::string(key.constraint));
            return {};
        }
        case Type::Enum:
            if (!in_choices(key.constraint, value))
                return fail(quote(value) + " is not one of " + std::string(key.constraint));
            return {};
        case Type::Map:
            for (const auto& item : str::split(value, ',')) {
                auto colon = item.find(':');
                if (colon == std::string::npos || colon == 0 || colon + 1 == item.size())
                    return fail(quote(item) + " is not partition:value");
                auto v = item.substr(colon + 1);
                if (!key.constraint.empty() && !in_choices(key.constraint, v))
                    return fail(quote(v) + " is not one of " + std::string(key.constraint));
            }
            return {};
        case Type::Range: {
            auto parts = str::split(value, '-');
            if (parts.size() != 2) return fail(quote(value) + " is not lo-hi");
            auto lo = str::to_long(parts[0]), hi = str::to_long(parts[1]);
            if (!lo || !hi || *lo < 1 || *hi > 65535 || *lo > *hi)
                return fail(quote(value) + " is not a port range lo-hi within 1-65535");
            return {};
        }
    }
    return {};
}

Config::Config() {
    for (const auto& k : kKeys) m_values.emplace(std::string(k.name), std::string(k.default_value));
}

Status Config::set(std::string_view key, std::string_view value, std::string_view where) {
    const KeyInfo* info = find_key(key);
    if (!info) return key_error(where, quote(key), "unknown key");
    value = str::trim(value);
    if (auto st = validate(*info, value); !st) {
        std::string msg(where);
        if (!msg.empty()) msg += ": ";
        return Error{msg + st.error()};
    }
    m_values[std::string(info->name)] = std::string(value);
    return {};
}

Result<Config> Config::parse(std::string_view text, const std::string& origin) {
    Config cfg;
    cfg.m_origin = origin;
    // Editors on some systems start a UTF-8 file with a byte order mark: it is not part of a key.
    if (str::starts_with(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
    std::map<std::string_view, std::string> first_set;  // canonical key -> where
    size_t lineno = 0;
    for (const auto& line : str::split(text, '\n', /*skip_empty=*/false)) {
        ++lineno;
        auto hash = line.find('#');
        auto body = str::trim(std::string_view(line).substr(0, hash));
        if (body.empty()) continue;
        std::string where = origin + ":" + std::to_string(lineno);
        auto eq = body.find('=');
        if (eq == std::string_view::npos) return Error{where + ": expected Key=Value, got " + quote(body)};
        auto key = str::trim(body.substr(0, eq));
        if (auto st = cfg.set(key, body.substr(eq + 1), where); !st) return Error{st.error()};
        // Last-wins would make the earlier line a silent lie, also when only the case differs.
        auto [it, fresh] = first_set.emplace(find_key(key)->name, where);
        if (!fresh)
            return key_error(where, find_key(key)->name, "set again (first set at " + it->second + ")");
    }
    return cfg;
}

Result<Config> Config::load(const std::string& path, bool allow_missing) {
    struct stat st {};
    if (allow_missing && ::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
        Config cfg;
        cfg.m_origin = path;
        return cfg;
    }
    auto text = safe_file::read(path, {.max_size = kMaxFileSize});
    if (!text) return Error{"configuration file: " + text.error()};
    return parse(*text, path);
}

namespace {

// Identity of a file for change detection; "" when it cannot be looked at.
std::string file_identity(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "missing:" + std::to_string(errno);
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

}  // namespace

Reloader::Reloader(std::string path, Config initial)
    : m_path(std::move(path)), m_current(std::move(initial)), m_seen(file_identity(m_path)) {}

Reloader::Poll Reloader::poll() {
    std::string id = file_identity(m_path);
    if (id == m_seen) return {};
    m_seen = id;
    auto next = Config::load(m_path);
    if (!next) return {false, next.error() + " (keeping the last good configuration from " + m_current.origin() + ")"};
    m_current = std::move(next.value());
    return {true, {}};
}

const std::string& Config::raw(std::string_view key) const {
    auto it = m_values.find(key);
    if (it == m_values.end()) {
        const KeyInfo* info = find_key(key);
        if (info) it = m_values.find(info->name);
    }
    // A key missing from the table is a programming error, not user input.
    if (it == m_values.end()) throw std::logic_error("kubeslurm: config key not in table: " + std::string(key));
    return it->second;
}

const std::string& Config::str(std::string_view key) const { return raw(key); }
bool Config::flag(std::string_view key) const { return str::to_bool(raw(key)).value_or(false); }
long Config::integer(std::string_view key) const { return str::to_long(raw(key)).value_or(0); }
std::vector<std::string> Config::list(std::string_view key) const { return str::split(raw(key), ','); }

std::pair<int, int> Config::range(std::string_view key) const {
    auto parts = str::split(raw(key), '-');
    return {static_cast<int>(*str::to_long(parts.at(0))), static_cast<int>(*str::to_long(parts.at(1)))};
}

std::string Config::lookup(std::string_view key, std::string_view name, std::string_view fallback) const {
    for (const auto& item : str::split(raw(key), ',')) {
        auto colon = item.find(':');
        if (item.substr(0, colon) == name) return item.substr(colon + 1);
    }
    return std::string(fallback);
}

std::string markdown_table() {
    std::string out = "| Key | Type | Default | Description |\n|---|---|---|---|\n";
    for (const auto& k : kKeys) {
        std::string type(type_name(k.type));
        if (k.type == Type::Enum || (k.type == Type::Map && !k.constraint.empty()))
            type = std::string(k.constraint);
        if (k.type == Type::Int) type = "integer " + std::string(k.constraint);
        if (k.type == Type::Path && k.constraint == kRequired) type = "path, required";
        for (auto& c : type)
            if (c == '|') c = '/';
        std::string def = k.default_value.empty() ? "(empty)" : "`" + std::string(k.default_value) + "`";
        out += "| `" + std::string(k.name) + "` | " + type + " | " + def + " | " +
               std::string(k.description) + " |\n";
    }
    return out;
}

}  // namespace ks::config
