#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "k8s/client.h"

using namespace ks::k8s;

namespace {
const char* kConfig = R"(apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: c-prod
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority: pki/ca.crt
- name: c-dev
  cluster:
    server: https://dev.example:443
    certificate-authority-data: aGVsbG8gQ0E=
    insecure-skip-tls-verify: true
users:
- name: u-prod
  user:
    token: secret-token
- name: u-dev
  user:
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
contexts:
- name: prod
  context: {cluster: c-prod, user: u-prod}
- name: dev
  context: {cluster: c-dev, user: u-dev}
)";
}  // namespace

TEST_CASE("kubeconfig: current context, relative CA path, token") {
    auto cfg = parse_kubeconfig(kConfig, "/etc/kubeslurm/kubeconfig");
    REQUIRE(cfg.ok());
    CHECK(cfg->server == "https://10.0.0.1:6443");
    CHECK(cfg->ca_file == "/etc/kubeslurm/pki/ca.crt");
    CHECK(cfg->token == "secret-token");
    CHECK(cfg->client_cert_data.empty());
    CHECK_FALSE(cfg->insecure_skip_tls_verify);
}

TEST_CASE("kubeconfig: explicit context with inline data; kubeconfig cannot disable TLS checks") {
    auto cfg = parse_kubeconfig(kConfig, "/x/kubeconfig", "dev");
    REQUIRE(cfg.ok());
    CHECK(cfg->server == "https://dev.example:443");
    CHECK(cfg->ca_data == "hello CA");
    CHECK(cfg->client_cert_data == "cert");
    CHECK(cfg->client_key_data == "key");
    CHECK(cfg->token.empty());
    CHECK_FALSE(cfg->insecure_skip_tls_verify);
}

TEST_CASE("kubeconfig: JSON form") {
    const char* json = R"({"current-context":"a","clusters":[{"name":"c","cluster":{"server":"https://h:1"}}],
        "users":[{"name":"u","user":{"tokenFile":"/run/tok"}}],
        "contexts":[{"name":"a","context":{"cluster":"c","user":"u"}}]})";
    auto cfg = parse_kubeconfig(json, "inline");
    REQUIRE(cfg.ok());
    CHECK(cfg->server == "https://h:1");
    CHECK(cfg->token_file == "/run/tok");
}

TEST_CASE("kubeconfig: bad input is a clear error") {
    auto bad = [](const char* text, const char* ctx, const char* needle) {
        auto cfg = parse_kubeconfig(text, "/k/config", ctx);
        REQUIRE_FALSE(cfg.ok());
        INFO(cfg.error());
        CHECK(cfg.error().find(needle) != std::string::npos);
        CHECK(cfg.error().find("/k/config") != std::string::npos);
    };
    bad("clusters: [unclosed", "", "cannot parse");
    bad("- a\n- b\n", "", "expected a mapping");
    bad("clusters: []\n", "", "no current-context");
    bad(kConfig, "staging", "context 'staging' not found");
    bad("current-context: a\ncontexts:\n- name: a\n  context: {cluster: nope, user: u}\n", "",
        "cluster 'nope'");
    bad("current-context: a\nclusters:\n- name: c\n  cluster: {server: 'ftp://x'}\n"
        "contexts:\n- name: a\n  context: {cluster: c}\n", "", "http(s)://");
    bad("current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://x', "
        "certificate-authority-data: '@@@'}\ncontexts:\n- name: a\n  context: {cluster: c}\n", "",
        "base64");
    bad("current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://x'}\n"
        "users:\n- name: u\n  user: {exec: {command: aws}}\n"
        "contexts:\n- name: a\n  context: {cluster: c, user: u}\n", "", "exec");
    bad("current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://x'}\n"
        "users:\n- name: u\n  user: {client-certificate: /c.pem}\n"
        "contexts:\n- name: a\n  context: {cluster: c, user: u}\n", "", "both certificate and key");
}

TEST_CASE("kubeconfig: missing file") {
    auto cfg = load_kubeconfig("/nonexistent/kubeconfig");
    REQUIRE_FALSE(cfg.ok());
    CHECK(cfg.error().find("/nonexistent/kubeconfig") != std::string::npos);
}

TEST_CASE("in-cluster configuration") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("ks-sa-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "token") << "tok\n";
    std::ofstream(dir / "ca.crt") << "PEM";
    ::setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
    ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    auto cfg = in_cluster_config(dir.string());
    REQUIRE(cfg.ok());
    CHECK(cfg->server == "https://[fd00::1]:443");
    CHECK(cfg->token_file == (dir / "token").string());
    CHECK(cfg->ca_file == (dir / "ca.crt").string());
    CHECK(cfg->token_reload == std::chrono::seconds(60));
    fs::remove(dir / "token");
    auto missing = in_cluster_config(dir.string());
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().find("token") != std::string::npos);
    ::unsetenv("KUBERNETES_SERVICE_HOST");
    auto outside = in_cluster_config(dir.string());
    REQUIRE_FALSE(outside.ok());
    CHECK(outside.error().find("KubeConfig") != std::string::npos);
    fs::remove_all(dir);
}
