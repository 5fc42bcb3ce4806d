#include "server/core/PresenceService.h"

#include "server/core/MessageBus.h"
#include "server/core/SessionRegistry.h"
#include "shared/protocol/Validation.h"

#include <QDateTime>
#include <QHash>

#include <algorithm>

namespace Tincan::Server {

using Protocol::ApiError;
using Protocol::PresenceUpdate;

namespace {
qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}
} // namespace

PresenceService::PresenceService(const Config &config, UserStore &users, DeviceStore &devices,
                                 GroupStore &groups, SessionRegistry &registry, MessageBus &bus)
    : m_config(config)
    , m_users(users)
    , m_groups(groups)
    , m_devices(devices)
    , m_registry(registry)
    , m_bus(bus)
    , m_typingLimiter(config.typingRatePerSecond, config.typingBurst)
{}

void PresenceService::deviceLive(const AuthContext &auth, StreamSession *session)
{
    const PresenceChange change = m_registry.setLive(auth.deviceId, session, true);
    if (change.changed && change.online) {
        announce(auth.userId, {auth.username, PresenceUpdate::State::Online, nowMs()},
                 change.version);
    }
}

void PresenceService::deviceIdle(const AuthContext &auth, StreamSession *session,
                                 qint64 lastActiveMs)
{
    const PresenceChange change = m_registry.setLive(auth.deviceId, session, false);
    m_devices.touch(auth.deviceId, lastActiveMs, [](const Protocol::Result<bool> &) {});
    if (change.changed && !change.online) {
        // The user's other devices went quiet earlier (their times are stored, or being stored).
        const qint64 lastSeen = std::max(lastActiveMs, m_users.lastSeen(auth.userId));
        announce(auth.userId, {auth.username, PresenceUpdate::State::Offline, lastSeen},
                 change.version);
    }
}

void PresenceService::deviceClosed(const AuthContext &auth, StreamSession *session,
                                   qint64 lastActiveMs, bool announceChange)
{
    const PresenceChange change = m_registry.remove(auth.deviceId, session);
    if (!announceChange) {
        return; // Shutting down: the store is closed, and every peer is being disconnected.
    }
    m_devices.touch(auth.deviceId, lastActiveMs, [](const Protocol::Result<bool> &) {});
    if (change.changed && !change.online) {
        const qint64 lastSeen = std::max(lastActiveMs, m_users.lastSeen(auth.userId));
        announce(auth.userId, {auth.username, PresenceUpdate::State::Offline, lastSeen},
                 change.version);
    }
}

void PresenceService::announce(qint64 userId, const PresenceUpdate &update, qint64 version)
{
    if (!m_users.showsPresence(userId)) {
        return;
    }
    QList<qint64> devices;
    for (const Peer &peer : m_users.peersOf(userId)) {
        // Someone who hides their presence sees no one's.
        if (peer.showsPresence) {
            devices.append(m_registry.connectedDevices(peer.userId));
        }
    }
    if (!devices.isEmpty()) {
        m_bus.publishPresence(devices, update, version);
    }
}

PresenceUpdate PresenceService::currentState(qint64 userId, const QString &username)
{
    if (m_registry.isUserOnline(userId)) {
        return {username, PresenceUpdate::State::Online, nowMs()};
    }
    return {username, PresenceUpdate::State::Offline, m_users.lastSeen(userId)};
}

QList<PresenceUpdate> PresenceService::presenceFor(const AuthContext &viewer,
                                                   const QStringList &usernames)
{
    const bool viewerShows = m_users.showsPresence(viewer.userId);
    QHash<QString, Peer> peers;
    for (const Peer &peer : m_users.peersOf(viewer.userId)) {
        peers.insert(peer.username, peer);
    }
    QList<PresenceUpdate> result;
    result.reserve(usernames.size());
    for (const QString &name : usernames) {
        if (name == viewer.username) {
            result.append(currentState(viewer.userId, name));
            continue;
        }
        const auto peer = peers.constFind(name);
        if (peer == peers.cend()) {
            // A stranger (or no such user): nothing is revealed, not even whether they exist.
            result.append({name, PresenceUpdate::State::Unknown, 0});
        } else if (!viewerShows || !peer->showsPresence) {
            result.append({name, PresenceUpdate::State::Hidden, 0});
        } else {
            result.append(currentState(peer->userId, name));
        }
    }
    return result;
}

void PresenceService::setShowsPresence(const AuthContext &auth, bool show, Done<bool> done)
{
    // Who to tell, worked out here on the caller's thread: the write's completion runs on the
    // writer thread, which must not read.
    QList<qint64> devices;
    for (const Peer &peer : m_users.peersOf(auth.userId)) {
        if (peer.showsPresence) {
            devices.append(m_registry.connectedDevices(peer.userId));
        }
    }
    const PresenceUpdate update =
        show ? currentState(auth.userId, auth.username)
             : PresenceUpdate{auth.username, PresenceUpdate::State::Hidden, 0};
    m_users.setShowsPresence(
        auth.userId, show,
        [this, devices, update, done = std::move(done)](Protocol::Result<bool> result) {
            if (result && !devices.isEmpty()) {
                m_bus.publishPresence(devices, update, m_registry.nextPresenceVersion());
            }
            done(std::move(result));
        });
}

Protocol::Result<QList<qint64>> PresenceService::typingAudience(const AuthContext &auth,
                                                                const QString &conversation)
{
    const ApiError notMember = ApiError::forbidden(
        QStringLiteral("You are not in conversation '%1'.").arg(conversation.left(128)));
    if (conversation.startsWith(QLatin1String("dm:"))) {
        const QString peer = Protocol::directPeer(conversation, auth.username);
        if (peer.isEmpty() || !Protocol::isValidUsername(peer) ||
            Protocol::directConversationId(auth.username, peer) != conversation) {
            return notMember;
        }
        if (peer == auth.username) {
            return QList<qint64>(); // Note to self: no one else to tell.
        }
        const std::optional<User> user = m_users.userByName(peer);
        if (!user) {
            return ApiError::notFound(QStringLiteral("There is no user called '%1'.").arg(peer),
                                      Protocol::ErrorCode::UnknownUser);
        }
        return QList<qint64>{user->id};
    }
    const QString groupId = Protocol::groupIdOf(conversation);
    if (groupId.isEmpty()) {
        return notMember;
    }
    const std::optional<Group> group = m_groups.group(groupId, auth.userId);
    if (!group) {
        return notMember;
    }
    QList<qint64> others;
    for (const GroupMember &member : group->members) {
        if (member.userId != auth.userId) {
            others.append(member.userId);
        }
    }
    return others;
}

std::optional<ApiError> PresenceService::typing(const AuthContext &auth,
                                                const Protocol::TypingEvent &event)
{
    auto audience = typingAudience(auth, event.conversation);
    if (!audience) {
        return audience.error();
    }
    if (!m_typingLimiter.tryAcquire(QString::number(auth.deviceId))) {
        return ApiError::rateLimited(
            QStringLiteral("This device sends typing frames too fast; slow down."));
    }
    Protocol::TypingEvent relayed = event;
    relayed.user = auth.username;
    relayed.device = auth.deviceId;
    QList<qint64> devices;
    for (const qint64 userId : std::as_const(*audience)) {
        devices.append(m_registry.connectedDevices(userId));
    }
    if (!devices.isEmpty()) {
        m_bus.publishTyping(devices, relayed);
    }
    return std::nullopt;
}

} // namespace Tincan::Server
