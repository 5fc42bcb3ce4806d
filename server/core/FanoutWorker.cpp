#include "server/core/FanoutWorker.h"

#include "server/core/Logging.h"
#include "server/core/MessageBus.h"

namespace Tincan::Server {

FanoutWorker::FanoutWorker(FanoutQueue &queue, MessageBus &bus, qint64 deliveriesPerRound)
    : m_queue(queue)
    , m_bus(bus)
    , m_perRound(deliveriesPerRound)
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
        for (const auto &[device, envelope] : std::as_const(round->deliveries)) {
            m_bus.publishEnvelope(device, envelope);
        }
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
        if (!next) {
            m_idle.notify_all();
        }
    }
    if (next) {
        runRound();
    }
}

void FanoutWorker::stop()
{
    std::unique_lock lock(m_mutex);
    m_stopped = true;
    m_idle.wait(lock, [this] { return !m_running; });
}

quint64 FanoutWorker::deliveriesPublished() const
{
    std::lock_guard lock(m_mutex);
    return m_published;
}

} // namespace Tincan::Server
