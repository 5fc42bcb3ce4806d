#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QString>

#include <mutex>

namespace Tincan::Server {

//! Token buckets keyed by a string (a device, a client address). Thread-safe.
class RateLimiter
{
public:
    RateLimiter(double ratePerSecond, double burst);

    //! Takes one token for `key`. On refusal, `retryAfterSeconds` says when one will be there.
    bool tryAcquire(const QString &key, double *retryAfterSeconds = nullptr);

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedNs = 0;
    };

    double m_rate;
    double m_burst;
    std::mutex m_mutex;
    QHash<QString, Bucket> m_buckets;
    QElapsedTimer m_clock;
};

} // namespace Tincan::Server
