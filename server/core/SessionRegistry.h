#pragma once

#include <QtGlobal>

#include <functional>

namespace Tincan::Server {

class StreamSession;

//! The seed's "connected clients registry": which device is connected where. The embedded
//! implementation is an in-process map (LocalSessionRegistry); a cluster one keeps
//! device -> node in Redis. Thread-safe.
class SessionRegistry
{
public:
    virtual ~SessionRegistry() = default;
    //! Registers the device's live session. An older session of the same device is closed.
    virtual void add(qint64 deviceId, StreamSession *session) = 0;
    //! Unregisters the session if it is still the device's current one.
    virtual void remove(qint64 deviceId, StreamSession *session) = 0;
    virtual bool isOnline(qint64 deviceId) const = 0;
    virtual qsizetype onlineCount() const = 0;
    //! Calls `fn` with the device's session under the registry lock; `fn` may only post to it.
    //! Returns false when the device has no session here.
    virtual bool withSession(qint64 deviceId,
                             const std::function<void(StreamSession *)> &fn) const = 0;
};

} // namespace Tincan::Server
