// kubeslurm.conf: Slurm-style Key=Value lines, '#' comments, case-insensitive keys.
// Unknown keys, keys set twice (in any case), bad values and files that are not regular files are
// errors naming file, line and key; values are echoed quoted and capped (common/quote.h). A file
// with an error is refused as a whole: no caller gets defaults for part of it.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace ks::config {

enum class Type { String, Path, Bool, Int, Enum, List, Map, Range };

struct KeyInfo {
    std::string_view name;
    Type type;
    std::string_view default_value;
    std::string_view constraint;
    std::string_view description;
};

std::span<const KeyInfo> keys();
const KeyInfo* find_key(std::string_view name);  // case-insensitive
std::string_view type_name(Type type);

inline constexpr const char* kDefaultPath = KUBESLURM_SYSCONFDIR "/kubeslurm.conf";
inline constexpr size_t kMaxFileSize = 1u << 20;        // a larger kubeslurm.conf is refused
inline constexpr std::string_view kRequired = "required";  // constraint of a Path that must be set

class Config {
public:
    Config();  // all defaults

    // Parses a file on top of the defaults. A missing file is an error unless allow_missing (then
    // only a file that does not exist gives the defaults; any other failure is an error).
    static Result<Config> load(const std::string& path, bool allow_missing = false);
    static Result<Config> parse(std::string_view text, const std::string& origin);

    // Sets one key after validation; `where` names the origin for messages ("file:3").
    Status set(std::string_view key, std::string_view value, std::string_view where);

    const std::string& str(std::string_view key) const;
    bool flag(std::string_view key) const;
    long integer(std::string_view key) const;
    std::vector<std::string> list(std::string_view key) const;
    std::pair<int, int> range(std::string_view key) const;
    // Map keys: the value for `name`, or `fallback` when absent.
    std::string lookup(std::string_view key, std::string_view name, std::string_view fallback) const;

    std::string origin() const { return m_origin; }

private:
    const std::string& raw(std::string_view key) const;
    std::map<std::string, std::string, std::less<>> m_values;  // canonical key name -> value
    std::string m_origin;
};

// Live reload for long-running components (select plugin, daemons): poll() re-reads the file when
// it changed (inode, size or modification time). A changed file that fails keeps the last good
// configuration, and its error is returned once for that change, so that the caller logs it once.
class Reloader {
public:
    Reloader(std::string path, Config initial);
    struct Poll {
        bool reloaded = false;  // current() is a new configuration
        std::string error;      // non-empty once per failed change: why the last good one stays
    };
    Poll poll();
    const Config& current() const { return m_current; }

private:
    std::string m_path;
    Config m_current;
    std::string m_seen;  // identity of the file last looked at ("" = not read yet / absent)
};

// Validates a value for a key; the error names the key.
Status validate(const KeyInfo& key, std::string_view value);

// The key table as Markdown (docs/kubeslurm.conf.md is generated from this).
std::string markdown_table();

}  // namespace ks::config
