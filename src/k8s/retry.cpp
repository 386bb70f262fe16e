// Retry maths: exponential backoff with jitter, Retry-After, and the client-side token bucket.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <string>

#include "k8s/client.h"

namespace ks::k8s {

Backoff::Backoff(double initial_s, double max_s, double factor, double jitter, unsigned seed)
    : m_initial(initial_s), m_max(max_s), m_factor(factor), m_jitter(jitter),
      m_current(initial_s), m_state(seed ? seed : 0x9e3779b97f4a7c15ULL) {}

double Backoff::next() {
    // xorshift64*: deterministic for a seed, good enough to spread retries apart.
    m_state ^= m_state >> 12;
    m_state ^= m_state << 25;
    m_state ^= m_state >> 27;
    const double unit = static_cast<double>((m_state * 2685821657736338717ULL) >> 11) /
                        static_cast<double>(1ULL << 53);  // [0, 1)
    const double delay = m_current * (1.0 + m_jitter * (2.0 * unit - 1.0));
    m_current = std::min(m_max, m_current * m_factor);
    return std::min(m_max * (1.0 + m_jitter), std::max(0.0, delay));
}

void Backoff::reset() { m_current = m_initial; }

std::optional<double> parse_retry_after(std::string_view value,
                                        std::chrono::system_clock::time_point now) {
    std::string v(value);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.erase(0, 1);
    if (v.empty()) return std::nullopt;
    if (std::isdigit(static_cast<unsigned char>(v[0]))) {
        // delta-seconds (a fraction is accepted: some test servers send one)
        std::size_t used = 0;
        double s;
        try {
            s = std::stod(v, &used);
        } catch (...) {
            return std::nullopt;
        }
        if (used != v.size() || !std::isfinite(s)) return std::nullopt;
        return std::max(0.0, s);
    }
    // HTTP-date, e.g. "Sun, 06 Nov 1994 08:49:37 GMT"
    std::tm tm{};
    const char* end = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end) return std::nullopt;
    const std::time_t when = timegm(&tm);
    const double delta =
        std::chrono::duration<double>(std::chrono::system_clock::from_time_t(when) - now).count();
    return std::max(0.0, delta);
}

bool is_retryable(long status) { return status == 0 || status == 429 || status >= 500; }

double retry_delay(long status, std::optional<double> retry_after, Backoff& backoff) {
    if (retry_after && (status == 429 || status >= 500)) {
        backoff.next();  // keep growing: a server that keeps failing gets ever slower retries
        return std::min(*retry_after, 60.0);
    }
    return backoff.next();
}

TokenBucket::TokenBucket(double rate, int burst, Clock::time_point now)
    : m_rate(rate > 0 ? rate : 1.0), m_burst(burst > 0 ? burst : 1), m_tokens(m_burst),
      m_last(now) {}

std::chrono::duration<double> TokenBucket::reserve(Clock::time_point now) {
    std::lock_guard lk(m_mu);
    if (now > m_last) {
        m_tokens = std::min(m_burst, m_tokens + std::chrono::duration<double>(now - m_last).count() * m_rate);
        m_last = now;
    }
    m_tokens -= 1.0;  // may go negative: later callers queue behind this one
    if (m_tokens >= 0) return std::chrono::duration<double>(0);
    return std::chrono::duration<double>(-m_tokens / m_rate);
}

}  // namespace ks::k8s
