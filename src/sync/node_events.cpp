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
        e.annotations["kubeslurm.io/check"] = a.reason;
        if (auto f = parse_figure(a.message)) {
            e.annotations["kubeslurm.io/figure"] = number(f->value);
            e.annotations["kubeslurm.io/threshold"] = number(f->threshold);
            if (!f->unit.empty()) e.annotations["kubeslurm.io/unit"] = f->unit;
        }
        return e;
    }
    default:
        return std::nullopt;
    }
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
