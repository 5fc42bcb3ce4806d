#include "server/core/RateLimiter.h"

#include <algorithm>

namespace Tincan::Server {

namespace {
constexpr qsizetype PruneThreshold = 100000;
}

RateLimiter::RateLimiter(double ratePerSecond, double burst)
    : m_rate(ratePerSecond)
    , m_burst(burst)
{
    m_clock.start();
}

bool RateLimiter::tryAcquire(const QString &key, double *retryAfterSeconds)
{
    std::lock_guard lock(m_mutex);
    const qint64 now = m_clock.nsecsElapsed();
    if (m_buckets.size() > PruneThreshold) {
        // Full buckets carry no state worth keeping.
        m_buckets.removeIf([&](const auto &it) {
            const Bucket &b = it.value();
            return b.tokens + static_cast<double>(now - b.updatedNs) * 1e-9 * m_rate >= m_burst;
        });
    }
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        it = m_buckets.insert(key, Bucket{m_burst, now});
    }
    Bucket &bucket = it.value();
    bucket.tokens = std::min(m_burst, bucket.tokens + static_cast<double>(now - bucket.updatedNs) *
                                                          1e-9 * m_rate);
    bucket.updatedNs = now;
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return true;
    }
    if (retryAfterSeconds) {
        *retryAfterSeconds = (1.0 - bucket.tokens) / m_rate;
    }
    return false;
}

} // namespace Tincan::Server
