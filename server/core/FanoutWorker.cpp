#include "server/core/FanoutWorker.h"

#include "server/core/Logging.h"
#include "server/core/MessageBus.h"

#include <QTimer>

namespace Tincan::Server {

FanoutWorker::FanoutWorker(FanoutQueue &queue, MessageBus &bus, qint64 deliveriesPerRound,
                           int pauseMs)
    : m_queue(queue)
    , m_bus(bus)
    , m_perRound(deliveriesPerRound)
    , m_pauseMs(pauseMs)
    , m_timerContext(std::make_unique<QObject>())
{}

FanoutWorker::~FanoutWorker()
{
    stop();
}

void FanoutWorker::kick()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopped) {
            return;
        }
        if (m_running) {
            m_again = true;
            return;
        }
        m_running = true;
        m_again = false;
        if (m_pauseMs > 0) {
            m_paused = true;
        }
    }
    if (m_pauseMs > 0) {
        QMetaObject::invokeMethod(
            m_timerContext.get(),
            [this] {
                QTimer::singleShot(m_pauseMs, m_timerContext.get(), [this] { pauseOver(); });
            },
            Qt::QueuedConnection);
        return;
    }
    runRound();
}

void FanoutWorker::pauseOver()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_paused) {
            return; // Stopped meanwhile.
        }
        m_paused = false;
        if (m_stopped) {
            m_running = false;
            m_idle.notify_all();
            return;
        }
    }
    runRound();
}

void FanoutWorker::runRound()
{
    m_queue.fanOut(m_perRound,
                   [this](Protocol::Result<FanoutRound> round) { roundDone(std::move(round)); });
}

void FanoutWorker::roundDone(Protocol::Result<FanoutRound> round)
{
    // Writer thread. The deliveries are durable now: push them to the devices online.
    if (round) {
        m_bus.publishEnvelopes(round->deliveries);
    } else {
        qCWarning(lcServerStore) << "fan-out round failed:" << round.error().message;
    }
    bool next = false;
    {
        std::lock_guard lock(m_mutex);
        if (round) {
            m_published += static_cast<quint64>(round->deliveries.size());
        }
        // After a failure only a new kick (next send, or the periodic one) tries again.
        next = !m_stopped && ((round && round->more) || m_again);
        m_again = false;
        m_running = next;
        m_paused = next && m_pauseMs > 0;
        if (!next) {
            m_idle.notify_all();
        }
    }
    if (next && m_pauseMs > 0) {
        QMetaObject::invokeMethod(
            m_timerContext.get(),
            [this] {
                QTimer::singleShot(m_pauseMs, m_timerContext.get(), [this] { pauseOver(); });
            },
            Qt::QueuedConnection);
    } else if (next) {
        runRound();
    }
}

void FanoutWorker::stop()
{
    std::unique_lock lock(m_mutex);
    m_stopped = true;
    if (m_paused) {
        // Waiting for a pause to end: no round is in flight.
        m_paused = false;
        m_running = false;
    }
    m_idle.wait(lock, [this] { return !m_running; });
}

quint64 FanoutWorker::deliveriesPublished() const
{
    std::lock_guard lock(m_mutex);
    return m_published;
}

} // namespace Tincan::Server
