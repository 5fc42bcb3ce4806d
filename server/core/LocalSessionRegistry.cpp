#include "server/core/LocalSessionRegistry.h"

#include "server/ws/StreamSession.h"

namespace Tincan::Server {

void LocalSessionRegistry::add(qint64 deviceId, StreamSession *session)
{
    QWriteLocker locker(&m_lock);
    StreamSession *previous = m_sessions.value(deviceId);
    m_sessions.insert(deviceId, session);
    if (previous && previous != session) {
        QMetaObject::invokeMethod(
            previous, [previous] { previous->closeReplaced(); }, Qt::QueuedConnection);
    }
}

void LocalSessionRegistry::remove(qint64 deviceId, StreamSession *session)
{
    QWriteLocker locker(&m_lock);
    auto it = m_sessions.find(deviceId);
    if (it != m_sessions.end() && it.value() == session) {
        m_sessions.erase(it);
    }
}

bool LocalSessionRegistry::isOnline(qint64 deviceId) const
{
    QReadLocker locker(&m_lock);
    return m_sessions.contains(deviceId);
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
    StreamSession *session = m_sessions.value(deviceId);
    if (!session) {
        return false;
    }
    fn(session);
    return true;
}

} // namespace Tincan::Server
