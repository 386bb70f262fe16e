// Logging with one prefix per component: "kubeslurm: <component>: message".
// Daemons and CLIs log to stderr (journald reads the <N> priority prefix when JOURNAL_STREAM is
// set); plugins install a sink that routes to Slurm's own log functions.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace ks::log {

enum class Level { Error = 0, Warning = 1, Info = 2, Verbose = 3, Debug = 4 };

using Sink = void (*)(Level level, const std::string& line);

void set_sink(Sink sink);      // nullptr restores the stderr sink
void set_level(Level level);   // messages above this level are dropped (default Info)
Level level();
bool parse_level(std::string_view text, Level& out);
void write(Level level, std::string_view component, std::string_view message);

class Logger {
public:
    explicit constexpr Logger(std::string_view component) : m_component(component) {}

    template <class... A> void error(const A&... a) const { emit(Level::Error, a...); }
    template <class... A> void warning(const A&... a) const { emit(Level::Warning, a...); }
    template <class... A> void info(const A&... a) const { emit(Level::Info, a...); }
    template <class... A> void verbose(const A&... a) const { emit(Level::Verbose, a...); }
    template <class... A> void debug(const A&... a) const { emit(Level::Debug, a...); }

    std::string_view component() const { return m_component; }

private:
    template <class... A>
    void emit(Level lvl, const A&... a) const {
        if (lvl > level()) return;
        std::ostringstream os;
        (os << ... << a);
        write(lvl, m_component, os.str());
    }
    std::string_view m_component;
};

}  // namespace ks::log
