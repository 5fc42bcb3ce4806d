#pragma once

#include "server/core/Config.h"
#include "server/core/RateLimiter.h"
#include "server/store/Stores.h"

#include <QList>
#include <QStringList>

#include <optional>

namespace Tincan::Server {

class MessageBus;
class SessionRegistry;
class StreamSession;

//! Presence and typing: the ephemeral state of who is online and who is typing. Nothing here
//! is stored except each device's last-seen time and the user's privacy switch.
//!
//! A device counts for presence ("live") while its stream sends a frame at least every
//! `presence/offline_after_seconds`; a user is online while one of their devices is live. The
//! SessionRegistry decides the flips (thread-safely, for all worker threads); this class tells
//! the users who share a conversation with the user (UserStore::peersOf), unless the user hid
//! their presence, and only those peers who did not hide their own.
//!
//! Typing is relayed to the other participants' connected devices, never stored.
//!
//! Thread-safe: sessions call it from their worker threads; it reads the stores synchronously
//! and only posts to other sessions through the MessageBus.
class PresenceService
{
public:
    PresenceService(const Config &config, UserStore &users, DeviceStore &devices,
                    GroupStore &groups, SessionRegistry &registry, MessageBus &bus);

    int heartbeatSeconds() const { return m_config.presenceHeartbeatSeconds; }
    qint64 offlineAfterMs() const { return m_config.presenceOfflineAfterSeconds * 1000LL; }

    // ---- from StreamSession (its worker thread) ----
    //! The session registered and said hello, or sent a frame after being idle: it counts.
    void deviceLive(const AuthContext &auth, StreamSession *session);
    //! No frame for the presence timeout: the device stops counting (the stream stays open).
    void deviceIdle(const AuthContext &auth, StreamSession *session, qint64 lastActiveMs);
    //! The stream is closing: unregisters the session. `announce` false at server shutdown.
    void deviceClosed(const AuthContext &auth, StreamSession *session, qint64 lastActiveMs,
                      bool announce);
    //! Relays a typing frame; an error to send back when the conversation is not one of the
    //! sender's, or the device sends typing frames too fast.
    std::optional<Protocol::ApiError> typing(const AuthContext &auth,
                                             const Protocol::TypingEvent &event);

    // ---- from the HTTP API ----
    //! What `viewer` may see of each user (see GET /v1/presence).
    QList<Protocol::PresenceUpdate> presenceFor(const AuthContext &viewer,
                                                const QStringList &usernames);
    //! Switches the user's presence (and last seen) on or off for everyone, and tells peers.
    void setShowsPresence(const AuthContext &auth, bool show, Done<bool> done);
    bool showsPresence(qint64 userId) { return m_users.showsPresence(userId); }

private:
    //! The other users of `conversation` whose devices get `auth`'s typing, or an error when
    //! `auth` is not in it. The one place that knows which conversations exist: groups
    //! ("group:<id>") are to be added here.
    Protocol::Result<QList<qint64>> typingAudience(const AuthContext &auth,
                                                   const QString &conversation);
    //! Sends `update` about `userId` to the connected devices of their peers who show presence.
    void announce(qint64 userId, const Protocol::PresenceUpdate &update, qint64 version);
    //! The user's current state as a peer who may see it sees it.
    Protocol::PresenceUpdate currentState(qint64 userId, const QString &username);

    const Config &m_config;
    UserStore &m_users;
    GroupStore &m_groups;
    DeviceStore &m_devices;
    SessionRegistry &m_registry;
    MessageBus &m_bus;
    RateLimiter m_typingLimiter;
};

} // namespace Tincan::Server
