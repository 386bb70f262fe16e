#include "spank/core/settings.h"

#include <map>

#include "common/quote.h"
#include "common/strings.h"

namespace ks::spank {

Result<Settings> load_settings(std::span<const std::string> args, const char* env_conf) {
    std::string path = env_conf && *env_conf ? env_conf : config::kDefaultPath;
    bool explicit_path = false;
    for (const auto& arg : args) {
        if (str::starts_with(arg, "conf=")) {
            path = arg.substr(5);
            explicit_path = true;
        }
    }
    if (path.empty() || path.front() != '/')
        return Error{"plugstack.conf: conf=" + quote(path) + ": not an absolute path"};

    auto cfg = config::Config::load(path, !explicit_path);
    if (!cfg) return Error{cfg.error()};

    std::map<std::string_view, std::string> first_set;  // canonical key -> argument
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (str::starts_with(arg, "conf=")) continue;
        std::string where = "plugstack.conf argument " + std::to_string(i + 1);
        auto eq = arg.find('=');
        if (eq == std::string::npos || eq == 0) return Error{where + ": expected Key=Value, got " + quote(arg)};
        if (auto st = cfg->set(arg.substr(0, eq), arg.substr(eq + 1), where); !st) return Error{st.error()};
        auto name = config::find_key(arg.substr(0, eq))->name;
        if (auto [it, fresh] = first_set.emplace(name, where); !fresh)
            return Error{where + ": " + std::string(name) + ": set again (first set in " + it->second + ")"};
    }
    return Settings{std::move(cfg.value()), path};
}

}  // namespace ks::spank
