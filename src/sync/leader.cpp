#include "sync/leader.h"

namespace ks::sync {

using namespace std::chrono;

LeaderState::LeaderState(std::string identity, seconds duration)
    : m_identity(std::move(identity)), m_duration(duration) {}

milliseconds LeaderState::renew_deadline() const { return duration_cast<milliseconds>(m_duration) * 2 / 3; }

milliseconds LeaderState::retry_period() const {
    return std::max(milliseconds(200), duration_cast<milliseconds>(m_duration) / 5);
}

LeaseStep LeaderState::observe(const std::optional<LeaseView>& lease, Clock::time_point now) {
    if (!lease) return LeaseStep::Create;
    if (lease->holder == m_identity) return LeaseStep::Renew;
    m_renewed_at.reset();  // held by someone else: we are not the leader whatever we thought
    if (lease->holder.empty()) return LeaseStep::Acquire;
    if (!m_seen || m_seen->holder != lease->holder || m_seen->renew_time != lease->renew_time) {
        m_seen = lease;
        m_seen_at = now;
        return LeaseStep::Wait;
    }
    return now - m_seen_at >= m_duration ? LeaseStep::Acquire : LeaseStep::Wait;
}

void LeaderState::written(bool ok, Clock::time_point now) {
    if (ok) {
        m_renewed_at = now;
        m_seen.reset();
    }
}

void LeaderState::lost() { m_renewed_at.reset(); }

bool LeaderState::is_leader(Clock::time_point now) const {
    return m_renewed_at && now - *m_renewed_at < renew_deadline();
}

}  // namespace ks::sync
