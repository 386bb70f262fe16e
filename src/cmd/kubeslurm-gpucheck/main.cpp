// kubeslurm-gpucheck: the pre-job gate (--prolog: one JSON document on stdout) and the site-staff
// checker (progress line, final table, --json FILE). See docs/gpucheck.md.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "common/config.h"
#include "common/log.h"
#include "health/report.h"
#include "options.h"
#include "session.h"

namespace {

const ks::log::Logger logger("gpucheck");

// In prolog mode even a usage or configuration error yields one JSON document.
int fail_early(const ks::gpucheck::Options* opts, const std::string& message, int code) {
    logger.error(message);
    if (opts && opts->prolog) {
        ks::health::Report report;
        const char* node = std::getenv("SLURMD_NODENAME");
        report.node = node ? node : "";
        report.level = opts->level;
        report.results.push_back(ks::health::errored("gpucheck", message));
        std::fputs(ks::health::report_text(report).c_str(), stdout);
    } else if (!opts) {
        std::fprintf(stderr, "%s", ks::gpucheck::usage());
    }
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace ks::gpucheck;
    auto parsed = parse_options(argc, argv);
    if (!parsed) {
        // Still honour --prolog for the JSON contract when it was given.
        Options guess;
        for (int i = 1; i < argc; ++i) guess.prolog = guess.prolog || std::string(argv[i]) == "--prolog";
        if (guess.prolog) return fail_early(&guess, parsed.error(), ks::health::kExitUsage);
        logger.error(parsed.error());
        std::fprintf(stderr, "%s", usage());
        return ks::health::kExitUsage;
    }
    const Options& opts = parsed.value();
    if (opts.help) {
        std::fputs(usage(), stdout);
        return 0;
    }
    if (opts.version) {
        std::printf("kubeslurm-gpucheck %s\n", KUBESLURM_VERSION);
        return 0;
    }
    if (opts.verbose) ks::log::set_level(ks::log::Level::Verbose);

    auto cfg = opts.config_path.empty() ? ks::config::Config::load(ks::config::kDefaultPath, true)
                                        : ks::config::Config::load(opts.config_path);
    if (!cfg) return fail_early(&opts, cfg.error(), ks::health::kExitUsage);
    ks::log::Level lvl;
    if (!opts.verbose && ks::log::parse_level(cfg->str("LogLevel"), lvl)) ks::log::set_level(lvl);

    auto session = Session::create(opts, cfg.value());
    if (!session) return fail_early(&opts, session.error(), ks::health::kExitUsage);
    if (opts.list_checks) {
        std::fputs(session.value()->list_checks().c_str(), stdout);
        return 0;
    }
    return session.value()->run();
}
