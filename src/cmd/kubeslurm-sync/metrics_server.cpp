#include "metrics_server.h"

#include <httplib.h>

namespace ks::sync_daemon {

MetricsServer::MetricsServer(std::function<std::string()> metrics, std::function<bool(std::string&)> healthy)
    : m_metrics(std::move(metrics)), m_healthy(std::move(healthy)) {}

MetricsServer::~MetricsServer() { stop(); }

Status MetricsServer::start(const std::string& host, int port) {
    m_server = std::make_unique<httplib::Server>();
    m_server->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        res.set_content(m_metrics(), "text/plain; version=0.0.4; charset=utf-8");
    });
    m_server->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
        std::string why;
        const bool ok = m_healthy(why);
        res.status = ok ? 200 : 503;
        res.set_content(ok ? "ok\n" : why + "\n", "text/plain");
    });
    if (port == 0) {
        m_port = m_server->bind_to_any_port(host);
        if (m_port < 0) return Error{"cannot listen on " + host + ":0"};
    } else {
        if (!m_server->bind_to_port(host, port))
            return Error{"cannot listen on " + host + ":" + std::to_string(port) + " (MetricsAddress)"};
        m_port = port;
    }
    m_thread = std::thread([this] { m_server->listen_after_bind(); });
    return {};
}

void MetricsServer::stop() {
    if (m_server) m_server->stop();
    if (m_thread.joinable()) m_thread.join();
}

}  // namespace ks::sync_daemon
