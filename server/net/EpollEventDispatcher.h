#pragma once

#include <QAbstractEventDispatcher>
#include <QHash>
#include <QSet>

#include <atomic>
#include <chrono>
#include <set>
#include <vector>

#include <sys/epoll.h>

class QSocketNotifier;

namespace Tincan::Server {

//! An event dispatcher on Linux epoll, for the connection threads. Qt's default dispatchers
//! call poll() over every socket of the thread on each wakeup, so a thread holding thousands of
//! idle WebSockets spends its time walking them (see ../shared/stack-notes.md); with epoll a
//! wakeup costs in proportion to the sockets that are ready. Level-triggered, so socket
//! notifiers behave as with poll(). Timers live in a deadline-ordered set.
//!
//! Thread contract: wakeUp() and interrupt() are thread-safe; everything else runs on the
//! thread that owns the dispatcher.
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;
    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;
    void wakeUp() override;
    void interrupt() override;

    //! Work a thread puts off until its loop is about to wait for events again: writes made
    //! while handling events (a mailbox drain, a batch of readable sockets) then go out
    //! together, one write(2) per connection per loop iteration however many frames it got.
    class DeferredFlush
    {
    public:
        virtual void flushDeferred() = 0;

    protected:
        ~DeferredFlush() = default;
    };
    //! Calls `item->flushDeferred()` once before the calling thread's loop next waits (or polls)
    //! for events. False, and nothing scheduled, if that thread's dispatcher is not one of
    //! these: the caller then does the work at once.
    static bool deferFlush(DeferredFlush *item);
    //! Forgets a scheduled flush (an item going away). Calling thread.
    static void cancelFlush(DeferredFlush *item);
    //! Runs the calling thread's scheduled flushes now (a thread about to stop its loop).
    static void flushDeferredNow();

private:
    //! Runs the deferred flushes (those scheduled meanwhile too).
    static void runDeferredFlushes();

    using Clock = std::chrono::steady_clock;

    struct Notifiers
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
    };
    struct Timer
    {
        qint64 interval = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        Clock::time_point deadline;
        bool inCall = false;
    };

    //! The events the notifiers of `fd` ask for.
    uint32_t wantedEvents(int fd) const;
    //! A notifier of `fd` changed: tells epoll now, or before the next wait (see m_dirty).
    void updateInterest(int fd);
    void applyInterest(int fd, uint32_t events);
    void applyPendingInterest();
    int activateTimers();
    int activateNotifiers(int ready);
    int waitTimeoutMs() const;

    int m_epoll = -1;
    int m_wakeFd = -1;
    std::atomic<bool> m_wakePending{false};
    std::atomic<bool> m_interrupted{false};
    QHash<int, Notifiers> m_notifiers;
    QHash<int, uint32_t> m_applied; //!< What epoll has been told, per descriptor.
    //! Descriptors whose notifiers changed while at least one stayed: epoll is told before the
    //! next wait. A descriptor with no notifier left is removed from epoll at once.
    QSet<int> m_dirty;
    QHash<int, Timer> m_timers;
    std::set<std::pair<Clock::time_point, int>> m_deadlines;
    std::vector<::epoll_event> m_events;
};

} // namespace Tincan::Server
