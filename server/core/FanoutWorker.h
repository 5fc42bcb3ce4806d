#pragma once

#include "server/store/Stores.h"

#include <QObject>

#include <condition_variable>
#include <memory>
#include <mutex>

namespace Tincan::Server {

class MessageBus;

//! Consumes the durable fan-out queue (the seed's "group message handlers"): rounds of work run
//! on the store's writer thread one after another while there is work, and every round's
//! deliveries are published to the devices' streams once they are durable. A send only queues
//! its job and kicks the worker, so a big group never slows the sender. Thread-safe.
//!
//! `pauseMs` (groups/fanout_round_pause_ms, default 0) spaces the rounds out, leaving the
//! writer to other work in between; the waiting happens on the thread that created the worker
//! (it needs an event loop), never on the writer.
class FanoutWorker
{
public:
    FanoutWorker(FanoutQueue &queue, MessageBus &bus, qint64 deliveriesPerRound, int pauseMs = 0);
    ~FanoutWorker();

    //! There may be work: start a round unless one is running (then another follows it).
    void kick();
    //! Starts no more rounds and waits for the one in flight (the writer must still run).
    void stop();
    quint64 deliveriesPublished() const;

private:
    void runRound();
    void roundDone(Protocol::Result<FanoutRound> round);
    void pauseOver();

    FanoutQueue &m_queue;
    MessageBus &m_bus;
    const qint64 m_perRound;
    const int m_pauseMs;
    std::unique_ptr<QObject> m_timerContext; //!< Lives on the creating thread.
    mutable std::mutex m_mutex;
    std::condition_variable m_idle;
    bool m_running = false; //!< A round is in flight or waiting for its pause to end.
    bool m_paused = false;
    bool m_again = false;
    bool m_stopped = false;
    quint64 m_published = 0;
};

} // namespace Tincan::Server
