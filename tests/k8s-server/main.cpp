// kubeslurm-k8s-testserver: a Kubernetes API server test double (HTTPS, bearer tokens, nodes,
// pods, namespaces, leases, list/watch, patches, fault injection). See docs/k8s-testserver.md.
//
//   kubeslurm-k8s-testserver --cert server.crt --key server.key --token T:admin [--token T:read]
//       [--host 127.0.0.1] [--port 0] [--ready-file F] [--bookmark-interval-ms 1000]
//       [--history 100000] [--threads 128] [--client-ca ca.crt --cert-user CN:ROLE]
//
// With --port 0 the kernel picks the port; it is written to --ready-file (atomically) once the
// server accepts connections.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include <httplib.h>

#include "api.h"

namespace {

int usage(const std::string& why) {
    std::cerr << "kubeslurm-k8s-testserver: " << why << "\n"
              << "usage: kubeslurm-k8s-testserver --cert FILE --key FILE --token TOKEN:ROLE... "
                 "[--host H] [--port P] [--ready-file F] [--bookmark-interval-ms N] "
                 "[--history N] [--threads N] [--client-ca FILE --cert-user CN:ROLE]\n"
                 "  ROLE: read | write | admin\n";
    return 64;
}

bool parse_int(const std::string& s, long lo, long hi, long& out) {
    char* end = nullptr;
    errno = 0;
    long v = std::strtol(s.c_str(), &end, 10);
    if (errno || end == s.c_str() || *end || v < lo || v > hi) return false;
    out = v;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::string host = "127.0.0.1", cert, key, ready_file, client_ca;
    long port = 0, threads = 128;
    kstest::Settings settings;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto need = [&](std::string& out) {
            if (i + 1 >= argc) return false;
            out = argv[++i];
            return true;
        };
        std::string v;
        long n = 0;
        if (a == "--host" && need(host)) continue;
        if (a == "--cert" && need(cert)) continue;
        if (a == "--key" && need(key)) continue;
        if (a == "--ready-file" && need(ready_file)) continue;
        if (a == "--port" && need(v) && parse_int(v, 0, 65535, port)) continue;
        if (a == "--threads" && need(v) && parse_int(v, 4, 4096, threads)) continue;
        if (a == "--bookmark-interval-ms" && need(v) && parse_int(v, 10, 3600000, n)) {
            settings.bookmark_interval_ms = static_cast<int>(n);
            continue;
        }
        if (a == "--history" && need(v) && parse_int(v, 1, 100000000, n)) {
            settings.history = static_cast<std::size_t>(n);
            continue;
        }
        if (a == "--client-ca" && need(client_ca)) continue;
        if ((a == "--token" || a == "--cert-user") && need(v)) {
            auto colon = v.rfind(':');
            if (colon == std::string::npos || colon == 0) return usage("bad " + a + " " + v);
            std::string role = v.substr(colon + 1);
            kstest::Role r;
            if (role == "read") r = kstest::Role::Read;
            else if (role == "write") r = kstest::Role::Write;
            else if (role == "admin") r = kstest::Role::Admin;
            else return usage("bad role '" + role + "' in " + a);
            (a == "--token" ? settings.tokens : settings.cert_users)[v.substr(0, colon)] = r;
            continue;
        }
        return usage("bad argument '" + a + "'");
    }
    if (cert.empty() || key.empty()) return usage("--cert and --key are required");
    if (settings.tokens.empty()) return usage("at least one --token is required");
    if (!settings.cert_users.empty() && client_ca.empty())
        return usage("--cert-user needs --client-ca");

    // Signals are taken by a dedicated thread (sigwait): stop() is not async-signal-safe.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    httplib::SSLServer server(cert.c_str(), key.c_str());
    if (!server.is_valid()) {
        std::cerr << "kubeslurm-k8s-testserver: cannot load certificate " << cert << " / key "
                  << key << "\n";
        return 1;
    }
    if (!client_ca.empty()) {
        // Mutual TLS is optional per connection: token clients need not present a certificate,
        // but a presented one must chain to the client CA.
        SSL_CTX* ctx = server.ssl_context();
        STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(client_ca.c_str());
        if (!names || SSL_CTX_load_verify_locations(ctx, client_ca.c_str(), nullptr) != 1) {
            std::cerr << "kubeslurm-k8s-testserver: cannot load client CA " << client_ca << "\n";
            return 1;
        }
        SSL_CTX_set_client_CA_list(ctx, names);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        // Session resumption with peer verification needs a session id context; without one
        // OpenSSL fails every resumed handshake (curl resumes sessions).
        static const unsigned char sid[] = "kubeslurm-k8s-testserver";
        SSL_CTX_set_session_id_context(ctx, sid, sizeof sid - 1);
    }
    // Watches hold a worker each for their whole life: give the pool room.
    server.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
    server.set_keep_alive_max_count(1000);
    server.set_keep_alive_timeout(10);  // an idle keep-alive connection holds a worker
    server.set_read_timeout(30);
    server.set_write_timeout(10);
    server.set_payload_max_length(256u << 20);

    kstest::Api api(settings);
    api.install(server);

    int bound = port ? (server.bind_to_port(host, static_cast<int>(port)) ? static_cast<int>(port) : -1)
                     : server.bind_to_any_port(host);
    if (bound <= 0) {
        std::cerr << "kubeslurm-k8s-testserver: cannot bind " << host << ":" << port << "\n";
        return 1;
    }
    std::thread signals([&] {
        int sig = 0;
        sigwait(&set, &sig);
        std::cerr << "kubeslurm-k8s-testserver: signal " << sig << ", stopping\n";
        api.shutdown();
        server.stop();
    });
    signals.detach();

    if (!ready_file.empty()) {
        std::string tmp = ready_file + ".tmp";
        std::ofstream(tmp) << bound << "\n";
        if (std::rename(tmp.c_str(), ready_file.c_str()) != 0) {
            std::cerr << "kubeslurm-k8s-testserver: cannot write " << ready_file << ": "
                      << std::strerror(errno) << "\n";
            return 1;
        }
    }
    std::cerr << "kubeslurm-k8s-testserver: listening on https://" << host << ":" << bound << "\n";
    bool ok = server.listen_after_bind();
    api.shutdown();
    return ok ? 0 : 1;
}
