// Carries out the return-to-service gate (decisions: sync/return_check.h). Per check: a MAINT
// reservation of the node for this daemon's user, a resume when it was drained, a batch job of
// its own pinned to the node in that reservation whose prolog runs the health gate; then, each
// pass, a look at the node and the job until a verdict:
//   pass      the reservation goes; the node is in service
//   fail      the gate drained the node with the failing check's figure and threshold: the
//             requeued job is cancelled, the reservation goes, the node stays drained
//   aborted   someone drained the node meanwhile (Kubernetes again, an admin): job and
//             reservation go, the drain stays as it is
//   vanished  the Slurm node is gone: job and reservation go, nothing else changes
//   error     no verdict (job failed, gate missing, timeout): the node is drained with
//             "kubeslurm: return-check: <why>", then job and reservation go
// A check that cannot start (Slurm refuses the reservation or the job) leaves the node as it
// was and is retried after a growing delay. Reservations left by a stopped daemon are found by
// their name and the node goes back out of service (re-checked on the next pass).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "event_recorder.h"
#include "k8s/client.h"
#include "sync/metrics.h"
#include "sync/return_check.h"
#include "sync/state.h"

namespace ks::sync_daemon {

struct ReturnCheckSettings {
    int timeout_s = 600;
    std::string partition;
};

class ReturnChecks {
public:
    using Clock = std::chrono::steady_clock;

    ReturnChecks(k8s::Client* client, sync::Metrics& metrics, EventRecorder* events);

    // StartReturnCheck: `node` is the Slurm node's state read right before.
    void start(const sync::Action& action, sync::SlurmNode& node, const ReturnCheckSettings& settings);
    // RefuseReturnCheck: logged and told as an Event once per request; nothing changes.
    void refuse(const sync::Action& action);
    // Judges every running check on the fresh Slurm view and settles those with a verdict; the
    // view gets the effect of what it changed (a start's resume, an error's drain), so the pass
    // that follows decides on it before the next poll shows it. Value: the Kubernetes nodes whose
    // request (annotation) was answered and removed.
    std::vector<std::string> poll(std::map<std::string, sync::SlurmNode>& slurm);
    // Reservations of a previous run: their nodes are drained again and the reservations removed.
    void recover();

    std::set<std::string> checking() const;  // Slurm nodes under check

private:
    struct Running {
        std::string slurm_node, kube_node, level, trigger, reservation;
        uint32_t job = 0;
        Clock::time_point started, deadline;
    };
    void settle(const Running& r, const sync::Judgement& j, std::map<std::string, sync::SlurmNode>& slurm);
    void tell(const std::string& kube_node, k8s::NodeEvent event);
    void failed_to_start(const sync::Action& a, const std::string& why);
    void cancel(uint32_t job);
    void finish_cancels();

    k8s::Client* m_client;
    sync::Metrics& m_metrics;
    EventRecorder* m_events;
    std::map<std::string, Running> m_running;                // by Slurm node
    std::map<std::string, Clock::time_point> m_retry_after;  // by Slurm node: a start failed
    std::map<std::string, int> m_failures;
    std::set<std::string> m_refused;                         // node + "\n" + why, told once
    std::set<uint32_t> m_cancelling;  // check jobs cancelled but not yet ended (a requeue in flight)
};

}  // namespace ks::sync_daemon
