#pragma once

#include <QObject>
#include <QTimer>

#include <algorithm>
#include <functional>

namespace Tincan::Discovery::Avahi {

//! Reconnecting after the daemon or the bus went away: a single-shot timer whose delay starts at
//! 1 s and doubles up to 30 s. Owning thread only.
class Retry
{
public:
    //! `attempt` runs when the timer fires, with `context`'s lifetime.
    Retry(QObject *context, std::function<void()> attempt)
        : m_context(context)
    {
        m_timer.setSingleShot(true);
        QObject::connect(&m_timer, &QTimer::timeout, context, std::move(attempt));
    }

    //! Safe inside an Avahi callback: from the event loop, runs `cleanUp` (e.g. free the failed
    //! client, which must not happen inside its own callback), then starts the timer. Dropped if
    //! cancel() comes first.
    void schedule(std::function<void()> cleanUp = {})
    {
        const quint64 generation = m_generation;
        QMetaObject::invokeMethod(
            m_context,
            [this, generation, cleanUp = std::move(cleanUp)] {
                if (generation != m_generation) {
                    return;
                }
                if (cleanUp) {
                    cleanUp();
                }
                m_timer.start(m_delayMs);
                m_delayMs = std::min(m_delayMs * 2, MaxDelayMs);
            },
            Qt::QueuedConnection);
    }
    //! Connected again: the next failure is retried after 1 s.
    void succeeded() { m_delayMs = FirstDelayMs; }
    void cancel()
    {
        ++m_generation;
        m_timer.stop();
        m_delayMs = FirstDelayMs;
    }

private:
    static constexpr int FirstDelayMs = 1000;
    static constexpr int MaxDelayMs = 30000;
    QObject *m_context;
    QTimer m_timer;
    int m_delayMs = FirstDelayMs;
    quint64 m_generation = 0;
};

} // namespace Tincan::Discovery::Avahi
