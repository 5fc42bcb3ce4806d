#pragma once

#include <avahi-common/watch.h>

namespace Tincan::Discovery::Avahi {

//! An AvahiPoll driven by the Qt event loop of the thread that creates it: a QSocketNotifier per
//! watched descriptor and direction, a single-shot QTimer per timeout. No thread of its own.
//! Avahi objects made with api() call back from that event loop. It must outlive them: free
//! every AvahiClient made with it first. Owning thread only.
class QtPoll
{
public:
    QtPoll();
    QtPoll(const QtPoll &) = delete;
    QtPoll &operator=(const QtPoll &) = delete;

    const AvahiPoll *api() const { return &m_api; }

private:
    AvahiPoll m_api;
};

} // namespace Tincan::Discovery::Avahi
