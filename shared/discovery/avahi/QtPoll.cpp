#include "shared/discovery/avahi/QtPoll.h"

#include <QSocketNotifier>
#include <QTimer>

#include <avahi-common/timeval.h>

#include <algorithm>
#include <memory>

// Avahi declares these structs and leaves their definition to each poll implementation.

struct AvahiWatch
{
    int fd = -1;
    AvahiWatchCallback callback = nullptr;
    void *userdata = nullptr;
    std::unique_ptr<QSocketNotifier> read;
    std::unique_ptr<QSocketNotifier> write;
    AvahiWatchEvent lastEvents = static_cast<AvahiWatchEvent>(0);
    // Avahi may free a watch from inside its own callback: it is then deleted once the callback
    // has returned.
    bool dispatching = false;
    bool freed = false;
};

struct AvahiTimeout
{
    QTimer timer;
    AvahiTimeoutCallback callback = nullptr;
    void *userdata = nullptr;
    bool dispatching = false;
    bool freed = false;
};

namespace Tincan::Discovery::Avahi {

namespace {

void dispatchWatch(AvahiWatch *watch, AvahiWatchEvent event)
{
    watch->lastEvents = event;
    watch->dispatching = true;
    watch->callback(watch, watch->fd, event, watch->userdata);
    watch->dispatching = false;
    if (watch->freed) {
        delete watch; // Deleting its notifiers from their own activated() is allowed.
        return;
    }
    watch->lastEvents = static_cast<AvahiWatchEvent>(0);
}

void updateWatch(AvahiWatch *watch, AvahiWatchEvent events)
{
    watch->read->setEnabled(events & AVAHI_WATCH_IN);
    watch->write->setEnabled(events & AVAHI_WATCH_OUT);
}

AvahiWatch *watchNew(const AvahiPoll *, int fd, AvahiWatchEvent events, AvahiWatchCallback callback,
                     void *userdata)
{
    auto *watch = new AvahiWatch;
    watch->fd = fd;
    watch->callback = callback;
    watch->userdata = userdata;
    // Made disabled and enabled only when asked for: libdbus keeps a read and a write watch on
    // one descriptor, and Qt's unix dispatcher refuses two enabled notifiers of one type on it.
    watch->read = std::make_unique<QSocketNotifier>(QSocketNotifier::Read);
    watch->write = std::make_unique<QSocketNotifier>(QSocketNotifier::Write);
    watch->read->setSocket(fd);
    watch->write->setSocket(fd);
    // Hang-ups and errors wake the read notifier; reading then tells libdbus what happened.
    QObject::connect(watch->read.get(), &QSocketNotifier::activated, watch->read.get(),
                     [watch] { dispatchWatch(watch, AVAHI_WATCH_IN); });
    QObject::connect(watch->write.get(), &QSocketNotifier::activated, watch->write.get(),
                     [watch] { dispatchWatch(watch, AVAHI_WATCH_OUT); });
    updateWatch(watch, events);
    return watch;
}

AvahiWatchEvent watchGetEvents(AvahiWatch *watch)
{
    return watch->lastEvents;
}

void watchFree(AvahiWatch *watch)
{
    if (watch->dispatching) {
        watch->freed = true;
        watch->read->setEnabled(false);
        watch->write->setEnabled(false);
        return;
    }
    delete watch;
}

void armTimeout(AvahiTimeout *timeout, const struct timeval *when)
{
    if (!when) {
        timeout->timer.stop();
        return;
    }
    // avahi_age: microseconds since `when`, negative while it is still ahead.
    const AvahiUsec ahead = -avahi_age(when);
    const AvahiUsec ms = ahead > 0 ? (ahead + 999) / 1000 : 0;
    timeout->timer.start(static_cast<int>(std::min<AvahiUsec>(ms, 24LL * 3600 * 1000)));
}

void dispatchTimeout(AvahiTimeout *timeout)
{
    timeout->dispatching = true;
    timeout->callback(timeout, timeout->userdata);
    timeout->dispatching = false;
    if (timeout->freed) {
        delete timeout; // Deleting a QTimer from its own timeout() is allowed.
    }
}

AvahiTimeout *timeoutNew(const AvahiPoll *, const struct timeval *when,
                         AvahiTimeoutCallback callback, void *userdata)
{
    auto *timeout = new AvahiTimeout;
    timeout->callback = callback;
    timeout->userdata = userdata;
    timeout->timer.setSingleShot(true);
    QObject::connect(&timeout->timer, &QTimer::timeout, &timeout->timer,
                     [timeout] { dispatchTimeout(timeout); });
    armTimeout(timeout, when);
    return timeout;
}

void timeoutFree(AvahiTimeout *timeout)
{
    if (timeout->dispatching) {
        timeout->freed = true;
        timeout->timer.stop();
        return;
    }
    delete timeout;
}

} // namespace

QtPoll::QtPoll()
{
    m_api.userdata = this;
    m_api.watch_new = watchNew;
    m_api.watch_update = updateWatch;
    m_api.watch_get_events = watchGetEvents;
    m_api.watch_free = watchFree;
    m_api.timeout_new = timeoutNew;
    m_api.timeout_update = armTimeout;
    m_api.timeout_free = timeoutFree;
}

} // namespace Tincan::Discovery::Avahi
