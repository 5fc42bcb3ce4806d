#include "server/core/LocalSessionRegistry.h"

#include "server/ws/StreamSession.h"

namespace Tincan::Server {

void LocalSessionRegistry::add(qint64 userId, qint64 deviceId, StreamSession *session)
{
    QWriteLocker locker(&m_lock);
    auto it = m_sessions.find(deviceId);
    if (it == m_sessions.end()) {
        m_sessions.insert(deviceId, Entry{session, userId, false});
        m_devicesOfUser[userId].insert(deviceId);
        return;
    }
    StreamSession *previous = it->session;
    it->session = session; // Keeps the previous session's liveness: same device, same user.
    if (previous && previous != session) {
        QMetaObject::invokeMethod(
            previous, [previous] { previous->closeReplaced(); }, Qt::QueuedConnection);
    }
}

PresenceChange LocalSessionRegistry::count(Entry &entry, bool live)
{
    PresenceChange change;
    if (entry.live == live) {
        change.online = m_liveDevices.contains(entry.userId);
        return change;
    }
    entry.live = live;
    int &liveCount = m_liveDevices[entry.userId];
    liveCount += live ? 1 : -1;
    change.online = liveCount > 0;
    change.changed = live ? liveCount == 1 : liveCount == 0;
    if (liveCount <= 0) {
        m_liveDevices.remove(entry.userId);
    }
    if (change.changed) {
        change.version = ++m_version;
    }
    return change;
}

PresenceChange LocalSessionRegistry::remove(qint64 deviceId, StreamSession *session)
{
    QWriteLocker locker(&m_lock);
    auto it = m_sessions.find(deviceId);
    if (it == m_sessions.end() || it->session != session) {
        return {};
    }
    const PresenceChange change = count(*it, false);
    const qint64 userId = it->userId;
    m_sessions.erase(it);
    auto devices = m_devicesOfUser.find(userId);
    if (devices != m_devicesOfUser.end()) {
        devices->remove(deviceId);
        if (devices->isEmpty()) {
            m_devicesOfUser.erase(devices);
        }
    }
    return change;
}

PresenceChange LocalSessionRegistry::setLive(qint64 deviceId, StreamSession *session, bool live)
{
    QWriteLocker locker(&m_lock);
    auto it = m_sessions.find(deviceId);
    if (it == m_sessions.end() || it->session != session) {
        return {};
    }
    return count(*it, live);
}

qint64 LocalSessionRegistry::nextPresenceVersion()
{
    QWriteLocker locker(&m_lock);
    return ++m_version;
}

bool LocalSessionRegistry::isOnline(qint64 deviceId) const
{
    QReadLocker locker(&m_lock);
    return m_sessions.contains(deviceId);
}

bool LocalSessionRegistry::isUserOnline(qint64 userId) const
{
    QReadLocker locker(&m_lock);
    return m_liveDevices.contains(userId);
}

QList<qint64> LocalSessionRegistry::connectedDevices(qint64 userId) const
{
    QReadLocker locker(&m_lock);
    const QSet<qint64> devices = m_devicesOfUser.value(userId);
    return QList<qint64>(devices.cbegin(), devices.cend());
}

qsizetype LocalSessionRegistry::onlineCount() const
{
    QReadLocker locker(&m_lock);
    return m_sessions.size();
}

bool LocalSessionRegistry::withSession(qint64 deviceId,
                                       const std::function<void(StreamSession *)> &fn) const
{
    QReadLocker locker(&m_lock);
    const auto it = m_sessions.constFind(deviceId);
    if (it == m_sessions.cend() || !it->session) {
        return false;
    }
    fn(it->session);
    return true;
}

void LocalSessionRegistry::withSessions(
    const QList<qint64> &deviceIds, const std::function<void(qint64, StreamSession *)> &fn) const
{
    QReadLocker locker(&m_lock);
    for (const qint64 deviceId : deviceIds) {
        const auto it = m_sessions.constFind(deviceId);
        if (it != m_sessions.cend() && it->session) {
            fn(deviceId, it->session);
        }
    }
}

} // namespace Tincan::Server
