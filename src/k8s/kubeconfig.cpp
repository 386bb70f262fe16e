// Client configuration: kubeconfig (yaml-cpp; JSON is valid YAML), in-cluster service account,
// and kubeslurm.conf.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include "common/config.h"
#include "k8s/client.h"

namespace ks::k8s {
namespace {

namespace fs = std::filesystem;

Result<std::string> base64_decode(const std::string& in, const std::string& what) {
    std::string clean;
    for (char c : in)
        if (!std::isspace(static_cast<unsigned char>(c))) clean += c;
    if (clean.size() % 4 != 0) return Error{what + ": invalid base64 (length)"};
    std::string out(clean.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(clean.data()),
                            static_cast<int>(clean.size()));
    if (n < 0) return Error{what + ": invalid base64"};
    std::size_t pad = 0;
    if (!clean.empty() && clean.back() == '=') ++pad;
    if (clean.size() > 1 && clean[clean.size() - 2] == '=') ++pad;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

// The entry named `name` of a kubeconfig list (clusters, users, contexts), or an undefined node.
YAML::Node find_named(const YAML::Node& list, const std::string& name) {
    if (!list || !list.IsSequence()) return YAML::Node(YAML::NodeType::Undefined);
    for (const auto& entry : list)
        if (entry.IsMap() && entry["name"] && entry["name"].as<std::string>() == name)
            return entry;
    return YAML::Node(YAML::NodeType::Undefined);
}

std::string str_of(const YAML::Node& map, const char* key) {
    if (!map || !map.IsMap() || !map[key] || !map[key].IsScalar()) return "";
    return map[key].as<std::string>();
}

std::string resolve(const std::string& path, const fs::path& base) {
    if (path.empty() || fs::path(path).is_absolute() || base.empty()) return path;
    return (base / path).lexically_normal().string();
}

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{"cannot read " + path};
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

Result<ClientConfig> parse_kubeconfig(std::string_view text, const std::string& origin,
                                      const std::string& context) {
    const std::string where = "kubeconfig " + origin;
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        return Error{where + ": cannot parse: " + e.what()};
    }
    try {
        if (!root.IsMap()) return Error{where + ": not a kubeconfig (expected a mapping)"};
        std::string ctx_name = context.empty() ? str_of(root, "current-context") : context;
        if (ctx_name.empty())
            return Error{where + ": no current-context set and no context given"};
        YAML::Node ctx = find_named(root["contexts"], ctx_name);
        if (!ctx || !ctx["context"].IsMap())
            return Error{where + ": context '" + ctx_name + "' not found"};
        const std::string cluster_name = str_of(ctx["context"], "cluster");
        const std::string user_name = str_of(ctx["context"], "user");
        YAML::Node cluster = find_named(root["clusters"], cluster_name);
        if (!cluster || !cluster["cluster"].IsMap())
            return Error{where + ": cluster '" + cluster_name + "' (context '" + ctx_name +
                         "') not found"};
        const YAML::Node c = cluster["cluster"];
        fs::path base;
        if (!origin.empty() && origin.find('/') != std::string::npos)
            base = fs::path(origin).parent_path();

        ClientConfig cfg;
        cfg.server = str_of(c, "server");
        while (!cfg.server.empty() && cfg.server.back() == '/') cfg.server.pop_back();
        if (cfg.server.rfind("https://", 0) != 0 && cfg.server.rfind("http://", 0) != 0)
            return Error{where + ": cluster '" + cluster_name +
                         "': server must be an http(s):// URL, got '" + cfg.server + "'"};
        cfg.ca_file = resolve(str_of(c, "certificate-authority"), base);
        if (auto data = str_of(c, "certificate-authority-data"); !data.empty()) {
            auto pem = base64_decode(data, where + ": certificate-authority-data");
            if (!pem) return Error{pem.error()};
            cfg.ca_data = *pem;
        }
        // insecure-skip-tls-verify in a kubeconfig is deliberately ignored: only the explicit
        // KubeInsecureSkipTLSVerify=yes of kubeslurm.conf turns verification off.

        if (!user_name.empty()) {
            YAML::Node user = find_named(root["users"], user_name);
            if (!user) return Error{where + ": user '" + user_name + "' not found"};
            const YAML::Node u = user["user"];
            if (u && u.IsMap()) {
                if (u["exec"] || u["auth-provider"])
                    return Error{where + ": user '" + user_name +
                                 "': exec and auth-provider credentials are not supported; "
                                 "use a token, tokenFile or client certificate"};
                cfg.token = str_of(u, "token");
                cfg.token_file = resolve(str_of(u, "tokenFile"), base);
                cfg.client_cert_file = resolve(str_of(u, "client-certificate"), base);
                cfg.client_key_file = resolve(str_of(u, "client-key"), base);
                for (auto [key, out] : {std::pair{"client-certificate-data", &cfg.client_cert_data},
                                        std::pair{"client-key-data", &cfg.client_key_data}}) {
                    if (auto data = str_of(u, key); !data.empty()) {
                        auto pem = base64_decode(data, where + ": " + key);
                        if (!pem) return Error{pem.error()};
                        *out = *pem;
                    }
                }
                const bool has_cert = !cfg.client_cert_file.empty() || !cfg.client_cert_data.empty();
                const bool has_key = !cfg.client_key_file.empty() || !cfg.client_key_data.empty();
                if (has_cert != has_key)
                    return Error{where + ": user '" + user_name +
                                 "': a client certificate needs both certificate and key"};
            }
        }
        return cfg;
    } catch (const YAML::Exception& e) {
        return Error{where + ": unexpected structure: " + e.what()};
    }
}

Result<ClientConfig> load_kubeconfig(const std::string& path, const std::string& context) {
    auto text = read_file(path);
    if (!text) return Error{"kubeconfig: " + text.error()};
    return parse_kubeconfig(*text, path, context);
}

Result<ClientConfig> in_cluster_config(const std::string& sa_dir) {
    const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
    const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
    if (!host || !*host || !port || !*port)
        return Error{"in-cluster config: KUBERNETES_SERVICE_HOST/PORT are not set (not running in "
                     "a pod?); set KubeConfig in kubeslurm.conf"};
    ClientConfig cfg;
    std::string h = host;
    if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6 literal
    cfg.server = "https://" + h + ":" + port;
    cfg.token_file = sa_dir + "/token";
    cfg.ca_file = sa_dir + "/ca.crt";
    std::error_code ec;
    if (!fs::exists(cfg.token_file, ec))
        return Error{"in-cluster config: service account token " + cfg.token_file + " missing"};
    if (!fs::exists(cfg.ca_file, ec))
        return Error{"in-cluster config: service account CA " + cfg.ca_file + " missing"};
    return cfg;
}

Result<ClientConfig> config_from(const ks::config::Config& conf) {
    const std::string& path = conf.str("KubeConfig");
    auto cfg = path.empty() ? in_cluster_config() : load_kubeconfig(path);
    if (!cfg) return cfg;
    if (conf.flag("KubeInsecureSkipTLSVerify")) cfg->insecure_skip_tls_verify = true;
    cfg->qps = static_cast<double>(conf.integer("KubeQPS"));
    cfg->burst = static_cast<int>(conf.integer("KubeBurst"));
    return cfg;
}

}  // namespace ks::k8s
