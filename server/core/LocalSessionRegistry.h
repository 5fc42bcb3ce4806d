#pragma once

#include "server/core/SessionRegistry.h"

#include <QHash>
#include <QReadWriteLock>
#include <QSet>

namespace Tincan::Server {

class LocalSessionRegistry final : public SessionRegistry
{
public:
    void add(qint64 userId, qint64 deviceId, StreamSession *session) override;
    PresenceChange remove(qint64 deviceId, StreamSession *session) override;
    PresenceChange setLive(qint64 deviceId, StreamSession *session, bool live) override;
    qint64 nextPresenceVersion() override;
    bool isOnline(qint64 deviceId) const override;
    bool isUserOnline(qint64 userId) const override;
    QList<qint64> connectedDevices(qint64 userId) const override;
    qsizetype onlineCount() const override;
    bool withSession(qint64 deviceId,
                     const std::function<void(StreamSession *)> &fn) const override;
    void withSessions(const QList<qint64> &deviceIds,
                      const std::function<void(qint64, StreamSession *)> &fn) const override;

private:
    struct Entry
    {
        StreamSession *session = nullptr;
        qint64 userId = 0;
        bool live = false;
    };
    //! Counts the device in or out of its user's live devices; under the write lock.
    PresenceChange count(Entry &entry, bool live);

    mutable QReadWriteLock m_lock;
    QHash<qint64, Entry> m_sessions;             //!< Device -> its current session.
    QHash<qint64, QSet<qint64>> m_devicesOfUser; //!< User -> devices with a session.
    QHash<qint64, int> m_liveDevices;            //!< User -> number of live devices (> 0).
    qint64 m_version = 0;
};

} // namespace Tincan::Server
