// The C++ core of job_submit/kubeslurm: the job's topology policy (its --topology, else the
// partition's or cluster's default from kubeslurm.conf) asked of stock Slurm as a segment or a
// switch count (placement/stock_request.h). Exposed through core.h; no exception leaves this file.
#include "core.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "common/config.h"
#include "common/log.h"
#include "placement/policy_source.h"
#include "placement/stock_request.h"

namespace ks::job_submit {
namespace {

constexpr log::Logger kLog("job_submit/kubeslurm");
constexpr uint32_t kNoVal = 0xfffffffe;  // Slurm's NO_VAL

void to_slurm_log(log::Level level, const std::string& line) {
    int l = level <= log::Level::Error ? KS_JS_LOG_ERROR
            : level <= log::Level::Info ? KS_JS_LOG_INFO
                                        : KS_JS_LOG_DEBUG;
    ks_js_log(l, line.c_str());
}

uint32_t given(uint32_t n) { return n == kNoVal ? 0 : n; }

class Core {
public:
    int plan(const ks_js_job_t& job, ks_js_change_t& out) {
        std::lock_guard lock(m_mutex);
        ensure_config();
        if (!m_good) return 0;
        placement::StockJob stock;
        stock.policy = m_policies.resolve(
            m_config, placement::policy_in_spank_env(job.spank_env, job.spank_env_size),
            job.partition, 0);
        stock.min_nodes = std::max<uint32_t>(given(job.min_nodes), 1);
        stock.max_nodes = given(job.max_nodes);
        stock.has_segment = job.has_segment != 0;
        stock.has_switches = job.has_switches != 0;
        auto request = placement::stock_request(stock);
        if (!request) {
            std::snprintf(out.error, sizeof(out.error), "kubeslurm: %s", request.error().c_str());
            return -1;
        }
        if (request->segment_size) {
            out.set_segment = 1;
            out.segment_size = *request->segment_size;
        }
        if (request->switches) {
            out.set_switches = 1;
            out.switches = *request->switches;
        }
        if (out.set_segment || out.set_switches)
            kLog.debug("policy ", placement::to_string(stock.policy), ": ",
                       out.set_segment ? "segment " + std::to_string(out.segment_size) : "",
                       out.set_switches ? "switches " + std::to_string(out.switches) : "");
        return 0;
    }
    void reload() {
        std::lock_guard lock(m_mutex);
        m_loaded = false;
    }

private:
    void ensure_config() {
        if (m_loaded) return;
        m_loaded = true;
        log::set_sink(to_slurm_log);
        log::set_level(log::Level::Debug);  // slurmctld's own level filters
        const char* env = std::getenv("KUBESLURM_CONF");
        std::string path = env && *env ? env : config::kDefaultPath;
        auto cfg = config::Config::load(path, /*allow_missing=*/true);
        // As a whole or not at all: one bad value keeps the last good configuration.
        if (cfg) {
            m_config = std::move(cfg).value();
            m_good = true;
        } else {
            kLog.error(cfg.error(), m_good ? " (keeping the last good configuration)"
                                           : " (jobs pass unchanged until it is fixed)");
        }
    }

    std::mutex m_mutex;
    bool m_loaded = false;
    bool m_good = false;  // m_config came from the file
    config::Config m_config;
    placement::PolicySource m_policies{kLog};
};

Core& core() {
    static Core* instance = new Core();  // never destroyed: slurmctld may call us while exiting
    return *instance;
}

}  // namespace
}  // namespace ks::job_submit

extern "C" int ks_js_plan(const ks_js_job_t* job, ks_js_change_t* change) {
    std::memset(change, 0, sizeof(*change));
    try {
        return ks::job_submit::core().plan(*job, *change);
    } catch (const std::exception& e) {
        ks_js_log(KS_JS_LOG_ERROR, (std::string("job_submit/kubeslurm: ") + e.what()).c_str());
    } catch (...) {
        ks_js_log(KS_JS_LOG_ERROR, "job_submit/kubeslurm: internal error");
    }
    std::memset(change, 0, sizeof(*change));
    return 0;
}

extern "C" void ks_js_reload(void) {
    try {
        ks::job_submit::core().reload();
    } catch (...) {
    }
}
