// Leader election decisions over a coordination.k8s.io Lease, as client-go's leaderelection:
// a replica holds the lease while it renews it; a standby takes over only after it has seen the
// same (holder, renewTime) unchanged for a whole lease duration on its own clock, so clock skew
// between replicas does not matter. A leader stops acting when it has not renewed within the renew
// deadline (2/3 of the duration), before any standby can take over. Pure logic, no I/O.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace ks::sync {

struct LeaseView {
    std::string holder;      // spec.holderIdentity ("" = released)
    std::string renew_time;  // spec.renewTime, compared as an opaque token
};

enum class LeaseStep {
    Create,    // no lease yet: create it with us as holder
    Renew,     // we hold it: renew
    Acquire,   // released or expired: take it over (transitions + 1)
    Wait,      // someone else holds it
};

class LeaderState {
public:
    using Clock = std::chrono::steady_clock;

    LeaderState(std::string identity, std::chrono::seconds duration);

    // What to do given the lease just read (nullopt: it does not exist).
    LeaseStep observe(const std::optional<LeaseView>& lease, Clock::time_point now);
    // The outcome of the create/renew/acquire write.
    void written(bool ok, Clock::time_point now);
    // We stopped holding it (released on shutdown, or lost it to another replica).
    void lost();

    bool is_leader(Clock::time_point now) const;
    const std::string& identity() const { return m_identity; }
    std::chrono::seconds duration() const { return m_duration; }
    std::chrono::milliseconds renew_deadline() const;
    std::chrono::milliseconds retry_period() const;  // how often to read/renew

private:
    std::string m_identity;
    std::chrono::seconds m_duration;
    std::optional<LeaseView> m_seen;      // last lease held by someone else
    Clock::time_point m_seen_at{};        // when it last changed
    std::optional<Clock::time_point> m_renewed_at;  // our last successful write
};

}  // namespace ks::sync
