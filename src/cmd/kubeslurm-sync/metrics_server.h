// /metrics (Prometheus text) and /healthz over plain HTTP (cpp-httplib), on its own thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"

namespace httplib {
class Server;
}

namespace ks::sync_daemon {

class MetricsServer {
public:
    MetricsServer(std::function<std::string()> metrics, std::function<bool(std::string&)> healthy);
    ~MetricsServer();

    // Binds host:port (port 0: any free port) and serves from a thread.
    Status start(const std::string& host, int port);
    void stop();
    int port() const { return m_port; }

private:
    std::function<std::string()> m_metrics;
    std::function<bool(std::string&)> m_healthy;
    std::unique_ptr<httplib::Server> m_server;
    std::thread m_thread;
    int m_port = 0;
};

}  // namespace ks::sync_daemon
