#pragma once

#include <QString>

#include <cstdint>
#include <mutex>
#include <vector>

namespace Tincan::Bench {

//! Latency samples in microseconds; percentiles by sorting at the end. Thread-safe.
class LatencyStats
{
public:
    void add(int64_t micros);
    size_t count() const;
    //! p in [0, 100].
    double percentileMs(double p) const;
    double maxMs() const;

private:
    mutable std::mutex m_mutex;
    mutable std::vector<int64_t> m_samples;
    mutable bool m_sorted = true;
};

//! Monotonic microseconds shared by every thread of the load generator.
int64_t nowMicros();

//! CPU time (user + system) of a process in microseconds, from /proc; -1 if unknown.
int64_t processCpuMicros(qint64 pid);
//! Resident memory of a process in KiB, from /proc; -1 if unknown.
int64_t processRssKiB(qint64 pid);

} // namespace Tincan::Bench
