#pragma once

#include <QList>
#include <QtGlobal>

#include <functional>

namespace Tincan::Server {

class StreamSession;

//! What SessionRegistry::setLive and remove decided about the user's presence.
struct PresenceChange
{
    bool changed = false; //!< The user went online (first live device) or offline (last one).
    bool online = false;  //!< The user's presence afterwards.
    //! Orders every change the registry decides (all users): a later change has a higher
    //! version, so a receiver can drop an older one that overtook it between threads.
    qint64 version = 0;
};

//! The seed's "connected clients registry": which device is connected where, and which of a
//! user's devices count for presence ("live": their stream sent a frame within the presence
//! timeout). The embedded implementation is an in-process map (LocalSessionRegistry); a cluster
//! one keeps device -> node and the per-user live sets in Redis. Thread-safe.
class SessionRegistry
{
public:
    virtual ~SessionRegistry() = default;
    //! Registers the device's live session. An older session of the same device is closed; the
    //! new one takes over its presence (live or not), so a reconnect does not flicker.
    virtual void add(qint64 userId, qint64 deviceId, StreamSession *session) = 0;
    //! Unregisters the session if it is still the device's current one. When it was the user's
    //! last live device, the user goes offline.
    virtual PresenceChange remove(qint64 deviceId, StreamSession *session) = 0;
    //! Marks the device's session as counting for presence or not; only the device's current
    //! session can. Tells whether the user's presence flipped.
    virtual PresenceChange setLive(qint64 deviceId, StreamSession *session, bool live) = 0;
    //! A fresh version for a presence change decided elsewhere (a privacy switch).
    virtual qint64 nextPresenceVersion() = 0;
    virtual bool isOnline(qint64 deviceId) const = 0;
    //! Whether at least one device of the user is live.
    virtual bool isUserOnline(qint64 userId) const = 0;
    //! The user's devices with a session (live or not), to push to.
    virtual QList<qint64> connectedDevices(qint64 userId) const = 0;
    virtual qsizetype onlineCount() const = 0;
    //! Calls `fn` with the device's session under the registry lock; `fn` may only post to it.
    //! Returns false when the device has no session here.
    virtual bool withSession(qint64 deviceId,
                             const std::function<void(StreamSession *)> &fn) const = 0;
    //! withSession for many devices under one lock: `fn(deviceId, session)` for each device
    //! with a session here, in the order given.
    virtual void withSessions(const QList<qint64> &deviceIds,
                              const std::function<void(qint64, StreamSession *)> &fn) const = 0;
};

} // namespace Tincan::Server
