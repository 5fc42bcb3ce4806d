#include "bench/loadgen/Stats.h"

#include <QFile>

#include <algorithm>
#include <chrono>
#include <unistd.h>

namespace Tincan::Bench {

void LatencyStats::add(int64_t micros)
{
    std::lock_guard lock(m_mutex);
    m_samples.push_back(micros);
    m_sorted = false;
}

size_t LatencyStats::count() const
{
    std::lock_guard lock(m_mutex);
    return m_samples.size();
}

double LatencyStats::percentileMs(double p) const
{
    std::lock_guard lock(m_mutex);
    if (m_samples.empty()) {
        return 0;
    }
    if (!m_sorted) {
        std::sort(m_samples.begin(), m_samples.end());
        m_sorted = true;
    }
    const size_t index =
        std::min(m_samples.size() - 1,
                 static_cast<size_t>(p / 100.0 * static_cast<double>(m_samples.size())));
    return static_cast<double>(m_samples[index]) / 1000.0;
}

double LatencyStats::maxMs() const
{
    return percentileMs(100);
}

int64_t nowMicros()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

int64_t processCpuMicros(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QByteArray line = file.readAll();
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13) {
        return -1;
    }
    const long ticks = sysconf(_SC_CLK_TCK);
    const int64_t total = fields[11].toLongLong() + fields[12].toLongLong(); // utime, stime
    return total * 1000000 / ticks;
}

int64_t processRssKiB(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/status").arg(pid));
    if (!file.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            return line.mid(6).trimmed().split(' ').first().toLongLong();
        }
    }
    return -1;
}

} // namespace Tincan::Bench
