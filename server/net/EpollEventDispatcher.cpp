#include "server/net/EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>

#include <cerrno>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace Tincan::Server {

namespace {
constexpr int MaxEventsPerWait = 512;

std::chrono::milliseconds toMs(qint64 ms)
{
    return std::chrono::milliseconds(ms);
}
} // namespace

namespace {
//! The deferred flushes of a thread whose loop runs an EpollEventDispatcher.
struct ThreadFlushes
{
    EpollEventDispatcher *dispatcher = nullptr; //!< Set once its loop ran.
    std::vector<EpollEventDispatcher::DeferredFlush *> pending;
};
thread_local ThreadFlushes t_flushes;
} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(::epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
    , m_events(MaxEventsPerWait)
{
    if (m_epoll < 0 || m_wakeFd < 0) {
        qFatal("EpollEventDispatcher: cannot create epoll or eventfd descriptors");
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = m_wakeFd;
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &event);
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (t_flushes.dispatcher == this) {
        t_flushes.dispatcher = nullptr;
    }
    ::close(m_wakeFd);
    ::close(m_epoll);
}

uint32_t EpollEventDispatcher::wantedEvents(int fd) const
{
    const auto it = m_notifiers.constFind(fd);
    if (it == m_notifiers.cend()) {
        return 0;
    }
    return (it->read ? EPOLLIN : 0u) | (it->write ? EPOLLOUT : 0u) |
           (it->exception ? EPOLLPRI : 0u);
}

void EpollEventDispatcher::updateInterest(int fd)
{
    const uint32_t events = wantedEvents(fd);
    const auto applied = m_applied.constFind(fd);
    if (events != 0 && applied != m_applied.cend()) {
        // Still watched, only the set changes (a write notifier enabled while a socket has
        // something to send): applied before the next wait, so that the usual enable, write
        // at once, disable costs no epoll_ctl at all.
        m_dirty.insert(fd);
        return;
    }
    applyInterest(fd, events);
}

void EpollEventDispatcher::applyInterest(int fd, uint32_t events)
{
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    m_dirty.remove(fd);
    if (events == 0) {
        // At once: the descriptor is about to be closed, and its number may come back for
        // another socket.
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &event);
        m_notifiers.remove(fd);
        m_applied.remove(fd);
        return;
    }
    const auto applied = m_applied.constFind(fd);
    if (applied != m_applied.cend() && *applied == events) {
        return;
    }
    if (::epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &event) != 0 && errno == ENOENT) {
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event);
    }
    m_applied.insert(fd, events);
}

void EpollEventDispatcher::applyPendingInterest()
{
    const QSet<int> dirty = std::exchange(m_dirty, {});
    for (const int fd : dirty) {
        applyInterest(fd, wantedEvents(fd));
    }
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = static_cast<int>(notifier->socket());
    Notifiers &slot = m_notifiers[fd];
    switch (notifier->type()) {
    case QSocketNotifier::Read:
        slot.read = notifier;
        break;
    case QSocketNotifier::Write:
        slot.write = notifier;
        break;
    case QSocketNotifier::Exception:
        slot.exception = notifier;
        break;
    }
    updateInterest(fd);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = static_cast<int>(notifier->socket());
    auto it = m_notifiers.find(fd);
    if (it == m_notifiers.end()) {
        return;
    }
    if (it->read == notifier) {
        it->read = nullptr;
    } else if (it->write == notifier) {
        it->write = nullptr;
    } else if (it->exception == notifier) {
        it->exception = nullptr;
    }
    updateInterest(fd);
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    Timer timer;
    timer.interval = interval;
    timer.type = timerType;
    timer.object = object;
    timer.deadline = Clock::now() + toMs(interval);
    m_timers.insert(timerId, timer);
    m_deadlines.insert({timer.deadline, timerId});
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend()) {
        return false;
    }
    m_deadlines.erase({it->deadline, timerId});
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->object == object) {
            m_deadlines.erase({it->deadline, it.key()});
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo>
EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> list;
    for (auto it = m_timers.cbegin(); it != m_timers.cend(); ++it) {
        if (it->object == object) {
            list.append(TimerInfo(it.key(), static_cast<int>(it->interval), it->type));
        }
    }
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend()) {
        return -1;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(it->deadline - Clock::now()).count();
    return static_cast<int>(std::max<qint64>(0, left));
}

