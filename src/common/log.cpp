#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace ks::log {
namespace {

std::atomic<Sink> g_sink{nullptr};
std::atomic<Level> g_level{Level::Info};

void stderr_sink(Level lvl, const std::string& line) {
    // Under systemd, journald maps "<N>" line prefixes to syslog priorities.
    static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
    static const int priority[] = {3, 4, 6, 6, 7};
    static std::mutex mu;
    std::lock_guard lock(mu);
    if (journal)
        std::fprintf(stderr, "<%d>%s\n", priority[static_cast<int>(lvl)], line.c_str());
    else
        std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace

void set_sink(Sink sink) { g_sink.store(sink); }
void set_level(Level lvl) { g_level.store(lvl); }
Level level() { return g_level.load(std::memory_order_relaxed); }

bool parse_level(std::string_view text, Level& out) {
    static constexpr std::pair<std::string_view, Level> names[] = {
        {"error", Level::Error}, {"warning", Level::Warning}, {"info", Level::Info},
        {"verbose", Level::Verbose}, {"debug", Level::Debug}};
    for (auto& [name, lvl] : names)
        if (text == name) { out = lvl; return true; }
    return false;
}

void write(Level lvl, std::string_view component, std::string_view message) {
    std::string line = "kubeslurm: ";
    if (!component.empty()) {
        line += component;
        line += ": ";
    }
    line += message;
    Sink sink = g_sink.load();
    (sink ? sink : stderr_sink)(lvl, line);
}

}  // namespace ks::log
