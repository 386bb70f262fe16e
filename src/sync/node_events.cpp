#include "sync/node_events.h"

#include "common/strings.h"
#include "sync/reasons.h"

namespace ks::sync {
namespace {

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

k8s::NodeEvent event(const Action& a, std::string_view type, std::string_view reason, std::string message) {
    k8s::NodeEvent e;
    e.node = a.kube_node;
    e.type = type;
    e.reason = reason;
    e.message = std::move(message);
    e.component = kEventComponent;
    if (!a.slurm_node.empty()) e.annotations["kubeslurm.io/slurm-node"] = a.slurm_node;
    return e;
}

}  // namespace

void add_figure(k8s::NodeEvent& e, const HealthVerdict& v) {
    e.annotations["kubeslurm.io/check"] = v.check;
    if (!v.figure) return;
    e.annotations["kubeslurm.io/figure"] = number(v.figure->value);
    e.annotations["kubeslurm.io/threshold"] = number(v.figure->threshold);
    if (!v.figure->unit.empty()) e.annotations["kubeslurm.io/unit"] = v.figure->unit;
}

std::optional<k8s::NodeEvent> action_event(const Action& a) {
    switch (a.kind) {
    case ActionKind::Drain: {
        const std::string cause = a.reason.substr(std::min(a.reason.size(), kOwnReasonPrefix.size()));
        auto e = event(a, "Warning", kEventDrained, "Slurm node " + a.slurm_node + " drained: " + cause);
        e.annotations["kubeslurm.io/cause"] = cause;
        return e;
    }
    case ActionKind::Resume:
        return event(a, "Normal", kEventResumed, "Slurm node " + a.slurm_node + " resumed");
    case ActionKind::SetCondition: {
        auto e = event(a, "Warning", kEventGateFailed,
                       "Slurm node " + a.slurm_node + " drained by the health gate: " + a.reason + ": " + a.message);
        add_figure(e, HealthVerdict{a.reason, a.message, parse_figure(a.message)});
        return e;
    }
    case ActionKind::RefuseReturnCheck:
        return event(a, "Warning", kEventReturnRefused,
                     "return-to-service check of Slurm node " + a.slurm_node + " refused: " + a.message);
    default:
        return std::nullopt;
    }
}

k8s::NodeEvent return_check_event(const Action& check, uint32_t job, const Judgement& j) {
    const std::string what = "return-to-service check of Slurm node " + check.slurm_node + " (job " +
                             std::to_string(job) + ", level " + check.reason + ")";
    k8s::NodeEvent e;
    switch (j.outcome) {
    case Outcome::Running:
        e = event(check, "Normal", "ReturnCheckStarted", what + " started: " + check.message);
        break;
    case Outcome::Passed:
        e = event(check, "Normal", "ReturnCheckPassed", what + " passed: back in service");
        break;
    case Outcome::Failed:
        e = event(check, "Warning", "ReturnCheckFailed", what + " failed: " + j.detail + "; stays drained");
        if (j.failure) add_figure(e, *j.failure);
        break;
    case Outcome::Aborted:
        e = event(check, "Normal", "ReturnCheckAborted", what + " aborted: " + j.detail);
        break;
    case Outcome::Vanished:
    case Outcome::Error:
        e = event(check, "Warning", "ReturnCheckError", what + ": " + j.detail);
        break;
    }
    e.annotations["kubeslurm.io/job"] = std::to_string(job);
    e.annotations["kubeslurm.io/level"] = check.reason;
    return e;
}

std::string drain_cause_label(std::string_view reason) {
    if (is_own_reason(reason)) {
        const std::string_view cause = reason.substr(kOwnReasonPrefix.size());
        if (str::starts_with(cause, "cordoned")) return "cordoned";
        if (str::starts_with(cause, "NotReady")) return "not_ready";
        if (str::starts_with(cause, "taint")) return "taint";
        return "other";
    }
    return parse_health_reason(reason) ? "health_check" : "";
}

}  // namespace ks::sync