void EpollEventDispatcher::wakeUp()
{
    if (!m_wakePending.exchange(true)) {
        const quint64 one = 1;
        [[maybe_unused]] const auto written = ::write(m_wakeFd, &one, sizeof(one));
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted = true;
    wakeUp();
}

int EpollEventDispatcher::waitTimeoutMs() const
{
    if (m_deadlines.empty()) {
        return -1;
    }
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(m_deadlines.begin()->first - Clock::now())
            .count();
    return static_cast<int>(std::clamp<qint64>(left, 0, 24 * 3600 * 1000));
}

int EpollEventDispatcher::activateTimers()
{
    const Clock::time_point now = Clock::now();
    std::vector<int> due;
    for (auto it = m_deadlines.begin(); it != m_deadlines.end() && it->first <= now; ++it) {
        due.push_back(it->second);
    }
    int fired = 0;
    for (const int id : due) {
        auto it = m_timers.find(id);
        if (it == m_timers.end() || it->inCall) {
            continue; // Unregistered by an earlier handler, or already running (re-entered).
        }
        // Next deadline from the planned one, so a periodic timer does not drift; if we are
        // far behind, from now.
        m_deadlines.erase({it->deadline, id});
        Clock::time_point next = it->deadline + toMs(it->interval);
        if (next <= now) {
            next = now + toMs(it->interval);
        }
        it->deadline = next;
        m_deadlines.insert({next, id});
        it->inCall = true;
        QObject *object = it->object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        ++fired;
        auto after = m_timers.find(id);
        if (after != m_timers.end()) {
            after->inCall = false;
        }
    }
    return fired;
}

int EpollEventDispatcher::activateNotifiers(int ready)
{
    // Copy what is ready first: handlers may register and unregister notifiers.
    std::vector<std::pair<int, uint32_t>> readyFds;
    readyFds.reserve(static_cast<size_t>(ready));
    for (int i = 0; i < ready; ++i) {
        const ::epoll_event &event = m_events[static_cast<size_t>(i)];
        const int fd = event.data.fd; // A copy: epoll_event is packed.
        const uint32_t events = event.events;
        if (fd != m_wakeFd) {
            readyFds.emplace_back(fd, events);
        }
    }
    int activated = 0;
    auto activate = [&](int fd, QSocketNotifier *Notifiers::*which) {
        const auto it = m_notifiers.constFind(fd);
        if (it == m_notifiers.cend()) {
            return;
        }
        QSocketNotifier *notifier = (*it).*which;
        if (!notifier) {
            return;
        }
        QEvent event(QEvent::SockAct);
        QCoreApplication::sendEvent(notifier, &event);
        ++activated;
    };
    for (const auto &[fd, events] : readyFds) {
        if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
            activate(fd, &Notifiers::read);
        }
        if (events & (EPOLLOUT | EPOLLERR)) {
            activate(fd, &Notifiers::write);
        }
        if (events & EPOLLPRI) {
            activate(fd, &Notifiers::exception);
        }
    }
    return activated;
}

bool EpollEventDispatcher::deferFlush(DeferredFlush *item)
{
    if (!t_flushes.dispatcher) {
        return false;
    }
    t_flushes.pending.push_back(item);
    return true;
}

void EpollEventDispatcher::cancelFlush(DeferredFlush *item)
{
    // Not erased: runDeferredFlushes may be walking the list.
    std::replace(t_flushes.pending.begin(), t_flushes.pending.end(), item,
                 static_cast<DeferredFlush *>(nullptr));
}

void EpollEventDispatcher::flushDeferredNow()
{
    runDeferredFlushes();
}

void EpollEventDispatcher::runDeferredFlushes()
{
    // One at a time from the front: a flush may schedule or cancel others.
    for (size_t i = 0; i < t_flushes.pending.size(); ++i) {
        DeferredFlush *item = std::exchange(t_flushes.pending[i], nullptr);
        if (item) {
            item->flushDeferred();
        }
    }
    t_flushes.pending.clear();
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    t_flushes.dispatcher = this;
    m_interrupted = false;
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();
    runDeferredFlushes();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool canWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted;
    if (m_interrupted) {
        return false;
    }
    int timeout = 0;
    if (canWait) {
        Q_EMIT aboutToBlock();
        timeout = includeTimers ? waitTimeoutMs() : -1;
    }

    applyPendingInterest();
    int ready = ::epoll_wait(m_epoll, m_events.data(), MaxEventsPerWait, timeout);
    if (ready < 0) {
        ready = 0; // EINTR: treat as a wakeup.
    }
    Q_EMIT awake();

    int handled = 0;
    for (int i = 0; i < ready; ++i) {
        if (m_events[static_cast<size_t>(i)].data.fd == m_wakeFd) {
            quint64 count = 0;
            [[maybe_unused]] const auto got = ::read(m_wakeFd, &count, sizeof(count));
            m_wakePending = false;
            ++handled;
        }
    }
    if (includeNotifiers) {
        handled += activateNotifiers(ready);
    }
    if (includeTimers) {
        handled += activateTimers();
    }
    return handled > 0;
}

} // namespace Tincan::Server
