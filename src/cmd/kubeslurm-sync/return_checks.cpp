#include "return_checks.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>

#include "common/hostlist.h"
#include "common/log.h"
#include "executor.h"
#include "slurm/jobs.h"
#include "slurm/nodes.h"
#include "sync/node_events.h"

namespace ks::sync_daemon {
namespace {

constexpr log::Logger kLog("sync");
constexpr auto kFirstRetry = std::chrono::seconds(10);
constexpr auto kMaxRetry = std::chrono::seconds(600);

std::string user_name() {
    const passwd* pw = getpwuid(getuid());
    return pw ? pw->pw_name : std::to_string(getuid());
}

// The StartReturnCheck action a running check was started by (events name its node and level).
sync::Action as_action(const std::string& slurm, const std::string& kube, const std::string& level,
                       const std::string& trigger) {
    return {sync::ActionKind::StartReturnCheck, slurm, kube, level, trigger, {}};
}

}  // namespace

ReturnChecks::ReturnChecks(k8s::Client* client, sync::Metrics& metrics, EventRecorder* events)
    : m_client(client), m_metrics(metrics), m_events(events) {}

std::set<std::string> ReturnChecks::checking() const {
    std::set<std::string> out;
    for (const auto& [node, r] : m_running) out.insert(node);
    return out;
}

void ReturnChecks::tell(const std::string& kube_node, k8s::NodeEvent event) {
    if (m_events && !kube_node.empty()) m_events->record(std::move(event));
}

void ReturnChecks::failed_to_start(const sync::Action& a, const std::string& why) {
    const int n = ++m_failures[a.slurm_node];
    const auto delay = std::min<std::chrono::seconds>(kFirstRetry * (1 << std::min(n - 1, 6)), kMaxRetry);
    m_retry_after[a.slurm_node] = Clock::now() + delay;
    kLog.error("return check of ", a.slurm_node, " not started: ", why, " (nothing changed; retried in ",
               delay.count(), " s)");
    m_metrics.return_checks.add("error");
    tell(a.kube_node, sync::return_check_event(a, 0, {sync::Outcome::Error, "not started: " + why, {}}));
}

void ReturnChecks::start(const sync::Action& a, sync::SlurmNode& node, const ReturnCheckSettings& s) {
    if (m_running.count(a.slurm_node)) return;
    if (auto it = m_retry_after.find(a.slurm_node); it != m_retry_after.end() && Clock::now() < it->second) return;
    if (!sync::is_check_level(a.reason)) return failed_to_start(a, "unknown level '" + a.reason + "'");

    Running r{a.slurm_node, a.kube_node, a.reason, a.message, sync::reservation_name(a.slurm_node), 0,
              Clock::now(), Clock::now() + std::chrono::seconds(s.timeout_s)};
    const int minutes = (s.timeout_s + 59) / 60 + 1;  // outlives the deadline: we remove it
    if (auto st = slurm::create_reservation(r.reservation, a.slurm_node, user_name(), minutes); !st)
        return failed_to_start(a, st.error());
    if (node.drain) {
        if (auto st = slurm::resume(a.slurm_node); !st) {
            (void)slurm::delete_reservation(r.reservation);
            return failed_to_start(a, st.error());
        }
    }
    slurm::BatchJob job{std::string(sync::kReturnCheckJobName), sync::check_job_script(), a.slurm_node,
                        r.reservation, s.partition, minutes, {"SPANK_KUBESLURM_GPU_CHECK=" + a.reason}};
    auto id = slurm::submit(job);
    if (!id) {
        // Back out of service exactly as it was (the same reason), then free the reservation.
        if (node.drain) (void)slurm::drain(a.slurm_node, node.reason);
        (void)slurm::delete_reservation(r.reservation);
        return failed_to_start(a, id.error());
    }
    r.job = *id;
    node.drain = false;
    m_failures.erase(a.slurm_node);
    m_retry_after.erase(a.slurm_node);
    kLog.info("return check of ", a.slurm_node, " started: job ", r.job, ", level ", r.level, ", reservation ",
              r.reservation, " (", r.trigger, ")");
    tell(a.kube_node, sync::return_check_event(a, r.job, {sync::Outcome::Running, "", {}}));
    m_running.emplace(a.slurm_node, std::move(r));
}

void ReturnChecks::refuse(const sync::Action& a) {
    if (!m_refused.insert(a.slurm_node + "\n" + a.message).second) return;
    kLog.error("return check of ", a.slurm_node, " refused: ", a.message);
    if (auto e = sync::action_event(a)) tell(a.kube_node, std::move(*e));
}

// A job whose prolog just failed may be between its end and its requeue: slurmctld can take the
// cancel as "already done" and requeue it right after. So a cancelled job is watched, and
// cancelled again, until it has really ended.
void ReturnChecks::cancel(uint32_t job) {
    if (auto st = slurm::cancel(job); !st) kLog.warning("return check job ", job, ": ", st.error());
    m_cancelling.insert(job);
}

void ReturnChecks::finish_cancels() {
    for (auto it = m_cancelling.begin(); it != m_cancelling.end();) {
        auto state = slurm::job_state(*it);
        if (state && (!*state || (*state)->finished)) {
            it = m_cancelling.erase(it);
            continue;
        }
        if (!state) kLog.warning("return check job ", *it, ": ", state.error());
        else if (auto st = slurm::cancel(*it); !st) kLog.warning("return check job ", *it, ": ", st.error());
        else kLog.debug("return check job ", *it, " ", (*state)->state, ": cancelled again");
        ++it;
    }
}

std::vector<std::string> ReturnChecks::poll(std::map<std::string, sync::SlurmNode>& slurm) {
    finish_cancels();
    std::vector<std::string> answered;
    for (auto it = m_running.begin(); it != m_running.end();) {
        const Running& r = it->second;
        auto job = slurm::job_state(r.job);
        if (!job) {
            m_metrics.slurm_errors.fetch_add(1);
            kLog.warning("return check of ", r.slurm_node, ": ", job.error());
            ++it;
            continue;
        }
        std::optional<sync::CheckJob> view;
        if (*job) view = sync::CheckJob{(*job)->state, (*job)->finished, (*job)->exit_code};
        auto node = slurm.find(r.slurm_node);
        auto judgement = sync::judge(node == slurm.end() ? std::nullopt : std::optional(node->second), r.job, view,
                                     Clock::now() > r.deadline);
        if (judgement.outcome == sync::Outcome::Running) {
            ++it;
            continue;
        }
        settle(r, judgement, slurm);
        if (r.trigger != "kubernetes") answered.push_back(r.kube_node);
        it = m_running.erase(it);
    }
    return answered;
}

void ReturnChecks::settle(const Running& r, const sync::Judgement& j, std::map<std::string, sync::SlurmNode>& slurm) {
    using sync::Outcome;
    if (j.outcome == Outcome::Error) {  // out of service before the reservation goes
        const std::string reason = std::string(sync::kReturnCheckErrorPrefix) + j.detail;
        if (auto st = slurm::drain(r.slurm_node, reason); !st) {
            kLog.error("return check of ", r.slurm_node, ": ", st.error());
        } else if (auto node = slurm.find(r.slurm_node); node != slurm.end()) {
            node->second.drain = true;
            node->second.reason = reason;
        }
    }
    if (j.outcome != Outcome::Passed) cancel(r.job);
    if (auto st = slurm::delete_reservation(r.reservation); !st)
        kLog.error("return check of ", r.slurm_node, ": ", st.error());

    const double seconds = std::chrono::duration<double>(Clock::now() - r.started).count();
    const std::string result(j.outcome == Outcome::Vanished ? "error" : sync::outcome_name(j.outcome));
    m_metrics.return_checks.add(result);
    m_metrics.return_check_duration.observe(seconds);
    if (j.outcome == Outcome::Passed) m_metrics.resumes.add("return_check");
    if (j.outcome != Outcome::Aborted)
        m_metrics.verdicts.set(r.slurm_node, result, j.failure ? j.failure->check : "",
                               j.failure ? j.failure->figure : std::nullopt, unix_now());
    auto log_line = [&](auto&&... parts) {
        if (j.outcome == Outcome::Passed || j.outcome == Outcome::Aborted) kLog.info(parts...);
        else kLog.error(parts...);
    };
    log_line("return check of ", r.slurm_node, " (job ", r.job, "): ", sync::outcome_name(j.outcome), ": ", j.detail,
             " after ", static_cast<long>(seconds), " s");
    tell(r.kube_node, sync::return_check_event(as_action(r.slurm_node, r.kube_node, r.level, r.trigger), r.job, j));
    // The request is answered: the annotation goes (the node may be gone: best effort).
    if (m_client && !r.kube_node.empty() && r.trigger != "kubernetes")
        if (auto p = m_client->patch_node_annotations(r.kube_node, {{std::string(sync::kReturnCheckAnnotation),
                                                                      std::nullopt}});
            !p)
            kLog.warning("return check of ", r.slurm_node, ": ", p.error());
}

void ReturnChecks::recover() {
    auto left = slurm::reservations(std::string(sync::kReservationPrefix));
    if (!left) {
        kLog.warning("cannot list leftover return-check reservations: ", left.error());
        return;
    }
    for (const auto& resv : *left) {
        const std::string node = resv.name.substr(sync::kReservationPrefix.size());
        if (m_running.count(node)) continue;
        // Checked by a replica that stopped: back out of service (our reason: re-checked on the
        // next pass), then free the node of the old check's job and reservation.
        kLog.warning("return check of ", node, " interrupted (reservation ", resv.name, " left): checking again");
        (void)slurm::drain(node, sync::own_reason("return check interrupted"));
        if (auto jobs = slurm::jobs_in_reservation(resv.name); jobs)
            for (uint32_t id : *jobs) cancel(id);
        if (auto st = slurm::delete_reservation(resv.name); !st)
            kLog.warning("reservation ", resv.name, ": ", st.error(), " (it ends by itself; the check waits for it)");
    }
}

}  // namespace ks::sync_daemon
