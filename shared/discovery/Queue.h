#pragma once

#include <QObject>

#include <utility>

namespace Tincan::Discovery {

//! Runs `call` later from `context`'s event loop, unless `*generation` (a member of `context`)
//! changed in between, e.g. by a stop(). ServiceAdvertiser and ServiceBrowser pass their signals
//! on this way, never from inside a DNS-SD library callback.
template<class Call> void queueUnlessStale(QObject *context, const quint64 *generation, Call call)
{
    QMetaObject::invokeMethod(
        context,
        [generation, expected = *generation, call = std::move(call)] {
            if (*generation == expected) {
                call();
            }
        },
        Qt::QueuedConnection);
}

} // namespace Tincan::Discovery
